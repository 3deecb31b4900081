// Landscape library (docs/optimizers.md#landscapes): values at the known minima, analytic vs
// central-difference gradients, the rotated N-D quadratic against a dense reference,
// clones, the catalog, bad input, an allocation-free hot path and the heatmap grid speed.
#include <gtest/gtest.h>
#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <new>
#include <numbers>
#include <random>
#include <set>
#include <string>
#include <vector>
#include "core/landscape/landscape.h"
#include "core/rng/philox.h"
#include "core/util/error.h"

// Counts every heap allocation in the process, so a test can show that value() and
// gradient() make none (the array and aligned forms forward here or never reach the hot path).
namespace {
std::atomic<long> g_allocations{0};
}
// Out of line: once inlined, GCC pairs new's malloc with the caller's delete and warns.
__attribute__((noinline)) void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
__attribute__((noinline)) void operator delete(void* p) noexcept { std::free(p); }
__attribute__((noinline)) void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using zs::Landscape;
using zs::LandscapeDef;

std::unique_ptr<Landscape> make(const LandscapeDef& d, int dim = 2, const zs::ParamValues& p = {}) {
  return zs::landscape_create(d.id, p, d.nd ? dim : 2, d.default_expression, "test");
}

std::unique_ptr<Landscape> make(const std::string& id, int dim = 2, const zs::ParamValues& p = {}) {
  return make(*zs::landscape_find(id), dim, p);
}

// Uniform point in the view: even coordinates in [x0, x1], odd ones in [y0, y1].
std::vector<double> point_in_view(const Landscape& f, std::mt19937_64& rng) {
  const double* v = f.info().view;
  std::vector<double> x(f.dim());
  for (int i = 0; i < f.dim(); ++i) {
    const int k = (i % 2) * 2;
    x[i] = std::uniform_real_distribution<double>(v[k], v[k + 1])(rng);
  }
  return x;
}

// Distance to the set where a non-smooth landscape has no gradient.
double kink_distance(const std::string& id, const std::vector<double>& x) {
  if (id == "abs_sum" || id == "abs_aniso") return std::min(std::abs(x[0]), std::abs(x[1]));
  if (id == "abs_rotated") return std::min(std::abs(x[0] + x[1]), std::abs(x[0] - x[1])) / std::sqrt(2.0);
  if (id == "ackley" || id == "ackley_nd") {
    double s = 0;
    for (double v : x) s += v * v;
    return std::sqrt(s);
  }
  ADD_FAILURE() << id << " is non-smooth: add its kinks to kink_distance";
  return 0;
}

// The message of the zs::Error thrown by fn ("" when none was thrown).
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const zs::Error& e) {
    return e.what();
  }
  return "";
}

// Central difference in one coordinate with step h (for spot checks at large d).
double partial(const Landscape& f, std::vector<double> x, int i, double h = 1e-6) {
  const double xi = x[i];
  x[i] = xi + h;
  const double fp = f.value(x.data());
  x[i] = xi - h;
  const double fm = f.value(x.data());
  return (fp - fm) / (2 * h);
}

// ---------------------------------------------------------------- catalog

TEST(LandscapeCatalog, IdsAreUniqueAndFindable) {
  std::set<std::string> ids;
  for (const auto& d : zs::landscape_catalog()) {
    EXPECT_TRUE(ids.insert(d.id).second) << d.id;
    ASSERT_NE(zs::landscape_find(d.id), nullptr);
    EXPECT_EQ(zs::landscape_find(d.id)->id, d.id);
    EXPECT_FALSE(d.display.empty()) << d.id;
  }
  EXPECT_EQ(zs::landscape_find("no_such_landscape"), nullptr);
  for (const char* id : {"rosenbrock", "beale", "himmelblau", "rastrigin", "ackley", "booth", "goldstein_price",
                         "styblinski_tang", "saddle", "ill_quadratic", "adamezo_poly", "adamezo_steep", "abs_sum",
                         "abs_rotated", "quad_rotated", "abs_aniso", "dupont_wells", "quadratic_nd", "rosenbrock_nd",
                         "rastrigin_nd", "styblinski_tang_nd", "ackley_nd", "expression"})
    EXPECT_TRUE(ids.count(id)) << id;
}

TEST(LandscapeCatalog, EveryEntryCreatesWithDefaults) {
  for (const auto& d : zs::landscape_catalog()) {
    for (int dim : {2, 7}) {
      if (!d.nd && dim != 2) continue;
      SCOPED_TRACE(d.id + " dim " + std::to_string(dim));
      auto f = make(d, dim);
      const auto& info = f->info();
      EXPECT_EQ(info.id, d.id);
      EXPECT_EQ(info.display, d.display);
      EXPECT_EQ(f->dim(), dim);
      EXPECT_FALSE(info.formula.empty());
      EXPECT_LT(info.view[0], info.view[1]);
      EXPECT_LT(info.view[2], info.view[3]);
      EXPECT_FALSE(info.starts.empty());
      // Minima and starts have dim coordinates and lie in the view (plane coordinates
      // alternate between the x and y ranges).
      auto points = info.starts;
      points.insert(points.end(), info.minima.begin(), info.minima.end());
      for (const auto& p : points) {
        ASSERT_EQ(static_cast<int>(p.size()), dim);
        for (int i = 0; i < dim; ++i) {
          EXPECT_GE(p[i], info.view[(i % 2) * 2]);
          EXPECT_LE(p[i], info.view[(i % 2) * 2 + 1]);
        }
      }
      for (const auto& s : info.starts) EXPECT_TRUE(std::isfinite(f->value(s.data())));
      if (info.minima.empty()) {
        EXPECT_TRUE(std::isnan(info.min_value));
      }
      EXPECT_EQ(d.expression, !d.default_expression.empty());
    }
  }
}

// ---------------------------------------------------------------- minima

TEST(LandscapeMinima, ValueAtEveryMinimumAndNotBeatenInTheView) {
  std::mt19937_64 rng(1);
  for (const auto& d : zs::landscape_catalog()) {
    SCOPED_TRACE(d.id);
    auto f = make(d, 3);
    const auto& info = f->info();
    for (const auto& m : info.minima) {
      EXPECT_NEAR(f->value(m.data()), info.min_value, 1e-9 + 1e-12 * std::abs(info.min_value));
    }
    if (info.minima.empty()) continue;
    for (int k = 0; k < 5000; ++k) {
      const auto x = point_in_view(*f, rng);
      ASSERT_GE(f->value(x.data()), info.min_value - 1e-9) << x[0] << ", " << x[1];
    }
  }
}

TEST(LandscapeMinima, GradientVanishesAtSmoothMinima) {
  for (const auto& d : zs::landscape_catalog()) {
    SCOPED_TRACE(d.id);
    auto f = make(d, 3);
    if (!f->info().smooth) continue;
    std::vector<double> g(f->dim());
    for (const auto& m : f->info().minima) {
      f->gradient(m.data(), g.data());
      for (double gi : g) EXPECT_NEAR(gi, 0.0, 1e-7);
    }
  }
}

TEST(LandscapeMinima, ParameterisedMinimaFollowTheirParameters) {
  auto r = make("rosenbrock", 2, {{"a", -0.5}, {"b", 10}});
  ASSERT_EQ(r->info().minima.size(), 1u);
  EXPECT_EQ(r->info().minima[0], (std::vector<double>{-0.5, 0.25}));
  EXPECT_EQ(r->value(r->info().minima[0].data()), 0.0);
  auto b = make("beale", 2, {{"offset", 1e-3}});
  EXPECT_EQ(b->info().min_value, 1e-3);
  EXPECT_NEAR(b->value(b->info().minima[0].data()), 1e-3, 1e-15);
}

// ---------------------------------------------------------------- gradients

// Analytic gradient against central differences at 50 seeded points in the view, for
// every analytic landscape (N-D families at d = 2 and d = 5). Tolerance: 1e-5 relative,
// with a floor of 1e-7 (1 + |f|) for the rounding of f in the differences.
TEST(LandscapeGradient, AnalyticMatchesCentralDifferences) {
  std::mt19937_64 rng(2);
  for (const auto& d : zs::landscape_catalog()) {
    if (d.expression) continue;
    for (int dim : {2, 5}) {
      if (!d.nd && dim != 2) continue;
      SCOPED_TRACE(d.id + " dim " + std::to_string(dim));
      auto f = make(d, dim);
      std::vector<double> ga(dim), gn(dim);
      int checked = 0;
      for (int k = 0; k < 50; ++k) {
        const auto x = point_in_view(*f, rng);
        if (!f->info().smooth && kink_distance(d.id, x) < 1e-3) continue;
        ++checked;
        f->gradient(x.data(), ga.data());
        zs::gradient_central(*f, x.data(), gn.data());
        const double fx = std::abs(f->value(x.data()));
        for (int i = 0; i < dim; ++i)
          ASSERT_NEAR(ga[i], gn[i], 1e-5 * std::max(std::abs(ga[i]), 1e-2 * (1 + fx))) << "coordinate " << i;
      }
      EXPECT_GE(checked, 45);
    }
  }
}

TEST(LandscapeGradient, SubgradientsAtKinksUseSignZero) {
  std::vector<double> g(2);
  const double origin[2] = {0, 0};
  for (const char* id : {"abs_sum", "abs_rotated", "abs_aniso", "ackley"}) {
    make(id)->gradient(origin, g.data());
    EXPECT_EQ(g, (std::vector<double>{0, 0})) << id;
  }
  const double on_axis[2] = {0, 2};
  make("abs_sum")->gradient(on_axis, g.data());
  EXPECT_EQ(g, (std::vector<double>{0, 1}));
  auto ack = make("ackley_nd", 50);
  std::vector<double> zero(50, 0.0), g50(50);
  ack->gradient(zero.data(), g50.data());
  for (double v : g50) EXPECT_EQ(v, 0.0);
}

// ---------------------------------------------------------------- N-D families

// Q = H_0 H_1 H_2 H_3 built densely from the documented Householder vectors.
Eigen::MatrixXd dense_rotation(int d, uint64_t seed) {
  Eigen::MatrixXd Q = Eigen::MatrixXd::Identity(d, d);
  for (int k = 0; k < 4; ++k) {
    Eigen::VectorXd v(d);
    for (int i = 0; i < d; ++i) v[i] = zs::normal_at(seed, k, i);
    v.normalize();
    Q = Q * (Eigen::MatrixXd::Identity(d, d) - 2 * v * v.transpose());
  }
  return Q;
}

TEST(LandscapeNd, RotatedQuadraticMatchesDenseReference) {
  const int d = 8;
  const double kappa = 1e3;
  auto f = make("quadratic_nd", d, {{"rotation_seed", 7}});
  const Eigen::MatrixXd Q = dense_rotation(d, 7);
  EXPECT_LT((Q.transpose() * Q - Eigen::MatrixXd::Identity(d, d)).cwiseAbs().maxCoeff(), 1e-12);
  Eigen::VectorXd lambda(d);
  for (int i = 0; i < d; ++i) lambda[i] = std::pow(kappa, i / double(d - 1));
  const Eigen::MatrixXd H = Q * lambda.asDiagonal() * Q.transpose();
  // Q mixes every coordinate (not a permutation or the identity).
  EXPECT_GT((Q - Eigen::MatrixXd::Identity(d, d)).cwiseAbs().minCoeff(), 0.0);

  std::mt19937_64 rng(3);
  for (int k = 0; k < 20; ++k) {
    const auto x = point_in_view(*f, rng);
    const Eigen::Map<const Eigen::VectorXd> xv(x.data(), d);
    const double ref = 0.5 * xv.dot(H * xv);
    EXPECT_NEAR(f->value(x.data()), ref, 1e-12 * std::abs(ref));
  }
  // The gradient of a quadratic is linear: its columns at e_j form the Hessian.
  Eigen::MatrixXd Himpl(d, d);
  std::vector<double> e(d), g(d);
  for (int j = 0; j < d; ++j) {
    std::fill(e.begin(), e.end(), 0.0);
    e[j] = 1;
    f->gradient(e.data(), g.data());
    for (int i = 0; i < d; ++i) Himpl(i, j) = g[i];
  }
  EXPECT_LT((Himpl - H).cwiseAbs().maxCoeff(), 1e-12 * kappa);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 * (Himpl + Himpl.transpose()));
  EXPECT_NEAR(eig.eigenvalues()[0], 1.0, 1e-10);
  EXPECT_NEAR(eig.eigenvalues()[d - 1], kappa, 1e-10 * kappa);
}

TEST(LandscapeNd, UnrotatedQuadraticIsDiagonalWithLogSpacedSpectrum) {
  const int d = 5;
  auto f = make("quadratic_nd", d, {{"rotate", 0}, {"kappa", 1e4}});
  std::vector<double> x = {1, -2, 0.5, 3, -1}, g(d);
  double ref = 0;
  for (int i = 0; i < d; ++i) ref += 0.5 * std::pow(1e4, i / 4.0) * x[i] * x[i];
  EXPECT_NEAR(f->value(x.data()), ref, 1e-12 * ref);
  f->gradient(x.data(), g.data());
  EXPECT_DOUBLE_EQ(g[0], x[0]);
  EXPECT_DOUBLE_EQ(g[d - 1], 1e4 * x[d - 1]);
}

TEST(LandscapeNd, RotationSeedSelectsTheRotation) {
  auto a = make("quadratic_nd", 6, {{"rotation_seed", 1}});
  auto b = make("quadratic_nd", 6, {{"rotation_seed", 2}});
  auto a2 = make("quadratic_nd", 6, {{"rotation_seed", 1}});
  const std::vector<double> x = {0.3, -1.1, 0.7, 1.9, -0.4, 0.8};
  EXPECT_EQ(a->value(x.data()), a2->value(x.data()));
  EXPECT_NE(a->value(x.data()), b->value(x.data()));
}

TEST(LandscapeNd, MinimaAtDimTen) {
  const int d = 10;
  std::vector<double> g(d);
  auto r = make("rosenbrock_nd", d);
  const std::vector<double> ones(d, 1.0);
  EXPECT_EQ(r->info().minima[0], ones);
  EXPECT_EQ(r->value(ones.data()), 0.0);
  r->gradient(ones.data(), g.data());
  for (double v : g) EXPECT_EQ(v, 0.0);
  EXPECT_EQ(r->info().starts[0][0], -1.2);
  EXPECT_EQ(r->info().starts[0][1], 1.0);
  EXPECT_EQ(r->info().starts[0][9], 1.0);

  auto s = make("styblinski_tang_nd", d);
  const auto& m = s->info().minima[0];
  EXPECT_NEAR(s->info().min_value, -39.16616570377142 * d, 1e-12);
  EXPECT_NEAR(s->value(m.data()), -39.16616570377142 * d, 1e-9);
  s->gradient(m.data(), g.data());
  for (double v : g) EXPECT_NEAR(v, 0.0, 1e-12);
}

TEST(LandscapeNd, DimThousandIsFiniteWithCorrectGradientSpots) {
  const int d = 1000;
  std::mt19937_64 rng(4);
  for (const auto& def : zs::landscape_catalog()) {
    if (!def.nd) continue;
    SCOPED_TRACE(def.id);
    auto f = make(def, d);
    const auto x = point_in_view(*f, rng);
    std::vector<double> g(d);
    EXPECT_TRUE(std::isfinite(f->value(x.data())));
    EXPECT_TRUE(std::isfinite(f->value(f->info().starts[0].data())));
    f->gradient(x.data(), g.data());
    const double fx = std::abs(f->value(x.data()));
    for (int i : {0, 1, 499, 998, 999}) {
      const double gn = partial(*f, x, i);
      EXPECT_NEAR(g[i], gn, 1e-5 * std::max(std::abs(g[i]), 1e-2 * (1 + fx))) << "coordinate " << i;
    }
  }
}

// ---------------------------------------------------------------- clone

TEST(LandscapeClone, GivesIdenticalValuesAndGradients) {
  std::mt19937_64 rng(5);
  for (const auto& d : zs::landscape_catalog()) {
    SCOPED_TRACE(d.id);
    auto f = make(d, 6, d.id == "quadratic_nd" ? zs::ParamValues{{"rotation_seed", 3}} : zs::ParamValues{});
    auto c = f->clone();
    EXPECT_EQ(c->info().id, f->info().id);
    EXPECT_EQ(c->dim(), f->dim());
    std::vector<double> gf(f->dim()), gc(f->dim());
    for (int k = 0; k < 20; ++k) {
      const auto x = point_in_view(*f, rng);
      // Interleaved calls: a clone must not share state (an expression's bound variables).
      const double vc = c->value(x.data());
      const double vf = f->value(x.data());
      EXPECT_EQ(vf, vc);
      f->gradient(x.data(), gf.data());
      c->gradient(x.data(), gc.data());
      EXPECT_EQ(gf, gc);
    }
    f.reset();
    const auto x = point_in_view(*c, rng);
    EXPECT_TRUE(std::isfinite(c->value(x.data())));
  }
}

// ---------------------------------------------------------------- expressions

TEST(LandscapeExpression, EvaluatesWithCentralDifferenceGradient) {
  auto f = zs::landscape_create("expression", {}, 2, "x^2*y + sin(x) - pi", "test");
  std::mt19937_64 rng(6);
  std::vector<double> g(2);
  for (int k = 0; k < 50; ++k) {
    const auto x = point_in_view(*f, rng);
    EXPECT_NEAR(f->value(x.data()), x[0] * x[0] * x[1] + std::sin(x[0]) - std::numbers::pi, 1e-14);
    f->gradient(x.data(), g.data());
    EXPECT_NEAR(g[0], 2 * x[0] * x[1] + std::cos(x[0]), 1e-7);
    EXPECT_NEAR(g[1], x[0] * x[0], 1e-7);
  }
  EXPECT_EQ(f->info().formula, "x^2*y + sin(x) - pi");
  EXPECT_TRUE(std::isnan(f->info().min_value));
}

TEST(LandscapeExpression, NanAtAPointIsReturnedNotThrown) {
  auto f = zs::landscape_create("expression", {}, 2, "sqrt(x) + y", "test");
  const double neg[2] = {-1, 0};
  EXPECT_TRUE(std::isnan(f->value(neg)));
  const double pos[2] = {4, 1};
  EXPECT_EQ(f->value(pos), 3.0);
}

// ---------------------------------------------------------------- bad input

TEST(LandscapeErrors, MessagesNameTheFieldAndValue) {
  auto msg = error_of([] { zs::landscape_create("nope", {}, 2, "", "exp.json: landscape"); });
  EXPECT_NE(msg.find("exp.json: landscape"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"nope\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("rosenbrock"), std::string::npos) << msg;  // lists the known ids

  msg = error_of([] { zs::landscape_create("rosenbrock", {}, 3, "", "cfg"); });
  EXPECT_NE(msg.find("cfg.dim"), std::string::npos) << msg;
  EXPECT_NE(msg.find("value 3"), std::string::npos) << msg;
  for (int dim : {1, zs::kLandscapeMaxDim + 1}) {
    msg = error_of([dim] { zs::landscape_create("quadratic_nd", {}, dim, "", "cfg"); });
    EXPECT_NE(msg.find("cfg.dim"), std::string::npos) << msg;
    EXPECT_NE(msg.find("value " + std::to_string(dim)), std::string::npos) << msg;
  }
  EXPECT_EQ(error_of([] { zs::landscape_create("quadratic_nd", {}, zs::kLandscapeMaxDim, "", "cfg"); }), "");

  msg = error_of([] { zs::landscape_create("quadratic_nd", {{"kappa", 1e9}}, 4, "", "cfg"); });
  EXPECT_NE(msg.find("cfg.kappa"), std::string::npos) << msg;
  EXPECT_NE(msg.find("1e+09"), std::string::npos) << msg;
  msg = error_of([] { zs::landscape_create("ill_quadratic", {{"kappa", std::nan("")}}, 2, "", "cfg"); });
  EXPECT_NE(msg.find("cfg.kappa"), std::string::npos) << msg;
  EXPECT_NE(msg.find("nan"), std::string::npos) << msg;
  msg = error_of([] { zs::landscape_create("quadratic_nd", {{"rotation_seed", 1.5}}, 4, "", "cfg"); });
  EXPECT_NE(msg.find("cfg.rotation_seed"), std::string::npos) << msg;
  msg = error_of([] { zs::landscape_create("rosenbrock", {{"kapa", 1}}, 2, "", "cfg"); });
  EXPECT_NE(msg.find("cfg.kapa"), std::string::npos) << msg;
}

TEST(LandscapeErrors, BadExpressionsNameTextTokenAndPosition) {
  struct Case {
    const char* text;
    const char* token;
  };
  for (const Case& c : {Case{"x +", "end of expression"}, Case{"foo(x)", "\"foo\""}, Case{"z*2", "\"z\""},
                        Case{"(x", "Missing parenthesis"}, Case{"", "empty"}, Case{"x, y", "2 comma-separated"}}) {
    const std::string msg = error_of([&] { zs::landscape_create("expression", {}, 2, c.text, "run.landscape"); });
    SCOPED_TRACE(c.text);
    ASSERT_FALSE(msg.empty());
    EXPECT_EQ(msg.find("run.landscape.expression: \"" + std::string(c.text) + "\""), 0u) << msg;
    EXPECT_NE(msg.find(c.token), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    if (c.token != std::string("empty") && c.token != std::string("2 comma-separated")) {
      EXPECT_NE(msg.find("position"), std::string::npos) << msg;
    }
  }
}

// ---------------------------------------------------------------- hot path

TEST(LandscapeHotPath, ValueAndGradientAllocateNothing) {
  for (const auto& d : zs::landscape_catalog()) {
    for (int dim : {2, 1000}) {
      if (!d.nd && dim != 2) continue;
      SCOPED_TRACE(d.id + " dim " + std::to_string(dim));
      auto f = make(d, dim);
      const std::vector<double> x = f->info().starts[0];
      std::vector<double> g(dim);
      double sink = 0;
      long before = g_allocations.load();
      auto probe = f->clone();  // the counter sees allocations at all
      EXPECT_GT(g_allocations.load(), before);
      before = g_allocations.load();
      for (int k = 0; k < 10; ++k) {
        sink += f->value(x.data());
        f->gradient(x.data(), g.data());
        sink += g[0];
      }
      EXPECT_EQ(g_allocations.load(), before);
      EXPECT_TRUE(std::isfinite(sink));
    }
  }
}

}  // namespace
