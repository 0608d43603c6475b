// Loader of the generic layout: a dataset.json manifest naming an interaction table and
// one feature file (.npy or .csv) per modality. The new-item split is drawn here; the
// manifest's new_item_fraction / split_seed, when given, override LoadOptions.
#include "core/data/csv_features.h"
#include "core/data/loader_support.h"
#include "core/data/loaders.h"
#include "core/data/npy.h"
#include "core/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

namespace milk {

using namespace loading;
using nlohmann::json;

namespace {

void check_keys(const json& obj, const std::string& file, const std::string& where, std::set<std::string> allowed) {
    if (!obj.is_object()) throw ConfigError(describe(file, where, "an object", obj.type_name()));
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (!allowed.count(it.key())) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            throw ConfigError(describe(file, where.empty() ? "key '" + it.key() + "'" : where + ": key '" + it.key() + "'",
                                       "one of " + list, "unknown key '" + it.key() + "'"));
        }
}

std::string get_string(const json& obj, const std::string& key, const std::string& file, const std::string& where,
                       const std::string* fallback = nullptr) {
    if (!obj.contains(key)) {
        if (fallback) return *fallback;
        throw ConfigError(describe(file, where + "." + key, "a string", "nothing (the key is required)"));
    }
    const json& v = obj.at(key);
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());  // column index
    throw ConfigError(describe(file, where + "." + key, "a string", v.type_name()));
}

bool get_bool(const json& obj, const std::string& key, const std::string& file, const std::string& where, bool fallback) {
    if (!obj.contains(key)) return fallback;
    if (!obj.at(key).is_boolean()) throw ConfigError(describe(file, where + "." + key, "true or false", obj.at(key).dump()));
    return obj.at(key).get<bool>();
}

char get_delimiter(const json& obj, const std::string& file, const std::string& where) {
    const std::string comma = ",";
    std::string d = get_string(obj, "delimiter", file, where, &comma);
    if (d == "\\t" || d == "tab") d = "\t";
    if (d.size() != 1) throw ConfigError(describe(file, where + ".delimiter", "one character", "'" + d + "'"));
    return d[0];
}

std::string resolve(const std::string& folder, const std::string& file) {
    std::filesystem::path p(file);
    return p.is_absolute() ? file : join(folder, file);
}

}  // namespace

Dataset load_generic_layout(const std::string& folder, const LoadOptions& options) {
    const std::string manifest_path = join(folder, "dataset.json");
    const std::string text = read_text_file(manifest_path);
    json manifest;
    try {
        manifest = json::parse(text);
    } catch (const json::parse_error& e) {
        throw ParseError(describe(manifest_path, "byte " + std::to_string(e.byte), "valid JSON", e.what()));
    }
    check_keys(manifest, manifest_path, "", {"name", "interactions", "modalities", "new_item_fraction", "split_seed"});
    if (!manifest.contains("interactions"))
        throw ConfigError(describe(manifest_path, "interactions", "an object naming the interaction file", "nothing"));
    if (!manifest.contains("modalities") || !manifest.at("modalities").is_array() || manifest.at("modalities").empty())
        throw ConfigError(describe(manifest_path, "modalities", "a non-empty array of {name, file}",
                                   manifest.contains("modalities") ? manifest.at("modalities").dump() : "nothing"));

    double fraction = options.new_item_fraction;
    std::uint64_t seed = options.split_seed;
    if (manifest.contains("new_item_fraction")) {
        if (!manifest.at("new_item_fraction").is_number())
            throw ConfigError(describe(manifest_path, "new_item_fraction", "a number", manifest.at("new_item_fraction").dump()));
        fraction = manifest.at("new_item_fraction").get<double>();
    }
    if (manifest.contains("split_seed")) {
        if (!manifest.at("split_seed").is_number_unsigned())
            throw ConfigError(describe(manifest_path, "split_seed", "a non-negative integer", manifest.at("split_seed").dump()));
        seed = manifest.at("split_seed").get<std::uint64_t>();
    }

    const json& inter = manifest.at("interactions");
    check_keys(inter, manifest_path, "interactions", {"file", "user_column", "item_column", "delimiter", "header"});
    const std::string user_default = "user", item_default = "item";
    const std::string inter_file = resolve(folder, get_string(inter, "file", manifest_path, "interactions"));
    const std::string user_col = get_string(inter, "user_column", manifest_path, "interactions", &user_default);
    const std::string item_col = get_string(inter, "item_column", manifest_path, "interactions", &item_default);
    const char inter_delim = get_delimiter(inter, manifest_path, "interactions");
    const bool inter_header = get_bool(inter, "header", manifest_path, "interactions", true);

    struct ModalitySpec { std::string name, file; char delimiter; bool header; };
    std::vector<ModalitySpec> specs;
    std::set<std::string> seen;
    const json& mods = manifest.at("modalities");
    for (std::size_t k = 0; k < mods.size(); ++k) {
        const std::string where = "modalities[" + std::to_string(k) + "]";
        check_keys(mods[k], manifest_path, where, {"name", "file", "delimiter", "header"});
        ModalitySpec s{get_string(mods[k], "name", manifest_path, where),
                       resolve(folder, get_string(mods[k], "file", manifest_path, where)),
                       get_delimiter(mods[k], manifest_path, where), get_bool(mods[k], "header", manifest_path, where, false)};
        if (s.name.empty() || !seen.insert(s.name).second)
            throw ConfigError(describe(manifest_path, where + ".name", "a unique, non-empty modality name", "'" + s.name + "'"));
        specs.push_back(std::move(s));
    }
    std::vector<std::string> names;
    for (const auto& s : specs) names.push_back(s.name);
    names = order_modality_names(names);
    std::vector<ModalitySpec> ordered;
    for (const auto& n : names)
        ordered.push_back(*std::find_if(specs.begin(), specs.end(), [&](const ModalitySpec& s) { return s.name == n; }));

    Steps steps(options, 3 + static_cast<int>(ordered.size()));
    steps.next("reading dataset.json");
    Dataset ds;
    ds.source = folder;
    ds.name = manifest.contains("name") && manifest.at("name").is_string() ? manifest.at("name").get<std::string>()
                                                                           : std::filesystem::path(folder).filename().string();
    for (const auto& s : ordered) {
        steps.next("reading " + std::filesystem::path(s.file).filename().string());
        ModalityTable t;
        t.name = s.name;
        const std::string ext = std::filesystem::path(s.file).extension().string();
        if (ext == ".npy") t.features = read_npy_matrix_f32(s.file);
        else t.features = read_csv_features(s.file, s.delimiter, s.header);
        if (!ds.modalities.empty() && t.features.rows() != ds.n_items)
            throw DataError(describe(s.file, "rows", std::to_string(ds.n_items) + " rows (as in " + ordered.front().file + ")",
                                     std::to_string(t.features.rows())));
        if (ds.modalities.empty()) ds.n_items = static_cast<int>(t.features.rows());
        t.present.assign(static_cast<std::size_t>(t.features.rows()), 1);
        ds.modalities.push_back(std::move(t));
    }
    steps.next("reading " + std::filesystem::path(inter_file).filename().string());
    auto table = read_interaction_table(inter_file, inter_delim, inter_header, user_col, item_col);
    for (std::size_t k = 0; k < table.pairs.size(); ++k)
        if (table.pairs[k].second >= ds.n_items)
            throw DataError(describe(inter_file, "line " + std::to_string(table.line_of_pair[k]),
                                     "an item id below " + std::to_string(ds.n_items) + " (rows of " + ordered.front().file + ")",
                                     std::to_string(table.pairs[k].second)));
    ds.n_users = table.max_user + 1;
    steps.next("drawing the new-item split");
    apply_new_item_split(ds, table.pairs, fraction, seed);
    ds.validate();
    steps.finish("loaded " + ds.name);
    return ds;
}

}  // namespace milk
