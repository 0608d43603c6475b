#pragma once
// Significance of a difference between two runs on the same users: the paired t-test
// (two-sided, Student t with n - 1 degrees of freedom) and the Wilcoxon signed-rank test
// (two-sided, normal approximation with tie correction; zero differences dropped).
// Inputs are per-user values aligned by user id (GroupResult::users / user_ndcg).
#include <cstdint>
#include <span>
#include <vector>

namespace milk {

struct PairedTTest {
    int n = 0;              // paired users
    double mean_diff = 0;   // mean of a - b
    double sd_diff = 0;     // sample standard deviation of a - b
    double t = 0;
    double df = 0;
    double p_value = 1;     // two-sided
};

struct WilcoxonTest {
    int n = 0;          // pairs with a non-zero difference
    double w_plus = 0;  // sum of ranks of positive differences
    double z = 0;
    double p_value = 1;  // two-sided, normal approximation
};

// Pairs a[i] with b[i]. Throws DataError when sizes differ or fewer than 2 pairs.
PairedTTest paired_t_test(std::span<const double> a, std::span<const double> b);
WilcoxonTest wilcoxon_signed_rank(std::span<const double> a, std::span<const double> b);

// Pairs by user id: only users present in both are used (DataError on duplicate ids).
struct AlignedPairs {
    std::vector<std::int32_t> users;  // ascending
    std::vector<double> a, b;
};
AlignedPairs align_by_user(std::span<const std::int32_t> users_a, std::span<const float> a,
                           std::span<const std::int32_t> users_b, std::span<const float> b);

// I_x(a, b), the regularised incomplete beta function (continued fraction), a, b > 0, 0 <= x <= 1.
double regularized_incomplete_beta(double a, double b, double x);
// P(T <= t) for Student's t with df > 0 degrees of freedom.
double student_t_cdf(double t, double df);

}  // namespace milk
