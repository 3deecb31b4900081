// The pass kernel of the tensor ZO engine (zo_pass.h's pass_thread per thread, statistics
// reduced per CUDA block) and its launcher per storage dtype, instantiated in one
// translation unit per dtype (zo_pass_f32.cu, zo_pass_f16.cu, zo_pass_bf16.cu) so that nvcc
// compiles the per-op specialisations in parallel.
#pragma once
#include <cuda_runtime.h>
#include <algorithm>
#include <string>
#include "core/llm/cuda/zo_pass.h"
#include "core/util/error.h"

namespace zs {
namespace cuda_detail {

inline void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) fail("CUDA", std::string(what) + ": " + cudaGetErrorString(e));
}

inline int sm_count() {
  static int sms = 0;
  if (sms == 0) {
    int dev = 0;
    check(cudaGetDevice(&dev), "cudaGetDevice");
    check(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev), "cudaDeviceGetAttribute");
  }
  return sms;
}

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  return v;
}

template <int32_t kOp, class S, bool kTensors>
__global__ void __launch_bounds__(kPassThreads) zo_pass_kernel(const ElemRequest r, const PassCtl c,
                                                              const PassBlock* __restrict__ tb, int nb, int64_t units,
                                                              double* __restrict__ gstat, double* __restrict__ bstat,
                                                              unsigned long long* __restrict__ ghist,
                                                              double* __restrict__ gtens) {
  __shared__ unsigned sh_hist[kAlphaBins];
  __shared__ float sh_red[3][kPassThreads / 32];
  extern __shared__ float sh_tens[];  // 2 per table entry with kTensors (launch_pass sizes it)
  if (c.hist)
    for (int k = threadIdx.x; k < kAlphaBins; k += blockDim.x) sh_hist[k] = 0;
  if (kTensors)
    for (int k = threadIdx.x; k < 2 * nb; k += blockDim.x) sh_tens[k] = 0.f;
  if (c.hist || kTensors) __syncthreads();
  PassAcc a;
  pass_thread<kOp, S, kTensors>(r, c, tb, nb, units, static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x,
                      static_cast<int64_t>(gridDim.x) * blockDim.x, a, sh_hist, bstat, sh_tens);
  if (c.stats || c.plot) {
    const float v[3] = {warp_sum(a.usq), warp_sum(a.dot0), warp_sum(a.dot1)};
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    if (lane == 0)
      for (int k = 0; k < 3; ++k) sh_red[k][warp] = v[k];
    __syncthreads();
    if (threadIdx.x < 3) {
      float s = 0;
      for (int w = 0; w < kPassThreads / 32; ++w) s += sh_red[threadIdx.x][w];
      if (s != 0.f) atomicAdd(&gstat[threadIdx.x], static_cast<double>(s));
    }
  }
  if (c.hist) {
    __syncthreads();
    for (int k = threadIdx.x; k < kAlphaBins; k += blockDim.x)
      if (sh_hist[k]) atomicAdd(&ghist[k], static_cast<unsigned long long>(sh_hist[k]));
  }
  if (kTensors) {
    __syncthreads();
    pass_flush_tensors(tb, nb, sh_tens, threadIdx.x, blockDim.x, gtens);
  }
}

// As many CUDA blocks as fit on the device at once (occupancy of this very kernel), or
// fewer when the units run out: each thread then walks units with a grid stride.
template <int32_t kOp, class S, bool kTensors>
int pass_grid(int64_t units) {
  static int per_sm = 0;
  if (per_sm == 0) {
    check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, zo_pass_kernel<kOp, S, kTensors>, kPassThreads, 0),
          "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
    per_sm = std::max(per_sm, 1);
  }
  const int64_t want = (units + kPassThreads - 1) / kPassThreads;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(want, static_cast<int64_t>(per_sm) * sm_count())));
}

// One launch of the kernel specialised for r.op (or the generic one) over a table of
// storage type S.
template <class S>
void launch_pass(const ElemRequest& r, const PassCtl& c, const PassBlock* dtb, int nb, int64_t units, double* gstat,
                 unsigned long long* ghist, double* gtens, cudaStream_t stream) {
  // Per-tensor sums in dynamic shared memory (nb <= kPassMaxTensors: at most 32 KiB); the
  // grid stays the occupancy of the launch without it (more blocks only queue).
  const size_t smem = c.tensors ? 2 * static_cast<size_t>(nb) * sizeof(float) : 0;
  pass_dispatch_op(r.op, [&](auto opc) {
    constexpr int32_t kOp = decltype(opc)::value;
    pass_dispatch_tensors(c, [&](auto tens) {
      constexpr bool kTensors = decltype(tens)::value;
      zo_pass_kernel<kOp, S, kTensors><<<pass_grid<kOp, S, kTensors>(units), kPassThreads, smem, stream>>>(
          r, c, dtb, nb, units, gstat, gstat ? gstat + 3 : nullptr, ghist, gtens);
    });
  });
  check(cudaGetLastError(), "zo_pass_kernel launch");
}

extern template void launch_pass<float>(const ElemRequest&, const PassCtl&, const PassBlock*, int, int64_t, double*,
                                        unsigned long long*, double*, cudaStream_t);
extern template void launch_pass<c10::Half>(const ElemRequest&, const PassCtl&, const PassBlock*, int, int64_t, double*,
                                            unsigned long long*, double*, cudaStream_t);
extern template void launch_pass<c10::BFloat16>(const ElemRequest&, const PassCtl&, const PassBlock*, int, int64_t,
                                                double*, unsigned long long*, double*, cudaStream_t);

}  // namespace cuda_detail
}  // namespace zs
