#pragma once
// Finite-difference check of Graph gradients: f(params) = sum(out .* W) for a fixed
// random W (so every entry of the op's Jacobian matters), central differences with the
// sum taken in double, compared entry-wise with |a - n| <= atol + rtol * max(|a|, |n|)
// and as a whole with ||a - n|| / (||a|| + ||n||).
#include "core/nn/graph.h"

#include <cmath>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace milk::nn::test {

struct GradientCheckResult {
    bool ok = true;
    double max_entry_error = 0;     // worst |a - n| - rtol * max(|a|, |n|)
    double relative_norm_error = 0; // ||a - n|| / (||a|| + ||n||) over all parameters
    std::string detail;             // first failing entry
};

using BuildFn = std::function<Var(Graph&, const std::vector<Var>&)>;

inline GradientCheckResult check_gradients(const std::vector<Parameter*>& params, const BuildFn& build,
                                           double eps = 1e-3, double rtol = 2e-2, double atol = 2e-3,
                                           std::uint64_t seed = 7) {
    // Fix the output weights from the output's shape.
    Matrix weights;
    {
        Graph g;
        std::vector<Var> in;
        for (Parameter* p : params) in.push_back(g.param(*p));
        const Matrix& out = build(g, in).value();
        std::mt19937_64 rng(seed);
        std::uniform_real_distribution<float> u(0.5f, 1.5f);
        std::bernoulli_distribution sign(0.5);
        weights.resize(out.rows(), out.cols());
        for (Eigen::Index i = 0; i < weights.size(); ++i) weights.data()[i] = (sign(rng) ? 1.0f : -1.0f) * u(rng);
    }
    auto f = [&]() {
        Graph g;
        std::vector<Var> in;
        for (Parameter* p : params) in.push_back(g.param(*p));
        const Matrix& out = build(g, in).value();
        double s = 0;
        for (Eigen::Index i = 0; i < out.size(); ++i) s += static_cast<double>(out.data()[i]) * weights.data()[i];
        return s;
    };
    // Analytic gradients.
    for (Parameter* p : params) p->grad = Matrix::Zero(p->value.rows(), p->value.cols());
    {
        Graph g;
        std::vector<Var> in;
        for (Parameter* p : params) in.push_back(g.param(*p));
        Var out = build(g, in);
        Var loss = sum(mul(out, g.constant(weights)));
        g.backward(loss);
    }
    GradientCheckResult r;
    double diff2 = 0, norm_a = 0, norm_n = 0;
    for (Parameter* p : params) {
        const Matrix analytic = p->grad;
        for (Eigen::Index i = 0; i < p->value.size(); ++i) {
            float& x = p->value.data()[i];
            const float x0 = x;
            x = static_cast<float>(x0 + eps);
            const double hi = x;
            const double fp = f();
            x = static_cast<float>(x0 - eps);
            const double lo = x;
            const double fm = f();
            x = x0;
            const double numeric = (fp - fm) / (hi - lo);
            const double a = analytic.data()[i];
            const double err = std::fabs(a - numeric);
            diff2 += err * err;
            norm_a += a * a;
            norm_n += numeric * numeric;
            const double excess = err - rtol * std::max(std::fabs(a), std::fabs(numeric));
            r.max_entry_error = std::max(r.max_entry_error, excess);
            if (excess > atol && r.ok) {
                r.ok = false;
                std::ostringstream os;
                os << p->name << "[" << i << "]: analytic " << a << ", numeric " << numeric;
                r.detail = os.str();
            }
        }
    }
    const double denom = std::sqrt(norm_a) + std::sqrt(norm_n);
    r.relative_norm_error = denom > 0 ? std::sqrt(diff2) / denom : 0.0;
    if (r.relative_norm_error > rtol && r.ok) {
        r.ok = false;
        r.detail = "relative norm error " + std::to_string(r.relative_norm_error);
    }
    return r;
}

}  // namespace milk::nn::test
