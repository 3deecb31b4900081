// The sweep table (result columns right-aligned with 4 significant digits, no trailing
// blanks) and the sweep figure.
#include <gtest/gtest.h>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include "core/export/heat_chart.h"
#include "core/export/line_chart.h"
#include "core/io/presets.h"
#include "core/run/sweep.h"

namespace zs::test {

TEST(SweepTable, ResultColumnsAreRightAlignedWithFourSignificantDigits) {
  SweepResult r;
  r.params.push_back({"", "lr", {1e-4, 0.1}, true});
  r.seeds = 1;
  r.target = 1e-3;
  const auto cell = [](double lr, const char* label, double loss, int64_t fp, int div) {
    SweepCell c;
    c.values = {lr};
    c.label = label;
    c.final_loss = {loss};
    c.fp_to_target = {fp};
    c.diverged = div;
    return c;
  };
  r.cells = {cell(1e-4, "MeZO", 0.7067634, -1, 0), cell(1e-4, "Adam", 3.323031e-40, 243, 0), cell(0.1, "AdaMeZO", INFINITY, -1, 1)};
  std::istringstream in(sweep_table(r));
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 5u);
  size_t end = lines[2].size();
  for (size_t i = 2; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].size(), end) << "rows end in the same column: " << lines[i];
    EXPECT_NE(lines[i].back(), ' ');
  }
  EXPECT_NE(lines[2].find(" 0.7068 "), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find(" 3.323e-40 "), std::string::npos) << lines[3];
  EXPECT_NE(lines[4].find("      inf "), std::string::npos) << lines[4];
  EXPECT_EQ(lines[2].rfind("0.0001  MeZO", 0), 0u) << lines[2];
}

// Sweeps get a picture: one line per run against the swept value, seeds as a band, a
// diverged cell marked; PNG of the requested size and SVG naming every run.
TEST(SweepFigure, OneLinePerRunBandsAndDivergedMarks) {
  SweepResult r;
  r.params.push_back({"", "lr", {1e-3, 1e-2, 1e-1}, true});
  r.seeds = 2;
  const auto cell = [](double lr, int run, const char* label, std::vector<double> loss) {
    SweepCell c;
    c.values = {lr};
    c.run = run;
    c.label = label;
    c.final_loss = std::move(loss);
    c.fp_to_target = std::vector<int64_t>(c.final_loss.size(), -1);
    for (double v : c.final_loss) c.diverged += std::isfinite(v) ? 0 : 1;
    return c;
  };
  r.cells = {cell(1e-3, 0, "MeZO", {0.5, 0.7}), cell(1e-3, 1, "Adam", {1e-3, 2e-3}), cell(1e-2, 0, "MeZO", {0.05, 0.06}),
             cell(1e-2, 1, "Adam", {1e-8, 1e-7}), cell(1e-1, 0, "MeZO", {INFINITY, INFINITY}), cell(1e-1, 1, "Adam", {1e-20, 1e-19})};
  Experiment base;
  base.name = "steep";
  base.runs.resize(2);
  base.runs[0].colour = 0xE69F00;
  base.runs[1].colour = 0x0072B2;
  const LineChart c = sweep_chart(r, base);
  ASSERT_EQ(c.series.size(), 2u);
  EXPECT_EQ(c.series[0].label, "MeZO");
  EXPECT_EQ(c.series[0].xs, (std::vector<double>{1e-3, 1e-2, 1e-1}));
  EXPECT_DOUBLE_EQ(c.series[0].lo[0], 0.5);
  EXPECT_DOUBLE_EQ(c.series[0].hi[0], 0.7);
  EXPECT_EQ(c.series[0].marks, (std::vector<double>{1e-1}));
  EXPECT_TRUE(c.series[1].marks.empty());
  EXPECT_TRUE(c.x_log);
  EXPECT_EQ(c.series[1].rgb, 0x0072B2u);
  const Image img = chart_render_image(c, 800, 500);
  ASSERT_EQ(img.w, 800);
  ASSERT_EQ(img.h, 500);
  int orange = 0, blue = 0;
  for (size_t i = 0; i < img.rgba.size(); i += 4) {
    orange += img.rgba[i] > 200 && img.rgba[i + 1] > 130 && img.rgba[i + 1] < 175 && img.rgba[i + 2] < 40;
    blue += img.rgba[i] < 30 && img.rgba[i + 1] > 90 && img.rgba[i + 1] < 130 && img.rgba[i + 2] > 150;
  }
  EXPECT_GT(orange, 200);
  EXPECT_GT(blue, 200);
  const std::string svg = chart_render_svg(c, 800, 500);
  for (const char* t : {"MeZO", "Adam", "diverged", "final loss vs lr"}) EXPECT_NE(svg.find(t), std::string::npos) << t;
  EXPECT_THROW(chart_render_image(c, 8, 8), std::exception);
}

namespace {

// lr x h, two seeds; h applies to AdaMeZO only; MeZO diverges at the largest lr.
SweepResult two_param_sweep() {
  SweepResult r;
  r.params.push_back({"", "lr", {1e-3, 1e-2, 1e-1}, true});
  r.params.push_back({"", "h", {4, 8}, false});
  r.seeds = 2;
  r.target = 0.1;
  for (double h : {4.0, 8.0})
    for (double lr : {1e-3, 1e-2, 1e-1})
      for (int run = 0; run < 2; ++run) {
        SweepCell c;
        c.values = {lr, h};
        c.run = run;
        c.label = run == 0 ? "MeZO" : "AdaMeZO";
        const bool div = run == 0 && lr > 0.05;
        const double loss = run == 0 ? 1.0 / (lr * 100) : 1e-3 / (lr * h);
        c.final_loss = {div ? INFINITY : loss, div ? INFINITY : loss * 2};
        c.fp_to_target = {loss < 0.1 ? static_cast<int64_t>(100 * h) : -1, -1};
        c.diverged = div ? 2 : 0;
        r.cells.push_back(c);
      }
  return r;
}

Experiment two_param_base() {
  Experiment base;
  base.name = "steep";
  base.runs.resize(2);
  base.runs[0].optimizer = "mezo";
  base.runs[0].label = "MeZO";
  base.runs[1].optimizer = "adamezo";
  base.runs[1].label = "AdaMeZO";
  return base;
}

}  // namespace

// Two swept parameters: a heatmap per run (medians, diverged cells marked, the FP metric
// missing where no seed reached the target) with one colour scale.
TEST(SweepFigure, TwoParametersMakeHeatmapsWithDivergedCellsMarked) {
  const SweepResult r = two_param_sweep();
  const HeatChart c = sweep_heat_chart(r, two_param_base(), SweepMetric::final_loss);
  ASSERT_EQ(c.panels.size(), 2u);
  EXPECT_EQ(c.panels[0].title, "MeZO (h does not apply)");
  EXPECT_EQ(c.panels[1].title, "AdaMeZO");
  EXPECT_EQ(c.xcats, (std::vector<std::string>{"0.001", "0.01", "0.1"}));
  EXPECT_EQ(c.ycats, (std::vector<std::string>{"4", "8"}));
  // Row 0 is h = 4; MeZO's lr = 0.1 cells are marked in both rows.
  EXPECT_EQ(c.panels[0].marked, (std::vector<uint8_t>{0, 0, 1, 0, 0, 1}));
  EXPECT_DOUBLE_EQ(c.panels[1].values[3 + 1], 1.5 * 1e-3 / (1e-2 * 8));  // median of the two seeds
  bool log = false;
  const auto t = heat_chart_colours(c, &log);
  EXPECT_TRUE(log);
  EXPECT_DOUBLE_EQ(t[0][0], 1.0);  // MeZO at lr 1e-3: the largest loss
  EXPECT_DOUBLE_EQ(t[1][5], 0.0);  // AdaMeZO at lr 0.1, h 8: the smallest
  EXPECT_TRUE(std::isnan(t[0][2]));
  const HeatChart fp = sweep_heat_chart(r, two_param_base(), SweepMetric::fp_to_target);
  EXPECT_TRUE(std::isnan(fp.panels[0].values[0])) << "MeZO never reaches 0.1 at lr 1e-3";
  EXPECT_DOUBLE_EQ(fp.panels[1].values[5], 800.0);
  // The picture: grey marked cells, the colormap's ends, the notes in the SVG.
  const Image img = heat_chart_render_image(c, 1000, 600);
  ASSERT_EQ(img.w, 1000);
  int grey = 0, yellow = 0, purple = 0;
  for (size_t i = 0; i < img.rgba.size(); i += 4) {
    const int R = img.rgba[i], G = img.rgba[i + 1], B = img.rgba[i + 2];
    grey += R == 0x9e && G == 0x9e && B == 0x9e;
    yellow += R > 230 && G > 210 && B < 60;   // viridis 1
    purple += R > 60 && R < 80 && G < 10 && B > 75 && B < 95;  // viridis 0 (0x440154)
  }
  EXPECT_GT(grey, 2000);
  EXPECT_GT(yellow, 2000);
  EXPECT_GT(purple, 2000);
  const std::string svg = heat_chart_render_svg(fp, 1000, 600);
  for (const char* s : {"-: not reached", "x: diverged", "forward passes to loss 0.1"}) EXPECT_NE(svg.find(s), std::string::npos) << s;
  SweepResult one = r;
  one.params.pop_back();
  EXPECT_THROW(sweep_heat_chart(one, two_param_base(), SweepMetric::final_loss), std::exception);
}

// sweep.csv reads back into the same cells (the app opens a sweep folder from it).
TEST(SweepCsv, ReadsBackWhatItWrote) {
  const SweepResult r = two_param_sweep();
  const std::string path = (std::filesystem::temp_directory_path() / "zs_sweep_read_test.csv").string();
  {
    std::ofstream(path) << sweep_csv(r);
  }
  const SweepResult b = sweep_csv_read(path);
  std::remove(path.c_str());
  ASSERT_EQ(b.params.size(), 2u);
  EXPECT_EQ(b.params[0].values, r.params[0].values);
  EXPECT_TRUE(b.params[0].log_scale);
  EXPECT_FALSE(b.params[1].log_scale);
  EXPECT_EQ(b.seeds, 2);
  ASSERT_EQ(b.cells.size(), r.cells.size());
  for (size_t i = 0; i < r.cells.size(); ++i) {
    EXPECT_EQ(b.cells[i].label, r.cells[i].label);
    EXPECT_EQ(b.cells[i].values, r.cells[i].values);
    EXPECT_EQ(b.cells[i].final_loss, r.cells[i].final_loss);
    EXPECT_EQ(b.cells[i].fp_to_target, r.cells[i].fp_to_target);
    EXPECT_EQ(b.cells[i].diverged, r.cells[i].diverged);
  }
  {
    std::ofstream(path) << "lr,run,label\n";
  }
  EXPECT_THROW(sweep_csv_read(path), std::exception);
  std::remove(path.c_str());
}

TEST(SweepParamText, ReadsBackAsTheSameParameter) {
  // What the app's Run sweep dialog shows as the CLI command must parse to the same values.
  for (const char* spec : {"lr=0.0001:0.1:log:7", "MeZO.eps=0.001:0.01:lin:4", "h=2,5,10,20", "1.beta1=0.5",
                           "lr=0.3,0.1,0.03"}) {
    const SweepParam p = sweep_param_parse(spec);
    EXPECT_EQ(sweep_param_text(p), spec);
    const SweepParam b = sweep_param_parse(sweep_param_text(p));
    EXPECT_EQ(b.selector, p.selector);
    EXPECT_EQ(b.name, p.name);
    ASSERT_EQ(b.values.size(), p.values.size());
    for (size_t i = 0; i < p.values.size(); ++i) EXPECT_NEAR(b.values[i], p.values[i], 1e-6 * std::abs(p.values[i])) << spec;
  }
  // Values that are not an even range are listed (integers rounded from a log range).
  SweepParam h;
  h.name = "h";
  h.values = {1, 3, 10, 32};
  h.log_scale = true;
  EXPECT_EQ(sweep_param_text(h), "h=1,3,10,32");
  EXPECT_EQ(sweep_values(1, 100, 3, true), (std::vector<double>{1, 10, 100}));
  EXPECT_THROW(sweep_values(0, 1, 3, true), std::exception);
}

TEST(SweepRun, ChecksFirstAndACancelledSweepThrows) {
  Experiment e = experiment_resolve("preset:adamezo_steep");
  e.max_steps = 50;
  e.max_fp = 0;
  SweepParam none;
  none.name = "lr";
  EXPECT_THROW(sweep_check(e, {none}, 1), std::exception);  // no values
  EXPECT_THROW(sweep_check(e, {sweep_param_parse("nope=1,2")}, 1), std::exception);
  EXPECT_THROW(sweep_check(e, {sweep_param_parse("lr=1e-3")}, 0), std::exception);
  EXPECT_NO_THROW(sweep_check(e, {sweep_param_parse("lr=1e-3")}, 1));
  std::atomic<bool> cancel{true};
  try {
    sweep_run(e, {sweep_param_parse("lr=1e-4:1e-2:log:3")}, 2, 1, {}, &cancel);
    ADD_FAILURE() << "a cancelled sweep returned";
  } catch (const std::exception& ex) {
    EXPECT_NE(std::string(ex.what()).find("cancelled"), std::string::npos) << ex.what();
  }
  cancel = false;
  EXPECT_EQ(sweep_run(e, {sweep_param_parse("lr=1e-4:1e-2:log:3")}, 2, 1, {}, &cancel).cells.size(), 3 * e.runs.size());
}

}  // namespace zs::test
