// CUDA backend of the tensor ZO engine: one kernel launch per pass and storage dtype over
// all blocks of that dtype, running the element-wise code of core/opt/elem.h (the same
// functions the CPU runs) with directions regenerated in registers from the shared Philox
// header, and the per-pass statistics reduced in the same pass. The pass itself is
// zo_pass.h, shared with a host twin (zo_pass_host) that runs it thread by thread on CPU
// memory for the tests. Built when the CUDA toolkit and a CUDA LibTorch are found
// (ZS_HAVE_CUDA = 1); callers include this header either way.
#pragma once
#ifndef ZS_HAVE_CUDA
#define ZS_HAVE_CUDA 0
#endif
#include <cstdint>
#include <vector>
#include "core/opt/elem.h"

namespace zs {

constexpr int kAlphaBins = 48;  // log10(alpha) bins from 1e-12 to 1e4, 3 per decade

// One block of a pass. Pointers are device pointers on the GPU, host pointers in the twin
// (null when absent).
struct CudaBlockArgs {
  void* x = nullptr;          // parameters, storage dtype (fp32 / fp16 / bf16)
  int dtype = 0;              // 0 fp32, 1 fp16, 2 bf16
  float* st0 = nullptr;
  float* st1 = nullptr;
  const float* grad = nullptr;
  float* aux = nullptr;
  int64_t n = 0;
  uint32_t block = 0;         // Philox block id
  float wd_mask = 1;
  const float* row_scale0 = nullptr;  // plot-direction filter normalisation per row
  const float* row_scale1 = nullptr;
  int64_t row_len = 0;
};

// What a pass reduces, decided by the engine per pass (uniform kernel arguments).
struct PassCtl {
  int stats = 1;  // update norm and per-block duals (update passes, or a caller asked)
  int hist = 0;   // alpha histogram: only on passes whose statistics someone reads
  int plot = 0;   // dot products with the two plot directions
  int tensors = 0;  // per-block (per named tensor) sum of squared updates and of alpha:
                    // the GUI's per-tensor view, on the same passes as hist
  uint64_t plot_seed = 0;
};

struct CudaPassStats {
  double usq = 0, dot[2] = {0, 0};
  std::vector<double> l1, l2;  // per block
  int64_t hist[kAlphaBins] = {};
  std::vector<double> usq_block, alpha_sum;  // per block, when PassCtl::tensors (else empty)
};

// The kernel's host twin: the same pass through the same decomposition (block table,
// group lookup, grid-stride walk, vector units and tails, per-thread statistics), thread
// by thread, on host memory. grid: CUDA blocks emulated (kPassThreads threads each).
void zo_pass_host(const ElemRequest& r, const std::vector<CudaBlockArgs>& blocks, const PassCtl& c, int grid,
                  CudaPassStats& out);

#if ZS_HAVE_CUDA
// Runs `r` over all blocks (one launch per dtype present) on the current CUDA stream and
// returns the reduced statistics (left zero, with no device sync, when c asks for none).
// block_scale (AdaNAGED-P Euclid) is read from r on the host and copied to the device.
void cuda_apply(const ElemRequest& r, const std::vector<CudaBlockArgs>& blocks, const PassCtl& c, CudaPassStats& out);
// n values of direction (seed, block, stream) into device memory `out` (fp32).
void cuda_normal_fill(uint64_t seed, uint64_t block, int64_t n, uint32_t stream, float* out);
#endif

}  // namespace zs
