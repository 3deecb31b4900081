// Order-statistic quantiles of a vector by selection (O(n), reorder the vector), as the
// run record's per-step step-size quantiles need them: q is linearly interpolated between
// the order statistics around position q (n - 1) of the sorted vector.
#pragma once
#include <cstddef>
#include <vector>

namespace zs {

// One quantile (NaN for an empty vector).
double quantile_select(std::vector<double>& v, double q);
// The five quantiles 0, 0.25, 0.5, 0.75, 1 at once, equal bit for bit to five
// quantile_select calls: one min/max pass, one selection over the whole vector for the
// median and one over each half for the quartiles (instead of five over the whole).
void quartiles_select(std::vector<double>& v, double out[5]);
// The same five for n >= 8 copies of one value c (what quartiles_select gives for them).
void quartiles_constant(double c, size_t n, double out[5]);

}  // namespace zs
