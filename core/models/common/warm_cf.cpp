#include "core/models/common/warm_cf.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace milk {

namespace {

// Adam on a subset of rows: moments of untouched rows do not decay (as torch SparseAdam).
struct RowAdam {
    nn::Matrix m, v;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    explicit RowAdam(const nn::Matrix& like)
        : m(nn::Matrix::Zero(like.rows(), like.cols())), v(nn::Matrix::Zero(like.rows(), like.cols())) {}
    void step(nn::Matrix& value, const nn::Matrix& grad, const std::vector<std::int32_t>& rows, double lr,
              long long t) {
        const float c1 = static_cast<float>(1.0 - std::pow(beta1, static_cast<double>(t)));
        const float c2 = static_cast<float>(1.0 - std::pow(beta2, static_cast<double>(t)));
        const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
        const float step = static_cast<float>(lr) / c1;
        const float e = static_cast<float>(eps);
        for (std::int32_t r : rows) {
            auto g = grad.row(r);
            m.row(r) = b1 * m.row(r) + (1 - b1) * g;
            v.row(r) = b2 * v.row(r) + (1 - b2) * g.cwiseProduct(g);
            value.row(r).array() -= step * m.row(r).array() / ((v.row(r).array() / c2).sqrt() + e);
        }
    }
};

}  // namespace

WarmCf train_warm_cf(const Dataset& ds, const WarmCfOptions& o, Rng& rng) {
    if (o.dim <= 0 || o.epochs < 0 || o.batch_size <= 0 || !(o.learning_rate > 0) || !(o.reg >= 0))
        throw ConfigError(describe("warm CF (BPR-MF)", "options", "dim > 0, epochs >= 0, batch_size > 0, lr > 0, reg >= 0",
                                   "dim " + std::to_string(o.dim) + ", epochs " + std::to_string(o.epochs) +
                                       ", batch_size " + std::to_string(o.batch_size)));
    const int d = o.dim;
    std::vector<std::int32_t> warm = ds.items_with_role(ItemRole::Warm);
    std::vector<std::uint8_t> is_warm(static_cast<std::size_t>(ds.n_items), 0);
    for (auto j : warm) is_warm[static_cast<std::size_t>(j)] = 1;

    WarmCf cf;
    std::normal_distribution<float> normal(0.0f, 0.1f);
    cf.users.resize(ds.n_users, d);
    for (Eigen::Index k = 0; k < cf.users.size(); ++k) cf.users.data()[k] = normal(rng);
    cf.items = nn::Matrix::Zero(ds.n_items, d);
    for (auto j : warm)
        for (int k = 0; k < d; ++k) cf.items(j, k) = normal(rng);

    // Training pairs on warm items (a new item in training would be a data error; skip it).
    std::vector<std::pair<std::int32_t, std::int32_t>> pairs;
    pairs.reserve(static_cast<std::size_t>(ds.train.size()));
    for (int u = 0; u < ds.train.n_users(); ++u)
        for (auto j : ds.train.of(u))
            if (is_warm[static_cast<std::size_t>(j)]) pairs.emplace_back(u, j);
    if (pairs.empty() || warm.size() < 2) return cf;

    RowAdam adam_u(cf.users), adam_i(cf.items);
    nn::Matrix grad_u = nn::Matrix::Zero(ds.n_users, d), grad_i = nn::Matrix::Zero(ds.n_items, d);
    std::vector<std::uint8_t> touched_u(static_cast<std::size_t>(ds.n_users), 0),
        touched_i(static_cast<std::size_t>(ds.n_items), 0);
    std::vector<std::int32_t> rows_u, rows_i;
    std::uniform_int_distribution<std::size_t> pick(0, warm.size() - 1);
    std::vector<std::size_t> order(pairs.size());
    long long t = 0;
    const float reg = static_cast<float>(o.reg);

    for (int epoch = 0; epoch < o.epochs; ++epoch) {
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::shuffle(order.begin(), order.end(), rng);
        for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(o.batch_size)) {
            const std::size_t end = std::min(order.size(), start + static_cast<std::size_t>(o.batch_size));
            const float inv_b = 1.0f / static_cast<float>(end - start);
            rows_u.clear();
            rows_i.clear();
            auto touch = [](std::vector<std::uint8_t>& flag, std::vector<std::int32_t>& rows, std::int32_t r) {
                if (!flag[static_cast<std::size_t>(r)]) {
                    flag[static_cast<std::size_t>(r)] = 1;
                    rows.push_back(r);
                }
            };
            for (std::size_t s = start; s < end; ++s) {
                const auto [u, i] = pairs[order[s]];
                const auto items_u = ds.train.of(u);
                std::int32_t j = warm[pick(rng)];
                // Rejection sampling of a warm item the user has not interacted with (bounded tries).
                for (int tries = 0; tries < 32 && std::binary_search(items_u.begin(), items_u.end(), j); ++tries)
                    j = warm[pick(rng)];
                touch(touched_u, rows_u, u);
                touch(touched_i, rows_i, i);
                touch(touched_i, rows_i, j);
                const auto pu = cf.users.row(u);
                const auto qi = cf.items.row(i);
                const auto qj = cf.items.row(j);
                const float x = pu.dot(qi - qj);
                // d/dx of -ln sigma(x) = -sigma(-x)
                const float sg = x >= 0 ? std::exp(-x) / (1.0f + std::exp(-x)) : 1.0f / (1.0f + std::exp(x));
                const float g = -sg * inv_b;
                grad_u.row(u) += g * (qi - qj) + (2 * reg * inv_b) * pu;
                grad_i.row(i) += g * pu + (2 * reg * inv_b) * qi;
                grad_i.row(j) += -g * pu + (2 * reg * inv_b) * qj;
            }
            ++t;
            adam_u.step(cf.users, grad_u, rows_u, o.learning_rate, t);
            adam_i.step(cf.items, grad_i, rows_i, o.learning_rate, t);
            for (auto r : rows_u) {
                grad_u.row(r).setZero();
                touched_u[static_cast<std::size_t>(r)] = 0;
            }
            for (auto r : rows_i) {
                grad_i.row(r).setZero();
                touched_i[static_cast<std::size_t>(r)] = 0;
            }
        }
    }
    return cf;
}

}  // namespace milk
