// The app's panels, one file each (Tracy's layout): every DrawXxx draws one window (or,
// for the views, the content of the View window's tab) and edits the model through App.
#pragma once
#include <imgui.h>
#include <array>
#include <cmath>
#include <ctime>
#include <string>
#include <utility>
#include <vector>
#include "core/export/figure.h"
#include "core/export/line_chart.h"
#include "core/io/experiment.h"
#include "core/run/sweep.h"

namespace zs::gui {

class App;
namespace plot {
struct PlotState;
}

void DrawMainMenu(App& app);        // panel_menu.cpp (menu bar, dialogs, status bar)
void DrawStatusBar(App& app);       // panel_menu.cpp
void DrawDialogs(App& app);         // panel_menu.cpp (open, save as, help, quit with unsaved changes)
std::string window_title(const App& app);  // panel_menu.cpp
void DrawScenePanel(App& app);      // panel_scene.cpp
void DrawRunsPanel(App& app);       // panel_runs.cpp
// What the Runs panel says under run i while it has no rows: "computing..." (a landscape);
// a language model's "waiting for the model" while it loads, "not started: model failed to
// load" after it failed to.
std::string run_pending_text(const App& app, int i);
// What a run's "2P + 320B, 1 FP + 1 BP/step" (legends, Runs panel) means, with the scene's
// parameter count: the tooltip of those texts (panel_runs.cpp).
std::string legend_notation_help(const App& app);
void DrawPlaybackPanel(App& app);   // panel_playback.cpp
void DrawViewWindow(App& app);      // panel_view.cpp: tabs for the two views below
void DrawLandscapeView(App& app);   // view_landscape.cpp
void DrawSurfaceView(App& app);     // view_surface.cpp
// The 3-D view's axis tick labels as last drawn (axis 'x', 'y' or 'f'; value; label
// centre on screen), for tests.
struct SurfaceAxisTick {
  char axis;
  double value;
  ImVec2 at;
  std::string label;
};
const std::vector<SurfaceAxisTick>& surface_axis_ticks();
// The 3-D view's caption naming its axes where they are more than x, y and f (a language
// model's plane: "x: random direction 1 (filter-normalised)   y: ...   f: loss"); "" otherwise.
const std::string& surface_axis_caption();
// The landscape view's hover read-out drawn last frame ("(x, y)  f = v"); "" when none was,
// as over the placeholder shown before the view has a grid (view_landscape.cpp).
const std::string& view_hover_readout();
void DrawPlotsPanel(App& app);      // panel_plots.cpp
// State of a plot of the Plots panel ("loss", "alpha", "cos", "path"), for tests; null if unknown.
const plot::PlotState* plots_panel_state(const char* id);
// The series the Plots panel drew last for the legend entry `label` (a followed run's is
// "<label> (followed)"): what "x", "loss", "dev_x", "dev", "q50" (median step size) or
// "path"; null when there is no such entry (tests).
// The Plots panel's four plots (loss, step size, cosine or dev metric, path length) as
// core charts, built from the current results and options exactly as the panel builds the
// ones it draws, without the runs switched off in its legend: what export_plots writes.
std::array<LineChart, 4> plots_panel_charts(const App& app);
// The same four charts as panels of the multi-panel export (App::export_figure with charts).
std::vector<LineChart> plots_panel_figure_charts(const App& app);
const std::vector<double>* plots_panel_series(const std::string& label, const std::string& what);
void DrawExportPanel(App& app);     // panel_export.cpp
// File > Open sweep or comparison... (panel_sweep.cpp): a `zoscope-cli sweep --out`
// folder's figures (rendered by core from sweep.csv and experiment.json) and table, or a
// `zoscope-cli finetune --seeds` folder's figure (compare.png) and tables (table.txt, and
// lr_sweep.txt after --lr-factors), in a window of its own.
struct SweepView {
  std::string kind = "sweep";  // or "comparison" (then result and base are empty)
  std::string dir;
  SweepResult result;
  Experiment base;                         // experiment.json, or a default named after the folder
  std::vector<std::string> titles;         // one per figure
  std::vector<Image> figures;              // as the CLI's sweep.png (and sweep_fp.png)
  std::vector<std::vector<std::string>> table;  // sweep_table_rows; a comparison's text tables split into columns
};
SweepView sweep_view_load(const std::string& dir, int w, int h);  // zs::Error for a bad folder
bool is_comparison_dir(const std::string& dir);  // compare.png and table.txt, no sweep.csv
bool open_sweep(App& app, const std::string& dir, std::string* error = nullptr);  // one status line on failure
const SweepView* open_sweep_view(const App& app);  // the window's sweep; null while closed
void DrawSweepWindow(App& app);
// File > Run sweep... (panel_sweep.cpp): the current landscape experiment over one or two
// hyperparameters x seeds, as `zoscope-cli sweep` runs it, on a background thread (one core
// left to the UI); when it completes, its folder is written (sweep_write_dir) and opened in
// the sweep window; cancelled, nothing is written. The dialog builds the request from the
// runs' hyperparameter declarations.
struct SweepRequest {
  std::vector<SweepParam> params;
  int seeds = 1;
  double target = NAN;  // NaN: the experiment's own target loss
  std::string dir;      // the folder to write
};
// Starts it; false and one line (status line and `error`) when the request is refused (a
// parameter no run declares or a value out of its range, the experiment over the limits,
// a sweep already running, a language-model scene).
bool run_sweep(App& app, const SweepRequest& req, std::string* error = nullptr);
bool sweep_running(const App& app);
void cancel_sweep(App& app);
// The jobs (cells x seeds) done and in all, of the sweep running or last run.
std::pair<int, int> sweep_progress(const App& app);
// The `zoscope-cli sweep` command that runs the same sweep (EXPERIMENT: the experiment's
// file, or "EXPERIMENT.json" when it has none).
std::string sweep_command(const App& app, const SweepRequest& req);
void OpenRunSweepDialog(App& app);
void DrawRunSweepDialog(App& app);  // polls the job too; DrawSweepWindow calls it
// File > Compare over seeds... (panel_compare.cpp; language-model scenes): the scene's runs
// repeated over seeds, and optionally over learning-rate factors, by `zoscope-cli finetune
// SPEC --out DIR --seeds N [--target T] [--lr-factors ...]` started as a child process of
// the app (its own process group; it dies with the app, and `--resume` continues it). The
// seed being trained is followed live (File > Follow run directory's machinery); when the
// command finishes, DIR's figure and tables open in the sweep window.
struct CompareRequest {
  int seeds = 3;
  double target = NAN;                  // NaN: no forward-passes-to-target column
  std::string metric = "dev_accuracy";  // or "train_loss"
  std::vector<double> lr_factors;       // empty: no learning-rate sweep
  std::string dir;
  std::string form_error;               // the dialog's typed text did not read (refused)
};
// Starts it; false and one line when refused (not a language-model scene, an app without
// LibTorch, one already running, a folder that holds a comparison, the CLI not found).
bool run_compare(App& app, const CompareRequest& req, std::string* error = nullptr);
bool compare_running(const App& app);
void cancel_compare(App& app);  // kills the command's process group; the folder resumes
// The command's arguments (argv[0]: the zoscope-cli found: $ZOSCOPE_CLI, beside the app, or
// on PATH) and its last line of output so far.
std::vector<std::string> compare_command(const CompareRequest& req);
std::string compare_progress(const App& app);
void OpenCompareDialog(App& app);
void DrawCompare(App& app);  // every frame: polls the command and draws the dialog
// The four plots (loss, step size, cosine, path length) of the visible runs as figures
// through core's exporter: STEM-loss.png/.svg etc. at w x h; returns the files written.
int export_plots(App& app, const std::string& stem, int w, int h);
// "<dir>/<experiment>-<YYYYmmdd-HHMMSS>-<what>" (plus "-2", "-3", ... while a file with
// one of `exts` appended exists): export names never overwrite earlier ones.
std::string export_path(const App& app, const std::string& dir, const std::string& what, const std::vector<std::string>& exts,
                        std::time_t when);

// Window placement of the tiled layout (layout.cpp); no-op in the free layout.
enum class PanelId { Scene, Runs, Playback, View, Plots, Export };
void layout_place(App& app, PanelId id);
// Window flags of a panel in the current layout.
int layout_flags(const App& app, PanelId id);
// After Begin(): lets a user resize the tiled columns by their edges.
void layout_track(App& app, PanelId id);

}  // namespace zs::gui
