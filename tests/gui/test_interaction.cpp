// Interaction tests: input injected through ImGui's io (1.86: MousePos, MouseDown,
// MouseWheel, KeysDown, input characters) must change the model as a user expects, and
// the trajectories must be recomputed to match core's runner exactly.
#include <gtest/gtest.h>
#include <cmath>
#include <set>
#include "app/gui/keys.h"
#include "app/gui/overlay.h"
#include "core/export/figure.h"
#include "core/io/presets.h"
#include "core/run/runner.h"
#include "gui_harness.h"

namespace zs::gui::test {

namespace {
// The runs core computes for the app's current experiment (the reference).
std::vector<RunRecord> reference_runs(const Experiment& e) {
  const Scene s = scene_make(e);
  return run_experiment(e, s, 2);
}
}  // namespace

TEST(GuiInteraction, DragStartPointMovesItByTheDraggedWorldAmount) {
  Harness h;
  App& app = h.app();
  const ViewXform xf = app.view_xform();
  ASSERT_EQ(app.exp().start, (std::vector<double>{-1.2, 1.0}));
  const ImVec2 from = xf.to_screen(-1.2, 1.0);
  const ImVec2 to(from.x + 63, from.y - 41);
  h.drag(from, to, 10);
  const double ppu = xf.px_per_unit();
  ASSERT_EQ(app.exp().start.size(), 2u);
  const double tol = 1.0 / ppu;  // one pixel
  EXPECT_NEAR(app.exp().start[0], -1.2 + 63 / ppu, tol);
  EXPECT_NEAR(app.exp().start[1], 1.0 + 41 / ppu, tol);
  // The view did not pan while the start was dragged.
  EXPECT_EQ(app.exp().view.domain[0], 0);
  h.settle();
  const RunRecord* r = app.record(0);
  ASSERT_NE(r, nullptr);
  EXPECT_DOUBLE_EQ(r->rows[0].x, app.exp().start[0]);
  EXPECT_DOUBLE_EQ(r->rows[0].y, app.exp().start[1]);
  // Dragging elsewhere pans instead: the start stays, the domain moves by the drag.
  const std::vector<double> start = app.exp().start;
  const ImVec2 c(0.5f * (xf.p0.x + xf.p1.x), xf.p1.y - 30);
  h.drag(c, ImVec2(c.x + 50, c.y), 5);
  EXPECT_EQ(app.exp().start, start);
  EXPECT_NEAR(app.exp().view.domain[0], app.scene()->landscape->info().view[0] - 50 / ppu, tol);
}

TEST(GuiInteraction, SliderChangesHyperparameterAndTrajectoryIsRecomputed) {
  Harness h;
  App& app = h.app();
  const double lr0 = app.exp().runs[0].hp.at("lr");
  const std::vector<double> end0 = app.record(0)->final_x;
  const uint64_t job0 = app.results().runs_job;
  ImVec2 a, b;
  ASSERT_TRUE(app.item_rect("runs/0/lr", a, b));
  // Press on the slider's track and drag right: the value follows the mouse.
  const float y = 0.5f * (a.y + b.y);
  h.drag(ImVec2(a.x + 0.30f * (b.x - a.x), y), ImVec2(a.x + 0.34f * (b.x - a.x), y), 4);
  const double lr1 = app.exp().runs[0].hp.at("lr");
  EXPECT_NE(lr1, lr0);
  EXPECT_GT(lr1, 1e-10);
  EXPECT_LT(lr1, 10);
  h.settle();
  EXPECT_NE(app.results().runs_job, job0);
  EXPECT_TRUE(app.results().runs_complete);
  const std::vector<RunRecord> ref = reference_runs(app.exp());
  ASSERT_EQ(app.results().runs.size(), ref.size());
  EXPECT_EQ(app.record(0)->hp.at("lr"), lr1);
  EXPECT_EQ(app.record(0)->final_x, ref[0].final_x);
  EXPECT_NE(app.record(0)->final_x, end0);
  // The other runs were recomputed too and are unchanged.
  EXPECT_EQ(app.record(1)->final_x, ref[1].final_x);
}

TEST(GuiInteraction, RapidEditsTheLastOneWins) {
  Harness h;
  App& app = h.app();
  for (int k = 0; k < 12; ++k) {
    app.exp().runs[1].hp["lr"] = 1e-3 * (1 + k);
    h.frame();
  }
  h.settle();
  const std::vector<RunRecord> ref = reference_runs(app.exp());
  ASSERT_EQ(app.results().runs.size(), ref.size());
  for (size_t i = 0; i < ref.size(); ++i) {
    EXPECT_EQ(app.results().runs[i].rows.size(), ref[i].rows.size());
    EXPECT_EQ(app.results().runs[i].final_x, ref[i].final_x) << i;
  }
}

TEST(GuiInteraction, KeyboardPlaybackPlayPauseStepReset) {
  Harness h;
  App& app = h.app();
  Playback& p = app.model().play;
  EXPECT_FALSE(p.playing);
  EXPECT_EQ(p.cursor, 2000);
  h.key(kKeySpace);  // at the end: restarts from step 0
  EXPECT_TRUE(p.playing);
  const double c0 = p.cursor;
  h.frame(30);
  EXPECT_TRUE(p.playing);
  // Headless frames are 1/60 s: 30 frames advance half a second of playback.
  EXPECT_NEAR(p.cursor - c0, 0.5 * p.speed, 1e-6 * p.speed);
  const int row = app.cursor_row(0);
  EXPECT_EQ(row, static_cast<int>(std::floor(p.cursor)));
  h.key(kKeySpace);
  EXPECT_FALSE(p.playing);
  const double c1 = p.cursor;
  h.frame(10);
  EXPECT_EQ(p.cursor, c1);
  h.key(kKeyS);
  EXPECT_EQ(p.cursor, std::floor(c1) + 1);
  h.key(kKeyRight);
  EXPECT_EQ(p.cursor, std::floor(c1) + 2);
  h.key(kKeyR);
  EXPECT_EQ(p.cursor, 0);
  h.key(kKeyEnd);
  EXPECT_EQ(p.cursor, 2000);
  // The Play button does the same as Space.
  h.click(h.centre("playback/play"));
  EXPECT_TRUE(p.playing);
  h.frame(5);
  EXPECT_GT(p.cursor, 0);
  EXPECT_LT(p.cursor, 2000);
}

TEST(GuiInteraction, WheelZoomsAboutTheMouseAndFKeyFits) {
  Harness h;
  App& app = h.app();
  const ViewXform xf = app.view_xform();
  const ImVec2 at = xf.to_screen(0.5, 0.5);
  h.wheel(at, 2);
  const double* d = app.exp().view.domain;
  const double* d0 = app.scene()->landscape->info().view;
  EXPECT_LT(d[1] - d[0], 0.8 * (d0[1] - d0[0]));
  // The point under the mouse stays put.
  h.frame();
  const ViewXform xf2 = app.view_xform();
  double wx, wy;
  xf2.to_world(at, wx, wy);
  EXPECT_NEAR(wx, 0.5, 2 / xf2.px_per_unit());
  EXPECT_NEAR(wy, 0.5, 2 / xf2.px_per_unit());
  h.key(kKeyF);
  EXPECT_EQ(app.exp().view.domain[0], 0);
  EXPECT_EQ(app.exp().view.domain[1], 0);
}

TEST(GuiInteraction, ExpressionErrorsShowInlineAndKeepTheLastValidLandscape) {
  Harness h;
  App& app = h.app();
  app.set_landscape("expression");
  h.settle();
  const std::string good = app.exp().landscape.expression;
  ASSERT_FALSE(good.empty());
  // Click into the field, select all, type a broken expression.
  h.click(h.centre("scene/expression"));
  ImGuiIO& io = ImGui::GetIO();
  io.KeyCtrl = true;
  h.key(kKeyA, true);
  io.KeyCtrl = false;
  h.type("x^2 + (y");
  EXPECT_EQ(app.model().expression_edit, "x^2 + (y");
  EXPECT_FALSE(app.model().expression_error.empty());
  EXPECT_EQ(app.exp().landscape.expression, good);
  h.frame(3);
  h.type(")*3");
  EXPECT_TRUE(app.model().expression_error.empty()) << app.model().expression_error;
  EXPECT_EQ(app.exp().landscape.expression, "x^2 + (y)*3");
  h.settle();
  ASSERT_NE(app.record(0), nullptr);
  EXPECT_TRUE(app.results().runs_error.empty());
}

TEST(GuiInteraction, AddRemoveDuplicateHideRuns) {
  Harness h(1280, 1000);
  App& app = h.app();
  const size_t n = app.exp().runs.size();
  app.run_add("adanaged_p");
  h.settle();
  ASSERT_EQ(app.exp().runs.size(), n + 1);
  EXPECT_NE(app.exp().runs.back().label.find("(provisional)"), std::string::npos);
  app.run_duplicate(0);
  // A duplicate shows at once: same optimizer, hyperparameters and seed.
  ASSERT_EQ(app.results().runs.size(), n + 2);
  EXPECT_EQ(app.record(1)->final_x, app.record(0)->final_x);
  EXPECT_EQ(app.exp().runs[1].label, app.exp().runs[0].label + " (copy)");
  h.frame();
  h.click(h.centre("runs/1/remove"));
  EXPECT_EQ(app.exp().runs.size(), n + 1);
  h.click(h.centre("runs/0/visible"));
  EXPECT_FALSE(app.exp().runs[0].visible);
  h.settle();
  EXPECT_EQ(app.results().runs.size(), n + 1);
  EXPECT_NE(app.record(static_cast<int>(n))->legend.find("P"), std::string::npos);
}

TEST(GuiInteraction, AddedRunsTakeDistinctPaletteColours) {
  Harness h(1280, 1000);
  App& app = h.app();
  ASSERT_EQ(app.exp().runs.size(), 8u);  // the default preset: palette colours 0..7
  // Runs added up to 16: each takes a palette colour no run shows yet (not black, not a
  // repeat by index).
  while (app.exp().runs.size() < 16) app.run_add("mezo");
  std::set<uint32_t> colours;
  for (const RunSpec& r : app.exp().runs) colours.insert(r.colour);
  EXPECT_EQ(colours.size(), 16u);
  EXPECT_EQ(colours.count(0u), 0u);
  // Every palette colour taken: a duplicate takes the colour of a hidden run, which no
  // visible run shows, rather than run 0's.
  app.model().exp.runs[3].visible = false;
  const uint32_t hidden = app.exp().runs[3].colour;
  app.run_duplicate(0);
  EXPECT_EQ(app.exp().runs[1].colour, hidden);
  // ... and with every run shown (that colour twice, the others once), the first of the
  // colours the fewest visible runs share.
  app.model().exp.runs[4].visible = true;
  app.run_add("mezo");
  EXPECT_EQ(app.exp().runs.back().colour, default_run_colour(0));
  h.settle();
}

TEST(GuiInteraction, FailedLoadKeepsTheCurrentState) {
  Harness h;
  App& app = h.app();
  const std::string hash = experiment_hash(app.exp());
  std::string err;
  EXPECT_FALSE(app.load_experiment(out_path("does-not-exist.json"), &err));
  EXPECT_FALSE(err.empty());
  EXPECT_TRUE(app.status_is_error());
  EXPECT_EQ(app.status_text().find('\n'), std::string::npos);
  EXPECT_EQ(experiment_hash(app.exp()), hash);
  h.frame(3);
  EXPECT_EQ(app.results().runs.size(), app.exp().runs.size());
}

// The optimizer's internals at the cursor: MeZO's update is -lr times the ZO estimate
// rebuilt from its probes; Adam (first order) has no ZO estimate; ZO-Adam's per-dimension
// step sizes differ (ellipse); hovering a run's marker picks that run.
TEST(GuiInteraction, StepInternalsRebuildTheZoEstimateAndHoverPicksTheRun) {
  Harness h;
  App& app = h.app();
  app.model().play.cursor = 40;
  h.frame();
  StepInternals mezo;
  ASSERT_TRUE(step_internals(app, 0, mezo));
  ASSERT_EQ(app.exp().runs[0].optimizer, "mezo");
  ASSERT_TRUE(mezo.has_zo);
  const double lr = app.record(0)->hp.at("lr");
  for (int j = 0; j < 2; ++j) EXPECT_NEAR(mezo.update[j], -lr * mezo.zo[j], 1e-9 * (1 + std::fabs(mezo.update[j]))) << j;
  EXPECT_FALSE(mezo.adaptive);
  StepInternals adam;
  ASSERT_TRUE(step_internals(app, 7, adam));
  ASSERT_EQ(app.exp().runs[7].optimizer, "adam");
  EXPECT_FALSE(adam.has_zo);
  EXPECT_NE(adam.grad[0], 0);
  StepInternals zo_adam;
  ASSERT_TRUE(step_internals(app, 2, zo_adam));
  EXPECT_TRUE(zo_adam.adaptive);
  // The marker of run 3 at the cursor is where the hover picks it.
  const StepRow& row = app.record(3)->rows[static_cast<size_t>(app.cursor_row(3))];
  const ImVec2 p = app.view_xform().to_screen(row.x, row.y);
  EXPECT_EQ(run_at_marker(app, app.view_xform(), p, 1), 3);
  EXPECT_EQ(run_at_marker(app, app.view_xform(), ImVec2(-100, -100), 12), -1);
  h.mouse_move(p);
  h.frame();
  const Image img = h.read_frame();
  png_write(out_path("internals.png"), img);
}

}  // namespace zs::gui::test
