#pragma once
// Fills what a scenario removed, so that every model sees full feature rows.
// mean: per modality, the mean over warm items that have it (the paper's default);
// zero; map: ridge regression from the present modalities fitted on warm items
// that have all of them (paper Table 3, "Map").
#include "core/data/dataset.h"
#include "core/scenario/scenario.h"

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
};

// Per modality n_items x d_m, with unavailable rows filled.
std::vector<FeatureMatrix> impute(const Dataset& ds, const AvailabilityMask& mask, const ImputeOptions& options);

}  // namespace milk
