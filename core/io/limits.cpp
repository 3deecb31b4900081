// Cost estimates and limits of an experiment (see limits.h).
#include "core/io/limits.h"
#include <cstdio>
#include "core/io/json_fields.h"
#include "core/opt/optimizer.h"
#include "core/util/error.h"
#include "core/util/memory.h"

namespace zs {

namespace {

std::string secs_text(double s) {
  char buf[48];
  if (s < 120) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 7200) std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  else if (s < 2 * 86400) std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  else std::snprintf(buf, sizeof buf, "%.3g days", s / 86400);
  return buf;
}

std::string num_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 1e7 ? "%.0f" : "%.3g", v);
  return buf;
}

}  // namespace

ExperimentCost experiment_cost(const Experiment& e, int w, int h) {
  ExperimentCost c;
  const double dim = e.landscape.dim;
  for (const RunSpec& r : e.runs) {
    const auto o = optimizer_create(r.optimizer, r.hp, "");
    const double fp = o->fp_per_step() > 0 ? o->fp_per_step() : 1;
    const double steps = e.max_steps > 0 ? static_cast<double>(e.max_steps) : static_cast<double>(e.max_fp) / fp;
    c.rows += steps + 1;
    c.step_seconds += steps * (kSecondsPerStep + fp * dim * kSecondsPerCoordinate);
  }
  c.row_bytes = c.rows * (kRowBytesHeld + kRowBytesText);
  c.grid_points = static_cast<double>(e.view.grid) * e.view.grid;
  c.grid_seconds = c.grid_points * dim * kSecondsPerCoordinate;
  c.figure_bytes = static_cast<double>(w) * h * kFigureBytesPerPixel;
  return c;
}

void experiment_check_limits(const Experiment& e, int w, int h, double available, double time_limit_s) {
  const double avail = available >= 0 ? available : available_memory_bytes();
  const ExperimentCost c = experiment_cost(e, w, h);
  const json_fields::Ctx ctx{e.source};
  const auto at = [&](const char* field) { return ctx.at(field); };
  if (c.row_bytes > avail)
    fail(at("budget"), num_text(c.rows) + " step rows over " + std::to_string(e.runs.size()) + " run(s) need about " +
                           bytes_text(c.row_bytes) + " (rows and their CSV/JSONL), more than the " + bytes_text(avail) +
                           " of memory available; lower the budget");
  if (c.figure_bytes > avail)
    fail("figure " + std::to_string(w) + "x" + std::to_string(h),
         "needs about " + bytes_text(c.figure_bytes) + ", more than the " + bytes_text(avail) +
             " of memory available; use a smaller size");
  if (c.grid_seconds > time_limit_s)
    fail(at("view.grid"), "a " + std::to_string(e.view.grid) + "x" + std::to_string(e.view.grid) + " grid of the " +
                              std::to_string(e.landscape.dim) + "-D landscape takes about " + secs_text(c.grid_seconds) +
                              " on one core (limit " + secs_text(time_limit_s) + "); lower view.grid or landscape.dim");
  if (c.step_seconds > time_limit_s)
    fail(at("budget"), num_text(c.rows) + " steps of the " + std::to_string(e.landscape.dim) + "-D landscape take about " +
                           secs_text(c.step_seconds) + " on one core (limit " + secs_text(time_limit_s) +
                           "); lower the budget or landscape.dim");
}

void sweep_check_limits(const Experiment& e, double jobs, double cells, int seeds, const std::string& what,
                        double available, double time_limit_s) {
  const double avail = available >= 0 ? available : available_memory_bytes();
  const double seconds = jobs * experiment_cost(e, 0, 0).step_seconds;
  // A result cell: SweepCell with its label and two vectors of `seeds` values (~200 B + 16 B per seed).
  const double bytes = cells * (200 + 16.0 * seeds);
  if (!(seconds <= time_limit_s) || jobs > 2e9)
    fail(what, num_text(jobs) + " runs of the experiment (grid points x seeds) take about " + secs_text(seconds) +
                   " on one core (limit " + secs_text(time_limit_s) + "); use fewer values or seeds");
  if (!(bytes <= avail))
    fail(what, num_text(cells) + " result cells need about " + bytes_text(bytes) + ", more than the " +
                   bytes_text(avail) + " of memory available; use fewer values or seeds");
}

}  // namespace zs
