#pragma once
// Floors every learned model must clear. `random`: seeded random user and item vectors.
// `popularity`: items ranked by their training interaction count; new items have none,
// so among new items it is a fixed order (ties broken by id): what popularity can do
// for items nobody has seen.
#include "core/models/model.h"

namespace milk {

class RandomScorer final : public Model {
public:
    std::string name() const override { return "random"; }
    nlohmann::json config() const override { return nlohmann::json::object(); }
    void initialize(const TrainingData& data, Rng& rng) override;
    BatchStats train_batch(const Batch&, Rng&) override { return {}; }
    std::vector<nn::Parameter*> parameters() override { return {}; }
    nn::Matrix user_embeddings() const override { return users_; }
    nn::Matrix item_embeddings(const std::vector<FeatureMatrix>&, std::span<const std::int32_t>) const override {
        return items_;
    }
    bool trainable() const override { return false; }

private:
    nn::Matrix users_, items_;
};

class PopularityScorer final : public Model {
public:
    std::string name() const override { return "popularity"; }
    nlohmann::json config() const override { return nlohmann::json::object(); }
    void initialize(const TrainingData& data, Rng& rng) override;
    BatchStats train_batch(const Batch&, Rng&) override { return {}; }
    std::vector<nn::Parameter*> parameters() override { return {}; }
    nn::Matrix user_embeddings() const override { return users_; }
    nn::Matrix item_embeddings(const std::vector<FeatureMatrix>&, std::span<const std::int32_t>) const override {
        return items_;
    }
    bool trainable() const override { return false; }

private:
    nn::Matrix users_, items_;
};

}  // namespace milk
