// config.json parsing for OPT and LLaMA (see model_config.h).
#include "core/llm/io/model_config.h"
#include <filesystem>
#include <nlohmann/json.hpp>
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/json_read.h"

namespace zs {

namespace {

using json = nlohmann::json;

std::string type_name(const json& v) {
  if (v.is_number_integer()) return "an integer";
  if (v.is_number_float()) return "a number";
  return std::string("a ") + v.type_name();
}

// Typed access to one JSON object; every error names the file and the field path.
struct Fields {
  const json& j;
  const std::string& where;
  std::string prefix;  // "rope_parameters." for nested objects

  [[noreturn]] void bad(const std::string& field, const std::string& msg) const {
    fail(where, "field '" + prefix + field + "': " + msg);
  }
  // Present and not null.
  const json* get(const std::string& field) const {
    const auto it = j.find(field);
    return it == j.end() || it->is_null() ? nullptr : &*it;
  }
  int64_t integer(const json& v, const std::string& field) const {
    if (!v.is_number_integer()) bad(field, "expected an integer, got " + type_name(v));
    return v.get<int64_t>();
  }
  int64_t req_int(const std::string& field) const {
    const json* v = get(field);
    if (!v) bad(field, "missing (required)");
    return integer(*v, field);
  }
  int64_t opt_int(const std::string& field, int64_t def) const {
    const json* v = get(field);
    return v ? integer(*v, field) : def;
  }
  std::optional<int64_t> opt_id(const std::string& field, std::optional<int64_t> def) const {
    const auto it = j.find(field);
    if (it == j.end()) return def;
    if (it->is_null()) return std::nullopt;
    return integer(*it, field);
  }
  double opt_num(const std::string& field, double def) const {
    const json* v = get(field);
    if (!v) return def;
    if (!v->is_number()) bad(field, "expected a number, got " + type_name(*v));
    return v->get<double>();
  }
  bool opt_bool(const std::string& field, bool def) const {
    const json* v = get(field);
    if (!v) return def;
    if (!v->is_boolean()) bad(field, "expected true or false, got " + type_name(*v));
    return v->get<bool>();
  }
  std::string opt_str(const std::string& field, const std::string& def) const {
    const json* v = get(field);
    if (!v) return def;
    if (!v->is_string()) bad(field, "expected a string, got " + type_name(*v));
    return v->get<std::string>();
  }
  // eos_token_id: an integer or a list of integers.
  std::vector<int64_t> opt_ids(const std::string& field, std::vector<int64_t> def) const {
    const auto it = j.find(field);
    if (it == j.end()) return def;
    if (it->is_null()) return {};
    if (!it->is_array()) return {integer(*it, field)};
    std::vector<int64_t> out;
    for (const auto& e : *it) out.push_back(integer(e, field));
    return out;
  }
};

void parse_opt(const Fields& f, ModelConfig& c) {
  c.arch = ModelArch::Opt;
  c.hidden_size = f.req_int("hidden_size");
  c.num_layers = f.req_int("num_hidden_layers");
  c.num_heads = f.req_int("num_attention_heads");
  c.ffn_dim = f.req_int("ffn_dim");
  c.vocab_size = f.req_int("vocab_size");
  c.max_position_embeddings = f.req_int("max_position_embeddings");
  c.word_embed_proj_dim = f.opt_int("word_embed_proj_dim", c.hidden_size);
  c.do_layer_norm_before = f.opt_bool("do_layer_norm_before", true);
  c.remove_final_layer_norm = f.opt_bool("_remove_final_layer_norm", false);
  c.enable_bias = f.opt_bool("enable_bias", true);
  c.layer_norm_elementwise_affine = f.opt_bool("layer_norm_elementwise_affine", true);
  c.tie_word_embeddings = f.opt_bool("tie_word_embeddings", true);
  c.init_std = f.opt_num("init_std", 0.02);
  c.pad_token_id = f.opt_id("pad_token_id", 1);
  c.bos_token_id = f.opt_id("bos_token_id", 2);
  c.eos_token_ids = f.opt_ids("eos_token_id", {2});
  const std::string act = f.opt_str("activation_function", "relu");
  if (act != "relu") f.bad("activation_function", "'" + act + "' is not supported (relu)");
}

// rope_parameters (transformers 5) or rope_scaling (older) + top-level rope_theta.
RopeParams parse_rope(const Fields& f) {
  RopeParams r;
  r.theta = f.opt_num("rope_theta", 10000.0);
  std::string key = "rope_scaling";
  const json* obj = f.get(key);
  if (!obj) obj = f.get(key = "rope_parameters");
  if (!obj) return r;
  if (!obj->is_object()) f.bad(key, "expected an object, got " + type_name(*obj));
  const Fields g{*obj, f.where, key + "."};
  r.theta = g.opt_num("rope_theta", r.theta);
  const std::string type = g.opt_str("rope_type", g.opt_str("type", "default"));
  if (type == "default") {
    r.type = RopeParams::Type::Default;
  } else if (type == "linear") {
    r.type = RopeParams::Type::Linear;
    r.factor = g.opt_num("factor", 0.0);
    if (!g.get("factor")) g.bad("factor", "missing (required for rope_type linear)");
  } else if (type == "llama3") {
    r.type = RopeParams::Type::Llama3;
    for (const char* k : {"factor", "low_freq_factor", "high_freq_factor"})
      if (!g.get(k)) g.bad(k, "missing (required for rope_type llama3)");
    r.factor = g.opt_num("factor", 0.0);
    r.low_freq_factor = g.opt_num("low_freq_factor", 0.0);
    r.high_freq_factor = g.opt_num("high_freq_factor", 0.0);
    r.original_max_position_embeddings = g.opt_int("original_max_position_embeddings", 0);
  } else {
    g.bad(g.get("rope_type") ? "rope_type" : "type", "'" + type + "' is not supported (default, linear, llama3)");
  }
  if (g.opt_num("partial_rotary_factor", 1.0) != 1.0) g.bad("partial_rotary_factor", "only 1.0 is supported");
  return r;
}

void parse_llama(const Fields& f, ModelConfig& c) {
  c.arch = ModelArch::Llama;
  c.hidden_size = f.req_int("hidden_size");
  c.ffn_dim = f.req_int("intermediate_size");
  c.num_layers = f.req_int("num_hidden_layers");
  c.num_heads = f.req_int("num_attention_heads");
  c.vocab_size = f.req_int("vocab_size");
  c.max_position_embeddings = f.opt_int("max_position_embeddings", 2048);
  c.num_kv_heads = f.opt_int("num_key_value_heads", 0);
  c.head_dim = f.opt_int("head_dim", 0);
  if (c.head_dim == 0 && c.num_heads > 0 && c.hidden_size % c.num_heads != 0)
    f.bad("num_attention_heads", std::to_string(c.num_heads) + " does not divide hidden_size " +
                                     std::to_string(c.hidden_size) + " (and head_dim is not given)");
  c.rms_norm_eps = f.opt_num("rms_norm_eps", 1e-6);
  c.attention_bias = f.opt_bool("attention_bias", false);
  c.mlp_bias = f.opt_bool("mlp_bias", false);
  c.tie_word_embeddings = f.opt_bool("tie_word_embeddings", false);
  c.init_std = f.opt_num("initializer_range", 0.02);
  c.pad_token_id = f.opt_id("pad_token_id", std::nullopt);
  c.bos_token_id = f.opt_id("bos_token_id", 1);
  c.eos_token_ids = f.opt_ids("eos_token_id", {2});
  c.rope = parse_rope(f);
  const std::string act = f.opt_str("hidden_act", "silu");
  if (act != "silu") f.bad("hidden_act", "'" + act + "' is not supported (silu)");
}

}  // namespace

std::string_view model_arch_name(ModelArch a) { return a == ModelArch::Opt ? "opt" : "llama"; }

ModelConfig model_config_parse(std::string_view json_text, const std::string& where) {
  const json j = json_parse(json_text, where);
  if (!j.is_object()) fail(where, "expected a JSON object");
  const Fields f{j, where, ""};
  const json* mt = f.get("model_type");
  if (!mt) f.bad("model_type", "missing (required: opt or llama)");
  if (!mt->is_string()) f.bad("model_type", "expected a string, got " + type_name(*mt));
  const std::string type = mt->get<std::string>();
  ModelConfig c;
  if (type == "opt") parse_opt(f, c);
  else if (type == "llama") parse_llama(f, c);
  else f.bad("model_type", "'" + type + "' is not supported (opt, llama; Mistral/Qwen2 sliding windows and biases are not implemented)");
  model_config_fill_derived(c);
  model_config_validate(c, where);
  return c;
}

ModelConfig model_config_load(const std::string& path) {
  std::error_code ec;
  const std::string p =
      std::filesystem::is_directory(path, ec) ? (std::filesystem::path(path) / "config.json").string() : path;
  return model_config_parse(read_file(p), p);
}

void model_config_fill_derived(ModelConfig& c) {
  const int64_t per_head = c.num_heads > 0 ? c.hidden_size / c.num_heads : 0;
  if (c.arch == ModelArch::Opt) {
    c.num_kv_heads = c.num_heads;
    c.head_dim = per_head;
    if (c.word_embed_proj_dim == 0) c.word_embed_proj_dim = c.hidden_size;
  } else {
    if (c.num_kv_heads == 0) c.num_kv_heads = c.num_heads;
    if (c.head_dim == 0) c.head_dim = per_head;
    c.word_embed_proj_dim = c.hidden_size;
    if (c.rope.type == RopeParams::Type::Llama3 && c.rope.original_max_position_embeddings == 0)
      c.rope.original_max_position_embeddings = c.max_position_embeddings;
  }
}

void model_config_validate(const ModelConfig& c, const std::string& where) {
  auto positive = [&](const char* field, int64_t v) {
    if (v <= 0) fail(where, std::string("field '") + field + "': must be positive, got " + std::to_string(v));
  };
  const bool opt = c.arch == ModelArch::Opt;
  positive("vocab_size", c.vocab_size);
  positive("hidden_size", c.hidden_size);
  positive("num_hidden_layers", c.num_layers);
  positive("num_attention_heads", c.num_heads);
  positive(opt ? "ffn_dim" : "intermediate_size", c.ffn_dim);
  positive("max_position_embeddings", c.max_position_embeddings);
  if (opt) positive("word_embed_proj_dim", c.word_embed_proj_dim);
  positive("num_key_value_heads", c.num_kv_heads);
  positive("head_dim", c.head_dim);
  if (opt && c.hidden_size % c.num_heads != 0)
    fail(where, "field 'num_attention_heads': " + std::to_string(c.num_heads) + " does not divide hidden_size " +
                    std::to_string(c.hidden_size));
  if (opt && (c.num_kv_heads != c.num_heads || c.head_dim * c.num_heads != c.hidden_size))
    fail(where, "OPT has one key/value head per query head and head_dim = hidden_size / num_attention_heads");
  if (c.num_heads % c.num_kv_heads != 0)
    fail(where, "field 'num_key_value_heads': " + std::to_string(c.num_kv_heads) +
                    " does not divide num_attention_heads " + std::to_string(c.num_heads));
  if (c.head_dim % 2 != 0 && !opt) fail(where, "field 'head_dim': RoPE needs an even head_dim, got " + std::to_string(c.head_dim));
  if (!opt && !(c.rms_norm_eps > 0)) fail(where, "field 'rms_norm_eps': must be positive");
  if (!opt && !(c.rope.theta > 0)) fail(where, "field 'rope_theta': must be positive");
  if (!opt && c.rope.type != RopeParams::Type::Default && !(c.rope.factor > 0))
    fail(where, "field 'rope_parameters.factor': must be positive");
  if (!opt && c.rope.type == RopeParams::Type::Llama3 &&
      (!(c.rope.high_freq_factor > c.rope.low_freq_factor) || !(c.rope.low_freq_factor > 0) ||
       c.rope.original_max_position_embeddings <= 0))
    fail(where, "field 'rope_parameters': llama3 needs 0 < low_freq_factor < high_freq_factor and a positive "
                "original_max_position_embeddings");
  if (!(c.init_std >= 0)) fail(where, std::string("field '") + (opt ? "init_std" : "initializer_range") + "': must be >= 0");
  auto id_ok = [&](const char* field, std::optional<int64_t> id) {
    if (id && (*id < 0 || *id >= c.vocab_size))
      fail(where, std::string("field '") + field + "': " + std::to_string(*id) + " outside the vocabulary [0, " +
                      std::to_string(c.vocab_size) + ")");
  };
  id_ok("pad_token_id", c.pad_token_id);
  id_ok("bos_token_id", c.bos_token_id);
  for (int64_t e : c.eos_token_ids) id_ok("eos_token_id", e);
}

ModelConfig model_config_opt(std::string_view size) {
  struct Shape {
    std::string_view name;
    int64_t hidden, layers, heads, ffn, proj;
  };
  // From the facebook/opt-* config.json files; 350m is the post-LN one with a 512-wide embedding.
  constexpr Shape kShapes[] = {{"125m", 768, 12, 12, 3072, 768},      {"350m", 1024, 24, 16, 4096, 512},
                               {"1.3b", 2048, 24, 32, 8192, 2048},    {"2.7b", 2560, 32, 32, 10240, 2560},
                               {"6.7b", 4096, 32, 32, 16384, 4096},   {"13b", 5120, 40, 40, 20480, 5120}};
  for (const Shape& s : kShapes) {
    if (s.name != size) continue;
    ModelConfig c;
    c.arch = ModelArch::Opt;
    c.vocab_size = 50272;
    c.max_position_embeddings = 2048;
    c.hidden_size = s.hidden;
    c.num_layers = s.layers;
    c.num_heads = s.heads;
    c.ffn_dim = s.ffn;
    c.word_embed_proj_dim = s.proj;
    c.do_layer_norm_before = s.name != "350m";
    c.pad_token_id = 1;
    c.bos_token_id = 2;
    c.eos_token_ids = {2};
    model_config_fill_derived(c);
    return c;
  }
  fail("opt", "unknown size '" + std::string(size) + "' (125m, 350m, 1.3b, 2.7b, 6.7b, 13b)");
}

int64_t model_config_num_parameters(const ModelConfig& c) {
  const int64_t H = c.hidden_size, E = c.embed_dim(), F = c.ffn_dim, V = c.vocab_size;
  const int64_t head = c.tie_word_embeddings ? 0 : V * E;
  if (c.arch == ModelArch::Opt) {
    const int64_t b = c.enable_bias ? 1 : 0;
    const int64_t norm = c.layer_norm_elementwise_affine ? 2 * H : 0;
    const int64_t layer = 4 * (H * H + b * H) + (H * F + b * F) + (F * H + b * H) + 2 * norm;
    const int64_t proj = E != H ? 2 * E * H : 0;
    return V * E + (c.max_position_embeddings + 2) * H + proj + (c.has_final_norm() ? norm : 0) +
           c.num_layers * layer + head;
  }
  const int64_t q = c.num_heads * c.head_dim, kv = c.num_kv_heads * c.head_dim;
  const int64_t ab = c.attention_bias ? 1 : 0, mb = c.mlp_bias ? 1 : 0;
  const int64_t attn = H * q + ab * q + 2 * (H * kv + ab * kv) + q * H + ab * H;
  const int64_t mlp = 2 * (H * F + mb * F) + F * H + mb * H;
  return V * H + c.num_layers * (attn + mlp + 2 * H) + H + head;
}

std::string model_config_to_json(const ModelConfig& c, std::string_view dtype) {
  nlohmann::ordered_json j;
  auto id = [](std::optional<int64_t> v) { return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr); };
  const nlohmann::ordered_json eos = c.eos_token_ids.size() == 1 ? nlohmann::ordered_json(c.eos_token_ids[0])
                                                                 : nlohmann::ordered_json(c.eos_token_ids);
  if (c.arch == ModelArch::Opt) {
    j["architectures"] = {"OPTForCausalLM"};
    j["model_type"] = "opt";
    j["vocab_size"] = c.vocab_size;
    j["hidden_size"] = c.hidden_size;
    j["num_hidden_layers"] = c.num_layers;
    j["num_attention_heads"] = c.num_heads;
    j["ffn_dim"] = c.ffn_dim;
    j["max_position_embeddings"] = c.max_position_embeddings;
    j["word_embed_proj_dim"] = c.word_embed_proj_dim;
    j["do_layer_norm_before"] = c.do_layer_norm_before;
    j["_remove_final_layer_norm"] = c.remove_final_layer_norm;
    j["enable_bias"] = c.enable_bias;
    j["layer_norm_elementwise_affine"] = c.layer_norm_elementwise_affine;
    j["activation_function"] = "relu";
    j["dropout"] = 0.0;
    j["attention_dropout"] = 0.0;
    j["activation_dropout"] = 0.0;
    j["layerdrop"] = 0.0;
    j["init_std"] = c.init_std;
  } else {
    j["architectures"] = {"LlamaForCausalLM"};
    j["model_type"] = "llama";
    j["vocab_size"] = c.vocab_size;
    j["hidden_size"] = c.hidden_size;
    j["intermediate_size"] = c.ffn_dim;
    j["num_hidden_layers"] = c.num_layers;
    j["num_attention_heads"] = c.num_heads;
    j["num_key_value_heads"] = c.num_kv_heads;
    j["head_dim"] = c.head_dim;
    j["hidden_act"] = "silu";
    j["max_position_embeddings"] = c.max_position_embeddings;
    j["rms_norm_eps"] = c.rms_norm_eps;
    nlohmann::ordered_json rope;
    rope["rope_theta"] = c.rope.theta;
    if (c.rope.type == RopeParams::Type::Default) {
      rope["rope_type"] = "default";
    } else if (c.rope.type == RopeParams::Type::Linear) {
      rope["rope_type"] = "linear";
      rope["factor"] = c.rope.factor;
    } else {
      rope["rope_type"] = "llama3";
      rope["factor"] = c.rope.factor;
      rope["low_freq_factor"] = c.rope.low_freq_factor;
      rope["high_freq_factor"] = c.rope.high_freq_factor;
      rope["original_max_position_embeddings"] = c.rope.original_max_position_embeddings;
    }
    j["rope_parameters"] = rope;
    j["attention_bias"] = c.attention_bias;
    j["attention_dropout"] = 0.0;
    j["mlp_bias"] = c.mlp_bias;
    j["initializer_range"] = c.init_std;
  }
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  j["pad_token_id"] = id(c.pad_token_id);
  j["bos_token_id"] = id(c.bos_token_id);
  j["eos_token_id"] = c.eos_token_ids.empty() ? nlohmann::ordered_json(nullptr) : eos;
  j["dtype"] = dtype;
  j["use_cache"] = true;
  return j.dump(2) + "\n";
}

}  // namespace zs
