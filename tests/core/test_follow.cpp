// Following a run folder that another process writes (core/run/follow.h): a step log that
// grows line by line (a torn last line is held back), is truncated, is replaced by an
// atomic rewrite (--resume), is rewritten in place, and disappears and comes back.
#include <gtest/gtest.h>
#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include "core/run/follow.h"
#include "core/run/record.h"
#include "core/run/step_log.h"
#include "core/util/atomic_file.h"

namespace {

namespace fs = std::filesystem;

struct Dir {
  fs::path path;
  Dir() {
    path = fs::temp_directory_path() / ("zs_follow_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Dir() { fs::remove_all(path); }
};

void append(const fs::path& p, const std::string& s) {
  std::ofstream o(p, std::ios::app | std::ios::binary);
  o << s;
}

std::string step(int64_t t, double loss) {
  zs::StepLogRecord r;
  r.t = t;
  r.fp = 2 * t;
  r.seed = 7;
  r.p = 0.5;
  r.lr = 1e-3;
  r.loss = loss;
  r.losses = {loss + 0.1, loss - 0.1};
  return zs::step_log_line(r);
}

using Ev = zs::FileTail::Event;

TEST(FileTail, GrowsTruncatesIsReplacedAndDisappears) {
  Dir d;
  const fs::path f = d.path / "log";
  zs::FileTail tail(f.string());
  std::vector<std::string> lines;
  EXPECT_EQ(tail.poll(lines), Ev::Missing);
  append(f, "a\nb\npar");
  EXPECT_EQ(tail.poll(lines), Ev::Appended);
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b"}));  // the torn line waits
  EXPECT_EQ(tail.poll(lines), Ev::None);
  append(f, "tial\nc\n");
  EXPECT_EQ(tail.poll(lines), Ev::Appended);
  EXPECT_EQ(lines, (std::vector<std::string>{"partial", "c"}));
  // Truncated to something shorter: start over.
  { std::ofstream o(f, std::ios::trunc | std::ios::binary); o << "a\n"; }
  EXPECT_EQ(tail.poll(lines), Ev::Reset);
  EXPECT_EQ(lines, (std::vector<std::string>{"a"}));
  // Replaced atomically by a longer file with the same first line (a new inode).
  zs::atomic_write(f.string(), "a\nx\ny\nz\nw\n");
  EXPECT_EQ(tail.poll(lines), Ev::Reset);
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "x", "y", "z", "w"}));
  // Rewritten in place, longer, different start: the first bytes tell.
  { std::ofstream o(f, std::ios::in | std::ios::out | std::ios::binary); o << "Q"; }
  EXPECT_EQ(tail.poll(lines), Ev::Reset);
  EXPECT_EQ(lines.front(), "Q");
  fs::remove(f);
  EXPECT_EQ(tail.poll(lines), Ev::Missing);
  append(f, "again\n");
  EXPECT_EQ(tail.poll(lines), Ev::Appended);
  EXPECT_EQ(lines, (std::vector<std::string>{"again"}));
}

// The app's live trainer reopens a restarted run's log with "wb" (truncated in place, the
// same inode). A slider that halves the learning rate changes only the exponent at the end
// of each line's lr, past the first 64 bytes; by the next poll the new log may be longer
// than what was read. The follower must start over, not go on mid-line in the new file.
TEST(FileTail, RewrittenInPlaceWithTheSameFirstBytesStartsOver) {
  Dir d;
  const fs::path f = d.path / "log";
  const auto line = [](int t, const char* lr) {
    return "S " + std::to_string(t) + " " + std::to_string(2 * t) + " 0 12345678901234567890 -0x1.0ee6b1f1b0f96p-1 " +
           lr + " 0x1.c" + std::to_string(t) + "p-1\n";
  };
  std::string old_text, new_text;
  for (int t = 1; t <= 3; ++t) old_text += line(t, "0x1.0624dd2f1a9fcp-10");
  for (int t = 1; t <= 6; ++t) new_text += line(t, "0x1.0624dd2f1a9fcp-9");
  ASSERT_EQ(old_text.substr(0, 64), new_text.substr(0, 64));
  append(f, old_text);
  zs::FileTail tail(f.string());
  std::vector<std::string> lines;
  ASSERT_EQ(tail.poll(lines), Ev::Appended);
  ASSERT_EQ(lines.size(), 3u);
  { std::ofstream o(f, std::ios::trunc | std::ios::binary); o << new_text; }  // "wb": the same inode
  EXPECT_EQ(tail.poll(lines), Ev::Reset);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines.front() + "\n", line(1, "0x1.0624dd2f1a9fcp-9"));
  EXPECT_EQ(tail.poll(lines), Ev::None);
  // Growing as before still appends.
  append(f, line(7, "0x1.0624dd2f1a9fcp-9"));
  EXPECT_EQ(tail.poll(lines), Ev::Appended);
  EXPECT_EQ(lines.size(), 1u);
}

TEST(RunFollower, RowsFromStepLogsThroughGrowthResumeAndDeletion) {
  Dir d;
  zs::RunFollower f(d.path.string());
  EXPECT_FALSE(f.poll());
  EXPECT_NE(f.status().find("no runs/ folder"), std::string::npos);
  fs::create_directories(d.path / "runs" / "mezo");
  fs::create_directories(d.path / "runs" / "adam");
  const fs::path m = d.path / "runs" / "mezo" / "steps.log";
  append(m, step(1, 0.9) + step(2, 0.8) + "E 2 4 0x1p-1 0x1p-1\n" + step(3, 0.7).substr(0, 10));
  ASSERT_TRUE(f.poll());
  ASSERT_EQ(f.records().size(), 2u);
  const zs::RunRecord& r = f.records()[1];
  EXPECT_EQ(f.records()[0].label, "adam");
  EXPECT_EQ(r.label, "mezo");
  ASSERT_EQ(r.rows.size(), 3u);  // the start row, steps 1 and 2 (step 3 is torn)
  EXPECT_EQ(r.rows[2].step, 2);
  EXPECT_EQ(r.rows[2].fp, 4);
  EXPECT_EQ(r.rows[2].loss, 0.8);
  EXPECT_EQ(r.rows[2].loss_plus, 0.8 + 0.1);
  EXPECT_EQ(r.rows[2].dev_metric, 0.5);
  EXPECT_TRUE(std::isnan(r.rows[1].dev_metric));
  EXPECT_EQ(r.rows[0].loss, 0.9);  // the start: the first step's loss, as live runs show it
  EXPECT_NE(f.status().find("1 step log(s) missing"), std::string::npos) << f.status();  // adam has none yet
  append(m, step(3, 0.7).substr(10) + "garbage line\n");
  ASSERT_TRUE(f.poll());
  EXPECT_EQ(f.records()[1].rows.back().step, 3);
  EXPECT_NE(f.status().find("1 malformed line(s) skipped"), std::string::npos) << f.status();
  EXPECT_FALSE(f.poll());
  // --resume rewrites the log with the steps up to its checkpoint (a new file).
  zs::atomic_write(m.string(), step(1, 0.9) + step(2, 0.85));
  ASSERT_TRUE(f.poll());
  ASSERT_EQ(f.records()[1].rows.size(), 3u);
  EXPECT_EQ(f.records()[1].rows.back().loss, 0.85);
  // The folder disappears: the last rows stay, marked missing.
  fs::remove_all(d.path / "runs");
  ASSERT_TRUE(f.poll());
  EXPECT_EQ(f.records()[1].rows.size(), 3u);
  EXPECT_NE(f.status().find("2 step log(s) missing"), std::string::npos) << f.status();
}

// The run record (record.csv, rewritten at checkpoints) adds the step-size quantiles and
// path length for the steps it covers; the logged losses follow the rows, and a log that
// starts over bumps the generation (a replay onto a plane starts over with it).
TEST(RunFollower, RunRecordAddsStepSizesAndLossesFollowTheLog) {
  Dir d;
  fs::create_directories(d.path / "runs" / "mezo");
  const fs::path m = d.path / "runs" / "mezo" / "steps.log";
  append(m, step(1, 0.9) + step(2, 0.8) + step(3, 0.7));
  zs::RunRecord csv;
  csv.label = "mezo";
  csv.optimizer = "zo_sgd";
  for (int64_t t = 0; t <= 2; ++t) {
    zs::StepRow r;
    r.step = t;
    r.fp = 2 * t;
    r.loss = 1.0 - 0.1 * static_cast<double>(t);
    r.alpha_q25 = 1e-3 * static_cast<double>(t);
    r.alpha_median = 2e-3 * static_cast<double>(t);
    r.alpha_q75 = 3e-3 * static_cast<double>(t);
    r.path_length = 0.5 * static_cast<double>(t);
    csv.rows.push_back(r);
  }
  zs::atomic_write((d.path / "runs" / "mezo" / "record.csv").string(), zs::records_to_csv({csv}));
  zs::RunFollower f(d.path.string());
  ASSERT_TRUE(f.poll());
  ASSERT_EQ(f.records().size(), 1u);
  const zs::RunRecord& r = f.records()[0];
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.optimizer, "zo_sgd");  // the record's, not the folder name
  EXPECT_EQ(r.rows[2].alpha_median, 4e-3);
  EXPECT_EQ(r.rows[2].path_length, 1.0);
  EXPECT_TRUE(std::isnan(r.rows[3].alpha_median));  // past the record's last step: the log alone
  ASSERT_EQ(f.logs().size(), 1u);
  const uint64_t gen = f.logs()[0].generation;
  ASSERT_EQ(f.logs()[0].losses.size(), 3u);
  EXPECT_EQ(f.logs()[0].losses[1], (std::vector<double>{0.8 + 0.1, 0.8 - 0.1}));
  EXPECT_FALSE(f.logs()[0].complete);
  // A record that does not parse keeps the last good one and is counted.
  zs::atomic_write((d.path / "runs" / "mezo" / "record.csv").string(), "not a run record\n");
  f.poll();
  EXPECT_EQ(f.records()[0].rows[2].alpha_median, 4e-3);
  EXPECT_NE(f.status().find("1 unreadable run record(s)"), std::string::npos) << f.status();
  // Truncated: rows, losses and generation start over.
  zs::atomic_write(m.string(), step(1, 0.95));
  append(d.path / "runs" / "mezo" / "result.json", "{}");
  ASSERT_TRUE(f.poll());
  EXPECT_EQ(f.records()[0].rows.size(), 2u);
  EXPECT_EQ(f.logs()[0].losses.size(), 1u);
  EXPECT_NE(f.logs()[0].generation, gen);
  EXPECT_TRUE(f.logs()[0].complete);
  EXPECT_NE(f.status().find("mezo step 1 (done)"), std::string::npos) << f.status();
}

}  // namespace
