// A write that failed on the way to the disk (no space, an I/O error, a read-only file
// system): unlike bad input, the same command succeeds once the cause is fixed, so a
// fine-tune stopped by one says "continue it with --resume" (app/cli/llm_commands.cpp).
// Thrown by atomic_write and the fine-tuning step log; callers that catch zs::Error see
// an ordinary one-line error.
#pragma once
#include <string>
#include "core/util/error.h"

namespace zs {

class WriteError : public Error {
 public:
  explicit WriteError(const std::string& what) : Error(what) {}
};

// throw WriteError("<path>: <message>").
[[noreturn]] inline void fail_write(const std::string& path, const std::string& message) {
  throw WriteError(path + ": " + message);
}

}  // namespace zs
