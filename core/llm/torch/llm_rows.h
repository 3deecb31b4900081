// The run-record row of one language-model step (core/run/record.h), made from the tensor
// engine's per-step statistics (zo_engine.h TensorStepStats): the step's minibatch loss,
// the update norm, effective per-dimension step-size quantiles read off the alpha
// histogram, and -- when the engine accumulates plot statistics -- the coordinates of the
// weights in the plane theta_0 + a d_1 + b d_2 of the two filter-normalised plot
// directions (docs/llm-live.md "Trajectories on a plane").
#pragma once
#include <cmath>
#include "core/llm/torch/zo_engine.h"
#include "core/run/record.h"

namespace zs {

class LlmRowStats {
 public:
  // Gram matrix of the plot directions (<d_i, d_j>); without one, rows get no plane point.
  void set_plane(double g11, double g12, double g22) {
    const double det = g11 * g22 - g12 * g12;
    has_plane_ = det > 0;
    if (!has_plane_) return;
    inv_[0] = g22 / det;
    inv_[1] = -g12 / det;
    inv_[2] = g11 / det;
  }
  // Continue after a resumed row (its plane point gives back the accumulated dot products).
  void restore(const StepRow& last) {
    if (!has_plane_ || !std::isfinite(last.x) || !std::isfinite(last.y)) return;
    // dot = G (x, y): invert the inverse.
    const double det = inv_[0] * inv_[2] - inv_[1] * inv_[1];
    dot_[0] = (inv_[2] * last.x - inv_[1] * last.y) / det;
    dot_[1] = (-inv_[1] * last.x + inv_[0] * last.y) / det;
  }
  void fill(const TensorEngine& e, const StepInfo& si, StepRow& row) {
    const TensorStepStats& st = e.last_stats();
    row.loss = si.loss;
    row.update_norm = st.update_norm;
    int64_t n = 0;
    for (int64_t c : st.alpha_hist) n += c;
    if (n > 0) {
      row.alpha_min = st.alpha_quantile(0.0);
      row.alpha_q25 = st.alpha_quantile(0.25);
      row.alpha_median = st.alpha_quantile(0.5);
      row.alpha_q75 = st.alpha_quantile(0.75);
      row.alpha_max = st.alpha_quantile(1.0);
    }
    if (has_plane_) {
      // theta_t - theta_0 = sum of updates, so its dot products with d_k accumulate; the
      // plane point is the least-squares (a, b) = G^-1 (<delta, d_1>, <delta, d_2>).
      dot_[0] += st.plot_dot[0];
      dot_[1] += st.plot_dot[1];
      row.x = inv_[0] * dot_[0] + inv_[1] * dot_[1];
      row.y = inv_[1] * dot_[0] + inv_[2] * dot_[1];
    }
  }
  // The per-tensor view: appends this step's per-tensor mean step size and RMS update to
  // the record (names on the first call); NaN on steps without them (a CUDA step without
  // the alpha histogram).
  static void fill_tensors(const TensorEngine& e, RunRecord& rec) {
    const TensorStepStats& st = e.last_stats();
    const size_t n = e.blocks().size();
    if (st.block_alpha_mean.size() != n) {
      // A step without them after steps with them: NaN keeps the steps aligned.
      if (!rec.tensor_names.empty()) {
        rec.tensor_alpha.insert(rec.tensor_alpha.end(), n, NAN);
        rec.tensor_rms.insert(rec.tensor_rms.end(), n, NAN);
      }
      return;
    }
    if (rec.tensor_names.size() != n) {
      rec.tensor_names.clear();
      for (const Block& b : e.blocks()) rec.tensor_names.push_back(b.name);
    }
    for (size_t k = 0; k < n; ++k) {
      rec.tensor_alpha.push_back(static_cast<float>(st.block_alpha_mean[k]));
      rec.tensor_rms.push_back(static_cast<float>(st.block_update_rms[k]));
    }
  }

 private:
  bool has_plane_ = false;
  double inv_[3] = {0, 0, 0};
  double dot_[2] = {0, 0};
};

}  // namespace zs
