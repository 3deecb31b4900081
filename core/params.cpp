// Validation and defaults for declared hyperparameters.
#include "core/params.h"
#include <cmath>
#include "core/util/error.h"

namespace zs {

const ParamDecl* param_find(const std::vector<ParamDecl>& decls, const std::string& name) {
  for (const auto& d : decls)
    if (d.name == name) return &d;
  return nullptr;
}

void param_check(const ParamDecl& d, double v, const std::string& where) {
  if (!std::isfinite(v)) fail(where, "value " + fmt_double(v) + " is not a finite number");
  if (d.kind == ParamKind::Choice) {
    if (v != std::floor(v) || v < 0 || v >= static_cast<double>(d.choices.size())) {
      std::string opts;
      for (const auto& c : d.choices) opts += (opts.empty() ? "" : "|") + c;
      fail(where, "value " + fmt_double(v) + " is not one of " + opts);
    }
    return;
  }
  if (d.kind != ParamKind::Real && v != std::floor(v))
    fail(where, "value " + fmt_double(v) + " must be an integer");
  if (v < d.lo || v > d.hi)
    fail(where, "value " + fmt_double(v) + " is outside the accepted range [" + fmt_double(d.lo) + ", " +
                    fmt_double(d.hi) + "]");
}

int param_choice_index(const ParamDecl& d, const std::string& name, const std::string& where) {
  for (size_t i = 0; i < d.choices.size(); ++i)
    if (d.choices[i] == name) return static_cast<int>(i);
  std::string opts;
  for (const auto& c : d.choices) opts += (opts.empty() ? "" : "|") + c;
  fail(where, "\"" + name + "\" is not one of " + opts);
}

ParamValues params_resolve(const std::vector<ParamDecl>& decls, const ParamValues& given,
                           const std::string& where, bool llm_defaults) {
  ParamValues out;
  for (const auto& d : decls) out[d.name] = (llm_defaults && !std::isnan(d.llm_def)) ? d.llm_def : d.def;
  for (const auto& [k, v] : given) {
    const ParamDecl* d = param_find(decls, k);
    if (!d) {
      std::string names;
      for (const auto& dd : decls) names += (names.empty() ? "" : ", ") + dd.name;
      fail(where + "." + k, "unknown parameter (known: " + names + ")");
    }
    param_check(*d, v, where + "." + k);
    out[k] = v;
  }
  return out;
}

std::string param_value_text(const ParamDecl& d, double v) {
  if (d.kind == ParamKind::Choice && v >= 0 && v < static_cast<double>(d.choices.size()))
    return d.choices[static_cast<size_t>(v)];
  if (d.kind == ParamKind::Bool) return v != 0 ? "true" : "false";
  return fmt_double(v);
}

}  // namespace zs
