// Tests for the figure exporter (core/export): nice ticks, colormaps against matplotlib's
// tables, the colour scale, marching squares, the raster and SVG figures, PNG output.
#include <gtest/gtest.h>
#include <stb/stb_image.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>
#include "core/export/colormap.h"
#include "core/export/contour.h"
#include "core/export/figure.h"
#include "core/export/figure_layout.h"
#include "core/io/experiment.h"
#include "core/io/presets.h"
#include "core/opt/optimizer.h"
#include "core/run/runner.h"
#include "core/export/ticks.h"
#include "core/util/error.h"

namespace zs {
namespace {

// [SECTION] helpers

int channel(uint32_t rgb, int k) { return static_cast<int>((rgb >> (16 - 8 * k)) & 0xff); }

// Largest per-channel difference between two colours, in 1/255 steps.
int colour_distance(uint32_t a, uint32_t b) {
  int d = 0;
  for (int k = 0; k < 3; ++k) d = std::max(d, std::abs(channel(a, k) - channel(b, k)));
  return d;
}

uint32_t pixel(const Image& img, int x, int y) {
  const uint8_t* p = &img.rgba[(static_cast<size_t>(y) * img.w + x) * 4];
  return static_cast<uint32_t>(p[0]) << 16 | static_cast<uint32_t>(p[1]) << 8 | p[2];
}

// Relative luminance (linearised sRGB, Rec. 709 weights).
double luminance(uint32_t rgb) {
  double y = 0;
  const double w[3] = {0.2126, 0.7152, 0.0722};
  for (int k = 0; k < 3; ++k) {
    const double c = channel(rgb, k) / 255.0;
    y += w[k] * (c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4));
  }
  return y;
}

std::vector<float> grid_of(int nx, int ny, const double dom[4], double (*f)(double, double)) {
  std::vector<float> g(static_cast<size_t>(nx) * ny);
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i)
      g[static_cast<size_t>(j) * nx + i] =
          static_cast<float>(f(dom[0] + (dom[1] - dom[0]) * i / (nx - 1), dom[2] + (dom[3] - dom[2]) * j / (ny - 1)));
  return g;
}

double bowl(double x, double y) { return x * x + y * y; }
double rosenbrock(double x, double y) { return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x); }

// A figure of the bowl x^2 + y^2 on [-1, 1]^2 (minimum 0 exactly on the centre node).
Figure bowl_figure(int n = 101) {
  Figure f;
  f.title = "bowl";
  f.grid_nx = f.grid_ny = n;
  f.grid = grid_of(n, n, f.domain, bowl);
  return f;
}

FigureRun spiral_run(const std::string& label, uint32_t rgb, double x_end, double y_end, int n = 200) {
  FigureRun r;
  r.label = label;
  r.rgb = rgb;
  for (int k = 0; k < n; ++k) {
    const double s = 1 - static_cast<double>(k) / (n - 1), a = 6 * s;
    r.xs.push_back(x_end + 0.6 * s * std::cos(a));
    r.ys.push_back(y_end + 0.6 * s * std::sin(a));
  }
  return r;
}

// Minimal XML well-formedness check: balanced tags, quoted attributes, escaped text.
// Returns "" when well-formed, else what is wrong and where.
std::string xml_problem(const std::string& doc) {
  std::vector<std::string> stack;
  size_t i = 0;
  const auto entity_ok = [&](size_t at) {
    static const char* names[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    for (const char* n : names)
      if (doc.compare(at, std::strlen(n), n) == 0) return true;
    return false;
  };
  if (doc.rfind("<?xml", 0) == 0) {
    i = doc.find("?>");
    if (i == std::string::npos) return "unterminated XML declaration";
    i += 2;
  }
  bool root_seen = false;
  while (i < doc.size()) {
    if (doc[i] != '<') {
      if (doc[i] == '&' && !entity_ok(i)) return "bare & in text at " + std::to_string(i);
      if (doc[i] == '>') return "bare > in text at " + std::to_string(i);
      if (stack.empty() && !std::isspace(static_cast<unsigned char>(doc[i]))) return "text outside the root at " + std::to_string(i);
      ++i;
      continue;
    }
    const bool closing = doc[i + 1] == '/';
    size_t j = i + (closing ? 2 : 1);
    const size_t name_start = j;
    while (j < doc.size() && (std::isalnum(static_cast<unsigned char>(doc[j])) || doc[j] == ':' || doc[j] == '-' || doc[j] == '_')) ++j;
    const std::string name = doc.substr(name_start, j - name_start);
    if (name.empty()) return "tag without a name at " + std::to_string(i);
    if (closing) {
      if (doc[j] != '>') return "junk in closing tag </" + name + ">";
      if (stack.empty() || stack.back() != name) return "</" + name + "> does not close <" + (stack.empty() ? "" : stack.back()) + ">";
      stack.pop_back();
      i = j + 1;
      continue;
    }
    if (stack.empty() && root_seen) return "second root element <" + name + ">";
    root_seen = true;
    std::set<std::string> attrs;
    for (;;) {
      while (j < doc.size() && std::isspace(static_cast<unsigned char>(doc[j]))) ++j;
      if (j >= doc.size()) return "unterminated tag <" + name + ">";
      if (doc[j] == '>') {
        stack.push_back(name);
        ++j;
        break;
      }
      if (doc[j] == '/' && doc[j + 1] == '>') {
        j += 2;
        break;
      }
      const size_t a0 = j;
      while (j < doc.size() && doc[j] != '=' && !std::isspace(static_cast<unsigned char>(doc[j])) && doc[j] != '>') ++j;
      const std::string attr = doc.substr(a0, j - a0);
      if (attr.empty() || doc[j] != '=' || doc[j + 1] != '"') return "attribute '" + attr + "' of <" + name + "> not name=\"value\"";
      if (!attrs.insert(attr).second) return "duplicate attribute " + attr + " in <" + name + ">";
      j += 2;
      for (; j < doc.size() && doc[j] != '"'; ++j) {
        if (doc[j] == '<') return "< inside attribute " + attr;
        if (doc[j] == '&' && !entity_ok(j)) return "bare & inside attribute " + attr;
      }
      if (j >= doc.size()) return "unterminated attribute " + attr;
      ++j;
    }
    i = j;
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  if (!root_seen) return "no root element";
  return "";
}

size_t count_of(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// [SECTION] ticks

TEST(ExportTicks, NiceTicksCoverTheRangeWithOneTwoFiveSteps) {
  const struct {
    double lo, hi;
    int target;
  } cases[] = {{0, 1, 5}, {-2, 2, 5}, {-1, 3, 6}, {0.013, 0.0271, 4}, {-1234, 98765, 7}, {1e-9, 3e-9, 5}, {5, 5.001, 3}, {-7.3, -1.1, 8}};
  for (const auto& c : cases) {
    SCOPED_TRACE(std::to_string(c.lo) + " .. " + std::to_string(c.hi));
    const std::vector<double> t = nice_ticks(c.lo, c.hi, c.target);
    ASSERT_GE(t.size(), 2u);
    EXPECT_LE(static_cast<int>(t.size()), 2 * c.target + 1);
    const double step = t[1] - t[0];
    const double mant = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    EXPECT_TRUE(std::fabs(mant - 1) < 1e-6 || std::fabs(mant - 2) < 1e-6 || std::fabs(mant - 5) < 1e-6) << "step " << step;
    for (size_t k = 1; k < t.size(); ++k) EXPECT_NEAR(t[k] - t[k - 1], step, step * 1e-6);
    const double tol = step * 1e-6;
    EXPECT_GE(t.front(), c.lo - tol);
    EXPECT_LE(t.back(), c.hi + tol);
    EXPECT_LT(t.front() - step, c.lo);  // no room for another tick at either end
    EXPECT_GT(t.back() + step, c.hi);
    for (double v : t) EXPECT_NEAR(v / step, std::round(v / step), 1e-6);  // multiples of the step
  }
}

TEST(ExportTicks, NiceTicksDegenerateInputs) {
  EXPECT_EQ(nice_ticks(3, 3, 5), std::vector<double>{3});
  EXPECT_TRUE(nice_ticks(NAN, 1, 5).empty());
  EXPECT_TRUE(nice_ticks(0, INFINITY, 5).empty());
  EXPECT_EQ(nice_ticks(1, 0, 5), nice_ticks(0, 1, 5));
  EXPECT_EQ(nice_ticks(0, 1, 5), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1}));
  EXPECT_TRUE(nice_ticks(-1e308, 1e308, 5).empty());       // the width overflows
  EXPECT_TRUE(nice_ticks(1e10, 1e10 + 1e-5, 5).empty());   // steps finer than the doubles there
}

TEST(ExportTicks, LogTicks) {
  EXPECT_EQ(log_ticks(1e-3, 1e3), (std::vector<double>{1e-3, 1e-2, 1e-1, 1, 10, 100, 1000}));
  EXPECT_EQ(log_ticks(1, 50), (std::vector<double>{1, 2, 5, 10, 20, 50}));
  const std::vector<double> wide = log_ticks(1e-12, 1e12);
  EXPECT_GE(wide.size(), 4u);
  EXPECT_LE(wide.size(), 13u);
  for (double v : wide) EXPECT_NEAR(std::log10(v), std::round(std::log10(v)), 1e-9);
  const std::vector<double> extreme = log_ticks(1e-300, 1e300);  // hi / lo overflows a double
  EXPECT_GE(extreme.size(), 4u);
  EXPECT_LE(extreme.size(), 10u);
  const std::vector<double> narrow = log_ticks(2.1, 3.9);  // under a decade: linear nice ticks
  ASSERT_GE(narrow.size(), 2u);
  for (double v : narrow) {
    EXPECT_GE(v, 2.1);
    EXPECT_LE(v, 3.9);
  }
  EXPECT_TRUE(log_ticks(0, 10).empty());
  EXPECT_TRUE(log_ticks(-1, 10).empty());
}

TEST(ExportTicks, CompactLabels) {
  EXPECT_EQ(tick_label(0), "0");
  EXPECT_EQ(tick_label(-0.0), "0");
  EXPECT_EQ(tick_label(0.5), "0.5");
  EXPECT_EQ(tick_label(3 * 0.1), "0.3");
  EXPECT_EQ(tick_label(-3), "-3");
  EXPECT_EQ(tick_label(1000), "1000");
  EXPECT_EQ(tick_label(0.001), "0.001");
  EXPECT_EQ(tick_label(1e-4), "1e-4");
  EXPECT_EQ(tick_label(25000), "2.5e4");
  EXPECT_EQ(tick_label(-2.5e-7), "-2.5e-7");
  EXPECT_EQ(tick_label(1.0002), "1.0002");
}

// [SECTION] colormaps and the colour scale

TEST(ExportColormap, MatchesMatplotlibTables) {
  // matplotlib's 256-entry tables at entries 0, 64, 128, 192 and 255 (t = i / 255).
  const std::map<std::string, std::vector<uint32_t>> ref = {
      {"viridis", {0x440154, 0x3b528b, 0x21918c, 0x5ec962, 0xfde725}},
      {"magma", {0x000004, 0x51127c, 0xb73779, 0xfc8961, 0xfcfdbf}},
      {"inferno", {0x000004, 0x57106e, 0xbc3754, 0xf98e09, 0xfcffa4}},
      {"plasma", {0x0d0887, 0x7e03a8, 0xcc4778, 0xf89540, 0xf0f921}},
      {"cividis", {0x00224e, 0x434e6c, 0x7d7c78, 0xbcae6c, 0xfee838}},
  };
  const int index[5] = {0, 64, 128, 192, 255};
  for (const auto& [name, colours] : ref) {
    ASSERT_TRUE(colormap_known(name)) << name;
    for (int k = 0; k < 5; ++k)
      EXPECT_LE(colour_distance(colormap_rgb(name, index[k] / 255.0), colours[k]), 2) << name << " entry " << index[k];
  }
  EXPECT_LE(colour_distance(colormap_rgb("viridis", 0), 0x440154), 2);
  EXPECT_LE(colour_distance(colormap_rgb("viridis", 1), 0xfde725), 2);
  EXPECT_EQ(colormap_rgb("grey", 0), 0x000000u);
  EXPECT_EQ(colormap_rgb("grey", 1), 0xffffffu);
}

TEST(ExportColormap, ViridisLuminanceIsMonotone) {
  // Strictly increasing over every 4th entry; entry to entry within one 8-bit step (1e-3
  // in luminance), as matplotlib's own rounded table is.
  const std::vector<uint32_t> t = colormap_table("viridis");
  for (size_t i = 4; i < t.size(); i += 4) EXPECT_GT(luminance(t[i]), luminance(t[i - 4])) << "entry " << i;
  for (size_t i = 1; i < t.size(); ++i) EXPECT_GT(luminance(t[i]), luminance(t[i - 1]) - 1e-3) << "entry " << i;
  EXPECT_GT(luminance(t.back()), 10 * luminance(t.front()));
}

TEST(ExportColormap, TableClampAndNames) {
  for (const std::string& name : colormap_names()) {
    const std::vector<uint32_t> t = colormap_table(name);
    ASSERT_EQ(t.size(), 256u);
    EXPECT_EQ(t[0], colormap_rgb(name, 0));
    EXPECT_EQ(t[255], colormap_rgb(name, 1));
    EXPECT_EQ(t[100], colormap_rgb(name, 100 / 255.0));
    EXPECT_EQ(colormap_rgb(name, -3), t[0]);
    EXPECT_EQ(colormap_rgb(name, 7), t[255]);
    EXPECT_EQ(colormap_rgb(name, NAN), t[0]);
  }
  EXPECT_EQ(colormap_names().front(), "viridis");
  EXPECT_FALSE(colormap_known("jet"));
  try {
    colormap_rgb("jet", 0.5);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("jet"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("viridis"), std::string::npos);
  }
}

TEST(ExportColourScale, LinearAndLogMappings) {
  const std::vector<float> data = {2, NAN, 10, 4, INFINITY, 6};
  const ColourScale lin = colour_scale(data, false);
  EXPECT_EQ(lin.lo, 2);
  EXPECT_EQ(lin.hi, 10);
  EXPECT_DOUBLE_EQ(lin.colour_value(6), 0.5);
  EXPECT_DOUBLE_EQ(lin.colour_value(-100), 0);
  EXPECT_TRUE(std::isnan(lin.colour_value(NAN)));
  EXPECT_DOUBLE_EQ(lin.value_at(0.25), 4);

  const ColourScale lg = colour_scale(data, true);
  EXPECT_NEAR(lg.shift, ColourScale::kLogShift * 8, 1e-15);
  EXPECT_DOUBLE_EQ(lg.colour_value(2), 0);
  EXPECT_DOUBLE_EQ(lg.colour_value(10), 1);
  // Equal ratios of height above the minimum (plus shift) are equal colour steps.
  const double a = lg.colour_value(2 + 10 * lg.shift - lg.shift), b = lg.colour_value(2 + 100 * lg.shift - lg.shift);
  EXPECT_NEAR(b - a, a - lg.colour_value(2), 1e-12);
  for (double t : {0.0, 0.1, 0.5, 0.9, 1.0}) EXPECT_NEAR(lg.colour_value(lg.value_at(t)), t, 1e-12);
  const std::vector<float> many = {2, 3, 4.5f, 10, NAN};
  const std::vector<float> batch = lg.colour_values(many);
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(batch[i], lg.colour_value(many[i]), 1e-6);
  EXPECT_TRUE(std::isnan(batch[4]));

  const ColourScale flat = colour_scale({3, 3, 3}, true);
  EXPECT_DOUBLE_EQ(flat.colour_value(3), 0.5);
  // A flat grid's one colour-bar tick: mid-bar, four significant digits (a LoRA model's
  // random plane is 0.861272812 everywhere: "0.861272812" read as noise).
  const std::vector<ColourBarTick> one = colour_bar_ticks(colour_scale({0.861272812f, 0.861272812f}, false), 400, 40, 16);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].t, 0.5);
  EXPECT_EQ(tick_label(one[0].label), "0.8613");
  const ColourScale none = colour_scale({NAN}, false);
  EXPECT_EQ(none.lo, 0);
  EXPECT_EQ(none.hi, 1);
}

// adamezo_beale: with the floor fixed at 1e-4 of the range (about 18 on Beale's view), the
// basin around the minimum was one flat colour with no contour. The floor now comes from
// the grid's distribution and the basin keeps several contour levels.
TEST(ExportColourScale, LogFloorFollowsTheDistributionSoBasinsKeepContours) {
  const double dom[4] = {-4.5, 4.5, -4.5, 4.5};
  const auto beale = [](double x, double y) {
    const double a = 1.5 - x + x * y, b = 2.25 - x + x * y * y, c = 2.625 - x + x * y * y * y;
    return a * a + b * b + c * c + 1e-3;
  };
  const std::vector<float> g = grid_of(256, 256, dom, beale);
  const ColourScale lg = colour_scale(g, true);
  const double range = lg.hi - lg.lo;
  EXPECT_LT(lg.shift, ColourScale::kLogShift * range / 10);
  EXPECT_GE(lg.shift, ColourScale::kLogShiftMin * range);
  const std::vector<double> levels = contour_levels(g, 14, true);
  const auto in_basin = std::count_if(levels.begin(), levels.end(), [&](double v) { return v - lg.lo < ColourScale::kLogShift * range; });
  EXPECT_GE(in_basin, 3);
  // Heights a decade apart inside the basin (0.5 and 5 above the minimum, both under the
  // old floor of about 18) get colours more than a contour interval apart (0.024 before).
  EXPECT_GT(lg.colour_value(lg.lo + 5) - lg.colour_value(lg.lo + 0.5), 1.0 / 15) << "shift " << lg.shift;
}

// [SECTION] contours

TEST(ExportContour, CircleIsOneClosedPolylineOnTheRadius) {
  const double dom[4] = {-1, 1, -1, 1};
  const int n = 101;
  const double h = 2.0 / (n - 1), r = 0.6;
  const std::vector<Polyline> lines = contour_lines(grid_of(n, n, dom, bowl), n, n, dom, r * r);
  ASSERT_EQ(lines.size(), 1u);
  const Polyline& p = lines[0];
  ASSERT_GT(p.size(), 100u);
  EXPECT_EQ(p.front(), p.back());
  for (const auto& q : p) EXPECT_NEAR(std::hypot(q[0], q[1]), r, h) << q[0] << ", " << q[1];
  // A polyline that goes all the way round: the angles cover the circle.
  double turned = 0;
  for (size_t i = 1; i < p.size(); ++i) turned += std::remainder(std::atan2(p[i][1], p[i][0]) - std::atan2(p[i - 1][1], p[i - 1][0]), 2 * M_PI);
  EXPECT_NEAR(std::fabs(turned), 2 * M_PI, 1e-9);
}

TEST(ExportContour, OpenLineEndsOnTheBorder) {
  const double dom[4] = {0, 2, -1, 3};
  const std::vector<Polyline> lines = contour_lines(grid_of(21, 9, dom, [](double x, double) { return x; }), 21, 9, dom, 0.73);
  ASSERT_EQ(lines.size(), 1u);
  const Polyline& p = lines[0];
  EXPECT_EQ(p.size(), 9u);
  for (const auto& q : p) EXPECT_NEAR(q[0], 0.73, 1e-6);  // the grid is float
  EXPECT_DOUBLE_EQ(std::min(p.front()[1], p.back()[1]), -1);
  EXPECT_DOUBLE_EQ(std::max(p.front()[1], p.back()[1]), 3);
}

TEST(ExportContour, SaddleDecidedByTheCentre) {
  // Corners bl = 1, br = 0, tr = 1, tl = 0: the centre average is 0.5.
  const std::vector<float> g = {1, 0, 0, 1};  // row 0: bl, br; row 1: tl, tr
  const double dom[4] = {0, 1, 0, 1};
  const auto near_corner = [](const Polyline& p, double cx, double cy) {
    const double mx = (p.front()[0] + p.back()[0]) / 2, my = (p.front()[1] + p.back()[1]) / 2;
    return std::hypot(mx - cx, my - cy) < 0.5;
  };
  // Level 0.4 < centre: the high corners connect, the low ones (br, tl) are cut off.
  std::vector<Polyline> lines = contour_lines(g, 2, 2, dom, 0.4);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE((near_corner(lines[0], 1, 0) && near_corner(lines[1], 0, 1)) || (near_corner(lines[0], 0, 1) && near_corner(lines[1], 1, 0)));
  // Level 0.6 > centre: the high corners (bl, tr) are cut off.
  lines = contour_lines(g, 2, 2, dom, 0.6);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE((near_corner(lines[0], 0, 0) && near_corner(lines[1], 1, 1)) || (near_corner(lines[0], 1, 1) && near_corner(lines[1], 0, 0)));
}

TEST(ExportContour, NanCellsAreSkipped) {
  const double dom[4] = {-1, 1, -1, 1};
  const int n = 41;
  std::vector<float> g = grid_of(n, n, dom, bowl);
  // Knock out the node at (0.5, 0) on the r = 0.5 circle: its four cells drop out.
  const int i = 30, j = 20;
  g[static_cast<size_t>(j) * n + i] = NAN;
  const std::vector<Polyline> lines = contour_lines(g, n, n, dom, 0.25);
  ASSERT_EQ(lines.size(), 1u);
  const Polyline& p = lines[0];
  EXPECT_NE(p.front(), p.back());
  const double h = 2.0 / (n - 1);
  for (const auto& q : p) EXPECT_FALSE(std::fabs(q[0] - 0.5) < h - 1e-9 && std::fabs(q[1]) < h - 1e-9) << q[0] << ", " << q[1];
  EXPECT_TRUE(contour_lines(std::vector<float>(16, NAN), 4, 4, dom, 0).empty());
  EXPECT_TRUE(contour_lines(g, n, n, dom, NAN).empty());
  EXPECT_TRUE(contour_lines(g, n, n + 1, dom, 0.25).empty());  // size mismatch
}

TEST(ExportContour, LevelsLinearAndLogSpaced) {
  const double dom[4] = {-2, 2, -1, 3};
  const std::vector<float> g = grid_of(64, 64, dom, rosenbrock);
  const ColourScale lin = colour_scale(g, false);
  const std::vector<double> a = contour_levels(g, 9, false);
  ASSERT_EQ(a.size(), 9u);
  for (size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k], lin.lo + (lin.hi - lin.lo) * (k + 1) / 10.0, 1e-9 * lin.hi);

  const ColourScale lg = colour_scale(g, true);
  const std::vector<double> b = contour_levels(g, 12, true);
  ASSERT_EQ(b.size(), 12u);
  // log10(level - lo + shift) is evenly spaced, strictly inside the range.
  std::vector<double> c;
  for (double v : b) c.push_back(std::log10(v - lg.lo + lg.shift));
  const double step = c[1] - c[0];
  EXPECT_GT(step, 0);
  for (size_t k = 1; k < c.size(); ++k) EXPECT_NEAR(c[k] - c[k - 1], step, 1e-9);
  EXPECT_GT(b.front(), lg.lo);
  EXPECT_LT(b.back(), lg.hi);
  EXPECT_GT(b[1] / b[0], 1.5);  // geometric, not arithmetic, near the minimum

  EXPECT_TRUE(contour_levels(g, 0, true).empty());
  EXPECT_TRUE(contour_levels(std::vector<float>(9, 1.0f), 5, false).empty());
}

// [SECTION] raster figure

TEST(ExportFigure, RasterHasTheRequestedSizeAndIsNotBlank) {
  Figure f = bowl_figure(64);
  f.runs.push_back(spiral_run("a", 0xe6550d, 0.2, 0.1));
  f.stamp = "zoscope test";
  for (auto [w, h] : {std::pair{320, 240}, {800, 600}, {1000, 1000}, {3840, 2160}}) {
    const Image img = figure_render_image(f, w, h);
    ASSERT_EQ(img.w, w);
    ASSERT_EQ(img.h, h);
    ASSERT_EQ(img.rgba.size(), static_cast<size_t>(w) * h * 4);
    std::set<uint32_t> colours;
    size_t non_white = 0;
    for (int y = 0; y < h; y += 3)
      for (int x = 0; x < w; x += 3) {
        colours.insert(pixel(img, x, y));
        non_white += pixel(img, x, y) != 0xffffff;
      }
    EXPECT_GT(colours.size(), 100u) << w << "x" << h;
    EXPECT_GT(non_white, static_cast<size_t>(w / 3) * (h / 3) / 5) << w << "x" << h;
    const std::array<double, 4> r = figure_plot_rect(f, w, h);
    EXPECT_GT(r[0], 0);
    EXPECT_GT(r[1], 0);
    EXPECT_LT(r[0] + r[2], w);
    EXPECT_LT(r[1] + r[3], h);
    EXPECT_GT(r[2] * r[3], 0.2 * w * h) << "plot area too small at " << w << "x" << h;
  }
}

TEST(ExportFigure, GridMinimumHasTheColormapsLowColour) {
  for (const char* cmap : {"viridis", "magma"}) {
    Figure f = bowl_figure(101);
    f.colormap = cmap;
    const int w = 900, h = 700;
    const Image img = figure_render_image(f, w, h);
    const std::array<double, 4> r = figure_plot_rect(f, w, h);
    // The domain centre (the minimum) and a point near the corner (the maximum).
    const int cx = static_cast<int>(r[0] + r[2] / 2), cy = static_cast<int>(r[1] + r[3] / 2);
    EXPECT_LE(colour_distance(pixel(img, cx, cy), colormap_rgb(cmap, 0)), 4) << cmap;
    EXPECT_LE(colour_distance(pixel(img, static_cast<int>(r[0] + 1), static_cast<int>(r[1] + 1)), colormap_rgb(cmap, 1)), 12) << cmap;
  }
}

TEST(ExportFigure, RunColourAppearsNearItsEndPoint) {
  Figure f = bowl_figure(64);
  const uint32_t rgb = 0xff00ff;  // not in viridis
  f.runs.push_back(spiral_run("magenta", rgb, 0.3, -0.4));
  f.runs.push_back(spiral_run("other", 0x00a0ff, -0.5, 0.5));
  const int w = 800, h = 600;
  const Image img = figure_render_image(f, w, h);
  const std::array<double, 4> r = figure_plot_rect(f, w, h);
  const double ex = r[0] + (0.3 + 1) / 2 * r[2], ey = r[1] + r[3] - (-0.4 + 1) / 2 * r[3];
  int best = 255;
  for (int dy = -3; dy <= 3; ++dy)
    for (int dx = -3; dx <= 3; ++dx) best = std::min(best, colour_distance(pixel(img, static_cast<int>(ex) + dx, static_cast<int>(ey) + dy), rgb));
  EXPECT_LE(best, 3);
}

TEST(ExportFigure, EdgeCasesRenderWithoutErrors) {
  Figure f;  // no grid, no runs
  f.title = "";
  f.xlabel = "";
  f.ylabel = "";
  EXPECT_NO_THROW(figure_render_image(f, 320, 240));
  EXPECT_NO_THROW(figure_render_svg(f, 320, 240));

  Figure g = bowl_figure(32);
  g.log_colour = true;
  g.minima.push_back({0, 0});
  FigureRun empty;
  empty.label = "empty";
  FigureRun broken = spiral_run("NaN breaks", 0x2ca02c, 0, 0, 50);
  broken.xs[10] = NAN;
  broken.ys[25] = INFINITY;
  FigureRun wild = spiral_run("off the plot", 0xd62728, 0.5, 0.5, 20);
  wild.xs.push_back(1e300);
  wild.ys.push_back(-1e300);
  wild.xs.push_back(-1e308);
  wild.ys.push_back(0.2);
  wild.diverged = true;
  wild.probes = {{0.1, 0.1}, {NAN, 0}, {5, 5}};
  wild.legend_extra = "0 P, 2 FP/step";
  g.runs = {empty, broken, wild};
  g.grid[5] = NAN;
  g.grid[40] = INFINITY;
  for (auto [w, h] : {std::pair{16, 16}, {320, 240}, {1234, 567}}) {
    const Image img = figure_render_image(g, w, h);
    EXPECT_EQ(img.w, w);
    const std::string svg = figure_render_svg(g, w, h);
    EXPECT_EQ(xml_problem(svg), "");
    EXPECT_EQ(count_of(svg, "<path"), 3u);
  }
  // Constant grid: one colour, no contours.
  Figure c = bowl_figure(8);
  std::fill(c.grid.begin(), c.grid.end(), 2.0f);
  EXPECT_NO_THROW(figure_render_image(c, 400, 300));
}

TEST(ExportFigure, BadInputsThrowNamingTheField) {
  const auto message = [](const Figure& f, int w, int h) -> std::string {
    try {
      figure_render_image(f, w, h);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  const Figure ok = bowl_figure(8);
  EXPECT_NE(message(ok, 0, 100).find("size"), std::string::npos);
  EXPECT_NE(message(ok, 100, 20000).find("size"), std::string::npos);
  Figure f = ok;
  f.grid.pop_back();
  EXPECT_NE(message(f, 100, 100).find("figure.grid"), std::string::npos);
  f = ok;
  f.colormap = "rainbow";
  EXPECT_NE(message(f, 100, 100).find("rainbow"), std::string::npos);
  f = ok;
  f.domain[1] = f.domain[0];
  EXPECT_NE(message(f, 100, 100).find("figure.domain"), std::string::npos);
  f = ok;
  f.contour_levels = -1;
  EXPECT_NE(message(f, 100, 100).find("figure.contour_levels"), std::string::npos);
  f = ok;
  f.runs.push_back(spiral_run("r", 0, 0, 0));
  f.runs[0].ys.pop_back();
  EXPECT_NE(message(f, 100, 100).find("figure.runs[0]"), std::string::npos);
  EXPECT_THROW(figure_render_svg(f, 100, 100), Error);
}

// [SECTION] SVG

TEST(ExportSvg, WellFormedWithOnePathPerRun) {
  Figure f = bowl_figure(48);
  f.title = "a < b & \"c\" 'd' \xce\xb8 \xff";  // markup characters, a Greek theta, an invalid byte
  f.xlabel = "x <1>";
  f.stamp = "zoscope & co";
  f.minima.push_back({0, 0});
  for (int k = 0; k < 4; ++k) {
    FigureRun r = spiral_run("run <" + std::to_string(k) + ">", 0x1f77b4 + 0x100000 * k, -0.5 + 0.3 * k, 0.2);
    r.legend_extra = "0 P & 2 FP/step";
    r.diverged = k == 2;
    r.probes = {{0.1 * k, 0.1}};
    f.runs.push_back(r);
  }
  const std::string svg = figure_render_svg(f, 800, 600);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(count_of(svg, "<path"), 4u);
  EXPECT_EQ(count_of(svg, "<path class=\"run\""), 4u);
  EXPECT_EQ(count_of(svg, "<image"), 2u);  // heatmap and colourbar
  EXPECT_NE(svg.find("data:image/png;base64,iVBORw0KGgo"), std::string::npos);
  EXPECT_NE(svg.find("a &lt; b &amp; &quot;c&quot; &apos;d&apos; \xce\xb8 \xef\xbf\xbd"), std::string::npos);
  EXPECT_NE(svg.find("<polyline"), std::string::npos);  // contours
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);

  // The checker itself catches the faults it is meant to.
  EXPECT_NE(xml_problem("<svg><g></svg>"), "");
  EXPECT_NE(xml_problem("<svg a=b/>"), "");
  EXPECT_NE(xml_problem("<svg><text>a & b</text></svg>"), "");
  EXPECT_NE(xml_problem("<svg a=\"1\" a=\"2\"/>"), "");
  EXPECT_EQ(xml_problem("<svg><text>a &amp; b</text></svg>"), "");

  Figure no_grid = f;
  no_grid.grid.clear();
  no_grid.grid_nx = no_grid.grid_ny = 0;
  const std::string plain = figure_render_svg(no_grid, 640, 480);
  EXPECT_EQ(xml_problem(plain), "");
  EXPECT_EQ(count_of(plain, "<image"), 0u);
  EXPECT_EQ(count_of(plain, "<path"), 4u);
}

// [SECTION] PNG

TEST(ExportPng, EncodeDecodesToTheSameImage) {
  Image img;
  img.w = 37;
  img.h = 19;
  img.rgba.resize(static_cast<size_t>(img.w) * img.h * 4);
  for (size_t i = 0; i < img.rgba.size(); ++i) img.rgba[i] = static_cast<uint8_t>(i * 7 + (i >> 5));
  const std::string png = png_encode(img);
  ASSERT_GE(png.size(), 8u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  int w = 0, h = 0, n = 0;
  unsigned char* data = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()), static_cast<int>(png.size()), &w, &h, &n, 4);
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(w, 37);
  EXPECT_EQ(h, 19);
  EXPECT_TRUE(std::equal(img.rgba.begin(), img.rgba.end(), data));
  stbi_image_free(data);

  Image bad;
  bad.w = 2;
  bad.h = 2;
  EXPECT_THROW(png_encode(bad), Error);
}

TEST(ExportPng, WriteIsAtomicAndNamesThePathOnFailure) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("zs_export_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Image img = figure_render_image(bowl_figure(16), 64, 48);

  const std::string good = (dir / "fig.png").string();
  png_write(good, img);
  int w = 0, h = 0, n = 0;
  unsigned char* data = stbi_load(good.c_str(), &w, &h, &n, 4);
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(w, 64);
  EXPECT_EQ(h, 48);
  stbi_image_free(data);

  // The target is a directory: the rename fails after the temporary file was written.
  const std::string blocked = (dir / "blocked").string();
  fs::create_directories(blocked);
  for (const std::string& path : {blocked, (dir / "missing" / "fig.png").string()}) {
    try {
      png_write(path, img);
      ADD_FAILURE() << "no error for " << path;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  std::set<std::string> left;
  for (const auto& entry : fs::directory_iterator(dir)) left.insert(entry.path().filename().string());
  EXPECT_EQ(left, (std::set<std::string>{"blocked", "fig.png"}));
  fs::remove_all(dir);
}

// [SECTION] a full-size scene (the interactive budget's figure)

TEST(ExportFigure, FullSceneRasterAndSvg) {
  Figure f;
  f.title = "Rosenbrock";
  f.domain[0] = -2;
  f.domain[1] = 2;
  f.domain[2] = -1;
  f.domain[3] = 3;
  f.grid_nx = f.grid_ny = 512;
  f.grid = grid_of(512, 512, f.domain, rosenbrock);
  f.log_colour = true;
  f.minima.push_back({1, 1});
  for (int k = 0; k < 8; ++k) f.runs.push_back(spiral_run("run " + std::to_string(k), 0x1f77b4 + 0x151515 * k, -1 + 0.25 * k, 1, 2000));
  const Image img = figure_render_image(f, 1600, 1200);
  EXPECT_EQ(img.w, 1600);
  const std::string svg = figure_render_svg(f, 1600, 1200);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(count_of(svg, "<path"), 8u);
}

// The exported figure fills its canvas (issue 10, item 4): at 3840x2160 the default
// scene's square-ish domain is widened to the plot's room, so the plot spans it instead of
// a square with empty bands beside it, and keeps equal aspect.
TEST(ExportFigure, FilledFigureUsesItsCanvas) {
  const Experiment e = experiment_resolve("preset:rosenbrock");
  const Scene s = scene_make(e);
  const auto runs = run_experiment(e, s, 2);
  const int W = 3840, H = 2160;
  const Figure plain = figure_make(e, s, grid_compute(s, 64, 64, 2), runs);
  const Figure filled = figure_make_filled(e, s, runs, W, H, 2);
  const auto area = [&](const Figure& f) {
    const auto r = figure_plot_rect(f, W, H);
    return r[2] * r[3] / (static_cast<double>(W) * H);
  };
  // The plain figure's plot is a square-ish box beside empty bands; the filled one spans
  // the room left of the colour bar and the legend column (measured: 0.49 of the canvas).
  EXPECT_GT(area(filled), 1.25 * area(plain)) << area(filled) << " vs " << area(plain);
  EXPECT_GT(area(filled), 0.45) << "plot " << figure_plot_rect(filled, W, H)[2] << "x" << figure_plot_rect(filled, W, H)[3];
  // Equal aspect: pixels per unit the same on both axes.
  const auto r = figure_plot_rect(filled, W, H);
  const double sx = r[2] / (filled.domain[1] - filled.domain[0]), sy = r[3] / (filled.domain[3] - filled.domain[2]);
  EXPECT_NEAR(sx / sy, 1.0, 0.01);
  // The scene's domain is inside the widened one, centred; the grid covers it.
  EXPECT_LE(filled.domain[0], s.domain[0] + 1e-12);
  EXPECT_GE(filled.domain[1], s.domain[1] - 1e-12);
  EXPECT_NEAR(filled.domain[0] + filled.domain[1], s.domain[0] + s.domain[1], 1e-9);
  EXPECT_EQ(filled.grid_nx, e.view.grid);
}

// Many runs (issue: the legend covered the paths): the default scene with 12 runs and
// Himmelblau's basins with 10, laid out as the app's view lays them out in a 1024 x 700
// window (plot room about 450 x 540, style scale 1) and at the view size of a 1600 x 1000
// window: the legend hides no path, start / end marker or minimum, and names every run.
Experiment with_extra_runs(const std::string& preset, const std::vector<std::string>& optimizers) {
  Experiment e = experiment_resolve(preset);
  for (const std::string& id : optimizers) {
    RunSpec r;
    r.optimizer = id;
    r.label = optimizer_find(id)->display;
    r.colour = default_run_colour(static_cast<int>(e.runs.size()));
    e.runs.push_back(r);
  }
  return e;
}

// Pixels of path (sampled along each segment) and markers inside the plan's legend box.
double legend_hides(const FigurePlan& pl) {
  const fig::Box& b = pl.legend_box;
  const auto in = [&](double x, double y) { return x > b.x && x < b.r() && y > b.y && y < b.b(); };
  double hidden = 0;
  for (const fig::RunGeometry& g : pl.geo) {
    for (const Polyline& piece : g.pieces)
      for (size_t i = 1; i < piece.size(); ++i) {
        const double len = std::hypot(piece[i][0] - piece[i - 1][0], piece[i][1] - piece[i - 1][1]);
        for (int k = 0; k < 16; ++k) {
          const double t = (k + 0.5) / 16;
          if (in(piece[i - 1][0] + t * (piece[i][0] - piece[i - 1][0]), piece[i - 1][1] + t * (piece[i][1] - piece[i - 1][1])))
            hidden += len / 16;
        }
      }
    if (g.has_ends) hidden += 1e4 * (in(g.first[0], g.first[1]) + in(g.last[0], g.last[1]));
  }
  return hidden;
}

TEST(ExportFigure, ManyRunsPutTheLegendOutsideThePaths) {
  const Experiment scenes[2] = {
      with_extra_runs("preset:rosenbrock", {"zo_sgd_sign", "meazo", "r_adazo", "fzoo"}),
      with_extra_runs("preset:himmelblau_basins", {"mezo", "zo_sgd_sign", "sgd_momentum", "meazo"})};
  for (const Experiment& e : scenes) {
    const Scene s = scene_make(e);
    const auto runs = run_experiment(e, s, 2);
    for (const auto& [W, H] : {std::pair{450, 540}, std::pair{860, 800}}) {
      SCOPED_TRACE(e.name + " at " + std::to_string(W) + "x" + std::to_string(H));
      FigureOptions opt;
      opt.style_scale = 1;
      opt.dark = true;
      opt.fill = true;
      const Figure f = figure_make_filled(e, s, runs, W, H, 2, nullptr, opt);
      const FigurePlan pl = figure_plan(f, W, H, opt);
      ASSERT_GT(pl.legend_box.w, 0);
      EXPECT_EQ(legend_hides(pl), 0) << "legend at " << pl.legend_box.x << "," << pl.legend_box.y << " " << pl.legend_box.w
                                     << "x" << pl.legend_box.h;
      for (const auto& m : f.minima) {
        const double mx = pl.map.px(m[0]), my = pl.map.py(m[1]);
        EXPECT_FALSE(mx > pl.legend_box.x && mx < pl.legend_box.r() && my > pl.legend_box.y && my < pl.legend_box.b());
      }
      // The former rule kept it inside, where it hid paths or markers (these scenes are hard).
      FigureOptions inside = opt;
      inside.legend_at = LegendAt::inside;
      const FigurePlan old = figure_plan(figure_make_filled(e, s, runs, W, H, 2, nullptr, inside), W, H, inside);
      std::printf("%s %dx%d: legend %s, hides %.0f px, plot %.0fx%.0f; inside it would hide %.0f px, plot %.0fx%.0f\n",
                  e.name.c_str(), W, H, pl.legend_at == LegendAt::inside ? "inside" : pl.legend_at == LegendAt::below ? "below" : "right",
                  legend_hides(pl), pl.lay.plot.w, pl.lay.plot.h, legend_hides(old), old.lay.plot.w, old.lay.plot.h);
      if (W < 600) {
        EXPECT_GT(legend_hides(old), 0);
      }
      // Readable: every run named, within the page.
      EXPECT_FALSE(pl.legend.swatches);
      EXPECT_TRUE(pl.legend.more.empty());
      EXPECT_EQ(pl.legend.entries.size(), e.runs.size());
      EXPECT_GE(pl.legend_box.x, 0);
      EXPECT_LE(pl.legend_box.r(), W);
      EXPECT_LE(pl.legend_box.b(), H);
      // The plot keeps a fair share of the page (about 0.5 with the legend inside).
      EXPECT_GT(pl.lay.plot.w * pl.lay.plot.h, 0.25 * W * H);
    }
  }
}

}  // namespace
}  // namespace zs
