#pragma once
// A hand-built dataset small enough for finite differences: users, items, three
// modalities of different widths, a few new items, random features from a seed.
#include "core/data/dataset.h"

#include <random>

namespace milk::test {

inline Dataset tiny_dataset(int n_users = 6, int n_items = 10, std::vector<int> dims = {5, 4, 3}, std::uint64_t seed = 7) {
    Dataset ds;
    ds.name = "tiny";
    ds.source = "test";
    ds.n_users = n_users;
    ds.n_items = n_items;
    ds.roles.assign(n_items, ItemRole::Warm);
    ds.roles[n_items - 1] = ItemRole::TestNew;
    ds.roles[n_items - 2] = ItemRole::ValidationNew;
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0, 1);
    std::vector<std::pair<std::int32_t, std::int32_t>> train, val, test;
    for (int u = 0; u < n_users; ++u) {
        for (int j = 0; j < n_items - 2; ++j)
            if ((u + j) % 3 == 0) train.emplace_back(u, j);
        val.emplace_back(u, n_items - 2);
        if (u % 2 == 0) test.emplace_back(u, n_items - 1);
    }
    ds.train = Interactions::from_pairs(n_users, train);
    ds.validation = Interactions::from_pairs(n_users, val);
    ds.test = Interactions::from_pairs(n_users, test);
    const char* names[] = {"image", "text", "audio", "m3", "m4"};
    for (std::size_t m = 0; m < dims.size(); ++m) {
        ModalityTable t;
        t.name = names[m];
        t.features.resize(n_items, dims[m]);
        for (Eigen::Index i = 0; i < t.features.size(); ++i) t.features.data()[i] = normal(rng);
        t.present.assign(n_items, 1);
        ds.modalities.push_back(std::move(t));
    }
    return ds;
}

}  // namespace milk::test
