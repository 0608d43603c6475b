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

struct Scored {
    float score;
    std::int32_t pos;  // candidate position; candidates ascend by item id, so lower pos = lower id
};
// "a ranks before b": higher score, ties by lower item id.
inline bool before(const Scored& a, const Scored& b) { return a.score > b.score || (a.score == b.score && a.pos < b.pos); }

// Keeps the best `k` of the offered items; the heap's front is the worst kept.
struct TopK {
    std::vector<Scored> heap;
    std::size_t k = 0;
    void reset(std::size_t cap) {
        heap.clear();
        k = cap;
    }
    void offer(Scored s) {
        if (heap.size() < k) {
            heap.push_back(s);
            std::push_heap(heap.begin(), heap.end(), before);
        } else if (k > 0 && before(s, heap.front())) {
            std::pop_heap(heap.begin(), heap.end(), before);
            heap.back() = s;
            std::push_heap(heap.begin(), heap.end(), before);
        }
    }
    void finish() { std::sort_heap(heap.begin(), heap.end(), before); }  // best first
};

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
    const int max_k = ks.back();

    // Candidates (ascending item ids) and their group index (1 + missing count).
    const std::vector<std::int32_t> candidates =
        options.split_candidates_only ? ds.items_with_role(split) : ds.new_items();
    const int n_cand = static_cast<int>(candidates.size());
    std::vector<std::int32_t> pos_of(static_cast<std::size_t>(ds.n_items), -1);
    for (int p = 0; p < n_cand; ++p) pos_of[static_cast<std::size_t>(candidates[p])] = p;
    std::vector<std::int16_t> group_of(static_cast<std::size_t>(n_cand));
    const int n_groups = groups.max_k + 2;  // overall + k = 0..max_k
    std::vector<int> group_size(static_cast<std::size_t>(n_groups), 0);
    group_size[0] = n_cand;
    for (int p = 0; p < n_cand; ++p) {
        const int k = groups.missing_k[static_cast<std::size_t>(candidates[p])];
        if (k < 0 || k > groups.max_k)
            throw DataError(describe(where, "missing count of item " + std::to_string(candidates[p]),
                                     "0.." + std::to_string(groups.max_k), std::to_string(k)));
        group_of[static_cast<std::size_t>(p)] = static_cast<std::int16_t>(k + 1);
        ++group_size[static_cast<std::size_t>(k + 1)];
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
    for (int p = 0; p < n_cand; ++p) cand_emb.row(p) = item_emb.row(candidates[static_cast<std::size_t>(p)]);
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
            std::vector<TopK> top(static_cast<std::size_t>(n_groups));
            std::vector<int> rel_count(static_cast<std::size_t>(n_groups));
            std::vector<std::int32_t> rel_pos, ranked, relevant;
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
                    std::sort(rel_pos.begin(), rel_pos.end());
                    std::fill(rel_count.begin(), rel_count.end(), 0);
                    rel_count[0] = static_cast<int>(rel_pos.size());
                    for (std::int32_t p : rel_pos) ++rel_count[static_cast<std::size_t>(group_of[static_cast<std::size_t>(p)])];
                    for (int g = 0; g < n_groups; ++g)
                        top[static_cast<std::size_t>(g)].reset(rel_count[static_cast<std::size_t>(g)] > 0 ? static_cast<std::size_t>(max_k) : 0);
                    const float* row = scores.row(i).data();
                    TopK& overall = top[0];
                    for (int p = 0; p < n_cand; ++p) {
                        const Scored s{row[p], p};
                        overall.offer(s);
                        TopK& own = top[static_cast<std::size_t>(group_of[static_cast<std::size_t>(p)])];
                        if (own.k > 0) own.offer(s);
                    }
                    for (int g = 0; g < n_groups; ++g) {
                        if (rel_count[static_cast<std::size_t>(g)] == 0) continue;
                        TopK& t = top[static_cast<std::size_t>(g)];
                        t.finish();
                        ranked.clear();
                        for (const Scored& s : t.heap) ranked.push_back(candidates[static_cast<std::size_t>(s.pos)]);
                        relevant.clear();
                        for (std::int32_t p : rel_pos)
                            if (g == 0 || group_of[static_cast<std::size_t>(p)] == g) relevant.push_back(candidates[static_cast<std::size_t>(p)]);
                        GroupWork& w = work[static_cast<std::size_t>(g)];
                        w.valid[static_cast<std::size_t>(slot)] = 1;
                        for (std::size_t ki = 0; ki < ks.size(); ++ki)
                            w.values[ki][static_cast<std::size_t>(slot)] = metrics_at_k(ranked, relevant, ks[ki]);
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
