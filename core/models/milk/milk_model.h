#pragma once
// MILK: Multimodality Invariant Learning reCommendation (Bai et al., SIGIR'24).
//
// CMAM (section 4.2)
//   c^m_j = G_m(x^m_j) = W_m x^m_j + b_m                                   (Eq. 5)
//   L_align = sum_j sum_{m<m'} a_jm a_jm' ||c^m_j - c^m'_j||^2             (Eq. 6)
//     here averaged over the batch's distinct items (positives and negatives) and over
//     the d dimensions, so its scale depends on neither the batch size nor d and lambda
//     means what the paper's tuned lambda = 0.05 meant (its code takes a per-element MSE);
//     a_jm is the training availability.
// CEIM (section 4.3)
//   z^e_j = sum_m theta^m_e c^m_j   with theta_0 = 1/M and Theta_1..M from cyclic mixup
//                                                                           (Eq. 8-12)
//   y^e_ij = <u_i, z^e_j>                                                   (Eq. 13)
//   L_e = mean over the batch of -ln sigma(y^e_ij - y^e_ij')                (Eq. 15)
// Objective (Eq. 16): mean_e L_e + beta Var_e(L_e) + lambda L_align + reg * R, with
//   R = batch mean of ||u_i||^2 + ||z^0_j||^2 + ||z^0_j'||^2 (the usual BPR L2 term).
//   Var is the population variance over the environments.
// Inference (Eq. 18): y_ij = <u_i, (1/M) sum_m G_m(x^m_j)> on imputed features.
//
// Cost per batch: each modality is projected once, for the batch's distinct items only
// (n_I x d_m x d), and shared by every environment: environments only re-weight the
// per-modality scores <u_i, c^m_j>, so E environments cost O(E M B), not E projections.
// Backward is fused and hand-written; tests check it against finite differences and
// against the generic autodiff (core/nn).
//
// `reference` reproduces the public implementation where it departs from the paper
// (shared/notes/reference-implementation.md): the environments' losses are summed, the
// variance is unbiased, the alignment is the mean squared error over the batch's distinct
// positive items only, and negatives are drawn from all items (new items included).
#include "core/models/milk/cyclic_mixup.h"
#include "core/models/model.h"

#include <memory>

namespace milk {

struct MilkOptions {
    int dim = 64;             // paper 5.1.4
    double alpha = 0.1;       // Dirichlet concentration (Eq. 9)
    double beta = 50;         // variance penalty (Eq. 16); paper: 1000 Baby, 50 Clothing/TikTok
    double lambda = 0.05;     // alignment weight (Eq. 16)
    double reg = 1e-4;        // L2 on the batch's embeddings
    double user_init_std = 0.1;
    bool cmam = true;         // alignment loss (ablation "w/o CMAM" when false)
    bool ceim = true;         // environments + variance (ablation "w/o CEIM" when false)
    bool env0 = true;         // Table 4 "w/o e=0" when false
    bool cyclic_shift = true; // Table 4 "w/o cs" when false
    bool redraw = true;       // Table 4 "w/o random" when false
    bool reference = false;   // the public implementation's choices

    nlohmann::json to_json() const;
    static MilkOptions from_json(const nlohmann::json& j);  // throws ConfigError
};

class MilkModel final : public Model {
public:
    explicit MilkModel(MilkOptions options);
    std::string name() const override { return "milk"; }
    nlohmann::json config() const override { return options_.to_json(); }
    void initialize(const TrainingData& data, Rng& rng) override;
    BatchStats train_batch(const Batch& batch, Rng& rng) override;
    std::vector<nn::Parameter*> parameters() override;
    nn::Matrix user_embeddings() const override { return user_.value; }
    nn::Matrix item_embeddings(const std::vector<FeatureMatrix>& features,
                               std::span<const std::int32_t> items) const override;
    bool negatives_from_all_items() const override { return options_.reference; }

    // c^m_j for the given items (rows in `items` order): for the item inspector.
    nn::Matrix modality_embeddings(const std::vector<FeatureMatrix>& features, int m,
                                   std::span<const std::int32_t> items) const;
    const MilkOptions& options() const { return options_; }
    int n_modalities() const { return static_cast<int>(w_.size()); }
    // The environments' weights the last batch used (environments x modalities).
    const std::vector<std::vector<float>>& last_environments() const { return last_env_; }

private:
    MilkOptions options_;
    TrainingData data_;
    nn::Parameter user_;
    std::vector<nn::Parameter> w_, b_;
    std::unique_ptr<CyclicMixup> mixup_;
    std::vector<std::vector<float>> last_env_;
    std::vector<FeatureMatrix> gather_;  // per modality: the batch's distinct items' feature rows
    std::vector<std::int32_t> slot_;  // item -> row in the batch's distinct-item block, -1 otherwise
};

}  // namespace milk
