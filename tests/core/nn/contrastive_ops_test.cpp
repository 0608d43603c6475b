// Gradients of the contrastive/graph ops against central finite differences, and their
// values against direct computations.
#include "core/error.h"
#include "core/nn/contrastive_ops.h"
#include "gradient_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace milk::nn {
namespace {

using test::check_gradients;

Parameter random_matrix(const std::string& name, int rows, int cols, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> n(0.0f, 1.0f);
    Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = n(rng);
    return Parameter(name, m);
}

SparseRows example_sparse() {
    // 3 x 4 with a repeated column in row 0 and an empty row 1.
    SparseRows s;
    s.n_cols = 4;
    s.push(0, 0.5f);
    s.push(2, -1.5f);
    s.push(0, 0.25f);
    s.end_row();
    s.end_row();
    s.push(3, 2.0f);
    s.push(1, 0.7f);
    s.end_row();
    return s;
}

TEST(ContrastiveOps, SparseMatmulMatchesDenseProduct) {
    const SparseRows s = example_sparse();
    Matrix dense = Matrix::Zero(3, 4);
    dense(0, 0) = 0.75f;
    dense(0, 2) = -1.5f;
    dense(2, 3) = 2.0f;
    dense(2, 1) = 0.7f;
    const Parameter x = random_matrix("x", 4, 3, 1);
    EXPECT_LT((sparse_matmul(s, x.value) - dense * x.value).cwiseAbs().maxCoeff(), 1e-5);
}

TEST(ContrastiveOps, SparseMatmulGradient) {
    Parameter x = random_matrix("x", 4, 3, 2);
    const SparseRows s = example_sparse();
    auto r = check_gradients({&x}, [&](Graph&, const std::vector<Var>& v) { return sparse_matmul(s, v[0]); });
    EXPECT_TRUE(r.ok) << r.detail;
}

TEST(ContrastiveOps, SparseMatmulRejectsWrongShape) {
    Graph g;
    Parameter x = random_matrix("x", 5, 3, 3);
    EXPECT_THROW(sparse_matmul(example_sparse(), g.param(x)), StateError);
}

TEST(ContrastiveOps, TransposeGradient) {
    Parameter a = random_matrix("a", 3, 5, 4);
    auto r = check_gradients({&a}, [](Graph&, const std::vector<Var>& v) { return transpose(v[0]); });
    EXPECT_TRUE(r.ok) << r.detail;
    Graph g;
    EXPECT_EQ(transpose(g.param(a)).rows(), 5);
}

TEST(ContrastiveOps, LogSoftmaxRowsValuesAndGradient) {
    Parameter a = random_matrix("a", 4, 5, 5);
    a.value(1, 2) = 60.0f;  // large: the row maximum keeps exp finite
    Graph g;
    const Matrix y = log_softmax_rows(g.param(a)).value();
    for (Eigen::Index r = 0; r < 4; ++r) EXPECT_NEAR(y.row(r).array().exp().sum(), 1.0, 1e-5);
    EXPECT_NEAR(y(0, 1) - y(0, 3), a.value(0, 1) - a.value(0, 3), 1e-5);
    a.value(1, 2) = 2.0f;
    auto r = check_gradients({&a}, [](Graph&, const std::vector<Var>& v) { return log_softmax_rows(v[0]); });
    EXPECT_TRUE(r.ok) << r.detail;
    // Composite: InfoNCE-like use (matmul with a transpose).
    Parameter b = random_matrix("b", 3, 4, 6);
    auto r2 = check_gradients({&b}, [](Graph&, const std::vector<Var>& v) {
        return log_softmax_rows(matmul(v[0], transpose(v[0])));
    });
    EXPECT_TRUE(r2.ok) << r2.detail;
}

}  // namespace
}  // namespace milk::nn
