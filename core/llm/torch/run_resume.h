// Resume of a language-model run from its folder (docs/llm-live.md "Continuing a logged
// run"): the one resume path of `zoscope-cli finetune --resume` (finetune.cpp) and of the
// app's Continue (live.cpp). Parameters and optimizer state come from the folder's last
// checkpoint, when there is one; a zeroth-order run then replays the logged steps after
// it without forward passes (loss replay: the engine returns the logged losses, so the
// optimizer regenerates the same seeds and p and re-applies the same updates, bit for
// bit); a first-order run drops the records after the checkpoint and recomputes them.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>
#include "core/llm/torch/model.h"
#include "core/llm/torch/zo_engine.h"
#include "core/opt/optimizer.h"
#include "core/run/record.h"
#include "core/run/step_log.h"
#include "core/run/stepper.h"

namespace zs {

class LlmRowStats;

class RunResume {
 public:
  // Loads run_dir/checkpoint.json (if any) into blocks, engine and optimizer, reads
  // run_dir/steps.log and, when `writer`, rewrites it to the records kept (those up to the
  // checkpoint and the zeroth-order steps to replay, with their evaluations), so new
  // records append after them. A corrupt checkpoint or log is zs::Error naming the file.
  RunResume(const std::string& run_dir, const std::vector<Block>& blocks, TensorEngine& engine, Optimizer& opt,
            bool first_order, bool writer);

  int64_t start() const { return start_; }                   // steps restored from the checkpoint
  size_t to_replay() const { return replay_.size(); }          // logged steps re-applied after it
  const std::vector<StepLogRecord>& kept() const { return kept_; }
  const std::string& log_path() const { return log_path_; }
  // "resuming at step k, replaying n logged steps", and when the log lost steps the
  // checkpoint covers (a power cut after the checkpoint's fsync, a damaged file): "; steps.log
  // lacks steps j to k: curves.csv misses them (runs.csv keeps them, from record.csv)".
  std::string summary() const;

  // Rows up to the checkpoint from run_dir/record.csv (the record written with it) into
  // `rec` (row 0 already there), the plane statistics and the stepper's step count.
  void restore_record(RunRecord& rec, LlmRowStats& rows, Stepper& stepper) const;

  // Before step t + 1 (t steps done): hands the engine that step's logged losses when it
  // is replayed.
  void before_step(int64_t t, TensorEngine& engine);
  // After it: the replayed record (nullptr for a new step, to be logged); zs::Error naming
  // the log when the step did not replay as logged (another spec or build).
  const StepLogRecord* after_step(const StepInfo& info, const TensorEngine& engine);
  // The dev metric logged at step t (an evaluation not to run again), or nullptr.
  const double* evaluated(int64_t t) const;

 private:
  std::string run_dir_, log_path_;
  int64_t start_ = 0;
  int64_t logged_ = 0;  // steps 1..logged_ in the log, each once in order
  std::vector<StepLogRecord> kept_;
  std::map<int64_t, StepLogRecord> replay_;  // t -> step record to replay
  std::map<int64_t, double> evaluated_;      // t -> logged dev metric
  const StepLogRecord* replaying_ = nullptr;
};

// The run's final weights, by block name, into run_dir/final.safetensors (the model
// tensors: sync master weights first).
void finetune_save_final(const std::string& run_dir, const std::vector<Block>& blocks);

}  // namespace zs
