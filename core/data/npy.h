#pragma once
// NumPy .npy files (format versions 1.0, 2.0, 3.0): little-endian <f4 <f8 <i4 <i8 |u1 |b1,
// C or Fortran order, 1-D or 2-D. The payload is read in one fread and converted in bulk.
// Truncated or unsupported files throw FormatError naming the file, what was expected
// and what was found; writers go through AtomicFile.
#include "core/data/dataset.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace milk {

struct NpyArray {
    std::string dtype;                 // as in the header, e.g. "<f4", "|u1"
    std::vector<std::int64_t> shape;   // 1 or 2 entries
    bool fortran = false;              // column-major payload
    std::vector<std::byte> data;       // raw payload, as stored

    std::int64_t count() const;        // number of elements
    std::size_t item_size() const;     // bytes per element
};

// Whole file, payload as stored (no conversion, no transposition).
NpyArray read_npy(const std::string& path);
// 2-D (or 1-D as n x 1) numeric array as float32, row-major; float64/int converted.
FeatureMatrix read_npy_matrix_f32(const std::string& path);
// 1-D integer array (<i4, <i8, |u1); also accepts shape (n, 1) or (1, n).
std::vector<std::int64_t> read_npy_int_vector(const std::string& path);
// |u1 or |b1, 1-D or 2-D, returned row-major; rows/cols receive the shape (1-D: cols = 1).
std::vector<std::uint8_t> read_npy_u8(const std::string& path, std::int64_t& rows, std::int64_t& cols);

// Writers (version 1.0, C order), atomic.
void write_npy(const std::string& path, const FeatureMatrix& m);                 // <f4, 2-D
void write_npy(const std::string& path, const std::vector<std::int64_t>& v);     // <i8, 1-D
void write_npy_u8(const std::string& path, const std::uint8_t* data, std::int64_t rows, std::int64_t cols);  // |u1, 2-D
// Any array as given (dtype, order and payload untouched) in the given format version (1, 2 or 3).
void write_npy_array(const std::string& path, const NpyArray& a, int major_version = 1);

}  // namespace milk
