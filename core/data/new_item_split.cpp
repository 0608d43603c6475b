// The paper's new-item split (section 5.1.1) for layouts that do not carry one.
#include "core/data/loaders.h"
#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace milk {

namespace {
// Unbiased draw in [0, n) by rejection: identical on every platform, unlike std distributions.
std::uint64_t draw_below(std::mt19937_64& rng, std::uint64_t n) {
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
    for (;;) {
        std::uint64_t x = rng();
        if (x < limit) return x % n;
    }
}
}  // namespace

void apply_new_item_split(Dataset& ds, const std::vector<std::pair<std::int32_t, std::int32_t>>& pairs,
                          double fraction, std::uint64_t seed) {
    const std::string& src = ds.source;
    if (!(fraction > 0.0 && fraction < 1.0))
        throw ConfigError(describe(src, "new_item_fraction", "a fraction in (0, 1)", std::to_string(fraction)));
    const int n_new = static_cast<int>(std::lround(fraction * ds.n_items));
    if (n_new < 2)
        throw DataError(describe(src, "new-item split",
                                 "at least 2 new items (one validation, one test) from " + std::to_string(ds.n_items) +
                                     " items at fraction " + std::to_string(fraction),
                                 std::to_string(n_new)));
    if (n_new >= ds.n_items)
        throw DataError(describe(src, "new-item split", "some warm items left for training",
                                 std::to_string(n_new) + " of " + std::to_string(ds.n_items) + " items new"));
    std::vector<std::int32_t> order(ds.n_items);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    // Partial Fisher-Yates: the first n_new positions are a uniform random sample.
    for (int k = 0; k < n_new; ++k) {
        auto j = k + static_cast<int>(draw_below(rng, static_cast<std::uint64_t>(ds.n_items - k)));
        std::swap(order[k], order[j]);
    }
    ds.roles.assign(ds.n_items, ItemRole::Warm);
    const int n_val = n_new / 2;
    for (int k = 0; k < n_new; ++k) ds.roles[order[k]] = k < n_val ? ItemRole::ValidationNew : ItemRole::TestNew;

    std::vector<std::pair<std::int32_t, std::int32_t>> parts[3];
    for (const auto& p : pairs) {
        if (p.second < 0 || p.second >= ds.n_items)
            throw DataError(describe(src, "interaction of user " + std::to_string(p.first),
                                     "an item id below " + std::to_string(ds.n_items), std::to_string(p.second)));
        parts[static_cast<int>(ds.roles[p.second])].push_back(p);
    }
    ds.train = Interactions::from_pairs(ds.n_users, std::move(parts[0]));
    ds.validation = Interactions::from_pairs(ds.n_users, std::move(parts[1]));
    ds.test = Interactions::from_pairs(ds.n_users, std::move(parts[2]));
}

}  // namespace milk
