#include "core/models/item_scores.h"

#include "core/error.h"
#include "core/models/milk/milk_model.h"

#include <algorithm>

namespace milk {
namespace {

std::size_t position_of(std::span<const std::int32_t> candidates, std::int32_t item) {
    const auto it = std::find(candidates.begin(), candidates.end(), item);
    if (it == candidates.end())
        throw ConfigError(describe("item inspector", "item " + std::to_string(item), "one of the candidate items",
                                   "an item outside the " + std::to_string(candidates.size()) + " candidates"));
    return static_cast<std::size_t>(it - candidates.begin());
}

void check_user(const nn::Matrix& users, int user) {
    if (user < 0 || user >= users.rows())
        throw ConfigError(describe("item inspector", "user", "a user id in [0, " + std::to_string(users.rows()) + ")",
                                   std::to_string(user)));
}

}  // namespace

int rank_among(std::span<const float> scores, std::span<const std::int32_t> candidates, std::int32_t item) {
    const std::size_t at = position_of(candidates, item);
    const float s = scores[at];
    int before = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i)
        before += (scores[i] > s) || (scores[i] == s && candidates[i] < item);
    return before + 1;
}

ItemScore inference_item_score(const Model& model, const std::vector<FeatureMatrix>& features, int user,
                               std::int32_t item, std::span<const std::int32_t> candidates) {
    const std::size_t at = position_of(candidates, item);
    const nn::Matrix users = model.user_embeddings();
    check_user(users, user);
    const nn::Matrix items = model.item_embeddings(features, candidates);  // rows by item id
    std::vector<float> scores(candidates.size());
    for (std::size_t i = 0; i < candidates.size(); ++i) scores[i] = items.row(candidates[i]).dot(users.row(user));
    ItemScore out;
    out.label = "inference";
    out.score = scores[at];
    out.rank = rank_among(scores, candidates, item);
    return out;
}

std::vector<ItemScore> environment_item_scores(const MilkModel& model, const std::vector<FeatureMatrix>& features,
                                               int user, std::int32_t item, std::span<const std::int32_t> candidates,
                                               const std::vector<std::vector<float>>& environments, int first_label) {
    const std::size_t at = position_of(candidates, item);
    const int M = model.n_modalities();
    const nn::Matrix users = model.user_embeddings();
    check_user(users, user);
    // Per modality, <u, c^m_j> for every candidate: environments only re-weight these.
    Eigen::MatrixXf per_modality(M, static_cast<Eigen::Index>(candidates.size()));
    for (int m = 0; m < M; ++m) per_modality.row(m) = (model.modality_embeddings(features, m, candidates) * users.row(user).transpose()).transpose();
    std::vector<ItemScore> out;
    for (std::size_t e = 0; e < environments.size(); ++e) {
        const auto& theta = environments[e];
        if (static_cast<int>(theta.size()) != M)
            throw ConfigError(describe("item inspector", "environment " + std::to_string(e),
                                       std::to_string(M) + " modality weights", std::to_string(theta.size())));
        std::vector<float> scores(candidates.size(), 0.0f);
        for (std::size_t i = 0; i < candidates.size(); ++i)
            for (int m = 0; m < M; ++m) scores[i] += theta[static_cast<std::size_t>(m)] * per_modality(m, static_cast<Eigen::Index>(i));
        ItemScore s;
        s.label = "e=" + std::to_string(first_label + static_cast<int>(e));
        s.weights = theta;
        s.score = scores[at];
        s.rank = rank_among(scores, candidates, item);
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<std::vector<float>> environments_to_inspect(const MilkModel& model, int& first_label) {
    const auto& last = model.last_environments();
    const MilkOptions& o = model.options();
    if (!last.empty()) {
        first_label = (o.ceim && !o.env0) ? 1 : 0;
        return last;
    }
    first_label = 0;
    const int M = model.n_modalities();
    return {std::vector<float>(static_cast<std::size_t>(M), 1.0f / static_cast<float>(M))};
}

}  // namespace milk
