// zoscope-cli never loads LibTorch (issue 10, item 7): the commands that do not fine-tune
// start without it, and the LLM commands are handed to the sibling zoscope-llm with the
// same arguments, or, where there is none, refused in one line.
#include <gtest/gtest.h>
#include <filesystem>
#include <string>
#include "tests/cli/cli_util.h"

namespace zs::cli_test {
namespace {

namespace fs = std::filesystem;

// ld.so's LD_DEBUG=files names every shared object a process loads (on stderr).
bool loads_libtorch(const CliResult& r) {
  return r.err.find("libtorch") != std::string::npos || r.err.find("libc10") != std::string::npos;
}

std::string sibling() { return (fs::path(cli_path()).parent_path() / "zoscope-llm").string(); }

TEST(CliLlmSplit, CommandsThatDoNotFineTuneDoNotLoadLibTorch) {
  ScratchDir d;
  for (const auto& args : {std::vector<std::string>{"--version"}, {"list"},
                           {"run", data_path("golden.json"), "--out", d / "run"}}) {
    const CliResult r = run_exe(cli_path(), args, {"LD_DEBUG=files"});
    EXPECT_EQ(r.status, 0) << args[0] << ": " << r.err.substr(0, 2000);
    EXPECT_FALSE(loads_libtorch(r)) << "zoscope-cli " << args[0] << " loaded LibTorch";
  }
}

TEST(CliLlmSplit, LlmCommandsRunInTheSiblingWithTheSameArguments) {
  if (!file_exists(sibling())) GTEST_SKIP() << "built without LibTorch: no zoscope-llm";
  ScratchDir d;
  // The sibling's own one-line error about the spec: the arguments arrived unchanged, and
  // LD_DEBUG shows that the process that answered loaded LibTorch.
  const CliResult r = run_exe(cli_path(), {"--threads", "1", "finetune", d / "no_such_spec.json", "--out", d / "out"},
                              {"LD_DEBUG=files"});
  EXPECT_EQ(r.status, 2) << r.err.substr(r.err.size() > 2000 ? r.err.size() - 2000 : 0);
  EXPECT_TRUE(loads_libtorch(r));
  EXPECT_NE(r.err.find("zoscope-cli: error: " + (d / "no_such_spec.json")), std::string::npos)
      << r.err.substr(r.err.size() > 2000 ? r.err.size() - 2000 : 0);
  const CliResult h = cli({"finetune", "--help"});  // the sibling's full help, not a summary
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("--resume"), std::string::npos) << h.out;
}

TEST(CliLlmSplit, WithoutTheSiblingLlmCommandsAreOneLine) {
  ScratchDir d;
  const std::string lone = d / "zoscope-cli";  // a copy with no zoscope-llm beside it
  fs::copy_file(cli_path(), lone);
  fs::permissions(lone, fs::perms::owner_exec, fs::perm_options::add);
  for (const char* cmd : {"finetune", "landscape"}) {
    const CliResult r = run_exe(lone, {cmd, d / "spec.json", "--out", d / "out"});
    EXPECT_TRUE(is_one_line_error(r, {cmd, "built without LLM support"}));
  }
  const CliResult v = run_exe(lone, {"--version"});  // everything else works alone
  EXPECT_EQ(v.status, 0);
}

TEST(CliLlmSplit, HelpListsTheLlmCommands) {
  const CliResult r = cli({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("finetune"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("landscape"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("finetune-run"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace zs::cli_test
