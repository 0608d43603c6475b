// On the demo preset under FTMT: MILK learns far above the floors (random, popularity),
// and the full method beats the ablation without both modules on the items that miss a
// modality. Seeds are fixed and averaged, so the comparison is not a coin flip.
#include "core/data/dataset_source.h"
#include "core/train/trainer.h"

#include <gtest/gtest.h>

using namespace milk;

namespace {

std::shared_ptr<const Dataset> demo() {
    static auto ds = std::make_shared<const Dataset>(load_dataset("preset:demo"));
    return ds;
}

EvalResult run(const std::string& model, std::uint64_t seed, int epochs = 40) {
    TrainingConfig c;
    c.dataset = "preset:demo";
    c.scenario = "ftmt";
    c.model = model;
    c.epochs = epochs;
    c.batch_size = 256;
    c.learning_rate = 5e-3;
    c.patience = 5;
    c.seed = seed;
    Trainer t(c, prepare_data(demo(), c));
    TrainingControl control;
    RunFinished r = t.run(control);
    EXPECT_TRUE(r.status == RunStatus::Finished || r.status == RunStatus::EarlyStopped) << r.message;
    return *r.test;
}

}  // namespace

TEST(EndToEnd, MilkIsFarAboveRandomAndPopularity) {
    const double milk = run("milk", 1).metric("overall", "recall", 20);
    const double random = run("random", 1).metric("overall", "recall", 20);
    const double popularity = run("popularity", 1).metric("overall", "recall", 20);
    std::printf("test Recall@20: milk %.4f random %.4f popularity %.4f\n", milk, random, popularity);
    EXPECT_GT(milk, 3 * random);
    EXPECT_GT(milk, 3 * popularity);
}

TEST(EndToEnd, MilkBeatsTheAblationWithoutBothOnItemsMissingAModality) {
    double full = 0, ablated = 0;
    const std::uint64_t seeds[] = {1, 2, 3};
    for (auto s : seeds) {
        full += run("milk", s).metric("missing_1", "ndcg", 20);
        ablated += run("milk-no-both", s).metric("missing_1", "ndcg", 20);
    }
    std::printf("test NDCG@20 on missing_1 (mean of 3 seeds): milk %.4f, w/o both %.4f\n", full / 3, ablated / 3);
    EXPECT_GT(full, ablated);
}
