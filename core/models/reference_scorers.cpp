#include "core/models/reference_scorers.h"

#include <random>

namespace milk {

void RandomScorer::initialize(const TrainingData& data, Rng& rng) {
    const int d = 16;
    std::normal_distribution<float> normal(0.0f, 1.0f);
    users_.resize(data.dataset->n_users, d);
    items_.resize(data.dataset->n_items, d);
    for (Eigen::Index i = 0; i < users_.size(); ++i) users_.data()[i] = normal(rng);
    for (Eigen::Index i = 0; i < items_.size(); ++i) items_.data()[i] = normal(rng);
}

void PopularityScorer::initialize(const TrainingData& data, Rng&) {
    const Dataset& ds = *data.dataset;
    users_ = nn::Matrix::Ones(ds.n_users, 1);
    items_ = nn::Matrix::Zero(ds.n_items, 1);
    for (std::int32_t item : ds.train.items) items_(item, 0) += 1.0f;
}

}  // namespace milk
