// The 2-D landscape figure as the app draws it: core's figure layout (figure_layout.h) for
// the runs up to the playback cursor and the colour range of the view's grid, drawn
// through ImGuiCanvas over the GL heatmap -- the same drawing as the exported PNG / SVG.
// Plus what only the live view has: the transform for interaction and the hovered
// step's internals.
#pragma once
#include <imgui.h>
#include <string>
#include <vector>
#include "core/export/figure_layout.h"

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

struct LandscapeFigure {
  Figure fig;            // figure_frame: no grid, the view's colour range (fixed_scale)
  FigureOptions opt;
  FigurePlan plan;       // laid out by core at the requested size, domain filled
  std::vector<int> run_index;  // the app's run index of each fig.runs entry
  // The view's filled domain and what it was found for (the runs, their styles, the size,
  // the colour range): while playback only moves the cursor the domain is kept and the
  // figure is laid out once a frame instead of twice.
  std::string fill_key;
};
// The landscape figure at w x h pixels: for the live view (`view`: dark page, style scale
// 1, the paths left to the caller's cached layer, the legend as the Legend toggle says) or
// for an export (white page, style scaled with the size). False without a scene.
bool landscape_figure(const App& app, int w, int h, bool view, LandscapeFigure& out);
// The style scale of an export at w x h: the view's (scale 1 at the size it was last drawn)
// stretched to the export's size, so that an export at the view's size is the view on a
// white page; within a factor 4 of the exporter's own (0: the exporter's, no view yet).
double export_style_scale(const App& app, int w, int h);
// The plot rectangle and domain of a plan drawn at `origin`.
ViewXform figure_xform(const FigurePlan& pl, ImVec2 origin);
// Draws the figure (the colour bar's labels are recorded, landscape_colourbar_labels).
void draw_landscape_figure(Canvas& c, const LandscapeFigure& lf);

// Paths of the visible runs drawn so far (per app run: last row drawn, -1 for none), so
// that a path can be drawn in pieces as the playback cursor advances and look as if it
// were drawn at once.
struct PathState {
  std::vector<int> rows;
};
// Paths from the rows after state.rows[i] up to to_rows[i], stroked as the figure strokes
// them (figure_draw_path); updates `state`.
void draw_figure_paths(Canvas& c, const LandscapeFigure& lf, PathState& state, const std::vector<int>& to_rows);
// The paths of the runs followed from another process's folder (follow_run.h) where
// their rows have plane points (language models): thinner, with a ring at the newest.
void draw_followed_paths(ImDrawList* dl, const App& app, const ViewXform& xf, float s);

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

// The labelled colour-bar ticks of the last landscape figure drawn, as written (tests).
const std::vector<std::string>& landscape_colourbar_labels();
const std::string& landscape_colourbar_caption();

}  // namespace zs::gui
