// MICRO: the kNN graph has the paper's shape, the loss's gradient matches central finite
// differences (any number of modalities, one and two graph layers), inference gives the
// representations training used (its learning test on demo is in
// tests/core/train/baseline_learning_test.cpp: test_models does not link the trainer).
#include "core/models/micro/item_knn_graph.h"
#include "core/models/micro/micro_model.h"
#include "support/tiny_dataset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numeric>

using namespace milk;

namespace {

struct Tiny {
    Dataset ds;
    std::vector<FeatureMatrix> features;
    explicit Tiny(std::vector<int> dims = {5, 4, 3}) : ds(test::tiny_dataset(6, 10, std::move(dims))) {
        for (const auto& m : ds.modalities) features.push_back(m.features);
    }
    TrainingData td() const { return TrainingData{&ds, nullptr, &features}; }
};

double loss_of(MicroModel& model, const Batch& batch) {
    nn::Graph g;
    return model.build_loss(g, batch).loss.scalar();
}

void expect_gradients_match(MicroModel& model, const Batch& batch) {
    for (auto* p : model.parameters()) p->zero_grad();
    Rng rng(3);
    model.train_batch(batch, rng);
    std::vector<nn::Matrix> analytic;
    for (auto* p : model.parameters()) analytic.push_back(p->grad);
    auto params = model.parameters();
    int checked = 0;
    for (std::size_t i = 0; i < params.size(); ++i)
        for (Eigen::Index k = 0; k < std::min<Eigen::Index>(params[i]->value.size(), 16); ++k) {
            float& x = params[i]->value.data()[k];
            const float keep = x, h = 5e-3f;
            x = keep + h;
            const double up = loss_of(model, batch);
            x = keep - h;
            const double down = loss_of(model, batch);
            x = keep;
            const double numeric = (up - down) / (2 * h);
            EXPECT_NEAR(analytic[i].data()[k], numeric, 2e-3 + 3e-2 * std::abs(numeric))
                << params[i]->name << "[" << k << "]";
            ++checked;
        }
    EXPECT_GT(checked, 40);
}

}  // namespace

TEST(MicroGraph, KeepsTopKWithSelfAndSymmetricNormalisation) {
    FeatureMatrix x(4, 2);
    x << 1, 0,  //
        0.9f, 0.1f,  //
        0, 1,  //
        -1, 0;
    const nn::SparseRows g = build_item_knn_graph(x, 2);
    ASSERT_EQ(g.rows(), 4);
    ASSERT_EQ(g.offsets.back(), 8);
    // Row 0: itself (cos 1) and item 1; weights s_ij / sqrt(d_i d_j).
    EXPECT_EQ(g.cols[0], 0);
    EXPECT_EQ(g.cols[1], 1);
    const double c01 = 0.9 / std::sqrt(0.81 + 0.01);
    const double d0 = 1 + c01, d1 = 1 + c01;
    EXPECT_NEAR(g.values[0], 1.0 / d0, 1e-5);
    EXPECT_NEAR(g.values[1], c01 / std::sqrt(d0 * d1), 1e-5);
    // Row 3 (opposite of item 0): itself, then a clamped non-positive similarity.
    EXPECT_EQ(g.cols[6], 3);
    EXPECT_GE(g.values[7], 0.0f);
}

TEST(Micro, GradientMatchesFiniteDifferences) {
    for (int layers : {1, 2}) {
        for (std::vector<int> dims : {std::vector<int>{5, 4, 3}, std::vector<int>{6}}) {
            SCOPED_TRACE("layers " + std::to_string(layers) + ", modalities " + std::to_string(dims.size()));
            Tiny t(dims);
            MicroOptions o;
            o.dim = 4;
            o.knn_k = 3;
            o.layers = layers;
            o.contrast_weight = 0.7;  // large enough for the contrastive term to matter
            o.temperature = 0.5;
            MicroModel model(o);
            Rng rng(1);
            model.initialize(t.td(), rng);
            std::vector<std::int32_t> users{0, 1, 2, 3, 4, 5}, pos{0, 1, 2, 3, 4, 3}, neg{5, 6, 7, 0, 9, 8};
            expect_gradients_match(model, Batch{users, pos, neg});
        }
    }
}

TEST(Micro, ContrastiveTermHasAGradientOfItsOwn) {
    Tiny t;
    MicroOptions with;
    with.dim = 4;
    with.knn_k = 3;
    with.contrast_weight = 1.0;
    MicroOptions without = with;
    without.contrast_weight = 0.0;
    MicroModel a(with), b(without);
    Rng r1(1), r2(1);
    a.initialize(t.td(), r1);
    b.initialize(t.td(), r2);
    std::vector<std::int32_t> users{0, 1, 2}, pos{0, 1, 2}, neg{5, 6, 7};
    Rng r(2);
    a.train_batch(Batch{users, pos, neg}, r);
    b.train_batch(Batch{users, pos, neg}, r);
    // The fusion query only gets a gradient through the fused view; the contrast changes it.
    EXPECT_GT((a.parameters()[5]->grad - b.parameters()[5]->grad).norm(), 1e-6);
}

TEST(Micro, InferenceGivesTheRepresentationsTrainingUsed) {
    Tiny t;
    MicroOptions o;
    o.dim = 5;
    o.knn_k = 4;
    o.layers = 2;
    MicroModel model(o);
    Rng rng(4);
    model.initialize(t.td(), rng);
    std::vector<std::int32_t> users{0, 1, 2, 3}, pos{0, 1, 2, 8}, neg{9, 6, 7, 0};
    nn::Graph g;
    const auto terms = model.build_loss(g, Batch{users, pos, neg});
    std::vector<std::int32_t> all(10);
    std::iota(all.begin(), all.end(), 0);
    const nn::Matrix z = model.item_embeddings(t.features, all);
    for (std::size_t r = 0; r < terms.items.size(); ++r)
        EXPECT_LT((terms.z.value().row(static_cast<Eigen::Index>(r)) - z.row(terms.items[r])).cwiseAbs().maxCoeff(), 1e-4)
            << "item " << terms.items[r];
    // Other features give other graphs: a copy with one item's features changed.
    std::vector<FeatureMatrix> changed = t.features;
    changed[0].row(9) *= -3.0f;
    const nn::Matrix z2 = model.item_embeddings(changed, all);
    EXPECT_GT((z2.row(9) - z.row(9)).norm(), 1e-4);
}

TEST(Micro, IsDeterministicForASeed) {
    Tiny t;
    MicroOptions o;
    o.dim = 4;
    o.knn_k = 3;
    std::vector<std::int32_t> users{0, 1, 2, 3}, pos{0, 1, 2, 0}, neg{5, 6, 7, 4};
    std::vector<std::vector<nn::Matrix>> grads(2);
    std::vector<double> losses(2);
    for (int run = 0; run < 2; ++run) {
        MicroModel model(o);
        Rng rng(11);
        model.initialize(t.td(), rng);
        for (auto* p : model.parameters()) p->zero_grad();
        losses[run] = model.train_batch(Batch{users, pos, neg}, rng).loss;
        for (auto* p : model.parameters()) grads[run].push_back(p->grad);
    }
    EXPECT_EQ(losses[0], losses[1]);
    ASSERT_EQ(grads[0].size(), grads[1].size());
    for (std::size_t i = 0; i < grads[0].size(); ++i) EXPECT_EQ(grads[0][i], grads[1][i]) << i;
}
