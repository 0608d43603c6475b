#include "core/models/micro/item_knn_graph.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace milk {

nn::SparseRows build_item_knn_graph(const FeatureMatrix& features, int k) {
    const Eigen::Index n = features.rows();
    const int kk = static_cast<int>(std::min<Eigen::Index>(std::max(k, 1), n));
    nn::Matrix x = features;
    for (Eigen::Index r = 0; r < n; ++r) {
        const float norm = x.row(r).norm();
        if (norm > 1e-12f) x.row(r) /= norm;
        else x.row(r).setZero();
    }
    std::vector<std::int32_t> nbr(static_cast<std::size_t>(n * kk));
    std::vector<float> val(static_cast<std::size_t>(n * kk));
    constexpr Eigen::Index kBlock = 512;
    std::vector<std::int32_t> order(static_cast<std::size_t>(n));
    for (Eigen::Index start = 0; start < n; start += kBlock) {
        const Eigen::Index rows = std::min(kBlock, n - start);
        const nn::Matrix sim = x.middleRows(start, rows) * x.transpose();
        for (Eigen::Index r = 0; r < rows; ++r) {
            std::iota(order.begin(), order.end(), 0);
            const float* s = sim.row(r).data();
            auto better = [s](std::int32_t a, std::int32_t b) { return s[a] > s[b] || (s[a] == s[b] && a < b); };
            std::partial_sort(order.begin(), order.begin() + kk, order.end(), better);
            for (int c = 0; c < kk; ++c) {
                const std::size_t at = static_cast<std::size_t>((start + r) * kk + c);
                nbr[at] = order[static_cast<std::size_t>(c)];
                val[at] = std::max(0.0f, s[order[static_cast<std::size_t>(c)]]);
            }
        }
    }
    std::vector<float> inv_sqrt_degree(static_cast<std::size_t>(n), 0.0f);
    for (Eigen::Index i = 0; i < n; ++i) {
        double d = 0;
        for (int c = 0; c < kk; ++c) d += val[static_cast<std::size_t>(i * kk + c)];
        inv_sqrt_degree[static_cast<std::size_t>(i)] = d > 0 ? static_cast<float>(1.0 / std::sqrt(d)) : 0.0f;
    }
    nn::SparseRows g;
    g.n_cols = n;
    g.cols.reserve(nbr.size());
    g.values.reserve(nbr.size());
    g.offsets.reserve(static_cast<std::size_t>(n + 1));
    for (Eigen::Index i = 0; i < n; ++i) {
        for (int c = 0; c < kk; ++c) {
            const std::size_t at = static_cast<std::size_t>(i * kk + c);
            const std::int32_t j = nbr[at];
            g.push(j, val[at] * inv_sqrt_degree[static_cast<std::size_t>(i)] * inv_sqrt_degree[static_cast<std::size_t>(j)]);
        }
        g.end_row();
    }
    return g;
}

}  // namespace milk
