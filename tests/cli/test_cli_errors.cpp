// Bad input through the CLI (docs/design-notes.md#errors-one-line): every mistake in an experiment file or on
// the command line gives exit status 2 and exactly one line on stderr naming the file, the
// field path and the value -- never a crash, a silent default or a second line. Diverging
// runs are not errors: they are marked in summary.json while the other runs finish.
#include <gtest/gtest.h>
#include <unistd.h>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include "tests/cli/cli_util.h"

namespace zs::cli_test {
namespace {

using nlohmann::json;

// [SECTION] experiment files (tests/data/cli/bad/*.json)

struct BadFile {
  const char* file;
  std::vector<std::string> expect;  // besides the file name
};

const BadFile kBadFiles[] = {
    {"malformed.json", {"malformed JSON at line 4, column 10", "expected '}'"}},
    {"truncated.json", {"malformed JSON at line 5"}},
    {"empty.json", {"malformed JSON at line 1, column 1"}},
    {"not_object.json", {"(top level)", "expected a JSON object, got an array"}},
    {"no_version.json", {"zoscope_experiment", "missing"}},
    {"version_string.json", {"zoscope_experiment", "expected a number, got a string"}},
    {"version_zero.json", {"zoscope_experiment", "value 0"}},
    {"version_too_new.json", {"zoscope_experiment", "version 2 is newer", "reads up to 1"}},
    {"version_too_new_fields.json", {"zoscope_experiment", "version 2 is newer"}},
    {"unknown_landscape.json", {"landscape.id", "\"rosenbrok\"", "known: rosenbrock"}},
    {"unknown_optimizer.json", {"runs[1].optimizer", "\"adamezzo\"", "known: mezo, adamezo"}},
    {"unknown_field_top.json", {"sead", "unknown field", "seed"}},
    {"unknown_field_run.json", {"runs[0].hyperparams", "unknown field", "hyperparameters"}},
    {"unknown_field_landscape.json", {"landscape.dims", "unknown field"}},
    {"unknown_hyperparameter.json", {"runs[1].hyperparameters.learning_rate", "unknown parameter", "lr"}},
    {"lr_overflow.json", {"runs[1].hyperparameters.lr", "1e999", "line 7"}},
    {"negative_lr.json", {"runs[1].hyperparameters.lr", "value -1", "[1e-10, 10]"}},
    {"h_fraction.json", {"runs[1].hyperparameters.h", "value 2.5", "integer"}},
    {"h_too_large.json", {"runs[1].hyperparameters.h", "value 1000", "[0, 64]"}},
    {"bool_for_number.json", {"runs[1].hyperparameters.lr", "got a boolean"}},
    {"string_for_number.json", {"runs[1].hyperparameters.lr", "got a string"}},
    {"unknown_choice.json", {"runs[1].hyperparameters.dist", "\"uniform\"", "gaussian|rademacher|sphere"}},
    {"choice_index_out_of_range.json", {"runs[1].hyperparameters.dist", "value 3", "gaussian|rademacher|sphere"}},
    {"string_for_bool.json", {"runs[1].hyperparameters.warmup", "expected true or false"}},
    {"start_wrong_length.json", {"start", "has 3 values", "dim 2"}},
    {"start_not_numbers.json", {"start[1]", "expected a number"}},
    {"budget_missing.json", {"budget", "missing"}},
    {"budget_both.json", {"budget", "exactly one of \"steps\" and \"forward_passes\""}},
    {"budget_empty.json", {"budget", "exactly one of"}},
    {"budget_zero.json", {"budget.steps", "value 0"}},
    {"budget_negative_fp.json", {"budget.forward_passes", "value -4"}},
    {"colour_short.json", {"runs[0].colour", "\"#12345\"", "#rrggbb"}},
    {"colour_signed.json", {"runs[0].colour", "\"#-12345\"", "#rrggbb"}},
    {"directions_wrong_length.json", {"runs[0].directions[1]", "has 3 values", "dim 2"}},
    {"directions_first_order.json", {"runs[0].directions", "zeroth-order optimizers only"}},
    {"dim_for_2d_landscape.json", {"landscape.dim", "2-D"}},
    {"bad_expression.json", {"landscape.expression", "x^2 + (y"}},
    {"expression_unknown_variable.json", {"landscape.expression", "\"z\""}},
    {"expression_missing.json", {"landscape.expression", "missing"}},
    {"landscape_param_out_of_range.json", {"landscape.params.b", "value 0", "[1, 10000]"}},
    {"runs_empty.json", {"runs", "non-empty"}},
    {"negative_seed.json", {"seed", "value -1"}},
    {"view_domain.json", {"view.domain", "x0 < x1"}},
    {"unknown_colormap.json", {"view.colormap", "\"jet\""}},
    {"export_too_small.json", {"export.width", "value 10"}},
    // User text with a newline is escaped in the message, which stays one line.
    {"label_newline.json", {"runs[0].label", "\"two\\nlines\"", "control character"}},
    {"optimizer_newline.json", {"runs[0].optimizer", "unknown optimizer \"me\\nzo\""}},
    {"field_newline.json", {"se\\ned: unknown field"}},
};

TEST(CliErrors, EveryBadExperimentFileGivesOneLineNamingFileAndField) {
  ScratchDir d;
  for (const BadFile& b : kBadFiles) {
    SCOPED_TRACE(b.file);
    std::vector<std::string> expect{data_path(std::string("bad/") + b.file) + ": "};
    expect.insert(expect.end(), b.expect.begin(), b.expect.end());
    EXPECT_TRUE(is_one_line_error(cli({"run", data_path(std::string("bad/") + b.file), "--out", d / "out"}), expect));
  }
  EXPECT_FALSE(file_exists(d / "out/runs.csv")) << "nothing is written for a bad file";
}

// Every file in tests/data/cli/bad has a row above (a new bad input is never left unchecked).
TEST(CliErrors, EveryBadFileIsInTheTable) {
  for (const auto& f : std::filesystem::directory_iterator(data_path("bad"))) {
    const std::string name = f.path().filename().string();
    bool listed = false;
    for (const BadFile& b : kBadFiles) listed = listed || name == b.file;
    EXPECT_TRUE(listed) << name;
  }
}

TEST(CliErrors, SweepAndRenderReportBadExperimentFilesTheSameWay) {
  const std::string f = data_path("bad/h_too_large.json");
  EXPECT_TRUE(is_one_line_error(cli({"sweep", f, "--param", "lr=1e-3,1e-2"}), {f + ": runs[1].hyperparameters.h"}));
  ScratchDir d;
  file_put(d / "experiment.json", file_text(f));
  EXPECT_TRUE(is_one_line_error(cli({"render", d.path()}), {d / "experiment.json: runs[1].hyperparameters.h"}));
}

// [SECTION] files and directories

TEST(CliErrors, MissingFileOrDirectoryInsteadOfFile) {
  ScratchDir d;
  EXPECT_TRUE(is_one_line_error(cli({"run", d / "nosuch.json", "--out", d / "o"}), {d / "nosuch.json", "no such file"}));
  EXPECT_TRUE(is_one_line_error(cli({"run", "preset:nosuch", "--out", d / "o"}), {"preset:nosuch", "no such preset", "rosenbrock"}));
  EXPECT_TRUE(is_one_line_error(cli({"run", d.path(), "--out", d / "o"}), {d.path(), "is a directory"}));
}

TEST(CliErrors, UnwritableOutputDirectoryFailsBeforeRunning) {
  ScratchDir d;
  const std::string exp = data_path("golden.json");
  EXPECT_TRUE(is_one_line_error(cli({"run", exp, "--out", "/proc/zs"}), {"/proc/zs", "cannot create directory"}));
  file_put(d / "file", "x");
  EXPECT_TRUE(is_one_line_error(cli({"run", exp, "--out", d / "file"}), {d / "file", "cannot create directory"}));
  EXPECT_TRUE(is_one_line_error(cli({"run", exp, "--out", d / "file/sub"}), {d / "file/sub", "cannot create directory"}));
  EXPECT_TRUE(is_one_line_error(cli({"sweep", exp, "--param", "lr=1e-3", "--out", "/proc/zs"}), {"/proc/zs"}));
  EXPECT_TRUE(is_one_line_error(cli({"run", exp, "--out", ""}), {"--out", "empty"}));
  EXPECT_TRUE(is_one_line_error(cli({"render", ""}), {"render: the run folder is empty"}));
}

TEST(CliErrors, ReadOnlyOutputDirectory) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only directories";
  ScratchDir d;
  std::filesystem::create_directories(d / "ro");
  std::filesystem::permissions(d / "ro", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  EXPECT_TRUE(is_one_line_error(cli({"run", data_path("golden.json"), "--out", d / "ro/out"}), {d / "ro/out"}));
  std::filesystem::permissions(d / "ro", std::filesystem::perms::owner_all);
}

// [SECTION] command line

TEST(CliErrors, BadSizeGivesOneLine) {
  ScratchDir d;
  const std::string exp = data_path("golden.json");
  for (const char* size : {"garbage", "800", "800x", "x600", "10x10", "800x600x", "800*600", "-800x600", "99999x600"}) {
    SCOPED_TRACE(size);
    EXPECT_TRUE(is_one_line_error(cli({"run", exp, "--out", d / "o", "--size", size}),
                                  {std::string("--size ") + size, "WxH"}));
  }
}

TEST(CliErrors, UnknownSubcommandFlagOrMissingArgumentGivesOneLine) {
  ScratchDir d;
  const std::string exp = data_path("golden.json");
  EXPECT_TRUE(is_one_line_error(cli({"frobnicate"}), {"unknown subcommand \"frobnicate\"", "list, run, sweep, render"}));
  EXPECT_TRUE(is_one_line_error(cli({"--threads", "2", "rnu", exp}), {"unknown subcommand \"rnu\""}));
  EXPECT_TRUE(is_one_line_error(cli({}), {"subcommand"}));
  EXPECT_TRUE(is_one_line_error(cli({"run", exp, "--out", d / "o", "--frob"}), {"--frob"}));
  EXPECT_TRUE(is_one_line_error(cli({"--frob", "list"}), {"--frob"}));
  EXPECT_TRUE(is_one_line_error(cli({"run", exp}), {"--out"}));
  EXPECT_TRUE(is_one_line_error(cli({"run", "--out", d / "o"}), {"experiment"}));
  EXPECT_TRUE(is_one_line_error(cli({"--threads", "many", "list"}), {"--threads"}));
  EXPECT_TRUE(is_one_line_error(cli({"--threads", "-1", "list"}), {"--threads"}));
  EXPECT_TRUE(is_one_line_error(cli({"sweep", exp, "--param", "lr=1e-3", "--seeds", "0"}), {"--seeds: value 0 is outside [1, 10000]"}));
  // CLI11's Range said "Value 2.5 not in range 1 to 10000" (and "Value  not in range" for
  // ""): a number in range that is not whole, or nothing, is named as such.
  EXPECT_TRUE(is_one_line_error(cli({"sweep", exp, "--param", "lr=1e-3", "--seeds", "2.5"}),
                                {"--seeds: value 2.5 is not a whole number in [1, 10000]"}));
  EXPECT_TRUE(is_one_line_error(cli({"sweep", exp, "--param", "lr=1e-3", "--seeds", "1e3"}),
                                {"--seeds: value 1e3 is not a whole number in [1, 10000]"}));
  EXPECT_TRUE(is_one_line_error(cli({"sweep", exp, "--param", "lr=1e-3", "--seeds", ""}),
                                {"--seeds: is empty; expected a whole number in [1, 10000]"}));
  EXPECT_TRUE(is_one_line_error(cli({"--threads", "", "list"}), {"--threads: is empty; expected a whole number in [0, 256]"}));
  EXPECT_TRUE(is_one_line_error(cli({"--threads", "99999999999999999999999", "list"}),
                                {"--threads: value 99999999999999999999999 is not a whole number in [0, 256]"}));
  EXPECT_TRUE(is_one_line_error(cli({"--threads", "-1", "list"}), {"--threads: value -1 is outside [0, 256]"}));
  EXPECT_TRUE(is_one_line_error(cli({"sweep", exp}), {"--param"}));
  EXPECT_FALSE(file_exists(d / "o"));
}

TEST(CliErrors, HelpAndVersionSucceed) {
  const CliResult help = cli({"--help"});
  EXPECT_EQ(help.status, 0);
  for (const char* sub : {"list", "run", "sweep", "render"}) EXPECT_NE(help.out.find(sub), std::string::npos) << sub;
  const CliResult version = cli({"--version"});
  EXPECT_EQ(version.status, 0);
  EXPECT_FALSE(version.out.empty());
  EXPECT_EQ(cli({"run", "--help"}).status, 0);
}

// [SECTION] valid but extreme experiments (tests/data/cli/edge/*.json)
//
// NaN or inf everywhere, a start that overflows, degenerate domains and colour scales, a
// 64-pixel figure with twelve runs, the largest lr for every optimizer, noise of 1e300,
// hyperparameters at the ends of their ranges: each runs (runs may diverge) and writes
// every file, and render reads the directory back. Run under ZOSCOPE_SANITIZE=ON these are
// the cases where a float-to-int conversion or an empty range would show.
TEST(CliRobustness, ExtremeExperimentsRunAndRender) {
  ScratchDir d;
  int n = 0;
  for (const auto& f : std::filesystem::directory_iterator(data_path("edge"))) {
    const std::string name = f.path().stem().string();
    SCOPED_TRACE(name);
    ++n;
    const CliResult r = cli({"run", f.path().string(), "--out", d / name});
    EXPECT_EQ(r.signal, 0);
    EXPECT_EQ(r.status, 0) << r.err;
    for (const char* file : {"runs.csv", "runs.jsonl", "summary.json", "figure.png", "figure.svg"})
      EXPECT_TRUE(file_exists(d / name + "/" + file)) << file;
    const CliResult re = cli({"render", d / name, "--png", d / name + "/re.png", "--svg", d / name + "/re.svg"});
    EXPECT_EQ(re.signal, 0);
    EXPECT_EQ(re.status, 0) << re.err;
    EXPECT_EQ(first_difference(file_text(d / name + "/figure.svg"), file_text(d / name + "/re.svg")), "")
        << "render reproduces the run's figure";
  }
  EXPECT_GE(n, 10);
}

// [SECTION] diverging runs: marked and stopped, the others go on

json run_summary(const ScratchDir& d, const std::string& exp) {
  const CliResult r = cli({"run", data_path(exp), "--out", d / "out"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.signal, 0);
  return json::parse(file_text(d / "out/summary.json"));
}

TEST(CliDivergence, BlowUpIsMarkedAndTheOtherRunsFinish) {
  ScratchDir d;
  const json s = run_summary(d, "diverge.json");
  ASSERT_EQ(s["runs"].size(), 4u);
  for (const auto& r : s["runs"]) {
    const std::string label = r["label"];
    SCOPED_TRACE(label);
    const bool huge_lr = label.find("lr 10") != std::string::npos;
    EXPECT_EQ(r["diverged"].get<bool>(), huge_lr);
    if (huge_lr) {
      EXPECT_GE(r["diverged_step"].get<int>(), 1);
      EXPECT_NE(r["diverge_reason"].get<std::string>().find("blew up"), std::string::npos);
      EXPECT_LT(r["steps"].get<int>(), 60) << "a diverged run stops";
    } else {
      EXPECT_EQ(r["steps"].get<int>(), 60);
      EXPECT_TRUE(r["final_loss"].is_number());
    }
  }
}

TEST(CliDivergence, NanIsMarkedAndTheOtherRunsFinish) {
  ScratchDir d;
  const json s = run_summary(d, "diverge_nan.json");
  ASSERT_EQ(s["runs"].size(), 3u);
  for (const auto& r : s["runs"]) {
    const bool sgd = r["optimizer"] == "sgd";
    EXPECT_EQ(r["diverged"].get<bool>(), sgd) << r["label"];
    if (sgd) {
      EXPECT_EQ(r["diverge_reason"].get<std::string>(), "loss is not finite");
      EXPECT_TRUE(r["final_loss"].is_null()) << "NaN is written as null in JSON";
    } else {
      EXPECT_EQ(r["steps"].get<int>(), 30);
    }
  }
  // The NaN row is kept in the CSV as "nan" (the point where the run left the domain).
  EXPECT_NE(file_text(d / "out/runs.csv").find(",nan,"), std::string::npos);
}

TEST(CliDivergence, NonFiniteStartMarksEveryRunAtStepZero) {
  ScratchDir d;
  const json s = run_summary(d, "pole.json");
  for (const auto& r : s["runs"]) {
    EXPECT_TRUE(r["diverged"].get<bool>()) << r["label"];
    EXPECT_EQ(r["diverged_step"].get<int>(), 0);
    EXPECT_EQ(r["steps"].get<int>(), 0);
  }
  for (const char* f : {"runs.csv", "runs.jsonl", "figure.png", "figure.svg"}) EXPECT_TRUE(file_exists(d / "out/" + f)) << f;
}

}  // namespace
}  // namespace zs::cli_test
