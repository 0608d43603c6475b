#include "core/data/dataset.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

namespace milk {

const char* to_string(ItemRole role) {
    switch (role) {
        case ItemRole::Warm: return "warm";
        case ItemRole::ValidationNew: return "validation-new";
        case ItemRole::TestNew: return "test-new";
    }
    return "unknown";
}

int Interactions::n_users_with_items() const {
    int n = 0;
    for (int u = 0; u < n_users(); ++u) n += offsets[u + 1] > offsets[u] ? 1 : 0;
    return n;
}

int Interactions::n_distinct_items() const {
    if (items.empty()) return 0;
    std::int32_t hi = *std::max_element(items.begin(), items.end());
    if (hi < 0) return 0;
    std::vector<std::uint8_t> seen(static_cast<std::size_t>(hi) + 1, 0);
    int n = 0;
    for (std::int32_t i : items) {
        if (i < 0) continue;
        if (!seen[i]) { seen[i] = 1; ++n; }
    }
    return n;
}

Interactions Interactions::from_pairs(int n_users, std::vector<std::pair<std::int32_t, std::int32_t>> pairs) {
    if (n_users < 0) throw DataError(describe("interactions", "", "a non-negative user count", std::to_string(n_users)));
    for (const auto& [u, i] : pairs) {
        if (u < 0 || u >= n_users)
            throw DataError(describe("interactions", "user " + std::to_string(u),
                                     "a user id in [0, " + std::to_string(n_users) + ")", std::to_string(u)));
        if (i < 0)
            throw DataError(describe("interactions", "user " + std::to_string(u), "a non-negative item id",
                                     std::to_string(i)));
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    Interactions r;
    r.offsets.assign(static_cast<std::size_t>(n_users) + 1, 0);
    r.items.reserve(pairs.size());
    for (const auto& [u, i] : pairs) {
        ++r.offsets[static_cast<std::size_t>(u) + 1];
        r.items.push_back(i);
    }
    for (int u = 0; u < n_users; ++u) r.offsets[u + 1] += r.offsets[u];
    return r;
}

double ModalityTable::missing_rate() const {
    if (present.empty()) return 0.0;
    std::size_t have = 0;
    for (auto p : present) have += p ? 1 : 0;
    return 1.0 - static_cast<double>(have) / static_cast<double>(present.size());
}

std::vector<std::int32_t> Dataset::items_with_role(ItemRole role) const {
    std::vector<std::int32_t> out;
    for (std::size_t i = 0; i < roles.size(); ++i)
        if (roles[i] == role) out.push_back(static_cast<std::int32_t>(i));
    return out;
}

std::vector<std::int32_t> Dataset::new_items() const {
    std::vector<std::int32_t> out;
    for (std::size_t i = 0; i < roles.size(); ++i)
        if (roles[i] != ItemRole::Warm) out.push_back(static_cast<std::int32_t>(i));
    return out;
}

namespace {

// FNV-1a over 64-bit words in four interleaved lanes (so the multiply chain does not
// bound the speed on 100+ MB of features), folded together at the end.
class Fingerprinter {
public:
    void bytes(const void* data, std::size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        std::size_t i = 0;
        for (; i + 32 <= n; i += 32) {
            std::uint64_t w[4];
            std::memcpy(w, p + i, 32);
            for (int k = 0; k < 4; ++k) lane_[k] = (lane_[k] ^ w[k]) * kPrime;
        }
        for (; i < n; ++i) lane_[0] = (lane_[0] ^ p[i]) * kPrime;
        lane_[1] = (lane_[1] ^ static_cast<std::uint64_t>(n)) * kPrime;  // length separates fields
    }
    template <class T>
    void value(const T& v) { bytes(&v, sizeof v); }
    std::string hex() const {
        std::uint64_t h = kOffset;
        for (std::uint64_t l : lane_)
            for (int b = 0; b < 8; ++b) h = (h ^ ((l >> (8 * b)) & 0xff)) * kPrime;
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
        return buf;
    }

private:
    static constexpr std::uint64_t kOffset = 0xcbf29ce484222325ULL;
    static constexpr std::uint64_t kPrime = 0x100000001b3ULL;
    std::uint64_t lane_[4] = {kOffset, kOffset ^ 1, kOffset ^ 2, kOffset ^ 3};
};

void hash_interactions(Fingerprinter& f, const Interactions& x) {
    f.value(static_cast<std::uint64_t>(x.offsets.size()));
    f.bytes(x.offsets.data(), x.offsets.size() * sizeof(std::int64_t));
    f.bytes(x.items.data(), x.items.size() * sizeof(std::int32_t));
}

std::string item_str(std::int64_t i) { return std::to_string(i); }

void validate_split(const Dataset& ds, const Interactions& x, const char* split, ItemRole expected_role) {
    if (x.n_users() != ds.n_users)
        throw DataError(describe(ds.source, std::string(split) + " interactions",
                                 std::to_string(ds.n_users) + " user rows", std::to_string(x.n_users())));
    if (x.offsets.empty() || x.offsets.front() != 0 || x.offsets.back() != x.size())
        throw DataError(describe(ds.source, std::string(split) + " interactions",
                                 "offsets from 0 to " + std::to_string(x.size()), "inconsistent offsets"));
    for (int u = 0; u < x.n_users(); ++u) {
        if (x.offsets[u + 1] < x.offsets[u])
            throw DataError(describe(ds.source, std::string(split) + " user " + std::to_string(u),
                                     "non-decreasing offsets", "a decreasing offset"));
        for (std::int32_t i : x.of(u)) {
            if (i < 0 || i >= ds.n_items)
                throw DataError(describe(ds.source, std::string(split) + " user " + std::to_string(u),
                                         "an item id in [0, " + std::to_string(ds.n_items) + ")", item_str(i)));
            ItemRole r = ds.roles[i];
            if (expected_role == ItemRole::Warm && r != ItemRole::Warm)
                throw DataError(describe(ds.source, std::string(split) + " user " + std::to_string(u),
                                         "only warm items in training", "new item " + item_str(i) + " (" +
                                                                            to_string(r) + ")"));
            if (expected_role != ItemRole::Warm && r != expected_role)
                throw DataError(describe(ds.source, std::string(split) + " user " + std::to_string(u),
                                         std::string("only ") + to_string(expected_role) + " items",
                                         "item " + item_str(i) + " (" + to_string(r) + ")"));
        }
    }
    if (x.size() == 0)
        throw DataError(describe(ds.source, std::string(split) + " split", "at least one interaction", "none"));
}

}  // namespace

std::string Dataset::fingerprint() const {
    Fingerprinter f;
    f.value(static_cast<std::int64_t>(n_users));
    f.value(static_cast<std::int64_t>(n_items));
    hash_interactions(f, train);
    hash_interactions(f, validation);
    hash_interactions(f, test);
    f.bytes(roles.data(), roles.size());
    f.value(static_cast<std::int64_t>(modalities.size()));
    for (const auto& m : modalities) {
        f.bytes(m.name.data(), m.name.size());
        f.value(static_cast<std::int64_t>(m.features.rows()));
        f.value(static_cast<std::int64_t>(m.features.cols()));
        f.bytes(m.features.data(), static_cast<std::size_t>(m.features.size()) * sizeof(float));
        f.bytes(m.present.data(), m.present.size());
    }
    return f.hex();
}

void Dataset::validate() const {
    const std::string& src = source.empty() ? name : source;
    if (n_users <= 0) throw DataError(describe(src, "users", "at least one user", std::to_string(n_users)));
    if (n_items <= 0) throw DataError(describe(src, "items", "at least one item", std::to_string(n_items)));
    if (static_cast<int>(roles.size()) != n_items)
        throw DataError(describe(src, "item roles", std::to_string(n_items) + " roles", std::to_string(roles.size())));
    for (std::size_t i = 0; i < roles.size(); ++i)
        if (static_cast<unsigned>(roles[i]) > 2)
            throw DataError(describe(src, "role of item " + std::to_string(i), "warm, validation-new or test-new",
                                     std::to_string(static_cast<unsigned>(roles[i]))));
    if (modalities.empty()) throw DataError(describe(src, "modalities", "at least one modality", "none"));
    for (const auto& m : modalities) {
        std::string where = "modality '" + m.name + "'";
        if (m.features.rows() != n_items)
            throw DataError(describe(src, where, std::to_string(n_items) + " feature rows (one per item)",
                                     std::to_string(m.features.rows()) + " rows"));
        if (m.features.cols() <= 0) throw DataError(describe(src, where, "at least one feature column", "none"));
        if (static_cast<int>(m.present.size()) != n_items)
            throw DataError(describe(src, where, std::to_string(n_items) + " presence flags",
                                     std::to_string(m.present.size())));
        // Fast check first; locate the culprit only when there is one.
        const float* d = m.features.data();
        const std::size_t n = static_cast<std::size_t>(m.features.size());
        bool finite = true;
        for (std::size_t k = 0; k < n; ++k) finite &= std::isfinite(d[k]);
        if (!finite) {
            for (std::size_t k = 0; k < n; ++k)
                if (!std::isfinite(d[k])) {
                    std::ostringstream v;
                    v << d[k];
                    throw DataError(describe(src,
                                             where + " row " + std::to_string(k / m.features.cols()) + " column " +
                                                 std::to_string(k % m.features.cols()),
                                             "a finite feature value", v.str()));
                }
        }
    }
    int n_new = 0, n_val = 0, n_test = 0;
    for (auto r : roles) {
        n_new += r != ItemRole::Warm;
        n_val += r == ItemRole::ValidationNew;
        n_test += r == ItemRole::TestNew;
    }
    if (n_new == 0) throw DataError(describe(src, "item roles", "at least one new item", "none"));
    if (n_val == 0) throw DataError(describe(src, "item roles", "at least one validation-new item", "none"));
    if (n_test == 0) throw DataError(describe(src, "item roles", "at least one test-new item", "none"));
    validate_split(*this, train, "train", ItemRole::Warm);
    validate_split(*this, validation, "validation", ItemRole::ValidationNew);
    validate_split(*this, test, "test", ItemRole::TestNew);
}

}  // namespace milk
