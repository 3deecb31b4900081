// Vectorised bulk generation of the zoscope directions on the CPU: eight Philox4x32-10
// counters per iteration in GCC vector registers (AVX2 when the CPU has it, chosen at run
// time), followed by the same float Box-Muller as philox.h, operation for operation, so
// the output is bit-identical to normal4() (tested). Used by the CPU tensor engine and
// the benchmarks; GPU kernels and the landscapes use the scalar header.
#include "core/rng/philox_bulk.h"
#include "core/rng/philox.h"

namespace zs {
namespace {

typedef uint32_t u32x8 __attribute__((vector_size(32)));
typedef int32_t i32x8 __attribute__((vector_size(32)));
typedef uint64_t u64x4 __attribute__((vector_size(32)));
typedef float f32x8 __attribute__((vector_size(32)));

inline void mulhilo8(uint32_t m, u32x8 a, u32x8* hi, u32x8* lo) {
  const u64x4 mask = {0xffffffffull, 0xffffffffull, 0xffffffffull, 0xffffffffull};
  const u64x4 mm = {m, m, m, m};
  const u64x4 pe = ((u64x4)a & mask) * mm;  // lanes 0, 2, 4, 6
  const u64x4 po = ((u64x4)a >> 32) * mm;   // lanes 1, 3, 5, 7
#ifdef __clang__  // the fuzz build (tests/fuzz) compiles core with clang
  *lo = __builtin_shufflevector((u32x8)pe, (u32x8)po, 0, 8, 2, 10, 4, 12, 6, 14);
  *hi = __builtin_shufflevector((u32x8)pe, (u32x8)po, 1, 9, 3, 11, 5, 13, 7, 15);
#else
  *lo = __builtin_shuffle((u32x8)pe, (u32x8)po, (u32x8){0, 8, 2, 10, 4, 12, 6, 14});
  *hi = __builtin_shuffle((u32x8)pe, (u32x8)po, (u32x8){1, 9, 3, 11, 5, 13, 7, 15});
#endif
}

inline f32x8 bits_to_float(u32x8 b) {
  f32x8 f;
  __builtin_memcpy(&f, &b, sizeof f);
  return f;
}
inline u32x8 float_to_bits(f32x8 f) {
  u32x8 b;
  __builtin_memcpy(&b, &f, sizeof b);
  return b;
}
inline f32x8 to_float(u32x8 k) { return __builtin_convertvector((i32x8)k, f32x8); }
inline f32x8 splat(float v) { return f32x8{v, v, v, v, v, v, v, v}; }

inline f32x8 vsqrt(f32x8 x) {
  f32x8 r;
  for (int i = 0; i < 8; ++i) r[i] = __builtin_sqrtf(x[i]);  // compiled with -fno-math-errno: vsqrtps
  return r;
}

// zs_log_uniform24 on eight lanes (same operations, same order).
inline f32x8 log_uniform8(u32x8 k) {
  const f32x8 u = (to_float(k) + 0.5f) * (1.0f / 16777216.0f);
  u32x8 b = float_to_bits(u);
  i32x8 e = (i32x8)((b >> 23) & 0xffu) - 127;
  b = (b & 0x007fffffu) | 0x3f800000u;
  f32x8 m = bits_to_float(b);
  const i32x8 hi = m > 1.41421356f;
  m = hi ? 0.5f * m : m;
  e += hi ? i32x8{1, 1, 1, 1, 1, 1, 1, 1} : i32x8{0, 0, 0, 0, 0, 0, 0, 0};
  const f32x8 v = (to_float(0xffffffu - k) + 0.5f) * (1.0f / 16777216.0f);
  const i32x8 near1 = (i32x8)(k >= 11863284u);
  const f32x8 t = near1 ? -v : m - 1.0f;
  const f32x8 q = 0.3333390951f + t * (-0.2500133812f + t * (0.1996306181f + t * (-0.1657758653f +
                  t * (0.1491479576f + t * (-0.1426747441f + t * 0.0870032832f)))));
  const f32x8 l = t - 0.5f * t * t + t * t * t * q;
  const f32x8 el = __builtin_convertvector(e, f32x8) * 0.693147180559945309f;
  return l + (near1 ? splat(0.0f) : el);
}

// zs_sincos_turn24 on eight lanes.
inline void sincos8(u32x8 k, f32x8* s_out, f32x8* c_out) {
  const u32x8 q = k >> 21;
  const u32x8 f = k & 0x1fffffu;
  const i32x8 odd = (i32x8)((q & 1u) != 0u);
  const f32x8 frac = (to_float(odd ? (0x1fffffu - f) : f) + 0.5f) * (1.0f / 2097152.0f);
  const f32x8 r = frac * 0.785398163397448310f, r2 = r * r;
  const f32x8 sr = r * (1.0f + r2 * (-1.0f / 6 + r2 * (1.0f / 120 + r2 * (-1.0f / 5040 + r2 * (1.0f / 362880)))));
  const f32x8 cr = 1.0f + r2 * (-0.5f + r2 * (1.0f / 24 + r2 * (-1.0f / 720 + r2 * (1.0f / 40320 + r2 * (-1.0f / 3628800)))));
  const f32x8 sp = odd ? cr : sr, cp = odd ? sr : cr;
  const u32x8 quad = q >> 1;
  const i32x8 q0 = (i32x8)(quad == 0u), q1 = (i32x8)(quad == 1u), q2 = (i32x8)(quad == 2u);
  *s_out = q0 ? sp : (q1 ? cp : (q2 ? -sp : -cp));
  *c_out = q0 ? cp : (q1 ? -sp : (q2 ? -cp : sp));
}

__attribute__((target_clones("avx2", "default"))) void normal_fill_impl(uint64_t seed, uint64_t block,
                                                                           uint64_t group0, int64_t ngroups,
                                                                           uint32_t stream, float* out) {
  const uint32_t key0 = static_cast<uint32_t>(seed), key1 = static_cast<uint32_t>(seed >> 32);
  int64_t g = 0;
  for (; g + 8 <= ngroups; g += 8) {
    u32x8 c0, c1, c2, c3;
    for (int l = 0; l < 8; ++l) {
      const uint64_t gg = group0 + static_cast<uint64_t>(g + l);
      c0[l] = static_cast<uint32_t>(gg);
      c3[l] = static_cast<uint32_t>(gg >> 32);
    }
    const uint32_t b32 = static_cast<uint32_t>(block);
    c1 = u32x8{b32, b32, b32, b32, b32, b32, b32, b32};
    c2 = u32x8{stream, stream, stream, stream, stream, stream, stream, stream};
    uint32_t k0 = key0, k1 = key1;
    for (int r = 0; r < 10; ++r) {
      u32x8 hi0, lo0, hi1, lo1;
      mulhilo8(0xD2511F53u, c0, &hi0, &lo0);
      mulhilo8(0xCD9E8D57u, c2, &hi1, &lo1);
      const u32x8 n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
      c0 = n0;
      c1 = lo1;
      c2 = n2;
      c3 = lo0;
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    f32x8 z[4];
    for (int pair = 0; pair < 2; ++pair) {
      const u32x8 w0 = pair ? c2 : c0, w1 = pair ? c3 : c1;
      const f32x8 rad = vsqrt(-2.0f * log_uniform8(w0 >> 8));
      f32x8 s, c;
      sincos8(w1 >> 8, &s, &c);
      z[2 * pair] = rad * c;
      z[2 * pair + 1] = rad * s;
    }
    float* o = out + 4 * g;
    for (int l = 0; l < 8; ++l)
      for (int j = 0; j < 4; ++j) o[4 * l + j] = z[j][l];
  }
  for (; g < ngroups; ++g) normal4(seed, block, group0 + static_cast<uint64_t>(g), stream, out + 4 * g);
}

}  // namespace

void normal_fill(uint64_t seed, uint64_t block, uint64_t group0, int64_t ngroups, uint32_t stream, float* out) {
  normal_fill_impl(seed, block, group0, ngroups, stream, out);
}

}  // namespace zs
