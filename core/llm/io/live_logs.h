// The app's logged live sessions (docs/llm-live.md "Continuing a logged run"), torch-free:
// each folder under llm-runs/ that a Language-model scene wrote (LiveConfig::log_dir:
// spec.json + runs/<label>/steps.log), read back for the scene panel's list of runs to
// continue. A folder that is not such a session, or whose spec or step log is corrupt,
// gives one line and is skipped.
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>
#include "core/llm/io/finetune_spec.h"

namespace zs {

struct LoggedLiveRun {
  std::string label, optimizer;
  int64_t steps = 0, forward_passes = 0;  // done, from the last step record
  double last_loss = NAN;                 // the last step's minibatch loss (NaN: no step yet)
  bool finished = false;                  // budget spent (Budget::spent), or the loss diverged
};

struct LoggedLiveSession {
  std::string dir, name;  // the folder and its name ("<experiment>-<date>-<time>")
  FinetuneSpec spec;
  std::vector<LoggedLiveRun> runs;
  bool finished() const;
  // "200 steps" or "5000 forward passes".
  std::string budget_text() const;
};

struct LoggedLiveSessions {
  std::vector<LoggedLiveSession> unfinished;  // by folder name, descending (newest first per experiment)
  std::vector<std::string> skipped;           // one line per folder that is not readable as a session
};

// The sessions under `root` (no folder: none) with a run whose budget is not spent.
LoggedLiveSessions live_logs_scan(const std::string& root);
// Where the app writes them: $XDG_DATA_HOME/zoscope/llm-runs, else
// $HOME/.local/share/zoscope/llm-runs ("" when neither is set).
std::string live_logs_root();

}  // namespace zs
