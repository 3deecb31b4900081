// The app's state as plain data, so panels edit it directly and tests can drive and read
// it: the experiment being edited, playback, view and plot options, panel visibility.
// Results (grid, runs) live in Results (recompute.h); GL objects in the App.
#pragma once
#include <string>
#include <vector>
#include "app/gui/landscape_gl.h"
#include "core/io/experiment.h"

namespace zs::gui {

struct Playback {
  bool playing = false;
  double cursor = 0;   // in budget units: steps, or forward passes when the budget is in FP
  double speed = 400;  // budget units per second of playback
};

struct PlotOptions {
  bool x_fp = false;        // x axis in forward passes instead of steps
  float smoothing = 0.9f;   // EMA weight of the past (0: raw)
  bool log_y = true;
  bool alpha_ratio = false; // 2-D step sizes: alpha_x / alpha_y instead of both
};

struct UiOptions {
  bool view_3d = false;
  bool tiled = true;         // panels follow the window; false: free windows (imgui.ini)
  float sidebar_w = 0;       // tiled layout: left and plots column widths (0: proportional)
  float plots_w = 0;
  bool show_export = false, show_help = false, show_open = false, show_save = false, show_open_sweep = false;
  bool show_legend = true;
  float surface_height = 0.7f;
  OrbitCamera camera;
  std::string export_dir = "out/export";
  int export_w = 3840, export_h = 2160;
};

// Transient interaction state of the views (not saved).
struct ViewInteraction {
  bool dragging_start = false;
  double press_x = 0, press_y = 0;  // world point under the mouse at the press
  std::vector<double> start0;       // start at the press
  int tab_shown = -1;               // view tab drawn last frame (0: 2-D, 1: 3-D)
};

// The "Language model" scene (llm_scene.h): what a fine-tuning spec holds besides its runs
// and budget, which live in Model::exp like a landscape's (docs/finetune-schema.md).
struct LlmSettings {
  std::string model = "default";   // "default" (embedded, pretrained on first use) or an HF folder
  std::string tokenizer;           // "" : the model folder
  std::string task = "sentiment";  // sentiment | sst2 | rte | cb | boolq | copa | squad
  std::string data_dir;            // file tasks: the task folder
  std::string mode = "full";       // full | lora | adazeta
  std::string dtype = "fp32";      // fp32 | bf16 | fp16
  std::string device = "cpu";      // cpu | cuda
  int64_t batch_size = 16, max_length = 128;
  int64_t n_train = 1000, n_dev = 500;
  int64_t eval_every = 50, eval_examples = 100;
  uint64_t seed = 0, data_seed = 0;
  int plane_grid = 21;             // refined plane grid, nodes per side (a 9 x 9 one comes first)
  uint64_t plane_seed = 0;
  std::string plane = "random";    // random (two seeded directions) | runs (through two runs' endpoints)
  int plane_runs[2] = {0, 1};      // the two runs of the "runs" plane
  std::vector<int64_t> cosine_every;  // per run: steps between cosines with the backprop gradient (0: none)
  std::vector<std::string> recent_models;
};

struct Model {
  Experiment exp;
  bool llm = false;              // the scene is a language model (llm), not a landscape
  LlmSettings llm_cfg;
  std::string exp_path;          // file the experiment was loaded from or saved to ("" for presets)
  std::string expression_edit;   // the expression field; committed to exp only when it parses
  std::string expression_error;
  Playback play;
  PlotOptions plots;
  UiOptions ui;
  ViewInteraction vi;
};

}  // namespace zs::gui
