// User-typed landscape f(x, y) evaluated by muParser (Berg, muparser.beltoforion.de), with
// the central-difference gradient. Each instance owns its parser, bound to its own x and y.
#include <muParser.h>
#include <limits>
#include <numbers>
#include "core/landscape/catalog.h"
#include "core/util/error.h"

namespace zs {
namespace {

class ExpressionLandscape final : public Landscape {
 public:
  // Parses and compiles `text` once (muParser compiles lazily on the first Eval), so that
  // errors surface here and value() runs the compiled bytecode without allocating.
  ExpressionLandscape(const std::string& text, const std::string& where) : text_(text) {
    info_.id = "expression";
    info_.display = "Expression";
    info_.formula = text;
    info_.view[0] = info_.view[2] = -3;
    info_.view[1] = info_.view[3] = 3;
    info_.min_value = std::numeric_limits<double>::quiet_NaN();
    info_.starts = {{1.5, 1.5}};
    info_.smooth = false;  // unknown for a user's formula
    try {
      parser_.DefineConst("pi", std::numbers::pi);
      parser_.DefineVar("x", &x_);
      parser_.DefineVar("y", &y_);
      parser_.SetExpr(text);
      parser_.Eval();
      if (parser_.GetNumResults() != 1)
        fail(where + ".expression", "\"" + text + "\" gives " + std::to_string(parser_.GetNumResults()) +
                                        " comma-separated values; f(x, y) must be one");
    } catch (const mu::Parser::exception_type& e) {
      std::string msg = e.GetMsg();
      // Most muParser messages already end in "at position N"; add it where they do not.
      if (msg.find("position") == std::string::npos && e.GetPos() >= 0)
        msg += " at position " + std::to_string(e.GetPos());
      for (char& c : msg)
        if (c == '\n' || c == '\r') c = ' ';
      fail(where + ".expression", "\"" + text + "\": " + msg + " (variables x, y)");
    }
  }
  ExpressionLandscape(const ExpressionLandscape&) = delete;
  ExpressionLandscape& operator=(const ExpressionLandscape&) = delete;

  double value(const double* x) const override {
    x_ = x[0];
    y_ = x[1];
    return parser_.Eval();
  }
  void gradient(const double* x, double* g) const override { gradient_central(*this, x, g); }
  // A fresh parser bound to the copy's own variables (a copied parser would still point at ours).
  std::unique_ptr<Landscape> clone() const override {
    return std::make_unique<ExpressionLandscape>(text_, "expression");
  }

 private:
  std::string text_;
  mutable double x_ = 0, y_ = 0;
  mu::Parser parser_;
};

}  // namespace

std::vector<LandscapeEntry> expression_entries() {
  LandscapeDef def = landscape_def("expression", "Expression", false, {});
  def.expression = true;
  def.default_expression = "(x^2 + y^2) / 2 + sin(3*x) * sin(3*y)";
  return {{def, [](const ParamValues&, int, const std::string& text, const std::string& where)
                    -> std::unique_ptr<Landscape> { return std::make_unique<ExpressionLandscape>(text, where); }}};
}

}  // namespace zs
