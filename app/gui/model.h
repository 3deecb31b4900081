// The app's state as plain data, so panels edit it directly and tests can drive and read
// it: the experiment being edited, playback, view and plot options, panel visibility.
// Results (grid, runs) live in Results (recompute.h); GL objects in the App.
#pragma once
#include <string>
#include <vector>
#include "app/gui/landscape_gl.h"
#include "core/io/experiment.h"

namespace zs::gui {

struct Playback {
  bool playing = false;
  double cursor = 0;   // in budget units: steps, or forward passes when the budget is in FP
  double speed = 400;  // budget units per second of playback
};

struct PlotOptions {
  bool x_fp = false;        // x axis in forward passes instead of steps
  float smoothing = 0.9f;   // EMA weight of the past (0: raw)
  bool log_y = true;
  bool alpha_ratio = false; // 2-D step sizes: alpha_x / alpha_y instead of both
};

struct UiOptions {
  bool view_3d = false;
  bool tiled = true;         // panels follow the window; false: free windows (imgui.ini)
  float sidebar_w = 0;       // tiled layout: left and plots column widths (0: proportional)
  float plots_w = 0;
  bool show_export = false, show_help = false, show_open = false, show_save = false;
  bool show_legend = true;
  float surface_height = 0.7f;
  OrbitCamera camera;
  std::string export_dir = "out/export";
  int export_w = 3840, export_h = 2160;
};

// Transient interaction state of the views (not saved).
struct ViewInteraction {
  bool dragging_start = false;
  double press_x = 0, press_y = 0;  // world point under the mouse at the press
  std::vector<double> start0;       // start at the press
  int tab_shown = -1;               // view tab drawn last frame (0: 2-D, 1: 3-D)
};

struct Model {
  Experiment exp;
  std::string exp_path;          // file the experiment was loaded from or saved to ("" for presets)
  std::string expression_edit;   // the expression field; committed to exp only when it parses
  std::string expression_error;
  Playback play;
  PlotOptions plots;
  UiOptions ui;
  ViewInteraction vi;
};

}  // namespace zs::gui
