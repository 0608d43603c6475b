#include "core/data/npy.h"

#include "core/data/atomic_file.h"
#include "core/error.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

static_assert(std::endian::native == std::endian::little, "the .npy reader assumes a little-endian host");

namespace milk {

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File open_for_read(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw IoError(describe(path, "", "an existing .npy file", "no such file"));
    File f(std::fopen(path.c_str(), "rb"));
    if (!f) throw IoError(describe(path, "", "a readable .npy file", std::strerror(errno)));
    return f;
}

struct Header {
    std::string dtype;
    std::vector<std::int64_t> shape;
    bool fortran = false;
    std::size_t payload_offset = 0;
    std::int64_t count = 1;
    std::size_t item_size = 0;
};

std::size_t item_size_of(const std::string& path, const std::string& d) {
    if (d == "<f4" || d == "<i4") return 4;
    if (d == "<f8" || d == "<i8") return 8;
    if (d == "|u1" || d == "|b1" || d == "<u1" || d == "<b1") return 1;
    std::string why = "dtype '" + d + "'";
    if (!d.empty() && d[0] == '>') why += " (big-endian)";
    else if (d == "|i1") why += " (int8 is not supported)";
    throw FormatError(describe(path, "header descr", "a little-endian <f4, <f8, <i4, <i8, |u1 or |b1 array", why));
}

// The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class DictParser {
public:
    DictParser(const std::string& path, const std::string& text) : path_(path), s_(text) {}

    Header parse() {
        Header h;
        bool have_descr = false, have_order = false, have_shape = false;
        skip();
        expect('{');
        for (;;) {
            skip();
            if (peek() == '}') break;
            std::string key = quoted();
            skip();
            expect(':');
            skip();
            if (key == "descr") {
                if (peek() != '\'' && peek() != '"') fail("a dtype string for 'descr'", "a structured dtype");
                h.dtype = quoted();
                have_descr = true;
            } else if (key == "fortran_order") {
                if (s_.compare(pos_, 4, "True") == 0) { h.fortran = true; pos_ += 4; }
                else if (s_.compare(pos_, 5, "False") == 0) { h.fortran = false; pos_ += 5; }
                else fail("True or False for 'fortran_order'", rest());
                have_order = true;
            } else if (key == "shape") {
                expect('(');
                for (;;) {
                    skip();
                    if (peek() == ')') { ++pos_; break; }
                    std::int64_t v = 0;
                    std::size_t start = pos_;
                    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
                        if (v > (std::int64_t{1} << 50)) fail("a plausible dimension", "a huge number");
                        v = v * 10 + (s_[pos_++] - '0');
                    }
                    if (pos_ == start) fail("a non-negative integer dimension in 'shape'", rest());
                    if (s_.size() > pos_ && s_[pos_] == 'L') ++pos_;
                    h.shape.push_back(v);
                    skip();
                    if (peek() == ',') ++pos_;
                }
                have_shape = true;
            } else {
                fail("only the keys descr, fortran_order and shape", "key '" + key + "'");
            }
            skip();
            if (peek() == ',') ++pos_;
        }
        if (!have_descr || !have_order || !have_shape)
            fail("the keys descr, fortran_order and shape", "a header missing some of them");
        return h;
    }

private:
    [[noreturn]] void fail(const std::string& expected, const std::string& found) {
        throw FormatError(describe(path_, "header", expected, found));
    }
    std::string rest() const {
        std::string r(1, '\'');
        r.append(s_, std::min(pos_, s_.size()), 20);
        r.push_back('\'');
        return r;
    }
    char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
    void skip() { while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) ++pos_; }
    void expect(char c) {
        if (peek() != c) fail(std::string("'") + c + "'", rest());
        ++pos_;
    }
    std::string quoted() {
        char q = peek();
        if (q != '\'' && q != '"') fail("a quoted key", rest());
        ++pos_;
        std::size_t end = s_.find(q, pos_);
        if (end == std::string::npos) fail("a closing quote", "the end of the header");
        std::string out = s_.substr(pos_, end - pos_);
        pos_ = end + 1;
        return out;
    }
    const std::string& path_;
    const std::string& s_;
    std::size_t pos_ = 0;
};

Header read_header(std::FILE* f, const std::string& path) {
    unsigned char pre[10];
    std::size_t got = std::fread(pre, 1, 8, f);
    static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (got < 8 || std::memcmp(pre, magic, 6) != 0)
        throw FormatError(describe(path, "magic", "the .npy magic \\x93NUMPY", got < 6 ? "a file shorter than 6 bytes"
                                                                                      : "other bytes (not a .npy file)"));
    int major = pre[6];
    std::size_t header_len = 0, prefix = 0;
    if (major == 1) {
        if (std::fread(pre + 8, 1, 2, f) != 2) throw FormatError(describe(path, "header", "a header length", "end of file"));
        header_len = pre[8] | (static_cast<std::size_t>(pre[9]) << 8);
        prefix = 10;
    } else if (major == 2 || major == 3) {
        unsigned char l[4];
        if (std::fread(l, 1, 4, f) != 4) throw FormatError(describe(path, "header", "a header length", "end of file"));
        header_len = l[0] | (static_cast<std::size_t>(l[1]) << 8) | (static_cast<std::size_t>(l[2]) << 16) |
                     (static_cast<std::size_t>(l[3]) << 24);
        prefix = 12;
        if (header_len > (std::size_t{1} << 24))
            throw FormatError(describe(path, "header", "a header under 16 MiB", std::to_string(header_len) + " bytes"));
    } else {
        throw FormatError(describe(path, "version", "format version 1.0, 2.0 or 3.0",
                                   "version " + std::to_string(major) + "." + std::to_string(pre[7])));
    }
    std::string text(header_len, '\0');
    if (std::fread(text.data(), 1, header_len, f) != header_len)
        throw FormatError(describe(path, "header", std::to_string(header_len) + " header bytes", "end of file"));
    Header h = DictParser(path, text).parse();
    h.payload_offset = prefix + header_len;
    h.item_size = item_size_of(path, h.dtype);
    if (h.shape.empty() || h.shape.size() > 2)
        throw FormatError(describe(path, "shape", "a 1-D or 2-D array", std::to_string(h.shape.size()) + "-D"));
    h.count = 1;
    for (auto d : h.shape) h.count *= d;
    return h;
}

void read_payload(std::FILE* f, const std::string& path, const Header& h, void* dst) {
    const std::uint64_t expected = static_cast<std::uint64_t>(h.count) * h.item_size;
    std::error_code ec;
    const std::uint64_t size = std::filesystem::file_size(path, ec);
    const std::uint64_t available = (ec || size < h.payload_offset) ? 0 : size - h.payload_offset;
    if (available != expected)
        throw FormatError(describe(path, "payload", std::to_string(expected) + " bytes of payload",
                                   std::to_string(available)));
    if (expected == 0) return;
    if (std::fread(dst, 1, expected, f) != expected)
        throw FormatError(describe(path, "payload", std::to_string(expected) + " bytes of payload",
                                   "a read error (" + std::string(std::strerror(errno)) + ")"));
}

std::string shape_str(const std::vector<std::int64_t>& s) {
    std::string out = "(";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + (s.size() == 1 ? ",)" : ")");
}

// Element k of a raw payload as T (any supported dtype).
template <class Dst>
void convert(const std::string& dtype, const std::byte* src, std::int64_t n, Dst* dst) {
    auto run = [&](auto tag) {
        using Src = decltype(tag);
        const Src* s = reinterpret_cast<const Src*>(src);
        for (std::int64_t k = 0; k < n; ++k) dst[k] = static_cast<Dst>(s[k]);
    };
    if (dtype == "<f4") run(float{});
    else if (dtype == "<f8") run(double{});
    else if (dtype == "<i4") run(std::int32_t{});
    else if (dtype == "<i8") run(std::int64_t{});
    else run(std::uint8_t{});  // |u1, |b1
}

}  // namespace

std::int64_t NpyArray::count() const {
    std::int64_t c = 1;
    for (auto d : shape) c *= d;
    return c;
}

std::size_t NpyArray::item_size() const { return item_size_of("npy array", dtype); }

NpyArray read_npy(const std::string& path) {
    File f = open_for_read(path);
    Header h = read_header(f.get(), path);
    NpyArray a;
    a.dtype = h.dtype;
    a.shape = h.shape;
    a.fortran = h.fortran;
    a.data.resize(static_cast<std::size_t>(h.count) * h.item_size);
    read_payload(f.get(), path, h, a.data.data());
    return a;
}

FeatureMatrix read_npy_matrix_f32(const std::string& path) {
    File f = open_for_read(path);
    Header h = read_header(f.get(), path);
    const std::int64_t rows = h.shape[0];
    const std::int64_t cols = h.shape.size() == 2 ? h.shape[1] : 1;
    FeatureMatrix m(rows, cols);
    const bool row_major_payload = !h.fortran || h.shape.size() == 1 || rows == 1 || cols == 1;
    if (h.dtype == "<f4" && row_major_payload) {
        read_payload(f.get(), path, h, m.data());  // straight into the matrix: no copy
        return m;
    }
    std::vector<std::byte> raw(static_cast<std::size_t>(h.count) * h.item_size);
    read_payload(f.get(), path, h, raw.data());
    if (row_major_payload) {
        convert(h.dtype, raw.data(), h.count, m.data());
    } else {
        // Column-major payload: convert into a column-major matrix, then let Eigen transpose in blocks.
        Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor> cm(rows, cols);
        convert(h.dtype, raw.data(), h.count, cm.data());
        raw.clear();
        raw.shrink_to_fit();
        m = cm;
    }
    return m;
}

std::vector<std::int64_t> read_npy_int_vector(const std::string& path) {
    NpyArray a = read_npy(path);
    if (a.dtype != "<i4" && a.dtype != "<i8" && a.dtype != "|u1" && a.dtype != "<u1")
        throw FormatError(describe(path, "header descr", "an integer array (<i8, <i4 or |u1)", "dtype '" + a.dtype + "'"));
    if (a.shape.size() == 2 && a.shape[0] != 1 && a.shape[1] != 1)
        throw FormatError(describe(path, "shape", "a 1-D array of ids", "shape " + shape_str(a.shape)));
    std::vector<std::int64_t> out(static_cast<std::size_t>(a.count()));
    convert(a.dtype, a.data.data(), a.count(), out.data());
    return out;
}

std::vector<std::uint8_t> read_npy_u8(const std::string& path, std::int64_t& rows, std::int64_t& cols) {
    NpyArray a = read_npy(path);
    if (a.dtype != "|u1" && a.dtype != "|b1" && a.dtype != "<u1" && a.dtype != "<b1")
        throw FormatError(describe(path, "header descr", "a uint8 or bool array (|u1 or |b1)", "dtype '" + a.dtype + "'"));
    rows = a.shape[0];
    cols = a.shape.size() == 2 ? a.shape[1] : 1;
    std::vector<std::uint8_t> out(static_cast<std::size_t>(a.count()));
    if (!a.fortran || a.shape.size() == 1) {
        std::memcpy(out.data(), a.data.data(), out.size());
    } else {
        const auto* s = reinterpret_cast<const std::uint8_t*>(a.data.data());
        for (std::int64_t c = 0; c < cols; ++c)
            for (std::int64_t r = 0; r < rows; ++r) out[r * cols + c] = s[c * rows + r];
    }
    return out;
}

namespace {
// Magic, version, header length and the padded dict, so the payload starts 64-byte aligned.
std::string npy_preamble(const std::string& path, const std::string& dtype, const std::vector<std::int64_t>& shape,
                         bool fortran, int major_version) {
    if (major_version < 1 || major_version > 3)
        throw ConfigError(describe(path, "npy version", "1, 2 or 3", std::to_string(major_version)));
    std::string dict = "{'descr': '" + dtype + "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': " + shape_str(shape) + ", }";
    const std::size_t prefix = major_version == 1 ? 10 : 12;
    const std::size_t total = prefix + dict.size() + 1;
    dict.append((total + 63) / 64 * 64 - total, ' ');
    dict.push_back('\n');
    if (major_version == 1 && dict.size() > 65535)
        throw ConfigError(describe(path, "npy header", "a header under 64 KiB for version 1.0", std::to_string(dict.size())));
    std::string pre = "\x93NUMPY";
    pre.push_back(static_cast<char>(major_version));
    pre.push_back('\0');
    const std::size_t hl = dict.size();
    for (std::size_t b = 0; b < prefix - 8; ++b) pre.push_back(static_cast<char>((hl >> (8 * b)) & 0xff));
    return pre + dict;
}

void write_simple(const std::string& path, const char* dtype, const std::vector<std::int64_t>& shape, bool fortran,
                  const void* data, std::size_t bytes, int major_version = 1) {
    std::string pre = npy_preamble(path, dtype, shape, fortran, major_version);
    AtomicFile out(path);
    out.write(pre);
    out.write(data, bytes);
    out.commit();
}
}  // namespace

void write_npy_array(const std::string& path, const NpyArray& a, int major_version) {
    write_simple(path, a.dtype.c_str(), a.shape, a.fortran, a.data.data(), a.data.size(), major_version);
}

void write_npy(const std::string& path, const FeatureMatrix& m) {
    write_simple(path, "<f4", {m.rows(), m.cols()}, false, m.data(), static_cast<std::size_t>(m.size()) * sizeof(float));
}

void write_npy(const std::string& path, const std::vector<std::int64_t>& v) {
    write_simple(path, "<i8", {static_cast<std::int64_t>(v.size())}, false, v.data(), v.size() * sizeof(std::int64_t));
}

void write_npy_u8(const std::string& path, const std::uint8_t* data, std::int64_t rows, std::int64_t cols) {
    write_simple(path, "|u1", {rows, cols}, false, data, static_cast<std::size_t>(rows * cols));
}

}  // namespace milk
