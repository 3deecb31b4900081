// SPSA estimator shared by every zeroth-order optimizer (Spall 1992; MeZO, Malladi et al.
// 2023, Alg. 1: perturb +eps z, -2 eps z, restore; p = (l+ - l-) / (2 eps)).
#include "core/opt/zo_common.h"
#include <algorithm>
#include <cmath>
#include <vector>

namespace zs {

ParamDecl decl_lr(double def, double llm_def) {
  ParamDecl d{"lr", ParamKind::Real, def, 1e-10, 10.0, true, "learning rate (step size)"};
  d.llm_def = llm_def;
  return d;
}
ParamDecl decl_eps(double def) {
  ParamDecl d{"eps", ParamKind::Real, def, 1e-8, 1.0, true, "perturbation radius of the two-point estimate"};
  d.llm_def = 1e-3;
  return d;
}
ParamDecl decl_wd() {
  return {"wd", ParamKind::Real, 0.0, 0.0, 1.0, false, "weight decay (skips biases and norm weights)"};
}
ParamDecl decl_queries(double def) {
  return {"queries", ParamKind::Int, def, 1, 16, false, "directions averaged per step (n-query estimate, 2n FP)"};
}
ParamDecl decl_sided(double def) {
  ParamDecl d{"sided", ParamKind::Choice, def, 0, 1, false,
              "two: (l(x+eps z) - l(x-eps z)) / 2eps; one: (l(x+eps z) - l(x)) / eps"};
  d.choices = {"two", "one"};
  return d;
}
ParamDecl decl_dist() {
  ParamDecl d{"dist", ParamKind::Choice, 0, 0, 2, false,
              "direction distribution: gaussian N(0, I), rademacher +-1, sphere (uniform, radius sqrt(d))"};
  d.choices = {"gaussian", "rademacher", "sphere"};
  return d;
}

double ZoEstimate::loss() const { return std::isnan(loss0) ? 0.5 * (loss_plus + loss_minus) : loss0; }

void ZoEstimate::fill_gradient(ElemRequest& r) const {
  r.n_seeds = n;
  for (int q = 0; q < n; ++q) {
    r.seeds[q] = seeds[q];
    r.c1[q] = p[q] * scale[q] / n;
  }
}

StepInfo ZoEstimate::info() const {
  StepInfo s;
  s.loss = loss();
  s.loss_plus = loss_plus;
  s.loss_minus = loss_minus;
  s.p = p[0];
  s.seed = seeds[0];
  return s;
}

ElemRequest ZoEstimator::update_request(const Engine& e, const ZoEstimate& z, int32_t op) const {
  ElemRequest r;
  prepare(e, r);
  z.fill_gradient(r);
  r.op = op;
  r.restore_seed = z.restore_seed;
  r.restore_coef = z.restore_coef;
  return r;
}

void ZoEstimator::configure(const ParamValues& hp) {
  auto get = [&](const char* k, double d) {
    auto it = hp.find(k);
    return it == hp.end() ? d : it->second;
  };
  eps_ = get("eps", 1e-3);
  queries_ = static_cast<int>(get("queries", 1));
  sided_ = static_cast<Sided>(static_cast<int>(get("sided", 0)));
  dist_ = static_cast<DirKind>(static_cast<int>(get("dist", 0)));
}

double ZoEstimator::fp_per_step() const { return sided_ == Sided::Two ? 2.0 * queries_ : queries_ + 1.0; }

uint64_t ZoEstimator::seed(const Engine& e, int64_t t, int q) const {
  if (e.direction_table()) return static_cast<uint64_t>(t) * static_cast<uint64_t>(queries_) + static_cast<uint64_t>(q);
  return step_seed(run_seed_, static_cast<uint64_t>(t), static_cast<uint64_t>(q));
}

void ZoEstimator::prepare(const Engine& e, ElemRequest& r) const {
  if (const std::vector<double>* tab = e.direction_table()) {
    r.dist = kDirTable;
    r.table = tab->data();
    r.table_dim = e.dim();
    r.table_rows = static_cast<int64_t>(tab->size()) / e.dim();
  } else {
    r.dist = dist_ == DirKind::Rademacher ? kDirRademacher : kDirGaussian;
  }
}

void ZoEstimator::perturb(Engine& e, uint64_t seed, double coef, int32_t op) const {
  ElemRequest r;
  prepare(e, r);
  r.op = op;
  r.n_seeds = 1;
  r.seeds[0] = seed;
  r.c1[0] = coef;
  e.apply(r, nullptr);
}

void ZoEstimator::fuse_next(const Engine& e, ElemRequest& r, int64_t t) {
  if (!e.fuse_passes() || sided_ != Sided::Two || queries_ != 1 || dist_ == DirKind::Sphere) return;
  r.next_seed = seed(e, t + 1, 0);
  r.next_coef = eps_;
  pending_ = true;
  pending_seed_ = r.next_seed;
}

void ZoEstimator::settle(Engine& e) {
  if (!pending_) return;
  perturb(e, pending_seed_, -eps_);
  pending_ = false;
}

ZoEstimate ZoEstimator::estimate(Engine& e, int64_t t, bool defer_restore, int32_t perturb_op, double eps) {
  if (std::isnan(eps)) eps = eps_;
  ZoEstimate est;
  est.n = queries_;
  // The losses in call order (l0, then l+ [, l-] per query); with an engine that splits
  // evaluations over processes, each evaluates its share and the rest is gathered below.
  const bool split = e.splits_evals();
  double ls[2 * kMaxSeeds + 1];
  int nl = 0;
  const auto eval = [&] {
    ls[nl] = split ? e.eval_split(nl) : e.eval();
    ++nl;
  };
  if (sided_ == Sided::One) eval();
  for (int q = 0; q < queries_; ++q) {
    const uint64_t s = seed(e, t, q);
    double scale = 1.0;
    if (dist_ == DirKind::Sphere && !e.direction_table())
      scale = std::sqrt(static_cast<double>(e.dim()) / e.dir_sq_norm(s));  // uniform on the sphere of radius sqrt(d)
    est.seeds[q] = s;
    est.scale[q] = scale;
    const double u = eps * scale;
    const bool last = q == queries_ - 1;
    if (q == 0 && pending_ && s == pending_seed_ && perturb_op == kOpPerturb && eps == eps_)
      pending_ = false;  // the previous update already moved x to x + eps z
    else
      perturb(e, s, u, perturb_op);
    eval();
    if (sided_ == Sided::Two) {
      perturb(e, s, -2.0 * u, perturb_op);
      eval();
      if (last && defer_restore) { est.restore_seed = s; est.restore_coef = u; }
      else perturb(e, s, u, perturb_op);
    } else {
      if (last && defer_restore) { est.restore_seed = s; est.restore_coef = -u; }
      else perturb(e, s, -u, perturb_op);
    }
  }
  if (split) {
    // The next step's first direction does not depend on these losses: an engine can draw it
    // while they are gathered (docs/distributed.md#overlap).
    if (!e.direction_table() && dist_ != DirKind::Sphere)
      e.prefetch_direction(seed(e, t + 1, 0), dist_ == DirKind::Rademacher ? kDirRademacher : kDirGaussian);
    std::vector<double> all(ls, ls + nl);
    e.gather_split_losses(all);
    std::copy(all.begin(), all.end(), ls);
  }
  // The estimate from the losses, in call order.
  int k = 0;
  if (sided_ == Sided::One) est.loss0 = ls[k++];
  double sum_plus = 0, sum_minus = 0;
  for (int q = 0; q < queries_; ++q) {
    const double lp = ls[k++];
    sum_plus += lp;
    if (sided_ == Sided::Two) {
      const double lm = ls[k++];
      sum_minus += lm;
      est.p[q] = (lp - lm) / (2.0 * eps);
    } else {
      est.p[q] = (lp - est.loss0) / eps;
    }
  }
  est.loss_plus = sum_plus / queries_;
  if (sided_ == Sided::Two) est.loss_minus = sum_minus / queries_;
  return est;
}

}  // namespace zs
