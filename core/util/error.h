// One error type for every bad input: the message names the file, field and value and
// the accepted range, and is printed as one line by the CLI and the GUI.
#pragma once
#include <stdexcept>
#include <string>

namespace zs {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// "where: message" with where = file and/or field path (either may be empty).
[[noreturn]] void fail(const std::string& where, const std::string& message);

// Shortest round-trip representation of a double (for messages and text exports).
std::string fmt_double(double v);

}  // namespace zs
