#include "core/models/dropoutnet/dropoutnet_model.h"

#include "core/models/common/warm_cf.h"
#include "core/models/model_params.h"

#include <random>

namespace milk {

nlohmann::json DropoutNetOptions::to_json() const {
    return {{"dim", dim},           {"hidden", hidden}, {"dropout", dropout}, {"weight_decay", weight_decay},
            {"cf_dim", cf_dim},     {"cf_epochs", cf_epochs}};
}

DropoutNetOptions DropoutNetOptions::from_json(const nlohmann::json& j) {
    DropoutNetOptions o;
    ModelParams p(j, "dropoutnet");
    o.dim = p.integer("dim", o.dim, 1, 4096);
    o.hidden = p.integer("hidden", o.hidden, 1, 8192);
    o.dropout = p.number("dropout", o.dropout, 0, 1);
    o.weight_decay = p.number("weight_decay", o.weight_decay, 0, 10);
    o.cf_dim = p.integer("cf_dim", o.cf_dim, 1, 4096);
    o.cf_epochs = p.integer("cf_epochs", o.cf_epochs, 0, 10000);
    p.finish();
    return o;
}

void DropoutNetModel::initialize(const TrainingData& data, Rng& rng) {
    data_ = data;
    WarmCfOptions cf;
    cf.dim = options_.cf_dim;
    cf.epochs = options_.cf_epochs;
    WarmCf warm = train_warm_cf(*data.dataset, cf, rng);
    cf_users_ = std::move(warm.users);
    cf_items_ = std::move(warm.items);
    const int in_item = options_.cf_dim + total_feature_dim(*data.features);
    user1_.init("user.hidden", options_.cf_dim, options_.hidden, Activation::Tanh, rng);
    user2_.init("user.out", options_.hidden, options_.dim, Activation::None, rng);
    item1_.init("item.hidden", in_item, options_.hidden, Activation::Tanh, rng);
    item2_.init("item.out", options_.hidden, options_.dim, Activation::None, rng);
}

std::vector<nn::Parameter*> DropoutNetModel::parameters() {
    std::vector<nn::Parameter*> p;
    user1_.add_to(p);
    user2_.add_to(p);
    item1_.add_to(p);
    item2_.add_to(p);
    return p;
}

BatchStats DropoutNetModel::train_batch(const Batch& batch, Rng& rng) {
    const BatchItems bi = batch_items(batch);
    const auto n_i = static_cast<Eigen::Index>(bi.items.size());
    const auto B = static_cast<Eigen::Index>(batch.users.size());

    // Input dropout on the item preference vectors (one draw per distinct item of the batch).
    nn::Matrix pref = take_rows(cf_items_, bi.items);
    std::bernoulli_distribution drop(options_.dropout);
    for (Eigen::Index r = 0; r < n_i; ++r)
        if (drop(rng)) pref.row(r).setZero();
    nn::Matrix item_in(n_i, pref.cols() + total_feature_dim(*data_.features));
    item_in << pref, concatenated_features(*data_.features, bi.items);

    // Targets: the pre-trained scores U_u . V_v of the (u, pos) and (u, neg) pairs.
    nn::Matrix target(2 * B, 1);
    for (Eigen::Index b = 0; b < B; ++b) {
        const auto u = batch.users[static_cast<std::size_t>(b)];
        target(b, 0) = cf_users_.row(u).dot(cf_items_.row(batch.positives[static_cast<std::size_t>(b)]));
        target(B + b, 0) = cf_users_.row(u).dot(cf_items_.row(batch.negatives[static_cast<std::size_t>(b)]));
    }

    nn::Graph g;
    nn::Var fu = user2_(user1_(g.constant(take_rows(cf_users_, batch.users))));
    nn::Var fv = item2_(item1_(g.constant(std::move(item_in))));
    nn::Var pred = nn::concat_rows({nn::row_dot(fu, nn::gather_rows(fv, bi.pos)),
                                    nn::row_dot(fu, nn::gather_rows(fv, bi.neg))});
    nn::Var loss = nn::mse(pred, g.constant(std::move(target)));
    g.backward(loss);

    BatchStats stats;
    stats.loss = loss.scalar();
    stats.series.emplace_back("score_mse", stats.loss);
    return stats;
}

nn::Matrix DropoutNetModel::user_embeddings() const { return user2_.apply(user1_.apply(cf_users_)); }

nn::Matrix DropoutNetModel::item_embeddings(const std::vector<FeatureMatrix>& features,
                                            std::span<const std::int32_t> items) const {
    const auto n = static_cast<Eigen::Index>(items.size());
    nn::Matrix in(n, options_.cf_dim + total_feature_dim(features));
    in << nn::Matrix::Zero(n, options_.cf_dim), concatenated_features(features, items);  // new items: V~ = 0
    const Eigen::Index n_items = features.empty() ? 0 : features[0].rows();
    return scatter_rows(item2_.apply(item1_.apply(in)), items, n_items);
}

}  // namespace milk
