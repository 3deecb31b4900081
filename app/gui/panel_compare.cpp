// File > Compare over seeds... (language-model scenes): the scene's runs repeated over seeds,
// and optionally over learning-rate factors, by the command that made docs/findings.md,
// `zoscope-cli finetune SPEC --out DIR --seeds N [--target T] [--lr-factors ...]`, started
// as a child process of the app. The command does what it does from a terminal (each run
// in its own process, atomic writes, a folder lock, `--resume`); the app writes the scene's
// spec to DIR/spec.json, follows the seed being trained live (follow_run.h), shows the
// command's last line of output, and opens DIR's figure and tables in the sweep window when
// it finishes. Cancel kills the command's process group; the folder then resumes with the
// same command plus --resume (shown in the status line).
#include <fcntl.h>
#include <imgui.h>
#include <imgui_stdlib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include "app/gui/app.h"
#include "app/gui/keys.h"
#include "app/gui/follow_run.h"
#include "app/gui/llm_scene.h"
#include "app/gui/panels.h"
#include "app/gui/text_wrap.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/text_list.h"

namespace zs::gui {

namespace {

namespace fs = std::filesystem;

struct CompareForm {
  int seeds = 3;
  std::string target = "0.6";
  int metric = 0;  // 0: dev accuracy, 1: training loss
  std::string lr_factors;
  std::string dir;
  std::string error;
};

// The command of App `instance` (a later App, a test's, finds none: the old one is killed).
struct CompareJob {
  uint64_t instance = 0;
  pid_t pid = -1;  // the command's process (and process group); -1: none running
  std::string dir, log, resume;
  bool cancelled = false;
  double next_poll = 0;
  std::string progress;
  bool show = false;
  CompareForm form;
  ~CompareJob() { kill_group(); }
  void kill_group() {
    if (pid <= 0) return;
    ::kill(-pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    pid = -1;
  }
};

CompareJob& compare_job(const App& app) {
  static CompareJob j;
  if (j.instance != app.instance()) {
    j.kill_group();
    j.dir.clear();
    j.progress.clear();
    j.cancelled = j.show = false;
    j.form = CompareForm();
    j.instance = app.instance();
  }
  return j;
}

// zoscope-cli: $ZOSCOPE_CLI, else beside the app (an install) or in the build tree's
// app/cli/ (the app is app/gui/zoscope), else the one on PATH.
std::string cli_path() {
  if (const char* e = std::getenv("ZOSCOPE_CLI"); e && *e) return e;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    for (const fs::path& p : {self.parent_path() / "zoscope-cli", self.parent_path().parent_path() / "cli" / "zoscope-cli"})
      if (::access(p.c_str(), X_OK) == 0) return p.string();
  return "zoscope-cli";
}

std::string joined(const std::vector<std::string>& args) {
  std::string s;
  for (const std::string& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

// The last line the command wrote (progress lines end in \r or \n).
std::string last_line(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 4096);
  in.seekg(from);
  std::string tail(static_cast<size_t>(size - from), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  size_t end = tail.find_last_not_of("\r\n \t");
  if (end == std::string::npos) return "";
  const size_t begin = tail.find_last_of("\r\n", end);
  return tail.substr(begin == std::string::npos ? 0 : begin + 1, end - (begin == std::string::npos ? 0 : begin + 1) + 1);
}

// The seed folder written to most recently (DIR/seed-k, or DIR/lr-x<f>/seed-k), "" if none.
std::string newest_seed_dir(const std::string& dir) {
  std::string best;
  fs::file_time_type best_t{};
  std::error_code ec;
  const auto consider = [&](const fs::path& p) {
    if (p.filename().string().rfind("seed-", 0) != 0) return;
    const fs::path spec = p / "spec.json";
    const fs::file_time_type t = fs::last_write_time(p / "runs", ec);
    if (ec || !fs::exists(spec, ec)) return;
    if (best.empty() || t > best_t) best = p.string(), best_t = t;
  };
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_directory(ec)) continue;
    consider(e.path());
    if (e.path().filename().string().rfind("lr-x", 0) == 0)
      for (const auto& f : fs::directory_iterator(e.path(), ec))
        if (f.is_directory(ec)) consider(f.path());
  }
  return best;
}

CompareRequest form_request(const CompareForm& f) {
  CompareRequest req;
  req.seeds = f.seeds;
  req.metric = f.metric == 0 ? "dev_accuracy" : "train_loss";
  if (!f.target.empty()) {
    char* end = nullptr;
    const double t = std::strtod(f.target.c_str(), &end);
    req.target = *end == 0 && std::isfinite(t) ? t : std::numeric_limits<double>::infinity();  // refused
  }
  // A blank field is no sweep; otherwise the CLI's reader (an empty item, "1,,2", is refused).
  if (f.lr_factors.find_first_not_of(" \t") != std::string::npos) {
    try {
      req.lr_factors = text_number_list(f.lr_factors, "learning-rate factors");
    } catch (const std::exception& e) {
      req.form_error = error_line(e);
    }
  }
  req.dir = f.dir;
  return req;
}

}  // namespace

std::vector<std::string> compare_command(const CompareRequest& req) {
  std::vector<std::string> a = {cli_path(), "finetune", (fs::path(req.dir) / "spec.json").string(), "--out", req.dir,
                                "--seeds", std::to_string(req.seeds)};
  if (!std::isnan(req.target)) {
    a.insert(a.end(), {"--target", fmt_double(req.target)});
    if (req.metric != "dev_accuracy") a.insert(a.end(), {"--target-metric", req.metric});
  }
  if (!req.lr_factors.empty()) {
    std::string f;
    for (double v : req.lr_factors) f += (f.empty() ? "" : ",") + fmt_double(v);
    a.insert(a.end(), {"--lr-factors", f});
  }
  return a;
}

bool run_compare(App& app, const CompareRequest& req, std::string* error) {
  CompareJob& j = compare_job(app);
  const auto refuse = [&](const std::string& line) {
    if (error) *error = line;
    j.form.error = line;
    app.status("cannot compare: " + line, true);
    return false;
  };
  if (!app.llm_mode()) return refuse("a comparison over seeds runs a language-model scene (landscapes: File > Run sweep)");
  if (!app.llm()) return refuse(llm_support_note());
  if (j.pid > 0) return refuse("a comparison is already running");
  if (!req.form_error.empty()) return refuse(req.form_error);
  try {
    if (req.seeds < 1 || req.seeds > 100) fail("seeds", "value " + std::to_string(req.seeds) + " must be in [1, 100]");
    if (std::isinf(req.target)) fail("target", "is not a finite number");
    for (double f : req.lr_factors)
      if (!(f > 0) || !std::isfinite(f)) fail("learning-rate factors", "expected positive numbers separated by commas");
    if (req.dir.empty()) fail("folder", "is empty");
    std::error_code ec;
    if (fs::exists(fs::path(req.dir) / "table.txt", ec) || fs::exists(fs::path(req.dir) / "spec.json", ec))
      fail(req.dir, "already holds a comparison (choose another folder; continue that one with --resume)");
    make_dirs(req.dir);
    atomic_write((fs::path(req.dir) / "spec.json").string(), app.llm()->spec_text(app));
  } catch (const std::exception& e) {
    return refuse(error_line(e));
  }
  std::vector<std::string> args = compare_command(req);
  const std::string log = (fs::path(req.dir) / "compare.log").string();
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return refuse(log + ": cannot open: " + std::strerror(errno));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fd);
    return refuse(std::string("cannot start zoscope-cli: fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Async-signal-safe calls only: a group of its own (Cancel kills it whole), gone with
    // the app, output into compare.log.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(125);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::execvp(argv[0], argv.data());
    const char msg[] = "zoscope: cannot run zoscope-cli (set ZOSCOPE_CLI to its path)\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: Cancel may come before the child has run
  ::close(fd);
  j.pid = pid;
  j.dir = req.dir;
  j.log = log;
  j.cancelled = false;
  j.progress.clear();
  j.next_poll = 0;
  j.form.error.clear();
  std::vector<std::string> resume = compare_command(req);
  resume.push_back("--resume");
  j.resume = joined(resume);
  app.status("comparison started: " + joined(compare_command(req)));
  return true;
}

bool compare_running(const App& app) { return compare_job(app).pid > 0; }

void cancel_compare(App& app) {
  CompareJob& j = compare_job(app);
  if (j.pid <= 0) return;
  j.cancelled = true;
  ::kill(-j.pid, SIGKILL);
}

std::string compare_progress(const App& app) { return compare_job(app).progress; }

void OpenCompareDialog(App& app) {
  CompareJob& j = compare_job(app);
  j.show = true;
  std::error_code ec;
  if (j.form.dir.empty() || fs::exists(fs::path(j.form.dir) / "spec.json", ec))
    j.form.dir = export_path(app, app.model().ui.export_dir, "compare", {""}, std::time(nullptr));
}

void DrawCompare(App& app) {
  CompareJob& j = compare_job(app);
  if (j.pid > 0) {
    int status = 0;
    const pid_t done = ::waitpid(j.pid, &status, WNOHANG);
    const double now = ImGui::GetTime();
    if (done == j.pid || now >= j.next_poll) {
      // Twice a second: the last line of output, and the seed being trained followed live.
      j.next_poll = now + 0.5;
      j.progress = last_line(j.log);
      const std::string seed = newest_seed_dir(j.dir);
      if (!seed.empty() && seed != FollowRunDir()) FollowRunDirectory(seed.c_str());
    }
    if (done == j.pid) {
      j.pid = -1;
      if (j.cancelled) {
        app.status("comparison stopped; continue it with: " + j.resume);
      } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (open_sweep(app, j.dir)) app.status("comparison written to " + j.dir);
      } else {
        const std::string why = j.progress.empty() ? "zoscope-cli exited with status " + std::to_string(WEXITSTATUS(status)) : j.progress;
        j.form.error = why;
        app.status("comparison failed: " + why + " (" + j.log + ")", true);
      }
    }
  }
  if (!j.show) return;
  CompareForm& f = j.form;
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.4f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(640.0f, io.DisplaySize.x), 0), ImGuiCond_Appearing);
  if (ImGui::Begin("Compare over seeds###compare", &j.show, ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
    app.note_item("compare/window");
    if (ImGui::IsKeyPressed(kKeyEscape, false)) j.show = false;  // as the app's other dialogs (a running comparison goes on)
    const bool busy = j.pid > 0;
    if (!app.llm_mode() && !busy) {
      ImGui::TextWrapped("A comparison over seeds repeats a language-model scene's runs. For a landscape, File > Run "
                         "sweep runs every run over seeds (and hyperparameters).");
    } else if (!app.llm()) {
      ImGui::TextWrapped("%s", llm_support_note());
    } else {
      ImGui::TextWrapped("Every run of this scene once per seed (seed k: the spec's seed + k and data seed + k), each "
                         "in its own process, as zoscope-cli finetune --seeds runs it (docs/findings.md). The seed "
                         "being trained is followed live in the plots; the table and figure open when it is done.");
      ImGui::BeginDisabled(busy);
      ImGui::SetNextItemWidth(120);
      ImGui::SliderInt("seeds", &f.seeds, 1, 20, "%d", ImGuiSliderFlags_AlwaysClamp);
      ImGui::SetNextItemWidth(120);
      ImGui::InputTextWithHint("target", "none", &f.target);
      ImGui::SameLine();
      ImGui::SetNextItemWidth(150);
      ImGui::Combo("metric", &f.metric, "dev accuracy\0training loss\0");
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("forward passes until the dev accuracy reaches the target (or the training loss, averaged "
                          "over 20 steps, falls to it)");
      ImGui::SetNextItemWidth(200);
      ImGui::InputTextWithHint("learning-rate factors", "none, or e.g. 1,3,10", &f.lr_factors);
      app.note_item("compare/lr_factors");
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("each run's lr times each factor over the same seeds; every run reported at its best");
      ImGui::SetNextItemWidth(-60);
      ImGui::InputText("folder", &f.dir);
      app.note_item("compare/folder");
      ImGui::EndDisabled();
      const CompareRequest req = form_request(f);
      const size_t grid = std::max<size_t>(1, req.lr_factors.size());
      ImGui::TextDisabled("%zu runs x %d seeds%s = %zu fine-tunes", app.exp().runs.size(), f.seeds,
                          grid > 1 ? (" x " + std::to_string(grid) + " factors").c_str() : "",
                          app.exp().runs.size() * static_cast<size_t>(f.seeds) * grid);
      command_text(joined(compare_command(req)));
      if (!busy) {
        if (ImGui::Button("Run comparison")) run_compare(app, req);
        app.note_item("compare/run");
      } else {
        if (ImGui::Button("Cancel")) cancel_compare(app);
        app.note_item("compare/cancel");
        ImGui::SameLine();
        ImGui::TextUnformatted(j.progress.empty() ? "starting..." : j.progress.c_str());
      }
      if (!f.error.empty()) error_text(f.error);
    }
  }
  ImGui::End();
}

}  // namespace zs::gui
