#pragma once
// Ops for contrastive and graph-based models that core/nn/graph.h does not have:
// a transpose, a numerically stable row-wise log-softmax (InfoNCE), and a product with
// a fixed sparse matrix (graph convolution over an item-item kNN graph). Same rules as
// graph.h: values forward, one closure per op backward, gradients accumulate.
#include "core/nn/graph.h"

#include <cstdint>
#include <vector>

namespace milk::nn {

// A constant sparse matrix in CSR form: row r holds entries offsets[r] .. offsets[r+1]-1.
struct SparseRows {
    Eigen::Index n_cols = 0;
    std::vector<std::int64_t> offsets{0};
    std::vector<std::int32_t> cols;
    std::vector<float> values;
    Eigen::Index rows() const { return static_cast<Eigen::Index>(offsets.size()) - 1; }
    void push(std::int32_t col, float value) {
        cols.push_back(col);
        values.push_back(value);
    }
    void end_row() { offsets.push_back(static_cast<std::int64_t>(cols.size())); }
};

// S x (S: n x k sparse constant, x: k x d) -> n x d; gradient S^T dy flows to x.
Var sparse_matmul(SparseRows s, Var x);
// Plain product without a graph (inference).
Matrix sparse_matmul(const SparseRows& s, const Matrix& x);

Var transpose(Var a);                         // n x m -> m x n
// Row r: x_r - log sum_c exp(x_rc), computed with the row maximum subtracted.
Var log_softmax_rows(Var a);

}  // namespace milk::nn
