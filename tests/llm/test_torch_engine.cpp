// The tensor ZO engine against the 2-D/N-D core: same directions bit for bit, every
// optimizer of the catalog gives the same trajectory on tensors as on the Eigen engine
// (one definition of the math, two backends), fused passes, fp16/bf16 storage drift.
#include <gtest/gtest.h>
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include "core/llm/torch/dir_cache.h"
#include "core/llm/torch/zo_engine.h"
#include "core/opt/pass_loops.h"
#include "core/opt/optimizer.h"
#include "core/rng/philox.h"
#include "core/run/vec_engine.h"
#include "tests/llm/optimizer_option_cases.h"

namespace {

// f(x) = sum_i 0.5 lam_i x_i^2 + c x_i^4 with lam_i log-spaced in [1, 30].
struct Quartic {
  int d;
  double c = 0.05;
  double lam(int i) const { return std::pow(30.0, d > 1 ? double(i) / (d - 1) : 0.0); }
  double value(const double* x) const {
    double s = 0;
    for (int i = 0; i < d; ++i) s += 0.5 * lam(i) * x[i] * x[i] + c * std::pow(x[i], 4);
    return s;
  }
  void grad(const double* x, double* g) const {
    for (int i = 0; i < d; ++i) g[i] = lam(i) * x[i] + 4 * c * std::pow(x[i], 3);
  }
};

class QuarticLandscape : public zs::Landscape {
 public:
  explicit QuarticLandscape(int d) : q_{d} { info_.dim = d; }
  double value(const double* x) const override { return q_.value(x); }
  void gradient(const double* x, double* g) const override { q_.grad(x, g); }
  std::unique_ptr<zs::Landscape> clone() const override { return std::make_unique<QuarticLandscape>(q_.d); }

 private:
  Quartic q_;
};

std::vector<double> x0(int d) {
  std::vector<double> v(static_cast<size_t>(d));
  for (int i = 0; i < d; ++i) v[static_cast<size_t>(i)] = 0.9 - 0.5 * i / d;
  return v;
}

// Tensor engine over one fp32 block holding the quartic's parameters.
struct TensorSetup {
  at::Tensor w;
  std::unique_ptr<zs::TensorEngine> engine;
  TensorSetup(int d, at::ScalarType dtype, zs::TensorEngineOptions opt = {}) {
    const auto v = x0(d);
    w = at::tensor(at::ArrayRef<double>(v)).to(dtype).contiguous();
    zs::Block b{"w", w, false, true};
    Quartic q{d};
    auto loss = [this, q]() {
      const at::Tensor xd = w.to(at::kDouble).contiguous();
      return q.value(xd.data_ptr<double>());
    };
    engine = std::make_unique<zs::TensorEngine>(std::vector<zs::Block>{b}, loss, opt);
    engine->set_loss_grad([this, q]() {
      const at::Tensor xd = w.to(at::kDouble).contiguous();
      std::vector<double> g(static_cast<size_t>(q.d));
      q.grad(xd.data_ptr<double>(), g.data());
      w.mutable_grad() = at::tensor(at::ArrayRef<double>(g)).to(at::kFloat);
      return q.value(xd.data_ptr<double>());
    });
  }
  std::vector<double> x() const {
    const at::Tensor xd = w.to(at::kDouble).contiguous();
    return std::vector<double>(xd.data_ptr<double>(), xd.data_ptr<double>() + xd.numel());
  }
};

TEST(TorchEngine, DirectionsEqualCoreBitForBit) {
  // Three blocks of awkward sizes; x = 0 + 1 * z must be Philox(seed, b, i) exactly.
  std::vector<at::Tensor> ts = {at::zeros({7}), at::zeros({33, 5}), at::zeros({4100})};
  std::vector<zs::Block> blocks;
  for (size_t b = 0; b < ts.size(); ++b) blocks.push_back({"b" + std::to_string(b), ts[b], ts[b].dim() == 2, true});
  zs::TensorEngine e(blocks, [] { return 0.0; });
  zs::ElemRequest r;
  r.op = zs::kOpPerturb;
  r.n_seeds = 1;
  r.seeds[0] = 0xabcdef12345ull;
  r.c1[0] = 1.0;
  e.apply(r, nullptr);
  for (size_t b = 0; b < ts.size(); ++b) {
    const at::Tensor f = ts[b].reshape({-1});
    for (int64_t i = 0; i < f.numel(); ++i)
      ASSERT_EQ(f[i].item<float>(), zs::normal_at(r.seeds[0], b, static_cast<uint64_t>(i))) << "block " << b << " i " << i;
  }
}

// One optimizer with hyperparameters hp on the tensor engine (fp32) and on the Eigen engine
// (double), T steps from the same point: the same path to float rounding, the same FP count.
void expect_engines_agree(const std::string& id, const zs::ParamValues& hp, bool fuse, const std::string& what) {
  const int d = 37, T = 25;
  QuarticLandscape f(d);
  auto oc = zs::optimizer_create(id, hp, id);
  auto ot = zs::optimizer_create(id, hp, id);
  const auto v = x0(d);
  zs::VecEngine ec(f, Eigen::Map<const Eigen::VectorXd>(v.data(), d));
  zs::TensorEngineOptions opt;
  opt.fuse = fuse;
  TensorSetup ts(d, at::kFloat, opt);
  oc->reset(ec, {11, T});
  ot->reset(*ts.engine, {11, T});
  for (int t = 0; t < T; ++t) {
    ec.begin_step(t);
    oc->step(ec, t);
    ts.engine->begin_step(t);
    ot->step(*ts.engine, t);
  }
  ot->settle(*ts.engine);
  const auto xt = ts.x();
  double err = 0, scale = 0;
  for (int i = 0; i < d; ++i) {
    err = std::max(err, std::fabs(xt[static_cast<size_t>(i)] - ec.x()[i]));
    scale = std::max(scale, std::fabs(ec.x()[i] - v[static_cast<size_t>(i)]));
  }
  // fp32 parameters against double: agreement to float rounding of the path.
  EXPECT_LT(err, 2e-5 + 1e-3 * scale) << what << (fuse ? " (fused)" : "") << " max |x_t - x_core| = " << err;
  EXPECT_GT(scale, 1e-6) << what << ": the run did not move";
  EXPECT_EQ(ts.engine->forward_passes(), ec.forward_passes()) << what;
}

// Every optimizer of the catalog with its defaults: tensor engine (fp32) vs Eigen engine (double).
TEST(TorchEngine, EveryOptimizerMatchesTheCoreEngine) {
  for (const auto& info : zs::optimizer_catalog()) {
    for (int fuse = 0; fuse < 2; ++fuse) {
      zs::ParamValues hp;
      if (zs::param_find(info.params, "lr")) hp["lr"] = info.family == "fo" ? 0.01 : 0.002;
      // HiZOO's curvature l+ + l- - 2 l0 over 2 eps^2 amplifies fp32 rounding of the
      // perturbed points by 1/eps^2: compare the backends at a radius fp32 resolves.
      if (info.id == "hizoo") hp["eps"] = 1e-2;
      // sign(u) of coordinates with u ~ 0 flips between fp32 and double and then moves them
      // by 2 gamma: compare AdaNAGED-P in its continuous (Euclidean LMO) geometry.
      if (info.id == "adanaged_p") hp["lmo"] = 2;
      expect_engines_agree(info.id, hp, fuse != 0, info.id);
    }
  }
}

// The options the defaults leave off (optimizer_option_cases.h): same comparison.
TEST(TorchEngine, OptimizerOptionsMatchTheCoreEngine) {
  for (const zs_test::OptimizerCase& c : zs_test::optimizer_option_cases())
    for (int fuse = 0; fuse < 2; ++fuse) expect_engines_agree(c.id, c.hp, fuse != 0, c.name());
}

TEST(TorchEngine, FusedPassesChangeOnlyRounding) {
  const int d = 64, T = 40;
  for (const char* id : {"mezo", "adamezo", "zo_adam"}) {
    zs::TensorEngineOptions a, b;
    a.fuse = false;
    b.fuse = true;
    TensorSetup ta(d, at::kFloat, a), tb(d, at::kFloat, b);
    auto oa = zs::optimizer_create(id, {{"lr", 1e-3}}, id), ob = zs::optimizer_create(id, {{"lr", 1e-3}}, id);
    oa->reset(*ta.engine, {5, T});
    ob->reset(*tb.engine, {5, T});
    for (int t = 0; t < T; ++t) {
      ta.engine->begin_step(t);
      oa->step(*ta.engine, t);
      tb.engine->begin_step(t);
      ob->step(*tb.engine, t);
    }
    ob->settle(*tb.engine);
    const auto xa = ta.x(), xb = tb.x();
    for (int i = 0; i < d; ++i) EXPECT_NEAR(xa[static_cast<size_t>(i)], xb[static_cast<size_t>(i)], 1e-5) << id << " i " << i;
    ob->settle(*tb.engine);  // idempotent
    EXPECT_EQ(tb.x(), xb);
  }
}

TEST(TorchEngine, ThreadCountDoesNotChangeResults) {
  const int d = 20000, T = 5;
  std::vector<std::vector<double>> out;
  const int saved = at::get_num_threads();
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    TensorSetup ts(d, at::kFloat);
    auto o = zs::optimizer_create("adamezo", {{"lr", 1e-3}, {"h", 3}}, "adamezo");
    o->reset(*ts.engine, {9, T});
    for (int t = 0; t < T; ++t) {
      ts.engine->begin_step(t);
      o->step(*ts.engine, t);
    }
    o->settle(*ts.engine);
    out.push_back(ts.x());
  }
  at::set_num_threads(saved);
  EXPECT_EQ(out[0], out[1]);
}

TEST(TorchEngine, WeightDecaySkipsNonDecayBlocks) {
  at::Tensor a = at::ones({8}), b = at::ones({8});
  zs::TensorEngine e({{"a", a, false, true}, {"b", b, false, false}}, [] { return 0.0; });
  zs::ElemRequest r;
  r.op = zs::kOpSgd;
  r.lr = 0.1;
  r.wd = 0.5;
  r.n_seeds = 0;
  e.apply(r, nullptr);
  EXPECT_FLOAT_EQ(a[0].item<float>(), 1.0f - 0.1f * 0.5f);
  EXPECT_FLOAT_EQ(b[0].item<float>(), 1.0f);
}

// ZO-SGD-Cons with weight decay on a model with a bias-like block (decay off): every
// block must land on the point the three-point rule picks (docs/optimizers.md#zo-sgd-cons),
// d = p z + wd x on decayed blocks and d = p z on the others. Reference in double from the
// engine's point before each step, with the step's recorded p and seed; a small lr makes
// the rule move (x - lr d or x + lr d), a large one overshoot (it stays at x).
TEST(TorchEngine, ZoConsWithWeightDecayMovesNonDecayBlocksByTheThreePointRule) {
  const int n = 24;
  at::Tensor a = at::zeros({n}), b = at::zeros({n});
  std::vector<double> c(2 * n);
  for (int i = 0; i < 2 * n; ++i) c[static_cast<size_t>(i)] = 0.3 * std::sin(1.0 + i);
  const auto value = [&c, n](const std::vector<double>& x) {
    double s = 0;
    for (int i = 0; i < 2 * n; ++i) s += 0.5 * (x[static_cast<size_t>(i)] - c[static_cast<size_t>(i)]) *
                                         (x[static_cast<size_t>(i)] - c[static_cast<size_t>(i)]) * (1 + i % 5);
    return s;
  };
  const auto read = [&a, &b, n] {
    std::vector<double> x(2 * n);
    for (int i = 0; i < n; ++i) {
      x[static_cast<size_t>(i)] = a[i].item<float>();
      x[static_cast<size_t>(n + i)] = b[i].item<float>();
    }
    return x;
  };
  for (const double lr : {0.02, 0.6}) {
    for (int i = 0; i < n; ++i) {
      a[i] = 0.8 - 0.02 * i;
      b[i] = -0.5 + 0.03 * i;
    }
    zs::TensorEngine e({{"a", a, false, true}, {"b", b, false, false}}, [&] { return value(read()); });
    const double wd = 0.5;
    auto o = zs::optimizer_create("zo_sgd_cons", {{"lr", lr}, {"wd", wd}}, "cons");
    o->reset(e, {3, 30});
    int picks[3] = {0, 0, 0};
    for (int t = 0; t < 30; ++t) {
      const std::vector<double> x = read();
      e.begin_step(t);
      const zs::StepInfo s = o->step(e, t);
      std::vector<double> down(x), up(x);
      double reach = 0;  // the largest |lr d_i|: float rounding of the moves scales with it
      for (int i = 0; i < 2 * n; ++i) {
        const int blk = i < n ? 0 : 1;
        const double z = zs::normal_at(s.seed, static_cast<uint64_t>(blk), static_cast<uint64_t>(i % n));
        const double dir = s.p * z + (blk == 0 ? wd * x[static_cast<size_t>(i)] : 0.0);
        down[static_cast<size_t>(i)] -= lr * dir;
        up[static_cast<size_t>(i)] += lr * dir;
        reach = std::max(reach, std::fabs(lr * dir));
      }
      const double l0 = value(x), ld = value(down), lu = value(up);
      std::vector<double> want = x;
      if (ld <= lu && ld <= l0) want = down, ++picks[0];
      else if (l0 < lu) ++picks[1];
      else want = up, ++picks[2];
      const std::vector<double> got = read();
      double moved_sq = 0;
      for (int i = 0; i < 2 * n; ++i) {
        ASSERT_NEAR(got[static_cast<size_t>(i)], want[static_cast<size_t>(i)], 1e-6 * (1 + reach))
            << "lr " << lr << " step " << t << (i < n ? " decayed" : " non-decay") << " element " << i % n;
        moved_sq += std::pow(want[static_cast<size_t>(i)] - x[static_cast<size_t>(i)], 2);
      }
      // The engine measures the accepted move from x (update norm, alpha = lr on every
      // element), and a step that keeps x as no update.
      const zs::TensorStepStats& st = e.last_stats();
      EXPECT_NEAR(st.update_norm, std::sqrt(moved_sq), 1e-5 * (1 + reach)) << "lr " << lr << " step " << t;
      int64_t counted = 0;
      for (int64_t k : st.alpha_hist) counted += k;
      EXPECT_EQ(counted, moved_sq > 0 ? 2 * n : 0) << "lr " << lr << " step " << t;
      if (moved_sq > 0) {
        EXPECT_NEAR(std::log10(st.alpha_quantile(0)), std::log10(lr), 1.0 / 6 + 1e-9);
      }
    }
    EXPECT_GT(lr < 0.1 ? picks[0] + picks[2] : picks[1], 0) << "lr " << lr;
  }
}

TEST(TorchEngine, StatsAreAccumulatedInTheUpdatePass) {
  const int d = 1000;
  zs::TensorEngineOptions opt;
  opt.plot_stats = false;
  TensorSetup ts(d, at::kFloat, opt);
  auto o = zs::optimizer_create("adamezo", {{"lr", 1e-3}, {"h", 2}, {"warmup", 0}}, "adamezo");
  o->reset(*ts.engine, {3, 10});
  const auto before = ts.x();
  ts.engine->begin_step(0);
  o->step(*ts.engine, 0);
  o->settle(*ts.engine);
  const auto after = ts.x();
  double sq = 0;
  for (int i = 0; i < d; ++i) sq += std::pow(after[static_cast<size_t>(i)] - before[static_cast<size_t>(i)], 2);
  const auto& st = ts.engine->last_stats();
  EXPECT_NEAR(st.update_norm, std::sqrt(sq), 1e-4 * std::sqrt(sq) + 1e-6);
  int64_t total = 0;
  for (int64_t c : st.alpha_hist) total += c;
  EXPECT_EQ(total, d);
  // AdaMeZO's alpha = lr gain / (sqrt(v) + delta): the median lies in a plausible range.
  EXPECT_GT(st.alpha_quantile(0.5), 1e-6);
  EXPECT_LT(st.alpha_quantile(0.5), 1.0);
}

// Quantiles read off the alpha histogram: q = 0 and q = 1 are the lowest and highest
// occupied bins (bin centres 10^((b + 0.5) / 3 - 12)), not the histogram's first bin.
TEST(TorchEngine, AlphaQuantilesAreOccupiedBinCentres) {
  zs::TensorStepStats st;
  EXPECT_TRUE(std::isnan(st.alpha_quantile(0.5)));
  const auto centre = [](int b) { return std::pow(10.0, (b + 0.5) / 3.0 - 12.0); };
  st.alpha_hist[24] = 3;  // 1e-4 <= alpha < 10^-3.67
  st.alpha_hist[30] = 1;
  EXPECT_DOUBLE_EQ(st.alpha_quantile(0.0), centre(24));
  EXPECT_DOUBLE_EQ(st.alpha_quantile(0.5), centre(24));
  EXPECT_DOUBLE_EQ(st.alpha_quantile(0.75), centre(24));
  EXPECT_DOUBLE_EQ(st.alpha_quantile(0.76), centre(30));
  EXPECT_DOUBLE_EQ(st.alpha_quantile(1.0), centre(30));
}

TEST(TorchEngine, PlotDirectionDotsMatchExplicitProjection) {
  // Matrix block: plot directions are filter-normalised per row.
  const int64_t rows = 16, cols = 24;
  at::Tensor w = at::randn({rows, cols}, at::TensorOptions().dtype(at::kFloat));
  const at::Tensor w0 = w.clone();
  zs::TensorEngineOptions opt;
  opt.plot_stats = true;
  opt.plot_seed = 77;
  zs::TensorEngine e({{"w", w, true, true}}, [] { return 0.0; }, opt);
  zs::ElemRequest r;
  r.op = zs::kOpSgd;
  r.lr = 0.01;
  r.n_seeds = 1;
  r.seeds[0] = 5;
  r.c1[0] = 1.0;
  e.apply(r, nullptr);
  const at::Tensor delta = (w - w0).to(at::kDouble);
  for (int k = 0; k < 2; ++k) {
    at::Tensor dir = at::empty({rows, cols}, at::kDouble);
    for (int64_t i = 0; i < rows * cols; ++i) dir.view({-1})[i] = zs::normal_at(77 + k, 0, static_cast<uint64_t>(i), 5);
    dir = dir * (w0.to(at::kDouble).norm(2, {1}, true) / dir.norm(2, {1}, true));  // Li et al. 2018
    const double want = (delta * dir).sum().item<double>();
    EXPECT_NEAR(e.last_stats().plot_dot[k], want, 1e-4 * std::fabs(want) + 1e-7);
  }
}

TEST(TorchEngine, HalfStorageDriftAndMasterWeights) {
  // MeZO's perturb / restore round trips are not exact in fp16 (docs/llm-engine.md#half-precision-drift): measure the drift
  // of 200 lr ~ 0 steps; fp32 master weights remove it up to fp32 rounding.
  const int d = 4096, T = 200;
  double drift[3];
  int k = 0;
  for (auto [dtype, master] : {std::pair{at::kHalf, false}, std::pair{at::kBFloat16, false}, std::pair{at::kHalf, true}}) {
    zs::TensorEngineOptions opt;
    opt.master_weights = master;
    TensorSetup ts(d, dtype, opt);
    const auto start = ts.x();
    auto o = zs::optimizer_create("mezo", {{"lr", 1e-10}, {"eps", 1e-3}}, "mezo");
    o->reset(*ts.engine, {1, T});
    for (int t = 0; t < T; ++t) {
      ts.engine->begin_step(t);
      o->step(*ts.engine, t);
    }
    o->settle(*ts.engine);
    ts.engine->sync_model();
    const auto end = ts.x();
    double m = 0;
    for (int i = 0; i < d; ++i) m = std::max(m, std::fabs(end[static_cast<size_t>(i)] - start[static_cast<size_t>(i)]));
    drift[k++] = m;
  }
  std::printf("[ drift    ] max |x_200 - x_0| after 200 lr~0 MeZO steps: fp16 %.3g, bf16 %.3g, fp16 + fp32 master %.3g\n",
              drift[0], drift[1], drift[2]);
  EXPECT_GT(drift[0], 1e-4);        // fp16 storage drifts by several ulps
  EXPECT_GT(drift[1], drift[0]);    // bf16 has 3 fewer mantissa bits
  EXPECT_LT(drift[2], 1e-3 * drift[0] + 1e-6);  // master weights: only fp32 rounding
}

}  // namespace

// The CPU direction cache (dir_cache.h) returns the generated floats themselves: every
// optimizer's weights and statistics are the same bits with and without it, over two
// blocks whose lengths are not multiples of 4 or of the pass chunk; and MeZO with fused
// passes then draws one direction per step instead of three.
TEST(TorchEngine, DirectionCacheChangesNoBitAndDrawsOneDirectionPerMezoStep) {
  const int T = 12;
  const int64_t n0 = 9001, n1 = 4099;
  struct TwoBlocks {
    at::Tensor a, b;
    std::unique_ptr<zs::TensorEngine> engine;
    explicit TwoBlocks(const zs::TensorEngineOptions& opt) {
      a = at::linspace(-0.8, 0.9, n0, at::kFloat).reshape({9001}).contiguous();
      b = at::linspace(0.7, -0.5, n1, at::kFloat).reshape({4099}).contiguous();
      const std::vector<zs::Block> blocks{{"a", a, false, true}, {"b", b, false, true}};
      engine = std::make_unique<zs::TensorEngine>(blocks, [this] {
        return (0.5 * (a.to(at::kDouble) * a.to(at::kDouble)).sum() + at::pow(b.to(at::kDouble), 4).sum()).item<double>();
      }, opt);
    }
  };
  for (const auto& info : zs::optimizer_catalog()) {
    if (info.family == "fo") continue;
    zs::TensorEngineOptions off, on;
    off.dir_cache_bytes = 0;
    on.dir_cache_bytes = int64_t{1} << 30;
    off.plot_stats = on.plot_stats = true;  // the plot directions go through the cache too
    off.plot_seed = on.plot_seed = 77;
    TwoBlocks x(off), y(on);
    ASSERT_FALSE(x.engine->dir_cache()->enabled());
    ASSERT_TRUE(y.engine->dir_cache()->enabled());
    zs::ParamValues hp;
    if (zs::param_find(info.params, "lr")) hp["lr"] = 1e-3;
    auto ox = zs::optimizer_create(info.id, hp, info.id), oy = zs::optimizer_create(info.id, hp, info.id);
    ox->reset(*x.engine, {3, T});
    oy->reset(*y.engine, {3, T});
    for (int t = 0; t < T; ++t) {
      x.engine->begin_step(t);
      const zs::StepInfo sx = ox->step(*x.engine, t);
      y.engine->begin_step(t);
      const zs::StepInfo sy = oy->step(*y.engine, t);
      ASSERT_EQ(sx.loss, sy.loss) << info.id << " step " << t;
      ASSERT_EQ(x.engine->last_stats().update_norm, y.engine->last_stats().update_norm) << info.id << " step " << t;
      ASSERT_EQ(x.engine->last_stats().plot_dot[0], y.engine->last_stats().plot_dot[0]) << info.id << " step " << t;
    }
    ox->settle(*x.engine);
    oy->settle(*y.engine);
    EXPECT_TRUE(at::equal(x.a, y.a) && at::equal(x.b, y.b)) << info.id;
    if (info.id == "mezo") {
      const zs::DirCache& c = *y.engine->dir_cache();
      // Step t draws z_{t+1} in its fused update; z_t and the plot directions are reused.
      EXPECT_LE(c.misses(), T + 3) << "directions generated";
      EXPECT_GE(c.hits(), 2 * T) << "directions reused";
      EXPECT_LE(c.bytes(), size_t{6} * (9004 + 4100) * sizeof(float)) << "MeZO keeps a handful of directions";
    }
  }
}

// pass_loops.h: each instruction-set variant on this CPU stores what the scalar element
// operations store, and sums the squared updates in the documented order.
TEST(TorchEngine, PassLoopVariantsStoreTheBitsOfTheScalarOperations) {
  const int64_t n = 1037;  // a tail after the vector and the eight-way loops
  std::vector<float> x0(n), g(n), zr(n), zn(n), z(n);
  for (int64_t i = 0; i < n; ++i) {
    x0[i] = std::sin(0.37f * i) * 0.8f;
    g[i] = std::cos(1.3f * i) * 3.1f;
    zr[i] = std::sin(2.1f * i + 0.2f) * 1.7f;
    zn[i] = std::cos(0.9f * i + 1.1f) * 1.2f;
    z[i] = std::sin(5.3f * i) * 2.3f;
  }
  const float cr = 1e-3f, cn = 1e-3f, lr = 3e-2f, wd = 0.1f, c = -2e-3f;
  // Scalar references, one operation per statement (no contraction is possible across them).
  std::vector<float> add_ref(x0);
  for (int64_t i = 0; i < n; ++i) {
    const volatile float p = c * z[i];
    add_ref[i] = add_ref[i] + p;
  }
  for (int mask = 0; mask < 4; ++mask) {
    const bool R = mask & 1, N = mask & 2;
    std::vector<float> ref(x0);
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t i = 0; i < n; ++i) {
      volatile float v = ref[i];
      if (R) { const volatile float p = cr * zr[i]; v = v + p; }
      const float v0 = v;
      const volatile float gw = wd * v;
      const volatile float s = g[i] + gw;
      const volatile float step = lr * s;
      v = v - step;
      const float d = v - v0;
      acc[i % 8] += static_cast<double>(d) * d;
      if (N) { const volatile float p = cn * zn[i]; v = v + p; }
      ref[i] = v;
    }
    const double usq_ref = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (zs::BulkIsa isa : {zs::BulkIsa::Portable, zs::BulkIsa::Avx2, zs::BulkIsa::Avx512}) {
      if (!zs::bulk_isa_supported(isa)) continue;
      std::vector<float> out(x0);
      const double usq = zs::pass_sgd_fused_isa(isa, out.data(), g.data(), R ? zr.data() : nullptr, cr,
                                                N ? zn.data() : nullptr, cn, lr, wd, n);
      EXPECT_EQ(out, ref) << "isa " << static_cast<int>(isa) << " restore " << R << " next " << N;
      EXPECT_EQ(usq, usq_ref) << "isa " << static_cast<int>(isa);
      if (mask == 0) {
        std::vector<float> a(x0);
        zs::pass_add_scaled_isa(isa, a.data(), z.data(), c, n);
        EXPECT_EQ(a, add_ref) << "isa " << static_cast<int>(isa);
      }
    }
  }
}

// The cache itself: what is reused stays, stale entries are recycled before the budget
// grows, a pass never evicts its own keys, and a budget below two directions turns it off.
TEST(DirCache, KeepsWhatIsReusedWithinItsBudget) {
  const std::vector<int64_t> len{5, 8};  // 8 + 8 floats per direction
  const size_t entry = 16 * sizeof(float);
  EXPECT_FALSE(zs::DirCache(len, entry).enabled());
  zs::DirCache c(len, 4 * entry);
  ASSERT_TRUE(c.enabled());
  EXPECT_EQ(c.offset(1), 8);
  const zs::DirKey a{0, 0, 1}, b{0, 0, 2}, p{0, 5, 1};
  auto s = c.acquire({a, b});
  ASSERT_TRUE(s[0].data && s[1].data);
  EXPECT_FALSE(s[0].ready || s[1].ready);
  s[0].data[0] = 42;
  c.commit();
  s = c.acquire({a, p});
  EXPECT_TRUE(s[0].ready);
  EXPECT_EQ(s[0].data[0], 42);
  EXPECT_FALSE(s[1].ready);  // another stream is another direction
  c.commit();
  EXPECT_EQ(c.hits(), 1);
  EXPECT_EQ(c.misses(), 3);
  // A pass that fails before commit() leaves its new entries to be filled again.
  s = c.acquire({zs::DirKey{1, 0, 9}});
  s = c.acquire({zs::DirKey{1, 0, 9}});
  EXPECT_FALSE(s[0].ready);
  c.commit();
  // MeZO's pattern over many steps: a new seed per step, each used in a few passes.
  for (uint64_t t = 10; t < 40; ++t) {
    c.acquire({zs::DirKey{0, 0, t}});
    c.commit();
    c.acquire({zs::DirKey{0, 0, t}, zs::DirKey{0, 0, t + 1}});
    c.commit();
  }
  EXPECT_LE(c.bytes(), 4 * entry);
  // More distinct keys in one pass than entries: the extra ones are not cached.
  s = c.acquire({zs::DirKey{2, 0, 1}, zs::DirKey{2, 0, 2}, zs::DirKey{2, 0, 3}, zs::DirKey{2, 0, 4}, zs::DirKey{2, 0, 5}});
  int cached = 0;
  for (const auto& q : s) cached += q.data != nullptr;
  EXPECT_EQ(cached, 4);
  c.commit();
}
