// CSV / JSONL serialisation of run records.
#include "core/run/record.h"
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include "core/util/error.h"

namespace zs {
namespace {

void put(std::string& s, double v) {
  char buf[32];
  if (std::isnan(v)) { s += "nan"; return; }
  if (std::isinf(v)) { s += v > 0 ? "inf" : "-inf"; return; }
  std::snprintf(buf, sizeof buf, "%.17g", v);
  s += buf;
}

constexpr const char* kColumns[] = {"run", "label", "optimizer", "step", "fp", "bp", "loss", "loss_plus", "loss_minus",
                                    "p", "update_norm", "path_length", "cos_grad", "x", "y", "probe_plus_x",
                                    "probe_plus_y", "probe_minus_x", "probe_minus_y", "alpha_x", "alpha_y", "alpha_min",
                                    "alpha_q25", "alpha_median", "alpha_q75", "alpha_max"};
constexpr int kNumColumns = sizeof kColumns / sizeof kColumns[0];

double* row_field(StepRow& r, int col) {
  double* f[] = {&r.loss, &r.loss_plus, &r.loss_minus, &r.p, &r.update_norm, &r.path_length, &r.cos_grad, &r.x, &r.y,
                 &r.probe_plus_x, &r.probe_plus_y, &r.probe_minus_x, &r.probe_minus_y, &r.alpha_x, &r.alpha_y,
                 &r.alpha_min, &r.alpha_q25, &r.alpha_median, &r.alpha_q75, &r.alpha_max};
  return f[col - 6];
}


}  // namespace

std::vector<std::string> csv_split(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool q = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (q) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') { cur += '"'; ++i; }
      else if (c == '"') q = false;
      else cur += c;
    } else if (c == '"') {
      q = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) {
    if (c == '"') o += '"';
    o += c;
  }
  return o + "\"";
}

int64_t RunRecord::fp_to_reach(double target) const {
  for (const auto& r : rows)
    if (r.loss <= target) return r.fp;
  return -1;
}

std::string records_csv_header(bool dev_metric) {
  std::string s;
  for (int c = 0; c < kNumColumns; ++c) s += (c ? "," : "") + std::string(kColumns[c]);
  return s + (dev_metric ? ",dev_metric\n" : "\n");
}

bool records_have_dev_metric(const std::vector<RunRecord>& runs) {
  for (const auto& run : runs)
    for (const auto& r : run.rows)
      if (std::isfinite(r.dev_metric)) return true;
  return false;
}

std::string records_to_csv(const std::vector<RunRecord>& runs) {
  const bool dev = records_have_dev_metric(runs);
  std::string s = records_csv_header(dev);
  for (const auto& run : runs) {
    const std::string head = std::to_string(run.index) + "," + csv_quote(run.label) + "," + csv_quote(run.optimizer) + ",";
    for (StepRow r : run.rows) {
      s += head + std::to_string(r.step) + "," + std::to_string(r.fp) + "," + std::to_string(r.bp);
      for (int c = 6; c < kNumColumns; ++c) {
        s += ',';
        put(s, *row_field(r, c));
      }
      if (dev) {
        s += ',';
        if (std::isfinite(r.dev_metric)) put(s, r.dev_metric);
      }
      s += '\n';
    }
  }
  return s;
}

std::string records_to_jsonl(const std::vector<RunRecord>& runs) {
  using nlohmann::json;
  auto num = [](double v) -> json { return std::isfinite(v) ? json(v) : json(nullptr); };
  std::string s;
  for (const auto& run : runs) {
    json h = {{"type", "run"},          {"run", run.index},          {"label", run.label},
              {"optimizer", run.optimizer}, {"hyperparameters", run.hp}, {"memory_p", run.memory_p},
              {"memory_bytes", run.memory_bytes}, {"fp_per_step", run.fp_per_step}, {"bp_per_step", run.bp_per_step},
              {"diverged", run.diverged}};
    if (run.diverged) {
      h["diverged_step"] = run.diverged_step;
      h["diverge_reason"] = run.diverge_reason;
    }
    s += h.dump() + "\n";
    for (StepRow r : run.rows) {
      json o = {{"type", "step"}, {"run", run.index}, {"step", r.step}, {"fp", r.fp}, {"bp", r.bp}};
      for (int c = 6; c < kNumColumns; ++c) o[kColumns[c]] = num(*row_field(r, c));
      if (std::isfinite(r.dev_metric)) o["dev_metric"] = r.dev_metric;
      s += o.dump() + "\n";
    }
  }
  return s;
}

std::vector<RunRecord> records_from_csv(const std::string& text, const std::string& file) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || (line + "\n" != records_csv_header() && line + "\n" != records_csv_header(true)))
    fail(file, "not a zoscope runs.csv (unexpected header)");
  const bool dev = line + "\n" == records_csv_header(true);
  const int fields = kNumColumns + (dev ? 1 : 0);
  std::map<int, RunRecord> runs;
  int lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    const auto f = csv_split(line);
    if (static_cast<int>(f.size()) != fields)
      fail(file + ":" + std::to_string(lineno), "expected " + std::to_string(fields) + " fields, got " +
                                                   std::to_string(f.size()));
    char* end = nullptr;
    const long idx = std::strtol(f[0].c_str(), &end, 10);
    if (*end || idx < 0) fail(file + ":" + std::to_string(lineno), "bad run index \"" + f[0] + "\"");
    RunRecord& run = runs[static_cast<int>(idx)];
    run.index = static_cast<int>(idx);
    run.label = f[1];
    run.optimizer = f[2];
    StepRow r;
    int64_t* counts[] = {&r.step, &r.fp, &r.bp};
    for (int c = 3; c < 6; ++c) {
      const char* s = f[c].c_str();
      const long long v = std::strtoll(s, &end, 10);
      if (end == s || *end || v < 0) fail(file + ":" + std::to_string(lineno), std::string("bad count in column ") + kColumns[c]);
      *counts[c - 3] = v;
    }
    for (int c = 6; c < kNumColumns; ++c) {
      const char* s = f[c].c_str();
      double v = std::strtod(s, &end);
      if (end == s || *end) fail(file + ":" + std::to_string(lineno), std::string("bad number in column ") + kColumns[c]);
      *row_field(r, c) = v;
    }
    if (dev && !f[kNumColumns].empty()) {
      const char* s = f[kNumColumns].c_str();
      r.dev_metric = std::strtod(s, &end);
      if (end == s || *end) fail(file + ":" + std::to_string(lineno), "bad number in column dev_metric");
    }
    run.rows.push_back(r);
  }
  std::vector<RunRecord> out;
  for (auto& [k, v] : runs) out.push_back(std::move(v));
  return out;
}

}  // namespace zs
