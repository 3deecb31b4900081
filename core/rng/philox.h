// Philox4x32-10 counter-based RNG (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC'11; constants from Random123) and the zoscope direction generator built
// on it. One header for host code and CUDA kernels: element i of block b under seed s is
// a pure function of (s, b, i), so any past direction can be regenerated in any order on
// any device (docs/optimizers.md#directions).
#pragma once
#include <cstdint>
#include <cmath>
#include <cstring>

#if defined(__CUDACC__)
#define ZS_HD __host__ __device__ __forceinline__
#else
#define ZS_HD inline
#endif

namespace zs {

struct Philox4 {
  uint32_t v[4];
};

ZS_HD uint32_t philox_mulhilo(uint32_t a, uint32_t b, uint32_t* hi) {
  const uint64_t p = static_cast<uint64_t>(a) * static_cast<uint64_t>(b);
  *hi = static_cast<uint32_t>(p >> 32);
  return static_cast<uint32_t>(p);
}

// Philox4x32 with 10 rounds; key bumped by the Weyl constants between rounds.
ZS_HD Philox4 philox4x32_10(Philox4 ctr, uint32_t k0, uint32_t k1) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
#if defined(__CUDACC__)
#pragma unroll
#endif
  for (int r = 0; r < 10; ++r) {
    uint32_t hi0, hi1;
    const uint32_t lo0 = philox_mulhilo(kM0, ctr.v[0], &hi0);
    const uint32_t lo1 = philox_mulhilo(kM1, ctr.v[2], &hi1);
    ctr = Philox4{{hi1 ^ ctr.v[1] ^ k0, lo1, hi0 ^ ctr.v[3] ^ k1, lo0}};
    k0 += kW0;
    k1 += kW1;
  }
  return ctr;
}

// The four raw words for group g = i/4 of block b in stream `stream` under `seed`:
// counter (g_lo, b, stream, g_hi), key (seed_lo, seed_hi). Stream 0 with g < 2^32 is the
// (i/4, b, 0) addressing of docs/optimizers.md#addressing; streams > 0 give independent extra draws
// (ZO-AdaMU needs two normals per element).
ZS_HD Philox4 philox_words(uint64_t seed, uint64_t block, uint64_t group, uint32_t stream) {
  Philox4 c{{static_cast<uint32_t>(group), static_cast<uint32_t>(block), stream,
             static_cast<uint32_t>(group >> 32)}};
  return philox4x32_10(c, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

// log u for u = (k + 0.5) / 2^24, k a 24-bit integer (the uniform of the top 24 bits of a
// Philox word), in float, branch-free and division-free, with no libm so host and device
// compute the same operations. u = 2^e (1 + t) with 1 + t in [1/sqrt2, sqrt2); above
// 1/sqrt2 we use t = -(1 - u), exact, to keep full relative precision near u = 1. Then
// log1p(t) = t - t^2/2 + t^3 Q(t), Q of degree 6 fitted by scripts/fit_log1p.py
// (max relative error 1.4e-7 in float).
ZS_HD float zs_log_uniform24(uint32_t k) {
  const float u = (static_cast<float>(k) + 0.5f) * (1.0f / 16777216.0f);
  uint32_t b;
  memcpy(&b, &u, 4);
  int e = static_cast<int>((b >> 23) & 0xffu) - 127;
  b = (b & 0x007fffffu) | 0x3f800000u;  // m in [1, 2)
  float m;
  memcpy(&m, &b, 4);
  const bool hi = m > 1.41421356f;
  m = hi ? 0.5f * m : m;
  e += hi ? 1 : 0;
  const float v = (static_cast<float>(0xffffffu - k) + 0.5f) * (1.0f / 16777216.0f);  // 1 - u, exact
  const bool near1 = k >= 11863284u;                                                      // u > 1/sqrt2
  const float t = near1 ? -v : m - 1.0f;                                                   // exact
  const float q = 0.3333390951f + t * (-0.2500133812f + t * (0.1996306181f + t * (-0.1657758653f +
                  t * (0.1491479576f + t * (-0.1426747441f + t * 0.0870032832f)))));
  const float l = t - 0.5f * t * t + t * t * t * q;
  return l + (near1 ? 0.0f : static_cast<float>(e) * 0.693147180559945309f);
}

// sin and cos of 2 pi (k + 0.5) / 2^24 for a 24-bit integer k, reduced exactly in integer
// arithmetic to an octant; Taylor polynomials on [0, pi/4] (truncation < 2e-9).
ZS_HD void zs_sincos_turn24(uint32_t k, float* s_out, float* c_out) {
  const uint32_t q = k >> 21;                       // octant 0..7
  const uint32_t f = k & 0x1fffffu;                 // position inside the octant
  const float frac = (static_cast<float>((q & 1u) ? (0x1fffffu - f) : f) + 0.5f) * (1.0f / 2097152.0f);
  const float r = frac * 0.785398163397448310f, r2 = r * r;  // r in (0, pi/4)
  const float sr = r * (1.0f + r2 * (-1.0f / 6 + r2 * (1.0f / 120 + r2 * (-1.0f / 5040 + r2 * (1.0f / 362880)))));
  const float cr = 1.0f + r2 * (-0.5f + r2 * (1.0f / 24 + r2 * (-1.0f / 720 + r2 * (1.0f / 40320 + r2 * (-1.0f / 3628800)))));
  // psi = angle within the quadrant: odd octants mirror (sin psi = cos r, cos psi = sin r).
  const float sp = (q & 1u) ? cr : sr, cp = (q & 1u) ? sr : cr;
  const uint32_t quad = q >> 1;  // rotate by quad * pi/2
  const float s = (quad == 0) ? sp : (quad == 1) ? cp : (quad == 2) ? -sp : -cp;
  const float c = (quad == 0) ? cp : (quad == 1) ? -sp : (quad == 2) ? -cp : sp;
  *s_out = s;
  *c_out = c;
}

// Box-Muller on a pair of words -> two standard normals (Box & Muller 1958):
// r = sqrt(-2 log u1), theta = 2 pi u2; z0 = r cos theta, z1 = r sin theta.
ZS_HD void box_muller(uint32_t w0, uint32_t w1, float* z0, float* z1) {
  const float r = sqrtf(-2.0f * zs_log_uniform24(w0 >> 8));
  float s, c;
  zs_sincos_turn24(w1 >> 8, &s, &c);
  *z0 = r * c;
  *z1 = r * s;
}

// Four consecutive standard normals: elements 4g..4g+3 of block b.
ZS_HD void normal4(uint64_t seed, uint64_t block, uint64_t group, uint32_t stream, float out[4]) {
  const Philox4 w = philox_words(seed, block, group, stream);
  box_muller(w.v[0], w.v[1], &out[0], &out[1]);
  box_muller(w.v[2], w.v[3], &out[2], &out[3]);
}

// Four consecutive Rademacher signs (+-1) from the top bit of each word.
ZS_HD void rademacher4(uint64_t seed, uint64_t block, uint64_t group, uint32_t stream, float out[4]) {
  const Philox4 w = philox_words(seed, block, group, stream);
  for (int j = 0; j < 4; ++j) out[j] = (w.v[j] & 0x80000000u) ? 1.0f : -1.0f;
}

// One element (any order, any device): the reference the bulk generators must match.
ZS_HD float normal_at(uint64_t seed, uint64_t block, uint64_t index, uint32_t stream = 0) {
  float z[4];
  normal4(seed, block, index >> 2, stream, z);
  return z[index & 3];
}

// SplitMix64 finaliser (Steele et al. 2014): derives per-step / per-query seeds from the
// run seed so that consecutive steps get decorrelated Philox keys.
ZS_HD uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Seed of query q at step t of a run with seed `run_seed`.
ZS_HD uint64_t step_seed(uint64_t run_seed, uint64_t t, uint64_t q) {
  return splitmix64(splitmix64(run_seed ^ 0x5A5A5A5A5A5A5A5Aull) + t * 0x100000001B3ull + q);
}

}  // namespace zs
