// The simulation's random numbers: counter-based streams (Random123's Philox 4x32-10) and the
// library's own distributions, so that a draw depends only on (seed, scenario, competitor, stream)
// and is the same on every machine.
//
// Why not <random>: its distributions are implementation-defined (std::normal_distribution differs
// between libstdc++ and libc++). Why binary64 here at all: a draw is a dimensionless performance
// factor, not money. Only IEEE-754 basic operations (+ - * / sqrt, correctly rounded on every
// conforming machine; the library is compiled with -ffp-contract=off so that no FMA changes a
// result) and frexp/ldexp (exact) are used: exp and log are written below from those. A factor
// becomes an exact decimal of 6 places (`factor_units`) before it touches a measure.
#pragma once

#include <cmath>
#include <cstdint>

#include <Random123/philox.h>

#include <incentives/errors.hpp>

namespace incentives::detail::draws {

/// ln 2 split so that k * ln2_hi is exact for |k| < 2^11 (Cody and Waite's reduction).
inline constexpr double ln2_hi = 6.93147180369123816490e-01;
inline constexpr double ln2_lo = 1.90821492927058770002e-10;

/// Natural logarithm of x > 0 from basic operations: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
/// log m = 2 atanh(u), u = (m - 1) / (m + 1), |u| <= 0.1716, by its series to u^25 (the series'
/// error < 1e-19; rounding makes the result within about 3 ulp).
[[nodiscard]] inline double log(double x) {
    int e = 0;
    double m = std::frexp(x, &e);  // m in [0.5, 1)
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        e -= 1;
    }
    const double u = (m - 1.0) / (m + 1.0), u2 = u * u;
    double s = 1.0 / 25.0;
    for (int k = 23; k >= 1; k -= 2) s = s * u2 + 1.0 / k;
    const double de = static_cast<double>(e);
    return de * ln2_hi + (de * ln2_lo + 2.0 * u * s);
}

/// e^x from basic operations: x = k ln2 + r, |r| <= ln2 / 2, e^r by its Taylor series to r^20
/// (error < 1e-22), times 2^k (exact). Beyond the binary64 range it saturates.
[[nodiscard]] inline double exp(double x) {
    if (x != x) return x;  // NaN
    if (x > 709.78) return HUGE_VAL;
    if (x < -745.0) return 0.0;
    const double k = std::floor(x * 1.44269504088896340736 + 0.5);
    const double r = (x - k * ln2_hi) - k * ln2_lo;
    double s = 1.0;
    for (int n = 20; n >= 1; --n) s = 1.0 + s * r / n;
    return std::ldexp(s, static_cast<int>(k));
}

/// log Gamma(n + 1) = log n! for a whole n >= 0: summed below 16, Stirling's series above.
[[nodiscard]] inline double log_factorial(double n) {
    if (n < 16.0) {
        double s = 0.0;
        for (double k = 2.0; k <= n; k += 1.0) s += log(k);
        return s;
    }
    const double x = n + 1.0, ix = 1.0 / x, ix2 = ix * ix;
    return (x - 0.5) * log(x) - x + 0.91893853320467274178 +
           ix * (1.0 / 12.0 - ix2 * (1.0 / 360.0 - ix2 * (1.0 / 1260.0 - ix2 / 1680.0)));
}

/// Purposes of a competitor's streams: each has its own counters, so adding a draw of one kind
/// never shifts the draws of another.
inline constexpr std::uint32_t max_slot = (1u << 28) - 1;
enum class purpose : std::uint32_t { pick = 1, performance = 2, count = 3, participation = 4, market = 5 };

/// A stream of 64-bit draws for one (scenario, competitor, slot, purpose) under a seed: Philox
/// 4x32-10 with key = seed and counter = (scenario, competitor, slot << 4 | purpose, index). A slot
/// is below 2^28 (max_slot; the simulation checks it).
class stream {
public:
    stream(std::uint64_t seed, std::uint32_t scenario, std::uint32_t competitor, std::uint32_t slot, purpose what) noexcept
        : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
          ctr_{{scenario, competitor, (slot << 4) | static_cast<std::uint32_t>(what), 0}} {}

    [[nodiscard]] std::uint64_t bits() {
        if (used_ == 2) {
            out_ = r123::Philox4x32()(ctr_, key_);
            ++ctr_[3];
            used_ = 0;
        }
        const std::uint64_t v = (static_cast<std::uint64_t>(out_[2 * used_]) << 32) | out_[2 * used_ + 1];
        ++used_;
        return v;
    }
    /// Uniform on the open interval (0, 1): 52 random bits, centred in their cell (k + 1/2 needs 53
    /// bits, so it is exact, and the largest value is 1 - 2^-53 < 1).
    [[nodiscard]] double uniform() { return (static_cast<double>(bits() >> 12) + 0.5) * 0x1.0p-52; }
    /// Standard normal by Marsaglia's polar method (basic operations, log and sqrt only).
    [[nodiscard]] double normal() {
        if (spare_) {
            spare_ = false;
            return spare_value_;
        }
        for (;;) {
            const double u = 2.0 * uniform() - 1.0, v = 2.0 * uniform() - 1.0, s = u * u + v * v;
            if (s >= 1.0 || s == 0.0) continue;
            const double f = std::sqrt(-2.0 * log(s) / s);
            spare_value_ = v * f;
            spare_ = true;
            return u * f;
        }
    }
    /// Gamma(shape, 1) by Marsaglia and Tsang (2000); a shape below 1 through Gamma(shape + 1) U^(1/shape).
    [[nodiscard]] double gamma(double shape) {
        if (shape < 1.0) return gamma(shape + 1.0) * exp(log(uniform()) / shape);
        const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
        for (;;) {
            const double z = normal(), t = 1.0 + c * z;
            if (t <= 0.0) continue;
            const double v = t * t * t, u = uniform();
            if (log(u) < 0.5 * z * z + d - d * v + d * log(v)) return d * v;
        }
    }
    /// Poisson(lambda): multiplication of uniforms below 30, Hoermann's PTRS (1993) above.
    [[nodiscard]] std::int64_t poisson(double lambda) {
        if (!(lambda > 0.0)) return 0;
        if (lambda > 1e15) throw calculation_error("incentives.calculation.overflow", "a count's mean is beyond 1e15");
        if (lambda < 30.0) {
            const double limit = exp(-lambda);
            std::int64_t k = 0;
            for (double p = uniform(); p > limit; p *= uniform()) ++k;
            return k;
        }
        const double slam = std::sqrt(lambda), loglam = log(lambda), b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b,
                     invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
        for (;;) {
            const double u = uniform() - 0.5, v = uniform(), us = 0.5 - std::fabs(u);
            const double k = std::floor((2.0 * a / us + b) * u + lambda + 0.43);
            if (us >= 0.07 && v <= vr) return static_cast<std::int64_t>(k);
            if (k < 0.0 || (us < 0.013 && v > us)) continue;
            if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -lambda + k * loglam - log_factorial(k))
                return static_cast<std::int64_t>(k);
        }
    }
    /// Negative binomial with this mean and dispersion k (variance mean + mean^2 / k): Poisson of a
    /// Gamma(k, mean / k) mean.
    [[nodiscard]] std::int64_t negative_binomial(double mean, double k) {
        if (!(mean > 0.0)) return 0;
        return poisson(gamma(k) * mean / k);
    }

private:
    r123::Philox4x32::key_type key_;
    r123::Philox4x32::ctr_type ctr_;
    r123::Philox4x32::ctr_type out_{};
    int used_ = 2;
    bool spare_ = false;
    double spare_value_ = 0.0;
};

/// A factor as an exact decimal of 6 places (its units): half away from zero at the 7th place.
[[nodiscard]] inline std::int64_t factor_units(double x) {
    if (!(x >= 0.0) || x > 9.0e12)
        throw calculation_error("incentives.calculation.overflow", "a drawn performance factor is out of range (0 .. 9e12)");
    return std::llround(x * 1e6);
}

}  // namespace incentives::detail::draws
