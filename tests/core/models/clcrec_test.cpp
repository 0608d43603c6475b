// CLCRec: both contrastive losses and the norm term against finite differences, lambda
// weighs them as the paper says.
#include "core/models/clcrec/clcrec_model.h"
#include "baseline_test_support.h"

using namespace milk;

namespace {
ClcRecModel tiny_model(test::TinyData& d, double lambda) {
    ClcRecOptions o;
    o.dim = 4;
    o.hidden = 5;
    o.lambda = lambda;
    o.reg = 0.1;
    ClcRecModel m(o);
    Rng rng(1);
    m.initialize(d.td(), rng);
    return m;
}
const std::vector<std::int32_t> kUsers{0, 1, 2, 3}, kPos{0, 1, 2, 3}, kNeg{4, 5, 6, 0};

double series(const BatchStats& s, const std::string& name) {
    for (const auto& [k, v] : s.series)
        if (k == name) return v;
    return NAN;
}
}  // namespace

TEST(ClcRec, GradientMatchesFiniteDifferences) {
    test::TinyData d;
    ClcRecModel m = tiny_model(d, 0.4);
    test::expect_gradients_match(m, Batch{kUsers, kPos, kNeg});
}

TEST(ClcRec, LambdaWeighsTheTwoContrastiveLosses) {
    test::TinyData d;
    for (double lambda : {0.0, 0.3, 1.0}) {
        ClcRecModel m = tiny_model(d, lambda);
        Rng r(3);
        const BatchStats s = m.train_batch(Batch{kUsers, kPos, kNeg}, r);
        const double ui = series(s, "contrastive_ui"), re = series(s, "contrastive_re");
        // 1 + 4 candidates each (the positive and the batch's four negatives): InfoNCE <= log 5 + 2/tau
        EXPECT_GT(ui, 0);
        EXPECT_GT(re, 0);
        const double norms = s.loss - lambda * re - (1 - lambda) * ui;
        EXPECT_GT(norms, 0);  // reg * mean norms > 0, the same for every lambda (same init)
        EXPECT_LT(norms, 0.1 * 10);
    }
}

