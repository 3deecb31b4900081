// Hyperparameter settings that the catalog's defaults leave off (weight decay, several
// queries, one-sided estimates, Rademacher and sphere directions, AdaMeZO's paper forms,
// ZO-AdaMU past its anneal start, element-wise sign, Nesterov, AdaZeta's growing query
// count, AdaNAGED-P's other modes): the cases on which the backends are compared beyond
// the defaults (test_torch_engine: tensor engine against the core engine; test_kernel_twin:
// the CUDA kernels' host twin against the CPU path).
#pragma once
#include <string>
#include <utility>
#include <vector>
#include "core/params.h"

namespace zs_test {

struct OptimizerCase {
  std::string id;
  zs::ParamValues hp;
  std::string name() const {
    std::string s = id;
    for (const auto& [k, v] : hp) s += " " + k + "=" + std::to_string(v);
    return s;
  }
};

inline std::vector<OptimizerCase> optimizer_option_cases() {
  return {
      {"mezo", {{"lr", 0.002}, {"wd", 0.1}}},
      {"mezo", {{"lr", 0.002}, {"queries", 3}}},
      {"mezo", {{"lr", 0.002}, {"sided", 1}, {"queries", 2}}},
      {"mezo", {{"lr", 0.002}, {"dist", 1}}},
      {"mezo", {{"lr", 0.002}, {"dist", 2}, {"queries", 2}}},
      {"zo_sgd_mmt", {{"lr", 0.002}, {"wd", 0.1}, {"sided", 1}}},
      {"zo_sgd_sign", {{"lr", 0.002}, {"elementwise", 1}, {"wd", 0.1}}},
      {"zo_sgd_sign", {{"lr", 0.002}, {"queries", 2}}},
      {"zo_sgd_cons", {{"lr", 0.002}, {"wd", 0.1}}},
      {"meazo", {{"lr", 0.002}, {"queries", 2}, {"wd", 0.1}}},
      {"zo_adam", {{"lr", 0.002}, {"wd", 0.1}, {"queries", 2}}},
      {"zo_adam", {{"lr", 0.002}, {"sided", 1}, {"dist", 1}}},
      {"r_adazo", {{"lr", 0.002}, {"sided", 0}, {"dist", 2}, {"wd", 0.1}}},
      {"adamezo", {{"lr", 0.002}, {"h", 5}, {"delta_inside_sqrt", 1}, {"one_minus_beta", 1}, {"bias_correction", 1}}},
      {"adamezo", {{"lr", 0.002}, {"h", 4}, {"warmup", 0}, {"wd", 0.1}, {"sided", 1}}},
      {"adamezo", {{"lr", 0.002}, {"h", 3}, {"warmup", 0}, {"dist", 2}}},
      {"zo_adamu", {{"lr", 0.002}, {"t1", 5}, {"wd", 0.1}}},
      {"hizoo", {{"lr", 0.002}, {"eps", 1e-2}, {"wd", 0.1}, {"smoothing", 0.1}}},
      {"fzoo", {{"lr", 1e-4}, {"N", 3}}},
      {"adazeta", {{"lr", 0.002}, {"steps_per_epoch", 3}, {"wd", 0.1}, {"q_init", 1}}},
      {"adanaged_p", {{"lmo", 2}, {"beta", 0}, {"distance", 1}}},
      {"adanaged_p", {{"lmo", 2}, {"nesterov", 0}, {"tau_mode", 1}, {"step_mode", 1}}},
      {"sgd_momentum", {{"lr", 0.01}, {"nesterov", 1}, {"wd", 0.1}}},
      {"adam", {{"lr", 0.01}, {"wd", 0.1}}},
      {"adamw", {{"lr", 0.01}, {"wd", 0.1}}},
  };
}

}  // namespace zs_test
