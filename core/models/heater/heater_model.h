#pragma once
// Heater (Zhu, Wang & Caverlee, SIGIR'20, "Recommendation for New Users and New Items via
// Randomized Training and Mixture-of-Experts Transformation"), item cold start. Inputs are
// pre-trained preference vectors (BPR-MF on the warm training interactions,
// core/models/common/warm_cf.h): P_u for users, Q_v for items, and the item content
// x_v = [x^1_v ; ... ; x^M_v] (imputed features of every modality).
//   mixture of experts      Psi_v = sum_k g_k(x_v) (x_v W_k + b_k),  g(x_v) = softmax(x_v W_g + b_g)
//   similarity constraint   L_s = mean_v ||Psi_v - Q_v||^2          (items of the batch)
//   randomized training     Q~_v = Psi_v with probability rho, else Q_v  (per item, per batch)
//   transformation          V'_v = W2 tanh(W1 Q~_v + b1) + b2,  U'_u = W2' tanh(W1' P_u + b1') + b2'
//   prediction loss         L_r = mean over pairs (u,v) of (P_u Q_v^T - U'_u V'_v^T)^2
//   L = L_r + alpha L_s  (+ Adam weight decay for the paper's lambda ||Theta||^2)
// The pairs are the batch's (user, positive) and (user, negative) pairs; the regression
// target is the pre-trained score, as in the DropoutNet setting Heater builds on.
// At inference an item is new: Q~_v = Psi_v (content only).
// Simplified vs the paper: users are warm (no user-side experts), one transformation layer.
#include "core/models/common/model_parts.h"
#include "core/models/model.h"

namespace milk {

struct HeaterOptions {
    int dim = 64;             // output dimension of U', V'
    int hidden = 256;         // transformation width
    int experts = 5;          // T, the number of experts
    double alpha = 1.0;       // weight of the similarity constraint L_s
    double rho = 0.5;         // randomized-training probability of using Psi_v for Q_v
    double weight_decay = 1e-4;
    int cf_dim = 64;
    int cf_epochs = 30;
    nlohmann::json to_json() const;
    static HeaterOptions from_json(const nlohmann::json& j);
};

class HeaterModel final : public Model {
public:
    explicit HeaterModel(HeaterOptions options) : options_(options) {}
    std::string name() const override { return "heater"; }
    nlohmann::json config() const override { return options_.to_json(); }
    const HeaterOptions& options() const { return options_; }
    void initialize(const TrainingData& data, Rng& rng) override;
    BatchStats train_batch(const Batch& batch, Rng& rng) override;
    std::vector<nn::Parameter*> parameters() override;
    nn::Matrix user_embeddings() const override;
    nn::Matrix item_embeddings(const std::vector<FeatureMatrix>& features,
                               std::span<const std::int32_t> items) const override;
    double weight_decay() const override { return options_.weight_decay; }

private:
    nn::Var experts(nn::Var x);                 // Psi on the graph
    nn::Matrix experts(const nn::Matrix& x) const;
    HeaterOptions options_;
    TrainingData data_;
    nn::Matrix cf_users_, cf_items_;
    DenseLayer gate_;
    std::vector<DenseLayer> expert_;
    DenseLayer user1_, user2_, item1_, item2_;
};

}  // namespace milk
