// Core benchmarks (issue: foundation). Prints ratios against references measured in the
// same process, because this machine is noisy:
//  1. Recomputing the default scene (preset "rosenbrock": 8 optimizers x 2,000 steps) and a
//     512x512 landscape grid, as the GUI does while a slider moves. Target: < 8 ms (half a
//     60 Hz frame). Reference: the same number of plain gradient steps and grid evaluations
//     in a hand-written loop (the floor any implementation pays).
//  2. Direction generation: Philox4x32-10 + Box-Muller (ours) vs std::mt19937_64 +
//     std::normal_distribution<float>. Target: at least 3x.
#include <benchmark/benchmark.h>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>
#include "core/io/presets.h"
#include "core/rng/philox.h"
#include "core/rng/philox_bulk.h"
#include "core/run/runner.h"

namespace {

constexpr int kGrid = 512;
constexpr int64_t kNormals = 1 << 20;

void BM_SceneRecompute(benchmark::State& st) {
  const zs::Experiment e = zs::experiment_resolve("preset:rosenbrock");
  const zs::Scene s = zs::scene_make(e);
  for (auto _ : st) {
    // Runs and grid bands share the two cores (what the GUI calls while a slider moves).
    auto res = zs::scene_compute(e, s, kGrid, kGrid, 2);
    benchmark::DoNotOptimize(res.runs.data());
    benchmark::DoNotOptimize(res.grid.v.data());
  }
  st.counters["runs"] = static_cast<double>(e.runs.size());
}
BENCHMARK(BM_SceneRecompute)->Unit(benchmark::kMillisecond)->UseRealTime();

// The floor: 8 x 2000 plain gradient steps on Rosenbrock + the 512^2 grid, one thread.
void BM_SceneFloor(benchmark::State& st) {
  for (auto _ : st) {
    double acc = 0;
    for (int r = 0; r < 8; ++r) {
      double x = -1.2, y = 1.0;
      for (int t = 0; t < 2000; ++t) {
        const double gx = -2 * (1 - x) - 400 * x * (y - x * x), gy = 200 * (y - x * x);
        x -= 1e-4 * gx;
        y -= 1e-4 * gy;
        acc += (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
      }
    }
    std::vector<float> g(kGrid * kGrid);
    for (int j = 0; j < kGrid; ++j)
      for (int i = 0; i < kGrid; ++i) {
        const double x = -2 + 4.0 * i / (kGrid - 1), y = -1 + 4.0 * j / (kGrid - 1);
        g[j * kGrid + i] = static_cast<float>((1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x));
      }
    benchmark::DoNotOptimize(acc);
    benchmark::DoNotOptimize(g.data());
  }
}
BENCHMARK(BM_SceneFloor)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PhiloxNormals(benchmark::State& st) {
  std::vector<float> out(kNormals);
  uint64_t seed = 1;
  for (auto _ : st) {
    for (int64_t g = 0; g < kNormals / 4; ++g) zs::normal4(seed, 0, static_cast<uint64_t>(g), 0, &out[g * 4]);
    ++seed;
    benchmark::DoNotOptimize(out.data());
  }
  st.SetItemsProcessed(st.iterations() * kNormals);
}
BENCHMARK(BM_PhiloxNormals)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PhiloxNormalsBulk(benchmark::State& st) {
  std::vector<float> out(kNormals);
  uint64_t seed = 1;
  for (auto _ : st) {
    zs::normal_fill(seed++, 0, 0, kNormals / 4, 0, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  st.SetItemsProcessed(st.iterations() * kNormals);
}
BENCHMARK(BM_PhiloxNormalsBulk)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Mt19937Normals(benchmark::State& st) {
  std::vector<float> out(kNormals);
  std::mt19937_64 gen(1);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (auto _ : st) {
    for (int64_t i = 0; i < kNormals; ++i) out[i] = nd(gen);
    benchmark::DoNotOptimize(out.data());
  }
  st.SetItemsProcessed(st.iterations() * kNormals);
}
BENCHMARK(BM_Mt19937Normals)->Unit(benchmark::kMillisecond)->UseRealTime();

class Capture : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) ms[r.benchmark_name()] = r.GetAdjustedRealTime();
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> ms;  // in the benchmark's unit (ms)
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  Capture rep;
  benchmark::RunSpecifiedBenchmarks(&rep);
  auto get = [&](const char* n) {
    auto it = rep.ms.find(n);
    return it == rep.ms.end() ? NAN : it->second;
  };
  const double scene = get("BM_SceneRecompute/real_time"), floor = get("BM_SceneFloor/real_time");
  const double ph1 = get("BM_PhiloxNormals/real_time"), ph = get("BM_PhiloxNormalsBulk/real_time");
  const double mt = get("BM_Mt19937Normals/real_time");
  std::printf("\nscene recompute (8 optimizers x 2000 steps + 512^2 grid, 2 threads): %.2f ms  "
              "[target < 8 ms: %s]; vs hand-written floor %.2f ms: %.2fx\n",
              scene, scene < 8.0 ? "met" : "MISSED", floor, scene / floor);
  std::printf("direction generation per 2^20 normals, one thread: Philox+Box-Muller bulk %.2f ms (scalar %.2f ms) vs "
              "mt19937_64+normal_distribution %.2f ms: %.2fx faster (scalar %.2fx) [target >= 3x: %s]\n",
              ph, ph1, mt, mt / ph, mt / ph1, mt / ph >= 3.0 ? "met" : "MISSED");
  benchmark::Shutdown();
  return 0;
}
