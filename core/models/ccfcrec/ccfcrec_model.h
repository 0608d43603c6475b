#pragma once
// CCFCRec (Zhou, Zhang, Yang, "Contrastive Collaborative Filtering for Cold-Start Item
// Recommendation", WWW'23; the MILK paper cites it as [43]): a content tower learns from
// co-occurrence collaborative signals of warm items by contrast with their CF embeddings.
//   a_j   = sum_m w_m x^m_j A_m,  w = softmax(theta)        (modality-level attribute attention)
//   q^c_j = W_2 leaky_relu(W_1 a_j + b_1) + b_2              (content-generated CF embedding)
//   rank  = mean -ln sigma(<q_i, p_u> - <q_i, p_k>) + mean -ln sigma(<q^c_i, p_u> - <q^c_i, p_k>)
//           (u a user of item i, k a sampled user who is not: the paper's user-side ranking)
//   co    = mean over (i, v) -ln [ e^{c(q^c_i, q_v)/tau} / (e^{c(q^c_i, q_v)/tau} + sum_n e^{c(q^c_i, q_n)/tau}) ]
//           (v an item co-occurring with i: both liked by one user; n random warm items; c = cosine)
//   self  = the same with v = i itself (q^c_i against its own CF embedding q_i)
//   L     = lambda (co + self) + (1 - lambda) rank                 (+ Adam weight decay)
// p (users) and q (items) are CF embeddings learned jointly from scratch (the code's non-pretrained
// mode). Inference, for new items: user p_u, item q^c_j from content only.
// Differences: the paper's attention over binary attributes becomes a learned softmax over
// modalities of per-modality projections (continuous features); the losses are batch means
// rather than sums; co-occurring items are drawn by a random user of i, then a random other
// item of that user (the code's pre-computed co-occurrence lists are not kept).
#include "core/models/model.h"
#include "core/nn/graph.h"

namespace milk {

struct CcfcRecOptions {
    int dim = 64;
    int attr_dim = 64;        // the code's attr_present_dim
    int hidden = 128;         // the code's cat_implicit_dim
    double tau = 0.1;
    double lambda = 0.5;      // the code's lambda1
    int positives = 2;        // co-occurring items per triple
    int negatives = 10;       // contrast negatives per positive (and for the self contrast)
    double weight_decay = 1e-4;
    nlohmann::json to_json() const;
    static CcfcRecOptions from_json(const nlohmann::json& j);
};

class CcfcRecModel final : public Model {
public:
    explicit CcfcRecModel(CcfcRecOptions options) : options_(options) {}
    std::string name() const override { return "ccfcrec"; }
    nlohmann::json config() const override { return options_.to_json(); }
    void initialize(const TrainingData& data, Rng& rng) override;
    BatchStats train_batch(const Batch& batch, Rng& rng) override;
    std::vector<nn::Parameter*> parameters() override;
    nn::Matrix user_embeddings() const override { return user_.value; }
    nn::Matrix item_embeddings(const std::vector<FeatureMatrix>& features,
                               std::span<const std::int32_t> items) const override;
    double weight_decay() const override { return options_.weight_decay; }

    struct Terms {
        nn::Var loss, rank, co, self;
    };
    // The objective; the negative users, co-occurring items and negatives come from rng.
    Terms build_loss(nn::Graph& g, const Batch& batch, Rng& rng);

private:
    nn::Var content_tower(nn::Graph& g, std::span<const std::int32_t> items);
    std::int32_t negative_user(std::int32_t item, Rng& rng) const;
    std::int32_t co_occurring(std::int32_t item, Rng& rng) const;
    bool user_has(std::int32_t user, std::int32_t item) const;

    CcfcRecOptions options_;
    TrainingData data_;
    nn::Parameter user_, item_, theta_, w1_, b1_, w2_, b2_;
    std::vector<nn::Parameter> attr_;  // A_m, one per modality
    std::vector<std::int64_t> item_offsets_;  // item -> its training users (CSR)
    std::vector<std::int32_t> item_users_;
    std::vector<std::int32_t> warm_;
};

}  // namespace milk
