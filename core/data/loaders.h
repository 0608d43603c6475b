#pragma once
// The three on-disk layouts load_dataset() understands, and the writer of the reference
// layout (the folder format of the public MILK code), usable by `milk convert`.
//
// Modalities are ordered image, text, audio, then any others alphabetically; that order is
// also the column order of modality_mask.npy and of any availability mask.
#include "core/data/dataset.h"
#include "core/data/dataset_source.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace milk {

// Reference layout: train.txt, val.txt, test.txt ("user item item ..."), cold_item_index.npy,
// <name>_feat.npy per modality, optional modality_mask.npy (uint8 n_items x M, 1 = present).
// Cold items found in val.txt are validation-new, in test.txt test-new; cold items in
// neither alternate validation-new / test-new in ascending id order.
Dataset load_reference_layout(const std::string& folder, const LoadOptions& options = {});
// MMRec layout: <name>.inter (TSV with userID and itemID columns) + <name>_feat.npy files.
Dataset load_mmrec_layout(const std::string& folder, const LoadOptions& options = {});
// Generic layout: dataset.json manifest naming a CSV of interactions and .npy/.csv features.
Dataset load_generic_layout(const std::string& folder, const LoadOptions& options = {});

// The paper's new-item split (5.1.1): round(fraction * n_items) items drawn with a
// mt19937_64(seed) become new, the first half (floor) of the draw validation-new, the rest
// test-new; validation/test interactions are exactly those of the new items; warm items'
// interactions all go to train. Fills ds.roles, ds.train, ds.validation, ds.test.
void apply_new_item_split(Dataset& ds, const std::vector<std::pair<std::int32_t, std::int32_t>>& pairs,
                          double fraction, std::uint64_t seed);

// image, text, audio first (in that order), then the rest alphabetically.
std::vector<std::string> order_modality_names(std::vector<std::string> names);

// What a scenario turns the dataset into, for the public code's *_missing_* files.
struct MissingVariants {
    std::vector<std::uint8_t> mask;      // n_items x M row-major, 1 = available
    std::vector<FeatureMatrix> imputed;  // per modality n_items x d_m, unavailable rows filled
};

// Writes train/val/test.txt, cold_item_index.npy, <name>_feat.npy, modality_mask.npy (only
// when some modality is naturally missing) and, given variants, <name>_feat_missing_test.npy
// (new items' unavailable rows filled), _missing_train.npy (warm items'), _missing_all.npy (both;
// naturally absent rows are filled in all three),
// warm_missing_item_index.npy and cold_missing_item_index.npy. Everything is written into a
// temporary sibling folder that is renamed onto `folder` at the end; `folder` must not exist
// or be empty. Users without items in a split get no line (the public code cannot read them).
void write_reference_layout(const Dataset& ds, const std::string& folder, const MissingVariants* variants = nullptr);

}  // namespace milk
