// The trajectory figure, drawn once against a small Canvas interface and rendered by two
// backends without OpenGL: a CPU rasteriser (PNG) and SVG. The GUI's high-resolution
// export and the CLI's `run`/`render` both produce it.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>
#include "core/export/colormap.h"

namespace zs {

// Where the runs' legend goes: inside the plot where it hides the least, in a column right
// of the colour bar, or in rows under the x axis (automatic: figure_plan decides).
enum class LegendAt { automatic, inside, right, below };

struct FigureRun {
  std::string label;
  uint32_t rgb = 0x1f77b4;                 // 0xRRGGBB
  std::vector<double> xs, ys;              // trajectory in plot-plane coordinates
  std::string legend_extra;                // e.g. "mem 0 P, 2 FP/step"
  bool diverged = false;                   // drawn with a cross at the last point
  std::vector<std::array<double, 2>> probes;  // optional ZO probe points to mark
  // Where the probes were taken (theta): with it they are drawn as spokes from theta,
  // magnified (probe_magnification) so that they stand clear of it, labelled "x k".
  bool has_probe_from = false;
  std::array<double, 2> probe_from{};
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
  // The colour range, when the caller fixes it (the app draws and exports the range its
  // view shows); otherwise colour_scale(grid, log_colour). With fixed_scale and no grid the
  // figure has a colour bar and no heatmap: the caller paints the plot (the app's GL view).
  bool fixed_scale = false;
  ColourScale scale;
  std::string colormap = "viridis";
  int contour_levels = 12;                 // 0: no contour lines
  std::vector<std::array<double, 2>> minima;
  std::vector<FigureRun> runs;
  std::string stamp;                       // "zoscope 0.1.0 | exp 1a2b3c4d | seed 0"
  // The legend's place when fixed (figure_make_filled: the place its domain was widened
  // for, so the plan of the filled figure puts it there again); FigureOptions::legend_at wins.
  LegendAt legend_at = LegendAt::automatic;
};

struct Image {
  int w = 0, h = 0;
  std::vector<uint8_t> rgba;               // w*h*4, row 0 at the top
};

// How a figure is drawn. The exporter's default; the app's view draws with style scale 1
// on a dark page, and the app's exports scale the view's style with the size.
struct FigureOptions {
  double style_scale = 0;     // lengths and font sizes x this; 0: min(w / 800, h / 600)
  bool dark = false;          // light ink for a dark page (the app's view) instead of a white one
  bool trajectories = true;   // false: the caller strokes the run paths (figure_draw_path) itself
  bool fill = false;          // widen the domain, about its centre, to the room the plot gets
  bool legend = true;         // false: no legend (the app's Legend toggle)
  LegendAt legend_at = LegendAt::automatic;  // forced: keeps an earlier plan's choice
};

// Both throw zs::Error naming the field for a size outside [16, 16384], a bad domain, a
// grid whose size is not nx*ny (nx, ny >= 2), an unknown colormap, contour_levels outside
// [0, 100] or a run whose xs and ys differ in length.
Image figure_render_image(const Figure& fig, int w, int h, const FigureOptions& opt = {});
std::string figure_render_svg(const Figure& fig, int w, int h, const FigureOptions& opt = {});
// The plot area (x, y, w, h in pixels, origin top-left) both renderers use for this figure
// at this size: the domain's x0..x1 spans x..x+w and y0..y1 spans y+h..y.
std::array<double, 4> figure_plot_rect(const Figure& fig, int w, int h);

// The domain that lets the landscape fill a w x h figure: fig.domain widened along one
// axis, about its centre, to the aspect of the room the plot gets (title, ticks, colour bar
// and legend as for `fig`), so that the equal-aspect plot leaves no empty bands. The
// caller computes the grid over it (figure_make_filled, core/run/runner.h).
std::array<double, 4> figure_fill_domain(const Figure& fig, int w, int h, const FigureOptions& opt = {});

// Factor (1, 10, 100, ...) that draws ZO probe points theta +- eps z at least `min_px` from
// theta when they are `offset_px` away (1 when already that far, or offset unknown).
float probe_magnification(float offset_px, float min_px);
// The halo under a run's path when its colour comes within a small distance of some
// colour of `colormap` (the path would vanish over that part of the heatmap): dark for
// light colours, light for dark ones; none (rgb, alpha 0) when the colour stands apart.
struct PathHalo {
  uint32_t rgb = 0;
  double alpha = 0;
};
PathHalo path_halo(uint32_t rgb, const std::string& colormap);

// PNG encoding (stb_image_write) and atomic write to disk.
std::string png_encode(const Image& img);
void png_write(const std::string& path, const Image& img);

}  // namespace zs
