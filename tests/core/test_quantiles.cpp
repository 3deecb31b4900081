// quartiles_select (the per-step step-size quantiles of N-D runs) equals five
// quantile_select calls bit for bit: same order statistics, same interpolation.
#include <gtest/gtest.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>
#include "core/util/quantiles.h"

namespace zs::test {

TEST(Quantiles, QuartilesEqualFiveSelectionsBitForBit) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::uniform_int_distribution<int> small(0, 5);
  for (size_t n : {1, 2, 3, 7, 8, 9, 10, 11, 12, 13, 17, 100, 101, 999, 1000, 1001}) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<double> v(n);
      for (double& x : v) x = trial % 3 == 0 ? static_cast<double>(small(rng)) : std::exp(normal(rng));  // ties, then spread
      if (trial == 1) std::fill(v.begin(), v.end(), 1e-3);  // one value (a plain SGD step size)
      std::vector<double> a = v, b = v;
      double got[5];
      quartiles_select(a, got);
      const double qs[5] = {0, 0.25, 0.5, 0.75, 1};
      for (int k = 0; k < 5; ++k) {
        const double want = quantile_select(b, qs[k]);
        EXPECT_EQ(std::memcmp(&got[k], &want, sizeof want), 0) << "n " << n << " q " << qs[k] << ": " << got[k] << " vs " << want;
      }
      if (trial == 1 && n >= 8) {  // the constant shortcut (runner.cpp) gives the same
        double c[5];
        quartiles_constant(1e-3, n, c);
        EXPECT_EQ(std::memcmp(c, got, sizeof c), 0) << n;
      }
    }
  }
}

}  // namespace zs::test
