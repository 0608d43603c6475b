#pragma once
// Shared by the GoogleTest suites: a temporary folder removed at the end of the test,
// and running the `milk` executable.
#include <filesystem>
#include <string>

namespace milk::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
    void write(const std::string& name, const std::string& content) const;

private:
    std::filesystem::path path_;
};

struct CommandResult {
    int exit_code = 0;
    std::string out, err;
};
// Runs the built `milk` with the given arguments (shell-quoted by the caller).
CommandResult run_milk(const std::string& args);

}  // namespace milk::test
