// The fine-tuning driver (core/llm/torch/finetune.h) on tiny-opt + the SST-2 test files:
// a run stopped mid-way (as if killed) and resumed ends with weights bit-identical to an
// uninterrupted run, for MeZO and AdaMeZO (loss replay: no forward passes for the
// replayed steps) and first-order Adam (recomputed from the checkpoint); a corrupted log
// is refused; the table, results and curves have the documented columns.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include "core/llm/io/finetune_spec.h"
#include "core/llm/torch/finetune.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "temp_dir.h"

namespace {

namespace fs = std::filesystem;
const std::string kData = ZS_TEST_DATA;

using zs::test::TempDir;

zs::FinetuneSpec tiny_spec(const std::string& runs, const std::string& budget = R"({"steps": 12})") {
  const std::string text = R"({"zoscope_finetune": 1, "model": ")" + kData + R"(/fixtures/tiny-opt", "tokenizer": ")" + kData +
                           R"(/tokenizers/opt-style", "task": "sst2", "data": {"dir": ")" + kData +
                           R"(/tasks/sst2", "train": 4, "dev": 2, "test": 1}, "batch_size": 3, "seed": 5,
      "budget": )" + budget + R"(, "checkpoint_every": 4, "eval_every": 3, "runs": )" + runs + "}";
  return zs::finetune_spec_parse(text, "tiny.json");
}

const char* kThree = R"([{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}},
  {"optimizer": "adamezo", "hyperparameters": {"lr": 1e-4, "h": 3}},
  {"optimizer": "adam", "hyperparameters": {"lr": 1e-3}}])";

int count_lines(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) n += line.rfind(prefix, 0) == 0;
  return n;
}

TEST(Finetune, KilledAndResumedRunIsBitIdentical) {
  const zs::FinetuneSpec spec = tiny_spec(kThree);
  TempDir tmp("ft_resume");
  const std::string model = spec.model;
  for (size_t i = 0; i < spec.runs.size(); ++i) {
    const std::string& label = spec.runs[i].label;
    const std::string full = (tmp.path / "full" / label).string(), cut = (tmp.path / "cut" / label).string();
    const zs::FinetuneRunResult a = zs::finetune_run(spec, i, model, full);
    ASSERT_TRUE(a.completed);
    EXPECT_EQ(a.steps, 12);
    EXPECT_EQ(a.forward_passes, a.family == "fo" ? 12 : 24) << label;
    // Stopped after step 10: the checkpoint is at step 8, steps 9-10 are in the log only.
    zs::FinetuneRunOptions stop;
    stop.stop_after_step = 10;
    const zs::FinetuneRunResult s = zs::finetune_run(spec, i, model, cut, stop);
    EXPECT_FALSE(s.completed);
    EXPECT_FALSE(fs::exists(cut + "/final.safetensors"));
    EXPECT_NE(zs::read_file(cut + "/checkpoint.json").find("\"step\": 8"), std::string::npos);
    // A half-written last line (a kill mid-append) is ignored.
    {
      std::FILE* f = std::fopen((cut + "/steps.log").c_str(), "ab");
      std::fputs("S 11 2", f);
      std::fclose(f);
    }
    zs::FinetuneRunOptions resume;
    resume.resume = true;
    const zs::FinetuneRunResult b = zs::finetune_run(spec, i, model, cut, resume);
    ASSERT_TRUE(b.completed);
    EXPECT_EQ(b.replayed_steps, a.family == "fo" ? 0 : 2) << label;
    EXPECT_EQ(b.steps, a.steps);
    EXPECT_EQ(b.forward_passes, a.forward_passes);
    EXPECT_EQ(zs::read_file(full + "/final.safetensors"), zs::read_file(cut + "/final.safetensors")) << label;
    EXPECT_EQ(b.dev_accuracy, a.dev_accuracy);
    EXPECT_EQ(b.final_train_loss, a.final_train_loss);
    // The resumed log equals the uninterrupted one record for record.
    EXPECT_EQ(zs::read_file(full + "/steps.log"), zs::read_file(cut + "/steps.log")) << label;
    EXPECT_EQ(count_lines(zs::read_file(full + "/steps.log"), "S "), 12);
    EXPECT_EQ(count_lines(zs::read_file(full + "/steps.log"), "E "), 4);
  }
}

TEST(Finetune, ReplayRefusesALogOfAnotherRun) {
  const zs::FinetuneSpec spec = tiny_spec(R"([{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}}])");
  TempDir tmp("ft_diverge");
  const std::string dir = (tmp.path / "mezo").string();
  zs::FinetuneRunOptions stop;
  stop.stop_after_step = 6;
  zs::finetune_run(spec, 0, spec.model, dir, stop);
  // Rewrite the seed of step 5 (after the checkpoint at 4): replay must notice.
  std::string log = zs::read_file(dir + "/steps.log");
  const size_t at = log.find("\nS 5 ");
  ASSERT_NE(at, std::string::npos);
  std::istringstream in(log.substr(at + 1));
  std::string kind, t, fp, bp, seed;
  in >> kind >> t >> fp >> bp >> seed;
  const size_t seed_at = at + 1 + kind.size() + t.size() + fp.size() + bp.size() + 4;
  log.replace(seed_at, seed.size(), std::to_string(std::stoull(seed) + 1));
  zs::atomic_write(dir + "/steps.log", log);
  zs::FinetuneRunOptions resume;
  resume.resume = true;
  try {
    zs::finetune_run(spec, 0, spec.model, dir, resume);
    ADD_FAILURE() << "replay of a tampered log succeeded";
  } catch (const zs::Error& e) {
    EXPECT_NE(std::string(e.what()).find("step 5 does not replay as logged"), std::string::npos) << e.what();
  }
}

// A step log that lost the steps its checkpoint covers (emptied here; a power cut after the
// checkpoint's fsync before the log's unsynced pages reached the disk) resumed without a word, and
// curves.csv silently lacked those steps. The resume says so in its line and goes on; the
// run record (runs.csv) keeps every step from record.csv.
TEST(Finetune, ResumeSaysWhenTheLogLostStepsItsCheckpointCovers) {
  const zs::FinetuneSpec spec = tiny_spec(R"([{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}}])");
  TempDir tmp("ft_lost_log");
  const std::string dir = (tmp.path / "mezo").string();
  zs::FinetuneRunOptions stop;
  stop.stop_after_step = 6;  // checkpoint at step 4
  zs::finetune_run(spec, 0, spec.model, dir, stop);
  zs::atomic_write(dir + "/steps.log", "");
  std::vector<std::string> lines;
  zs::FinetuneRunOptions resume;
  resume.resume = true;
  resume.log = [&](const std::string& l) { lines.push_back(l); };
  const zs::FinetuneRunResult r = zs::finetune_run(spec, 0, spec.model, dir, resume);
  ASSERT_TRUE(r.completed);
  EXPECT_EQ(r.steps, 12);
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  EXPECT_NE(all.find("resuming at step 4; " + dir + "/steps.log lacks steps 1 to 4: curves.csv misses them (runs.csv "
                     "keeps them, from record.csv)"), std::string::npos) << all;
  EXPECT_EQ(count_lines(zs::read_file(dir + "/steps.log"), "S "), 8) << "steps 5-12";
  // An intact log says nothing of the kind.
  const std::string dir2 = (tmp.path / "mezo2").string();
  zs::finetune_run(spec, 0, spec.model, dir2, stop);
  lines.clear();
  ASSERT_TRUE(zs::finetune_run(spec, 0, spec.model, dir2, resume).completed);
  for (const std::string& l : lines) EXPECT_EQ(l.find("lacks steps"), std::string::npos) << l;
}

TEST(Finetune, ForwardPassBudgetTableAndCurves) {
  const zs::FinetuneSpec spec = tiny_spec(R"([{"optimizer": "mezo", "label": "m"}, {"optimizer": "adam", "label": "a"}])",
                                          R"({"forward_passes": 9})");
  TempDir tmp("ft_table");
  std::vector<zs::FinetuneRunResult> rs;
  for (size_t i = 0; i < 2; ++i) rs.push_back(zs::finetune_run(spec, i, spec.model, (tmp.path / "runs" / spec.runs[i].label).string()));
  // 2 FP per MeZO step: 4 steps (a 5th would overrun 9); Adam: 9 steps of 1 FP + 1 BP.
  EXPECT_EQ(rs[0].steps, 4);
  EXPECT_EQ(rs[0].forward_passes, 8);
  EXPECT_EQ(rs[1].steps, 9);
  EXPECT_EQ(rs[1].forward_passes, 9);
  EXPECT_EQ(rs[1].backward_passes, 9);
  // Persistent optimizer state: MeZO none; Adam m, v and the gradient buffer (3 fp32 copies).
  EXPECT_EQ(rs[0].state_bytes, 0);
  EXPECT_EQ(rs[1].state_bytes, 3 * 4 * rs[1].trainable);
  EXPECT_GT(rs[0].peak_rss_bytes, 0);
  const std::string table = zs::finetune_table(rs);
  std::istringstream in(table);
  std::string header;
  std::getline(in, header);
  std::istringstream hs(header);
  std::vector<std::string> cols;
  for (std::string w; hs >> w;) cols.push_back(w);
  EXPECT_EQ(cols, (std::vector<std::string>{"run", "optimizer", "steps", "forward_passes", "final_train_loss", "dev_accuracy",
                                            "optimizer_state_bytes", "peak_rss_bytes", "seconds"}));
  EXPECT_EQ(count_lines(table, "m "), 1);
  EXPECT_EQ(count_lines(table, "a "), 1);
  const std::string csv = zs::finetune_results_csv(rs);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "run,optimizer,steps,forward_passes,final_train_loss,dev_accuracy,optimizer_state_bytes,peak_rss_bytes,seconds");
  EXPECT_NE(csv.find("\nm,mezo,4,8,"), std::string::npos);
  const std::string curves = zs::finetune_curves_csv(spec, tmp.path.string());
  EXPECT_EQ(curves.substr(0, curves.find('\n')), "label,optimizer,step,forward_passes,train_loss,dev_accuracy");
  EXPECT_EQ(count_lines(curves, "m,mezo,"), 4);
  EXPECT_EQ(count_lines(curves, "a,adam,"), 9);
  EXPECT_NE(curves.find("\nm,mezo,3,6,"), std::string::npos);   // evaluated at step 3: accuracy filled
  EXPECT_NE(curves.find("\na,adam,9,9,"), std::string::npos);
  // The result file round-trips.
  const zs::FinetuneRunResult back = zs::finetune_result_read((tmp.path / "runs" / "a" / "result.json").string());
  EXPECT_EQ(back.steps, 9);
  EXPECT_EQ(back.dev_accuracy, rs[1].dev_accuracy);
}

}  // namespace

namespace {

// The CLI end to end: each run in a child process; ZOSCOPE_FINETUNE_EXIT_AFTER stops every
// run process after step 7 (exit 75, reported as a failed run); --resume finishes them
// and the weights equal those of an uninterrupted CLI run.
int sh(const std::string& cmd) {
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(FinetuneCli, KilledChildrenResumeToTheUninterruptedWeights) {
  TempDir tmp("ft_cli");
  const zs::FinetuneSpec spec = tiny_spec(kThree, R"({"steps": 10})");
  const std::string spec_path = (tmp.path / "spec.json").string();
  zs::atomic_write(spec_path, zs::finetune_spec_to_json(spec));
  const std::string cli = std::string(ZS_BINARY_ROOT) + "/app/cli/zoscope-cli";
  const std::string full = (tmp.path / "full").string(), cut = (tmp.path / "cut").string();
  ASSERT_EQ(sh(cli + " finetune " + spec_path + " --out " + full + " > " + full + ".txt 2>&1"), 0) << zs::read_file(full + ".txt");
  EXPECT_EQ(sh("ZOSCOPE_FINETUNE_EXIT_AFTER=7 " + cli + " finetune " + spec_path + " --out " + cut + " > " + cut + ".txt 2>&1"), 2);
  EXPECT_NE(zs::read_file(cut + ".txt").find("run mezo failed (exit status 75); continue it with --resume"), std::string::npos)
      << zs::read_file(cut + ".txt");
  // The same command again without --resume emptied the stopped run's folder (its 7 logged
  // steps lost): it is refused in one line, and the folder is kept.
  const std::string log_before = zs::read_file(cut + "/runs/mezo/steps.log");
  EXPECT_EQ(sh(cli + " finetune " + spec_path + " --out " + cut + " > " + cut + ".txt 2>&1"), 2);
  EXPECT_EQ(zs::read_file(cut + ".txt"), "zoscope-cli: error: " + cut + "/runs/mezo: a run stopped here before it finished; "
                                         "continue it with --resume (without it the folder is emptied and its steps are "
                                         "lost), or choose another --out\n");
  EXPECT_EQ(zs::read_file(cut + "/runs/mezo/steps.log"), log_before);
  EXPECT_FALSE(log_before.empty());
  // Every run is stopped once: resume repeatedly until the table appears.
  int tries = 0;
  while (sh(cli + " finetune " + spec_path + " --out " + cut + " --resume > " + cut + ".txt 2>&1") != 0 && ++tries < 5) {}
  ASSERT_LT(tries, 5) << zs::read_file(cut + ".txt");
  for (const auto& r : spec.runs)
    EXPECT_EQ(zs::read_file(full + "/runs/" + r.label + "/final.safetensors"),
              zs::read_file(cut + "/runs/" + r.label + "/final.safetensors"))
        << r.label;
  const std::string table = zs::read_file(cut + ".txt");
  EXPECT_NE(table.find("optimizer_state_bytes"), std::string::npos) << table;
  EXPECT_EQ(zs::read_file(full + "/curves.csv"), zs::read_file(cut + "/curves.csv"));
  // Peak memory comes from each child (wait4), so every run reports its own.
  for (const auto& r : spec.runs)
    EXPECT_GT(zs::finetune_result_read(cut + "/runs/" + r.label + "/result.json").peak_rss_bytes, 0);
}


// kill -9 at random points: 20 seeded trials. Each starts `finetune` (MeZO: loss replay;
// Adam: recomputed from the checkpoint) in its own process group, kills at a seeded random
// time within the uninterrupted run's wall time -- the whole group, the parent alone (its
// run child dies with it: PR_SET_PDEATHSIG) or the run child alone -- then resumes until
// the table appears. Weights, step logs and curves equal the uninterrupted run's, byte for
// byte, wherever the kill landed (start-up, a step, a log append, a checkpoint, the end).
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

pid_t start_group(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    std::FILE* f = std::freopen(log.c_str(), "w", stderr);
    (void)f;
    std::freopen("/dev/null", "w", stdout);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  ::setpgid(pid, pid);
  return pid;
}

// The first child of `pid` (the run process), or 0.
pid_t child_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  long c = 0;
  return in >> c ? static_cast<pid_t>(c) : 0;
}

TEST(FinetuneCli, KilledAtRandomPointsResumesBitIdentical) {
  TempDir tmp("ft_kill");
  const zs::FinetuneSpec spec = tiny_spec(R"([{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}},
    {"optimizer": "adam", "hyperparameters": {"lr": 1e-3}}])");
  const std::string spec_path = (tmp.path / "spec.json").string();
  zs::atomic_write(spec_path, zs::finetune_spec_to_json(spec));
  const std::string cli = std::string(ZS_BINARY_ROOT) + "/app/cli/zoscope-cli";
  const std::string full = (tmp.path / "full").string();
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(sh(cli + " finetune " + spec_path + " --out " + full + " > " + full + ".txt 2>&1"), 0) << zs::read_file(full + ".txt");
  const double t_full = seconds_since(t0);
  std::mt19937_64 rng(20261204);
  int killed = 0, resumes = 0;
  std::map<std::string, int> how;
  std::string points;  // steps logged (both runs, of 24) when each kill landed
  for (int trial = 0; trial < 20; ++trial) {
    const std::string cut = (tmp.path / ("cut" + std::to_string(trial))).string();
    const std::string log = cut + ".txt";
    // Even trials: a random time over the whole command (start-up and model loads take most
    // of it). Odd trials: a random point among the steps -- once k of the 24 steps are
    // logged, a further random 0-4 ms (mid-step, mid-append, mid-checkpoint).
    const double at = std::uniform_real_distribution<double>(0.0, 1.05 * t_full)(rng);
    const int k = 1 + static_cast<int>(rng() % 23);
    const double extra = std::uniform_real_distribution<double>(0.0, 0.004)(rng);
    const bool by_step = trial % 2 == 1;
    const int target = static_cast<int>(rng() % 3);  // 0: the group, 1: the parent, 2: the run child
    const auto logged_steps = [&] {
      int n = 0;
      for (const auto& r : spec.runs) {
        std::ifstream in(cut + "/runs/" + r.label + "/steps.log");
        std::string line;
        while (std::getline(in, line)) n += line.rfind("S ", 0) == 0;
      }
      return n;
    };
    const pid_t pid = start_group({cli, "finetune", spec_path, "--out", cut}, log);
    ASSERT_GT(pid, 0);
    const auto s0 = std::chrono::steady_clock::now();
    int status = 0;
    bool done = false;
    double reached = -1;  // by_step: when k steps were logged
    for (;;) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        done = true;
        break;
      }
      if (!by_step && seconds_since(s0) >= at) break;
      if (by_step && reached < 0 && logged_steps() >= k) reached = seconds_since(s0);
      if (by_step && reached >= 0 && seconds_since(s0) >= reached + extra) break;
      if (seconds_since(s0) > 120) break;  // a run that hangs is killed (and must still resume)
      std::this_thread::sleep_for(std::chrono::microseconds(by_step ? 200 : 2000));
    }
    if (!done) {
      const pid_t c = child_of(pid);
      const char* what = target == 2 && c > 0 ? "child" : target == 1 ? "parent" : "group";
      if (target == 2 && c > 0) ::kill(c, SIGKILL);
      else if (target == 1) ::kill(pid, SIGKILL);
      else ::kill(-pid, SIGKILL);
      ++how[what];
      ::waitpid(pid, &status, 0);
      // Where it landed: the steps logged by then (over both runs; 0: start-up or the first step).
      int logged = 0;
      for (const auto& r : spec.runs) {
        std::error_code ec;
        const std::string lp = cut + "/runs/" + r.label + "/steps.log";
        if (std::filesystem::exists(lp, ec)) logged += count_lines(zs::read_file(lp), "S ");
      }
      points += (points.empty() ? "" : " ") + std::to_string(logged);
      // The parent alone was killed: its run child follows (PDEATHSIG) and the folder lock
      // is free once it has gone (a --resume meanwhile is refused and retried below).
      killed += WIFSIGNALED(status) || WEXITSTATUS(status) != 0;
    }
    int tries = 0;
    while (sh(cli + " finetune " + spec_path + " --out " + cut + " --resume > " + log + " 2>&1") != 0 && ++tries < 6)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ASSERT_LT(tries, 6) << "trial " << trial << ": " << zs::read_file(log);
    resumes += tries + 1;
    for (const auto& r : spec.runs) {
      EXPECT_EQ(zs::read_file(full + "/runs/" + r.label + "/final.safetensors"),
                zs::read_file(cut + "/runs/" + r.label + "/final.safetensors"))
          << "trial " << trial << " " << r.label << (by_step ? " kill after step " + std::to_string(k) : " kill at " + std::to_string(at) + " s");
      EXPECT_EQ(zs::read_file(full + "/runs/" + r.label + "/steps.log"), zs::read_file(cut + "/runs/" + r.label + "/steps.log"))
          << "trial " << trial << " " << r.label;
    }
    EXPECT_EQ(zs::read_file(full + "/curves.csv"), zs::read_file(cut + "/curves.csv")) << "trial " << trial;
    std::filesystem::remove_all(cut);
  }
  // Most kills land while the fine-tune runs (the others after it ended: resume is a no-op);
  // the step-targeted half always does.
  EXPECT_GE(killed, 12);
  std::printf("[ kills    ] %d of 20 trials killed mid-run (group %d, parent %d, child %d), %d resume calls, full run %.2f s\n"
              "[ kills    ] steps logged at each kill (of 24): %s\n",
              killed, how["group"], how["parent"], how["child"], resumes, t_full, points.c_str());
}

}  // namespace
