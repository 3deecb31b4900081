// A test landscape f(x) = 0.5 x^T A x + c sum x_i^4: quadratic (c = 0) or not (c > 0), with
// its analytic gradient, shared by the optimizer tests.
#pragma once
#include <Eigen/Dense>
#include <memory>
#include <utility>
#include "core/landscape/landscape.h"

namespace zs_test {

class PolyLandscape : public zs::Landscape {
 public:
  PolyLandscape(Eigen::MatrixXd A, double c) : A_(std::move(A)), c_(c) {
    info_.id = "test";
    info_.dim = static_cast<int>(A_.rows());
  }
  double value(const double* x) const override {
    const Eigen::Map<const Eigen::VectorXd> v(x, A_.rows());
    return 0.5 * v.dot(A_ * v) + c_ * v.array().pow(4).sum();
  }
  void gradient(const double* x, double* g) const override {
    const Eigen::Map<const Eigen::VectorXd> v(x, A_.rows());
    Eigen::Map<Eigen::VectorXd>(g, A_.rows()) = A_ * v + 4 * c_ * v.array().pow(3).matrix();
  }
  std::unique_ptr<zs::Landscape> clone() const override { return std::make_unique<PolyLandscape>(A_, c_); }

 private:
  Eigen::MatrixXd A_;
  double c_;
};

}  // namespace zs_test
