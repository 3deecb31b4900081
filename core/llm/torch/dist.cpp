// Process group, environment and sharded loss (see dist.h; the method: docs/distributed.md).
// The Gloo header needs gloo's own headers (Debian libgloo-dev; only pointers to gloo types
// are used here, the code is LibTorch's).
#include "core/llm/torch/dist.h"
#include "core/llm/torch/sharded_loss.h"
#include <ATen/core/Tensor.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/zeros_like.h>
#include <c10/core/GradMode.h>
#include <c10/util/Logging.h>
#include <netdb.h>
#include <sys/socket.h>
#ifdef ZS_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <signal.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include "core/llm/torch/errors.h"
#include "core/llm/torch/model.h"
#include "core/llm/torch/zo_engine.h"
#include "core/util/error.h"

namespace zs {

#ifdef ZS_HAVE_NCCL
// dist_nccl.cpp: the NCCL backend on cuda:local_rank (made the current device).
c10::intrusive_ptr<c10d::Backend> dist_make_nccl(const c10::intrusive_ptr<c10d::Store>& store, int rank, int world,
                                                 int local_rank, std::chrono::milliseconds timeout);
#endif

namespace {

// An integer environment variable; nullopt when unset or empty.
std::optional<int64_t> env_int(const char* name, int64_t lo, int64_t hi) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long x = std::strtoll(v, &end, 10);
  if (errno || *end || x < lo || x > hi)
    fail(std::string("environment ") + name, "value \"" + std::string(v) + "\" must be an integer in [" +
                                                 std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return x;
}

// Gloo's messages start with "[file:line] ": the reason is what follows.
std::string reason(const std::exception& e) {
  std::string m = torch_error_line(e);
  if (m.rfind("LibTorch: ", 0) == 0) m = m.substr(10);
  if (!m.empty() && m[0] == '[') {
    const size_t close = m.find("] ");
    if (close != std::string::npos) m = m.substr(close + 2);
  }
  return m;
}

}  // namespace

DistEnv dist_env_for_nproc(int nproc) {
  const DistEnv env = dist_env_from_environment();
  if (nproc > 0 && env.world > 1)
    fail("--nproc", "this process is already rank " + std::to_string(env.rank) + " of " + std::to_string(env.world) +
                        " (RANK/WORLD_SIZE or SLURM_* are set): launch with torchrun / srun or with --nproc, not both");
  return env;
}

DistEnv dist_env_from_environment() {
  DistEnv e;
  const auto world = env_int("WORLD_SIZE", 1, 1 << 20);
  const auto rank = env_int("RANK", 0, 1 << 20);
  if (world || rank) {
    if (!world || !rank) fail("environment", "RANK and WORLD_SIZE must be set together (torchrun sets both)");
    e.source = "env";
    e.world = static_cast<int>(*world);
    e.rank = static_cast<int>(*rank);
    e.local_rank = static_cast<int>(env_int("LOCAL_RANK", 0, 1 << 20).value_or(e.rank));
  } else if (const auto n = env_int("SLURM_NTASKS", 1, 1 << 20)) {
    e.source = "slurm";
    e.world = static_cast<int>(*n);
    e.rank = static_cast<int>(env_int("SLURM_PROCID", 0, 1 << 20).value_or(0));
    e.local_rank = static_cast<int>(env_int("SLURM_LOCALID", 0, 1 << 20).value_or(0));
  } else {
    return e;
  }
  const auto local = [&](int n, const char* from) {
    e.local_world = n;
    e.local_world_from = from;
  };
  const bool slurm = e.source == "slurm";
  if (const auto n = env_int("LOCAL_WORLD_SIZE", 1, 1 << 20)) local(static_cast<int>(*n), "LOCAL_WORLD_SIZE");
  else if (const auto t = env_int("SLURM_NTASKS_PER_NODE", 1, 1 << 20); t && slurm) local(static_cast<int>(*t), "SLURM_NTASKS_PER_NODE");
  else if (env_int("SLURM_JOB_NUM_NODES", 1, 1 << 20) == 1 && slurm) local(e.world, "SLURM_NTASKS");
  if (e.rank >= e.world)
    fail("environment RANK", "value " + std::to_string(e.rank) + " is not below WORLD_SIZE " + std::to_string(e.world));
  if (e.world > 1) {
    const char* addr = std::getenv("MASTER_ADDR");
    const auto port = env_int("MASTER_PORT", 1, 65535);
    if (!addr || !*addr || !port)
      fail("environment", "MASTER_ADDR and MASTER_PORT must be set for " + std::to_string(e.world) +
                              " ranks (rank 0's host and a free port)");
    e.master_addr = addr;
    e.master_port = static_cast<int>(*port);
    const bool loopback = e.master_addr == "localhost" || e.master_addr == "::1" || e.master_addr.rfind("127.", 0) == 0;
    if (e.local_world == 0 && loopback) local(e.world, slurm ? "SLURM_NTASKS" : "WORLD_SIZE");  // rank 0 is on this machine
  }
  return e;
}

struct Dist::Impl {
  int rank = 0, world = 1;
  std::string backend_name;
  c10::Device device = c10::Device(c10::DeviceType::CPU);  // where collective buffers live
  double timeout_s = 300;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::Backend> pg;
  bool direct = false;  // allgather by direct send/recv (see Dist::allgather)
  int64_t sent = 0;

  // `within`: the wait the message names (the collectives' timeout when negative).
  template <class F>
  void guarded(const char* what, F&& f, double within = -1) {
    try {
      f();
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw DistError("distributed: rank " + std::to_string(rank) + " of " + std::to_string(world) + ": " + what +
                      " failed (" + reason(e) + "): another rank stopped, or none answered within " +
                      fmt_double(within < 0 ? timeout_s : within) + " s");
    }
  }
};

Dist::Dist(const DistEnv& env, const std::string& backend, bool cuda, double timeout_s)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.rank = env.rank;
  m.world = env.world;
  m.timeout_s = timeout_s;
  m.backend_name = backend == "auto" ? (cuda ? "nccl" : "gloo") : backend;
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  // Gloo writes its sockets with writev, which raises SIGPIPE once a peer has gone, and
  // SIGPIPE's default action ends this rank without its one line. Python, where c10d
  // usually runs, ignores SIGPIPE; so does a process with a process group: the write then
  // fails with EPIPE and the collective reports it (guarded).
  ::signal(SIGPIPE, SIG_IGN);
  // c10d logs every failed connection attempt on stderr, with LibTorch's C++ stack trace;
  // the one line of guarded() says what failed. PyTorch's TORCH_CPP_LOG_LEVEL keeps them.
  if (!std::getenv("TORCH_CPP_LOG_LEVEL")) FLAGS_caffe2_log_level = std::max(FLAGS_caffe2_log_level, 3);  // FATAL only
  // A host name that does not resolve would be retried until the timeout.
  if (env.world > 1) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(env.master_addr.c_str(), nullptr, &hints, &found);
    if (found) ::freeaddrinfo(found);
    if (rc != 0)
      fail("environment MASTER_ADDR", "value \"" + env.master_addr + "\" does not resolve (" + ::gai_strerror(rc) +
                                          "): rank 0's host name or address");
  }
  m.guarded("joining the process group", [&] {
    // Under torchrun the agent already serves a TCPStore at MASTER_PORT and says so
    // (TORCHELASTIC_USE_AGENT_STORE=True, as PyTorch's env:// rendezvous reads it): every
    // rank is then a client, under a key prefix of its own.
    const char* agent = std::getenv("TORCHELASTIC_USE_AGENT_STORE");
    const bool agent_store = agent && std::string(agent) == "True";
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(env.master_port);
    so.isServer = env.rank == 0 && !agent_store;
    so.numWorkers = static_cast<size_t>(env.world);
    so.waitWorkers = !agent_store;
    so.timeout = timeout;
    m.store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
    if (agent_store) m.store = c10::make_intrusive<c10d::PrefixStore>("zoscope", m.store);
    if (m.backend_name == "nccl") {
#ifdef ZS_HAVE_NCCL
      m.pg = dist_make_nccl(m.store, env.rank, env.world, env.local_rank, timeout);
      m.device = c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(env.local_rank));
#else
      fail("distributed.backend", "value \"nccl\": this build has no NCCL (built without CUDA)");
#endif
    } else {
#ifndef ZS_HAVE_GLOO
      fail("distributed.backend", "value \"gloo\": this build has no Gloo (install libgloo-dev and rebuild)");
#else
      auto o = c10d::ProcessGroupGloo::Options::create(timeout);
      // GLOO_SOCKET_IFNAME as in PyTorch; a loopback master means a single machine.
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      if (ifname && *ifname) o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      else if (env.master_addr.rfind("127.", 0) == 0 || env.master_addr == "localhost")
        o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else o->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      o->threads = 1;  // collectives of a few scalars: one worker thread is plenty
      m.pg = c10::make_intrusive<c10d::ProcessGroupGloo>(m.store, env.rank, env.world, o);
      // Up to 16 ranks exchange directly (Dist::allgather); ZOSCOPE_DIST_ALLGATHER=1 keeps
      // Gloo's all-gather (what larger worlds and NCCL use), for comparison and its tests.
      m.direct = env.world <= 16 && env_int("ZOSCOPE_DIST_ALLGATHER", 0, 1).value_or(0) == 0;
#endif
    }
  });
}

Dist::~Dist() = default;

int Dist::rank() const { return impl_->rank; }
int Dist::world() const { return impl_->world; }
const std::string& Dist::backend() const { return impl_->backend_name; }
int64_t Dist::bytes_sent() const { return impl_->sent; }

std::vector<double> Dist::allgather(const std::vector<double>& local, const std::function<void()>& overlap) {
  Impl& m = *impl_;
  const int64_t n = static_cast<int64_t>(local.size());
  std::vector<double> out(static_cast<size_t>(n * m.world));
  if (n == 0) {
    if (overlap) overlap();
    return out;
  }
  const auto f64 = at::TensorOptions().dtype(at::kDouble);
  const auto to_host = [&](const at::Tensor& t, int r) {
    const at::Tensor h = t.to(at::kCPU).contiguous();
    std::memcpy(out.data() + r * n, h.data_ptr<double>(), static_cast<size_t>(n) * sizeof(double));
  };
  at::Tensor in;
  // Each rank's block as it arrives; undefined for this rank's own in a direct exchange
  // (copied from `local` at once).
  std::vector<at::Tensor> blocks(static_cast<size_t>(m.world));
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  // A Gloo all-gather hands the call to a worker thread and back, and each hand-over of a
  // sleeping thread costs latency (bench_llm dist: an idle 2-rank all-gather of 4 doubles
  // took 200-390 us here, the direct exchange 120-190 us). With few ranks each rank instead
  // sends its block to every other (c10d send/recv, written by the calling thread) and
  // receives theirs: the same bytes per rank, (world - 1) x the block. A per-step exchange
  // of a few scalars is latency-bound, so this raised 2-rank data-parallel MeZO from 75-79%
  // to 81-83% of the machine's ceiling. NCCL and larger worlds use the ring all-gather.
  const bool direct = m.direct;
  m.guarded("all-gather", [&] {
    in = at::empty({n}, f64);
    std::memcpy(in.data_ptr<double>(), local.data(), static_cast<size_t>(n) * sizeof(double));
    in = in.to(m.device);
    if (direct) {
      std::memcpy(out.data() + m.rank * n, local.data(), static_cast<size_t>(n) * sizeof(double));
      for (int r = 0; r < m.world; ++r) {  // receives first: a peer's block never waits for one
        if (r == m.rank) continue;
        std::vector<at::Tensor> t{blocks[static_cast<size_t>(r)] = at::empty({n}, f64)};
        works.push_back(m.pg->recv(t, r, 0));
      }
      for (int r = 0; r < m.world; ++r) {
        if (r == m.rank) continue;
        std::vector<at::Tensor> t{in};
        works.push_back(m.pg->send(t, r, 0));
      }
    } else {
      std::vector<at::Tensor> inputs{in};
      for (at::Tensor& b : blocks) b = at::empty({n}, in.options());
      std::vector<std::vector<at::Tensor>> outputs{blocks};  // the same tensors, filled in place
      works.push_back(m.pg->allgather(outputs, inputs));
    }
  });
  if (overlap) overlap();  // outside the guard: its own errors keep their own message
  m.guarded("all-gather", [&] {
    const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(m.timeout_s * 1000));
    for (const c10::intrusive_ptr<c10d::Work>& w : works) w->wait(timeout);
    for (int r = 0; r < m.world; ++r)
      if (blocks[static_cast<size_t>(r)].defined()) to_host(blocks[static_cast<size_t>(r)], r);
  });
  m.sent += (m.world - 1) * n * static_cast<int64_t>(sizeof(double));
  return out;
}

void Dist::allreduce_sum(std::vector<at::Tensor>& tensors) {
  Impl& m = *impl_;
  if (tensors.empty()) return;
  int64_t bytes = 0;
  m.guarded("all-reduce", [&] {
    // One flat fp32 buffer: one collective, whatever the number of tensors.
    std::vector<at::Tensor> flat;
    for (const at::Tensor& t : tensors) flat.push_back(t.detach().to(m.device, at::kFloat).reshape({-1}));
    std::vector<at::Tensor> buf{at::cat(flat)};
    bytes = buf[0].numel() * 4;
    m.pg->allreduce(buf)->wait();
    int64_t off = 0;
    c10::NoGradGuard ng;
    for (at::Tensor& t : tensors) {
      t.copy_(buf[0].narrow(0, off, t.numel()).view(t.sizes()));
      off += t.numel();
    }
  });
  m.sent += 2 * (m.world - 1) * bytes / m.world;
}

std::vector<double> Dist::share_from_rank0(const std::vector<double>& values, const std::string& key, double wait_s) {
  Impl& m = *impl_;
  std::vector<double> out = values;
  // A TCPStore whose server (rank 0) has gone logs a warning with LibTorch's stack trace
  // before it throws; the constructor's log level (FATAL only, unless TORCH_CPP_LOG_LEVEL
  // asks for c10d's logs) keeps the failure to this one line (guarded).
  m.guarded("sharing rank 0's values", [&] {
    const std::string k = "zoscope/share/" + key;
    if (m.rank == 0) {
      std::vector<uint8_t> bytes(values.size() * sizeof(double));
      if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
      m.store->set(k, bytes);
      m.sent += static_cast<int64_t>(bytes.size());
    } else {
      m.store->wait({k}, std::chrono::milliseconds(static_cast<int64_t>(wait_s * 1000)));
      const std::vector<uint8_t> bytes = m.store->get(k);
      out.assign(bytes.size() / sizeof(double), 0.0);
      if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(double));
    }
  }, wait_s);
  return out;
}

void Dist::after_rank0_work(const std::string& key) {
  // Up to an hour (or the collectives' timeout when longer): a rank 0 that hangs in its
  // work (a dead mount under its checkpoint) still ends the job, in one line.
  share_from_rank0({}, "rank0-work/" + key, std::max(3600.0, impl_->timeout_s));
}

void Dist::barrier() {
  // An all-gather of one value: a barrier that every backend runs the same way.
  allgather({0.0});
}

std::vector<int64_t> dist_owned_shards(int64_t shards, int world, int rank) {
  std::vector<int64_t> out;
  for (int64_t s = rank; s < shards; s += world) out.push_back(s);
  return out;
}

std::vector<std::vector<int64_t>> dist_balanced_shards(const std::vector<int64_t>& idx, const std::vector<int64_t>& rows,
                                                       const std::vector<int64_t>& cols, int64_t shards) {
  const int64_t n = static_cast<int64_t>(idx.size());
  if (shards < 1 || shards > n || rows.size() != idx.size() || cols.size() != idx.size())
    fail("distributed.shards", "cannot cut " + std::to_string(n) + " examples into " + std::to_string(shards) + " shards");
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) order[static_cast<size_t>(k)] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return cols[static_cast<size_t>(a)] > cols[static_cast<size_t>(b)]; });
  // prefix[k]: rows of the k longest; a run [i, j) costs its rows x the length of its first.
  std::vector<int64_t> prefix(static_cast<size_t>(n + 1), 0);
  for (int64_t k = 0; k < n; ++k) prefix[static_cast<size_t>(k + 1)] = prefix[static_cast<size_t>(k)] + rows[static_cast<size_t>(order[static_cast<size_t>(k)])];
  const auto cost = [&](int64_t i, int64_t j) {
    return (prefix[static_cast<size_t>(j)] - prefix[static_cast<size_t>(i)]) * cols[static_cast<size_t>(order[static_cast<size_t>(i)])];
  };
  // best[s][j]: the least largest cost of cutting the j longest into s runs; cut[s][j]: where
  // the last run starts (the smallest such start: deterministic).
  const int64_t inf = std::numeric_limits<int64_t>::max();
  std::vector<std::vector<int64_t>> best(static_cast<size_t>(shards + 1), std::vector<int64_t>(static_cast<size_t>(n + 1), inf));
  std::vector<std::vector<int64_t>> cut(best.size(), std::vector<int64_t>(static_cast<size_t>(n + 1), 0));
  best[0][0] = 0;
  for (int64_t s = 1; s <= shards; ++s)
    for (int64_t j = s; j <= n - (shards - s); ++j)
      for (int64_t i = s - 1; i < j; ++i) {
        const int64_t prev = best[static_cast<size_t>(s - 1)][static_cast<size_t>(i)];
        if (prev == inf) continue;
        const int64_t c = std::max(prev, cost(i, j));
        if (c < best[static_cast<size_t>(s)][static_cast<size_t>(j)]) {
          best[static_cast<size_t>(s)][static_cast<size_t>(j)] = c;
          cut[static_cast<size_t>(s)][static_cast<size_t>(j)] = i;
        }
      }
  std::vector<std::vector<int64_t>> out(static_cast<size_t>(shards));
  for (int64_t s = shards, j = n; s >= 1; --s) {
    const int64_t i = cut[static_cast<size_t>(s)][static_cast<size_t>(j)];
    for (int64_t k = i; k < j; ++k) out[static_cast<size_t>(s - 1)].push_back(idx[static_cast<size_t>(order[static_cast<size_t>(k)])]);
    j = i;
  }
  return out;
}

ShardedLoss::ShardedLoss(const CausalLM& model, const EncodedSet& train, int64_t batch_size, uint64_t seed,
                         int64_t shards, Dist* dist)
    : model_(model), train_(train), batch_size_(batch_size), seed_(seed), shards_(shards), dist_(dist) {
  if (shards < 1 || shards > batch_size)
    fail("distributed.shards", "value " + std::to_string(shards) + " must be in [1, batch_size " +
                                   std::to_string(batch_size) + "]");
}

void ShardedLoss::set_step(int64_t t) {
  const std::vector<int64_t> idx = train_batch_indices(train_.size(), batch_size_, seed_, t);
  // Each example's rows and longest row in the training batch (batch_make's layout).
  const BatchKind kind = batch_kind_train(train_);
  std::vector<int64_t> rows, cols;
  for (int64_t i : idx) {
    const std::span<const EncodedRow> taken = batch_rows(train_, train_.examples[static_cast<size_t>(i)], kind);
    int64_t longest = 0;
    for (const EncodedRow& r : taken) longest = std::max<int64_t>(longest, static_cast<int64_t>(r.ids.size()));
    rows.push_back(static_cast<int64_t>(taken.size()));
    cols.push_back(longest);
  }
  const std::vector<std::vector<int64_t>> parts = dist_balanced_shards(idx, rows, cols, shards_);
  batches_.clear();
  for (int64_t s : dist_owned_shards(shards_, dist_ ? dist_->world() : 1, dist_ ? dist_->rank() : 0))
    batches_.push_back(batch_to_device(batch_make(train_, parts[static_cast<size_t>(s)], kind), model_.device()));
}

std::vector<double> ShardedLoss::padded(std::vector<double> local) const {
  // Every rank sends the same length: ceil(shards / world) (sum, count) pairs, zero-padded.
  const int world = dist_ ? dist_->world() : 1;
  local.resize(static_cast<size_t>(2 * ((shards_ + world - 1) / world)), 0.0);
  return local;
}

std::vector<double> ShardedLoss::gather(const std::vector<double>& local) {
  return dist_ ? dist_->allgather(padded(local)) : local;
}

double ShardedLoss::combine(const std::vector<double>& all) const {
  const int world = dist_ ? dist_->world() : 1;
  const int64_t per = static_cast<int64_t>(all.size()) / (2 * world);
  // Shard order, in double: the same additions on any number of ranks.
  double sum = 0, count = 0;
  for (int64_t s = 0; s < shards_; ++s) {
    const size_t k = static_cast<size_t>(2 * ((s % world) * per + s / world));
    sum += all[k];
    count += all[k + 1];
  }
  return sum / count;
}

std::vector<double> ShardedLoss::local_sums() const {
  std::vector<double> local;
  for (const TensorBatch& b : batches_) {
    const LossSum ls = task_loss_sum(model_, b);
    local.push_back(ls.sum);
    local.push_back(ls.count);
  }
  return local;
}

double ShardedLoss::loss() { return combine(gather(local_sums())); }

void ShardedLoss::forward_deferred() { deferred_.push_back(padded(local_sums())); }

void ShardedLoss::gather_deferred(std::vector<double>& losses, const std::function<void()>& overlap) {
  const size_t n = deferred_.size();
  if (losses.size() != n) fail("sharded loss", "deferred evaluations out of step with the estimator");
  std::vector<double> flat;
  for (const std::vector<double>& v : deferred_) flat.insert(flat.end(), v.begin(), v.end());
  deferred_.clear();
  if (n == 0) return;
  if (!dist_ && overlap) overlap();
  const std::vector<double> all = dist_ ? dist_->allgather(flat, overlap) : flat;  // one collective for the step
  const size_t world = all.size() / flat.size(), width = flat.size() / n;
  for (size_t k = 0; k < n; ++k) {
    // Evaluation k as gather() would have returned it: each rank's pairs, rank by rank.
    std::vector<double> one;
    for (size_t r = 0; r < world; ++r)
      one.insert(one.end(), all.begin() + static_cast<std::ptrdiff_t>(r * flat.size() + k * width),
                 all.begin() + static_cast<std::ptrdiff_t>(r * flat.size() + (k + 1) * width));
    losses[k] = combine(one);
  }
}

void ShardedLoss::defer_in(TensorEngine& engine, std::function<void(const std::vector<double>&)> on_losses) {
  engine.set_deferred_evals([this] { forward_deferred(); },
                            [this, on = std::move(on_losses)](std::vector<double>& ls, const std::function<void()>& overlap) {
                              gather_deferred(ls, overlap);
                              if (on) on(ls);
                            });
}

double ShardedLoss::loss_grad(const std::vector<Block>& blocks) {
  std::vector<double> local;
  at::Tensor sum;
  for (const TensorBatch& b : batches_) {
    const at::Tensor s = task_loss_sum_tensor(model_, b);
    local.push_back(s.item<double>());
    local.push_back(task_loss_count(b));
    sum = sum.defined() ? sum + s : s;
  }
  const std::vector<double> all = gather(local);
  double count = 0;
  for (size_t k = 1; k < all.size(); k += 2) count += all[k];
  if (sum.defined()) sum.div(count).backward();
  if (dist_) {
    std::vector<at::Tensor> grads;
    for (const Block& b : blocks) {
      if (!b.tensor.grad().defined()) b.tensor.mutable_grad() = at::zeros_like(b.tensor);
      grads.push_back(b.tensor.grad());
    }
    dist_->allreduce_sum(grads);
  }
  return combine(all);
}

}  // namespace zs
