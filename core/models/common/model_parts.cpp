#include "core/models/common/model_parts.h"

#include "core/error.h"
#include "core/nn/init.h"

#include <algorithm>
#include <cmath>

namespace milk {

void DenseLayer::init(const std::string& name, int in, int out, Activation act, Rng& rng) {
    w = nn::Parameter(name + ".weight", nn::xavier_uniform(in, out, rng));
    b = nn::Parameter(name + ".bias", nn::Matrix::Zero(1, out));
    activation = act;
}

nn::Var DenseLayer::operator()(nn::Var x) {
    nn::Graph& g = *x.graph;
    nn::Var y = nn::add_row_broadcast(nn::matmul(x, g.param(w)), g.param(b));
    switch (activation) {
        case Activation::Tanh: return nn::tanh(y);
        case Activation::LeakyRelu: return nn::leaky_relu(y, 0.01f);
        case Activation::None: break;
    }
    return y;
}

nn::Matrix DenseLayer::apply(const nn::Matrix& x) const {
    nn::Matrix y(x.rows(), w.value.cols());
    y.noalias() = x * w.value;
    y.rowwise() += b.value.row(0);
    switch (activation) {
        case Activation::Tanh: y = y.array().tanh(); break;
        case Activation::LeakyRelu: y = y.unaryExpr([](float v) { return v > 0 ? v : 0.01f * v; }); break;
        case Activation::None: break;
    }
    return y;
}

BatchItems batch_items(const Batch& batch) {
    BatchItems out;
    const std::size_t B = batch.users.size();
    out.pos.resize(B);
    out.neg.resize(B);
    std::vector<std::pair<std::int32_t, std::int32_t>> seen;  // (item, slot), sorted lookups
    auto slot_of = [&](std::int32_t item) {
        auto it = std::lower_bound(seen.begin(), seen.end(), std::make_pair(item, std::int32_t{-1}));
        if (it != seen.end() && it->first == item) return it->second;
        const auto slot = static_cast<std::int32_t>(out.items.size());
        out.items.push_back(item);
        out.is_positive.push_back(0);
        seen.insert(it, {item, slot});
        return slot;
    };
    for (std::size_t b = 0; b < B; ++b) {
        out.pos[b] = slot_of(batch.positives[b]);
        out.is_positive[static_cast<std::size_t>(out.pos[b])] = 1;
        out.neg[b] = slot_of(batch.negatives[b]);
    }
    return out;
}

int total_feature_dim(const std::vector<FeatureMatrix>& features) {
    int d = 0;
    for (const auto& f : features) d += static_cast<int>(f.cols());
    return d;
}

nn::Matrix concatenated_features(const std::vector<FeatureMatrix>& features, std::span<const std::int32_t> items) {
    nn::Matrix x(static_cast<Eigen::Index>(items.size()), total_feature_dim(features));
    for (std::size_t r = 0; r < items.size(); ++r) {
        Eigen::Index c = 0;
        for (const auto& f : features) {
            x.row(static_cast<Eigen::Index>(r)).segment(c, f.cols()) = f.row(items[r]);
            c += f.cols();
        }
    }
    return x;
}

nn::Matrix scatter_rows(const nn::Matrix& rows, std::span<const std::int32_t> items, Eigen::Index n_items) {
    nn::Matrix out = nn::Matrix::Zero(n_items, rows.cols());
    for (std::size_t r = 0; r < items.size(); ++r) out.row(items[r]) = rows.row(static_cast<Eigen::Index>(r));
    return out;
}

nn::Matrix take_rows(const nn::Matrix& m, std::span<const std::int32_t> ids) {
    nn::Matrix out(static_cast<Eigen::Index>(ids.size()), m.cols());
    for (std::size_t r = 0; r < ids.size(); ++r) out.row(static_cast<Eigen::Index>(r)) = m.row(ids[r]);
    return out;
}

nn::Var row_softmax(nn::Var a) {
    nn::Graph& g = *a.graph;
    const nn::Matrix& x = g.value(a);
    nn::Matrix y(x.rows(), x.cols());
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
        const float mx = x.row(r).maxCoeff();
        y.row(r) = (x.row(r).array() - mx).exp();
        y.row(r) /= y.row(r).sum();
    }
    return g.record(std::move(y), {a}, [ia = a.id](nn::Graph& gr, int self) {
        if (!gr.needs_grad(ia)) return;
        const nn::Matrix& d = gr.grad_of(self);
        const nn::Matrix& yv = gr.value(self);
        nn::Matrix& ga = gr.grad_buffer(ia);
        // dx = y .* (dy - <y, dy>) per row
        for (Eigen::Index r = 0; r < yv.rows(); ++r) {
            const float yd = yv.row(r).dot(d.row(r));
            ga.row(r).array() += yv.row(r).array() * (d.row(r).array() - yd);
        }
    });
}

nn::Var matmul_transposed(nn::Var a, nn::Var b) {
    nn::Graph& g = *a.graph;
    if (b.graph != a.graph) throw StateError(describe("matmul_transposed", "operands", "Vars of one graph", "two graphs"));
    const nn::Matrix& x = g.value(a);
    const nn::Matrix& y = g.value(b);
    if (x.cols() != y.cols())
        throw StateError(describe("matmul_transposed", "operand columns", "equal",
                                  std::to_string(x.cols()) + " and " + std::to_string(y.cols())));
    nn::Matrix out(x.rows(), y.rows());
    out.noalias() = x * y.transpose();
    return g.record(std::move(out), {a, b}, [ia = a.id, ib = b.id](nn::Graph& gr, int self) {
        const nn::Matrix& d = gr.grad_of(self);
        if (gr.needs_grad(ia)) gr.grad_buffer(ia).noalias() += d * gr.value(ib);
        if (gr.needs_grad(ib)) gr.grad_buffer(ib).noalias() += d.transpose() * gr.value(ia);
    });
}

nn::Var softmax_cross_entropy(nn::Var logits, std::span<const std::int32_t> target) {
    nn::Graph& g = *logits.graph;
    const nn::Matrix& x = g.value(logits);
    if (static_cast<Eigen::Index>(target.size()) != x.rows())
        throw StateError(describe("softmax_cross_entropy", "targets", std::to_string(x.rows()),
                                  std::to_string(target.size())));
    nn::Matrix p(x.rows(), x.cols());
    double total = 0;
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
        const float mx = x.row(r).maxCoeff();
        p.row(r) = (x.row(r).array() - mx).exp();
        const float s = p.row(r).sum();
        p.row(r) /= s;
        total += -(static_cast<double>(x(r, target[static_cast<std::size_t>(r)]) - mx) - std::log(static_cast<double>(s)));
    }
    nn::Matrix out(1, 1);
    out(0, 0) = static_cast<float>(total / static_cast<double>(std::max<Eigen::Index>(1, x.rows())));
    std::vector<std::int32_t> t(target.begin(), target.end());
    return g.record(std::move(out), {logits},
                    [ia = logits.id, p = std::move(p), t = std::move(t)](nn::Graph& gr, int self) {
                        if (!gr.needs_grad(ia)) return;
                        const float c = gr.grad_of(self)(0, 0) / static_cast<float>(std::max<Eigen::Index>(1, p.rows()));
                        nn::Matrix& ga = gr.grad_buffer(ia);
                        ga += c * p;
                        for (std::size_t r = 0; r < t.size(); ++r) ga(static_cast<Eigen::Index>(r), t[r]) -= c;
                    });
}

}  // namespace milk
