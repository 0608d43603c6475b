#include "core/data/atomic_file.h"

#include "core/error.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace milk {

namespace fs = std::filesystem;

std::string temporary_sibling(const std::string& path) {
    static std::atomic<unsigned> counter{0};
    fs::path p(path);
    fs::path dir = p.parent_path();
    std::string name = p.filename().string();
    for (;;) {
        fs::path candidate = dir / ("." + name + ".tmp-" + std::to_string(::getpid()) + "-" +
                                    std::to_string(counter.fetch_add(1)));
        std::error_code ec;
        if (!fs::exists(candidate, ec)) return candidate.string();
    }
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), temp_(temporary_sibling(path_)) {
    file_ = std::fopen(temp_.c_str(), "wb");
    if (!file_)
        throw IoError(describe(path_, "", "a writable folder", std::string("cannot create ") + temp_ + " (" +
                                                              std::strerror(errno) + ")"));
}

AtomicFile::~AtomicFile() {
    if (file_) std::fclose(file_);
    if (!committed_) {
        std::error_code ec;
        fs::remove(temp_, ec);
    }
}

void AtomicFile::write(const void* data, std::size_t bytes) {
    if (!file_) throw StateError(path_ + ": write after commit");
    if (bytes == 0) return;
    if (std::fwrite(data, 1, bytes, file_) != bytes)
        throw IoError(describe(path_, "", std::to_string(bytes) + " bytes written",
                               std::string("a write error (") + std::strerror(errno) + ")"));
}

void AtomicFile::commit() {
    if (committed_) return;
    if (!file_) throw StateError(path_ + ": commit of a closed file");
    bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
    ok = (std::fclose(file_) == 0) && ok;
    file_ = nullptr;
    if (!ok) throw IoError(describe(path_, "", "the file written completely", "a write error (disk full?)"));
    std::error_code ec;
    fs::rename(temp_, path_, ec);
    if (ec) throw IoError(describe(path_, "", "a rename of " + temp_ + " onto it", ec.message()));
    committed_ = true;
}

}  // namespace milk
