// Input and state (issue 10, item 6): key taps shorter than a frame land (ImGui 1.86 has
// no input queue), quitting with unsaved changes asks, the window title follows the scene
// and start point, and a headless screenshot after few frames shows complete results.
#include <gtest/gtest.h>
#include <imgui.h>
#include <sys/wait.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>
#include <stb/stb_image.h>
#include "app/gui/keys.h"
#include "app/gui/text_wrap.h"
#include "gui_harness.h"

namespace zs::gui::test {

namespace {

// One ImGui frame on a bare context (no GL: nothing is rendered).
void bare_frame() {
  ImGui::NewFrame();
  ImGui::Render();
}


int run_exe(const std::string& args) {
  const std::string cmd = std::string(ZS_ZOSCOPE_EXE) + " " + args + " >/dev/null 2>&1";
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct Png {
  int w = 0, h = 0;
  std::vector<unsigned char> px;  // RGB
};
Png load_png(const std::string& path) {
  Png p;
  int n = 0;
  unsigned char* d = stbi_load(path.c_str(), &p.w, &p.h, &n, 3);
  if (d) p.px.assign(d, d + static_cast<size_t>(p.w) * p.h * 3);
  stbi_image_free(d);
  return p;
}

// Mean absolute difference per channel over rows [0, rows) (the status bar below, with
// its timings, differs between any two runs).
double mean_diff(const Png& a, const Png& b, int rows) {
  double s = 0;
  const size_t n = static_cast<size_t>(a.w) * rows * 3;
  for (size_t i = 0; i < n; ++i) s += std::abs(static_cast<int>(a.px[i]) - static_cast<int>(b.px[i]));
  return s / static_cast<double>(n);
}

}  // namespace

TEST(GuiInput, ATapBetweenTwoFramesIsDownForOneFrame) {
  BareImGui ctx(320, 200);
  ImGuiIO& io = ImGui::GetIO();
  InputQueue q;
  // xdotool key f: press and release arrive before the next frame.
  q.key(kKeyF, true);
  q.key(kKeyF, false);
  q.apply(io);
  EXPECT_TRUE(io.KeysDown[kKeyF]);
  ImGui::NewFrame();
  EXPECT_TRUE(ImGui::IsKeyPressed(kKeyF, false));
  ImGui::Render();
  q.apply(io);
  EXPECT_FALSE(io.KeysDown[kKeyF]);
  EXPECT_TRUE(q.empty());
  bare_frame();
  // Ctrl+Q tapped in one go: Ctrl is down in the frame that sees Q down.
  q.key(kKeyLeftControl, true);
  q.key(kKeyQ, true);
  q.key(kKeyQ, false);
  q.key(kKeyLeftControl, false);
  q.apply(io);
  EXPECT_TRUE(io.KeysDown[kKeyQ]);
  EXPECT_TRUE(io.KeyCtrl);
  bare_frame();
  q.apply(io);
  EXPECT_FALSE(io.KeysDown[kKeyQ]);
  EXPECT_FALSE(io.KeyCtrl);
  // Characters keep their order with the keys: "a" typed after a tap of Enter waits for it.
  q.key(kKeyEnter, true);
  q.key(kKeyEnter, false);
  q.character('a');
  q.apply(io);
  EXPECT_EQ(io.InputQueueCharacters.Size, 0);
  bare_frame();
  q.apply(io);
  ASSERT_EQ(io.InputQueueCharacters.Size, 1);
  EXPECT_EQ(io.InputQueueCharacters[0], 'a');
}

TEST(GuiState, QuitWithUnsavedChangesAsksFirst) {
  {
    Harness h;
    App& app = h.app();
    EXPECT_FALSE(app.unsaved());
    h.key(kKeyQ, true);  // Ctrl+Q, nothing changed: quits at once
    EXPECT_TRUE(app.quit_requested());
  }
  {
  Harness h2;
  App& b = h2.app();
  b.exp().runs[0].hp["lr"] = 2e-3;
  h2.frame();
  EXPECT_TRUE(b.unsaved());
  h2.key(kKeyQ, true);
  EXPECT_FALSE(b.quit_requested());
  EXPECT_TRUE(b.quit_asking());
  h2.frame();
  h2.click(h2.centre("quit/cancel"));
  EXPECT_FALSE(b.quit_asking());
  EXPECT_FALSE(b.quit_requested());
  b.request_quit();
  h2.frame();
  h2.click(h2.centre("quit/discard"));
  EXPECT_TRUE(b.quit_requested());
  }
  // Saved, it quits without asking.
  Harness h3;
  App& c = h3.app();
  c.exp().runs[0].hp["lr"] = 2e-3;
  ASSERT_TRUE(c.save_experiment(out_path("quit_saved.json")));
  c.request_quit();
  EXPECT_TRUE(c.quit_requested());
}

TEST(GuiState, WindowTitleFollowsSceneAndStartPoint) {
  Harness h;
  App& app = h.app();
  h.frame();
  EXPECT_NE(app.title().find("Rosenbrock"), std::string::npos) << app.title();
  EXPECT_NE(app.title().find("start (-1.2, 1)"), std::string::npos) << app.title();
  EXPECT_EQ(app.title().find('*'), std::string::npos) << app.title();
  app.exp().start = {0.5, -0.25};
  h.frame(2);
  EXPECT_NE(app.title().find("start (0.5, -0.25)"), std::string::npos) << app.title();
  EXPECT_NE(app.title().find('*'), std::string::npos) << app.title();
  app.set_landscape("himmelblau");
  h.frame(2);
  EXPECT_NE(app.title().find("Himmelblau"), std::string::npos) << app.title();
}

// --frames 1 wrote an empty or unscaled image: the last frame now waits for complete
// results, so one frame shows what sixty do.
TEST(GuiState, HeadlessScreenshotAfterOneFrameShowsCompleteResults) {
  const std::string one = out_path("frames1.png"), many = out_path("frames60.png"), three_d = out_path("view3d.png");
  for (const std::string& p : {one, many, three_d}) std::filesystem::remove(p);
  ASSERT_EQ(run_exe("--headless --frames 1 --size 800x500 --screenshot " + one), 0);
  ASSERT_EQ(run_exe("--headless --frames 60 --size 800x500 --screenshot " + many), 0);
  const Png a = load_png(one), b = load_png(many);
  ASSERT_EQ(a.w, 800);
  ASSERT_EQ(b.w, 800);
  EXPECT_LT(mean_diff(a, b, 470), 0.5);
  // --view 3d opens the surface.
  ASSERT_EQ(run_exe("--headless --frames 2 --size 800x500 --view 3d --screenshot " + three_d), 0);
  const Png c = load_png(three_d);
  ASSERT_EQ(c.w, 800);
  EXPECT_GT(mean_diff(b, c, 470), 5.0);
  EXPECT_EQ(run_exe("--headless --view 4d"), 2);
}

// Divergence messages wrapped by ImGui broke after the "." of a number ("1." / "23e+30").
TEST(GuiState, MessagesWrapAtSpacesNeverInsideANumber) {
  const std::string msg = "diverged at step 1234: loss blew up to 1.23456789e+30";
  const auto measure = [](const std::string& s) { return 7.f * static_cast<float>(s.size()); };
  for (float width : {70.f, 140.f, 200.f, 260.f, 300.f, 1000.f}) {
    const std::vector<std::string> lines = wrap_at_spaces(msg, width, measure);
    std::string joined;
    for (const std::string& l : lines) {
      EXPECT_TRUE(measure(l) <= width || l.find(' ') == std::string::npos) << width << ": '" << l << "'";
      joined += (joined.empty() ? "" : " ") + l;
    }
    EXPECT_EQ(joined, msg);
    int whole = 0;
    for (const std::string& l : lines) whole += l.find("1.23456789e+30") != std::string::npos;
    EXPECT_EQ(whole, 1) << width;
  }
}

}  // namespace zs::gui::test
