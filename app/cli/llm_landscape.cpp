// `zoscope-cli landscape SPEC --out DIR [--grid N] [--plane random|runs] [--runs A,B]
// [--plane-seed S] [--examples K]`: the spec's runs trained side by side
// (core/llm/torch/live.h, the app's live runs) and drawn on a loss plane through the
// initial weights -- two filter-normalised random directions, or the plane through the
// final weights of runs A and B (plane.h): plane.csv (a, b, loss), runs.csv / runs.jsonl
// (rows with plane coordinates),
// figure.png + figure.svg (the landscape figure of core/export). Headless; same numbers as
// the app's "Language model" scene. With --nproc N (or as a rank of torchrun / srun) rank 0
// trains, then the refined plane grid is split over the ranks (LossPlane::grid with a
// process group) and gathered on rank 0, which writes everything.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include "app/cli/cli_checks.h"
#include "app/cli/commands.h"
#include "core/export/figure.h"
#include "core/landscape/grid_landscape.h"
#include "core/llm/io/finetune_spec.h"
#include "core/llm/io/model_config.h"
#include "core/llm/torch/dist.h"
#include "core/llm/torch/finetune.h"
#include "core/llm/torch/finetune_setup.h"
#include "core/llm/torch/live.h"
#include "core/llm/torch/plane.h"
#include "core/llm/torch/preflight.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/text_list.h"

namespace zs {

namespace {

struct LandscapeArgs {
  std::string spec, out;
  int grid = 21;
  uint64_t plane_seed = 0;
  std::string plane = "random";
  std::string runs;      // "A,B": labels or 1-based numbers of the spec's runs (plane "runs")
  int64_t examples = 8;  // as the app's live runs (live.h)
  double timeout_s = 3600;
  int nproc = 0;  // > 0: launch that many local ranks (dist.h)
};
LandscapeArgs g_ls;
const CLI::Option* g_runs_option = nullptr;  // given at all: "--runs ''" is refused, not ignored

}  // namespace

void cli_add_llm_landscape(CLI::App& app) {
  auto* c = app.add_subcommand("landscape",
                               "train a fine-tuning spec's runs and draw them on the loss plane of two random "
                               "filter-normalised directions (plane.csv, runs.csv, figure.png/svg)");
  c->add_option("spec", g_ls.spec, "fine-tuning spec (docs/finetune-schema.md) or preset:finetune_default")->required();
  c->add_option("--out", g_ls.out, "output folder")->required();
  c->add_option("--grid", g_ls.grid, "plane nodes per side (a 9 x 9 grid comes first)")->check(cli_whole(3, 81));
  c->add_option("--plane", g_ls.plane, "random: two seeded filter-normalised directions; runs: the plane through "
                                      "the final weights of two runs (--runs)")
      ->check(CLI::IsMember({"random", "runs"}));
  g_runs_option = c->add_option("--runs", g_ls.runs, "with --plane runs: the two runs, by label or number (1-based), e.g. mezo,adam "
                                     "(default: the first two)");
  c->add_option("--plane-seed", g_ls.plane_seed, "seed of the two directions")->check(cli_whole(0, 18446744073709551615.0L));
  c->add_option("--examples", g_ls.examples, "training examples the plane's loss is measured on")
      ->check(cli_whole(1, 100000));
  c->add_option("--nproc", g_ls.nproc, "split the refined plane grid over N local ranks (c10d; rank 0 trains)")
      ->check(cli_whole(1, 4096));
}

namespace {

// The refined grid over `domain`, split over the ranks of `dist` (every rank returns it).
Grid distributed_grid(const LiveConfig& c, Dist& dist, const double domain[4], int threads) {
  const std::string model_dir = finetune_model_dir(c.spec, {}, threads);
  const FinetuneData data = finetune_load_data(c.spec, model_dir, model_config_load(model_dir));
  LossPlane plane(c.spec, model_dir, data.train, c.plane_seed, c.plane_examples);
  return plane.grid(c.plane_fine, domain, nullptr, &dist);
}

}  // namespace

int cli_run_llm_landscape(int threads) {
  const LandscapeArgs& a = g_ls;
  if (a.out.empty()) fail("--out", "empty: name the output folder");
  LiveConfig c;
  c.spec = resolve_spec(a.spec);
  c.plane_fine = a.grid;
  c.plane_coarse = std::min(9, a.grid);
  c.plane_seed = a.plane_seed;
  c.plane_examples = a.examples;
  c.plane = a.plane;
  c.threads = threads;
  if (g_runs_option && g_runs_option->count() > 0) {
    if (a.plane != "runs") fail("--runs", "only with --plane runs");
    const std::vector<std::string> names = text_list(a.runs, "--runs");
    if (names.size() != 2) fail("--runs", "expected two runs as A,B, got \"" + a.runs + "\"");
    for (int k = 0; k < 2; ++k) {
      int found = -1;
      for (size_t i = 0; i < c.spec.runs.size(); ++i)
        if (c.spec.runs[i].label == names[k] || std::to_string(i + 1) == names[k]) found = static_cast<int>(i);
      if (found < 0) {
        std::string known;
        for (const FinetuneRun& r : c.spec.runs) known += (known.empty() ? "" : ", ") + r.label;
        fail("--runs", "no run \"" + names[k] + "\" in " + a.spec + " (runs: " + known + ")");
      }
      c.plane_runs[k] = found;
    }
    if (c.plane_runs[0] == c.plane_runs[1]) fail("--runs", "choose two different runs, got \"" + a.runs + "\"");
  } else if (a.plane == "runs" && c.spec.runs.size() < 2) {
    fail("--plane runs", a.spec + " has " + std::to_string(c.spec.runs.size()) + " run(s); the plane needs two");
  }
  const DistEnv env = dist_env_for_nproc(a.nproc);
  if (a.plane == "runs" && (a.nproc > 1 || env.world > 1))
    fail("--plane runs", "the plane through two runs' endpoints is measured on one rank (drop --nproc)");
  // What finetune checks before work (paths, memory of the spec's batch, the model and
  // tokenizer, the task data), once, on rank 0 or the launcher; it caches the default model.
  const auto log = [](const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); };
  if (a.nproc > 1) dist_check_nproc_cpus(a.nproc, "--nproc " + std::to_string(a.nproc));
  if (env.rank == 0) {
    PreflightNeeds needs;
    preflight_all(c.spec, a.out, log, threads, &needs);
    preflight_local_ranks(needs, a.nproc, env);
  }
  if (a.nproc > 1) {  // the launcher: the ranks do the rest
    dist_launch({std::filesystem::read_symlink("/proc/self/exe").string(), "--threads", std::to_string(threads),
                 "landscape", a.spec, "--out", a.out, "--grid", std::to_string(a.grid), "--plane-seed",
                 std::to_string(a.plane_seed), "--examples", std::to_string(a.examples)},
                a.nproc, c.spec.dist_timeout_s + 5, log);
    return 0;
  }
  std::unique_ptr<Dist> dist;
  if (env.world > 1) dist = std::make_unique<Dist>(env, c.spec.dist_backend, c.spec.device == "cuda", c.spec.dist_timeout_s);
  if (dist && dist->rank() != 0) {
    // Wait while rank 0 trains (up to the command's timeout), then measure this rank's nodes.
    const std::vector<double> domain = dist->share_from_rank0({}, "landscape/domain", a.timeout_s);
    if (domain.size() != 4) fail("landscape", "rank 0 did not share the plane's domain");
    distributed_grid(c, *dist, domain.data(), threads);
    return 0;
  }
  if (dist) c.plane_fine = c.plane_coarse;  // the refined grid is measured by all ranks below
  make_dirs(a.out);
  LiveTrainer live;
  live.configure(c);
  std::fprintf(stderr, "landscape: training %zu runs and measuring the %d x %d plane ...\n", c.spec.runs.size(), a.grid,
               a.grid);
  if (!live.wait_finished(a.timeout_s)) fail("landscape", "did not finish within " + fmt_double(a.timeout_s) + " s");
  LiveSnapshot s;
  live.poll(s);
  if (s.phase == "error") fail(a.spec, s.error);
  for (size_t i = 0; i < s.info.size(); ++i)
    if (!s.info[i].message.empty()) std::fprintf(stderr, "landscape: %s: %s\n", s.runs[i].label.c_str(), s.info[i].message.c_str());
  // Plane (b) that could not be made (a run failed, the endpoints span no plane) is an error here.
  if (a.plane == "runs" && s.plane_kind != "runs") fail("--plane runs", s.plane_status);
  const PlaneNames names = s.plane_kind == "runs" ? plane_names(true, c.spec.runs[static_cast<size_t>(c.plane_runs[0])].label,
                                                                c.spec.runs[static_cast<size_t>(c.plane_runs[1])].label)
                                                   : plane_names(false);
  const std::string& what = names.what;

  if (dist) {
    const std::vector<double> domain(s.plane.domain, s.plane.domain + 4);
    dist->share_from_rank0(domain, "landscape/domain", 0);
    c.plane_fine = a.grid;
    s.plane = distributed_grid(c, *dist, domain.data(), threads);
  }
  std::string csv = "a,b,loss\n";
  const Grid& g = s.plane;
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) {
      const double x = g.domain[0] + (g.domain[1] - g.domain[0]) * i / (g.nx - 1);
      const double y = g.domain[2] + (g.domain[3] - g.domain[2]) * j / (g.ny - 1);
      csv += fmt_double(x) + "," + fmt_double(y) + "," + fmt_double(g.v[static_cast<size_t>(j) * g.nx + i]) + "\n";
    }
  atomic_write(a.out + "/plane.csv", csv);
  atomic_write(a.out + "/runs.csv", records_to_csv(s.runs));
  atomic_write(a.out + "/runs.jsonl", records_to_jsonl(s.runs));

  Experiment e;
  e.name = what + ": " + c.spec.file;
  e.max_steps = c.spec.steps > 0 ? c.spec.steps : 0;
  e.max_fp = c.spec.steps > 0 ? 0 : c.spec.forward_passes;
  std::vector<RunRecord> runs = s.runs;
  for (size_t i = 0; i < runs.size(); ++i) {
    RunSpec r;
    r.optimizer = runs[i].optimizer;
    r.label = runs[i].label;
    r.colour = runs[i].colour = default_run_colour(static_cast<int>(i));
    e.runs.push_back(r);
  }
  Scene scene;
  scene.landscape = landscape_from_grid(g.nx, g.ny, g.domain, g.v, what);
  scene.start = Eigen::VectorXd::Zero(2);
  scene.proj.origin = scene.start;
  std::copy(g.domain, g.domain + 4, scene.domain);
  Figure fig = figure_make(e, scene, g, runs);
  fig.xlabel = names.x;  // the plane's axes, as the app names them
  fig.ylabel = names.y;
  fig.colour_label = "loss";
  png_write(a.out + "/figure.png", figure_render_image(fig, e.export_style.width, e.export_style.height));
  atomic_write(a.out + "/figure.svg", figure_render_svg(fig, e.export_style.width, e.export_style.height));
  std::printf("wrote %s/{plane.csv,runs.csv,runs.jsonl,figure.png,figure.svg} (%s, %d x %d over [%s, %s] x [%s, %s])\n",
              a.out.c_str(), what.c_str(), g.nx, g.ny, fmt_double(g.domain[0]).c_str(), fmt_double(g.domain[1]).c_str(),
              fmt_double(g.domain[2]).c_str(), fmt_double(g.domain[3]).c_str());
  if (s.plane_kind == "runs")
    std::printf("endpoints: %s at (%s, %s), %s at (%s, %s)\n", c.spec.runs[static_cast<size_t>(c.plane_runs[0])].label.c_str(),
                fmt_double(s.plane_ends[0]).c_str(), fmt_double(s.plane_ends[1]).c_str(),
                c.spec.runs[static_cast<size_t>(c.plane_runs[1])].label.c_str(), fmt_double(s.plane_ends[2]).c_str(),
                fmt_double(s.plane_ends[3]).c_str());
  return 0;
}

}  // namespace zs
