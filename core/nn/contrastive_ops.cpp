#include "core/nn/contrastive_ops.h"

#include "core/error.h"

#include <cmath>
#include <string>

namespace milk::nn {

namespace {

void check_sparse(const SparseRows& s, const Matrix& x) {
    if (s.n_cols != x.rows())
        throw StateError(describe("nn::sparse_matmul", "operand shapes",
                                  "a sparse matrix with " + std::to_string(x.rows()) + " columns",
                                  std::to_string(s.n_cols) + " columns"));
    for (std::int32_t c : s.cols)
        if (c < 0 || c >= s.n_cols)
            throw StateError(describe("nn::sparse_matmul", "column index", "0 <= index < " + std::to_string(s.n_cols),
                                      std::to_string(c)));
}

}  // namespace

Matrix sparse_matmul(const SparseRows& s, const Matrix& x) {
    check_sparse(s, x);
    Matrix out = Matrix::Zero(s.rows(), x.cols());
    for (Eigen::Index r = 0; r < s.rows(); ++r)
        for (std::int64_t e = s.offsets[r]; e < s.offsets[r + 1]; ++e)
            out.row(r) += s.values[static_cast<std::size_t>(e)] * x.row(s.cols[static_cast<std::size_t>(e)]);
    return out;
}

Var sparse_matmul(SparseRows s, Var x) {
    if (x.graph == nullptr)
        throw StateError(describe("nn::sparse_matmul", "operand", "a Var of a graph", "an empty Var"));
    Graph& g = *x.graph;
    Matrix out = sparse_matmul(s, g.value(g.check(x)));
    return g.record(std::move(out), {x}, [ix = x.id, s = std::move(s)](Graph& gr, int self) {
        if (!gr.needs_grad(ix)) return;
        const Matrix& d = gr.grad_of(self);
        Matrix& gx = gr.grad_buffer(ix);
        for (Eigen::Index r = 0; r < s.rows(); ++r)
            for (std::int64_t e = s.offsets[r]; e < s.offsets[r + 1]; ++e)
                gx.row(s.cols[static_cast<std::size_t>(e)]) += s.values[static_cast<std::size_t>(e)] * d.row(r);
    });
}

Var transpose(Var a) {
    if (a.graph == nullptr) throw StateError(describe("nn::transpose", "operand", "a Var of a graph", "an empty Var"));
    Graph& g = *a.graph;
    Matrix out = g.value(g.check(a)).transpose();
    return g.record(std::move(out), {a}, [ia = a.id](Graph& gr, int self) {
        if (gr.needs_grad(ia)) gr.grad_buffer(ia) += gr.grad_of(self).transpose();
    });
}

Var log_softmax_rows(Var a) {
    if (a.graph == nullptr)
        throw StateError(describe("nn::log_softmax_rows", "operand", "a Var of a graph", "an empty Var"));
    Graph& g = *a.graph;
    const Matrix& x = g.value(g.check(a));
    Matrix out(x.rows(), x.cols());
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
        const float mx = x.row(r).maxCoeff();
        const float lse = mx + std::log((x.row(r).array() - mx).exp().sum());
        out.row(r) = x.row(r).array() - lse;
    }
    return g.record(std::move(out), {a}, [ia = a.id](Graph& gr, int self) {
        if (!gr.needs_grad(ia)) return;
        // y = x - lse(x): dx = dy - softmax(x) * sum(dy)
        const Matrix& d = gr.grad_of(self);
        const Matrix& y = gr.value(self);
        Matrix& ga = gr.grad_buffer(ia);
        for (Eigen::Index r = 0; r < y.rows(); ++r) {
            const float total = d.row(r).sum();
            ga.row(r).array() += d.row(r).array() - y.row(r).array().exp() * total;
        }
    });
}

}  // namespace milk::nn
