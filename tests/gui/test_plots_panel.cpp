// The Plots panel on real scenes (issue 10, item 1): the budget's unit sets the x axis, one
// diverged run is clipped instead of flattening the others, losses below zero switch the
// loss plot to symlog with a note, the cosine plot has ticks at -1, 0 and 1, and legends
// show without hover.
#include <gtest/gtest.h>
#include <string>
#include "app/gui/panels.h"
#include "app/gui/plot.h"
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

}  // namespace zs::gui::test
