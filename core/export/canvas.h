// The exporter's drawing interface: the figure layout (figure.cpp) draws once against
// Canvas, and two backends render it -- RasterCanvas (RGBA8, anti-aliased, for PNG) and
// SvgCanvas (XML text). Coordinates are pixels, origin top-left, y down. Internal header.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>
#include "core/export/contour.h"
#include "core/export/figure.h"

namespace zs {

enum class HAlign { left, centre, right };
// middle/top: of the capital letters; bottom: of the descenders.
enum class VAlign { baseline, middle, top, bottom };

struct TextStyle {
  double size = 12;  // em size in pixels
  uint32_t rgb = 0;
  double alpha = 1;
  HAlign h = HAlign::left;
  VAlign v = VAlign::baseline;
  bool vertical = false;  // rotated 90 degrees counter-clockwise (reads bottom to top)
};

// Colour coordinates t in [0, 1] (NaN: no data) on nx x ny nodes spanning the drawn
// rectangle, row 0 at the bottom, coloured through a 256-entry table.
struct HeatField {
  int nx = 0, ny = 0;
  std::vector<float> t;
  std::vector<uint32_t> table;
  uint32_t nan_rgb = 0xbdbdbd;
};
// The field sampled bilinearly at the pixel centres of a w x h image (row 0 at the top);
// the colour is looked up after interpolating t, so it follows the colormap.
Image heat_render(const HeatField& f, int w, int h);

class Canvas {
 public:
  virtual ~Canvas() = default;
  virtual void fill_rect(double x, double y, double w, double h, uint32_t rgb, double alpha) = 0;
  // Round-joined, round-capped strokes; a piece whose last point equals its first is closed.
  // One call is one translucent layer: overlaps within it are not painted twice.
  virtual void polylines(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) = 0;
  // The same stroke for a run's trajectory (SVG: one <path class="run">, the only kind of
  // <path> in the document; called exactly once per run, also with no pieces).
  virtual void trajectory(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) = 0;
  virtual void fill_polygon(const Polyline& pts, uint32_t rgb, double alpha) = 0;
  // A disc when stroke_width is 0, else a ring of that width centred on radius r.
  virtual void circle(double cx, double cy, double r, double stroke_width, uint32_t rgb, double alpha) = 0;
  // (x, y) is the anchor point named by the style's alignments.
  virtual void text(double x, double y, const std::string& s, const TextStyle& style) = 0;
  // The field stretched over the integer pixel rectangle.
  virtual void heatmap(int x, int y, int w, int h, const HeatField& f) = 0;
  virtual void push_clip(double x, double y, double w, double h) = 0;
  virtual void pop_clip() = 0;
};

// Offset of the baseline below the anchor point for a vertical alignment, in pixels.
double text_baseline_shift(VAlign v, double size);

class RasterCanvas final : public Canvas {
 public:
  RasterCanvas(int w, int h, uint32_t background);
  Image take_image() { return std::move(img_); }

  void fill_rect(double x, double y, double w, double h, uint32_t rgb, double alpha) override;
  void polylines(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) override;
  void trajectory(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) override;
  void fill_polygon(const Polyline& pts, uint32_t rgb, double alpha) override;
  void circle(double cx, double cy, double r, double stroke_width, uint32_t rgb, double alpha) override;
  void text(double x, double y, const std::string& s, const TextStyle& style) override;
  void heatmap(int x, int y, int w, int h, const HeatField& f) override;
  void push_clip(double x, double y, double w, double h) override;
  void pop_clip() override;

 private:
  struct Clip {
    int x0, y0, x1, y1;  // half-open
  };
  struct Glyph {
    int x0 = 0, y0 = 0, w = 0, h = 0;  // bitmap box relative to the pen on the baseline
    std::vector<uint8_t> bits;
  };
  void blend(size_t idx, uint32_t rgb, double a);
  // Max-accumulates a capsule's coverage into cov_ (scale < 1 for hairlines).
  void cover_segment(double ax, double ay, double bx, double by, double r, double scale);
  void cover_flush(uint32_t rgb, double alpha);
  const Glyph& glyph(int index, double size, int subpixel);

  Image img_;
  std::vector<Clip> clips_;
  std::vector<uint8_t> cov_;   // per-pixel coverage of the layer being stroked
  std::vector<size_t> touched_;
  std::unordered_map<uint64_t, Glyph> glyphs_;
};

class SvgCanvas final : public Canvas {
 public:
  SvgCanvas(int w, int h, uint32_t background);
  // The finished document.
  std::string finish();

  void fill_rect(double x, double y, double w, double h, uint32_t rgb, double alpha) override;
  void polylines(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) override;
  void trajectory(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) override;
  void fill_polygon(const Polyline& pts, uint32_t rgb, double alpha) override;
  void circle(double cx, double cy, double r, double stroke_width, uint32_t rgb, double alpha) override;
  void text(double x, double y, const std::string& s, const TextStyle& style) override;
  void heatmap(int x, int y, int w, int h, const HeatField& f) override;
  void push_clip(double x, double y, double w, double h) override;
  void pop_clip() override;

 private:
  std::string out_;
  int clip_count_ = 0;
  int open_groups_ = 0;
};

// Another canvas seen through a box: figure pixel (x, y) lands at (x0 + x, y0 + y) of the
// inner canvas, clipped to the box's w x h. Multi-panel figures (panels.h) draw each panel
// through one, so a panel is the same drawing as the figure exported alone at its size.
class OffsetCanvas final : public Canvas {
 public:
  OffsetCanvas(Canvas& inner, int x0, int y0, int w, int h);
  ~OffsetCanvas() override;

  void fill_rect(double x, double y, double w, double h, uint32_t rgb, double alpha) override;
  void polylines(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) override;
  void trajectory(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) override;
  void fill_polygon(const Polyline& pts, uint32_t rgb, double alpha) override;
  void circle(double cx, double cy, double r, double stroke_width, uint32_t rgb, double alpha) override;
  void text(double x, double y, const std::string& s, const TextStyle& style) override;
  void heatmap(int x, int y, int w, int h, const HeatField& f) override;
  void push_clip(double x, double y, double w, double h) override;
  void pop_clip() override;

 private:
  std::vector<Polyline> moved(const std::vector<Polyline>& pieces) const;
  Canvas& in_;
  int x0_, y0_;
};

// A picture drawn by `draw(Canvas&)` as a w x h image or SVG document on `background`:
// the two renderings every chart offers.
template <class Draw>
Image canvas_image(int w, int h, uint32_t background, Draw draw) {
  RasterCanvas cv(w, h, background);
  draw(static_cast<Canvas&>(cv));
  return cv.take_image();
}
template <class Draw>
std::string canvas_svg(int w, int h, uint32_t background, Draw draw) {
  SvgCanvas cv(w, h, background);
  draw(static_cast<Canvas&>(cv));
  return cv.finish();
}

}  // namespace zs
