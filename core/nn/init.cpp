#include "core/nn/init.h"

#include "core/error.h"

#include <cmath>
#include <string>

namespace milk::nn {

namespace {
void check_shape(const char* what, int rows, int cols) {
    if (rows < 0 || cols < 0)
        throw ConfigError(describe(std::string("nn::") + what, "shape", "non-negative rows and cols",
                                   std::to_string(rows) + "x" + std::to_string(cols)));
}
}  // namespace

Matrix xavier_uniform(int rows, int cols, Rng& rng, float gain) {
    check_shape("xavier_uniform", rows, cols);
    Matrix m(rows, cols);
    if (m.size() == 0) return m;
    const float a = gain * std::sqrt(6.0f / static_cast<float>(rows + cols));
    std::uniform_real_distribution<float> u(-a, a);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = u(rng);
    return m;
}

Matrix normal(int rows, int cols, float std, Rng& rng, float mean) {
    check_shape("normal", rows, cols);
    if (!(std >= 0.0f)) throw ConfigError(describe("nn::normal", "std", "std >= 0", std::to_string(std)));
    Matrix m(rows, cols);
    std::normal_distribution<float> n(mean, std);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = std > 0 ? n(rng) : mean;
    return m;
}

}  // namespace milk::nn
