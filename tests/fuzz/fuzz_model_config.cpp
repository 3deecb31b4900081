// config.json of OPT / LLaMA models (core/llm/io/model_config) and its round trip.
#include "core/llm/io/model_config.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  zs::fuzz::expect_ok_or_error([&] {
    const zs::ModelConfig c = zs::model_config_parse(std::string_view(reinterpret_cast<const char*>(data), size), "config.json");
    if (!(zs::model_config_parse(zs::model_config_to_json(c, "float32"), "roundtrip") == c)) std::abort();
  });
  return 0;
}
