// Test harness: a headless App (EGL) plus input injection through ImGui's 1.86 io fields.
#pragma once
#include <gtest/gtest.h>
#include <imgui.h>
#include <functional>
#include <memory>
#include <string>
#include "app/gui/app.h"
#include "app/gui/platform.h"

namespace zs::gui::test {

class Harness {
 public:
  explicit Harness(int w = 1280, int h = 800, const std::string& experiment = "preset:rosenbrock");
  ~Harness();
  App& app() { return *app_; }
  Platform& platform() { return *platform_; }
  // Draws n frames; every frame must leave glGetError clean (a failed expectation if not).
  void frame(int n = 1);
  // Waits for the recompute lanes, then draws two frames (plots autoscale from the last).
  void settle();
  // settle(), then long enough for the Plots panel to take the results in (at most 5 times
  // a second while edits come) and draw them.
  void settle_plots();
  // Frames (20 ms apart) while `busy()` holds, at most `seconds`; then one more frame.
  // False when it still holds (a background job did not finish in time).
  bool frames_while(const std::function<bool()>& busy, double seconds);
  // Opens the 3-D view and waits until its grid and runs are in and drawn.
  void show_surface();
  // The "expression" landscape with `expr` typed in (not settled).
  void use_expression(const std::string& expr);
  // The default scene's MeZO (run 0) at lr 0.04, which diverges, then settle_plots().
  void diverge_mezo();
  void mouse_move(ImVec2 p);               // moves, then one frame
  void mouse_button(int button, bool down);  // one frame
  void click(ImVec2 p, int button = 0);
  // Press at `from`, move to `to` in `steps` frames, release.
  void drag(ImVec2 from, ImVec2 to, int steps = 8, int button = 0);
  void wheel(ImVec2 p, float amount);
  // Key down for one frame, then up for one frame (with Ctrl held when asked).
  void key(int key, bool ctrl = false);
  void type(const char* utf8);
  // Centre of a widget recorded by App::note_item in the last frame (fails the test if absent).
  ImVec2 centre(const std::string& item);
  Image read_frame() { return platform_->read_frame(); }

 private:
  std::unique_ptr<Platform> platform_;
  std::unique_ptr<App> app_;
};

// A Dear ImGui context with no platform and no GL (draw lists are built, never rendered),
// of display size w x h, its font atlas built; destroyed with the object.
struct BareImGui {
  BareImGui(float w, float h);
  ~BareImGui();
  BareImGui(const BareImGui&) = delete;
  BareImGui& operator=(const BareImGui&) = delete;
};

// Path for a test's output file under the build tree.
std::string out_path(const std::string& name);
// Step-log lines (core/run/step_log.h) of steps from..to: loss 1/t, two query losses, an
// evaluation (dev accuracy 0.5 + 0.01 t) every 5 steps -- a run followed from a folder.
std::string followed_step_log(int64_t from, int64_t to);

}  // namespace zs::gui::test
