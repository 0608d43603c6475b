#pragma once
// Top-K ranking of new items for each user with interactions in a split, per item group
// (Cornac-style stratified evaluation: each group is its own candidate set and its size
// is reported beside it). Definitions follow the public MILK code
// (shared/notes/reference-implementation.md), for comparability:
//   Recall@K = hits / |T_u|,  Precision@K = hits / K,  HR@K = hits / min(K, |T_u|),
//   NDCG@K = DCG@K / IDCG over min(K, |T_u|) positions (binary gains, log2(rank+2)),
// each averaged over the users that have at least one relevant candidate. Equal scores
// rank the lower item id first; results do not depend on EvalOptions::threads.
#include "core/data/dataset.h"
#include "core/scenario/scenario.h"

#include <Eigen/Core>
#include <map>
#include <string>
#include <vector>

namespace milk {

struct MetricValues {
    double recall = 0, ndcg = 0, precision = 0, hr = 0;
};

struct GroupResult {
    std::string group;  // "overall", "complete", "missing_1", ...
    int n_items = 0;    // candidate items in the group
    int n_users = 0;    // users with >= 1 relevant candidate in the group
    std::map<int, MetricValues> at_k;
    // Per-user values for paired tests: users[i] and, per K, their recall and ndcg.
    std::vector<std::int32_t> users;
    std::map<int, std::vector<float>> user_recall, user_ndcg;
};

struct EvalResult {
    std::string split;  // "validation" or "test"
    std::vector<GroupResult> groups;  // overall first, then complete, missing_1, ...
    double seconds = 0;
    const GroupResult* find(const std::string& group) const;
    double metric(const std::string& group, const std::string& name, int k) const;  // NaN if absent
};

struct EvalOptions {
    std::vector<int> ks{10, 20, 50};
    bool split_candidates_only = false;  // default: rank all new items (validation + test)
    bool keep_per_user = true;
    int threads = 0;                     // 0 = hardware concurrency
};

// user_emb: n_users x d; item_emb: n_items x d (rows of non-candidates are ignored).
// Score = dot product. `groups` gives each item's missing count under the scenario.
EvalResult evaluate_ranking(const Eigen::Ref<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>& user_emb,
                            const Eigen::Ref<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>& item_emb,
                            const Dataset& ds, ItemRole split, const ItemGroups& groups,
                            const EvalOptions& options);

// Hand-checkable core: metrics of one ranked list. `ranked` are the top items in order
// (at least max K of them or all candidates), `relevant` the user's relevant candidates.
MetricValues metrics_at_k(const std::vector<std::int32_t>& ranked, const std::vector<std::int32_t>& relevant_sorted, int k);

}  // namespace milk
