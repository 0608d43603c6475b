#pragma once
// Tall-skinny products split by rows across threads, each thread running a
// single-threaded Eigen product on its own rows. Measured on the 2-core target with
// baby-like shapes (2600 x 4096 times 4096 x 64), this keeps ~30 GFLOPS per core even
// when another process competes for a core, where Eigen's shared-block parallel GEMM
// fell to 11-16 GFLOPS. Results depend only on the thread count (fixed row split,
// partial sums added in thread order), so runs stay reproducible.
#include "core/nn/parameter.h"

#include <cstdint>
#include <span>

namespace milk::nn {

using ConstRowBlock = Eigen::Ref<const Matrix>;

// gathered.topRows(n) = source rows `rows`, then out = gathered.topRows(n) * w, each
// thread gathering and multiplying its own share of rows (gathered must have >= n rows).
void gather_matmul_rows(const Matrix& source, std::span<const std::int32_t> rows, Matrix& gathered, const Matrix& w,
                        Matrix& out, int threads);
// out = x * w  (x: n x k, w: k x m); out is resized to n x m.
void matmul_rows(const ConstRowBlock& x, const Matrix& w, Matrix& out, int threads);
// acc += x^T * y  (x: n x k, y: n x m, acc: k x m), rows of x and y split across threads.
void add_transposed_matmul(const ConstRowBlock& x, const Matrix& y, Matrix& acc, int threads);

}  // namespace milk::nn
