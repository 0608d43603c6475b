#pragma once
// What the baseline tests share: a central finite-difference check of a model's batch loss
// on the tiny dataset (learning on demo: tests/core/train/baseline_learning_test.cpp).
#include "core/models/model.h"
#include "support/tiny_dataset.h"

#include <gtest/gtest.h>

#include <cmath>

namespace milk::test {

struct TinyData {
    Dataset ds = tiny_dataset();
    std::vector<FeatureMatrix> features;
    TinyData() {
        for (const auto& m : ds.modalities) features.push_back(m.features);
    }
    TrainingData td() const { return TrainingData{&ds, nullptr, &features}; }
};

// d loss / d parameter from train_batch against central differences, for the first
// `per_param` entries of every parameter (the batch's randomness replays from one seed).
inline void expect_gradients_match(Model& model, const Batch& batch, int per_param = 12, float h = 2e-3f) {
    auto loss_at = [&] {
        for (auto* p : model.parameters()) p->zero_grad();
        Rng r(2);
        return model.train_batch(batch, r).loss;
    };
    loss_at();
    std::vector<nn::Matrix> analytic;
    for (auto* p : model.parameters()) analytic.push_back(p->grad);
    auto params = model.parameters();
    double max_abs = 0;
    for (std::size_t i = 0; i < params.size(); ++i) {
        max_abs = std::max<double>(max_abs, analytic[i].cwiseAbs().maxCoeff());
        for (Eigen::Index k = 0; k < std::min<Eigen::Index>(params[i]->value.size(), per_param); ++k) {
            float& x = params[i]->value.data()[k];
            const float keep = x;
            x = keep + h;
            const double up = loss_at();
            x = keep - h;
            const double down = loss_at();
            x = keep;
            const double numeric = (up - down) / (2 * h);
            EXPECT_NEAR(analytic[i].data()[k], numeric, 2e-3 + 3e-2 * std::abs(numeric))
                << params[i]->name << "[" << k << "]";
        }
    }
    EXPECT_GT(max_abs, 1e-4) << "no parameter receives a gradient: the check would be vacuous";
}

}  // namespace milk::test
