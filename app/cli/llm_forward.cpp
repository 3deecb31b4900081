// zoscope-cli's side of the LLM commands. zoscope-cli is built without LibTorch (loading it
// cost 0.4 s and 470 MB on every command, `--version` included); the commands that need it
// (finetune, its hidden per-run child, landscape) live in the sibling binary zoscope-llm
// (llm_commands.cpp, llm_landscape.cpp), and zoscope-cli replaces itself with that binary,
// same arguments, before it parses anything. Users keep typing `zoscope-cli finetune ...`;
// finetune's run children, their parent-death signal and the folder lock are zoscope-llm's
// own (one process image after the exec, same pid).
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>
#include "app/cli/commands.h"
#include "core/util/error.h"

namespace zs {

namespace {

struct LlmCommand {
  const char* name;
  const char* help;  // "" hides it from --help (the per-run child)
};
const LlmCommand kLlmCommands[] = {
    {"finetune", "fine-tune an LLM with several optimizers (spec JSON or preset:finetune_default); runs zoscope-llm"},
    {"finetune-run", ""},
    {"landscape", "train a fine-tuning spec's runs and draw them on a loss plane; runs zoscope-llm"},
};

const LlmCommand* llm_command(const std::string& word) {
  for (const LlmCommand& c : kLlmCommands)
    if (word == c.name) return &c;
  return nullptr;
}

}  // namespace

void cli_forward_llm(int argc, char** argv) {
  const std::string word = cli_command_word(argc, argv);
  if (!llm_command(word)) return;
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::string sibling = ec ? std::string("zoscope-llm") : (self.parent_path() / "zoscope-llm").string();
#ifdef ZS_CLI_LLM_SIBLING
  std::vector<char*> args(argv, argv + argc);
  args[0] = const_cast<char*>(sibling.c_str());
  args.push_back(nullptr);
  std::fflush(stdout);
  ::execv(sibling.c_str(), args.data());
  const std::string why = std::string(std::strerror(errno)) + ": " + sibling;
#else
  const std::string why = "LibTorch was not found when it was configured";
#endif
  std::fprintf(stderr, "zoscope-cli: error: %s: built without LLM support (%s)\n", word.c_str(), one_line(why).c_str());
  std::exit(2);
}

void cli_add_llm_commands(CLI::App& app) {
  for (const LlmCommand& c : kLlmCommands) {
    auto* sub = app.add_subcommand(c.name, c.help);  // for --help and the list of known commands
    if (!*c.help) sub->group("");
    sub->allow_extras();
  }
}

// Not reached: cli_forward_llm has replaced or ended this process.
int cli_run_llm_commands(CLI::App&, int) { return 0; }

std::string cli_error_line(const std::exception& e) { return error_line(e); }

}  // namespace zs
