// The item inspector's numbers against hand computations on the tiny dataset.
#include "core/error.h"
#include "core/models/item_scores.h"
#include "core/models/milk/milk_model.h"
#include "support/tiny_dataset.h"

#include <gtest/gtest.h>

using namespace milk;

namespace {
struct Fixture {
    Dataset ds = test::tiny_dataset(6, 10, {5, 4, 3});
    std::vector<FeatureMatrix> features;
    MilkModel model{[] {
        MilkOptions o;
        o.dim = 4;
        o.user_init_std = 0.5;
        return o;
    }()};
    std::vector<std::int32_t> candidates{2, 5, 8, 9};
    Fixture() {
        for (const auto& m : ds.modalities) features.push_back(m.features);
        Rng rng(3);
        model.initialize(TrainingData{&ds, nullptr, &features}, rng);
        // Non-zero biases so G_m is affine, as in a trained model.
        for (auto* p : model.parameters()) p->value = p->value.unaryExpr([&](float v) { return v == 0 ? 0.1f : v; });
    }
    // <u, sum_m theta_m (W_m x^m_j + b_m)> written out.
    double by_hand(int user, std::int32_t item, const std::vector<float>& theta) {
        const auto params = model.parameters();  // user, W_0..W_2, b_0..b_2
        const int M = model.n_modalities();
        double s = 0;
        for (int m = 0; m < M; ++m) {
            const auto& W = params[1 + m]->value;
            const auto& b = params[1 + M + m]->value;
            for (int k = 0; k < W.cols(); ++k) {
                double c = b(0, k);
                for (int r = 0; r < W.rows(); ++r) c += features[m](item, r) * W(r, k);
                s += theta[m] * params[0]->value(user, k) * c;
            }
        }
        return s;
    }
};
}  // namespace

TEST(ItemScores, RankFollowsTheEvaluationTieRule) {
    const std::vector<std::int32_t> items{4, 7, 1, 9};
    const std::vector<float> scores{0.5f, 0.9f, 0.5f, 0.1f};
    EXPECT_EQ(rank_among(scores, items, 7), 1);
    EXPECT_EQ(rank_among(scores, items, 1), 2);  // ties: lower id first
    EXPECT_EQ(rank_among(scores, items, 4), 3);
    EXPECT_EQ(rank_among(scores, items, 9), 4);
    EXPECT_THROW(rank_among(scores, items, 3), ConfigError);
}

TEST(ItemScores, EnvironmentScoresMatchHandComputation) {
    Fixture f;
    const std::vector<std::vector<float>> envs{{1.f / 3, 1.f / 3, 1.f / 3}, {0.7f, 0.2f, 0.1f}, {0.1f, 0.7f, 0.2f}, {0.2f, 0.1f, 0.7f}};
    for (int user : {0, 3})
        for (std::int32_t item : f.candidates) {
            const auto scores = environment_item_scores(f.model, f.features, user, item, f.candidates, envs);
            ASSERT_EQ(scores.size(), envs.size());
            for (std::size_t e = 0; e < envs.size(); ++e) {
                EXPECT_EQ(scores[e].label, "e=" + std::to_string(e));
                EXPECT_NEAR(scores[e].score, f.by_hand(user, item, envs[e]), 1e-4);
                // The rank is 1 + the candidates with a higher hand-computed score.
                int rank = 1;
                for (std::int32_t other : f.candidates)
                    if (f.by_hand(user, other, envs[e]) > f.by_hand(user, item, envs[e]) + 1e-6) ++rank;
                EXPECT_EQ(scores[e].rank, rank) << "user " << user << " item " << item << " env " << e;
            }
        }
}

TEST(ItemScores, EqualWeightsEnvironmentIsTheInferenceScore) {
    Fixture f;
    int first = -1;
    const auto envs = environments_to_inspect(f.model, first);  // untrained: e=0 alone
    ASSERT_EQ(envs.size(), 1u);
    EXPECT_EQ(first, 0);
    for (std::int32_t item : f.candidates) {
        const ItemScore inference = inference_item_score(f.model, f.features, 2, item, f.candidates);
        const auto e0 = environment_item_scores(f.model, f.features, 2, item, f.candidates, envs);
        EXPECT_NEAR(inference.score, e0[0].score, 1e-5);
        EXPECT_EQ(inference.rank, e0[0].rank);
        EXPECT_TRUE(inference.weights.empty());
    }
    EXPECT_THROW(inference_item_score(f.model, f.features, 99, 2, f.candidates), ConfigError);
}

TEST(ItemScores, LastBatchEnvironmentsAreInspected) {
    Fixture f;
    std::vector<std::int32_t> users{0, 1, 2}, pos{0, 3, 6}, neg{1, 4, 7};
    Rng rng(5);
    f.model.train_batch(Batch{users, pos, neg}, rng);
    int first = -1;
    const auto envs = environments_to_inspect(f.model, first);
    EXPECT_EQ(first, 0);
    ASSERT_EQ(envs.size(), 4u);  // e=0 + M cyclic shifts
    EXPECT_EQ(envs, f.model.last_environments());
    const auto scores = environment_item_scores(f.model, f.features, 1, 8, f.candidates, envs, first);
    EXPECT_EQ(scores.back().label, "e=3");
    EXPECT_NEAR(scores[2].score, f.by_hand(1, 8, envs[2]), 1e-4);
}
