// Multi-panel figure: the landscape and the plots in one picture (panels.h).
#include "core/export/panels.h"
#include "core/export/canvas.h"
#include "core/util/error.h"
#include <algorithm>

namespace zs {

namespace {

constexpr uint32_t kWhite = 0xffffff;

void draw_panels(Canvas& cv, const Figure& fig, const FigureOptions& opt, const std::vector<LineChart>& charts,
                 const PanelsLayout& L) {
  {
    const PanelBox& b = L.landscape;
    OffsetCanvas oc(cv, b.x, b.y, b.w, b.h);
    figure_draw(oc, fig, figure_plan(fig, b.w, b.h, opt), opt);
  }
  for (size_t i = 0; i < charts.size() && i < L.charts.size(); ++i) {
    const PanelBox& b = L.charts[i];
    OffsetCanvas oc(cv, b.x, b.y, b.w, b.h);
    LineChart c = charts[i];
    if (c.style_scale <= 0) c.style_scale = panels_chart_style_scale(L.width, L.height);
    chart_draw(oc, c, b.w, b.h);
  }
}

}  // namespace

double panels_chart_style_scale(int w, int h) { return 0.5 * 1.6 * std::min(w / 1600.0, h / 1000.0); }

PanelsLayout panels_layout(int w, int h, size_t charts) {
  if (w > 16384 || h > 16384) fail("panels", "size " + std::to_string(w) + "x" + std::to_string(h) + " exceeds 16384 on a side");
  PanelsLayout L;
  L.width = w;
  L.height = h;
  const int lw = charts ? w / 2 : w;
  L.landscape = {0, 0, lw, h};
  const int rw = w - lw, cols = charts > 1 ? 2 : 1, rows = charts > 2 ? 2 : 1;
  for (size_t i = 0; i < charts && i < 4; ++i) {
    const int c = static_cast<int>(i) % cols, r = static_cast<int>(i) / cols;
    const int x0 = lw + rw * c / cols, x1 = lw + rw * (c + 1) / cols, y0 = h * r / rows, y1 = h * (r + 1) / rows;
    L.charts.push_back({x0, y0, x1 - x0, y1 - y0});
  }
  auto small = [](const PanelBox& b) { return b.w < 16 || b.h < 16; };
  bool bad = small(L.landscape);
  for (const PanelBox& b : L.charts) bad = bad || small(b);
  if (bad)
    fail("panels", "size " + std::to_string(w) + "x" + std::to_string(h) + " leaves a panel under 16x16 pixels (at least " +
                       std::to_string(charts ? 64 : 16) + "x" + std::to_string(charts > 2 ? 32 : 16) + ")");
  return L;
}

Image panels_render_image(const Figure& fig, const FigureOptions& opt, const std::vector<LineChart>& charts, int w, int h) {
  const PanelsLayout L = panels_layout(w, h, charts.size());
  return canvas_image(w, h, kWhite, [&](Canvas& cv) { draw_panels(cv, fig, opt, charts, L); });
}

std::string panels_render_svg(const Figure& fig, const FigureOptions& opt, const std::vector<LineChart>& charts, int w,
                              int h) {
  const PanelsLayout L = panels_layout(w, h, charts.size());
  return canvas_svg(w, h, kWhite, [&](Canvas& cv) { draw_panels(cv, fig, opt, charts, L); });
}

}  // namespace zs
