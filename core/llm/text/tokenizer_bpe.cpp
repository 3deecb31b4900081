// Byte-level BPE: readers of vocab.json + merges.txt and tokenizer.json, and the encoder.
// Reference: GPT-2 encoder.py (bytes_to_unicode, split regex, merges by rank) and HF
// `tokenizers` 0.2x (AddedVocabulary::find_matches, pre_tokenizers::{ByteLevel, Split,
// Sequence}, models::bpe::Word::merge_all, decoders::ByteLevel).
#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/llm/text/tokenizer_bpe.h"

#include <pcre2.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <queue>

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/json_read.h"

namespace zs {

const char* const kGpt2SplitPattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

// ---------------------------------------------------------------------------------------
// [SECTION] UTF-8 and the GPT-2 byte <-> character mapping

void utf8_append(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// Length of the sequence starting at s[i] if it is well-formed UTF-8 (no overlongs, no
// surrogates, <= U+10FFFF), else 0.
size_t utf8_seq_len(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return uint8_t(s[i + k]); };
  const uint8_t c = b(0);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(k) & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
  if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
  if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
  if (c == 0xF4 && b(1) >= 0x90) return 0;  // > U+10FFFF
  return n;
}

void utf8_check(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_seq_len(s, i);
    if (n == 0) fail("tokenizer", "input text is not valid UTF-8 at byte " + std::to_string(i));
    i += n;
  }
}

// Decodes the code point at s[i] (s valid UTF-8) and advances i.
uint32_t utf8_next(std::string_view s, size_t& i) {
  const uint8_t c = uint8_t(s[i]);
  const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (uint8_t(s[i + k]) & 0x3F);
  i += n;
  return cp;
}

// Start of the code point that ends at s[end] (exclusive), s valid UTF-8.
size_t utf8_prev(std::string_view s, size_t end) {
  size_t i = end - 1;
  while (i > 0 && (uint8_t(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

// Unicode White_Space (Rust char::is_whitespace, used by HF for lstrip/rstrip).
bool is_unicode_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// GPT-2 bytes_to_unicode: printable Latin-1 bytes map to themselves, the other 68 bytes to
// U+0100.. in byte order, so every byte is one visible character.
std::array<uint32_t, 256> bytes_to_unicode() {
  std::array<uint32_t, 256> cp{};
  uint32_t n = 0;
  for (uint32_t b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    cp[b] = printable ? b : 256 + n++;
  }
  return cp;
}

// ---------------------------------------------------------------------------------------
// [SECTION] PCRE2 wrapper

struct Pcre2CodeFree {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
struct Pcre2MatchDataFree {
  void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};
using Pcre2Code = std::unique_ptr<pcre2_code, Pcre2CodeFree>;
using Pcre2MatchData = std::unique_ptr<pcre2_match_data, Pcre2MatchDataFree>;

std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  pcre2_get_error_message(code, buf, sizeof buf);
  return reinterpret_cast<const char*>(buf);
}

// UTF + UCP: \s, \p{L}, \p{N} are the Unicode classes, as in the `regex` module (GPT-2) and
// Oniguruma (HF tokenizers).
Pcre2Code regex_compile(const std::string& pattern, bool literal, const std::string& where) {
  int err = 0;
  PCRE2_SIZE off = 0;
  const uint32_t opts = PCRE2_UTF | (literal ? PCRE2_LITERAL : PCRE2_UCP);
  Pcre2Code code(
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), opts, &err, &off, nullptr));
  if (!code) fail(where, "bad regex at offset " + std::to_string(off) + ": " + pcre2_message(err));
  pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE);  // falls back to the interpreter when JIT is unavailable
  return code;
}

// Calls emit(offset, length) for the pieces of s: matches and the gaps between them
// (HF Split "Isolated"), or only the gaps (remove_matches, "Removed"). Empty pieces are
// dropped, as HF does.
template <class Emit>
void regex_split(const pcre2_code* code, pcre2_match_data* md, std::string_view s, bool remove_matches, Emit&& emit) {
  size_t pos = 0, last = 0;
  const auto subject = reinterpret_cast<PCRE2_SPTR>(s.data());
  while (pos < s.size()) {
    const int rc = pcre2_match(code, subject, s.size(), pos, PCRE2_NO_UTF_CHECK, md, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) fail("tokenizer", "pre-tokenizer regex failed: " + pcre2_message(rc));
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    const size_t ms = ov[0], me = ov[1];
    if (me <= ms) {  // empty match: step over one character
      pos = ms + std::max<size_t>(1, utf8_seq_len(s, ms));
      continue;
    }
    if (ms > last) emit(last, ms - last);
    if (!remove_matches) emit(ms, me - ms);
    last = pos = me;
  }
  if (last < s.size()) emit(last, s.size() - last);
}

// ---------------------------------------------------------------------------------------
// [SECTION] Readers

// Ids index dense tables; the largest vocabularies in use are ~256k.
constexpr int64_t kMaxTokenId = int64_t(1) << 24;

// j[key] as a string, `fallback` when absent or null; zs::Error when of another type.
std::string string_field(const nlohmann::json& j, const char* key, const std::string& fallback,
                         const std::string& where) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
  if (!j[key].is_string()) fail(where, std::string(key) + ": expected a string");
  return j[key].get<std::string>();
}

void check_bool(const nlohmann::json& j, const char* key, const std::string& where, bool& out) {
  if (!j.contains(key) || j[key].is_null()) return;
  if (!j[key].is_boolean()) fail(where, std::string(key) + ": expected true or false");
  out = j[key].get<bool>();
}

// Fills model.vocab from a JSON object; `where` names the file and field for messages.
void vocab_from_json(const nlohmann::json& j, const std::string& where, BpeModel& model) {
  if (!j.is_object()) fail(where, "vocabulary is not a JSON object of token -> id");
  model.vocab.reserve(j.size());
  std::unordered_map<int32_t, const std::string*> seen;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const nlohmann::json& v = it.value();
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() >= kMaxTokenId)
      fail(where, "token '" + it.key() + "': id must be an integer in [0, 2^24)");
    const auto id = int32_t(v.get<int64_t>());
    auto [pos, fresh] = model.vocab.emplace(it.key(), id);
    auto [prev, unique] = seen.emplace(id, &pos->first);
    if (!unique) fail(where, "id " + std::to_string(id) + " is used by '" + *prev->second + "' and '" + it.key() + "'");
    (void)fresh;
  }
}

int32_t vocab_find(const BpeModel& model, const std::string& token, const std::string& where, const char* what) {
  auto it = model.vocab.find(token);
  if (it == model.vocab.end()) fail(where, std::string(what) + " '" + token + "' is not in the vocabulary");
  return it->second;
}

void merge_add(BpeModel& model, const std::string& left, const std::string& right, const std::string& where) {
  BpeModel::Merge m;
  m.left = vocab_find(model, left, where, "token");
  m.right = vocab_find(model, right, where, "token");
  m.merged = vocab_find(model, left + right, where, "merged token");
  model.merges.push_back(m);
}

// "a b" -> merge; anything but two tokens separated by one space is an error.
void merge_add_line(BpeModel& model, std::string_view line, const std::string& where) {
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp + 1 == line.size() ||
      line.find(' ', sp + 1) != std::string_view::npos)
    fail(where, "expected two tokens separated by one space, got '" + std::string(line) + "'");
  merge_add(model, std::string(line.substr(0, sp)), std::string(line.substr(sp + 1)), where);
}

BpePreStep byte_level_step(const nlohmann::json& j, const std::string& where) {
  BpePreStep step;
  bool use_regex = true;
  check_bool(j, "add_prefix_space", where, step.prefix_space);
  check_bool(j, "use_regex", where, use_regex);
  if (use_regex) step.pattern = kGpt2SplitPattern;
  return step;
}

BpePreStep split_step(const nlohmann::json& j, const std::string& where) {
  BpePreStep step;
  const nlohmann::json& pat = j.contains("pattern") ? j["pattern"] : nlohmann::json();
  if (pat.is_object() && pat.contains("Regex") && pat["Regex"].is_string()) {
    step.pattern = pat["Regex"].get<std::string>();
  } else if (pat.is_object() && pat.contains("String") && pat["String"].is_string()) {
    step.pattern = pat["String"].get<std::string>();
    step.literal = true;
  } else {
    fail(where, "pattern: expected {\"Regex\": \"...\"} or {\"String\": \"...\"}");
  }
  if (step.pattern.empty()) fail(where, "pattern: empty");
  regex_compile(step.pattern, step.literal, where + ".pattern");
  const std::string behavior = string_field(j, "behavior", "Isolated", where);
  if (behavior == "Removed")
    step.remove_matches = true;
  else if (behavior != "Isolated")
    fail(where, "behavior: '" + behavior + "' is not supported (Isolated, Removed)");
  bool invert = false;
  check_bool(j, "invert", where, invert);
  if (invert) fail(where, "invert: true is not supported");
  return step;
}

// ByteLevel, or Sequence of Split... then ByteLevel last (its byte mapping must see raw text).
std::vector<BpePreStep> pre_steps_from_json(const nlohmann::json& j, const std::string& where) {
  const std::string type = string_field(j, "type", "", where);
  if (type.empty()) fail(where, "expected an object with a \"type\"");
  if (type == "ByteLevel") return {byte_level_step(j, where)};
  if (type == "Metaspace")
    fail(where, "type: 'Metaspace' (SentencePiece-style) needs the tokenizer.model beside the tokenizer.json");
  if (type != "Sequence")
    fail(where, "type: '" + type + "' is not supported (ByteLevel, or a Sequence of Split and ByteLevel)");
  if (!j.contains("pretokenizers") || !j["pretokenizers"].is_array()) fail(where, "pretokenizers: expected an array");
  const nlohmann::json& seq = j["pretokenizers"];
  std::vector<BpePreStep> steps;
  for (size_t i = 0; i < seq.size(); ++i) {
    const std::string at = where + ".pretokenizers[" + std::to_string(i) + "]";
    const nlohmann::json& s = seq[i];
    const std::string t = string_field(s, "type", "", at);
    if (t == "Split" && i + 1 < seq.size()) {
      steps.push_back(split_step(s, at));
    } else if (t == "ByteLevel" && i + 1 == seq.size()) {
      steps.push_back(byte_level_step(s, at));
    } else {
      fail(at, "type: '" + t + "' is not supported here (Split steps, then ByteLevel last)");
    }
  }
  if (steps.empty()) fail(where, "pretokenizers: empty (needs a ByteLevel step)");
  return steps;
}

void added_from_json(const nlohmann::json& j, const std::string& where, BpeModel& model) {
  if (j.is_null()) return;
  if (!j.is_array()) fail(where, "expected an array");
  std::unordered_map<int32_t, const std::string*> vocab_by_id;
  for (const auto& [tok, id] : model.vocab) vocab_by_id.emplace(id, &tok);
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    const nlohmann::json& t = j[i];
    if (!t.is_object() || !t.contains("id") || !t["id"].is_number_integer() || !t.contains("content") ||
        !t["content"].is_string())
      fail(at, "expected {\"id\": <int>, \"content\": <string>, ...}");
    AddedToken a;
    const int64_t id = t["id"].get<int64_t>();
    if (id < 0 || id >= kMaxTokenId) fail(at, "id: must be in [0, 2^24)");
    a.id = int32_t(id);
    a.content = t["content"].get<std::string>();
    check_bool(t, "single_word", at, a.single_word);
    check_bool(t, "lstrip", at, a.lstrip);
    check_bool(t, "rstrip", at, a.rstrip);
    check_bool(t, "normalized", at, a.normalized);
    // An added token may repeat a vocabulary entry (HF lists <s> in both), never take the
    // id of a different one.
    auto other = vocab_by_id.find(a.id);
    if (other != vocab_by_id.end() && *other->second != a.content)
      fail(at, "id " + std::to_string(a.id) + " belongs to vocabulary token '" + *other->second + "', not '" +
                   a.content + "'");
    model.added.push_back(std::move(a));
  }
}

bool json_has_byte_level(const nlohmann::json& j) {
  if (!j.is_object()) return false;
  if (j.contains("type") && j["type"] == "ByteLevel") return true;
  if (j.contains("pretokenizers") && j["pretokenizers"].is_array())
    for (const auto& s : j["pretokenizers"])
      if (json_has_byte_level(s)) return true;
  return false;
}

}  // namespace

nlohmann::json tokenizer_json_read(const std::string& path) {
  return json_load(path);
}

BpeModel bpe_model_read_vocab_merges(const std::string& vocab_path, const std::string& merges_path) {
  BpeModel model;
  vocab_from_json(tokenizer_json_read(vocab_path), vocab_path, model);
  const std::string text = read_file(merges_path);
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || (line_no == 1 && line.starts_with("#version"))) continue;
    merge_add_line(model, line, merges_path + ":" + std::to_string(line_no));
  }
  model.pre_steps.push_back(BpePreStep{false, kGpt2SplitPattern, false, false});
  return model;
}

void bpe_model_add_tokens_decoder(BpeModel& model, const nlohmann::json& decoder, const std::string& where) {
  if (!decoder.is_object()) fail(where, "expected an object of id -> token");
  nlohmann::json list = nlohmann::json::array();
  for (auto it = decoder.begin(); it != decoder.end(); ++it) {
    const std::string& key = it.key();
    if (key.empty() || key.size() > 10 || key.find_first_not_of("0123456789") != std::string::npos)
      fail(where, "key '" + key + "' is not a token id");
    nlohmann::json t = it.value();
    if (!t.is_object()) fail(where, "entry '" + key + "' is not an object");
    t["id"] = std::stoll(key);
    list.push_back(std::move(t));
  }
  added_from_json(list, where, model);
}

bool bpe_json_is_byte_level(const nlohmann::json& doc) {
  return doc.is_object() && doc.contains("pre_tokenizer") && json_has_byte_level(doc["pre_tokenizer"]);
}

BpeModel bpe_model_from_json(const nlohmann::json& doc, const std::string& where) {
  if (!doc.is_object()) fail(where, "expected a JSON object");
  if (!doc.contains("model") || !doc["model"].is_object()) fail(where, "model: missing or not an object");
  const nlohmann::json& m = doc["model"];
  const std::string type = string_field(m, "type", "BPE", where + ": model");
  if (type != "BPE") fail(where, "model.type: '" + type + "' is not supported (BPE)");
  if (doc.contains("normalizer") && !doc["normalizer"].is_null()) {
    const std::string nt = string_field(doc["normalizer"], "type", "?", where + ": normalizer");
    fail(where, "normalizer: '" + nt + "' is not supported (byte-level BPE without a normalizer)");
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
    if (m.contains(key) && !m[key].is_null() && !(m[key].is_string() && m[key].get<std::string>().empty()))
      fail(where, std::string("model.") + key + ": not supported");
  // Dropout would make encoding random; HF applies it only when set above 0.
  if (m.contains("dropout") && !m["dropout"].is_null() &&
      !(m["dropout"].is_number() && m["dropout"].get<double>() == 0))
    fail(where, "model.dropout: BPE dropout is not supported");

  BpeModel model;
  if (!m.contains("vocab")) fail(where, "model.vocab: missing");
  vocab_from_json(m["vocab"], where + ": model.vocab", model);
  if (!m.contains("merges") || !m["merges"].is_array()) fail(where, "model.merges: missing or not an array");
  const nlohmann::json& merges = m["merges"];
  model.merges.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const std::string at = where + ": model.merges[" + std::to_string(i) + "]";
    const nlohmann::json& e = merges[i];
    if (e.is_string()) {
      merge_add_line(model, e.get<std::string>(), at);
    } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
      merge_add(model, e[0].get<std::string>(), e[1].get<std::string>(), at);
    } else {
      fail(at, "expected \"a b\" or [\"a\", \"b\"]");
    }
  }
  check_bool(m, "byte_fallback", where + ": model", model.byte_fallback);
  check_bool(m, "fuse_unk", where + ": model", model.fuse_unk);
  check_bool(m, "ignore_merges", where + ": model", model.ignore_merges);
  if (m.contains("unk_token") && !m["unk_token"].is_null()) {
    if (!m["unk_token"].is_string()) fail(where, "model.unk_token: expected a string or null");
    model.unk = vocab_find(model, m["unk_token"].get<std::string>(), where + ": model.unk_token", "token");
  }
  if (!doc.contains("pre_tokenizer") || doc["pre_tokenizer"].is_null())
    fail(where, "pre_tokenizer: missing (byte-level BPE needs a ByteLevel pre-tokenizer)");
  model.pre_steps = pre_steps_from_json(doc["pre_tokenizer"], where + ": pre_tokenizer");
  if (doc.contains("added_tokens")) added_from_json(doc["added_tokens"], where + ": added_tokens", model);
  return model;
}

// ---------------------------------------------------------------------------------------
// [SECTION] Encoder

namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

struct MergeRule {
  int32_t rank, merged;
};

uint64_t pair_key(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

// Initial symbols of one byte of a pre-token: the id of its mapped character, or its
// <0xXX> fallback ids, or unk, or nothing (HF drops characters it cannot represent).
struct ByteSymbol {
  std::array<int32_t, 2> ids{};
  uint8_t n = 0;
  bool unk = false;
};

// Words longer than this are not cached (HF uses the same bound).
constexpr size_t kCacheMaxWordBytes = 256;
constexpr size_t kCacheMaxEntries = 1 << 16;

}  // namespace

struct BpeTokenizer::Impl {
  StringMap<int32_t> vocab;
  std::vector<std::string> id_token;  // token string per id ("" where no token has the id)
  std::vector<std::string> id_bytes;  // decoded bytes per id
  std::vector<uint8_t> id_added;      // 1 where the id is an added token
  std::unordered_map<uint64_t, MergeRule> merges;
  std::vector<AddedToken> added;
  StringMap<int32_t> added_ids;                              // content -> id
  std::array<std::vector<size_t>, 256> added_by_first_byte;  // indices into `added`, longest first
  std::array<std::string, 256> byte_char;                    // GPT-2 mapped character (UTF-8)
  std::array<ByteSymbol, 256> byte_symbol;
  struct Step {
    BpePreStep spec;
    Pcre2Code code;
  };
  std::vector<Step> steps;
  Pcre2Code word_char;  // Rust regex \w (HF's test for added tokens' single_word)
  int32_t unk = -1;
  bool fuse_unk = false;
  bool ignore_merges = false;
  bool byte_fallback = false;

  mutable std::mutex cache_mutex;
  mutable StringMap<std::vector<int32_t>> cache;

  void set_token(int32_t id, const std::string& token);
  void index_added();
  bool is_word_char(std::string_view s, size_t i) const;
  void split_added(std::string_view text, bool normalized_pass,
                   std::vector<std::pair<std::string_view, int32_t>>& out) const;
  std::vector<Pcre2MatchData> match_data() const;
  void pre_tokenize(std::string_view text, std::string& arena, std::vector<std::pair<size_t, size_t>>& spans,
                    const std::vector<Pcre2MatchData>& mds) const;
  void bpe_word(std::string_view word, std::vector<int32_t>& out) const;
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;
};

void BpeTokenizer::Impl::set_token(int32_t id, const std::string& token) {
  if (size_t(id) >= id_token.size()) {
    id_token.resize(size_t(id) + 1);
    id_added.resize(size_t(id) + 1, 0);
  }
  id_token[size_t(id)] = token;
}

void BpeTokenizer::Impl::index_added() {
  added_ids.clear();
  for (const AddedToken& a : added) added_ids.emplace(a.content, a.id);
  for (auto& v : added_by_first_byte) v.clear();
  for (size_t i = 0; i < added.size(); ++i)
    if (!added[i].content.empty()) added_by_first_byte[uint8_t(added[i].content[0])].push_back(i);
  for (auto& v : added_by_first_byte)
    std::stable_sort(v.begin(), v.end(),
                     [&](size_t a, size_t b) { return added[a].content.size() > added[b].content.size(); });
}

bool BpeTokenizer::Impl::is_word_char(std::string_view s, size_t i) const {
  Pcre2MatchData md(pcre2_match_data_create(1, nullptr));
  return pcre2_match(word_char.get(), reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), i,
                     PCRE2_ANCHORED | PCRE2_NO_UTF_CHECK, md.get(), nullptr) > 0;
}

// HF AddedVocabulary::find_matches: leftmost-longest matches of one pass's tokens; a
// single_word token touching a word character is skipped (and the scan resumes after it);
// lstrip/rstrip widen the match over whitespace.
void BpeTokenizer::Impl::split_added(std::string_view text, bool normalized_pass,
                                     std::vector<std::pair<std::string_view, int32_t>>& out) const {
  size_t start_offset = 0;
  for (size_t i = 0; i < text.size();) {
    const AddedToken* hit = nullptr;
    for (size_t k : added_by_first_byte[uint8_t(text[i])]) {
      const AddedToken& a = added[k];
      if (a.normalized == normalized_pass && text.substr(i).starts_with(a.content)) {
        hit = &a;
        break;
      }
    }
    if (!hit) {
      ++i;
      continue;
    }
    size_t start = i, stop = i + hit->content.size();
    i = stop;
    if (hit->single_word) {
      const bool glued_left = start > 0 && is_word_char(text, utf8_prev(text, start));
      const bool glued_right = stop < text.size() && is_word_char(text, stop);
      if (glued_left || glued_right) continue;
    }
    if (hit->lstrip) {
      size_t s = start;
      while (s > 0) {
        const size_t p = utf8_prev(text, s);
        size_t q = p;
        if (!is_unicode_space(utf8_next(text, q))) break;
        s = p;
      }
      start = std::max(s, start_offset);
    }
    if (hit->rstrip) {
      while (stop < text.size()) {
        size_t q = stop;
        if (!is_unicode_space(utf8_next(text, q))) break;
        stop = q;
      }
      i = stop;
    }
    if (start_offset < start) out.emplace_back(text.substr(start_offset, start - start_offset), -1);
    out.emplace_back(text.substr(start, stop - start), hit->id);
    start_offset = stop;
  }
  if (start_offset < text.size()) out.emplace_back(text.substr(start_offset), -1);
}

// Match data per step for one encode call (the compiled patterns are shared by threads).
std::vector<Pcre2MatchData> BpeTokenizer::Impl::match_data() const {
  std::vector<Pcre2MatchData> mds;
  for (const Step& s : steps)
    mds.emplace_back(s.code ? pcre2_match_data_create_from_pattern(s.code.get(), nullptr) : nullptr);
  return mds;
}

// Runs the pre-tokenizer steps over one non-empty text segment; pieces are (offset,
// length) in arena. As HF, every step sees each piece of the previous one on its own, and
// empty pieces are dropped.
void BpeTokenizer::Impl::pre_tokenize(std::string_view text, std::string& arena,
                                      std::vector<std::pair<size_t, size_t>>& spans,
                                      const std::vector<Pcre2MatchData>& mds) const {
  std::string in_arena(text), scratch;
  std::vector<std::pair<size_t, size_t>> in_spans{{0, text.size()}};
  for (size_t k = 0; k < steps.size(); ++k) {
    const Step& step = steps[k];
    arena.clear();
    spans.clear();
    for (const auto& [off, len] : in_spans) {
      std::string_view piece(in_arena.data() + off, len);
      if (step.spec.prefix_space && !piece.starts_with(' ')) {
        scratch.assign(1, ' ');
        scratch += piece;
        piece = scratch;
      }
      if (!step.code) {
        if (!piece.empty()) {
          spans.emplace_back(arena.size(), piece.size());
          arena += piece;
        }
        continue;
      }
      regex_split(step.code.get(), mds[k].get(), piece, step.spec.remove_matches, [&](size_t o, size_t n) {
        spans.emplace_back(arena.size(), n);
        arena.append(piece.data() + o, n);
      });
    }
    if (k + 1 < steps.size()) {
      in_arena.swap(arena);
      in_spans.swap(spans);
    }
  }
}

// HF Word::merge_all: repeatedly merge the pair of lowest rank, leftmost first. The queue
// keeps stale entries; one is skipped when its pair no longer exists.
void BpeTokenizer::Impl::bpe_word(std::string_view word, std::vector<int32_t>& out) const {
  struct Symbol {
    int32_t id;
    int32_t prev, next;
    bool alive;
  };
  std::vector<Symbol> sym;
  sym.reserve(word.size());
  bool last_unk = false;
  for (uint8_t b : word) {
    const ByteSymbol& bs = byte_symbol[b];
    if (bs.unk) {
      if (!(fuse_unk && last_unk)) sym.push_back({unk, 0, 0, true});
      last_unk = true;
      continue;
    }
    last_unk = false;
    for (uint8_t k = 0; k < bs.n; ++k) sym.push_back({bs.ids[k], 0, 0, true});
  }
  const auto n = int32_t(sym.size());
  for (int32_t i = 0; i < n; ++i) {
    sym[size_t(i)].prev = i - 1;
    sym[size_t(i)].next = i + 1 < n ? i + 1 : -1;
  }
  struct Candidate {
    int32_t rank, pos, merged;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
  const auto push_pair = [&](int32_t pos) {
    const int32_t nx = sym[size_t(pos)].next;
    if (nx < 0) return;
    auto it = merges.find(pair_key(sym[size_t(pos)].id, sym[size_t(nx)].id));
    if (it != merges.end()) queue.push({it->second.rank, pos, it->second.merged});
  };
  for (int32_t i = 0; i + 1 < n; ++i) push_pair(i);
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    Symbol& left = sym[size_t(top.pos)];
    if (!left.alive || left.next < 0) continue;
    Symbol& right = sym[size_t(left.next)];
    auto it = merges.find(pair_key(left.id, right.id));
    if (it == merges.end() || it->second.merged != top.merged) continue;
    left.id = top.merged;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) sym[size_t(right.next)].prev = top.pos;
    if (left.prev >= 0) push_pair(left.prev);
    push_pair(top.pos);
  }
  for (const Symbol& s : sym)
    if (s.alive) out.push_back(s.id);
}

void BpeTokenizer::Impl::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  const bool cacheable = word.size() <= kCacheMaxWordBytes;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = cache.find(word);
    if (it != cache.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const size_t first = out.size();
  bool whole = false;
  if (ignore_merges) {
    std::string mapped;
    for (uint8_t b : word) mapped += byte_char[b];
    auto it = vocab.find(mapped);
    if (it != vocab.end()) {
      out.push_back(it->second);
      whole = true;
    }
  }
  if (!whole) bpe_word(word, out);
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mutex);
    if (cache.size() >= kCacheMaxEntries) cache.clear();
    cache.emplace(std::string(word), std::vector<int32_t>(out.begin() + std::ptrdiff_t(first), out.end()));
  }
}

BpeTokenizer::BpeTokenizer(BpeModel model) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.unk = model.unk;
  m.fuse_unk = model.fuse_unk;
  m.ignore_merges = model.ignore_merges;
  m.byte_fallback = model.byte_fallback;
  m.vocab.reserve(model.vocab.size());
  for (auto& [tok, id] : model.vocab) {
    m.set_token(id, tok);
    m.vocab.emplace(tok, id);
  }
  m.merges.reserve(model.merges.size());
  for (size_t r = 0; r < model.merges.size(); ++r) {
    const BpeModel::Merge& mg = model.merges[r];
    // A repeated pair takes its later rank, as HF (it collects the list into a HashMap).
    m.merges.insert_or_assign(pair_key(mg.left, mg.right), MergeRule{int32_t(r), mg.merged});
  }
  const std::array<uint32_t, 256> cps = bytes_to_unicode();
  for (size_t b = 0; b < 256; ++b) {
    utf8_append(m.byte_char[b], cps[b]);
    ByteSymbol& s = m.byte_symbol[b];
    auto it = m.vocab.find(m.byte_char[b]);
    if (it != m.vocab.end()) {
      s.ids[0] = it->second;
      s.n = 1;
      continue;
    }
    if (m.byte_fallback) {  // the mapped character's own UTF-8 bytes, as HF
      const std::string& ch = m.byte_char[b];
      uint8_t found = 0;
      for (size_t k = 0; k < ch.size(); ++k) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", unsigned(uint8_t(ch[k])));
        auto f = m.vocab.find(std::string_view(name));
        if (f != m.vocab.end()) s.ids[found++] = f->second;
      }
      if (found == ch.size()) {
        s.n = found;
        continue;
      }
    }
    s.unk = m.unk >= 0;
  }
  for (auto& step : model.pre_steps) {
    Impl::Step s{step, nullptr};
    if (!step.pattern.empty()) s.code = regex_compile(step.pattern, step.literal, "tokenizer: pre-tokenizer");
    m.steps.push_back(std::move(s));
  }
  m.word_char = regex_compile(R"([\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}])", false, "tokenizer");
  for (AddedToken& a : model.added) {
    if (a.content.empty()) continue;
    m.set_token(a.id, a.content);
    m.id_added[size_t(a.id)] = 1;
    m.added.push_back(std::move(a));
  }
  m.index_added();

  // Decoded bytes per id (HF decoders::ByteLevel: a token maps back through the byte table
  // when every character is in it, else it stays as its own UTF-8; <0xXX> with byte_fallback).
  std::array<int32_t, 0x180> char_byte;
  char_byte.fill(-1);
  for (size_t b = 0; b < 256; ++b) char_byte[cps[b]] = int32_t(b);
  m.id_bytes.resize(m.id_token.size());
  for (size_t id = 0; id < m.id_token.size(); ++id) {
    const std::string& tok = m.id_token[id];
    std::string& out = m.id_bytes[id];
    if (m.id_added[id]) {
      out = tok;
      continue;
    }
    unsigned byte = 0;
    if (m.byte_fallback && tok.size() == 6 && std::sscanf(tok.c_str(), "<0x%2X>", &byte) == 1 && tok.back() == '>') {
      out = std::string(1, char(byte));
      continue;
    }
    for (size_t i = 0; i < tok.size();) {
      const uint32_t cp = utf8_next(tok, i);
      if (cp >= char_byte.size() || char_byte[cp] < 0) {
        out = tok;
        break;
      }
      out += char(char_byte[cp]);
    }
  }
}

BpeTokenizer::~BpeTokenizer() = default;

void BpeTokenizer::add_special_token(int32_t id) {
  Impl& m = *impl_;
  if (id < 0 || size_t(id) >= m.id_token.size() || m.id_token[size_t(id)].empty())
    fail("tokenizer", "special token id " + std::to_string(id) + " is not in the vocabulary");
  if (m.id_added[size_t(id)]) return;
  AddedToken a;
  a.id = id;
  a.content = m.id_token[size_t(id)];
  m.id_added[size_t(id)] = 1;
  m.id_bytes[size_t(id)] = a.content;
  m.added.push_back(std::move(a));
  m.index_added();
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view text) const {
  const Impl& m = *impl_;
  utf8_check(text);
  std::vector<std::pair<std::string_view, int32_t>> first, segments;
  m.split_added(text, false, first);
  for (const auto& [seg, id] : first) {
    if (id >= 0)
      segments.emplace_back(seg, id);
    else
      m.split_added(seg, true, segments);
  }
  const std::vector<Pcre2MatchData> mds = m.match_data();
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 3 + 1);
  std::string arena;
  std::vector<std::pair<size_t, size_t>> spans;
  for (const auto& [seg, id] : segments) {
    if (id >= 0) {
      ids.push_back(id);
      continue;
    }
    m.pre_tokenize(seg, arena, spans, mds);
    for (const auto& [off, len] : spans) m.encode_word(std::string_view(arena.data() + off, len), ids);
  }
  return ids;
}

std::vector<std::string> BpeTokenizer::pre_tokenize(std::string_view text) const {
  const Impl& m = *impl_;
  utf8_check(text);
  std::string arena;
  std::vector<std::pair<size_t, size_t>> spans;
  if (!text.empty()) m.pre_tokenize(text, arena, spans, m.match_data());
  std::vector<std::string> out;
  for (const auto& [off, len] : spans) out.emplace_back(arena.substr(off, len));
  return out;
}

std::string BpeTokenizer::decode(std::span<const int32_t> ids) const {
  const Impl& m = *impl_;
  std::string out;
  for (int32_t id : ids) {
    if (id < 0 || size_t(id) >= m.id_bytes.size())
      fail("tokenizer", "id " + std::to_string(id) + " is outside [0, " + std::to_string(m.id_bytes.size()) + ")");
    out += m.id_bytes[size_t(id)];
  }
  return out;
}

int32_t BpeTokenizer::vocab_size() const { return int32_t(impl_->id_token.size()); }

int32_t BpeTokenizer::token_to_id(std::string_view token) const {
  const Impl& m = *impl_;
  if (auto a = m.added_ids.find(token); a != m.added_ids.end()) return a->second;
  auto it = m.vocab.find(token);
  return it == m.vocab.end() ? -1 : it->second;
}

std::string BpeTokenizer::id_to_token(int32_t id) const {
  if (id < 0 || id >= vocab_size())
    fail("tokenizer", "id " + std::to_string(id) + " is outside [0, " + std::to_string(vocab_size()) + ")");
  return impl_->id_token[size_t(id)];
}

}  // namespace zs
