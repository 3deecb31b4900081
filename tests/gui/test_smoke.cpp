// Smoke test (Dear ImGui's CI practice): every panel drawn for hundreds of frames over
// every landscape with every optimizer added, both views, plots in every mode, export and
// help windows open, playback running; no crash and glGetError clean after every frame.
#include <gtest/gtest.h>
#include "app/gui/keys.h"
#include "core/export/colormap.h"
#include "core/io/presets.h"
#include "core/landscape/landscape.h"
#include "core/opt/optimizer.h"
#include "gui_harness.h"

namespace zs::gui::test {

TEST(GuiSmoke, EveryPanelEveryLandscapeEveryOptimizer) {
  Harness h(1280, 800);
  App& app = h.app();
  Model& m = app.model();
  for (const OptimizerInfo& o : optimizer_catalog()) app.run_add(o.id);
  ASSERT_EQ(app.exp().runs.size(), 8 + optimizer_catalog().size());
  app.set_budget(false, 300);  // keeps every landscape's recompute short
  m.ui.show_export = true;
  m.ui.show_help = true;

  const auto& lands = landscape_catalog();
  const auto& maps = colormap_names();
  int frames = 0, landscapes_done = 0;
  for (; frames < 330; ++frames) {
    if (frames % 7 == 0) {
      const LandscapeDef& d = lands[static_cast<size_t>(landscapes_done++ % static_cast<int>(lands.size()))];
      app.set_landscape(d.id);
      ASSERT_EQ(app.exp().landscape.id, d.id);
    }
    if (frames % 7 == 3 && landscapes_done <= static_cast<int>(lands.size())) {
      // Every landscape's runs complete at least once, so all of them are drawn.
      ASSERT_TRUE(app.wait_idle(120));
      ASSERT_TRUE(app.results().runs_error.empty()) << app.exp().landscape.id << ": " << app.results().runs_error;
      ASSERT_EQ(app.results().runs.size(), app.exp().runs.size());
    }
    if (frames % 40 == 20) m.ui.view_3d = !m.ui.view_3d;
    if (frames % 23 == 5) m.exp.view.show_probes = !m.exp.view.show_probes;
    if (frames % 31 == 7) m.plots.x_fp = !m.plots.x_fp;
    if (frames % 29 == 11) m.plots.alpha_ratio = !m.plots.alpha_ratio;
    if (frames % 37 == 13) m.plots.log_y = !m.plots.log_y;
    if (frames % 17 == 9) m.exp.view.colormap = maps[static_cast<size_t>(frames) % maps.size()];
    if (frames % 19 == 3) m.exp.view.log_colour = frames % 3 - 1;
    if (frames % 53 == 0) app.play_toggle();
    if (frames % 61 == 30) app.step_once();
    if (frames == 150) app.set_budget(true, 500);
    if (frames == 200) app.run_duplicate(3);
    if (frames == 210) app.run_remove(0);
    if (frames == 250) m.ui.tiled = false;
    if (frames == 270) m.ui.tiled = true;
    if (frames == 100) m.ui.show_open = true;
    if (frames == 110) m.ui.show_save = true;
    if (frames == 130) m.ui.show_open = m.ui.show_save = false;
    h.frame();
  }
  EXPECT_GE(landscapes_done, static_cast<int>(lands.size()));
  EXPECT_GE(app.frames(), 300);
  EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
}

TEST(GuiSmoke, NdLandscapesAndProjections) {
  Harness h(1024, 700);
  App& app = h.app();
  Experiment e = experiment_resolve("preset:quadratic_nd");
  e.max_fp = 2000;  // the preset's 40000 take seconds per run on two cores
  app.set_experiment(e);
  for (const char* proj : {"auto", "toward_minimum", "plane", "coords"}) {
    app.exp().view.projection = proj;
    h.frame(3);
    app.model().ui.view_3d = !app.model().ui.view_3d;
    h.settle();
    ASSERT_NE(app.scene(), nullptr);
    ASSERT_EQ(app.results().runs.size(), app.exp().runs.size());
    EXPECT_TRUE(app.results().runs_complete);
  }
  app.set_dim(50);
  h.settle();
  EXPECT_EQ(app.scene()->landscape->dim(), 50);
  EXPECT_EQ(app.gl_error_frames(), 0) << app.last_gl_error();
}

}  // namespace zs::gui::test
