// Heatmap chart layout (heat_chart.h): panels in a grid under the title, a shared colour
// bar with nice or decade ticks (ticks.h) on the right, category labels on both axes of
// every panel, the notes for marked and missing cells under the colour bar.
#include "core/export/heat_chart.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include "core/export/canvas.h"
#include "core/export/colormap.h"
#include "core/export/font.h"
#include "core/export/ticks.h"
#include "core/util/error.h"

namespace zs {

namespace {

void check(const HeatChart& c, int w, int h) {
  if (w < 16 || h < 16 || w > 16384 || h > 16384)
    fail("heat chart", std::to_string(w) + "x" + std::to_string(h) + " outside [16, 16384] per side");
  if (c.xcats.empty() || c.ycats.empty()) fail("heat chart", "no cells (empty x or y categories)");
  colormap_check(c.colormap, "heat chart");
  const size_t n = c.xcats.size() * c.ycats.size();
  for (const HeatPanel& p : c.panels)
    if (p.values.size() != n || (!p.marked.empty() && p.marked.size() != n))
      fail("heat chart", "panel '" + p.title + "' has " + std::to_string(p.values.size()) + " values for " +
                             std::to_string(n) + " cells");
}

bool is_marked(const HeatPanel& p, size_t i) { return !p.marked.empty() && p.marked[i]; }

double luminance(uint32_t rgb) {
  return (0.2126 * ((rgb >> 16) & 0xff) + 0.7152 * ((rgb >> 8) & 0xff) + 0.0722 * (rgb & 0xff)) / 255;
}

// Three significant digits, exponent without '+' and leading zeros ("1.03e9", "2e-5").
std::string cell_text(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", v);
  std::string t = b;
  const size_t e = t.find('e');
  if (e == std::string::npos) return t;
  std::string exp = t.substr(e + 1), sign;
  if (exp[0] == '+' || exp[0] == '-') sign = exp[0] == '-' ? "-" : "", exp = exp.substr(1);
  while (exp.size() > 1 && exp[0] == '0') exp = exp.substr(1);
  return t.substr(0, e + 1) + sign + exp;
}

double widest(const std::vector<std::string>& s, double size) {
  double w = 0;
  for (const std::string& x : s) w = std::max(w, text_width(x, size));
  return w;
}

void draw(Canvas& cv, const HeatChart& c, int W, int H) {
  const double s = std::min(W / 1600.0, H / 1000.0) * 1.6;
  const double tick = std::max(8.0, 13 * s), label = std::max(9.0, 15 * s), title = std::max(10.0, 19 * s);
  const double pad = std::max(4.0, 14 * s), gap = std::max(2.0, 6 * s);
  const uint32_t ink = 0x222222, dim = 0x666666;
  bool log = false;
  const auto colours = heat_chart_colours(c, &log);
  // The value range again, for the colour bar's ticks (in axis units: log10 or plain).
  double lo = INFINITY, hi = -INFINITY;
  for (const HeatPanel& p : c.panels)
    for (size_t i = 0; i < p.values.size(); ++i)
      if (std::isfinite(p.values[i]) && !is_marked(p, i)) {
        const double v = log ? std::log10(p.values[i]) : p.values[i];
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  // Right column: the colour bar, its tick labels and caption; the notes below it.
  std::vector<double> cticks;
  if (hi > lo) cticks = log ? log_ticks(std::pow(10, lo), std::pow(10, hi)) : nice_ticks(lo, hi, 6);
  else if (lo == hi) cticks = {log ? std::pow(10, lo) : lo};
  std::vector<std::string> clabels;
  for (double v : cticks) clabels.push_back(tick_label(v));
  const double bar_w = 22 * s;
  double notes_w = 0;
  for (const std::string* n : {&c.marked_note, &c.missing_note}) notes_w = std::max(notes_w, text_width(*n, tick * 0.9));
  const double col_w = std::max(bar_w + gap + widest(clabels, tick) + gap + label * 1.4, notes_w);
  const double top = pad + (c.title.empty() ? 0 : title * 1.6);
  const double bottom = H - pad - (c.stamp.empty() ? 0 : tick * 1.4) - label * 1.6;
  const double left = pad + label * 1.6, right = W - pad - col_w - pad;
  // Panels: the column count whose cells come closest to square.
  const int n = std::max<int>(1, static_cast<int>(c.panels.size()));
  const double ylab_w = widest(c.ycats, tick) + gap, xlab_h = tick * 1.6, ptitle_h = c.panels.size() > 1 ? label * 1.6 : 0;
  int cols = 1;
  double best = INFINITY;
  for (int k = 1; k <= n; ++k) {
    const int rows = (n + k - 1) / k;
    const double cw = ((right - left) / k - ylab_w - gap) / static_cast<double>(c.xcats.size());
    const double ch = ((bottom - top) / rows - xlab_h - ptitle_h - gap) / static_cast<double>(c.ycats.size());
    const double score = cw > 0 && ch > 0 ? std::fabs(std::log(cw / ch)) : INFINITY;
    if (score < best) best = score, cols = k;
  }
  const int rows = (n + cols - 1) / cols;
  const double panel_w = (right - left) / cols, panel_h = (bottom - top) / rows;
  const std::vector<uint32_t> table = colormap_table(c.colormap);
  const auto colour_of = [&](double t) { return table[static_cast<size_t>(std::lround(std::clamp(t, 0.0, 1.0) * 255))]; };
  for (size_t pi = 0; pi < c.panels.size(); ++pi) {
    const HeatPanel& p = c.panels[pi];
    const double ox = left + static_cast<double>(pi % cols) * panel_w, oy = top + static_cast<double>(pi / cols) * panel_h;
    const double gx = ox + ylab_w, gy = oy + ptitle_h;
    const double gw = std::max(4.0, panel_w - ylab_w - gap), gh = std::max(4.0, panel_h - ptitle_h - xlab_h - gap);
    const double cw = gw / static_cast<double>(c.xcats.size()), ch = gh / static_cast<double>(c.ycats.size());
    if (ptitle_h > 0) cv.text(gx + gw / 2, oy, p.title, TextStyle{label, ink, 1, HAlign::centre, VAlign::top, false});
    for (size_t j = 0; j < c.ycats.size(); ++j)
      for (size_t i = 0; i < c.xcats.size(); ++i) {
        const size_t k = j * c.xcats.size() + i;
        const double x = gx + static_cast<double>(i) * cw, y = gy + gh - static_cast<double>(j + 1) * ch;
        const double t = colours[pi][k];
        const bool marked = is_marked(p, k), missing = !marked && !std::isfinite(t);
        const uint32_t fill = marked ? 0x9e9e9e : missing ? 0xf2f2f2 : colour_of(t);
        cv.fill_rect(x, y, cw, ch, fill, 1);
        const uint32_t text_rgb = luminance(fill) > 0.5 ? 0x111111 : 0xffffff;
        if (marked) {
          const double r = std::min(cw, ch) * 0.3;
          const double mx = x + cw / 2, my = y + ch / 2;
          cv.polylines({{{mx - r, my - r}, {mx + r, my + r}}, {{mx - r, my + r}, {mx + r, my - r}}}, 2 * s, 0x333333, 1);
          continue;
        }
        const std::string txt = missing ? "-" : cell_text(p.values[k]);
        if (text_width(txt, tick) + gap < cw && tick * 1.3 < ch)
          cv.text(x + cw / 2, y + ch / 2, txt, TextStyle{tick, text_rgb, 1, HAlign::centre, VAlign::middle, false});
      }
    // Cell borders, the frame, the category labels.
    std::vector<Polyline> lines;
    for (size_t i = 1; i < c.xcats.size(); ++i) lines.push_back({{gx + static_cast<double>(i) * cw, gy}, {gx + static_cast<double>(i) * cw, gy + gh}});
    for (size_t j = 1; j < c.ycats.size(); ++j) lines.push_back({{gx, gy + static_cast<double>(j) * ch}, {gx + gw, gy + static_cast<double>(j) * ch}});
    cv.polylines(lines, 1 * s, 0xffffff, 0.8);
    cv.polylines({{{gx, gy}, {gx + gw, gy}, {gx + gw, gy + gh}, {gx, gy + gh}, {gx, gy}}}, 1.2 * s, 0x444444, 1);
    // Labels that would overlap are thinned to every k-th.
    const size_t xstep = std::max<size_t>(1, static_cast<size_t>(std::ceil((widest(c.xcats, tick) + gap) / cw)));
    for (size_t i = 0; i < c.xcats.size(); i += xstep)
      cv.text(gx + (static_cast<double>(i) + 0.5) * cw, gy + gh + gap, c.xcats[i], TextStyle{tick, dim, 1, HAlign::centre, VAlign::top, false});
    const size_t ystep = std::max<size_t>(1, static_cast<size_t>(std::ceil(tick * 1.2 / ch)));
    for (size_t j = 0; j < c.ycats.size(); j += ystep)
      cv.text(gx - gap, gy + gh - (static_cast<double>(j) + 0.5) * ch, c.ycats[j], TextStyle{tick, dim, 1, HAlign::right, VAlign::middle, false});
  }
  // Axis labels once for the figure, the title, the colour bar and the notes.
  cv.text((left + right) / 2, bottom + gap, c.xlabel, TextStyle{label, ink, 1, HAlign::centre, VAlign::top, false});
  cv.text(pad, (top + bottom) / 2, c.ylabel, TextStyle{label, ink, 1, HAlign::centre, VAlign::top, true});
  if (!c.title.empty()) cv.text(W / 2.0, pad, c.title, TextStyle{title, ink, 1, HAlign::centre, VAlign::top, false});
  const double bx = right + pad, by = top + ptitle_h, bh = std::max(8.0, (bottom - top - ptitle_h) * 0.6);
  if (!cticks.empty()) {
    HeatField f;
    f.nx = 2;
    f.ny = 256;
    f.table = table;
    for (int j = 0; j < 256; ++j) f.t.insert(f.t.end(), 2, static_cast<float>(j / 255.0));
    cv.heatmap(static_cast<int>(std::lround(bx)), static_cast<int>(std::lround(by)), static_cast<int>(std::lround(bar_w)),
               static_cast<int>(std::lround(bh)), f);
    cv.polylines({{{bx, by}, {bx + bar_w, by}, {bx + bar_w, by + bh}, {bx, by + bh}, {bx, by}}}, 1 * s, 0x444444, 1);
    for (size_t i = 0; i < cticks.size(); ++i) {
      const double v = log ? std::log10(cticks[i]) : cticks[i];
      const double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      const double y = by + bh - t * bh;
      cv.polylines({{{bx + bar_w, y}, {bx + bar_w + gap * 0.8, y}}}, 1 * s, 0x444444, 1);
      cv.text(bx + bar_w + gap, y, clabels[i], TextStyle{tick, dim, 1, HAlign::left, VAlign::middle, false});
    }
    const double cap = std::min(label, label * bh / std::max(1.0, text_width(c.colour_label, label)));  // fits the bar
    cv.text(bx + bar_w + 2 * gap + widest(clabels, tick), by + bh / 2, c.colour_label, TextStyle{cap, ink, 1, HAlign::centre, VAlign::top, true});
  }
  double ny = by + bh + tick * 2;
  for (const std::string* note : {&c.marked_note, &c.missing_note}) {
    if (note->empty()) continue;
    cv.text(bx, ny, *note, TextStyle{tick * 0.9, dim, 1, HAlign::left, VAlign::middle, false});
    ny += tick * 1.6;
  }
  if (!c.stamp.empty()) cv.text(W - pad, H - pad, c.stamp, TextStyle{tick * 0.85, 0x888888, 1, HAlign::right, VAlign::bottom, false});
}

}  // namespace

std::vector<std::vector<double>> heat_chart_colours(const HeatChart& c, bool* log_used) {
  bool log = c.log_colour;
  double lo = INFINITY, hi = -INFINITY;
  for (const HeatPanel& p : c.panels)
    for (size_t i = 0; i < p.values.size(); ++i)
      if (std::isfinite(p.values[i]) && !is_marked(p, i)) {
        log = log && p.values[i] > 0;
        lo = std::min(lo, p.values[i]);
        hi = std::max(hi, p.values[i]);
      }
  if (log) lo = std::log10(lo), hi = std::log10(hi);
  if (log_used) *log_used = log;
  std::vector<std::vector<double>> out;
  for (const HeatPanel& p : c.panels) {
    std::vector<double> t(p.values.size(), NAN);
    for (size_t i = 0; i < p.values.size(); ++i) {
      if (!std::isfinite(p.values[i]) || is_marked(p, i)) continue;
      const double v = log ? std::log10(p.values[i]) : p.values[i];
      t[i] = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    }
    out.push_back(std::move(t));
  }
  return out;
}

Image heat_chart_render_image(const HeatChart& c, int w, int h) {
  check(c, w, h);
  return canvas_image(w, h, 0xffffff, [&](Canvas& cv) { draw(cv, c, w, h); });
}

std::string heat_chart_render_svg(const HeatChart& c, int w, int h) {
  check(c, w, h);
  return canvas_svg(w, h, 0xffffff, [&](Canvas& cv) { draw(cv, c, w, h); });
}

}  // namespace zs
