#include "core/error.h"
#include "core/scenario/imputer.h"
#include "scenario_fixture.h"

#include <gtest/gtest.h>

#include <random>

using namespace milk;
using milk::test::make_dataset;

namespace {

// 4 items: 0, 1, 2 warm, 3 test. image is 2-d, text 1-d.
Dataset four_items() {
    Dataset ds = make_dataset(3, 0, 1, {2, 1});
    ds.roles = {ItemRole::Warm, ItemRole::Warm, ItemRole::Warm, ItemRole::TestNew};
    ds.modalities[0].features << 1, 2,  //
        10, 20,                         //
        3, 6,                           //
        5, 5;
    ds.modalities[1].features << 4, 7, 1, 9;
    return ds;
}

AvailabilityMask mask_of(int n_items, int n_modalities, std::vector<std::uint8_t> a) {
    AvailabilityMask m;
    m.n_items = n_items;
    m.n_modalities = n_modalities;
    m.a = std::move(a);
    return m;
}

}  // namespace

TEST(Imputer, ParseAndName) {
    EXPECT_EQ(parse_imputer("mean"), ImputerKind::Mean);
    EXPECT_EQ(parse_imputer("Zero"), ImputerKind::Zero);
    EXPECT_EQ(parse_imputer("MAP"), ImputerKind::Map);
    for (ImputerKind k : {ImputerKind::Mean, ImputerKind::Zero, ImputerKind::Map})
        EXPECT_EQ(parse_imputer(to_string(k)), k);
    try {
        parse_imputer("median");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("median"), std::string::npos);
    }
}

TEST(Imputer, MeanUsesWarmPresentRowsOnly) {
    const Dataset ds = four_items();
    // Item 1 (warm) misses image; item 3 (test) misses text and image.
    // Not allowed to miss both in a scenario, but the imputer must still fill them.
    const auto mask = mask_of(4, 2, {1, 1, 0, 1, 1, 1, 0, 0});
    ImputeOptions opt;
    opt.kind = ImputerKind::Mean;
    opt.l2_normalize = false;
    const auto out = impute(ds, mask, opt);
    ASSERT_EQ(out.size(), 2u);
    // image mean over warm items 0 and 2 only: (2, 4).
    EXPECT_FLOAT_EQ(out[0](1, 0), 2.0f);
    EXPECT_FLOAT_EQ(out[0](1, 1), 4.0f);
    EXPECT_FLOAT_EQ(out[0](3, 0), 2.0f);
    EXPECT_FLOAT_EQ(out[0](3, 1), 4.0f);
    // text mean over warm items 0, 1, 2 (the test item's own row is not used): 4.
    EXPECT_FLOAT_EQ(out[1](3, 0), 4.0f);
    // Available rows are untouched.
    EXPECT_FLOAT_EQ(out[0](0, 0), 1.0f);
    EXPECT_FLOAT_EQ(out[0](2, 1), 6.0f);
    EXPECT_FLOAT_EQ(out[1](1, 0), 7.0f);
}

TEST(Imputer, NaturallyMissingRowsAreFilledAndExcludedFromTheMean) {
    Dataset ds = four_items();
    ds.modalities[1].present[1] = 0;  // item 1 has no text, whatever the mask says
    const auto mask = mask_of(4, 2, std::vector<std::uint8_t>(8, 1));
    ImputeOptions opt;
    opt.l2_normalize = false;
    const auto out = impute(ds, mask, opt);
    EXPECT_FLOAT_EQ(out[1](1, 0), 2.5f);  // mean of items 0 and 2
    EXPECT_FLOAT_EQ(out[1](3, 0), 9.0f);
}

TEST(Imputer, MeanNeedsAWarmItemWithTheModality) {
    const Dataset ds = four_items();
    const auto mask = mask_of(4, 2, {1, 0, 1, 0, 1, 0, 1, 1});
    EXPECT_THROW(impute(ds, mask, ImputeOptions{}), DataError);
    EXPECT_THROW(impute(ds, mask_of(3, 2, std::vector<std::uint8_t>(6, 1)), ImputeOptions{}), DataError);
}

TEST(Imputer, ZeroAndL2Normalisation) {
    const Dataset ds = four_items();
    const auto mask = mask_of(4, 2, {1, 1, 0, 1, 1, 1, 1, 0});
    ImputeOptions opt;
    opt.kind = ImputerKind::Zero;
    opt.l2_normalize = false;
    auto out = impute(ds, mask, opt);
    EXPECT_EQ(out[0](1, 0), 0.0f);
    EXPECT_EQ(out[0](1, 1), 0.0f);
    EXPECT_EQ(out[1](3, 0), 0.0f);
    EXPECT_EQ(out[0](3, 0), 5.0f);

    opt.l2_normalize = true;
    out = impute(ds, mask, opt);
    EXPECT_NEAR(out[0](0, 0), 1.0 / std::sqrt(5.0), 1e-6);
    EXPECT_NEAR(out[0](0, 1), 2.0 / std::sqrt(5.0), 1e-6);
    EXPECT_NEAR(out[0](3, 0), std::sqrt(0.5), 1e-6);
    EXPECT_EQ(out[0](1, 0), 0.0f);  // zero rows stay zero
    EXPECT_EQ(out[1](3, 0), 0.0f);
    EXPECT_FLOAT_EQ(out[1](0, 0), 1.0f);  // 1-d rows become +-1
    // The input dataset is not modified.
    EXPECT_EQ(ds.modalities[0].features(0, 0), 1.0f);
}

TEST(Imputer, MapRecoversAnExactLinearRelation) {
    // text = A image + b exactly; 60 warm complete items; test items miss text.
    Dataset ds = make_dataset(60, 0, 20, {3, 2}, 5);
    Eigen::Matrix<float, 3, 2> A;
    A << 1.0f, -2.0f, 0.5f, 0.25f, 3.0f, 1.0f;
    const Eigen::RowVector2f b(0.3f, -0.7f);
    for (int i = 0; i < ds.n_items; ++i) ds.modalities[1].features.row(i) = ds.modalities[0].features.row(i) * A + b;
    auto mask = AvailabilityMask::from_dataset(ds);
    for (int i = 0; i < ds.n_items; ++i)
        if (ds.roles[i] == ItemRole::TestNew) mask.a[static_cast<std::size_t>(i) * 2 + 1] = 0;
    ImputeOptions opt;
    opt.kind = ImputerKind::Map;
    opt.l2_normalize = false;
    opt.ridge_lambda = 1e-6;
    opt.map_max_fit_items = 10;  // 10 items determine a 3-d affine map exactly too
    const auto out = impute(ds, mask, opt);
    int checked = 0;
    for (int i = 0; i < ds.n_items; ++i) {
        if (ds.roles[i] != ItemRole::TestNew) continue;
        for (int c = 0; c < 2; ++c) EXPECT_NEAR(out[1](i, c), ds.modalities[1].features(i, c), 1e-3);
        ++checked;
    }
    EXPECT_EQ(checked, 20);
    // A large lambda shrinks the map towards the mean: the relation is no longer exact.
    opt.ridge_lambda = 1e4;
    const auto shrunk = impute(ds, mask, opt);
    double err = 0;
    for (int i = 0; i < ds.n_items; ++i)
        if (ds.roles[i] == ItemRole::TestNew) err += (shrunk[1].row(i) - ds.modalities[1].features.row(i)).norm();
    EXPECT_GT(err / 20, 0.5);
    opt.ridge_lambda = 0.0;
    EXPECT_THROW(impute(ds, mask, opt), ConfigError);
}

TEST(Imputer, MapInTheDualFormWhenInputsOutnumberFitItems) {
    // 8 warm items with 40-d images: the dual (8 x 8) system is solved. A query that is
    // an affine combination of fit rows is predicted exactly.
    Dataset ds = make_dataset(8, 0, 1, {40, 3}, 9);
    ds.roles.assign(9, ItemRole::Warm);
    ds.roles[8] = ItemRole::TestNew;
    std::mt19937_64 rng(3);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Eigen::MatrixXf A(40, 3);
    for (Eigen::Index r = 0; r < A.rows(); ++r)
        for (Eigen::Index c = 0; c < A.cols(); ++c) A(r, c) = normal(rng);
    const float w[8] = {0.5f, -0.25f, 0.25f, 0.1f, 0.2f, 0.3f, -0.1f, 0.0f};  // sums to 1
    ds.modalities[0].features.row(8).setZero();
    for (int i = 0; i < 8; ++i) ds.modalities[0].features.row(8) += w[i] * ds.modalities[0].features.row(i);
    for (int i = 0; i < 9; ++i) ds.modalities[1].features.row(i) = ds.modalities[0].features.row(i) * A;
    auto mask = AvailabilityMask::from_dataset(ds);
    mask.a[8 * 2 + 1] = 0;
    ImputeOptions opt;
    opt.kind = ImputerKind::Map;
    opt.l2_normalize = false;
    opt.ridge_lambda = 1e-7;
    const auto out = impute(ds, mask, opt);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(out[1](8, c), ds.modalities[1].features(8, c), 1e-3);
}

TEST(Imputer, MapFillsSeveralMissingModalitiesFromWhatIsPresent) {
    // Three modalities linked linearly; test items miss one or two of them.
    Dataset ds = make_dataset(50, 0, 6, {2, 3, 2}, 11);
    for (int i = 0; i < ds.n_items; ++i) {
        const auto x = ds.modalities[0].features.row(i);
        ds.modalities[1].features.row(i) << x(0) + x(1), 2 * x(0), -x(1) + 1;
        ds.modalities[2].features.row(i) << 3 * x(1), x(0) - 0.5f;
    }
    auto mask = AvailabilityMask::from_dataset(ds);
    std::vector<int> test;
    for (int i = 0; i < ds.n_items; ++i)
        if (ds.roles[i] == ItemRole::TestNew) test.push_back(i);
    auto drop = [&](int item, int m) { mask.a[static_cast<std::size_t>(item) * 3 + m] = 0; };
    drop(test[0], 1);
    drop(test[0], 2);  // only image left
    drop(test[1], 2);  // image + text
    drop(test[2], 0);  // text + audio -> image
    drop(test[3], 0);
    drop(test[3], 2);  // only text: image is recoverable from text (x0 = t1/2, x1 = t0 - x0)
    ImputeOptions opt;
    opt.kind = ImputerKind::Map;
    opt.l2_normalize = false;
    opt.ridge_lambda = 1e-6;
    const auto out = impute(ds, mask, opt);
    for (int j = 0; j < 4; ++j)
        for (int m = 0; m < 3; ++m)
            for (Eigen::Index c = 0; c < out[m].cols(); ++c)
                EXPECT_NEAR(out[m](test[j], c), ds.modalities[m].features(test[j], c), 1e-3)
                    << "item " << j << " modality " << m;
}

TEST(Imputer, MapNeedsCompleteWarmItems) {
    Dataset ds = four_items();
    const auto mask = mask_of(4, 2, {1, 0, 0, 1, 1, 0, 1, 0});  // no warm item has both
    ImputeOptions opt;
    opt.kind = ImputerKind::Map;
    EXPECT_THROW(impute(ds, mask, opt), DataError);
}

TEST(Imputer, MapFitSetCapIsSeeded) {
    // Noisy relation: which warm items the capped fit uses changes the prediction.
    Dataset ds = make_dataset(200, 0, 10, {6, 2}, 21);
    auto mask = AvailabilityMask::from_dataset(ds);
    for (int i = 0; i < ds.n_items; ++i)
        if (ds.roles[i] == ItemRole::TestNew) mask.a[static_cast<std::size_t>(i) * 2 + 1] = 0;
    ImputeOptions opt;
    opt.kind = ImputerKind::Map;
    opt.l2_normalize = false;
    opt.map_max_fit_items = 20;
    const auto a = impute(ds, mask, opt);
    const auto b = impute(ds, mask, opt);
    opt.seed = 7;
    const auto c = impute(ds, mask, opt);
    opt.map_max_fit_items = 0;
    const auto all = impute(ds, mask, opt);
    opt.map_max_fit_items = 200;
    const auto cap_equal_to_n = impute(ds, mask, opt);
    EXPECT_EQ(a[1], b[1]);
    EXPECT_NE(a[1], c[1]);
    EXPECT_NE(a[1], all[1]);
    EXPECT_EQ(all[1], cap_equal_to_n[1]);
    opt.map_max_fit_items = -1;
    EXPECT_THROW(impute(ds, mask, opt), ConfigError);
}
