// Tokenizers against the reference Python stack: byte-level BPE (vocab.json + merges.txt
// and tokenizer.json) and SentencePiece must give the golden ids of
// tests/data/fixtures/tok-*/golden.json and of tests/data/tokenizers/ (made by
// tests/data/tokenizers/make_golden.py with HF tokenizers, transformers, sentencepiece),
// decode back, and reject bad files with one-line zs::Error messages.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <gtest/gtest.h>
#include <pcre2.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/llm/text/tokenizer.h"
#include "core/llm/text/tokenizer_bpe.h"
#include "core/llm/text/tokenizer_spm.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace {

namespace fs = std::filesystem;

const std::string kData = ZS_TEST_DATA;
const std::string kBpe = kData + "/fixtures/tok-bpe";
const std::string kSpm = kData + "/fixtures/tok-spm";
const std::string kExtra = kData + "/tokenizers";

struct Case {
  std::string text;
  std::vector<int32_t> ids;
  std::string decoded;  // the reference's decode, where the file has it
};

nlohmann::json json_load(const std::string& path) { return nlohmann::json::parse(zs::read_file(path)); }

std::vector<Case> golden_read(const std::string& path) {
  const nlohmann::json doc = json_load(path);
  std::vector<Case> cases;
  for (const auto& t : doc.at("tests"))
    cases.push_back({t.at("text").get<std::string>(), t.at("ids").get<std::vector<int32_t>>(), t.value("decoded", "")});
  return cases;
}

// Checks the ids of every case (and decode against the text or the reference's decode);
// returns how many cases were checked.
enum class DecodeCheck { none, text, reference };
size_t expect_golden(const zs::Tokenizer& tok, const std::vector<Case>& cases, DecodeCheck check) {
  for (const Case& c : cases) {
    EXPECT_EQ(tok.encode(c.text), c.ids) << "text: '" << c.text << "'";
    if (check == DecodeCheck::text) {
      EXPECT_EQ(tok.decode(c.ids), c.text);
    } else if (check == DecodeCheck::reference) {
      EXPECT_EQ(tok.decode(c.ids), c.decoded) << "text: '" << c.text << "'";
    }
  }
  return cases.size();
}

// ---------------------------------------------------------------------------------------
// Golden ids

TEST(TokenizerBpe, FixtureGoldenFromVocabMerges) {
  auto tok = zs::tokenizer_load(kBpe + "/vocab.json");
  const size_t n = expect_golden(*tok, golden_read(kBpe + "/golden.json"), DecodeCheck::text);
  EXPECT_EQ(n, 9u);
  std::printf("tok-bpe golden.json via vocab.json + merges.txt: %zu cases\n", n);
}

TEST(TokenizerBpe, FixtureGoldenFromTokenizerJson) {
  auto tok = zs::tokenizer_load(kBpe + "/tokenizer.json");
  const size_t n = expect_golden(*tok, golden_read(kBpe + "/golden.json"), DecodeCheck::text);
  EXPECT_EQ(n, 9u);
  std::printf("tok-bpe golden.json via tokenizer.json: %zu cases\n", n);
}

TEST(TokenizerBpe, ExtraGoldenBothForms) {
  const std::vector<Case> cases = golden_read(kExtra + "/bpe_extra.json");
  size_t n = 0;
  for (const std::string& path : {kBpe + "/vocab.json", kBpe + "/tokenizer.json", kBpe}) {
    auto tok = zs::tokenizer_load(path);
    n = expect_golden(*tok, cases, DecodeCheck::text);
    expect_golden(*tok, cases, DecodeCheck::reference);
  }
  EXPECT_GE(n, 40u);
  std::printf("bpe_extra.json: %zu cases on each of vocab+merges, tokenizer.json, folder\n", n);
}

// A 2000-token vocabulary (1743 merges) on long text: merge order at a realistic scale.
TEST(TokenizerBpe, Trained2kBothForms) {
  const std::vector<Case> cases = golden_read(kExtra + "/trained-2k/golden.json");
  size_t ids = 0;
  for (const Case& c : cases) ids += c.ids.size();
  for (const std::string& path : {kExtra + "/trained-2k/tokenizer.json", kExtra + "/trained-2k/merges.txt"}) {
    auto tok = zs::tokenizer_load(path);
    EXPECT_EQ(tok->vocab_size(), 2000);
    expect_golden(*tok, cases, DecodeCheck::text);
  }
  std::printf("trained-2k golden: %zu texts, %zu ids, on each of tokenizer.json and vocab.json + merges.txt\n",
              cases.size(), ids);
}

// tokenizer.json variants: LLaMA-3 Split + ByteLevel with ignore_merges, prefix space,
// Split "Removed" with merges as pairs, a merge listed twice, added tokens
// with lstrip/rstrip/single_word/normalized; unk, fused unk, dropped unknowns, byte fallback.
TEST(TokenizerBpe, VariantGolden) {
  const std::vector<std::pair<std::string, DecodeCheck>> variants = {
      {"llama3-style", DecodeCheck::reference},  {"prefix-space", DecodeCheck::reference},
      {"split-removed", DecodeCheck::reference}, {"duplicate-merge", DecodeCheck::reference},
      {"added-options", DecodeCheck::reference}, {"tiny-unk", DecodeCheck::none},
      {"tiny-fuse-unk", DecodeCheck::none},      {"tiny-no-unk", DecodeCheck::none},
      {"tiny-byte-fallback", DecodeCheck::none}};
  for (const auto& [name, check] : variants) {
    SCOPED_TRACE(name);
    auto tok = zs::tokenizer_load(kExtra + "/" + name);
    const size_t n = expect_golden(*tok, golden_read(kExtra + "/" + name + "/golden.json"), check);
    std::printf("%s golden: %zu cases\n", name.c_str(), n);
  }
}

// OPT ships vocab.json + merges.txt + tokenizer_config.json with `</s>` as BOS;
// transformers' tokenizer(text) prepends it.
TEST(TokenizerBpe, OptStyleConfigMatchesTransformers) {
  const nlohmann::json doc = json_load(kExtra + "/opt-style/golden.json");
  auto tok = zs::tokenizer_load(kExtra + "/opt-style");
  EXPECT_EQ(tok->bos_id(), doc["bos_id"].get<int32_t>());
  EXPECT_EQ(tok->eos_id(), doc["eos_id"].get<int32_t>());
  EXPECT_EQ(tok->pad_id(), doc["pad_id"].get<int32_t>());
  EXPECT_EQ(tok->unk_id(), doc["unk_id"].get<int32_t>());
  size_t n = 0;
  for (const Case& c : golden_read(kExtra + "/opt-style/golden.json")) {
    EXPECT_EQ(tok->encode_for_model(c.text, true), c.ids) << "text: '" << c.text << "'";
    ++n;
  }
  std::printf("opt-style golden (with BOS): %zu cases\n", n);
}

TEST(TokenizerSpm, FixtureGolden) {
  auto tok = zs::tokenizer_load(kSpm);
  const size_t n = expect_golden(*tok, golden_read(kSpm + "/golden.json"), DecodeCheck::none);
  EXPECT_EQ(n, 9u);
  std::printf("tok-spm golden.json via spm.model: %zu cases\n", n);
}

// This model normalises (NFKC, extra whitespace removed), so decode gives the reference's
// decode, which equals the text only where normalisation changes nothing.
TEST(TokenizerSpm, ExtraGoldenWithDecode) {
  auto tok = zs::tokenizer_load(kSpm + "/spm.model");
  const size_t n = expect_golden(*tok, golden_read(kExtra + "/spm_extra.json"), DecodeCheck::reference);
  EXPECT_EQ(tok->decode(tok->encode("naïve über-cool 🎬")), "naïve über-cool 🎬");
  std::printf("spm_extra.json: %zu cases (ids and decode)\n", n);
}

std::string utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += char(cp);
  } else if (cp < 0x800) {
    s += char(0xC0 | (cp >> 6));
    s += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += char(0xE0 | (cp >> 12));
    s += char(0x80 | ((cp >> 6) & 0x3F));
    s += char(0x80 | (cp & 0x3F));
  } else {
    s += char(0xF0 | (cp >> 18));
    s += char(0x80 | ((cp >> 12) & 0x3F));
    s += char(0x80 | ((cp >> 6) & 0x3F));
    s += char(0x80 | (cp & 0x3F));
  }
  return s;
}

// Whether the linked PCRE2's Unicode tables leave a code point unassigned (\p{Cn}).
bool pcre2_unassigned(const std::string& c) {
  int err = 0;
  PCRE2_SIZE off = 0;
  static pcre2_code* const code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>("^\\p{Cn}$"), PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &off, nullptr);
  pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
  const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(c.data()), c.size(), 0, 0, md, nullptr);
  pcre2_match_data_free(md);
  return rc > 0;
}

// Every code point through the GPT-2 split regex, probed as the generator did. PCRE2's
// Unicode classes must agree with the reference (Oniguruma in HF tokenizers) on every code
// point PCRE2 knows. Known gap: the system PCRE2 (10.42) has Unicode 14 tables, the
// reference Unicode 16, so letters/digits assigned in Unicode 15-16 split as punctuation
// here; and Oniguruma still counts U+180E (a space before Unicode 6.3) as whitespace.
TEST(TokenizerBpe, UnicodeClassesMatchReference) {
  auto tok = zs::tokenizer_load(kBpe + "/tokenizer.json");
  const auto& bpe = dynamic_cast<const zs::BpeTokenizer&>(*tok);
  const auto ends = [&](const std::string& s) {
    std::string out;
    size_t chars = 0;
    for (const std::string& piece : bpe.pre_tokenize(s)) {
      for (unsigned char c : piece) chars += (c & 0xC0) != 0x80;
      if (!out.empty()) out += ',';
      out += std::to_string(chars);
    }
    return out;
  };
  size_t checked = 0, newer_unicode = 0, differ = 0;
  const nlohmann::json doc = json_load(kExtra + "/bpe_unicode_classes.json");
  for (const auto& r : doc.at("ranges")) {
    const auto first = r[0].get<uint32_t>(), last = r[1].get<uint32_t>();
    const std::string want = r[2].get<std::string>();
    for (uint32_t cp = first; cp <= last; ++cp) {
      const std::string c = utf8(cp);
      std::string p1 = "1", p2 = c;
      p1.append(c).append("a");
      p2.append("!");
      const std::string got = ends(p1).append("/").append(ends(p2));
      ++checked;
      if (got == want) continue;
      if (cp == 0x180E || pcre2_unassigned(c)) {
        ++newer_unicode;
      } else if (++differ <= 20) {
        ADD_FAILURE() << "U+" << std::hex << cp << ": " << got << " want " << want;
      }
    }
  }
  EXPECT_EQ(checked, 0x110000u - 0x800u);
  EXPECT_EQ(differ, 0u);
  EXPECT_LT(newer_unicode, 10000u);
  std::printf("unicode classes: %zu code points, %zu differ (%zu only where PCRE2's Unicode 14 tables lack them)\n",
              checked, differ + newer_unicode, newer_unicode);
}

// ---------------------------------------------------------------------------------------
// Special tokens

TEST(Tokenizer, SpecialIdsAndBos) {
  auto bpe = zs::tokenizer_load(kBpe);  // no config files: well-known names
  EXPECT_EQ(bpe->bos_id(), 0);          // <s>
  EXPECT_EQ(bpe->eos_id(), 2);          // </s>
  EXPECT_EQ(bpe->pad_id(), 1);          // <pad>
  EXPECT_EQ(bpe->unk_id(), 3);          // <unk>
  EXPECT_EQ(bpe->token_to_id("</s>"), 2);
  EXPECT_EQ(bpe->token_to_id("Ġa"), 276);  // byte-level form of " a"
  EXPECT_EQ(bpe->encode(" a"), (std::vector<int32_t>{276}));
  EXPECT_EQ(bpe->token_to_id("no such token"), -1);
  EXPECT_EQ(bpe->id_to_token(2), "</s>");
  EXPECT_EQ(bpe->vocab_size(), 420);
  EXPECT_EQ(bpe->encode_for_model("a", false), bpe->encode("a"));
  EXPECT_EQ(bpe->encode_for_model("a", true), (std::vector<int32_t>{0, 68}));
  bpe->set_special_ids({2, 2, 1, 3});  // OPT: </s> as BOS
  EXPECT_EQ(bpe->encode_for_model("a", true), (std::vector<int32_t>{2, 68}));
  EXPECT_THROW(bpe->set_special_ids({420, -1, -1, -1}), zs::Error);
  bpe->set_special_ids({-1, -1, -1, -1});
  EXPECT_THROW(bpe->encode_for_model("a", true), zs::Error);

  auto spm = zs::tokenizer_load(kSpm);  // the model's own ids
  EXPECT_EQ(spm->bos_id(), 1);
  EXPECT_EQ(spm->eos_id(), 2);
  EXPECT_EQ(spm->pad_id(), -1);
  EXPECT_EQ(spm->unk_id(), 0);
  EXPECT_EQ(spm->vocab_size(), 512);
  EXPECT_EQ(spm->id_to_token(1), "<s>");
  EXPECT_EQ(spm->token_to_id("<unk>"), 0);
  EXPECT_EQ(spm->token_to_id("no such piece"), -1);
  EXPECT_EQ(spm->encode_for_model("a", true), (std::vector<int32_t>{1, 276}));
  EXPECT_EQ(spm->decode(std::vector<int32_t>{1, 276, 2}), "a");  // control tokens decode to nothing
  EXPECT_THROW(spm->decode(std::vector<int32_t>{512}), zs::Error);
  EXPECT_THROW(spm->id_to_token(-1), zs::Error);
}

TEST(TokenizerBpe, AddedTokensMatchedVerbatim) {
  auto tok = zs::tokenizer_load(kBpe + "/vocab.json");
  const std::vector<int32_t> ids = tok->encode("x</s>y<pad>");
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids[1], 2);
  EXPECT_EQ(ids[3], 1);
  EXPECT_EQ(tok->decode(ids), "x</s>y<pad>");
  EXPECT_THROW(tok->decode(std::vector<int32_t>{-1}), zs::Error);
  EXPECT_THROW(tok->decode(std::vector<int32_t>{420}), zs::Error);
}

// ---------------------------------------------------------------------------------------
// Robustness

TEST(TokenizerBpe, InvalidUtf8IsAnError) {
  auto tok = zs::tokenizer_load(kBpe);
  for (const std::string& bad :
       {std::string("ab\xff"), std::string("\xc3"), std::string("\xed\xa0\x80"), std::string("\xc0\xaf")}) {
    try {
      tok->encode(bad);
      ADD_FAILURE() << "no error";
    } catch (const zs::Error& e) {
      EXPECT_NE(std::string(e.what()).find("not valid UTF-8 at byte"), std::string::npos) << e.what();
    }
  }
  // SentencePiece takes any bytes (it substitutes U+FFFD), as the reference does.
  auto spm = zs::tokenizer_load(kSpm);
  EXPECT_FALSE(spm->encode("ab\xff").empty());
}

// Long runs exercise the regex backtracking (\s+(?!\S)) and words too long for the cache.
TEST(TokenizerBpe, LongInputsRoundTrip) {
  auto tok = zs::tokenizer_load(kBpe);
  for (const std::string& text : {std::string(200000, ' '), std::string(200000, 'a'), std::string(100000, '\n') + "x",
                                  std::string(50000, '!') + "  " + std::string(50000, '7')}) {
    EXPECT_EQ(tok->decode(tok->encode(text)), text);
  }
}

TEST(TokenizerBpe, ConcurrentEncodeAgrees) {
  auto tok = zs::tokenizer_load(kBpe + "/tokenizer.json");
  const std::vector<Case> cases = golden_read(kExtra + "/bpe_extra.json");
  std::vector<std::thread> threads;
  std::vector<size_t> wrong(4, 0);
  for (size_t t = 0; t < wrong.size(); ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep)
        for (const Case& c : cases) wrong[t] += tok->encode(c.text) != c.ids;
    });
  for (auto& th : threads) th.join();
  for (size_t w : wrong) EXPECT_EQ(w, 0u);
}

// ---------------------------------------------------------------------------------------
// Bad files: one zs::Error line naming the file and the field or line

class TokenizerBadFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("zs_tok_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string put(const std::string& name, const std::string& text) {
    const std::string p = (dir_ / name).string();
    zs::atomic_write(p, text);
    return p;
  }
  std::string copy(const std::string& from, const std::string& name) { return put(name, zs::read_file(from)); }
  // Loads `path`; the error must be one line containing every fragment.
  void expect_error(const std::string& path, const std::vector<std::string>& fragments) {
    try {
      zs::tokenizer_load(path);
      ADD_FAILURE() << "no error for " << path;
    } catch (const zs::Error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
      for (const std::string& f : fragments)
        EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
    }
  }
  nlohmann::json bpe_json() const { return json_load(kBpe + "/tokenizer.json"); }
  fs::path dir_;
};

TEST_F(TokenizerBadFiles, MissingFiles) {
  expect_error((dir_ / "nothing").string(), {"nothing", "no such file"});
  expect_error(dir_.string(), {dir_.string(), "no tokenizer here"});
  copy(kBpe + "/vocab.json", "vocab.json");
  expect_error(dir_.string(), {"merges.txt", "missing"});
}

TEST_F(TokenizerBadFiles, VocabJson) {
  copy(kBpe + "/merges.txt", "merges.txt");
  const std::string v = put("vocab.json", "{\"a\": 1,");
  expect_error(v, {"vocab.json", "malformed JSON"});
  put("vocab.json", "[1, 2]");
  expect_error(v, {"vocab.json", "not a JSON object"});
  put("vocab.json", "{\"a\": \"x\"}");
  expect_error(v, {"vocab.json", "token 'a'", "integer"});
  put("vocab.json", "{\"a\": 1, \"b\": 1}");
  expect_error(v, {"vocab.json", "id 1"});
}

TEST_F(TokenizerBadFiles, MergesTxt) {
  copy(kBpe + "/vocab.json", "vocab.json");
  const std::string m = put("merges.txt", "#version: 0.2\nh e\ni\n");
  expect_error(dir_.string(), {"merges.txt:3", "two tokens", "'i'"});
  put("merges.txt", "#version: 0.2\nh e\nzz q\n");
  expect_error(m, {"merges.txt:3", "'zz' is not in the vocabulary"});
  put("merges.txt", "h e\nh q\n");  // "hq" is not a token
  expect_error(m, {"merges.txt:2", "merged token 'hq'"});
}

TEST_F(TokenizerBadFiles, TokenizerJson) {
  const std::string t = put("tokenizer.json", "{\"model\": ");
  expect_error(t, {"tokenizer.json", "malformed JSON"});
  nlohmann::json doc = bpe_json();
  doc["model"]["type"] = "WordPiece";
  put("tokenizer.json", doc.dump());
  expect_error(dir_.string(), {"tokenizer.json", "model.type", "WordPiece"});
  doc = bpe_json();
  doc["model"]["vocab"] = nlohmann::json::array();
  put("tokenizer.json", doc.dump());
  expect_error(t, {"tokenizer.json", "model.vocab", "not a JSON object"});
  doc = bpe_json();
  doc["model"]["merges"][5] = "Ġ";
  put("tokenizer.json", doc.dump());
  expect_error(t, {"tokenizer.json", "model.merges[5]", "two tokens"});
  doc = bpe_json();
  doc["model"]["merges"][7] = {"q", "zzz"};
  put("tokenizer.json", doc.dump());
  expect_error(t, {"tokenizer.json", "model.merges[7]", "'zzz' is not in the vocabulary"});
  doc = bpe_json();
  doc["normalizer"] = {{"type", "NFC"}};
  put("tokenizer.json", doc.dump());
  expect_error(t, {"tokenizer.json", "normalizer", "NFC"});
  doc = bpe_json();
  doc["pre_tokenizer"] = {{"type", "Whitespace"}};
  put("tokenizer.json", doc.dump());
  expect_error(t, {"tokenizer.json", "pre_tokenizer", "Whitespace"});
  doc = bpe_json();
  doc["pre_tokenizer"] = {{"type", "Sequence"},
                          {"pretokenizers",
                           {{{"type", "Split"}, {"pattern", {{"Regex", "(a"}}}, {"behavior", "Isolated"}},
                            {{"type", "ByteLevel"}, {"use_regex", false}}}}};
  put("tokenizer.json", doc.dump());
  expect_error(t, {"tokenizer.json", "pre_tokenizer.pretokenizers[0].pattern", "bad regex"});
  doc = bpe_json();
  doc["model"]["unk_token"] = "<nope>";
  put("tokenizer.json", doc.dump());
  expect_error(t, {"tokenizer.json", "model.unk_token", "'<nope>'"});
  doc = bpe_json();
  doc["added_tokens"][1]["id"] = 300;  // id of another vocabulary token
  put("tokenizer.json", doc.dump());
  expect_error(t, {"tokenizer.json", "added_tokens[1]", "id 300"});
  doc = bpe_json();
  doc["added_tokens"][0].erase("content");
  put("tokenizer.json", doc.dump());
  expect_error(t, {"tokenizer.json", "added_tokens[0]"});
}

TEST_F(TokenizerBadFiles, SpecialTokenConfig) {
  copy(kBpe + "/vocab.json", "vocab.json");
  copy(kBpe + "/merges.txt", "merges.txt");
  const std::string c = put("special_tokens_map.json", "{\"bos_token\": \"<nope>\"}");
  expect_error(dir_.string(), {"special_tokens_map.json", "bos_token", "'<nope>'"});
  put("special_tokens_map.json", "{\"eos_token\": 5}");
  expect_error(dir_.string(), {"special_tokens_map.json", "eos_token"});
  put("special_tokens_map.json", "{\"pad_token\": ");
  expect_error(dir_.string(), {"special_tokens_map.json", "malformed JSON"});
  // special_tokens_map.json wins over tokenizer_config.json; null means none.
  put("special_tokens_map.json", "{\"bos_token\": {\"content\": \"</s>\"}, \"pad_token\": null}");
  put("tokenizer_config.json", "{\"bos_token\": \"<s>\", \"eos_token\": \"<unk>\"}");
  auto tok = zs::tokenizer_load(dir_.string());
  EXPECT_EQ(tok->bos_id(), 2);
  EXPECT_EQ(tok->eos_id(), 3);
  EXPECT_EQ(tok->pad_id(), -1);
  (void)c;
}

// LLaMA-2 folders hold a Metaspace tokenizer.json converted from tokenizer.model: the
// loader reads the model; without it the tokenizer.json is refused with the reason.
TEST_F(TokenizerBadFiles, MetaspaceTokenizerJsonUsesSentencePieceModel) {
  nlohmann::json doc = bpe_json();
  doc["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", "▁"}, {"prepend_scheme", "first"}, {"split", false}};
  put("tokenizer.json", doc.dump());
  expect_error(dir_.string(), {"tokenizer.json", "pre_tokenizer", "Metaspace"});
  copy(kSpm + "/spm.model", "tokenizer.model");
  auto tok = zs::tokenizer_load(dir_.string());
  EXPECT_NE(dynamic_cast<const zs::SpmTokenizer*>(tok.get()), nullptr);
  expect_golden(*tok, golden_read(kSpm + "/golden.json"), DecodeCheck::none);
}

TEST_F(TokenizerBadFiles, SentencePieceModel) {
  const std::string m = put("spm.model", std::string("\x0a\x05garbage-not-a-model", 21));
  expect_error(dir_.string(), {"spm.model", "not a valid SentencePiece model"});
  put("spm.model", "");
  expect_error(m, {"spm.model", "not a valid SentencePiece model"});
  const std::string good = zs::read_file(kSpm + "/spm.model");
  put("tokenizer.model", good.substr(0, good.size() / 2));
  expect_error(dir_.string(), {"tokenizer.model", "not a valid SentencePiece model"});
}

}  // namespace
