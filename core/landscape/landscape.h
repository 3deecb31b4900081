// Synthetic loss landscapes (docs/optimizers.md#landscapes): the classic 2-D test functions,
// N-D families and user-typed expressions, each with an analytic gradient (central
// differences for expressions) and the metadata the views need.
#pragma once
#include <memory>
#include <string>
#include <vector>
#include "core/params.h"

namespace zs {

struct LandscapeInfo {
  std::string id;            // registry name ("rosenbrock")
  std::string display;       // "Rosenbrock"
  std::string formula;       // plain-text formula for legends/tooltips
  int dim = 2;
  double view[4] = {-1, 1, -1, 1};               // x0, x1, y0, y1 of the default 2-D view
  std::vector<std::vector<double>> minima;       // known global minimisers (may be empty)
  double min_value = 0;                          // value at the minima (NaN if unknown)
  std::vector<std::vector<double>> starts;       // usual start points
  bool log_colour = false;                       // colour the heatmap in log scale
  bool smooth = true;                            // gradient defined everywhere
};

class Landscape {
 public:
  virtual ~Landscape() = default;
  const LandscapeInfo& info() const { return info_; }
  int dim() const { return info_.dim; }
  virtual double value(const double* x) const = 0;
  // Analytic gradient into g[0..dim). Non-differentiable points return a subgradient.
  virtual void gradient(const double* x, double* g) const = 0;
  // Values at (x0 + i dx, y) for i < n of a 2-D landscape: one virtual call per grid row
  // (heatmaps evaluate hundreds of thousands of points while a slider moves).
  virtual void value_row_2d(double y, double x0, double dx, int n, float* out) const {
    for (int i = 0; i < n; ++i) {
      const double p[2] = {x0 + i * dx, y};
      out[i] = static_cast<float>(value(p));
    }
  }
  // Independent copy (expression parsers are not thread-safe; every worker gets its own).
  virtual std::unique_ptr<Landscape> clone() const = 0;

 protected:
  LandscapeInfo info_;
};

struct LandscapeDef {
  std::string id;
  std::string display;
  bool nd = false;                 // dimension is a parameter (N-D family)
  bool expression = false;         // takes a user expression f(x, y)
  std::vector<ParamDecl> params;   // shape parameters (kappa, angle, a, b, ...)
  std::string default_expression;  // expression landscapes: the text a new one starts with
};

// Largest dim an N-D family accepts (one block of d coordinates).
constexpr int kLandscapeMaxDim = 100000;

// Every landscape the registry knows, in display order.
const std::vector<LandscapeDef>& landscape_catalog();
const LandscapeDef* landscape_find(const std::string& id);

// Builds a landscape. `params` is validated against the declaration (zs::Error names
// `where`); `dim` is used by N-D families (2..kLandscapeMaxDim) and must be 2 otherwise;
// `expression` is the f(x, y) text for the "expression" landscape (muParser syntax).
std::unique_ptr<Landscape> landscape_create(const std::string& id, const ParamValues& params, int dim,
                                            const std::string& expression, const std::string& where);

// Central-difference gradient (used by expressions and by the gradient tests). The step
// is h * max(1, |x_i|); allocation-free for dim <= 16.
void gradient_central(const Landscape& f, const double* x, double* g, double h = 1e-6);

}  // namespace zs
