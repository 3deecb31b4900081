// ZO-SGD family: MeZO (Malladi et al. 2023), ZO-SGD-MMT, ZO-SGD-Sign and ZO-SGD-Cons
// (ZO-Bench, Zhang et al. ICML 2024), MEAZO (Dbouk et al. 2026: one scalar second moment
// of p). All share the SPSA estimator of zo_common and the element-wise ops of elem.h.
#include <algorithm>
#include <cmath>
#include "core/opt/zo_common.h"
#include "core/util/error.h"

namespace zs {
namespace {

std::vector<ParamDecl> zo_decls(double lr, double lr_llm) {
  return {decl_lr(lr, lr_llm), decl_eps(), decl_wd(), decl_queries(), decl_sided(), decl_dist()};
}

// Shared skeleton: estimate, then one update pass with the restore fused in.
class ZoSgdLike : public Optimizer {
 public:
  ZoSgdLike(const OptimizerInfo& i, ParamValues hp) : Optimizer(i, std::move(hp)) {
    est_.configure(hp_);
    lr_ = this->hp("lr");
    wd_ = this->hp("wd");
  }
  void reset(Engine& e, const RunContext& ctx) override {
    est_.set_run_seed(ctx.seed);
    init_state(e);
  }
  StepInfo step(Engine& e, int64_t t) override {
    const ZoEstimate z = est_.estimate(e, t);
    ElemRequest r = est_.update_request(e, z, kOpSgd);
    r.lr = lr_;
    r.wd = wd_;
    configure_update(r, z, t);
    est_.fuse_next(e, r, t);
    e.apply(r, nullptr);
    return z.info();
  }
  void settle(Engine& e) override { est_.settle(e); }
  double fp_per_step() const override { return est_.fp_per_step(); }
  double memory_p() const override { return 0; }

 protected:
  virtual void init_state(Engine&) {}
  virtual void configure_update(ElemRequest& r, const ZoEstimate& z, int64_t t) = 0;
  ZoEstimator est_;
  double lr_ = 0, wd_ = 0;
};

class Mezo : public ZoSgdLike {
 public:
  using ZoSgdLike::ZoSgdLike;
  void configure_update(ElemRequest& r, const ZoEstimate&, int64_t) override { r.op = kOpSgd; }
};

class ZoMmt : public ZoSgdLike {
 public:
  using ZoSgdLike::ZoSgdLike;
  void init_state(Engine& e) override {
    e.state_init(0, 0.0);
    mu_ = hp("momentum");
  }
  void configure_update(ElemRequest& r, const ZoEstimate&, int64_t) override {
    r.op = kOpMomentum;
    r.beta1 = mu_;
  }
  double memory_p() const override { return 1; }

 private:
  double mu_ = 0;
};

class ZoSign : public ZoSgdLike {
 public:
  using ZoSgdLike::ZoSgdLike;
  void init_state(Engine&) override { elementwise_ = hp("elementwise") != 0; }
  void configure_update(ElemRequest& r, const ZoEstimate& z, int64_t) override {
    if (elementwise_) {
      r.op = kOpSign;  // x -= lr sign(p z)
      return;
    }
    r.op = kOpSgd;  // ZO-Bench code: x -= lr sign(p) z
    for (int q = 0; q < z.n; ++q) r.c1[q] = (z.p[q] > 0 ? 1.0 : (z.p[q] < 0 ? -1.0 : 0.0)) * z.scale[q] / z.n;
  }

 private:
  bool elementwise_ = false;
};

// MEAZO: v = beta v + (1 - beta) p^2, bias-corrected; x -= lr / (sqrt(v_hat) + zeta) p z.
class Meazo : public ZoSgdLike {
 public:
  using ZoSgdLike::ZoSgdLike;
  void init_state(Engine&) override {
    v_ = 0;
    beta_ = hp("beta");
    zeta_ = hp("zeta");
  }
  void configure_update(ElemRequest& r, const ZoEstimate& z, int64_t t) override {
    const double beta = beta_;
    double p2 = 0;
    for (int q = 0; q < z.n; ++q) p2 += z.p[q] * z.p[q] / z.n;
    v_ = beta * v_ + (1 - beta) * p2;
    const double vhat = v_ / (1 - std::pow(beta, static_cast<double>(t + 1)));
    r.op = kOpSgd;
    r.lr = lr_ / (std::sqrt(vhat) + zeta_);
  }
  int64_t memory_bytes() const override { return sizeof(double); }
  std::vector<double> scalar_state() const override { return {v_}; }
  void set_scalar_state(const std::vector<double>& s) override { v_ = s.empty() ? 0 : s[0]; }

 private:
  double v_ = 0, beta_ = 0, zeta_ = 0;
};

// ZO-SGD-Cons: l0 = L(x); estimate g (2 FP); evaluate L(x - lr d) and L(x + lr d) with
// d = g + wd x; keep the best of the three points (5 FP per step; docs/optimizers.md
// "ZO-SGD-Cons").
class ZoCons : public Optimizer {
 public:
  ZoCons(const OptimizerInfo& i, ParamValues hp) : Optimizer(i, std::move(hp)) {
    est_.configure(hp_);
    lr_ = this->hp("lr");
    wd_ = this->hp("wd");
    // The moves below recover x0 from (1 - lr wd) x0 by dividing by 1 - lr wd.
    if (lr_ * wd_ >= 0.5) fail("zo_sgd_cons", "lr x wd = " + std::to_string(lr_ * wd_) + " must be below 0.5");
  }
  void reset(Engine&, const RunContext& ctx) override { est_.set_run_seed(ctx.seed); }
  StepInfo step(Engine& e, int64_t t) override {
    const double l0 = e.eval();
    const ZoEstimate z = est_.estimate(e, t, /*defer_restore=*/false);
    const ElemRequest r = est_.update_request(e, z, kOpPerturb);
    const double lr = lr_, wd = wd_;
    // x <- a x + b g (g = sum c1 z) as one pass on blocks with weight decay; blocks without
    // it (biases, norm weights) get x <- x + b g. a = 1 is a plain perturbation (ZO-Bench's
    // moves, bit for bit); otherwise the SGD op with lr 1, wd 1 - a and c1 scaled by -b.
    auto pass = [&](double a, double b) {
      ElemRequest m = r;
      for (int q = 0; q < z.n; ++q) m.c1[q] = r.c1[q] * (a == 1 ? b : -b);
      if (b == 0) m.n_seeds = 0;
      if (a != 1) {
        m.op = kOpSgd;
        m.lr = 1;
        m.wd = 1 - a;
        m.flags |= kFlagTrialMove;  // the engines measure only the accepted move below
      }
      e.apply(m, nullptr);
    };
    // The point is x = sc x0 + beta g on decayed blocks and x0 + beta g on the others. A move
    // to (s1, b1) first takes beta g off (both kinds of block are then at a multiple of x0),
    // then scales and adds b1 g; from x0 (beta = 0), or without weight decay (s = 1), that is
    // one pass. docs/optimizers.md#zo-sgd-cons.
    double sc = 1, beta = 0;
    auto move = [&](double s1, double b1) {
      if (s1 == sc) {
        pass(1, b1 - beta);
      } else {
        if (beta != 0) pass(1, -beta);
        pass(s1 / sc, b1);
      }
      sc = s1;
      beta = b1;
    };
    move(1 - lr * wd, -lr);  // x - lr (g + wd x)
    const double l_down = e.eval();
    move(1 + lr * wd, lr);  // x + lr (g + wd x)
    const double l_up = e.eval();
    // The accepted move's sign: +1 for x - lr d, -1 for x + lr d, 0 to stay at x.
    const int sign = l_down <= l_up && l_down <= l0 ? 1 : (l0 < l_up ? 0 : -1);
    // The accepted move is applied as an SGD update from x, so that the engine measures the
    // step like any other (update norm, alpha = lr, plane coordinates; docs/optimizers.md
    // "ZO-SGD-Cons"): back to x, then x -= lr (sign g + sign wd x). Without weight decay and with one
    // query the way back is the update's restore (one pass, as before); otherwise passes.
    ElemRequest u = r;
    u.op = kOpSgd;
    u.lr = lr;
    u.wd = sign * wd;
    for (int q = 0; q < z.n; ++q) u.c1[q] = sign * r.c1[q];
    if (sc == 1 && z.n == 1 && sign != 0) {
      u.restore_seed = r.seeds[0];
      u.restore_coef = -beta * r.c1[0];
    } else {
      move(1, 0);
    }
    if (sign != 0) e.apply(u, nullptr);
    StepInfo s = z.info();
    s.loss = l0;
    return s;
  }
  double memory_p() const override { return 0; }
  double fp_per_step() const override { return est_.fp_per_step() + 3; }

 private:
  ZoEstimator est_;
  double lr_ = 0, wd_ = 0;
};

}  // namespace

extern const OptimizerEntry kMezoEntry = {
    [] {
      return OptimizerInfo{"mezo", "MeZO (ZO-SGD)", "zo",
                           "MeZO / ZO-SGD (Malladi et al. 2023): two forward passes at x +- eps z, p = (l+ - l-)/2eps, "
                           "x -= lr (p z + wd x). Memory = inference; z regenerated from the step seed.",
                           false, zo_decls(1e-3, 1e-6)};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> { return std::make_unique<Mezo>(i, std::move(hp)); }};

extern const OptimizerEntry kZoMmtEntry = {
    [] {
      auto d = zo_decls(1e-3, 1e-6);
      d.insert(d.begin() + 1, ParamDecl{"momentum", ParamKind::Real, 0.9, 0.0, 0.9999, false, "momentum mu: b = mu b + g"});
      return OptimizerInfo{"zo_sgd_mmt", "ZO-SGD-MMT", "zo",
                           "ZO-SGD with heavy-ball momentum (ZO-Bench): b = mu b + p z; x -= lr b. Stores b (1P).", false, d};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> { return std::make_unique<ZoMmt>(i, std::move(hp)); }};

extern const OptimizerEntry kZoSignEntry = {
    [] {
      auto d = zo_decls(1e-3, 1e-6);
      d.push_back({"elementwise", ParamKind::Bool, 0, 0, 1, false,
                   "off: x -= lr sign(p) z (ZO-Bench code); on: x -= lr sign(p z) element-wise"});
      return OptimizerInfo{"zo_sgd_sign", "ZO-SGD-Sign", "zo", "Sign of the ZO estimate (ZO-Bench, Zhang et al. 2024).", false, d};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> { return std::make_unique<ZoSign>(i, std::move(hp)); }};

extern const OptimizerEntry kZoConsEntry = {
    [] {
      return OptimizerInfo{"zo_sgd_cons", "ZO-SGD-Cons", "zo",
                           "Conservative ZO-SGD (ZO-Bench): with d = g + wd x, evaluate x, x - lr d and x + lr d and keep the best (5 FP).",
                           false, zo_decls(1e-3, 1e-6)};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> { return std::make_unique<ZoCons>(i, std::move(hp)); }};

extern const OptimizerEntry kMeazoEntry = {
    [] {
      auto d = zo_decls(1e-3, 1e-6);
      d.insert(d.begin() + 1, ParamDecl{"beta", ParamKind::Real, 0.99, 0.0, 0.99999, false, "decay of the scalar second moment of p"});
      d.insert(d.begin() + 2, ParamDecl{"zeta", ParamKind::Real, 1e-8, 1e-12, 1.0, true, "added to sqrt(v_hat)"});
      return OptimizerInfo{"meazo", "MEAZO", "zo",
                           "MEAZO (Dbouk et al. 2026): one scalar second moment v of p (bias-corrected), "
                           "x -= lr / (sqrt(v_hat) + zeta) p z. State: one scalar.",
                           false, d};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> { return std::make_unique<Meazo>(i, std::move(hp)); }};

}  // namespace zs
