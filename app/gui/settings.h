// Persistent UI settings beside imgui.ini (which keeps window positions in the free
// layout): colormap, layout, window size, last experiment, export choices. A missing or
// malformed file gives the defaults; settings never stop the app from starting.
#pragma once
#include <string>

namespace zs::gui {

struct Settings {
  std::string colormap;        // last colormap chosen ("" : the experiment's own)
  std::string last_experiment; // reopened when zoscope starts without --experiment
  int window_w = 1600, window_h = 1000;
  bool tiled = true;
  float sidebar_w = 0, plots_w = 0;  // 0: proportional to the window
  bool view_3d = false;
  float smoothing = 0.9f;
  bool x_fp = false;
  std::string export_dir = "out/export";
  int export_w = 3840, export_h = 2160;
};

// $XDG_CONFIG_HOME/zoscope, else $HOME/.config/zoscope ("" when neither is set).
std::string settings_default_dir();
// Values out of range (a window side outside [64, 16384], an export side outside [16,
// 16384]) keep their defaults. `problem`, when given, gets one line naming the file and
// what was wrong with it ("" when it read cleanly or does not exist).
Settings settings_load(const std::string& path, std::string* problem = nullptr);
// "" when settings can be kept in `dir` (it is created, and a probe file written there and
// removed), else one line naming the folder and the OS reason, e.g. "settings folder
// /etc/zs: cannot write there (Permission denied); settings and window layout will not be
// saved". The app says it once on stderr and keeps it in the status bar; it still starts.
std::string settings_dir_problem(const std::string& dir);
// Atomic write; returns false (and leaves the old file) on failure. With `last`, the file is
// written only when its text differs from *last (the text of the previous successful save,
// updated here): the app saves every few seconds, and unchanged settings cost no write.
bool settings_save(const Settings& s, const std::string& path, std::string* last = nullptr);

}  // namespace zs::gui
