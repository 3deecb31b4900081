// safetensors reader/writer: mmap + strict validation (see safetensors.h).
#include "core/llm/io/safetensors.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <nlohmann/json.hpp>
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/json_read.h"

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace zs::st {

namespace {

using json = nlohmann::json;

// The reference implementation refuses headers above 100 MB; so do we (a corrupt length
// field would otherwise make us parse gigabytes of tensor data as JSON).
constexpr uint64_t kMaxHeader = 100'000'000;

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2}, {DType::I64, "I64", 8},
    {DType::I32, "I32", 4}, {DType::BOOL, "BOOL", 1}, {DType::U8, "U8", 1},
};

std::string q_name(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('\'');
  out.append(s);
  out.push_back('\'');
  return out;
}

// Product of dims * element size, or nullopt on overflow.
std::optional<uint64_t> byte_size(const std::vector<int64_t>& shape, size_t elem) {
  uint64_t n = elem;
  for (int64_t d : shape) {
    if (d != 0 && n > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d)) return std::nullopt;
    n *= static_cast<uint64_t>(d);
  }
  return n;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// Parses the header JSON (json_parse: a duplicate name is an error, nlohmann would keep
// the last silently).
json parse_header(std::string_view text, const std::string& where) {
  const json h = json_parse(text, where + ": header");
  if (!h.is_object()) fail(where, "header is not a JSON object");
  return h;
}

uint64_t json_u64(const json& v, const std::string& where, const std::string& name, const char* field) {
  // nlohmann parses every non-negative integer as unsigned: anything else is wrong here.
  if (!v.is_number_unsigned())
    fail(where, "tensor " + q_name(name) + ": " + field + " must hold non-negative integers");
  return v.get<uint64_t>();
}

}  // namespace

size_t dtype_size(DType d) {
  for (const auto& t : kDTypes)
    if (t.dtype == d) return t.size;
  return 0;
}

std::string_view dtype_name(DType d) {
  for (const auto& t : kDTypes)
    if (t.dtype == d) return t.name;
  return "?";
}

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const auto& t : kDTypes)
    if (t.name == name) return t.dtype;
  return std::nullopt;
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// ---------------------------------------------------------------------------------------
// [SECTION] File

struct File::Mapping {
  void* addr = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (addr) ::munmap(addr, size);
  }
};

File File::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(path, std::string("cannot read: ") + std::strerror(errno));
  struct stat sb {};
  if (::fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    ::close(fd);
    fail(path, "cannot read: not a regular file");
  }
  auto m = std::make_shared<Mapping>();
  m->size = static_cast<size_t>(sb.st_size);
  if (m->size > 0) {
    void* p = ::mmap(nullptr, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      fail(path, "cannot map: " + why);
    }
    m->addr = p;
  }
  ::close(fd);
  File f = parse(std::span<const std::byte>(static_cast<const std::byte*>(m->addr), m->size), path);
  f.mapping_ = std::move(m);
  return f;
}

File File::parse(std::span<const std::byte> bytes, const std::string& where) {
  File f;
  f.path_ = std::make_shared<const std::string>(where);
  if (bytes.size() < 8) fail(where, "file too short for a safetensors header (" + std::to_string(bytes.size()) + " bytes)");
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  if (n > kMaxHeader) fail(where, "header length " + std::to_string(n) + " exceeds the 100 MB limit");
  if (n > bytes.size() - 8)
    fail(where, "header length " + std::to_string(n) + " runs beyond the end of the file (" +
                    std::to_string(bytes.size()) + " bytes)");
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()) + 8, n);
  const json h = parse_header(text, where);
  const std::span<const std::byte> data = bytes.subspan(8 + n);

  struct Entry {
    TensorView view;
    uint64_t begin, end;
  };
  std::vector<Entry> entries;
  for (const auto& [name, info] : h.items()) {
    if (name == "__metadata__") {
      if (!info.is_object()) fail(where, "__metadata__ must be an object of strings");
      for (const auto& [k, v] : info.items()) {
        if (!v.is_string()) fail(where, "__metadata__ entry " + q_name(k) + " is not a string");
        f.metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    if (!info.is_object()) fail(where, "tensor " + q_name(name) + ": entry is not an object");
    const auto dt = info.find("dtype"), sh = info.find("shape"), off = info.find("data_offsets");
    if (dt == info.end() || sh == info.end() || off == info.end())
      fail(where, "tensor " + q_name(name) + ": needs dtype, shape and data_offsets");
    if (!dt->is_string()) fail(where, "tensor " + q_name(name) + ": dtype is not a string");
    const auto dtype = dtype_from_name(dt->get<std::string>());
    if (!dtype)
      fail(where, "tensor " + q_name(name) + ": unsupported dtype " + q_name(dt->get<std::string>()) +
                      " (F32, F16, BF16, I64, I32, BOOL, U8)");
    if (!sh->is_array()) fail(where, "tensor " + q_name(name) + ": shape is not an array");
    if (!off->is_array() || off->size() != 2) fail(where, "tensor " + q_name(name) + ": data_offsets is not [begin, end]");
    Entry e;
    e.view.name = name;
    e.view.dtype = *dtype;
    for (const auto& d : *sh) {
      const uint64_t v = json_u64(d, where, name, "shape");
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail(where, "tensor " + q_name(name) + ": shape dimension too large");
      e.view.shape.push_back(static_cast<int64_t>(v));
    }
    e.begin = json_u64((*off)[0], where, name, "data_offsets");
    e.end = json_u64((*off)[1], where, name, "data_offsets");
    if (e.end < e.begin)
      fail(where, "tensor " + q_name(name) + ": data_offsets end " + std::to_string(e.end) + " < begin " +
                      std::to_string(e.begin));
    if (e.end > data.size())
      fail(where, "tensor " + q_name(name) + ": data_offsets [" + std::to_string(e.begin) + ", " +
                      std::to_string(e.end) + ") beyond the data section (" + std::to_string(data.size()) + " bytes)");
    const auto want = byte_size(e.view.shape, dtype_size(*dtype));
    if (!want || *want != e.end - e.begin)
      fail(where, "tensor " + q_name(name) + ": shape " + shape_text(e.view.shape) + " of " +
                      std::string(dtype_name(*dtype)) + " needs " + (want ? std::to_string(*want) : "too many") +
                      " bytes but data_offsets span " + std::to_string(e.end - e.begin));
    entries.push_back(std::move(e));
  }
  // Exact tiling: sorted by (begin, end), each tensor starts where the previous ended.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  uint64_t pos = 0;
  const Entry* prev = nullptr;
  for (const Entry& e : entries) {
    if (e.begin < pos)
      fail(where, "tensor " + q_name(e.view.name) + " overlaps tensor " + q_name(prev->view.name) + " (bytes " +
                      std::to_string(e.begin) + ".." + std::to_string(pos) + ")");
    if (e.begin > pos)
      fail(where, "tensor " + q_name(e.view.name) + ": gap of " + std::to_string(e.begin - pos) +
                      " unused bytes before it in the data section");
    pos = e.end;
    prev = &e;
  }
  if (pos != data.size())
    fail(where, std::to_string(data.size() - pos) + " trailing bytes after the last tensor" +
                    (prev ? " " + q_name(prev->view.name) : std::string()));
  for (Entry& e : entries) {
    e.view.bytes = data.subspan(e.begin, e.end - e.begin);
    e.view.file = f.path_.get();
    f.tensors_.push_back(std::move(e.view));
  }
  return f;
}

const TensorView* File::find(std::string_view name) const {
  for (const auto& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

const TensorView& File::get(std::string_view name) const {
  const TensorView* t = find(name);
  if (!t) fail(path(), "tensor " + q_name(name) + " not found");
  return *t;
}

// ---------------------------------------------------------------------------------------
// [SECTION] Checkpoint (single file or sharded)

Checkpoint Checkpoint::open(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string p = path;
  if (fs::is_directory(path, ec)) {
    const std::string index = (fs::path(path) / "model.safetensors.index.json").string();
    const std::string single = (fs::path(path) / "model.safetensors").string();
    if (fs::exists(index, ec)) p = index;
    else if (fs::exists(single, ec)) p = single;
    else fail(path, "no model.safetensors or model.safetensors.index.json in this folder");
  }
  Checkpoint c;
  c.source_ = p;
  if (p.size() < 5 || p.compare(p.size() - 5, 5, ".json") != 0) {
    c.files_.push_back(File::open(p));
    for (const auto& t : c.files_.back().tensors()) c.index_[t.name] = &t;
    return c;
  }
  const json idx = json_load(p);
  if (!idx.is_object() || !idx.contains("weight_map") || !idx["weight_map"].is_object())
    fail(p, "field 'weight_map' (object of tensor name -> shard file) is missing");
  std::map<std::string, std::vector<std::string>> by_shard;  // shard -> names
  for (const auto& [name, shard] : idx["weight_map"].items()) {
    if (!shard.is_string()) fail(p, "weight_map entry " + q_name(name) + " is not a file name");
    by_shard[shard.get<std::string>()].push_back(name);
  }
  const fs::path dir = fs::path(p).parent_path();
  c.files_.reserve(by_shard.size());  // index_ points into files_: no reallocation after this
  for (const auto& [shard, names] : by_shard) {
    if (shard.find('/') != std::string::npos || shard == ".." || shard == ".")
      fail(p, "weight_map shard " + q_name(shard) + " is not a plain file name");
    const std::string sp = (dir / shard).string();
    if (!fs::exists(sp, ec)) fail(p, "shard file " + q_name(shard) + " (for tensor " + q_name(names.front()) + ") is missing");
    c.files_.push_back(File::open(sp));
    const File& f = c.files_.back();
    const std::set<std::string> listed(names.begin(), names.end());
    for (const auto& n : names) {
      const TensorView* t = f.find(n);
      if (!t) fail(sp, "tensor " + q_name(n) + " listed in " + fs::path(p).filename().string() + " is not in this shard");
      c.index_[n] = t;
    }
    for (const auto& t : f.tensors())
      if (!listed.count(t.name))
        fail(sp, "tensor " + q_name(t.name) + " is not listed for this shard in " + fs::path(p).filename().string());
  }
  return c;
}

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> out;
  out.reserve(index_.size());
  for (const auto& kv : index_) out.push_back(kv.first);
  return out;
}

const TensorView* Checkpoint::find(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second;
}

const TensorView& Checkpoint::get(std::string_view name) const {
  const TensorView* t = find(name);
  if (!t) fail(source_, "tensor " + q_name(name) + " not found");
  return *t;
}

// ---------------------------------------------------------------------------------------
// [SECTION] Writer

TensorWrite tensor_write_bytes(std::string name, DType dtype, std::vector<int64_t> shape,
                               std::span<const std::byte> data) {
  TensorWrite w{std::move(name), dtype, std::move(shape), {}};
  const auto want = byte_size(w.shape, dtype_size(dtype));
  if (!want || *want != data.size())
    fail("safetensors", "tensor " + q_name(w.name) + ": " + std::to_string(data.size()) + " bytes given for shape " +
                            shape_text(w.shape) + " of " + std::string(dtype_name(dtype)));
  w.fill = [data](std::byte* dst) { std::memcpy(dst, data.data(), data.size()); };
  return w;
}

std::string encode(const std::vector<TensorWrite>& tensors, const std::map<std::string, std::string>& metadata) {
  // ordered_json keeps the header in write order, which is also the data order.
  nlohmann::ordered_json h = nlohmann::ordered_json::object();
  if (!metadata.empty()) h["__metadata__"] = metadata;
  // Wider element types first (stable otherwise): with the 8-aligned data section every
  // tensor then starts aligned to its element size, as in the reference writer.
  std::vector<const TensorWrite*> order;
  for (const auto& t : tensors) order.push_back(&t);
  std::stable_sort(order.begin(), order.end(),
                   [](const TensorWrite* a, const TensorWrite* b) { return dtype_size(a->dtype) > dtype_size(b->dtype); });
  std::set<std::string> seen;
  uint64_t pos = 0;
  std::vector<uint64_t> sizes;
  for (const TensorWrite* tp : order) {
    const TensorWrite& t = *tp;
    if (t.name == "__metadata__") fail("safetensors", "the tensor name '__metadata__' is reserved");
    if (!seen.insert(t.name).second) fail("safetensors", "tensor " + q_name(t.name) + " written twice");
    const auto n = byte_size(t.shape, dtype_size(t.dtype));
    if (!n) fail("safetensors", "tensor " + q_name(t.name) + ": shape too large");
    h[t.name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {pos, pos + *n}}};
    sizes.push_back(*n);
    pos += *n;
  }
  std::string header = h.dump();
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string out(8 + header.size() + pos, '\0');
  const uint64_t hn = header.size();
  std::memcpy(out.data(), &hn, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  std::byte* dst = reinterpret_cast<std::byte*>(out.data()) + 8 + header.size();
  for (size_t i = 0; i < order.size(); ++i) {
    if (sizes[i]) order[i]->fill(dst);
    dst += sizes[i];
  }
  return out;
}

void write(const std::string& path, const std::vector<TensorWrite>& tensors,
           const std::map<std::string, std::string>& metadata) {
  zs::atomic_write(path, encode(tensors, metadata));
}

}  // namespace zs::st
