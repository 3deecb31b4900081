// Vector layer of the 2-D landscape view (see overlay.h).
//
// [SECTION] index: transform | layout | trajectories and markers | axes | colourbar | legend
#include "app/gui/overlay.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>
#include "app/gui/app.h"
#include "core/export/ticks.h"

namespace zs::gui {

ImU32 rgb_u32(uint32_t rgb, float alpha) {
  return IM_COL32((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff, static_cast<int>(std::clamp(alpha, 0.f, 1.f) * 255.f));
}

namespace {
std::vector<double>& drawn_colourbar_ticks() {
  static std::vector<double> v;
  return v;
}
std::string& drawn_colourbar_caption() {
  static std::string c;
  return c;
}
}  // namespace

const std::vector<double>& landscape_colourbar_labels() { return drawn_colourbar_ticks(); }
const std::string& landscape_colourbar_caption() { return drawn_colourbar_caption(); }

// [SECTION] transform

ImVec2 ViewXform::to_screen(double x, double y) const {
  const double u = p0.x + (x - x0) / (x1 - x0) * (p1.x - p0.x);
  const double v = p1.y - (y - y0) / (y1 - y0) * (p1.y - p0.y);
  // Far-away points (diverging runs) are clamped so float vertex maths stays finite.
  return ImVec2(static_cast<float>(std::clamp(u, -1e6, 1e6)), static_cast<float>(std::clamp(v, -1e6, 1e6)));
}

void ViewXform::to_world(ImVec2 p, double& x, double& y) const {
  x = x0 + (p.x - p0.x) / static_cast<double>(p1.x - p0.x) * (x1 - x0);
  y = y0 + (p1.y - p.y) / static_cast<double>(p1.y - p0.y) * (y1 - y0);
}

ViewXform view_fit(const double domain[4], ImVec2 p0, ImVec2 p1) {
  ViewXform xf;
  xf.p0 = p0;
  xf.p1 = ImVec2(std::max(p1.x, p0.x + 1), std::max(p1.y, p0.y + 1));
  const double w = xf.p1.x - p0.x, h = xf.p1.y - p0.y;
  const double dw = domain[1] - domain[0], dh = domain[3] - domain[2];
  const double scale = std::max(dw / w, dh / h);  // world units per pixel
  const double cx = 0.5 * (domain[0] + domain[1]), cy = 0.5 * (domain[2] + domain[3]);
  xf.x0 = cx - 0.5 * w * scale;
  xf.x1 = cx + 0.5 * w * scale;
  xf.y0 = cy - 0.5 * h * scale;
  xf.y1 = cy + 0.5 * h * scale;
  return xf;
}

// [SECTION] layout

void overlay_plot_rect(ImVec2 r0, ImVec2 r1, const OverlayStyle& st, ImVec2& p0, ImVec2& p1) {
  const float s = st.s;
  const float left = st.axes ? 52 * s : 4 * s, bottom = st.axes ? 38 * s : 4 * s;
  const float right = st.colourbar ? 74 * s : 8 * s, top = st.title.empty() ? 20 * s : 44 * s;
  p0 = ImVec2(std::floor(r0.x + left), std::floor(r0.y + top));
  p1 = ImVec2(std::floor(std::max(p0.x + 16, r1.x - right)), std::floor(std::max(p0.y + 16, r1.y - bottom)));
}

namespace {

struct Ink {
  ImFont* font;
  float size;
  ImU32 text, text_dim, frame;
};

ImVec2 text_size(const Ink& ink, const char* s) { return ink.font->CalcTextSizeA(ink.size, 1e9f, 0, s); }

void text_at(ImDrawList* dl, const Ink& ink, ImVec2 p, ImU32 col, const char* s) {
  dl->AddText(ink.font, ink.size, ImVec2(std::round(p.x), std::round(p.y)), col, s);
}

// ImGui joins thick polylines with unlimited miters, which spike at the sharp turns ZO
// paths make at every step; the path is split there instead (the joint is covered by the
// lines' own anti-aliased ends).
void add_path(ImDrawList* dl, const std::vector<ImVec2>& pts, ImU32 col, float w) {
  const size_t n = pts.size();
  size_t begin = 0;
  for (size_t i = 1; i + 1 < n; ++i) {
    const ImVec2 a(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y), b(pts[i + 1].x - pts[i].x, pts[i + 1].y - pts[i].y);
    const float dot = a.x * b.x + a.y * b.y, la = a.x * a.x + a.y * a.y, lb = b.x * b.x + b.y * b.y;
    // Turns sharper than about 80 degrees (cos < 0.17).
    if (dot < 0.17f * std::sqrt(la * lb)) {
      dl->AddPolyline(pts.data() + begin, static_cast<int>(i - begin + 1), col, 0, w);
      begin = i;
    }
  }
  if (n >= 2 && begin + 1 < n) dl->AddPolyline(pts.data() + begin, static_cast<int>(n - begin), col, 0, w);
}

bool light_colour(uint32_t c) { return 0.2126 * (c >> 16 & 0xff) + 0.7152 * (c >> 8 & 0xff) + 0.0722 * (c & 0xff) > 150; }

void draw_star(ImDrawList* dl, ImVec2 c, float r, ImU32 fill, ImU32 ring, float ring_w) {
  ImVec2 pts[10];
  for (int k = 0; k < 10; ++k) {
    const float a = -1.5707963f + k * 0.62831853f;
    const float rr = (k % 2) ? 0.45f * r : r;
    pts[k] = ImVec2(c.x + rr * std::cos(a), c.y + rr * std::sin(a));
  }
  // A star is not convex: filled as a fan of triangles around its centre.
  for (int k = 0; k < 10; ++k) dl->AddTriangleFilled(c, pts[k], pts[(k + 1) % 10], fill);
  dl->AddPolyline(pts, 10, ring, ImDrawFlags_Closed, ring_w);
}

}  // namespace

// [SECTION] trajectories and markers

namespace {

float segment_dist2(ImVec2 p, ImVec2 a, ImVec2 b) {
  const float dx = b.x - a.x, dy = b.y - a.y, l2 = dx * dx + dy * dy;
  const float t = l2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / l2, 0.f, 1.f) : 0.f;
  const float ex = a.x + t * dx - p.x, ey = a.y + t * dy - p.y;
  return ex * ex + ey * ey;
}

}  // namespace

void decimate_polyline(std::vector<ImVec2>& pts, float tol) {
  const size_t n = pts.size();
  if (n <= 2) return;
  const float t2 = tol * tol;
  // A chord replaces at most this many points: bounds the work per point (a long straight
  // stretch then costs a vertex every kWindow points, which is still few).
  constexpr size_t kWindow = 48;
  // pts[0, out) are the kept points; the last of them, the anchor, is pts[a] of the input.
  // Kept points are written at or before a and only points after a are read: in place.
  size_t out = 1, a = 0;
  ImVec2 anchor = pts[0];
  for (size_t j = 2; j < n; ++j) {
    // Can the chord anchor -> pts[j] replace pts[a + 1 .. j - 1]? Most recent first: a
    // turn just made is the likeliest to fail.
    bool ok = j - a <= kWindow;
    for (size_t k = j - 1; ok && k > a; --k) ok = segment_dist2(pts[k], anchor, pts[j]) <= t2;
    if (!ok) {
      a = j - 1;
      anchor = pts[a];
      pts[out++] = anchor;
    }
  }
  pts[out++] = pts[n - 1];
  pts.resize(out);
}

void draw_trajectories(ImDrawList* dl, const App& app, const ViewXform& xf, float s, PathState& state,
                       const std::vector<int>& to_rows) {
  const Experiment& e = app.exp();
  const size_t n_runs = e.runs.size();
  state.rows.resize(n_runs, -1);
  state.last.resize(n_runs, ImVec2(-1e9f, -1e9f));
  dl->PushClipRect(xf.p0, xf.p1, true);
  std::vector<ImVec2> pts;
  for (size_t i = 0; i < n_runs && i < to_rows.size(); ++i) {
    const RunRecord* rec = app.record(static_cast<int>(i));
    const int k = to_rows[i];
    if (!e.runs[i].visible || !rec || k <= state.rows[i]) continue;
    const uint32_t c = e.runs[i].colour;
    // A path whose colour the colormap also has (yellow on viridis) would vanish where the
    // heatmap takes that colour: it gets a contrasting halo (path_halo); other light paths
    // a faint dark underlay.
    const ImU32 halo = path_halo(c, e.view.colormap);
    const bool light = halo != 0 || light_colour(c);
    const ImU32 col = rgb_u32(c, 0.95f), shade = halo != 0 ? halo : IM_COL32(0, 0, 0, 90);
    const auto flush = [&] {
      // Within half a pixel of the path: thousands of sub-pixel steps become a few
      // hundred segments, which a software rasteriser pays for per triangle.
      decimate_polyline(pts, 0.5f * s);
      if (light) add_path(dl, pts, shade, (halo != 0 ? 5.f : 4.f) * s);
      add_path(dl, pts, col, 2.f * s);
      pts.clear();
    };
    ImVec2& last = state.last[i];
    if (state.rows[i] >= 0 && last.x > -1e8f) pts.push_back(last);  // continue the earlier piece
    for (int r = state.rows[i] + 1; r <= k; ++r) {
      const StepRow& row = rec->rows[static_cast<size_t>(r)];
      if (!std::isfinite(row.x) || !std::isfinite(row.y)) {
        flush();
        last = ImVec2(-1e9f, -1e9f);
        continue;
      }
      const ImVec2 p = xf.to_screen(row.x, row.y);
      pts.push_back(p);
      last = p;
    }
    flush();
    state.rows[i] = k;
  }
  dl->PopClipRect();
}

void draw_followed_paths(ImDrawList* dl, const App& app, const ViewXform& xf, float s) {
  dl->PushClipRect(xf.p0, xf.p1, true);
  std::vector<ImVec2> pts;
  for (const RunRecord& rec : app.results().followed) {
    const ImU32 col = rgb_u32(rec.colour, 0.9f);
    const auto flush = [&] {
      decimate_polyline(pts, 0.5f * s);
      add_path(dl, pts, IM_COL32(0, 0, 0, 90), 3.5f * s);
      add_path(dl, pts, col, 1.5f * s);
      pts.clear();
    };
    ImVec2 end(-1e9f, -1e9f);
    for (const StepRow& row : rec.rows) {
      if (!std::isfinite(row.x) || !std::isfinite(row.y)) {
        flush();
        continue;
      }
      pts.push_back(end = xf.to_screen(row.x, row.y));
    }
    flush();
    // The newest point: a ring (a followed run has no playback marker of its own).
    if (end.x > -1e8f) {
      dl->AddCircleFilled(end, 4.5f * s, IM_COL32(0, 0, 0, 120));
      dl->AddCircle(end, 4.5f * s, col, 0, 2.f * s);
    }
  }
  dl->PopClipRect();
}

ImU32 path_halo(uint32_t rgb, const std::string& colormap) {
  if (!colormap_known(colormap)) return 0;
  static std::map<std::pair<uint32_t, std::string>, ImU32> cache;
  const auto key = std::make_pair(rgb, colormap);
  if (const auto it = cache.find(key); it != cache.end()) return it->second;
  const auto ch = [](uint32_t c, int k) { return static_cast<double>((c >> (16 - 8 * k)) & 0xff); };
  double best = 1e9;
  for (uint32_t m : colormap_table(colormap)) {
    // Luma-weighted RGB distance (a cheap stand-in for a perceptual one).
    const double dr = ch(rgb, 0) - ch(m, 0), dg = ch(rgb, 1) - ch(m, 1), db = ch(rgb, 2) - ch(m, 2);
    best = std::min(best, std::sqrt(0.3 * dr * dr + 0.59 * dg * dg + 0.11 * db * db));
  }
  const ImU32 h = best >= 30 ? 0 : light_colour(rgb) ? IM_COL32(0, 0, 0, 170) : IM_COL32(255, 255, 255, 110);
  cache.emplace(key, h);
  return h;
}

bool step_internals(const App& app, int run, StepInternals& out) {
  const Scene* sc = app.scene();
  const RunRecord* rec = app.record(run);
  const int k = app.cursor_row(run);
  if (!sc || !rec || k < 1 || sc->landscape->dim() != 2) return false;
  const StepRow& prev = rec->rows[static_cast<size_t>(k - 1)];
  const StepRow& row = rec->rows[static_cast<size_t>(k)];
  if (!std::isfinite(prev.x) || !std::isfinite(row.x)) return false;
  out = StepInternals();
  out.run = run;
  out.row = k;
  out.at[0] = prev.x;
  out.at[1] = prev.y;
  out.update[0] = row.x - prev.x;
  out.update[1] = row.y - prev.y;
  sc->landscape->gradient(out.at, out.grad);
  const auto eps_it = rec->hp.find("eps");
  // Methods that probe theta +- eps z with plain directions z (HiZOO scales z by its
  // Hessian estimate, AdaNAGED and R-AdaZO probe otherwise: no estimate is rebuilt).
  const std::string& id = rec->optimizer;
  const bool plain = id == "mezo" || id.rfind("zo_sgd", 0) == 0 || id.rfind("zo_adam", 0) == 0 || id == "adamezo";
  if (plain && std::isfinite(row.probe_plus_x) && std::isfinite(row.probe_minus_x) && eps_it != rec->hp.end() && eps_it->second > 0) {
    // Two-sided probes theta +- eps z: z and the directional difference give the estimate.
    const double eps = eps_it->second;
    const double pp[2] = {row.probe_plus_x, row.probe_plus_y}, pm[2] = {row.probe_minus_x, row.probe_minus_y};
    const double proj = (sc->landscape->value(pp) - sc->landscape->value(pm)) / (2 * eps);
    out.zo[0] = proj * (pp[0] - pm[0]) / (2 * eps);
    out.zo[1] = proj * (pp[1] - pm[1]) / (2 * eps);
    out.has_zo = std::isfinite(out.zo[0]) && std::isfinite(out.zo[1]);
  }
  out.alpha[0] = row.alpha_x;
  out.alpha[1] = row.alpha_y;
  out.adaptive = std::isfinite(row.alpha_x) && std::isfinite(row.alpha_y) && row.alpha_x > 0 && row.alpha_y > 0 &&
                 std::fabs(row.alpha_x - row.alpha_y) > 1e-9 * std::max(row.alpha_x, row.alpha_y);
  return true;
}

int run_at_marker(const App& app, const ViewXform& xf, ImVec2 mouse, float radius) {
  int best = -1;
  float best_d = radius;
  for (int i = 0; i < static_cast<int>(app.exp().runs.size()); ++i) {
    const RunRecord* rec = app.record(i);
    if (!rec || !app.exp().runs[static_cast<size_t>(i)].visible) continue;
    const StepRow& row = rec->rows[static_cast<size_t>(std::max(0, app.cursor_row(i)))];
    if (!std::isfinite(row.x) || !std::isfinite(row.y)) continue;
    const ImVec2 p = xf.to_screen(row.x, row.y);
    const float d = std::hypot(p.x - mouse.x, p.y - mouse.y);
    if (d <= best_d) {
      best_d = d;
      best = i;
    }
  }
  return best;
}

namespace {
void arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float w) {
  const float dx = b.x - a.x, dy = b.y - a.y, len = std::hypot(dx, dy);
  if (!(len > 1)) return;
  const float ux = dx / len, uy = dy / len, h = std::min(9.f, 0.4f * len);
  const ImVec2 base(b.x - ux * h, b.y - uy * h);
  dl->AddLine(a, base, col, w);
  dl->AddTriangleFilled(b, ImVec2(base.x - uy * h * 0.5f, base.y + ux * h * 0.5f), ImVec2(base.x + uy * h * 0.5f, base.y - ux * h * 0.5f), col);
}
}  // namespace

void draw_step_internals(ImDrawList* dl, const App& app, const ViewXform& xf, int run) {
  StepInternals in;
  if (run < 0 || !step_internals(app, run, in)) return;
  const RunSpec& spec = app.exp().runs[static_cast<size_t>(run)];
  const ImVec2 c = xf.to_screen(in.at[0], in.at[1]);
  const double ppu = xf.px_per_unit();
  // Screen vectors (y up in the world, down on screen).
  const auto scr = [&](const double v[2], double k) { return ImVec2(c.x + static_cast<float>(v[0] * k * ppu), c.y - static_cast<float>(v[1] * k * ppu)); };
  dl->PushClipRect(xf.p0, xf.p1, true);
  // The per-dimension step sizes: an ellipse with semi-axes in their ratio, 36 px at most.
  if (in.adaptive) {
    const double amax = std::max(in.alpha[0], in.alpha[1]);
    const float rx = static_cast<float>(36 * in.alpha[0] / amax), ry = static_cast<float>(36 * in.alpha[1] / amax);
    std::vector<ImVec2> e;
    for (int t = 0; t < 48; ++t) {
      const float a = 6.2831853f * static_cast<float>(t) / 48;
      e.emplace_back(c.x + std::max(rx, 1.f) * std::cos(a), c.y + std::max(ry, 1.f) * std::sin(a));
    }
    dl->AddConvexPolyFilled(e.data(), static_cast<int>(e.size()), rgb_u32(spec.colour, 0.18f));
    dl->AddPolyline(e.data(), static_cast<int>(e.size()), rgb_u32(spec.colour, 0.9f), ImDrawFlags_Closed, 1.5f);
  }
  // -gradient and -ZO estimate on one scale: the longer is 70 px.
  const double ng = std::hypot(in.grad[0], in.grad[1]), nz = in.has_zo ? std::hypot(in.zo[0], in.zo[1]) : 0;
  const double gk = std::max(ng, nz) > 0 ? 70 / (std::max(ng, nz) * ppu) : 0;
  const double mg[2] = {-in.grad[0], -in.grad[1]}, mz[2] = {-in.zo[0], -in.zo[1]};
  arrow(dl, c, scr(mg, gk), IM_COL32(255, 255, 255, 230), 2.f);
  if (in.has_zo) arrow(dl, c, scr(mz, gk), IM_COL32(255, 120, 200, 230), 2.f);
  // The update, magnified 10^n until it is 40 px long.
  const float k = probe_magnification(static_cast<float>(std::hypot(in.update[0], in.update[1]) * ppu), 40);
  arrow(dl, c, scr(in.update, k), rgb_u32(spec.colour), 3.f);
  dl->PopClipRect();
  char buf[256];
  const double cosv = ng > 0 ? -(in.update[0] * in.grad[0] + in.update[1] * in.grad[1]) / (std::hypot(in.update[0], in.update[1]) * ng) : NAN;
  int n = std::snprintf(buf, sizeof buf, "%s, step %d: update%s (colour), -gradient (white)", spec.label.c_str(), in.row,
                        k > 1 ? (" x " + std::to_string(static_cast<long long>(k))).c_str() : "");
  if (in.has_zo && n > 0) n += std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ", -ZO estimate (pink, |est| / |grad| = %.3g)", ng > 0 ? nz / ng : NAN);
  if (n > 0) n += std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), "; cos(update, -grad) = %.3f", cosv);
  if (in.adaptive && n > 0) std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), "; step sizes alpha_x / alpha_y = %.3g (ellipse)", in.alpha[0] / in.alpha[1]);
  // Bottom left, above the hover read-out (the legend takes a top corner).
  const ImVec2 ts = ImGui::CalcTextSize(buf, nullptr, false, xf.p1.x - xf.p0.x - 16);
  const ImVec2 p(xf.p0.x + 6, xf.p1.y - ts.y - 2.2f * ImGui::GetFontSize() - 6);
  dl->AddRectFilled(ImVec2(p.x - 4, p.y - 2), ImVec2(p.x + ts.x + 4, p.y + ts.y + 2), IM_COL32(10, 12, 16, 210), 3);
  dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), p, IM_COL32(235, 236, 240, 255), buf, nullptr, xf.p1.x - xf.p0.x - 16);
}

float probe_magnification(float offset_px, float min_px) {
  if (!(offset_px > 0) || !std::isfinite(offset_px) || offset_px >= min_px) return 1;
  float k = 1;
  while (offset_px * k < min_px && k < 1e9f) k *= 10;
  return k;
}

int legend_mode(ImVec2 full, ImVec2 compact, ImVec2 plot) {
  const auto fits = [&](ImVec2 b) { return b.x <= 0.6f * plot.x && b.y <= 0.5f * plot.y; };
  return fits(full) ? 0 : fits(compact) ? 1 : 2;
}

void draw_landscape_overlay(ImDrawList* dl, const App& app, const ViewXform& xf, const OverlayStyle& st) {
  PathState paths;
  std::vector<int> rows;
  for (int i = 0; i < static_cast<int>(app.exp().runs.size()); ++i) rows.push_back(app.cursor_row(i));
  draw_trajectories(dl, app, xf, st.s, paths, rows);
  draw_followed_paths(dl, app, xf, st.s);
  draw_landscape_markup(dl, app, xf, st);
}

void draw_landscape_markup(ImDrawList* dl, const App& app, const ViewXform& xf, const OverlayStyle& st) {
  const Scene* scene = app.scene();
  if (!scene) return;
  const Experiment& e = app.exp();
  const float s = st.s;
  // UI text at the font's native size (its atlas is sampled nearest); exports scale theirs.
  Ink ink{st.font ? st.font : ImGui::GetFont(), st.font ? 13.5f * s : ImGui::GetFontSize(), 0, 0, 0};
  ink.text = st.light ? IM_COL32(25, 25, 25, 255) : IM_COL32(225, 228, 235, 255);
  ink.text_dim = st.light ? IM_COL32(70, 70, 70, 255) : IM_COL32(160, 166, 178, 255);
  ink.frame = st.light ? IM_COL32(40, 40, 40, 255) : IM_COL32(120, 126, 138, 255);
  const int n_runs = static_cast<int>(e.runs.size());

  // Legend lines and size first: its corner is the one the paths cross least.
  // A small view collapses it: labels without the memory / FP details, then colour
  // swatches only (legend_mode).
  std::vector<std::pair<int, std::string>> legend_lines;
  float legend_w = 0, compact_w = 0;
  if (st.legend) {
    for (int i = 0; i < n_runs; ++i) {
      const RunSpec& spec = e.runs[static_cast<size_t>(i)];
      if (!spec.visible) continue;
      const RunRecord* rec = app.record(i);
      std::string l = spec.label;
      compact_w = std::max(compact_w, text_size(ink, (l + (rec && rec->diverged ? ", diverged" : "")).c_str()).x);
      if (rec) l += "   " + rec->legend;
      if (rec && rec->diverged) l += ", diverged";
      legend_w = std::max(legend_w, text_size(ink, l.c_str()).x);
      legend_lines.emplace_back(i, std::move(l));
    }
  }
  const float lh = ink.size * 1.3f, sw = 18 * s, pad = 7 * s, margin = 8 * s;
  const float rows_h = pad * 2 + lh * static_cast<float>(legend_lines.size());
  const ImVec2 plot_size(xf.p1.x - xf.p0.x, xf.p1.y - xf.p0.y);
  const int mode = legend_mode(ImVec2(legend_w + sw + pad * 3, rows_h), ImVec2(compact_w + sw + pad * 3, rows_h), plot_size);
  if (mode == 1)
    for (auto& [i, l] : legend_lines) {
      const RunRecord* rec = app.record(i);
      l = e.runs[static_cast<size_t>(i)].label + (rec && rec->diverged ? ", diverged" : "");
    }
  const float swatch = 0.6f * sw;
  const ImVec2 lsize = mode == 0   ? ImVec2(legend_w + sw + pad * 3, rows_h)
                       : mode == 1 ? ImVec2(compact_w + sw + pad * 3, rows_h)
                                   : ImVec2(pad + static_cast<float>(legend_lines.size()) * (swatch + pad), lh + 2 * pad);
  const ImVec2 corners[4] = {ImVec2(xf.p1.x - margin - lsize.x, xf.p0.y + margin), ImVec2(xf.p0.x + margin, xf.p0.y + margin),
                             ImVec2(xf.p1.x - margin - lsize.x, xf.p1.y - margin - lsize.y),
                             ImVec2(xf.p0.x + margin, xf.p1.y - margin - lsize.y)};
  int crossings[4] = {0, 0, 0, 0};
  const auto count = [&](ImVec2 p, int weight) {
    for (int k = 0; k < 4; ++k)
      if (p.x >= corners[k].x && p.x <= corners[k].x + lsize.x && p.y >= corners[k].y && p.y <= corners[k].y + lsize.y)
        crossings[k] += weight;
  };

  // Legend placement counts the paths' points in each candidate corner (no drawing).
  if (!legend_lines.empty()) {
    for (int i = 0; i < n_runs; ++i) {
      const RunRecord* rec = app.record(i);
      if (!e.runs[static_cast<size_t>(i)].visible || !rec) continue;
      const int k = app.cursor_row(i);
      for (int r = 0; r <= k; ++r) {
        const StepRow& row = rec->rows[static_cast<size_t>(r)];
        if (std::isfinite(row.x) && std::isfinite(row.y)) count(xf.to_screen(row.x, row.y), 1);
      }
    }
  }
  dl->PushClipRect(xf.p0, xf.p1, true);
  for (int i = 0; i < n_runs; ++i) {
    const RunSpec& spec = e.runs[static_cast<size_t>(i)];
    const RunRecord* rec = app.record(i);
    if (!spec.visible || !rec) continue;
    const int k = app.cursor_row(i);
    if (e.view.show_probes && k > 0) {
      // The probes of the step that led to the cursor point: theta +- eps z.
      const StepRow& row = rec->rows[static_cast<size_t>(k)];
      const StepRow& prev = rec->rows[static_cast<size_t>(k - 1)];
      if (std::isfinite(row.probe_plus_x)) {
        // At eps 1e-3 the probes sit within a pixel of theta: drawn k = 10^n times further
        // out (same direction) until they are 24 px away, labelled "x k".
        const ImVec2 c = xf.to_screen(prev.x, prev.y);
        const ImVec2 pp0 = xf.to_screen(row.probe_plus_x, row.probe_plus_y);
        const float k = probe_magnification(std::hypot(pp0.x - c.x, pp0.y - c.y), 24 * s);
        const auto out = [&](ImVec2 p) { return ImVec2(c.x + k * (p.x - c.x), c.y + k * (p.y - c.y)); };
        const ImVec2 pp = out(pp0);
        dl->AddLine(c, pp, rgb_u32(spec.colour, 0.8f), 1.2f * s);
        dl->AddCircle(pp, 4.f * s, IM_COL32(255, 255, 255, 230), 16, 1.5f * s);
        dl->AddText(ink.font, ink.size, ImVec2(pp.x + 5 * s, pp.y - 8 * s), IM_COL32(255, 255, 255, 220), "+");
        if (k > 1) {
          char mag[24];
          std::snprintf(mag, sizeof mag, "x %g", static_cast<double>(k));
          text_at(dl, ink, ImVec2(pp.x + 5 * s, pp.y + 2 * s), IM_COL32(255, 255, 255, 200), mag);
        }
        if (std::isfinite(row.probe_minus_x)) {
          const ImVec2 pm = out(xf.to_screen(row.probe_minus_x, row.probe_minus_y));
          dl->AddLine(c, pm, rgb_u32(spec.colour, 0.8f), 1.2f * s);
          dl->AddCircle(pm, 4.f * s, IM_COL32(255, 255, 255, 230), 16, 1.5f * s);
          dl->AddText(ink.font, ink.size, ImVec2(pm.x + 5 * s, pm.y - 8 * s), IM_COL32(255, 255, 255, 220), "-");
        }
      }
    }
  }

  // Known minima (projected; only those inside the view are visible anyway).
  const LandscapeInfo& info = scene->landscape->info();
  for (const auto& m : info.minima) {
    if (static_cast<int>(m.size()) != scene->landscape->dim()) continue;
    const Eigen::Vector2d q = scene->proj.project(Eigen::Map<const Eigen::VectorXd>(m.data(), static_cast<Eigen::Index>(m.size())));
    draw_star(dl, xf.to_screen(q[0], q[1]), 7.5f * s, IM_COL32(255, 255, 255, 235), IM_COL32(0, 0, 0, 200), 1.2f * s);
    count(xf.to_screen(q[0], q[1]), 1000);
  }
  // End points at the cursor, then the shared start on top.
  for (int i = 0; i < n_runs; ++i) {
    const RunSpec& spec = e.runs[static_cast<size_t>(i)];
    const RunRecord* rec = app.record(i);
    if (!spec.visible || !rec) continue;
    const int k = app.cursor_row(i);
    const StepRow& row = rec->rows[static_cast<size_t>(k)];
    if (!std::isfinite(row.x) || !std::isfinite(row.y)) continue;
    const ImVec2 p = xf.to_screen(row.x, row.y);
    const bool diverged = rec->diverged && k + 1 == static_cast<int>(rec->rows.size());
    if (diverged) {
      const float r = 5.f * s;
      dl->AddLine(ImVec2(p.x - r, p.y - r), ImVec2(p.x + r, p.y + r), IM_COL32(0, 0, 0, 220), 4.f * s);
      dl->AddLine(ImVec2(p.x - r, p.y + r), ImVec2(p.x + r, p.y - r), IM_COL32(0, 0, 0, 220), 4.f * s);
      dl->AddLine(ImVec2(p.x - r, p.y - r), ImVec2(p.x + r, p.y + r), rgb_u32(spec.colour), 2.f * s);
      dl->AddLine(ImVec2(p.x - r, p.y + r), ImVec2(p.x + r, p.y - r), rgb_u32(spec.colour), 2.f * s);
    } else {
      dl->AddCircleFilled(p, 5.f * s, rgb_u32(spec.colour), 20);
      dl->AddCircle(p, 5.f * s, IM_COL32(255, 255, 255, 230), 20, 1.5f * s);
    }
  }
  const Eigen::Vector2d st0 = scene->proj.project(scene->start);
  const ImVec2 sp = xf.to_screen(st0[0], st0[1]);
  count(sp, 1000);
  dl->AddCircleFilled(sp, 6.f * s, IM_COL32(255, 255, 255, 240), 24);
  dl->AddCircle(sp, 6.f * s, IM_COL32(20, 20, 20, 230), 24, 2.f * s);
  dl->AddCircleFilled(sp, 2.f * s, IM_COL32(20, 20, 20, 230), 12);
  dl->PopClipRect();

  // [SECTION] axes
  dl->AddRect(ImVec2(xf.p0.x - 0.5f, xf.p0.y - 0.5f), ImVec2(xf.p1.x + 0.5f, xf.p1.y + 0.5f), ink.frame, 0, 0, 1.f * s);
  if (st.axes) {
    const float tick = 5 * s;
    const int nx = std::max(3, static_cast<int>((xf.p1.x - xf.p0.x) / (90 * s)));
    for (double v : nice_ticks(xf.x0, xf.x1, nx)) {
      const float x = xf.to_screen(v, 0).x;
      dl->AddLine(ImVec2(x, xf.p1.y), ImVec2(x, xf.p1.y + tick), ink.frame, 1.f * s);
      const std::string l = tick_label(v);
      const ImVec2 ts = text_size(ink, l.c_str());
      text_at(dl, ink, ImVec2(x - ts.x / 2, xf.p1.y + tick + 2 * s), ink.text_dim, l.c_str());
    }
    const int ny = std::max(3, static_cast<int>((xf.p1.y - xf.p0.y) / (60 * s)));
    for (double v : nice_ticks(xf.y0, xf.y1, ny)) {
      const float y = xf.to_screen(0, v).y;
      dl->AddLine(ImVec2(xf.p0.x - tick, y), ImVec2(xf.p0.x, y), ink.frame, 1.f * s);
      const std::string l = tick_label(v);
      const ImVec2 ts = text_size(ink, l.c_str());
      text_at(dl, ink, ImVec2(xf.p0.x - tick - 3 * s - ts.x, y - ts.y / 2), ink.text_dim, l.c_str());
    }
    std::string xl = "x", yl = "y";
    if (scene->proj.kind == Projection::Coords) {
      xl = "x[" + std::to_string(scene->proj.c0) + "]";
      yl = "x[" + std::to_string(scene->proj.c1) + "]";
    } else if (scene->proj.kind == Projection::Plane) {
      xl = "u (plane through the start)";
      yl = "v";
    }
    const ImVec2 xs = text_size(ink, xl.c_str());
    text_at(dl, ink, ImVec2(0.5f * (xf.p0.x + xf.p1.x) - xs.x / 2, xf.p1.y + tick + 2 * s + ink.size * 1.15f), ink.text,
            xl.c_str());
    // The y label above the tick labels' column, clear of the top tick label.
    const ImVec2 ys = text_size(ink, yl.c_str());
    text_at(dl, ink, ImVec2(xf.p0.x - 50 * s, xf.p0.y - ys.y - 3 * s), ink.text, yl.c_str());
  }
  if (!st.title.empty()) {
    Ink big = ink;
    big.size = 17.f * s;
    const ImVec2 ts = text_size(big, st.title.c_str());
    text_at(dl, big, ImVec2(0.5f * (xf.p0.x + xf.p1.x) - ts.x / 2, xf.p0.y - ts.y - 10 * s), ink.text, st.title.c_str());
  }

  // [SECTION] colourbar
  const ColourScale& sc = st.scale ? *st.scale : app.results().scale;
  if (st.colourbar && app.results().grid) {
    const float x0 = xf.p1.x + 10 * s, x1 = x0 + 13 * s;
    const float y0 = xf.p0.y, y1 = xf.p1.y;
    const int segs = 64;
    for (int k = 0; k < segs; ++k) {
      const double ta = static_cast<double>(k) / segs, tb = static_cast<double>(k + 1) / segs;
      const ImU32 ca = rgb_u32(colormap_rgb(e.view.colormap, ta)), cb = rgb_u32(colormap_rgb(e.view.colormap, tb));
      const float ya = y1 - static_cast<float>(ta) * (y1 - y0), yb = y1 - static_cast<float>(tb) * (y1 - y0);
      dl->AddRectFilledMultiColor(ImVec2(x0, yb), ImVec2(x1, ya + 0.5f), cb, cb, ca, ca);
    }
    dl->AddRect(ImVec2(x0, y0), ImVec2(x1, y1), ink.frame, 0, 0, 1.f * s);
    // Ticks and caption by the exporter's rule (colour_bar_ticks, colormap.h).
    std::vector<double>& drawn = drawn_colourbar_ticks();
    drawn.clear();
    float last_y = 1e9f;
    for (const ColourBarTick& tk : colour_bar_ticks(sc, y1 - y0, 45 * s, ink.size * 1.05f)) {
      if (!(tk.t >= 0 && tk.t <= 1)) continue;
      const float y = y1 - static_cast<float>(tk.t) * (y1 - y0);
      dl->AddLine(ImVec2(x1, y), ImVec2(x1 + (tk.labelled ? 4 : 2.5f) * s, y), ink.frame, 1.f * s);
      if (!tk.labelled || std::fabs(last_y - y) < ink.size * 1.05f) continue;
      last_y = y;
      const std::string l = tick_label(tk.label);
      const ImVec2 ts = text_size(ink, l.c_str());
      text_at(dl, ink, ImVec2(x1 + 6 * s, y - ts.y / 2), ink.text_dim, l.c_str());
      drawn.push_back(tk.label);
    }
    const std::string caption = colour_bar_caption(sc, "f", "-");
    drawn_colourbar_caption() = caption;
    const ImVec2 cs = text_size(ink, caption.c_str());
    text_at(dl, ink, ImVec2(std::min(x0, xf.p1.x + 74 * s - cs.x - 2 * s), y0 - cs.y - 2 * s), ink.text_dim, caption.c_str());
  }

  // [SECTION] legend
  if (!legend_lines.empty()) {
    const int best = static_cast<int>(std::min_element(crossings, crossings + 4) - crossings);
    const ImVec2 b0 = corners[best], b1(b0.x + lsize.x, b0.y + lsize.y);
    dl->AddRectFilled(b0, b1, st.light ? IM_COL32(255, 255, 255, 215) : IM_COL32(14, 16, 20, 190), 4 * s);
    dl->AddRect(b0, b1, st.light ? IM_COL32(0, 0, 0, 90) : IM_COL32(255, 255, 255, 40), 4 * s, 0, 1.f * s);
    float y = b0.y + pad;
    float x = b0.x + pad;
    for (const auto& [i, l] : legend_lines) {
      const uint32_t c = e.runs[static_cast<size_t>(i)].colour;
      if (mode == 2) {
        dl->AddLine(ImVec2(x, y + lh / 2), ImVec2(x + swatch, y + lh / 2), rgb_u32(c), 4.f * s);
        x += swatch + pad;
        continue;
      }
      dl->AddLine(ImVec2(b0.x + pad, y + lh / 2), ImVec2(b0.x + pad + sw, y + lh / 2), rgb_u32(c), 3.f * s);
      text_at(dl, ink, ImVec2(b0.x + pad * 2 + sw, y + (lh - ink.size) / 2), ink.text, l.c_str());
      y += lh;
    }
  }
}

}  // namespace zs::gui
