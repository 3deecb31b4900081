// File > Follow run directory (app/gui/follow_run.h): the window follows a fine-tune's
// step logs while they grow, are rewritten by a resume and disappear, drawing its plots
// every frame with glGetError clean (the harness checks) and never writing to the folder.
#include <gtest/gtest.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include "app/gui/follow_run.h"
#include "core/export/figure.h"
#include "core/run/step_log.h"
#include "core/util/atomic_file.h"
#include "gui_harness.h"

namespace zs::gui::test {

namespace {

std::string steps(int64_t from, int64_t to) {
  std::string s;
  for (int64_t t = from; t <= to; ++t) {
    StepLogRecord r;
    r.t = t;
    r.fp = 2 * t;
    r.p = 0.1;
    r.lr = 1e-3;
    r.loss = 1.0 / static_cast<double>(t);
    r.losses = {r.loss + 0.01, r.loss - 0.01};
    s += step_log_line(r);
  }
  return s;
}

// Frames until the window's twice-a-second poll has run.
void poll_frames(Harness& h) {
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  h.frame(2);
}

}  // namespace

TEST(GuiFollowRun, FollowsGrowingRewrittenAndVanishingStepLogs) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(out_path("follow_run"));
  fs::remove_all(dir);
  fs::create_directories(dir / "runs" / "mezo");
  const std::string log = (dir / "runs" / "mezo" / "steps.log").string();
  atomic_write(log, steps(1, 10));
  Harness h(1280, 800);
  EXPECT_EQ(FollowRunStatus(), "");
  FollowRunDirectory(dir.string().c_str());
  h.frame(2);
  EXPECT_EQ(FollowRunStatus(), "1 run, mezo step 10");
  { std::ofstream o(log, std::ios::app); o << steps(11, 25) << "S 26 52"; }  // a torn last line
  poll_frames(h);
  EXPECT_EQ(FollowRunStatus(), "1 run, mezo step 25");
  png_write(out_path("follow_run.png"), h.read_frame());  // for a look: the window over the app
  atomic_write(log, steps(1, 8));  // --resume rewrote it
  poll_frames(h);
  EXPECT_EQ(FollowRunStatus(), "1 run, mezo step 8");
  fs::remove_all(dir / "runs");
  poll_frames(h);
  EXPECT_EQ(FollowRunStatus(), "1 run, mezo step 8; 1 step log(s) missing");
  EXPECT_FALSE(fs::exists(dir / "runs"));  // read-only: nothing was created
  fs::remove_all(dir);
}

}  // namespace zs::gui::test
