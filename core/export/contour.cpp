// Marching squares (the 2-D case of Lorensen & Cline 1987): each grid cell with corners on
// both sides of the level gets one segment (two for a saddle, split by the cell-centre
// average), with end points linearly interpolated on the cell edges. Segments are joined
// through the edges they share into maximal polylines; closed ones end at their start.
#include "core/export/contour.h"
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include "core/export/colormap.h"

namespace zs {

namespace {

// An edge of the grid: horizontal edges between nodes (i, j) and (i+1, j) have id
// 2 * (j * nx + i), vertical ones between (i, j) and (i, j+1) have that id + 1.
struct Segment {
  int a, b;  // edge ids
};

}  // namespace

std::vector<Polyline> contour_lines(const std::vector<float>& grid, int nx, int ny, const double domain[4],
                                    double level) {
  std::vector<Polyline> out;
  if (nx < 2 || ny < 2 || grid.size() != static_cast<size_t>(nx) * ny || !std::isfinite(level)) return out;
  const auto at = [&](int i, int j) { return static_cast<double>(grid[static_cast<size_t>(j) * nx + i]); };
  const double dx = (domain[1] - domain[0]) / (nx - 1), dy = (domain[3] - domain[2]) / (ny - 1);
  const auto edge_point = [&](int id) -> std::array<double, 2> {
    const int node = id >> 1, i = node % nx, j = node / nx;
    const int i2 = (id & 1) ? i : i + 1, j2 = (id & 1) ? j + 1 : j;
    const double va = at(i, j), vb = at(i2, j2);
    const double f = va == vb ? 0.5 : (level - va) / (vb - va);
    return {domain[0] + (i + f * (i2 - i)) * dx, domain[2] + (j + f * (j2 - j)) * dy};
  };

  // Per-node flags, two rows at a time: 1 = above the level, 2 = not finite.
  const auto row_flags = [&](int j, std::vector<uint8_t>& f) {
    for (int i = 0; i < nx; ++i) {
      const double v = at(i, j);
      f[i] = std::isfinite(v) ? static_cast<uint8_t>(v > level) : 2;
    }
  };
  std::vector<uint8_t> lo_row(nx), hi_row(nx);
  row_flags(0, hi_row);
  std::vector<Segment> segs;
  for (int j = 0; j + 1 < ny; ++j) {
    std::swap(lo_row, hi_row);
    row_flags(j + 1, hi_row);
    for (int i = 0; i + 1 < nx; ++i) {
      const int f0 = lo_row[i], f1 = lo_row[i + 1], f2 = hi_row[i + 1], f3 = hi_row[i];
      const int c = f0 | f1 << 1 | f2 << 2 | f3 << 3;
      if (c == 0 || c == 15 || ((f0 | f1 | f2 | f3) & 2)) continue;  // no crossing, or a missing corner
      const double v0 = at(i, j), v1 = at(i + 1, j), v2 = at(i + 1, j + 1), v3 = at(i, j + 1);
      const int bottom = 2 * (j * nx + i), top = 2 * ((j + 1) * nx + i);
      const int left = bottom + 1, right = 2 * (j * nx + i + 1) + 1;
      switch (c) {
        case 1: case 14: segs.push_back({left, bottom}); break;
        case 2: case 13: segs.push_back({bottom, right}); break;
        case 3: case 12: segs.push_back({left, right}); break;
        case 4: case 11: segs.push_back({right, top}); break;
        case 6: case 9: segs.push_back({bottom, top}); break;
        case 7: case 8: segs.push_back({left, top}); break;
        case 5: case 10: {
          // Saddle: the centre value decides whether the two high corners connect.
          const bool centre_high = (v0 + v1 + v2 + v3) * 0.25 > level;
          const bool corner0_high = c == 5;
          if (centre_high == corner0_high) {
            segs.push_back({left, top});
            segs.push_back({bottom, right});
          } else {
            segs.push_back({left, bottom});
            segs.push_back({right, top});
          }
          break;
        }
        default: break;
      }
    }
  }
  if (segs.empty()) return out;

  // Each edge is shared by at most two cells, so it touches at most two segments. A hash
  // map over the crossed edges only: a full per-edge table would cost more than the scan.
  std::unordered_map<int, std::array<int, 2>> link;
  link.reserve(2 * segs.size());
  for (int s = 0; s < static_cast<int>(segs.size()); ++s) {
    for (int e : {segs[s].a, segs[s].b}) {
      auto [it, fresh] = link.try_emplace(e, std::array<int, 2>{s, -1});
      if (!fresh) it->second[1] = s;
    }
  }
  const auto other_segment = [&](int edge, int s) {
    const std::array<int, 2>& slot = link.find(edge)->second;
    return slot[0] == s ? slot[1] : slot[0];
  };
  const auto push_point = [&](Polyline& line, int edge) {
    const std::array<double, 2> p = edge_point(edge);
    if (line.empty() || line.back() != p) line.push_back(p);
  };

  std::vector<char> used(segs.size(), 0);
  std::vector<int> back_edges;
  for (int s0 = 0; s0 < static_cast<int>(segs.size()); ++s0) {
    if (used[s0]) continue;
    used[s0] = 1;
    // Walk forward from the segment's b end, then backward from its a end unless closed.
    std::vector<int> fwd = {segs[s0].a, segs[s0].b};
    bool closed = false;
    for (int s = s0, e = segs[s0].b;;) {
      const int n = other_segment(e, s);
      if (n < 0) break;
      if (n == s0) {
        closed = true;
        break;
      }
      used[n] = 1;
      e = segs[n].a == e ? segs[n].b : segs[n].a;
      s = n;
      fwd.push_back(e);
    }
    back_edges.clear();
    if (!closed) {
      for (int s = s0, e = segs[s0].a;;) {
        const int n = other_segment(e, s);
        if (n < 0 || used[n]) break;
        used[n] = 1;
        e = segs[n].a == e ? segs[n].b : segs[n].a;
        s = n;
        back_edges.push_back(e);
      }
    }
    Polyline line;
    for (auto it = back_edges.rbegin(); it != back_edges.rend(); ++it) push_point(line, *it);
    for (int e : fwd) push_point(line, e);
    if (closed && line.size() > 1 && line.back() != line.front()) line.push_back(line.front());
    if (line.size() >= 2) out.push_back(std::move(line));
  }
  return out;
}

std::vector<double> contour_levels(const std::vector<float>& grid, int n, bool log_scale) {
  return contour_levels(colour_scale(grid, log_scale), n);
}

std::vector<double> contour_levels(const ColourScale& scale, int n) {
  std::vector<double> levels;
  if (n <= 0 || !(scale.hi > scale.lo)) return levels;
  // Interior levels, evenly spaced in colour coordinate: the extremes themselves would
  // only trace single points.
  for (int k = 0; k < n; ++k) levels.push_back(scale.value_at((k + 1.0) / (n + 1)));
  return levels;
}

}  // namespace zs
