#pragma once
// Adam (Kingma & Ba 2015) as PyTorch's torch.optim.Adam computes it, including its
// coupled weight decay: g <- grad + weight_decay * value (only for Parameters with
// decay = true); m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
// value <- value - lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
#include "core/nn/parameter.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace milk::nn {

struct AdamOptions {
    float lr = 1e-3f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float eps = 1e-8f;
    float weight_decay = 0.0f;
};

// Moments of every parameter, by parameter name, so a run can be checkpointed and resumed.
struct AdamState {
    struct Entry {
        std::string name;
        std::int64_t step = 0;
        Matrix m, v;
    };
    std::vector<Entry> entries;
};

class Adam {
public:
    explicit Adam(AdamOptions options = {});

    // Updates each parameter from its grad, then zeroes the grads. State is kept per
    // Parameter object (by address): pass the same Parameters every step.
    void step(const std::vector<Parameter*>& params);

    const AdamOptions& options() const { return options_; }
    void set_lr(float lr) { options_.lr = lr; }
    void reset() { state_.clear(); }

    // Export / import the moments of `params` (matched by name; StateError on a missing
    // name or a shape mismatch when importing).
    AdamState state(const std::vector<Parameter*>& params) const;
    void load_state(const std::vector<Parameter*>& params, const AdamState& state);

private:
    struct Moments {
        std::int64_t step = 0;
        Matrix m, v;
    };
    AdamOptions options_;
    std::unordered_map<const Parameter*, Moments> state_;
};

}  // namespace milk::nn
