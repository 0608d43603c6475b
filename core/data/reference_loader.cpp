// Loader of the public MILK code's folder layout (see loaders.h).
#include "core/data/loader_support.h"
#include "core/data/loaders.h"
#include "core/data/npy.h"
#include "core/error.h"

#include <algorithm>
#include <filesystem>

namespace milk {

using namespace loading;

namespace {

struct SplitFile {
    Pairs pairs;
    std::vector<std::size_t> line_of_pair;  // for error messages
    std::int32_t max_user = -1;
};

// "user item item ..." per line; a user with no items is fine, blank lines are skipped.
SplitFile read_split_file(const std::string& path) {
    const std::string text = read_text_file(path);
    SplitFile s;
    std::size_t pos = 0, line_no = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        ++line_no;
        auto tokens = split(line, ' ');
        if (tokens.empty()) continue;
        std::int32_t user = parse_id(tokens[0], path, line_no, "user id");
        s.max_user = std::max(s.max_user, user);
        for (std::size_t k = 1; k < tokens.size(); ++k) {
            s.pairs.emplace_back(user, parse_id(tokens[k], path, line_no, "item id"));
            s.line_of_pair.push_back(line_no);
        }
    }
    return s;
}

std::vector<std::int64_t> read_index(const std::string& path, int n_items) {
    auto ids = read_npy_int_vector(path);
    for (std::size_t k = 0; k < ids.size(); ++k)
        if (ids[k] < 0 || ids[k] >= n_items)
            throw DataError(describe(path, "entry " + std::to_string(k),
                                     "an item id in [0, " + std::to_string(n_items) + ")", std::to_string(ids[k])));
    return ids;
}

}  // namespace

Dataset load_reference_layout(const std::string& folder, const LoadOptions& options) {
    const auto features = find_feature_files(folder);
    const std::string mask_path = join(folder, "modality_mask.npy");
    const bool has_mask = file_exists(mask_path);
    Steps steps(options, 4 + static_cast<int>(features.size()) + (has_mask ? 1 : 0) + 2);

    if (features.empty())
        throw DataError(describe(folder, "", "at least one <modality>_feat.npy file (image_feat.npy, text_feat.npy, ...)",
                                 "none"));
    Dataset ds;
    ds.source = folder;
    ds.name = std::filesystem::path(folder).filename().string();
    if (ds.name.empty()) ds.name = std::filesystem::path(folder).parent_path().filename().string();

    const std::string first_path = join(folder, features.front().second);
    for (const auto& [name, file] : features) {
        steps.next("reading " + file);
        const std::string path = join(folder, file);
        ds.modalities.push_back(load_modality(name, path, ds.modalities.empty() ? -1 : ds.n_items, first_path));
        if (ds.modalities.size() == 1) ds.n_items = static_cast<int>(ds.modalities.front().features.rows());
    }
    if (has_mask) {
        steps.next("reading modality_mask.npy");
        std::int64_t rows = 0, cols = 0;
        auto mask = read_npy_u8(mask_path, rows, cols);
        if (rows != ds.n_items || cols != ds.n_modalities())
            throw DataError(describe(mask_path, "shape",
                                     "(" + std::to_string(ds.n_items) + ", " + std::to_string(ds.n_modalities()) +
                                         ") for the items and modalities found",
                                     "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")"));
        for (int m = 0; m < ds.n_modalities(); ++m) {
            auto& t = ds.modalities[m];
            for (int i = 0; i < ds.n_items; ++i) {
                std::uint8_t v = mask[static_cast<std::size_t>(i) * cols + m];
                if (v > 1)
                    throw DataError(describe(mask_path, "row " + std::to_string(i) + " column " + std::to_string(m),
                                             "0 or 1", std::to_string(v)));
                t.present[i] = v;
                if (!v) t.features.row(i).setZero();  // an absent row's content is never used
            }
        }
    }

    const char* split_names[3] = {"train.txt", "val.txt", "test.txt"};
    SplitFile splits[3];
    for (int s = 0; s < 3; ++s) {
        steps.next(std::string("reading ") + split_names[s]);
        const std::string path = join(folder, split_names[s]);
        splits[s] = read_split_file(path);
        for (std::size_t k = 0; k < splits[s].pairs.size(); ++k)
            if (splits[s].pairs[k].second >= ds.n_items)
                throw DataError(describe(path, "line " + std::to_string(splits[s].line_of_pair[k]),
                                         "an item id below " + std::to_string(ds.n_items) + " (rows of " +
                                             features.front().second + ")",
                                         std::to_string(splits[s].pairs[k].second)));
        ds.n_users = std::max(ds.n_users, splits[s].max_user + 1);
    }

    steps.next("reading cold_item_index.npy");
    const std::string cold_path = join(folder, "cold_item_index.npy");
    auto cold = read_index(cold_path, ds.n_items);
    std::vector<std::uint8_t> is_cold(ds.n_items, 0);
    for (auto c : cold) is_cold[c] = 1;
    ds.roles.assign(ds.n_items, ItemRole::Warm);
    // Roles from where the cold items' interactions are.
    std::vector<std::uint8_t> in_split[3];
    for (int s = 0; s < 3; ++s) {
        in_split[s].assign(ds.n_items, 0);
        const std::string path = join(folder, split_names[s]);
        for (std::size_t k = 0; k < splits[s].pairs.size(); ++k) {
            const auto item = splits[s].pairs[k].second;
            if (s == 0 && is_cold[item])
                throw DataError(describe(path, "line " + std::to_string(splits[s].line_of_pair[k]),
                                         "only warm items in training", "new item " + std::to_string(item) +
                                                                            " (listed in cold_item_index.npy)"));
            if (s > 0 && !is_cold[item])
                throw DataError(describe(path, "line " + std::to_string(splits[s].line_of_pair[k]),
                                         "only new items (listed in cold_item_index.npy)",
                                         "warm item " + std::to_string(item)));
            in_split[s][item] = 1;
        }
    }
    bool next_validation = true;
    for (int i = 0; i < ds.n_items; ++i) {
        if (!is_cold[i]) continue;
        if (in_split[1][i] && in_split[2][i])
            throw DataError(describe(folder, "item " + std::to_string(i),
                                     "a new item in val.txt or test.txt, not both", "it in both"));
        if (in_split[1][i]) ds.roles[i] = ItemRole::ValidationNew;
        else if (in_split[2][i]) ds.roles[i] = ItemRole::TestNew;
        else {
            ds.roles[i] = next_validation ? ItemRole::ValidationNew : ItemRole::TestNew;
            next_validation = !next_validation;
        }
    }

    for (const char* optional : {"warm_missing_item_index.npy", "cold_missing_item_index.npy"}) {
        steps.next(std::string("checking ") + optional);
        const std::string path = join(folder, optional);
        if (!file_exists(path)) continue;
        const bool want_cold = optional[0] == 'c';
        auto ids = read_index(path, ds.n_items);
        for (std::size_t k = 0; k < ids.size(); ++k)
            if (static_cast<bool>(is_cold[ids[k]]) != want_cold)
                throw DataError(describe(path, "entry " + std::to_string(k), want_cold ? "a new item" : "a warm item",
                                         (want_cold ? "warm item " : "new item ") + std::to_string(ids[k])));
    }

    for (int s = 0; s < 3; ++s) {
        Interactions x = Interactions::from_pairs(ds.n_users, std::move(splits[s].pairs));
        (s == 0 ? ds.train : s == 1 ? ds.validation : ds.test) = std::move(x);
    }
    ds.validate();
    steps.finish("loaded " + ds.name);
    return ds;
}

}  // namespace milk
