#include "core/nn/adam.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>

namespace milk::nn {

namespace {
std::string shape(const Matrix& m) { return std::to_string(m.rows()) + "x" + std::to_string(m.cols()); }
}  // namespace

Adam::Adam(AdamOptions options) : options_(options) {
    auto bad = [](const std::string& field, const std::string& expected, float found) {
        throw ConfigError(describe("Adam options", field, expected, std::to_string(found)));
    };
    if (!(options_.lr >= 0.0f)) bad("lr", "lr >= 0", options_.lr);
    if (!(options_.beta1 >= 0.0f && options_.beta1 < 1.0f)) bad("beta1", "0 <= beta1 < 1", options_.beta1);
    if (!(options_.beta2 >= 0.0f && options_.beta2 < 1.0f)) bad("beta2", "0 <= beta2 < 1", options_.beta2);
    if (!(options_.eps > 0.0f)) bad("eps", "eps > 0", options_.eps);
    if (!(options_.weight_decay >= 0.0f)) bad("weight_decay", "weight_decay >= 0", options_.weight_decay);
}

void Adam::step(const std::vector<Parameter*>& params) {
    const float b1 = options_.beta1, b2 = options_.beta2;
    for (Parameter* p : params) {
        if (p->grad.rows() != p->value.rows() || p->grad.cols() != p->value.cols())
            throw StateError(describe("Adam", "parameter " + p->name, "grad of shape " + shape(p->value), shape(p->grad)));
        Moments& s = state_[p];
        if (s.step == 0 || s.m.rows() != p->value.rows() || s.m.cols() != p->value.cols()) {
            s.m = Matrix::Zero(p->value.rows(), p->value.cols());
            s.v = Matrix::Zero(p->value.rows(), p->value.cols());
            s.step = 0;
        }
        ++s.step;
        const float wd = p->decay ? options_.weight_decay : 0.0f;
        const float bc1 = static_cast<float>(1.0 - std::pow(static_cast<double>(b1), static_cast<double>(s.step)));
        const float bc2 = static_cast<float>(1.0 - std::pow(static_cast<double>(b2), static_cast<double>(s.step)));
        const float step_size = options_.lr / bc1;
        const float inv_sqrt_bc2 = 1.0f / std::sqrt(bc2);
        const float eps = options_.eps;
        float* w = p->value.data();
        const float* g = p->grad.data();
        float* m = s.m.data();
        float* v = s.v.data();
        const Eigen::Index n = p->value.size();
        // Element-wise, so splitting it across threads changes no number.
#pragma omp parallel for num_threads(Eigen::nbThreads()) if (n > (1 << 16)) schedule(static)
        for (Eigen::Index i = 0; i < n; ++i) {
            const float gi = g[i] + wd * w[i];
            m[i] = b1 * m[i] + (1.0f - b1) * gi;
            v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
            w[i] -= step_size * m[i] / (std::sqrt(v[i]) * inv_sqrt_bc2 + eps);
        }
        std::fill(p->grad.data(), p->grad.data() + n, 0.0f);
    }
}

AdamState Adam::state(const std::vector<Parameter*>& params) const {
    AdamState out;
    for (const Parameter* p : params) {
        auto it = state_.find(p);
        AdamState::Entry e;
        e.name = p->name;
        if (it != state_.end()) {
            e.step = it->second.step;
            e.m = it->second.m;
            e.v = it->second.v;
        }
        out.entries.push_back(std::move(e));
    }
    return out;
}

void Adam::load_state(const std::vector<Parameter*>& params, const AdamState& st) {
    std::unordered_map<const Parameter*, Moments> next;
    for (const Parameter* p : params) {
        const AdamState::Entry* found = nullptr;
        for (const auto& e : st.entries)
            if (e.name == p->name) found = &e;
        if (found == nullptr) throw StateError(describe("Adam state", "parameter " + p->name, "an entry", "none"));
        if (found->step == 0) continue;
        if (found->m.rows() != p->value.rows() || found->m.cols() != p->value.cols() ||
            found->v.rows() != p->value.rows() || found->v.cols() != p->value.cols())
            throw StateError(describe("Adam state", "parameter " + p->name, "moments of shape " + shape(p->value),
                                      shape(found->m) + " and " + shape(found->v)));
        next[p] = Moments{found->step, found->m, found->v};
    }
    state_ = std::move(next);
}

}  // namespace milk::nn
