#include "core/error.h"
#include "core/nn/graph.h"
#include "gradient_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace milk::nn {
namespace {

using test::check_gradients;

// Entries sign * U(0.1, 1): away from the kinks of relu / leaky_relu at 0.
Parameter random_param(const std::string& name, int rows, int cols, std::uint64_t seed, float lo = 0.1f, float hi = 1.0f,
                       bool allow_negative = true) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> u(lo, hi);
    std::bernoulli_distribution neg(0.5);
    Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = (allow_negative && neg(rng) ? -1.0f : 1.0f) * u(rng);
    return Parameter(name, m);
}

#define EXPECT_GRADIENTS_OK(params, build)                                       \
    do {                                                                         \
        auto r_ = check_gradients(params, build);                               \
        EXPECT_TRUE(r_.ok) << r_.detail << " (norm error " << r_.relative_norm_error << ")"; \
    } while (0)

TEST(GraphGradients, Matmul) {
    Parameter a = random_param("a", 3, 4, 1), b = random_param("b", 4, 2, 2);
    EXPECT_GRADIENTS_OK((std::vector<Parameter*>{&a, &b}), [](Graph&, const std::vector<Var>& v) { return matmul(v[0], v[1]); });
}

TEST(GraphGradients, AddSubMul) {
    Parameter a = random_param("a", 3, 4, 3), b = random_param("b", 3, 4, 4);
    std::vector<Parameter*> ps{&a, &b};
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return add(v[0], v[1]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return sub(v[0], v[1]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return mul(v[0], v[1]); });
    // The same operand twice: mul(a, a) = a^2.
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return mul(v[0], v[0]); });
}

TEST(GraphGradients, Broadcasts) {
    Parameter a = random_param("a", 5, 3, 5), bias = random_param("bias", 1, 3, 6), w = random_param("w", 5, 1, 7);
    EXPECT_GRADIENTS_OK((std::vector<Parameter*>{&a, &bias}),
                        [](Graph&, const std::vector<Var>& v) { return add_row_broadcast(v[0], v[1]); });
    EXPECT_GRADIENTS_OK((std::vector<Parameter*>{&a, &w}), [](Graph&, const std::vector<Var>& v) { return scale_rows(v[0], v[1]); });
}

TEST(GraphGradients, ScalarsAndReductions) {
    Parameter a = random_param("a", 4, 3, 8);
    std::vector<Parameter*> ps{&a};
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return scale(v[0], -2.5f); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return add_scalar(v[0], 0.75f); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return neg(v[0]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return sum(v[0]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return mean(v[0]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return sum_rows(v[0]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return mean_rows(v[0]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return squared_norm(v[0]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return slice_cols(v[0], 1, 2); });
}

TEST(GraphGradients, GatherRowsWithDuplicates) {
    Parameter a = random_param("table", 5, 3, 9);
    const std::vector<std::int32_t> rows{4, 0, 4, 2, 4};
    EXPECT_GRADIENTS_OK((std::vector<Parameter*>{&a}),
                        [&](Graph&, const std::vector<Var>& v) { return gather_rows(v[0], rows); });
    // Exact scatter-add: d sum(gather) / d table = number of times each row was taken.
    a.zero_grad();
    Graph g;
    g.backward(sum(gather_rows(g.param(a), rows)));
    EXPECT_FLOAT_EQ(a.grad(4, 1), 3.0f);
    EXPECT_FLOAT_EQ(a.grad(0, 0), 1.0f);
    EXPECT_FLOAT_EQ(a.grad(1, 2), 0.0f);
    EXPECT_FLOAT_EQ(a.grad(2, 0), 1.0f);
    EXPECT_FLOAT_EQ(a.grad(3, 0), 0.0f);
    // Gather of an intermediate node (not a leaf).
    EXPECT_GRADIENTS_OK((std::vector<Parameter*>{&a}),
                        [&](Graph&, const std::vector<Var>& v) { return gather_rows(tanh(v[0]), rows); });
}

TEST(GraphGradients, RowDot) {
    Parameter a = random_param("a", 4, 3, 10), b = random_param("b", 4, 3, 11);
    EXPECT_GRADIENTS_OK((std::vector<Parameter*>{&a, &b}), [](Graph&, const std::vector<Var>& v) { return row_dot(v[0], v[1]); });
}

TEST(GraphGradients, ElementWiseNonlinearities) {
    Parameter a = random_param("a", 3, 4, 12, 0.1f, 3.0f);
    std::vector<Parameter*> ps{&a};
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return log_sigmoid(v[0]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return softplus(v[0]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return sigmoid(v[0]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return tanh(v[0]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return relu(v[0]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return leaky_relu(v[0], 0.2f); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return square(v[0]); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return exp(scale(v[0], 0.5f)); });
    Parameter pos = random_param("pos", 3, 4, 13, 0.5f, 2.0f, false);
    EXPECT_GRADIENTS_OK((std::vector<Parameter*>{&pos}), [](Graph&, const std::vector<Var>& v) { return log(v[0]); });
}

TEST(GraphGradients, Concat) {
    Parameter a = random_param("a", 3, 2, 14), b = random_param("b", 3, 4, 15), c = random_param("c", 1, 2, 16);
    EXPECT_GRADIENTS_OK((std::vector<Parameter*>{&a, &b}),
                        [](Graph&, const std::vector<Var>& v) { return concat_cols({v[0], v[1], v[0]}); });
    EXPECT_GRADIENTS_OK((std::vector<Parameter*>{&a, &c}),
                        [](Graph&, const std::vector<Var>& v) { return concat_rows({v[0], v[1]}); });
}

TEST(GraphGradients, StackVarianceMse) {
    Parameter a = random_param("a", 4, 3, 17), b = random_param("b", 4, 3, 18);
    std::vector<Parameter*> ps{&a, &b};
    auto three_scalars = [](const std::vector<Var>& v) {
        return std::vector<Var>{mean(v[0]), sum(mul(v[0], v[1])), squared_norm(v[1])};
    };
    EXPECT_GRADIENTS_OK(ps, [&](Graph&, const std::vector<Var>& v) { return stack(three_scalars(v)); });
    EXPECT_GRADIENTS_OK(ps, [&](Graph&, const std::vector<Var>& v) { return variance(three_scalars(v), false); });
    EXPECT_GRADIENTS_OK(ps, [&](Graph&, const std::vector<Var>& v) { return variance(three_scalars(v), true); });
    EXPECT_GRADIENTS_OK(ps, [](Graph&, const std::vector<Var>& v) { return mse(v[0], v[1]); });
}

TEST(GraphGradients, L2NormalizeRows) {
    Parameter a = random_param("a", 4, 3, 19);
    EXPECT_GRADIENTS_OK((std::vector<Parameter*>{&a}), [](Graph&, const std::vector<Var>& v) { return l2_normalize_rows(v[0]); });
}

TEST(GraphGradients, DropoutUsesItsMask) {
    Parameter a = random_param("a", 6, 5, 20);
    // The same seed draws the same mask on every evaluation, so f is differentiable.
    EXPECT_GRADIENTS_OK((std::vector<Parameter*>{&a}), [](Graph&, const std::vector<Var>& v) {
        std::mt19937_64 rng(3);
        return dropout(v[0], 0.4f, rng);
    });
    Graph g;
    std::mt19937_64 rng(3);
    Var d = dropout(g.param(a), 0.4f, rng);
    int zeros = 0;
    for (Eigen::Index i = 0; i < d.value().size(); ++i) {
        const float y = d.value().data()[i];
        if (y == 0.0f) ++zeros;
        else EXPECT_NEAR(y, a.value.data()[i] / 0.6f, 1e-5);
    }
    EXPECT_GT(zeros, 3);
    EXPECT_LT(zeros, 25);
}

// A BPR-like loss over three "environments" plus the variance of their losses (the
// invariant-learning penalty of MILK), through embedding tables with repeated rows.
TEST(GraphGradients, CompositeBprWithVariance) {
    Parameter users = random_param("users", 6, 4, 21), items = random_param("items", 8, 4, 22);
    Parameter w = random_param("w", 4, 4, 23), bias = random_param("bias", 1, 4, 24);
    const std::vector<std::vector<std::int32_t>> u{{0, 1, 2, 0}, {3, 4, 5, 5}, {1, 3, 0, 2}};
    const std::vector<std::vector<std::int32_t>> pos{{0, 1, 2, 3}, {4, 5, 6, 7}, {7, 0, 0, 1}};
    const std::vector<std::vector<std::int32_t>> negs{{4, 5, 6, 7}, {0, 1, 2, 3}, {3, 6, 5, 4}};
    auto build = [&](Graph&, const std::vector<Var>& v) {
        Var item_repr = tanh(add_row_broadcast(matmul(v[1], v[2]), v[3]));
        std::vector<Var> losses;
        for (std::size_t e = 0; e < u.size(); ++e) {
            Var ue = gather_rows(v[0], u[e]);
            Var diff = sub(row_dot(ue, gather_rows(item_repr, pos[e])), row_dot(ue, gather_rows(item_repr, negs[e])));
            losses.push_back(neg(mean(log_sigmoid(diff))));
        }
        Var total = add(mean(stack(losses)), scale(variance(losses), 5.0f));
        return add(total, scale(squared_norm(v[0]), 1e-2f));
    };
    EXPECT_GRADIENTS_OK((std::vector<Parameter*>{&users, &items, &w, &bias}), build);
}

// The checker must be able to fail: an op whose backward is wrong (d x^2 = x) is caught.
TEST(GraphGradients, CheckerDetectsAWrongBackward) {
    Parameter a = random_param("a", 3, 3, 25);
    auto wrong_square = [](Graph& g, const std::vector<Var>& v) {
        Matrix y = v[0].value().cwiseAbs2();
        return g.record(std::move(y), {v[0]}, [ia = v[0].id](Graph& gr, int self) {
            gr.grad_buffer(ia) += gr.grad_of(self).cwiseProduct(gr.value(ia));
        });
    };
    const auto r = check_gradients({&a}, wrong_square);
    EXPECT_FALSE(r.ok);
    EXPECT_GT(r.relative_norm_error, 0.2);
}

TEST(GraphValues, StableLogSigmoidAndSoftplus) {
    Graph g;
    Matrix x(1, 4);
    x << -200.0f, -20.0f, 20.0f, 200.0f;
    Var c = g.constant(x);
    const Matrix ls = log_sigmoid(c).value();
    const Matrix sp = softplus(c).value();
    const Matrix sg = sigmoid(c).value();
    EXPECT_FLOAT_EQ(ls(0, 0), -200.0f);
    EXPECT_NEAR(ls(0, 1), -20.0f, 1e-6);
    EXPECT_NEAR(ls(0, 2), -2.0611537e-09, 1e-12);
    EXPECT_NEAR(ls(0, 3), 0.0f, 1e-30);
    EXPECT_NEAR(sp(0, 0), 0.0f, 1e-30);
    EXPECT_FLOAT_EQ(sp(0, 3), 200.0f);
    EXPECT_NEAR(sg(0, 0), 0.0f, 1e-30);
    EXPECT_FLOAT_EQ(sg(0, 3), 1.0f);
    for (Eigen::Index i = 0; i < 4; ++i) EXPECT_TRUE(std::isfinite(ls(0, i)) && std::isfinite(sp(0, i)));
}

TEST(GraphValues, VarianceMatchesHandComputation) {
    Graph g;
    // 1, 2, 4: mean 7/3, squared deviations 16/9 + 1/9 + 25/9 = 42/9.
    std::vector<Var> s{g.scalar(1), g.scalar(2), g.scalar(4)};
    EXPECT_NEAR(variance(s, false).scalar(), 42.0 / 27.0, 1e-6);
    EXPECT_NEAR(variance(s, true).scalar(), 42.0 / 18.0, 1e-6);
    EXPECT_THROW(variance({g.scalar(1)}, true), StateError);
}

TEST(GraphBehaviour, GradientsAccumulateIntoParametersAcrossBackwards) {
    Parameter p("p", Matrix::Constant(2, 2, 3.0f));
    for (int i = 0; i < 2; ++i) {
        Graph g;
        g.backward(sum(scale(g.param(p), 2.0f)));
    }
    EXPECT_FLOAT_EQ(p.grad(1, 0), 4.0f);
}

TEST(GraphBehaviour, ConstantsGetNoGradientAndShapesAreChecked) {
    Graph g;
    Var c = g.constant(Matrix::Ones(2, 3));
    Var s = sum(square(c));
    EXPECT_FLOAT_EQ(s.scalar(), 6.0f);
    g.backward(s);  // nothing needs a gradient: a no-op
    EXPECT_EQ(g.grad(c).size(), 0);
    EXPECT_THROW(matmul(c, c), StateError);
    EXPECT_THROW(add(c, g.constant(Matrix::Ones(3, 2))), StateError);
    EXPECT_THROW(add_row_broadcast(c, g.constant(Matrix::Ones(1, 2))), StateError);
    EXPECT_THROW(g.backward(c), StateError);
    const std::vector<std::int32_t> bad{0, 2};
    EXPECT_THROW(gather_rows(c, bad), StateError);
    Graph other;
    EXPECT_THROW(add(c, other.constant(Matrix::Ones(2, 3))), StateError);
}

TEST(GraphBehaviour, IntermediateGradientIsExposed) {
    Parameter p("p", Matrix::Constant(1, 3, 2.0f));
    Graph g;
    Var x = g.param(p);
    Var y = square(x);
    g.backward(sum(y));
    EXPECT_FLOAT_EQ(g.grad(y)(0, 1), 1.0f);
    EXPECT_FLOAT_EQ(p.grad(0, 1), 4.0f);
}

}  // namespace
}  // namespace milk::nn
