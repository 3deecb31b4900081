// Landscape registry (docs/optimizers.md#landscapes): the catalog in display order, creation
// with validation of id, params and dim, the central-difference gradient, and the
// declaration helpers the landscape files share.
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>
#include "core/landscape/catalog.h"
#include "core/util/error.h"

namespace zs {
namespace {

const std::vector<LandscapeEntry>& entries() {
  static const std::vector<LandscapeEntry> all = [] {
    std::vector<LandscapeEntry> v = classic_2d_entries();
    for (auto& e : family_nd_entries()) v.push_back(std::move(e));
    for (auto& e : expression_entries()) v.push_back(std::move(e));
    return v;
  }();
  return all;
}

const LandscapeEntry* entry_find(const std::string& id) {
  for (const auto& e : entries())
    if (e.def.id == id) return &e;
  return nullptr;
}

}  // namespace

const std::vector<LandscapeDef>& landscape_catalog() {
  static const std::vector<LandscapeDef> defs = [] {
    std::vector<LandscapeDef> v;
    for (const auto& e : entries()) v.push_back(e.def);
    return v;
  }();
  return defs;
}

const LandscapeDef* landscape_find(const std::string& id) {
  for (const auto& d : landscape_catalog())
    if (d.id == id) return &d;
  return nullptr;
}

std::unique_ptr<Landscape> landscape_create(const std::string& id, const ParamValues& params, int dim,
                                            const std::string& expression, const std::string& where) {
  const LandscapeEntry* e = entry_find(id);
  if (!e) {
    std::string ids;
    for (const auto& d : landscape_catalog()) ids += (ids.empty() ? "" : ", ") + d.id;
    fail(where, "unknown landscape \"" + id + "\" (known: " + ids + ")");
  }
  const ParamValues p = params_resolve(e->def.params, params, where);
  if (e->def.nd) {
    if (dim < 2 || dim > kLandscapeMaxDim)
      fail(where + ".dim", "value " + std::to_string(dim) + " is outside the accepted range [2, " +
                               std::to_string(kLandscapeMaxDim) + "] of \"" + id + "\"");
  } else if (dim != 2) {
    fail(where + ".dim", "value " + std::to_string(dim) + ": \"" + id + "\" is 2-D, dim must be 2");
  }
  return e->build(p, dim, expression, where);
}

void gradient_central(const Landscape& f, const double* x, double* g, double h) {
  // Perturbs a copy of x; the stack copy keeps expression gradients (d = 2) off the heap.
  constexpr int kStackDim = 16;
  const int d = f.dim();
  double stack[kStackDim];
  std::vector<double> heap;
  double* xp = stack;
  if (d > kStackDim) {
    heap.resize(d);
    xp = heap.data();
  }
  std::copy(x, x + d, xp);
  for (int i = 0; i < d; ++i) {
    const double step = h * std::max(1.0, std::abs(x[i]));
    const double hi = x[i] + step, lo = x[i] - step;
    xp[i] = hi;
    const double fh = f.value(xp);
    xp[i] = lo;
    const double fl = f.value(xp);
    xp[i] = x[i];
    // Divide by the step actually taken (hi - lo is exact in floating point; 2*step is not).
    g[i] = (fh - fl) / (hi - lo);
  }
}

LandscapeDef landscape_def(const char* id, const char* display, bool nd, std::vector<ParamDecl> params) {
  LandscapeDef d;
  d.id = id;
  d.display = display;
  d.nd = nd;
  d.params = std::move(params);
  return d;
}

LandscapeInfo landscape_info(const char* formula, double x0, double x1, double y0, double y1) {
  LandscapeInfo i;
  i.formula = formula;
  i.view[0] = x0;
  i.view[1] = x1;
  i.view[2] = y0;
  i.view[3] = y1;
  return i;
}

ParamDecl param_real(const char* name, double def, double lo, double hi, bool log_scale, const char* help) {
  ParamDecl d;
  d.name = name;
  d.kind = ParamKind::Real;
  d.def = def;
  d.lo = lo;
  d.hi = hi;
  d.log_scale = log_scale;
  d.help = help;
  return d;
}

ParamDecl param_int(const char* name, double def, double lo, double hi, const char* help) {
  ParamDecl d = param_real(name, def, lo, hi, false, help);
  d.kind = ParamKind::Int;
  return d;
}

ParamDecl param_bool(const char* name, bool def, const char* help) {
  ParamDecl d = param_real(name, def ? 1 : 0, 0, 1, false, help);
  d.kind = ParamKind::Bool;
  return d;
}

}  // namespace zs
