// The 2-D landscape view's vector layer, drawn with an ImDrawList over the GPU heatmap:
// trajectories up to the playback cursor, start/end markers, ZO probe points, known
// minima, axes with nice ticks, colourbar and legend. The same code draws the live view
// (window draw list) and the high-resolution export (a draw list rendered into an FBO).
#pragma once
#include <imgui.h>
#include <string>
#include <vector>
#include "core/export/colormap.h"

namespace zs::gui {

class App;

// World (x, y) <-> screen pixels of the plot rectangle, equal aspect.
struct ViewXform {
  ImVec2 p0{0, 0}, p1{1, 1};          // plot rectangle in screen pixels
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;  // world extent shown
  ImVec2 to_screen(double x, double y) const;
  void to_world(ImVec2 p, double& x, double& y) const;
  double px_per_unit() const { return (p1.x - p0.x) / (x1 - x0); }
  bool contains(ImVec2 p) const { return p.x >= p0.x && p.x <= p1.x && p.y >= p0.y && p.y <= p1.y; }
};

// The smallest extent showing `domain` (x0, x1, y0, y1) whole in the rectangle at equal
// aspect, centred.
ViewXform view_fit(const double domain[4], ImVec2 p0, ImVec2 p1);

struct OverlayStyle {
  float s = 1;             // scale of every length and font size
  ImFont* font = nullptr;  // null: the current font
  bool axes = true, legend = true, colourbar = true;
  bool light = false;      // dark text on a white page (exports) instead of the UI theme
  std::string title;       // drawn above the plot when not empty
  const ColourScale* scale = nullptr;  // colourbar scale; null: the app's current grid
};

// Plot rectangle inside the region [r0, r1] leaving room for axes, colourbar and title.
void overlay_plot_rect(ImVec2 r0, ImVec2 r1, const OverlayStyle& st, ImVec2& p0, ImVec2& p1);

// Paths of the visible runs drawn so far (per run: last row drawn, -1 for none, and its
// screen point), so that a path can be drawn in pieces as the playback cursor advances and
// look as if it were drawn at once.
struct PathState {
  std::vector<int> rows;
  std::vector<ImVec2> last;
};
// Paths from the rows after state.rows[i] up to to_rows[i]; updates `state`.
void draw_trajectories(ImDrawList* dl, const App& app, const ViewXform& xf, float s, PathState& state,
                       const std::vector<int>& to_rows);
// The paths of the runs followed from another process's folder (follow_run.h) where
// their rows have plane points (language models): thinner, with a ring at the newest.
void draw_followed_paths(ImDrawList* dl, const App& app, const ViewXform& xf, float s);
// Everything but the paths: probes, minima, end and start markers, frame, axes, colourbar,
// legend (in the corner the paths cross least).
void draw_landscape_markup(ImDrawList* dl, const App& app, const ViewXform& xf, const OverlayStyle& st);
// Screen-space simplification of a polyline for drawing: keeps the first and last point
// and, between kept points, drops every point that lies within `tol` pixels of the chord
// replacing it (so the result stays within `tol` of the original and vice versa). Long
// smooth stretches collapse to a few segments; zigzags keep every turn. In place.
void decimate_polyline(std::vector<ImVec2>& pts, float tol = 0.5f);
// Halo colour under a run's path when the run's colour comes within a small distance of
// some colour of `colormap` (the path would vanish over that part of the heatmap): dark
// for light colours, light for dark ones; 0 when the colour stands apart.
ImU32 path_halo(uint32_t rgb, const std::string& colormap);
// Factor (1, 10, 100, ...) that draws ZO probe points theta +- eps z at least `min_px` from
// theta when they are `offset_px` away (1 when already that far, or offset unknown).
float probe_magnification(float offset_px, float min_px);
// How much of the landscape legend a plot of `plot` pixels shows: 0 every detail (`full`
// box), 1 labels only (`compact` box), 2 colour swatches only; a box fits when it takes at
// most 60% of the plot's width and half its height (an 800x500 window shows swatches).
int legend_mode(ImVec2 full, ImVec2 compact, ImVec2 plot);
// Paths up to the cursor and markup in one list (exports).
void draw_landscape_overlay(ImDrawList* dl, const App& app, const ViewXform& xf, const OverlayStyle& st);

// The optimizer's internals at the step that led to the playback cursor (2-D scenes):
// where it stood, its update, the true gradient there and, for two-sided ZO runs with
// recorded probes, the ZO estimate ((f(theta + eps z) - f(theta - eps z)) / (2 eps)) z
// (MeZO, Malladi et al. 2023, eq. 1) rebuilt from the probes; the per-dimension
// effective step sizes for adaptive methods.
struct StepInternals {
  int run = -1, row = -1;
  double at[2] = {0, 0};      // theta before the step
  double update[2] = {0, 0};  // theta after - theta before
  double grad[2] = {0, 0};    // true gradient at `at`
  bool has_zo = false;
  double zo[2] = {0, 0};      // ZO gradient estimate at `at`
  bool adaptive = false;      // per-dimension step sizes differ
  double alpha[2] = {0, 0};
};
// False when run `run` has no step before the cursor or the scene is not 2-D.
bool step_internals(const App& app, int run, StepInternals& out);
// The visible run whose marker at the cursor is nearest `mouse` within `radius` px; -1 if none.
int run_at_marker(const App& app, const ViewXform& xf, ImVec2 mouse, float radius);
// Draws step_internals of `run` (update, -gradient, -ZO estimate on a common scale,
// step-size ellipse, a caption); the landscape view calls it for the hovered run.
void draw_step_internals(ImDrawList* dl, const App& app, const ViewXform& xf, int run);

// 0xRRGGBB + alpha -> ImGui's packed colour.
ImU32 rgb_u32(uint32_t rgb, float alpha = 1);

// The labelled colour-bar tick values of the last landscape view drawn (tests: the same
// rule as the exported figure's, colour_bar_ticks).
const std::vector<double>& landscape_colourbar_labels();
const std::string& landscape_colourbar_caption();

}  // namespace zs::gui
