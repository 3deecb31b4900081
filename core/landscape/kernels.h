// N-D test-function kernels shared by the 2-D classics (d = 2) and the N-D families:
// plain loops on plain buffers, inline so that the 2-D instances become straight-line
// code. Formulas as in Jamil & Yang 2013, "A literature survey of benchmark functions
// for global optimization problems" (IJMMNO 4(2)).
#pragma once
#include <cmath>
#include <numbers>
#include <vector>
#include "core/landscape/catalog.h"

namespace zs {

// Styblinski & Tang 1990: the per-coordinate minimiser (root of 4x^3 - 32x + 5 near -2.9)
// and minimum, located with 40-digit Newton iterations (mpmath) and rounded to double.
constexpr double kStyblinskiTangArgmin = -2.903534027771177;
constexpr double kStyblinskiTangMinPerDim = -39.16616570377141;

// Rosenbrock 1960, chained form: sum_{i<d-1} (a - x_i)^2 + b (x_{i+1} - x_i^2)^2.
inline double rosenbrock_value(const double* x, int d, double a, double b) {
  double s = 0;
  for (int i = 0; i + 1 < d; ++i) {
    const double u = a - x[i], v = x[i + 1] - x[i] * x[i];
    s += u * u + b * v * v;
  }
  return s;
}

inline void rosenbrock_gradient(const double* x, int d, double a, double b, double* g) {
  for (int i = 0; i < d; ++i) g[i] = 0;
  for (int i = 0; i + 1 < d; ++i) {
    const double v = x[i + 1] - x[i] * x[i];
    g[i] += -2 * (a - x[i]) - 4 * b * x[i] * v;
    g[i + 1] += 2 * b * v;
  }
}

// Rastrigin 1974: A d + sum_i (x_i^2 - A cos(2 pi x_i)).
inline double rastrigin_value(const double* x, int d, double A) {
  constexpr double k2Pi = 2 * std::numbers::pi;
  double s = A * d;
  for (int i = 0; i < d; ++i) s += x[i] * x[i] - A * std::cos(k2Pi * x[i]);
  return s;
}

inline void rastrigin_gradient(const double* x, int d, double A, double* g) {
  constexpr double k2Pi = 2 * std::numbers::pi;
  for (int i = 0; i < d; ++i) g[i] = 2 * x[i] + k2Pi * A * std::sin(k2Pi * x[i]);
}

// Styblinski & Tang 1990: 0.5 sum_i (x_i^4 - 16 x_i^2 + 5 x_i).
inline double styblinski_tang_value(const double* x, int d) {
  double s = 0;
  for (int i = 0; i < d; ++i) {
    const double t = x[i] * x[i];
    s += t * t - 16 * t + 5 * x[i];
  }
  return 0.5 * s;
}

inline void styblinski_tang_gradient(const double* x, int d, double* g) {
  for (int i = 0; i < d; ++i) g[i] = 2 * x[i] * x[i] * x[i] - 16 * x[i] + 2.5;
}

// Ackley 1987: -a exp(-b sqrt(mean x_i^2)) - exp(mean cos(c x_i)) + a + e.
inline double ackley_value(const double* x, int d, double a, double b, double c) {
  double sq = 0, cs = 0;
  for (int i = 0; i < d; ++i) {
    sq += x[i] * x[i];
    cs += std::cos(c * x[i]);
  }
  return -a * std::exp(-b * std::sqrt(sq / d)) - std::exp(cs / d) + a + std::numbers::e;
}

inline void ackley_gradient(const double* x, int d, double a, double b, double c, double* g) {
  double sq = 0, cs = 0;
  for (int i = 0; i < d; ++i) {
    sq += x[i] * x[i];
    cs += std::cos(c * x[i]);
  }
  const double r = std::sqrt(sq / d);
  // The radial term has a cone at the origin; 0 is in its subdifferential, and the
  // guard keeps x_i / r from becoming 0/0 there.
  const double radial = r > 0 ? a * b * std::exp(-b * r) / (d * r) : 0.0;
  const double wave = std::exp(cs / d) * c / d;
  for (int i = 0; i < d; ++i) g[i] = radial * x[i] + wave * std::sin(c * x[i]);
}

// Shape parameters shared by the 2-D function and its N-D family.
inline std::vector<ParamDecl> rastrigin_params() {
  return {param_real("A", 10, 0, 100, false, "amplitude of the cosine ripples")};
}

inline std::vector<ParamDecl> ackley_params() {
  return {param_real("a", 20, 0, 100, false, "depth of the central funnel"),
          param_real("b", 0.2, 0.01, 10, false, "decay rate of the funnel"),
          param_real("c", 2 * std::numbers::pi, 0, 20, false, "frequency of the ripples")};
}

}  // namespace zs
