// zoscope-cli: the headless front end. Runs the same experiment files as the GUI for batch
// work and figures: list, run, sweep, render. The same source is zoscope-llm, which adds the
// LibTorch commands (finetune, landscape); zoscope-cli hands those to it (llm_forward.cpp).
// Bad input gets one clear line on stderr and a non-zero exit status, never a crash.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include "app/cli/cli_checks.h"
#include "app/cli/commands.h"
#include "core/io/limits.h"
#include "core/io/presets.h"
#include "core/io/run_files.h"
#include "core/landscape/landscape.h"
#include "core/opt/optimizer.h"
#include "core/run/runner.h"
#include "core/run/sweep.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/memory.h"
#include "core/version.h"

namespace zs {
namespace {

using Clock = std::chrono::steady_clock;

// Progress on stderr, only once an operation has taken longer than a second: a quick
// command leaves stderr empty, so an error is the one line there. Long work also shows
// the time left, extrapolated from the pace so far ("runs 3/8, about 40 s left").
struct Progress {
  Clock::time_point t0 = Clock::now();
  std::string what;
  void operator()(int done, int total) const {
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s < 1) return;
    std::fprintf(stderr, "\r%s %d/%d", what.c_str(), done, total);
    if (done > 0 && done < total) {
      const double left = s * (total - done) / done;
      if (left < 120) std::fprintf(stderr, ", about %.0f s left   ", left);
      else std::fprintf(stderr, ", about %.0f min left   ", left / 60);
    }
    if (done == total) std::fprintf(stderr, ", %.1f s%*s\n", s, 14, "");
    std::fflush(stderr);
  }
};

void parse_size(const std::string& s, int& w, int& h) {
  if (s.empty()) return;
  int a = 0, b = 0;
  char x = 0, extra = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%c", &a, &x, &b, &extra) != 3 || (x != 'x' && x != 'X') || a < 64 || b < 64 ||
      a > 16384 || b > 16384)
    fail("--size " + s, "expected WxH with 64 <= W, H <= 16384, e.g. 1600x1200");
  w = a;
  h = b;
}

int cmd_list() {
  std::printf("Landscapes:\n");
  for (const auto& d : landscape_catalog()) {
    std::printf("  %-18s %s%s\n", d.id.c_str(), d.display.c_str(), d.nd ? "  (N-D: dim)" : "");
    for (const auto& p : d.params)
      std::printf("      %-14s default %-10s range [%s, %s]%s  %s\n", p.name.c_str(), param_value_text(p, p.def).c_str(),
                  fmt_double(p.lo).c_str(), fmt_double(p.hi).c_str(), p.log_scale ? " log" : "", p.help.c_str());
  }
  std::printf("\nOptimizers:\n");
  for (const auto& info : optimizer_catalog()) {
    const auto o = optimizer_create(info.id, {}, info.id);
    std::printf("  %-14s %-26s %s  memory %s, %s\n", info.id.c_str(), info.display.c_str(), info.family.c_str(),
                optimizer_memory_text(*o).c_str(), optimizer_cost_text(*o).c_str());
    for (const auto& p : info.params) {
      std::string choices;
      for (const auto& c : p.choices) choices += (choices.empty() ? "" : "|") + c;
      std::printf("      %-18s default %-10s %s  %s\n", p.name.c_str(), param_value_text(p, p.def).c_str(),
                  p.kind == ParamKind::Choice ? choices.c_str()
                                              : ("[" + fmt_double(p.lo) + ", " + fmt_double(p.hi) + "]" +
                                                 (p.log_scale ? " log" : "")).c_str(),
                  p.help.c_str());
    }
  }
  std::printf("\nPresets (use as `preset:NAME` or NAME):\n");
  for (const auto& p : presets()) {
    const Experiment e = experiment_from_text(p.text, "preset:" + p.name);
    std::printf("  %-22s %s\n", p.name.c_str(), e.name.c_str());
  }
  return 0;
}

int cmd_run(const std::string& exp_arg, const std::string& out, const std::string& size, int threads) {
  Experiment e = experiment_resolve(exp_arg);
  RunDirOptions o;
  parse_size(size, o.width, o.height);
  o.threads = threads;
  if (out.empty()) fail("--out", "is empty; name the output directory");
  experiment_check_limits(e, o.width > 0 ? o.width : e.export_style.width, o.height > 0 ? o.height : e.export_style.height);
  make_dirs(out);  // an unusable --out fails before the runs, not after them
  const Scene s = scene_make(e);
  Progress prog{Clock::now(), "runs"};
  RunProgress rp;
  rp.on_run_done = [&](int d, int n) { prog(d, n); };
  const auto runs = run_experiment(e, s, threads, rp);
  const auto files = run_dir_write(out, e, runs, o);
  std::printf("%-24s %-14s %8s %10s %14s %s\n", "run", "optimizer", "steps", "FP", "final loss", "");
  for (const auto& r : runs)
    std::printf("%-24s %-14s %8lld %10lld %14s %s\n", r.label.c_str(), r.optimizer.c_str(),
                static_cast<long long>(r.rows.back().step), static_cast<long long>(r.rows.back().fp),
                std::isfinite(r.final_loss()) ? fmt_double(r.final_loss()).c_str() : "not finite",
                r.diverged ? ("diverged at step " + std::to_string(r.diverged_step) + ": " + r.diverge_reason).c_str() : "");
  for (const auto& f : files) std::printf("wrote %s\n", f.c_str());
  return 0;
}

int cmd_sweep(const std::string& exp_arg, const std::vector<std::string>& specs, int seeds, const std::string& out,
              bool out_given, double target, bool target_given, int threads) {
  if (out_given && out.empty()) fail("--out", "is empty; name the output directory (or leave --out out)");
  Experiment e = experiment_resolve(exp_arg);
  if (target_given) e.target_loss = target;
  std::vector<SweepParam> params;
  for (const auto& s : specs) params.push_back(sweep_param_parse(s));
  experiment_check_limits(e, 0, 0);
  if (!out.empty()) make_dirs(out);
  Progress prog{Clock::now(), "sweep jobs"};
  const SweepResult r = sweep_run(e, params, seeds, threads, [&](int d, int n) { prog(d, n); });
  std::fputs(sweep_table(r).c_str(), stdout);
  if (!out.empty()) {
    // sweep.csv, the experiment swept and the figures (final loss vs the swept value, one
    // line per run, seeds as a band; for two swept parameters heatmaps of final loss and FP
    // to the target).
    const std::vector<std::string> files = sweep_write_dir(r, e, out);  // csv, json, then png/svg pairs
    std::printf("wrote %s\nwrote %s\n", files[0].c_str(), files[1].c_str());
    for (size_t i = 2; i + 1 < files.size(); i += 2) std::printf("wrote %s, %s\n", files[i].c_str(), files[i + 1].c_str());
  }
  return 0;
}

int cmd_render(const std::string& dir, std::string png, std::string svg, const std::string& size, int threads) {
  if (dir.empty()) fail("render", "the run folder is empty; name the --out folder of `zoscope-cli run`");
  const RunDir rd = run_dir_read(dir);
  int w = 0, h = 0;
  parse_size(size, w, h);
  experiment_check_limits(rd.experiment, w > 0 ? w : rd.experiment.export_style.width,
                          h > 0 ? h : rd.experiment.export_style.height);
  if (png.empty() && svg.empty()) {
    png = (std::filesystem::path(dir) / "figure.png").string();
    svg = (std::filesystem::path(dir) / "figure.svg").string();
  }
  run_dir_render(rd, png, svg, w, h, threads);
  if (!png.empty()) std::printf("wrote %s\n", png.c_str());
  if (!svg.empty()) std::printf("wrote %s\n", svg.c_str());
  return 0;
}

// One line for a command-line mistake. CLI11 reports a misspelt subcommand only as "A
// subcommand is required"; name the word instead.
std::string usage_error_text(const CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  std::string known;
  bool is_sub = false;
  const std::string word = cli_command_word(argc, argv);
  for (const CLI::App* sub : app.get_subcommands(std::function<bool(const CLI::App*)>{})) {
    is_sub = is_sub || sub->get_name() == word;
    if (sub->get_group().empty()) continue;  // hidden (finetune-run)
    known += (known.empty() ? "" : ", ") + sub->get_name();
  }
  if (!word.empty() && !is_sub) return "unknown subcommand \"" + word + "\" (known: " + known + ")";
  return e.what();
}

}  // namespace

std::string cli_command_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {  // the first argument that is neither an option nor --threads' value
    const std::string a = argv[i];
    if (a == "--threads") ++i;
    else if (!a.empty() && a[0] != '-') return a;
  }
  return "";
}

}  // namespace zs

int main(int argc, char** argv) {
#ifdef ZS_CLI_FORWARDS_LLM
  zs::cli_forward_llm(argc, argv);  // finetune, landscape: exec zoscope-llm (llm_forward.cpp)
#else
  zs::keep_freed_tensor_memory();  // zoscope-llm: forward passes over and over (core/util/memory.h)
#endif
  CLI::App app{"zoscope-cli " ZOSCOPE_VERSION ": run zeroth-order optimizer experiments headless"};
  app.require_subcommand(1);
  app.fallthrough();  // global options (--threads) also after the subcommand; set before adding them
  app.set_version_flag("--version", ZOSCOPE_VERSION);
  int threads = 0;
  app.add_option("--threads", threads, "worker threads (0 = all cores)")->check(zs::cli_whole(0, 256));

  app.add_subcommand("list", "list landscapes, optimizers (with hyperparameters) and presets");

  auto* run = app.add_subcommand("run", "run an experiment file or preset; write CSV, JSONL, summary, PNG and SVG");
  std::string run_exp, run_out, run_size;
  run->add_option("experiment", run_exp, "experiment JSON file, or preset name")->required();
  run->add_option("--out", run_out, "output directory")->required();
  run->add_option("--size", run_size, "figure size WxH (default: the experiment's export size)");

  auto* sweep = app.add_subcommand("sweep", "grid over hyperparameters x seeds; summary table");
  std::string sweep_exp, sweep_out;
  std::vector<std::string> sweep_params;
  int sweep_seeds = 1;
  double sweep_target = NAN;
  sweep->add_option("experiment", sweep_exp, "experiment JSON file, or preset name")->required();
  sweep->add_option("--param", sweep_params, "NAME=a:b:log:n | NAME=a:b:lin:n | NAME=v1,v2 (NAME or RUN.NAME)")->required();
  sweep->add_option("--seeds", sweep_seeds, "seeds per grid point")->check(zs::cli_whole(1, 10000));
  sweep->add_option("--target", sweep_target, "target loss for 'FP to target' (default: the experiment's)")
      ->check(zs::cli_finite());
  sweep->add_option("--out", sweep_out, "directory for sweep.csv, experiment.json and the figures (sweep.png/svg, sweep_fp.png/svg)");

  auto* render = app.add_subcommand("render", "re-render the figure of a run directory");
  std::string render_dir, render_png, render_svg, render_size;
  render->add_option("run", render_dir, "output directory of `run`")->required();
  render->add_option("--png", render_png, "PNG path");
  render->add_option("--svg", render_svg, "SVG path");
  render->add_option("--size", render_size, "figure size WxH");

  zs::cli_add_llm_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "zoscope-cli: error: %s (see --help)\n", zs::one_line(zs::usage_error_text(app, e, argc, argv)).c_str());
    return 2;
  }
  try {
    if (app.got_subcommand("list")) return zs::cmd_list();
    if (app.got_subcommand("run")) return zs::cmd_run(run_exp, run_out, run_size, threads);
    if (app.got_subcommand("sweep"))
      return zs::cmd_sweep(sweep_exp, sweep_params, sweep_seeds, sweep_out, sweep->count("--out") > 0, sweep_target,
                           sweep->count("--target") > 0, threads);
    if (app.got_subcommand("render")) return zs::cmd_render(render_dir, render_png, render_svg, render_size, threads);
    return zs::cli_run_llm_commands(app, threads);
  } catch (const zs::Error& e) {  // bad input: the message names the file, field and value
    std::fprintf(stderr, "zoscope-cli: error: %s\n", zs::one_line(e.what()).c_str());
    return 2;
  } catch (const std::exception& e) {  // out of memory, file system, JSON, LibTorch: name the command
    std::string cmd;
    for (const CLI::App* sub : app.get_subcommands()) cmd = sub->get_name();
    std::fprintf(stderr, "zoscope-cli: error: %s%s\n", cmd.empty() ? "" : (cmd + ": ").c_str(),
                 zs::cli_error_line(e).c_str());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "zoscope-cli: error: unknown failure (not a C++ exception)\n");
    return 1;
  }
}
