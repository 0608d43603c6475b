// MICRO: learns on the demo preset under FTMT (batch 256, lr 5e-3, fixed seed) clearly
// above the random and popularity floors (its gradient checks: tests/core/models/micro_test.cpp).
#include "baseline_demo_run.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace milk;

TEST(Micro, LearnsOnDemoFarAboveRandomAndPopularity) {
    const auto micro = test::demo_ftmt::run("micro", 12);
    const auto random = test::demo_ftmt::run("random", 1);
    const auto popularity = test::demo_ftmt::run("popularity", 1);
    std::printf("demo FTMT test Recall@20 / NDCG@20: micro %.4f / %.4f (%d epochs, %.2f s/epoch), random %.4f / %.4f, "
                "popularity %.4f / %.4f\n",
                micro.recall, micro.ndcg, micro.epochs, micro.seconds_per_epoch, random.recall, random.ndcg,
                popularity.recall, popularity.ndcg);
    EXPECT_GT(micro.recall, 3 * random.recall);
    EXPECT_GT(micro.recall, 3 * popularity.recall);
    EXPECT_GT(micro.ndcg, 3 * random.ndcg);
}
