// `milk generate`: writes a preset in the reference layout that loads back to the same data,
// refuses to clobber a folder unless --force, and names the presets when given a wrong one.
#include "core/data/dataset_source.h"
#include "core/data/synthetic.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

namespace milk {
namespace {

namespace fs = std::filesystem;
using test::run_milk;

TEST(CliGenerate, DemoWritesTheReferenceLayoutThatLoadsBack) {
    test::TempDir tmp;
    const auto out = tmp / "demo";
    const auto r = run_milk("generate --preset demo --out " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("1000 users"), std::string::npos) << r.out;
    for (const char* f : {"train.txt", "val.txt", "test.txt", "cold_item_index.npy", "image_feat.npy", "text_feat.npy"})
        EXPECT_TRUE(fs::is_regular_file(out / f)) << f;
    // Nothing but the dataset is left next to it (no temporary folders).
    int siblings = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path())) ++siblings;
    EXPECT_EQ(siblings, 1);

    const Dataset loaded = load_dataset(out.string());
    const Dataset expected = generate_synthetic(synthetic_preset("demo"));
    EXPECT_EQ(loaded.n_users, expected.n_users);
    EXPECT_EQ(loaded.n_items, expected.n_items);
    EXPECT_EQ(loaded.train.items, expected.train.items);
    EXPECT_EQ(loaded.validation.items, expected.validation.items);
    EXPECT_EQ(loaded.test.items, expected.test.items);
    EXPECT_EQ(loaded.roles, expected.roles);
    ASSERT_EQ(loaded.n_modalities(), 2);
    EXPECT_TRUE(loaded.modalities[0].features == expected.modalities[0].features);
    EXPECT_TRUE(loaded.modalities[1].features == expected.modalities[1].features);

    // `milk info` reads it, when that command is part of this build.
    if (run_milk("info --help").exit_code == 0) {
        const auto info = run_milk("info --dataset " + out.string());
        EXPECT_EQ(info.exit_code, 0) << info.err;
        EXPECT_NE(info.out.find("600"), std::string::npos) << info.out;
    }
}

TEST(CliGenerate, OverridesAndSeedChangeTheData) {
    test::TempDir tmp;
    const auto a = tmp / "a", b = tmp / "b";
    ASSERT_EQ(run_milk("generate --preset preset:demo --users 80 --items 50 --out " + a.string()).exit_code, 0);
    const auto r = run_milk("generate --preset demo --users 80 --items 50 --seed 9 --out " + b.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Dataset da = load_dataset(a.string()), db = load_dataset(b.string());
    EXPECT_EQ(da.n_users, 80);
    EXPECT_EQ(da.n_items, 50);
    EXPECT_EQ(da.modalities[0].features.rows(), 50);
    EXPECT_NE(da.train.items, db.train.items);
}

TEST(CliGenerate, RefusesANonEmptyFolderUnlessForced) {
    test::TempDir tmp;
    const auto out = tmp / "data";
    fs::create_directory(out);
    {
        std::FILE* f = std::fopen((out / "keep.txt").c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs("precious", f);
        std::fclose(f);
    }
    const auto refused = run_milk("generate --preset demo --out " + out.string());
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
    EXPECT_TRUE(fs::exists(out / "keep.txt"));
    EXPECT_FALSE(fs::exists(out / "train.txt"));

    const auto forced = run_milk("generate --preset demo --force --out " + out.string());
    ASSERT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_FALSE(fs::exists(out / "keep.txt"));
    EXPECT_TRUE(fs::exists(out / "train.txt"));
    int siblings = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path())) ++siblings;
    EXPECT_EQ(siblings, 1);
}

TEST(CliGenerate, UnknownPresetFailsNamingTheValidOnes) {
    test::TempDir tmp;
    const auto r = run_milk("generate --preset amazon --out " + (tmp / "x").string());
    EXPECT_NE(r.exit_code, 0);
    for (const char* name : {"demo", "baby-like", "tiktok-like"}) EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(tmp / "x"));
}

TEST(CliGenerate, OutOfRangeOverrideIsRejected) {
    test::TempDir tmp;
    const auto r = run_milk("generate --preset demo --new-item-fraction 1.5 --out " + (tmp / "x").string());
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("new_item_fraction"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(tmp / "x"));
}

}  // namespace
}  // namespace milk
