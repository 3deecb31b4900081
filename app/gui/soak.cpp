// GUI soak driver (see soak.h). Input goes through the app's own action API (App methods,
// Model fields the panels edit) and through Dear ImGui's io (mouse presses on the widgets
// the last frame recorded, drags past a slider's ends, wheel, keys, typed text), the way
// tests/gui drive it. Every random choice comes from one seeded generator, so a failing
// soak replays with the same seed (up to timing: how many frames a recompute takes).
#include "app/gui/soak.h"
#include <imgui.h>
#include <imgui_internal.h>
#include <malloc.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include "app/gui/app.h"
#include "app/gui/gl_util.h"
#include "app/gui/keys.h"
#include "app/gui/panels.h"
#include "app/gui/platform.h"
#include "core/export/colormap.h"
#include "core/io/presets.h"
#include "core/landscape/landscape.h"
#include "core/opt/optimizer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/memory.h"

namespace zs::gui {

namespace {

double proc_status_mb(const char* key) {
  const double v = proc_self_status(key);  // kB ("Threads": a count)
  return std::isfinite(v) ? v / 1024.0 : 0;
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Expressions a user might type: valid ones, and broken, degenerate or hostile ones.
const char* const kExpressions[] = {
    "x^2 + y^2", "sin(3*x)*cos(2*y) + 0.1*(x^2+y^2)", "(1-x)^2 + 100*(y-x^2)^2", "abs(x) + abs(y)",
    "log(x)", "sqrt(-1)", "1/0", "x/(y-y)", "exp(1000*x)", "x^2 + (y", "sin(", ")", "", " ", "x y",
    "2^2^2^2^2^2", "((((((((((x))))))))))", "z + 1", "x^2 +* y", "1e308*1e308*x", "min(x, y, 1, 2, 3)",
    "rnd()", "x = 3", "\xff\xfe x", "\xc3\x28", "x # y", "max(,)", "0*x*y", "-x^2-y^2", "x^1e9",
};

// A corrupt version of a valid experiment text: truncated, bytes flipped, a duplicate key,
// out-of-range numbers, wrong types, or garbage.
std::string corrupt(const std::string& text, std::mt19937_64& rng) {
  std::uniform_int_distribution<size_t> pos(0, text.empty() ? 0 : text.size() - 1);
  std::string t = text;
  switch (rng() % 9) {
    case 0: return t.substr(0, pos(rng));
    case 1:
      for (int k = 0; k < 4 && !t.empty(); ++k) t[pos(rng)] = static_cast<char>(rng() & 0xff);
      return t;
    case 2: {  // a duplicate key after the opening brace
      const size_t b = t.find('{');
      if (b != std::string::npos) t.insert(b + 1, "\"name\": \"dup\", ");
      return t;
    }
    case 3: {  // numbers beyond any range
      static const char* big[] = {"1e999", "-1e999", "1e308", "18446744073709551616", "-0", "NaN", "1e-400"};
      for (size_t p = 0; (p = t.find_first_of("0123456789", p)) != std::string::npos; p += 8)
        if (rng() % 3 == 0) {
          t.replace(p, 1, big[rng() % 7]);
          break;
        }
      return t;
    }
    case 4: {  // a value of the wrong type
      const size_t c = t.find(':', pos(rng));
      if (c != std::string::npos) t.insert(c + 1, rng() % 2 ? " [[[]]], " : " {\"x\": null} ");
      return t;
    }
    case 5: return std::string(1 + rng() % 200, static_cast<char>(rng() & 0xff));
    case 6: return "";
    case 7: return "[" + t + "]";
    default: {  // a huge budget, grid or dimension
      static const char* fields[] = {"\"max_steps\": 100000000, ", "\"grid\": 100000, ", "\"dim\": 100000, ",
                                     "\"max_fp\": 1000000000, "};
      const size_t b = t.find('{');
      if (b != std::string::npos) t.insert(b + 1, fields[rng() % 4]);
      return t;
    }
  }
}

class Driver {
 public:
  Driver(App& app, Platform& platform, const SoakOptions& o, SoakReport& r)
      : app_(app), platform_(platform), o_(o), r_(r), rng_(o.seed) {}

  void frame(int n = 1) {
    for (int i = 0; i < n; ++i) {
      app_.frame();
      platform_.present();
      ++r_.frames;
      check_status();
    }
  }

  // The app's error status must be one line; counted once per distinct message.
  void check_status() {
    if (!app_.status_is_error()) return;
    const std::string& s = app_.status_text();
    if (s == last_error_) return;
    last_error_ = s;
    ++r_.error_lines;
    if (r_.errors.size() < 40) r_.errors.insert(s.substr(0, 160));
    if (s.find('\n') != std::string::npos && r_.multi_line_error.empty()) r_.multi_line_error = s;
  }

  bool inside(const std::string& item, ImVec2 p) {
    ImVec2 a, b;
    return app_.item_rect(item, a, b) && p.x >= a.x && p.x <= b.x && p.y >= a.y && p.y <= b.y;
  }
  // Presses never land on the language-model scene switch (it would pretrain a model) or
  // the quit dialog.
  bool pressable(ImVec2 p) {
    return !inside("scene/kind_llm", p) && !inside("quit/save", p) && !inside("quit/discard", p) && p.y > 24;
  }

  void mouse(ImVec2 p, bool down) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = p;
    io.MouseDown[0] = down;
    frame();
  }

  void drag(ImVec2 from, ImVec2 to, int steps) {
    if (!pressable(from)) return;
    mouse(from, false);
    mouse(from, true);
    for (int k = 1; k <= steps; ++k) {
      const float t = static_cast<float>(k) / static_cast<float>(steps);
      mouse(ImVec2(from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t), true);
    }
    mouse(to, false);
  }

  void key(int k, bool ctrl = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyCtrl = ctrl;
    io.KeysDown[k] = true;
    frame();
    io.KeysDown[k] = false;
    frame();
    io.KeyCtrl = false;
  }

  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[rng_() % v.size()];
  }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  bool chance(double p) { return uniform(0, 1) < p; }

  // A slider dragged past its left or right end (the extremes), or to a random point.
  void slider_action() {
    std::vector<std::string> names;
    const Experiment& e = app_.exp();
    for (size_t i = 0; i < e.runs.size(); ++i)
      if (const OptimizerInfo* info = optimizer_find(e.runs[i].optimizer))
        for (const ParamDecl& d : info->params) names.push_back("runs/" + std::to_string(i) + "/" + d.name);
    if (const LandscapeDef* def = landscape_find(e.landscape.id)) {
      for (const ParamDecl& d : def->params) names.push_back("scene/" + d.name);
      if (def->nd) names.push_back("scene/dim");
    }
    names.push_back("plots/smoothing");
    names.push_back("playback/cursor");
    ImVec2 a, b;
    const std::string name = pick(names);
    if (!app_.item_rect(name, a, b) || b.x - a.x < 4) {
      // Not on screen (scrolled away): the same edit through the model, at an extreme.
      if (name.rfind("runs/", 0) == 0) {
        const size_t i = std::stoul(name.substr(5));
        const std::string p = name.substr(name.find('/', 5) + 1);
        const OptimizerInfo* info = optimizer_find(e.runs[i].optimizer);
        for (const ParamDecl& d : info->params)
          if (d.name == p) app_.exp().runs[i].hp[p] = chance(0.5) ? d.lo : d.hi;
      }
      frame();
      return;
    }
    const float y = 0.5f * (a.y + b.y);
    const float x0 = a.x + static_cast<float>(uniform(0.2, 0.8)) * (b.x - a.x);
    const double r = uniform(0, 1);
    const float x1 = r < 0.4 ? a.x - 200 : r < 0.8 ? b.x + 200 : a.x + static_cast<float>(uniform(0, 1)) * (b.x - a.x);
    drag(ImVec2(x0, y), ImVec2(x1, y), 3 + static_cast<int>(rng_() % 6));
  }

  void expression_action() {
    if (app_.exp().landscape.id != "expression") app_.set_landscape("expression");
    frame();
    ImVec2 a, b;
    if (!app_.item_rect("scene/expression", a, b)) return;
    const ImVec2 c(0.5f * (a.x + b.x), 0.5f * (a.y + b.y));
    if (!pressable(c)) return;
    mouse(c, false);
    mouse(c, true);
    mouse(c, false);
    key(kKeyA, true);
    key(kKeyBackspace);
    std::string text;
    if (chance(0.8)) {
      text = kExpressions[rng_() % (sizeof kExpressions / sizeof *kExpressions)];
    } else {  // random characters from the parser's alphabet, with a stray byte now and then
      static const char alphabet[] = "xy0123456789.+-*/^()e ,sincoqrtlgabmx";
      const int n = 1 + static_cast<int>(rng_() % 40);
      for (int k = 0; k < n; ++k) text += alphabet[rng_() % (sizeof alphabet - 1)];
      if (chance(0.1)) text += static_cast<char>(0x80 + rng_() % 0x80);
    }
    ImGui::GetIO().AddInputCharactersUTF8(text.c_str());
    frame(2);
    key(kKeyEnter);
  }

  void open_action() {
    const std::vector<Preset>& ps = presets();
    std::vector<const Preset*> land;
    for (const Preset& p : ps)
      if (p.name.rfind("llm_", 0) != 0) land.push_back(&p);
    const Preset& p = *pick(land);
    if (chance(0.3)) {
      app_.load_experiment("preset:" + p.name);
      ++r_.counts["open:preset"];
    } else {
      const std::string path = o_.dir + "/exp-" + std::to_string(rng_() % 8) + ".json";
      const bool bad = chance(0.85);
      atomic_write(path, bad ? corrupt(p.text, rng_) : p.text);
      std::string err;
      const bool loaded = app_.load_experiment(path, &err);
      ++r_.counts[bad ? (loaded ? "open:corrupt-accepted" : "open:corrupt-refused") : "open:file"];
      if (!loaded && err.find('\n') != std::string::npos && r_.multi_line_error.empty()) r_.multi_line_error = err;
    }
    if (app_.llm_mode()) app_.set_llm_mode(false);
    frame();
  }

  void export_action() {
    const std::string stem = o_.dir + "/export/e" + std::to_string(r_.actions);
    // Mostly ordinary sizes; now and then a degenerate or refused one.
    int w = 64 + static_cast<int>(rng_() % 1200), h = 64 + static_cast<int>(rng_() % 900);
    if (chance(0.1)) {
      static const int odd[][2] = {{0, 0}, {15, 15}, {16, 16}, {20000, 10}, {16, 4000}, {-5, 100}};
      const auto& s = odd[rng_() % 6];
      w = s[0];
      h = s[1];
    }
    switch (rng_() % 7) {
      case 0: app_.export_view_png(stem + "-view.png", w, h); break;
      case 5:  // the multi-panel figure, sizes down to ones too small for its panels
        app_.export_figure(stem + "-panels.png", stem + "-panels.svg", std::clamp(w, 1, 2000), std::clamp(h, 1, 2000),
                           plots_panel_figure_charts(app_));
        break;
      case 1: app_.export_figure(stem + "-fig.png", stem + "-fig.svg", std::clamp(w, 16, 2000), std::clamp(h, 16, 2000)); break;
      case 2: app_.export_runs(stem + "-runs.csv", stem + "-runs.jsonl"); break;
      case 3: app_.export_run_dir(stem + "-run"); break;
      case 4:
        try {
          make_dirs(o_.dir + "/export");
          export_plots(app_, stem + "-plot", std::clamp(w, 64, 1600), std::clamp(h, 64, 1200));
        } catch (const std::exception& err) {
          app_.status(error_line(err), true);
        }
        break;
      default: app_.request_screenshot(stem + "-screen.png"); break;
    }
    frame();
    if (chance(0.3)) app_.wait_tasks(120);
  }

  void resize_action() {
    int w = 320 + static_cast<int>(rng_() % 2240), h = 240 + static_cast<int>(rng_() % 1360);
    if (chance(0.15)) {
      static const int odd[][2] = {{64, 64}, {4000, 64}, {64, 3000}, {800, 500}};
      const auto& s = odd[rng_() % 4];
      w = s[0];
      h = s[1];
    }
    platform_.resize(w, h);
    frame(2);
  }

  void panels_action() {
    Model& m = app_.model();
    UiOptions& ui = m.ui;
    switch (rng_() % 12) {
      case 0: ui.show_export = !ui.show_export; break;
      case 1: ui.show_help = !ui.show_help; break;
      case 2: ui.show_open = !ui.show_open; break;
      case 3: ui.view_3d = !ui.view_3d; break;
      case 4: ui.show_legend = !ui.show_legend; break;
      case 5: ui.tiled = !ui.tiled; break;
      case 6: m.plots.log_y = !m.plots.log_y; break;
      case 7: m.plots.x_fp = !m.plots.x_fp; break;
      case 8: m.exp.view.colormap = pick(colormap_names()); break;
      case 9: m.exp.view.log_colour = static_cast<int>(rng_() % 3) - 1; break;
      case 10: m.exp.view.contours = chance(0.5) ? 0 : 40; break;
      default: m.exp.view.show_probes = !m.exp.view.show_probes; break;
    }
    ui.show_save = false;  // the save dialog would wait for typed paths
    frame(2);
  }

  void scene_action() {
    Experiment& e = app_.exp();
    switch (rng_() % 6) {
      case 0: {
        std::vector<std::string> ids;
        for (const LandscapeDef& d : landscape_catalog()) ids.push_back(d.id);
        app_.set_landscape(pick(ids));
        break;
      }
      case 1: {  // N-D dimension at its extremes or between
        static const int dims[] = {2, 3, 10, 1000, 20000, kLandscapeMaxDim};
        app_.set_dim(dims[rng_() % 6]);
        break;
      }
      case 2: e.seed = chance(0.3) ? ~uint64_t{0} : rng_(); break;
      case 3: e.landscape.noise = chance(0.5) ? 0 : uniform(0, 10); break;
      case 4: {
        static const char* modes[] = {"auto", "toward_minimum", "plane", "coords"};
        if (e.landscape.dim > 2) e.view.projection = modes[rng_() % 4];
        for (double& d : e.view.domain) d = 0;
        break;
      }
      default: {  // budgets: small, usual, and (refused before work) huge
        static const int64_t steps[] = {1, 10, 500, 2000, 20000, 100000000};
        const bool fp = chance(0.3);
        app_.set_budget(fp, steps[rng_() % 6] * (fp ? 2 : 1));
        break;
      }
    }
    frame();
  }

  void runs_action() {
    Experiment& e = app_.exp();
    const int n = static_cast<int>(e.runs.size());
    const double r = uniform(0, 1);
    if (r < 0.4 && n < 16) {
      app_.run_add(pick(optimizer_catalog()).id);
      ++r_.counts["runs:add"];
    } else if (r < 0.75 && n > 1) {
      const int i = static_cast<int>(rng_() % static_cast<size_t>(n));
      ImVec2 a, b;
      const std::string item = "runs/" + std::to_string(i) + "/remove";
      if (chance(0.5) && app_.item_rect(item, a, b)) {
        const ImVec2 c(0.5f * (a.x + b.x), 0.5f * (a.y + b.y));
        if (pressable(c)) {
          mouse(c, false);
          mouse(c, true);
          mouse(c, false);
        }
      } else {
        app_.run_remove(i);
      }
      ++r_.counts["runs:remove"];
    } else if (n < 16) {
      app_.run_duplicate(static_cast<int>(rng_() % static_cast<size_t>(n)));
      ++r_.counts["runs:duplicate"];
    } else {
      e.runs[rng_() % static_cast<size_t>(n)].visible ^= true;
    }
    frame();
  }

  void view_action() {
    ImVec2 a, b;
    const bool on3d = app_.model().ui.view_3d;
    if (!app_.item_rect(on3d ? "view/surface" : "view/landscape", a, b)) {
      frame();
      return;
    }
    const auto at = [&] {
      return ImVec2(a.x + static_cast<float>(uniform(0.05, 0.95)) * (b.x - a.x),
                    a.y + static_cast<float>(uniform(0.05, 0.95)) * (b.y - a.y));
    };
    if (chance(0.5)) {
      drag(at(), at(), 2 + static_cast<int>(rng_() % 8));
    } else {
      ImGuiIO& io = ImGui::GetIO();
      io.MousePos = at();
      io.MouseWheel = static_cast<float>(chance(0.2) ? (chance(0.5) ? 40 : -40) : uniform(-3, 3));
      frame();
    }
  }

  void keys_action() {
    static const int keys[] = {kKeySpace, kKeyS, kKeyRight, kKeyLeft, kKeyR, kKeyHome, kKeyEnd,
                               kKeyEqual, kKeyMinus, kKeyF, kKeyV, kKeyP, kKeyL, kKeyEscape};
    key(keys[rng_() % (sizeof keys / sizeof *keys)]);
    if (chance(0.3)) frame(static_cast<int>(rng_() % 30));  // let playback run
  }

  // Back to a canonical state (the default preset at one window size, panels closed, work
  // finished), so that resident memory is compared at the same state each time.
  double checkpoint() {
    app_.wait_tasks(300);
    app_.load_experiment("preset:rosenbrock");
    UiOptions& ui = app_.model().ui;
    ui.show_export = ui.show_help = ui.show_open = ui.show_save = false;
    ui.view_3d = false;
    ui.tiled = true;
    platform_.resize(1280, 800);
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(-1, -1);
    // The recompute lane's per-run cache keeps the last jobs' runs (bounded): three more
    // seeds of the same preset turn its content over, then the preset's own seed.
    const uint64_t seed0 = app_.exp().seed;
    for (uint64_t s : {seed0 + 1, seed0 + 2, seed0 + 3, seed0}) {
      app_.exp().seed = s;
      frame();
      app_.wait_idle(300);
      frame(2);
    }
    app_.wait_tasks(300);
    frame(2);
    malloc_trim(0);  // freed heap goes back to the system: what remains is held memory
    std::error_code ec;
    std::filesystem::remove_all(o_.dir + "/export", ec);
    return resident_mb();
  }

  // Warm-up tour: every landscape (N-D ones at a large dimension), every optimizer, both
  // views, the dialogs, each kind of export, the extreme window sizes and every landscape
  // preset, once, before the first checkpoint. The allocator's arenas, llvmpipe's shader
  // variants and the app's bounded caches reach their working size here, so the growth
  // figure measures what the random phase adds.
  void tour() {
    for (const LandscapeDef& d : landscape_catalog()) {
      app_.set_landscape(d.id);
      if (d.nd) app_.set_dim(2000);
      frame();
      app_.wait_idle(300);
      app_.model().ui.view_3d = !app_.model().ui.view_3d;
      frame(2);
    }
    app_.load_experiment("preset:rosenbrock");
    const size_t n0 = app_.exp().runs.size();
    for (const OptimizerInfo& info : optimizer_catalog()) app_.run_add(info.id);
    app_.set_budget(false, 5000);
    frame();
    app_.wait_idle(300);
    frame(2);
    for (int k = 0; k < 6; ++k) export_action();
    app_.wait_tasks(300);
    while (app_.exp().runs.size() > n0) app_.run_remove(static_cast<int>(app_.exp().runs.size()) - 1);
    UiOptions& ui = app_.model().ui;
    ui.show_export = ui.show_help = ui.show_open = true;
    for (const auto& [w, h] : {std::pair{2560, 1600}, std::pair{64, 64}, std::pair{4000, 64}, std::pair{1280, 800}}) {
      platform_.resize(w, h);
      frame(3);
    }
    for (const Preset& p : presets())
      if (p.name.rfind("llm_", 0) != 0) {
        app_.load_experiment("preset:" + p.name);
        frame();
        app_.wait_idle(300);
        frame(2);
      }
    for (int k = 0; k < 4; ++k) expression_action();
    for (int k = 0; k < 10; ++k) open_action();
  }

  void run() {
    const double t0 = now_s();
    const double interval = std::clamp(o_.seconds / 40, 5.0, 60.0);
    double next_cp = t0 + interval;
    struct Kind {
      const char* name;
      double weight;
      void (Driver::*act)();
    };
    const Kind kinds[] = {{"slider", 18, &Driver::slider_action}, {"runs", 10, &Driver::runs_action},
                          {"scene", 10, &Driver::scene_action},   {"expression", 6, &Driver::expression_action},
                          {"open", 8, &Driver::open_action},      {"export", 6, &Driver::export_action},
                          {"resize", 5, &Driver::resize_action},  {"panels", 8, &Driver::panels_action},
                          {"view", 12, &Driver::view_action},     {"keys", 10, &Driver::keys_action}};
    double total = 0;
    for (const Kind& k : kinds) total += k.weight;
    tour();
    r_.rss_mb.push_back(checkpoint());
    r_.rss_t.push_back(now_s() - t0);
    log_checkpoint();
    next_cp = now_s() + interval;
    const double end = now_s() + o_.seconds;  // the random phase, after the tour
    while (now_s() < end) {
      double x = uniform(0, total);
      const Kind* k = &kinds[0];
      for (const Kind& c : kinds)
        if ((x -= c.weight) < 0) {
          k = &c;
          break;
        }
      (this->*k->act)();
      ++r_.actions;
      ++r_.counts[k->name];
      if (app_.llm_mode()) app_.set_llm_mode(false);
      // Now and then the work in flight is let finish, as a user who stops to look would.
      if (chance(0.05)) app_.wait_idle(300);
      if (now_s() >= next_cp) {
        r_.rss_mb.push_back(checkpoint());
        r_.rss_t.push_back(now_s() - t0);
        log_checkpoint();
        next_cp = now_s() + interval;
      }
    }
    r_.rss_mb.push_back(checkpoint());
    r_.rss_t.push_back(now_s() - t0);
    log_checkpoint();
    r_.seconds = now_s() - t0;
    r_.random_seconds = o_.seconds;
  }

  void log_checkpoint() {
    if (!o_.log) return;
    const struct mallinfo2 mi = mallinfo2();
    std::fprintf(o_.log,
                 "soak: t=%6.0f s  actions %ld  frames %ld  rss %.1f MB (heap in use %.1f MB, threads %.0f, ImGui windows %d, "
                 "stored ids %d)  gl errors %d  error lines %ld\n",
                 r_.rss_t.back(), r_.actions, r_.frames, r_.rss_mb.back(), static_cast<double>(mi.uordblks + mi.hblkhd) / 1048576,
                 proc_status_mb("Threads") * 1024, GImGui->Windows.Size, GImGui->WindowsById.Data.Size, app_.gl_error_frames(),
                 r_.error_lines);
    std::fflush(o_.log);
  }

 private:
  App& app_;
  Platform& platform_;
  const SoakOptions& o_;
  SoakReport& r_;
  std::mt19937_64 rng_;
  std::string last_error_;
};

double median_of(const std::vector<double>& v, size_t from, size_t to) {
  if (to <= from) return 0;
  std::vector<double> x(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(to));
  std::sort(x.begin(), x.end());
  const size_t m = x.size() / 2;
  return x.size() % 2 ? x[m] : 0.5 * (x[m - 1] + x[m]);
}

}  // namespace

double resident_mb() { return proc_status_mb("VmRSS"); }
double resident_peak_mb() { return proc_status_mb("VmHWM"); }

SoakReport soak_run(App& app, Platform& platform, const SoakOptions& opts) {
  SoakOptions o = opts;
  if (o.dir.empty()) o.dir = (std::filesystem::temp_directory_path() / ("zoscope-soak-" + std::to_string(::getpid()))).string();
  make_dirs(o.dir);
  // Random input types relative paths into the export and file dialogs: they resolve inside
  // the soak's folder, never in the folder the soak was started from (a source tree).
  struct BackTo {  // the starting folder again when the soak ends, however it ends
    std::filesystem::path dir = std::filesystem::current_path();
    ~BackTo() {
      std::error_code ec;
      std::filesystem::current_path(dir, ec);
    }
  } back_to;
  o.dir = std::filesystem::absolute(o.dir).string();
  std::error_code cwd_ec;
  std::filesystem::current_path(o.dir, cwd_ec);
  if (cwd_ec) fail("soak", "cannot enter the soak folder " + o.dir + ": " + cwd_ec.message());
  app.set_record_items(true);
  SoakReport r;
  Driver d(app, platform, o, r);
  d.run();
  r.gl_error_frames = app.gl_error_frames();
  r.last_gl_error = app.last_gl_error();
  r.rss_peak_mb = resident_peak_mb();
  // Warm-up: the checkpoints of the first warmup_fraction of the time. The growth compares
  // the median of the last third of the checkpoints after warm-up (at most 10) with the
  // median of the first third: a leak grows steadily, the state a checkpoint holds (plot
  // layers, the recompute cache, the allocator's arenas) varies by a few percent.
  const size_t n = r.rss_mb.size();
  size_t w = 0;
  while (w < n && r.rss_t[w] < o.warmup_fraction * r.seconds) ++w;
  w = std::min(w, n >= 2 ? n - 2 : 0);
  const size_t k = std::max<size_t>(1, std::min<size_t>(10, (n - w) / 3));
  r.rss_warm_mb = median_of(r.rss_mb, w, w + k);
  r.rss_end_mb = median_of(r.rss_mb, n - k, n);
  r.growth = r.rss_warm_mb > 0 ? r.rss_end_mb / r.rss_warm_mb - 1 : 0;
  std::error_code ec;
  if (opts.dir.empty()) std::filesystem::remove_all(o.dir, ec);
  if (r.gl_error_frames > 0) r.failure = std::to_string(r.gl_error_frames) + " frame(s) left GL errors: " + r.last_gl_error;
  else if (!r.multi_line_error.empty()) r.failure = "an error spanned several lines: " + r.multi_line_error;
  else if (r.growth >= o.max_growth)
    r.failure = "resident memory grew by " + std::to_string(r.growth * 100) + "% after warm-up (limit " +
                std::to_string(o.max_growth * 100) + "%)";
  return r;
}

std::string soak_summary(const SoakReport& r) {
  std::ostringstream s;
  char buf[256];
  std::snprintf(buf, sizeof buf, "soak: %.0f s in all (random phase %.0f s after the warm-up tour), %ld actions, %ld frames (%.1f frames/s)\n",
                r.seconds, r.random_seconds, r.actions, r.frames, r.seconds > 0 ? static_cast<double>(r.frames) / r.seconds : 0.0);
  s << buf << "soak: actions by kind:";
  for (const auto& [k, v] : r.counts) s << " " << k << "=" << v;
  s << "\n";
  std::snprintf(buf, sizeof buf, "soak: GL error frames %d; error lines shown %ld (all one line: %s)\n", r.gl_error_frames,
                r.error_lines, r.multi_line_error.empty() ? "yes" : "no");
  s << buf;
  s << "soak: distinct error lines (first " << r.errors.size() << "):\n";
  for (const std::string& e : r.errors) s << "  | " << e << "\n";
  s << "soak: resident MB at checkpoints:";
  for (size_t i = 0; i < r.rss_mb.size(); ++i) {
    std::snprintf(buf, sizeof buf, " %.0fs:%.1f", r.rss_t[i], r.rss_mb[i]);
    s << buf;
  }
  s << "\n";
  std::snprintf(buf, sizeof buf, "soak: resident after warm-up %.1f MB, at the end %.1f MB (medians): growth %+.2f%%; peak (VmHWM) %.1f MB\n",
                r.rss_warm_mb, r.rss_end_mb, 100 * r.growth, r.rss_peak_mb);
  s << buf;
  s << (r.ok() ? "soak: PASS\n" : "soak: FAIL: " + r.failure + "\n");
  return s.str();
}

}  // namespace zs::gui
