// The files of a finished experiment run, shared by the CLI (`run`, `render`) and the GUI
// (export): experiment.json, runs.csv, runs.jsonl, summary.json, figure.png, figure.svg.
// Every write is atomic.
#pragma once
#include <string>
#include <vector>
#include "core/io/experiment.h"
#include "core/run/record.h"

namespace zs {

struct RunDirOptions {
  int width = 0, height = 0;   // 0: the experiment's export size
  bool png = true, svg = true;
  int threads = 0;
};

// Writes everything into `dir` (created if needed); returns the paths written.
std::vector<std::string> run_dir_write(const std::string& dir, const Experiment& e, const std::vector<RunRecord>& runs,
                                       const RunDirOptions& o = {});
// Summary as JSON text (final/min loss, FP used, FP to target, divergence, memory).
std::string runs_summary_json(const Experiment& e, const std::vector<RunRecord>& runs);

struct RunDir {
  Experiment experiment;
  std::vector<RunRecord> runs;  // rows and labels from runs.csv; colours etc. from the experiment
};
RunDir run_dir_read(const std::string& dir);

// Re-renders a run directory's figure to PNG and/or SVG (empty path: skip).
void run_dir_render(const RunDir& rd, const std::string& png_path, const std::string& svg_path, int width, int height,
                    int threads = 0);

}  // namespace zs
