// LibTorch errors at the command / GUI-job boundary (core/llm/torch/errors.h): one line,
// no C++ stack trace, out-of-memory named as such; other exceptions as error_line.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <new>
#include <string>
#include "core/llm/torch/errors.h"
#include "core/util/error.h"

namespace zs {
namespace {

TEST(TorchErrors, IndexOutOfRangeIsOneLineWithoutTrace) {
  const at::Tensor table = torch::zeros({4, 2});
  const at::Tensor ids = torch::tensor({7}, torch::kLong);  // a token id beyond the embedding rows
  try {
    (void)torch::embedding(table, ids);
    FAIL() << "LibTorch accepted an id beyond the table";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find('\n'), std::string::npos) << "c10::Error::what() is multi-line";
    const std::string l = torch_error_line(e);
    EXPECT_EQ(l.rfind("LibTorch: ", 0), 0u) << l;
    EXPECT_NE(l.find("index out of range"), std::string::npos) << l;
    EXPECT_EQ(l.find("frame #"), std::string::npos) << l;
    EXPECT_EQ(l.find('\n'), std::string::npos) << l;
  }
}

TEST(TorchErrors, AllocatorFailureIsOutOfMemory) {
  try {
    (void)torch::empty({int64_t(1) << 48}, torch::kFloat);  // 1 PiB: beyond any address space
    FAIL() << "allocated 1 PiB";
  } catch (const c10::Error& e) {
    const std::string l = torch_error_line(e);
    EXPECT_EQ(l.rfind("out of memory: ", 0), 0u) << l;
    EXPECT_EQ(l.find("[enforce fail"), std::string::npos) << l;
    EXPECT_EQ(l.find("frame #"), std::string::npos) << l;
  }
}

TEST(TorchErrors, OtherExceptionsFallBackToErrorLine) {
  EXPECT_EQ(torch_error_line(Error("cfg.json: field 'x': bad")), "cfg.json: field 'x': bad");
  EXPECT_EQ(torch_error_line(std::bad_alloc()), error_line(std::bad_alloc()));
}

}  // namespace
}  // namespace zs
