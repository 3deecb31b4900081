// Shared by the GPU kernel tests and the kernels' host-twin tests: parameters with tails
// and an unaligned block, a smooth loss of all of them, a bit-level comparison, and the
// per-tensor statistics compared within float summation error.
#pragma once
#include <gtest/gtest.h>
#include <ATen/ATen.h>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>
#include "core/llm/torch/model.h"
#include "core/llm/torch/zo_engine.h"

namespace zs_test {

// Blocks whose sizes are not multiples of 4 or 8 (every pass has tails), and one that
// starts one element into its storage, so it is not 16-byte aligned (the scalar path).
inline std::vector<at::Tensor> make_params(at::ScalarType dtype, at::Device dev) {
  at::manual_seed(3);
  std::vector<at::Tensor> ts = {at::randn({257}), at::randn({64, 33}), at::randn({1031}), at::randn({16, 128}),
                                at::randn({301})};
  for (auto& t : ts) t = (0.5 * t).to(dtype).to(dev).contiguous();
  ts[4] = ts[4].narrow(0, 1, 299);
  return ts;
}

// Blocks of three storage dtypes interleaved (one launch per dtype, each table a subset of
// the blocks) and an empty tensor (in no table): per-block results must land at the
// caller's block index.
inline std::vector<at::Tensor> make_mixed_params(at::Device dev) {
  at::manual_seed(5);
  std::vector<at::Tensor> ts = {0.5 * at::randn({257}), (0.5 * at::randn({64, 33})).to(at::kBFloat16), at::zeros({0}),
                                (0.5 * at::randn({1031})).to(at::kHalf), 0.5 * at::randn({16, 128})};
  for (auto& t : ts) t = t.to(dev).contiguous();
  return ts;
}

inline std::vector<zs::Block> as_blocks(const std::vector<at::Tensor>& ts) {
  std::vector<zs::Block> b;
  for (size_t i = 0; i < ts.size(); ++i) b.push_back({"p" + std::to_string(i), ts[i], ts[i].dim() == 2, ts[i].dim() == 2});
  return b;
}

// sum 0.5 lam_i x_i^2 + 0.05 x_i^4, lam in [1, 5] per block, in double on the CPU.
inline double quartic_loss(const std::vector<at::Tensor>& ts) {
  double s = 0;
  for (const at::Tensor& t : ts) {
    const at::Tensor x = t.to(at::kCPU).to(at::kDouble).reshape({-1});
    const at::Tensor lam = at::linspace(1.0, 5.0, x.numel(), at::kDouble);
    s += (0.5 * lam * x * x + 0.05 * x.pow(4)).sum().item<double>();
  }
  return s;
}

// Elements whose bit patterns differ (NaN-safe; -0 and +0 differ), from any device.
inline int64_t bits_differ(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor x = a.cpu().contiguous(), y = b.cpu().contiguous();
  const int64_t es = x.element_size(), n = x.numel();
  int64_t d = 0;
  const auto* p = static_cast<const unsigned char*>(x.data_ptr());
  const auto* q = static_cast<const unsigned char*>(y.data_ptr());
  for (int64_t i = 0; i < n; ++i) d += std::memcmp(p + i * es, q + i * es, static_cast<size_t>(es)) != 0;
  return d;
}

// The per-tensor view (mean alpha, RMS update per block): float sums per thread and per
// CUDA block against the CPU's double sums per chunk (both empty for an optimizer whose
// update is a perturbation pass, ZO-SGD-Cons).
inline void expect_tensor_stats_near(const zs::TensorStepStats& got, const zs::TensorStepStats& ref, const std::string& what) {
  ASSERT_EQ(got.block_alpha_mean.size(), ref.block_alpha_mean.size()) << what;
  ASSERT_EQ(got.block_update_rms.size(), ref.block_update_rms.size()) << what;
  for (size_t b = 0; b < ref.block_update_rms.size(); ++b) {
    EXPECT_NEAR(got.block_alpha_mean[b], ref.block_alpha_mean[b], 1e-5 * std::fabs(ref.block_alpha_mean[b]) + 1e-30)
        << what << " block " << b;
    EXPECT_NEAR(got.block_update_rms[b], ref.block_update_rms[b], 1e-5 * ref.block_update_rms[b] + 1e-30)
        << what << " block " << b;
  }
}

}  // namespace zs_test
