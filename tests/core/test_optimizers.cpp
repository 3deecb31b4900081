// Exactness of every optimizer against independent re-implementations written here from
// docs/optimizers.md (not from elem.h): closed forms, unrolled sums, and cross-method identities.
#include <gtest/gtest.h>
#include <Eigen/Dense>
#include <cmath>
#include <functional>
#include <memory>
#include <set>
#include "core/opt/optimizer.h"
#include "core/opt/zo_common.h"
#include "core/rng/philox.h"
#include "tests/core/poly_landscape.h"
#include "core/run/vec_engine.h"
#include "core/util/error.h"

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

using TestLandscape = zs_test::PolyLandscape;

MatrixXd spd(int d, double kappa) {
  MatrixXd Q = MatrixXd::Zero(d, d);
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) Q(i, j) = zs::normal_at(99, 0, static_cast<uint64_t>(i * d + j));
  Eigen::HouseholderQR<MatrixXd> qr(Q);
  const MatrixXd O = qr.householderQ();
  VectorXd lam(d);
  for (int i = 0; i < d; ++i) lam[i] = std::pow(kappa, d > 1 ? double(i) / (d - 1) : 0.0);
  return O * lam.asDiagonal() * O.transpose();
}

VectorXd start(int d) {
  VectorXd x(d);
  for (int i = 0; i < d; ++i) x[i] = 0.8 - 0.3 * i / std::max(1, d - 1);
  return x;
}

// Direction of query q at step t (docs/optimizers.md#seeds), as the tests see it.
VectorXd z_of(uint64_t run_seed, int64_t t, int q, int d) {
  VectorXd z(d);
  const uint64_t s = zs::step_seed(run_seed, static_cast<uint64_t>(t), static_cast<uint64_t>(q));
  for (int i = 0; i < d; ++i) z[i] = zs::normal_at(s, 0, static_cast<uint64_t>(i));
  return z;
}

struct Trace {
  std::vector<VectorXd> xs;
  std::vector<VectorXd> alpha;  // per step: the engine's effective step sizes (empty: no update pass)
  int64_t fp = 0;
};

Trace run_opt(const std::string& id, zs::ParamValues hp, const zs::Landscape& f, const VectorXd& x0, int steps,
              uint64_t seed = 7) {
  auto opt = zs::optimizer_create(id, hp, id);
  zs::VecEngine e(f, x0);
  opt->reset(e, zs::RunContext{seed, steps});
  Trace tr;
  tr.xs.push_back(e.x());
  for (int t = 0; t < steps; ++t) {
    e.begin_step(t);
    opt->step(e, t);
    tr.xs.push_back(e.x());
    tr.alpha.push_back(e.alpha_valid() ? e.last_alpha() : VectorXd());
  }
  tr.fp = e.forward_passes();
  return tr;
}

double two_sided_p(const zs::Landscape& f, const VectorXd& x, const VectorXd& u, double eps) {
  const VectorXd a = x + eps * u, b = x - eps * u;
  return (f.value(a.data()) - f.value(b.data())) / (2 * eps);
}

void expect_close(const VectorXd& a, const VectorXd& b, double rtol, const std::string& what) {
  const double scale = std::max(1.0, b.norm());
  EXPECT_LE((a - b).norm(), rtol * scale) << what << "\n got " << a.transpose() << "\nwant " << b.transpose();
}

TEST(OptimizerExact, SgdMatchesClosedFormOnQuadratic) {
  const int d = 6;
  const MatrixXd A = spd(d, 20.0);
  TestLandscape f(A, 0.0);
  const double lr = 0.04;
  const int k = 50;
  const Trace tr = run_opt("sgd", {{"lr", lr}}, f, start(d), k);
  MatrixXd M = MatrixXd::Identity(d, d) - lr * A;
  VectorXd want = start(d);
  for (int i = 0; i < k; ++i) want = M * want;  // (I - lr A)^k x0
  expect_close(tr.xs.back(), want, 1e-12, "SGD");
  EXPECT_EQ(tr.fp, k);
}

TEST(OptimizerExact, MezoPerturbRestoreRoundTrip) {
  const int d = 9;
  TestLandscape f(spd(d, 5.0), 0.1);
  const VectorXd x0 = start(d);
  zs::VecEngine e(f, x0);
  zs::ZoEstimator est;
  est.configure({{"eps", 1e-2}});
  // +eps z, -2 eps z, +eps z (MeZO's perturb / restore) returns x to rounding, 500 times.
  for (int t = 0; t < 500; ++t) {
    e.begin_step(t);
    est.estimate(e, t, /*defer_restore=*/false);
  }
  expect_close(e.x(), x0, 1e-14, "round trip");
  EXPECT_EQ(e.forward_passes(), 1000);
  // The fused restore inside an lr = 0 update also returns x.
  auto opt = zs::optimizer_create("mezo", {{"lr", 1e-10}, {"eps", 1e-2}}, "mezo");
  opt->reset(e, zs::RunContext{1, 1});
  e.begin_step(0);
  opt->step(e, 0);
  expect_close(e.x(), x0, 1e-9, "fused restore");
}

TEST(OptimizerExact, MezoMatchesReference) {
  const int d = 5;
  TestLandscape f(spd(d, 10.0), 0.05);
  const double lr = 0.01, eps = 1e-3, wd = 0.1;
  const Trace tr = run_opt("mezo", {{"lr", lr}, {"eps", eps}, {"wd", wd}}, f, start(d), 40);
  VectorXd x = start(d);
  for (int t = 0; t < 40; ++t) {
    const VectorXd z = z_of(7, t, 0, d);
    const double p = two_sided_p(f, x, z, eps);
    x -= lr * (p * z + wd * x);  // MeZO, Malladi et al. 2023 Alg. 1
    expect_close(tr.xs[t + 1], x, 1e-10, "MeZO step " + std::to_string(t));
  }
}

// ZO-SGD-Cons with weight decay: the best of x, x - lr d and x + lr d, d = p z + wd x
// (ZO-Bench's conservative step; docs/optimizers.md "ZO-SGD-Cons"), each step from the
// same x as the reference computes it in double; lr x wd at or above 0.5 is refused.
TEST(OptimizerExact, ZoConsWithWeightDecayKeepsTheBestOfThreePoints) {
  const int d = 5;
  TestLandscape f(spd(d, 10.0), 0.05);
  const double lr = 0.05, eps = 1e-3, wd = 0.8;
  const int steps = 60;
  const Trace tr = run_opt("zo_sgd_cons", {{"lr", lr}, {"eps", eps}, {"wd", wd}}, f, start(d), steps);
  VectorXd x = start(d);
  int picks[3] = {0, 0, 0};
  for (int t = 0; t < steps; ++t) {
    const VectorXd z = z_of(7, t, 0, d);
    const VectorXd dir = two_sided_p(f, x, z, eps) * z + wd * x;
    const VectorXd down = x - lr * dir, up = x + lr * dir;
    const double l0 = f.value(x.data()), ld = f.value(down.data()), lu = f.value(up.data());
    const bool kept = !(ld <= lu && ld <= l0) && l0 < lu;
    if (ld <= lu && ld <= l0) x = down, ++picks[0];
    else if (l0 < lu) ++picks[1];
    else x = up, ++picks[2];
    expect_close(tr.xs[static_cast<size_t>(t + 1)], x, 1e-10, "ZO-SGD-Cons step " + std::to_string(t));
    // The engine measures the accepted move (alpha = lr everywhere), not the trial moves
    // (a weight-decayed trial move is an SGD pass with lr 1); a step that keeps x has none.
    const VectorXd& a = tr.alpha[static_cast<size_t>(t)];
    if (!kept) {
      ASSERT_EQ(a.size(), d) << "step " << t;
      EXPECT_TRUE((a.array() == lr).all()) << "step " << t << ": " << a.transpose();
    } else {
      EXPECT_EQ(a.size(), 0) << "step " << t;
    }
  }
  EXPECT_GT(picks[0], 0);
  EXPECT_EQ(tr.fp, 5 * steps);
  EXPECT_THROW(zs::optimizer_create("zo_sgd_cons", {{"lr", 0.5}, {"wd", 1.0}}, "cons"), zs::Error);
}

TEST(OptimizerExact, MezoQueriesAndOneSided) {
  const int d = 4;
  TestLandscape f(spd(d, 3.0), 0.2);
  const double lr = 0.02, eps = 1e-3;
  const Trace tr = run_opt("mezo", {{"lr", lr}, {"eps", eps}, {"queries", 3}, {"sided", 1}}, f, start(d), 10);
  VectorXd x = start(d);
  for (int t = 0; t < 10; ++t) {
    VectorXd g = VectorXd::Zero(d);
    const double l0 = f.value(x.data());
    for (int q = 0; q < 3; ++q) {
      const VectorXd z = z_of(7, t, q, d);
      const VectorXd xp = x + eps * z;
      g += (f.value(xp.data()) - l0) / eps * z / 3.0;
    }
    x -= lr * g;
  }
  expect_close(tr.xs.back(), x, 1e-10, "3-query one-sided MeZO");
  EXPECT_EQ(tr.fp, 10 * 4);
}

TEST(OptimizerExact, AdaMezoWithFullWindowEqualsUnrolledSums) {
  const int d = 5, T = 30;
  TestLandscape f(spd(d, 10.0), 0.05);
  const double lr = 0.01, eps = 1e-3, b1 = 0.7, b2 = 0.9, gain = 2.0, delta = 1e-6;
  const Trace tr = run_opt("adamezo",
                           {{"lr", lr}, {"eps", eps}, {"h", 64}, {"beta1", b1}, {"beta2", b2}, {"gain", gain},
                            {"delta", delta}, {"warmup", 0}},
                           f, start(d), T);
  VectorXd x = start(d);
  std::vector<VectorXd> zs_;
  std::vector<double> ps;
  for (int t = 0; t < T; ++t) {
    const VectorXd z = z_of(7, t, 0, d);
    ps.push_back(two_sided_p(f, x, z, eps));
    zs_.push_back(z);
    VectorXd m = VectorXd::Zero(d), v = VectorXd::Zero(d);
    for (int k = 0; k <= t; ++k) {  // age k: step t - k
      const double p = ps[t - k];
      m += std::pow(b1, k) * p * zs_[t - k];
      v += std::pow(b2, k) * p * p * zs_[t - k].cwiseAbs2();
    }
    x -= lr * gain * (m.array() / (v.array().sqrt() + delta)).matrix();
    expect_close(tr.xs[t + 1], x, 1e-9, "AdaMeZO step " + std::to_string(t));
  }
}

TEST(OptimizerExact, AdaMezoWindowTruncatesAndWarmsUp) {
  const int d = 3, T = 12, h = 4;
  TestLandscape f(spd(d, 4.0), 0.1);
  const double lr = 0.005, eps = 1e-3;
  const Trace tr = run_opt("adamezo", {{"lr", lr}, {"eps", eps}, {"h", h}}, f, start(d), T);
  VectorXd x = start(d);
  std::vector<VectorXd> zs_;
  std::vector<double> ps;
  for (int t = 0; t < T; ++t) {
    const VectorXd z = z_of(7, t, 0, d);
    ps.push_back(two_sided_p(f, x, z, eps));
    zs_.push_back(z);
    if (t < h + 1) {
      x -= lr * ps[t] * z;  // warm-up: plain MeZO
    } else {
      VectorXd m = VectorXd::Zero(d), v = VectorXd::Zero(d);
      for (int k = 0; k < h; ++k) {
        m += std::pow(0.7, k) * ps[t - k] * zs_[t - k];
        v += std::pow(0.9, k) * ps[t - k] * ps[t - k] * zs_[t - k].cwiseAbs2();
      }
      x -= lr * (m.array() / (v.array().sqrt() + 1e-8)).matrix();
    }
    expect_close(tr.xs[t + 1], x, 1e-9, "AdaMeZO(h=4) step " + std::to_string(t));
  }
}

TEST(OptimizerExact, AdaMezoH0IsMezoBitForBit) {
  const int d = 7;
  TestLandscape f(spd(d, 30.0), 0.02);
  const zs::ParamValues hp = {{"lr", 3e-3}, {"eps", 1e-3}, {"wd", 0.01}};
  zs::ParamValues hp0 = hp;
  hp0["h"] = 0;
  const Trace a = run_opt("mezo", hp, f, start(d), 100);
  const Trace b = run_opt("adamezo", hp0, f, start(d), 100);
  for (size_t i = 0; i < a.xs.size(); ++i) ASSERT_TRUE(a.xs[i] == b.xs[i]) << "differs at step " << i;
}

TEST(OptimizerExact, AdaMezoPaperFormEqualsZoAdam) {
  // (1 - beta) factors + bias correction + delta handling make the full-window AdaMeZO
  // Adam's bias-corrected moments exactly; ZO-Adam must then agree step for step.
  const int d = 4, T = 20;
  TestLandscape f(spd(d, 8.0), 0.05);
  const zs::ParamValues common = {{"lr", 0.01}, {"eps", 1e-3}, {"beta1", 0.8}, {"beta2", 0.95}, {"delta", 1e-8}};
  zs::ParamValues ada = common;
  ada.insert({{"h", 64}, {"one_minus_beta", 1}, {"bias_correction", 1}, {"warmup", 0}, {"gain", 1}});
  const Trace a = run_opt("adamezo", ada, f, start(d), T);
  const Trace b = run_opt("zo_adam", common, f, start(d), T);
  for (int t = 0; t <= T; ++t) expect_close(a.xs[t], b.xs[t], 1e-9, "step " + std::to_string(t));
}

TEST(OptimizerExact, ZoAdamEqualsAdamFedWithPz) {
  const int d = 6, T = 40;
  TestLandscape f(spd(d, 15.0), 0.05);
  const double lr = 0.02, eps = 1e-3, b1 = 0.9, b2 = 0.999, delta = 1e-8;
  const Trace tr = run_opt("zo_adam", {{"lr", lr}, {"eps", eps}}, f, start(d), T);
  VectorXd x = start(d), m = VectorXd::Zero(d), v = VectorXd::Zero(d);
  for (int t = 0; t < T; ++t) {
    const VectorXd z = z_of(7, t, 0, d);
    const VectorXd g = two_sided_p(f, x, z, eps) * z;  // Adam (Kingma & Ba 2015) fed with p z
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g.cwiseAbs2();
    const VectorXd mh = m / (1 - std::pow(b1, t + 1)), vh = v / (1 - std::pow(b2, t + 1));
    x -= lr * (mh.array() / (vh.array().sqrt() + delta)).matrix();
    expect_close(tr.xs[t + 1], x, 1e-9, "ZO-Adam step " + std::to_string(t));
  }
}

TEST(OptimizerExact, AdamAndAdamWMatchReference) {
  const int d = 5, T = 30;
  TestLandscape f(spd(d, 10.0), 0.1);
  for (const std::string id : {"adam", "adamw"}) {
    const double lr = 0.01, wd = 0.05, b1 = 0.9, b2 = 0.999, delta = 1e-8;
    const Trace tr = run_opt(id, {{"lr", lr}, {"wd", wd}}, f, start(d), T);
    VectorXd x = start(d), m = VectorXd::Zero(d), v = VectorXd::Zero(d), g(d);
    for (int t = 0; t < T; ++t) {
      f.gradient(x.data(), g.data());
      if (id == "adam") g += wd * x;          // L2 penalty through the gradient
      else x *= (1 - lr * wd);                // decoupled decay (AdamW)
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g.cwiseAbs2();
      const VectorXd mh = m / (1 - std::pow(b1, t + 1)), vh = v / (1 - std::pow(b2, t + 1));
      x -= lr * (mh.array() / (vh.array().sqrt() + delta)).matrix();
      expect_close(tr.xs[t + 1], x, 1e-10, id + " step " + std::to_string(t));
    }
  }
}

TEST(OptimizerExact, MomentumAndNesterovMatchTorchSemantics) {
  const int d = 4, T = 25;
  TestLandscape f(spd(d, 6.0), 0.0);
  for (int nest = 0; nest < 2; ++nest) {
    const double lr = 0.02, mu = 0.9;
    const Trace tr = run_opt("sgd_momentum", {{"lr", lr}, {"momentum", mu}, {"nesterov", nest}}, f, start(d), T);
    VectorXd x = start(d), b = VectorXd::Zero(d), g(d);
    for (int t = 0; t < T; ++t) {
      f.gradient(x.data(), g.data());
      b = mu * b + g;
      x -= lr * (nest ? VectorXd(g + mu * b) : b);
      expect_close(tr.xs[t + 1], x, 1e-11, "momentum step " + std::to_string(t));
    }
  }
}

TEST(OptimizerExact, ZoMmtSignMeazoRAdaZo) {
  const int d = 4, T = 20;
  TestLandscape f(spd(d, 6.0), 0.1);
  const double lr = 0.01, eps = 1e-3;
  {  // ZO-SGD-MMT: b = mu b + p z; x -= lr b
    const Trace tr = run_opt("zo_sgd_mmt", {{"lr", lr}, {"eps", eps}, {"momentum", 0.8}}, f, start(d), T);
    VectorXd x = start(d), b = VectorXd::Zero(d);
    for (int t = 0; t < T; ++t) {
      const VectorXd z = z_of(7, t, 0, d);
      b = 0.8 * b + two_sided_p(f, x, z, eps) * z;
      x -= lr * b;
    }
    expect_close(tr.xs.back(), x, 1e-10, "ZO-SGD-MMT");
  }
  {  // ZO-SGD-Sign: x -= lr sign(p) z ; elementwise: x -= lr sign(p z)
    for (int ew = 0; ew < 2; ++ew) {
      const Trace tr = run_opt("zo_sgd_sign", {{"lr", lr}, {"eps", eps}, {"elementwise", ew}}, f, start(d), T);
      VectorXd x = start(d);
      for (int t = 0; t < T; ++t) {
        const VectorXd z = z_of(7, t, 0, d);
        const double p = two_sided_p(f, x, z, eps);
        if (ew) x -= lr * (p * z).unaryExpr([](double v) { return double((v > 0) - (v < 0)); });
        else x -= lr * ((p > 0) - (p < 0)) * z;
      }
      expect_close(tr.xs.back(), x, 1e-10, "ZO-SGD-Sign");
    }
  }
  {  // MEAZO: v = b v + (1-b) p^2, bias-corrected, x -= lr/(sqrt(vh)+zeta) p z
    const Trace tr = run_opt("meazo", {{"lr", lr}, {"eps", eps}, {"beta", 0.9}, {"zeta", 1e-8}}, f, start(d), T);
    VectorXd x = start(d);
    double v = 0;
    for (int t = 0; t < T; ++t) {
      const VectorXd z = z_of(7, t, 0, d);
      const double p = two_sided_p(f, x, z, eps);
      v = 0.9 * v + 0.1 * p * p;
      x -= lr / (std::sqrt(v / (1 - std::pow(0.9, t + 1))) + 1e-8) * p * z;
    }
    expect_close(tr.xs.back(), x, 1e-10, "MEAZO");
  }
  {  // R-AdaZO: forward difference, m from g, v from m^2, x -= lr m / sqrt(v + zeta)
    const Trace tr = run_opt("r_adazo", {{"lr", lr}, {"eps", 5e-3}}, f, start(d), T);
    VectorXd x = start(d), m = VectorXd::Zero(d), v = VectorXd::Zero(d);
    for (int t = 0; t < T; ++t) {
      const VectorXd z = z_of(7, t, 0, d);
      const VectorXd xp = x + 5e-3 * z;
      const VectorXd g = (f.value(xp.data()) - f.value(x.data())) / 5e-3 * z;
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * m.cwiseAbs2();
      x -= lr * (m.array() / (v.array() + 1e-8).sqrt()).matrix();
    }
    expect_close(tr.xs.back(), x, 1e-10, "R-AdaZO");
  }
}

TEST(OptimizerExact, HiZooMatchesReferenceAndReducesToMezo) {
  const int d = 4, T = 20;
  TestLandscape f(spd(d, 6.0), 0.1);
  const double lr = 0.01, eps = 1e-3, a = 0.05;
  const Trace tr = run_opt("hizoo", {{"lr", lr}, {"eps", eps}, {"smoothing", a}}, f, start(d), T);
  VectorXd x = start(d), H = VectorXd::Ones(d);
  for (int t = 0; t < T; ++t) {
    const VectorXd z = z_of(7, t, 0, d);
    const VectorXd u = (z.array() / H.array().sqrt()).matrix();
    const VectorXd xp = x + eps * u, xm = x - eps * u;
    const double l0 = f.value(x.data()), lp = f.value(xp.data()), lm = f.value(xm.data());
    H = (1 - a) * H + a * std::fabs(lp + lm - 2 * l0) / (2 * eps * eps) * (H.array() * z.array().square()).matrix();
    x -= lr * (lp - lm) / (2 * eps) * (z.array() / H.array().sqrt()).matrix();
    expect_close(tr.xs[t + 1], x, 1e-9, "HiZOO step " + std::to_string(t));
  }
  EXPECT_EQ(tr.fp, 3 * T);
  // smoothing -> 0 keeps H = 1: HiZOO's path is MeZO's.
  const Trace h0 = run_opt("hizoo", {{"lr", lr}, {"eps", eps}, {"smoothing", 1e-10}}, f, start(d), T);
  const Trace mz = run_opt("mezo", {{"lr", lr}, {"eps", eps}}, f, start(d), T);
  expect_close(h0.xs.back(), mz.xs.back(), 1e-7, "HiZOO(a=0) = MeZO");
}

// Rademacher direction of query q at step t (philox.h rademacher4: the sign bit of each word).
VectorXd u_of(uint64_t run_seed, int64_t t, int q, int d) {
  VectorXd u(d);
  const uint64_t s = zs::step_seed(run_seed, static_cast<uint64_t>(t), static_cast<uint64_t>(q));
  for (int i = 0; i < d; ++i) {
    const zs::Philox4 w = zs::philox_words(s, 0, static_cast<uint64_t>(i / 4), 0);
    u[i] = (w.v[i % 4] & 0x80000000u) ? 1.0 : -1.0;
  }
  return u;
}

TEST(OptimizerExact, FzooMatchesReference) {
  // FZOO (Dang et al. 2026, Alg. 1): g = sum (l_i - l0) u_i / (eps N), sigma = sample std of
  // l_1..l_N, x -= lr g / sigma; N + 1 FP per step.
  const int d = 6, T = 25, N = 5;
  TestLandscape f(spd(d, 8.0), 0.1);
  const double lr = 2e-4, eps = 1e-3;
  const Trace tr = run_opt("fzoo", {{"lr", lr}, {"eps", eps}, {"N", N}}, f, start(d), T);
  VectorXd x = start(d);
  for (int t = 0; t < T; ++t) {
    const double l0 = f.value(x.data());
    std::vector<double> l(N);
    VectorXd g = VectorXd::Zero(d);
    for (int i = 0; i < N; ++i) {
      const VectorXd u = u_of(7, t, i, d);
      const VectorXd xp = x + eps * u;
      l[i] = f.value(xp.data());
      g += (l[i] - l0) * u / (eps * N);
    }
    double mean = 0, ss = 0;
    for (double v : l) mean += v / N;
    for (double v : l) ss += (v - mean) * (v - mean);
    const double sigma = std::sqrt(ss / (N - 1));
    x -= lr * g / sigma;
    expect_close(tr.xs[t + 1], x, 1e-9, "FZOO step " + std::to_string(t));
  }
  EXPECT_EQ(tr.fp, (N + 1) * T);
  EXPECT_LT(f.value(tr.xs.back().data()), f.value(start(d).data()));
  // N = 1 has no standard deviation: rejected by the declaration.
  EXPECT_THROW(zs::optimizer_create("fzoo", {{"N", 1}}, "fzoo"), zs::Error);
}

TEST(OptimizerExact, AdaMuBeforeAnnealIsNormalisedFreshDirection) {
  // t < T1: alpha = beta1 = beta2 = 1, so m_t = zdot ~ N(0,1), v_t = zdot^2 (Jiang et al. eq. 4-6).
  const int d = 4, T = 15;
  TestLandscape f(spd(d, 6.0), 0.1);
  const double lr = 0.01, eps = 1e-3;
  const Trace tr = run_opt("zo_adamu", {{"lr", lr}, {"eps", eps}}, f, start(d), T);
  VectorXd x = start(d);
  for (int t = 0; t < T; ++t) {
    const VectorXd z = z_of(7, t, 0, d);
    const double p = two_sided_p(f, x, z, eps);
    x -= lr * p * (z.array() / (z.array().square() + 1e-8).sqrt()).matrix();
  }
  expect_close(tr.xs.back(), x, 1e-9, "ZO-AdaMU before anneal");
}

TEST(OptimizerExact, AdaMuMomentumPerturbationAfterAnneal) {
  // t1 = 0 and T2 = 1: step 0 still has alpha = beta1 = beta2 = 1, every later step the
  // floors. m_t = b1 sqrt(a) n1 + (1-b1)(m + sqrt(1-a) n2).
  const int d = 3, T = 10;
  TestLandscape f(spd(d, 3.0), 0.1);
  const double lr = 0.01, eps = 1e-3, al = 0.6, b1 = 0.7, b2 = 0.8;
  const Trace tr = run_opt("zo_adamu",
                           {{"lr", lr}, {"eps", eps}, {"t1", 0}, {"t2_fraction", 0}, {"alpha_floor", al},
                            {"beta1_floor", b1}, {"beta2_floor", b2}},
                           f, start(d), T);
  VectorXd x = start(d), m = VectorXd::Zero(d);
  for (int t = 0; t < T; ++t) {
    const uint64_t s = zs::step_seed(7, t, 0);
    VectorXd n1(d), n2(d);
    for (int i = 0; i < d; ++i) {
      n1[i] = zs::normal_at(s, 0, i, 0);
      n2[i] = zs::normal_at(s, 0, i, 1);
    }
    const double a_t = t == 0 ? 1 : al, b1_t = t == 0 ? 1 : b1, b2_t = t == 0 ? 1 : b2;
    const VectorXd zd = std::sqrt(a_t) * n1, zdd = m + std::sqrt(1 - a_t) * n2;
    const VectorXd mt = b1_t * zd + (1 - b1_t) * zdd;
    const VectorXd vt = b2_t * zd.cwiseAbs2() + (1 - b2_t) * zdd.cwiseAbs2();
    const double p = two_sided_p(f, x, mt, eps);
    x -= lr * p * (mt.array() / (vt.array() + 1e-8).sqrt()).matrix();
    m = mt;
    expect_close(tr.xs[t + 1], x, 1e-9, "ZO-AdaMU step " + std::to_string(t));
  }
}

TEST(OptimizerExact, AdaNagedEuclideanIsDoG) {
  // DoG (Ivgi, Hinder, Carmon 2023): x_{k+1} = x_k - rbar_k / sqrt(sum ||g_j||^2) g_k,
  // rbar_k = max(r_eps, max_j<=k ||x_j - x_0||), with the ZO estimate at radius tau_k.
  const int d = 5, T = 40;
  TestLandscape f(spd(d, 10.0), 0.05);
  const double r_eps_scale = 1e-3, tau_min = 1e-8;
  const Trace tr = run_opt("adanaged_p",
                           {{"beta", 0}, {"lmo", 2}, {"distance", 0}, {"step_mode", 0}, {"r_eps", r_eps_scale},
                            {"tau_min", tau_min}},
                           f, start(d), T);
  const VectorXd x0 = start(d);
  VectorXd x = x0;
  const double r_eps = r_eps_scale * (1 + x0.norm());
  double rbar = r_eps, G = 0, gamma_prev = r_eps;
  for (int t = 0; t < T; ++t) {
    rbar = std::max(rbar, (x - x0).norm());
    const double tau = std::max(tau_min, gamma_prev);
    const VectorXd z = z_of(7, t, 0, d);
    const VectorXd g = two_sided_p(f, x, z, tau) * z;
    G += g.squaredNorm();
    const double eta = rbar / std::sqrt(G);
    x -= eta * g;
    gamma_prev = eta * g.norm();
    expect_close(tr.xs[t + 1], x, 1e-8, "DoG step " + std::to_string(t));
  }
}

// The landscape defaults (sign LMO, Nesterov momentum 0.9, exact distance, DoG step) from
// docs/optimizers.md#adanaged-p steps 1-5, one block: distances and norms are l-inf, the
// dual of u is ||u||_1, and the radius follows the last step.
TEST(OptimizerExact, AdaNagedSignWithNesterovMomentumMatchesSteps) {
  const int d = 5, T = 40;
  TestLandscape f(spd(d, 10.0), 0.05);
  const double beta = 0.9, r_eps_scale = 1e-3, tau_min = 1e-8, c_tau = 0.5;
  const Trace tr = run_opt("adanaged_p", {{"r_eps", r_eps_scale}, {"tau_min", tau_min}, {"c_tau", c_tau}}, f, start(d), T);
  const VectorXd x0 = start(d);
  VectorXd x = x0, m = VectorXd::Zero(d);
  const double rbar0 = r_eps_scale * (1 + x0.lpNorm<Eigen::Infinity>());
  double rbar = rbar0, G = 0, gamma_prev = rbar0;
  for (int t = 0; t < T; ++t) {
    rbar = std::max(rbar, (x - x0).lpNorm<Eigen::Infinity>());
    const double tau = std::max(tau_min, c_tau * gamma_prev);
    const VectorXd z = z_of(7, t, 0, d);
    const VectorXd g = two_sided_p(f, x, z, tau) * z;
    m = beta * m + (1 - beta) * g;
    const VectorXd u = beta * m + (1 - beta) * g;
    const VectorXd o = u.unaryExpr([](double v) { return double((v > 0) - (v < 0)); });
    const double S = u.lpNorm<1>();
    G += S * S;
    const double gamma = rbar * S / std::sqrt(G);
    x -= gamma * o;
    gamma_prev = gamma;
    expect_close(tr.xs[t + 1], x, 1e-9, "AdaNAGED-P step " + std::to_string(t));
  }
  EXPECT_EQ(tr.fp, 2 * T);
}

TEST(OptimizerExact, FixedDirectionsCycleRows) {
  const int d = 2;
  TestLandscape f(spd(d, 4.0), 0.1);
  const std::vector<std::vector<double>> rows = {{1.0, 0.5}, {-0.3, 2.0}, {0.7, -0.7}};
  auto opt = zs::optimizer_create("mezo", {{"lr", 0.01}, {"eps", 1e-3}}, "mezo");
  zs::VecEngine e(f, start(d));
  e.set_direction_table(rows);
  opt->reset(e, zs::RunContext{3, 9});
  VectorXd x = start(d);
  for (int t = 0; t < 9; ++t) {
    e.begin_step(t);
    opt->step(e, t);
    const VectorXd z = Eigen::Map<const VectorXd>(rows[t % 3].data(), d);
    x -= 0.01 * two_sided_p(f, x, z, 1e-3) * z;
  }
  expect_close(e.x(), x, 1e-12, "fixed directions");
}

TEST(OptimizerExact, SphereDirectionsHaveRadiusSqrtD) {
  const int d = 50;
  TestLandscape f(MatrixXd::Identity(d, d), 0.0);
  auto opt = zs::optimizer_create("mezo", {{"lr", 1e-10}, {"eps", 0.5}, {"dist", 2}}, "mezo");
  zs::VecEngine e(f, VectorXd::Zero(d));
  opt->reset(e, zs::RunContext{1, 1});
  e.begin_step(0);
  opt->step(e, 0);
  // First evaluation is at 0 + eps u with ||u|| = sqrt(d).
  EXPECT_NEAR(e.eval_point(0).norm(), 0.5 * std::sqrt(double(d)), 1e-9);
}

TEST(OptimizerCatalog, DeclarationsFpAndMemory) {
  const int d = 3;
  TestLandscape f(spd(d, 4.0), 0.1);
  std::set<std::string> ids;
  for (const auto& info : zs::optimizer_catalog()) {
    EXPECT_TRUE(ids.insert(info.id).second) << "duplicate id " << info.id;
    EXPECT_FALSE(info.params.empty()) << info.id;
    for (const auto& p : info.params) {
      EXPECT_GE(p.def, p.lo) << info.id << "." << p.name;
      EXPECT_LE(p.def, p.hi) << info.id << "." << p.name;
      EXPECT_FALSE(p.help.empty()) << info.id << "." << p.name;
    }
    // Counted forward passes equal the declared FP per step.
    auto opt = zs::optimizer_create(info.id, {}, info.id);
    zs::VecEngine e(f, start(d));
    opt->reset(e, zs::RunContext{1, 10});
    for (int t = 0; t < 10; ++t) {
      e.begin_step(t);
      opt->step(e, t);
    }
    EXPECT_EQ(e.forward_passes(), static_cast<int64_t>(10 * opt->fp_per_step())) << info.id;
    EXPECT_EQ(e.backward_passes(), 10 * opt->bp_per_step()) << info.id;
  }
  auto mem = [](const std::string& id) { return zs::optimizer_create(id, {}, id)->memory_p(); };
  EXPECT_EQ(mem("mezo"), 0);
  EXPECT_EQ(mem("adamezo"), 0);
  EXPECT_EQ(zs::optimizer_create("adamezo", {{"h", 10}}, "a")->memory_bytes(), 160);
  EXPECT_EQ(mem("zo_adam"), 2);
  EXPECT_EQ(mem("adam"), 2);
  EXPECT_EQ(mem("zo_sgd_mmt"), 1);
  EXPECT_EQ(mem("hizoo"), 1);
  EXPECT_EQ(mem("zo_adamu"), 1);
  EXPECT_EQ(mem("r_adazo"), 2);
  EXPECT_EQ(mem("fzoo"), 0);
  EXPECT_TRUE(zs::optimizer_find("adanaged_p")->provisional);
  EXPECT_NE(zs::optimizer_find("adanaged_p")->display.find("provisional"), std::string::npos);
}

TEST(OptimizerCatalog, BadHyperparametersAreNamed) {
  auto msg = [](const std::string& id, zs::ParamValues hp) {
    try {
      zs::optimizer_create(id, hp, "runs[0].hyperparameters");
    } catch (const zs::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg("adamezo", {{"lr", -1}}).find("runs[0].hyperparameters.lr"), std::string::npos);
  EXPECT_NE(msg("adamezo", {{"lr", NAN}}).find("not a finite number"), std::string::npos);
  EXPECT_NE(msg("adamezo", {{"h", 2.5}}).find("integer"), std::string::npos);
  EXPECT_NE(msg("adamezo", {{"h", 65}}).find("outside the accepted range"), std::string::npos);
  EXPECT_NE(msg("mezo", {{"bogus", 1}}).find("unknown parameter"), std::string::npos);
  EXPECT_NE(msg("nosuch", {}).find("unknown optimizer"), std::string::npos);
}

}  // namespace
