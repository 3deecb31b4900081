// SVG backend of the exporter: one element per primitive, numbers with two decimals,
// text escaped for XML, the heatmap as an embedded base64 PNG. The document holds no
// <path> other than the runs' trajectories (one each), so tools can pick them out.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include "core/export/canvas.h"
#include "core/export/font.h"

namespace zs {

namespace {

// "12.5", "3", "-0.25": two decimals, trailing zeros dropped; non-finite prints as 0.
std::string num(double v) {
  if (!std::isfinite(v)) v = 0;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

std::string colour(uint32_t rgb) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%06x", rgb & 0xffffffu);
  return buf;
}

std::string opacity(const char* attr, double alpha) {
  if (alpha >= 1) return "";
  return std::string(" ") + attr + "=\"" + num(std::max(alpha, 0.0)) + "\"";
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (uint32_t cp : utf8_decode(s)) {
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: utf8_append(out, cp);
    }
  }
  return out;
}

std::string base64(const std::string& data) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t v = static_cast<uint8_t>(data[i]) << 16 | static_cast<uint8_t>(data[i + 1]) << 8 | static_cast<uint8_t>(data[i + 2]);
    out += k[v >> 18];
    out += k[(v >> 12) & 63];
    out += k[(v >> 6) & 63];
    out += k[v & 63];
  }
  if (i < data.size()) {
    uint32_t v = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<uint8_t>(data[i + 1]) << 8;
    out += k[v >> 18];
    out += k[(v >> 12) & 63];
    out += i + 1 < data.size() ? k[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string points(const Polyline& p, size_t count) {
  std::string s;
  for (size_t i = 0; i < count; ++i) {
    if (!s.empty()) s += ' ';
    s += num(p[i][0]) + "," + num(p[i][1]);
  }
  return s;
}

std::string stroke_attrs(double width, uint32_t rgb, double alpha) {
  return " fill=\"none\" stroke=\"" + colour(rgb) + "\" stroke-width=\"" + num(width) + "\"" + opacity("stroke-opacity", alpha) +
         " stroke-linejoin=\"round\" stroke-linecap=\"round\"";
}

bool closed(const Polyline& p) { return p.size() > 2 && p.front() == p.back(); }

}  // namespace

SvgCanvas::SvgCanvas(int w, int h, uint32_t background) {
  out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
         "xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\" width=\"" + std::to_string(w) + "\" height=\"" +
         std::to_string(h) + "\" viewBox=\"0 0 " + std::to_string(w) + " " + std::to_string(h) +
         "\" font-family=\"DejaVu Sans, Verdana, Geneva, sans-serif\">\n";
  fill_rect(0, 0, w, h, background, 1);
}

std::string SvgCanvas::finish() {
  for (; open_groups_ > 0; --open_groups_) out_ += "</g>\n";
  out_ += "</svg>\n";
  return std::move(out_);
}

void SvgCanvas::fill_rect(double x, double y, double w, double h, uint32_t rgb, double alpha) {
  out_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(w, 0.0)) + "\" height=\"" + num(std::max(h, 0.0)) +
          "\" fill=\"" + colour(rgb) + "\"" + opacity("fill-opacity", alpha) + "/>\n";
}

void SvgCanvas::polylines(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) {
  std::string body;
  for (const Polyline& p : pieces) {
    if (p.empty()) continue;
    if (p.size() == 1) {
      body += "<line x1=\"" + num(p[0][0]) + "\" y1=\"" + num(p[0][1]) + "\" x2=\"" + num(p[0][0]) + "\" y2=\"" + num(p[0][1]) + "\"/>\n";
    } else if (closed(p)) {
      body += "<polygon points=\"" + points(p, p.size() - 1) + "\"/>\n";
    } else {
      body += "<polyline points=\"" + points(p, p.size()) + "\"/>\n";
    }
  }
  if (body.empty()) return;
  // One group per call carries the style; SVG paints each element's stroke once.
  out_ += "<g" + stroke_attrs(width, rgb, alpha) + ">\n" + body + "</g>\n";
}

void SvgCanvas::trajectory(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) {
  std::string d;
  for (const Polyline& p : pieces) {
    for (size_t i = 0; i < p.size(); ++i) {
      if (!d.empty()) d += ' ';
      d.append(i == 0 ? "M" : "L").append(num(p[i][0])).append(" ").append(num(p[i][1]));
    }
    if (p.size() == 1) d += " l0 0";  // a lone point still shows its round cap
  }
  out_ += "<path class=\"run\" d=\"" + d + "\"" + stroke_attrs(width, rgb, alpha) + "/>\n";
}

void SvgCanvas::fill_polygon(const Polyline& pts, uint32_t rgb, double alpha) {
  if (pts.size() < 3) return;
  out_ += "<polygon points=\"" + points(pts, pts.size()) + "\" fill=\"" + colour(rgb) + "\"" + opacity("fill-opacity", alpha) + "/>\n";
}

void SvgCanvas::circle(double cx, double cy, double r, double stroke_width, uint32_t rgb, double alpha) {
  if (!std::isfinite(cx) || !std::isfinite(cy) || !(r >= 0)) return;
  out_ += "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(r) + "\"";
  if (stroke_width > 0)
    out_ += " fill=\"none\" stroke=\"" + colour(rgb) + "\" stroke-width=\"" + num(stroke_width) + "\"" + opacity("stroke-opacity", alpha);
  else
    out_ += " fill=\"" + colour(rgb) + "\"" + opacity("fill-opacity", alpha);
  out_ += "/>\n";
}

void SvgCanvas::text(double x, double y, const std::string& s, const TextStyle& st) {
  const std::string body = xml_escape(s);
  if (body.empty() || !std::isfinite(x) || !std::isfinite(y)) return;
  // The baseline shift is applied here (font-independent enough); the horizontal anchor is
  // left to text-anchor so that a substitute font still centres correctly.
  const double down = text_baseline_shift(st.v, st.size);
  const double bx = st.vertical ? x + down : x, by = st.vertical ? y : y + down;
  const char* anchor = st.h == HAlign::left ? "start" : st.h == HAlign::centre ? "middle" : "end";
  out_ += "<text x=\"" + num(bx) + "\" y=\"" + num(by) + "\" font-size=\"" + num(st.size) + "\" fill=\"" + colour(st.rgb) + "\"" +
          opacity("fill-opacity", st.alpha) + " text-anchor=\"" + anchor + "\"";
  if (st.vertical) out_ += " transform=\"rotate(-90 " + num(bx) + " " + num(by) + ")\"";
  out_ += ">" + body + "</text>\n";
}

void SvgCanvas::heatmap(int x, int y, int w, int h, const HeatField& f) {
  if (w <= 0 || h <= 0) return;
  // At least the grid's own resolution (and 256 px, so coarse grids get the colormap's
  // interpolation, not the viewer's), at most the drawn size: viewers scale it smoothly.
  const int iw = std::min(w, std::max(f.nx, 256)), ih = std::min(h, std::max(f.ny, 256));
  const std::string png = png_encode(heat_render(f, iw, ih));
  out_ += "<image x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" + std::to_string(w) + "\" height=\"" +
          std::to_string(h) + "\" preserveAspectRatio=\"none\" xlink:href=\"data:image/png;base64," + base64(png) + "\"/>\n";
}

void SvgCanvas::push_clip(double x, double y, double w, double h) {
  const std::string id = "clip" + std::to_string(clip_count_++);
  out_ += "<clipPath id=\"" + id + "\"><rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(w, 0.0)) +
          "\" height=\"" + num(std::max(h, 0.0)) + "\"/></clipPath>\n<g clip-path=\"url(#" + id + ")\">\n";
  ++open_groups_;
}

void SvgCanvas::pop_clip() {
  if (open_groups_ == 0) return;
  out_ += "</g>\n";
  --open_groups_;
}

}  // namespace zs
