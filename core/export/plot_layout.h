// The layout decisions of a 2-D data plot, made in one place for the live Plots panel
// (app/gui/plot.cpp, ImGui) and the exported plot figures (line_chart.cpp, Canvas): the
// axis scale (linear, log10, symlog), the robust autoscale (a diverged series is clipped
// and named in a note), the limits shown and the ticks. Both feed their series through
// PlotPools in the same order and call plot_autoscale / plot_y_limits / plot_ticks, so
// an exported plot has the range, scale, ticks, notes and legend of the plot on screen.
#pragma once
#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace zs {

// Log axes stay within normal doubles: 10^-307 .. 10^307 (a denormal loss such as 1e-323
// has a finite log10, but padding below it would underflow to 0).
constexpr double kAxisLogLimit = 307;

// An axis: linear, log10, or symmetric log (sign(v) log10(1 + |v| / c), linear within
// +-c, so values <= 0 stay on the plot).
struct AxisScale {
  bool log = false, sym = false;
  double c = 1;
};
double axis_fwd(double v, const AxisScale& s);
double axis_inv(double u, const AxisScale& s);
bool axis_usable(double v, const AxisScale& s);

struct AxisRange {
  double lo = 0, hi = 1;
};
// Valid limits: ordered, non-empty, positive and within normal doubles on log axes.
AxisRange axis_sane(AxisRange r, const AxisScale& s);
// `r` widened by `frac` of its span (in axis space) on both sides.
AxisRange axis_padded(AxisRange r, const AxisScale& s, double frac);

// Every usable point of one legend entry (its line, raw envelope and band alike), in axis
// space (x, fwd(y)), for the autoscale.
struct PlotPool {
  std::string label;
  uint32_t colour = 0;
  std::vector<std::pair<double, double>> pts;
  int64_t nonpos = 0;       // values <= 0 on a log axis (not drawn), most in one call
  int64_t nonpos_call = 0;  // ... in the line / envelope / band call in progress
  bool seen_finite = false;
  double tail_x = NAN;      // x where a non-finite tail starts (a diverged run), else NaN
};

// The pools of one plot, filled call by call (a line, an envelope or a band of an entry
// is one call: begin, take every point, end).
struct PlotPools {
  AxisScale sx, sy;
  std::vector<PlotPool> pools;
  AxisRange dx{1e300, -1e300};  // x extent of the usable points
  PlotPool& begin(const std::string& label, uint32_t colour);
  // Records a point; true when it can be drawn.
  bool take(PlotPool& p, double x, double y);
  void end(PlotPool& p) { p.nonpos = std::max(p.nonpos, p.nonpos_call); }
};

// What the autoscale decided from the pools: data extents (y not yet padded), the series
// clipped at the top, the notes saying what was clipped or not shown, and where clipped
// series leave the plot (x, colour).
struct PlotAutoscale {
  AxisRange x, y;
  bool scaled = false;    // x and y were set (some series has usable points)
  bool has_data = false;
  std::set<std::string> clipped;
  std::vector<std::string> auto_notes;  // what the autoscale clipped
  std::vector<std::string> notes_data;  // values a log axis cannot show, non-finite tails
  std::vector<std::pair<double, uint32_t>> clip_marks;
};
PlotAutoscale plot_autoscale(const PlotPools& pools, double max_decades = 30, bool clip = true);

// The limits an autoscaled plot shows: x the data extent, y the extent padded by 6%.
AxisRange plot_x_limits(const PlotAutoscale& a, const AxisScale& sx);
// The x extent of the data (`has_data`: there is some), widened to cover `span` where its
// ends are usable on the axis (NaN: no span): plots stacked over one x axis share the
// span (step 0 to the furthest run) and line up whatever x their own series start at
// (a dev metric's first evaluation). False when there is neither.
bool plot_x_cover(AxisRange& out, const AxisRange& data, bool has_data, const AxisRange& span, const AxisScale& sx);
AxisRange plot_y_limits(const PlotAutoscale& a, const AxisScale& sy);

// Tick values for limits [lo, hi]: a function of the limits and the scale only (not of
// the pixel size), so a figure at any size has the plot's ticks. `fixed` (non-empty):
// those inside the limits.
std::vector<double> plot_ticks(const AxisRange& r, const AxisScale& s, bool y, const std::vector<double>& fixed = {});

// The layout both drawings report (tests compare the live plot's with the export's).
struct PlotLayout {
  AxisScale sx, sy;
  AxisRange x, y;
  std::vector<double> x_ticks, y_ticks;
  std::set<std::string> clipped;
  std::vector<std::string> notes;   // caller's notes, clip notes, data notes, in that order
  std::vector<std::string> legend;  // entries in order
};

}  // namespace zs
