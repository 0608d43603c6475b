#pragma once
// MTPR (Du, Wang, Xu, Chen, Song & Wang, SIGIR'20, "How to Learn Item Representation for
// Cold-Start Multimedia Recommendation?"). An item's representation concatenates a
// preference part and a content part; the counterfactual representation zeroes the
// preference part, which is what a new item has:
//   content            c_j = W2 leaky_relu(W1 x_j + b1) + b2,   x_j = [x^1_j ; ... ; x^M_j]
//   normal             z_j  = [v_j ; c_j],   counterfactual  z0_j = [0 ; c_j]   (in R^{2d})
//   score              y_ij = <p_i, z_j>  with p_i in R^{2d}
//   multi-task pairwise ranking (Eq. 6-7): for each triple (i, j+, j-)
//   L = mean [ BPR(z_j+, z_j-) + BPR(z0_j+, z0_j-) + BPR(z_j+, z0_j-) + BPR(z0_j+, z_j-) ]
//       + reg * mean (||p_i||^2 + ||v_j+||^2 + ||v_j-||^2),  BPR(a, b) = -ln sigma(<p_i, a> - <p_i, b>)
// Inference: a new item is scored with its counterfactual representation z0_j.
// Simplified vs the paper: the content transform is a two-layer MLP over the concatenation
// of all modalities (the paper's multimedia feature, here any M >= 1).
#include "core/models/common/model_parts.h"
#include "core/models/model.h"

namespace milk {

struct MtprOptions {
    int dim = 64;         // d: each half of the 2d representation
    int hidden = 256;
    double reg = 1e-4;
    double user_init_std = 0.1;
    nlohmann::json to_json() const;
    static MtprOptions from_json(const nlohmann::json& j);
};

class MtprModel final : public Model {
public:
    explicit MtprModel(MtprOptions options) : options_(options) {}
    std::string name() const override { return "mtpr"; }
    nlohmann::json config() const override { return options_.to_json(); }
    void initialize(const TrainingData& data, Rng& rng) override;
    BatchStats train_batch(const Batch& batch, Rng& rng) override;
    std::vector<nn::Parameter*> parameters() override;
    nn::Matrix user_embeddings() const override { return user_.value; }
    nn::Matrix item_embeddings(const std::vector<FeatureMatrix>& features,
                               std::span<const std::int32_t> items) const override;

private:
    MtprOptions options_;
    TrainingData data_;
    nn::Parameter user_, item_;
    DenseLayer enc1_, enc2_;
};

}  // namespace milk
