// Hyperparameters as data: every optimizer and landscape declares its parameters (name,
// default, range, log scale, help). Sliders, CLI flags, JSON fields, presets and tests are
// generated from these declarations, never written per optimizer.
#pragma once
#include <limits>
#include <map>
#include <utility>
#include <string>
#include <vector>

namespace zs {

enum class ParamKind { Real, Int, Bool, Choice };

struct ParamDecl {
  ParamDecl() = default;
  ParamDecl(std::string n, ParamKind k, double d, double low, double high, bool log, std::string h,
            std::vector<std::string> ch = {})
      : name(std::move(n)), kind(k), def(d), lo(low), hi(high), log_scale(log), help(std::move(h)), choices(std::move(ch)) {}
  std::string name;
  ParamKind kind = ParamKind::Real;
  double def = 0;              // default on synthetic landscapes
  double lo = 0, hi = 1;       // accepted closed range
  bool log_scale = false;      // slider in log space (lr, eps, ...)
  std::string help;
  std::vector<std::string> choices;  // Choice: value is the index
  double llm_def = std::numeric_limits<double>::quiet_NaN();  // LLM-mode default when different
};

using ParamValues = std::map<std::string, double>;

const ParamDecl* param_find(const std::vector<ParamDecl>& decls, const std::string& name);

// Defaults for every declared parameter, overridden by `given`; validates every value
// (known name, finite, in range, integral for Int/Bool/Choice). `where` prefixes errors.
ParamValues params_resolve(const std::vector<ParamDecl>& decls, const ParamValues& given,
                           const std::string& where, bool llm_defaults = false);

// Checks one value against its declaration; throws zs::Error naming `where`.
void param_check(const ParamDecl& d, double v, const std::string& where);

// Choice value from its name (JSON accepts either the index or the name).
int param_choice_index(const ParamDecl& d, const std::string& name, const std::string& where);

std::string param_value_text(const ParamDecl& d, double v);

}  // namespace zs
