#include "core/data/dataset_source.h"
#include "core/data/npy.h"
#include "support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using milk::test::run_milk;
using milk::test::TempDir;
namespace fs = std::filesystem;

TEST(CliInfo, PresetPrintsTheTable) {
    TempDir dir;
    auto r = run_milk("info --dataset preset:demo --json " + (dir / "info.json").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("users"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("image"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("loaded in"), std::string::npos) << r.out;
    std::ifstream in(dir / "info.json");
    auto j = nlohmann::json::parse(in);
    milk::Dataset ds = milk::load_dataset("preset:demo");
    EXPECT_EQ(j.at("users").get<int>(), ds.n_users);
    EXPECT_EQ(j.at("items").get<int>(), ds.n_items);
    EXPECT_EQ(j.at("splits").at("train").at("interactions").get<std::int64_t>(), ds.train.size());
    EXPECT_EQ(j.at("fingerprint").get<std::string>(), ds.fingerprint());
}

TEST(CliInfo, ScenarioCountsGroups) {
    TempDir dir;
    auto r = run_milk("info --dataset preset:demo --scenario ftmt --seed 3 --json " + (dir / "info.json").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("complete"), std::string::npos) << r.out;
    std::ifstream in(dir / "info.json");
    auto j = nlohmann::json::parse(in);
    milk::Dataset ds = milk::load_dataset("preset:demo");
    const auto& groups = j.at("scenario").at("groups");
    int warm_total = 0;
    for (auto& [k, v] : groups.at("warm").items())
        if (k.rfind("no_", 0) != 0) warm_total += v.get<int>();
    EXPECT_EQ(warm_total, static_cast<int>(ds.items_with_role(milk::ItemRole::Warm).size()));
    EXPECT_EQ(groups.at("warm").at("complete").get<int>(), warm_total);  // FTMT: training is complete
}

TEST(CliInfo, MissingFolderFailsNamingIt) {
    auto r = run_milk("info --dataset /nonexistent/milk-data");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("/nonexistent/milk-data"), std::string::npos) << r.err;
    r = run_milk("info --dataset preset:nope");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
    r = run_milk("info --help");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("--dataset"), std::string::npos);
}

TEST(CliConvert, ReferenceLayoutLoadsBackIdentical) {
    TempDir dir;
    const std::string out = (dir / "demo").string();
    auto r = run_milk("convert --dataset preset:demo --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    milk::Dataset original = milk::load_dataset("preset:demo");
    milk::Dataset back = milk::load_dataset(out);
    EXPECT_EQ(back.n_items, original.n_items);
    EXPECT_EQ(back.n_users, original.n_users);  // every preset user has training items, so the last line names the last user
    EXPECT_EQ(back.train.offsets, original.train.offsets);
    EXPECT_EQ(back.train.items, original.train.items);
    EXPECT_EQ(back.test.items, original.test.items);
    EXPECT_EQ(back.train.size(), original.train.size());
    EXPECT_EQ(back.validation.size(), original.validation.size());
    EXPECT_EQ(back.test.size(), original.test.size());
    ASSERT_EQ(back.n_modalities(), original.n_modalities());
    for (int m = 0; m < back.n_modalities(); ++m) {
        EXPECT_EQ(back.modalities[m].name, original.modalities[m].name);
        EXPECT_EQ(back.modalities[m].features, original.modalities[m].features);
        EXPECT_EQ(back.modalities[m].present, original.modalities[m].present);
    }
    EXPECT_EQ(back.new_items(), original.new_items());
    // a second convert into the same folder is refused
    r = run_milk("convert --dataset preset:demo --out " + out);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find(out), std::string::npos) << r.err;
}

TEST(CliConvert, ScenarioWritesMissingVariants) {
    TempDir dir;
    const std::string out = (dir / "ftmt").string();
    auto r = run_milk("convert --dataset preset:demo --scenario ftmt --seed 1 --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    milk::Dataset ds = milk::load_dataset(out);
    const auto cold_missing = milk::read_npy_int_vector(out + "/cold_missing_item_index.npy");
    const auto warm_missing = milk::read_npy_int_vector(out + "/warm_missing_item_index.npy");
    EXPECT_FALSE(cold_missing.empty());
    for (auto i : cold_missing) EXPECT_NE(ds.roles[i], milk::ItemRole::Warm);
    for (const auto& m : ds.modalities) {
        auto test = milk::read_npy_matrix_f32(out + "/" + m.name + "_feat_missing_test.npy");
        auto train = milk::read_npy_matrix_f32(out + "/" + m.name + "_feat_missing_train.npy");
        EXPECT_EQ(test.rows(), ds.n_items);
        EXPECT_EQ(train, m.features) << "FTMT leaves warm rows alone (no natural missingness in demo)";
    }
    r = run_milk("convert --dataset preset:demo --scenario nonsense --out " + (dir / "x").string());
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("nonsense"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "x"));
}
