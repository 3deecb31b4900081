// First-order pretraining of the embedded default model (docs/llm-engine.md#embedded-default) and
// its on-disk cache.
//
// pretrain_lm: AdamW (Loshchilov & Hutter 2019; bias-corrected, decoupled weight decay on
// Block::decay tensors only) through autograd, global gradient-norm clipping, linear warm-up
// then cosine decay to 10% of lr. Each training row is packed from the corpus:
// "</s> doc </s> doc ..." cut to seq_len tokens, where row j of step t reads documents
// (t*batch + j)*16 + k, k = 0, 1, ... of sentiment_document(data_seed, .), so the data is a
// pure function of (data_seed, t, j). Packing puts several verdicts in every row. The loss is
// the LM loss over every token of the row. LibTorch CPU kernels reduce in a
// thread-count-dependent order, so runs agree across machines to float rounding only.
//
// pretrained_default_model: the tiny OPT-style model (default_model_config) made with
// CausalLM::random(cfg, seed), pretrained, and saved once as a checkpoint folder
// (config.json, model.safetensors, the tokenizer's vocab.json / merges.txt /
// tokenizer_config.json, and zoscope_pretrain.json with the key, timing, losses and the
// zero-shot accuracy on the sentiment task's dev set). The folder is
// <cache>/models/sentiment-v<version>-<key hash>; it is built under a temporary name and
// renamed into place as a whole, so a half-written cache is never seen (a crash leaves only
// a temporary folder, removed on the next build). The key covers the generator version,
// this file's procedure version, the config, the seed and every pretraining option.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include "core/llm/io/model_config.h"

namespace zs {

class CausalLM;
class Tokenizer;

// Bumped whenever pretrain_lm or the default config changes what is produced.
inline constexpr int kPretrainVersion = 2;

struct PretrainOptions {
  int64_t steps = 500;         // ~1 CPU-minute; dev accuracy ~0.7 (zoscope_pretrain.json)
  int64_t batch_size = 16;
  int64_t seq_len = 64;        // tokens per row, <= max_position_embeddings
  double lr = 3e-3;
  double beta1 = 0.9, beta2 = 0.98, eps = 1e-8;
  double weight_decay = 0.01;
  double clip_norm = 1.0;      // <= 0: no clipping
  int64_t warmup = 30;         // steps of linear warm-up
  uint64_t data_seed = 0;      // corpus documents
  // Called after every step with (step, loss); may be empty.
  std::function<void(int64_t, double)> on_step;
};

struct PretrainResult {
  double seconds = 0;
  double first_loss = 0, last_loss = 0;  // LM loss of the first step, mean of the last 10% of steps
  int64_t tokens = 0;
};

// Trains the model's blocks() in place (switches autograd on for the run and back off).
PretrainResult pretrain_lm(CausalLM& model, const Tokenizer& tok, const PretrainOptions& opt);

// The default config: OPT-style, hidden 128, 4 layers, 4 heads, ffn 512, 128 positions,
// vocab = the sentiment tokenizer's (pad 1, bos = eos = 2).
ModelConfig default_model_config();

struct DefaultModelOptions {
  std::string cache_dir;   // "": $ZOSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/zoscope, else ~/.cache/zoscope
  uint64_t seed = 0;       // model init
  PretrainOptions pretrain;
  // Progress lines ("pretraining ...", "cached at ..."); may be empty.
  std::function<void(const std::string&)> log;
};

std::string default_cache_dir();
// The cache key (hex) of a default model.
std::string default_model_key(const DefaultModelOptions& opt);
// The checkpoint folder of the default model: trained on first use, then reused.
std::string pretrained_default_model(const DefaultModelOptions& opt = {});

}  // namespace zs
