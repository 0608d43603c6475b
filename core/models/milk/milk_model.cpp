#include "core/models/milk/milk_model.h"

#include "core/error.h"
#include "core/models/model_params.h"
#include "core/nn/parallel_matmul.h"

#include <cmath>
#include <random>

namespace milk {

namespace {

double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
double sigmoid(double x) {
    if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
    double e = std::exp(x);
    return e / (1.0 + e);
}

// Rows `items` of `x` into a dense block (the batch's distinct items only).
FeatureMatrix gather_rows(const FeatureMatrix& x, std::span<const std::int32_t> items) {
    FeatureMatrix out(static_cast<Eigen::Index>(items.size()), x.cols());
    for (std::size_t r = 0; r < items.size(); ++r) out.row(static_cast<Eigen::Index>(r)) = x.row(items[r]);
    return out;
}

}  // namespace

nlohmann::json MilkOptions::to_json() const {
    return {{"dim", dim},       {"alpha", alpha},   {"beta", beta},     {"lambda", lambda},
            {"reg", reg},       {"user_init_std", user_init_std},        {"cmam", cmam},
            {"ceim", ceim},     {"env0", env0},     {"cyclic_shift", cyclic_shift},
            {"redraw", redraw}, {"reference", reference}};
}

MilkOptions MilkOptions::from_json(const nlohmann::json& j) {
    MilkOptions o;
    ModelParams p(j, "milk");
    o.dim = p.integer("dim", o.dim, 1, 4096);
    o.alpha = p.number("alpha", o.alpha, 1e-4, 1e4);
    o.beta = p.number("beta", o.beta, 0, 1e6);
    o.lambda = p.number("lambda", o.lambda, 0, 1e4);
    o.reg = p.number("reg", o.reg, 0, 10);
    o.user_init_std = p.number("user_init_std", o.user_init_std, 1e-6, 10);
    o.cmam = p.boolean("cmam", o.cmam);
    o.ceim = p.boolean("ceim", o.ceim);
    o.env0 = p.boolean("env0", o.env0);
    o.cyclic_shift = p.boolean("cyclic_shift", o.cyclic_shift);
    o.redraw = p.boolean("redraw", o.redraw);
    o.reference = p.boolean("reference", o.reference);
    p.finish();
    return o;
}

MilkModel::MilkModel(MilkOptions options) : options_(options) {}

void MilkModel::initialize(const TrainingData& data, Rng& rng) {
    data_ = data;
    const Dataset& ds = *data.dataset;
    const int d = options_.dim;
    const int m_count = static_cast<int>(data.features->size());
    if (m_count < 1) throw ConfigError("milk: the dataset has no modality");
    std::normal_distribution<float> normal(0.0f, static_cast<float>(options_.user_init_std));
    nn::Matrix u(ds.n_users, d);
    for (Eigen::Index i = 0; i < u.size(); ++i) u.data()[i] = normal(rng);
    user_ = nn::Parameter("user_embedding", std::move(u));
    w_.clear();
    b_.clear();
    for (int m = 0; m < m_count; ++m) {
        const int in = static_cast<int>((*data.features)[m].cols());
        const float bound = std::sqrt(6.0f / static_cast<float>(in + d));  // Xavier-uniform
        std::uniform_real_distribution<float> uniform(-bound, bound);
        nn::Matrix w(in, d);
        for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = uniform(rng);
        const std::string name = ds.modalities.size() == static_cast<std::size_t>(m_count) ? ds.modalities[m].name
                                                                                              : std::to_string(m);
        w_.emplace_back("extractor_" + name + ".weight", std::move(w));
        b_.emplace_back("extractor_" + name + ".bias", nn::Matrix::Zero(1, d));
    }
    EnvironmentStrategy strategy;
    strategy.alpha = options_.alpha;
    strategy.include_equal = options_.env0;
    strategy.cyclic_shift = options_.cyclic_shift;
    strategy.redraw = options_.redraw;
    mixup_ = std::make_unique<CyclicMixup>(m_count, strategy);
    slot_.assign(static_cast<std::size_t>(ds.n_items), -1);
    last_env_.clear();
}

std::vector<nn::Parameter*> MilkModel::parameters() {
    std::vector<nn::Parameter*> out{&user_};
    for (auto& w : w_) out.push_back(&w);
    for (auto& b : b_) out.push_back(&b);
    return out;
}

BatchStats MilkModel::train_batch(const Batch& batch, Rng& rng) {
    const int B = static_cast<int>(batch.users.size());
    const int M = n_modalities();
    const int d = options_.dim;
    const auto& features = *data_.features;

    // The batch's distinct items: every modality is projected once for these rows only.
    std::vector<std::int32_t> items;
    std::vector<std::uint8_t> is_positive;
    std::vector<int> pos_slot(B), neg_slot(B);
    auto slot_of = [&](std::int32_t item, bool positive) {
        if (slot_[item] < 0) {
            slot_[item] = static_cast<std::int32_t>(items.size());
            items.push_back(item);
            is_positive.push_back(0);
        }
        if (positive) is_positive[slot_[item]] = 1;
        return slot_[item];
    };
    for (int b = 0; b < B; ++b) {
        pos_slot[b] = slot_of(batch.positives[b], true);
        neg_slot[b] = slot_of(batch.negatives[b], false);
    }
    for (std::int32_t item : items) slot_[item] = -1;
    const int n_i = static_cast<int>(items.size());

    // Gathered feature rows live in buffers kept across batches (sized for the largest
    // batch seen), so a 4096-d modality does not cost fresh pages every batch.
    if (gather_.size() != static_cast<std::size_t>(M)) gather_.assign(M, FeatureMatrix());
    std::vector<nn::Matrix> c(M);
    for (int m = 0; m < M; ++m) {
        if (gather_[m].rows() < n_i || gather_[m].cols() != features[m].cols())
            gather_[m].resize(std::max<Eigen::Index>(n_i, 2 * B), features[m].cols());
        nn::gather_matmul_rows(features[m], items, gather_[m], w_[m].value, c[m], Eigen::nbThreads());
        c[m].rowwise() += b_[m].value.row(0);
    }
    nn::Matrix ub(B, d);
    for (int b = 0; b < B; ++b) ub.row(b) = user_.value.row(batch.users[b]);

    // Per-modality score differences s(m, b) = <u, c^m_pos> - <u, c^m_neg>.
    Eigen::MatrixXd s(M, B);
    for (int m = 0; m < M; ++m)
        for (int b = 0; b < B; ++b)
            s(m, b) = ub.row(b).dot(c[m].row(pos_slot[b]) - c[m].row(neg_slot[b]));

    // Environments (Eq. 9-12); without CEIM a single equal-weight environment.
    std::vector<std::vector<float>> envs;
    if (options_.ceim) {
        envs = mixup_->next(rng);
    } else {
        envs.assign(1, std::vector<float>(M, 1.0f / static_cast<float>(M)));
    }
    const int E = static_cast<int>(envs.size());
    Eigen::MatrixXd theta(E, M);
    for (int e = 0; e < E; ++e)
        for (int m = 0; m < M; ++m) theta(e, m) = envs[e][m];
    const Eigen::MatrixXd diff = theta * s;  // E x B: y^e_pos - y^e_neg

    std::vector<double> env_loss(E, 0.0);
    Eigen::MatrixXd sig(E, B);
    for (int e = 0; e < E; ++e) {
        double total = 0;
        for (int b = 0; b < B; ++b) {
            total += softplus(-diff(e, b));
            sig(e, b) = sigmoid(-diff(e, b));
        }
        env_loss[e] = total / B;
    }
    double mean = 0;
    for (double l : env_loss) mean += l;
    mean /= E;
    double sq = 0;
    for (double l : env_loss) sq += (l - mean) * (l - mean);
    const bool unbiased = options_.reference;
    const double var_den = unbiased ? std::max(E - 1, 1) : E;
    const double variance = E > 1 ? sq / var_den : 0.0;

    double invariance_loss;
    std::vector<double> d_env(E);
    if (options_.ceim) {
        const double head = options_.reference ? 1.0 : 1.0 / E;
        invariance_loss = (options_.reference ? mean * E : mean) + options_.beta * variance;
        for (int e = 0; e < E; ++e)
            d_env[e] = head + (E > 1 ? options_.beta * 2.0 * (env_loss[e] - mean) / var_den : 0.0);
    } else {
        invariance_loss = env_loss[0];
        d_env[0] = 1.0;
    }

    // dL/ds(m, b) = sum_e dL/dL_e * (-sigma(-diff)/B) * theta_em
    Eigen::MatrixXd g(E, B);
    for (int e = 0; e < E; ++e) g.row(e) = sig.row(e) * (-d_env[e] / B);
    const Eigen::MatrixXd h = theta.transpose() * g;  // M x B

    std::vector<nn::Matrix> dc(M, nn::Matrix::Zero(n_i, d));
    nn::Matrix dub = nn::Matrix::Zero(B, d);
    for (int m = 0; m < M; ++m) {
        for (int b = 0; b < B; ++b) {
            const float hb = static_cast<float>(h(m, b));
            dub.row(b) += hb * (c[m].row(pos_slot[b]) - c[m].row(neg_slot[b]));
            dc[m].row(pos_slot[b]) += hb * ub.row(b);
            dc[m].row(neg_slot[b]) -= hb * ub.row(b);
        }
    }

    // L2 on the batch's embeddings, with items at the equal-weight fusion z^0.
    double reg_term = 0;
    if (options_.reg > 0) {
        nn::Matrix z0 = c[0];
        for (int m = 1; m < M; ++m) z0 += c[m];
        z0 /= static_cast<float>(M);
        nn::Matrix dz0 = nn::Matrix::Zero(n_i, d);
        const float k = static_cast<float>(2.0 * options_.reg / B);
        for (int b = 0; b < B; ++b) {
            reg_term += ub.row(b).squaredNorm() + z0.row(pos_slot[b]).squaredNorm() + z0.row(neg_slot[b]).squaredNorm();
            dub.row(b) += k * ub.row(b);
            dz0.row(pos_slot[b]) += k * z0.row(pos_slot[b]);
            dz0.row(neg_slot[b]) += k * z0.row(neg_slot[b]);
        }
        reg_term /= B;
        dz0 /= static_cast<float>(M);
        for (int m = 0; m < M; ++m) dc[m] += dz0;
    }

    // Cross-modality alignment (Eq. 6) over pairs present on both sides.
    double align = 0;
    if (options_.cmam && M > 1) {
        const AvailabilityMask* mask = data_.mask;
        auto present = [&](int r, int m) { return mask == nullptr || mask->at(items[r], m); };
        double count = 0;
        for (int r = 0; r < n_i; ++r) {
            if (options_.reference && !is_positive[r]) continue;
            for (int m = 0; m < M; ++m)
                for (int m2 = m + 1; m2 < M; ++m2)
                    if (present(r, m) && present(r, m2)) count += options_.reference ? d : 1;
        }
        // Reference: MSE over the elements of the distinct positive items' projections.
        // Paper mode: Eq. 6's pair sums averaged over the batch's distinct items and over
        // the d dimensions, so lambda has the per-element scale on which the paper's
        // lambda = 0.05 was tuned (the public code's MSE); a plain per-item sum is d times
        // stronger and on demo FTMT costs MILK its lead over the ablations.
        if (!options_.reference) count = static_cast<double>(n_i) * d;
        if (count > 0) {
            const float k = static_cast<float>(2.0 * options_.lambda / count);
            for (int r = 0; r < n_i; ++r) {
                if (options_.reference && !is_positive[r]) continue;
                for (int m = 0; m < M; ++m)
                    for (int m2 = m + 1; m2 < M; ++m2) {
                        if (!present(r, m) || !present(r, m2)) continue;
                        const Eigen::RowVectorXf delta = c[m].row(r) - c[m2].row(r);
                        align += delta.squaredNorm();
                        dc[m].row(r) += k * delta;
                        dc[m2].row(r) -= k * delta;
                    }
            }
            align /= count;
        }
    }

    for (int b = 0; b < B; ++b) user_.grad.row(batch.users[b]) += dub.row(b);
    for (int m = 0; m < M; ++m) {
        nn::add_transposed_matmul(gather_[m].topRows(n_i), dc[m], w_[m].grad, Eigen::nbThreads());
        b_[m].grad += dc[m].colwise().sum();
    }

    last_env_ = envs;
    BatchStats stats;
    stats.loss = invariance_loss + options_.lambda * align + options_.reg * reg_term;
    stats.series.emplace_back("bpr_mean", mean);
    stats.series.emplace_back("variance", variance);
    stats.series.emplace_back("align", align);
    stats.series.emplace_back("reg", reg_term);
    const int first = (options_.ceim && !options_.env0) ? 1 : 0;
    for (int e = 0; e < E; ++e) stats.series.emplace_back("env_" + std::to_string(e + first), env_loss[e]);
    stats.env_weights = envs;
    return stats;
}

nn::Matrix MilkModel::modality_embeddings(const std::vector<FeatureMatrix>& features, int m,
                                          std::span<const std::int32_t> items) const {
    nn::Matrix c = gather_rows(features[m], items) * w_[m].value;
    c.rowwise() += b_[m].value.row(0);
    return c;
}

nn::Matrix MilkModel::item_embeddings(const std::vector<FeatureMatrix>& features,
                                      std::span<const std::int32_t> items) const {
    const int M = n_modalities();
    nn::Matrix sum = nn::Matrix::Zero(static_cast<Eigen::Index>(items.size()), options_.dim);
    for (int m = 0; m < M; ++m) sum += modality_embeddings(features, m, items);
    sum /= static_cast<float>(M);  // Eq. 18: equal weights at inference
    nn::Matrix out = nn::Matrix::Zero(features.empty() ? 0 : features[0].rows(), options_.dim);
    for (std::size_t r = 0; r < items.size(); ++r) out.row(items[r]) = sum.row(static_cast<Eigen::Index>(r));
    return out;
}

}  // namespace milk
