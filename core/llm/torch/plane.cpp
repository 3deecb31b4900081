// The loss plane of a language model (see plane.h).
#include "core/llm/torch/plane.h"
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <cmath>
#include "core/llm/torch/dist.h"
#include "core/llm/torch/finetune.h"
#include "core/llm/torch/finetune_setup.h"
#include "core/llm/torch/model.h"
#include "core/llm/torch/task_torch.h"
#include "core/llm/torch/zo_engine.h"
#include "core/opt/optimizer.h"
#include "core/util/error.h"

namespace zs {

struct LossPlane::Impl {
  CausalLM model;
  std::vector<at::Tensor> init, dir[2];
  std::vector<at::Tensor> random[2];  // plane (a)'s directions, kept while plane (b) is shown
  std::function<double(const CausalLM&)> loss;
  explicit Impl(CausalLM m) : model(std::move(m)) {}
};

LossPlane::LossPlane(const FinetuneSpec& spec, const std::string& model_dir, const EncodedSet& train,
                     uint64_t plane_seed, int64_t examples)
    : LossPlane(finetune_load_model(spec, model_dir), nullptr, plane_seed) {
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < std::min<int64_t>(examples, train.size()); ++i) idx.push_back(i);
  const TensorBatch batch = batch_to_device(batch_make(train, idx, batch_kind_train(train)), impl_->model.device());
  impl_->loss = [batch](const CausalLM& m) { return task_loss(m, batch); };
}

LossPlane::LossPlane(CausalLM model, std::function<double(const CausalLM&)> loss, uint64_t plane_seed)
    : impl_(new Impl(std::move(model))) {
  try {
    impl_->loss = std::move(loss);
    c10::NoGradGuard ng;
    const std::vector<Block> blocks = impl_->model.blocks();
    for (size_t b = 0; b < blocks.size(); ++b) {
      impl_->init.push_back(blocks[b].tensor.detach().to(at::kFloat).clone());  // fp32: points are exact sums
      for (int k = 0; k < 2; ++k) {
        at::Tensor d;
        plot_row_scale(blocks[b].tensor, plane_seed, k, b, &d);
        impl_->dir[k].push_back(d);
      }
      trainable_ += blocks[b].tensor.numel();
    }
    for (int k = 0; k < 2; ++k) impl_->random[k] = impl_->dir[k];
    set_gram();
  } catch (...) {
    delete impl_;
    throw;
  }
}

LossPlane::~LossPlane() { delete impl_; }

CausalLM& LossPlane::model() { return impl_->model; }

namespace {

// <a, b> over all blocks, summed in double.
double dot_all(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  double s = 0;
  for (size_t k = 0; k < a.size(); ++k) s += (a[k] * b[k]).sum(at::kDouble).item<double>();
  return s;
}

}  // namespace

void LossPlane::set_gram() {
  gram_[0] = dot_all(impl_->dir[0], impl_->dir[0]);
  gram_[1] = dot_all(impl_->dir[0], impl_->dir[1]);
  gram_[2] = dot_all(impl_->dir[1], impl_->dir[1]);
}

std::array<double, 4> LossPlane::use_runs_plane(const std::vector<at::Tensor>& end_a, const std::vector<at::Tensor>& end_b) {
  c10::NoGradGuard ng;
  const std::vector<at::Tensor>& init = impl_->init;
  if (end_a.size() != init.size() || end_b.size() != init.size())
    fail("runs plane", "the endpoints have " + std::to_string(end_a.size()) + " / " + std::to_string(end_b.size()) +
                           " tensors, the model " + std::to_string(init.size()));
  // Gram-Schmidt on u_A = theta_A - theta_0, u_B = theta_B - theta_0 (fp32 tensors, double sums).
  std::vector<at::Tensor> ua, ub;
  for (size_t k = 0; k < init.size(); ++k) {
    ua.push_back(end_a[k].detach().to(init[k].device(), at::kFloat) - init[k]);
    ub.push_back(end_b[k].detach().to(init[k].device(), at::kFloat) - init[k]);
  }
  const double na = std::sqrt(dot_all(ua, ua)), nb = std::sqrt(dot_all(ub, ub));
  if (!std::isfinite(na) || !std::isfinite(nb))
    fail("runs plane", "a run's final weights are not finite");
  if (!(na > 0) || !(nb > 0)) fail("runs plane", "a run's final weights equal the initial weights (it did not move)");
  std::vector<at::Tensor> e1, e2;
  for (const at::Tensor& u : ua) e1.push_back(u / na);
  const double c = dot_all(ub, e1);
  for (size_t k = 0; k < ub.size(); ++k) e2.push_back(ub[k] - e1[k] * c);
  const double np = std::sqrt(dot_all(e2, e2));
  // Parallel displacements (to float resolution) span a line, not a plane.
  if (!(np > 1e-5 * nb)) fail("runs plane", "the two runs moved along the same line: their endpoints span no plane");
  for (at::Tensor& e : e2) e = e / np;
  impl_->dir[0] = std::move(e1);
  impl_->dir[1] = std::move(e2);
  set_gram();
  runs_plane_ = true;
  const std::array<double, 2> a = project(end_a), b = project(end_b);
  return {a[0], a[1], b[0], b[1]};
}

void LossPlane::use_random_plane() {
  for (int k = 0; k < 2; ++k) impl_->dir[k] = impl_->random[k];
  set_gram();
  runs_plane_ = false;
}

std::array<double, 2> LossPlane::project(const std::vector<at::Tensor>& weights) const {
  c10::NoGradGuard ng;
  double d[2] = {0, 0};
  for (size_t k = 0; k < impl_->init.size(); ++k) {
    const at::Tensor delta = weights[k].detach().to(impl_->init[k].device(), at::kFloat) - impl_->init[k];
    for (int i = 0; i < 2; ++i) d[i] += (delta * impl_->dir[i][k]).sum(at::kDouble).item<double>();
  }
  const double det = gram_[0] * gram_[2] - gram_[1] * gram_[1];
  return {(gram_[2] * d[0] - gram_[1] * d[1]) / det, (-gram_[1] * d[0] + gram_[0] * d[1]) / det};
}

double LossPlane::loss_at(double a, double b) {
  c10::NoGradGuard ng;
  const std::vector<Block> blocks = impl_->model.blocks();
  // One fp32 temporary per tensor: init + a d_1, then + b d_2 in place.
  for (size_t k = 0; k < blocks.size(); ++k)
    blocks[k].tensor.copy_(at::add(impl_->init[k], impl_->dir[0][k], a).add_(impl_->dir[1][k], b));
  return impl_->loss(impl_->model);
}

Grid LossPlane::grid(int n, const double domain[4], const std::atomic<bool>* cancel, Dist* dist) {
  Grid g;
  g.nx = g.ny = n;
  std::copy(domain, domain + 4, g.domain);
  const size_t nodes = static_cast<size_t>(n) * static_cast<size_t>(n);
  g.v.assign(nodes, NAN);
  const int world = dist ? dist->world() : 1, rank = dist ? dist->rank() : 0;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      if (cancel && *cancel) return g;
      const size_t k = static_cast<size_t>(j) * n + i;
      if (static_cast<int>(k % static_cast<size_t>(world)) != rank) continue;
      const double a = domain[0] + (domain[1] - domain[0]) * i / (n - 1);
      const double b = domain[2] + (domain[3] - domain[2]) * j / (n - 1);
      g.v[k] = static_cast<float>(loss_at(a, b));
    }
  if (dist) {
    // Every rank's nodes (floats, exact in double), then node k from rank k % world.
    const std::vector<double> all = dist->allgather(std::vector<double>(g.v.begin(), g.v.end()));
    for (size_t k = 0; k < nodes; ++k) g.v[k] = static_cast<float>(all[(k % static_cast<size_t>(world)) * nodes + k]);
  }
  return g;
}

struct RunReplay::Obs : StepObserver {
  RunReplay* self = nullptr;
  std::function<void(int64_t)> select;
  void before_step(int64_t t) override {
    if (self->first_order_) {
      if (select) select(t);
    } else {
      self->engine_->replay_losses(self->log_[static_cast<size_t>(t)].losses);
    }
  }
  void fill_row(const StepInfo&, StepRow&) override {}
};

RunReplay::RunReplay(const FinetuneSpec& spec, const FinetuneRun& run, const std::vector<Block>& blocks,
                     const std::vector<at::Tensor>& init, std::vector<LoggedStep> log, TensorEngine::LossFn loss,
                     TensorEngine::LossGradFn loss_grad, std::function<void(int64_t)> before_step)
    : blocks_(blocks), log_(std::move(log)) {
  {
    c10::NoGradGuard ng;
    for (size_t b = 0; b < blocks_.size(); ++b) blocks_[b].tensor.copy_(init[b]);
  }
  opt_ = optimizer_create(run.optimizer, run.hp, spec.file + ": " + run.label, true);
  first_order_ = opt_->info().family == "fo";
  TensorEngineOptions teo;
  teo.master_weights = spec.master_weights;
  teo.fuse = false;  // no pending perturbation between steps: the weights are the iterate
  teo.alpha_hist = false;
  // A zeroth-order step gets every loss from the log: one more than logged is a log of another run.
  if (!first_order_) loss = []() -> double {
      fail("replay", "a step asked for more loss evaluations than logged: the log belongs to another run");
    };
  engine_ = std::make_unique<TensorEngine>(blocks_, std::move(loss), teo);
  engine_->set_loss_grad(std::move(loss_grad));
  // The run's budget, so schedules see the same length.
  stepper_ = std::make_unique<Stepper>(*opt_, *engine_, finetune_budget(spec), spec.seed);
  obs_ = std::make_unique<Obs>();
  obs_->self = this;
  obs_->select = std::move(before_step);
}

RunReplay::~RunReplay() = default;

void RunReplay::step() {
  if (done()) return;
  StepRow row;
  stepper_->step(row, *obs_);
  ++t_;
  if (!first_order_ && engine_->replay_pending() != 0)
    fail("replay", "step " + std::to_string(t_) + " used fewer loss evaluations than logged: the log belongs to another run");
  engine_->sync_model();
}

std::vector<at::Tensor> RunReplay::weights() const {
  std::vector<at::Tensor> w;
  for (const Block& b : blocks_) w.push_back(b.tensor);
  return w;
}

}  // namespace zs
