// File > Follow run directory (app/gui/follow_run.h): the app follows a fine-tune's step
// logs while they grow, are rewritten by a resume and disappear; the runs appear in the
// main Plots panel (loss, step sizes from the run record, dev metric) and in the Runs
// panel, read-only, with glGetError clean every frame (the harness checks), and the folder
// is never written. The LLM scene's replay onto the plane: test_llm_scene.cpp.
#include <gtest/gtest.h>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>
#include "app/gui/follow_run.h"
#include "app/gui/panels.h"
#include "core/export/figure.h"
#include "core/run/record.h"
#include "core/run/step_log.h"
#include "core/util/atomic_file.h"
#include "gui_harness.h"

namespace zs::gui::test {

namespace {

std::string steps(int64_t from, int64_t to) { return followed_step_log(from, to); }

std::string record_csv(int64_t n) {
  RunRecord rec;
  rec.label = "mezo";
  rec.optimizer = "mezo";
  for (int64_t t = 0; t <= n; ++t) {
    StepRow r;
    r.step = t;
    r.fp = 2 * t;
    r.loss = t ? 1.0 / static_cast<double>(t) : NAN;
    r.alpha_q25 = 1e-4;
    r.alpha_median = 1e-3 * static_cast<double>(t + 1);
    r.alpha_q75 = 1e-2;
    r.path_length = 0.1 * static_cast<double>(t);
    rec.rows.push_back(r);
  }
  return records_to_csv({rec});
}

// The Plots panel's series of the followed run `what`, empty when it draws none.
std::vector<double> series(const char* what) {
  const std::vector<double>* v = plots_panel_series("mezo (followed)", what);
  return v ? *v : std::vector<double>{};
}

// Frames until the window's twice-a-second poll has run.
void poll_frames(Harness& h) {
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  h.frame(2);
}

}  // namespace

TEST(GuiFollowRun, FollowedRunsJoinTheMainPlotsThroughGrowthRewriteAndDeletion) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(out_path("follow_run"));
  fs::remove_all(dir);
  fs::create_directories(dir / "runs" / "mezo");
  const std::string log = (dir / "runs" / "mezo" / "steps.log").string();
  atomic_write(log, steps(1, 10));
  atomic_write((dir / "runs" / "mezo" / "record.csv").string(), record_csv(10));
  Harness h(1280, 800);
  App& app = h.app();
  EXPECT_EQ(FollowRunStatus(), "");
  EXPECT_TRUE(series("x").empty());
  FollowRunDirectory(dir.string().c_str());
  h.frame(2);
  EXPECT_EQ(FollowRunStatus(), "1 run, mezo step 10");
  ASSERT_EQ(app.results().followed.size(), 1u);
  EXPECT_EQ(app.results().followed[0].rows.size(), 11u);
  // The main Plots panel draws it after the experiment's runs: the logged losses, the dev
  // metric of the evaluations and the run record's median step size.
  std::vector<double> x = series("x"), loss = series("loss");
  ASSERT_EQ(x.size(), 11u);
  ASSERT_EQ(loss.size(), 11u);
  for (int t = 1; t <= 10; ++t) {
    EXPECT_EQ(x[static_cast<size_t>(t)], t);
    EXPECT_EQ(loss[static_cast<size_t>(t)], 1.0 / t);
  }
  EXPECT_EQ(series("dev_x"), (std::vector<double>{5, 10}));
  EXPECT_EQ(series("dev"), (std::vector<double>{0.55, 0.6}));
  EXPECT_EQ(series("q50")[4], 5e-3);
  EXPECT_NE(plots_panel_series(app.exp().runs[0].label, "x"), nullptr);  // the experiment's runs stay
  // Listed read-only in the Runs panel: a line, no sliders.
  EXPECT_GT(h.centre("runs/followed/mezo").x, 0);

  { std::ofstream o(log, std::ios::app); o << steps(11, 25) << "S 26 52"; }  // a torn last line
  poll_frames(h);
  EXPECT_EQ(FollowRunStatus(), "1 run, mezo step 25");
  x = series("x");
  ASSERT_EQ(x.size(), 26u);
  EXPECT_EQ(x.back(), 25);
  EXPECT_EQ(series("loss").back(), 1.0 / 25);
  EXPECT_EQ(series("dev").size(), 5u);
  EXPECT_TRUE(std::isnan(series("q50")[20]));  // past the run record: the step log alone
  png_write(out_path("follow_run.png"), h.read_frame());  // for a look: the followed run in the plots
  atomic_write(log, steps(1, 8));  // --resume rewrote it
  poll_frames(h);
  EXPECT_EQ(FollowRunStatus(), "1 run, mezo step 8");
  EXPECT_EQ(series("x").size(), 9u);
  EXPECT_EQ(series("loss").back(), 1.0 / 8);
  EXPECT_EQ(series("dev").size(), 1u);
  fs::remove_all(dir / "runs");
  poll_frames(h);
  EXPECT_EQ(FollowRunStatus(), "1 run, mezo step 8; 1 step log(s) missing");
  EXPECT_EQ(series("x").size(), 9u);  // the last rows stay, the status line says why nothing moves
  EXPECT_FALSE(fs::exists(dir / "runs"));  // read-only: nothing was created
  h.click(h.centre("runs/followed/stop"));
  h.frame(2);
  EXPECT_EQ(FollowRunStatus(), "");
  EXPECT_TRUE(app.results().followed.empty());
  EXPECT_TRUE(series("x").empty());
  fs::remove_all(dir);
}

}  // namespace zs::gui::test
