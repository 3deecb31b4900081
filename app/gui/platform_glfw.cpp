// Window platform: GLFW with an OpenGL 3.3 core context and Dear ImGui's GLFW backend
// (compiled from the sources libimgui-dev ships).
#include "app/gui/gl.h"
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include "app/gui/gl_util.h"
#include "app/gui/keys.h"
#include "app/gui/platform.h"
#include "core/util/error.h"

namespace zs::gui {

namespace {

std::string g_glfw_error;

class GlfwPlatform final : public Platform {
 public:
  GlfwPlatform(int w, int h, const std::string& title) {
    glfwSetErrorCallback([](int, const char* d) { g_glfw_error = d ? d : ""; });
    if (!glfwInit()) fail("window", "cannot open a window (" + g_glfw_error + "); use --headless without a display");
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_SAMPLES, 0);
    window_ = glfwCreateWindow(w, h, title.c_str(), nullptr, nullptr);
    if (!window_) {
      glfwTerminate();
      fail("window", "cannot create an OpenGL 3.3 core window (" + g_glfw_error + ")");
    }
    glfwMakeContextCurrent(window_);
    glfwSwapInterval(1);
    glfwGetFramebufferSize(window_, &fb_w_, &fb_h_);
  }
  ~GlfwPlatform() override {
    glfwDestroyWindow(window_);
    glfwTerminate();
  }
  const char* name() const override { return "glfw"; }
  bool headless() const override { return false; }
  void imgui_init() override {
    ImGui_ImplGlfw_InitForOpenGL(window_, true);
    // Keys and characters go through our queue instead of straight into io (keys.h): a
    // tap between two frames still reaches ImGui. The backend's other callbacks stay.
    glfwSetWindowUserPointer(window_, this);
    glfwSetKeyCallback(window_, [](GLFWwindow* w, int key, int, int action, int) {
      if (action != GLFW_REPEAT) static_cast<GlfwPlatform*>(glfwGetWindowUserPointer(w))->input_.key(key, action == GLFW_PRESS);
    });
    glfwSetCharCallback(window_, [](GLFWwindow* w, unsigned int c) {
      static_cast<GlfwPlatform*>(glfwGetWindowUserPointer(w))->input_.character(c);
    });
  }
  void imgui_shutdown() override { ImGui_ImplGlfw_Shutdown(); }
  bool poll_events() override {
    glfwPollEvents();
    // Sleep while minimised instead of spinning.
    while (!glfwWindowShouldClose(window_) && glfwGetWindowAttrib(window_, GLFW_ICONIFIED)) glfwWaitEvents();
    return !glfwWindowShouldClose(window_);
  }
  void cancel_close() override { glfwSetWindowShouldClose(window_, GLFW_FALSE); }
  void wait_events(double timeout_s) override { glfwWaitEventsTimeout(timeout_s); }
  void new_frame() override {
    ImGui_ImplGlfw_NewFrame();
    input_.apply(ImGui::GetIO());
  }
  void bind_target() override {
    glfwGetFramebufferSize(window_, &fb_w_, &fb_h_);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, fb_w_, fb_h_);
  }
  int width() const override { return fb_w_; }
  int height() const override { return fb_h_; }
  Image read_frame() override {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
    glReadBuffer(GL_BACK);
    return gl_read_pixels(fb_w_, fb_h_);
  }
  void present() override { glfwSwapBuffers(window_); }
  void set_title(const std::string& t) override { glfwSetWindowTitle(window_, t.c_str()); }
  void window_size(int& w, int& h) const override { glfwGetWindowSize(window_, &w, &h); }

 private:
  GLFWwindow* window_ = nullptr;
  InputQueue input_;
  int fb_w_ = 0, fb_h_ = 0;
};

}  // namespace

std::unique_ptr<Platform> platform_glfw_create(int w, int h, const std::string& title) {
  return std::make_unique<GlfwPlatform>(w, h, title);
}

}  // namespace zs::gui
