#include "core/models/heater/heater_model.h"

#include "core/models/common/warm_cf.h"
#include "core/models/model_params.h"

#include <random>

namespace milk {

nlohmann::json HeaterOptions::to_json() const {
    return {{"dim", dim},     {"hidden", hidden},         {"experts", experts}, {"alpha", alpha},
            {"rho", rho},     {"weight_decay", weight_decay}, {"cf_dim", cf_dim}, {"cf_epochs", cf_epochs}};
}

HeaterOptions HeaterOptions::from_json(const nlohmann::json& j) {
    HeaterOptions o;
    ModelParams p(j, "heater");
    o.dim = p.integer("dim", o.dim, 1, 4096);
    o.hidden = p.integer("hidden", o.hidden, 1, 8192);
    o.experts = p.integer("experts", o.experts, 1, 64);
    o.alpha = p.number("alpha", o.alpha, 0, 1000);
    o.rho = p.number("rho", o.rho, 0, 1);
    o.weight_decay = p.number("weight_decay", o.weight_decay, 0, 10);
    o.cf_dim = p.integer("cf_dim", o.cf_dim, 1, 4096);
    o.cf_epochs = p.integer("cf_epochs", o.cf_epochs, 0, 10000);
    p.finish();
    return o;
}

void HeaterModel::initialize(const TrainingData& data, Rng& rng) {
    data_ = data;
    WarmCfOptions cf;
    cf.dim = options_.cf_dim;
    cf.epochs = options_.cf_epochs;
    WarmCf warm = train_warm_cf(*data.dataset, cf, rng);
    cf_users_ = std::move(warm.users);
    cf_items_ = std::move(warm.items);
    const int in = total_feature_dim(*data.features);
    gate_.init("experts.gate", in, options_.experts, Activation::None, rng);
    expert_.assign(static_cast<std::size_t>(options_.experts), DenseLayer{});
    for (int k = 0; k < options_.experts; ++k)
        expert_[static_cast<std::size_t>(k)].init("experts." + std::to_string(k), in, options_.cf_dim, Activation::None, rng);
    user1_.init("user.hidden", options_.cf_dim, options_.hidden, Activation::Tanh, rng);
    user2_.init("user.out", options_.hidden, options_.dim, Activation::None, rng);
    item1_.init("item.hidden", options_.cf_dim, options_.hidden, Activation::Tanh, rng);
    item2_.init("item.out", options_.hidden, options_.dim, Activation::None, rng);
}

std::vector<nn::Parameter*> HeaterModel::parameters() {
    std::vector<nn::Parameter*> p;
    gate_.add_to(p);
    for (auto& e : expert_) e.add_to(p);
    user1_.add_to(p);
    user2_.add_to(p);
    item1_.add_to(p);
    item2_.add_to(p);
    return p;
}

nn::Var HeaterModel::experts(nn::Var x) {
    nn::Var g = row_softmax(gate_(x));
    nn::Var psi = nn::scale_rows(expert_[0](x), nn::slice_cols(g, 0, 1));
    for (int k = 1; k < options_.experts; ++k)
        psi = nn::add(psi, nn::scale_rows(expert_[static_cast<std::size_t>(k)](x), nn::slice_cols(g, k, 1)));
    return psi;
}

nn::Matrix HeaterModel::experts(const nn::Matrix& x) const {
    nn::Matrix logits = gate_.apply(x);
    nn::Matrix psi = nn::Matrix::Zero(x.rows(), options_.cf_dim);
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
        logits.row(r).array() -= logits.row(r).maxCoeff();
        logits.row(r) = logits.row(r).array().exp();
        logits.row(r) /= logits.row(r).sum();
    }
    for (int k = 0; k < options_.experts; ++k)
        psi += logits.col(k).asDiagonal() * expert_[static_cast<std::size_t>(k)].apply(x);
    return psi;
}

BatchStats HeaterModel::train_batch(const Batch& batch, Rng& rng) {
    const BatchItems bi = batch_items(batch);
    const auto n_i = static_cast<Eigen::Index>(bi.items.size());
    const auto B = static_cast<Eigen::Index>(batch.users.size());

    // Randomized training: per distinct item, Psi_v replaces Q_v with probability rho.
    nn::Matrix use_psi(n_i, 1);
    std::bernoulli_distribution pick(options_.rho);
    for (Eigen::Index r = 0; r < n_i; ++r) use_psi(r, 0) = pick(rng) ? 1.0f : 0.0f;
    nn::Matrix use_cf = nn::Matrix::Ones(n_i, 1) - use_psi;

    nn::Matrix target(2 * B, 1);
    for (Eigen::Index b = 0; b < B; ++b) {
        const auto u = batch.users[static_cast<std::size_t>(b)];
        target(b, 0) = cf_users_.row(u).dot(cf_items_.row(batch.positives[static_cast<std::size_t>(b)]));
        target(B + b, 0) = cf_users_.row(u).dot(cf_items_.row(batch.negatives[static_cast<std::size_t>(b)]));
    }

    nn::Graph g;
    nn::Var q = g.constant(take_rows(cf_items_, bi.items));
    nn::Var psi = experts(g.constant(concatenated_features(*data_.features, bi.items)));
    nn::Var sim = nn::scale(nn::squared_norm(nn::sub(psi, q)), 1.0f / static_cast<float>(n_i));
    nn::Var mixed = nn::add(nn::scale_rows(psi, g.constant(std::move(use_psi))), nn::scale_rows(q, g.constant(std::move(use_cf))));
    nn::Var v = item2_(item1_(mixed));
    nn::Var u = user2_(user1_(g.constant(take_rows(cf_users_, batch.users))));
    nn::Var pred = nn::concat_rows({nn::row_dot(u, nn::gather_rows(v, bi.pos)), nn::row_dot(u, nn::gather_rows(v, bi.neg))});
    nn::Var rec = nn::mse(pred, g.constant(std::move(target)));
    nn::Var loss = nn::add(rec, nn::scale(sim, static_cast<float>(options_.alpha)));
    g.backward(loss);

    BatchStats stats;
    stats.loss = loss.scalar();
    stats.series.emplace_back("score_mse", rec.scalar());
    stats.series.emplace_back("similarity", sim.scalar());
    return stats;
}

nn::Matrix HeaterModel::user_embeddings() const { return user2_.apply(user1_.apply(cf_users_)); }

nn::Matrix HeaterModel::item_embeddings(const std::vector<FeatureMatrix>& features,
                                        std::span<const std::int32_t> items) const {
    const nn::Matrix psi = experts(concatenated_features(features, items));
    const Eigen::Index n_items = features.empty() ? 0 : features[0].rows();
    return scatter_rows(item2_.apply(item1_.apply(psi)), items, n_items);
}

}  // namespace milk
