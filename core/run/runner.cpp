// Experiment runner for synthetic landscapes.
#include "core/run/runner.h"
#include "core/util/quantiles.h"
#include <algorithm>
#include <cmath>
#include <mutex>
#include <thread>
#include "core/export/figure_layout.h"
#include "core/rng/philox.h"
#include "core/util/error.h"
#include "core/version.h"

namespace zs {

Eigen::Vector2d Projection::project(const Eigen::VectorXd& x) const {
  switch (kind) {
    case Identity: return {x[0], x[1]};
    case Coords: return {x[c0], x[c1]};
    case Plane: {
      const Eigen::VectorXd d = x - origin;
      return {d.dot(e1), d.dot(e2)};
    }
  }
  return {NAN, NAN};
}

void Projection::lift(double u, double v, Eigen::VectorXd& out) const {
  switch (kind) {
    case Identity: out[0] = u; out[1] = v; return;
    case Coords: out = origin; out[c0] = u; out[c1] = v; return;
    case Plane: out = origin + u * e1 + v * e2; return;
  }
}

namespace {

// Unit vector orthogonal to `against` (if given), from Philox(seed, block).
Eigen::VectorXd seeded_unit(uint64_t seed, uint64_t block, int64_t d, const Eigen::VectorXd* against) {
  Eigen::VectorXd v(d);
  for (int64_t i = 0; i < d; ++i) v[i] = normal_at(seed, block, static_cast<uint64_t>(i), 4);
  if (against) v -= v.dot(*against) * *against;  // Gram-Schmidt
  return v / v.norm();
}

}  // namespace

Scene scene_make(const Experiment& e) {
  Scene s;
  s.landscape = landscape_create(e.landscape.id, e.landscape.params, e.landscape.dim, e.landscape.expression,
                                 e.source.empty() ? "landscape" : e.source + ": landscape");
  const LandscapeInfo& info = s.landscape->info();
  const int d = s.landscape->dim();
  if (!e.start.empty()) s.start = Eigen::Map<const Eigen::VectorXd>(e.start.data(), d);
  else if (!info.starts.empty()) s.start = Eigen::Map<const Eigen::VectorXd>(info.starts[0].data(), d);
  else s.start = Eigen::VectorXd::Zero(d);
  for (int k = 0; k < 4; ++k) s.domain[k] = info.view[k];
  s.log_colour = e.view.log_colour >= 0 ? e.view.log_colour == 1 : info.log_colour;

  Projection& p = s.proj;
  p.origin = s.start;
  if (d == 2) {
    p.kind = Projection::Identity;
  } else {
    std::string mode = e.view.projection;
    if (mode == "auto") mode = info.minima.empty() ? "plane" : "toward_minimum";
    if (mode == "coords") {
      p.kind = Projection::Coords;
      p.c0 = e.view.coords[0];
      p.c1 = e.view.coords[1];
      const double r = std::max({std::fabs(s.start[p.c0]), std::fabs(s.start[p.c1]), 1.0}) * 1.5;
      const double dom[4] = {-r, r, -r, r};
      std::copy(dom, dom + 4, s.domain);
    } else {
      p.kind = Projection::Plane;
      double len = 0;
      if (mode == "toward_minimum" && !info.minima.empty()) {
        const Eigen::VectorXd m = Eigen::Map<const Eigen::VectorXd>(info.minima[0].data(), d);
        len = (m - s.start).norm();
      }
      if (len > 0) {
        const Eigen::VectorXd m = Eigen::Map<const Eigen::VectorXd>(info.minima[0].data(), d);
        p.e1 = (m - s.start) / len;
        p.e2 = seeded_unit(e.view.plane_seed, 1, d, &p.e1);
        const double dom[4] = {-0.25 * len, 1.25 * len, -0.75 * len, 0.75 * len};
        std::copy(dom, dom + 4, s.domain);
      } else {
        p.e1 = seeded_unit(e.view.plane_seed, 0, d, nullptr);
        p.e2 = seeded_unit(e.view.plane_seed, 1, d, &p.e1);
        const double r = std::max(1.0, 0.5 * s.start.norm());
        const double dom[4] = {-r, r, -r, r};
        std::copy(dom, dom + 4, s.domain);
      }
    }
  }
  if (e.view.domain[0] != 0 || e.view.domain[1] != 0 || e.view.domain[2] != 0 || e.view.domain[3] != 0)
    for (int k = 0; k < 4; ++k) s.domain[k] = e.view.domain[k];
  for (const auto& m : info.minima) {
    if (static_cast<int>(m.size()) != d) continue;
    const Eigen::Vector2d q = p.project(Eigen::Map<const Eigen::VectorXd>(m.data(), d));
    if (q[0] >= s.domain[0] && q[0] <= s.domain[1] && q[1] >= s.domain[2] && q[1] <= s.domain[3]) s.minima.push_back(q);
  }
  return s;
}

Budget run_budget(const Experiment& e) {
  Budget b;
  if (e.max_steps > 0) b.steps = e.max_steps;
  else b.forward_passes = e.max_fp;
  return b;
}

// The step budget (an estimate for FP budgets: the Stepper also stops before a step whose
// forward passes would exceed the budget).
int64_t run_step_budget(const Experiment& e, const Optimizer& o) { return run_budget(e).step_estimate(o); }

RunStepper::RunStepper(const Experiment& e, const Scene& s, int run_index, const Landscape* own_landscape)
    : exp_(e), scene_(s), f_(own_landscape ? *own_landscape : *s.landscape) {
  const RunSpec& spec = e.runs.at(static_cast<size_t>(run_index));
  const std::string where = (e.source.empty() ? "" : e.source + ": ") + "runs[" + std::to_string(run_index) + "]";
  opt_ = optimizer_create(spec.optimizer, spec.hp, where + ".hyperparameters");
  engine_ = std::make_unique<VecEngine>(f_, s.start, e.landscape.noise, e.landscape.noise_seed);
  if (!spec.directions.empty()) engine_->set_direction_table(spec.directions);
  stepper_ = std::make_unique<Stepper>(*opt_, *engine_, run_budget(e), e.seed);
  const int64_t budget = stepper_->budget().step_estimate(*opt_);

  rec_.index = run_index;
  rec_.label = spec.label;
  rec_.optimizer = spec.optimizer;
  rec_.colour = spec.colour;
  rec_.visible = spec.visible;
  record_describe(rec_, *opt_);
  rec_.rows.reserve(static_cast<size_t>(std::min<int64_t>(budget, 1 << 20) + 1));

  StepRow r0;
  r0.loss = engine_->clean_loss();
  loss0_ = r0.loss;
  const Eigen::Vector2d q = s.proj.project(s.start);
  r0.x = q[0];
  r0.y = q[1];
  rec_.rows.push_back(r0);
  done_ = budget <= 0;
  if (!std::isfinite(loss0_)) {
    rec_.diverged = true;
    rec_.diverged_step = 0;
    rec_.diverge_reason = "loss at the start is not finite";
    done_ = true;
  }
  if (done_) rec_.final_x.assign(s.start.data(), s.start.data() + s.start.size());
}

void RunStepper::fill_alpha(StepRow& row, const Optimizer& o) const {
  const int64_t d = engine_->dim();
  if (!engine_->alpha_valid()) {
    auto it = o.hyper().find("lr");
    if (it == o.hyper().end()) return;
    row.alpha_x = row.alpha_y = row.alpha_min = row.alpha_q25 = row.alpha_median = row.alpha_q75 = row.alpha_max = it->second;
    return;
  }
  const Eigen::VectorXd& a = engine_->last_alpha();
  const Projection& p = scene_.proj;
  const int i0 = p.kind == Projection::Coords ? p.c0 : 0, i1 = p.kind == Projection::Coords ? p.c1 : 1;
  row.alpha_x = a[i0];
  row.alpha_y = a[i1];
  double q[5];
  if (d >= 8 && (a.array() == a[0]).all()) {  // one step size for all (plain ZO-SGD): no copy, no selection
    quartiles_constant(a[0], static_cast<size_t>(d), q);
  } else {
    scratch_.assign(a.data(), a.data() + d);
    quartiles_select(scratch_, q);
  }
  row.alpha_min = q[0];
  row.alpha_q25 = q[1];
  row.alpha_median = q[2];
  row.alpha_q75 = q[3];
  row.alpha_max = q[4];
}

void RunStepper::before_step(int64_t) {
  prev_ = engine_->x();
  grad_.resize(prev_.size());
  f_.gradient(prev_.data(), grad_.data());
}

void RunStepper::fill_row(const StepInfo&, StepRow& row) {
  const VecEngine& e = *engine_;
  row.loss = e.clean_loss();
  const Eigen::VectorXd& x = e.x();
  const double un = (x - prev_).norm();
  row.update_norm = un;
  const double gn = grad_.norm();
  if (un > 0 && gn > 0) row.cos_grad = -(x - prev_).dot(grad_) / (un * gn);
  const Eigen::Vector2d q = scene_.proj.project(x);
  row.x = q[0];
  row.y = q[1];
  int probes = 0;
  for (int i = 0; i < e.evals_this_step() && probes < 2; ++i) {
    const Eigen::VectorXd& pt = e.eval_point(i);
    if (pt == prev_) continue;
    const Eigen::Vector2d pq = scene_.proj.project(pt);
    (probes == 0 ? row.probe_plus_x : row.probe_minus_x) = pq[0];
    (probes == 0 ? row.probe_plus_y : row.probe_minus_y) = pq[1];
    ++probes;
  }
  fill_alpha(row, *opt_);
}

bool RunStepper::step() {
  if (done_) return false;
  if (stepper_->exhausted()) {
    done_ = true;
    rec_.final_x.assign(engine_->x().data(), engine_->x().data() + engine_->dim());
    return false;
  }
  StepRow row;
  stepper_->step(row, *this);
  const Eigen::VectorXd& x = engine_->x();

  // Divergence: stop this run and mark it; the others go on.
  std::string why;
  if (!x.allFinite()) why = "parameters are not finite";
  else if (!std::isfinite(row.loss)) why = "loss is not finite";
  else if (std::fabs(row.loss) > 1e12 * (1.0 + std::fabs(loss0_))) why = "loss blew up to " + fmt_double(row.loss);
  rec_.rows.push_back(row);
  if (!why.empty()) {
    rec_.diverged = true;
    rec_.diverged_step = row.step;
    rec_.diverge_reason = why;
    done_ = true;
  }
  if (exp_.max_steps > 0 && stepper_->exhausted()) done_ = true;
  if (done_) rec_.final_x.assign(x.data(), x.data() + x.size());
  return !done_;
}

RunRecord run_single(const Experiment& e, const Scene& s, int run_index) {
  const std::unique_ptr<Landscape> own = s.landscape->clone();
  RunStepper st(e, s, run_index, own.get());
  while (st.step()) {
  }
  return st.take();
}

void parallel_for(int n, int threads, const std::function<void(int)>& job) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, n);
  if (threads <= 1) {
    for (int i = 0; i < n; ++i) job(i);
    return;
  }
  std::atomic<int> next{0};
  std::exception_ptr err;
  std::mutex err_mu;
  auto worker = [&] {
    for (int i; (i = next.fetch_add(1)) < n;) {
      try {
        job(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(err_mu);
        if (!err) err = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int k = 1; k < threads; ++k) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (err) std::rethrow_exception(err);
}

std::vector<RunRecord> run_experiment(const Experiment& e, const Scene& s, int threads, const RunProgress& p) {
  const int n = static_cast<int>(e.runs.size());
  std::vector<RunRecord> out(static_cast<size_t>(n));
  std::atomic<int> done{0};
  parallel_for(n, threads, [&](int i) {
    const std::unique_ptr<Landscape> own = s.landscape->clone();
    RunStepper st(e, s, i, own.get());
    while (st.step())
      if (p.cancel && p.cancel->load(std::memory_order_relaxed)) break;
    out[static_cast<size_t>(i)] = st.take();
    const int k = ++done;
    if (p.on_run_done) p.on_run_done(k, n);
  });
  return out;
}

namespace {
// Rows [j0, j1) of the grid of `s` evaluated with landscape `f` (each worker owns a clone).
void grid_fill_rows(const Scene& s, const Landscape& f, Grid& g, int j0, int j1) {
  Eigen::VectorXd x = s.proj.origin.size() == f.dim() ? s.proj.origin : Eigen::VectorXd::Zero(f.dim());
  const double dx = (g.domain[1] - g.domain[0]) / std::max(1, g.nx - 1);
  for (int j = j0; j < j1; ++j) {
    const double v = g.domain[2] + (g.domain[3] - g.domain[2]) * j / std::max(1, g.ny - 1);
    float* row = &g.v[static_cast<size_t>(j) * static_cast<size_t>(g.nx)];
    if (s.proj.kind == Projection::Identity) {
      f.value_row_2d(v, g.domain[0], dx, g.nx, row);
      continue;
    }
    for (int i = 0; i < g.nx; ++i) {
      s.proj.lift(g.domain[0] + i * dx, v, x);
      row[i] = static_cast<float>(f.value(x.data()));
    }
  }
}

Grid grid_empty(const Scene& s, int nx, int ny) {
  Grid g;
  g.nx = nx;
  g.ny = ny;
  std::copy(s.domain, s.domain + 4, g.domain);
  g.v.resize(static_cast<size_t>(nx) * static_cast<size_t>(ny));
  return g;
}
}  // namespace

Grid grid_compute(const Scene& s, int nx, int ny, int threads) {
  return grid_compute(s, {s.domain[0], s.domain[1], s.domain[2], s.domain[3]}, nx, ny, threads);
}

Grid grid_compute(const Scene& s, const std::array<double, 4>& domain, int nx, int ny, int threads) {
  Grid g = grid_empty(s, nx, ny);
  std::copy(domain.begin(), domain.end(), g.domain);
  const int chunks = std::min(ny, 16);
  parallel_for(chunks, threads, [&](int c) {
    const std::unique_ptr<Landscape> f = s.landscape->clone();
    grid_fill_rows(s, *f, g, c * ny / chunks, (c + 1) * ny / chunks);
  });
  return g;
}

SceneResult scene_compute(const Experiment& e, const Scene& s, int nx, int ny, int threads,
                          const std::atomic<bool>* cancel) {
  SceneResult res;
  const int nruns = static_cast<int>(e.runs.size());
  res.runs.resize(static_cast<size_t>(nruns));
  res.grid = grid_empty(s, nx, ny);
  // Jobs: runs by decreasing cost estimate (FP budget x window length), then grid bands.
  std::vector<std::pair<double, int>> order;
  for (int i = 0; i < nruns; ++i) {
    const auto& hp = e.runs[static_cast<size_t>(i)].hp;
    auto h = hp.find("h");
    order.push_back({(e.runs[static_cast<size_t>(i)].optimizer == "adamezo" ? 2.0 + (h == hp.end() ? 20 : h->second) / 10 : 1.0), i});
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  const int bands = std::min(ny, 8);
  parallel_for(nruns + bands, threads, [&](int job) {
    if (job < nruns) {
      const int i = order[static_cast<size_t>(job)].second;
      const std::unique_ptr<Landscape> own = s.landscape->clone();
      RunStepper st(e, s, i, own.get());
      while (st.step())
        if (cancel && cancel->load(std::memory_order_relaxed)) break;
      res.runs[static_cast<size_t>(i)] = st.take();
      return;
    }
    const int band = job - nruns;
    const std::unique_ptr<Landscape> f = s.landscape->clone();
    grid_fill_rows(s, *f, res.grid, band * ny / bands, (band + 1) * ny / bands);
  });
  return res;
}

Figure figure_make_filled(const Experiment& e, const Scene& s, const std::vector<RunRecord>& runs, int w, int h,
                          int threads, const ColourScale* scale, const FigureOptions& opt) {
  const auto make = [&](const Grid& g) {
    Figure fig = figure_make(e, s, g, runs);
    if (scale) {
      fig.fixed_scale = true;
      fig.scale = *scale;
    }
    return fig;
  };
  // The layout (where the legend goes, the tick labels' widths) depends on the domain
  // and the colour range: a coarse grid over the scene's domain finds it, the domain is
  // widened to the room it leaves as the app's view does (figure_plan with fill).
  const int coarse = std::min(e.view.grid, 64);
  const std::array<double, 4> d0 = {s.domain[0], s.domain[1], s.domain[2], s.domain[3]};
  FigureOptions o = opt;
  o.fill = true;
  const FigurePlan pl = figure_plan(make(grid_compute(s, d0, coarse, coarse, threads)), w, h, o);
  const std::array<double, 4>& d = pl.domain;
  Figure fig = make(grid_compute(s, d, e.view.grid, e.view.grid, threads));
  fig.legend_at = pl.legend_at;  // where the domain was widened for it
  return fig;
}

Figure figure_make(const Experiment& e, const Scene& s, const Grid& g, const std::vector<RunRecord>& runs) {
  Figure fig = figure_frame(e, s, runs);
  std::copy(g.domain, g.domain + 4, fig.domain);
  fig.grid_nx = g.nx;
  fig.grid_ny = g.ny;
  fig.grid = g.v;
  return fig;
}

Figure figure_frame(const Experiment& e, const Scene& s, const std::vector<RunRecord>& runs, const std::vector<int>& last_rows,
                    bool styled) {
  Figure fig;
  const LandscapeInfo& info = s.landscape->info();
  fig.title = !e.export_style.title.empty() ? e.export_style.title : (!e.name.empty() ? e.name : info.display);
  switch (s.proj.kind) {
    case Projection::Identity: fig.xlabel = "x"; fig.ylabel = "y"; break;
    case Projection::Coords:
      fig.xlabel = "x[" + std::to_string(s.proj.c0) + "]";
      fig.ylabel = "x[" + std::to_string(s.proj.c1) + "]";
      break;
    case Projection::Plane: fig.xlabel = "u (plane through the start)"; fig.ylabel = "v"; break;
  }
  std::copy(s.domain, s.domain + 4, fig.domain);
  fig.log_colour = s.log_colour;
  fig.colormap = e.view.colormap;
  fig.contour_levels = e.view.contours;
  for (const auto& m : s.minima) fig.minima.push_back({m[0], m[1]});
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunRecord& r = runs[i];
    const RunSpec* spec = styled && i < e.runs.size() ? &e.runs[i] : nullptr;
    if (!(spec ? spec->visible : r.visible)) continue;
    const long last = last_rows.empty() ? static_cast<long>(r.rows.size()) - 1
                      : i < last_rows.size() ? std::min<long>(last_rows[i], static_cast<long>(r.rows.size()) - 1)
                                             : -1;
    if (!last_rows.empty() && last < 0) continue;
    FigureRun fr;
    fr.label = spec ? spec->label : r.label;
    fr.rgb = spec ? spec->colour : r.colour;
    fr.legend_extra = r.legend;
    fr.diverged = r.diverged && last + 1 == static_cast<long>(r.rows.size());
    fr.xs.reserve(static_cast<size_t>(last + 1));
    fr.ys.reserve(static_cast<size_t>(last + 1));
    for (long k = 0; k <= last; ++k) {
      fr.xs.push_back(r.rows[static_cast<size_t>(k)].x);
      fr.ys.push_back(r.rows[static_cast<size_t>(k)].y);
    }
    if (e.view.show_probes && last >= 0) {
      // The probes of the step that led to the last row, drawn out from where it started.
      const StepRow& row = r.rows[static_cast<size_t>(last)];
      if (std::isfinite(row.probe_plus_x)) fr.probes.push_back({row.probe_plus_x, row.probe_plus_y});
      if (std::isfinite(row.probe_minus_x)) fr.probes.push_back({row.probe_minus_x, row.probe_minus_y});
      if (last > 0 && !fr.probes.empty()) {
        const StepRow& prev = r.rows[static_cast<size_t>(last - 1)];
        fr.has_probe_from = std::isfinite(prev.x) && std::isfinite(prev.y);
        fr.probe_from = {prev.x, prev.y};
      }
    }
    fig.runs.push_back(std::move(fr));
  }
  fig.stamp = std::string("zoscope ") + ZOSCOPE_VERSION + " | exp " + experiment_hash(e) + " | seed " + std::to_string(e.seed);
  return fig;
}

}  // namespace zs
