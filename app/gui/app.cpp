// App: model ownership, change detection -> recompute jobs, playback, shortcuts, the frame
// loop and export tasks. See app.h for the section index.
#include "app/gui/app.h"
#include "app/gui/follow_run.h"
#include "app/gui/imgui_canvas.h"
#include <imgui_impl_opengl3.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include "app/gui/keys.h"
#include "app/gui/panels.h"
#include "core/export/panels.h"
#include "core/io/limits.h"
#include "core/io/presets.h"
#include "core/io/run_files.h"
#include "core/landscape/grid_landscape.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

extern "C" const unsigned char zs_font_dejavu[];
extern "C" const unsigned char zs_font_dejavu_end[];

namespace zs::gui {

namespace {

// The parts of an experiment each derived object depends on, as canonical JSON text:
// comparing keys frame to frame is how edits anywhere in the UI trigger recomputation.
nlohmann::json view_projection(const nlohmann::json& j) {
  nlohmann::json v = nlohmann::json::object();
  if (const auto it = j.find("view"); it != j.end())
    for (const char* k : {"projection", "coords", "plane_seed"})
      if (it->contains(k)) v[k] = (*it)[k];
  return v;
}

std::string scene_key(const Experiment& e) {
  const nlohmann::json j = experiment_to_json(e);
  nlohmann::json k = {{"landscape", j["landscape"]}, {"proj", view_projection(j)}};
  if (j.contains("start")) k["start"] = j["start"];
  if (j["view"].contains("domain")) k["domain"] = j["view"]["domain"];
  if (j["view"].contains("log_colour")) k["log"] = j["view"]["log_colour"];
  return k.dump();
}

std::string runs_key(const Experiment& e) {
  nlohmann::json j = experiment_to_json(e);
  const nlohmann::json proj = view_projection(j);
  for (const char* k : {"name", "description", "view", "export", "target_loss"}) j.erase(k);
  j["proj"] = proj;
  for (auto& r : j["runs"])
    for (const char* k : {"label", "colour", "visible"}) r.erase(k);
  return j.dump();
}

std::string grid_key(const Experiment& e, const double extent[4], int n) {
  const nlohmann::json j = experiment_to_json(e);
  nlohmann::json k = {{"landscape", j["landscape"]}, {"proj", view_projection(j)}, {"n", n},
                      {"extent", {extent[0], extent[1], extent[2], extent[3]}}};
  if (e.landscape.dim > 2 && j.contains("start")) k["start"] = j["start"];
  if (j["view"].contains("log_colour")) k["log"] = j["view"]["log_colour"];
  return k.dump();
}

void make_parent_dirs(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) make_dirs(path.substr(0, slash));
}

// The font atlas' filtering: nearest for the UI (text at native size), bilinear while an
// export draws scaled text.
void font_filter_set(bool linear) {
  const GLuint tex = static_cast<GLuint>(reinterpret_cast<intptr_t>(ImGui::GetIO().Fonts->TexID));
  if (!tex) return;
  GLint prev = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &prev);
  glBindTexture(GL_TEXTURE_2D, tex);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, linear ? GL_LINEAR : GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, linear ? GL_LINEAR : GL_NEAREST);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(prev));
}

// Draws one ImDrawList into the bound framebuffer, covering `size` from `origin` at `scale`
// pixels per unit. Layers and exports are drawn with a bilinear atlas: their lines use
// ImGui's textured anti-aliasing.
void render_one_list(const ImDrawList& dl, ImVec2 origin, ImVec2 size, ImVec2 scale) {
  ImDrawList* lists[] = {const_cast<ImDrawList*>(&dl)};
  ImDrawData dd;
  dd.Valid = true;
  dd.CmdLists = lists;
  dd.CmdListsCount = 1;
  dd.TotalVtxCount = dl.VtxBuffer.Size;
  dd.TotalIdxCount = dl.IdxBuffer.Size;
  dd.DisplayPos = origin;
  dd.DisplaySize = size;
  dd.FramebufferScale = scale;
  font_filter_set(true);
  ImGui_ImplOpenGL3_RenderDrawData(&dd);
  font_filter_set(false);
}

bool file_exists(const std::string& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

void style_setup() {
  ImGui::StyleColorsDark();
  ImGuiStyle& s = ImGui::GetStyle();
  // Anti-aliased lines from geometry, not from the (nearest-sampled) font atlas.
  s.AntiAliasedLinesUseTex = false;
  s.WindowRounding = 0;
  s.FrameRounding = 3;
  s.GrabRounding = 3;
  s.TabRounding = 3;
  s.WindowBorderSize = 1;
  s.FramePadding = ImVec2(6, 3);
  s.ItemSpacing = ImVec2(7, 5);
  s.WindowPadding = ImVec2(8, 7);
  s.ScrollbarSize = 12;
  s.GrabMinSize = 9;
  ImVec4* c = s.Colors;
  c[ImGuiCol_WindowBg] = ImVec4(0.095f, 0.105f, 0.125f, 1.f);
  c[ImGuiCol_ChildBg] = ImVec4(0.08f, 0.09f, 0.105f, 1.f);
  c[ImGuiCol_PopupBg] = ImVec4(0.09f, 0.10f, 0.12f, 0.97f);
  c[ImGuiCol_TitleBg] = ImVec4(0.12f, 0.135f, 0.16f, 1.f);
  c[ImGuiCol_TitleBgActive] = ImVec4(0.15f, 0.18f, 0.23f, 1.f);
  c[ImGuiCol_MenuBarBg] = ImVec4(0.12f, 0.135f, 0.16f, 1.f);
  c[ImGuiCol_FrameBg] = ImVec4(0.16f, 0.18f, 0.22f, 1.f);
  c[ImGuiCol_FrameBgHovered] = ImVec4(0.22f, 0.26f, 0.32f, 1.f);
  c[ImGuiCol_FrameBgActive] = ImVec4(0.26f, 0.32f, 0.40f, 1.f);
  c[ImGuiCol_Header] = ImVec4(0.18f, 0.22f, 0.28f, 1.f);
  c[ImGuiCol_HeaderHovered] = ImVec4(0.24f, 0.30f, 0.38f, 1.f);
  c[ImGuiCol_HeaderActive] = ImVec4(0.28f, 0.36f, 0.46f, 1.f);
  c[ImGuiCol_Button] = ImVec4(0.20f, 0.25f, 0.32f, 1.f);
  c[ImGuiCol_ButtonHovered] = ImVec4(0.27f, 0.35f, 0.46f, 1.f);
  c[ImGuiCol_ButtonActive] = ImVec4(0.32f, 0.42f, 0.56f, 1.f);
  c[ImGuiCol_SliderGrab] = ImVec4(0.45f, 0.62f, 0.85f, 1.f);
  c[ImGuiCol_SliderGrabActive] = ImVec4(0.55f, 0.72f, 0.95f, 1.f);
  c[ImGuiCol_CheckMark] = ImVec4(0.55f, 0.75f, 1.f, 1.f);
  c[ImGuiCol_Tab] = ImVec4(0.14f, 0.17f, 0.21f, 1.f);
  c[ImGuiCol_TabActive] = ImVec4(0.24f, 0.31f, 0.40f, 1.f);
  c[ImGuiCol_TabHovered] = ImVec4(0.30f, 0.38f, 0.50f, 1.f);
  c[ImGuiCol_Border] = ImVec4(0.2f, 0.22f, 0.26f, 1.f);
}

}  // namespace

// [SECTION] construction

App::App(Platform& platform, const AppOptions& opts)
    : platform_(platform), opts_(opts), recompute_(opts.threads), llm_(llm_scene_create()) {
  static uint64_t instances = 0;
  instance_ = ++instances;
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  if (!opts_.settings_dir.empty()) {
    settings_ = settings_load(opts_.settings_dir + "/settings.json");
    settings_problem_ = settings_dir_problem(opts_.settings_dir);  // creates the folder
    // imgui.ini is read here and written by save_settings (atomically: Dear ImGui's own
    // writer rewrites the file in place, which a crash or a full disk leaves cut).
    ini_path_ = opts_.settings_dir + "/imgui.ini";
    if (file_exists(ini_path_)) ImGui::LoadIniSettingsFromDisk(ini_path_.c_str());
    m_.ui.tiled = settings_.tiled;
    m_.ui.sidebar_w = settings_.sidebar_w;
    m_.ui.plots_w = settings_.plots_w;
    m_.ui.view_3d = settings_.view_3d;
    m_.ui.export_dir = settings_.export_dir;
    m_.ui.export_w = settings_.export_w;
    m_.ui.export_h = settings_.export_h;
    m_.plots.smoothing = settings_.smoothing;
    m_.plots.x_fp = settings_.x_fp;
  }
  style_setup();
  // DejaVu Sans, embedded by core for the exporter: one size for the UI, and the sizes the
  // landscape figure's text takes (figure_fonts_add, imgui_canvas.h).
  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = false;
  // Glyphs snapped to whole pixels at their native size can be sampled NEAREST (set after
  // the backend creates the atlas texture), which llvmpipe does twice as fast as bilinear.
  cfg.OversampleH = 1;
  cfg.PixelSnapH = true;
  void* ttf = const_cast<unsigned char*>(zs_font_dejavu);
  const int ttf_size = static_cast<int>(zs_font_dejavu_end - zs_font_dejavu);
  io.Fonts->AddFontFromMemoryTTF(ttf, ttf_size, 15.f, &cfg);
  figure_fonts_add(io.Fonts, ttf, ttf_size);
  platform_.imgui_init();
  ImGui_ImplOpenGL3_Init("#version 330 core");
  textures_ = std::make_unique<LandscapeTextures>();
  heatmap_ = std::make_unique<HeatmapRenderer>();
  surface_ = std::make_unique<SurfaceRenderer>();
  plot::set_layer_renderer(this);
}

App::~App() {
  plot::set_layer_renderer(nullptr);
  layers_.clear();
  layer_list_.reset();
  wait_tasks(120);
  save_settings(true);
  textures_.reset();
  heatmap_.reset();
  surface_.reset();
  surface_target_ = GlTarget(false, true);
  heatmap_target_ = GlTarget(false, true);
  paths_target_ = GlTarget(false, true);
  ImGui_ImplOpenGL3_Shutdown();
  platform_.imgui_shutdown();
  ImGui::DestroyContext();
}

void App::save_settings(bool final) {
  if (opts_.settings_dir.empty()) return;
  settings_.tiled = m_.ui.tiled;
  settings_.sidebar_w = m_.ui.sidebar_w;
  settings_.plots_w = m_.ui.plots_w;
  settings_.view_3d = m_.ui.view_3d;
  settings_.export_dir = m_.ui.export_dir;
  settings_.export_w = m_.ui.export_w;
  settings_.export_h = m_.ui.export_h;
  settings_.smoothing = m_.plots.smoothing;
  settings_.x_fp = m_.plots.x_fp;
  settings_.colormap = m_.exp.view.colormap;
  int w = 0, h = 0;
  platform_.window_size(w, h);
  if (w > 0 && h > 0) {
    settings_.window_w = w;
    settings_.window_h = h;
  }
  settings_save(settings_, opts_.settings_dir + "/settings.json", &settings_text_);
  // Dear ImGui asks for a save (io.WantSaveIniSettings, at most every io.IniSavingRate s) when
  // windows moved; the app's last save (from the destructor) always writes.
  if (ImGui::GetIO().WantSaveIniSettings || final) {
    size_t n = 0;
    const char* ini = ImGui::SaveIniSettingsToMemory(&n);  // clears WantSaveIniSettings
    try {
      atomic_write(ini_path_, std::string(ini, n));
    } catch (const std::exception&) {  // an unwritable folder is reported once (settings_problem_)
    }
  }
}

// [SECTION] experiment

bool is_llm_experiment(const std::string& name_or_path) {
  if (name_or_path.rfind("preset:llm_", 0) == 0) return true;
  if (name_or_path.rfind("preset:", 0) == 0 || !file_exists(name_or_path)) return false;
  try {
    const std::string text = read_file(name_or_path);
    return text.find("\"zoscope_finetune\"") != std::string::npos;
  } catch (const std::exception&) {
    return false;
  }
}

void App::llm_loaded(const std::string& path) {
  // Until the first plane grid arrives the view shows an empty square around the start.
  auto sc = std::make_shared<Scene>();
  const double dom[4] = {-1, 1, -1, 1};
  sc->landscape = landscape_from_grid(2, 2, dom, {0, 0, 0, 0}, "loss plane (computing)");
  sc->start = Eigen::VectorXd::Zero(2);
  sc->proj.origin = sc->start;
  std::copy(dom, dom + 4, sc->domain);
  scene_ = std::move(sc);
  scene_error_.clear();
  m_.exp_path = path;
  if (!path.empty()) settings_.last_experiment = std::filesystem::absolute(path).string();
  for (double& d : m_.exp.view.domain) d = 0;
  res_ = Results{};
  ++res_.runs_serial;
  runs_key_.clear();
  grid_key_.clear();
  scene_key_.clear();
  m_.play.playing = false;
  m_.play.cursor = cursor_extent();  // LLM runs stream: the views follow the newest step
  m_.plots.x_fp = m_.exp.max_fp > 0;
  sync();
}

void App::set_llm_mode(bool on) {
  if (on == m_.llm) return;
  if (on) {
    if (!llm_) {
      status(llm_support_note(), true);
      return;
    }
    landscape_exp_ = m_.exp;
    landscape_exp_path_ = m_.exp_path;
    load_experiment("preset:llm_sentiment");
  } else if (!landscape_exp_.runs.empty()) {
    set_experiment(landscape_exp_, landscape_exp_path_);
  } else {
    load_experiment("preset:rosenbrock");
  }
}

bool App::load_experiment(const std::string& name_or_path, std::string* error) {
  try {
    if (is_llm_experiment(name_or_path)) {
      if (!llm_) fail(name_or_path, llm_support_note());
      llm_->load(*this, name_or_path);
      const bool is_file = name_or_path.rfind("preset:", 0) != 0;
      llm_loaded(is_file ? name_or_path : "");
      status("loaded " + name_or_path);
      return true;
    }
    Experiment e = experiment_resolve(name_or_path);
    const bool is_file = name_or_path.rfind("preset:", 0) != 0 && file_exists(name_or_path);
    set_experiment(std::move(e), is_file ? name_or_path : "");
    status("loaded " + name_or_path);
    return true;
  } catch (const std::exception& err) {
    status(error_line(err), true);
    if (error) *error = error_line(err);
    return false;
  }
}

void App::set_experiment(Experiment e, const std::string& path) {
  auto sc = std::make_shared<Scene>(scene_make(e));  // throws before anything changes
  m_.llm = false;
  m_.exp = std::move(e);
  m_.exp_path = path;
  if (!path.empty()) settings_.last_experiment = std::filesystem::absolute(path).string();
  scene_ = std::move(sc);
  scene_key_ = scene_key(m_.exp);
  scene_error_.clear();
  m_.expression_edit = m_.exp.landscape.expression;
  m_.expression_error.clear();
  res_.runs.clear();
  ++res_.runs_serial;
  runs_key_.clear();
  grid_key_.clear();
  m_.play.playing = false;
  m_.play.cursor = cursor_extent();
  m_.play.speed = std::max(1.0, cursor_extent() / 8);  // the whole budget in about 8 s
  m_.plots.x_fp = m_.exp.max_fp > 0;  // plots open in the budget's unit (issue 10)
  saved_hash_ = experiment_hash(m_.exp);
  sync();
}

bool App::save_experiment(const std::string& path) {
  try {
    if (m_.exp.runs.empty()) fail(path, "an experiment needs at least one run");
    if (m_.llm && llm_) {
      atomic_write(path, llm_->to_json(*this));
      m_.exp_path = path;
      settings_.last_experiment = std::filesystem::absolute(path).string();
      status("saved " + path);
      return true;
    }
    experiment_save(m_.exp, path);
    m_.exp_path = path;
    saved_hash_ = experiment_hash(m_.exp);
    settings_.last_experiment = std::filesystem::absolute(path).string();
    status("saved " + path + " (exp " + experiment_hash(m_.exp) + ")");
    return true;
  } catch (const std::exception& err) {
    status(error_line(err), true);
    return false;
  }
}

void App::set_landscape(const std::string& id) {
  const LandscapeDef* def = landscape_find(id);
  if (!def) return;
  if (m_.llm) set_llm_mode(false);
  Experiment e = m_.exp;
  // Another landscape is another experiment: the old name and description no longer apply.
  e.name.clear();
  e.description.clear();
  e.landscape.id = id;
  e.landscape.params.clear();
  e.landscape.expression = def->expression ? def->default_expression : "";
  e.landscape.dim = def->nd ? std::max(e.landscape.dim, 10) : 2;
  e.start.clear();
  for (double& d : e.view.domain) d = 0;
  e.view.log_colour = -1;
  e.view.coords[0] = 0;
  e.view.coords[1] = 1;
  for (RunSpec& r : e.runs) r.directions.clear();
  const bool at_end = m_.play.cursor >= cursor_extent();
  try {
    auto sc = std::make_shared<Scene>(scene_make(e));
    m_.exp = std::move(e);
    scene_ = std::move(sc);
    scene_key_ = scene_key(m_.exp);
    scene_error_.clear();
    m_.expression_edit = m_.exp.landscape.expression;
    m_.expression_error.clear();
    if (at_end) m_.play.cursor = cursor_extent();
  } catch (const std::exception& err) {
    status(error_line(err), true);
  }
}

void App::set_dim(int dim) {
  dim = std::clamp(dim, 2, kLandscapeMaxDim);
  const LandscapeDef* def = landscape_find(m_.exp.landscape.id);
  if (!def || !def->nd || dim == m_.exp.landscape.dim) return;
  m_.exp.landscape.dim = dim;
  m_.exp.start.clear();
  for (double& d : m_.exp.view.domain) d = 0;
  for (int& c : m_.exp.view.coords) c = std::min(c, dim - 1);
  if (m_.exp.view.coords[0] == m_.exp.view.coords[1]) m_.exp.view.coords[1] = m_.exp.view.coords[0] == 0 ? 1 : 0;
  for (RunSpec& r : m_.exp.runs) r.directions.clear();
}

void App::set_budget(bool forward_passes, int64_t value) {
  value = std::clamp<int64_t>(value, 1, forward_passes ? 1000000000 : 100000000);
  const bool at_end = m_.play.cursor >= cursor_extent();
  m_.exp.max_steps = forward_passes ? 0 : value;
  m_.exp.max_fp = forward_passes ? value : 0;
  m_.plots.x_fp = forward_passes;
  if (at_end) m_.play.cursor = cursor_extent();
  m_.play.cursor = std::min(m_.play.cursor, cursor_extent());
}

// [SECTION] runs

void App::run_add(const std::string& optimizer_id) {
  const OptimizerInfo* info = optimizer_find(optimizer_id);
  if (!info || m_.exp.runs.size() >= 64) return;
  RunSpec r;
  r.optimizer = info->id;
  r.label = info->display;
  if (m_.llm)  // language models start from the LLM-mode defaults (docs/design-notes.md "Two default profiles")
    for (const ParamDecl& d : info->params) r.hp[d.name] = std::isfinite(d.llm_def) ? d.llm_def : d.def;
  r.colour = next_run_colour(m_.exp.runs);  // a palette colour no (visible) run shows
  m_.exp.runs.push_back(std::move(r));
}

void App::run_remove(int i) {
  if (i < 0 || i >= static_cast<int>(m_.exp.runs.size()) || m_.exp.runs.size() <= 1) return;
  m_.exp.runs.erase(m_.exp.runs.begin() + i);
  if (i < static_cast<int>(res_.runs.size())) {
    res_.runs.erase(res_.runs.begin() + i);
    for (size_t k = 0; k < res_.runs.size(); ++k) res_.runs[k].index = static_cast<int>(k);
    ++res_.runs_serial;
  }
}

void App::run_duplicate(int i) {
  if (i < 0 || i >= static_cast<int>(m_.exp.runs.size()) || m_.exp.runs.size() >= 64) return;
  RunSpec copy = m_.exp.runs[static_cast<size_t>(i)];
  copy.label += " (copy)";
  copy.colour = next_run_colour(m_.exp.runs);
  m_.exp.runs.insert(m_.exp.runs.begin() + i + 1, std::move(copy));
  // Same optimizer, hyperparameters and seed: the same trajectory, shown at once.
  if (i < static_cast<int>(res_.runs.size())) {
    RunRecord r = res_.runs[static_cast<size_t>(i)];
    res_.runs.insert(res_.runs.begin() + i + 1, std::move(r));
    for (size_t k = 0; k < res_.runs.size(); ++k) res_.runs[k].index = static_cast<int>(k);
    ++res_.runs_serial;
  }
}

const RunRecord* App::record(int i) const {
  if (i < 0 || i >= static_cast<int>(res_.runs.size()) || i >= static_cast<int>(m_.exp.runs.size())) return nullptr;
  const RunRecord& r = res_.runs[static_cast<size_t>(i)];
  return r.rows.empty() ? nullptr : &r;
}

// [SECTION] playback

double App::cursor_extent() const {
  return static_cast<double>(m_.exp.max_steps > 0 ? m_.exp.max_steps : m_.exp.max_fp);
}

int App::cursor_row(int run) const {
  const RunRecord* r = record(run);
  if (!r) return -1;
  const auto& rows = r->rows;
  if (m_.exp.max_steps > 0) {
    const double k = std::floor(m_.play.cursor);
    return static_cast<int>(std::clamp(k, 0.0, static_cast<double>(rows.size() - 1)));
  }
  // Budget in forward passes: the last row whose cumulative FP is within the cursor.
  const auto it = std::upper_bound(rows.begin(), rows.end(), m_.play.cursor,
                                   [](double c, const StepRow& row) { return c < static_cast<double>(row.fp); });
  return std::max(0, static_cast<int>(it - rows.begin()) - 1);
}

void App::play_toggle() {
  if (m_.llm && llm_) {
    // Live runs: play / pause trains / holds every run; the views follow the newest step.
    bool any_running = false;
    for (int i = 0; i < static_cast<int>(m_.exp.runs.size()); ++i)
      any_running = any_running || (llm_->run_active(i) && !llm_->run_paused(i));
    llm_->control(-1, any_running ? LlmControl::Pause : LlmControl::Resume);
    m_.play.cursor = cursor_extent();
    return;
  }
  if (!m_.play.playing && m_.play.cursor >= cursor_extent()) m_.play.cursor = 0;
  m_.play.playing = !m_.play.playing;
}

void App::step_once() {
  m_.play.playing = false;
  // One step of the costliest visible optimizer when the budget is in forward passes.
  double unit = 1;
  if (m_.exp.max_fp > 0)
    for (const RunRecord& r : res_.runs) unit = std::max(unit, r.fp_per_step);
  m_.play.cursor = std::min(cursor_extent(), std::floor(m_.play.cursor + 1e-9) + unit);
}

void App::reset_playback() {
  m_.play.playing = false;
  m_.play.cursor = 0;
}

void App::advance_playback(double dt) {
  if (!m_.play.playing) return;
  m_.play.cursor += m_.play.speed * dt;
  if (m_.play.cursor >= cursor_extent()) {
    m_.play.cursor = cursor_extent();
    m_.play.playing = false;
  }
}

// [SECTION] frame

void App::status(const std::string& msg, bool error) {
  status_ = msg;
  status_error_ = error;
}

int App::grid_nodes() const {
  // 512 nodes a side for 2-D; fewer as the cost of one evaluation grows with the dimension
  // so that a pan or a landscape switch still shows a new grid within a few frames.
  const int d = m_.exp.landscape.dim;
  if (d <= 16) return 512;
  return std::clamp(static_cast<int>(512 * std::sqrt(16.0 / d)), 48, 512);
}

void App::request_grid(const double extent[4]) {
  std::copy(extent, extent + 4, grid_extent_);
  grid_requested_ = true;
}

void App::sync() {
  if (m_.llm) {
    if (llm_) llm_->sync(*this);
    return;
  }
  const std::string sk = scene_key(m_.exp);
  if (sk != scene_key_) {
    scene_key_ = sk;
    try {
      scene_ = std::make_shared<Scene>(scene_make(m_.exp));
      scene_error_.clear();
    } catch (const std::exception& err) {
      scene_error_ = error_line(err);
      status(scene_error_, true);
    }
  }
  if (!scene_error_.empty() || m_.exp.runs.empty()) return;
  const std::string rk = runs_key(m_.exp);
  if (rk != runs_key_) {
    runs_key_ = rk;
    // Limits before work: a budget whose rows exceed memory or whose steps exceed the
    // stated time is refused with one line; the last runs stay on screen.
    try {
      Experiment e = m_.exp;
      e.view.grid = grid_nodes();  // the grid the views compute, not the export's
      experiment_check_limits(e, 0, 0);
      limits_error_.clear();
      recompute_.submit_runs(m_.exp);
      prev_submit_s_ = last_submit_s_;
      last_submit_s_ = steady_seconds();
    } catch (const std::exception& err) {
      limits_error_ = error_line(err);
      status(limits_error_, true);
    }
  }
  if (grid_requested_) {
    const int n = grid_nodes();
    const std::string gk = grid_key(m_.exp, grid_extent_, n);
    if (gk != grid_key_) {
      grid_key_ = gk;
      recompute_.submit_grid(m_.exp, grid_extent_, n);
    }
  }
}

void App::set_followed(std::vector<RunRecord> runs) {
  followed_ = std::move(runs);
  followed_dirty_ = true;
}

void App::poll_results() {
  if (m_.llm && llm_) llm_->poll(res_, scene_);
  else recompute_.poll(res_);
  // Followed runs: their rows, with their points on the plane where the scene has them
  // (copied again only when either changed: a long followed log is many rows).
  const uint64_t placed = m_.llm && llm_ ? llm_->followed_serial() + 1 : 0;
  if (followed_dirty_ || placed != followed_placed_ || res_.followed.size() != followed_.size()) {
    res_.followed = followed_;
    if (m_.llm && llm_) llm_->place_followed(res_.followed);
    followed_dirty_ = false;
    followed_placed_ = placed;
    ++res_.runs_serial;
  }
  if (res_.grid && res_.grid_serial != uploaded_grid_) {
    textures_->set_grid(*res_.grid);
    uploaded_grid_ = res_.grid_serial;
  }
  textures_->set_colormap(m_.exp.view.colormap);
}

bool App::wait_idle(double timeout_s) {
  if (m_.llm && llm_) {
    const bool done = llm_->wait_finished(timeout_s);
    poll_results();
    return done;
  }
  const bool ok = recompute_.wait_idle(timeout_s);
  poll_results();
  return ok;
}

void App::note_item(const std::string& name) {
  if (record_items_) items_[name] = {ImGui::GetItemRectMin(), ImGui::GetItemRectMax()};
}

bool App::item_rect(const std::string& name, ImVec2& min, ImVec2& max) const {
  const auto it = items_.find(name);
  if (it == items_.end()) return false;
  min = it->second.first;
  max = it->second.second;
  return true;
}

void App::handle_shortcuts() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  const auto pressed = [](int key) { return ImGui::IsKeyPressed(key, false); };
  const bool ctrl = io.KeyCtrl, shift = io.KeyShift;
  if (ctrl) {
    if (pressed(kKeyS)) {
      if (shift || m_.exp_path.empty()) m_.ui.show_save = true;
      else save_experiment(m_.exp_path);
    }
    if (pressed(kKeyO)) m_.ui.show_open = true;
    if (pressed(kKeyE)) m_.ui.show_export = !m_.ui.show_export;
    if (pressed(kKeyQ)) request_quit();
    return;
  }
  if (pressed(kKeySpace)) play_toggle();
  if (pressed(kKeyS) || ImGui::IsKeyPressed(kKeyRight, true)) step_once();
  if (ImGui::IsKeyPressed(kKeyLeft, true)) {
    m_.play.playing = false;
    m_.play.cursor = std::max(0.0, std::ceil(m_.play.cursor - 1e-9) - 1);
  }
  if (pressed(kKeyR)) reset_playback();
  if (pressed(kKeyHome)) m_.play.cursor = 0;
  if (pressed(kKeyEnd)) m_.play.cursor = cursor_extent();
  if (pressed(kKeyV)) m_.ui.view_3d = !m_.ui.view_3d;
  if (pressed(kKeyP)) m_.exp.view.show_probes = !m_.exp.view.show_probes;
  if (pressed(kKeyL)) m_.ui.show_legend = !m_.ui.show_legend;
  if (pressed(kKeyF)) {
    for (double& d : m_.exp.view.domain) d = 0;
    m_.ui.camera = OrbitCamera();
  }
  if (pressed(kKeyEqual)) m_.play.speed = std::min(1e7, m_.play.speed * 2);
  if (pressed(kKeyMinus)) m_.play.speed = std::max(0.1, m_.play.speed / 2);
  if (pressed(kKeyF1)) m_.ui.show_help = !m_.ui.show_help;
  if (pressed(kKeyF12)) {
    request_screenshot(export_path(*this, m_.ui.export_dir, "screenshot", {".png"}, std::time(nullptr)) + ".png");
  }
  if (pressed(kKeyEscape)) m_.ui.show_export = m_.ui.show_help = m_.ui.show_open = m_.ui.show_save = false;
}

bool App::unsaved() const { return experiment_hash(m_.exp) != saved_hash_; }

void App::request_quit(bool force) {
  quit_asking_ = !force && unsaved();
  quit_ = !quit_asking_;
}

void App::draw_ui() {
  DrawMainMenu(*this);
  DrawScenePanel(*this);
  DrawRunsPanel(*this);
  DrawPlaybackPanel(*this);
  DrawViewWindow(*this);
  DrawPlotsPanel(*this);
  if (m_.ui.show_export) DrawExportPanel(*this);
  DrawDialogs(*this);
  DrawSweepWindow(*this);
  DrawCompare(*this);  // File > Compare over seeds (panel_compare.cpp)
  DrawFollowRun(*this);  // File > Follow run directory (follow_run.h)
  DrawStatusBar(*this);
  const std::string t = window_title(*this);
  if (t != title_) platform_.set_title(title_ = t);
}

void App::frame() {
  const double t0 = steady_seconds();
  in_frame_ = true;
  poll_results();
  poll_tasks();
  platform_.new_frame();
  ImGui_ImplOpenGL3_NewFrame();
  if (!font_filter_set_) {
    font_filter_set(false);
    font_filter_set_ = true;
  }
  draw_target_blits_reset();
  ImGui::NewFrame();
  if (record_items_) items_.clear();
  grid_requested_ = false;
  advance_playback(ImGui::GetIO().DeltaTime);
  handle_shortcuts();
  draw_ui();
  ImGui::Render();
  sync();  // after the panels: an edit starts recomputing within the same frame

  platform_.bind_target();
  glDisable(GL_SCISSOR_TEST);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];  // tiled panels draw no background
  glClearColor(bg.x, bg.y, bg.z, 1.f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (!screenshot_path_.empty()) {
    std::string path = std::move(screenshot_path_);
    screenshot_path_.clear();
    Image img = platform_.read_frame();
    run_task("screenshot " + path, [path, img = std::move(img)] {
      make_parent_dirs(path);
      png_write_opaque(path, img);
      return "wrote " + path + " (" + std::to_string(img.w) + "x" + std::to_string(img.h) + ")";
    });
  }
  in_frame_ = false;
  std::vector<ViewPngRequest> reqs = std::move(view_png_requests_);
  view_png_requests_.clear();
  for (const ViewPngRequest& r : reqs) render_view_png(r.path, r.w, r.h);

  const std::string err = gl_errors();
  if (!err.empty()) {
    ++gl_error_frames_;
    last_gl_error_ = err;
  }
  ++frames_;
  frame_ms_ = (steady_seconds() - t0) * 1e3;
  if (!opts_.settings_dir.empty() && t0 - last_settings_save_ > 5) {
    last_settings_save_ = t0;
    save_settings();
  }
}

ImTextureID App::render(const ImDrawList& dl, ImVec2 origin, ImVec2 size, const void* owner) {
  const ImVec2 sc = ImGui::GetIO().DisplayFramebufferScale;
  GlTarget& t = layers_.try_emplace(owner, false, true).first->second;
  t.resize(std::max(1, static_cast<int>(size.x * sc.x)), std::max(1, static_cast<int>(size.y * sc.y)));
  render_draw_list(t, dl, origin, size, true);
  return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(t.colour_texture()));
}

void App::render_draw_list(GlTarget& t, const ImDrawList& dl, ImVec2 origin, ImVec2 size, bool clear) {
  GLint prev = 0;
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &prev);
  t.bind();
  if (clear) {
    glDisable(GL_SCISSOR_TEST);
    glClearColor(0, 0, 0, 0);
    glClear(GL_COLOR_BUFFER_BIT);
  }
  render_one_list(dl, origin, size, ImGui::GetIO().DisplayFramebufferScale);
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(prev));
}

ImDrawList& App::layer_list() {
  if (!layer_list_) layer_list_ = std::make_unique<ImDrawList>(ImGui::GetDrawListSharedData());
  ImDrawList& dl = *layer_list_;
  dl._ResetForNewFrame();
  if (!(ImGui::GetIO().Fonts->Flags & ImFontAtlasFlags_NoBakedLines)) dl.Flags |= ImDrawListFlags_AntiAliasedLinesUseTex;
  dl.PushTextureID(ImGui::GetIO().Fonts->TexID);
  return dl;
}

// [SECTION] exports

void App::run_task(std::string what, std::function<std::string()> job) {
  status(what + " ...");
  tasks_.push_back({std::move(what), std::async(std::launch::async, std::move(job))});
}

void App::poll_tasks() {
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    if (it->result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      ++it;
      continue;
    }
    try {
      status(it->result.get());
    } catch (const std::exception& err) {
      // "export PATH" tasks whose error already names PATH say it once.
      const std::string line = error_line(err);
      const size_t sp = it->what.find(' ');
      const bool named = sp != std::string::npos && line.rfind(it->what.substr(sp + 1), 0) == 0;
      status(named ? line : it->what + ": " + line, true);
    }
    it = tasks_.erase(it);
  }
}

bool App::wait_tasks(double timeout_s) {
  const double end = steady_seconds() + timeout_s;
  for (Task& t : tasks_)
    if (t.result.wait_for(std::chrono::duration<double>(std::max(0.0, end - steady_seconds()))) !=
        std::future_status::ready)
      return false;
  poll_tasks();
  return true;
}

void App::request_screenshot(const std::string& path) { screenshot_path_ = path; }

void App::export_view_png(const std::string& path, int w, int h) {
  if (in_frame_) view_png_requests_.push_back({path, w, h});
  else render_view_png(path, w, h);
}

void App::render_view_png(const std::string& path, int w, int h) {
  try {
    if (!scene_) fail(path, "no landscape to render");
    if (w < 16 || h < 16 || w > 16384 || h > 16384)
      fail(path, std::to_string(w) + "x" + std::to_string(h) + " outside [16, 16384] per side");
    {
      Experiment e = m_.exp;
      e.view.grid = m_.exp.landscape.dim == 2 ? 1024 : grid_nodes();  // the grid drawn below
      experiment_check_limits(e, w, h);
    }
    // The view's figure at any size on a white page: core's layout (the colour range and
    // legend of the view), the GL heatmap over a grid computed for its domain.
    LandscapeFigure lf;
    landscape_figure(*this, w, h, false, lf);
    GlTarget target(false, false);
    target.resize(w, h);
    const fig::Box& pb = lf.plan.lay.plot;
    Scene s = scene_make(m_.exp);
    std::copy(lf.plan.domain.begin(), lf.plan.domain.end(), s.domain);
    const int n = m_.exp.landscape.dim == 2 ? 1024 : grid_nodes();
    const Grid g = grid_compute(s, n, n, opts_.threads);
    const ColourScale scale = lf.fig.fixed_scale ? lf.fig.scale : colour_scale(g.v, s.log_colour);
    LandscapeTextures tex;
    tex.set_colormap(m_.exp.view.colormap);
    tex.set_grid(g);

    target.bind();
    glDisable(GL_SCISSOR_TEST);
    glClearColor(1, 1, 1, 1);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    const int vp[4] = {static_cast<int>(pb.x), h - static_cast<int>(pb.b()), static_cast<int>(pb.w), static_cast<int>(pb.h)};
    const double ext[4] = {lf.plan.domain[0], lf.plan.domain[1], lf.plan.domain[2], lf.plan.domain[3]};
    heatmap_->draw(tex, scale, vp, ext, m_.exp.view.contours, static_cast<float>(1.1 * lf.plan.lay.st.s), 0x303030);

    ImDrawList dl(ImGui::GetDrawListSharedData());
    dl._ResetForNewFrame();
    dl.PushTextureID(ImGui::GetIO().Fonts->TexID);
    dl.PushClipRect(ImVec2(0, 0), ImVec2(static_cast<float>(w), static_cast<float>(h)));
    ImGuiCanvas cv(&dl, ImVec2(0, 0));
    draw_landscape_figure(cv, lf);
    render_one_list(dl, ImVec2(0, 0), ImVec2(static_cast<float>(w), static_cast<float>(h)), ImVec2(1, 1));
    glBindFramebuffer(GL_READ_FRAMEBUFFER, target.framebuffer());
    Image img = gl_read_pixels(w, h);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    run_task("export " + path, [path, img = std::move(img)] {
      make_parent_dirs(path);
      png_write_opaque(path, img);
      return "wrote " + path + " (" + std::to_string(img.w) + "x" + std::to_string(img.h) + ", GPU)";
    });
  } catch (const std::exception& err) {
    status(error_line(err), true);
  }
}

namespace {

// The computed runs with the label, colour and visibility the experiment gives them now
// (edited in the Runs panel after the runs were computed), as the exporters draw them.
std::vector<RunRecord> runs_as_styled(std::vector<RunRecord> runs, const Experiment& e) {
  for (size_t i = 0; i < runs.size() && i < e.runs.size(); ++i) {
    runs[i].label = e.runs[i].label;
    runs[i].colour = e.runs[i].colour;
    runs[i].visible = e.runs[i].visible;
  }
  return runs;
}

}  // namespace

void App::export_figure(const std::string& png_path, const std::string& svg_path, int w, int h,
                        std::vector<LineChart> charts) {
  Experiment e = m_.exp;
  std::vector<RunRecord> runs = runs_as_styled(res_.runs, e);
  const int threads = opts_.threads;
  // A language model's figure is drawn on its loss plane (the scene and grid on show).
  std::shared_ptr<const Scene> llm_scene = m_.llm ? scene_ : nullptr;
  std::shared_ptr<const Grid> llm_grid = m_.llm ? res_.grid : nullptr;
  Figure names;  // the plane's axis and colour-bar names, as the view shows them
  if (m_.llm && llm_) llm_->label_figure(names);
  if (m_.llm && !llm_grid) {
    status("figure: the loss plane is not computed yet", true);
    return;
  }
  if (!m_.llm) {
    try {
      experiment_check_limits(e, w, h);  // figure size, and the export's view.grid
    } catch (const std::exception& err) {
      status("figure: " + error_line(err), true);
      return;
    }
  }
  // With charts the landscape takes the left panel: laid out and styled at that panel's size.
  int fw = w, fh = h;
  if (!charts.empty()) {
    try {
      const PanelsLayout L = panels_layout(w, h, charts.size());
      fw = L.landscape.w;
      fh = L.landscape.h;
    } catch (const std::exception& err) {
      status("figure: " + error_line(err), true);
      return;
    }
  }
  // The colour range the view shows (what you see is what you export).
  const bool fixed = res_.grid != nullptr;
  const ColourScale scale = res_.scale;
  FigureOptions opt;
  opt.style_scale = export_style_scale(*this, fw, fh);
  run_task("figure", [e = std::move(e), runs = std::move(runs), charts = std::move(charts), png_path, svg_path, w, h, fw, fh,
                      threads, llm_scene, llm_grid, fixed, scale, opt, names] {
    Figure fig = llm_scene ? figure_make(e, *llm_scene, *llm_grid, runs) : [&] {
      const Scene s = scene_make(e);
      return figure_make_filled(e, s, runs, fw, fh, threads, fixed ? &scale : nullptr, opt);
    }();
    if (llm_scene) {
      fig.xlabel = names.xlabel;
      fig.ylabel = names.ylabel;
      fig.colour_label = names.colour_label;
    }
    fig.fixed_scale = fixed;
    fig.scale = scale;
    std::string done;
    for (int k = 0; k < 2; ++k) {
      const std::string& p = k == 0 ? png_path : svg_path;
      if (p.empty()) continue;
      make_parent_dirs(p);
      if (k == 0) png_write(p, charts.empty() ? figure_render_image(fig, w, h, opt) : panels_render_image(fig, opt, charts, w, h));
      else atomic_write(p, charts.empty() ? figure_render_svg(fig, w, h, opt) : panels_render_svg(fig, opt, charts, w, h));
      done += (done.empty() ? "wrote " : ", ") + p;
    }
    return done;
  });
}

void App::export_runs(const std::string& csv_path, const std::string& jsonl_path) {
  std::vector<RunRecord> runs = res_.runs;
  for (size_t i = 0; i < runs.size() && i < m_.exp.runs.size(); ++i) runs[i].label = m_.exp.runs[i].label;
  run_task("runs", [runs = std::move(runs), csv_path, jsonl_path] {
    std::string done;
    for (int k = 0; k < 2; ++k) {
      const std::string& p = k == 0 ? csv_path : jsonl_path;
      if (p.empty()) continue;
      make_parent_dirs(p);
      atomic_write(p, k == 0 ? records_to_csv(runs) : records_to_jsonl(runs));
      done += (done.empty() ? "wrote " : ", ") + p;
    }
    return done;
  });
}

void App::export_run_dir(const std::string& dir) {
  Experiment e = m_.exp;
  std::vector<RunRecord> runs = runs_as_styled(res_.runs, e);
  const int threads = opts_.threads;
  run_task("run directory", [e = std::move(e), runs = std::move(runs), dir, threads] {
    RunDirOptions o;
    o.threads = threads;
    const std::vector<std::string> files = run_dir_write(dir, e, runs, o);
    return "wrote " + std::to_string(files.size()) + " files into " + dir;
  });
}

}  // namespace zs::gui
