// Direction generator: Random123 known answers, normal moments, order-independent addressing.
#include <gtest/gtest.h>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>
#include "core/rng/philox.h"

namespace {

TEST(Philox, Random123KnownAnswers) {
  // docs/optimizers.md#philox4x32-10 (Random123 kat_vectors, philox4x32_10).
  zs::Philox4 a = zs::philox4x32_10(zs::Philox4{{0, 0, 0, 0}}, 0, 0);
  EXPECT_EQ(a.v[0], 0x6627e8d5u);
  EXPECT_EQ(a.v[1], 0xe169c58du);
  EXPECT_EQ(a.v[2], 0xbc57ac4cu);
  EXPECT_EQ(a.v[3], 0x9b00dbd8u);
  zs::Philox4 b = zs::philox4x32_10(zs::Philox4{{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}}, 0xffffffffu,
                                    0xffffffffu);
  EXPECT_EQ(b.v[0], 0x408f276du);
  EXPECT_EQ(b.v[1], 0x41c83b0eu);
  EXPECT_EQ(b.v[2], 0xa20bc7c6u);
  EXPECT_EQ(b.v[3], 0x6d5451fdu);
}

TEST(Philox, AddressingIsCounterIndexBlockZero) {
  // Element i of block b is word i%4 of counter (i/4, b, 0) after Box-Muller.
  const uint64_t seed = 0x0123456789abcdefull;
  const zs::Philox4 w = zs::philox4x32_10(zs::Philox4{{7, 3, 0, 0}}, 0x89abcdefu, 0x01234567u);
  float z0, z1;
  zs::box_muller(w.v[0], w.v[1], &z0, &z1);
  EXPECT_EQ(zs::normal_at(seed, 3, 28), z0);
  EXPECT_EQ(zs::normal_at(seed, 3, 29), z1);
}

TEST(Philox, NormalMoments) {
  const int n = 1000000;
  double s = 0, s2 = 0, s4 = 0;
  for (int g = 0; g < n / 4; ++g) {
    float z[4];
    zs::normal4(42, 0, g, 0, z);
    for (float v : z) { s += v; s2 += double(v) * v; s4 += double(v) * v * v * v; }
  }
  const double mean = s / n, var = s2 / n - mean * mean, kurt = s4 / n;
  EXPECT_NEAR(mean, 0.0, 5.0 / std::sqrt(n));          // 5 sigma
  EXPECT_NEAR(var, 1.0, 5.0 * std::sqrt(2.0 / n));     // var of sample variance ~ 2/n
  EXPECT_NEAR(kurt, 3.0, 5.0 * std::sqrt(96.0 / n));   // E z^4 = 3, var(z^4) = 96
}

TEST(Philox, RademacherIsBalanced) {
  const int n = 1000000;
  double s = 0;
  for (int g = 0; g < n / 4; ++g) {
    float z[4];
    zs::rademacher4(9, 1, g, 0, z);
    for (float v : z) { ASSERT_TRUE(v == 1.0f || v == -1.0f); s += v; }
  }
  EXPECT_NEAR(s / n, 0.0, 5.0 / std::sqrt(n));
}

TEST(Philox, OrderIndependent) {
  // Forward, backward and shuffled element orders give the same values bit for bit.
  const uint64_t seed = 1234;
  const int n = 4099;
  std::vector<float> fwd(n), bwd(n), shuf(n);
  for (int i = 0; i < n; ++i) fwd[i] = zs::normal_at(seed, 5, i);
  for (int i = n - 1; i >= 0; --i) bwd[i] = zs::normal_at(seed, 5, i);
  std::vector<int> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::shuffle(idx.begin(), idx.end(), std::mt19937(7));
  for (int i : idx) shuf[i] = zs::normal_at(seed, 5, i);
  EXPECT_EQ(fwd, bwd);
  EXPECT_EQ(fwd, shuf);
  // Bulk generation in groups of four matches element addressing.
  for (int g = 0; g < n / 4; ++g) {
    float z[4];
    zs::normal4(seed, 5, g, 0, z);
    for (int j = 0; j < 4; ++j) ASSERT_EQ(z[j], fwd[4 * g + j]);
  }
  // Different blocks, seeds and streams differ.
  EXPECT_NE(zs::normal_at(seed, 5, 0), zs::normal_at(seed, 6, 0));
  EXPECT_NE(zs::normal_at(seed, 5, 0), zs::normal_at(seed + 1, 5, 0));
  EXPECT_NE(zs::normal_at(seed, 5, 0, 0), zs::normal_at(seed, 5, 0, 1));
}

TEST(Philox, NormalsAreFiniteAtExtremeWords) {
  float a, b;
  zs::box_muller(0u, 0u, &a, &b);
  EXPECT_TRUE(std::isfinite(a) && std::isfinite(b));
  zs::box_muller(0xffffffffu, 0xffffffffu, &a, &b);
  EXPECT_TRUE(std::isfinite(a) && std::isfinite(b));
}

}  // namespace

namespace {

// The host/device Box-Muller uses its own log and sincos; compare with double libm.
TEST(Philox, BoxMullerMatchesDoublePrecisionReference) {
  double worst = 0;
  for (uint64_t g = 0; g < 200000; ++g) {
    const zs::Philox4 w = zs::philox_words(77, 0, g, 0);
    for (int pair = 0; pair < 2; ++pair) {
      const uint32_t w0 = w.v[2 * pair], w1 = w.v[2 * pair + 1];
      float z0, z1;
      zs::box_muller(w0, w1, &z0, &z1);
      const double u1 = ((w0 >> 8) + 0.5) / 16777216.0, u2 = ((w1 >> 8) + 0.5) / 16777216.0;
      const double r = std::sqrt(-2.0 * std::log(u1)), th = 2.0 * M_PI * u2;
      worst = std::max({worst, std::fabs(z0 - r * std::cos(th)) / (1 + std::fabs(r)),
                        std::fabs(z1 - r * std::sin(th)) / (1 + std::fabs(r))});
    }
  }
  EXPECT_LT(worst, 1e-6) << "max |z - z_ref| / (1 + r)";
  // Extreme words: u1 = 2^-25 gives r ~ 5.9; angles at octant boundaries.
  for (uint32_t k : {0u, 0x1fffffu, 0x200000u, 0x7fffffu, 0x800000u, 0xffffffu}) {
    float s, c;
    zs::zs_sincos_turn24(k, &s, &c);
    const double th = 2.0 * M_PI * (k + 0.5) / 16777216.0;
    EXPECT_NEAR(s, std::sin(th), 2e-7);
    EXPECT_NEAR(c, std::cos(th), 2e-7);
  }
  // log of every 24-bit uniform (stride 7), relative error, including u -> 1.
  double worst_log = 0;
  for (uint32_t k = 0; k < (1u << 24); k += 7) {
    const double ref = std::log((k + 0.5) / 16777216.0);
    worst_log = std::max(worst_log, std::fabs(zs::zs_log_uniform24(k) - ref) / std::fabs(ref));
  }
  EXPECT_LT(worst_log, 5e-7);
}

}  // namespace

#include "core/rng/philox_bulk.h"

namespace {

TEST(Philox, BulkFillIsBitIdenticalToNormal4) {
  for (const zs::BulkIsa isa : {zs::BulkIsa::Portable, zs::BulkIsa::Avx2, zs::BulkIsa::Avx512}) {
  if (!zs::bulk_isa_supported(isa)) continue;  // not this CPU's
  SCOPED_TRACE("isa " + std::to_string(static_cast<int>(isa)));
  for (uint64_t seed : {0ull, 1ull, 0xdeadbeefcafef00dull}) {
    for (uint32_t stream : {0u, 1u}) {
      for (int64_t n : {1, 7, 8, 9, 15, 16, 17, 33, 64, 1000, 4097}) {
        const uint64_t g0 = seed % 1000 + (uint64_t(1) << 32) - 3;  // crosses the 2^32 group boundary
        std::vector<float> bulk(static_cast<size_t>(4 * n));
        zs::normal_fill_isa(isa, seed, 17, g0, n, stream, bulk.data());
        for (int64_t g = 0; g < n; ++g) {
          float z[4];
          zs::normal4(seed, 17, g0 + static_cast<uint64_t>(g), stream, z);
          for (int j = 0; j < 4; ++j)
            ASSERT_EQ(bulk[static_cast<size_t>(4 * g + j)], z[j]) << "seed " << seed << " group " << g << " j " << j;
        }
      }
    }
  }
  }
  // normal_fill dispatches to the widest variant this CPU has.
  std::vector<float> a(4 * 100), b(4 * 100);
  zs::normal_fill(5, 3, 0, 100, 0, a.data());
  zs::normal_fill_isa(zs::bulk_isa_best(), 5, 3, 0, 100, 0, b.data());
  EXPECT_EQ(a, b);
}

}  // namespace
