// Contour lines by marching squares on a regular grid (Lorensen & Cline 1987, 2-D case),
// and level selection (linear or log-spaced between the grid's extremes).
#pragma once
#include <array>
#include <vector>

namespace zs {

using Polyline = std::vector<std::array<double, 2>>;

// grid: nx*ny values, row-major, row 0 at y0; returns polylines in domain coordinates
// (domain = x0, x1, y0, y1), joined into maximal chains.
std::vector<Polyline> contour_lines(const std::vector<float>& grid, int nx, int ny, const double domain[4],
                                    double level);
// n levels spread over [lo, hi] of the finite grid values, log-spaced when log_scale.
std::vector<double> contour_levels(const std::vector<float>& grid, int n, bool log_scale);
// The same n levels for a given colour scale (evenly spaced in colour coordinate).
struct ColourScale;
std::vector<double> contour_levels(const ColourScale& scale, int n);

}  // namespace zs
