// Distributed fine-tuning (core/llm/torch/dist.h, docs/distributed.md) through the CLI, on
// loopback only (127.0.0.1, a free port picked by the launcher), tiny-opt + SST-2 files:
//   - 2 Gloo ranks give bit-identical weights, step logs and curves to one process with the
//     same loss shards (MeZO, AdaMeZO); first-order Adam all-reduces its gradients;
//   - a rank that crashes makes the other stop with one line (no stack trace), and the run
//     resumes on 1 rank to the uninterrupted weights; a 1-process run resumes on 2 ranks;
//   - a rank that stops answering makes the other stop after the spec's timeout;
//   - the environment of torchrun / Slurm is read, and mistakes in it are one line.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <algorithm>
#include <array>
#include <functional>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fstream>
#include <sstream>
#include <thread>
#include "core/llm/io/finetune_spec.h"
#include "core/llm/io/model_config.h"
#include "core/llm/torch/dist.h"
#include "core/llm/torch/finetune.h"
#include "core/llm/torch/finetune_setup.h"
#include "core/llm/torch/plane.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "temp_dir.h"

namespace {

namespace fs = std::filesystem;
using zs::test::TempDir;

const std::string kData = ZS_TEST_DATA;
const std::string kCli = std::string(ZS_BINARY_ROOT) + "/app/cli/zoscope-cli";

std::string spec_text(const std::string& distributed, int steps = 10) {
  return R"({"zoscope_finetune": 1, "model": ")" + kData + R"(/fixtures/tiny-opt", "tokenizer": ")" + kData +
         R"(/tokenizers/opt-style", "task": "sst2", "data": {"dir": ")" + kData +
         R"(/tasks/sst2", "train": 4, "dev": 2, "test": 1}, "batch_size": 3, "seed": 5, "budget": {"steps": )" +
         std::to_string(steps) + R"(}, "checkpoint_every": 4, "eval_every": 3, )" + distributed +
         R"( "runs": [{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}},
           {"optimizer": "adamezo", "hyperparameters": {"lr": 1e-4, "h": 3}},
           {"optimizer": "adam", "hyperparameters": {"lr": 1e-3}}]})";
}

// spec_text with one MeZO run.
std::string mezo_spec_text(const std::string& distributed, int steps) {
  const std::string t = spec_text(distributed, steps);
  return t.substr(0, t.find("\"runs\":")) + R"("runs": [{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}}]})";
}

// Runs a shell command; its exit status (-1 when it did not exit).
int sh(const std::string& cmd) {
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// `zoscope-cli finetune SPEC --out OUT ARGS` with ENV; the output goes to OUT.txt.
int finetune(const std::string& env, const std::string& spec, const std::string& out, const std::string& args) {
  return sh(env + " " + kCli + " finetune " + spec + " --out " + out + " " + args + " > " + out + ".txt 2>&1");
}

// Resumes until the table appears (each run may be stopped once).
void resume_until_done(const std::string& spec, const std::string& out, const std::string& args) {
  int tries = 0;
  while (finetune("", spec, out, "--resume " + args) != 0 && ++tries < 4) {}
  ASSERT_LT(tries, 4) << zs::read_file(out + ".txt");
}

void expect_same_runs(const std::string& a, const std::string& b, std::initializer_list<const char*> labels) {
  for (const char* l : labels) {
    EXPECT_EQ(zs::read_file(a + "/runs/" + l + "/final.safetensors"), zs::read_file(b + "/runs/" + l + "/final.safetensors"))
        << l;
    EXPECT_EQ(zs::read_file(a + "/runs/" + l + "/steps.log"), zs::read_file(b + "/runs/" + l + "/steps.log")) << l;
  }
}

TEST(Distributed, TwoGlooRanksAreBitIdenticalToOneProcessWithTheSameShards) {
  TempDir tmp("dist_exact");
  const std::string spec = (tmp.path / "spec.json").string();
  zs::atomic_write(spec, spec_text(R"("distributed": {"shards": 2, "timeout_s": 60},)"));
  const std::string one = (tmp.path / "one").string(), two = (tmp.path / "two").string();
  ASSERT_EQ(finetune("", spec, one, ""), 0) << zs::read_file(one + ".txt");
  ASSERT_EQ(finetune("", spec, two, "--nproc 2"), 0) << zs::read_file(two + ".txt");
  expect_same_runs(one, two, {"mezo", "adamezo"});
  EXPECT_EQ(zs::read_file(one + "/runs/mezo/record.csv"), zs::read_file(two + "/runs/mezo/record.csv"));
  // Only rank 0 wrote: one table, and no file of the other rank anywhere.
  const std::string log = zs::read_file(two + ".txt");
  EXPECT_NE(log.find("started 2 ranks (MASTER_ADDR=127.0.0.1"), std::string::npos) << log;
  // Data-parallel ZO sends scalars only: (sum, count) per shard and loss evaluation.
  const std::regex bytes_re("mezo: data parallel over 2 ranks \\(gloo\\), 2 shards: ([0-9.]+) bytes sent per step");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, bytes_re)) << log;
  EXPECT_LT(std::stod(m[1]), 1024.0);
  EXPECT_EQ(std::stod(m[1]), 32.0);  // 2 losses x (sum, count) x 8 bytes, to the 1 other rank
  // Adam all-reduces its gradients (DDP's way): far more than scalars travel.
  const std::regex adam_re("adam: data parallel over 2 ranks \\(gloo\\), 2 shards: ([0-9.]+) bytes sent per step");
  ASSERT_TRUE(std::regex_search(log, m, adam_re)) << log;
  EXPECT_GT(std::stod(m[1]), 1e5);
  // The shards matter: without them the single process adds the batch in one mean (the
  // default path, unchanged), which rounds differently.
  const std::string plain_spec = (tmp.path / "plain.json").string(), plain = (tmp.path / "plain").string();
  zs::atomic_write(plain_spec, spec_text(""));
  ASSERT_EQ(finetune("", plain_spec, plain, ""), 0) << zs::read_file(plain + ".txt");
  EXPECT_NE(zs::read_file(one + "/runs/mezo/steps.log"), zs::read_file(plain + "/runs/mezo/steps.log"));
}

// Three ranks: each sends its block straight to the two others (Dist::allgather's direct
// exchange), so every rank must still place the blocks in rank order: data parallel, shard
// s lives on rank s (blocks out of order add the shards in another order); direction
// parallel, query q is evaluated by rank q (blocks out of order swap the queries' losses).
// The direction-parallel run also goes through Gloo's all-gather (ZOSCOPE_DIST_ALLGATHER=1).
TEST(Distributed, ThreeGlooRanksAreBitIdenticalToOneProcessWithTheSameShards) {
  TempDir tmp("dist_three");
  std::string text = spec_text(R"("distributed": {"shards": 3, "timeout_s": 60},)", 6);
  text = text.substr(0, text.find("\"runs\":")) +
         R"("runs": [{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}},
                     {"optimizer": "adamezo", "hyperparameters": {"lr": 1e-4, "h": 3}}]})";
  const std::string spec = (tmp.path / "spec.json").string();
  zs::atomic_write(spec, text);
  const std::string one = (tmp.path / "one").string(), three = (tmp.path / "three").string();
  ASSERT_EQ(finetune("", spec, one, ""), 0) << zs::read_file(one + ".txt");
  ASSERT_EQ(finetune("", spec, three, "--nproc 3"), 0) << zs::read_file(three + ".txt");
  expect_same_runs(one, three, {"mezo", "adamezo"});

  const std::string log = zs::read_file(three + ".txt");
  // 2 losses x (sum, count) x 8 bytes, to each of the 2 other ranks.
  EXPECT_NE(log.find("mezo: data parallel over 3 ranks (gloo), 3 shards: 64 bytes sent per step"), std::string::npos)
      << log;
  std::string dirs_text = spec_text(R"("distributed": {"parallel": "directions", "timeout_s": 60},)", 6);
  dirs_text = dirs_text.substr(0, dirs_text.find("\"runs\":")) +
              R"("runs": [{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3, "queries": 3}}]})";
  std::string plain_text = dirs_text;
  plain_text.erase(plain_text.find(R"("distributed")"), dirs_text.find(R"("runs")") - dirs_text.find(R"("distributed")"));
  const std::string dir_spec = (tmp.path / "dirs.json").string(), plain_spec = (tmp.path / "plain.json").string();
  zs::atomic_write(dir_spec, dirs_text);
  zs::atomic_write(plain_spec, plain_text);
  const std::string plain = (tmp.path / "plain").string(), dirs = (tmp.path / "dirs").string();
  ASSERT_EQ(finetune("", plain_spec, plain, ""), 0) << zs::read_file(plain + ".txt");
  ASSERT_EQ(finetune("", dir_spec, dirs, "--nproc 3"), 0) << zs::read_file(dirs + ".txt");
  expect_same_runs(plain, dirs, {"mezo"});
  // Gloo's all-gather (what worlds above 16 ranks and NCCL use) places them the same way.
  const std::string ring = (tmp.path / "ring").string();
  ASSERT_EQ(finetune("ZOSCOPE_DIST_ALLGATHER=1", dir_spec, ring, "--nproc 3"), 0) << zs::read_file(ring + ".txt");
  expect_same_runs(plain, ring, {"mezo"});
}

// Direction parallel: each rank runs its share of every step's loss evaluations (FZOO's
// l0 and N one-sided queries, MeZO's l+ and l-) on the whole minibatch and every rank
// applies every perturbation, so the run equals the plain single-process run.
TEST(Distributed, DirectionParallelFzooAndMezoEqualThePlainOneProcessRun) {
  TempDir tmp("dist_dirs");
  const std::string runs = R"([{"optimizer": "fzoo", "hyperparameters": {"lr": 1e-4, "N": 4}},
                               {"optimizer": "mezo", "hyperparameters": {"lr": 1e-3, "queries": 3}}])";
  const auto text = [&](const std::string& distributed) {
    std::string t = spec_text(distributed, 8);
    return t.substr(0, t.find("\"runs\":")) + "\"runs\": " + runs + "}";
  };
  const std::string plain_spec = (tmp.path / "plain.json").string(), dir_spec = (tmp.path / "dirs.json").string();
  zs::atomic_write(plain_spec, text(""));
  zs::atomic_write(dir_spec, text(R"("distributed": {"parallel": "directions", "timeout_s": 60},)"));
  const std::string plain = (tmp.path / "plain").string(), dirs = (tmp.path / "dirs").string();
  ASSERT_EQ(finetune("", plain_spec, plain, ""), 0) << zs::read_file(plain + ".txt");
  ASSERT_EQ(finetune("", dir_spec, dirs, "--nproc 2"), 0) << zs::read_file(dirs + ".txt");
  expect_same_runs(plain, dirs, {"fzoo", "mezo"});
  const std::string log = zs::read_file(dirs + ".txt");
  EXPECT_NE(log.find("fzoo: direction parallel over 2 ranks (gloo), whole minibatch each: 40 bytes sent per step"),
            std::string::npos)
      << log;  // 5 losses (l0 + 4 queries) x 8 bytes, to the 1 other rank
}

TEST(Distributed, CrashedRankStopsTheOtherWithOneLineAndTheRunResumesOnOneRank) {
  TempDir tmp("dist_crash");
  const std::string spec = (tmp.path / "spec.json").string();
  // No shards in the spec: --nproc 2 makes 2, recorded in OUT/spec.json for the resume.
  zs::atomic_write(spec, spec_text(R"("distributed": {"timeout_s": 60},)"));
  const std::string sharded = (tmp.path / "sharded.json").string();
  zs::atomic_write(sharded, spec_text(R"("distributed": {"shards": 2, "timeout_s": 60},)"));
  const std::string ref = (tmp.path / "ref").string(), cut = (tmp.path / "cut").string();
  ASSERT_EQ(finetune("", sharded, ref, ""), 0) << zs::read_file(ref + ".txt");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(finetune("ZOSCOPE_FINETUNE_EXIT_AFTER=5 ZOSCOPE_FINETUNE_EXIT_RANK=1", spec, cut, "--nproc 2"), 2);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 50.0);
  const std::string log = zs::read_file(cut + ".txt");
  EXPECT_NE(log.find("zoscope-cli: error: distributed: rank 0 of 2: all-gather failed ("), std::string::npos) << log;
  EXPECT_NE(log.find("rank 1 of 2 was killed by signal 9; continue the run with --resume"), std::string::npos) << log;
  EXPECT_EQ(log.find("Exception raised from"), std::string::npos) << log;  // no LibTorch stack trace
  EXPECT_EQ(log.find("frame #"), std::string::npos) << log;
  resume_until_done(spec, cut, "");  // on one process
  expect_same_runs(ref, cut, {"mezo", "adamezo"});
}

// Rank 0 fails on its own (its disk is full when it writes the step-4 checkpoint); rank 1
// only loses it, and usually exits first (rank 0 closes its connections while it unwinds,
// before it prints). The launcher names rank 0, the rank with the reason, every time.
TEST(Distributed, LauncherNamesTheRankThatFailedNotTheOneThatLostIt) {
  TempDir tmp("dist_blame");
  const std::string text = mezo_spec_text(R"("distributed": {"timeout_s": 30},)", 8);
  const std::string spec = (tmp.path / "spec.json").string();
  zs::atomic_write(spec, text);
  for (int k = 0; k < 3; ++k) {
    const std::string out = (tmp.path / ("out" + std::to_string(k))).string();
    EXPECT_EQ(finetune("ZOSCOPE_FAULT_ENOSPC_AFTER=3000", spec, out, "--nproc 2"), 2);
    const std::string log = zs::read_file(out + ".txt");
    EXPECT_NE(log.find("ckpt-4.safetensors: cannot write: No space left on device"), std::string::npos) << log;
    // Rank 1 waits for rank 0's checkpoint (Dist::after_rank0_work) and loses it there.
    EXPECT_NE(log.find("rank 1 of 2: sharing rank 0's values failed ("), std::string::npos) << log;
    EXPECT_NE(log.find("finetune: rank 0 of 2 failed (exit status 2) (its error line is above)"), std::string::npos)
        << log;
    EXPECT_EQ(log.find("frame #"), std::string::npos) << log;  // no LibTorch stack trace
  }
}

TEST(Distributed, OneProcessRunResumesOnTwoRanks) {
  TempDir tmp("dist_grow");
  const std::string spec = (tmp.path / "spec.json").string();
  zs::atomic_write(spec, spec_text(R"("distributed": {"shards": 2, "timeout_s": 60},)"));
  const std::string ref = (tmp.path / "ref").string(), cut = (tmp.path / "cut").string();
  ASSERT_EQ(finetune("", spec, ref, ""), 0) << zs::read_file(ref + ".txt");
  EXPECT_EQ(finetune("ZOSCOPE_FINETUNE_EXIT_AFTER=6", spec, cut, ""), 2);
  resume_until_done(spec, cut, "--nproc 2");
  expect_same_runs(ref, cut, {"mezo", "adamezo"});
}

// Without distributed.shards a one-process run's loss is the whole batch's mean: ranks
// cannot continue it with the same rounding, so a resume on 2 ranks is refused in one line
// that says why (not "the spec differs": the spec is the same), and on one process it
// still resumes to the uninterrupted weights.
TEST(Distributed, OneProcessRunWithoutShardsResumesOnOneProcessOnly) {
  TempDir tmp("dist_noshards");
  const std::string text = mezo_spec_text(R"("distributed": {"timeout_s": 30},)", 8);
  const std::string spec = (tmp.path / "spec.json").string();
  zs::atomic_write(spec, text);
  const std::string ref = (tmp.path / "ref").string(), cut = (tmp.path / "cut").string();
  ASSERT_EQ(finetune("", spec, ref, ""), 0) << zs::read_file(ref + ".txt");
  EXPECT_EQ(finetune("ZOSCOPE_FINETUNE_EXIT_AFTER=5", spec, cut, ""), 2);
  EXPECT_EQ(finetune("", spec, cut, "--resume --nproc 2"), 2);
  const std::string log = zs::read_file(cut + ".txt");
  EXPECT_NE(log.find("spec.json: this run was started on one process without distributed.shards"), std::string::npos)
      << log;
  EXPECT_EQ(log.find("started 2 ranks"), std::string::npos) << log;  // refused before any rank starts
  resume_until_done(spec, cut, "");
  expect_same_runs(ref, cut, {"mezo"});
}

TEST(Distributed, RankThatStopsAnsweringTimesOut) {
  TempDir tmp("dist_hang");
  const std::string spec = (tmp.path / "spec.json").string();
  zs::atomic_write(spec, spec_text(R"("distributed": {"timeout_s": 2},)", 200));
  const std::string out = (tmp.path / "out").string();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(finetune("ZOSCOPE_FINETUNE_EXIT_AFTER=3 ZOSCOPE_FINETUNE_EXIT_RANK=1 ZOSCOPE_FINETUNE_EXIT_MODE=hang", spec,
                     out, "--nproc 2"),
            2);
  // Rank 0 notices within the 2 s timeout; the launcher kills the silent rank 5 s later.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 40.0);
  const std::string log = zs::read_file(out + ".txt");
  EXPECT_NE(log.find("rank 0 of 2: all-gather failed (Timed out"), std::string::npos) << log;
  EXPECT_NE(log.find("none answered within 2 s"), std::string::npos) << log;
  EXPECT_NE(log.find("rank 1 did not stop within 7 s; killing it"), std::string::npos) << log;
}

// A port free on 127.0.0.1 now.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

zs::Grid one_process_grid(const zs::FinetuneSpec& spec, int n, const double domain[4], uint64_t seed, int64_t examples) {
  const zs::FinetuneData data = zs::finetune_load_data(spec, spec.model, zs::model_config_load(spec.model));
  zs::LossPlane plane(spec, spec.model, data.train, seed, examples);
  return plane.grid(n, domain);
}

// Runs `body` as ranks 0 and 1 of a 2-rank Gloo group on loopback (threads of this process,
// collectives timing out after timeout_s); each rank's error text, "" when none.
std::array<std::string, 2> two_ranks(double timeout_s, const std::function<void(zs::Dist&, int)>& body) {
  const int port = free_port();
  std::array<std::string, 2> err;
  std::vector<std::thread> ranks;
  for (int r = 0; r < 2; ++r)
    ranks.emplace_back([&, r] {
      try {
        zs::DistEnv env;
        env.rank = r;
        env.world = 2;
        env.master_port = port;
        zs::Dist dist(env, "gloo", false, timeout_s);
        body(dist, r);
      } catch (const std::exception& e) {
        err[static_cast<size_t>(r)] = e.what();
      }
    });
  for (auto& t : ranks) t.join();
  return err;
}

TEST(DistributedPlane, GridSplitOverTwoGlooRanksEqualsOneProcess) {
  const zs::FinetuneSpec spec = zs::finetune_spec_parse(spec_text(""), "plane.json");
  const double domain[4] = {-0.5, 0.7, -0.6, 0.4};
  const zs::Grid ref = one_process_grid(spec, 5, domain, 3, 4);
  zs::Grid got[2];
  const auto err = two_ranks(60, [&](zs::Dist& dist, int r) {
    const zs::FinetuneData data = zs::finetune_load_data(spec, spec.model, zs::model_config_load(spec.model));
    zs::LossPlane plane(spec, spec.model, data.train, 3, 4);
    got[r] = plane.grid(5, domain, nullptr, &dist);
  });
  for (int r = 0; r < 2; ++r) {
    ASSERT_EQ(err[static_cast<size_t>(r)], "") << r;
    ASSERT_EQ(got[r].v.size(), 25u);
    for (size_t k = 0; k < 25; ++k) EXPECT_EQ(got[r].v[k], ref.v[k]) << "rank " << r << " node " << k;
  }
  EXPECT_TRUE(std::isfinite(ref.v[12]));
}

TEST(DistributedPlane, LandscapeNprocWritesTheOneProcessGrid) {
  TempDir tmp("dist_plane");
  const std::string spec_path = (tmp.path / "spec.json").string();
  zs::atomic_write(spec_path, spec_text(R"("distributed": {"timeout_s": 60},)", 6));
  const std::string out = (tmp.path / "out").string();
  ASSERT_EQ(sh(kCli + " landscape " + spec_path + " --out " + out + " --grid 5 --examples 4 --plane-seed 2 --nproc 2 > " +
               out + ".txt 2>&1"),
            0)
      << zs::read_file(out + ".txt");
  // plane.csv: a,b,loss row by row (row 0 at b = y0); its corners give the domain.
  std::istringstream in(zs::read_file(out + "/plane.csv"));
  std::string line;
  std::getline(in, line);
  std::vector<double> a, b, loss;
  while (std::getline(in, line)) {
    double x, y, l;
    ASSERT_EQ(std::sscanf(line.c_str(), "%lf,%lf,%lf", &x, &y, &l), 3) << line;
    a.push_back(x);
    b.push_back(y);
    loss.push_back(l);
  }
  ASSERT_EQ(loss.size(), 25u);
  const double domain[4] = {a.front(), a.back(), b.front(), b.back()};
  const zs::Grid ref = one_process_grid(zs::finetune_spec_load(spec_path), 5, domain, 2, 4);
  for (size_t k = 0; k < 25; ++k) EXPECT_EQ(static_cast<float>(loss[k]), ref.v[k]) << "node " << k;
}

// Only rank 0 writes: a rank whose --out is not rank 0's folder (another machine without
// the shared file system) steps the same run and leaves its own folder untouched, and no
// rank but 0 marks a run complete (result.json: a --resume skips a run that has one, and
// a followed run shows "done").
TEST(Distributed, RanksOtherThanZeroWriteNothing) {
  TempDir tmp("dist_writer");
  const std::string text = mezo_spec_text(R"("distributed": {"timeout_s": 30},)", 4);
  const zs::FinetuneSpec spec = zs::finetune_spec_parse(text, "writer.json");
  const fs::path dirs[2] = {tmp.path / "rank0" / "runs" / "mezo", tmp.path / "rank1" / "runs" / "mezo"};
  zs::FinetuneRunResult res[2];
  const auto err = two_ranks(30, [&](zs::Dist& dist, int r) {
    zs::FinetuneRunOptions o;
    o.dist = &dist;
    res[r] = zs::finetune_run(spec, 0, spec.model, dirs[r].string(), o);
  });
  EXPECT_EQ(err[0], "");
  EXPECT_EQ(err[1], "");
  EXPECT_TRUE(res[0].completed && res[1].completed);
  EXPECT_TRUE(fs::exists(dirs[0] / "result.json"));
  EXPECT_TRUE(fs::exists(dirs[0] / "final.safetensors"));
  EXPECT_FALSE(fs::exists(tmp.path / "rank1"));
}

// Rank 0's own work (evaluation, checkpoints, a run's end) may outlast the collectives'
// timeout: the other ranks wait for it through the store (Dist::after_rank0_work), and the
// next collective succeeds. When rank 0 dies instead, the wait ends at once, in one line.
// (Through the CLI: a 2-run spec whose final train-loss evaluation took longer than
// timeout_s failed between the runs with "all-gather failed (Timed out ...)".)
TEST(Distributed, OtherRanksWaitForRankZerosOwnWorkBeyondTheTimeout) {
  std::vector<double> got[2];
  double waited = 0;
  const auto err = two_ranks(1, [&](zs::Dist& dist, int r) {  // collectives time out after 1 s
    if (r == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // "evaluating"
    dist.after_rank0_work("eval/2");
    got[r] = dist.allgather({static_cast<double>(r)});
    // Rank 0 now fails for a reason of its own (its Dist goes with it); rank 1 waits for it.
    if (r == 0) return;
    const auto t0 = std::chrono::steady_clock::now();
    try {
      dist.after_rank0_work("end");
    } catch (const zs::DistError&) {
      waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      throw;
    }
  });
  EXPECT_EQ(err[0], "");
  EXPECT_EQ(got[0], (std::vector<double>{0, 1}));
  EXPECT_EQ(got[1], (std::vector<double>{0, 1}));
  EXPECT_NE(err[1].find("distributed: rank 1 of 2: sharing rank 0's values failed ("), std::string::npos) << err[1];
  EXPECT_NE(err[1].find("none answered within 3600 s"), std::string::npos) << err[1];  // the wait's bound, not 1 s
  EXPECT_LT(waited, 5.0);
}

// On --resume every rank reads rank 0's checkpoint and step log; a rank that reads another
// folder (its --out not on the shared file system: here a folder of its own) would go on
// from another step and pair its exchanges with other steps of rank 0's, silently. Both
// ranks refuse it in one line before any step.
TEST(Distributed, ResumedRanksThatDisagreeOnTheStartStopWithOneLine) {
  TempDir tmp("dist_resume_at");
  const std::string text = mezo_spec_text(R"("distributed": {"shards": 2, "timeout_s": 20},)", 8);
  const zs::FinetuneSpec spec = zs::finetune_spec_parse(text, "resume_at.json");
  const fs::path dirs[2] = {tmp.path / "rank0" / "mezo", tmp.path / "rank1" / "mezo"};
  zs::FinetuneRunOptions stop;
  stop.stop_after_step = 5;
  ASSERT_FALSE(zs::finetune_run(spec, 0, spec.model, dirs[0].string(), stop).completed);  // checkpoint at 4, log to 5
  const auto err = two_ranks(20, [&](zs::Dist& dist, int r) {
    zs::FinetuneRunOptions o;
    o.dist = &dist;
    o.resume = true;
    zs::finetune_run(spec, 0, spec.model, dirs[r].string(), o);
  });
  for (size_t r = 0; r < 2; ++r)
    EXPECT_NE(err[r].find("rank 1 resumes at step 0 replaying 0 logged steps, rank 0 at step 4 replaying 1: every rank "
                          "must read rank 0's --out folder"),
              std::string::npos)
        << r << ": " << err[r];
  EXPECT_FALSE(fs::exists(dirs[0] / "result.json"));
}

// Sets (or, with nullptr, unsets) environment variables for one test.
struct EnvGuard {
  std::vector<std::pair<std::string, std::string>> saved;
  std::vector<std::string> unset_after;
  void set(const char* k, const char* v) {
    if (const char* old = std::getenv(k)) saved.push_back({k, old});
    else unset_after.push_back(k);
    if (v) ::setenv(k, v, 1);
    else ::unsetenv(k);
  }
  ~EnvGuard() {
    for (const auto& [k, v] : saved) ::setenv(k.c_str(), v.c_str(), 1);
    for (const auto& k : unset_after) ::unsetenv(k.c_str());
  }
};

std::string env_error() {
  try {
    zs::dist_env_from_environment();
  } catch (const zs::Error& e) {
    return e.what();
  }
  return "";
}

TEST(DistEnv, TorchrunVariablesThenSlurmThenOneProcess) {
  EnvGuard g;
  for (const char* k : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "SLURM_PROCID", "SLURM_NTASKS",
                        "SLURM_LOCALID"})
    g.set(k, nullptr);
  EXPECT_EQ(zs::dist_env_from_environment().world, 1);
  EXPECT_EQ(zs::dist_env_from_environment().source, "");
  g.set("SLURM_NTASKS", "4");
  g.set("SLURM_PROCID", "3");
  g.set("SLURM_LOCALID", "1");
  EXPECT_EQ(env_error(), "environment: MASTER_ADDR and MASTER_PORT must be set for 4 ranks (rank 0's host and a free port)");
  g.set("MASTER_ADDR", "node7");
  g.set("MASTER_PORT", "29400");
  zs::DistEnv e = zs::dist_env_from_environment();
  EXPECT_EQ(e.source, "slurm");
  EXPECT_EQ(e.rank, 3);
  EXPECT_EQ(e.world, 4);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.master_addr, "node7");
  // torchrun's variables win over Slurm's.
  g.set("RANK", "1");
  EXPECT_EQ(env_error(), "environment: RANK and WORLD_SIZE must be set together (torchrun sets both)");
  g.set("WORLD_SIZE", "2");
  g.set("LOCAL_RANK", "0");
  e = zs::dist_env_from_environment();
  EXPECT_EQ(e.source, "env");
  EXPECT_EQ(e.rank, 1);
  EXPECT_EQ(e.world, 2);
  EXPECT_EQ(e.local_rank, 0);
  EXPECT_EQ(e.master_port, 29400);
  g.set("RANK", "2");
  EXPECT_EQ(env_error(), "environment RANK: value 2 is not below WORLD_SIZE 2");
  g.set("RANK", "x");
  EXPECT_EQ(env_error(), "environment RANK: value \"x\" must be an integer in [0, 1048576]");
  g.set("RANK", "0");
  g.set("MASTER_PORT", "70000");
  EXPECT_EQ(env_error(), "environment MASTER_PORT: value \"70000\" must be an integer in [1, 65535]");
}

// The ranks that share this machine, which the memory check before work counts: torchrun's
// LOCAL_WORLD_SIZE, Slurm's tasks per node (or all tasks on one node), every rank when the
// master is on the loopback; unknown (0, not checked) for ranks by hand over machines.
TEST(DistEnv, LocalRanksFromTorchrunSlurmOrALoopbackMaster) {
  EnvGuard g;
  for (const char* k : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "SLURM_PROCID",
                        "SLURM_NTASKS", "SLURM_LOCALID", "SLURM_NTASKS_PER_NODE", "SLURM_JOB_NUM_NODES"})
    g.set(k, nullptr);
  // "N from VARIABLE" of the environment as it is now.
  const auto local = [] {
    const zs::DistEnv e = zs::dist_env_from_environment();
    return std::to_string(e.local_world) + " from " + e.local_world_from;
  };
  EXPECT_EQ(local(), "0 from ");
  g.set("RANK", "0");
  g.set("WORLD_SIZE", "16");
  g.set("MASTER_ADDR", "node0");
  g.set("MASTER_PORT", "29400");
  EXPECT_EQ(local(), "0 from ") << "by hand over several machines: unknown";
  ::setenv("MASTER_ADDR", "127.0.0.1", 1);
  EXPECT_EQ(local(), "16 from WORLD_SIZE");
  g.set("LOCAL_WORLD_SIZE", "8");
  EXPECT_EQ(local(), "8 from LOCAL_WORLD_SIZE");
  ::unsetenv("RANK");
  ::unsetenv("WORLD_SIZE");
  ::unsetenv("LOCAL_WORLD_SIZE");
  ::setenv("MASTER_ADDR", "node0", 1);
  g.set("SLURM_NTASKS", "32");
  g.set("SLURM_PROCID", "0");
  EXPECT_EQ(local(), "0 from ");
  g.set("SLURM_JOB_NUM_NODES", "1");
  EXPECT_EQ(local(), "32 from SLURM_NTASKS");
  g.set("SLURM_NTASKS_PER_NODE", "4");
  EXPECT_EQ(local(), "4 from SLURM_NTASKS_PER_NODE");
}

TEST(DistributedCli, NprocInsideALaunchedRankAndSeedsAreRefused) {
  TempDir tmp("dist_cli");
  const std::string spec = (tmp.path / "spec.json").string();
  zs::atomic_write(spec, spec_text(""));
  const std::string out = (tmp.path / "out").string();
  EXPECT_EQ(finetune("RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=1", spec, out, "--nproc 2"), 2);
  EXPECT_NE(zs::read_file(out + ".txt").find("--nproc: this process is already rank 0 of 2"), std::string::npos)
      << zs::read_file(out + ".txt");
  EXPECT_EQ(finetune("", spec, out, "--nproc 2 --seeds 2"), 2);
  EXPECT_NE(zs::read_file(out + ".txt").find("--seeds: the multi-seed comparison runs on one rank"), std::string::npos)
      << zs::read_file(out + ".txt");
}

// The whole output of a command that must fail with one line: "zoscope-cli: error: ..."
// and nothing else (no c10d log lines, no LibTorch stack trace).
void expect_one_error_line(const std::string& log, const std::string& want) {
  EXPECT_EQ(log.rfind("zoscope-cli: error: " + want, 0), 0u) << log;
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
}

// More ranks than examples per batch: the default of one loss shard per rank was blamed on
// the spec ("distributed.shards: value 4 is more than batch_size 3", a field the spec does
// not have); the ranks are named instead.
TEST(DistributedCli, MoreRanksThanBatchNamesTheRanks) {
  TempDir tmp("dist_ranks");
  const std::string spec = (tmp.path / "spec.json").string();
  zs::atomic_write(spec, spec_text(""));
  const std::string out = (tmp.path / "out").string();
  EXPECT_EQ(finetune("", spec, out, "--nproc 4"), 2);
  expect_one_error_line(zs::read_file(out + ".txt"), "--nproc 4: more ranks than batch_size 3 in " + spec +
                                                         " (each rank's loss shard needs an example): use at most 3 "
                                                         "ranks, or set distributed.shards");
  EXPECT_EQ(finetune("RANK=0 WORLD_SIZE=4 MASTER_ADDR=127.0.0.1 MASTER_PORT=1", spec, out, ""), 2);
  expect_one_error_line(zs::read_file(out + ".txt"), "environment WORLD_SIZE 4: more ranks than batch_size 3");
}

// `--nproc 4096` (and WORLD_SIZE 64 on one machine) started that many processes, each
// loading the model, with no check: refused in one line before any rank starts, naming the
// flag, the estimate per rank and the memory available (ZOSCOPE_MEMORY_LIMIT stands in for
// a small machine: one process of tiny-opt needs ~69 MB with a full direction cache, each
// rank ~260 MB with LibTorch's runtime), or the CPUs when there are more than 4 per CPU.
TEST(DistributedCli, RanksThatDoNotFitThisMachineAreRefusedBeforeAnyStarts) {
  TempDir tmp("dist_fit");
  const std::string spec = (tmp.path / "spec.json").string();
  zs::atomic_write(spec, mezo_spec_text(R"("distributed": {"shards": 1},)", 2));
  const std::string out = (tmp.path / "out").string();
  const auto no_rank_ran = [&] {
    EXPECT_EQ(zs::read_file(out + ".txt").find("started"), std::string::npos) << zs::read_file(out + ".txt");
    EXPECT_FALSE(fs::exists(out + "/runs"));
  };
  EXPECT_EQ(finetune("", spec, out, "--nproc 4096"), 2);
  expect_one_error_line(zs::read_file(out + ".txt"), "--nproc 4096: more than 4 ranks per CPU: this process may use ");
  EXPECT_NE(zs::read_file(out + ".txt").find("; use at most "), std::string::npos);
  no_rank_ran();
  EXPECT_EQ(finetune("ZOSCOPE_MEMORY_LIMIT=100e6", spec, out, "--nproc 2"), 2);
  const std::string log = zs::read_file(out + ".txt");
  expect_one_error_line(log, "--nproc 2: 2 ranks on this machine, each holding the model, need about ");
  for (const char* part : {"(per rank ", ": weights ", ", optimizer state ", ", activations ", ", direction cache ",
                           ", runtime ", "), more than the 100.0 MB of memory available; run one process here"})
    EXPECT_NE(log.find(part), std::string::npos) << part << "\n" << log;
  no_rank_ran();
  // One process fits the same limit.
  EXPECT_EQ(finetune("ZOSCOPE_MEMORY_LIMIT=100e6", spec, out, ""), 0) << zs::read_file(out + ".txt");
  fs::remove_all(out);
  // Rank 0 of torchrun checks the ranks on its machine (here: all 64, the master is local).
  EXPECT_EQ(finetune("ZOSCOPE_MEMORY_LIMIT=2e9 RANK=0 WORLD_SIZE=64 MASTER_ADDR=127.0.0.1 MASTER_PORT=1", spec, out, ""), 2);
  expect_one_error_line(zs::read_file(out + ".txt"), "environment WORLD_SIZE 64: 64 ranks on this machine, each holding the model");
  EXPECT_NE(zs::read_file(out + ".txt").find("more than the 2.0 GB of memory available; use at most "), std::string::npos)
      << zs::read_file(out + ".txt");
  no_rank_ran();
  // landscape --nproc: the same checks.
  EXPECT_EQ(sh(kCli + " landscape " + spec + " --out " + out + " --nproc 4096 > " + out + ".txt 2>&1"), 2);
  expect_one_error_line(zs::read_file(out + ".txt"), "--nproc 4096: more than 4 ranks per CPU");
  EXPECT_EQ(sh("ZOSCOPE_MEMORY_LIMIT=100e6 " + kCli + " landscape " + spec + " --out " + out + " --nproc 2 > " + out + ".txt 2>&1"), 2);
  expect_one_error_line(zs::read_file(out + ".txt"), "--nproc 2: 2 ranks on this machine, each holding the model");
}

// A rank that cannot reach rank 0 printed c10d's retries with LibTorch's C++ stack traces
// (35 lines for an 8 s timeout) before its line; a MASTER_ADDR that does not resolve was
// retried (with a warning every second) until the timeout. Both are one line now.
TEST(DistributedCli, UnreachableOrUnknownMasterIsOneLine) {
  TempDir tmp("dist_master");
  const std::string spec = (tmp.path / "spec.json").string();
  zs::atomic_write(spec, spec_text(R"("distributed": {"timeout_s": 2},)"));
  const std::string out = (tmp.path / "out").string();
  const std::string port = std::to_string(free_port());
  // A rank that cannot join has lost the others (kDistLostRankStatus: a launcher names the
  // rank that failed for its own reason instead).
  EXPECT_EQ(finetune("RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + port, spec, out, ""), zs::kDistLostRankStatus);
  expect_one_error_line(zs::read_file(out + ".txt"), "distributed: rank 1 of 2: joining the process group failed");
  EXPECT_EQ(finetune("RANK=0 WORLD_SIZE=2 MASTER_ADDR=no-such-host.invalid MASTER_PORT=" + port, spec, out, ""), 2);
  expect_one_error_line(zs::read_file(out + ".txt"),
                        "environment MASTER_ADDR: value \"no-such-host.invalid\" does not resolve (");
}

}  // namespace

// Loss shards of similar forward cost (dist_balanced_shards): every example once, no empty
// shard, the longest first, and the largest shard cost (rows x longest row) minimal among
// all cuts of the length-sorted batch into contiguous runs (brute force on small batches).
TEST(DistLaunch, RanksAreBoundToDisjointSlicesOfTheCpus) {
  using V = std::vector<std::vector<int>>;
  EXPECT_EQ(zs::dist_cpu_slices({0, 1}, 2), (V{{0}, {1}}));
  EXPECT_EQ(zs::dist_cpu_slices({0, 1, 2, 3, 4}, 2), (V{{0, 1}, {2, 3, 4}}));
  EXPECT_EQ(zs::dist_cpu_slices({2, 3, 6, 7}, 3), (V{{2}, {3}, {6, 7}}));
  EXPECT_TRUE(zs::dist_cpu_slices({0, 1}, 3).empty());  // fewer CPUs than ranks: nobody bound
  EXPECT_TRUE(zs::dist_cpu_slices({0, 1, 2}, 1).empty());
  // Through the launcher: each rank reads the CPUs it may run on.
  TempDir tmp("dist_bind");
  const std::string dir = tmp.path.string();
  const auto launch = [&] {
    zs::dist_launch({"/bin/sh", "-c", "grep Cpus_allowed_list /proc/self/status > " + dir + "/$RANK.txt"}, 2, 5, {});
    return std::make_pair(zs::read_file(dir + "/0.txt"), zs::read_file(dir + "/1.txt"));
  };
  const V slices = zs::dist_launch_cpu_slices(2);
  if (slices.empty()) GTEST_SKIP() << "fewer than 2 CPUs";
  const auto [r0, r1] = launch();
  EXPECT_NE(r0, r1);
  EXPECT_NE(r0.find("\t" + std::to_string(slices[0].front())), std::string::npos) << r0;
  EXPECT_NE(r1.find("\t" + std::to_string(slices[1].front())), std::string::npos) << r1;
  setenv("ZOSCOPE_BIND_CPUS", "0", 1);
  const auto [u0, u1] = launch();
  unsetenv("ZOSCOPE_BIND_CPUS");
  EXPECT_EQ(u0, u1);  // both the launcher's whole set
}

TEST(DistShards, BalancedShardsMinimiseTheLargestPaddedCost) {
  uint64_t state = 12345;
  const auto next = [&](int64_t lo, int64_t hi) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return lo + static_cast<int64_t>((state >> 33) % static_cast<uint64_t>(hi - lo + 1));
  };
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t n = next(1, 9), shards = next(1, n);
    std::vector<int64_t> idx, rows, cols;
    for (int64_t k = 0; k < n; ++k) {
      idx.push_back(100 + 7 * k);
      rows.push_back(next(1, 3));
      cols.push_back(next(3, 12));
    }
    const auto parts = zs::dist_balanced_shards(idx, rows, cols, shards);
    ASSERT_EQ(static_cast<int64_t>(parts.size()), shards);
    std::vector<int64_t> seen;
    int64_t worst = 0;
    const auto pos = [&](int64_t e) { return (e - 100) / 7; };
    for (const auto& p : parts) {
      ASSERT_FALSE(p.empty());
      int64_t r = 0, c = 0;
      for (int64_t e : p) {
        seen.push_back(e);
        r += rows[static_cast<size_t>(pos(e))];
        c = std::max(c, cols[static_cast<size_t>(pos(e))]);
      }
      worst = std::max(worst, r * c);
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, idx);
    for (size_t s = 1; s < parts.size(); ++s)  // shard s holds examples no longer than shard s - 1's
      EXPECT_GE(cols[static_cast<size_t>(pos(parts[s - 1].back()))], cols[static_cast<size_t>(pos(parts[s].front()))]);
    // Brute force: every way to cut the sorted order into `shards` non-empty runs.
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) order[static_cast<size_t>(k)] = k;
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return cols[static_cast<size_t>(a)] > cols[static_cast<size_t>(b)]; });
    int64_t best = INT64_MAX;
    for (uint32_t m = 0; m < (1u << (n - 1)); ++m) {
      if (__builtin_popcount(m) != shards - 1) continue;
      int64_t r = 0, c = 0, w = 0;
      for (int64_t k = 0; k < n; ++k) {
        r += rows[static_cast<size_t>(order[static_cast<size_t>(k)])];
        c = std::max(c, cols[static_cast<size_t>(order[static_cast<size_t>(k)])]);
        if (k == n - 1 || (m >> k) & 1u) {
          w = std::max(w, r * c);
          r = c = 0;
        }
      }
      best = std::min(best, w);
    }
    EXPECT_EQ(worst, best) << "trial " << trial;
  }
  EXPECT_THROW(zs::dist_balanced_shards({1, 2}, {1, 1}, {3, 4}, 3), zs::Error);
}
