// Distributed fine-tuning on PyTorch's c10d (docs/distributed.md): the ranks' environment
// (torchrun / Slurm / `--nproc`), a process group over them (TCPStore rendezvous, Gloo on
// CPUs, NCCL on GPUs), the local launcher of `--nproc N`, and the sharded loss that makes
// data-parallel zeroth-order steps exchange only scalars.
//
// Determinism: the minibatch of a step is cut into S shards (S fixed by the spec, not by
// the number of ranks); a shard's loss is a sum (with its example / token count), the sums
// of all shards are gathered and added in shard order, in double. A run with S shards
// therefore computes the same numbers on 1 rank or on S ranks (or any number: rank r
// evaluates the shards s with s % world == r), bit for bit.
//
// This header is torch-free (the CLI includes it); c10d and Gloo headers stay in dist.cpp
// (and dist_nccl.cpp for NCCL); the sharded loss is in sharded_loss.h.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include "core/util/error.h"

namespace at {
class Tensor;
}

namespace zs {

// Who this process is: RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR / MASTER_PORT (torchrun,
// `--nproc`, by hand), else SLURM_PROCID / SLURM_NTASKS / SLURM_LOCALID (srun; MASTER_ADDR
// and MASTER_PORT must then be exported), else a single process (world 1).
struct DistEnv {
  int rank = 0, world = 1, local_rank = 0;
  // Ranks on this machine: LOCAL_WORLD_SIZE (torchrun), SLURM_NTASKS_PER_NODE, all of them
  // on one Slurm node or with MASTER_ADDR on the loopback; 0 when unknown (ranks by hand
  // over several machines). The memory check before work counts these (preflight_ranks).
  int local_world = 0;
  std::string local_world_from;  // the variable it was read from ("" when unknown)
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::string source;  // "env" (RANK/WORLD_SIZE), "slurm", or "" (single process)
};
// zs::Error naming the variable on a malformed or inconsistent value.
DistEnv dist_env_from_environment();
// dist_env_from_environment() for a command given --nproc N: refused in one line naming
// --nproc when N > 0 and this process is already a rank (torchrun / srun set the variables).
DistEnv dist_env_for_nproc(int nproc);

// A collective that failed because another rank stopped or none answered in time (one
// line). A rank process that ends on it exits with kDistLostRankStatus, so the launcher
// names the rank that failed for a reason of its own (dist_launch), not one that lost it.
class DistError : public Error {
 public:
  using Error::Error;
};
constexpr int kDistLostRankStatus = 3;

// The process group of the ranks. All collectives are called in the same order on every
// rank; a failure (a rank died, the timeout passed) is one DistError line.
class Dist {
 public:
  // backend: "gloo", "nccl" or "auto" (nccl when the model is on CUDA). Rank 0 serves the
  // TCPStore at master_addr:master_port; the others connect to it, waiting up to timeout_s.
  Dist(const DistEnv& env, const std::string& backend, bool cuda, double timeout_s);
  ~Dist();
  Dist(const Dist&) = delete;
  Dist& operator=(const Dist&) = delete;

  int rank() const;
  int world() const;
  const std::string& backend() const;
  // Every rank's `local` (the same length on every rank), concatenated in rank order: with
  // Gloo and up to 16 ranks a direct exchange (c10d send/recv to and from every other rank,
  // fewer thread hand-overs than Gloo's all-gather), else c10d's all-gather.
  // `overlap` (may be empty) runs after the collective has started and before this rank
  // waits for it: local work that hides the other ranks' lateness and the transport's latency.
  std::vector<double> allgather(const std::vector<double>& local, const std::function<void()>& overlap = {});
  // Element-wise sum over the ranks, in place (first-order gradients, as DDP does).
  void allreduce_sum(std::vector<at::Tensor>& tensors);
  void barrier();
  // Rank 0's `values` on every rank, through the TCPStore under `key` (a fresh key per
  // use): the other ranks wait up to wait_s, which may be far longer than the collectives'
  // timeout (rank 0 trains first, then shares the plane's domain).
  std::vector<double> share_from_rank0(const std::vector<double>& values, const std::string& key, double wait_s);
  // Every rank but 0 waits here until rank 0 has done the work only it does (evaluation,
  // checkpoints, a run's end; `key` names the occasion, a fresh one per use), however long
  // that takes, up to an hour (or the collectives' timeout when longer): through the
  // TCPStore, so the collectives' timeout does not cut it short. A rank 0 that dies ends the
  // wait at once (it serves the store; torchrun's agent stops the job); one that hangs in
  // that work is waited for up to that hour.
  void after_rank0_work(const std::string& key);
  // Payload bytes this rank has sent (all-gather: (world - 1) x its block; ring
  // all-reduce: 2 (world - 1) / world x the buffer), without the transport's framing.
  int64_t bytes_sent() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The shards a rank owns: s in [0, shards) with s % world == rank.
std::vector<int64_t> dist_owned_shards(int64_t shards, int world, int rank);
// A minibatch's loss shards of similar forward cost (docs/distributed.md#shards): the
// examples sorted by padded length (longest first, ties in batch order) and cut into
// `shards` non-empty contiguous runs that minimise the largest rows x columns of a shard
// (a shard's batch pads every row to its longest). rows[k], cols[k]: rows and longest row
// of example idx[k]. Returns the example indices of each shard.
std::vector<std::vector<int64_t>> dist_balanced_shards(const std::vector<int64_t>& idx, const std::vector<int64_t>& rows,
                                                       const std::vector<int64_t>& cols, int64_t shards);

// The `--nproc N` launcher (what torchrun does on one machine): runs `args` (argv[0] is the
// executable) N times with RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR
// (127.0.0.1) and MASTER_PORT (a free port) set, rank r bound to slice r of the launcher's
// CPUs when there are at least N of them (dist_launch_cpu_slices; ZOSCOPE_BIND_CPUS=0 turns
// it off); every rank dies with the launcher. When a
// rank fails, the others get grace_s to stop on their own (their collectives fail or time
// out), then are killed. Returns 0, or a zs::Error line naming the first rank that failed
// for a reason of its own (a rank that only lost the others, kDistLostRankStatus, is named
// when no other failed), with a --resume hint when it was killed.
void dist_launch(const std::vector<std::string>& args, int nproc, double grace_s,
                 const std::function<void(const std::string&)>& log);
// Local ranks per CPU this process may use (sched_getaffinity) that `--nproc` accepts: more
// only take turns on the CPUs (each rank computes its own share of every step), and
// thousands of processes each loading the model run out of memory or process slots before
// the first step. dist_check_nproc_cpus: zs::Error naming `what` ("--nproc 4096") beyond it.
constexpr int kMaxRanksPerCpu = 4;
void dist_check_nproc_cpus(int nproc, const std::string& what);
// `cpus` cut into `nproc` contiguous slices of (nearly) equal size; empty when nproc < 2 or
// there are fewer CPUs than ranks (then nobody is bound).
std::vector<std::vector<int>> dist_cpu_slices(const std::vector<int>& cpus, int nproc);
// The slices of this process's allowed CPUs (sched_getaffinity) for nproc ranks; empty when
// ZOSCOPE_BIND_CPUS=0. A rank bound to its own cores keeps its collective's threads next to
// it instead of on a core another rank is computing on (docs/distributed.md#launching).
std::vector<std::vector<int>> dist_launch_cpu_slices(int nproc);

}  // namespace zs
