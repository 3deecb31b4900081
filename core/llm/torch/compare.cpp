// The multi-seed comparison (see compare.h).
#include "core/llm/torch/compare.h"
#include "core/llm/torch/finetune_setup.h"
#include <c10/core/GradMode.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include "core/export/figure.h"
#include "core/llm/text/data.h"
#include "core/llm/text/tokenizer.h"
#include "core/llm/torch/adazeta.h"
#include "core/llm/torch/model.h"
#include "core/llm/torch/task_torch.h"
#include "core/llm/torch/tensor_io.h"
#include "core/opt/optimizer.h"
#include "core/run/record.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs {

void compare_options_check(const CompareOptions& o) {
  if (o.seeds < 1 || o.seeds > 100) fail("--seeds", "value " + std::to_string(o.seeds) + " is outside [1, 100]");
  if (o.metric != "dev_accuracy" && o.metric != "train_loss")
    fail("--target-metric", "value \"" + o.metric + "\" is not one of dev_accuracy, train_loss");
  if (!std::isnan(o.target) && !std::isfinite(o.target)) fail("--target", "value is not a finite number");
  if (o.metric == "dev_accuracy" && !std::isnan(o.target) && !(o.target > 0 && o.target <= 1))
    fail("--target", "value " + fmt_double(o.target) + " is not a dev accuracy in (0, 1]");
}

FinetuneSpec compare_seed_spec(const FinetuneSpec& spec, int k) {
  FinetuneSpec s = spec;
  s.seed = spec.seed + static_cast<uint64_t>(k);
  s.data_seed = spec.data_seed + static_cast<uint64_t>(k);
  return s;
}

double finetune_split_accuracy(const FinetuneSpec& spec, const std::string& model_dir, const std::string& run_dir,
                               bool test, int64_t max_examples) {
  // The run's trainable tensors, adapters included (finetune_run's setup with the same
  // seed); the zero-shot model has no adapters.
  FinetuneSpec setup = spec;
  if (run_dir.empty()) setup.mode = "full";
  CausalLM model = finetune_load_model(setup, model_dir);
  const std::unique_ptr<Tokenizer> tok = tokenizer_load(spec.tokenizer.empty() ? model_dir : spec.tokenizer);
  if (!run_dir.empty()) {
    const std::string path = run_dir + "/final.safetensors";
    const std::map<std::string, at::Tensor> ts = load_tensors(path, model.device());
    c10::NoGradGuard ng;
    for (const Block& b : model.blocks()) {
      const auto it = ts.find(b.name);
      if (it == ts.end()) fail(path, "lacks tensor " + b.name);
      b.tensor.copy_(it->second);
    }
  }
  const Task& task = task_get(spec.task);
  DataOptions d;
  d.dir = spec.data_dir;
  d.n_train = 0;
  d.n_dev = test ? 0 : spec.n_dev;
  d.n_test = test ? spec.n_test : 0;
  d.data_seed = spec.data_seed;
  // Non-generated tasks sample dev from the training pool: keep the spec's train size so
  // the dev examples are the run's own.
  if (!task.generated) d.n_train = spec.n_train;
  const TaskData data = task_data_load(task, d);
  const EncodeOptions eo{.max_length = std::min<int64_t>(spec.max_length, model.config().max_position_embeddings)};
  const EncodedSet set = task_encode(task, *tok, test ? data.test : data.dev, eo);
  if (set.size() == 0) return NAN;
  return task_evaluate(model, *tok, set, {.max_examples = max_examples}).value;
}

std::vector<MetricCurve> compare_curves(const FinetuneSpec& spec, const std::string& curves_csv,
                                        const std::string& metric, double start) {
  // Columns: label,optimizer,step,forward_passes,train_loss,dev_accuracy.
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < spec.runs.size(); ++i) index[spec.runs[i].label] = i;
  std::vector<MetricCurve> out(spec.runs.size());
  if (metric == "dev_accuracy" && std::isfinite(start))
    for (MetricCurve& c : out) {
      c.fp.push_back(0);
      c.value.push_back(start);
    }
  constexpr size_t kWindow = 20;  // steps averaged for the training-loss curve
  std::vector<std::vector<double>> recent(spec.runs.size());
  std::istringstream in(curves_csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> f = csv_split(line);
    if (f.size() != 6) fail("curves.csv", "malformed line \"" + line + "\"");
    const auto it = index.find(f[0]);
    if (it == index.end()) continue;
    MetricCurve& c = out[it->second];
    const double fp = std::strtod(f[3].c_str(), nullptr);
    if (metric == "dev_accuracy") {
      if (f[5].empty()) continue;
      c.fp.push_back(fp);
      c.value.push_back(std::strtod(f[5].c_str(), nullptr));
    } else {
      std::vector<double>& w = recent[it->second];
      w.push_back(std::strtod(f[4].c_str(), nullptr));
      if (w.size() > kWindow) w.erase(w.begin());
      double sum = 0;
      for (double v : w) sum += v;
      c.fp.push_back(fp);
      c.value.push_back(sum / static_cast<double>(w.size()));
    }
  }
  return out;
}

double compare_fp_to_target(const MetricCurve& c, const std::string& metric, double target) {
  if (std::isnan(target)) return NAN;
  for (size_t i = 0; i < c.fp.size(); ++i)
    if (metric == "dev_accuracy" ? c.value[i] >= target : c.value[i] <= target) return c.fp[i];
  return NAN;
}

Spread spread_of(const std::vector<double>& v) {
  Spread s;
  double sum = 0;
  for (double x : v) {
    if (!std::isfinite(x)) continue;
    sum += x;
    s.lo = s.n == 0 ? x : std::min(s.lo, x);
    s.hi = s.n == 0 ? x : std::max(s.hi, x);
    ++s.n;
  }
  if (s.n == 0) return s;
  s.mean = sum / s.n;
  double ss = 0;
  for (double x : v)
    if (std::isfinite(x)) ss += (x - s.mean) * (x - s.mean);
  s.sd = s.n > 1 ? std::sqrt(ss / (s.n - 1)) : 0.0;
  return s;
}

CompareReport compare_collect(const FinetuneSpec& spec, const std::string& model_dir,
                              const std::vector<std::string>& seed_dirs,
                              const std::vector<std::vector<FinetuneRunResult>>& results, const CompareOptions& opt,
                              const FinetuneLog& log, ZeroShotMemo* memo) {
  if (seed_dirs.size() != results.size()) fail("compare", "internal: seed folders and results differ in number");
  CompareReport r;
  r.opt = opt;
  if (memo && memo->test) {
    r.zero_shot_test = *memo->test;
    if (log) log("zero-shot accuracies: measured once, reused for this comparison");
  } else {
    r.zero_shot_test = finetune_split_accuracy(spec, model_dir, "", true);
    if (memo) memo->test = r.zero_shot_test;
  }
  for (size_t i = 0; i < spec.runs.size(); ++i) {
    CompareRun cr;
    cr.label = spec.runs[i].label;
    cr.optimizer = spec.runs[i].optimizer;
    r.runs.push_back(cr);
  }
  for (size_t k = 0; k < seed_dirs.size(); ++k) {
    const FinetuneSpec sk = compare_seed_spec(spec, static_cast<int>(k));
    double z = 0;
    if (memo && memo->dev.count(k)) {
      z = memo->dev.at(k);
    } else {
      z = finetune_split_accuracy(sk, model_dir, "", false, sk.eval_examples);
      if (memo) memo->dev[k] = z;
    }
    r.zero_shot_dev.push_back(z);
    const std::vector<MetricCurve> curves = compare_curves(sk, finetune_curves_csv(sk, seed_dirs[k]), opt.metric, z);
    for (size_t i = 0; i < spec.runs.size(); ++i) {
      CompareRun& cr = r.runs[i];
      if (results[k].size() != spec.runs.size()) fail(seed_dirs[k], "results do not match the spec's runs");
      cr.results.push_back(results[k][i]);
      const double t = finetune_split_accuracy(sk, model_dir, seed_dirs[k] + "/runs/" + cr.label, true);
      cr.test_accuracy.push_back(t);
      cr.curves.push_back(curves[i]);
      cr.fp_to_target.push_back(compare_fp_to_target(curves[i], opt.metric, opt.target));
      if (log) log("seed " + std::to_string(k) + " " + cr.label + ": test accuracy " + fmt_double(t));
    }
  }
  return r;
}

namespace {

std::string f4(double v) {
  if (!std::isfinite(v)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", v);
  return b;
}

std::string f0(double v) {
  if (!std::isfinite(v)) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.0f", v);
  return b;
}

// "mean +- sd" with the given formatter.
std::string pm(const Spread& s, std::string (*f)(double)) { return s.n == 0 ? "-" : f(s.mean) + " +- " + f(s.sd); }

template <class Get>
std::vector<double> per_seed(const CompareRun& c, Get get) {
  std::vector<double> v;
  for (const FinetuneRunResult& x : c.results) v.push_back(get(x));
  return v;
}

// Rows as aligned text columns: the first two left-aligned (names), the rest right-aligned.
std::string aligned_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> w(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], row[i].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string pad(w[i] - row[i].size(), ' ');
      line += (i == 0 ? "" : "  ") + (i < 2 ? row[i] + pad : pad + row[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

// Mean FP to target of the first MeZO run (the papers' reference), NaN if none reached.
double mezo_reference(const CompareReport& r) {
  for (const CompareRun& c : r.runs)
    if (c.optimizer == "mezo") return spread_of(c.fp_to_target).mean;
  return NAN;
}

}  // namespace

std::string compare_table(const CompareReport& r) {
  const bool target = !std::isnan(r.opt.target);
  const double ref = mezo_reference(r);
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"run", "optimizer", "seeds"});
  if (target) {
    rows[0].push_back("fp_to_target (" + r.opt.metric + (r.opt.metric == "dev_accuracy" ? " >= " : " <= ") +
                      fmt_double(r.opt.target) + ")");
    rows[0].push_back("reached");
    rows[0].push_back("vs_mezo");
  }
  for (const char* c : {"final_train_loss", "dev_accuracy", "test_accuracy", "optimizer_state_bytes", "seconds"})
    rows[0].push_back(c);
  const size_t seeds = r.zero_shot_dev.size();
  {
    std::vector<std::string> z = {"zero-shot", "-", std::to_string(seeds)};
    if (target) z.insert(z.end(), {"-", "-", "-"});
    z.insert(z.end(), {"-", pm(spread_of(r.zero_shot_dev), f4), f4(r.zero_shot_test), "0", "-"});
    rows.push_back(z);
  }
  for (const CompareRun& c : r.runs) {
    std::vector<std::string> row = {c.label, c.optimizer, std::to_string(c.results.size())};
    if (target) {
      const Spread s = spread_of(c.fp_to_target);
      row.push_back(pm(s, f0));
      row.push_back(std::to_string(s.n) + "/" + std::to_string(c.fp_to_target.size()));
      row.push_back(s.n > 0 && std::isfinite(ref) ? f4(s.mean / ref) : "-");
    }
    row.push_back(pm(spread_of(per_seed(c, [](const FinetuneRunResult& x) { return x.final_train_loss; })), f4));
    row.push_back(pm(spread_of(per_seed(c, [](const FinetuneRunResult& x) { return x.dev_accuracy; })), f4));
    row.push_back(pm(spread_of(c.test_accuracy), f4));
    row.push_back(f0(spread_of(per_seed(c, [](const FinetuneRunResult& x) { return double(x.state_bytes); })).mean));
    const Spread sec = spread_of(per_seed(c, [](const FinetuneRunResult& x) { return x.seconds; }));
    char b[64];
    std::snprintf(b, sizeof b, "%.1f +- %.1f", sec.mean, sec.sd);
    row.push_back(b);
    rows.push_back(row);
  }
  std::string out = aligned_table(rows);
  out += "mean +- sample standard deviation over " + std::to_string(seeds) +
         " seeds; dev and test accuracy of the final weights; zero-shot: the pretrained model";
  if (target) out += "; fp_to_target averages the seeds that reached it; vs_mezo = that mean / MeZO's";
  return out + "\n";
}

std::string compare_csv(const CompareReport& r) {
  std::string out =
      "run,optimizer,seed,fp_to_target,final_train_loss,dev_accuracy,test_accuracy,optimizer_state_bytes,seconds,forward_passes\n";
  const auto num = [](double v) { return std::isfinite(v) ? fmt_double(v) : std::string(); };
  for (size_t k = 0; k < r.zero_shot_dev.size(); ++k)
    out += "zero-shot,," + std::to_string(k) + ",,," + num(r.zero_shot_dev[k]) + "," + num(r.zero_shot_test) + ",0,,0\n";
  for (const CompareRun& c : r.runs)
    for (size_t k = 0; k < c.results.size(); ++k) {
      const FinetuneRunResult& x = c.results[k];
      out += c.label + "," + c.optimizer + "," + std::to_string(k) + "," + num(c.fp_to_target[k]) + "," +
             num(x.final_train_loss) + "," + num(x.dev_accuracy) + "," + num(c.test_accuracy[k]) + "," +
             std::to_string(x.state_bytes) + "," + num(x.seconds) + "," + std::to_string(x.forward_passes) + "\n";
    }
  // Aggregates: seed "mean" / "sd".
  for (const CompareRun& c : r.runs)
    for (int which = 0; which < 2; ++which) {
      const auto pick = [&](const std::vector<double>& v) {
        const Spread s = spread_of(v);
        return num(which == 0 ? s.mean : s.sd);
      };
      out += c.label + "," + c.optimizer + "," + (which == 0 ? "mean" : "sd") + "," + pick(c.fp_to_target) + "," +
             pick(per_seed(c, [](const FinetuneRunResult& x) { return x.final_train_loss; })) + "," +
             pick(per_seed(c, [](const FinetuneRunResult& x) { return x.dev_accuracy; })) + "," + pick(c.test_accuracy) +
             "," + pick(per_seed(c, [](const FinetuneRunResult& x) { return double(x.state_bytes); })) + "," +
             pick(per_seed(c, [](const FinetuneRunResult& x) { return x.seconds; })) + "," +
             pick(per_seed(c, [](const FinetuneRunResult& x) { return double(x.forward_passes); })) + "\n";
    }
  return out;
}

namespace {

constexpr uint32_t kPalette[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

Figure compare_figure(const CompareReport& r) {
  Figure fig;
  const bool acc = r.opt.metric == "dev_accuracy";
  fig.title = std::string(acc ? "dev accuracy" : "training loss (20-step mean)") + " vs forward passes: mean, band min..max over " +
              std::to_string(r.zero_shot_dev.size()) + " seeds";
  fig.xlabel = "forward passes";
  fig.ylabel = acc ? "dev accuracy" : "training loss";
  fig.contour_levels = 0;
  double x1 = 1, y0 = INFINITY, y1 = -INFINITY;
  for (size_t i = 0; i < r.runs.size(); ++i) {
    const CompareRun& c = r.runs[i];
    FigureRun fr;
    fr.label = c.label;
    fr.rgb = kPalette[i % (sizeof kPalette / sizeof kPalette[0])];
    size_t n = SIZE_MAX;
    for (const MetricCurve& m : c.curves) n = std::min(n, m.fp.size());
    if (c.curves.empty() || n == 0) continue;
    for (size_t j = 0; j < n; ++j) {
      std::vector<double> v;
      for (const MetricCurve& m : c.curves) v.push_back(m.value[j]);
      const Spread s = spread_of(v);
      fr.xs.push_back(c.curves[0].fp[j]);
      fr.ys.push_back(s.mean);
      fr.band_lo.push_back(s.lo);
      fr.band_hi.push_back(s.hi);
      x1 = std::max(x1, c.curves[0].fp[j]);
      if (std::isfinite(s.lo)) y0 = std::min(y0, s.lo);
      if (std::isfinite(s.hi)) y1 = std::max(y1, s.hi);
    }
    const Spread fin = spread_of(acc ? per_seed(c, [](const FinetuneRunResult& x) { return x.dev_accuracy; }) : c.test_accuracy);
    fr.legend_extra = acc ? "final dev " + f4(fin.mean) : "test acc " + f4(fin.mean);
    fig.runs.push_back(std::move(fr));
  }
  if (!std::isnan(r.opt.target)) {
    y0 = std::min(y0, r.opt.target);
    y1 = std::max(y1, r.opt.target);
  }
  if (!(y1 > y0)) {
    y0 = std::isfinite(y0) ? y0 - 0.5 : 0;
    y1 = y0 + 1;
  }
  const double pad = 0.05 * (y1 - y0);
  fig.domain[0] = 0;
  fig.domain[1] = x1;
  fig.domain[2] = y0 - pad;
  fig.domain[3] = y1 + pad;
  if (!std::isnan(r.opt.target)) {
    FigureRun t;
    t.label = "target " + fmt_double(r.opt.target);
    t.rgb = 0x404040;
    t.xs = {0, x1};
    t.ys = {r.opt.target, r.opt.target};
    fig.runs.push_back(std::move(t));
  }
  fig.stamp = "zoscope-cli finetune --seeds " + std::to_string(r.zero_shot_dev.size());
  return fig;
}

}  // namespace

void compare_write(const CompareReport& r, const std::string& dir) {
  make_dirs(dir);
  atomic_write(dir + "/table.txt", compare_table(r));
  atomic_write(dir + "/compare.csv", compare_csv(r));
  const Figure fig = compare_figure(r);
  png_write(dir + "/compare.png", figure_render_image(fig, 1600, 1000));
  atomic_write(dir + "/compare.svg", figure_render_svg(fig, 1600, 1000));
}

}  // namespace zs

namespace zs {

void lr_factors_check(const std::vector<double>& factors) {
  if (factors.empty() || factors.size() > 20)
    fail("--lr-factors", "expected 1 to 20 factors, got " + std::to_string(factors.size()));
  for (size_t i = 0; i < factors.size(); ++i) {
    if (!std::isfinite(factors[i]) || !(factors[i] > 0))
      fail("--lr-factors", "value " + fmt_double(factors[i]) + " is not a finite number > 0");
    for (size_t j = 0; j < i; ++j)
      if (factors[j] == factors[i]) fail("--lr-factors", "value " + fmt_double(factors[i]) + " is given twice");
  }
}

namespace {

// lr x factor rounded to 12 significant digits: 1e-4 x 3 is 3e-4, not 3.0000000000000003e-4
// (the grid point a user would type; labels stay readable).
double grid_lr(double lr, double factor) {
  char b[32];
  std::snprintf(b, sizeof b, "%.12g", lr * factor);
  return std::strtod(b, nullptr);
}

}  // namespace

FinetuneSpec lr_scaled_spec(const FinetuneSpec& spec, double factor) {
  FinetuneSpec s = spec;
  for (FinetuneRun& r : s.runs) {
    auto it = r.hp.find("lr");
    if (it == r.hp.end()) fail("--lr-factors", "run " + r.label + " (" + r.optimizer + ") has no learning rate");
    const double lr = grid_lr(it->second, factor);
    const OptimizerInfo* info = optimizer_find(r.optimizer);
    const ParamDecl* d = info ? param_find(info->params, "lr") : nullptr;
    if (d) param_check(*d, lr, "--lr-factors " + fmt_double(factor) + ": run " + r.label + " lr " + fmt_double(lr));
    it->second = lr;
  }
  return s;
}

namespace {

// Mean final metric of run i at one grid point; NaN when any seed's result is not finite.
double sweep_score(const CompareReport& r, size_t i) {
  const bool acc = r.opt.metric == "dev_accuracy";
  double sum = 0;
  for (const FinetuneRunResult& x : r.runs[i].results) {
    const double v = acc ? x.dev_accuracy : x.final_train_loss;
    if (!std::isfinite(v) || !std::isfinite(x.final_train_loss)) return NAN;
    sum += v;
  }
  return r.runs[i].results.empty() ? NAN : sum / double(r.runs[i].results.size());
}

double run_lr(const FinetuneSpec& spec, size_t i, double factor) {
  const auto it = spec.runs[i].hp.find("lr");
  return it == spec.runs[i].hp.end() ? NAN : grid_lr(it->second, factor);
}

}  // namespace

void lr_sweep_choose(LrSweep& sw) {
  if (sw.reports.size() != sw.factors.size() || sw.reports.empty()) fail("lr sweep", "internal: one report per factor expected");
  const size_t runs = sw.reports[0].runs.size();
  const bool acc = sw.reports[0].opt.metric == "dev_accuracy";
  sw.best.assign(runs, 0);
  for (size_t i = 0; i < runs; ++i) {
    size_t best = SIZE_MAX;
    double best_score = NAN;
    for (size_t f = 0; f < sw.factors.size(); ++f) {
      const double s = sweep_score(sw.reports[f], i);
      if (!std::isfinite(s)) continue;
      if (best == SIZE_MAX || (acc ? s > best_score : s < best_score)) best = f, best_score = s;
    }
    if (best == SIZE_MAX) {  // nothing usable: the factor nearest 1 (on a log scale)
      best = 0;
      for (size_t f = 1; f < sw.factors.size(); ++f)
        if (std::fabs(std::log(sw.factors[f])) < std::fabs(std::log(sw.factors[best]))) best = f;
    }
    sw.best[i] = best;
  }
}

CompareReport lr_sweep_best(const LrSweep& sw, const FinetuneSpec& spec) {
  CompareReport r = sw.reports.at(0);
  for (size_t i = 0; i < r.runs.size(); ++i) {
    r.runs[i] = sw.reports.at(sw.best.at(i)).runs[i];
    r.runs[i].label += " (lr " + fmt_double(run_lr(spec, i, sw.factors[sw.best[i]])) + ")";
  }
  return r;
}

std::string lr_sweep_table(const LrSweep& sw, const FinetuneSpec& spec) {
  const CompareOptions& o = sw.reports.at(0).opt;
  const bool target = !std::isnan(o.target);
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"run", "optimizer", "lr", "factor", "final " + o.metric, "dev_accuracy", "test_accuracy"});
  if (target) rows[0].insert(rows[0].end(), {"fp_to_target", "reached"});
  rows[0].push_back("chosen");
  for (size_t i = 0; i < spec.runs.size(); ++i)
    for (size_t f = 0; f < sw.factors.size(); ++f) {
      const CompareRun& c = sw.reports[f].runs[i];
      std::vector<std::string> row = {spec.runs[i].label, spec.runs[i].optimizer, fmt_double(run_lr(spec, i, sw.factors[f])),
                                      fmt_double(sw.factors[f])};
      const double score = sweep_score(sw.reports[f], i);
      row.push_back(std::isfinite(score) ? f4(score) : "diverged");
      row.push_back(pm(spread_of(per_seed(c, [](const FinetuneRunResult& x) { return x.dev_accuracy; })), f4));
      row.push_back(pm(spread_of(c.test_accuracy), f4));
      if (target) {
        const Spread s = spread_of(c.fp_to_target);
        row.push_back(pm(s, f0));
        row.push_back(std::to_string(s.n) + "/" + std::to_string(c.fp_to_target.size()));
      }
      row.push_back(sw.best[i] == f ? (std::isfinite(score) ? "*" : "* (none usable)") : "");
      rows.push_back(row);
    }
  std::string out = aligned_table(rows);
  out += "final " + o.metric + ": mean over " + std::to_string(sw.reports[0].zero_shot_dev.size()) +
         " seeds (what chooses the learning rate); dev/test: mean +- sd of the final weights; *: the chosen factor\n";
  return out;
}

std::string lr_sweep_csv(const LrSweep& sw, const FinetuneSpec& spec) {
  std::string out = "run,optimizer,lr,factor,score,dev_accuracy_mean,test_accuracy_mean,fp_to_target_mean,reached,seeds,chosen\n";
  const auto num = [](double v) { return std::isfinite(v) ? fmt_double(v) : std::string(); };
  for (size_t i = 0; i < spec.runs.size(); ++i)
    for (size_t f = 0; f < sw.factors.size(); ++f) {
      const CompareRun& c = sw.reports[f].runs[i];
      const Spread fp = spread_of(c.fp_to_target);
      out += spec.runs[i].label + "," + spec.runs[i].optimizer + "," + num(run_lr(spec, i, sw.factors[f])) + "," +
             num(sw.factors[f]) + "," + num(sweep_score(sw.reports[f], i)) + "," +
             num(spread_of(per_seed(c, [](const FinetuneRunResult& x) { return x.dev_accuracy; })).mean) + "," +
             num(spread_of(c.test_accuracy).mean) + "," + num(fp.mean) + "," + std::to_string(fp.n) + "," +
             std::to_string(c.results.size()) + "," + (sw.best[i] == f ? "1" : "0") + "\n";
    }
  return out;
}

}  // namespace zs
