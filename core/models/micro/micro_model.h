#pragma once
// MICRO (Zhang, Zhu, Liu, Zhang, Wu, Wang, "Latent Structure Mining with Contrastive
// Modality Fusion for Multimedia Recommendation", IEEE TKDE 2022), for new items:
//   per modality m, a kNN item-item graph S_hat^m from the content x^m (item_knn_graph.h)
//   e_j     = W [x^1_j ; ... ; x^M_j] + b                  (stands in for the item ID embedding)
//   h^m     = (S_hat^m)^L e                                 (graph convolution, L layers, no weights)
//   a^m_j   = softmax_m( q^T tanh(W_a h^m_j + b_a) )        (attentive modality fusion)
//   h_j     = sum_m a^m_j h^m_j
//   z_j     = e_j + h_j / ||h_j||                           (the paper's final item representation)
//   y_ij    = <u_i, z_j>
//   L_c     = -1/(M n) sum_m sum_j log softmax_k( cos(h^m_j, h_k) / tau )_j   (InfoNCE between each
//             modality view and the fused view; the batch's other items are the negatives)
//   L       = mean BPR(y_ij - y_ij') + lambda_c L_c  (+ Adam weight decay)
// Differences from the paper, because every evaluated item is new: the item ID embedding that
// MICRO propagates is replaced by the linear content encoder e (a new item has no trained ID),
// the graphs span all items (content exists for new items too) and are the fixed kNN graphs of
// the content, without the learned-graph part mixed in by lambda_coeff (paper default 0.9 on the
// fixed graph); the public code's intra-view negatives of the InfoNCE are left out.
// Cost per batch: O(B k^L d) propagation + O(|items| d_in d) encoding + O(M B^2 d) contrast.
#include "core/models/model.h"
#include "core/nn/contrastive_ops.h"

#include <mutex>

namespace milk {

struct MicroOptions {
    int dim = 64;
    int knn_k = 10;               // public code: topk 10
    int layers = 1;               // public code: 1 item-graph convolution layer
    double contrast_weight = 0.03;  // public code: loss_ratio
    double temperature = 0.5;
    double weight_decay = 1e-4;
    double user_init_std = 0.1;
    nlohmann::json to_json() const;
    static MicroOptions from_json(const nlohmann::json& j);
};

class MicroModel final : public Model {
public:
    explicit MicroModel(MicroOptions options) : options_(options) {}
    std::string name() const override { return "micro"; }
    nlohmann::json config() const override { return options_.to_json(); }
    void initialize(const TrainingData& data, Rng& rng) override;
    BatchStats train_batch(const Batch& batch, Rng& rng) override;
    std::vector<nn::Parameter*> parameters() override { return {&user_, &w_, &b_, &wa_, &ba_, &q_}; }
    nn::Matrix user_embeddings() const override { return user_.value; }
    nn::Matrix item_embeddings(const std::vector<FeatureMatrix>& features,
                               std::span<const std::int32_t> items) const override;
    double weight_decay() const override { return options_.weight_decay; }

    const MicroOptions& options() const { return options_; }
    const std::vector<nn::SparseRows>& graphs() const { return graphs_; }
    // The objective on a batch with the current parameters, built on `g` (for tests).
    struct Terms {
        nn::Var loss, bpr, contrast;
        nn::Var z;                          // item representations of `items`
        std::vector<std::int32_t> items;    // the batch's distinct items
    };
    Terms build_loss(nn::Graph& g, const Batch& batch);

private:
    const std::vector<nn::SparseRows>& graphs_for(const std::vector<FeatureMatrix>& features) const;
    nn::Matrix concatenated(const std::vector<FeatureMatrix>& features, std::span<const std::int32_t> items) const;

    MicroOptions options_;
    TrainingData data_;
    nn::Parameter user_, w_, b_, wa_, ba_, q_;
    std::vector<nn::SparseRows> graphs_;  // one per modality, over all items, from the training features
    mutable std::mutex cache_mutex_;
    mutable std::vector<FeatureMatrix> cached_features_;  // graphs for other features (inference)
    mutable std::vector<nn::SparseRows> cached_graphs_;
};

}  // namespace milk
