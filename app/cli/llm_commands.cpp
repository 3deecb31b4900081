// LLM subcommands of zoscope-cli (built when LibTorch is found):
//   finetune SPEC --out DIR [--resume]   every run of a fine-tuning spec, each in its own
//                                         child process (fork/exec of this binary), table +
//                                         curves.csv + results.csv
//   finetune SPEC --out DIR --seeds K [--target T] [--target-metric M]   the comparison
//                                         over K seeds (core/llm/torch/compare.h)
//   finetune SPEC --out DIR --seeds K --lr-factors F1,F2,...   the same comparison with each
//                                         run's learning rate tuned on its own grid (spec lr x F)
//   finetune SPEC --out DIR --nproc N     data parallel over N local ranks (c10d; a rank started by
//                                         torchrun / srun reads RANK, WORLD_SIZE, ...): dist.h
//   finetune-run (hidden)                 one run of DIR/spec.json in this process
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <memory>
#include <vector>
#include "app/cli/cli_checks.h"
#include "app/cli/commands.h"
#include "core/llm/io/finetune_spec.h"
#include "core/llm/torch/compare.h"
#include "core/llm/torch/dist.h"
#include "core/llm/torch/errors.h"
#include "core/llm/torch/finetune.h"
#include "core/llm/torch/preflight.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/text_list.h"
#include "core/util/write_error.h"

extern "C" const char zs_finetune_default[];
extern "C" const char zs_finetune_default_end[];

namespace zs {

// "preset:finetune_default" (or the bare name when no such file exists) or a path.
FinetuneSpec resolve_spec(const std::string& arg) {
  std::error_code ec;
  const bool is_preset = arg == "preset:finetune_default" || (arg == "finetune_default" && !std::filesystem::exists(arg, ec));
  if (is_preset) return finetune_spec_parse(std::string(zs_finetune_default, zs_finetune_default_end), "preset:finetune_default");
  if (arg.rfind("preset:", 0) == 0) fail(arg, "no such fine-tuning preset (known: finetune_default)");
  return finetune_spec_load(arg);
}

namespace {

namespace fs = std::filesystem;

struct FinetuneArgs {
  std::string spec, out, model_dir;
  bool resume = false;
  int run = -1;
  int threads = 0;
  int nproc = 0;           // > 0: launch that many local ranks (dist.h)
  int seeds = 0;           // > 0: the multi-seed comparison
  bool seeds_given = false, target_given = false, metric_given = false;  // on the command line
  CompareOptions compare;  // its target and metric
  std::string lr_factors_text;     // --lr-factors as typed (text_list.h reads it)
  std::vector<double> lr_factors;  // non-empty: the learning-rate sweep (compare.h, LrSweep)
};
FinetuneArgs g_ft, g_child;

void log_line(const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); }

std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) fail("finetune", "cannot find this executable (/proc/self/exe): " + ec.message());
  return p.string();
}

// Runs one spec run in a child process; returns its result with the child's peak RSS.
FinetuneRunResult run_child(const std::string& exe, const std::string& spec_path, const std::string& out,
                            const std::string& model_dir, int index, bool resume, const std::string& label,
                            int threads) {
  std::vector<std::string> args = {exe, "--threads", std::to_string(threads), "finetune-run", spec_path, "--out", out,
                                   "--run", std::to_string(index), "--model-dir", model_dir};
  if (resume) args.push_back("--resume");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) fail("finetune", std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    // The run dies with its parent (a killed `finetune` leaves no run writing into the
    // folder that a `--resume` then uses); the check closes the race with a parent that
    // died before prctl.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) std::_Exit(125);
    ::execv(exe.c_str(), argv.data());
    std::fprintf(stderr, "finetune: exec %s failed: %s\n", exe.c_str(), std::strerror(errno));
    std::_Exit(127);
  }
  int status = 0;
  struct rusage ru {};
  while (::wait4(pid, &status, 0, &ru) < 0)
    if (errno != EINTR) fail("finetune", std::string("wait4 failed: ") + std::strerror(errno));
  // --resume helps where the run was interrupted (a signal, the stop-after drill: exit
  // 75), not where it failed on its input (its one error line is already on stderr).
  if (WIFSIGNALED(status))
    fail("finetune", "run " + label + " was killed by signal " + std::to_string(WTERMSIG(status)) +
                         "; continue it with --resume");
  if (WEXITSTATUS(status) == 75)
    fail("finetune", "run " + label + " failed (exit status 75); continue it with --resume");
  if (WEXITSTATUS(status) != 0)
    fail("finetune", "run " + label + " failed (exit status " + std::to_string(WEXITSTATUS(status)) +
                         ", the reason is the line above)");
  const std::string result_path = out + "/runs/" + label + "/result.json";
  FinetuneRunResult r = finetune_result_read(result_path);
  r.peak_rss_bytes = static_cast<int64_t>(ru.ru_maxrss) * 1024;  // Linux: kilobytes
  finetune_result_write(result_path, r);
  return r;
}

// One `finetune` at a time per output folder: an exclusive flock on OUT/.lock, held by
// this process and inherited by its run children (the lock lives while any of them does).
void lock_out_dir(const std::string& out) {
  const std::string path = out + "/.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);  // no O_CLOEXEC: children keep it
  if (fd < 0) fail(path, std::string("cannot open the folder lock: ") + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) fail(out, "another zoscope-cli finetune is using this folder (wait for it or stop it first)");
    fail(path, std::string("cannot lock: ") + std::strerror(err));
  }
}

// One run of a distributed job in this rank's process (every rank steps, rank 0 writes).
// ZOSCOPE_FINETUNE_EXIT_AFTER=k stops every rank after step k (exit 75), or with
// ZOSCOPE_FINETUNE_EXIT_RANK=r only rank r, which then kills itself (a crash drill) or,
// with ZOSCOPE_FINETUNE_EXIT_MODE=hang, stops answering (SIGSTOP: the timeout drill).
FinetuneRunResult run_rank(const FinetuneSpec& spec, size_t i, const std::string& out, const std::string& model_dir,
                           bool resume, int threads, Dist& dist) {
  FinetuneRunOptions o;
  o.resume = resume;
  o.threads = threads;
  if (dist.rank() == 0) o.log = log_line;
  o.dist = &dist;
  const char* k = std::getenv("ZOSCOPE_FINETUNE_EXIT_AFTER");
  const char* who = std::getenv("ZOSCOPE_FINETUNE_EXIT_RANK");
  const bool crash = who && *who;
  if (k && *k && (!crash || std::atoi(who) == dist.rank())) o.stop_after_step = std::strtoll(k, nullptr, 10);
  FinetuneRunResult r = finetune_run(spec, i, model_dir, out + "/runs/" + spec.runs[i].label, o);
  if (!r.completed) {
    log_line("rank " + std::to_string(dist.rank()) + ": " + r.label + ": stopped after step " + std::to_string(r.steps) +
             " (ZOSCOPE_FINETUNE_EXIT_AFTER)");
    std::fflush(stderr);
    const char* mode = std::getenv("ZOSCOPE_FINETUNE_EXIT_MODE");
    if (crash) ::raise(mode && std::string(mode) == "hang" ? SIGSTOP : SIGKILL);
    std::_Exit(75);
  }
  return r;
}

// Every run of `spec` into `out`, each in a child process (distributed: in this rank's
// process); writes spec.json, results.csv, curves.csv, runs.csv/jsonl and table.txt there
// (rank 0 only) and returns the results in spec order.
std::vector<FinetuneRunResult> finetune_all(const FinetuneSpec& spec, const std::string& out, bool resume,
                                            int threads, const std::string& model_dir, Dist* dist = nullptr) {
  const bool writer = !dist || dist->rank() == 0;
  const std::string spec_path = out + "/spec.json";
  if (writer) {
    make_dirs(out);
    lock_out_dir(out);
    if (resume && fs::exists(spec_path)) {
      finetune_spec_check_resume(spec_path, spec);
    } else {
      atomic_write(spec_path, finetune_spec_to_json(spec));
    }
  }
  const std::string exe = self_exe();
  std::vector<FinetuneRunResult> results;
  for (size_t i = 0; i < spec.runs.size(); ++i) {
    const std::string& label = spec.runs[i].label;
    const std::string result_path = out + "/runs/" + label + "/result.json";
    bool complete = writer && resume && fs::exists(result_path);
    if (dist) complete = dist->allgather({complete ? 1.0 : 0.0})[0] != 0;  // rank 0 decides
    if (complete) {
      if (writer) log_line(label + ": already complete");
      if (writer) results.push_back(finetune_result_read(result_path));
      continue;
    }
    if (writer) log_line(label + ": running " + spec.runs[i].optimizer);
    if (dist) results.push_back(run_rank(spec, i, out, model_dir, resume, threads, *dist));
    else results.push_back(run_child(exe, spec_path, out, model_dir, static_cast<int>(i), resume, label, threads));
  }
  if (!writer) return results;
  atomic_write(out + "/results.csv", finetune_results_csv(results));
  atomic_write(out + "/curves.csv", finetune_curves_csv(spec, out));
  atomic_write(out + "/table.txt", finetune_table(results));
  {
    const std::vector<RunRecord> records = finetune_records(spec, out);  // the landscapes' run record format
    atomic_write(out + "/runs.csv", records_to_csv(records));
    atomic_write(out + "/runs.jsonl", records_to_jsonl(records));
  }
  return results;
}

// Without --resume a run's folder is emptied before it starts: one that was stopped
// before it finished (a step log, no result.json) would lose its steps. Any such run under
// `out` (runs/, seed-k/runs/, lr-xF/seed-k/runs/) is refused instead.
void refuse_to_delete_unfinished_runs(const std::string& out) {
  std::error_code ec;
  if (!fs::is_directory(out, ec)) return;
  for (auto it = fs::recursive_directory_iterator(out, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it.depth() > 4) {
      it.disable_recursion_pending();
      continue;
    }
    const fs::path& p = it->path();
    if (p.filename() != "steps.log" || p.parent_path().parent_path().filename() != "runs") continue;
    if (fs::exists(p.parent_path() / "result.json", ec)) continue;
    fail(p.parent_path().string(), "a run stopped here before it finished; continue it with --resume (without it the "
                                   "folder is emptied and its steps are lost), or choose another --out");
  }
}

int cmd_finetune(const FinetuneArgs& a) {
  const auto t0 = std::chrono::steady_clock::now();
  if (a.out.empty()) fail("--out", "empty: name the output folder");
  FinetuneSpec spec = resolve_spec(a.spec);
  // Distributed (dist.h): this process is a rank (torchrun, srun, --nproc's children), or
  // --nproc N launches N ranks here.
  const DistEnv env = dist_env_for_nproc(a.nproc);
  if (a.nproc > 1) dist_check_nproc_cpus(a.nproc, "--nproc " + std::to_string(a.nproc));
  if (!a.resume && env.rank == 0) refuse_to_delete_unfinished_runs(a.out);  // the launcher and rank 0 (before it writes)
  const int world = a.nproc > 0 ? a.nproc : env.world;
  if (world > 1 && a.seeds > 0) fail("--seeds", "the multi-seed comparison runs on one rank (drop --nproc)");
  if (world > 1 && !a.lr_factors.empty()) fail("--lr-factors", "the learning-rate sweep runs on one rank (drop --nproc)");
  // Loss shards (docs/distributed.md): the spec's, else those of the folder being resumed
  // (so a resume on another number of ranks computes the same numbers), else one per rank.
  if (spec.dist_shards == 0 && a.resume && fs::exists(a.out + "/spec.json")) {
    spec.dist_shards = finetune_spec_load(a.out + "/spec.json").dist_shards;
    // Started on one process without shards: its loss is the whole batch's mean, which no
    // split over ranks rounds the same way (docs/distributed.md#faults-and-resume).
    if (spec.dist_shards == 0 && world > 1 && spec.dist_parallel == "data")
      fail(a.out + "/spec.json", "this run was started on one process without distributed.shards (its loss is the whole "
                                 "batch's mean, which ranks cannot split with the same rounding): resume it on one "
                                 "process; to resume on any number of ranks, set distributed.shards before the first launch");
  }
  if (spec.dist_shards == 0 && world > 1 && spec.dist_parallel == "data") {
    if (world > spec.batch_size)  // the default of one shard per rank: name the ranks, not the spec
      fail(a.nproc > 0 ? "--nproc " + std::to_string(world) : "environment WORLD_SIZE " + std::to_string(world),
           "more ranks than batch_size " + std::to_string(spec.batch_size) + " in " + spec.file +
               " (each rank's loss shard needs an example): use at most " + std::to_string(spec.batch_size) +
               " ranks, or set distributed.shards");
    spec.dist_shards = world;
  }
  if (spec.dist_shards > spec.batch_size)
    fail(spec.file + ": distributed.shards", "value " + std::to_string(spec.dist_shards) + " is more than batch_size " +
                                                 std::to_string(spec.batch_size));
  if (env.world > 1 && env.rank > 0) {
    // A rank other than 0: rank 0 checks, pretrains and writes; this one joins, steps, reads.
    Dist dist(env, spec.dist_backend, spec.device == "cuda", spec.dist_timeout_s);
    const std::string model_dir = finetune_model_dir(spec, {}, a.threads);
    finetune_all(spec, a.out, a.resume, a.threads, model_dir, &dist);
    return 0;
  }
  CompareOptions co = a.compare;
  co.seeds = !a.lr_factors.empty() && a.seeds == 0 ? 1 : a.seeds;  // a sweep without --seeds: one seed
  // The comparison's flags mean nothing to a plain run: refused rather than ignored.
  if ((a.target_given || a.metric_given) && !a.seeds_given && a.lr_factors.empty())
    fail(a.target_given ? "--target" : "--target-metric", "only with --seeds or --lr-factors (the comparison over seeds)");
  if (co.seeds > 0 || a.seeds_given) compare_options_check(co);
  if (!a.lr_factors.empty()) {
    lr_factors_check(a.lr_factors);
    for (double f : a.lr_factors) (void)lr_scaled_spec(spec, f);  // every grid point valid, before work
  }
  // Everything that can be checked before work starts, once, here in the parent.
  PreflightNeeds needs;
  const std::string model_dir = preflight_all(spec, a.out, log_line, a.threads, &needs);
  preflight_local_ranks(needs, a.nproc, env);
  // The multi-seed comparison of one spec into `dir` (core/llm/torch/compare.h).
  ZeroShotMemo zero_shot;  // the sweep's factors share the pretrained model's accuracies
  const auto compare = [&](const FinetuneSpec& sp, const std::string& dir) {
    std::vector<std::string> dirs;
    std::vector<std::vector<FinetuneRunResult>> results;
    for (int k = 0; k < co.seeds; ++k) {
      log_line("seed " + std::to_string(k) + " of " + std::to_string(co.seeds));
      dirs.push_back(dir + "/seed-" + std::to_string(k));
      results.push_back(finetune_all(compare_seed_spec(sp, k), dirs.back(), a.resume, a.threads, model_dir));
    }
    return compare_collect(sp, model_dir, dirs, results, co, log_line, &zero_shot);
  };
  if (!a.lr_factors.empty()) {  // each run at its best learning rate of its own grid
    LrSweep sw;
    sw.factors = a.lr_factors;
    for (double f : sw.factors) {
      log_line("learning rates x " + fmt_double(f));
      const FinetuneSpec sf = lr_scaled_spec(spec, f);
      sw.reports.push_back(compare(sf, a.out + "/lr-x" + fmt_double(f)));
      compare_write(sw.reports.back(), a.out + "/lr-x" + fmt_double(f));
    }
    lr_sweep_choose(sw);
    const std::string sweep_table = lr_sweep_table(sw, spec);
    atomic_write(a.out + "/lr_sweep.txt", sweep_table);
    atomic_write(a.out + "/lr_sweep.csv", lr_sweep_csv(sw, spec));
    const CompareReport best = lr_sweep_best(sw, spec);
    compare_write(best, a.out);
    std::printf("%s\n%s", sweep_table.c_str(), compare_table(best).c_str());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("wrote %s/{lr_sweep.txt,lr_sweep.csv,table.txt,compare.csv,compare.png,compare.svg} in %.1f s\n",
                a.out.c_str(), s);
    return 0;
  }
  if (a.seeds > 0) {
    const CompareReport r = compare(spec, a.out);
    compare_write(r, a.out);
    const std::string table = compare_table(r);
    std::printf("%s", table.c_str());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("wrote %s/{table.txt,compare.csv,compare.png,compare.svg} in %.1f s\n", a.out.c_str(), s);
    return 0;
  }
  if (a.nproc > 1) {  // the launcher: the model is cached now, the ranks do the rest
    std::vector<std::string> args = {self_exe(), "--threads", std::to_string(a.threads), "finetune", a.spec, "--out", a.out};
    if (a.resume) args.push_back("--resume");
    dist_launch(args, a.nproc, spec.dist_timeout_s + 5, log_line);
    return 0;
  }
  std::unique_ptr<Dist> dist;
  if (env.world > 1) dist = std::make_unique<Dist>(env, spec.dist_backend, spec.device == "cuda", spec.dist_timeout_s);
  std::vector<FinetuneRunResult> results;
  try {
    results = finetune_all(spec, a.out, a.resume, a.threads, model_dir, dist.get());
  } catch (const WriteError& e) {  // the folder's own files (spec, table, curves): resuming helps
    fail_write(e.what(), "free space (or fix the disk), then continue with --resume");
  }
  const std::string table = finetune_table(results);
  std::printf("%s", table.c_str());
  // The test split, evaluated once at the end on the final weights (never used for choices).
  std::string test = "test accuracy (" + std::to_string(spec.n_test) + " examples): zero-shot " +
                     fmt_double(finetune_split_accuracy(spec, model_dir, "", true));
  for (const FinetuneRunResult& r : results)
    test += ", " + r.label + " " + fmt_double(finetune_split_accuracy(spec, model_dir, a.out + "/runs/" + r.label, true));
  std::printf("%s\n", test.c_str());
  atomic_write(a.out + "/test.txt", test + "\n");
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("wrote %s/{table.txt,test.txt,results.csv,curves.csv,runs.csv,runs.jsonl} in %.1f s\n", a.out.c_str(), s);
  return 0;
}

// The hidden per-run command. ZOSCOPE_FINETUNE_EXIT_AFTER=k makes it exit with status 75
// right after step k (a deterministic stand-in for a kill; tests and resume drills).
int cmd_finetune_run(const FinetuneArgs& a) {
  const FinetuneSpec spec = finetune_spec_load(a.spec);
  if (a.run < 0 || static_cast<size_t>(a.run) >= spec.runs.size()) fail("--run", "no run " + std::to_string(a.run));
  FinetuneRunOptions o;
  o.resume = a.resume;
  o.threads = a.threads;
  o.log = log_line;
  if (const char* k = std::getenv("ZOSCOPE_FINETUNE_EXIT_AFTER"); k && *k) o.stop_after_step = std::strtoll(k, nullptr, 10);
  const std::string& label = spec.runs[static_cast<size_t>(a.run)].label;
  const std::string run_dir = a.out + "/runs/" + label;
  FinetuneRunResult r;
  try {
    r = finetune_run(spec, static_cast<size_t>(a.run), a.model_dir, run_dir, o);
  } catch (const WriteError& e) {
    // A full disk or an I/O error: the checkpoint and the step log stay consistent (atomic
    // writes; a cut log line is dropped on resume), so the run can go on once it is fixed.
    log_line(label + ": stopped: " + one_line(e.what()));
    std::fflush(stderr);
    std::_Exit(75);
  }
  if (!r.completed) {
    log_line(r.label + ": stopped after step " + std::to_string(r.steps) + " (ZOSCOPE_FINETUNE_EXIT_AFTER)");
    std::fflush(stderr);
    std::_Exit(75);
  }
  return 0;
}

}  // namespace

void cli_add_llm_commands(CLI::App& app) {
  auto* ft = app.add_subcommand("finetune",
                                "fine-tune an LLM with several optimizers (spec JSON or preset:finetune_default); "
                                "table, curves.csv, step logs, checkpoints");
  ft->add_option("spec", g_ft.spec, "fine-tuning spec (docs/finetune-schema.md) or preset:finetune_default")->required();
  ft->add_option("--out", g_ft.out, "output folder")->required();
  ft->add_flag("--resume", g_ft.resume, "continue killed runs from their checkpoints and step logs");
  ft->add_option("--nproc", g_ft.nproc,
                 "data parallel over N local ranks (c10d: Gloo on CPUs, NCCL on GPUs); torchrun / srun ranks "
                 "read RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT instead")
      ->check(cli_whole(1, 4096));
  ft->add_option("--seeds", g_ft.seeds, "compare over K seeds (seed + k, data.seed + k): FP to target, mean and spread, figure")
      ->check(cli_whole(INT32_MIN, INT32_MAX));  // the range: compare_options_check
  ft->add_option("--target", g_ft.compare.target, "with --seeds: the target (dev accuracy, or training loss)")
      ->check(cli_finite());
  ft->add_option("--target-metric", g_ft.compare.metric, "with --seeds: dev_accuracy (default) or train_loss");
  ft->add_option("--lr-factors", g_ft.lr_factors_text,
                 "tune each run's learning rate on its own grid, spec lr x F (comma-separated factors, e.g. 0.5,1,2); "
                 "compares over --seeds (default 1) and reports each run at its best");
  auto* child = app.add_subcommand("finetune-run", "");  // hidden: one run, started by finetune
  child->group("");
  child->add_option("spec", g_child.spec)->required();
  child->add_option("--out", g_child.out)->required();
  child->add_option("--run", g_child.run)->required();
  child->add_option("--model-dir", g_child.model_dir)->required();
  child->add_flag("--resume", g_child.resume);
  cli_add_llm_landscape(app);
}

std::string cli_error_line(const std::exception& e) { return torch_error_line(e); }

int cli_run_llm_commands(CLI::App& app, int threads) {
  // One intra-op thread unless --threads says otherwise: the default model's matrices are
  // too small for ATen's threads to pay off, and spinning OpenMP threads on a shared CPU
  // cost several times the work (measured: 0.12 s vs 0.5 CPU-s per pretraining step).
  g_ft.threads = g_child.threads = threads > 0 ? threads : 1;
  try {
    if (app.got_subcommand("finetune")) {
      const CLI::App* ft = app.get_subcommand("finetune");
      g_ft.seeds_given = ft->count("--seeds") > 0;
      g_ft.target_given = ft->count("--target") > 0;
      g_ft.metric_given = ft->count("--target-metric") > 0;
      // CLI11 reads "" as the number 0 and "1,,2" as 1,0,2: the text is read here instead.
      if (ft->count("--lr-factors") > 0) g_ft.lr_factors = text_number_list(g_ft.lr_factors_text, "--lr-factors");
      return cmd_finetune(g_ft);
    }
    if (app.got_subcommand("landscape")) return cli_run_llm_landscape(g_ft.threads);
  } catch (const DistError& e) {  // this rank lost the others: the launcher names the one that failed first
    std::fprintf(stderr, "zoscope-cli: error: %s\n", one_line(e.what()).c_str());
    return kDistLostRankStatus;
  }
  if (app.got_subcommand("finetune-run")) return cmd_finetune_run(g_child);
  return 0;
}

}  // namespace zs
