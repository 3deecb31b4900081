// The Plots panel on real scenes (issue 10, item 1): the budget's unit sets the x axis, one
// diverged run is clipped instead of flattening the others, losses below zero switch the
// loss plot to symlog with a note, the cosine plot has ticks at -1, 0 and 1, and legends
// show without hover.
#include <gtest/gtest.h>
#include <filesystem>
#include <string>
#include "app/gui/follow_run.h"
#include "app/gui/panels.h"
#include "app/gui/plot.h"
#include "core/export/line_chart.h"
#include "core/util/atomic_file.h"
#include "gui_harness.h"

namespace zs::gui::test {

TEST(GuiPlots, BudgetInForwardPassesOpensWithForwardPassesOnX) {
  Harness h(1280, 800, "preset:quadratic_nd");
  EXPECT_TRUE(h.app().model().plots.x_fp);
  ASSERT_TRUE(h.app().load_experiment("preset:rosenbrock"));
  EXPECT_FALSE(h.app().model().plots.x_fp);
  h.app().set_budget(true, 4000);
  EXPECT_TRUE(h.app().model().plots.x_fp);
}

TEST(GuiPlots, OneDivergedRunIsClippedAndNamedOnTheLossAndPathPlots) {
  Harness h;
  App& app = h.app();
  h.diverge_mezo();
  const plot::PlotState* loss = plots_panel_state("loss");
  const plot::PlotState* path = plots_panel_state("path");
  ASSERT_TRUE(loss && path);
  const RunRecord* rec = app.record(0);
  ASSERT_TRUE(rec);
  std::string dbg = "y " + std::to_string(loss->y.lo) + ".." + std::to_string(loss->y.hi) + " rows " + std::to_string(rec->rows.size()) + " last loss " + std::to_string(rec->rows.back().loss) + " diverged " + std::to_string(rec->diverged);
  for (auto& n : loss->notes_data) dbg += " | " + n;
  EXPECT_EQ(loss->clipped.count("MeZO"), 1u) << dbg;
  EXPECT_LT(loss->y.hi, 1e6);
  ASSERT_FALSE(loss->auto_notes.empty());
  EXPECT_NE(loss->auto_notes[0].find("MeZO"), std::string::npos);
  EXPECT_EQ(path->clipped.count("MeZO"), 1u);
  EXPECT_LT(path->y.hi, 100);
  // The panel's shared legend names every run without hover; a click hides MeZO in all plots.
  for (const RunSpec& r : app.exp().runs) {
    ImVec2 a, b;
    EXPECT_TRUE(app.item_rect("plots/legend/" + r.label, a, b)) << r.label;
  }
  h.click(h.centre("plots/legend/MeZO"));
  h.frame(2);
  for (const char* id : {"loss", "alpha", "cos", "path"}) EXPECT_EQ(plots_panel_state(id)->hidden.count("MeZO"), 1u) << id;
}

TEST(GuiPlots, NegativeLossesSwitchTheLossPlotToSymlogWithANote) {
  Harness h;
  h.use_expression("x^2 + y^2 - 1");
  h.settle_plots();
  const plot::PlotState* loss = plots_panel_state("loss");
  ASSERT_TRUE(loss);
  EXPECT_TRUE(loss->y_symlog);
  EXPECT_LT(loss->y.lo, 0);
  ASSERT_FALSE(loss->notes.empty());
  EXPECT_NE(loss->notes[0].find("symlog"), std::string::npos);
  EXPECT_TRUE(loss->notes_data.empty());  // nothing dropped
  const plot::PlotState* cos = plots_panel_state("cos");
  ASSERT_TRUE(cos);
  EXPECT_EQ(cos->y_ticks_drawn, (std::vector<double>{-1, 0, 1}));
}

TEST(GuiPlots, DevMetricPlotSharesTheLossPlotsXRangeLiveAndExported) {
  // A run whose dev metric is evaluated every 5 steps (a followed fine-tune: its log runs
  // steps 1..12, evaluations at 5 and 10), alone in the plots.
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(out_path("dev_x_range"));
  fs::remove_all(dir);
  fs::create_directories(dir / "runs" / "mezo");
  atomic_write((dir / "runs" / "mezo" / "steps.log").string(), followed_step_log(1, 12));
  Harness h(1280, 800);
  App& app = h.app();
  for (RunSpec& r : app.model().exp.runs) r.visible = false;
  FollowRunDirectory(dir.string().c_str());
  h.settle_plots();
  ASSERT_EQ(app.results().followed.size(), 1u);
  const std::vector<double>* dev_x = plots_panel_series("mezo (followed)", "dev_x");
  ASSERT_TRUE(dev_x);
  EXPECT_EQ(*dev_x, (std::vector<double>{5, 10}));
  // Every plot of the panel, the dev metric's included, spans step 0 to step 12.
  const std::array<LineChart, 4> charts = plots_panel_charts(app);
  const char* const ids[4] = {"loss", "alpha", "cos", "path"};
  for (size_t p = 0; p < 4; ++p) {
    const plot::PlotState* st = plots_panel_state(ids[p]);
    ASSERT_TRUE(st);
    EXPECT_DOUBLE_EQ(st->x.lo, 0) << ids[p];
    EXPECT_DOUBLE_EQ(st->x.hi, 12) << ids[p];
    const PlotLayout exported = chart_layout(charts[p]);  // the exported figure's too
    EXPECT_DOUBLE_EQ(exported.x.lo, 0) << ids[p];
    EXPECT_DOUBLE_EQ(exported.x.hi, 12) << ids[p];
    EXPECT_EQ(exported.x_ticks, st->x_ticks_drawn) << ids[p];
  }
  StopFollowing(app);
  h.frame();
  fs::remove_all(dir);
}

}  // namespace zs::gui::test
