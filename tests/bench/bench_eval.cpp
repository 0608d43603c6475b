// Full validation evaluation at Baby-like size: 10,000 users ranking 1,410 new items
// (d = 64) in 3 item groups (complete, missing_1, missing_2) plus overall, K = 10/20/50.
#include "core/eval/ranking_metrics.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct BabyLike {
    milk::Dataset ds;
    milk::ItemGroups groups;
    RowMatrix users, items;

    BabyLike() {
        const int n_users = 10000, n_warm = 5640, n_new = 1410, d = 64;
        std::mt19937_64 rng(2024);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::uniform_int_distribution<int> pick_new(0, n_new - 1), pick_n(1, 3), pick_k(0, 2);
        ds.name = "bench:baby-like";
        ds.n_users = n_users;
        ds.n_items = n_warm + n_new;
        ds.roles.assign(static_cast<std::size_t>(n_warm), milk::ItemRole::Warm);
        for (int i = 0; i < n_new; ++i) ds.roles.push_back(i % 2 ? milk::ItemRole::TestNew : milk::ItemRole::ValidationNew);
        groups.max_k = 2;
        for (int i = 0; i < ds.n_items; ++i) groups.missing_k.push_back(pick_k(rng));
        users.resize(n_users, d);
        items.resize(ds.n_items, d);
        for (Eigen::Index i = 0; i < users.size(); ++i) users.data()[i] = normal(rng);
        for (Eigen::Index i = 0; i < items.size(); ++i) items.data()[i] = normal(rng);
        for (int u = 0; u < n_users; ++u) {
            std::vector<std::int32_t> v;
            const int n = pick_n(rng);
            while (static_cast<int>(v.size()) < n) {
                const int i = n_warm + (pick_new(rng) & ~1);  // validation-new items are the even offsets
                if (std::find(v.begin(), v.end(), i) == v.end()) v.push_back(i);
            }
            std::sort(v.begin(), v.end());
            ds.validation.items.insert(ds.validation.items.end(), v.begin(), v.end());
            ds.validation.offsets.push_back(static_cast<std::int64_t>(ds.validation.items.size()));
        }
        ds.train.offsets.assign(static_cast<std::size_t>(n_users) + 1, 0);
        ds.test.offsets.assign(static_cast<std::size_t>(n_users) + 1, 0);
    }
};

void BM_EvaluateValidation(benchmark::State& state) {
    static const BabyLike data;
    milk::EvalOptions options;
    options.threads = static_cast<int>(state.range(0));
    double users = 0;
    for (auto _ : state) {
        const milk::EvalResult r = milk::evaluate_ranking(data.users, data.items, data.ds, milk::ItemRole::ValidationNew,
                                                          data.groups, options);
        users = r.groups.front().n_users;
        benchmark::DoNotOptimize(r.groups.front().at_k.at(20).ndcg);
    }
    state.counters["users"] = users;
}
// CPU time is the process total (all worker threads): on a shared, loaded machine it is
// steadier than wall time; wall time is reported beside it.
BENCHMARK(BM_EvaluateValidation)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
