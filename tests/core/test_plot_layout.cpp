// Core's plot layout (plot_layout.h), which the live plots and the exported line charts
// share: a diverged series is clipped and named rather than stretching the axis, losses
// below zero stay on a symlog axis, ticks depend on the limits only, and a line chart's
// envelope and band count in its autoscale under the series' label.
#include <gtest/gtest.h>
#include <cmath>
#include <string>
#include <vector>
#include "core/export/line_chart.h"
#include "core/export/plot_layout.h"

namespace zs {

namespace {

ChartSeries curve(const std::string& label, double scale, double growth = 0) {
  ChartSeries se;
  se.label = label;
  se.dots = false;
  for (int i = 0; i < 100; ++i) {
    se.xs.push_back(i);
    se.ys.push_back(scale * std::exp(-0.05 * i) * std::exp(growth * i) + 1e-3);
  }
  return se;
}

}  // namespace

TEST(ExportPlotLayout, OneDivergedSeriesIsClippedAndNamedNotStretchingTheAxis) {
  LineChart c;
  c.y_log = true;
  for (int k = 0; k < 4; ++k) c.series.push_back(curve("run" + std::to_string(k), 10.0 * (k + 1)));
  c.series.push_back(curve("diverged", 10, 0.6));  // grows to ~1e25
  const PlotLayout l = chart_layout(c);
  EXPECT_EQ(l.clipped, (std::set<std::string>{"diverged"}));
  EXPECT_LT(l.y.hi, 1e3);
  ASSERT_FALSE(l.notes.empty());
  EXPECT_NE(l.notes[0].find("clipped: diverged"), std::string::npos);
  EXPECT_EQ(l.legend.size(), 5u);
  // Without clipping (sweeps) the axis covers every value.
  c.clip_outliers = false;
  EXPECT_GT(chart_layout(c).y.hi, 1e20);
}

TEST(ExportPlotLayout, SymlogKeepsNegativeValuesAndTicksZero) {
  LineChart c;
  c.y_log = true;
  c.y_symlog = true;
  c.y_linthresh = 0.1;
  ChartSeries se;
  se.label = "a";
  se.xs = {0, 1, 2, 3};
  se.ys = {10, 1, -0.5, -1};
  c.series.push_back(se);
  const PlotLayout l = chart_layout(c);
  EXPECT_TRUE(l.sy.sym);
  EXPECT_LT(l.y.lo, -1);
  EXPECT_GT(l.y.hi, 10);
  EXPECT_NE(std::find(l.y_ticks.begin(), l.y_ticks.end(), 0.0), l.y_ticks.end());
  EXPECT_TRUE(l.notes.empty());  // nothing dropped
  // The same chart without symlog drops the values <= 0 and says so.
  c.y_symlog = false;
  const PlotLayout g = chart_layout(c);
  ASSERT_EQ(g.notes.size(), 1u);
  EXPECT_NE(g.notes[0].find("2 values <= 0 not shown"), std::string::npos);
}

TEST(ExportPlotLayout, EnvelopeAndBandCountInTheAutoscaleButNotInTheLegend) {
  LineChart c;
  ChartSeries line;
  line.label = "a";
  line.xs = {0, 1, 2};
  line.ys = {1, 2, 3};
  line.lo = {0.5, 1, 2};
  line.hi = {1.5, 3, 9};
  ChartSeries raw = line;
  raw.lo.clear();
  raw.hi.clear();
  raw.envelope = true;
  raw.ys = {-4, 2, 3};
  c.series = {raw, line};
  const PlotLayout l = chart_layout(c);
  EXPECT_LT(l.y.lo, -4);
  EXPECT_GT(l.y.hi, 9);
  EXPECT_EQ(l.legend, (std::vector<std::string>{"a"}));
  // Ticks are a function of the limits and the scale, whatever the figure's size.
  EXPECT_EQ(plot_ticks(l.y, l.sy, true), l.y_ticks);
}

TEST(ExportPlotLayout, XSpanWidensTheXLimitsSoStackedPlotsLineUp) {
  // A dev metric evaluated at steps 50 and 100 under a loss plot of steps 0..120: with the
  // loss plot's span its x axis is the loss plot's, not 50..100.
  LineChart dev;
  ChartSeries s;
  s.label = "MeZO";
  s.xs = {50, 100};
  s.ys = {0.6, 0.7};
  dev.series = {s};
  EXPECT_DOUBLE_EQ(chart_layout(dev).x.lo, 50);
  dev.x_span = {0, 120};
  const PlotLayout l = chart_layout(dev);
  EXPECT_DOUBLE_EQ(l.x.lo, 0);
  EXPECT_DOUBLE_EQ(l.x.hi, 120);
  EXPECT_EQ(l.x_ticks, plot_ticks(AxisRange{0, 120}, l.sx, false));
  // No evaluation yet: the span alone; data beyond the span still shows.
  dev.series[0].xs = {50, 130};
  EXPECT_DOUBLE_EQ(chart_layout(dev).x.hi, 130);
  dev.series.clear();
  EXPECT_DOUBLE_EQ(chart_layout(dev).x.hi, 120);
  // An end a log axis cannot show is left out (the data's end stays).
  AxisRange out;
  AxisScale lg;
  lg.log = true;
  ASSERT_TRUE(plot_x_cover(out, AxisRange{5, 10}, true, AxisRange{0, 20}, lg));
  EXPECT_DOUBLE_EQ(out.lo, 5);
  EXPECT_DOUBLE_EQ(out.hi, 20);
  EXPECT_FALSE(plot_x_cover(out, AxisRange{}, false, AxisRange{NAN, NAN}, lg));
}

}  // namespace zs
