// Sweep grid construction, execution on all cores, and summaries.
#include "core/run/sweep.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <atomic>
#include <mutex>
#include <map>
#include <sstream>
#include "core/export/line_chart.h"
#include "core/opt/optimizer.h"
#include "core/run/record.h"
#include "core/util/atomic_file.h"
#include "core/run/runner.h"
#include "core/util/error.h"

namespace zs {
namespace {

double parse_num(const std::string& s, const std::string& spec) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end || !std::isfinite(v)) fail("--param " + spec, "\"" + s + "\" is not a finite number");
  return v;
}

bool selects(const SweepParam& p, const RunSpec& r, int index) {
  return p.selector.empty() || p.selector == r.label || p.selector == std::to_string(index);
}

}  // namespace

SweepParam sweep_param_parse(const std::string& spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0)
    fail("--param " + spec, "expected NAME=a:b:log:n, NAME=a:b:lin:n or NAME=v1,v2,...");
  SweepParam p;
  std::string name = spec.substr(0, eq);
  const size_t dot = name.rfind('.');
  if (dot != std::string::npos) {
    p.selector = name.substr(0, dot);
    name = name.substr(dot + 1);
  }
  p.name = name;
  const std::string rhs = spec.substr(eq + 1);
  std::vector<std::string> parts;
  std::string cur;
  const char sep = rhs.find(':') != std::string::npos ? ':' : ',';
  for (char c : rhs) {
    if (c == sep) { parts.push_back(cur); cur.clear(); }
    else cur += c;
  }
  parts.push_back(cur);
  if (sep == ':') {
    if (parts.size() != 4 || (parts[2] != "log" && parts[2] != "lin"))
      fail("--param " + spec, "expected a:b:log:n or a:b:lin:n");
    const double a = parse_num(parts[0], spec), b = parse_num(parts[1], spec);
    char* end = nullptr;
    const long n = std::strtol(parts[3].c_str(), &end, 10);
    if (*end || n < 1 || n > 1000) fail("--param " + spec, "n = \"" + parts[3] + "\" must be an integer in [1, 1000]");
    p.log_scale = parts[2] == "log";
    if (p.log_scale && (a <= 0 || b <= 0)) fail("--param " + spec, "log spacing needs a > 0 and b > 0");
    for (long i = 0; i < n; ++i) {
      const double f = n == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(n - 1);
      p.values.push_back(p.log_scale ? a * std::pow(b / a, f) : a + (b - a) * f);
    }
  } else {
    for (const auto& s : parts) p.values.push_back(parse_num(s, spec));
  }
  return p;
}

double SweepCell::median_final_loss() const {
  if (final_loss.empty()) return NAN;
  std::vector<double> v = final_loss;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int SweepCell::reached() const {
  return static_cast<int>(std::count_if(fp_to_target.begin(), fp_to_target.end(), [](int64_t f) { return f >= 0; }));
}

int64_t SweepCell::median_fp_to_target() const {
  std::vector<int64_t> v;
  for (int64_t f : fp_to_target)
    if (f >= 0) v.push_back(f);
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

SweepResult sweep_run(const Experiment& base, const std::vector<SweepParam>& params, int seeds, int threads,
                      const std::function<void(int, int)>& progress) {
  if (seeds < 1) fail("--seeds", "must be >= 1");
  // Every parameter must land on at least one run, and be valid there.
  for (const auto& p : params) {
    const std::string flag = "--param " + (p.selector.empty() ? "" : p.selector + ".") + p.name;
    int hits = 0;
    for (size_t i = 0; i < base.runs.size(); ++i) {
      const RunSpec& r = base.runs[i];
      if (!selects(p, r, static_cast<int>(i))) continue;
      const OptimizerInfo* info = optimizer_find(r.optimizer);
      const ParamDecl* d = info ? param_find(info->params, p.name) : nullptr;
      if (!d) {
        if (!p.selector.empty()) fail(flag, "run \"" + r.label + "\" (" + r.optimizer + ") has no hyperparameter \"" + p.name + "\"");
        continue;
      }
      for (double v : p.values) param_check(*d, v, flag + " (run \"" + r.label + "\")");
      ++hits;
    }
    if (!hits) fail(flag, p.selector.empty() ? "no run of the experiment has this hyperparameter"
                                             : "no run is labelled or numbered \"" + p.selector + "\"");
  }
  std::vector<std::vector<double>> combos{{}};
  for (const auto& p : params) {
    std::vector<std::vector<double>> next;
    for (const auto& c : combos)
      for (double v : p.values) {
        auto c2 = c;
        c2.push_back(v);
        next.push_back(c2);
      }
    combos = next;
  }
  const int nruns = static_cast<int>(base.runs.size());
  SweepResult res;
  res.params = params;
  res.seeds = seeds;
  res.target = base.target_loss;
  res.cells.resize(combos.size() * static_cast<size_t>(nruns));
  for (size_t c = 0; c < combos.size(); ++c)
    for (int r = 0; r < nruns; ++r) {
      SweepCell& cell = res.cells[c * nruns + r];
      cell.values = combos[c];
      cell.run = r;
      cell.label = base.runs[static_cast<size_t>(r)].label;
      cell.final_loss.assign(static_cast<size_t>(seeds), NAN);
      cell.fp_to_target.assign(static_cast<size_t>(seeds), -1);
    }
  const int jobs = static_cast<int>(combos.size()) * seeds;
  std::atomic<int> done{0};
  std::mutex mu;
  parallel_for(jobs, threads, [&](int job) {
    const size_t c = static_cast<size_t>(job / seeds);
    const int k = job % seeds;
    Experiment e = base;
    e.seed = base.seed + static_cast<uint64_t>(k);
    for (size_t pi = 0; pi < params.size(); ++pi)
      for (int r = 0; r < nruns; ++r) {
        RunSpec& rs = e.runs[static_cast<size_t>(r)];
        const OptimizerInfo* info = optimizer_find(rs.optimizer);
        if (selects(params[pi], rs, r) && info && param_find(info->params, params[pi].name))
          rs.hp[params[pi].name] = combos[c][pi];
      }
    const Scene s = scene_make(e);
    const auto recs = run_experiment(e, s, 1);
    {
      std::lock_guard<std::mutex> lock(mu);
      for (int r = 0; r < nruns; ++r) {
        SweepCell& cell = res.cells[c * nruns + r];
        const RunRecord& rec = recs[static_cast<size_t>(r)];
        cell.final_loss[static_cast<size_t>(k)] = rec.diverged ? INFINITY : rec.final_loss();
        if (std::isfinite(base.target_loss)) cell.fp_to_target[static_cast<size_t>(k)] = rec.fp_to_reach(base.target_loss);
        if (rec.diverged) ++cell.diverged;
      }
    }
    const int d = ++done;
    if (progress) progress(d, jobs);
  });
  return res;
}

std::string sweep_table(const SweepResult& r) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head;
  for (const auto& p : r.params) head.push_back((p.selector.empty() ? "" : p.selector + ".") + p.name);
  head.insert(head.end(), {"run", "final loss (median)", "FP to target (median)", "reached", "diverged"});
  rows.push_back(head);
  for (const auto& c : r.cells) {
    std::vector<std::string> row;
    for (double v : c.values) {
      char b[32];
      std::snprintf(b, sizeof b, "%.4g", v);
      row.push_back(b);
    }
    row.push_back(c.label);
    char b[32];
    std::snprintf(b, sizeof b, "%.4g", c.median_final_loss());
    row.push_back(b);
    const int64_t f = c.median_fp_to_target();
    row.push_back(std::isfinite(r.target) ? (f >= 0 ? std::to_string(f) : "-") : "n/a");
    row.push_back(std::to_string(c.reached()) + "/" + std::to_string(r.seeds));
    row.push_back(std::to_string(c.diverged) + "/" + std::to_string(r.seeds));
    rows.push_back(row);
  }
  // Swept values and run labels left-aligned (they name the row), results right-aligned
  // (4 significant digits: magnitudes line up); no trailing blanks.
  std::vector<size_t> w(head.size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], row[i].size());
  const size_t first_result = r.params.size() + 1;
  std::string out;
  for (size_t ri = 0; ri < rows.size(); ++ri) {
    std::string line;
    for (size_t i = 0; i < rows[ri].size(); ++i) {
      const std::string pad(w[i] - rows[ri][i].size(), ' ');
      line += i >= first_result && ri > 0 ? pad + rows[ri][i] : rows[ri][i] + pad;
      if (i + 1 < rows[ri].size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    if (ri == 0) {
      for (size_t i = 0; i < w.size(); ++i) out += std::string(w[i], '-') + (i + 1 < w.size() ? "  " : "\n");
    }
  }
  return out;
}

std::string sweep_csv(const SweepResult& r) {
  std::ostringstream s;
  for (const auto& p : r.params) s << csv_quote((p.selector.empty() ? "" : p.selector + ".") + p.name) << ",";
  s << "run,label,seed,final_loss,fp_to_target,diverged\n";
  for (const auto& c : r.cells)
    for (int k = 0; k < r.seeds; ++k) {
      for (double v : c.values) s << fmt_double(v) << ",";
      s << c.run << "," << csv_quote(c.label) << "," << k << "," << fmt_double(c.final_loss[static_cast<size_t>(k)]) << ","
        << c.fp_to_target[static_cast<size_t>(k)] << "," << (std::isinf(c.final_loss[static_cast<size_t>(k)]) ? 1 : 0)
        << "\n";
    }
  return s.str();
}

LineChart sweep_chart(const SweepResult& r, const Experiment& base) {
  if (r.params.empty()) fail("sweep figure", "no swept parameter");
  const SweepParam& p0 = r.params[0];
  LineChart c;
  c.title = (base.name.empty() ? base.landscape.id : base.name) + ": final loss vs " + p0.name;
  c.xlabel = (p0.selector.empty() ? "" : p0.selector + ".") + p0.name;
  c.ylabel = "final loss (median over " + std::to_string(r.seeds) + (r.seeds == 1 ? " seed" : " seeds") + ", band: min..max)";
  c.x_log = p0.log_scale && std::all_of(p0.values.begin(), p0.values.end(), [](double v) { return v > 0; });
  c.y_log = true;
  // One line per run and per value of the other swept parameters, in cell order.
  std::map<std::string, size_t> index;
  for (const SweepCell& cell : r.cells) {
    std::string key = cell.label;
    for (size_t k = 1; k < cell.values.size() && k < r.params.size(); ++k) {
      char b[48];
      std::snprintf(b, sizeof b, ", %s=%.4g", r.params[k].name.c_str(), cell.values[k]);
      key += b;
    }
    auto [it, fresh] = index.emplace(key, c.series.size());
    if (fresh) {
      ChartSeries se;
      se.label = key;
      const size_t run = static_cast<size_t>(std::max(0, cell.run));
      se.rgb = run < base.runs.size() ? base.runs[run].colour : 0x1f77b4;
      c.series.push_back(std::move(se));
    }
    ChartSeries& se = c.series[it->second];
    double lo = INFINITY, hi = -INFINITY;
    for (double v : cell.final_loss)
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    se.xs.push_back(cell.values.empty() ? NAN : cell.values[0]);
    se.ys.push_back(cell.median_final_loss());
    se.lo.push_back(hi >= lo ? lo : NAN);
    se.hi.push_back(hi >= lo ? hi : NAN);
    if (!std::isfinite(cell.median_final_loss()) && !cell.values.empty()) se.marks.push_back(cell.values[0]);
  }
  return c;
}

void sweep_write_figure(const SweepResult& r, const Experiment& base, const std::string& png_path, const std::string& svg_path,
                        int w, int h) {
  const LineChart c = sweep_chart(r, base);
  if (!png_path.empty()) png_write(png_path, chart_render_image(c, w, h));
  if (!svg_path.empty()) atomic_write(svg_path, chart_render_svg(c, w, h));
}

}  // namespace zs
