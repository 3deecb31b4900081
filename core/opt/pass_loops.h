// The fp32 element loops of the CPU tensor engine's hottest passes (zo_engine.cpp), written
// once and compiled for AVX-512F, AVX2 and portable (SSE2) code, chosen at run time like the
// bulk direction generator (philox_bulk.h). Each performs elem.h's float operations in
// elem.h's order with one rounding per operation (the file is compiled with
// -ffp-contract=off: no fused multiply-add), so every variant stores the same bits as the
// generic element code (tested per variant on this CPU in test_torch_engine).
#pragma once
#include <cstdint>
#include "core/rng/philox_bulk.h"  // BulkIsa

namespace zs {

// x[i] = x[i] + c * z[i]: a perturbation by one direction (kOpPerturb), or one seed's term
// of a gradient estimate.
void pass_add_scaled(float* x, const float* z, float c, int64_t n);

// ZO-SGD's fused element step (elem.h kOpSgd with the restore and the next perturbation):
// v = x + cr zr (zr may be null); u = v - lr (g + wd v); x = u + cn zn (zn may be null).
// Returns the sum of (u - v)^2 in double, added in eight interleaved partial sums (element i
// into sum i mod 8) combined in a fixed order: the same value on every variant.
double pass_sgd_fused(float* x, const float* g, const float* zr, float cr, const float* zn, float cn, float lr,
                      float wd, int64_t n);

// The order in which the eight partial sums of squared updates are combined: every CPU
// update pass (fast loops and generic element code) sums a chunk's (u - v)^2 this way, so
// the update norm does not depend on which loop ran.
inline double pass_sum8(const double acc[8]) {
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// The variants themselves (tests).
void pass_add_scaled_isa(BulkIsa isa, float* x, const float* z, float c, int64_t n);
double pass_sgd_fused_isa(BulkIsa isa, float* x, const float* g, const float* zr, float cr, const float* zn, float cn,
                          float lr, float wd, int64_t n);

}  // namespace zs
