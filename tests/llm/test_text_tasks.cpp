// Tasks and data of LLM mode, torch-free: MeZO template strings for one example per task
// (hand-written expectations), the GLUE / SuperGLUE / SQuAD readers on tests/data/tasks
// and their malformed variants, seeded sampling and minibatch order, tokenised rows with
// left truncation keeping BOS, left-padded batches, SQuAD F1/EM, and the embedded
// sentiment generator and its tokenizer (deterministic, versioned, held-out templates).
#include <gtest/gtest.h>
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>
#include "tests/llm/task_test_util.h"
#include "core/llm/text/corpus.h"
#include "core/llm/text/data.h"
#include "core/llm/text/task.h"
#include "core/llm/text/tokenizer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "tests/llm/temp_dir.h"

namespace {

const std::string kTasks = std::string(ZS_TEST_DATA) + "/tasks/";
const std::string kOptTok = std::string(ZS_TEST_DATA) + "/tokenizers/opt-style";

using zs_test::error_of;
using zs_test::make;

// ---------------------------------------------------------------------------------------
// Templates

TEST(TaskTemplates, Sst2) {
  const zs::Task& t = zs::task_get("sst2");
  const zs::Example x = make({{"sentence", "a gripping , funny film "}}, 1);
  EXPECT_EQ(t.prompt(x), "a gripping , funny film It was");
  EXPECT_EQ(t.continuations(x), (std::vector<std::string>{" terrible", " great"}));
  EXPECT_EQ(t.kind, zs::TaskKind::Classification);
  EXPECT_EQ(t.objective, zs::Objective::Candidates);
}

TEST(TaskTemplates, Rte) {
  const zs::Task& t = zs::task_get("rte");
  const zs::Example x = make({{"premise", "The museum opened in 1901."}, {"hypothesis", "The museum is old."}}, 0);
  EXPECT_EQ(t.prompt(x), "The museum opened in 1901.\nDoes this mean that \"The museum is old.\" is true? Yes or No?\n");
  EXPECT_EQ(t.continuations(x), (std::vector<std::string>{"Yes", "No"}));
}

TEST(TaskTemplates, Cb) {
  const zs::Task& t = zs::task_get("cb");
  const zs::Example x = make({{"premise", "I think she left."}, {"hypothesis", "she left"}}, 2);
  EXPECT_EQ(t.prompt(x), "Suppose I think she left. Can we infer that \"she left\"? Yes, No, or Maybe?\n");
  EXPECT_EQ(t.continuations(x), (std::vector<std::string>{"Yes", "No", "Maybe"}));
}

TEST(TaskTemplates, BoolQ) {
  const zs::Task& t = zs::task_get("boolq");
  const zs::Example a = make({{"passage", "Penguins live in the south."}, {"question", "do penguins live at the north pole"}}, 0);
  EXPECT_EQ(t.prompt(a), "Penguins live in the south. Do penguins live at the north pole?\n");
  EXPECT_EQ(t.continuations(a), (std::vector<std::string>{"No", "Yes"}));
  const zs::Example b = make({{"passage", "Bees sting."}, {"question", "Can a bee sting?"}}, 1);
  EXPECT_EQ(t.prompt(b), "Bees sting. Can a bee sting?\n");
}

TEST(TaskTemplates, Copa) {
  const zs::Task& t = zs::task_get("copa");
  EXPECT_EQ(t.kind, zs::TaskKind::MultipleChoice);
  EXPECT_EQ(t.objective, zs::Objective::GoldSpan);
  const zs::Example effect = make({{"premise", "The man turned on the faucet."},
                                   {"choice1", "The toilet filled with water."},
                                   {"choice2", "Water flowed from the spout."},
                                   {"question", "effect"}}, 1);
  EXPECT_EQ(t.prompt(effect), "The man turned on the faucet so");
  EXPECT_EQ(t.continuations(effect), (std::vector<std::string>{" the toilet filled with water.", " water flowed from the spout."}));
  const zs::Example cause = make({{"premise", "I knocked on the door. "},
                                  {"choice1", "I wanted to come in."},
                                  {"choice2", "Nobody was HOME."},
                                  {"question", "cause"}}, 0);
  EXPECT_EQ(t.prompt(cause), "I knocked on the door because");
  // "I" keeps its capital; only the first word is lower-cased.
  EXPECT_EQ(t.continuations(cause), (std::vector<std::string>{" I wanted to come in.", " nobody was HOME."}));
}

TEST(TaskTemplates, Squad) {
  const zs::Task& t = zs::task_get("squad");
  EXPECT_EQ(t.kind, zs::TaskKind::Generation);
  EXPECT_EQ(t.metric, zs::Metric::SquadF1);
  zs::Example x = make({{"title", "Lighthouse"}, {"context", "It was built in 1872."}, {"question", " When was it built? "}});
  x.answers = {"1872", "in 1872"};
  EXPECT_EQ(t.prompt(x), "Title: Lighthouse\nContext: It was built in 1872.\nQuestion: When was it built?\nAnswer:");
  EXPECT_EQ(t.continuations(x), (std::vector<std::string>{" 1872\n"}));
  EXPECT_EQ(t.num_candidates(x), 0);
}

TEST(TaskTemplates, SentimentUsesSst2Template) {
  const zs::Task& t = zs::task_get("sentiment");
  EXPECT_TRUE(t.generated);
  const zs::Example x = make({{"sentence", "The plot was dull."}}, 0);
  EXPECT_EQ(t.prompt(x), "The plot was dull. It was");
  EXPECT_EQ(t.continuations(x), (std::vector<std::string>{" terrible", " great"}));
}

TEST(TaskRegistry, NamesAndUnknown) {
  EXPECT_EQ(zs::task_names(), (std::vector<std::string>{"sst2", "rte", "cb", "boolq", "copa", "squad", "sentiment"}));
  const std::string e = error_of([] { zs::task_get("mnli"); });
  EXPECT_NE(e.find("unknown task 'mnli'"), std::string::npos) << e;
  EXPECT_NE(e.find("sst2"), std::string::npos) << e;
  EXPECT_NE(error_of([] { make({}).field("premise"); }).find("no field 'premise'"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Readers

TEST(TaskReaders, GlueSst2) {
  const auto xs = zs::task_read_file(zs::task_get("sst2"), kTasks + "sst2/train.tsv");
  ASSERT_EQ(xs.size(), 6u);
  EXPECT_EQ(xs[0].field("sentence"), "a gripping , funny film ");
  EXPECT_EQ(xs[0].label, 1);
  EXPECT_EQ(xs[1].label, 0);
  EXPECT_EQ(xs[0].id, "2");  // line number
}

TEST(TaskReaders, GlueRte) {
  const auto xs = zs::task_read_file(zs::task_get("rte"), kTasks + "rte_glue/train.tsv");
  ASSERT_EQ(xs.size(), 3u);
  EXPECT_EQ(xs[1].field("premise"), "Maria bought a red bicycle last spring.");
  EXPECT_EQ(xs[1].field("hypothesis"), "Maria owns a car.");
  EXPECT_EQ(xs[0].label, 0);
  EXPECT_EQ(xs[1].label, 1);
}

TEST(TaskReaders, SuperGlue) {
  const auto rte = zs::task_read_file(zs::task_get("rte"), kTasks + "rte/train.jsonl");
  ASSERT_EQ(rte.size(), 4u);
  EXPECT_EQ(rte[3].label, 0);
  EXPECT_EQ(rte[3].id, "3");
  const auto cb = zs::task_read_file(zs::task_get("cb"), kTasks + "cb/train.jsonl");
  ASSERT_EQ(cb.size(), 3u);
  EXPECT_EQ((std::vector<int32_t>{cb[0].label, cb[1].label, cb[2].label}), (std::vector<int32_t>{0, 1, 2}));
  const auto bq = zs::task_read_file(zs::task_get("boolq"), kTasks + "boolq/train.jsonl");
  ASSERT_EQ(bq.size(), 3u);
  EXPECT_EQ((std::vector<int32_t>{bq[0].label, bq[1].label, bq[2].label}), (std::vector<int32_t>{1, 0, 0}));
  EXPECT_EQ(zs::task_get("boolq").prompt(bq[2]),
            "A honey bee's stinger is barbed and usually stays in the skin. Can a bee sting more than once?\n");
  const auto copa = zs::task_read_file(zs::task_get("copa"), kTasks + "copa/train.jsonl");
  ASSERT_EQ(copa.size(), 4u);
  EXPECT_EQ(copa[1].field("question"), "cause");
  EXPECT_EQ(copa[3].label, 1);
  EXPECT_EQ(zs::task_get("copa").prompt(copa[1]), "My body cast a shadow over the grass because");
}

TEST(TaskReaders, Squad) {
  const auto xs = zs::task_read_file(zs::task_get("squad"), kTasks + "squad/train-v1.1.json");
  ASSERT_EQ(xs.size(), 4u);
  EXPECT_EQ(xs[0].id, "q1");
  EXPECT_EQ(xs[0].field("title"), "Lighthouse");
  EXPECT_EQ(xs[0].answers, (std::vector<std::string>{"1872", "in 1872"}));
  EXPECT_EQ(xs[2].field("context"), "A keeper lived in the tower until 1960.");
  EXPECT_EQ(xs[3].field("title"), "Orchard");
  EXPECT_EQ(zs::task_get("squad").prompt(xs[2]),
            "Title: Lighthouse\nContext: A keeper lived in the tower until 1960.\n"
            "Question: Until when did a keeper live there?\nAnswer:");
}

struct BadCase {
  const char* task;
  const char* file;
  std::vector<const char*> expect;  // substrings of the message
};

TEST(TaskReaders, MalformedFilesGiveOneLineErrors) {
  const std::vector<BadCase> cases = {
      {"sst2", "sst2_missing_column.tsv", {"sst2_missing_column.tsv", "line 1", "no column 'label'"}},
      {"sst2", "sst2_bad_label.tsv", {"sst2_bad_label.tsv:3", "label", "'negative'"}},
      {"sst2", "sst2_short_line.tsv", {"sst2_short_line.tsv:3", "expected 2", "got 1"}},
      {"rte", "rte_bad_json.jsonl", {"rte_bad_json.jsonl:2", "malformed JSON"}},
      {"rte", "rte_bad_label.jsonl", {"rte_bad_label.jsonl:1", "label", "'maybe'"}},
      {"cb", "cb_missing_field.jsonl", {"cb_missing_field.jsonl:1", "field 'hypothesis': missing"}},
      {"boolq", "boolq_wrong_type.jsonl", {"boolq_wrong_type.jsonl:1", "field 'label'", "true or false", "a string"}},
      {"boolq", "boolq_passage_type.jsonl", {"boolq_passage_type.jsonl:1", "field 'passage'", "expected a string", "an integer"}},
      {"copa", "copa_bad_question.jsonl", {"copa_bad_question.jsonl:1", "field 'question'", "'why'"}},
      {"copa", "copa_label_range.jsonl", {"copa_label_range.jsonl:1", "field 'label'", "[0, 1]", "got 2"}},
      {"copa", "copa_not_object.jsonl", {"copa_not_object.jsonl:1", "expected a JSON object"}},
      {"squad", "squad_wrong_type.json", {"squad_wrong_type.json", "data[0].paragraphs[0].qas[0].answers[0]", "field 'text'"}},
      {"squad", "squad_no_answers.json", {"squad_no_answers.json", "qas[0]", "no answers"}},
      {"squad", "squad_data_not_array.json", {"squad_data_not_array.json", "field 'data'", "expected an array"}},
      {"squad", "squad_truncated.json", {"squad_truncated.json", "malformed JSON"}},
      {"sst2", "missing.tsv", {"missing.tsv", "cannot read"}},
      {"sst2", "squad_truncated.json", {"unknown task file type '.json'"}},
  };
  for (const BadCase& c : cases) {
    const std::string msg = error_of([&] { zs::task_read_file(zs::task_get(c.task), kTasks + "bad/" + c.file); });
    ASSERT_FALSE(msg.empty()) << c.file << ": no error";
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    for (const char* s : c.expect) EXPECT_NE(msg.find(s), std::string::npos) << c.file << ": '" << s << "' not in: " << msg;
  }
}

// A TSV saved with a UTF-8 byte order mark reads (its header used to lack 'sentence');
// a header or a label of a megabyte (a binary file, a file with no line breaks) is
// quoted in at most 60 bytes, not echoed whole.
TEST(TaskReaders, ByteOrderMarkReadsAndLongCellsAreQuotedShort) {
  zs::test::TempDir t("tsv_quote");
  const std::string bom = (t.path / "bom.tsv").string(), hdr = (t.path / "hdr.tsv").string(),
                    lab = (t.path / "lab.tsv").string();
  zs::atomic_write(bom, "\xEF\xBB\xBFsentence\tlabel\r\ngood film\t1\r\n");
  const std::vector<zs::Example> x = zs::task_read_file(zs::task_get("sst2"), bom);
  ASSERT_EQ(x.size(), 1u);
  EXPECT_EQ(x[0].fields.at("sentence"), "good film");
  EXPECT_EQ(x[0].label, 1);
  zs::atomic_write(hdr, std::string(1000000, 'x') + "\n");
  zs::atomic_write(lab, "sentence\tlabel\ngood\t" + std::string(1000000, '7') + "\n");
  for (const std::string& f : {hdr, lab}) {
    const std::string msg = error_of([&] { zs::task_read_file(zs::task_get("sst2"), f); });
    EXPECT_LT(msg.size(), f.size() + 200) << msg.substr(0, 300);
    EXPECT_NE(msg.find("...'"), std::string::npos) << msg.substr(0, 300);
  }
}

// ---------------------------------------------------------------------------------------
// Sampling

TEST(DataSampling, PhiloxStreamKnownAnswer) {
  // The stream's first Philox call is philox4x32_10(counter (0, 0, 0, domain), key = seed):
  // with seed 0 and domain 0 that is Random123's known answer for key (0,0), counter 0.
  zs::PhiloxStream s(0, 0, 0);
  EXPECT_EQ(s.next_u32(), 0x6627e8d5u);
  EXPECT_EQ(s.next_u32(), 0xe169c58du);
  EXPECT_EQ(s.next_u32(), 0xbc57ac4cu);
  EXPECT_EQ(s.next_u32(), 0x9b00dbd8u);
}

TEST(DataSampling, PermutationIsSeededAndDeterministic) {
  const auto a = zs::seeded_permutation(1000, 7, zs::kDomainTrainPool);
  EXPECT_EQ(a, zs::seeded_permutation(1000, 7, zs::kDomainTrainPool));
  EXPECT_NE(a, zs::seeded_permutation(1000, 8, zs::kDomainTrainPool));
  EXPECT_NE(a, zs::seeded_permutation(1000, 7, zs::kDomainEvalPool));
  std::vector<int64_t> s = a;
  std::sort(s.begin(), s.end());
  for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(s[static_cast<size_t>(i)], i);
  // Pinned: the documented procedure must not drift (data.h header comment). The value
  // comes from an independent Python implementation of Philox4x32-10 (Salmon et al. 2011,
  // Random123 constants) + the documented rejection sampling and Fisher-Yates shuffle.
  EXPECT_EQ(zs::seeded_permutation(10, 0, zs::kDomainTrainPool), (std::vector<int64_t>{7, 3, 2, 8, 0, 6, 1, 4, 9, 5}));
}

TEST(DataSampling, UniformIsRoughlyUniform) {
  zs::PhiloxStream s(3, 9);
  std::vector<int> count(6, 0);
  for (int i = 0; i < 60000; ++i) ++count[s.uniform(6)];
  for (int c : count) EXPECT_NEAR(c, 10000, 400);  // ~4 sigma
}

std::vector<zs::Example> pool(int64_t n) {
  std::vector<zs::Example> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(make({{"sentence", "s" + std::to_string(i)}}, static_cast<int32_t>(i % 2)));
  return out;
}

std::vector<std::string> sentences(const std::vector<zs::Example>& xs) {
  std::vector<std::string> out;
  for (const zs::Example& x : xs) out.push_back(x.field("sentence"));
  return out;
}

TEST(DataSampling, MezoSizesAndDisjointSplits) {
  const auto train_pool = pool(5000), eval_pool = pool(3000);
  zs::DataOptions o;  // 1000 / 500 / 1000
  const zs::TaskData d = zs::task_sample(train_pool, eval_pool, o);
  EXPECT_EQ(d.train.size(), 1000u);
  EXPECT_EQ(d.dev.size(), 500u);
  EXPECT_EQ(d.test.size(), 1000u);
  std::set<std::string> seen;
  for (const auto& s : sentences(d.train)) EXPECT_TRUE(seen.insert(s).second);
  for (const auto& s : sentences(d.dev)) EXPECT_TRUE(seen.insert(s).second) << "dev overlaps train: " << s;
  // Same seed -> same examples; another data seed -> other train/dev, the same test.
  const zs::TaskData again = zs::task_sample(train_pool, eval_pool, o);
  EXPECT_EQ(sentences(again.train), sentences(d.train));
  EXPECT_EQ(sentences(again.dev), sentences(d.dev));
  o.data_seed = 1;
  const zs::TaskData other = zs::task_sample(train_pool, eval_pool, o);
  EXPECT_NE(sentences(other.train), sentences(d.train));
  EXPECT_EQ(sentences(other.test), sentences(d.test));
  o.test_seed = 5;
  EXPECT_NE(sentences(zs::task_sample(train_pool, eval_pool, o).test), sentences(d.test));
}

TEST(DataSampling, SmallPoolKeepsDevAtTheEnd) {
  // MeZO run.py: dev = the last n_dev of the sampled prefix (COPA: 400 -> 300 + 100).
  zs::DataOptions o;
  o.n_dev = 100;
  const zs::TaskData d = zs::task_sample(pool(400), pool(100), o);
  EXPECT_EQ(d.train.size(), 300u);
  EXPECT_EQ(d.dev.size(), 100u);
  EXPECT_EQ(d.test.size(), 100u);
  o.n_dev = -1;
  EXPECT_NE(error_of([&] { zs::task_sample(pool(4), pool(4), o); }).find("n_dev"), std::string::npos);
}

TEST(DataSampling, LoadFromTaskFolders) {
  zs::DataOptions o;
  o.n_train = 4;
  o.n_dev = 1;
  o.n_test = 3;
  o.dir = kTasks + "sst2";
  const zs::TaskData s = zs::task_data_load(zs::task_get("sst2"), o);
  EXPECT_EQ(s.train.size(), 4u);
  EXPECT_EQ(s.dev.size(), 1u);
  EXPECT_EQ(s.test.size(), 3u);
  o.dir = kTasks + "copa";
  const zs::TaskData c = zs::task_data_load(zs::task_get("copa"), o);
  EXPECT_EQ(c.train.size(), 3u);
  EXPECT_EQ(c.dev.size(), 1u);
  EXPECT_EQ(c.test.size(), 2u);
  o.dir = kTasks + "rte";  // SuperGLUE names first
  EXPECT_EQ(zs::task_data_load(zs::task_get("rte"), o).test.size(), 2u);
  o.dir = kTasks + "rte_glue";  // then the GLUE TSV pair
  EXPECT_EQ(zs::task_data_load(zs::task_get("rte"), o).train.size(), 2u);
  o.dir = kTasks + "squad";
  EXPECT_EQ(zs::task_data_load(zs::task_get("squad"), o).test.size(), 3u);
  o.dir = kTasks + "bad";
  const std::string e = error_of([&] { zs::task_data_load(zs::task_get("boolq"), o); });
  EXPECT_NE(e.find("no training file (train.jsonl)"), std::string::npos) << e;
}

TEST(DataSampling, GeneratedTaskSplits) {
  zs::DataOptions o;
  const zs::TaskData d = zs::task_data_load(zs::task_get("sentiment"), o);
  EXPECT_EQ(d.train.size(), 1000u);
  EXPECT_EQ(d.dev.size(), 500u);
  EXPECT_EQ(d.test.size(), 1000u);
  o.data_seed = 4;
  const zs::TaskData e = zs::task_data_load(zs::task_get("sentiment"), o);
  EXPECT_NE(sentences(e.train), sentences(d.train));
  EXPECT_EQ(sentences(e.test), sentences(d.test));
}

TEST(DataSampling, TrainBatchesCoverEachEpochOnce) {
  const int64_t n = 10, B = 4;
  std::vector<int64_t> stream;
  for (int64_t t = 0; t < 5; ++t) {
    const auto idx = zs::train_batch_indices(n, B, 3, t);
    ASSERT_EQ(idx.size(), static_cast<size_t>(B));
    EXPECT_EQ(idx, zs::train_batch_indices(n, B, 3, t));  // a pure function of (seed, t)
    stream.insert(stream.end(), idx.begin(), idx.end());
  }
  for (int e = 0; e < 2; ++e) {
    std::vector<int64_t> epoch(stream.begin() + e * n, stream.begin() + (e + 1) * n);
    EXPECT_EQ(epoch, zs::seeded_permutation(n, 3, zs::kDomainEpoch, static_cast<uint64_t>(e)));
  }
  EXPECT_NE(zs::train_batch_indices(n, B, 4, 0), zs::train_batch_indices(n, B, 3, 0));
  EXPECT_FALSE(error_of([] { zs::train_batch_indices(0, 4, 0, 0); }).empty());
}

// ---------------------------------------------------------------------------------------
// Tokenised rows and batches

TEST(DataEncode, CandidateRowsAndSpans) {
  const auto tok = zs::tokenizer_load(kOptTok);
  ASSERT_EQ(tok->bos_id(), 2);
  const zs::Task& t = zs::task_get("sst2");
  const std::vector<zs::Example> xs = {make({{"sentence", "the plot was dull "}}, 0)};
  const zs::EncodedSet set = zs::task_encode(t, *tok, xs);
  ASSERT_EQ(set.size(), 1);
  const zs::EncodedExample& e = set.examples[0];
  ASSERT_EQ(e.rows.size(), 2u);
  EXPECT_EQ(e.gold, 0);
  const std::vector<int32_t> prompt = tok->encode_for_model("the plot was dull It was", true);
  for (size_t c = 0; c < 2; ++c) {
    const zs::EncodedRow& r = e.rows[c];
    EXPECT_EQ(r.ids, tok->encode_for_model("the plot was dull It was" + t.continuations(xs[0])[c], true));
    EXPECT_TRUE(std::equal(prompt.begin(), prompt.end(), r.ids.begin()));
    EXPECT_EQ(static_cast<size_t>(r.span_len), r.ids.size() - prompt.size());
    const std::vector<int32_t> span(r.ids.end() - r.span_len, r.ids.end());
    EXPECT_EQ(tok->decode(span), c == 0 ? " terrible" : " great");
  }
}

TEST(DataEncode, LeftTruncationKeepsBos) {
  std::vector<int32_t> v = {2, 10, 11, 12, 13, 14};
  zs::truncate_left(v, 4, true);
  EXPECT_EQ(v, (std::vector<int32_t>{2, 12, 13, 14}));
  std::vector<int32_t> w = {10, 11, 12, 13};
  zs::truncate_left(w, 3, false);
  EXPECT_EQ(w, (std::vector<int32_t>{11, 12, 13}));
  std::vector<int32_t> u = {2, 10};
  zs::truncate_left(u, 4, true);
  EXPECT_EQ(u, (std::vector<int32_t>{2, 10}));

  const auto tok = zs::tokenizer_load(kOptTok);
  const zs::Task& t = zs::task_get("sst2");
  const std::vector<zs::Example> xs = {make({{"sentence", "the plot was dull and the acting was worse and the music was loud"}}, 1)};
  const zs::EncodedSet full = zs::task_encode(t, *tok, xs);
  const zs::EncodedSet cut = zs::task_encode(t, *tok, xs, {.max_length = 8});
  for (size_t c = 0; c < 2; ++c) {
    const zs::EncodedRow& f = full.examples[0].rows[c];
    const zs::EncodedRow& r = cut.examples[0].rows[c];
    ASSERT_EQ(r.ids.size(), 8u);
    EXPECT_EQ(r.ids[0], 2);
    EXPECT_TRUE(std::equal(r.ids.begin() + 1, r.ids.end(), f.ids.end() - 7));
    EXPECT_EQ(r.span_len, f.span_len);
  }
  EXPECT_FALSE(error_of([&] { zs::task_encode(t, *tok, xs, {.max_length = 1}); }).empty());
}

TEST(DataBatch, LeftPaddedCandidatesWithGroups) {
  const auto tok = zs::tokenizer_load(kOptTok);
  const zs::Task& t = zs::task_get("sst2");
  const std::vector<zs::Example> xs = {make({{"sentence", "good"}}, 1), make({{"sentence", "the plot was very dull"}}, 0)};
  const zs::EncodedSet set = zs::task_encode(t, *tok, xs);
  const std::vector<int64_t> idx = {1, 0};
  const zs::TokenBatch b = zs::batch_make(set, idx, zs::BatchKind::Candidates);
  EXPECT_EQ(b.rows, 4);
  EXPECT_EQ(b.group_offsets, (std::vector<int64_t>{0, 2, 4}));
  EXPECT_EQ(b.gold, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(b.examples, idx);
  size_t longest = 0;
  for (const auto& e : set.examples)
    for (const auto& r : e.rows) longest = std::max(longest, r.ids.size());
  EXPECT_EQ(b.cols, static_cast<int64_t>(longest));
  int64_t row = 0;
  for (int64_t i : idx)
    for (const zs::EncodedRow& r : set.examples[static_cast<size_t>(i)].rows) {
      const int64_t pad = b.cols - static_cast<int64_t>(r.ids.size());
      for (int64_t c = 0; c < b.cols; ++c) {
        const size_t k = static_cast<size_t>(row * b.cols + c);
        if (c < pad) {
          EXPECT_EQ(b.input_ids[k], tok->pad_id());
          EXPECT_EQ(b.attention_mask[k], 0);
          EXPECT_EQ(b.span_mask[k], 0);
        } else {
          EXPECT_EQ(b.input_ids[k], r.ids[static_cast<size_t>(c - pad)]);
          EXPECT_EQ(b.attention_mask[k], 1);
          EXPECT_EQ(b.span_mask[k], c >= b.cols - r.span_len ? 1 : 0);
        }
      }
      ++row;
    }
  // GoldSpan: the gold candidate's row only.
  const zs::TokenBatch g = zs::batch_make(set, idx, zs::BatchKind::GoldSpan);
  EXPECT_EQ(g.rows, 2);
  EXPECT_EQ(g.group_offsets, (std::vector<int64_t>{0, 1, 2}));
  const zs::EncodedRow& gold1 = set.examples[1].rows[0];
  EXPECT_EQ(std::vector<int64_t>(g.input_ids.begin() + (g.cols - static_cast<int64_t>(gold1.ids.size())), g.input_ids.begin() + g.cols),
            std::vector<int64_t>(gold1.ids.begin(), gold1.ids.end()));
  EXPECT_FALSE(error_of([&] { zs::batch_make(set, idx, zs::BatchKind::Prompts); }).empty());
  EXPECT_FALSE(error_of([&] { zs::batch_make(set, std::vector<int64_t>{2}, zs::BatchKind::Candidates); }).empty());
}

TEST(DataBatch, TrainBatchFollowsObjective) {
  const auto tok = zs::tokenizer_load(kOptTok);
  const auto copa = zs::task_read_file(zs::task_get("copa"), kTasks + "copa/train.jsonl");
  zs::EncodedSet set = zs::task_encode(zs::task_get("copa"), *tok, copa);
  EXPECT_EQ(zs::train_batch(set, 0, 3, 0).kind, zs::BatchKind::GoldSpan);
  EXPECT_EQ(zs::train_batch(set, 0, 3, 0).rows, 3);
  set.objective = zs::Objective::Candidates;
  const zs::TokenBatch b = zs::train_batch(set, 2, 3, 0);
  EXPECT_EQ(b.kind, zs::BatchKind::Candidates);
  EXPECT_EQ(b.rows, 6);
  EXPECT_EQ(b.examples, zs::train_batch_indices(4, 3, 0, 2));
}

TEST(DataBatch, GenerationPromptsAndTargets) {
  const auto tok = zs::tokenizer_load(kOptTok);
  const zs::Task& t = zs::task_get("squad");
  const auto xs = zs::task_read_file(t, kTasks + "squad/train-v1.1.json");
  const zs::EncodedSet set = zs::task_encode(t, *tok, xs, {.max_length = 40, .max_new_tokens = 10});
  for (size_t i = 0; i < xs.size(); ++i) {
    const zs::EncodedExample& e = set.examples[i];
    EXPECT_LE(e.prompt.size(), 30u);
    EXPECT_EQ(e.prompt[0], 2);
    EXPECT_EQ(e.answers, xs[i].answers);
    ASSERT_EQ(e.rows.size(), 1u);
    const std::vector<int32_t> span(e.rows[0].ids.end() - e.rows[0].span_len, e.rows[0].ids.end());
    EXPECT_EQ(tok->decode(span), " " + xs[i].answers[0] + "\n");
  }
  const std::vector<int64_t> idx = {0, 3};
  const zs::TokenBatch p = zs::batch_make(set, idx, zs::BatchKind::Prompts);
  EXPECT_EQ(p.rows, 2);
  EXPECT_EQ(p.gold, (std::vector<int64_t>{-1, -1}));
  for (int64_t v : p.span_mask) EXPECT_EQ(v, 0);
  EXPECT_EQ(zs::train_batch(set, 0, 2, 0).kind, zs::BatchKind::GoldSpan);
  EXPECT_FALSE(error_of([&] { zs::batch_make(set, idx, zs::BatchKind::Candidates); }).empty());
}

// ---------------------------------------------------------------------------------------
// SQuAD metrics (evaluate-v1.1.py semantics)

TEST(SquadMetrics, Normalize) {
  EXPECT_EQ(zs::squad_normalize("The  Quick, brown fox!"), "quick brown fox");
  EXPECT_EQ(zs::squad_normalize("an apple a day keeps THE doctor away"), "apple day keeps doctor away");
  EXPECT_EQ(zs::squad_normalize("theme another ant"), "theme another ant");  // whole words only
  EXPECT_EQ(zs::squad_normalize("U.S.-born"), "usborn");
  EXPECT_EQ(zs::squad_normalize("(the)"), "");
  EXPECT_EQ(zs::squad_normalize("\tin 1872 \n"), "in 1872");
}

TEST(SquadMetrics, F1AndExactMatch) {
  // pred {cat, sat}, gold {cat, sat, on}: precision 1, recall 2/3 -> F1 0.8.
  EXPECT_NEAR(zs::squad_f1("the cat sat", {"a cat sat on"}), 0.8, 1e-12);
  EXPECT_EQ(zs::squad_em("the cat sat", {"a cat sat on"}), 0.0);
  // max over gold answers
  EXPECT_NEAR(zs::squad_f1("1872", {"in 1872", "1872"}), 1.0, 1e-12);
  EXPECT_EQ(zs::squad_em("The 1872.", {"in 1872", "1872"}), 1.0);
  EXPECT_NEAR(zs::squad_f1("in 1872", {"1872"}), 2.0 / 3.0, 1e-12);
  // repeated tokens count with multiplicity: pred {a_, b, b} vs gold {b}: p 1/3, r 1
  EXPECT_NEAR(zs::squad_f1("x b b", {"b"}), 0.5, 1e-12);
  EXPECT_EQ(zs::squad_f1("nothing", {"else"}), 0.0);
  EXPECT_EQ(zs::squad_f1("", {"x"}), 0.0);
  EXPECT_EQ(zs::squad_f1("the", {"a"}), 0.0);  // both normalise to nothing: F1 0, EM 1
  EXPECT_EQ(zs::squad_em("the", {"a"}), 1.0);
}

// ---------------------------------------------------------------------------------------
// Embedded sentiment generator and tokenizer

TEST(SentimentCorpus, DeterministicAndSeeded) {
  EXPECT_EQ(zs::sentiment_document(0, 17), zs::sentiment_document(0, 17));
  EXPECT_NE(zs::sentiment_document(0, 17), zs::sentiment_document(1, 17));
  EXPECT_EQ(zs::sentiment_review(zs::SentimentSplit::Dev, 2, 5).text, zs::sentiment_review(zs::SentimentSplit::Dev, 2, 5).text);
  int positive = 0;
  for (uint64_t i = 0; i < 2000; ++i) positive += zs::sentiment_review(zs::SentimentSplit::Train, 0, i).label;
  EXPECT_NEAR(positive, 1000, 100);
}

// FNV-1a of the texts and labels of the first n items of a split.
uint64_t fingerprint(zs::SentimentSplit s, uint64_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint64_t i = 0; i < n; ++i) {
    const std::string t = s == zs::SentimentSplit::Corpus ? zs::sentiment_document(0, i)
                                                           : zs::sentiment_review(s, 0, i).text + char('0' + zs::sentiment_review(s, 0, i).label);
    for (unsigned char c : t) h = (h ^ c) * 0x100000001b3ull;
  }
  return h;
}

TEST(SentimentCorpus, VersionedGolden) {
  // Regression pins of version 2 (no closed form exists for a generator's output): any
  // change to the generator's output must bump kSentimentVersion and update these.
  EXPECT_EQ(zs::kSentimentVersion, 2);
  EXPECT_EQ(zs::sentiment_document(0, 0), "The plot was stunning. The camera work was superb. It was good.");
  EXPECT_EQ(zs::sentiment_review(zs::SentimentSplit::Dev, 0, 0).text, "The dialogue was not touching. I saw it on a Sunday.");
  EXPECT_EQ(fingerprint(zs::SentimentSplit::Corpus, 500), 14534014156775323527ull);
  EXPECT_EQ(fingerprint(zs::SentimentSplit::Train, 500), 723312026950548337ull);
  EXPECT_EQ(fingerprint(zs::SentimentSplit::Dev, 500), 2637565409982796949ull);
  EXPECT_EQ(fingerprint(zs::SentimentSplit::Test, 500), 5346331122046352925ull);
  EXPECT_EQ(zs::sentiment_tokenizer_files().vocab_size, 818);
}

// The sentences of a review or document (split after ". " and "! ").
std::vector<std::string> sentences_of(const std::string& text) {
  std::vector<std::string> out;
  size_t from = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i)
    if ((text[i] == '.' || text[i] == '!') && text[i + 1] == ' ') {
      out.push_back(text.substr(from, i + 1 - from));
      from = i + 2;
    }
  out.push_back(text.substr(from));
  return out;
}

TEST(SentimentCorpus, DevAndTestSentencesNeverOccurInTraining) {
  // Held-out sentences, not templates: every dev/test review has a sentence of its own split
  // (by sentiment_sentence_split), and none of those occurs in the training split or the
  // pretraining corpus (any seed); the neutral sentences are the only shared ones.
  using zs::SentimentSplit;
  const std::set<std::string> neutral(zs::sentiment_neutral_sentences().begin(), zs::sentiment_neutral_sentences().end());
  std::set<std::string> seen;
  for (uint64_t i = 0; i < 4000; ++i)
    for (uint64_t seed : {0, 3}) {
      for (const std::string& x : sentences_of(zs::sentiment_review(SentimentSplit::Train, seed, i).text)) seen.insert(x);
      for (const std::string& x : sentences_of(zs::sentiment_document(seed, i))) seen.insert(x);
    }
  for (SentimentSplit split : {SentimentSplit::Dev, SentimentSplit::Test}) {
    int own = 0;
    for (uint64_t i = 0; i < 1000; ++i) {
      const std::string text = zs::sentiment_review(split, 0, i).text;
      bool has_own = false;
      for (const std::string& x : sentences_of(text)) {
        if (zs::sentiment_sentence_split(x) != split || neutral.count(x)) continue;
        has_own = true;
        ASSERT_EQ(seen.count(x), 0u) << "held-out sentence in training: " << x;
      }
      own += has_own;
    }
    EXPECT_EQ(own, 1000);
  }
  // The split function partitions by text: 1 in 10 test, 1 in 10 dev.
  int dev = 0, test = 0;
  for (const std::string& x : seen) {
    if (neutral.count(x)) continue;
    dev += zs::sentiment_sentence_split(x) == SentimentSplit::Dev;
    test += zs::sentiment_sentence_split(x) == SentimentSplit::Test;
  }
  EXPECT_LT(dev + test, 10) << "only the corpus's verdict sentences may hash outside train";
}

TEST(SentimentCorpus, SplitsShareOneFrameMix) {
  // Train, dev and test draw the same frames (version 1 kept whole frames for dev/test):
  // the rates of cue phrases of a plain, a negated and a contrast frame agree within noise.
  using zs::SentimentSplit;
  const std::vector<std::string> cues = {" not ", "lthough", "neither", " felt ", "from start to finish"};
  for (const std::string& cue : cues) {
    double rate[3] = {0, 0, 0};
    const SentimentSplit splits[3] = {SentimentSplit::Train, SentimentSplit::Dev, SentimentSplit::Test};
    for (int k = 0; k < 3; ++k)
      for (uint64_t i = 0; i < 3000; ++i) rate[k] += zs::sentiment_review(splits[k], 0, i).text.find(cue) != std::string::npos;
    for (int k = 0; k < 3; ++k) {
      EXPECT_GT(rate[k], 30) << cue;
      EXPECT_NEAR(rate[k] / rate[0], 1.0, 0.3) << cue << " split " << k;
    }
  }
}

TEST(SentimentCorpus, TokenizerLoadsAndKeepsWordsWhole) {
  const std::string dir = ::testing::TempDir() + "zs_sentiment_tok";
  zs::sentiment_tokenizer_write(dir);
  const auto tok = zs::tokenizer_load(dir);
  EXPECT_EQ(tok->bos_id(), 2);
  EXPECT_EQ(tok->eos_id(), 2);
  EXPECT_EQ(tok->pad_id(), 1);
  EXPECT_EQ(tok->unk_id(), 3);
  EXPECT_EQ(tok->vocab_size(), zs::sentiment_tokenizer_files().vocab_size);
  EXPECT_EQ(tok->encode(" great"), (std::vector<int32_t>{tok->token_to_id("Ġgreat")}));
  EXPECT_EQ(tok->encode(" terrible"), (std::vector<int32_t>{tok->token_to_id("Ġterrible")}));
  // Every word (with its leading space) and every punctuation run is one token, in fresh
  // documents of every split (seed 7: not the sample the vocabulary was built from).
  const auto pieces = [](const std::string& s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      const bool letter = std::isalpha(static_cast<unsigned char>(s[i])) != 0;
      const bool prev = i > 0 && std::isalpha(static_cast<unsigned char>(s[i - 1])) != 0;
      if (s[i] != ' ' && (i == 0 || s[i - 1] == ' ' || letter != prev)) ++n;
    }
    return n;
  };
  for (uint64_t i = 0; i < 300; ++i) {
    for (const std::string& s : {zs::sentiment_document(7, i), zs::sentiment_review(zs::SentimentSplit::Train, 7, i).text + " It was",
                                 zs::sentiment_review(zs::SentimentSplit::Dev, 7, i).text + " It was",
                                 zs::sentiment_review(zs::SentimentSplit::Test, 7, i).text + " It was"}) {
      ASSERT_EQ(tok->encode(s).size(), pieces(s)) << s;
      EXPECT_EQ(tok->decode(tok->encode(s)), s);
    }
  }
}

}  // namespace
