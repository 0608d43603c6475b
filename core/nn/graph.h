#pragma once
// Reverse-mode automatic differentiation over float32 row-major matrices: a Graph
// records each op's value and a closure that, given the op's output gradient, adds the
// inputs' gradients (one closure call per op, never per element). Leaves are Parameters
// (their gradients accumulate into Parameter::grad) or constants (no gradient).
// Typical use: Graph g; Var u = gather_rows(g.param(users), ids); ...; g.backward(loss).
#include "core/nn/parameter.h"

#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <vector>

namespace milk::nn {

class Graph;

// A handle to one node of a Graph; cheap to copy, valid until the graph is cleared.
struct Var {
    Graph* graph = nullptr;
    int id = -1;

    const Matrix& value() const;
    Eigen::Index rows() const { return value().rows(); }
    Eigen::Index cols() const { return value().cols(); }
    float scalar() const;  // the value of a 1 x 1 node; StateError otherwise
};

class Graph {
public:
    // Called during backward with the node's own id; reads grad(self) and adds into
    // grad_buffer(input) for the inputs that need_grad.
    using BackwardFn = std::function<void(Graph&, int self)>;

    Graph() = default;
    Graph(const Graph&) = delete;
    Graph& operator=(const Graph&) = delete;

    Var param(Parameter& p);          // leaf; reads p.value in place, gradients go to p.grad
    Var constant(Matrix value);       // leaf without gradient
    Var scalar(float value);          // 1 x 1 constant

    // Back-propagates d loss / d loss = 1 through every node recorded before `loss`.
    // Parameter gradients accumulate (call the optimiser's step / zero_grad between
    // batches); intermediate gradients are reset at the start of each call.
    void backward(Var loss);

    void clear();  // forget every node (keeps nothing alive); Vars become invalid
    int size() const { return static_cast<int>(nodes_.size()); }

    const Matrix& value(Var v) const { return value(check(v)); }
    // The gradient of the last backward with respect to v (empty if v was not reached).
    const Matrix& grad(Var v) const;

    // --- op-building interface (used by the ops below; models may add their own) ---
    const Matrix& value(int id) const;
    bool needs_grad(int id) const { return nodes_[static_cast<std::size_t>(id)].needs_grad; }
    const Matrix& grad_of(int id) const { return nodes_[static_cast<std::size_t>(id)].grad; }
    Matrix& grad_buffer(int id);  // allocated as zeros on first use; Parameter::grad for params
    Var record(Matrix value, std::initializer_list<Var> inputs, BackwardFn backward);
    Var record(Matrix value, std::span<const Var> inputs, BackwardFn backward);
    int check(Var v) const;  // the node id, StateError when v belongs to another graph

private:
    struct Node {
        Matrix value;                // empty for parameter leaves
        Parameter* param = nullptr;  // set for parameter leaves
        Matrix grad;                 // non-parameter nodes; empty until reached by backward
        bool needs_grad = false;
        BackwardFn backward;
    };
    std::vector<Node> nodes_;
};

// ---- ops (all operands must belong to the same graph) ----
Var matmul(Var a, Var b);                    // (n x k)(k x m)
Var add(Var a, Var b);                       // same shape
Var sub(Var a, Var b);                       // same shape
Var mul(Var a, Var b);                       // element-wise, same shape
Var add_row_broadcast(Var a, Var bias);      // n x d + 1 x d
Var scale_rows(Var a, Var s);                // n x d rows times n x 1 weights
Var scale(Var a, float s);
Var add_scalar(Var a, float s);
Var neg(Var a);
Var sum(Var a);                              // -> 1 x 1
Var mean(Var a);                             // -> 1 x 1
Var sum_rows(Var a);                         // n x d -> 1 x d (column sums)
Var mean_rows(Var a);                        // n x d -> 1 x d
Var gather_rows(Var a, std::span<const std::int32_t> rows);  // duplicates accumulate
Var row_dot(Var a, Var b);                   // n x d, n x d -> n x 1
Var log_sigmoid(Var a);                      // stable: min(x,0) - log1p(exp(-|x|))
Var softplus(Var a);                         // stable: max(x,0) + log1p(exp(-|x|))
Var sigmoid(Var a);
Var tanh(Var a);
Var relu(Var a);
Var leaky_relu(Var a, float negative_slope = 0.01f);
Var exp(Var a);
Var log(Var a);                              // no check: log of x <= 0 is -inf/NaN
Var square(Var a);
Var squared_norm(Var a);                     // sum of squares -> 1 x 1
Var concat_cols(std::span<const Var> parts); // same rows
Var concat_rows(std::span<const Var> parts); // same cols
Var slice_cols(Var a, int start, int count);
Var stack(std::span<const Var> scalars);     // k scalars -> k x 1
// Variance of k scalars: population (divide by k) or unbiased (divide by k - 1).
Var variance(std::span<const Var> scalars, bool unbiased = false);
Var mse(Var a, Var b);                       // mean of squared differences -> 1 x 1
// Each row divided by max(||row||, eps) (as torch.nn.functional.normalize).
Var l2_normalize_rows(Var a, float eps = 1e-12f);
// Inverted dropout: zero each entry with probability p, scale the rest by 1/(1-p).
Var dropout(Var a, float p, std::mt19937_64& rng);

inline Var concat_cols(std::initializer_list<Var> parts) { return concat_cols(std::span<const Var>(parts.begin(), parts.size())); }
inline Var concat_rows(std::initializer_list<Var> parts) { return concat_rows(std::span<const Var>(parts.begin(), parts.size())); }
inline Var stack(std::initializer_list<Var> s) { return stack(std::span<const Var>(s.begin(), s.size())); }
inline Var variance(std::initializer_list<Var> s, bool unbiased = false) {
    return variance(std::span<const Var>(s.begin(), s.size()), unbiased);
}

}  // namespace milk::nn
