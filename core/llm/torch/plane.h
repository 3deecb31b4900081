// The loss of a language model on a plane through its initial weights theta_0:
// L(a, b) = loss(theta_0 + a d_1 + b d_2) on a fixed set of training examples, for
//  (a) the two filter-normalised plot directions of the tensor engine (zo_engine.h
//      plot_row_scale; Li et al. 2018, sec. 4), so the trajectories the engine projects
//      during training lie in the same plane; or
//  (b) the orthonormal basis (Gram-Schmidt) of the final displacements of two runs, so
//      both runs' final weights lie in the plane; the trajectories are then projected by
//      replaying the runs' step logs (RunReplay), no stored weights.
// docs/llm-live.md "The planes". Used by the app's live runs, `zoscope-cli landscape` and
// the benchmarks.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include "core/llm/io/finetune_spec.h"
#include "core/llm/text/data.h"
#include "core/llm/torch/zo_engine.h"
#include "core/run/runner.h"
#include "core/run/stepper.h"

namespace zs {

class Dist;

class LossPlane {
 public:
  // Loads the spec's model (dtype, device, mode) from model_dir; the first `examples`
  // examples of `train` (the run's encoded training split) measure the loss.
  LossPlane(const FinetuneSpec& spec, const std::string& model_dir, const EncodedSet& train, uint64_t plane_seed,
            int64_t examples);
  // A model already loaded and the loss to measure on it (benchmarks: a random model of a
  // given shape; bench_llm plane).
  LossPlane(CausalLM model, std::function<double(const CausalLM&)> loss, uint64_t plane_seed);
  ~LossPlane();
  LossPlane(const LossPlane&) = delete;
  LossPlane& operator=(const LossPlane&) = delete;

  // Gram matrix of the directions: <d1, d1>, <d1, d2>, <d2, d2> (llm_rows.h projects with it).
  const double* gram() const { return gram_; }
  int64_t trainable() const { return trainable_; }
  // The plane's own copy of the model (its weights are whatever the last call left): a
  // scratch model to replay runs on (RunReplay) without touching the runs' models.
  CausalLM& model();
  // Plane (b): d_1 = u_A / |u_A|, d_2 = (u_B - <u_B, d_1> d_1) / |.| with u = theta_end -
  // theta_0 (sums in double). Returns the endpoints' plane points {a_A, b_A, a_B, b_B}
  // (= |u_A|, 0, <u_B, d_1>, |u_B - <u_B, d_1> d_1| up to float rounding of the directions).
  // zs::Error (one line) when the endpoints do not span a plane; the plane is unchanged then.
  std::array<double, 4> use_runs_plane(const std::vector<at::Tensor>& end_a, const std::vector<at::Tensor>& end_b);
  // Back to plane (a), the random directions of the constructor's seed.
  void use_random_plane();
  bool runs_plane() const { return runs_plane_; }
  // The plane point of weights (tensors in block order): the least-squares
  // G^-1 (<theta - theta_0, d_1>, <theta - theta_0, d_2>).
  std::array<double, 2> project(const std::vector<at::Tensor>& weights) const;
  // One forward pass over the examples at theta_0 + a d_1 + b d_2.
  double loss_at(double a, double b);
  // The grid over `domain` (x0, x1, y0, y1), n x n nodes, row 0 at y0; nodes left NaN when
  // `cancel` turns true. With `dist` (dist.h) the nodes are split over the ranks (node k on
  // rank k % world) and gathered, so every rank returns the whole grid, equal to one
  // process's node for node (each node is the same forward pass wherever it runs).
  Grid grid(int n, const double domain[4], const std::atomic<bool>* cancel = nullptr, Dist* dist = nullptr);

 private:
  struct Impl;
  Impl* impl_;
  void set_gram();
  double gram_[3] = {0, 0, 0};
  int64_t trainable_ = 0;
  bool runs_plane_ = false;
};

// One step of a run's log, as the replay needs it: the loss evaluations in call order.
struct LoggedStep {
  std::vector<double> losses;
};

// A run replayed from theta_0 through its step log, to project every step onto a plane
// chosen after the run (plane b). Zeroth-order steps get their logged losses back (loss
// replay, TensorEngine::replay_losses): the optimizer regenerates the seeds and directions,
// recomputes p and re-applies the update without a forward pass. First-order updates are
// functions of gradients that no log holds: they are recomputed (forward + backward on the
// minibatch `before_step` selects; the same bits with the same ATen thread count on the
// CPU). Passes are not fused, so after every step the weights are the iterate itself (no
// pending perturbation); with fp32 storage the weights equal the run's bit for bit except
// after the steps where the run settled a fused perturbation (evaluations, the end: one
// rounding of x + eps z - eps z per element and such step).
class RunReplay {
 public:
  // `blocks` are set to `init` first (the run's own model, or another copy of it).
  RunReplay(const FinetuneSpec& spec, const FinetuneRun& run, const std::vector<Block>& blocks,
            const std::vector<at::Tensor>& init, std::vector<LoggedStep> log, TensorEngine::LossFn loss,
            TensorEngine::LossGradFn loss_grad, std::function<void(int64_t t)> before_step);
  ~RunReplay();
  bool done() const { return static_cast<size_t>(t_) >= log_.size(); }
  // More logged steps: a log that grows while its run goes on elsewhere (the app's
  // followed runs, live.h LiveFollowed).
  void extend(std::vector<LoggedStep> more) { log_.insert(log_.end(), more.begin(), more.end()); }
  int64_t steps_done() const { return t_; }
  int64_t steps() const { return static_cast<int64_t>(log_.size()); }
  bool first_order() const { return first_order_; }
  // Replays the next logged step; the blocks then hold the weights after it. zs::Error when
  // a zeroth-order step does not consume its logged losses (a log of another run).
  void step();
  // The current weights in block order (the model's tensors; master weights synced).
  std::vector<at::Tensor> weights() const;

 private:
  struct Obs;
  std::vector<Block> blocks_;
  std::vector<LoggedStep> log_;
  std::unique_ptr<Optimizer> opt_;
  std::unique_ptr<TensorEngine> engine_;
  std::unique_ptr<Stepper> stepper_;
  std::unique_ptr<Obs> obs_;
  bool first_order_ = false;
  int64_t t_ = 0;
};

}  // namespace zs
