#pragma once
// Writes a file so that readers see either the old content or the complete new one:
// bytes go to a temporary file in the same folder, commit() renames it over the target,
// and an uncommitted AtomicFile removes its temporary file when destroyed.
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace milk {

class AtomicFile {
public:
    explicit AtomicFile(std::string path);  // throws IoError if the temp file cannot be created
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(const void* data, std::size_t bytes);  // throws IoError
    void write(std::string_view text) { write(text.data(), text.size()); }
    std::FILE* file() { return file_; }  // for fprintf-style writers; errors are caught at commit()
    const std::string& path() const { return path_; }
    const std::string& temp_path() const { return temp_; }
    // Flushes, closes and renames onto path(); throws IoError, leaving the target untouched.
    void commit();

private:
    std::string path_, temp_;
    std::FILE* file_ = nullptr;
    bool committed_ = false;
};

// A unique, not yet existing sibling name of `path` ("<dir>/.<name>.tmp-<pid>-<n>").
std::string temporary_sibling(const std::string& path);

}  // namespace milk
