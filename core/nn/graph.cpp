#include "core/nn/graph.h"

#include "core/error.h"

#include <cmath>
#include <string>

namespace milk::nn {

namespace {

std::string shape(const Matrix& m) { return std::to_string(m.rows()) + "x" + std::to_string(m.cols()); }

[[noreturn]] void shape_error(const char* op, const std::string& expected, const std::string& found) {
    throw StateError(describe(std::string("nn::") + op, "operand shapes", expected, found));
}

Graph& graph_of(Var a, const char* op) {
    if (a.graph == nullptr) throw StateError(describe(std::string("nn::") + op, "operand", "a Var of a graph", "an empty Var"));
    a.graph->check(a);
    return *a.graph;
}

Graph& graph_of(Var a, Var b, const char* op) {
    Graph& g = graph_of(a, op);
    if (b.graph != a.graph) throw StateError(describe(std::string("nn::") + op, "operands", "Vars of one graph", "Vars of two graphs"));
    g.check(b);
    return g;
}

void same_shape(const Matrix& a, const Matrix& b, const char* op) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) shape_error(op, "equal shapes", shape(a) + " and " + shape(b));
}

void need_scalar(const Matrix& a, const char* op) {
    if (a.rows() != 1 || a.cols() != 1) shape_error(op, "1x1 scalars", shape(a));
}

inline float stable_log_sigmoid(float x) { return std::min(x, 0.0f) - std::log1p(std::exp(-std::fabs(x))); }
inline float stable_softplus(float x) { return std::max(x, 0.0f) + std::log1p(std::exp(-std::fabs(x))); }
inline float stable_sigmoid(float x) {
    if (x >= 0) return 1.0f / (1.0f + std::exp(-x));
    const float e = std::exp(x);
    return e / (1.0f + e);
}

// Element-wise op with d out / d in = deriv(x, y) (x: input, y: output).
template <class F, class D>
Var unary(Var a, const char* op, F f, D deriv) {
    Graph& g = graph_of(a, op);
    const Matrix& x = g.value(a.id);
    Matrix y = x.unaryExpr(f);
    return g.record(std::move(y), {a}, [ia = a.id, deriv](Graph& gr, int self) {
        if (!gr.needs_grad(ia)) return;
        const Matrix& d = gr.grad_of(self);
        const Matrix& xv = gr.value(ia);
        const Matrix& yv = gr.value(self);
        Matrix& ga = gr.grad_buffer(ia);
        const Eigen::Index n = xv.size();
        const float* xp = xv.data();
        const float* yp = yv.data();
        const float* dp = d.data();
        float* gp = ga.data();
        for (Eigen::Index i = 0; i < n; ++i) gp[i] += dp[i] * deriv(xp[i], yp[i]);
    });
}

}  // namespace

const Matrix& Var::value() const {
    if (graph == nullptr) throw StateError(describe("nn::Var", "value", "a Var of a graph", "an empty Var"));
    return graph->value(*this);
}

float Var::scalar() const {
    const Matrix& v = value();
    need_scalar(v, "Var::scalar");
    return v(0, 0);
}

int Graph::check(Var v) const {
    if (v.graph != this || v.id < 0 || v.id >= size())
        throw StateError(describe("nn::Graph", "Var", "a node of this graph", v.graph == this ? "a stale id" : "a node of another graph"));
    return v.id;
}

const Matrix& Graph::value(int id) const {
    const Node& n = nodes_[static_cast<std::size_t>(id)];
    return n.param != nullptr ? n.param->value : n.value;
}

const Matrix& Graph::grad(Var v) const {
    const Node& n = nodes_[static_cast<std::size_t>(check(v))];
    return n.param != nullptr ? n.param->grad : n.grad;
}

Matrix& Graph::grad_buffer(int id) {
    Node& n = nodes_[static_cast<std::size_t>(id)];
    if (n.param != nullptr) {
        Parameter& p = *n.param;
        if (p.grad.size() == 0 && p.value.size() != 0) p.grad = Matrix::Zero(p.value.rows(), p.value.cols());
        if (p.grad.rows() != p.value.rows() || p.grad.cols() != p.value.cols())
            throw StateError(describe("nn::Parameter " + p.name, "grad", "the shape of value " + shape(p.value), shape(p.grad)));
        return p.grad;
    }
    if (n.grad.size() == 0) n.grad = Matrix::Zero(n.value.rows(), n.value.cols());
    return n.grad;
}

Var Graph::param(Parameter& p) {
    Node n;
    n.param = &p;
    n.needs_grad = true;
    nodes_.push_back(std::move(n));
    return Var{this, size() - 1};
}

Var Graph::constant(Matrix value) {
    Node n;
    n.value = std::move(value);
    nodes_.push_back(std::move(n));
    return Var{this, size() - 1};
}

Var Graph::scalar(float value) {
    Matrix m(1, 1);
    m(0, 0) = value;
    return constant(std::move(m));
}

Var Graph::record(Matrix value, std::initializer_list<Var> inputs, BackwardFn backward) {
    return record(std::move(value), std::span<const Var>(inputs.begin(), inputs.size()), std::move(backward));
}

Var Graph::record(Matrix value, std::span<const Var> inputs, BackwardFn backward) {
    Node n;
    n.value = std::move(value);
    for (const Var& v : inputs) n.needs_grad = n.needs_grad || needs_grad(check(v));
    if (n.needs_grad) n.backward = std::move(backward);
    nodes_.push_back(std::move(n));
    return Var{this, size() - 1};
}

void Graph::backward(Var loss) {
    const int root = check(loss);
    need_scalar(value(root), "Graph::backward");
    for (Node& n : nodes_) n.grad.resize(0, 0);
    if (!nodes_[static_cast<std::size_t>(root)].needs_grad) return;
    grad_buffer(root)(0, 0) += 1.0f;
    for (int id = root; id >= 0; --id) {
        Node& n = nodes_[static_cast<std::size_t>(id)];
        if (n.param != nullptr || !n.backward || n.grad.size() == 0) continue;
        n.backward(*this, id);
    }
}

void Graph::clear() { nodes_.clear(); }

// ---------------------------------------------------------------- ops

Var matmul(Var a, Var b) {
    Graph& g = graph_of(a, b, "matmul");
    const Matrix& x = g.value(a.id);
    const Matrix& y = g.value(b.id);
    if (x.cols() != y.rows()) shape_error("matmul", "inner dimensions to agree", shape(x) + " * " + shape(y));
    Matrix out(x.rows(), y.cols());
    out.noalias() = x * y;
    return g.record(std::move(out), {a, b}, [ia = a.id, ib = b.id](Graph& gr, int self) {
        const Matrix& d = gr.grad_of(self);
        if (gr.needs_grad(ia)) gr.grad_buffer(ia).noalias() += d * gr.value(ib).transpose();
        if (gr.needs_grad(ib)) gr.grad_buffer(ib).noalias() += gr.value(ia).transpose() * d;
    });
}

Var add(Var a, Var b) {
    Graph& g = graph_of(a, b, "add");
    same_shape(g.value(a.id), g.value(b.id), "add");
    Matrix out = g.value(a.id) + g.value(b.id);
    return g.record(std::move(out), {a, b}, [ia = a.id, ib = b.id](Graph& gr, int self) {
        const Matrix& d = gr.grad_of(self);
        if (gr.needs_grad(ia)) gr.grad_buffer(ia) += d;
        if (gr.needs_grad(ib)) gr.grad_buffer(ib) += d;
    });
}

Var sub(Var a, Var b) {
    Graph& g = graph_of(a, b, "sub");
    same_shape(g.value(a.id), g.value(b.id), "sub");
    Matrix out = g.value(a.id) - g.value(b.id);
    return g.record(std::move(out), {a, b}, [ia = a.id, ib = b.id](Graph& gr, int self) {
        const Matrix& d = gr.grad_of(self);
        if (gr.needs_grad(ia)) gr.grad_buffer(ia) += d;
        if (gr.needs_grad(ib)) gr.grad_buffer(ib) -= d;
    });
}

Var mul(Var a, Var b) {
    Graph& g = graph_of(a, b, "mul");
    same_shape(g.value(a.id), g.value(b.id), "mul");
    Matrix out = g.value(a.id).cwiseProduct(g.value(b.id));
    return g.record(std::move(out), {a, b}, [ia = a.id, ib = b.id](Graph& gr, int self) {
        const Matrix& d = gr.grad_of(self);
        if (gr.needs_grad(ia)) gr.grad_buffer(ia) += d.cwiseProduct(gr.value(ib));
        if (gr.needs_grad(ib)) gr.grad_buffer(ib) += d.cwiseProduct(gr.value(ia));
    });
}

Var add_row_broadcast(Var a, Var bias) {
    Graph& g = graph_of(a, bias, "add_row_broadcast");
    const Matrix& x = g.value(a.id);
    const Matrix& b = g.value(bias.id);
    if (b.rows() != 1 || b.cols() != x.cols()) shape_error("add_row_broadcast", "n x d and 1 x d", shape(x) + " and " + shape(b));
    Matrix out = x.rowwise() + b.row(0);
    return g.record(std::move(out), {a, bias}, [ia = a.id, ib = bias.id](Graph& gr, int self) {
        const Matrix& d = gr.grad_of(self);
        if (gr.needs_grad(ia)) gr.grad_buffer(ia) += d;
        if (gr.needs_grad(ib)) gr.grad_buffer(ib) += d.colwise().sum();
    });
}

Var scale_rows(Var a, Var s) {
    Graph& g = graph_of(a, s, "scale_rows");
    const Matrix& x = g.value(a.id);
    const Matrix& w = g.value(s.id);
    if (w.rows() != x.rows() || w.cols() != 1) shape_error("scale_rows", "n x d and n x 1", shape(x) + " and " + shape(w));
    Matrix out = w.col(0).asDiagonal() * x;
    return g.record(std::move(out), {a, s}, [ia = a.id, is = s.id](Graph& gr, int self) {
        const Matrix& d = gr.grad_of(self);
        if (gr.needs_grad(ia)) gr.grad_buffer(ia) += gr.value(is).col(0).asDiagonal() * d;
        if (gr.needs_grad(is)) gr.grad_buffer(is) += d.cwiseProduct(gr.value(ia)).rowwise().sum();
    });
}

Var scale(Var a, float s) {
    Graph& g = graph_of(a, "scale");
    Matrix out = g.value(a.id) * s;
    return g.record(std::move(out), {a}, [ia = a.id, s](Graph& gr, int self) {
        if (gr.needs_grad(ia)) gr.grad_buffer(ia) += gr.grad_of(self) * s;
    });
}

Var add_scalar(Var a, float s) {
    Graph& g = graph_of(a, "add_scalar");
    Matrix out = g.value(a.id).array() + s;
    return g.record(std::move(out), {a}, [ia = a.id](Graph& gr, int self) {
        if (gr.needs_grad(ia)) gr.grad_buffer(ia) += gr.grad_of(self);
    });
}

Var neg(Var a) { return scale(a, -1.0f); }

Var sum(Var a) {
    Graph& g = graph_of(a, "sum");
    Matrix out(1, 1);
    out(0, 0) = g.value(a.id).sum();
    return g.record(std::move(out), {a}, [ia = a.id](Graph& gr, int self) {
        if (gr.needs_grad(ia)) gr.grad_buffer(ia).array() += gr.grad_of(self)(0, 0);
    });
}

Var mean(Var a) {
    Graph& g = graph_of(a, "mean");
    const Matrix& x = g.value(a.id);
    if (x.size() == 0) shape_error("mean", "a non-empty matrix", shape(x));
    Matrix out(1, 1);
    out(0, 0) = x.mean();
    return g.record(std::move(out), {a}, [ia = a.id](Graph& gr, int self) {
        if (!gr.needs_grad(ia)) return;
        Matrix& ga = gr.grad_buffer(ia);
        ga.array() += gr.grad_of(self)(0, 0) / static_cast<float>(ga.size());
    });
}

Var sum_rows(Var a) {
    Graph& g = graph_of(a, "sum_rows");
    Matrix out = g.value(a.id).colwise().sum();
    return g.record(std::move(out), {a}, [ia = a.id](Graph& gr, int self) {
        if (gr.needs_grad(ia)) {
            Matrix& ga = gr.grad_buffer(ia);
            ga.rowwise() += gr.grad_of(self).row(0);
        }
    });
}

Var mean_rows(Var a) {
    Graph& g = graph_of(a, "mean_rows");
    const Matrix& x = g.value(a.id);
    if (x.rows() == 0) shape_error("mean_rows", "at least one row", shape(x));
    const float inv = 1.0f / static_cast<float>(x.rows());
    Matrix out = x.colwise().sum() * inv;
    return g.record(std::move(out), {a}, [ia = a.id, inv](Graph& gr, int self) {
        if (gr.needs_grad(ia)) {
            Matrix& ga = gr.grad_buffer(ia);
            ga.rowwise() += gr.grad_of(self).row(0) * inv;
        }
    });
}

Var gather_rows(Var a, std::span<const std::int32_t> rows) {
    Graph& g = graph_of(a, "gather_rows");
    const Matrix& x = g.value(a.id);
    Matrix out(static_cast<Eigen::Index>(rows.size()), x.cols());
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (rows[r] < 0 || rows[r] >= x.rows())
            throw StateError(describe("nn::gather_rows", "row index " + std::to_string(r),
                                      "0 <= index < " + std::to_string(x.rows()), std::to_string(rows[r])));
        out.row(static_cast<Eigen::Index>(r)) = x.row(rows[r]);
    }
    std::vector<std::int32_t> idx(rows.begin(), rows.end());
    return g.record(std::move(out), {a}, [ia = a.id, idx = std::move(idx)](Graph& gr, int self) {
        if (!gr.needs_grad(ia)) return;
        const Matrix& d = gr.grad_of(self);
        Matrix& ga = gr.grad_buffer(ia);
        for (std::size_t r = 0; r < idx.size(); ++r) ga.row(idx[r]) += d.row(static_cast<Eigen::Index>(r));
    });
}

Var row_dot(Var a, Var b) {
    Graph& g = graph_of(a, b, "row_dot");
    same_shape(g.value(a.id), g.value(b.id), "row_dot");
    Matrix out = g.value(a.id).cwiseProduct(g.value(b.id)).rowwise().sum();
    return g.record(std::move(out), {a, b}, [ia = a.id, ib = b.id](Graph& gr, int self) {
        const Matrix& d = gr.grad_of(self);
        if (gr.needs_grad(ia)) gr.grad_buffer(ia) += d.col(0).asDiagonal() * gr.value(ib);
        if (gr.needs_grad(ib)) gr.grad_buffer(ib) += d.col(0).asDiagonal() * gr.value(ia);
    });
}

Var log_sigmoid(Var a) {
    // d/dx log sigmoid(x) = sigmoid(-x)
    return unary(a, "log_sigmoid", [](float x) { return stable_log_sigmoid(x); },
                 [](float x, float) { return stable_sigmoid(-x); });
}

Var softplus(Var a) {
    return unary(a, "softplus", [](float x) { return stable_softplus(x); },
                 [](float x, float) { return stable_sigmoid(x); });
}

Var sigmoid(Var a) {
    return unary(a, "sigmoid", [](float x) { return stable_sigmoid(x); },
                 [](float, float y) { return y * (1.0f - y); });
}

Var tanh(Var a) {
    return unary(a, "tanh", [](float x) { return std::tanh(x); }, [](float, float y) { return 1.0f - y * y; });
}

Var relu(Var a) {
    return unary(a, "relu", [](float x) { return x > 0 ? x : 0.0f; }, [](float x, float) { return x > 0 ? 1.0f : 0.0f; });
}

Var leaky_relu(Var a, float slope) {
    return unary(a, "leaky_relu", [slope](float x) { return x > 0 ? x : slope * x; },
                 [slope](float x, float) { return x > 0 ? 1.0f : slope; });
}

Var exp(Var a) {
    return unary(a, "exp", [](float x) { return std::exp(x); }, [](float, float y) { return y; });
}

Var log(Var a) {
    return unary(a, "log", [](float x) { return std::log(x); }, [](float x, float) { return 1.0f / x; });
}

Var square(Var a) {
    return unary(a, "square", [](float x) { return x * x; }, [](float x, float) { return 2.0f * x; });
}

Var squared_norm(Var a) {
    Graph& g = graph_of(a, "squared_norm");
    Matrix out(1, 1);
    out(0, 0) = g.value(a.id).squaredNorm();
    return g.record(std::move(out), {a}, [ia = a.id](Graph& gr, int self) {
        if (gr.needs_grad(ia)) gr.grad_buffer(ia) += gr.value(ia) * (2.0f * gr.grad_of(self)(0, 0));
    });
}

Var concat_cols(std::span<const Var> parts) {
    if (parts.empty()) shape_error("concat_cols", "at least one operand", "none");
    Graph& g = graph_of(parts[0], "concat_cols");
    const Eigen::Index rows = g.value(parts[0].id).rows();
    Eigen::Index cols = 0;
    for (const Var& p : parts) {
        graph_of(parts[0], p, "concat_cols");
        const Matrix& v = g.value(p.id);
        if (v.rows() != rows) shape_error("concat_cols", "equal row counts", shape(g.value(parts[0].id)) + " and " + shape(v));
        cols += v.cols();
    }
    Matrix out(rows, cols);
    std::vector<int> ids;
    std::vector<Eigen::Index> starts;
    Eigen::Index c = 0;
    for (const Var& p : parts) {
        const Matrix& v = g.value(p.id);
        out.middleCols(c, v.cols()) = v;
        ids.push_back(p.id);
        starts.push_back(c);
        c += v.cols();
    }
    return g.record(std::move(out), parts, [ids = std::move(ids), starts = std::move(starts)](Graph& gr, int self) {
        const Matrix& d = gr.grad_of(self);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (!gr.needs_grad(ids[i])) continue;
            Matrix& gi = gr.grad_buffer(ids[i]);
            gi += d.middleCols(starts[i], gi.cols());
        }
    });
}

Var concat_rows(std::span<const Var> parts) {
    if (parts.empty()) shape_error("concat_rows", "at least one operand", "none");
    Graph& g = graph_of(parts[0], "concat_rows");
    const Eigen::Index cols = g.value(parts[0].id).cols();
    Eigen::Index rows = 0;
    for (const Var& p : parts) {
        graph_of(parts[0], p, "concat_rows");
        const Matrix& v = g.value(p.id);
        if (v.cols() != cols) shape_error("concat_rows", "equal column counts", shape(g.value(parts[0].id)) + " and " + shape(v));
        rows += v.rows();
    }
    Matrix out(rows, cols);
    std::vector<int> ids;
    std::vector<Eigen::Index> starts;
    Eigen::Index r = 0;
    for (const Var& p : parts) {
        const Matrix& v = g.value(p.id);
        out.middleRows(r, v.rows()) = v;
        ids.push_back(p.id);
        starts.push_back(r);
        r += v.rows();
    }
    return g.record(std::move(out), parts, [ids = std::move(ids), starts = std::move(starts)](Graph& gr, int self) {
        const Matrix& d = gr.grad_of(self);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (!gr.needs_grad(ids[i])) continue;
            Matrix& gi = gr.grad_buffer(ids[i]);
            gi += d.middleRows(starts[i], gi.rows());
        }
    });
}

Var slice_cols(Var a, int start, int count) {
    Graph& g = graph_of(a, "slice_cols");
    const Matrix& x = g.value(a.id);
    if (start < 0 || count < 0 || start + count > x.cols())
        shape_error("slice_cols", "columns [" + std::to_string(start) + ", " + std::to_string(start + count) + ") inside",
                    shape(x));
    Matrix out = x.middleCols(start, count);
    return g.record(std::move(out), {a}, [ia = a.id, start, count](Graph& gr, int self) {
        if (gr.needs_grad(ia)) gr.grad_buffer(ia).middleCols(start, count) += gr.grad_of(self);
    });
}

Var stack(std::span<const Var> scalars) {
    if (scalars.empty()) shape_error("stack", "at least one scalar", "none");
    Graph& g = graph_of(scalars[0], "stack");
    Matrix out(static_cast<Eigen::Index>(scalars.size()), 1);
    std::vector<int> ids;
    for (std::size_t i = 0; i < scalars.size(); ++i) {
        graph_of(scalars[0], scalars[i], "stack");
        const Matrix& v = g.value(scalars[i].id);
        need_scalar(v, "stack");
        out(static_cast<Eigen::Index>(i), 0) = v(0, 0);
        ids.push_back(scalars[i].id);
    }
    return g.record(std::move(out), scalars, [ids = std::move(ids)](Graph& gr, int self) {
        const Matrix& d = gr.grad_of(self);
        for (std::size_t i = 0; i < ids.size(); ++i)
            if (gr.needs_grad(ids[i])) gr.grad_buffer(ids[i])(0, 0) += d(static_cast<Eigen::Index>(i), 0);
    });
}

Var variance(std::span<const Var> scalars, bool unbiased) {
    const std::size_t k = scalars.size();
    if (k == 0 || (unbiased && k < 2))
        shape_error("variance", unbiased ? "at least two scalars" : "at least one scalar", std::to_string(k));
    Graph& g = graph_of(scalars[0], "variance");
    std::vector<int> ids;
    double m = 0;
    for (const Var& s : scalars) {
        graph_of(scalars[0], s, "variance");
        need_scalar(g.value(s.id), "variance");
        ids.push_back(s.id);
        m += g.value(s.id)(0, 0);
    }
    m /= static_cast<double>(k);
    const double denom = static_cast<double>(unbiased ? k - 1 : k);
    double v = 0;
    for (int id : ids) {
        const double dev = g.value(id)(0, 0) - m;
        v += dev * dev;
    }
    Matrix out(1, 1);
    out(0, 0) = static_cast<float>(v / denom);
    // d var / d x_i = 2 (x_i - mean) / denom (the mean's own dependence sums to zero).
    return g.record(std::move(out), scalars, [ids = std::move(ids), m, denom](Graph& gr, int self) {
        const double d = gr.grad_of(self)(0, 0);
        for (int id : ids)
            if (gr.needs_grad(id))
                gr.grad_buffer(id)(0, 0) += static_cast<float>(d * 2.0 * (gr.value(id)(0, 0) - m) / denom);
    });
}

Var mse(Var a, Var b) {
    Graph& g = graph_of(a, b, "mse");
    same_shape(g.value(a.id), g.value(b.id), "mse");
    if (g.value(a.id).size() == 0) shape_error("mse", "non-empty operands", shape(g.value(a.id)));
    Matrix diff = g.value(a.id) - g.value(b.id);
    Matrix out(1, 1);
    out(0, 0) = diff.squaredNorm() / static_cast<float>(diff.size());
    return g.record(std::move(out), {a, b}, [ia = a.id, ib = b.id, diff = std::move(diff)](Graph& gr, int self) {
        const float c = 2.0f * gr.grad_of(self)(0, 0) / static_cast<float>(diff.size());
        if (gr.needs_grad(ia)) gr.grad_buffer(ia) += diff * c;
        if (gr.needs_grad(ib)) gr.grad_buffer(ib) -= diff * c;
    });
}

Var l2_normalize_rows(Var a, float eps) {
    Graph& g = graph_of(a, "l2_normalize_rows");
    const Matrix& x = g.value(a.id);
    Eigen::VectorXf denom(x.rows());
    for (Eigen::Index r = 0; r < x.rows(); ++r) denom(r) = std::max(x.row(r).norm(), eps);
    Matrix out = denom.cwiseInverse().asDiagonal() * x;
    return g.record(std::move(out), {a}, [ia = a.id, denom = std::move(denom), eps](Graph& gr, int self) {
        if (!gr.needs_grad(ia)) return;
        const Matrix& d = gr.grad_of(self);
        const Matrix& y = gr.value(self);
        Matrix& ga = gr.grad_buffer(ia);
        for (Eigen::Index r = 0; r < y.rows(); ++r) {
            if (denom(r) > eps) {
                // y = x/|x|: dx = (dy - y (y . dy)) / |x|
                const float yd = y.row(r).dot(d.row(r));
                ga.row(r) += (d.row(r) - y.row(r) * yd) / denom(r);
            } else {
                ga.row(r) += d.row(r) / eps;
            }
        }
    });
}

Var dropout(Var a, float p, std::mt19937_64& rng) {
    Graph& g = graph_of(a, "dropout");
    if (!(p >= 0.0f && p < 1.0f))
        throw StateError(describe("nn::dropout", "p", "0 <= p < 1", std::to_string(p)));
    const Matrix& x = g.value(a.id);
    Matrix mask(x.rows(), x.cols());
    const float keep = 1.0f / (1.0f - p);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (Eigen::Index i = 0; i < mask.size(); ++i) mask.data()[i] = u(rng) < p ? 0.0f : keep;
    Matrix out = x.cwiseProduct(mask);
    return g.record(std::move(out), {a}, [ia = a.id, mask = std::move(mask)](Graph& gr, int self) {
        if (gr.needs_grad(ia)) gr.grad_buffer(ia) += gr.grad_of(self).cwiseProduct(mask);
    });
}

}  // namespace milk::nn
