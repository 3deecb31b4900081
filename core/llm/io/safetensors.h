// safetensors reader (mmap, validated) and writer (atomic), no torch.
// Format (huggingface/safetensors): u64 little-endian header length N, N bytes of JSON
// {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}},
// then the raw little-endian data; offsets are relative to the end of the header.
// Validation follows the reference Rust implementation: the tensors tile the data section
// exactly (sorted by offset, no gap, no overlap, no trailing bytes) and every byte range
// equals shape product * dtype size. Sharded checkpoints: model.safetensors.index.json
// {"weight_map": {name: shard file}} beside the shards. Every error is one line naming
// the file and, where there is one, the tensor.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zs::st {

enum class DType { F32, F16, BF16, I64, I32, BOOL, U8 };

size_t dtype_size(DType d);
std::string_view dtype_name(DType d);                  // "F32", "BF16", ...
std::optional<DType> dtype_from_name(std::string_view name);

// One tensor inside a mapped file. `bytes` points into the mapping and stays valid as long
// as the File (or Checkpoint) it came from is alive; it may be unaligned (the data section
// starts at 8 + N, and N need not be a multiple of 8 in files written by others).
struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::span<const std::byte> bytes;
  const std::string* file = nullptr;  // path of the file it lives in (for messages)
  int64_t numel() const;
};

// One .safetensors file, memory-mapped read-only; tensors are never copied here.
class File {
 public:
  // Maps and validates; throws zs::Error("<path>: ...") on any defect.
  static File open(const std::string& path);
  // Validates an in-memory image (same checks; `bytes` must outlive the File).
  static File parse(std::span<const std::byte> bytes, const std::string& where);

  const std::string& path() const { return *path_; }
  const std::vector<TensorView>& tensors() const { return tensors_; }  // in offset order
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const TensorView* find(std::string_view name) const;
  // Throws "<path>: tensor '<name>' not found".
  const TensorView& get(std::string_view name) const;

 private:
  struct Mapping;
  std::shared_ptr<const Mapping> mapping_;
  std::shared_ptr<const std::string> path_;
  std::vector<TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

// A checkpoint folder or file: one model.safetensors, or an index + shards.
class Checkpoint {
 public:
  // Move-only: the name index points into the files it owns.
  Checkpoint(Checkpoint&&) = default;
  Checkpoint& operator=(Checkpoint&&) = default;
  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;
  // `path` is a folder (model.safetensors.index.json preferred over model.safetensors),
  // an index .json, or a single .safetensors file.
  static Checkpoint open(const std::string& path);

  const std::string& source() const { return source_; }  // the file opened first (messages)
  std::vector<std::string> names() const;                 // sorted
  const TensorView* find(std::string_view name) const;
  // Throws "<source>: tensor '<name>' not found".
  const TensorView& get(std::string_view name) const;

 private:
  Checkpoint() = default;
  std::string source_;
  std::vector<File> files_;
  std::map<std::string, const TensorView*, std::less<>> index_;
};

// Tensor to write: `fill` writes exactly numel * dtype_size bytes to `dst` (so callers can
// copy straight from a device tensor into the output buffer, no staging copy).
struct TensorWrite {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::function<void(std::byte* dst)> fill;
};
TensorWrite tensor_write_bytes(std::string name, DType dtype, std::vector<int64_t> shape,
                               std::span<const std::byte> data);

// Encodes a file image: tensors by decreasing element size, else in the given order, and
// the header padded with spaces to a multiple of 8, so every tensor is aligned to its
// element size. Throws on duplicate names or on
// the reserved name "__metadata__".
std::string encode(const std::vector<TensorWrite>& tensors,
                   const std::map<std::string, std::string>& metadata = {});
// encode() + zs::atomic_write.
void write(const std::string& path, const std::vector<TensorWrite>& tensors,
           const std::map<std::string, std::string>& metadata = {});

}  // namespace zs::st
