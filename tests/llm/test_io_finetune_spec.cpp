// Fine-tuning specs (core/llm/io/finetune_spec.h): defaults, resolved LLM hyperparameter
// defaults, the JSON round trip, and one clear line per mistake naming file, field, value.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <cmath>
#include <filesystem>
#include <vector>
#include <string>
#include "core/llm/io/finetune_spec.h"
#include "core/opt/optimizer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace {

const char* kMinimal = R"({"zoscope_finetune": 1, "budget": {"steps": 10}, "runs": [{"optimizer": "mezo"}]})";

std::string error_of(const std::string& text) {
  try {
    zs::finetune_spec_parse(text, "spec.json");
  } catch (const zs::Error& e) {
    return e.what();
  }
  return "";
}

// The minimal spec with one top-level field replaced (or added).
std::string with(const std::string& key, const std::string& value) {
  nlohmann::json j = nlohmann::json::parse(kMinimal);
  j[key] = nlohmann::json::parse(value);
  return j.dump();
}

std::string with2(const std::string& k1, const std::string& v1, const std::string& k2, const std::string& v2) {
  nlohmann::json j = nlohmann::json::parse(with(k1, v1));
  j[k2] = nlohmann::json::parse(v2);
  return j.dump();
}

TEST(FinetuneSpec, DefaultsAndLlmHyperparameters) {
  const zs::FinetuneSpec s = zs::finetune_spec_parse(kMinimal, "spec.json");
  EXPECT_EQ(s.model, "default");
  EXPECT_EQ(s.task, "sentiment");
  EXPECT_EQ(s.mode, "full");
  EXPECT_EQ(s.dtype, "fp32");
  EXPECT_EQ(s.device, "cpu");
  EXPECT_EQ(s.steps, 10);
  EXPECT_EQ(s.forward_passes, -1);
  EXPECT_EQ(s.n_train, 1000);
  EXPECT_EQ(s.n_dev, 500);
  ASSERT_EQ(s.runs.size(), 1u);
  EXPECT_EQ(s.runs[0].label, "mezo");
  // Unspecified hyperparameters take the declared LLM-mode defaults.
  const zs::OptimizerInfo* info = zs::optimizer_find("mezo");
  ASSERT_NE(info, nullptr);
  for (const zs::ParamDecl& d : info->params)
    EXPECT_EQ(s.runs[0].hp.at(d.name), std::isnan(d.llm_def) ? d.def : d.llm_def) << d.name;
}

TEST(FinetuneSpec, JsonRoundTrip) {
  const std::string text = R"({"zoscope_finetune": 1, "model": "/m", "tokenizer": "/t", "task": "sst2",
    "data": {"dir": "/d", "seed": 3, "train": 16, "dev": 8, "test": 0}, "mode": "lora", "dtype": "bf16",
    "master_weights": true, "device": "cpu", "batch_size": 4, "seed": 9, "budget": {"forward_passes": 100},
    "checkpoint_every": 5, "eval_every": 7, "eval_examples": 3,
    "runs": [{"optimizer": "adamezo", "hyperparameters": {"lr": 1e-4, "h": 5}, "label": "a"},
             {"optimizer": "adam", "label": "b", "cosine_every": 10}]})";
  const zs::FinetuneSpec s = zs::finetune_spec_parse(text, "x.json");
  EXPECT_EQ(s.runs[0].cosine_every, 0);
  EXPECT_EQ(s.runs[1].cosine_every, 10);
  EXPECT_EQ(s.forward_passes, 100);
  EXPECT_EQ(s.runs[0].hp.at("lr"), 1e-4);
  EXPECT_EQ(s.runs[0].hp.at("h"), 5);
  const zs::FinetuneSpec r = zs::finetune_spec_parse(zs::finetune_spec_to_json(s), "y.json");
  EXPECT_EQ(zs::finetune_spec_to_json(r), zs::finetune_spec_to_json(s));
  EXPECT_EQ(r.runs[1].hp, s.runs[1].hp);
  EXPECT_EQ(r.runs[1].cosine_every, 10);
  EXPECT_EQ(r.data_dir, "/d");
  EXPECT_EQ(r.eval_examples, 3);
  EXPECT_TRUE(r.master_weights);
  // The distributed section round-trips and is written only when set (old spec.json files
  // stay byte-identical).
  EXPECT_EQ(zs::finetune_spec_to_json(s).find("distributed"), std::string::npos);
  const zs::FinetuneSpec d = zs::finetune_spec_parse(
      with("distributed", R"({"backend": "gloo", "shards": 4, "timeout_s": 2.5})"), "d.json");
  EXPECT_EQ(d.dist_backend, "gloo");
  EXPECT_EQ(d.dist_shards, 4);
  EXPECT_EQ(d.dist_timeout_s, 2.5);
  EXPECT_EQ(zs::finetune_spec_to_json(zs::finetune_spec_parse(zs::finetune_spec_to_json(d), "e.json")),
            zs::finetune_spec_to_json(d));
}

TEST(FinetuneSpec, BadSpecsNameFileFieldAndValue) {
  struct Case {
    std::string text, want;
  };
  const std::vector<Case> cases = {
      {"{", "spec.json: malformed JSON"},
      {R"({"zoscope_finetune": 1, "seed": 1e999})", "spec.json: seed: number 1e999 at line 1, column 37 does not fit a double"},
      {R"({"zoscope_finetune": 1, "seed": 1, "seed": 2})", "spec.json: seed: appears twice (duplicate key"},
      {with("seed", "9007199254740993"), "spec.json: seed: value 9007199254740993 must be an integer in [0, 9007199254740992]"},
      {"[1]", "spec.json: expected a JSON object"},
      {R"({"budget": {"steps": 1}, "runs": [{"optimizer": "mezo"}]})", "spec.json: zoscope_finetune: missing"},
      {with("zoscope_finetune", "2"), "spec.json: zoscope_finetune: value 2 is not a supported version"},
      {with("colour", "1"), "spec.json: colour: unknown field"},
      {with("mode", "\"qlora\""), "spec.json: mode: value \"qlora\" is not one of full, lora, adazeta"},
      {with("dtype", "\"fp8\""), "spec.json: dtype: value \"fp8\" is not one of fp32, bf16, fp16"},
      {with("device", "\"tpu\""), "spec.json: device: value \"tpu\""},
      {with("task", "\"mnli\""), "spec.json: task: value \"mnli\""},
      {with("task", "\"rte\""), "spec.json: data.dir: missing"},
      {with("batch_size", "0"), "spec.json: batch_size: value 0 must be an integer in [1, "},
      {with("batch_size", "2.5"), "spec.json: batch_size: value 2.5 must be an integer"},
      {with("batch_size", "\"8\""), "spec.json: batch_size: expected an integer, got a string \"8\""},
      {with("master_weights", "1"), "spec.json: master_weights: expected true or false, got a number 1"},
      {with("budget", R"({"steps": 1, "forward_passes": 2})"), "spec.json: budget: give exactly one of"},
      {with("budget", R"({})"), "spec.json: budget: give exactly one of"},
      {with("budget", R"({"epochs": 1})"), "spec.json: budget.epochs: unknown field"},
      {with("data", R"({"train": -1})"), "spec.json: data.train: value -1 must be an integer in [1, "},
      {with("pretrain_steps", "10") + "", ""},  // allowed with the default model
      {with2("model", "\"/m\"", "pretrain_steps", "10"), "spec.json: pretrain_steps: only applies"},
      {with("runs", "[]"), "spec.json: runs: expected a non-empty array"},
      {with("runs", R"([{"optimizer": "sgdd"}])"), "spec.json: runs[0].optimizer: value \"sgdd\" is not an optimizer (known: "},
      {with("runs", R"([{"optimizer": "mezo", "cosine_every": -1}])"), "spec.json: runs[0].cosine_every: "},
      {with("runs", R"([{"optimizer": "mezo", "cosine_every": 2.5}])"), "spec.json: runs[0].cosine_every: "},
      {with("runs", R"([{"label": "x"}])"), "spec.json: runs[0].optimizer: missing"},
      {with("runs", R"([{"optimizer": "mezo", "hyperparameters": {"lr": -1}}])"), "spec.json: runs[0].hyperparameters.lr: value -1 is outside the accepted range"},
      {with("runs", R"([{"optimizer": "mezo", "hyperparameters": {"beta1": 0.9}}])"),
       "spec.json: runs[0].hyperparameters.beta1: unknown parameter of mezo (known: lr, eps"},
      {with("runs", R"([{"optimizer": "mezo", "hyperparameters": {"lr": "big"}}])"),
       "spec.json: runs[0].hyperparameters.lr: expected a number, got a string \"big\""},
      {with("runs", R"([{"optimizer": "mezo"}, {"optimizer": "mezo"}])"),
       "spec.json: runs[1].label: value \"mezo\" is used by an earlier run"},
      {with("runs", R"([{"optimizer": "mezo", "label": "a/b"}])"), "spec.json: runs[0].label: value \"a/b\" may only hold"},
      {with("distributed", R"({"backend": "mpi"})"), "spec.json: distributed.backend: value \"mpi\" is not one of auto, gloo, nccl"},
      {with("distributed", R"({"backend": "nccl"})"), "spec.json: distributed.backend: value \"nccl\" needs \"device\": \"cuda\""},
      {with("distributed", R"({"shards": 0})"), "spec.json: distributed.shards: value 0 must be an integer in [1, "},
      {with("distributed", R"({"shards": 17})"), "spec.json: distributed.shards: value 17 is more than batch_size 16"},
      {with("distributed", R"({"timeout_s": -1})"), "spec.json: distributed.timeout_s: value -1 must be a number in (0, 86400]"},
      {with("distributed", R"({"ranks": 2})"), "spec.json: distributed.ranks: unknown field"},
      {with("distributed", R"({"parallel": "tensor"})"), "spec.json: distributed.parallel: value \"tensor\" is not one of data, directions"},
      {with("distributed", R"({"parallel": "directions", "shards": 2})"), "spec.json: distributed.shards: applies to \"parallel\": \"data\" only"},
      {with("distributed", "2"), "spec.json: distributed: expected an object, got a number"},
  };
  for (const Case& c : cases) {
    const std::string e = error_of(c.text);
    if (c.want.empty()) {
      EXPECT_EQ(e, "") << c.text;
      continue;
    }
    EXPECT_EQ(e.rfind(c.want, 0), 0u) << "spec: " << c.text << "\n got: " << e << "\nwant: " << c.want;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
  // Files: the path names the file.
  EXPECT_NE(std::string([] {
              try {
                zs::finetune_spec_load("/nonexistent/spec.json");
              } catch (const zs::Error& e) {
                return std::string(e.what());
              }
              return std::string();
            }()).find("/nonexistent/spec.json"),
            std::string::npos);
}

// --resume with another spec names the first field that differs, both values and both files.
TEST(FinetuneSpec, ResumeWithAnotherSpecNamesTheField) {
  const std::string dir = ::testing::TempDir() + "/resume_spec";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/spec.json";
  zs::atomic_write(path, zs::finetune_spec_to_json(zs::finetune_spec_parse(kMinimal, "a.json")));
  const auto error_for = [&](const std::string& text) {
    try {
      zs::finetune_spec_check_resume(path, zs::finetune_spec_parse(text, "b.json"));
    } catch (const zs::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_for(kMinimal), "");
  EXPECT_EQ(error_for(with("budget", R"({"steps": 11})")),
            path + ": the spec differs from the one this folder was started with (budget.steps: 10 there, 11 in b.json); "
                   "cannot resume");
  EXPECT_EQ(error_for(with("runs", R"([{"optimizer": "mezo", "hyperparameters": {"lr": 0.5}}])")),
            path + ": the spec differs from the one this folder was started with (runs[0].hyperparameters.lr: 1e-06 there, "
                   "0.5 in b.json); cannot resume");
  EXPECT_EQ(error_for(with("budget", R"({"forward_passes": 10})")),
            path + ": the spec differs from the one this folder was started with (budget.forward_passes: (absent) there, "
                   "10 in b.json); cannot resume");
}

}  // namespace
