// Settings file: a small JSON object; unknown keys are ignored, wrong types and values out
// of range keep defaults, a malformed file (duplicate keys included) gives the defaults and
// says so in one line.
#include "app/gui/settings.h"
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <type_traits>
#include <nlohmann/json.hpp>
#include "core/util/atomic_file.h"
#include "core/util/error.h"
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

Settings settings_load(const std::string& path, std::string* problem) {
  Settings s;
  nlohmann::json j;
  if (problem) problem->clear();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return s;  // first start: nothing to say
  try {
    j = json_load(path);  // strict: a duplicated key makes the file malformed (defaults)
  } catch (const std::exception& e) {
    if (problem) *problem = error_line(e);
    return s;
  }
  if (!j.is_object()) {
    if (problem) *problem = path + ": expected a JSON object";
    return s;
  }
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
  // A window the platform cannot make (GLFW asserts on a negative side; X refuses sides
  // beyond 32767) would stop the app from starting: settings never do.
  const Settings d;
  const auto keep_in = [](int& v, int lo, int hi, int def) { v = v >= lo && v <= hi ? v : def; };
  keep_in(s.window_w, 64, 16384, d.window_w);
  keep_in(s.window_h, 64, 16384, d.window_h);
  keep_in(s.export_w, 16, 16384, d.export_w);
  keep_in(s.export_h, 16, 16384, d.export_h);
  return s;
}

std::string settings_dir_problem(const std::string& dir) {
  const std::string head = "settings folder " + dir + ": ";
  const std::string tail = "; settings and window layout will not be saved";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return one_line(head + "cannot create it (" + ec.message() + ")" + tail);
  if (!std::filesystem::is_directory(dir, ec)) return one_line(head + "not a folder" + tail);
  // The settings are written as a temporary file renamed over settings.json: the folder
  // itself must take new files.
  const std::string probe = dir + "/.write-test." + std::to_string(::getpid());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return one_line(head + "cannot write there (" + std::strerror(errno) + ")" + tail);
  ::close(fd);
  ::unlink(probe.c_str());
  return "";
}

bool settings_save(const Settings& s, const std::string& path, std::string* last) {
  const nlohmann::json j = {{"colormap", s.colormap},   {"last_experiment", s.last_experiment},
                            {"window_w", s.window_w},   {"window_h", s.window_h},
                            {"tiled", s.tiled},         {"sidebar_w", s.sidebar_w},
                            {"plots_w", s.plots_w},     {"view_3d", s.view_3d},
                            {"smoothing", s.smoothing}, {"x_fp", s.x_fp},
                            {"export_dir", s.export_dir}, {"export_w", s.export_w},
                            {"export_h", s.export_h}};
  const std::string text = j.dump(2) + "\n";
  if (last && *last == text) return true;
  try {
    const auto slash = path.find_last_of('/');
    if (slash != std::string::npos) make_dirs(path.substr(0, slash));
    atomic_write(path, text);
    if (last) *last = text;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace zs::gui
