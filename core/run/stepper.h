// The one step loop of zoscope: every run -- a 2-D / N-D landscape (RunStepper in
// runner.h) or a language model (the fine-tuning driver and the app's live LLM runs) --
// goes through a Stepper. It owns what is the same for all of them:
//   - the budget rule (steps, or forward passes: a step whose forward passes would
//     overrun the budget is not taken, so variable per-step costs are handled once),
//   - begin/step/settle of the optimizer on its Engine,
//   - the common part of each step's row (step, FP, BP, probe losses, p, path length).
// What differs is an observer: landscapes fill the clean loss, projections and probe
// points; language models choose the minibatch, replay logged losses on resume,
// evaluate, checkpoint and log.
#pragma once
#include <cstdint>
#include "core/opt/optimizer.h"
#include "core/run/record.h"

namespace zs {

// A run's budget: exactly one of steps / forward_passes is > 0.
struct Budget {
  int64_t steps = 0;
  int64_t forward_passes = 0;
  // Steps the budget allows at the optimizer's nominal cost (schedules need a length);
  // with a forward-pass budget the Stepper still stops before any step that would overrun.
  int64_t step_estimate(const Optimizer& o) const;
  // The one stop rule after t steps and fp forward passes: the step budget is spent, or
  // step t + 1's forward passes would exceed the forward-pass budget.
  bool spent(int64_t t, int64_t fp, const Optimizer& o) const;
};

class StepObserver {
 public:
  virtual ~StepObserver() = default;
  // Before step t (t = steps done so far): minibatch choice, loss replay.
  virtual void before_step(int64_t /*t*/) {}
  // After the optimizer's step: fill what this kind of run knows (loss, update norm,
  // plane coordinates, step sizes, ...). row.step/fp/bp/loss_plus/loss_minus/p are set.
  virtual void fill_row(const StepInfo& /*si*/, StepRow& /*row*/) {}
};

class Stepper {
 public:
  // Resets the optimizer on the engine with the budget's step estimate as its length.
  Stepper(Optimizer& opt, Engine& engine, const Budget& budget, uint64_t seed);

  // The one stop rule: the step budget is spent, or the next step's forward passes would
  // exceed the forward-pass budget.
  bool exhausted() const;
  int64_t steps_done() const { return t_; }
  double path_length() const { return path_; }
  // Resume: continue after `t` steps whose path length was `path`.
  void restore(int64_t t, double path) {
    t_ = t;
    path_ = path;
  }

  // One step: observer.before_step, begin_step, the optimizer's step, then the row
  // (common fields, observer.fill_row, path length accumulated from update_norm).
  StepInfo step(StepRow& row, StepObserver& obs);
  // Removes a pending fused perturbation (before evaluation, checkpoints, the end).
  void settle() { opt_.settle(engine_); }

  Optimizer& optimizer() { return opt_; }
  Engine& engine() { return engine_; }
  const Budget& budget() const { return budget_; }
  // Another budget for the run in progress (a live run continued or stopped early). The
  // optimizer keeps the length it was reset with: only for optimizers whose steps do not
  // read it (live.h budget_continues).
  void set_budget(const Budget& b) { budget_ = b; }

 private:
  Optimizer& opt_;
  Engine& engine_;
  Budget budget_;
  int64_t t_ = 0;
  double path_ = 0;
};

// A record's description of its optimizer: resolved hyperparameters, memory, cost, legend.
void record_describe(RunRecord& rec, const Optimizer& o);

}  // namespace zs
