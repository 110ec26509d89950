// The simulation's random numbers (detail/draws.hpp): its own log and exp, the counter-based
// streams, and the distributions drawn from them.
// Oracles: std::log and std::exp (correctly rounded or nearly), the distributions' moments
// (uniform 1/2; normal 0 and 1; Poisson lambda and lambda; Gamma(k) k and k; negative binomial
// m and m + m^2 / k) with tolerances of at least 4 standard errors for the sample sizes used, and
// std::llround for factor_units.
#include <doctest/doctest.h>

#include <incentives/detail/draws.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace dr = incentives::detail::draws;

namespace {

double relative(double got, double want) { return std::fabs(got - want) / std::fabs(want); }

/// Sample mean and variance (divided by n - 1) of n draws of `draw`.
template <class Draw>
std::pair<double, double> moments(int n, Draw draw) {
    double sum = 0.0, sum2 = 0.0;
    std::vector<double> xs(static_cast<std::size_t>(n));
    for (auto& x : xs) {
        x = draw();
        sum += x;
    }
    const double mean = sum / n;
    for (double x : xs) sum2 += (x - mean) * (x - mean);
    return {mean, sum2 / (n - 1)};
}

}  // namespace

TEST_CASE("draws: log agrees with std::log to a relative 4e-16") {
    // On this grid; a dense sweep finds up to 4.8e-16 just below x = sqrt(1/2) (m near sqrt 2,
    // where |u| is largest and e ln 2 cancels half of log m).
    CHECK(dr::log(1.0) == 0.0);  // m = 1, u = 0
    for (double x : {1e-300, 1e-200, 1e-100, 1e-20, 1e-10, 1e-3, 0.1, 0.25, 0.5, 0.7, 0.75, 0.9, 1.5, 2.0, 2.718281828459045,
                     3.0, 10.0, 123.456, 1e3, 1e10, 1e20, 1e100, 1e200, 1e300}) {
        CAPTURE(x);
        CHECK(relative(dr::log(x), std::log(x)) <= 4e-16);
    }
    CHECK(dr::log(2.0) == doctest::Approx(0.69314718055994530942).epsilon(1e-16));
}

TEST_CASE("draws: exp agrees with std::exp to a relative 4e-16 from -700 to 700") {
    CHECK(dr::exp(0.0) == 1.0);
    for (int i = -7000; i <= 7000; i += 37) {  // x = -700, -696.3, ..., 699.9
        const double x = i / 10.0;
        CAPTURE(x);
        CHECK(relative(dr::exp(x), std::exp(x)) <= 4e-16);
    }
    CHECK(dr::exp(710.0) == HUGE_VAL);  // beyond the binary64 range: saturates
    CHECK(dr::exp(-746.0) == 0.0);
}

TEST_CASE("draws: exp(log(x)) gives x back") {
    // log(x) is off by at most 4e-16 |ln x| (and rounding ln x to binary64 costs 1.1e-16 |ln x|),
    // which exp turns into the same relative error, plus exp's own 4e-16:
    // a bound of 1e-15 (1 + |ln x|).
    for (double x : {1e-300, 1e-10, 0.1, 0.5, 1.0, 3.0, 1e10, 1e300}) {
        CAPTURE(x);
        CHECK(relative(dr::exp(dr::log(x)), x) <= 1e-15 * (1.0 + std::fabs(std::log(x))));
    }
}

TEST_CASE("draws: a stream is a pure function of (seed, scenario, competitor, slot, purpose)") {
    using dr::purpose;
    dr::stream a(7, 3, 5, 2, purpose::performance), b(7, 3, 5, 2, purpose::performance);
    for (int i = 0; i < 100; ++i) {
        CAPTURE(i);
        REQUIRE(a.bits() == b.bits());
    }
    const std::uint64_t first = dr::stream(7, 3, 5, 2, purpose::performance).bits();
    CHECK(dr::stream(8, 3, 5, 2, purpose::performance).bits() != first);            // seed
    CHECK(dr::stream(7 + (1ULL << 32), 3, 5, 2, purpose::performance).bits() != first);  // the seed's high half
    CHECK(dr::stream(7, 4, 5, 2, purpose::performance).bits() != first);            // scenario
    CHECK(dr::stream(7, 3, 6, 2, purpose::performance).bits() != first);            // competitor
    CHECK(dr::stream(7, 3, 5, 3, purpose::performance).bits() != first);            // slot
    CHECK(dr::stream(7, 3, 5, 2, purpose::count).bits() != first);                  // purpose
    // the draws within a stream differ from one another (a new Philox block every 2 draws)
    dr::stream c(7, 3, 5, 2, purpose::performance);
    const std::uint64_t x0 = c.bits(), x1 = c.bits(), x2 = c.bits();
    CHECK(x0 == first);
    CHECK(x1 != x0);
    CHECK(x2 != x1);
    CHECK(x2 != x0);
}

TEST_CASE("draws: uniform() is in the open interval (0, 1) with mean 1/2") {
    dr::stream s(11, 0, 0, 0, dr::purpose::pick);
    double sum = 0.0;
    bool inside = true;
    const int n = 100000;
    for (int i = 0; i < n; ++i) {
        const double u = s.uniform();
        inside = inside && u > 0.0 && u < 1.0;
        sum += u;
    }
    CHECK(inside);
    // the standard error of the mean is sqrt(1/12 / 100,000) = 0.00091: 0.005 is 5.5 of them
    CHECK(std::fabs(sum / n - 0.5) <= 0.005);
}

TEST_CASE("draws: normal() has mean 0 and variance 1") {
    dr::stream s(12, 1, 2, 3, dr::purpose::performance);
    // standard errors over 200,000: mean 1/sqrt(200,000) = 0.0022, variance sqrt(2/200,000) = 0.0032
    const auto [mean, variance] = moments(200000, [&] { return s.normal(); });
    CHECK(std::fabs(mean) <= 0.01);
    CHECK(std::fabs(variance - 1.0) <= 0.02);
}

TEST_CASE("draws: poisson() has mean and variance lambda on both branches") {
    for (double lambda : {3.5, 250.0}) {  // 3.5: multiplication of uniforms; 250: PTRS (above 30)
        CAPTURE(lambda);
        dr::stream s(13, 0, 1, 0, dr::purpose::count);
        // standard errors over 100,000: mean sqrt(lambda / n) (0.17% and 0.02% of lambda); variance
        // sqrt((lambda (1 + 3 lambda) - lambda^2) / n) (0.48% and 0.45% of lambda)
        const auto [mean, variance] = moments(100000, [&] { return static_cast<double>(s.poisson(lambda)); });
        CHECK(std::fabs(mean - lambda) <= 0.01 * lambda);
        CHECK(std::fabs(variance - lambda) <= 0.03 * lambda);
    }
    dr::stream s(13, 0, 1, 0, dr::purpose::count);
    CHECK(s.poisson(0.0) == 0);
    CHECK(s.poisson(-1.0) == 0);
    CHECK(s.poisson(std::numeric_limits<double>::quiet_NaN()) == 0);
    CHECK_THROWS_AS((void)s.poisson(2e15), incentives::calculation_error);
}

TEST_CASE("draws: gamma(shape) has mean shape, below and above shape 1") {
    for (double shape : {0.5, 4.0}) {  // 0.5: through Gamma(1.5) U^2; 4: Marsaglia and Tsang directly
        CAPTURE(shape);
        dr::stream s(14, 2, 0, 1, dr::purpose::performance);
        // standard error of the mean over 100,000: sqrt(shape / n) = 0.45% (0.5) and 0.16% (4) of shape;
        // of the variance shape sqrt((2 + 6 / shape) / n): 1.2% (0.5) and 0.6% (4)
        const auto [mean, variance] = moments(100000, [&] { return s.gamma(shape); });
        CHECK(std::fabs(mean - shape) <= 0.02 * shape);
        CHECK(std::fabs(variance - shape) <= 0.05 * shape);
    }
}

TEST_CASE("draws: negative_binomial(mean 20, k 5) has mean 20 and variance 20 + 20^2 / 5 = 100") {
    dr::stream s(15, 4, 2, 0, dr::purpose::count);
    // standard errors over 100,000: mean sqrt(100 / n) = 0.032 (0.16% of 20); variance about
    // 100 sqrt(3.3 / n) = 0.57 (0.6% of 100)
    const auto [mean, variance] = moments(100000, [&] { return static_cast<double>(s.negative_binomial(20.0, 5.0)); });
    CHECK(std::fabs(mean - 20.0) <= 0.02 * 20.0);
    CHECK(std::fabs(variance - 100.0) <= 0.05 * 100.0);
    CHECK(s.negative_binomial(0.0, 5.0) == 0);
}

TEST_CASE("draws: factor_units is the factor in millionths, rounded as llround does") {
    CHECK(dr::factor_units(1.0) == 1000000);
    CHECK(dr::factor_units(0.0) == 0);
    // 0.1234565 is stored as 0.12345649999999999679...; times 1e6 it rounds to 123456.5 exactly in
    // binary64, and llround takes that half away from zero: 123457
    CHECK(dr::factor_units(0.1234565) == 123457);
    CHECK(dr::factor_units(0.1234565) == std::llround(0.1234565 * 1e6));
    CHECK(dr::factor_units(1.5e-6) == 2);   // 1.5 -> 2
    CHECK(dr::factor_units(2.5e-7) == 0);   // 0.25 -> 0
    CHECK(dr::factor_units(9e12) == 9000000000000000000);  // the largest allowed: 9e18 < 2^63
    CHECK_THROWS_AS((void)dr::factor_units(-0.5), incentives::calculation_error);
    CHECK_THROWS_AS((void)dr::factor_units(std::numeric_limits<double>::quiet_NaN()), incentives::calculation_error);
    CHECK_THROWS_AS((void)dr::factor_units(9.1e12), incentives::calculation_error);
    CHECK_THROWS_AS((void)dr::factor_units(HUGE_VAL), incentives::calculation_error);
}
