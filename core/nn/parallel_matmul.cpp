#include "core/nn/parallel_matmul.h"

#include <omp.h>

#include <algorithm>
#include <vector>

namespace milk::nn {

namespace {
int effective_threads(int threads, Eigen::Index rows) {
    // Below a few hundred rows a split costs more than it saves.
    return static_cast<int>(std::max<Eigen::Index>(1, std::min<Eigen::Index>(threads, rows / 256)));
}
}  // namespace

void matmul_rows(const ConstRowBlock& x, const Matrix& w, Matrix& out, int threads) {
    const Eigen::Index n = x.rows();
    out.resize(n, w.cols());
    const int t = effective_threads(threads, n);
    if (t <= 1) {
        out.noalias() = x * w;
        return;
    }
#pragma omp parallel num_threads(t)
    {
        const int id = omp_get_thread_num();
        const Eigen::Index lo = n * id / t, hi = n * (id + 1) / t;
        out.middleRows(lo, hi - lo).noalias() = x.middleRows(lo, hi - lo) * w;
    }
}

void gather_matmul_rows(const Matrix& source, std::span<const std::int32_t> rows, Matrix& gathered, const Matrix& w,
                        Matrix& out, int threads) {
    const Eigen::Index n = static_cast<Eigen::Index>(rows.size());
    out.resize(n, w.cols());
    const int t = effective_threads(threads, n);
#pragma omp parallel num_threads(t) if (t > 1)
    {
        const int id = omp_get_thread_num();
        const Eigen::Index lo = n * id / t, hi = n * (id + 1) / t;
        for (Eigen::Index r = lo; r < hi; ++r) gathered.row(r) = source.row(rows[static_cast<std::size_t>(r)]);
        out.middleRows(lo, hi - lo).noalias() = gathered.middleRows(lo, hi - lo) * w;
    }
}

void add_transposed_matmul(const ConstRowBlock& x, const Matrix& y, Matrix& acc, int threads) {
    const Eigen::Index n = x.rows();
    const int t = effective_threads(threads, n);
    if (t <= 1) {
        acc.noalias() += x.transpose() * y;
        return;
    }
    std::vector<Matrix> partial(static_cast<std::size_t>(t));
#pragma omp parallel num_threads(t)
    {
        const int id = omp_get_thread_num();
        const Eigen::Index lo = n * id / t, hi = n * (id + 1) / t;
        partial[static_cast<std::size_t>(id)].noalias() = x.middleRows(lo, hi - lo).transpose() * y.middleRows(lo, hi - lo);
    }
    for (const Matrix& p : partial) acc += p;  // fixed order: same sums for the same thread count
}

}  // namespace milk::nn
