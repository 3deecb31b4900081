// Live language-model runs (core/llm/torch/live.h) and the rows of LLM steps
// (core/llm/torch/llm_rows.h) on tiny-opt + the SST-2 test files:
//  - live runs produce the same rows as the batch driver (one step loop): losses, FP and
//    dev metrics equal, bit for bit;
//  - a hyperparameter change restarts that run only and keeps its earlier curve;
//  - plane coordinates accumulated in the engine's passes equal the projection of the
//    final weights computed from the weights themselves;
//  - the loss plane is complete and finite; bad model folders give one line;
//  - plane (b) through two runs' endpoints puts both endpoints at their Gram-Schmidt
//    coordinates, and projections replayed from a step log equal the projections of the
//    weights saved while the run went (zeroth order: loss replay; first order: recomputed);
//  - a run followed from another process's folder is replayed onto the plane while its log
//    grows, point for point as RunReplay projects the same log.
//  - no snapshot after a change says the old configuration's "done"; a plane's grid is never
//    published under the other plane's name; a raised budget (steps or forward passes)
//    continues the runs bit for bit as runs started with it; the bf16 / fp16 plane
//    resolution bound.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include "core/llm/io/finetune_spec.h"
#include "core/llm/torch/finetune.h"
#include "core/llm/torch/finetune_setup.h"
#include "core/llm/torch/live.h"
#include "core/llm/torch/llm_rows.h"
#include "core/llm/torch/plane.h"
#include "core/llm/torch/tensor_io.h"
#include "core/llm/torch/task_torch.h"
#include "core/llm/torch/zo_engine.h"
#include "core/opt/optimizer.h"
#include "core/rng/philox_bulk.h"
#include "core/run/step_log.h"
#include "core/run/stepper.h"
#include "core/util/atomic_file.h"
#include "core/run/vec_engine.h"
#include "core/util/error.h"
#include "tests/core/poly_landscape.h"

namespace {

namespace fs = std::filesystem;
const std::string kData = ZS_TEST_DATA;

zs::FinetuneSpec spec_of(const std::string& runs, const std::string& model = kData + "/fixtures/tiny-opt") {
  const std::string text = R"({"zoscope_finetune": 1, "model": ")" + model + R"(", "tokenizer": ")" + kData +
                           R"(/tokenizers/opt-style", "task": "sst2", "data": {"dir": ")" + kData +
                           R"(/tasks/sst2", "train": 4, "dev": 2, "test": 1}, "batch_size": 3, "seed": 5,
      "budget": {"steps": 12}, "checkpoint_every": 0, "eval_every": 4, "runs": )" + runs + "}";
  return zs::finetune_spec_parse(text, "live.json");
}

const char* kTwo = R"([{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}},
  {"optimizer": "adam", "hyperparameters": {"lr": 1e-3}}])";

zs::LiveConfig config_of(const zs::FinetuneSpec& spec) {
  zs::LiveConfig c;
  c.spec = spec;
  c.plane_coarse = 3;
  c.plane_fine = 5;
  c.plane_examples = 4;
  return c;
}

// Configures `live`, waits until everything is finished and returns the snapshot (phase
// "done" asserted by the caller's ASSERT on the returned phase).
zs::LiveSnapshot finished_snapshot(zs::LiveTrainer& live, const zs::LiveConfig& c) {
  live.configure(c);
  zs::LiveSnapshot s;
  if (!live.wait_finished(300)) s.phase = "timeout";
  else live.poll(s);
  return s;
}

// A fine-tune folder as `zoscope-cli finetune --out` leaves it: spec.json and every run of
// `spec` by the batch driver (one thread) in runs/<label>; per run its logged loss
// evaluations and its displacement theta_end - theta_0 (double, block order).
struct FinetuneFolder {
  fs::path dir;
  std::vector<std::vector<std::vector<double>>> logs;  // [run][step] loss evaluations
  std::vector<std::vector<at::Tensor>> u;              // [run][block]
  FinetuneFolder(const zs::FinetuneSpec& spec, const std::string& name)
      : dir(fs::path(::testing::TempDir()) / (name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(dir);
    zs::make_dirs(dir.string());
    zs::atomic_write((dir / "spec.json").string(), zs::finetune_spec_to_json(spec));
    zs::CausalLM model = zs::finetune_load_model(spec, spec.model);
    for (size_t i = 0; i < spec.runs.size(); ++i) {
      zs::FinetuneRunOptions o;
      o.threads = 1;
      const std::string rd = (dir / "runs" / spec.runs[i].label).string();
      EXPECT_TRUE(zs::finetune_run(spec, i, spec.model, rd, o).completed);
      logs.emplace_back();
      for (const zs::StepLogRecord& r : zs::step_log_read(rd + "/steps.log"))
        if (r.kind == 'S') logs.back().push_back(r.losses);
      const auto fin = zs::load_tensors(rd + "/final.safetensors", c10::Device(c10::DeviceType::CPU));
      u.emplace_back();
      for (const zs::Block& b : model.blocks()) u.back().push_back(fin.at(b.name).to(at::kDouble) - b.tensor.to(at::kDouble));
    }
  }
  ~FinetuneFolder() { fs::remove_all(dir); }
};

// Plane (b) through runs a and b: e1 = u_a / |u_a|, e2 = (u_b - <u_b, e1> e1) / |.|, so
// A = (|u_a|, 0), B = (<u_b, e1>, |u_b perp|); and a tolerance for float rounding of fp32
// directions and sums.
std::array<double, 5> endpoint_coords(const std::vector<at::Tensor>& ua, const std::vector<at::Tensor>& ub) {
  double aa = 0, ab = 0, bb = 0;
  for (size_t k = 0; k < ua.size(); ++k) {
    aa += (ua[k] * ua[k]).sum().item<double>();
    ab += (ua[k] * ub[k]).sum().item<double>();
    bb += (ub[k] * ub[k]).sum().item<double>();
  }
  const double na = std::sqrt(aa), c1 = ab / na, c2 = std::sqrt(bb - c1 * c1);
  return {na, 0, c1, c2, 1e-5 * (na + std::sqrt(bb))};
}

TEST(LiveTrainer, RowsEqualTheBatchDriversAndThePlaneFills) {
  const zs::FinetuneSpec spec = spec_of(kTwo);
  zs::LiveTrainer live;
  const zs::LiveSnapshot s = finished_snapshot(live, config_of(spec));
  ASSERT_EQ(s.phase, "done") << s.error;
  ASSERT_EQ(s.runs.size(), 2u);

  const fs::path dir = fs::path(::testing::TempDir()) / ("zs_live_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  for (size_t i = 0; i < spec.runs.size(); ++i) {
    zs::FinetuneRunOptions o;
    o.threads = 1;  // as the live worker (LiveConfig::threads): the same reduction order
    const zs::FinetuneRunResult r = zs::finetune_run(spec, i, spec.model, (dir / "runs" / spec.runs[i].label).string(), o);
    ASSERT_TRUE(r.completed);
  }
  const std::vector<zs::RunRecord> batch = zs::finetune_records(spec, dir.string());
  ASSERT_EQ(batch.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const zs::RunRecord& a = s.runs[i];
    const zs::RunRecord& b = batch[i];
    EXPECT_EQ(s.info[i].state, zs::LiveRunState::Done) << s.info[i].message;
    ASSERT_EQ(a.rows.size(), 13u);
    ASSERT_EQ(b.rows.size(), 13u);
    for (size_t k = 1; k < a.rows.size(); ++k) {
      EXPECT_EQ(a.rows[k].step, b.rows[k].step);
      EXPECT_EQ(a.rows[k].fp, b.rows[k].fp);
      EXPECT_EQ(a.rows[k].loss, b.rows[k].loss) << a.label << " step " << k;
      EXPECT_EQ(a.rows[k].update_norm, b.rows[k].update_norm) << a.label << " step " << k;
      EXPECT_GT(a.rows[k].update_norm, 0);
      EXPECT_TRUE(std::isfinite(a.rows[k].x) && std::isfinite(a.rows[k].y));
      EXPECT_EQ(std::isfinite(a.rows[k].dev_metric), k % 4 == 0) << k;
      if (k % 4 == 0) {
        EXPECT_EQ(a.rows[k].dev_metric, b.rows[k].dev_metric);
      }
    }
    EXPECT_GT(a.rows.back().path_length, 0);
  }
  // Batch runs write the landscapes' record format: runs.csv gets a dev_metric column.
  EXPECT_NE(zs::records_to_csv(batch).find(",dev_metric\n"), std::string::npos);
  fs::remove_all(dir);

  // The plane: the fine grid, every node finite, covering every trajectory.
  ASSERT_EQ(s.plane.nx, 5);
  for (float v : s.plane.v) EXPECT_TRUE(std::isfinite(v));
  for (const zs::RunRecord& r : s.runs)
    for (const zs::StepRow& row : r.rows) {
      EXPECT_LE(std::fabs(row.x), s.plane_domain[1]);
      EXPECT_LE(std::fabs(row.y), s.plane_domain[3]);
    }
}

TEST(LiveTrainer, ASliderChangeRestartsThatRunOnly) {
  zs::FinetuneSpec spec = spec_of(kTwo);
  zs::LiveTrainer live;
  live.configure(config_of(spec));
  ASSERT_TRUE(live.wait_finished(300));
  zs::LiveSnapshot before;
  ASSERT_TRUE(live.poll(before));
  spec.runs[0].hp["lr"] = 2e-3;
  live.configure(config_of(spec));
  ASSERT_TRUE(live.wait_finished(300));
  zs::LiveSnapshot after;
  ASSERT_TRUE(live.poll(after));
  ASSERT_EQ(after.runs.size(), 2u);
  // Run 0 restarted: its earlier curve is kept, its new one differs after step 1.
  ASSERT_EQ(after.previous[0].rows.size(), before.runs[0].rows.size());
  EXPECT_EQ(after.previous[0].rows.back().loss, before.runs[0].rows.back().loss);
  EXPECT_NE(after.runs[0].rows.back().loss, before.runs[0].rows.back().loss);
  EXPECT_EQ(after.runs[0].hp.at("lr"), 2e-3);
  // Run 1 untouched.
  EXPECT_TRUE(after.previous[1].rows.empty());
  ASSERT_EQ(after.runs[1].rows.size(), before.runs[1].rows.size());
  for (size_t k = 0; k < after.runs[1].rows.size(); ++k) EXPECT_EQ(after.runs[1].rows[k].loss, before.runs[1].rows[k].loss);
}

// A setting change after every run finished: no snapshot after configure() says "done"
// until the new configuration has finished (the first poll returned the old "done", so the
// app was idle, and "done" stayed while the restarted run trained). Snapshots carry the
// configuration's generation and what the plane's loss is measured on.
TEST(LiveTrainer, NoSnapshotAfterAChangeSaysTheOldDone) {
  zs::LiveTrainer live;
  zs::LiveConfig c = config_of(spec_of(kTwo));
  zs::LiveSnapshot s = finished_snapshot(live, c);
  ASSERT_EQ(s.phase, "done");
  EXPECT_EQ(s.generation, 1u);
  EXPECT_EQ(s.plane_measure, "loss on the first 4 training examples (fixed); the curves: each step's minibatch of 3");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the idle worker publishes again, unpolled
  c.spec.runs[0].hp["lr"] = 2e-3;
  const uint64_t g = live.configure(c);
  EXPECT_EQ(g, 2u);
  ASSERT_TRUE(live.poll(s));
  EXPECT_NE(s.phase, "done");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  int snapshots = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (!live.poll(s)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    ++snapshots;
    if (s.phase != "done") continue;
    EXPECT_EQ(s.generation, g);
    ASSERT_EQ(s.previous.size(), 2u);
    EXPECT_EQ(s.previous[0].rows.size(), 13u) << "\"done\" before run 0 restarted";
    ASSERT_EQ(s.runs.size(), 2u);
    EXPECT_EQ(s.runs[0].rows.size(), 13u) << "\"done\" while run 0 trains, snapshot " << snapshots;
    break;
  }
  EXPECT_EQ(s.phase, "done");
}

// The plane's name (plane_kind), grid and domain are published together: no snapshot
// shows a grid under the other plane's name (the trainer named the new plane before
// measuring it and published the old grid under it), in either direction: plane (b) once
// every run has finished, the random plane when a run restarts.
TEST(LiveTrainer, APlanesGridIsNeverPublishedUnderTheOtherPlanesName) {
  zs::LiveTrainer live;
  zs::LiveConfig c = config_of(spec_of(kTwo));
  c.plane = "runs";
  std::vector<std::pair<std::string, std::vector<float>>> seen;  // (kind, grid) of each snapshot with a grid
  const auto drain = [&](bool restarted) {
    zs::LiveSnapshot s;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(300);
    while (std::chrono::steady_clock::now() < until) {
      if (!live.poll(s)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      if (s.plane.nx > 0) {
        seen.push_back({s.plane_kind, s.plane.v});
        EXPECT_EQ(s.plane.domain[0], s.plane_domain[0]);
      }
      // Done, and with run 0's restart in (its earlier curve kept) when there was one.
      if (s.phase == "done" && (!restarted || (s.previous.size() == 2 && s.previous[0].rows.size() > 1))) return s;
    }
    return s;
  };
  live.configure(c);
  zs::LiveSnapshot s = drain(false);
  ASSERT_EQ(s.phase, "done");
  ASSERT_EQ(s.plane_kind, "runs");
  c.spec.runs[0].hp["lr"] = 2e-3;  // run 0 restarts: back to the random plane, then (b) again
  live.configure(c);
  s = drain(true);
  ASSERT_EQ(s.phase, "done");
  EXPECT_EQ(s.plane_kind, "runs");
  for (size_t i = 0; i < seen.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (seen[i].second == seen[j].second) {
        EXPECT_EQ(seen[i].first, seen[j].first) << "snapshot " << i << " shows snapshot " << j << "'s grid";
      }
}

// A trainer that ran `before` to the end, then `after` (a budget change), and a fresh trainer
// that ran `after`: their last snapshots; phases asserted by the caller.
std::pair<zs::LiveSnapshot, zs::LiveSnapshot> continued_and_fresh(const zs::FinetuneSpec& before, const zs::FinetuneSpec& after,
                                                                  zs::LiveTrainer& live) {
  zs::LiveSnapshot s = finished_snapshot(live, config_of(before));
  if (s.phase != "done") return {s, s};
  s = finished_snapshot(live, config_of(after));
  zs::LiveTrainer fresh;
  return {s, finished_snapshot(fresh, config_of(after))};
}

// Run i's rows equal the reference's bit for bit: losses, forward passes, plane points and
// evaluations.
void expect_same_rows(const zs::RunRecord& got, const zs::RunRecord& ref) {
  const auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
  ASSERT_EQ(got.rows.size(), ref.rows.size());
  for (size_t k = 0; k < ref.rows.size(); ++k) {
    const zs::StepRow &a = got.rows[k], &b = ref.rows[k];
    EXPECT_TRUE(same(a.loss, b.loss)) << "step " << k << ": " << a.loss << " vs " << b.loss;
    EXPECT_EQ(a.fp, b.fp) << "step " << k;
    EXPECT_TRUE(same(a.x, b.x) && same(a.y, b.y)) << "step " << k;
    EXPECT_TRUE(same(a.dev_metric, b.dev_metric)) << "step " << k;
  }
}

// Raising the budget continues the runs where they are (no restart, no `previous`): bit
// for bit the runs a trainer started with the larger budget gives, rows, plane points and
// evaluations included. A budget below a run's steps restarts it; an optimizer that
// schedules over the run's length (ZO-AdaMU) restarts on any budget change.
TEST(LiveTrainer, ARaisedBudgetContinuesTheRunsAsIfStartedWithIt) {
  const char* runs = R"([{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}},
    {"optimizer": "adam", "hyperparameters": {"lr": 1e-3}},
    {"optimizer": "zo_adamu", "hyperparameters": {"lr": 1e-3}}])";
  zs::FinetuneSpec before = spec_of(runs), after = before;
  before.steps = 6;
  after.steps = 12;
  zs::LiveTrainer live;
  const auto [s, ref] = continued_and_fresh(before, after, live);
  ASSERT_EQ(s.phase, "done");
  ASSERT_EQ(ref.phase, "done");
  ASSERT_EQ(s.runs.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE("run " + std::to_string(i));
    if (i < 2) {
      EXPECT_TRUE(s.previous[i].rows.empty()) << "restarted instead of continued";
    } else {
      EXPECT_EQ(s.previous[i].rows.size(), 7u) << "ZO-AdaMU's schedule needs the run's length: restarted";
    }
    EXPECT_EQ(s.runs[i].rows.size(), 13u);
    expect_same_rows(s.runs[i], ref.runs[i]);
  }
  // Below the steps done: restarted, to the new budget.
  after.steps = 9;
  const zs::LiveSnapshot lower = finished_snapshot(live, config_of(after));
  ASSERT_EQ(lower.phase, "done");
  EXPECT_EQ(lower.previous[0].rows.size(), 13u);
  EXPECT_EQ(lower.runs[0].rows.size(), 10u);
}

// The same in forward passes: MeZO (2 per step) and Adam (1 per step) continued from 12 to
// 24 forward passes equal runs started with 24.
TEST(LiveTrainer, ARaisedForwardPassBudgetContinuesTheRunsAsIfStartedWithIt) {
  zs::FinetuneSpec before = spec_of(kTwo);
  before.steps = -1;
  before.forward_passes = 12;
  zs::FinetuneSpec after = before;
  after.forward_passes = 24;
  zs::LiveTrainer live;
  const auto [s, ref] = continued_and_fresh(before, after, live);
  ASSERT_EQ(s.phase, "done");
  ASSERT_EQ(ref.phase, "done");
  ASSERT_EQ(s.runs.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE("run " + std::to_string(i));
    EXPECT_TRUE(s.previous[i].rows.empty()) << "restarted instead of continued";
    EXPECT_EQ(s.runs[i].rows.back().fp, 24);
    expect_same_rows(s.runs[i], ref.runs[i]);
  }
}

// budget_continues names exactly the optimizers whose steps depend on the run's length
// (RunContext::total_steps): every catalogued optimizer, reset with a length of 30 and of
// 3000, takes 20 steps on a quadratic with quartic terms (schedules made to move within
// them: "t1" at 0, "steps_per_epoch" at 1; with each choice of "schedule"); the iterates
// and forward passes are equal exactly for the optimizers it lets continue.
TEST(LiveTrainer, BudgetContinuesNamesTheOptimizersThatReadTheRunsLength) {
  Eigen::MatrixXd A = Eigen::MatrixXd::Identity(6, 6);
  A(0, 1) = A(1, 0) = 0.3;
  const zs_test::PolyLandscape f(A, 0.1);
  const Eigen::VectorXd x0 = Eigen::VectorXd::LinSpaced(6, -1, 1);
  ASSERT_GT(zs::optimizer_catalog().size(), 10u);
  for (const zs::OptimizerInfo& info : zs::optimizer_catalog()) {
    for (int form = 0; form < 2; ++form) {
    zs::ParamValues hp;
    for (const auto& d : info.params) {
      if (d.name == "t1") hp["t1"] = 0;
      if (d.name == "steps_per_epoch") hp["steps_per_epoch"] = 1;
      if (d.name == "schedule") hp["schedule"] = form;
    }
    if (form == 1 && !hp.count("schedule")) continue;
    const auto run = [&](int64_t total) {
      auto opt = zs::optimizer_create(info.id, hp, info.id);
      zs::VecEngine e(f, x0);
      opt->reset(e, zs::RunContext{7, total});
      for (int t = 0; t < 20; ++t) {
        e.begin_step(t);
        opt->step(e, t);
      }
      opt->settle(e);
      return std::make_pair(Eigen::VectorXd(e.x()), e.forward_passes());
    };
    const auto a = run(30), b = run(3000);
    const bool same = a.first == b.first && a.second == b.second;
    EXPECT_EQ(same, zs::budget_continues(info.id, hp)) << info.id << ", schedule " << form;
    }
  }
}

// A grid finer than the dtype resolves is rounding noise (plane_resolution_note's bound):
// along a filter-normalised direction (|d| ~ |w|) a step below 2^-8 leaves most bf16
// weights as they were, a step above it moves most of them; fp16's bound is 2^-11.
TEST(LivePlane, ResolutionNoteMatchesWhatBf16Rounds) {
  at::manual_seed(3);
  const at::Tensor w = at::randn({4096}, at::kFloat).to(at::kBFloat16);
  const at::Tensor d = w.to(at::kFloat) * (1 + 0.1 * at::randn({4096}));  // scaled to the weights, as plane (a)
  const auto moved = [&](double step) {
    const at::Tensor m = (w.to(at::kFloat) + step * d).to(at::kBFloat16);
    return (m != w).to(at::kFloat).mean().item<double>();
  };
  EXPECT_LT(moved(1e-4), 0.1);
  EXPECT_GT(moved(4 * std::ldexp(1.0, -8)), 0.5);
  EXPECT_NE(zs::plane_resolution_note("bf16", 1e-4), "");
  EXPECT_EQ(zs::plane_resolution_note("bf16", 1e-2), "");
  EXPECT_NE(zs::plane_resolution_note("fp16", 1e-4), "");
  EXPECT_EQ(zs::plane_resolution_note("fp16", 1e-3), "");
  EXPECT_EQ(zs::plane_resolution_note("fp32", 1e-4), "");
}

// The live trainer (the app's Language model scene) runs finetune's preflight when it loads:
// a spec beyond memory is one line in the panel, not a process the kernel kills (the app
// with a batch of 2^20 grew to 22 GB). ZOSCOPE_MEMORY_LIMIT makes the tiny model too big.
TEST(LiveTrainer, SpecBeyondMemoryIsOneLine) {
  ::setenv("ZOSCOPE_MEMORY_LIMIT", "1e5", 1);
  zs::LiveTrainer live;
  live.configure(config_of(spec_of(kTwo)));
  const bool finished = live.wait_finished(120);
  ::unsetenv("ZOSCOPE_MEMORY_LIMIT");
  ASSERT_TRUE(finished);
  zs::LiveSnapshot s;
  ASSERT_TRUE(live.poll(s));
  EXPECT_EQ(s.phase, "error");
  EXPECT_NE(s.error.find("more than the 100.0 kB of memory available"), std::string::npos) << s.error;
  EXPECT_EQ(s.error.find('\n'), std::string::npos);
}

TEST(LiveTrainer, BadModelFolderIsOneLine) {
  zs::LiveTrainer live;
  live.configure(config_of(spec_of(kTwo, "/nonexistent/zoscope-model")));
  ASSERT_TRUE(live.wait_finished(60));
  zs::LiveSnapshot s;
  ASSERT_TRUE(live.poll(s));
  EXPECT_EQ(s.phase, "error");
  EXPECT_NE(s.error.find("/nonexistent/zoscope-model"), std::string::npos) << s.error;
  EXPECT_EQ(s.error.find('\n'), std::string::npos);
  EXPECT_EQ(s.error.find("frame #"), std::string::npos);
}

// Runs `zoscope-cli landscape` on the two-run spec with `args`; its exit status, output in `log`.
int landscape_cli(const fs::path& dir, const std::string& args, std::string& log) {
  fs::create_directories(dir);
  const std::string spec = (dir / "spec.json").string();
  zs::atomic_write(spec, zs::finetune_spec_to_json(spec_of(kTwo)));
  const std::string cli = std::string(ZS_BINARY_ROOT) + "/app/cli/zoscope-cli";
  const std::string cmd = cli + " landscape " + spec + " --out " + (dir / "out").string() + " " + args + " > " +
                          (dir / "log.txt").string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  log = zs::read_file((dir / "log.txt").string());
  return rc;
}

// What `landscape --grid 5` wrote: plane.csv with 25 nodes, the figure, and the runs.
std::vector<zs::RunRecord> landscape_outputs(const fs::path& dir) {
  const std::string plane = zs::read_file((dir / "out/plane.csv").string());
  EXPECT_EQ(plane.rfind("a,b,loss\n", 0), 0u);
  EXPECT_EQ(std::count(plane.begin(), plane.end(), '\n'), 1 + 25);
  EXPECT_GT(fs::file_size(dir / "out/figure.png"), 1000u);
  EXPECT_GT(fs::file_size(dir / "out/figure.svg"), 1000u);
  return zs::records_from_csv(zs::read_file((dir / "out/runs.csv").string()), "runs.csv");
}

TEST(LlmLandscapeCli, WritesThePlaneRunsAndFigure) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("zs_ls_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string log;
  ASSERT_EQ(landscape_cli(dir, "--grid 5", log), 0) << log;
  const std::vector<zs::RunRecord> runs = landscape_outputs(dir);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].rows.size(), 13u);
  EXPECT_TRUE(std::isfinite(runs[0].rows.back().x));
  // The figure names the plane's axes and colour bar as the app does (not x / y).
  const std::string svg = zs::read_file((dir / "out/figure.svg").string());
  for (const char* name : {"random direction 1 (filter-normalised)", "random direction 2", ">loss<"})
    EXPECT_NE(svg.find(name), std::string::npos) << name;
  fs::remove_all(dir);
}

// --plane runs: the grid of the plane through both runs' endpoints; a bad --runs is one line.
TEST(LlmLandscapeCli, RunsPlaneThroughTwoRunsEndpoints) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("zs_lsb_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const zs::FinetuneSpec spec = spec_of(kTwo);
  std::string log;
  ASSERT_EQ(landscape_cli(dir, "--grid 5 --plane runs --runs " + spec.runs[1].label + ",1", log), 0) << log;
  EXPECT_NE(log.find("through the final weights of " + spec.runs[1].label + " and " + spec.runs[0].label), std::string::npos)
      << log;
  const std::vector<zs::RunRecord> runs = landscape_outputs(dir);
  ASSERT_EQ(runs.size(), 2u);
  // A (the second run) ends on the first axis: (|u_A|, 0).
  EXPECT_GT(runs[1].rows.back().x, 0);
  EXPECT_NEAR(runs[1].rows.back().y, 0, 1e-5 * runs[1].rows.back().x);
  const std::string svg = zs::read_file((dir / "out/figure.svg").string());
  EXPECT_NE(svg.find("toward " + spec.runs[1].label + "&apos;s endpoint"), std::string::npos);

  EXPECT_NE(landscape_cli(dir, "--grid 5 --plane runs --runs 1,nope", log), 0);
  EXPECT_NE(log.find("no run \"nope\""), std::string::npos) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  // A negative --plane-seed wrapped to 2^64 - 1 silently; an empty --out named no flag.
  EXPECT_NE(landscape_cli(dir, "--plane-seed -1", log), 0);
  EXPECT_EQ(log.rfind("zoscope-cli: error: --plane-seed:", 0), 0u) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  fs::remove_all(dir);
}

// landscape ran no preflight: a batch far beyond memory trained until the kernel killed it
// (22 GB resident, signal 9). It gets finetune's checks now: one line, before training.
// (ulimit -v: should it regress, it fails here instead of taking the machine's memory.)
TEST(LlmLandscapeCli, BatchBeyondMemoryIsRefusedBeforeTraining) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("zs_lsm_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  zs::FinetuneSpec spec = spec_of(kTwo);
  spec.batch_size = 1048576;
  const std::string path = (dir / "spec.json").string();
  zs::atomic_write(path, zs::finetune_spec_to_json(spec));
  const std::string cmd = "ulimit -v 8000000; ZOSCOPE_MEMORY_LIMIT=2e9 " + std::string(ZS_BINARY_ROOT) +
                          "/app/cli/zoscope-cli landscape " + path + " --out " + (dir / "out").string() +
                          " --grid 3 > " + (dir / "log.txt").string() + " 2>&1";
  const int st = std::system(cmd.c_str());
  const std::string log = zs::read_file((dir / "log.txt").string());
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 2) << log;
  EXPECT_EQ(log.rfind("zoscope-cli: error: " + path + ": batch_size: 1048576 x 2 candidate rows", 0), 0u) << log;
  EXPECT_NE(log.find("more than the 2.0 GB of memory available"), std::string::npos) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  fs::remove_all(dir);
}

TEST(LlmRows, PlanePointsFromThePassesEqualTheProjectionOfTheWeights) {
  const zs::FinetuneSpec spec = spec_of(R"([{"optimizer": "mezo", "hyperparameters": {"lr": 1e-2}}])");
  zs::CausalLM model = zs::finetune_load_model(spec, spec.model);
  const zs::FinetuneData data = zs::finetune_load_data(spec, spec.model, model.config());
  const std::vector<zs::Block> blocks = model.blocks();
  std::vector<at::Tensor> init, dir[2];
  double g[3] = {0, 0, 0};
  for (size_t b = 0; b < blocks.size(); ++b) {
    init.push_back(blocks[b].tensor.detach().clone());
    for (int k = 0; k < 2; ++k) {
      at::Tensor d;
      zs::plot_row_scale(blocks[b].tensor, 7, k, b, &d);
      dir[k].push_back(d.to(at::kDouble));
    }
    g[0] += dir[0][b].pow(2).sum().item<double>();
    g[1] += (dir[0][b] * dir[1][b]).sum().item<double>();
    g[2] += dir[1][b].pow(2).sum().item<double>();
  }
  zs::TensorBatch batch;
  zs::TensorEngineOptions teo;
  teo.plot_stats = true;
  teo.plot_seed = 7;
  zs::TensorEngine engine(blocks, [&] { return zs::task_loss(model, batch); }, teo);
  const auto opt = zs::optimizer_create("mezo", spec.runs[0].hp, "test", true);
  zs::Stepper stepper(*opt, engine, zs::finetune_budget(spec), spec.seed);
  struct Obs : zs::StepObserver {
    zs::LlmRowStats stats;
    zs::TensorEngine* e = nullptr;
    zs::TensorBatch* batch = nullptr;
    const zs::EncodedSet* train = nullptr;
    void before_step(int64_t t) override {
      *batch = zs::batch_to_device(zs::train_batch(*train, t, 3, 5), c10::Device(c10::DeviceType::CPU));
    }
    void fill_row(const zs::StepInfo& si, zs::StepRow& row) override { stats.fill(*e, si, row); }
  } obs;
  obs.stats.set_plane(g[0], g[1], g[2]);
  obs.e = &engine;
  obs.batch = &batch;
  obs.train = &data.train;
  zs::StepRow last;
  while (!stepper.exhausted()) {
    last = zs::StepRow{};
    stepper.step(last, obs);
  }
  stepper.settle();
  // The projection of theta_T - theta_0 computed from the weights, in double.
  double d0 = 0, d1 = 0;
  for (size_t b = 0; b < blocks.size(); ++b) {
    const at::Tensor delta = blocks[b].tensor.to(at::kDouble) - init[b].to(at::kDouble);
    d0 += (delta * dir[0][b]).sum().item<double>();
    d1 += (delta * dir[1][b]).sum().item<double>();
  }
  const double det = g[0] * g[2] - g[1] * g[1];
  const double x = (g[2] * d0 - g[1] * d1) / det, y = (-g[1] * d0 + g[0] * d1) / det;
  ASSERT_GT(std::fabs(x) + std::fabs(y), 0);
  // float32 weights and passes: agreement to float rounding of the accumulated updates.
  const double scale = std::fabs(x) + std::fabs(y);
  EXPECT_NEAR(last.x, x, 2e-4 * scale);
  EXPECT_NEAR(last.y, y, 2e-4 * scale);
}

// A run stepped here as the live worker steps it (fused passes unless asked otherwise),
// so references can be computed from its weights between steps. `extra(t)` runs in
// before_step after the minibatch of step t is chosen.
struct ManualRun : zs::StepObserver {
  zs::CausalLM model;
  std::vector<zs::Block> blocks;
  std::unique_ptr<zs::Optimizer> opt;
  const zs::EncodedSet& train;
  const zs::FinetuneSpec& spec;
  zs::TensorBatch batch;
  std::vector<double> losses;  // the last step's loss evaluations
  std::unique_ptr<zs::TensorEngine> engine;
  std::unique_ptr<zs::Stepper> stepper;
  std::function<void(int64_t)> extra;
  ManualRun(const zs::FinetuneSpec& s, size_t run, const zs::EncodedSet& tr, bool fuse = true)
      : model(zs::finetune_load_model(s, s.model)), blocks(model.blocks()),
        opt(zs::optimizer_create(s.runs[run].optimizer, s.runs[run].hp, "test", true)), train(tr), spec(s) {
    if (first_order()) model.set_autograd(true);
    zs::TensorEngineOptions teo;
    teo.fuse = fuse;
    engine = std::make_unique<zs::TensorEngine>(blocks, [this] {
      const double l = zs::task_loss(model, batch);
      losses.push_back(l);
      return l;
    }, teo);
    engine->set_loss_grad([this] { return loss_grad(); });
    stepper = std::make_unique<zs::Stepper>(*opt, *engine, zs::finetune_budget(spec), spec.seed);
  }
  bool first_order() const { return opt->info().family == "fo"; }
  double loss_grad() {
    const at::Tensor l = zs::task_loss_tensor(model, batch);
    l.backward();
    return l.item<double>();
  }
  // The autograd gradient on the current batch, in double (grads cleared after).
  std::vector<at::Tensor> gradient() {
    const bool fo = first_order();
    model.set_autograd(true);
    loss_grad();
    std::vector<at::Tensor> g;
    for (const zs::Block& b : blocks) {
      g.push_back(b.tensor.grad().detach().to(at::kDouble).clone());
      b.tensor.mutable_grad() = at::Tensor();
    }
    model.set_autograd(fo);
    return g;
  }
  void select(int64_t t) {
    batch = zs::batch_to_device(zs::train_batch(train, t, spec.batch_size, spec.seed), c10::Device(c10::DeviceType::CPU));
  }
  void before_step(int64_t t) override {
    select(t);
    if (extra) extra(t);
  }
  void fill_row(const zs::StepInfo&, zs::StepRow&) override {}
  zs::StepInfo step(zs::StepRow& row) {
    losses.clear();
    return stepper->step(row, *this);
  }
};

// Plane (b): both runs' final weights (the batch driver's final.safetensors, equal to the
// live runs' bit for bit: RowsEqualTheBatchDrivers...) sit at their Gram-Schmidt
// coordinates, computed here in double from the saved weights.
TEST(LiveTrainer, RunsPlanePutsBothEndpointsAtTheirCoordinates) {
  const zs::FinetuneSpec spec = spec_of(kTwo);
  zs::LiveConfig c = config_of(spec);
  c.plane = "runs";
  zs::LiveTrainer live;
  zs::LiveSnapshot s = finished_snapshot(live, c);
  ASSERT_EQ(s.phase, "done") << s.error;
  ASSERT_EQ(s.plane_kind, "runs") << s.plane_status;
  ASSERT_EQ(s.plane.nx, 5);
  for (float v : s.plane.v) EXPECT_TRUE(std::isfinite(v));

  const FinetuneFolder folder(spec, "zs_live_b");
  const std::array<double, 5> e = endpoint_coords(folder.u[0], folder.u[1]);
  const double na = e[0], c1 = e[2], c2 = e[3], tol = e[4];
  const double want[4] = {na, 0, c1, c2};
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(s.plane_ends[k], want[k], tol) << k;
  EXPECT_NEAR(s.runs[0].rows.back().x, na, tol);
  EXPECT_NEAR(s.runs[0].rows.back().y, 0, tol);
  EXPECT_NEAR(s.runs[1].rows.back().x, c1, tol);
  EXPECT_NEAR(s.runs[1].rows.back().y, c2, tol);
  // Every step has a point, the start at theta_0, all inside the grid.
  for (const zs::RunRecord& r : s.runs) {
    EXPECT_EQ(r.rows[0].x, 0);
    EXPECT_EQ(r.rows[0].y, 0);
    for (const zs::StepRow& row : r.rows) {
      ASSERT_TRUE(std::isfinite(row.x) && std::isfinite(row.y));
      EXPECT_GE(row.x, s.plane_domain[0]);
      EXPECT_LE(row.x, s.plane_domain[1]);
      EXPECT_GE(row.y, s.plane_domain[2]);
      EXPECT_LE(row.y, s.plane_domain[3]);
    }
  }

  // Back to the random plane: its coordinates and grid again.
  c.plane = "random";
  s = finished_snapshot(live, c);
  ASSERT_EQ(s.phase, "done") << s.error;
  EXPECT_EQ(s.plane_kind, "random");
  EXPECT_TRUE(std::isnan(s.plane_ends[0]));
  EXPECT_NE(s.runs[0].rows.back().x, na);

  // The same run twice spans no plane: one line, the random plane stays.
  c.plane = "runs";
  c.plane_runs[1] = 0;
  s = finished_snapshot(live, c);
  ASSERT_EQ(s.phase, "done") << s.error;
  EXPECT_EQ(s.plane_kind, "random");
  EXPECT_NE(s.plane_status.find("choose two different runs"), std::string::npos) << s.plane_status;
}

// ZO-SGD-Cons moves by perturbation passes while it tries its three points; the accepted
// move is then applied as an update from the step's start (docs/optimizers.md
// "ZO-SGD-Cons"), so its rows measure it like any other run's: the final point sits at the
// saved weights' coordinates on the runs plane, the update norm is positive exactly on the
// steps that moved, with alpha = lr, and a step that keeps x reports no update (not the
// previous step's).
TEST(LiveTrainer, ZoConsRowsMeasureTheAcceptedMoves) {
  const double lr = 3e-4;
  const zs::FinetuneSpec spec = spec_of(R"([{"optimizer": "zo_sgd_cons", "hyperparameters": {"lr": 3e-4}},
    {"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}}])");
  zs::LiveConfig c = config_of(spec);
  c.plane = "runs";
  zs::LiveTrainer live;
  const zs::LiveSnapshot s = finished_snapshot(live, c);
  ASSERT_EQ(s.phase, "done") << s.error;
  ASSERT_EQ(s.plane_kind, "runs") << s.plane_status;
  const FinetuneFolder folder(spec, "zs_live_cons");
  const std::array<double, 5> e = endpoint_coords(folder.u[0], folder.u[1]);
  ASSERT_GT(e[0], 0) << "ZO-SGD-Cons never moved: no test";
  EXPECT_NEAR(s.runs[0].rows.back().x, e[0], e[4]);
  EXPECT_NEAR(s.runs[0].rows.back().y, 0, e[4]);
  int moved = 0, kept = 0;
  for (size_t k = 1; k < s.runs[0].rows.size(); ++k) {
    const zs::StepRow& row = s.runs[0].rows[k];
    const zs::StepRow& prev = s.runs[0].rows[k - 1];
    if (row.update_norm > 0) {
      ++moved;
      // The histogram's bin centre: within a sixth of a decade of lr.
      EXPECT_NEAR(std::log10(row.alpha_median), std::log10(lr), 1.0 / 6 + 1e-9) << "step " << row.step;
      EXPECT_EQ(row.alpha_min, row.alpha_max) << "step " << row.step;
    } else {
      ++kept;
      EXPECT_EQ(row.update_norm, 0) << "step " << row.step;
      EXPECT_TRUE(std::isnan(row.alpha_median)) << "step " << row.step;
      EXPECT_EQ(row.x, prev.x) << "step " << row.step;
      EXPECT_EQ(row.y, prev.y) << "step " << row.step;
    }
  }
  EXPECT_GT(moved, 0);
  EXPECT_GT(s.runs[0].rows.back().path_length, 0);
  std::printf("ZO-SGD-Cons: %d steps moved, %d kept x\n", moved, kept);
}

// Projections reconstructed from the step log (RunReplay: zeroth order by loss replay,
// first order recomputed) equal the projections of the weights saved after every step.
TEST(RunReplay, ProjectionsFromTheStepLogEqualThoseOfTheSavedWeights) {
  const zs::FinetuneSpec spec = spec_of(R"([{"optimizer": "mezo", "hyperparameters": {"lr": 1e-2}},
    {"optimizer": "adam", "hyperparameters": {"lr": 1e-3}}])");
  const zs::FinetuneData data = zs::finetune_load_data(spec, spec.model, zs::model_config_load(spec.model));
  const c10::Device cpu(c10::DeviceType::CPU);
  std::vector<std::vector<zs::LoggedStep>> logs(2);
  std::vector<std::vector<std::vector<at::Tensor>>> saved(2);  // [run][step][block]
  std::vector<at::Tensor> init;
  for (size_t i = 0; i < 2; ++i) {
    // A settle after every step (as at evaluations) so the saved weights are the iterate.
    ManualRun run(spec, i, data.train);
    if (init.empty())
      for (const zs::Block& b : run.blocks) init.push_back(b.tensor.detach().clone());
    while (!run.stepper->exhausted()) {
      zs::StepRow row;
      run.step(row);
      run.stepper->settle();
      logs[i].push_back({run.losses});
      saved[i].emplace_back();
      for (const zs::Block& b : run.blocks) saved[i].back().push_back(b.tensor.detach().clone());
    }
  }
  ASSERT_EQ(logs[0].size(), 12u);
  EXPECT_EQ(logs[0][0].losses.size(), 2u);  // MeZO: l+ and l-

  zs::LossPlane plane(spec, spec.model, data.train, 0, 2);
  plane.use_runs_plane(saved[0].back(), saved[1].back());
  for (size_t i = 0; i < 2; ++i) {
    zs::CausalLM& m = plane.model();
    zs::TensorBatch batch;
    zs::RunReplay replay(spec, spec.runs[i], m.blocks(), init, logs[i], [&] { return zs::task_loss(m, batch); },
                         [&] {
                           const at::Tensor l = zs::task_loss_tensor(m, batch);
                           l.backward();
                           return l.item<double>();
                         },
                         [&](int64_t t) { batch = zs::batch_to_device(zs::train_batch(data.train, t, spec.batch_size, spec.seed), cpu); });
    m.set_autograd(replay.first_order());
    EXPECT_EQ(replay.first_order(), i == 1);
    for (size_t t = 0; t < logs[i].size(); ++t) {
      replay.step();
      const std::array<double, 2> got = plane.project(replay.weights()), want = plane.project(saved[i][t]);
      const double scale = std::fabs(want[0]) + std::fabs(want[1]) + 1e-12;
      EXPECT_NEAR(got[0], want[0], 1e-4 * scale) << spec.runs[i].optimizer << " step " << t + 1;
      EXPECT_NEAR(got[1], want[1], 1e-4 * scale) << spec.runs[i].optimizer << " step " << t + 1;
    }
    EXPECT_TRUE(replay.done());
    m.set_autograd(false);
  }

  // A log of another run (one loss short) is refused, not silently recomputed.
  std::vector<zs::LoggedStep> bad = logs[0];
  bad[3].losses.pop_back();
  zs::RunReplay replay(spec, spec.runs[0], plane.model().blocks(), init, bad, [] { return 0.0; }, [] { return 0.0; },
                       [](int64_t) {});
  EXPECT_THROW(
      {
        for (int k = 0; k < 5; ++k) replay.step();
      },
      zs::Error);
}

// The per-tensor view's statistics from the update pass against a reference computed
// here from the weights and autograd: RMS update = sqrt(mean (theta_t - theta_{t-1})^2)
// per tensor; mean step size = lr for MeZO, and for Adam's first step
// mean_i lr / (|g_i| + delta) (v_hat = g^2 after one step; Kingma & Ba 2015, Alg. 1).
TEST(LlmRows, PerTensorStatisticsEqualACpuReference) {
  const zs::FinetuneSpec spec = spec_of(R"([{"optimizer": "mezo", "hyperparameters": {"lr": 1e-2}},
    {"optimizer": "adam", "hyperparameters": {"lr": 1e-3, "delta": 1e-8}}])");
  const zs::FinetuneData data = zs::finetune_load_data(spec, spec.model, zs::model_config_load(spec.model));
  for (size_t i = 0; i < 2; ++i) {
    ManualRun run(spec, i, data.train, /*fuse=*/false);  // the weights after a step are the iterate
    const std::vector<zs::Block>& blocks = run.blocks;
    const bool fo = run.first_order();
    zs::RunRecord rec;
    for (int t = 0; t < 3; ++t) {
      std::vector<at::Tensor> before, grad;
      for (const zs::Block& b : blocks) before.push_back(b.tensor.detach().to(at::kDouble));
      if (fo && t == 0) {
        // The reference gradient of the first step (same minibatch; autograd is deterministic here).
        run.select(0);
        grad = run.gradient();
      }
      zs::StepRow row;
      run.step(row);
      rec.rows.push_back(row);
      zs::LlmRowStats::fill_tensors(*run.engine, rec);
      const zs::TensorStepStats& st = run.engine->last_stats();
      ASSERT_EQ(st.block_update_rms.size(), blocks.size());
      ASSERT_EQ(rec.tensor_names.size(), blocks.size());
      EXPECT_EQ(rec.tensor_names[0], blocks[0].name);
      ASSERT_EQ(rec.tensor_rms.size(), blocks.size() * static_cast<size_t>(t + 1));
      for (size_t b = 0; b < blocks.size(); ++b) {
        const at::Tensor d = blocks[b].tensor.detach().to(at::kDouble) - before[b];
        const double rms = std::sqrt(d.pow(2).mean().item<double>());
        // The pass measures x_t - x_restored; x_restored differs from theta_{t-1} by the
        // rounding of the perturbation round trip (a few ulp of theta) for MeZO.
        EXPECT_NEAR(st.block_update_rms[b], rms, (fo ? 1e-5 : 1e-3) * rms + 1e-12) << spec.runs[i].optimizer << " " << blocks[b].name;
        EXPECT_EQ(rec.tensor_rms[static_cast<size_t>(t) * blocks.size() + b], static_cast<float>(st.block_update_rms[b]));
        double alpha = 1e-2;  // MeZO: lr on every element
        if (fo) {
          if (t > 0) continue;
          alpha = (1e-3 / (grad[b].abs() + 1e-8)).mean().item<double>();
        }
        EXPECT_NEAR(st.block_alpha_mean[b], alpha, 1e-4 * alpha) << spec.runs[i].optimizer << " " << blocks[b].name;
      }
    }
  }
}

// cosine_every: for MeZO with one direction the update is -lr p z, so
// cos(-update, g) = sign(p) <z, g> / (|z| |g|) with z regenerated from the step's seed
// (Philox stream 0, as the engine draws it) and g the autograd gradient at theta_{t-1} on
// the step's minibatch. The run is repeated here as the live worker steps it (fused passes;
// a settle around every cosine step and after evaluations) to get theta_{t-1}.
TEST(LiveTrainer, CosineOfTheZoUpdateEqualsTheClosedForm) {
  zs::FinetuneSpec spec = spec_of(R"([{"optimizer": "mezo", "hyperparameters": {"lr": 1e-2}, "cosine_every": 3}])");
  ASSERT_EQ(spec.runs[0].cosine_every, 3);
  zs::LiveTrainer live;
  const zs::LiveSnapshot snap = finished_snapshot(live, config_of(spec));
  ASSERT_EQ(snap.phase, "done") << snap.error;
  const std::vector<zs::StepRow>& rows = snap.runs[0].rows;
  ASSERT_EQ(rows.size(), 13u);

  const zs::FinetuneData data = zs::finetune_load_data(spec, spec.model, zs::model_config_load(spec.model));
  ManualRun run(spec, 0, data.train);
  const std::vector<zs::Block>& blocks = run.blocks;
  std::vector<at::Tensor> g;
  bool due = false;
  run.extra = [&](int64_t) {
    if (due) g = run.gradient();
  };
  int checked = 0;
  for (int64_t t = 1; t <= 12; ++t) {
    due = t % 3 == 0;
    if (due) run.stepper->settle();
    zs::StepRow row;
    const zs::StepInfo info = run.step(row);
    if (due) run.stepper->settle();
    if (t % 4 == 0) run.stepper->settle();  // evaluation
    EXPECT_EQ(info.loss, rows[static_cast<size_t>(t)].loss) << "the repeated run is the live run, step " << t;
    if (!due) {
      EXPECT_TRUE(std::isnan(rows[static_cast<size_t>(t)].cos_grad)) << t;
      continue;
    }
    double zg = 0, zz = 0, gg = 0;
    for (size_t b = 0; b < blocks.size(); ++b) {
      const int64_t n = blocks[b].tensor.numel();
      std::vector<float> z(static_cast<size_t>((n + 3) / 4 * 4));
      zs::normal_fill(info.seed, b, 0, (n + 3) / 4, 0, z.data());
      const at::Tensor zt = at::from_blob(z.data(), {n}, at::kFloat).to(at::kDouble);
      const at::Tensor gb = g[b].reshape({n});
      zg += (zt * gb).sum().item<double>();
      zz += zt.pow(2).sum().item<double>();
      gg += gb.pow(2).sum().item<double>();
    }
    const double want = (info.p > 0 ? 1 : -1) * zg / std::sqrt(zz * gg);
    const double got = rows[static_cast<size_t>(t)].cos_grad;
    EXPECT_NEAR(got, want, 1e-3 * std::fabs(want) + 1e-9) << "step " << t;
    EXPECT_GT(std::fabs(want), 0);
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

// A device out of memory in one run (injected: c10::OutOfMemoryError as the CUDA caching
// allocator throws it, or std::bad_alloc) stops that run with one line; the other finishes.
TEST(LiveTrainer, OutOfMemoryStopsThatRunOnlyWithOneLine) {
  for (const std::string kind : {"oom", "bad_alloc"}) {
    zs::LiveTrainer live;
    live.inject_fault(0, 3, kind);
    live.configure(config_of(spec_of(kTwo)));
    ASSERT_TRUE(live.wait_finished(300)) << kind;
    zs::LiveSnapshot s;
    ASSERT_TRUE(live.poll(s));
    ASSERT_EQ(s.info.size(), 2u);
    EXPECT_EQ(s.info[0].state, zs::LiveRunState::Failed) << kind;
    EXPECT_EQ(s.info[0].message.rfind("out of memory", 0), 0u) << s.info[0].message;
    EXPECT_NE(s.info[0].message.find("the others go on"), std::string::npos) << s.info[0].message;
    EXPECT_EQ(s.info[0].message.find('\n'), std::string::npos) << s.info[0].message;
    EXPECT_EQ(s.runs[0].rows.size(), 3u);  // the start and two steps
    EXPECT_EQ(s.info[1].state, zs::LiveRunState::Done) << s.info[1].message;
    EXPECT_EQ(s.runs[1].rows.size(), 13u);
  }
}

// Live runs with a log folder write resumable step logs: the app closed mid-training
// (the trainer destroyed) loses nothing; `finetune --resume` (finetune_run with resume, what
// its child runs) replays the logged zeroth-order steps, recomputes the first-order ones and
// ends with the rows of an uninterrupted run, bit for bit.
TEST(LiveTrainer, StepLogsOfAClosedAppResumeWithFinetune) {
  const zs::FinetuneSpec spec = spec_of(kTwo);
  const fs::path dir = fs::path(::testing::TempDir()) / ("zs_live_log_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  {
    zs::LiveConfig c = config_of(spec);
    c.log_dir = (dir / "live").string();
    zs::LiveTrainer live;
    live.configure(c);
    ASSERT_TRUE(live.wait_steps(5, 300));
  }  // closed mid-training
  EXPECT_EQ(zs::finetune_spec_to_json(zs::finetune_spec_load((dir / "live/spec.json").string())), zs::finetune_spec_to_json(spec));
  for (size_t i = 0; i < spec.runs.size(); ++i) {
    const std::string log = zs::read_file((dir / "live/runs" / spec.runs[i].label / "steps.log").string());
    int steps = 0;
    for (size_t p = 0; (p = log.find("S ", p)) != std::string::npos; ++p) steps += p == 0 || log[p - 1] == '\n';
    EXPECT_GE(steps, 5) << spec.runs[i].label;
    EXPECT_LT(steps, 12) << spec.runs[i].label << ": the app was closed mid-training";
    zs::FinetuneRunOptions o;
    o.threads = 1;
    const zs::FinetuneRunResult ref = zs::finetune_run(spec, i, spec.model, (dir / "ref" / spec.runs[i].label).string(), o);
    o.resume = true;
    const zs::FinetuneRunResult res = zs::finetune_run(spec, i, spec.model, (dir / "live/runs" / spec.runs[i].label).string(), o);
    ASSERT_TRUE(res.completed);
    if (i == 0) {
      EXPECT_GE(res.replayed_steps, 5);  // MeZO: replayed from the log, no forward passes
    }
    EXPECT_EQ(res.steps, ref.steps);
    EXPECT_EQ(res.forward_passes, ref.forward_passes);
    EXPECT_EQ(res.dev_accuracy, ref.dev_accuracy);
    EXPECT_EQ(res.final_train_loss, ref.final_train_loss) << spec.runs[i].label;
  }
  fs::remove_all(dir);
}

// A run followed from a folder another process writes (the app's File > Follow run
// directory): the live trainer replays its step log onto the scene's plane while the log
// grows, and the points equal those of RunReplay projecting the same log onto a plane made
// the same way; a spec of other weights gets one line and no points.
TEST(LiveTrainer, FollowedRunsStepLogReplaysOntoThePlaneAsRunReplayDoes) {
  const zs::FinetuneSpec spec = spec_of(kTwo);
  const FinetuneFolder folder(spec, "zs_live_follow");
  const fs::path& dir = folder.dir;
  const auto& logs = folder.logs;
  for (const auto& l : logs) ASSERT_EQ(l.size(), 12u);
  // The scene: one MeZO run of the same model on the random plane.
  zs::LiveConfig c = config_of(spec_of(R"([{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}}])"));
  zs::LiveTrainer live;
  ASSERT_EQ(finished_snapshot(live, c).phase, "done");
  const auto followed = [&](size_t steps, uint64_t gen) {
    std::vector<zs::LiveFollowed> f(2);
    for (size_t i = 0; i < 2; ++i) {
      f[i].spec_path = (dir / "spec.json").string();
      f[i].label = spec.runs[i].label;
      f[i].generation = gen;
      f[i].losses.assign(logs[i].begin(), logs[i].begin() + static_cast<ptrdiff_t>(steps));
    }
    return f;
  };
  const auto wait_points = [&](size_t n) {
    zs::LiveSnapshot s;
    for (int k = 0; k < 1200; ++k) {
      live.poll(s);
      if (s.followed.size() == 2 && s.followed[0].xy.size() == n && s.followed[1].xy.size() == n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return s;
  };
  live.follow(followed(5, 1));
  zs::LiveSnapshot s = wait_points(6);
  ASSERT_EQ(s.followed.size(), 2u);
  EXPECT_EQ(s.followed[0].note, "");
  EXPECT_EQ(s.followed[0].xy.size(), 6u);
  live.follow(followed(12, 1));  // the log grew
  s = wait_points(13);

  const zs::FinetuneData data = zs::finetune_load_data(spec, spec.model, zs::model_config_load(spec.model));
  zs::LossPlane plane(spec, spec.model, data.train, c.plane_seed, c.plane_examples);
  std::vector<at::Tensor> init;
  for (const zs::Block& b : plane.model().blocks()) init.push_back(b.tensor.detach().clone());
  for (size_t i = 0; i < 2; ++i) {
    const zs::LiveFollowedPoints& got = s.followed[i];
    EXPECT_EQ(got.label, spec.runs[i].label);
    EXPECT_EQ(got.note, "") << got.note;
    ASSERT_EQ(got.xy.size(), 13u) << got.label;
    EXPECT_EQ(got.xy[0][0], 0);
    zs::CausalLM& m = plane.model();
    zs::TensorBatch batch;
    std::vector<zs::LoggedStep> log;
    for (const auto& l : logs[i]) log.push_back({l});
    zs::RunReplay replay(spec, spec.runs[i], m.blocks(), init, log, [&] { return zs::task_loss(m, batch); },
                         [&] {
                           const at::Tensor l = zs::task_loss_tensor(m, batch);
                           l.backward();
                           return l.item<double>();
                         },
                         [&](int64_t t) {
                           batch = zs::batch_to_device(zs::train_batch(data.train, t, spec.batch_size, spec.seed),
                                                       c10::Device(c10::DeviceType::CPU));
                         });
    m.set_autograd(replay.first_order());
    for (size_t t = 1; t <= 12; ++t) {
      replay.step();
      const std::array<double, 2> want = plane.project(replay.weights());
      EXPECT_DOUBLE_EQ(got.xy[t][0], want[0]) << got.label << " step " << t;
      EXPECT_DOUBLE_EQ(got.xy[t][1], want[1]) << got.label << " step " << t;
    }
    m.set_autograd(false);
    EXPECT_NE(got.xy[12][0], 0);
  }

  // The log started over (a new generation): replayed from the start, 3 steps.
  live.follow(followed(3, 2));
  s = wait_points(4);
  ASSERT_EQ(s.followed.size(), 2u);
  EXPECT_EQ(s.followed[0].generation, 2u);
  EXPECT_EQ(s.followed[0].xy.size(), 4u);

  // A folder of another model: one line naming its spec, no points.
  zs::FinetuneSpec other = spec;
  other.model = kData + "/fixtures/tiny-llama";
  zs::atomic_write((dir / "spec.json").string(), zs::finetune_spec_to_json(other));
  std::vector<zs::LiveFollowed> f = followed(3, 3);
  f.resize(1);
  live.follow(f);
  for (int k = 0; k < 600 && (s.followed.size() != 1 || s.followed[0].note.empty()); ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    live.poll(s);
  }
  ASSERT_EQ(s.followed.size(), 1u);
  EXPECT_NE(s.followed[0].note.find("starts from other weights than the scene"), std::string::npos) << s.followed[0].note;
  EXPECT_NE(s.followed[0].note.find("spec.json"), std::string::npos) << s.followed[0].note;
  EXPECT_TRUE(s.followed[0].xy.empty());
}

// A followed run as run B of the plane through two runs' endpoints: it waits for the log to
// be complete and replayed, then B sits at the Gram-Schmidt coordinates of the followed
// run's final weights (as saved by the batch driver), and its replayed path ends there.
TEST(LiveTrainer, AFollowedRunIsRunBOfThePlaneThroughTwoEndpoints) {
  const zs::FinetuneSpec spec = spec_of(kTwo);
  const FinetuneFolder folder(spec, "zs_live_follow_b");
  const fs::path& dir = folder.dir;
  const std::vector<std::vector<double>>& adam_log = folder.logs[1];
  // The scene trains MeZO only; run B (index 1) is the followed Adam run.
  zs::LiveConfig c = config_of(spec_of(R"([{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}}])"));
  c.plane = "runs";
  c.plane_runs[0] = 0;
  c.plane_runs[1] = 1;
  std::vector<zs::LiveFollowed> f(1);
  f[0].spec_path = (dir / "spec.json").string();
  f[0].label = spec.runs[1].label;
  f[0].generation = 1;
  f[0].losses = adam_log;
  f[0].complete = false;  // still running elsewhere: B has no final weights yet
  zs::LiveTrainer live;
  live.follow(f);
  live.configure(c);
  zs::LiveSnapshot s;
  for (int k = 0; k < 1200 && s.plane_status.find("waiting for") == std::string::npos; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    live.poll(s);
  }
  EXPECT_NE(s.plane_status.find("waiting for " + spec.runs[1].label + " (followed)"), std::string::npos) << s.plane_status;
  EXPECT_EQ(s.plane_kind, "random");
  f[0].complete = true;
  live.follow(f);
  ASSERT_TRUE(live.wait_finished(300));
  live.poll(s);
  ASSERT_EQ(s.plane_kind, "runs") << s.plane_status;
  const std::array<double, 5> e = endpoint_coords(folder.u[0], folder.u[1]);
  const double c1 = e[2], c2 = e[3], tol = e[4];
  const double want[4] = {e[0], 0, c1, c2};
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(s.plane_ends[k], want[k], tol) << k;
  // The followed run replayed onto plane (b): its path ends at B, inside the grid.
  for (int k = 0; k < 600 && (s.followed.size() != 1 || s.followed[0].xy.size() != 13); ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    live.poll(s);
  }
  ASSERT_EQ(s.followed.size(), 1u);
  ASSERT_EQ(s.followed[0].xy.size(), 13u) << s.followed[0].note;
  EXPECT_NEAR(s.followed[0].xy.back()[0], c1, tol);
  EXPECT_NEAR(s.followed[0].xy.back()[1], c2, tol);
  EXPECT_LE(s.followed[0].xy.back()[0], s.plane_domain[1]);
  EXPECT_LE(s.followed[0].xy.back()[1], s.plane_domain[3]);
}

// A scratch folder for one test (removed first).
fs::path fresh_dir(const std::string& tag) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("zs_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

// A live session logged into `log_dir` and closed (as the app closes) once every run has
// at least `steps` steps.
void run_and_close(zs::LiveConfig c, const fs::path& log_dir, int64_t steps) {
  c.log_dir = log_dir.string();
  zs::LiveTrainer live;
  live.configure(c);
  ASSERT_TRUE(live.wait_steps(steps, 300));
}

// The app's Continue (LiveConfig::resume): a session closed mid-training is continued by
// a new trainer to the budget; its step logs, final weights and rows equal those of an
// uninterrupted live session bit for bit, and its final weights equal what
// `finetune --resume` makes of the same interrupted folder (the one resume path).
TEST(LiveTrainer, ContinuingAClosedSessionEqualsAnUninterruptedRunBitForBit) {
  const zs::FinetuneSpec spec = spec_of(kTwo);
  const fs::path dir = fresh_dir("live_continue");
  zs::LiveConfig c = config_of(spec);
  c.save_final = true;
  zs::LiveSnapshot ref;
  {
    zs::LiveTrainer live;
    c.log_dir = (dir / "ref").string();
    ref = finished_snapshot(live, c);
    ASSERT_EQ(ref.phase, "done") << ref.error;
  }
  run_and_close(c, dir / "cut", 5);  // closed mid-training
  c.log_dir = (dir / "cut").string();
  for (const zs::FinetuneRun& r : spec.runs) {
    ASSERT_FALSE(fs::exists(dir / "cut/runs" / r.label / "final.safetensors")) << r.label << ": the app was closed mid-training";
    const std::vector<zs::StepLogRecord> cut = zs::step_log_read((dir / "cut/runs" / r.label / "steps.log").string());
    ASSERT_GE(cut.size(), 5u) << r.label;
  }
  fs::copy(dir / "cut", dir / "cli", fs::copy_options::recursive);
  // The app path: a new trainer continues the folder.
  zs::LiveSnapshot got;
  {
    zs::LiveTrainer live;
    c.resume = true;
    got = finished_snapshot(live, c);
    ASSERT_EQ(got.phase, "done") << got.error;
  }
  ASSERT_EQ(got.runs.size(), ref.runs.size());
  for (size_t i = 0; i < spec.runs.size(); ++i) {
    const std::string label = spec.runs[i].label;
    const fs::path run_ref = dir / "ref/runs" / label, run_got = dir / "cut/runs" / label;
    EXPECT_EQ(zs::read_file((run_got / "steps.log").string()), zs::read_file((run_ref / "steps.log").string())) << label;
    EXPECT_EQ(zs::read_file((run_got / "final.safetensors").string()), zs::read_file((run_ref / "final.safetensors").string()))
        << label;
    EXPECT_EQ(got.info[i].state, zs::LiveRunState::Done) << label;
    // MeZO's logged steps were replayed (no forward passes), not trained again; Adam's
    // first-order steps are recomputed, as `finetune --resume` does.
    if (i == 0) {
      EXPECT_GE(got.info[i].replayed, 5) << label;
    } else {
      EXPECT_EQ(got.info[i].replayed, 0) << label;
    }
    const zs::RunRecord &a = got.runs[i], &b = ref.runs[i];
    ASSERT_EQ(a.rows.size(), b.rows.size()) << label;
    const auto same = [](double u, double v) { return std::memcmp(&u, &v, sizeof u) == 0; };  // NaN-safe, bit for bit
    for (size_t k = 0; k < a.rows.size(); ++k) {
      const zs::StepRow &x = a.rows[k], &y = b.rows[k];
      EXPECT_EQ(x.fp, y.fp) << label << " row " << k;
      EXPECT_TRUE(same(x.loss, y.loss) && same(x.update_norm, y.update_norm) && same(x.x, y.x) && same(x.y, y.y) &&
                  same(x.dev_metric, y.dev_metric) && same(x.alpha_median, y.alpha_median))
          << label << " row " << k << ": loss " << x.loss << " vs " << y.loss;
    }
    ASSERT_EQ(a.tensor_rms.size(), b.tensor_rms.size()) << label;
    EXPECT_EQ(std::memcmp(a.tensor_rms.data(), b.tensor_rms.data(), a.tensor_rms.size() * sizeof(float)), 0) << label;
    // The CLI's resume of the same interrupted folder ends on the same weights.
    zs::FinetuneRunOptions o;
    o.threads = 1;
    o.resume = true;
    const zs::FinetuneRunResult res = zs::finetune_run(spec, i, spec.model, (dir / "cli/runs" / label).string(), o);
    ASSERT_TRUE(res.completed) << label;
    if (i == 0) {
      EXPECT_GE(res.replayed_steps, 5);  // MeZO: replayed without forward passes
    }
    EXPECT_EQ(zs::read_file((dir / "cli/runs" / label / "final.safetensors").string()),
              zs::read_file((run_got / "final.safetensors").string()))
        << label;
  }
  fs::remove_all(dir);
}

// Continuing a folder that another spec wrote (another learning rate here: the logged
// losses would replay to the same seeds and p, on a wrong trajectory) is refused in one
// line naming its spec.json, as `finetune --resume` refuses it.
TEST(LiveTrainer, ContinuingAFolderOfAnotherSpecIsRefusedInOneLine) {
  const zs::FinetuneSpec spec = spec_of(kTwo);
  const fs::path dir = fresh_dir("live_continue_bad");
  run_and_close(config_of(spec), dir, 3);
  zs::LiveConfig other = config_of(spec_of(R"([{"optimizer": "mezo", "hyperparameters": {"lr": 2e-3}}])"));
  other.log_dir = dir.string();
  other.resume = true;
  zs::LiveTrainer live;
  const zs::LiveSnapshot s = finished_snapshot(live, other);
  EXPECT_EQ(s.phase, "error");
  EXPECT_NE(s.error.find((dir / "spec.json").string() + ": the spec differs"), std::string::npos) << s.error;
  EXPECT_EQ(s.error.find('\n'), std::string::npos) << s.error;
  // The folder is left as it was: its spec and logs can still be continued with their own spec.
  EXPECT_EQ(zs::finetune_spec_to_json(zs::finetune_spec_load((dir / "spec.json").string())), zs::finetune_spec_to_json(spec));
  fs::remove_all(dir);
}

}  // namespace
