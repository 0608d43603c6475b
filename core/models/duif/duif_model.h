#pragma once
// DUIF (Geng et al., ICCV'15 "Learning image and user features for recommendation in
// social networks"; the content-only baseline of MMRec and of the MILK paper):
//   z_j = W [x^1_j ; ... ; x^M_j] + b        (one linear map of the concatenated features)
//   y_ij = <u_i, z_j>,  L = mean over the batch of -ln sigma(y_ij - y_ij') + Adam weight decay.
// Written on the generic autodiff (core/nn/graph.h): no hand-derived gradient.
#include "core/models/model.h"

namespace milk {

struct DuifOptions {
    int dim = 64;
    double weight_decay = 1e-4;
    double user_init_std = 0.1;
    nlohmann::json to_json() const;
    static DuifOptions from_json(const nlohmann::json& j);
};

class DuifModel final : public Model {
public:
    explicit DuifModel(DuifOptions options) : options_(options) {}
    std::string name() const override { return "duif"; }
    nlohmann::json config() const override { return options_.to_json(); }
    void initialize(const TrainingData& data, Rng& rng) override;
    BatchStats train_batch(const Batch& batch, Rng& rng) override;
    std::vector<nn::Parameter*> parameters() override { return {&user_, &w_, &b_}; }
    nn::Matrix user_embeddings() const override { return user_.value; }
    nn::Matrix item_embeddings(const std::vector<FeatureMatrix>& features,
                               std::span<const std::int32_t> items) const override;
    double weight_decay() const override { return options_.weight_decay; }

private:
    nn::Matrix concatenated(const std::vector<FeatureMatrix>& features, std::span<const std::int32_t> items) const;
    DuifOptions options_;
    TrainingData data_;
    nn::Parameter user_, w_, b_;
    std::vector<std::int32_t> slot_;
};

}  // namespace milk
