// Perceptually uniform colormaps (matplotlib's viridis/magma/inferno/plasma/cividis, CC0,
// sampled at control points and interpolated linearly) plus a grey ramp. Shared by the
// CPU exporter and the GUI (uploaded as a 256-texel lookup texture).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace zs {

const std::vector<std::string>& colormap_names();
bool colormap_known(const std::string& name);
// t in [0, 1] (clamped) -> 0xRRGGBB.
uint32_t colormap_rgb(const std::string& name, double t);
// 256 entries, for lookup textures.
std::vector<uint32_t> colormap_table(const std::string& name);

}  // namespace zs
