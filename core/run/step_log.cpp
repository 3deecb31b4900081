// The step log's records (see step_log.h).
#include "core/run/step_log.h"
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs {

namespace {

// A token of the file as a message may quote it: printable ASCII, at most 40 characters.
std::string token_text(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return "(bytes that are not text)";
  return "\"" + s.substr(0, 40) + (s.size() > 40 ? "...\"" : "\"");
}

}  // namespace

std::string step_log_hex(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

double step_log_unhex(const std::string& s, const std::string& where) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end) fail(where, "bad number " + token_text(s));
  return v;
}

std::string step_log_line(const StepLogRecord& r) {
  std::ostringstream o;
  if (r.kind == 'S') {
    o << "S " << r.t << ' ' << r.fp << ' ' << r.bp << ' ' << r.seed << ' ' << step_log_hex(r.p) << ' '
      << step_log_hex(r.lr) << ' ' << step_log_hex(r.loss) << ' ' << r.losses.size();
    for (double l : r.losses) o << ' ' << step_log_hex(l);
  } else {
    o << "E " << r.t << ' ' << r.fp << ' ' << step_log_hex(r.dev_accuracy) << ' ' << step_log_hex(r.dev_loss);
  }
  o << '\n';
  return o.str();
}

StepLogRecord step_log_parse_line(const std::string& line, const std::string& where) {
  std::istringstream in(line);
  StepLogRecord r;
  std::string kind;
  in >> kind;
  if (kind == "S") {
    std::string p, lr, loss;
    size_t n = 0;
    in >> r.t >> r.fp >> r.bp >> r.seed >> p >> lr >> loss >> n;
    if (!in || n > 64) fail(where, "malformed step record");
    r.p = step_log_unhex(p, where);
    r.lr = step_log_unhex(lr, where);
    r.loss = step_log_unhex(loss, where);
    for (size_t i = 0; i < n; ++i) {
      std::string l;
      in >> l;
      if (!in) fail(where, "malformed step record (missing loss " + std::to_string(i + 1) + ")");
      r.losses.push_back(step_log_unhex(l, where));
    }
  } else if (kind == "E") {
    std::string a, l;
    r.kind = 'E';
    in >> r.t >> r.fp >> a >> l;
    if (!in) fail(where, "malformed evaluation record");
    r.dev_accuracy = step_log_unhex(a, where);
    r.dev_loss = step_log_unhex(l, where);
  } else {
    fail(where, "unknown record kind " + token_text(kind) + " (expected S or E)");
  }
  return r;
}

std::vector<StepLogRecord> step_log_parse(const std::string& text, const std::string& path) {
  std::vector<StepLogRecord> out;
  size_t pos = 0;
  int64_t line_no = 0;
  while (true) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;
    ++line_no;
    out.push_back(step_log_parse_line(text.substr(pos, nl - pos), path + ":" + std::to_string(line_no)));
    pos = nl + 1;
  }
  return out;
}

std::vector<StepLogRecord> step_log_read(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  return step_log_parse(read_file(path), path);
}

}  // namespace zs
