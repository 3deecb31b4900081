// Task losses, evaluation and greedy generation on a CausalLM (MeZO protocol,
// docs/llm-engine.md#tasks). Every loss exists twice: as a double computed under c10::InferenceMode (the
// zeroth-order engine: forward only), and as a scalar tensor carrying the autograd graph
// (the first-order baseline; needs model.set_autograd(true)). Both run the same code.
//   Candidates batch: score_r = mean over the candidate's tokens of log p(token | prefix)
//     (span_logprob(...).mean); loss = mean over examples of cross-entropy of the scores of
//     the example's candidates against the gold one (MeZO --train_as_classification).
//   GoldSpan batch: mean next-token cross-entropy over all span tokens of the batch
//     (MeZO's LM loss with only the option tokens as labels).
//   Accuracy: argmax of the candidates' scores (the first on ties) equals gold.
//   Generation: greedy decoding, recomputing the whole sequence every step (no KV cache:
//     O(new tokens) forwards, fine for SQuAD's short answers), stopping a row at EOS or at
//     a token whose text contains a newline (MeZO stops at "\n" and EOS), at most
//     max_new_tokens; the answer is the decoded text before the newline, whitespace-stripped.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <cstdint>
#include <string>
#include <vector>
#include "core/llm/text/data.h"

namespace zs {

class CausalLM;
class Tokenizer;

// A TokenBatch on a device: [B, T] int64 tensors and the grouping.
struct TensorBatch {
  BatchKind kind = BatchKind::Candidates;
  at::Tensor input_ids;       // [B, T] int64
  at::Tensor attention_mask;  // [B, T] int64
  at::Tensor span_mask;       // [B, T] int64
  at::Tensor labels;          // [B, T] int64: input_ids at span tokens, -100 elsewhere
  at::Tensor gold;            // [E] int64 (Candidates)
  at::Tensor score_index;     // [B] int64: e * max_candidates + candidate (Candidates)
  int64_t num_examples = 0, max_candidates = 0;
  std::vector<int64_t> group_offsets;  // host copy, E + 1
  // The span tokens, N in all: token (b, p) is predicted from flat position b*T + p - 1.
  at::Tensor target_pos, target_row, target_ids;  // [N] int64
  at::Tensor target_count;                         // [B] fp32, span tokens per row
};

TensorBatch batch_to_device(const TokenBatch& b, c10::Device device);

// Mean log-prob of each row's span, [B] fp32 (the candidates' scores).
at::Tensor batch_scores(const CausalLM& model, const TensorBatch& b);
// The training loss of a Candidates or GoldSpan batch (header comment).
double task_loss(const CausalLM& model, const TensorBatch& b);            // no grad
at::Tensor task_loss_tensor(const CausalLM& model, const TensorBatch& b); // autograd
// The loss as a sum and its count (Candidates: cross-entropy summed over the examples,
// count = examples; GoldSpan: negative log-prob summed over the span tokens, count =
// tokens), so that shards of a minibatch combine exactly (dist.h ShardedLoss).
struct LossSum {
  double sum = 0, count = 0;
};
LossSum task_loss_sum(const CausalLM& model, const TensorBatch& b);               // no grad
at::Tensor task_loss_sum_tensor(const CausalLM& model, const TensorBatch& b);     // autograd (the sum)
double task_loss_count(const TensorBatch& b);

// Predicted candidate per example (argmax of scores; the first on ties), [E] on the CPU.
std::vector<int64_t> batch_predictions(const CausalLM& model, const TensorBatch& b);

struct GenerateOptions {
  int64_t max_new_tokens = 50;
};
// Greedy continuation of each row of a Prompts batch: the generated ids, without the
// stopping token (header comment).
std::vector<std::vector<int32_t>> generate_greedy(const CausalLM& model, const Tokenizer& tok,
                                                  const TensorBatch& prompts, const GenerateOptions& opt = {});
// Decoded answer of generated ids: text before the first newline, whitespace-stripped.
std::string generated_answer(const Tokenizer& tok, const std::vector<int32_t>& ids);

struct EvalOptions {
  int64_t batch_rows = 32;       // rows per forward (candidates count as rows)
  int64_t max_examples = -1;     // -1: the whole set
  int64_t max_new_tokens = 50;   // generation
};
struct EvalResult {
  Metric metric = Metric::Accuracy;
  double value = 0;      // accuracy, or SQuAD F1 (both in [0, 1])
  double em = 0;         // SQuAD exact match (generation only)
  double loss = 0;       // mean training loss over the set (classification / multiple choice:
                         // candidate cross-entropy; generation: 0, not computed)
  int64_t examples = 0;
  std::vector<int64_t> predictions;  // predicted candidate per example (classification / MC)
  std::vector<std::string> answers;  // generated answer per example (generation)
};
// Accuracy (argmax of mean log-prob over candidates) or SQuAD F1/EM of greedy answers,
// under inference mode, whatever the model's autograd setting.
EvalResult task_evaluate(const CausalLM& model, const Tokenizer& tok, const EncodedSet& set, const EvalOptions& opt = {});

}  // namespace zs
