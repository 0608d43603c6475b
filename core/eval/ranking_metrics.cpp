#include "core/eval/ranking_metrics.h"

#include "core/error.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

namespace milk {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr int kUserBlock = 256;  // users scored per matrix product; fixed, so scores never depend on threads

// Metrics from the 0-based ranks of a user's relevant candidates (ranks are distinct:
// ties are broken by item id). Same definitions as metrics_at_k.
MetricValues metrics_from_ranks(const std::vector<std::int32_t>& ranks, int k) {
    MetricValues m;
    int hits = 0;
    double dcg = 0;
    for (std::int32_t r : ranks)
        if (r < k) {
            ++hits;
            dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
        }
    const int ideal = std::min(k, static_cast<int>(ranks.size()));
    double idcg = 0;
    for (int r = 0; r < ideal; ++r) idcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
    m.recall = static_cast<double>(hits) / static_cast<double>(ranks.size());
    m.precision = static_cast<double>(hits) / static_cast<double>(k);
    m.hr = static_cast<double>(hits) / static_cast<double>(ideal);
    m.ndcg = dcg / idcg;
    return m;
}

// How many of scores[begin, end) rank before (score s, item id): higher score, or equal
// score and lower id. Branch-free so the compiler vectorises it.
inline std::int32_t count_before(const float* scores, const std::int32_t* items, int begin, int end, float s, std::int32_t id) {
    std::int32_t n = 0;
    for (int p = begin; p < end; ++p) n += static_cast<std::int32_t>((scores[p] > s) | ((scores[p] == s) & (items[p] < id)));
    return n;
}

// Per group: the candidates, and per user slot the metric values at each K.
struct GroupWork {
    std::string name;
    int k_missing = -1;  // -1 = overall
    int n_items = 0;
    // [k_index][user_slot]; valid[user_slot] = user has relevant candidates in the group
    std::vector<std::vector<MetricValues>> values;
    std::vector<std::uint8_t> valid;
};

std::string shape(Eigen::Index r, Eigen::Index c) { return std::to_string(r) + "x" + std::to_string(c); }

}  // namespace

MetricValues metrics_at_k(const std::vector<std::int32_t>& ranked, const std::vector<std::int32_t>& relevant_sorted, int k) {
    MetricValues m;
    if (k <= 0) throw ConfigError(describe("evaluation", "K", "K >= 1", std::to_string(k)));
    if (relevant_sorted.empty()) return m;
    const std::size_t depth = std::min(ranked.size(), static_cast<std::size_t>(k));
    int hits = 0;
    double dcg = 0;
    for (std::size_t r = 0; r < depth; ++r) {
        if (std::binary_search(relevant_sorted.begin(), relevant_sorted.end(), ranked[r])) {
            ++hits;
            dcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
        }
    }
    const int ideal = std::min(k, static_cast<int>(relevant_sorted.size()));
    double idcg = 0;
    for (int r = 0; r < ideal; ++r) idcg += 1.0 / std::log2(static_cast<double>(r) + 2.0);
    m.recall = static_cast<double>(hits) / static_cast<double>(relevant_sorted.size());
    m.precision = static_cast<double>(hits) / static_cast<double>(k);
    m.hr = static_cast<double>(hits) / static_cast<double>(ideal);
    m.ndcg = dcg / idcg;
    return m;
}

const GroupResult* EvalResult::find(const std::string& group) const {
    for (const GroupResult& g : groups)
        if (g.group == group) return &g;
    return nullptr;
}

double EvalResult::metric(const std::string& group, const std::string& name, int k) const {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const GroupResult* g = find(group);
    if (g == nullptr) return nan;
    auto it = g->at_k.find(k);
    if (it == g->at_k.end()) return nan;
    if (name == "recall") return it->second.recall;
    if (name == "ndcg") return it->second.ndcg;
    if (name == "precision") return it->second.precision;
    if (name == "hr") return it->second.hr;
    return nan;
}

EvalResult evaluate_ranking(const Eigen::Ref<const RowMatrix>& user_emb, const Eigen::Ref<const RowMatrix>& item_emb,
                            const Dataset& ds, ItemRole split, const ItemGroups& groups, const EvalOptions& options) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string where = "evaluate_ranking";
    if (split == ItemRole::Warm)
        throw ConfigError(describe(where, "split", "validation or test", "warm"));
    const Interactions& inter = split == ItemRole::ValidationNew ? ds.validation : ds.test;
    if (user_emb.rows() != ds.n_users || item_emb.rows() != ds.n_items || user_emb.cols() != item_emb.cols())
        throw DataError(describe(where, "embeddings", "users " + shape(ds.n_users, user_emb.cols()) + " and items " +
                                                          shape(ds.n_items, user_emb.cols()),
                                 shape(user_emb.rows(), user_emb.cols()) + " and " + shape(item_emb.rows(), item_emb.cols())));
    if (static_cast<int>(groups.missing_k.size()) != ds.n_items)
        throw DataError(describe(where, "item groups", std::to_string(ds.n_items) + " items",
                                 std::to_string(groups.missing_k.size())));
    if (inter.n_users() > ds.n_users)
        throw DataError(describe(where, "split users", "at most " + std::to_string(ds.n_users), std::to_string(inter.n_users())));
    if (options.ks.empty()) throw ConfigError(describe(where, "ks", "at least one K", "none"));
    for (int k : options.ks)
        if (k <= 0) throw ConfigError(describe(where, "ks", "K >= 1", std::to_string(k)));
    if (options.threads < 0) throw ConfigError(describe(where, "threads", "threads >= 0", std::to_string(options.threads)));

    std::vector<int> ks = options.ks;
    std::sort(ks.begin(), ks.end());
    ks.erase(std::unique(ks.begin(), ks.end()), ks.end());

    // Candidates, reordered by group (1 + missing count) and then item id, so that each
    // group's scores are one contiguous range of a score row.
    const std::vector<std::int32_t> candidates =
        options.split_candidates_only ? ds.items_with_role(split) : ds.new_items();
    const int n_cand = static_cast<int>(candidates.size());
    const int n_groups = groups.max_k + 2;  // overall + k = 0..max_k
    std::vector<int> group_size(static_cast<std::size_t>(n_groups), 0);
    group_size[0] = n_cand;
    for (std::int32_t item : candidates) {
        const int k = groups.missing_k[static_cast<std::size_t>(item)];
        if (k < 0 || k > groups.max_k)
            throw DataError(describe(where, "missing count of item " + std::to_string(item),
                                     "0.." + std::to_string(groups.max_k), std::to_string(k)));
        ++group_size[static_cast<std::size_t>(k + 1)];
    }
    std::vector<int> group_begin(static_cast<std::size_t>(n_groups) + 1, 0);  // ranges for g >= 1
    for (int g = 1; g < n_groups; ++g) group_begin[g + 1] = group_begin[g] + group_size[static_cast<std::size_t>(g)];
    std::vector<std::int32_t> ordered(static_cast<std::size_t>(n_cand));
    std::vector<std::int16_t> group_of(static_cast<std::size_t>(n_cand));
    std::vector<std::int32_t> pos_of(static_cast<std::size_t>(ds.n_items), -1);
    {
        std::vector<int> fill(group_begin.begin(), group_begin.end());
        for (std::int32_t item : candidates) {
            const int g = groups.missing_k[static_cast<std::size_t>(item)] + 1;
            const int p = fill[static_cast<std::size_t>(g)]++;
            ordered[static_cast<std::size_t>(p)] = item;
            group_of[static_cast<std::size_t>(p)] = static_cast<std::int16_t>(g);
            pos_of[static_cast<std::size_t>(item)] = p;
        }
    }

    // Users with at least one interaction in the split.
    std::vector<std::int32_t> users;
    for (int u = 0; u < inter.n_users(); ++u) {
        if (inter.offsets[u + 1] > inter.offsets[u]) users.push_back(u);
        for (std::int32_t i : inter.of(u))
            if (i < 0 || i >= ds.n_items)
                throw DataError(describe(where, "split interaction of user " + std::to_string(u),
                                         "an item id below " + std::to_string(ds.n_items), std::to_string(i)));
    }
    const int n_users = static_cast<int>(users.size());

    // Non-finite scores would break the ranking order; reject them up front.
    RowMatrix cand_emb(n_cand, item_emb.cols());
    for (int p = 0; p < n_cand; ++p) cand_emb.row(p) = item_emb.row(ordered[static_cast<std::size_t>(p)]);
    if (!cand_emb.allFinite()) throw DataError(describe(where, "item embeddings", "finite values", "NaN or infinity"));
    for (std::int32_t u : users)
        if (!user_emb.row(u).allFinite())
            throw DataError(describe(where, "embedding of user " + std::to_string(u), "finite values", "NaN or infinity"));

    std::vector<GroupWork> work(static_cast<std::size_t>(n_groups));
    for (int g = 0; g < n_groups; ++g) {
        GroupWork& w = work[static_cast<std::size_t>(g)];
        w.k_missing = g - 1;
        w.name = g == 0 ? std::string("overall") : group_name(g - 1);
        w.n_items = group_size[static_cast<std::size_t>(g)];
        if (w.n_items == 0) continue;
        w.values.assign(ks.size(), std::vector<MetricValues>(static_cast<std::size_t>(n_users)));
        w.valid.assign(static_cast<std::size_t>(n_users), 0);
    }

    const int n_blocks = (n_users + kUserBlock - 1) / kUserBlock;
    int n_threads = options.threads == 0 ? static_cast<int>(std::thread::hardware_concurrency()) : options.threads;
    n_threads = std::max(1, std::min(n_threads, n_blocks));
    std::atomic<int> next_block{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;

    auto worker = [&]() {
        try {
            // This std::thread's own OpenMP setting: our threads already use the cores, and a
            // single-threaded product computes the same floats whatever options.threads is.
            omp_set_num_threads(1);
            RowMatrix ub, scores;
            std::vector<std::int32_t> rel_pos;
            std::vector<std::vector<std::int32_t>> ranks(static_cast<std::size_t>(n_groups));
            for (int b = next_block.fetch_add(1); b < n_blocks; b = next_block.fetch_add(1)) {
                const int first = b * kUserBlock;
                const int count = std::min(kUserBlock, n_users - first);
                ub.resize(count, user_emb.cols());
                for (int i = 0; i < count; ++i) ub.row(i) = user_emb.row(users[static_cast<std::size_t>(first + i)]);
                scores.resize(count, n_cand);
                scores.noalias() = ub * cand_emb.transpose();
                for (int i = 0; i < count; ++i) {
                    const int slot = first + i;
                    const int u = users[static_cast<std::size_t>(slot)];
                    rel_pos.clear();
                    for (std::int32_t item : inter.of(u)) {
                        const std::int32_t p = pos_of[static_cast<std::size_t>(item)];
                        if (p >= 0) rel_pos.push_back(p);
                    }
                    if (rel_pos.empty()) continue;
                    // Only the ranks of the relevant items matter: count, per group, the
                    // candidates ranking before each one (overall rank = sum over groups).
                    for (auto& r : ranks) r.clear();
                    const float* row = scores.row(i).data();
                    for (std::int32_t p : rel_pos) {
                        const float s = row[p];
                        const std::int32_t id = ordered[static_cast<std::size_t>(p)];
                        const int own = group_of[static_cast<std::size_t>(p)];
                        std::int32_t total = 0;
                        for (int g = 1; g < n_groups; ++g) {
                            const std::int32_t c = count_before(row, ordered.data(), group_begin[static_cast<std::size_t>(g)],
                                                                group_begin[static_cast<std::size_t>(g) + 1], s, id);
                            total += c;
                            if (g == own) ranks[static_cast<std::size_t>(g)].push_back(c);
                        }
                        ranks[0].push_back(total);
                    }
                    for (int g = 0; g < n_groups; ++g) {
                        const auto& r = ranks[static_cast<std::size_t>(g)];
                        if (r.empty()) continue;
                        GroupWork& w = work[static_cast<std::size_t>(g)];
                        w.valid[static_cast<std::size_t>(slot)] = 1;
                        for (std::size_t ki = 0; ki < ks.size(); ++ki)
                            w.values[ki][static_cast<std::size_t>(slot)] = metrics_from_ranks(r, ks[ki]);
                    }
                }
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(failure_mutex);
            if (!failure) failure = std::current_exception();
            next_block.store(n_blocks);
        }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < n_threads; ++t) pool.emplace_back(worker);
    for (std::thread& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);

    // Sequential reduction in user order: the same sums whatever the thread count.
    EvalResult result;
    result.split = split == ItemRole::ValidationNew ? "validation" : "test";
    for (const GroupWork& w : work) {
        if (w.n_items == 0) continue;
        GroupResult gr;
        gr.group = w.name;
        gr.n_items = w.n_items;
        for (int s = 0; s < n_users; ++s)
            if (w.valid[static_cast<std::size_t>(s)]) {
                ++gr.n_users;
                if (options.keep_per_user) gr.users.push_back(users[static_cast<std::size_t>(s)]);
            }
        for (std::size_t ki = 0; ki < ks.size(); ++ki) {
            MetricValues sum;
            std::vector<float> rec, nd;
            for (int s = 0; s < n_users; ++s) {
                if (!w.valid[static_cast<std::size_t>(s)]) continue;
                const MetricValues& v = w.values[ki][static_cast<std::size_t>(s)];
                sum.recall += v.recall;
                sum.ndcg += v.ndcg;
                sum.precision += v.precision;
                sum.hr += v.hr;
                if (options.keep_per_user) {
                    rec.push_back(static_cast<float>(v.recall));
                    nd.push_back(static_cast<float>(v.ndcg));
                }
            }
            if (gr.n_users > 0) {
                const double n = gr.n_users;
                sum.recall /= n;
                sum.ndcg /= n;
                sum.precision /= n;
                sum.hr /= n;
            }
            gr.at_k[ks[ki]] = sum;
            if (options.keep_per_user) {
                gr.user_recall[ks[ki]] = std::move(rec);
                gr.user_ndcg[ks[ki]] = std::move(nd);
            }
        }
        result.groups.push_back(std::move(gr));
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
}

}  // namespace milk
