// OPT and LLaMA decoders against the transformers golden data (fp32 CPU, max abs error
// <= 1e-4 on logits at valid positions, every hidden state, loss and row loss), padding
// invariance, reduced-precision storage, LoRA, blocks(), save/load and bad checkpoints.
#include <gtest/gtest.h>
#include <ATen/Context.h>
#include <ATen/ops/arange.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/equal.h>
#include <ATen/ops/full.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/ones_like.h>
#include <ATen/ops/randint.h>
#include <ATen/ops/randn.h>
#include <ATen/ops/stack.h>
#include <ATen/ops/zeros.h>
#include <ATen/ops/zeros_like.h>
#include <c10/core/GradMode.h>
#include <ftw.h>
#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>
#include "core/llm/io/model_config.h"
#include "core/llm/io/safetensors.h"
#include "core/llm/torch/model.h"
#include "core/llm/torch/tensor_io.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace {

namespace fs = std::filesystem;

const std::string kFix = std::string(ZS_TEST_DATA) + "/fixtures/";

// The PyTorch wheel's libtorch.so exports its own copy of std::filesystem whose
// remove_all segfaults; zs_llm links libstdc++ ahead of LibTorch so the real one is bound.
// Using remove_all here keeps that link order tested.
void remove_tree(const std::string& p) { fs::remove_all(p); }

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::path("/tmp") / ("zs_model_" + std::to_string(::getpid()) + "_" +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    remove_tree(path.string());
    fs::create_directories(path);
  }
  ~TempDir() { remove_tree(path.string()); }
  std::string sub(const std::string& name) const { return (path / name).string(); }
};

double max_abs(const at::Tensor& a, const at::Tensor& b) {
  return a.to(at::kDouble).sub(b.to(at::kDouble)).abs().max().item<double>();
}

// Max |a - b| over positions where mask [B, T] is 1 (a, b: [B, T, ...]).
double max_abs_valid(const at::Tensor& a, const at::Tensor& b, const at::Tensor& mask) {
  const at::Tensor m = mask.to(at::kBool).unsqueeze(-1);
  return max_abs(a.masked_select(m), b.masked_select(m));
}

void report(const std::string& what, double err) {
  std::printf("[ measured ] %-34s max abs error %.3e\n", what.c_str(), err);
  ::testing::Test::RecordProperty(what, std::to_string(err));
}

class Golden : public ::testing::TestWithParam<const char*> {};

TEST_P(Golden, Fp32MatchesTransformers) {
  const std::string dir = kFix + GetParam();
  const zs::CausalLM m = zs::CausalLM::load(dir);
  auto g = zs::load_tensors(dir + "/golden.safetensors");
  const at::Tensor ids = g.at("input_ids"), mask = g.at("attention_mask");
  const zs::ForwardResult r = m.forward(ids, mask, {.hidden_states = true});
  const double tol = 1e-4;
  const std::string tag = std::string(GetParam()) + " ";
  const double e_logits = max_abs_valid(r.logits, g.at("logits"), mask);
  report(tag + "logits (valid positions)", e_logits);
  EXPECT_LE(e_logits, tol);
  ASSERT_EQ(r.hidden_states.size(), static_cast<size_t>(m.config().num_layers + 1));
  for (size_t i = 0; i < r.hidden_states.size(); ++i) {
    const std::string key = "hidden_" + std::to_string(i);
    const double e = max_abs(r.hidden_states[i], g.at(key));  // every position: right padding is well defined
    report(tag + key, e);
    EXPECT_LE(e, tol) << key;
  }
  EXPECT_TRUE(r.hidden_states.back().equal(r.last_hidden));
  const at::Tensor labels = g.at("labels");
  EXPECT_TRUE(zs::lm_labels(ids, mask).equal(labels));
  const double e_loss = max_abs(zs::lm_loss(r.logits, labels).reshape({1}), g.at("loss"));
  report(tag + "loss", e_loss);
  EXPECT_LE(e_loss, tol);
  const double e_chunked = max_abs(m.lm_loss(ids, mask, labels).reshape({1}), g.at("loss"));
  report(tag + "loss (chunked head, no logits)", e_chunked);
  EXPECT_LE(e_chunked, tol);
  const double e_row = max_abs(zs::lm_row_loss(r.logits, labels), g.at("row_loss"));
  report(tag + "row_loss", e_row);
  EXPECT_LE(e_row, tol);
  // Undefined mask = all tokens: rows 0 and 2 have no padding.
  const at::Tensor full = m.logits(ids);
  EXPECT_LE(max_abs(full.select(0, 0), r.logits.select(0, 0)), 1e-5);
}

// Row 0 truncated to 16 tokens, alone and inside a batch left- and right-padded to 24:
// the logits at real tokens must not move.
TEST_P(Golden, PaddingInvariance) {
  const std::string dir = kFix + GetParam();
  const zs::CausalLM m = zs::CausalLM::load(dir);
  const at::Tensor seq = zs::load_tensors(dir + "/golden.safetensors").at("input_ids").select(0, 0).narrow(0, 0, 16);
  const int64_t pad = m.config().pad_token_id.value_or(0);
  const at::Tensor pads = at::full({8}, pad, at::kLong);
  const at::Tensor ids = at::stack({at::cat({pads, seq}), at::cat({seq, pads})});
  const at::Tensor mask = at::stack({at::cat({at::zeros({8}, at::kLong), at::ones({16}, at::kLong)}),
                                     at::cat({at::ones({16}, at::kLong), at::zeros({8}, at::kLong)})});
  const at::Tensor alone = m.logits(seq.unsqueeze(0)).select(0, 0);
  const at::Tensor both = m.logits(ids, mask);
  EXPECT_FALSE(both.isnan().any().item<bool>());
  const double e_left = max_abs(both.select(0, 0).narrow(0, 8, 16), alone);
  const double e_right = max_abs(both.select(0, 1).narrow(0, 0, 16), alone);
  report(std::string(GetParam()) + " left padding", e_left);
  report(std::string(GetParam()) + " right padding", e_right);
  EXPECT_LE(e_left, 1e-4);
  EXPECT_LE(e_right, 1e-4);
  // lm_labels drops the target predicted from a pad, so the row losses agree too.
  const at::Tensor alone_loss = zs::lm_row_loss(alone.unsqueeze(0), seq.unsqueeze(0));
  const at::Tensor both_loss = zs::lm_row_loss(both, zs::lm_labels(ids, mask));
  EXPECT_LE(max_abs(both_loss, alone_loss.expand({2})), 1e-5);
}

// ForwardOptions::positions: the last layer runs at one position per row only; its logits
// equal the full forward's at those positions (left-padded batch: the last position; no
// mask and an all-ones mask: any positions, causal-only kernel).
TEST_P(Golden, SelectedPositionsMatchFullForward) {
  const std::string dir = kFix + GetParam();
  const zs::CausalLM m = zs::CausalLM::load(dir);
  const at::Tensor seq = zs::load_tensors(dir + "/golden.safetensors").at("input_ids").select(0, 0).narrow(0, 0, 16);
  const int64_t pad = m.config().pad_token_id.value_or(0);
  const at::Tensor ids = at::stack({at::cat({at::full({8}, pad, at::kLong), seq}), at::cat({seq.narrow(0, 0, 8), seq})});
  const at::Tensor mask = at::stack({at::cat({at::zeros({8}, at::kLong), at::ones({16}, at::kLong)}), at::ones({24}, at::kLong)});
  const at::Tensor last = at::full({2}, 23, at::kLong);
  const at::Tensor full = m.logits(ids, mask);
  const at::Tensor part = m.forward(ids, mask, {.positions = last}).logits;
  ASSERT_EQ(part.sizes(), (std::vector<int64_t>{2, 1, full.size(2)}));
  const double e_pad = max_abs(part.squeeze(1), full.select(1, 23));
  const at::Tensor pos = at::arange(2, at::kLong).mul(7).add(3);  // 3 and 10
  const at::Tensor nomask = m.logits(ids);
  const double e_causal = std::max(max_abs(m.forward(ids, {}, {.positions = pos}).logits.squeeze(1),
                                           at::stack({nomask[0][3], nomask[1][10]})),
                                   max_abs(m.forward(ids, at::ones_like(ids), {.positions = pos}).logits.squeeze(1),
                                           at::stack({nomask[0][3], nomask[1][10]})));
  report(std::string(GetParam()) + " selected positions (padded)", e_pad);
  report(std::string(GetParam()) + " selected positions (causal)", e_causal);
  EXPECT_LE(e_pad, 1e-5);
  EXPECT_LE(e_causal, 1e-5);
  EXPECT_THROW(m.forward(ids, mask, {.positions = at::full({2}, 24, at::kLong)}), zs::Error);
}

// bf16 / fp16 storage, computing in that dtype on the CPU: logits and loss stay close to the
// fp32 golden. Tolerances (about 2.5x the measured error): bf16 (8-bit mantissa) 0.05 on
// logits and 5e-3 on the loss; fp16 (11-bit mantissa) 1e-2 and 5e-4. |logits| <= 2, loss ~6.3 here.
TEST_P(Golden, ReducedPrecisionStaysClose) {
  const std::string dir = kFix + GetParam();
  auto g = zs::load_tensors(dir + "/golden.safetensors");
  const at::Tensor mask = g.at("attention_mask");
  struct Case {
    c10::ScalarType t;
    const char* name;
    double tol_logits, tol_loss;
  };
  for (const Case& c : {Case{at::kBFloat16, "bf16", 0.05, 5e-3}, Case{at::kHalf, "fp16", 1e-2, 5e-4}}) {
    const zs::CausalLM m = zs::CausalLM::load(dir, {.dtype = c.t});
    EXPECT_EQ(m.parameters().front().tensor.scalar_type(), c.t);
    const at::Tensor logits = m.logits(g.at("input_ids"), mask);
    EXPECT_EQ(logits.scalar_type(), c.t);
    const double e = max_abs_valid(logits, g.at("logits"), mask);
    const double el = max_abs(zs::lm_loss(logits, g.at("labels")).reshape({1}), g.at("loss"));
    report(std::string(GetParam()) + " " + c.name + " logits", e);
    report(std::string(GetParam()) + " " + c.name + " loss", el);
    EXPECT_LE(e, c.tol_logits) << c.name;
    EXPECT_LE(el, c.tol_loss) << c.name;
  }
}

TEST_P(Golden, LoraWithZeroBIsIdentity) {
  const std::string dir = kFix + GetParam();
  zs::CausalLM m = zs::CausalLM::load(dir);
  auto g = zs::load_tensors(dir + "/golden.safetensors");
  const at::Tensor ids = g.at("input_ids"), mask = g.at("attention_mask");
  const at::Tensor before = m.logits(ids, mask);
  m.enable_lora({.rank = 4, .alpha = 8, .seed = 3});
  const std::vector<zs::Block> bs = m.blocks();
  ASSERT_EQ(bs.size(), static_cast<size_t>(4 * m.config().num_layers));  // (A, B) x (q, v) per layer
  EXPECT_FALSE(m.base_trainable());
  // Module order: OPT declares k, v, q; LLaMA q, k, v.
  const std::string first = std::string(GetParam()) == "tiny-opt" ? "model.decoder.layers.0.self_attn.v_proj"
                                                                 : "model.layers.0.self_attn.q_proj";
  EXPECT_EQ(bs[0].name, first + ".lora_A.weight");
  EXPECT_EQ(bs[1].name, first + ".lora_B.weight");
  EXPECT_EQ(bs[0].tensor.sizes(), (at::IntArrayRef{4, 64}));
  EXPECT_EQ(bs[1].tensor.sizes(), (at::IntArrayRef{m.config().num_heads * m.config().head_dim, 4}));
  EXPECT_TRUE(bs[0].decay && bs[0].is_matrix);
  EXPECT_LE(bs[0].tensor.abs().max().item<double>(), 1.0 / 8.0 + 1e-7);  // kaiming bound 1/sqrt(64)
  EXPECT_GT(bs[0].tensor.abs().max().item<double>(), 0.05);
  EXPECT_TRUE(m.logits(ids, mask).equal(before));
  // Moving B moves the logits; by exactly what alpha/r * B A x predicts on layer 0's q? Checked
  // indirectly: the change is nonzero and finite, and zeroing B restores the logits bitwise.
  bs[1].tensor.fill_(0.01);
  const at::Tensor moved = m.logits(ids, mask);
  EXPECT_GT(max_abs(moved, before), 1e-4);
  EXPECT_FALSE(moved.isnan().any().item<bool>());
  bs[1].tensor.zero_();
  EXPECT_TRUE(m.logits(ids, mask).equal(before));
  // Same seed, same A.
  zs::CausalLM m2 = zs::CausalLM::load(dir);
  m2.enable_lora({.rank = 4, .alpha = 8, .seed = 3});
  EXPECT_TRUE(m2.blocks()[0].tensor.equal(bs[0].tensor));
  EXPECT_FALSE(m2.blocks()[2].tensor.equal(bs[0].tensor));  // each adapter draws its own A
  m.clear_adapters();
  m.set_base_trainable(true);
  EXPECT_EQ(m.blocks().size(), m.parameters().size());
}

TEST_P(Golden, SaveLoadRoundTrip) {
  const std::string dir = kFix + GetParam();
  const zs::CausalLM m = zs::CausalLM::load(dir);
  auto g = zs::load_tensors(dir + "/golden.safetensors");
  TempDir tmp;
  m.save(tmp.sub("saved"));
  const zs::CausalLM back = zs::CausalLM::load(tmp.sub("saved"));
  EXPECT_EQ(back.config(), m.config());
  const auto a = m.parameters(), b = back.parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name);
    EXPECT_TRUE(a[i].tensor.equal(b[i].tensor)) << a[i].name;
  }
  EXPECT_TRUE(back.logits(g.at("input_ids"), g.at("attention_mask")).equal(m.logits(g.at("input_ids"), g.at("attention_mask"))));
  // bf16 storage saves bf16 and reloads exactly.
  const zs::CausalLM h = zs::CausalLM::load(dir, {.dtype = at::kBFloat16});
  h.save(tmp.sub("bf16"));
  EXPECT_EQ(zs::st::File::open(tmp.sub("bf16") + "/model.safetensors").tensors().front().dtype, zs::st::DType::BF16);
  const zs::CausalLM hb = zs::CausalLM::load(tmp.sub("bf16"), {.dtype = at::kBFloat16});
  EXPECT_TRUE(hb.parameters().back().tensor.equal(h.parameters().back().tensor));
}

TEST_P(Golden, BlocksAreLiveHandles) {
  const std::string dir = kFix + GetParam();
  zs::CausalLM m = zs::CausalLM::load(dir);
  const auto st = zs::st::Checkpoint::open(dir);
  const std::vector<zs::Block> bs = m.blocks();
  ASSERT_EQ(bs.size(), st.names().size());  // one block per stored tensor (tied lm_head once)
  for (const auto& b : bs) {
    EXPECT_TRUE(b.tensor.is_contiguous()) << b.name;
    EXPECT_NE(st.find(b.name), nullptr) << b.name;
    EXPECT_EQ(b.is_matrix, b.tensor.dim() == 2) << b.name;
    EXPECT_EQ(b.decay, b.tensor.dim() == 2) << b.name;
    const bool bias_or_norm = b.name.find("bias") != std::string::npos || b.name.find("norm") != std::string::npos;
    if (bias_or_norm) {
      EXPECT_FALSE(b.decay) << b.name;
    }
  }
  const at::Tensor ids = zs::load_tensors(dir + "/golden.safetensors").at("input_ids");
  const at::Tensor before = m.logits(ids);
  {
    at::NoGradGuard ng;
    bs[0].tensor.select(1, 0).add_(0.5);  // in place through the handle (embed_tokens column 0)
  }
  EXPECT_GT(max_abs(m.logits(ids), before), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Golden, ::testing::Values("tiny-opt", "tiny-llama"));

// Variants made by tests/data/variants/make_variants.py (OPT-350m layout, OPT without biases
// or affine norms and an untied head, LLaMA-3.1 rope scaling + GQA + biases + head_dim !=
// hidden/heads + tied head, sharded). Row 2 is left-padded, so hidden states are compared
// at valid positions only (the pads' rows are garbage in both implementations).
class Variant : public ::testing::TestWithParam<const char*> {};

TEST_P(Variant, Fp32MatchesTransformers) {
  const std::string dir = std::string(ZS_TEST_DATA) + "/variants/" + GetParam();
  const zs::CausalLM m = zs::CausalLM::load(dir);
  auto g = zs::load_tensors(dir + "/golden.safetensors");
  const at::Tensor ids = g.at("input_ids"), mask = g.at("attention_mask");
  const zs::ForwardResult r = m.forward(ids, mask, {.hidden_states = true});
  const std::string tag = std::string(GetParam()) + " ";
  const double e_logits = max_abs_valid(r.logits, g.at("logits"), mask);
  report(tag + "logits", e_logits);
  EXPECT_LE(e_logits, 1e-4);
  ASSERT_EQ(r.hidden_states.size(), static_cast<size_t>(m.config().num_layers + 1));
  double e_hidden = 0;
  for (size_t i = 0; i < r.hidden_states.size(); ++i)
    e_hidden = std::max(e_hidden, max_abs_valid(r.hidden_states[i], g.at("hidden_" + std::to_string(i)), mask));
  report(tag + "hidden (all, valid positions)", e_hidden);
  EXPECT_LE(e_hidden, 1e-4);
  EXPECT_TRUE(zs::lm_labels(ids, mask).equal(g.at("labels")));
  const double e_loss = max_abs(zs::lm_loss(r.logits, g.at("labels")).reshape({1}), g.at("loss"));
  const double e_row = max_abs(zs::lm_row_loss(r.logits, g.at("labels")), g.at("row_loss"));
  report(tag + "loss", e_loss);
  report(tag + "row_loss", e_row);
  EXPECT_LE(e_loss, 1e-4);
  EXPECT_LE(e_row, 1e-4);
  int64_t n = 0;
  for (const auto& b : m.parameters()) n += b.tensor.numel();
  EXPECT_EQ(n, zs::model_config_num_parameters(m.config()));
  // Saved by us, read back identically (also un-shards the LLaMA variant).
  TempDir tmp;
  m.save(tmp.sub("s"));
  EXPECT_TRUE(zs::CausalLM::load(tmp.sub("s")).logits(ids, mask).equal(r.logits));
}

INSTANTIATE_TEST_SUITE_P(Variants, Variant, ::testing::Values("opt-350m-style", "opt-nobias-untied", "llama3-gqa-bias"));

TEST(Models, BlockOrderFollowsTransformers) {
  const zs::CausalLM o = zs::CausalLM::load(kFix + "tiny-opt");
  const auto ob = o.blocks();
  const std::vector<std::string> first = {
      "model.decoder.embed_tokens.weight", "model.decoder.embed_positions.weight",
      "model.decoder.final_layer_norm.weight", "model.decoder.final_layer_norm.bias",
      "model.decoder.layers.0.self_attn.k_proj.weight", "model.decoder.layers.0.self_attn.k_proj.bias",
      "model.decoder.layers.0.self_attn.v_proj.weight"};
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(ob[i].name, first[i]);
  EXPECT_EQ(ob.back().name, "model.decoder.layers.1.final_layer_norm.bias");
  EXPECT_EQ(ob.size(), 36u);
  const zs::CausalLM l = zs::CausalLM::load(kFix + "tiny-llama");
  const auto lb = l.blocks();
  EXPECT_EQ(lb[0].name, "model.embed_tokens.weight");
  EXPECT_EQ(lb[1].name, "model.layers.0.self_attn.q_proj.weight");
  EXPECT_EQ(lb[9].name, "model.layers.0.post_attention_layernorm.weight");
  EXPECT_EQ(lb[lb.size() - 2].name, "model.norm.weight");
  EXPECT_EQ(lb.back().name, "lm_head.weight");
  EXPECT_EQ(l.linear_names()[4], "model.layers.0.mlp.gate_proj");
}

TEST(Models, AutogradModeGivesGradients) {
  zs::CausalLM m = zs::CausalLM::load(kFix + "tiny-llama");
  auto g = zs::load_tensors(kFix + "tiny-llama/golden.safetensors");
  const at::Tensor ids = g.at("input_ids"), mask = g.at("attention_mask"), labels = g.at("labels");
  EXPECT_FALSE(m.logits(ids, mask).requires_grad());  // inference mode by default
  m.set_autograd(true);
  at::Tensor loss = zs::lm_loss(m.logits(ids, mask), labels);
  ASSERT_TRUE(loss.requires_grad());
  loss.backward();
  const auto bs = m.blocks();
  for (const auto& b : bs) ASSERT_TRUE(b.tensor.grad().defined()) << b.name;
  // One small SGD step along -grad lowers the loss.
  {
    at::NoGradGuard ng;
    for (const auto& b : bs) b.tensor.sub_(b.tensor.grad(), 1e-2);
  }
  const double after = zs::lm_loss(m.logits(ids, mask), labels).item<double>();
  EXPECT_LT(after, loss.item<double>());
  // LoRA under autograd: only A and B require grad.
  m.enable_lora({});
  for (const auto& p : m.parameters()) EXPECT_FALSE(p.tensor.requires_grad()) << p.name;
  for (const auto& b : m.blocks()) EXPECT_TRUE(b.tensor.requires_grad()) << b.name;
  m.set_autograd(false);
  for (const auto& b : m.blocks()) EXPECT_FALSE(b.tensor.requires_grad()) << b.name;
}

TEST(Models, SpanLogProb) {
  const zs::CausalLM m = zs::CausalLM::load(kFix + "tiny-opt");
  auto g = zs::load_tensors(kFix + "tiny-opt/golden.safetensors");
  const at::Tensor ids = g.at("input_ids"), mask = g.at("attention_mask");
  const at::Tensor logits = m.logits(ids, mask);
  // The span = every valid target: sum = -row_loss * count.
  at::Tensor span = mask.clone();
  span.select(1, 0).zero_();
  const zs::SpanLogProb s = zs::span_logprob(logits, ids, span);
  const at::Tensor row = zs::lm_row_loss(logits, g.at("labels"));
  EXPECT_LE(max_abs(s.mean, row.neg()), 1e-5);
  EXPECT_LE(max_abs(s.sum, row.neg().mul(s.count)), 1e-4);
  EXPECT_EQ(s.count.select(0, 1).item<float>(), 18.0f);
  // A two-token span in row 2: positions 5 and 6.
  at::Tensor two = at::zeros_like(mask);
  two.select(0, 2).narrow(0, 5, 2).fill_(1);
  const zs::SpanLogProb t = zs::span_logprob(logits, ids, two);
  const at::Tensor lp = logits.select(0, 2).log_softmax(-1);
  const double want = lp[4][ids[2][5].item<int64_t>()].item<double>() + lp[5][ids[2][6].item<int64_t>()].item<double>();
  EXPECT_NEAR(t.sum[2].item<double>(), want, 1e-5);
  EXPECT_NEAR(t.mean[2].item<double>(), want / 2, 1e-5);
  EXPECT_EQ(t.mean[0].item<float>(), 0.0f);  // empty span
}

// A random 2-layer OPT of hidden size 32 with a vocabulary of `vocab` tokens.
zs::CausalLM tiny_opt(int64_t vocab, uint64_t seed) {
  zs::ModelConfig c;
  c.arch = zs::ModelArch::Opt;
  c.vocab_size = vocab;
  c.hidden_size = 32;
  c.num_layers = 2;
  c.num_heads = 4;
  c.ffn_dim = 64;
  c.max_position_embeddings = 64;
  c.pad_token_id = 1;
  c.bos_token_id = 2;
  c.eos_token_ids = {2};
  zs::model_config_fill_derived(c);
  return zs::CausalLM::random(c, seed);
}

// CausalLM::lm_loss runs the head on CPU chunks of max(64, 2^22 / V) valid positions: with
// V = 2^16 a 5 x 40 left-padded batch (188 targets) spans three chunks, and the result is
// lm_loss of the logits.
TEST(Models, ChunkedLmLossEqualsTheLossOfTheLogits) {
  zs::CausalLM m = tiny_opt(1 << 16, 5);
  at::manual_seed(1);
  const at::Tensor ids = at::randint(3, 1 << 16, {5, 40}, at::kLong);
  at::Tensor mask = at::ones({5, 40}, at::kLong);
  mask[1].narrow(0, 0, 7).fill_(0);  // left padding: those targets are ignored
  const at::Tensor labels = zs::lm_labels(ids, mask);
  const double ref = zs::lm_loss(m.logits(ids, mask), labels).item<double>();
  const double chunked = m.lm_loss(ids, mask, labels).item<double>();
  EXPECT_NEAR(chunked, ref, 1e-5 * std::fabs(ref));
  m.set_autograd(true);  // differentiable as well
  const at::Tensor l = m.lm_loss(ids, mask, labels);
  l.backward();
  for (const auto& b : m.blocks()) EXPECT_TRUE(b.tensor.grad().defined()) << b.name;
  m.set_autograd(false);
  EXPECT_THROW(m.lm_loss(ids, mask, labels.narrow(1, 0, 39)), zs::Error);
}

// CPU fp32 matrix products through oneDNN or MKL (model.h CpuGemm): both give the same
// products to fp32 rounding; small products, products that need a gradient and other
// dtypes always take at::linear (bit for bit).
TEST(Models, OneDnnAndMklMatrixProductsAgree) {
  if (!at::hasMKLDNN()) GTEST_SKIP() << "this LibTorch has no oneDNN";
  struct Restore {
    ~Restore() { zs::set_cpu_gemm(zs::CpuGemm::Auto); }
  } restore;
  at::manual_seed(3);
  const at::Tensor w = at::randn({96, 48}), b = at::randn({96});
  const at::Tensor big = at::randn({2, 40, 48}), small = at::randn({3, 48});
  zs::set_cpu_gemm(zs::CpuGemm::OneDnn);
  ASSERT_EQ(zs::cpu_gemm(), zs::CpuGemm::OneDnn);
  int64_t n0 = zs::onednn_products();
  const at::Tensor y1 = zs::linear(big, w, b), ref = at::linear(big.to(at::kDouble), w.to(at::kDouble), b.to(at::kDouble));
  ASSERT_EQ(y1.sizes(), (std::vector<int64_t>{2, 40, 96}));
  ASSERT_TRUE(y1.is_contiguous());
  EXPECT_LT(max_abs(y1, ref), 1e-5 * ref.abs().max().item<double>());
  EXPECT_EQ(zs::onednn_products(), n0 + 1);  // 80 rows: oneDNN
  EXPECT_LT(max_abs(zs::linear(big, w), at::linear(big, w)), 1e-4);  // no bias
  EXPECT_EQ(zs::onednn_products(), n0 + 2);
  n0 = zs::onednn_products();
  EXPECT_TRUE(at::equal(zs::linear(small, w, b), at::linear(small, w, b)));  // 3 rows < kOneDnnMinRows
  EXPECT_TRUE(at::equal(zs::linear(big.to(at::kDouble), w.to(at::kDouble)), at::linear(big.to(at::kDouble), w.to(at::kDouble))));
  {
    c10::AutoGradMode on(true);
    const at::Tensor wg = w.clone().requires_grad_(true);
    const at::Tensor yg = zs::linear(big, wg, b);
    EXPECT_TRUE(yg.requires_grad());  // autograd path: at::linear
    EXPECT_TRUE(at::equal(yg.detach(), at::linear(big, w, b)));
  }
  EXPECT_EQ(zs::onednn_products(), n0);  // none of the three went to oneDNN
  // A model's logits through either library.
  zs::CausalLM m = tiny_opt(512, 9);
  const at::Tensor ids = at::randint(3, 512, {4, 32}, at::kLong), mask = at::ones({4, 32}, at::kLong);
  n0 = zs::onednn_products();
  const at::Tensor l_onednn = m.logits(ids, mask);
  EXPECT_EQ(zs::onednn_products(), n0 + 2 * 4 + 1);  // per decoder layer q,k,v as one, out, fc1, fc2; the head
  zs::set_cpu_gemm(zs::CpuGemm::Mkl);
  ASSERT_EQ(zs::cpu_gemm(), zs::CpuGemm::Mkl);
  const at::Tensor l_mkl = m.logits(ids, mask);
  const double err = max_abs(l_onednn, l_mkl);
  report("logits oneDNN vs MKL", err);
  EXPECT_LT(err, 1e-4);
  n0 = zs::onednn_products();
  EXPECT_FALSE(zs::linear(big, w, b).is_mkldnn());
  EXPECT_EQ(zs::onednn_products(), n0);  // MKL chosen
}

TEST(Models, RandomInitIsSeededAndRoundTrips) {
  zs::ModelConfig c;  // OPT-350m-like: project_in/out and post-LN
  c.arch = zs::ModelArch::Opt;
  c.vocab_size = 96;
  c.hidden_size = 32;
  c.word_embed_proj_dim = 16;
  c.num_layers = 2;
  c.num_heads = 4;
  c.ffn_dim = 64;
  c.max_position_embeddings = 40;
  c.do_layer_norm_before = false;
  c.pad_token_id = 1;
  c.bos_token_id = 2;
  c.eos_token_ids = {2};
  const zs::CausalLM a = zs::CausalLM::random(c, 7);
  const zs::CausalLM b = zs::CausalLM::random(c, 7);
  const zs::CausalLM d = zs::CausalLM::random(c, 8);
  const auto pa = a.parameters(), pb = b.parameters(), pd = d.parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(pa[i].tensor.equal(pb[i].tensor)) << pa[i].name;
  EXPECT_FALSE(pa[0].tensor.equal(pd[0].tensor));
  EXPECT_EQ(pa[0].name, "model.decoder.embed_tokens.weight");
  EXPECT_EQ(pa[0].tensor.sizes(), (at::IntArrayRef{96, 16}));
  EXPECT_EQ(pa[2].name, "model.decoder.project_out.weight");
  EXPECT_EQ(pa[3].name, "model.decoder.project_in.weight");
  EXPECT_EQ(pa[0].tensor[1].abs().max().item<float>(), 0.0f);  // pad row
  EXPECT_NEAR(pa[1].tensor.std().item<double>(), 0.02, 2e-3);
  const at::Tensor ids = at::arange(2, 26, at::kLong).view({2, 12});
  const at::Tensor logits = a.logits(ids);
  EXPECT_EQ(logits.sizes(), (at::IntArrayRef{2, 12, 96}));
  EXPECT_FALSE(logits.isnan().any().item<bool>());
  TempDir tmp;
  a.save(tmp.sub("r"));
  const zs::CausalLM back = zs::CausalLM::load(tmp.sub("r"));
  EXPECT_TRUE(back.logits(ids).equal(logits));
  EXPECT_THROW(a.logits(at::zeros({1, 41}, at::kLong)), zs::Error);  // beyond max_position_embeddings
}

TEST(Models, SaveLoadBlocks) {
  zs::CausalLM m = zs::CausalLM::load(kFix + "tiny-llama");
  m.enable_lora({.rank = 2});
  {
    at::NoGradGuard ng;
    for (const auto& b : m.blocks()) b.tensor.add_(0.5);
  }
  TempDir tmp;
  m.save_blocks(tmp.sub("blocks.safetensors"));
  zs::CausalLM n = zs::CausalLM::load(kFix + "tiny-llama");
  n.enable_lora({.rank = 2});
  n.load_blocks(tmp.sub("blocks.safetensors"));
  const auto a = m.blocks(), b = n.blocks();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i].tensor.equal(b[i].tensor)) << a[i].name;
  zs::CausalLM full = zs::CausalLM::load(kFix + "tiny-llama");
  try {
    full.load_blocks(tmp.sub("blocks.safetensors"));
    FAIL();
  } catch (const zs::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'model.embed_tokens.weight' is missing"), std::string::npos) << e.what();
  }
}

// A copy of tiny-opt whose model.safetensors is rewritten by `edit` (name -> tensor map).
std::string broken_copy(const TempDir& tmp, const std::function<void(std::map<std::string, at::Tensor>&)>& edit,
                        const std::string& config_edit_from = "", const std::string& config_edit_to = "") {
  const std::string dir = tmp.sub("broken");
  fs::create_directories(dir);
  std::string cfg = zs::read_file(kFix + "tiny-opt/config.json");
  if (!config_edit_from.empty()) cfg.replace(cfg.find(config_edit_from), config_edit_from.size(), config_edit_to);
  zs::atomic_write(dir + "/config.json", cfg);
  auto t = zs::load_tensors(kFix + "tiny-opt/model.safetensors");
  edit(t);
  std::vector<std::pair<std::string, at::Tensor>> v(t.begin(), t.end());
  zs::save_tensors(dir + "/model.safetensors", v);
  return dir;
}

void expect_load_error(const std::string& dir, const std::vector<std::string>& parts) {
  try {
    zs::CausalLM::load(dir);
    FAIL() << "no error";
  } catch (const zs::Error& e) {
    const std::string msg = e.what();
    std::printf("[ error    ] %s\n", msg.c_str());
    EXPECT_EQ(msg.find('\n'), std::string::npos);
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

TEST(Models, BadCheckpoints) {
  {
    TempDir tmp;
    const std::string d = broken_copy(tmp, [](auto& t) { t.erase("model.decoder.layers.1.fc2.weight"); });
    expect_load_error(d, {d + "/model.safetensors", "'model.decoder.layers.1.fc2.weight'", "missing"});
  }
  {
    TempDir tmp;  // config says ffn_dim 128, the weights are 256 wide
    const std::string d = broken_copy(tmp, [](auto&) {}, "\"ffn_dim\": 256", "\"ffn_dim\": 128");
    expect_load_error(d, {d + "/model.safetensors", "'model.decoder.layers.0.fc1.weight'", "[256, 64]", "[128, 64]"});
  }
  {
    TempDir tmp;
    const std::string d = broken_copy(tmp, [](auto& t) { t["model.decoder.extra.weight"] = at::zeros({2}); });
    expect_load_error(d, {d + "/model.safetensors", "unexpected tensor 'model.decoder.extra.weight'"});
  }
  {
    TempDir tmp;
    const std::string d = broken_copy(tmp, [](auto& t) {
      t["model.decoder.layers.0.fc1.bias"] = t["model.decoder.layers.0.fc1.bias"].to(at::kLong);
    });
    expect_load_error(d, {"'model.decoder.layers.0.fc1.bias'", "I64"});
  }
  {
    TempDir tmp;  // bare-decoder names ("decoder.*") and a stored tied lm_head load fine
    const std::string d = broken_copy(tmp, [](auto& t) {
      std::map<std::string, at::Tensor> out;
      for (auto& [k, v] : t) out[k.substr(6)] = v;
      out["lm_head.weight"] = out["decoder.embed_tokens.weight"];
      t = out;
    });
    const zs::CausalLM m = zs::CausalLM::load(d);
    EXPECT_EQ(m.parameters().size(), 36u);
  }
  expect_load_error("/nonexistent/model", {"/nonexistent/model"});
}

}  // namespace
