// GAR: learns on the demo preset under FTMT (batch 256, lr 5e-3, fixed seed) clearly
// above the random and popularity floors (its gradient checks: tests/core/models/gar_test.cpp).
#include "baseline_demo_run.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace milk;

TEST(Gar, LearnsOnDemoAboveRandomAndPopularity) {
    const auto gar = test::demo_ftmt::run("gar", 12);
    const auto random = test::demo_ftmt::run("random", 1);
    const auto popularity = test::demo_ftmt::run("popularity", 1);
    std::printf("demo FTMT test Recall@20 / NDCG@20: gar %.4f / %.4f (%d epochs, %.2f s/epoch), random %.4f / %.4f, "
                "popularity %.4f / %.4f\n",
                gar.recall, gar.ndcg, gar.epochs, gar.seconds_per_epoch, random.recall, random.ndcg, popularity.recall,
                popularity.ndcg);
    EXPECT_GT(gar.recall, 2 * random.recall);
    EXPECT_GT(gar.recall, 2 * popularity.recall);
    EXPECT_GT(gar.ndcg, 2 * random.ndcg);
}
