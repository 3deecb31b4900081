// The data layer of LLM mode (MeZO protocol), torch-free: seeded sampling of the
// train/dev/test sets, tokenisation of examples into candidate rows with their scored
// token spans, and batches as plain B x T vectors (task_torch.h moves them to a device).
//
// Sampling (documented so it can be reproduced anywhere): every random choice comes from
// PhiloxStream, Philox4x32-10 (core/rng/philox.h) keyed by the 64-bit seed with counter
// (draw/4, index lo, index hi, domain), words consumed in order. uniform(n) rejects words
// below (2^32 - n) mod n and returns w mod n (unbiased); a permutation of [0, n) is the
// Fisher-Yates shuffle "for i = n-1 down to 1: swap(a[i], a[uniform(i+1)])" from the
// identity. No std:: distribution is used (their output is implementation-defined).
//   train + dev (MeZO run.py): P = permutation of the training pool (seed = data_seed,
//     domain kDomainTrainPool); take the first m = min(n_train + n_dev, pool) indices;
//     dev = the last min(n_dev, m) of them, train = the rest (so a small pool such as
//     COPA's 400 gives 300 train / 100 dev with n_dev = 100, as MeZO does).
//   test: the first min(n_test, pool) of a permutation of the evaluation pool
//     (seed = test_seed, default 0 as MeZO's eval set, domain kDomainEvalPool).
//   minibatches: an endless stream of epochs, epoch e being a permutation of the training
//     set (seed = batch seed, domain kDomainEpoch, index e); batch t is stream positions
//     [t*B, (t+1)*B), so it is a pure function of (seed, t, B) and batches may straddle
//     epochs (every batch has B examples).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>
#include "core/llm/text/task.h"

namespace zs {

class Tokenizer;

// ---------------------------------------------------------------------------------------
// Seeded randomness

inline constexpr uint32_t kDomainTrainPool = 1;
inline constexpr uint32_t kDomainEvalPool = 2;
inline constexpr uint32_t kDomainEpoch = 3;
inline constexpr uint32_t kDomainCorpus = 16;  // corpus.h: + split

class PhiloxStream {
 public:
  PhiloxStream(uint64_t seed, uint32_t domain, uint64_t index = 0);
  uint32_t next_u32();
  // Uniform in [0, n), n >= 1, by rejection (unbiased).
  uint32_t uniform(uint32_t n);
  // True with probability num/den (den >= 1).
  bool chance(uint32_t num, uint32_t den) { return uniform(den) < num; }

 private:
  uint64_t seed_;
  uint32_t domain_;
  uint64_t index_;
  uint32_t block_ = 0;   // Philox calls made
  uint32_t words_[4] = {};
  int used_ = 4;         // words of words_ consumed
};

// Fisher-Yates permutation of [0, n) (header comment).
std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed, uint32_t domain, uint64_t index = 0);

// ---------------------------------------------------------------------------------------
// MeZO splits

struct DataOptions {
  std::string dir;           // task folder (file tasks): the task's standard file names
  std::string train_file;    // explicit training pool file (overrides dir)
  std::string eval_file;     // explicit evaluation pool file (overrides dir)
  int64_t n_train = 1000;
  int64_t n_dev = 500;
  int64_t n_test = 1000;
  uint64_t data_seed = 0;    // MeZO --train_set_seed
  uint64_t test_seed = 0;    // MeZO samples its eval set with seed 0
};

struct TaskData {
  std::vector<Example> train, dev, test;
};

// Samples the splits from two pools (header comment).
TaskData task_sample(const std::vector<Example>& train_pool, const std::vector<Example>& eval_pool,
                     const DataOptions& opt);
// Reads the pools of a file task (explicit files, else the first of the task's standard
// names found in opt.dir) and samples; the generated task ("sentiment") draws train, dev
// and test from one distribution, each split from its own held-out sentences (corpus.h).
TaskData task_data_load(const Task& task, const DataOptions& opt);

// ---------------------------------------------------------------------------------------
// Tokenised examples

struct EncodeOptions {
  int64_t max_length = 2048;    // tokens per row, BOS included (MeZO --max_length)
  int64_t max_new_tokens = 50;  // generation: prompts are cut to max_length - max_new_tokens
};

// One token sequence: BOS (when the tokenizer has one) + prompt + continuation, left-
// truncated to max_length keeping BOS (MeZO encode_prompt). The last span_len tokens are
// the candidate's (MeZO option_len = len(enc(prompt + cont)) - len(enc(prompt))), clipped
// to what truncation left.
struct EncodedRow {
  std::vector<int32_t> ids;
  int32_t span_len = 0;
};

struct EncodedExample {
  std::vector<EncodedRow> rows;  // classification / multiple choice: one per candidate;
                                 // generation: the gold training target
  std::vector<int32_t> prompt;   // BOS + prompt, cut to max_length - max_new_tokens (generation input)
  int32_t gold = -1;             // gold row (classification / multiple choice), else -1
  std::vector<std::string> answers;  // generation: gold answers
};

struct EncodedSet {
  const Task* task = nullptr;
  Objective objective = Objective::Candidates;  // training objective (task default unless set)
  int64_t pad_id = 0;                           // tokenizer pad, else eos, else 0 (masked anyway)
  std::vector<EncodedExample> examples;
  int64_t size() const { return static_cast<int64_t>(examples.size()); }
};

// Tokenises every example once. zs::Error if a candidate has no tokens of its own.
EncodedSet task_encode(const Task& task, const Tokenizer& tok, std::span<const Example> examples,
                       const EncodeOptions& opt = {});

// ---------------------------------------------------------------------------------------
// Batches

enum class BatchKind {
  Candidates,  // every candidate row of each example; gold per example (loss or accuracy)
  GoldSpan,    // one row per example, the gold continuation; span = LM loss targets
  Prompts,     // one row per example, the prompt alone (greedy generation)
};

// B x T row-major int64 buffers, left-padded. Rows of example e are
// [group_offsets[e], group_offsets[e+1]). LM labels are input_ids where span_mask is 1,
// -100 elsewhere (a span token is a target, predicted from the position before it).
struct TokenBatch {
  BatchKind kind = BatchKind::Candidates;
  int64_t rows = 0, cols = 0;
  std::vector<int64_t> input_ids;       // pad id at padding
  std::vector<int64_t> attention_mask;  // 1 token, 0 padding
  std::vector<int64_t> span_mask;       // 1 at the candidate / answer tokens
  std::vector<int64_t> group_offsets;   // size E + 1
  std::vector<int64_t> gold;            // size E: gold row within the group, -1 if none
  std::vector<int64_t> examples;        // size E: index in the EncodedSet
  int64_t num_examples() const { return static_cast<int64_t>(gold.size()); }
};

// The rows that a batch of `kind` takes from example e: every candidate (Candidates), or the
// gold row, a generation task's target (GoldSpan). Prompts batches take e.prompt instead.
std::span<const EncodedRow> batch_rows(const EncodedSet& set, const EncodedExample& e, BatchKind kind);
// The batch of the given examples of a set.
TokenBatch batch_make(const EncodedSet& set, std::span<const int64_t> example_indices, BatchKind kind);
// The training batch kind of a set's objective (Candidates or GoldSpan).
BatchKind batch_kind_train(const EncodedSet& set);
// Example indices of training step t: positions [t*B, (t+1)*B) of the epoch stream
// (header comment).
std::vector<int64_t> train_batch_indices(int64_t n_train, int64_t batch_size, uint64_t seed, int64_t step);
// Convenience: batch_make(set, train_batch_indices(set.size(), B, seed, step), batch_kind_train(set)).
TokenBatch train_batch(const EncodedSet& set, int64_t step, int64_t batch_size, uint64_t seed);

// Left truncation keeping the first token when keep_first (BOS).
void truncate_left(std::vector<int32_t>& ids, int64_t max_length, bool keep_first);

}  // namespace zs
