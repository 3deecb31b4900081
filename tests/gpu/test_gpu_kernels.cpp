// CUDA kernels vs the CPU reference (same engine class, same elem.h code, host path).
// The kernels are built with --fmad=false (core/llm/CMakeLists.txt), so they run the same
// IEEE float operations as the CPU in the same order, and every rounding (the one at each
// fp16/bf16 store included) happens on the same value: directions, parameters and
// optimizer state must agree bit for bit, for fp32, fp16 and bf16 storage alike. Only the
// reductions differ in order (per-thread float sums, then atomics), hence tolerances on
// the statistics. Skipped when no GPU is present; the launch decomposition itself is
// tested without a GPU by tests/gpu/test_kernel_twin.cpp.
#include <gtest/gtest.h>
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <cmath>
#include "core/llm/cuda/zo_cuda.h"
#include "core/llm/torch/zo_engine.h"
#include "core/opt/optimizer.h"
#include "core/rng/philox_bulk.h"
#include "tests/gpu/engine_test_util.h"

namespace {

bool have_gpu() { return at::hasCUDA(); }

using zs_test::as_blocks;
using zs_test::bits_differ;
using zs_test::expect_tensor_stats_near;
using zs_test::make_params;
using zs_test::quartic_loss;

TEST(GpuKernels, DirectionsMatchTheCpuGeneratorBitForBit) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  for (uint32_t stream : {0u, 1u}) {
    const int64_t n = 1 << 20;
    at::Tensor d = at::empty({n}, at::TensorOptions().device(at::kCUDA).dtype(at::kFloat));
    zs::cuda_normal_fill(0x1234abcdull, 7, n, stream, d.data_ptr<float>());
    at::Tensor h = at::empty({n}, at::kFloat);
    zs::normal_fill(0x1234abcdull, 7, 0, n / 4, stream, h.data_ptr<float>());
    const int64_t diff = bits_differ(d, h);
    std::printf("[ gpu      ] directions differing from the CPU generator: %lld of %lld (stream %u)\n",
                static_cast<long long>(diff), static_cast<long long>(n), stream);
    EXPECT_EQ(diff, 0);
  }
}

// Every zeroth-order optimizer, every storage dtype: 20 steps on GPU and on CPU from the
// same parameters (sizes with tails), then parameters and state compared bit for bit.
TEST(GpuKernels, EveryOptimizerMatchesTheCpuPathBitForBit) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  for (auto dtype : {at::kFloat, at::kHalf, at::kBFloat16}) {
    for (const auto& info : zs::optimizer_catalog()) {
      if (info.family == "fo") continue;  // first-order runs need autograd; tested on CPU
      auto cpu = make_params(dtype, at::kCPU), gpu = make_params(dtype, at::kCUDA);
      zs::TensorEngine ec(as_blocks(cpu), [&] { return quartic_loss(cpu); });
      zs::TensorEngine eg(as_blocks(gpu), [&] { return quartic_loss(gpu); });
      // lr 1e-4: a stable run (at 1e-3 ZO-SGD-MMT's effective step lr / (1 - mu) = 1e-2 makes
      // the quartic blow up to |x| ~ 1e8 in 20 steps, where a single rounding difference
      // grows by about 3x per step; bit-for-bit runs do not need that, but the figures do).
      zs::ParamValues hp = {{"lr", 1e-4}};
      if (info.id == "hizoo") hp["eps"] = 1e-2;
      if (info.id == "zo_adamu") hp["t1"] = 2;  // anneal from step 2: its momentum state then matters
      if (info.id == "adanaged_p") { hp = {{"lmo", 2}}; }
      auto oc = zs::optimizer_create(info.id, hp, info.id, true), og = zs::optimizer_create(info.id, hp, info.id, true);
      oc->reset(ec, {5, 20});
      og->reset(eg, {5, 20});
      for (int t = 0; t < 20; ++t) {
        ec.begin_step(t);
        oc->step(ec, t);
        eg.begin_step(t);
        og->step(eg, t);
      }
      const zs::TensorStepStats st_c = ec.last_stats(), st_g = eg.last_stats();
      const double norm_c = st_c.update_norm, norm_g = st_g.update_norm;
      oc->settle(ec);
      og->settle(eg);
      const std::string what = info.id + " " + c10::toString(dtype);
      for (size_t b = 0; b < cpu.size(); ++b) EXPECT_EQ(bits_differ(gpu[b], cpu[b]), 0) << what << " block " << b;
      const auto sc = ec.state_tensors(), sg = eg.state_tensors();
      ASSERT_EQ(sc.size(), sg.size()) << what;
      for (size_t k = 0; k < sc.size(); ++k) EXPECT_EQ(bits_differ(sg[k].second, sc[k].second), 0) << what << " " << sc[k].first;
      // Per-thread float sums of a few squares each, then doubles: relative 1e-5 is ~100x
      // the float summation error at these sizes.
      EXPECT_NEAR(norm_g, norm_c, 1e-5 * norm_c + 1e-12) << what;
      expect_tensor_stats_near(st_g, st_c, what);  // the per-tensor view (GUI heatmap)
    }
  }
}

TEST(GpuKernels, StatisticsMatchTheCpuPath) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  auto cpu = make_params(at::kFloat, at::kCPU), gpu = make_params(at::kFloat, at::kCUDA);
  zs::TensorEngineOptions opt;
  opt.plot_stats = true;
  opt.plot_seed = 11;
  zs::TensorEngine ec(as_blocks(cpu), [] { return 0.0; }, opt), eg(as_blocks(gpu), [] { return 0.0; }, opt);
  zs::ElemRequest r;
  r.op = zs::kOpAdaMeZO;
  r.lr = 1e-3;
  r.gain = 1;
  r.delta = 1e-8;
  r.n_seeds = 3;
  for (int k = 0; k < 3; ++k) {
    r.seeds[k] = 100 + k;
    r.c1[k] = 0.5 / (k + 1);
    r.c2[k] = 0.25 / (k + 1);
  }
  zs::ApplyStats sc, sg;
  ec.apply(r, &sc);
  eg.apply(r, &sg);
  EXPECT_NEAR(sg.update_sq, sc.update_sq, 1e-4 * sc.update_sq);
  for (int k = 0; k < 2; ++k)
    EXPECT_NEAR(eg.last_stats().plot_dot[k], ec.last_stats().plot_dot[k], 1e-4 * std::fabs(ec.last_stats().plot_dot[k]) + 1e-9);
  // One binning (pass_alpha_bin, in double): the same counts.
  EXPECT_EQ(eg.last_stats().alpha_hist, ec.last_stats().alpha_hist);
  expect_tensor_stats_near(eg.last_stats(), ec.last_stats(), "adamezo pass");
}

// The per-tensor view of the CUDA pass against the CPU engine where the launch tables are
// subsets of the blocks (three dtypes interleaved, an empty tensor), and nothing reduced
// on a pass without the histogram.
TEST(GpuKernels, PerTensorStatisticsMatchTheCpuEngine) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  for (const char* id : {"mezo", "zo_adam"}) {
    auto cpu = zs_test::make_mixed_params(at::kCPU), gpu = zs_test::make_mixed_params(at::kCUDA);
    zs::TensorEngine ec(as_blocks(cpu), [&] { return quartic_loss(cpu); });
    zs::TensorEngine eg(as_blocks(gpu), [&] { return quartic_loss(gpu); });
    auto oc = zs::optimizer_create(id, {{"lr", 1e-4}}, id, true), og = zs::optimizer_create(id, {{"lr", 1e-4}}, id, true);
    oc->reset(ec, {5, 3});
    og->reset(eg, {5, 3});
    for (int t = 0; t < 3; ++t) {
      eg.set_alpha_hist(t != 1);
      ec.begin_step(t);
      oc->step(ec, t);
      eg.begin_step(t);
      og->step(eg, t);
      if (t == 1) {
        EXPECT_TRUE(eg.last_stats().block_update_rms.empty()) << id;
        continue;
      }
      expect_tensor_stats_near(eg.last_stats(), ec.last_stats(), std::string(id) + " step " + std::to_string(t));
      std::printf("[ gpu      ] %s step %d per-tensor RMS update, GPU / CPU:", id, t);
      for (size_t b = 0; b < cpu.size(); ++b)
        std::printf(" %.7g", ec.last_stats().block_update_rms[b] > 0
                                 ? eg.last_stats().block_update_rms[b] / ec.last_stats().block_update_rms[b]
                                 : 0.0);
      std::printf("\n");
    }
  }
}

}  // namespace
