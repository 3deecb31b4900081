// The trajectory figure's layout as data: everything figure.cpp decides before drawing
// (plot and colour-bar boxes, domain, colour range, ticks, legend rows and box, the runs'
// clipped and decimated pixel paths), and the drawing of it against Canvas. The exporter
// (PNG, SVG) and the app's live landscape view (an ImDrawList canvas over its GL heatmap)
// both draw this one layout. Internal header.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>
#include "core/export/canvas.h"
#include "core/export/colormap.h"
#include "core/export/figure.h"

namespace zs {

namespace fig {

struct Box {
  double x = 0, y = 0, w = 0, h = 0;
  double r() const { return x + w; }
  double b() const { return y + h; }
  bool contains(double px, double py) const { return px >= x && px <= r() && py >= y && py <= b(); }
  bool operator==(const Box& o) const { return x == o.x && y == o.y && w == o.w && h == o.h; }
};

struct Theme {
  uint32_t ink, muted, frame, stamp, legend_fill, legend_edge, legend_ink, legend_muted;
  double legend_alpha;
};

struct Style {
  double title, label, tick, legend, stamp;  // font em sizes
  double pad, gap, tick_len;
  double frame_w, run_w, outline_w, contour_w, marker_r;
  double s;  // the scale these were made at
};

struct ColourTick {
  double t;           // colour coordinate
  std::string label;  // empty: a minor tick
};

struct Layout {
  int W = 0, H = 0;  // the figure's size
  Style st;
  Theme th;
  Box plot;  // integer pixels
  Box cbar;  // w == 0: no colourbar
  std::vector<double> xticks, yticks;
  std::vector<std::string> xlabels, ylabels;
  std::vector<ColourTick> cticks;
  std::string ccaption;
  Box legend;  // w > 0: room outside the plot reserved for the legend (a column right, or rows below)
  Box avail;   // the room the plot was fitted into (equal aspect leaves part of it empty)
  double title_baseline = 0, title_size = 0;
  double ytick_w = 0;  // widest y tick label
};

struct Mapping {
  double x0, x1, y0, y1;
  Box plot;
  double px(double x) const { return plot.x + (x - x0) / (x1 - x0) * plot.w; }
  double py(double y) const { return plot.b() - (y - y0) / (y1 - y0) * plot.h; }
};

struct RunGeometry {
  std::vector<Polyline> pieces;  // pixels, clipped, decimated
  bool has_ends = false;
  std::array<double, 2> first{}, last{};  // pixels
};

struct LegendEntry {
  std::string label, extra;
  bool diverged;
  uint32_t rgb;
  bool operator==(const LegendEntry& o) const {
    return label == o.label && extra == o.extra && diverged == o.diverged && rgb == o.rgb;
  }
};

struct Legend {
  std::vector<LegendEntry> entries;
  std::string more;     // "+k more" when rows do not fit
  bool swatches = false;  // colour swatches in rows of per_row, no text (a small plot)
  int per_row = 0;
  int cols = 1;           // labelled entries in this many columns, row by row (a legend below the plot)
  double col_w = 0;       // the step from one column to the next
  double w = 0, h = 0, row = 0, pad = 0, swatch = 0, space = 0, text_x = 0;
};

}  // namespace fig

// Everything the drawing needs, decided before anything is drawn.
struct FigurePlan {
  std::array<double, 4> domain{};  // x0, x1, y0, y1 as drawn (widened when options.fill)
  ColourScale scale;               // the colour range of heatmap, contours and colour bar
  bool has_scale = false;          // a colour bar (a grid, or Figure::fixed_scale)
  bool has_grid = false;           // a heatmap and contours to draw from Figure::grid
  fig::Layout lay;
  fig::Mapping map{};
  std::vector<fig::RunGeometry> geo;
  fig::Legend legend;
  fig::Box legend_box;  // w == 0: no legend
  LegendAt legend_at = LegendAt::automatic;  // where it went (automatic: none)
};

// Throws as figure_render_image does for bad input.
FigurePlan figure_plan(const Figure& fig, int w, int h, const FigureOptions& opt = {});
void figure_draw(Canvas& c, const Figure& fig, const FigurePlan& plan, const FigureOptions& opt = {});
// One run's path through rows [from, to] (inclusive) as the plan draws it: pixel pieces
// clipped a little outside the plot and decimated; and its stroke (outline + colour).
// The app draws a playing path in pieces with these (figure_draw with trajectories off).
std::vector<Polyline> figure_run_pieces(const FigurePlan& plan, const FigureRun& run, size_t from, size_t to);
void figure_draw_path(Canvas& c, const FigurePlan& plan, const Figure& fig, size_t run, const std::vector<Polyline>& pieces);

}  // namespace zs
