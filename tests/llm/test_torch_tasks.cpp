// Task losses, evaluation and generation on tiny-opt (tests/data/fixtures) with the
// opt-style tokenizer (420 ids < tiny-opt's 512): the candidate cross-entropy and the
// gold-span LM loss equal a hand computation from full logits (fp32, 1e-5), both in
// no-grad and autograd form; scores do not depend on left padding; accuracy is the argmax
// of the candidates' mean log-probs; greedy decoding matches a recompute-everything
// reference and stops at newline / EOS; the default pretraining of the embedded model
// beats its random init on the sentiment dev set, and the cache is reused.
#include <gtest/gtest.h>
#include <ATen/ops/log_softmax.h>
#include <ATen/ops/zeros.h>
#include <c10/core/GradMode.h>
#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include "tests/llm/task_test_util.h"
#include "core/llm/text/corpus.h"
#include "core/llm/text/data.h"
#include "core/llm/text/task.h"
#include "core/llm/text/tokenizer.h"
#include "core/llm/torch/model.h"
#include "core/llm/torch/pretrain.h"
#include "core/llm/torch/task_torch.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace {

namespace fs = std::filesystem;

const std::string kData = ZS_TEST_DATA;
const std::string kTinyOpt = kData + "/fixtures/tiny-opt";
const std::string kOptTok = kData + "/tokenizers/opt-style";

using zs_test::error_of;
using zs_test::make;

struct Fixture : ::testing::Test {
  zs::CausalLM model = zs::CausalLM::load(kTinyOpt);
  std::unique_ptr<zs::Tokenizer> tok = zs::tokenizer_load(kOptTok);
};

// Mean log-prob of the span tokens of row r, from full logits (the hand computation).
double hand_score(const at::Tensor& logits, const zs::TokenBatch& b, int64_t r) {
  const at::Tensor lp = at::log_softmax(logits[r].to(at::kDouble), -1);
  double sum = 0;
  int n = 0;
  for (int64_t t = 1; t < b.cols; ++t) {
    const size_t k = static_cast<size_t>(r * b.cols + t);
    if (!b.span_mask[k]) continue;
    sum += lp[t - 1][b.input_ids[k]].item<double>();
    ++n;
  }
  return sum / n;
}

at::Tensor full_logits(const zs::CausalLM& m, const zs::TensorBatch& tb) {
  c10::InferenceMode g;
  return m.logits(tb.input_ids, tb.attention_mask).to(at::kDouble);
}

zs::EncodedSet two_sst2(const zs::Tokenizer& tok) {
  static const std::vector<zs::Example> xs = {make({{"sentence", "a gripping , funny film "}}, 1),
                                              make({{"sentence", "the plot never comes alive at all "}}, 0)};
  return zs::task_encode(zs::task_get("sst2"), tok, xs);
}

TEST_F(Fixture, CandidateLossMatchesHandComputation) {
  const zs::EncodedSet set = two_sst2(*tok);
  const std::vector<int64_t> idx = {0, 1};
  const zs::TokenBatch b = zs::batch_make(set, idx, zs::BatchKind::Candidates);
  const zs::TensorBatch tb = zs::batch_to_device(b, model.device());
  const at::Tensor logits = full_logits(model, tb);
  // CE over candidates per example, averaged: -log softmax(scores)[gold].
  double want = 0;
  std::vector<double> scores;
  for (int64_t e = 0; e < 2; ++e) {
    const double s0 = hand_score(logits, b, 2 * e), s1 = hand_score(logits, b, 2 * e + 1);
    scores.insert(scores.end(), {s0, s1});
    const double gold = b.gold[static_cast<size_t>(e)] == 0 ? s0 : s1;
    want += -(gold - std::log(std::exp(s0) + std::exp(s1))) / 2;
  }
  const double got = zs::task_loss(model, tb);
  EXPECT_NEAR(got, want, 1e-5);
  std::printf("[ measured ] candidate loss %.8f, hand %.8f\n", got, want);
  const at::Tensor s = zs::batch_scores(model, tb);
  for (int64_t r = 0; r < 4; ++r) EXPECT_NEAR(s[r].item<double>(), scores[static_cast<size_t>(r)], 1e-5);
  // Predictions: argmax of the scores per example.
  const std::vector<int64_t> pred = zs::batch_predictions(model, tb);
  for (int64_t e = 0; e < 2; ++e) EXPECT_EQ(pred[static_cast<size_t>(e)], scores[2 * e + 1] > scores[2 * e] ? 1 : 0);
  // Autograd form: same value, and gradients reach the weights.
  model.set_autograd(true);
  const at::Tensor lt = zs::task_loss_tensor(model, tb);
  EXPECT_NEAR(lt.item<double>(), want, 1e-5);
  lt.backward();
  double gsq = 0;
  for (const zs::Block& blk : model.blocks())
    if (blk.tensor.grad().defined()) gsq += blk.tensor.grad().pow(2).sum().item<double>();
  EXPECT_GT(gsq, 0);
  EXPECT_NEAR(zs::task_loss(model, tb), want, 1e-5);  // no-grad form with autograd on
  model.set_autograd(false);
  EXPECT_NE(error_of([&] { zs::task_loss_tensor(model, tb); }).find("autograd is off"), std::string::npos);
}

TEST_F(Fixture, GoldSpanLossIsLmLossOnSpanTokens) {
  const zs::EncodedSet set = two_sst2(*tok);
  const std::vector<int64_t> idx = {0, 1};
  const zs::TokenBatch b = zs::batch_make(set, idx, zs::BatchKind::GoldSpan);
  const zs::TensorBatch tb = zs::batch_to_device(b, model.device());
  const at::Tensor logits = full_logits(model, tb);
  double sum = 0;
  int n = 0;
  for (int64_t r = 0; r < b.rows; ++r) {
    const at::Tensor lp = at::log_softmax(logits[r], -1);
    for (int64_t t = 1; t < b.cols; ++t) {
      const size_t k = static_cast<size_t>(r * b.cols + t);
      if (!b.span_mask[k]) continue;
      sum -= lp[t - 1][b.input_ids[k]].item<double>();
      ++n;
    }
  }
  EXPECT_NEAR(zs::task_loss(model, tb), sum / n, 1e-5);
  // The same as the model's lm_loss with labels = ids on the span, -100 elsewhere.
  c10::InferenceMode g;
  EXPECT_NEAR(zs::lm_loss(model.logits(tb.input_ids, tb.attention_mask), tb.labels).item<double>(), sum / n, 1e-5);
}

TEST_F(Fixture, BatchTensorsOnDevice) {
  const zs::EncodedSet set = two_sst2(*tok);
  const std::vector<int64_t> idx = {1};
  const zs::TokenBatch b = zs::batch_make(set, idx, zs::BatchKind::Candidates);
  const zs::TensorBatch tb = zs::batch_to_device(b, model.device());
  EXPECT_EQ(tb.input_ids.sizes(), (std::vector<int64_t>{2, b.cols}));
  EXPECT_EQ(tb.input_ids.scalar_type(), at::kLong);
  EXPECT_EQ(tb.input_ids.device(), model.device());
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t t = 0; t < b.cols; ++t) {
      const size_t k = static_cast<size_t>(r * b.cols + t);
      EXPECT_EQ(tb.labels[r][t].item<int64_t>(), b.span_mask[k] ? b.input_ids[k] : -100);
      EXPECT_EQ(tb.attention_mask[r][t].item<int64_t>(), b.attention_mask[k]);
    }
  EXPECT_EQ(tb.gold.item<int64_t>(), 0);
  EXPECT_EQ(tb.num_examples, 1);
  EXPECT_EQ(tb.max_candidates, 2);
}

TEST_F(Fixture, ScoresDoNotDependOnLeftPadding) {
  const zs::EncodedSet set = two_sst2(*tok);
  const std::vector<int64_t> both = {0, 1}, first = {0};
  const at::Tensor a = zs::batch_scores(model, zs::batch_to_device(zs::batch_make(set, both, zs::BatchKind::Candidates), model.device()));
  const at::Tensor s = zs::batch_scores(model, zs::batch_to_device(zs::batch_make(set, first, zs::BatchKind::Candidates), model.device()));
  EXPECT_NEAR(a[0].item<double>(), s[0].item<double>(), 1e-5);
  EXPECT_NEAR(a[1].item<double>(), s[1].item<double>(), 1e-5);
}

TEST_F(Fixture, EvaluateAccuracyIsArgmaxOverCandidates) {
  // Eight examples in batches of 3 rows (one example per forward when 3 candidates would
  // not fit): accuracy = mean(pred == gold), loss = mean candidate cross-entropy.
  std::vector<zs::Example> xs;
  const char* texts[] = {"a fine film", "dull", "the best", "bad acting", "so good", "not good", "great fun", "weak"};
  for (int i = 0; i < 8; ++i) xs.push_back(make({{"sentence", texts[i]}}, i % 2));
  const zs::EncodedSet set = zs::task_encode(zs::task_get("sst2"), *tok, xs);
  const zs::EvalResult r = zs::task_evaluate(model, *tok, set, {.batch_rows = 3});
  std::vector<int64_t> all(8);
  for (int i = 0; i < 8; ++i) all[static_cast<size_t>(i)] = i;
  const zs::TensorBatch tb = zs::batch_to_device(zs::batch_make(set, all, zs::BatchKind::Candidates), model.device());
  const std::vector<int64_t> pred = zs::batch_predictions(model, tb);
  EXPECT_EQ(r.predictions, pred);
  double acc = 0;
  for (int i = 0; i < 8; ++i) acc += pred[static_cast<size_t>(i)] == i % 2 ? 1 : 0;
  EXPECT_DOUBLE_EQ(r.value, acc / 8);
  EXPECT_NEAR(r.loss, zs::task_loss(model, tb), 1e-5);
  EXPECT_EQ(r.examples, 8);
  EXPECT_EQ(zs::task_evaluate(model, *tok, set, {.max_examples = 3}).examples, 3);
}

// Forces every position to predict `id`: final layer-norm weight 0 and bias = c * embedding
// row of `id`, so the logits are c * E[id] . E[j] (largest at j = id, checked).
void force_token(zs::CausalLM& m, int32_t id) {
  at::NoGradGuard ng;
  at::Tensor emb, w, b;
  for (const zs::Block& blk : m.parameters()) {
    if (blk.name == "model.decoder.embed_tokens.weight") emb = blk.tensor;
    if (blk.name == "model.decoder.final_layer_norm.weight") w = blk.tensor;
    if (blk.name == "model.decoder.final_layer_norm.bias") b = blk.tensor;
  }
  ASSERT_TRUE(emb.defined() && w.defined() && b.defined());
  w.zero_();
  b.copy_(emb[id].mul(100.0 / emb[id].norm().item<double>()));
  ASSERT_EQ(emb.matmul(emb[id]).argmax().item<int64_t>(), id);
}

// The reference: recompute the whole sequence, take argmax at the last position, stop at
// EOS, a newline token or an id the tokenizer lacks.
std::vector<int32_t> greedy_reference(const zs::CausalLM& m, const zs::Tokenizer& tok, std::vector<int32_t> ids, int64_t max_new) {
  c10::InferenceMode g;
  std::vector<int32_t> out;
  for (int64_t k = 0; k < max_new; ++k) {
    at::Tensor t = at::zeros({1, static_cast<int64_t>(ids.size())}, at::TensorOptions().dtype(at::kLong));
    for (size_t i = 0; i < ids.size(); ++i) t[0][static_cast<int64_t>(i)] = ids[i];
    const int32_t next = static_cast<int32_t>(m.logits(t)[0][-1].argmax().item<int64_t>());
    if (next >= tok.vocab_size() || next == tok.eos_id() || tok.decode(std::vector<int32_t>{next}).find('\n') != std::string::npos) break;
    out.push_back(next);
    ids.push_back(next);
  }
  return out;
}

TEST_F(Fixture, GreedyGenerationMatchesReference) {
  const zs::Task& t = zs::task_get("squad");
  const auto xs = zs::task_read_file(t, kData + "/tasks/squad/train-v1.1.json");
  const zs::EncodedSet set = zs::task_encode(t, *tok, xs, {.max_length = 128, .max_new_tokens = 6});
  const std::vector<int64_t> idx = {0, 2, 3};
  const zs::TensorBatch p = zs::batch_to_device(zs::batch_make(set, idx, zs::BatchKind::Prompts), model.device());
  const auto got = zs::generate_greedy(model, *tok, p, {.max_new_tokens = 6});
  ASSERT_EQ(got.size(), 3u);
  for (size_t k = 0; k < 3; ++k)
    EXPECT_EQ(got[k], greedy_reference(model, *tok, set.examples[static_cast<size_t>(idx[k])].prompt, 6)) << k;
}

TEST_F(Fixture, GreedyGenerationStopsAtNewlineAndEos) {
  const zs::Task& t = zs::task_get("squad");
  const auto xs = zs::task_read_file(t, kData + "/tasks/squad/train-v1.1.json");
  const zs::EncodedSet set = zs::task_encode(t, *tok, xs, {.max_length = 128, .max_new_tokens = 5});
  const std::vector<int64_t> idx = {0, 1};
  const zs::TensorBatch p = zs::batch_to_device(zs::batch_make(set, idx, zs::BatchKind::Prompts), model.device());
  const int32_t a = tok->token_to_id("a"), newline = tok->token_to_id("Ċ");
  force_token(model, a);  // never stops: max_new_tokens tokens
  for (const auto& g : zs::generate_greedy(model, *tok, p, {.max_new_tokens = 5})) EXPECT_EQ(g, std::vector<int32_t>(5, a));
  const zs::EvalResult r = zs::task_evaluate(model, *tok, set, {.max_new_tokens = 5});
  EXPECT_EQ(r.answers[0], "aaaaa");
  EXPECT_EQ(r.value, 0.0);
  force_token(model, newline);
  for (const auto& g : zs::generate_greedy(model, *tok, p, {.max_new_tokens = 5})) EXPECT_TRUE(g.empty());
  force_token(model, tok->eos_id());
  for (const auto& g : zs::generate_greedy(model, *tok, p, {.max_new_tokens = 5})) EXPECT_TRUE(g.empty());
  // The answer is the text before a newline, stripped.
  EXPECT_EQ(zs::generated_answer(*tok, tok->encode(" 1872 \nmore")), "1872");
}

TEST_F(Fixture, SquadEvaluationScoresGeneratedAnswers) {
  const zs::Task& t = zs::task_get("squad");
  auto xs = zs::task_read_file(t, kData + "/tasks/squad/train-v1.1.json");
  for (auto& x : xs) x.answers.push_back("a a");  // a gold answer the forced model produces
  const zs::EncodedSet set = zs::task_encode(t, *tok, xs, {.max_length = 128, .max_new_tokens = 3});
  force_token(model, tok->token_to_id("Ġa"));
  const zs::EvalResult r = zs::task_evaluate(model, *tok, set, {.max_new_tokens = 3});
  ASSERT_EQ(r.answers.size(), xs.size());
  EXPECT_EQ(r.answers[0], "a a a");
  // "a" is an article: both sides normalise to "" -> EM 1, F1 0 (official semantics).
  EXPECT_EQ(r.em, 1.0);
  EXPECT_EQ(r.value, 0.0);
}

// ---------------------------------------------------------------------------------------
// Pretraining of the embedded default and its cache

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::path(::testing::TempDir()) / ("zs_pretrain_" + std::to_string(::getpid()));
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

TEST(Pretrain, ShortRunBeatsRandomInitAndIsCached) {
  TempDir tmp;
  zs::DefaultModelOptions o;
  o.cache_dir = tmp.path.string();
  // The default pretraining (500 steps, ~1.5 CPU-minutes) lowers the LM loss and moves its
  // own verdict words (" good" / " bad" after "It was") towards the review's sentiment
  // (measured 0.52 -> 0.57 on the task's dev mix, ATen's default threads), while the task's
  // label words (" great" / " terrible") stay near chance: room for fine-tuning.
  std::vector<std::string> lines;
  o.log = [&](const std::string& s) { lines.push_back(s); };
  const std::string dir = zs::pretrained_default_model(o);
  EXPECT_EQ(fs::path(dir).parent_path(), tmp.path / "models");
  const nlohmann::json info = nlohmann::json::parse(zs::read_file(dir + "/zoscope_pretrain.json"));
  const double acc0 = info["dev_accuracy_random_init"], acc = info["dev_accuracy_zero_shot"];
  const double own0 = info["dev_accuracy_own_verdict_random_init"], own = info["dev_accuracy_own_verdict"];
  std::printf("[ measured ] %lld steps in %.1f s: loss %.3f -> %.3f, dev accuracy %.3f -> %.3f, own verdict words %.3f -> %.3f\n",
              static_cast<long long>(o.pretrain.steps), info["seconds"].get<double>(), info["first_loss"].get<double>(),
              info["last_loss"].get<double>(), acc0, acc, own0, own);
  EXPECT_GT(own, own0 + 0.03);
  EXPECT_LE(acc, 0.65);
  EXPECT_LT(info["last_loss"].get<double>(), info["first_loss"].get<double>());
  // The folder is a checkpoint + tokenizer that load() and tokenizer_load() read, and the
  // task evaluates to the recorded accuracy.
  const zs::CausalLM m = zs::CausalLM::load(dir);
  const auto tok = zs::tokenizer_load(dir);
  EXPECT_EQ(m.config(), zs::default_model_config());
  zs::DataOptions d;
  const zs::TaskData data = zs::task_data_load(zs::task_get("sentiment"), d);
  const zs::EncodedSet dev = zs::task_encode(zs::task_get("sentiment"), *tok, data.dev, {.max_length = 128});
  EXPECT_NEAR(zs::task_evaluate(m, *tok, dev).value, acc, 1e-9);
  // Reused: a second call trains nothing and returns the same folder.
  lines.clear();
  EXPECT_EQ(zs::pretrained_default_model(o), dir);
  EXPECT_TRUE(lines.empty());
  // Another key (seed) is another folder; a stale temporary folder of a dead process is
  // not mistaken for a cache entry.
  zs::DefaultModelOptions o2 = o;
  o2.seed = 1;
  EXPECT_NE(zs::default_model_key(o2), zs::default_model_key(o));
}

TEST(Pretrain, HalfWrittenCacheIsIgnored) {
  TempDir tmp;
  zs::DefaultModelOptions o;
  o.cache_dir = tmp.path.string();
  o.pretrain.steps = 2;
  o.pretrain.warmup = 1;
  const std::string name = "sentiment-v" + std::to_string(zs::kSentimentVersion) + "-" + zs::default_model_key(o);
  // A folder left by a crashed writer (no marker file), and a temporary one of a dead pid.
  zs::make_dirs((tmp.path / "models" / (name + ".tmp-999999999")).string());
  zs::atomic_write((tmp.path / "models" / (name + ".tmp-999999999") / "config.json").string(), "{}");
  const std::string dir = zs::pretrained_default_model(o);
  EXPECT_TRUE(fs::exists(fs::path(dir) / "zoscope_pretrain.json"));
  EXPECT_FALSE(fs::exists(tmp.path / "models" / (name + ".tmp-999999999")));
  EXPECT_NO_THROW(zs::CausalLM::load(dir));
}

TEST(Pretrain, RejectsBadOptions) {
  zs::CausalLM m = zs::CausalLM::random(zs::default_model_config(), 0);
  const std::string dir = ::testing::TempDir() + "zs_pretrain_tok_" + std::to_string(::getpid());
  zs::sentiment_tokenizer_write(dir);
  const auto tok = zs::tokenizer_load(dir);
  zs::PretrainOptions o;
  o.seq_len = 1000;
  EXPECT_NE(error_of([&] { zs::pretrain_lm(m, *tok, o); }).find("seq_len"), std::string::npos);
  o = {};
  o.lr = 0;
  EXPECT_NE(error_of([&] { zs::pretrain_lm(m, *tok, o); }).find("lr"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
