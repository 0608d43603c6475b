#include "core/error.h"
#include "core/models/milk/cyclic_mixup.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace milk;

TEST(Dirichlet, MomentsMatchTheSymmetricDirichlet) {
    // Symmetric Dirichlet(alpha) in M dims: E[t_i] = 1/M, Var[t_i] = (M-1) / (M^2 (M alpha + 1)).
    for (double alpha : {0.1, 0.5, 2.0}) {
        const int M = 3, n = 40000;
        Rng rng(11);
        std::vector<double> sum(M, 0), sq(M, 0);
        for (int i = 0; i < n; ++i) {
            auto t = sample_dirichlet(M, alpha, rng);
            double total = 0;
            for (int m = 0; m < M; ++m) {
                EXPECT_GE(t[m], 0.0f);
                total += t[m];
                sum[m] += t[m];
                sq[m] += double(t[m]) * t[m];
            }
            ASSERT_NEAR(total, 1.0, 1e-5);
        }
        const double var = (M - 1.0) / (M * M * (M * alpha + 1.0));
        for (int m = 0; m < M; ++m) {
            const double mean = sum[m] / n;
            EXPECT_NEAR(mean, 1.0 / M, 4 * std::sqrt(var / n)) << "alpha " << alpha;
            EXPECT_NEAR(sq[m] / n - mean * mean, var, 0.05 * var) << "alpha " << alpha;
        }
    }
}

TEST(Dirichlet, TinyAlphaStaysOnTheSimplex) {
    Rng rng(3);
    for (int i = 0; i < 2000; ++i) {
        auto t = sample_dirichlet(2, 0.01, rng);
        ASSERT_TRUE(std::isfinite(t[0]) && std::isfinite(t[1]));
        ASSERT_NEAR(t[0] + t[1], 1.0f, 1e-5f);
    }
}

TEST(Dirichlet, RejectsBadArguments) {
    Rng rng(1);
    EXPECT_THROW(sample_dirichlet(0, 0.1, rng), ConfigError);
    EXPECT_THROW(sample_dirichlet(2, 0.0, rng), ConfigError);
}

TEST(CyclicMixup, ShiftMovesTheLastWeightToTheFront) {
    EXPECT_EQ(circle_shift({0.1f, 0.2f, 0.7f}), (std::vector<float>{0.7f, 0.1f, 0.2f}));
}

TEST(CyclicMixup, EachModalityDominatesExactlyOneEnvironment) {
    for (int M : {2, 3, 5}) {
        CyclicMixup mix(M, EnvironmentStrategy{});
        Rng rng(5);
        for (int it = 0; it < 200; ++it) {
            const auto& envs = mix.next(rng);
            ASSERT_EQ(static_cast<int>(envs.size()), M + 1);
            for (float w : envs[0]) EXPECT_FLOAT_EQ(w, 1.0f / M);  // e = 0
            std::vector<int> dominated(M, 0);
            for (int e = 1; e <= M; ++e) {
                int arg = 0;
                for (int m = 1; m < M; ++m)
                    if (envs[e][m] > envs[e][arg]) arg = m;
                ++dominated[arg];
            }
            for (int m = 0; m < M; ++m) EXPECT_EQ(dominated[m], 1) << "M=" << M << " modality " << m;
        }
    }
}

TEST(CyclicMixup, StrategiesOfTable4) {
    Rng rng(9);
    EnvironmentStrategy no_e0;
    no_e0.include_equal = false;
    EXPECT_EQ(CyclicMixup(3, no_e0).next(rng).size(), 3u);

    EnvironmentStrategy fixed;
    fixed.redraw = false;
    CyclicMixup once(2, fixed);
    auto first = once.next(rng);
    EXPECT_EQ(once.next(rng), first);

    CyclicMixup redraw(2, EnvironmentStrategy{});
    auto a = redraw.next(rng);
    EXPECT_NE(redraw.next(rng), a);

    EnvironmentStrategy no_cs;
    no_cs.cyclic_shift = false;
    CyclicMixup independent(3, no_cs);
    auto envs = independent.next(rng);
    EXPECT_NE(envs[2], circle_shift(envs[1]));  // independent draws, not shifts
}
