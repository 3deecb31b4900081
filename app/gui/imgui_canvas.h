// core's Canvas (core/export/canvas.h) on a Dear ImGui draw list: the app's landscape
// view and its GPU export draw core's figure layout (figure_layout.h) through it, so the
// view, the PNG and the SVG are one drawing. Text is DejaVu Sans, the exporter's font,
// from atlas fonts baked at the pixel sizes the figure uses (crisp at native size).
#pragma once
#include <imgui.h>
#include <vector>
#include "core/export/canvas.h"

namespace zs::gui {

// Adds the figure's fonts to the atlas (before it is built): DejaVu Sans at the integer
// pixel sizes a figure's text takes on screen and a few larger ones for exports.
void figure_fonts_add(ImFontAtlas* atlas, void* ttf, int ttf_size);

class ImGuiCanvas final : public Canvas {
 public:
  // Figure pixel (x, y) is drawn at origin + (x, y).
  ImGuiCanvas(ImDrawList* dl, ImVec2 origin) : dl_(dl), o_(origin) {}

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
  ImVec2 at(double x, double y) const { return ImVec2(static_cast<float>(o_.x + x), static_cast<float>(o_.y + y)); }
  ImDrawList* dl_;
  ImVec2 o_;
};

}  // namespace zs::gui
