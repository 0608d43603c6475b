#pragma once
// A two-layer perceptron f(x) = tanh(x W1 + b1) W2 + b2 (the towers, generators and
// encoders of GAR and GoRec), usable on the autodiff graph and on plain matrices; the
// graph form can treat the weights as constants (a GAN's generator step must not move
// the discriminator).
#include "core/nn/graph.h"

#include <random>
#include <string>
#include <vector>

namespace milk {

struct MlpTower {
    nn::Parameter w1, b1, w2, b2;

    void init(const std::string& name, int in, int hidden, int out, std::mt19937_64& rng);
    // On x's graph; with frozen = true the weights enter as constants (no gradient).
    nn::Var operator()(nn::Var x, bool frozen = false);
    nn::Matrix apply(const nn::Matrix& x) const;
    void add_to(std::vector<nn::Parameter*>& params) {
        for (nn::Parameter* p : {&w1, &b1, &w2, &b2}) params.push_back(p);
    }
};

}  // namespace milk
