#pragma once
// Fills what a scenario removed, so that every model sees full feature rows.
// mean: per modality, the mean over warm items that have it (the paper's default);
// zero; map: ridge regression from the present modalities fitted on warm items
// that have all of them (paper Table 3, "Map").
#include "core/data/dataset.h"
#include "core/scenario/scenario.h"

#include <cstdint>
#include <string>
#include <vector>

namespace milk {

enum class ImputerKind { Mean, Zero, Map };
std::string to_string(ImputerKind kind);
ImputerKind parse_imputer(const std::string& text);  // throws ConfigError

struct ImputeOptions {
    ImputerKind kind = ImputerKind::Mean;
    bool l2_normalize = true;   // every row after filling, as the public code does
    double ridge_lambda = 1.0;  // for Map
    // Map fits on at most this many warm complete items (a sample drawn with `seed`;
    // 0 = all of them). The fit costs O(min(n, d)^2 max(n, d)) for d input dimensions,
    // so the cap keeps a 4096-d image map at a few seconds instead of a minute.
    int map_max_fit_items = 2048;
    std::uint64_t seed = 2024;
};

// Per modality n_items x d_m, with unavailable rows filled.
std::vector<FeatureMatrix> impute(const Dataset& ds, const AvailabilityMask& mask, const ImputeOptions& options);

}  // namespace milk
