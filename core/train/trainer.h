#pragma once
// The model-agnostic training loop: BPR triples (one negative per positive, from warm
// items outside the user's training items), shuffled mini-batches, Adam, validation
// every n epochs, early stopping on validation NDCG@K with patience, test metrics at the
// best validation epoch only, best-model checkpoint, pause/resume and cancel (between
// batches), and TrainingEvents to listeners. Same config + seed + threads = same numbers.
#include "core/data/dataset.h"
#include "core/models/model.h"
#include "core/train/training_config.h"
#include "core/train/training_control.h"
#include "core/train/training_events.h"

#include <memory>
#include <vector>

namespace milk {

// The data a run trains on, prepared once: dataset, scenario mask, imputed features.
struct PreparedData {
    std::shared_ptr<const Dataset> dataset;
    AvailabilityMask mask;
    ItemGroups groups;
    std::vector<FeatureMatrix> features;
    ScenarioSpec scenario;
};
PreparedData prepare_data(std::shared_ptr<const Dataset> ds, const TrainingConfig& config);

class Trainer {
public:
    Trainer(TrainingConfig config, PreparedData data);
    void add_listener(TrainingListener* listener);
    // Runs to completion, early stop, cancellation or failure; never throws for those
    // (the status says which); throws ConfigError for a bad config before starting.
    RunFinished run(TrainingControl& control);
    Model& model() { return *model_; }
    const PreparedData& data() const { return data_; }

private:
    TrainingConfig config_;
    PreparedData data_;
    std::unique_ptr<Model> model_;
    std::vector<TrainingListener*> listeners_;
};

// Evaluate a model's current parameters on a split under the given prepared data.
EvalResult evaluate_model(const Model& model, const PreparedData& data, ItemRole split, const EvalOptions& options);

}  // namespace milk
