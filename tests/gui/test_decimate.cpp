// decimate_polyline (core/export/decimate.h, the one simplifier of the figure, the view
// and the plots): the simplified path stays within the tolerance of the
// original both ways, keeps its endpoints, only keeps original points, and is much
// shorter for the sub-pixel steps that long ZO runs make.
#include <gtest/gtest.h>
#include <imgui.h>
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>
#include "app/gui/landscape_gl.h"
#include "app/gui/overlay.h"
#include "core/export/decimate.h"

namespace zs::gui::test {

namespace {

float dist_to_segment(ImVec2 p, ImVec2 a, ImVec2 b) {
  const double dx = b.x - a.x, dy = b.y - a.y, l2 = dx * dx + dy * dy;
  const double t = l2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / l2, 0.0, 1.0) : 0.0;
  return static_cast<float>(std::hypot(a.x + t * dx - p.x, a.y + t * dy - p.y));
}

float dist_to_polyline(ImVec2 p, const std::vector<ImVec2>& pl) {
  if (pl.size() == 1) return std::hypot(p.x - pl[0].x, p.y - pl[0].y);
  float d = 1e30f;
  for (size_t i = 1; i < pl.size(); ++i) d = std::min(d, dist_to_segment(p, pl[i - 1], pl[i]));
  return d;
}

// Both directions of the Hausdorff distance, the decimated side sampled along its
// segments; plus endpoints and "every kept point is an original point, in order".
void expect_faithful(const std::vector<ImVec2>& orig, const std::vector<ImVec2>& dec, float tol) {
  ASSERT_FALSE(dec.empty());
  EXPECT_EQ(dec.front().x, orig.front().x);
  EXPECT_EQ(dec.front().y, orig.front().y);
  EXPECT_EQ(dec.back().x, orig.back().x);
  EXPECT_EQ(dec.back().y, orig.back().y);
  size_t j = 0;
  for (const ImVec2& q : dec) {
    while (j < orig.size() && (orig[j].x != q.x || orig[j].y != q.y)) ++j;
    ASSERT_LT(j, orig.size()) << "a kept point is not an original point in order";
  }
  const float slack = 1e-3f;
  float worst = 0;
  for (const ImVec2& p : orig) worst = std::max(worst, dist_to_polyline(p, dec));
  EXPECT_LE(worst, tol + slack) << "an original point is off the decimated path";
  worst = 0;
  for (size_t i = 1; i < dec.size(); ++i)
    for (int k = 0; k <= 4; ++k) {
      const float t = k / 4.f;
      const ImVec2 p(dec[i - 1].x + t * (dec[i].x - dec[i - 1].x), dec[i - 1].y + t * (dec[i].y - dec[i - 1].y));
      worst = std::max(worst, dist_to_polyline(p, orig));
    }
  EXPECT_LE(worst, tol + slack) << "the decimated path leaves the original";
}

}  // namespace

TEST(DecimatePolyline, SmoothSubPixelStepsCollapseWithinHalfAPixel) {
  // A spiral in 4,000 steps of about 0.2 px, as a converging run looks on screen.
  std::vector<ImVec2> pts;
  for (int i = 0; i < 4000; ++i) {
    const float t = i * 0.004f, r = 300.f * std::exp(-0.15f * t);
    pts.emplace_back(400 + r * std::cos(t), 300 + r * std::sin(t));
  }
  std::vector<ImVec2> dec = pts;
  decimate_polyline(dec, 0.5f);
  expect_faithful(pts, dec, 0.5f);
  EXPECT_LT(dec.size(), pts.size() / 10);
}

TEST(DecimatePolyline, NoisyZigzagsKeepVisibleTurns) {
  // A random walk with a drift: steps of a few pixels keep their turns, sub-pixel jitter
  // does not. Several seeds and tolerances.
  for (unsigned seed : {1u, 2u, 3u}) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> n01(0.f, 1.f);
    for (float step : {0.3f, 3.f}) {
      std::vector<ImVec2> pts{ImVec2(100, 100)};
      for (int i = 0; i < 800; ++i)
        pts.emplace_back(pts.back().x + 0.05f + step * n01(rng), pts.back().y + step * n01(rng));
      for (float tol : {0.5f, 1.f}) {
        std::vector<ImVec2> dec = pts;
        decimate_polyline(dec, tol);
        expect_faithful(pts, dec, tol);
        EXPECT_LT(dec.size(), pts.size());
      }
    }
  }
}

TEST(DecimatePolyline, TurnBackAndEdgeCasesAreKept) {
  // Out and back along a line: the far end must stay (a chord from start to end would
  // lie within 0.5 px of the line but not reach the tip).
  std::vector<ImVec2> pts;
  for (int i = 0; i <= 100; ++i) pts.emplace_back(static_cast<float>(i), 0);
  for (int i = 99; i >= 10; --i) pts.emplace_back(static_cast<float>(i), 0.1f);
  std::vector<ImVec2> dec = pts;
  decimate_polyline(dec, 0.5f);
  expect_faithful(pts, dec, 0.5f);
  EXPECT_TRUE(std::any_of(dec.begin(), dec.end(), [](ImVec2 p) { return p.x == 100; }));
  // Repeated points, two points, one point, none.
  std::vector<ImVec2> same(50, ImVec2(3, 4));
  decimate_polyline(same, 0.5f);
  EXPECT_LE(same.size(), 3u);  // a chord replaces a bounded number of points
  std::vector<ImVec2> two{ImVec2(0, 0), ImVec2(0.1f, 0)}, one{ImVec2(1, 1)}, none;
  decimate_polyline(two, 0.5f);
  decimate_polyline(one, 0.5f);
  decimate_polyline(none, 0.5f);
  EXPECT_EQ(two.size(), 2u);
  EXPECT_EQ(one.size(), 1u);
  EXPECT_TRUE(none.empty());
}

// At 800x500 the landscape legend covered most of the view: it collapses to labels, then
// to colour swatches, when its box would take more than 60% of the width or half the height.
TEST(LandscapeProbes, MagnificationBringsProbesOutToTheMinimumDistance) {
  EXPECT_EQ(probe_magnification(30, 24), 1);
  EXPECT_EQ(probe_magnification(24, 24), 1);
  EXPECT_EQ(probe_magnification(0.3f, 24), 100);
  EXPECT_EQ(probe_magnification(0.0024f, 24), 10000);
  EXPECT_EQ(probe_magnification(0, 24), 1);
  EXPECT_EQ(probe_magnification(NAN, 24), 1);
}

// Yellow paths vanished on viridis's yellow end: a run colour the colormap also has gets
// a contrasting halo; one far from every colormap colour gets none.
TEST(LandscapePaths, RunColoursNearTheColormapGetAContrastingHalo) {
  const PathHalo yellow = path_halo(0xF0E442, "viridis");
  ASSERT_GT(yellow.alpha, 0);
  EXPECT_LT((yellow.rgb & 0xff), 60u);  // dark under a light colour
  EXPECT_EQ(path_halo(0xD62728, "viridis").alpha, 0);  // red: no viridis colour is near
  EXPECT_EQ(path_halo(0xF0E442, "no such map").alpha, 0);
}

// The 3-D mesh follows the view's pixel size (one vertex per 6 px of the shorter side):
// a 3-D frame drew 256 x 256 vertices whatever the view, 10x the 2-D frame on llvmpipe.
TEST(SurfaceMesh, SideFollowsThePixelSize) {
  EXPECT_EQ(surface_mesh_side(620, 560), 93);
  EXPECT_EQ(surface_mesh_side(3840, 2160), SurfaceRenderer::kMaxMesh);
  EXPECT_EQ(surface_mesh_side(100, 80), 32);
}

}  // namespace zs::gui::test
