#include "core/error.h"
#include "core/eval/paired_test.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace milk {
namespace {

TEST(StudentT, ClosedFormsForOneAndTwoDegrees) {
    // df = 1 is Cauchy: F(t) = 1/2 + atan(t)/pi. df = 2: F(t) = 1/2 + t / (2 sqrt(2 + t^2)).
    for (double t : {-7.0, -1.3, 0.0, 0.4, 2.5, 30.0}) {
        EXPECT_NEAR(student_t_cdf(t, 1), 0.5 + std::atan(t) / std::numbers::pi, 1e-12) << t;
        EXPECT_NEAR(student_t_cdf(t, 2), 0.5 + t / (2 * std::sqrt(2 + t * t)), 1e-12) << t;
    }
}

TEST(StudentT, TableCriticalValues) {
    // Two-sided 5% critical values from the t table: 2.776 (df 4), 2.228 (df 10), 1.96 (normal).
    EXPECT_NEAR(2 * (1 - student_t_cdf(2.776445105, 4)), 0.05, 1e-8);
    EXPECT_NEAR(2 * (1 - student_t_cdf(2.228138852, 10)), 0.05, 1e-8);
    EXPECT_NEAR(2 * (1 - student_t_cdf(1.959963985, 1e7)), 0.05, 1e-6);
    EXPECT_NEAR(regularized_incomplete_beta(2, 3, 0.4), 0.5248, 1e-12);  // 1 - sum_{j<2} C(4,j) .4^j .6^(4-j)
    EXPECT_THROW(regularized_incomplete_beta(0, 1, 0.5), StateError);
}

TEST(PairedTTest, HandComputedExample) {
    // d = a - b = 1 2 1 0 3: mean 1.4, squared deviations 0.16 0.36 0.16 1.96 2.56 (sum 5.2),
    // sd = sqrt(5.2 / 4) = 1.140175, t = 1.4 / (sd / sqrt(5)) = 2.745626, df 4,
    // two-sided p = 0.0516060 (Simpson integration of the t4 density).
    const std::vector<double> a{5, 7, 9, 6, 8}, b{4, 5, 8, 6, 5};
    const PairedTTest r = paired_t_test(a, b);
    EXPECT_EQ(r.n, 5);
    EXPECT_DOUBLE_EQ(r.df, 4);
    EXPECT_NEAR(r.mean_diff, 1.4, 1e-12);
    EXPECT_NEAR(r.sd_diff, std::sqrt(1.3), 1e-12);
    EXPECT_NEAR(r.t, 2.745625891934576, 1e-9);
    EXPECT_NEAR(r.p_value, 0.05160595781, 1e-8);
    // Swapping the runs flips the sign, not the p-value.
    const PairedTTest s = paired_t_test(b, a);
    EXPECT_NEAR(s.t, -r.t, 1e-12);
    EXPECT_NEAR(s.p_value, r.p_value, 1e-12);
}

TEST(PairedTTest, DegenerateInputs) {
    const std::vector<double> a{1, 2, 3}, b{1, 2, 3}, c{2, 3, 4};
    EXPECT_DOUBLE_EQ(paired_t_test(a, b).p_value, 1.0);
    EXPECT_DOUBLE_EQ(paired_t_test(c, a).p_value, 0.0);
    EXPECT_THROW(paired_t_test(std::vector<double>{1}, std::vector<double>{2}), DataError);
    EXPECT_THROW(paired_t_test(a, std::vector<double>{1, 2}), DataError);
}

TEST(Wilcoxon, HandComputedExample) {
    // Non-zero differences 0.5 1.5 -0.5 2.0 1.5 -1.0 (one zero pair dropped), n = 6.
    // |d| ranks: 0.5, 0.5 -> 1.5 each; 1.0 -> 3; 1.5, 1.5 -> 4.5 each; 2.0 -> 6.
    // W+ = 1.5 + 4.5 + 6 + 4.5 = 16.5; mean 6*7/4 = 10.5;
    // var = 6*7*13/24 - ((8-2) + (8-2))/48 = 22.75 - 0.25 = 22.5; z = 6 / sqrt(22.5);
    // p = erfc(z / sqrt 2) = 0.2059032.
    const std::vector<double> a{1.0, 2.5, 3.0, 0.5, 4.0, 2.0, 1.0}, b{0.5, 1.0, 3.0, 1.0, 2.0, 0.5, 2.0};
    const WilcoxonTest w = wilcoxon_signed_rank(a, b);
    EXPECT_EQ(w.n, 6);
    EXPECT_DOUBLE_EQ(w.w_plus, 16.5);
    EXPECT_NEAR(w.z, 6 / std::sqrt(22.5), 1e-12);
    EXPECT_NEAR(w.p_value, 0.20590321073, 1e-9);
}

TEST(AlignByUser, KeepsUsersInBothRuns) {
    const std::vector<std::int32_t> ua{5, 1, 3}, ub{3, 4, 5};
    const std::vector<float> a{0.5f, 0.1f, 0.3f}, b{0.03f, 0.04f, 0.05f};
    const AlignedPairs p = align_by_user(ua, a, ub, b);
    EXPECT_EQ(p.users, (std::vector<std::int32_t>{3, 5}));
    EXPECT_DOUBLE_EQ(p.a[0], 0.3f);
    EXPECT_DOUBLE_EQ(p.b[0], 0.03f);
    EXPECT_DOUBLE_EQ(p.a[1], 0.5f);
    EXPECT_DOUBLE_EQ(p.b[1], 0.05f);
    const std::vector<std::int32_t> dup{1, 1};
    const std::vector<float> two{0, 0};
    EXPECT_THROW(align_by_user(dup, two, ub, b), DataError);
}

}  // namespace
}  // namespace milk
