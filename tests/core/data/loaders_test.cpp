#include "core/data/dataset_source.h"
#include "core/data/loaders.h"
#include "core/data/npy.h"
#include "core/error.h"
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <set>

using namespace milk;
using milk::test::TempDir;
namespace fs = std::filesystem;

namespace {

template <class E, class Fn>
std::string message_of(Fn&& fn) {
    try {
        fn();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("WRONG EXCEPTION TYPE: ") + e.what();
    }
    return "NO EXCEPTION";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

FeatureMatrix features(int rows, int cols, float base) {
    FeatureMatrix m(rows, cols);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) m(i, j) = base + static_cast<float>(i) + 0.1f * static_cast<float>(j);
    return m;
}

// 3 users, 6 items; items 4 and 5 are new (4 in val.txt, 5 in test.txt).
void write_small_reference(const TempDir& dir) {
    dir.write("train.txt", "0 0 1\n1 1 2 3\n2\n");  // user 2 has no training items
    dir.write("val.txt", "0 4\n");
    dir.write("test.txt", "1 5\n2 5\n");
    write_npy((dir / "cold_item_index.npy").string(), std::vector<std::int64_t>{5, 4});
    write_npy((dir / "image_feat.npy").string(), features(6, 3, 0));
    write_npy((dir / "text_feat.npy").string(), features(6, 2, 100));
}

}  // namespace

TEST(ReferenceLayout, LoadsSplitsRolesAndFeatures) {
    TempDir dir;
    write_small_reference(dir);
    dir.write("image_feat_missing_test.npy", "ignored: not a modality");
    EXPECT_EQ(detect_layout(dir.path().string()), DatasetLayout::Reference);
    Dataset ds = load_dataset(dir.path().string());
    EXPECT_EQ(ds.n_users, 3);
    EXPECT_EQ(ds.n_items, 6);
    ASSERT_EQ(ds.n_modalities(), 2);
    EXPECT_EQ(ds.modalities[0].name, "image");
    EXPECT_EQ(ds.modalities[1].name, "text");
    EXPECT_EQ(ds.modalities[0].dim(), 3);
    EXPECT_FLOAT_EQ(ds.modalities[1].features(5, 1), 105.1f);
    EXPECT_EQ(ds.train.size(), 5);
    EXPECT_EQ(ds.train.of(1).size(), 3u);
    EXPECT_TRUE(ds.train.of(2).empty());
    EXPECT_EQ(ds.validation.size(), 1);
    EXPECT_EQ(ds.test.size(), 2);
    EXPECT_EQ(ds.roles[4], ItemRole::ValidationNew);
    EXPECT_EQ(ds.roles[5], ItemRole::TestNew);
    EXPECT_EQ(ds.roles[0], ItemRole::Warm);
    EXPECT_EQ(ds.new_items(), (std::vector<std::int32_t>{4, 5}));
    EXPECT_EQ(ds.train.n_users_with_items(), 2);
    EXPECT_EQ(ds.train.n_distinct_items(), 4);
    EXPECT_DOUBLE_EQ(ds.modalities[0].missing_rate(), 0.0);
}

TEST(ReferenceLayout, ModalityOrderMaskAndUnassignedColdItems) {
    TempDir dir;
    write_small_reference(dir);
    // items 6 and 7 are cold but in neither val.txt nor test.txt: they alternate.
    write_npy((dir / "cold_item_index.npy").string(), std::vector<std::int64_t>{4, 5, 6, 7});
    write_npy((dir / "image_feat.npy").string(), features(8, 3, 0));
    write_npy((dir / "text_feat.npy").string(), features(8, 2, 0));
    write_npy((dir / "audio_feat.npy").string(), features(8, 1, 0));
    write_npy((dir / "zeta_feat.npy").string(), features(8, 1, 0));
    write_npy((dir / "beta_feat.npy").string(), features(8, 1, 0));
    std::vector<std::uint8_t> mask(8 * 5, 1);
    mask[2 * 5 + 1] = 0;  // item 2 has no text
    write_npy_u8((dir / "modality_mask.npy").string(), mask.data(), 8, 5);
    write_npy((dir / "warm_missing_item_index.npy").string(), std::vector<std::int64_t>{2});
    Dataset ds = load_reference_layout(dir.path().string());
    std::vector<std::string> names;
    for (const auto& m : ds.modalities) names.push_back(m.name);
    EXPECT_EQ(names, (std::vector<std::string>{"image", "text", "audio", "beta", "zeta"}));
    EXPECT_EQ(ds.modalities[1].present[2], 0);
    EXPECT_DOUBLE_EQ(ds.modalities[1].missing_rate(), 1.0 / 8.0);
    EXPECT_FLOAT_EQ(ds.modalities[1].features(2, 0), 0.0f);  // absent rows are zeroed
    EXPECT_EQ(ds.roles[6], ItemRole::ValidationNew);
    EXPECT_EQ(ds.roles[7], ItemRole::TestNew);

    // a warm_missing index naming a new item is inconsistent
    write_npy((dir / "warm_missing_item_index.npy").string(), std::vector<std::int64_t>{4});
    auto msg = message_of<DataError>([&] { load_reference_layout(dir.path().string()); });
    EXPECT_TRUE(contains(msg, "warm_missing_item_index.npy")) << msg;
}

TEST(ReferenceLayout, BadInputsNameFileAndLine) {
    struct Case {
        const char* file;
        const char* content;
        const char* expected_parts[2];
        Error::Kind kind;
    };
    const Case cases[] = {
        {"train.txt", "0 0 1\n3 x 5\n", {"train.txt: line 2", "'x'"}, Error::Kind::Parse},
        {"train.txt", "0 0 1\n1 -2\n", {"train.txt: line 2", "-2"}, Error::Kind::Parse},
        {"train.txt", "0 0 1\n1 2.5\n", {"train.txt: line 2", "'2.5'"}, Error::Kind::Parse},
        {"val.txt", "0 4\n\n1 9\n", {"val.txt: line 3", "9"}, Error::Kind::Data},     // beyond feature rows
        {"train.txt", "0 0 1\n1 4\n", {"train.txt: line 2", "new item 4"}, Error::Kind::Data},
        {"val.txt", "0 1\n", {"val.txt: line 1", "warm item 1"}, Error::Kind::Data},
        {"val.txt", "", {"validation split", "at least one interaction"}, Error::Kind::Data},
    };
    for (const auto& c : cases) {
        TempDir dir;
        write_small_reference(dir);
        dir.write(c.file, c.content);
        try {
            load_dataset(dir.path().string());
            ADD_FAILURE() << "no error for " << c.file << ": " << c.content;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), c.kind) << e.what();
            for (const char* part : c.expected_parts) EXPECT_TRUE(contains(e.what(), part)) << e.what();
        }
    }
}

TEST(ReferenceLayout, BadFeatureFilesAndMissingFiles) {
    {
        TempDir dir;
        write_small_reference(dir);
        FeatureMatrix f = features(6, 3, 0);
        f(3, 2) = std::numeric_limits<float>::quiet_NaN();
        write_npy((dir / "image_feat.npy").string(), f);
        auto msg = message_of<DataError>([&] { load_dataset(dir.path().string()); });
        EXPECT_TRUE(contains(msg, "modality 'image' row 3 column 2")) << msg;
        f(3, 2) = std::numeric_limits<float>::infinity();
        write_npy((dir / "image_feat.npy").string(), f);
        msg = message_of<DataError>([&] { load_dataset(dir.path().string()); });
        EXPECT_TRUE(contains(msg, "inf")) << msg;
    }
    {
        TempDir dir;
        write_small_reference(dir);
        write_npy((dir / "text_feat.npy").string(), features(7, 2, 0));
        auto msg = message_of<DataError>([&] { load_dataset(dir.path().string()); });
        EXPECT_TRUE(contains(msg, "text_feat.npy")) << msg;
        EXPECT_TRUE(contains(msg, "expected 6 rows")) << msg;
    }
    {
        TempDir dir;
        write_small_reference(dir);
        fs::resize_file(dir / "text_feat.npy", fs::file_size(dir / "text_feat.npy") - 8);
        auto msg = message_of<FormatError>([&] { load_dataset(dir.path().string()); });
        EXPECT_TRUE(contains(msg, "text_feat.npy")) << msg;
        EXPECT_TRUE(contains(msg, "expected 48 bytes of payload, found 40")) << msg;
    }
    {
        TempDir dir;
        write_small_reference(dir);
        fs::remove(dir / "test.txt");
        auto msg = message_of<IoError>([&] { load_dataset(dir.path().string()); });
        EXPECT_TRUE(contains(msg, "test.txt")) << msg;
        fs::remove(dir / "train.txt");
        msg = message_of<IoError>([&] { load_reference_layout(dir.path().string()); });
        EXPECT_TRUE(contains(msg, "train.txt")) << msg;
    }
    {
        TempDir dir;
        write_small_reference(dir);
        // every new item in test.txt: no validation-new item left
        dir.write("val.txt", "");
        dir.write("test.txt", "0 4\n1 5\n");
        auto msg = message_of<DataError>([&] { load_dataset(dir.path().string()); });
        EXPECT_TRUE(contains(msg, "validation-new")) << msg;
    }
    auto msg = message_of<IoError>([&] { load_dataset("/nonexistent/milk-folder"); });
    EXPECT_TRUE(contains(msg, "/nonexistent/milk-folder")) << msg;
    TempDir empty;
    msg = message_of<DataError>([&] { detect_layout(empty.path().string()); });
    EXPECT_TRUE(contains(msg, "dataset.json")) << msg;
}

TEST(ReferenceLayout, ProgressIsReportedAndCancelStops) {
    TempDir dir;
    write_small_reference(dir);
    std::vector<double> fractions;
    LoadOptions options;
    options.progress = [&](double f, const std::string&) { fractions.push_back(f); };
    load_dataset(dir.path().string(), options);
    ASSERT_GE(fractions.size(), 6u);  // 2 features + 3 splits + cold index
    EXPECT_DOUBLE_EQ(fractions.back(), 1.0);
    for (std::size_t k = 1; k < fractions.size(); ++k) EXPECT_GE(fractions[k], fractions[k - 1]);
    std::atomic<bool> cancel{true};
    options.cancel = &cancel;
    EXPECT_THROW(load_dataset(dir.path().string(), options), Cancelled);
}

namespace {

// n_users x n_items random interactions, written as an MMRec .inter with shuffled columns.
std::vector<std::pair<int, int>> write_mmrec(const TempDir& dir, int n_users, int n_items) {
    std::mt19937_64 rng(5);
    std::vector<std::pair<int, int>> pairs;
    std::string text = "itemID\trating\tuserID\ttimestamp\n";
    for (int u = 0; u < n_users; ++u)
        for (int k = 0; k < 6; ++k) {
            int i = static_cast<int>(rng() % n_items);
            pairs.emplace_back(u, i);
            text += std::to_string(i) + "\t5\t" + std::to_string(u) + "\t1234\n";
        }
    dir.write("shop.inter", text);
    write_npy((dir / "image_feat.npy").string(), features(n_items, 4, 0));
    write_npy((dir / "text_feat.npy").string(), features(n_items, 3, 0));
    return pairs;
}

void check_new_item_split(const Dataset& ds, const std::vector<std::pair<int, int>>& pairs, int expected_new) {
    auto val = ds.items_with_role(ItemRole::ValidationNew);
    auto test = ds.items_with_role(ItemRole::TestNew);
    EXPECT_EQ(static_cast<int>(val.size() + test.size()), expected_new);
    EXPECT_EQ(static_cast<int>(val.size()), expected_new / 2);
    std::set<std::pair<int, int>> unique(pairs.begin(), pairs.end());
    EXPECT_EQ(ds.train.size() + ds.validation.size() + ds.test.size(), static_cast<std::int64_t>(unique.size()));
    for (int u = 0; u < ds.n_users; ++u) {
        for (auto i : ds.train.of(u)) EXPECT_EQ(ds.roles[i], ItemRole::Warm);
        for (auto i : ds.validation.of(u)) EXPECT_EQ(ds.roles[i], ItemRole::ValidationNew);
        for (auto i : ds.test.of(u)) EXPECT_EQ(ds.roles[i], ItemRole::TestNew);
    }
}

}  // namespace

TEST(MMRecLayout, DrawsTwentyPercentNewItemsHalfValidationHalfTest) {
    TempDir dir;
    auto pairs = write_mmrec(dir, 40, 50);
    EXPECT_EQ(detect_layout(dir.path().string()), DatasetLayout::MMRec);
    Dataset ds = load_dataset(dir.path().string());
    EXPECT_EQ(ds.name, "shop");
    EXPECT_EQ(ds.n_users, 40);
    EXPECT_EQ(ds.n_items, 50);
    check_new_item_split(ds, pairs, 10);
    // same seed, same split; another seed, another split
    EXPECT_EQ(load_dataset(dir.path().string()).roles, ds.roles);
    LoadOptions other;
    other.split_seed = 99;
    EXPECT_NE(load_dataset(dir.path().string(), other).roles, ds.roles);
    EXPECT_NE(load_dataset(dir.path().string(), other).fingerprint(), ds.fingerprint());
    other.new_item_fraction = 0.4;
    check_new_item_split(load_dataset(dir.path().string(), other), pairs, 20);
}

TEST(MMRecLayout, BadLinesAndTooFewNewItems) {
    TempDir dir;
    write_mmrec(dir, 40, 50);
    dir.write("shop.inter", "userID\titemID\n0\t1\n1\tseven\n");
    auto msg = message_of<ParseError>([&] { load_dataset(dir.path().string()); });
    EXPECT_TRUE(contains(msg, "shop.inter: line 3")) << msg;
    EXPECT_TRUE(contains(msg, "'seven'")) << msg;
    dir.write("shop.inter", "userID\titemID\n0\t1\n-1\t2\n");
    msg = message_of<ParseError>([&] { load_dataset(dir.path().string()); });
    EXPECT_TRUE(contains(msg, "shop.inter: line 3")) << msg;
    dir.write("shop.inter", "user\titem\n0\t1\n");
    msg = message_of<ParseError>([&] { load_dataset(dir.path().string()); });
    EXPECT_TRUE(contains(msg, "userID")) << msg;
    dir.write("shop.inter", "userID\titemID\n0\t50\n");
    msg = message_of<DataError>([&] { load_dataset(dir.path().string()); });
    EXPECT_TRUE(contains(msg, "shop.inter: line 2")) << msg;
    write_mmrec(dir, 40, 50);
    LoadOptions few;
    few.new_item_fraction = 0.01;  // rounds to 0 new items of 50
    msg = message_of<DataError>([&] { load_dataset(dir.path().string(), few); });
    EXPECT_TRUE(contains(msg, "at least 2 new items")) << msg;
    few.new_item_fraction = 1.5;
    EXPECT_THROW(load_dataset(dir.path().string(), few), ConfigError);
}

TEST(GenericLayout, ManifestWithCsvAndNpyFeatures) {
    TempDir dir;
    std::mt19937_64 rng(3);
    std::vector<std::pair<int, int>> pairs;
    std::string csv = "rating,user,item\n";
    for (int u = 0; u < 30; ++u)
        for (int k = 0; k < 5; ++k) {
            int i = static_cast<int>(rng() % 20);
            pairs.emplace_back(u, i);
            csv += "4," + std::to_string(u) + "," + std::to_string(i) + "\n";
        }
    dir.write("ratings.csv", csv);
    write_npy((dir / "image.npy").string(), features(20, 3, 0));
    std::string text = "a,b\n";
    for (int i = 0; i < 20; ++i) text += std::to_string(i) + ",0.5\n";
    dir.write("text.csv", text);
    dir.write("dataset.json", R"({"name": "toy",
      "interactions": {"file": "ratings.csv", "user_column": "user", "item_column": "item", "delimiter": ","},
      "modalities": [{"name": "text", "file": "text.csv", "header": true}, {"name": "image", "file": "image.npy"}],
      "new_item_fraction": 0.2, "split_seed": 7})");
    EXPECT_EQ(detect_layout(dir.path().string()), DatasetLayout::Generic);
    Dataset ds = load_dataset(dir.path().string());
    EXPECT_EQ(ds.name, "toy");
    EXPECT_EQ(ds.n_items, 20);
    ASSERT_EQ(ds.n_modalities(), 2);
    EXPECT_EQ(ds.modalities[0].name, "image");
    EXPECT_EQ(ds.modalities[1].dim(), 2);
    EXPECT_FLOAT_EQ(ds.modalities[1].features(7, 0), 7.0f);
    check_new_item_split(ds, pairs, 4);

    dir.write("dataset.json", R"({"interactions": {"file": "ratings.csv"}, "modalities": [{"name": "image", "file": "image.npy"}],
      "colour": "blue"})");
    auto msg = message_of<ConfigError>([&] { load_dataset(dir.path().string()); });
    EXPECT_TRUE(contains(msg, "dataset.json")) << msg;
    EXPECT_TRUE(contains(msg, "'colour'")) << msg;
    dir.write("dataset.json", R"({"interactions": {"file": "ratings.csv", "sep": ";"}, "modalities": [{"name": "image", "file": "image.npy"}]})");
    msg = message_of<ConfigError>([&] { load_dataset(dir.path().string()); });
    EXPECT_TRUE(contains(msg, "interactions: key 'sep'")) << msg;
    dir.write("dataset.json", R"({"interactions": {"file": "ratings.csv"}, "modalities": [{"name": "image", "file": "image.npy", "dim": 3}]})");
    msg = message_of<ConfigError>([&] { load_dataset(dir.path().string()); });
    EXPECT_TRUE(contains(msg, "modalities[0]: key 'dim'")) << msg;
    dir.write("dataset.json", R"({"interactions": )");
    EXPECT_THROW(load_dataset(dir.path().string()), ParseError);
    dir.write("dataset.json", R"({"interactions": {"file": "ratings.csv"}, "modalities": [{"name": "text", "file": "text.csv"}]})");
    msg = message_of<ParseError>([&] { load_dataset(dir.path().string()); });  // header row without "header": true
    EXPECT_TRUE(contains(msg, "text.csv: line 1 column 1")) << msg;
}

TEST(ReferenceWriter, RoundTripAndMissingVariants) {
    TempDir src;
    write_small_reference(src);
    Dataset ds = load_dataset(src.path().string());
    TempDir out;
    const std::string folder = (out / "ref").string();
    MissingVariants v;
    v.mask.assign(static_cast<std::size_t>(ds.n_items) * 2, 1);
    v.mask[1 * 2 + 0] = 0;  // warm item 1 loses image
    v.mask[5 * 2 + 1] = 0;  // new item 5 loses text
    v.imputed = {FeatureMatrix::Constant(6, 3, -1.0f), FeatureMatrix::Constant(6, 2, -2.0f)};
    write_reference_layout(ds, folder, &v);
    Dataset back = load_dataset(folder);
    EXPECT_EQ(back.fingerprint().size(), 16u);
    EXPECT_EQ(back.train.items, ds.train.items);
    EXPECT_EQ(back.train.offsets, ds.train.offsets);
    EXPECT_EQ(back.test.items, ds.test.items);
    EXPECT_EQ(back.roles, ds.roles);
    EXPECT_EQ(back.modalities[0].features, ds.modalities[0].features);
    back.source = ds.source;
    back.name = ds.name;
    EXPECT_EQ(back.fingerprint(), ds.fingerprint());
    EXPECT_FALSE(fs::exists(fs::path(folder) / "modality_mask.npy"));  // nothing naturally missing
    EXPECT_EQ(read_npy_int_vector(folder + "/warm_missing_item_index.npy"), (std::vector<std::int64_t>{1}));
    EXPECT_EQ(read_npy_int_vector(folder + "/cold_missing_item_index.npy"), (std::vector<std::int64_t>{5}));
    auto img_test = read_npy_matrix_f32(folder + "/image_feat_missing_test.npy");
    auto img_train = read_npy_matrix_f32(folder + "/image_feat_missing_train.npy");
    auto txt_test = read_npy_matrix_f32(folder + "/text_feat_missing_test.npy");
    auto txt_all = read_npy_matrix_f32(folder + "/text_feat_missing_all.npy");
    auto txt_train = read_npy_matrix_f32(folder + "/text_feat_missing_train.npy");
    EXPECT_FLOAT_EQ(img_test(1, 0), ds.modalities[0].features(1, 0));  // warm row untouched in _test
    EXPECT_FLOAT_EQ(img_train(1, 0), -1.0f);
    EXPECT_FLOAT_EQ(txt_test(5, 1), -2.0f);
    EXPECT_FLOAT_EQ(txt_all(5, 1), -2.0f);
    EXPECT_FLOAT_EQ(txt_train(5, 1), ds.modalities[1].features(5, 1));
    EXPECT_FLOAT_EQ(txt_all(4, 1), ds.modalities[1].features(4, 1));

    // an existing non-empty folder is refused and left alone, and no temp folder remains
    EXPECT_THROW(write_reference_layout(ds, folder), IoError);
    EXPECT_TRUE(fs::exists(fs::path(folder) / "image_feat_missing_all.npy"));
    int entries = 0;
    for (const auto& e : fs::directory_iterator(out.path())) entries += e.path().filename() != "ref";
    EXPECT_EQ(entries, 0);
}

TEST(ReferenceWriter, NaturalMissingnessRoundTripsThroughTheMask) {
    TempDir src;
    write_small_reference(src);
    Dataset ds = load_dataset(src.path().string());
    ds.modalities[1].present[3] = 0;
    ds.modalities[1].features.row(3).setZero();
    TempDir out;
    write_reference_layout(ds, (out / "ref").string());
    Dataset back = load_dataset((out / "ref").string());
    EXPECT_EQ(back.modalities[1].present, ds.modalities[1].present);
    EXPECT_EQ(back.modalities[0].present, ds.modalities[0].present);
}

TEST(DatasetInvariants, ValidateCatchesInconsistenciesAndFingerprintTracksContent) {
    TempDir src;
    write_small_reference(src);
    const Dataset ds = load_dataset(src.path().string());
    Dataset copy = ds;
    EXPECT_EQ(copy.fingerprint(), ds.fingerprint());
    copy.modalities[0].features(2, 1) += 1e-3f;
    EXPECT_NE(copy.fingerprint(), ds.fingerprint());

    Dataset bad = ds;
    bad.train = Interactions::from_pairs(3, {{0, 0}, {1, 4}});
    auto msg = message_of<DataError>([&] { bad.validate(); });
    EXPECT_TRUE(contains(msg, "train user 1")) << msg;
    EXPECT_TRUE(contains(msg, "new item 4")) << msg;
    bad = ds;
    bad.test = Interactions::from_pairs(3, {{0, 7}});
    msg = message_of<DataError>([&] { bad.validate(); });
    EXPECT_TRUE(contains(msg, "[0, 6)")) << msg;
    bad = ds;
    bad.modalities[1].present.pop_back();
    EXPECT_THROW(bad.validate(), DataError);
    bad = ds;
    bad.roles.assign(6, ItemRole::Warm);
    bad.validation = Interactions::from_pairs(3, {});
    bad.test = Interactions::from_pairs(3, {});
    msg = message_of<DataError>([&] { bad.validate(); });
    EXPECT_TRUE(contains(msg, "at least one new item")) << msg;
    EXPECT_THROW(Interactions::from_pairs(2, {{2, 0}}), DataError);

    auto x = Interactions::from_pairs(3, {{2, 5}, {0, 3}, {2, 1}, {2, 5}});
    EXPECT_EQ(x.offsets, (std::vector<std::int64_t>{0, 1, 1, 3}));
    EXPECT_EQ(x.items, (std::vector<std::int32_t>{3, 1, 5}));
    EXPECT_STREQ(to_string(ItemRole::TestNew), "test-new");
}

TEST(Presets, NamesAndUnknownPreset) {
    EXPECT_EQ(preset_names(), (std::vector<std::string>{"demo", "baby-like", "tiktok-like"}));
    auto msg = message_of<ConfigError>([&] { load_dataset("preset:nope"); });
    EXPECT_TRUE(contains(msg, "demo")) << msg;
    Dataset demo = load_dataset("preset:demo");
    EXPECT_EQ(demo.source, "preset:demo");
    EXPECT_NO_THROW(demo.validate());
}
