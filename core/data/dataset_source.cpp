#include "core/data/dataset_source.h"

#include "core/data/loader_support.h"
#include "core/data/loaders.h"
#include "core/data/synthetic.h"
#include "core/error.h"

#include <algorithm>
#include <filesystem>

namespace milk {

namespace fs = std::filesystem;

const char* to_string(DatasetLayout layout) {
    switch (layout) {
        case DatasetLayout::Reference: return "reference";
        case DatasetLayout::MMRec: return "mmrec";
        case DatasetLayout::Generic: return "generic";
    }
    return "unknown";
}

std::vector<std::string> order_modality_names(std::vector<std::string> names) {
    auto rank = [](const std::string& n) { return n == "image" ? 0 : n == "text" ? 1 : n == "audio" ? 2 : 3; };
    std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
        int ra = rank(a), rb = rank(b);
        return ra != rb ? ra < rb : a < b;
    });
    return names;
}

DatasetLayout detect_layout(const std::string& folder) {
    std::error_code ec;
    if (!fs::exists(folder, ec)) throw IoError(describe(folder, "", "an existing dataset folder", "no such file or folder"));
    if (!fs::is_directory(folder, ec)) throw DataError(describe(folder, "", "a dataset folder", "a file"));
    if (loading::file_exists(loading::join(folder, "dataset.json"))) return DatasetLayout::Generic;
    if (loading::file_exists(loading::join(folder, "train.txt"))) return DatasetLayout::Reference;
    for (const auto& e : fs::directory_iterator(folder, ec))
        if (e.is_regular_file() && e.path().extension() == ".inter") return DatasetLayout::MMRec;
    throw DataError(describe(folder, "",
                             "a dataset layout: dataset.json (generic), train.txt + cold_item_index.npy + *_feat.npy "
                             "(reference) or <name>.inter + *_feat.npy (MMRec)",
                             "none of these files"));
}

std::vector<std::string> preset_names() { return {"demo", "baby-like", "tiktok-like"}; }

Dataset load_dataset(const std::string& spec, const LoadOptions& options) {
    const std::string prefix = "preset:";
    if (spec.rfind(prefix, 0) == 0) {
        const std::string name = spec.substr(prefix.size());
        auto names = preset_names();
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            std::string list;
            for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
            throw ConfigError(describe("--dataset", spec, "a preset among " + list, "'" + name + "'"));
        }
        if (options.cancel && options.cancel->load()) throw Cancelled();
        if (options.progress) options.progress(0.0, "generating " + spec);
        Dataset ds = generate_synthetic(synthetic_preset(name));
        ds.source = spec;
        if (ds.name.empty()) ds.name = spec;
        if (options.progress) options.progress(1.0, "generated " + spec);
        return ds;
    }
    switch (detect_layout(spec)) {
        case DatasetLayout::Reference: return load_reference_layout(spec, options);
        case DatasetLayout::MMRec: return load_mmrec_layout(spec, options);
        case DatasetLayout::Generic: return load_generic_layout(spec, options);
    }
    throw StateError("unreachable dataset layout");
}

}  // namespace milk
