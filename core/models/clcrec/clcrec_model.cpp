#include "core/models/clcrec/clcrec_model.h"

#include "core/models/model_params.h"
#include "core/nn/init.h"

#include <random>

namespace milk {

nlohmann::json ClcRecOptions::to_json() const {
    return {{"dim", dim},       {"hidden", hidden}, {"tau", tau},
            {"lambda", lambda}, {"sample", sample}, {"reg", reg}, {"user_init_std", user_init_std}};
}

ClcRecOptions ClcRecOptions::from_json(const nlohmann::json& j) {
    ClcRecOptions o;
    ModelParams p(j, "clcrec");
    o.dim = p.integer("dim", o.dim, 1, 4096);
    o.hidden = p.integer("hidden", o.hidden, 1, 8192);
    o.tau = p.number("tau", o.tau, 1e-3, 100);
    o.lambda = p.number("lambda", o.lambda, 0, 1);
    o.sample = p.number("sample", o.sample, 0, 1);
    o.reg = p.number("reg", o.reg, 0, 10);
    o.user_init_std = p.number("user_init_std", o.user_init_std, 1e-6, 10);
    p.finish();
    return o;
}

void ClcRecModel::initialize(const TrainingData& data, Rng& rng) {
    data_ = data;
    const int d = options_.dim;
    const auto s = static_cast<float>(options_.user_init_std);
    user_ = nn::Parameter("user_embedding", nn::normal(data.dataset->n_users, d, s, rng));
    item_ = nn::Parameter("item_embedding", nn::normal(data.dataset->n_items, d, s, rng));
    enc1_.init("encoder.hidden", total_feature_dim(*data.features), options_.hidden, Activation::LeakyRelu, rng);
    enc2_.init("encoder.out", options_.hidden, d, Activation::None, rng);
}

std::vector<nn::Parameter*> ClcRecModel::parameters() {
    std::vector<nn::Parameter*> p{&user_, &item_};
    enc1_.add_to(p);
    enc2_.add_to(p);
    return p;
}

BatchStats ClcRecModel::train_batch(const Batch& batch, Rng& rng) {
    const BatchItems bi = batch_items(batch);
    const auto n_i = static_cast<Eigen::Index>(bi.items.size());
    const auto B = static_cast<Eigen::Index>(batch.users.size());
    const float inv_tau = static_cast<float>(1.0 / options_.tau);

    // Per distinct item: feed its content encoding to L_UI with probability `sample`.
    nn::Matrix use_c(n_i, 1);
    std::bernoulli_distribution pick(options_.sample);
    for (Eigen::Index r = 0; r < n_i; ++r) use_c(r, 0) = pick(rng) ? 1.0f : 0.0f;
    nn::Matrix use_v = nn::Matrix::Ones(n_i, 1) - use_c;
    const std::vector<std::int32_t> first(static_cast<std::size_t>(B), 0);  // target column: the positive

    nn::Graph g;
    nn::Var c = enc2_(enc1_(g.constant(concatenated_features(*data_.features, bi.items))));
    nn::Var v = nn::gather_rows(g.param(item_), bi.items);
    nn::Var u = nn::gather_rows(g.param(user_), batch.users);

    // L_RE: anchor v_pos, candidates c_pos (target) and every negative's c, cosine / tau.
    nn::Var cn = nn::l2_normalize_rows(c);
    nn::Var anchor = nn::l2_normalize_rows(nn::gather_rows(v, bi.pos));
    nn::Var re_logits = nn::scale(nn::concat_cols({nn::row_dot(anchor, nn::gather_rows(cn, bi.pos)),
                                                   matmul_transposed(anchor, nn::gather_rows(cn, bi.neg))}),
                                  inv_tau);
    nn::Var l_re = softmax_cross_entropy(re_logits, first);

    // L_UI: user against its positive (target) and every negative of the batch, r mixes c and v.
    nn::Var r = nn::add(nn::scale_rows(c, g.constant(std::move(use_c))), nn::scale_rows(v, g.constant(std::move(use_v))));
    nn::Var ui_logits = nn::scale(nn::concat_cols({nn::row_dot(u, nn::gather_rows(r, bi.pos)),
                                                   matmul_transposed(u, nn::gather_rows(r, bi.neg))}),
                                  inv_tau);
    nn::Var l_ui = softmax_cross_entropy(ui_logits, first);

    // reg * (mean ||u|| + mean ||v||) / 2, ||x|| = exp(log(x.x) / 2)
    auto mean_norm = [](nn::Var x) { return nn::mean(nn::exp(nn::scale(nn::log(nn::add_scalar(nn::row_dot(x, x), 1e-12f)), 0.5f))); };
    nn::Var norms = nn::scale(nn::add(mean_norm(u), mean_norm(v)), 0.5f);

    const auto lambda = static_cast<float>(options_.lambda);
    nn::Var loss = nn::add(nn::add(nn::scale(l_re, lambda), nn::scale(l_ui, 1.0f - lambda)),
                           nn::scale(norms, static_cast<float>(options_.reg)));
    g.backward(loss);

    BatchStats stats;
    stats.loss = loss.scalar();
    stats.series.emplace_back("contrastive_ui", l_ui.scalar());
    stats.series.emplace_back("contrastive_re", l_re.scalar());
    return stats;
}

nn::Matrix ClcRecModel::item_embeddings(const std::vector<FeatureMatrix>& features,
                                        std::span<const std::int32_t> items) const {
    const Eigen::Index n_items = features.empty() ? 0 : features[0].rows();
    return scatter_rows(enc2_.apply(enc1_.apply(concatenated_features(features, items))), items, n_items);
}

}  // namespace milk
