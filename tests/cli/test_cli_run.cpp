// `zoscope-cli run` and `render` end to end: the golden run (every optimizer, files compared
// byte for byte with committed goldens), its figure and experiment.json, determinism over
// repeated runs and worker counts, and re-rendering a run directory.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>
#include "core/io/experiment.h"
#include "core/opt/optimizer.h"
#include "tests/cli/cli_util.h"

namespace zs::cli_test {
namespace {

using nlohmann::json;

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// [SECTION] golden run
//
// tests/data/cli/golden.json runs every registered optimizer (CliGolden.CoversEveryOptimizer
// keeps it so) plus variants of the shared options (queries, one-sided, Rademacher and
// sphere directions, weight decay, AdaMeZO's paper form), 40 steps each from (-1.2, 1) on
// Rosenbrock with seed 0. Its runs.csv and summary.json must equal the committed goldens
// byte for byte, so a change to ANY optimizer's math -- or to the direction generator, the
// landscape, the record columns or the number formatting -- fails here. When the change is
// intended, regenerate the goldens, then review and commit the diff with the change:
//
//   ZS_UPDATE_GOLDEN=1 build/tests/cli/zs_cli_tests --gtest_filter='CliGolden.*'
//   git diff --stat tests/data/cli/
//
// The goldens hold for this toolchain (x86-64, GCC without -ffast-math or FMA contraction,
// glibc's libm); summary.json also carries the zoscope version, so a version bump means a
// regeneration too.

struct GoldenRun {
  ScratchDir dir;
  CliResult result;
  std::string out() const { return dir / "out"; }
};

// The golden experiment through the CLI, once per test process.
const GoldenRun& golden_run() {
  static const std::unique_ptr<GoldenRun> g = [] {
    auto r = std::make_unique<GoldenRun>();
    r->result = cli({"run", data_path("golden.json"), "--out", r->out()});
    return r;
  }();
  return *g;
}

void expect_run_ok(const CliResult& r) {
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "") << "a run under a second prints no progress";
}

TEST(CliGolden, CoversEveryOptimizer) {
  const Experiment e = experiment_load(data_path("golden.json"));
  std::set<std::string> used, all;
  for (const auto& r : e.runs) used.insert(r.optimizer);
  for (const auto& info : optimizer_catalog()) all.insert(info.id);
  EXPECT_EQ(used, all) << "add a run of every new optimizer to tests/data/cli/golden.json and regenerate";
  bool hidden = false;
  for (const auto& r : e.runs) hidden = hidden || !r.visible;
  EXPECT_TRUE(hidden) << "the figure test needs a hidden run";
}

TEST(CliGolden, RunsCsvAndSummaryMatchTheCommittedGoldens) {
  const GoldenRun& g = golden_run();
  expect_run_ok(g.result);
  const std::string csv = file_text(g.out() + "/runs.csv"), summary = file_text(g.out() + "/summary.json");
  ASSERT_FALSE(csv.empty());
  ASSERT_FALSE(summary.empty());
  if (std::getenv("ZS_UPDATE_GOLDEN")) {
    file_put(data_path("golden_runs.csv"), csv);
    file_put(data_path("golden_summary.json"), summary);
    GTEST_SKIP() << "regenerated tests/data/cli/golden_runs.csv and golden_summary.json; review the diff";
  }
  const std::string want_csv = file_text(data_path("golden_runs.csv"));
  ASSERT_FALSE(want_csv.empty()) << "missing golden; run with ZS_UPDATE_GOLDEN=1";
  EXPECT_EQ(first_difference(want_csv, csv), "") << "runs.csv differs from tests/data/cli/golden_runs.csv";
  EXPECT_EQ(first_difference(file_text(data_path("golden_summary.json")), summary), "")
      << "summary.json differs from tests/data/cli/golden_summary.json";
}

TEST(CliGolden, CsvHasOneRowPerStepOfEveryRun) {
  const GoldenRun& g = golden_run();
  expect_run_ok(g.result);
  const Experiment e = experiment_load(data_path("golden.json"));
  const auto lines = lines_of(file_text(g.out() + "/runs.csv"));
  ASSERT_FALSE(lines.empty());
  const size_t columns = csv_fields(lines[0]).size();
  std::vector<int> rows(e.runs.size(), 0);
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto f = csv_fields(lines[i]);
    ASSERT_EQ(f.size(), columns) << "line " << i + 1 << ": " << lines[i];
    const size_t run = std::stoul(f[0]);
    ASSERT_LT(run, e.runs.size());
    EXPECT_EQ(f[1], e.runs[run].label) << "labels with commas and quotes survive CSV quoting";
    EXPECT_EQ(std::stoll(f[3]), rows[run]) << "steps 0, 1, 2, ... in order";
    ++rows[run];
  }
  for (size_t r = 0; r < e.runs.size(); ++r) EXPECT_EQ(rows[r], e.max_steps + 1) << e.runs[r].label;
}

TEST(CliGolden, FigureHasTheExportSizeAndOnePathPerVisibleRun) {
  const GoldenRun& g = golden_run();
  expect_run_ok(g.result);
  const Experiment e = experiment_load(data_path("golden.json"));
  int w = 0, h = 0;
  ASSERT_TRUE(png_size(g.out() + "/figure.png", w, h));
  EXPECT_EQ(w, e.export_style.width);
  EXPECT_EQ(h, e.export_style.height);
  const std::string svg = file_text(g.out() + "/figure.svg");
  EXPECT_NE(svg.find("width=\"" + std::to_string(e.export_style.width) + "\" height=\"" +
                     std::to_string(e.export_style.height) + "\""),
            std::string::npos);
  size_t visible = 0;
  for (const auto& r : e.runs) visible += r.visible;
  EXPECT_EQ(count_of(svg, "<path"), visible);
  EXPECT_NE(svg.find(experiment_hash(e)), std::string::npos) << "the figure is stamped with the experiment hash";
}

TEST(CliGolden, ExperimentJsonReloadsToTheSameHash) {
  const GoldenRun& g = golden_run();
  expect_run_ok(g.result);
  const std::string want = experiment_hash(experiment_load(data_path("golden.json")));
  EXPECT_EQ(experiment_hash(experiment_load(g.out() + "/experiment.json")), want);
  const json summary = json::parse(file_text(g.out() + "/summary.json"));
  EXPECT_EQ(summary.at("experiment_hash").get<std::string>(), want);
}

TEST(CliGolden, StdoutNamesEveryRunAndFile) {
  const GoldenRun& g = golden_run();
  expect_run_ok(g.result);
  for (const auto& r : experiment_load(data_path("golden.json")).runs)
    EXPECT_NE(g.result.out.find(r.label), std::string::npos) << r.label;
  for (const char* f : {"experiment.json", "runs.csv", "runs.jsonl", "summary.json", "figure.png", "figure.svg"}) {
    EXPECT_NE(g.result.out.find("wrote " + g.out() + "/" + f), std::string::npos) << f;
    EXPECT_TRUE(file_exists(g.out() + "/" + f)) << f;
  }
}

// [SECTION] determinism (docs/design-notes.md#determinism: same experiment + seed -> bit-identical rows on one build)
//
// determinism.json: an N-D landscape with minibatch noise, a forward-pass budget and five
// runs, so worker threads really interleave.

TEST(CliDeterminism, SameSeedAndAnyThreadCountGiveIdenticalFiles) {
  ScratchDir d;
  const std::string exp = data_path("determinism.json");
  const std::vector<std::vector<std::string>> invocations = {
      {"run", exp, "--out", d / "a"},
      {"run", exp, "--out", d / "b"},
      {"--threads", "1", "run", exp, "--out", d / "t1"},
      {"run", exp, "--out", d / "t2", "--threads", "2"},
  };
  for (const auto& args : invocations) expect_run_ok(cli(args));
  for (const char* f : {"runs.csv", "runs.jsonl", "summary.json"}) {
    const std::string a = file_text(d / "a/" + f);
    ASSERT_FALSE(a.empty()) << f;
    for (const char* other : {"b", "t1", "t2"})
      EXPECT_EQ(first_difference(a, file_text(d / other + "/" + f)), "") << f << " of run " << other;
  }
}

TEST(CliDeterminism, ADifferentSeedChangesTheRows) {
  ScratchDir d;
  json j = json::parse(file_text(data_path("determinism.json")));
  j["seed"] = 1;
  file_put(d / "seed1.json", j.dump());
  expect_run_ok(cli({"run", data_path("determinism.json"), "--out", d / "s0"}));
  expect_run_ok(cli({"run", d / "seed1.json", "--out", d / "s1"}));
  EXPECT_NE(file_text(d / "s0/runs.csv"), file_text(d / "s1/runs.csv"));
}

// [SECTION] render

TEST(CliRender, WritesPngAndSvgOfTheGivenSize) {
  const GoldenRun& g = golden_run();
  expect_run_ok(g.result);
  ScratchDir d;
  const CliResult r = cli({"render", g.out(), "--png", d / "f.png", "--svg", d / "f.svg", "--size", "800x600"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  int w = 0, h = 0;
  ASSERT_TRUE(png_size(d / "f.png", w, h));
  EXPECT_EQ(w, 800);
  EXPECT_EQ(h, 600);
  const std::string svg = file_text(d / "f.svg");
  EXPECT_NE(svg.find("width=\"800\" height=\"600\""), std::string::npos);
  EXPECT_EQ(count_of(svg, "<path"), count_of(file_text(g.out() + "/figure.svg"), "<path"));
}

// runs.csv keeps 17 significant digits, so re-rendering at the export size reproduces the
// run's own figure exactly -- including the divergence crosses, which come from summary.json.
TEST(CliRender, ReproducesTheFigureOfTheRunIncludingDivergence) {
  ScratchDir d;
  expect_run_ok(cli({"run", data_path("diverge.json"), "--out", d / "run"}));
  const CliResult r = cli({"render", d / "run", "--png", d / "f.png", "--svg", d / "f.svg"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(first_difference(file_text(d / "run/figure.svg"), file_text(d / "f.svg")), "");
  EXPECT_TRUE(file_text(d / "run/figure.png") == file_text(d / "f.png")) << "PNG differs";
}

// Every optimizer's legend (memory, FP per step) comes back as the run drew it.
TEST(CliRender, ReproducesTheGoldenFigure) {
  const GoldenRun& g = golden_run();
  expect_run_ok(g.result);
  ScratchDir d;
  ASSERT_EQ(cli({"render", g.out(), "--svg", d / "f.svg"}).status, 0);
  EXPECT_EQ(first_difference(file_text(g.out() + "/figure.svg"), file_text(d / "f.svg")), "");
}

TEST(CliRender, BadRunDirectoryGivesOneLineError) {
  const GoldenRun& g = golden_run();
  expect_run_ok(g.result);
  ScratchDir d;
  // A copy of the golden run directory with one file replaced (or removed when text is null).
  auto broken = [&](const std::string& name, const char* file, const char* text) {
    const std::string dir = d / name;
    for (const char* f : {"experiment.json", "runs.csv", "summary.json"})
      if (std::string(f) != file || text) file_put(dir + "/" + f, file_text(g.out() + "/" + f));
    if (text) file_put(dir + "/" + file, text);
    return dir;
  };
  std::filesystem::create_directories(d / "empty");
  for (const char* name : {"nocsv", "garbage", "truncated", "badnum", "badstep", "badindex", "badexp", "nosummary",
                           "badsummary"})
    std::filesystem::create_directories(d / name);
  const std::string csv = file_text(g.out() + "/runs.csv");
  const std::string header = lines_of(csv)[0] + "\n";
  const std::string row = lines_of(csv)[1];
  auto with_field = [&](int col, const std::string& v) {
    auto f = csv_fields(row);
    f[static_cast<size_t>(col)] = v;
    std::string s;
    for (size_t i = 0; i < f.size(); ++i) s += (i ? "," : "") + f[i];
    return header + s + "\n";
  };
  const std::string truncated = csv.substr(0, csv.find('\n', csv.size() / 2) + 20);
  const std::string badnum = with_field(6, "1.5x"), badstep = with_field(3, "three"), badindex = with_field(0, "99");

  struct Case {
    std::string dir;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {d / "missing", {d / "missing", "not a run directory"}},
      {g.out() + "/runs.csv", {"runs.csv", "not a run directory"}},
      {d / "empty", {"experiment.json", "cannot read"}},
      {broken("nocsv", "runs.csv", nullptr), {"runs.csv", "cannot read"}},
      {broken("garbage", "runs.csv", "this is not a csv\n1,2,3\n"), {"runs.csv", "unexpected header"}},
      {broken("truncated", "runs.csv", truncated.c_str()), {"runs.csv:", "expected 26 fields"}},
      {broken("badnum", "runs.csv", badnum.c_str()), {"runs.csv:2", "column loss"}},
      {broken("badstep", "runs.csv", badstep.c_str()), {"runs.csv:2", "column step"}},
      {broken("badindex", "runs.csv", badindex.c_str()), {"runs.csv", "run index 99"}},
      {broken("badexp", "experiment.json", "{\"zoscope_experiment\": 1,"), {"experiment.json", "malformed JSON"}},
      {broken("nosummary", "summary.json", nullptr), {"summary.json", "cannot read"}},
      {broken("badsummary", "summary.json", "{\"runs\": [{\"run\": \"zero\"}]}"), {"summary.json: runs[0]"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.dir);
    EXPECT_TRUE(is_one_line_error(cli({"render", c.dir, "--png", d / "x.png"}), c.expect));
  }
  EXPECT_FALSE(file_exists(d / "x.png"));
}

TEST(CliRender, BadSizeOrUnwritableTargetGivesOneLineError) {
  const GoldenRun& g = golden_run();
  expect_run_ok(g.result);
  EXPECT_TRUE(is_one_line_error(cli({"render", g.out(), "--size", "big"}), {"--size big", "WxH"}));
  EXPECT_TRUE(is_one_line_error(cli({"render", g.out(), "--svg", "/proc/zs/f.svg"}), {"/proc/zs/f.svg", "cannot write"}));
}

}  // namespace
}  // namespace zs::cli_test
