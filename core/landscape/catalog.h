// Registry plumbing internal to core/landscape: each source file contributes catalog
// entries (declaration + builder); analytic landscapes are value types wrapped once.
#pragma once
#include <memory>
#include <string>
#include <vector>
#include "core/landscape/landscape.h"

namespace zs {

// Builds a landscape from validated params and dim.
using LandscapeBuilder = std::unique_ptr<Landscape> (*)(const ParamValues& params, int dim,
                                                        const std::string& expression, const std::string& where);

struct LandscapeEntry {
  LandscapeDef def;
  LandscapeBuilder build;
};

// F is a value type: static LandscapeDef def(); F(const ParamValues&, int dim);
// LandscapeInfo info() const; double value(const double*) const;
// void gradient(const double*, double*) const. The template makes value() a single
// virtual call with F's body inlined (a 512x512 heatmap is 262144 calls).
template <class F>
class AnalyticLandscape final : public Landscape {
 public:
  explicit AnalyticLandscape(const F& f) : f_(f) {
    info_ = f_.info();
    const LandscapeDef d = F::def();
    info_.id = d.id;
    info_.display = d.display;
  }
  double value(const double* x) const override { return f_.value(x); }
  void gradient(const double* x, double* g) const override { f_.gradient(x, g); }
  void value_row_2d(double y, double x0, double dx, int n, float* out) const override {
    for (int i = 0; i < n; ++i) {
      const double p[2] = {x0 + i * dx, y};
      out[i] = static_cast<float>(f_.value(p));
    }
  }
  std::unique_ptr<Landscape> clone() const override { return std::make_unique<AnalyticLandscape>(*this); }

 private:
  F f_;
};

template <class F>
LandscapeEntry analytic_entry() {
  return {F::def(), [](const ParamValues& p, int dim, const std::string&, const std::string&)
                        -> std::unique_ptr<Landscape> { return std::make_unique<AnalyticLandscape<F>>(F(p, dim)); }};
}

// Declaration helpers (the structs have too many fields for readable brace initialisers).
LandscapeDef landscape_def(const char* id, const char* display, bool nd, std::vector<ParamDecl> params);
ParamDecl param_real(const char* name, double def, double lo, double hi, bool log_scale, const char* help);
ParamDecl param_int(const char* name, double def, double lo, double hi, const char* help);
ParamDecl param_bool(const char* name, bool def, const char* help);
// Info with formula and view (x0, x1, y0, y1); the rest keeps LandscapeInfo's defaults.
LandscapeInfo landscape_info(const char* formula, double x0, double x1, double y0, double y1);

// The entries of each source file, in display order.
std::vector<LandscapeEntry> classic_2d_entries();
std::vector<LandscapeEntry> family_nd_entries();
std::vector<LandscapeEntry> expression_entries();

}  // namespace zs
