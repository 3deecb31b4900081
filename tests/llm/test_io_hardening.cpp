// Inputs found by the fuzz targets (tests/fuzz/regress), as regular tests: each gives one
// zs::Error line instead of a crash.
#include <gtest/gtest.h>
#include <filesystem>
#include <string>
#include "core/llm/text/tokenizer.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace zs {
namespace {

namespace fs = std::filesystem;

std::string load_error(const std::string& path) {
  try {
    tokenizer_load(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A piece with a NUL byte made libsentencepiece's trie builder throw through the library
// (std::terminate, found by fuzz_spm_model).
TEST(IoHardening, SentencePieceModelWithNulPieceIsAnError) {
  const fs::path dir = fs::path(ZS_SOURCE_ROOT) / "tests/fuzz/regress/fuzz_spm_model";
  int n = 0;
  for (const auto& f : fs::directory_iterator(dir)) {
    const fs::path tmp = fs::path(::testing::TempDir()) / ("zs_spm_" + std::to_string(n++) + ".model");
    fs::copy_file(f.path(), tmp, fs::copy_options::overwrite_existing);
    const std::string e = load_error(tmp.string());
    EXPECT_EQ(e, tmp.string() + ": not a valid SentencePiece model: piece 26 holds a NUL byte") << f.path();
    fs::remove(tmp);
  }
  EXPECT_GT(n, 0);
  // The seed it was mutated from loads.
  const std::string seed = std::string(ZS_SOURCE_ROOT) + "/tests/fuzz/corpus/fuzz_spm_model/tiny.model";
  const fs::path tmp = fs::path(::testing::TempDir()) / "zs_spm_seed.model";
  fs::copy_file(seed, tmp, fs::copy_options::overwrite_existing);
  EXPECT_EQ(load_error(tmp.string()), "");
  fs::remove(tmp);
}

}  // namespace
}  // namespace zs
