// Fine-tuning preflight (see preflight.h).
#include "core/llm/torch/preflight.h"
#include <malloc.h>
#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include "core/llm/io/safetensors.h"
#include "core/llm/torch/dir_cache.h"
#include "core/llm/torch/dist.h"
#include "core/llm/torch/finetune.h"
#include "core/llm/torch/model.h"
#include "core/llm/torch/pretrain.h"
#include "core/llm/text/data.h"
#include "core/llm/text/task.h"
#include "core/llm/text/tokenizer.h"
#include "core/opt/optimizer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/memory.h"

namespace zs {

namespace fs = std::filesystem;

namespace {

double dtype_bytes(const std::string& dtype) { return dtype == "fp32" ? 4 : 2; }

std::string count_text(double v) {
  char buf[32];
  if (v < 1e6) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// A generated task (sentiment) makes every example of its splits in memory: about 1.1 KB
// each with its encoding (measured: 200k training reviews, +225 MB peak RSS in the parent).
constexpr double kGeneratedExampleBytes = 1200;

void check_generated_counts(const FinetuneSpec& spec, double available) {
  if (!task_get(spec.task).generated) return;
  const double n = static_cast<double>(spec.n_train) + static_cast<double>(spec.n_dev) + static_cast<double>(spec.n_test);
  const double need = n * kGeneratedExampleBytes, avail = available >= 0 ? available : available_memory_bytes();
  if (!(need <= avail))
    fail(spec.file + ": data", "train " + std::to_string(spec.n_train) + " + dev " + std::to_string(spec.n_dev) +
                                   " + test " + std::to_string(spec.n_test) + " generated examples need about " +
                                   bytes_text(need) + ", more than the " + bytes_text(avail) +
                                   " of memory available; lower data.train, data.dev or data.test");
}

// "weights W, optimizer state S, activations A[, direction cache C]": what an estimate is made of.
std::string needs_parts_text(const PreflightNeeds& n) {
  return "weights " + bytes_text(n.param_bytes) + ", optimizer state " + bytes_text(n.state_bytes) + ", activations " +
         bytes_text(n.activation_bytes) + (n.cache_bytes > 0 ? ", direction cache " + bytes_text(n.cache_bytes) : "");
}

}  // namespace

void preflight_paths(const FinetuneSpec& spec, const std::string& out_dir) {
  std::error_code ec;
  if (spec.model != "default" && !fs::exists(spec.model, ec))
    fail(spec.file + ": model", "\"" + spec.model + "\" does not exist (a Hugging Face model folder, or \"default\")");
  if (spec.model != "default" && !fs::is_directory(spec.model, ec))
    fail(spec.file + ": model", "\"" + spec.model + "\" is not a folder (a Hugging Face model folder holding config.json and the safetensors, or \"default\")");
  if (!spec.tokenizer.empty() && !fs::exists(spec.tokenizer, ec))
    fail(spec.file + ": tokenizer", "\"" + spec.tokenizer + "\" does not exist");
  if (!task_get(spec.task).generated && !fs::is_directory(spec.data_dir, ec))
    fail(spec.file + ": data.dir", "\"" + spec.data_dir + "\" is not a folder (task \"" + spec.task + "\" reads its files from one)");
  make_dirs(out_dir);
  // Writable: a probe file through the same atomic path the runs use.
  const std::string probe = (fs::path(out_dir) / (".write-test." + std::to_string(::getpid()))).string();
  atomic_write(probe, "zoscope");
  fs::remove(probe, ec);
}

PreflightNeeds preflight_memory(const FinetuneSpec& spec, const ModelConfig& c, int64_t rows_per_example,
                                int64_t row_tokens, double available) {
  PreflightNeeds n;
  n.available_bytes = available >= 0 ? available : available_memory_bytes();
  check_generated_counts(spec, n.available_bytes);
  const double elem = dtype_bytes(spec.dtype);
  const double H = static_cast<double>(c.hidden_size), F = static_cast<double>(c.ffn_dim);
  const double V = static_cast<double>(c.vocab_size), L = static_cast<double>(c.num_layers);
  const double E = static_cast<double>(c.embed_dim()), heads = static_cast<double>(c.num_heads);
  const double pos = static_cast<double>(c.max_position_embeddings);
  // Parameters in double first (int64 overflows for absurd configs): embeddings (+ an untied
  // head), positions, and per layer 4 H^2 attention + 2 (OPT) or 3 (LLaMA) H x F matrices.
  const double mlp_mats = c.arch == ModelArch::Llama ? 3 : 2;
  n.parameters = V * E * (c.tie_word_embeddings ? 1 : 2) + (c.arch == ModelArch::Opt ? pos * H : 0) +
                 L * (4 * H * H + mlp_mats * H * F);
  const std::string cfg = spec.model == "default" ? "the default model" : spec.model + "/config.json";
  const double param_bytes = n.parameters * elem + (spec.master_weights ? 4 * n.parameters : 0);
  if (!(param_bytes <= n.available_bytes))
    fail(cfg, "num_hidden_layers " + std::to_string(c.num_layers) + ", hidden_size " + std::to_string(c.hidden_size) +
                  ", vocab_size " + std::to_string(c.vocab_size) + ": " + count_text(n.parameters) + " parameters need " +
                  bytes_text(param_bytes) + " of weights, more than the " + bytes_text(n.available_bytes) +
                  " of memory available");
  // Within memory, the exact count fits an int64.
  n.parameters = static_cast<double>(model_config_num_parameters(c));
  n.param_bytes = n.parameters * elem + (spec.master_weights ? 4 * n.parameters : 0);
  // Optimizer state (fp32 copies of P, memory_p each) and, for first-order runs, gradients
  // and every layer's activations kept for backward. Runs are separate processes: the
  // largest run counts.
  bool first_order = false, zeroth_order = false;
  for (const FinetuneRun& r : spec.runs) {
    const auto o = optimizer_create(r.optimizer, r.hp, spec.file + ": " + r.label, true);
    const bool fo = o->info().family == "fo";
    first_order = first_order || fo;
    zeroth_order = zeroth_order || !fo;
    n.state_bytes = std::max(n.state_bytes, o->memory_p() * n.parameters * 4 + (fo ? n.parameters * elem : 0));
  }
  // The CPU engine keeps whole fp32 directions between passes, up to its budget (64 MiB by
  // default), when two fit (dir_cache.h): a full cache, at most.
  if (zeroth_order && spec.device == "cpu") {
    const double entry = n.parameters * 4, budget = static_cast<double>(DirCache::default_budget());
    const double entries = std::floor(budget / entry);
    n.cache_bytes = entries >= 2 ? entries * entry : 0;
  }
  // Activations of one forward of the batch, R rows of T tokens: per layer about 6 R T H
  // (residual, norm, q, k, v, attention output) + 2 R T F (MLP) + 2 R heads T^2 (scores,
  // probabilities), and R T V fp32 logits. Inference frees a layer's before the next;
  // backward keeps every layer's.
  const double R = static_cast<double>(spec.batch_size) * static_cast<double>(std::max<int64_t>(rows_per_example, 1));
  const double T = static_cast<double>(std::max<int64_t>(row_tokens, 1));
  const double layer = (6 * R * T * H + 2 * R * T * F + 2 * R * heads * T * T) * elem;
  n.activation_bytes = layer * (first_order ? L : 1) + R * T * V * 4 * (first_order ? 2 : 1);
  n.rows = static_cast<int64_t>(R);
  n.tokens = static_cast<int64_t>(T);
  if (!(n.total() <= n.available_bytes))
    fail(spec.file + ": batch_size",
         std::to_string(spec.batch_size) + " x " + std::to_string(std::max<int64_t>(rows_per_example, 1)) +
             " candidate rows of up to " + std::to_string(n.tokens) + " tokens (max_length " +
             std::to_string(spec.max_length) + ") needs about " + bytes_text(n.total()) + " (" + needs_parts_text(n) +
             "), more than the " + bytes_text(n.available_bytes) +
             " of memory available; lower batch_size or max_length");
  return n;
}

TaskData finetune_task_data(const FinetuneSpec& spec) {
  check_generated_counts(spec, -1);
  DataOptions d;
  d.dir = spec.data_dir;
  d.n_train = spec.n_train;
  d.n_dev = spec.n_dev;
  d.n_test = spec.n_test;
  d.data_seed = spec.data_seed;
  TaskData data = task_data_load(task_get(spec.task), d);
  if (data.train.empty()) fail(spec.file + ": data.train", "no training examples");
  return data;
}

PreflightNeeds preflight_model(const FinetuneSpec& spec, const std::string& model_dir, double available) {
  const ModelConfig c = model_config_load(model_dir);
  // Weights: headers valid and every shard present (mmap; no tensor data is read).
  (void)st::Checkpoint::open(model_dir);
  const std::string tok_path = spec.tokenizer.empty() ? model_dir : spec.tokenizer;
  const std::unique_ptr<Tokenizer> tok = tokenizer_load(tok_path);
  if (tok->vocab_size() > c.vocab_size)
    fail(tok_path, "the tokenizer has " + std::to_string(tok->vocab_size()) + " token ids (largest " +
                       std::to_string(tok->vocab_size() - 1) + ") but the model's embedding has " +
                       std::to_string(c.vocab_size) + " rows (" + model_dir +
                       "/config.json vocab_size): use the tokenizer the model was trained with");
  if (tok->bos_id() < 0 && tok->eos_id() < 0)
    fail(tok_path, "the tokenizer has neither a BOS nor an EOS token (special_tokens_map.json or tokenizer_config.json)");
  const Task& task = task_get(spec.task);
  const TaskData data = finetune_task_data(spec);
  const EncodeOptions eo{.max_length = std::min<int64_t>(spec.max_length, c.max_position_embeddings)};
  int64_t rows = 1, tokens = 1;
  for (const auto* set : {&data.train, &data.dev}) {
    const EncodedSet enc = task_encode(task, *tok, *set, eo);
    for (const EncodedExample& x : enc.examples) {
      rows = std::max<int64_t>(rows, static_cast<int64_t>(x.rows.size()));
      for (const EncodedRow& r : x.rows) {
        tokens = std::max<int64_t>(tokens, static_cast<int64_t>(r.ids.size()));
        for (int32_t id : r.ids)
          if (id < 0 || id >= c.vocab_size)
            fail(tok_path, "token id " + std::to_string(id) + " (in the encoded task data) is outside the model's " +
                               std::to_string(c.vocab_size) + " embedding rows");
      }
    }
  }
  const PreflightNeeds needs = preflight_memory(spec, c, rows, tokens, available);
  // Every tensor config.json asks for, with its shape (after the memory check: the
  // check lists the config's layers, which an absurd config would not fit).
  CausalLM::check_weights(model_dir);
  return needs;
}

std::string preflight_all(const FinetuneSpec& spec, const std::string& out_dir,
                          const std::function<void(const std::string&)>& log, int threads, PreflightNeeds* needs) {
  preflight_paths(spec, out_dir);
  if (spec.model == "default") {
    const ModelConfig dc = default_model_config();
    const Task& task = task_get(spec.task);
    preflight_memory(spec, dc, std::max<int64_t>(1, static_cast<int64_t>(task.label_words.size())),
                     std::min<int64_t>(spec.max_length, dc.max_position_embeddings));
  } else {
    const PreflightNeeds n = preflight_model(spec, spec.model);
    if (needs) *needs = n;
  }
  const std::string model_dir = finetune_model_dir(spec, log, threads);
  if (spec.model == "default") {
    const PreflightNeeds n = preflight_model(spec, model_dir);
    if (needs) *needs = n;
  }
  return model_dir;
}

double preflight_ranks(const PreflightNeeds& needs, int ranks, const std::string& what, double available) {
  // Freed heap pages go back to the kernel first: keep_freed_tensor_memory (memory.h) keeps
  // them for repeated forward passes, and pretraining the default model on first use left
  // ~100 MB of them (measured: runtime 289 MB instead of 188 MB), which the ranks would be
  // charged for and the launcher, which only waits from here, would hold for the whole job.
  ::malloc_trim(0);
  const double runtime = resident_anon_bytes();
  const double per_rank = needs.total() + (std::isfinite(runtime) ? runtime : 0);
  const double avail = available >= 0 ? available : available_memory_bytes();
  if (ranks > 1 && !(per_rank * ranks <= avail)) {
    const double fit = std::floor(avail / per_rank);
    fail(what, std::to_string(ranks) + " ranks on this machine, each holding the model, need about " +
                   bytes_text(per_rank * ranks) + " (per rank " + bytes_text(per_rank) + ": " + needs_parts_text(needs) + ", runtime " +
                   (std::isfinite(runtime) ? bytes_text(runtime) : std::string("unknown")) + "), more than the " +
                   bytes_text(avail) + " of memory available; " +
                   (fit >= 2 ? "use at most " + count_text(fit) + " ranks on this machine" : "run one process here"));
  }
  return per_rank;
}

void preflight_local_ranks(const PreflightNeeds& needs, int nproc, const DistEnv& env) {
  if (nproc > 1) {
    preflight_ranks(needs, nproc, "--nproc " + std::to_string(nproc));
  } else if (env.world > 1 && env.rank == 0 && env.local_world > 1) {
    preflight_ranks(needs, env.local_world, "environment " + env.local_world_from + " " + std::to_string(env.local_world));
  }
}

}  // namespace zs
