// Error helpers shared by every parser and validator.
#include "core/util/error.h"
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>
#include "core/util/json_read.h"

namespace zs {

void fail(const std::string& where, const std::string& message) {
  throw Error(where.empty() ? message : where + ": " + message);
}

std::string one_line(const std::string& s) {
  // A value quoted from the user's input can be a whole file (a binary header, a path or a
  // field of 100 KB): the line keeps its start (file, field) and end, the middle is cut.
  constexpr size_t kHead = 1500, kTail = 400;
  if (s.size() > kHead + kTail + 100)
    return one_line(s.substr(0, kHead)) + " ... (" + std::to_string(s.size() - kHead - kTail) + " bytes left out) ... " +
           one_line(s.substr(s.size() - kTail));
  std::string out;
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '\n') out += "\\n";
    else if (ch == '\t') out += "\\t";
    else if (ch == '\r') out += "\\r";
    else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

std::string error_line(const std::exception& e) {
  if (dynamic_cast<const Error*>(&e)) return one_line(e.what());
  if (dynamic_cast<const std::bad_alloc*>(&e))
    return "out of memory (the request needs more memory than this machine has free; use smaller sizes)";
  if (const auto* fe = dynamic_cast<const std::filesystem::filesystem_error*>(&e)) {
    // what(): "filesystem error: <operation>: <reason> [path1] [path2]"
    std::string op = fe->what();
    if (op.rfind("filesystem error: ", 0) == 0) op = op.substr(18);
    const size_t bracket = op.find(" [");
    if (bracket != std::string::npos) op = op.substr(0, bracket);
    const std::string p = fe->path1().string();
    return one_line((p.empty() ? std::string() : p + ": ") + op);
  }
  if (dynamic_cast<const nlohmann::json::exception*>(&e)) return one_line("JSON: " + json_error_words(e));
  std::string w = e.what();
  const size_t nl = w.find('\n');
  if (nl != std::string::npos) w = w.substr(0, nl);
  return one_line(w.empty() ? std::string("unknown error") : w);
}

std::string fmt_double(double v) {
  char buf[40];
  for (int prec = 6; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace zs
