// Fine-tuning preflight: everything `zoscope-cli finetune` can check in the parent before
// the first run starts, so that a bad path, a corrupt or mismatched model, unreadable task
// data, an unwritable output folder or a request that cannot fit in memory is one line up
// front instead of a failure (or a LibTorch trace) inside each run. It reads config.json,
// safetensors headers, tokenizer files and task data only (no tensor is allocated).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include "core/llm/io/finetune_spec.h"
#include "core/llm/io/model_config.h"
#include "core/llm/text/data.h"

namespace zs {

// What a run needs, in bytes (estimates; see preflight.cpp for the formulas).
struct PreflightNeeds {
  double parameters = 0;        // scalars in the model (+ adapters are small and ignored)
  double param_bytes = 0;       // weights in the spec's dtype (+ fp32 master copy)
  double state_bytes = 0;       // optimizer state (memory_p copies, fp32) + gradients (first order)
  double activation_bytes = 0;  // one forward (ZO) or forward + backward (first order) of a batch
  double cache_bytes = 0;       // zeroth-order runs on the CPU: the direction cache, full (dir_cache.h)
  double available_bytes = 0;   // memory this process may still use
  int64_t rows = 0, tokens = 0; // batch rows (batch_size x candidates) and tokens per row
  double total() const { return param_bytes + state_bytes + activation_bytes + cache_bytes; }
};

// 1. Paths, before any other work: the model folder (unless "default"; a folder, not a file), the tokenizer,
//    the task data folder exist; the output folder can be created and written.
void preflight_paths(const FinetuneSpec& spec, const std::string& out_dir);

// 2. Memory of a model config for the spec's batch (rows_per_example candidates of
//    row_tokens tokens each); zs::Error with the numbers when it exceeds `available`
//    (< 0: available_memory_bytes(), core/util/memory.h). Also refuses configs whose sizes
//    overflow, and generated task splits (data.train + dev + test) beyond memory.
PreflightNeeds preflight_memory(const FinetuneSpec& spec, const ModelConfig& config, int64_t rows_per_example,
                                int64_t row_tokens, double available = -1);

// The spec's task data (data.* fields), zs::Error when the training split is empty: what
// preflight_model reads and what the runs train on (finetune.cpp should call it too).
TaskData finetune_task_data(const FinetuneSpec& spec);

// 3. The model folder: config.json sane, the weights' headers valid and every tensor that
//    config.json asks for present with its shape (CausalLM::check_weights), the tokenizer's ids
//    below the embedding rows and the config's special ids inside the tokenizer, BOS/EOS
//    present, the task data readable and encodable; then preflight_memory with the data's
//    real row counts and lengths.
PreflightNeeds preflight_model(const FinetuneSpec& spec, const std::string& model_dir, double available = -1);

// 1-3 for a command that runs the spec (finetune, landscape): the paths, then the memory
// (for "default" with the default config, before that model is pretrained and cached on
// first use), then the model folder. Returns the model folder (finetune_model_dir) and,
// when `needs` is given, what one run needs (preflight_model's figures).
std::string preflight_all(const FinetuneSpec& spec, const std::string& out_dir,
                          const std::function<void(const std::string&)>& log, int threads,
                          PreflightNeeds* needs = nullptr);

// 4. `ranks` processes on this machine each holding the model (--nproc N, or the local
//    ranks of torchrun / srun): each needs `needs.total()` plus the runtime, this process's
//    resident anonymous memory once its freed heap is trimmed (LibTorch, the tokenizer, the
//    task data: what a rank holds before its model; measured 177 MB here vs 183 MB in each
//    rank of tiny-opt), and all of them must fit in the memory available (< 0:
//    available_memory_bytes(); docs/distributed.md#launching has the estimate against
//    measured ranks).
//    zs::Error naming `what` ("--nproc 64"), the estimate and the memory available, with the
//    most ranks that fit. Returns the bytes per rank.
double preflight_ranks(const PreflightNeeds& needs, int ranks, const std::string& what, double available = -1);
// preflight_ranks for the ranks a command will have on this machine: --nproc N (in the
// launcher), or in rank 0 of torchrun / srun the local ranks (DistEnv::local_world; not
// checked when unknown). Nothing to check for one process.
struct DistEnv;
void preflight_local_ranks(const PreflightNeeds& needs, int nproc, const DistEnv& env);

}  // namespace zs
