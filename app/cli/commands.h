// LLM subcommands of zoscope-cli (finetune, bench), compiled in when LibTorch is found.
#pragma once
#include <exception>
#include <string>
#include <CLI/CLI.hpp>
#include <string>

namespace zs {

void cli_add_llm_commands(CLI::App& app);
// Runs whichever LLM subcommand was parsed; returns the exit status.
int cli_run_llm_commands(CLI::App& app, int threads);
// The one error line for any exception that reaches the command boundary (LibTorch's
// c10::Error without its stack trace in LLM builds; core/util/error.h otherwise).
std::string cli_error_line(const std::exception& e);

struct FinetuneSpec;
// A fine-tuning spec from "preset:finetune_default" or a path (llm_commands.cpp).
FinetuneSpec resolve_spec(const std::string& arg);
// `landscape SPEC --out DIR`: the spec's runs on the loss plane (llm_landscape.cpp).
void cli_add_llm_landscape(CLI::App& app);
int cli_run_llm_landscape(int threads);

}  // namespace zs
