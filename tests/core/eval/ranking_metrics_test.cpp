#include "core/error.h"
#include "core/eval/ranking_metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace milk {
namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

double lg(double x) { return std::log2(x); }

TEST(MetricsAtK, HandComputedList) {
    // ranked [3, 1, 4], relevant {1, 5}, K = 2: item 1 is a hit at rank 1 (0-based).
    // hits 1: recall 1/2, precision 1/2, hr 1/min(2,2) = 1/2,
    // ndcg = (1/log2(3)) / (1/log2(2) + 1/log2(3)).
    const MetricValues m = metrics_at_k({3, 1, 4}, {1, 5}, 2);
    EXPECT_DOUBLE_EQ(m.recall, 0.5);
    EXPECT_DOUBLE_EQ(m.precision, 0.5);
    EXPECT_DOUBLE_EQ(m.hr, 0.5);
    EXPECT_NEAR(m.ndcg, (1 / lg(3)) / (1 + 1 / lg(3)), 1e-12);
}

TEST(MetricsAtK, KBeyondRelevantAndList) {
    // ranked [7, 2, 9, 5], relevant {5}, K = 10: hit at rank 3, list shorter than K.
    // recall 1, precision 1/10, hr 1/min(10,1) = 1, ndcg = (1/log2(5)) / 1.
    const MetricValues m = metrics_at_k({7, 2, 9, 5}, {5}, 10);
    EXPECT_DOUBLE_EQ(m.recall, 1.0);
    EXPECT_DOUBLE_EQ(m.precision, 0.1);
    EXPECT_DOUBLE_EQ(m.hr, 1.0);
    EXPECT_NEAR(m.ndcg, 1 / lg(5), 1e-12);
    // ranked [2, 4, 6, 8], relevant {2, 4, 6, 8, 10}, K = 3: hits 3.
    // recall 3/5, precision 1, hr 3/min(3,5) = 1, ndcg 1 (ideal over 3 positions).
    const MetricValues all = metrics_at_k({2, 4, 6, 8}, {2, 4, 6, 8, 10}, 3);
    EXPECT_DOUBLE_EQ(all.recall, 0.6);
    EXPECT_DOUBLE_EQ(all.precision, 1.0);
    EXPECT_DOUBLE_EQ(all.hr, 1.0);
    EXPECT_NEAR(all.ndcg, 1.0, 1e-12);
    EXPECT_THROW(metrics_at_k({1}, {1}, 0), ConfigError);
}

// 4 users, 8 items: 0, 1 warm; 2, 3, 4 validation-new; 5, 6, 7 test-new.
// Missing counts: items 3 and 5 miss one modality, the others are complete.
// Validation: user 0 {3}, user 1 {2, 4}, user 2 {}, user 3 {4}. Test: user 2 {6}.
// Users score by the first (users 0, 2), the second (user 1) or minus the first (user 3)
// item coordinate.
struct Tiny {
    Dataset ds;
    ItemGroups groups;
    RowMatrix users{4, 2}, items{8, 2};

    Tiny() {
        ds.name = "tiny";
        ds.n_users = 4;
        ds.n_items = 8;
        ds.roles = {ItemRole::Warm, ItemRole::Warm, ItemRole::ValidationNew, ItemRole::ValidationNew,
                    ItemRole::ValidationNew, ItemRole::TestNew, ItemRole::TestNew, ItemRole::TestNew};
        ds.train.offsets = {0, 1, 2, 3, 4};
        ds.train.items = {0, 1, 0, 1};
        ds.validation.offsets = {0, 1, 3, 3, 4};
        ds.validation.items = {3, 2, 4, 4};
        ds.test.offsets = {0, 0, 0, 1, 1};
        ds.test.items = {6};
        groups.missing_k = {0, 0, 0, 1, 0, 1, 0, 0};
        groups.max_k = 1;
        users << 1, 0, 0, 1, 1, 0, -1, 0;
        items << 5, 5, 5, 5,  // warm items would win every ranking if they were candidates
            0.9f, 0.1f, 0.5f, 0.8f, 0.1f, 0.3f, 0.7f, 0.2f, 0.3f, 0.9f, 0.2f, 0.5f;
    }
};

EvalOptions opts(std::vector<int> ks) {
    EvalOptions o;
    o.ks = std::move(ks);
    o.threads = 1;
    return o;
}

TEST(EvaluateRanking, AllNewItemsPerGroup) {
    Tiny t;
    const EvalResult r = evaluate_ranking(t.users, t.items, t.ds, ItemRole::ValidationNew, t.groups, opts({1, 3, 5}));
    EXPECT_EQ(r.split, "validation");
    ASSERT_EQ(r.groups.size(), 3u);
    EXPECT_EQ(r.groups[0].group, "overall");
    EXPECT_EQ(r.groups[1].group, "complete");
    EXPECT_EQ(r.groups[2].group, "missing_1");

    // overall: candidates 2..7 (6 items); user 2 has no validation items and is skipped.
    // user 0 ranks 2 5 3 6 7 4 (T {3} at rank 2); user 1 ranks 6 3 7 4 5 2 (T {2,4} at
    // ranks 5 and 3); user 3 ranks 4 7 6 3 5 2 (T {4} at rank 0).
    const GroupResult& all = r.groups[0];
    EXPECT_EQ(all.n_items, 6);
    EXPECT_EQ(all.n_users, 3);
    EXPECT_EQ(all.users, (std::vector<std::int32_t>{0, 1, 3}));
    // K=1: only user 3 hits: every metric 1/3.
    EXPECT_NEAR(r.metric("overall", "recall", 1), 1.0 / 3, 1e-12);
    EXPECT_NEAR(r.metric("overall", "ndcg", 1), 1.0 / 3, 1e-12);
    EXPECT_NEAR(r.metric("overall", "precision", 1), 1.0 / 3, 1e-12);
    EXPECT_NEAR(r.metric("overall", "hr", 1), 1.0 / 3, 1e-12);
    // K=3: user 0 recall 1, ndcg 1/log2(4) = 0.5, precision 1/3; user 1 nothing; user 3 all 1
    // except precision 1/3.
    EXPECT_NEAR(r.metric("overall", "recall", 3), 2.0 / 3, 1e-12);
    EXPECT_NEAR(r.metric("overall", "ndcg", 3), 1.5 / 3, 1e-12);
    EXPECT_NEAR(r.metric("overall", "precision", 3), 2.0 / 9, 1e-12);
    EXPECT_NEAR(r.metric("overall", "hr", 3), 2.0 / 3, 1e-12);
    // K=5: user 1 now hits item 4 at rank 3: recall 1/2, hr 1/min(5,2) = 1/2,
    // ndcg (1/log2(5)) / (1 + 1/log2(3)).
    const double u1_ndcg5 = (1 / lg(5)) / (1 + 1 / lg(3));
    EXPECT_NEAR(r.metric("overall", "recall", 5), (1 + 0.5 + 1) / 3, 1e-12);
    EXPECT_NEAR(r.metric("overall", "ndcg", 5), (0.5 + u1_ndcg5 + 1) / 3, 1e-12);
    EXPECT_NEAR(r.metric("overall", "precision", 5), 0.2, 1e-12);
    EXPECT_NEAR(r.metric("overall", "hr", 5), (1 + 0.5 + 1) / 3, 1e-12);
    ASSERT_EQ(all.user_ndcg.at(5).size(), 3u);
    EXPECT_NEAR(all.user_ndcg.at(5)[1], u1_ndcg5, 1e-6);
    EXPECT_FLOAT_EQ(all.user_recall.at(5)[1], 0.5f);

    // complete: items 2 4 6 7. User 0's only item (3) is not complete: skipped.
    // user 1 ranks 6 7 4 2 (4 at rank 2); user 3 ranks 4 7 6 2 (4 at rank 0).
    const GroupResult& complete = r.groups[1];
    EXPECT_EQ(complete.n_items, 4);
    EXPECT_EQ(complete.n_users, 2);
    EXPECT_EQ(complete.users, (std::vector<std::int32_t>{1, 3}));
    EXPECT_NEAR(r.metric("complete", "recall", 3), (0.5 + 1) / 2, 1e-12);
    EXPECT_NEAR(r.metric("complete", "ndcg", 3), ((1 / lg(4)) / (1 + 1 / lg(3)) + 1) / 2, 1e-12);
    EXPECT_NEAR(r.metric("complete", "hr", 3), (0.5 + 1) / 2, 1e-12);
    EXPECT_NEAR(r.metric("complete", "precision", 3), 1.0 / 3, 1e-12);

    // missing_1: items 3 5; only user 0 has a relevant item: ranks 5 3 (3 at rank 1).
    const GroupResult& m1 = r.groups[2];
    EXPECT_EQ(m1.n_items, 2);
    EXPECT_EQ(m1.n_users, 1);
    EXPECT_NEAR(r.metric("missing_1", "recall", 1), 0.0, 1e-12);
    EXPECT_NEAR(r.metric("missing_1", "recall", 3), 1.0, 1e-12);
    EXPECT_NEAR(r.metric("missing_1", "ndcg", 3), 1 / lg(3), 1e-12);
    EXPECT_NEAR(r.metric("missing_1", "precision", 3), 1.0 / 3, 1e-12);

    EXPECT_TRUE(std::isnan(r.metric("missing_2", "recall", 3)));
    EXPECT_TRUE(std::isnan(r.metric("overall", "recall", 4)));
    EXPECT_TRUE(std::isnan(r.metric("overall", "auc", 3)));
}

TEST(EvaluateRanking, SplitCandidatesOnly) {
    Tiny t;
    EvalOptions o = opts({1, 3});
    o.split_candidates_only = true;
    const EvalResult r = evaluate_ranking(t.users, t.items, t.ds, ItemRole::ValidationNew, t.groups, o);
    // Candidates 2 3 4 (complete: 2 4; missing_1: 3).
    ASSERT_EQ(r.groups.size(), 3u);
    EXPECT_EQ(r.groups[0].n_items, 3);
    EXPECT_EQ(r.groups[1].n_items, 2);
    EXPECT_EQ(r.groups[2].n_items, 1);
    // user 0 ranks 2 3 4 (T {3} at 1): K=3 recall 1, ndcg 1/log2(3), precision 1/3.
    // user 1 ranks 3 4 2 (T {2,4} at 2 and 1): K=3 recall 1, precision 2/3, hr 1,
    //   ndcg (1/log2(3) + 1/log2(4)) / (1 + 1/log2(3)).
    // user 3 ranks 4 3 2: all 1, precision 1/3.
    const double u1 = (1 / lg(3) + 1 / lg(4)) / (1 + 1 / lg(3));
    EXPECT_NEAR(r.metric("overall", "recall", 3), 1.0, 1e-12);
    EXPECT_NEAR(r.metric("overall", "precision", 3), (1.0 / 3 + 2.0 / 3 + 1.0 / 3) / 3, 1e-12);
    EXPECT_NEAR(r.metric("overall", "ndcg", 3), (1 / lg(3) + u1 + 1) / 3, 1e-12);
    EXPECT_NEAR(r.metric("overall", "recall", 1), 1.0 / 3, 1e-12);
    // missing_1 has the one item 3: user 0 ranks it first.
    EXPECT_NEAR(r.metric("missing_1", "ndcg", 1), 1.0, 1e-12);
}

TEST(EvaluateRanking, TestSplitAndEmptyGroupsSkipped) {
    Tiny t;
    t.groups.max_k = 2;  // a group "missing_2" with no items: not reported
    const EvalResult r = evaluate_ranking(t.users, t.items, t.ds, ItemRole::TestNew, t.groups, opts({5}));
    EXPECT_EQ(r.split, "test");
    ASSERT_EQ(r.groups.size(), 3u);
    EXPECT_EQ(r.find("missing_2"), nullptr);
    // Only user 2 has test items: ranks 2 5 3 6 7 4, T {6} at rank 3.
    EXPECT_EQ(r.groups[0].n_users, 1);
    EXPECT_NEAR(r.metric("overall", "ndcg", 5), 1 / lg(5), 1e-12);
    EXPECT_NEAR(r.metric("overall", "recall", 5), 1.0, 1e-12);
    // complete: 2 4 6 7 -> ranks 2 6 7 4, item 6 at rank 1.
    EXPECT_NEAR(r.metric("complete", "ndcg", 5), 1 / lg(3), 1e-12);
    EXPECT_EQ(r.find("missing_1")->n_users, 0);
    EXPECT_EQ(r.find("missing_1")->n_items, 2);
    EXPECT_DOUBLE_EQ(r.metric("missing_1", "recall", 5), 0.0);
}

TEST(EvaluateRanking, TiesGoToTheLowerItemId) {
    Tiny t;
    t.items.setZero();  // every score 0: the ranking is ascending item id 2 3 4 5 6 7
    const EvalResult r = evaluate_ranking(t.users, t.items, t.ds, ItemRole::ValidationNew, t.groups, opts({1, 2, 3}));
    // user 0: T {3} at rank 1; user 1: T {2,4} at ranks 0 and 2; user 3: T {4} at rank 2.
    // K=1 recall: 0, 1/2, 0.  K=2: 1, 1/2, 0.  K=3: 1, 1, 1.
    EXPECT_NEAR(r.metric("overall", "recall", 1), 0.5 / 3, 1e-12);
    EXPECT_NEAR(r.metric("overall", "recall", 2), 1.5 / 3, 1e-12);
    EXPECT_NEAR(r.metric("overall", "recall", 3), 1.0, 1e-12);
}

TEST(EvaluateRanking, RejectsInconsistentInputs) {
    Tiny t;
    EXPECT_THROW(evaluate_ranking(t.users.topRows(3), t.items, t.ds, ItemRole::ValidationNew, t.groups, opts({1})), DataError);
    EXPECT_THROW(evaluate_ranking(t.users, t.items, t.ds, ItemRole::Warm, t.groups, opts({1})), ConfigError);
    EXPECT_THROW(evaluate_ranking(t.users, t.items, t.ds, ItemRole::ValidationNew, t.groups, opts({0})), ConfigError);
    RowMatrix bad = t.items;
    bad(3, 0) = std::nanf("");
    EXPECT_THROW(evaluate_ranking(t.users, bad, t.ds, ItemRole::ValidationNew, t.groups, opts({1})), DataError);
    ItemGroups short_groups = t.groups;
    short_groups.missing_k.pop_back();
    EXPECT_THROW(evaluate_ranking(t.users, t.items, t.ds, ItemRole::ValidationNew, short_groups, opts({1})), DataError);
}

// A random dataset large enough for several user blocks, for thread independence and
// a brute-force reference (full sort of every candidate, scores in double).
struct RandomCase {
    Dataset ds;
    ItemGroups groups;
    RowMatrix users, items;
    explicit RandomCase(int n_users = 1100, int n_items = 400, int d = 8) {
        std::mt19937_64 rng(11);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        std::uniform_int_distribution<int> pick_item(0, n_items - 1), pick_k(0, 2), pick_n(0, 4);
        ds.n_users = n_users;
        ds.n_items = n_items;
        ds.roles.resize(static_cast<std::size_t>(n_items));
        for (int i = 0; i < n_items; ++i) ds.roles[i] = i < n_items / 2 ? ItemRole::Warm : (i % 2 ? ItemRole::ValidationNew : ItemRole::TestNew);
        groups.max_k = 2;
        for (int i = 0; i < n_items; ++i) groups.missing_k.push_back(pick_k(rng));
        users.resize(n_users, d);
        items.resize(n_items, d);
        for (Eigen::Index i = 0; i < users.size(); ++i) users.data()[i] = normal(rng);
        for (Eigen::Index i = 0; i < items.size(); ++i) items.data()[i] = normal(rng);
        for (int u = 0; u < n_users; ++u) {
            std::vector<std::int32_t> v;
            const int n = pick_n(rng);
            while (static_cast<int>(v.size()) < n) {
                const int i = pick_item(rng);
                if (ds.roles[i] == ItemRole::ValidationNew && std::find(v.begin(), v.end(), i) == v.end()) v.push_back(i);
            }
            std::sort(v.begin(), v.end());
            ds.validation.items.insert(ds.validation.items.end(), v.begin(), v.end());
            ds.validation.offsets.push_back(static_cast<std::int64_t>(ds.validation.items.size()));
            ds.test.offsets.push_back(0);
            ds.train.offsets.push_back(0);
        }
    }
};

TEST(EvaluateRanking, SameNumbersForEveryThreadCount) {
    RandomCase c;
    EvalOptions o = opts({5, 20});
    const EvalResult one = evaluate_ranking(c.users, c.items, c.ds, ItemRole::ValidationNew, c.groups, o);
    for (int threads : {2, 3, 0}) {
        o.threads = threads;
        const EvalResult many = evaluate_ranking(c.users, c.items, c.ds, ItemRole::ValidationNew, c.groups, o);
        ASSERT_EQ(many.groups.size(), one.groups.size());
        for (std::size_t g = 0; g < one.groups.size(); ++g) {
            EXPECT_EQ(many.groups[g].users, one.groups[g].users);
            for (int k : {5, 20}) {
                EXPECT_EQ(many.groups[g].at_k.at(k).recall, one.groups[g].at_k.at(k).recall);
                EXPECT_EQ(many.groups[g].at_k.at(k).ndcg, one.groups[g].at_k.at(k).ndcg);
                EXPECT_EQ(many.groups[g].at_k.at(k).precision, one.groups[g].at_k.at(k).precision);
                EXPECT_EQ(many.groups[g].at_k.at(k).hr, one.groups[g].at_k.at(k).hr);
                EXPECT_EQ(many.groups[g].user_ndcg.at(k), one.groups[g].user_ndcg.at(k));
            }
        }
    }
}

TEST(EvaluateRanking, MatchesBruteForceFullSort) {
    RandomCase c;
    const std::vector<int> ks{1, 10, 30};
    const EvalResult r = evaluate_ranking(c.users, c.items, c.ds, ItemRole::ValidationNew, c.groups, opts(ks));
    const std::vector<std::int32_t> cand = c.ds.new_items();
    ASSERT_EQ(r.groups.size(), 4u);  // overall, complete, missing_1, missing_2
    for (int g = -1; g <= 2; ++g) {
        std::vector<std::int32_t> gc;
        for (auto i : cand)
            if (g < 0 || c.groups.missing_k[i] == g) gc.push_back(i);
        std::vector<double> sum(ks.size(), 0.0);
        int n = 0;
        for (int u = 0; u < c.ds.n_users; ++u) {
            std::vector<std::int32_t> rel;
            for (auto i : c.ds.validation.of(u))
                if (std::find(gc.begin(), gc.end(), i) != gc.end()) rel.push_back(i);
            if (rel.empty()) continue;
            ++n;
            std::vector<std::pair<double, std::int32_t>> s;
            for (auto i : gc) s.push_back({-c.users.row(u).cast<double>().dot(c.items.row(i).cast<double>()), i});
            std::sort(s.begin(), s.end());
            std::vector<std::int32_t> ranked;
            for (auto& p : s) ranked.push_back(p.second);
            for (std::size_t ki = 0; ki < ks.size(); ++ki) sum[ki] += metrics_at_k(ranked, rel, ks[ki]).ndcg;
        }
        const GroupResult* gr = r.find(group_name(g));
        ASSERT_NE(gr, nullptr);
        EXPECT_EQ(gr->n_users, n);
        EXPECT_EQ(gr->n_items, static_cast<int>(gc.size()));
        for (std::size_t ki = 0; ki < ks.size(); ++ki) EXPECT_NEAR(gr->at_k.at(ks[ki]).ndcg, sum[ki] / n, 1e-9) << gr->group;
    }
}

}  // namespace
}  // namespace milk
