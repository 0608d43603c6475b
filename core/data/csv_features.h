#pragma once
// Feature tables as text: one row per item, numbers only, an optional header line.
#include "core/data/dataset.h"

#include <string>

namespace milk {

// ParseError naming file, line and column for a non-number or a row of the wrong width.
FeatureMatrix read_csv_features(const std::string& path, char delimiter, bool has_header);

}  // namespace milk
