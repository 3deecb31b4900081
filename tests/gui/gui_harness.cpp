// Harness implementation (see gui_harness.h).
#include "gui_harness.h"
#include <chrono>
#include <filesystem>
#include <thread>
#include "app/gui/gl_util.h"
#include "core/run/step_log.h"

namespace zs::gui::test {

Harness::Harness(int w, int h, const std::string& experiment) {
  platform_ = platform_egl_create(w, h);
  app_ = std::make_unique<App>(*platform_, AppOptions{});
  app_->set_record_items(true);
  std::string err;
  if (!app_->load_experiment(experiment, &err)) ADD_FAILURE() << err;
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = ImVec2(-1, -1);
  frame();
  settle();
}

Harness::~Harness() {
  app_.reset();
  platform_.reset();
}

void Harness::frame(int n) {
  for (int i = 0; i < n; ++i) {
    app_->frame();
    platform_->present();
    const std::string err = gl_errors();
    EXPECT_TRUE(err.empty()) << "GL error after frame " << app_->frames() << ": " << err;
    EXPECT_EQ(app_->gl_error_frames(), 0) << app_->last_gl_error();
  }
}

void Harness::settle() {
  EXPECT_TRUE(app_->wait_idle(120));
  frame(2);
  EXPECT_TRUE(app_->wait_idle(120));
  frame(1);
}

bool Harness::frames_while(const std::function<bool()>& busy, double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (busy() && std::chrono::steady_clock::now() < until) {
    frame();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  frame();
  return !busy();
}

void Harness::settle_plots() {
  settle();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  frame(6);
}

void Harness::show_surface() {
  app_->model().ui.view_3d = true;
  frame(3);
  settle();
  frame(1);
}

void Harness::use_expression(const std::string& expr) {
  app_->set_landscape("expression");
  app_->exp().landscape.expression = expr;
  app_->model().expression_edit = expr;
}

void Harness::diverge_mezo() {
  EXPECT_EQ(app_->exp().runs[0].label, "MeZO");
  app_->exp().runs[0].hp["lr"] = 0.04;
  settle_plots();
}

void Harness::mouse_move(ImVec2 p) {
  ImGui::GetIO().MousePos = p;
  frame();
}

void Harness::mouse_button(int button, bool down) {
  ImGui::GetIO().MouseDown[button] = down;
  frame();
}

void Harness::click(ImVec2 p, int button) {
  mouse_move(p);
  mouse_button(button, true);
  mouse_button(button, false);
}

void Harness::drag(ImVec2 from, ImVec2 to, int steps, int button) {
  mouse_move(from);
  mouse_button(button, true);
  for (int k = 1; k <= steps; ++k) {
    const float t = static_cast<float>(k) / static_cast<float>(steps);
    mouse_move(ImVec2(from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t));
  }
  mouse_button(button, false);
}

void Harness::wheel(ImVec2 p, float amount) {
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = p;
  io.MouseWheel = amount;
  frame();
}

void Harness::key(int key, bool ctrl) {
  ImGuiIO& io = ImGui::GetIO();
  io.KeyCtrl = ctrl;
  io.KeysDown[key] = true;
  frame();
  io.KeysDown[key] = false;
  frame();
  io.KeyCtrl = false;
}

void Harness::type(const char* utf8) {
  ImGui::GetIO().AddInputCharactersUTF8(utf8);
  frame();
}

ImVec2 Harness::centre(const std::string& item) {
  ImVec2 a, b;
  if (!app_->item_rect(item, a, b)) {
    ADD_FAILURE() << "widget '" << item << "' was not drawn in the last frame";
    return ImVec2(-1, -1);
  }
  return ImVec2(0.5f * (a.x + b.x), 0.5f * (a.y + b.y));
}

BareImGui::BareImGui(float w, float h) {
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(w, h);
  io.DeltaTime = 1.f / 60;
  unsigned char* px = nullptr;
  int tw = 0, th = 0;
  io.Fonts->GetTexDataAsRGBA32(&px, &tw, &th);
  io.MousePos = ImVec2(-1, -1);
}

BareImGui::~BareImGui() { ImGui::DestroyContext(); }

std::string out_path(const std::string& name) {
  const std::string dir = std::string(ZS_BINARY_ROOT) + "/test-out/gui";
  std::filesystem::create_directories(dir);
  return dir + "/" + name;
}

std::string followed_step_log(int64_t from, int64_t to) {
  std::string s;
  for (int64_t t = from; t <= to; ++t) {
    StepLogRecord r;
    r.t = t;
    r.fp = 2 * t;
    r.p = 0.1;
    r.lr = 1e-3;
    r.loss = 1.0 / static_cast<double>(t);
    r.losses = {r.loss + 0.01, r.loss - 0.01};
    s += step_log_line(r);
    if (t % 5 == 0) {  // an evaluation every 5 steps
      StepLogRecord e;
      e.kind = 'E';
      e.t = t;
      e.fp = 2 * t;
      e.dev_accuracy = 0.5 + 0.01 * static_cast<double>(t);
      e.dev_loss = 0.7;
      s += step_log_line(e);
    }
  }
  return s;
}

}  // namespace zs::gui::test
