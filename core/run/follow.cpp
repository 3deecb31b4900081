// Following a run folder (see follow.h).
#include "core/run/follow.h"
#include <sys/stat.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include "core/run/step_log.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs {

namespace fs = std::filesystem;

namespace {
constexpr size_t kHead = 64;  // bytes compared to notice a file rewritten in place
}

FileTail::Event FileTail::poll(std::vector<std::string>& lines) {
  lines.clear();
  struct stat st {};
  std::ifstream in;
  if (::stat(path_.c_str(), &st) == 0) in.open(path_, std::ios::binary);
  if (!in.is_open()) {
    open_ = false;  // when it comes back, it is read from its start
    offset_ = 0;
    head_.clear();
    tail_.clear();
    return Event::Missing;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  std::string head(std::min<uint64_t>(kHead, size), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  // Replaced (a new inode: an atomic rewrite), truncated, or rewritten in place (its first
  // bytes, or the last bytes read before, changed; the app's live trainer reopens a
  // restarted run's log with "wb", and a new lr may differ from the old only late in each
  // line): start over.
  const size_t common = std::min(head.size(), head_.size());
  bool reset = open_ && (st.st_ino != ino_ || st.st_dev != dev_ || size < offset_ ||
                         head.compare(0, common, head_, 0, common) != 0);
  if (open_ && !reset && !tail_.empty()) {
    std::string now(tail_.size(), '\0');
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset_ - tail_.size()));
    in.read(now.data(), static_cast<std::streamsize>(now.size()));
    reset = static_cast<size_t>(in.gcount()) != now.size() || now != tail_;
  }
  const bool fresh = !open_ || reset;
  if (fresh) {
    offset_ = 0;
    tail_.clear();
  }
  open_ = true;
  ino_ = st.st_ino;
  dev_ = st.st_dev;
  head_ = head;
  if (size > offset_) {
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string text(size - offset_, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    const size_t last_nl = text.rfind('\n');
    if (last_nl != std::string::npos) {
      size_t pos = 0;
      while (pos <= last_nl) {
        const size_t nl = text.find('\n', pos);
        lines.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
      }
      offset_ += last_nl + 1;
      const size_t keep = std::min(last_nl + 1, kHead);
      tail_ += text.substr(last_nl + 1 - keep, keep);
      if (tail_.size() > kHead) tail_.erase(0, tail_.size() - kHead);
    }
  }
  if (reset) return Event::Reset;
  return lines.empty() ? (fresh ? Event::Appended : Event::None) : Event::Appended;
}

// record.csv is rewritten atomically (checkpoints, the end): read again when its size or
// time changed; a file that does not parse keeps the rows read before (counted).
bool RunFollower::poll_record_csv(Run& r, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const bool had = r.csv_size >= 0;
    r.csv_size = -1;
    r.csv = RunRecord{};
    return had;
  }
  const int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  if (static_cast<int64_t>(st.st_size) == r.csv_size && mtime == r.csv_mtime) return false;
  r.csv_size = static_cast<int64_t>(st.st_size);
  r.csv_mtime = mtime;
  try {
    std::vector<RunRecord> recs = records_from_csv(read_file(path), path);
    if (recs.size() != 1) fail(path, "expected one run, found " + std::to_string(recs.size()));
    r.csv = std::move(recs[0]);
  } catch (const Error&) {
    ++bad_records_;  // torn through a mount, or not a run record: the last good one stays
    return false;
  }
  return true;
}

bool RunFollower::poll() {
  std::error_code ec;
  const fs::path runs_dir = fs::path(dir_) / "runs";
  std::vector<std::string> labels;
  dir_missing_ = !fs::is_directory(runs_dir, ec);
  if (!dir_missing_)
    for (const auto& e : fs::directory_iterator(runs_dir, ec))
      if (e.is_directory(ec)) labels.push_back(e.path().filename().string());
  std::sort(labels.begin(), labels.end());
  bool changed = false;
  // New runs appear; runs whose folder went away stay (their last rows) and are marked.
  for (const std::string& l : labels) {
    const bool known = std::any_of(runs_.begin(), runs_.end(), [&](const Run& r) { return r.rec.label == l; });
    if (known) continue;
    Run r{FileTail((runs_dir / l / "steps.log").string()), {}, {}, -1, 0, {}};
    r.rec.label = l;
    r.rec.optimizer = l;
    r.rec.rows.push_back(StepRow{});
    runs_.push_back(std::move(r));
    changed = true;
  }
  std::sort(runs_.begin(), runs_.end(), [](const Run& a, const Run& b) { return a.rec.label < b.rec.label; });
  std::vector<std::string> lines;
  for (Run& r : runs_) {
    const fs::path run_dir = runs_dir / r.rec.label;
    changed |= poll_record_csv(r, (run_dir / "record.csv").string());
    const bool complete = fs::exists(run_dir / "result.json", ec);
    changed |= complete != r.log.complete;
    r.log.complete = complete;
    const FileTail::Event ev = r.tail.poll(lines);
    const bool missing = ev == FileTail::Event::Missing;
    changed |= missing != r.log.missing;
    r.log.missing = missing;
    if (missing || ev == FileTail::Event::None) continue;
    // Starting over: the rows, the losses, and a new generation for the losses' consumers.
    const auto restart = [&] {
      r.rec.rows.resize(1);
      r.log.losses.clear();
      ++r.log.generation;
    };
    if (ev == FileTail::Event::Reset) restart();
    for (const std::string& line : lines) {
      StepLogRecord s;
      try {
        s = step_log_parse_line(line, r.tail.path());
      } catch (const Error&) {
        ++bad_lines_;
        continue;
      }
      if (s.kind == 'E') {
        for (auto it = r.rec.rows.rbegin(); it != r.rec.rows.rend(); ++it)
          if (it->step == s.t) {
            it->dev_metric = s.dev_accuracy;
            break;
          }
        continue;
      }
      if (s.t <= r.rec.rows.back().step) restart();  // a restarted log: keep it monotone
      StepRow row;
      row.step = s.t;
      row.fp = s.fp;
      row.bp = s.bp;
      row.loss = s.loss;
      row.p = s.p;
      if (s.losses.size() == 2) {  // two-sided single-query methods: l+, l-
        row.loss_plus = s.losses[0];
        row.loss_minus = s.losses[1];
      }
      // The start's loss, as the app's live runs show it: the first step's (its minibatch at theta_0).
      if (r.rec.rows.size() == 1) r.rec.rows[0].loss = s.loss;
      r.rec.rows.push_back(row);
      r.log.losses.push_back(std::move(s.losses));
    }
    changed = true;
  }
  if (changed) {
    records_.clear();
    logs_.clear();
    for (size_t i = 0; i < runs_.size(); ++i) {
      const Run& r = runs_[i];
      RunRecord out = r.rec;
      out.index = static_cast<int>(i);
      // What only the run record has, for the steps it covers (its rows are steps 0..n).
      if (!r.csv.rows.empty()) {
        if (!r.csv.optimizer.empty()) out.optimizer = r.csv.optimizer;
        for (StepRow& row : out.rows) {
          const size_t k = static_cast<size_t>(row.step);
          if (k >= r.csv.rows.size() || r.csv.rows[k].step != row.step) continue;
          const StepRow& c = r.csv.rows[k];
          row.update_norm = c.update_norm;
          row.path_length = c.path_length;
          row.alpha_min = c.alpha_min;
          row.alpha_q25 = c.alpha_q25;
          row.alpha_median = c.alpha_median;
          row.alpha_q75 = c.alpha_q75;
          row.alpha_max = c.alpha_max;
          row.cos_grad = c.cos_grad;
        }
      }
      records_.push_back(std::move(out));
      logs_.push_back(r.log);
    }
  }
  return changed;
}

std::string RunFollower::status() const {
  if (dir_missing_ && runs_.empty()) return dir_ + ": no runs/ folder (yet)";
  std::string s = std::to_string(runs_.size()) + (runs_.size() == 1 ? " run" : " runs");
  int missing = 0;
  for (const Run& r : runs_) {
    missing += r.log.missing;
    s += ", " + r.rec.label + " step " + std::to_string(r.rec.rows.back().step) + (r.log.complete ? " (done)" : "");
  }
  if (missing) s += "; " + std::to_string(missing) + " step log(s) missing";
  if (bad_lines_) s += "; " + std::to_string(bad_lines_) + " malformed line(s) skipped";
  if (bad_records_) s += "; " + std::to_string(bad_records_) + " unreadable run record(s)";
  return s;
}

}  // namespace zs
