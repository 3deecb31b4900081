// safetensors reader/writer: every validation failure on a crafted file (one-line error
// naming the file and the tensor), sharded index checks, writer -> reader round trip, and
// the committed transformers fixtures.
#include <gtest/gtest.h>
#include <unistd.h>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>
#include "core/llm/io/safetensors.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace {

namespace fs = std::filesystem;
using zs::st::DType;

// A fresh folder per test, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("zs_st_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

// Raw file image: u64 header length (or `len` when given), the header text, `data` bytes.
std::string image(const std::string& header, size_t data = 0, std::optional<uint64_t> len = {}) {
  const uint64_t n = len ? *len : header.size();
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  return out + header + std::string(data, '\x01');
}

// Expects File::open of `bytes` (written to disk) to fail with a message containing every
// one of `parts` and the file name, on one line.
void expect_bad(const std::string& bytes, const std::vector<std::string>& parts) {
  TempDir dir;
  const std::string path = dir.file("bad.safetensors");
  zs::atomic_write(path, bytes);
  try {
    zs::st::File::open(path);
    FAIL() << "no error for " << bytes.substr(8, 200);
  } catch (const zs::Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape, uint64_t b,
                  uint64_t e) {
  return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" +
         std::to_string(b) + "," + std::to_string(e) + "]}";
}

TEST(Safetensors, ReadsValidFileWithMetadataAndUnalignedHeader) {
  // 2x3 F32 + 4 BF16 + scalar I64, header length deliberately not a multiple of 8.
  std::string h = "{\"__metadata__\":{\"format\":\"pt\"}," + entry("a", "F32", "[2,3]", 0, 24) + "," +
                  entry("b", "BF16", "[4]", 24, 32) + "," + entry("c", "I64", "[]", 32, 40) + "}";
  if (h.size() % 8 == 0) h += " ";
  std::string img = image(h, 40);
  const std::string bytes_copy = img;
  const auto f = zs::st::File::parse(std::as_bytes(std::span(bytes_copy.data(), bytes_copy.size())), "mem");
  ASSERT_EQ(f.tensors().size(), 3u);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  const auto& a = f.get("a");
  EXPECT_EQ(a.dtype, DType::F32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.numel(), 6);
  EXPECT_EQ(a.bytes.size(), 24u);
  EXPECT_EQ(f.get("c").numel(), 1);
  EXPECT_EQ(f.get("b").bytes.data(), a.bytes.data() + 24);
  EXPECT_EQ(f.find("zzz"), nullptr);
  EXPECT_THROW(f.get("zzz"), zs::Error);
}

TEST(Safetensors, RejectsTruncatedAndOversizedHeaders) {
  expect_bad(std::string(5, '\0'), {"too short"});
  expect_bad(image("{}", 0, 1000), {"header length 1000", "beyond the end"});
  expect_bad(image("{}", 0, 200'000'000), {"100 MB"});
}

TEST(Safetensors, RejectsMalformedJson) {
  expect_bad(image("{\"a\":{\"dtype\":"), {"malformed JSON"});
  expect_bad(image("[1,2]"), {"not a JSON object"});
  expect_bad(image("{\"a\":3}"), {"'a'", "not an object"});
  expect_bad(image("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), {"'a'", "data_offsets"});
  expect_bad(image("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), {"'a'", "shape"});
  expect_bad(image("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4), {"'a'", "data_offsets"});
  expect_bad(image("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4), {"'a'", "shape"});
  expect_bad(image("{\"__metadata__\":{\"k\":1}}"), {"__metadata__", "'k'"});
}

TEST(Safetensors, RejectsUnknownDtype) {
  expect_bad(image("{" + entry("w", "F64", "[1]", 0, 8) + "}", 8), {"'w'", "unsupported dtype 'F64'"});
  expect_bad(image("{\"w\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", 4), {"'w'", "dtype"});
}

TEST(Safetensors, RejectsBadOffsets) {
  // end < begin
  expect_bad(image("{" + entry("w", "F32", "[1]", 8, 4) + "}", 8), {"'w'", "end 4 < begin 8"});
  // beyond the data section
  expect_bad(image("{" + entry("w", "F32", "[4]", 0, 16) + "}", 8), {"'w'", "beyond the data section"});
  // overlap: a [0,8) and b [4,12)
  expect_bad(image("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", 12),
             {"'b'", "overlaps", "'a'"});
  // identical ranges overlap too
  expect_bad(image("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 0, 8) + "}", 8),
             {"overlaps"});
  // gap: a [0,4), b [8,12)
  expect_bad(image("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}", 12),
             {"'b'", "gap of 4"});
  // gap at the start
  expect_bad(image("{" + entry("a", "F32", "[1]", 4, 8) + "}", 8), {"'a'", "gap"});
  // trailing bytes after the last tensor
  expect_bad(image("{" + entry("a", "F32", "[1]", 0, 4) + "}", 6), {"2 trailing bytes", "'a'"});
}

TEST(Safetensors, RejectsShapeByteMismatch) {
  expect_bad(image("{" + entry("w", "BF16", "[3,2]", 0, 8) + "}", 8), {"'w'", "[3, 2]", "needs 12 bytes", "span 8"});
  expect_bad(image("{" + entry("w", "F32", "[4294967296,4294967296,4294967296]", 0, 8) + "}", 8),
             {"'w'", "too many"});
}

TEST(Safetensors, RejectsDuplicateNames) {
  expect_bad(image("{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[1]", 4, 8) + "}", 8),
             {"header: w: appears twice"});
}

TEST(Safetensors, RejectsMissingFile) {
  try {
    zs::st::File::open("/nonexistent/zz.safetensors");
    FAIL();
  } catch (const zs::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/zz.safetensors"), std::string::npos);
  }
}

std::vector<float> iota_f(size_t n, float start) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + static_cast<float>(i);
  return v;
}

TEST(Safetensors, WriterReaderRoundTrip) {
  TempDir dir;
  const std::vector<float> a = iota_f(6, 0.5f);
  const std::vector<uint16_t> b = {0x3f80, 0x4000, 0xbf80};  // bf16 1, 2, -1
  const std::vector<int64_t> c = {-3, 7};
  const std::vector<uint8_t> d = {1, 0, 1};
  std::vector<zs::st::TensorWrite> w;
  w.push_back(zs::st::tensor_write_bytes("model.a", DType::F32, {2, 3}, std::as_bytes(std::span(a))));
  w.push_back(zs::st::tensor_write_bytes("b", DType::BF16, {3}, std::as_bytes(std::span(b))));
  w.push_back(zs::st::tensor_write_bytes("c", DType::I64, {2}, std::as_bytes(std::span(c))));
  w.push_back(zs::st::tensor_write_bytes("d", DType::BOOL, {3}, std::as_bytes(std::span(d))));
  w.push_back(zs::st::tensor_write_bytes("empty", DType::F16, {0, 4}, {}));
  const std::string path = dir.file("x.safetensors");
  zs::st::write(path, w, {{"format", "pt"}});
  const auto f = zs::st::File::open(path);
  ASSERT_EQ(f.tensors().size(), 5u);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  for (const auto& t : f.tensors()) {  // every tensor aligned to its element size
    if (!t.bytes.empty()) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(t.bytes.data()) % zs::st::dtype_size(t.dtype), 0u) << t.name;
    }
  }
  std::vector<std::string> order;
  for (const auto& t : f.tensors()) order.push_back(t.name);
  EXPECT_EQ(order, (std::vector<std::string>{"c", "model.a", "b", "empty", "d"}));
  const auto& ta = f.get("model.a");
  EXPECT_EQ(ta.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(std::memcmp(ta.bytes.data(), a.data(), 24), 0);
  EXPECT_EQ(std::memcmp(f.get("b").bytes.data(), b.data(), 6), 0);
  EXPECT_EQ(std::memcmp(f.get("c").bytes.data(), c.data(), 16), 0);
  EXPECT_EQ(f.get("d").dtype, DType::BOOL);
  EXPECT_EQ(f.get("empty").numel(), 0);
}

TEST(Safetensors, WriterRejectsBadInput) {
  const std::vector<float> a = iota_f(2, 0);
  EXPECT_THROW(zs::st::tensor_write_bytes("a", DType::F32, {3}, std::as_bytes(std::span(a))), zs::Error);
  std::vector<zs::st::TensorWrite> w;
  w.push_back(zs::st::tensor_write_bytes("a", DType::F32, {2}, std::as_bytes(std::span(a))));
  w.push_back(zs::st::tensor_write_bytes("a", DType::F32, {2}, std::as_bytes(std::span(a))));
  EXPECT_THROW(zs::st::encode(w), zs::Error);
  w.pop_back();
  w.push_back(zs::st::tensor_write_bytes("__metadata__", DType::F32, {2}, std::as_bytes(std::span(a))));
  EXPECT_THROW(zs::st::encode(w), zs::Error);
}

// A two-shard checkpoint: shard 1 has a, b; shard 2 has c.
struct Sharded {
  TempDir dir;
  std::vector<float> v = iota_f(4, 1);
  Sharded() {
    auto one = [&](const std::string& n) {
      return zs::st::tensor_write_bytes(n, DType::F32, {4}, std::as_bytes(std::span(v)));
    };
    zs::st::write(dir.file("model-00001-of-00002.safetensors"), {one("a"), one("b")});
    zs::st::write(dir.file("model-00002-of-00002.safetensors"), {one("c")});
  }
  void index(const std::string& weight_map) {
    zs::atomic_write(dir.file("model.safetensors.index.json"),
                     "{\"metadata\":{\"total_size\":48},\"weight_map\":{" + weight_map + "}}");
  }
};

const std::string kGoodMap =
    "\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00001-of-00002.safetensors\","
    "\"c\":\"model-00002-of-00002.safetensors\"";

void expect_ckpt_bad(const std::string& path, const std::vector<std::string>& parts) {
  try {
    zs::st::Checkpoint::open(path);
    FAIL() << "no error";
  } catch (const zs::Error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

TEST(Safetensors, ShardedIndex) {
  Sharded s;
  s.index(kGoodMap);
  auto c = zs::st::Checkpoint::open(s.dir.path.string());
  EXPECT_EQ(c.names(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_NE(std::string(*c.get("c").file).find("00002"), std::string::npos);
  EXPECT_EQ(c.get("a").numel(), 4);
  EXPECT_EQ(c.find("d"), nullptr);
  const auto moved = std::move(c);  // views stay valid when the checkpoint moves
  EXPECT_EQ(std::memcmp(moved.get("b").bytes.data(), s.v.data(), 16), 0);
}

TEST(Safetensors, ShardedIndexErrors) {
  Sharded s;
  const std::string idx = s.dir.file("model.safetensors.index.json");
  s.index(kGoodMap + ",\"d\":\"model-00003-of-00002.safetensors\"");
  expect_ckpt_bad(idx, {idx, "model-00003-of-00002.safetensors", "missing", "'d'"});
  s.index(kGoodMap + ",\"d\":\"model-00002-of-00002.safetensors\"");
  expect_ckpt_bad(s.dir.path.string(), {"model-00002-of-00002.safetensors", "'d'", "not in this shard"});
  s.index("\"a\":\"model-00001-of-00002.safetensors\",\"c\":\"model-00002-of-00002.safetensors\"");
  expect_ckpt_bad(idx, {"model-00001-of-00002.safetensors", "'b'", "not listed"});
  s.index("\"a\":\"../x.safetensors\"");
  expect_ckpt_bad(idx, {idx, "not a plain file name"});
  zs::atomic_write(idx, "{\"weight_map\": [}");
  expect_ckpt_bad(idx, {idx, "malformed JSON"});
  zs::atomic_write(idx, "{\"metadata\":{}}");
  expect_ckpt_bad(idx, {idx, "weight_map"});
  TempDir empty;
  expect_ckpt_bad(empty.path.string(), {"no model.safetensors"});
}

TEST(Safetensors, ReadsTransformersFixtures) {
  for (const char* m : {"tiny-opt", "tiny-llama"}) {
    const auto c = zs::st::Checkpoint::open(std::string(ZS_TEST_DATA) + "/fixtures/" + m);
    const auto* emb = c.find(std::string(m) == std::string("tiny-opt") ? "model.decoder.embed_tokens.weight"
                                                                        : "model.embed_tokens.weight");
    ASSERT_NE(emb, nullptr) << m;
    EXPECT_EQ(emb->dtype, DType::F32);
    EXPECT_EQ(emb->shape, (std::vector<int64_t>{512, 64}));
    const auto g = zs::st::File::open(std::string(ZS_TEST_DATA) + "/fixtures/" + m + "/golden.safetensors");
    EXPECT_EQ(g.get("input_ids").dtype, DType::I64);
    EXPECT_EQ(g.get("logits").shape, (std::vector<int64_t>{3, 24, 512}));
  }
}

}  // namespace
