// The tensor zeroth-order engine of LLM mode (docs/llm-engine.md#tensor-zo-engine):
// the Engine of core/opt over the trainable tensors of a model. Blocks are the model's
// trainable tensors in their documented order; element i of block b under seed s is
// Philox(s, b, i) exactly as in the 2-D core. Every optimizer of core/opt runs here
// unchanged: apply() walks the blocks and calls the same elem_apply_group as the
// landscapes (CPU: vectorised bulk directions, several threads; CUDA: cuda/zo_kernels.cu).
// Compute is fp32; storage fp32/bf16/fp16, optionally with fp32 master weights.
#pragma once
#include <ATen/core/Tensor.h>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include "core/llm/cuda/zo_cuda.h"
#include "core/llm/torch/model.h"
#include "core/opt/optimizer.h"

namespace zs {

struct TensorEngineOptions {
  bool master_weights = false;  // keep fp32 copies; the model's tensors mirror them
  bool fuse = true;             // fuse restore + update + next perturbation (docs/optimizers.md#fused-passes)
  int threads = 0;              // CPU worker threads (0: ATen's intra-op pool size)
  uint64_t plot_seed = 0;       // seed of the two plot directions (landscape view of an LLM)
  bool plot_stats = false;      // accumulate dot products with the plot directions
  bool alpha_hist = true;       // alpha histogram in update passes (set_alpha_hist per step)
  // > 0 with CPU tensors: run every pass through the CUDA kernel's host twin emulating
  // this many CUDA blocks (tests of the launch decomposition on machines without a GPU).
  int kernel_twin_grid = 0;
  // CPU passes: bytes of directions kept between passes (dir_cache.h; same results, less
  // Philox work); -1: DirCache::default_budget() (ZOSCOPE_DIR_CACHE_MB, else 64 MiB), 0: off.
  int64_t dir_cache_bytes = -1;
};

class DirCache;

// Per-step statistics accumulated in the update pass (docs/llm-engine.md#per-step-statistics: update norm, alpha
// histogram, dot products with two fixed, filter-normalised plot directions).
struct TensorStepStats {
  double update_norm = 0;
  double plot_dot[2] = {0, 0};       // <delta, d_k> with d_k filter-normalised
  static constexpr int kBins = kAlphaBins;  // log10(alpha) bins, one definition for CPU and CUDA (zo_cuda.h)
  std::vector<int64_t> alpha_hist = std::vector<int64_t>(kBins, 0);
  bool alpha_hist_valid = false;     // computed in this step's update pass (set_alpha_hist)
  double alpha_quantile(double q) const;  // from the histogram (bin centres)
  // Per trainable tensor (block order), from the same update pass: the mean effective
  // step size (mean of alpha over its elements) and the RMS update sqrt(mean delta^2).
  // The CUDA kernel and its host twin reduce them on the passes that build the alpha
  // histogram (set_alpha_hist) and leave them empty on the others.
  std::vector<double> block_alpha_mean, block_update_rms;
};

// Plot direction k (0 or 1) of a trainable tensor, filter-normalised (Li et al. 2018,
// "Visualizing the Loss Landscape of Neural Nets", sec. 4): z(plot_seed + k, block, i) from
// Philox stream 5, each row rescaled to the norm of the weight's row; 1-D tensors get zero.
// Returns the per-row scale (what the engine's passes multiply z by) and, when asked, the
// whole direction as an fp32 tensor on the weight's device (loss planes, tests).
at::Tensor plot_row_scale(const at::Tensor& weight, uint64_t plot_seed, int k, size_t block, at::Tensor* direction);

class TensorEngine : public Engine {
 public:
  using LossFn = std::function<double()>;            // forward on the current batch
  using LossGradFn = std::function<double()>;        // forward + backward (autograd)
  using StepHook = std::function<void(int64_t t)>;   // selects the minibatch of step t

  TensorEngine(std::vector<Block> blocks, LossFn loss, const TensorEngineOptions& opt = {});
  ~TensorEngine() override;

  void set_step_hook(StepHook h) { hook_ = std::move(h); }
  void set_loss_grad(LossGradFn f) { loss_grad_ = std::move(f); }
  // Whether the next update passes build the alpha histogram (a per-element log10 and
  // atomics on the GPU): on for the steps whose statistics are read (plots, evaluation
  // steps), off for the others. Update norm and plot dot products are always computed.
  void set_alpha_hist(bool on) { opt_.alpha_hist = on; }

  const std::vector<Block>& blocks() const { return blocks_; }
  // Bytes of optimizer state held by the engine (state slots, anchor, gradient buffers,
  // master weights): the persistent memory an optimizer costs beyond the model.
  int64_t state_bytes() const;
  const TensorStepStats& last_stats() const { return stats_; }
  // The CPU direction cache (null on CUDA and with the kernel twin).
  const DirCache* dir_cache() const;
  // Copies master weights into the model tensors (no-op without master weights).
  void sync_model();
  // State slots as named tensors (checkpoints) and back.
  std::vector<std::pair<std::string, at::Tensor>> state_tensors() const;
  void load_state_tensors(const std::vector<std::pair<std::string, at::Tensor>>& t);
  // Loss replay (resume from a step log, finetune.h): the next loss evaluations return
  // these logged values, in order, instead of running the loss function (no forward
  // pass), so a zeroth-order step re-applies exactly the logged update.
  void replay_losses(std::vector<double> losses) {
    replay_ = std::move(losses);
    replay_pos_ = 0;
  }
  // Logged values not consumed yet.
  size_t replay_pending() const { return replay_.size() - replay_pos_; }
  // Direction parallel (optimizer.h eval_split): this process runs the evaluations k with
  // k % world == rank of each estimate and `gather` fills in the others (finetune.cpp: an
  // all-gather over the ranks). Replayed steps run every evaluation (from the log).
  // `gather` gets the work to overlap with its collective (the prefetched direction, below).
  using SplitGather = std::function<void(std::vector<double>&, const std::function<void()>& overlap)>;
  void set_eval_split(int rank, int world, SplitGather gather) {
    split_rank_ = rank;
    split_world_ = world;
    split_gather_ = std::move(gather);
  }
  // Deferred evaluations (data parallel, sharded_loss.h): the estimator's evaluations run
  // `local` (this rank's shards, no collective) and `gather` fills in their losses with one
  // collective after the query loop.
  void set_deferred_evals(std::function<void()> local, SplitGather gather) {
    deferred_local_ = std::move(local);
    split_gather_ = std::move(gather);
  }
  bool splits_evals() const override { return (split_world_ > 1 || deferred_local_) && replay_pending() == 0; }
  bool owns_eval(int k) const override { return deferred_local_ || k % split_world_ == split_rank_; }
  void gather_split_losses(std::vector<double>& losses) override;
  // Generates the hinted direction into the CPU direction cache while the split
  // evaluations' collective is in flight (dir_cache.h); a no-op without a cache.
  void prefetch_direction(uint64_t seed, int32_t dist) override {
    prefetch_ = {seed, dist};
    has_prefetch_ = true;
  }

  int64_t dim() const override { return numel_; }
  int num_blocks() const override { return static_cast<int>(blocks_.size()); }
  bool block_is_matrix(int b) const override { return blocks_[static_cast<size_t>(b)].is_matrix; }
  bool fuse_passes() const override { return opt_.fuse; }
  void begin_step(int64_t t) override;
  void state_init(int slot, double value) override;
  void apply(const ElemRequest& r, ApplyStats* stats) override;
  double dir_sq_norm(uint64_t seed) override;
  double anchor_save(bool keep_copy, int norm) override;
  double anchor_dist(int norm) override;
  double naged_msign(const ElemRequest& dual) override;

 protected:
  double do_loss() override { return replay_pos_ < replay_.size() ? replay_[replay_pos_++] : loss_(); }
  double do_loss_grad() override;
  double do_loss_split(int /*k*/) override {
    if (!deferred_local_) return do_loss();
    deferred_local_();
    return NAN;
  }

 private:
  struct Impl;
  void clear_stats();  // stats_ as for a step without an update pass
  std::vector<Block> blocks_;
  LossFn loss_;
  LossGradFn loss_grad_;
  StepHook hook_;
  TensorEngineOptions opt_;
  int64_t numel_ = 0;
  TensorStepStats stats_;
  std::vector<double> replay_;
  size_t replay_pos_ = 0;
  int split_rank_ = 0, split_world_ = 1;
  SplitGather split_gather_;
  std::function<void()> deferred_local_;
  std::pair<uint64_t, int32_t> prefetch_{0, 0};
  bool has_prefetch_ = false;
  void fill_prefetched();
  std::unique_ptr<Impl> impl_;
};

}  // namespace zs
