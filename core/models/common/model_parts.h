#pragma once
// Pieces the content-based baselines share: a dense layer usable both on the autodiff
// graph (training) and on plain matrices (inference), the unique items of a BPR batch
// with their slots, concatenated content features, and two ops the graph lacks
// (row softmax, A * B^T), recorded through Graph::record with hand-written backward
// passes (checked against finite differences in tests/core/models/model_parts_test.cpp).
#include "core/models/model.h"
#include "core/nn/graph.h"

#include <span>
#include <string>
#include <vector>

namespace milk {

enum class Activation { None, Tanh, LeakyRelu };

// y = act(x W + b), W: in x out (Xavier uniform), b: 1 x out (zeros).
struct DenseLayer {
    nn::Parameter w, b;
    Activation activation = Activation::None;

    void init(const std::string& name, int in, int out, Activation act, Rng& rng);
    nn::Var operator()(nn::Var x);                  // on x's graph
    nn::Matrix apply(const nn::Matrix& x) const;    // same maths, no graph
    void add_to(std::vector<nn::Parameter*>& params) { params.push_back(&w); params.push_back(&b); }
};

// The distinct items of a batch; pos/neg index into `items` (slot of each triple's item).
struct BatchItems {
    std::vector<std::int32_t> items, pos, neg;
    std::vector<std::uint8_t> is_positive;  // per slot: the item is some triple's positive
};
BatchItems batch_items(const Batch& batch);

// [x^1_j ; ... ; x^M_j] for the listed items (rows in list order).
nn::Matrix concatenated_features(const std::vector<FeatureMatrix>& features, std::span<const std::int32_t> items);
int total_feature_dim(const std::vector<FeatureMatrix>& features);
// n_items x cols matrix with row items[r] = rows.row(r), other rows zero.
nn::Matrix scatter_rows(const nn::Matrix& rows, std::span<const std::int32_t> items, Eigen::Index n_items);
// Rows of a constant matrix (e.g. pre-trained embeddings) for the listed ids.
nn::Matrix take_rows(const nn::Matrix& m, std::span<const std::int32_t> ids);

// Row-wise softmax of an n x k matrix (max-shifted, so large logits do not overflow).
nn::Var row_softmax(nn::Var a);
// a * b^T: (n x d)(m x d)^T -> n x m.
nn::Var matmul_transposed(nn::Var a, nn::Var b);
// Mean over rows of -log softmax(logits)_{r, target[r]}: the InfoNCE / cross-entropy loss.
nn::Var softmax_cross_entropy(nn::Var logits, std::span<const std::int32_t> target);

}  // namespace milk
