// CPU rasteriser for the exporter: RGBA8 over an opaque background. Strokes are unions of
// capsules whose per-pixel coverage is clamp(r + 1/2 - distance, 0, 1), accumulated as a
// maximum over the whole call and composited once, so translucent lines do not darken at
// their joints. Polygons use 4 sub-scanlines with exact horizontal coverage; text comes
// from stb_truetype glyph bitmaps at quarter-pixel pen positions.
#include <stb/stb_truetype.h>
#include <algorithm>
#include <cmath>
#include "core/export/canvas.h"
#include "core/export/font.h"

namespace zs {

namespace {

inline uint8_t channel(uint32_t rgb, int shift) { return static_cast<uint8_t>((rgb >> shift) & 0xff); }

// Overlap of the pixel [p, p + 1) with [a, b).
inline double overlap(int p, double a, double b) { return std::clamp(std::min(p + 1.0, b) - std::max(double(p), a), 0.0, 1.0); }

// floor/ceil to int, saturated so that far-away geometry cannot overflow the conversion.
inline int ifloor(double v) { return static_cast<int>(std::clamp(std::floor(v), -1e9, 1e9)); }
inline int iceil(double v) { return static_cast<int>(std::clamp(std::ceil(v), -1e9, 1e9)); }

}  // namespace

double text_baseline_shift(VAlign v, double size) {
  switch (v) {
    case VAlign::middle: return 0.5 * font_cap_height() * size;
    case VAlign::top: return font_cap_height() * size;
    case VAlign::bottom: return -font_descent() * size;
    case VAlign::baseline: break;
  }
  return 0;
}

Image heat_render(const HeatField& f, int w, int h) {
  Image img;
  img.w = std::max(w, 0);
  img.h = std::max(h, 0);
  img.rgba.assign(static_cast<size_t>(img.w) * img.h * 4, 255);
  if (f.nx < 2 || f.ny < 2 || f.t.size() != static_cast<size_t>(f.nx) * f.ny || f.table.size() != 256) return img;
  // Per-column and per-row node index and fraction (row 0 of the image is the top).
  std::vector<int> ci(img.w), rj(img.h);
  std::vector<float> cf(img.w), rf(img.h);
  for (int x = 0; x < img.w; ++x) {
    const double u = (x + 0.5) / img.w * (f.nx - 1);
    ci[x] = std::clamp(static_cast<int>(u), 0, f.nx - 2);
    cf[x] = static_cast<float>(u - ci[x]);
  }
  for (int y = 0; y < img.h; ++y) {
    const double v = (1 - (y + 0.5) / img.h) * (f.ny - 1);
    rj[y] = std::clamp(static_cast<int>(v), 0, f.ny - 2);
    rf[y] = static_cast<float>(v - rj[y]);
  }
  // The 256-entry table interpolated to a finer one, so each pixel is a single lookup.
  constexpr int kLut = 4096;
  std::vector<uint32_t> lut(kLut);
  for (int k = 0; k < kLut; ++k) {
    const double s = k * 255.0 / (kLut - 1);
    const int i = std::min(static_cast<int>(s), 254);
    const double g = s - i;
    uint32_t rgb = 0;
    for (int sh = 16; sh >= 0; sh -= 8)
      rgb |= static_cast<uint32_t>(std::lround(channel(f.table[i], sh) + (channel(f.table[i + 1], sh) - channel(f.table[i], sh)) * g)) << sh;
    lut[k] = rgb;
  }
  for (int y = 0; y < img.h; ++y) {
    const float* r0 = &f.t[static_cast<size_t>(rj[y]) * f.nx];
    const float* r1 = r0 + f.nx;
    const float fy = rf[y];
    uint8_t* out = &img.rgba[static_cast<size_t>(y) * img.w * 4];
    for (int x = 0; x < img.w; ++x, out += 4) {
      const int i = ci[x];
      const float fx = cf[x];
      const float a = r0[i], b = r0[i + 1], c = r1[i], d = r1[i + 1];
      float t = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
      if (std::isnan(t)) t = (fy < 0.5f ? (fx < 0.5f ? a : b) : (fx < 0.5f ? c : d));  // nearest node
      const uint32_t rgb = std::isnan(t) ? f.nan_rgb : lut[static_cast<int>(std::clamp(t, 0.0f, 1.0f) * (kLut - 1) + 0.5f)];
      out[0] = channel(rgb, 16);
      out[1] = channel(rgb, 8);
      out[2] = channel(rgb, 0);
    }
  }
  return img;
}

RasterCanvas::RasterCanvas(int w, int h, uint32_t background) {
  img_.w = w;
  img_.h = h;
  img_.rgba.resize(static_cast<size_t>(w) * h * 4);
  for (size_t i = 0; i < img_.rgba.size(); i += 4) {
    img_.rgba[i] = channel(background, 16);
    img_.rgba[i + 1] = channel(background, 8);
    img_.rgba[i + 2] = channel(background, 0);
    img_.rgba[i + 3] = 255;
  }
  cov_.assign(static_cast<size_t>(w) * h, 0);
  clips_.push_back({0, 0, w, h});
}

void RasterCanvas::blend(size_t idx, uint32_t rgb, double a) {
  const int a8 = static_cast<int>(a * 256 + 0.5);
  if (a8 <= 0) return;
  uint8_t* p = &img_.rgba[idx * 4];
  for (int c = 0; c < 3; ++c) {
    const int s = channel(rgb, 16 - 8 * c);
    p[c] = static_cast<uint8_t>(p[c] + (((s - p[c]) * a8 + 128) >> 8));
  }
}

void RasterCanvas::fill_rect(double x, double y, double w, double h, uint32_t rgb, double alpha) {
  if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(w) || !std::isfinite(h)) return;
  const Clip& cl = clips_.back();
  const int x0 = std::max(cl.x0, ifloor(x)), x1 = std::min(cl.x1, iceil(x + w));
  const int y0 = std::max(cl.y0, ifloor(y)), y1 = std::min(cl.y1, iceil(y + h));
  for (int py = y0; py < y1; ++py) {
    const double cy = overlap(py, y, y + h);
    for (int px = x0; px < x1; ++px) blend(static_cast<size_t>(py) * img_.w + px, rgb, alpha * cy * overlap(px, x, x + w));
  }
}

void RasterCanvas::cover_segment(double ax, double ay, double bx, double by, double r, double scale) {
  if (!std::isfinite(ax) || !std::isfinite(ay) || !std::isfinite(bx) || !std::isfinite(by)) return;
  const Clip& cl = clips_.back();
  const double reach = r + 0.5;
  const double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
  const int py0 = std::max(cl.y0, ifloor(std::min(ay, by) - reach));
  const int py1 = std::min(cl.y1, iceil(std::max(ay, by) + reach));
  for (int py = py0; py < py1; ++py) {
    const double cy = py + 0.5;
    // The segment's x extent over the rows within reach, widened by the reach.
    double xa = std::min(ax, bx), xb = std::max(ax, bx);
    if (std::fabs(dy) > 1e-9) {
      double t1 = (cy - reach - ay) / dy, t2 = (cy + reach - ay) / dy;
      t1 = std::clamp(t1, 0.0, 1.0);
      t2 = std::clamp(t2, 0.0, 1.0);
      xa = std::min(ax + t1 * dx, ax + t2 * dx);
      xb = std::max(ax + t1 * dx, ax + t2 * dx);
    }
    const int px0 = std::max(cl.x0, ifloor(xa - reach));
    const int px1 = std::min(cl.x1, iceil(xb + reach));
    const double qy = cy - ay;
    for (int px = px0; px < px1; ++px) {
      const size_t idx = static_cast<size_t>(py) * img_.w + px;
      if (cov_[idx] == 255) continue;  // already covered by a neighbouring segment
      const double qx = px + 0.5 - ax;
      const double t = len2 > 0 ? std::clamp((qx * dx + qy * dy) / len2, 0.0, 1.0) : 0.0;
      const double ex = qx - t * dx, ey = qy - t * dy;
      const double c = std::min(reach - std::sqrt(ex * ex + ey * ey), 1.0) * scale;
      if (c <= 0) continue;
      const auto v = static_cast<uint8_t>(c * 255 + 0.5);
      if (cov_[idx] == 0) {
        if (v == 0) continue;
        touched_.push_back(idx);
      }
      cov_[idx] = std::max(cov_[idx], v);
    }
  }
}

void RasterCanvas::cover_flush(uint32_t rgb, double alpha) {
  for (size_t idx : touched_) {
    blend(idx, rgb, cov_[idx] * (alpha / 255));
    cov_[idx] = 0;
  }
  touched_.clear();
}

void RasterCanvas::polylines(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) {
  // Hairlines keep a one-pixel footprint and fade instead of thinning below a pixel.
  const double r = std::max(width, 1.0) / 2, scale = std::min(width, 1.0);
  if (!(scale > 0)) return;
  for (const Polyline& p : pieces) {
    if (p.size() == 1) cover_segment(p[0][0], p[0][1], p[0][0], p[0][1], r, scale);
    for (size_t i = 1; i < p.size(); ++i) cover_segment(p[i - 1][0], p[i - 1][1], p[i][0], p[i][1], r, scale);
  }
  cover_flush(rgb, alpha);
}

void RasterCanvas::trajectory(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) {
  polylines(pieces, width, rgb, alpha);
}

void RasterCanvas::fill_polygon(const Polyline& pts, uint32_t rgb, double alpha) {
  if (pts.size() < 3) return;
  double ymin = pts[0][1], ymax = ymin, xmin = pts[0][0], xmax = xmin;
  for (const auto& p : pts) {
    if (!std::isfinite(p[0]) || !std::isfinite(p[1])) return;
    ymin = std::min(ymin, p[1]);
    ymax = std::max(ymax, p[1]);
    xmin = std::min(xmin, p[0]);
    xmax = std::max(xmax, p[0]);
  }
  const Clip& cl = clips_.back();
  const int x0 = std::max(cl.x0, ifloor(xmin)), x1 = std::min(cl.x1, iceil(xmax));
  const int y0 = std::max(cl.y0, ifloor(ymin)), y1 = std::min(cl.y1, iceil(ymax));
  if (x0 >= x1) return;
  constexpr int kSub = 4;
  std::vector<double> acc(static_cast<size_t>(x1 - x0)), xs;
  for (int py = y0; py < y1; ++py) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int s = 0; s < kSub; ++s) {
      const double sy = py + (s + 0.5) / kSub;
      xs.clear();
      for (size_t i = 0; i < pts.size(); ++i) {
        const auto& a = pts[i];
        const auto& b = pts[(i + 1) % pts.size()];
        if ((a[1] <= sy) != (b[1] <= sy)) xs.push_back(a[0] + (sy - a[1]) / (b[1] - a[1]) * (b[0] - a[0]));
      }
      std::sort(xs.begin(), xs.end());
      for (size_t k = 0; k + 1 < xs.size(); k += 2) {  // even-odd spans
        const int pa = std::max(x0, ifloor(xs[k])), pb = std::min(x1, iceil(xs[k + 1]));
        for (int px = pa; px < pb; ++px) acc[px - x0] += overlap(px, xs[k], xs[k + 1]) / kSub;
      }
    }
    for (int px = x0; px < x1; ++px)
      if (acc[px - x0] > 0) blend(static_cast<size_t>(py) * img_.w + px, rgb, alpha * std::min(acc[px - x0], 1.0));
  }
}

void RasterCanvas::circle(double cx, double cy, double r, double stroke_width, uint32_t rgb, double alpha) {
  if (!std::isfinite(cx) || !std::isfinite(cy) || !(r >= 0)) return;
  const double half = std::max(stroke_width, 1.0) / 2, scale = stroke_width > 0 ? std::min(stroke_width, 1.0) : 1.0;
  const double reach = r + (stroke_width > 0 ? half : 0) + 1;
  const Clip& cl = clips_.back();
  const int x0 = std::max(cl.x0, ifloor(cx - reach)), x1 = std::min(cl.x1, iceil(cx + reach));
  const int y0 = std::max(cl.y0, ifloor(cy - reach)), y1 = std::min(cl.y1, iceil(cy + reach));
  for (int py = y0; py < y1; ++py) {
    for (int px = x0; px < x1; ++px) {
      const double d = std::hypot(px + 0.5 - cx, py + 0.5 - cy);
      const double c = stroke_width > 0 ? (half + 0.5 - std::fabs(d - r)) * scale : r + 0.5 - d;
      if (c > 0) blend(static_cast<size_t>(py) * img_.w + px, rgb, alpha * std::min(c, 1.0));
    }
  }
}

const RasterCanvas::Glyph& RasterCanvas::glyph(int index, double size, int subpixel) {
  const uint64_t key = (static_cast<uint64_t>(index) << 32) | (static_cast<uint64_t>(std::lround(size * 64)) << 2) |
                       static_cast<uint64_t>(subpixel);
  auto it = glyphs_.find(key);
  if (it != glyphs_.end()) return it->second;
  const stbtt_fontinfo& f = font_info();
  const float scale = font_scale(size), shift = subpixel / 4.0f;
  Glyph g;
  int x1, y1;
  stbtt_GetGlyphBitmapBoxSubpixel(&f, index, scale, scale, shift, 0, &g.x0, &g.y0, &x1, &y1);
  g.w = std::max(0, x1 - g.x0);
  g.h = std::max(0, y1 - g.y0);
  g.bits.assign(static_cast<size_t>(g.w) * g.h, 0);
  if (g.w > 0 && g.h > 0) stbtt_MakeGlyphBitmapSubpixel(&f, g.bits.data(), g.w, g.h, g.w, scale, scale, shift, 0, index);
  return glyphs_.emplace(key, std::move(g)).first->second;
}

void RasterCanvas::text(double x, double y, const std::string& s, const TextStyle& st) {
  if (!std::isfinite(x) || !std::isfinite(y) || !(st.size > 0)) return;
  const stbtt_fontinfo& f = font_info();
  const double scale = font_scale(st.size);
  const double width = text_width(s, st.size);
  const double along = st.h == HAlign::left ? 0 : st.h == HAlign::centre ? -width / 2 : -width;
  const double down = text_baseline_shift(st.v, st.size);
  // Text runs along +x, or along -y when vertical (glyph x -> screen -y, glyph y -> screen +x).
  const double ox = st.vertical ? x + down : x + along, oy = st.vertical ? y - along : y + down;
  const int base = static_cast<int>(std::lround(st.vertical ? ox : oy));
  const Clip& cl = clips_.back();
  double pen = st.vertical ? -oy : ox;
  for (uint32_t cp : utf8_decode(s)) {
    const int index = stbtt_FindGlyphIndex(&f, static_cast<int>(cp));
    const double ip = std::floor(pen);
    const int sub = std::min(3, static_cast<int>((pen - ip) * 4));
    const Glyph& g = glyph(index, st.size, sub);
    for (int gy = 0; gy < g.h; ++gy) {
      for (int gx = 0; gx < g.w; ++gx) {
        const uint8_t c = g.bits[static_cast<size_t>(gy) * g.w + gx];
        if (!c) continue;
        const int lx = static_cast<int>(ip) + g.x0 + gx, ly = base + g.y0 + gy;
        const int px = st.vertical ? ly : lx, py = st.vertical ? -lx - 1 : ly;
        if (px < cl.x0 || px >= cl.x1 || py < cl.y0 || py >= cl.y1) continue;
        blend(static_cast<size_t>(py) * img_.w + px, st.rgb, st.alpha * c / 255.0);
      }
    }
    int advance, bearing;
    stbtt_GetGlyphHMetrics(&f, index, &advance, &bearing);
    pen += advance * scale;
  }
}

void RasterCanvas::heatmap(int x, int y, int w, int h, const HeatField& f) {
  if (w <= 0 || h <= 0) return;
  const Image im = heat_render(f, w, h);
  const Clip& cl = clips_.back();
  for (int py = std::max(y, cl.y0); py < std::min(y + h, cl.y1); ++py) {
    for (int px = std::max(x, cl.x0); px < std::min(x + w, cl.x1); ++px) {
      const uint8_t* src = &im.rgba[(static_cast<size_t>(py - y) * w + (px - x)) * 4];
      uint8_t* dst = &img_.rgba[(static_cast<size_t>(py) * img_.w + px) * 4];
      std::copy(src, src + 3, dst);
    }
  }
}

void RasterCanvas::push_clip(double x, double y, double w, double h) {
  if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(w) || !std::isfinite(h)) x = y = w = h = 0;
  const Clip& cl = clips_.back();
  Clip c{std::max(cl.x0, ifloor(x)), std::max(cl.y0, ifloor(y)),
         std::min(cl.x1, iceil(x + w)), std::min(cl.y1, iceil(y + h))};
  c.x1 = std::max(c.x0, c.x1);
  c.y1 = std::max(c.y0, c.y1);
  clips_.push_back(c);
}

void RasterCanvas::pop_clip() {
  if (clips_.size() > 1) clips_.pop_back();
}

}  // namespace zs
