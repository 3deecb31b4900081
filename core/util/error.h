// One error type for every bad input: the message names the file, field and value and
// the accepted range, and is printed as one line by the CLI and the GUI.
#pragma once
#include <exception>
#include <stdexcept>
#include <string>

namespace zs {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// "where: message" with where = file and/or field path (either may be empty).
[[noreturn]] void fail(const std::string& where, const std::string& message);

// The one line a user sees for any exception, at a command or GUI-job boundary:
//   zs::Error            its message (already "file: field: what")
//   std::bad_alloc       "out of memory (...)"
//   filesystem_error     "<path>: <operation>: <reason>"
//   nlohmann exceptions  "JSON: <what, without the raw bytes>"
//   other                the first line of what()
// Control characters are escaped (one_line). LibTorch's c10::Error (whose what() carries a
// C++ stack trace) is handled by torch_error_line (core/llm/torch/errors.h), which falls
// back to this.
std::string error_line(const std::exception& e);
// Escapes control characters (\n, \t, \xNN) so that quoted user text stays on one line,
// and cuts the middle of a line longer than 2000 bytes (a quoted value can be a whole file).
std::string one_line(const std::string& s);

// Shortest round-trip representation of a double (for messages and text exports).
std::string fmt_double(double v);

}  // namespace zs
