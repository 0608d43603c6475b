// MILK's fused, hand-written backward against (1) the generic autodiff of core/nn built
// from the paper's equations, and (2) central finite differences.
#include "core/models/milk/milk_model.h"
#include "core/nn/graph.h"
#include "core/scenario/scenario.h"
#include "support/tiny_dataset.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace milk;
namespace nnx = milk::nn;

namespace {

struct Fixture {
    Dataset ds = test::tiny_dataset();
    AvailabilityMask mask;
    std::vector<FeatureMatrix> features;
    std::vector<std::int32_t> users{0, 1, 2, 3, 4, 5, 1}, pos{0, 1, 2, 3, 4, 5, 6}, neg{7, 3, 7, 0, 1, 1, 2};
    Fixture() {
        mask.n_items = ds.n_items;
        mask.n_modalities = ds.n_modalities();
        mask.a.assign(static_cast<std::size_t>(ds.n_items * ds.n_modalities()), 1);
        mask.a[1 * 3 + 2] = 0;  // item 1 misses audio
        mask.a[3 * 3 + 0] = 0;  // item 3 misses image
        for (const auto& m : ds.modalities) features.push_back(m.features);
    }
    Batch batch() const { return Batch{users, pos, neg}; }
    TrainingData data() const { return TrainingData{&ds, &mask, &features}; }
};

// The objective of Eq. 16 written with generic ops, for the environments `envs`.
double generic_loss(MilkModel& model, const Fixture& f, const std::vector<std::vector<float>>& envs) {
    const MilkOptions& o = model.options();
    auto params = model.parameters();
    const int M = model.n_modalities();
    std::vector<std::int32_t> items;
    std::vector<std::int32_t> ps, ns;
    std::vector<int> slot(f.ds.n_items, -1);
    std::vector<std::uint8_t> positive;
    auto slot_of = [&](std::int32_t j, bool is_pos) {
        if (slot[j] < 0) {
            slot[j] = static_cast<int>(items.size());
            items.push_back(j);
            positive.push_back(0);
        }
        if (is_pos) positive[slot[j]] = 1;
        return slot[j];
    };
    for (std::size_t b = 0; b < f.users.size(); ++b) {
        ps.push_back(slot_of(f.pos[b], true));
        ns.push_back(slot_of(f.neg[b], false));
    }
    const int n_i = static_cast<int>(items.size());
    const float B = static_cast<float>(f.users.size());

    nnx::Graph g;
    std::vector<nnx::Var> c;
    for (int m = 0; m < M; ++m) {
        nnx::Matrix x(n_i, f.features[m].cols());
        for (int r = 0; r < n_i; ++r) x.row(r) = f.features[m].row(items[r]);
        c.push_back(nnx::add_row_broadcast(nnx::matmul(g.constant(x), g.param(*params[1 + m])), g.param(*params[1 + M + m])));
    }
    nnx::Var u = nnx::gather_rows(g.param(*params[0]), f.users);
    std::vector<nnx::Var> losses;
    for (const auto& theta : envs) {
        nnx::Var z = nnx::scale(c[0], theta[0]);
        for (int m = 1; m < M; ++m) z = nnx::add(z, nnx::scale(c[m], theta[m]));
        nnx::Var diff = nnx::sub(nnx::row_dot(u, nnx::gather_rows(z, ps)), nnx::row_dot(u, nnx::gather_rows(z, ns)));
        losses.push_back(nnx::mean(nnx::softplus(nnx::neg(diff))));
    }
    nnx::Var total = losses[0];
    for (std::size_t e = 1; e < losses.size(); ++e) total = nnx::add(total, losses[e]);
    nnx::Var loss = o.reference ? total : nnx::scale(total, 1.0f / losses.size());
    if (o.ceim && losses.size() > 1) loss = nnx::add(loss, nnx::scale(nnx::variance(losses, o.reference), o.beta));
    if (o.cmam && M > 1) {
        nnx::Var align = g.scalar(0);
        double count = 0;
        for (int m = 0; m < M; ++m)
            for (int m2 = m + 1; m2 < M; ++m2) {
                nnx::Matrix w = nnx::Matrix::Zero(n_i, o.dim);
                for (int r = 0; r < n_i; ++r)
                    if (f.mask.at(items[r], m) && f.mask.at(items[r], m2) && (!o.reference || positive[r])) {
                        w.row(r).setOnes();
                        count += o.reference ? o.dim : 0;
                    }
                align = nnx::add(align, nnx::squared_norm(nnx::mul(nnx::sub(c[m], c[m2]), g.constant(w))));
            }
        if (!o.reference) count = static_cast<double>(n_i) * o.dim;
        loss = nnx::add(loss, nnx::scale(align, static_cast<float>(o.lambda / count)));
    }
    nnx::Var z0 = c[0];
    for (int m = 1; m < M; ++m) z0 = nnx::add(z0, c[m]);
    z0 = nnx::scale(z0, 1.0f / M);
    nnx::Var reg = nnx::add(nnx::squared_norm(u),
                            nnx::add(nnx::squared_norm(nnx::gather_rows(z0, ps)), nnx::squared_norm(nnx::gather_rows(z0, ns))));
    loss = nnx::add(loss, nnx::scale(reg, static_cast<float>(o.reg / B)));
    g.backward(loss);
    return loss.scalar();
}

void zero(MilkModel& m) {
    for (auto* p : m.parameters()) p->zero_grad();
}

std::vector<nnx::Matrix> grads(MilkModel& m) {
    std::vector<nnx::Matrix> out;
    for (auto* p : m.parameters()) out.push_back(p->grad);
    return out;
}

class MilkGradient : public ::testing::TestWithParam<nlohmann::json> {};

}  // namespace

TEST_P(MilkGradient, FusedBackwardMatchesGenericAutodiff) {
    Fixture f;
    MilkOptions o = MilkOptions::from_json(GetParam());
    o.dim = 6;
    o.beta = 3.0;  // large enough for the variance term to matter
    o.lambda = 0.3;
    o.reg = 0.01;
    MilkModel model(o);
    Rng init(1);
    model.initialize(f.data(), init);

    Rng r1(42);
    zero(model);
    const double fused = model.train_batch(f.batch(), r1).loss;
    const auto fused_grads = grads(model);
    const auto envs = model.last_environments();

    zero(model);
    const double generic = generic_loss(model, f, envs);
    const auto generic_grads = grads(model);
    EXPECT_NEAR(fused, generic, 1e-4 * std::max(1.0, std::abs(generic)));
    for (std::size_t i = 0; i < fused_grads.size(); ++i) {
        const double scale = std::max(1e-3f, generic_grads[i].cwiseAbs().maxCoeff());
        EXPECT_LT((fused_grads[i] - generic_grads[i]).cwiseAbs().maxCoeff() / scale, 1e-3)
            << "parameter " << model.parameters()[i]->name;
    }
}

TEST_P(MilkGradient, FusedBackwardMatchesFiniteDifferences) {
    Fixture f;
    MilkOptions o = MilkOptions::from_json(GetParam());
    o.dim = 4;
    o.beta = 3.0;
    o.lambda = 0.3;
    o.reg = 0.01;
    MilkModel model(o);
    Rng init(2);
    model.initialize(f.data(), init);
    // Same environment draws for every evaluation: re-seed before each.
    auto loss_at = [&] {
        Rng r(77);
        zero(model);
        return model.train_batch(f.batch(), r).loss;
    };
    loss_at();
    const auto analytic = grads(model);
    auto params = model.parameters();
    std::mt19937 pick(3);
    int checked = 0;
    for (std::size_t i = 0; i < params.size(); ++i) {
        for (int trial = 0; trial < 6; ++trial) {
            const Eigen::Index k = std::uniform_int_distribution<Eigen::Index>(0, params[i]->value.size() - 1)(pick);
            float& x = params[i]->value.data()[k];
            const float keep = x, h = 1e-2f;
            x = keep + h;
            const double up = loss_at();
            x = keep - h;
            const double down = loss_at();
            x = keep;
            const double numeric = (up - down) / (2 * h);
            const double a = analytic[i].data()[k];
            EXPECT_NEAR(a, numeric, 2e-3 + 2e-2 * std::abs(numeric)) << params[i]->name << "[" << k << "]";
            ++checked;
        }
    }
    EXPECT_GT(checked, 20);
}

INSTANTIATE_TEST_SUITE_P(Variants, MilkGradient,
                         ::testing::Values(nlohmann::json::object(), nlohmann::json{{"reference", true}},
                                           nlohmann::json{{"ceim", false}}, nlohmann::json{{"env0", false}},
                                           nlohmann::json{{"cmam", false}, {"ceim", false}},
                                           nlohmann::json{{"cyclic_shift", false}}));

TEST(MilkModel, InferenceUsesEqualWeights) {
    Fixture f;
    MilkOptions o;
    o.dim = 5;
    MilkModel model(o);
    Rng rng(4);
    model.initialize(f.data(), rng);
    std::vector<std::int32_t> items{8, 9};
    auto z = model.item_embeddings(f.features, items);
    nnx::Matrix expected = nnx::Matrix::Zero(2, 5);
    for (int m = 0; m < 3; ++m) expected += model.modality_embeddings(f.features, m, items) / 3.0f;
    EXPECT_LT((z.row(8) - expected.row(0)).norm(), 1e-5);
    EXPECT_LT((z.row(9) - expected.row(1)).norm(), 1e-5);
    EXPECT_EQ(z.row(0).norm(), 0.0f);  // rows not asked for stay zero
}

TEST(MilkModel, ReportsEnvironmentSeries) {
    Fixture f;
    MilkModel model(MilkOptions{});
    Rng rng(4);
    model.initialize(f.data(), rng);
    BatchStats s = model.train_batch(f.batch(), rng);
    ASSERT_EQ(s.env_weights.size(), 4u);  // e = 0 plus M = 3 shifts
    std::vector<std::string> names;
    for (const auto& [n, v] : s.series) names.push_back(n);
    for (const char* want : {"bpr_mean", "variance", "align", "env_0", "env_1", "env_2", "env_3"})
        EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
}
