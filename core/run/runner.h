// Running experiments on synthetic landscapes: the scene (landscape, start, view plane),
// one run stepped to its budget with divergence detection, all runs in parallel, the
// loss grid of the view, and the exported figure.
#pragma once
#include <array>
#include <Eigen/Core>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>
#include "core/export/figure.h"
#include "core/io/experiment.h"
#include "core/landscape/landscape.h"
#include "core/opt/optimizer.h"
#include "core/run/record.h"
#include "core/run/stepper.h"
#include "core/run/vec_engine.h"

namespace zs {

// The 2-D view of the parameters: identity for 2-D landscapes; for N-D either two chosen
// coordinates or the plane through the start spanned by two orthonormal directions
// (seeded, or start->minimum plus a seeded one).
struct Projection {
  enum Kind { Identity, Coords, Plane } kind = Identity;
  int c0 = 0, c1 = 1;
  Eigen::VectorXd origin, e1, e2;
  Eigen::Vector2d project(const Eigen::VectorXd& x) const;
  void lift(double u, double v, Eigen::VectorXd& out) const;  // plane point -> parameters
};

struct Scene {
  std::unique_ptr<Landscape> landscape;
  Eigen::VectorXd start;
  Projection proj;
  double domain[4] = {-1, 1, -1, 1};
  bool log_colour = false;
  std::vector<Eigen::Vector2d> minima;  // projected known minima inside the view
};

Scene scene_make(const Experiment& e);

// The experiment's budget (steps or forward passes) as the Stepper takes it.
Budget run_budget(const Experiment& e);
// Budget in steps for a run (the FP budget divided by the optimizer's FP per step).
int64_t run_step_budget(const Experiment& e, const Optimizer& o);

// Steps one landscape run on the one step loop (stepper.h); used by run_single and by the
// GUI's streaming mode. It is the Stepper's observer for what landscapes add to a row:
// the noise-free loss, the projection on the view plane, probe points, step sizes and the
// cosine with the true gradient.
class RunStepper : private StepObserver {
 public:
  RunStepper(const Experiment& e, const Scene& s, int run_index, const Landscape* own_landscape = nullptr);
  bool done() const { return done_; }
  // One optimizer step and its row; false once the budget is spent or the run diverged.
  bool step();
  const RunRecord& record() const { return rec_; }
  RunRecord take() { return std::move(rec_); }
  const VecEngine& engine() const { return *engine_; }

 private:
  void before_step(int64_t t) override;
  void fill_row(const StepInfo& si, StepRow& row) override;
  void fill_alpha(StepRow& row, const Optimizer& o) const;
  const Experiment& exp_;
  const Scene& scene_;
  const Landscape& f_;
  std::unique_ptr<Optimizer> opt_;
  std::unique_ptr<VecEngine> engine_;
  std::unique_ptr<Stepper> stepper_;
  RunRecord rec_;
  double loss0_ = 0;
  bool done_ = false;
  Eigen::VectorXd prev_, grad_;
  mutable std::vector<double> scratch_;
};

RunRecord run_single(const Experiment& e, const Scene& s, int run_index);

struct RunProgress {
  std::function<void(int done, int total)> on_run_done;  // called from worker threads
  const std::atomic<bool>* cancel = nullptr;
};
// All runs, `threads` workers (0 = hardware concurrency); results in run order.
std::vector<RunRecord> run_experiment(const Experiment& e, const Scene& s, int threads = 0, const RunProgress& p = {});

struct Grid {
  int nx = 0, ny = 0;
  double domain[4] = {0, 0, 0, 0};
  std::vector<float> v;  // row-major, row 0 at y0
};
Grid grid_compute(const Scene& s, int nx, int ny, int threads = 0);
// The same over another domain (x0, x1, y0, y1) of the scene's plane.
Grid grid_compute(const Scene& s, const std::array<double, 4>& domain, int nx, int ny, int threads = 0);

// Everything a view needs after a change: all runs and the loss grid, computed together on
// `threads` workers (longest runs first, grid rows as extra jobs) so both cores stay busy.
struct SceneResult {
  std::vector<RunRecord> runs;
  Grid grid;
};
SceneResult scene_compute(const Experiment& e, const Scene& s, int nx, int ny, int threads = 0,
                          const std::atomic<bool>* cancel = nullptr);

// The figure of an experiment: heatmap grid, contours, trajectories, legend, stamp.
Figure figure_make(const Experiment& e, const Scene& s, const Grid& g, const std::vector<RunRecord>& runs);
// The same figure without a grid, over s.domain: what the app's landscape view draws over
// its GL heatmap (with Figure::fixed_scale set to the view's colour range). Runs up to row
// last_rows[i] (all rows when last_rows is empty; left out when it is < 0), a run that
// diverged marked so only at its last row, the probes of the step that led to that row.
// styled: labels, colours and visibility from e.runs (the app edits them after the runs
// were computed) instead of the records.
Figure figure_frame(const Experiment& e, const Scene& s, const std::vector<RunRecord>& runs, const std::vector<int>& last_rows = {},
                    bool styled = false);
// The exported landscape figure at w x h that fills its canvas: a coarse grid finds the
// layout, the domain is widened to the plot's room (figure_fill_domain) and the grid of
// e.view.grid nodes per side is computed over that. `scale`: the colour range to draw
// (Figure::fixed_scale; the app's view's), else the grid's own; `opt`: as it will be drawn.
Figure figure_make_filled(const Experiment& e, const Scene& s, const std::vector<RunRecord>& runs, int w, int h,
                          int threads = 0, const ColourScale* scale = nullptr, const FigureOptions& opt = {});

// Runs `n` jobs on up to `threads` workers (job index passed); shared by runs, grids, sweeps.
void parallel_for(int n, int threads, const std::function<void(int)>& job);

}  // namespace zs
