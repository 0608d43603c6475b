#pragma once
// Heterogeneous environments by cyclic mixup (paper section 4.3, Eq. 9-12).
//   Theta_1 ~ Dirichlet(alpha, ..., alpha)                      (Eq. 9)
//   Theta_m = circle_shift(Theta_{m-1}): {t1..tM} -> {tM, t1, .., t(M-1)}  (Eq. 10-11)
// plus e = 0 with equal weights 1/M, kept so the inference fusion (Eq. 18) is always
// trained. Each modality dominates exactly one of the M shifted environments.
// Table 4's strategies: without e=0, without cyclic shift (M independent draws),
// without redrawing (drawn once, then fixed).
#include "core/models/model.h"

#include <vector>

namespace milk {

// One draw from a symmetric Dirichlet(alpha) of dimension m. Robust for small alpha
// (0.01): gammas are drawn in log space, so weights never underflow to 0/0.
std::vector<float> sample_dirichlet(int m, double alpha, Rng& rng);

// {t1, .., tM} -> {tM, t1, .., t(M-1)} (Eq. 11).
std::vector<float> circle_shift(const std::vector<float>& theta);

struct EnvironmentStrategy {
    bool include_equal = true;  // e = 0
    bool cyclic_shift = true;   // false: M independent Dirichlet draws ("w/o cs")
    bool redraw = true;         // false: drawn once at the start ("w/o random")
    double alpha = 0.1;
};

class CyclicMixup {
public:
    CyclicMixup(int n_modalities, EnvironmentStrategy strategy);
    // The environments' weights (environments x modalities) for the next iteration.
    const std::vector<std::vector<float>>& next(Rng& rng);
    const std::vector<std::vector<float>>& current() const { return weights_; }
    int n_environments() const { return (strategy_.include_equal ? 1 : 0) + m_; }

private:
    void draw(Rng& rng);
    int m_;
    EnvironmentStrategy strategy_;
    bool drawn_ = false;
    std::vector<std::vector<float>> weights_;
};

}  // namespace milk
