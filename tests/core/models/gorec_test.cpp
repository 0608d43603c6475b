// GoRec: the CVAE objective's gradient matches finite differences (same noise and dropout
// for every evaluation), inference decodes new items from content only (its learning test on demo
// is in tests/core/train/baseline_learning_test.cpp: test_models does not link the trainer).
#include "core/models/gorec/gorec_model.h"
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

GoRecOptions small_options() {
    GoRecOptions o;
    o.dim = 4;
    o.uniformity_weight = 0.5;
    o.kl_weight = 2.0;
    o.dropout = 0.2;
    o.cf_epochs = 5;
    o.cf_learning_rate = 0.05;
    return o;
}

}  // namespace

TEST(GoRec, GradientMatchesFiniteDifferences) {
    Tiny t;
    GoRecModel model(small_options());
    Rng rng(1);
    model.initialize(t.td(), rng);
    std::vector<std::int32_t> users{0, 1, 2, 3, 4, 5}, pos{0, 1, 2, 3, 4, 6}, neg{5, 6, 7, 0, 1, 1};
    const Batch batch{users, pos, neg};
    auto loss_at = [&] {
        nn::Graph g;
        Rng r(5);
        return static_cast<double>(model.build_loss(g, batch, r).loss.scalar());
    };
    for (auto* p : model.parameters()) p->zero_grad();
    Rng r(5);
    const double loss = model.train_batch(batch, r).loss;
    EXPECT_NEAR(loss, loss_at(), 1e-6);
    int checked = 0;
    for (auto* p : model.parameters()) {
        const nn::Matrix analytic = p->grad;
        for (Eigen::Index k = 0; k < std::min<Eigen::Index>(p->value.size(), 8); ++k) {
            float& x = p->value.data()[k];
            const float keep = x, h = 5e-3f;
            x = keep + h;
            const double up = loss_at();
            x = keep - h;
            const double down = loss_at();
            x = keep;
            const double numeric = (up - down) / (2 * h);
            EXPECT_NEAR(analytic.data()[k], numeric, 2e-3 + 3e-2 * std::abs(numeric)) << p->name << "[" << k << "]";
            ++checked;
        }
    }
    EXPECT_GT(checked, 80);
}

TEST(GoRec, InferenceIsFromContentOnly) {
    Tiny t;
    GoRecModel model(small_options());
    Rng rng(2);
    model.initialize(t.td(), rng);
    EXPECT_EQ(model.warm().items.row(9).norm(), 0.0f);
    std::vector<std::int32_t> items{8, 9};
    const nn::Matrix z = model.item_embeddings(t.features, items);
    EXPECT_GT(z.row(9).norm(), 0.0f);
    EXPECT_EQ(z.row(0).norm(), 0.0f);  // not requested
    std::vector<FeatureMatrix> other = t.features;
    other[2].row(9).setZero();
    EXPECT_GT((model.item_embeddings(other, items).row(9) - z.row(9)).norm(), 1e-6);
    EXPECT_EQ(model.user_embeddings(), model.warm().users);
}

TEST(GoRec, IsDeterministicForASeed) {
    Tiny t;
    GoRecOptions o = small_options();
    std::vector<std::int32_t> users{0, 1, 2, 3}, pos{0, 1, 2, 0}, neg{5, 6, 7, 4};
    std::vector<std::vector<nn::Matrix>> grads(2);
    std::vector<double> losses(2);
    for (int run = 0; run < 2; ++run) {
        GoRecModel model(o);
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
