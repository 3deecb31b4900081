// The platform layer behind the app: a GLFW window or a headless EGL context (Polyscope's
// pattern). Both create an OpenGL 3.3 core context, feed Dear ImGui its display size,
// time and input, and give App::frame() a framebuffer to draw into.
#pragma once
#include <memory>
#include <string>
#include "core/export/figure.h"

namespace zs::gui {

class Platform {
 public:
  virtual ~Platform() = default;
  virtual const char* name() const = 0;
  virtual bool headless() const = 0;
  // ImGui platform backend; called once the ImGui context exists / before it goes.
  virtual void imgui_init() = 0;
  virtual void imgui_shutdown() = 0;
  // Pumps events; false once the user closed the window.
  virtual bool poll_events() = 0;
  // The window stays open after all (a close that asked first and was cancelled).
  virtual void cancel_close() {}
  // Sleeps until an event arrives or the timeout passes (idle windows draw no frames).
  virtual void wait_events(double timeout_s) { (void)timeout_s; }
  // ImGui's platform half of a new frame: display size, delta time, inputs.
  virtual void new_frame() = 0;
  // Binds the framebuffer frames are drawn into; width()/height() are its size in pixels.
  virtual void bind_target() = 0;
  virtual int width() const = 0;
  virtual int height() const = 0;
  // Reads back the frame just drawn (before present()).
  virtual Image read_frame() = 0;
  virtual void present() = 0;
  virtual void set_title(const std::string&) {}
  // Headless: the framebuffer takes a new size, as a resized window's would (the soak);
  // false where the user owns the size (a window).
  virtual bool resize(int w, int h) {
    (void)w;
    (void)h;
    return false;
  }
  // Window size in screen units, for the settings file (0, 0 when headless).
  virtual void window_size(int& w, int& h) const { w = h = 0; }
};

// OpenGL 3.3 core window; throws zs::Error with a one-line reason (no display, no GL).
std::unique_ptr<Platform> platform_glfw_create(int w, int h, const std::string& title);
// Headless EGL context (Mesa surfaceless platform, else the default display) rendering
// into a w x h offscreen target; delta time is a fixed 1/60 s so runs are reproducible.
std::unique_ptr<Platform> platform_egl_create(int w, int h);

}  // namespace zs::gui
