// Loader of MMRec's folder layout: <name>.inter + <modality>_feat.npy. MMRec's own split
// is warm, so the paper's new-item split is drawn here (see apply_new_item_split).
#include "core/data/loader_support.h"
#include "core/data/loaders.h"
#include "core/error.h"

#include <algorithm>
#include <filesystem>

namespace milk {

using namespace loading;

namespace {
std::vector<std::string> inter_files(const std::string& folder) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(folder, ec))
        if (e.is_regular_file() && e.path().extension() == ".inter") out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}
}  // namespace

Dataset load_mmrec_layout(const std::string& folder, const LoadOptions& options) {
    auto inters = inter_files(folder);
    const std::string base = std::filesystem::path(folder).filename().string();
    if (inters.empty()) throw DataError(describe(folder, "", "a <name>.inter file", "none"));
    std::string inter = inters.front();
    if (inters.size() > 1) {
        auto it = std::find(inters.begin(), inters.end(), base + ".inter");
        if (it == inters.end())
            throw DataError(describe(folder, "", "one .inter file (or one named " + base + ".inter)",
                                     std::to_string(inters.size()) + " .inter files"));
        inter = *it;
    }
    const auto features = find_feature_files(folder);
    if (features.empty())
        throw DataError(describe(folder, "", "at least one <modality>_feat.npy file", "none"));
    Steps steps(options, 2 + static_cast<int>(features.size()));

    Dataset ds;
    ds.source = folder;
    ds.name = inter.substr(0, inter.size() - 6);
    const std::string first_path = join(folder, features.front().second);
    for (const auto& [name, file] : features) {
        steps.next("reading " + file);
        ds.modalities.push_back(load_modality(name, join(folder, file), ds.modalities.empty() ? -1 : ds.n_items, first_path));
        if (ds.modalities.size() == 1) ds.n_items = static_cast<int>(ds.modalities.front().features.rows());
    }
    steps.next("reading " + inter);
    const std::string inter_path = join(folder, inter);
    auto table = read_interaction_table(inter_path, '\t', true, "userID", "itemID");
    for (std::size_t k = 0; k < table.pairs.size(); ++k)
        if (table.pairs[k].second >= ds.n_items)
            throw DataError(describe(inter_path, "line " + std::to_string(table.line_of_pair[k]),
                                     "an item id below " + std::to_string(ds.n_items) + " (rows of " +
                                         features.front().second + ")",
                                     std::to_string(table.pairs[k].second)));
    ds.n_users = table.max_user + 1;
    steps.next("drawing the new-item split");
    apply_new_item_split(ds, table.pairs, options.new_item_fraction, options.split_seed);
    ds.validate();
    steps.finish("loaded " + ds.name);
    return ds;
}

}  // namespace milk
