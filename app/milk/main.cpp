// `milk`: the command-line face of MILK Studio. Subcommands register themselves
// (see command.h); everything they do goes through milk_core.
#include "command.h"

#include "core/error.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <utility>

namespace milk::cli {

static std::map<std::string, CommandSetup>& registry() {
    static std::map<std::string, CommandSetup> commands;
    return commands;
}

CommandRegistration::CommandRegistration(std::string name, CommandSetup setup) {
    registry().emplace(std::move(name), std::move(setup));
}

int guarded(const std::function<int()>& body) {
    try {
        return body();
    } catch (const Cancelled& e) {
        std::cerr << "milk: " << e.what() << "\n";
        return 2;
    } catch (const Error& e) {
        std::cerr << "milk: error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "milk: unexpected error: " << e.what() << "\n";
        return 1;
    }
}

int& exit_code() {
    static int code = 0;
    return code;
}

}  // namespace milk::cli

int main(int argc, char** argv) {
    CLI::App app{"milk: new-item recommendation with missing modalities (MILK, SIGIR'24) on the CPU"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "milk 0.1.0");
    for (auto& [name, setup] : milk::cli::registry()) setup(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return milk::cli::exit_code();
}
