// The multi-seed comparison (core/llm/torch/compare.h): curves and forward passes to a
// target from a hand-written curves.csv, mean / sample sd / range, and the CLI's
// `finetune --seeds K --target T` on tiny-opt (seed folders with seed + k, the table with its
// zero-shot row and MeZO ratio, compare.csv rows, the figure files, FZOO on CPU tensors),
// plus the test split a plain `finetune` reports.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include "core/llm/io/finetune_spec.h"
#include "core/llm/torch/compare.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace {

namespace fs = std::filesystem;
const std::string kData = ZS_TEST_DATA;

zs::FinetuneSpec two_runs() {
  return zs::finetune_spec_parse(R"({"zoscope_finetune": 1, "model": "/m", "task": "sst2", "data": {"dir": "/d"}, "budget": {"steps": 4},
    "runs": [{"optimizer": "mezo", "label": "a"}, {"optimizer": "adam", "label": "b"}]})",
                                 "two.json");
}

TEST(CompareMath, CurvesTargetsAndSpread) {
  const zs::FinetuneSpec spec = two_runs();
  const std::string csv =
      "label,optimizer,step,forward_passes,train_loss,dev_accuracy\n"
      "a,mezo,1,2,0.9,\na,mezo,2,4,0.7,0.55\na,mezo,3,6,0.5,\na,mezo,4,8,0.3,0.70\n"
      "b,adam,1,1,0.6,0.60\nb,adam,2,2,0.2,0.80\nother,x,1,1,9,0.1\n";
  const auto acc = zs::compare_curves(spec, csv, "dev_accuracy", 0.5);
  ASSERT_EQ(acc.size(), 2u);
  EXPECT_EQ(acc[0].fp, (std::vector<double>{0, 4, 8}));
  EXPECT_EQ(acc[0].value, (std::vector<double>{0.5, 0.55, 0.70}));
  EXPECT_EQ(acc[1].fp, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(zs::compare_fp_to_target(acc[0], "dev_accuracy", 0.6), 8);
  EXPECT_EQ(zs::compare_fp_to_target(acc[1], "dev_accuracy", 0.6), 1);
  EXPECT_TRUE(std::isnan(zs::compare_fp_to_target(acc[0], "dev_accuracy", 0.9)));
  // Training loss: running mean of the step losses (window 20, so all of them here).
  const auto loss = zs::compare_curves(spec, csv, "train_loss");
  EXPECT_EQ(loss[0].fp, (std::vector<double>{2, 4, 6, 8}));
  EXPECT_NEAR(loss[0].value[3], (0.9 + 0.7 + 0.5 + 0.3) / 4, 1e-15);
  EXPECT_EQ(zs::compare_fp_to_target(loss[0], "train_loss", 0.71), 6);  // means 0.9, 0.8, 0.7, 0.6
  const zs::Spread s = zs::spread_of({1.0, NAN, 3.0, 2.0});
  EXPECT_EQ(s.n, 3);
  EXPECT_DOUBLE_EQ(s.mean, 2.0);
  EXPECT_DOUBLE_EQ(s.sd, 1.0);
  EXPECT_EQ(s.lo, 1.0);
  EXPECT_EQ(s.hi, 3.0);
  EXPECT_EQ(zs::spread_of({NAN}).n, 0);
  // Seed k: seed + k and data.seed + k.
  const zs::FinetuneSpec s2 = zs::compare_seed_spec(spec, 2);
  EXPECT_EQ(s2.seed, spec.seed + 2);
  EXPECT_EQ(s2.data_seed, spec.data_seed + 2);
  // Bad options name the flag.
  zs::CompareOptions o;
  o.metric = "accuracy";
  EXPECT_THROW(zs::compare_options_check(o), zs::Error);
  o.metric = "dev_accuracy";
  o.target = 1.5;
  try {
    zs::compare_options_check(o);
    ADD_FAILURE() << "no error";
  } catch (const zs::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--target"), std::string::npos) << e.what();
  }
}

// The learning-rate sweep's choice: per run the factor with the best mean final metric,
// never one with a diverged seed; labels carry the chosen lr.
TEST(CompareMath, LrSweepChoosesEachRunsBestUsableFactor) {
  const zs::FinetuneSpec spec = two_runs();
  const double lr_a = spec.runs[0].hp.at("lr"), lr_b = spec.runs[1].hp.at("lr");
  const zs::FinetuneSpec s3 = zs::lr_scaled_spec(spec, 3);
  EXPECT_DOUBLE_EQ(s3.runs[0].hp.at("lr"), 3 * lr_a);
  EXPECT_DOUBLE_EQ(s3.runs[1].hp.at("lr"), 3 * lr_b);
  EXPECT_EQ(s3.runs[0].hp.at("eps"), spec.runs[0].hp.at("eps")) << "only the learning rate moves";
  zs::FinetuneSpec one = spec;
  one.runs[0].hp["lr"] = 1e-4;
  EXPECT_EQ(zs::lr_scaled_spec(one, 3).runs[0].hp.at("lr"), 3e-4) << "the grid point as typed, not 3.0000000000000003e-4";
  // dev accuracy per factor (rows) and run (columns), two seeds each; NaN = diverged.
  const double dev[3][2][2] = {{{0.60, 0.62}, {0.70, 0.72}}, {{0.66, 0.64}, {NAN, 0.99}}, {{0.63, 0.63}, {0.50, 0.52}}};
  zs::LrSweep sw;
  sw.factors = {0.5, 1, 2};
  for (int f = 0; f < 3; ++f) {
    zs::CompareReport r;
    r.zero_shot_dev = {0.5, 0.5};
    for (int i = 0; i < 2; ++i) {
      zs::CompareRun c;
      c.label = spec.runs[static_cast<size_t>(i)].label;
      c.optimizer = spec.runs[static_cast<size_t>(i)].optimizer;
      for (int k = 0; k < 2; ++k) {
        zs::FinetuneRunResult x;
        x.dev_accuracy = dev[f][i][k];
        x.final_train_loss = std::isnan(dev[f][i][k]) ? NAN : 0.5;
        c.results.push_back(x);
        c.test_accuracy.push_back(0.5);
        c.fp_to_target.push_back(NAN);
      }
      r.runs.push_back(c);
    }
    sw.reports.push_back(r);
  }
  zs::lr_sweep_choose(sw);
  EXPECT_EQ(sw.best, (std::vector<size_t>{1, 0})) << "a: 0.65 at x1 beats 0.63 and 0.61; b: x1 diverged on a seed";
  const zs::CompareReport best = zs::lr_sweep_best(sw, spec);
  EXPECT_EQ(best.runs[0].label, "a (lr " + zs::fmt_double(lr_a) + ")");
  EXPECT_EQ(best.runs[1].label, "b (lr " + zs::fmt_double(0.5 * lr_b) + ")");
  EXPECT_DOUBLE_EQ(best.runs[1].results[0].dev_accuracy, 0.70);
  const std::string table = zs::lr_sweep_table(sw, spec);
  EXPECT_NE(table.find("diverged"), std::string::npos) << table;
  EXPECT_EQ(std::count(table.begin(), table.end(), '*'), 3) << table;  // two marks + the legend's
  // Bad factors and a grid point outside an optimizer's range are one line naming the flag.
  EXPECT_THROW(zs::lr_factors_check({}), zs::Error);
  EXPECT_THROW(zs::lr_factors_check({1, -2}), zs::Error);
  EXPECT_THROW(zs::lr_factors_check({2, 2}), zs::Error);
  try {
    (void)zs::lr_scaled_spec(spec, 1e30);
    ADD_FAILURE() << "no error";
  } catch (const zs::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--lr-factors"), std::string::npos) << e.what();
  }
}

int sh(const std::string& cmd) {
  const int s = std::system(cmd.c_str());
  return WIFEXITED(s) ? WEXITSTATUS(s) : -1;
}

int count_prefix(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) n += line.rfind(prefix, 0) == 0;
  return n;
}

int count_substr(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

// A fresh folder `tmp` holding spec.json: tiny-opt on the SST-2 files (train 4, dev 2,
// test 2, batch 3) with the fields `rest` ("budget", "runs", ...); returns its path.
std::string tiny_spec_in(const fs::path& tmp, const std::string& rest) {
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  const std::string spec = (tmp / "spec.json").string();
  zs::atomic_write(spec, R"({"zoscope_finetune": 1, "model": ")" + kData + R"(/fixtures/tiny-opt", "tokenizer": ")" + kData +
                             R"(/tokenizers/opt-style", "task": "sst2", "data": {"dir": ")" + kData +
                             R"(/tasks/sst2", "train": 4, "dev": 2, "test": 2}, "batch_size": 3, )" + rest + "}");
  return spec;
}

TEST(CompareCli, SeedsTargetTableCsvAndFigure) {
  const fs::path tmp = fs::path(::testing::TempDir()) / ("zs_cmp_" + std::to_string(::getpid()));
  const std::string spec = tiny_spec_in(tmp, R"("seed": 5, "budget": {"forward_passes": 12}, "eval_every": 2, "runs": [
      {"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}, "label": "m"},
      {"optimizer": "fzoo", "hyperparameters": {"lr": 1e-4, "N": 3}, "label": "f"}])");
  const std::string cli = std::string(ZS_BINARY_ROOT) + "/app/cli/zoscope-cli";
  const std::string out = (tmp / "out").string();
  ASSERT_EQ(sh(cli + " finetune " + spec + " --out " + out + " --seeds 2 --target 0.5 > " + out + ".txt 2>&1"), 0)
      << zs::read_file(out + ".txt");
  // Seed folders are plain run folders of spec seed + k, data seed + k.
  for (int k = 0; k < 2; ++k) {
    const zs::FinetuneSpec sk = zs::finetune_spec_load(out + "/seed-" + std::to_string(k) + "/spec.json");
    EXPECT_EQ(sk.seed, 5u + static_cast<uint64_t>(k));
    EXPECT_EQ(sk.data_seed, static_cast<uint64_t>(k));
    EXPECT_TRUE(fs::exists(out + "/seed-" + std::to_string(k) + "/runs/f/final.safetensors"));
  }
  const std::string table = zs::read_file(out + "/table.txt");
  EXPECT_NE(table.find("zero-shot"), std::string::npos) << table;
  EXPECT_NE(table.find("fp_to_target (dev_accuracy >= 0.5)"), std::string::npos) << table;
  EXPECT_NE(table.find("vs_mezo"), std::string::npos) << table;
  EXPECT_NE(table.find("test_accuracy"), std::string::npos) << table;
  EXPECT_NE(zs::read_file(out + ".txt").find(table), std::string::npos) << "the table is printed";
  const std::string csv = zs::read_file(out + "/compare.csv");
  EXPECT_EQ(count_prefix(csv, "zero-shot,"), 2) << csv;
  EXPECT_EQ(count_prefix(csv, "m,mezo,"), 4) << csv;  // 2 seeds + mean + sd
  EXPECT_EQ(count_prefix(csv, "f,fzoo,"), 4) << csv;
  EXPECT_EQ(count_prefix(csv, "f,fzoo,0,"), 1) << csv;
  // FZOO: N + 1 = 4 FP per step, so 3 steps in 12 FP.
  EXPECT_NE(csv.find("f,fzoo,mean,"), std::string::npos);
  EXPECT_EQ(zs::finetune_result_read(out + "/seed-0/runs/f/result.json").steps, 3);
  const std::string png = zs::read_file(out + "/compare.png"), svg = zs::read_file(out + "/compare.svg");
  EXPECT_EQ(png.substr(1, 3), "PNG");
  EXPECT_NE(svg.find("<polygon"), std::string::npos) << "spread bands";
  EXPECT_NE(svg.find("forward passes"), std::string::npos);
  // A plain run reports the test split once at the end.
  const std::string plain = (tmp / "plain").string();
  ASSERT_EQ(sh(cli + " finetune " + spec + " --out " + plain + " > " + plain + ".txt 2>&1"), 0) << zs::read_file(plain + ".txt");
  const std::string test = zs::read_file(plain + "/test.txt");
  EXPECT_EQ(test.rfind("test accuracy (2 examples): zero-shot ", 0), 0u) << test;
  EXPECT_NE(test.find(", m "), std::string::npos) << test;
  EXPECT_NE(test.find(", f "), std::string::npos) << test;
  // Bad flags are one line naming the flag.
  EXPECT_NE(sh(cli + " finetune " + spec + " --out " + out + "2 --seeds 2 --target-metric acc > " + out + "2.txt 2>&1"), 0);
  EXPECT_NE(zs::read_file(out + "2.txt").find("--target-metric"), std::string::npos) << zs::read_file(out + "2.txt");
  // The learning-rate sweep: one comparison per factor, each run reported at the factor
  // whose final dev accuracy (read back from the run folders here) is highest.
  const std::string sweep = (tmp / "sweep").string();
  ASSERT_EQ(sh(cli + " finetune " + spec + " --out " + sweep + " --lr-factors 0.5,4 > " + sweep + ".txt 2>&1"), 0)
      << zs::read_file(sweep + ".txt");
  // The pretrained model's accuracies are measured for the first factor only.
  EXPECT_EQ(count_substr(zs::read_file(sweep + ".txt"), "zero-shot accuracies: measured once, reused"), 1)
      << zs::read_file(sweep + ".txt");
  const std::string sweep_table = zs::read_file(sweep + "/lr_sweep.txt");
  EXPECT_NE(zs::read_file(sweep + ".txt").find(sweep_table), std::string::npos) << "the sweep table is printed";
  const std::string best_table = zs::read_file(sweep + "/table.txt");
  for (const std::string label : {"m", "f"}) {
    double dev[2];
    const char* factors[2] = {"0.5", "4"};
    for (int f = 0; f < 2; ++f) {
      const std::string dir = sweep + "/lr-x" + factors[f];
      const zs::FinetuneSpec sf = zs::finetune_spec_load(dir + "/seed-0/spec.json");
      const zs::FinetuneSpec s0 = zs::finetune_spec_load(spec);
      const size_t i = label == "m" ? 0 : 1;
      EXPECT_DOUBLE_EQ(sf.runs[i].hp.at("lr"), std::stod(factors[f]) * s0.runs[i].hp.at("lr"));
      dev[f] = zs::finetune_result_read(dir + "/seed-0/runs/" + label + "/result.json").dev_accuracy;
    }
    const int chosen = dev[1] > dev[0] ? 1 : 0;
    const zs::FinetuneSpec s0 = zs::finetune_spec_load(spec);
    const double lr = std::stod(factors[chosen]) * s0.runs[label == "m" ? 0 : 1].hp.at("lr");
    EXPECT_NE(best_table.find(label + " (lr " + zs::fmt_double(lr) + ")"), std::string::npos) << best_table;
  }
  EXPECT_TRUE(fs::exists(sweep + "/compare.svg"));
  EXPECT_EQ(count_prefix(zs::read_file(sweep + "/lr_sweep.csv"), "m,mezo,"), 2);
  EXPECT_NE(sh(cli + " finetune " + spec + " --out " + sweep + "2 --lr-factors 0,1 > " + sweep + "2.txt 2>&1"), 0);
  EXPECT_NE(zs::read_file(sweep + "2.txt").find("--lr-factors"), std::string::npos) << zs::read_file(sweep + "2.txt");
  fs::remove_all(tmp);
}

// The comparison's flags where they cannot apply were ignored: --seeds 0 or -1, --target
// or --target-metric without --seeds ran a plain fine-tune, --target nan ran the
// comparison without a target; an empty --lr-factors list or item was read as 0 (or
// dropped); landscape's --runs '' was ignored. Each is one line naming the flag (and the
// text given), before any run.
TEST(CompareCli, FlagsThatCannotApplyAreRefused) {
  const fs::path tmp = fs::path(::testing::TempDir()) / ("zs_cmpf_" + std::to_string(::getpid()));
  const std::string spec = tiny_spec_in(tmp, R"("budget": {"steps": 2}, "runs": [{"optimizer": "mezo"}])");
  const std::string cli = std::string(ZS_BINARY_ROOT) + "/app/cli/zoscope-cli";
  const std::string out = (tmp / "out").string(), log = out + ".txt";
  // {command, its flags} and the line it must print.
  const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases = {
      {{"finetune", "--seeds 0"}, "--seeds: value 0 is outside [1, 100]"},
      {{"finetune", "--seeds -1"}, "--seeds: value -1 is outside [1, 100]"},
      {{"finetune", "--target 0.5"}, "--target: only with --seeds or --lr-factors (the comparison over seeds)"},
      {{"finetune", "--target-metric train_loss"}, "--target-metric: only with --seeds or --lr-factors (the comparison over seeds)"},
      {{"finetune", "--seeds 2 --target nan"}, "--target: value nan is not a finite number (see --help)"},
      // CLI11 read "" as 0: "--seeds: value 0 is outside [1, 100]", "--target: value 0 is not a dev accuracy".
      {{"finetune", "--seeds ''"}, "--seeds: is empty; expected a whole number (see --help)"},
      {{"finetune", "--seeds 2.5"}, "--seeds: value 2.5 is not a whole number (see --help)"},
      {{"finetune", "--seeds 2 --target ''"}, "--target: is empty; expected a finite number (see --help)"},
      // CLI11 read "" as 0 and "1,,2" as 1,2: "--lr-factors: value 0 is not a finite number > 0", a sweep of 2.
      {{"finetune", "--lr-factors ''"}, "--lr-factors: got \"\", an empty list; expected items separated by ','"},
      {{"finetune", "--lr-factors 1,,2"}, "--lr-factors: got \"1,,2\": item 2 is empty; expected items separated by ','"},
      {{"finetune", "--lr-factors 1,"}, "--lr-factors: got \"1,\": item 2 is empty; expected items separated by ','"},
      {{"finetune", "--lr-factors 1,x"}, "--lr-factors: got \"1,x\": item 2, \"x\", is not a finite number"},
      {{"finetune", "--lr-factors 1,inf"}, "--lr-factors: got \"1,inf\": item 2, \"inf\", is not a finite number"},
      // CLI11 printed DBL_MAX in full for --plane-seed -1 and "Could not convert" for 1e30.
      {{"landscape", "--plane-seed -1"}, "--plane-seed: value -1 is outside [0, 18446744073709551615] (see --help)"},
      {{"landscape", "--plane-seed 1e30"}, "--plane-seed: value 1e30 is not a whole number in [0, 18446744073709551615] (see --help)"},
      {{"landscape", "--plane-seed ''"}, "--plane-seed: is empty; expected a whole number in [0, 18446744073709551615] (see --help)"},
      {{"landscape", "--grid 2.5"}, "--grid: value 2.5 is not a whole number in [3, 81] (see --help)"},
      {{"landscape", "--examples 0"}, "--examples: value 0 is outside [1, 100000] (see --help)"},
      {{"landscape", "--nproc ''"}, "--nproc: is empty; expected a whole number in [1, 4096] (see --help)"},
      // --runs '' was taken as not given (the first two runs).
      {{"landscape", "--plane runs --runs ''"}, "--runs: got \"\", an empty list; expected items separated by ','"},
      {{"landscape", "--plane runs --runs 1,"}, "--runs: got \"1,\": item 2 is empty; expected items separated by ','"},
  };
  for (const auto& [cmd, want] : cases) {
    const auto& [command, args] = cmd;
    EXPECT_EQ(sh(cli + " " + command + " " + spec + " --out " + out + " " + args + " > " + log + " 2>&1"), 2) << args;
    EXPECT_EQ(zs::read_file(log), "zoscope-cli: error: " + want + "\n") << args;
    EXPECT_FALSE(fs::exists(out + "/runs")) << args << ": no run started";
  }
  fs::remove_all(tmp);
}

}  // namespace
