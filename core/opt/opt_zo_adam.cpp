// Adam fed with the ZO estimate: ZO-Adam (ZO-Bench, Zhang et al. ICML 2024; stores m and
// v, 2P) and R-AdaZO (Shu et al. ICML 2025: second moment built from m, no bias
// correction, 1/sqrt(v + zeta), K directions averaged).
#include <cmath>
#include "core/opt/zo_common.h"

namespace zs {
namespace {

class ZoAdamLike : public Optimizer {
 public:
  ZoAdamLike(const OptimizerInfo& i, ParamValues hp, bool radazo) : Optimizer(i, std::move(hp)), radazo_(radazo) {
    est_.configure(hp_);
    base_.op = kOpAdam;
    base_.lr = this->hp("lr");
    base_.wd = this->hp("wd");
    base_.beta1 = this->hp("beta1");
    base_.beta2 = this->hp("beta2");
    base_.delta = this->hp("delta");
    if (radazo_) base_.flags |= kFlagVFromM | kFlagDeltaInsideSqrt;
  }
  void reset(Engine& e, const RunContext& ctx) override {
    est_.set_run_seed(ctx.seed);
    e.state_init(0, 0.0);
    e.state_init(1, 0.0);
  }
  StepInfo step(Engine& e, int64_t t) override {
    const ZoEstimate z = est_.estimate(e, t);
    ElemRequest r = est_.update_request(e, z, kOpAdam);
    r.lr = base_.lr;
    r.wd = base_.wd;
    r.beta1 = base_.beta1;
    r.beta2 = base_.beta2;
    r.delta = base_.delta;
    r.flags |= base_.flags;
    if (!radazo_) {
      r.bc1 = 1.0 - std::pow(r.beta1, static_cast<double>(t + 1));
      r.bc2 = 1.0 - std::pow(r.beta2, static_cast<double>(t + 1));
    }
    est_.fuse_next(e, r, t);
    e.apply(r, nullptr);
    return z.info();
  }
  void settle(Engine& e) override { est_.settle(e); }
  double memory_p() const override { return 2; }
  double fp_per_step() const override { return est_.fp_per_step(); }

 private:
  bool radazo_;
  ZoEstimator est_;
  ElemRequest base_;  // hyperparameters resolved once
};

}  // namespace

extern const OptimizerEntry kZoAdamEntry = {
    [] {
      return OptimizerInfo{
          "zo_adam", "ZO-Adam", "zo",
          "Adam fed with the ZO estimate g = p z (ZO-Bench): bias-corrected m and v, delta outside the sqrt. "
          "Stores m and v: 3x inference memory, the cost AdaMeZO avoids.",
          false,
          {decl_lr(0.01, 1e-5),
           {"beta1", ParamKind::Real, 0.9, 0.0, 0.9999, false, "first-moment decay"},
           {"beta2", ParamKind::Real, 0.999, 0.0, 0.99999, false, "second-moment decay"},
           {"delta", ParamKind::Real, 1e-8, 1e-12, 1.0, true, "added outside the square root"},
           decl_eps(), decl_wd(), decl_queries(), decl_sided(), decl_dist()}};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> {
      return std::make_unique<ZoAdamLike>(i, std::move(hp), false);
    }};

extern const OptimizerEntry kRAdaZoEntry = {
    [] {
      return OptimizerInfo{
          "r_adazo", "R-AdaZO", "zo",
          "R-AdaZO (Shu et al. ICML 2025): m = b1 m + (1-b1) g; v = b2 v + (1-b2) m^2; x -= lr m / sqrt(v + zeta). "
          "Forward differences over K directions by default (K+1 FP). Stores m and v (2P).",
          false,
          {decl_lr(0.01, 1e-5),
           {"beta1", ParamKind::Real, 0.9, 0.0, 0.9999, false, "first-moment decay"},
           {"beta2", ParamKind::Real, 0.999, 0.0, 0.99999, false, "second-moment decay (of m^2)"},
           {"delta", ParamKind::Real, 1e-8, 1e-12, 1.0, true, "zeta, added inside the square root"},
           decl_eps(5e-3), decl_wd(), decl_queries(), decl_sided(1), decl_dist()}};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> {
      return std::make_unique<ZoAdamLike>(i, std::move(hp), true);
    }};

}  // namespace zs
