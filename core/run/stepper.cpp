// The one step loop (see stepper.h).
#include "core/run/stepper.h"
#include <cmath>

namespace zs {

int64_t Budget::step_estimate(const Optimizer& o) const {
  if (steps > 0) return steps;
  return static_cast<int64_t>(std::floor(static_cast<double>(forward_passes) / o.fp_per_step() + 1e-9));
}

Stepper::Stepper(Optimizer& opt, Engine& engine, const Budget& budget, uint64_t seed)
    : opt_(opt), engine_(engine), budget_(budget) {
  opt_.reset(engine_, RunContext{seed, budget_.step_estimate(opt_)});
}

bool Budget::spent(int64_t t, int64_t fp, const Optimizer& o) const {
  if (steps > 0) return t >= steps;
  // A forward-pass budget stops before a step that would overrun it (costs may vary per step).
  return static_cast<double>(fp) + o.fp_of_step(t) > static_cast<double>(forward_passes) + 1e-9;
}

bool Stepper::exhausted() const { return budget_.spent(t_, engine_.forward_passes(), opt_); }

StepInfo Stepper::step(StepRow& row, StepObserver& obs) {
  obs.before_step(t_);
  engine_.begin_step(t_);
  const StepInfo si = opt_.step(engine_, t_);
  ++t_;
  row.step = t_;
  row.fp = engine_.forward_passes();
  row.bp = engine_.backward_passes();
  row.loss_plus = si.loss_plus;
  row.loss_minus = si.loss_minus;
  row.p = si.p;
  obs.fill_row(si, row);
  path_ += row.update_norm;  // a NaN norm (diverged parameters) makes the path NaN too
  row.path_length = path_;
  return si;
}

void record_describe(RunRecord& rec, const Optimizer& o) {
  rec.hp = o.hyper();
  rec.memory_p = o.memory_p();
  rec.memory_bytes = o.memory_bytes();
  rec.fp_per_step = o.fp_per_step();
  rec.bp_per_step = o.bp_per_step();
  rec.legend = optimizer_memory_text(o) + ", " + optimizer_cost_text(o);
}

}  // namespace zs
