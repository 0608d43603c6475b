// Imputation of unavailable modality rows (paper sections 5.1.1 and 5.3.2, Table 3).
//
// Map: for each pattern P of present modalities among items that need filling, one
// ridge regression from the concatenation X_P of P's features to the concatenation Y
// of the missing ones, fitted on warm items complete under the mask, with an
// unpenalised intercept (inputs and targets centred on the fit set):
//     W = (Xc^T Xc + lambda I)^-1 Xc^T Yc                (primal, d_in x d_in system)
//       = Xc^T (Xc Xc^T + lambda I)^-1 Yc                (dual, n_fit x n_fit system)
// and y(x) = y_mean + (x - x_mean) W. Both forms give the same W; the cheaper one is
// solved (Cholesky, the system being symmetric positive definite for lambda > 0).
// The fit set is capped (ImputeOptions::map_max_fit_items, a seeded sample) so that a
// 4096-d input stays a 2048 x 2048 dual system.
#include "core/scenario/imputer.h"

#include "core/error.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <algorithm>
#include <map>
#include <random>
#include <sstream>

namespace milk {

namespace {

using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;
using RowVectorD = Eigen::Matrix<double, 1, Eigen::Dynamic>;

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Available = the mask says so and the dataset really has the row.
struct Availability {
    const Dataset& ds;
    const AvailabilityMask& mask;
    bool operator()(int item, int m) const {
        const auto& present = ds.modalities[m].present;
        return mask.at(item, m) && (present.empty() || present[item] != 0);
    }
};

// Per modality, the mean row over warm items that have it.
std::vector<Eigen::RowVectorXf> warm_means(const Dataset& ds, const Availability& available) {
    const int M = ds.n_modalities();
    std::vector<Eigen::RowVectorXf> means(static_cast<std::size_t>(M));
    for (int m = 0; m < M; ++m) {
        const auto& features = ds.modalities[m].features;
        RowVectorD sum = RowVectorD::Zero(features.cols());
        long count = 0;
        for (int i = 0; i < ds.n_items; ++i) {
            if (ds.roles[i] != ItemRole::Warm || !available(i, m)) continue;
            sum += features.row(i).cast<double>();
            ++count;
        }
        if (count == 0)
            throw DataError(describe(ds.source, "modality " + ds.modalities[m].name,
                                     "at least one warm item that has it (to compute its mean)",
                                     "none under the scenario's mask"));
        means[m] = (sum / static_cast<double>(count)).cast<float>();
    }
    return means;
}

// Rows `items` of the concatenation of `modalities`, as a dense double matrix.
MatrixD gather(const Dataset& ds, const std::vector<int>& items, const std::vector<int>& modalities) {
    Eigen::Index cols = 0;
    for (int m : modalities) cols += ds.modalities[m].features.cols();
    MatrixD out(static_cast<Eigen::Index>(items.size()), cols);
    Eigen::Index offset = 0;
    for (int m : modalities) {
        const auto& f = ds.modalities[m].features;
        for (std::size_t r = 0; r < items.size(); ++r)
            out.block(static_cast<Eigen::Index>(r), offset, 1, f.cols()) = f.row(items[r]).cast<double>();
        offset += f.cols();
    }
    return out;
}

// Ridge predictions for the query rows Q from the fit pair (X, Y); see the file comment.
MatrixD ridge_predict(MatrixD X, MatrixD Y, MatrixD Q, double lambda) {
    const RowVectorD x_mean = X.colwise().mean();
    const RowVectorD y_mean = Y.colwise().mean();
    X.rowwise() -= x_mean;
    Y.rowwise() -= y_mean;
    Q.rowwise() -= x_mean;
    const double n = static_cast<double>(X.rows()), d = static_cast<double>(X.cols());
    const double d_out = static_cast<double>(Y.cols()), n_q = static_cast<double>(Q.rows());
    // Multiply-adds of each route (Gram, factorisation, right-hand side, prediction).
    const double primal_cost = n * d * d / 2 + d * d * d / 3 + n * d * d_out + d * d_out * d + n_q * d * d_out;
    const double dual_cost = n * n * d / 2 + n * n * n / 3 + n * n * d_out + n_q * n * d + n_q * n * d_out;
    MatrixD pred;
    if (primal_cost <= dual_cost) {
        MatrixD G = MatrixD::Zero(X.cols(), X.cols());
        G.selfadjointView<Eigen::Lower>().rankUpdate(X.transpose());
        G.diagonal().array() += lambda;
        Eigen::LLT<MatrixD> llt(G.selfadjointView<Eigen::Lower>());
        if (llt.info() != Eigen::Success)
            throw DataError("map imputation: the ridge system is not positive definite (lambda " +
                            std::to_string(lambda) + ")");
        const MatrixD W = llt.solve(X.transpose() * Y);
        pred = Q * W;
    } else {
        MatrixD K = MatrixD::Zero(X.rows(), X.rows());
        K.selfadjointView<Eigen::Lower>().rankUpdate(X);
        K.diagonal().array() += lambda;
        Eigen::LLT<MatrixD> llt(K.selfadjointView<Eigen::Lower>());
        if (llt.info() != Eigen::Success)
            throw DataError("map imputation: the ridge system is not positive definite (lambda " +
                            std::to_string(lambda) + ")");
        const MatrixD alpha = llt.solve(Y);
        pred = (Q * X.transpose()) * alpha;
    }
    pred.rowwise() += y_mean;
    return pred;
}

void fill_map(const Dataset& ds, const Availability& available, const ImputeOptions& options,
              const std::vector<Eigen::RowVectorXf>& means, std::vector<FeatureMatrix>& out) {
    const int M = ds.n_modalities();
    if (M > 63) throw ConfigError(describe("imputer map", "", "at most 63 modalities", std::to_string(M)));
    // Items needing filling, grouped by the bit pattern of their available modalities.
    const std::uint64_t full = (std::uint64_t{1} << M) - 1;
    std::map<std::uint64_t, std::vector<int>> by_pattern;
    std::vector<int> fit_items;
    for (int i = 0; i < ds.n_items; ++i) {
        std::uint64_t pattern = 0;
        for (int m = 0; m < M; ++m)
            if (available(i, m)) pattern |= std::uint64_t{1} << m;
        if (pattern != full) by_pattern[pattern].push_back(i);
        else if (ds.roles[i] == ItemRole::Warm) fit_items.push_back(i);
    }
    if (options.map_max_fit_items > 0 && static_cast<int>(fit_items.size()) > options.map_max_fit_items) {
        // A seeded uniform sample (partial Fisher-Yates; the modulo bias of a 64-bit draw
        // over a few thousand items is below 1e-15), kept in ascending item order.
        std::mt19937_64 rng(options.seed);
        for (std::size_t r = 0; r < static_cast<std::size_t>(options.map_max_fit_items); ++r) {
            const std::size_t j = r + static_cast<std::size_t>(rng() % (fit_items.size() - r));
            std::swap(fit_items[r], fit_items[j]);
        }
        fit_items.resize(static_cast<std::size_t>(options.map_max_fit_items));
        std::sort(fit_items.begin(), fit_items.end());
    }
    for (const auto& [pattern, items] : by_pattern) {
        std::vector<int> inputs, targets;
        for (int m = 0; m < M; ++m) (((pattern >> m) & 1) ? inputs : targets).push_back(m);
        if (inputs.empty()) {
            // Nothing to map from: the modality mean is the least-informed guess.
            for (int item : items)
                for (int m : targets) out[m].row(item) = means[m];
            continue;
        }
        if (fit_items.empty())
            throw DataError(describe(ds.source, "map imputation",
                                     "at least one warm item with every modality (to fit the maps)",
                                     "none under the scenario's mask"));
        const MatrixD pred = ridge_predict(gather(ds, fit_items, inputs), gather(ds, fit_items, targets),
                                           gather(ds, items, inputs), options.ridge_lambda);
        Eigen::Index offset = 0;
        for (int m : targets) {
            const Eigen::Index dm = out[m].cols();
            for (std::size_t r = 0; r < items.size(); ++r)
                out[m].row(items[r]) = pred.block(static_cast<Eigen::Index>(r), offset, 1, dm).cast<float>();
            offset += dm;
        }
    }
}

}  // namespace

std::string to_string(ImputerKind kind) {
    switch (kind) {
        case ImputerKind::Mean: return "mean";
        case ImputerKind::Zero: return "zero";
        case ImputerKind::Map: return "map";
    }
    return "mean";
}

ImputerKind parse_imputer(const std::string& text) {
    const std::string l = lower(text);
    for (ImputerKind k : {ImputerKind::Mean, ImputerKind::Zero, ImputerKind::Map})
        if (l == to_string(k)) return k;
    throw ConfigError(describe("imputer", "", "mean, zero or map", "\"" + text + "\""));
}

std::vector<FeatureMatrix> impute(const Dataset& ds, const AvailabilityMask& mask, const ImputeOptions& options) {
    const int M = ds.n_modalities();
    if (mask.n_items != ds.n_items || mask.n_modalities != M ||
        mask.a.size() != static_cast<std::size_t>(ds.n_items) * static_cast<std::size_t>(M))
        throw DataError(describe(ds.source, "availability mask",
                                 std::to_string(ds.n_items) + " items x " + std::to_string(M) + " modalities",
                                 std::to_string(mask.n_items) + " x " + std::to_string(mask.n_modalities)));
    if (static_cast<int>(ds.roles.size()) != ds.n_items)
        throw DataError(describe(ds.source, "item roles", std::to_string(ds.n_items) + " entries",
                                 std::to_string(ds.roles.size())));
    for (const auto& table : ds.modalities) {
        if (table.features.rows() != ds.n_items)
            throw DataError(describe(ds.source, "modality " + table.name + " features",
                                     std::to_string(ds.n_items) + " rows", std::to_string(table.features.rows())));
        if (!table.present.empty() && static_cast<int>(table.present.size()) != ds.n_items)
            throw DataError(describe(ds.source, "modality " + table.name + " presence mask",
                                     std::to_string(ds.n_items) + " entries", std::to_string(table.present.size())));
    }
    if (options.kind == ImputerKind::Map && !(options.ridge_lambda > 0.0 && std::isfinite(options.ridge_lambda)))
        throw ConfigError(describe("imputer map", "ridge_lambda", "a finite value > 0",
                                   std::to_string(options.ridge_lambda)));
    if (options.map_max_fit_items < 0)
        throw ConfigError(describe("imputer map", "map_max_fit_items", "0 (all) or a positive count",
                                   std::to_string(options.map_max_fit_items)));

    const Availability available{ds, mask};
    std::vector<FeatureMatrix> out;
    out.reserve(static_cast<std::size_t>(M));
    for (const auto& table : ds.modalities) out.push_back(table.features);

    switch (options.kind) {
        case ImputerKind::Zero:
            for (int m = 0; m < M; ++m)
                for (int i = 0; i < ds.n_items; ++i)
                    if (!available(i, m)) out[m].row(i).setZero();
            break;
        case ImputerKind::Mean: {
            const auto means = warm_means(ds, available);
            for (int m = 0; m < M; ++m)
                for (int i = 0; i < ds.n_items; ++i)
                    if (!available(i, m)) out[m].row(i) = means[m];
            break;
        }
        case ImputerKind::Map: {
            const auto means = warm_means(ds, available);
            fill_map(ds, available, options, means, out);
            break;
        }
    }

    if (options.l2_normalize) {
        for (auto& f : out) {
            for (Eigen::Index i = 0; i < f.rows(); ++i) {
                const float norm = f.row(i).norm();
                if (norm > 0.0f) f.row(i) /= norm;
            }
        }
    }
    return out;
}

}  // namespace milk
