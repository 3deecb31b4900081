// The 2-D landscapes of docs/optimizers.md#two-dimensional-functions with analytic gradients: the classic
// benchmark functions (Jamil & Yang 2013, "A literature survey of benchmark functions for
// global optimization problems"), the AdaMeZO notebook's two, ZO-AdaMU's four
// (Jiang et al., AAAI 2024) and Dupont's two wells. Non-smooth ones return the
// subgradient with sign(0) = 0.
#include <cmath>
#include <limits>
#include <numbers>
#include "core/landscape/catalog.h"
#include "core/landscape/kernels.h"

namespace zs {
namespace {

double sign0(double v) { return (v > 0) - (v < 0); }

// Rosenbrock 1960, "An automatic method for finding the greatest or least value of a function".
struct Rosenbrock {
  double a, b;
  Rosenbrock(const ParamValues& p, int) : a(p.at("a")), b(p.at("b")) {}
  static LandscapeDef def() {
    return landscape_def("rosenbrock", "Rosenbrock", false,
                         {param_real("a", 1, -1.5, 1.5, false, "minimum at (a, a^2)"),
                          param_real("b", 100, 1, 1e4, true, "steepness of the curved valley")});
  }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("(a - x)^2 + b (y - x^2)^2", -2, 2, -1, 3);
    i.minima = {{a, a * a}};
    i.starts = {{-1.2, 1}, {-2, 2}};
    i.log_colour = true;
    return i;
  }
  double value(const double* x) const { return rosenbrock_value(x, 2, a, b); }
  void gradient(const double* x, double* g) const { rosenbrock_gradient(x, 2, a, b, g); }
};

// Beale 1958 (Jamil & Yang 2013); `offset` keeps log colour finite at the minimum, as the
// AdaMeZO notebook does with 1e-3.
struct Beale {
  double offset;
  Beale(const ParamValues& p, int) : offset(p.at("offset")) {}
  static LandscapeDef def() {
    return landscape_def("beale", "Beale", false,
                         {param_real("offset", 0, 0, 1, false, "constant added to f (AdaMeZO notebook: 1e-3)")});
  }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info(
        "(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2 + offset", -4.5, 4.5, -4.5, 4.5);
    i.minima = {{3, 0.5}};
    i.min_value = offset;
    i.starts = {{1, 1}, {1, 4}, {-1, -1}};
    i.log_colour = true;
    return i;
  }
  double value(const double* x) const {
    const double y = x[1], y2 = y * y;
    const double t1 = 1.5 - x[0] * (1 - y), t2 = 2.25 - x[0] * (1 - y2), t3 = 2.625 - x[0] * (1 - y2 * y);
    return t1 * t1 + t2 * t2 + t3 * t3 + offset;
  }
  void gradient(const double* x, double* g) const {
    const double y = x[1], y2 = y * y;
    const double t1 = 1.5 - x[0] * (1 - y), t2 = 2.25 - x[0] * (1 - y2), t3 = 2.625 - x[0] * (1 - y2 * y);
    g[0] = 2 * (t1 * (y - 1) + t2 * (y2 - 1) + t3 * (y2 * y - 1));
    g[1] = 2 * x[0] * (t1 + 2 * t2 * y + 3 * t3 * y2);
  }
};

// Himmelblau 1972, "Applied Nonlinear Programming": four global minima of value 0; the
// three irrational ones from 40-digit Newton iterations (mpmath), rounded to double.
struct Himmelblau {
  Himmelblau(const ParamValues&, int) {}
  static LandscapeDef def() { return landscape_def("himmelblau", "Himmelblau", false, {}); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", -5, 5, -5, 5);
    i.minima = {{3, 2},
                {-2.805118086952745, 3.131312518250573},
                {-3.779310253377747, -3.2831859912861696},
                {3.5844283403304917, -1.8481265269644036}};
    i.starts = {{-0.27, -0.92}};
    return i;
  }
  double value(const double* x) const {
    const double p = x[0] * x[0] + x[1] - 11, q = x[0] + x[1] * x[1] - 7;
    return p * p + q * q;
  }
  void gradient(const double* x, double* g) const {
    const double p = x[0] * x[0] + x[1] - 11, q = x[0] + x[1] * x[1] - 7;
    g[0] = 4 * x[0] * p + 2 * q;
    g[1] = 2 * p + 4 * x[1] * q;
  }
};

// Rastrigin 1974 (kernels.h).
struct Rastrigin {
  double A;
  Rastrigin(const ParamValues& p, int) : A(p.at("A")) {}
  static LandscapeDef def() { return landscape_def("rastrigin", "Rastrigin", false, rastrigin_params()); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("2A + x^2 + y^2 - A (cos 2 pi x + cos 2 pi y)", -5.12, 5.12, -5.12, 5.12);
    i.minima = {{0, 0}};
    i.starts = {{-2, 3.5}};
    return i;
  }
  double value(const double* x) const { return rastrigin_value(x, 2, A); }
  void gradient(const double* x, double* g) const { rastrigin_gradient(x, 2, A, g); }
};

// Ackley 1987 (kernels.h): the cone at the origin makes it non-smooth there.
struct Ackley {
  double a, b, c;
  Ackley(const ParamValues& p, int) : a(p.at("a")), b(p.at("b")), c(p.at("c")) {}
  static LandscapeDef def() { return landscape_def("ackley", "Ackley", false, ackley_params()); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info(
        "-a exp(-b sqrt((x^2 + y^2)/2)) - exp((cos cx + cos cy)/2) + a + e", -5, 5, -5, 5);
    i.minima = {{0, 0}};
    i.starts = {{3, 2.5}};
    i.smooth = false;
    return i;
  }
  double value(const double* x) const { return ackley_value(x, 2, a, b, c); }
  void gradient(const double* x, double* g) const { ackley_gradient(x, 2, a, b, c, g); }
};

// Booth (Jamil & Yang 2013).
struct Booth {
  Booth(const ParamValues&, int) {}
  static LandscapeDef def() { return landscape_def("booth", "Booth", false, {}); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("(x + 2y - 7)^2 + (2x + y - 5)^2", -10, 10, -10, 10);
    i.minima = {{1, 3}};
    i.starts = {{-8, 8}};
    return i;
  }
  double value(const double* x) const {
    const double p = x[0] + 2 * x[1] - 7, q = 2 * x[0] + x[1] - 5;
    return p * p + q * q;
  }
  void gradient(const double* x, double* g) const {
    const double p = x[0] + 2 * x[1] - 7, q = 2 * x[0] + x[1] - 5;
    g[0] = 2 * p + 4 * q;
    g[1] = 4 * p + 2 * q;
  }
};

// Goldstein & Price 1971, "On descent from local minima": f = A(x, y) B(x, y).
struct GoldsteinPrice {
  GoldsteinPrice(const ParamValues&, int) {}
  static LandscapeDef def() { return landscape_def("goldstein_price", "Goldstein-Price", false, {}); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info(
        "[1 + (x+y+1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)] "
        "[30 + (2x-3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)]",
        -2, 2, -2, 2);
    i.minima = {{0, -1}};
    i.min_value = 3;
    i.starts = {{-1.5, 1.5}};
    i.log_colour = true;
    return i;
  }
  double value(const double* x) const {
    const double X = x[0], Y = x[1];
    const double s = X + Y + 1, P = 19 - 14 * X + 3 * X * X - 14 * Y + 6 * X * Y + 3 * Y * Y;
    const double t = 2 * X - 3 * Y, R = 18 - 32 * X + 12 * X * X + 48 * Y - 36 * X * Y + 27 * Y * Y;
    return (1 + s * s * P) * (30 + t * t * R);
  }
  void gradient(const double* x, double* g) const {
    const double X = x[0], Y = x[1];
    const double s = X + Y + 1, P = 19 - 14 * X + 3 * X * X - 14 * Y + 6 * X * Y + 3 * Y * Y;
    const double t = 2 * X - 3 * Y, R = 18 - 32 * X + 12 * X * X + 48 * Y - 36 * X * Y + 27 * Y * Y;
    const double A = 1 + s * s * P, B = 30 + t * t * R;
    // dP/dx = dP/dy, so A has equal partials.
    const double dA = 2 * s * P + s * s * (-14 + 6 * X + 6 * Y);
    const double dBx = 4 * t * R + t * t * (-32 + 24 * X - 36 * Y);
    const double dBy = -6 * t * R + t * t * (48 - 36 * X + 54 * Y);
    g[0] = dA * B + A * dBx;
    g[1] = dA * B + A * dBy;
  }
};

// Styblinski & Tang 1990 (kernels.h); (4, 4) falls into the local minimum near (2.75, 2.75).
struct StyblinskiTang {
  StyblinskiTang(const ParamValues&, int) {}
  static LandscapeDef def() { return landscape_def("styblinski_tang", "Styblinski-Tang", false, {}); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("(x^4 - 16x^2 + 5x + y^4 - 16y^2 + 5y) / 2", -5, 5, -5, 5);
    i.minima = {{kStyblinskiTangArgmin, kStyblinskiTangArgmin}};
    i.min_value = 2 * kStyblinskiTangMinPerDim;
    i.starts = {{0, 0}, {4, 4}};
    return i;
  }
  double value(const double* x) const { return styblinski_tang_value(x, 2); }
  void gradient(const double* x, double* g) const { styblinski_tang_gradient(x, 2, g); }
};

// Saddle x^2 - y^2: no minimum; the start sits just off the stable manifold y = 0.
struct Saddle {
  Saddle(const ParamValues&, int) {}
  static LandscapeDef def() { return landscape_def("saddle", "Saddle", false, {}); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("x^2 - y^2", -2, 2, -2, 2);
    i.min_value = std::numeric_limits<double>::quiet_NaN();
    i.starts = {{-1.5, 0.01}};
    return i;
  }
  double value(const double* x) const { return x[0] * x[0] - x[1] * x[1]; }
  void gradient(const double* x, double* g) const {
    g[0] = 2 * x[0];
    g[1] = -2 * x[1];
  }
};

// Ill-conditioned quadratic 0.5 (u^2 + kappa v^2) in axes (u, v) turned `angle` degrees
// counter-clockwise, so the flat valley points along `angle`.
struct IllQuadratic {
  double kappa, c, s;
  IllQuadratic(const ParamValues& p, int)
      : kappa(p.at("kappa")),
        c(std::cos(p.at("angle") * std::numbers::pi / 180)),
        s(std::sin(p.at("angle") * std::numbers::pi / 180)) {}
  static LandscapeDef def() {
    return landscape_def("ill_quadratic", "Ill-conditioned quadratic", false,
                         {param_real("kappa", 100, 1, 1e6, true, "condition number"),
                          param_real("angle", 0, -90, 90, false, "direction of the flat valley, degrees")});
  }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("0.5 (u^2 + kappa v^2), (u, v) = (x, y) in axes turned by angle", -2, 2, -2, 2);
    i.minima = {{0, 0}};
    i.starts = {{-1.5, 1}};
    i.log_colour = true;
    return i;
  }
  double value(const double* x) const {
    const double u = c * x[0] + s * x[1], v = -s * x[0] + c * x[1];
    return 0.5 * (u * u + kappa * v * v);
  }
  void gradient(const double* x, double* g) const {
    const double u = c * x[0] + s * x[1], v = -s * x[0] + c * x[1];
    g[0] = c * u - s * kappa * v;
    g[1] = s * u + c * kappa * v;
  }
};

// AdaMeZO notebook's polynomial: a local minimum near x = -0.654 (value 5.43 + y-term)
// behind a ridge at x = 0, and the global one at (1, 4).
struct AdamezoPoly {
  AdamezoPoly(const ParamValues&, int) {}
  static LandscapeDef def() { return landscape_def("adamezo_poly", "AdaMeZO polynomial", false, {}); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("8(x-1)^2 (1.3x^2 + 2x + 1) + 0.5(y-4)^2", -1.5, 2, 1, 8);
    i.minima = {{1, 4}};
    i.starts = {{0.25, 6.75}};
    return i;
  }
  double value(const double* x) const {
    const double u = x[0] - 1, v = x[1] - 4;
    return 8 * u * u * (1.3 * x[0] * x[0] + 2 * x[0] + 1) + 0.5 * v * v;
  }
  void gradient(const double* x, double* g) const {
    // d/dx of 8(x-1)^2(1.3x^2+2x+1) factors as 8(x-1) x (5.2x + 3.4).
    g[0] = 8 * (x[0] - 1) * x[0] * (5.2 * x[0] + 3.4);
    g[1] = x[1] - 4;
  }
};

// AdaMeZO notebook's steep quadratic (condition number 100).
struct AdamezoSteep {
  AdamezoSteep(const ParamValues&, int) {}
  static LandscapeDef def() { return landscape_def("adamezo_steep", "AdaMeZO steep quadratic", false, {}); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info("100x^2 + y^2", -1.5, 1.5, -1.5, 1.5);
    i.minima = {{0, 0}};
    i.starts = {{-1, 1}};
    return i;
  }
  double value(const double* x) const { return 100 * x[0] * x[0] + x[1] * x[1]; }
  void gradient(const double* x, double* g) const {
    g[0] = 200 * x[0];
    g[1] = 2 * x[1];
  }
};

// ZO-AdaMU's four toy functions on [-3, 3]^2 (shared view and start).
LandscapeInfo zo_adamu_info(const char* formula, bool smooth) {
  LandscapeInfo i = landscape_info(formula, -3, 3, -3, 3);
  i.minima = {{0, 0}};
  i.starts = {{2.5, 1.5}};
  i.smooth = smooth;
  return i;
}

// ZO-AdaMU: |x| + |y|.
struct AbsSum {
  AbsSum(const ParamValues&, int) {}
  static LandscapeDef def() { return landscape_def("abs_sum", "|x| + |y|", false, {}); }
  LandscapeInfo info() const { return zo_adamu_info("|x| + |y|", false); }
  double value(const double* x) const { return std::abs(x[0]) + std::abs(x[1]); }
  void gradient(const double* x, double* g) const {
    g[0] = sign0(x[0]);
    g[1] = sign0(x[1]);
  }
};

// ZO-AdaMU: |x + y| + |x - y| / 10.
struct AbsRotated {
  AbsRotated(const ParamValues&, int) {}
  static LandscapeDef def() { return landscape_def("abs_rotated", "|x+y| + |x-y|/10", false, {}); }
  LandscapeInfo info() const { return zo_adamu_info("|x + y| + |x - y| / 10", false); }
  double value(const double* x) const { return std::abs(x[0] + x[1]) + 0.1 * std::abs(x[0] - x[1]); }
  void gradient(const double* x, double* g) const {
    const double p = sign0(x[0] + x[1]), m = 0.1 * sign0(x[0] - x[1]);
    g[0] = p + m;
    g[1] = p - m;
  }
};

// ZO-AdaMU: (x + y)^2 + (x - y)^2 / 10.
struct QuadRotated {
  QuadRotated(const ParamValues&, int) {}
  static LandscapeDef def() { return landscape_def("quad_rotated", "(x+y)^2 + (x-y)^2/10", false, {}); }
  LandscapeInfo info() const { return zo_adamu_info("(x + y)^2 + (x - y)^2 / 10", true); }
  double value(const double* x) const {
    const double p = x[0] + x[1], m = x[0] - x[1];
    return p * p + 0.1 * m * m;
  }
  void gradient(const double* x, double* g) const {
    const double p = 2 * (x[0] + x[1]), m = 0.2 * (x[0] - x[1]);
    g[0] = p + m;
    g[1] = p - m;
  }
};

// ZO-AdaMU: |x| / 10 + |y|.
struct AbsAniso {
  AbsAniso(const ParamValues&, int) {}
  static LandscapeDef def() { return landscape_def("abs_aniso", "|x|/10 + |y|", false, {}); }
  LandscapeInfo info() const { return zo_adamu_info("|x| / 10 + |y|", false); }
  double value(const double* x) const { return 0.1 * std::abs(x[0]) + std::abs(x[1]); }
  void gradient(const double* x, double* g) const {
    g[0] = 0.1 * sign0(x[0]);
    g[1] = sign0(x[1]);
  }
};

// Dupont's two wells (docs/optimizers.md#two-dimensional-functions): a deep well near (-0.94, 0) and a shallow
// local one at (0.905317899160115, 0) with value -1.092731999201741; the start sits by the
// shallow one. Minimiser and value from 40-digit Newton iterations (mpmath), y = 0 by symmetry.
struct DupontWells {
  DupontWells(const ParamValues&, int) {}
  static LandscapeDef def() { return landscape_def("dupont_wells", "Dupont's two wells", false, {}); }
  LandscapeInfo info() const {
    LandscapeInfo i = landscape_info(
        "x^2 + y^2 - 2 exp(-((x-1)^2 + y^2)/0.2) - 3 exp(-((x+1)^2 + y^2)/0.2)", -2, 2, -2, 2);
    i.minima = {{-0.9363006340109187, 0}};
    i.min_value = -2.063090251768194;
    i.starts = {{1.5, 0.8}};
    return i;
  }
  double value(const double* x) const {
    const double y2 = x[1] * x[1];
    const double e1 = std::exp(-((x[0] - 1) * (x[0] - 1) + y2) / 0.2);
    const double e2 = std::exp(-((x[0] + 1) * (x[0] + 1) + y2) / 0.2);
    return x[0] * x[0] + y2 - 2 * e1 - 3 * e2;
  }
  void gradient(const double* x, double* g) const {
    const double y2 = x[1] * x[1];
    const double e1 = std::exp(-((x[0] - 1) * (x[0] - 1) + y2) / 0.2);
    const double e2 = std::exp(-((x[0] + 1) * (x[0] + 1) + y2) / 0.2);
    g[0] = 2 * x[0] + 20 * (x[0] - 1) * e1 + 30 * (x[0] + 1) * e2;
    g[1] = 2 * x[1] * (1 + 10 * e1 + 15 * e2);
  }
};

}  // namespace

std::vector<LandscapeEntry> classic_2d_entries() {
  return {analytic_entry<Rosenbrock>(),   analytic_entry<Beale>(),          analytic_entry<Himmelblau>(),
          analytic_entry<Rastrigin>(),    analytic_entry<Ackley>(),         analytic_entry<Booth>(),
          analytic_entry<GoldsteinPrice>(), analytic_entry<StyblinskiTang>(), analytic_entry<Saddle>(),
          analytic_entry<IllQuadratic>(), analytic_entry<AdamezoPoly>(),    analytic_entry<AdamezoSteep>(),
          analytic_entry<AbsSum>(),       analytic_entry<AbsRotated>(),     analytic_entry<QuadRotated>(),
          analytic_entry<AbsAniso>(),     analytic_entry<DupontWells>()};
}

}  // namespace zs
