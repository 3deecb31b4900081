// OffsetCanvas (canvas.h): another canvas seen through a box, for multi-panel figures.
#include "core/export/canvas.h"

namespace zs {

OffsetCanvas::OffsetCanvas(Canvas& inner, int x0, int y0, int w, int h) : in_(inner), x0_(x0), y0_(y0) {
  in_.push_clip(x0, y0, w, h);
}

OffsetCanvas::~OffsetCanvas() { in_.pop_clip(); }

std::vector<Polyline> OffsetCanvas::moved(const std::vector<Polyline>& pieces) const {
  std::vector<Polyline> out = pieces;
  for (Polyline& pl : out)
    for (auto& p : pl) {
      p[0] += x0_;
      p[1] += y0_;
    }
  return out;
}

void OffsetCanvas::fill_rect(double x, double y, double w, double h, uint32_t rgb, double alpha) {
  in_.fill_rect(x + x0_, y + y0_, w, h, rgb, alpha);
}
void OffsetCanvas::polylines(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) {
  in_.polylines(moved(pieces), width, rgb, alpha);
}
void OffsetCanvas::trajectory(const std::vector<Polyline>& pieces, double width, uint32_t rgb, double alpha) {
  in_.trajectory(moved(pieces), width, rgb, alpha);
}
void OffsetCanvas::fill_polygon(const Polyline& pts, uint32_t rgb, double alpha) {
  in_.fill_polygon(moved({pts})[0], rgb, alpha);
}
void OffsetCanvas::circle(double cx, double cy, double r, double stroke_width, uint32_t rgb, double alpha) {
  in_.circle(cx + x0_, cy + y0_, r, stroke_width, rgb, alpha);
}
void OffsetCanvas::text(double x, double y, const std::string& s, const TextStyle& style) {
  in_.text(x + x0_, y + y0_, s, style);
}
void OffsetCanvas::heatmap(int x, int y, int w, int h, const HeatField& f) { in_.heatmap(x + x0_, y + y0_, w, h, f); }
void OffsetCanvas::push_clip(double x, double y, double w, double h) { in_.push_clip(x + x0_, y + y0_, w, h); }
void OffsetCanvas::pop_clip() { in_.pop_clip(); }

}  // namespace zs
