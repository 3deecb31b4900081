// First-order references on true gradients (docs/optimizers.md#first-order-references): SGD, SGD with
// momentum (torch.optim.SGD semantics, optional Nesterov), Adam and AdamW (bias-corrected,
// delta outside the sqrt). On landscapes gradients are analytic; on LLMs from autograd.
#include <cmath>
#include "core/opt/zo_common.h"

namespace zs {
namespace {

class FirstOrder : public Optimizer {
 public:
  FirstOrder(const OptimizerInfo& i, ParamValues hp, int32_t op, int slots) : Optimizer(i, std::move(hp)), op_(op), slots_(slots) {
    base_.op = op_;
    base_.flags = kFlagGradBuffer;
    base_.lr = this->hp("lr");
    base_.wd = this->hp("wd");
    if (op_ == kOpMomentum) {
      base_.beta1 = this->hp("momentum");
      if (this->hp("nesterov") != 0) base_.flags |= kFlagNesterov;
    } else if (op_ == kOpAdam) {
      base_.beta1 = this->hp("beta1");
      base_.beta2 = this->hp("beta2");
      base_.delta = this->hp("delta");
      if (info_.id == "adamw") base_.flags |= kFlagDecoupledWd;
    }
  }
  void reset(Engine& e, const RunContext&) override {
    for (int s = 0; s < slots_; ++s) e.state_init(s, 0.0);
  }
  StepInfo step(Engine& e, int64_t t) override {
    StepInfo out;
    out.loss = e.eval_grad();
    ElemRequest r = base_;
    if (op_ == kOpAdam) {
      r.bc1 = 1.0 - std::pow(r.beta1, static_cast<double>(t + 1));
      r.bc2 = 1.0 - std::pow(r.beta2, static_cast<double>(t + 1));
    }
    e.apply(r, nullptr);
    return out;
  }
  double memory_p() const override { return slots_; }
  double fp_per_step() const override { return 1; }
  int bp_per_step() const override { return 1; }

 private:
  int32_t op_;
  int slots_;
  ElemRequest base_;  // hyperparameters resolved once
};

std::vector<ParamDecl> adam_decls(double wd) {
  ParamDecl w = decl_wd();
  w.def = wd;
  return {decl_lr(0.01, 1e-5),
          {"beta1", ParamKind::Real, 0.9, 0.0, 0.9999, false, "first-moment decay"},
          {"beta2", ParamKind::Real, 0.999, 0.0, 0.99999, false, "second-moment decay"},
          {"delta", ParamKind::Real, 1e-8, 1e-12, 1.0, true, "added outside the square root"},
          w};
}

}  // namespace

extern const OptimizerEntry kSgdEntry = {
    [] {
      return OptimizerInfo{"sgd", "SGD", "fo", "Gradient descent on the true gradient: x -= lr (g + wd x).", false,
                           {decl_lr(1e-3, 1e-4), decl_wd()}};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> {
      return std::make_unique<FirstOrder>(i, std::move(hp), kOpSgd, 0);
    }};

extern const OptimizerEntry kMomentumEntry = {
    [] {
      return OptimizerInfo{"sgd_momentum", "SGD-momentum", "fo",
                           "Heavy-ball momentum with torch.optim.SGD semantics: b = mu b + g; x -= lr b "
                           "(Nesterov: x -= lr (g + mu b)).",
                           false,
                           {decl_lr(1e-3, 1e-4),
                            {"momentum", ParamKind::Real, 0.9, 0.0, 0.9999, false, "momentum mu"},
                            {"nesterov", ParamKind::Bool, 0, 0, 1, false, "Nesterov look-ahead form"},
                            decl_wd()}};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> {
      return std::make_unique<FirstOrder>(i, std::move(hp), kOpMomentum, 1);
    }};

extern const OptimizerEntry kAdamEntry = {
    [] {
      return OptimizerInfo{"adam", "Adam", "fo",
                           "Adam (Kingma & Ba 2015), bias-corrected, delta outside the sqrt; stores m and v (2P).",
                           false, adam_decls(0.0)};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> {
      return std::make_unique<FirstOrder>(i, std::move(hp), kOpAdam, 2);
    }};

extern const OptimizerEntry kAdamWEntry = {
    [] {
      return OptimizerInfo{"adamw", "AdamW", "fo",
                           "AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay x -= lr wd x.", false,
                           adam_decls(0.01)};
    },
    [](const OptimizerInfo& i, ParamValues hp) -> std::unique_ptr<Optimizer> {
      return std::make_unique<FirstOrder>(i, std::move(hp), kOpAdam, 2);
    }};

}  // namespace zs
