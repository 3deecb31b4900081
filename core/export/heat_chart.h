// A heatmap chart of categorical cells (a two-parameter sweep: x and y are the swept
// values), one panel per run with a shared colour scale and colour bar, cells marked
// (diverged: grey with a cross) or missing (pale, "-"), each cell's value written in it
// when it fits. Drawn once against the exporter's Canvas like line_chart.h; PNG and SVG.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "core/export/figure.h"

namespace zs {

struct HeatPanel {
  std::string title;
  std::vector<double> values;   // xcats.size() * ycats.size(), row-major, row 0 = ycats[0] (bottom); NaN: missing
  std::vector<uint8_t> marked;  // same size or empty; 1: marked (drawn grey with a cross, not coloured)
};

struct HeatChart {
  std::string title, xlabel, ylabel, colour_label, stamp;
  std::vector<std::string> xcats, ycats;  // the cells' labels, left to right and bottom to top
  std::string colormap = "viridis";
  bool log_colour = true;  // log10 colours when every finite unmarked value is > 0
  std::string marked_note = "x: diverged";
  std::string missing_note;  // what a missing cell means, e.g. "-: target not reached"
  std::vector<HeatPanel> panels;
};

// The colour coordinate of every cell's value, shared by all panels: t in [0, 1], NaN for
// missing or marked cells (exposed for tests).
std::vector<std::vector<double>> heat_chart_colours(const HeatChart& c, bool* log_used = nullptr);
// Throw zs::Error for a size outside [16, 16384], no categories, a panel of the wrong size
// or an unknown colormap.
Image heat_chart_render_image(const HeatChart& c, int w, int h);
std::string heat_chart_render_svg(const HeatChart& c, int w, int h);

}  // namespace zs
