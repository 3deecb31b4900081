// The CUDA kernel's host twin (zo_pass.h run thread by thread on the CPU, the same
// decomposition as the launch: block table, group lookup, grid-stride walk, 16-byte units,
// scalar tails, per-block statistics, the per-tensor view's shared-memory sums) against the
// CPU engine, for every zeroth-order
// optimizer and storage dtype: parameters and state bit for bit (both sides run the same
// float operations: the kernels are built with --fmad=false), statistics to float
// summation error. Runs on any machine; label torch.
#include <gtest/gtest.h>
#include <ATen/ATen.h>
#include <cmath>
#include "core/llm/torch/zo_engine.h"
#include "core/opt/optimizer.h"
#include "tests/gpu/engine_test_util.h"
#include "tests/llm/optimizer_option_cases.h"

namespace {

using zs_test::as_blocks;
using zs_test::bits_differ;
using zs_test::expect_tensor_stats_near;
using zs_test::quartic_loss;

std::vector<at::Tensor> make_params(at::ScalarType dtype) { return zs_test::make_params(dtype, at::kCPU); }

// One optimizer run of `steps` steps; returns parameters, state and the last statistics.
struct RunResult {
  std::vector<at::Tensor> params;
  std::vector<std::pair<std::string, at::Tensor>> state;
  zs::TensorStepStats stats;
};
RunResult run(const std::string& id, const zs::ParamValues& hp, at::ScalarType dtype, int twin_grid, int steps) {
  RunResult out;
  out.params = make_params(dtype);
  zs::TensorEngineOptions opt;
  opt.kernel_twin_grid = twin_grid;
  opt.plot_stats = true;
  opt.plot_seed = 11;
  auto& p = out.params;
  zs::TensorEngine e(as_blocks(p), [&p] { return quartic_loss(p); }, opt);
  auto o = zs::optimizer_create(id, hp, id, true);
  o->reset(e, {5, steps});
  for (int t = 0; t < steps; ++t) {
    e.begin_step(t);
    o->step(e, t);
  }
  out.stats = e.last_stats();
  o->settle(e);
  out.state = e.state_tensors();
  return out;
}

// The defaults' hyperparameters of one optimizer for these runs.
zs::ParamValues default_hp(const std::string& id) {
  zs::ParamValues hp = {{"lr", 1e-4}};
  if (id == "hizoo") hp["eps"] = 1e-2;
  if (id == "zo_adamu") hp["t1"] = 2;  // anneal from step 2: its momentum state then matters
  if (id == "adanaged_p") hp = {{"lmo", 2}};
  return hp;
}

// Twin against CPU path for one optimizer setting: parameters and state bit for bit,
// statistics to float summation error.
// grid 1: each thread walks many units across blocks (grid stride, lookups, flushes);
// grid 40: about one unit per thread.
void expect_twin_matches(const std::string& id, const zs::ParamValues& hp, at::ScalarType dtype, const std::string& name) {
  const RunResult ref = run(id, hp, dtype, 0, 12);
  for (int grid : {1, 40}) {
    const RunResult twin = run(id, hp, dtype, grid, 12);
    const std::string what = name + " " + c10::toString(dtype) + " grid " + std::to_string(grid);
    for (size_t b = 0; b < ref.params.size(); ++b)
      EXPECT_EQ(bits_differ(twin.params[b], ref.params[b]), 0) << what << " block " << b;
    ASSERT_EQ(twin.state.size(), ref.state.size()) << what;
    for (size_t k = 0; k < ref.state.size(); ++k)
      EXPECT_EQ(bits_differ(twin.state[k].second, ref.state[k].second), 0) << what << " " << ref.state[k].first;
    EXPECT_NEAR(twin.stats.update_norm, ref.stats.update_norm, 1e-5 * ref.stats.update_norm + 1e-12) << what;
    for (int k = 0; k < 2; ++k)
      EXPECT_NEAR(twin.stats.plot_dot[k], ref.stats.plot_dot[k], 1e-4 * std::fabs(ref.stats.plot_dot[k]) + 1e-9) << what;
    // One binning function (pass_alpha_bin) on both sides: the same counts.
    EXPECT_EQ(twin.stats.alpha_hist, ref.stats.alpha_hist) << what;
    expect_tensor_stats_near(twin.stats, ref.stats, what);
  }
}

TEST(KernelTwin, EveryOptimizerMatchesTheCpuPathBitForBit) {
  for (auto dtype : {at::kFloat, at::kHalf, at::kBFloat16})
    for (const auto& info : zs::optimizer_catalog()) {
      if (info.family == "fo") continue;  // first-order runs need autograd; same ops as the ZO ones here
      expect_twin_matches(info.id, default_hp(info.id), dtype, info.id);
    }
}

// The options the defaults leave off (optimizer_option_cases.h; weight decay meets the
// blocks without decay here), and AdaNAGED-P's sign and msign LMOs: bit for bit as well
// (fp32 storage; the storage conversions are the defaults' test above).
TEST(KernelTwin, OptimizerOptionsMatchTheCpuPathBitForBit) {
  std::vector<zs_test::OptimizerCase> cases = zs_test::optimizer_option_cases();
  cases.push_back({"adanaged_p", {{"lmo", 1}}});
  cases.push_back({"adanaged_p", {{"lmo", 0}}});
  for (const zs_test::OptimizerCase& c : cases)
    if (zs::optimizer_find(c.id)->family != "fo") expect_twin_matches(c.id, c.hp, at::kFloat, c.name());
}

// The histogram is built only when asked for (the GPU skips its per-element log10 and
// atomics on steps whose statistics nobody reads); norms are always there.
TEST(KernelTwin, AlphaHistogramOnlyWhenAsked) {
  for (int grid : {0, 3}) {
    auto p = make_params(at::kFloat);
    zs::TensorEngineOptions opt;
    opt.kernel_twin_grid = grid;
    zs::TensorEngine e(as_blocks(p), [&p] { return quartic_loss(p); }, opt);
    auto o = zs::optimizer_create("mezo", {{"lr", 1e-4}}, "mezo", true);
    o->reset(e, {5, 4});
    e.set_alpha_hist(false);
    o->step(e, 0);
    EXPECT_FALSE(e.last_stats().alpha_hist_valid);
    // The CPU path reduces the per-tensor view on every update pass (cheap there); the
    // kernel only with the histogram.
    EXPECT_EQ(e.last_stats().block_update_rms.empty(), grid > 0);
    int64_t total = 0;
    for (int64_t c : e.last_stats().alpha_hist) total += c;
    EXPECT_EQ(total, 0);
    EXPECT_GT(e.last_stats().update_norm, 0);
    e.set_alpha_hist(true);
    o->step(e, 1);
    EXPECT_TRUE(e.last_stats().alpha_hist_valid);
    total = 0;
    for (int64_t c : e.last_stats().alpha_hist) total += c;
    EXPECT_EQ(total, 257 + 64 * 33 + 1031 + 16 * 128 + 299);
    EXPECT_EQ(e.last_stats().block_update_rms.size(), 5u);
  }
}

// The per-tensor sums land at the caller's block index, not the launch table's position:
// blocks of three storage dtypes interleaved (three launches, each table a subset) and an
// empty tensor (in no table), for a stateless and a stateful optimizer.
TEST(KernelTwin, PerTensorStatisticsOfMixedDtypesAndAnEmptyTensor) {
  for (const char* id : {"mezo", "zo_adam"}) {
    zs::TensorStepStats got[2];
    for (int grid : {0, 2}) {
      auto p = zs_test::make_mixed_params(at::kCPU);
      zs::TensorEngineOptions opt;
      opt.kernel_twin_grid = grid;
      zs::TensorEngine e(as_blocks(p), [&p] { return quartic_loss(p); }, opt);
      auto o = zs::optimizer_create(id, {{"lr", 1e-4}}, id, true);
      o->reset(e, {5, 3});
      for (int t = 0; t < 3; ++t) {
        e.begin_step(t);
        o->step(e, t);
      }
      got[grid > 0] = e.last_stats();
    }
    ASSERT_EQ(got[1].block_update_rms.size(), 5u) << id;
    expect_tensor_stats_near(got[1], got[0], id);
    EXPECT_EQ(got[1].block_update_rms[2], 0.0) << id;  // the empty tensor
    for (size_t b : {0, 1, 3, 4}) EXPECT_GT(got[1].block_update_rms[b], 0.0) << id << " block " << b;
  }
}

}  // namespace
