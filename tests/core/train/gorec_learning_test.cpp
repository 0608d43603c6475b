// GoRec: learns on the demo preset under FTMT (batch 256, lr 5e-3, fixed seed) clearly
// above the random and popularity floors (its gradient checks: tests/core/models/gorec_test.cpp).
#include "baseline_demo_run.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace milk;

TEST(GoRec, LearnsOnDemoAboveRandomAndPopularity) {
    const auto gorec = test::demo_ftmt::run("gorec", 12);
    const auto random = test::demo_ftmt::run("random", 1);
    const auto popularity = test::demo_ftmt::run("popularity", 1);
    std::printf("demo FTMT test Recall@20 / NDCG@20: gorec %.4f / %.4f (%d epochs, %.2f s/epoch), random %.4f / %.4f, "
                "popularity %.4f / %.4f\n",
                gorec.recall, gorec.ndcg, gorec.epochs, gorec.seconds_per_epoch, random.recall, random.ndcg,
                popularity.recall, popularity.ndcg);
    EXPECT_GT(gorec.recall, 2 * random.recall);
    EXPECT_GT(gorec.recall, 2 * popularity.recall);
    EXPECT_GT(gorec.ndcg, 2 * random.ndcg);
}
