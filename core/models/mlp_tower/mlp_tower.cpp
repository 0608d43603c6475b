#include "core/models/mlp_tower/mlp_tower.h"

#include "core/nn/init.h"

namespace milk {

void MlpTower::init(const std::string& name, int in, int hidden, int out, std::mt19937_64& rng) {
    w1 = nn::Parameter(name + ".w1", nn::xavier_uniform(in, hidden, rng));
    b1 = nn::Parameter(name + ".b1", nn::Matrix::Zero(1, hidden));
    w2 = nn::Parameter(name + ".w2", nn::xavier_uniform(hidden, out, rng));
    b2 = nn::Parameter(name + ".b2", nn::Matrix::Zero(1, out));
}

nn::Var MlpTower::operator()(nn::Var x, bool frozen) {
    nn::Graph& g = *x.graph;
    auto use = [&](nn::Parameter& p) { return frozen ? g.constant(p.value) : g.param(p); };
    nn::Var h = nn::tanh(nn::add_row_broadcast(nn::matmul(x, use(w1)), use(b1)));
    return nn::add_row_broadcast(nn::matmul(h, use(w2)), use(b2));
}

nn::Matrix MlpTower::apply(const nn::Matrix& x) const {
    nn::Matrix h = x * w1.value;
    h.rowwise() += b1.value.row(0);
    h = h.array().tanh().matrix();
    nn::Matrix y = h * w2.value;
    y.rowwise() += b2.value.row(0);
    return y;
}

}  // namespace milk
