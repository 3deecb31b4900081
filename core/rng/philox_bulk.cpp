// Vectorised bulk generation of the zoscope directions on the CPU: W Philox4x32-10
// counters per iteration in GCC vector registers (W = 16 with AVX-512F, 8 with AVX2, 4 in
// portable (SSE2) code; chosen at run time), followed by the same float Box-Muller as philox.h,
// operation for operation, so the output is bit-identical to normal4() for every variant
// (tested per variant; this file is compiled with -ffp-contract=off so that no variant
// fuses a multiply and an add that normal4() rounds twice). Used by the CPU tensor engine,
// the N-D lab and the benchmarks; GPU kernels and the 2-D landscapes use the scalar header.
#include "core/rng/philox_bulk.h"
#include "core/rng/philox.h"

#include <immintrin.h>

#include <utility>

namespace zs {
namespace {

// Lane types of width W (GCC/clang vector extensions; `v + 1u` broadcasts the scalar).
template <int W>
struct Lanes {
  typedef uint32_t u __attribute__((vector_size(4 * W)));
  typedef int32_t i __attribute__((vector_size(4 * W)));
  typedef uint64_t u64 __attribute__((vector_size(4 * W)));
  typedef float f __attribute__((vector_size(4 * W)));
};

// 32x32->64 products of the even lanes (the low words of the 64-bit lanes; b's high words
// are zero): pmuludq. GCC 12 compiles this product written as u64 vector arithmetic into a
// full 64-bit multiply (three multiplies and six shifts and adds per lane pair), which made
// this generator twice as slow, so for GCC each width calls the intrinsic, carrying its
// target so that flatten can inline it into the variant built for that instruction set.
// Clang selects pmuludq from the expression itself (and refuses the call across targets).
#if defined(__clang__)
template <int W>
__attribute__((always_inline)) inline typename Lanes<W>::u64 mul_even(typename Lanes<W>::u64 a, typename Lanes<W>::u64 b) {
  return (a & 0xffffffffull) * b;
}
#else
template <int W>
typename Lanes<W>::u64 mul_even(typename Lanes<W>::u64 a, typename Lanes<W>::u64 b);
template <>
__attribute__((target("avx512f"))) inline Lanes<16>::u64 mul_even<16>(Lanes<16>::u64 a, Lanes<16>::u64 b) {
  // maskz: the unmasked form trips a false maybe-uninitialized warning in GCC 12's header.
  return (Lanes<16>::u64)_mm512_maskz_mul_epu32(static_cast<__mmask8>(0xff), (__m512i)a, (__m512i)b);
}
template <>
__attribute__((target("avx2"))) inline Lanes<8>::u64 mul_even<8>(Lanes<8>::u64 a, Lanes<8>::u64 b) {
  return (Lanes<8>::u64)_mm256_mul_epu32((__m256i)a, (__m256i)b);
}
template <>
__attribute__((always_inline)) inline Lanes<4>::u64 mul_even<4>(Lanes<4>::u64 a, Lanes<4>::u64 b) {
  return (Lanes<4>::u64)_mm_mul_epu32((__m128i)a, (__m128i)b);
}
#endif

// hi and lo 32 bits of m * a per lane (Philox's mulhilo): lo is the 32-bit product; hi comes
// from the even lanes' and the odd lanes' (shifted down) 64-bit products, recombined
// without shuffles.
template <int W>
__attribute__((always_inline)) inline void mulhilo(uint32_t m, typename Lanes<W>::u a, typename Lanes<W>::u* hi, typename Lanes<W>::u* lo) {
  typedef typename Lanes<W>::u u;
  typedef typename Lanes<W>::u64 u64;
  const u64 mm = u64{} + static_cast<uint64_t>(m);
  const u64 pe = mul_even<W>((u64)a, mm);        // even lanes' products
  const u64 po = mul_even<W>((u64)a >> 32, mm);  // odd lanes' products
  *hi = (u)((pe >> 32) | (po & 0xffffffff00000000ull));
  *lo = a * m;
}

// out[4 l + j] = z[j][l] for the W lanes l: two rounds of two-input shuffles (unpack the
// pairs (z0, z1) and (z2, z3), then take two pairs from each), four vector stores, no lane
// extracts (element by element, GCC built each vector from single-lane extracts and inserts).
template <int W>
constexpr int interleave_index(int i, int half) {  // (a, b) -> a[h], b[h], a[h+1], b[h+1], ...
  return (i % 2 ? W : 0) + half * (W / 2) + i / 2;
}
template <int W>
constexpr int quad_index(int i, int part) {  // lanes 2p, 2p+1 of a then of b, p = i/4 (+ part * W/2)
  return (i % 4 < 2 ? 0 : W) + part * (W / 2) + 2 * (i / 4) + i % 2;
}
template <int W, int... I>
__attribute__((always_inline)) inline void store_transposed(const typename Lanes<W>::f* z, float* o,
                                                             std::integer_sequence<int, I...>) {
  typedef typename Lanes<W>::f f;
  const f a0 = __builtin_shufflevector(z[0], z[1], interleave_index<W>(I, 0)...);
  const f b0 = __builtin_shufflevector(z[2], z[3], interleave_index<W>(I, 0)...);
  const f a1 = __builtin_shufflevector(z[0], z[1], interleave_index<W>(I, 1)...);
  const f b1 = __builtin_shufflevector(z[2], z[3], interleave_index<W>(I, 1)...);
  const f out[4] = {__builtin_shufflevector(a0, b0, quad_index<W>(I, 0)...), __builtin_shufflevector(a0, b0, quad_index<W>(I, 1)...),
                    __builtin_shufflevector(a1, b1, quad_index<W>(I, 0)...), __builtin_shufflevector(a1, b1, quad_index<W>(I, 1)...)};
  __builtin_memcpy(o, out, sizeof out);
}

template <int W>
__attribute__((always_inline)) inline typename Lanes<W>::f to_float(typename Lanes<W>::u k) {
  return __builtin_convertvector((typename Lanes<W>::i)k, typename Lanes<W>::f);
}

template <int W>
__attribute__((always_inline)) inline typename Lanes<W>::f vsqrt(typename Lanes<W>::f x) {
  typename Lanes<W>::f r;
  for (int i = 0; i < W; ++i) r[i] = __builtin_sqrtf(x[i]);  // compiled with -fno-math-errno: vsqrtps
  return r;
}

// zs_log_uniform24 on W lanes (same operations, same order).
template <int W>
__attribute__((always_inline)) inline typename Lanes<W>::f log_uniform(typename Lanes<W>::u k) {
  typedef typename Lanes<W>::u u;
  typedef typename Lanes<W>::i i;
  typedef typename Lanes<W>::f f;
  const f uf = (to_float<W>(k) + 0.5f) * (1.0f / 16777216.0f);
  u b;
  __builtin_memcpy(&b, &uf, sizeof b);
  i e = (i)((b >> 23) & 0xffu) - 127;
  b = (b & 0x007fffffu) | 0x3f800000u;
  f m;
  __builtin_memcpy(&m, &b, sizeof m);
  const i hi = m > 1.41421356f;
  m = hi ? 0.5f * m : m;
  e += hi ? (i{} + 1) : i{};
  const f v = (to_float<W>(0xffffffu - k) + 0.5f) * (1.0f / 16777216.0f);
  const i near1 = (i)(k >= 11863284u);
  const f t = near1 ? -v : m - 1.0f;
  const f q = 0.3333390951f + t * (-0.2500133812f + t * (0.1996306181f + t * (-0.1657758653f +
              t * (0.1491479576f + t * (-0.1426747441f + t * 0.0870032832f)))));
  const f l = t - 0.5f * t * t + t * t * t * q;
  const f el = __builtin_convertvector(e, f) * 0.693147180559945309f;
  return l + (near1 ? f{} : el);
}

// zs_sincos_turn24 on W lanes.
template <int W>
__attribute__((always_inline)) inline void sincos(typename Lanes<W>::u k, typename Lanes<W>::f* s_out, typename Lanes<W>::f* c_out) {
  typedef typename Lanes<W>::u u;
  typedef typename Lanes<W>::i i;
  typedef typename Lanes<W>::f f;
  const u q = k >> 21;
  const u fr = k & 0x1fffffu;
  const i odd = (i)((q & 1u) != 0u);
  const f frac = (to_float<W>(odd ? (0x1fffffu - fr) : fr) + 0.5f) * (1.0f / 2097152.0f);
  const f r = frac * 0.785398163397448310f, r2 = r * r;
  const f sr = r * (1.0f + r2 * (-1.0f / 6 + r2 * (1.0f / 120 + r2 * (-1.0f / 5040 + r2 * (1.0f / 362880)))));
  const f cr = 1.0f + r2 * (-0.5f + r2 * (1.0f / 24 + r2 * (-1.0f / 720 + r2 * (1.0f / 40320 + r2 * (-1.0f / 3628800)))));
  const f sp = odd ? cr : sr, cp = odd ? sr : cr;
  const u quad = q >> 1;
  const i q0 = (i)(quad == 0u), q1 = (i)(quad == 1u), q2 = (i)(quad == 2u);
  *s_out = q0 ? sp : (q1 ? cp : (q2 ? -sp : -cp));
  *c_out = q0 ? cp : (q1 ? -sp : (q2 ? -cp : sp));
}

// W counters per iteration: Philox4x32-10 (philox.h), then Box-Muller on both word pairs.
template <int W>
__attribute__((always_inline)) inline void fill(uint64_t seed, uint64_t block, uint64_t group0, int64_t ngroups, uint32_t stream, float* out) {
  typedef typename Lanes<W>::u u;
  typedef typename Lanes<W>::f f;
  const uint32_t key0 = static_cast<uint32_t>(seed), key1 = static_cast<uint32_t>(seed >> 32);
  int64_t g = 0;
  for (; g + W <= ngroups; g += W) {
    u c0, c1, c2, c3;
    for (int l = 0; l < W; ++l) {
      const uint64_t gg = group0 + static_cast<uint64_t>(g + l);
      c0[l] = static_cast<uint32_t>(gg);
      c3[l] = static_cast<uint32_t>(gg >> 32);
    }
    c1 = u{} + static_cast<uint32_t>(block);
    c2 = u{} + stream;
    uint32_t k0 = key0, k1 = key1;
    for (int r = 0; r < 10; ++r) {
      u hi0, lo0, hi1, lo1;
      mulhilo<W>(0xD2511F53u, c0, &hi0, &lo0);
      mulhilo<W>(0xCD9E8D57u, c2, &hi1, &lo1);
      const u n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
      c0 = n0;
      c1 = lo1;
      c2 = n2;
      c3 = lo0;
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    f z[4];
    for (int pair = 0; pair < 2; ++pair) {
      const u w0 = pair ? c2 : c0, w1 = pair ? c3 : c1;
      const f rad = vsqrt<W>(-2.0f * log_uniform<W>(w0 >> 8));
      f s, c;
      sincos<W>(w1 >> 8, &s, &c);
      z[2 * pair] = rad * c;
      z[2 * pair + 1] = rad * s;
    }
    store_transposed<W>(z, out + 4 * g, std::make_integer_sequence<int, W>{});
  }
  for (; g < ngroups; ++g) normal4(seed, block, group0 + static_cast<uint64_t>(g), stream, out + 4 * g);
}

__attribute__((target("avx512f"), flatten)) void fill_avx512(uint64_t seed, uint64_t block, uint64_t group0, int64_t ngroups,
                                                   uint32_t stream, float* out) {
  fill<16>(seed, block, group0, ngroups, stream, out);
}
__attribute__((target("avx2"), flatten)) void fill_avx2(uint64_t seed, uint64_t block, uint64_t group0, int64_t ngroups,
                                              uint32_t stream, float* out) {
  fill<8>(seed, block, group0, ngroups, stream, out);
}
void fill_portable(uint64_t seed, uint64_t block, uint64_t group0, int64_t ngroups, uint32_t stream, float* out) {
  fill<4>(seed, block, group0, ngroups, stream, out);
}

}  // namespace

bool bulk_isa_supported(BulkIsa isa) {
  switch (isa) {
    case BulkIsa::Avx512: return __builtin_cpu_supports("avx512f");
    case BulkIsa::Avx2: return __builtin_cpu_supports("avx2");
    case BulkIsa::Portable: return true;
  }
  return false;
}

BulkIsa bulk_isa_best() {
  static const BulkIsa best = bulk_isa_supported(BulkIsa::Avx512) ? BulkIsa::Avx512
                              : bulk_isa_supported(BulkIsa::Avx2) ? BulkIsa::Avx2
                                                                   : BulkIsa::Portable;
  return best;
}

void normal_fill_isa(BulkIsa isa, uint64_t seed, uint64_t block, uint64_t group0, int64_t ngroups, uint32_t stream,
                     float* out) {
  switch (isa) {
    case BulkIsa::Avx512: fill_avx512(seed, block, group0, ngroups, stream, out); return;
    case BulkIsa::Avx2: fill_avx2(seed, block, group0, ngroups, stream, out); return;
    case BulkIsa::Portable: fill_portable(seed, block, group0, ngroups, stream, out); return;
  }
}

void normal_fill(uint64_t seed, uint64_t block, uint64_t group0, int64_t ngroups, uint32_t stream, float* out) {
  normal_fill_isa(bulk_isa_best(), seed, block, group0, ngroups, stream, out);
}

}  // namespace zs
