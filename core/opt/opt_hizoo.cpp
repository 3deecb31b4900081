// HiZOO (Zhao et al., ICLR 2025, Alg. 1): a diagonal Hessian estimate H (init 1) steers the
// perturbation. l0 = L(x), l+- = L(x +- eps H^(-1/2) z);
//   H = (1 - a) H + a |l+ + l- - 2 l0| / (2 eps^2) H z^2,
//   x -= lr ((l+ - l-)/(2 eps) z / sqrt(H) + wd x).          3 FP per step, H is 1P.
// The update uses the refreshed H (documented choice; the restore uses the H that perturbed).
#include <cmath>
#include "core/opt/zo_common.h"

namespace zs {
namespace {

class HiZoo : public Optimizer {
 public:
  HiZoo(const OptimizerInfo& i, ParamValues hp) : Optimizer(i, std::move(hp)) {
    est_.configure(hp_);
    lr_ = this->hp("lr");
    wd_ = this->hp("wd");
    a_ = this->hp("smoothing");
  }
  void reset(Engine& e, const RunContext& ctx) override {
    est_.set_run_seed(ctx.seed);
    e.state_init(0, 1.0);
  }
  StepInfo step(Engine& e, int64_t t) override {
    const double l0 = e.eval();
    const ZoEstimate z = est_.estimate(e, t, true, kOpPerturbHiZOO);
    const double eps = est_.eps();
    ElemRequest r = est_.update_request(e, z, kOpHiZOO);
    r.lr = lr_;
    r.wd = wd_;
    r.alpha = a_;
    r.hess = std::fabs(z.loss_plus + z.loss_minus - 2.0 * l0) / (2.0 * eps * eps);
    e.apply(r, nullptr);
    StepInfo s = z.info();
    s.loss = l0;
    return s;
  }
  double memory_p() const override { return 1; }
  double fp_per_step() const override { return 3; }

 private:
  ZoEstimator est_;
  double lr_ = 0, wd_ = 0, a_ = 0;
};

}  // namespace

extern const OptimizerEntry kHiZooEntry = {
    [] {
      ParamDecl a{"smoothing", ParamKind::Real, 1e-3, 1e-10, 1.0, true,
                  "EMA weight a of the diagonal Hessian estimate (paper: 1e-8 .. 1e-6 on LLMs)"};
      a.llm_def = 1e-8;
      return OptimizerInfo{"hizoo", "HiZOO", "zo",
                           "HiZOO (Zhao et al. ICLR 2025): diagonal Hessian H estimated from l+ + l- - 2 l0 preconditions "
                           "the perturbation and the step. 3 FP per step, stores H (1P).",
                           false,
                           {decl_lr(1e-3, 1e-6), a, decl_eps(), decl_wd()}};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> { return std::make_unique<HiZoo>(i, std::move(hp)); }};

}  // namespace zs
