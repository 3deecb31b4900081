// The loss of a language model on a plane through its initial weights theta_0:
// L(a, b) = loss(theta_0 + a d_1 + b d_2) on a fixed set of training examples, for the two
// filter-normalised plot directions of the tensor engine (zo_engine.h plot_row_scale; Li
// et al. 2018, sec. 4), so the trajectories the engine projects during training lie in the
// same plane (docs/llm-live.md). Used by the app's live runs, `zoscope-cli landscape` and
// the benchmarks.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>
#include "core/llm/io/finetune_spec.h"
#include "core/llm/text/data.h"
#include "core/run/runner.h"

namespace zs {

class Dist;

class LossPlane {
 public:
  // Loads the spec's model (dtype, device, mode) from model_dir; the first `examples`
  // examples of `train` (the run's encoded training split) measure the loss.
  LossPlane(const FinetuneSpec& spec, const std::string& model_dir, const EncodedSet& train, uint64_t plane_seed,
            int64_t examples);
  ~LossPlane();
  LossPlane(const LossPlane&) = delete;
  LossPlane& operator=(const LossPlane&) = delete;

  // Gram matrix of the directions: <d1, d1>, <d1, d2>, <d2, d2> (llm_rows.h projects with it).
  const double* gram() const { return gram_; }
  int64_t trainable() const { return trainable_; }
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
  double gram_[3] = {0, 0, 0};
  int64_t trainable_ = 0;
};

}  // namespace zs
