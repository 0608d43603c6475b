// The shared warm-CF block (BPR-MF): it ranks held-out warm interactions far above
// random warm items, is deterministic in its rng, and never touches new items.
#include "core/data/dataset_source.h"
#include "core/error.h"
#include "core/models/common/warm_cf.h"
#include "support/tiny_dataset.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace milk;

namespace {

struct HeldOut {
    Dataset train;  // demo with one warm training interaction per user (>= 3 items) removed
    std::vector<std::pair<std::int32_t, std::int32_t>> held;
};

HeldOut hold_out_demo() {
    HeldOut h;
    h.train = load_dataset("preset:demo");
    std::vector<std::pair<std::int32_t, std::int32_t>> kept;
    for (int u = 0; u < h.train.n_users; ++u) {
        const auto items = h.train.train.of(u);
        for (std::size_t k = 0; k < items.size(); ++k) {
            if (items.size() >= 3 && k == static_cast<std::size_t>(u) % items.size())
                h.held.emplace_back(u, items[k]);
            else
                kept.emplace_back(u, items[k]);
        }
    }
    h.train.train = Interactions::from_pairs(h.train.n_users, kept);
    return h;
}

// AUC of held-out pairs against every warm item the user never interacted with.
double held_out_auc(const WarmCf& cf, const HeldOut& h, const Dataset& full) {
    const auto warm = h.train.items_with_role(ItemRole::Warm);
    double above = 0, count = 0;
    for (const auto& [u, i] : h.held) {
        const float s = cf.users.row(u).dot(cf.items.row(i));
        const auto seen = full.train.of(u);
        for (auto j : warm) {
            if (std::binary_search(seen.begin(), seen.end(), j)) continue;
            const float sj = cf.users.row(u).dot(cf.items.row(j));
            above += s > sj ? 1.0 : (s == sj ? 0.5 : 0.0);
            count += 1;
        }
    }
    return above / count;
}

}  // namespace

TEST(WarmCf, RanksHeldOutWarmInteractionsFarAboveRandom) {
    const Dataset full = load_dataset("preset:demo");
    const HeldOut h = hold_out_demo();
    ASSERT_GT(h.held.size(), 500u);
    WarmCfOptions o;
    o.epochs = 0;
    Rng r0(3);
    const double untrained = held_out_auc(train_warm_cf(h.train, o, r0), h, full);
    o.epochs = 30;
    o.batch_size = 256;
    Rng r1(3);
    const double trained = held_out_auc(train_warm_cf(h.train, o, r1), h, full);
    std::printf("held-out warm AUC: untrained %.4f, BPR-MF %.4f\n", untrained, trained);
    EXPECT_NEAR(untrained, 0.5, 0.05);
    EXPECT_GT(trained, 0.7);
}

TEST(WarmCf, DeterministicAndNewItemsStayZero) {
    const Dataset ds = test::tiny_dataset(8, 12);
    WarmCfOptions o;
    o.dim = 4;
    o.epochs = 5;
    o.batch_size = 4;
    Rng a(11), b(11), c(12);
    const WarmCf x = train_warm_cf(ds, o, a), y = train_warm_cf(ds, o, b), z = train_warm_cf(ds, o, c);
    EXPECT_EQ(x.users, y.users);
    EXPECT_EQ(x.items, y.items);
    EXPECT_NE(x.items, z.items);
    ASSERT_EQ(x.users.rows(), 8);
    ASSERT_EQ(x.items.rows(), 12);
    ASSERT_EQ(x.items.cols(), 4);
    for (auto j : ds.new_items()) EXPECT_EQ(x.items.row(j).squaredNorm(), 0.0f) << j;
    EXPECT_GT(x.items.row(0).squaredNorm(), 0.0f);
    EXPECT_THROW(
        [&] {
            WarmCfOptions bad;
            bad.dim = 0;
            Rng r(1);
            train_warm_cf(ds, bad, r);
        }(),
        ConfigError);
}
