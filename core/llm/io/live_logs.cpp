// The app's logged live sessions (see live_logs.h).
#include "core/llm/io/live_logs.h"
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include "core/opt/optimizer.h"
#include "core/run/step_log.h"
#include "core/util/error.h"

namespace zs {

namespace fs = std::filesystem;

bool LoggedLiveSession::finished() const {
  for (const LoggedLiveRun& r : runs)
    if (!r.finished) return false;
  return true;
}

std::string LoggedLiveSession::budget_text() const {
  return spec.steps > 0 ? std::to_string(spec.steps) + " steps" : std::to_string(spec.forward_passes) + " forward passes";
}

namespace {

LoggedLiveSession read_session(const fs::path& dir) {
  LoggedLiveSession s;
  s.dir = dir.string();
  s.name = dir.filename().string();
  const fs::path spec_path = dir / "spec.json";
  std::error_code ec;
  if (!fs::is_regular_file(spec_path, ec)) fail(s.dir, "not a logged live session (no spec.json)");
  s.spec = finetune_spec_load(spec_path.string());
  const Budget budget = finetune_budget(s.spec);
  for (const FinetuneRun& fr : s.spec.runs) {
    LoggedLiveRun r;
    r.label = fr.label;
    r.optimizer = fr.optimizer;
    for (const StepLogRecord& rec : step_log_read((dir / "runs" / fr.label / "steps.log").string())) {
      if (rec.kind != 'S') continue;
      r.steps = rec.t;
      r.forward_passes = rec.fp;
      r.last_loss = rec.loss;
    }
    const std::unique_ptr<Optimizer> opt = optimizer_create(fr.optimizer, fr.hp, s.spec.file + ": " + fr.label, true);
    r.finished = budget.spent(r.steps, r.forward_passes, *opt) || (r.steps > 0 && !std::isfinite(r.last_loss));
    s.runs.push_back(std::move(r));
  }
  return s;
}

}  // namespace

LoggedLiveSessions live_logs_scan(const std::string& root) {
  LoggedLiveSessions out;
  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec)) return out;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory(ec)) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) { return a.filename() > b.filename(); });
  for (const fs::path& d : dirs) {
    try {
      LoggedLiveSession s = read_session(d);
      if (!s.finished()) out.unfinished.push_back(std::move(s));
    } catch (const std::exception& e) {
      out.skipped.push_back(error_line(e));
    }
  }
  return out;
}

std::string live_logs_root() {
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/zoscope/llm-runs";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/share/zoscope/llm-runs";
  return "";
}

}  // namespace zs
