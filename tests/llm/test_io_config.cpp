// config.json parsing: the transformers fixtures, defaults, rope variants, every error
// naming the file and field, and the to_json -> parse round trip.
#include <gtest/gtest.h>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include "core/llm/io/model_config.h"
#include "core/util/error.h"

namespace {

using zs::ModelArch;
using zs::ModelConfig;
using zs::RopeParams;
using json = nlohmann::json;

const std::string kFix = std::string(ZS_TEST_DATA) + "/fixtures/";

json opt_json() {
  return json::parse(R"({"model_type":"opt","hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,
    "ffn_dim":256,"vocab_size":512,"max_position_embeddings":128})");
}
json llama_json() {
  return json::parse(R"({"model_type":"llama","hidden_size":64,"intermediate_size":172,"num_hidden_layers":2,
    "num_attention_heads":4,"vocab_size":512})");
}

void expect_bad(const json& j, const std::vector<std::string>& parts) {
  try {
    zs::model_config_parse(j.dump(), "dir/config.json");
    FAIL() << "no error for " << j.dump();
  } catch (const zs::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("dir/config.json"), std::string::npos) << msg;
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

TEST(ModelConfig, TinyOptFixture) {
  const ModelConfig c = zs::model_config_load(kFix + "tiny-opt");
  EXPECT_EQ(c.arch, ModelArch::Opt);
  EXPECT_EQ(c.vocab_size, 512);
  EXPECT_EQ(c.hidden_size, 64);
  EXPECT_EQ(c.num_layers, 2);
  EXPECT_EQ(c.num_heads, 4);
  EXPECT_EQ(c.num_kv_heads, 4);
  EXPECT_EQ(c.head_dim, 16);
  EXPECT_EQ(c.ffn_dim, 256);
  EXPECT_EQ(c.max_position_embeddings, 128);
  EXPECT_EQ(c.word_embed_proj_dim, 64);
  EXPECT_TRUE(c.do_layer_norm_before);
  EXPECT_TRUE(c.enable_bias);
  EXPECT_TRUE(c.layer_norm_elementwise_affine);
  EXPECT_TRUE(c.tie_word_embeddings);
  EXPECT_TRUE(c.has_final_norm());
  EXPECT_EQ(c.pad_token_id, 1);
  EXPECT_EQ(c.bos_token_id, 2);
  EXPECT_EQ(c.eos_token_ids, std::vector<int64_t>{2});
}

TEST(ModelConfig, TinyLlamaFixture) {
  const ModelConfig c = zs::model_config_load(kFix + "tiny-llama/config.json");
  EXPECT_EQ(c.arch, ModelArch::Llama);
  EXPECT_EQ(c.num_kv_heads, 2);
  EXPECT_EQ(c.head_dim, 16);
  EXPECT_EQ(c.ffn_dim, 172);
  EXPECT_EQ(c.max_position_embeddings, 256);
  EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-6);
  EXPECT_EQ(c.rope.type, RopeParams::Type::Default);
  EXPECT_DOUBLE_EQ(c.rope.theta, 10000.0);
  EXPECT_FALSE(c.tie_word_embeddings);
  EXPECT_FALSE(c.attention_bias);
  EXPECT_FALSE(c.mlp_bias);
  EXPECT_EQ(c.pad_token_id, 0);
}

TEST(ModelConfig, Defaults) {
  const ModelConfig o = zs::model_config_parse(opt_json().dump(), "c");
  EXPECT_EQ(o.word_embed_proj_dim, 64);
  EXPECT_TRUE(o.tie_word_embeddings);
  const ModelConfig l = zs::model_config_parse(llama_json().dump(), "c");
  EXPECT_EQ(l.num_kv_heads, 4);
  EXPECT_EQ(l.head_dim, 16);
  EXPECT_EQ(l.max_position_embeddings, 2048);
  EXPECT_DOUBLE_EQ(l.rope.theta, 10000.0);
  EXPECT_FALSE(l.tie_word_embeddings);
  EXPECT_FALSE(l.pad_token_id.has_value());
}

TEST(ModelConfig, OptVariants) {
  json j = opt_json();
  j["word_embed_proj_dim"] = 32;
  j["do_layer_norm_before"] = false;
  j["enable_bias"] = false;
  j["layer_norm_elementwise_affine"] = false;
  j["eos_token_id"] = json::array({2, 3});
  j["pad_token_id"] = nullptr;
  const ModelConfig c = zs::model_config_parse(j.dump(), "c");
  EXPECT_EQ(c.word_embed_proj_dim, 32);
  EXPECT_EQ(c.embed_dim(), 32);
  EXPECT_FALSE(c.do_layer_norm_before);
  EXPECT_FALSE(c.has_final_norm());
  EXPECT_FALSE(c.enable_bias);
  EXPECT_FALSE(c.layer_norm_elementwise_affine);
  EXPECT_EQ(c.eos_token_ids, (std::vector<int64_t>{2, 3}));
  EXPECT_FALSE(c.pad_token_id.has_value());
}

TEST(ModelConfig, RopeThetaTopLevelOrNested) {
  json a = llama_json();
  a["rope_theta"] = 500000.0;
  EXPECT_DOUBLE_EQ(zs::model_config_parse(a.dump(), "c").rope.theta, 500000.0);
  json b = llama_json();
  b["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 1000.0}};
  EXPECT_DOUBLE_EQ(zs::model_config_parse(b.dump(), "c").rope.theta, 1000.0);
}

TEST(ModelConfig, RopeLlama3) {
  // Llama-3.2 style legacy rope_scaling with "rope_type" and a top-level rope_theta.
  json a = llama_json();
  a["rope_theta"] = 500000.0;
  a["max_position_embeddings"] = 131072;
  a["rope_scaling"] = {{"rope_type", "llama3"},      {"factor", 32.0}, {"low_freq_factor", 1.0},
                       {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 8192}};
  const auto c = zs::model_config_parse(a.dump(), "c");
  EXPECT_EQ(c.rope.type, RopeParams::Type::Llama3);
  EXPECT_DOUBLE_EQ(c.rope.theta, 500000.0);
  EXPECT_DOUBLE_EQ(c.rope.factor, 32.0);
  EXPECT_DOUBLE_EQ(c.rope.high_freq_factor, 4.0);
  EXPECT_EQ(c.rope.original_max_position_embeddings, 8192);
  // transformers-5 rope_parameters, "type" spelling, original max defaulted.
  json b = llama_json();
  b["rope_parameters"] = {{"type", "llama3"}, {"rope_theta", 500000.0}, {"factor", 8.0},
                          {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0}};
  const auto d = zs::model_config_parse(b.dump(), "c");
  EXPECT_EQ(d.rope.type, RopeParams::Type::Llama3);
  EXPECT_EQ(d.rope.original_max_position_embeddings, 2048);
  json l = llama_json();
  l["rope_scaling"] = {{"type", "linear"}, {"factor", 2.0}};
  EXPECT_EQ(zs::model_config_parse(l.dump(), "c").rope.type, RopeParams::Type::Linear);
}

TEST(ModelConfig, MissingFields) {
  for (const char* f : {"hidden_size", "num_hidden_layers", "num_attention_heads", "ffn_dim", "vocab_size",
                        "max_position_embeddings"}) {
    json j = opt_json();
    j.erase(f);
    expect_bad(j, {std::string("'") + f + "'", "missing"});
  }
  for (const char* f : {"hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "vocab_size"}) {
    json j = llama_json();
    j.erase(f);
    expect_bad(j, {std::string("'") + f + "'", "missing"});
  }
  json j = opt_json();
  j.erase("model_type");
  expect_bad(j, {"'model_type'", "missing"});
  json r = llama_json();
  r["rope_parameters"] = {{"rope_type", "llama3"}, {"factor", 8.0}};
  expect_bad(r, {"'rope_parameters.low_freq_factor'", "missing"});
}

TEST(ModelConfig, WrongTypes) {
  json a = opt_json();
  a["hidden_size"] = "64";
  expect_bad(a, {"'hidden_size'", "expected an integer", "string"});
  json b = opt_json();
  b["num_hidden_layers"] = 2.5;
  expect_bad(b, {"'num_hidden_layers'", "expected an integer"});
  json c = opt_json();
  c["do_layer_norm_before"] = 1;
  expect_bad(c, {"'do_layer_norm_before'", "true or false"});
  json d = llama_json();
  d["rms_norm_eps"] = "1e-6";
  expect_bad(d, {"'rms_norm_eps'", "expected a number"});
  json e = llama_json();
  e["rope_parameters"] = 3;
  expect_bad(e, {"'rope_parameters'", "object"});
  json f = opt_json();
  f["eos_token_id"] = json::array({2, "x"});
  expect_bad(f, {"'eos_token_id'"});
  json g = opt_json();
  g["model_type"] = 5;
  expect_bad(g, {"'model_type'", "string"});
  expect_bad(json::array({1}), {"JSON object"});
  try {
    zs::model_config_parse("{", "dir/config.json");
    FAIL();
  } catch (const zs::Error& err) {
    EXPECT_NE(std::string(err.what()).find("malformed JSON"), std::string::npos);
  }
}

TEST(ModelConfig, UnsupportedValues) {
  json a = opt_json();
  a["model_type"] = "mistral";
  expect_bad(a, {"'model_type'", "'mistral' is not supported"});
  json b = opt_json();
  b["activation_function"] = "gelu";
  expect_bad(b, {"'activation_function'", "gelu"});
  json c = llama_json();
  c["hidden_act"] = "gelu";
  expect_bad(c, {"'hidden_act'"});
  json d = llama_json();
  d["rope_parameters"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
  expect_bad(d, {"'rope_parameters.rope_type'", "'yarn'"});
  json e = llama_json();
  e["rope_parameters"] = {{"rope_type", "default"}, {"partial_rotary_factor", 0.5}};
  expect_bad(e, {"'rope_parameters.partial_rotary_factor'"});
}

TEST(ModelConfig, InconsistentSizes) {
  json a = opt_json();
  a["num_attention_heads"] = 5;
  expect_bad(a, {"'num_attention_heads'", "does not divide"});
  json b = llama_json();
  b["num_key_value_heads"] = 3;
  expect_bad(b, {"'num_key_value_heads'", "does not divide"});
  json c = opt_json();
  c["hidden_size"] = 0;
  expect_bad(c, {"'hidden_size'", "positive"});
  json d = llama_json();
  d["num_attention_heads"] = 5;
  expect_bad(d, {"'num_attention_heads'", "does not divide"});
  d["head_dim"] = 16;  // explicit head_dim: heads need not divide hidden_size
  d["num_key_value_heads"] = 5;
  EXPECT_EQ(zs::model_config_parse(d.dump(), "c").head_dim, 16);
  json e = opt_json();
  e["pad_token_id"] = 512;
  expect_bad(e, {"'pad_token_id'", "outside the vocabulary"});
}

TEST(ModelConfig, JsonRoundTrip) {
  for (const char* m : {"tiny-opt", "tiny-llama"}) {
    const ModelConfig c = zs::model_config_load(kFix + m);
    EXPECT_EQ(zs::model_config_parse(zs::model_config_to_json(c, "float32"), "rt"), c) << m;
  }
  json j = llama_json();
  j["rope_parameters"] = {{"rope_type", "llama3"}, {"rope_theta", 500000.0}, {"factor", 8.0},
                          {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0}};
  j["attention_bias"] = true;
  j["tie_word_embeddings"] = true;
  const ModelConfig c = zs::model_config_parse(j.dump(), "c");
  const std::string text = zs::model_config_to_json(c, "bfloat16");
  EXPECT_EQ(zs::model_config_parse(text, "rt"), c);
  EXPECT_EQ(json::parse(text)["dtype"], "bfloat16");
  json o = opt_json();
  o["word_embed_proj_dim"] = 32;
  o["do_layer_norm_before"] = false;
  o["eos_token_id"] = json::array({2, 3});
  const ModelConfig oc = zs::model_config_parse(o.dump(), "c");
  EXPECT_EQ(zs::model_config_parse(zs::model_config_to_json(oc, "float16"), "rt"), oc);
}

TEST(ModelConfig, OptPresetsAndParameterCounts) {
  // Counts from transformers (OPTForCausalLM on the meta device, sum of numel).
  EXPECT_EQ(zs::model_config_num_parameters(zs::model_config_opt("125m")), 125239296);
  EXPECT_EQ(zs::model_config_num_parameters(zs::model_config_opt("350m")), 331196416);
  EXPECT_EQ(zs::model_config_num_parameters(zs::model_config_opt("1.3b")), 1315758080);
  EXPECT_EQ(zs::model_config_num_parameters(zs::model_config_opt("13b")), 12853473280);
  const ModelConfig c = zs::model_config_opt("1.3b");
  EXPECT_EQ(c.head_dim, 64);
  EXPECT_NO_THROW(zs::model_config_validate(c, "opt-1.3b"));
  EXPECT_FALSE(zs::model_config_opt("350m").do_layer_norm_before);
  EXPECT_THROW(zs::model_config_opt("1b"), zs::Error);
  // The LLaMA variant fixture: GQA, head_dim != hidden/heads, biases, tied head.
  json j = llama_json();
  j["hidden_size"] = 32;
  j["intermediate_size"] = 48;
  j["vocab_size"] = 128;
  j["num_key_value_heads"] = 2;
  j["head_dim"] = 16;
  j["attention_bias"] = true;
  j["mlp_bias"] = true;
  j["tie_word_embeddings"] = true;
  EXPECT_EQ(zs::model_config_num_parameters(zs::model_config_parse(j.dump(), "c")), 26336);
}

TEST(ModelConfig, FillDerivedForHandBuiltConfigs) {
  ModelConfig c;
  c.arch = ModelArch::Opt;
  c.vocab_size = 100;
  c.hidden_size = 32;
  c.num_layers = 1;
  c.num_heads = 2;
  c.ffn_dim = 64;
  c.max_position_embeddings = 16;
  c.pad_token_id = 1;
  c.bos_token_id = 2;
  c.eos_token_ids = {2};
  zs::model_config_fill_derived(c);
  EXPECT_EQ(c.head_dim, 16);
  EXPECT_EQ(c.num_kv_heads, 2);
  EXPECT_EQ(c.word_embed_proj_dim, 32);
  EXPECT_NO_THROW(zs::model_config_validate(c, "c"));
}

}  // namespace
