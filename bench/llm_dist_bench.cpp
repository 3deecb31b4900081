// bench_llm dist: data-parallel zeroth-order steps on c10d (core/llm/torch/dist.h). MeZO on
// the default model (sentiment, batch 16 or --batch B), one ATen thread per process:
//   - 1 process evaluating both loss shards, against 2 Gloo ranks of one shard each
//     (launched like `--nproc 2`): forward passes per second (wall), CPU time per step (user
//     + sys) and the ratio, plus the bytes each rank sends per step. Both run in the same two
//     processes, in alternating rounds (2 ranks stepping together; then rank 0 alone stepping
//     its own one-process runs while rank 1 waits at a barrier), so that a busy spell of the
//     machine hits both sides; the ratio of the totals and the per-round spread are printed,
//     and, for reference, the plain one-process run (one shard: `--nproc 1`'s default);
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

zs::FinetuneSpec dist_spec(bool cuda, int64_t shards, int64_t batch) {
  const std::string text = std::string(R"({"zoscope_finetune": 1, "model": "default", "task": "sentiment",
    "data": {"train": 1000, "dev": 10, "test": 1}, "batch_size": )") + std::to_string(batch) + R"(, "seed": 0, "budget": {"steps": 1000},
    "device": ")" + (cuda ? "cuda" : "cpu") + R"(", "distributed": {"shards": )" + std::to_string(shards) +
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

// One MeZO run of the bench: the sharded loss when dist or shards > 1 (with a process group,
// deferred to one collective per step, as finetune.cpp does), else the plain batch loss
// (the non-distributed driver's).
struct BenchRun {
  zs::CausalLM model;
  zs::FinetuneData data;
  std::unique_ptr<zs::Optimizer> opt;
  std::vector<zs::Block> blocks;
  std::unique_ptr<zs::ShardedLoss> sharded;
  zs::TensorBatch batch;
  std::unique_ptr<zs::TensorEngine> engine;
  std::unique_ptr<zs::Stepper> stepper;
  zs::StepObserver obs;
  zs::StepRow row;

  BenchRun(const zs::FinetuneSpec& spec, const std::string& model_dir, zs::Dist* dist, int64_t steps)
      : model(zs::finetune_load_model(spec, model_dir)),
        data(zs::finetune_load_data(spec, model_dir, model.config())),
        opt(zs::optimizer_create("mezo", spec.runs[0].hp, "bench", true)),
        blocks(model.blocks()) {
    if (dist || spec.dist_shards > 1)
      sharded = std::make_unique<zs::ShardedLoss>(model, data.train, spec.batch_size, spec.seed, spec.dist_shards, dist);
    engine = std::make_unique<zs::TensorEngine>(blocks, [this] { return sharded ? sharded->loss() : zs::task_loss(model, batch); });
    if (sharded && dist) sharded->defer_in(*engine, {});
    engine->set_step_hook([this, spec](int64_t t) {
      if (sharded) sharded->set_step(t);
      else batch = zs::batch_to_device(zs::train_batch(data.train, t, spec.batch_size, spec.seed), model.device());
    });
    zs::Budget budget;
    budget.steps = steps;
    stepper = std::make_unique<zs::Stepper>(*opt, *engine, budget, spec.seed);
  }
  double step() { return stepper->step(row, obs).loss; }
};

// `steps` steps of `run` after 3 warm-up steps (GPU rows).
Timing measure(BenchRun& run, zs::Dist* dist, int steps) {
  for (int i = 0; i < 3; ++i) run.step();
  const int64_t b0 = dist ? dist->bytes_sent() : 0;
  const double c0 = cpu_seconds();
  const auto w0 = std::chrono::steady_clock::now();
  Timing t;
  for (int i = 0; i < steps; ++i) t.loss = run.step();
  t.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count() / steps;
  t.cpu = (cpu_seconds() - c0) / steps;
  t.bytes = dist ? static_cast<double>(dist->bytes_sent() - b0) / steps : 0;
  return t;
}

std::string self_exe() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

// Runs `nproc` ranks of `bench_llm dist-rank MODE ...` and returns rank 0's report lines.
std::vector<std::string> launch(int nproc, const std::string& mode, const std::string& backend, bool cuda, int steps,
                                const std::string& model_dir, int64_t batch) {
  const std::string report = (std::filesystem::temp_directory_path() / ("zs_bench_dist_" + std::to_string(::getpid()))).string();
  zs::dist_launch({self_exe(), "dist-rank", mode, report, std::to_string(steps), backend, cuda ? "cuda" : "cpu", model_dir,
                   std::to_string(batch)},
                  nproc, 130, {});
  std::ifstream in(report);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::filesystem::remove(report);
  if (lines.empty()) zs::fail("bench_llm dist", "no report from the ranks");
  return lines;
}

double loadavg() {
  std::ifstream in("/proc/loadavg");
  double l = 0;
  in >> l;
  return l;
}

constexpr int kRounds = 6;

// The CPU comparison inside the two rank processes (see the top of the file). Rank 0's
// report: per round "wall_dist cpu_dist wall_one cpu_one wall_plain wall_side" (seconds per
// step; cpu_dist of the busiest rank; wall_side: the slower of two independent one-process
// runs stepping at the same time, one per rank, no collective), then "bytes loss_dist loss_one".
void rank_compare(zs::Dist& dist, const zs::FinetuneSpec& spec, const std::string& model_dir, int steps,
                  const std::string& report) {
  const int per = std::max(1, steps / kRounds);
  BenchRun two(spec, model_dir, &dist, 3 + int64_t{per} * kRounds);
  std::unique_ptr<BenchRun> one, plain;  // rank 0: the same 2 shards in one process; the plain batch (1 shard)
  if (dist.rank() == 0) {
    one = std::make_unique<BenchRun>(spec, model_dir, nullptr, 3 + int64_t{per} * kRounds);
    zs::FinetuneSpec whole = spec;
    whole.dist_shards = 1;
    plain = std::make_unique<BenchRun>(whole, model_dir, nullptr, 3 + int64_t{per} * kRounds);
    for (int i = 0; i < 3; ++i) one->step(), plain->step();
  }
  // The hardware's ceiling for any data-parallel run here: both ranks step their own
  // independent one-process run at the same time (no communication at all).
  BenchRun side(spec, model_dir, nullptr, 3 + int64_t{per} * kRounds);
  for (int i = 0; i < 3; ++i) two.step(), side.step();
  // `per` steps of `run`: wall and CPU seconds per step; the last step's loss in *loss.
  struct PerStep {
    double wall, cpu;
  };
  const auto timed = [per](BenchRun& run, double* loss) {
    const double c0 = cpu_seconds();
    const auto w0 = std::chrono::steady_clock::now();
    for (int i = 0; i < per; ++i) *loss = run.step();
    return PerStep{std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count() / per,
                   (cpu_seconds() - c0) / per};
  };
  std::string out;
  double bytes = 0, loss2 = 0, loss1 = 0, unused = 0;
  for (int r = 0; r < kRounds; ++r) {
    dist.barrier();
    const int64_t b0 = dist.bytes_sent();
    const PerStep d = timed(two, &loss2);
    bytes += static_cast<double>(dist.bytes_sent() - b0) / per / kRounds;
    const std::vector<double> cpus = dist.allgather({d.cpu});
    PerStep o{0, 0}, p{0, 0};
    if (one) {  // rank 1 waits at the barrier below meanwhile
      o = timed(*one, &loss1);
      p = timed(*plain, &unused);
    }
    dist.barrier();
    const std::vector<double> sides = dist.allgather({timed(side, &unused).wall});
    char buf[200];
    std::snprintf(buf, sizeof buf, "%.9g %.9g %.9g %.9g %.9g %.9g\n", d.wall, *std::max_element(cpus.begin(), cpus.end()),
                  o.wall, o.cpu, p.wall, *std::max_element(sides.begin(), sides.end()));
    out += buf;
  }
  const std::vector<double> losses = dist.allgather({loss2});
  for (double l : losses)
    if (l != loss2) zs::fail("bench_llm dist", "the ranks' losses differ");
  if (dist.rank() == 0) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%.9g %.17g %.17g\n", bytes, loss2, loss1);
    zs::atomic_write(report, out + buf);
  }
}

}  // namespace

// The rank process: argv = dist-rank MODE REPORT STEPS BACKEND DEVICE MODEL_DIR BATCH; MODE
// compare (the CPU comparison) or time (this run alone: "wall cpu bytes loss").
int bench_dist_rank(int argc, char** argv) {
  if (argc < 9) return 2;
  const zs::DistEnv env = zs::dist_env_from_environment();
  const std::string mode = argv[2], report = argv[3];
  const int steps = std::atoi(argv[4]);
  const bool cuda = std::string(argv[6]) == "cuda";
  zs::FinetuneSpec spec = dist_spec(cuda, env.world, std::atoll(argv[8]));
  zs::Dist dist(env, argv[5], cuda, spec.dist_timeout_s);
  at::set_num_threads(1);
  if (mode == "compare") {
    rank_compare(dist, spec, argv[7], steps, report);
    return 0;
  }
  BenchRun run(spec, argv[7], &dist, steps + 3);
  const Timing t = measure(run, &dist, steps);
  if (dist.rank() == 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%.9g %.9g %.9g %.17g\n", t.wall, t.cpu, t.bytes, t.loss);
    zs::atomic_write(report, buf);
  }
  return 0;
}

int bench_dist(int steps, int64_t batch) {
  const zs::FinetuneSpec spec = dist_spec(false, 2, batch);
  const std::string model_dir = zs::finetune_model_dir(spec, [](const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); });
  const double load0 = loadavg();
  std::printf("bench_llm dist: MeZO, default model, sentiment, batch %ld, %d steps in %d alternating rounds, one ATen "
              "thread per process, %ld CPUs, load average %.2f\n", static_cast<long>(batch), steps / kRounds * kRounds, kRounds,
              sysconf(_SC_NPROCESSORS_ONLN), load0);
  const std::vector<std::string> lines = launch(2, "compare", "gloo", false, steps, model_dir, batch);
  double w1 = 0, c1 = 0, w2 = 0, c2 = 0, wp = 0, ws = 0;
  std::vector<double> ratios;
  for (size_t r = 0; r + 1 < lines.size(); ++r) {
    double a = 0, b = 0, c = 0, d = 0, e = 0, f = 0;
    if (std::sscanf(lines[r].c_str(), "%lf %lf %lf %lf %lf %lf", &a, &b, &c, &d, &e, &f) != 6)
      zs::fail("bench_llm dist", "bad report line");
    w2 += a;
    c2 += b;
    w1 += c;
    c1 += d;
    wp += e;
    ws += f;
    ratios.push_back(c / a);
  }
  double bytes = 0, loss2 = 0, loss1 = 0;
  if (std::sscanf(lines.back().c_str(), "%lf %lf %lf", &bytes, &loss2, &loss1) != 3) zs::fail("bench_llm dist", "bad report line");
  std::sort(ratios.begin(), ratios.end());
  std::printf("  1 process, 2 loss shards:    %8.1f FP/s  CPU %6.2f ms/step\n", 2 * kRounds / w1, 1e3 * c1 / kRounds);
  std::printf("  2 gloo ranks, 1 shard each:  %8.1f FP/s  CPU %6.2f ms/step (busiest rank)\n", 2 * kRounds / w2, 1e3 * c2 / kRounds);
  std::printf("  2 ranks / 1 process: %.2fx FP/s (wall; target >= 1.7x; rounds %.2fx-%.2fx, median %.2fx), %.2fx by CPU "
              "time per step (what 2 free cores give); load average %.2f -> %.2f\n",
              w1 / w2, ratios.front(), ratios.back(), ratios[ratios.size() / 2], c1 / c2, load0, loadavg());
  std::printf("  ceiling on this machine: 2 independent 1-process runs stepping at once (no communication) give %.2fx "
              "one alone; 2 ranks reach %.0f%% of it\n", 2 * w1 / ws, 100 * (w1 / w2) / (2 * w1 / ws));
  std::printf("  1 process, the plain batch (1 shard, what --nproc 1 runs): %.1f FP/s; 2 ranks / it: %.2fx (not the "
              "same sums: it pads all %ld examples to the longest)\n", 2 * kRounds / wp, wp / w2, static_cast<long>(batch));
  std::printf("  bytes sent per step by a rank: %.0f (target < 1024; independent of the model: 2 losses x "
              "(sum, count) x 8 bytes x (ranks - 1))\n", bytes);
  std::printf("  same loss after %d steps on 1 process and 2 ranks: %s\n", 3 + steps / kRounds * kRounds,
              loss1 == loss2 ? "yes (bit for bit)" : "NO");
  if (at::hasCUDA()) {
    const zs::FinetuneSpec gspec = dist_spec(true, 1, batch);
    zs::FinetuneSpec plain = gspec;
    plain.dist_shards = 1;
    BenchRun base_run(plain, model_dir, nullptr, steps + 3);
    const Timing base = measure(base_run, nullptr, steps);
    double nw = 0;
    if (std::sscanf(launch(1, "time", "nccl", true, steps, model_dir, batch)[0].c_str(), "%lf", &nw) != 1)
      zs::fail("bench_llm dist", "bad report line");
    std::printf("  GPU: non-distributed step %.3f ms, 1-GPU NCCL step %.3f ms: overhead %+.1f%% (target < 3%%)\n",
                1e3 * base.wall, 1e3 * nw, 100 * (nw / base.wall - 1));
  } else {
    std::printf("  GPU row: no CUDA device here (bench/gpu_check.sh runs it on the GPU machine)\n");
  }
  return loss1 == loss2 ? 0 : 1;
}

}  // namespace zs_bench
