// Colormaps as control points (index into matplotlib's 256-entry table, 0xRRGGBB) chosen
// so that linear interpolation in sRGB stays within 1.5/255 per channel of matplotlib's
// table (matplotlib's _cm_listed data, CC0, by van der Walt, Smith and Nunez). Plus the
// ColourScale documented in colormap.h.
#include "core/export/colormap.h"
#include "core/export/ticks.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include "core/util/error.h"

namespace zs {

namespace {

struct Knot {
  int index;  // 0..255
  uint32_t rgb;
};

struct Colormap {
  const char* name;
  std::vector<Knot> knots;
};

const std::vector<Colormap>& colormaps() {
  static const std::vector<Colormap> maps = {
      {"viridis",
       {{0, 0x440154}, {14, 0x481668}, {29, 0x482979}, {44, 0x443b84}, {57, 0x3e4a89}, {90, 0x2e6d8e},
        {129, 0x20928c}, {143, 0x1f9f88}, {154, 0x23a983}, {162, 0x2ab07f}, {170, 0x35b779}, {188, 0x56c667},
        {208, 0x84d44b}, {231, 0xc0df25}, {238, 0xd2e21b}, {242, 0xdde318}, {246, 0xe7e419}, {250, 0xf1e51d},
        {255, 0xfde725}}},
      {"magma",
       {{0, 0x000004}, {4, 0x020109}, {13, 0x07061c}, {29, 0x19103f}, {38, 0x251255}, {47, 0x341069},
        {54, 0x400f74}, {61, 0x4c117a}, {81, 0x6b1d81}, {107, 0x942c80}, {129, 0xb83779}, {152, 0xdc4869},
        {164, 0xeb5760}, {175, 0xf4695c}, {184, 0xf9795d}, {194, 0xfc8c63}, {207, 0xfea571}, {221, 0xfebf84},
        {236, 0xfdda9c}, {255, 0xfcfdbf}}},
      {"inferno",
       {{0, 0x000004}, {4, 0x02010a}, {11, 0x060419}, {18, 0x0d0829}, {29, 0x1c0c43}, {37, 0x290b55},
        {43, 0x340a5f}, {56, 0x4a0c6b}, {73, 0x65156e}, {89, 0x7f1e6c}, {106, 0x9a2865}, {123, 0xb43359},
        {143, 0xd04545}, {156, 0xe05536}, {172, 0xef6c23}, {192, 0xf98e09}, {197, 0xfb9706}, {201, 0xfc9f07},
        {206, 0xfca80d}, {213, 0xfbb61a}, {228, 0xf7d340}, {236, 0xf3e35a}, {244, 0xf1f179}, {250, 0xf5f992},
        {255, 0xfcffa4}}},
      {"plasma",
       {{0, 0x0d0887}, {4, 0x19068c}, {11, 0x280592}, {33, 0x4e02a2}, {52, 0x6c00a8}, {63, 0x7d03a8},
        {71, 0x8808a6}, {88, 0xa01a9c}, {111, 0xbb3488}, {134, 0xd14e72}, {170, 0xed7953}, {202, 0xfca338},
        {216, 0xfeb82c}, {226, 0xfdc827}, {236, 0xfad824}, {251, 0xf2f227}, {255, 0xf0f921}}},
      {"cividis",
       {{0, 0x00224e}, {19, 0x00306f}, {21, 0x003170}, {23, 0x013271}, {28, 0x123570}, {34, 0x1e3a6f},
        {52, 0x36466c}, {84, 0x565c6d}, {126, 0x7b7a78}, {147, 0x8f8a78}, {179, 0xaea371}, {205, 0xc9b965},
        {219, 0xd9c55c}, {232, 0xe7d150}, {243, 0xf3db42}, {251, 0xfde334}, {255, 0xfee838}}},
      {"grey", {{0, 0x000000}, {255, 0xffffff}}},
  };
  return maps;
}

[[noreturn]] void unknown_colormap(const std::string& name, const std::string& where) {
  std::string known;
  for (const Colormap& m : colormaps()) known.append(known.empty() ? "" : ", ").append(m.name);
  fail(where, "unknown colormap '" + name + "' (known: " + known + ")");
}

const Colormap& colormap_find(const std::string& name) {
  for (const Colormap& m : colormaps())
    if (name == m.name) return m;
  unknown_colormap(name, "colormap");
}

uint32_t knots_rgb(const std::vector<Knot>& knots, double t) {
  if (!(t > 0)) return knots.front().rgb;  // also NaN
  if (t >= 1) return knots.back().rgb;
  const double x = t * 255;
  size_t k = 1;
  while (knots[k].index < x) ++k;
  const Knot& a = knots[k - 1];
  const Knot& b = knots[k];
  const double f = (x - a.index) / (b.index - a.index);
  uint32_t out = 0;
  for (int shift = 16; shift >= 0; shift -= 8) {
    const double ca = (a.rgb >> shift) & 0xff, cb = (b.rgb >> shift) & 0xff;
    out |= static_cast<uint32_t>(std::lround(ca + (cb - ca) * f)) << shift;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& colormap_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const Colormap& m : colormaps()) n.push_back(m.name);
    return n;
  }();
  return names;
}

bool colormap_known(const std::string& name) {
  for (const Colormap& m : colormaps())
    if (name == m.name) return true;
  return false;
}

void colormap_check(const std::string& name, const std::string& where) {
  if (!colormap_known(name)) unknown_colormap(name, where);
}

uint32_t colormap_rgb(const std::string& name, double t) { return knots_rgb(colormap_find(name).knots, t); }

std::vector<uint32_t> colormap_table(const std::string& name) {
  const Colormap& m = colormap_find(name);
  std::vector<uint32_t> table(256);
  for (int i = 0; i < 256; ++i) table[i] = knots_rgb(m.knots, i / 255.0);
  return table;
}

double ColourScale::colour_value(double v) const {
  if (std::isnan(v)) return v;
  if (!(hi > lo)) return 0.5;
  double t;
  if (log) {
    const double c = std::log10(std::max(v - lo, 0.0) + shift);
    t = (c - std::log10(shift)) / (std::log10(hi - lo + shift) - std::log10(shift));
  } else {
    t = (v - lo) / (hi - lo);
  }
  return std::clamp(t, 0.0, 1.0);
}

std::vector<float> ColourScale::colour_values(const std::vector<float>& data) const {
  std::vector<float> out(data.size());
  if (!(hi > lo)) {
    for (size_t i = 0; i < data.size(); ++i) out[i] = std::isnan(data[i]) ? NAN : 0.5f;
    return out;
  }
  // Same formulas as colour_value: t = (c(v) - c(lo)) / (c(hi) - c(lo)).
  const double c0 = log ? std::log10(shift) : lo;
  const double inv = 1 / ((log ? std::log10(hi - lo + shift) : hi) - c0);
  for (size_t i = 0; i < data.size(); ++i) {
    const double v = data[i];
    if (std::isnan(v)) {
      out[i] = NAN;
      continue;
    }
    const double c = log ? std::log10(std::max(v - lo, 0.0) + shift) : v;
    out[i] = static_cast<float>(std::clamp((c - c0) * inv, 0.0, 1.0));
  }
  return out;
}

double ColourScale::value_at(double t) const {
  t = std::clamp(t, 0.0, 1.0);
  if (!(hi > lo)) return lo;
  if (!log) return lo + t * (hi - lo);
  const double c0 = std::log10(shift), c1 = std::log10(hi - lo + shift);
  return lo + std::pow(10.0, c0 + t * (c1 - c0)) - shift;
}

ColourScale colour_scale(const std::vector<float>& data, bool log) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (float v : data) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, static_cast<double>(v));
    hi = std::max(hi, static_cast<double>(v));
  }
  ColourScale s;
  if (lo <= hi) {
    s.lo = lo;
    s.hi = hi;
  }
  s.log = log;
  s.shift = s.hi > s.lo ? ColourScale::kLogShift * (s.hi - s.lo) : 1;
  if (log && s.hi > s.lo) {
    // The floor follows the grid's distribution: the 1% quantile of the heights above the
    // minimum, so that the lowest percent of the grid (a basin) still spans colours and
    // contours. Never above the fixed floor (kLogShift of the range, which paints a narrow
    // basin in one colour: adamezo_beale), never below float resolution of the values.
    std::vector<float> h;
    h.reserve(data.size());
    for (float v : data)
      if (std::isfinite(v) && v > lo) h.push_back(static_cast<float>(v - lo));
    if (!h.empty()) {
      const size_t k = h.size() / 100;
      std::nth_element(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(k), h.end());
      const double res = std::max(ColourScale::kLogShiftMin * (s.hi - s.lo), 1e-6 * std::fabs(s.lo));
      s.shift = std::clamp(static_cast<double>(h[k]), res, s.shift);
    }
  }
  return s;
}

std::vector<ColourBarTick> colour_bar_ticks(const ColourScale& sc, double length, double spacing, double min_gap) {
  std::vector<ColourBarTick> out;
  if (!(sc.hi > sc.lo)) {
    // A flat grid (a LoRA model's random plane): one tick with four significant digits, as
    // the caption's offset; a float's nine digits ("0.861272812") read as noise.
    char four[32];
    std::snprintf(four, sizeof four, "%.4g", sc.lo);
    out.push_back({0.5, std::strtod(four, nullptr), true});
    return out;
  }
  if (!sc.log) {
    std::vector<double> t;
    for (int target = std::clamp(static_cast<int>(length / spacing) + 1, 2, 10);; --target) {
      t = nice_ticks(sc.lo, sc.hi, target);
      if (target == 2 || t.size() < 2 || length * (t[1] - t[0]) / (sc.hi - sc.lo) >= min_gap) break;
    }
    for (double v : t) out.push_back({sc.colour_value(v), v, true});
    return out;
  }
  const double dlo = sc.shift, dhi = sc.hi - sc.lo;
  const std::vector<double> major = log_ticks(dlo, dhi);
  for (double d : major) out.push_back({sc.colour_value(sc.lo + d), d, true});
  const bool decades = major.size() >= 2 && std::fabs(major[1] / major[0] - 10) < 1e-6;
  if (decades && std::log10(dhi / dlo) <= 6) {
    for (double e = std::floor(std::log10(dlo)); e <= std::ceil(std::log10(dhi)); e += 1)
      for (int k = 2; k <= 9; ++k) {
        const double d = k * std::pow(10.0, e);
        if (d >= dlo && d <= dhi) out.push_back({sc.colour_value(sc.lo + d), d, false});
      }
  }
  return out;
}

std::string colour_bar_caption(const ColourScale& sc, const std::string& name, const std::string& minus) {
  if (!(sc.log && sc.hi > sc.lo && std::fabs(sc.lo) >= sc.shift)) return name;
  char four[32];  // four significant digits: a caption, not a value to read back
  std::snprintf(four, sizeof four, "%.4g", std::fabs(sc.lo));
  return (name.empty() ? std::string("f") : name) + (sc.lo >= 0 ? " " + minus + " " : " + ") + tick_label(std::strtod(four, nullptr));
}

}  // namespace zs
