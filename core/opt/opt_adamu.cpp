// ZO-AdaMU (Jiang et al., AAAI 2024): the momentum moves onto the perturbation. Per step
// zdot ~ N(0, alpha), zddot ~ N(m_{t-1}, 1 - alpha), m_t = b1 zdot + (1 - b1) zddot is
// the perturbation, v_t = b2 zdot^2 + (1 - b2) zddot^2, x -= lr p m_t / sqrt(v_t + 1e-8).
// alpha, b1, b2 follow the paper's simulated-annealing schedule: 1 until T1, cosine decay
// to a floor until T2 = 0.8 T, then constant. The paper and code disagree on the floors;
// we use floor_k = 1 - 0.1 phi_k with the paper's decay rates phi = (1.0, 0.1, 1.5), i.e.
// (0.9, 0.99, 0.85), each exposed as a hyperparameter (docs/design-notes.md).
#include <algorithm>
#include <cmath>
#include "core/opt/zo_common.h"

namespace zs {
namespace {

class AdaMu : public Optimizer {
 public:
  AdaMu(const OptimizerInfo& i, ParamValues hp) : Optimizer(i, std::move(hp)) {
    est_.configure(hp_);
    lr_ = this->hp("lr");
    wd_ = this->hp("wd");
    t1_ = this->hp("t1");
    t2f_ = this->hp("t2_fraction");
    floor_[0] = this->hp("alpha_floor");
    floor_[1] = this->hp("beta1_floor");
    floor_[2] = this->hp("beta2_floor");
  }
  void reset(Engine& e, const RunContext& ctx) override {
    est_.set_run_seed(ctx.seed);
    total_ = std::max<int64_t>(ctx.total_steps, 1);
    e.state_init(0, 0.0);
  }
  // Cosine anneal from 1 at T1 to `floor` at T2 = frac * T.
  double anneal(int64_t t, double floor) const {
    const double t1 = t1_, t2 = std::max(t1 + 1.0, t2f_ * static_cast<double>(total_));
    if (static_cast<double>(t) < t1) return 1.0;
    if (static_cast<double>(t) >= t2) return floor;
    const double u = (static_cast<double>(t) - t1) / (t2 - t1);
    return floor + (1.0 - floor) * 0.5 * (1.0 + std::cos(3.14159265358979323846 * u));
  }
  StepInfo step(Engine& e, int64_t t) override {
    ElemRequest base;
    est_.prepare(e, base);
    base.alpha = anneal(t, floor_[0]);
    base.beta1 = anneal(t, floor_[1]);
    base.beta2 = anneal(t, floor_[2]);
    const uint64_t s = est_.seed(e, t, 0);
    const double eps = est_.eps();
    auto perturb = [&](double c) {
      ElemRequest r = base;
      r.op = kOpPerturbAdaMU;
      r.n_seeds = 1;
      r.seeds[0] = s;
      r.c1[0] = c;
      e.apply(r, nullptr);
    };
    perturb(eps);
    const double lp = e.eval();
    perturb(-2.0 * eps);
    const double lm = e.eval();
    const double p = (lp - lm) / (2.0 * eps);
    ElemRequest r = base;
    r.op = kOpAdaMU;
    r.n_seeds = 1;
    r.seeds[0] = s;
    r.c1[0] = p;
    r.restore_seed = s;
    r.restore_coef = eps;
    r.lr = lr_;
    r.wd = wd_;
    r.delta = 1e-8;
    e.apply(r, nullptr);
    StepInfo out;
    out.loss = 0.5 * (lp + lm);
    out.loss_plus = lp;
    out.loss_minus = lm;
    out.p = p;
    out.seed = s;
    return out;
  }
  double memory_p() const override { return 1; }
  double fp_per_step() const override { return 2; }

 private:
  ZoEstimator est_;
  int64_t total_ = 1;
  double lr_ = 0, wd_ = 0, t1_ = 0, t2f_ = 0, floor_[3] = {1, 1, 1};
};

}  // namespace

extern const OptimizerEntry kAdaMuEntry = {
    [] {
      return OptimizerInfo{
          "zo_adamu", "ZO-AdaMU", "zo",
          "ZO-AdaMU (Jiang et al. AAAI 2024): momentum in the perturbation m_t = b1 zdot + (1-b1) zddot, "
          "zddot centred on m_{t-1}; x -= lr p m_t / sqrt(v_t + 1e-8); alpha, b1, b2 annealed. Stores m (1P).",
          false,
          {decl_lr(1e-3, 1e-4), decl_eps(), decl_wd(),
           {"t1", ParamKind::Int, 1024, 0, 1e8, false, "steps before the anneal starts (T1)"},
           {"t2_fraction", ParamKind::Real, 0.8, 0.0, 1.0, false, "anneal ends at T2 = fraction x total steps"},
           {"alpha_floor", ParamKind::Real, 0.9, 0.0, 1.0, false, "final alpha (variance of the fresh part)"},
           {"beta1_floor", ParamKind::Real, 0.99, 0.0, 1.0, false, "final beta1 (weight of the fresh part)"},
           {"beta2_floor", ParamKind::Real, 0.85, 0.0, 1.0, false, "final beta2"}}};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> { return std::make_unique<AdaMu>(i, std::move(hp)); }};

}  // namespace zs
