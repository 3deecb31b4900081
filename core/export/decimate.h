// The polyline simplifiers for everything drawn in pixels: the exported figure
// (figure.cpp), the app's landscape view (which draws core's figure), the live plots
// (app/gui/plot.cpp) and the exported plots (line_chart.cpp).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace zs {

// Screen-space simplification of a polyline for drawing: keeps the first and last point
// and, between kept points, drops every point that lies within `tol` pixels of the chord
// replacing it (so the result stays within `tol` of the original and vice versa). Long
// smooth stretches collapse to a few segments; zigzags keep every turn. In place. P is any
// point type with p[0], p[1] (std::array<double, 2>, ImVec2).
template <class P>
void decimate_polyline(std::vector<P>& pts, double tol = 0.5) {
  if (pts.size() <= 2) return;
  const auto near2 = [](const P& p, const P& q) {
    const double dx = double(p[0]) - q[0], dy = double(p[1]) - q[1];
    return dx * dx + dy * dy;
  };
  // First, points within tol / 4 of the last point kept go (a converged run piles
  // thousands onto one pixel; this pass is cheap); the chord pass below then works to
  // 3 tol / 4. A dropped point is within tol / 4 of a kept one, which is within 3 tol / 4
  // of the result, and each result segment stays as close to the original: tol overall.
  {
    const double r2 = tol * tol / 16;
    size_t out = 1;
    for (size_t i = 1; i + 1 < pts.size(); ++i)
      if (near2(pts[i], pts[out - 1]) >= r2) pts[out++] = pts[i];
    pts[out++] = pts.back();
    pts.resize(out);
  }
  const size_t n = pts.size();
  if (n <= 2) return;
  const double t2 = 0.5625 * tol * tol;  // (3 tol / 4)^2
  const auto dist2 = [](const P& p, const P& a, const P& b) {
    const double dx = double(b[0]) - a[0], dy = double(b[1]) - a[1], l2 = dx * dx + dy * dy;
    const double t = l2 > 0 ? std::clamp(((p[0] - double(a[0])) * dx + (p[1] - double(a[1])) * dy) / l2, 0.0, 1.0) : 0.0;
    const double ex = a[0] + t * dx - p[0], ey = a[1] + t * dy - p[1];
    return ex * ex + ey * ey;
  };
  // A chord replaces at most this many points: bounds the work per point (a long straight
  // stretch then costs a vertex every kWindow points, which is still few).
  constexpr size_t kWindow = 16;
  // pts[0, out) are the kept points; the last of them, the anchor, is pts[a] of the input.
  // Kept points are written at or before a and only points after a are read: in place.
  size_t out = 1, a = 0;
  P anchor = pts[0];
  for (size_t j = 2; j < n; ++j) {
    // Can the chord anchor -> pts[j] replace pts[a + 1 .. j - 1]? Most recent first: a
    // turn just made is the likeliest to fail.
    bool ok = j - a <= kWindow;
    for (size_t k = j - 1; ok && k > a; --k) ok = dist2(pts[k], anchor, pts[j]) <= t2;
    if (!ok) {
      a = j - 1;
      anchor = pts[a];
      pts[out++] = anchor;
    }
  }
  pts[out++] = pts[n - 1];
  pts.resize(out);
}

// Per pixel column (floor of x), the column's lowest and highest point in the order they
// occur: a noisy curve of many more points than columns keeps its envelope with at most
// two vertices a column. Points must come in ascending x; those left of x_min or right of
// x_max share the edge's column (off the plot, clipped anyway). In place.
template <class P>
void decimate_columns(std::vector<P>& pts, double x_min = -1e300, double x_max = 1e300) {
  const auto column = [&](const P& p) { return std::floor(std::clamp(double(p[0]), x_min, x_max)); };
  size_t out = 0, i = 0;
  while (i < pts.size()) {
    const double col = column(pts[i]);
    size_t lo = i, hi = i, j = i + 1;
    for (; j < pts.size() && column(pts[j]) == col; ++j) {
      if (pts[j][1] < pts[lo][1]) lo = j;
      if (pts[j][1] > pts[hi][1]) hi = j;
    }
    const P a = pts[std::min(lo, hi)], b = pts[std::max(lo, hi)];
    pts[out++] = a;
    if (lo != hi) pts[out++] = b;
    i = j;
  }
  pts.resize(out);
}

}  // namespace zs
