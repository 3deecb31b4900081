// config.json of a Hugging Face causal LM (OPT, LLaMA), parsed and validated, no torch.
// Fields and defaults follow transformers 5.x (OPTConfig, LlamaConfig): the fields that
// fix tensor shapes are required, the others default as in transformers. Errors name the
// file and the field ("config.json: field 'hidden_size': expected an integer").
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zs {

enum class ModelArch { Opt, Llama };

// RoPE inverse frequencies (transformers modeling_rope_utils): theta^(-2i/d), then
//   linear: / factor;  llama3 (Llama 3.1): / factor above wavelength
//   original_max / low_freq_factor, unchanged below original_max / high_freq_factor,
//   smoothly interpolated between.
struct RopeParams {
  enum class Type { Default, Linear, Llama3 };
  Type type = Type::Default;
  double theta = 10000.0;
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  int64_t original_max_position_embeddings = 0;
  bool operator==(const RopeParams&) const = default;
};

struct ModelConfig {
  ModelArch arch = ModelArch::Opt;
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t num_layers = 0;               // num_hidden_layers
  int64_t num_heads = 0;                // num_attention_heads
  int64_t num_kv_heads = 0;             // LLaMA num_key_value_heads (GQA); = num_heads for OPT (derived)
  int64_t head_dim = 0;                 // LLaMA head_dim, else hidden_size / num_heads (derived)
  int64_t ffn_dim = 0;                  // OPT ffn_dim, LLaMA intermediate_size
  int64_t max_position_embeddings = 0;
  bool tie_word_embeddings = true;      // lm_head shares embed_tokens
  std::optional<int64_t> pad_token_id, bos_token_id;
  std::vector<int64_t> eos_token_ids;
  double init_std = 0.02;               // OPT init_std, LLaMA initializer_range
  // OPT
  int64_t word_embed_proj_dim = 0;      // project_in/out when != hidden_size (OPT-350m)
  bool do_layer_norm_before = true;     // pre-LN; false = post-LN (OPT-350m)
  bool remove_final_layer_norm = false; // _remove_final_layer_norm (pre-4.20 fine-tunes)
  bool enable_bias = true;
  bool layer_norm_elementwise_affine = true;
  // LLaMA
  double rms_norm_eps = 1e-6;
  RopeParams rope;
  bool attention_bias = false;          // q, k, v, o biases
  bool mlp_bias = false;                // gate, up, down biases

  // OPT: the final layer norm exists (pre-LN and not removed).
  bool has_final_norm() const { return arch == ModelArch::Llama || (do_layer_norm_before && !remove_final_layer_norm); }
  // Width of embed_tokens / lm_head rows (OPT word_embed_proj_dim, else hidden_size).
  int64_t embed_dim() const { return arch == ModelArch::Opt ? word_embed_proj_dim : hidden_size; }
  bool operator==(const ModelConfig&) const = default;
};

std::string_view model_arch_name(ModelArch a);  // "opt", "llama"

// Parses config.json text; `where` (the file path) prefixes every error.
ModelConfig model_config_parse(std::string_view json_text, const std::string& where);
// Reads <path> (a config.json, or a folder holding one).
ModelConfig model_config_load(const std::string& path);
// Fills what follows from the rest: OPT num_kv_heads, head_dim (and word_embed_proj_dim
// when 0); LLaMA num_kv_heads and head_dim when 0, llama3 original_max_position_embeddings
// when 0. Call it on a hand-built config before validating; parse calls it.
void model_config_fill_derived(ModelConfig& c);
// Checks sizes and consistency (positive sizes, heads divide, ...); parse calls it.
void model_config_validate(const ModelConfig& c, const std::string& where);
// The published OPT shapes ("125m", "350m", "1.3b", "2.7b", "6.7b", "13b"; vocab 50272,
// 2048 positions), e.g. for a randomly initialised benchmark model. Throws on other names.
ModelConfig model_config_opt(std::string_view size);
// Number of scalars in the base parameters (tied lm_head counted once), as transformers'
// sum(p.numel() for p in model.parameters()).
int64_t model_config_num_parameters(const ModelConfig& c);
// config.json text that transformers loads back (and model_config_parse reads back to an
// equal ModelConfig); `dtype` is the transformers name: "float32", "bfloat16", "float16".
std::string model_config_to_json(const ModelConfig& c, std::string_view dtype);

}  // namespace zs
