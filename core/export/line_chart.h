// A line chart (median lines with min..max bands, faint raw envelopes, log, symlog or
// linear axes, legend) drawn once against the exporter's Canvas and rendered as PNG or
// SVG, like the trajectory figure. Its layout (limits, scale, ticks, clip notes, legend)
// is core's plot layout (plot_layout.h), the same as the live Plots panel's: the GUI
// describes its four plots as LineCharts and draws them live, and exports the same
// charts. Also used for sweep figures (final loss vs the swept value, one line per run).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>
#include "core/export/figure.h"
#include "core/export/plot_layout.h"

namespace zs {

class Canvas;

struct ChartSeries {
  std::string label;
  uint32_t rgb = 0x1f77b4;
  std::vector<double> xs, ys;      // the line (median); non-finite or, on log y, <= 0: a gap
  std::vector<double> lo, hi;      // optional band, same length as xs (non-finite: none there)
  std::vector<double> marks;       // x values marked "diverged" (a cross at the top edge)
  bool dots = true;                // a dot at every point (sweeps); off for long curves
  // Raw data drawn faintly as its per-pixel-column min..max (under the smoothed line of
  // the same label; not a legend entry of its own).
  bool envelope = false;
  double alpha = 1;                // opacity of the line, band or envelope
  double width = 2;                // line width in pixels of a 1000-pixel-high figure
  bool in_legend = true;           // false: drawn and autoscaled under its label, not listed
};

struct LineChart {
  std::string title, xlabel, ylabel, stamp;
  std::string title_tip;           // the title in full where `title` is shortened (the live plot's hover)
  bool x_log = false, y_log = false;
  bool y_symlog = false;           // with y_log: symmetric log, linear within +-y_linthresh
  double y_linthresh = 1;
  bool y_fixed = false;            // y limits are y_range (not autoscaled)
  AxisRange y_range;
  std::vector<double> y_ticks;     // fixed y ticks (empty: the layout's)
  std::vector<std::string> notes;  // shown under the title, before the autoscale's notes
  double max_decades = 30;         // log y spans at most this many decades
  bool clip_outliers = true;       // a diverged series (>= 3 series) is clipped and named
  double x_pad = 0;                // x limits widened by this fraction of the span
  AxisRange x_span{NAN, NAN};      // x limits cover at least this (plot_x_cover; NaN: the data's)
  double style_scale = 0;          // text and line scale; 0: from the size, 1.6 x min(w / 1600, h / 1000)
  std::vector<ChartSeries> series;
};

// The layout the chart is drawn with (what the live plot of the same series shows).
PlotLayout chart_layout(const LineChart& c);

// Throw zs::Error for a size outside [16, 16384] or a series whose vectors disagree.
Image chart_render_image(const LineChart& c, int w, int h);
// The chart drawn on any canvas at w x h (what both renderings draw; multi-panel figures).
void chart_draw(Canvas& cv, const LineChart& c, int w, int h);
std::string chart_render_svg(const LineChart& c, int w, int h);

}  // namespace zs
