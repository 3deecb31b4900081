// Step-log lines (core/run/step_log.h) as the driver's resume and the app's follow window
// read them: any line is a record or one zs::Error, and an accepted record's line reads
// back to the same record.
#include <cstring>
#include "core/run/step_log.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string line(reinterpret_cast<const char*>(data), size);
  zs::fuzz::expect_ok_or_error([&] {
    const zs::StepLogRecord r = zs::step_log_parse(line, "steps.log:1");
    std::string again = zs::step_log_line(r);
    again.pop_back();  // the newline
    const zs::StepLogRecord b = zs::step_log_parse(again, "again");
    if (zs::step_log_line(b) != zs::step_log_line(r)) __builtin_trap();
  });
  return 0;
}
