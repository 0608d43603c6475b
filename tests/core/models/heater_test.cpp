// Heater: its loss (score regression + alpha * similarity constraint, mixture of experts,
// randomized training) against finite differences, alpha really weighs the similarity
// term.
#include "core/models/heater/heater_model.h"
#include "baseline_test_support.h"

using namespace milk;

namespace {
HeaterModel tiny_model(test::TinyData& d, double alpha, double rho = 0.5) {
    HeaterOptions o;
    o.dim = 4;
    o.hidden = 5;
    o.experts = 3;
    o.cf_dim = 3;
    o.cf_epochs = 5;
    o.alpha = alpha;
    o.rho = rho;
    HeaterModel m(o);
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

TEST(Heater, GradientMatchesFiniteDifferences) {
    test::TinyData d;
    HeaterModel m = tiny_model(d, 0.7);
    test::expect_gradients_match(m, Batch{kUsers, kPos, kNeg});
}

TEST(Heater, LossIsScoreErrorPlusAlphaTimesSimilarity) {
    test::TinyData d;
    for (double alpha : {0.0, 2.5}) {
        HeaterModel m = tiny_model(d, alpha);
        Rng r(3);
        const BatchStats s = m.train_batch(Batch{kUsers, kPos, kNeg}, r);
        EXPECT_NEAR(s.loss, series(s, "score_mse") + alpha * series(s, "similarity"), 1e-5 * (1 + std::abs(s.loss)));
        EXPECT_GT(series(s, "similarity"), 0);
    }
}

