// Hardening of the CLI (issue 12): run folders are one unit (render refuses a folder whose
// files come from two runs, or whose run did not finish), limits are checked before work
// starts (budgets whose rows cannot be held, grids of huge N-D landscapes, figures beyond
// memory), and strict JSON (duplicate keys) - each one line, exit status 2.
#include <gtest/gtest.h>
#include <cstdlib>
#include <filesystem>
#include <string>
#include "cli_util.h"

namespace zs::cli_test {
namespace {

std::string experiment(const std::string& landscape, const std::string& budget, const std::string& view = "{}") {
  return R"({"zoscope_experiment": 1, "landscape": )" + landscape + R"(, "budget": )" + budget +
         R"(, "runs": [{"optimizer": "mezo"}, {"optimizer": "adam"}], "view": )" + view +
         R"(, "export": {"width": 320, "height": 240}})";
}

TEST(CliHardening, RenderRefusesFoldersMixingTwoRuns) {
  ScratchDir d;
  file_put(d / "a.json", experiment(R"({"id": "rosenbrock"})", R"({"steps": 30})"));
  file_put(d / "b.json", experiment(R"({"id": "himmelblau"})", R"({"steps": 40})"));
  ASSERT_EQ(cli({"run", d / "a.json", "--out", d / "a"}).status, 0);
  ASSERT_EQ(cli({"run", d / "b.json", "--out", d / "b"}).status, 0);
  EXPECT_TRUE(file_exists(d / "a/manifest.json"));
  ASSERT_EQ(cli({"render", d / "a", "--png", d / "ok.png"}).status, 0) << "an intact folder renders";

  // b's trajectories beside a's experiment: same run count, so only the manifest tells.
  std::filesystem::copy_file(d / "b/runs.csv", d / "a/runs.csv", std::filesystem::copy_options::overwrite_existing);
  EXPECT_TRUE(is_one_line_error(cli({"render", d / "a", "--png", d / "x.png"}), {d / "a/runs.csv", "mixes files of two runs"}));
  // A new experiment.json beside the old rest (the issue's kill during an overwrite).
  std::filesystem::copy_file(d / "b/experiment.json", d / "a/experiment.json", std::filesystem::copy_options::overwrite_existing);
  EXPECT_TRUE(is_one_line_error(cli({"render", d / "a", "--png", d / "x.png"}), {"does not match experiment.json"}));
  EXPECT_FALSE(file_exists(d / "x.png"));
}

// A runs.csv cut short (a copy that stopped, a damaged disk) was named by the CSV reader
// ("not a zoscope runs.csv (unexpected header)", or a bad field), not as cut: the manifest
// is checked first now, with the sizes it lists.
TEST(CliHardening, RenderNamesACutFileWithItsSizes) {
  ScratchDir d;
  file_put(d / "a.json", experiment(R"({"id": "rosenbrock"})", R"({"steps": 30})"));
  ASSERT_EQ(cli({"run", d / "a.json", "--out", d / "a"}).status, 0);
  const std::string whole = file_text(d / "a/runs.csv");
  for (const size_t keep : {size_t{0}, size_t{100}, whole.size() / 2}) {
    SCOPED_TRACE(keep);
    file_put(d / "a/runs.csv", whole.substr(0, keep));
    EXPECT_TRUE(is_one_line_error(cli({"render", d / "a", "--png", d / "x.png"}),
                                  {d / "a/runs.csv: has " + std::to_string(keep) + " of the " + std::to_string(whole.size()) +
                                   " bytes the run wrote (manifest.json): cut short, or from another run"}));
  }
  file_put(d / "a/runs.csv", whole);
  EXPECT_EQ(cli({"render", d / "a", "--png", d / "x.png"}).status, 0);
}

TEST(CliHardening, RenderRefusesAFolderWhoseRunDidNotFinish) {
  ScratchDir d;
  file_put(d / "a.json", experiment(R"({"id": "rosenbrock"})", R"({"steps": 30})"));
  ASSERT_EQ(cli({"run", d / "a.json", "--out", d / "a"}).status, 0);
  std::filesystem::remove(d / "a/manifest.json");  // what a kill before the last write leaves
  EXPECT_TRUE(is_one_line_error(cli({"render", d / "a", "--png", d / "x.png"}), {d / "a/manifest.json", "did not finish"}));
  // Running again makes it whole.
  ASSERT_EQ(cli({"run", d / "a.json", "--out", d / "a"}).status, 0);
  EXPECT_EQ(cli({"render", d / "a", "--png", d / "x.png"}).status, 0);
}

TEST(CliHardening, LimitsAreCheckedBeforeWorkStarts) {
  ScratchDir d;
  file_put(d / "rows.json", experiment(R"({"id": "rosenbrock"})", R"({"steps": 100000000})"));
  EXPECT_TRUE(is_one_line_error(cli({"run", d / "rows.json", "--out", d / "o"}),
                                {d / "rows.json: budget: 2e+08 step rows over 2 run(s) need about ", "memory available"}));
  file_put(d / "grid.json", experiment(R"({"id": "quadratic_nd", "dim": 100000})", R"({"steps": 10})", R"({"grid": 4096})"));
  EXPECT_TRUE(is_one_line_error(cli({"run", d / "grid.json", "--out", d / "o"}),
                                {d / "grid.json: view.grid: a 4096x4096 grid of the 100000-D landscape takes about ",
                                 "lower view.grid or landscape.dim"}));
  EXPECT_TRUE(is_one_line_error(cli({"sweep", d / "grid.json", "--param", "lr=1e-3,1e-2"}), {"view.grid"}));
  EXPECT_FALSE(file_exists(d / "o/runs.csv")) << "nothing was run";

  file_put(d / "a.json", experiment(R"({"id": "rosenbrock"})", R"({"steps": 30})"));
  ASSERT_EQ(cli({"run", d / "a.json", "--out", d / "a"}).status, 0);
  ::setenv("ZOSCOPE_MEMORY_LIMIT", "1e9", 1);
  const CliResult big = cli({"render", d / "a", "--size", "16384x16384", "--png", d / "big.png"});
  const CliResult run_big = cli({"run", d / "a.json", "--out", d / "a2", "--size", "16384x16384"});
  ::unsetenv("ZOSCOPE_MEMORY_LIMIT");
  EXPECT_TRUE(is_one_line_error(big, {"figure 16384x16384: needs about 2.4 GB, more than the 1.0 GB of memory available"}));
  EXPECT_TRUE(is_one_line_error(run_big, {"figure 16384x16384"}));
  EXPECT_FALSE(file_exists(d / "big.png"));
}

TEST(CliHardening, DuplicateKeysAndHugeSeedsAreOneLine) {
  ScratchDir d;
  file_put(d / "dup.json", R"({"zoscope_experiment": 1, "landscape": {"id": "rosenbrock", "id": "himmelblau"},
                              "budget": {"steps": 5}, "runs": [{"optimizer": "mezo"}]})");
  EXPECT_TRUE(is_one_line_error(cli({"run", d / "dup.json", "--out", d / "o"}),
                                {d / "dup.json: landscape.id: appears twice (duplicate key"}));
  file_put(d / "seed.json", R"({"zoscope_experiment": 1, "landscape": {"id": "rosenbrock"}, "seed": 9007199254740993,
                               "budget": {"steps": 5}, "runs": [{"optimizer": "mezo"}]})");
  EXPECT_TRUE(is_one_line_error(cli({"run", d / "seed.json", "--out", d / "o"}), {d / "seed.json: seed: value 9007199254740993"}));
}

}  // namespace
}  // namespace zs::cli_test
