// AdaNAGED-P (provisional): a reconstruction of Bystrov et al., "Zero-order Parameter-free
// Optimization for LMO-based Methods" (arXiv 2606.14970) from its abstract's ingredients
// (docs/optimizers.md#adanaged-p). Per step k (2 FP):
//   tau_k = max(tau_min, c_tau gamma_{k-1})                  smoothing tied to the last step
//   p_k = (L(x + tau z) - L(x - tau z)) / (2 tau), g = p z    two-sided estimate
//   m = beta m + (1 - beta) g; u = Nesterov(m, g) or m       optional momentum
//   o_b = LMO_b(u_b): sign (l-inf ball), u/||u|| (l2 ball), msign (spectral, matrices)
//   rbar = max(rbar, dist(x_k, x_0)); G += (sum_b <u_b, o_b>)^2  (dist in the block
//   max-norm whose unit ball the LMO uses; its dual is the sum of block duals)
//   gamma = rbar (sum_b <u_b, o_b>) / sqrt(G); x_b -= gamma o_b  (DoG, Ivgi et al. 2023)
// With the Euclidean LMO, one block, no momentum and the exact distance it is DoG.
#include <cmath>
#include "core/opt/zo_common.h"

namespace zs {
namespace {

enum Lmo { kLmoAuto = 0, kLmoSign = 1, kLmoEuclid = 2 };

class AdaNaged : public Optimizer {
 public:
  AdaNaged(const OptimizerInfo& i, ParamValues hp) : Optimizer(i, std::move(hp)) {
    ParamValues ehp = hp_;
    ehp["eps"] = 1e-3;  // unused: the radius is tau_k
    est_.configure(ehp);
    tau_min_ = this->hp("tau_min");
    c_tau_ = this->hp("c_tau");
    tau_last_step_ = this->hp("tau_mode") == 0;
    dog_ = this->hp("step_mode") == 0;
    nesterov_ = this->hp("nesterov") != 0;
    lmo_ = static_cast<int>(this->hp("lmo"));
    beta_ = this->hp("beta");
    exact_ = this->hp("distance") == 0;
  }
  void reset(Engine& e, const RunContext& ctx) override {
    est_.set_run_seed(ctx.seed);
    if (beta_ > 0) e.state_init(0, 0.0);
    geometry_ = lmo_ == kLmoEuclid ? Engine::kNormL2 : (lmo_ == kLmoAuto ? Engine::kNormAuto : Engine::kNormLinf);
    r_eps_ = hp("r_eps") * (1.0 + e.anchor_save(exact_, geometry_));
    rbar_ = r_eps_;
    gamma_prev_ = r_eps_;
    gamma_sum_ = 0;
    G_ = 0;
    matrix_ = false;
    if (lmo_ == kLmoAuto)
      for (int b = 0; b < e.num_blocks(); ++b) matrix_ = matrix_ || e.block_is_matrix(b);
    if (matrix_) e.state_init(1, 0.0);
  }
  StepInfo step(Engine& e, int64_t t) override {
    const double dist = exact_ ? e.anchor_dist(geometry_) : gamma_sum_;
    rbar_ = std::max(rbar_, dist);
    double tau = tau_last_step_ ? std::max(tau_min_, c_tau_ * gamma_prev_) : rbar_ / std::sqrt(static_cast<double>(e.dim()));
    tau = std::max(tau, tau_min_);
    const ZoEstimate z = est_.estimate(e, t, true, kOpPerturb, tau);
    ElemRequest r = est_.update_request(e, z, kOpNagedDual);
    r.beta1 = beta_;
    if (beta_ > 0) r.flags |= kFlagNagedMomentum;
    if (nesterov_) r.flags |= kFlagNesterov;
    const int lmo = lmo_;
    if (lmo == kLmoEuclid) r.flags |= kFlagNagedEuclid;
    // Pass 1: momentum update and the block duals of u (restore fused in).
    ApplyStats st;
    e.apply(r, &st);
    r.restore_coef = 0;
    double dual = 0;
    scale_.assign(st.block_l2sq.size(), 0.0);
    if (matrix_) {
      r.flags |= kFlagNagedMatrix;
      dual = e.naged_msign(r);
    } else {
      for (size_t b = 0; b < st.block_l2sq.size(); ++b) {
        const double l2 = std::sqrt(st.block_l2sq[b]);
        if (lmo == kLmoEuclid) {
          dual += l2;
          scale_[b] = l2 > 0 ? 1.0 / l2 : 0.0;
        } else {
          dual += st.block_l1[b];
        }
      }
    }
    G_ += dual * dual;
    double gamma = 0;
    if (G_ > 0) gamma = dog_ ? rbar_ * dual / std::sqrt(G_) : rbar_ / std::sqrt(static_cast<double>(t + 1));
    // Pass 2: x -= gamma o.
    r.op = kOpNagedStep;
    r.gamma = gamma;
    r.block_scale = scale_.data();
    e.apply(r, nullptr);
    gamma_prev_ = gamma;
    gamma_sum_ += gamma;
    StepInfo s = z.info();
    s.eps = tau;
    return s;
  }
  double memory_p() const override { return (beta_ > 0 ? 1 : 0) + (exact_ ? 1 : 0) + (matrix_ ? 1 : 0); }
  double fp_per_step() const override { return 2; }
  std::vector<double> scalar_state() const override { return {rbar_, gamma_prev_, gamma_sum_, G_}; }
  void set_scalar_state(const std::vector<double>& s) override {
    if (s.size() == 4) { rbar_ = s[0]; gamma_prev_ = s[1]; gamma_sum_ = s[2]; G_ = s[3]; }
  }

 private:
  ZoEstimator est_;
  double beta_ = 0, r_eps_ = 0, rbar_ = 0, gamma_prev_ = 0, gamma_sum_ = 0, G_ = 0;
  bool exact_ = true, matrix_ = false;
  double tau_min_ = 0, c_tau_ = 1;
  bool tau_last_step_ = true, dog_ = true, nesterov_ = true;
  int lmo_ = 0;
  int geometry_ = Engine::kNormLinf;
  std::vector<double> scale_;
};

}  // namespace

extern const OptimizerEntry kAdaNagedEntry = {
    [] {
      ParamDecl lmo{"lmo", ParamKind::Choice, 1, 0, 2, false,
                    "LMO per block: auto (msign on matrices, sign on vectors), sign (l-inf ball), "
                    "euclid (l2 ball; on a 2-D point also the 1x2-matrix msign u/|u|)"};
      lmo.choices = {"auto", "sign", "euclid"};
      lmo.llm_def = 0;
      ParamDecl tau_mode{"tau_mode", ParamKind::Choice, 0, 0, 1, false,
                         "smoothing radius: last_step (max(tau_min, c_tau gamma_{k-1})) or rbar/sqrt(d)"};
      tau_mode.choices = {"last_step", "rbar_sqrt_d"};
      ParamDecl distance{"distance", ParamKind::Choice, 0, 0, 1, false,
                         "dist(x_k, x_0): exact (keeps x_0, +1P) or the no-memory bound sum of gammas"};
      distance.choices = {"exact", "bound"};
      ParamDecl step_mode{"step_mode", ParamKind::Choice, 0, 0, 1, false,
                          "step: dog (rbar S / sqrt(G)) or rbar / sqrt(k+1)"};
      step_mode.choices = {"dog", "rbar_sqrt_k"};
      return OptimizerInfo{
          "adanaged_p", "AdaNAGED-P (provisional)", "zo",
          "Provisional reconstruction of AdaNAGED (Bystrov et al. 2026) from its abstract: parameter-free (DoG-style "
          "step and smoothing radius), ZO estimate, per-block LMO updates. No step size to tune. See docs/optimizers.md#adanaged-p.",
          true,
          {{"beta", ParamKind::Real, 0.9, 0.0, 0.9999, false, "momentum (0 = off)"},
           {"nesterov", ParamKind::Bool, 1, 0, 1, false, "Nesterov look-ahead u = beta m + (1-beta) g"},
           lmo, tau_mode, distance, step_mode,
           {"c_tau", ParamKind::Real, 1.0, 1e-6, 1e6, true, "tau_k = c_tau gamma_{k-1}"},
           {"tau_min", ParamKind::Real, 1e-8, 1e-12, 1.0, true, "lower bound of the smoothing radius"},
           {"r_eps", ParamKind::Real, 1e-6, 1e-12, 1.0, true, "initial distance scale: r_eps (1 + ||x_0||)"},
           decl_dist()}};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> {
      return std::make_unique<AdaNaged>(i, std::move(hp));
    }};

}  // namespace zs
