#pragma once
// Each `milk` subcommand lives in its own file and registers itself here, so adding
// one never touches main.cpp.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace milk::cli {

using CommandSetup = std::function<void(CLI::App& app)>;

struct CommandRegistration {
    CommandRegistration(std::string name, CommandSetup setup);
};

// Runs `body`, printing a milk::Error (or any exception) as one paragraph on stderr and
// turning it into exit code 1 (2 for cancellation).
int guarded(const std::function<int()>& body);

// The process exit code a subcommand's callback sets: `sub->callback([] { exit_code() = guarded(...); });`
int& exit_code();

}  // namespace milk::cli
