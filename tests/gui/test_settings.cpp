// Persistent UI settings: the app writes its settings file (and imgui.ini) when it goes,
// and a new app started with the same folder gets them back; bad files give defaults.
#include <gtest/gtest.h>
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
  const Settings d = settings_load(dir + "/settings.json");
  EXPECT_TRUE(d.tiled);
  EXPECT_EQ(d.export_w, 3840);
}

}  // namespace zs::gui::test
