// Robustness (paper Figure 5): a checkpoint evaluated under FTFT and FTMT on milk eval's path.
#include "core/data/dataset_source.h"
#include "core/error.h"
#include "core/models/checkpoint.h"
#include "core/train/robustness.h"
#include "core/train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace milk;

TEST(Robustness, RelativeDropIsInPercentOfTheFullScore) {
    EXPECT_DOUBLE_EQ(relative_drop_pct(0.2, 0.15), 25.0);
    EXPECT_DOUBLE_EQ(relative_drop_pct(0.2, 0.25), -25.0);
    EXPECT_TRUE(std::isnan(relative_drop_pct(0.0, 0.1)));
}

TEST(Robustness, TablePairsGroupsAtK) {
    EvalResult full, missing;
    GroupResult a;
    a.group = "overall";
    a.n_items = 10;
    a.at_k[20] = MetricValues{0.4, 0.2, 0, 0};
    GroupResult b = a;
    b.group = "missing_1";
    b.n_items = 4;
    b.at_k[20] = MetricValues{0.3, 0.1, 0, 0};
    full.groups = {a, b};
    GroupResult a2 = a, b2 = b;
    a2.at_k[20] = MetricValues{0.2, 0.15, 0, 0};
    b2.at_k[20] = MetricValues{0.3, 0.05, 0, 0};
    missing.groups = {b2, a2};
    const auto rows = robustness_table(full, missing, 20);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].group, "overall");
    EXPECT_DOUBLE_EQ(rows[0].recall_drop_pct, 50.0);
    EXPECT_DOUBLE_EQ(rows[0].ndcg_drop_pct, 25.0);
    EXPECT_EQ(rows[1].group, "missing_1");
    EXPECT_EQ(rows[1].n_items, 4);
    EXPECT_DOUBLE_EQ(rows[1].recall_drop_pct, 0.0);
    EXPECT_DOUBLE_EQ(rows[1].ndcg_drop_pct, 50.0);
    EXPECT_TRUE(robustness_table(full, missing, 10).empty());
}

TEST(Robustness, CheckpointUnderEachScenarioMatchesDirectEvaluation) {
    auto ds = std::make_shared<const Dataset>(load_dataset("preset:demo"));
    TrainingConfig c;
    c.scenario = "ftmt";
    c.epochs = 1;
    c.batch_size = 1024;
    c.seed = 5;
    Trainer trainer(c, prepare_data(ds, c));
    TrainingControl control;
    trainer.run(control);
    const auto bytes = save_checkpoint(trainer.model(), {{"config", c.to_json()}, {"epoch", 1}});

    const RobustnessResult r = evaluate_robustness(bytes, ds, 20);
    EXPECT_EQ(r.model, "milk");
    // FTMT: exactly what the trainer's own evaluation gives for the same parameters.
    EvalOptions options;
    options.ks = c.ks;
    options.threads = c.threads;
    const EvalResult direct = evaluate_model(trainer.model(), trainer.data(), ItemRole::TestNew, options);
    ASSERT_GE(direct.groups.size(), 3u);  // overall, complete, missing_1 (demo has two modalities)
    for (const GroupResult& g : direct.groups)
        EXPECT_DOUBLE_EQ(r.missing.metric(g.group, "ndcg", 20), g.at_k.at(20).ndcg) << g.group;
    // FTFT grouped by FTMT's mask: same items per group, full features.
    TrainingConfig full = c;
    full.scenario = "ftft";
    PreparedData data = prepare_data(ds, full);
    data.groups = trainer.data().groups;
    const EvalResult direct_full = evaluate_model(trainer.model(), data, ItemRole::TestNew, options);
    ASSERT_EQ(r.rows.size(), direct.groups.size());
    for (const RobustnessRow& row : r.rows) {
        EXPECT_DOUBLE_EQ(row.ndcg_full, direct_full.metric(row.group, "ndcg", 20)) << row.group;
        EXPECT_DOUBLE_EQ(row.recall_missing, direct.metric(row.group, "recall", 20)) << row.group;
        EXPECT_DOUBLE_EQ(row.ndcg_drop_pct, relative_drop_pct(row.ndcg_full, row.ndcg_missing));
        EXPECT_EQ(row.n_items, direct.find(row.group)->n_items);
    }
    // The complete group loses nothing: its items have every modality in both scenarios.
    EXPECT_DOUBLE_EQ(r.rows[1].ndcg_drop_pct, 0.0);
    EXPECT_THROW(evaluate_robustness(bytes, ds, 7), ConfigError);
    EXPECT_THROW(evaluate_robustness(std::vector<std::uint8_t>{1, 2, 3}, ds, 20), FormatError);
}
