// A 2-D landscape tabulated on a grid: bilinear between nodes, central-difference
// gradient. The app shows a language model's loss on a plane (core/llm/torch/live.h) this
// way, so the heatmap, contours, 3-D surface, hover read-out and figure export of
// landscapes draw it unchanged.
#pragma once
#include <memory>
#include <string>
#include <vector>
#include "core/landscape/landscape.h"

namespace zs {

// nx * ny values, row-major, row 0 at y = domain[2]; domain = x0, x1, y0, y1. Non-finite
// nodes (not evaluated yet) read as NaN. zs::Error for a size below 2 x 2 or a value count
// that does not match.
std::unique_ptr<Landscape> landscape_from_grid(int nx, int ny, const double domain[4], std::vector<float> values,
                                               const std::string& display);

}  // namespace zs
