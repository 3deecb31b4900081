// LLM subcommands of zoscope-cli (finetune, bench), compiled in when LibTorch is found.
#pragma once
#include <CLI/CLI.hpp>

namespace zs {

void cli_add_llm_commands(CLI::App& app);
// Runs whichever LLM subcommand was parsed; returns the exit status.
int cli_run_llm_commands(CLI::App& app, int threads);

}  // namespace zs
