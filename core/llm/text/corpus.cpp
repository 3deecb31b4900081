// The embedded sentiment generator and its tokenizer (see corpus.h).
// [SECTION] lexicon
// [SECTION] frames and reviews
// [SECTION] tokenizer (BPE training on the generator's words)
#include "core/llm/text/corpus.h"
#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include "core/llm/text/data.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs {

namespace {

// ---------------------------------------------------------------------------------------
// [SECTION] lexicon

using Words = std::vector<std::string_view>;

const Words kFilmNouns = {"movie", "film", "story", "plot", "acting", "script", "soundtrack", "ending", "cast",
                          "direction", "dialogue", "pacing", "score", "finale", "camera work", "lead performance",
                          "editing", "humor"};
const Words kKindNouns = {"movie", "film", "story", "ride", "experience", "debut", "sequel", "comedy", "drama", "thriller"};
const Words kOtherNouns = {"popcorn", "weather", "parking", "theater", "ticket price", "trailer", "seat", "snack bar",
                           "crowd", "bus ride", "coffee"};
const Words kPositive = {"good", "brilliant", "superb", "wonderful", "excellent", "delightful", "moving",
                         "charming", "gripping", "beautiful", "clever", "funny", "touching", "stunning",
                         "memorable", "enjoyable", "impressive", "lovely", "fresh", "solid"};
const Words kNegative = {"bad", "dull", "boring", "awful", "weak", "tedious", "clumsy", "bland", "messy",
                         "predictable", "lifeless", "painful", "forgettable", "flat", "lazy", "stale", "silly",
                         "shallow", "sloppy", "dreadful"};
const Words kIntensifiers = {"very", "really", "truly", "incredibly", "remarkably", "utterly", "quite", "extremely", "so"};
const Words kLikedPast = {"loved", "enjoyed", "adored", "admired", "liked"};
const Words kHatedPast = {"hated", "disliked", "loathed", "despised", "resented"};
const Words kLikedBase = {"love", "enjoy", "adore", "admire", "like"};
const Words kHatedBase = {"hate", "dislike", "loathe", "despise", "resent"};
const Words kNeutral = {"I saw it on a Sunday.", "It runs about two hours.", "My friend picked the seats.",
                        "The theater was half empty.", "I went with my sister.", "It is based on a novel.",
                        "The director also wrote it.", "I watched it last week.", "We shared a large popcorn.",
                        "The trailer gave nothing away.", "It opened in the spring.", "I read the book first."};

// ---------------------------------------------------------------------------------------
// [SECTION] frames and reviews

struct Gen {
  PhiloxStream& rng;

  std::string pick(const Words& w) { return std::string(w[rng.uniform(static_cast<uint32_t>(w.size()))]); }
  // An adjective of polarity pol (+1 / -1).
  std::string adj(int pol) { return pick(pol > 0 ? kPositive : kNegative); }
  // Any adjective, the label words included (distractor clauses).
  std::string any_adj() {
    const uint32_t k = rng.uniform(static_cast<uint32_t>(kPositive.size() + kNegative.size() + 2));
    if (k < kPositive.size()) return std::string(kPositive[k]);
    if (k < kPositive.size() + kNegative.size()) return std::string(kNegative[k - kPositive.size()]);
    return k == kPositive.size() + kNegative.size() ? "great" : "terrible";
  }
  std::string intens() { return rng.chance(1, 2) ? pick(kIntensifiers) + " " : ""; }
  std::string subj() { return "the " + pick(kFilmNouns); }
  // Two different film subjects.
  std::pair<std::string, std::string> two_subj() {
    const uint32_t n = static_cast<uint32_t>(kFilmNouns.size());
    const uint32_t i = rng.uniform(n), j = (i + 1 + rng.uniform(n - 1)) % n;
    return {"the " + std::string(kFilmNouns[i]), "the " + std::string(kFilmNouns[j])};
  }
  static std::string a(const std::string& word) {
    return (std::string_view("aeiou").find(word[0]) != std::string_view::npos ? "an " : "a ") + word;
  }

  // Sentence of frame f with polarity pol (corpus.h lists the frames).
  std::string frame(int f, int pol) {
    switch (f) {
      case 0: return subj() + " was " + intens() + adj(pol) + ".";
      case 1: return subj() + " was not " + adj(-pol) + ".";
      case 2: return subj() + " was never " + adj(-pol) + ".";
      case 3: return "I " + pick(pol > 0 ? kLikedPast : kHatedPast) + " " + subj() + ".";
      case 4: return "I did not " + pick(pol > 0 ? kHatedBase : kLikedBase) + " " + subj() + ".";
      case 5: {
        const auto [s1, s2] = two_subj();
        return s1 + " was " + adj(-pol) + " but " + s2 + " was " + intens() + adj(pol) + ".";
      }
      case 6: return "What " + a(adj(pol)) + " " + pick(kKindNouns) + "!";
      case 7: {
        const std::string d = "the " + pick(kOtherNouns) + " was " + any_adj();
        return d + ", but " + subj() + " was " + intens() + adj(pol) + ".";
      }
      case 8: return subj() + " was hardly " + adj(-pol) + ".";
      case 9: return subj() + " was far from " + adj(-pol) + ".";
      case 10: return "not " + adj(-pol) + " at all.";
      case 11: return subj() + " was " + adj(pol) + ", not " + adj(-pol) + ".";
      case 12: return subj() + " could not have been more " + adj(pol) + ".";
      case 13: {
        const auto [s1, s2] = two_subj();
        return "although " + s1 + " was " + adj(-pol) + ", " + s2 + " was " + intens() + adj(pol) + ".";
      }
      case 14: {
        const Words& w = pol > 0 ? kNegative : kPositive;
        const uint32_t n = static_cast<uint32_t>(w.size());
        const uint32_t i = rng.uniform(n), j = (i + 1 + rng.uniform(n - 1)) % n;
        return subj() + " was neither " + std::string(w[i]) + " nor " + std::string(w[j]) + ".";
      }
      case 15: return "It was hardly " + a(adj(-pol)) + " " + pick(kKindNouns) + ".";
      case 16: return "never have I seen such " + a(adj(pol)) + " " + pick(kKindNouns) + ".";
      case 17: return "I would not call " + subj() + " " + adj(-pol) + ".";
      case 18: {
        const std::string d = "the " + pick(kOtherNouns) + " was " + adj(-pol);
        return d + ", yet " + subj() + " was " + adj(pol) + ".";
      }
      case 19: return subj() + " felt " + intens() + adj(pol) + ".";
      case 20: return "everyone will find " + subj() + " " + adj(pol) + ".";
      case 21: return a(adj(pol)) + " " + pick(kKindNouns) + " with " + a(intens() + adj(pol)) + " " + pick(kFilmNouns) + ".";
      default: return subj() + " seemed " + intens() + adj(pol) + " from start to finish.";
    }
  }
};

std::string capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

// Frame weights ({frame, weight}): the corpus leans on frames whose adjective alone gives
// the polarity, so pretraining teaches a bag-of-words reading; the task (train, dev and
// test alike) draws every frame, negation and contrast included, so fine-tuning has
// something to learn that transfers from train to dev.
struct Weighted {
  int frame, weight;
};
const std::vector<Weighted>& split_frames(SentimentSplit s) {
  static const std::vector<Weighted> corpus = {{0, 12}, {3, 1}, {6, 1}, {7, 2}, {5, 2}, {1, 1}, {2, 1}, {4, 1}};
  static const std::vector<Weighted> task = {{0, 4},  {1, 1},  {2, 1},  {3, 1},  {4, 1},  {5, 1},  {6, 1},  {7, 1},
                                             {8, 1},  {9, 1},  {10, 1}, {11, 1}, {12, 1}, {13, 1}, {14, 1}, {15, 1},
                                             {16, 1}, {17, 1}, {18, 1}, {19, 1}, {20, 1}, {21, 1}, {22, 1}};
  return s == SentimentSplit::Corpus ? corpus : task;
}

int frame_draw(PhiloxStream& rng, SentimentSplit s) {
  const std::vector<Weighted>& w = split_frames(s);
  int total = 0;
  for (const Weighted& x : w) total += x.weight;
  int k = static_cast<int>(rng.uniform(static_cast<uint32_t>(total)));
  for (const Weighted& x : w)
    if ((k -= x.weight) < 0) return x.frame;
  return w.back().frame;
}

// A sentiment sentence of frame f (frame < 0: drawn from the split's weights) whose
// sentence_split() is the split's own (the corpus shares the training sentences): drawn
// again until it is, so no dev or test sentence ever occurs in training or pretraining.
std::string sentence_draw(Gen& g, SentimentSplit split, int frame, int pol) {
  const SentimentSplit want = split == SentimentSplit::Corpus ? SentimentSplit::Train : split;
  for (;;) {
    std::string s = capitalized(g.frame(frame >= 0 ? frame : frame_draw(g.rng, split), pol));
    if (sentiment_sentence_split(s) == want) return s;
  }
}

SentimentReview review_draw(PhiloxStream& rng, SentimentSplit split) {
  Gen g{rng};
  SentimentReview r;
  r.label = rng.chance(1, 2) ? 1 : 0;
  const int pol = r.label ? 1 : -1;
  std::vector<std::string> sentences;
  const int n = rng.chance(1, 5) ? 2 : 1;
  for (int i = 0; i < n; ++i)
    sentences.push_back(sentence_draw(g, split, -1, pol));
  if (rng.chance(1, 6)) {
    const uint32_t at = rng.uniform(static_cast<uint32_t>(sentences.size() + 1));
    sentences.insert(sentences.begin() + at, g.pick(kNeutral));
  }
  for (const std::string& s : sentences) r.text += (r.text.empty() ? "" : " ") + s;
  return r;
}

}  // namespace

const std::vector<std::string_view>& sentiment_neutral_sentences() { return kNeutral; }

SentimentSplit sentiment_sentence_split(const std::string& sentence) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, 64 bits
  for (unsigned char c : sentence) h = (h ^ c) * 0x100000001b3ull;
  const uint64_t bucket = h % 10;
  return bucket == 0 ? SentimentSplit::Test : bucket == 1 ? SentimentSplit::Dev : SentimentSplit::Train;
}

SentimentReview sentiment_review(SentimentSplit split, uint64_t seed, uint64_t index) {
  PhiloxStream rng(seed, kDomainCorpus + static_cast<uint32_t>(split), index);
  return review_draw(rng, split);
}

std::vector<Example> sentiment_examples(SentimentSplit split, uint64_t seed, int64_t n) {
  std::vector<Example> out;
  for (int64_t i = 0; i < n; ++i) {
    SentimentReview r = sentiment_review(split, seed, static_cast<uint64_t>(i));
    Example x;
    x.id = std::to_string(i);
    x.fields["sentence"] = std::move(r.text);
    x.label = r.label;
    out.push_back(std::move(x));
  }
  return out;
}

std::string sentiment_document(uint64_t seed, uint64_t index) {
  PhiloxStream rng(seed, kDomainCorpus + static_cast<uint32_t>(SentimentSplit::Corpus), index);
  if (rng.chance(4, 5)) {
    // Short review: at most one neutral sentence, one or two plain frames of one polarity,
    // always the verdict "It was good." / "It was bad." (not the task's label words).
    Gen g{rng};
    const bool positive = rng.chance(1, 2);
    std::string text;
    if (rng.chance(1, 3)) text += g.pick(kNeutral) + " ";
    text += sentence_draw(g, SentimentSplit::Corpus, 0, positive ? 1 : -1);
    if (rng.chance(1, 3)) text += " " + sentence_draw(g, SentimentSplit::Corpus, 0, positive ? 1 : -1);
    return text + (positive ? " It was good." : " It was bad.");
  }
  // Rich review: every frame of the corpus set; the verdict in other words than the task's.
  const SentimentReview r = review_draw(rng, SentimentSplit::Corpus);
  const std::string word = r.label ? "great" : "terrible";
  const uint32_t u = rng.uniform(20);
  if (u < 10) return r.text + " I would call it " + word + ".";
  if (u < 15) return r.text + " In short, " + word + ".";
  if (u < 17) return r.text + " My verdict: " + word + ".";
  if (u < 19) return r.text + (r.label ? " I recommend it." : " Avoid it.");
  return r.text;
}

// ---------------------------------------------------------------------------------------
// [SECTION] tokenizer (BPE training on the generator's words)

namespace {

// GPT-2 bytes_to_unicode as UTF-8 strings.
std::array<std::string, 256> byte_symbols() {
  std::array<int, 256> cp{};
  std::array<bool, 256> direct{};
  for (int b = 0; b < 256; ++b) direct[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
  int n = 0;
  for (int b = 0; b < 256; ++b) cp[b] = direct[b] ? b : 256 + n++;
  std::array<std::string, 256> out;
  for (int b = 0; b < 256; ++b) {
    const int c = cp[b];
    if (c < 0x80) {
      out[b] = std::string(1, static_cast<char>(c));
    } else {
      out[b] = std::string{static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
    }
  }
  return out;
}

// GPT-2 pre-tokenisation of the generator's ASCII text: a letter run or a punctuation run,
// each with the single space before it.
void pretokens_count(const std::string& text, std::map<std::string, int64_t>& counts) {
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i + (text[i] == ' ' ? 1 : 0);
    if (j >= text.size()) fail("sentiment tokenizer", "trailing space in generated text");
    const bool let = letter(text[j]);
    while (j < text.size() && text[j] != ' ' && letter(text[j]) == let) ++j;
    ++counts[text.substr(i, j - i)];
    i = j;
  }
}

TokenizerFiles build_tokenizer() {
  const std::array<std::string, 256> sym = byte_symbols();
  std::map<std::string, int64_t> counts;
  constexpr uint64_t kSample = 4000;
  for (uint64_t i = 0; i < kSample; ++i) {
    pretokens_count(sentiment_document(0, i), counts);
    for (SentimentSplit s : {SentimentSplit::Train, SentimentSplit::Dev, SentimentSplit::Test})
      pretokens_count(sentiment_review(s, 0, i).text + " It was", counts);
  }
  struct Word {
    std::vector<std::string> s;
    int64_t n;
  };
  std::vector<Word> words;
  for (const auto& [w, n] : counts) {
    Word x{{}, n};
    for (unsigned char c : w) x.s.push_back(sym[c]);
    words.push_back(std::move(x));
  }
  std::vector<std::pair<std::string, std::string>> merges;
  for (;;) {
    std::map<std::pair<std::string, std::string>, int64_t> pairs;
    for (const Word& w : words)
      for (size_t k = 0; k + 1 < w.s.size(); ++k) pairs[{w.s[k], w.s[k + 1]}] += w.n;
    if (pairs.empty()) break;
    auto best = pairs.begin();  // std::map order = byte order of the pair: ties go to the smaller
    for (auto it = pairs.begin(); it != pairs.end(); ++it)
      if (it->second > best->second) best = it;
    const auto [l, r] = best->first;
    merges.push_back(best->first);
    for (Word& w : words) {
      std::vector<std::string> out;
      for (size_t k = 0; k < w.s.size(); ++k) {
        if (k + 1 < w.s.size() && w.s[k] == l && w.s[k + 1] == r) {
          out.push_back(l + r);
          ++k;
        } else {
          out.push_back(w.s[k]);
        }
      }
      w.s = std::move(out);
    }
  }
  nlohmann::ordered_json vocab;
  for (const char* s : {"<s>", "<pad>", "</s>", "<unk>"}) vocab[s] = static_cast<int32_t>(vocab.size());
  for (const std::string& s : sym) vocab[s] = static_cast<int32_t>(vocab.size());
  TokenizerFiles f;
  f.merges_txt = "#version: 0.2\n";
  for (const auto& [l, r] : merges) {
    vocab[l + r] = static_cast<int32_t>(vocab.size());
    f.merges_txt += l + " " + r + "\n";
  }
  f.vocab_size = static_cast<int32_t>(vocab.size());
  f.vocab_json = vocab.dump();
  nlohmann::ordered_json cfg;
  cfg["tokenizer_class"] = "GPT2Tokenizer";
  cfg["add_bos_token"] = true;
  cfg["add_prefix_space"] = false;
  cfg["bos_token"] = "</s>";
  cfg["eos_token"] = "</s>";
  cfg["pad_token"] = "<pad>";
  cfg["unk_token"] = "<unk>";
  cfg["model_max_length"] = 1000000;
  cfg["zoscope_sentiment_version"] = kSentimentVersion;
  f.config_json = cfg.dump(1);
  return f;
}

}  // namespace

TokenizerFiles sentiment_tokenizer_files() {
  static const TokenizerFiles files = build_tokenizer();
  return files;
}

void sentiment_tokenizer_write(const std::string& dir) {
  const TokenizerFiles f = sentiment_tokenizer_files();
  make_dirs(dir);
  atomic_write(dir + "/vocab.json", f.vocab_json);
  atomic_write(dir + "/merges.txt", f.merges_txt);
  atomic_write(dir + "/tokenizer_config.json", f.config_json);
}

}  // namespace zs
