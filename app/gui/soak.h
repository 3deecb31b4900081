// GUI soak (`zoscope --headless --soak MINUTES [--seed S] [--soak-dir DIR]`, scripts/soak.sh):
// drives the app in-process with seeded random input for a stated time -- panels, sliders
// dragged to their extremes, landscapes, optimizers added and removed, typed expressions
// (broken ones too), experiment files opened (corrupt ones too), exports, window resizes,
// playback keys, pans and zooms -- and checks that no frame leaves a GL error, that every
// failure the app reports is one line, and that resident memory, measured at the same
// canonical state at intervals, grows by less than a stated fraction after warm-up.
#pragma once
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace zs::gui {

class App;
class Platform;

struct SoakOptions {
  double seconds = 120;         // wall time of the random phase (after the warm-up tour; checkpoints included)
  uint64_t seed = 1;
  std::string dir;              // scratch folder: corrupt experiments and exports ("" : a temp folder)
  // After the warm-up tour, the first part of the run is excluded from the growth figure:
  // the app's bounded state (recompute cache, plot layers, allocator pages) keeps filling for
  // the first few thousand random actions (heap at the canonical checkpoint 170-190 MB at
  // 1-2 min, 215-235 MB at 3-4 min), then stays level (the 60-minute soak: no trend). With a
  // quarter of 4 minutes the figure compared the filling with its end (+3.7% to +5.8%).
  double warmup_fraction = 0.5;
  double max_growth = 0.05;     // resident memory growth allowed after warm-up
  std::FILE* log = nullptr;     // one line per checkpoint (null: silent)
};

struct SoakReport {
  long actions = 0, frames = 0;
  std::map<std::string, long> counts;  // actions by kind
  int gl_error_frames = 0;
  std::string last_gl_error;
  long error_lines = 0;                 // failures the app reported (status line), all one line
  std::string multi_line_error;         // the first error status that spanned several lines
  std::set<std::string> errors;         // the first distinct error lines (160 characters each)
  std::vector<double> rss_mb;           // resident memory at each checkpoint (canonical state)
  std::vector<double> rss_t;            // seconds since the start at each checkpoint
  double rss_peak_mb = 0;               // VmHWM at the end
  double rss_warm_mb = 0, rss_end_mb = 0, growth = 0;
  double seconds = 0;                   // the whole soak: tour, random phase, checkpoints
  double random_seconds = 0;            // the random phase
  std::string failure;                  // empty when every check passed
  bool ok() const { return failure.empty(); }
};

SoakReport soak_run(App& app, Platform& platform, const SoakOptions& opts);
// Multi-line summary: actions by kind, frames, GL errors, memory figures, verdict.
std::string soak_summary(const SoakReport& r);
// Resident set size (VmRSS) and its high-water mark (VmHWM) of this process, in MB.
double resident_mb();
double resident_peak_mb();

}  // namespace zs::gui
