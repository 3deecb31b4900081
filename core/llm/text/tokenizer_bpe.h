// Byte-level BPE (GPT-2 / OPT / LLaMA-3 scheme). Reference: GPT-2 encoder.py
// (bytes_to_unicode, the split regex, merges by rank) with the semantics of HF
// `tokenizers` 0.2x where they go further: added tokens matched before pre-tokenisation,
// Split + ByteLevel pre-tokenizer sequences, ignore_merges, byte_fallback, unk/fuse_unk,
// and the merge order (lowest rank first, leftmost first among equal ranks).
// Regexes run on PCRE2 (UTF + UCP, JIT). Known gap: the system PCRE2 10.42 has Unicode 14
// tables, HF's Oniguruma Unicode 16, so the ~9.4k letters/digits assigned in Unicode
// 15-16 (and U+180E) split as punctuation here; every other code point splits as the
// reference does (tests/data/tokenizers/bpe_unicode_classes.json).
#pragma once
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/llm/text/tokenizer.h"

namespace zs {

// A token matched verbatim in the raw text before pre-tokenisation (HF AddedToken).
struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool single_word = false;  // only where no word character touches it on either side
  bool lstrip = false;       // also takes the whitespace on its left
  bool rstrip = false;       // also takes the whitespace on its right
  bool normalized = false;   // matched in the second pass (HF: after normalisation)
};

// One step of the pre-tokenizer, applied to every piece left by the previous step.
struct BpePreStep {
  bool prefix_space = false;    // ByteLevel add_prefix_space: ' ' before a piece not starting with one
  std::string pattern;          // PCRE2 pattern splitting the piece; "" = no split
  bool literal = false;         // pattern is a plain string (HF Split {"String": ...})
  bool remove_matches = false;  // HF Split behavior "Removed" (else "Isolated": matches and gaps kept)
};

// Everything BpeTokenizer needs, as read from tokenizer.json or vocab.json + merges.txt.
struct BpeModel {
  struct Merge {
    int32_t left = -1, right = -1, merged = -1;
  };
  std::unordered_map<std::string, int32_t> vocab;  // byte-level strings ("Ġthe") -> id
  std::vector<Merge> merges;                       // in rank order
  std::vector<AddedToken> added;
  std::vector<BpePreStep> pre_steps;
  int32_t unk = -1;            // model.unk_token: for characters not in the vocabulary (else dropped, as HF)
  bool byte_fallback = false;  // unknown characters as <0xXX> tokens
  bool fuse_unk = false;       // consecutive unknowns give one unk
  bool ignore_merges = false;  // a whole pre-token found in the vocabulary is one token (LLaMA-3)
};

// Parses a JSON file of a tokenizer folder; zs::Error("<path>: malformed JSON: ...").
nlohmann::json tokenizer_json_read(const std::string& path);
// Reads vocab.json + merges.txt (GPT-2 / OPT files): ByteLevel pre-tokenizer with the GPT-2
// regex and no prefix space. zs::Error names the file and the key or line.
BpeModel bpe_model_read_vocab_merges(const std::string& vocab_path, const std::string& merges_path);
// Interprets a parsed tokenizer.json (`where` = its path, for messages). zs::Error names the
// field, e.g. "tokenizer.json: model.merges[12]: token 'xy' is not in the vocabulary".
BpeModel bpe_model_from_json(const nlohmann::json& doc, const std::string& where);
// Adds tokenizer_config.json's "added_tokens_decoder" ({"<id>": {"content": ..., "special":
// ...}}), the added tokens of a vocab.json + merges.txt pair.
void bpe_model_add_tokens_decoder(BpeModel& model, const nlohmann::json& decoder, const std::string& where);
// True when the tokenizer.json's pre-tokenizer contains a ByteLevel step (else it is a
// SentencePiece-style Metaspace BPE, which this class does not implement).
bool bpe_json_is_byte_level(const nlohmann::json& doc);

// encode/decode/pre_tokenize are safe to call from several threads (the per-word cache is
// locked); add_special_token and set_special_ids are not.
class BpeTokenizer final : public Tokenizer {
 public:
  // Compiles the pre-tokenizer regexes (the readers have checked them, and the ids).
  explicit BpeTokenizer(BpeModel model);
  ~BpeTokenizer() override;

  std::vector<int32_t> encode(std::string_view text) const override;
  std::string decode(std::span<const int32_t> ids) const override;
  int32_t vocab_size() const override;
  int32_t token_to_id(std::string_view token) const override;
  std::string id_to_token(int32_t id) const override;

  // Pieces of a text without added tokens after the pre-tokenizer, before the byte mapping.
  std::vector<std::string> pre_tokenize(std::string_view text) const;
  // Registers a token as an added special token (matched verbatim in text); it must
  // already be in the vocabulary. No-op if it already is an added token.
  void add_special_token(int32_t id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zs
