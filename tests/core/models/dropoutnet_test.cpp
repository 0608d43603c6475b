// DropoutNet: its score-regression loss against finite differences, input dropout that
// really drops (the loss depends on the draw).
#include "core/models/dropoutnet/dropoutnet_model.h"
#include "baseline_test_support.h"

using namespace milk;

namespace {
DropoutNetModel tiny_model(test::TinyData& d, double dropout) {
    DropoutNetOptions o;
    o.dim = 4;
    o.hidden = 5;
    o.cf_dim = 3;
    o.cf_epochs = 5;
    o.dropout = dropout;
    DropoutNetModel m(o);
    Rng rng(1);
    m.initialize(d.td(), rng);
    return m;
}
const std::vector<std::int32_t> kUsers{0, 1, 2, 3}, kPos{0, 1, 2, 3}, kNeg{4, 5, 6, 0};
}  // namespace

TEST(DropoutNet, GradientMatchesFiniteDifferences) {
    test::TinyData d;
    DropoutNetModel m = tiny_model(d, 0.5);
    test::expect_gradients_match(m, Batch{kUsers, kPos, kNeg});
}

TEST(DropoutNet, DropoutChangesTheLossAndInferenceUsesContentOnly) {
    test::TinyData d;
    DropoutNetModel keep = tiny_model(d, 0.0), drop = tiny_model(d, 0.99);
    Rng r1(5), r2(5);
    EXPECT_NE(keep.train_batch(Batch{kUsers, kPos, kNeg}, r1).loss, drop.train_batch(Batch{kUsers, kPos, kNeg}, r2).loss);
    // The item tower of a new item does not depend on the (zero) preference input: same
    // features, same embedding, whatever item id carries them.
    std::vector<FeatureMatrix> f = d.features;
    for (auto& m : f) m.row(9) = m.row(8);
    const std::vector<std::int32_t> items{8, 9};
    const nn::Matrix z = keep.item_embeddings(f, items);
    EXPECT_TRUE(z.row(8).isApprox(z.row(9)));
    EXPECT_GT(z.row(8).norm(), 0);
    EXPECT_EQ(keep.user_embeddings().rows(), d.ds.n_users);
}

