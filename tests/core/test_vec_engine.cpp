// The landscape engine's direction cache: N-D Gaussian directions come from the bulk
// generator and must equal, bit for bit, what the element code draws four at a time
// (elem_dir), so runs are unchanged by the faster path.
#include <gtest/gtest.h>
#include <algorithm>
#include <cstdint>
#include "core/opt/elem.h"
#include "core/run/vec_engine.h"

namespace zs::test {

TEST(VecEngineDirections, BulkGaussianDirectionsEqualTheElementCode) {
  for (int64_t d : {16, 17, 1000, 1003}) {
    VecEngine::DirCache c;
    c.reset(d);
    ElemRequest r;
    r.dist = kDirGaussian;
    for (uint64_t seed : {1ull, 0x9E3779B97F4A7C15ull}) {
      for (uint32_t stream : {0u, 1u}) {
        ++c.pass;
        const double* v = c.lookup(r, seed, stream);
        for (int64_t i0 = 0; i0 < d; i0 += 4) {
          double z[4];
          elem_dir<double>(r, seed, 0, static_cast<uint64_t>(i0 / 4), i0, static_cast<int>(std::min<int64_t>(4, d - i0)), stream, z);
          for (int j = 0; j < 4 && i0 + j < d; ++j) ASSERT_EQ(v[i0 + j], z[j]) << "d " << d << " element " << i0 + j;
        }
      }
    }
  }
}

}  // namespace zs::test
