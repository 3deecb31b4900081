// What a fine-tuning run loads before its first step, shared by the batch driver
// (finetune.cpp) and the app's live runs (live.cpp): the model with its mode (full, LoRA,
// AdaZeta adapters) in the spec's dtype and device, the tokenizer and the encoded splits.
#pragma once
#include <memory>
#include <string>
#include "core/llm/io/finetune_spec.h"
#include "core/llm/text/data.h"
#include "core/llm/text/tokenizer.h"
#include "core/llm/torch/model.h"

namespace zs {

// The model of `model_dir` as the spec asks (dtype, device, mode; adapters seeded with
// spec.seed). zs::Error when the spec asks for CUDA and none is available.
CausalLM finetune_load_model(const FinetuneSpec& spec, const std::string& model_dir);

struct FinetuneData {
  std::unique_ptr<Tokenizer> tok;
  EncodedSet train, dev, test;
};
// The tokenizer (spec.tokenizer, else the model folder) and the task's splits, encoded
// with the spec's max_length (at most the model's positions); `config` is the model's
// (model.config(), or model_config_load(model_dir) without loading the weights).
FinetuneData finetune_load_data(const FinetuneSpec& spec, const std::string& model_dir, const ModelConfig& config);

}  // namespace zs
