// The zoscope desktop app: owns the model (experiment, playback, options), the displayed
// results, the recompute lanes, the GL renderers and background export tasks, and runs
// one frame at a time on whichever platform (GLFW window or headless EGL) it was given.
// Panels are free functions (panels.h) that read and edit the model through this class.
//
// [SECTION] index: construction | experiment | runs | playback | frame | exports | tests
#pragma once
#include <imgui.h>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include "app/gui/landscape_gl.h"
#include "app/gui/llm_scene.h"
#include "app/gui/model.h"
#include "app/gui/overlay.h"
#include "app/gui/platform.h"
#include "app/gui/plot.h"
#include "app/gui/recompute.h"
#include "app/gui/settings.h"
#include "core/export/line_chart.h"

namespace zs::gui {

struct AppOptions {
  std::string settings_dir;  // "": no settings file and no imgui.ini (headless, tests)
  int threads = 0;           // recompute workers (0: hardware concurrency)
};

class App : private plot::LayerRenderer {
 public:
  App(Platform& platform, const AppOptions& opts = {});
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // [SECTION] experiment
  // "preset:NAME" or a path. On failure the current state stays and the status line (and
  // `error` when given) carries the one-line reason.
  bool load_experiment(const std::string& name_or_path, std::string* error = nullptr);
  void set_experiment(Experiment e, const std::string& path = "");
  bool save_experiment(const std::string& path);
  void set_landscape(const std::string& id);
  // Switches the scene kind: a language model (preset:llm_sentiment, or the LLM scene left
  // last) or a landscape (the landscape experiment left last, else the default preset).
  void set_llm_mode(bool on);
  bool llm_mode() const { return m_.llm; }
  // The LLM scene (null when the app was built without LibTorch: llm_support_note()).
  LlmScene* llm() { return llm_.get(); }
  const LlmScene* llm() const { return llm_.get(); }
  void set_dim(int dim);
  void set_budget(bool forward_passes, int64_t value);
  Model& model() { return m_; }
  const Model& model() const { return m_; }
  Experiment& exp() { return m_.exp; }
  const Experiment& exp() const { return m_.exp; }
  const Results& results() const { return res_; }
  // Why the runs of the current experiment were not recomputed: the one line of
  // experiment_check_limits (core/io/limits.h) when the budget exceeds memory or the
  // stated time; empty when they were. The Runs panel shows it.
  const std::string& limits_error() const { return limits_error_; }
  // The scene of the current experiment built on the UI thread (never null after the
  // first successful load): landscape, start, projection, default domain, minima.
  const Scene* scene() const { return scene_.get(); }

  // [SECTION] runs: edits that keep the displayed records aligned with exp().runs
  void run_add(const std::string& optimizer_id);
  void run_remove(int i);
  void run_duplicate(int i);
  const RunRecord* record(int i) const;
  // Runs followed from another process's folder (follow_run.h): the rows read so far
  // (colours set), shown as results().followed once placed on the plane (language models).
  void set_followed(std::vector<RunRecord> runs);

  // [SECTION] playback
  double cursor_extent() const;   // budget in cursor units
  int cursor_row(int run) const;  // last row at or before the cursor; -1 if none
  void play_toggle();
  void step_once();
  void reset_playback();

  // [SECTION] frame
  void frame();
  bool quit_requested() const { return quit_; }
  // Something changes on screen without input: playback, recompute, exports in progress.
  // Frames keep coming for a moment after an edit: panels that throttle their updates
  // while inputs change (see editing()) catch up with the last result.
  bool animating() const {
    return m_.play.playing || busy() || !res_.runs_complete || tasks_running() || steady_seconds() - last_submit_s_ < 0.5;
  }
  // The runs' inputs are changing continuously (a slider or the start marker dragged):
  // the last two recomputes were submitted in quick succession, the last one just now.
  bool editing() const {
    return steady_seconds() - last_submit_s_ < 0.25 && last_submit_s_ - prev_submit_s_ < 0.25;
  }
  // Quits at the end of the frame, or, with unsaved changes to the experiment and not
  // `force`, asks first (quit_asking(): the dialog is up; cancel_quit() closes it).
  void request_quit(bool force = false);
  bool quit_asking() const { return quit_asking_; }
  void cancel_quit() { quit_asking_ = false; }
  // The experiment differs from the one last loaded or saved.
  bool unsaved() const;
  // Window title: scene and start point (panel_menu.cpp), "*" when unsaved.
  const std::string& title() const { return title_; }
  void status(const std::string& msg, bool error = false);
  const std::string& status_text() const { return status_; }
  bool status_is_error() const { return status_error_; }
  // "" or the one line saying why the settings folder cannot be written (settings.h
  // settings_dir_problem): found at start, shown in the status bar for the whole session.
  const std::string& settings_problem() const { return settings_problem_; }
  Platform& platform() { return platform_; }
  LandscapeTextures& textures() { return *textures_; }
  HeatmapRenderer& heatmap() { return *heatmap_; }
  SurfaceRenderer& surface() { return *surface_; }
  GlTarget& surface_target() { return surface_target_; }
  GlTarget& heatmap_target() { return heatmap_target_; }
  uint64_t heatmap_key() const { return heatmap_key_; }
  void set_heatmap_key(uint64_t k) { heatmap_key_ = k; }
  // The 2-D view's second layer: heatmap plus the paths drawn so far (view_landscape.cpp).
  GlTarget& paths_target() { return paths_target_; }
  uint64_t& paths_key() { return paths_key_; }
  PathState& paths_drawn() { return paths_drawn_; }
  // Renders a draw list covering [origin, origin + size] into `t` (bilinear atlas,
  // textured line anti-aliasing); `clear` first, or over what `t` holds.
  void render_draw_list(GlTarget& t, const ImDrawList& dl, ImVec2 origin, ImVec2 size, bool clear);
  // A reset draw list for layers (textured anti-aliased lines), reused between calls.
  ImDrawList& layer_list();
  // The views say which grid they need (world extent, nodes per side); submitted at the
  // end of the frame when it differs from the last request.
  void request_grid(const double extent[4]);
  int grid_nodes() const;
  ViewXform& view_xform() { return view_xf_; }
  // The landscape figure the view drew last (its buffers are reused frame to frame).
  LandscapeFigure& view_figure() { return view_figure_; }
  const LandscapeFigure& view_figure() const { return view_figure_; }
  const ViewXform& view_xform() const { return view_xf_; }
  double frame_ms() const { return frame_ms_; }

  // [SECTION] exports: PNG/CSV encoding and file writes run as background tasks; the GPU
  // readback happens on the UI thread. Each returns at once; wait_tasks() joins them.
  void export_view_png(const std::string& path, int w, int h);   // offscreen FBO, any size
  // core exporter; with `charts`, one multi-panel figure: the landscape on the left half and
  // the charts 2 x 2 on the right (core/export/panels.h)
  void export_figure(const std::string& png_path, const std::string& svg_path, int w, int h,
                     std::vector<LineChart> charts = {});
  void export_runs(const std::string& csv_path, const std::string& jsonl_path);
  void export_run_dir(const std::string& dir);
  void request_screenshot(const std::string& path);  // the next frame as drawn
  bool wait_tasks(double timeout_s = 60);
  bool tasks_running() const { return !tasks_.empty(); }

  // [SECTION] tests and scripting
  // Waits for the recompute lanes, then takes their results in (no frame is drawn).
  bool wait_idle(double timeout_s = 30);
  bool busy() const { return !recompute_.idle() || (m_.llm && llm_ && llm_->busy()); }
  // Screen rectangles of named widgets from the last frame (recorded when enabled).
  void set_record_items(bool on) { record_items_ = on; }
  void note_item(const std::string& name);
  bool item_rect(const std::string& name, ImVec2& min, ImVec2& max) const;
  int gl_error_frames() const { return gl_error_frames_; }
  const std::string& last_gl_error() const { return last_gl_error_; }
  int frames() const { return frames_; }
  // Distinct for every App made in this process (caches outside the App key on it).
  uint64_t instance() const { return instance_; }
  const AppOptions& options() const { return opts_; }

 private:
  void sync();            // rebuilds the scene and submits jobs for what changed
  void poll_results();
  void advance_playback(double dt);
  void handle_shortcuts();
  void draw_ui();
  void render_view_png(const std::string& path, int w, int h);
  void run_task(std::string what, std::function<std::string()> job);
  void poll_tasks();
  void save_settings(bool final = false);  // settings.json, and imgui.ini when ImGui asks (always when final)
  ImTextureID render(const ImDrawList& dl, ImVec2 origin, ImVec2 size, const void* owner) override;
  void draw(ImDrawList* dl, const void* owner, ImVec2 p0, ImVec2 p1) override {
    draw_target_blit(dl, layers_.at(owner), p0, p1);
  }

  Platform& platform_;
  AppOptions opts_;
  Settings settings_;
  std::string settings_problem_;  // settings_dir_problem: "" or why settings are not saved
  std::string ini_path_;
  Model m_;
  Results res_;
  std::shared_ptr<Scene> scene_;
  std::string scene_key_, runs_key_, grid_key_;
  std::string scene_error_;
  std::string limits_error_;
  double grid_extent_[4] = {0, 0, 0, 0};
  bool grid_requested_ = false;
  Recompute recompute_;
  uint64_t uploaded_grid_ = 0;
  std::unique_ptr<LlmScene> llm_;
  Experiment landscape_exp_;          // the landscape left for the LLM scene (restored on return)
  std::string landscape_exp_path_;
  void llm_loaded(const std::string& path);
  std::vector<RunRecord> followed_;  // set_followed(): results().followed before plane points
  bool followed_dirty_ = false;
  uint64_t followed_placed_ = 0;     // LlmScene::followed_serial() of the points placed

  std::unique_ptr<LandscapeTextures> textures_;
  std::unique_ptr<HeatmapRenderer> heatmap_;
  std::unique_ptr<SurfaceRenderer> surface_;
  GlTarget surface_target_{false, true};  // depth: the surface renderer's cache
  GlTarget heatmap_target_{false, true};
  uint64_t heatmap_key_ = 0;
  GlTarget paths_target_{false, true};
  uint64_t paths_key_ = 0;
  PathState paths_drawn_;
  LandscapeFigure view_figure_;
  std::unique_ptr<ImDrawList> layer_list_;
  bool font_filter_set_ = false;
  std::map<const void*, GlTarget> layers_;  // cached plot layers
  ViewXform view_xf_;

  struct Task {
    std::string what;
    std::future<std::string> result;
  };
  std::vector<Task> tasks_;
  struct ViewPngRequest {
    std::string path;
    int w = 0, h = 0;
  };
  std::vector<ViewPngRequest> view_png_requests_;  // rendered after the frame's own draw
  bool in_frame_ = false;
  std::string screenshot_path_;

  std::string status_;
  bool status_error_ = false;
  bool quit_ = false;
  bool quit_asking_ = false;
  std::string saved_hash_;  // experiment_hash() at the last load or save
  std::string title_;
  int frames_ = 0;
  uint64_t instance_ = 0;
  double last_submit_s_ = -1e9, prev_submit_s_ = -1e9;  // wall clock of the last two runs jobs
  int gl_error_frames_ = 0;
  std::string last_gl_error_;
  double frame_ms_ = 0;
  double last_settings_save_ = 0;
  std::string settings_text_;  // what the last save wrote (settings_save skips unchanged text)
  bool record_items_ = false;
  std::map<std::string, std::pair<ImVec2, ImVec2>> items_;
};

}  // namespace zs::gui
