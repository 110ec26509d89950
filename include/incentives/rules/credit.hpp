// Credit: who earns from an event — the partner, the participants of the sale by their exact
// shares (optionally only some roles), or the program as a whole.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <incentives/decimal.hpp>

namespace incentives::rules {

/// The beneficiary of a rule, which is also what the rule groups by.
struct credit {
    enum class to_t : unsigned char { partner, participant, program };
    to_t to = to_t::partner;
    std::vector<std::string> roles;  ///< for participants: only these roles earn (shares are kept as given)
    friend bool operator==(const credit&, const credit&) = default;
};

[[nodiscard]] inline std::string_view to_string(credit::to_t t) noexcept {
    constexpr std::string_view names[] = {"partner", "participant", "program"};
    return names[static_cast<int>(t)];
}

/// Limits of split credit: a share has at most this many places, a weight (and an event's total of
/// weights) is at most this large, so that a split is exact in 128-bit arithmetic.
inline constexpr int max_share_places = 9;
inline constexpr std::int64_t max_share_weight = 1000000000;

/// Exact fractions (num/den each, 1/3 and 2/3) as whole-number weights over their common
/// denominator (1 and 2). Empty when they do not add up to exactly 1, when a fraction is not above
/// zero, or when the common denominator is above max_share_weight.
[[nodiscard]] inline std::vector<std::int64_t> fraction_weights(std::span<const std::pair<std::int64_t, std::int64_t>> fractions) {
    std::int64_t common = 1;
    for (auto [num, den] : fractions) {
        if (num <= 0 || den <= 0 || num > den || den > max_share_weight) return {};
        std::int64_t a = common, b = den;  // lcm(common, den) without overflow: both stay <= max_share_weight
        while (b != 0) a = std::exchange(b, a % b);
        common = common / a * den;
        if (common > max_share_weight) return {};
    }
    std::vector<std::int64_t> weights;
    std::int64_t sum = 0;
    for (auto [num, den] : fractions) {
        const std::int64_t w = num * (common / den);  // <= common: num <= den
        weights.push_back(w);
        sum += w;
    }
    if (sum != common) return {};
    return weights;
}

/// Splits `total` units among people by their weights, exactly: each gets floor(total x weight /
/// sum), and the units left over go one each to the largest remainders, ties to the person listed
/// first. The parts add up to `total` whatever the weights (1:1:1 splits 100 into 34, 33, 33);
/// with no weights (or a zero sum) nothing is given.
/// A negative total splits as its magnitude, negated. `out` has one place per weight.
inline void split_credit(int128 total, std::span<const std::int64_t> weights, std::span<int128> out) {
    int128 sum = 0;
    for (auto w : weights) sum += w;
    if (sum <= 0) {  // no one to split among (weights are validated positive): nothing is given
        for (auto& o : out) o = 0;
        return;
    }
    const bool negative = total < 0;
    const int128 t = negative ? -total : total;
    int128 given = 0;
    for (std::size_t k = 0; k < weights.size(); ++k) {
        out[k] = t * weights[k] / sum;
        given += out[k];
    }
    for (int128 left = t - given; left > 0; --left) {
        std::size_t best = 0;
        int128 best_rem = -1;
        for (std::size_t k = 0; k < weights.size(); ++k) {
            // remainder of person k, less what they already got back: compare t*w mod sum, skipping
            // those already topped up (their part exceeds floor)
            int128 rem = t * weights[k] - out[k] * sum;
            if (rem > best_rem) {
                best_rem = rem;
                best = k;
            }
        }
        out[best] += 1;
    }
    if (negative)
        for (std::size_t k = 0; k < weights.size(); ++k) out[k] = -out[k];
}

}  // namespace incentives::rules
