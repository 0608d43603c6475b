#include "core/models/milk/cyclic_mixup.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace milk {

std::vector<float> sample_dirichlet(int m, double alpha, Rng& rng) {
    if (m < 1) throw ConfigError("Dirichlet: expected at least 1 modality, found " + std::to_string(m));
    if (!(alpha > 0)) throw ConfigError(describe("model", "alpha", "a positive Dirichlet concentration", std::to_string(alpha)));
    // log Gamma(alpha) = log Gamma(alpha + 1) + log(U) / alpha  (Marsaglia-Tsang boost),
    // then normalise in log space (softmax) so tiny gammas keep their ratios.
    std::gamma_distribution<double> gamma(alpha + 1.0, 1.0);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<double> logs(m);
    for (int i = 0; i < m; ++i) {
        double g = gamma(rng);
        double u = uniform(rng);
        while (u <= 0.0) u = uniform(rng);
        logs[i] = std::log(g) + std::log(u) / alpha;
    }
    double top = *std::max_element(logs.begin(), logs.end());
    double total = 0;
    for (double& l : logs) total += (l = std::exp(l - top));
    std::vector<float> theta(m);
    for (int i = 0; i < m; ++i) theta[i] = static_cast<float>(logs[i] / total);
    return theta;
}

std::vector<float> circle_shift(const std::vector<float>& theta) {
    if (theta.empty()) return theta;
    std::vector<float> out(theta.size());
    out[0] = theta.back();
    std::copy(theta.begin(), theta.end() - 1, out.begin() + 1);
    return out;
}

CyclicMixup::CyclicMixup(int n_modalities, EnvironmentStrategy strategy) : m_(n_modalities), strategy_(strategy) {
    if (m_ < 1) throw ConfigError("cyclic mixup needs at least one modality");
}

void CyclicMixup::draw(Rng& rng) {
    weights_.clear();
    if (strategy_.include_equal) weights_.push_back(std::vector<float>(m_, 1.0f / static_cast<float>(m_)));
    std::vector<float> theta = sample_dirichlet(m_, strategy_.alpha, rng);
    for (int e = 0; e < m_; ++e) {
        weights_.push_back(theta);
        theta = strategy_.cyclic_shift ? circle_shift(theta) : sample_dirichlet(m_, strategy_.alpha, rng);
    }
    drawn_ = true;
}

const std::vector<std::vector<float>>& CyclicMixup::next(Rng& rng) {
    if (!drawn_ || strategy_.redraw) draw(rng);
    return weights_;
}

}  // namespace milk
