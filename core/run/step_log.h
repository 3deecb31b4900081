// The step log of a fine-tuning run (<out>/runs/<label>/steps.log; docs/finetune-schema.md,
// "What a run produces"): one record per line, appended and flushed as the run goes,
// doubles as C99 hex floats (exact):
//   S <t> <fp> <bp> <seed> <p> <lr> <loss> <n> <l_1> ... <l_n>
//   E <t> <fp> <dev_accuracy> <dev_loss>
// Torch-free: the driver writes it and reads it back on resume (core/llm/torch/finetune.cpp),
// the app follows a run through it (follow.h), and the reader is fuzzed
// (tests/fuzz/fuzz_step_log.cpp) and tested without LibTorch.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace zs {

struct StepLogRecord {
  char kind = 'S';  // 'S': a step; 'E': an evaluation
  int64_t t = 0, fp = 0, bp = 0;
  uint64_t seed = 0;
  double p = NAN, lr = NAN, loss = NAN;
  std::vector<double> losses;  // the step's loss evaluations in call order (at most 64)
  double dev_accuracy = NAN, dev_loss = NAN;
};

// "%a" text of v (exact), and its inverse; a bad number is zs::Error("<where>: bad number ...").
std::string step_log_hex(double v);
double step_log_unhex(const std::string& s, const std::string& where);
// One record as its line (with the newline).
std::string step_log_line(const StepLogRecord& r);
// One line (without its newline); a malformed line is zs::Error naming `where`.
StepLogRecord step_log_parse_line(const std::string& line, const std::string& where);
// The complete records of a log's text (a last line without newline, a kill mid-write, is
// dropped); a malformed line is zs::Error("<path>:<line>: ..."): one line naming it.
std::vector<StepLogRecord> step_log_parse(const std::string& text, const std::string& path);
// step_log_parse of the file at `path`; no file: no records.
std::vector<StepLogRecord> step_log_read(const std::string& path);

}  // namespace zs
