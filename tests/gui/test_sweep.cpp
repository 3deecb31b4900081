// File > Open sweep... (issue 10, item 8): a sweep folder opens in its own window with the
// figures core's exporter draws for the CLI (pixel for pixel) and the table; a folder that
// is not a sweep gives one status line. File > Run sweep...: the app runs the current
// experiment's sweep in the background, as the CLI does, and opens the folder it writes.
#include <gtest/gtest.h>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include "app/gui/panels.h"
#include "core/export/heat_chart.h"
#include "core/io/presets.h"
#include "core/opt/optimizer.h"
#include "core/run/sweep.h"
#include "core/util/atomic_file.h"
#include "app/gui/follow_run.h"
#include "app/gui/keys.h"
#include <functional>
#include "gui_harness.h"

namespace zs::gui::test {

TEST(GuiSweep, OpensASweepFolderWithTheCliFiguresAndTable) {
  // A two-parameter sweep written as `zoscope-cli sweep --out` writes it.
  Experiment e = experiment_resolve("preset:adamezo_steep");
  e.max_steps = 200;
  e.max_fp = 0;
  e.target_loss = 1.0;
  const SweepResult r = sweep_run(e, {sweep_param_parse("lr=1e-4:1e-2:log:3"), sweep_param_parse("h=5,10")}, 2, 2);
  const std::string dir = out_path("sweep_open");
  std::filesystem::create_directories(dir);
  atomic_write(dir + "/sweep.csv", sweep_csv(r));
  experiment_save(e, dir + "/experiment.json");

  Harness h;
  EXPECT_EQ(open_sweep_view(h.app()), nullptr);
  std::string err;
  ASSERT_TRUE(open_sweep(h.app(), dir, &err)) << err;
  h.frame(3);
  const SweepView* v = open_sweep_view(h.app());
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->figures.size(), 2u);  // final loss, FP to the target
  // The same picture as the CLI's sweep.png (core draws both from the same cells).
  const Image want = heat_chart_render_image(sweep_heat_chart(r, e, SweepMetric::final_loss), 1600, 1000);
  EXPECT_EQ(v->figures[0].rgba, want.rgba);
  EXPECT_EQ(v->table.size(), 1 + r.cells.size());
  EXPECT_EQ(v->table[0][0], "lr");
  const ImVec2 c = h.centre("sweep/figure");  // the figure is drawn in the window
  EXPECT_GT(c.x, 0);
  png_write(out_path("sweep_window.png"), h.read_frame());  // to look at

  // Not a sweep folder: false, one line naming sweep.csv, the window keeps the last sweep.
  EXPECT_FALSE(open_sweep(h.app(), out_path("no_such_sweep"), &err));
  EXPECT_NE(err.find("sweep.csv"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  EXPECT_NE(open_sweep_view(h.app()), nullptr);
}

namespace {

// Frames until the app's sweep has finished and been handled (at most `seconds`).
bool wait_sweep(Harness& h, double seconds) {
  return h.frames_while([&] { return sweep_running(h.app()); }, seconds);
}

Experiment short_steep() {
  Experiment e = experiment_resolve("preset:adamezo_steep");
  e.max_steps = 200;
  e.max_fp = 0;
  e.target_loss = 1.0;
  return e;
}

}  // namespace

TEST(GuiSweep, RunsTheExperimentsSweepInTheBackgroundAsTheCliDoesAndOpensIt) {
  Harness h(1280, 800, "preset:adamezo_steep");
  const Experiment e = short_steep();
  h.app().set_experiment(e);
  h.settle();
  const std::string dir = out_path("sweep_run_gui");
  std::filesystem::remove_all(dir);
  SweepRequest req;
  req.params = {sweep_param_parse("lr=1e-4:1e-2:log:3")};
  req.seeds = 2;
  req.dir = dir;
  std::string err;
  ASSERT_TRUE(run_sweep(h.app(), req, &err)) << err;
  ASSERT_TRUE(wait_sweep(h, 120));
  EXPECT_EQ(sweep_progress(h.app()), std::make_pair(6, 6));  // 3 cells x 2 seeds
  // The folder the CLI writes, opened in the sweep window, with the CLI's numbers.
  for (const char* f : {"sweep.csv", "experiment.json", "sweep.png", "sweep.svg"})
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / f)) << f;
  const SweepView* v = open_sweep_view(h.app());
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->dir, dir);
  const SweepResult want = sweep_run(e, req.params, 2, 1);
  ASSERT_EQ(v->result.cells.size(), want.cells.size());
  for (size_t i = 0; i < want.cells.size(); ++i) {
    EXPECT_EQ(v->result.cells[i].label, want.cells[i].label);
    EXPECT_EQ(v->result.cells[i].final_loss, want.cells[i].final_loss) << i;
    EXPECT_EQ(v->result.cells[i].fp_to_target, want.cells[i].fp_to_target) << i;
  }
  EXPECT_NE(h.app().status_text().find(dir), std::string::npos) << h.app().status_text();
  // The same sweep on the command line.
  const std::string cmd = sweep_command(h.app(), req);
  EXPECT_NE(cmd.find("zoscope-cli sweep "), std::string::npos) << cmd;
  EXPECT_NE(cmd.find(" --param lr=0.0001:0.01:log:3 --seeds 2 --out " + dir), std::string::npos) << cmd;

  // Refused in one line, nothing started: the same folder again (it holds a sweep), a
  // hyperparameter no run has, a value out of range.
  EXPECT_FALSE(run_sweep(h.app(), req, &err));
  EXPECT_NE(err.find("sweep.csv"), std::string::npos) << err;
  req.dir = out_path("sweep_run_gui_refused");
  std::filesystem::remove_all(req.dir);
  req.params = {sweep_param_parse("nope=1,2")};
  EXPECT_FALSE(run_sweep(h.app(), req, &err));
  EXPECT_NE(err.find("nope"), std::string::npos) << err;
  req.params = {sweep_param_parse("lr=-1,1")};
  EXPECT_FALSE(run_sweep(h.app(), req, &err));
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  EXPECT_FALSE(sweep_running(h.app()));
  EXPECT_FALSE(std::filesystem::exists(req.dir));
}

TEST(GuiSweep, ACancelledSweepWritesNothing) {
  Harness h(1280, 800, "preset:adamezo_steep");
  SweepRequest req;
  req.params = {sweep_param_parse("lr=1e-4:1e-2:log:40")};
  req.seeds = 20;  // 800 jobs of the preset's full budget: far longer than the test waits
  req.dir = out_path("sweep_cancelled");
  std::filesystem::remove_all(req.dir);
  std::string err;
  ASSERT_TRUE(run_sweep(h.app(), req, &err)) << err;
  h.frame(2);
  EXPECT_TRUE(sweep_running(h.app()));
  EXPECT_FALSE(run_sweep(h.app(), req, &err));  // one at a time
  EXPECT_NE(err.find("already running"), std::string::npos) << err;
  cancel_sweep(h.app());
  ASSERT_TRUE(wait_sweep(h, 60));
  EXPECT_LT(sweep_progress(h.app()).first, 800);
  EXPECT_FALSE(std::filesystem::exists(req.dir));
  EXPECT_NE(h.app().status_text().find("cancelled"), std::string::npos) << h.app().status_text();
  EXPECT_EQ(open_sweep_view(h.app()), nullptr);
}

TEST(GuiSweep, TheDialogSweepsTheLearningRateAroundItsValue) {
  Harness h(1280, 800, "preset:adamezo_steep");
  Experiment e = short_steep();
  h.app().set_experiment(e);
  h.app().model().ui.export_dir = out_path("sweep_dialog");
  std::filesystem::remove_all(h.app().model().ui.export_dir);
  h.settle();
  OpenRunSweepDialog(h.app());
  h.frame(3);
  png_write(out_path("sweep_dialog_form.png"), h.read_frame());  // to look at
  // Opened on every run's lr, a decade each way in 5 log-spaced points, 3 seeds.
  h.click(h.centre("runsweep/run"));
  ASSERT_TRUE(wait_sweep(h, 180));
  const SweepView* v = open_sweep_view(h.app());
  ASSERT_NE(v, nullptr) << h.app().status_text();
  EXPECT_EQ(v->dir.rfind(h.app().model().ui.export_dir + "/", 0), 0u) << v->dir;
  ASSERT_EQ(v->result.params.size(), 1u);
  EXPECT_EQ(v->result.params[0].name, "lr");
  EXPECT_EQ(v->result.seeds, 3);
  ASSERT_EQ(v->result.params[0].values.size(), 5u);
  const double lr = e.runs[0].hp.count("lr") ? e.runs[0].hp.at("lr") : param_find(optimizer_find(e.runs[0].optimizer)->params, "lr")->def;
  EXPECT_NEAR(v->result.params[0].values.front(), lr / 10, 1e-9 * lr);
  EXPECT_NEAR(v->result.params[0].values.back(), lr * 10, 1e-8 * lr);
  EXPECT_TRUE(v->result.params[0].log_scale);
  png_write(out_path("sweep_dialog.png"), h.read_frame());  // to look at
}

// Escape closes File > Run sweep, Compare over seeds and Follow run directory, as it closes
// the app's other dialogs (these three stayed open).
TEST(GuiSweep, EscapeClosesTheSweepCompareAndFollowDialogs) {
  Harness h;
  App& app = h.app();
  const std::vector<std::pair<std::string, std::function<void()>>> dialogs = {
      {"runsweep/window", [&] { OpenRunSweepDialog(app); }},
      {"compare/window", [&] { OpenCompareDialog(app); }},
      {"follow/window", [] { OpenFollowRunDialog(); }}};
  for (const auto& [item, open] : dialogs) {
    open();
    h.frame(2);
    ImVec2 a, b;
    ASSERT_TRUE(app.item_rect(item, a, b)) << item;
    h.key(kKeyEscape);
    h.frame(1);
    EXPECT_FALSE(app.item_rect(item, a, b)) << item << " stayed open";
  }
}

}  // namespace zs::gui::test
