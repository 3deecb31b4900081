// The fine-tuning step log reader (core/run/step_log.h), as a resume uses it.
#include <gtest/gtest.h>
#include <cmath>
#include "core/run/step_log.h"
#include "core/util/error.h"

namespace zs {

namespace {
std::string error_of(const std::string& text) {
  try {
    step_log_parse(text, "run/steps.log");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(StepLog, RecordsRoundTripExactlyAndACutLastLineIsDropped) {
  StepLogRecord s;
  s.t = 3;
  s.fp = 6;
  s.seed = 18446744073709551615ull;
  s.p = -0.1;
  s.lr = 1e-7;
  s.loss = 0.6931471805599453;
  s.losses = {0.5, std::nextafter(0.5, 1.0)};
  StepLogRecord e;
  e.kind = 'E';
  e.t = 3;
  e.fp = 6;
  e.dev_accuracy = 0.75;
  e.dev_loss = INFINITY;
  const std::string text = step_log_line(s) + step_log_line(e);
  const std::vector<StepLogRecord> r = step_log_parse(text + "S 4 8 0 1 0x1p", "steps.log");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].seed, s.seed);
  EXPECT_EQ(r[0].p, s.p);
  EXPECT_EQ(r[0].lr, s.lr);
  EXPECT_EQ(r[0].loss, s.loss);
  EXPECT_EQ(r[0].losses, s.losses);
  EXPECT_EQ(r[1].kind, 'E');
  EXPECT_EQ(r[1].dev_accuracy, 0.75);
  EXPECT_TRUE(std::isinf(r[1].dev_loss));
  EXPECT_EQ(step_log_line(r[0]) + step_log_line(r[1]), text);
}

TEST(StepLog, MalformedLinesNameTheFileAndLineInOneLineWithoutRawBytes) {
  EXPECT_EQ(error_of("S 1 2 0 7 0x1p+0 0x1p+0 0x1p+0 0\nS 2 x\n"), "run/steps.log:2: malformed step record");
  EXPECT_EQ(error_of("S 1 2 0 7 0x1p+0 0x1p+0 0x1p+0 65\n"), "run/steps.log:1: malformed step record");
  EXPECT_EQ(error_of("S 1 2 0 7 0x1p+0 0x1p+0 0x1p+0 2 0x1p+0\n"),
            "run/steps.log:1: malformed step record (missing loss 2)");
  EXPECT_EQ(error_of("S 1 2 0 7 0x1p+0 0x1zz 0x1p+0 0\n"), "run/steps.log:1: bad number \"0x1zz\"");
  EXPECT_EQ(error_of("E 1\n"), "run/steps.log:1: malformed evaluation record");
  const std::string bin = error_of(std::string("\x01\xff\xfe garbage\n", 12));
  EXPECT_EQ(bin, "run/steps.log:1: unknown record kind (bytes that are not text) (expected S or E)");
  EXPECT_EQ(bin.find('\n'), std::string::npos);
}

TEST(StepLog, NoFileMeansNoRecords) { EXPECT_TRUE(step_log_read("/nonexistent/steps.log").empty()); }

}  // namespace zs
