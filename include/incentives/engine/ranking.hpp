// Ranking and prize splitting (contests, issue 13): competitors ordered by a chain of exact keys,
// numbered by the declared method, winners cut at a fixed number, and the prizes of the places a tie
// occupies shared exactly. Pure functions over columns of integers, so that a million competitors
// rank in a sort of indices; the contest stage feeds them from the measure store.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <incentives/allocation.hpp>
#include <incentives/decimal.hpp>
#include <incentives/errors.hpp>
#include <incentives/rules/contest.hpp>

namespace incentives::contest {

/// One key of the tie-break chain, a value per competitor: `num` alone (exact units at one scale:
/// sales, a count, a date as days), or the exact ratio num / den with den > 0 (a percent of a
/// personal plan, compared by cross-multiplication so that no rounding decides a rank).
struct key_column {
    bool higher_first = true;     ///< false: the lower value places first (fewer returns, an earlier day)
    std::vector<int128> num;
    std::vector<int128> den;      ///< empty: whole values; else one denominator per competitor, > 0
};

/// A competitor's place in the final order.
struct placing {
    std::uint32_t competitor = 0;       ///< index into the key columns
    std::uint32_t position = 0;         ///< 1-based place in the order (ties in competitor order)
    std::uint32_t first = 0, last = 0;  ///< the places its tie occupies (first == last: not tied)
    decimal rank;                       ///< numbered by the method
    friend bool operator==(const placing&, const placing&) = default;
};

namespace detail {

/// Sign of a x b - c x d for a, c of any sign and b, d > 0, exact (256-bit products).
[[nodiscard]] inline int compare_products(int128 a, int128 b, int128 c, int128 d) {
    int128 p, q;
    if (!__builtin_mul_overflow(a, b, &p) && !__builtin_mul_overflow(c, d, &q)) return p < q ? -1 : (p > q ? 1 : 0);
    const int sa = a < 0 ? -1 : (a > 0 ? 1 : 0), sc = c < 0 ? -1 : (c > 0 ? 1 : 0);
    if (sa != sc) return sa < sc ? -1 : 1;
    if (sa == 0) return 0;
    // Both products have the sign sa: compare magnitudes as 256-bit numbers (hi, lo).
    auto mul = [](uint128 x, uint128 y, uint128& hi, uint128& lo) {
        const std::uint64_t x0 = static_cast<std::uint64_t>(x), x1 = static_cast<std::uint64_t>(x >> 64);
        const std::uint64_t y0 = static_cast<std::uint64_t>(y), y1 = static_cast<std::uint64_t>(y >> 64);
        const uint128 p00 = static_cast<uint128>(x0) * y0, p01 = static_cast<uint128>(x0) * y1;
        const uint128 p10 = static_cast<uint128>(x1) * y0, p11 = static_cast<uint128>(x1) * y1;
        const uint128 mid = (p00 >> 64) + static_cast<std::uint64_t>(p01) + static_cast<std::uint64_t>(p10);
        lo = (mid << 64) | static_cast<std::uint64_t>(p00);
        hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    };
    auto magnitude = [](int128 v) { return v < 0 ? static_cast<uint128>(-(v + 1)) + 1 : static_cast<uint128>(v); };
    uint128 h1, l1, h2, l2;
    mul(magnitude(a), static_cast<uint128>(b), h1, l1);
    mul(magnitude(c), static_cast<uint128>(d), h2, l2);
    const int m = h1 != h2 ? (h1 < h2 ? -1 : 1) : (l1 != l2 ? (l1 < l2 ? -1 : 1) : 0);
    return sa > 0 ? m : -m;
}

/// Which of competitors i and j places first on one key: < 0 i, > 0 j, 0 tied on it.
[[nodiscard]] inline int compare_on(const key_column& k, std::uint32_t i, std::uint32_t j) {
    const int c = k.den.empty() ? (k.num[i] < k.num[j] ? -1 : (k.num[i] > k.num[j] ? 1 : 0))
                                : compare_products(k.num[i], k.den[j], k.num[j], k.den[i]);
    return k.higher_first ? -c : c;
}

}  // namespace detail

/// Orders `n` competitors by the chain (the first key first) and numbers them by `method`.
/// Competitors tied on every key keep their index order (give them in id order, or in the order of a
/// seeded lot, for a declared order); under `ordinal` such a tie is refused: the chain must break
/// every tie. Throws config_error for a column of the wrong size or a denominator that is not above 0.
[[nodiscard]] inline std::vector<placing> rank(std::span<const key_column> chain, std::size_t n, rules::rank_method method) {
    for (std::size_t k = 0; k < chain.size(); ++k) {
        const auto& c = chain[k];
        if (c.num.size() != n || (!c.den.empty() && c.den.size() != n))
            throw config_error("incentives.config.ranking", "key " + std::to_string(k + 1) + " of the tie-break chain has " +
                                                                std::to_string(c.num.size()) + " values for " + std::to_string(n) + " competitors");
        for (std::size_t i = 0; i < c.den.size(); ++i)
            if (c.den[i] <= 0)
                throw config_error("incentives.config.ranking", "key " + std::to_string(k + 1) + ": competitor " + std::to_string(i) +
                                                                    "'s denominator is not above 0 (a plan of 0 has no attainment)");
    }
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    auto tied = [&](std::uint32_t i, std::uint32_t j) {
        for (const auto& c : chain)
            if (detail::compare_on(c, i, j) != 0) return false;
        return true;
    };
    std::sort(order.begin(), order.end(), [&](std::uint32_t i, std::uint32_t j) {
        for (const auto& c : chain)
            if (const int d = detail::compare_on(c, i, j); d != 0) return d < 0;
        return i < j;
    });
    std::vector<placing> out(n);
    std::uint32_t dense = 0;
    for (std::size_t a = 0; a < n;) {
        std::size_t b = a + 1;
        while (b < n && tied(order[a], order[b])) ++b;
        if (method == rules::rank_method::ordinal && b - a > 1)
            throw calculation_error("incentives.calculation.ranking",
                                    "ordinal ranking: competitors " + std::to_string(order[a]) + " and " + std::to_string(order[a + 1]) +
                                        " are tied on every key of the chain; end the chain with a key that breaks every tie (a seeded lot)");
        ++dense;
        const auto first = static_cast<std::uint32_t>(a + 1), last = static_cast<std::uint32_t>(b);
        for (std::size_t i = a; i < b; ++i) {
            auto& p = out[i];
            p.competitor = order[i];
            p.position = static_cast<std::uint32_t>(i + 1);
            p.first = first;
            p.last = last;
            switch (method) {
                case rules::rank_method::standard: p.rank = decimal(first); break;
                case rules::rank_method::modified: p.rank = decimal(last); break;
                case rules::rank_method::dense: p.rank = decimal(dense); break;
                case rules::rank_method::ordinal: p.rank = decimal(p.position); break;
                case rules::rank_method::fractional:  // (first + last) / 2: a whole number or one half
                    p.rank = decimal::from_units(static_cast<int128>(first + last) * 5, 1).normalized();
                    break;
            }
        }
        a = b;
    }
    return out;
}

/// What one competitor of a ranking wins.
struct award {
    bool winner = false;
    decimal prize;  ///< at the split's places (0 when it wins nothing, or a place without a prize)
    friend bool operator==(const award&, const award&) = default;
};

/// The awards of a ranking (one per placing, in its order): the first `winners` places win, place k
/// paying `prizes[k-1]` (places past the table pay 0). Competitors tied on every key share the sum
/// of the prizes of the places they occupy, equally and exactly at `places` digits by largest
/// remainder (the extra minor units to the tie's first members in the ranking's order): prizes
/// 25/15/8 and a three-way tie for first pay 16 each; 100 over three pays 33.34/33.33/33.33. A tie
/// that straddles the cut follows `cut`. Under share and tie_break the prizes paid add up exactly to
/// the table's first `winners` prizes (when as many competitors place); under all_win they can
/// exceed it.
[[nodiscard]] inline std::vector<award> split_prizes(std::span<const placing> order, std::span<const decimal> prizes,
                                                     std::size_t winners, rules::cut_rule cut, int places) {
    auto prize_of = [&](std::size_t place) {  // 1-based
        return place <= prizes.size() ? prizes[place - 1] : decimal();
    };
    std::vector<award> out(order.size());
    for (std::size_t a = 0; a < order.size();) {
        const std::size_t first = order[a].first, last = order[a].last, members = last - first + 1;
        if (first > winners) break;  // this tie and everything after it wins nothing
        if (last > winners && cut == rules::cut_rule::tie_break)
                throw calculation_error("incentives.calculation.ranking",
                                        "a tie at the cut (places " + std::to_string(first) + " to " + std::to_string(last) + " for " +
                                            std::to_string(winners) + " winners) is tied on every key of the chain; end the chain with a "
                                            "key that breaks every tie (a seeded lot), or declare all_win or share");
        // The places the tie occupies pay their prizes up to the cut; past it, nothing (share) or the
        // cut's prize (all_win).
        decimal pot;
        for (std::size_t place = first; place <= last; ++place)
            if (place <= winners) pot += prize_of(place);
            else if (cut == rules::cut_rule::all_win) pot += prize_of(winners);
        const std::vector<decimal> equal(members, decimal(1));
        const auto parts = allocate(pot.rescale(std::max(places, pot.scale()), rounding_mode::unnecessary), equal, places);
        for (std::size_t m = 0; m < members; ++m) out[a + m] = {true, parts[m]};
        a += members;
    }
    return out;
}

}  // namespace incentives::contest
