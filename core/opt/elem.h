// The element-wise update math of every optimizer (docs/optimizers.md#element-ops), written
// once for every backend: the Eigen engine of the landscapes (T = double), the CPU tensor
// engine and the CUDA kernels of LLM mode (T = float, storage fp32/bf16/fp16). Host logic
// fills an ElemRequest (scalars, seeds, coefficients); a backend walks the parameter
// blocks in groups of four consecutive elements (one Philox call yields four normals) and
// calls elem_apply_group for each. Directions are regenerated here, never stored.
#pragma once
#include <cstdint>
#include <cmath>
#include "core/rng/philox.h"

namespace zs {

enum ElemOp : int32_t {
  kOpPerturb = 0,     // x += sum_k c1[k] z_k
  kOpPerturbHiZOO,    // x += c1[0] z / sqrt(H)                      (st0 = H)
  kOpPerturbAdaMU,    // x += c1[0] m_t(m_{t-1}, fresh draws)        (st0 = m_{t-1})
  kOpSgd,             // x -= lr (g + wd x)
  kOpSign,            // x -= lr (sign(g) + wd x)
  kOpMomentum,        // b = mu b + g; x -= lr (b | g + mu b)         (st0 = b)
  kOpAdam,            // Adam / AdamW / ZO-Adam / R-AdaZO             (st0 = m, st1 = v)
  kOpAdaMeZO,         // m = sum c1 z, v = sum c2 z^2, regenerated  (no state)
  kOpHiZOO,           // diagonal Hessian EMA + preconditioned step  (st0 = H)
  kOpAdaMU,           // ZO-AdaMU update with momentum in the perturbation (st0 = m)
  kOpNagedDual,       // AdaNAGED-P pass 1: momentum, u to aux      (st0 = m)
  kOpNagedStep,       // AdaNAGED-P pass 2: x -= gamma * LMO(u)     (st0 = m, st1 = o for msign)
  kOpCount
};

enum DirDist : int32_t { kDirGaussian = 0, kDirRademacher = 1, kDirTable = 2 };

enum ElemFlag : int32_t {
  kFlagGradBuffer = 1 << 0,       // g comes from the gradient buffer (first-order)
  kFlagNesterov = 1 << 1,         // momentum: Nesterov form
  kFlagDecoupledWd = 1 << 2,      // AdamW: wd applied to x, not added to g
  kFlagDeltaInsideSqrt = 1 << 3,  // 1/sqrt(v + delta) instead of 1/(sqrt(v) + delta)
  kFlagVFromM = 1 << 4,           // R-AdaZO: second moment built from m, not g
  kFlagNagedMomentum = 1 << 5,    // AdaNAGED-P: momentum on
  kFlagNagedEuclid = 1 << 6,      // AdaNAGED-P: Euclidean LMO u/||u|| (DoG special case)
  kFlagNagedMatrix = 1 << 7,      // AdaNAGED-P: o read from st1 (msign computed by the engine)
  kFlagNagedAuxOnly = 1 << 8,     // AdaNAGED-P step pass: only report u in aux (engine's msign)
  kFlagTrialMove = 1 << 9,        // a move between trial points (ZO-SGD-Cons): not the step's update
};

constexpr int kMaxSeeds = 64;
// Direction slots: k < n_seeds is seeds[k]; then the restore and the next-perturbation seeds.
constexpr int kSlotRestore = kMaxSeeds;
constexpr int kSlotNext = kMaxSeeds + 1;

// Plain data, copyable to a CUDA kernel argument. Unused fields stay zero.
struct ElemRequest {
  int32_t op = kOpPerturb;
  int32_t dist = kDirGaussian;
  int32_t n_seeds = 0;
  int32_t flags = 0;
  // Only the first n_seeds entries are read (left uninitialised: requests are built per step).
  uint64_t seeds[kMaxSeeds];
  double c1[kMaxSeeds];  // g = sum c1[k] z_k (AdaMeZO: first-moment weights)
  double c2[kMaxSeeds];  // AdaMeZO: second-moment weights on z_k^2
  uint64_t restore_seed = 0;  // before the update: x += restore_coef * dir(restore_seed)
  double restore_coef = 0;    //   (the op's own direction: z, z/sqrt(H) or m_t)
  uint64_t next_seed = 0;     // after the update: x += next_coef * z(next_seed)
  double next_coef = 0;       //   (fuses the next step's first perturbation)
  double lr = 0, wd = 0, beta1 = 0, beta2 = 0, delta = 0, gain = 1;
  double bc1 = 1, bc2 = 1;    // Adam bias-correction divisors 1 - beta^t
  double alpha = 0;           // ZO-AdaMU mixing weight
  double hess = 0;            // HiZOO: |l+ + l- - 2 l0| / (2 eps^2)
  double gamma = 0;           // AdaNAGED-P step
  const double* table = nullptr;  // kDirTable: rows of length table_dim
  int64_t table_rows = 0, table_dim = 0;
  const double* block_scale = nullptr;  // AdaNAGED-P Euclid: 1/||u_b|| per block
};

// Perturbation ops move x to a probe point; every other op is an optimizer's update.
ZS_HD constexpr bool elem_op_perturbs(int32_t op) {
  return op == kOpPerturb || op == kOpPerturbHiZOO || op == kOpPerturbAdaMU;
}
// Whether a pass is the step's update, whose realised change and alpha every engine reports
// as the step's statistics: not a perturbation, and not a move between trial points.
ZS_HD constexpr bool elem_is_update(const ElemRequest& r) {
  return !elem_op_perturbs(r.op) && !(r.flags & kFlagTrialMove);
}

// Where a group of up to four consecutive elements of one block lives.
template <class T, class S>
struct ElemGroup {
  S* x = nullptr;                            // parameters (storage type S)
  T* st[2] = {nullptr, nullptr};             // optimizer state slots (compute type)
  const T* grad = nullptr;                   // first-order gradient
  int n = 4;                                 // valid elements (1..4)
  uint64_t block = 0;                        // Philox block id
  uint64_t group = 0;                        // index / 4 within the block
  int64_t offset = 0;                        // global index of the group's first element
  T wd_mask = 1;                             // 0 for biases and norm weights
};

// Per-element results the backends reduce into statistics.
template <class T>
struct ElemOut {
  T delta[4];  // realized update (x_new - x_restored), perturbations excluded
  T alpha[4];  // effective per-dimension step size (docs/optimizers.md#effective-step-size)
  T aux[4];    // AdaNAGED-P dual pass: u
};

template <class T, class S>
ZS_HD T elem_load(S s) { return static_cast<T>(s); }
template <class S, class T>
ZS_HD S elem_store(T t) { return static_cast<S>(t); }

// Four directions for one seed; table mode reads rows cyclically (the "fixed directions"
// mode: seed k selects row k mod rows).
template <class T>
ZS_HD void elem_dir(const ElemRequest& r, uint64_t seed, uint64_t block, uint64_t group,
                    int64_t offset, int n, uint32_t stream, T z[4]) {
  if (r.dist == kDirTable) {
    const double* row = r.table + static_cast<int64_t>(seed % static_cast<uint64_t>(r.table_rows)) * r.table_dim;
    for (int j = 0; j < 4; ++j) z[j] = j < n ? static_cast<T>(row[offset + j]) : T(0);
    return;
  }
  float f[4] = {0, 0, 0, 0};
  if (r.dist == kDirRademacher) {
    rademacher4(seed, block, group, stream, f);
  } else {
    const Philox4 w = philox_words(seed, block, group, stream);
    box_muller(w.v[0], w.v[1], &f[0], &f[1]);
    if (n > 2) box_muller(w.v[2], w.v[3], &f[2], &f[3]);  // a 2-D point needs one pair
  }
  for (int j = 0; j < 4; ++j) z[j] = static_cast<T>(f[j]);
}

ZS_HD uint64_t elem_slot_seed(const ElemRequest& r, int slot) {
  return slot == kSlotRestore ? r.restore_seed : (slot == kSlotNext ? r.next_seed : r.seeds[slot]);
}

// Where the element code gets its directions: dirs.get(slot, stream, z) fills the four
// values of direction `slot` for the current group. PhiloxDirs regenerates them on the
// spot (GPU threads, the landscape engine), reusing the last one when the same seed is
// asked again (the restore seed is usually the update's seed). The CPU tensor engine
// passes buffers filled by the vectorised bulk generator instead (same values).
template <class T, class S>
struct PhiloxDirs {
  const ElemRequest& r;
  const ElemGroup<T, S>& e;
  uint64_t last_seed[2] = {0, 0};  // one entry per stream parity (ZO-AdaMU draws streams 0 and 1)
  uint32_t last_stream[2] = {0xffffffffu, 0xffffffffu};
  T last[2][4];
  ZS_HD PhiloxDirs(const ElemRequest& req, const ElemGroup<T, S>& grp) : r(req), e(grp) {}
  ZS_HD void get(int slot, uint32_t stream, T z[4]) {
    const uint64_t seed = elem_slot_seed(r, slot);
    const int c = stream & 1u;
    if (last_stream[c] != stream || seed != last_seed[c]) {
      elem_dir<T>(r, seed, e.block, e.group, e.offset, e.n, stream, last[c]);
      last_seed[c] = seed;
      last_stream[c] = stream;
    }
    for (int j = 0; j < 4; ++j) z[j] = last[c][j];
  }
};

// g = sum_k c1[k] z_k, or the gradient buffer for first-order methods.
template <class T, class S, class Dirs>
ZS_HD void elem_grad(const ElemRequest& r, const ElemGroup<T, S>& e, Dirs& d, T g[4]) {
  for (int j = 0; j < 4; ++j) g[j] = T(0);
  if (r.flags & kFlagGradBuffer) {
    for (int j = 0; j < e.n; ++j) g[j] = e.grad[j];
    return;
  }
  for (int k = 0; k < r.n_seeds; ++k) {
    T z[4];
    d.get(k, 0, z);
    const T c = static_cast<T>(r.c1[k]);
    for (int j = 0; j < 4; ++j) g[j] += c * z[j];
  }
}

ZS_HD double elem_sqrt(double v) { return sqrt(v); }
ZS_HD float elem_sqrt(float v) { return sqrtf(v); }
template <class T> ZS_HD T elem_sign(T v) { return v > T(0) ? T(1) : (v < T(0) ? T(-1) : T(0)); }

// ZO-AdaMU direction (Jiang et al. AAAI 2024, eq. 4-5, variance form):
// zdot ~ N(0, alpha), zddot ~ N(m_{t-1}, 1 - alpha), m_t = b1 zdot + (1 - b1) zddot,
// v_t = b2 zdot^2 + (1 - b2) zddot^2. Draws: stream 0 and stream 1 of the step seed.
template <class T, class S, class Dirs>
ZS_HD void elem_adamu_dir(const ElemRequest& r, const ElemGroup<T, S>& e, Dirs& d, int slot, T mt[4], T vt[4]) {
  T n1[4], n2[4];
  d.get(slot, 0, n1);
  d.get(slot, 1, n2);
  const T sa = elem_sqrt(static_cast<T>(r.alpha)), sb = elem_sqrt(static_cast<T>(1.0 - r.alpha));
  const T b1 = static_cast<T>(r.beta1), b2 = static_cast<T>(r.beta2);
  for (int j = 0; j < 4; ++j) {
    const T mp = j < e.n ? e.st[0][j] : T(0);
    const T zd = sa * n1[j], zdd = mp + sb * n2[j];
    mt[j] = b1 * zd + (T(1) - b1) * zdd;
    vt[j] = b2 * zd * zd + (T(1) - b2) * zdd * zdd;
  }
}

// The op's own perturbation direction for one seed (used for perturb and restore).
template <class T, class S, class Dirs>
ZS_HD void elem_op_dir(const ElemRequest& r, const ElemGroup<T, S>& e, Dirs& dirs, int32_t op, int slot, T d[4]) {
  if (op == kOpPerturbAdaMU || op == kOpAdaMU) {
    T vt[4];
    elem_adamu_dir(r, e, dirs, slot, d, vt);
    return;
  }
  dirs.get(slot, 0, d);
  if (op == kOpPerturbHiZOO || op == kOpHiZOO)
    for (int j = 0; j < e.n; ++j) d[j] /= elem_sqrt(e.st[0][j]);
}

// The directions an op reads, as (slot, stream) pairs: what a backend must generate
// before running elem_apply_group with pre-filled direction buffers. Returns the count.
ZS_HD int elem_dir_slots(const ElemRequest& r, int slots[kMaxSeeds + 4], uint32_t streams[kMaxSeeds + 4]) {
  int n = 0;
  const bool adamu = r.op == kOpPerturbAdaMU || r.op == kOpAdaMU;
  auto add = [&](int slot, uint32_t stream) { slots[n] = slot; streams[n] = stream; ++n; };
  const bool perturb = elem_op_perturbs(r.op);
  if (!perturb && r.restore_coef != 0.0) {
    add(kSlotRestore, 0);
    if (adamu) add(kSlotRestore, 1);
  }
  if (r.op == kOpPerturbHiZOO || r.op == kOpHiZOO) {
    add(0, 0);
  } else if (adamu) {
    add(0, 0);
    add(0, 1);
  } else if (!(r.flags & kFlagGradBuffer)) {
    for (int k = 0; k < r.n_seeds; ++k) add(k, 0);
  }
  if (!perturb && r.next_coef != 0.0) add(kSlotNext, 0);
  return n;
}

// One group: restore, the op's update, next perturbation. Returns per-element results.
// kOp fixes the op at compile time (the CUDA kernels specialise per op); the default
// kOpCount reads it from the request.
template <int32_t kOp = kOpCount, class T, class S, class Dirs>
ZS_HD void elem_apply_group(const ElemRequest& r, const ElemGroup<T, S>& e, Dirs& dirs, ElemOut<T>& out) {
  const int32_t op = kOp == kOpCount ? r.op : kOp;
  T x[4];
  for (int j = 0; j < 4; ++j) {
    x[j] = j < e.n ? elem_load<T, S>(e.x[j]) : T(0);
    out.delta[j] = T(0);
    out.alpha[j] = T(0);
    out.aux[j] = T(0);
  }
  const T lr = static_cast<T>(r.lr), wd = static_cast<T>(r.wd) * e.wd_mask;

  if (op == kOpPerturb) {
    for (int k = 0; k < r.n_seeds; ++k) {
      T z[4];
      dirs.get(k, 0, z);
      const T c = static_cast<T>(r.c1[k]);
      for (int j = 0; j < e.n; ++j) x[j] += c * z[j];
    }
  } else if (op == kOpPerturbHiZOO || op == kOpPerturbAdaMU) {
    T d[4];
    elem_op_dir(r, e, dirs, op, 0, d);
    const T c = static_cast<T>(r.c1[0]);
    for (int j = 0; j < e.n; ++j) x[j] += c * d[j];
  } else {
    if (r.restore_coef != 0.0) {
      T d[4];
      elem_op_dir(r, e, dirs, op, kSlotRestore, d);
      const T c = static_cast<T>(r.restore_coef);
      for (int j = 0; j < e.n; ++j) x[j] += c * d[j];
    }
    T x0[4];
    for (int j = 0; j < 4; ++j) x0[j] = x[j];
    switch (op) {
      case kOpSgd: {  // MeZO: x -= lr (p z + wd x) (Malladi et al. 2023, Alg. 1)
        T g[4];
        elem_grad(r, e, dirs, g);
        for (int j = 0; j < e.n; ++j) { x[j] -= lr * (g[j] + wd * x[j]); out.alpha[j] = lr; }
        break;
      }
      case kOpSign: {  // ZO-SGD-Sign, element-wise form (ZO-Bench, Zhang et al. 2024)
        T g[4];
        elem_grad(r, e, dirs, g);
        for (int j = 0; j < e.n; ++j) { x[j] -= lr * (elem_sign(g[j]) + wd * x[j]); out.alpha[j] = lr; }
        break;
      }
      case kOpMomentum: {  // torch.optim.SGD semantics: wd into g, b = mu b + g, Nesterov g + mu b
        T g[4];
        elem_grad(r, e, dirs, g);
        const T mu = static_cast<T>(r.beta1);
        for (int j = 0; j < e.n; ++j) {
          const T gj = g[j] + wd * x[j];
          const T b = mu * e.st[0][j] + gj;
          e.st[0][j] = b;
          x[j] -= lr * ((r.flags & kFlagNesterov) ? gj + mu * b : b);
          out.alpha[j] = lr;
        }
        break;
      }
      case kOpAdam: {  // Adam (Kingma & Ba 2015, Alg. 1); AdamW (Loshchilov & Hutter 2019); R-AdaZO (Shu et al. 2025, Alg. 1)
        T g[4];
        elem_grad(r, e, dirs, g);
        const T b1 = static_cast<T>(r.beta1), b2 = static_cast<T>(r.beta2), dl = static_cast<T>(r.delta);
        const T ibc1 = T(1) / static_cast<T>(r.bc1), ibc2 = T(1) / static_cast<T>(r.bc2);
        const bool decoupled = (r.flags & kFlagDecoupledWd) != 0;
        for (int j = 0; j < e.n; ++j) {
          const T gj = decoupled ? g[j] : g[j] + wd * x[j];
          const T m = b1 * e.st[0][j] + (T(1) - b1) * gj;
          const T src = (r.flags & kFlagVFromM) ? m : gj;
          const T v = b2 * e.st[1][j] + (T(1) - b2) * src * src;
          e.st[0][j] = m;
          e.st[1][j] = v;
          const T vh = v * ibc2;
          const T den = (r.flags & kFlagDeltaInsideSqrt) ? elem_sqrt(vh + dl) : elem_sqrt(vh) + dl;
          const T a = den > T(0) ? lr / den : T(0);
          x[j] -= a * m * ibc1 + (decoupled ? lr * wd * x[j] : T(0));
          out.alpha[j] = a;
        }
        break;
      }
      case kOpAdaMeZO: {  // AdaMeZO (Cai et al. ICML 2026, Alg. 1): moments regenerated from the last h (seed, p)
        T m[4] = {0, 0, 0, 0}, v[4] = {0, 0, 0, 0};
        for (int k = 0; k < r.n_seeds; ++k) {
          T z[4];
          dirs.get(k, 0, z);
          const T a1 = static_cast<T>(r.c1[k]), a2 = static_cast<T>(r.c2[k]);
          for (int j = 0; j < 4; ++j) { m[j] += a1 * z[j]; v[j] += a2 * z[j] * z[j]; }
        }
        const T gain = static_cast<T>(r.gain), dl = static_cast<T>(r.delta);
        for (int j = 0; j < e.n; ++j) {
          const T den = (r.flags & kFlagDeltaInsideSqrt) ? elem_sqrt(v[j] + dl) : elem_sqrt(v[j]) + dl;
          const T a = den > T(0) ? lr * gain / den : T(0);  // v = 0 and delta = 0: no information, no step
          x[j] -= a * m[j] + lr * wd * x[j];
          out.alpha[j] = a;
        }
        break;
      }
      case kOpHiZOO: {  // HiZOO (Zhao et al. ICLR 2025, Alg. 1): H EMA with |l+ + l- - 2 l0|/(2 eps^2) H z^2
        T z[4];
        dirs.get(0, 0, z);
        const T a = static_cast<T>(r.alpha), hs = static_cast<T>(r.hess), p = static_cast<T>(r.c1[0]);
        for (int j = 0; j < e.n; ++j) {
          const T h0 = e.st[0][j];
          T h = (T(1) - a) * h0 + a * hs * h0 * z[j] * z[j];
          if (!(h > T(1e-12))) h = T(1e-12);  // keep the preconditioner positive and finite
          e.st[0][j] = h;
          x[j] -= lr * (p * z[j] / elem_sqrt(h) + wd * x[j]);
          out.alpha[j] = lr / h;
        }
        break;
      }
      case kOpAdaMU: {  // ZO-AdaMU (Jiang et al. AAAI 2024, eq. 6): x -= lr p m_t / sqrt(v_t + eps)
        T mt[4], vt[4];
        elem_adamu_dir(r, e, dirs, 0, mt, vt);
        const T p = static_cast<T>(r.c1[0]), dl = static_cast<T>(r.delta);
        for (int j = 0; j < e.n; ++j) {
          const T a = lr / elem_sqrt(vt[j] + dl);
          x[j] -= a * p * mt[j] + lr * wd * x[j];
          e.st[0][j] = mt[j];
          out.alpha[j] = a;
        }
        break;
      }
      case kOpNagedDual:
      case kOpNagedStep: {  // AdaNAGED-P (docs/optimizers.md#adanaged-p steps 3-5): u from momentum, then LMO step
        T g[4];
        elem_grad(r, e, dirs, g);
        const T be = static_cast<T>(r.beta1);
        const bool mom = (r.flags & kFlagNagedMomentum) != 0;
        for (int j = 0; j < e.n; ++j) {
          T u = g[j];
          if (mom) {
            T m = e.st[0][j];
            if (op == kOpNagedDual) { m = be * m + (T(1) - be) * g[j]; e.st[0][j] = m; }
            u = (r.flags & kFlagNesterov) ? be * m + (T(1) - be) * g[j] : m;
          }
          if (op == kOpNagedDual || (r.flags & kFlagNagedAuxOnly)) { out.aux[j] = u; continue; }
          T o, a = static_cast<T>(r.gamma);
          if (r.flags & kFlagNagedMatrix) o = e.st[1][j];
          else if (r.flags & kFlagNagedEuclid) { const T s = static_cast<T>(r.block_scale[e.block]); o = u * s; a *= s; }
          else o = elem_sign(u);
          x[j] -= static_cast<T>(r.gamma) * o;
          out.alpha[j] = a;
        }
        break;
      }
      default: break;
    }
    for (int j = 0; j < e.n; ++j) out.delta[j] = x[j] - x0[j];
  }
  if (r.next_coef != 0.0) {
    T z[4];
    dirs.get(kSlotNext, 0, z);
    const T c = static_cast<T>(r.next_coef);
    for (int j = 0; j < e.n; ++j) x[j] += c * z[j];
  }
  for (int j = 0; j < e.n; ++j) e.x[j] = elem_store<S, T>(x[j]);
}

// Convenience: regenerate directions on the spot.
template <class T, class S>
ZS_HD void elem_apply_group(const ElemRequest& r, const ElemGroup<T, S>& e, ElemOut<T>& out) {
  PhiloxDirs<T, S> dirs(r, e);
  elem_apply_group(r, e, dirs, out);
}

}  // namespace zs
