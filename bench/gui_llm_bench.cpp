// The "Language model" scene's benchmarks (issue 8), headless through EGL on llvmpipe, on
// the embedded default model on the CPU, each against a reference measured in this run:
//  1. The loss plane: a coarse 9 x 9 and a 21 x 21 grid (targets 1 s and 8 s), against one
//     forward pass over the same examples times the node count (the floor).
//  2. The app's frame at 1280x800 while two runs (MeZO, Adam) train live: median and 90th
//     percentile (target: median < 16 ms), against an idle frame of the same scene.
//  3. Training throughput of those live runs against the same runs through the batch
//     driver (finetune_run, one ATen thread, same spec): target >= 0.8.
// Usage: bench_gui_llm [--budget FP]   (default 300 forward passes per run)
#include <ATen/Parallel.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>
#include "app/gui/app.h"
#include "app/gui/platform.h"
#include "core/llm/io/finetune_spec.h"
#include "core/llm/torch/finetune.h"
#include "core/llm/torch/finetune_setup.h"
#include "core/llm/torch/plane.h"

namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

std::string spec_text(int64_t budget) {
  return R"({"zoscope_finetune": 1, "model": "default", "task": "sentiment",
    "data": {"seed": 0, "train": 1000, "dev": 100, "test": 1}, "batch_size": 16, "seed": 0,
    "budget": {"forward_passes": )" +
         std::to_string(budget) + R"(}, "eval_every": 0, "eval_examples": 100, "runs": [
      {"optimizer": "mezo", "hyperparameters": {"lr": 1e-4}, "label": "MeZO"},
      {"optimizer": "adam", "hyperparameters": {"lr": 1e-3}, "label": "Adam"}]})";
}

}  // namespace

int main(int argc, char** argv) {
  int64_t budget = 300;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--budget") budget = std::atoll(argv[i + 1]);
  at::set_num_threads(1);
  const zs::FinetuneSpec spec = zs::finetune_spec_parse(spec_text(budget), "bench");
  const std::string model_dir = zs::finetune_model_dir(spec, [](const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); }, 1);

  // 1. The loss plane.
  {
    const zs::FinetuneData data = zs::finetune_load_data(spec, model_dir, zs::model_config_load(model_dir));
    zs::LossPlane plane(spec, model_dir, data.train, 0, 8);
    plane.loss_at(0, 0);  // warm-up
    const double t0 = now_s();
    for (int k = 0; k < 5; ++k) plane.loss_at(1e-3 * k, 0);
    const double fwd = (now_s() - t0) / 5;
    const double dom[4] = {-1e-2, 1e-2, -1e-2, 1e-2};
    for (int n : {9, 21}) {
      const double t1 = now_s();
      const zs::Grid g = plane.grid(n, dom);
      const double s = now_s() - t1;
      std::printf("plane %2d x %-2d: %.2f s (target %s), %.2fx %d forward passes of 8 examples (%.1f ms each)\n", n, n, s,
                  n == 9 ? "1 s" : "8 s", s / (fwd * n * n), n * n, fwd * 1e3);
      (void)g;
    }
  }

  // 2 + 3. The app with two live runs.
  const std::string dir = (std::filesystem::temp_directory_path() / ("zs_bench_llm_" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  const std::string exp = dir + "/exp.json";
  {
    std::FILE* f = std::fopen(exp.c_str(), "w");
    const std::string t = spec_text(budget);
    std::fputs(t.c_str(), f);
    std::fclose(f);
  }
  std::vector<double> live_frames, idle_frames;
  double live_s = 0;
  int64_t live_steps = 0;
  {
    auto platform = zs::gui::platform_egl_create(1280, 800);
    zs::gui::App app(*platform, zs::gui::AppOptions{});
    if (!app.load_experiment(exp)) {
      std::fprintf(stderr, "cannot load %s: %s\n", exp.c_str(), app.status_text().c_str());
      return 1;
    }
    const double t0 = now_s();
    // Frames while the runs train (the worker holds one core; the UI the other).
    while (app.llm()->busy() || app.llm()->phase().empty()) {
      const double f0 = now_s();
      app.frame();
      platform->present();
      if (app.llm()->phase() == "training") live_frames.push_back((now_s() - f0) * 1e3);
      // Training ends when no run is active any more (the refined plane may still follow).
      bool active = false;
      for (int i = 0; i < static_cast<int>(app.exp().runs.size()); ++i) active = active || app.llm()->run_active(i);
      if (!active && live_s == 0 && app.llm()->phase() == "training" && !app.results().runs.empty() &&
          app.results().runs[0].rows.size() > 1)
        live_s = now_s() - t0;
      // A window is paced by vsync (60 Hz): the UI thread sleeps between frames.
      const double rest = 1.0 / 60 - (now_s() - f0);
      if (rest > 0) std::this_thread::sleep_for(std::chrono::duration<double>(rest));
      if (now_s() - t0 > 600) break;
    }
    if (live_s == 0) live_s = now_s() - t0;  // the runs ended in the frame the plane did
    for (const zs::RunRecord& r : app.results().runs) live_steps += static_cast<int64_t>(r.rows.size()) - 1;
    for (int k = 0; k < 60; ++k) {
      const double f0 = now_s();
      app.frame();
      platform->present();
      idle_frames.push_back((now_s() - f0) * 1e3);
    }
  }
  const double med = quantile(live_frames, 0.5), idle = quantile(idle_frames, 0.5);
  std::printf("frame while 2 LLM runs stream: median %.2f ms (target < 16 ms), p90 %.2f ms, %zu frames; "
              "%.2fx the idle frame (%.2f ms)\n",
              med, quantile(live_frames, 0.9), live_frames.size(), med / idle, idle);

  // The same runs through the batch driver, one after the other on this thread.
  double batch_s = 0;
  int64_t batch_steps = 0;
  for (size_t i = 0; i < spec.runs.size(); ++i) {
    zs::FinetuneRunOptions o;
    o.threads = 1;
    const zs::FinetuneRunResult r = zs::finetune_run(spec, i, model_dir, dir + "/runs/" + spec.runs[i].label, o);
    batch_s += r.seconds;
    batch_steps += r.steps;
  }
  const double live_rate = static_cast<double>(live_steps) / live_s, batch_rate = static_cast<double>(batch_steps) / batch_s;
  std::printf("training throughput: live %.1f steps/s (from load to the runs' end, coarse planes included) vs zoscope-cli finetune's driver "
              "%.1f steps/s: %.2fx (target >= 0.8)\n",
              live_rate, batch_rate, live_rate / batch_rate);
  std::filesystem::remove_all(dir);
  return 0;
}
