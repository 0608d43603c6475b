#include "core/models/duif/duif_model.h"

#include "core/models/model_params.h"
#include "core/nn/graph.h"

#include <cmath>
#include <random>

namespace milk {

nlohmann::json DuifOptions::to_json() const {
    return {{"dim", dim}, {"weight_decay", weight_decay}, {"user_init_std", user_init_std}};
}

DuifOptions DuifOptions::from_json(const nlohmann::json& j) {
    DuifOptions o;
    ModelParams p(j, "duif");
    o.dim = p.integer("dim", o.dim, 1, 4096);
    o.weight_decay = p.number("weight_decay", o.weight_decay, 0, 10);
    o.user_init_std = p.number("user_init_std", o.user_init_std, 1e-6, 10);
    p.finish();
    return o;
}

void DuifModel::initialize(const TrainingData& data, Rng& rng) {
    data_ = data;
    const int d = options_.dim;
    int in = 0;
    for (const auto& f : *data.features) in += static_cast<int>(f.cols());
    std::normal_distribution<float> normal(0.0f, static_cast<float>(options_.user_init_std));
    nn::Matrix u(data.dataset->n_users, d);
    for (Eigen::Index i = 0; i < u.size(); ++i) u.data()[i] = normal(rng);
    user_ = nn::Parameter("user_embedding", std::move(u));
    const float bound = std::sqrt(6.0f / static_cast<float>(in + d));
    std::uniform_real_distribution<float> uniform(-bound, bound);
    nn::Matrix w(in, d);
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = uniform(rng);
    w_ = nn::Parameter("content.weight", std::move(w));
    b_ = nn::Parameter("content.bias", nn::Matrix::Zero(1, d));
    slot_.assign(static_cast<std::size_t>(data.dataset->n_items), -1);
}

nn::Matrix DuifModel::concatenated(const std::vector<FeatureMatrix>& features,
                                   std::span<const std::int32_t> items) const {
    Eigen::Index cols = 0;
    for (const auto& f : features) cols += f.cols();
    nn::Matrix x(static_cast<Eigen::Index>(items.size()), cols);
    for (std::size_t r = 0; r < items.size(); ++r) {
        Eigen::Index c = 0;
        for (const auto& f : features) {
            x.row(static_cast<Eigen::Index>(r)).segment(c, f.cols()) = f.row(items[r]);
            c += f.cols();
        }
    }
    return x;
}

BatchStats DuifModel::train_batch(const Batch& batch, Rng&) {
    const int B = static_cast<int>(batch.users.size());
    std::vector<std::int32_t> items, pos(B), neg(B);
    auto slot_of = [&](std::int32_t item) {
        if (slot_[item] < 0) {
            slot_[item] = static_cast<std::int32_t>(items.size());
            items.push_back(item);
        }
        return slot_[item];
    };
    for (int b = 0; b < B; ++b) {
        pos[b] = slot_of(batch.positives[b]);
        neg[b] = slot_of(batch.negatives[b]);
    }
    for (std::int32_t item : items) slot_[item] = -1;

    nn::Graph g;
    nn::Var x = g.constant(concatenated(*data_.features, items));
    nn::Var z = nn::add_row_broadcast(nn::matmul(x, g.param(w_)), g.param(b_));
    nn::Var u = nn::gather_rows(g.param(user_), batch.users);
    nn::Var diff = nn::sub(nn::row_dot(u, nn::gather_rows(z, pos)), nn::row_dot(u, nn::gather_rows(z, neg)));
    nn::Var loss = nn::neg(nn::mean(nn::log_sigmoid(diff)));
    g.backward(loss);

    BatchStats stats;
    stats.loss = loss.scalar();
    stats.series.emplace_back("bpr_mean", stats.loss);
    return stats;
}

nn::Matrix DuifModel::item_embeddings(const std::vector<FeatureMatrix>& features,
                                      std::span<const std::int32_t> items) const {
    nn::Matrix z = concatenated(features, items) * w_.value;
    z.rowwise() += b_.value.row(0);
    nn::Matrix out = nn::Matrix::Zero(features.empty() ? 0 : features[0].rows(), options_.dim);
    for (std::size_t r = 0; r < items.size(); ++r) out.row(items[r]) = z.row(static_cast<Eigen::Index>(r));
    return out;
}

}  // namespace milk
