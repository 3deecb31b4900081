// Persistent UI settings: the app writes its settings file (and imgui.ini) when it goes,
// and a new app started with the same folder gets them back; bad files give defaults.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <filesystem>
#include "app/gui/settings.h"
#include "core/util/atomic_file.h"
#include "gui_harness.h"

namespace zs::gui::test {

TEST(GuiSettings, SavedOnExitAndRestored) {
  const std::string dir = out_path("settings");
  std::filesystem::remove_all(dir);
  {
    std::unique_ptr<Platform> p = platform_egl_create(900, 600);
    App app(*p, AppOptions{dir, 0});
    ASSERT_TRUE(app.load_experiment("preset:rastrigin"));
    app.model().ui.export_dir = "/tmp/zoscope-exports";
    app.model().ui.export_w = 2000;
    app.model().ui.tiled = false;
    app.model().plots.smoothing = 0.5f;
    app.exp().view.colormap = "magma";
    app.frame();
    ASSERT_TRUE(app.save_experiment(dir + "/exp.json"));
  }
  const Settings s = settings_load(dir + "/settings.json");
  EXPECT_EQ(s.colormap, "magma");
  EXPECT_EQ(s.export_dir, "/tmp/zoscope-exports");
  EXPECT_EQ(s.export_w, 2000);
  EXPECT_FALSE(s.tiled);
  EXPECT_FLOAT_EQ(s.smoothing, 0.5f);
  EXPECT_EQ(s.last_experiment, std::filesystem::absolute(dir + "/exp.json").string());
  EXPECT_TRUE(std::filesystem::exists(dir + "/imgui.ini"));
  {
    std::unique_ptr<Platform> p = platform_egl_create(900, 600);
    App app(*p, AppOptions{dir, 0});
    EXPECT_EQ(app.model().ui.export_dir, "/tmp/zoscope-exports");
    EXPECT_FALSE(app.model().ui.tiled);
    EXPECT_FLOAT_EQ(app.model().plots.smoothing, 0.5f);
  }
  atomic_write(dir + "/settings.json", "{ not json");
  std::string problem;
  const Settings d = settings_load(dir + "/settings.json", &problem);
  EXPECT_TRUE(d.tiled);
  EXPECT_EQ(d.export_w, 3840);
  EXPECT_EQ(problem.rfind(dir + "/settings.json: malformed JSON at line 1", 0), 0u) << problem;
  EXPECT_EQ(problem.find('\n'), std::string::npos) << problem;
}

// The app saves every 5 s: unchanged settings are not written again (an atomic write makes
// a new file, so the inode tells a rewrite), changed ones are.
TEST(GuiSettings, UnchangedSettingsAreNotRewritten) {
  const std::string dir = out_path("settings_unchanged");
  std::filesystem::remove_all(dir);
  const std::string path = dir + "/settings.json";
  const auto inode = [&path] {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : static_cast<ino_t>(0);
  };
  Settings s;
  std::string last;
  ASSERT_TRUE(settings_save(s, path, &last));
  const ino_t first = inode();
  ASSERT_NE(first, 0u);
  EXPECT_FALSE(last.empty());
  ASSERT_TRUE(settings_save(s, path, &last));
  EXPECT_EQ(inode(), first) << "unchanged settings were written again";
  s.colormap = "magma";
  ASSERT_TRUE(settings_save(s, path, &last));
  EXPECT_NE(inode(), first);
  EXPECT_EQ(settings_load(path).colormap, "magma");
}

// Window sizes GLFW asserts on (negative: the app aborted) or X refuses (100000 wide: six
// lines of X errors) keep the defaults; so do export sizes the Export panel cannot hold.
TEST(GuiSettings, OutOfRangeSizesKeepTheDefaults) {
  const std::string dir = out_path("settings_range");
  std::filesystem::create_directories(dir);
  const Settings def;
  for (const char* text : {R"({"window_w": -5, "window_h": -5, "export_w": 0, "export_h": -1})",
                           R"({"window_w": 0, "window_h": 100000, "export_w": 99999, "export_h": 2000000000})"}) {
    SCOPED_TRACE(text);
    atomic_write(dir + "/settings.json", text);
    std::string problem;
    const Settings s = settings_load(dir + "/settings.json", &problem);
    EXPECT_EQ(s.window_w, def.window_w);
    EXPECT_EQ(s.window_h, def.window_h);
    EXPECT_EQ(s.export_w, def.export_w);
    EXPECT_EQ(s.export_h, def.export_h);
  }
  atomic_write(dir + "/settings.json", R"({"window_w": 64, "window_h": 16384, "export_w": 16, "export_h": 16384})");
  const Settings s = settings_load(dir + "/settings.json");
  EXPECT_EQ(s.window_w, 64);
  EXPECT_EQ(s.window_h, 16384);
  EXPECT_EQ(s.export_w, 16);
  EXPECT_EQ(s.export_h, 16384);
  std::string problem = "x";
  settings_load(dir + "/nosuch.json", &problem);
  EXPECT_EQ(problem, "") << "a first start has no settings file and nothing to say";
}

// An unwritable --settings folder was silent: the user's settings were never saved. Now one
// line naming the folder and the OS reason (main.cpp prints it on stderr; GuiCli tests that),
// kept in the status bar for the session; the app works as before.
TEST(GuiSettings, UnwritableFolderIsOneLineInTheStatusBarAndTheAppWorks) {
  namespace fs = std::filesystem;
  const std::string base = out_path("settings_unwritable");
  fs::remove_all(base);
  fs::create_directories(base);
  atomic_write(base + "/file", "x");
  const std::string dir = base + "/file/zoscope";  // under a regular file
  EXPECT_EQ(settings_dir_problem(dir), "settings folder " + dir +
                                           ": cannot create it (Not a directory); settings and window layout will not be saved");
  EXPECT_EQ(settings_dir_problem(base + "/fine"), "");
  EXPECT_TRUE(fs::is_directory(base + "/fine"));
  EXPECT_TRUE(fs::is_empty(base + "/fine")) << "the probe file is removed";
  {
    std::unique_ptr<Platform> p = platform_egl_create(900, 600);
    App app(*p, AppOptions{dir, 0});
    EXPECT_EQ(app.settings_problem(), settings_dir_problem(dir));
    ASSERT_TRUE(app.load_experiment("preset:rastrigin"));
    EXPECT_FALSE(app.status_is_error()) << app.status_text();
    app.set_record_items(true);
    app.frame();
    ImVec2 a, b;
    EXPECT_TRUE(app.item_rect("status/settings", a, b)) << "shown in the status bar";
    app.frame();
    EXPECT_TRUE(app.item_rect("status/settings", a, b)) << "for the whole session";
  }
  {
    std::unique_ptr<Platform> p = platform_egl_create(900, 600);
    App app(*p, AppOptions{base + "/fine", 0});
    EXPECT_EQ(app.settings_problem(), "");
    app.set_record_items(true);
    app.frame();
    ImVec2 a, b;
    EXPECT_FALSE(app.item_rect("status/settings", a, b));
  }
  if (::geteuid() != 0) {  // root writes anywhere
    const std::string ro = base + "/read-only";
    fs::create_directories(ro);
    ::chmod(ro.c_str(), 0555);
    EXPECT_EQ(settings_dir_problem(ro),
              "settings folder " + ro + ": cannot write there (Permission denied); settings and window layout will not be saved");
    ::chmod(ro.c_str(), 0755);
  }
}

// imgui.ini was written by Dear ImGui in place (fopen "wt"): a crash or a full disk while
// writing left it cut. Now it is replaced by rename (atomic_write): a hard link to the old
// file keeps the old text, and what the old file held is read back and kept.
TEST(GuiSettings, ImguiIniIsReplacedAtomicallyAndReadBack) {
  namespace fs = std::filesystem;
  const std::string dir = out_path("settings_ini");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string old_text = "[Window][Debug##Default]\nPos=61,67\nSize=400,400\nCollapsed=0\n\n";
  atomic_write(dir + "/imgui.ini", old_text);
  fs::create_hard_link(dir + "/imgui.ini", dir + "/old.ini");
  {
    std::unique_ptr<Platform> p = platform_egl_create(900, 600);
    App app(*p, AppOptions{dir, 0});
    ASSERT_TRUE(app.load_experiment("preset:rastrigin"));
    app.frame();
    app.frame();
  }
  const std::string now = read_file(dir + "/imgui.ini");
  EXPECT_NE(now, old_text) << "the app's windows are saved";
  EXPECT_NE(now.find("[Window][Debug##Default]\nPos=61,67"), std::string::npos) << "read back and kept:\n" << now;
  EXPECT_EQ(read_file(dir + "/old.ini"), old_text) << "replaced by rename, not rewritten in place";
}

}  // namespace zs::gui::test
