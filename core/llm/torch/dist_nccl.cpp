// The NCCL backend of Dist (dist.h), in its own translation unit: ProcessGroupNCCL.hpp pulls
// in the CUDA runtime and ATen's CUDA headers. Built when CUDA and nccl.h are present.
#ifdef ZS_HAVE_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#include <chrono>

namespace zs {

// One GPU per local rank: cuda:local_rank becomes this process's current device, so the
// model (device "cuda") and the collective buffers live there.
c10::intrusive_ptr<c10d::Backend> dist_make_nccl(const c10::intrusive_ptr<c10d::Store>& store, int rank, int world,
                                                 int local_rank, std::chrono::milliseconds timeout) {
  c10::cuda::set_device(static_cast<c10::DeviceIndex>(local_rank));
  auto o = c10d::ProcessGroupNCCL::Options::create();
  o->timeout = timeout;
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, world, o);
}

}  // namespace zs
#endif
