// Plotting module (see plot.h). One plot is in progress at a time (immediate mode): begin()
// fixes the limits and draws axes, series draw at once, end() adds legend and read-out and
// records the data extents that autoscale uses on the next frame.
//
// [SECTION] index: context | axes | series | legend and read-out
#include "app/gui/plot.h"
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <vector>
#include "core/export/decimate.h"
#include "core/export/ticks.h"

namespace zs::gui::plot {

// [SECTION] context

namespace {

struct Series {
  std::string label;
  ImU32 colour;
  const double* xs;
  const double* ys;
  int n;
};

using Scale = AxisScale;

struct Ctx {
  PlotState* st = nullptr;
  ImDrawList* dl = nullptr;   // where series go: the window, or the layer being rebuilt
  ImDrawList* win = nullptr;  // the window's draw list (frame, labels, cursor, read-out)
  bool cached = false;        // series come from the layer texture this frame
  bool building = false;      // series are drawn into the layer
  uint64_t key = 0;
  ImVec2 f0, f1;  // frame
  ImVec2 a0, a1;  // plot area
  Scale sx, sy;
  Range x, y;     // limits in use, in data units
  double xa = 0, xs = 1, ya = 0, ys = 1;  // axis-space origin and pixels per unit
  bool hovered = false, dragged = false;
  PlotPools pools;  // every usable point per legend entry (core's autoscale)
  std::vector<std::pair<std::string, ImU32>> legend;
  std::vector<Series> series;
  std::vector<ImVec2> pts;
  std::vector<std::pair<float, ImU32>> vlines;
  float title_end = 0;
  std::string title;       // as given to begin()
  bool title_cut = false;  // drawn shortened
};
Ctx g;
LayerRenderer* g_renderer = nullptr;
uint64_t g_renderer_gen = 1;
ImDrawList* g_layer = nullptr;  // reused between plots and frames

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}
uint64_t mix_double(uint64_t h, double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return mix(h, b);
}

double fwd(double v, const Scale& s) { return axis_fwd(v, s); }
double inv(double u, const Scale& s) { return axis_inv(u, s); }
bool usable(double v, const Scale& s) { return axis_usable(v, s); }

// Limits in axis space (log10 on log axes), set with the limits: mapping a point then
// costs one log10 at most.
void set_limits(const Range& x, const Range& y) {
  g.x = x;
  g.y = y;
  g.xa = fwd(x.lo, g.sx);
  g.xs = (g.a1.x - g.a0.x) / (fwd(x.hi, g.sx) - g.xa);
  g.ya = fwd(y.lo, g.sy);
  g.ys = (g.a1.y - g.a0.y) / (fwd(y.hi, g.sy) - g.ya);
}
float px_x(double v) { return static_cast<float>(g.a0.x + (fwd(v, g.sx) - g.xa) * g.xs); }
float px_y(double v) { return static_cast<float>(std::clamp(g.a1.y - (fwd(v, g.sy) - g.ya) * g.ys, -1e6, 1e6)); }
double data_x(float px) {
  const double a = fwd(g.x.lo, g.sx), b = fwd(g.x.hi, g.sx);
  return inv(a + (px - g.a0.x) / static_cast<double>(g.a1.x - g.a0.x) * (b - a), g.sx);
}
double data_y(float py) {
  const double a = fwd(g.y.lo, g.sy), b = fwd(g.y.hi, g.sy);
  return inv(a + (g.a1.y - py) / static_cast<double>(g.a1.y - g.a0.y) * (b - a), g.sy);
}

Range sane(Range r, const Scale& s) { return axis_sane(r, s); }

// `text`, or its longest prefix ending in "..." that is at most `room` pixels wide ("" when
// not even "..." fits).
std::string elide_to(const std::string& text, float room) {
  if (ImGui::CalcTextSize(text.c_str()).x <= room) return text;
  std::string s = text;
  while (!s.empty() && ImGui::CalcTextSize((s + "...").c_str()).x > room) {
    size_t n = s.size() - 1;  // one whole UTF-8 character off the end
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    s.resize(n);
  }
  return s.empty() && ImGui::CalcTextSize("...").x > room ? "" : s + "...";
}

ImU32 col_text() { return ImGui::GetColorU32(ImGuiCol_Text); }
ImU32 col_dim() { return ImGui::GetColorU32(ImGuiCol_TextDisabled); }

}  // namespace

zs::PlotLayout layout_of(const PlotState& st) {
  zs::PlotLayout l;
  l.sx = st.x_scale;
  l.sy = st.y_scale;
  l.x = st.x;
  l.y = st.y;
  l.x_ticks = st.x_ticks_drawn;
  l.y_ticks = st.y_ticks_drawn;
  l.clipped = st.clipped;
  l.notes = st.notes;
  if (st.auto_fit && !st.y_fixed) l.notes.insert(l.notes.end(), st.auto_notes.begin(), st.auto_notes.end());
  l.notes.insert(l.notes.end(), st.notes_data.begin(), st.notes_data.end());
  // The entries of the series drawn (a hidden one stays in the live legend, greyed, to
  // be switched back on; an exported figure leaves it out).
  for (const std::string& e : st.legend_entries)
    if (!st.hidden.count(e)) l.legend.push_back(e);
  return l;
}

ImVec2 to_screen(double x, double y) { return ImVec2(px_x(x), px_y(y)); }

void set_layer_renderer(LayerRenderer* r) {
  g_renderer = r;
  ++g_renderer_gen;  // textures of an earlier renderer are gone
  // The layer list belongs to the ImGui context current now (a renderer lives as long as
  // its context); an earlier context's shared draw data is gone with it.
  if (g_layer) IM_DELETE(g_layer);
  g_layer = nullptr;
}

// [SECTION] axes

bool begin(const char* id, PlotState& st, ImVec2 size, const char* title, const char* x_label, bool x_log, bool y_log,
           uint64_t data_version) {
  ImGui::PushID(id);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (size.x <= 0) size.x = avail.x;
  if (size.y <= 0) size.y = avail.y;
  size = ImVec2(std::max(size.x, 120.f), std::max(size.y, 80.f));
  g = Ctx();
  g.st = &st;
  g.win = g.dl = ImGui::GetWindowDrawList();
  g.sx.log = x_log;
  g.sy.log = y_log && !st.y_symlog;
  g.sy.sym = y_log && st.y_symlog;
  g.sy.c = g.sy.sym && st.y_linthresh > 0 && std::isfinite(st.y_linthresh) ? st.y_linthresh : 1;  // as line_chart.cpp
  const Scale sx = g.sx, sy = g.sy;
  st.x_scale = sx;
  st.y_scale = sy;
  g.pools.sx = sx;
  g.pools.sy = sy;
  g.f0 = ImGui::GetCursorScreenPos();
  g.f1 = ImVec2(g.f0.x + size.x, g.f0.y + size.y);
  const float fs = ImGui::GetFontSize();
  g.a0 = ImVec2(g.f0.x + 4.2f * fs, g.f0.y + 1.5f * fs);
  g.a1 = ImVec2(g.f1.x - 0.6f * fs, g.f1.y - 2.4f * fs);
  ImGui::InvisibleButton("##plot", size, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  g.hovered = ImGui::IsItemHovered();
  const bool active = ImGui::IsItemActive();

  // Limits: last frame's data extents while autoscaling, else what the user chose.
  Range cover;
  if (st.auto_fit && plot_x_cover(cover, st.data_x, st.has_data, st.x_span, sx)) st.x = sane(cover, sx);
  if (st.auto_fit && st.has_data && !st.y_fixed) st.y = sane(axis_padded(sane(st.data_y, sy), sy, 0.06), sy);
  st.x = sane(st.x, sx);
  st.y = sane(st.y, sy);
  set_limits(st.x, st.y);

  // Input: wheel zooms about the mouse (Shift: x only, Ctrl: y only), left drag pans,
  // right drag zooms to a box, double-click returns to autoscale.
  const ImGuiIO& io = ImGui::GetIO();
  if (g.hovered && io.MouseWheel != 0) {
    const double f = std::pow(0.85, io.MouseWheel);
    const auto zoom = [&](Range& r, const Scale& log, double at) {
      const double c = fwd(at, log);
      r = {inv(c + (fwd(r.lo, log) - c) * f, log), inv(c + (fwd(r.hi, log) - c) * f, log)};
    };
    if (!io.KeyCtrl) zoom(st.x, sx, data_x(io.MousePos.x));
    if (!io.KeyShift) zoom(st.y, sy, data_y(io.MousePos.y));
    st.auto_fit = false;
  }
  if (active && io.MouseDown[0] && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2)) {
    const auto pan = [&](Range& r, const Scale& log, double dpx, double span_px) {
      const double a = fwd(r.lo, log), b = fwd(r.hi, log), d = dpx / span_px * (b - a);
      r = {inv(a - d, log), inv(b - d, log)};
    };
    pan(st.x, sx, io.MouseDelta.x, g.a1.x - g.a0.x);
    pan(st.y, sy, -io.MouseDelta.y, g.a1.y - g.a0.y);
    st.auto_fit = false;
    g.dragged = true;
  }
  if (g.hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Right)) {
    st.boxing = true;
    st.box_start = io.MousePos;
  }
  if (st.boxing && !io.MouseDown[1]) {
    st.boxing = false;
    const ImVec2 b = io.MousePos;
    if (std::fabs(b.x - st.box_start.x) > 4 && std::fabs(b.y - st.box_start.y) > 4) {
      st.x = {data_x(std::min(b.x, st.box_start.x)), data_x(std::max(b.x, st.box_start.x))};
      st.y = {data_y(std::max(b.y, st.box_start.y)), data_y(std::min(b.y, st.box_start.y))};
      st.auto_fit = false;
    }
  }
  if (g.hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) st.auto_fit = true;
  st.x = sane(st.x, sx);
  st.y = sane(st.y, sy);
  set_limits(st.x, st.y);

  // The series layer (background, grid, series) is rasterised once into a texture and
  // reused while its inputs are unchanged: llvmpipe pays per triangle, and thousands of
  // line segments per plot would otherwise be drawn again every frame.
  if (g_renderer && data_version != 0) {
    uint64_t k = mix(data_version, g_renderer_gen);
    for (double v : {st.x.lo, st.x.hi, st.y.lo, st.y.hi, static_cast<double>(g.a0.x), static_cast<double>(g.a0.y),
                     static_cast<double>(g.a1.x), static_cast<double>(g.a1.y)})
      k = mix_double(k, v);
    k = mix(k, (x_log ? 2u : 0u) | (y_log ? 1u : 0u) | (st.y_symlog ? 4u : 0u));
    k = mix_double(k, sy.c);
    for (const std::string& h : st.hidden) k = mix(k, std::hash<std::string>()(h));
    g.key = k;
    g.cached = st.layer_key == k && st.layer_texture;
    if (!g.cached) {
      if (!g_layer) g_layer = IM_NEW(ImDrawList)(ImGui::GetDrawListSharedData());
      g_layer->_ResetForNewFrame();
      // Layers are rasterised with a bilinear atlas (LayerRenderer), so lines can take
      // ImGui's textured anti-aliasing: half the vertices of the geometric kind.
      if (!(ImGui::GetIO().Fonts->Flags & ImFontAtlasFlags_NoBakedLines)) g_layer->Flags |= ImDrawListFlags_AntiAliasedLinesUseTex;
      g_layer->PushTextureID(ImGui::GetIO().Fonts->TexID);
      g_layer->PushClipRect(g.a0, g.a1);
      g.dl = g_layer;
      g.building = true;
    }
  }

  const ImU32 grid = IM_COL32(255, 255, 255, 22);
  const std::vector<double> xt = plot_ticks(g.x, sx, false);
  const std::vector<double> yt = plot_ticks(g.y, sy, true, st.y_ticks);
  st.x_ticks_drawn = xt;
  st.y_ticks_drawn = yt;
  if (!g.cached) {
    g.dl->AddRectFilled(g.a0, g.a1, IM_COL32(16, 18, 22, 255));
    for (double v : xt) g.dl->AddLine(ImVec2(std::floor(px_x(v)) + 0.5f, g.a0.y), ImVec2(std::floor(px_x(v)) + 0.5f, g.a1.y), grid);
    for (double v : yt) g.dl->AddLine(ImVec2(g.a0.x, std::floor(px_y(v)) + 0.5f), ImVec2(g.a1.x, std::floor(px_y(v)) + 0.5f), grid);
  }
  ImDrawList* dl = g.win;
  float last = -1e9f;
  for (double v : xt) {
    const float x = px_x(v);
    const std::string l = tick_label(v);
    const ImVec2 ts = ImGui::CalcTextSize(l.c_str());
    const float tx = std::min(x - ts.x / 2, g.f1.x - ts.x);
    if (tx < last + 4) continue;  // no overlapping labels
    last = tx + ts.x;
    dl->AddText(ImVec2(tx, g.a1.y + 2), col_dim(), l.c_str());
  }
  last = 1e9f;
  for (double v : yt) {
    const float y = px_y(v);
    const std::string l = tick_label(v);
    const ImVec2 ts = ImGui::CalcTextSize(l.c_str());
    if (y + ts.y / 2 > last - 1) continue;
    last = y - ts.y / 2;
    dl->AddText(ImVec2(g.a0.x - ts.x - 4, y - ts.y / 2), col_dim(), l.c_str());
  }
  // A title wider than the frame ends in "..." (the whole title shows on hover, end()).
  g.title = title;
  const std::string shown = elide_to(title, g.f1.x - g.a0.x);
  g.title_cut = shown != g.title;
  dl->AddText(ImVec2(g.a0.x, g.f0.y + 1), col_text(), shown.c_str());
  st.title_drawn = shown;
  g.title_end = g.a0.x + ImGui::CalcTextSize(shown.c_str()).x;
  const ImVec2 xs = ImGui::CalcTextSize(x_label);
  dl->AddText(ImVec2(0.5f * (g.a0.x + g.a1.x) - xs.x / 2, g.a1.y + fs * 1.15f), col_dim(), x_label);
  g.dl->PushClipRect(g.a0, g.a1, true);
  return true;
}

// [SECTION] series

namespace {

bool register_series(const char* label, ImU32 colour, bool in_legend) {
  if (in_legend && std::none_of(g.legend.begin(), g.legend.end(), [&](const auto& e) { return e.first == label; }))
    g.legend.emplace_back(label, colour);
  return !g.st->hidden.count(label);
}

// A visible series that must be drawn this frame (not served from the layer texture).
bool draws(const char* label, ImU32 colour, bool in_legend) { return register_series(label, colour, in_legend) && !g.cached; }

PlotPool& pool_begin(const char* label, ImU32 colour) { return g.pools.begin(label, colour); }
void pool_end(PlotPool& p) { g.pools.end(p); }
bool take(PlotPool& p, double x, double y) { return g.pools.take(p, x, y); }

void flush(ImU32 colour, float thickness) {
  if (g.pts.size() >= 2) g.dl->AddPolyline(g.pts.data(), static_cast<int>(g.pts.size()), colour, 0, thickness);
  g.pts.clear();
}

}  // namespace

void line(const char* label, ImU32 colour, const double* xs, const double* ys, int n, float thickness, bool in_legend) {
  if (!register_series(label, colour, in_legend) || n <= 0) return;
  if (in_legend) g.series.push_back({label, colour, xs, ys, n});
  if (g.cached) return;
  // Beyond one point per pixel column, each column keeps its extremes in the order they
  // occur (decimate.h, as in the exported plot): noisy ZO losses keep their envelope, and
  // the geometry (which llvmpipe pays for per triangle) stays O(width) whatever the
  // number of steps.
  const bool decimate = n > static_cast<int>(g.a1.x - g.a0.x);
  PlotPool& pool = pool_begin(label, colour);
  const auto piece = [&] {
    if (decimate) decimate_columns(g.pts, g.a0.x - 2, g.a1.x + 2);
    flush(colour, thickness);
  };
  for (int i = 0; i < n; ++i) {
    if (!take(pool, xs[i], ys[i])) {
      piece();
      continue;
    }
    g.pts.emplace_back(px_x(xs[i]), px_y(ys[i]));
  }
  piece();
  pool_end(pool);
}

void envelope(const char* label, ImU32 colour, const double* xs, const double* ys, int n) {
  if (!draws(label, colour, false) || n <= 0) return;
  // Per pixel column the span from the minimum to the maximum, joined into one band: two
  // vertices a column (a triangle strip written directly), however many steps there are.
  std::vector<std::array<float, 3>> cols;  // x, top, bottom
  PlotPool& pool = pool_begin(label, colour);
  for (int i = 0; i < n; ++i) {
    if (!take(pool, xs[i], ys[i])) continue;
    const float px = std::floor(std::clamp(px_x(xs[i]), g.a0.x - 2, g.a1.x + 2)) + 0.5f, py = px_y(ys[i]);
    if (cols.empty() || cols.back()[0] != px) cols.push_back({px, py, py + 1});
    cols.back()[1] = std::min(cols.back()[1], py);
    cols.back()[2] = std::max(cols.back()[2], py + 1);
  }
  pool_end(pool);
  if (cols.size() < 2) return;
  const int nv = static_cast<int>(cols.size()) * 2, ni = (static_cast<int>(cols.size()) - 1) * 6;
  ImDrawList* dl = g.dl;
  dl->PrimReserve(ni, nv);
  const ImVec2 uv = ImGui::GetIO().Fonts->TexUvWhitePixel;
  const ImDrawIdx base = static_cast<ImDrawIdx>(dl->_VtxCurrentIdx);
  for (size_t k = 0; k < cols.size(); ++k) {
    dl->PrimWriteVtx(ImVec2(cols[k][0], cols[k][1]), uv, colour);
    dl->PrimWriteVtx(ImVec2(cols[k][0], cols[k][2]), uv, colour);
    if (k + 1 < cols.size()) {
      const ImDrawIdx a = static_cast<ImDrawIdx>(base + 2 * k);
      dl->PrimWriteIdx(a);
      dl->PrimWriteIdx(static_cast<ImDrawIdx>(a + 1));
      dl->PrimWriteIdx(static_cast<ImDrawIdx>(a + 2));
      dl->PrimWriteIdx(static_cast<ImDrawIdx>(a + 1));
      dl->PrimWriteIdx(static_cast<ImDrawIdx>(a + 3));
      dl->PrimWriteIdx(static_cast<ImDrawIdx>(a + 2));
    }
  }
}

void band(const char* label, ImU32 colour, const double* xs, const double* lo, const double* hi, int n) {
  if (!draws(label, colour, true) || n <= 1) return;
  const int stride = std::max(1, n / std::max(1, static_cast<int>(g.a1.x - g.a0.x)));
  const ImU32 fill = (colour & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 56);
  bool have = false;
  ImVec2 pl, ph;
  PlotPool& pool = pool_begin(label, colour);
  // Every point counts for the autoscale (as in the exported figure); every stride-th
  // is drawn.
  for (int i = 0; i < n; ++i) {
    if (!(take(pool, xs[i], lo[i]) & take(pool, xs[i], hi[i]))) {
      have = false;
      continue;
    }
    if (i % stride != 0 && i != n - 1) continue;
    const ImVec2 ql(px_x(xs[i]), px_y(lo[i])), qh(px_x(xs[i]), px_y(hi[i]));
    if (have) g.dl->AddQuadFilled(pl, ql, qh, ph, fill);
    pl = ql;
    ph = qh;
    have = true;
  }
  pool_end(pool);
}

void vline(double x, ImU32 colour) {
  if (!usable(x, g.sx)) return;
  g.vlines.emplace_back(px_x(x), colour);  // drawn by end(), over the series layer
}

// [SECTION] legend and read-out

namespace {

// Robust autoscale from this frame's pools (core's, plot_layout.h).
void autoscale(PlotState& st) {
  PlotAutoscale a = plot_autoscale(g.pools, st.max_decades);
  st.clipped = std::move(a.clipped);
  st.auto_notes = std::move(a.auto_notes);
  st.notes_data = std::move(a.notes_data);
  st.clip_marks = std::move(a.clip_marks);
  if (!a.scaled) {  // nothing usable: last frame's y stays; x is the shared span, if any
    st.has_data = false;
    return;
  }
  st.data_y = a.y;
  st.data_x = a.x;
  st.has_data = a.has_data;
}

}  // namespace

void end() {
  PlotState& st = *g.st;
  const ImGuiIO& io = ImGui::GetIO();
  g.dl->PopClipRect();
  if (g.building) {
    st.layer_texture = g_renderer->render(*g_layer, g.a0, ImVec2(g.a1.x - g.a0.x, g.a1.y - g.a0.y), &st);
    st.layer_key = g.key;
  }
  if (g.cached || g.building) g_renderer->draw(g.win, &st, g.a0, g.a1);
  ImDrawList* dl = g.win;
  dl->AddRect(g.a0, g.a1, IM_COL32(110, 116, 128, 255));
  dl->PushClipRect(g.a0, g.a1, true);
  for (const auto& [px, colour] : g.vlines) dl->AddLine(ImVec2(px, g.a0.y), ImVec2(px, g.a1.y), colour, 1.f);
  // A cached layer keeps last frame's extents and notes (the data did not change).
  if (!g.cached) autoscale(st);
  // Clipped series are marked where they leave the plot (a notch at the top edge).
  const float fs0 = ImGui::GetFontSize();
  for (const auto& [x, colour] : st.clip_marks) {
    if (!usable(x, g.sx)) continue;
    const float px = px_x(x), t = fs0 * 0.4f;
    dl->AddTriangleFilled(ImVec2(px - t, g.a0.y), ImVec2(px + t, g.a0.y), ImVec2(px, g.a0.y + 1.6f * t), colour);
  }
  if (st.boxing) {
    dl->AddRectFilled(st.box_start, io.MousePos, IM_COL32(120, 170, 255, 40));
    dl->AddRect(st.box_start, io.MousePos, IM_COL32(120, 170, 255, 200));
  }
  const float fs = ImGui::GetFontSize();
  // Hover read-out: the value of every visible series at the mouse's x.
  if (g.hovered && !g.dragged && !st.boxing && !g.series.empty() && io.MousePos.x >= g.a0.x && io.MousePos.x <= g.a1.x) {
    const double x = data_x(io.MousePos.x);
    dl->AddLine(ImVec2(io.MousePos.x, g.a0.y), ImVec2(io.MousePos.x, g.a1.y), IM_COL32(255, 255, 255, 70));
    ImGui::BeginTooltip();
    ImGui::Text("x = %.6g", x);
    int shown = 0;
    for (const Series& s : g.series) {
      if (++shown > 16) break;
      const double* it = std::lower_bound(s.xs, s.xs + s.n, x);
      int i = static_cast<int>(it - s.xs);
      if (i >= s.n) i = s.n - 1;
      if (i > 0 && std::fabs(s.xs[i - 1] - x) < std::fabs(s.xs[i] - x)) --i;
      ImGui::ColorButton("##c", ImGui::ColorConvertU32ToFloat4(s.colour),
                         ImGuiColorEditFlags_NoTooltip | ImGuiColorEditFlags_NoDragDrop, ImVec2(fs * 0.8f, fs * 0.8f));
      ImGui::SameLine();
      ImGui::Text("%s: %.5g", s.label.c_str(), s.ys[i]);
    }
    ImGui::EndTooltip();
  }
  // Legend (top right); a click on an entry toggles its series. Shown whenever it fits in
  // at most half the plot area's width and height (in up to four columns), else while
  // hovered (one column, or as many as fit the width).
  float w = 0;
  for (const auto& e : g.legend) w = std::max(w, ImGui::CalcTextSize(e.first.c_str()).x);
  const float lh = fs * 1.15f, sw = fs * 1.1f, pad = fs * 0.35f, cw = w + sw + 3 * pad;
  const int n_entries = static_cast<int>(g.legend.size());
  const float aw = g.a1.x - g.a0.x, ah = g.a1.y - g.a0.y;
  int cols = 0;
  for (int k = 1; k <= 4 && k <= std::max(1, n_entries) && !cols; ++k) {
    const int r = (n_entries + k - 1) / k;
    if (static_cast<float>(k) * cw + pad <= 0.5f * aw && lh * static_cast<float>(r) + 3 * pad <= 0.5f * ah) cols = k;
  }
  const bool fits = cols > 0;
  if (!fits) cols = 1;
  const int rows = (n_entries + cols - 1) / cols;
  st.legend_entries.clear();
  for (const auto& e : g.legend) st.legend_entries.push_back(e.first);
  st.legend_shown = !g.legend.empty() && (g.hovered || (fits && !st.legend_on_hover));
  if (st.legend_shown) {
    const ImVec2 b1(g.a1.x - pad, g.a0.y + pad + lh * static_cast<float>(rows) + 2 * pad);
    const ImVec2 b0(b1.x - static_cast<float>(cols) * cw, g.a0.y + pad);
    dl->AddRectFilled(b0, b1, IM_COL32(10, 12, 16, 200), 3);
    int idx = 0;
    for (const auto& [label, colour] : g.legend) {
      const bool off = st.hidden.count(label) > 0;
      const float x = b0.x + static_cast<float>(idx / rows) * cw, y = b0.y + pad + static_cast<float>(idx % rows) * lh;
      ++idx;
      const ImVec2 r0(x, y), r1(x + cw, y + lh);
      const bool over = g.hovered && io.MousePos.x >= r0.x && io.MousePos.x < r1.x && io.MousePos.y >= r0.y &&
                        io.MousePos.y < r1.y;
      if (over) dl->AddRectFilled(r0, r1, IM_COL32(255, 255, 255, 25));
      if (over && ImGui::IsMouseReleased(ImGuiMouseButton_Left) && !g.dragged &&
          ImGui::GetMouseDragDelta(ImGuiMouseButton_Left).x == 0) {
        if (off) st.hidden.erase(label);
        else st.hidden.insert(label);
      }
      const ImU32 c = off ? IM_COL32(110, 110, 110, 160) : colour;
      dl->AddLine(ImVec2(x + pad, y + lh / 2), ImVec2(x + pad + sw, y + lh / 2), c, 2.f);
      dl->AddText(ImVec2(x + 2 * pad + sw, y + (lh - fs) / 2), off ? col_dim() : col_text(), label.c_str());
    }
  }
  dl->PopClipRect();
  float right = g.f1.x;
  if (!st.auto_fit) {
    const char* hint = "double-click: fit";
    const ImVec2 ts = ImGui::CalcTextSize(hint);
    right = g.a1.x - ts.x;
    dl->AddText(ImVec2(right, g.f0.y + 1), col_dim(), hint);
  }
  // Notes on the title row, right of the title (never over the data or the legend).
  std::string notes;
  const auto add_notes = [&](const std::vector<std::string>& v) {
    for (const std::string& n : v) notes += (notes.empty() ? "" : "; ") + n;
  };
  add_notes(st.notes);
  if (st.auto_fit && !st.y_fixed) add_notes(st.auto_notes);
  add_notes(st.notes_data);
  // Notes too long for the room left end in "..." inside the frame and the window (a
  // hard clip left "clipped: Adam (max 3.7" cut mid-word at the panel's edge).
  st.notes_drawn.clear();
  st.notes_right = 0;
  if (!notes.empty()) {
    const float x0 = g.title_end + fs;
    const float x1 = std::min(right - fs * 0.5f, ImGui::GetWindowDrawList()->GetClipRectMax().x);
    st.notes_drawn = elide_to(notes, x1 - x0);
    if (!st.notes_drawn.empty()) {
      dl->AddText(ImVec2(x0, g.f0.y + 1), IM_COL32(240, 190, 90, 255), st.notes_drawn.c_str());
      st.notes_right = x0 + ImGui::CalcTextSize(st.notes_drawn.c_str()).x;
    }
  }
  // A narrow plot cuts the title or the notes, and a caller may shorten the title
  // (title_tip): hovering the title row shows them whole.
  const bool title_tip = g.title_cut || !st.title_tip.empty();
  if ((!notes.empty() || title_tip) && ImGui::IsMouseHoveringRect(ImVec2(g.f0.x, g.f0.y), ImVec2(g.f1.x, g.a0.y)) &&
      ImGui::IsWindowHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
    if (title_tip) ImGui::TextUnformatted(st.title_tip.empty() ? g.title.c_str() : st.title_tip.c_str());
    if (!notes.empty()) ImGui::TextUnformatted(notes.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
  ImGui::PopID();
}

}  // namespace zs::gui::plot
