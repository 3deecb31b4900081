// zoscope: the desktop app. `zoscope [--experiment EXP]` opens a window;
// `zoscope --headless --experiment EXP --frames N --screenshot OUT.png [--size WxH]`
// renders through EGL with no display (tests, CI, scripted figures). Bad arguments or a
// bad experiment: one line on stderr and exit status 2 or 1.
#include <malloc.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include "app/gui/app.h"
#include "app/gui/soak.h"
#include "core/io/presets.h"
#include "core/util/error.h"
#include "core/version.h"

namespace {

const char* kUsage =
    "usage: zoscope [--experiment EXP] [--size WxH] [--view 2d|3d]\n"
    "       zoscope --headless [--experiment EXP] [--frames N] [--screenshot OUT.png] [--size WxH] [--view 2d|3d]\n"
    "       zoscope --headless --soak MINUTES [--seed S] [--soak-dir DIR] [--max-growth F]\n"
    "  EXP is preset:NAME (see zoscope-cli list) or an experiment JSON file; default preset:rosenbrock.\n"
    "  --frames N      frames of 1/60 s to draw (headless default 60; windowed: quit after N frames);\n"
    "                  headless, the last one waits until the results it shows are complete\n"
    "  --view V        open the 2-D landscape (2d) or the 3-D surface (3d)\n"
    "  --screenshot F  write the last frame to F (PNG)\n"
    "  --size WxH      headless framebuffer / initial window size (default 1600x1000)\n"
    "  --settings DIR  settings and imgui.ini folder (windowed; default ~/.config/zoscope)\n"
    "  --soak MINUTES  drive the app with seeded random input (scripts/soak.sh); exit 1 on a GL error,\n"
    "                  a multi-line error or resident memory growth of F (default 0.05) after warm-up\n";

struct Args {
  bool headless = false;
  std::string experiment, screenshot, settings_dir;
  int frames = -1;
  int w = 0, h = 0;
  int view = -1;  // -1: settings / default; 0: 2-D; 1: 3-D
  double soak_minutes = 0;  // > 0: soak mode (headless only)
  uint64_t seed = 1;
  double max_growth = 0.05;
  std::string soak_dir;
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
    } else if (k == "--experiment" || k == "--screenshot" || k == "--settings" || k == "--soak-dir") {
      // An empty value was taken as not given (the default experiment, no screenshot).
      std::string& v = k == "--experiment" ? a.experiment : k == "--screenshot" ? a.screenshot
                       : k == "--settings" ? a.settings_dir : a.soak_dir;
      v = value();
      if (v.empty()) usage_error(k + ": is empty; name a " + (k == "--experiment" ? "preset or file" : k == "--screenshot" ? "file" : "folder"));
    } else if (k == "--frames") {
      const std::string v = value();
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 1 || n > 10000000) usage_error("--frames: '" + v + "' is not a frame count in [1, 10000000]");
      a.frames = static_cast<int>(n);
    } else if (k == "--soak" || k == "--max-growth") {
      const std::string v = value();
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !(x > 0) || x > 10000) usage_error(k + ": '" + v + "' is not a positive number");
      (k == "--soak" ? a.soak_minutes : a.max_growth) = x;
    } else if (k == "--seed") {
      const std::string v = value();
      char* end = nullptr;
      errno = 0;
      const unsigned long long x = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end || v[0] == '-' || errno == ERANGE)
        usage_error("--seed: '" + v + "' is not an unsigned integer below 2^64");
      a.seed = x;
    } else if (k == "--view") {
      const std::string v = value();
      if (v != "2d" && v != "3d") usage_error("--view: '" + v + "' is not 2d or 3d");
      a.view = v == "3d" ? 1 : 0;
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

// Headless: draws frames (not counted in --frames) until what the next frame shows is
// complete: the recompute lanes idle with every run finished, the grid the view asked for
// in, and no result newer than the panels' throttled take-up (the plots take results in at
// most 5 times a second while they keep coming and autoscale from the frame before); then
// five quiet frames so that every plot has drawn the final series and scaled to them.
void settle(zs::gui::App& app, zs::gui::Platform& platform) {
  for (int k = 0, quiet = 0; k < 2000 && quiet < 5; ++k) {
    app.wait_idle(600);
    // (Runs the limits refused never complete, and keep the app "animating": nothing to wait for.)
    const bool refused = !app.limits_error().empty();
    const bool moving = app.busy() || (!refused && (!app.results().runs_complete || (app.animating() && !app.model().play.playing)));
    if (moving) {
      quiet = 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } else {
      ++quiet;
    }
    platform.poll_events();
    app.frame();
    platform.present();
  }
}

int run(const Args& a) {
  using namespace zs;
  using namespace zs::gui;
  std::string settings_dir = a.headless ? "" : (a.settings_dir.empty() ? settings_default_dir() : a.settings_dir);
  std::string settings_problem;
  const Settings settings = settings_dir.empty() ? Settings() : settings_load(settings_dir + "/settings.json", &settings_problem);
  if (!settings_problem.empty()) std::fprintf(stderr, "zoscope: warning: %s; using the default settings\n", settings_problem.c_str());
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
  if (!app.settings_problem().empty()) std::fprintf(stderr, "zoscope: warning: %s\n", app.settings_problem().c_str());
  std::string err;
  if (!app.load_experiment(exp_arg, &err)) fail("", err);
  if (a.experiment.empty() && !a.headless && !settings.colormap.empty() && exp_arg == settings.last_experiment)
    app.exp().view.colormap = settings.colormap;
  if (a.view >= 0) app.model().ui.view_3d = a.view == 1;
  if (a.soak_minutes > 0) {
    if (!a.headless) usage_error("--soak runs headless: add --headless");
    SoakOptions so;
    so.seconds = a.soak_minutes * 60;
    so.seed = a.seed;
    so.dir = a.soak_dir;
    so.max_growth = a.max_growth;
    so.log = stderr;
    std::fprintf(stderr, "soak: %.3g min, seed %llu, %dx%d\n", a.soak_minutes, static_cast<unsigned long long>(a.seed), w, h);
    const SoakReport r = soak_run(app, *platform, so);
    std::fputs(soak_summary(r).c_str(), stdout);
    return r.ok() ? 0 : 1;
  }

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
    if (!platform->poll_events()) {
      // The window's close button: quits, or asks first when there are unsaved changes.
      if (a.headless) break;
      app.request_quit();
      if (!app.quit_requested()) platform->cancel_close();
    }
    if (app.quit_requested()) break;
    // Headless frames are reproducible: the results are in before the first frame is
    // used, and the last frame shows them complete (settle()).
    if (a.headless && f == frames - 1) settle(app, *platform);
    if (!a.screenshot.empty() && f == frames - 1) app.request_screenshot(a.screenshot);
    app.frame();
    platform->present();
    if (a.headless && f == 0) app.wait_idle(600);
  }
  if (!app.wait_tasks(600)) fail("", "timed out writing files");
  if (app.status_is_error()) fail("", app.status_text());
  // Runs that could not be made (refused by the limits, a language model that did not
  // load) are a red line in the Runs or Scene panel; headless, they fail the command.
  if (a.headless) {
    const std::string& e = !app.limits_error().empty() ? app.limits_error() : app.results().runs_error;
    if (!e.empty()) fail("", e);
  }
  if (app.gl_error_frames() > 0) std::fprintf(stderr, "zoscope: warning: OpenGL errors: %s\n", app.last_gl_error().c_str());
  if (!a.screenshot.empty()) std::fprintf(stderr, "zoscope: wrote %s\n", a.screenshot.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // One malloc arena, not glibc's 8 per core: the app's short-lived worker threads (export
  // tasks, recompute lanes, the grid pool) each took an arena of their own, and memory
  // freed in one arena is never reused by another, so the resident size crept up by
  // 100-200 MB over minutes of use (found by the soak: 543 -> 707 MB in 90 s with the
  // default arenas, +3.8% in 2 min with two, flat at ~490 MB, +0.8%, with one; heap in use
  // ~150 MB throughout). Small allocations still come from per-thread caches (tcache), so
  // the workers rarely meet on the arena's lock. GLIBC_TUNABLES=glibc.malloc.arena_max=N
  // overrides this.
  if (!std::getenv("GLIBC_TUNABLES")) mallopt(M_ARENA_MAX, 1);
  const Args a = parse(argc, argv);
  try {
    return run(a);
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    std::fprintf(stderr, "zoscope: %s\n", msg.rfind(": ", 0) == 0 ? msg.substr(2).c_str() : msg.c_str());
    return 1;
  }
}
