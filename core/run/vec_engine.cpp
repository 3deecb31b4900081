// Engine over one Eigen vector for the synthetic landscapes.
#include "core/run/vec_engine.h"
#include <type_traits>
#include <cmath>
#include <cstring>
#include "core/rng/philox_bulk.h"

namespace zs {

VecEngine::VecEngine(const Landscape& f, const Eigen::VectorXd& x0, double noise, uint64_t noise_seed)
    : f_(f), x_(x0), grad_(Eigen::VectorXd::Zero(x0.size())), alpha_(Eigen::VectorXd::Zero(x0.size())),
      noise_(noise), noise_seed_(noise_seed) {
  if (noise_ > 0) xi_ = Eigen::VectorXd::Zero(x0.size());
  cache_.reset(x0.size());
}

void VecEngine::DirCache::reset(int64_t dim) {
  d = dim;
  data.assign(static_cast<size_t>(kSlots * dim), 0.0);
  for (int i = 0; i < kSlots; ++i) {
    used[i] = false;
    stamp[i] = 0;
  }
  pass = 0;
}

const double* VecEngine::DirCache::lookup(const ElemRequest& r, uint64_t seed, uint32_t st) {
  auto hit = [&](int i) { return used[i] && key[i] == seed && stream[i] == st && dist[i] == r.dist; };
  if (hit(last)) {
    stamp[last] = pass;
    return &data[static_cast<size_t>(last * d)];
  }
  const uint64_t h = (seed ^ (0x9E3779B97F4A7C15ull * (st + 1))) * 0xD6E8FEB86659FD93ull;
  const int slot = static_cast<int>(h >> 57);  // 7 bits: 128 slots, linear probing over 8
  for (int probe = 0; probe < 8; ++probe) {
    const int i = (slot + probe) & (kSlots - 1);
    if (hit(i)) {
      last = i;
      stamp[i] = pass;
      return &data[static_cast<size_t>(i * d)];
    }
  }
  // Miss: a free probe slot, else one not resolved in this pass (a pass needs at most
  // kMaxSeeds + 3 < kSlots directions, so the scan always finds one).
  int i = -1;
  for (int probe = 0; probe < 8 && i < 0; ++probe)
    if (!used[(slot + probe) & (kSlots - 1)]) i = (slot + probe) & (kSlots - 1);
  for (int probe = 0; i < 0 && probe < kSlots; ++probe)
    if (stamp[(slot + probe) & (kSlots - 1)] != pass) i = (slot + probe) & (kSlots - 1);
  double* v = &data[static_cast<size_t>(i * d)];
  if (r.dist == kDirGaussian && d >= 16) {
    // N-D Gaussian directions from the vectorised bulk generator (core/rng/philox_bulk.h,
    // bit-identical to normal4 and so to elem_dir): a d = 1000 direction was a third of a
    // quadratic_nd step when drawn four elements at a time.
    const int64_t groups = (d + 3) / 4;
    fbuf.resize(static_cast<size_t>(groups * 4));
    normal_fill(seed, 0, 0, groups, st, fbuf.data());
    for (int64_t j = 0; j < d; ++j) v[j] = static_cast<double>(fbuf[static_cast<size_t>(j)]);
  } else {
    for (int64_t i0 = 0; i0 < d; i0 += 4) {
      double z[4];
      elem_dir<double>(r, seed, 0, static_cast<uint64_t>(i0 / 4), i0, static_cast<int>(std::min<int64_t>(4, d - i0)), st, z);
      for (int j = 0; j < 4 && i0 + j < d; ++j) v[i0 + j] = z[j];
    }
  }
  used[i] = true;
  last = i;
  key[i] = seed;
  stream[i] = st;
  dist[i] = r.dist;
  stamp[i] = pass;
  return v;
}

namespace {
// Directions for elem_apply_group: whole vectors from the engine's cache, resolved once
// per pass (elem_dir_slots lists what the op reads).
struct CachedDirs {
  const double* vec[kMaxSeeds + 2][2] = {};
  int64_t i0 = 0;
  int n = 4;
  void get(int slot, uint32_t stream, double z[4]) const {
    const double* v = vec[slot][stream & 1u] + i0;
    if (n == 4) {  // whole groups in one copy: four scalar stores read back as vectors stalled store forwarding
      std::memcpy(z, v, 4 * sizeof(double));
      return;
    }
    for (int j = 0; j < 4; ++j) z[j] = j < n ? v[j] : 0.0;
  }
};
}  // namespace

void VecEngine::set_direction_table(const std::vector<std::vector<double>>& rows) {
  cache_.reset(x_.size());
  table_.clear();
  for (const auto& r : rows) table_.insert(table_.end(), r.begin(), r.end());
}

void VecEngine::clean_grad(Eigen::VectorXd& g) const {
  g.resize(x_.size());
  f_.gradient(x_.data(), g.data());
}

void VecEngine::begin_step(int64_t t) {
  n_evals_ = 0;
  alpha_valid_ = false;
  if (noise_ > 0) {
    // Stream 3 of the noise seed, block = step: independent of every direction stream.
    const int64_t d = x_.size();
    for (int64_t i = 0; i < d; ++i) xi_[i] = normal_at(noise_seed_, static_cast<uint64_t>(t), static_cast<uint64_t>(i), 3);
    xi0_ = normal_at(noise_seed_, static_cast<uint64_t>(t), static_cast<uint64_t>(d), 3);
  }
}

double VecEngine::noise_at(const Eigen::VectorXd& x) const {
  if (noise_ <= 0) return 0;
  return noise_ * (xi0_ + xi_.dot(x) / std::sqrt(static_cast<double>(x.size())));
}

double VecEngine::do_loss() {
  if (static_cast<size_t>(n_evals_) >= evals_.size()) evals_.emplace_back(x_.size());
  evals_[static_cast<size_t>(n_evals_++)] = x_;
  return f_.value(x_.data()) + noise_at(x_);
}

double VecEngine::do_loss_grad() {
  f_.gradient(x_.data(), grad_.data());
  if (noise_ > 0) grad_ += noise_ / std::sqrt(static_cast<double>(x_.size())) * xi_;
  return do_loss();
}

void VecEngine::state_init(int slot, double value) { st_[slot] = Eigen::VectorXd::Constant(x_.size(), value); }

void VecEngine::apply(const ElemRequest& r, ApplyStats* stats) {
  const int64_t d = x_.size();
  const bool update = elem_is_update(r);
  double usq = 0, l1 = 0, l2 = 0;
  CachedDirs dirs;
  int slots[kMaxSeeds + 4];
  uint32_t streams[kMaxSeeds + 4];
  const int nslots = elem_dir_slots(r, slots, streams);
  ++cache_.pass;
  // Resolve every direction first: a lookup may evict, but never one resolved in this pass
  // (a pass reads at most kMaxSeeds + 3 directions, the cache holds kSlots).
  for (int k = 0; k < nslots; ++k)
    dirs.vec[slots[k]][streams[k] & 1u] = cache_.lookup(r, elem_slot_seed(r, slots[k]), streams[k]);
  // The pass, with the op fixed at compile time for the ops of the landscape presets'
  // optimizers (as the CUDA kernels specialise, zo_kernels.cu): the same element math
  // without the per-group switch (measured: see README, bench_gui's N-D row).
  const auto pass = [&](auto op_tag) {
    constexpr int32_t kOp = decltype(op_tag)::value;
    ElemGroup<double, double> g;
    ElemOut<double> out;
    const int64_t whole = d / 4 * 4;
    for (int64_t i0 = 0; i0 < d; i0 += 4) {
      g.x = x_.data() + i0;
      g.st[0] = st_[0].size() ? st_[0].data() + i0 : nullptr;
      g.st[1] = st_[1].size() ? st_[1].data() + i0 : nullptr;
      g.grad = grad_.data() + i0;
      // A literal 4 for whole groups: the inlined element loops unroll without their bounds
      // checks (the same operations; the tail group runs the general loops).
      g.n = i0 < whole ? 4 : static_cast<int>(d - i0);
      g.block = 0;
      g.group = static_cast<uint64_t>(i0 / 4);
      g.offset = i0;
      dirs.i0 = i0;
      dirs.n = g.n;
      elem_apply_group<kOp>(r, g, dirs, out);
      if (update)
        for (int j = 0; j < g.n; ++j) alpha_[i0 + j] = out.alpha[j];
      if (stats)  // only AdaNAGED-P reads them
        for (int j = 0; j < g.n; ++j) {
          usq += out.delta[j] * out.delta[j];
          l1 += std::fabs(out.aux[j]);
          l2 += out.aux[j] * out.aux[j];
        }
    }
  };
  switch (r.op) {
    case kOpPerturb: pass(std::integral_constant<int32_t, kOpPerturb>{}); break;
    case kOpSgd: pass(std::integral_constant<int32_t, kOpSgd>{}); break;
    case kOpAdam: pass(std::integral_constant<int32_t, kOpAdam>{}); break;
    case kOpAdaMeZO: pass(std::integral_constant<int32_t, kOpAdaMeZO>{}); break;
    default: pass(std::integral_constant<int32_t, kOpCount>{}); break;
  }
  if (update && r.op != kOpNagedDual) alpha_valid_ = true;
  if (stats) {
    stats->update_sq = usq;
    stats->block_l1.assign(1, l1);
    stats->block_l2sq.assign(1, l2);
  }
}

double VecEngine::dir_sq_norm(uint64_t seed) {
  double s = 0;
  const int64_t d = x_.size();
  for (int64_t i0 = 0; i0 < d; i0 += 4) {
    float z[4];
    normal4(seed, 0, static_cast<uint64_t>(i0 / 4), 0, z);
    for (int j = 0; j < 4 && i0 + j < d; ++j) s += static_cast<double>(z[j]) * z[j];
  }
  return s;
}

// One vector block: l2 for the Euclidean geometry, l-inf otherwise (no matrices here).
double VecEngine::anchor_save(bool keep_copy, int norm) {
  if (keep_copy) anchor_ = x_;
  return norm == kNormL2 ? x_.norm() : x_.lpNorm<Eigen::Infinity>();
}

double VecEngine::anchor_dist(int norm) {
  return norm == kNormL2 ? (x_ - anchor_).norm() : (x_ - anchor_).lpNorm<Eigen::Infinity>();
}

}  // namespace zs
