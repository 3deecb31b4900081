// core's Canvas on an ImDrawList (imgui_canvas.h).
#include "app/gui/imgui_canvas.h"
#include <algorithm>
#include <cmath>
#include "app/gui/overlay.h"
#include "core/export/font.h"

namespace zs::gui {

namespace {

// Baked sizes, ascending: every pixel size text takes in the view (style scale 1 and the
// UI's), then steps for exports, whose text is scaled from the nearest larger one.
std::vector<ImFont*>& figure_fonts() {
  static std::vector<ImFont*> fonts;
  return fonts;
}

ImU32 col(uint32_t rgb, double alpha) { return rgb_u32(rgb, static_cast<float>(alpha)); }

// ImGui joins thick polylines with unlimited miters, which spike at the sharp turns ZO
// paths make at every step; the path is split there instead (the joint is covered by the
// lines' own anti-aliased ends).
void add_path(ImDrawList* dl, const std::vector<ImVec2>& pts, ImU32 c, float w, bool closed) {
  const size_t n = pts.size();
  if (closed) {
    dl->AddPolyline(pts.data(), static_cast<int>(n), c, ImDrawFlags_Closed, w);
    return;
  }
  size_t begin = 0;
  for (size_t i = 1; i + 1 < n; ++i) {
    const ImVec2 a(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y), b(pts[i + 1].x - pts[i].x, pts[i + 1].y - pts[i].y);
    const float dot = a.x * b.x + a.y * b.y, la = a.x * a.x + a.y * a.y, lb = b.x * b.x + b.y * b.y;
    // Turns sharper than about 80 degrees (cos < 0.17).
    if (dot < 0.17f * std::sqrt(la * lb)) {
      dl->AddPolyline(pts.data() + begin, static_cast<int>(i - begin + 1), c, 0, w);
      begin = i;
    }
  }
  if (n >= 2 && begin + 1 < n) dl->AddPolyline(pts.data() + begin, static_cast<int>(n - begin), c, 0, w);
}

double cross2(const std::array<double, 2>& o, const std::array<double, 2>& a, const std::array<double, 2>& b) {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

}  // namespace

void figure_fonts_add(ImFontAtlas* atlas, void* ttf, int ttf_size) {
  static const ImWchar ranges[] = {0x0020, 0x00FF, 0x2212, 0x2212, 0};
  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = false;
  cfg.OversampleH = 1;
  cfg.PixelSnapH = true;
  std::vector<ImFont*>& fonts = figure_fonts();
  fonts.clear();
  for (int px : {9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 28, 34, 42, 52, 64})
    fonts.push_back(atlas->AddFontFromMemoryTTF(ttf, ttf_size, static_cast<float>(px), &cfg, ranges));
}

void ImGuiCanvas::fill_rect(double x, double y, double w, double h, uint32_t rgb, double alpha) {
  dl_->AddRectFilled(at(x, y), at(x + w, y + h), col(rgb, alpha));
}

void ImGuiCanvas::polylines(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) {
  const ImU32 c = col(rgb, alpha);
  const float w = static_cast<float>(width);
  std::vector<ImVec2> pts;
  for (const Polyline& p : pieces) {
    if (p.empty()) continue;
    if (p.size() == 1) {
      dl_->AddCircleFilled(at(p[0][0], p[0][1]), w / 2, c);
      continue;
    }
    const bool closed = p.size() > 2 && p.front() == p.back();
    pts.clear();
    for (size_t i = 0; i + (closed ? 1 : 0) < p.size(); ++i) pts.push_back(at(p[i][0], p[i][1]));
    add_path(dl_, pts, c, w, closed);
  }
}

void ImGuiCanvas::trajectory(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) {
  polylines(pieces, width, rgb, alpha);
}

// Ear clipping (stars, bands): ImGui fills only convex polygons.
void ImGuiCanvas::fill_polygon(const Polyline& pts, uint32_t rgb, double alpha) {
  if (pts.size() < 3) return;
  const ImU32 c = col(rgb, alpha);
  std::vector<size_t> idx(pts.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  double area = 0;
  for (size_t i = 0; i < pts.size(); ++i) area += cross2({0, 0}, pts[i], pts[(i + 1) % pts.size()]);
  const double sign = area >= 0 ? 1 : -1;
  size_t guard = 0;
  while (idx.size() > 3 && guard < 4 * pts.size()) {
    bool cut = false;
    for (size_t k = 0; k < idx.size() && !cut; ++k) {
      const size_t a = idx[(k + idx.size() - 1) % idx.size()], b = idx[k], d = idx[(k + 1) % idx.size()];
      if (sign * cross2(pts[a], pts[b], pts[d]) <= 0) continue;  // reflex vertex
      bool inside = false;
      for (size_t q : idx) {
        if (q == a || q == b || q == d) continue;
        if (sign * cross2(pts[a], pts[b], pts[q]) >= 0 && sign * cross2(pts[b], pts[d], pts[q]) >= 0 &&
            sign * cross2(pts[d], pts[a], pts[q]) >= 0) {
          inside = true;
          break;
        }
      }
      if (inside) continue;
      dl_->AddTriangleFilled(at(pts[a][0], pts[a][1]), at(pts[b][0], pts[b][1]), at(pts[d][0], pts[d][1]), c);
      idx.erase(idx.begin() + static_cast<long>(k));
      cut = true;
    }
    if (!cut) break;  // degenerate: fan the rest
    ++guard;
  }
  for (size_t k = 1; k + 1 < idx.size(); ++k)
    dl_->AddTriangleFilled(at(pts[idx[0]][0], pts[idx[0]][1]), at(pts[idx[k]][0], pts[idx[k]][1]),
                           at(pts[idx[k + 1]][0], pts[idx[k + 1]][1]), c);
}

void ImGuiCanvas::circle(double cx, double cy, double r, double stroke_width, uint32_t rgb, double alpha) {
  if (stroke_width <= 0) dl_->AddCircleFilled(at(cx, cy), static_cast<float>(r), col(rgb, alpha));
  else dl_->AddCircle(at(cx, cy), static_cast<float>(r), col(rgb, alpha), 0, static_cast<float>(stroke_width));
}

void ImGuiCanvas::text(double x, double y, const std::string& s, const TextStyle& style) {
  if (s.empty()) return;
  // The figure sizes text by its em; ImGui sizes fonts by their line height.
  const float px = static_cast<float>(style.size * (font_ascent() + font_descent()));
  const std::vector<ImFont*>& fonts = figure_fonts();
  ImFont* font = ImGui::GetFont();
  float size = px;
  if (!fonts.empty()) {
    font = fonts.back();
    for (ImFont* f : fonts)
      if (f->FontSize + 0.6f >= px) {
        font = f;
        break;
      }
    if (std::fabs(font->FontSize - px) <= 0.6f) size = font->FontSize;  // native: crisp
  }
  // Glyphs at the layout's advances (core's metrics, unrounded), so text takes exactly the
  // width the layout measured for it.
  const double w = text_width(s, style.size);
  const double dx = style.h == HAlign::left ? 0 : style.h == HAlign::centre ? -w / 2.0 : -w;
  const double base = text_baseline_shift(style.v, style.size);  // baseline below the anchor
  const double top = base - font->Ascent * (size / font->FontSize);
  const int v0 = dl_->VtxBuffer.Size;
  const ImU32 c = col(style.rgb, style.alpha);
  double pen = x + dx;
  const float ty = static_cast<float>(std::round(o_.y + y + top));
  for (uint32_t cp : utf8_decode(s)) {
    const float gx = static_cast<float>(std::round(o_.x + pen));
    if (cp <= 0xffff) font->RenderChar(dl_, size, ImVec2(gx, ty), c, static_cast<ImWchar>(cp));
    pen += glyph_advance(cp, style.size);
  }
  if (style.vertical) {
    // Turned a quarter counter-clockwise about the anchor (reads bottom to top).
    const ImVec2 a = at(x, y);
    for (int i = v0; i < dl_->VtxBuffer.Size; ++i) {
      ImVec2& q = dl_->VtxBuffer[i].pos;
      const float ex = q.x - a.x, ey = q.y - a.y;
      q = ImVec2(a.x + ey, a.y - ex);
    }
  }
}

void ImGuiCanvas::heatmap(int x, int y, int w, int h, const HeatField& f) {
  if (f.nx < 2 || f.ny < 2 || f.table.empty()) return;
  // Quads between nodes coloured at their corners, at most 64 per side (the colour bar's
  // 256 steps as 64 gradients: a quarter of the vertices, the same look).
  const int sx = std::max(1, (f.nx - 1 + 63) / 64), sy = std::max(1, (f.ny - 1 + 63) / 64);
  const auto node = [&](int i, int j) {
    const float t = f.t[static_cast<size_t>(j) * f.nx + i];
    if (!std::isfinite(t)) return col(f.nan_rgb, 1);
    const size_t k = static_cast<size_t>(std::lround(std::clamp(t, 0.f, 1.f) * (f.table.size() - 1)));
    return col(f.table[k], 1);
  };
  for (int j = 0; j < f.ny - 1; j += sy) {
    const int j1 = std::min(j + sy, f.ny - 1);
    // Row 0 at the bottom.
    const double yb = y + h - static_cast<double>(j) * h / (f.ny - 1), yt = y + h - static_cast<double>(j1) * h / (f.ny - 1);
    for (int i = 0; i < f.nx - 1; i += sx) {
      const int i1 = std::min(i + sx, f.nx - 1);
      const double xl = x + static_cast<double>(i) * w / (f.nx - 1), xr = x + static_cast<double>(i1) * w / (f.nx - 1);
      dl_->AddRectFilledMultiColor(at(xl, yt), at(xr, yb), node(i, j1), node(i1, j1), node(i1, j), node(i, j));
    }
  }
}

void ImGuiCanvas::push_clip(double x, double y, double w, double h) { dl_->PushClipRect(at(x, y), at(x + w, y + h), true); }

void ImGuiCanvas::pop_clip() { dl_->PopClipRect(); }

}  // namespace zs::gui
