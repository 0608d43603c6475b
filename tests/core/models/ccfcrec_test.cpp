// CCFCRec: the objective's gradient matches finite differences (same sampled users and
// items for every evaluation) and inference is from content only (its learning test on demo is in
// tests/core/train/baseline_learning_test.cpp: test_models does not link the trainer).
#include "core/models/ccfcrec/ccfcrec_model.h"
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

CcfcRecOptions small_options() {
    CcfcRecOptions o;
    o.dim = 4;
    o.attr_dim = 3;
    o.hidden = 5;
    o.tau = 0.5;
    o.lambda = 0.6;
    o.positives = 2;
    o.negatives = 3;
    return o;
}

}  // namespace

TEST(CcfcRec, GradientMatchesFiniteDifferences) {
    Tiny t;
    CcfcRecModel model(small_options());
    Rng rng(1);
    model.initialize(t.td(), rng);
    // At initialisation q^c is near zero, where its normalisation curves too sharply for
    // finite differences: move it away from zero with the output bias.
    model.parameters().back()->value.setConstant(0.8f);
    // tiny: user u likes item j when (u + j) % 3 == 0
    std::vector<std::int32_t> users{0, 1, 2, 3, 4, 5}, pos{0, 2, 1, 0, 2, 1}, neg{1, 3, 3, 1, 3, 2};
    const Batch batch{users, pos, neg};
    auto loss_at = [&] {
        nn::Graph g;
        Rng r(5);
        return static_cast<double>(model.build_loss(g, batch, r).loss.scalar());
    };
    for (auto* p : model.parameters()) p->zero_grad();
    Rng r(5);
    EXPECT_NEAR(model.train_batch(batch, r).loss, loss_at(), 1e-6);
    int checked = 0, nonzero = 0;
    for (auto* p : model.parameters()) {
        const nn::Matrix analytic = p->grad;
        for (Eigen::Index k = 0; k < std::min<Eigen::Index>(p->value.size(), 10); ++k) {
            float& x = p->value.data()[k];
            const float keep = x, h = 1e-3f;
            x = keep + h;
            const double up = loss_at();
            x = keep - h;
            const double down = loss_at();
            x = keep;
            const double numeric = (up - down) / (2 * h);
            EXPECT_NEAR(analytic.data()[k], numeric, 2e-3 + 3e-2 * std::abs(numeric)) << p->name << "[" << k << "]";
            ++checked;
            nonzero += std::abs(numeric) > 1e-4;
        }
    }
    EXPECT_GT(checked, 60);
    EXPECT_GT(nonzero, 30);
}

TEST(CcfcRec, InferenceIsFromContentOnly) {
    Tiny t;
    CcfcRecModel model(small_options());
    Rng rng(2);
    model.initialize(t.td(), rng);
    std::vector<std::int32_t> items{8, 9};
    const nn::Matrix z = model.item_embeddings(t.features, items);
    EXPECT_GT(z.row(9).norm(), 0.0f);
    std::vector<FeatureMatrix> other = t.features;
    other[0].row(9) *= -1.0f;
    EXPECT_GT((model.item_embeddings(other, items).row(9) - z.row(9)).norm(), 1e-6);
}

TEST(CcfcRec, IsDeterministicForASeed) {
    Tiny t;
    CcfcRecOptions o = small_options();
    std::vector<std::int32_t> users{0, 1, 2, 3}, pos{0, 1, 2, 0}, neg{5, 6, 7, 4};
    std::vector<std::vector<nn::Matrix>> grads(2);
    std::vector<double> losses(2);
    for (int run = 0; run < 2; ++run) {
        CcfcRecModel model(o);
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
