// Every baseline learns on the demo preset under FTMT (batch 256, lr 5e-3, fixed seed):
// every evaluated item is new and is served from its (imputed) content alone, and each
// model clears the floors (random, popularity) by a clear factor on test Recall@20 and
// NDCG@20. Few epochs; the gradient checks are in tests/core/models.
#include "baseline_demo_run.h"

#include <gtest/gtest.h>

using milk::test::demo_ftmt::expect_learns;

TEST(BaselineLearning, MicroLearnsOnDemo) { expect_learns("micro", 12, 3.0); }
TEST(BaselineLearning, CcfcRecLearnsOnDemo) { expect_learns("ccfcrec", 12, 2.0); }
TEST(BaselineLearning, GarLearnsOnDemo) { expect_learns("gar", 12, 2.0); }
TEST(BaselineLearning, GoRecLearnsOnDemo) { expect_learns("gorec", 12, 2.0); }
TEST(BaselineLearning, DropoutNetLearnsOnDemo) { expect_learns("dropoutnet", 15, 2.0); }
TEST(BaselineLearning, HeaterLearnsOnDemo) { expect_learns("heater", 15, 2.0); }
TEST(BaselineLearning, ClcRecLearnsOnDemo) { expect_learns("clcrec", 15, 2.0); }
TEST(BaselineLearning, MtprLearnsOnDemo) { expect_learns("mtpr", 15, 2.0); }
