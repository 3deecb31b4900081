// The loss plane of a language model (see plane.h).
#include "core/llm/torch/plane.h"
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <cmath>
#include "core/llm/torch/dist.h"
#include "core/llm/torch/finetune_setup.h"
#include "core/llm/torch/model.h"
#include "core/llm/torch/task_torch.h"
#include "core/llm/torch/zo_engine.h"

namespace zs {

struct LossPlane::Impl {
  CausalLM model;
  std::vector<at::Tensor> init, dir[2];
  TensorBatch batch;
  explicit Impl(CausalLM m) : model(std::move(m)) {}
};

LossPlane::LossPlane(const FinetuneSpec& spec, const std::string& model_dir, const EncodedSet& train,
                     uint64_t plane_seed, int64_t examples)
    : impl_(new Impl(finetune_load_model(spec, model_dir))) {
  try {
    c10::NoGradGuard ng;
    const std::vector<Block> blocks = impl_->model.blocks();
    for (size_t b = 0; b < blocks.size(); ++b) {
      impl_->init.push_back(blocks[b].tensor.detach().to(at::kFloat).clone());  // fp32: points are exact sums
      for (int k = 0; k < 2; ++k) {
        at::Tensor d;
        plot_row_scale(blocks[b].tensor, plane_seed, k, b, &d);
        impl_->dir[k].push_back(d);
      }
      const at::Tensor d0 = impl_->dir[0][b].to(at::kDouble), d1 = impl_->dir[1][b].to(at::kDouble);
      gram_[0] += d0.pow(2).sum().item<double>();
      gram_[1] += (d0 * d1).sum().item<double>();
      gram_[2] += d1.pow(2).sum().item<double>();
      trainable_ += blocks[b].tensor.numel();
    }
    std::vector<int64_t> idx;
    for (int64_t i = 0; i < std::min<int64_t>(examples, train.size()); ++i) idx.push_back(i);
    impl_->batch = batch_to_device(batch_make(train, idx, batch_kind_train(train)), impl_->model.device());
  } catch (...) {
    delete impl_;
    throw;
  }
}

LossPlane::~LossPlane() { delete impl_; }

double LossPlane::loss_at(double a, double b) {
  c10::NoGradGuard ng;
  const std::vector<Block> blocks = impl_->model.blocks();
  for (size_t k = 0; k < blocks.size(); ++k)
    blocks[k].tensor.copy_(impl_->init[k] + impl_->dir[0][k] * a + impl_->dir[1][k] * b);
  return task_loss(impl_->model, impl_->batch);
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

}  // namespace zs
