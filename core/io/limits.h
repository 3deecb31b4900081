// Limits checked before work starts (`run`, `sweep`, `render`, and the GUI's jobs): an
// experiment's run rows, its landscape grid and its figure are estimated against the
// memory this process may use and a stated time, and refused with one line carrying the
// numbers. The constants are measured (docs/design-notes.md, "Limits before work").
#pragma once
#include <cstdint>
#include <string>
#include "core/io/experiment.h"

namespace zs {

struct ExperimentCost {
  double rows = 0;            // step rows over all runs (start rows included)
  double row_bytes = 0;       // rows held in memory plus their CSV/JSONL text at write time
  double grid_points = 0;     // view.grid^2
  double grid_seconds = 0;    // one-thread estimate of the landscape grid
  double step_seconds = 0;    // one-thread estimate of all runs' steps
  double figure_bytes = 0;    // raster figure of width x height (0: none)
};

// Bytes of one step row in memory (StepRow, vector growth) and in the CSV + JSONL text
// written at the end: measured 560 B/row held (200k Rosenbrock MeZO steps), ~900 B/row text.
constexpr double kRowBytesHeld = 600, kRowBytesText = 900;
// One landscape coordinate evaluation (a grid point of an N-D family costs about dim of
// them): ~2 ns measured (quadratic_nd, dim 1000, grid 512: 0.5 s on one core).
constexpr double kSecondsPerCoordinate = 2e-9;
// Fixed cost of one recorded optimizer step (2-D Rosenbrock MeZO: 27 us/step measured).
constexpr double kSecondsPerStep = 30e-6;
// Raster figure: image, colour grid and antialiasing buffers, ~9 B/pixel (16384^2: 2.4 GB).
constexpr double kFigureBytesPerPixel = 9;
// The stated time limit for the work of one command on one core (10 minutes).
constexpr double kTimeLimitSeconds = 600;

ExperimentCost experiment_cost(const Experiment& e, int figure_width, int figure_height);
// zs::Error("<file>: <field>: ...") when the rows or the figure exceed `available` bytes
// (< 0: available_memory_bytes()) or the grid and steps exceed `time_limit_s`.
void experiment_check_limits(const Experiment& e, int figure_width, int figure_height, double available = -1,
                             double time_limit_s = kTimeLimitSeconds);

// A sweep: `jobs` runs of the whole experiment (grid cells x seeds) holding `cells` result
// cells of `seeds` values each, against the same time limit and memory; zs::Error naming
// `what` (the command-line flags) with the numbers otherwise.
void sweep_check_limits(const Experiment& e, double jobs, double cells, int seeds, const std::string& what,
                        double available = -1, double time_limit_s = kTimeLimitSeconds);

}  // namespace zs
