// Live language-model runs for the app (docs/llm-live.md): several optimizers fine-tune
// the same model side by side on one background worker per device, one step of each run
// in turn so every curve advances together, each step going through the one step loop
// (core/run/stepper.h) and producing the same RunRecord rows as landscape runs. The same
// worker measures the loss on the plane of two filter-normalised directions through the
// initial weights (coarse 9x9 grids follow the runs, a refined one comes when they are
// done), on which the runs' trajectories are
// drawn. The UI thread never waits: configure() and the controls only post requests, and
// poll() copies what is new.
//
// No torch type appears here, so the app includes it without LibTorch's headers.
#pragma once
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "core/llm/io/finetune_spec.h"
#include "core/run/record.h"
#include "core/run/runner.h"

namespace zs {

// What a plane's figure calls its axes and itself: plane (a) "random direction 1
// (filter-normalised)" / "random direction 2"; plane (b) through runs A and B (Gram-Schmidt
// from A) "toward A's endpoint" / "toward B's (orthogonal part)". The app's 2-D and 3-D
// views, its figures and `zoscope-cli landscape` all name them so.
struct PlaneNames {
  std::string x, y, what;
};
PlaneNames plane_names(bool through_runs, const std::string& run_a = "", const std::string& run_b = "");

struct LiveRunStyle {
  uint32_t colour = 0;
  bool visible = true;
};

struct LiveConfig {
  FinetuneSpec spec;                  // model, task, mode, dtype, device, budget, eval, runs
  std::vector<LiveRunStyle> styles;   // per run (colour, visibility); may be shorter
  int plane_coarse = 9;               // nodes per side of the first plane grid
  int plane_fine = 21;                // nodes per side of the refined grid (<= 41)
  int64_t plane_examples = 8;         // training examples the plane's loss is measured on
  uint64_t plane_seed = 0;            // seed of the two plot directions
  // "random": plane (a), two seeded filter-normalised directions; "runs": plane (b), through
  // the initial weights and the final weights of runs plane_runs[0] and plane_runs[1]
  // (built once every run has finished; plane.h). An index past the spec's runs names a
  // followed run (follow(), in its order): its endpoint is its replay's last step, usable
  // once its log is complete and replayed.
  std::string plane = "random";
  int plane_runs[2] = {0, 1};
  int threads = 1;                    // ATen intra-op threads of the worker (the UI keeps a core)
  // "" or a folder for resumable step logs: <log_dir>/spec.json and
  // <log_dir>/runs/<label>/steps.log (finetune.h's format, appended and flushed step by
  // step), so `zoscope-cli finetune <log_dir>/spec.json --out <log_dir> --resume` continues
  // runs cut short (the app closed mid-training). A restarted run's log starts over.
  std::string log_dir;
  // Continue the runs logged in log_dir by an earlier session (the app's Continue; its
  // spec.json holds this spec): when a configuration first names that folder, each run
  // resumes from its step log through the resume path of `finetune --resume`
  // (run_resume.h: zeroth-order steps replayed without forward passes, first-order steps
  // recomputed) and goes on to the budget, appending to its log: bit for bit the run the
  // CLI would finish. Later changes of a run restart it from the initial weights as usual.
  bool resume = false;
  // Write <log_dir>/runs/<label>/final.safetensors when a run spends its budget (the
  // weights `finetune` writes there).
  bool save_final = false;
};

enum class LiveRunState { Waiting, Running, Paused, Done, Stopped, Diverged, Failed };
const char* live_run_state_name(LiveRunState s);

struct LiveRunInfo {
  LiveRunState state = LiveRunState::Waiting;
  std::string message;        // why it stopped (divergence, out of memory), one line
  double steps_per_second = 0;
  int64_t replayed = 0;       // a continued run's steps re-applied from its log (no forward pass)
};

// A run that another process fine-tunes (the app's File > Follow run directory,
// core/run/follow.h): its step log is replayed onto the current plane (plane.h RunReplay,
// on a copy of the model of its own) when its spec starts from the scene's initial
// weights: the same model, tokenizer, mode and dtype.
struct LiveFollowed {
  std::string spec_path;                    // the followed folder's spec.json
  std::string label;                        // the run's label in that spec
  uint64_t generation = 0;                  // FollowedLog::generation: a new one replays from the start
  std::vector<std::vector<double>> losses;  // each logged step's loss evaluations, in order
  bool complete = false;                    // the run has finished (FollowedLog::complete): the log is final
};

// A followed run's points on the plane so far (xy[0] = theta_0, xy[k] after step k), or
// why it has none (note).
struct LiveFollowedPoints {
  std::string label;
  uint64_t generation = 0;  // of the log the points were replayed from
  std::vector<std::array<double, 2>> xy;
  std::string note;
};

struct LiveSnapshot {
  std::vector<RunRecord> runs;       // in spec order: rows so far
  std::vector<RunRecord> previous;   // a restarted run's earlier curve (empty record if none)
  std::vector<LiveRunInfo> info;
  Grid plane;                        // loss on the plane (nx = 0 until the first grid)
  double plane_domain[4] = {0, 0, 0, 0};
  // The plane the grid and the rows' x, y are on. Published together with the grid: a
  // grid is never shown under the other plane's name (after a switch, nx = 0 until the new
  // plane's first grid is measured).
  std::string plane_kind = "random";
  // What the plane's loss is measured on, one line ("loss on the first 8 training examples
  // (fixed); the curves: each step's minibatch of 3"): why the plane's centre and the
  // curves' step-0 loss differ.
  std::string plane_measure;
  std::string plane_status;          // what the plane job does or why plane (b) is not shown, one line
  double plane_ends[4] = {NAN, NAN, NAN, NAN};  // plane (b): the two runs' endpoints (a_A, b_A, a_B, b_B)
  // "loading model", "pretraining", "training", "done", "error", "idle"; "starting" in a
  // snapshot of an earlier configuration than the last configure() (poll() says so
  // instead of the old configuration's phase, which may be "done").
  std::string phase;
  uint64_t generation = 0;           // the configure() this state is of (1, 2, ...; 0 before any)
  double progress = 0;               // of the phase, 0..1
  std::string error;                 // one line when phase is "error"
  std::string device;                // "CPU (1 thread)" or "CUDA: <name>"
  int64_t trainable = 0;             // trainable parameters of the model
  std::vector<LiveFollowedPoints> followed;  // in the order follow() was given them
  uint64_t followed_serial = 0;      // bumped when `followed` changed
  uint64_t serial = 0;               // bumped on every change
};

class LiveTrainer {
 public:
  LiveTrainer();
  ~LiveTrainer();  // stops the worker (a step in flight finishes first)
  LiveTrainer(const LiveTrainer&) = delete;
  LiveTrainer& operator=(const LiveTrainer&) = delete;

  // Applies a configuration; returns its generation (LiveSnapshot::generation). A change of
  // model, tokenizer, task, data, mode, dtype, device, batch size, length or evaluation
  // reloads and restarts every run; a change of one run's optimizer or hyperparameters
  // restarts only that run from the initial weights (its earlier curve stays as
  // `previous`); colours and visibility change nothing else. A change of the budget alone
  // (same unit) continues the runs where they are, to the new budget: bit for bit the runs
  // a start with that budget gives. A run already past a smaller budget, and a run whose
  // optimizer schedules over the run's length (budget_continues), restarts.
  uint64_t configure(const LiveConfig& c);
  void set_paused(int run, bool paused);  // run -1: all
  void stop(int run);                     // run -1: all
  void cancel();                          // abandons loading / pretraining in progress
  void cancel_plane();                    // abandons the plane job in progress (until the next change)
  // The followed runs (replaces the previous list): steps not yet replayed are replayed
  // onto the current plane between the live runs' steps; a new generation, another spec
  // or a new plane replays a run from the start.
  void follow(std::vector<LiveFollowed> runs);

  // Copies the state into `out` when it changed since the last poll; true then.
  bool poll(LiveSnapshot& out);
  // Blocks until every run is finished (done, stopped, diverged, failed) and the plane
  // grid is complete, or an error; false on timeout. Tests and headless screenshots.
  bool wait_finished(double timeout_s);
  // Blocks until every run has at least `steps` rows after the start, or finished.
  bool wait_steps(int64_t steps, double timeout_s);

  // Test hook (fault injection): step `step` (1-based) of run `run` throws as an exhausted
  // device does: kind "oom" a c10::OutOfMemoryError (the CUDA caching allocator's), kind
  // "bad_alloc" a std::bad_alloc. Set before configure().
  void inject_fault(int run, int64_t step, const std::string& kind);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether a run of `optimizer` with hyperparameters `hp` can go on to a new budget as if
// started with it: false where its steps depend on RunContext::total_steps (ZO-AdaMU's
// anneal; AdaZeta's "target" query schedule).
bool budget_continues(const std::string& optimizer, const ParamValues& hp);

// Why a plane grid drawn in `dtype` ("fp32", "bf16", "fp16") is rounding noise, one line, or
// "" when the dtype resolves it: `step` is the grid's node spacing in the plane's units.
std::string plane_resolution_note(const std::string& dtype, double step);

// Whether LibTorch can use a CUDA device here, and its name ("" when not).
std::string live_cuda_device_name();

}  // namespace zs
