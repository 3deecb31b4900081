// The sweep table (result columns right-aligned with 4 significant digits, no trailing
// blanks) and the sweep figure.
#include <gtest/gtest.h>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>
#include "core/export/line_chart.h"
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

}  // namespace zs::test
