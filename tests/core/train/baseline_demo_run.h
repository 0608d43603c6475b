#pragma once
// Trains a registered model on the demo preset under FTMT with the brief's learning-test
// settings (batch 256, lr 5e-3, fixed seed) and returns its test Recall@20 / NDCG@20.
#include "core/data/dataset_source.h"
#include "core/train/trainer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

namespace milk::test::demo_ftmt {

struct DemoOutcome {
    double recall = 0, ndcg = 0, seconds_per_epoch = 0;
    int epochs = 0;
};

inline std::shared_ptr<const Dataset> dataset() {
    static auto ds = std::make_shared<const Dataset>(load_dataset("preset:demo"));
    return ds;
}

struct EpochTimer : TrainingListener {
    int epochs = 0;
    double seconds = 0;
    void on_epoch(const EpochEvent& e) override {
        ++epochs;
        seconds += e.epoch_seconds;
    }
};

inline DemoOutcome run(const std::string& model, int epochs, nlohmann::json params = nlohmann::json::object(),
                               std::uint64_t seed = 1) {
    TrainingConfig c;
    c.dataset = "preset:demo";
    c.scenario = "ftmt";
    c.model = model;
    c.model_params = std::move(params);
    c.epochs = epochs;
    c.batch_size = 256;
    c.learning_rate = 5e-3;
    c.patience = 5;
    c.seed = seed;
    Trainer t(c, prepare_data(dataset(), c));
    EpochTimer timer;
    t.add_listener(&timer);
    TrainingControl control;
    RunFinished r = t.run(control);
    EXPECT_TRUE(r.status == RunStatus::Finished || r.status == RunStatus::EarlyStopped) << r.message;
    DemoOutcome o;
    if (!r.test) return o;
    o.recall = r.test->metric("overall", "recall", 20);
    o.ndcg = r.test->metric("overall", "ndcg", 20);
    o.epochs = timer.epochs;
    o.seconds_per_epoch = timer.epochs > 0 ? timer.seconds / timer.epochs : 0;
    return o;
}

// The floors, trained once per test process.
inline const DemoOutcome& random_floor() {
    static const DemoOutcome o = run("random", 1);
    return o;
}
inline const DemoOutcome& popularity_floor() {
    static const DemoOutcome o = run("popularity", 1);
    return o;
}

// Trains `model` and expects its test Recall@20 and NDCG@20 to be at least `factor` times
// both floors'; prints the figures for the log.
inline void expect_learns(const std::string& model, int epochs, double factor,
                          nlohmann::json params = nlohmann::json::object()) {
    const DemoOutcome m = run(model, epochs, std::move(params));
    const DemoOutcome& r = random_floor();
    const DemoOutcome& p = popularity_floor();
    std::printf("demo FTMT test Recall@20 / NDCG@20: %s %.4f / %.4f (%d epochs, %.2f s/epoch), random %.4f / %.4f, "
                "popularity %.4f / %.4f\n",
                model.c_str(), m.recall, m.ndcg, m.epochs, m.seconds_per_epoch, r.recall, r.ndcg, p.recall, p.ndcg);
    EXPECT_GT(m.recall, factor * r.recall);
    EXPECT_GT(m.recall, factor * p.recall);
    EXPECT_GT(m.ndcg, factor * r.ndcg);
    EXPECT_GT(m.ndcg, factor * p.ndcg);
}

}  // namespace milk::test::demo_ftmt
