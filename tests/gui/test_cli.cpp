// The zoscope executable's arguments: headless screenshots of the requested size, and one
// clear line with a non-zero status for bad arguments or a bad experiment.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <cstdio>
#include <filesystem>
#include <stb/stb_image.h>
#include "app/gui/llm_scene.h"
#include "core/util/atomic_file.h"
#include "gui_harness.h"

namespace zs::gui::test {

namespace {

struct Result {
  int status = -1;
  std::string output;
};

Result run(const std::string& args) {
  Result r;
  const std::string cmd = std::string(ZS_ZOSCOPE_EXE) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (size_t k = fread(buf, 1, sizeof buf, p)) r.output.append(buf, k);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST(GuiCli, HeadlessScreenshotHasTheRequestedSize) {
  const std::string out = out_path("cli_shot.png");
  std::filesystem::remove(out);
  const Result r = run("--headless --experiment preset:saddle_escape --frames 4 --screenshot " + out + " --size 640x400");
  EXPECT_EQ(r.status, 0) << r.output;
  int w = 0, h = 0, n = 0;
  ASSERT_TRUE(stbi_info(out.c_str(), &w, &h, &n)) << r.output;
  EXPECT_EQ(w, 640);
  EXPECT_EQ(h, 400);
}

TEST(GuiCli, BadArgumentsGiveOneLineAndStatus2) {
  for (const char* args : {"--frames 0", "--frames x", "--size 10x10", "--size 800", "--bogus", "--headless --experiment",
                           "--settings ''", "--seed 99999999999999999999999", "--headless --experiment ''",
                           "--headless --screenshot ''"}) {
    const Result r = run(args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.output;
    EXPECT_EQ(lines(r.output), 1u) << args << ": " << r.output;
    EXPECT_EQ(r.output.rfind("zoscope: ", 0), 0u) << r.output;
  }
}

TEST(GuiCli, BadExperimentGivesOneLineAndStatus1) {
  const std::string bad = out_path("cli_bad.json");
  atomic_write(bad, "{\"zoscope_experiment\": 1, \"landscape\": {\"id\": \"nowhere\"}, \"budget\": {\"steps\": 5}, "
                    "\"runs\": [{\"optimizer\": \"mezo\"}]}");
  for (const std::string& exp : {std::string("preset:nope"), bad, out_path("missing.json")}) {
    const Result r = run("--headless --frames 2 --experiment " + exp);
    EXPECT_EQ(r.status, 1) << exp << ": " << r.output;
    EXPECT_EQ(lines(r.output), 1u) << r.output;
    EXPECT_EQ(r.output.rfind("zoscope: ", 0), 0u) << r.output;
  }
  EXPECT_NE(run("--headless --frames 2 --experiment " + bad).output.find("nowhere"), std::string::npos);
}

// Runs that cannot be made were a red line in the screenshot and exit status 0: a budget
// the limits refuse, a language model that does not load. Headless they fail with that line.
TEST(GuiCli, RunsThatCannotBeMadeFailHeadless) {
  const std::string rows = out_path("cli_rows.json"), llm = out_path("cli_llm_missing.json");
  atomic_write(rows, "{\"zoscope_experiment\": 1, \"landscape\": {\"id\": \"rosenbrock\"}, \"budget\": {\"steps\": "
                     "100000000}, \"runs\": [{\"optimizer\": \"mezo\"}, {\"optimizer\": \"adam\"}]}");
  atomic_write(llm, "{\"zoscope_finetune\": 1, \"model\": \"/nonexistent/zoscope-model\", \"task\": \"sentiment\", "
                    "\"budget\": {\"steps\": 2}, \"runs\": [{\"optimizer\": \"mezo\"}]}");
  // An app built without LibTorch cannot load any language model, and says why instead.
  const std::string llm_reason = *llm_support_note() ? "built without LLM support" : "/nonexistent/zoscope-model";
  const std::pair<std::string, std::string> cases[] = {{rows, "budget: 2e+08 step rows over 2 run(s)"}, {llm, llm_reason}};
  for (const auto& [exp, want] : cases) {
    const Result r = run("--headless --frames 2 --size 640x400 --experiment " + exp + " --screenshot " + out_path("cli_fail.png"));
    EXPECT_EQ(r.status, 1) << exp << ": " << r.output;
    EXPECT_EQ(lines(r.output), 1u) << r.output;
    EXPECT_EQ(r.output.rfind("zoscope: ", 0), 0u) << r.output;
    EXPECT_NE(r.output.find(want), std::string::npos) << r.output;
  }
}

// The windowed app with an unwritable --settings folder: one warning line on stderr naming
// the folder and the reason, then it runs (exit 0). Needs an X server: xvfb-run (Debian's
// xvfb, installed by scripts/setup.sh).
TEST(GuiCli, UnwritableSettingsFolderIsOneWarningLineAndTheAppRuns) {
  if (std::system("command -v xvfb-run > /dev/null 2>&1") != 0) GTEST_SKIP() << "xvfb-run is not installed";
  const std::string base = out_path("cli_settings");
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base);
  atomic_write(base + "/file", "x");
  const std::string dir = base + "/file/zoscope";
  const std::string cmd = "xvfb-run -a -s '-screen 0 1024x768x24' " + std::string(ZS_ZOSCOPE_EXE) +
                          " --settings " + dir + " --experiment preset:saddle_escape --frames 3 --size 800x600 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[4096];
  while (size_t k = fread(buf, 1, sizeof buf, p)) r.output.append(buf, k);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "zoscope: warning: settings folder " + dir +
                          ": cannot create it (Not a directory); settings and window layout will not be saved\n");
}

}  // namespace zs::gui::test
