#pragma once
// BPR negatives: uniform over warm items outside the user's training items (new items
// never take part in training), or over all items as the public code does (`reference`).
#include "core/data/dataset.h"
#include "core/models/model.h"

#include <random>
#include <vector>

namespace milk {

class BprSampler {
public:
    BprSampler(const Dataset& ds, bool from_all_items);
    // Rejection sampling against the user's sorted training items; DataError when the
    // user has interacted with every candidate.
    std::int32_t negative(int user, Rng& rng) const;
    std::size_t pool_size() const { return pool_.size(); }

private:
    const Dataset& ds_;
    std::vector<std::int32_t> pool_;
    mutable std::uniform_int_distribution<std::size_t> pick_;
};

}  // namespace milk
