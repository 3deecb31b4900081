// Hyperparameter sweeps: a grid over one or more hyperparameters (linear, log or listed
// values) times K seeds, every run of the experiment in every cell, summarised as final
// loss, forward passes to reach the target loss, and divergence counts.
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <vector>
#include "core/io/experiment.h"

namespace zs {

struct SweepParam {
  std::string selector;        // run label or index; empty: every run that declares `name`
  std::string name;
  std::vector<double> values;
  bool log_scale = false;
};

// "NAME=a:b:log:n", "NAME=a:b:lin:n" or "NAME=v1,v2,..."; NAME is "lr" or "<run>.lr".
SweepParam sweep_param_parse(const std::string& spec);
// n values from a to b, evenly spaced (in log10 when `log`, which needs a, b > 0).
std::vector<double> sweep_values(double a, double b, int n, bool log);
// The --param text that sweep_param_parse reads back into `p` (a:b:log|lin:n when the values
// are such a range to 6 significant digits, else the list).
std::string sweep_param_text(const SweepParam& p);

struct SweepCell {
  std::vector<double> values;  // one per SweepParam
  int run = 0;
  std::string label;
  std::vector<double> final_loss;     // per seed (diverged: +inf)
  std::vector<int64_t> fp_to_target;  // per seed (-1: never reached)
  int diverged = 0;
  double median_final_loss() const;
  int64_t median_fp_to_target() const;  // over seeds that reached it; -1 if none
  int reached() const;
};

struct SweepResult {
  std::vector<SweepParam> params;
  int seeds = 1;
  double target = NAN;
  std::vector<SweepCell> cells;  // combination-major, then run
};

// zs::Error (one line naming the --param) unless seeds >= 1 and every parameter has values,
// lands on a run that declares it with every value in range, and is the only one sweeping
// that hyperparameter on that run; and unless the grid x seeds fits the time and memory
// limits (core/io/limits.h). sweep_run checks this first; the app's Run sweep before starting.
void sweep_check(const Experiment& base, const std::vector<SweepParam>& params, int seeds);
// Every run of `base` in every cell, `seeds` times (seed k = base.seed + k). A set `cancel`
// skips the jobs not yet started and makes it throw zs::Error "sweep: cancelled".
SweepResult sweep_run(const Experiment& base, const std::vector<SweepParam>& params, int seeds, int threads = 0,
                      const std::function<void(int done, int total)>& progress = {},
                      const std::atomic<bool>* cancel = nullptr);
std::string sweep_table(const SweepResult& r);  // aligned text table
// The table's cells: a header row, then one row per cell (swept values, run, final loss,
// FP to target, reached, diverged), as sweep_table prints them.
std::vector<std::vector<std::string>> sweep_table_rows(const SweepResult& r);
std::string sweep_csv(const SweepResult& r);

struct LineChart;
struct HeatChart;
// The sweep's picture for one swept parameter (or more than two): final loss (median over
// seeds, min..max band) against the first swept parameter, one line per run (and per value
// of any other swept parameter), cells where the median diverged marked; colours from
// `base`'s runs.
LineChart sweep_chart(const SweepResult& r, const Experiment& base);
// For exactly two swept parameters: a heatmap per run over (first, second) of the median
// final loss or of the median FP to the target (over the seeds that reached it), cells
// whose median diverged marked; only runs that at least one of the parameters applies to
// (every run when `base` has no runs). zs::Error for another parameter count.
enum class SweepMetric { final_loss, fp_to_target };
HeatChart sweep_heat_chart(const SweepResult& r, const Experiment& base, SweepMetric m);
// Writes the sweep's figures into `dir` as PNG + SVG and returns their paths in pairs:
// sweep.png/.svg (the line chart, or for two parameters the final-loss heatmap) and, for
// two parameters with a finite target, sweep_fp.png/.svg (the FP-to-target heatmap).
std::vector<std::string> sweep_write_figures(const SweepResult& r, const Experiment& base, const std::string& dir,
                                             int w = 1600, int h = 1000);
// A sweep folder, as `zoscope-cli sweep --out DIR` and the app's File > Run sweep write it:
// sweep.csv, experiment.json (the experiment swept: names, colours and the target, for
// File > Open sweep) and the figures (sweep_write_figures). Creates `dir`; every file is
// written atomically. Returns the paths written.
std::vector<std::string> sweep_write_dir(const SweepResult& r, const Experiment& base, const std::string& dir);
// sweep.csv back into a result (the GUI's File > Open sweep): parameter columns are those
// before "run"; a column is log-spaced when its values are positive and evenly spaced in
// log10 (three or more values). zs::Error naming the file and line for a malformed file.
SweepResult sweep_csv_read(const std::string& path);

}  // namespace zs
