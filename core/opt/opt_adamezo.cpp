// AdaMeZO (Cai, Chen, Zhu, ICML 2026; arXiv 2605.00650; official code shawnnn3di/AdaMeZO):
// Adam-style moments that are never stored. The last h (seed, p) pairs are kept; at
// update time their directions are regenerated and, per coordinate (age k = 0 now),
//   m_i = sum_k beta1^k p_{t-k} z_{t-k,i},  v_i = sum_k beta2^k p_{t-k}^2 z_{t-k,i}^2,
//   x_i -= lr (gain m_i / (sqrt(v_i) + delta) + wd x_i)          (docs/optimizers.md#adamezo)
// The first h+1 steps are plain MeZO updates (warm-up); h = 0 is MeZO exactly.
#include <cmath>
#include <deque>
#include "core/opt/zo_common.h"

namespace zs {
namespace {

class AdaMezo : public Optimizer {
 public:
  AdaMezo(const OptimizerInfo& i, ParamValues hp) : Optimizer(i, std::move(hp)) {
    est_.configure(hp_);
    h_ = static_cast<int>(this->hp("h"));
    lr_ = this->hp("lr");
    wd_ = this->hp("wd");
    b1_ = this->hp("beta1");
    b2_ = this->hp("beta2");
    gain_ = this->hp("gain");
    delta_ = this->hp("delta");
    inside_ = this->hp("delta_inside_sqrt") != 0;
    omb_ = this->hp("one_minus_beta") != 0;
    bias_ = this->hp("bias_correction") != 0;
    warmup_ = this->hp("warmup") != 0;
  }
  void reset(Engine&, const RunContext& ctx) override {
    est_.set_run_seed(ctx.seed);
    hist_.clear();
  }
  StepInfo step(Engine& e, int64_t t) override {
    const ZoEstimate z = est_.estimate(e, t);
    const int h = h_;
    if (h > 0) {
      hist_.push_front({z.seeds[0], z.p[0] * z.scale[0]});  // p u with u = scale z
      while (static_cast<int>(hist_.size()) > h) hist_.pop_back();
    }
    const bool warm = h == 0 || (warmup_ && t < h + 1);
    ElemRequest r = est_.update_request(e, z, warm ? kOpSgd : kOpAdaMeZO);  // warm-up: plain MeZO
    r.lr = lr_;
    r.wd = wd_;
    if (!warm) {
      const double b1 = b1_, b2 = b2_;
      const bool omb = omb_;
      const int n = static_cast<int>(hist_.size());
      const double bc1 = bias_ ? 1.0 - std::pow(b1, n) : 1.0;
      const double bc2 = bias_ ? 1.0 - std::pow(b2, n) : 1.0;
      double w1 = omb ? 1 - b1 : 1.0, w2 = omb ? 1 - b2 : 1.0;
      r.n_seeds = n;
      for (int k = 0; k < n; ++k) {
        r.seeds[k] = hist_[k].seed;
        r.c1[k] = w1 * hist_[k].pu / bc1;
        r.c2[k] = w2 * hist_[k].pu * hist_[k].pu / bc2;
        w1 *= b1;
        w2 *= b2;
      }
      r.gain = gain_;
      r.delta = delta_;
      if (inside_) r.flags |= kFlagDeltaInsideSqrt;
    }
    est_.fuse_next(e, r, t);
    e.apply(r, nullptr);
    return z.info();
  }
  void settle(Engine& e) override { est_.settle(e); }
  double memory_p() const override { return 0; }
  int64_t memory_bytes() const override { return static_cast<int64_t>(hp_.at("h")) * 16; }
  double fp_per_step() const override { return est_.fp_per_step(); }
  std::vector<double> scalar_state() const override {
    std::vector<double> s;
    for (const auto& e : hist_) {
      s.push_back(static_cast<double>(e.seed >> 32));
      s.push_back(static_cast<double>(e.seed & 0xffffffffu));
      s.push_back(e.pu);
    }
    return s;
  }
  void set_scalar_state(const std::vector<double>& s) override {
    hist_.clear();
    for (size_t i = 0; i + 2 < s.size(); i += 3)
      hist_.push_back({(static_cast<uint64_t>(s[i]) << 32) | static_cast<uint64_t>(s[i + 1]), s[i + 2]});
  }

 private:
  struct Entry {
    uint64_t seed;
    double pu;
  };
  std::deque<Entry> hist_;  // newest first
  int h_ = 0;
  double lr_ = 0, wd_ = 0, b1_ = 0, b2_ = 0, gain_ = 1, delta_ = 0;
  bool inside_ = false, omb_ = false, bias_ = false, warmup_ = true;
  ZoEstimator est_;
};

ParamDecl with_llm(ParamDecl d, double llm) {
  d.llm_def = llm;
  return d;
}

}  // namespace

extern const OptimizerEntry kAdaMezoEntry = {
    [] {
      return OptimizerInfo{
          "adamezo", "AdaMeZO", "zo",
          "AdaMeZO (Cai, Chen, Zhu, ICML 2026): Adam-like moments regenerated from the last h (seed, p) pairs, never "
          "stored: memory = inference + h scalars. Landscape defaults follow the official 2-D notebook (h 20, gain 1, "
          "delta 1e-8); LLM defaults the official training code (h 10, gain 100, delta 1e-5, lr 1e-7).",
          false,
          {decl_lr(2e-3, 1e-7),
           with_llm({"h", ParamKind::Int, 20, 0, kMaxSeeds, false, "history length (0 = MeZO)"}, 10),
           {"beta1", ParamKind::Real, 0.7, 0.0, 0.9999, false, "first-moment decay over the window"},
           {"beta2", ParamKind::Real, 0.9, 0.0, 0.99999, false, "second-moment decay over the window"},
           with_llm({"gain", ParamKind::Real, 1.0, 1e-3, 1e4, true, "multiplies m / sqrt(v)"}, 100),
           with_llm({"delta", ParamKind::Real, 1e-8, 1e-12, 1.0, true, "stabiliser of 1/(sqrt(v)+delta)"}, 1e-5),
           {"delta_inside_sqrt", ParamKind::Bool, 0, 0, 1, false, "paper form 1/sqrt(v + delta)"},
           {"one_minus_beta", ParamKind::Bool, 0, 0, 1, false, "paper form with (1-beta1), (1-beta2) factors"},
           {"bias_correction", ParamKind::Bool, 0, 0, 1, false, "divide by 1 - beta^n over the window"},
           {"warmup", ParamKind::Bool, 1, 0, 1, false, "plain MeZO updates for the first h+1 steps"},
           decl_eps(), decl_wd(), decl_sided(), decl_dist()}};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> {
      return std::make_unique<AdaMezo>(i, std::move(hp));
    }};

}  // namespace zs
