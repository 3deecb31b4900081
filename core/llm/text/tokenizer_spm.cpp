// SentencePiece tokenizer through libsentencepiece (Kudo & Richardson 2018); encode and
// decode are the library's own, as in the Python `sentencepiece` package.
#include "core/llm/text/tokenizer_spm.h"

#include <sentencepiece_processor.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string_view>

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

// Protobuf wire format (protobuf.dev/programming-guides/encoding): reads a varint at p.
bool varint(std::string_view b, size_t& p, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && p < b.size(); shift += 7) {
    const auto c = static_cast<unsigned char>(b[p++]);
    v |= static_cast<uint64_t>(c & 0x7f) << shift;
    if (!(c & 0x80)) return true;
  }
  return false;
}

// Calls f(field, wire_type, payload) for each field of a message; false on malformed input.
template <class F>
bool each_field(std::string_view b, F&& f) {
  size_t p = 0;
  while (p < b.size()) {
    uint64_t key = 0, len = 0;
    if (!varint(b, p, key)) return false;
    const int wire = static_cast<int>(key & 7);
    std::string_view payload;
    if (wire == 0) {
      if (!varint(b, p, len)) return false;
    } else if (wire == 1 || wire == 5) {
      const size_t n = wire == 1 ? 8 : 4;
      if (b.size() - p < n) return false;
      p += n;
    } else if (wire == 2) {
      if (!varint(b, p, len) || len > b.size() - p) return false;
      payload = b.substr(p, len);
      p += len;
    } else {
      return false;
    }
    f(key >> 3, wire, payload);
  }
  return true;
}

// libsentencepiece builds its piece trie with Darts, which throws through the library
// (std::terminate) on a piece with a NUL byte, an empty piece or a repeated one (found by
// tests/fuzz/fuzz_spm_model): check ModelProto.pieces[].piece (fields 1.1) first. A
// malformed message is left to the library's own parser, which reports it.
void check_pieces(std::string_view model, const std::string& path) {
  std::set<std::string_view> seen;
  int64_t index = 0;
  each_field(model, [&](uint64_t field, int wire, std::string_view piece_msg) {
    if (field != 1 || wire != 2) return;
    each_field(piece_msg, [&](uint64_t f, int w, std::string_view text) {
      if (f != 1 || w != 2) return;
      const std::string at = "piece " + std::to_string(index);
      if (text.empty()) fail(path, "not a valid SentencePiece model: " + at + " is empty");
      if (text.find('\0') != std::string_view::npos) fail(path, "not a valid SentencePiece model: " + at + " holds a NUL byte");
      if (!seen.insert(text).second) fail(path, "not a valid SentencePiece model: " + at + " repeats an earlier piece");
    });
    ++index;
  });
}

}  // namespace

SpmTokenizer::SpmTokenizer(const std::string& path) : sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {
  const std::string bytes = read_file(path);
  check_pieces(bytes, path);
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
