// The fine-tuning driver (see finetune.h).
#include "core/llm/torch/finetune.h"
#include "core/llm/torch/finetune_setup.h"
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <c10/core/InferenceMode.h>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>
#include "core/run/step_log.h"
#include "core/llm/text/data.h"
#include "core/llm/text/tokenizer.h"
#include "core/llm/torch/adazeta.h"
#include "core/llm/torch/dist.h"
#include "core/llm/torch/sharded_loss.h"
#include "core/llm/torch/model.h"
#include "core/llm/torch/pretrain.h"
#include "core/llm/torch/task_torch.h"
#include "core/llm/torch/tensor_io.h"
#include "core/llm/torch/zo_engine.h"
#include "core/opt/optimizer.h"
#include "core/run/record.h"
#include "core/run/stepper.h"
#include "core/llm/torch/llm_rows.h"
#include "core/llm/torch/preflight.h"
#include "core/llm/torch/run_resume.h"
#include "core/util/atomic_file.h"
#include "core/util/json_read.h"
#include "core/util/error.h"
#include "core/util/memory.h"
#include "core/util/write_error.h"

namespace zs {

namespace fs = std::filesystem;

namespace {

class LogWriter {
 public:
  explicit LogWriter(const std::string& path) : path_(path) {
    f_ = std::fopen(path.c_str(), "ab");
    if (!f_) fail_write(path, std::string("cannot append: ") + std::strerror(errno));
  }
  ~LogWriter() {
    if (f_) std::fclose(f_);
  }
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;
  void write(const StepLogRecord& r) {
    const std::string s = step_log_line(r);
    if (write_budget(s.size()) != s.size() || std::fwrite(s.data(), 1, s.size(), f_) != s.size() || std::fflush(f_) != 0)
      fail_write(path_, std::string("cannot append: ") + std::strerror(errno));
  }

 private:
  std::string path_;
  std::FILE* f_ = nullptr;
};

c10::ScalarType dtype_of(const std::string& s) {
  if (s == "bf16") return at::kBFloat16;
  if (s == "fp16") return at::kHalf;
  return at::kFloat;
}

}  // namespace

std::string finetune_log_step_line(int64_t t, int64_t fp, int64_t bp, uint64_t seed, double p, double lr, double loss,
                                   const std::vector<double>& losses) {
  StepLogRecord r;
  r.t = t;
  r.fp = fp;
  r.bp = bp;
  r.seed = seed;
  r.p = p;
  r.lr = lr;
  r.loss = loss;
  r.losses = losses;
  return step_log_line(r);
}

std::string finetune_log_eval_line(int64_t t, int64_t fp, double dev_accuracy, double dev_loss) {
  StepLogRecord r;
  r.kind = 'E';
  r.t = t;
  r.fp = fp;
  r.dev_accuracy = dev_accuracy;
  r.dev_loss = dev_loss;
  return step_log_line(r);
}

int64_t process_peak_rss_bytes() {
  const double kb = proc_self_status("VmHWM");
  return std::isfinite(kb) ? static_cast<int64_t>(kb) * 1024 : 0;
}


std::vector<RunRecord> finetune_records(const FinetuneSpec& spec, const std::string& out_dir) {
  std::vector<RunRecord> out;
  for (size_t i = 0; i < spec.runs.size(); ++i) {
    const std::string path = out_dir + "/runs/" + spec.runs[i].label + "/record.csv";
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    std::vector<RunRecord> r = records_from_csv(read_file(path), path);
    if (r.size() != 1) fail(path, "expected one run, found " + std::to_string(r.size()));
    r[0].index = static_cast<int>(i);
    r[0].label = spec.runs[i].label;
    r[0].optimizer = spec.runs[i].optimizer;
    r[0].hp = spec.runs[i].hp;
    out.push_back(std::move(r[0]));
  }
  return out;
}

std::string finetune_model_dir(const FinetuneSpec& spec, const FinetuneLog& log, int threads) {
  if (threads > 0) at::set_num_threads(threads);
  if (spec.model != "default") return spec.model;
  DefaultModelOptions o;
  if (spec.pretrain_steps > 0) o.pretrain.steps = spec.pretrain_steps;
  o.log = log;
  return pretrained_default_model(o);
}

CausalLM finetune_load_model(const FinetuneSpec& spec, const std::string& model_dir) {
  if (spec.device == "cuda" && !at::hasCUDA()) fail(spec.file + ": device", "value \"cuda\": no CUDA device is available");
  ModelOptions mo;
  mo.dtype = dtype_of(spec.dtype);
  mo.device = c10::Device(spec.device == "cuda" ? c10::DeviceType::CUDA : c10::DeviceType::CPU);
  CausalLM model = CausalLM::load(model_dir, mo);
  if (spec.mode == "lora") {
    LoraOptions lo;
    lo.seed = spec.seed;
    model.enable_lora(lo);
  } else if (spec.mode == "adazeta") {
    AdaZetaOptions ao;
    ao.seed = spec.seed;
    enable_adazeta(model, ao);
  }
  return model;
}

FinetuneData finetune_load_data(const FinetuneSpec& spec, const std::string& model_dir, const ModelConfig& config) {
  FinetuneData out;
  const std::string tok_dir = spec.tokenizer.empty() ? model_dir : spec.tokenizer;
  out.tok = tokenizer_load(tok_dir);
  // Token ids index the embedding rows: a larger vocabulary belongs to another model (and
  // would end in an index error deep inside the first forward pass).
  if (out.tok->vocab_size() > config.vocab_size)
    fail(tok_dir, "the tokenizer has " + std::to_string(out.tok->vocab_size()) + " tokens but the model (" + model_dir +
                      "/config.json) has only " + std::to_string(config.vocab_size) +
                      " embedding rows: the tokenizer belongs to another model");
  const Task& task = task_get(spec.task);
  const TaskData data = finetune_task_data(spec);
  const EncodeOptions eo{.max_length = std::min<int64_t>(spec.max_length, config.max_position_embeddings)};
  out.train = task_encode(task, *out.tok, data.train, eo);
  out.dev = task_encode(task, *out.tok, data.dev, eo);
  out.test = task_encode(task, *out.tok, data.test, eo);
  return out;
}

FinetuneRunResult finetune_run(const FinetuneSpec& spec, size_t run_index, const std::string& model_dir,
                               const std::string& run_dir, const FinetuneRunOptions& opt) {
  if (run_index >= spec.runs.size()) fail("finetune", "run " + std::to_string(run_index) + " does not exist");
  const auto t_start = std::chrono::steady_clock::now();
  const FinetuneRun& run = spec.runs[run_index];
  if (opt.threads > 0) at::set_num_threads(opt.threads);
  const auto log = [&](const std::string& s) {
    if (opt.log) opt.log(run.label + ": " + s);
  };
  // Rank 0 alone writes; the other ranks of a distributed run only read (on --resume).
  const bool writer = !opt.dist || opt.dist->rank() == 0;
  std::error_code ec;
  if (writer && !opt.resume) fs::remove_all(run_dir, ec);
  if (writer) make_dirs(run_dir);

  // Model, mode, data.
  CausalLM model = finetune_load_model(spec, model_dir);
  const FinetuneData data = finetune_load_data(spec, model_dir, model.config());
  const Tokenizer* tok = data.tok.get();
  const EncodedSet& train = data.train;
  const EncodedSet& dev = data.dev;

  const std::unique_ptr<Optimizer> optimizer = optimizer_create(run.optimizer, run.hp, spec.file + ": " + run.label, true);
  const bool first_order = optimizer->info().family == "fo";
  if (first_order) model.set_autograd(true);
  const std::vector<Block> blocks = model.blocks();
  int64_t trainable = 0;
  for (const Block& b : blocks) trainable += b.tensor.numel();

  TensorBatch batch;
  std::vector<double> step_losses;
  // Data parallel, or the same shards in one process: the loss is the shards' sums added in
  // shard order (dist.h). One shard without a process group is the plain batch loss.
  // Direction parallel instead: every rank takes the whole minibatch and runs its share of
  // each step's loss evaluations (set_eval_split below).
  const bool directions = spec.dist_parallel == "directions";
  const int64_t shards = spec.dist_shards > 0 ? spec.dist_shards : (opt.dist && !directions ? opt.dist->world() : 1);
  std::unique_ptr<ShardedLoss> sharded;
  if ((opt.dist && !directions) || shards > 1)
    sharded = std::make_unique<ShardedLoss>(model, train, spec.batch_size, spec.seed, shards, opt.dist);
  TensorEngineOptions teo;
  teo.master_weights = spec.master_weights;
  TensorEngine engine(blocks, [&] {
    const double l = sharded ? sharded->loss() : task_loss(model, batch);
    step_losses.push_back(l);
    return l;
  }, teo);
  engine.set_loss_grad([&] {
    double v = 0;
    if (sharded) {
      v = sharded->loss_grad(blocks);
    } else {
      const at::Tensor l = task_loss_tensor(model, batch);
      l.backward();
      v = l.item<double>();
    }
    step_losses.push_back(v);
    return v;
  });
  engine.set_step_hook([&](int64_t t) {
    if (engine.replay_pending() > 0) return;  // replayed steps need no batch
    if (sharded) sharded->set_step(t);
    else batch = batch_to_device(train_batch(train, t, spec.batch_size, spec.seed), model.device());
  });
  if (sharded && opt.dist)  // data parallel: one collective per step for the estimator's losses
    sharded->defer_in(engine, [&](const std::vector<double>& ls) { step_losses.insert(step_losses.end(), ls.begin(), ls.end()); });
  if (opt.dist && directions) {
    Dist& d = *opt.dist;
    engine.set_eval_split(d.rank(), d.world(), [&](std::vector<double>& ls, const std::function<void()>& overlap) {
      // Evaluation k came from rank k % world; the log gets them all, in call order.
      const size_t n = ls.size(), w = static_cast<size_t>(d.world());
      const std::vector<double> all = d.allgather(ls, overlap);
      size_t own = 0;
      for (size_t k = 0; k < n; ++k) {
        own += k % w == static_cast<size_t>(d.rank());
        ls[k] = all[(k % w) * n + k];
      }
      step_losses.resize(step_losses.size() - own);
      step_losses.insert(step_losses.end(), ls.begin(), ls.end());
    });
  }
  Stepper stepper(*optimizer, engine, finetune_budget(spec), spec.seed);

  // Resume: checkpoint, then the log (run_resume.h, the one resume path).
  const std::string log_path = run_dir + "/steps.log", ckpt_path = run_dir + "/checkpoint.json";
  std::optional<RunResume> resume;
  if (opt.resume) {
    resume.emplace(run_dir, blocks, engine, *optimizer, first_order, writer);
    if (writer) log(resume->summary());
  } else if (writer) {
    atomic_write(log_path, "");
  }
  const int64_t start = resume ? resume->start() : 0;
  if (resume && opt.dist) {
    // Every rank must go on from rank 0's checkpoint and log: a rank that read another
    // folder (its --out not on the shared file system) would pair its steps' exchanges
    // with other steps of rank 0's, silently.
    const std::vector<double> at =
        opt.dist->allgather({static_cast<double>(start), static_cast<double>(resume->to_replay())});
    for (int r = 1; r < opt.dist->world(); ++r)
      if (at[static_cast<size_t>(2 * r)] != at[0] || at[static_cast<size_t>(2 * r + 1)] != at[1])
        fail(run_dir, "rank " + std::to_string(r) + " resumes at step " + fmt_double(at[static_cast<size_t>(2 * r)]) +
                          " replaying " + fmt_double(at[static_cast<size_t>(2 * r + 1)]) + " logged steps, rank 0 at step " +
                          fmt_double(at[0]) + " replaying " + fmt_double(at[1]) +
                          ": every rank must read rank 0's --out folder (a shared file system)");
  }

  std::optional<LogWriter> log_writer;
  if (writer) log_writer.emplace(log_path);
  FinetuneRunResult res;
  res.label = run.label;
  res.optimizer = run.optimizer;
  res.family = optimizer->info().family;
  res.trainable = trainable;
  const double lr = run.hp.count("lr") ? run.hp.at("lr") : NAN;
  const int64_t eval_n = spec.eval_examples > 0 ? spec.eval_examples : -1;

  const auto checkpoint = [&](int64_t t) {
    const std::string name = "ckpt-" + std::to_string(t) + ".safetensors";
    std::vector<std::pair<std::string, at::Tensor>> ts;
    for (const Block& b : blocks) ts.push_back({"param/" + b.name, b.tensor.detach()});
    for (auto& kv : engine.state_tensors()) ts.push_back(kv);
    save_tensors(run_dir + "/" + name, ts);
    nlohmann::ordered_json c;
    c["step"] = t;
    c["fp"] = engine.forward_passes();
    c["bp"] = engine.backward_passes();
    c["scalar_state"] = nlohmann::json::array();
    for (double v : optimizer->scalar_state()) c["scalar_state"].push_back(step_log_hex(v));
    c["tensors"] = name;
    atomic_write(ckpt_path, c.dump(1));
    for (const auto& e : fs::directory_iterator(run_dir, ec)) {
      const std::string f = e.path().filename().string();
      if (f.rfind("ckpt-", 0) == 0 && f != name) fs::remove(e.path(), ec);
    }
  };

  // The step loop is the Stepper's (core/run/stepper.h); this observer chooses the
  // minibatch, replays logged losses on resume, fills the row from the engine's statistics
  // and logs every new step.
  struct Observer : StepObserver {
    RunResume* resume;
    TensorEngine& engine;
    LlmRowStats row_stats;
    Observer(RunResume* r, TensorEngine& e) : resume(r), engine(e) {}
    void before_step(int64_t t) override {
      if (resume) resume->before_step(t, engine);
    }
    void fill_row(const StepInfo& si, StepRow& row) override { row_stats.fill(engine, si, row); }
  } obs(resume ? &*resume : nullptr, engine);
  RunRecord rec;
  rec.label = run.label;
  rec.optimizer = run.optimizer;
  record_describe(rec, *optimizer);
  rec.memory_bytes = engine.state_bytes() + optimizer->memory_bytes();
  {
    StepRow r0;  // the start: step 0, no forward pass
    rec.rows.push_back(r0);
  }
  const std::string record_path = run_dir + "/record.csv";
  if (opt.resume && start > 0 && !writer) {
    stepper.restore(start, 0);  // the record (path length, plane point) is rank 0's
  } else if (resume) {
    // Rows up to the checkpoint come from the last record written; replayed steps rebuild the rest.
    resume->restore_record(rec, obs.row_stats, stepper);
  }
  const auto save_record = [&] { atomic_write(record_path, records_to_csv({rec})); };

  const int64_t bytes0 = opt.dist ? opt.dist->bytes_sent() : 0;
  // The time left, from this process's pace over the budget still to go (steps, or FP).
  const auto loop_t0 = std::chrono::steady_clock::now();
  const int64_t fp0 = engine.forward_passes(), t0_steps = stepper.steps_done();
  const auto time_left = [&](int64_t t) -> std::string {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - loop_t0).count();
    const double done = spec.steps > 0 ? static_cast<double>(t - t0_steps) : static_cast<double>(engine.forward_passes() - fp0);
    const double todo = spec.steps > 0 ? static_cast<double>(spec.steps - t) : static_cast<double>(spec.forward_passes - engine.forward_passes());
    if (done <= 0 || todo <= 0 || s < 1) return "";
    const double left = s * todo / done;
    char buf[48];
    std::snprintf(buf, sizeof buf, left < 120 ? ", about %.0f s left" : ", about %.0f min left", left < 120 ? left : left / 60);
    return buf;
  };

  bool stopped = false;
  while (!stepper.exhausted()) {
    step_losses.clear();
    StepRow row;
    const StepInfo info = stepper.step(row, obs);
    const int64_t t = stepper.steps_done();
    if (resume && resume->after_step(info, engine)) {
      ++res.replayed_steps;
    } else {
      StepLogRecord r;
      r.t = t;
      r.fp = engine.forward_passes();
      r.bp = engine.backward_passes();
      r.seed = info.seed;
      r.p = info.p;
      r.lr = lr;
      r.loss = info.loss;
      r.losses = step_losses;
      if (!std::isfinite(info.loss)) fail(run.label, "loss is not finite at step " + std::to_string(t));
      if (log_writer) log_writer->write(r);
    }
    if (spec.eval_every > 0 && t % spec.eval_every == 0) {
      stepper.settle();
      engine.sync_model();
      const double* logged_dev = resume ? resume->evaluated(t) : nullptr;
      if (!writer) {
        // rank 0 evaluates (the settle above is part of every rank's trajectory)
      } else if (!logged_dev) {
        const EvalResult ev = task_evaluate(model, *tok, dev, {.max_examples = eval_n});
        StepLogRecord r;
        r.kind = 'E';
        r.t = t;
        r.fp = engine.forward_passes();
        r.dev_accuracy = ev.value;
        r.dev_loss = ev.loss;
        log_writer->write(r);
        row.dev_metric = ev.value;
        log("step " + std::to_string(t) + ": dev " + fmt_double(ev.value) + ", FP " + std::to_string(r.fp) + time_left(t));
      } else {
        row.dev_metric = *logged_dev;
      }
    }
    rec.rows.push_back(row);
    const bool checkpoint_due = spec.checkpoint_every > 0 && t % spec.checkpoint_every == 0;
    if (checkpoint_due) {
      stepper.settle();
      engine.sync_model();
      if (writer) {
        save_record();
        checkpoint(t);
      }
    }
    // The other ranks wait for rank 0's evaluation and checkpoint without the collectives'
    // timeout (a long evaluation is not a lost rank).
    if (opt.dist && (checkpoint_due || (spec.eval_every > 0 && t % spec.eval_every == 0)))
      opt.dist->after_rank0_work(run.label + "/" + std::to_string(t));
    if (opt.stop_after_step > 0 && t >= opt.stop_after_step) {
      stopped = true;
      break;
    }
  }
  const int64_t t = stepper.steps_done();
  res.steps = t;
  res.forward_passes = engine.forward_passes();
  res.backward_passes = engine.backward_passes();
  res.state_bytes = engine.state_bytes() + optimizer->memory_bytes();
  if (opt.dist) {
    res.dist_bytes_sent = opt.dist->bytes_sent() - bytes0;
    const int64_t new_steps = t - start - res.replayed_steps;
    if (writer && new_steps > 0)
      log((directions ? "direction parallel over " : "data parallel over ") + std::to_string(opt.dist->world()) +
          " ranks (" + opt.dist->backend() + "), " +
          (directions ? std::string("whole minibatch each") : std::to_string(shards) + " shards") + ": " + fmt_double(static_cast<double>(res.dist_bytes_sent) / new_steps) +
          " bytes sent per step by rank 0");
  }
  if (!stopped && !writer) {
    stepper.settle();
    res.completed = true;
  } else if (!stopped) {
    stepper.settle();
    engine.sync_model();
    finetune_save_final(run_dir, blocks);
    const EvalResult ev = task_evaluate(model, *tok, dev, {.max_examples = eval_n});
    res.dev_accuracy = ev.value;
    res.final_train_loss = task_evaluate(model, *tok, train).loss;
    res.completed = true;
    save_record();
  }
  res.peak_rss_bytes = process_peak_rss_bytes();
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  // Rank 0 alone marks the run complete: another rank's result (no evaluation) would race
  // it, and make a --resume skip a run that rank 0 had not finished.
  if (res.completed && writer) finetune_result_write(run_dir + "/result.json", res);
  if (res.completed && opt.dist) opt.dist->after_rank0_work(run.label + "/end");  // its final evaluation
  return res;
}

void finetune_result_write(const std::string& path, const FinetuneRunResult& r) {
  nlohmann::ordered_json j;
  j["label"] = r.label;
  j["optimizer"] = r.optimizer;
  j["family"] = r.family;
  j["completed"] = r.completed;
  j["steps"] = r.steps;
  j["forward_passes"] = r.forward_passes;
  j["backward_passes"] = r.backward_passes;
  j["replayed_steps"] = r.replayed_steps;
  j["final_train_loss"] = r.final_train_loss;
  j["dev_accuracy"] = r.dev_accuracy;
  j["trainable"] = r.trainable;
  j["state_bytes"] = r.state_bytes;
  j["peak_rss_bytes"] = r.peak_rss_bytes;
  j["seconds"] = r.seconds;
  atomic_write(path, j.dump(1) + "\n");
}

FinetuneRunResult finetune_result_read(const std::string& path) {
  FinetuneRunResult r;
  try {
    const nlohmann::json j = json_load(path);
    r.label = j.at("label");
    r.optimizer = j.at("optimizer");
    r.family = j.at("family");
    r.completed = j.at("completed");
    r.steps = j.at("steps");
    r.forward_passes = j.at("forward_passes");
    r.backward_passes = j.at("backward_passes");
    r.replayed_steps = j.at("replayed_steps");
    r.final_train_loss = j.at("final_train_loss");
    r.dev_accuracy = j.at("dev_accuracy");
    r.trainable = j.at("trainable");
    r.state_bytes = j.at("state_bytes");
    r.peak_rss_bytes = j.at("peak_rss_bytes");
    r.seconds = j.at("seconds");
  } catch (const nlohmann::json::exception& e) {
    fail(path, std::string("bad result file: ") + e.what());
  }
  return r;
}

namespace {

const char* kColumns[] = {"run", "optimizer", "steps", "forward_passes", "final_train_loss", "dev_accuracy",
                          "optimizer_state_bytes", "peak_rss_bytes", "seconds"};

std::vector<std::string> cells(const FinetuneRunResult& r) {
  char loss[32], acc[32], sec[32];
  std::snprintf(loss, sizeof loss, "%.4f", r.final_train_loss);
  std::snprintf(acc, sizeof acc, "%.4f", r.dev_accuracy);
  std::snprintf(sec, sizeof sec, "%.1f", r.seconds);
  return {r.label, r.optimizer, std::to_string(r.steps), std::to_string(r.forward_passes), loss, acc,
          std::to_string(r.state_bytes), std::to_string(r.peak_rss_bytes), sec};
}

}  // namespace

std::string finetune_table(const std::vector<FinetuneRunResult>& results) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back(std::vector<std::string>(std::begin(kColumns), std::end(kColumns)));
  for (const auto& r : results) rows.push_back(cells(r));
  std::vector<size_t> w(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], row[i].size());
  std::string out;
  for (size_t k = 0; k < rows.size(); ++k) {
    for (size_t i = 0; i < rows[k].size(); ++i) {
      const std::string& c = rows[k][i];
      const std::string pad(w[i] - c.size(), ' ');
      out += (i == 0 ? "" : "  ") + (i < 2 ? c + pad : pad + c);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  }
  return out;
}

std::string finetune_results_csv(const std::vector<FinetuneRunResult>& results) {
  std::string out;
  for (const char* c : kColumns) out += (out.empty() ? "" : ",") + std::string(c);
  out += '\n';
  for (const auto& r : results) {
    std::vector<std::string> c = cells(r);
    c[4] = fmt_double(r.final_train_loss);
    c[5] = fmt_double(r.dev_accuracy);
    c[8] = fmt_double(r.seconds);
    std::string line;
    for (const auto& s : c) line += (line.empty() ? "" : ",") + s;
    out += line + '\n';
  }
  return out;
}

std::string finetune_curves_csv(const FinetuneSpec& spec, const std::string& out_dir) {
  std::string out = "label,optimizer,step,forward_passes,train_loss,dev_accuracy\n";
  for (const FinetuneRun& run : spec.runs) {
    std::map<int64_t, double> dev;
    const std::vector<StepLogRecord> recs = step_log_read(out_dir + "/runs/" + run.label + "/steps.log");
    for (const StepLogRecord& r : recs)
      if (r.kind == 'E') dev[r.t] = r.dev_accuracy;
    for (const StepLogRecord& r : recs) {
      if (r.kind != 'S') continue;
      const auto it = dev.find(r.t);
      out += run.label + "," + run.optimizer + "," + std::to_string(r.t) + "," + std::to_string(r.fp) + "," +
             fmt_double(r.loss) + "," + (it == dev.end() ? "" : fmt_double(it->second)) + "\n";
    }
  }
  return out;
}

}  // namespace zs
