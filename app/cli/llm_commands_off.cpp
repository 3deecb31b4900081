// zoscope-cli built without LibTorch: LLM subcommands are absent from --help.
#include "app/cli/commands.h"

namespace zs {

void cli_add_llm_commands(CLI::App&) {}
int cli_run_llm_commands(CLI::App&, int) { return 0; }

}  // namespace zs
