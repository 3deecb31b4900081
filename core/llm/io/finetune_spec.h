// The fine-tuning spec of `zoscope-cli finetune` (docs/finetune-schema.md), torch-free:
// parsing and validation. Every problem is one zs::Error line naming the file, the field
// path and the value.
#pragma once
#include <cstdint>
#include <string>
#include <vector>
#include "core/params.h"
#include "core/run/stepper.h"

namespace zs {

struct FinetuneRun {
  std::string optimizer;  // core/opt catalog id ("mezo", "adamezo", "zo_adam", "adam", ...)
  ParamValues hp;         // resolved: LLM defaults overridden by the spec's values
  std::string label;      // unique, [A-Za-z0-9_.-]+ (a folder name); default: the optimizer id
  // Every this many steps, the cosine between the step's update and the true (backprop)
  // gradient on the same minibatch (live runs; 0: never). Costs one forward + backward.
  int64_t cosine_every = 0;
};

struct FinetuneSpec {
  std::string file;                  // where it came from (errors)
  std::string model = "default";     // "default" (the embedded pretrained model) or an HF folder
  std::string tokenizer;             // tokenizer folder ("": the model folder)
  int64_t pretrain_steps = -1;       // model "default": pretraining steps (-1: the built-in default)
  std::string task = "sentiment";
  std::string data_dir;              // file tasks: the task folder
  uint64_t data_seed = 0;
  int64_t n_train = 1000, n_dev = 500, n_test = 1000;
  int64_t max_length = 128;          // tokens per row
  std::string mode = "full";         // full | lora | adazeta
  std::string dtype = "fp32";        // fp32 | bf16 | fp16
  bool master_weights = false;
  std::string device = "cpu";        // cpu | cuda
  int64_t batch_size = 16;
  uint64_t seed = 0;                 // optimizer seed (directions) and minibatch order
  int64_t steps = -1;                // budget: steps, or
  int64_t forward_passes = -1;       //         forward passes (exactly one is set)
  int64_t checkpoint_every = 0;      // steps; 0: no periodic checkpoints
  int64_t eval_every = 0;            // steps; 0: dev accuracy at the end only
  int64_t eval_examples = -1;        // dev examples per evaluation (-1: all of them)
  // "distributed" (docs/distributed.md): process-group backend, how many loss shards the
  // minibatch is split into (0: as many as there are ranks; a fixed number makes a run
  // bit-identical on any number of ranks), and the collective timeout.
  std::string dist_backend = "auto";  // auto (gloo on cpu, nccl on cuda) | gloo | nccl
  std::string dist_parallel = "data";  // data (minibatch shards) | directions (loss evaluations)
  int64_t dist_shards = 0;
  double dist_timeout_s = 300;
  std::vector<FinetuneRun> runs;
};

// Parses a spec; `file` names it in errors.
FinetuneSpec finetune_spec_parse(const std::string& text, const std::string& file);
FinetuneSpec finetune_spec_load(const std::string& path);
// The spec without what may change between a run and its resume (the process group's
// backend and timeout), and the check of a resume against the spec.json a folder was
// started with: zs::Error naming that file when they differ (`finetune --resume`, the
// app's Continue).
std::string finetune_spec_identity(FinetuneSpec s);
void finetune_spec_check_resume(const std::string& spec_path, const FinetuneSpec& spec);
// The spec's budget (steps or forward passes) as the Stepper takes it.
Budget finetune_budget(const FinetuneSpec& spec);
// The spec as JSON (resolved hyperparameters included): what the driver writes to DIR/spec.json.
std::string finetune_spec_to_json(const FinetuneSpec& s);

}  // namespace zs
