// Following a run that another process writes (the app's File > Follow run directory): a
// fine-tune started by `zoscope-cli finetune` in another terminal or on a cluster with the
// folder mounted. Read-only; robust to the files growing, being truncated or replaced
// (--resume rewrites a step log atomically), or disappearing.
#pragma once
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>
#include "core/run/record.h"

namespace zs {

// The complete lines appended to a text file since the last poll.
class FileTail {
 public:
  enum class Event {
    None,      // nothing new
    Appended,  // `lines` holds the new complete lines
    Reset,     // truncated or replaced: `lines` holds all its lines; drop what came before
    Missing,   // the file does not exist (or cannot be read) now
  };
  explicit FileTail(std::string path) : path_(std::move(path)) {}
  // A last line without its newline is held back until it is complete.
  Event poll(std::vector<std::string>& lines);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool open_ = false;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  uint64_t offset_ = 0;   // bytes consumed (complete lines)
  std::string head_;      // the file's first bytes as last read (detects a rewrite in place)
  std::string tail_;      // the last bytes consumed, up to offset_ (a rewrite in place that kept the first bytes)
};

// What a followed run's step log holds beyond its rows: the loss evaluations of every
// step in call order (what a replay onto a loss plane consumes, plane.h RunReplay), and
// a generation that changes whenever the log started over (truncated, replaced by
// --resume, restarted), so a consumer of `losses` knows to start over too.
struct FollowedLog {
  std::vector<std::vector<double>> losses;  // losses[k]: step k + 1 (rows[k + 1])
  uint64_t generation = 0;
  bool missing = false;   // the step log is not there now (its last rows stay)
  bool complete = false;  // runs/<label>/result.json exists: the run finished
};

// A fine-tune's output folder: one RunRecord per DIR/runs/<label>/steps.log (label order),
// with rows from its step records (step, FP, BP, loss, p, probe losses) and the dev metric
// of its evaluation records. The run record DIR/runs/<label>/record.csv, rewritten at
// checkpoints and at the end, adds what the step log lacks for the steps it covers: the
// effective step-size quantiles, update norm and path length, and the optimizer id.
class RunFollower {
 public:
  explicit RunFollower(std::string dir) : dir_(std::move(dir)) {}
  // Reads what changed; true when any record changed. Malformed lines are skipped and
  // counted (a writer on another machine may show a torn line through the mount).
  bool poll();
  const std::vector<RunRecord>& records() const { return records_; }
  const std::vector<FollowedLog>& logs() const { return logs_; }  // parallel to records()
  const std::string& dir() const { return dir_; }
  std::string spec_path() const { return dir_ + "/spec.json"; }  // the spec the runs were started with
  // One line for the app: "3 runs, step 120 (mezo), 1 log missing" or why nothing is shown.
  std::string status() const;

 private:
  struct Run {
    FileTail tail;
    RunRecord rec;
    FollowedLog log;
    // record.csv as last read: its size and modification time, and its rows.
    int64_t csv_size = -1, csv_mtime = 0;
    RunRecord csv;
  };
  bool poll_record_csv(Run& r, const std::string& path);
  std::string dir_;
  std::vector<Run> runs_;
  std::vector<RunRecord> records_;
  std::vector<FollowedLog> logs_;
  int64_t bad_lines_ = 0, bad_records_ = 0;
  bool dir_missing_ = false;
};

}  // namespace zs
