// Experiment files (JSON, schema in docs/experiment-schema.md): landscape + parameters,
// start, seed, budget in steps or forward passes, runs [{optimizer, hyperparameters,
// label, colour}], view and export style. The GUI saves and loads them, the CLI runs
// them, presets are experiment files, and every export is stamped with their hash.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>
#include <nlohmann/json_fwd.hpp>
#include "core/params.h"

namespace zs {

constexpr int kExperimentVersion = 1;

struct LandscapeSpec {
  std::string id = "rosenbrock";
  int dim = 2;
  ParamValues params;          // as given (defaults filled at build time)
  std::string expression;      // for id "expression"
  double noise = 0;            // sigma of the per-step minibatch noise
  uint64_t noise_seed = 0;
};

struct RunSpec {
  std::string optimizer;
  ParamValues hp;              // as given; defaults from the declaration
  std::string label;           // defaults to the optimizer's display name
  uint32_t colour = 0;         // 0xRRGGBB
  bool visible = true;
  std::vector<std::vector<double>> directions;  // fixed-directions mode (rows of length dim)
};

struct ViewSpec {
  double domain[4] = {0, 0, 0, 0};  // x0, x1, y0, y1; all zero: the landscape's default view
  int log_colour = -1;              // -1: landscape default, 0/1: forced
  std::string colormap = "viridis";
  int contours = 12;
  int grid = 256;                   // grid resolution per side for figures
  std::string projection = "auto";  // auto | coords | plane | toward_minimum (N-D only)
  int coords[2] = {0, 1};
  uint64_t plane_seed = 0;
  bool show_probes = false;
};

struct ExportSpec {
  int width = 1600, height = 1200;
  std::string title;
};

struct Experiment {
  int version = kExperimentVersion;
  std::string name, description;
  LandscapeSpec landscape;
  std::vector<double> start;        // empty: the landscape's first usual start
  uint64_t seed = 0;
  int64_t max_steps = 0;            // exactly one of max_steps / max_fp is > 0
  int64_t max_fp = 0;
  double target_loss = NAN;         // for "FP to reach target" in sweeps and summaries
  std::vector<RunSpec> runs;
  ViewSpec view;
  ExportSpec export_style;
  std::string source;               // file it came from (for messages), may be empty
};

// Parse and validate; every error names `file`, the field path and the accepted range.
Experiment experiment_from_json(const nlohmann::json& j, const std::string& file);
Experiment experiment_from_text(const std::string& text, const std::string& file);
Experiment experiment_load(const std::string& path);
nlohmann::json experiment_to_json(const Experiment& e);
void experiment_save(const Experiment& e, const std::string& path);  // atomic
// 16 hex digits of FNV-1a 64 over the canonical JSON (sorted keys, no whitespace).
std::string experiment_hash(const Experiment& e);
// Fully validates against the registries (landscape, optimizers, dims, directions).
void experiment_validate(const Experiment& e);

// Default colour of run i: 16 colours, any two clearly apart (Okabe-Ito's colour-blind
// friendly eight, then eight chosen for distinctness), repeating after 16.
constexpr int kRunPaletteSize = 16;
uint32_t default_run_colour(int i);
// The colour of a run added to `runs` (the GUI's add / duplicate): the first palette colour
// no run uses, else the first no visible run uses, else the one fewest visible runs share.
uint32_t next_run_colour(const std::vector<RunSpec>& runs);
std::string colour_to_hex(uint32_t rgb);

}  // namespace zs
