#include "core/models/ccfcrec/ccfcrec_model.h"

#include "core/models/model_params.h"
#include "core/nn/contrastive_ops.h"
#include "core/nn/init.h"

#include <algorithm>
#include <random>

namespace milk {

nlohmann::json CcfcRecOptions::to_json() const {
    return {{"dim", dim},           {"attr_dim", attr_dim},   {"hidden", hidden},
            {"tau", tau},           {"lambda", lambda},       {"positives", positives},
            {"negatives", negatives}, {"weight_decay", weight_decay}};
}

CcfcRecOptions CcfcRecOptions::from_json(const nlohmann::json& j) {
    CcfcRecOptions o;
    ModelParams p(j, "ccfcrec");
    o.dim = p.integer("dim", o.dim, 1, 4096);
    o.attr_dim = p.integer("attr_dim", o.attr_dim, 1, 4096);
    o.hidden = p.integer("hidden", o.hidden, 1, 4096);
    o.tau = p.number("tau", o.tau, 1e-3, 100);
    o.lambda = p.number("lambda", o.lambda, 0, 1);
    o.positives = p.integer("positives", o.positives, 1, 64);
    o.negatives = p.integer("negatives", o.negatives, 1, 1000);
    o.weight_decay = p.number("weight_decay", o.weight_decay, 0, 10);
    p.finish();
    return o;
}

void CcfcRecModel::initialize(const TrainingData& data, Rng& rng) {
    data_ = data;
    const Dataset& ds = *data.dataset;
    const int d = options_.dim;
    user_ = nn::Parameter("user_embedding", nn::normal(ds.n_users, d, 0.1f, rng));
    item_ = nn::Parameter("item_embedding", nn::normal(ds.n_items, d, 0.1f, rng));
    attr_.clear();
    const int M = static_cast<int>(data.features->size());
    for (int m = 0; m < M; ++m)
        attr_.emplace_back("attribute." + std::to_string(m),
                           nn::xavier_uniform(static_cast<int>((*data.features)[static_cast<std::size_t>(m)].cols()),
                                              options_.attr_dim, rng));
    theta_ = nn::Parameter("attribute.attention", nn::Matrix::Zero(1, M));
    w1_ = nn::Parameter("generator.w1", nn::xavier_uniform(options_.attr_dim, options_.hidden, rng));
    b1_ = nn::Parameter("generator.b1", nn::Matrix::Zero(1, options_.hidden));
    w2_ = nn::Parameter("generator.w2", nn::xavier_uniform(options_.hidden, d, rng));
    b2_ = nn::Parameter("generator.b2", nn::Matrix::Zero(1, d));

    // item -> users of the training interactions
    item_offsets_.assign(static_cast<std::size_t>(ds.n_items) + 1, 0);
    for (int u = 0; u < ds.n_users; ++u)
        for (std::int32_t i : ds.train.of(u)) ++item_offsets_[static_cast<std::size_t>(i) + 1];
    for (std::size_t i = 1; i < item_offsets_.size(); ++i) item_offsets_[i] += item_offsets_[i - 1];
    item_users_.assign(static_cast<std::size_t>(item_offsets_.back()), 0);
    std::vector<std::int64_t> fill(item_offsets_.begin(), item_offsets_.end() - 1);
    for (int u = 0; u < ds.n_users; ++u)
        for (std::int32_t i : ds.train.of(u)) item_users_[static_cast<std::size_t>(fill[static_cast<std::size_t>(i)]++)] = u;
    warm_ = ds.items_with_role(ItemRole::Warm);
}

std::vector<nn::Parameter*> CcfcRecModel::parameters() {
    std::vector<nn::Parameter*> p{&user_, &item_, &theta_};
    for (auto& a : attr_) p.push_back(&a);
    for (nn::Parameter* q : {&w1_, &b1_, &w2_, &b2_}) p.push_back(q);
    return p;
}

bool CcfcRecModel::user_has(std::int32_t user, std::int32_t item) const {
    const auto items = data_.dataset->train.of(user);
    return std::find(items.begin(), items.end(), item) != items.end();
}

std::int32_t CcfcRecModel::negative_user(std::int32_t item, Rng& rng) const {
    std::uniform_int_distribution<std::int32_t> pick(0, data_.dataset->n_users - 1);
    std::int32_t k = pick(rng);
    for (int tries = 0; tries < 20 && user_has(k, item); ++tries) k = pick(rng);
    return k;
}

std::int32_t CcfcRecModel::co_occurring(std::int32_t item, Rng& rng) const {
    const std::int64_t begin = item_offsets_[static_cast<std::size_t>(item)];
    const std::int64_t end = item_offsets_[static_cast<std::size_t>(item) + 1];
    if (end <= begin) return item;
    for (int tries = 0; tries < 10; ++tries) {
        std::uniform_int_distribution<std::int64_t> pick_user(begin, end - 1);
        const auto items = data_.dataset->train.of(item_users_[static_cast<std::size_t>(pick_user(rng))]);
        if (items.size() < 2) continue;
        std::uniform_int_distribution<std::size_t> pick_item(0, items.size() - 1);
        const std::int32_t v = items[pick_item(rng)];
        if (v != item) return v;
    }
    return item;  // no co-occurring item found: the item itself
}

nn::Var CcfcRecModel::content_tower(nn::Graph& g, std::span<const std::int32_t> items) {
    const Eigen::Index n = static_cast<Eigen::Index>(items.size());
    const int M = static_cast<int>(attr_.size());
    nn::Var weights = nn::exp(nn::log_softmax_rows(g.param(theta_)));  // 1 x M
    nn::Var ones = g.constant(nn::Matrix::Ones(n, 1));
    nn::Var a;
    for (int m = 0; m < M; ++m) {
        const FeatureMatrix& f = (*data_.features)[static_cast<std::size_t>(m)];
        nn::Matrix x(n, f.cols());
        for (Eigen::Index r = 0; r < n; ++r) x.row(r) = f.row(items[static_cast<std::size_t>(r)]);
        nn::Var part = nn::scale_rows(nn::matmul(g.constant(std::move(x)), g.param(attr_[static_cast<std::size_t>(m)])),
                                      nn::matmul(ones, nn::slice_cols(weights, m, 1)));
        a = m == 0 ? part : nn::add(a, part);
    }
    nn::Var h = nn::leaky_relu(nn::add_row_broadcast(nn::matmul(a, g.param(w1_)), g.param(b1_)), 0.01f);
    return nn::add_row_broadcast(nn::matmul(h, g.param(w2_)), g.param(b2_));
}

namespace {

// Mean over groups of -l_pos + log(e^{l_pos} + sum of the group's e^{l_neg}); each group has
// `per_group` consecutive rows of l_neg.
nn::Var grouped_info_nce(nn::Var l_pos, nn::Var l_neg, int per_group) {
    const Eigen::Index groups = l_pos.rows();
    nn::SparseRows s;
    s.n_cols = groups * per_group;
    for (Eigen::Index gi = 0; gi < groups; ++gi) {
        for (int k = 0; k < per_group; ++k) s.push(static_cast<std::int32_t>(gi * per_group + k), 1.0f);
        s.end_row();
    }
    nn::Var total = nn::add(nn::exp(l_pos), nn::sparse_matmul(std::move(s), nn::exp(l_neg)));
    return nn::mean(nn::sub(nn::log(total), l_pos));
}

}  // namespace

CcfcRecModel::Terms CcfcRecModel::build_loss(nn::Graph& g, const Batch& batch, Rng& rng) {
    const int B = static_cast<int>(batch.users.size());
    const int P = options_.positives, N = options_.negatives;
    const float inv_tau = static_cast<float>(1.0 / options_.tau);
    std::uniform_int_distribution<std::size_t> pick_warm(0, warm_.empty() ? 0 : warm_.size() - 1);
    auto random_warm = [&] { return warm_.empty() ? std::int32_t{0} : warm_[pick_warm(rng)]; };

    std::vector<std::int32_t> neg_users(B), co_rows, co_items, co_neg_rows, co_negs, self_neg_rows, self_negs;
    for (int b = 0; b < B; ++b) {
        const std::int32_t i = batch.positives[static_cast<std::size_t>(b)];
        neg_users[static_cast<std::size_t>(b)] = negative_user(i, rng);
        for (int p = 0; p < P; ++p) {
            co_rows.push_back(b);
            co_items.push_back(co_occurring(i, rng));
            for (int n = 0; n < N; ++n) {
                co_neg_rows.push_back(b);
                co_negs.push_back(random_warm());
            }
        }
        for (int n = 0; n < N; ++n) {
            self_neg_rows.push_back(b);
            self_negs.push_back(random_warm());
        }
    }

    nn::Var qc = content_tower(g, batch.positives);
    nn::Var q_all = g.param(item_);
    nn::Var p_all = g.param(user_);
    nn::Var q = nn::gather_rows(q_all, batch.positives);
    nn::Var pu = nn::gather_rows(p_all, batch.users);
    nn::Var pk = nn::gather_rows(p_all, neg_users);
    nn::Var rank = nn::add(nn::neg(nn::mean(nn::log_sigmoid(nn::sub(nn::row_dot(q, pu), nn::row_dot(q, pk))))),
                           nn::neg(nn::mean(nn::log_sigmoid(nn::sub(nn::row_dot(qc, pu), nn::row_dot(qc, pk))))));

    nn::Var qc_unit = nn::l2_normalize_rows(qc);
    auto cosine_logits = [&](const std::vector<std::int32_t>& rows, const std::vector<std::int32_t>& items) {
        nn::Var other = nn::l2_normalize_rows(nn::gather_rows(q_all, items));
        return nn::scale(nn::row_dot(nn::gather_rows(qc_unit, rows), other), inv_tau);
    };
    nn::Var co = grouped_info_nce(cosine_logits(co_rows, co_items), cosine_logits(co_neg_rows, co_negs), N);
    std::vector<std::int32_t> self_rows(static_cast<std::size_t>(B));
    for (int b = 0; b < B; ++b) self_rows[static_cast<std::size_t>(b)] = b;
    std::vector<std::int32_t> self_items(batch.positives.begin(), batch.positives.end());
    nn::Var self = grouped_info_nce(cosine_logits(self_rows, self_items), cosine_logits(self_neg_rows, self_negs), N);

    const float lambda = static_cast<float>(options_.lambda);
    nn::Var loss = nn::add(nn::scale(nn::add(co, self), lambda), nn::scale(rank, 1.0f - lambda));
    return {loss, rank, co, self};
}

BatchStats CcfcRecModel::train_batch(const Batch& batch, Rng& rng) {
    nn::Graph g;
    Terms t = build_loss(g, batch, rng);
    g.backward(t.loss);
    BatchStats stats;
    stats.loss = t.loss.scalar();
    stats.series.emplace_back("rank", t.rank.scalar());
    stats.series.emplace_back("co_occurrence_contrast", t.co.scalar());
    stats.series.emplace_back("self_contrast", t.self.scalar());
    return stats;
}

nn::Matrix CcfcRecModel::item_embeddings(const std::vector<FeatureMatrix>& features,
                                         std::span<const std::int32_t> items) const {
    const Eigen::Index n = static_cast<Eigen::Index>(items.size());
    const int M = static_cast<int>(attr_.size());
    Eigen::RowVectorXf w = (theta_.value.row(0).array() - theta_.value.maxCoeff()).exp();
    w /= w.sum();
    nn::Matrix a = nn::Matrix::Zero(n, options_.attr_dim);
    for (int m = 0; m < M; ++m) {
        const FeatureMatrix& f = features[static_cast<std::size_t>(m)];
        nn::Matrix x(n, f.cols());
        for (Eigen::Index r = 0; r < n; ++r) x.row(r) = f.row(items[static_cast<std::size_t>(r)]);
        a += w(m) * (x * attr_[static_cast<std::size_t>(m)].value);
    }
    nn::Matrix h = a * w1_.value;
    h.rowwise() += b1_.value.row(0);
    h = h.unaryExpr([](float v) { return v > 0 ? v : 0.01f * v; });
    nn::Matrix qc = h * w2_.value;
    qc.rowwise() += b2_.value.row(0);
    nn::Matrix out = nn::Matrix::Zero(features.empty() ? 0 : features[0].rows(), options_.dim);
    for (Eigen::Index r = 0; r < n; ++r) out.row(items[static_cast<std::size_t>(r)]) = qc.row(r);
    return out;
}

}  // namespace milk
