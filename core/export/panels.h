// The landscape figure and the plots as one multi-panel figure (PNG any size + SVG): the
// landscape on the left half at full height, up to four plots 2 x 2 on the right half.
// Each panel is drawn through an OffsetCanvas exactly as it is exported alone at its
// size (figure_draw, chart_draw), so a panel is pixel for pixel the single export.
#pragma once
#include <array>
#include <string>
#include <vector>
#include "core/export/figure_layout.h"
#include "core/export/line_chart.h"

namespace zs {

struct PanelBox {
  int x = 0, y = 0, w = 0, h = 0;
};
struct PanelsLayout {
  int width = 0, height = 0;  // the whole figure
  PanelBox landscape;
  std::vector<PanelBox> charts;  // row-major 2 x 2 on the right half
};

// Throws zs::Error (one line) when a panel would be smaller than 16 x 16 pixels or the
// figure larger than 16384 on a side.
PanelsLayout panels_layout(int w, int h, size_t charts);
// The charts' style scale in a w x h multi-panel figure: half the scale a chart of the
// whole figure's size would take, so that their text is not a quarter-size chart's (a
// chart's own style_scale, when set, wins).
double panels_chart_style_scale(int w, int h);
// `fig` is laid out for the landscape panel's size (panels_layout(...).landscape).
Image panels_render_image(const Figure& fig, const FigureOptions& opt, const std::vector<LineChart>& charts, int w, int h);
std::string panels_render_svg(const Figure& fig, const FigureOptions& opt, const std::vector<LineChart>& charts, int w,
                              int h);

}  // namespace zs
