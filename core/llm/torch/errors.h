// The torch layer's part of the one-line error boundary (core/util/error.h): LibTorch's
// c10::Error carries a C++ stack trace in what(); users get its first line instead.
#pragma once
#include <exception>
#include <string>

namespace zs {

// c10::Error: "LibTorch: <message without backtrace, first line>" (out-of-memory errors as
// "out of memory: ..."); anything else: error_line(e). Call it at command and GUI-job
// boundaries of LLM builds.
std::string torch_error_line(const std::exception& e);

}  // namespace zs
