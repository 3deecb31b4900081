// zoscope: the desktop app. `zoscope [--experiment EXP]` opens a window;
// `zoscope --headless --experiment EXP --frames N --screenshot OUT.png [--size WxH]`
// renders through EGL with no display (tests, CI, scripted figures). Bad arguments or a
// bad experiment: one line on stderr and exit status 2 or 1.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include "app/gui/app.h"
#include "core/io/presets.h"
#include "core/util/error.h"
#include "core/version.h"

namespace {

const char* kUsage =
    "usage: zoscope [--experiment EXP] [--size WxH]\n"
    "       zoscope --headless [--experiment EXP] [--frames N] [--screenshot OUT.png] [--size WxH]\n"
    "  EXP is preset:NAME (see zoscope-cli list) or an experiment JSON file; default preset:rosenbrock.\n"
    "  --frames N      frames to draw (headless default 60; windowed: quit after N frames)\n"
    "  --screenshot F  write the last frame to F (PNG)\n"
    "  --size WxH      headless framebuffer / initial window size (default 1600x1000)\n"
    "  --settings DIR  settings and imgui.ini folder (windowed; default ~/.config/zoscope)\n";

struct Args {
  bool headless = false;
  std::string experiment, screenshot, settings_dir;
  int frames = -1;
  int w = 0, h = 0;
};

[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr, "zoscope: %s (see --help)\n", msg.c_str());
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(k + " needs a value");
      return argv[++i];
    };
    if (k == "--help" || k == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (k == "--version") {
      std::printf("zoscope %s\n", ZOSCOPE_VERSION);
      std::exit(0);
    } else if (k == "--headless") {
      a.headless = true;
    } else if (k == "--experiment") {
      a.experiment = value();
    } else if (k == "--screenshot") {
      a.screenshot = value();
    } else if (k == "--settings") {
      a.settings_dir = value();
    } else if (k == "--frames") {
      const std::string v = value();
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 1 || n > 10000000) usage_error("--frames: '" + v + "' is not a frame count in [1, 10000000]");
      a.frames = static_cast<int>(n);
    } else if (k == "--size") {
      const std::string v = value();
      int w = 0, h = 0;
      char tail = 0;
      if (std::sscanf(v.c_str(), "%dx%d%c", &w, &h, &tail) != 2 || w < 64 || h < 64 || w > 16384 || h > 16384)
        usage_error("--size: '" + v + "' is not WxH with sides in [64, 16384]");
      a.w = w;
      a.h = h;
    } else {
      usage_error("unknown argument '" + k + "'");
    }
  }
  return a;
}

int run(const Args& a) {
  using namespace zs;
  using namespace zs::gui;
  std::string settings_dir = a.headless ? "" : (a.settings_dir.empty() ? settings_default_dir() : a.settings_dir);
  const Settings settings = settings_dir.empty() ? Settings() : settings_load(settings_dir + "/settings.json");
  // The experiment is checked before any window opens, so a bad one fails fast and cleanly.
  std::string exp_arg = a.experiment;
  if (exp_arg.empty()) {
    exp_arg = "preset:rosenbrock";
    if (!a.headless && !settings.last_experiment.empty()) {
      try {
        if (!is_llm_experiment(settings.last_experiment)) experiment_resolve(settings.last_experiment);
        exp_arg = settings.last_experiment;
      } catch (const std::exception&) {
      }
    }
  }
  // LLM experiments (fine-tuning specs) are parsed by the LLM scene when the app loads them.
  if (!is_llm_experiment(exp_arg)) experiment_resolve(exp_arg);
  const int w = a.w ? a.w : (a.headless ? 1600 : settings.window_w);
  const int h = a.h ? a.h : (a.headless ? 1000 : settings.window_h);
  std::unique_ptr<Platform> platform =
      a.headless ? platform_egl_create(w, h) : platform_glfw_create(w, h, "zoscope");
  AppOptions opts;
  opts.settings_dir = settings_dir;
  App app(*platform, opts);
  std::string err;
  if (!app.load_experiment(exp_arg, &err)) fail("", err);
  if (a.experiment.empty() && !a.headless && !settings.colormap.empty() && exp_arg == settings.last_experiment)
    app.exp().view.colormap = settings.colormap;
  platform->set_title("zoscope - " + (app.exp().name.empty() ? exp_arg : app.exp().name));

  const int frames = a.frames > 0 ? a.frames : (a.headless ? 60 : -1);
  int still = 0;  // frames drawn since anything moved
  for (int f = 0; frames < 0 || f < frames; ++f) {
    // An idle window sleeps until input arrives (a software rasteriser would otherwise
    // spend both cores redrawing an unchanged frame); a few frames follow each event so
    // that hover and focus changes settle.
    if (!a.headless && frames < 0 && !app.animating() && ++still > 4) {
      platform->wait_events(0.5);
      still = 0;
    }
    if (app.animating()) still = 0;
    if (!platform->poll_events() || app.quit_requested()) break;
    if (!a.screenshot.empty() && f == frames - 1) app.request_screenshot(a.screenshot);
    app.frame();
    platform->present();
    // Headless frames are reproducible: the results are in before the first frame is
    // used and before the last three (plots autoscale from the previous frame).
    if (a.headless && (f == 0 || f >= frames - 4)) app.wait_idle(600);
  }
  if (!app.wait_tasks(600)) fail("", "timed out writing files");
  if (app.status_is_error()) fail("", app.status_text());
  if (app.gl_error_frames() > 0) std::fprintf(stderr, "zoscope: warning: OpenGL errors: %s\n", app.last_gl_error().c_str());
  if (!a.screenshot.empty()) std::fprintf(stderr, "zoscope: wrote %s\n", a.screenshot.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  try {
    return run(a);
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    std::fprintf(stderr, "zoscope: %s\n", msg.rfind(": ", 0) == 0 ? msg.substr(2).c_str() : msg.c_str());
    return 1;
  }
}
