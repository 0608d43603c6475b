#include "core/data/npy.h"
#include "core/error.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

using namespace milk;
using milk::test::TempDir;

namespace {

template <class T>
NpyArray make_array(const std::string& dtype, std::vector<std::int64_t> shape, bool fortran, const std::vector<T>& v) {
    NpyArray a;
    a.dtype = dtype;
    a.shape = std::move(shape);
    a.fortran = fortran;
    a.data.resize(v.size() * sizeof(T));
    std::memcpy(a.data.data(), v.data(), a.data.size());
    return a;
}

template <class Fn>
std::string error_of(Fn&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Npy, Float32RoundTripKeepsValuesAndShape) {
    TempDir dir;
    FeatureMatrix m(3, 4);
    for (int i = 0; i < 12; ++i) m.data()[i] = 0.5f * i - 2.0f;
    write_npy((dir / "m.npy").string(), m);
    FeatureMatrix r = read_npy_matrix_f32((dir / "m.npy").string());
    ASSERT_EQ(r.rows(), 3);
    ASSERT_EQ(r.cols(), 4);
    EXPECT_EQ(r, m);
    // header + payload start on a 64-byte boundary
    EXPECT_EQ(std::filesystem::file_size(dir / "m.npy") % 64, 48u);  // 12 floats = 48 bytes after an aligned header
}

TEST(Npy, EachDtypeConvertsToFloat) {
    TempDir dir;
    const std::string p = (dir / "a.npy").string();
    write_npy_array(p, make_array<double>("<f8", {2, 2}, false, {1.5, -2.25, 3.0, 1e-3}));
    auto m = read_npy_matrix_f32(p);
    EXPECT_FLOAT_EQ(m(0, 1), -2.25f);
    EXPECT_FLOAT_EQ(m(1, 1), 1e-3f);
    write_npy_array(p, make_array<std::int32_t>("<i4", {1, 3}, false, {-7, 0, 9}));
    m = read_npy_matrix_f32(p);
    EXPECT_FLOAT_EQ(m(0, 0), -7.0f);
    EXPECT_FLOAT_EQ(m(0, 2), 9.0f);
    write_npy_array(p, make_array<std::int64_t>("<i8", {3}, false, {5, 6, 1LL << 40}));
    m = read_npy_matrix_f32(p);
    ASSERT_EQ(m.cols(), 1);
    EXPECT_FLOAT_EQ(m(2, 0), static_cast<float>(1LL << 40));
    write_npy_array(p, make_array<std::uint8_t>("|u1", {2, 1}, false, {255, 3}));
    m = read_npy_matrix_f32(p);
    EXPECT_FLOAT_EQ(m(0, 0), 255.0f);
    write_npy_array(p, make_array<std::uint8_t>("|b1", {2}, false, {1, 0}));
    std::int64_t rows = 0, cols = 0;
    auto b = read_npy_u8(p, rows, cols);
    EXPECT_EQ(rows, 2);
    EXPECT_EQ(cols, 1);
    EXPECT_EQ(b, (std::vector<std::uint8_t>{1, 0}));
}

TEST(Npy, FortranOrderIsTransposedToRowMajor) {
    TempDir dir;
    const std::string p = (dir / "f.npy").string();
    // logical [[1, 2, 3], [4, 5, 6]] stored column by column
    write_npy_array(p, make_array<float>("<f4", {2, 3}, true, {1, 4, 2, 5, 3, 6}));
    auto m = read_npy_matrix_f32(p);
    FeatureMatrix expected(2, 3);
    expected << 1, 2, 3, 4, 5, 6;
    EXPECT_EQ(m, expected);
    write_npy_array(p, make_array<double>("<f8", {2, 3}, true, {1, 4, 2, 5, 3, 6}));
    EXPECT_EQ(read_npy_matrix_f32(p), expected);
    write_npy_array(p, make_array<std::uint8_t>("|u1", {2, 3}, true, {1, 4, 2, 5, 3, 6}));
    std::int64_t rows = 0, cols = 0;
    EXPECT_EQ(read_npy_u8(p, rows, cols), (std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6}));
}

TEST(Npy, Versions2And3AreRead) {
    TempDir dir;
    for (int version : {1, 2, 3}) {
        const std::string p = (dir / ("v" + std::to_string(version) + ".npy")).string();
        write_npy_array(p, make_array<float>("<f4", {2, 2}, false, {1, 2, 3, static_cast<float>(version)}), version);
        std::ifstream in(p, std::ios::binary);
        char head[8];
        in.read(head, 8);
        EXPECT_EQ(head[6], static_cast<char>(version));
        auto m = read_npy_matrix_f32(p);
        EXPECT_FLOAT_EQ(m(1, 1), static_cast<float>(version));
    }
}

TEST(Npy, IntVectorsAndTheirWriter) {
    TempDir dir;
    const std::string p = (dir / "ids.npy").string();
    write_npy(p, std::vector<std::int64_t>{4, 0, 17});
    EXPECT_EQ(read_npy_int_vector(p), (std::vector<std::int64_t>{4, 0, 17}));
    write_npy_array(p, make_array<std::int32_t>("<i4", {3, 1}, false, {9, 8, 7}));
    EXPECT_EQ(read_npy_int_vector(p), (std::vector<std::int64_t>{9, 8, 7}));
    write_npy_array(p, make_array<float>("<f4", {2}, false, {1, 2}));
    std::string msg = error_of([&] { read_npy_int_vector(p); });
    EXPECT_NE(msg.find(p), std::string::npos);
    EXPECT_NE(msg.find("integer"), std::string::npos);
}

TEST(Npy, TruncatedPayloadNamesExpectedAndFoundBytes) {
    TempDir dir;
    const std::string p = (dir / "t.npy").string();
    FeatureMatrix m = FeatureMatrix::Ones(10, 10);
    write_npy(p, m);
    auto full = std::filesystem::file_size(p);
    std::filesystem::resize_file(p, full - 300);
    EXPECT_THROW(read_npy_matrix_f32(p), FormatError);
    std::string msg = error_of([&] { read_npy_matrix_f32(p); });
    EXPECT_NE(msg.find(p), std::string::npos) << msg;
    EXPECT_NE(msg.find("expected 400 bytes of payload, found 100"), std::string::npos) << msg;
    EXPECT_THROW(read_npy(p), FormatError);
}

TEST(Npy, BadMagicAndUnsupportedDtypesAreFormatErrors) {
    TempDir dir;
    dir.write("bad.npy", "PK\x03\x04 this is a zip, not an npy file");
    const std::string bad = (dir / "bad.npy").string();
    EXPECT_THROW(read_npy(bad), FormatError);
    EXPECT_NE(error_of([&] { read_npy(bad); }).find("magic"), std::string::npos);

    const std::string be = (dir / "be.npy").string();
    write_npy_array(be, make_array<float>(">f4", {2}, false, {1, 2}));
    EXPECT_THROW(read_npy_matrix_f32(be), FormatError);
    std::string msg = error_of([&] { read_npy_matrix_f32(be); });
    EXPECT_NE(msg.find("big-endian"), std::string::npos) << msg;
    EXPECT_NE(msg.find(be), std::string::npos) << msg;

    const std::string i1 = (dir / "i1.npy").string();
    write_npy_array(i1, make_array<std::int8_t>("|i1", {2}, false, {1, 2}));
    EXPECT_THROW(read_npy(i1), FormatError);
    EXPECT_NE(error_of([&] { read_npy(i1); }).find("'|i1'"), std::string::npos);

    const std::string three_d = (dir / "3d.npy").string();
    write_npy_array(three_d, make_array<float>("<f4", {1, 1, 2}, false, {1, 2}));
    EXPECT_NE(error_of([&] { read_npy(three_d); }).find("3-D"), std::string::npos);

    EXPECT_THROW(read_npy((dir / "missing.npy").string()), IoError);

    // version 9 does not exist
    std::string bytes = "\x93NUMPY";
    bytes += '\x09';
    bytes += std::string("\0\x10\0", 3);
    dir.write("v9.npy", bytes);
    EXPECT_NE(error_of([&] { read_npy((dir / "v9.npy").string()); }).find("version 9.0"), std::string::npos);
}
