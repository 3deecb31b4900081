// FZOO (Dang et al., ICLR 2026, arXiv 2506.09034, Alg. 1): batched one-sided estimates with
// Rademacher directions and a step normalised by the spread of the batch's losses. Per step
// (one minibatch): l0 = L(x), l_i = L(x + eps u_i) for i = 1..N, u_i in {-1, +1}^d;
//   g = 1/(eps N) sum_i (l_i - l0) u_i,  sigma = sample std of l_1..l_N (N - 1 divisor),
//   x -= lr g / sigma.                                  N + 1 FP per step, no state.
// sigma is computed from the projected gradients p_i = (l_i - l0)/eps as eps std(p) (the
// same number: a constant shift leaves a standard deviation unchanged). When sigma is 0
// (every l_i equal) the step is skipped: g / sigma is undefined there.
#include <cmath>
#include "core/opt/zo_common.h"

namespace zs {
namespace {

class Fzoo : public Optimizer {
 public:
  Fzoo(const OptimizerInfo& i, ParamValues hp) : Optimizer(i, std::move(hp)) {
    // The shared estimator in its one-sided, N-query, Rademacher form.
    est_.configure({{"eps", this->hp("eps")}, {"queries", this->hp("N")}, {"sided", 1}, {"dist", 1}});
    lr_ = this->hp("lr");
  }
  void reset(Engine&, const RunContext& ctx) override { est_.set_run_seed(ctx.seed); }
  StepInfo step(Engine& e, int64_t t) override {
    const ZoEstimate z = est_.estimate(e, t);
    ElemRequest r = est_.update_request(e, z, kOpSgd);  // g = sum_i p_i u_i / N, restore fused
    double mean = 0, var = 0;
    for (int i = 0; i < z.n; ++i) mean += z.p[i] / z.n;
    for (int i = 0; i < z.n; ++i) var += (z.p[i] - mean) * (z.p[i] - mean) / (z.n - 1);
    const double sigma = est_.eps() * std::sqrt(var);
    r.lr = sigma > 0 && std::isfinite(sigma) ? lr_ / sigma : 0.0;  // lr 0: only the restore
    e.apply(r, nullptr);
    StepInfo s = z.info();
    s.eps = est_.eps();
    return s;
  }
  double memory_p() const override { return 0; }
  double fp_per_step() const override { return est_.fp_per_step(); }

 private:
  ZoEstimator est_;
  double lr_ = 0;
};

}  // namespace

extern const OptimizerEntry kFzooEntry = {
    [] {
      ParamDecl n{"N", ParamKind::Int, 8, 2, kMaxSeeds, false,
                  "one-sided Rademacher queries per step (N + 1 FP); sigma is their losses' std"};
      n.llm_def = 8;
      ParamDecl lr = decl_lr(1e-5, 1e-5);
      lr.help = "learning rate; the step is lr g / sigma (sigma: std of the N perturbed losses)";
      return OptimizerInfo{"fzoo", "FZOO", "zo",
                           "FZOO (Dang et al. ICLR 2026): l0 and N one-sided losses at x + eps u_i (Rademacher u_i), "
                           "g = sum (l_i - l0) u_i / (eps N), x -= lr g / std(l_1..l_N). N + 1 FP per step, no state.",
                           false,
                           {lr, n, decl_eps()}};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> { return std::make_unique<Fzoo>(i, std::move(hp)); }};

}  // namespace zs
