// Philox4x32-10 counter-based RNG (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC'11; constants from Random123) and the zoscope direction generator built
// on it. One header for host code and CUDA kernels: element i of block b under seed s is
// a pure function of (s, b, i), so any past direction can be regenerated in any order on
// any device (OPTIMIZERS.md section 0).
#pragma once
#include <cstdint>
#include <cmath>

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
// (i/4, b, 0) addressing of OPTIMIZERS.md; streams > 0 give independent extra draws
// (ZO-AdaMU needs two normals per element).
ZS_HD Philox4 philox_words(uint64_t seed, uint64_t block, uint64_t group, uint32_t stream) {
  Philox4 c{{static_cast<uint32_t>(group), static_cast<uint32_t>(block), stream,
             static_cast<uint32_t>(group >> 32)}};
  return philox4x32_10(c, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

// Uniform in the open interval (0, 1) from the top 24 bits: exact in float, never 0 or 1.
ZS_HD float philox_uniform(uint32_t w) {
  return (static_cast<float>(w >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

// Box-Muller on a pair of words -> two standard normals (float math on host and device,
// so CPU and GPU agree to a few ulp).
ZS_HD void box_muller(uint32_t w0, uint32_t w1, float* z0, float* z1) {
  const float u1 = philox_uniform(w0);
  const float u2 = philox_uniform(w1);
  const float r = sqrtf(-2.0f * logf(u1));
  const float th = 6.28318530717958647692f * u2;
#if defined(__CUDA_ARCH__)
  float s, c;
  sincosf(th, &s, &c);
#else
  const float s = sinf(th), c = cosf(th);
#endif
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
