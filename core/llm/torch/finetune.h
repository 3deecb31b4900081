// The fine-tuning driver of `zoscope-cli finetune` (docs/finetune-schema.md): one run of a
// spec (one optimizer) in this process, with its on-disk step log, atomic checkpoints and
// exact resume; the comparison table and the merged loss curves.
//
// Files of a run, in <out>/runs/<label>/:
//   steps.log        one record per line, appended and flushed as the run goes:
//                      S <t> <fp> <bp> <seed> <p> <lr> <loss> <n> <l_1> ... <l_n>
//                      E <t> <fp> <dev_accuracy> <dev_loss>
//                    t = steps done after the step (1-based); doubles are C99 hex floats
//                    (%a: exact); l_i are the step's loss evaluations in call order. A line
//                    without its final newline (a kill mid-write) is ignored.
//   checkpoint.json  the latest checkpoint (written atomically after its tensors):
//                    {"step", "fp", "bp", "scalar_state" (hex), "tensors": "ckpt-<step>.safetensors"}
//   ckpt-<step>.safetensors  blocks ("param/<name>") + engine state (state0/, state1/, master/)
//   record.csv       the run record (core/run/record.h rows: loss, update norm, step-size
//                    quantiles, dev metric), written with each checkpoint and at the end
//   final.safetensors, result.json  at the end of the run.
// Checkpoints (every checkpoint_every steps) and evaluations (every eval_every steps) first
// settle the optimizer (undo a fused perturbation), the same way in every run, so they
// are part of the trajectory.
//
// Resume: parameters and optimizer state come from the last checkpoint. A zeroth-order run
// then replays the logged steps after it without forward passes (loss replay: the engine
// returns the logged loss values, so the optimizer recomputes the same (seed, p) and
// applies the same updates, bit for bit; a seed or p that differs from the log is an
// error); a first-order run drops the log records after the checkpoint and recomputes
// them (forward + backward from the checkpoint's parameters and Adam state).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>
#include "core/llm/io/finetune_spec.h"
#include "core/run/record.h"
#include "core/run/stepper.h"

namespace zs {

class Dist;
using FinetuneLog = std::function<void(const std::string&)>;

struct FinetuneRunOptions {
  bool resume = false;
  // > 0: return (completed = false) right after step k is logged and, when due, its
  // checkpoint written, as if killed there (tests; the CLI child exits on it).
  int64_t stop_after_step = -1;
  int threads = 0;  // ATen intra-op threads (0: ATen's default)
  FinetuneLog log;
  // Data parallel over a process group (dist.h): every rank steps the same optimizer on its
  // loss shards; only rank 0 writes (log, checkpoints, record, results) and evaluates.
  // Without it, spec.dist_shards > 1 still splits the loss into shards (the same numbers
  // as on several ranks).
  Dist* dist = nullptr;
};

struct FinetuneRunResult {
  std::string label, optimizer, family;   // family "zo" or "fo"
  bool completed = false;
  int64_t steps = 0, forward_passes = 0, backward_passes = 0;
  int64_t replayed_steps = 0;              // steps re-applied from the log on resume
  double final_train_loss = 0;             // candidate loss over the training set at the end
  double dev_accuracy = 0;                 // task metric on the dev set at the end
  int64_t trainable = 0;                   // trainable parameters
  int64_t state_bytes = 0;                 // persistent optimizer memory (engine state + scalars)
  int64_t peak_rss_bytes = 0;              // peak resident memory of the run's process
  double seconds = 0;                      // wall time of this (last) invocation
  int64_t dist_bytes_sent = 0;             // payload bytes this rank sent (distributed runs)
};

// The model folder of a spec: "default" is the embedded model, pretrained on first use
// and cached (pretrain.h); otherwise the spec's folder.
// threads > 0 sets ATen's intra-op threads first.
std::string finetune_model_dir(const FinetuneSpec& spec, const FinetuneLog& log = {}, int threads = 0);

// Runs spec.runs[run] in this process into run_dir (created; emptied unless resuming).
FinetuneRunResult finetune_run(const FinetuneSpec& spec, size_t run, const std::string& model_dir,
                               const std::string& run_dir, const FinetuneRunOptions& opt = {});

void finetune_result_write(const std::string& path, const FinetuneRunResult& r);
FinetuneRunResult finetune_result_read(const std::string& path);

// The printed table: one row per run (columns in docs/finetune-schema.md).
std::string finetune_table(const std::vector<FinetuneRunResult>& results);
// The results as CSV (the table's columns, raw numbers).
std::string finetune_results_csv(const std::vector<FinetuneRunResult>& results);
// curves.csv from the runs' step logs: label,optimizer,step,forward_passes,train_loss,dev_accuracy
// (one row per step; dev_accuracy empty where the step had no evaluation).
std::string finetune_curves_csv(const FinetuneSpec& spec, const std::string& out_dir);

// One steps.log record (the format above), newline included, as the batch driver writes
// it: the app's live runs write their logs with these, so `finetune --resume` continues them.
std::string finetune_log_step_line(int64_t t, int64_t fp, int64_t bp, uint64_t seed, double p, double lr, double loss,
                                   const std::vector<double>& losses);
std::string finetune_log_eval_line(int64_t t, int64_t fp, double dev_accuracy, double dev_loss);

// The runs' records (one row per step, as landscape runs: core/run/record.h) from each
// run's record.csv, in spec order with the spec's labels; runs without a record are left out.
std::vector<RunRecord> finetune_records(const FinetuneSpec& spec, const std::string& out_dir);

// Peak resident set of this process (VmHWM), bytes; 0 if unknown.
int64_t process_peak_rss_bytes();

}  // namespace zs
