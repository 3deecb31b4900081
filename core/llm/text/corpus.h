// The embedded default of LLM mode (docs/llm-engine.md#embedded-default): a seeded, versioned
// generator of templated movie reviews with negation, intensifiers, contrast and
// distractors, the pretraining corpus and the SST-2-style task drawn from it, and a
// byte-level BPE tokenizer built deterministically from the generator's own words.
// Torch-free. Everything is a pure function of (version, seed, split, index).
//
// Grammar. A review has the polarity of its label (1 positive, 0 negative): one sentiment
// sentence of that polarity (two with probability 1/5), each from a frame drawn with the
// split's weights, plus with probability 1/6 a neutral sentence ("I went with my sister.")
// at a random place. Frames (S = "the <film noun>", A+/A- = positive/negative adjective,
// I = optional intensifier, D = "the <non-film noun>", whose adjective does not count),
// shown for a positive review (a negative one swaps A+ and A-, and the verbs):
//   0 "S was I A+."  1 "S was not A-."  2 "S was never A-."  3 "I loved/enjoyed/... S."
//   4 "I did not hate/dislike/... S."  5 "S was A- but S was I A+."  6 "What a A+ <noun>!"
//   7 "D was <any adjective>, but S was I A+."  8 "S was hardly A-."  9 "S was far from A-."
//   10 "Not A- at all."  11 "S was A+, not A-."  12 "S could not have been more A+."
//   13 "Although S was A-, S was I A+."  14 "S was neither A- nor A-."
//   15 "It was hardly a A- <noun>."  16 "Never have I seen such a A+ <noun>."
//   17 "I would not call S A-."  18 "D was A-, yet S was A+."  19 "S felt I A+."
//   20 "Everyone will find S A+."  21 "A A+ <noun> with a I A+ S."
//   22 "S seemed I A+ from start to finish."
// Weights: the pretraining corpus draws frames 0 (12), 5 and 7 (2 each), 1, 2, 3, 4, 6
// (1 each): mostly sentences whose adjective alone gives the polarity. The task draws all
// 23 frames (frame 0 weight 4, the others 1), in train, dev and test alike: the same
// distribution, as SST-2's splits are.
// Held-out sentences, not templates (version 2): every sentiment sentence belongs to one
// split by the FNV-1a hash of its text (sentiment_sentence_split: 1 in 10 test, 1 in 10
// dev, the rest train); a split's sentences are drawn again until they hash to it, and the
// corpus uses the training sentences only. So no dev or test sentence ever occurs in
// training or pretraining, while the review structure and the frame mix stay the same.
// (Version 1 held out whole frames: dev used templates never seen in training, and
// fine-tuning on the 500 training reviews lowered dev accuracy below zero-shot.)
// The label words "great" and "terrible" occur only in verdicts and in "D was ..." clauses.
// Pretraining documents: 4/5 are short reviews (a neutral sentence with probability 1/3,
// one "S was I A." sentence, a second one of the same polarity with probability 1/3, then
// the verdict "It was good." / "It was bad."); 1/5 are full reviews from the corpus frames
// with a verdict in other words ("I would call it great.", "In short, terrible.",
// "My verdict: great.", "I recommend it." / "Avoid it.", or none).
// Why this mix: a 1M-parameter model trained for a minute only learns to read the
// sentiment word a few tokens back when most "It was <verdict>" contexts are clean; with
// negation and contrast behind the verdict it stays at chance for ~1000 steps. Short
// documents also make a pretraining step cheap. The full reviews bring negation,
// intensifiers, distractors and the task's label words in other verdict phrases.
// Why "good"/"bad" after "It was" (version 2): the task asks for " great" / " terrible"
// after "It was" (the SST-2 template), words the model was never trained to put there, so
// its zero-shot accuracy is near chance (0.47 dev / 0.50 test for the default pretraining
// with one thread as the CLI runs it; 0.57 dev with ATen's default threads: the reductions
// differ) and fine-tuning has room. 500 steps teach the sentiment only weakly: with its
// own verdict words the same prompts score 0.57 (0.52 at random init). With
// "It was great." in pretraining the model started at 0.56 and MeZO gained only 0.07-0.09
// in 1000 forward passes.
//
// Tokenizer: pre-tokens (GPT-2 split on ASCII text: a letter run or a punctuation run with
// its leading space) counted over 4000 generated documents of every split, then classic BPE
// training (merge the most frequent adjacent pair, ties broken by the smaller pair in byte
// order) until every pre-token is one token. Vocabulary: <s> 0, <pad> 1, </s> 2, <unk> 3,
// the 256 byte symbols (GPT-2 bytes_to_unicode, by byte value), then the merges in order.
// Written as vocab.json + merges.txt + tokenizer_config.json (OPT: bos = eos = "</s>"),
// which tokenizer_load reads.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include "core/llm/text/task.h"

namespace zs {

// Bumped whenever any output of this file changes (words, frames, probabilities, tokenizer).
inline constexpr int kSentimentVersion = 2;

enum class SentimentSplit : uint32_t { Corpus = 0, Train = 1, Dev = 2, Test = 3 };

struct SentimentReview {
  std::string text;
  int32_t label = 0;  // 0 negative (" terrible"), 1 positive (" great")
};

// The split a sentiment sentence belongs to (Train, Dev or Test; FNV-1a of the text mod 10).
SentimentSplit sentiment_sentence_split(const std::string& sentence);
// The neutral sentences (shared by every split: they carry no sentiment).
const std::vector<std::string_view>& sentiment_neutral_sentences();
// Review `index` of a split under `seed`.
SentimentReview sentiment_review(SentimentSplit split, uint64_t seed, uint64_t index);
// Reviews 0..n-1 as task examples (field "sentence", label; id = index).
std::vector<Example> sentiment_examples(SentimentSplit split, uint64_t seed, int64_t n);
// Pretraining document `index` (a corpus-split review + maybe a verdict).
std::string sentiment_document(uint64_t seed, uint64_t index);

// The tokenizer files (vocab.json, merges.txt, tokenizer_config.json), as text.
struct TokenizerFiles {
  std::string vocab_json, merges_txt, config_json;
  int32_t vocab_size = 0;
};
TokenizerFiles sentiment_tokenizer_files();
// Writes the three files into `dir` (created if needed), atomically each.
void sentiment_tokenizer_write(const std::string& dir);

}  // namespace zs
