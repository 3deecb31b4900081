// The step log's records (see step_log.h).
#include "core/run/step_log.h"
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include "core/util/error.h"

namespace zs {

std::string hex_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

double hex_double_parse(const std::string& s, const std::string& where) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end) fail(where, "bad number \"" + s + "\"");
  return v;
}

namespace {
const auto hex = hex_double;
const auto unhex = hex_double_parse;
}  // namespace

std::string step_log_line(const StepLogRecord& r) {
  std::ostringstream o;
  if (r.kind == 'S') {
    o << "S " << r.t << ' ' << r.fp << ' ' << r.bp << ' ' << r.seed << ' ' << hex(r.p) << ' ' << hex(r.lr) << ' '
      << hex(r.loss) << ' ' << r.losses.size();
    for (double l : r.losses) o << ' ' << hex(l);
  } else {
    o << "E " << r.t << ' ' << r.fp << ' ' << hex(r.dev_accuracy) << ' ' << hex(r.dev_loss);
  }
  o << '\n';
  return o.str();
}

StepLogRecord step_log_parse(const std::string& line, const std::string& where) {
  std::istringstream in(line);
  StepLogRecord r;
  std::string kind;
  in >> kind;
  if (kind == "S") {
    std::string p, lr, loss;
    size_t n = 0;
    in >> r.t >> r.fp >> r.bp >> r.seed >> p >> lr >> loss >> n;
    if (!in || n > 64) fail(where, "malformed step record");
    r.p = unhex(p, where);
    r.lr = unhex(lr, where);
    r.loss = unhex(loss, where);
    for (size_t i = 0; i < n; ++i) {
      std::string l;
      in >> l;
      if (!in) fail(where, "malformed step record (missing loss " + std::to_string(i + 1) + ")");
      r.losses.push_back(unhex(l, where));
    }
  } else if (kind == "E") {
    std::string a, l;
    r.kind = 'E';
    in >> r.t >> r.fp >> a >> l;
    if (!in) fail(where, "malformed evaluation record");
    r.dev_accuracy = unhex(a, where);
    r.dev_loss = unhex(l, where);
  } else {
    fail(where, "unknown record kind \"" + kind + "\"");
  }
  return r;
}

}  // namespace zs
