// Line chart (line_chart.h): core's plot layout (plot_layout.h: limits, scale, ticks,
// clip notes), median lines, min..max bands, faint envelopes, diverged and clip marks and
// a legend right of the plot, drawn against Canvas.
#include "core/export/line_chart.h"
#include <algorithm>
#include <array>
#include <cmath>
#include "core/export/canvas.h"
#include "core/export/decimate.h"
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

// The chart's series through core's plot layout, call by call as the live plot takes
// them (app/gui/panel_plots.cpp draws the same charts): an envelope is one call; a line
// with a band, the band (lo and hi per point) and then the line.
PlotLayout layout_of(const LineChart& c, PlotAutoscale* out_auto) {
  PlotLayout l;
  l.sx.log = c.x_log;
  l.sy.log = c.y_log && !c.y_symlog;
  l.sy.sym = c.y_log && c.y_symlog;
  l.sy.c = l.sy.sym && c.y_linthresh > 0 && std::isfinite(c.y_linthresh) ? c.y_linthresh : 1;  // 1 unless symlog (one canonical layout)
  PlotPools pp;
  pp.sx = l.sx;
  pp.sy = l.sy;
  for (const ChartSeries& se : c.series) {
    if (!se.lo.empty()) {
      PlotPool& p = pp.begin(se.label, se.rgb);
      for (size_t i = 0; i < se.xs.size(); ++i) {
        pp.take(p, se.xs[i], se.lo[i]);
        pp.take(p, se.xs[i], se.hi[i]);
      }
      pp.end(p);
    }
    PlotPool& p = pp.begin(se.label, se.rgb);
    for (size_t i = 0; i < se.xs.size(); ++i) pp.take(p, se.xs[i], se.ys[i]);
    pp.end(p);
    if (se.in_legend && !se.envelope && std::find(l.legend.begin(), l.legend.end(), se.label) == l.legend.end())
      l.legend.push_back(se.label);
  }
  PlotAutoscale a = plot_autoscale(pp, c.max_decades, c.clip_outliers);
  AxisRange x;
  const bool has_x = plot_x_cover(x, a.x, a.scaled && a.has_data, c.x_span, l.sx);
  l.x = axis_sane(has_x ? axis_padded(axis_sane(x, l.sx), l.sx, c.x_pad) : AxisRange{}, l.sx);
  l.y = c.y_fixed ? axis_sane(c.y_range, l.sy) : a.scaled ? plot_y_limits(a, l.sy) : axis_sane(AxisRange{}, l.sy);
  l.x_ticks = plot_ticks(l.x, l.sx, false);
  l.y_ticks = plot_ticks(l.y, l.sy, true, c.y_ticks);
  l.clipped = a.clipped;
  l.notes = c.notes;
  if (!c.y_fixed) l.notes.insert(l.notes.end(), a.auto_notes.begin(), a.auto_notes.end());
  l.notes.insert(l.notes.end(), a.notes_data.begin(), a.notes_data.end());
  if (out_auto) *out_auto = std::move(a);
  return l;
}

void draw(Canvas& cv, const LineChart& c, int W, int H) {
  const double s = c.style_scale > 0 ? c.style_scale : std::min(W / 1600.0, H / 1000.0) * 1.6;
  const double tick = 13 * s, label = 15 * s, title = 19 * s, pad = 14 * s;
  PlotAutoscale au;
  const PlotLayout L = layout_of(c, &au);
  const double x0 = axis_fwd(L.x.lo, L.sx), x1 = axis_fwd(L.x.hi, L.sx);
  const double y0 = axis_fwd(L.y.lo, L.sy), y1 = axis_fwd(L.y.hi, L.sy);
  // Layout: title and notes on top, legend right of the plot, tick labels and axis labels around it.
  double legend_w = 0;
  const bool any_marks = std::any_of(c.series.begin(), c.series.end(), [](const ChartSeries& x) { return !x.marks.empty(); });
  const char* kMarkNote = "x at the top: diverged";
  for (const std::string& e : L.legend) legend_w = std::max(legend_w, 0.6 * tick * static_cast<double>(e.size()) + 30 * s);
  if (any_marks) legend_w = std::max(legend_w, 0.55 * tick * static_cast<double>(std::char_traits<char>::length(kMarkNote)));
  legend_w += 10 * s;
  std::string notes;
  for (const std::string& n : L.notes) notes += (notes.empty() ? "" : "; ") + n;
  const double top = pad + (c.title.empty() ? 0 : title * 1.6) + (notes.empty() ? 0 : tick * 1.5);
  const double bottom = H - pad - label * 1.6 - tick * 1.6 - (c.stamp.empty() ? 0 : tick * 1.4);
  const double left = pad + label * 1.6 + tick * 4.5, right = W - pad - legend_w - pad;
  const double pw = std::max(8.0, right - left), ph = std::max(8.0, bottom - top);
  const auto X = [&](double v) { return left + (axis_fwd(v, L.sx) - x0) / (x1 - x0) * pw; };
  const auto Y = [&](double v) { return std::clamp(top + ph - (axis_fwd(v, L.sy) - y0) / (y1 - y0) * ph, -1e6, 1e6); };
  const auto ok = [&](double x, double y) { return axis_usable(x, L.sx) && axis_usable(y, L.sy); };
  const uint32_t ink = 0x222222, dim = 0x666666;
  TextStyle ts{tick, dim, 1, HAlign::centre, VAlign::top, false};
  // Grid and ticks.
  std::vector<Polyline> grid;
  for (double v : L.x_ticks) grid.push_back({{X(v), top}, {X(v), top + ph}});
  for (double v : L.y_ticks) grid.push_back({{left, Y(v)}, {left + pw, Y(v)}});
  cv.polylines(grid, 1 * s, 0xdddddd, 1);
  for (double v : L.x_ticks) cv.text(X(v), top + ph + 6 * s, tick_label(v), ts);
  ts.h = HAlign::right;
  ts.v = VAlign::middle;
  for (double v : L.y_ticks) cv.text(left - 6 * s, Y(v), tick_label(v), ts);
  cv.polylines({{{left, top}, {left + pw, top}, {left + pw, top + ph}, {left, top + ph}, {left, top}}}, 1.2 * s, 0x444444, 1);
  // Envelopes, bands, lines, marks (clipped to the plot).
  cv.push_clip(left, top, pw, ph);
  for (const ChartSeries& se : c.series) {
    if (!se.envelope) continue;
    // Per pixel column the span from the minimum to the maximum, one polygon.
    std::vector<std::array<double, 3>> cols;  // x, top, bottom
    for (size_t i = 0; i < se.xs.size(); ++i) {
      if (!ok(se.xs[i], se.ys[i])) continue;
      const double px = std::floor(std::clamp(X(se.xs[i]), left - 2, left + pw + 2)) + 0.5, py = Y(se.ys[i]);
      if (cols.empty() || cols.back()[0] != px) cols.push_back({px, py - 0.5 * s, py + 0.5 * s});
      cols.back()[1] = std::min(cols.back()[1], py - 0.5 * s);
      cols.back()[2] = std::max(cols.back()[2], py + 0.5 * s);
    }
    if (cols.size() < 2) continue;
    Polyline poly;
    for (const auto& k : cols) poly.push_back({k[0], k[1]});
    for (auto it = cols.rbegin(); it != cols.rend(); ++it) poly.push_back({(*it)[0], (*it)[2]});
    cv.fill_polygon(poly, se.rgb, se.alpha);
  }
  for (const ChartSeries& se : c.series) {
    if (se.lo.empty() || se.envelope) continue;
    Polyline upper, lower;
    const auto flush = [&] {
      if (upper.size() >= 2) {
        Polyline poly = upper;
        poly.insert(poly.end(), lower.rbegin(), lower.rend());
        cv.fill_polygon(poly, se.rgb, 0.18 * se.alpha);
      }
      upper.clear();
      lower.clear();
    };
    const size_t stride = std::max<size_t>(1, se.xs.size() / static_cast<size_t>(std::max(1.0, pw)));
    for (size_t i = 0; i < se.xs.size(); ++i) {
      if (!ok(se.xs[i], se.lo[i]) || !ok(se.xs[i], se.hi[i])) {
        flush();
        continue;
      }
      if (i % stride != 0 && i + 1 != se.xs.size()) continue;
      upper.push_back({X(se.xs[i]), Y(se.hi[i])});
      lower.push_back({X(se.xs[i]), Y(se.lo[i])});
    }
    flush();
  }
  for (const ChartSeries& se : c.series) {
    if (se.envelope) continue;
    std::vector<Polyline> pieces(1);
    for (size_t i = 0; i < se.xs.size(); ++i) {
      if (!ok(se.xs[i], se.ys[i])) {
        if (!pieces.back().empty()) pieces.emplace_back();
        continue;
      }
      pieces.back().push_back({X(se.xs[i]), Y(se.ys[i])});
      if (se.dots) cv.circle(X(se.xs[i]), Y(se.ys[i]), 3.5 * s, 0, se.rgb, 1);
    }
    // Long curves: a column's extremes, then the one polyline simplifier (decimate.h).
    for (Polyline& piece : pieces) {
      if (piece.size() > static_cast<size_t>(pw)) decimate_columns(piece);
      decimate_polyline(piece, 0.25 * s);
    }
    cv.polylines(pieces, se.width * 1.1 * s, se.rgb, se.alpha);
    for (double m : se.marks) {
      if (!axis_usable(m, L.sx)) continue;
      const double mx = X(m), my = top + 9 * s, r = 6 * s;
      cv.polylines({{{mx - r, my - r}, {mx + r, my + r}}, {{mx - r, my + r}, {mx + r, my - r}}}, 2 * s, se.rgb, 1);
    }
  }
  // Clipped series are marked where they leave the plot (a notch at the top edge), as live.
  if (!c.y_fixed)
    for (const auto& [x, rgb] : au.clip_marks) {
      if (!axis_usable(x, L.sx)) continue;
      const double px = X(x), t = 6 * s;
      cv.fill_polygon({{px - t, top}, {px + t, top}, {px, top + 1.6 * t}}, rgb, 1);
    }
  cv.pop_clip();
  // Labels, title, notes, legend, stamp.
  TextStyle ls{label, ink, 1, HAlign::centre, VAlign::top, false};
  cv.text(left + pw / 2, top + ph + 8 * s + tick * 1.4, c.xlabel, ls);
  ls.vertical = true;
  ls.v = VAlign::top;
  cv.text(pad, top + ph / 2, c.ylabel, ls);
  if (!c.title.empty()) {
    // A long title shrinks to fit either side of the plot's centre (about 0.55 em a character).
    const double cx = left + pw / 2, half = std::min(cx - pad, W - pad - cx);
    const double fit = std::min(title, 2 * half / (0.55 * static_cast<double>(c.title.size())));
    cv.text(cx, pad, c.title, TextStyle{fit, ink, 1, HAlign::centre, VAlign::top, false});
  }
  if (!notes.empty()) cv.text(left, top - 4 * s, notes, TextStyle{tick, 0xb05a00, 1, HAlign::left, VAlign::bottom, false});
  double ly = top + 4 * s;
  const double lx = right + pad;
  for (const std::string& e : L.legend) {
    uint32_t rgb = 0;
    for (const ChartSeries& se : c.series)
      if (se.label == e && se.in_legend && !se.envelope) {
        rgb = se.rgb;
        break;
      }
    cv.polylines({{{lx, ly + tick * 0.5}, {lx + 24 * s, ly + tick * 0.5}}}, 2.5 * s, rgb, 1);
    cv.text(lx + 30 * s, ly + tick * 0.5, e, TextStyle{tick, ink, 1, HAlign::left, VAlign::middle, false});
    ly += tick * 1.6;
  }
  if (any_marks) {
    cv.text(lx, ly + tick * 0.5, kMarkNote, TextStyle{tick * 0.9, dim, 1, HAlign::left, VAlign::middle, false});
    ly += tick * 1.6;
  }
  if (!c.stamp.empty()) cv.text(W - pad, H - pad, c.stamp, TextStyle{tick * 0.85, 0x888888, 1, HAlign::right, VAlign::bottom, false});
}

}  // namespace

PlotLayout chart_layout(const LineChart& c) { return layout_of(c, nullptr); }

void chart_draw(Canvas& cv, const LineChart& c, int w, int h) {
  check(c, w, h);
  draw(cv, c, w, h);
}

Image chart_render_image(const LineChart& c, int w, int h) {
  check(c, w, h);
  return canvas_image(w, h, 0xffffff, [&](Canvas& cv) { draw(cv, c, w, h); });
}

std::string chart_render_svg(const LineChart& c, int w, int h) {
  check(c, w, h);
  return canvas_svg(w, h, 0xffffff, [&](Canvas& cv) { draw(cv, c, w, h); });
}

}  // namespace zs
