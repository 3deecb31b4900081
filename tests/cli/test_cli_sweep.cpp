// `zoscope-cli sweep`: the grid (log-spaced values x runs x seeds), its table and CSV, the
// same numbers as a plain `run`, independence of the worker count, run selectors
// ("AdaMeZO.lr", "1.lr") and one-line errors for bad --param specs.
#include <gtest/gtest.h>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>
#include "tests/cli/cli_util.h"

namespace zs::cli_test {
namespace {

// sweep.json: MeZO, AdaMeZO and "Adam, first order" (a label that needs CSV quoting).
const char* const kLabels[] = {"MeZO", "AdaMeZO", "Adam, first order"};

struct SweepRow {
  std::vector<double> values;  // one per --param
  int run = 0;
  std::string label;
  int seed = 0;
  std::string final_loss;  // as written
  long long fp_to_target = 0;
  int diverged = 0;
};

std::vector<SweepRow> read_sweep_csv(const std::string& path, size_t nparams, std::string* header = nullptr) {
  const auto lines = lines_of(file_text(path));
  EXPECT_FALSE(lines.empty()) << path;
  if (lines.empty()) return {};
  if (header) *header = lines[0];
  std::vector<SweepRow> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto f = csv_fields(lines[i]);
    EXPECT_EQ(f.size(), nparams + 6) << lines[i];
    if (f.size() != nparams + 6) continue;
    SweepRow r;
    for (size_t k = 0; k < nparams; ++k) r.values.push_back(std::stod(f[k]));
    r.run = std::stoi(f[nparams]);
    r.label = f[nparams + 1];
    r.seed = std::stoi(f[nparams + 2]);
    r.final_loss = f[nparams + 3];
    r.fp_to_target = std::stoll(f[nparams + 4]);
    r.diverged = std::stoi(f[nparams + 5]);
    rows.push_back(r);
  }
  return rows;
}

TEST(CliSweep, LogGridTimesRunsTimesSeeds) {
  ScratchDir d;
  const CliResult r =
      cli({"sweep", data_path("sweep.json"), "--param", "lr=1e-4:1e-2:log:3", "--seeds", "2", "--out", d / "sw"});
  ASSERT_EQ(r.status, 0) << r.err;

  // Table: header, rule, one row per (grid point, run) in that order, then the files.
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u + 3 * 3 + 3) << r.out;
  EXPECT_EQ(lines[0].rfind("lr ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("final loss (median)"), std::string::npos);
  const char* const values[] = {"0.0001", "0.001", "0.01"};
  for (int p = 0; p < 3; ++p)
    for (int k = 0; k < 3; ++k) {
      const std::string& row = lines[static_cast<size_t>(2 + 3 * p + k)];
      EXPECT_EQ(row.rfind(std::string(values[p]) + " ", 0), 0u) << row;
      EXPECT_NE(row.find(kLabels[k]), std::string::npos) << row;
      EXPECT_NE(row.find("/2"), std::string::npos) << "reached and diverged counts are out of 2 seeds: " << row;
    }
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[lines.size() - 3], "wrote " + d / "sw/sweep.csv");
  EXPECT_EQ(lines[lines.size() - 2], "wrote " + d / "sw/experiment.json");
  // The sweep's picture (final loss vs lr, one line per run, seeds as a band).
  EXPECT_EQ(lines.back(), "wrote " + d / "sw/sweep.png" + ", " + d / "sw/sweep.svg");
  EXPECT_GT(std::filesystem::file_size(d / "sw/sweep.png"), 1000u);
  EXPECT_GT(std::filesystem::file_size(d / "sw/sweep.svg"), 1000u);

  // CSV: points x runs x seeds rows, each combination once, values log-spaced.
  std::string header;
  const auto rows = read_sweep_csv(d / "sw/sweep.csv", 1, &header);
  EXPECT_EQ(header, "lr,run,label,seed,final_loss,fp_to_target,diverged");
  ASSERT_EQ(rows.size(), 3u * 3u * 2u);
  std::set<std::tuple<double, int, int>> seen;
  std::set<double> lrs;
  for (const auto& row : rows) {
    EXPECT_TRUE(seen.insert({row.values[0], row.run, row.seed}).second) << "duplicate row";
    EXPECT_EQ(row.label, kLabels[row.run]);
    lrs.insert(row.values[0]);
  }
  ASSERT_EQ(lrs.size(), 3u);
  const std::vector<double> v(lrs.begin(), lrs.end());
  EXPECT_NEAR(v[0], 1e-4, 1e-4 * 1e-12);
  EXPECT_NEAR(v[2], 1e-2, 1e-2 * 1e-12);
  EXPECT_NEAR(v[1] / v[0], 10.0, 1e-9);
  EXPECT_NEAR(v[2] / v[1], 10.0, 1e-9);
}

TEST(CliSweep, LinearGridAndLists) {
  ScratchDir d;
  ASSERT_EQ(cli({"sweep", data_path("sweep.json"), "--param", "lr=1e-3:3e-3:lin:3", "--out", d / "lin"}).status, 0);
  std::set<double> lrs;
  for (const auto& row : read_sweep_csv(d / "lin/sweep.csv", 1)) lrs.insert(row.values[0]);
  ASSERT_EQ(lrs.size(), 3u);
  const std::vector<double> v(lrs.begin(), lrs.end());
  EXPECT_NEAR(v[1] - v[0], 1e-3, 1e-15);
  EXPECT_NEAR(v[2] - v[1], 1e-3, 1e-15);

  // Two parameters: the grid is their product; "h" lands only on the run that declares it.
  const CliResult r = cli({"sweep", data_path("sweep.json"), "--param", "lr=1e-3,2e-3", "--param", "h=4,8", "--out", d / "two"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string header;
  EXPECT_EQ(read_sweep_csv(d / "two/sweep.csv", 2, &header).size(), 2u * 2u * 3u);
  EXPECT_EQ(header.rfind("lr,h,run,", 0), 0u) << header;
}

// Two swept parameters get heatmaps (issue 10, item 8): final loss and, with a target, FP
// to the target, one panel per run that a parameter applies to, PNG + SVG.
TEST(CliSweep, TwoParametersWriteHeatmaps) {
  ScratchDir d;
  const CliResult r = cli({"sweep", data_path("sweep.json"), "--param", "lr=1e-3:1e-1:log:3", "--param", "AdaMeZO.h=4,8",
                           "--seeds", "2", "--out", d / "two"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[lines.size() - 2], "wrote " + d / "two/sweep.png" + ", " + d / "two/sweep.svg");
  EXPECT_EQ(lines.back(), "wrote " + d / "two/sweep_fp.png" + ", " + d / "two/sweep_fp.svg");
  int w = 0, h = 0;
  ASSERT_TRUE(png_size(d / "two/sweep.png", w, h));
  EXPECT_EQ(w, 1600);
  EXPECT_EQ(h, 1000);
  const std::string svg = file_text(d / "two/sweep.svg");
  for (const char* t : {"final loss over lr x AdaMeZO.h", "MeZO (AdaMeZO.h does not apply)", "AdaMeZO", "x: diverged"})
    EXPECT_NE(svg.find(t), std::string::npos) << t;
  EXPECT_NE(file_text(d / "two/sweep_fp.svg").find("forward passes to loss 4.5"), std::string::npos);
}

// The sweep runs the same code as `run`: the cell with the experiment's own lr and seed 0
// has the final loss of the plain run, to the last bit.
TEST(CliSweep, CellsEqualPlainRuns) {
  ScratchDir d;
  ASSERT_EQ(cli({"sweep", data_path("sweep.json"), "--param", "MeZO.lr=1e-3", "--out", d / "sw"}).status, 0);
  ASSERT_EQ(cli({"run", data_path("sweep.json"), "--out", d / "run"}).status, 0);
  const auto summary = nlohmann::json::parse(file_text(d / "run/summary.json"));
  const auto rows = read_sweep_csv(d / "sw/sweep.csv", 1);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) {
    SCOPED_TRACE(row.label);
    EXPECT_EQ(std::stod(row.final_loss), summary["runs"][static_cast<size_t>(row.run)]["final_loss"].get<double>());
  }
}

TEST(CliSweep, WorkerCountDoesNotChangeResults) {
  ScratchDir d;
  const std::vector<std::string> args = {"sweep", data_path("sweep.json"), "--param", "lr=1e-4:1e-2:log:3", "--seeds", "2"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = args;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const CliResult one = cli(with({"--threads", "1", "--out", d / "t1"}));
  const CliResult two = cli(with({"--threads", "2", "--out", d / "t2"}));
  const CliResult all = cli(with({"--out", d / "t0"}));
  ASSERT_EQ(one.status, 0) << one.err;
  ASSERT_EQ(two.status, 0) << two.err;
  ASSERT_EQ(all.status, 0) << all.err;
  const std::string csv = file_text(d / "t1/sweep.csv");
  EXPECT_EQ(first_difference(csv, file_text(d / "t2/sweep.csv")), "");
  EXPECT_EQ(first_difference(csv, file_text(d / "t0/sweep.csv")), "");
  // Seeds matter for the ZO runs (different directions), not for deterministic Adam.
  const auto rows = read_sweep_csv(d / "t1/sweep.csv", 1);
  std::map<std::pair<double, int>, std::set<std::string>> per_cell;
  for (const auto& row : rows) per_cell[{row.values[0], row.run}].insert(row.final_loss);
  EXPECT_EQ((per_cell[{1e-4, 0}].size()), 2u) << "MeZO: seeds 0 and 1 give different runs";
  EXPECT_EQ((per_cell[{1e-4, 2}].size()), 1u) << "Adam ignores the direction seed";
}

TEST(CliSweep, SelectorTargetsOneRun) {
  ScratchDir d;
  const std::string exp = data_path("sweep.json");
  std::string by_label_header, by_index_header;
  ASSERT_EQ(cli({"sweep", exp, "--param", "AdaMeZO.lr=1e-4,1e-3", "--out", d / "label"}).status, 0);
  ASSERT_EQ(cli({"sweep", exp, "--param", "1.lr=1e-4,1e-3", "--out", d / "index"}).status, 0);
  const auto rows = read_sweep_csv(d / "label/sweep.csv", 1, &by_label_header);
  const auto rows_by_index = read_sweep_csv(d / "index/sweep.csv", 1, &by_index_header);
  EXPECT_EQ(by_label_header.rfind("AdaMeZO.lr,", 0), 0u) << by_label_header;
  EXPECT_EQ(by_index_header.rfind("1.lr,", 0), 0u) << by_index_header;
  ASSERT_EQ(rows.size(), 2u * 3u);
  ASSERT_EQ(rows_by_index.size(), rows.size());
  std::map<int, std::set<std::string>> losses;  // per run, over the two lr values
  for (size_t i = 0; i < rows.size(); ++i) {
    losses[rows[i].run].insert(rows[i].final_loss);
    EXPECT_EQ(rows[i].final_loss, rows_by_index[i].final_loss) << "label and index select the same run";
  }
  EXPECT_EQ(losses[0].size(), 1u) << "MeZO keeps its lr";
  EXPECT_EQ(losses[1].size(), 2u) << "AdaMeZO's lr is swept";
  EXPECT_EQ(losses[2].size(), 1u) << "Adam keeps its lr";
}

// "Adam, first order" needs quoting in the header (as a selector) and in the rows.
TEST(CliSweep, LabelsWithCommasAreQuoted) {
  ScratchDir d;
  const CliResult r = cli({"sweep", data_path("sweep.json"), "--param", "Adam, first order.lr=1e-2,2e-2", "--out", d / "q"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string header;
  const auto rows = read_sweep_csv(d / "q/sweep.csv", 1, &header);
  EXPECT_EQ(csv_fields(header).size(), 7u) << header;
  EXPECT_EQ(csv_fields(header)[0], "Adam, first order.lr");
  ASSERT_EQ(rows.size(), 2u * 3u);
  EXPECT_EQ(rows[2].label, "Adam, first order");
}

TEST(CliSweep, BadParamSpecsGiveOneLine) {
  const std::string exp = data_path("sweep.json");
  struct Case {
    const char* spec;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {"lr=1:2", {"--param lr=1:2", "a:b:log:n"}},
      {"lr=", {"--param lr=", "got \"\", an empty list"}},
      {"lr=1e-3,,1e-2", {"--param lr=1e-3,,1e-2", "got \"1e-3,,1e-2\": item 2 is empty"}},
      {"lr=1e-3,", {"--param lr=1e-3,", "item 2 is empty"}},
      {"lr=1e-3,x", {"--param lr=1e-3,x", "item 2, \"x\", is not a finite number"}},
      {"lr=1e-4::log:3", {"--param lr=1e-4::log:3", "item 2 is empty"}},
      {"lr=a:b:log:3", {"--param lr=a:b:log:3", "\"a\" is not a finite number"}},
      {"lr=-1:1:log:3", {"--param lr=-1:1:log:3", "log spacing needs a > 0"}},
      {"lr=1e-4:1e-2:log:0", {"n = \"0\"", "[1, 1000]"}},
      {"lr=1e-4:1e-2:log:3x", {"n = \"3x\""}},
      {"lr=1e-4:1e-2:cubic:3", {"--param lr=1e-4:1e-2:cubic:3", "a:b:lin:n"}},
      {"lr=nan,1e-3", {"item 1, \"nan\", is not a finite number"}},
      {"lr", {"--param lr", "NAME="}},
      {"=1,2", {"--param =1,2", "NAME="}},
      {"nosuch=1,2", {"--param nosuch", "no run of the experiment has this hyperparameter"}},
      {"lr=100,1e-3", {"--param lr", "value 100", "[1e-10, 10]"}},
      {"h=0.5", {"--param h", "value 0.5", "integer"}},
      {"Nobody.lr=1e-3", {"--param Nobody.lr", "no run is labelled or numbered \"Nobody\""}},
      {"7.lr=1e-3", {"--param 7.lr", "\"7\""}},
      {"Adam, first order.h=1,2", {"--param Adam, first order.h", "has no hyperparameter \"h\""}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.spec);
    EXPECT_TRUE(is_one_line_error(cli({"sweep", exp, "--param", c.spec}), c.expect));
  }
}

// A hyperparameter swept twice on one run (the table would list a value that never ran),
// a grid far beyond the time limit (it used to run for hours, its job count overflowing an
// int), a non-finite --target (silently ignored) and an empty --out (silently nothing
// written): one line each, before any work.
TEST(CliSweep, OverlappingHugeOrNonFiniteRequestsAreRefused) {
  const std::string exp = data_path("sweep.json");
  EXPECT_TRUE(is_one_line_error(cli({"sweep", exp, "--param", "lr=1e-3", "--param", "lr=1e-2"}),
                                {"--param lr: run \"MeZO\" already has \"lr\" swept by --param lr"}));
  EXPECT_TRUE(is_one_line_error(cli({"sweep", exp, "--param", "lr=1e-3,2e-3", "--param", "AdaMeZO.lr=1e-2"}),
                                {"--param AdaMeZO.lr: run \"AdaMeZO\" already has \"lr\" swept by --param lr"}));
  EXPECT_TRUE(is_one_line_error(
      cli({"sweep", exp, "--param", "lr=1e-4:1e-2:log:1000", "--param", "AdaMeZO.h=0:64:lin:65", "--seeds", "100"}),
      {"--param lr --param AdaMeZO.h --seeds 100: 6500000 runs of the experiment (grid points x seeds) take about ",
       "on one core (limit 10 min); use fewer values or seeds"}));
  for (const char* t : {"nan", "inf", "-inf", "1e999", "1x"})
    EXPECT_TRUE(is_one_line_error(cli({"sweep", exp, "--param", "lr=1e-3", "--target", t}),
                                  {std::string("--target: value ") + t + " is not a finite number"}));
  // "" was read as 0: the sweep ran with target 0 and exit status 0.
  EXPECT_TRUE(is_one_line_error(cli({"sweep", exp, "--param", "lr=1e-3", "--target", ""}),
                                {"--target: is empty; expected a finite number"}));
  EXPECT_TRUE(is_one_line_error(cli({"sweep", exp, "--param", "lr=1e-3", "--out", ""}), {"--out", "empty"}));
  // Within the limit a sweep of the same experiment runs.
  EXPECT_EQ(cli({"sweep", exp, "--param", "lr=1e-3,2e-3", "--param", "AdaMeZO.h=2,4", "--target", "4"}).status, 0);
}

}  // namespace
}  // namespace zs::cli_test
