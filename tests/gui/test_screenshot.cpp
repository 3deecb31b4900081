// Screenshot of the default preset (rosenbrock): the image is not blank, the region at
// the minimum (1, 1) has the colormap's low colour, and every run's colour appears near
// the end point core's runner computes for it.
#include <gtest/gtest.h>
#include <algorithm>
#include <cmath>
#include <set>
#include "core/export/colormap.h"
#include "core/io/presets.h"
#include "core/run/runner.h"
#include "app/gui/panels.h"
#include "gui_harness.h"

namespace zs::gui::test {

namespace {

uint32_t pixel(const Image& img, int x, int y) {
  const uint8_t* p = img.rgba.data() + (static_cast<size_t>(y) * img.w + x) * 4;
  return (static_cast<uint32_t>(p[0]) << 16) | (static_cast<uint32_t>(p[1]) << 8) | p[2];
}

double rgb_dist(uint32_t a, uint32_t b) {
  const double dr = static_cast<double>((a >> 16) & 0xff) - ((b >> 16) & 0xff);
  const double dg = static_cast<double>((a >> 8) & 0xff) - ((b >> 8) & 0xff);
  const double db = static_cast<double>(a & 0xff) - (b & 0xff);
  return std::sqrt(dr * dr + dg * dg + db * db);
}

// Fraction of the pixels within `radius` of `c` whose colour is within `tol` of `rgb`.
double fraction_near(const Image& img, ImVec2 c, int radius, uint32_t rgb, double tol) {
  int hit = 0, all = 0;
  for (int y = static_cast<int>(c.y) - radius; y <= static_cast<int>(c.y) + radius; ++y)
    for (int x = static_cast<int>(c.x) - radius; x <= static_cast<int>(c.x) + radius; ++x) {
      if (x < 0 || y < 0 || x >= img.w || y >= img.h) continue;
      if ((x - c.x) * (x - c.x) + (y - c.y) * (y - c.y) > radius * radius) continue;
      ++all;
      hit += rgb_dist(pixel(img, x, y), rgb) <= tol;
    }
  return all ? static_cast<double>(hit) / all : 0;
}

// Colour coordinates t of the heatmap pixels within `radius` of `c`: pixels within 10 of a
// colormap entry (markers, paths and isolines are not, and are skipped). Sorted.
std::vector<double> heatmap_ts(const Image& img, ImVec2 c, int radius, const std::vector<uint32_t>& table) {
  std::vector<double> ts;
  for (int y = static_cast<int>(c.y) - radius; y <= static_cast<int>(c.y) + radius; ++y)
    for (int x = static_cast<int>(c.x) - radius; x <= static_cast<int>(c.x) + radius; ++x) {
      if (x < 0 || y < 0 || x >= img.w || y >= img.h) continue;
      if ((x - c.x) * (x - c.x) + (y - c.y) * (y - c.y) > radius * radius) continue;
      const uint32_t p = pixel(img, x, y);
      double best = 1e9;
      int k_best = 0;
      for (int k = 0; k < 256; ++k) {
        const double d = rgb_dist(p, table[static_cast<size_t>(k)]);
        if (d < best) {
          best = d;
          k_best = k;
        }
      }
      if (best <= 10) ts.push_back(k_best / 255.0);
    }
  std::sort(ts.begin(), ts.end());
  return ts;
}

}  // namespace

TEST(GuiScreenshot, DefaultPresetShowsLandscapeMinimumAndEveryRun) {
  Harness h(1280, 800);
  App& app = h.app();
  h.frame(5);
  h.settle();
  const Image img = h.read_frame();
  ASSERT_EQ(img.w, 1280);
  ASSERT_EQ(img.h, 800);
  png_write(out_path("screenshot_default.png"), img);

  // Not blank: many distinct colours.
  std::set<uint32_t> colours;
  for (int y = 0; y < img.h; y += 3)
    for (int x = 0; x < img.w; x += 3) colours.insert(pixel(img, x, y));
  EXPECT_GT(colours.size(), 500u);

  const ViewXform xf = app.view_xform();
  const std::vector<uint32_t> table = colormap_table(app.exp().view.colormap);
  // Around (1, 1) the heatmap shows the bottom of the log colour scale (markers and paths
  // cover the point itself and are skipped); the landscape's highest grid node, checked
  // the same way, shows the top. Both must hold, so neither check passes by accident.
  // The valley is a few pixels wide there: its floor holds the lowest colours, the lower
  // quartile of the disc stays near the bottom of the scale.
  const std::vector<double> low = heatmap_ts(img, xf.to_screen(1, 1), 14, table);
  ASSERT_GE(low.size(), 20u);
  EXPECT_LT(low.front(), 0.04) << "lowest colour coordinate near the minimum";
  EXPECT_LT(low[low.size() / 4], 0.12) << "lower quartile of the colour coordinates near the minimum";
  const Grid& g = *app.results().grid;
  const size_t top = static_cast<size_t>(std::max_element(g.v.begin(), g.v.end()) - g.v.begin());
  const double tx = g.domain[0] + (g.domain[1] - g.domain[0]) * static_cast<double>(top % g.nx) / (g.nx - 1);
  const double ty = g.domain[2] + (g.domain[3] - g.domain[2]) * static_cast<double>(top / g.nx) / (g.ny - 1);
  ImVec2 hp = xf.to_screen(tx, ty);
  hp = ImVec2(std::clamp(hp.x, xf.p0.x + 8, xf.p1.x - 8), std::clamp(hp.y, xf.p0.y + 8, xf.p1.y - 8));
  const std::vector<double> high = heatmap_ts(img, hp, 6, table);
  ASSERT_GE(high.size(), 10u);
  EXPECT_GT(high[high.size() / 2], 0.85) << "median colour coordinate at the highest node";

  // Each run's colour near its end point as computed by core.
  const Experiment& e = app.exp();
  const Scene s = scene_make(e);
  const std::vector<RunRecord> ref = run_experiment(e, s, 2);
  ASSERT_EQ(ref.size(), e.runs.size());
  for (size_t i = 0; i < ref.size(); ++i) {
    const StepRow& end = ref[i].rows.back();
    const ImVec2 p = xf.to_screen(end.x, end.y);
    ASSERT_TRUE(xf.contains(p)) << ref[i].label;
    // At least a few pixels of the run's colour (its end marker, or its path where later
    // markers cover the end) within 7 px.
    EXPECT_GE(fraction_near(img, p, 7, e.runs[i].colour, 40), 3.0 / 154) << ref[i].label << " at (" << end.x << ", " << end.y << ")";
  }
}

TEST(GuiScreenshot, SurfaceViewRendersWithDepth) {
  Harness h(1024, 700);
  App& app = h.app();
  h.show_surface();
  const Image img = h.read_frame();
  png_write(out_path("screenshot_surface.png"), img);
  ImVec2 a, b;
  ASSERT_TRUE(app.item_rect("view/surface", a, b));
  // The surface covers much of the view with colormap colours.
  const std::string& cmap = app.exp().view.colormap;
  int coloured = 0, all = 0;
  for (int y = static_cast<int>(a.y); y < static_cast<int>(b.y); y += 4)
    for (int x = static_cast<int>(a.x); x < static_cast<int>(b.x); x += 4) {
      ++all;
      const uint32_t c = pixel(img, x, y);
      for (int k = 0; k <= 16; ++k)
        if (rgb_dist(c, colormap_rgb(cmap, k / 16.0)) < 60) {
          ++coloured;
          break;
        }
    }
  // 0.2 before the surface was fitted whole into the view (SurfaceFitsANarrowViewOnOpen): 0.17 now.
  EXPECT_GT(static_cast<double>(coloured) / all, 0.15);
}

// The surface fits the view on open, also in a tall narrow view (the camera distance
// used to fit the vertical field of view only, and the surface ran off both sides).
TEST(GuiScreenshot, SurfaceFitsANarrowViewOnOpen) {
  Harness h(900, 1000);
  App& app = h.app();
  app.model().ui.view_3d = true;
  app.model().ui.show_legend = false;
  h.frame(3);
  h.settle();
  const Image img = h.read_frame();
  ImVec2 a, b;
  ASSERT_TRUE(app.item_rect("view/surface", a, b));
  ASSERT_LT(b.x - a.x, 0.7f * (b.y - a.y)) << "a narrow view";
  const std::string& cmap = app.exp().view.colormap;
  int edge = 0, rows = 0;
  for (int y = static_cast<int>(a.y) + 30; y < static_cast<int>(b.y) - 10; y += 2) {
    ++rows;
    const uint32_t c = pixel(img, static_cast<int>(a.x) + 1, y);
    for (int k = 0; k <= 16; ++k)
      if (rgb_dist(c, colormap_rgb(cmap, k / 16.0)) < 40) {
        ++edge;
        break;
      }
  }
  EXPECT_LT(static_cast<double>(edge) / rows, 0.02) << edge << " of " << rows << " rows reach the left edge";
}

// The 3-D view has axes with ticks (issue 10, item 5): x and y along the base, f on a
// vertical edge labelled with the colour scale's values; they follow the camera.
TEST(GuiScreenshot, SurfaceViewHasAxesWithTicks) {
  Harness h(1024, 700);
  App& app = h.app();
  h.show_surface();
  ImVec2 a, b;
  ASSERT_TRUE(app.item_rect("view/surface", a, b));
  const Scene* s = app.scene();
  ASSERT_NE(s, nullptr);
  int n[3] = {0, 0, 0};
  std::vector<ImVec2> before;
  for (const SurfaceAxisTick& t : surface_axis_ticks()) {
    const int k = t.axis == 'x' ? 0 : t.axis == 'y' ? 1 : 2;
    ++n[k];
    if (k < 2) {
      EXPECT_GE(t.value, s->domain[2 * k] - 1e-9) << t.label;
      EXPECT_LE(t.value, s->domain[2 * k + 1] + 1e-9) << t.label;
    }
    EXPECT_TRUE(t.at.x >= a.x && t.at.x <= b.x && t.at.y >= a.y && t.at.y <= b.y) << t.axis << " " << t.label;
    before.push_back(t.at);
  }
  EXPECT_GE(n[0], 3);
  EXPECT_GE(n[1], 2);
  EXPECT_EQ(n[2], 5);
  app.model().ui.camera.yaw += 0.7f;
  h.frame(2);
  ASSERT_FALSE(surface_axis_ticks().empty());
  EXPECT_NE(surface_axis_ticks()[0].at.x, before[0].x);
}

// Playback redraws only the paths over a cached surface (the frame-time fix of item 5):
// the surface is rendered once while the cursor moves, again when the camera moves, and
// the picture equals a fresh render of the same step.
TEST(GuiScreenshot, SurfaceIsCachedWhileThePathsMove) {
  Harness h(1024, 700);
  App& app = h.app();
  h.show_surface();
  const int r0 = app.surface().surface_renders();
  app.model().play.cursor = 100;
  for (int k = 0; k < 5; ++k) {
    app.model().play.cursor += 50;
    h.frame(1);
  }
  EXPECT_EQ(app.surface().surface_renders(), r0) << "the cursor moved, the surface did not";
  const Image cached = h.read_frame();
  app.model().ui.camera.yaw += 0.5f;
  h.frame(1);
  app.model().ui.camera.yaw -= 0.5f;
  h.frame(1);
  EXPECT_EQ(app.surface().surface_renders(), r0 + 2);
  const Image fresh = h.read_frame();
  ASSERT_EQ(cached.rgba.size(), fresh.rgba.size());
  ImVec2 a, b;  // the view only: the status bar shows the frame time
  ASSERT_TRUE(app.item_rect("view/surface", a, b));
  size_t differ = 0;
  for (int y = static_cast<int>(a.y); y < static_cast<int>(b.y); ++y)
    for (int x = static_cast<int>(a.x); x < static_cast<int>(b.x); ++x) differ += pixel(cached, x, y) != pixel(fresh, x, y);
  EXPECT_EQ(differ, 0u);
}

}  // namespace zs::gui::test
