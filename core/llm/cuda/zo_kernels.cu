// CUDA kernels of the tensor ZO engine. One launch per pass and storage dtype covers all
// blocks: thread t owns groups of four consecutive elements (grid-stride), regenerates
// the directions it needs in registers (Philox, no z buffer ever exists in memory), runs
// elem_apply_group -- the same code the CPU engine and the landscapes run -- and reduces
// the pass statistics on the fly (warp shuffles, warp-aggregated histogram atomics).
#include "core/llm/cuda/zo_cuda.h"
#include <ATen/ATen.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>
#include <cuda_runtime.h>
#include <algorithm>
#include "core/util/error.h"

namespace zs {
namespace {

constexpr int kThreads = 256;
constexpr uint32_t kPlotStream = 5;

struct DevBlock {
  void* x;
  float* st0;
  float* st1;
  const float* grad;
  float* aux;
  int64_t n;
  int64_t group_begin;  // first global group of this block within the launch
  int64_t groups;
  uint32_t block;
  int index;            // position in the caller's block list (per-block statistics)
  float wd_mask;
  const float* rs0;
  const float* rs1;
  int64_t row_len;
};

__device__ __forceinline__ int alpha_bin(float a) {
  if (!(a > 0.f)) return 0;
  const int b = static_cast<int>(floorf((log10f(a) + 12.f) * 3.f));
  return b < 0 ? 0 : (b >= kAlphaBins ? kAlphaBins - 1 : b);
}

__device__ __forceinline__ double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  return v;
}

template <class S>
__global__ void __launch_bounds__(kThreads) zo_pass_kernel(const ElemRequest r, const DevBlock* __restrict__ blocks,
                                                          int nb, int64_t total_groups, uint64_t plot_seed, int plot,
                                                          int update, double* __restrict__ gstat,
                                                          double* __restrict__ bstat,
                                                          unsigned long long* __restrict__ hist) {
  __shared__ unsigned int sh_hist[kAlphaBins];
  for (int k = threadIdx.x; k < kAlphaBins; k += blockDim.x) sh_hist[k] = 0;
  __syncthreads();
  double usq = 0, d0 = 0, d1 = 0, l1 = 0, l2 = 0;
  int cur = 0;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t gi = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; gi < total_groups; gi += stride) {
    if (gi < blocks[cur].group_begin || gi >= blocks[cur].group_begin + blocks[cur].groups) {
      if (l1 != 0 || l2 != 0) {
        atomicAdd(&bstat[2 * blocks[cur].index], l1);
        atomicAdd(&bstat[2 * blocks[cur].index + 1], l2);
        l1 = l2 = 0;
      }
      int lo = 0, hi = nb - 1;  // last block with group_begin <= gi
      while (lo < hi) {
        const int mid = (lo + hi + 1) / 2;
        if (blocks[mid].group_begin <= gi) lo = mid;
        else hi = mid - 1;
      }
      cur = lo;
    }
    const DevBlock& B = blocks[cur];
    const int64_t g = gi - B.group_begin, i = 4 * g;
    ElemGroup<float, S> e;
    e.x = static_cast<S*>(B.x) + i;
    e.st[0] = B.st0 ? B.st0 + i : nullptr;
    e.st[1] = B.st1 ? B.st1 + i : nullptr;
    e.grad = B.grad ? B.grad + i : nullptr;
    e.n = static_cast<int>(B.n - i < 4 ? B.n - i : 4);
    e.block = B.block;
    e.group = static_cast<uint64_t>(g);
    e.offset = i;
    e.wd_mask = B.wd_mask;
    PhiloxDirs<float, S> dirs(r, e);
    ElemOut<float> out;
    elem_apply_group(r, e, dirs, out);
    float pz0[4] = {0, 0, 0, 0}, pz1[4] = {0, 0, 0, 0};
    if (plot && update && B.rs0) {
      normal4(plot_seed, B.block, static_cast<uint64_t>(g), kPlotStream, pz0);
      normal4(plot_seed + 1, B.block, static_cast<uint64_t>(g), kPlotStream, pz1);
    }
    for (int j = 0; j < e.n; ++j) {
      const double dl = out.delta[j];
      usq += dl * dl;
      l1 += fabsf(out.aux[j]);
      l2 += static_cast<double>(out.aux[j]) * out.aux[j];
      if (B.aux) B.aux[i + j] = out.aux[j];
      if (B.rs0 && plot && update) {
        const int64_t row = B.row_len > 0 ? (i + j) / B.row_len : 0;
        d0 += dl * pz0[j] * B.rs0[row];
        d1 += dl * pz1[j] * B.rs1[row];
      }
    }
    if (update) {
      // Warp-aggregated histogram: lanes with the same bin add once (alpha is often uniform).
      const unsigned active = __activemask();
      for (int j = 0; j < 4; ++j) {
        const int bin = j < e.n ? alpha_bin(out.alpha[j]) : -1;
        const unsigned peers = __match_any_sync(active, bin);
        const int leader = __ffs(peers) - 1;
        if (bin >= 0 && (threadIdx.x & 31) == leader) atomicAdd(&sh_hist[bin], __popc(peers));
      }
    }
  }
  if (l1 != 0 || l2 != 0) {
    atomicAdd(&bstat[2 * blocks[cur].index], l1);
    atomicAdd(&bstat[2 * blocks[cur].index + 1], l2);
  }
  usq = warp_sum(usq);
  d0 = warp_sum(d0);
  d1 = warp_sum(d1);
  if ((threadIdx.x & 31) == 0) {
    atomicAdd(&gstat[0], usq);
    atomicAdd(&gstat[1], d0);
    atomicAdd(&gstat[2], d1);
  }
  __syncthreads();
  for (int k = threadIdx.x; k < kAlphaBins; k += blockDim.x)
    if (sh_hist[k]) atomicAdd(&hist[k], static_cast<unsigned long long>(sh_hist[k]));
}

__global__ void normal_fill_kernel(uint64_t seed, uint64_t block, int64_t n, uint32_t stream, float* out) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t g = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; 4 * g < n; g += stride) {
    float z[4];
    normal4(seed, block, static_cast<uint64_t>(g), stream, z);
    for (int j = 0; j < 4 && 4 * g + j < n; ++j) out[4 * g + j] = z[j];
  }
}

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) fail("CUDA", std::string(what) + ": " + cudaGetErrorString(e));
}

int grid_for(int64_t groups) {
  int dev = 0, sms = 0;
  check(cudaGetDevice(&dev), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev), "cudaDeviceGetAttribute");
  const int64_t want = (groups + kThreads - 1) / kThreads;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(want, static_cast<int64_t>(sms) * 8)));
}

}  // namespace

void cuda_apply(const ElemRequest& req, const std::vector<CudaBlockArgs>& args, bool plot, uint64_t plot_seed,
                CudaPassStats& out) {
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
  at::Tensor stats = at::zeros({3 + 2 * nb_all}, dev_opts.dtype(at::kDouble));
  at::Tensor hist = at::zeros({kAlphaBins}, dev_opts.dtype(at::kLong));
  const int update = (r.op != kOpPerturb && r.op != kOpPerturbHiZOO && r.op != kOpPerturbAdaMU) ? 1 : 0;
  for (int dtype = 0; dtype < 3; ++dtype) {
    std::vector<DevBlock> hb;
    int64_t groups = 0;
    for (int k = 0; k < nb_all; ++k) {
      const CudaBlockArgs& a = args[static_cast<size_t>(k)];
      if (a.dtype != dtype || a.n == 0) continue;
      const int64_t ng = (a.n + 3) / 4;
      hb.push_back({a.x, a.st0, a.st1, a.grad, a.aux, a.n, groups, ng, a.block, k, a.wd_mask, a.row_scale0,
                    a.row_scale1, a.row_len});
      groups += ng;
    }
    if (hb.empty()) continue;
    at::Tensor dblocks = at::empty({static_cast<int64_t>(hb.size() * sizeof(DevBlock))}, dev_opts.dtype(at::kByte));
    check(cudaMemcpyAsync(dblocks.data_ptr(), hb.data(), hb.size() * sizeof(DevBlock), cudaMemcpyHostToDevice, stream),
          "copy block table");
    const int grid = grid_for(groups);
    auto* db = static_cast<const DevBlock*>(dblocks.data_ptr());
    double* g = stats.data_ptr<double>();
    auto* h = reinterpret_cast<unsigned long long*>(hist.data_ptr<int64_t>());
    const int nb = static_cast<int>(hb.size());
    if (dtype == 0)
      zo_pass_kernel<float><<<grid, kThreads, 0, stream>>>(r, db, nb, groups, plot_seed, plot, update, g, g + 3, h);
    else if (dtype == 1)
      zo_pass_kernel<c10::Half><<<grid, kThreads, 0, stream>>>(r, db, nb, groups, plot_seed, plot, update, g, g + 3, h);
    else
      zo_pass_kernel<c10::BFloat16><<<grid, kThreads, 0, stream>>>(r, db, nb, groups, plot_seed, plot, update, g, g + 3, h);
    check(cudaGetLastError(), "zo_pass_kernel launch");
  }
  const at::Tensor s = stats.cpu();
  const at::Tensor hh = hist.cpu();
  const double* sp = s.data_ptr<double>();
  out.usq = sp[0];
  out.dot[0] = sp[1];
  out.dot[1] = sp[2];
  out.l1.assign(static_cast<size_t>(nb_all), 0.0);
  out.l2.assign(static_cast<size_t>(nb_all), 0.0);
  for (int k = 0; k < nb_all; ++k) {
    out.l1[static_cast<size_t>(k)] = sp[3 + 2 * k];
    out.l2[static_cast<size_t>(k)] = sp[4 + 2 * k];
  }
  for (int k = 0; k < kAlphaBins; ++k) out.hist[k] = hh.data_ptr<int64_t>()[k];
}

void cuda_normal_fill(uint64_t seed, uint64_t block, int64_t n, uint32_t stream, float* out) {
  const cudaStream_t s = at::cuda::getCurrentCUDAStream();
  normal_fill_kernel<<<grid_for((n + 3) / 4), kThreads, 0, s>>>(seed, block, n, stream, out);
  check(cudaGetLastError(), "normal_fill_kernel launch");
}

}  // namespace zs
