// LLM subcommands: compiled into zoscope-llm (llm_commands.cpp) when LibTorch is found;
// zoscope-cli forwards them there (llm_forward.cpp).
#pragma once
#include <exception>
#include <string>
#include <CLI/CLI.hpp>

namespace zs {

void cli_add_llm_commands(CLI::App& app);
// Runs whichever LLM subcommand was parsed; returns the exit status.
int cli_run_llm_commands(CLI::App& app, int threads);
// The one error line for any exception that reaches the command boundary (LibTorch's
// c10::Error without its stack trace in LLM builds; core/util/error.h otherwise).
std::string cli_error_line(const std::exception& e);

// zoscope-cli (llm_forward.cpp): the subcommand word of argv ("" if none), and, when it is an
// LLM command, exec of the sibling zoscope-llm with the same arguments (returns only
// for other commands; a missing sibling is one line "built without LLM support", exit 2).
std::string cli_command_word(int argc, char** argv);
void cli_forward_llm(int argc, char** argv);

struct FinetuneSpec;
// A fine-tuning spec from "preset:finetune_default" or a path (llm_commands.cpp).
FinetuneSpec resolve_spec(const std::string& arg);
// `landscape SPEC --out DIR`: the spec's runs on the loss plane (llm_landscape.cpp).
void cli_add_llm_landscape(CLI::App& app);
int cli_run_llm_landscape(int threads);

}  // namespace zs
