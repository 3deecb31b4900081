// The run record: one row per step (docs/design-notes.md#one-record-per-step). The GUI, the CLI, the
// exporters and the tests all read these rows. CSV and JSONL writers print doubles with
// 17 significant digits, so the same experiment and seed give byte-identical files.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>
#include "core/params.h"

namespace zs {

struct StepRow {
  int64_t step = 0;
  int64_t fp = 0, bp = 0;            // cumulative forward / backward passes
  double loss = NAN;                 // noise-free loss at the point after the step
  double loss_plus = NAN, loss_minus = NAN;  // measured probe losses (with noise)
  double p = NAN;                    // projected gradient (first query)
  double update_norm = NAN;          // ||x_t - x_{t-1}||
  double path_length = 0;            // sum of update norms
  double cos_grad = NAN;             // cos(-update, true gradient at x_{t-1})
  double x = NAN, y = NAN;           // point in the view plane
  double probe_plus_x = NAN, probe_plus_y = NAN, probe_minus_x = NAN, probe_minus_y = NAN;
  double alpha_x = NAN, alpha_y = NAN;  // effective step size of the two view coordinates
  double alpha_min = NAN, alpha_q25 = NAN, alpha_median = NAN, alpha_q75 = NAN, alpha_max = NAN;
  double dev_metric = NAN;           // language models: dev-set metric where evaluated
};

struct RunRecord {
  int index = 0;
  std::string label, optimizer;
  uint32_t colour = 0;
  bool visible = true;
  ParamValues hp;                    // resolved hyperparameters
  double memory_p = 0;
  int64_t memory_bytes = 0;
  double fp_per_step = 0;
  int bp_per_step = 0;
  std::string legend;                // "0P, 2 FP/step"
  bool diverged = false;
  int64_t diverged_step = -1;
  std::string diverge_reason;
  std::vector<StepRow> rows;         // rows[0] is the start (step 0, no FP)
  std::vector<double> final_x;       // parameters after the last step
  // Language models (per-tensor view): the trainable tensors' names and, for rows 1.. in
  // order, each tensor's mean effective step size and RMS update (row-major, one row of
  // tensor_names.size() values per step; empty when the engine gives none). Not in CSV/JSONL.
  std::vector<std::string> tensor_names;
  std::vector<float> tensor_alpha, tensor_rms;

  double final_loss() const { return rows.empty() ? NAN : rows.back().loss; }
  // Cumulative FP at the first row whose loss <= target (-1 if never).
  int64_t fp_to_reach(double target) const;
};

// A CSV field, quoted when it holds a comma, quote or newline (labels are free text).
std::string csv_quote(const std::string& s);
// One CSV line split into fields (RFC 4180 quoting: "" inside quotes is a quote).
std::vector<std::string> csv_split(const std::string& line);
// The header; `dev_metric` adds the language models' dev-metric column (written only when
// some row was evaluated, so landscape files keep their columns).
std::string records_csv_header(bool dev_metric = false);
bool records_have_dev_metric(const std::vector<RunRecord>& runs);
std::string records_to_csv(const std::vector<RunRecord>& runs);
std::string records_to_jsonl(const std::vector<RunRecord>& runs);
// Reads rows back (render): run index, label and optimizer from the CSV columns.
std::vector<RunRecord> records_from_csv(const std::string& text, const std::string& file);

}  // namespace zs
