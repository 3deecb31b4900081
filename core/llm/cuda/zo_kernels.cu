// CUDA backend of the tensor ZO engine, host side: one launch per pass and storage dtype
// covers all blocks of that dtype (zo_kernels.cuh: each thread runs pass_thread of
// zo_pass.h, the code the host twin runs: 16-byte units, directions regenerated in
// registers, elem.h's math specialised per op at compile time, float per-thread
// statistics reduced per CUDA block, the alpha histogram only when the engine asks).
#include "core/llm/cuda/zo_kernels.cuh"
#include <ATen/ATen.h>
#include <ATen/cuda/CUDAContext.h>
#include <cuda_runtime.h>
#include <algorithm>
#include <cstring>
#include <string>
#include "core/util/error.h"

namespace zs {
namespace {

using cuda_detail::check;
using cuda_detail::sm_count;

__global__ void normal_fill_kernel(uint64_t seed, uint64_t block, int64_t n, uint32_t stream, float* out) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t g = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; 4 * g < n; g += stride) {
    float z[4];
    normal4(seed, block, static_cast<uint64_t>(g), stream, z);
    for (int j = 0; j < 4 && 4 * g + j < n; ++j) out[4 * g + j] = z[j];
  }
}

// The device copy of a launch's block table, uploaded again only when it changes (the
// engine's pointers are stable from pass to pass).
struct TableCache {
  std::vector<PassBlock> host;
  at::Tensor dev;
};

const PassBlock* upload_table(const std::vector<PassBlock>& tb, TableCache& cache, cudaStream_t stream) {
  const size_t bytes = tb.size() * sizeof(PassBlock);
  if (!cache.dev.defined() || cache.host.size() != tb.size() || std::memcmp(cache.host.data(), tb.data(), bytes) != 0) {
    cache.dev = at::empty({static_cast<int64_t>(bytes)}, at::TensorOptions().device(at::kCUDA).dtype(at::kByte));
    check(cudaMemcpyAsync(cache.dev.data_ptr(), tb.data(), bytes, cudaMemcpyHostToDevice, stream), "copy block table");
    cache.host = tb;
  }
  return static_cast<const PassBlock*>(cache.dev.data_ptr());
}

}  // namespace

void cuda_apply(const ElemRequest& req, const std::vector<CudaBlockArgs>& args, const PassCtl& c, CudaPassStats& out) {
  if (req.dist == kDirTable) fail("CUDA engine", "fixed-direction tables are a landscape feature, not available on the GPU");
  const cudaStream_t stream = at::cuda::getCurrentCUDAStream();
  const auto dev_opts = at::TensorOptions().device(at::kCUDA);
  ElemRequest r = req;
  at::Tensor scale_dev;
  if ((r.flags & kFlagNagedEuclid) && r.block_scale) {
    uint32_t maxb = 0;
    for (const auto& a : args) maxb = std::max(maxb, a.block);
    scale_dev = at::from_blob(const_cast<double*>(req.block_scale), {static_cast<int64_t>(maxb) + 1}, at::kDouble)
                    .to(dev_opts.dtype(at::kDouble));
    r.block_scale = scale_dev.data_ptr<double>();
  }
  const int nb_all = static_cast<int>(args.size());
  if (c.tensors && nb_all > kPassMaxTensors)
    fail("CUDA engine", "per-tensor statistics of " + std::to_string(nb_all) + " tensors (at most " +
                            std::to_string(kPassMaxTensors) + ")");
  const bool reduce = pass_reduces(c);
  // One buffer: 3 sums, 2 per block, the histogram (as doubles' bytes), then the
  // per-tensor sums (2 per block: squared updates, alphas).
  at::Tensor stats;
  double* gstat = nullptr;
  unsigned long long* ghist = nullptr;
  double* gtens = nullptr;
  if (reduce) {
    stats = at::empty({3 + 4 * nb_all + kAlphaBins}, dev_opts.dtype(at::kDouble));
    check(cudaMemsetAsync(stats.data_ptr(), 0, static_cast<size_t>(stats.numel()) * sizeof(double), stream), "memset");
    gstat = stats.data_ptr<double>();
    ghist = reinterpret_cast<unsigned long long*>(gstat + 3 + 2 * nb_all);
    gtens = gstat + 3 + 2 * nb_all + kAlphaBins;
  }
  // Per thread (engines may run in workers), never destroyed: no device frees at exit.
  thread_local TableCache* cache = new TableCache[3];
  std::vector<PassBlock> tb;
  for (int dtype = 0; dtype < 3; ++dtype) {
    const int64_t units = pass_table(args, dtype, tb);
    if (tb.empty()) continue;
    const PassBlock* dtb = upload_table(tb, cache[dtype], stream);
    const int nb = static_cast<int>(tb.size());
    if (dtype == 0) cuda_detail::launch_pass<float>(r, c, dtb, nb, units, gstat, ghist, gtens, stream);
    else if (dtype == 1) cuda_detail::launch_pass<c10::Half>(r, c, dtb, nb, units, gstat, ghist, gtens, stream);
    else cuda_detail::launch_pass<c10::BFloat16>(r, c, dtb, nb, units, gstat, ghist, gtens, stream);
  }
  out.l1.assign(static_cast<size_t>(nb_all), 0.0);
  out.l2.assign(static_cast<size_t>(nb_all), 0.0);
  out.usq_block.clear();
  out.alpha_sum.clear();
  if (!reduce) return;  // nothing to read back: no sync
  const at::Tensor s = stats.cpu();
  const double* sp = s.data_ptr<double>();
  out.usq = sp[0];
  out.dot[0] = sp[1];
  out.dot[1] = sp[2];
  for (int k = 0; k < nb_all; ++k) {
    out.l1[static_cast<size_t>(k)] = sp[3 + 2 * k];
    out.l2[static_cast<size_t>(k)] = sp[4 + 2 * k];
  }
  unsigned long long h[kAlphaBins];
  std::memcpy(h, sp + 3 + 2 * nb_all, sizeof h);
  for (int k = 0; k < kAlphaBins; ++k) out.hist[k] = static_cast<int64_t>(h[k]);
  if (c.tensors) pass_tensor_stats(sp + 3 + 2 * nb_all + kAlphaBins, nb_all, out);
}

void cuda_normal_fill(uint64_t seed, uint64_t block, int64_t n, uint32_t stream, float* out) {
  const cudaStream_t s = at::cuda::getCurrentCUDAStream();
  const int64_t want = ((n + 3) / 4 + kPassThreads - 1) / kPassThreads;
  const int grid = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(want, 8LL * sm_count())));
  normal_fill_kernel<<<grid, kPassThreads, 0, s>>>(seed, block, n, stream, out);
  check(cudaGetLastError(), "normal_fill_kernel launch");
}

}  // namespace zs
