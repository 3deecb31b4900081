// Shared pieces of the libFuzzer targets: the input as a file (the loaders take paths, as
// users give them), and the contract every target checks: a parser either accepts its
// input or throws zs::Error (one line); any other exception, a crash or a sanitizer report
// is a finding.
#pragma once
#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs::fuzz {

// A per-process scratch folder (removed at exit by the OS's tmp cleaner; small files).
inline const std::string& scratch() {
  static const std::string dir = [] {
    const char* t = std::getenv("TMPDIR");
    std::string d = std::string(t && *t ? t : "/tmp") + "/zs-fuzz-" + std::to_string(::getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// Writes `data` to scratch()/name (plain write: atomic_write's fsync would dominate).
inline std::string put(const std::string& name, std::string_view data) {
  const std::string p = scratch() + "/" + name;
  std::FILE* f = std::fopen(p.c_str(), "wb");
  if (!f) std::abort();
  if (!data.empty() && std::fwrite(data.data(), 1, data.size(), f) != data.size()) std::abort();
  std::fclose(f);
  return p;
}

// Splits an input into two files' contents at the first "\n---\n" (vocab + merges).
inline std::pair<std::string_view, std::string_view> split2(std::string_view s) {
  const size_t k = s.find("\n---\n");
  if (k == std::string_view::npos) return {s, {}};
  return {s.substr(0, k), s.substr(k + 5)};
}

// Runs f; zs::Error is the accepted way to refuse an input.
template <class F>
void expect_ok_or_error(F&& f) {
  try {
    f();
  } catch (const zs::Error& e) {
    const std::string_view w = e.what();
    if (w.empty()) std::abort();  // an error must say something
  }
}

}  // namespace zs::fuzz
