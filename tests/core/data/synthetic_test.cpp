// The synthetic presets: their sizes, determinism, the paper's new-item split, and that
// the planted structure is real (content predicts preference; losing a modality hurts).
#include "core/data/synthetic.h"
#include "core/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

namespace milk {
namespace {

std::int64_t total_interactions(const Dataset& d) {
    return d.train.size() + d.validation.size() + d.test.size();
}

bool same_bytes(const Dataset& a, const Dataset& b) {
    if (a.train.items != b.train.items || a.train.offsets != b.train.offsets) return false;
    if (a.validation.items != b.validation.items || a.test.items != b.test.items) return false;
    if (a.roles != b.roles || a.modalities.size() != b.modalities.size()) return false;
    for (std::size_t m = 0; m < a.modalities.size(); ++m) {
        const auto& x = a.modalities[m].features;
        const auto& y = b.modalities[m].features;
        if (x.rows() != y.rows() || x.cols() != y.cols()) return false;
        if (std::memcmp(x.data(), y.data(), sizeof(float) * static_cast<std::size_t>(x.size())) != 0) return false;
        if (a.modalities[m].present != b.modalities[m].present) return false;
    }
    return true;
}

struct ProfileScore {
    double recall = 0;         // mean Recall@K over users with train and test items
    double random_recall = 0;  // its expectation for a random ranking of the same candidates
};

// Content-only user-profile scorer: each modality's rows centred and L2-normalised, the
// modalities concatenated (a dropped modality contributes zeros), the user profile is the
// mean of their train items' vectors, and every item outside the user's train set is
// ranked by cosine to it. Targets are the user's test (new) items.
ProfileScore profile_scorer(const Dataset& d, int dropped_modality, int K = 20) {
    int width = 0;
    for (const auto& t : d.modalities) width += t.dim();
    Eigen::MatrixXf F = Eigen::MatrixXf::Zero(d.n_items, width);
    int col = 0;
    for (int m = 0; m < d.n_modalities(); ++m) {
        const auto& t = d.modalities[static_cast<std::size_t>(m)];
        if (m != dropped_modality) {
            Eigen::MatrixXf f = t.features;
            const Eigen::RowVectorXf mean = f.colwise().mean();
            f.rowwise() -= mean;
            for (Eigen::Index j = 0; j < f.rows(); ++j) {
                const float n = f.row(j).norm();
                if (n > 0) f.row(j) /= n;
            }
            F.middleCols(col, t.dim()) = f;
        }
        col += t.dim();
    }
    Eigen::VectorXf item_norm = F.rowwise().norm();
    ProfileScore out;
    int users = 0;
    std::vector<std::pair<float, int>> ranked;
    for (int u = 0; u < d.n_users; ++u) {
        auto train = d.train.of(u);
        auto test = d.test.of(u);
        if (train.empty() || test.empty()) continue;
        Eigen::RowVectorXf profile = Eigen::RowVectorXf::Zero(width);
        for (auto j : train) profile += F.row(j);
        const Eigen::VectorXf scores = F * profile.transpose();
        ranked.clear();
        for (int j = 0; j < d.n_items; ++j) {
            if (std::binary_search(train.begin(), train.end(), j)) continue;
            ranked.emplace_back(-scores(j) / (item_norm(j) + 1e-12f), j);
        }
        const int k = std::min<int>(K, static_cast<int>(ranked.size()));
        std::partial_sort(ranked.begin(), ranked.begin() + k, ranked.end());
        int hits = 0;
        for (int r = 0; r < k; ++r)
            if (std::binary_search(test.begin(), test.end(), ranked[static_cast<std::size_t>(r)].second)) ++hits;
        out.recall += static_cast<double>(hits) / static_cast<double>(test.size());
        out.random_recall += static_cast<double>(k) / static_cast<double>(ranked.size());
        ++users;
    }
    EXPECT_GT(users, 0);
    out.recall /= users;
    out.random_recall /= users;
    return out;
}

const Dataset& demo() {
    static const Dataset d = generate_synthetic(synthetic_preset("demo"));
    return d;
}

TEST(SyntheticPreset, DemoHasItsSizes) {
    const Dataset& d = demo();
    EXPECT_EQ(d.name, "demo");
    EXPECT_EQ(d.source, "preset:demo");
    EXPECT_EQ(d.n_users, 1000);
    EXPECT_EQ(d.n_items, 600);
    EXPECT_NEAR(static_cast<double>(total_interactions(d)), 10000.0, 1500.0);
    ASSERT_EQ(d.n_modalities(), 2);
    EXPECT_EQ(d.modalities[0].name, "image");
    EXPECT_EQ(d.modalities[0].dim(), 128);
    EXPECT_EQ(d.modalities[1].name, "text");
    EXPECT_EQ(d.modalities[1].dim(), 64);
    for (const auto& t : d.modalities) {
        EXPECT_EQ(t.features.rows(), 600);
        EXPECT_TRUE(t.features.allFinite());
        EXPECT_EQ(std::count(t.present.begin(), t.present.end(), 1), 600);
        EXPECT_DOUBLE_EQ(t.missing_rate(), 0.0);
    }
    EXPECT_NO_THROW(d.validate());
}

TEST(SyntheticPreset, TiktokLikeHasThreeModalitiesAtTiktokScale) {
    const Dataset d = generate_synthetic(synthetic_preset("tiktok-like"));
    EXPECT_EQ(d.n_users, 9300);
    EXPECT_EQ(d.n_items, 6700);
    EXPECT_NEAR(static_cast<double>(total_interactions(d)), 70000.0, 7000.0);
    ASSERT_EQ(d.n_modalities(), 3);
    EXPECT_EQ(d.modalities[0].name, "image");
    EXPECT_EQ(d.modalities[0].dim(), 128);
    EXPECT_EQ(d.modalities[1].name, "text");
    EXPECT_EQ(d.modalities[1].dim(), 768);
    EXPECT_EQ(d.modalities[2].name, "audio");
    EXPECT_EQ(d.modalities[2].dim(), 128);
    EXPECT_EQ(d.items_with_role(ItemRole::ValidationNew).size(), 670u);
    EXPECT_EQ(d.items_with_role(ItemRole::TestNew).size(), 670u);
    EXPECT_NO_THROW(d.validate());
}

TEST(SyntheticPreset, BabyLikeSpecMatchesAmazonBabyScale) {
    const SyntheticSpec s = synthetic_preset("baby-like");
    EXPECT_EQ(s.n_users, 19445);
    EXPECT_EQ(s.n_items, 7050);
    EXPECT_NEAR(s.interactions_per_user * s.n_users, 160000.0, 1.0);
    ASSERT_EQ(s.modality_names, (std::vector<std::string>{"image", "text"}));
    EXPECT_EQ(s.modality_dims, (std::vector<int>{4096, 384}));
    EXPECT_NO_THROW(validate_spec(s));
}

TEST(SyntheticPreset, BabyLikeGeneratesAtScale) {
    const Dataset d = generate_synthetic(synthetic_preset("baby-like"));
    EXPECT_EQ(d.n_users, 19445);
    EXPECT_EQ(d.n_items, 7050);
    EXPECT_NEAR(static_cast<double>(total_interactions(d)), 160000.0, 16000.0);
    EXPECT_EQ(d.modalities[0].features.cols(), 4096);
    EXPECT_EQ(d.modalities[1].features.cols(), 384);
    EXPECT_EQ(d.items_with_role(ItemRole::ValidationNew).size(), 705u);  // paper Table 1
    EXPECT_EQ(d.items_with_role(ItemRole::TestNew).size(), 705u);
    EXPECT_NO_THROW(d.validate());
}

TEST(SyntheticPreset, UnknownNameIsAConfigErrorListingTheValidNames) {
    try {
        synthetic_preset("amazon");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("amazon"), std::string::npos) << what;
        for (const auto& name : synthetic_preset_names()) EXPECT_NE(what.find(name), std::string::npos) << what;
    }
}

TEST(SyntheticSpecCheck, RejectsInconsistentFields) {
    SyntheticSpec s = synthetic_preset("demo");
    s.modality_dims = {128};
    EXPECT_THROW(validate_spec(s), ConfigError);
    EXPECT_THROW(generate_synthetic(s), ConfigError);
    s = synthetic_preset("demo");
    s.new_item_fraction = 1.0;
    EXPECT_THROW(validate_spec(s), ConfigError);
    s = synthetic_preset("demo");
    s.temperature = 0.0;
    EXPECT_THROW(validate_spec(s), ConfigError);
    s = synthetic_preset("demo");
    s.modality_names = {"image", "image"};
    EXPECT_THROW(validate_spec(s), ConfigError);
}

TEST(SyntheticGeneration, SameSeedSameBytesOtherSeedDiffers) {
    const Dataset again = generate_synthetic(synthetic_preset("demo"));
    EXPECT_TRUE(same_bytes(demo(), again));
    EXPECT_EQ(demo().fingerprint(), again.fingerprint());

    SyntheticSpec other = synthetic_preset("demo");
    other.seed = 7;
    const Dataset different = generate_synthetic(other);
    EXPECT_FALSE(same_bytes(demo(), different));
    EXPECT_NE(demo().fingerprint(), different.fingerprint());
    EXPECT_NE(demo().train.items, different.train.items);
    EXPECT_NE(demo().roles, different.roles);
}

TEST(SyntheticGeneration, NewItemSplitFollowsThePaper) {
    const Dataset& d = demo();
    const auto validation = d.items_with_role(ItemRole::ValidationNew);
    const auto test = d.items_with_role(ItemRole::TestNew);
    EXPECT_EQ(validation.size(), 60u);  // 20% of 600, half and half
    EXPECT_EQ(test.size(), 60u);
    EXPECT_EQ(d.items_with_role(ItemRole::Warm).size(), 480u);
    // New items are scattered over the id range, not a block.
    EXPECT_LT(*std::min_element(test.begin(), test.end()), 100);
    EXPECT_GT(*std::max_element(test.begin(), test.end()), 500);
    for (auto j : d.train.items) EXPECT_EQ(d.roles[static_cast<std::size_t>(j)], ItemRole::Warm);
    for (auto j : d.validation.items) EXPECT_EQ(d.roles[static_cast<std::size_t>(j)], ItemRole::ValidationNew);
    for (auto j : d.test.items) EXPECT_EQ(d.roles[static_cast<std::size_t>(j)], ItemRole::TestNew);
    // About 20% of interactions belong to new items (popularity varies, so loosely).
    const double new_share = static_cast<double>(d.validation.size() + d.test.size()) /
                             static_cast<double>(total_interactions(d));
    EXPECT_GT(new_share, 0.10);
    EXPECT_LT(new_share, 0.32);
    EXPECT_GT(d.validation.n_users_with_items(), 300);
    EXPECT_GT(d.test.n_users_with_items(), 300);
}

TEST(SyntheticGeneration, EachUsersItemsAreUniqueAndCountsVary) {
    const Dataset& d = demo();
    std::vector<int> counts;
    for (int u = 0; u < d.n_users; ++u) {
        std::vector<std::int32_t> all;
        for (const Interactions* x : {&d.train, &d.validation, &d.test}) {
            auto items = x->of(u);
            EXPECT_TRUE(std::is_sorted(items.begin(), items.end()));
            all.insert(all.end(), items.begin(), items.end());
        }
        std::sort(all.begin(), all.end());
        EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "user " << u << " has a repeated item";
        counts.push_back(static_cast<int>(all.size()));
    }
    EXPECT_GE(*std::min_element(counts.begin(), counts.end()), 2);
    EXPECT_GE(*std::max_element(counts.begin(), counts.end()), 25);
    const double mean = std::accumulate(counts.begin(), counts.end(), 0.0) / counts.size();
    double var = 0;
    for (int c : counts) var += (c - mean) * (c - mean);
    EXPECT_GT(std::sqrt(var / counts.size()), 3.0);
}

double top_decile_share(const Dataset& d) {
    std::vector<long> count(static_cast<std::size_t>(d.n_items), 0);
    for (const Interactions* x : {&d.train, &d.validation, &d.test})
        for (auto j : x->items) ++count[static_cast<std::size_t>(j)];
    std::sort(count.rbegin(), count.rend());
    const long total = std::accumulate(count.begin(), count.end(), 0L);
    const long top = std::accumulate(count.begin(), count.begin() + d.n_items / 10, 0L);
    return static_cast<double>(top) / static_cast<double>(total);
}

TEST(SyntheticGeneration, PopularityIsSkewed) {
    const double skewed = top_decile_share(demo());
    SyntheticSpec flat = synthetic_preset("demo");
    flat.popularity_skew = 0.0;
    const double unskewed = top_decile_share(generate_synthetic(flat));
    EXPECT_GT(skewed, 0.25);  // uniform popularity would give 0.10
    EXPECT_GT(skewed, unskewed + 0.05);
}

TEST(SyntheticStructure, ContentPredictsPreferenceOnNewItems) {
    const ProfileScore full = profile_scorer(demo(), -1);
    EXPECT_NEAR(full.random_recall, 20.0 / 590.0, 0.005);
    EXPECT_GT(full.recall, 5.0 * full.random_recall);
    // Room for learning: content alone is far from perfect.
    EXPECT_GT(full.recall, 0.2);
    EXPECT_LT(full.recall, 0.6);
}

TEST(SyntheticStructure, LosingEitherModalityHurts) {
    const ProfileScore full = profile_scorer(demo(), -1);
    const ProfileScore no_image = profile_scorer(demo(), 0);
    const ProfileScore no_text = profile_scorer(demo(), 1);
    EXPECT_LT(no_image.recall, full.recall - 0.02);
    EXPECT_LT(no_text.recall, full.recall - 0.02);
    EXPECT_LT(no_image.recall, no_text.recall);  // image is the less noisy modality
    EXPECT_GT(no_text.recall, 3.0 * full.random_recall);
}

TEST(SyntheticStructure, ShuffledFeaturesCarryNoSignal) {
    // Control for the scorer: the same features assigned to the wrong items predict nothing.
    Dataset d = demo();
    std::vector<int> perm(static_cast<std::size_t>(d.n_items));
    std::iota(perm.begin(), perm.end(), 0);
    std::mt19937_64 rng(11);
    std::shuffle(perm.begin(), perm.end(), rng);
    for (auto& t : d.modalities) {
        FeatureMatrix shuffled(t.features.rows(), t.features.cols());
        for (int j = 0; j < d.n_items; ++j) shuffled.row(j) = t.features.row(perm[static_cast<std::size_t>(j)]);
        t.features = shuffled;
    }
    const ProfileScore s = profile_scorer(d, -1);
    EXPECT_LT(s.recall, 2.0 * s.random_recall);
}

TEST(SyntheticGeneration, NaturalMissingRateBlanksRows) {
    SyntheticSpec s = synthetic_preset("demo");
    s.natural_missing_rate = 0.3;
    const Dataset d = generate_synthetic(s);
    for (const auto& t : d.modalities) {
        EXPECT_NEAR(t.missing_rate(), 0.3 * (1 - 0.3 * 0.5), 0.06) << t.name;
        for (int j = 0; j < d.n_items; ++j)
            if (!t.present[static_cast<std::size_t>(j)]) EXPECT_EQ(t.features.row(j).squaredNorm(), 0.0f);
            else EXPECT_GT(t.features.row(j).squaredNorm(), 0.0f);
    }
    for (int j = 0; j < d.n_items; ++j)
        EXPECT_TRUE(d.modalities[0].present[static_cast<std::size_t>(j)] || d.modalities[1].present[static_cast<std::size_t>(j)])
            << "item " << j << " lost every modality";
    // Interactions do not depend on missingness.
    EXPECT_EQ(d.train.items, demo().train.items);
}

}  // namespace
}  // namespace milk
