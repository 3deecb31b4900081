// One drawing of the landscape figure (issue 10, item 4): the app's view and GPU export
// draw core's figure layout through the same Canvas calls as the PNG / SVG exporter. A
// recording Canvas compares the primitives; the plans compare field by field.
#include <gtest/gtest.h>
#include <cstdio>
#include <string>
#include <vector>
#include "app/gui/imgui_canvas.h"
#include "app/gui/overlay.h"
#include "core/run/runner.h"
#include "gui_harness.h"

namespace zs::gui::test {

namespace {

// Every call, with its numbers, as a line.
class RecordingCanvas final : public Canvas {
 public:
  std::vector<std::string> calls;
  void fill_rect(double x, double y, double w, double h, uint32_t rgb, double a) override { add("rect", {x, y, w, h, double(rgb), a}); }
  void polylines(const std::vector<Polyline>& p, double w, uint32_t rgb, double a) override { lines("lines", p, w, rgb, a); }
  void trajectory(const std::vector<Polyline>& p, double w, uint32_t rgb, double a) override { lines("path", p, w, rgb, a); }
  void fill_polygon(const Polyline& p, uint32_t rgb, double a) override { lines("poly", {p}, 0, rgb, a); }
  void circle(double cx, double cy, double r, double sw, uint32_t rgb, double a) override { add("circle", {cx, cy, r, sw, double(rgb), a}); }
  void text(double x, double y, const std::string& s, const TextStyle& st) override {
    add("text " + s, {x, y, st.size, double(st.rgb), st.alpha, double(st.h), double(st.v), double(st.vertical)});
  }
  void heatmap(int x, int y, int w, int h, const HeatField& f) override { add("heatmap", {double(x), double(y), double(w), double(h), double(f.nx), double(f.ny)}); }
  void push_clip(double x, double y, double w, double h) override { add("clip", {x, y, w, h}); }
  void pop_clip() override { calls.push_back("unclip"); }

 private:
  void add(std::string s, std::initializer_list<double> v) {
    char b[40];
    for (double d : v) {
      std::snprintf(b, sizeof b, " %.9g", d);
      s += b;
    }
    calls.push_back(std::move(s));
  }
  void lines(const char* what, const std::vector<Polyline>& p, double w, uint32_t rgb, double a) {
    std::string s = what;
    char b[64];
    for (const Polyline& l : p) {
      s += " |";
      for (const auto& q : l) {
        std::snprintf(b, sizeof b, " %.9g,%.9g", q[0], q[1]);
        s += b;
      }
    }
    std::snprintf(b, sizeof b, " w %.9g %u %.9g", w, rgb, a);
    calls.push_back(s + b);
  }
};

// The figure App::export_figure writes at w x h: core's filled figure in the view's colour
// range (here without its grid: the view paints the heatmap on the GPU).
FigureOptions export_options(const App& app, int w, int h) {
  FigureOptions o;
  o.style_scale = export_style_scale(app, w, h);
  return o;
}

Figure exported_figure(const App& app, int w, int h, bool with_grid = false) {
  const Scene s = scene_make(app.exp());
  Figure fig = figure_make_filled(app.exp(), s, app.results().runs, w, h, 2, &app.results().scale, export_options(app, w, h));
  if (with_grid) return fig;
  fig.grid.clear();
  fig.grid_nx = fig.grid_ny = 0;
  return fig;
}

void expect_same_plan(const FigurePlan& a, const FigurePlan& b) {
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(a.domain[k], b.domain[k], 1e-9 * (std::abs(b.domain[k]) + 1)) << "domain " << k;
  EXPECT_TRUE(a.lay.plot == b.lay.plot) << a.lay.plot.x << " " << a.lay.plot.y << " " << a.lay.plot.w << " " << a.lay.plot.h;
  EXPECT_TRUE(a.lay.cbar == b.lay.cbar);
  EXPECT_EQ(a.scale.lo, b.scale.lo);
  EXPECT_EQ(a.scale.hi, b.scale.hi);
  EXPECT_EQ(a.scale.log, b.scale.log);
  EXPECT_EQ(a.lay.xlabels, b.lay.xlabels);
  EXPECT_EQ(a.lay.ylabels, b.lay.ylabels);
  ASSERT_EQ(a.lay.cticks.size(), b.lay.cticks.size());
  for (size_t i = 0; i < a.lay.cticks.size(); ++i) EXPECT_EQ(a.lay.cticks[i].label, b.lay.cticks[i].label);
  EXPECT_EQ(a.lay.ccaption, b.lay.ccaption);
  EXPECT_TRUE(a.legend_box == b.legend_box) << a.legend_box.x << "," << a.legend_box.y << " vs " << b.legend_box.x << "," << b.legend_box.y;
  EXPECT_TRUE(a.legend.entries == b.legend.entries);
  EXPECT_EQ(a.legend.swatches, b.legend.swatches);
  ASSERT_EQ(a.geo.size(), b.geo.size());
  for (size_t i = 0; i < a.geo.size(); ++i) {
    ASSERT_EQ(a.geo[i].pieces.size(), b.geo[i].pieces.size()) << "run " << i;
    for (size_t k = 0; k < a.geo[i].pieces.size(); ++k)
      for (size_t j = 0; j < a.geo[i].pieces[k].size() && j < b.geo[i].pieces[k].size(); ++j) {
        EXPECT_NEAR(a.geo[i].pieces[k][j][0], b.geo[i].pieces[k][j][0], 1e-6);
        EXPECT_NEAR(a.geo[i].pieces[k][j][1], b.geo[i].pieces[k][j][1], 1e-6);
      }
  }
}

}  // namespace

// The layout the live view drew (style scale 1 at its size) is the exported figure's at
// that size: plot, domain, colour range, ticks, colour bar, legend, decimated paths.
TEST(OneFigure, ViewLayoutIsTheExportedFiguresLayout) {
  for (const auto& [w, h] : {std::pair{1280, 800}, std::pair{1600, 1000}, std::pair{800, 500}}) {
    Harness hs(w, h);
    App& app = hs.app();
    hs.settle();
    ASSERT_TRUE(app.results().grid);
    const LandscapeFigure& shown = app.view_figure();
    EXPECT_EQ(shown.opt.style_scale, 1);
    EXPECT_TRUE(shown.opt.dark);
    const int W = shown.plan.lay.W, H = shown.plan.lay.H;
    const Figure exp = exported_figure(app, W, H);
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h) + " window, view " + std::to_string(W) + "x" + std::to_string(H));
    expect_same_plan(shown.plan, figure_plan(exp, W, H, export_options(app, W, H)));
    // The view's transform for interaction is the plan's plot and domain.
    const ViewXform xf = app.view_xform();
    EXPECT_EQ(xf.p1.x - xf.p0.x, shown.plan.lay.plot.w);
    EXPECT_EQ(xf.x0, shown.plan.domain[0]);
  }
}

// The GPU export of the view (App::export_view_png) and the PNG / SVG exporter make the
// same Canvas calls, primitive for primitive, for the same experiment and size.
TEST(OneFigure, ViewExportAndFigureExportDrawTheSamePrimitives) {
  Harness h(1280, 800);
  App& app = h.app();
  h.settle();
  for (const auto& [w, hgt] : {std::pair{1600, 1000}, std::pair{800, 500}}) {
    LandscapeFigure lf;
    ASSERT_TRUE(landscape_figure(app, w, hgt, false, lf));
    RecordingCanvas a, b;
    draw_landscape_figure(a, lf);
    const Figure exp = exported_figure(app, w, hgt);
    figure_draw(b, exp, figure_plan(exp, w, hgt, export_options(app, w, hgt)));
    ASSERT_FALSE(a.calls.empty());
    ASSERT_EQ(a.calls.size(), b.calls.size()) << w << "x" << hgt;
    for (size_t i = 0; i < a.calls.size(); ++i) ASSERT_EQ(a.calls[i], b.calls[i]) << "call " << i << " at " << w << "x" << hgt;
  }
}

// What you see is what you export: the exported PNG at the view's size, next to the
// window's view (both written for a look), lays out the same plot, and inside it shows
// the same picture (heatmap in the same colour range, contours, paths, markers, legend).
TEST(OneFigure, ExportAtTheViewsSizeLooksLikeTheView) {
  Harness h(1600, 1000);
  App& app = h.app();
  h.settle();
  h.frame(2);
  const Image shot = h.read_frame();
  const LandscapeFigure& v = app.view_figure();
  const int W = v.plan.lay.W, H = v.plan.lay.H;
  const ViewXform xf = app.view_xform();
  const int ox = static_cast<int>(xf.p0.x - v.plan.lay.plot.x), oy = static_cast<int>(xf.p0.y - v.plan.lay.plot.y);
  EXPECT_EQ(export_style_scale(app, W, H), 1);
  const Figure fig = exported_figure(app, W, H, true);
  const FigureOptions opt = export_options(app, W, H);
  const FigurePlan pl = figure_plan(fig, W, H, opt);
  expect_same_plan(v.plan, pl);
  const Image img = figure_render_image(fig, W, H, opt);
  Image crop;
  crop.w = W;
  crop.h = H;
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x)
      for (int k = 0; k < 4; ++k)
        crop.rgba.push_back(shot.rgba[(static_cast<size_t>(oy + y) * shot.w + ox + x) * 4 + k]);
  png_write(out_path("one_figure_view.png"), crop);
  png_write(out_path("one_figure_export.png"), img);
  const fig::Box& p = pl.lay.plot;
  int same = 0, all = 0;
  for (int y = static_cast<int>(p.y) + 2; y < static_cast<int>(p.b()) - 2; y += 2)
    for (int x = static_cast<int>(p.x) + 2; x < static_cast<int>(p.r()) - 2; x += 2) {
      const size_t i = (static_cast<size_t>(y) * W + x) * 4;
      int d = 0;
      for (int k = 0; k < 3; ++k) d += std::abs(static_cast<int>(crop.rgba[i + k]) - static_cast<int>(img.rgba[i + k]));
      same += d < 40;
      ++all;
    }
  std::printf("plot pixels alike: %.3f of %d\n", static_cast<double>(same) / all, all);
  EXPECT_GT(static_cast<double>(same) / all, 0.85);
}

// The view draws its paths in pieces as the cursor advances (its cached layer): stroked
// through the figure's own pieces, the whole path in one go is the figure's path.
TEST(OneFigure, PathsDrawnInOneGoAreTheFiguresPaths) {
  Harness h(1280, 800);
  App& app = h.app();
  h.settle();
  LandscapeFigure lf;
  ASSERT_TRUE(landscape_figure(app, 900, 700, true, lf));
  RecordingCanvas layer, whole;
  PathState st;
  std::vector<int> rows;
  for (int i = 0; i < static_cast<int>(app.exp().runs.size()); ++i) rows.push_back(app.cursor_row(i));
  draw_figure_paths(layer, lf, st, rows);
  for (size_t j = 0; j < lf.fig.runs.size(); ++j) figure_draw_path(whole, lf.plan, lf.fig, j, lf.plan.geo[j].pieces);
  EXPECT_EQ(layer.calls, whole.calls);
}

// A large window's view shows the legend in the plot with every detail; a small one (800 x
// 500), where that legend would hide paths or lose its labels, puts it outside the plot
// with every run named (colour swatches only when no outside place keeps half the plot).
// The view's legend is the figure's legend rule (plan_for).
TEST(OneFigure, LegendCollapsesInSmallViews) {
  {
    Harness h(1600, 1000);
    h.settle();
    const fig::Legend& lg = h.app().view_figure().plan.legend;
    EXPECT_FALSE(lg.swatches);
    ASSERT_FALSE(lg.entries.empty());
    EXPECT_FALSE(lg.entries[0].extra.empty()) << "memory / FP details shown";
  }
  {
    Harness h(800, 500);
    h.settle();
    const LandscapeFigure& lf = h.app().view_figure();
    EXPECT_FALSE(lf.plan.legend.swatches);
    EXPECT_EQ(lf.plan.legend.entries.size(), lf.fig.runs.size());
    EXPECT_NE(lf.plan.legend_at, LegendAt::inside);
    const fig::Box& b = lf.plan.legend_box;
    const fig::Box& p = lf.plan.lay.plot;
    EXPECT_TRUE(b.y >= p.b() || b.x >= p.r()) << "outside the plot";
    EXPECT_LE(b.r(), lf.plan.lay.W);
    EXPECT_LE(b.b(), lf.plan.lay.H);
  }
}

}  // namespace zs::gui::test
