#pragma once
// What everything that trains, evaluates, checkpoints or draws a model relies on.
// Models are two-tower at inference: score(u, j) = <user_embedding(u), item_embedding(j)>,
// where item embeddings come from (imputed) content features only, so new items can be
// scored. Model-specific diagnostics (MILK's environment weights and per-environment
// losses, a GAN's two losses) leave the model as named series in BatchStats.
#include "core/data/dataset.h"
#include "core/nn/parameter.h"
#include "core/scenario/scenario.h"

#include <nlohmann/json.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace milk {

using Rng = std::mt19937_64;

// Everything a model may look at while training: the dataset, the scenario's mask,
// and the imputed, normalised features (one n_items x d_m matrix per modality).
struct TrainingData {
    const Dataset* dataset = nullptr;
    const AvailabilityMask* mask = nullptr;
    const std::vector<FeatureMatrix>* features = nullptr;
};

// One mini-batch of BPR triples (user, positive item, negative item).
struct Batch {
    std::span<const std::int32_t> users, positives, negatives;
};

struct BatchStats {
    double loss = 0;                              // the objective that was minimised
    std::vector<std::pair<std::string, double>> series;  // named diagnostics, e.g. "bpr_mean", "variance", "align", "env_0"
    std::vector<std::vector<float>> env_weights;  // MILK: environments x modalities (empty for others)
};

class Model {
public:
    virtual ~Model() = default;
    virtual std::string name() const = 0;
    // Hyper-parameters as JSON (round-trips through the model registry).
    virtual nlohmann::json config() const = 0;
    // Allocate and initialise parameters for this data (called once before training).
    virtual void initialize(const TrainingData& data, Rng& rng) = 0;
    // Hook called at the start of every epoch (e.g. to redraw fixed environments).
    virtual void begin_epoch(int /*epoch*/, Rng& /*rng*/) {}
    // Loss on one batch; accumulates d loss / d parameter into each Parameter::grad.
    virtual BatchStats train_batch(const Batch& batch, Rng& rng) = 0;
    virtual std::vector<nn::Parameter*> parameters() = 0;
    // n_users x d
    virtual nn::Matrix user_embeddings() const = 0;
    // n_items x d from the given (imputed) features; only `items` rows need be valid
    // (others may be left zero). Inference uses the paper's equal weights (Eq. 18).
    virtual nn::Matrix item_embeddings(const std::vector<FeatureMatrix>& features,
                                       std::span<const std::int32_t> items) const = 0;
    // Weight decay the optimiser applies (models with an explicit L2 term return 0).
    virtual double weight_decay() const { return 0.0; }
    // Whether negatives may be drawn from new items too (the public code's choice).
    virtual bool negatives_from_all_items() const { return false; }
    // Reference scorers (random, popularity) have nothing to train: evaluated once.
    virtual bool trainable() const { return true; }
};

// A registered model: its name, description and default hyper-parameters, with
// per-key ranges for forms (the GUI lists models from here, never hard-coded).
struct HyperParameter {
    std::string key, symbol, description;  // symbol cites the paper, e.g. "beta (Eq. 16)"
    double default_value = 0, min = 0, max = 0;
    bool integer = false, log_scale = false;
};
struct ModelInfo {
    std::string name, title, description;
    std::vector<HyperParameter> hyper_parameters;
    std::vector<std::pair<std::string, std::string>> switches;  // boolean key -> description
};
const std::vector<ModelInfo>& model_registry();
const ModelInfo& model_info(const std::string& name);  // throws ConfigError
// Builds a model from its name and JSON hyper-parameters; unknown keys and out-of-range
// values throw ConfigError naming the key.
std::unique_ptr<Model> create_model(const std::string& name, const nlohmann::json& params);

}  // namespace milk
