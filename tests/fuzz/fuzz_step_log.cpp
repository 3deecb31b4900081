// The fine-tuning step log (core/run/step_log.h) as a resume and the app's follow window
// read it: any text either parses or is refused with one zs::Error line; what parses writes
// back to lines that parse again to the same records (the resume rewrites the log it kept).
#include <optional>
#include "core/run/step_log.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::optional<std::vector<zs::StepLogRecord>> recs;
  zs::fuzz::expect_ok_or_error([&] { recs = zs::step_log_parse(text, "steps.log"); });
  if (!recs) return 0;
  std::string again;
  for (const zs::StepLogRecord& r : *recs) again += zs::step_log_line(r);
  try {
    const std::vector<zs::StepLogRecord> back = zs::step_log_parse(again, "steps.log");
    if (back.size() != recs->size()) std::abort();
    std::string third;
    for (const zs::StepLogRecord& r : back) third += zs::step_log_line(r);
    if (third != again) std::abort();  // a written record reads back to the same line
  } catch (...) {
    std::abort();  // a record the writer wrote must read back
  }
  return 0;
}
