// Seeded sampling, tokenisation and batching of task data (see data.h).
#include "core/llm/text/data.h"
#include <algorithm>
#include <filesystem>
#include "core/llm/text/corpus.h"
#include "core/llm/text/tokenizer.h"
#include "core/rng/philox.h"
#include "core/util/error.h"

namespace zs {

PhiloxStream::PhiloxStream(uint64_t seed, uint32_t domain, uint64_t index)
    : seed_(seed), domain_(domain), index_(index) {}

uint32_t PhiloxStream::next_u32() {
  if (used_ == 4) {
    const Philox4 ctr{{block_++, static_cast<uint32_t>(index_), static_cast<uint32_t>(index_ >> 32), domain_}};
    const Philox4 w = philox4x32_10(ctr, static_cast<uint32_t>(seed_), static_cast<uint32_t>(seed_ >> 32));
    std::copy(w.v, w.v + 4, words_);
    used_ = 0;
  }
  return words_[used_++];
}

uint32_t PhiloxStream::uniform(uint32_t n) {
  if (n <= 1) return 0;
  const uint32_t threshold = static_cast<uint32_t>(-n) % n;  // (2^32 - n) mod n
  for (;;) {
    const uint32_t w = next_u32();
    if (w >= threshold) return w % n;
  }
}

std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed, uint32_t domain, uint64_t index) {
  if (n < 0 || n > 0xffffffffLL) fail("seeded_permutation", "size " + std::to_string(n) + " out of range");
  std::vector<int64_t> a(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) a[static_cast<size_t>(i)] = i;
  PhiloxStream rng(seed, domain, index);
  for (int64_t i = n - 1; i >= 1; --i)
    std::swap(a[static_cast<size_t>(i)], a[rng.uniform(static_cast<uint32_t>(i + 1))]);
  return a;
}

// ---------------------------------------------------------------------------------------
// MeZO splits

namespace {

void check_sizes(const DataOptions& opt) {
  if (opt.n_train < 0 || opt.n_dev < 0 || opt.n_test < 0)
    fail("data", "n_train, n_dev and n_test must be >= 0 (got " + std::to_string(opt.n_train) + ", " +
                     std::to_string(opt.n_dev) + ", " + std::to_string(opt.n_test) + ")");
}

std::string find_file(const Task& task, const std::string& dir, const std::vector<std::string>& names,
                      const char* what) {
  namespace fs = std::filesystem;
  if (dir.empty()) fail("data", "task " + task.name + ": no data folder and no " + what + " file given");
  for (const std::string& n : names)
    if (fs::is_regular_file(fs::path(dir) / n)) return (fs::path(dir) / n).string();
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : " or ") + n;
  fail(dir, "task " + task.name + ": no " + what + " file (" + list + ")");
}

}  // namespace

TaskData task_sample(const std::vector<Example>& train_pool, const std::vector<Example>& eval_pool,
                     const DataOptions& opt) {
  check_sizes(opt);
  TaskData d;
  const std::vector<int64_t> p = seeded_permutation(static_cast<int64_t>(train_pool.size()), opt.data_seed, kDomainTrainPool);
  const int64_t m = std::min<int64_t>(opt.n_train + opt.n_dev, static_cast<int64_t>(p.size()));
  const int64_t n_dev = std::min(opt.n_dev, m);
  for (int64_t i = 0; i < m; ++i)
    (i < m - n_dev ? d.train : d.dev).push_back(train_pool[static_cast<size_t>(p[static_cast<size_t>(i)])]);
  const std::vector<int64_t> q = seeded_permutation(static_cast<int64_t>(eval_pool.size()), opt.test_seed, kDomainEvalPool);
  const int64_t nt = std::min<int64_t>(opt.n_test, static_cast<int64_t>(q.size()));
  for (int64_t i = 0; i < nt; ++i) d.test.push_back(eval_pool[static_cast<size_t>(q[static_cast<size_t>(i)])]);
  return d;
}

TaskData task_data_load(const Task& task, const DataOptions& opt) {
  check_sizes(opt);
  if (task.generated) {
    TaskData d;
    d.train = sentiment_examples(SentimentSplit::Train, opt.data_seed, opt.n_train);
    d.dev = sentiment_examples(SentimentSplit::Dev, opt.data_seed, opt.n_dev);
    d.test = sentiment_examples(SentimentSplit::Test, opt.test_seed, opt.n_test);
    return d;
  }
  const std::string train = !opt.train_file.empty() ? opt.train_file : find_file(task, opt.dir, task.train_files, "training");
  const std::string eval = !opt.eval_file.empty() ? opt.eval_file : find_file(task, opt.dir, task.eval_files, "evaluation");
  return task_sample(task_read_file(task, train), task_read_file(task, eval), opt);
}

// ---------------------------------------------------------------------------------------
// Tokenised examples

void truncate_left(std::vector<int32_t>& ids, int64_t max_length, bool keep_first) {
  const size_t n = static_cast<size_t>(max_length);
  if (ids.size() <= n) return;
  if (keep_first) {
    ids.erase(ids.begin() + 1, ids.end() - static_cast<std::ptrdiff_t>(n - 1));
  } else {
    ids.erase(ids.begin(), ids.end() - static_cast<std::ptrdiff_t>(n));
  }
}

EncodedSet task_encode(const Task& task, const Tokenizer& tok, std::span<const Example> examples,
                       const EncodeOptions& opt) {
  if (opt.max_length < 2) fail("encode", "max_length must be >= 2 (got " + std::to_string(opt.max_length) + ")");
  const bool gen = task.kind == TaskKind::Generation;
  if (gen && (opt.max_new_tokens < 1 || opt.max_new_tokens > opt.max_length - 2))
    fail("encode", "max_new_tokens must be in [1, max_length - 2] (got " + std::to_string(opt.max_new_tokens) + ")");
  EncodedSet set;
  set.task = &task;
  set.objective = task.objective;
  set.pad_id = tok.pad_id() >= 0 ? tok.pad_id() : tok.eos_id() >= 0 ? tok.eos_id() : 0;
  const bool bos = tok.bos_id() >= 0;
  for (const Example& x : examples) {
    EncodedExample e;
    const std::string prompt = task.prompt(x);
    const std::vector<int32_t> p = tok.encode_for_model(prompt, bos);
    for (const std::string& c : task.continuations(x)) {
      EncodedRow r;
      r.ids = tok.encode_for_model(prompt + c, bos);
      const int64_t span = static_cast<int64_t>(r.ids.size()) - static_cast<int64_t>(p.size());
      if (span <= 0) fail("example " + x.id, "candidate '" + c + "' adds no tokens to the prompt");
      truncate_left(r.ids, opt.max_length, bos);
      r.span_len = static_cast<int32_t>(std::min<int64_t>(span, static_cast<int64_t>(r.ids.size()) - (bos ? 1 : 0)));
      e.rows.push_back(std::move(r));
    }
    if (gen) {
      e.prompt = p;
      truncate_left(e.prompt, opt.max_length - opt.max_new_tokens, bos);
      e.answers = x.answers;
    } else {
      if (x.label < 0 || x.label >= static_cast<int32_t>(e.rows.size()))
        fail("example " + x.id, "label " + std::to_string(x.label) + " is not a candidate index");
      e.gold = x.label;
    }
    set.examples.push_back(std::move(e));
  }
  return set;
}

// ---------------------------------------------------------------------------------------
// Batches

BatchKind batch_kind_train(const EncodedSet& set) {
  return set.objective == Objective::GoldSpan ? BatchKind::GoldSpan : BatchKind::Candidates;
}

std::span<const EncodedRow> batch_rows(const EncodedSet& set, const EncodedExample& e, BatchKind kind) {
  if (kind == BatchKind::Candidates) return e.rows;
  const bool gen = set.task && set.task->kind == TaskKind::Generation;
  return {&e.rows[static_cast<size_t>(gen ? 0 : e.gold)], 1};
}

TokenBatch batch_make(const EncodedSet& set, std::span<const int64_t> example_indices, BatchKind kind) {
  const bool gen = set.task && set.task->kind == TaskKind::Generation;
  if (kind == BatchKind::Candidates && gen) fail("batch", "task " + set.task->name + " has no candidates (generation)");
  if (kind == BatchKind::Prompts && !gen) fail("batch", "prompt batches are for generation tasks");
  struct RowRef {
    const std::vector<int32_t>* ids;
    int32_t span;
  };
  std::vector<RowRef> rows;
  TokenBatch b;
  b.kind = kind;
  b.group_offsets.push_back(0);
  for (const int64_t i : example_indices) {
    if (i < 0 || i >= set.size()) fail("batch", "example index " + std::to_string(i) + " out of range [0, " + std::to_string(set.size()) + ")");
    const EncodedExample& e = set.examples[static_cast<size_t>(i)];
    switch (kind) {
      case BatchKind::Candidates:
      case BatchKind::GoldSpan:
        for (const EncodedRow& r : batch_rows(set, e, kind)) rows.push_back({&r.ids, r.span_len});
        b.gold.push_back(kind == BatchKind::Candidates ? e.gold : 0);
        break;
      case BatchKind::Prompts:
        rows.push_back({&e.prompt, 0});
        b.gold.push_back(-1);
        break;
    }
    b.examples.push_back(i);
    b.group_offsets.push_back(static_cast<int64_t>(rows.size()));
  }
  b.rows = static_cast<int64_t>(rows.size());
  for (const RowRef& r : rows) b.cols = std::max<int64_t>(b.cols, static_cast<int64_t>(r.ids->size()));
  const size_t n = static_cast<size_t>(b.rows * b.cols);
  b.input_ids.assign(n, set.pad_id);
  b.attention_mask.assign(n, 0);
  b.span_mask.assign(n, 0);
  for (size_t r = 0; r < rows.size(); ++r) {
    const std::vector<int32_t>& ids = *rows[r].ids;
    const size_t len = ids.size(), off = r * static_cast<size_t>(b.cols) + (static_cast<size_t>(b.cols) - len);
    for (size_t t = 0; t < len; ++t) {
      b.input_ids[off + t] = ids[t];
      b.attention_mask[off + t] = 1;
      b.span_mask[off + t] = t + static_cast<size_t>(rows[r].span) >= len ? 1 : 0;
    }
  }
  return b;
}

std::vector<int64_t> train_batch_indices(int64_t n_train, int64_t batch_size, uint64_t seed, int64_t step) {
  if (n_train < 1 || batch_size < 1 || step < 0)
    fail("train batch", "need n_train >= 1, batch_size >= 1, step >= 0 (got " + std::to_string(n_train) + ", " +
                            std::to_string(batch_size) + ", " + std::to_string(step) + ")");
  std::vector<int64_t> out;
  int64_t epoch = -1;
  std::vector<int64_t> perm;
  for (int64_t k = 0; k < batch_size; ++k) {
    const int64_t pos = step * batch_size + k;
    if (pos / n_train != epoch) {
      epoch = pos / n_train;
      perm = seeded_permutation(n_train, seed, kDomainEpoch, static_cast<uint64_t>(epoch));
    }
    out.push_back(perm[static_cast<size_t>(pos % n_train)]);
  }
  return out;
}

TokenBatch train_batch(const EncodedSet& set, int64_t step, int64_t batch_size, uint64_t seed) {
  return batch_make(set, train_batch_indices(set.size(), batch_size, seed, step), batch_kind_train(set));
}

}  // namespace zs
