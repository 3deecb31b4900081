// The Engine of synthetic landscapes: parameters are one Eigen vector (one block), the
// loss is the landscape plus optional per-step minibatch noise, gradients are analytic.
// It also records what the views plot: the points evaluated during the step (probe
// points theta +- eps z), the realized update and the effective per-dimension step size.
#pragma once
#include <Eigen/Core>
#include <vector>
#include "core/landscape/landscape.h"
#include "core/opt/optimizer.h"

namespace zs {

class VecEngine : public Engine {
 public:
  // noise: sigma of the minibatch noise n_t(x) = sigma (xi_0 + <xi, x>/sqrt(d)), xi drawn
  // per step from Philox(noise_seed, t); l+ and l- of one step share it (same minibatch).
  VecEngine(const Landscape& f, const Eigen::VectorXd& x0, double noise = 0, uint64_t noise_seed = 0);

  Eigen::VectorXd& x() { return x_; }
  const Eigen::VectorXd& x() const { return x_; }
  // Fixed-directions mode: rows of length dim, used cyclically.
  void set_direction_table(const std::vector<std::vector<double>>& rows);

  // Points evaluated since begin_step (copies of x at each loss evaluation).
  int evals_this_step() const { return n_evals_; }
  const Eigen::VectorXd& eval_point(int i) const { return evals_[static_cast<size_t>(i)]; }
  // Per-element results of the last update op (not of perturbations) and whether one ran.
  const Eigen::VectorXd& last_alpha() const { return alpha_; }
  bool alpha_valid() const { return alpha_valid_; }
  // Noise-free loss and gradient at the current point (diagnostics; not counted as FP).
  double clean_loss() const { return f_.value(x_.data()); }
  void clean_grad(Eigen::VectorXd& g) const;

  int64_t dim() const override { return x_.size(); }
  int num_blocks() const override { return 1; }
  void begin_step(int64_t t) override;
  void state_init(int slot, double value) override;
  void apply(const ElemRequest& r, ApplyStats* stats) override;
  double dir_sq_norm(uint64_t seed) override;
  double anchor_save(bool keep_copy, int norm) override;
  double anchor_dist(int norm) override;
  const std::vector<double>* direction_table() const override { return table_.empty() ? nullptr : &table_; }

 protected:
  double do_loss() override;
  double do_loss_grad() override;

 private:
  double noise_at(const Eigen::VectorXd& x) const;

 public:
  // Whole directions of recent (seed, stream) pairs: landscapes are small, so perturb,
  // restore, update and AdaMeZO's window each generate a direction once, not per pass.
  struct DirCache {
    static constexpr int kSlots = 128;
    int64_t d = 0;
    std::vector<double> data;
    uint64_t key[kSlots];
    uint32_t stream[kSlots];
    int32_t dist[kSlots];
    bool used[kSlots];
    uint64_t stamp[kSlots];  // pass that last resolved the entry: never evicted in that pass
    uint64_t pass = 0;
    int last = 0;  // most recent hit: checked first
    std::vector<float> fbuf;  // bulk generator output (N-D misses)
    void reset(int64_t dim);
    const double* lookup(const ElemRequest& r, uint64_t seed, uint32_t stream);
  };

 private:
  DirCache cache_;
  const Landscape& f_;
  Eigen::VectorXd x_, grad_, st_[2], anchor_, alpha_, xi_;
  double noise_ = 0, xi0_ = 0;
  uint64_t noise_seed_ = 0;
  std::vector<double> table_;
  std::vector<Eigen::VectorXd> evals_;
  int n_evals_ = 0;
  bool alpha_valid_ = false;
};

}  // namespace zs
