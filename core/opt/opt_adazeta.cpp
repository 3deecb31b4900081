// AdaZeta (Yang et al., EMNLP 2024; official code yifanycc/AdaZeta,
// trainer_adazeta.py zo_step / zo_update; docs/optimizers.md#adazeta): ZO-SGD whose
// number of queries per step grows with the epoch,
//   x -= lr (mean_q p_q z_q + wd x),   p_q = (l(x + eps z_q) - l(x - eps z_q)) / (2 eps),
//   Q_k = min(max(q_init + floor(alpha k^beta), 1), q_max),   k = floor(t / steps_per_epoch).
// The tensor-train adapters it trains in LLM mode are core/llm/torch/adazeta.h.
//
// Schedule forms (hyperparameter `schedule`):
//   power (default; docs/optimizers.md#adazeta): beta fixed (0.4). This is what the official
//     code runs: `min(max(num_pertub_init + int(shrink_factor * epoch ** inc_rate), 1), 15)`
//     with inc_rate a fixed argument (mezo.sh RATE default 0.4). Step t's query count does
//     not depend on the planned run length, so extending or resuming a run keeps its path.
//   target (the LLM proposal's reading): beta chosen so that the last epoch of the run (from
//     RunContext::total_steps) reaches q_max: alpha (E - 1)^beta = q_max - q_init. Every run
//     then ends at q_max (15), 7.5x the FP of the first epochs, whereas the official
//     scripts' default run (mezo.sh: 10000 steps, 159 epochs of 63 steps) ends at 6
//     queries with the power form (7 with their q_init = 1).
// q_init is the official num_pertub_init: 0 gives the formula without it (default); the
// official run script (run_all_large_exp.sh: NUM_INIT=1, SHRINK=0.85) uses 1.
#include <algorithm>
#include <cmath>
#include "core/opt/zo_common.h"

namespace zs {
namespace {

enum class ScheduleForm { Power = 0, Target = 1 };

class AdaZeta : public Optimizer {
 public:
  AdaZeta(const OptimizerInfo& i, ParamValues hp) : Optimizer(i, std::move(hp)) {
    est_.configure(hp_);
    lr_ = this->hp("lr");
    wd_ = this->hp("wd");
    alpha_ = this->hp("alpha");
    beta_ = beta_power_ = this->hp("beta");
    q_init_ = static_cast<int>(this->hp("q_init"));
    q_max_ = static_cast<int>(this->hp("q_max"));
    steps_per_epoch_ = static_cast<int64_t>(this->hp("steps_per_epoch"));
    form_ = static_cast<ScheduleForm>(static_cast<int>(this->hp("schedule")));
    fp_avg_ = 2.0 * queries_at(0);  // before reset: the first epoch's value
  }

  void reset(Engine&, const RunContext& ctx) override {
    est_.set_run_seed(ctx.seed);
    total_ = ctx.total_steps;
    beta_ = form_ == ScheduleForm::Target ? target_beta() : beta_power_;
    fp_avg_ = average_fp();
  }

  StepInfo step(Engine& e, int64_t t) override {
    est_.set_queries(queries_at(t));
    const ZoEstimate z = est_.estimate(e, t);
    ElemRequest r = est_.update_request(e, z, kOpSgd);  // c1[q] = p_q / Q: the mean over queries
    r.lr = lr_;
    r.wd = wd_;
    // A fused next perturbation belongs to step t + 1: its schedule decides whether it is
    // a single query (fuse_next fuses only then) and, in table mode, its seed.
    est_.set_queries(queries_at(t + 1));
    est_.fuse_next(e, r, t);
    e.apply(r, nullptr);
    return z.info();
  }

  void settle(Engine& e) override { est_.settle(e); }
  double memory_p() const override { return 0; }
  // The average of 2 Q_k over the run's total_steps (the engine counts the exact FP of
  // each step); before reset, the first epoch's 2 Q_0.
  double fp_per_step() const override { return fp_avg_; }
  double fp_of_step(int64_t t) const override { return 2.0 * queries_at(t); }

 private:
  int64_t epoch_of(int64_t t) const { return t / steps_per_epoch_; }
  int queries_at(int64_t t) const { return schedule(epoch_of(t)); }

  // trainer_adazeta.py: min(max(num_pertub_init + int(shrink_factor * epoch ** inc_rate), 1), 15).
  int schedule(int64_t k) const {
    const double v = q_init_ + std::floor(alpha_ * std::pow(static_cast<double>(k), beta_));
    return static_cast<int>(std::min(std::max(v, 1.0), static_cast<double>(q_max_)));
  }

  // alpha (E - 1)^beta = q_max - q_init at the last epoch E - 1, nudged up by 1e-12 relative
  // so that pow/log rounding cannot floor that epoch to one query below the target. A goal
  // already met at beta = 0 gives 0; with fewer than three epochs (k^beta = k for k <= 1)
  // no exponent reaches it, and the power form's beta is kept.
  double target_beta() const {
    const double goal = q_max_ - q_init_;
    if (goal <= alpha_) return 0;
    if (total_ <= 0) return beta_power_;
    const int64_t last = epoch_of(total_ - 1);
    if (last < 2) return beta_power_;
    return std::log(goal / alpha_) / std::log(static_cast<double>(last)) * (1 + 1e-12);
  }

  double average_fp() const {
    if (total_ <= 0) return 2.0 * queries_at(0);
    double sum = 0;  // sum of Q over the steps, epoch by epoch; Q is non-decreasing
    for (int64_t k = 0, t0 = 0; t0 < total_; ++k, t0 += steps_per_epoch_) {
      const int q = schedule(k);
      if (q == q_max_) {
        sum += static_cast<double>(q) * static_cast<double>(total_ - t0);
        break;
      }
      sum += static_cast<double>(q) * static_cast<double>(std::min(steps_per_epoch_, total_ - t0));
    }
    return 2.0 * sum / static_cast<double>(total_);
  }

  ZoEstimator est_;
  double lr_ = 0, wd_ = 0, alpha_ = 0, beta_ = 0, beta_power_ = 0, fp_avg_ = 2;
  int q_init_ = 0, q_max_ = 1;
  int64_t steps_per_epoch_ = 1, total_ = 0;
  ScheduleForm form_ = ScheduleForm::Power;
};

std::vector<ParamDecl> adazeta_decls() {
  ParamDecl wd = decl_wd();
  wd.llm_def = 0.01;  // official runs: --weight_decay=0.01 (not on biases)
  ParamDecl spe{"steps_per_epoch", ParamKind::Int, 20, 1, 1e8, false,
                "steps that make one epoch k of the schedule (LLM: 1000 examples at batch 16 = 63)"};
  spe.llm_def = 63;
  ParamDecl form{"schedule", ParamKind::Choice, 0, 0, 1, false,
                 "power: Q_k = min(max(q_init + floor(alpha k^beta), 1), q_max) with beta fixed; "
                 "target: beta set so that the run's last epoch reaches q_max"};
  form.choices = {"power", "target"};
  return {decl_lr(1e-3, 1e-4),
          decl_eps(),
          wd,
          {"alpha", ParamKind::Real, 0.85, 1e-3, 100.0, false, "schedule scale alpha (official shrink_factor)"},
          {"beta", ParamKind::Real, 0.4, 0.0, 2.0, false, "schedule exponent beta (official inc_rate; power form)"},
          {"q_init", ParamKind::Int, 0, 0, kMaxSeeds, false,
           "queries added to the schedule (official num_pertub_init; its run script uses 1)"},
          {"q_max", ParamKind::Int, 15, 1, kMaxSeeds, false, "most queries per step"},
          spe,
          form};
}

}  // namespace

extern const OptimizerEntry kAdaZetaEntry = {
    [] {
      return OptimizerInfo{"adazeta", "AdaZeta", "zo",
                           "AdaZeta (Yang et al., EMNLP 2024): ZO-SGD averaging Q_k two-sided estimates per step, "
                           "Q_k = min(max(floor(alpha k^beta), 1), q_max) growing with the epoch k, "
                           "x -= lr (mean_q p_q z_q + wd x). In LLM mode it trains tensor-train adapters. "
                           "Memory = inference; 2 Q_k FP per step.",
                           false, adazeta_decls()};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> {
      return std::make_unique<AdaZeta>(i, std::move(hp));
    }};

}  // namespace zs
