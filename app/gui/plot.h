// A small immediate-mode plotting module on ImDrawList (ImPlot is not packaged in Debian):
// linear and log axes with nice ticks (core/export/ticks.h), line series with per-pixel
// min/max decimation, shaded bands, a legend whose entries toggle series, a hover read-out,
// autoscale, wheel zoom, drag pan, right-drag box zoom and double-click reset.
//
//   if (plot::begin("loss", state, size, "Loss", "step", "loss", false, true)) {
//     plot::line("MeZO", colour, xs, ys, n);
//     plot::end();
//   }
#pragma once
#include <imgui.h>
#include <set>
#include <string>

namespace zs::gui::plot {

struct Range {
  double lo = 0, hi = 1;
};

// Per-plot state kept by the caller across frames.
struct PlotState {
  Range x, y;                    // limits shown (autoscaled unless the user zoomed or panned)
  bool auto_fit = true;
  std::set<std::string> hidden;  // legend entries switched off
  bool legend_on_hover = false;  // legend only while the mouse is over the plot
  bool y_fixed = false;          // autoscale x only; y stays at `y` (e.g. cosines in [-1, 1])
  // Internal: data extents of the last frame (autoscale) and the box zoom in progress.
  Range data_x, data_y;
  bool has_data = false;
  bool boxing = false;
  ImVec2 box_start{0, 0};
};

// Starts a plot of `size` (0: the available width / height). Always pair with end().
bool begin(const char* id, PlotState& st, ImVec2 size, const char* title, const char* x_label, bool x_log, bool y_log);
// A line; points with non-finite (or, on log axes, non-positive) coordinates break it.
// `xs` ascending makes the hover read-out exact (binary search).
void line(const char* label, ImU32 colour, const double* xs, const double* ys, int n, float thickness = 1.6f,
          bool in_legend = true);
// A shaded band between `lo` and `hi`.
void band(const char* label, ImU32 colour, const double* xs, const double* lo, const double* hi, int n);
// A vertical marker (the playback cursor).
void vline(double x, ImU32 colour);
void end();

// Data-to-pixel mapping of the plot in progress, for tests and custom overlays.
ImVec2 to_screen(double x, double y);

}  // namespace zs::gui::plot
