// SentencePiece tokenizer (LLaMA-2 / TinyLlama tokenizer.model) through libsentencepiece,
// so encoding is exactly `SentencePieceProcessor.encode(text)` of the reference.
#pragma once
#include <memory>
#include <string>

#include "core/llm/text/tokenizer.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace zs {

class SpmTokenizer final : public Tokenizer {
 public:
  // Reads a serialized ModelProto; zs::Error("<path>: ...") when unreadable or corrupt.
  // Special ids start as the model's own (unk, bos, eos, pad; -1 where disabled).
  explicit SpmTokenizer(const std::string& path);
  ~SpmTokenizer() override;

  std::vector<int32_t> encode(std::string_view text) const override;
  std::string decode(std::span<const int32_t> ids) const override;
  int32_t vocab_size() const override;
  int32_t token_to_id(std::string_view token) const override;
  std::string id_to_token(int32_t id) const override;

 private:
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
};

}  // namespace zs
