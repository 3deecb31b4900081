// The trajectory figure, drawn once against a small Canvas interface and rendered by two
// backends without OpenGL: a CPU rasteriser (PNG) and SVG. The GUI's high-resolution
// export and the CLI's `run`/`render` both produce it.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace zs {

struct FigureRun {
  std::string label;
  uint32_t rgb = 0x1f77b4;                 // 0xRRGGBB
  std::vector<double> xs, ys;              // trajectory in plot-plane coordinates
  std::string legend_extra;                // e.g. "mem 0 P, 2 FP/step"
  bool diverged = false;                   // drawn with a cross at the last point
  std::vector<std::array<double, 2>> probes;  // optional ZO probe points to mark
  // Optional spread band (e.g. min..max over seeds) at the xs, filled translucent under the
  // line; both empty or both the size of xs.
  std::vector<double> band_lo, band_hi;
};

struct Figure {
  std::string title;
  std::string xlabel = "x", ylabel = "y";
  double domain[4] = {-1, 1, -1, 1};       // x0, x1, y0, y1
  // Loss grid, row-major, row 0 at y0 (bottom); node (i, j) sits at
  // (x0 + i (x1 - x0) / (nx - 1), y0 + j (y1 - y0) / (ny - 1)). Empty: no heatmap.
  int grid_nx = 0, grid_ny = 0;
  std::vector<float> grid;
  bool log_colour = false;                 // colours and contour levels by ColourScale
  std::string colour_label;                // colourbar caption, e.g. "loss" (optional)
  std::string colormap = "viridis";
  int contour_levels = 12;                 // 0: no contour lines
  std::vector<std::array<double, 2>> minima;
  std::vector<FigureRun> runs;
  std::string stamp;                       // "zoscope 0.1.0 | exp 1a2b3c4d | seed 0"
};

struct Image {
  int w = 0, h = 0;
  std::vector<uint8_t> rgba;               // w*h*4, row 0 at the top
};

// Both throw zs::Error naming the field for a size outside [16, 16384], a bad domain, a
// grid whose size is not nx*ny (nx, ny >= 2), an unknown colormap, contour_levels outside
// [0, 100] or a run whose xs and ys differ in length.
Image figure_render_image(const Figure& fig, int w, int h);
std::string figure_render_svg(const Figure& fig, int w, int h);
// The plot area (x, y, w, h in pixels, origin top-left) both renderers use for this figure
// at this size: the domain's x0..x1 spans x..x+w and y0..y1 spans y+h..y.
std::array<double, 4> figure_plot_rect(const Figure& fig, int w, int h);

// The domain that lets the landscape fill a w x h figure: fig.domain widened along one
// axis, about its centre, to the aspect of the room the plot gets (title, ticks, colour bar
// and legend as for `fig`), so that the equal-aspect plot leaves no empty bands. The
// caller computes the grid over it (figure_make_filled, core/run/runner.h).
std::array<double, 4> figure_fill_domain(const Figure& fig, int w, int h);

// PNG encoding (stb_image_write) and atomic write to disk.
std::string png_encode(const Image& img);
void png_write(const std::string& path, const Image& img);

}  // namespace zs
