#pragma once
// The in-memory dataset every loader produces and every model consumes:
// users, items, train/validation/test interactions (CSR per user), each item's role,
// and one float32 feature table per modality with its natural presence mask.
#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace milk {

using FeatureMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class ItemRole : std::uint8_t { Warm = 0, ValidationNew = 1, TestNew = 2 };
const char* to_string(ItemRole role);

// Compressed sparse rows: the items of user u are items[offsets[u] .. offsets[u+1]).
struct Interactions {
    std::vector<std::int64_t> offsets{0};
    std::vector<std::int32_t> items;

    int n_users() const { return static_cast<int>(offsets.size()) - 1; }
    std::int64_t size() const { return static_cast<std::int64_t>(items.size()); }
    std::span<const std::int32_t> of(int user) const {
        return {items.data() + offsets[user], static_cast<std::size_t>(offsets[user + 1] - offsets[user])};
    }
    int n_users_with_items() const;
    int n_distinct_items() const;
    // Build from (user, item) pairs; duplicates are kept once, each user's items sorted.
    static Interactions from_pairs(int n_users, std::vector<std::pair<std::int32_t, std::int32_t>> pairs);
};

struct ModalityTable {
    std::string name;            // "image", "text", "audio", ...
    FeatureMatrix features;      // n_items x dim, row-major float32
    std::vector<std::uint8_t> present;  // n_items; 1 = the item has this modality (natural missingness)

    int dim() const { return static_cast<int>(features.cols()); }
    double missing_rate() const;
};

struct Dataset {
    std::string name;    // e.g. "baby", "preset:demo"
    std::string source;  // folder or preset it came from
    int n_users = 0;
    int n_items = 0;
    Interactions train, validation, test;
    std::vector<ItemRole> roles;            // n_items
    std::vector<ModalityTable> modalities;  // M >= 1

    int n_modalities() const { return static_cast<int>(modalities.size()); }
    std::vector<std::int32_t> items_with_role(ItemRole role) const;
    std::vector<std::int32_t> new_items() const;  // validation-new and test-new, ascending
    // A stable hash of sizes, interactions, roles and features: identifies the data a run used.
    std::string fingerprint() const;
    // Throws DataError when sizes disagree, ids are out of range, features are not finite,
    // a new item appears in training, or a split is empty.
    void validate() const;
};

}  // namespace milk
