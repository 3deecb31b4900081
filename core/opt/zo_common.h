// Shared machinery of the zeroth-order optimizers: the SPSA estimator (two-sided MeZO
// form, one-sided form, n-query average; docs/optimizers.md#spsa-estimator), direction
// distributions, common hyperparameter declarations, and the registration hook.
#pragma once
#include <functional>
#include <memory>
#include <vector>
#include "core/opt/optimizer.h"

namespace zs {

enum class Sided { Two = 0, One = 1 };
enum class DirKind { Gaussian = 0, Rademacher = 1, Sphere = 2 };

// Declarations reused by several optimizers (lr/eps defaults differ per method).
ParamDecl decl_lr(double def, double llm_def);
ParamDecl decl_eps(double def = 1e-3);
ParamDecl decl_wd();
ParamDecl decl_queries(double def = 1);
ParamDecl decl_sided(double def = 0);
ParamDecl decl_dist();

// Result of one gradient estimate. The last query is left perturbed when the caller
// fuses its restore into the update (restore_seed/restore_coef go into the ElemRequest).
struct ZoEstimate {
  int n = 0;
  uint64_t seeds[kMaxSeeds] = {};
  double p[kMaxSeeds] = {};       // projected gradients
  double scale[kMaxSeeds] = {};   // direction scale (1, or sqrt(d)/||z|| on the sphere)
  double loss_plus = NAN, loss_minus = NAN, loss0 = NAN;
  uint64_t restore_seed = 0;
  double restore_coef = 0;
  double loss() const;            // (l+ + l-)/2 averaged, or l0 for one-sided
  // c1[q] = p_q scale_q / n : g = sum_q c1[q] z_q
  void fill_gradient(ElemRequest& r) const;
  // The run-record fields of this estimate (loss, probes, p and seed of the first query).
  StepInfo info() const;
};

class ZoEstimator {
 public:
  // Reads eps, queries, sided, dist from hp when present (defaults: 1e-3, 1, two, gaussian).
  void configure(const ParamValues& hp);
  void set_run_seed(uint64_t s) {
    run_seed_ = s;
    pending_ = false;
  }
  double eps() const { return eps_; }
  int queries() const { return queries_; }
  // Query count of the next estimate (AdaZeta's per-step schedule); n in [1, kMaxSeeds].
  void set_queries(int n) { queries_ = n; }
  Sided sided() const { return sided_; }
  double fp_per_step() const;
  // Seed of query q at step t (table mode: t * queries + q, selecting rows cyclically).
  uint64_t seed(const Engine& e, int64_t t, int q) const;
  // Sets dist / table fields of a request for this engine.
  void prepare(const Engine& e, ElemRequest& r) const;
  // An update request of op `op` for estimate z: directions prepared, g = sum_q c1 z_q,
  // and the deferred restore of the last query fused in.
  ElemRequest update_request(const Engine& e, const ZoEstimate& z, int32_t op) const;
  // Runs the estimate at step t with radius eps (NaN: configured eps). `perturb_op`
  // selects the perturbation direction (kOpPerturb, kOpPerturbHiZOO, kOpPerturbAdaMU).
  // With defer_restore the last query stays perturbed (by -eps u for two-sided, +eps u
  // for one-sided) and restore_coef/restore_seed say how to undo it.
  ZoEstimate estimate(Engine& e, int64_t t, bool defer_restore = true, int32_t perturb_op = kOpPerturb,
                      double eps = NAN);
  // theta += coef * scale * dir(seed) with the given op.
  void perturb(Engine& e, uint64_t seed, double coef, int32_t op = kOpPerturb) const;
  // When the engine fuses passes and the estimate is the plain two-sided single query,
  // adds the next step's +eps z perturbation to the update request `r` and remembers it,
  // so that the next estimate starts from the perturbed point.
  void fuse_next(const Engine& e, ElemRequest& r, int64_t t);
  // Removes a pending fused perturbation (Optimizer::settle).
  void settle(Engine& e);
  void clear_pending() { pending_ = false; }

 private:
  double eps_ = 1e-3;
  int queries_ = 1;
  Sided sided_ = Sided::Two;
  DirKind dist_ = DirKind::Gaussian;
  uint64_t run_seed_ = 0;
  bool pending_ = false;  // x currently carries +eps z(pending_seed_)
  uint64_t pending_seed_ = 0;
};

// Registration: each optimizer file defines one of these and optimizer.cpp lists them.
struct OptimizerEntry {
  OptimizerInfo (*info)();
  std::unique_ptr<Optimizer> (*make)(const OptimizerInfo&, ParamValues);
};

}  // namespace zs
