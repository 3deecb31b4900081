// zoscope-cli built without LibTorch: LLM subcommands are absent from --help.
#include "app/cli/commands.h"
#include "core/util/error.h"

namespace zs {

void cli_add_llm_commands(CLI::App&) {}
int cli_run_llm_commands(CLI::App&, int) { return 0; }
std::string cli_error_line(const std::exception& e) { return error_line(e); }

}  // namespace zs
