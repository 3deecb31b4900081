// The step log of a fine-tuning run (docs/finetune-schema.md, "What a run produces"): one
// record per line, appended and flushed as the run goes, doubles as C99 hex floats (exact):
//   S <t> <fp> <bp> <seed> <p> <lr> <loss> <n> <l_1> ... <l_n>
//   E <t> <fp> <dev_accuracy> <dev_loss>
// Torch-free: the driver writes and replays it (core/llm/torch/finetune.cpp), the app
// follows a run through it (follow.h).
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace zs {

struct StepLogRecord {
  char kind = 'S';
  int64_t t = 0, fp = 0, bp = 0;
  uint64_t seed = 0;
  double p = NAN, lr = NAN, loss = NAN;
  std::vector<double> losses;
  double dev_accuracy = NAN, dev_loss = NAN;
};

// A double as a C99 hex float (%a: exact), and back (zs::Error naming `where`).
std::string hex_double(double v);
double hex_double_parse(const std::string& s, const std::string& where);

// One line, with its newline.
std::string step_log_line(const StepLogRecord& r);
// Parses one line (without its newline); zs::Error naming `where` when malformed.
StepLogRecord step_log_parse(const std::string& line, const std::string& where);

}  // namespace zs
