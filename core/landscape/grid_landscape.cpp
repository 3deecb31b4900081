// A landscape tabulated on a grid (see grid_landscape.h).
#include "core/landscape/grid_landscape.h"
#include <algorithm>
#include <cmath>
#include "core/util/error.h"

namespace zs {
namespace {

class GridLandscape : public Landscape {
 public:
  GridLandscape(int nx, int ny, const double domain[4], std::vector<float> v, const std::string& display)
      : nx_(nx), ny_(ny), v_(std::move(v)) {
    std::copy(domain, domain + 4, d_);
    info_.id = "grid";
    info_.display = display;
    info_.dim = 2;
    std::copy(domain, domain + 4, info_.view);
    info_.starts = {{0.0, 0.0}};
    info_.min_value = NAN;  // a tabulated slice says nothing about the function's minimum
    info_.smooth = false;
  }
  double value(const double* x) const override {
    // Bilinear interpolation between the four nodes around x (clamped to the grid).
    const double fx = std::clamp((x[0] - d_[0]) / (d_[1] - d_[0]) * (nx_ - 1), 0.0, nx_ - 1.0);
    const double fy = std::clamp((x[1] - d_[2]) / (d_[3] - d_[2]) * (ny_ - 1), 0.0, ny_ - 1.0);
    const int i = std::min(static_cast<int>(fx), nx_ - 2), j = std::min(static_cast<int>(fy), ny_ - 2);
    const double u = fx - i, w = fy - j;
    const auto at = [&](int a, int b) { return static_cast<double>(v_[static_cast<size_t>(b) * nx_ + a]); };
    return (1 - w) * ((1 - u) * at(i, j) + u * at(i + 1, j)) + w * ((1 - u) * at(i, j + 1) + u * at(i + 1, j + 1));
  }
  void gradient(const double* x, double* g) const override {
    gradient_central(*this, x, g, 1e-3 * std::max(d_[1] - d_[0], d_[3] - d_[2]));
  }
  std::unique_ptr<Landscape> clone() const override { return std::make_unique<GridLandscape>(*this); }

 private:
  int nx_, ny_;
  double d_[4];
  std::vector<float> v_;
};

}  // namespace

std::unique_ptr<Landscape> landscape_from_grid(int nx, int ny, const double domain[4], std::vector<float> values,
                                               const std::string& display) {
  if (nx < 2 || ny < 2) fail("grid landscape", "needs at least 2 x 2 nodes, got " + std::to_string(nx) + " x " + std::to_string(ny));
  if (values.size() != static_cast<size_t>(nx) * static_cast<size_t>(ny))
    fail("grid landscape", "expected " + std::to_string(nx * ny) + " values, got " + std::to_string(values.size()));
  if (!(domain[1] > domain[0]) || !(domain[3] > domain[2])) fail("grid landscape", "empty domain");
  return std::make_unique<GridLandscape>(nx, ny, domain, std::move(values), display);
}

}  // namespace zs
