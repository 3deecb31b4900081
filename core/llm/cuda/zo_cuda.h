// CUDA backend of the tensor ZO engine: one kernel per pass over a block, running the
// element-wise code of core/opt/elem.h (the same functions the CPU runs) with directions
// regenerated in registers from the shared Philox header. Built when the CUDA toolkit and
// a CUDA LibTorch are found (ZS_HAVE_CUDA = 1); callers include this header either way.
#pragma once
#ifndef ZS_HAVE_CUDA
#define ZS_HAVE_CUDA 0
#endif
#include <cstdint>
#include "core/opt/elem.h"

#if ZS_HAVE_CUDA
#include <ATen/core/Tensor.h>

namespace zs {

struct CudaPassStats {
  double usq = 0, l1 = 0, l2 = 0, dot[2] = {0, 0};
  int64_t hist[48] = {};
};

// One pass of `r` over block b, x a contiguous CUDA tensor (fp32/fp16/bf16), state,
// gradient and aux as device fp32 pointers (or null), row_scale as device pointers of the
// plot filter normalisation (or null). Statistics are reduced on the device and copied back.
void cuda_block_pass(const ElemRequest& r, int b, at::Tensor& x, float* st0, float* st1, const float* grad,
                     float wd_mask, float* aux, const float* const* row_scale, int64_t row_len, uint64_t plot_seed,
                     CudaPassStats& out);

// z of block b under `seed` for n elements into a device fp32 buffer (tests, sphere norms).
void cuda_normal_fill(uint64_t seed, uint64_t block, int64_t n, uint32_t stream, float* out);

}  // namespace zs
#endif
