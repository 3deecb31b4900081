// Perceptually uniform colormaps (matplotlib's viridis/magma/inferno/plasma/cividis, CC0,
// sampled at control points and interpolated linearly) plus a grey ramp, and the one
// value -> colour-coordinate mapping shared by heatmaps, colourbars and contour levels.
// Shared by the CPU exporter and the GUI (uploaded as a 256-texel lookup texture).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace zs {

const std::vector<std::string>& colormap_names();
bool colormap_known(const std::string& name);
// zs::Error("<where>: unknown colormap '<name>' (known: ...)") unless the name is known.
void colormap_check(const std::string& name, const std::string& where);
// t in [0, 1] (clamped; NaN reads as 0) -> 0xRRGGBB. Unknown name: colormap_check's error.
uint32_t colormap_rgb(const std::string& name, double t);
// 256 entries, for lookup textures: entry i is colormap_rgb(name, i / 255).
std::vector<uint32_t> colormap_table(const std::string& name);

// Maps data values to colour coordinates t in [0, 1]. Linear: t = (v - lo) / (hi - lo).
// Log: t is linear in log10(v - lo + shift), i.e. the colours span the decades of "height
// above the minimum" down to `shift`, whatever the sign of lo, and the minimum itself
// stays finite. colour_scale() takes shift from the data: the 1% quantile of the heights
// above the minimum, within [kLogShiftMin, kLogShift] x (hi - lo) (and above float
// resolution of lo), so a narrow basin keeps its colours and contours. The GUI's shader
// evaluates the same formula.
struct ColourScale {
  static constexpr double kLogShift = 1e-4;      // largest floor, relative to the range
  static constexpr double kLogShiftMin = 1e-10;  // smallest floor, relative to the range
  double lo = 0, hi = 1;  // finite extremes of the data (lo == hi: every value maps to 0.5)
  bool log = false;
  double shift = 0;       // log only
  // Value -> t in [0, 1] (clamped); NaN stays NaN.
  double colour_value(double v) const;
  // colour_value over a whole grid, with the constants hoisted (float is ample for colour).
  std::vector<float> colour_values(const std::vector<float>& data) const;
  // Inverse of colour_value on [0, 1].
  double value_at(double t) const;
};
// The scale over the finite values of `data` (lo = 0, hi = 1 when there are none).
ColourScale colour_scale(const std::vector<float>& data, bool log);

// The colour bar's ticks, one rule for the exported figure (figure.cpp) and the app's
// views (overlay.cpp). Linear scale: nice ticks (ticks.h) about `spacing` pixels apart on
// a bar `length` pixels long, fewer while two would be closer than `min_gap`. Log scale:
// decade ticks of d = v - lo, the height above the minimum that the scale spreads over
// decades, placed at v = lo + d and labelled d, with unlabelled 2..9 minor ticks when the
// majors are whole decades over at most 6 of them. A flat scale: one tick at t = 0.5.
struct ColourBarTick {
  double t;       // colour coordinate, 0 at the bar's bottom
  double label;   // the value to write (d on a log scale)
  bool labelled;  // false: a minor tick
};
std::vector<ColourBarTick> colour_bar_ticks(const ColourScale& sc, double length, double spacing, double min_gap);
// The bar's caption: `name`, or on a log scale whose minimum is not negligible (|lo| >=
// shift) "name <minus> |lo|" ("f" when `name` is empty), as the ticks are then heights.
std::string colour_bar_caption(const ColourScale& sc, const std::string& name, const std::string& minus);

}  // namespace zs
