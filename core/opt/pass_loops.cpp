// fp32 element loops of the CPU passes (pass_loops.h). Compiled with -ffp-contract=off:
// a variant that fused a multiply and an add would round differently from elem.h.
#include "core/opt/pass_loops.h"

namespace zs {
namespace {

__attribute__((always_inline)) inline void add_scaled(float* __restrict x, const float* __restrict z, float c,
                                                      int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] = x[i] + c * z[i];
}

template <bool kRestore, bool kNext>
__attribute__((always_inline)) inline double sgd_fused(float* __restrict x, const float* __restrict g,
                                                       const float* __restrict zr, float cr,
                                                       const float* __restrict zn, float cn, float lr, float wd,
                                                       int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const auto one = [&](int64_t i, double& a) __attribute__((always_inline)) {
    float v = x[i];
    if (kRestore) v = v + cr * zr[i];
    const float v0 = v;
    v = v - lr * (g[i] + wd * v);
    const float d = v - v0;
    a += static_cast<double>(d) * static_cast<double>(d);
    if (kNext) v = v + cn * zn[i];
    x[i] = v;
  };
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) one(i + j, acc[j]);
  for (int j = 0; i < n; ++i, ++j) one(i, acc[j]);
  return pass_sum8(acc);
}

__attribute__((always_inline)) inline double sgd_any(float* x, const float* g, const float* zr, float cr,
                                                     const float* zn, float cn, float lr, float wd, int64_t n) {
  if (zr && zn) return sgd_fused<true, true>(x, g, zr, cr, zn, cn, lr, wd, n);
  if (zr) return sgd_fused<true, false>(x, g, zr, cr, zn, cn, lr, wd, n);
  if (zn) return sgd_fused<false, true>(x, g, zr, cr, zn, cn, lr, wd, n);
  return sgd_fused<false, false>(x, g, zr, cr, zn, cn, lr, wd, n);
}

// One body per instruction set; the compiler vectorises each for its target.
#define ZS_PASS_VARIANT(attr, suffix)                                                                      \
  attr void add_scaled_##suffix(float* x, const float* z, float c, int64_t n) { add_scaled(x, z, c, n); } \
  attr double sgd_##suffix(float* x, const float* g, const float* zr, float cr, const float* zn, float cn,   \
                           float lr, float wd, int64_t n) {                                                \
    return sgd_any(x, g, zr, cr, zn, cn, lr, wd, n);                                                       \
  }
ZS_PASS_VARIANT(__attribute__((target("avx512f"))), avx512)
ZS_PASS_VARIANT(__attribute__((target("avx2"))), avx2)
ZS_PASS_VARIANT(, portable)
#undef ZS_PASS_VARIANT

}  // namespace

void pass_add_scaled_isa(BulkIsa isa, float* x, const float* z, float c, int64_t n) {
  switch (isa) {
    case BulkIsa::Avx512: add_scaled_avx512(x, z, c, n); return;
    case BulkIsa::Avx2: add_scaled_avx2(x, z, c, n); return;
    case BulkIsa::Portable: add_scaled_portable(x, z, c, n); return;
  }
}

double pass_sgd_fused_isa(BulkIsa isa, float* x, const float* g, const float* zr, float cr, const float* zn, float cn,
                          float lr, float wd, int64_t n) {
  switch (isa) {
    case BulkIsa::Avx512: return sgd_avx512(x, g, zr, cr, zn, cn, lr, wd, n);
    case BulkIsa::Avx2: return sgd_avx2(x, g, zr, cr, zn, cn, lr, wd, n);
    case BulkIsa::Portable: break;
  }
  return sgd_portable(x, g, zr, cr, zn, cn, lr, wd, n);
}

void pass_add_scaled(float* x, const float* z, float c, int64_t n) { pass_add_scaled_isa(bulk_isa_best(), x, z, c, n); }

double pass_sgd_fused(float* x, const float* g, const float* zr, float cr, const float* zn, float cn, float lr,
                      float wd, int64_t n) {
  return pass_sgd_fused_isa(bulk_isa_best(), x, g, zr, cr, zn, cn, lr, wd, n);
}

}  // namespace zs
