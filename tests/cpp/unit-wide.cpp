// The wide paths of decimal and allocation (detail/wide.hpp, computed with cpp_int in the library):
// divide when units x 10^e does not fit 128 bits (both directions of e), multiply when the product of
// the units does not fit, add when the aligned operands do not, allocate when |total| x weight does
// not. Every expected value is worked out in its comment (or by the Python expression given there).
// Which path a case takes is said next to it: |units| <= 2^127 - 1 = 170141183460469231731687303715884105727
// (~1.70e38) is the decimal range, 2^128 (~3.40e38) the unsigned 128-bit range of allocation products.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <incentives/allocation.hpp>
#include <incentives/decimal.hpp>

using incentives::calculation_error;
using incentives::decimal;
using incentives::int128;
using incentives::rounding_mode;

namespace {

decimal d(const char* s) { return decimal::parse(s); }

std::vector<std::string> texts(const std::vector<decimal>& parts) {
    std::vector<std::string> out;
    for (const auto& p : parts) out.push_back(p.to_string());
    return out;
}

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("wide divide, e > 0: the dividend scaled by 10^e does not fit") {
    // 123456789012345678901234567890 / 7777777 at 12 places: e = 12, and 1.23e29 x 10^12 = 1.23e41 does
    // not fit; 7777777 has no trailing zeros to cancel. The quotient, 1.59e34 units, fits.
    // Python: Fraction(123456789012345678901234567890 * 10**12, 7777777)
    //   = 15873017317460461890490633492063349 + a remainder below one half (so half_even truncates)
    auto a = d("123456789012345678901234567890");
    auto b = d("7777777");
    const char* low = "15873017317460461890490.633492063349";
    const char* high = "15873017317460461890490.633492063350";
    CHECK(a.divide(b, 12, rounding_mode::half_even).to_string() == low);
    CHECK(a.divide(b, 12, rounding_mode::down).to_string() == low);
    CHECK(a.divide(b, 12, rounding_mode::up).to_string() == high);
    CHECK(a.divide(b, 12, rounding_mode::ceiling).to_string() == high);
    CHECK(a.divide(b, 12, rounding_mode::floor).to_string() == low);
    CHECK((-a).divide(b, 12, rounding_mode::ceiling).to_string() == std::string("-") + low);
    CHECK((-a).divide(b, 12, rounding_mode::floor).to_string() == std::string("-") + high);
    CHECK(a.divide(-b, 12, rounding_mode::up).to_string() == std::string("-") + high);
}

TEST_CASE("wide divide, e > 0: an exact tie rounds by the mode") {
    // (10^30 + 1) x 10^12 / 8192 = (10^30 + 1) x 5^12 / 2 (8192 = 2^13, 10^12 = 2^12 x 5^12), and
    // (10^30 + 1) x 5^12 is odd: exactly halfway. 5^12 = 244140625, so the quotient is
    // (10^30 + 1) x 244140625 / 2 = 122070312500000000000000000000122070312.5 units at 12 places;
    // 1e42 does not fit, the quotient (1.22e38) does.
    auto a = d("1000000000000000000000000000001");
    auto b = d("8192");
    const char* even = "122070312500000000000000000.000122070312";  // ...312 is even
    const char* away = "122070312500000000000000000.000122070313";
    CHECK(a.divide(b, 12, rounding_mode::half_even).to_string() == even);
    CHECK(a.divide(b, 12, rounding_mode::half_down).to_string() == even);
    CHECK(a.divide(b, 12, rounding_mode::half_up).to_string() == away);
    CHECK((-a).divide(b, 12, rounding_mode::half_even).to_string() == std::string("-") + even);
    CHECK((-a).divide(b, 12, rounding_mode::half_up).to_string() == std::string("-") + away);
    CHECK_THROWS_AS((void)a.divide(b, 12, rounding_mode::unnecessary), calculation_error);
}

TEST_CASE("wide divide, e < 0: the divisor scaled by 10^-e does not fit") {
    // 9000000000000000000000000000000000000.5 / 18000000000000000000000000000000000001 at 0 places:
    // e = 0 + 0 - 1 = -1 and the divisor x 10 = 1.8e38 + 10 does not fit (the dividend's units end in 5:
    // no zero to cancel). (9e37 + 5) / (1.8e38 + 10) = 1/2 exactly: a tie.
    auto a = d("9000000000000000000000000000000000000.5");
    auto b = d("18000000000000000000000000000000000001");
    CHECK(a.divide(b, 0, rounding_mode::half_even).to_string() == "0");
    CHECK(a.divide(b, 0, rounding_mode::half_down).to_string() == "0");
    CHECK(a.divide(b, 0, rounding_mode::half_up).to_string() == "1");
    CHECK(a.divide(b, 0, rounding_mode::up).to_string() == "1");
    CHECK(a.divide(b, 0, rounding_mode::down).to_string() == "0");
    CHECK((-a).divide(b, 0, rounding_mode::half_up).to_string() == "-1");
    CHECK((-a).divide(b, 0, rounding_mode::floor).to_string() == "-1");
    CHECK((-a).divide(b, 0, rounding_mode::ceiling).to_string() == "0");
    // 98.765432109876543210987654321098765432 / 9999 at 0 places: e = -36, 9999 x 10^36 does not fit.
    // The quotient is 0.0098...: zero, or one away from zero.
    auto small = d("98.765432109876543210987654321098765432");
    CHECK(small.divide(d("9999"), 0, rounding_mode::half_even).to_string() == "0");
    CHECK(small.divide(d("9999"), 0, rounding_mode::up).to_string() == "1");
    CHECK(small.divide(d("-9999"), 0, rounding_mode::floor).to_string() == "-1");
    CHECK_THROWS_AS((void)small.divide(d("9999"), 0, rounding_mode::unnecessary), calculation_error);
}

TEST_CASE("wide divide: exact with mode unnecessary, inexact, and a quotient that does not fit") {
    // 30000000000000000000000003 / 3 at 13 places: 3e25 x 10^13 = 3e38 does not fit; the quotient
    // (10^25 + 1) x 10^13 = 100000000000000000000000010000000000000 units (1.0e38) fits, exactly.
    CHECK(d("30000000000000000000000003").divide(d("3"), 13, rounding_mode::unnecessary).to_string() ==
          "10000000000000000000000001.0000000000000");
    // 30000000000000000000000004 / 3 = 10000000000000000000000001.333...: not exact.
    CHECK_THROWS_WITH_AS((void)d("30000000000000000000000004").divide(d("3"), 13, rounding_mode::unnecessary),
                         "[incentives.calculation.rounding_necessary] 30000000000000000000000004 cannot be represented "
                         "at 13 places without rounding (mode unnecessary)",
                         calculation_error);
    CHECK(d("30000000000000000000000004").divide(d("3"), 13, rounding_mode::half_even).to_string() ==
          "10000000000000000000000001.3333333333333");
    // 10^30 / 0.000000000003 = 3.33e41 at 0 places: e = 12, computed wide, and the quotient does not fit.
    CHECK_THROWS_WITH_AS((void)d("1000000000000000000000000000000").divide(d("0.000000000003"), 0,
                                                                          rounding_mode::half_even),
                         "[incentives.calculation.overflow] 1000000000000000000000000000000 / 0.000000000003 does not "
                         "fit at 0 places",
                         calculation_error);
}

TEST_CASE("wide multiply: trailing zeros of the product are dropped only as far as needed") {
    // 1234567890123456789.00000 x 98765432109876543.2100: units 1234567890123456789 x 10^5 and
    // 9876543210987654321 x 10^2, product 12193263113702179522374638011112635269 x 10^7 (1.2e44) at
    // scale 9. Python: 1234567890123456789 * 9876543210987654321 = 12193263113702179522374638011112635269.
    // Six zeros go: 1.2e38 fits at scale 3 (a seventh is not needed).
    auto p = d("1234567890123456789.00000") * d("98765432109876543.2100");
    CHECK(p.scale() == 3);
    CHECK(p.to_string() == "121932631137021795223746380111126352.690");
    CHECK((-d("1234567890123456789.00000") * d("98765432109876543.2100")).to_string() ==
          "-121932631137021795223746380111126352.690");
    // 1.5 with 36 places x 2.25 with 30 places: units 15 x 10^35 x 225 x 10^28 = 3375 x 10^63 at scale 66.
    // Zeros go until the scale is 36: 3375 x 10^33 (3.4e36) fits there.
    auto q = decimal::from_units(15 * incentives::detail::pow10(35), 36) *
             decimal::from_units(225 * incentives::detail::pow10(28), 30);
    CHECK(q.scale() == 36);
    CHECK(q.to_string() == "3.375" + std::string(33, '0'));
    // (10^19 + 1) x 10000000000000000000.0: units (10^19 + 1) x 10^20 (1e39) at scale 1; one zero goes,
    // and the scale is 0: 100000000000000000010000000000000000000 (1.0e38) fits.
    auto r = d("10000000000000000001") * d("10000000000000000000.0");
    CHECK(r.scale() == 0);
    CHECK(r.to_string() == "100000000000000000010000000000000000000");
    // (10^19 + 1) x 10^20 at scale 0: no scale left to drop zeros from, 1e39 does not fit.
    CHECK_THROWS_AS((void)(d("10000000000000000001") * d("100000000000000000000")), calculation_error);
}

TEST_CASE("wide add: the exact sum in a wide integer") {
    // 9000000000000000000000000000000000000.1 + 9000000000000000000000000000000000000.9: units
    // 9e37 + 1 and 9e37 + 9 at scale 1, no trailing zeros; the sum 1.8e38 + 10 does not fit at
    // scale 1, and is 18000000000000000000000000000000000001 at scale 0.
    auto s = d("9000000000000000000000000000000000000.1") + d("9000000000000000000000000000000000000.9");
    CHECK(s.scale() == 0);
    CHECK(s.to_string() == "18000000000000000000000000000000000001");
    CHECK((-d("9000000000000000000000000000000000000.1") - d("9000000000000000000000000000000000000.9")).to_string() ==
          "-18000000000000000000000000000000000001");
    // 1800000000000000000000000000000000000 - 1700000000000000000000000000000000000.01: the minuend at
    // two places is 1.8e38 (does not fit); the difference 1e37 - 1 units at scale 2 does.
    auto t = d("1800000000000000000000000000000000000") - d("1700000000000000000000000000000000000.01");
    CHECK(t.scale() == 2);
    CHECK(t.to_string() == "99999999999999999999999999999999999.99");
    // 9000000000000000000000000000000000000.1 + 9000000000000000000000000000000000000.8: 1.8e38 + 9 at
    // scale 1, no zero to drop.
    CHECK_THROWS_WITH_AS((void)(d("9000000000000000000000000000000000000.1") + d("9000000000000000000000000000000000000.8")),
                         "[incentives.calculation.overflow] decimal addition overflows: "
                         "9000000000000000000000000000000000000.1 + 9000000000000000000000000000000000000.8",
                         calculation_error);
}

TEST_CASE("wide allocation: equal remainders go to the lower index") {
    // 10^38 + 1 by 10^20 : 10^20 : 10^20: |total| x weight = 1e58 does not fit 128 bits.
    // Each part is floor((10^38 + 1) / 3) = (10^38 - 1) / 3 = 33...33 (38 threes), remainder 2 x 10^20 for
    // each; 2 units are left over: indices 0 and 1.
    std::vector<decimal> w(3, d("100000000000000000000"));
    auto parts = incentives::allocate(d("100000000000000000000000000000000000001"), w, 0);
    CHECK(texts(parts) == strings{"33333333333333333333333333333333333334", "33333333333333333333333333333333333334",
                                  "33333333333333333333333333333333333333"});
    auto negative = incentives::allocate(d("-100000000000000000000000000000000000001"), w, 0);
    CHECK(texts(negative) == strings{"-33333333333333333333333333333333333334", "-33333333333333333333333333333333333334",
                                     "-33333333333333333333333333333333333333"});
    // A zero weight gets nothing: 10^38 + 1 by 0 : 10^20 : 10^20 is 0, (10^38 + 1 - 1) / 2 + 1, (10^38 + 1 - 1) / 2.
    w[0] = decimal(0);
    CHECK(texts(incentives::allocate(d("100000000000000000000000000000000000001"), w, 0)) ==
          strings{"0", "50000000000000000000000000000000000001", "50000000000000000000000000000000000000"});
}

TEST_CASE("wide allocation: weights at different scales, the largest remainder first") {
    // T = 2^127 - 1 by 1 : 2.5, aligned to one place: 10 : 25 (sum 35); T x 25 = 4.3e39 does not fit.
    // 2^3 = 8 = 1 (mod 7) and 127 = 3 x 42 + 1, so 2^127 = 2 and T = 1 (mod 7). The parts are
    // floor(10T/35) = (2T - 2)/7 (remainder 10T mod 35 = 10) and floor(25T/35) = (5T - 5)/7 (remainder 25);
    // 1 unit is left over and goes to index 1, the larger remainder, not the lower index.
    // Python: T = 2**127 - 1; (2*T - 2)//7, (5*T + 2)//7
    //   = 48611766702991209066196372490252601636, 121529416757478022665490931225631504091
    std::vector<decimal> w{d("1"), d("2.5")};
    auto parts = incentives::allocate(d("170141183460469231731687303715884105727"), w, 0);
    CHECK(texts(parts) == strings{"48611766702991209066196372490252601636", "121529416757478022665490931225631504091"});
    auto negative = incentives::allocate(d("-170141183460469231731687303715884105727"), w, 0);
    CHECK(texts(negative) ==
          strings{"-48611766702991209066196372490252601636", "-121529416757478022665490931225631504091"});
    // The same through the units: detail::allocate_units (total in units, weights as decimals).
    auto units = incentives::detail::allocate_units(-incentives::detail::int128_max, w);
    REQUIRE(units.size() == 2);
    CHECK(units[0] + units[1] == -incentives::detail::int128_max);
    CHECK(decimal::from_units(units[1], 0).to_string() == "-121529416757478022665490931225631504091");
}
