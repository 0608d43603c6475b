// Synthetic datasets with a planted structure (see synthetic.h).
//
// Latent model. Every item j has a shared latent z_j (its topic centre plus item-specific
// spread) and, per modality m, a private latent p_j^m that only modality m carries.
// Modality m's features are a random projection of [z_j, p_j^m] plus modality-specific
// Gaussian noise. Every user has preferences over the same space (a favourite topic or
// two in the shared part, a private taste per modality), so part of what a user wants is
// visible through one modality only: losing that modality loses that part.
// Interactions: per user, softmax(preference . latent / temperature + log Zipf popularity)
// over all items, sampled without replacement; counts are lognormal around the mean.
// Then the paper's new-item split (5.1.1): a random new_item_fraction of items, half
// ValidationNew and half TestNew, whose interactions form validation/test.
#include "core/data/synthetic.h"

#include "core/error.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>

namespace milk {

namespace {

// Draws from one seeded mt19937_64 with arithmetic we control (no std distributions),
// so the bytes depend on the seed alone.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}

    double uniform() {  // in [0, 1)
        return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0);
    }
    double uniform_open() {  // in (0, 1)
        return (static_cast<double>(engine_() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    }
    std::uint64_t below(std::uint64_t n) {  // uniform in [0, n), unbiased
        const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
        std::uint64_t x;
        do x = engine_(); while (x >= limit);
        return x % n;
    }
    double normal() {  // Box-Muller, the second value of each pair kept for the next call
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double r = std::sqrt(-2.0 * std::log(uniform_open()));
        const double angle = 2.0 * 3.14159265358979323846 * uniform();
        spare_ = r * std::sin(angle);
        has_spare_ = true;
        return r * std::cos(angle);
    }
    // Bulk Box-Muller in float with Eigen's vectorised log/sin/cos: the feature noise of a
    // Baby-scale set is ~30M draws, too many for the scalar path.
    void fill_normal(float* out, std::size_t n, double scale) {
        constexpr std::size_t kChunk = 4096;
        Eigen::ArrayXf u1(kChunk / 2), u2(kChunk / 2), r(kChunk / 2), angle(kChunk / 2);
        for (std::size_t start = 0; start < n; start += kChunk) {
            const std::size_t len = std::min(kChunk, n - start), pairs = (len + 1) / 2;
            for (std::size_t i = 0; i < pairs; ++i) {
                const std::uint64_t x = engine_();  // two 24-bit uniforms from one draw
                u1(static_cast<Eigen::Index>(i)) = (static_cast<float>(x >> 40) + 0.5f) * (1.0f / 16777216.0f);
                u2(static_cast<Eigen::Index>(i)) = static_cast<float>((x >> 8) & 0xFFFFFFu) * (1.0f / 16777216.0f);
            }
            const auto p = static_cast<Eigen::Index>(pairs);
            r.head(p) = (-2.0f * u1.head(p).log()).sqrt() * static_cast<float>(scale);
            angle.head(p) = u2.head(p) * 6.2831853f;
            Eigen::Map<Eigen::ArrayXf> first(out + start, p);
            first = r.head(p) * angle.head(p).cos();
            const auto second = static_cast<Eigen::Index>(len) - p;
            Eigen::Map<Eigen::ArrayXf>(out + start + pairs, second) = r.head(second) * angle.head(second).sin();
        }
    }
    template <class T>
    void shuffle(std::vector<T>& v) {  // Fisher-Yates
        for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
    }
    // An independent stream for one stage, so changing one stage leaves the others alone.
    Rng fork(std::uint64_t stage) {
        return Rng(engine_() ^ (0x9E3779B97F4A7C15ULL * (stage + 1)));
    }

private:
    std::mt19937_64 engine_;
    double spare_ = 0.0;
    bool has_spare_ = false;
};

using MatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

MatrixF normal_matrix(Rng& rng, Eigen::Index rows, Eigen::Index cols, double scale) {
    MatrixF m(rows, cols);
    rng.fill_normal(m.data(), static_cast<std::size_t>(m.size()), scale);
    return m;
}

[[noreturn]] void bad_field(const std::string& field, const std::string& expected,
                            const std::string& found) {
    throw ConfigError(describe("synthetic spec", field, expected, found));
}

std::string str(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

// How strongly a user's taste follows the shared (topic) part and each private part.
constexpr double kSharedWeight = 1.0;
constexpr double kPrivateWeight = 1.5;
// Item spread around its topic centre, relative to the centres' scale.
constexpr double kItemSpread = 0.7;
// Spread of a user's shared taste around their favourite topic(s).
constexpr double kUserSpread = 0.6;
// Lognormal sigma of interaction counts per user.
constexpr double kCountSigma = 0.6;

}  // namespace

std::vector<std::string> synthetic_preset_names() { return {"demo", "baby-like", "tiktok-like"}; }

SyntheticSpec synthetic_preset(const std::string& name) {
    SyntheticSpec s;
    s.name = name;
    if (name == "demo") {
        return s;  // the defaults: 1000 users, 600 items, ~10k interactions, image 128 + text 64
    }
    if (name == "baby-like") {  // Amazon Baby scale (paper Table 1)
        s.n_users = 19445;
        s.n_items = 7050;
        s.interactions_per_user = 160000.0 / 19445.0;
        s.modality_names = {"image", "text"};
        s.modality_dims = {4096, 384};
        s.modality_noise = {1.0, 1.3};
        s.n_topics = 48;
        return s;
    }
    if (name == "tiktok-like") {  // TikTok scale: visual, acoustic, title text
        s.n_users = 9300;
        s.n_items = 6700;
        s.interactions_per_user = 70000.0 / 9300.0;
        s.modality_names = {"image", "text", "audio"};  // the loaders' canonical order
        s.modality_dims = {128, 768, 128};
        s.modality_noise = {1.0, 1.5, 2.2};
        s.n_topics = 40;
        return s;
    }
    std::string valid;
    for (const auto& n : synthetic_preset_names()) valid += (valid.empty() ? "" : ", ") + n;
    throw ConfigError(describe("preset", "name", "one of " + valid, "'" + name + "'"));
}

void validate_spec(const SyntheticSpec& s) {
    if (s.name.empty()) bad_field("name", "a non-empty name", "an empty string");
    if (s.n_users < 1) bad_field("n_users", "at least 1", std::to_string(s.n_users));
    if (s.n_items < 4) bad_field("n_items", "at least 4 (new items need validation and test)",
                                 std::to_string(s.n_items));
    if (!(s.interactions_per_user >= 1.0) || !std::isfinite(s.interactions_per_user))
        bad_field("interactions_per_user", "a finite number >= 1", str(s.interactions_per_user));
    if (s.modality_names.empty()) bad_field("modality_names", "at least one modality", "none");
    if (s.modality_dims.size() != s.modality_names.size())
        bad_field("modality_dims", std::to_string(s.modality_names.size()) + " dimensions (one per modality)",
                  std::to_string(s.modality_dims.size()));
    if (!s.modality_noise.empty() && s.modality_noise.size() != s.modality_names.size())
        bad_field("modality_noise", "empty or " + std::to_string(s.modality_names.size()) + " multipliers",
                  std::to_string(s.modality_noise.size()));
    for (std::size_t m = 0; m < s.modality_names.size(); ++m) {
        if (s.modality_names[m].empty()) bad_field("modality_names", "non-empty names", "an empty name");
        for (std::size_t k = 0; k < m; ++k)
            if (s.modality_names[k] == s.modality_names[m])
                bad_field("modality_names", "distinct names", "'" + s.modality_names[m] + "' twice");
        if (s.modality_dims[m] < 1)
            bad_field("modality_dims", "positive dimensions", std::to_string(s.modality_dims[m]));
        if (!s.modality_noise.empty() && !(s.modality_noise[m] >= 0.0 && std::isfinite(s.modality_noise[m])))
            bad_field("modality_noise", "finite multipliers >= 0", str(s.modality_noise[m]));
    }
    if (s.n_topics < 1) bad_field("n_topics", "at least 1", std::to_string(s.n_topics));
    if (s.shared_latent_dim < 1) bad_field("shared_latent_dim", "at least 1", std::to_string(s.shared_latent_dim));
    if (s.private_latent_dim < 0) bad_field("private_latent_dim", "at least 0", std::to_string(s.private_latent_dim));
    if (!(s.noise >= 0.0) || !std::isfinite(s.noise)) bad_field("noise", "a finite number >= 0", str(s.noise));
    if (!(s.popularity_skew >= 0.0) || !std::isfinite(s.popularity_skew))
        bad_field("popularity_skew", "a finite number >= 0", str(s.popularity_skew));
    if (!(s.new_item_fraction > 0.0 && s.new_item_fraction < 1.0))
        bad_field("new_item_fraction", "a number in (0, 1)", str(s.new_item_fraction));
    const int n_new = static_cast<int>(std::lround(s.new_item_fraction * s.n_items));
    if (n_new < 2 || n_new > s.n_items - 1)
        bad_field("new_item_fraction", "at least 2 new items and 1 warm item",
                  std::to_string(n_new) + " new of " + std::to_string(s.n_items));
    if (!(s.temperature > 0.0) || !std::isfinite(s.temperature))
        bad_field("temperature", "a finite number > 0", str(s.temperature));
    if (s.min_interactions_per_user < 1 || s.min_interactions_per_user > s.n_items)
        bad_field("min_interactions_per_user", "between 1 and n_items",
                  std::to_string(s.min_interactions_per_user));
    if (!(s.natural_missing_rate >= 0.0 && s.natural_missing_rate < 1.0))
        bad_field("natural_missing_rate", "a number in [0, 1)", str(s.natural_missing_rate));
}

Dataset generate_synthetic(const SyntheticSpec& spec) {
    validate_spec(spec);
    Rng root(spec.seed);
    Rng latent_rng = root.fork(0), user_rng = root.fork(1), feature_rng = root.fork(2),
        interaction_rng = root.fork(3), split_rng = root.fork(4), missing_rng = root.fork(5);

    const int N = spec.n_items, U = spec.n_users, M = static_cast<int>(spec.modality_names.size());
    const int S = spec.shared_latent_dim, P = spec.private_latent_dim, T = spec.n_topics;
    const int L = S + M * P;  // full latent: [shared | private_1 | ... | private_M]

    // --- items: topic, shared latent, private latents (each entry ~ unit variance)
    const MatrixF centres = normal_matrix(latent_rng, T, S, 1.0);
    const double norm = 1.0 / std::sqrt(1.0 + kItemSpread * kItemSpread);
    MatrixF item_latent(N, L);
    for (int j = 0; j < N; ++j) {
        const auto t = static_cast<Eigen::Index>(latent_rng.below(static_cast<std::uint64_t>(T)));
        for (int k = 0; k < S; ++k)
            item_latent(j, k) = static_cast<float>(norm * (centres(t, k) + kItemSpread * latent_rng.normal()));
        for (int k = S; k < L; ++k) item_latent(j, k) = static_cast<float>(latent_rng.normal());
    }

    // --- users: one or two favourite topics plus spread; a private taste per modality
    MatrixF user_pref(U, L);
    for (int u = 0; u < U; ++u) {
        const auto f = static_cast<Eigen::Index>(user_rng.below(static_cast<std::uint64_t>(T)));
        const bool second = user_rng.uniform() < 0.5;
        const auto g = static_cast<Eigen::Index>(user_rng.below(static_cast<std::uint64_t>(T)));
        for (int k = 0; k < S; ++k) {
            double v = centres(f, k) + (second ? 0.5 * centres(g, k) : 0.0) + kUserSpread * user_rng.normal();
            user_pref(u, k) = static_cast<float>(kSharedWeight * v / std::sqrt(static_cast<double>(S)));
        }
        for (int k = S; k < L; ++k)
            user_pref(u, k) = static_cast<float>(kPrivateWeight * user_rng.normal() /
                                                 std::sqrt(static_cast<double>(std::max(P, 1))));
    }
    user_pref /= static_cast<float>(spec.temperature);

    // --- features: random projection of [shared, own private] plus modality noise
    Dataset d;
    d.name = spec.name;
    d.source = "preset:" + spec.name;
    d.n_users = U;
    d.n_items = N;
    d.modalities.resize(static_cast<std::size_t>(M));
    for (int m = 0; m < M; ++m) {
        const int dim = spec.modality_dims[static_cast<std::size_t>(m)];
        const double scale = spec.noise * (spec.modality_noise.empty() ? 1.0 : spec.modality_noise[static_cast<std::size_t>(m)]);
        MatrixF seen(N, S + P);
        seen.leftCols(S) = item_latent.leftCols(S);
        if (P > 0) seen.rightCols(P) = item_latent.middleCols(S + m * P, P);
        const MatrixF projection = normal_matrix(feature_rng, S + P, dim, 1.0 / std::sqrt(static_cast<double>(S + P)));
        ModalityTable& table = d.modalities[static_cast<std::size_t>(m)];
        table.name = spec.modality_names[static_cast<std::size_t>(m)];
        table.features = normal_matrix(feature_rng, N, dim, scale);
        table.features.noalias() += seen * projection;
        table.present.assign(static_cast<std::size_t>(N), 1);
    }
    if (spec.natural_missing_rate > 0.0) {
        for (int j = 0; j < N; ++j) {
            int lost = 0;
            for (auto& table : d.modalities) {
                const bool missing = missing_rng.uniform() < spec.natural_missing_rate;
                table.present[static_cast<std::size_t>(j)] = missing ? 0 : 1;
                lost += missing ? 1 : 0;
            }
            if (lost == M) d.modalities[missing_rng.below(static_cast<std::uint64_t>(M))].present[static_cast<std::size_t>(j)] = 1;
            for (auto& table : d.modalities)
                if (!table.present[static_cast<std::size_t>(j)]) table.features.row(j).setZero();
        }
    }

    // --- popularity: Zipf over a random ranking of the items, entering as log-prior
    std::vector<int> rank(static_cast<std::size_t>(N));
    std::iota(rank.begin(), rank.end(), 0);
    interaction_rng.shuffle(rank);
    Eigen::RowVectorXf log_pop(N);
    for (int j = 0; j < N; ++j)
        log_pop(j) = static_cast<float>(-spec.popularity_skew * std::log(1.0 + rank[static_cast<std::size_t>(j)]));

    // --- interactions: per user, weights over all items once (one matrix product per block
    // of users), then successive sampling without replacement: each draw picks a chunk of
    // 64 items by its weight sum, then an item inside it, and removes that item's weight.
    const int max_count = std::max(spec.min_interactions_per_user, N / 2);
    const double mu = std::log(spec.interactions_per_user) - 0.5 * kCountSigma * kCountSigma;
    constexpr int kChunk = 64;
    const int n_chunks = (N + kChunk - 1) / kChunk;
    const int padded = n_chunks * kChunk;
    std::vector<std::vector<std::int32_t>> per_user(static_cast<std::size_t>(U));
    std::vector<double> chunk_cdf(static_cast<std::size_t>(n_chunks));
    Eigen::ArrayXf chunk_sum(n_chunks);
    Eigen::Matrix<float, 1, Eigen::Dynamic> weight = Eigen::Matrix<float, 1, Eigen::Dynamic>::Zero(padded);
    const int block = 512;
    for (int u0 = 0; u0 < U; u0 += block) {
        const int b = std::min(block, U - u0);
        MatrixF logits = user_pref.middleRows(u0, b) * item_latent.transpose();
        logits.rowwise() += log_pop;
        for (int r = 0; r < b; ++r) {
            const float top = logits.row(r).maxCoeff();
            weight.head(N) = (logits.row(r).array() - top).exp().matrix();
            Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, kChunk, Eigen::RowMajor>> chunks(weight.data(), n_chunks, kChunk);
            chunk_sum = chunks.rowwise().sum().array();
            const long want = std::lround(std::exp(mu + kCountSigma * interaction_rng.normal()));
            const int count = static_cast<int>(std::clamp<long>(want, spec.min_interactions_per_user, max_count));
            std::vector<std::int32_t>& chosen = per_user[static_cast<std::size_t>(u0 + r)];
            chosen.reserve(static_cast<std::size_t>(count));
            for (int k = 0; k < count; ++k) {
                double total = 0.0;
                for (int c = 0; c < n_chunks; ++c) chunk_cdf[static_cast<std::size_t>(c)] = (total += chunk_sum(c));
                std::int32_t item = -1;
                if (total > 0.0) {
                    const double x = interaction_rng.uniform() * total;
                    int c = static_cast<int>(std::upper_bound(chunk_cdf.begin(), chunk_cdf.end(), x) - chunk_cdf.begin());
                    while (c >= n_chunks || chunk_sum(c) <= 0.0f) c = c >= n_chunks ? n_chunks - 1 : c - 1;  // rounding at the edges
                    double inside = x - (c > 0 ? chunk_cdf[static_cast<std::size_t>(c - 1)] : 0.0);
                    for (int j = c * kChunk; j < (c + 1) * kChunk; ++j) {
                        if (weight(j) <= 0.0f) continue;
                        item = j;  // the last positive weight absorbs rounding
                        inside -= weight(j);
                        if (inside < 0.0) break;
                    }
                } else {  // every remaining weight underflowed: uniform over what is left
                    std::int64_t pick = static_cast<std::int64_t>(interaction_rng.below(static_cast<std::uint64_t>(N - k)));
                    for (int j = 0; j < N; ++j) {
                        if (std::find(chosen.begin(), chosen.end(), j) != chosen.end()) continue;
                        if (pick-- == 0) { item = j; break; }
                    }
                }
                chosen.push_back(item);
                const int c = item / kChunk;
                weight(item) = 0.0f;
                chunk_sum(c) = weight.segment(c * kChunk, kChunk).sum();
            }
            std::sort(chosen.begin(), chosen.end());
        }
    }

    // --- the new-item split (paper 5.1.1)
    d.roles.assign(static_cast<std::size_t>(N), ItemRole::Warm);
    std::vector<std::int32_t> order(static_cast<std::size_t>(N));
    std::iota(order.begin(), order.end(), 0);
    split_rng.shuffle(order);
    const int n_new = static_cast<int>(std::lround(spec.new_item_fraction * N));
    const int n_validation = n_new / 2;
    for (int i = 0; i < n_new; ++i)
        d.roles[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] =
            i < n_validation ? ItemRole::ValidationNew : ItemRole::TestNew;

    Interactions* target[3] = {&d.train, &d.validation, &d.test};
    for (Interactions* t : target) {
        t->offsets.assign(1, 0);
        t->offsets.reserve(static_cast<std::size_t>(U) + 1);
        t->items.clear();
    }
    for (int u = 0; u < U; ++u) {
        for (auto j : per_user[static_cast<std::size_t>(u)])
            target[static_cast<int>(d.roles[static_cast<std::size_t>(j)])]->items.push_back(j);
        for (Interactions* t : target) t->offsets.push_back(static_cast<std::int64_t>(t->items.size()));
    }
    return d;
}

}  // namespace milk
