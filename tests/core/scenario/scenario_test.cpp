#include "core/error.h"
#include "core/scenario/scenario.h"
#include "scenario_fixture.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

using namespace milk;
using milk::test::items_of;
using milk::test::make_dataset;

namespace {

// Number of items of the role that miss exactly k modalities.
int count_missing(const Dataset& ds, const AvailabilityMask& mask, ItemRole role, int k) {
    int n = 0;
    for (int i : items_of(ds, role)) n += mask.missing_count(i) == k ? 1 : 0;
    return n;
}

std::vector<std::uint8_t> rows_of(const AvailabilityMask& mask, const std::vector<int>& items) {
    std::vector<std::uint8_t> out;
    for (int i : items)
        for (int m = 0; m < mask.n_modalities; ++m) out.push_back(mask.at(i, m) ? 1 : 0);
    return out;
}

template <typename F>
std::string config_error_of(F&& f) {
    try {
        f();
    } catch (const ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected a ConfigError";
    return {};
}

}  // namespace

TEST(AvailabilityMask, FromDatasetIsTheNaturalMask) {
    Dataset ds = make_dataset(3, 1, 1, {2, 2});
    ds.modalities[1].present[2] = 0;
    ds.modalities[0].present[4] = 0;
    const auto mask = AvailabilityMask::from_dataset(ds);
    EXPECT_EQ(mask.n_items, 5);
    EXPECT_EQ(mask.n_modalities, 2);
    EXPECT_FALSE(mask.at(2, 1));
    EXPECT_TRUE(mask.at(2, 0));
    EXPECT_FALSE(mask.at(4, 0));
    EXPECT_EQ(mask.missing_count(2), 1);
    EXPECT_EQ(mask.missing_count(0), 0);
    ds.modalities[0].present.clear();  // empty = always present
    EXPECT_TRUE(AvailabilityMask::from_dataset(ds).at(4, 0));
    ds.modalities[1].present.resize(3);
    EXPECT_THROW(AvailabilityMask::from_dataset(ds), DataError);
}

TEST(Scenario, FtftRemovesNothing) {
    const Dataset ds = make_dataset(80, 10, 10, {4, 3});
    const auto mask = apply_scenario(ds, ScenarioSpec::parse("ftft", 3));
    EXPECT_EQ(mask.a, AvailabilityMask::from_dataset(ds).a);
}

TEST(Scenario, FtmtExactCountsPerSplit) {
    const Dataset ds = make_dataset(1000, 125, 127, {4, 3});
    const auto spec = ScenarioSpec::parse("FTMT", 11);
    EXPECT_EQ(spec.kind, ScenarioKind::FTMT);
    EXPECT_EQ(spec.name(), "ftmt");
    const auto mask = apply_scenario(ds, spec);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::Warm, 0), 1000);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::ValidationNew, 1), 63);  // round(62.5)
    EXPECT_EQ(count_missing(ds, mask, ItemRole::ValidationNew, 0), 62);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::TestNew, 1), 64);  // round(63.5)
    EXPECT_EQ(count_missing(ds, mask, ItemRole::TestNew, 0), 63);
}

TEST(Scenario, RemovedModalityIsChosenUniformly) {
    const Dataset ds = make_dataset(0, 0, 4000, {2, 2});
    const auto mask = apply_scenario(ds, ScenarioSpec::preset(ScenarioKind::FTMT, 5));
    const auto summary = summarize(ds, mask);
    const auto& test_row = summary.rows[2];
    EXPECT_EQ(test_row.split, "test");
    EXPECT_EQ(test_row.missing_per_modality[0] + test_row.missing_per_modality[1], 2000);
    // Binomial(2000, 0.5): sd ~ 22; 5 sd either side.
    EXPECT_NEAR(test_row.missing_per_modality[0], 1000, 112);
}

TEST(Scenario, MtmtWarmCountsAndNewItemsEqualFtmt) {
    const Dataset ds = make_dataset(1000, 125, 125, {4, 3});
    const auto ftmt = apply_scenario(ds, ScenarioSpec::parse("ftmt", 42));
    const auto mtmt = apply_scenario(ds, ScenarioSpec::parse("mtmt", 42));
    EXPECT_EQ(count_missing(ds, mtmt, ItemRole::Warm, 1), 300);
    EXPECT_EQ(count_missing(ds, mtmt, ItemRole::Warm, 0), 700);
    EXPECT_EQ(count_missing(ds, mtmt, ItemRole::ValidationNew, 1), 63);
    EXPECT_EQ(count_missing(ds, mtmt, ItemRole::TestNew, 1), 63);
    for (ItemRole role : {ItemRole::ValidationNew, ItemRole::TestNew})
        EXPECT_EQ(rows_of(ftmt, items_of(ds, role)), rows_of(mtmt, items_of(ds, role)));
    EXPECT_NE(rows_of(ftmt, items_of(ds, ItemRole::Warm)), rows_of(mtmt, items_of(ds, ItemRole::Warm)));
}

TEST(Scenario, SameSeedSameMaskOtherSeedOtherMask) {
    const Dataset ds = make_dataset(500, 100, 100, {4, 3, 2});
    const auto a = apply_scenario(ds, ScenarioSpec::parse("mtmt", 7));
    const auto b = apply_scenario(ds, ScenarioSpec::parse("mtmt", 7));
    const auto c = apply_scenario(ds, ScenarioSpec::parse("mtmt", 8));
    EXPECT_EQ(a.a, b.a);
    EXPECT_NE(a.a, c.a);
    EXPECT_NE(rows_of(a, items_of(ds, ItemRole::TestNew)), rows_of(c, items_of(ds, ItemRole::TestNew)));
}

TEST(Scenario, MixedFollowsSection531) {
    const Dataset ds = make_dataset(400, 100, 200, {4, 3, 2});
    const auto mask = apply_scenario(ds, ScenarioSpec::parse("mixed", 1));
    EXPECT_EQ(count_missing(ds, mask, ItemRole::TestNew, 0), 20);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::TestNew, 1), 90);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::TestNew, 2), 90);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::ValidationNew, 0), 100);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::Warm, 0), 400);
}

TEST(Scenario, MixedNeedsThreeModalities) {
    const Dataset ds = make_dataset(40, 10, 10, {4, 3});
    const std::string msg = config_error_of([&] { apply_scenario(ds, ScenarioSpec::parse("mixed", 1)); });
    EXPECT_NE(msg.find("at least 3 modalities"), std::string::npos) << msg;
    EXPECT_NE(msg.find("found 2 modalities"), std::string::npos) << msg;
}

TEST(Scenario, NeverRemovesEveryModality) {
    const Dataset ds = make_dataset(1000, 10, 10, {4, 3, 2});
    ScenarioSpec spec;
    spec.kind = ScenarioKind::Custom;
    spec.warm.fraction_missing_k = {0.5, 0.5};
    const auto mask = apply_scenario(ds, spec);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::Warm, 1), 500);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::Warm, 2), 500);
    for (int i = 0; i < ds.n_items; ++i) EXPECT_LT(mask.missing_count(i), 3) << i;
}

TEST(Scenario, HonoursTheNaturalMask) {
    Dataset ds = make_dataset(200, 100, 100, {4, 3, 2});
    const auto test_items = items_of(ds, ItemRole::TestNew);
    // 30 test items naturally miss image, 10 of them also text.
    for (int j = 0; j < 30; ++j) ds.modalities[0].present[test_items[j]] = 0;
    for (int j = 0; j < 10; ++j) ds.modalities[1].present[test_items[j]] = 0;
    const auto natural = AvailabilityMask::from_dataset(ds);
    ScenarioSpec spec = ScenarioSpec::preset(ScenarioKind::Mixed, 9);
    const auto mask = apply_scenario(ds, spec);
    for (std::size_t x = 0; x < mask.a.size(); ++x)
        if (!natural.a[x]) {
            EXPECT_EQ(mask.a[x], 0) << x;
        }
    EXPECT_EQ(count_missing(ds, mask, ItemRole::TestNew, 1), 45);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::TestNew, 2), 45);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::TestNew, 0), 10);
    for (int i = 0; i < ds.n_items; ++i) EXPECT_LT(mask.missing_count(i), 3);
}

TEST(Scenario, RemovableModalitiesByName) {
    const Dataset ds = make_dataset(100, 50, 50, {4, 3});
    ScenarioSpec spec = ScenarioSpec::preset(ScenarioKind::MTMT, 3);
    spec.removable_modality_names = {"text"};
    const auto mask = apply_scenario(ds, spec);
    const auto summary = summarize(ds, mask);
    for (const auto& row : summary.rows) EXPECT_EQ(row.missing_per_modality[0], 0) << row.split;
    EXPECT_EQ(summary.rows[0].missing_per_modality[1], 30);
    EXPECT_EQ(summary.rows[1].missing_per_modality[1], 25);
    spec.removable_modality_names = {"sound"};
    const std::string msg = config_error_of([&] { apply_scenario(ds, spec); });
    EXPECT_NE(msg.find("\"sound\""), std::string::npos) << msg;
    spec.removable_modality_names.clear();
    spec.removable_modalities = {2};
    EXPECT_THROW(apply_scenario(ds, spec), ConfigError);
}

TEST(Scenario, NaturallyMissingItemsCountTowardsK) {
    Dataset ds = make_dataset(100, 10, 10, {4, 3});
    // Every test item already lacks image; only text is removable. An item picked to
    // miss exactly one then loses nothing more, and the others keep their natural mask.
    for (int j : items_of(ds, ItemRole::TestNew)) ds.modalities[0].present[j] = 0;
    ScenarioSpec spec = ScenarioSpec::preset(ScenarioKind::FTMT, 1);
    spec.removable_modalities = {1};
    const auto mask = apply_scenario(ds, spec);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::TestNew, 1), 10);
    const auto test_items = items_of(ds, ItemRole::TestNew);
    EXPECT_EQ(rows_of(mask, test_items), rows_of(AvailabilityMask::from_dataset(ds), test_items));
}

TEST(Scenario, NotEnoughEligibleItemsIsAConfigError) {
    // Warm items all naturally miss two of three modalities: none can end up missing exactly one.
    Dataset ds = make_dataset(20, 5, 5, {2, 2, 2});
    for (int j : items_of(ds, ItemRole::Warm)) ds.modalities[0].present[j] = ds.modalities[1].present[j] = 0;
    ScenarioSpec spec;
    spec.kind = ScenarioKind::Custom;
    spec.warm.fraction_missing_k = {0.5};
    std::string msg = config_error_of([&] { apply_scenario(ds, spec); });
    EXPECT_NE(msg.find("warm split"), std::string::npos) << msg;
    EXPECT_NE(msg.find("only 0 eligible"), std::string::npos) << msg;
    // 8 warm items keep all three: 10 are needed, 8 can.
    const auto warm = items_of(ds, ItemRole::Warm);
    for (int j = 0; j < 8; ++j) ds.modalities[0].present[warm[j]] = ds.modalities[1].present[warm[j]] = 1;
    msg = config_error_of([&] { apply_scenario(ds, spec); });
    EXPECT_NE(msg.find("only 8 eligible"), std::string::npos) << msg;
    spec.warm.fraction_missing_k = {0.4};
    EXPECT_EQ(count_missing(ds, apply_scenario(ds, spec), ItemRole::Warm, 1), 8);
    // More removals than removable modalities.
    spec.warm.fraction_missing_k = {0.0, 0.1};
    spec.removable_modalities = {2};
    msg = config_error_of([&] { apply_scenario(ds, spec); });
    EXPECT_NE(msg.find("only 1 of the dataset's 3 may be removed"), std::string::npos) << msg;
}

TEST(Scenario, TooManyModalitiesIsAConfigError) {
    const Dataset ds = make_dataset(40, 10, 10, {4, 3});
    ScenarioSpec spec;
    spec.kind = ScenarioKind::Custom;
    spec.test.fraction_missing_k = {0.2, 0.3};
    const std::string msg = config_error_of([&] { apply_scenario(ds, spec); });
    EXPECT_NE(msg.find("scenario asks items to miss 2 modalities but the dataset has 2"), std::string::npos)
        << msg;
    spec.test.fraction_missing_k = {0.2, 0.0};  // a zero rate asks nothing
    EXPECT_NO_THROW(apply_scenario(ds, spec));
}

TEST(ScenarioSpec, ParsesCustomJson) {
    milk::test::TempDir dir;
    dir.write("s.json", R"({"kind": "custom", "warm": {"missing": [0.3]},
        "validation": {"missing": [0.45, 0.45]}, "test": {"missing": [0.2, 0.1]},
        "removable_modalities": ["text", "audio"], "seed": 7})");
    const auto spec = ScenarioSpec::parse((dir / "s.json").string(), 99);
    EXPECT_EQ(spec.kind, ScenarioKind::Custom);
    EXPECT_EQ(spec.name(), "custom");
    EXPECT_EQ(spec.seed, 7u);
    EXPECT_EQ(spec.warm.fraction_missing_k, std::vector<double>({0.3}));
    EXPECT_EQ(spec.validation.fraction_missing_k, std::vector<double>({0.45, 0.45}));
    EXPECT_EQ(spec.test.fraction_missing_k, std::vector<double>({0.2, 0.1}));
    EXPECT_EQ(spec.removable_modality_names, std::vector<std::string>({"text", "audio"}));

    const Dataset ds = make_dataset(100, 100, 100, {4, 3, 2});
    const auto mask = apply_scenario(ds, spec);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::Warm, 1), 30);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::ValidationNew, 2), 45);
    EXPECT_EQ(count_missing(ds, mask, ItemRole::TestNew, 2), 10);
    const auto summary = summarize(ds, mask);
    for (const auto& row : summary.rows) EXPECT_EQ(row.missing_per_modality[0], 0);

    // Indices, "new" shorthand, and the caller's seed when the file has none.
    dir.write("n.json", R"({"new": {"missing": [0.5]}, "removable_modalities": [1]})");
    const auto n = ScenarioSpec::parse((dir / "n.json").string(), 99);
    EXPECT_EQ(n.seed, 99u);
    EXPECT_EQ(n.validation.fraction_missing_k, std::vector<double>({0.5}));
    EXPECT_EQ(n.test.fraction_missing_k, std::vector<double>({0.5}));
    EXPECT_EQ(n.removable_modalities, std::vector<int>({1}));
    EXPECT_TRUE(n.warm.fraction_missing_k.empty());
}

TEST(ScenarioSpec, JsonErrorsNameKeyAndFile) {
    milk::test::TempDir dir;
    auto error_of = [&](const std::string& name, const std::string& content) {
        dir.write(name, content);
        return config_error_of([&] { ScenarioSpec::parse((dir / name).string(), 1); });
    };
    std::string msg = error_of("unknown.json", R"({"warm": {"missing": [0.1]}, "tset": {}})");
    EXPECT_NE(msg.find("unknown.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("\"tset\""), std::string::npos) << msg;
    msg = error_of("nested.json", R"({"warm": {"missing": [0.1], "rate": 2}})");
    EXPECT_NE(msg.find("warm.rate"), std::string::npos) << msg;
    msg = error_of("bad.json", R"({"test": {"missing": [1.5]}})");
    EXPECT_NE(msg.find("test.missing[0]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1.5"), std::string::npos) << msg;
    msg = error_of("neg.json", R"({"test": {"missing": [0.1, -0.1]}})");
    EXPECT_NE(msg.find("test.missing[1]"), std::string::npos) << msg;
    msg = error_of("sum.json", R"({"validation": {"missing": [0.6, 0.5]}})");
    EXPECT_NE(msg.find("at most 1"), std::string::npos) << msg;
    msg = error_of("kind.json", R"({"kind": "weird"})");
    EXPECT_NE(msg.find("kind"), std::string::npos) << msg;
    msg = error_of("seed.json", R"({"seed": -3})");
    EXPECT_NE(msg.find("seed"), std::string::npos) << msg;
    msg = error_of("both.json", R"({"new": {"missing": [0.1]}, "test": {"missing": [0.1]}})");
    EXPECT_NE(msg.find("both"), std::string::npos) << msg;

    dir.write("broken.json", R"({"warm": )");
    EXPECT_THROW(ScenarioSpec::parse((dir / "broken.json").string(), 1), ParseError);
    msg = config_error_of([] { ScenarioSpec::parse("ftmtt", 1); });
    EXPECT_NE(msg.find("ftmtt"), std::string::npos) << msg;
}

TEST(ScenarioSpec, TooManyModalitiesFromJson) {
    milk::test::TempDir dir;
    dir.write("k.json", R"({"test": {"missing": [0.0, 0.5]}})");
    const auto spec = ScenarioSpec::parse((dir / "k.json").string(), 1);
    const Dataset ds = make_dataset(20, 10, 10, {4, 3});
    const std::string msg = config_error_of([&] { apply_scenario(ds, spec); });
    EXPECT_NE(msg.find("scenario asks items to miss 2 modalities but the dataset has 2"), std::string::npos)
        << msg;
}

TEST(ScenarioSpec, JsonRoundTrip) {
    for (ScenarioKind kind :
         {ScenarioKind::FTFT, ScenarioKind::FTMT, ScenarioKind::MTMT, ScenarioKind::Mixed, ScenarioKind::Custom}) {
        ScenarioSpec spec = ScenarioSpec::preset(kind, 123456789012345ull);
        if (kind == ScenarioKind::Custom) {
            spec.warm.fraction_missing_k = {0.1, 0.2};
            spec.removable_modality_names = {"text"};
        }
        const auto back = ScenarioSpec::from_json(spec.to_json(), "round-trip");
        EXPECT_EQ(back.kind, spec.kind);
        EXPECT_EQ(back.seed, spec.seed);
        EXPECT_EQ(back.warm.fraction_missing_k, spec.warm.fraction_missing_k);
        EXPECT_EQ(back.validation.fraction_missing_k, spec.validation.fraction_missing_k);
        EXPECT_EQ(back.test.fraction_missing_k, spec.test.fraction_missing_k);
        EXPECT_EQ(back.removable_modalities, spec.removable_modalities);
        EXPECT_EQ(back.removable_modality_names, spec.removable_modality_names);
        EXPECT_EQ(back.to_json(), spec.to_json());
    }
    // A preset kind in a file starts from the preset's rates.
    const auto preset = ScenarioSpec::from_json(nlohmann::json{{"kind", "mtmt"}}, "inline");
    EXPECT_EQ(preset.warm.fraction_missing_k, std::vector<double>({0.3}));
    EXPECT_EQ(preset.test.fraction_missing_k, std::vector<double>({0.5}));
}

TEST(ItemGroups, FromMask) {
    AvailabilityMask mask;
    mask.n_items = 5;
    mask.n_modalities = 3;
    mask.a = {1, 1, 1,  //
              0, 1, 1,  //
              0, 0, 1,  //
              1, 1, 1,  //
              1, 0, 1};
    const auto g = ItemGroups::from_mask(mask);
    EXPECT_EQ(g.missing_k, std::vector<int>({0, 1, 2, 0, 1}));
    EXPECT_EQ(g.max_k, 2);
    const std::vector<std::int32_t> candidates = {0, 1, 2, 4};
    EXPECT_EQ(g.items_in(candidates, 0), std::vector<std::int32_t>({0}));
    EXPECT_EQ(g.items_in(candidates, 1), std::vector<std::int32_t>({1, 4}));
    EXPECT_EQ(g.items_in(candidates, 2), std::vector<std::int32_t>({2}));
    EXPECT_TRUE(g.items_in(candidates, 3).empty());
    EXPECT_EQ(g.items_in(candidates, -1), candidates);
    EXPECT_EQ(group_name(-1), "overall");
    EXPECT_EQ(group_name(0), "complete");
    EXPECT_EQ(group_name(1), "missing_1");
    EXPECT_EQ(group_name(2), "missing_2");
}

TEST(ScenarioSummary, CountsPerSplit) {
    Dataset ds = make_dataset(2, 1, 1, {2, 2});
    ds.roles = {ItemRole::Warm, ItemRole::Warm, ItemRole::ValidationNew, ItemRole::TestNew};
    AvailabilityMask mask;
    mask.n_items = 4;
    mask.n_modalities = 2;
    mask.a = {1, 1, 0, 1, 1, 0, 1, 1};
    const auto s = summarize(ds, mask);
    ASSERT_EQ(s.rows.size(), 3u);
    EXPECT_EQ(s.rows[0].split, "warm");
    EXPECT_EQ(s.rows[0].count_missing_k, std::vector<int>({1, 1, 0}));
    EXPECT_EQ(s.rows[0].missing_per_modality, std::vector<int>({1, 0}));
    EXPECT_EQ(s.rows[1].count_missing_k, std::vector<int>({0, 1, 0}));
    EXPECT_EQ(s.rows[1].missing_per_modality, std::vector<int>({0, 1}));
    EXPECT_EQ(s.rows[2].count_missing_k, std::vector<int>({1, 0, 0}));
    const std::string table = format_summary(s, ds);
    EXPECT_NE(table.find("missing_1"), std::string::npos);
    EXPECT_NE(table.find("no_text"), std::string::npos);
}
