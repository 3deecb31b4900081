// The soak driver (app/gui/soak.h) in short, and the limits the app checks before it
// recomputes runs or exports (core/io/limits.h applied in the GUI).
#include <gtest/gtest.h>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include "app/gui/soak.h"
#include "gui_harness.h"

namespace zs::gui::test {

// Fifteen seconds of seeded random input: every kind of action happens, no frame leaves a
// GL error, every error shown is one line, and memory is measured at each checkpoint.
// (The growth limit is checked by scripts/soak.sh over minutes; 15 s is all warm-up.)
TEST(GuiSoak, ShortSoakDrivesEveryKindOfActionWithoutGlErrors) {
  Harness h;
  SoakOptions o;
  o.seconds = 15;
  o.seed = 11;
  o.max_growth = 10;
  o.dir = out_path("soak");
  std::filesystem::remove_all(o.dir);
  const auto listing = [] {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::current_path())) names.insert(e.path().string());
    return names;
  };
  const std::filesystem::path cwd = std::filesystem::current_path();
  const std::set<std::string> before = listing();
  const SoakReport r = soak_run(h.app(), h.platform(), o);
  // Paths typed at random resolve inside the soak's folder: the starting one is untouched.
  EXPECT_EQ(std::filesystem::current_path(), cwd);
  EXPECT_EQ(listing(), before);
  EXPECT_TRUE(r.ok()) << r.failure;
  EXPECT_EQ(r.gl_error_frames, 0) << r.last_gl_error;
  EXPECT_TRUE(r.multi_line_error.empty()) << r.multi_line_error;
  EXPECT_GT(r.actions, 30);
  for (const char* k : {"slider", "runs", "scene", "expression", "open", "export", "resize", "panels", "view", "keys"})
    EXPECT_GT(r.counts.count(k) ? r.counts.at(k) : 0, 0) << k;
  EXPECT_GE(r.rss_mb.size(), 3u);
  for (double mb : r.rss_mb) EXPECT_GT(mb, 10);
  EXPECT_GT(r.error_lines, 0);  // corrupt files and broken input were refused, in one line each
  const std::string s = soak_summary(r);
  EXPECT_NE(s.find("soak: PASS"), std::string::npos) << s;
}

// A budget whose rows cannot fit is refused before any work: one line in the status bar
// and in the Runs panel, no job submitted, the last runs stay on screen; a budget that
// fits clears the line and recomputes.
TEST(GuiLimits, HugeBudgetIsRefusedBeforeRecomputeWithOneLineInTheRunsPanel) {
  Harness h;
  App& app = h.app();
  const size_t n = app.results().runs.size();
  ASSERT_GT(n, 0u);
  const uint64_t job = app.results().runs_job;
  app.set_budget(false, 100000000);
  h.frame(2);
  EXPECT_FALSE(app.busy());
  EXPECT_EQ(app.results().runs_job, job);
  EXPECT_EQ(app.results().runs.size(), n);
  const std::string err = app.limits_error();
  EXPECT_NE(err.find("budget"), std::string::npos) << err;
  EXPECT_NE(err.find("lower the budget"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos);
  EXPECT_TRUE(app.status_is_error());
  EXPECT_EQ(app.status_text(), err);
  ImVec2 a, b;
  EXPECT_TRUE(app.item_rect("runs/limits", a, b));
  app.set_budget(false, 300);
  h.settle();
  EXPECT_TRUE(app.limits_error().empty());
  EXPECT_NE(app.results().runs_job, job);
  EXPECT_EQ(app.record(0)->rows.size(), 301u);
  EXPECT_FALSE(app.item_rect("runs/limits", a, b));
}

// An N-D landscape whose steps exceed the stated time is refused the same way.
TEST(GuiLimits, DimensionAndBudgetBeyondTheTimeLimitAreRefused) {
  Harness h;
  App& app = h.app();
  const uint64_t job = app.results().runs_job;
  app.set_landscape("quadratic_nd");
  app.set_dim(100000);
  app.set_budget(false, 200000);  // 8 runs x 2e5 steps x >= 2 FP x 1e5 coordinates: over 10 minutes
  h.frame(2);
  EXPECT_NE(app.limits_error().find("100000-D landscape take about"), std::string::npos) << app.limits_error();
  EXPECT_NE(app.limits_error().find("on one core (limit 10 min)"), std::string::npos) << app.limits_error();
  EXPECT_TRUE(app.wait_idle(120));  // the grid only
  EXPECT_EQ(app.results().runs_job, job);
}

// Exports check the figure size against memory before rendering: one line, no file.
TEST(GuiLimits, ExportLargerThanMemoryIsRefusedWithOneLine) {
  Harness h;
  App& app = h.app();
  setenv("ZOSCOPE_MEMORY_LIMIT", "50000000", 1);  // 50 MB: a 4000x4000 figure needs ~144 MB
  const std::string png = out_path("limits-view.png"), fig = out_path("limits-fig");
  std::filesystem::remove(png);
  app.export_view_png(png, 4000, 4000);
  EXPECT_TRUE(app.status_is_error());
  EXPECT_NE(app.status_text().find("figure 4000x4000"), std::string::npos) << app.status_text();
  EXPECT_EQ(app.status_text().find('\n'), std::string::npos);
  app.export_figure(fig + ".png", fig + ".svg", 4000, 4000);
  EXPECT_TRUE(app.status_is_error());
  EXPECT_NE(app.status_text().find("use a smaller size"), std::string::npos) << app.status_text();
  EXPECT_TRUE(app.wait_tasks(60));
  unsetenv("ZOSCOPE_MEMORY_LIMIT");
  EXPECT_FALSE(std::filesystem::exists(png));
  EXPECT_FALSE(std::filesystem::exists(fig + ".png"));
  // The same export within memory is written.
  app.export_view_png(png, 400, 300);
  EXPECT_TRUE(app.wait_tasks(60));
  EXPECT_TRUE(std::filesystem::exists(png)) << app.status_text();
}

}  // namespace zs::gui::test
