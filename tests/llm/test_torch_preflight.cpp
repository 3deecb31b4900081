// Fine-tuning preflight (core/llm/torch/preflight.h) and the CLI's use of it: bad paths, a
// tokenizer whose ids exceed the embedding rows, absurd model sizes and batches are one
// line naming the file, field and numbers, before any run starts and without a --resume
// hint; a run child's failure on its input does not suggest --resume either.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <string>
#include "core/llm/io/finetune_spec.h"
#include "core/llm/torch/preflight.h"
#include "core/llm/torch/pretrain.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "temp_dir.h"

namespace zs {
namespace {

namespace fs = std::filesystem;
const std::string kData = ZS_TEST_DATA;

using zs::test::TempDir;

std::string spec_text(const std::string& model, const std::string& tokenizer, int64_t batch = 3,
                      const std::string& data_dir = kData + "/tasks/sst2") {
  return R"({"zoscope_finetune": 1, "model": ")" + model + R"(", "tokenizer": ")" + tokenizer +
         R"(", "task": "sst2", "data": {"dir": ")" + data_dir + R"(", "train": 4, "dev": 2, "test": 1}, "batch_size": )" +
         std::to_string(batch) + R"(, "budget": {"steps": 2}, "runs": [{"optimizer": "mezo"}, {"optimizer": "adam"}]})";
}

const std::string kModel = kData + "/fixtures/tiny-opt";
const std::string kTok = kData + "/tokenizers/opt-style";

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Preflight, GoodModelPassesWithRealRowCounts) {
  const FinetuneSpec s = finetune_spec_parse(spec_text(kModel, kTok), "s.json");
  const PreflightNeeds n = preflight_model(s, kModel, 1e12);
  EXPECT_GT(n.parameters, 1000);
  EXPECT_EQ(n.rows, 3 * 2) << "batch 3 x two candidate rows (sst2)";
  EXPECT_GT(n.tokens, 2);
  EXPECT_GT(n.state_bytes, 0) << "adam keeps two moments";
}

TEST(Preflight, TokenizerBeyondEmbeddingRows) {
  const std::string tok = kData + "/tokenizers/trained-2k";
  const FinetuneSpec s = finetune_spec_parse(spec_text(kModel, tok), "s.json");
  EXPECT_EQ(error_of([&] { preflight_model(s, kModel, 1e12); }),
            tok + ": the tokenizer has 2000 token ids (largest 1999) but the model's embedding has 512 rows (" + kModel +
                "/config.json vocab_size): use the tokenizer the model was trained with");
}

TEST(Preflight, BatchBeyondMemoryNamesTheNumbers) {
  const FinetuneSpec s = finetune_spec_parse(spec_text(kModel, kTok, 1048576), "s.json");
  const std::string e = error_of([&] { preflight_model(s, kModel, 2e9); });
  EXPECT_EQ(e.rfind("s.json: batch_size: 1048576 x 2 candidate rows of up to ", 0), 0u) << e;
  EXPECT_NE(e.find("more than the 2.0 GB of memory available; lower batch_size or max_length"), std::string::npos) << e;
}

TEST(Preflight, AbsurdLayerCountIsRefusedBeforeAnyAllocation) {
  TempDir t("pf_layers");
  for (const auto& f : fs::directory_iterator(kModel)) fs::copy(f.path(), t.path / f.path().filename());
  std::string cfg = read_file((t.path / "config.json").string());
  const size_t k = cfg.find("\"num_hidden_layers\"");
  ASSERT_NE(k, std::string::npos);
  cfg.replace(k, cfg.find(',', k) - k, "\"num_hidden_layers\": 9223372036854775807");
  atomic_write((t.path / "config.json").string(), cfg);
  const FinetuneSpec s = finetune_spec_parse(spec_text(t.path.string(), kTok), "s.json");
  const std::string e = error_of([&] { preflight_model(s, t.path.string(), 1e10); });
  EXPECT_EQ(e.rfind((t.path / "config.json").string() + ": num_hidden_layers 9223372036854775807, ", 0), 0u) << e;
  EXPECT_NE(e.find("more than the 10.0 GB of memory available"), std::string::npos) << e;
}

TEST(Preflight, PathsAreCheckedFirst) {
  TempDir t("pf_paths");
  const std::string out = (t.path / "out").string();
  EXPECT_EQ(error_of([&] { preflight_paths(finetune_spec_parse(spec_text("/no/model", kTok), "s.json"), out); }),
            "s.json: model: \"/no/model\" does not exist (a Hugging Face model folder, or \"default\")");
  EXPECT_EQ(error_of([&] { preflight_paths(finetune_spec_parse(spec_text(kModel, "/no/tok"), "s.json"), out); }),
            "s.json: tokenizer: \"/no/tok\" does not exist");
  EXPECT_EQ(error_of([&] { preflight_paths(finetune_spec_parse(spec_text(kModel, kTok, 3, "/no/data"), "s.json"), out); }),
            "s.json: data.dir: \"/no/data\" is not a folder (task \"sst2\" reads its files from one)");
  atomic_write((t.path / "file").string(), "x");
  EXPECT_EQ(error_of([&] { preflight_paths(finetune_spec_parse(spec_text(kModel, kTok), "s.json"), (t.path / "file").string()); })
                .rfind((t.path / "file").string() + ": cannot create directory", 0),
            0u);
  EXPECT_EQ(error_of([&] { preflight_paths(finetune_spec_parse(spec_text(kModel, kTok), "s.json"), out); }), "");
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 0) << "the write probe is removed";
}

// A copy of the tiny model whose config.json has `key` set to `value`.
std::string model_variant(const TempDir& t, const std::string& name, const std::string& key, const std::string& value) {
  const fs::path d = t.path / name;
  fs::create_directories(d);
  for (const auto& f : fs::directory_iterator(kModel)) fs::copy(f.path(), d / f.path().filename());
  std::string cfg = read_file((d / "config.json").string());
  const size_t k = cfg.find("\"" + key + "\"");
  EXPECT_NE(k, std::string::npos) << key;
  cfg.replace(k, cfg.find(',', k) - k, "\"" + key + "\": " + value);
  atomic_write((d / "config.json").string(), cfg);
  return d.string();
}

// Weights that do not match config.json (a missing layer, an embedding of another size)
// used to pass the preflight and fail inside each run child: "running mezo", the child's
// error and the parent's "run mezo failed" -- two error lines. Now they are one line
// before any run.
TEST(Preflight, WeightsThatDoNotMatchConfigAreRefused) {
  TempDir t("pf_weights");
  const std::string layers = model_variant(t, "layers", "num_hidden_layers", "3");
  EXPECT_EQ(error_of([&] { preflight_model(finetune_spec_parse(spec_text(layers, kTok), "s.json"), layers, 1e12); }),
            layers + "/model.safetensors: tensor 'model.decoder.layers.2.self_attn.k_proj.weight' is missing (required by config.json)");
  const std::string vocab = model_variant(t, "vocab", "vocab_size", "600");
  EXPECT_EQ(error_of([&] { preflight_model(finetune_spec_parse(spec_text(vocab, kTok), "s.json"), vocab, 1e12); }),
            vocab + "/model.safetensors: tensor 'model.decoder.embed_tokens.weight': shape [512, 64] does not match "
                    "config.json [600, 64]");
  EXPECT_EQ(error_of([&] { preflight_model(finetune_spec_parse(spec_text(kModel, kTok), "s.json"), kModel, 1e12); }), "");
}

// A file where the model folder goes was read as config.json ("field 'model_type':
// missing", "field 'weight_map' ... is missing"): it is named as not a folder.
TEST(Preflight, ModelThatIsAFileIsNotAFolder) {
  TempDir t("pf_file");
  const std::string cfg = kModel + "/config.json";
  EXPECT_EQ(error_of([&] { preflight_paths(finetune_spec_parse(spec_text(cfg, kTok), "s.json"), (t.path / "o").string()); }),
            "s.json: model: \"" + cfg + "\" is not a folder (a Hugging Face model folder holding config.json and the "
                                         "safetensors, or \"default\")");
}

// The generated task makes every example in memory: 2^40 of them used to grow until the
// machine ran out of memory. Refused with the numbers, before the default model is
// pretrained (preflight_memory) and where the runs load their data (finetune_task_data).
TEST(Preflight, GeneratedSplitsBeyondMemoryAreRefused) {
  const std::string text = R"({"zoscope_finetune": 1, "task": "sentiment", "data": {"train": 1099511627776, "dev": 2,
      "test": 1}, "batch_size": 2, "budget": {"steps": 2}, "runs": [{"optimizer": "mezo"}]})";
  const FinetuneSpec s = finetune_spec_parse(text, "s.json");
  const std::string want = "s.json: data: train 1099511627776 + dev 2 + test 1 generated examples need about ";
  const std::string e = error_of([&] { preflight_memory(s, default_model_config(), 2, 16, 1e10); });
  EXPECT_EQ(e.rfind(want, 0), 0u) << e;
  EXPECT_NE(e.find("more than the 10.0 GB of memory available; lower data.train, data.dev or data.test"), std::string::npos) << e;
  const std::string e2 = error_of([&] { finetune_task_data(s); });
  EXPECT_EQ(e2.rfind(want, 0), 0u) << e2;
}

int sh(const std::string& cmd) {
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// The issue's case: a mismatched tokenizer printed LibTorch's 23-frame trace from inside
// each run, after "running mezo", with a --resume hint.
TEST(PreflightCli, MismatchedTokenizerIsOneLineBeforeAnyRun) {
  TempDir t("pf_cli");
  const std::string spec = (t.path / "spec.json").string();
  atomic_write(spec, spec_text(kModel, kData + "/tokenizers/trained-2k"));
  const std::string cli = std::string(ZS_BINARY_ROOT) + "/app/cli/zoscope-cli";
  const std::string log = (t.path / "log.txt").string();
  EXPECT_EQ(sh(cli + " finetune " + spec + " --out " + (t.path / "out").string() + " > " + log + " 2>&1"), 2);
  const std::string text = read_file(log);
  EXPECT_EQ(text.rfind("zoscope-cli: error: ", 0), 0u) << text;
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "one line: " << text;
  EXPECT_NE(text.find("2000 token ids"), std::string::npos) << text;
  EXPECT_EQ(text.find("running"), std::string::npos) << text;
  EXPECT_EQ(text.find("--resume"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(t.path / "out" / "runs")) << "no run started";
}

// A second finetune on a folder in use is refused (flock held by the first and its child).
TEST(PreflightCli, BusyFolderIsRefused) {
  TempDir t("pf_lock");
  const std::string spec = (t.path / "spec.json").string();
  atomic_write(spec, spec_text(kModel, kTok));
  const std::string cli = std::string(ZS_BINARY_ROOT) + "/app/cli/zoscope-cli";
  const std::string out = (t.path / "out").string();
  fs::create_directories(out);
  // Hold the lock from a shell (flock(1)) as a running finetune would.
  const std::string log = (t.path / "log.txt").string();
  const int rc = sh("flock " + out + "/.lock -c '" + cli + " finetune " + spec + " --out " + out + " > " + log + " 2>&1'");
  EXPECT_EQ(rc, 2);
  EXPECT_NE(read_file(log).find(out + ": another zoscope-cli finetune is using this folder"), std::string::npos) << read_file(log);
}

}  // namespace
}  // namespace zs
