// Line chart layout (line_chart.h): axes with nice ticks (ticks.h), median lines, min..max
// bands, diverged marks and a legend right of the plot, drawn against Canvas.
#include "core/export/line_chart.h"
#include <algorithm>
#include <cmath>
#include "core/export/canvas.h"
#include "core/export/ticks.h"
#include "core/util/error.h"

namespace zs {

namespace {

void check(const LineChart& c, int w, int h) {
  if (w < 16 || h < 16 || w > 16384 || h > 16384)
    fail("chart", std::to_string(w) + "x" + std::to_string(h) + " outside [16, 16384] per side");
  for (const ChartSeries& s : c.series) {
    if (s.ys.size() != s.xs.size()) fail("chart", "series '" + s.label + "': xs and ys differ in length");
    if ((!s.lo.empty() || !s.hi.empty()) && (s.lo.size() != s.xs.size() || s.hi.size() != s.xs.size()))
      fail("chart", "series '" + s.label + "': band and xs differ in length");
  }
}

bool usable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }
double fwd(double v, bool log) { return log ? std::log10(v) : v; }

void draw(Canvas& cv, const LineChart& c, int W, int H) {
  const double s = std::min(W / 1600.0, H / 1000.0) * 1.6;
  const double tick = 13 * s, label = 15 * s, title = 19 * s, pad = 14 * s;
  // Data extents over lines and bands.
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  const auto note = [](double& a, double& b, double v) {
    a = std::min(a, v);
    b = std::max(b, v);
  };
  for (const ChartSeries& se : c.series)
    for (size_t i = 0; i < se.xs.size(); ++i) {
      if (!usable(se.xs[i], c.x_log)) continue;
      note(x0, x1, fwd(se.xs[i], c.x_log));
      for (double v : {se.ys[i], se.lo.empty() ? NAN : se.lo[i], se.hi.empty() ? NAN : se.hi[i]})
        if (usable(v, c.y_log)) note(y0, y1, fwd(v, c.y_log));
    }
  if (!(x1 >= x0)) x0 = 0, x1 = 1;
  if (!(y1 >= y0)) y0 = 0, y1 = 1;
  if (x1 == x0) x0 -= 0.5, x1 += 0.5;
  if (y1 == y0) y0 -= 0.5, y1 += 0.5;
  const double py = (y1 - y0) * 0.06, px = (x1 - x0) * 0.03;
  y0 -= py, y1 += py, x0 -= px, x1 += px;
  // Layout: title on top, legend right of the plot, tick labels and axis labels around it.
  double legend_w = 0;
  const bool any_marks = std::any_of(c.series.begin(), c.series.end(), [](const ChartSeries& x) { return !x.marks.empty(); });
  const char* kMarkNote = "x at the top: diverged";
  for (const ChartSeries& se : c.series) legend_w = std::max(legend_w, 0.6 * tick * static_cast<double>(se.label.size()) + 30 * s);
  if (any_marks) legend_w = std::max(legend_w, 0.55 * tick * static_cast<double>(std::char_traits<char>::length(kMarkNote)));
  legend_w += 10 * s;
  const double top = pad + (c.title.empty() ? 0 : title * 1.6), bottom = H - pad - label * 1.6 - tick * 1.6 - (c.stamp.empty() ? 0 : tick * 1.4);
  const double left = pad + label * 1.6 + tick * 4.5, right = W - pad - legend_w - pad;
  const double pw = std::max(8.0, right - left), ph = std::max(8.0, bottom - top);
  const auto X = [&](double v) { return left + (fwd(v, c.x_log) - x0) / (x1 - x0) * pw; };
  const auto Y = [&](double v) { return top + ph - (fwd(v, c.y_log) - y0) / (y1 - y0) * ph; };
  const uint32_t ink = 0x222222, dim = 0x666666;
  TextStyle ts{tick, dim, 1, HAlign::centre, VAlign::top, false};
  // Grid and ticks.
  const std::vector<double> xt = c.x_log ? log_ticks(std::pow(10, x0), std::pow(10, x1)) : nice_ticks(x0, x1, std::max(2, static_cast<int>(pw / (90 * s))));
  const std::vector<double> yt = c.y_log ? log_ticks(std::pow(10, y0), std::pow(10, y1)) : nice_ticks(y0, y1, std::max(2, static_cast<int>(ph / (60 * s))));
  std::vector<Polyline> grid;
  for (double v : xt) grid.push_back({{X(v), top}, {X(v), top + ph}});
  for (double v : yt) grid.push_back({{left, Y(v)}, {left + pw, Y(v)}});
  cv.polylines(grid, 1 * s, 0xdddddd, 1);
  for (double v : xt) cv.text(X(v), top + ph + 6 * s, tick_label(v), ts);
  ts.h = HAlign::right;
  ts.v = VAlign::middle;
  for (double v : yt) cv.text(left - 6 * s, Y(v), tick_label(v), ts);
  cv.polylines({{{left, top}, {left + pw, top}, {left + pw, top + ph}, {left, top + ph}, {left, top}}}, 1.2 * s, 0x444444, 1);
  // Bands, lines, diverged marks (clipped to the plot).
  cv.push_clip(left, top, pw, ph);
  for (const ChartSeries& se : c.series) {
    if (se.lo.empty()) continue;
    Polyline upper, lower;
    const auto flush = [&] {
      if (upper.size() >= 2) {
        Polyline poly = upper;
        poly.insert(poly.end(), lower.rbegin(), lower.rend());
        cv.fill_polygon(poly, se.rgb, 0.18);
      }
      upper.clear();
      lower.clear();
    };
    for (size_t i = 0; i < se.xs.size(); ++i) {
      if (!usable(se.xs[i], c.x_log) || !usable(se.lo[i], c.y_log) || !usable(se.hi[i], c.y_log)) {
        flush();
        continue;
      }
      upper.push_back({X(se.xs[i]), Y(se.hi[i])});
      lower.push_back({X(se.xs[i]), Y(se.lo[i])});
    }
    flush();
  }
  for (const ChartSeries& se : c.series) {
    std::vector<Polyline> pieces(1);
    for (size_t i = 0; i < se.xs.size(); ++i) {
      if (!usable(se.xs[i], c.x_log) || !usable(se.ys[i], c.y_log)) {
        if (!pieces.back().empty()) pieces.emplace_back();
        continue;
      }
      pieces.back().push_back({X(se.xs[i]), Y(se.ys[i])});
      if (se.dots) cv.circle(X(se.xs[i]), Y(se.ys[i]), 3.5 * s, 0, se.rgb, 1);
    }
    cv.polylines(pieces, 2.2 * s, se.rgb, 1);
    for (double m : se.marks) {
      if (!usable(m, c.x_log)) continue;
      const double mx = X(m), my = top + 9 * s, r = 6 * s;
      cv.polylines({{{mx - r, my - r}, {mx + r, my + r}}, {{mx - r, my + r}, {mx + r, my - r}}}, 2 * s, se.rgb, 1);
    }
  }
  cv.pop_clip();
  // Labels, title, legend, stamp.
  TextStyle ls{label, ink, 1, HAlign::centre, VAlign::top, false};
  cv.text(left + pw / 2, top + ph + 8 * s + tick * 1.4, c.xlabel, ls);
  ls.vertical = true;
  ls.v = VAlign::top;
  cv.text(pad, top + ph / 2, c.ylabel, ls);
  if (!c.title.empty()) cv.text(left + pw / 2, pad, c.title, TextStyle{title, ink, 1, HAlign::centre, VAlign::top, false});
  double ly = top + 4 * s;
  const double lx = right + pad;
  for (const ChartSeries& se : c.series) {
    cv.polylines({{{lx, ly + tick * 0.5}, {lx + 24 * s, ly + tick * 0.5}}}, 2.5 * s, se.rgb, 1);
    cv.text(lx + 30 * s, ly + tick * 0.5, se.label, TextStyle{tick, ink, 1, HAlign::left, VAlign::middle, false});
    ly += tick * 1.6;
  }
  if (any_marks) {
    cv.text(lx, ly + tick * 0.5, kMarkNote, TextStyle{tick * 0.9, dim, 1, HAlign::left, VAlign::middle, false});
    ly += tick * 1.6;
  }
  if (!c.stamp.empty()) cv.text(W - pad, H - pad, c.stamp, TextStyle{tick * 0.85, 0x888888, 1, HAlign::right, VAlign::bottom, false});
}

}  // namespace

Image chart_render_image(const LineChart& c, int w, int h) {
  check(c, w, h);
  return canvas_image(w, h, 0xffffff, [&](Canvas& cv) { draw(cv, c, w, h); });
}

std::string chart_render_svg(const LineChart& c, int w, int h) {
  check(c, w, h);
  return canvas_svg(w, h, 0xffffff, [&](Canvas& cv) { draw(cv, c, w, h); });
}

}  // namespace zs
