// CUDA kernels vs the CPU reference (same engine class, same elem.h code, host path):
// same seed gives the same z within 1e-6 (1 + |z|); every optimizer gives the same
// parameters after several steps within a stated tolerance for fp32 / fp16 / bf16
// storage; the pass statistics agree. Skipped when no GPU is present.
#include <gtest/gtest.h>
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <cmath>
#include "core/llm/cuda/zo_cuda.h"
#include "core/llm/torch/zo_engine.h"
#include "core/opt/optimizer.h"
#include "core/rng/philox.h"

namespace {

bool have_gpu() { return at::hasCUDA(); }

std::vector<at::Tensor> make_params(at::ScalarType dtype, at::Device dev) {
  at::manual_seed(3);
  std::vector<at::Tensor> ts = {at::randn({257}), at::randn({64, 33}), at::randn({1031}), at::randn({16, 128})};
  for (auto& t : ts) t = (0.5 * t).to(dtype).to(dev).contiguous();
  return ts;
}

std::vector<zs::Block> as_blocks(const std::vector<at::Tensor>& ts) {
  std::vector<zs::Block> b;
  for (size_t i = 0; i < ts.size(); ++i) b.push_back({"p" + std::to_string(i), ts[i], ts[i].dim() == 2, ts[i].dim() == 2});
  return b;
}

// A smooth loss of all parameters, computed in double on the CPU from whatever device.
double quartic_loss(const std::vector<at::Tensor>& ts) {
  double s = 0;
  for (size_t b = 0; b < ts.size(); ++b) {
    const at::Tensor x = ts[b].to(at::kCPU).to(at::kDouble).reshape({-1});
    const at::Tensor lam = at::linspace(1.0, 5.0, x.numel(), at::kDouble);
    s += (0.5 * lam * x * x + 0.05 * x.pow(4)).sum().item<double>();
  }
  return s;
}

TEST(GpuKernels, DirectionsMatchTheCpuGenerator) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  for (uint32_t stream : {0u, 1u}) {
    const int64_t n = 1 << 20;
    at::Tensor d = at::empty({n}, at::TensorOptions().device(at::kCUDA).dtype(at::kFloat));
    zs::cuda_normal_fill(0x1234abcdull, 7, n, stream, d.data_ptr<float>());
    const at::Tensor h = d.cpu();
    double worst = 0;
    for (int64_t i = 0; i < n; i += 97) {
      const float c = zs::normal_at(0x1234abcdull, 7, static_cast<uint64_t>(i), stream);
      worst = std::max(worst, static_cast<double>(std::fabs(h[i].item<float>() - c) / (1 + std::fabs(c))));
    }
    std::printf("[ gpu      ] max |z_gpu - z_cpu| / (1 + |z|) = %.3g (stream %u)\n", worst, stream);
    EXPECT_LT(worst, 1e-6);
  }
}

// Every optimizer, fp32 storage: 20 steps on GPU and on CPU from the same parameters.
TEST(GpuKernels, EveryOptimizerMatchesTheCpuPath) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  for (auto dtype : {at::kFloat, at::kHalf, at::kBFloat16}) {
    for (const auto& info : zs::optimizer_catalog()) {
      if (info.family == "fo") continue;  // first-order runs need autograd; tested on CPU
      auto cpu = make_params(dtype, at::kCPU), gpu = make_params(dtype, at::kCUDA);
      zs::TensorEngine ec(as_blocks(cpu), [&] { return quartic_loss(cpu); });
      zs::TensorEngine eg(as_blocks(gpu), [&] { return quartic_loss(gpu); });
      zs::ParamValues hp = {{"lr", 1e-3}};
      if (info.id == "hizoo") hp["eps"] = 1e-2;
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
      oc->settle(ec);
      og->settle(eg);
      // fp32: FMA contraction on the GPU differs from the CPU by an ulp per operation;
      // fp16/bf16 storage: the same roundings can land one storage ulp apart.
      const double tol = dtype == at::kFloat ? 1e-5 : (dtype == at::kHalf ? 2e-3 : 1.6e-2);
      double worst = 0;
      for (size_t b = 0; b < cpu.size(); ++b)
        worst = std::max(worst, (gpu[b].cpu().to(at::kDouble) - cpu[b].to(at::kDouble)).abs().max().item<double>());
      EXPECT_LT(worst, tol) << info.id << " dtype " << c10::toString(dtype);
      EXPECT_NEAR(eg.last_stats().update_norm, ec.last_stats().update_norm, 1e-3 * ec.last_stats().update_norm + 1e-7)
          << info.id;
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
  int64_t diff = 0, total = 0;
  for (int b = 0; b < zs::TensorStepStats::kBins; ++b) {
    diff += std::abs(eg.last_stats().alpha_hist[b] - ec.last_stats().alpha_hist[b]);
    total += ec.last_stats().alpha_hist[b];
  }
  EXPECT_LE(diff, total / 1000 + 2) << "alpha histograms differ only at bin edges";
}

}  // namespace
