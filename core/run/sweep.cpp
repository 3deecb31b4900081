// Sweep grid construction, execution on all cores, and summaries.
#include "core/run/sweep.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <atomic>
#include <mutex>
#include <map>
#include <filesystem>
#include <fstream>
#include <sstream>
#include "core/export/heat_chart.h"
#include "core/export/line_chart.h"
#include "core/export/ticks.h"
#include "core/io/limits.h"
#include "core/opt/optimizer.h"
#include "core/run/record.h"
#include "core/util/atomic_file.h"
#include "core/run/runner.h"
#include "core/util/error.h"
#include "core/util/text_list.h"

namespace zs {
namespace {

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
  const std::string where = "--param " + spec;
  if (rhs.find(':') != std::string::npos) {
    const std::vector<std::string> parts = text_list(rhs, where, ':');
    if (parts.size() != 4 || (parts[2] != "log" && parts[2] != "lin")) fail(where, "expected a:b:log:n or a:b:lin:n");
    const double a = text_number(parts[0], where), b = text_number(parts[1], where);
    char* end = nullptr;
    const long n = std::strtol(parts[3].c_str(), &end, 10);
    if (*end || n < 1 || n > 1000) fail(where, "n = \"" + parts[3] + "\" must be an integer in [1, 1000]");
    p.log_scale = parts[2] == "log";
    if (p.log_scale && (a <= 0 || b <= 0)) fail(where, "log spacing needs a > 0 and b > 0");
    p.values = sweep_values(a, b, static_cast<int>(n), p.log_scale);
  } else {
    p.values = text_number_list(rhs, where);
  }
  return p;
}

std::vector<double> sweep_values(double a, double b, int n, bool log) {
  if (log && (a <= 0 || b <= 0)) fail("sweep range", "log spacing needs both ends > 0");
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    const double f = n == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(n - 1);
    out.push_back(log ? a * std::pow(b / a, f) : a + (b - a) * f);
  }
  return out;
}

std::string sweep_param_text(const SweepParam& p) {
  const auto num = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.6g", v);
    return std::string(b);
  };
  std::string out = (p.selector.empty() ? "" : p.selector + ".") + p.name + "=";
  const size_t n = p.values.size();
  if (n >= 3) {
    // A range when the values printed as one read back the same to 6 significant digits.
    const double a = std::strtod(num(p.values.front()).c_str(), nullptr), b = std::strtod(num(p.values.back()).c_str(), nullptr);
    for (const bool log : {p.log_scale, !p.log_scale}) {
      if (log && (a <= 0 || b <= 0)) continue;
      const std::vector<double> back = sweep_values(a, b, static_cast<int>(n), log);
      bool same = true;
      for (size_t i = 0; i < n && same; ++i) same = num(back[i]) == num(p.values[i]);
      if (same) return out + num(a) + ":" + num(b) + (log ? ":log:" : ":lin:") + std::to_string(n);
    }
  }
  for (size_t i = 0; i < n; ++i) out += (i ? "," : "") + num(p.values[i]);
  return out;
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

void sweep_check(const Experiment& base, const std::vector<SweepParam>& params, int seeds) {
  if (seeds < 1) fail("--seeds", "must be >= 1");
  // Every parameter must land on at least one run, be valid there, and be the only one
  // that sets its hyperparameter on that run (else the table would show a value not run).
  std::map<std::pair<size_t, std::string>, std::string> swept;  // (run, name) -> the flag
  double combos_n = 1;
  std::string flags;
  for (const auto& p : params) {
    const std::string flag = "--param " + (p.selector.empty() ? "" : p.selector + ".") + p.name;
    if (p.values.empty()) fail(flag, "has no values");
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
      const auto [it, fresh] = swept.emplace(std::make_pair(i, p.name), flag);
      if (!fresh) fail(flag, "run \"" + r.label + "\" already has \"" + p.name + "\" swept by " + it->second);
      ++hits;
    }
    if (!hits) fail(flag, p.selector.empty() ? "no run of the experiment has this hyperparameter"
                                             : "no run is labelled or numbered \"" + p.selector + "\"");
    combos_n *= static_cast<double>(p.values.size());
    flags += (flags.empty() ? "" : " ") + flag;
  }
  // Before the grid is made: its runs within the time limit, its cells within memory.
  sweep_check_limits(base, combos_n * seeds, combos_n * static_cast<double>(base.runs.size()), seeds,
                     flags + (seeds > 1 || flags.empty() ? " --seeds " + std::to_string(seeds) : ""));
}

SweepResult sweep_run(const Experiment& base, const std::vector<SweepParam>& params, int seeds, int threads,
                      const std::function<void(int, int)>& progress, const std::atomic<bool>* cancel) {
  sweep_check(base, params, seeds);
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
    if (cancel && cancel->load()) return;
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
  if (cancel && cancel->load()) fail("sweep", "cancelled");
  return res;
}

std::vector<std::vector<std::string>> sweep_table_rows(const SweepResult& r) {
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
  return rows;
}

std::string sweep_table(const SweepResult& r) {
  const std::vector<std::vector<std::string>> rows = sweep_table_rows(r);
  const std::vector<std::string>& head = rows[0];
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
  c.clip_outliers = false;  // every value of the sweep on the axis (diverged cells are marked)
  c.x_pad = 0.03;           // the end dots inside the frame
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

namespace {

std::string param_label(const SweepParam& p) { return (p.selector.empty() ? "" : p.selector + ".") + p.name; }

bool applies(const SweepParam& p, const Experiment& base, int run) {
  if (run < 0 || static_cast<size_t>(run) >= base.runs.size()) return false;
  const RunSpec& rs = base.runs[static_cast<size_t>(run)];
  const OptimizerInfo* info = optimizer_find(rs.optimizer);
  return selects(p, rs, run) && info && param_find(info->params, p.name);
}

}  // namespace

HeatChart sweep_heat_chart(const SweepResult& r, const Experiment& base, SweepMetric m) {
  if (r.params.size() != 2) fail("sweep figure", "a heatmap needs exactly two swept parameters, not " + std::to_string(r.params.size()));
  const SweepParam &px = r.params[0], &py = r.params[1];
  HeatChart c;
  const std::string what = base.name.empty() ? base.landscape.id : base.name;
  const std::string seeds = std::to_string(r.seeds) + (r.seeds == 1 ? " seed" : " seeds");
  c.xlabel = param_label(px);
  c.ylabel = param_label(py);
  for (double v : px.values) c.xcats.push_back(tick_label(v));
  for (double v : py.values) c.ycats.push_back(tick_label(v));
  if (m == SweepMetric::final_loss) {
    c.title = what + ": final loss over " + c.xlabel + " x " + c.ylabel;
    c.colour_label = "final loss (median over " + seeds + ")";
  } else {
    c.title = what + ": forward passes to loss " + tick_label(r.target) + " over " + c.xlabel + " x " + c.ylabel;
    c.colour_label = "FP to target (median of the seeds reaching it)";
    c.missing_note = "-: not reached";
  }
  c.marked_note = "x: diverged (median over " + seeds + ")";
  const size_t nx = px.values.size(), ny = py.values.size();
  std::map<int, size_t> panel_of;  // run -> panel
  for (const SweepCell& cell : r.cells) {
    if (cell.values.size() != 2) continue;
    if (!base.runs.empty() && !applies(px, base, cell.run) && !applies(py, base, cell.run)) continue;
    auto [it, fresh] = panel_of.emplace(cell.run, c.panels.size());
    if (fresh) {
      HeatPanel p;
      p.title = cell.label;
      if (!base.runs.empty() && !(applies(px, base, cell.run) && applies(py, base, cell.run)))
        p.title += " (" + (applies(px, base, cell.run) ? c.ylabel : c.xlabel) + " does not apply)";
      p.values.assign(nx * ny, NAN);
      p.marked.assign(nx * ny, 0);
      c.panels.push_back(std::move(p));
    }
    const auto ix = std::find(px.values.begin(), px.values.end(), cell.values[0]) - px.values.begin();
    const auto iy = std::find(py.values.begin(), py.values.end(), cell.values[1]) - py.values.begin();
    if (static_cast<size_t>(ix) >= nx || static_cast<size_t>(iy) >= ny) continue;
    const size_t k = static_cast<size_t>(iy) * nx + static_cast<size_t>(ix);
    HeatPanel& p = c.panels[it->second];
    const double loss = cell.median_final_loss();
    p.marked[k] = std::isinf(loss) ? 1 : 0;  // the median seed diverged
    if (m == SweepMetric::final_loss) p.values[k] = loss;
    else if (const int64_t f = cell.median_fp_to_target(); f >= 0) p.values[k] = static_cast<double>(f);
  }
  return c;
}

std::vector<std::string> sweep_write_figures(const SweepResult& r, const Experiment& base, const std::string& dir, int w,
                                             int h) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  const auto write = [&](const std::string& stem, const auto& chart, const auto& image, const auto& svg) {
    const std::string png = (fs::path(dir) / (stem + ".png")).string(), sv = (fs::path(dir) / (stem + ".svg")).string();
    png_write(png, image(chart, w, h));
    atomic_write(sv, svg(chart, w, h));
    out.push_back(png);
    out.push_back(sv);
  };
  if (r.params.size() == 2) {
    write("sweep", sweep_heat_chart(r, base, SweepMetric::final_loss), heat_chart_render_image, heat_chart_render_svg);
    if (std::isfinite(r.target))
      write("sweep_fp", sweep_heat_chart(r, base, SweepMetric::fp_to_target), heat_chart_render_image, heat_chart_render_svg);
  } else {
    write("sweep", sweep_chart(r, base), chart_render_image, chart_render_svg);
  }
  return out;
}

std::vector<std::string> sweep_write_dir(const SweepResult& r, const Experiment& base, const std::string& dir) {
  namespace fs = std::filesystem;
  make_dirs(dir);
  const std::string csv = (fs::path(dir) / "sweep.csv").string(), exp = (fs::path(dir) / "experiment.json").string();
  atomic_write(csv, sweep_csv(r));
  experiment_save(base, exp);
  std::vector<std::string> out{csv, exp};
  for (std::string& f : sweep_write_figures(r, base, dir)) out.push_back(std::move(f));
  return out;
}

SweepResult sweep_csv_read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot read");
  std::string line;
  if (!std::getline(in, line)) fail(path, "empty (expected the header of sweep.csv)");
  const std::vector<std::string> head = csv_split(line);
  const auto run_col = std::find(head.begin(), head.end(), "run") - head.begin();
  const std::vector<std::string> tail(head.begin() + run_col, head.end());
  if (tail != std::vector<std::string>{"run", "label", "seed", "final_loss", "fp_to_target", "diverged"})
    fail(path, "line 1: not a sweep.csv header (expected parameters, then run,label,seed,final_loss,fp_to_target,diverged)");
  const size_t np = static_cast<size_t>(run_col);
  SweepResult r;
  for (size_t i = 0; i < np; ++i) {
    SweepParam p;
    const size_t dot = head[i].rfind('.');
    p.selector = dot == std::string::npos ? "" : head[i].substr(0, dot);
    p.name = dot == std::string::npos ? head[i] : head[i].substr(dot + 1);
    r.params.push_back(p);
  }
  std::map<std::pair<std::vector<double>, int>, size_t> cell_of;
  int max_seed = -1;
  for (int ln = 2; std::getline(in, line); ++ln) {
    if (line.empty()) continue;
    const std::vector<std::string> f = csv_split(line);
    const auto where = path + ": line " + std::to_string(ln);
    if (f.size() != head.size()) fail(where, std::to_string(f.size()) + " fields, the header has " + std::to_string(head.size()));
    const auto num = [&](size_t i) {
      char* end = nullptr;
      const double v = std::strtod(f[i].c_str(), &end);
      if (f[i].empty() || *end) fail(where, head[i] + " = \"" + f[i] + "\" is not a number");
      return v;
    };
    std::vector<double> values;
    for (size_t i = 0; i < np; ++i) values.push_back(num(i));
    const double run_v = num(np), seed_v = num(np + 2), fp_v = num(np + 4);
    if (!(run_v >= 0 && run_v <= 1e6 && seed_v >= 0 && seed_v <= 1e5 && fp_v >= -1 && fp_v <= 9e18))
      fail(where, "run, seed or fp_to_target out of range");
    const int run = static_cast<int>(run_v), seed = static_cast<int>(seed_v);
    auto [it, fresh] = cell_of.emplace(std::make_pair(values, run), r.cells.size());
    if (fresh) {
      SweepCell c;
      c.values = values;
      c.run = run;
      c.label = f[np + 1];
      r.cells.push_back(c);
    }
    SweepCell& c = r.cells[it->second];
    if (c.final_loss.size() <= static_cast<size_t>(seed)) {
      c.final_loss.resize(static_cast<size_t>(seed) + 1, NAN);
      c.fp_to_target.resize(static_cast<size_t>(seed) + 1, -1);
    }
    c.final_loss[static_cast<size_t>(seed)] = num(np + 3);
    c.fp_to_target[static_cast<size_t>(seed)] = static_cast<int64_t>(fp_v);
    if (num(np + 5) != 0) ++c.diverged;
    max_seed = std::max(max_seed, seed);
  }
  if (r.cells.empty()) fail(path, "no rows");
  r.seeds = max_seed + 1;
  for (SweepCell& c : r.cells) {
    c.final_loss.resize(static_cast<size_t>(r.seeds), NAN);
    c.fp_to_target.resize(static_cast<size_t>(r.seeds), -1);
  }
  // Each parameter's values in the order of first appearance (the sweep's own order).
  for (size_t i = 0; i < np; ++i) {
    std::vector<double>& v = r.params[i].values;
    for (const SweepCell& c : r.cells)
      if (std::find(v.begin(), v.end(), c.values[i]) == v.end()) v.push_back(c.values[i]);
    bool log = v.size() >= 3 && std::all_of(v.begin(), v.end(), [](double x) { return x > 0; });
    for (size_t k = 2; log && k < v.size(); ++k)
      log = std::fabs(std::log10(v[k] / v[k - 1]) - std::log10(v[1] / v[0])) < 1e-6 && std::fabs(std::log10(v[1] / v[0])) > 1e-6;
    r.params[i].log_scale = log;
  }
  return r;
}

}  // namespace zs
