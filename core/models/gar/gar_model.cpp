#include "core/models/gar/gar_model.h"

#include "core/models/model_params.h"

namespace milk {

nlohmann::json GarOptions::to_json() const {
    return {{"dim", dim},
            {"hidden", hidden},
            {"alpha", alpha},
            {"beta", beta},
            {"weight_decay", weight_decay},
            {"cf_epochs", cf_epochs},
            {"cf_learning_rate", cf_learning_rate},
            {"cf_reg", cf_reg}};
}

GarOptions GarOptions::from_json(const nlohmann::json& j) {
    GarOptions o;
    ModelParams p(j, "gar");
    o.dim = p.integer("dim", o.dim, 1, 4096);
    o.hidden = p.integer("hidden", o.hidden, 1, 4096);
    o.alpha = p.number("alpha", o.alpha, 0, 1);
    o.beta = p.number("beta", o.beta, 0, 1);
    o.weight_decay = p.number("weight_decay", o.weight_decay, 0, 10);
    o.cf_epochs = p.integer("cf_epochs", o.cf_epochs, 1, 10000);
    o.cf_learning_rate = p.number("cf_learning_rate", o.cf_learning_rate, 1e-6, 1);
    o.cf_reg = p.number("cf_reg", o.cf_reg, 0, 10);
    p.finish();
    return o;
}

namespace {

nn::Matrix rows_of(const nn::Matrix& m, std::span<const std::int32_t> ids) {
    nn::Matrix out(static_cast<Eigen::Index>(ids.size()), m.cols());
    for (std::size_t r = 0; r < ids.size(); ++r) out.row(static_cast<Eigen::Index>(r)) = m.row(ids[r]);
    return out;
}

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
    }
    return x;
}

nn::Var mean_abs(nn::Var a) { return nn::mean(nn::add(nn::relu(a), nn::relu(nn::neg(a)))); }

}  // namespace

void GarModel::initialize(const TrainingData& data, Rng& rng) {
    data_ = data;
    WarmCfOptions cf;
    cf.dim = options_.dim;
    cf.epochs = options_.cf_epochs;
    cf.learning_rate = options_.cf_learning_rate;
    cf.reg = options_.cf_reg;
    warm_ = train_warm_cf(*data.dataset, cf, rng);
    int in = 0;
    for (const auto& f : *data.features) in += static_cast<int>(f.cols());
    generator_.init("generator", in, options_.hidden, options_.dim, rng);
    user_tower_.init("recommender.user", options_.dim, options_.hidden, options_.dim, rng);
    item_tower_.init("recommender.item", options_.dim, options_.hidden, options_.dim, rng);
}

std::vector<nn::Parameter*> GarModel::generator_parameters() {
    std::vector<nn::Parameter*> p;
    generator_.add_to(p);
    return p;
}

std::vector<nn::Parameter*> GarModel::recommender_parameters() {
    std::vector<nn::Parameter*> p;
    user_tower_.add_to(p);
    item_tower_.add_to(p);
    return p;
}

std::vector<nn::Parameter*> GarModel::parameters() {
    std::vector<nn::Parameter*> p = generator_parameters();
    for (auto* q : recommender_parameters()) p.push_back(q);
    return p;
}

GarModel::Losses GarModel::losses(const Batch& batch, bool backward) {
    const nn::Matrix p = rows_of(warm_.users, batch.users);
    const nn::Matrix q_pos = rows_of(warm_.items, batch.positives);
    const nn::Matrix q_neg = rows_of(warm_.items, batch.negatives);
    const nn::Matrix x = content_rows(*data_.features, batch.positives);
    Losses out;
    {  // recommender step: generated embeddings are constants
        nn::Graph g;
        nn::Var u = user_tower_(g.constant(p));
        nn::Var real = nn::row_dot(u, item_tower_(g.constant(q_pos)));
        nn::Var fake = nn::row_dot(u, item_tower_(g.constant(generator_.apply(x))));
        nn::Var negative = nn::row_dot(u, item_tower_(g.constant(q_neg)));
        nn::Var margin = nn::sub(nn::sub(real, nn::scale(fake, static_cast<float>(1 - options_.beta))),
                                 nn::scale(negative, static_cast<float>(options_.beta)));
        nn::Var loss = nn::mean(nn::softplus(nn::neg(margin)));
        if (backward) g.backward(loss);
        out.recommender = loss.scalar();
    }
    {  // generator step: the recommender's towers are constants
        nn::Graph g;
        nn::Var gen = generator_(g.constant(x));
        nn::Var u = user_tower_(g.constant(p), true);
        nn::Var fake = nn::row_dot(u, item_tower_(gen, true));
        nn::Var real = nn::row_dot(u, item_tower_(g.constant(q_pos), true));
        nn::Var adversarial = nn::mean(nn::softplus(nn::neg(nn::sub(fake, real))));
        nn::Var similarity = mean_abs(nn::sub(gen, g.constant(q_pos)));
        nn::Var loss = nn::add(nn::scale(adversarial, static_cast<float>(1 - options_.alpha)),
                               nn::scale(similarity, static_cast<float>(options_.alpha)));
        if (backward) g.backward(loss);
        out.generator = loss.scalar();
        out.similarity = similarity.scalar();
    }
    return out;
}

BatchStats GarModel::train_batch(const Batch& batch, Rng&) {
    const Losses l = losses(batch, true);
    BatchStats stats;
    stats.loss = l.recommender + l.generator;
    stats.series.emplace_back("recommender_loss", l.recommender);
    stats.series.emplace_back("generator_loss", l.generator);
    stats.series.emplace_back("similarity", l.similarity);
    return stats;
}

nn::Matrix GarModel::user_embeddings() const { return user_tower_.apply(warm_.users); }

nn::Matrix GarModel::item_embeddings(const std::vector<FeatureMatrix>& features,
                                     std::span<const std::int32_t> items) const {
    const nn::Matrix z = item_tower_.apply(generator_.apply(content_rows(features, items)));
    nn::Matrix out = nn::Matrix::Zero(features.empty() ? 0 : features[0].rows(), z.cols());
    for (std::size_t r = 0; r < items.size(); ++r) out.row(items[r]) = z.row(static_cast<Eigen::Index>(r));
    return out;
}

}  // namespace milk
