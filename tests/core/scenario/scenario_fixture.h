#pragma once
// Datasets built by hand for the scenario and imputer tests (no loaders involved).
#include "core/data/dataset.h"

#include <random>
#include <string>
#include <vector>

namespace milk::test {

// Items interleaved so that roles are not contiguous: the first n_warm warm, then
// validation, then test, shuffled by a fixed permutation. Features are N(0,1) noise.
inline Dataset make_dataset(int n_warm, int n_validation, int n_test, const std::vector<int>& dims,
                            std::uint64_t seed = 1) {
    Dataset ds;
    ds.name = "hand";
    ds.source = "hand-built";
    ds.n_items = n_warm + n_validation + n_test;
    ds.n_users = 1;
    ds.roles.reserve(static_cast<std::size_t>(ds.n_items));
    for (int i = 0; i < n_warm; ++i) ds.roles.push_back(ItemRole::Warm);
    for (int i = 0; i < n_validation; ++i) ds.roles.push_back(ItemRole::ValidationNew);
    for (int i = 0; i < n_test; ++i) ds.roles.push_back(ItemRole::TestNew);
    std::mt19937_64 rng(seed);
    for (std::size_t i = ds.roles.size(); i > 1; --i) std::swap(ds.roles[i - 1], ds.roles[rng() % i]);
    const char* names[] = {"image", "text", "audio", "extra"};
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (std::size_t m = 0; m < dims.size(); ++m) {
        ModalityTable t;
        t.name = m < 4 ? names[m] : "m" + std::to_string(m);
        t.features.resize(ds.n_items, dims[m]);
        for (Eigen::Index r = 0; r < t.features.rows(); ++r)
            for (Eigen::Index c = 0; c < t.features.cols(); ++c) t.features(r, c) = normal(rng);
        t.present.assign(static_cast<std::size_t>(ds.n_items), 1);
        ds.modalities.push_back(std::move(t));
    }
    return ds;
}

inline std::vector<int> items_of(const Dataset& ds, ItemRole role) {
    std::vector<int> out;
    for (int i = 0; i < ds.n_items; ++i)
        if (ds.roles[i] == role) out.push_back(i);
    return out;
}

}  // namespace milk::test
