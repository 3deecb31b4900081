// The fine-tuning step log (steps.log) as a resume reads it back (core/llm/io/step_log.h):
// any text either parses or is refused with one zs::Error line; what parses writes back
// to lines that parse again to as many records (the resume rewrites the log it kept).
#include <optional>
#include "core/llm/io/step_log.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::optional<std::vector<zs::StepLogRecord>> recs;
  zs::fuzz::expect_ok_or_error([&] { recs = zs::step_log_parse(text, "steps.log"); });
  if (!recs) return 0;
  std::string again;
  for (const zs::StepLogRecord& r : *recs) again += zs::step_log_line(r);
  try {
    if (zs::step_log_parse(again, "steps.log").size() != recs->size()) std::abort();
  } catch (...) {
    std::abort();  // a record the writer wrote must read back
  }
  return 0;
}
