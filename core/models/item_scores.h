#pragma once
// The item inspector's numbers: one candidate item's score for one user and its rank among
// the candidates, under the inference weights (any model, Eq. 18 for MILK) and, for MILK,
// under each environment's modality weights (Eq. 12-13):
//   score_e(u, j) = <u, z^e_j>,  z^e_j = sum_m theta_em c^m_j,  c^m_j = G_m(x^m_j)  (Eq. 5)
// Ranks follow the evaluation's rule (core/eval/ranking_metrics.h): 1 = first; a higher
// score ranks first, equal scores rank the lower item id first. Cost: one projection of
// every candidate per modality (n_candidates x d_m x d), shared by all environments.
#include "core/models/model.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace milk {

class MilkModel;

struct ItemScore {
    std::string label;           // "inference", "e=0", "e=1", ...
    std::vector<float> weights;  // theta per modality; empty when the model has no modality weights
    float score = 0;
    int rank = 0;                // 1-based among the candidates
};

// 1 + the number of candidates that rank before `item` by `scores` (scores[i] belongs to
// candidates[i]). Throws ConfigError when `item` is not a candidate.
int rank_among(std::span<const float> scores, std::span<const std::int32_t> candidates, std::int32_t item);

// Any model: score and rank under its inference item embeddings.
ItemScore inference_item_score(const Model& model, const std::vector<FeatureMatrix>& features, int user,
                               std::int32_t item, std::span<const std::int32_t> candidates);

// MILK: one ItemScore per environment (rows of `environments`, environments x modalities),
// labelled e=first_label, first_label+1, ... Weights need not sum to 1.
std::vector<ItemScore> environment_item_scores(const MilkModel& model, const std::vector<FeatureMatrix>& features,
                                               int user, std::int32_t item, std::span<const std::int32_t> candidates,
                                               const std::vector<std::vector<float>>& environments, int first_label = 0);

// The environments to show for a MILK model: the last batch's (label of the first one is
// returned in `first_label`: 1 when e=0 is ablated), or e=0 alone (equal weights) when no
// batch has been trained in this process (e.g. a model restored from a checkpoint).
std::vector<std::vector<float>> environments_to_inspect(const MilkModel& model, int& first_label);

}  // namespace milk
