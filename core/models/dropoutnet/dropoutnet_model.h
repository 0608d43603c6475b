#pragma once
// DropoutNet (Volkovs, Yu & Poutanen, NeurIPS'17, "DropoutNet: Addressing Cold Start in
// Recommender Systems"). Inputs are pre-trained preference vectors (here BPR-MF on the
// warm training interactions, core/models/common/warm_cf.h): U_u for users, V_v for items,
// plus the item content x_v = [x^1_v ; ... ; x^M_v] (imputed features of every modality).
//   item tower   f_V(v) = W2 tanh(W1 [V~_v ; x_v] + b1) + b2,  V~_v = 0 with prob. p (Sec. 3.1
//                "input dropout"), else V_v
//   user tower   f_U(u) = W2' tanh(W1' U_u + b1') + b2'  (users are warm: no user dropout)
//   objective    O = mean over pairs (u,v) of (U_u V_v^T - f_U(u) f_V(v)^T)^2   (Eq. 2)
// The pairs are the batch's (user, positive) and (user, negative) pairs (the paper samples
// observed and unobserved pairs alike). At inference an item is new: V~_v = 0, content only,
// exactly the paper's cold-start transform (Eq. 4). L2 regularisation: Adam weight decay.
// Simplified vs the paper: one hidden layer per tower instead of 800-400 (hidden is a
// hyper-parameter), no user content, WMF replaced by BPR-MF as the preference model.
#include "core/models/common/model_parts.h"
#include "core/models/model.h"

namespace milk {

struct DropoutNetOptions {
    int dim = 64;             // output dimension of both towers
    int hidden = 256;         // hidden width of both towers
    double dropout = 0.5;     // probability of dropping an item's preference input
    double weight_decay = 1e-4;
    int cf_dim = 64;          // pre-trained BPR-MF dimension
    int cf_epochs = 30;
    nlohmann::json to_json() const;
    static DropoutNetOptions from_json(const nlohmann::json& j);
};

class DropoutNetModel final : public Model {
public:
    explicit DropoutNetModel(DropoutNetOptions options) : options_(options) {}
    std::string name() const override { return "dropoutnet"; }
    nlohmann::json config() const override { return options_.to_json(); }
    const DropoutNetOptions& options() const { return options_; }
    void initialize(const TrainingData& data, Rng& rng) override;
    BatchStats train_batch(const Batch& batch, Rng& rng) override;
    std::vector<nn::Parameter*> parameters() override;
    nn::Matrix user_embeddings() const override;
    nn::Matrix item_embeddings(const std::vector<FeatureMatrix>& features,
                               std::span<const std::int32_t> items) const override;
    double weight_decay() const override { return options_.weight_decay; }

private:
    DropoutNetOptions options_;
    TrainingData data_;
    nn::Matrix cf_users_, cf_items_;  // pre-trained preference vectors (constants)
    DenseLayer user1_, user2_, item1_, item2_;
};

}  // namespace milk
