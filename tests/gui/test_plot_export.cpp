// One layout for each plot (issue 10, item 4): the Plots panel and its exported figures
// (export_plots -> line_chart.h) are drawn from the same charts through core's plot layout
// (plot_layout.h), so an exported plot has the panel's range, scale, ticks, clip notes and
// legend: with one run diverged (clipped and named), with the x axis in forward passes
// (quadratic_nd) and with losses below zero (symlog).
#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include "app/gui/panels.h"
#include "app/gui/plot.h"
#include "core/export/line_chart.h"
#include "core/export/ticks.h"
#include "gui_harness.h"

namespace zs::gui::test {

namespace {

const char* const kIds[4] = {"loss", "alpha", "cos", "path"};
const char* const kFiles[4] = {"loss", "stepsize", "cos", "path"};

void expect_near_range(const AxisRange& a, const AxisRange& b, const std::string& what) {
  EXPECT_NEAR(a.lo, b.lo, 1e-9 * std::max(1.0, std::fabs(b.lo))) << what;
  EXPECT_NEAR(a.hi, b.hi, 1e-9 * std::max(1.0, std::fabs(b.hi))) << what;
}

// The panel's four plots against the charts export_plots writes: same layout, plot by plot.
void expect_same_layouts(const App& app) {
  const std::array<LineChart, 4> charts = plots_panel_charts(app);
  for (int p = 0; p < 4; ++p) {
    const plot::PlotState* st = plots_panel_state(kIds[p]);
    ASSERT_TRUE(st) << kIds[p];
    const PlotLayout live = plot::layout_of(*st), exported = chart_layout(charts[static_cast<size_t>(p)]);
    const std::string k = kIds[p];
    EXPECT_EQ(live.sy.log, exported.sy.log) << k;
    EXPECT_EQ(live.sy.sym, exported.sy.sym) << k;
    EXPECT_DOUBLE_EQ(live.sy.c, exported.sy.c) << k;
    EXPECT_EQ(live.sx.log, exported.sx.log) << k;
    expect_near_range(live.x, exported.x, k + " x");
    expect_near_range(live.y, exported.y, k + " y");
    EXPECT_EQ(live.x_ticks, exported.x_ticks) << k;
    EXPECT_EQ(live.y_ticks, exported.y_ticks) << k;
    EXPECT_EQ(live.clipped, exported.clipped) << k;
    EXPECT_EQ(live.notes, exported.notes) << k;
    EXPECT_EQ(live.legend, exported.legend) << k;
    EXPECT_FALSE(live.legend.empty()) << k;
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes the exported plots (and a screenshot of the window, for eyes) under `name`; the
// loss SVG's text.
std::string export_all(Harness& h, const std::string& name) {
  std::filesystem::create_directories(out_path("plot_export"));
  const std::string stem = out_path("plot_export/" + name);
  EXPECT_EQ(export_plots(h.app(), stem, 1200, 700), 8);
  png_write(stem + "-window.png", h.read_frame());
  return read_text(stem + "-loss.svg");
}

}  // namespace

TEST(GuiPlotExport, DivergedRunIsClippedAndNamedInTheExportAsInThePanel) {
  Harness h;
  App& app = h.app();
  h.diverge_mezo();
  ASSERT_EQ(plots_panel_state("loss")->clipped.count("MeZO"), 1u);
  expect_same_layouts(app);
  const std::array<LineChart, 4> charts = plots_panel_charts(app);
  EXPECT_EQ(chart_layout(charts[0]).clipped.count("MeZO"), 1u);
  EXPECT_EQ(chart_layout(charts[3]).clipped.count("MeZO"), 1u);
  EXPECT_LT(chart_layout(charts[0]).y.hi, 1e6);  // the diverged run does not stretch the exported axis
  // The cosine plot exports its EMA over the faint raw envelope, as shown.
  int envelopes = 0;
  for (const ChartSeries& se : charts[2].series) envelopes += se.envelope;
  EXPECT_EQ(envelopes, static_cast<int>(app.exp().runs.size()));
  const std::string svg = export_all(h, "diverged");
  EXPECT_NE(svg.find("clipped: MeZO"), std::string::npos);
  for (double t : plots_panel_state("loss")->y_ticks_drawn) EXPECT_NE(svg.find(">" + tick_label(t) + "<"), std::string::npos) << t;
}

TEST(GuiPlotExport, ForwardPassAxisOfQuadraticNdExportsAsShown) {
  Harness h(1280, 800, "preset:quadratic_nd");
  App& app = h.app();
  ASSERT_TRUE(app.model().plots.x_fp);
  h.settle_plots();
  expect_same_layouts(app);
  const std::array<LineChart, 4> charts = plots_panel_charts(app);
  EXPECT_EQ(charts[0].xlabel, "forward passes");
  const std::string svg = export_all(h, "quadratic_nd");
  EXPECT_NE(svg.find(">forward passes<"), std::string::npos);
}

TEST(GuiPlotExport, NegativeLossesExportInSymlogWithTheNote) {
  Harness h;
  App& app = h.app();
  h.use_expression("x^2 + y^2 - 1");
  h.settle_plots();
  ASSERT_TRUE(plots_panel_state("loss")->y_symlog);
  expect_same_layouts(app);
  const PlotLayout l = chart_layout(plots_panel_charts(app)[0]);
  EXPECT_TRUE(l.sy.sym);
  EXPECT_LT(l.y.lo, 0);
  const std::string svg = export_all(h, "symlog");
  EXPECT_NE(svg.find("symlog y"), std::string::npos);
}

// Runs switched off in the panel's legend stay out of the export.
TEST(GuiPlotExport, RunsHiddenInThePanelLegendAreNotExported) {
  Harness h;
  App& app = h.app();
  h.settle_plots();
  h.click(h.centre("plots/legend/MeZO"));
  h.frame(3);
  expect_same_layouts(app);
  for (const LineChart& c : plots_panel_charts(app))
    for (const ChartSeries& se : c.series) EXPECT_NE(se.label, "MeZO");
}

}  // namespace zs::gui::test
