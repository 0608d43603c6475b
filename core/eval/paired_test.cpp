#include "core/eval/paired_test.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace milk {

namespace {

// Continued fraction of I_x(a, b) (modified Lentz), valid for x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double a, double b, double x) {
    constexpr double tiny = 1e-300;
    constexpr double eps = 1e-15;
    double c = 1.0;
    double d = 1.0 - (a + b) * x / (a + 1.0);
    if (std::fabs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double f = d;
    for (int m = 1; m <= 10000; ++m) {
        const double m2 = 2.0 * m;
        // even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m))
        double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + num * d;
        if (std::fabs(d) < tiny) d = tiny;
        c = 1.0 + num / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        f *= d * c;
        // odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + num * d;
        if (std::fabs(d) < tiny) d = tiny;
        c = 1.0 + num / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        const double delta = d * c;
        f *= delta;
        if (std::fabs(delta - 1.0) < eps) return f;
    }
    throw StateError(describe("regularized_incomplete_beta", "continued fraction", "convergence",
                              "none after 10000 terms for a=" + std::to_string(a) + " b=" + std::to_string(b) +
                                  " x=" + std::to_string(x)));
}

void check_pairs(std::size_t na, std::size_t nb, const char* test) {
    if (na != nb)
        throw DataError(describe(test, "values", "two vectors of equal length", std::to_string(na) + " and " + std::to_string(nb)));
    if (na < 2) throw DataError(describe(test, "values", "at least 2 pairs", std::to_string(na)));
}

double normal_two_sided_p(double z) { return std::erfc(std::fabs(z) / std::sqrt(2.0)); }

}  // namespace

double regularized_incomplete_beta(double a, double b, double x) {
    if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1))
        throw StateError(describe("regularized_incomplete_beta", "arguments", "a > 0, b > 0, 0 <= x <= 1",
                                  "a=" + std::to_string(a) + " b=" + std::to_string(b) + " x=" + std::to_string(x)));
    if (x == 0) return 0;
    if (x == 1) return 1;
    const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
    if (x < (a + 1.0) / (a + b + 2.0)) return std::exp(log_front) * beta_continued_fraction(a, b, x) / a;
    // Symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges fast.
    return 1.0 - std::exp(log_front) * beta_continued_fraction(b, a, 1.0 - x) / b;
}

double student_t_cdf(double t, double df) {
    if (!(df > 0)) throw StateError(describe("student_t_cdf", "df", "df > 0", std::to_string(df)));
    if (std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
    if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
    // P(|T| > |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2)
    const double tail = 0.5 * regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    return t >= 0 ? 1.0 - tail : tail;
}

PairedTTest paired_t_test(std::span<const double> a, std::span<const double> b) {
    check_pairs(a.size(), b.size(), "paired t-test");
    PairedTTest r;
    r.n = static_cast<int>(a.size());
    double mean = 0;
    for (std::size_t i = 0; i < a.size(); ++i) mean += a[i] - b[i];
    mean /= r.n;
    double ss = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double dev = (a[i] - b[i]) - mean;
        ss += dev * dev;
    }
    r.mean_diff = mean;
    r.sd_diff = std::sqrt(ss / (r.n - 1));
    r.df = r.n - 1;
    if (r.sd_diff == 0) {
        // Every difference equal: no spread to test against.
        r.t = mean == 0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), mean);
        r.p_value = mean == 0 ? 1.0 : 0.0;
        return r;
    }
    r.t = mean / (r.sd_diff / std::sqrt(static_cast<double>(r.n)));
    r.p_value = regularized_incomplete_beta(r.df / 2.0, 0.5, r.df / (r.df + r.t * r.t));
    return r;
}

WilcoxonTest wilcoxon_signed_rank(std::span<const double> a, std::span<const double> b) {
    check_pairs(a.size(), b.size(), "Wilcoxon signed-rank test");
    std::vector<double> d;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) d.push_back(a[i] - b[i]);
    WilcoxonTest r;
    r.n = static_cast<int>(d.size());
    if (r.n == 0) return r;
    std::vector<std::size_t> order(d.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return std::fabs(d[x]) < std::fabs(d[y]); });
    double tie_term = 0;
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && std::fabs(d[order[j + 1]]) == std::fabs(d[order[i]])) ++j;
        const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;  // average rank
        const double t = static_cast<double>(j - i + 1);
        tie_term += t * t * t - t;
        for (std::size_t k = i; k <= j; ++k)
            if (d[order[k]] > 0) r.w_plus += rank;
        i = j + 1;
    }
    const double n = r.n;
    const double mean = n * (n + 1) / 4.0;
    const double var = n * (n + 1) * (2 * n + 1) / 24.0 - tie_term / 48.0;
    if (var <= 0) return r;
    r.z = (r.w_plus - mean) / std::sqrt(var);
    r.p_value = normal_two_sided_p(r.z);
    return r;
}

AlignedPairs align_by_user(std::span<const std::int32_t> users_a, std::span<const float> a,
                           std::span<const std::int32_t> users_b, std::span<const float> b) {
    if (users_a.size() != a.size() || users_b.size() != b.size())
        throw DataError(describe("paired test", "per-user values", "one value per user",
                                 std::to_string(users_a.size()) + " users with " + std::to_string(a.size()) + " values and " +
                                     std::to_string(users_b.size()) + " users with " + std::to_string(b.size()) + " values"));
    auto sorted = [](std::span<const std::int32_t> users) {
        std::vector<std::size_t> idx(users.size());
        std::iota(idx.begin(), idx.end(), std::size_t{0});
        std::sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) { return users[x] < users[y]; });
        for (std::size_t i = 1; i < idx.size(); ++i)
            if (users[idx[i]] == users[idx[i - 1]])
                throw DataError(describe("paired test", "user ids", "each user once", "user " + std::to_string(users[idx[i]]) + " twice"));
        return idx;
    };
    const auto ia = sorted(users_a);
    const auto ib = sorted(users_b);
    AlignedPairs out;
    std::size_t i = 0, j = 0;
    while (i < ia.size() && j < ib.size()) {
        const std::int32_t ua = users_a[ia[i]], ub = users_b[ib[j]];
        if (ua < ub) ++i;
        else if (ub < ua) ++j;
        else {
            out.users.push_back(ua);
            out.a.push_back(a[ia[i]]);
            out.b.push_back(b[ib[j]]);
            ++i;
            ++j;
        }
    }
    return out;
}

}  // namespace milk
