// The "Language model" scene kind (docs/llm-live.md): a small causal LM fine-tuned live by
// the runs of the Runs panel, on the CPU or a CUDA device, through the same step loop and
// run record as landscape runs (core/llm/torch/live.h). Its loss on a plane through the
// initial weights becomes the view's landscape (a tabulated grid), so the heatmap, 3-D
// view, plots and exports draw it with the landscapes' code.
//
// The app links the LLM part only when LibTorch was found at build time; otherwise
// llm_scene_create() returns null and the scene panel says so (llm_scene_off.cpp).
#pragma once
#include <memory>
#include <string>
#include "app/gui/recompute.h"
#include "core/run/follow.h"
#include "core/export/figure.h"
#include "core/run/runner.h"

namespace zs::gui {

class App;

enum class LlmControl { Pause, Resume, Stop };

class LlmScene {
 public:
  virtual ~LlmScene() = default;
  // An LLM experiment ("preset:llm_NAME" or a fine-tuning spec file, runs with optional
  // "colour" / "visible"): fills the app's model. zs::Error naming the file and field.
  virtual void load(App& app, const std::string& name_or_path) = 0;
  // Continues a session an earlier app logged (a folder under live_logs_root(), listed in
  // the scene panel: spec.json + runs/<label>/steps.log): loads its spec like an experiment
  // and resumes every run from its step log into the live trainer (LiveConfig::resume, the
  // resume path of `zoscope-cli finetune --resume`), appending to the same logs. One line
  // in the status bar when the folder cannot be loaded.
  virtual void continue_logged(App& app, const std::string& dir) = 0;
  // The current scene as an LLM experiment file (a fine-tuning spec with run styles).
  virtual std::string to_json(const App& app) const = 0;
  // The current scene as a plain fine-tuning spec (docs/finetune-schema.md): what
  // `zoscope-cli finetune` reads (File > Compare over seeds).
  virtual std::string spec_text(const App& app) const = 0;
  // Configures the trainer when the settings, runs or budget changed (UI thread, per frame).
  virtual void sync(App& app) = 0;
  // Moves streamed rows and a new plane into `res` (and `scene`); true on change.
  virtual bool poll(Results& res, std::shared_ptr<Scene>& scene) = 0;
  // The scene panel's content in LLM mode.
  virtual void draw_panel(App& app) = 0;
  // One line per run for the Runs panel: state, memory, speed, why it stopped.
  virtual std::string run_status(int run) const = 0;
  virtual bool run_active(int run) const = 0;   // running or paused
  virtual bool run_paused(int run) const = 0;
  virtual void control(int run, LlmControl c) = 0;  // run -1: every run
  virtual bool busy() const = 0;                    // loading, training or computing the plane
  virtual bool wait_finished(double timeout_s) = 0;
  virtual std::string phase() const = 0;            // "training", "done", "error", ...
  // The status bar's line for the runs: "4 runs: 2 running, 1 paused, 1 done", or the
  // phase while the model loads ("4 runs: loading model").
  virtual std::string runs_summary() const = 0;
  // Names the loss plane's axes and colour bar in the view's figure (and its exports):
  // "random direction 1 / 2" or "toward <A>'s endpoint" / "toward <B>'s (orthogonal part)".
  virtual void label_figure(Figure& fig) const = 0;
  // Why the loss plane shows one colour, when its loss is the same at every node (LoRA's
  // zero-initialised B on the random plane); "" otherwise. Shown in the view and the panel.
  virtual std::string plane_note() const = 0;
  // What the plane's loss is measured on, one line for the colour bar ("loss on the first
  // 8 training examples (fixed); the curves: each step's minibatch of 3"); "" without a
  // plane. Why the plane's centre and the curves' step-0 loss differ.
  virtual std::string plane_measure() const = 0;
  // Runs followed from another process's folder (follow_run.h): their step logs are
  // replayed onto the current plane on the trainer's worker (LiveTrainer::follow) when
  // DIR/spec.json starts from the scene's weights. place_followed() sets the rows' plane
  // points so far (x, y; NaN where there are none); followed_note() says why run i has none.
  virtual void follow(const std::string& spec_path, const std::vector<RunRecord>& runs,
                      const std::vector<FollowedLog>& logs) = 0;
  virtual void place_followed(std::vector<RunRecord>& runs) const = 0;
  virtual std::string followed_note(int i) const = 0;
  virtual uint64_t followed_serial() const = 0;  // changes when the plane points do
};

std::unique_ptr<LlmScene> llm_scene_create();
// What the playback toolbar's Play button does to the live runs (panel_playback.cpp):
// None outside the LLM scene; Running while any run trains (the button pauses them all),
// Paused while some wait to resume; Finished when every run has ended, NotStarted while
// the model loads or after it failed to (the button is disabled in both).
enum class LlmPlayState { None, Running, Paused, Finished, NotStarted };
LlmPlayState llm_play_state(const App& app);
// Why there is no LLM scene in this build (shown in the scene panel), "" when there is one.
const char* llm_support_note();
// "preset:llm_*", or a file that holds a fine-tuning spec ("zoscope_finetune").
bool is_llm_experiment(const std::string& name_or_path);
// The scene panel's short texts, kept short enough to fit their fields in the default
// window (tests check): the model combo's preview ("model: default (embedded)", else
// "model: " and the model folder's name) and the hints of the model folder, tokenizer and
// data folder fields.
std::string llm_model_preview(const std::string& model);
extern const char* const kLlmFolderHint;
extern const char* const kLlmTokenizerHint;
extern const char* const kLlmDataHint;

}  // namespace zs::gui
