// safetensors images (core/llm/io/safetensors): header JSON, offsets, shapes, dtypes.
#include <span>
#include "core/llm/io/safetensors.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  zs::fuzz::expect_ok_or_error([&] {
    const zs::st::File f = zs::st::File::parse(std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), size), "fuzz.safetensors");
    // Every accepted tensor lies inside the image and has its declared size.
    for (const auto& t : f.tensors()) {
      if (t.bytes.data() < reinterpret_cast<const std::byte*>(data) || t.bytes.data() + t.bytes.size() > reinterpret_cast<const std::byte*>(data) + size)
        std::abort();
      if (static_cast<uint64_t>(t.numel()) * zs::st::dtype_size(t.dtype) != t.bytes.size()) std::abort();
    }
  });
  return 0;
}
