// The loss of a data-parallel step (docs/distributed.md): step t's minibatch cut into S
// contiguous shards of its example indices, each shard's loss a sum with its count, the
// sums of all shards gathered (dist.h) and added in shard order in double. Rank r evaluates
// the shards s with s % world == r, so S shards give the same numbers on any number of ranks.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>
#include "core/llm/text/data.h"
#include "core/llm/torch/task_torch.h"

namespace zs {

class CausalLM;
class Dist;
class TensorEngine;
struct Block;

// The loss of step t's minibatch cut into `shards` contiguous slices of its example
// indices (train_batch_indices); with dist, rank r evaluates the shards s % world == r.
// Without dist and with shards == 1 it is not used (the driver keeps task_loss).
class ShardedLoss {
 public:
  ShardedLoss(const CausalLM& model, const EncodedSet& train, int64_t batch_size, uint64_t seed, int64_t shards,
              Dist* dist);
  // Builds this rank's shard batches of step t (host work, then moved to the model's device).
  void set_step(int64_t t);
  // Forward only: sum over shards of the shard loss sums / sum of their counts.
  double loss();
  // Forward + backward of the local shards' share of the loss; the gradients of `blocks`
  // are summed over the ranks. Returns the same value as loss().
  double loss_grad(const std::vector<Block>& blocks);
  int64_t shards() const { return shards_; }
  // Deferred evaluations (one collective per step instead of one per forward): the local
  // shards' (sum, count) pairs are kept, and gather_deferred all-gathers every kept
  // evaluation at once and writes their losses, in call order (the same numbers as loss());
  // `overlap` runs while the collective is in flight (Dist::allgather).
  void forward_deferred();
  void gather_deferred(std::vector<double>& losses, const std::function<void()>& overlap = {});
  // The zeroth-order estimator's evaluations of `engine` (optimizer.h eval_split) deferred
  // this way; `on_losses` (may be empty) sees each step's gathered losses. Evaluations
  // outside the estimator (and first-order steps) still use loss() / loss_grad().
  void defer_in(TensorEngine& engine, std::function<void(const std::vector<double>&)> on_losses);

 private:
  std::vector<double> local_sums() const;  // forward of this rank's shards: (sum, count) pairs
  std::vector<double> padded(std::vector<double> local) const;  // to the length every rank sends
  std::vector<double> gather(const std::vector<double>& local);
  double combine(const std::vector<double>& all) const;

  const CausalLM& model_;
  const EncodedSet& train_;
  int64_t batch_size_;
  uint64_t seed_;
  int64_t shards_;
  Dist* dist_;
  std::vector<TensorBatch> batches_;  // one per owned shard
  std::vector<std::vector<double>> deferred_;  // kept (sum, count) pairs, one entry per evaluation
};

}  // namespace zs
