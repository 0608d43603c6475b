// The ops the baselines add through Graph::record (row softmax, A B^T, softmax cross
// entropy) against central finite differences, and the batch/feature helpers by hand.
#include "core/models/common/model_parts.h"
#include "core/nn/graph.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

using namespace milk;

namespace {

nn::Matrix random_matrix(int r, int c, std::uint64_t seed, float scale = 1.0f) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> n(0, scale);
    nn::Matrix m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = n(rng);
    return m;
}

// f = sum(out .* W) for fixed W; analytic vs central differences (in double) for each parameter entry.
void check(std::vector<nn::Parameter*> params, const std::function<nn::Var(nn::Graph&, std::vector<nn::Var>&)>& build) {
    nn::Matrix weights;
    auto f = [&](bool backward) {
        nn::Graph g;
        std::vector<nn::Var> in;
        for (auto* p : params) in.push_back(g.param(*p));
        nn::Var out = build(g, in);
        if (weights.size() == 0) weights = random_matrix(static_cast<int>(out.rows()), static_cast<int>(out.cols()), 99);
        nn::Var loss = nn::sum(nn::mul(out, g.constant(weights)));
        if (backward) g.backward(loss);
        return static_cast<double>(loss.scalar());
    };
    for (auto* p : params) p->zero_grad();
    f(true);
    for (auto* p : params)
        for (Eigen::Index k = 0; k < p->value.size(); ++k) {
            float& x = p->value.data()[k];
            const float keep = x, h = 1e-2f;
            x = keep + h;
            const double up = f(false);
            x = keep - h;
            const double down = f(false);
            x = keep;
            const double numeric = (up - down) / (2 * h);
            EXPECT_NEAR(p->grad.data()[k], numeric, 2e-3 + 2e-2 * std::abs(numeric)) << p->name << "[" << k << "]";
        }
}

}  // namespace

TEST(ModelParts, RowSoftmaxGradient) {
    nn::Parameter a("a", random_matrix(4, 5, 1, 2.0f));
    check({&a}, [](nn::Graph&, std::vector<nn::Var>& in) { return row_softmax(in[0]); });
    nn::Graph g;
    const nn::Matrix& y = g.value(row_softmax(g.constant(random_matrix(3, 4, 2, 50.0f))));
    for (Eigen::Index r = 0; r < 3; ++r) EXPECT_NEAR(y.row(r).sum(), 1.0f, 1e-5);
}

TEST(ModelParts, MatmulTransposedGradientAndValue) {
    nn::Parameter a("a", random_matrix(3, 4, 3)), b("b", random_matrix(5, 4, 4));
    check({&a, &b}, [](nn::Graph&, std::vector<nn::Var>& in) { return matmul_transposed(in[0], in[1]); });
    nn::Graph g;
    EXPECT_TRUE(g.value(matmul_transposed(g.constant(a.value), g.constant(b.value))).isApprox(a.value * b.value.transpose()));
}

TEST(ModelParts, SoftmaxCrossEntropyGradientAndValue) {
    nn::Parameter a("a", random_matrix(4, 6, 5, 3.0f));
    const std::vector<std::int32_t> target{0, 3, 5, 3};
    check({&a}, [&](nn::Graph&, std::vector<nn::Var>& in) { return softmax_cross_entropy(in[0], target); });
    // by hand: two rows, uniform logits -> log(k); a dominant target -> ~0
    nn::Matrix x(2, 3);
    x << 0, 0, 0, 0, 40, 0;
    nn::Graph g;
    const std::vector<std::int32_t> t{2, 1};
    EXPECT_NEAR(softmax_cross_entropy(g.constant(x), t).scalar(), std::log(3.0) / 2, 1e-5);
}

TEST(ModelParts, DenseLayerGraphMatchesPlainMatrices) {
    Rng rng(3);
    DenseLayer layer;
    layer.init("l", 5, 3, Activation::Tanh, rng);
    layer.b.value.setConstant(0.3f);
    const nn::Matrix x = random_matrix(4, 5, 8);
    nn::Graph g;
    EXPECT_TRUE(g.value(layer(g.constant(x))).isApprox(layer.apply(x), 1e-5f));
    check({&layer.w, &layer.b}, [&](nn::Graph& gr, std::vector<nn::Var>&) { return layer(gr.constant(x)); });
}

TEST(ModelParts, BatchItemsSlotsEachDistinctItemOnce) {
    const std::vector<std::int32_t> users{0, 1, 2}, pos{7, 3, 7}, neg{3, 9, 1};
    const BatchItems b = batch_items(Batch{users, pos, neg});
    EXPECT_EQ(b.items, (std::vector<std::int32_t>{7, 3, 9, 1}));
    EXPECT_EQ(b.pos, (std::vector<std::int32_t>{0, 1, 0}));
    EXPECT_EQ(b.neg, (std::vector<std::int32_t>{1, 2, 3}));
    EXPECT_EQ(b.is_positive, (std::vector<std::uint8_t>{1, 1, 0, 0}));
    std::vector<FeatureMatrix> f{FeatureMatrix::Constant(10, 2, 1.0f), FeatureMatrix::Constant(10, 1, 2.0f)};
    f[0](9, 1) = 5;
    const nn::Matrix c = concatenated_features(f, b.items);
    ASSERT_EQ(c.cols(), 3);
    EXPECT_EQ(c(2, 1), 5);
    EXPECT_EQ(c(0, 2), 2);
    const nn::Matrix s = scatter_rows(c, b.items, 10);
    EXPECT_EQ(s(9, 1), 5);
    EXPECT_EQ(s.row(0).squaredNorm(), 0);
}
