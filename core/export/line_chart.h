// A line chart (median lines with min..max bands, log or linear axes, legend) drawn once
// against the exporter's Canvas and rendered as PNG or SVG, like the trajectory figure.
// Used for sweep figures (final loss vs the swept value, one line per run).
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "core/export/figure.h"

namespace zs {

struct ChartSeries {
  std::string label;
  uint32_t rgb = 0x1f77b4;
  std::vector<double> xs, ys;      // the line (median); non-finite or, on log y, <= 0: a gap
  std::vector<double> lo, hi;      // optional band, same length as xs (non-finite: none there)
  std::vector<double> marks;       // x values marked "diverged" (a cross at the top edge)
  bool dots = true;                // a dot at every point (sweeps); off for long curves
};

struct LineChart {
  std::string title, xlabel, ylabel, stamp;
  bool x_log = false, y_log = false;
  std::vector<ChartSeries> series;
};

// Throw zs::Error for a size outside [16, 16384] or a series whose vectors disagree.
Image chart_render_image(const LineChart& c, int w, int h);
std::string chart_render_svg(const LineChart& c, int w, int h);

}  // namespace zs
