// The trajectory figure: a layout computed once from the figure and the output size, then
// drawn against Canvas, so the PNG (RasterCanvas) and the SVG (SvgCanvas) are the same
// picture. Sizes are designed at 800 x 600 and scale with the output, with floors that
// keep text legible on small figures. PNG encoding by stb_image_write.
//
// [SECTION] validation and style
// [SECTION] layout
// [SECTION] geometry: data -> pixels, clipping, markers
// [SECTION] drawing
// [SECTION] public API
#include "core/export/figure.h"
#include <stb/stb_image_write.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include "core/export/canvas.h"
#include "core/export/colormap.h"
#include "core/export/contour.h"
#include "core/export/decimate.h"
#include "core/export/figure_layout.h"
#include "core/export/font.h"
#include "core/export/ticks.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs {

namespace {

using namespace fig;

// [SECTION] validation and style

constexpr uint32_t kWhite = 0xffffff;
constexpr uint32_t kInk = 0x222222;       // text, frame
constexpr uint32_t kMuted = 0x6a6a6a;     // secondary text
constexpr uint32_t kOutline = 0x141414;   // contrast outlines around runs and markers
constexpr uint32_t kDiverged = 0xb2182b;
constexpr int kMinSize = 16, kMaxSize = 16384;

void figure_validate(const Figure& fig, int w, int h) {
  if (w < kMinSize || h < kMinSize || w > kMaxSize || h > kMaxSize)
    fail("figure", "image size " + std::to_string(w) + "x" + std::to_string(h) + " out of range [" + std::to_string(kMinSize) +
                       ", " + std::to_string(kMaxSize) + "]");
  const double* d = fig.domain;
  for (int k = 0; k < 4; ++k)
    if (!std::isfinite(d[k])) fail("figure.domain", "non-finite bound " + fmt_double(d[k]));
  if (!(d[1] > d[0]) || !(d[3] > d[2]))
    fail("figure.domain", "need x0 < x1 and y0 < y1, got [" + fmt_double(d[0]) + ", " + fmt_double(d[1]) + "] x [" +
                              fmt_double(d[2]) + ", " + fmt_double(d[3]) + "]");
  if (!fig.grid.empty() &&
      (fig.grid_nx < 2 || fig.grid_ny < 2 || fig.grid.size() != static_cast<size_t>(fig.grid_nx) * fig.grid_ny))
    fail("figure.grid", std::to_string(fig.grid.size()) + " values for a " + std::to_string(fig.grid_nx) + "x" +
                            std::to_string(fig.grid_ny) + " grid (need nx, ny >= 2 and nx*ny values)");
  colormap_check(fig.colormap, "figure.colormap");
  if (fig.contour_levels < 0 || fig.contour_levels > 100)
    fail("figure.contour_levels", std::to_string(fig.contour_levels) + " out of range [0, 100]");
  for (size_t i = 0; i < fig.runs.size(); ++i) {
    if (fig.runs[i].xs.size() != fig.runs[i].ys.size())
      fail("figure.runs[" + std::to_string(i) + "]", "xs has " + std::to_string(fig.runs[i].xs.size()) + " points, ys " +
                                                         std::to_string(fig.runs[i].ys.size()));
    const size_t lo = fig.runs[i].band_lo.size(), hi = fig.runs[i].band_hi.size();
    if (lo != hi || (lo != 0 && lo != fig.runs[i].xs.size()))
      fail("figure.runs[" + std::to_string(i) + "]", "band_lo/band_hi have " + std::to_string(lo) + "/" +
                                                         std::to_string(hi) + " points, xs " + std::to_string(fig.runs[i].xs.size()));
  }
}

Style style_for(int w, int h, double scale) {
  const double s = scale > 0 ? scale : std::min(w / 800.0, h / 600.0);
  Style st;
  st.s = s;
  st.title = std::max(10.0, 17 * s);
  st.label = std::max(9.0, 14 * s);
  st.tick = std::max(8.0, 12 * s);
  st.legend = std::max(8.0, 11 * s);
  st.stamp = std::max(7.0, 10 * s);
  st.pad = std::max(4.0, 14 * s);
  st.gap = std::max(2.0, 4 * s);
  st.tick_len = std::max(2.0, 5 * s);
  st.frame_w = std::max(1.0, std::round(1.1 * s));
  st.run_w = std::max(1.2, 2.2 * s);
  st.outline_w = std::max(0.6, 0.9 * s);
  st.contour_w = std::max(0.6, 0.9 * s);
  st.marker_r = std::max(2.5, 4.5 * s);
  return st;
}

// Ink on a white page (exports), or on the app's dark view.
Theme theme_for(bool dark) {
  if (dark) return {0xe1e4eb, 0xa0a6b2, 0x8a909c, 0x8c8c8c, 0x0e1014, 0x5a5f68, 0xe1e4eb, 0xa0a6b2, 0.78};
  return {kInk, kMuted, kInk, 0x8c8c8c, kWhite, 0xb0b0b0, kInk, kMuted, 0.8};
}

double luminance(uint32_t rgb) {
  return (0.2126 * ((rgb >> 16) & 0xff) + 0.7152 * ((rgb >> 8) & 0xff) + 0.0722 * (rgb & 0xff)) / 255;
}

// [SECTION] layout

double max_width(const std::vector<std::string>& labels, double size) {
  double w = 0;
  for (const std::string& s : labels) w = std::max(w, text_width(s, size));
  return w;
}

// A tick label as typeset: a true minus sign (U+2212) instead of the hyphen.
std::string display_label(double v) {
  std::string out;
  for (char ch : tick_label(v)) {
    if (ch == '-')
      out += "\u2212";
    else
      out += ch;
  }
  return out;
}

std::vector<std::string> labels_of(const std::vector<double>& ticks) {
  std::vector<std::string> out;
  for (double v : ticks) out.push_back(display_label(v));
  return out;
}

// Ticks along an axis of `length` pixels, as many as fit with `room(labels)` pixels each.
template <class Room>
std::vector<double> axis_ticks(double lo, double hi, double length, double spacing, Room room) {
  int target = std::clamp(static_cast<int>(length / spacing) + 1, 2, 10);
  for (;; --target) {
    std::vector<double> t = nice_ticks(lo, hi, target);
    if (target == 2 || t.size() < 2) return t;
    const double step_px = length * (t[1] - t[0]) / (hi - lo);
    if (step_px >= room(labels_of(t))) return t;
  }
}

// Colourbar ticks and caption by the shared rule (colour_bar_ticks, colormap.h), labels
// typeset with a true minus sign.
void colour_ticks(const ColourScale& sc, double length, const Style& st, const std::string& label, Layout& lay) {
  lay.cticks.clear();
  for (const ColourBarTick& t : colour_bar_ticks(sc, length, st.tick * 3.5, st.tick * 1.6))
    lay.cticks.push_back({t.t, t.labelled ? display_label(t.label) : ""});
  lay.ccaption = colour_bar_caption(sc, label, "\u2212");
}

// legend_w > 0 reserves a column of that width right of everything else for the legend;
// legend_below > 0, rows of that height under the x axis (and its label).
Layout layout_for(const Figure& fig, const std::array<double, 4>& dom, const ColourScale* scale, int W, int H, double legend_w,
                  const FigureOptions& opt, double legend_below = 0) {
  Layout lay;
  const Style& st = lay.st = style_for(W, H, opt.style_scale);
  lay.th = theme_for(opt.dark);
  lay.W = W;
  lay.H = H;
  const double x0 = dom[0], x1 = dom[1], y0 = dom[2], y1 = dom[3];

  double head = st.pad;  // bottom of the title block
  lay.title_size = st.title;
  if (!fig.title.empty()) {
    // A title wider than the figure is set smaller (a small window's view).
    const double tw = text_width(fig.title, st.title), room = W - 2 * st.pad;
    if (tw > room && room > 0) lay.title_size = std::max(6.0, st.title * room / tw);
    lay.title_baseline = st.pad + lay.title_size * font_cap_height();
    head = lay.title_baseline + lay.title_size * 0.4;
  }
  double top = head + st.tick * 0.6;  // room for the top y tick label
  double bottom = st.pad * 0.5 + st.tick_len + st.gap + st.tick * 1.25;
  if (!fig.xlabel.empty()) bottom += st.label * 1.5;
  if (!fig.stamp.empty()) bottom += st.stamp * 1.5;
  if (legend_below > 0) bottom += legend_below + st.gap;

  const auto y_room = [&](const std::vector<std::string>&) { return st.tick * 1.8; };
  double avail_h = std::max(8.0, H - top - bottom);
  lay.yticks = axis_ticks(y0, y1, avail_h, st.tick * 4.5, y_room);
  lay.ytick_w = max_width(labels_of(lay.yticks), st.tick);
  double left = st.pad + lay.ytick_w + st.gap + st.tick_len + st.frame_w;
  if (!fig.ylabel.empty()) left += st.label * 1.4;

  double right = st.pad + st.tick * 1.2;  // half of a last x tick label
  const double cb_gap = std::max(6.0, 18 * st.tick / 12), cb_w = std::max(6.0, 16 * st.tick / 12);
  if (scale) {
    colour_ticks(*scale, avail_h, st, fig.colour_label, lay);
    std::vector<std::string> cl;
    for (const ColourTick& t : lay.cticks) cl.push_back(t.label);
    // The labels' column in whole steps of two ticks' size: a colour range that moves a
    // little (the app's view recomputes its grid for the room the plot gets) keeps the room.
    const double step = 2 * st.tick;
    right = cb_gap + cb_w + st.tick_len + st.gap + std::ceil(max_width(cl, st.tick) / step) * step + st.pad;
    if (!lay.ccaption.empty()) top = head + st.tick * 1.6;  // the caption sits above the bar
  }
  const double legend_x = right;  // from the plot's right edge
  if (legend_w > 0) right += legend_w + st.pad;
  avail_h = std::max(8.0, H - top - bottom);
  const double avail_w = std::max(8.0, W - left - right);

  // Equal aspect (angles and contour normals read true) unless that wastes over half the room.
  const double aspect = (y1 - y0) / (x1 - x0);
  double pw = avail_w, ph = avail_w * aspect;
  if (ph > avail_h) {
    ph = avail_h;
    pw = avail_h / aspect;
  }
  if (pw * ph < 0.5 * avail_w * avail_h) {
    pw = avail_w;
    ph = avail_h;
  }
  lay.avail = {left, top, avail_w, avail_h};
  const double px = left + (avail_w - pw) / 2, py = top + (avail_h - ph) / 2;
  lay.plot = {std::round(px), std::round(py), std::round(px + pw) - std::round(px), std::round(py + ph) - std::round(py)};
  lay.plot.w = std::max(lay.plot.w, 1.0);
  lay.plot.h = std::max(lay.plot.h, 1.0);
  if (scale) lay.cbar = {std::round(lay.plot.r() + cb_gap), lay.plot.y, std::round(cb_w), lay.plot.h};
  if (legend_w > 0) lay.legend = {lay.plot.r() + legend_x, lay.plot.y, legend_w, 0};
  if (legend_below > 0) {  // under the tick labels and the x label, as draw_axes sets them
    const double y = lay.plot.b() + st.frame_w + st.tick_len + 2 * st.gap + st.tick * 1.25 + (fig.xlabel.empty() ? 0 : st.label * 1.6);
    lay.legend = {lay.plot.x, y, lay.plot.w, legend_below};
  }

  // Final ticks for the final plot size.
  const auto x_room = [&](const std::vector<std::string>& l) { return max_width(l, st.tick) + st.tick * 1.2; };
  lay.xticks = axis_ticks(x0, x1, lay.plot.w, st.tick * 6, x_room);
  lay.yticks = axis_ticks(y0, y1, lay.plot.h, st.tick * 4.5, y_room);
  lay.xlabels = labels_of(lay.xticks);
  lay.ylabels = labels_of(lay.yticks);
  lay.ytick_w = max_width(lay.ylabels, st.tick);
  if (scale) colour_ticks(*scale, lay.plot.h, st, fig.colour_label, lay);
  return lay;
}

// [SECTION] geometry: data -> pixels, clipping, markers

// Liang-Barsky: clips the segment a-b to the box in place; false when nothing is left.
bool clip_segment(std::array<double, 2>& a, std::array<double, 2>& b, const Box& box) {
  double t0 = 0, t1 = 1;
  const double dx = b[0] - a[0], dy = b[1] - a[1];
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a[0] - box.x, box.r() - a[0], a[1] - box.y, box.b() - a[1]};
  for (int k = 0; k < 4; ++k) {
    if (p[k] == 0) {
      if (q[k] < 0) return false;
      continue;
    }
    const double t = q[k] / p[k];
    if (p[k] < 0)
      t0 = std::max(t0, t);
    else
      t1 = std::min(t1, t);
    if (t0 > t1) return false;
  }
  const std::array<double, 2> a0 = a;
  if (t0 > 0) a = {a0[0] + t0 * dx, a0[1] + t0 * dy};
  if (t1 < 1) b = {a0[0] + t1 * dx, a0[1] + t1 * dy};
  return true;
}

// Points [from, to] of a polyline in data coordinates -> pixel pieces inside `box`, broken
// at non-finite points, each simplified within half a pixel (decimate.h: converged runs
// pile up thousands of points on one pixel).
std::vector<Polyline> to_pixels(const std::vector<double>& xs, const std::vector<double>& ys, size_t from, size_t to,
                                const Mapping& m, const Box& box) {
  std::vector<Polyline> out;
  Polyline cur;
  const auto flush = [&] {
    decimate_polyline(cur, 0.5);
    if (!cur.empty()) out.push_back(std::move(cur));
    cur.clear();
  };
  bool have_prev = false;
  std::array<double, 2> prev{};
  for (size_t i = from; i <= to && i < xs.size(); ++i) {
    const std::array<double, 2> p = {m.px(xs[i]), m.py(ys[i])};
    if (!std::isfinite(p[0]) || !std::isfinite(p[1])) {
      flush();
      have_prev = false;
      continue;
    }
    if (!have_prev) {
      if (box.contains(p[0], p[1])) cur.push_back(p);  // may stay a lone point
    } else {
      std::array<double, 2> a = prev, b = p;
      if (clip_segment(a, b, box)) {
        if (cur.empty() || cur.back() != a) {
          flush();
          cur.push_back(a);
        }
        cur.push_back(b);
      } else {
        flush();
      }
      if (b != p) flush();  // left the box
    }
    prev = p;
    have_prev = true;
  }
  flush();
  return out;
}

Polyline star(double cx, double cy, double r) {
  Polyline p;
  for (int k = 0; k < 10; ++k) {
    const double a = -M_PI / 2 + k * M_PI / 5, rr = k % 2 ? r * 0.45 : r;
    p.push_back({cx + rr * std::cos(a), cy + rr * std::sin(a)});
  }
  return p;
}

std::vector<Polyline> cross(double cx, double cy, double r) {
  return {{{cx - r, cy - r}, {cx + r, cy + r}}, {{cx - r, cy + r}, {cx + r, cy - r}}};
}

// First and last finite points of a run (false when it has none).
bool run_ends(const FigureRun& r, std::array<double, 2>& first, std::array<double, 2>& last) {
  bool any = false;
  for (size_t i = 0; i < r.xs.size(); ++i) {
    if (!std::isfinite(r.xs[i]) || !std::isfinite(r.ys[i])) continue;
    if (!any) first = {r.xs[i], r.ys[i]};
    last = {r.xs[i], r.ys[i]};
    any = true;
  }
  return any;
}

// [SECTION] drawing

void draw_heatmap(Canvas& c, const Figure& fig, const ColourScale& sc, const std::vector<uint32_t>& table, const Box& plot) {
  HeatField f;
  f.nx = fig.grid_nx;
  f.ny = fig.grid_ny;
  f.table = table;
  f.t = sc.colour_values(fig.grid);  // NaN stays NaN (grey); +-inf take the end colours
  c.heatmap(static_cast<int>(plot.x), static_cast<int>(plot.y), static_cast<int>(plot.w), static_cast<int>(plot.h), f);
}

// Thin contour lines, white over dark colours and black over light ones.
void draw_contours(Canvas& c, const Figure& fig, const ColourScale& sc, const std::vector<double>& levels, const Layout& lay,
                   const Mapping& m, const std::array<double, 4>& dom) {
  for (double level : levels) {
    std::vector<Polyline> px;
    for (const Polyline& line : contour_lines(fig.grid, fig.grid_nx, fig.grid_ny, dom.data(), level)) {
      Polyline p;
      for (const auto& q : line) p.push_back({m.px(q[0]), m.py(q[1])});
      px.push_back(std::move(p));
    }
    const bool dark = luminance(colormap_rgb(fig.colormap, sc.colour_value(level))) < 0.5;
    c.polylines(px, lay.st.contour_w, dark ? kWhite : 0x000000, dark ? 0.45 : 0.3);
  }
}

// A frame of width fw just outside the box.
void draw_frame(Canvas& c, const Box& b, double fw, uint32_t rgb) {
  c.fill_rect(b.x - fw, b.y - fw, b.w + 2 * fw, fw, rgb, 1);
  c.fill_rect(b.x - fw, b.b(), b.w + 2 * fw, fw, rgb, 1);
  c.fill_rect(b.x - fw, b.y, fw, b.h, rgb, 1);
  c.fill_rect(b.r(), b.y, fw, b.h, rgb, 1);
}

void draw_axes(Canvas& c, const Figure& fig, const Layout& lay, const Mapping& m, bool light_grid) {
  const Style& st = lay.st;
  const Theme& th = lay.th;
  const Box& p = lay.plot;
  const double fw = st.frame_w, tw = std::max(1.0, std::round(fw * 0.9));
  if (light_grid) {
    std::vector<Polyline> grid;
    for (double x : lay.xticks) grid.push_back({{std::round(m.px(x)) + 0.5, p.y}, {std::round(m.px(x)) + 0.5, p.b()}});
    for (double y : lay.yticks) grid.push_back({{p.x, std::round(m.py(y)) + 0.5}, {p.r(), std::round(m.py(y)) + 0.5}});
    c.polylines(grid, 1, th.ink == kInk ? 0xe3e3e3 : 0x3a3f48, 1);
  }
  // Frame and ticks as pixel-aligned rectangles: crisp in the PNG, exact in the SVG.
  draw_frame(c, p, fw, th.frame);
  TextStyle ts;
  ts.size = st.tick;
  ts.rgb = th.ink;
  ts.h = HAlign::centre;
  ts.v = VAlign::top;
  const double xlab_top = p.b() + fw + st.tick_len + st.gap;
  for (size_t i = 0; i < lay.xticks.size(); ++i) {
    const double x = m.px(lay.xticks[i]);
    c.fill_rect(std::round(x - tw / 2), p.b() + fw, tw, st.tick_len, th.frame, 1);
    c.text(x, xlab_top, lay.xlabels[i], ts);
  }
  ts.h = HAlign::right;
  ts.v = VAlign::middle;
  const double ylab_right = p.x - fw - st.tick_len - st.gap;
  for (size_t i = 0; i < lay.yticks.size(); ++i) {
    const double y = m.py(lay.yticks[i]);
    c.fill_rect(p.x - fw - st.tick_len, std::round(y - tw / 2), st.tick_len, tw, th.frame, 1);
    c.text(ylab_right, y, lay.ylabels[i], ts);
  }
  ts.size = st.label;
  if (!fig.xlabel.empty()) {
    ts.h = HAlign::centre;
    ts.v = VAlign::top;
    c.text(p.x + p.w / 2, xlab_top + st.tick * font_cap_height() + st.label * 0.55, fig.xlabel, ts);
  }
  if (!fig.ylabel.empty()) {
    ts.h = HAlign::centre;
    ts.v = VAlign::bottom;
    ts.vertical = true;
    c.text(ylab_right - lay.ytick_w - st.gap * 1.5, p.y + p.h / 2, fig.ylabel, ts);
  }
}

void draw_colourbar(Canvas& c, const ColourScale& sc, const std::vector<double>& levels, const std::vector<uint32_t>& table,
                    const Layout& lay) {
  const Style& st = lay.st;
  const Box& b = lay.cbar;
  HeatField f;
  f.nx = 2;
  f.ny = 256;
  f.table = table;
  for (int j = 0; j < f.ny; ++j) f.t.insert(f.t.end(), 2, j / 255.0f);
  c.heatmap(static_cast<int>(b.x), static_cast<int>(b.y), static_cast<int>(b.w), static_cast<int>(b.h), f);
  // The contour levels, as lines across the bar.
  std::vector<Polyline> marks_dark, marks_light;
  for (double level : levels) {
    const double t = sc.colour_value(level), y = b.b() - t * b.h;
    (luminance(table[static_cast<size_t>(std::lround(t * 255))]) < 0.5 ? marks_dark : marks_light).push_back({{b.x, y}, {b.r(), y}});
  }
  c.polylines(marks_dark, st.contour_w, kWhite, 0.6);
  c.polylines(marks_light, st.contour_w, 0x000000, 0.45);
  const double fw = std::max(1.0, std::round(st.frame_w * 0.8));
  draw_frame(c, b, fw, lay.th.frame);
  TextStyle ts;
  ts.size = st.tick;
  ts.rgb = lay.th.ink;
  ts.v = VAlign::middle;
  const double tw = std::max(1.0, std::round(st.frame_w * 0.9));
  for (const ColourTick& t : lay.cticks) {
    const double y = b.b() - t.t * b.h;
    c.fill_rect(b.r() + fw, std::round(y - tw / 2), st.tick_len * (t.label.empty() ? 0.6 : 1), tw, lay.th.frame, 1);
    c.text(b.r() + fw + st.tick_len + st.gap, y, t.label, ts);
  }
  if (!lay.ccaption.empty()) {
    ts.v = VAlign::bottom;
    ts.h = HAlign::left;
    c.text(b.x, b.y - fw - st.gap, lay.ccaption, ts);
  }
}

// The outline under a path: the contrasting halo when the colormap has the run's colour,
// else a thin dark one.
PathHalo path_outline(uint32_t rgb, const std::string& colormap) {
  const PathHalo h = path_halo(rgb, colormap);
  return h.alpha > 0 ? h : PathHalo{kOutline, 0.6};
}

void stroke_path(Canvas& c, const Style& st, const std::vector<Polyline>& pieces, uint32_t rgb, const std::string& colormap) {
  const PathHalo o = path_outline(rgb, colormap);
  c.polylines(pieces, st.run_w + 2 * st.outline_w * (o.rgb == kOutline ? 1 : 1.6), o.rgb, o.alpha);
  c.trajectory(pieces, st.run_w, rgb, 1);
}

// ZO probes: dots at theta +- eps z, or, with the point they were taken from, spokes from
// it magnified until they stand clear of it (probe_magnification), labelled "x k".
void draw_probes(Canvas& c, const FigureRun& r, const Layout& lay, const Mapping& m) {
  const Style& st = lay.st;
  const Box& p = lay.plot;
  if (!r.has_probe_from) {
    const double probe_r = std::max(1.0, st.marker_r * 0.35);
    for (const auto& q : r.probes) {
      const double x = m.px(q[0]), y = m.py(q[1]);
      if (p.contains(x, y)) c.circle(x, y, probe_r, 0, r.rgb, 0.55);
    }
    return;
  }
  if (r.probes.empty()) return;
  const double cx = m.px(r.probe_from[0]), cy = m.py(r.probe_from[1]);
  const double d0 = std::hypot(m.px(r.probes[0][0]) - cx, m.py(r.probes[0][1]) - cy);
  const double k = probe_magnification(static_cast<float>(d0), static_cast<float>(24 * st.s));
  TextStyle ts;
  ts.size = st.legend;
  ts.rgb = kWhite;
  ts.alpha = 0.9;
  ts.v = VAlign::middle;
  for (size_t i = 0; i < r.probes.size(); ++i) {
    const double x = cx + k * (m.px(r.probes[i][0]) - cx), y = cy + k * (m.py(r.probes[i][1]) - cy);
    if (!std::isfinite(x + y)) continue;
    c.polylines({{{cx, cy}, {x, y}}}, 1.2 * st.s, r.rgb, 0.8);
    c.circle(x, y, 4 * st.s, 1.5 * st.s, kWhite, 0.9);
    c.text(x + 5 * st.s, y - 4 * st.s, i == 0 ? "+" : "\u2212", ts);
    if (i == 0 && k > 1) {
      char mag[24];
      std::snprintf(mag, sizeof mag, "x %g", k);
      c.text(x + 5 * st.s, y + 7 * st.s, mag, ts);
    }
  }
}

void draw_runs(Canvas& c, const Figure& fig, const Layout& lay, const Mapping& m, const std::vector<RunGeometry>& geo,
               bool trajectories) {
  const Style& st = lay.st;
  const Box& p = lay.plot;
  c.push_clip(p.x, p.y, p.w, p.h);
  // Spread bands under everything else: the upper edge forward, the lower edge back.
  for (const FigureRun& r : fig.runs) {
    Polyline band;
    for (size_t k = 0; k < r.band_hi.size(); ++k) band.push_back({m.px(r.xs[k]), m.py(r.band_hi[k])});
    for (size_t k = r.band_lo.size(); k-- > 0;) band.push_back({m.px(r.xs[k]), m.py(r.band_lo[k])});
    c.fill_polygon(band, r.rgb, 0.18);
  }
  if (trajectories)
    for (size_t i = 0; i < fig.runs.size(); ++i) stroke_path(c, st, geo[i].pieces, fig.runs[i].rgb, fig.colormap);
  for (const FigureRun& r : fig.runs) draw_probes(c, r, lay, m);
  // Markers only near the plot: the clip hides the rest, and the SVG need not carry them.
  const double reach = st.marker_r * 3;
  const Box near = {p.x - reach, p.y - reach, p.w + 2 * reach, p.h + 2 * reach};
  for (const auto& q : fig.minima) {
    const double x = m.px(q[0]), y = m.py(q[1]);
    if (!near.contains(x, y)) continue;
    const Polyline s = star(x, y, st.marker_r * 1.7);
    c.fill_polygon(s, kWhite, 1);
    Polyline outline = s;
    outline.push_back(s.front());
    c.polylines({outline}, st.outline_w * 1.3, kOutline, 0.9);
  }
  const double r = st.marker_r;
  for (size_t i = 0; i < fig.runs.size(); ++i) {
    if (!geo[i].has_ends) continue;
    const uint32_t rgb = fig.runs[i].rgb;
    const auto& a = geo[i].first;
    const auto& b = geo[i].last;
    // Start: hollow ring; end: filled disc, or a cross when the run diverged.
    if (near.contains(a[0], a[1])) {
      c.circle(a[0], a[1], r, st.run_w * 0.9 + 2 * st.outline_w, kOutline, 0.8);
      c.circle(a[0], a[1], r, st.run_w * 0.9, rgb, 1);
    }
    if (!near.contains(b[0], b[1])) continue;
    if (fig.runs[i].diverged) {
      c.polylines(cross(b[0], b[1], r), st.run_w * 1.2 + 2 * st.outline_w, kOutline, 0.85);
      c.polylines(cross(b[0], b[1], r), st.run_w * 1.2, rgb, 1);
    } else {
      c.circle(b[0], b[1], r + st.outline_w, 0, kOutline, 0.85);
      c.circle(b[0], b[1], r, 0, rgb, 1);
    }
  }
  c.pop_clip();
}

// How much of the drawing a legend box would hide: the trajectory length under it, plus a
// large weight for each start/end marker and minimum (those must stay visible).
constexpr double kHidesMarker = 1e4;

double legend_cover(const Box& box, const Figure& fig, const Mapping& m, const std::vector<RunGeometry>& geo, double reach) {
  const Box grown = {box.x - reach, box.y - reach, box.w + 2 * reach, box.h + 2 * reach};
  double score = 0;
  for (const RunGeometry& g : geo) {
    for (const Polyline& piece : g.pieces)
      for (size_t i = 1; i < piece.size(); ++i) {
        std::array<double, 2> a = piece[i - 1], b = piece[i];
        if (clip_segment(a, b, grown)) score += std::hypot(b[0] - a[0], b[1] - a[1]);
      }
    if (g.has_ends) score += kHidesMarker * (grown.contains(g.first[0], g.first[1]) + grown.contains(g.last[0], g.last[1]));
  }
  for (const auto& q : fig.minima) score += kHidesMarker * grown.contains(m.px(q[0]), m.py(q[1]));
  return score;
}

// detail 2: label, legend_extra and "(diverged)"; 1: without legend_extra; 0: labels only;
// -1: colour swatches in rows at most max_w wide, no text. `diverged`: false leaves the
// "(diverged)" notes out at any detail.
Legend legend_rows(const Figure& fig, const Style& st, double max_h, int detail, double max_w = 1e300, bool diverged = true) {
  Legend lg;
  const double fs = st.legend;
  lg.row = fs * 1.45;
  lg.pad = fs * 0.6;
  lg.swatch = fs * 2;
  lg.space = fs * 0.45;
  const int n = static_cast<int>(fig.runs.size());
  if (detail < 0) {
    lg.swatches = true;
    for (const FigureRun& r : fig.runs) lg.entries.push_back({"", "", false, r.rgb});
    lg.swatch = fs;
    lg.per_row = std::clamp(static_cast<int>((max_w - lg.pad) / (lg.swatch + lg.pad)), 1, std::max(n, 1));
    const int rows = (n + lg.per_row - 1) / lg.per_row;
    lg.w = lg.pad + lg.per_row * (lg.swatch + lg.pad);
    lg.h = 2 * lg.pad + rows * lg.row * 0.8;
    return lg;
  }
  const int fit = std::max(1, static_cast<int>((max_h - 2 * lg.pad) / lg.row));
  const int shown = n <= fit ? n : std::max(0, fit - 1);
  for (int i = 0; i < shown; ++i) {
    const FigureRun& r = fig.runs[i];
    std::string label = r.label;
    if (label.empty()) label.append("run ").append(std::to_string(i + 1));
    lg.entries.push_back({label, detail >= 2 ? r.legend_extra : "", diverged && detail >= 1 && r.diverged, r.rgb});
  }
  if (shown < n) lg.more.append("+").append(std::to_string(n - shown)).append(" more");
  double text_w = text_width(lg.more, fs);
  for (const LegendEntry& e : lg.entries) {
    double w = text_width(e.label, fs);
    if (!e.extra.empty()) w += lg.space + text_width(e.extra, fs);
    if (e.diverged) w += lg.space + text_width("(diverged)", fs);
    text_w = std::max(text_w, w);
  }
  lg.text_x = lg.pad + lg.swatch + st.marker_r + lg.space;
  lg.w = lg.text_x + text_w + lg.pad;
  lg.h = 2 * lg.pad + lg.row * (lg.entries.size() + (lg.more.empty() ? 0 : 1));
  return lg;
}

// Labelled entries (as legend_rows at `detail`, every one) in as many columns as fit
// `max_w`, row by row: a legend under the plot. Without "(diverged)" (the path's end is a
// cross): a run diverging while the start is dragged must not add a row and move the plot.
Legend legend_grid(const Figure& fig, const Style& st, double max_w, int detail) {
  Legend lg = legend_rows(fig, st, 1e9, detail, 1e300, false);  // every entry
  const double entry_w = lg.w - lg.pad;  // pad, swatch and marker, text
  lg.col_w = entry_w + 2 * lg.pad;
  const int n = static_cast<int>(lg.entries.size());
  lg.cols = std::clamp(static_cast<int>((max_w - entry_w - 2 * lg.pad) / lg.col_w) + 1, 1, std::max(n, 1));
  const int rows = (n + lg.cols - 1) / lg.cols;
  lg.w = (lg.cols - 1) * lg.col_w + entry_w + lg.pad;
  lg.h = 2 * lg.pad + lg.row * rows;
  return lg;
}

// The legend's rows and size inside a plot of p: at most 60% of its width and half its
// height, dropping the legend_extra texts, then the "(diverged)" notes, then the labels
// (colour swatches only: a plot too small for any other place) as need be.
Legend legend_measure(const Figure& fig, const Style& st, const Box& p, double inset) {
  const double max_w = std::min(p.w - 2 * inset, 0.6 * p.w), max_h = std::min(p.h - 2 * inset, 0.5 * p.h);
  Legend lg;
  for (int detail = 2; detail >= 0; --detail) {
    lg = legend_rows(fig, st, p.h - 2 * inset, detail);
    if (lg.w <= max_w && lg.h <= max_h) return lg;
  }
  const Legend sw = legend_rows(fig, st, max_h, -1, max_w);
  return sw.w <= max_w && sw.h <= max_h ? sw : lg;
}

void draw_legend(Canvas& c, const Legend& lg, const Box& b, const Style& st, const Theme& th) {
  c.fill_rect(b.x, b.y, b.w, b.h, th.legend_fill, th.legend_alpha);
  c.polylines({{{b.x, b.y}, {b.r(), b.y}, {b.r(), b.b()}, {b.x, b.b()}, {b.x, b.y}}}, 1, th.legend_edge, 1);
  if (lg.swatches) {
    for (size_t i = 0; i < lg.entries.size(); ++i) {
      const size_t col = i % static_cast<size_t>(lg.per_row), row = i / static_cast<size_t>(lg.per_row);
      const double x = b.x + lg.pad + col * (lg.swatch + lg.pad), y = b.y + lg.pad + (row + 0.5) * lg.row * 0.8;
      c.polylines({{{x, y}, {x + lg.swatch, y}}}, st.run_w * 1.8, lg.entries[i].rgb, 1);
    }
    return;
  }
  TextStyle ts;
  ts.size = st.legend;
  ts.v = VAlign::middle;
  const size_t cols = static_cast<size_t>(std::max(lg.cols, 1));
  for (size_t i = 0; i < lg.entries.size(); ++i) {
    const LegendEntry& e = lg.entries[i];
    const double y = b.y + lg.pad + lg.row * (i / cols + 0.5), x0 = b.x + lg.col_w * (i % cols), x = x0 + lg.pad;
    const std::vector<Polyline> line = {{{x, y}, {x + lg.swatch, y}}};
    c.polylines(line, st.run_w + 2 * st.outline_w, kOutline, 0.6);
    c.polylines(line, st.run_w, e.rgb, 1);
    c.circle(x + lg.swatch, y, st.marker_r * 0.8 + st.outline_w, 0, kOutline, 0.85);
    c.circle(x + lg.swatch, y, st.marker_r * 0.8, 0, e.rgb, 1);
    double tx = x0 + lg.text_x;
    ts.rgb = th.legend_ink;
    c.text(tx, y, e.label, ts);
    tx += text_width(e.label, st.legend) + lg.space;
    if (!e.extra.empty()) {
      ts.rgb = th.legend_muted;
      c.text(tx, y, e.extra, ts);
      tx += text_width(e.extra, st.legend) + lg.space;
    }
    if (e.diverged) {
      ts.rgb = kDiverged;
      c.text(tx, y, "(diverged)", ts);
    }
  }
  if (!lg.more.empty()) {
    ts.rgb = th.legend_muted;
    c.text(b.x + lg.pad, b.y + lg.pad + lg.row * (lg.entries.size() + 0.5), lg.more, ts);
  }
}

// Runs are clipped a little outside the plot so that round caps end at the frame.
Box run_clip(const FigurePlan& pl) {
  const Box& p = pl.lay.plot;
  const double margin = pl.lay.st.run_w * 2 + 2;
  return {p.x - margin, p.y - margin, p.w + 2 * margin, p.h + 2 * margin};
}

void plan_geometry(const Figure& fig, FigurePlan& pl) {
  pl.map = {pl.domain[0], pl.domain[1], pl.domain[2], pl.domain[3], pl.lay.plot};
  const Box clip = run_clip(pl);
  pl.geo.assign(fig.runs.size(), RunGeometry{});
  for (size_t i = 0; i < fig.runs.size(); ++i) {
    RunGeometry& g = pl.geo[i];
    const FigureRun& r = fig.runs[i];
    if (!r.xs.empty()) g.pieces = to_pixels(r.xs, r.ys, 0, r.xs.size() - 1, pl.map, clip);
    std::array<double, 2> a, b;
    if (run_ends(r, a, b)) {
      g.first = {pl.map.px(a[0]), pl.map.py(a[1])};
      g.last = {pl.map.px(b[0]), pl.map.py(b[1])};
      g.has_ends = std::isfinite(g.first[0] + g.first[1] + g.last[0] + g.last[1]);
    }
  }
}

// Legend inside the plot at the corner or edge middle that hides the least (matplotlib's
// "best") when that hides no marker and little trajectory (under 5% of the plot's w + h)
// and every label fits; else outside: a column right of the colour bar or rows under the x
// axis, whichever leaves the equal-aspect plot (with fill, the room it fills) more area,
// unless even that halves it. Many runs in a narrow view (a 1024-px window) take the rows
// below: measured in docs/design-notes.md "Many runs".
FigurePlan plan_for(const Figure& fig, const std::array<double, 4>& dom, int W, int H, const FigureOptions& opt) {
  FigurePlan pl;
  pl.domain = dom;
  pl.has_grid = !fig.grid.empty();
  pl.has_scale = pl.has_grid || fig.fixed_scale;
  if (fig.fixed_scale) pl.scale = fig.scale;
  else if (pl.has_grid) pl.scale = colour_scale(fig.grid, fig.log_colour);
  const ColourScale* sc = pl.has_scale ? &pl.scale : nullptr;
  pl.lay = layout_for(fig, dom, sc, W, H, 0, opt);
  plan_geometry(fig, pl);
  if (fig.runs.empty() || !opt.legend) return pl;
  const LegendAt want = opt.legend_at != LegendAt::automatic ? opt.legend_at : fig.legend_at;
  const Style& st = pl.lay.st;
  const double inset = std::max(3.0, st.pad * 0.6);
  const Box& p = pl.lay.plot;
  pl.legend = legend_measure(fig, st, p, inset);
  const double bw = pl.legend.w, bh = pl.legend.h;
  const double left = p.x + inset, right = p.r() - inset - bw, centre = p.x + (p.w - bw) / 2;
  const double top = p.y + inset, bottom = p.b() - inset - bh, middle = p.y + (p.h - bh) / 2;
  const Box spots[8] = {{right, top, bw, bh},  {left, top, bw, bh},      {left, bottom, bw, bh},  {right, bottom, bw, bh},
                        {centre, top, bw, bh}, {centre, bottom, bw, bh}, {right, middle, bw, bh}, {left, middle, bw, bh}};
  double best_score = 1e300;
  for (const Box& spot : spots) {
    const double score = legend_cover(spot, fig, pl.map, pl.geo, st.marker_r * 1.5);
    if (score < best_score - 1e-9) {
      best_score = score;
      pl.legend_box = spot;
    }
  }
  const bool fits = best_score < 0.05 * (p.w + p.h) && bw < p.w - 2 * inset && !pl.legend.swatches && pl.legend.more.empty();
  if (want == LegendAt::inside || (want == LegendAt::automatic && fits)) {
    pl.legend_at = LegendAt::inside;
    return pl;
  }
  // The area of the plot at equal aspect in the room a layout leaves (with fill, the room).
  const double aspect = (dom[3] - dom[2]) / (dom[1] - dom[0]);
  const auto room = [&](const Layout& l) {
    const double w = l.avail.w, h = l.avail.h;
    return opt.fill || !(aspect > 0) || !std::isfinite(aspect) ? w * h : std::min(w * w * aspect, h * h / aspect);
  };
  const Legend column = legend_rows(fig, st, H - p.y - st.pad, 2);
  const Layout beside = layout_for(fig, dom, sc, W, H, column.w, opt);
  // Rows below: with the memory / cost notes unless they take more rows than labels alone.
  Legend rows = legend_grid(fig, st, W - 2 * st.pad, 2);
  if (const Legend plain = legend_grid(fig, st, W - 2 * st.pad, 0); plain.h < rows.h) rows = plain;
  const Layout under = layout_for(fig, dom, sc, W, H, 0, opt, rows.h);
  LegendAt at = want;
  if (at == LegendAt::automatic) {
    at = room(under) >= room(beside) ? LegendAt::below : LegendAt::right;
    if ((at == LegendAt::below ? room(under) : room(beside)) < 0.5 * room(pl.lay)) {
      pl.legend_at = LegendAt::inside;  // every outside place costs more than the legend hides
      return pl;
    }
  }
  pl.lay = at == LegendAt::below ? under : beside;
  plan_geometry(fig, pl);
  pl.legend_at = at;
  if (at == LegendAt::below) {
    pl.legend = rows;
    const double x = std::clamp(pl.lay.plot.x + (pl.lay.plot.w - rows.w) / 2, st.pad, std::max(st.pad, W - st.pad - rows.w));
    pl.legend_box = {x, pl.lay.legend.y, rows.w, rows.h};
  } else {
    pl.legend = column;
    pl.legend_box = {pl.lay.legend.x, pl.lay.legend.y, column.w, column.h};
  }
  return pl;
}

// `d` widened along one axis, about its centre, to the aspect of `a`.
std::array<double, 4> widen_to(const std::array<double, 4>& d0, const Box& a) {
  std::array<double, 4> d = d0;
  const double want = a.h / a.w, have = (d[3] - d[2]) / (d[1] - d[0]);
  if (!(want > 0) || !std::isfinite(want)) return d;
  if (have < want) {  // widen y about its centre
    const double c = 0.5 * (d[2] + d[3]), half = 0.5 * want * (d[1] - d[0]);
    d[2] = c - half;
    d[3] = c + half;
  } else {
    const double c = 0.5 * (d[0] + d[1]), half = 0.5 * (d[3] - d[2]) / want;
    d[0] = c - half;
    d[1] = c + half;
  }
  for (double v : d)  // a domain near the largest doubles cannot be widened: keep it
    if (!std::isfinite(v)) return d0;
  return d;
}

void png_append(void* ctx, void* data, int size) { static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size); }

}  // namespace

// [SECTION] public API

FigurePlan figure_plan(const Figure& fig, int W, int H, const FigureOptions& opt) {
  figure_validate(fig, W, H);
  const std::array<double, 4> dom = {fig.domain[0], fig.domain[1], fig.domain[2], fig.domain[3]};
  if (!opt.fill) return plan_for(fig, dom, W, H, opt);
  // The margins as laid out for the domain asked for; the domain widened to the room they
  // leave (the tick labels of the widened one may move the plot by a pixel or two), the
  // legend kept where it went (elsewhere the room would differ).
  const FigurePlan first = plan_for(fig, dom, W, H, opt);
  FigureOptions o = opt;
  o.legend_at = first.legend_at;
  return plan_for(fig, widen_to(dom, first.lay.avail), W, H, o);
}

std::vector<Polyline> figure_run_pieces(const FigurePlan& pl, const FigureRun& run, size_t from, size_t to) {
  return to_pixels(run.xs, run.ys, from, to, pl.map, run_clip(pl));
}

void figure_draw_path(Canvas& c, const FigurePlan& pl, const Figure& fig, size_t run, const std::vector<Polyline>& pieces) {
  const Box& p = pl.lay.plot;
  c.push_clip(p.x, p.y, p.w, p.h);
  stroke_path(c, pl.lay.st, pieces, fig.runs[run].rgb, fig.colormap);
  c.pop_clip();
}

void figure_draw(Canvas& c, const Figure& fig, const FigurePlan& pl, const FigureOptions& opt) {
  const Layout& lay = pl.lay;
  const Style& st = lay.st;
  const Mapping& m = pl.map;
  const std::vector<uint32_t> table = colormap_table(fig.colormap);
  const int W = lay.W, H = lay.H;
  if (!fig.title.empty()) {
    TextStyle ts;
    ts.size = lay.title_size;
    ts.rgb = lay.th.ink;
    ts.h = HAlign::centre;
    const double half = text_width(fig.title, ts.size) / 2;
    const double cx = std::clamp(lay.plot.x + lay.plot.w / 2, std::min(half + st.pad, W / 2.0), std::max(W - half - st.pad, W / 2.0));
    c.text(cx, lay.title_baseline, fig.title, ts);
  }
  if (pl.has_grid) {
    const std::vector<double> levels = contour_levels(pl.scale, fig.contour_levels);
    draw_heatmap(c, fig, pl.scale, table, lay.plot);
    c.push_clip(lay.plot.x, lay.plot.y, lay.plot.w, lay.plot.h);
    draw_contours(c, fig, pl.scale, levels, lay, m, pl.domain);
    c.pop_clip();
  }
  draw_axes(c, fig, lay, m, !pl.has_scale);
  if (pl.has_scale) draw_colourbar(c, pl.scale, contour_levels(pl.scale, fig.contour_levels), table, lay);
  draw_runs(c, fig, lay, m, pl.geo, opt.trajectories);
  if (pl.legend_box.w > 0) draw_legend(c, pl.legend, pl.legend_box, st, lay.th);
  if (!fig.stamp.empty()) {
    TextStyle ts;
    ts.size = st.stamp;
    ts.rgb = lay.th.stamp;
    ts.h = HAlign::right;
    ts.v = VAlign::bottom;
    c.text(W - st.pad * 0.6, H - st.pad * 0.4, fig.stamp, ts);
  }
}

Image figure_render_image(const Figure& fig, int w, int h, const FigureOptions& opt) {
  const FigurePlan pl = figure_plan(fig, w, h, opt);
  RasterCanvas c(w, h, kWhite);
  figure_draw(c, fig, pl, opt);
  return c.take_image();
}

std::string figure_render_svg(const Figure& fig, int w, int h, const FigureOptions& opt) {
  const FigurePlan pl = figure_plan(fig, w, h, opt);
  SvgCanvas c(w, h, kWhite);
  figure_draw(c, fig, pl, opt);
  return c.finish();
}

std::array<double, 4> figure_fill_domain(const Figure& fig, int w, int h, const FigureOptions& opt) {
  FigureOptions o = opt;
  o.fill = true;
  return figure_plan(fig, w, h, o).domain;
}

std::array<double, 4> figure_plot_rect(const Figure& fig, int w, int h) {
  const Box p = figure_plan(fig, w, h).lay.plot;
  return {p.x, p.y, p.w, p.h};
}

float probe_magnification(float offset_px, float min_px) {
  if (!(offset_px > 0) || !std::isfinite(offset_px) || offset_px >= min_px) return 1;
  float k = 1;
  while (offset_px * k < min_px && k < 1e9f) k *= 10;
  return k;
}

PathHalo path_halo(uint32_t rgb, const std::string& colormap) {
  if (!colormap_known(colormap)) return {};
  static std::mutex mu;
  static std::map<std::pair<uint32_t, std::string>, PathHalo> cache;
  const auto key = std::make_pair(rgb, colormap);
  std::lock_guard<std::mutex> lk(mu);
  if (const auto it = cache.find(key); it != cache.end()) return it->second;
  const auto ch = [](uint32_t c, int k) { return static_cast<double>((c >> (16 - 8 * k)) & 0xff); };
  double best = 1e9;
  for (uint32_t m : colormap_table(colormap)) {
    // Luma-weighted RGB distance (a cheap stand-in for a perceptual one).
    const double dr = ch(rgb, 0) - ch(m, 0), dg = ch(rgb, 1) - ch(m, 1), db = ch(rgb, 2) - ch(m, 2);
    best = std::min(best, std::sqrt(0.3 * dr * dr + 0.59 * dg * dg + 0.11 * db * db));
  }
  const PathHalo h = best >= 30 ? PathHalo{} : luminance(rgb) > 150.0 / 255 ? PathHalo{0x000000, 170 / 255.0} : PathHalo{kWhite, 110 / 255.0};
  cache.emplace(key, h);
  return h;
}

std::string png_encode(const Image& img) {
  if (img.w <= 0 || img.h <= 0 || img.rgba.size() != static_cast<size_t>(img.w) * img.h * 4)
    fail("png", "image " + std::to_string(img.w) + "x" + std::to_string(img.h) + " with " + std::to_string(img.rgba.size()) +
                    " bytes (need w, h > 0 and w*h*4 bytes)");
  std::string out;
  if (!stbi_write_png_to_func(png_append, &out, img.w, img.h, 4, img.rgba.data(), img.w * 4)) fail("png", "encoding failed");
  return out;
}

void png_write(const std::string& path, const Image& img) { atomic_write(path, png_encode(img)); }

}  // namespace zs
