#include "core/error.h"
#include "core/nn/adam.h"
#include "core/nn/graph.h"
#include "core/nn/init.h"

#include <gtest/gtest.h>

#include <cmath>

namespace milk::nn {
namespace {

// f(w) = 0.5 * sum a_i (w_i - c_i)^2 through the graph; returns the loss.
float quadratic_backward(Parameter& w, const Matrix& a, const Matrix& c) {
    Graph g;
    Var d = sub(g.param(w), g.constant(c));
    Var loss = scale(sum(mul(g.constant(a), square(d))), 0.5f);
    g.backward(loss);
    return loss.scalar();
}

TEST(Adam, FirstTwoStepsMatchHandComputation) {
    // f(w) = w^2 / 2, w0 = 1, lr 0.1, betas 0.9 / 0.999, eps 1e-8.
    // Step 1: g = 1, m = 0.1, v = 0.001, m^ = 1, v^ = 1: w1 = 1 - 0.1 * 1 / (1 + 1e-8) = 0.9.
    // Step 2: g = 0.9, m = 0.18, v = 0.001809, m^ = 0.18 / 0.19, v^ = 0.001809 / 0.001999:
    //         w2 = 0.9 - 0.1 * 0.947368 / (0.951290 + 1e-8) = 0.800412.
    Parameter w("w", Matrix::Constant(1, 1, 1.0f));
    Adam adam(AdamOptions{.lr = 0.1f});
    w.grad(0, 0) = w.value(0, 0);
    adam.step({&w});
    EXPECT_NEAR(w.value(0, 0), 0.9, 1e-6);
    EXPECT_FLOAT_EQ(w.grad(0, 0), 0.0f);  // grads are zeroed by the step
    w.grad(0, 0) = w.value(0, 0);
    adam.step({&w});
    const double m = 0.18 / 0.19, v = 0.001809 / 0.001999;
    EXPECT_NEAR(w.value(0, 0), 0.9 - 0.1 * m / (std::sqrt(v) + 1e-8), 1e-6);
    EXPECT_NEAR(w.value(0, 0), 0.800412, 1e-6);
}

TEST(Adam, ConvergesOnAQuadratic) {
    Matrix a(1, 4), c(1, 4);
    a << 1.0f, 10.0f, 0.5f, 3.0f;
    c << 2.0f, -1.0f, 0.5f, -3.0f;
    Parameter w("w", Matrix::Zero(1, 4));
    Adam adam(AdamOptions{.lr = 0.05f});
    float first = quadratic_backward(w, a, c);
    w.zero_grad();
    for (int i = 0; i < 3000; ++i) {
        quadratic_backward(w, a, c);
        adam.step({&w});
    }
    const float last = quadratic_backward(w, a, c);
    EXPECT_GT(first, 10.0f);
    EXPECT_LT(last, 1e-4f);
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(w.value(0, j), c(0, j), 1e-2);
}

TEST(Adam, WeightDecayOnlyForDecayingParameters) {
    // Zero loss gradient: a decaying parameter still moves by lr * sign(w) on the first
    // step (g = wd * w); a non-decaying one stays put.
    Parameter decays("decays", Matrix::Constant(1, 2, 2.0f), true);
    Parameter fixed("fixed", Matrix::Constant(1, 2, 2.0f), false);
    decays.value(0, 1) = -2.0f;
    Adam adam(AdamOptions{.lr = 0.1f, .weight_decay = 0.5f});
    adam.step({&decays, &fixed});
    EXPECT_NEAR(decays.value(0, 0), 1.9f, 1e-6);
    EXPECT_NEAR(decays.value(0, 1), -1.9f, 1e-6);
    EXPECT_FLOAT_EQ(fixed.value(0, 0), 2.0f);
    // Coupled decay shrinks towards zero over many steps even without a loss.
    for (int i = 0; i < 200; ++i) adam.step({&decays, &fixed});
    EXPECT_LT(std::fabs(decays.value(0, 0)), 0.5f);
    EXPECT_FLOAT_EQ(fixed.value(0, 1), 2.0f);
}

TEST(Adam, StateRoundTripResumesIdentically) {
    Matrix a = Matrix::Constant(1, 3, 2.0f), c(1, 3);
    c << 1.0f, -1.0f, 4.0f;
    Parameter w("w", Matrix::Zero(1, 3));
    Adam adam(AdamOptions{.lr = 0.03f, .weight_decay = 0.01f});
    for (int i = 0; i < 5; ++i) {
        quadratic_backward(w, a, c);
        adam.step({&w});
    }
    const AdamState saved = adam.state({&w});
    Parameter copy = w;
    Adam resumed(adam.options());
    resumed.load_state({&copy}, saved);
    for (int i = 0; i < 5; ++i) {
        quadratic_backward(w, a, c);
        adam.step({&w});
        quadratic_backward(copy, a, c);
        resumed.step({&copy});
    }
    for (int j = 0; j < 3; ++j) EXPECT_EQ(w.value(0, j), copy.value(0, j));
    // A fresh optimiser (no moments) takes a different path: the state mattered.
    Parameter fresh = copy;
    Adam restarted(adam.options());
    quadratic_backward(fresh, a, c);
    restarted.step({&fresh});
    quadratic_backward(w, a, c);
    adam.step({&w});
    EXPECT_NE(fresh.value(0, 0), w.value(0, 0));
    Parameter other("other", Matrix::Zero(1, 3));
    EXPECT_THROW(resumed.load_state({&other}, saved), StateError);
}

TEST(Adam, RejectsBadOptionsAndGrads) {
    EXPECT_THROW(Adam(AdamOptions{.lr = -1.0f}), ConfigError);
    EXPECT_THROW(Adam(AdamOptions{.beta1 = 1.0f}), ConfigError);
    Parameter w("w", Matrix::Zero(2, 2));
    w.grad.resize(1, 2);
    Adam adam;
    EXPECT_THROW(adam.step({&w}), StateError);
}

TEST(Init, XavierUniformBoundsAndSeed) {
    Rng rng(5);
    const Matrix w = xavier_uniform(200, 100, rng);
    const float bound = std::sqrt(6.0f / 300.0f);
    EXPECT_LE(w.maxCoeff(), bound);
    EXPECT_GE(w.minCoeff(), -bound);
    EXPECT_NEAR(w.mean(), 0.0, 0.01);
    // Variance of U(-a, a) is a^2 / 3 = 2 / (fan_in + fan_out).
    EXPECT_NEAR((w.array() - w.mean()).square().mean(), 2.0 / 300.0, 2e-4);
    Rng again(5), other(6);
    EXPECT_TRUE(xavier_uniform(200, 100, again) == w);
    EXPECT_FALSE(xavier_uniform(200, 100, other) == w);
}

TEST(Init, NormalMoments) {
    Rng rng(9);
    const Matrix w = normal(300, 100, 0.1f, rng);
    EXPECT_NEAR(w.mean(), 0.0, 0.002);
    EXPECT_NEAR(std::sqrt((w.array() - w.mean()).square().mean()), 0.1, 0.002);
    EXPECT_THROW(normal(2, 2, -1.0f, rng), ConfigError);
}

}  // namespace
}  // namespace milk::nn
