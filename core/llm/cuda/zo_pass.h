// One pass of the tensor ZO engine over a block table, written once for the CUDA kernel
// (zo_kernels.cu) and its host twin (zo_pass_host.cpp): the block table, the group
// lookup, the grid-stride walk, the 16-byte units with their scalar tails, the element
// math (elem.h) and the per-thread statistics are the same functions on both sides, run
// in the same order, so a CPU-only test of the twin catches launch-decomposition bugs.
//
// Decomposition (design-notes.md, GPU section): a launch covers every block of one storage
// dtype; its index space is units of 16 bytes of parameters (4 fp32 or 8 fp16/bf16
// elements = 1 or 2 Philox groups); thread t of a grid of G blocks x kPassThreads walks
// units t, t + G kPassThreads, ...; a unit whose block is 16-byte aligned and holds all
// its elements moves with 16-byte loads/stores, any other (a block's tail) element by
// element. Statistics accumulate per thread in float and are reduced per CUDA block.
// Per-tensor statistics (PassCtl::tensors): each thread sums its squared updates and its
// alphas per table entry in float, adds them into the CUDA block's shared float array
// (two slots per table entry) when it leaves the entry, and the block adds the non-zero
// slots into the per-tensor doubles at its end. That code is compiled only into the
// kernels instantiated with kTensors (launched on the passes that ask for it), so the
// other passes keep their registers and occupancy.
#pragma once
#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>
#include "core/llm/cuda/zo_cuda.h"
#include "core/opt/elem.h"

namespace zs {

constexpr int kPassThreads = 256;
constexpr uint32_t kPassPlotStream = 5;  // the plot directions' Philox stream (zo_engine.cpp)
// Per-tensor statistics need 2 floats of shared memory per table entry (32 KiB here); a
// model with more trainable tensors gets none from the kernel (the engine leaves them empty).
constexpr int kPassMaxTensors = 4096;

// One entry of a launch's block table (device memory on the GPU, host memory in the twin).
struct PassBlock {
  void* x;
  float* st0;
  float* st1;
  const float* grad;
  float* aux;
  const float* rs0;  // plot-direction filter normalisation per row
  const float* rs1;
  int64_t n;
  int64_t unit_begin;  // first unit of this block within the launch
  int64_t units;
  int64_t row_len;
  uint32_t block;  // Philox block id
  int index;       // position in the caller's block list (per-block statistics)
  float wd_mask;
  int vec;         // every pointer 16-byte aligned: full units move as 16-byte vectors
};

// Per-thread accumulators: float (the values are squares of per-element updates; a
// thread sums a few thousand of them at most, well inside float's 24 bits).
struct PassAcc {
  float usq = 0, dot0 = 0, dot1 = 0;
  double l1 = 0, l2 = 0;  // AdaNAGED-P's block duals set its step size: kept in double
  float tsq = 0, tasum = 0;  // per-tensor view: squared updates and alphas of table entry cur
  int cur = 0;          // table entry of the last unit
  int hbin = -1;        // run of equal alpha bins not yet added to the histogram
  unsigned hcount = 0;
};

template <class S>
struct PassUnit {
  static constexpr int kElems = static_cast<int>(16 / sizeof(S));  // 4 fp32, 8 fp16/bf16
  static constexpr int kGroups = kElems / 4;
};

// Whether op computes a realised update and alpha (the kernels' compile-time view; the host
// asks elem_is_update, which also leaves trial moves out, before it requests statistics).
ZS_HD constexpr bool pass_is_update(int32_t op) { return !elem_op_perturbs(op); }
// Ops whose elem.h code never touches the state slots (their passes skip the slots'
// bytes even when the engine holds some); any other op, a new one included, gets them.
ZS_HD bool pass_op_stateless(int32_t op) { return op == kOpPerturb || op == kOpSgd || op == kOpSign || op == kOpAdaMeZO; }

// Ops whose per-element aux output (AdaNAGED-P's u) feeds per-block statistics.
ZS_HD constexpr bool pass_has_aux(int32_t op) { return op == kOpCount || op == kOpNagedDual || op == kOpNagedStep; }

// log10(alpha) bins from 1e-12 to 1e4, 3 per decade (TensorStepStats::alpha_hist), the
// one binning of the CPU engine, the kernels and the twin. In double: a float alpha is
// never within a double ulp of an irrational edge 10^(k/3), and the decade edges (lr = 1e-4
// is common) are exact in any log10, so every backend bins every value alike.
ZS_HD int pass_alpha_bin(double a) {
  if (!(a > 0)) return 0;
  const int b = static_cast<int>(floor((log10(a) + 12.0) * 3.0));
  return b < 0 ? 0 : (b >= kAlphaBins ? kAlphaBins - 1 : b);
}

ZS_HD void pass_add(double* p, double v) {
#if defined(__CUDA_ARCH__)
  atomicAdd(p, v);
#else
  *p += v;
#endif
}

ZS_HD void pass_add_shared(float* p, float v) {
#if defined(__CUDA_ARCH__)
  atomicAdd(p, v);
#else
  *p += v;
#endif
}

ZS_HD void pass_add_hist(unsigned* h, int bin, unsigned c) {
#if defined(__CUDA_ARCH__)
  atomicAdd(h + bin, c);
#else
  h[bin] += c;
#endif
}

// 16 bytes as four words (one vector access on the device).
struct PassWords {
  uint32_t w[4];
};
ZS_HD PassWords pass_load16(const void* p) {
  PassWords v;
#if defined(__CUDA_ARCH__)
  const uint4 q = *static_cast<const uint4*>(p);
  v.w[0] = q.x; v.w[1] = q.y; v.w[2] = q.z; v.w[3] = q.w;
#else
  memcpy(v.w, p, 16);
#endif
  return v;
}
ZS_HD void pass_store16(void* p, const PassWords& v) {
#if defined(__CUDA_ARCH__)
  *static_cast<uint4*>(p) = make_uint4(v.w[0], v.w[1], v.w[2], v.w[3]);
#else
  memcpy(p, v.w, 16);
#endif
}
ZS_HD float pass_f32(uint32_t w) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(w);
#else
  float f;
  memcpy(&f, &w, 4);
  return f;
#endif
}
ZS_HD uint32_t pass_u32(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  uint32_t w;
  memcpy(&w, &f, 4);
  return w;
#endif
}

// Storage values <-> their bit patterns (16-bit types pack two per word, little-endian).
ZS_HD void pass_unpack(const PassWords& v, float* s) { for (int k = 0; k < 4; ++k) s[k] = pass_f32(v.w[k]); }
ZS_HD PassWords pass_pack(const float* s) {
  PassWords v;
  for (int k = 0; k < 4; ++k) v.w[k] = pass_u32(s[k]);
  return v;
}
template <class H>
ZS_HD void pass_unpack(const PassWords& v, H* s) {
  for (int k = 0; k < 4; ++k) {
    s[2 * k] = H(static_cast<uint16_t>(v.w[k] & 0xffffu), H::from_bits());
    s[2 * k + 1] = H(static_cast<uint16_t>(v.w[k] >> 16), H::from_bits());
  }
}
template <class H>
ZS_HD PassWords pass_pack(const H* s) {
  PassWords v;
  for (int k = 0; k < 4; ++k) v.w[k] = static_cast<uint32_t>(s[2 * k].x) | (static_cast<uint32_t>(s[2 * k + 1].x) << 16);
  return v;
}
ZS_HD bool pass_same(const PassWords& a, const PassWords& b) {
  return a.w[0] == b.w[0] && a.w[1] == b.w[1] && a.w[2] == b.w[2] && a.w[3] == b.w[3];
}

ZS_HD bool pass_reduces(const PassCtl& c) { return c.stats || c.hist || c.plot || c.tensors; }

// Reduces one group's per-element results into the thread's accumulators.
template <int32_t kOp, bool kTensors>
ZS_HD void pass_account(const PassCtl& c, const PassBlock& B, int64_t i, uint64_t group, int n, bool update,
                        const ElemOut<float>& out, PassAcc& a, unsigned* hist) {
  const bool plot = c.plot && update && B.rs0;
  float pz0[4] = {0, 0, 0, 0}, pz1[4] = {0, 0, 0, 0};
  if (plot) {
    normal4(c.plot_seed, B.block, group, kPassPlotStream, pz0);
    normal4(c.plot_seed + 1, B.block, group, kPassPlotStream, pz1);
  }
  for (int j = 0; j < 4; ++j) {
    if (j >= n) break;
    const float dl = out.delta[j];
    a.usq += dl * dl;
    if (pass_has_aux(kOp)) {
      a.l1 += fabs(static_cast<double>(out.aux[j]));
      a.l2 += static_cast<double>(out.aux[j]) * out.aux[j];
      if (B.aux) B.aux[i + j] = out.aux[j];
    }
    if (plot) {
      const int64_t row = B.row_len > 0 ? (i + j) / B.row_len : 0;
      a.dot0 += dl * pz0[j] * B.rs0[row];
      a.dot1 += dl * pz1[j] * B.rs1[row];
    }
    if (kTensors && update) {
      a.tsq += dl * dl;
      a.tasum += out.alpha[j];
    }
    if (c.hist && update) {
      const int bin = pass_alpha_bin(out.alpha[j]);
      if (bin != a.hbin) {
        if (a.hcount) pass_add_hist(hist, a.hbin, a.hcount);
        a.hbin = bin;
        a.hcount = 0;
      }
      ++a.hcount;
    }
  }
}

// A full, aligned unit: parameters and state slots in registers through 16-byte loads,
// elem.h on each of its groups with n = 4 known at compile time, stores only of what
// changed (a perturbation pass of HiZOO reads H and leaves it; AdaNAGED-P's dual pass
// leaves x).
template <int32_t kOp, class S, bool kTensors>
ZS_HD void pass_unit_full(const ElemRequest& r, const PassCtl& c, const PassBlock& B, int64_t i0, PassAcc& a,
                          unsigned* hist) {
  constexpr int E = PassUnit<S>::kElems, G = PassUnit<S>::kGroups;
  const int32_t op = kOp == kOpCount ? r.op : kOp;
  const bool update = pass_is_update(op);
  const bool has0 = B.st0 && !pass_op_stateless(op), has1 = B.st1 && !pass_op_stateless(op);
  S xs[E];
  float s0[E], s1[E];
  const PassWords xw = pass_load16(static_cast<S*>(B.x) + i0);
  pass_unpack(xw, xs);
  PassWords sw0[G], sw1[G];
  for (int q = 0; q < G; ++q) {
    sw0[q] = has0 ? pass_load16(B.st0 + i0 + 4 * q) : PassWords{{0, 0, 0, 0}};
    sw1[q] = has1 ? pass_load16(B.st1 + i0 + 4 * q) : PassWords{{0, 0, 0, 0}};
    pass_unpack(sw0[q], s0 + 4 * q);
    pass_unpack(sw1[q], s1 + 4 * q);
  }
  for (int q = 0; q < G; ++q) {
    ElemGroup<float, S> e;
    e.x = xs + 4 * q;
    e.st[0] = s0 + 4 * q;
    e.st[1] = s1 + 4 * q;
    e.grad = B.grad ? B.grad + i0 + 4 * q : nullptr;
    e.n = 4;
    e.block = B.block;
    e.group = static_cast<uint64_t>(i0 / 4 + q);
    e.offset = i0 + 4 * q;
    e.wd_mask = B.wd_mask;
    PhiloxDirs<float, S> dirs(r, e);
    ElemOut<float> out;
    elem_apply_group<kOp>(r, e, dirs, out);
    if (pass_reduces(c)) pass_account<kOp, kTensors>(c, B, i0 + 4 * q, e.group, 4, update, out, a, hist);
  }
  const PassWords xn = pass_pack(xs);
  if (!pass_same(xn, xw)) pass_store16(static_cast<S*>(B.x) + i0, xn);
  for (int q = 0; q < G; ++q) {
    const PassWords n0 = pass_pack(s0 + 4 * q), n1 = pass_pack(s1 + 4 * q);
    if (has0 && !pass_same(n0, sw0[q])) pass_store16(B.st0 + i0 + 4 * q, n0);
    if (has1 && !pass_same(n1, sw1[q])) pass_store16(B.st1 + i0 + 4 * q, n1);
  }
}

// Any other unit (a block's tail, or an unaligned block): group by group in place.
template <int32_t kOp, class S, bool kTensors>
ZS_HD void pass_unit_tail(const ElemRequest& r, const PassCtl& c, const PassBlock& B, int64_t i0, PassAcc& a,
                          unsigned* hist) {
  constexpr int G = PassUnit<S>::kGroups;
  const int32_t op = kOp == kOpCount ? r.op : kOp;
  const bool update = pass_is_update(op);
  for (int q = 0; q < G; ++q) {
    const int64_t i = i0 + 4 * q;
    if (i >= B.n) break;
    ElemGroup<float, S> e;
    e.x = static_cast<S*>(B.x) + i;
    e.st[0] = B.st0 ? B.st0 + i : nullptr;
    e.st[1] = B.st1 ? B.st1 + i : nullptr;
    e.grad = B.grad ? B.grad + i : nullptr;
    e.n = static_cast<int>(B.n - i < 4 ? B.n - i : 4);
    e.block = B.block;
    e.group = static_cast<uint64_t>(i / 4);
    e.offset = i;
    e.wd_mask = B.wd_mask;
    PhiloxDirs<float, S> dirs(r, e);
    ElemOut<float> out;
    elem_apply_group<kOp>(r, e, dirs, out);
    if (pass_reduces(c)) pass_account<kOp, kTensors>(c, B, i, e.group, e.n, update, out, a, hist);
  }
}

// Per-block sums of the block the thread leaves: AdaNAGED-P's duals (||u_b||) into the
// per-block doubles, the per-tensor view's sums into the CUDA block's shared slots.
template <bool kTensors>
ZS_HD void pass_flush_block(const PassBlock* tb, PassAcc& a, double* bstat, float* tsum) {
  if (a.l1 != 0 || a.l2 != 0) {
    pass_add(&bstat[2 * tb[a.cur].index], a.l1);
    pass_add(&bstat[2 * tb[a.cur].index + 1], a.l2);
    a.l1 = a.l2 = 0;
  }
  if (kTensors && (a.tsq != 0 || a.tasum != 0)) {
    pass_add_shared(&tsum[2 * a.cur], a.tsq);
    pass_add_shared(&tsum[2 * a.cur + 1], a.tasum);
    a.tsq = a.tasum = 0;
  }
}

// End of a CUDA block: its per-tensor slots k = k0, k0 + step, ... (table entry k / 2;
// even: squared updates, odd: alphas) into the per-tensor doubles of the caller's blocks.
ZS_HD void pass_flush_tensors(const PassBlock* tb, int nb, const float* tsum, int k0, int step, double* gtens) {
  for (int k = k0; k < 2 * nb; k += step)
    if (tsum[k] != 0.f) pass_add(&gtens[2 * tb[k / 2].index + (k & 1)], static_cast<double>(tsum[k]));
}

// Last table entry with unit_begin <= u.
ZS_HD int pass_find_block(const PassBlock* tb, int nb, int64_t u) {
  int lo = 0, hi = nb - 1;
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (tb[mid].unit_begin <= u) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// Everything one thread of a launch does: units first, first + stride, ... of the table.
template <int32_t kOp, class S, bool kTensors>
ZS_HD void pass_thread(const ElemRequest& r, const PassCtl& c, const PassBlock* tb, int nb, int64_t units, int64_t first,
                       int64_t stride, PassAcc& a, unsigned* hist, double* bstat, float* tsum) {
  constexpr int E = PassUnit<S>::kElems;
  for (int64_t u = first; u < units; u += stride) {
    if (u < tb[a.cur].unit_begin || u >= tb[a.cur].unit_begin + tb[a.cur].units) {
      pass_flush_block<kTensors>(tb, a, bstat, tsum);
      a.cur = pass_find_block(tb, nb, u);
    }
    const PassBlock& B = tb[a.cur];
    const int64_t i0 = (u - B.unit_begin) * E;
    if (B.vec && i0 + E <= B.n) pass_unit_full<kOp, S, kTensors>(r, c, B, i0, a, hist);
    else pass_unit_tail<kOp, S, kTensors>(r, c, B, i0, a, hist);
  }
  pass_flush_block<kTensors>(tb, a, bstat, tsum);
  if (a.hcount) pass_add_hist(hist, a.hbin, a.hcount);
  a.hcount = 0;
}

// Calls f(std::integral_constant<int32_t, op>) for the ops with their own kernels (the
// passes of ZO-SGD, AdaMeZO, HiZOO, ZO-Adam and momentum: the steps benchmarked on the
// GPU), f(kOpCount) (op read at run time) for the rest.
template <class F>
void pass_dispatch_op(int32_t op, F&& f) {
  switch (op) {
    case kOpPerturb: f(std::integral_constant<int32_t, kOpPerturb>{}); break;
    case kOpSgd: f(std::integral_constant<int32_t, kOpSgd>{}); break;
    case kOpMomentum: f(std::integral_constant<int32_t, kOpMomentum>{}); break;
    case kOpAdam: f(std::integral_constant<int32_t, kOpAdam>{}); break;
    case kOpAdaMeZO: f(std::integral_constant<int32_t, kOpAdaMeZO>{}); break;
    case kOpHiZOO: f(std::integral_constant<int32_t, kOpHiZOO>{}); break;
    case kOpPerturbHiZOO: f(std::integral_constant<int32_t, kOpPerturbHiZOO>{}); break;
    default: f(std::integral_constant<int32_t, kOpCount>{}); break;
  }
}

// Calls f(std::true_type) when the pass reduces per-tensor statistics, else
// f(std::false_type): the kernel (and twin) instantiation with or without that code.
template <class F>
void pass_dispatch_tensors(const PassCtl& c, F&& f) {
  if (c.tensors) f(std::true_type{});
  else f(std::false_type{});
}

inline bool pass_aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15u) == 0; }

// The table of one storage dtype's launch (blocks of other dtypes and empty ones are
// skipped); returns the number of units.
inline int64_t pass_table(const std::vector<CudaBlockArgs>& args, int dtype, std::vector<PassBlock>& out) {
  const int64_t e = dtype == 0 ? PassUnit<float>::kElems : PassUnit<c10::Half>::kElems;
  out.clear();
  int64_t units = 0;
  for (size_t k = 0; k < args.size(); ++k) {
    const CudaBlockArgs& a = args[k];
    if (a.dtype != dtype || a.n == 0) continue;
    PassBlock p{a.x, a.st0, a.st1, a.grad, a.aux, a.row_scale0, a.row_scale1, a.n, units, (a.n + e - 1) / e,
                a.row_len, a.block, static_cast<int>(k), a.wd_mask, 0};
    p.vec = pass_aligned16(a.x) && pass_aligned16(a.st0) && pass_aligned16(a.st1) ? 1 : 0;
    units += p.units;
    out.push_back(p);
  }
  return units;
}

// The per-tensor sums of a pass (2 per caller's block: squared updates, alphas) into out.
inline void pass_tensor_stats(const double* g, int nb_all, CudaPassStats& out) {
  out.usq_block.resize(static_cast<size_t>(nb_all));
  out.alpha_sum.resize(static_cast<size_t>(nb_all));
  for (int k = 0; k < nb_all; ++k) {
    out.usq_block[static_cast<size_t>(k)] = g[2 * k];
    out.alpha_sum[static_cast<size_t>(k)] = g[2 * k + 1];
  }
}

}  // namespace zs
