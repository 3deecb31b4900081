// A scratch folder under the test's temp dir, unique per process, removed at the end.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>
#include <filesystem>
#include <string>

namespace zs::test {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag) {
    path = std::filesystem::path(::testing::TempDir()) / ("zs_" + tag + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace zs::test
