// bench_llm dist: data-parallel zeroth-order steps on c10d (core/llm/torch/dist.h). MeZO on
// the default model (sentiment, batch 16), one ATen thread per process:
//   - 1 process evaluating both loss shards, against 2 Gloo ranks of one shard each
//     (launched like `--nproc 2`): forward passes per second (wall), CPU time per step
//     (user + sys) and the ratio, plus the bytes each rank sends per step;
//   - with CUDA: a 1-GPU NCCL run (world 1, the collective included) against the
//     non-distributed step on the same GPU (the overhead of the distributed path).
// A forward pass is one loss evaluation of the whole minibatch, as in the fine-tuning
// budgets; with 2 ranks each does half of it.
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <sys/resource.h>
#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>
#include "core/llm/io/finetune_spec.h"
#include "core/llm/torch/dist.h"
#include "core/llm/torch/finetune.h"
#include "core/llm/torch/finetune_setup.h"
#include "core/llm/torch/sharded_loss.h"
#include "core/llm/torch/zo_engine.h"
#include "core/opt/optimizer.h"
#include "core/run/stepper.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs_bench {

namespace {

zs::FinetuneSpec dist_spec(bool cuda, int64_t shards) {
  const std::string text = std::string(R"({"zoscope_finetune": 1, "model": "default", "task": "sentiment",
    "data": {"train": 1000, "dev": 10, "test": 1}, "batch_size": 16, "seed": 0, "budget": {"steps": 1000},
    "device": ")") + (cuda ? "cuda" : "cpu") + R"(", "distributed": {"shards": )" + std::to_string(shards) +
                           R"(, "timeout_s": 120}, "runs": [{"optimizer": "mezo"}]})";
  return zs::finetune_spec_parse(text, "bench_llm dist");
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

struct Timing {
  double wall = 0, cpu = 0;  // seconds per step
  double bytes = 0;          // sent per step
  double loss = 0;           // the last step's loss (the ranks must agree)
};

// `steps` MeZO steps after 3 warm-up steps; the sharded loss when dist or shards > 1,
// else the plain batch loss (the non-distributed driver's).
Timing measure(const zs::FinetuneSpec& spec, const std::string& model_dir, zs::Dist* dist, int steps) {
  at::set_num_threads(1);
  zs::CausalLM model = zs::finetune_load_model(spec, model_dir);
  const zs::FinetuneData data = zs::finetune_load_data(spec, model_dir, model.config());
  const std::unique_ptr<zs::Optimizer> opt = zs::optimizer_create("mezo", spec.runs[0].hp, "bench", true);
  const std::vector<zs::Block> blocks = model.blocks();
  std::unique_ptr<zs::ShardedLoss> sharded;
  if (dist || spec.dist_shards > 1)
    sharded = std::make_unique<zs::ShardedLoss>(model, data.train, spec.batch_size, spec.seed, spec.dist_shards, dist);
  zs::TensorBatch batch;
  zs::TensorEngine engine(blocks, [&] { return sharded ? sharded->loss() : zs::task_loss(model, batch); });
  engine.set_step_hook([&](int64_t t) {
    if (sharded) sharded->set_step(t);
    else batch = zs::batch_to_device(zs::train_batch(data.train, t, spec.batch_size, spec.seed), model.device());
  });
  zs::Budget budget;
  budget.steps = steps + 3;
  zs::Stepper stepper(*opt, engine, budget, spec.seed);
  zs::StepObserver obs;
  zs::StepRow row;
  for (int i = 0; i < 3; ++i) stepper.step(row, obs);
  const int64_t b0 = dist ? dist->bytes_sent() : 0;
  const double c0 = cpu_seconds();
  const auto w0 = std::chrono::steady_clock::now();
  zs::StepInfo si;
  for (int i = 0; i < steps; ++i) si = stepper.step(row, obs);
  Timing t;
  t.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count() / steps;
  t.cpu = (cpu_seconds() - c0) / steps;
  t.bytes = dist ? static_cast<double>(dist->bytes_sent() - b0) / steps : 0;
  t.loss = si.loss;
  return t;
}

std::string self_exe() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

// Runs `nproc` ranks of `bench_llm dist-rank` and reads rank 0's report: wall per step
// (rank 0), CPU per step of the busiest rank, bytes per step, the last loss.
Timing launch(int nproc, const std::string& backend, bool cuda, int steps, const std::string& model_dir) {
  const std::string report = (std::filesystem::temp_directory_path() / ("zs_bench_dist_" + std::to_string(::getpid()))).string();
  zs::dist_launch({self_exe(), "dist-rank", report, std::to_string(steps), backend, cuda ? "cuda" : "cpu", model_dir},
                  nproc, 130, {});
  std::ifstream in(report);
  Timing t;
  in >> t.wall >> t.cpu >> t.bytes >> t.loss;
  std::filesystem::remove(report);
  if (!in) zs::fail("bench_llm dist", "no report from the ranks");
  return t;
}

double loadavg() {
  std::ifstream in("/proc/loadavg");
  double l = 0;
  in >> l;
  return l;
}

}  // namespace

// The rank process: argv = dist-rank REPORT STEPS BACKEND DEVICE MODEL_DIR.
int bench_dist_rank(int argc, char** argv) {
  if (argc < 7) return 2;
  const zs::DistEnv env = zs::dist_env_from_environment();
  const bool cuda = std::string(argv[5]) == "cuda";
  zs::FinetuneSpec spec = dist_spec(cuda, env.world);
  zs::Dist dist(env, argv[4], cuda, spec.dist_timeout_s);
  const Timing t = measure(spec, argv[6], &dist, std::atoi(argv[3]));
  const std::vector<double> all = dist.allgather({t.wall, t.cpu, t.loss});
  double cpu = 0;
  for (int r = 0; r < dist.world(); ++r) {
    cpu = std::max(cpu, all[static_cast<size_t>(3 * r + 1)]);
    if (all[static_cast<size_t>(3 * r + 2)] != t.loss) zs::fail("bench_llm dist", "the ranks' losses differ");
  }
  if (dist.rank() == 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%.9g %.9g %.9g %.17g\n", t.wall, cpu, t.bytes, t.loss);
    zs::atomic_write(argv[2], buf);
  }
  return 0;
}

int bench_dist(int steps) {
  const zs::FinetuneSpec spec = dist_spec(false, 2);
  const std::string model_dir = zs::finetune_model_dir(spec, [](const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); });
  const double load0 = loadavg();
  std::printf("bench_llm dist: MeZO, default model, sentiment, batch 16, %d steps, one ATen thread per process, "
              "%ld CPUs, load average %.2f\n", steps, sysconf(_SC_NPROCESSORS_ONLN), load0);
  const Timing one = measure(spec, model_dir, nullptr, steps);
  const Timing two = launch(2, "gloo", false, steps, model_dir);
  std::printf("  1 process, 2 loss shards:    %8.1f FP/s  CPU %6.2f ms/step\n", 2 / one.wall, 1e3 * one.cpu);
  std::printf("  2 gloo ranks, 1 shard each:  %8.1f FP/s  CPU %6.2f ms/step (busiest rank)\n", 2 / two.wall, 1e3 * two.cpu);
  std::printf("  2 ranks / 1 process: %.2fx FP/s (wall; target >= 1.7x), %.2fx by CPU time per step "
              "(what 2 free cores give); load average %.2f -> %.2f\n",
              one.wall / two.wall, one.cpu / two.cpu, load0, loadavg());
  std::printf("  bytes sent per step by a rank: %.0f (target < 1024; independent of the model: 2 losses x "
              "(sum, count) x 8 bytes x (ranks - 1))\n", two.bytes);
  std::printf("  same loss after %d steps on 1 process and 2 ranks: %s\n", steps + 3, one.loss == two.loss ? "yes (bit for bit)" : "NO");
  if (at::hasCUDA()) {
    const zs::FinetuneSpec gspec = dist_spec(true, 1);
    zs::FinetuneSpec plain = gspec;
    plain.dist_shards = 1;
    const Timing base = measure(plain, model_dir, nullptr, steps);
    const Timing nccl = launch(1, "nccl", true, steps, model_dir);
    std::printf("  GPU: non-distributed step %.3f ms, 1-GPU NCCL step %.3f ms: overhead %+.1f%% (target < 3%%)\n",
                1e3 * base.wall, 1e3 * nccl.wall, 100 * (nccl.wall / base.wall - 1));
  } else {
    std::printf("  GPU row: no CUDA device here (bench/gpu_check.sh runs it on the GPU machine)\n");
  }
  return one.loss == two.loss ? 0 : 1;
}

}  // namespace zs_bench
