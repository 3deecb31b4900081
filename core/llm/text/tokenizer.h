// Tokenizer interface of LLM mode and its loader. Two schemes sit behind it: byte-level
// BPE (GPT-2 encoder.py / HF `tokenizers` semantics, tokenizer_bpe.h) and SentencePiece
// (libsentencepiece, tokenizer_spm.h). Both are checked id-for-id against the reference
// Python stack (tests/data/fixtures/tok-*/golden.json).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zs {

// Ids of the tokens with a role; -1 where the tokenizer has none.
struct SpecialIds {
  int32_t bos = -1;
  int32_t eos = -1;
  int32_t pad = -1;
  int32_t unk = -1;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Text (UTF-8) -> ids exactly as the reference tokenizer's encode without special
  // tokens added (HF `encode(text, add_special_tokens=False)`,
  // `SentencePieceProcessor.encode(text)`). Throws zs::Error on invalid UTF-8 (BPE).
  virtual std::vector<int32_t> encode(std::string_view text) const = 0;
  // Ids -> text. BPE: the exact concatenation of the tokens' bytes, added/special tokens
  // as their text (so it is invalid UTF-8 where a character's bytes were cut apart).
  // SentencePiece: as its Decode (control tokens such as <s> give nothing). Throws
  // zs::Error on an id outside [0, vocab_size()).
  virtual std::string decode(std::span<const int32_t> ids) const = 0;
  // One more than the largest id (added tokens included).
  virtual int32_t vocab_size() const = 0;
  // -1 when absent. Looks up the token's own string (byte-level form for BPE, e.g.
  // "Ġthe"; the piece for SentencePiece, e.g. "▁the").
  virtual int32_t token_to_id(std::string_view token) const = 0;
  // The token's own string; "" for an id no token uses; zs::Error outside [0, vocab_size()).
  virtual std::string id_to_token(int32_t id) const = 0;

  int32_t bos_id() const { return special_.bos; }
  int32_t eos_id() const { return special_.eos; }
  int32_t pad_id() const { return special_.pad; }
  int32_t unk_id() const { return special_.unk; }
  const SpecialIds& special_ids() const { return special_; }
  // Caller override (e.g. from the model's config.json: OPT uses `</s>` as BOS). Each id
  // must be -1 or in [0, vocab_size()), else zs::Error.
  void set_special_ids(const SpecialIds& ids);

  // encode(text) with bos_id() in front when add_bos; zs::Error when add_bos and the
  // tokenizer has no BOS.
  std::vector<int32_t> encode_for_model(std::string_view text, bool add_bos) const;

 private:
  SpecialIds special_;
};

// Loads a tokenizer from a folder or a file; every problem is one zs::Error line naming
// the file and the field or line.
// Folder: tokenizer.json, else vocab.json + merges.txt, else tokenizer.model, else
// spm.model. File: *.json other than vocab.json = tokenizer.json format; vocab.json or
// merges.txt = that pair (the other file beside it); anything else = SentencePiece model.
// A tokenizer.json without a ByteLevel pre-tokenizer (LLaMA-2's Metaspace BPE) is read
// from the SentencePiece model beside it, which it was converted from.
// Special ids, first found wins: special_tokens_map.json, tokenizer_config.json
// (bos_token, eos_token, pad_token, unk_token: a string, {"content": ...}, or null for
// none), the model itself (SentencePiece ids; tokenizer.json model.unk_token), then
// well-known tokens in the vocabulary: bos `<s>`, `<|begin_of_text|>`, `<|endoftext|>`;
// eos `</s>`, `<|end_of_text|>`, `<|endoftext|>`; pad `<pad>`; unk `<unk>`.
std::unique_ptr<Tokenizer> tokenizer_load(const std::string& path);

}  // namespace zs
