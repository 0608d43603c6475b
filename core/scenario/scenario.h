#pragma once
// Missing-modality scenarios (paper section 5.1.1): which modalities of which items
// are available. Warm items' rows of the mask are what training sees; new items' rows
// are what evaluation sees. Always honours the dataset's natural presence mask and
// never removes every modality of an item.
#include "core/data/dataset.h"

#include <nlohmann/json_fwd.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace milk {

// A(items x modalities), 1 = available (paper section 3.2).
struct AvailabilityMask {
    int n_items = 0;
    int n_modalities = 0;
    std::vector<std::uint8_t> a;  // row-major n_items x n_modalities

    bool at(int item, int m) const { return a[static_cast<std::size_t>(item) * n_modalities + m] != 0; }
    int missing_count(int item) const;
    // The natural mask; a modality with an empty `present` vector counts as present
    // for every item. Throws DataError when a `present` vector has the wrong size.
    static AvailabilityMask from_dataset(const Dataset& ds);
};

enum class ScenarioKind { FTFT, FTMT, MTMT, Mixed, Custom };

// Per split ("train" = warm items, "new" = validation+test items, or "validation"/"test"
// separately): fraction of items that lose exactly k modalities, for k = 1..M-1.
struct MissingRates {
    std::vector<double> fraction_missing_k;  // index k-1
};

struct ScenarioSpec {
    ScenarioKind kind = ScenarioKind::FTFT;
    std::uint64_t seed = 2024;
    MissingRates warm;        // used by MTMT / Custom
    MissingRates validation;  // new items of the validation split
    MissingRates test;        // new items of the test split
    std::vector<int> removable_modalities;  // empty = all may be removed
    // Same, by modality name (from a JSON file, resolved against the dataset by
    // apply_scenario); used only when removable_modalities is empty.
    std::vector<std::string> removable_modality_names;

    std::string name() const;  // "ftft", "ftmt", "mtmt", "mixed", "custom"
    // "ftft" | "ftmt" | "mtmt" | "mixed" | path to a JSON file. Throws ConfigError.
    static ScenarioSpec parse(const std::string& text, std::uint64_t seed);
    static ScenarioSpec preset(ScenarioKind kind, std::uint64_t seed);
    nlohmann::json to_json() const;
    static ScenarioSpec from_json(const nlohmann::json& j, const std::string& source);
    // Rates within [0,1] per k and summing to at most 1 per split. Throws ConfigError.
    void validate(const std::string& source) const;
};

// Throws ConfigError when the spec asks more than an item can lose (e.g. MIXED with M < 3).
// Per split, exactly round(f_k * n_split) items end up missing exactly k modalities in
// total, naturally missing ones included: items whose natural mask already misses k
// join group k first; the rest are picked by a seeded shuffle among items missing fewer
// and lose uniformly chosen present removable modalities. Items not picked keep their
// natural mask, so a group can exceed its count only when the natural mask alone
// puts more items in it than asked (or items miss more than any k asked). Each split draws from its own stream derived from spec.seed, so the new items'
// mask does not depend on the warm rates (MTMT's new-item mask equals FTMT's).
AvailabilityMask apply_scenario(const Dataset& ds, const ScenarioSpec& spec);

// Evaluation groups follow from the mask: group k = items missing exactly k modalities.
struct ItemGroups {
    std::vector<int> missing_k;  // per item, number of unavailable modalities
    int max_k = 0;
    // The candidates missing exactly k modalities; k = -1 ("overall") keeps them all.
    std::vector<std::int32_t> items_in(const std::vector<std::int32_t>& candidates, int k) const;
    static ItemGroups from_mask(const AvailabilityMask& mask);
};
// -1 -> "overall" (all items, which eval reports beside the groups), 0 -> "complete",
// k -> "missing_k".
std::string group_name(int k);

// Per split and group counts, as `milk info --scenario` prints them.
struct ScenarioSummary {
    struct Row { std::string split; std::vector<int> count_missing_k; std::vector<int> missing_per_modality; };
    std::vector<Row> rows;  // "warm", "validation", "test"
};
// count_missing_k has M+1 entries (k = 0..M), missing_per_modality M entries.
ScenarioSummary summarize(const Dataset& ds, const AvailabilityMask& mask);
// The summary as a plain-text table (one row per split).
std::string format_summary(const ScenarioSummary& summary, const Dataset& ds);

}  // namespace milk
