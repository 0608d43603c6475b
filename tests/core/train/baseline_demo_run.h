#pragma once
// Trains a registered model on the demo preset under FTMT with the brief's learning-test
// settings (batch 256, lr 5e-3, fixed seed) and returns its test Recall@20 / NDCG@20.
#include "core/data/dataset_source.h"
#include "core/train/trainer.h"

#include <gtest/gtest.h>

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

}  // namespace milk::test::demo_ftmt
