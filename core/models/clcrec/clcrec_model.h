#pragma once
// CLCRec (Wei, Wang, Li, Nie, Li, Li & Chua, ACM MM'21, "Contrastive Learning for
// Cold-Start Recommendation"). Collaborative embeddings u_i (users) and v_j (warm items) are
// trained jointly with a content encoder c_j = W2 leaky_relu(W1 x_j + b1) + b2 over
// x_j = [x^1_j ; ... ; x^M_j] (imputed features of every modality), by two InfoNCE losses
// that maximise the mutual information the paper derives (Eq. 5-9):
//   representation-embedding   L_RE = -mean_j log  exp(s(v_j, c_j)) / sum_k exp(s(v_j, c_k)),
//                              s(a, b) = cos(a, b) / tau, candidates k = j and the batch's negatives
//   user-item                  L_UI = -mean_(i,j) log exp(<u_i, r_j>/tau) / sum_k exp(<u_i, r_k>/tau),
//                              r_k = c_k with probability p ("num_sample"), else v_k (per item, per batch)
//   L = lambda L_RE + (1 - lambda) L_UI + reg (mean_i ||u_i|| + mean_j ||v_j||) / 2
// The negatives of each triple are all negatives the trainer drew for the batch (shared,
// in-batch, instead of the public code's per-user num_neg draws). Inference: a new item's
// representation is its content encoding c_j, scored by <u_i, c_j> as in the public code.
#include "core/models/common/model_parts.h"
#include "core/models/model.h"

namespace milk {

struct ClcRecOptions {
    int dim = 64;
    int hidden = 256;           // content encoder width (public code: 256)
    double tau = 0.5;           // temperature of both contrastive losses
    double lambda = 0.5;        // weight of L_RE vs L_UI
    double sample = 0.5;        // probability of feeding c_j instead of v_j to L_UI
    double reg = 1e-3;          // weight of the embedding norm term
    double user_init_std = 0.1;
    nlohmann::json to_json() const;
    static ClcRecOptions from_json(const nlohmann::json& j);
};

class ClcRecModel final : public Model {
public:
    explicit ClcRecModel(ClcRecOptions options) : options_(options) {}
    std::string name() const override { return "clcrec"; }
    nlohmann::json config() const override { return options_.to_json(); }
    const ClcRecOptions& options() const { return options_; }
    void initialize(const TrainingData& data, Rng& rng) override;
    BatchStats train_batch(const Batch& batch, Rng& rng) override;
    std::vector<nn::Parameter*> parameters() override;
    nn::Matrix user_embeddings() const override { return user_.value; }
    nn::Matrix item_embeddings(const std::vector<FeatureMatrix>& features,
                               std::span<const std::int32_t> items) const override;

private:
    ClcRecOptions options_;
    TrainingData data_;
    nn::Parameter user_, item_;
    DenseLayer enc1_, enc2_;
};

}  // namespace milk
