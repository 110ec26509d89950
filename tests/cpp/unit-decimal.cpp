// incentives::decimal — synopsis:
//   decimal(integer), decimal::parse(text), decimal::from_units(units, scale)
//   + - * unary-, abs, == <=> (scale-independent), hash, to_string, fmt
//   rescale(places, mode), divide(divisor, places, mode) — the only rounding operations
#include <doctest/doctest.h>

#include <incentives/format.hpp>
#include <incentives/decimal.hpp>
#include <unordered_set>

using incentives::calculation_error;
using incentives::decimal;
using incentives::input_error;
using incentives::rounding_mode;
using namespace incentives::literals;

namespace {
decimal d(const char* s) { return decimal::parse(s); }
}  // namespace

TEST_CASE("parse and format are exact and round-trip") {
    CHECK(d("12.50").to_string() == "12.50");
    CHECK(d("-0.001").to_string() == "-0.001");
    CHECK(d("+3").to_string() == "3");
    CHECK(d("1E+3").to_string() == "1000");
    CHECK(d("2.5e-3").to_string() == "0.0025");
    CHECK(d(".5").to_string() == "0.5");
    CHECK(d("5.").to_string() == "5");
    CHECK(d("-0").to_string() == "0");
    CHECK(d("0.000").scale() == 3);
    CHECK(d("170141183460469231731687303715884105727").to_string() == "170141183460469231731687303715884105727");
    CHECK(decimal(-42).to_string() == "-42");
    CHECK((12.50_d).to_string() == "12.50");
    CHECK(fmt::format("{:>8}", d("1.5")) == "     1.5");
}

TEST_CASE("parse rejects anything that is not a plain decimal, saying why") {
    CHECK_THROWS_WITH_AS((void)d("12,50"),
                         "[incentives.input.decimal_syntax] \"12,50\" is not a decimal number: unexpected ',' at "
                         "position 3 (expected digits with an optional sign, one '.' and an optional exponent, e.g. "
                         "\"-12.50\" or \"2.5e-3\")",
                         input_error);
    CHECK_THROWS_WITH_AS((void)d("1.2.3"),
                         "[incentives.input.decimal_syntax] \"1.2.3\" is not a decimal number: a second '.' at "
                         "position 4 (expected digits with an optional sign, one '.' and an optional exponent, e.g. "
                         "\"-12.50\" or \"2.5e-3\")",
                         input_error);
    CHECK_THROWS_AS((void)d(""), input_error);
    CHECK_THROWS_AS((void)d("NaN"), input_error);
    CHECK_THROWS_AS((void)d("inf"), input_error);
    CHECK_THROWS_AS((void)d("-"), input_error);
    CHECK_THROWS_AS((void)d("1e"), input_error);
    CHECK_THROWS_AS((void)d(" 1"), input_error);
    CHECK_THROWS_AS((void)d("."), input_error);
    CHECK_THROWS_AS((void)d("170141183460469231731687303715884105728"), calculation_error);  // 2^127
    CHECK_THROWS_AS((void)d("1e39"), calculation_error);
    CHECK_THROWS_AS((void)d("1e-37"), calculation_error);
    // 39 zeros after the point: they only set the scale, so the ones that do not fit are dropped
    CHECK(d("1.000000000000000000000000000000000000000e0") == decimal(1));
    CHECK(d("0.000000000000000000000000000000000000000000").is_zero());
    CHECK(d("100.00").scale() == 2);
    CHECK(d("100.00").units() == 10000);
}

TEST_CASE("addition and subtraction align scales exactly") {
    CHECK(d("1.10") + d("2.205") == d("3.305"));
    CHECK((d("1.10") + d("2.205")).scale() == 3);
    CHECK(d("0.1") + d("0.2") == d("0.3"));  // the classic binary floating-point failure
    CHECK(d("5") - d("7.25") == d("-2.25"));
    CHECK(-d("3.5") == d("-3.5"));
    CHECK(abs(d("-3.5")) == d("3.5"));
    // 1e21 at scale 0 and 0.5 written with 18 places: aligning needs 1e39 and overflows; the sum
    // of the normalised operands fits.
    CHECK((d("1000000000000000000000") + d("0.500000000000000000")).to_string() == "1000000000000000000000.5");
    CHECK((d("100000000000000000000") + d("0.500000000000000000")).to_string() ==
          "100000000000000000000.500000000000000000");
}

TEST_CASE("multiplication is exact and its scale is the sum of the scales") {
    CHECK(d("1.5") * d("0.25") == d("0.375"));
    CHECK((d("1.50") * d("0.250")).scale() == 5);
    CHECK(d("-2") * d("3.5") == d("-7.0"));
    // 2.00 * 0.0350 * 1.08000000 = 0.0756 (scales 2 + 4 + 8 = 14)
    auto p = d("2.00") * d("0.0350") * d("1.08000000");
    CHECK(p.scale() == 14);
    CHECK(p == d("0.0756"));
}

TEST_CASE("overflow is an error that says what overflowed") {
    auto big = d("100000000000000000000");  // 1e20
    CHECK_THROWS_WITH_AS((void)(big * big),
                         "[incentives.calculation.overflow] decimal multiplication overflows: "
                         "100000000000000000000 * 100000000000000000000",
                         calculation_error);
    auto max = d("170141183460469231731687303715884105727");
    CHECK_THROWS_WITH_AS((void)(max + decimal(1)),
                         "[incentives.calculation.overflow] decimal addition overflows: "
                         "170141183460469231731687303715884105727 + 1",
                         calculation_error);
    CHECK_THROWS_AS((void)(-max - decimal(1)), calculation_error);
    CHECK_THROWS_AS((void)d("1e30").rescale(10, rounding_mode::half_even), calculation_error);
    // a product whose trailing zeros can be dropped still fits
    CHECK(d("1.000000000000000000") * d("1.000000000000000000000") == decimal(1));
}

TEST_CASE("rescale rounds only with the named mode") {
    struct row { const char* value; rounding_mode mode; const char* expected; };
    // Each row checked against Python: Decimal(value).quantize(Decimal("1"), rounding=ROUND_*)
    const row rows[] = {
        {"2.5", rounding_mode::half_even, "2"},  {"3.5", rounding_mode::half_even, "4"},
        {"-2.5", rounding_mode::half_even, "-2"}, {"2.5", rounding_mode::half_up, "3"},
        {"-2.5", rounding_mode::half_up, "-3"},  {"2.5", rounding_mode::half_down, "2"},
        {"2.51", rounding_mode::half_down, "3"}, {"2.1", rounding_mode::up, "3"},
        {"-2.1", rounding_mode::up, "-3"},       {"2.9", rounding_mode::down, "2"},
        {"-2.9", rounding_mode::down, "-2"},     {"-2.1", rounding_mode::ceiling, "-2"},
        {"2.1", rounding_mode::ceiling, "3"},    {"2.9", rounding_mode::floor, "2"},
        {"-2.1", rounding_mode::floor, "-3"},    {"2.0", rounding_mode::unnecessary, "2"},
    };
    for (const auto& r : rows) {
        CAPTURE(r.value);
        CAPTURE(to_string(r.mode));
        CHECK(d(r.value).rescale(0, r.mode).to_string() == r.expected);
    }
    CHECK(d("1.005").rescale(2, rounding_mode::half_even).to_string() == "1.00");
    CHECK(d("1.015").rescale(2, rounding_mode::half_even).to_string() == "1.02");
    CHECK(d("7").rescale(3, rounding_mode::unnecessary).to_string() == "7.000");
    CHECK_THROWS_WITH_AS((void)d("2.5").rescale(0, rounding_mode::unnecessary),
                         "[incentives.calculation.rounding_necessary] 2.5 cannot be represented at 0 places without "
                         "rounding (mode unnecessary)",
                         calculation_error);
}

TEST_CASE("divide rounds to the requested places") {
    CHECK(decimal(10).divide(decimal(3), 4, rounding_mode::half_up) == d("3.3333"));
    CHECK(decimal(20).divide(decimal(3), 4, rounding_mode::half_up) == d("6.6667"));
    CHECK(decimal(-20).divide(decimal(3), 4, rounding_mode::down) == d("-6.6666"));
    CHECK(d("15").divide(d("3"), 0, rounding_mode::unnecessary) == decimal(5));
    CHECK(d("1").divide(d("8"), 2, rounding_mode::half_even) == d("0.12"));  // 0.125 -> 0.12
    CHECK(d("1").divide(d("-8"), 2, rounding_mode::half_up) == d("-0.13"));
    CHECK(d("0.000001").divide(d("1000000"), 12, rounding_mode::half_even) == d("0.000000000001"));
    // Wide intermediate: 10^37 needs 10^36 more places → through the arbitrary-precision path.
    CHECK(d("1").divide(d("3"), 36, rounding_mode::down).to_string() == "0." + std::string(36, '3'));
    CHECK_THROWS_WITH_AS((void)decimal(1).divide(decimal(0), 2, rounding_mode::half_even),
                         "[incentives.calculation.division_by_zero] division of 1 by zero", calculation_error);
    CHECK_THROWS_AS((void)decimal(1).divide(decimal(3), 37, rounding_mode::half_even), calculation_error);
}

TEST_CASE("equality, ordering and hashing ignore the scale") {
    CHECK(d("1.0") == d("1.00"));
    CHECK(d("1.0").hash() == d("1.00").hash());
    CHECK(d("0").hash() == d("0.000").hash());
    CHECK(d("1.01") > d("1.0"));
    CHECK(d("-1.01") < d("-1.0"));
    CHECK(d("100000000000000000000000000000") > d("0.000000000000000000001"));  // lifting overflows
    CHECK(d("-100000000000000000000000000000") < d("0.000000000000000000001"));
    std::unordered_set<decimal> set{d("2.50"), d("2.5"), d("2.500")};
    CHECK(set.size() == 1);
}

TEST_CASE("regression: leading zeros are not significant digits") {
    CHECK(d(std::string(45, '0').append("1").c_str()) == decimal(1));
    CHECK(d(("0." + std::string(30, '0') + "5").c_str()).to_string() == "0." + std::string(30, '0') + "5");
    CHECK(d(std::string(50, '0').c_str()).is_zero());
}

TEST_CASE("regression: a sum that fits is exact even when an operand does not fit at the common scale") {
    // a = 17014118346046923173168730371588410573 (a x 10 = 2^127 + 2 does not fit at one place)
    // b = -(2^127 - 1) at one place; a + b = (2^127 + 2 - 2^127 + 1) / 10 = 0.3
    auto a = d("17014118346046923173168730371588410573");
    auto b = decimal::from_units(-incentives::detail::int128_max, 1);
    CHECK((a + b).to_string() == "0.3");
}
