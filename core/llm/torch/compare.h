// The multi-seed comparison of `zoscope-cli finetune SPEC --seeds K [--target T]`: the
// question the MeZO / AdaMeZO / FZOO papers answer with tables of forward passes to a
// target. The CLI runs the spec once per seed (each run in its own process, as a plain
// `finetune`) into DIR/seed-<k>/; this file turns those folders into the comparison:
//   per run label (one optimizer at one set of hyperparameters): forward passes to reach the
//   target (first dev evaluation with accuracy >= T, or first step whose training loss,
//   averaged over the last 20 steps, is <= T), final training loss, dev and test accuracy,
//   optimizer state bytes and wall time, each as mean, sample standard deviation and range
//   over the seeds; FP to target also as a ratio to the first MeZO run's;
//   compare.csv (one row per run and seed, then the aggregates), table.txt, and a figure
//   (metric vs forward passes: mean line, min..max band per run; PNG + SVG through
//   core/export/figure.h).
// Seed k of a comparison uses spec.seed + k (directions, minibatch order) and
// data.seed + k (which reviews form train and dev), as MeZO's five train-set seeds do; the
// test split (test seed 0) is the same for every seed, so test accuracy compares like with
// like. The zero-shot row is the pretrained model evaluated without any step.
#pragma once
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include "core/llm/io/finetune_spec.h"
#include "core/llm/torch/finetune.h"

namespace zs {

struct CompareOptions {
  int seeds = 5;
  double target = NAN;                  // NaN: no FP-to-target column
  std::string metric = "dev_accuracy";  // or "train_loss" (what the target and figure use)
};

// Checks the options; errors name the flag (--seeds, --target, --target-metric).
void compare_options_check(const CompareOptions& o);

// The spec of seed k (header comment).
FinetuneSpec compare_seed_spec(const FinetuneSpec& spec, int k);

// Dev (test = false) or test accuracy of a model folder with, when run_dir is not empty,
// the final weights of a finished run (run_dir/final.safetensors) loaded over it.
double finetune_split_accuracy(const FinetuneSpec& spec, const std::string& model_dir, const std::string& run_dir,
                               bool test, int64_t max_examples = -1);

// One metric curve: values against forward passes.
struct MetricCurve {
  std::vector<double> fp, value;
};

// Parses finetune_curves_csv() text into one curve per run label: dev accuracy at the
// evaluations (metric "dev_accuracy") or the training loss averaged over the last 20 steps
// (metric "train_loss"). `start` (dev accuracy before any step) is put at FP 0 when finite.
std::vector<MetricCurve> compare_curves(const FinetuneSpec& spec, const std::string& curves_csv,
                                        const std::string& metric, double start = NAN);
// First FP at which the curve reaches the target (>= for accuracy, <= for loss); NaN if never.
double compare_fp_to_target(const MetricCurve& c, const std::string& metric, double target);

struct CompareRun {
  std::string label, optimizer;
  std::vector<FinetuneRunResult> results;  // per seed
  std::vector<double> test_accuracy;       // per seed
  std::vector<double> fp_to_target;        // per seed (NaN: not reached)
  std::vector<MetricCurve> curves;         // per seed
};

struct CompareReport {
  CompareOptions opt;
  std::vector<double> zero_shot_dev;  // per seed (the dev split changes with the data seed)
  double zero_shot_test = NAN;
  std::vector<CompareRun> runs;
};

// Zero-shot accuracies already measured. They are the pretrained model's, so they depend on
// the spec's model, task, data and seeds but not on its runs: the learning-rate sweep hands
// one memo to every factor's compare_collect and each is measured once (test split once,
// dev split once per seed index).
struct ZeroShotMemo {
  std::optional<double> test;
  std::map<size_t, double> dev;
};

// Collects the comparison from the seed folders (results.csv-equivalent results per seed,
// curves from the step logs, test accuracy of every final model). `memo` (may be null):
// zero-shot accuracies to reuse and to fill; only for specs that differ in their runs.
CompareReport compare_collect(const FinetuneSpec& spec, const std::string& model_dir,
                              const std::vector<std::string>& seed_dirs,
                              const std::vector<std::vector<FinetuneRunResult>>& results, const CompareOptions& opt,
                              const FinetuneLog& log = {}, ZeroShotMemo* memo = nullptr);

// Mean, sample standard deviation (0 for one value), min and max of the finite values.
struct Spread {
  double mean = NAN, sd = NAN, lo = NAN, hi = NAN;
  int n = 0;
};
Spread spread_of(const std::vector<double>& v);

std::string compare_table(const CompareReport& r);
std::string compare_csv(const CompareReport& r);
// Writes table.txt, compare.csv, compare.png and compare.svg into dir.
void compare_write(const CompareReport& r, const std::string& dir);

// The learning-rate sweep of `finetune SPEC --seeds K --lr-factors f1,f2,...`: every run's
// learning rate is tuned on its own grid, spec lr x f for each factor f (the papers tune
// each method on its own grid: MeZO paper, appendix "hyperparameters"; docs/findings.md),
// each grid point compared over the same K seeds into DIR/lr-x<f>/, and each run is then
// reported at its best factor: the highest mean final dev accuracy (metric dev_accuracy)
// or the lowest mean final training loss (train_loss); a grid point with a non-finite
// result on any seed (diverged) is never chosen. The test split is reported, never used.
struct LrSweep {
  std::vector<double> factors;         // as given, each > 0
  std::vector<CompareReport> reports;  // one per factor, runs in spec order
  std::vector<size_t> best;            // per run: the index of its best factor
};

// Checks the factors (--lr-factors: 1 to 20 values, each finite and > 0, no repeats).
void lr_factors_check(const std::vector<double>& factors);
// The spec with every run's "lr" multiplied by `factor` (re-checked against the optimizer's
// declared range; the error names the run, the value and the factor).
FinetuneSpec lr_scaled_spec(const FinetuneSpec& spec, double factor);
// Fills sweep.best from sweep.reports (rule above); a run with no usable factor gets the
// factor closest to 1 and is marked in the table.
void lr_sweep_choose(LrSweep& sweep);
// The comparison with each run at its best factor, labelled "<label> (lr <value>)".
CompareReport lr_sweep_best(const LrSweep& sweep, const FinetuneSpec& spec);
// One row per run and factor: lr, mean +- sd of the final metric and of FP to target,
// seeds that reached the target, and which factor was chosen.
std::string lr_sweep_table(const LrSweep& sweep, const FinetuneSpec& spec);
std::string lr_sweep_csv(const LrSweep& sweep, const FinetuneSpec& spec);

}  // namespace zs
