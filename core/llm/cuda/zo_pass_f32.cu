// The pass kernels for float storage (see zo_kernels.cuh).
#include "core/llm/cuda/zo_kernels.cuh"

namespace zs::cuda_detail {
template void launch_pass<float>(const ElemRequest&, const PassCtl&, const PassBlock*, int, int64_t, double*,
                                unsigned long long*, double*, cudaStream_t);
}  // namespace zs::cuda_detail
