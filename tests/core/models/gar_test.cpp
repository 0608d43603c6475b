// GAR: each player's gradient matches finite differences of its own loss (and the other
// player's loss moves no parameter of it), the warm embeddings are pre-trained and
// deterministic, inference is content-only (its learning test on demo is in
// tests/core/train/baseline_learning_test.cpp: test_models does not link the trainer).
#include "core/models/gar/gar_model.h"
#include "support/tiny_dataset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

using namespace milk;

namespace {

struct Tiny {
    Dataset ds = test::tiny_dataset();
    std::vector<FeatureMatrix> features;
    Tiny() {
        for (const auto& m : ds.modalities) features.push_back(m.features);
    }
    TrainingData td() const { return TrainingData{&ds, nullptr, &features}; }
};

GarOptions small_options() {
    GarOptions o;
    o.dim = 4;
    o.hidden = 5;
    o.alpha = 0.3;
    o.beta = 0.4;
    o.cf_epochs = 5;
    o.cf_learning_rate = 0.05;
    return o;
}

}  // namespace

TEST(Gar, EachPlayersGradientMatchesFiniteDifferencesOfItsOwnLoss) {
    Tiny t;
    GarModel model(small_options());
    Rng rng(1);
    model.initialize(t.td(), rng);
    std::vector<std::int32_t> users{0, 1, 2, 3, 4, 5}, pos{0, 1, 2, 3, 4, 5}, neg{5, 6, 7, 0, 1, 1};
    const Batch batch{users, pos, neg};
    for (auto* p : model.parameters()) p->zero_grad();
    Rng r(2);
    model.train_batch(batch, r);
    int checked = 0;
    for (int player = 0; player < 2; ++player) {
        auto params = player == 0 ? model.generator_parameters() : model.recommender_parameters();
        for (auto* p : params) {
            const nn::Matrix analytic = p->grad;
            for (Eigen::Index k = 0; k < std::min<Eigen::Index>(p->value.size(), 10); ++k) {
                float& x = p->value.data()[k];
                const float keep = x, h = 5e-3f;
                x = keep + h;
                const auto up = model.losses(batch, false);
                x = keep - h;
                const auto down = model.losses(batch, false);
                x = keep;
                const double own = player == 0 ? (up.generator - down.generator) / (2 * h)
                                                : (up.recommender - down.recommender) / (2 * h);
                EXPECT_NEAR(analytic.data()[k], own, 2e-3 + 3e-2 * std::abs(own)) << p->name << "[" << k << "]";
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 60);
}

TEST(Gar, WarmEmbeddingsAreDeterministicAndInferenceIsContentOnly) {
    Tiny t;
    GarModel a(small_options()), b(small_options());
    Rng r1(9), r2(9);
    a.initialize(t.td(), r1);
    b.initialize(t.td(), r2);
    EXPECT_EQ(a.warm().users, b.warm().users);
    EXPECT_GT(a.warm().items.row(0).norm(), 0.0f);
    EXPECT_EQ(a.warm().items.row(9).norm(), 0.0f);  // a new item has no CF embedding
    std::vector<std::int32_t> items{8, 9};
    const nn::Matrix z = a.item_embeddings(t.features, items);
    EXPECT_GT(z.row(9).norm(), 0.0f);  // ... but a representation from its content
    std::vector<FeatureMatrix> other = t.features;
    other[1].row(9) *= 2.0f;
    EXPECT_GT((a.item_embeddings(other, items).row(9) - z.row(9)).norm(), 1e-6);
    EXPECT_EQ(a.item_embeddings(other, items).row(8), z.row(8));
}

TEST(Gar, IsDeterministicForASeed) {
    Tiny t;
    GarOptions o = small_options();
    std::vector<std::int32_t> users{0, 1, 2, 3}, pos{0, 1, 2, 0}, neg{5, 6, 7, 4};
    std::vector<std::vector<nn::Matrix>> grads(2);
    std::vector<double> losses(2);
    for (int run = 0; run < 2; ++run) {
        GarModel model(o);
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
