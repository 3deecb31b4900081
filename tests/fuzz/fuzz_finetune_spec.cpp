// Fine-tuning specs (core/llm/io/finetune_spec): parse and the spec.json round trip.
#include "core/llm/io/finetune_spec.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  zs::fuzz::expect_ok_or_error([&] {
    const zs::FinetuneSpec s = zs::finetune_spec_parse(text, "fuzz.json");
    const std::string j = zs::finetune_spec_to_json(s);
    if (zs::finetune_spec_to_json(zs::finetune_spec_parse(j, "roundtrip")) != j) std::abort();
  });
  return 0;
}
