// The host twin of zo_kernels.cu: the same pass_thread calls, CUDA block by CUDA block and
// thread by thread in order, on host memory. Per-thread statistics are then summed per
// emulated block in float and added in double, as the kernel does (the kernel's in-block
// order is a shuffle tree; sums are compared with a tolerance, parameters bit for bit).
// Per-tensor sums go through a float array per emulated block, as the kernel's shared
// memory, and out through pass_flush_tensors.
#include <algorithm>
#include "core/llm/cuda/zo_pass.h"
#include "core/util/error.h"

namespace zs {

void zo_pass_host(const ElemRequest& r, const std::vector<CudaBlockArgs>& args, const PassCtl& c, int grid,
                  CudaPassStats& out) {
  if (grid < 1) fail("kernel twin", "grid must be at least 1 CUDA block, got " + std::to_string(grid));
  const int nb_all = static_cast<int>(args.size());
  if (c.tensors && nb_all > kPassMaxTensors)
    fail("kernel twin", "per-tensor statistics of " + std::to_string(nb_all) + " tensors (at most " +
                            std::to_string(kPassMaxTensors) + ")");
  std::vector<double> bstat(static_cast<size_t>(2 * nb_all), 0.0), gtens(static_cast<size_t>(2 * nb_all), 0.0);
  out.usq = 0;
  out.dot[0] = out.dot[1] = 0;
  std::fill(out.hist, out.hist + kAlphaBins, 0);
  std::vector<PassBlock> tb;
  for (int dtype = 0; dtype < 3; ++dtype) {
    const int64_t units = pass_table(args, dtype, tb);
    if (tb.empty()) continue;
    const int nb = static_cast<int>(tb.size());
    pass_dispatch_op(r.op, [&](auto opc) {
      constexpr int32_t kOp = decltype(opc)::value;
      pass_dispatch_tensors(c, [&](auto tens) {
        constexpr bool kT = decltype(tens)::value;
        const int64_t stride = static_cast<int64_t>(grid) * kPassThreads;
        for (int blk = 0; blk < grid; ++blk) {
          unsigned sh_hist[kAlphaBins] = {};
          std::vector<float> sh_tens(kT ? static_cast<size_t>(2 * nb) : 0, 0.f);
          float s[3] = {0, 0, 0};
          for (int t = 0; t < kPassThreads; ++t) {
            PassAcc a;
            const int64_t first = static_cast<int64_t>(blk) * kPassThreads + t;
            float* tsum = sh_tens.data();
            if (dtype == 0)
              pass_thread<kOp, float, kT>(r, c, tb.data(), nb, units, first, stride, a, sh_hist, bstat.data(), tsum);
            else if (dtype == 1)
              pass_thread<kOp, c10::Half, kT>(r, c, tb.data(), nb, units, first, stride, a, sh_hist, bstat.data(), tsum);
            else
              pass_thread<kOp, c10::BFloat16, kT>(r, c, tb.data(), nb, units, first, stride, a, sh_hist, bstat.data(),
                                                  tsum);
            s[0] += a.usq;
            s[1] += a.dot0;
            s[2] += a.dot1;
          }
          out.usq += s[0];
          out.dot[0] += s[1];
          out.dot[1] += s[2];
          for (int k = 0; k < kAlphaBins; ++k) out.hist[k] += sh_hist[k];
          if (kT) pass_flush_tensors(tb.data(), nb, sh_tens.data(), 0, 1, gtens.data());
        }
      });
    });
  }
  out.l1.assign(static_cast<size_t>(nb_all), 0.0);
  out.l2.assign(static_cast<size_t>(nb_all), 0.0);
  for (int k = 0; k < nb_all; ++k) {
    out.l1[static_cast<size_t>(k)] = bstat[static_cast<size_t>(2 * k)];
    out.l2[static_cast<size_t>(k)] = bstat[static_cast<size_t>(2 * k + 1)];
  }
  out.usq_block.clear();
  out.alpha_sum.clear();
  if (c.tensors) pass_tensor_stats(gtens.data(), nb_all, out);
}

}  // namespace zs
