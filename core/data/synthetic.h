#pragma once
// Synthetic datasets with a planted structure, so content really predicts preference and
// a missing modality really hurts: latent item topics, per-modality random projections
// with modality-specific noise, some information carried by one modality only, user
// topic preferences, popularity skew; everything from one seed.
#include "core/data/dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace milk {

struct SyntheticSpec {
    std::string name = "demo";
    int n_users = 1000;
    int n_items = 600;
    double interactions_per_user = 10;   // mean; actual counts vary per user
    std::vector<std::string> modality_names{"image", "text"};
    std::vector<int> modality_dims{128, 64};
    int n_topics = 16;
    int shared_latent_dim = 16;          // information every modality sees
    int private_latent_dim = 8;          // per modality: information only it carries
    double noise = 0.5;                  // modality-specific noise scale
    // Per-modality multiplier of `noise` (same length as modality_names, or empty for 1.0
    // each): the modalities differ in how informative they are.
    std::vector<double> modality_noise{1.0, 1.3};
    double popularity_skew = 0.8;        // Zipf-like exponent of item popularity
    double new_item_fraction = 0.2;      // paper 5.1.1: half validation, half test
    double temperature = 0.7;            // softmax(preference . latent / temperature)
    int min_interactions_per_user = 2;   // lognormal counts around the mean, at least this
    // Fraction of rows blanked per modality (mask 0, row zeros); an item never loses
    // every modality (one blanked modality is restored at random).
    double natural_missing_rate = 0.0;
    std::uint64_t seed = 2024;
};

// "demo", "baby-like", "tiktok-like"; throws ConfigError for an unknown name.
SyntheticSpec synthetic_preset(const std::string& name);
std::vector<std::string> synthetic_preset_names();
// Throws ConfigError naming the field when a value is out of range.
void validate_spec(const SyntheticSpec& spec);
// Named spec.name, source "preset:" + spec.name; deterministic in spec (same spec, same bytes).
Dataset generate_synthetic(const SyntheticSpec& spec);

}  // namespace milk
