// Exact allocation — synopsis:
//   incentives::allocate(decimal amount, span<const decimal> weights, int places) -> vector<decimal>
//     the parts are at max(places, amount.scale()) digits and add up exactly to the amount
//   money::allocate(span<const decimal>), money::allocate({1, 1, 1}), money::split(n)
//     allocate at the currency's minor units (or finer, if the amount already is)
//   Rule (largest remainder): with U the amount in units and W the sum of the weights, part i gets
//   floor(|U| x w_i / W); the units left over go one each to the largest remainders, equal remainders
//   to the lower index; a negative amount is split as its magnitude and negated.
//   Negative weights, all-zero weights and no weights are input_error
//   "[incentives.input.allocation_weights] ...".
#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <boost/multiprecision/cpp_int.hpp>

#include <incentives/allocation.hpp>
#include <incentives/money.hpp>

using incentives::calculation_error;
using incentives::decimal;
using incentives::input_error;
using incentives::int128;
using incentives::money;

namespace {

decimal d(const char* s) { return decimal::parse(s); }

std::vector<std::string> texts(const std::vector<money>& parts) {
    std::vector<std::string> out;
    for (const auto& p : parts) out.push_back(p.to_string());
    return out;
}

std::vector<std::string> texts(const std::vector<decimal>& parts) {
    std::vector<std::string> out;
    for (const auto& p : parts) out.push_back(p.to_string());
    return out;
}

using strings = std::vector<std::string>;

int128 pow10(int n) {
    int128 p = 1;
    for (int i = 0; i < n; ++i) p *= 10;
    return p;
}

int128 abs128(int128 v) { return v < 0 ? -v : v; }

}  // namespace

TEST_CASE("100.00 EUR by 1:1:1 is 33.34 + 33.33 + 33.33") {
    // 10000 cents x 1 / 3 = 3333 remainder 1, three times; 3 x 3333 = 9999, one cent left;
    // the remainders tie (1, 1, 1), so it goes to the lowest index.
    auto parts = money("100.00", "EUR").allocate({1, 1, 1});
    CHECK(texts(parts) == strings{"33.34 EUR", "33.33 EUR", "33.33 EUR"});
}

TEST_CASE("a negative amount mirrors the positive split") {
    auto parts = money("-100.00", "EUR").allocate({1, 1, 1});
    CHECK(texts(parts) == strings{"-33.34 EUR", "-33.33 EUR", "-33.33 EUR"});
    // -0.05 by 1:1 -> magnitude 5 cents = 2 r1 + 2 r1, the tie goes to index 0: -0.03, -0.02
    CHECK(texts(money("-0.05", "EUR").split(2)) == strings{"-0.03 EUR", "-0.02 EUR"});
}

TEST_CASE("10.00 EUR by 3:3:1: the largest remainder first, then the lower index") {
    // 1000 cents, W = 7.
    //   1000 x 3 = 3000 = 7 x 428 + 4  -> 428 r4   (exact share 428.571...)
    //   1000 x 3 = 3000 = 7 x 428 + 4  -> 428 r4
    //   1000 x 1 = 1000 = 7 x 142 + 6  -> 142 r6   (exact share 142.857...)
    // 428 + 428 + 142 = 998: two cents left. Remainders in order: 6 (index 2), then 4 and 4 (index 0
    // before index 1). So index 2 and index 0 get one cent each: 429, 428, 143.
    auto parts = money("10.00", "EUR").allocate({3, 3, 1});
    CHECK(texts(parts) == strings{"4.29 EUR", "4.28 EUR", "1.43 EUR"});
    // "First target gets the leftover" would give 4.30, 4.28, 1.42: 4.30 is 1.43 cents above the exact
    // 4.2857, more than a cent off; largest remainder keeps every part within a cent.
}

TEST_CASE("zero weights get zero, even when a unit is left over") {
    // 1 cent by 0:1:1 -> W = 2; remainders 0, 1, 1; the left-over cent goes to index 1, not to the
    // zero weight at index 0.
    CHECK(texts(money("0.01", "EUR").allocate({0, 1, 1})) == strings{"0.00 EUR", "0.01 EUR", "0.00 EUR"});
    CHECK(texts(money("100.00", "EUR").allocate({1, 0, 1})) == strings{"50.00 EUR", "0.00 EUR", "50.00 EUR"});
    CHECK(texts(money("7", "JPY").allocate({0, 0, 5, 0})) == strings{"0 JPY", "0 JPY", "7 JPY", "0 JPY"});
}

TEST_CASE("bad weights are an input_error that says what is wrong") {
    money m("100.00", "EUR");
    CHECK_THROWS_WITH_AS((void)m.allocate({0, 0, 0}),
                         "[incentives.input.allocation_weights] all allocation weights are zero: nothing to split by",
                         input_error);
    CHECK_THROWS_WITH_AS((void)m.allocate({1, -1, 2}),
                         "[incentives.input.allocation_weights] weight 1 is negative (-1): expected weights >= 0",
                         input_error);
    std::vector<decimal> decimals{d("0.5"), d("0.25"), d("-0.25")};
    CHECK_THROWS_WITH_AS((void)m.allocate(decimals),
                         "[incentives.input.allocation_weights] weight 2 is negative (-0.25): expected weights >= 0",
                         input_error);
    std::vector<decimal> none;
    CHECK_THROWS_WITH_AS((void)m.allocate(none),
                         "[incentives.input.allocation_weights] allocation needs at least one weight", input_error);
    CHECK_THROWS_WITH_AS((void)m.split(0),
                         "[incentives.input.allocation_weights] allocation needs at least one weight", input_error);
    CHECK_THROWS_AS((void)incentives::allocate(d("1"), none, 2), input_error);
    // zero weights of any scale still count as all zero
    std::vector<decimal> zeros{d("0.00"), d("0"), d("0.000")};
    CHECK_THROWS_AS((void)m.allocate(zeros), input_error);
}

TEST_CASE("decimal weights are aligned to one scale") {
    std::vector<decimal> halves{d("0.5"), d("0.25"), d("0.25")};  // as integers: 50, 25, 25; W = 100
    // 10000 x 50 / 100 = 5000, 10000 x 25 / 100 = 2500 (twice): exact
    CHECK(texts(money("100.00", "EUR").allocate(halves)) == strings{"50.00 EUR", "25.00 EUR", "25.00 EUR"});
    // 3 cents: 3 x 50 = 150 -> 1 r50; 3 x 25 = 75 -> 0 r75 (twice); one cent given, two left, they go
    // to the remainders 75 and 75 (indices 1 and 2), ahead of 50: 0.01 each.
    CHECK(texts(money("0.03", "EUR").allocate(halves)) == strings{"0.01 EUR", "0.01 EUR", "0.01 EUR"});
    // 1 cent: 0 r50, 0 r25, 0 r25 -> the cent goes to index 0.
    CHECK(texts(money("0.01", "EUR").allocate(halves)) == strings{"0.01 EUR", "0.00 EUR", "0.00 EUR"});
    // 0.5 : 1 : 1.25 is 50 : 100 : 125 (W = 275), the same as 2 : 4 : 5 (W = 11).
    //   10000 x 50 = 500000 = 275 x 1818 + 50
    //   10000 x 100 = 1000000 = 275 x 3636 + 100
    //   10000 x 125 = 1250000 = 275 x 4545 + 125
    // 1818 + 3636 + 4545 = 9999; the cent goes to remainder 125: 18.18, 36.36, 45.46.
    std::vector<decimal> mixed{d("0.5"), d("1"), d("1.25")};
    CHECK(texts(money("100.00", "EUR").allocate(mixed)) == strings{"18.18 EUR", "36.36 EUR", "45.46 EUR"});
    CHECK(texts(money("100.00", "EUR").allocate({2, 4, 5})) == strings{"18.18 EUR", "36.36 EUR", "45.46 EUR"});
}

TEST_CASE("a currency without minor units splits in whole units") {
    // 100 JPY by 1:1:1 -> 33 r1 three times, one yen left, to index 0.
    auto parts = money("100", "JPY").allocate({1, 1, 1});
    CHECK(texts(parts) == strings{"34 JPY", "33 JPY", "33 JPY"});
    CHECK(parts[0].amount().scale() == 0);
    // KWD has 3 places: 1.000 by 1:1:1 -> 1000 fils = 334 + 333 + 333
    CHECK(texts(money("1", "KWD").split(3)) == strings{"0.334 KWD", "0.333 KWD", "0.333 KWD"});
}

TEST_CASE("an amount finer than the minor unit is allocated at its own scale") {
    // 10.005 EUR = 10005 units of 0.001; by 1:1 -> 5002 r1 twice, the left-over unit to index 0.
    auto parts = money("10.005", "EUR").split(2);
    CHECK(texts(parts) == strings{"5.003 EUR", "5.002 EUR"});
    // by 1:1:1 -> 10005 / 3 = 3335 exactly
    CHECK(texts(money("10.005", "EUR").split(3)) == strings{"3.335 EUR", "3.335 EUR", "3.335 EUR"});
    // The free function: places below the amount's scale keep the amount's scale; above it refine.
    std::vector<decimal> ones{decimal(1), decimal(1), decimal(1)};
    CHECK(texts(incentives::allocate(d("10.005"), ones, 2)) == strings{"3.335", "3.335", "3.335"});
    // 1 at 2 places = 100 units -> 33 r1 three times -> 0.34, 0.33, 0.33
    CHECK(texts(incentives::allocate(decimal(1), ones, 2)) == strings{"0.34", "0.33", "0.33"});
    // 1e37 does not fit at 2 places (10^39 units): an overflow, not a silent loss
    CHECK_THROWS_AS((void)incentives::allocate(d("1e37"), ones, 2), calculation_error);
}

TEST_CASE("equal remainders go to the lower index: a worked example") {
    // 3 cents by 1:3:2 (W = 6):
    //   3 x 1 = 3 = 6 x 0 + 3 -> 0 r3
    //   3 x 3 = 9 = 6 x 1 + 3 -> 1 r3
    //   3 x 2 = 6 = 6 x 1 + 0 -> 1 r0
    // two cents given, one left; remainders 3 and 3 tie, index 0 (weight 1) gets it: 1, 1, 1.
    CHECK(texts(money("0.03", "EUR").allocate({1, 3, 2})) == strings{"0.01 EUR", "0.01 EUR", "0.01 EUR"});
    // The same weights listed as 3:1:2: the tie is now won by weight 3 (index 0): 2, 0, 1.
    // Both splits are within a cent of the exact shares 0.005 / 0.015 / 0.010; the tie rule, and only
    // the tie rule, depends on the order the targets are listed in.
    CHECK(texts(money("0.03", "EUR").allocate({3, 1, 2})) == strings{"0.02 EUR", "0.00 EUR", "0.01 EUR"});
}

TEST_CASE("split(n) is allocate by n equal weights") {
    CHECK(texts(money("100.00", "EUR").split(3)) == texts(money("100.00", "EUR").allocate({1, 1, 1})));
    // 5 cents into 3: 1 r2 three times; 3 given, 2 left to indices 0 and 1
    CHECK(texts(money("0.05", "EUR").split(3)) == strings{"0.02 EUR", "0.02 EUR", "0.01 EUR"});
    // 10 yen into 4: 2 r2 four times; 8 given, 2 left to indices 0 and 1
    CHECK(texts(money("10", "JPY").split(4)) == strings{"3 JPY", "3 JPY", "2 JPY", "2 JPY"});
    CHECK(texts(money("12.34", "USD").split(1)) == strings{"12.34 USD"});
    // fewer units than parts: 2 cents into 5 -> 0 r2 each, indices 0 and 1 get one cent
    CHECK(texts(money("0.02", "EUR").split(5)) ==
          strings{"0.01 EUR", "0.01 EUR", "0.00 EUR", "0.00 EUR", "0.00 EUR"});
}

TEST_CASE("the whole decimal range is allocated exactly") {
    // 2^127 - 1 by 1:1 -> 2^126 - 1 r1 twice; the unit left over goes to index 0: 2^126, 2^126 - 1.
    auto parts = money("170141183460469231731687303715884105727", "JPY").split(2);
    CHECK(texts(parts) == strings{"85070591730234615865843651857942052864 JPY",
                                  "85070591730234615865843651857942052863 JPY"});
    auto negative = money("-170141183460469231731687303715884105727", "JPY").split(2);
    CHECK(texts(negative) == strings{"-85070591730234615865843651857942052864 JPY",
                                     "-85070591730234615865843651857942052863 JPY"});
}

namespace {

struct weight {
    std::int64_t units;
    int scale;
};

/// The weights as integers at one common scale (computed here, independently of the library).
std::vector<int128> aligned(const std::vector<weight>& ws) {
    int scale = 0;
    for (const auto& w : ws) scale = std::max(scale, w.scale);
    std::vector<int128> out;
    for (const auto& w : ws) out.push_back(static_cast<int128>(w.units) * pow10(scale - w.scale));
    return out;
}

std::vector<decimal> to_decimals(const std::vector<weight>& ws) {
    std::vector<decimal> out;
    for (const auto& w : ws) out.push_back(decimal::from_units(w.units, w.scale));
    return out;
}

/// Random weights: 1..8 of them, 0..1000 units at scale 0..3, about one in five zero, not all zero.
std::vector<weight> random_weights(std::mt19937_64& rng) {
    std::uniform_int_distribution<int> count(1, 8), scale(0, 3), zero(0, 4);
    std::uniform_int_distribution<std::int64_t> units(1, 1000);
    std::vector<weight> ws(static_cast<std::size_t>(count(rng)));
    for (auto& w : ws) w = {zero(rng) == 0 ? 0 : units(rng), scale(rng)};
    if (std::all_of(ws.begin(), ws.end(), [](const weight& w) { return w.units == 0; })) ws[0].units = 1;
    return ws;
}

/// A random amount: small (-50..50 units, so ties and leftovers are common) or up to 10^15 units.
decimal random_amount(std::mt19937_64& rng) {
    std::uniform_int_distribution<int> kind(0, 1), scale(0, 4);
    std::uniform_int_distribution<std::int64_t> small(-50, 50), large(-1'000'000'000'000'000, 1'000'000'000'000'000);
    return decimal::from_units(kind(rng) == 0 ? small(rng) : large(rng), scale(rng));
}

/// The remainder of |total| x w mod W, and the floor, for the largest-remainder check.
struct share {
    int128 floor;
    int128 remainder;
};

share exact_share(int128 total, int128 w, int128 sum) {
    int128 p = abs128(total) * w;
    return {p / sum, p % sum};
}

}  // namespace

TEST_CASE("property: parts sum to the whole, each within one unit of its exact share") {
    std::mt19937_64 rng(20270401);
    std::uniform_int_distribution<int> extra_places(0, 2);
    for (int n = 0; n < 4000; ++n) {
        decimal amount = random_amount(rng);
        auto ws = random_weights(rng);
        int places = amount.scale() + extra_places(rng);
        CAPTURE(amount.to_string());
        CAPTURE(n);
        auto parts = incentives::allocate(amount, to_decimals(ws), places);
        REQUIRE(parts.size() == ws.size());

        // Everything in units of 10^-places: T is the total, P_i the parts, w_i / W the weights.
        int128 total = amount.units() * pow10(places - amount.scale());
        auto w = aligned(ws);
        int128 sum_w = std::accumulate(w.begin(), w.end(), int128{0});
        int128 sum_parts = 0;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            CAPTURE(i);
            REQUIRE(parts[i].scale() == places);
            int128 p = parts[i].units();
            sum_parts += p;
            // |P_i x W - T x w_i| < W, i.e. |P_i - T x w_i / W| < 1 unit
            CHECK(abs128(p * sum_w - total * w[i]) < sum_w);
            if (w[i] == 0) CHECK(p == 0);
            if (p != 0) CHECK((p < 0) == (total < 0));  // no part has the opposite sign
        }
        CHECK(sum_parts == total);
        CHECK(std::accumulate(parts.begin(), parts.end(), decimal()) == amount);
    }
}

TEST_CASE("property: the left-over units go to the largest remainders, ties to the lower index") {
    std::mt19937_64 rng(4217);
    for (int n = 0; n < 4000; ++n) {
        decimal amount = random_amount(rng);
        auto ws = random_weights(rng);
        CAPTURE(amount.to_string());
        CAPTURE(n);
        auto parts = incentives::allocate(amount, to_decimals(ws), amount.scale());
        auto w = aligned(ws);
        int128 sum_w = std::accumulate(w.begin(), w.end(), int128{0});
        std::vector<share> s;
        std::vector<bool> extra;
        for (std::size_t i = 0; i < w.size(); ++i) {
            s.push_back(exact_share(amount.units(), w[i], sum_w));
            int128 magnitude = abs128(parts[i].units());
            REQUIRE((magnitude == s[i].floor || magnitude == s[i].floor + 1));
            extra.push_back(magnitude == s[i].floor + 1);
        }
        // Whoever got an extra unit ranks ahead of whoever did not: larger remainder, or equal
        // remainder and lower index.
        for (std::size_t i = 0; i < w.size(); ++i)
            for (std::size_t j = 0; j < w.size(); ++j)
                if (extra[i] && !extra[j]) {
                    CAPTURE(i);
                    CAPTURE(j);
                    CHECK((s[i].remainder > s[j].remainder || (s[i].remainder == s[j].remainder && i < j)));
                }
    }
}

TEST_CASE("property: allocate(-x) is -allocate(x), part by part") {
    std::mt19937_64 rng(978);
    for (int n = 0; n < 3000; ++n) {
        decimal amount = random_amount(rng);
        auto w = to_decimals(random_weights(rng));
        CAPTURE(amount.to_string());
        auto parts = incentives::allocate(amount, w, 2);
        auto mirrored = incentives::allocate(-amount, w, 2);
        REQUIRE(parts.size() == mirrored.size());
        for (std::size_t i = 0; i < parts.size(); ++i) {
            CHECK(mirrored[i] == -parts[i]);
            CHECK(mirrored[i].scale() == parts[i].scale());
        }
    }
}

TEST_CASE("property: permuting distinct weights permutes the parts, unless a tie decides a unit") {
    // Distinct weights do not imply distinct remainders (see the 1:3:2 example above), so when two
    // equal remainders straddle the cut the tie rule gives the unit to whichever is listed first.
    // Those cases are counted and only checked for the parts outside the tie.
    std::mt19937_64 rng(840);
    std::uniform_int_distribution<int> count(2, 8);
    std::uniform_int_distribution<std::int64_t> units(1, 100000);
    int untied = 0, tied = 0;
    for (int n = 0; n < 3000; ++n) {
        decimal amount = random_amount(rng);
        std::vector<weight> ws;
        auto k = static_cast<std::size_t>(count(rng));
        while (ws.size() < k) {
            weight cand{units(rng), 2};
            if (std::none_of(ws.begin(), ws.end(), [&](const weight& x) { return x.units == cand.units; }))
                ws.push_back(cand);
        }
        std::vector<std::size_t> perm(k);
        std::iota(perm.begin(), perm.end(), std::size_t{0});
        std::shuffle(perm.begin(), perm.end(), rng);
        std::vector<weight> permuted;
        for (std::size_t j = 0; j < k; ++j) permuted.push_back(ws[perm[j]]);

        CAPTURE(amount.to_string());
        CAPTURE(n);
        auto parts = incentives::allocate(amount, to_decimals(ws), amount.scale());
        auto permuted_parts = incentives::allocate(amount, to_decimals(permuted), amount.scale());

        // Is there a tie at the cut? Sort the remainders, descending; the cut is after `left` of them.
        auto w = aligned(ws);
        int128 sum_w = std::accumulate(w.begin(), w.end(), int128{0});
        std::vector<int128> rem;
        int128 given = 0;
        for (auto wi : w) {
            auto s = exact_share(amount.units(), wi, sum_w);
            rem.push_back(s.remainder);
            given += s.floor;
        }
        auto left = static_cast<std::size_t>(abs128(amount.units()) - given);
        std::vector<int128> sorted = rem;
        std::sort(sorted.begin(), sorted.end(), std::greater<>());
        bool tie_at_cut = left > 0 && left < k && sorted[left - 1] == sorted[left];
        for (std::size_t j = 0; j < k; ++j) {
            CAPTURE(j);
            if (tie_at_cut && rem[perm[j]] == sorted[left]) continue;  // decided by the listing order
            CHECK(permuted_parts[j] == parts[perm[j]]);
        }
        ++(tie_at_cut ? tied : untied);
    }
    // The property must have been exercised, not skipped.
    CHECK(untied > 2000);
    CHECK(tied > 0);
}

TEST_CASE("property: large amounts and weights (128-bit totals, checked with cpp_int)") {
    using big = boost::multiprecision::cpp_int;
    auto to_big = [](int128 v) {
        bool neg = v < 0;
        auto u = static_cast<incentives::uint128>(neg ? -v : v);
        big b = static_cast<std::uint64_t>(u >> 64);
        b <<= 64;
        b += static_cast<std::uint64_t>(u);
        return neg ? big(-b) : b;
    };
    std::mt19937_64 rng(392);
    std::uniform_int_distribution<int> count(1, 6), scale(0, 18);
    std::uniform_int_distribution<std::uint64_t> u64;
    for (int n = 0; n < 1000; ++n) {
        // up to 2^126 in magnitude, so every part and the total fit the decimal range
        auto hi = static_cast<int128>(u64(rng) >> 2);
        int128 total = (hi << 64) | static_cast<int128>(u64(rng));
        if (u64(rng) % 2 == 0) total = -total;
        decimal amount = decimal::from_units(total, 0);
        std::vector<decimal> w;
        std::vector<big> wb;
        auto k = static_cast<std::size_t>(count(rng));
        int wscale = scale(rng);  // one scale for all, so the units are already aligned
        for (std::size_t i = 0; i < k; ++i) {
            auto units = static_cast<std::int64_t>(u64(rng) >> 1);
            w.push_back(decimal::from_units(units, wscale));
            wb.push_back(big(units));
        }
        CAPTURE(n);
        auto parts = incentives::allocate(amount, w, 0);
        big sum_w = 0;
        for (const auto& x : wb) sum_w += x;
        big sum_parts = 0, t = to_big(total);
        for (std::size_t i = 0; i < k; ++i) {
            big p = to_big(parts[i].units());
            sum_parts += p;
            CHECK(abs(p * sum_w - t * wb[i]) < sum_w);
        }
        CHECK(sum_parts == t);
    }
}
