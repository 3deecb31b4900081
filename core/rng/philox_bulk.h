// Bulk CPU generation of zoscope directions, bit-identical to normal4() of philox.h.
#pragma once
#include <cstdint>

namespace zs {

// out[4*g + j] = element 4*(group0 + g) + j of block `block` under `seed` (stream
// `stream`), for g < ngroups: vectorised (8 counters per iteration, AVX2 when available).
void normal_fill(uint64_t seed, uint64_t block, uint64_t group0, int64_t ngroups, uint32_t stream, float* out);

}  // namespace zs
