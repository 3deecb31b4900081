// N-D landscape families (docs/optimizers.md#n-d-families), one block of d coordinates: a
// log-spaced ill-conditioned quadratic with a seeded Householder rotation, and the chained
// Rosenbrock, Rastrigin, Styblinski-Tang and Ackley functions (Jamil & Yang 2013, "A
// literature survey of benchmark functions for global optimization problems"). Every
// evaluation is O(d) and allocation-free.
#include <cmath>
#include <vector>
#include "core/landscape/catalog.h"
#include "core/landscape/kernels.h"
#include "core/rng/philox.h"

namespace zs {
namespace {

// The pattern p repeated to d coordinates (N-D starts from the 2-D ones).
std::vector<double> tile(const std::vector<double>& p, int d) {
  std::vector<double> v(d);
  for (int i = 0; i < d; ++i) v[i] = p[i % p.size()];
  return v;
}

// 0.5 sum_i lambda_i (Q^T x)_i^2 with lambda_i = kappa^(i/(d-1)) and Q = H_0 H_1 H_2 H_3,
// H_k = I - 2 u_k u_k^T, u_k the normalised vector (normal_at(rotation_seed, k, i))_i.
// Four reflections mix every coordinate with every other at O(d) cost; Q is never formed:
// H_3 H_2 H_1 H_0 x = x - sum_k a_k u_k, with a_k from the dots u_k.x and the 4x4 Gram
// matrix of the u_k, so each product is two passes over x.
struct QuadraticNd {
  static constexpr int kReflections = 4;
  int d;
  bool rotate;
  std::vector<double> lambda;
  std::vector<double> u;  // u_k[i] at u[i * kReflections + k]: one pass reads all four
  double gram[kReflections][kReflections] = {};

  QuadraticNd(const ParamValues& p, int dim) : d(dim), rotate(p.at("rotate") != 0), lambda(dim) {
    const double kappa = p.at("kappa");
    for (int i = 0; i < d; ++i) lambda[i] = std::pow(kappa, static_cast<double>(i) / (d - 1));
    if (!rotate) return;
    const auto seed = static_cast<uint64_t>(p.at("rotation_seed"));
    u.resize(static_cast<size_t>(d) * kReflections);
    for (int k = 0; k < kReflections; ++k) {
      double nn = 0;
      for (int i = 0; i < d; ++i) {
        const double v = normal_at(seed, k, i);
        u[i * kReflections + k] = v;
        nn += v * v;
      }
      const double inv = 1 / std::sqrt(nn);
      for (int i = 0; i < d; ++i) u[i * kReflections + k] *= inv;
    }
    for (int i = 0; i < d; ++i)
      for (int k = 0; k < kReflections; ++k)
        for (int l = 0; l < kReflections; ++l) gram[k][l] += u[i * kReflections + k] * u[i * kReflections + l];
  }

  static LandscapeDef def() {
    return landscape_def("quadratic_nd", "Quadratic (N-D)", true,
                         {param_real("kappa", 1e3, 1, 1e8, true, "condition number: eigenvalues kappa^(i/(d-1))"),
                          param_bool("rotate", true, "rotate the eigenbasis by four seeded Householder reflections"),
                          param_int("rotation_seed", 0, 0, 2147483647, "seed of the rotation")});
  }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("0.5 sum_i lambda_i (Q^T x)_i^2, lambda_i = kappa^(i/(d-1))", -2, 2, -2, 2);
    i.dim = d;
    i.minima = {std::vector<double>(d, 0.0)};
    i.starts = {std::vector<double>(d, 1.0)};
    i.log_colour = true;
    return i;
  }

  // Coefficients c with H_3 H_2 H_1 H_0 w = w - sum_k c_k u_k (H_0 applied first), or
  // H_0 H_1 H_2 H_3 w when `reverse`, given dots[k] = u_k . w: each reflection sees w minus
  // the corrections of those applied before it.
  void reflect_coeffs(const double dots[kReflections], bool reverse, double c[kReflections]) const {
    for (int j = 0; j < kReflections; ++j) {
      const int k = reverse ? kReflections - 1 - j : j;
      double t = dots[k];
      for (int jj = 0; jj < j; ++jj) {
        const int l = reverse ? kReflections - 1 - jj : jj;
        t -= c[l] * gram[k][l];
      }
      c[k] = 2 * t;
    }
  }

  // a such that Q^T x = x - sum_k a_k u_k (H_0 applied first).
  void rotate_coeffs(const double* x, double a[kReflections]) const {
    double dots[kReflections] = {};
    for (int i = 0; i < d; ++i)
      for (int k = 0; k < kReflections; ++k) dots[k] += u[i * kReflections + k] * x[i];
    reflect_coeffs(dots, false, a);
  }

  double rotated(const double* x, const double a[kReflections], int i) const {
    const double* ui = &u[i * kReflections];
    return x[i] - (a[0] * ui[0] + a[1] * ui[1] + a[2] * ui[2] + a[3] * ui[3]);
  }

  double value(const double* x) const {
    double s = 0;
    if (!rotate) {
      for (int i = 0; i < d; ++i) s += lambda[i] * x[i] * x[i];
      return 0.5 * s;
    }
    double a[kReflections];
    rotate_coeffs(x, a);
    for (int i = 0; i < d; ++i) {
      const double y = rotated(x, a, i);
      s += lambda[i] * y * y;
    }
    return 0.5 * s;
  }

  // Q diag(lambda) Q^T x: z = lambda * (Q^T x) goes into g, then Q z = H_0 H_1 H_2 H_3 z
  // (H_3 applied first) in place.
  void gradient(const double* x, double* g) const {
    if (!rotate) {
      for (int i = 0; i < d; ++i) g[i] = lambda[i] * x[i];
      return;
    }
    double a[kReflections], dots[kReflections] = {}, b[kReflections];
    rotate_coeffs(x, a);
    for (int i = 0; i < d; ++i) {
      g[i] = lambda[i] * rotated(x, a, i);
      for (int k = 0; k < kReflections; ++k) dots[k] += u[i * kReflections + k] * g[i];
    }
    reflect_coeffs(dots, true, b);
    for (int i = 0; i < d; ++i) g[i] = rotated(g, b, i);
  }
};

// Rosenbrock 1960, chained over consecutive pairs (a = 1, b = 100): minimum at all ones.
struct RosenbrockNd {
  int d;
  RosenbrockNd(const ParamValues&, int dim) : d(dim) {}
  static LandscapeDef def() { return landscape_def("rosenbrock_nd", "Rosenbrock (N-D)", true, {}); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("sum_{i<d-1} (1 - x_i)^2 + 100 (x_{i+1} - x_i^2)^2", -2, 2, -1, 3);
    i.dim = d;
    i.minima = {std::vector<double>(d, 1.0)};
    i.starts = {tile({-1.2, 1}, d)};
    i.log_colour = true;
    return i;
  }
  double value(const double* x) const { return rosenbrock_value(x, d, 1, 100); }
  void gradient(const double* x, double* g) const { rosenbrock_gradient(x, d, 1, 100, g); }
};

// Rastrigin 1974.
struct RastriginNd {
  int d;
  double A;
  RastriginNd(const ParamValues& p, int dim) : d(dim), A(p.at("A")) {}
  static LandscapeDef def() { return landscape_def("rastrigin_nd", "Rastrigin (N-D)", true, rastrigin_params()); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("A d + sum_i (x_i^2 - A cos 2 pi x_i)", -5.12, 5.12, -5.12, 5.12);
    i.dim = d;
    i.minima = {std::vector<double>(d, 0.0)};
    i.starts = {tile({-2, 3.5}, d)};
    return i;
  }
  double value(const double* x) const { return rastrigin_value(x, d, A); }
  void gradient(const double* x, double* g) const { rastrigin_gradient(x, d, A, g); }
};

// Styblinski & Tang 1990: minimum kStyblinskiTangMinPerDim * d.
struct StyblinskiTangNd {
  int d;
  StyblinskiTangNd(const ParamValues&, int dim) : d(dim) {}
  static LandscapeDef def() { return landscape_def("styblinski_tang_nd", "Styblinski-Tang (N-D)", true, {}); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("0.5 sum_i (x_i^4 - 16 x_i^2 + 5 x_i)", -5, 5, -5, 5);
    i.dim = d;
    i.minima = {std::vector<double>(d, kStyblinskiTangArgmin)};
    i.min_value = kStyblinskiTangMinPerDim * d;
    i.starts = {std::vector<double>(d, 0.0)};
    return i;
  }
  double value(const double* x) const { return styblinski_tang_value(x, d); }
  void gradient(const double* x, double* g) const { styblinski_tang_gradient(x, d, g); }
};

// Ackley 1987: non-smooth at the origin.
struct AckleyNd {
  int d;
  double a, b, c;
  AckleyNd(const ParamValues& p, int dim) : d(dim), a(p.at("a")), b(p.at("b")), c(p.at("c")) {}
  static LandscapeDef def() { return landscape_def("ackley_nd", "Ackley (N-D)", true, ackley_params()); }
  LandscapeInfo info() const {
    LandscapeInfo i =
        landscape_info("-a exp(-b sqrt(mean x_i^2)) - exp(mean cos c x_i) + a + e", -5, 5, -5, 5);
    i.dim = d;
    i.minima = {std::vector<double>(d, 0.0)};
    i.starts = {tile({3, 2.5}, d)};
    i.smooth = false;
    return i;
  }
  double value(const double* x) const { return ackley_value(x, d, a, b, c); }
  void gradient(const double* x, double* g) const { ackley_gradient(x, d, a, b, c, g); }
};

}  // namespace

std::vector<LandscapeEntry> family_nd_entries() {
  return {analytic_entry<QuadraticNd>(), analytic_entry<RosenbrockNd>(), analytic_entry<RastriginNd>(),
          analytic_entry<StyblinskiTangNd>(), analytic_entry<AckleyNd>()};
}

}  // namespace zs
