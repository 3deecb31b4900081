// AdaZeta (Yang et al., EMNLP 2024; docs/optimizers.md#adazeta) on the Eigen engine: the query schedule
// Q_k = min(max(q_init + floor(alpha k^beta), 1), q_max) against a hand-computed table (power
// and target forms, observed as counted forward passes: 2 Q_k per step), q_max = 1 equal to
// MeZO bit for bit, and the Q-query average against an independent re-implementation.
#include <gtest/gtest.h>
#include <Eigen/Dense>
#include <cmath>
#include <map>
#include <memory>
#include <vector>
#include "core/opt/optimizer.h"
#include "core/rng/philox.h"
#include "tests/core/poly_landscape.h"
#include "core/run/vec_engine.h"

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

using Poly = zs_test::PolyLandscape;

MatrixXd diag_quadratic(int d) {
  VectorXd lam(d);
  for (int i = 0; i < d; ++i) lam[i] = 1.0 + 9.0 * i / std::max(1, d - 1);
  return lam.asDiagonal();
}

VectorXd start(int d) {
  VectorXd x(d);
  for (int i = 0; i < d; ++i) x[i] = 0.7 - 0.2 * i / std::max(1, d - 1);
  return x;
}

// Runs `steps` steps; per step the counted forward passes and the iterate after it.
struct Trace {
  std::vector<int64_t> fp;
  std::vector<VectorXd> xs;
  double fp_per_step = 0, fp_per_step_before_reset = 0;
};

Trace run_steps(const std::string& id, const zs::ParamValues& hp, const zs::Landscape& f, const VectorXd& x0, int steps,
                uint64_t seed = 5) {
  auto opt = zs::optimizer_create(id, hp, id);
  zs::VecEngine e(f, x0);
  Trace r;
  r.fp_per_step_before_reset = opt->fp_per_step();
  opt->reset(e, zs::RunContext{seed, steps});
  r.fp_per_step = opt->fp_per_step();
  r.xs.push_back(e.x());
  for (int t = 0; t < steps; ++t) {
    const int64_t before = e.forward_passes();
    e.begin_step(t);
    opt->step(e, t);
    r.fp.push_back(e.forward_passes() - before);
    r.xs.push_back(e.x());
  }
  return r;
}

// Hand-computed: alpha k^beta with alpha 0.85, beta 0.4 at the epochs where floor() changes.
//   k=1: 0.850  k=2: 1.122  k=8: 1.953  k=9: 2.047  k=23: 2.979  k=24: 3.030  k=48: 3.999
//   k=49: 4.032  k=83: 4.978  k=84: 5.002  k=158: 6.440  k=1308: 14.999  k=1309: 15.004
const std::map<int, int> kPowerTable = {{0, 1},    {1, 1},    {2, 1},   {8, 1},    {9, 2},    {23, 2},   {24, 3},
                                        {48, 3},   {49, 4},   {83, 4},  {84, 5},   {158, 6},  {1308, 14},
                                        {1309, 15}, {1400, 15}};

TEST(AdaZetaSchedule, PowerFormMatchesHandTableAndCountsTwoQFp) {
  const Poly f(diag_quadratic(2), 0.0);
  // One step per epoch, so step t runs epoch t; lr ~ 0 keeps the point where it starts.
  const Trace r = run_steps("adazeta", {{"lr", 1e-10}, {"steps_per_epoch", 1}}, f, start(2), 1401);
  for (const auto& [k, q] : kPowerTable) EXPECT_EQ(r.fp[static_cast<size_t>(k)], 2 * q) << "epoch " << k;
  for (size_t t = 1; t < r.fp.size(); ++t) {  // never decreases, never beyond q_max
    EXPECT_GE(r.fp[t], r.fp[t - 1]);
    EXPECT_LE(r.fp[t], 30);
  }
  // fp_per_step: the average of 2 Q_k over the run; before reset the first epoch's 2 Q_0.
  double sum = 0;
  for (int64_t v : r.fp) sum += static_cast<double>(v);
  EXPECT_NEAR(r.fp_per_step, sum / 1401.0, 1e-12);
  EXPECT_EQ(r.fp_per_step_before_reset, 2.0);
}

TEST(AdaZetaSchedule, EpochsQInitAndQMax) {
  const Poly f(diag_quadratic(2), 0.0);
  // The official run script: NUM_INIT = 1 (q_init), 63 steps per epoch (1000 examples, batch 16).
  const Trace r = run_steps("adazeta", {{"lr", 1e-10}, {"q_init", 1}, {"steps_per_epoch", 63}}, f, start(2), 63 * 10);
  auto q_at = [&](int t) { return r.fp[static_cast<size_t>(t)] / 2; };
  EXPECT_EQ(q_at(0), 1);
  EXPECT_EQ(q_at(62), 1);       // epoch 0: 1 + floor(0)
  EXPECT_EQ(q_at(63), 1);       // epoch 1: 1 + floor(0.85)
  EXPECT_EQ(q_at(2 * 63), 2);   // epoch 2: 1 + floor(1.122)
  EXPECT_EQ(q_at(9 * 63 - 1), 2);
  EXPECT_EQ(q_at(9 * 63), 3);   // epoch 9: 1 + floor(2.047)
  // q_max caps: with alpha 100, epoch 1 already wants 100 queries.
  const Trace c =
      run_steps("adazeta", {{"lr", 1e-10}, {"alpha", 100}, {"q_max", 7}, {"steps_per_epoch", 2}}, f, start(2), 6);
  EXPECT_EQ(c.fp, (std::vector<int64_t>{2, 2, 14, 14, 14, 14}));
}

TEST(AdaZetaSchedule, TargetFormReachesQMaxAtTheLastEpoch) {
  const Poly f(diag_quadratic(2), 0.0);
  // 100 steps, one per epoch: beta = ln(15 / 0.85) / ln(99) = 0.62470, so
  // 0.85 k^beta: k=2: 1.311  k=3: 1.688  k=10: 3.582  k=50: 9.790  k=98: 14.905  k=99: 15.000.
  const Trace r = run_steps("adazeta", {{"lr", 1e-10}, {"steps_per_epoch", 1}, {"schedule", 1}}, f, start(2), 100);
  const std::map<int, int> table = {{0, 1}, {1, 1}, {2, 1}, {3, 1}, {10, 3}, {50, 9}, {98, 14}, {99, 15}};
  for (const auto& [k, q] : table) EXPECT_EQ(r.fp[static_cast<size_t>(k)], 2 * q) << "epoch " << k;
  double sum = 0;
  for (int64_t v : r.fp) sum += static_cast<double>(v);
  EXPECT_NEAR(r.fp_per_step, sum / 100.0, 1e-12);
  EXPECT_NEAR(r.fp_per_step, 17.48, 1e-12);  // sum of 2 Q_k over the 100 epochs / 100
  // Epochs of 10 steps: the last epoch (9) reaches 15 too, and only it does.
  const Trace e = run_steps("adazeta", {{"lr", 1e-10}, {"steps_per_epoch", 10}, {"schedule", 1}}, f, start(2), 95);
  EXPECT_EQ(e.fp[90], 30);
  EXPECT_EQ(e.fp[94], 30);
  EXPECT_LT(e.fp[89], 30);
}

TEST(AdaZetaExact, QMaxOneIsMezoBitForBit) {
  const int d = 5;
  const Poly f(diag_quadratic(d), 0.05);
  const zs::ParamValues common = {{"lr", 0.01}, {"eps", 1e-3}, {"wd", 0.1}};
  zs::ParamValues ada = common;
  ada["q_max"] = 1;
  ada["steps_per_epoch"] = 1;  // the schedule would grow at once if q_max allowed it
  const Trace a = run_steps("adazeta", ada, f, start(d), 60);
  const Trace m = run_steps("mezo", common, f, start(d), 60);
  for (size_t t = 0; t < a.xs.size(); ++t)
    for (int i = 0; i < d; ++i) ASSERT_EQ(a.xs[t][i], m.xs[t][i]) << "step " << t << " coordinate " << i;
  EXPECT_EQ(a.fp, m.fp);
}

TEST(AdaZetaExact, QQueriesEqualIndependentAverage) {
  const int d = 4;
  const Poly f(diag_quadratic(d), 0.1);
  const double lr = 0.004, eps = 1e-3, wd = 0.05, alpha = 1.5, beta = 0.7;
  const int q_max = 6, spe = 3, T = 30;
  const uint64_t seed = 5;
  const Trace r = run_steps("adazeta",
                            {{"lr", lr}, {"eps", eps}, {"wd", wd}, {"alpha", alpha}, {"beta", beta}, {"q_max", q_max},
                             {"steps_per_epoch", spe}},
                            f, start(d), T, seed);
  VectorXd x = start(d);
  for (int t = 0; t < T; ++t) {
    const int k = t / spe;
    const int Q = std::min(q_max, std::max(1, static_cast<int>(std::floor(alpha * std::pow(k, beta)))));
    VectorXd g = VectorXd::Zero(d);
    for (int q = 0; q < Q; ++q) {  // direction q of step t: Philox(step_seed(seed, t, q), 0, i)
      VectorXd z(d);
      const uint64_t s = zs::step_seed(seed, static_cast<uint64_t>(t), static_cast<uint64_t>(q));
      for (int i = 0; i < d; ++i) z[i] = zs::normal_at(s, 0, static_cast<uint64_t>(i));
      const VectorXd a = x + eps * z, b = x - eps * z;
      g += (f.value(a.data()) - f.value(b.data())) / (2 * eps) * z;
    }
    x -= lr * (g / Q + wd * x);  // x -= lr (mean_q p_q z_q + wd x)
    ASSERT_LE((r.xs[static_cast<size_t>(t) + 1] - x).norm(), 1e-10 * std::max(1.0, x.norm())) << "step " << t;
    EXPECT_EQ(r.fp[static_cast<size_t>(t)], 2 * Q) << "step " << t;
  }
  EXPECT_EQ(r.fp.back(), 12);  // epoch 9: floor(1.5 * 9^0.7) = 6 = q_max
}

}  // namespace
