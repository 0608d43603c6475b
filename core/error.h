#pragma once
// One exception family for everything the core rejects. Messages name the file,
// the line or field, what was expected and what was found (see DESIGN.md).
#include <stdexcept>
#include <string>

namespace milk {

class Error : public std::runtime_error {
public:
    enum class Kind { Io, Parse, Format, Data, Config, State, Cancelled };
    Error(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    Kind kind() const noexcept { return kind_; }

private:
    Kind kind_;
};

// A file could not be opened, read, written or renamed.
struct IoError : Error { explicit IoError(const std::string& m) : Error(Kind::Io, m) {} };
// A text file (txt, csv, json) has a malformed line or token.
struct ParseError : Error { explicit ParseError(const std::string& m) : Error(Kind::Parse, m) {} };
// A binary file (.npy, checkpoint) is truncated or of an unsupported kind.
struct FormatError : Error { explicit FormatError(const std::string& m) : Error(Kind::Format, m) {} };
// Well-formed input whose content is inconsistent (ids out of range, NaN, empty split).
struct DataError : Error { explicit DataError(const std::string& m) : Error(Kind::Data, m) {} };
// Unknown or out-of-range configuration keys and values.
struct ConfigError : Error { explicit ConfigError(const std::string& m) : Error(Kind::Config, m) {} };
// An operation asked of an object in the wrong state (e.g. resume a finished run).
struct StateError : Error { explicit StateError(const std::string& m) : Error(Kind::State, m) {} };
// A long job stopped because its user asked it to.
struct Cancelled : Error { Cancelled() : Error(Kind::Cancelled, "cancelled by the user") {} };

// "FILE: WHERE: expected EXPECTED, found FOUND" — the one shape of a data-file error.
inline std::string describe(const std::string& file, const std::string& where,
                            const std::string& expected, const std::string& found) {
    std::string s = file;
    if (!where.empty()) s += ": " + where;
    s += ": expected " + expected + ", found " + found;
    return s;
}

}  // namespace milk
