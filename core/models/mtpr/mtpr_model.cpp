#include "core/models/mtpr/mtpr_model.h"

#include "core/models/model_params.h"
#include "core/nn/init.h"

namespace milk {

nlohmann::json MtprOptions::to_json() const {
    return {{"dim", dim}, {"hidden", hidden}, {"reg", reg}, {"user_init_std", user_init_std}};
}

MtprOptions MtprOptions::from_json(const nlohmann::json& j) {
    MtprOptions o;
    ModelParams p(j, "mtpr");
    o.dim = p.integer("dim", o.dim, 1, 4096);
    o.hidden = p.integer("hidden", o.hidden, 1, 8192);
    o.reg = p.number("reg", o.reg, 0, 10);
    o.user_init_std = p.number("user_init_std", o.user_init_std, 1e-6, 10);
    p.finish();
    return o;
}

void MtprModel::initialize(const TrainingData& data, Rng& rng) {
    data_ = data;
    const int d = options_.dim;
    const auto s = static_cast<float>(options_.user_init_std);
    user_ = nn::Parameter("user_embedding", nn::normal(data.dataset->n_users, 2 * d, s, rng));
    item_ = nn::Parameter("item_preference", nn::normal(data.dataset->n_items, d, s, rng));
    enc1_.init("content.hidden", total_feature_dim(*data.features), options_.hidden, Activation::LeakyRelu, rng);
    enc2_.init("content.out", options_.hidden, d, Activation::None, rng);
}

std::vector<nn::Parameter*> MtprModel::parameters() {
    std::vector<nn::Parameter*> p{&user_, &item_};
    enc1_.add_to(p);
    enc2_.add_to(p);
    return p;
}

BatchStats MtprModel::train_batch(const Batch& batch, Rng&) {
    const BatchItems bi = batch_items(batch);
    const auto n_i = static_cast<Eigen::Index>(bi.items.size());
    const auto B = static_cast<float>(batch.users.size());

    nn::Graph g;
    nn::Var c = enc2_(enc1_(g.constant(concatenated_features(*data_.features, bi.items))));
    nn::Var v = nn::gather_rows(g.param(item_), bi.items);
    nn::Var z = nn::concat_cols({v, c});
    nn::Var z0 = nn::concat_cols({g.constant(nn::Matrix::Zero(n_i, options_.dim)), c});
    nn::Var p = nn::gather_rows(g.param(user_), batch.users);
    nn::Var y_pos = nn::row_dot(p, nn::gather_rows(z, bi.pos));
    nn::Var y_neg = nn::row_dot(p, nn::gather_rows(z, bi.neg));
    nn::Var y0_pos = nn::row_dot(p, nn::gather_rows(z0, bi.pos));
    nn::Var y0_neg = nn::row_dot(p, nn::gather_rows(z0, bi.neg));
    auto bpr = [](nn::Var a, nn::Var b) { return nn::neg(nn::mean(nn::log_sigmoid(nn::sub(a, b)))); };
    nn::Var normal = bpr(y_pos, y_neg);
    nn::Var counterfactual = bpr(y0_pos, y0_neg);
    nn::Var mixed = nn::add(bpr(y_pos, y0_neg), bpr(y0_pos, y_neg));
    nn::Var reg = nn::add(nn::squared_norm(p), nn::add(nn::squared_norm(nn::gather_rows(v, bi.pos)),
                                                       nn::squared_norm(nn::gather_rows(v, bi.neg))));
    nn::Var loss = nn::add(nn::add(normal, counterfactual),
                           nn::add(mixed, nn::scale(reg, static_cast<float>(options_.reg) / B)));
    g.backward(loss);

    BatchStats stats;
    stats.loss = loss.scalar();
    stats.series.emplace_back("bpr_normal", normal.scalar());
    stats.series.emplace_back("bpr_counterfactual", counterfactual.scalar());
    return stats;
}

nn::Matrix MtprModel::item_embeddings(const std::vector<FeatureMatrix>& features,
                                      std::span<const std::int32_t> items) const {
    const nn::Matrix c = enc2_.apply(enc1_.apply(concatenated_features(features, items)));
    nn::Matrix z0(c.rows(), 2 * options_.dim);
    z0 << nn::Matrix::Zero(c.rows(), options_.dim), c;
    const Eigen::Index n_items = features.empty() ? 0 : features[0].rows();
    return scatter_rows(z0, items, n_items);
}

}  // namespace milk
