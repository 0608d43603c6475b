#include "core/models/gorec/gorec_model.h"

#include "core/models/model_params.h"
#include "core/nn/contrastive_ops.h"
#include "core/nn/init.h"

#include <cmath>
#include <random>

namespace milk {

nlohmann::json GoRecOptions::to_json() const {
    return {{"dim", dim},
            {"uniformity_weight", uniformity_weight},
            {"kl_weight", kl_weight},
            {"dropout", dropout},
            {"weight_decay", weight_decay},
            {"cf_epochs", cf_epochs},
            {"cf_learning_rate", cf_learning_rate},
            {"cf_reg", cf_reg}};
}

GoRecOptions GoRecOptions::from_json(const nlohmann::json& j) {
    GoRecOptions o;
    ModelParams p(j, "gorec");
    o.dim = p.integer("dim", o.dim, 1, 4096);
    o.uniformity_weight = p.number("uniformity_weight", o.uniformity_weight, 0, 100);
    o.kl_weight = p.number("kl_weight", o.kl_weight, 0, 1000);
    o.dropout = p.number("dropout", o.dropout, 0, 0.95);
    o.weight_decay = p.number("weight_decay", o.weight_decay, 0, 10);
    o.cf_epochs = p.integer("cf_epochs", o.cf_epochs, 1, 10000);
    o.cf_learning_rate = p.number("cf_learning_rate", o.cf_learning_rate, 1e-6, 1);
    o.cf_reg = p.number("cf_reg", o.cf_reg, 0, 10);
    p.finish();
    return o;
}

namespace {

// Concatenated features of the items, each row scaled to unit length (the public code's
// F.normalize of the side information).
nn::Matrix content_rows(const std::vector<FeatureMatrix>& features, std::span<const std::int32_t> items) {
    Eigen::Index cols = 0;
    for (const auto& f : features) cols += f.cols();
    nn::Matrix x(static_cast<Eigen::Index>(items.size()), cols);
    for (std::size_t r = 0; r < items.size(); ++r) {
        Eigen::Index c = 0;
        for (const auto& f : features) {
            x.row(static_cast<Eigen::Index>(r)).segment(c, f.cols()) = f.row(items[r]);
            c += f.cols();
        }
        const float norm = x.row(static_cast<Eigen::Index>(r)).norm();
        if (norm > 1e-12f) x.row(static_cast<Eigen::Index>(r)) /= norm;
    }
    return x;
}

nn::Matrix gaussian(Eigen::Index rows, Eigen::Index cols, Rng& rng) {
    std::normal_distribution<float> n(0.0f, 1.0f);
    nn::Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = n(rng);
    return m;
}

}  // namespace

void GoRecModel::Linear::init(const std::string& name, int in, int out, Rng& rng) {
    w = nn::Parameter(name + ".weight", nn::xavier_uniform(in, out, rng));
    b = nn::Parameter(name + ".bias", nn::Matrix::Zero(1, out));
}

nn::Var GoRecModel::Linear::operator()(nn::Var x) {
    nn::Graph& g = *x.graph;
    return nn::add_row_broadcast(nn::matmul(x, g.param(w)), g.param(b));
}

nn::Matrix GoRecModel::Linear::apply(const nn::Matrix& x) const {
    nn::Matrix y = x * w.value;
    y.rowwise() += b.value.row(0);
    return y;
}

void GoRecModel::initialize(const TrainingData& data, Rng& rng) {
    data_ = data;
    WarmCfOptions cf;
    cf.dim = options_.dim;
    cf.epochs = options_.cf_epochs;
    cf.learning_rate = options_.cf_learning_rate;
    cf.reg = options_.cf_reg;
    warm_ = train_warm_cf(*data.dataset, cf, rng);
    int c = 0;
    for (const auto& f : *data.features) c += static_cast<int>(f.cols());
    const int d = options_.dim;
    enc_.init("encoder", c + d, d, rng);
    enc_mu_.init("encoder.mu", d, d, rng);
    enc_var_.init("encoder.log_var", d, d, rng);
    prior_mu_.init("prior.mu", c, d, rng);
    prior_var_.init("prior.log_var", c, d, rng);
    dec_.init("decoder.input", c + d, d, rng);
    dec_1_.init("decoder.block1", d, d, rng);
    dec_2_.init("decoder.block2", d, d, rng);
}

std::vector<nn::Parameter*> GoRecModel::parameters() {
    std::vector<nn::Parameter*> p;
    for (Linear* l : {&enc_, &enc_mu_, &enc_var_, &prior_mu_, &prior_var_, &dec_, &dec_1_, &dec_2_}) {
        p.push_back(&l->w);
        p.push_back(&l->b);
    }
    return p;
}

nn::Var GoRecModel::decode(nn::Var z, nn::Var c) {
    return dec_2_(dec_1_(nn::tanh(dec_(nn::concat_cols({c, z})))));
}

GoRecModel::Terms GoRecModel::build_loss(nn::Graph& g, const Batch& batch, Rng& rng) {
    const Eigen::Index B = static_cast<Eigen::Index>(batch.positives.size());
    const int d = options_.dim;
    nn::Matrix e_rows(B, d);
    for (Eigen::Index r = 0; r < B; ++r) e_rows.row(r) = warm_.items.row(batch.positives[static_cast<std::size_t>(r)]);
    nn::Var e = g.constant(std::move(e_rows));
    nn::Var c = g.constant(content_rows(*data_.features, batch.positives));

    nn::Var h = nn::tanh(enc_(nn::concat_cols({c, e})));
    nn::Var mu = enc_mu_(h), log_var = enc_var_(h);
    nn::Var mu_c = prior_mu_(c), log_var_c = prior_var_(c);
    nn::Var z = nn::add(mu, nn::mul(g.constant(gaussian(B, d, rng)), nn::exp(nn::scale(log_var, 0.5f))));
    nn::Var z_c = nn::add(mu_c, nn::mul(g.constant(gaussian(B, d, rng)), nn::exp(nn::scale(log_var_c, 0.5f))));
    nn::Var c_in = options_.dropout > 0 ? nn::dropout(c, static_cast<float>(options_.dropout), rng) : c;
    nn::Var reconstruction = nn::mse(decode(z, c_in), e);

    // Uniformity: ||a - b||^2 = 2 - 2 cos for unit rows, so exp(-2 ||.||^2) = exp(4 cos - 4).
    nn::Var unit = nn::l2_normalize_rows(mu);
    nn::Var cos = nn::matmul(unit, nn::transpose(unit));
    nn::Matrix upper = nn::Matrix::Zero(B, B);
    for (Eigen::Index i = 0; i < B; ++i)
        for (Eigen::Index k = i + 1; k < B; ++k) upper(i, k) = 1.0f;
    const float pairs = static_cast<float>(std::max<Eigen::Index>(1, B * (B - 1) / 2));
    nn::Var kernel = nn::exp(nn::add_scalar(nn::scale(cos, 4.0f), -4.0f));
    nn::Var uniformity = nn::log(nn::scale(nn::sum(nn::mul(kernel, g.constant(std::move(upper)))), 1.0f / pairs));

    nn::Var log_q = nn::log_softmax_rows(z);
    nn::Var log_p = nn::log_softmax_rows(z_c);
    nn::Var kl = nn::mean(nn::mul(nn::exp(log_p), nn::sub(log_p, log_q)));

    nn::Var loss = nn::add(reconstruction, nn::add(nn::scale(uniformity, static_cast<float>(options_.uniformity_weight)),
                                                    nn::scale(kl, static_cast<float>(options_.kl_weight))));
    return {loss, reconstruction, uniformity, kl};
}

BatchStats GoRecModel::train_batch(const Batch& batch, Rng& rng) {
    nn::Graph g;
    Terms t = build_loss(g, batch, rng);
    g.backward(t.loss);
    BatchStats stats;
    stats.loss = t.loss.scalar();
    stats.series.emplace_back("reconstruction", t.reconstruction.scalar());
    stats.series.emplace_back("uniformity", t.uniformity.scalar());
    stats.series.emplace_back("kl", t.kl.scalar());
    return stats;
}

nn::Matrix GoRecModel::item_embeddings(const std::vector<FeatureMatrix>& features,
                                       std::span<const std::int32_t> items) const {
    const nn::Matrix c = content_rows(features, items);
    const nn::Matrix z = prior_mu_.apply(c);
    nn::Matrix in(c.rows(), c.cols() + z.cols());
    in << c, z;
    const nn::Matrix e = dec_2_.apply(dec_1_.apply(dec_.apply(in).array().tanh().matrix()));
    nn::Matrix out = nn::Matrix::Zero(features.empty() ? 0 : features[0].rows(), e.cols());
    for (std::size_t r = 0; r < items.size(); ++r) out.row(items[r]) = e.row(static_cast<Eigen::Index>(r));
    return out;
}

}  // namespace milk
