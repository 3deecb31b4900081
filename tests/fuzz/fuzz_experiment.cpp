// Experiment files (core/io/experiment): parse, validate, and the canonical round trip.
#include <nlohmann/json.hpp>
#include "core/io/experiment.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  zs::fuzz::expect_ok_or_error([&] {
    const zs::Experiment e = zs::experiment_from_text(text, "fuzz.json");
    // What we accept we can write and read back to the same hash.
    const zs::Experiment r = zs::experiment_from_json(zs::experiment_to_json(e), "roundtrip");
    if (zs::experiment_hash(r) != zs::experiment_hash(e)) std::abort();
  });
  return 0;
}
