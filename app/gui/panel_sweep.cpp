// File > Run sweep... runs the current experiment's sweep in the background (below) and
// File > Open sweep or comparison... shows the folder written by it or by `zoscope-cli sweep
// --out DIR` in a window of its own: the sweep's figures (drawn by core's exporter from
// sweep.csv, exactly the CLI's sweep.png / sweep_fp.png) and its table. experiment.json beside
// sweep.csv, when present, gives run colours, which runs a parameter applies to, the name and
// the target. A `finetune --seeds` folder shows its compare.png and text tables instead.
#include <imgui.h>
#include <imgui_stdlib.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <limits>
#include <sstream>
#include <memory>
#include <thread>
#include <stb/stb_image.h>
#include "app/gui/app.h"
#include "app/gui/keys.h"
#include "app/gui/gl.h"
#include "app/gui/gl_util.h"
#include "app/gui/panels.h"
#include "app/gui/text_wrap.h"
#include "core/export/heat_chart.h"
#include "core/export/line_chart.h"
#include "core/io/limits.h"
#include "core/opt/optimizer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs::gui {

namespace {

struct SweepWindow {
  SweepView view;
  std::vector<GlTexture> textures;  // one per figure, in the GL context of App `instance`
  uint64_t instance = 0;
  bool open = false;
};
// The window of `app` (another App, e.g. a later test's, finds it closed: the textures of
// the old one's context are forgotten, not deleted in this one).
SweepWindow& sweep_window(const App& app) {
  static SweepWindow w;
  if (w.instance != app.instance()) {
    for (GlTexture& t : w.textures) t.release();
    w = SweepWindow();
    w.instance = app.instance();
  }
  return w;
}

GlTexture upload(const Image& img) {
  GlTexture t = gl_texture_new();
  glBindTexture(GL_TEXTURE_2D, t.id());
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, img.w, img.h, 0, GL_RGBA, GL_UNSIGNED_BYTE, img.rgba.data());
  glBindTexture(GL_TEXTURE_2D, 0);
  return t;
}

// A text table as compare_table / lr_sweep_table print it: columns apart by two or more
// spaces (a cell holds single spaces: "0.62 +- 0.02"); a line of one cell (a note) stays whole.
void append_text_table(std::vector<std::vector<std::string>>& rows, const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && line[i] == ' ') ++i;
      if (i >= line.size()) break;
      size_t j = i;
      while (j < line.size() && !(line[j] == ' ' && j + 1 < line.size() && line[j + 1] == ' ')) ++j;
      std::string cell = line.substr(i, j - i);
      while (!cell.empty() && cell.back() == ' ') cell.pop_back();
      cells.push_back(cell);
      i = j;
    }
    if (!cells.empty()) rows.push_back(std::move(cells));
  }
}

// A `finetune --seeds` folder: compare.png and table.txt (lr_sweep.txt first when present).
SweepView comparison_view_load(const std::string& dir) {
  namespace fs = std::filesystem;
  SweepView v;
  v.kind = "comparison";
  v.dir = dir;
  const std::string png = (fs::path(dir) / "compare.png").string();
  int w = 0, h = 0, n = 0;
  unsigned char* px = stbi_load(png.c_str(), &w, &h, &n, 4);
  if (!px) fail(png, std::string("cannot read the comparison's figure: ") + stbi_failure_reason());
  Image img;
  img.w = w;
  img.h = h;
  img.rgba.assign(px, px + static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
  stbi_image_free(px);
  v.titles.push_back("metric vs forward passes");
  v.figures.push_back(std::move(img));
  std::error_code ec;
  if (fs::exists(fs::path(dir) / "lr_sweep.txt", ec)) {
    append_text_table(v.table, read_file((fs::path(dir) / "lr_sweep.txt").string()));
    v.table.push_back({});
  }
  append_text_table(v.table, read_file((fs::path(dir) / "table.txt").string()));
  return v;
}

}  // namespace

bool is_comparison_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  return !fs::exists(fs::path(dir) / "sweep.csv", ec) && fs::exists(fs::path(dir) / "table.txt", ec) &&
         fs::exists(fs::path(dir) / "compare.png", ec);
}

SweepView sweep_view_load(const std::string& dir, int w, int h) {
  namespace fs = std::filesystem;
  if (is_comparison_dir(dir)) return comparison_view_load(dir);
  SweepView v;
  v.dir = dir;
  v.result = sweep_csv_read((fs::path(dir) / "sweep.csv").string());
  const std::string exp = (fs::path(dir) / "experiment.json").string();
  std::error_code ec;
  if (fs::exists(exp, ec)) {
    v.base = experiment_load(exp);
    v.result.target = v.base.target_loss;
  } else {
    v.base.name = fs::path(dir).filename().string();
  }
  if (v.result.params.size() == 2) {
    v.titles.push_back("final loss");
    v.figures.push_back(heat_chart_render_image(sweep_heat_chart(v.result, v.base, SweepMetric::final_loss), w, h));
    if (std::isfinite(v.result.target)) {
      v.titles.push_back("FP to target");
      v.figures.push_back(heat_chart_render_image(sweep_heat_chart(v.result, v.base, SweepMetric::fp_to_target), w, h));
    }
  } else {
    v.titles.push_back("final loss");
    v.figures.push_back(chart_render_image(sweep_chart(v.result, v.base), w, h));
  }
  v.table = sweep_table_rows(v.result);
  return v;
}

bool open_sweep(App& app, const std::string& dir, std::string* error) {
  try {
    SweepView v = sweep_view_load(dir, 1600, 1000);
    SweepWindow& w = sweep_window(app);
    w.textures.clear();
    for (const Image& img : v.figures) w.textures.push_back(upload(img));
    w.view = std::move(v);
    w.open = true;
    app.status("opened " + w.view.kind + " " + dir);
    return true;
  } catch (const std::exception& e) {
    const std::string line = error_line(e);
    if (error) *error = line;
    app.status("cannot open sweep: " + line, true);
    return false;
  }
}

const SweepView* open_sweep_view(const App& app) {
  const SweepWindow& w = sweep_window(app);
  return w.open ? &w.view : nullptr;
}

void DrawSweepWindow(App& app) {
  DrawRunSweepDialog(app);
  SweepWindow& w = sweep_window(app);
  if (!w.open) return;
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowSize(ImVec2(io.DisplaySize.x * 0.7f, io.DisplaySize.y * 0.75f), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  const std::string title = (w.view.kind == "sweep" ? "Sweep: " : "Comparison over seeds: ") + w.view.dir + "###sweep";
  if (ImGui::Begin(title.c_str(), &w.open, ImGuiWindowFlags_NoCollapse)) {
    app.note_item("sweep/window");
    if (ImGui::BeginTabBar("sweep_tabs")) {
      for (size_t i = 0; i < w.view.figures.size(); ++i) {
        if (!ImGui::BeginTabItem(w.view.titles[i].c_str())) continue;
        // The figure scaled to the window, aspect kept.
        const Image& img = w.view.figures[i];
        const ImVec2 avail = ImGui::GetContentRegionAvail();
        const float s = std::max(0.05f, std::min(avail.x / static_cast<float>(img.w), avail.y / static_cast<float>(img.h)));
        ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(w.textures[i].id())),
                     ImVec2(static_cast<float>(img.w) * s, static_cast<float>(img.h) * s));
        app.note_item("sweep/figure");
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("table")) {
        const auto& rows = w.view.table;
        size_t widest = 1;
        for (const auto& row : rows) widest = std::max(widest, row.size());
        const int cols = static_cast<int>(widest);
        if (ImGui::BeginTable("sweep_table", cols, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Borders |
                                                        ImGuiTableFlags_SizingFixedFit)) {
          ImGui::TableSetupScrollFreeze(0, 1);
          for (int c = 0; c < cols; ++c)
            ImGui::TableSetupColumn(static_cast<size_t>(c) < rows[0].size() ? rows[0][static_cast<size_t>(c)].c_str() : "");
          ImGui::TableHeadersRow();
          for (size_t r = 1; r < rows.size(); ++r) {
            ImGui::TableNextRow();
            for (const std::string& cell : rows[r]) {
              ImGui::TableNextColumn();
              ImGui::TextUnformatted(cell.c_str());
            }
          }
          ImGui::EndTable();
        }
        app.note_item("sweep/table");
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
  }
  ImGui::End();
}

}  // namespace zs::gui

// ---------------------------------------------------------------------------------------
// File > Run sweep...

namespace zs::gui {

namespace {

struct SweepJob {
  std::atomic<bool> cancel{false}, finished{false};
  std::atomic<int> done{0}, total{0};
  std::string dir;
  std::string error;  // written by the worker before `finished`
  std::thread thread;
};

// The dialog's choice for one swept hyperparameter.
struct ParamForm {
  int run = -1;  // -1: every run that declares it
  std::string name;
  double from = 0, to = 0;
  int points = 5;
  bool log = false;
};

struct SweepForm {
  ParamForm p[2];
  bool second = false;
  int seeds = 3;
  std::string target;  // empty: the experiment's
  std::string dir;
  std::string error;   // the last refusal, shown under the buttons
};

// The sweep of App `instance`: a later App (a test's) finds none running (the old one is
// cancelled and joined first; the worker never touches the App).
struct SweepRunner {
  uint64_t instance = 0;
  std::unique_ptr<SweepJob> job;
  bool handled = true;  // the finished job's folder opened or its error shown
  bool show = false;
  SweepForm form;
  ~SweepRunner() { stop(); }
  void stop() {
    if (job && job->thread.joinable()) {
      job->cancel = true;
      job->thread.join();
    }
  }
};

SweepRunner& sweep_runner(const App& app) {
  static SweepRunner r;
  if (r.instance != app.instance()) {
    r.stop();
    r.job.reset();
    r.handled = true;
    r.show = false;
    r.form = SweepForm();
    r.instance = app.instance();
  }
  return r;
}

std::string num_text(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", v);
  return b;
}

// The declaration of `name` on the runs the form selects (the first that declares it).
const ParamDecl* form_decl(const Experiment& e, const ParamForm& f, double* current = nullptr) {
  for (size_t i = 0; i < e.runs.size(); ++i) {
    if (f.run >= 0 && static_cast<size_t>(f.run) != i) continue;
    const OptimizerInfo* info = optimizer_find(e.runs[i].optimizer);
    const ParamDecl* d = info ? param_find(info->params, f.name) : nullptr;
    if (!d) continue;
    if (current) {
      const auto it = e.runs[i].hp.find(f.name);
      *current = it != e.runs[i].hp.end() ? it->second : d->def;
    }
    return d;
  }
  return nullptr;
}

// Hyperparameter names the selected runs declare, in declaration order.
std::vector<std::string> form_names(const Experiment& e, int run) {
  std::vector<std::string> out;
  for (size_t i = 0; i < e.runs.size(); ++i) {
    if (run >= 0 && static_cast<size_t>(run) != i) continue;
    if (const OptimizerInfo* info = optimizer_find(e.runs[i].optimizer))
      for (const ParamDecl& d : info->params)
        if (std::find(out.begin(), out.end(), d.name) == out.end()) out.push_back(d.name);
  }
  return out;
}

// A range around the current value: a decade each way on log scales, half to double on
// linear ones (the whole range when the value is 0), clamped to the declaration.
void form_defaults(const Experiment& e, ParamForm& f) {
  double v = 0;
  const ParamDecl* d = form_decl(e, f, &v);
  if (!d) return;
  const auto clamp = [&](double x) { return std::clamp(x, d->lo, d->hi); };
  f.log = d->log_scale && v > 0;
  if (f.log) {
    f.from = clamp(v / 10), f.to = clamp(v * 10);
  } else if (v != 0) {
    f.from = clamp(std::min(v / 2, v * 2)), f.to = clamp(std::max(v / 2, v * 2));
  } else {
    f.from = d->lo, f.to = std::isfinite(d->hi) ? d->hi : 1.0;
  }
  if (d->kind == ParamKind::Int) f.from = std::round(f.from), f.to = std::round(f.to);
  f.points = d->kind == ParamKind::Int ? static_cast<int>(std::min(5.0, std::abs(f.to - f.from) + 1)) : 5;
}

// The form's values: the range (integers rounded, repeats dropped), or every choice.
std::vector<double> form_values(const Experiment& e, const ParamForm& f) {
  const ParamDecl* d = form_decl(e, f);
  if (!d) return {};
  if (d->kind == ParamKind::Bool) return {0, 1};
  if (d->kind == ParamKind::Choice) {
    std::vector<double> v;
    for (size_t k = 0; k < d->choices.size(); ++k) v.push_back(static_cast<double>(k));
    return v;
  }
  if (f.log && (f.from <= 0 || f.to <= 0)) return {};
  std::vector<double> v = sweep_values(f.from, f.to, std::max(1, f.points), f.log);
  if (d->kind == ParamKind::Int) {
    for (double& x : v) x = std::round(x);
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  return v;
}

// The run selector as --param writes it: the label when no other run has it, else the index.
std::string form_selector(const Experiment& e, int run) {
  if (run < 0) return "";
  const std::string& label = e.runs[static_cast<size_t>(run)].label;
  const auto same = std::count_if(e.runs.begin(), e.runs.end(), [&](const RunSpec& r) { return r.label == label; });
  return same == 1 && label.find_first_of("=.,:") == std::string::npos ? label : std::to_string(run);
}

SweepRequest form_request(const Experiment& e, const SweepForm& f) {
  SweepRequest req;
  for (int k = 0; k < (f.second ? 2 : 1); ++k) {
    SweepParam p;
    p.selector = form_selector(e, f.p[k].run);
    p.name = f.p[k].name;
    p.values = form_values(e, f.p[k]);
    p.log_scale = f.p[k].log;
    req.params.push_back(std::move(p));
  }
  req.seeds = f.seeds;
  if (!f.target.empty()) {
    char* end = nullptr;
    const double t = std::strtod(f.target.c_str(), &end);
    req.target = *end == 0 && std::isfinite(t) ? t : std::numeric_limits<double>::infinity();  // refused by run_sweep
  }
  req.dir = f.dir;
  return req;
}

void form_param_row(App& app, SweepForm& form, int k) {
  const Experiment& e = app.exp();
  ParamForm& f = form.p[k];
  ImGui::PushID(k);
  if (f.run >= static_cast<int>(e.runs.size())) f.run = -1;
  const std::string run_text = f.run < 0 ? "every run" : e.runs[static_cast<size_t>(f.run)].label;
  ImGui::SetNextItemWidth(150);
  bool changed = false;
  if (ImGui::BeginCombo("run", run_text.c_str())) {
    if (ImGui::Selectable("every run", f.run < 0)) f.run = -1, changed = true;
    for (size_t i = 0; i < e.runs.size(); ++i)
      if (ImGui::Selectable((e.runs[i].label + "##" + std::to_string(i)).c_str(), f.run == static_cast<int>(i)))
        f.run = static_cast<int>(i), changed = true;
    ImGui::EndCombo();
  }
  app.note_item("runsweep/run" + std::to_string(k));
  const std::vector<std::string> names = form_names(e, f.run);
  if (std::find(names.begin(), names.end(), f.name) == names.end()) {
    f.name = names.empty() ? "" : std::find(names.begin(), names.end(), "lr") != names.end() ? "lr" : names[0];
    changed = true;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(150);
  if (ImGui::BeginCombo("hyperparameter", f.name.c_str())) {
    for (const std::string& n : names)
      if (ImGui::Selectable(n.c_str(), n == f.name)) f.name = n, changed = true;
    ImGui::EndCombo();
  }
  app.note_item("runsweep/name" + std::to_string(k));
  if (changed) form_defaults(e, f);
  const ParamDecl* d = form_decl(e, f);
  if (d && (d->kind == ParamKind::Real || d->kind == ParamKind::Int)) {
    ImGui::SetNextItemWidth(100);
    ImGui::InputDouble("from", &f.from, 0, 0, "%.4g");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(100);
    ImGui::InputDouble("to", &f.to, 0, 0, "%.4g");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    ImGui::SliderInt("points", &f.points, 1, 50, "%d", ImGuiSliderFlags_AlwaysClamp);
    ImGui::SameLine();
    ImGui::Checkbox("log", &f.log);
  }
  const std::vector<double> v = form_values(e, f);
  std::string shown = std::to_string(v.size()) + (v.size() == 1 ? " value" : " values");
  if (!v.empty()) shown += ": " + num_text(v.front()) + (v.size() > 2 ? ", ..., " : v.size() == 2 ? ", " : "") + (v.size() > 1 ? num_text(v.back()) : "");
  if (d && d->kind == ParamKind::Choice) shown += " (every choice)";
  if (f.log && (f.from <= 0 || f.to <= 0)) shown = "log spacing needs both ends > 0";
  ImGui::TextDisabled("%s", shown.c_str());
  ImGui::PopID();
}

}  // namespace

bool run_sweep(App& app, const SweepRequest& req, std::string* error) {
  SweepRunner& r = sweep_runner(app);
  const auto refuse = [&](const std::string& line) {
    if (error) *error = line;
    r.form.error = line;
    app.status("cannot run sweep: " + line, true);
    return false;
  };
  if (app.llm_mode())
    return refuse("sweeps run on landscape scenes (a language model's runs over seeds and learning rates: File > Compare over seeds)");
  if (r.job && !r.job->finished) return refuse("a sweep is already running");
  Experiment e = app.exp();
  std::vector<SweepParam> params = req.params;
  try {
    if (!std::isnan(req.target)) {
      if (!std::isfinite(req.target)) fail("target loss", "is not a finite number");
      e.target_loss = req.target;
    }
    sweep_check(e, params, req.seeds);
    experiment_check_limits(e, 0, 0);
    if (req.dir.empty()) fail("folder", "is empty");
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::path(req.dir) / "sweep.csv", ec))
      fail(req.dir, "already holds a sweep.csv (choose another folder)");
  } catch (const std::exception& ex) {
    return refuse(error_line(ex));
  }
  if (r.job && r.job->thread.joinable()) r.job->thread.join();
  r.job = std::make_unique<SweepJob>();
  r.handled = false;
  r.form.error.clear();
  SweepJob* job = r.job.get();
  job->dir = req.dir;
  size_t cells = 1;
  for (const SweepParam& p : params) cells *= p.values.size();
  job->total = static_cast<int>(cells) * req.seeds;
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency() - 1));  // a core for the UI
  job->thread = std::thread([job, e = std::move(e), params = std::move(params), seeds = req.seeds, threads] {
    try {
      const SweepResult res = sweep_run(e, params, seeds, threads, [job](int d, int) { job->done = d; }, &job->cancel);
      sweep_write_dir(res, e, job->dir);
    } catch (const std::exception& ex) {
      job->error = error_line(ex);
    }
    job->finished = true;
  });
  app.status("sweep started: " + std::to_string(job->total.load()) + " jobs into " + req.dir);
  return true;
}

bool sweep_running(const App& app) {
  const SweepRunner& r = sweep_runner(app);
  return r.job && !r.handled;
}

void cancel_sweep(App& app) {
  SweepRunner& r = sweep_runner(app);
  if (r.job) r.job->cancel = true;
}

std::pair<int, int> sweep_progress(const App& app) {
  const SweepRunner& r = sweep_runner(app);
  return r.job ? std::make_pair(r.job->done.load(), r.job->total.load()) : std::make_pair(0, 0);
}

std::string sweep_command(const App& app, const SweepRequest& req) {
  const Model& m = app.model();
  std::string cmd = "zoscope-cli sweep " + (m.exp_path.empty() || app.unsaved() ? std::string("EXPERIMENT.json") : m.exp_path);
  for (const SweepParam& p : req.params) cmd += " --param " + sweep_param_text(p);
  cmd += " --seeds " + std::to_string(req.seeds);
  if (std::isfinite(req.target)) cmd += " --target " + fmt_double(req.target);  // reads back as the same value
  return cmd + " --out " + (req.dir.empty() ? "DIR" : req.dir);
}

void OpenRunSweepDialog(App& app) {
  SweepRunner& r = sweep_runner(app);
  r.show = true;
  if (r.form.dir.empty() || std::filesystem::exists(std::filesystem::path(r.form.dir) / "sweep.csv"))
    r.form.dir = export_path(app, app.model().ui.export_dir, "sweep", {""}, std::time(nullptr));
}

// Polls the job (every frame: a finished sweep's folder opens in the sweep window) and
// draws the dialog.
void DrawRunSweepDialog(App& app) {
  SweepRunner& r = sweep_runner(app);
  if (r.job && r.job->finished && !r.handled) {
    r.job->thread.join();
    r.handled = true;
    if (r.job->error.empty()) {
      if (open_sweep(app, r.job->dir)) app.status("sweep written to " + r.job->dir);
    } else {
      r.form.error = r.job->error;
      app.status(r.job->error, true);
    }
  }
  if (!r.show) return;
  SweepForm& f = r.form;
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.4f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(640.0f, io.DisplaySize.x), 0), ImGuiCond_Appearing);
  if (ImGui::Begin("Run sweep###runsweep", &r.show, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
    app.note_item("runsweep/window");
    if (ImGui::IsKeyPressed(kKeyEscape, false)) r.show = false;  // as the app's other dialogs (a running sweep goes on)
    const Experiment& e = app.exp();
    const bool busy = sweep_running(app);
    if (app.llm_mode() && !busy) {
      ImGui::TextWrapped("Sweeps run on landscape scenes. For a language model, File > Compare over seeds repeats "
                         "its runs over seeds and learning-rate factors.");
    } else {
      ImGui::TextWrapped("Every run of \"%s\" at each grid point, once per seed (seed k = the experiment's + k), as "
                         "zoscope-cli sweep runs it; the result opens in the sweep window.",
                         (e.name.empty() ? e.landscape.id : e.name).c_str());
      ImGui::BeginDisabled(busy);
      form_param_row(app, f, 0);
      ImGui::Checkbox("second parameter (heatmaps)", &f.second);
      app.note_item("runsweep/second");
      if (f.second) form_param_row(app, f, 1);
      ImGui::SetNextItemWidth(120);
      ImGui::SliderInt("seeds", &f.seeds, 1, 20, "%d", ImGuiSliderFlags_AlwaysClamp);
      ImGui::SameLine();
      ImGui::SetNextItemWidth(100);
      ImGui::InputTextWithHint("target loss", std::isfinite(e.target_loss) ? num_text(e.target_loss).c_str() : "none", &f.target);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("FP to this loss is reported per cell (empty: the experiment's target)");
      ImGui::SetNextItemWidth(-60);
      ImGui::InputText("folder", &f.dir);
      app.note_item("runsweep/folder");
      ImGui::EndDisabled();
      const SweepRequest req = form_request(e, f);
      size_t cells = 1;
      for (const SweepParam& p : req.params) cells *= p.values.size();
      const long long budget = e.max_fp > 0 ? e.max_fp : e.max_steps;
      ImGui::TextDisabled("%zu cells x %d seeds = %zu jobs, each %zu runs of %lld %s", cells, f.seeds,
                          cells * static_cast<size_t>(f.seeds), e.runs.size(), budget, e.max_fp > 0 ? "FP" : "steps");
      command_text(sweep_command(app, req));
      if (!busy) {
        if (ImGui::Button("Run sweep")) run_sweep(app, req);
        app.note_item("runsweep/run");
      } else {
        if (ImGui::Button("Cancel")) cancel_sweep(app);
        app.note_item("runsweep/cancel");
        ImGui::SameLine();
        const auto [done, total] = sweep_progress(app);
        ImGui::ProgressBar(total > 0 ? static_cast<float>(done) / static_cast<float>(total) : 0.0f, ImVec2(-1, 0),
                           (std::to_string(done) + " / " + std::to_string(total) + " jobs").c_str());
      }
      if (!f.error.empty()) error_text(f.error);
    }
  }
  ImGui::End();
}

}  // namespace zs::gui
