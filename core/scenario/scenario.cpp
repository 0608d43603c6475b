// Missing-modality scenarios (paper sections 3.2 and 5.1.1, 5.3.1): the mask A of
// available modalities per item, built from the natural mask plus seeded removals.
#include "core/scenario/scenario.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>

namespace milk {

namespace {

// splitmix64: a well-mixed 64-bit value from a counter, used to derive independent streams.
std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// One stream per split: changing the warm rates leaves the new items' draws untouched.
enum class Stream : std::uint64_t { Warm = 1, Validation = 2, Test = 3 };

std::mt19937_64 stream_rng(std::uint64_t seed, Stream stream) {
    return std::mt19937_64(splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(stream))));
}

// Uniform integer in [0, bound) by rejection, so the result is identical on every platform.
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                                std::numeric_limits<std::uint64_t>::max() % bound;
    std::uint64_t r;
    do r = rng(); while (r >= limit);
    return r % bound;
}

template <typename T>
void shuffle(std::vector<T>& v, std::mt19937_64& rng) {
    for (std::size_t i = v.size(); i > 1; --i) {
        const std::size_t j = static_cast<std::size_t>(uniform_below(rng, i));
        std::swap(v[i - 1], v[j]);
    }
}

std::string fmt(double x) {
    std::ostringstream os;
    os << x;
    return os.str();
}

const char* kind_name(ScenarioKind kind) {
    switch (kind) {
        case ScenarioKind::FTFT: return "ftft";
        case ScenarioKind::FTMT: return "ftmt";
        case ScenarioKind::MTMT: return "mtmt";
        case ScenarioKind::Mixed: return "mixed";
        case ScenarioKind::Custom: return "custom";
    }
    return "custom";
}

bool kind_from_name(const std::string& name, ScenarioKind& kind) {
    for (ScenarioKind k : {ScenarioKind::FTFT, ScenarioKind::FTMT, ScenarioKind::MTMT, ScenarioKind::Mixed,
                           ScenarioKind::Custom}) {
        if (name == kind_name(k)) {
            kind = k;
            return true;
        }
    }
    return false;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

void check_rates(const MissingRates& rates, const std::string& source, const std::string& split) {
    double sum = 0.0;
    for (std::size_t i = 0; i < rates.fraction_missing_k.size(); ++i) {
        const double f = rates.fraction_missing_k[i];
        if (!std::isfinite(f) || f < 0.0 || f > 1.0)
            throw ConfigError(describe(source, split + ".missing[" + std::to_string(i) + "]",
                                       "a fraction in [0, 1]", fmt(f)));
        sum += f;
    }
    if (sum > 1.0 + 1e-9)
        throw ConfigError(describe(source, split + ".missing",
                                   "fractions summing to at most 1", "a sum of " + fmt(sum)));
}

nlohmann::json rates_to_json(const MissingRates& rates) {
    return nlohmann::json{{"missing", rates.fraction_missing_k}};
}

MissingRates rates_from_json(const nlohmann::json& j, const std::string& source, const std::string& split) {
    if (!j.is_object())
        throw ConfigError(describe(source, split, "an object like {\"missing\": [0.5]}", j.dump()));
    MissingRates rates;
    for (const auto& [key, value] : j.items()) {
        if (key != "missing")
            throw ConfigError(describe(source, split + "." + key, "only the key \"missing\"",
                                       "unknown key \"" + key + "\""));
        if (!value.is_array())
            throw ConfigError(describe(source, split + ".missing",
                                       "an array of fractions, index k-1 = fraction missing k modalities",
                                       value.dump()));
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (!value[i].is_number())
                throw ConfigError(describe(source, split + ".missing[" + std::to_string(i) + "]",
                                           "a number", value[i].dump()));
            rates.fraction_missing_k.push_back(value[i].get<double>());
        }
    }
    return rates;
}

// The split's role and its stream.
struct SplitPlan {
    const char* name;
    ItemRole role;
    Stream stream;
    const MissingRates* rates;
};

}  // namespace

// ---------------------------------------------------------------------------------------
// AvailabilityMask

int AvailabilityMask::missing_count(int item) const {
    int missing = 0;
    const std::size_t row = static_cast<std::size_t>(item) * n_modalities;
    for (int m = 0; m < n_modalities; ++m) missing += a[row + m] == 0 ? 1 : 0;
    return missing;
}

AvailabilityMask AvailabilityMask::from_dataset(const Dataset& ds) {
    AvailabilityMask mask;
    mask.n_items = ds.n_items;
    mask.n_modalities = ds.n_modalities();
    mask.a.assign(static_cast<std::size_t>(mask.n_items) * mask.n_modalities, 1);
    for (int m = 0; m < mask.n_modalities; ++m) {
        const auto& present = ds.modalities[m].present;
        if (present.empty()) continue;
        if (static_cast<int>(present.size()) != ds.n_items)
            throw DataError(describe(ds.source, "modality " + ds.modalities[m].name + " presence mask",
                                     std::to_string(ds.n_items) + " entries (one per item)",
                                     std::to_string(present.size())));
        for (int i = 0; i < ds.n_items; ++i)
            mask.a[static_cast<std::size_t>(i) * mask.n_modalities + m] = present[i] != 0 ? 1 : 0;
    }
    return mask;
}

// ---------------------------------------------------------------------------------------
// ScenarioSpec

std::string ScenarioSpec::name() const { return kind_name(kind); }

ScenarioSpec ScenarioSpec::preset(ScenarioKind kind, std::uint64_t seed) {
    ScenarioSpec spec;
    spec.kind = kind;
    spec.seed = seed;
    switch (kind) {
        case ScenarioKind::FTFT:
        case ScenarioKind::Custom:
            break;
        case ScenarioKind::FTMT:  // 50% of new items miss one random modality (section 5.1.1)
            spec.validation.fraction_missing_k = {0.5};
            spec.test.fraction_missing_k = {0.5};
            break;
        case ScenarioKind::MTMT:  // FTMT plus 30% of warm items missing one (section 5.1.1)
            spec.warm.fraction_missing_k = {0.3};
            spec.validation.fraction_missing_k = {0.5};
            spec.test.fraction_missing_k = {0.5};
            break;
        case ScenarioKind::Mixed:
            // Section 5.3.1: full training and validation sets; in the test set 10% complete,
            // 45% missing one modality, 45% missing two.
            spec.test.fraction_missing_k = {0.45, 0.45};
            break;
    }
    return spec;
}

void ScenarioSpec::validate(const std::string& source) const {
    check_rates(warm, source, "warm");
    check_rates(validation, source, "validation");
    check_rates(test, source, "test");
    for (int m : removable_modalities)
        if (m < 0)
            throw ConfigError(describe(source, "removable_modalities", "modality indices >= 0", std::to_string(m)));
}

nlohmann::json ScenarioSpec::to_json() const {
    nlohmann::json j;
    j["kind"] = name();
    j["seed"] = seed;
    j["warm"] = rates_to_json(warm);
    j["validation"] = rates_to_json(validation);
    j["test"] = rates_to_json(test);
    if (!removable_modalities.empty())
        j["removable_modalities"] = removable_modalities;
    else if (!removable_modality_names.empty())
        j["removable_modalities"] = removable_modality_names;
    else
        j["removable_modalities"] = nlohmann::json::array();
    return j;
}

// Schema (every key optional):
//   {"kind": "custom" | "ftft" | "ftmt" | "mtmt" | "mixed",   default "custom"
//    "seed": unsigned integer,                                 default: the caller's seed
//    "warm": {"missing": [f1, f2, ...]},   f_k = fraction of the split missing exactly k
//    "validation": {...}, "test": {...},
//    "new": {...},                          shorthand for validation and test alike
//    "removable_modalities": [names] or [indices]}             default: all removable
// A preset kind starts from the preset's rates; keys given override them.
ScenarioSpec ScenarioSpec::from_json(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object()) throw ConfigError(describe(source, "", "a JSON object", j.dump()));
    ScenarioSpec spec;
    spec.kind = ScenarioKind::Custom;
    if (j.contains("kind")) {
        const auto& k = j["kind"];
        ScenarioKind kind{};
        if (!k.is_string() || !kind_from_name(lower(k.get<std::string>()), kind))
            throw ConfigError(describe(source, "kind", "one of custom, ftft, ftmt, mtmt, mixed", k.dump()));
        spec = preset(kind, spec.seed);
    }
    bool has_new = false, has_split = false;
    for (const auto& [key, value] : j.items()) {
        if (key == "kind") continue;
        if (key == "seed") {
            if (!value.is_number_unsigned())
                throw ConfigError(describe(source, "seed", "an unsigned integer", value.dump()));
            spec.seed = value.get<std::uint64_t>();
        } else if (key == "warm") {
            spec.warm = rates_from_json(value, source, key);
        } else if (key == "validation") {
            spec.validation = rates_from_json(value, source, key);
            has_split = true;
        } else if (key == "test") {
            spec.test = rates_from_json(value, source, key);
            has_split = true;
        } else if (key == "new") {
            spec.validation = spec.test = rates_from_json(value, source, key);
            has_new = true;
        } else if (key == "removable_modalities") {
            if (!value.is_array())
                throw ConfigError(describe(source, key, "an array of modality names or indices", value.dump()));
            spec.removable_modalities.clear();
            spec.removable_modality_names.clear();
            for (const auto& v : value) {
                if (v.is_number_integer() && v.get<long long>() >= 0)
                    spec.removable_modalities.push_back(v.get<int>());
                else if (v.is_string())
                    spec.removable_modality_names.push_back(v.get<std::string>());
                else
                    throw ConfigError(describe(source, key, "modality names or indices >= 0", v.dump()));
            }
            if (!spec.removable_modalities.empty() && !spec.removable_modality_names.empty())
                throw ConfigError(describe(source, key, "either names or indices", "both"));
        } else {
            throw ConfigError(describe(source, key,
                                       "one of kind, seed, warm, validation, test, new, removable_modalities",
                                       "unknown key \"" + key + "\""));
        }
    }
    if (has_new && has_split)
        throw ConfigError(describe(source, "new", "either \"new\" or \"validation\"/\"test\"", "both"));
    spec.validate(source);
    return spec;
}

ScenarioSpec ScenarioSpec::parse(const std::string& text, std::uint64_t seed) {
    ScenarioKind kind{};
    const std::string l = lower(text);
    if (l != "custom" && kind_from_name(l, kind)) return preset(kind, seed);
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(text), ec))
        throw ConfigError(describe("scenario", "", "ftft, ftmt, mtmt, mixed or the path of a JSON file",
                                   "\"" + text + "\""));
    std::ifstream in(text, std::ios::binary);
    if (!in) throw IoError(describe(text, "", "a readable file", "it cannot be opened"));
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw ParseError(describe(text, "byte " + std::to_string(e.byte), "valid JSON", e.what()));
    }
    // The caller's seed is the default; a seed written in the file wins.
    if (j.is_object() && !j.contains("seed")) j["seed"] = seed;
    return from_json(j, text);
}

// ---------------------------------------------------------------------------------------
// apply_scenario

AvailabilityMask apply_scenario(const Dataset& ds, const ScenarioSpec& spec) {
    const std::string source = "scenario " + spec.name();
    spec.validate(source);
    const int M = ds.n_modalities();
    if (static_cast<int>(ds.roles.size()) != ds.n_items)
        throw DataError(describe(ds.source, "item roles", std::to_string(ds.n_items) + " entries",
                                 std::to_string(ds.roles.size())));
    AvailabilityMask mask = AvailabilityMask::from_dataset(ds);

    // Removable modalities.
    std::vector<std::uint8_t> removable(static_cast<std::size_t>(M), 1);
    if (!spec.removable_modalities.empty() || !spec.removable_modality_names.empty()) {
        std::fill(removable.begin(), removable.end(), 0);
        for (int m : spec.removable_modalities) {
            if (m < 0 || m >= M)
                throw ConfigError(describe(source, "removable_modalities",
                                           "indices below " + std::to_string(M) + " (the dataset's modalities)",
                                           std::to_string(m)));
            removable[m] = 1;
        }
        for (const auto& name : spec.removable_modality_names) {
            int found = -1;
            std::string known;
            for (int m = 0; m < M; ++m) {
                if (ds.modalities[m].name == name) found = m;
                known += (m ? ", " : "") + ds.modalities[m].name;
            }
            if (found < 0)
                throw ConfigError(describe(source, "removable_modalities", "one of " + known,
                                           "\"" + name + "\""));
            removable[found] = 1;
        }
    }
    const int n_removable = static_cast<int>(std::count(removable.begin(), removable.end(), 1));

    const SplitPlan plans[] = {{"warm", ItemRole::Warm, Stream::Warm, &spec.warm},
                               {"validation", ItemRole::ValidationNew, Stream::Validation, &spec.validation},
                               {"test", ItemRole::TestNew, Stream::Test, &spec.test}};

    // What the spec asks must be possible for the dataset at all.
    for (const auto& plan : plans) {
        const auto& f = plan.rates->fraction_missing_k;
        for (std::size_t i = 0; i < f.size(); ++i) {
            if (f[i] <= 0.0) continue;
            const int k = static_cast<int>(i) + 1;
            if (k >= M) {
                if (spec.kind == ScenarioKind::Mixed)
                    throw ConfigError(describe(source, "",
                                               "a dataset with at least 3 modalities (test items miss up to 2 "
                                               "and keep one)",
                                               std::to_string(M) + " modalities"));
                throw ConfigError("scenario asks items to miss " + std::to_string(k) +
                                  " modalities but the dataset has " + std::to_string(M) + " (" + source +
                                  ", split " + plan.name + ")");
            }
            if (k > n_removable)
                throw ConfigError("scenario asks items to miss " + std::to_string(k) + " modalities but only " +
                                  std::to_string(n_removable) + " of the dataset's " + std::to_string(M) +
                                  " may be removed (" + source + ", split " + plan.name + ")");
        }
    }

    std::vector<int> natural_missing(static_cast<std::size_t>(ds.n_items));
    for (int i = 0; i < ds.n_items; ++i) natural_missing[i] = mask.missing_count(i);

    for (const auto& plan : plans) {
        const auto& f = plan.rates->fraction_missing_k;
        std::vector<std::int32_t> items;
        for (int i = 0; i < ds.n_items; ++i)
            if (ds.roles[i] == plan.role) items.push_back(i);
        const long n = static_cast<long>(items.size());
        std::vector<long> count(f.size());
        long total = 0;
        for (std::size_t i = 0; i < f.size(); ++i) total += count[i] = std::lround(f[i] * static_cast<double>(n));
        if (total > n)
            throw ConfigError(describe(source, std::string(plan.name) + ".missing",
                                       "rounded counts fitting the split's " + std::to_string(n) + " items",
                                       std::to_string(total) + " items after rounding"));
        if (total == 0) continue;

        std::mt19937_64 rng = stream_rng(spec.seed, plan.stream);
        shuffle(items, rng);
        std::vector<std::uint8_t> taken(items.size(), 0);
        std::vector<int> candidates;
        // Largest k first. An item naturally missing exactly k modalities can only join
        // group k once the larger groups are full, so such items fill group k first; the
        // rest of the group is drawn from the shuffled items missing fewer, by removal.
        for (int k = static_cast<int>(f.size()); k >= 1; --k) {
            long need = count[k - 1];
            for (std::size_t p = 0; p < items.size() && need > 0; ++p) {
                if (!taken[p] && natural_missing[items[p]] == k) {
                    taken[p] = 1;
                    --need;
                }
            }
            for (std::size_t p = 0; p < items.size() && need > 0; ++p) {
                if (taken[p]) continue;
                const int item = items[p];
                const int to_remove = k - natural_missing[item];
                if (to_remove <= 0) continue;
                candidates.clear();
                for (int m = 0; m < M; ++m)
                    if (removable[m] && mask.at(item, m)) candidates.push_back(m);
                if (static_cast<int>(candidates.size()) < to_remove) continue;
                taken[p] = 1;
                --need;
                // A uniform subset of size to_remove: partial Fisher-Yates.
                for (int r = 0; r < to_remove; ++r) {
                    const std::size_t j = r + static_cast<std::size_t>(uniform_below(rng, candidates.size() - r));
                    std::swap(candidates[r], candidates[j]);
                    mask.a[static_cast<std::size_t>(item) * M + candidates[r]] = 0;
                }
            }
            if (need > 0)
                throw ConfigError(describe(source, std::string(plan.name) + " split",
                                           std::to_string(count[k - 1]) + " items that can end up missing exactly " +
                                               std::to_string(k) + " modalities",
                                           "only " + std::to_string(count[k - 1] - need) +
                                               " eligible (natural missingness or removable modalities limit it)"));
        }
    }
    return mask;
}

// ---------------------------------------------------------------------------------------
// Groups and summary

std::vector<std::int32_t> ItemGroups::items_in(const std::vector<std::int32_t>& candidates, int k) const {
    if (k < 0) return candidates;
    std::vector<std::int32_t> out;
    for (std::int32_t item : candidates)
        if (item >= 0 && static_cast<std::size_t>(item) < missing_k.size() && missing_k[item] == k)
            out.push_back(item);
    return out;
}

ItemGroups ItemGroups::from_mask(const AvailabilityMask& mask) {
    ItemGroups g;
    g.missing_k.resize(static_cast<std::size_t>(mask.n_items));
    for (int i = 0; i < mask.n_items; ++i) {
        g.missing_k[i] = mask.missing_count(i);
        g.max_k = std::max(g.max_k, g.missing_k[i]);
    }
    return g;
}

std::string group_name(int k) {
    if (k < 0) return "overall";
    if (k == 0) return "complete";
    return "missing_" + std::to_string(k);
}

ScenarioSummary summarize(const Dataset& ds, const AvailabilityMask& mask) {
    const int M = mask.n_modalities;
    if (mask.n_items != ds.n_items || static_cast<int>(ds.roles.size()) != ds.n_items)
        throw DataError(describe(ds.source, "availability mask", std::to_string(ds.n_items) + " items",
                                 std::to_string(mask.n_items)));
    ScenarioSummary s;
    for (const auto& [name, role] : {std::pair{"warm", ItemRole::Warm}, std::pair{"validation", ItemRole::ValidationNew},
                                     std::pair{"test", ItemRole::TestNew}}) {
        ScenarioSummary::Row row;
        row.split = name;
        row.count_missing_k.assign(static_cast<std::size_t>(M) + 1, 0);
        row.missing_per_modality.assign(static_cast<std::size_t>(M), 0);
        for (int i = 0; i < ds.n_items; ++i) {
            if (ds.roles[i] != role) continue;
            ++row.count_missing_k[mask.missing_count(i)];
            for (int m = 0; m < M; ++m)
                if (!mask.at(i, m)) ++row.missing_per_modality[m];
        }
        s.rows.push_back(std::move(row));
    }
    return s;
}

std::string format_summary(const ScenarioSummary& summary, const Dataset& ds) {
    std::ostringstream os;
    const int M = summary.rows.empty() ? 0 : static_cast<int>(summary.rows[0].missing_per_modality.size());
    os << "split       items";
    for (int k = 0; k <= M; ++k) os << "  " << group_name(k);
    for (int m = 0; m < M; ++m)
        os << "  no_" << (m < ds.n_modalities() ? ds.modalities[m].name : std::to_string(m));
    os << '\n';
    for (const auto& row : summary.rows) {
        const int n = std::accumulate(row.count_missing_k.begin(), row.count_missing_k.end(), 0);
        os << row.split << std::string(row.split.size() < 10 ? 10 - row.split.size() : 0, ' ') << "  " << n;
        for (int c : row.count_missing_k) os << "  " << c;
        for (int c : row.missing_per_modality) os << "  " << c;
        os << '\n';
    }
    return os.str();
}

}  // namespace milk
