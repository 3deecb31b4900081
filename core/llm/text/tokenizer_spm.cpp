// SentencePiece tokenizer through libsentencepiece (Kudo & Richardson 2018); encode and
// decode are the library's own, as in the Python `sentencepiece` package.
#include "core/llm/text/tokenizer_spm.h"

#include <sentencepiece_processor.h>

#include <algorithm>

#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs {

namespace {

// The library's status text on one line, without its source location for parse failures.
std::string status_line(const sentencepiece::util::Status& s) {
  std::string msg = s.message();
  if (msg.find("ParseFromArray") != std::string::npos) return "protobuf parse failed (truncated or not a model)";
  std::replace(msg.begin(), msg.end(), '\n', ' ');
  while (!msg.empty() && msg.back() == ' ') msg.pop_back();
  return msg;
}

}  // namespace

SpmTokenizer::SpmTokenizer(const std::string& path) : sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {
  const std::string bytes = read_file(path);
  const auto st = sp_->LoadFromSerializedProto(bytes);
  if (!st.ok()) fail(path, "not a valid SentencePiece model: " + status_line(st));
  SpecialIds ids;
  ids.unk = sp_->unk_id();
  ids.bos = sp_->bos_id();
  ids.eos = sp_->eos_id();
  ids.pad = sp_->pad_id();
  set_special_ids(ids);
}

SpmTokenizer::~SpmTokenizer() = default;

std::vector<int32_t> SpmTokenizer::encode(std::string_view text) const {
  std::vector<int> ids;
  const auto st = sp_->Encode(text, &ids);
  if (!st.ok()) fail("tokenizer", "SentencePiece encode failed: " + status_line(st));
  return std::vector<int32_t>(ids.begin(), ids.end());
}

std::string SpmTokenizer::decode(std::span<const int32_t> ids) const {
  const int32_t n = vocab_size();
  for (int32_t id : ids)
    if (id < 0 || id >= n) fail("tokenizer", "id " + std::to_string(id) + " is outside [0, " + std::to_string(n) + ")");
  std::string text;
  const auto st = sp_->Decode(std::vector<int>(ids.begin(), ids.end()), &text);
  if (!st.ok()) fail("tokenizer", "SentencePiece decode failed: " + status_line(st));
  return text;
}

int32_t SpmTokenizer::vocab_size() const { return sp_->GetPieceSize(); }

int32_t SpmTokenizer::token_to_id(std::string_view token) const {
  // PieceToId answers unk for an unknown piece; only the unk piece itself maps there.
  const int id = sp_->PieceToId(token);
  return id == sp_->unk_id() && sp_->IdToPiece(id) != token ? -1 : id;
}

std::string SpmTokenizer::id_to_token(int32_t id) const {
  if (id < 0 || id >= vocab_size())
    fail("tokenizer", "id " + std::to_string(id) + " is outside [0, " + std::to_string(vocab_size()) + ")");
  return sp_->IdToPiece(id);
}

}  // namespace zs
