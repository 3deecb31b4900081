// Following a run folder (see follow.h).
#include "core/run/follow.h"
#include <sys/stat.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include "core/run/step_log.h"
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
    return Event::Missing;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  std::string head(std::min<uint64_t>(kHead, size), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  // Replaced (a new inode: an atomic rewrite), truncated, or rewritten in place (its first
  // bytes changed): start over.
  const size_t common = std::min(head.size(), head_.size());
  const bool reset = open_ && (st.st_ino != ino_ || st.st_dev != dev_ || size < offset_ ||
                               head.compare(0, common, head_, 0, common) != 0);
  const bool fresh = !open_ || reset;
  if (fresh) offset_ = 0;
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
    }
  }
  if (reset) return Event::Reset;
  return lines.empty() ? (fresh ? Event::Appended : Event::None) : Event::Appended;
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
    Run r{FileTail((runs_dir / l / "steps.log").string()), {}, false};
    r.rec.label = l;
    r.rec.optimizer = l;
    r.rec.rows.push_back(StepRow{});
    runs_.push_back(std::move(r));
    changed = true;
  }
  std::sort(runs_.begin(), runs_.end(), [](const Run& a, const Run& b) { return a.rec.label < b.rec.label; });
  std::vector<std::string> lines;
  for (Run& r : runs_) {
    const FileTail::Event ev = r.tail.poll(lines);
    const bool missing = ev == FileTail::Event::Missing;
    changed |= missing != r.missing;
    r.missing = missing;
    if (missing || ev == FileTail::Event::None) continue;
    if (ev == FileTail::Event::Reset) r.rec.rows.resize(1);
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
      if (s.t <= r.rec.rows.back().step) r.rec.rows.resize(1);  // a restarted log: keep it monotone
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
      r.rec.rows.push_back(row);
    }
    changed = true;
  }
  if (changed) {
    records_.clear();
    for (size_t i = 0; i < runs_.size(); ++i) {
      records_.push_back(runs_[i].rec);
      records_.back().index = static_cast<int>(i);
    }
  }
  return changed;
}

std::string RunFollower::status() const {
  if (dir_missing_ && runs_.empty()) return dir_ + ": no runs/ folder (yet)";
  std::string s = std::to_string(runs_.size()) + (runs_.size() == 1 ? " run" : " runs");
  int missing = 0;
  for (const Run& r : runs_) {
    missing += r.missing;
    s += ", " + r.rec.label + " step " + std::to_string(r.rec.rows.back().step);
  }
  if (missing) s += "; " + std::to_string(missing) + " step log(s) missing";
  if (bad_lines_) s += "; " + std::to_string(bad_lines_) + " malformed line(s) skipped";
  return s;
}

}  // namespace zs
