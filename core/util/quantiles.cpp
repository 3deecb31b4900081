// Selection quantiles (quantiles.h).
#include "core/util/quantiles.h"
#include <algorithm>
#include <cmath>
#include <cstddef>

namespace zs {

double quantile_select(std::vector<double>& v, double q) {
  if (v.empty()) return NAN;
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  const double f = pos - static_cast<double>(i);
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(i), v.end());
  const double a = v[i];
  if (f == 0 || i + 1 >= v.size()) return a;
  const double b = *std::min_element(v.begin() + static_cast<ptrdiff_t>(i) + 1, v.end());
  return a * (1 - f) + b * f;
}

namespace {

double lerp(double a, double b, double f) { return f == 0 ? a : a * (1 - f) + b * f; }  // as quantile_select

struct QuartilePositions {
  size_t i[3];  // order statistics at 0.25, 0.5, 0.75 of n - 1
  double f[3];  // interpolation weights towards the next one
  explicit QuartilePositions(size_t n) {
    for (int k = 0; k < 3; ++k) {
      const double p = 0.25 * (k + 1) * static_cast<double>(n - 1);
      i[k] = static_cast<size_t>(p);
      f[k] = p - static_cast<double>(i[k]);
    }
  }
};

}  // namespace

void quartiles_constant(double c, size_t n, double out[5]) {
  const QuartilePositions p(n);
  out[0] = out[4] = c;
  for (int k = 0; k < 3; ++k) out[k + 1] = lerp(c, c, p.f[k]);
}

void quartiles_select(std::vector<double>& v, double out[5]) {
  const size_t n = v.size();
  if (n < 8) {  // small vectors (2-D landscapes): the plain way
    const double qs[5] = {0, 0.25, 0.5, 0.75, 1};
    for (int k = 0; k < 5; ++k) out[k] = quantile_select(v, qs[k]);
    return;
  }
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  if (*lo == *hi) {  // one value: every order statistic is it
    quartiles_constant(*lo, n, out);
    return;
  }
  out[0] = *lo;
  out[4] = *hi;
  const QuartilePositions p(n);
  const size_t i1 = p.i[0], i2 = p.i[1], i3 = p.i[2];
  const double f1 = p.f[0], f2 = p.f[1], f3 = p.f[2];
  const auto at = [&](size_t i) { return v.begin() + static_cast<ptrdiff_t>(i); };
  // Median: v[i2] is the i2-th order statistic, smaller ones before it, larger after.
  std::nth_element(v.begin(), at(i2), v.end());
  const double m = v[i2];
  out[2] = lerp(m, f2 == 0 ? m : *std::min_element(at(i2 + 1), v.end()), f2);
  // Lower quartile inside [0, i2), upper inside (i2, n): the order statistic and its
  // successor (the next one up, which may be the median itself).
  std::nth_element(v.begin(), at(i1), at(i2));  // n >= 8: i1 < i2
  const double a1 = v[i1];
  out[1] = lerp(a1, f1 == 0 ? a1 : i1 + 1 < i2 ? *std::min_element(at(i1 + 1), at(i2)) : m, f1);
  std::nth_element(at(i2 + 1), at(i3), v.end());  // n >= 8: i2 < i3 < n - 1
  const double a3 = v[i3];
  out[3] = lerp(a3, f3 == 0 ? a3 : *std::min_element(at(i3 + 1), v.end()), f3);
}

}  // namespace zs
