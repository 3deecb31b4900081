// A small immediate-mode plotting module on ImDrawList (ImPlot is not packaged in Debian):
// linear and log axes with nice ticks (core/export/ticks.h), line series with per-pixel
// min/max decimation, shaded bands, a legend whose entries toggle series, a hover read-out,
// robust autoscale (a diverged series is clipped and named on the plot, denormals and
// values <= 0 on log axes are handled and noted), symlog y, wheel zoom, drag pan,
// right-drag box zoom and double-click reset. Scales, autoscale, limits and ticks are
// core's plot layout (core/export/plot_layout.h), which the exported plots (line_chart.h)
// use too; layout_of() reports what a frame decided.
//
//   if (plot::begin("loss", state, size, "Loss", "step", "loss", false, true)) {
//     plot::line("MeZO", colour, xs, ys, n);
//     plot::end();
//   }
#pragma once
#include <imgui.h>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>
#include "core/export/plot_layout.h"

namespace zs::gui::plot {

// Limits, scales, autoscale and ticks are core's (plot_layout.h), shared with the
// exported plot figures (line_chart.h).
using Range = zs::AxisRange;

// Per-plot state kept by the caller across frames.
struct PlotState {
  Range x, y;                    // limits shown (autoscaled unless the user zoomed or panned)
  bool auto_fit = true;
  std::set<std::string> hidden;  // legend entries switched off
  bool legend_on_hover = false;  // legend only while the mouse is over the plot, even when it fits
  bool y_fixed = false;          // autoscale x only; y stays at `y` (e.g. cosines in [-1, 1])
  Range x_span{NAN, NAN};        // autoscaled x covers at least this (plot_x_cover; NaN: the data's)
  // Symmetric log y (with y_log): sign(v) log10(1 + |v| / y_linthresh), linear within
  // +-y_linthresh, so values <= 0 stay on the plot.
  bool y_symlog = false;
  double y_linthresh = 1;
  std::vector<double> y_ticks;   // fixed y ticks (empty: nice ticks)
  double max_decades = 30;       // log y autoscale spans at most this many decades
  std::vector<std::string> notes;  // caller's notes, drawn on the title row right of the title
  std::string title_tip;         // the title in full where the caller shortened it (hovering the title row shows it)
  // Autoscale results of the last frame that drew the series (read by tests and by end()):
  // series clipped at the top (diverged: their maximum lies far beyond the typical
  // series'), the one-line notes saying what was clipped or not shown, and clip markers.
  std::set<std::string> clipped;
  std::vector<std::string> auto_notes;  // what the autoscale clipped (shown while autoscaling)
  std::vector<std::string> notes_data;  // values a log axis cannot show, non-finite values
  std::vector<std::pair<double, uint32_t>> clip_marks;  // x where a clipped series leaves the top
  std::vector<double> y_ticks_drawn, x_ticks_drawn;  // ticks of the last frame
  std::vector<std::string> legend_entries;            // legend entries of the last frame, in order
  zs::AxisScale x_scale, y_scale;                     // scales of the last frame
  bool legend_shown = false;          // the legend was drawn in the last frame
  std::string title_drawn;            // the title as last drawn: ending in "..." when cut to the frame
  std::string notes_drawn;            // the notes as last drawn on the title row: ending in "..." when cut
  float notes_right = 0;              // screen x where the notes drawn last frame end ("" notes: 0)
  // Internal: data extents of the last frame (autoscale) and the box zoom in progress.
  Range data_x, data_y;
  bool has_data = false;
  bool boxing = false;
  ImVec2 box_start{0, 0};
  uint64_t layer_key = 0;              // inputs the cached series layer was drawn with
  ImTextureID layer_texture = nullptr;
};

// Rasterises a draw list covering [origin, origin + size] into a texture owned by the
// renderer (one per `owner`), returned for ImGui::Image-style drawing (row 0 at the
// bottom), with the font atlas sampled bilinearly (textured line anti-aliasing).
// Installed by the app; without one, series are drawn every frame.
class LayerRenderer {
 public:
  virtual ~LayerRenderer() = default;
  virtual ImTextureID render(const ImDrawList& dl, ImVec2 origin, ImVec2 size, const void* owner) = 0;
  // Draws the layer of `owner` (opaque) over [p0, p1] of `dl`.
  virtual void draw(ImDrawList* dl, const void* owner, ImVec2 p0, ImVec2 p1) = 0;
};
void set_layer_renderer(LayerRenderer* r);

// Starts a plot of `size` (0: the available width / height). Always pair with end().
// `data_version` identifies the series data (any change must change it); non-zero lets
// the series layer be cached between frames when a LayerRenderer is installed.
bool begin(const char* id, PlotState& st, ImVec2 size, const char* title, const char* x_label, bool x_log, bool y_log,
           uint64_t data_version = 0);
// A line; points with non-finite (or, on log axes, non-positive) coordinates break it.
// `xs` ascending makes the hover read-out exact (binary search).
// Integer thicknesses take ImGui's cheap textured anti-aliased line path.
void line(const char* label, ImU32 colour, const double* xs, const double* ys, int n, float thickness = 2.f,
          bool in_legend = true);
// Noisy raw data shown faintly: per pixel column, a bar from the minimum to the maximum
// (toggled with the legend entry `label`, not listed separately).
void envelope(const char* label, ImU32 colour, const double* xs, const double* ys, int n);
// A shaded band between `lo` and `hi`.
void band(const char* label, ImU32 colour, const double* xs, const double* lo, const double* hi, int n);
// A vertical marker (the playback cursor).
void vline(double x, ImU32 colour);
void end();

// The layout the last frame drew (limits, scales, ticks, clipped series, notes, legend):
// what an exported figure of the same series reproduces (line_chart.h).
zs::PlotLayout layout_of(const PlotState& st);

// Data-to-pixel mapping of the plot in progress, for tests and custom overlays.
ImVec2 to_screen(double x, double y);

}  // namespace zs::gui::plot
