// Settings file: a small JSON object; unknown keys are ignored, wrong types keep defaults,
// a malformed file (duplicate keys included) gives the defaults.
#include "app/gui/settings.h"
#include <cstdlib>
#include <limits>
#include <type_traits>
#include <nlohmann/json.hpp>
#include "core/util/atomic_file.h"
#include "core/util/json_read.h"

namespace zs::gui {

namespace {
template <class T>
void get(const nlohmann::json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end()) return;
  // Numbers outside T's range keep the default (nlohmann's conversion of 1e76 to int is
  // undefined behaviour; found by tests/fuzz/fuzz_settings).
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    if (!it->is_number()) return;
    const double v = it->get<double>();
    if (!(v >= static_cast<double>(std::numeric_limits<T>::lowest()) && v <= static_cast<double>(std::numeric_limits<T>::max())))
      return;
    out = static_cast<T>(v);
  } else {
    try {
      out = it->get<T>();
    } catch (const nlohmann::json::exception&) {
    }
  }
}
}  // namespace

std::string settings_default_dir() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/zoscope";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.config/zoscope";
  return "";
}

Settings settings_load(const std::string& path) {
  Settings s;
  nlohmann::json j;
  try {
    j = json_load(path);  // strict: a duplicated key makes the file malformed (defaults)
  } catch (const std::exception&) {
    return s;
  }
  if (!j.is_object()) return s;
  get(j, "colormap", s.colormap);
  get(j, "last_experiment", s.last_experiment);
  get(j, "window_w", s.window_w);
  get(j, "window_h", s.window_h);
  get(j, "tiled", s.tiled);
  get(j, "sidebar_w", s.sidebar_w);
  get(j, "plots_w", s.plots_w);
  get(j, "view_3d", s.view_3d);
  get(j, "smoothing", s.smoothing);
  get(j, "x_fp", s.x_fp);
  get(j, "export_dir", s.export_dir);
  get(j, "export_w", s.export_w);
  get(j, "export_h", s.export_h);
  return s;
}

bool settings_save(const Settings& s, const std::string& path) {
  const nlohmann::json j = {{"colormap", s.colormap},   {"last_experiment", s.last_experiment},
                            {"window_w", s.window_w},   {"window_h", s.window_h},
                            {"tiled", s.tiled},         {"sidebar_w", s.sidebar_w},
                            {"plots_w", s.plots_w},     {"view_3d", s.view_3d},
                            {"smoothing", s.smoothing}, {"x_fp", s.x_fp},
                            {"export_dir", s.export_dir}, {"export_w", s.export_w},
                            {"export_h", s.export_h}};
  try {
    const auto slash = path.find_last_of('/');
    if (slash != std::string::npos) make_dirs(path.substr(0, slash));
    atomic_write(path, j.dump(2) + "\n");
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace zs::gui
