#include "core/train/bpr_sampler.h"

#include "core/error.h"

#include <algorithm>

namespace milk {

BprSampler::BprSampler(const Dataset& ds, bool from_all_items) : ds_(ds) {
    for (int j = 0; j < ds.n_items; ++j)
        if (from_all_items || ds.roles[j] == ItemRole::Warm) pool_.push_back(j);
    if (pool_.empty())
        throw DataError(describe(ds.source, "items", "at least one warm item to sample negatives from", "none"));
    pick_ = std::uniform_int_distribution<std::size_t>(0, pool_.size() - 1);
}

std::int32_t BprSampler::negative(int user, Rng& rng) const {
    const auto seen = ds_.train.of(user);
    if (seen.size() >= pool_.size()) {
        // Cheap exact check before rejection sampling could spin forever.
        bool any = false;
        for (std::int32_t j : pool_)
            if (!std::binary_search(seen.begin(), seen.end(), j)) {
                any = true;
                break;
            }
        if (!any)
            throw DataError(describe(ds_.source, "user " + std::to_string(user),
                                     "a negative item outside the user's training items",
                                     "every candidate item already interacted with"));
    }
    for (;;) {
        const std::int32_t j = pool_[pick_(rng)];
        if (!std::binary_search(seen.begin(), seen.end(), j)) return j;
    }
}

}  // namespace milk
