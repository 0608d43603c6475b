#pragma once
// Where datasets come from: `--dataset PATH` (a folder in any supported layout, detected)
// or `--dataset preset:NAME` (a built-in synthetic preset). Same names everywhere.
#include "core/data/dataset.h"

#include <atomic>
#include <functional>
#include <string>

namespace milk {

enum class DatasetLayout { Reference, MMRec, Generic };
const char* to_string(DatasetLayout layout);

struct LoadOptions {
    std::uint64_t split_seed = 2024;   // MMRec/generic: which 20% of items become new
    double new_item_fraction = 0.2;    // paper 5.1.1
    // Progress in [0,1] with a short message; may be called from the loading thread.
    std::function<void(double, const std::string&)> progress;
    const std::atomic<bool>* cancel = nullptr;  // checked between files; throws Cancelled
};

// Detects the layout of a folder; throws DataError naming what was looked for.
DatasetLayout detect_layout(const std::string& folder);
// "preset:demo" | "preset:baby-like" | "preset:tiktok-like" | folder path.
Dataset load_dataset(const std::string& spec, const LoadOptions& options = {});
std::vector<std::string> preset_names();

}  // namespace milk
