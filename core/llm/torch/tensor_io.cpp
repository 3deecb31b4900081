// safetensors <-> ATen (see tensor_io.h).
#include "core/llm/torch/tensor_io.h"
#include <ATen/ops/from_blob.h>
#include "core/util/error.h"

namespace zs {

c10::ScalarType st_scalar_type(st::DType d) {
  switch (d) {
    case st::DType::F32: return c10::ScalarType::Float;
    case st::DType::F16: return c10::ScalarType::Half;
    case st::DType::BF16: return c10::ScalarType::BFloat16;
    case st::DType::I64: return c10::ScalarType::Long;
    case st::DType::I32: return c10::ScalarType::Int;
    case st::DType::BOOL: return c10::ScalarType::Bool;
    case st::DType::U8: return c10::ScalarType::Byte;
  }
  return c10::ScalarType::Undefined;
}

st::DType st_dtype(c10::ScalarType t, const std::string& where) {
  switch (t) {
    case c10::ScalarType::Float: return st::DType::F32;
    case c10::ScalarType::Half: return st::DType::F16;
    case c10::ScalarType::BFloat16: return st::DType::BF16;
    case c10::ScalarType::Long: return st::DType::I64;
    case c10::ScalarType::Int: return st::DType::I32;
    case c10::ScalarType::Bool: return st::DType::BOOL;
    case c10::ScalarType::Byte: return st::DType::U8;
    default: break;
  }
  fail(where, std::string("dtype ") + c10::toString(t) + " cannot be stored in safetensors here");
}

at::Tensor st_to_tensor(const st::TensorView& v, c10::ScalarType dtype, c10::Device device) {
  const c10::ScalarType src = st_scalar_type(v.dtype);
  // from_blob wraps the mapped bytes without copying; .to(copy=true) makes the one copy.
  // The pointer may be unaligned (files from other writers): the copy kernels use
  // unaligned loads, and an empty tensor never dereferences it.
  static std::byte dummy{};
  void* p = const_cast<std::byte*>(v.bytes.empty() ? &dummy : v.bytes.data());
  const at::Tensor src_t = at::from_blob(p, v.shape, at::TensorOptions().dtype(src));
  return src_t.to(device, dtype == c10::ScalarType::Undefined ? src : dtype, /*non_blocking=*/false, /*copy=*/true);
}

st::TensorWrite st_tensor_write(std::string name, const at::Tensor& t) {
  st::TensorWrite w;
  w.dtype = st_dtype(t.scalar_type(), name);
  w.shape = t.sizes().vec();
  w.name = std::move(name);
  w.fill = [t](std::byte* dst) {
    at::from_blob(dst, t.sizes(), at::TensorOptions().dtype(t.scalar_type())).copy_(t);
  };
  return w;
}

std::map<std::string, at::Tensor> load_tensors(const std::string& path, c10::Device device) {
  const st::File f = st::File::open(path);
  std::map<std::string, at::Tensor> out;
  for (const auto& v : f.tensors()) out[v.name] = st_to_tensor(v, c10::ScalarType::Undefined, device);
  return out;
}

void save_tensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors) {
  std::vector<st::TensorWrite> w;
  w.reserve(tensors.size());
  for (const auto& [name, t] : tensors) w.push_back(st_tensor_write(name, t));
  st::write(path, w, {{"format", "pt"}});
}

}  // namespace zs
