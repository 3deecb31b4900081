// Headless platform: an OpenGL 3.3 core context through EGL with no window system (Mesa's
// surfaceless platform, which llvmpipe serves on machines with no GPU and no X server),
// drawing into an offscreen target. Used by CI tests, the benchmark and scripted figures.
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <algorithm>
#include <cstring>
#include <imgui.h>
#include "app/gui/gl_util.h"
#include "app/gui/keys.h"
#include "app/gui/platform.h"
#include "core/util/error.h"

namespace zs::gui {

void keymap_install() {
  ImGuiIO& io = ImGui::GetIO();
  const int map[][2] = {{ImGuiKey_Tab, kKeyTab},         {ImGuiKey_LeftArrow, kKeyLeft},   {ImGuiKey_RightArrow, kKeyRight},
                        {ImGuiKey_UpArrow, kKeyUp},      {ImGuiKey_DownArrow, kKeyDown},   {ImGuiKey_PageUp, kKeyPageUp},
                        {ImGuiKey_PageDown, kKeyPageDown}, {ImGuiKey_Home, kKeyHome},      {ImGuiKey_End, kKeyEnd},
                        {ImGuiKey_Insert, kKeyInsert},   {ImGuiKey_Delete, kKeyDelete},    {ImGuiKey_Backspace, kKeyBackspace},
                        {ImGuiKey_Space, kKeySpace},     {ImGuiKey_Enter, kKeyEnter},      {ImGuiKey_Escape, kKeyEscape},
                        {ImGuiKey_KeyPadEnter, kKeyKpEnter}, {ImGuiKey_A, kKeyA},          {ImGuiKey_C, kKeyC},
                        {ImGuiKey_V, kKeyV},             {ImGuiKey_X, kKeyX},              {ImGuiKey_Y, kKeyY},
                        {ImGuiKey_Z, kKeyZ}};
  for (const auto& m : map) io.KeyMap[m[0]] = m[1];
}

namespace {

const char* egl_error_text(EGLint e) {
  switch (e) {
    case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
    case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
    case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
    case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
    default: return "EGL error";
  }
}

class EglPlatform final : public Platform {
 public:
  EglPlatform(int w, int h) : w_(w), h_(h) {
    display_ = open_display();
    if (!eglBindAPI(EGL_OPENGL_API)) fail("headless", "EGL cannot bind the desktop OpenGL API");
    // A configless, surfaceless context when the driver allows it; otherwise a 1x1 pbuffer.
    const char* ext = eglQueryString(display_, EGL_EXTENSIONS);
    const bool surfaceless = ext && std::strstr(ext, "EGL_KHR_surfaceless_context");
    const EGLint cfg_attr[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE, EGL_PBUFFER_BIT,
                               EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_NONE};
    EGLConfig cfg = nullptr;
    EGLint n = 0;
    eglChooseConfig(display_, cfg_attr, &cfg, 1, &n);
    if (n < 1 && !surfaceless) fail("headless", "EGL has no OpenGL pbuffer config");
    const EGLint ctx_attr[] = {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
                               EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE};
    context_ = eglCreateContext(display_, n > 0 ? cfg : EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, ctx_attr);
    if (context_ == EGL_NO_CONTEXT)
      fail("headless", std::string("cannot create an OpenGL 3.3 core context (") + egl_error_text(eglGetError()) + ")");
    if (!surfaceless) {
      const EGLint pb_attr[] = {EGL_WIDTH, 1, EGL_HEIGHT, 1, EGL_NONE};
      surface_ = eglCreatePbufferSurface(display_, cfg, pb_attr);
    }
    if (!eglMakeCurrent(display_, surface_, surface_, context_))
      fail("headless", std::string("eglMakeCurrent failed (") + egl_error_text(eglGetError()) + ")");
    target_.resize(w_, h_);
  }

  ~EglPlatform() override {
    target_ = GlTarget(false, true);  // GL objects go while the context is still current
    eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    if (surface_ != EGL_NO_SURFACE) eglDestroySurface(display_, surface_);
    eglDestroyContext(display_, context_);
    eglTerminate(display_);
  }

  const char* name() const override { return "egl"; }
  bool headless() const override { return true; }
  void imgui_init() override {
    ImGuiIO& io = ImGui::GetIO();
    io.BackendPlatformName = "zoscope_headless";
    keymap_install();
  }
  void imgui_shutdown() override {}
  bool poll_events() override { return true; }
  void new_frame() override {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(w_), static_cast<float>(h_));
    io.DisplayFramebufferScale = ImVec2(1, 1);
    io.DeltaTime = 1.0f / 60.0f;
  }
  void bind_target() override { target_.bind(); }
  int width() const override { return w_; }
  int height() const override { return h_; }
  Image read_frame() override {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, target_.framebuffer());
    return gl_read_pixels(w_, h_);
  }
  // There is no swap; finishing makes frame timings include the rasteriser's work.
  void present() override { glFinish(); }
  bool resize(int w, int h) override {
    w_ = std::clamp(w, 64, 16384);
    h_ = std::clamp(h, 64, 16384);
    target_.resize(w_, h_);
    return true;
  }

 private:
  static EGLDisplay open_display() {
    auto get_platform_display =
        reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(eglGetProcAddress("eglGetPlatformDisplayEXT"));
    EGLint major = 0, minor = 0;
    if (get_platform_display) {
      EGLDisplay d = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
      if (d != EGL_NO_DISPLAY && eglInitialize(d, &major, &minor)) return d;
    }
    EGLDisplay d = eglGetDisplay(EGL_DEFAULT_DISPLAY);
    if (d != EGL_NO_DISPLAY && eglInitialize(d, &major, &minor)) return d;
    fail("headless", "no EGL display (install Mesa's EGL: libegl1 libegl-mesa0 libgl1-mesa-dri)");
  }

  int w_, h_;
  EGLDisplay display_ = EGL_NO_DISPLAY;
  EGLContext context_ = EGL_NO_CONTEXT;
  EGLSurface surface_ = EGL_NO_SURFACE;
  GlTarget target_{false, true};
};

}  // namespace

std::unique_ptr<Platform> platform_egl_create(int w, int h) {
  if (w < 64 || h < 64 || w > 16384 || h > 16384)
    fail("--size", std::to_string(w) + "x" + std::to_string(h) + " outside [64, 16384] per side");
  return std::make_unique<EglPlatform>(w, h);
}

}  // namespace zs::gui
