// Recompute lanes without a window: results match core's runner, a stale job is cancelled
// by a newer one (latest wins), a cheap one still completes while newer ones keep coming
// (a slider drag shows results), and a long job streams its rows before it completes.
#include <gtest/gtest.h>
#include <chrono>
#include <thread>
#include "app/gui/recompute.h"
#include "core/io/presets.h"
#include "core/run/runner.h"

namespace zs::gui::test {

namespace {
bool poll_until(Recompute& rc, Results& r, const std::function<bool()>& done, double timeout_s) {
  const double end = steady_seconds() + timeout_s;
  while (steady_seconds() < end) {
    rc.poll(r);
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}
}  // namespace

TEST(GuiRecompute, RunsAndGridMatchCore) {
  const Experiment e = experiment_resolve("preset:rosenbrock");
  Recompute rc(2);
  Results r;
  const uint64_t id = rc.submit_runs(e);
  const double dom[4] = {-2, 2, -1, 3};
  rc.submit_grid(e, dom, 64);
  ASSERT_TRUE(poll_until(rc, r, [&] { return r.runs_job == id && r.runs_complete && r.grid; }, 60));
  const Scene s = scene_make(e);
  const std::vector<RunRecord> ref = run_experiment(e, s, 2);
  ASSERT_EQ(r.runs.size(), ref.size());
  for (size_t i = 0; i < ref.size(); ++i) {
    ASSERT_EQ(r.runs[i].rows.size(), ref[i].rows.size());
    EXPECT_EQ(r.runs[i].final_x, ref[i].final_x);
  }
  Scene sg = scene_make(e);
  std::copy(dom, dom + 4, sg.domain);
  const Grid g = grid_compute(sg, 64, 64, 1);
  EXPECT_EQ(r.grid->v, g.v);
  const ColourScale sc = colour_scale(g.v, sg.log_colour);
  EXPECT_EQ(r.scale.lo, sc.lo);
  EXPECT_EQ(r.scale.hi, sc.hi);
  EXPECT_TRUE(rc.idle());
}

TEST(GuiRecompute, LongJobStreamsThenANewerJobCancelsIt) {
  Experiment e = experiment_resolve("preset:quadratic_nd");  // ~seconds per run on two cores
  Recompute rc(2);
  Results r;
  const uint64_t long_id = rc.submit_runs(e);
  // Rows arrive while the job is still running.
  ASSERT_TRUE(poll_until(rc, r, [&] {
    size_t rows = 0;
    for (const RunRecord& rec : r.runs) rows += rec.rows.size();
    return r.runs_job == long_id && !r.runs_complete && rows > 10;
  }, 60));
  EXPECT_FALSE(rc.idle());
  // A newer job: the long one stops, and only the newer one's complete results are shown.
  e.max_fp = 400;
  const double t0 = steady_seconds();
  const uint64_t short_id = rc.submit_runs(e);
  ASSERT_TRUE(poll_until(rc, r, [&] { return r.runs_job == short_id && r.runs_complete; }, 60));
  EXPECT_LT(steady_seconds() - t0, 10.0);  // the stale job did not run to its end first
  const std::vector<RunRecord> ref = run_experiment(e, scene_make(e), 2);
  ASSERT_EQ(r.runs.size(), ref.size());
  for (size_t i = 0; i < ref.size(); ++i) EXPECT_EQ(r.runs[i].final_x, ref[i].final_x);
  EXPECT_TRUE(rc.wait_idle(30));
}

TEST(GuiRecompute, CheapJobsCompleteWhileNewerOnesKeepComing) {
  // A slider drag: a new job every 0.1 ms, each one slightly different. The cheap
  // jobs in flight are not cancelled, so complete trajectories appear during the drag
  // (cancelling every stale job would show nothing until the drag stops).
  Experiment e = experiment_resolve("preset:rosenbrock");
  e.max_steps = 20000;  // tens of milliseconds per job: far longer than the gap between jobs
  Recompute rc(2);
  Results r;
  uint64_t last_id = 0;
  bool shown = false;
  const double end = steady_seconds() + 20;
  for (int k = 0; steady_seconds() < end && !shown; ++k) {
    e.runs[1].hp["lr"] = 2e-3 * (1 + 0.001 * (k % 100));
    last_id = rc.submit_runs(e);
    rc.poll(r);
    shown = r.runs_complete && r.runs_error.empty() && r.runs_job != 0 && r.runs_job < last_id;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  EXPECT_TRUE(shown) << "no complete result was shown while jobs kept arriving";
  EXPECT_EQ(r.runs.size(), e.runs.size());
  EXPECT_TRUE(rc.wait_idle(30));
  rc.poll(r);
  EXPECT_EQ(r.runs_job, last_id);  // the last job is the one shown in the end
  EXPECT_TRUE(r.runs_complete);
}

TEST(GuiRecompute, ErrorsAreReportedNotThrown) {
  Experiment e = experiment_resolve("preset:rosenbrock");
  e.runs[0].hp["lr"] = -1;  // outside the declared range
  Recompute rc(2);
  Results r;
  const uint64_t id = rc.submit_runs(e);
  ASSERT_TRUE(poll_until(rc, r, [&] { return r.runs_job == id && r.runs_complete; }, 60));
  EXPECT_NE(r.runs_error.find("lr"), std::string::npos) << r.runs_error;
}

// quadratic_nd took 4-9 s per change: every run was recomputed. A change to one run now
// recomputes that run only; the others come from the per-run cache, identical to core's.
TEST(GuiRecompute, OneRunChangedRecomputesOnlyThatRun) {
  Experiment e = experiment_resolve("preset:rosenbrock");
  Recompute rc(2);
  Results r;
  uint64_t id = rc.submit_runs(e);
  ASSERT_TRUE(poll_until(rc, r, [&] { return r.runs_job == id && r.runs_complete; }, 60));
  EXPECT_EQ(rc.cache_hits(), 0u);
  e.runs[2].hp["lr"] = 1e-2;
  e.runs[5].label = "renamed";  // names and colours are not inputs
  e.runs[5].colour = 0x123456;
  e.view.colormap = "magma";
  id = rc.submit_runs(e);
  ASSERT_TRUE(poll_until(rc, r, [&] { return r.runs_job == id && r.runs_complete; }, 60));
  EXPECT_EQ(rc.cache_hits(), e.runs.size() - 1);
  const std::vector<RunRecord> ref = run_experiment(e, scene_make(e), 2);
  ASSERT_EQ(r.runs.size(), ref.size());
  for (size_t i = 0; i < ref.size(); ++i) {
    EXPECT_EQ(r.runs[i].final_x, ref[i].final_x) << i;
    EXPECT_EQ(r.runs[i].rows.size(), ref[i].rows.size()) << i;
    EXPECT_EQ(r.runs[i].label, ref[i].label) << i;
    EXPECT_EQ(r.runs[i].colour, ref[i].colour) << i;
  }
  // The start moves: every run's input changed.
  e.start = {-1.0, 1.5};
  id = rc.submit_runs(e);
  ASSERT_TRUE(poll_until(rc, r, [&] { return r.runs_job == id && r.runs_complete; }, 60));
  EXPECT_EQ(rc.cache_hits(), e.runs.size() - 1);
  EXPECT_EQ(r.runs[0].rows[0].x, -1.0);
  // Back to the earlier start: those runs are still cached.
  e.start = {-1.2, 1.0};
  id = rc.submit_runs(e);
  ASSERT_TRUE(poll_until(rc, r, [&] { return r.runs_job == id && r.runs_complete; }, 60));
  EXPECT_EQ(rc.cache_hits(), 2 * e.runs.size() - 1);
  const std::vector<std::string> before = run_input_keys(e);
  // Removing the first run shifts the others up: all of them are cache hits.
  e.runs.erase(e.runs.begin());
  const std::vector<std::string> after = run_input_keys(e);
  for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i], before[i + 1]) << i;
  id = rc.submit_runs(e);
  ASSERT_TRUE(poll_until(rc, r, [&] { return r.runs_job == id && r.runs_complete; }, 60));
  EXPECT_EQ(rc.cache_hits(), 2 * (e.runs.size() + 1) - 1 + e.runs.size());
  const std::vector<RunRecord> ref2 = run_experiment(e, scene_make(e), 2);
  for (size_t i = 0; i < ref2.size(); ++i) {
    EXPECT_EQ(r.runs[i].final_x, ref2[i].final_x) << i;
    EXPECT_EQ(r.runs[i].index, static_cast<int>(i));
  }
}

}  // namespace zs::gui::test
