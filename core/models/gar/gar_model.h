#pragma once
// GAR (Chen, Wang, Huang, Huang, Xu, Lin, He, Li, "Generative Adversarial Framework for
// Cold-Start Item Recommendation", SIGIR'22), on warm BPR-MF embeddings p_u, q_i
// (core/models/common/warm_cf.h):
//   generator      g_i = G(x_i),  x_i = [x^1_i ; ... ; x^M_i]           (2-layer MLP, tanh)
//   recommender    r(u, v) = <f_U(p_u), f_I(v)>                         (two 2-layer MLP towers)
//   L_R = mean -ln sigma( r(u, q_i) - (1 - beta) r(u, g_i) - beta r(u, q_j) )    (i positive, j negative)
//   L_G = (1 - alpha) mean -ln sigma( r(u, g_i) - r(u, q_i) ) + alpha mean |g_i - q_i|
// The recommender learns to rank real warm embeddings above generated ones (and above
// negatives); the generator learns to fool it while staying close to q_i. Each batch takes one
// simultaneous step: grad L_R moves only f_U, f_I (g_i enters L_R as a constant) and grad L_G
// moves only G (the towers enter L_G as constants), as the public code's alternating updates do
// with their separate optimisers. Inference (all evaluated items are new): user f_U(p_u),
// item f_I(G(x_j)). Both losses leave as the series "recommender_loss" and "generator_loss".
// Not reproduced: batch normalisation and dropout inside the MLPs; the code's explicit L2
// (1e-3 on kernels) is Adam weight decay here.
#include "core/models/common/warm_cf.h"
#include "core/models/mlp_tower/mlp_tower.h"
#include "core/models/model.h"

namespace milk {

struct GarOptions {
    int dim = 64;          // of the warm CF embeddings and of the towers' outputs
    int hidden = 200;      // public code: [200, 200]
    double alpha = 0.05;   // public code default: weight of the similarity term in L_G
    // Weight of negatives vs generated items in L_R. The public code's default is 0.1; on demo
    // (FTMT, 30 epochs) 0.1 never left the random level while 0.3 learned, so 0.3 here.
    double beta = 0.3;
    double weight_decay = 1e-3;
    int cf_epochs = 30;
    double cf_learning_rate = 5e-3;
    double cf_reg = 1e-4;
    nlohmann::json to_json() const;
    static GarOptions from_json(const nlohmann::json& j);
};

class GarModel final : public Model {
public:
    explicit GarModel(GarOptions options) : options_(options) {}
    std::string name() const override { return "gar"; }
    nlohmann::json config() const override { return options_.to_json(); }
    void initialize(const TrainingData& data, Rng& rng) override;
    BatchStats train_batch(const Batch& batch, Rng& rng) override;
    std::vector<nn::Parameter*> parameters() override;
    nn::Matrix user_embeddings() const override;
    nn::Matrix item_embeddings(const std::vector<FeatureMatrix>& features,
                               std::span<const std::int32_t> items) const override;
    double weight_decay() const override { return options_.weight_decay; }

    // The two losses on a batch; gradients of each go only to its own player.
    struct Losses {
        double recommender = 0, generator = 0, similarity = 0;
    };
    Losses losses(const Batch& batch, bool backward);
    std::vector<nn::Parameter*> generator_parameters();
    std::vector<nn::Parameter*> recommender_parameters();
    const WarmCf& warm() const { return warm_; }

private:
    GarOptions options_;
    TrainingData data_;
    WarmCf warm_;
    MlpTower generator_, user_tower_, item_tower_;
};

}  // namespace milk
