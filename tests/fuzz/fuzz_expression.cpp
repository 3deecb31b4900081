// Typed expressions f(x, y) of the expression landscape (muParser behind
// core/landscape/expression.cpp): build, evaluate and differentiate at a few points.
#include <cmath>
#include "core/landscape/landscape.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // the GUI's text field holds less
  const std::string expr(reinterpret_cast<const char*>(data), size);
  zs::fuzz::expect_ok_or_error([&] {
    const auto f = zs::landscape_create("expression", {}, 2, expr, "landscape.expression");
    const double pts[][2] = {{0, 0}, {1.5, -2}, {-1e3, 1e-3}};
    double g[2];
    for (const auto& p : pts) {
      (void)f->value(p);
      f->gradient(p, g);
    }
    (void)f->clone();
  });
  return 0;
}
