#include "core/data/dataset_source.h"
#include "core/error.h"
#include "core/train/bpr_sampler.h"
#include "core/train/trainer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

using namespace milk;

namespace {

std::shared_ptr<const Dataset> demo() {
    static auto ds = std::make_shared<const Dataset>(load_dataset("preset:demo"));
    return ds;
}

TrainingConfig quick(const std::string& model = "milk", int epochs = 3) {
    TrainingConfig c;
    c.dataset = "preset:demo";
    c.scenario = "ftmt";
    c.model = model;
    c.epochs = epochs;
    c.batch_size = 512;
    c.seed = 11;
    return c;
}

struct Recorder : TrainingListener {
    std::vector<BatchEvent> batches;
    std::vector<EpochEvent> epochs;
    int best_calls = 0;
    std::function<void(const BatchEvent&)> hook;
    void on_batch(const BatchEvent& e) override {
        batches.push_back(e);
        if (hook) hook(e);
    }
    void on_epoch(const EpochEvent& e) override { epochs.push_back(e); }
    void on_best_model(int, const std::vector<std::uint8_t>&) override { ++best_calls; }
};

RunFinished train(const TrainingConfig& c, Recorder* rec = nullptr, TrainingControl* control = nullptr) {
    Trainer t(c, prepare_data(demo(), c));
    if (rec) t.add_listener(rec);
    TrainingControl local;
    return t.run(control ? *control : local);
}

}  // namespace

TEST(TrainingConfig, RoundTripsAndRejectsUnknownKeys) {
    TrainingConfig c = quick();
    c.model_params = {{"beta", 1000}};
    c.ks = {5, 20};
    auto back = TrainingConfig::from_json(c.to_json(), "test");
    EXPECT_EQ(back.to_json(), c.to_json());
    auto j = c.to_json();
    j["epochz"] = 3;
    try {
        TrainingConfig::from_json(j, "cfg.json");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("epochz"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("cfg.json"), std::string::npos);
    }
    j = c.to_json();
    j["batch_size"] = 0;
    EXPECT_THROW(TrainingConfig::from_json(j, "cfg.json"), ConfigError);
    j = c.to_json();
    j["select_k"] = 7;
    EXPECT_THROW(TrainingConfig::from_json(j, "cfg.json"), ConfigError);
    j = c.to_json();
    j["epochs"] = "many";
    EXPECT_THROW(TrainingConfig::from_json(j, "cfg.json"), ConfigError);
}

TEST(Trainer, SameConfigAndSeedGiveIdenticalNumbers) {
    Recorder a, b, c;
    auto ra = train(quick(), &a);
    auto rb = train(quick(), &b);
    auto other = quick();
    other.seed = 12;
    auto rc = train(other, &c);
    ASSERT_EQ(ra.status, RunStatus::Finished);
    ASSERT_EQ(a.batches.size(), b.batches.size());
    for (std::size_t i = 0; i < a.batches.size(); ++i) ASSERT_EQ(a.batches[i].loss, b.batches[i].loss) << i;
    EXPECT_EQ(ra.test->metric("overall", "ndcg", 20), rb.test->metric("overall", "ndcg", 20));
    EXPECT_NE(a.batches.back().loss, c.batches.back().loss);
}

TEST(Trainer, EmitsEnvironmentWeightsAndSeriesAndReportsTestAtBestEpochOnly) {
    Recorder rec;
    auto r = train(quick("milk", 4), &rec);
    ASSERT_EQ(r.status, RunStatus::Finished);
    ASSERT_FALSE(rec.batches.empty());
    EXPECT_EQ(rec.batches[0].env_weights.size(), 3u);  // e=0 + M=2
    EXPECT_EQ(rec.epochs.size(), 4u);
    double best = -1;
    int best_epoch = 0;
    for (const auto& e : rec.epochs) {
        ASSERT_TRUE(e.validation.has_value());
        const double v = e.validation->metric("overall", "ndcg", 20);
        if (v > best) {
            best = v;
            best_epoch = e.epoch;
        }
    }
    EXPECT_EQ(r.best_epoch, best_epoch);
    EXPECT_EQ(rec.best_calls, static_cast<int>(std::count_if(rec.epochs.begin(), rec.epochs.end(),
                                                              [](const EpochEvent& e) { return e.improved; })));
    ASSERT_TRUE(r.test.has_value());
    EXPECT_EQ(r.test->split, "test");
    EXPECT_NE(r.test->find("missing_1"), nullptr);  // FTMT creates a missing-one group
}

TEST(Trainer, CancelTakesEffectWithinOneBatch) {
    Recorder rec;
    TrainingControl control;
    rec.hook = [&](const BatchEvent& e) {
        if (e.epoch == 2 && e.batch == 3) control.request_cancel();
    };
    auto r = train(quick("milk", 50), &rec, &control);
    EXPECT_EQ(r.status, RunStatus::Cancelled);
    EXPECT_EQ(rec.batches.back().epoch, 2);
    EXPECT_EQ(rec.batches.back().batch, 3);
}

TEST(Trainer, PauseHoldsTrainingUntilResumed) {
    Recorder rec;
    TrainingControl control;
    std::atomic<int> seen{0};
    rec.hook = [&](const BatchEvent& e) {
        seen = static_cast<int>(rec.batches.size());
        if (e.epoch == 1 && e.batch == 2) control.set_paused(true);
    };
    std::thread worker([&] { train(quick("milk", 2), &rec, &control); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const int while_paused = seen.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(seen.load(), while_paused);
    EXPECT_EQ(while_paused, 2);
    control.set_paused(false);
    worker.join();
    EXPECT_GT(static_cast<int>(rec.batches.size()), 2);
}

TEST(BprSampler, NegativesAreWarmItemsOutsideTheUsersTrainingItems) {
    const Dataset& ds = *demo();
    BprSampler sampler(ds, false);
    Rng rng(3);
    for (int u = 0; u < ds.n_users; u += 7) {
        const auto seen = ds.train.of(u);
        if (seen.empty()) continue;
        for (int i = 0; i < 50; ++i) {
            const auto j = sampler.negative(u, rng);
            ASSERT_EQ(ds.roles[j], ItemRole::Warm);
            ASSERT_FALSE(std::binary_search(seen.begin(), seen.end(), j));
        }
    }
    // The public code's choice: new items may be negatives too (about 20% of draws).
    BprSampler all(ds, true);
    int new_items = 0;
    for (int i = 0; i < 5000; ++i) new_items += ds.roles[all.negative(0, rng)] != ItemRole::Warm;
    EXPECT_NEAR(new_items / 5000.0, 0.2, 0.04);
}

TEST(Trainer, ReferenceScorersEvaluateOnce) {
    for (const char* m : {"random", "popularity"}) {
        auto r = train(quick(m, 5));
        EXPECT_EQ(r.status, RunStatus::Finished) << m << ": " << r.message;
        EXPECT_EQ(r.epochs_run, 0);
        ASSERT_TRUE(r.test.has_value());
    }
}
