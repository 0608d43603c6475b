#pragma once
// GoRec (Bai, Min, Zhang, Li, Zhao, Chen, Wang, Zhou, "GoRec: A Generative Cold-start
// Recommendation Framework", ACM MM'23): a conditional VAE of the pre-trained warm item
// representations e_i (BPR-MF, core/models/common/warm_cf.h) given the content c_i
// (the concatenated features, row-normalised):
//   encoder        h = tanh(W_e [c_i ; e_i] + b_e),  mu = W_mu h + b,  log s^2 = W_s h + b
//   content prior  mu_c = W_mc c_i + b,  log s_c^2 = W_sc c_i + b
//   samples        z = mu + eps * s,  z_c = mu_c + eps' * s_c          (eps, eps' ~ N(0, I))
//   decoder        e^_i = D(z, c_i) = W_2 (W_1 tanh(W_d [dropout(c_i) ; z] + b_d) + b_1) + b_2
//   L = ||e^_i - e_i||^2 / (B d)                                       (reconstruction, MSE)
//     + gamma_u log mean_{i<k} exp(-2 ||mu_i/|mu_i| - mu_k/|mu_k| ||^2)  (uniformity of mu)
//     + gamma_kl mean softmax(z_c) * (log softmax(z_c) - log softmax(z)) (posterior to content prior)
// Trained on the batch's positive (warm) items; users and negatives are not used. Inference, for
// new items (no e_i): e^_j = D(mu_c(c_j), c_j) from content only, user = the warm p_u, score <p_u, e^_j>.
// Not reproduced: batch normalisation inside the encoder and decoder; the clustering of the public
// code (computed, never used in its loss).
#include "core/models/common/warm_cf.h"
#include "core/models/model.h"
#include "core/nn/graph.h"

namespace milk {

struct GoRecOptions {
    int dim = 64;                 // warm CF dimension = latent size (the public code's choice)
    double uniformity_weight = 0.1;
    double kl_weight = 1.0;
    double dropout = 0.1;         // on the content fed to the decoder, training only
    double weight_decay = 1e-4;
    int cf_epochs = 30;
    double cf_learning_rate = 5e-3;
    double cf_reg = 1e-4;
    nlohmann::json to_json() const;
    static GoRecOptions from_json(const nlohmann::json& j);
};

class GoRecModel final : public Model {
public:
    explicit GoRecModel(GoRecOptions options) : options_(options) {}
    std::string name() const override { return "gorec"; }
    nlohmann::json config() const override { return options_.to_json(); }
    void initialize(const TrainingData& data, Rng& rng) override;
    BatchStats train_batch(const Batch& batch, Rng& rng) override;
    std::vector<nn::Parameter*> parameters() override;
    nn::Matrix user_embeddings() const override { return warm_.users; }
    nn::Matrix item_embeddings(const std::vector<FeatureMatrix>& features,
                               std::span<const std::int32_t> items) const override;
    double weight_decay() const override { return options_.weight_decay; }

    struct Terms {
        nn::Var loss, reconstruction, uniformity, kl;
    };
    // The objective on a batch; draws eps, eps' and the dropout mask from rng.
    Terms build_loss(nn::Graph& g, const Batch& batch, Rng& rng);
    const WarmCf& warm() const { return warm_; }

private:
    struct Linear {
        nn::Parameter w, b;
        void init(const std::string& name, int in, int out, Rng& rng);
        nn::Var operator()(nn::Var x);
        nn::Matrix apply(const nn::Matrix& x) const;
    };
    nn::Var decode(nn::Var z, nn::Var c);

    GoRecOptions options_;
    TrainingData data_;
    WarmCf warm_;
    Linear enc_, enc_mu_, enc_var_, prior_mu_, prior_var_, dec_, dec_1_, dec_2_;
};

}  // namespace milk
