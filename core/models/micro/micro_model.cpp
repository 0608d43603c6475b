#include "core/models/micro/micro_model.h"

#include "core/models/micro/item_knn_graph.h"
#include "core/models/model_params.h"
#include "core/nn/graph.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace milk {

nlohmann::json MicroOptions::to_json() const {
    return {{"dim", dim},
            {"knn_k", knn_k},
            {"layers", layers},
            {"contrast_weight", contrast_weight},
            {"temperature", temperature},
            {"weight_decay", weight_decay},
            {"user_init_std", user_init_std}};
}

MicroOptions MicroOptions::from_json(const nlohmann::json& j) {
    MicroOptions o;
    ModelParams p(j, "micro");
    o.dim = p.integer("dim", o.dim, 1, 4096);
    o.knn_k = p.integer("knn_k", o.knn_k, 1, 1000);
    o.layers = p.integer("layers", o.layers, 1, 4);
    o.contrast_weight = p.number("contrast_weight", o.contrast_weight, 0, 100);
    o.temperature = p.number("temperature", o.temperature, 1e-3, 100);
    o.weight_decay = p.number("weight_decay", o.weight_decay, 0, 10);
    o.user_init_std = p.number("user_init_std", o.user_init_std, 1e-6, 10);
    p.finish();
    return o;
}

namespace {

nn::Matrix uniform_matrix(Eigen::Index rows, Eigen::Index cols, Rng& rng) {
    const float bound = std::sqrt(6.0f / static_cast<float>(rows + cols));
    std::uniform_real_distribution<float> uniform(-bound, bound);
    nn::Matrix w(rows, cols);
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = uniform(rng);
    return w;
}

bool same_features(const std::vector<FeatureMatrix>& a, const std::vector<FeatureMatrix>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t m = 0; m < a.size(); ++m)
        if (a[m].rows() != b[m].rows() || a[m].cols() != b[m].cols() || a[m] != b[m]) return false;
    return true;
}

// Rows `targets` of the sparse graph with columns renumbered into `next` (sorted unique
// neighbours of the targets), so a propagation step only touches the rows it needs.
nn::SparseRows local_rows(const nn::SparseRows& g, const std::vector<std::int32_t>& targets,
                          std::vector<std::int32_t>& next, std::vector<std::int32_t>& position) {
    next.clear();
    for (std::int32_t t : targets)
        for (std::int64_t e = g.offsets[t]; e < g.offsets[t + 1]; ++e) next.push_back(g.cols[static_cast<std::size_t>(e)]);
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    for (std::size_t i = 0; i < next.size(); ++i) position[next[i]] = static_cast<std::int32_t>(i);
    nn::SparseRows local;
    local.n_cols = static_cast<Eigen::Index>(next.size());
    for (std::int32_t t : targets) {
        for (std::int64_t e = g.offsets[t]; e < g.offsets[t + 1]; ++e)
            local.push(position[g.cols[static_cast<std::size_t>(e)]], g.values[static_cast<std::size_t>(e)]);
        local.end_row();
    }
    for (std::int32_t j : next) position[j] = -1;
    return local;
}

}  // namespace

void MicroModel::initialize(const TrainingData& data, Rng& rng) {
    data_ = data;
    const int d = options_.dim;
    int in = 0;
    for (const auto& f : *data.features) in += static_cast<int>(f.cols());
    std::normal_distribution<float> normal(0.0f, static_cast<float>(options_.user_init_std));
    nn::Matrix u(data.dataset->n_users, d);
    for (Eigen::Index i = 0; i < u.size(); ++i) u.data()[i] = normal(rng);
    user_ = nn::Parameter("user_embedding", std::move(u));
    w_ = nn::Parameter("encoder.weight", uniform_matrix(in, d, rng));
    b_ = nn::Parameter("encoder.bias", nn::Matrix::Zero(1, d));
    wa_ = nn::Parameter("fusion.weight", uniform_matrix(d, d, rng));
    ba_ = nn::Parameter("fusion.bias", nn::Matrix::Zero(1, d));
    q_ = nn::Parameter("fusion.query", uniform_matrix(d, 1, rng));
    graphs_.clear();
    for (const auto& f : *data.features) graphs_.push_back(build_item_knn_graph(f, options_.knn_k));
    std::lock_guard<std::mutex> lock(cache_mutex_);
    cached_features_.clear();
    cached_graphs_.clear();
}

nn::Matrix MicroModel::concatenated(const std::vector<FeatureMatrix>& features,
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

MicroModel::Terms MicroModel::build_loss(nn::Graph& g, const Batch& batch) {
    const int B = static_cast<int>(batch.users.size());
    const int M = static_cast<int>(graphs_.size());
    const std::int32_t n_items = data_.dataset->n_items;

    // The batch's distinct items, in first-seen order.
    std::vector<std::int32_t> position(static_cast<std::size_t>(n_items), -1);
    std::vector<std::int32_t> targets, pos(B), neg(B);
    auto slot_of = [&](std::int32_t item) {
        if (position[item] < 0) {
            position[item] = static_cast<std::int32_t>(targets.size());
            targets.push_back(item);
        }
        return position[item];
    };
    for (int b = 0; b < B; ++b) {
        pos[b] = slot_of(batch.positives[b]);
        neg[b] = slot_of(batch.negatives[b]);
    }
    for (std::int32_t item : targets) position[item] = -1;

    // Per modality, the L local propagation matrices; their bottom rows, with the targets,
    // are the items to encode.
    std::vector<std::vector<nn::SparseRows>> steps(static_cast<std::size_t>(M));
    std::vector<std::vector<std::int32_t>> bottoms(static_cast<std::size_t>(M));
    std::vector<std::int32_t> encoded = targets;
    for (int m = 0; m < M; ++m) {
        std::vector<std::int32_t> level = targets, next;
        for (int l = 0; l < options_.layers; ++l) {
            steps[m].push_back(local_rows(graphs_[m], level, next, position));
            level.swap(next);
        }
        bottoms[m] = level;
        encoded.insert(encoded.end(), level.begin(), level.end());
    }
    std::sort(encoded.begin() + static_cast<std::ptrdiff_t>(targets.size()), encoded.end());
    {
        std::vector<std::int32_t> unique;
        for (std::int32_t j : encoded)
            if (position[j] < 0) {
                position[j] = static_cast<std::int32_t>(unique.size());
                unique.push_back(j);
            }
        encoded.swap(unique);
    }

    nn::Var e_all = nn::add_row_broadcast(nn::matmul(g.constant(concatenated(*data_.features, encoded)), g.param(w_)),
                                          g.param(b_));
    std::vector<std::int32_t> idx(targets.size());
    for (std::size_t t = 0; t < targets.size(); ++t) idx[t] = position[targets[t]];  // == t
    nn::Var e = nn::gather_rows(e_all, idx);

    std::vector<nn::Var> views, scores;
    nn::Var wa = g.param(wa_), ba = g.param(ba_), q = g.param(q_);
    for (int m = 0; m < M; ++m) {
        std::vector<std::int32_t> rows(bottoms[m].size());
        for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = position[bottoms[m][r]];
        nn::Var h = nn::gather_rows(e_all, rows);
        for (int l = options_.layers - 1; l >= 0; --l) h = nn::sparse_matmul(std::move(steps[m][l]), h);
        views.push_back(h);
        scores.push_back(nn::matmul(nn::tanh(nn::add_row_broadcast(nn::matmul(h, wa), ba)), q));
    }
    for (std::int32_t j : encoded) position[j] = -1;

    nn::Var alpha = nn::exp(nn::log_softmax_rows(nn::concat_cols(scores)));
    nn::Var fused = nn::scale_rows(views[0], nn::slice_cols(alpha, 0, 1));
    for (int m = 1; m < M; ++m) fused = nn::add(fused, nn::scale_rows(views[m], nn::slice_cols(alpha, m, 1)));
    nn::Var fused_unit = nn::l2_normalize_rows(fused);
    nn::Var z = nn::add(e, fused_unit);

    nn::Var u = nn::gather_rows(g.param(user_), batch.users);
    nn::Var diff = nn::sub(nn::row_dot(u, nn::gather_rows(z, pos)), nn::row_dot(u, nn::gather_rows(z, neg)));
    nn::Var bpr = nn::neg(nn::mean(nn::log_sigmoid(diff)));

    const Eigen::Index n = static_cast<Eigen::Index>(targets.size());
    nn::Var identity = g.constant(nn::Matrix::Identity(n, n));
    nn::Var fused_unit_t = nn::transpose(fused_unit);
    nn::Var contrast = g.scalar(0.0f);
    for (int m = 0; m < M; ++m) {
        nn::Var logits = nn::scale(nn::matmul(nn::l2_normalize_rows(views[m]), fused_unit_t),
                                   static_cast<float>(1.0 / options_.temperature));
        contrast = nn::add(contrast, nn::sum(nn::mul(nn::log_softmax_rows(logits), identity)));
    }
    contrast = nn::scale(contrast, -1.0f / static_cast<float>(M * n));
    nn::Var loss = nn::add(bpr, nn::scale(contrast, static_cast<float>(options_.contrast_weight)));
    return {loss, bpr, contrast, z, targets};
}

BatchStats MicroModel::train_batch(const Batch& batch, Rng&) {
    nn::Graph g;
    Terms t = build_loss(g, batch);
    g.backward(t.loss);
    BatchStats stats;
    stats.loss = t.loss.scalar();
    stats.series.emplace_back("bpr_mean", t.bpr.scalar());
    stats.series.emplace_back("contrast", t.contrast.scalar());
    return stats;
}

const std::vector<nn::SparseRows>& MicroModel::graphs_for(const std::vector<FeatureMatrix>& features) const {
    if (data_.features == &features || same_features(*data_.features, features)) return graphs_;
    // Other features (e.g. another scenario's imputation): their own kNN graphs, kept for reuse.
    if (!same_features(cached_features_, features)) {
        cached_graphs_.clear();
        for (const auto& f : features) cached_graphs_.push_back(build_item_knn_graph(f, options_.knn_k));
        cached_features_ = features;
    }
    return cached_graphs_;
}

nn::Matrix MicroModel::item_embeddings(const std::vector<FeatureMatrix>& features,
                                       std::span<const std::int32_t> items) const {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    const auto& graphs = graphs_for(features);
    const Eigen::Index n = features.empty() ? 0 : features[0].rows();
    std::vector<std::int32_t> all(static_cast<std::size_t>(n));
    for (Eigen::Index j = 0; j < n; ++j) all[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(j);
    nn::Matrix e = concatenated(features, all) * w_.value;
    e.rowwise() += b_.value.row(0);

    const int M = static_cast<int>(graphs.size());
    std::vector<nn::Matrix> views;
    nn::Matrix scores(n, M);
    for (int m = 0; m < M; ++m) {
        nn::Matrix h = e;
        for (int l = 0; l < options_.layers; ++l) h = nn::sparse_matmul(graphs[m], h);
        nn::Matrix a = h * wa_.value;
        a.rowwise() += ba_.value.row(0);
        scores.col(m) = a.array().tanh().matrix() * q_.value;
        views.push_back(std::move(h));
    }
    nn::Matrix fused = nn::Matrix::Zero(n, options_.dim);
    for (Eigen::Index j = 0; j < n; ++j) {
        const float mx = scores.row(j).maxCoeff();
        Eigen::RowVectorXf w = (scores.row(j).array() - mx).exp();
        w /= w.sum();
        for (int m = 0; m < M; ++m) fused.row(j) += w(m) * views[m].row(j);
        const float norm = fused.row(j).norm();
        fused.row(j) /= std::max(norm, 1e-12f);
    }
    (void)items;  // every row is computed: a new item's neighbours can be any items
    return e + fused;
}

}  // namespace milk
