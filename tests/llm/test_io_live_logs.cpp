// The app's list of logged live sessions to continue (core/llm/io/live_logs.h): sessions
// whose budget is not spent are listed with each run's progress and last loss; finished
// ones are not; a foreign folder, a corrupt spec and a corrupt step log each give one line
// naming the file and are skipped.
#include <gtest/gtest.h>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include "core/llm/io/live_logs.h"
#include "core/run/step_log.h"
#include "core/util/atomic_file.h"
#include "tests/llm/temp_dir.h"

namespace zs {

namespace {

namespace fs = std::filesystem;

// A session folder as the app writes it: spec.json, and per run (label, steps logged) a
// step log of MeZO-like records (2 forward passes per step), loss 1 / t.
void write_session(const fs::path& dir, const std::string& budget, const std::vector<std::pair<std::string, int>>& runs) {
  std::string rs;
  for (const auto& [label, steps] : runs)
    rs += std::string(rs.empty() ? "" : ", ") + R"({"optimizer": "mezo", "label": ")" + label + "\"}";
  fs::create_directories(dir);
  atomic_write((dir / "spec.json").string(),
               R"({"zoscope_finetune": 1, "budget": )" + budget + R"(, "eval_every": 4, "runs": [)" + rs + "]}");
  for (const auto& [label, steps] : runs) {
    fs::create_directories(dir / "runs" / label);
    std::string log;
    for (int t = 1; t <= steps; ++t) {
      StepLogRecord r;
      r.t = t;
      r.fp = 2 * t;
      r.seed = static_cast<uint64_t>(t);
      r.p = 0.5;
      r.lr = 1e-3;
      r.loss = 1.0 / t;
      r.losses = {1.0 / t, 1.0 / t};
      log += step_log_line(r);
      if (t % 4 == 0) {
        StepLogRecord e;
        e.kind = 'E';
        e.t = t;
        e.fp = 2 * t;
        e.dev_accuracy = 0.5;
        e.dev_loss = 0.7;
        log += step_log_line(e);
      }
    }
    atomic_write((dir / "runs" / label / "steps.log").string(), log);
  }
}

}  // namespace

TEST(LiveLogs, UnfinishedSessionsAreListedAndBadFoldersGiveOneLineEach) {
  test::TempDir tmp("live_logs");
  const fs::path root = tmp.path / "llm-runs";
  write_session(root / "llm_sentiment-20261205-010000", R"({"steps": 12})", {{"MeZO", 5}, {"MeZO_2", 12}});
  write_session(root / "llm_sentiment-20261205-020000", R"({"steps": 12})", {{"A", 12}});  // finished: not listed
  // Forward-pass budget 20 at 2 per step: 9 steps (18 FP) leave room for one more, 10 do not.
  write_session(root / "fp-20261205-030000", R"({"forward_passes": 20})", {{"short", 9}, {"full", 10}});
  write_session(root / "fp-20261205-040000", R"({"forward_passes": 20})", {{"full", 10}});
  fs::create_directories(root / "holiday-photos");  // foreign: no spec.json
  write_session(root / "bad-spec", R"({"steps": 12})", {{"A", 3}});
  atomic_write((root / "bad-spec" / "spec.json").string(), "{\"zoscope_finetune\": 1, \"budget\": ");
  write_session(root / "bad-log", R"({"steps": 12})", {{"A", 3}});
  atomic_write((root / "bad-log" / "runs" / "A" / "steps.log").string(), "S 1 2 0 1 zz\n");
  atomic_write((root / "a-file.txt").string(), "not a folder: ignored");

  const LoggedLiveSessions got = live_logs_scan(root.string());
  ASSERT_EQ(got.unfinished.size(), 2u);
  const LoggedLiveSession& fp = got.unfinished[1];  // by folder name, descending: "llm_..." first
  EXPECT_EQ(fp.name, "fp-20261205-030000");
  EXPECT_EQ(fp.budget_text(), "20 forward passes");
  ASSERT_EQ(fp.runs.size(), 2u);
  EXPECT_FALSE(fp.runs[0].finished);
  EXPECT_EQ(fp.runs[0].forward_passes, 18);
  EXPECT_TRUE(fp.runs[1].finished);
  const LoggedLiveSession& s = got.unfinished[0];
  EXPECT_EQ(s.name, "llm_sentiment-20261205-010000");
  EXPECT_EQ(s.dir, (root / "llm_sentiment-20261205-010000").string());
  EXPECT_EQ(s.budget_text(), "12 steps");
  ASSERT_EQ(s.runs.size(), 2u);
  EXPECT_EQ(s.runs[0].label, "MeZO");
  EXPECT_EQ(s.runs[0].optimizer, "mezo");
  EXPECT_EQ(s.runs[0].steps, 5);
  EXPECT_EQ(s.runs[0].last_loss, 1.0 / 5);
  EXPECT_FALSE(s.runs[0].finished);
  EXPECT_EQ(s.runs[1].steps, 12);
  EXPECT_TRUE(s.runs[1].finished);
  EXPECT_FALSE(s.finished());

  // One line each, naming the folder or file, for the three bad folders (the file is ignored).
  ASSERT_EQ(got.skipped.size(), 3u);
  for (const std::string& line : got.skipped) EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  const auto has = [&](const std::string& what) {
    for (const std::string& line : got.skipped)
      if (line.find(what) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has((root / "holiday-photos").string() + ": not a logged live session")) << got.skipped[0];
  EXPECT_TRUE(has((root / "bad-spec" / "spec.json").string()));
  EXPECT_TRUE(has((root / "bad-log" / "runs" / "A" / "steps.log").string() + ":1"));

  // No folder (a first start): nothing, no line.
  const LoggedLiveSessions none = live_logs_scan((tmp.path / "missing").string());
  EXPECT_TRUE(none.unfinished.empty());
  EXPECT_TRUE(none.skipped.empty());
}

TEST(LiveLogs, RootFollowsXdgDataHome) {
  const char* old = std::getenv("XDG_DATA_HOME");
  const std::string keep = old ? old : "";
  ::setenv("XDG_DATA_HOME", "/tmp/xdg", 1);
  EXPECT_EQ(live_logs_root(), "/tmp/xdg/zoscope/llm-runs");
  ::setenv("XDG_DATA_HOME", "", 1);  // empty: the XDG default under $HOME
  if (const char* home = std::getenv("HOME"); home && *home) {
    EXPECT_EQ(live_logs_root(), std::string(home) + "/.local/share/zoscope/llm-runs");
  }
  if (old) ::setenv("XDG_DATA_HOME", keep.c_str(), 1);
  else ::unsetenv("XDG_DATA_HOME");
}

}  // namespace zs
