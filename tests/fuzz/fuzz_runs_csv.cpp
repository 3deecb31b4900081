// runs.csv as `render` reads it back (core/run/record.cpp records_from_csv), and the
// rows it accepts are what render draws.
#include "core/run/record.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  zs::fuzz::expect_ok_or_error([&] { (void)zs::records_from_csv(text, "runs.csv"); });
  return 0;
}
