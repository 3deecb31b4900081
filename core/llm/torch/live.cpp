// Live language-model runs for the app (see live.h and docs/llm-live.md).
#include "core/llm/torch/live.h"
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <c10/util/Exception.h>
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <new>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include "core/llm/torch/errors.h"
#include "core/llm/torch/finetune.h"
#include "core/llm/torch/finetune_setup.h"
#include "core/llm/torch/llm_rows.h"
#include "core/llm/torch/plane.h"
#include "core/llm/torch/preflight.h"
#include "core/llm/torch/pretrain.h"
#include "core/llm/torch/run_resume.h"
#include "core/llm/torch/task_torch.h"
#include "core/llm/torch/zo_engine.h"
#include "core/opt/optimizer.h"
#include "core/run/stepper.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs {

const char* live_run_state_name(LiveRunState s) {
  switch (s) {
    case LiveRunState::Waiting: return "waiting";
    case LiveRunState::Running: return "running";
    case LiveRunState::Paused: return "paused";
    case LiveRunState::Done: return "done";
    case LiveRunState::Stopped: return "stopped";
    case LiveRunState::Diverged: return "diverged";
    case LiveRunState::Failed: return "failed";
  }
  return "?";
}

std::string live_cuda_device_name() { return at::hasCUDA() ? "CUDA device 0" : ""; }

namespace {

struct Cancelled {};

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// What forces a reload (everything but the runs and the budget).
std::string load_key(const FinetuneSpec& s) {
  nlohmann::json j = nlohmann::json::parse(finetune_spec_to_json(s));
  j.erase("runs");
  j.erase("budget");
  return j.dump();
}

std::string run_key(const FinetuneRun& r) {
  nlohmann::json j = {{"optimizer", r.optimizer}, {"hp", r.hp}};
  return j.dump();
}

bool finished(LiveRunState s) {
  return s == LiveRunState::Done || s == LiveRunState::Stopped || s == LiveRunState::Diverged || s == LiveRunState::Failed;
}

}  // namespace

struct LiveTrainer::Impl {
  // ---- shared with the UI thread (mu) ----
  std::mutex mu;
  std::condition_variable cv;       // wakes the worker
  std::condition_variable done_cv;  // wakes waiters
  std::optional<LiveConfig> pending;
  uint64_t generation = 0;          // of the last configure(); `pending` is of this one
  std::vector<std::pair<int, bool>> pause_requests;
  std::vector<int> stop_requests;
  bool cancel_plane_req = false;
  struct Fault {
    int run;
    int64_t step;
    std::string kind;
  };
  std::vector<Fault> faults;  // inject_fault (tests)
  bool quit = false;
  std::atomic<bool> cancel{false};
  LiveSnapshot shared;
  uint64_t polled = 0;
  bool all_finished = false;

  // ---- worker only ----
  struct Run;
  struct Observer : StepObserver {
    Run* run = nullptr;
    Impl* impl = nullptr;
    void before_step(int64_t t) override;
    void fill_row(const StepInfo& si, StepRow& row) override;
  };
  struct Run {
    FinetuneRun spec;
    std::string key;
    std::optional<CausalLM> model;
    std::vector<at::Tensor> init;
    std::unique_ptr<Optimizer> opt;
    std::unique_ptr<TensorEngine> engine;
    std::unique_ptr<Stepper> stepper;
    LlmRowStats row_stats;
    TensorBatch batch;
    Observer obs;
    RunRecord rec, previous;
    LiveRunInfo info;
    size_t published = 0;  // rows already in the shared snapshot
    bool restarted = true;
    double loss0 = NAN;
    double started_s = 0;
    // Step log (the loss evaluations of every step), kept to replay the run onto a plane
    // chosen after it (plane b), and the run's points on that plane (row 0 first).
    std::vector<LoggedStep> log;
    std::vector<double> step_losses;
    std::vector<std::array<double, 2>> xy_b;
    // Cosine of the update with the backprop gradient (FinetuneRun::cosine_every): the
    // gradient at theta_{t-1} on step t's minibatch, <theta_{t-1}, g> and |g|^2.
    bool cos_due = false;
    std::vector<at::Tensor> cos_g;
    double cos_s0 = 0, cos_gg = 0;
    // The resumable step log on disk (LiveConfig::log_dir), appended and flushed per record.
    std::FILE* logf = nullptr;
    std::string log_path;
    // Continuing a logged run (LiveConfig::resume): the resume path of `finetune --resume`.
    std::unique_ptr<RunResume> resume;
    void log_write(const std::string& line) {
      if (!logf) return;
      if (std::fwrite(line.data(), 1, line.size(), logf) != line.size() || std::fflush(logf) != 0)
        fail(log_path, std::string("cannot append: ") + std::strerror(errno));
    }
    ~Run() {
      if (logf) std::fclose(logf);
    }
  };
  LiveConfig cfg;
  std::string loaded_key;
  std::string model_dir;
  std::optional<FinetuneData> data;
  std::unique_ptr<LossPlane> plane_src;
  std::vector<std::unique_ptr<Run>> runs;
  // Plane grid in progress.
  Grid plane, pending_plane;  // the finished grid shown, the one being computed
  std::string grid_kind = "random", pending_kind = "random";  // the planes they are of
  std::string plane_measure;  // LiveSnapshot::plane_measure
  int plane_next = -1;       // next node to evaluate; -1: no grid in progress
  double plane_r = 0;        // half-width of the grid's square domain
  bool plane_fine = false;   // the grid in progress (or the last one) is the fine one
  bool plane_dirty = false;
  bool plane_cancelled = false;  // cancel_plane(): no plane work until the next configuration
  // Plane (b) through two runs' endpoints (plane.h): built once every run has finished by
  // replaying every run's log, then a coarse and a fine grid.
  enum class RunsPlane { Off, Replaying, Ready, Failed };
  RunsPlane rp_state = RunsPlane::Off;
  std::unique_ptr<RunReplay> replay;
  size_t rp_run = 0;                // the run being replayed
  std::vector<std::array<double, 2>> rp_final;  // each run's final weights on the plane
  TensorBatch rp_batch;             // a first-order replay's minibatch (on the plane's model)
  int rp_stage = 0;                 // grids done on plane (b): 0, 1 (coarse), 2 (fine)
  double rp_ends_xy[4] = {NAN, NAN, NAN, NAN};
  std::string plane_status;  // progress of the plane job ("" when idle)
  std::string rp_note;       // why plane (b) is not shown (yet)
  std::string phase = "idle", error;
  double progress = 0;
  std::thread worker;
  // Followed runs (follow()): each replays its step log onto the current plane on a copy
  // of the model of its own; plane_epoch changes whenever the plane's directions do.
  std::optional<std::vector<LiveFollowed>> pending_follow;  // (mu)
  struct Followed {
    LiveFollowed in;
    std::optional<FinetuneSpec> spec;  // the folder's spec, once read and found to fit
    FinetuneRun run;
    std::optional<CausalLM> model;
    std::vector<at::Tensor> init;
    std::unique_ptr<RunReplay> replay;
    TensorBatch batch;
    uint64_t epoch = ~0ull, generation = ~0ull;  // what the replay in progress is on and of
    size_t fed = 0;                              // logged steps handed to the replay
    double retry_s = 0;                          // a spec that did not fit: read again after this
    bool dirty = true;                           // `out` changed since the last publish
    LiveFollowedPoints out;
  };
  std::vector<std::unique_ptr<Followed>> followed;
  uint64_t plane_epoch = 0;
  void follow_update(std::vector<LiveFollowed> in);
  void followed_prepare(Followed& f);
  void followed_work(double budget_s);
  bool followed_pending() const;

  void post_phase(const std::string& p, double prog) {
    std::lock_guard<std::mutex> lk(mu);
    shared.phase = phase = p;
    shared.progress = progress = prog;
    ++shared.serial;
  }

  void load();
  void start_run(Run& r, bool resume);
  void finish_run(Run& r);
  static void cos_begin(Run& r);
  static double cos_end(Run& r);
  void step_run(Run& r);
  void plane_work(double budget_s);
  bool runs_plane_shown() const;
  void runs_plane_reset();
  void runs_plane_work(double budget_s);
  void start_grid(int n, const double domain[4], const char* kind);
  bool grid_work(double budget_s);
  bool plane_complete() const;
  void publish();
  void loop();
};

void LiveTrainer::Impl::Observer::before_step(int64_t t) {
  const FinetuneSpec& s = impl->cfg.spec;
  if (run->resume) run->resume->before_step(t, *run->engine);
  run->batch = batch_to_device(train_batch(impl->data->train, t, s.batch_size, s.seed), run->model->device());
  if (run->cos_due) cos_begin(*run);
}

// The true gradient g at theta_{t-1} (settled: no pending perturbation) on the step's
// minibatch, by autograd: one forward + backward outside the engine (not in the run's FP).
void LiveTrainer::Impl::cos_begin(Run& r) {
  r.engine->sync_model();
  const bool fo = r.opt->info().family == "fo";
  if (!fo) r.model->set_autograd(true);
  task_loss_tensor(*r.model, r.batch).backward();
  c10::NoGradGuard ng;
  r.cos_g.clear();
  r.cos_s0 = r.cos_gg = 0;
  for (const Block& b : r.model->blocks()) {
    at::Tensor g = b.tensor.grad();
    g = g.defined() ? g.detach().to(at::kDouble) : at::zeros(b.tensor.sizes(), b.tensor.options().dtype(at::kDouble));
    b.tensor.mutable_grad() = at::Tensor();
    r.cos_gg += g.pow(2).sum().item<double>();
    r.cos_s0 += (b.tensor.detach().to(at::kDouble) * g).sum().item<double>();
    r.cos_g.push_back(g);
  }
  if (!fo) r.model->set_autograd(false);
}

// cos(-update, g) = -(<theta_t, g> - <theta_{t-1}, g>) / (|update| |g|), theta_t settled.
double LiveTrainer::Impl::cos_end(Run& r) {
  r.engine->sync_model();
  c10::NoGradGuard ng;
  double s1 = 0;
  const std::vector<Block> blocks = r.model->blocks();
  for (size_t b = 0; b < blocks.size() && b < r.cos_g.size(); ++b)
    s1 += (blocks[b].tensor.detach().to(at::kDouble) * r.cos_g[b]).sum().item<double>();
  r.cos_g.clear();
  const double den = r.engine->last_stats().update_norm * std::sqrt(r.cos_gg);
  return den > 0 ? -(s1 - r.cos_s0) / den : NAN;
}

void LiveTrainer::Impl::Observer::fill_row(const StepInfo& si, StepRow& row) { run->row_stats.fill(*run->engine, si, row); }

void LiveTrainer::Impl::load() {
  const FinetuneSpec& spec = cfg.spec;
  runs.clear();
  data.reset();
  plane_src.reset();
  plane_next = -1;
  plane.nx = plane.ny = 0;
  plane.v.clear();
  plane_r = 0;
  at::set_num_threads(std::max(1, cfg.threads));
  post_phase("loading model", 0);
  if (spec.model == "default") {
    DefaultModelOptions o;
    if (spec.pretrain_steps > 0) o.pretrain.steps = spec.pretrain_steps;
    const int64_t total = o.pretrain.steps;
    o.pretrain.on_step = [&](int64_t step, double) {
      if (cancel) throw Cancelled{};
      if (step % 5 == 0) post_phase("pretraining the default model (first use, cached)", static_cast<double>(step) / total);
    };
    model_dir = pretrained_default_model(o);
  } else {
    model_dir = spec.model;
  }
  if (cancel) throw Cancelled{};
  // What finetune's preflight checks (weights against config.json, tokenizer, data, the
  // memory of the spec's batch): one line instead of a LibTorch trace or an out-of-memory
  // kill (a batch of 2^20 examples grew to 22 GB before the kernel stopped the app).
  preflight_model(spec, model_dir);
  post_phase("loading model", 0.5);
  // The data once (config.json gives what encoding needs), then the plane: two
  // filter-normalised directions through the initial weights (plane.h).
  data.emplace(finetune_load_data(spec, model_dir, model_config_load(model_dir)));
  plane_src = std::make_unique<LossPlane>(spec, model_dir, data->train, cfg.plane_seed, cfg.plane_examples);
  plane_measure = "loss on the first " + std::to_string(std::min<int64_t>(cfg.plane_examples, data->train.size())) +
                  " training examples (fixed); the curves: each step's minibatch of " + std::to_string(spec.batch_size);
  ++plane_epoch;
  for (auto& f : followed) {  // another model, maybe: every followed run is checked again
    f->spec.reset();
    f->model.reset();
    f->replay.reset();
    f->retry_s = 0;
  }
  {
    std::lock_guard<std::mutex> lk(mu);
    shared.trainable = plane_src->trainable();
    shared.device = spec.device == "cuda" ? "CUDA: " + live_cuda_device_name()
                                          : "CPU (" + std::to_string(at::get_num_threads()) + " thread" +
                                                (at::get_num_threads() == 1 ? ")" : "s)");
  }
  post_phase("training", 0);
}

void LiveTrainer::Impl::start_run(Run& r, bool resume) {
  const FinetuneSpec& spec = cfg.spec;
  r.info = LiveRunInfo{};
  r.stepper.reset();
  r.engine.reset();
  r.opt.reset();
  if (!r.model) {
    r.model.emplace(finetune_load_model(spec, model_dir));
    r.init.clear();
    for (const Block& b : r.model->blocks()) r.init.push_back(b.tensor.detach().clone());
  } else {
    c10::NoGradGuard ng;
    r.model->set_autograd(false);
    const std::vector<Block> blocks = r.model->blocks();
    for (size_t b = 0; b < blocks.size(); ++b) blocks[b].tensor.copy_(r.init[b]);
  }
  r.opt = optimizer_create(r.spec.optimizer, r.spec.hp, spec.file + ": " + r.spec.label, true);
  if (r.opt->info().family == "fo") r.model->set_autograd(true);
  TensorEngineOptions teo;
  teo.master_weights = spec.master_weights;
  teo.plot_stats = true;
  teo.plot_seed = cfg.plane_seed;
  Run* rp = &r;
  r.engine = std::make_unique<TensorEngine>(r.model->blocks(), [rp] {
    const double l = task_loss(*rp->model, rp->batch);
    rp->step_losses.push_back(l);  // the step log (plane b's replay)
    return l;
  }, teo);
  r.engine->set_loss_grad([rp] {
    const at::Tensor l = task_loss_tensor(*rp->model, rp->batch);
    l.backward();
    return l.item<double>();
  });
  r.stepper = std::make_unique<Stepper>(*r.opt, *r.engine, finetune_budget(spec), spec.seed);
  r.row_stats = LlmRowStats{};
  const double* g = plane_src->gram();
  r.row_stats.set_plane(g[0], g[1], g[2]);
  r.obs.run = rp;
  r.obs.impl = this;
  r.rec = RunRecord{};
  r.rec.label = r.spec.label;
  r.rec.optimizer = r.spec.optimizer;
  record_describe(r.rec, *r.opt);
  r.rec.memory_bytes = r.engine->state_bytes() + r.opt->memory_bytes();
  StepRow r0;
  r0.x = r0.y = 0;
  r.rec.rows.push_back(r0);
  r.published = 0;
  r.restarted = true;
  r.log.clear();
  r.xy_b.clear();
  if (r.logf) std::fclose(r.logf);
  r.logf = nullptr;
  r.resume.reset();
  if (!cfg.log_dir.empty()) {
    const std::string dir = cfg.log_dir + "/runs/" + r.spec.label;
    make_dirs(dir);
    r.log_path = dir + "/steps.log";
    if (resume) {
      // The log's steps are replayed (zeroth order) or recomputed (first order) exactly as
      // `finetune --resume` does; the log keeps what is replayed and grows from there.
      r.resume = std::make_unique<RunResume>(dir, r.model->blocks(), *r.engine, *r.opt, r.opt->info().family == "fo", true);
      r.resume->restore_record(r.rec, r.row_stats, *r.stepper);
      for (const StepLogRecord& k : r.resume->kept())
        if (k.kind == 'S' && k.t <= r.resume->start()) r.log.push_back({k.losses});  // plane (b) replays from theta_0
    }
    r.logf = std::fopen(r.log_path.c_str(), resume ? "ab" : "wb");  // a (re)started run's log starts over
    if (!r.logf) fail(r.log_path, std::string("cannot write: ") + std::strerror(errno));
  }
  r.loss0 = NAN;
  r.started_s = now_s();
  r.info.state = LiveRunState::Running;
}

void LiveTrainer::Impl::step_run(Run& r) {
  const FinetuneSpec& spec = cfg.spec;
  try {
    {
      std::lock_guard<std::mutex> lk(mu);
      for (const Fault& f : faults)
        if (f.run >= 0 && static_cast<size_t>(f.run) < runs.size() && runs[static_cast<size_t>(f.run)].get() == &r &&
            f.step == r.stepper->steps_done() + 1) {
          if (f.kind == "bad_alloc") throw std::bad_alloc();
          TORCH_CHECK_WITH(OutOfMemoryError, false, "CUDA out of memory. Tried to allocate 2.00 GiB (injected by a test)");
        }
    }
    if (r.stepper->exhausted()) {
      finish_run(r);
      return;
    }
    StepRow row;
    r.step_losses.clear();
    r.cos_due = r.spec.cosine_every > 0 && (r.stepper->steps_done() + 1) % r.spec.cosine_every == 0;
    if (r.cos_due) r.stepper->settle();  // theta_{t-1} itself (no pending perturbation)
    const StepInfo info = r.stepper->step(row, r.obs);
    const StepLogRecord* replayed = r.resume ? r.resume->after_step(info, *r.engine) : nullptr;
    if (replayed) ++r.info.replayed;
    r.log.push_back({replayed ? replayed->losses : r.step_losses});
    const int64_t t = r.stepper->steps_done();
    if (!replayed)
      r.log_write(finetune_log_step_line(t, r.engine->forward_passes(), r.engine->backward_passes(), info.seed, info.p,
                                         r.spec.hp.count("lr") ? r.spec.hp.at("lr") : NAN, info.loss, r.step_losses));
    if (r.cos_due) {
      r.stepper->settle();
      row.cos_grad = cos_end(r);
      r.cos_due = false;
    }
    if (std::isnan(r.loss0)) {
      r.loss0 = row.loss;
      r.rec.rows[0].loss = row.loss;  // the start's loss: the first minibatch's, as measured
    }
    if (spec.eval_every > 0 && t % spec.eval_every == 0) {
      r.stepper->settle();
      r.engine->sync_model();
      if (const double* logged = r.resume ? r.resume->evaluated(t) : nullptr) {
        row.dev_metric = *logged;  // evaluated before the app closed (kept in the log)
      } else {
        const int64_t n = spec.eval_examples > 0 ? spec.eval_examples : -1;
        const EvalResult ev = task_evaluate(*r.model, *data->tok, data->dev, {.max_examples = n});
        row.dev_metric = ev.value;
        r.log_write(finetune_log_eval_line(t, r.engine->forward_passes(), ev.value, ev.loss));
      }
    }
    // Divergence: this run stops and is marked; the others go on.
    std::string why;
    if (!std::isfinite(row.loss)) why = "loss is not finite at step " + std::to_string(t);
    else if (std::fabs(row.loss) > 1e6 * (1.0 + std::fabs(r.loss0))) why = "loss blew up to " + fmt_double(row.loss);
    r.rec.rows.push_back(row);
    LlmRowStats::fill_tensors(*r.engine, r.rec);
    r.info.steps_per_second = static_cast<double>(t) / std::max(1e-9, now_s() - r.started_s);
    if (!why.empty()) {
      r.rec.diverged = true;
      r.rec.diverged_step = t;
      r.rec.diverge_reason = why;
      r.info.state = LiveRunState::Diverged;
      r.info.message = why;
    } else if (r.stepper->exhausted()) {
      finish_run(r);
    }
  } catch (const std::bad_alloc&) {
    r.info.state = LiveRunState::Failed;
    r.info.message = "out of memory: this run stopped, the others go on";
  } catch (const c10::OutOfMemoryError& e) {
    r.info.state = LiveRunState::Failed;
    r.info.message = "out of memory (" + torch_error_line(e) + "): this run stopped, the others go on";
  } catch (const std::exception& e) {
    r.info.state = LiveRunState::Failed;
    const std::string m = torch_error_line(e);
    r.info.message = (m.find("out of memory") != std::string::npos ? "out of memory: " : "") + m;
  }
}

// The budget is spent. With LiveConfig::save_final the final iterate (no pending
// perturbation) is written next to the step log, as `finetune` writes it. Otherwise a
// pending fused perturbation stays (settling rounds every weight once): a run continued to
// a larger budget then equals one started with it, bit for bit.
void LiveTrainer::Impl::finish_run(Run& r) {
  if (cfg.save_final && r.logf) {
    r.stepper->settle();
    r.engine->sync_model();
    finetune_save_final(cfg.log_dir + "/runs/" + r.spec.label, r.model->blocks());
  }
  r.info.state = LiveRunState::Done;
}

void LiveTrainer::Impl::start_grid(int n, const double domain[4], const char* kind) {
  pending_kind = kind;
  Grid g;
  g.nx = g.ny = n;
  std::copy(domain, domain + 4, g.domain);
  g.v.assign(static_cast<size_t>(n * n), NAN);
  pending_plane = std::move(g);  // the finished grid stays on show until this one is complete
  plane_next = 0;
}

// Measures nodes of the grid in progress for up to budget_s; true when it completed.
bool LiveTrainer::Impl::grid_work(double budget_s) {
  if (plane_next < 0) return false;
  Grid& g = pending_plane;
  const double t0 = now_s();
  while (plane_next < g.nx * g.ny && now_s() - t0 < budget_s) {
    const int i = plane_next % g.nx, j = plane_next / g.nx;
    const double a = g.domain[0] + (g.domain[1] - g.domain[0]) * i / (g.nx - 1);
    const double b = g.domain[2] + (g.domain[3] - g.domain[2]) * j / (g.ny - 1);
    g.v[static_cast<size_t>(plane_next)] = static_cast<float>(plane_src->loss_at(a, b));
    ++plane_next;
  }
  plane_status = "plane " + std::to_string(g.nx) + " x " + std::to_string(g.ny) + ": " + std::to_string(plane_next) +
                 " / " + std::to_string(g.nx * g.ny) + " nodes";
  if (plane_next < g.nx * g.ny) return false;
  plane = g;
  grid_kind = pending_kind;
  plane_next = -1;
  plane_dirty = true;
  plane_status.clear();
  return true;
}

bool LiveTrainer::Impl::runs_plane_shown() const {
  if (cfg.plane != "runs" || rp_state == RunsPlane::Failed) return false;
  for (const auto& r : runs)
    if (!finished(r->info.state)) return false;
  return true;
}

void LiveTrainer::Impl::runs_plane_reset() {
  const bool was = (plane_src && plane_src->runs_plane()) || rp_state == RunsPlane::Replaying || rp_state == RunsPlane::Ready;
  rp_note.clear();
  if (replay && plane_src) plane_src->model().set_autograd(false);
  replay.reset();
  rp_state = RunsPlane::Off;
  rp_stage = 0;
  rp_final.clear();
  std::fill(rp_ends_xy, rp_ends_xy + 4, NAN);
  for (auto& r : runs) r->xy_b.clear();
  if (plane_src && plane_src->runs_plane()) {
    plane_src->use_random_plane();
    ++plane_epoch;
  }
  if (was) {
    // Back to the random plane: its grid is measured again, every row republished.
    plane_next = -1;
    plane_r = 0;
    plane_fine = false;
    for (auto& r : runs) r->restarted = true;
  }
}

void LiveTrainer::Impl::runs_plane_work(double budget_s) {
  const auto give_up = [&](const std::string& why) {
    runs_plane_reset();
    rp_state = RunsPlane::Failed;
    rp_note = "plane through two runs' endpoints: " + why + " (showing the random plane)";
  };
  if (rp_state == RunsPlane::Off) {
    rp_note.clear();
    const int ia = cfg.plane_runs[0], ib = cfg.plane_runs[1], n = static_cast<int>(runs.size());
    const int all = n + static_cast<int>(followed.size());
    if (ia < 0 || ib < 0 || ia >= all || ib >= all || ia == ib) return give_up("choose two different runs");
    for (int i : {ia, ib}) {
      if (i >= n) {
        // A followed run: its endpoint is the last step of its replay, once its log is final.
        const Followed& f = *followed[static_cast<size_t>(i - n)];
        if (!f.out.note.empty()) return give_up(f.in.label + " (followed): " + f.out.note);
        if (!f.in.complete || !f.replay || !f.replay->done() || f.fed < f.in.losses.size()) {
          rp_note = "plane through two runs' endpoints: waiting for " + f.in.label + " (followed) to finish and be replayed";
          return;
        }
        continue;
      }
      const LiveRunState st = runs[static_cast<size_t>(i)]->info.state;
      if (st == LiveRunState::Failed || st == LiveRunState::Diverged)
        return give_up(runs[static_cast<size_t>(i)]->spec.label + " " + live_run_state_name(st) + ": it has no final weights");
    }
    plane_next = -1;  // a grid of the random plane in progress is dropped
    try {
      c10::NoGradGuard ng;
      rp_final.assign(runs.size(), {NAN, NAN});
      for (auto& r : runs) {
        if (!r->stepper) continue;
        r->stepper->settle();  // a stopped run may hold a fused perturbation
        r->engine->sync_model();
      }
      std::vector<at::Tensor> ends[2];
      for (int k = 0; k < 2; ++k) {
        const int i = cfg.plane_runs[k];
        CausalLM& m = i < n ? *runs[static_cast<size_t>(i)]->model : *followed[static_cast<size_t>(i - n)]->model;
        for (const Block& b : m.blocks()) ends[k].push_back(b.tensor);
      }
      const std::array<double, 4> e = plane_src->use_runs_plane(ends[0], ends[1]);
      ++plane_epoch;
      std::copy(e.begin(), e.end(), rp_ends_xy);
      for (size_t i = 0; i < runs.size(); ++i) {
        Run& r = *runs[i];
        if (r.info.state == LiveRunState::Failed || r.info.state == LiveRunState::Diverged || r.log.empty()) continue;
        std::vector<at::Tensor> w;
        for (const Block& b : r.model->blocks()) w.push_back(b.tensor);
        rp_final[i] = plane_src->project(w);
      }
    } catch (const std::exception& ex) {
      return give_up(torch_error_line(ex));
    }
    rp_state = RunsPlane::Replaying;
    rp_run = 0;
  }
  const double t0 = now_s();
  if (rp_state == RunsPlane::Replaying) {
    try {
      while (rp_state == RunsPlane::Replaying && now_s() - t0 < budget_s) {
        if (rp_run >= runs.size()) {
          rp_state = RunsPlane::Ready;
          for (auto& r : runs) r->restarted = true;  // republish the rows on plane (b)
          break;
        }
        Run& r = *runs[rp_run];
        if (!std::isfinite(rp_final[rp_run][0])) {
          ++rp_run;
          continue;
        }
        if (!replay) {
          // On the plane's own copy of the model: the runs keep their weights.
          CausalLM* m = &plane_src->model();
          m->set_autograd(false);
          replay = std::make_unique<RunReplay>(
              cfg.spec, r.spec, m->blocks(), r.init, r.log, [this, m] { return task_loss(*m, rp_batch); },
              [this, m] {
                const at::Tensor l = task_loss_tensor(*m, rp_batch);
                l.backward();
                return l.item<double>();
              },
              [this, m](int64_t t) {
                rp_batch = batch_to_device(train_batch(data->train, t, cfg.spec.batch_size, cfg.spec.seed), m->device());
              });
          if (replay->first_order()) m->set_autograd(true);
          r.xy_b.assign(1, {0.0, 0.0});
        }
        replay->step();
        r.xy_b.push_back(plane_src->project(replay->weights()));
        plane_status = "replaying " + r.spec.label + "'s step log onto the plane: " + std::to_string(replay->steps_done()) +
                       " / " + std::to_string(replay->steps()) + (replay->first_order() ? " (first order: recomputed)" : "");
        if (replay->done()) {
          // The last point is the run's own final weights (exactly in the plane for A and B).
          r.xy_b.back() = rp_final[rp_run];
          replay.reset();
          plane_src->model().set_autograd(false);
          ++rp_run;
        }
      }
    } catch (const std::exception& ex) {
      return give_up(torch_error_line(ex));
    }
    if (rp_state != RunsPlane::Ready) return;
  }
  if (plane_next < 0 && rp_stage < 2) {
    // A square over every trajectory on the plane (and theta_0), with a margin.
    double lo[2] = {0, 0}, hi[2] = {0, 0};
    const auto cover = [&](double a, double b) {
      const double p[2] = {a, b};
      for (int k = 0; k < 2; ++k)
        if (std::isfinite(p[k])) {
          lo[k] = std::min(lo[k], p[k]);
          hi[k] = std::max(hi[k], p[k]);
        }
    };
    for (const auto& r : runs)
      for (const auto& p : r->xy_b) cover(p[0], p[1]);
    cover(rp_ends_xy[0], rp_ends_xy[1]);  // A and B, followed ones included
    cover(rp_ends_xy[2], rp_ends_xy[3]);
    const double half = 0.65 * std::max({hi[0] - lo[0], hi[1] - lo[1], 1e-12});
    const double cx = 0.5 * (lo[0] + hi[0]), cy = 0.5 * (lo[1] + hi[1]);
    const double d[4] = {cx - half, cx + half, cy - half, cy + half};
    start_grid(std::clamp(rp_stage == 0 ? cfg.plane_coarse : cfg.plane_fine, 3, 41), d, "runs");
  }
  if (grid_work(std::max(0.0, budget_s - (now_s() - t0)))) ++rp_stage;
}

bool LiveTrainer::Impl::plane_complete() const {
  if (plane_cancelled) return true;
  if (runs_plane_shown()) return rp_state == RunsPlane::Ready && rp_stage >= 2 && plane_next < 0;
  return plane_next < 0 && plane.nx > 0 && plane_fine;
}

void LiveTrainer::Impl::plane_work(double budget_s) {
  if (plane_cancelled) return;
  if (runs_plane_shown()) return runs_plane_work(budget_s);
  if (cfg.plane == "runs" && rp_state != RunsPlane::Failed) rp_note = "plane through two runs' endpoints: once every run has finished";
  // Extent of the trajectories so far: the grid covers it with a margin and is redone when
  // a trajectory leaves it or occupies only a small part of it at the end.
  double e = 0;
  bool all_done = true;
  for (const auto& r : runs) {
    for (const StepRow& row : r->rec.rows)
      if (std::isfinite(row.x) && std::isfinite(row.y)) e = std::max({e, std::fabs(row.x), std::fabs(row.y)});
    all_done = all_done && finished(r->info.state);
  }
  if (!(e > 0)) return;
  const bool leaves = e > plane_r;
  const bool loose = all_done && e < plane_r / 3;
  // While runs train only coarse grids follow them (a fine grid costs ~5x a coarse one and
  // would be outgrown); the fine grid comes once every run has finished.
  if (plane_next < 0 && (plane_r == 0 || leaves || loose || (all_done && !plane_fine))) {
    const bool fine = all_done && plane_r > 0 && !leaves && !loose;
    if (!fine) plane_r = (all_done ? 1.3 : 2.5) * e;      // room to grow while runs go on
    plane_fine = fine;
    const int n = fine ? std::clamp(cfg.plane_fine, 3, 41) : std::clamp(cfg.plane_coarse, 3, 41);
    const double d[4] = {-plane_r, plane_r, -plane_r, plane_r};
    start_grid(n, d, "random");
  }
  grid_work(budget_s);
}

// The followed runs given by the UI: runs already known (same spec file and label) keep
// their replay; the rest start afresh.
void LiveTrainer::Impl::follow_update(std::vector<LiveFollowed> in) {
  std::vector<std::unique_ptr<Followed>> next;
  for (LiveFollowed& l : in) {
    std::unique_ptr<Followed> f;
    for (auto& old : followed)
      if (old && old->in.spec_path == l.spec_path && old->in.label == l.label) f = std::move(old);
    if (!f) {
      f = std::make_unique<Followed>();
      f->out.label = l.label;
    }
    if (f->in.generation != l.generation) {  // a restarted log: its spec is read again
      f->spec.reset();
      f->retry_s = 0;
    }
    f->in = std::move(l);
    f->dirty = true;
    next.push_back(std::move(f));
  }
  followed = std::move(next);
}

// Reads the followed run's spec and checks that it starts from the scene's initial weights
// (the plane's theta_0); zs::Error with one line when it does not.
void LiveTrainer::Impl::followed_prepare(Followed& f) {
  FinetuneSpec sp = finetune_spec_load(f.in.spec_path);
  const auto it = std::find_if(sp.runs.begin(), sp.runs.end(), [&](const FinetuneRun& r) { return r.label == f.in.label; });
  if (it == sp.runs.end()) fail(f.in.spec_path, "has no run labelled \"" + f.in.label + "\"");
  const FinetuneSpec& s = cfg.spec;
  if (sp.model != s.model || sp.tokenizer != s.tokenizer || sp.pretrain_steps != s.pretrain_steps || sp.mode != s.mode ||
      sp.dtype != s.dtype)
    fail(f.in.spec_path, "starts from other weights than the scene (model " + sp.model + ", mode " + sp.mode + ", dtype " +
                             sp.dtype + "): not on this plane");
  f.run = *it;
  const bool same_data = sp.task == s.task && sp.data_dir == s.data_dir && sp.data_seed == s.data_seed &&
                         sp.n_train == s.n_train && sp.max_length == s.max_length;
  std::unique_ptr<Optimizer> probe = optimizer_create(f.run.optimizer, f.run.hp, sp.file + ": " + f.run.label, true);
  if (probe->info().family == "fo" && !same_data)
    fail(f.in.spec_path, f.in.label + " is first order and trains on other data than the scene: its replay needs the "
                                      "scene's training set");
  sp.device = s.device;  // replayed where the plane is
  f.spec = std::move(sp);
}

// Replays the followed runs' new steps for up to budget_s, one run after the other; a run
// starts over on a new plane, a new log generation or a log shorter than what was fed.
void LiveTrainer::Impl::followed_work(double budget_s) {
  if (!plane_src || rp_state == RunsPlane::Replaying) return;  // plane (b) is being built
  const double t0 = now_s();
  for (auto& fp : followed) {
    Followed& f = *fp;
    try {
      if (!f.spec) {
        if (now_s() < f.retry_s) continue;
        f.retry_s = now_s() + 2;  // the folder may get its spec.json later
        f.replay.reset();
        followed_prepare(f);
        f.out.note.clear();
        f.dirty = true;
      }
      if (!f.replay || f.epoch != plane_epoch || f.generation != f.in.generation || f.fed > f.in.losses.size()) {
        if (!f.model) {
          f.model.emplace(finetune_load_model(*f.spec, model_dir));
          f.init.clear();
          for (const Block& b : f.model->blocks()) f.init.push_back(b.tensor.detach().clone());
        }
        CausalLM* m = &*f.model;
        Followed* fq = &f;
        f.replay = std::make_unique<RunReplay>(
            *f.spec, f.run, m->blocks(), f.init, std::vector<LoggedStep>{}, [m, fq] { return task_loss(*m, fq->batch); },
            [m, fq] {
              const at::Tensor l = task_loss_tensor(*m, fq->batch);
              l.backward();
              return l.item<double>();
            },
            [this, m, fq](int64_t t) {
              fq->batch = batch_to_device(train_batch(data->train, t, fq->spec->batch_size, fq->spec->seed), m->device());
            });
        m->set_autograd(f.replay->first_order());
        f.epoch = plane_epoch;
        f.generation = f.in.generation;
        f.fed = 0;
        f.out.generation = f.in.generation;
        f.out.xy.assign(1, {0.0, 0.0});  // theta_0, as the live runs' start
        f.dirty = true;
      }
      if (f.fed < f.in.losses.size()) {
        std::vector<LoggedStep> more;
        for (size_t k = f.fed; k < f.in.losses.size(); ++k) more.push_back({f.in.losses[k]});
        f.replay->extend(std::move(more));
        f.fed = f.in.losses.size();
      }
      while (!f.replay->done() && now_s() - t0 < budget_s) {
        f.replay->step();
        f.out.xy.push_back(plane_src->project(f.replay->weights()));
        f.dirty = true;
      }
    } catch (const std::exception& e) {
      // One line and no points (they may be of another run) until the input changes.
      f.out.note = torch_error_line(e);
      f.out.xy.clear();
      f.spec.reset();
      f.replay.reset();
      f.dirty = true;
    }
  }
}

bool LiveTrainer::Impl::followed_pending() const {
  if (!plane_src) return false;
  for (const auto& f : followed)
    if (f->spec && (!f->replay || !f->replay->done() || f->fed < f->in.losses.size() || f->epoch != plane_epoch))
      return true;
  return false;
}

void LiveTrainer::Impl::publish() {
  std::lock_guard<std::mutex> lk(mu);
  LiveSnapshot& s = shared;
  s.runs.resize(runs.size());
  s.previous.resize(runs.size());
  s.info.resize(runs.size());
  bool all = true;
  for (size_t i = 0; i < runs.size(); ++i) {
    Run& r = *runs[i];
    RunRecord& out = s.runs[i];
    if (r.restarted) {
      out = r.rec;
      s.previous[i] = r.previous;
      r.restarted = false;
      if (rp_state == RunsPlane::Ready && runs_plane_shown()) {
        // Plane (b): the replayed points; a run without them (failed, diverged) and earlier
        // curves have none on this plane.
        for (size_t k = 0; k < out.rows.size(); ++k) {
          const bool has = k < r.xy_b.size();
          out.rows[k].x = has ? r.xy_b[k][0] : NAN;
          out.rows[k].y = has ? r.xy_b[k][1] : NAN;
        }
        for (StepRow& row : s.previous[i].rows) row.x = row.y = NAN;
      }
    } else {
      out.rows.insert(out.rows.end(), r.rec.rows.begin() + static_cast<ptrdiff_t>(r.published), r.rec.rows.end());
      if (out.tensor_names.size() != r.rec.tensor_names.size()) out.tensor_names = r.rec.tensor_names;
      out.tensor_alpha.insert(out.tensor_alpha.end(), r.rec.tensor_alpha.begin() + static_cast<ptrdiff_t>(out.tensor_alpha.size()),
                              r.rec.tensor_alpha.end());
      out.tensor_rms.insert(out.tensor_rms.end(), r.rec.tensor_rms.begin() + static_cast<ptrdiff_t>(out.tensor_rms.size()),
                            r.rec.tensor_rms.end());
      out.rows[0] = r.rec.rows[0];
      out.diverged = r.rec.diverged;
      out.diverged_step = r.rec.diverged_step;
      out.diverge_reason = r.rec.diverge_reason;
    }
    r.published = r.rec.rows.size();
    out.index = static_cast<int>(i);
    if (i < cfg.styles.size()) {
      out.colour = cfg.styles[i].colour;
      out.visible = cfg.styles[i].visible;
    }
    s.info[i] = r.info;
    all = all && finished(r.info.state);
  }
  // The rows' plane; its name, grid and domain go out together: the grid of the other plane
  // (the last one measured, before the first of this one) is not published under it.
  const bool on_b = rp_state == RunsPlane::Ready && runs_plane_shown();
  const std::string kind = on_b ? "runs" : "random";
  if (plane_dirty || kind != s.plane_kind) {
    const bool fits = grid_kind == kind && plane.nx > 0;
    s.plane = fits ? plane : Grid{};
    for (int k = 0; k < 4; ++k) s.plane_domain[k] = fits ? plane.domain[k] : 0;
    plane_dirty = false;
  }
  s.plane_kind = kind;
  s.plane_measure = plane_measure;
  s.plane_status = rp_note.empty() ? plane_status : plane_status.empty() ? rp_note : rp_note + "; " + plane_status;
  for (int k = 0; k < 4; ++k) s.plane_ends[k] = on_b ? rp_ends_xy[k] : NAN;
  if (s.followed.size() != followed.size()) {
    s.followed.assign(followed.size(), {});
    ++s.followed_serial;
  }
  for (size_t i = 0; i < followed.size(); ++i)
    if (followed[i]->dirty) {
      s.followed[i] = followed[i]->out;
      followed[i]->dirty = false;
      ++s.followed_serial;
    }
  all_finished = phase == "error" || (phase == "training" && all && plane_complete());
  // "done" only while it holds: a run restarted or continued trains again.
  if (phase == "training") s.phase = all_finished ? "done" : "training";
  ++s.serial;
  done_cv.notify_all();
}

void LiveTrainer::Impl::loop() {
  while (true) {
    std::optional<LiveConfig> next;
    uint64_t next_generation = 0;
    bool cancel_plane = false;
    {
      std::unique_lock<std::mutex> lk(mu);
      bool idle = true;
      for (const auto& r : runs)
        if (r->info.state == LiveRunState::Running) idle = false;
      if (plane_next >= 0 || rp_state == RunsPlane::Replaying) idle = false;
      if (cancel_plane_req || pending_follow || (phase == "training" && followed_pending())) idle = false;
      if (idle && !pending && pause_requests.empty() && stop_requests.empty() && !quit) {
        // Nothing to do but a plane that might need redoing once everything is finished.
        cv.wait_for(lk, std::chrono::milliseconds(200));
      }
      if (quit) return;
      next.swap(pending);
      if (next) {
        // From here the snapshot is of the new configuration, which has not started yet.
        next_generation = generation;
        shared.generation = generation;
        shared.phase = "starting";
        shared.progress = 0;
        ++shared.serial;
      }
      for (const auto& [i, p] : pause_requests)
        for (size_t k = 0; k < runs.size(); ++k)
          if (i < 0 || static_cast<size_t>(i) == k) {
            LiveRunState& st = runs[k]->info.state;
            if (p && st == LiveRunState::Running) st = LiveRunState::Paused;
            if (!p && st == LiveRunState::Paused) st = LiveRunState::Running;
          }
      pause_requests.clear();
      for (int i : stop_requests)
        for (size_t k = 0; k < runs.size(); ++k)
          if ((i < 0 || static_cast<size_t>(i) == k) && !finished(runs[k]->info.state))
            runs[k]->info.state = LiveRunState::Stopped;
      stop_requests.clear();
      cancel_plane = cancel_plane_req;
      cancel_plane_req = false;
      if (pending_follow) {
        follow_update(std::move(*pending_follow));
        pending_follow.reset();
      }
    }
    if (cancel_plane) {
      // The grid or replay in progress is dropped; the shown grid stays.
      if (rp_state == RunsPlane::Replaying) runs_plane_reset();
      plane_next = -1;
      plane_cancelled = true;
      plane_status = "plane cancelled (any change measures it again)";
    }
    if (next) {
      const std::string key = load_key(next->spec);
      // Continuing the runs of a logged session (LiveConfig::resume): every run starts
      // from its folder, whatever ran before.
      const bool resuming = next->resume && !next->log_dir.empty() && next->log_dir != cfg.log_dir;
      const bool reload = key != loaded_key || phase == "error" || phase == "idle";
      const bool plane_changed = next->plane != cfg.plane || next->plane_runs[0] != cfg.plane_runs[0] ||
                                 next->plane_runs[1] != cfg.plane_runs[1];
      // A budget of another unit restarts every run; a budget of the same unit continues
      // the runs that can (budget_continues) from where they are.
      const Budget old_budget = finetune_budget(cfg.spec), new_budget = finetune_budget(next->spec);
      const bool budget_unit = (old_budget.steps > 0) != (new_budget.steps > 0);
      const bool budget_moved = old_budget.steps != new_budget.steps || old_budget.forward_passes != new_budget.forward_passes;
      cfg = std::move(*next);
      plane_cancelled = false;
      plane_status.clear();
      if (plane_changed || reload) runs_plane_reset();
      try {
        if (reload) {
          cancel = false;
          loaded_key.clear();
          load();
          loaded_key = key;
        }
        // A continued session must be the one its folder was started with (as for --resume).
        std::error_code ec;
        if (resuming && std::filesystem::exists(cfg.log_dir + "/spec.json", ec))
          finetune_spec_check_resume(cfg.log_dir + "/spec.json", cfg.spec);
        // Runs: keep those whose optimizer and hyperparameters are unchanged.
        std::vector<std::unique_ptr<Run>> kept;
        bool restarted_any = false;
        for (size_t i = 0; i < cfg.spec.runs.size(); ++i) {
          const FinetuneRun& fr = cfg.spec.runs[i];
          std::unique_ptr<Run> r;
          if (i < runs.size()) r = std::move(runs[i]);
          if (!r) r = std::make_unique<Run>();
          const std::string k = run_key(fr);
          bool same = !resuming && r->key == k && r->stepper && !(budget_moved && budget_unit);
          if (same && budget_moved) {
            // Continued to the new budget unless the optimizer schedules over the run's
            // length or the run is already past it (it restarts then).
            const bool past = new_budget.steps > 0 ? r->stepper->steps_done() > new_budget.steps
                                                   : r->engine->forward_passes() > new_budget.forward_passes;
            if (!budget_continues(fr.optimizer, fr.hp) || past) {
              same = false;
            } else {
              r->stepper->set_budget(new_budget);
              if (r->info.state == LiveRunState::Done && !r->stepper->exhausted()) {
                r->info.state = LiveRunState::Running;
                if (r->info.steps_per_second > 0)  // the speed goes on from the steps done
                  r->started_s = now_s() - static_cast<double>(r->stepper->steps_done()) / r->info.steps_per_second;
              }
              restarted_any = true;  // its endpoint moves (plane b)
            }
          }
          r->spec = fr;
          if (!same) {
            if (resuming) r->previous = RunRecord{};
            else if (r->stepper && r->rec.rows.size() > 1) r->previous = r->rec;
            r->key = k;
            restarted_any = true;
            start_run(*r, resuming);
          }
          r->rec.label = fr.label;
          r->restarted = true;  // labels and styles may have changed: republish whole
          kept.push_back(std::move(r));
        }
        runs = std::move(kept);
        if (restarted_any) runs_plane_reset();  // plane (b) moves with a run's endpoint
        if (!reload) {
          // A restarted run changes the extent of the trajectories: the fine grid is redone
          // once it has finished again.
          plane_fine = false;
        }
        {
          std::lock_guard<std::mutex> lk(mu);  // echoed: the snapshot is of this configuration
          shared.generation = next_generation;
        }
      } catch (const Cancelled&) {
        loaded_key.clear();
        runs.clear();
        std::lock_guard<std::mutex> lk(mu);
        shared = LiveSnapshot{};
        shared.generation = next_generation;
        shared.phase = phase = "idle";
        ++shared.serial;
        done_cv.notify_all();
        continue;
      } catch (const std::exception& e) {
        loaded_key.clear();
        runs.clear();
        std::lock_guard<std::mutex> lk(mu);
        shared.runs.clear();
        shared.previous.clear();
        shared.info.clear();
        shared.phase = phase = "error";
        shared.error = error = torch_error_line(e);
        ++shared.serial;
        all_finished = true;
        done_cv.notify_all();
        continue;
      }
      {
        std::lock_guard<std::mutex> lk(mu);
        shared.error.clear();
      }
      if (!cfg.log_dir.empty()) {
        // The spec the logs belong to (`finetune --resume` checks it against its own).
        try {
          make_dirs(cfg.log_dir);
          atomic_write(cfg.log_dir + "/spec.json", finetune_spec_to_json(cfg.spec));
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lk(mu);
          shared.error = error_line(e);
        }
      }
    }
    if (phase != "training") continue;
    const double t0 = now_s();
    bool training = false;
    for (auto& r : runs)
      if (r->info.state == LiveRunState::Running) {
        step_run(*r);
        training = true;
      }
    // The plane shares the worker: at most a fifth of its time while runs train, slices of
    // 50 ms when they are done (so a new configuration waits no longer).
    const double slice = training ? std::max(0.005, 0.25 * (now_s() - t0)) : 0.05;
    plane_work(slice);
    followed_work(slice);
    publish();
  }
}

LiveTrainer::LiveTrainer() : impl_(std::make_unique<Impl>()) {
  impl_->worker = std::thread([this] { impl_->loop(); });
}

LiveTrainer::~LiveTrainer() {
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->quit = true;
    impl_->cancel = true;
  }
  impl_->cv.notify_all();
  impl_->worker.join();
}

uint64_t LiveTrainer::configure(const LiveConfig& c) {
  uint64_t g;
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->pending = c;
    g = ++impl_->generation;
    impl_->all_finished = false;
  }
  impl_->cv.notify_all();
  return g;
}

void LiveTrainer::set_paused(int run, bool paused) {
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->pause_requests.push_back({run, paused});
  }
  impl_->cv.notify_all();
}

void LiveTrainer::stop(int run) {
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->stop_requests.push_back(run);
  }
  impl_->cv.notify_all();
}

void LiveTrainer::cancel() { impl_->cancel = true; }

void LiveTrainer::follow(std::vector<LiveFollowed> runs) {
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->pending_follow = std::move(runs);
  }
  impl_->cv.notify_all();
}

void LiveTrainer::inject_fault(int run, int64_t step, const std::string& kind) {
  std::lock_guard<std::mutex> lk(impl_->mu);
  impl_->faults.push_back({run, step, kind});
}

void LiveTrainer::cancel_plane() {
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    impl_->cancel_plane_req = true;
  }
  impl_->cv.notify_all();
}

bool LiveTrainer::poll(LiveSnapshot& out) {
  std::lock_guard<std::mutex> lk(impl_->mu);
  if (impl_->shared.serial == impl_->polled) return false;
  out = impl_->shared;
  // A configuration the worker has not taken yet: its state is not the old one's.
  if (out.generation != impl_->generation) {
    out.phase = "starting";
    out.progress = 0;
  }
  impl_->polled = impl_->shared.serial;
  return true;
}

bool LiveTrainer::wait_finished(double timeout_s) {
  std::unique_lock<std::mutex> lk(impl_->mu);
  return impl_->done_cv.wait_for(lk, std::chrono::duration<double>(timeout_s),
                                 [&] { return impl_->all_finished && !impl_->pending; });
}

bool LiveTrainer::wait_steps(int64_t steps, double timeout_s) {
  std::unique_lock<std::mutex> lk(impl_->mu);
  return impl_->done_cv.wait_for(lk, std::chrono::duration<double>(timeout_s), [&] {
    if (impl_->pending) return false;
    if (impl_->shared.phase == "error") return true;
    if (impl_->shared.runs.empty()) return false;
    for (size_t i = 0; i < impl_->shared.runs.size(); ++i) {
      const bool fin = i < impl_->shared.info.size() && finished(impl_->shared.info[i].state);
      if (!fin && static_cast<int64_t>(impl_->shared.runs[i].rows.size()) <= steps) return false;
    }
    return true;
  });
}

bool budget_continues(const std::string& optimizer, const ParamValues& hp) {
  // core/opt/opt_adamu.cpp anneals over T2 = t2_fraction * total_steps; opt_adazeta.cpp's
  // "target" schedule (schedule = 1) reaches q_max at total_steps (its "power" schedule
  // reads the total only for the nominal FP per step of legends and step estimates).
  if (optimizer == "zo_adamu") return false;
  if (optimizer == "adazeta") return !(hp.count("schedule") && hp.at("schedule") == 1);
  return true;
}

std::string plane_resolution_note(const std::string& dtype, double step) {
  // A plane direction is filter-normalised (plane.h): along it a weight w moves by about
  // step * |w| between neighbouring nodes. Stored in a format with a p-bit significand,
  // w's ulp is between 2^-p |w| and 2^(1-p) |w|, so a move below 2^-p |w| (half an ulp at
  // most) rounds back to w for most weights: neighbouring nodes evaluate the same weights
  // and the picture is rounding steps. p = 8 for bf16 (2^-8 = 3.9e-3), 11 for fp16
  // (2^-11 = 4.9e-4), 24 for fp32 (6e-8).
  const double rel = dtype == "bf16" ? std::ldexp(1.0, -8) : dtype == "fp16" ? std::ldexp(1.0, -11) : std::ldexp(1.0, -24);
  if (!(step > 0) || step >= rel) return "";
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "The plane's node spacing (%.2g) is below what %s resolves (%.2g of a weight): most weights round to "
                "the same value at neighbouring nodes, so the blotches are rounding, not the loss's shape "
                "(fp32 resolves it).",
                step, dtype.c_str(), rel);
  return buf;
}

PlaneNames plane_names(bool through_runs, const std::string& run_a, const std::string& run_b) {
  if (!through_runs)
    return {"random direction 1 (filter-normalised)", "random direction 2", "loss on the plane of two random directions"};
  return {"toward " + run_a + "'s endpoint", "toward " + run_b + "'s (orthogonal part)",
          "loss on the plane through the final weights of " + run_a + " and " + run_b};
}

}  // namespace zs
