// Recompute lanes: see recompute.h. Locking: mu_ guards the pending jobs, the stream and
// the finished grid; workers take it only to hand over rows (every ~50 ms per run).
#include "app/gui/recompute.h"
#include "core/util/error.h"
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

namespace zs::gui {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<std::string> run_input_keys(const Experiment& e) {
  // Everything a run's rows depend on: the experiment less what only names or draws it
  // (names, export, target, colours, contours, the colour scale) and the run's own spec
  // less its label, colour and visibility. Not its index: every run draws from the same
  // seed (RunStepper uses the index only to name errors), so a duplicated run or one that
  // moved up when another was removed is a cache hit.
  nlohmann::json j = experiment_to_json(e);
  for (const char* k : {"name", "description", "export", "target_loss"}) j.erase(k);
  if (j.contains("view"))
    for (const char* k : {"colormap", "contours", "grid", "show_probes", "log_colour"}) j["view"].erase(k);
  nlohmann::json runs = j["runs"];
  j.erase("runs");
  std::vector<std::string> keys;
  for (size_t i = 0; i < runs.size(); ++i) {
    nlohmann::json r = runs[i];
    for (const char* k : {"label", "colour", "visible"}) r.erase(k);
    j["run"] = r;
    keys.push_back(j.dump());
  }
  return keys;
}

Recompute::Recompute(int threads) : threads_(threads) {
  runs_thread_ = std::thread([this] { runs_loop(); });
  grid_thread_ = std::thread([this] { grid_loop(); });
}

Recompute::~Recompute() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
    runs_cancel_ = true;
  }
  cv_.notify_all();
  runs_thread_.join();
  grid_thread_.join();
}

uint64_t Recompute::submit_runs(const Experiment& e) {
  auto job = std::make_unique<RunsJob>();
  job->exp = e;
  std::lock_guard<std::mutex> lk(mu_);
  job->id = ++next_id_;
  runs_pending_ = std::move(job);
  // The job in flight is stale now. A cheap one still finishes, so that a slider drag
  // shows a result every job-time instead of none until the drag stops; one that has run
  // for kCancelAfter already is cancelled (run_job checks runs_newer_ as it steps).
  runs_newer_ = true;
  if (runs_busy_ && steady_seconds() - stream_.started > kCancelAfter) runs_cancel_ = true;
  cv_.notify_all();
  return next_id_;
}

uint64_t Recompute::submit_grid(const Experiment& e, const double domain[4], int n) {
  auto job = std::make_unique<GridJob>();
  job->exp = e;
  std::copy(domain, domain + 4, job->domain);
  job->n = n;
  std::lock_guard<std::mutex> lk(mu_);
  job->id = ++next_id_;
  grid_pending_ = std::move(job);
  cv_.notify_all();
  return next_id_;
}

bool Recompute::idle() const {
  std::lock_guard<std::mutex> lk(mu_);
  return !runs_pending_ && !runs_busy_ && !grid_pending_ && !grid_busy_;
}

bool Recompute::wait_idle(double timeout_s) const {
  std::unique_lock<std::mutex> lk(mu_);
  return idle_cv_.wait_for(lk, std::chrono::duration<double>(timeout_s),
                           [&] { return !runs_pending_ && !runs_busy_ && !grid_pending_ && !grid_busy_; });
}

void Recompute::runs_loop() {
  for (;;) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return stop_ || runs_pending_; });
    if (stop_) return;
    std::unique_ptr<RunsJob> job = std::move(runs_pending_);
    runs_busy_ = true;
    runs_cancel_ = false;
    runs_newer_ = false;
    stream_ = Stream{};
    stream_.job = job->id;
    stream_.started = steady_seconds();
    lk.unlock();
    const double t0 = steady_seconds();
    run_job(*job);
    const double took = steady_seconds() - t0;
    lk.lock();
    runs_busy_ = false;
    idle_cv_.notify_all();
    // Back-to-back jobs (a slider being dragged) rest as long as the last one ran, up to
    // 50 ms: recomputation takes at most half the CPU and the frames keep the rest (the UI
    // and the software rasteriser share the same cores). Newer jobs replace the waiting one.
    if (runs_pending_ && !stop_) cv_.wait_for(lk, std::chrono::duration<double>(std::min(took, kRest)), [&] { return stop_; });
  }
}

void Recompute::run_job(RunsJob& job) {
  const double t0 = steady_seconds();
  try {
    const Scene scene = scene_make(job.exp);
    const int n = static_cast<int>(job.exp.runs.size());
    const std::vector<std::string> keys = run_input_keys(job.exp);
    {
      std::lock_guard<std::mutex> lk(mu_);
      stream_.runs.resize(static_cast<size_t>(n));
      stream_.done.assign(static_cast<size_t>(n), 0);
      // Runs whose inputs are unchanged are served from the cache at once; only the others
      // are recomputed (one slider moved on an N-D scene recomputes one run, not all).
      for (int i = 0; i < n; ++i) {
        const auto it = cache_.find(keys[static_cast<size_t>(i)]);
        if (it == cache_.end()) continue;
        it->second.used = ++cache_clock_;
        RunRecord& out = stream_.runs[static_cast<size_t>(i)];
        out = *it->second.rec;
        const RunSpec& spec = job.exp.runs[static_cast<size_t>(i)];
        out.label = spec.label;
        out.colour = spec.colour;
        out.visible = spec.visible;
        out.index = i;
        stream_.done[static_cast<size_t>(i)] = 1;
        ++cache_hits_;
      }
      // The cache keeps what the last jobs used: this job's hits, what it computes, and the
      // most recently used of the rest (so what it holds does not depend on key order).
      const std::set<std::string> used(keys.begin(), keys.end());
      while (cache_.size() > 2 * keys.size() + 8) {
        auto oldest = cache_.end();
        for (auto it = cache_.begin(); it != cache_.end(); ++it)
          if (!used.count(it->first) && (oldest == cache_.end() || it->second.used < oldest->second.used)) oldest = it;
        if (oldest == cache_.end()) break;
        cache_.erase(oldest);
      }
    }
    parallel_for(n, threads_, [&](int i) {
      if (runs_cancel_.load(std::memory_order_relaxed)) return;
      {
        std::lock_guard<std::mutex> lk(mu_);
        if (stream_.done[static_cast<size_t>(i)]) return;
      }
      const std::unique_ptr<Landscape> own = scene.landscape->clone();
      RunStepper st(job.exp, scene, i, own.get());
      size_t sent = 0;
      double last = steady_seconds();
      const auto flush = [&] {
        const std::vector<StepRow>& rows = st.record().rows;
        std::lock_guard<std::mutex> lk(mu_);
        RunRecord& out = stream_.runs[static_cast<size_t>(i)];
        if (sent == 0) out = st.record();
        else out.rows.insert(out.rows.end(), rows.begin() + static_cast<std::ptrdiff_t>(sent), rows.end());
        sent = rows.size();
      };
      while (st.step()) {
        if (runs_cancel_.load(std::memory_order_relaxed)) return;
        // Checking the clock every 128 steps keeps the hand-over cost out of cheap runs.
        if ((st.record().rows.size() & 127) == 0) {
          const double t = steady_seconds();
          if (runs_newer_.load(std::memory_order_relaxed) && t - t0 > kCancelAfter) {
            runs_cancel_ = true;
            return;
          }
          if (t - last > 0.5 * kStreamInterval) {
            flush();
            last = t;
          }
        }
      }
      RunRecord rec = st.take();
      std::lock_guard<std::mutex> lk(mu_);
      // A finished run is cached even if the job is cancelled later (its rows are whole).
      cache_[keys[static_cast<size_t>(i)]] = Cached{std::make_shared<const RunRecord>(rec), ++cache_clock_};
      stream_.runs[static_cast<size_t>(i)] = std::move(rec);
      stream_.done[static_cast<size_t>(i)] = 1;
    });
    std::lock_guard<std::mutex> lk(mu_);
    if (runs_cancel_.load()) {
      stream_ = Stream{};  // nothing of a cancelled job is ever shown
      return;
    }
    stream_.complete = true;
    stream_.ms = (steady_seconds() - t0) * 1e3;
  } catch (const std::exception& err) {
    std::lock_guard<std::mutex> lk(mu_);
    stream_.error = error_line(err);
    stream_.complete = true;
  }
}

void Recompute::grid_loop() {
  for (;;) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return stop_ || grid_pending_; });
    if (stop_) return;
    std::unique_ptr<GridJob> job = std::move(grid_pending_);
    grid_busy_ = true;
    lk.unlock();
    std::shared_ptr<Grid> grid;
    ColourScale scale;
    std::string error;
    try {
      Scene s = scene_make(job->exp);
      std::copy(job->domain, job->domain + 4, s.domain);
      grid = std::make_shared<Grid>(grid_compute(s, job->n, job->n, threads_));
      scale = colour_scale(grid->v, s.log_colour);
    } catch (const std::exception& err) {
      error = error_line(err);
    }
    lk.lock();
    // A stale grid is still delivered: while panning it is closer than the last one.
    if (grid) {
      grid_out_ = std::move(grid);
      scale_out_ = scale;
    }
    grid_error_ = error;
    grid_ready_ = true;
    grid_busy_ = false;
    idle_cv_.notify_all();
  }
}

bool Recompute::poll(Results& r) {
  std::lock_guard<std::mutex> lk(mu_);
  bool changed = false;
  if (grid_ready_) {
    grid_ready_ = false;
    r.grid_error = grid_error_;
    if (grid_out_ && grid_out_ != r.grid) {
      r.grid = grid_out_;
      r.scale = scale_out_;
      ++r.grid_serial;
    }
    changed = true;
  }
  Stream& s = stream_;
  if (s.job == 0) return changed;
  if (s.complete) {
    if (r.runs_job == s.job && r.runs_complete) return changed;
    r.runs_job = s.job;
    r.runs_complete = true;
    r.runs_error = s.error;
    if (s.error.empty()) {
      r.runs = std::move(s.runs);
      r.runs_ms = s.ms;
    }
    ++r.runs_serial;
    return true;
  }
  // Rows of a job that a newer one replaces are not streamed (it may be cancelled).
  if (runs_cancel_.load() || runs_newer_.load() || steady_seconds() - s.started < kStreamInterval) return changed;
  // Streamed rows are handed out every kStreamInterval, and only when there are new ones
  // (each hand-out makes the views redraw every path).
  const double now = steady_seconds();
  if (r.runs_job == s.job && now - last_stream_ < kStreamInterval) return changed;
  last_stream_ = now;
  bool grew = false;
  if (r.runs_job != s.job) {
    r.runs = s.runs;
    r.runs_job = s.job;
    r.runs_complete = false;
    r.runs_error.clear();
    grew = true;
  } else {
    r.runs.resize(s.runs.size());
    for (size_t i = 0; i < s.runs.size(); ++i) {
      const RunRecord& src = s.runs[i];
      RunRecord& dst = r.runs[i];
      if (s.done[i] || dst.rows.empty()) {
        if (src.rows.size() != dst.rows.size() || src.diverged != dst.diverged || src.final_x != dst.final_x) {
          dst = src;
          grew = true;
        }
      } else if (src.rows.size() > dst.rows.size()) {
        dst.rows.insert(dst.rows.end(), src.rows.begin() + static_cast<std::ptrdiff_t>(dst.rows.size()), src.rows.end());
        grew = true;
      }
    }
  }
  if (!grew) return changed;
  ++r.runs_serial;
  return true;
}

}  // namespace zs::gui
