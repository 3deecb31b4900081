// Bulk CPU generation of zoscope directions, bit-identical to normal4() of philox.h.
#pragma once
#include <cstdint>

namespace zs {

// out[4*g + j] = element 4*(group0 + g) + j of block `block` under `seed` (stream
// `stream`), for g < ngroups: vectorised, 16 counters per iteration with AVX-512F, 8 with
// AVX2 (chosen at run time from the CPU), 4 in portable (SSE2) vector code otherwise.
void normal_fill(uint64_t seed, uint64_t block, uint64_t group0, int64_t ngroups, uint32_t stream, float* out);

// The instruction-set variants behind normal_fill, for tests that check each of them on
// this CPU (all give the same bits).
enum class BulkIsa { Portable, Avx2, Avx512 };
bool bulk_isa_supported(BulkIsa isa);
BulkIsa bulk_isa_best();
void normal_fill_isa(BulkIsa isa, uint64_t seed, uint64_t block, uint64_t group0, int64_t ngroups, uint32_t stream,
                     float* out);

}  // namespace zs
