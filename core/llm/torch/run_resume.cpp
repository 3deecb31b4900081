// Resume of a run from its folder (see run_resume.h).
#include "core/llm/torch/run_resume.h"
#include <c10/core/GradMode.h>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include "core/llm/torch/llm_rows.h"
#include "core/llm/torch/tensor_io.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/json_read.h"

namespace zs {

namespace fs = std::filesystem;

RunResume::RunResume(const std::string& run_dir, const std::vector<Block>& blocks, TensorEngine& engine, Optimizer& opt,
                     bool first_order, bool writer)
    : run_dir_(run_dir), log_path_(run_dir + "/steps.log") {
  const std::string ckpt_path = run_dir + "/checkpoint.json";
  std::error_code ec;
  if (fs::exists(ckpt_path, ec)) {
    const nlohmann::json c = json_load(ckpt_path);  // names the file when truncated or corrupt
    start_ = c.at("step").get<int64_t>();
    // The tensors' file must be a plain name inside the run folder (never ../ or absolute).
    const at::Device dev = blocks.empty() ? at::Device(at::kCPU) : blocks[0].tensor.device();
    const std::map<std::string, at::Tensor> ts =
        load_tensors(path_inside(run_dir, c.at("tensors").get<std::string>(), ckpt_path + ": tensors"), dev);
    {
      c10::NoGradGuard ng;
      for (const Block& b : blocks) {
        const auto it = ts.find("param/" + b.name);
        if (it == ts.end()) fail(ckpt_path, "checkpoint lacks tensor param/" + b.name);
        b.tensor.copy_(it->second);
      }
    }
    std::vector<std::pair<std::string, at::Tensor>> state;
    for (const auto& [k, v] : ts)
      if (k.rfind("param/", 0) != 0) state.push_back({k, v});
    engine.load_state_tensors(state);
    std::vector<double> sc;
    for (const auto& h : c.at("scalar_state")) sc.push_back(step_log_unhex(h.get<std::string>(), ckpt_path));
    opt.set_scalar_state(sc);
    engine.set_pass_counts(c.at("fp").get<int64_t>(), c.at("bp").get<int64_t>());
  }
  const std::vector<StepLogRecord> logged = step_log_read(log_path_);
  for (const StepLogRecord& r : logged)
    if (r.kind == 'S' && r.t == logged_ + 1) ++logged_;
  if (!first_order)
    for (const StepLogRecord& r : logged)
      if (r.kind == 'S' && r.t == start_ + static_cast<int64_t>(replay_.size()) + 1) replay_[r.t] = r;
  for (const StepLogRecord& r : logged)
    if (r.t <= start_ || replay_.count(r.t)) kept_.push_back(r);
  for (const StepLogRecord& r : kept_)
    if (r.kind == 'E') evaluated_[r.t] = r.dev_accuracy;
  if (writer) {
    std::string text;
    for (const StepLogRecord& r : kept_) text += step_log_line(r);
    atomic_write(log_path_, text);
  }
}

std::string RunResume::summary() const {
  return "resuming at step " + std::to_string(start_) +
         (replay_.empty() ? "" : ", replaying " + std::to_string(replay_.size()) + " logged steps") +
         (logged_ < start_ ? "; " + log_path_ + " lacks steps " + std::to_string(logged_ + 1) + " to " +
                                 std::to_string(start_) + ": curves.csv misses them (runs.csv keeps them, from record.csv)"
                           : "");
}

void RunResume::restore_record(RunRecord& rec, LlmRowStats& rows, Stepper& stepper) const {
  if (start_ == 0) return;
  const std::string record_path = run_dir_ + "/record.csv";
  std::error_code ec;
  if (!fs::exists(record_path, ec)) fail(record_path, "missing: the run record of the resumed run");
  const std::vector<RunRecord> old = records_from_csv(read_file(record_path), record_path);
  if (old.size() != 1 || static_cast<int64_t>(old[0].rows.size()) <= start_)
    fail(record_path, "does not cover the checkpoint's " + std::to_string(start_) + " steps");
  rec.rows.assign(old[0].rows.begin(), old[0].rows.begin() + start_ + 1);
  rows.restore(rec.rows.back());
  stepper.restore(start_, rec.rows.back().path_length);
}

void RunResume::before_step(int64_t t, TensorEngine& engine) {
  const auto it = replay_.find(t + 1);
  replaying_ = it == replay_.end() ? nullptr : &it->second;
  if (replaying_) engine.replay_losses(replaying_->losses);
}

const StepLogRecord* RunResume::after_step(const StepInfo& info, const TensorEngine& engine) {
  const StepLogRecord* r = replaying_;
  replaying_ = nullptr;
  if (!r) return nullptr;
  const bool p_same = (std::isnan(r->p) && std::isnan(info.p)) || std::memcmp(&r->p, &info.p, sizeof(double)) == 0;
  if (engine.replay_pending() != 0 || r->seed != info.seed || !p_same)
    fail(log_path_, "step " + std::to_string(r->t) + " does not replay as logged (seed/p/loss count differ): " +
                        "the log belongs to another spec or build");
  return r;
}

const double* RunResume::evaluated(int64_t t) const {
  const auto it = evaluated_.find(t);
  return it == evaluated_.end() ? nullptr : &it->second;
}

void finetune_save_final(const std::string& run_dir, const std::vector<Block>& blocks) {
  std::vector<std::pair<std::string, at::Tensor>> ts;
  for (const Block& b : blocks) ts.push_back({b.name, b.tensor.detach()});
  save_tensors(run_dir + "/final.safetensors", ts);
}

}  // namespace zs
