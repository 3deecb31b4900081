// Background recomputation (Distill-style live trajectories): two latest-wins lanes on
// worker threads, one for the runs and one for the landscape grid. A newer job replaces
// the waiting one and makes the job in flight stale: a cheap stale job still completes (a
// drag keeps showing results), a long one is cancelled. Results are double-buffered:
// workers fill their own buffers and the UI thread takes them in poll(), so drawing never
// waits. Long runs (N-D, large budgets) stream:
// poll() hands out the rows computed so far. Runs whose inputs did not change since a
// recent job are served from a per-run cache instead of being recomputed.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include "core/export/colormap.h"
#include "core/io/experiment.h"
#include "core/run/record.h"
#include "core/run/runner.h"

namespace zs::gui {

// What the views draw, owned by the UI thread.
struct Results {
  std::shared_ptr<const Grid> grid;  // loss grid over grid->domain (the visible extent when asked)
  ColourScale scale;                 // ColourScale of the grid, as the exporter computes it
  uint64_t grid_serial = 0;          // bumped on every new grid (texture uploads key on it)
  std::string grid_error;

  std::vector<RunRecord> runs;       // in experiment run order
  uint64_t runs_serial = 0;          // bumped whenever runs or their rows change
  uint64_t runs_job = 0;             // job the runs came from
  bool runs_complete = false;        // false while a job streams
  double runs_ms = 0;                // wall time of the last complete job
  std::string runs_error;
  // Language models: a run restarted by a slider change keeps its earlier record here
  // (drawn faintly in the loss plot for comparison); empty records otherwise.
  std::vector<RunRecord> previous;
  // Runs followed from a folder another process writes (File > Follow run directory,
  // follow_run.h): read-only, drawn after the experiment's runs in the plots and listed
  // in the Runs panel; language models: x, y are their points on the current plane
  // (replayed from their step logs), NaN where there are none. Changes bump runs_serial.
  std::vector<RunRecord> followed;
};

class Recompute {
 public:
  explicit Recompute(int threads = 0);
  ~Recompute();
  Recompute(const Recompute&) = delete;
  Recompute& operator=(const Recompute&) = delete;

  // Runs every run of `e` to its budget. Returns the job id.
  uint64_t submit_runs(const Experiment& e);
  // Loss grid of `e`'s scene over `domain` (x0, x1, y0, y1) at n x n nodes.
  uint64_t submit_grid(const Experiment& e, const double domain[4], int n);
  // UI thread, once per frame: moves finished or streamed work into `r`; true on change.
  bool poll(Results& r);
  // True when no job is queued or running in either lane.
  bool idle() const;
  // Blocks until idle() or the timeout; true if idle.
  bool wait_idle(double timeout_s) const;
  // Runs served from the per-run cache so far (their inputs were unchanged).
  uint64_t cache_hits() const {
    std::lock_guard<std::mutex> lk(mu_);
    return cache_hits_;
  }

  // Streamed rows are handed out at most this often (seconds); a job that finishes sooner
  // replaces the displayed runs in one piece, so a slider drag never shows partial paths.
  static constexpr double kStreamInterval = 0.1;
  // A job in flight for longer than this is cancelled when a newer one arrives; a shorter
  // one finishes first (see submit_runs).
  static constexpr double kCancelAfter = 0.5;
  // Longest rest between back-to-back jobs (see runs_loop).
  static constexpr double kRest = 0.05;

 private:
  struct RunsJob {
    Experiment exp;
    uint64_t id = 0;
  };
  struct GridJob {
    Experiment exp;
    double domain[4] = {0, 0, 0, 0};
    int n = 0;
    uint64_t id = 0;
  };
  // Rows of the job in flight, filled by the workers and read by poll().
  struct Stream {
    uint64_t job = 0;
    double started = 0;              // steady seconds
    std::vector<RunRecord> runs;     // header + rows so far (worker side)
    std::vector<char> done;
    bool complete = false;
    double ms = 0;
    std::string error;
  };

  void runs_loop();
  void grid_loop();
  void run_job(RunsJob& job);

  int threads_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_, idle_cv_;
  bool stop_ = false;
  uint64_t next_id_ = 0;
  std::unique_ptr<RunsJob> runs_pending_;
  std::unique_ptr<GridJob> grid_pending_;
  bool runs_busy_ = false, grid_busy_ = false;
  std::atomic<bool> runs_cancel_{false};
  std::atomic<bool> runs_newer_{false};  // a job waits behind the one in flight
  Stream stream_;
  double last_stream_ = 0;  // UI thread only: when poll() last handed out streamed rows
  // Finished grid, waiting for poll().
  std::shared_ptr<const Grid> grid_out_;
  ColourScale scale_out_;
  std::string grid_error_;
  bool grid_ready_ = false;
  // Finished runs by their inputs (run_input_keys): a job recomputes only runs whose
  // inputs changed. The least recently used go first when a job trims it. Guarded by mu_.
  struct Cached {
    std::shared_ptr<const RunRecord> rec;
    uint64_t used = 0;  // cache_clock_ at the last hit or insertion
  };
  std::map<std::string, Cached> cache_;
  uint64_t cache_clock_ = 0;
  uint64_t cache_hits_ = 0;
  std::thread runs_thread_, grid_thread_;
};

// One key per run of `e`: everything its rows depend on (see recompute.cpp).
std::vector<std::string> run_input_keys(const Experiment& e);

double steady_seconds();

}  // namespace zs::gui
