// File > Open sweep... (issue 10, item 8): a sweep folder opens in its own window with the
// figures core's exporter draws for the CLI (pixel for pixel) and the table; a folder that
// is not a sweep gives one status line.
#include <gtest/gtest.h>
#include <filesystem>
#include <string>
#include "app/gui/panels.h"
#include "core/export/heat_chart.h"
#include "core/io/presets.h"
#include "core/run/sweep.h"
#include "core/util/atomic_file.h"
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

}  // namespace zs::gui::test
