#pragma once
// A trainable float32 matrix with its gradient; what optimisers, checkpoints and the
// autodiff graph share. Vectors (biases, embeddings rows) are 1 x n or n x d matrices.
#include <Eigen/Core>
#include <string>

namespace milk::nn {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Parameter {
    std::string name;
    Matrix value;
    Matrix grad;           // same shape as value; zeroed by the optimiser after each step
    bool decay = true;     // whether the optimiser's weight decay applies

    Parameter() = default;
    Parameter(std::string n, Matrix v, bool d = true)
        : name(std::move(n)), value(std::move(v)), grad(Matrix::Zero(value.rows(), value.cols())), decay(d) {}
    void zero_grad() { grad.setZero(); }
};

}  // namespace milk::nn
