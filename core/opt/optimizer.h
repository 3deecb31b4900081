// Optimizers: host logic (scalars, history ring, schedules) over an Engine that owns the
// parameters and runs the element-wise math of elem.h over them. The same Optimizer
// object drives a 2-D point (VecEngine), a CPU tensor model or CUDA kernels (LLM mode).
#pragma once
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "core/opt/elem.h"
#include "core/params.h"

namespace zs {

// Reductions of one Engine::apply pass.
struct ApplyStats {
  double update_sq = 0;               // ||delta||^2 over all blocks
  std::vector<double> block_l1;       // per block: sum |aux| (AdaNAGED-P dual pass)
  std::vector<double> block_l2sq;     // per block: sum aux^2
};

// What an optimizer needs from the parameters' owner. Every loss evaluation is one forward
// pass (FP) on the current step's minibatch (begin_step fixes it; l+ and l- share it).
class Engine {
 public:
  virtual ~Engine() = default;
  virtual int64_t dim() const = 0;
  virtual int num_blocks() const = 0;
  virtual bool block_is_matrix(int /*b*/) const { return false; }
  virtual void begin_step(int64_t t) = 0;
  // Allocate state slot (0 or 1) for every block and fill it with `value`.
  virtual void state_init(int slot, double value) = 0;
  virtual void apply(const ElemRequest& r, ApplyStats* stats) = 0;
  // ||z(seed)||^2 over all blocks (for unit-sphere directions).
  virtual double dir_sq_norm(uint64_t seed) = 0;
  // AdaNAGED-P measures distances in the block max-norm of its LMO geometry:
  // max_b ||v_b||, per block l-inf (sign LMO), l2 (Euclidean LMO) or, with kNormAuto,
  // spectral for matrix blocks and l-inf for vectors. anchor_save returns that norm of
  // x_0; with keep_copy the engine keeps x_0 (+1P) so anchor_dist() can measure x - x_0.
  enum BlockNorm { kNormLinf = 0, kNormL2 = 1, kNormAuto = 2 };
  virtual double anchor_save(bool keep_copy, int norm) = 0;
  virtual double anchor_dist(int norm) = 0;
  // AdaNAGED-P matrix LMO: for matrix blocks, o = msign(u) into state slot 1 (u from a
  // kOpNagedDual pass rerun by the engine); returns the sum of nuclear norms <u, o>.
  virtual double naged_msign(const ElemRequest& dual) { (void)dual; return 0; }
  // Whether optimizers should fuse the next step's first perturbation into the update
  // pass (saves one pass over the weights; the tensor engines want it, landscapes not).
  virtual bool fuse_passes() const { return false; }
  // Fixed-directions mode: rows of directions (seed k selects row k mod rows); null if off.
  virtual const std::vector<double>* direction_table() const { return nullptr; }

  double eval() { ++fp_; return do_loss(); }
  // Direction parallel (docs/distributed.md): when an engine splits evaluations over
  // processes, the estimator's k-th loss evaluation of a step (call order) runs only where
  // owns_eval(k); the others return NaN here (the forward pass is still counted: it runs
  // elsewhere) and gather_split_losses fills them in after the step's query loop. Every
  // process still applies every perturbation, so the weights stay bit-identical.
  virtual bool splits_evals() const { return false; }
  double eval_split(int k) {
    ++fp_;
    return owns_eval(k) ? do_loss_split(k) : NAN;
  }
  virtual bool owns_eval(int /*k*/) const { return true; }
  virtual void gather_split_losses(std::vector<double>& /*losses*/) {}
  // A hint before gather_split_losses: the next passes will need direction (seed, dist
  // DirDist, stream 0); an engine may generate it while the losses are being gathered.
  virtual void prefetch_direction(uint64_t /*seed*/, int32_t /*dist*/) {}
  double eval_grad() { ++fp_; ++bp_; return do_loss_grad(); }
  int64_t forward_passes() const { return fp_; }
  int64_t backward_passes() const { return bp_; }
  void set_pass_counts(int64_t fp, int64_t bp) { fp_ = fp; bp_ = bp; }

 protected:
  virtual double do_loss() = 0;       // loss at the current parameters
  virtual double do_loss_grad() = 0;  // loss, and the gradient into the engine's buffer
  // Evaluation k of a split estimate (eval_split); an engine that defers its evaluations
  // returns NaN here and fills the loss in gather_split_losses.
  virtual double do_loss_split(int /*k*/) { return do_loss(); }

 private:
  int64_t fp_ = 0, bp_ = 0;
};

struct OptimizerInfo {
  std::string id;          // registry name ("adamezo")
  std::string display;     // "AdaMeZO"
  std::string family;      // "zo" or "fo"
  std::string help;        // one paragraph, with the paper
  bool provisional = false;
  std::vector<ParamDecl> params;
};

// Result of one step, for the run record.
struct StepInfo {
  double loss = NAN;         // loss estimate at the step's point: l0 or (l+ + l-)/2
  double loss_plus = NAN, loss_minus = NAN;
  double p = NAN;            // projected gradient (first query)
  uint64_t seed = 0;         // direction seed of the first query
  double eps = NAN;          // perturbation radius used
};

struct RunContext {
  uint64_t seed = 0;
  int64_t total_steps = 0;   // best estimate of the run's length (schedules need it)
};

class Optimizer {
 public:
  explicit Optimizer(const OptimizerInfo& info, ParamValues hp) : info_(info), hp_(std::move(hp)) {}
  virtual ~Optimizer() = default;
  const OptimizerInfo& info() const { return info_; }
  const ParamValues& hyper() const { return hp_; }
  double hp(const std::string& name) const;

  virtual void reset(Engine& e, const RunContext& ctx) = 0;
  virtual StepInfo step(Engine& e, int64_t t) = 0;
  // Undo a perturbation fused into the last update, so the parameters are the iterate
  // itself (before evaluation, checkpoints and the end of a run). Idempotent.
  virtual void settle(Engine&) {}
  // Persistent optimizer state beyond the parameters, in copies of P, plus bytes of
  // scalars (AdaMeZO's seed/p window, MEAZO's moment).
  virtual double memory_p() const = 0;
  virtual int64_t memory_bytes() const { return 0; }
  // Forward passes per step (first-order methods: 1, plus one backward pass); for
  // methods whose cost varies (AdaZeta's query schedule) the run's average.
  virtual double fp_per_step() const = 0;
  // Forward passes step t will take (FP budgets stop before a step that would overrun).
  virtual double fp_of_step(int64_t /*t*/) const { return fp_per_step(); }
  virtual int bp_per_step() const { return 0; }

  // Loggable state for exact resume of ZO runs: a compact (seed, p) step log replays the
  // run; optimizers with per-element state need a checkpoint of the engine state too.
  virtual std::vector<double> scalar_state() const { return {}; }
  virtual void set_scalar_state(const std::vector<double>&) {}

 protected:
  OptimizerInfo info_;
  ParamValues hp_;
};

const std::vector<OptimizerInfo>& optimizer_catalog();
const OptimizerInfo* optimizer_find(const std::string& id);
// Validates hyperparameters (errors name `where`) and builds the optimizer.
std::unique_ptr<Optimizer> optimizer_create(const std::string& id, const ParamValues& hp, const std::string& where,
                                            bool llm_defaults = false);
// "0 P", "1 P", "~0 P (+h seeds)", and "2 FP/step" texts for legends.
std::string optimizer_memory_text(const Optimizer& o);
std::string optimizer_cost_text(const Optimizer& o);

}  // namespace zs
