#include "core/error.h"
#include "core/models/checkpoint.h"
#include "core/models/duif/duif_model.h"
#include "core/models/milk/milk_model.h"
#include "core/models/model.h"
#include "support/tiny_dataset.h"

#include <gtest/gtest.h>

using namespace milk;

namespace {
struct Data {
    Dataset ds = test::tiny_dataset();
    std::vector<FeatureMatrix> features;
    Data() {
        for (const auto& m : ds.modalities) features.push_back(m.features);
    }
    TrainingData td() const { return TrainingData{&ds, nullptr, &features}; }
};
}  // namespace

TEST(Registry, ListsMilkItsAblationsAndBaselines) {
    std::vector<std::string> names;
    for (const auto& i : model_registry()) names.push_back(i.name);
    for (const char* want : {"milk", "milk-no-cmam", "milk-no-ceim", "milk-no-both", "milk-no-e0", "milk-no-cs",
                             "milk-no-random", "milk-reference", "duif", "random", "popularity"})
        EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
}

TEST(Registry, RejectsUnknownModelsKeysAndRanges) {
    EXPECT_THROW(create_model("nope", {}), ConfigError);
    try {
        create_model("milk", {{"betta", 3}});
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("betta"), std::string::npos);
    }
    EXPECT_THROW(create_model("milk", {{"alpha", -1}}), ConfigError);
    EXPECT_THROW(create_model("milk", {{"dim", 2.5}}), ConfigError);
    EXPECT_THROW(create_model("duif", {{"alpha", 1}}), ConfigError);
    EXPECT_THROW(create_model("random", {{"x", 1}}), ConfigError);
}

TEST(Registry, AliasesSetTheAblationSwitches) {
    auto m = create_model("milk-no-both", {});
    auto* milk = dynamic_cast<MilkModel*>(m.get());
    ASSERT_NE(milk, nullptr);
    EXPECT_FALSE(milk->options().cmam);
    EXPECT_FALSE(milk->options().ceim);
    auto r = create_model("milk-reference", {{"beta", 1000}});
    EXPECT_TRUE(dynamic_cast<MilkModel*>(r.get())->options().reference);
    EXPECT_TRUE(r->negatives_from_all_items());
    EXPECT_DOUBLE_EQ(dynamic_cast<MilkModel*>(r.get())->options().beta, 1000);
}

TEST(Duif, GradientMatchesFiniteDifferences) {
    Data d;
    DuifOptions o;
    o.dim = 4;
    DuifModel model(o);
    Rng rng(1);
    model.initialize(d.td(), rng);
    std::vector<std::int32_t> users{0, 1, 2, 3}, pos{0, 1, 2, 3}, neg{4, 5, 6, 0};
    Batch batch{users, pos, neg};
    auto loss_at = [&] {
        for (auto* p : model.parameters()) p->zero_grad();
        Rng r(2);
        return model.train_batch(batch, r).loss;
    };
    loss_at();
    std::vector<nn::Matrix> analytic;
    for (auto* p : model.parameters()) analytic.push_back(p->grad);
    auto params = model.parameters();
    for (std::size_t i = 0; i < params.size(); ++i)
        for (Eigen::Index k = 0; k < std::min<Eigen::Index>(params[i]->value.size(), 12); ++k) {
            float& x = params[i]->value.data()[k];
            const float keep = x, h = 1e-2f;
            x = keep + h;
            const double up = loss_at();
            x = keep - h;
            const double down = loss_at();
            x = keep;
            EXPECT_NEAR(analytic[i].data()[k], (up - down) / (2 * h), 2e-3 + 2e-2 * std::abs((up - down) / (2 * h)))
                << params[i]->name << "[" << k << "]";
        }
}

TEST(Checkpoint, RoundTripsParametersAndRejectsDamage) {
    Data d;
    auto a = create_model("milk", {{"dim", 8}});
    auto b = create_model("milk", {{"dim", 8}});
    Rng r1(1), r2(2);
    a->initialize(d.td(), r1);
    b->initialize(d.td(), r2);
    auto bytes = save_checkpoint(*a, {{"note", "x"}});
    EXPECT_EQ(checkpoint_header(bytes, "mem").at("model"), "milk");
    load_checkpoint(*b, bytes, "mem");
    for (std::size_t i = 0; i < a->parameters().size(); ++i)
        EXPECT_EQ(a->parameters()[i]->value, b->parameters()[i]->value);

    auto truncated = bytes;
    truncated.resize(bytes.size() - 10);
    EXPECT_THROW(load_checkpoint(*b, truncated, "mem"), FormatError);
    auto other = create_model("milk", {{"dim", 4}});
    Rng r3(3);
    other->initialize(d.td(), r3);
    EXPECT_THROW(load_checkpoint(*other, bytes, "mem"), FormatError);
    std::vector<std::uint8_t> junk{1, 2, 3};
    EXPECT_THROW(checkpoint_header(junk, "junk"), FormatError);
}
