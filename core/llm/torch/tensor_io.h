// Bridges between safetensors views (core/llm/io/safetensors.h) and ATen tensors: one copy
// from the mapped file into a tensor of the wanted dtype and device, and writes that copy
// a (device) tensor straight into the output image.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <map>
#include <string>
#include <utility>
#include <vector>
#include "core/llm/io/safetensors.h"

namespace zs {

c10::ScalarType st_scalar_type(st::DType d);
// Throws zs::Error(where: ...) for a dtype safetensors cannot hold here.
st::DType st_dtype(c10::ScalarType t, const std::string& where);

// A new tensor holding the view's data, converted to `dtype` (Undefined: keep the file's)
// on `device`.
at::Tensor st_to_tensor(const st::TensorView& v, c10::ScalarType dtype = c10::ScalarType::Undefined,
                        c10::Device device = c10::Device(c10::DeviceType::CPU));
// A writer entry for `t` (any device; copied when the file image is built).
st::TensorWrite st_tensor_write(std::string name, const at::Tensor& t);

// Whole files: all tensors of a safetensors file on `device`; and an atomic write.
std::map<std::string, at::Tensor> load_tensors(const std::string& path,
                                               c10::Device device = c10::Device(c10::DeviceType::CPU));
void save_tensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors);

}  // namespace zs
