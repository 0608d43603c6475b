// MTPR: the four pairwise-ranking tasks against finite differences, counterfactual (zero
// preference) representations at inference.
#include "core/models/mtpr/mtpr_model.h"
#include "baseline_test_support.h"

using namespace milk;

namespace {
const std::vector<std::int32_t> kUsers{0, 1, 2, 3}, kPos{0, 1, 2, 3}, kNeg{4, 5, 6, 0};
}  // namespace

TEST(Mtpr, GradientMatchesFiniteDifferences) {
    test::TinyData d;
    MtprOptions o;
    o.dim = 4;
    o.hidden = 5;
    o.reg = 0.05;
    MtprModel m(o);
    Rng rng(1);
    m.initialize(d.td(), rng);
    test::expect_gradients_match(m, Batch{kUsers, kPos, kNeg});
}

TEST(Mtpr, NewItemsUseTheCounterfactualRepresentation) {
    test::TinyData d;
    MtprOptions o;
    o.dim = 4;
    o.hidden = 5;
    MtprModel m(o);
    Rng rng(1);
    m.initialize(d.td(), rng);
    const std::vector<std::int32_t> items{3, 9};
    const nn::Matrix z = m.item_embeddings(d.features, items);
    ASSERT_EQ(z.cols(), 8);
    ASSERT_EQ(m.user_embeddings().cols(), 8);
    EXPECT_EQ(z.row(9).head(4).squaredNorm(), 0);  // zero preference half
    EXPECT_EQ(z.row(3).head(4).squaredNorm(), 0);  // every evaluated item is scored as new
    EXPECT_GT(z.row(9).tail(4).squaredNorm(), 0);
}

