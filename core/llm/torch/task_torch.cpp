// Task losses, evaluation and greedy generation (see task_torch.h). The span tokens'
// log-probs are computed from the final hidden states at the predicting positions only
// (lm_head on N selected rows instead of B x T), which gives span_logprob's values without
// materialising [B, T, V] logits; the positions are computed on the host, so no device
// synchronisation happens before the loss is read.
#include "core/llm/torch/task_torch.h"
#include <ATen/core/Reduction.h>
#include <ATen/ops/cross_entropy_loss.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/full.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/zeros.h>
#include <ATen/ops/cat.h>
#include <c10/core/InferenceMode.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include "core/llm/text/tokenizer.h"
#include "core/llm/torch/model.h"
#include "core/util/error.h"

namespace zs {

namespace {

at::Tensor host_tensor(const std::vector<int64_t>& v, std::vector<int64_t> shape) {
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(at::kLong));
  if (!v.empty()) std::memcpy(t.data_ptr<int64_t>(), v.data(), v.size() * sizeof(int64_t));
  return t;
}

// Host-side layout of the targets: every span token at (b, p), p >= 1, is predicted from
// flat position b*T + p - 1 of the final hidden states.
struct Targets {
  std::vector<int64_t> pos, row, ids;
  std::vector<int64_t> count;  // per row
};

Targets targets_of(const TokenBatch& b) {
  Targets t;
  t.count.assign(static_cast<size_t>(b.rows), 0);
  for (int64_t r = 0; r < b.rows; ++r)
    for (int64_t p = 1; p < b.cols; ++p) {
      const size_t k = static_cast<size_t>(r * b.cols + p);
      if (!b.span_mask[k]) continue;
      t.pos.push_back(k - 1);
      t.row.push_back(r);
      t.ids.push_back(b.input_ids[k]);
      ++t.count[static_cast<size_t>(r)];
    }
  return t;
}

}  // namespace

TensorBatch batch_to_device(const TokenBatch& b, c10::Device device) {
  if (b.rows < 1 || b.cols < 1) fail("batch", "empty batch");
  TensorBatch t;
  t.kind = b.kind;
  t.input_ids = host_tensor(b.input_ids, {b.rows, b.cols}).to(device);
  t.attention_mask = host_tensor(b.attention_mask, {b.rows, b.cols}).to(device);
  t.span_mask = host_tensor(b.span_mask, {b.rows, b.cols}).to(device);
  t.labels = t.input_ids.masked_fill(t.span_mask.eq(0), -100);
  t.group_offsets = b.group_offsets;
  t.num_examples = b.num_examples();
  std::vector<int64_t> score_index(static_cast<size_t>(b.rows), 0);
  for (int64_t e = 0; e < t.num_examples; ++e) {
    const int64_t lo = b.group_offsets[static_cast<size_t>(e)], hi = b.group_offsets[static_cast<size_t>(e) + 1];
    t.max_candidates = std::max(t.max_candidates, hi - lo);
  }
  for (int64_t e = 0; e < t.num_examples; ++e)
    for (int64_t r = b.group_offsets[static_cast<size_t>(e)]; r < b.group_offsets[static_cast<size_t>(e) + 1]; ++r)
      score_index[static_cast<size_t>(r)] = e * t.max_candidates + (r - b.group_offsets[static_cast<size_t>(e)]);
  t.score_index = host_tensor(score_index, {b.rows}).to(device);
  t.gold = host_tensor(b.gold, {t.num_examples}).to(device);
  const Targets tg = targets_of(b);
  const int64_t n = static_cast<int64_t>(tg.pos.size());
  t.target_pos = host_tensor(tg.pos, {n}).to(device);
  t.target_row = host_tensor(tg.row, {n}).to(device);
  t.target_ids = host_tensor(tg.ids, {n}).to(device);
  t.target_count = host_tensor(tg.count, {b.rows}).to(device).to(at::kFloat);
  return t;
}

namespace {

// log p of every target token, [N] fp32.
at::Tensor target_logprobs(const CausalLM& model, const TensorBatch& b) {
  if (b.target_pos.numel() == 0) fail("task loss", "the batch has no span tokens to score");
  const ForwardResult r = model.forward(b.input_ids, b.attention_mask, {.hidden_states = false, .logits = false});
  const at::Tensor h = r.last_hidden.reshape({-1, r.last_hidden.size(-1)}).index_select(0, b.target_pos);
  const at::Tensor lg = model.lm_head(h).to(at::kFloat);
  return lg.gather(1, b.target_ids.unsqueeze(1)).squeeze(1).sub(lg.logsumexp(1));
}

// Mean log-prob per row from the target log-probs, [B].
at::Tensor row_means(const at::Tensor& lp, const TensorBatch& b) {
  const int64_t rows = b.input_ids.size(0);
  const at::Tensor sum = at::zeros({rows}, lp.options()).index_add(0, b.target_row, lp);
  return sum.div(b.target_count.clamp_min(1));
}

// Scores [B] -> [E, C] with -inf where an example has fewer candidates.
at::Tensor grouped_scores(const at::Tensor& scores, const TensorBatch& b) {
  const at::Tensor pad = at::full({b.num_examples * b.max_candidates}, -std::numeric_limits<float>::infinity(), scores.options());
  return pad.scatter(0, b.score_index, scores).view({b.num_examples, b.max_candidates});
}

// Index of the best candidate of each example (the first on ties, as np.argmax).
std::vector<int64_t> group_argmax(const at::Tensor& scores, const TensorBatch& b) {
  const at::Tensor s = scores.to(at::kCPU).contiguous();
  const float* p = s.data_ptr<float>();
  std::vector<int64_t> out;
  for (int64_t e = 0; e < b.num_examples; ++e) {
    const int64_t lo = b.group_offsets[static_cast<size_t>(e)], hi = b.group_offsets[static_cast<size_t>(e) + 1];
    int64_t best = lo;
    for (int64_t r = lo + 1; r < hi; ++r)
      if (p[r] > p[best]) best = r;
    out.push_back(best - lo);
  }
  return out;
}

at::Tensor loss_of(const CausalLM& model, const TensorBatch& b, bool sum = false) {
  const at::Tensor lp = target_logprobs(model, b);
  switch (b.kind) {
    case BatchKind::Candidates:
      return at::cross_entropy_loss(grouped_scores(row_means(lp, b), b), b.gold, {},
                                    sum ? at::Reduction::Sum : at::Reduction::Mean);
    case BatchKind::GoldSpan:
      return sum ? lp.sum().neg() : lp.mean().neg();
    case BatchKind::Prompts:
      break;
  }
  fail("task loss", "a prompt batch has no loss");
}

}  // namespace

at::Tensor batch_scores(const CausalLM& model, const TensorBatch& b) {
  c10::InferenceMode guard;
  return row_means(target_logprobs(model, b), b);
}

double task_loss(const CausalLM& model, const TensorBatch& b) {
  c10::InferenceMode guard;
  return loss_of(model, b).item<double>();
}

at::Tensor task_loss_tensor(const CausalLM& model, const TensorBatch& b) {
  if (!model.autograd()) fail("task_loss_tensor", "the model's autograd is off (call set_autograd(true), or use task_loss)");
  return loss_of(model, b);
}

double task_loss_count(const TensorBatch& b) {
  return static_cast<double>(b.kind == BatchKind::GoldSpan ? b.target_pos.numel() : b.num_examples);
}

LossSum task_loss_sum(const CausalLM& model, const TensorBatch& b) {
  c10::InferenceMode guard;
  return {loss_of(model, b, true).item<double>(), task_loss_count(b)};
}

at::Tensor task_loss_sum_tensor(const CausalLM& model, const TensorBatch& b) {
  if (!model.autograd()) fail("task_loss_sum_tensor", "the model's autograd is off (call set_autograd(true))");
  return loss_of(model, b, true);
}

std::vector<int64_t> batch_predictions(const CausalLM& model, const TensorBatch& b) {
  if (b.kind != BatchKind::Candidates) fail("batch_predictions", "needs a candidates batch");
  return group_argmax(batch_scores(model, b), b);
}

// ---------------------------------------------------------------------------------------
// Greedy generation

std::vector<std::vector<int32_t>> generate_greedy(const CausalLM& model, const Tokenizer& tok, const TensorBatch& prompts,
                                                  const GenerateOptions& opt) {
  if (opt.max_new_tokens < 1) fail("generate", "max_new_tokens must be >= 1");
  c10::InferenceMode guard;
  const int64_t V = model.config().vocab_size, B = prompts.input_ids.size(0);
  // Stop tokens: EOS, any token whose text holds a newline, and ids the tokenizer lacks.
  std::vector<char> stop(static_cast<size_t>(V), 0);
  for (int64_t id = 0; id < V; ++id) {
    const int32_t i = static_cast<int32_t>(id);
    stop[static_cast<size_t>(id)] = id >= tok.vocab_size() || i == tok.eos_id() ||
                                    tok.decode(std::span<const int32_t>(&i, 1)).find('\n') != std::string::npos;
  }
  at::Tensor ids = prompts.input_ids, mask = prompts.attention_mask;
  std::vector<std::vector<int32_t>> out(static_cast<size_t>(B));
  std::vector<char> done(static_cast<size_t>(B), 0);
  for (int64_t k = 0; k < opt.max_new_tokens; ++k) {
    const ForwardResult r = model.forward(ids, mask, {.hidden_states = false, .logits = false});
    const at::Tensor last = r.last_hidden.select(1, r.last_hidden.size(1) - 1);
    const at::Tensor next = model.lm_head(last).argmax(-1);
    const at::Tensor next_cpu = next.to(at::kCPU).contiguous();
    const int64_t* n = next_cpu.data_ptr<int64_t>();
    bool all = true;
    for (int64_t i = 0; i < B; ++i) {
      if (done[static_cast<size_t>(i)]) continue;
      if (stop[static_cast<size_t>(n[i])]) {
        done[static_cast<size_t>(i)] = 1;
      } else {
        out[static_cast<size_t>(i)].push_back(static_cast<int32_t>(n[i]));
        all = false;
      }
    }
    if (all) break;
    ids = at::cat({ids, next.unsqueeze(1).to(ids.dtype())}, 1);
    mask = at::cat({mask, at::ones({B, 1}, mask.options())}, 1);
  }
  return out;
}

std::string generated_answer(const Tokenizer& tok, const std::vector<int32_t>& ids) {
  std::string s = tok.decode(ids);
  s = s.substr(0, s.find('\n'));
  const size_t b = s.find_first_not_of(" \t\r\f\v");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\f\v") - b + 1);
}

// ---------------------------------------------------------------------------------------
// Evaluation

EvalResult task_evaluate(const CausalLM& model, const Tokenizer& tok, const EncodedSet& set, const EvalOptions& opt) {
  if (!set.task) fail("evaluate", "encoded set without a task");
  if (opt.batch_rows < 1) fail("evaluate", "batch_rows must be >= 1");
  const bool gen = set.task->kind == TaskKind::Generation;
  const int64_t n = opt.max_examples < 0 ? set.size() : std::min(opt.max_examples, set.size());
  EvalResult res;
  res.metric = set.task->metric;
  res.examples = n;
  double sum = 0, em = 0, loss = 0;
  int64_t i = 0;
  while (i < n) {
    std::vector<int64_t> idx;
    int64_t rows = 0;
    while (i < n) {
      const int64_t c = gen ? 1 : static_cast<int64_t>(set.examples[static_cast<size_t>(i)].rows.size());
      if (!idx.empty() && rows + c > opt.batch_rows) break;
      idx.push_back(i++);
      rows += c;
    }
    if (gen) {
      const TensorBatch b = batch_to_device(batch_make(set, idx, BatchKind::Prompts), model.device());
      const auto ids = generate_greedy(model, tok, b, {.max_new_tokens = opt.max_new_tokens});
      for (size_t k = 0; k < idx.size(); ++k) {
        const std::string a = generated_answer(tok, ids[k]);
        const auto& gold = set.examples[static_cast<size_t>(idx[k])].answers;
        sum += squad_f1(a, gold);
        em += squad_em(a, gold);
        res.answers.push_back(a);
      }
    } else {
      const TensorBatch b = batch_to_device(batch_make(set, idx, BatchKind::Candidates), model.device());
      c10::InferenceMode guard;
      const at::Tensor scores = batch_scores(model, b);
      loss += at::cross_entropy_loss(grouped_scores(scores, b), b.gold).item<double>() * static_cast<double>(idx.size());
      const std::vector<int64_t> pred = group_argmax(scores, b);
      for (size_t e = 0; e < pred.size(); ++e) {
        res.predictions.push_back(pred[e]);
        sum += pred[e] == set.examples[static_cast<size_t>(idx[e])].gold ? 1 : 0;
      }
    }
  }
  if (n > 0) {
    res.value = sum / static_cast<double>(n);
    res.em = em / static_cast<double>(n);
    res.loss = loss / static_cast<double>(n);
  }
  return res;
}

}  // namespace zs
