// incentives::money — synopsis:
//   money(decimal, currency), money("100.00", "EUR"), money::zero(currency)
//   amount(), currency_of(), round_to_minor(mode), to_string(), fmt
//   + - (same currency, else currency_mismatch), unary -, money * decimal, decimal * money
//   == (value and currency, scale-independent), <=> (same currency only, else currency_mismatch)
//   money_in<"EUR">: the currency in the type; + - * decimal, == <=>, converts to money
#include <doctest/doctest.h>

#include <compare>
#include <string>

#include <fmt/format.h>

#include <incentives/format.hpp>
#include <incentives/money.hpp>

using incentives::calculation_error;
using incentives::currency;
using incentives::currency_mismatch;
using incentives::decimal;
using incentives::input_error;
using incentives::money;
using incentives::money_in;
using incentives::rounding_mode;

namespace {
decimal d(const char* s) { return decimal::parse(s); }
money eur(const char* s) { return money(s, "EUR"); }
}  // namespace

TEST_CASE("money is constructed from an exact amount and a currency, without rounding") {
    money m("100.00", "EUR");
    CHECK(m.amount() == decimal(100));
    CHECK(m.amount().scale() == 2);
    CHECK(m.currency_of() == currency::of("EUR"));
    CHECK(m.to_string() == "100.00 EUR");

    // Finer than the minor unit is kept as given: 10.005 EUR is not rounded on construction.
    money fine("10.005", "EUR");
    CHECK(fine.amount().scale() == 3);
    CHECK(fine.to_string() == "10.005 EUR");

    money from_parts(d("-7.5"), currency::of("JPY"));
    CHECK(from_parts.to_string() == "-7.5 JPY");
    CHECK(from_parts.currency_of().minor_units() == 0);

    // zero() is at the currency's minor units: 0 places for JPY, 2 for EUR, 3 for KWD.
    CHECK(money::zero(currency::of("JPY")).to_string() == "0 JPY");
    CHECK(money::zero(currency::of("EUR")).to_string() == "0.00 EUR");
    CHECK(money::zero(currency::of("KWD")).to_string() == "0.000 KWD");
    CHECK(money::zero(currency::of("KWD")).amount().is_zero());
}

TEST_CASE("a bad amount or an unknown currency is an input_error with its stable code") {
    CHECK_THROWS_WITH_AS((void)money("12,50", "EUR"),
                         "[incentives.input.decimal_syntax] \"12,50\" is not a decimal number: unexpected ',' at "
                         "position 3 (expected digits with an optional sign, one '.' and an optional exponent, e.g. "
                         "\"-12.50\" or \"2.5e-3\")",
                         input_error);
    CHECK_THROWS_WITH_AS((void)money("12.50", "EUX"),
                         "[incentives.input.unknown_currency] unknown currency \"EUX\": expected an active ISO 4217 "
                         "code such as EUR, USD or JPY (did you mean \"EUR\"?)",
                         input_error);
    CHECK_THROWS_AS((void)money("1.0", "eur"), input_error);  // codes are case-sensitive
}

TEST_CASE("round_to_minor rounds to the currency's minor unit with the named mode") {
    struct row {
        const char* amount;
        const char* code;
        rounding_mode mode;
        const char* expected;
    };
    // Each row is checked by hand and against Python:
    //   Decimal(amount).quantize(Decimal("0.01" | "1" | "0.001"), rounding=ROUND_*)
    // EUR (2 places): 2.345 is a tie between 2.34 and 2.35; 4 is even -> half_even 2.34,
    //   half_up (away from zero) 2.35; 2.355 ties between 2.35 and 2.36, 6 is even -> 2.36.
    //   -2.341: 0.001 past -2.34 -> ceiling (toward +inf) -2.34, floor -2.35, up -2.35, down -2.34.
    // JPY (0 places): 1234.5 ties; half_even keeps 1234 (even), half_up 1235; 1235.5 -> 1236 under
    //   half_even, half_down 1235; -1234.5 half_up -> -1235 (ties away from zero).
    // KWD (3 places): 1.2345 ties between 1.234 and 1.235 -> half_even 1.234, half_up 1.235;
    //   1.2355 -> half_even 1.236 (6 even), half_down 1.235; 1.2341 up -> 1.235, down -> 1.234.
    const row rows[] = {
        {"2.345", "EUR", rounding_mode::half_even, "2.34"},  {"2.345", "EUR", rounding_mode::half_up, "2.35"},
        {"2.345", "EUR", rounding_mode::half_down, "2.34"},  {"2.355", "EUR", rounding_mode::half_even, "2.36"},
        {"-2.345", "EUR", rounding_mode::half_even, "-2.34"}, {"-2.345", "EUR", rounding_mode::half_up, "-2.35"},
        {"-2.341", "EUR", rounding_mode::ceiling, "-2.34"},  {"-2.341", "EUR", rounding_mode::floor, "-2.35"},
        {"-2.341", "EUR", rounding_mode::up, "-2.35"},       {"-2.341", "EUR", rounding_mode::down, "-2.34"},
        {"1234.5", "JPY", rounding_mode::half_even, "1234"}, {"1234.5", "JPY", rounding_mode::half_up, "1235"},
        {"1235.5", "JPY", rounding_mode::half_even, "1236"}, {"1235.5", "JPY", rounding_mode::half_down, "1235"},
        {"-1234.5", "JPY", rounding_mode::half_up, "-1235"}, {"-1234.5", "JPY", rounding_mode::floor, "-1235"},
        {"1.2345", "KWD", rounding_mode::half_even, "1.234"}, {"1.2345", "KWD", rounding_mode::half_up, "1.235"},
        {"1.2355", "KWD", rounding_mode::half_even, "1.236"}, {"1.2355", "KWD", rounding_mode::half_down, "1.235"},
        {"1.2341", "KWD", rounding_mode::up, "1.235"},       {"1.2341", "KWD", rounding_mode::down, "1.234"},
    };
    for (const auto& r : rows) {
        CAPTURE(r.amount);
        CAPTURE(r.code);
        CAPTURE(to_string(r.mode));
        money rounded = money(r.amount, r.code).round_to_minor(r.mode);
        CHECK(rounded.amount().to_string() == r.expected);
        CHECK(rounded.currency_of().code() == r.code);
    }
    // A coarser amount gains places: 12.3 EUR -> 12.30 EUR; 7 KWD -> 7.000 KWD.
    CHECK(eur("12.3").round_to_minor(rounding_mode::unnecessary).to_string() == "12.30 EUR");
    CHECK(money("7", "KWD").round_to_minor(rounding_mode::unnecessary).to_string() == "7.000 KWD");
    CHECK_THROWS_WITH_AS((void)eur("12.345").round_to_minor(rounding_mode::unnecessary),
                         "[incentives.calculation.rounding_necessary] 12.345 cannot be represented at 2 places "
                         "without rounding (mode unnecessary)",
                         calculation_error);
}

TEST_CASE("+ and - in one currency are exact") {
    // 0.10 + 0.20 = 0.30 (binary floating point gives 0.30000000000000004)
    CHECK(eur("0.10") + eur("0.20") == eur("0.30"));
    // 100.00 - 33.335 = 66.665 at the finer scale (3), nothing rounded
    money diff = eur("100.00") - eur("33.335");
    CHECK(diff.to_string() == "66.665 EUR");
    CHECK(-eur("2.50") == eur("-2.50"));
    money acc = eur("1.25");
    acc += eur("0.75");  // 2.00
    CHECK(acc == eur("2"));
    acc -= eur("3.10");  // 2.00 - 3.10 = -1.10
    CHECK(acc.to_string() == "-1.10 EUR");
}

TEST_CASE("amounts in different currencies never combine") {
    money e("1.00", "EUR");
    money u("2.00", "USD");
    CHECK_THROWS_WITH_AS((void)(e + u),
                         "[incentives.calculation.currency_mismatch] cannot combine 1.00 EUR + 2.00 USD: amounts in "
                         "different currencies need an explicit exchange rate",
                         currency_mismatch);
    CHECK_THROWS_WITH_AS((void)(u - e),
                         "[incentives.calculation.currency_mismatch] cannot combine 2.00 USD - 1.00 EUR: amounts in "
                         "different currencies need an explicit exchange rate",
                         currency_mismatch);
    // currency_mismatch is a calculation_error, so a generic handler catches it too.
    CHECK_THROWS_AS((void)(e + u), calculation_error);
    money acc = e;
    CHECK_THROWS_AS(acc += u, currency_mismatch);
    CHECK(acc == e);  // the failed += left it unchanged
    try {
        (void)(e - u);
        FAIL("expected currency_mismatch");
    } catch (const currency_mismatch& x) {
        CHECK(x.code() == "incentives.calculation.currency_mismatch");
    }
}

TEST_CASE("equality is by value and currency; ordering across currencies throws") {
    CHECK(eur("1.0") == eur("1.00"));
    CHECK(eur("1.00") != money("1.00", "USD"));  // equal amounts, different currencies
    CHECK(eur("1.01") > eur("1.0"));
    CHECK(eur("-2") < eur("-1.99"));
    CHECK((eur("5.00") <=> eur("5")) == std::strong_ordering::equal);
    CHECK_THROWS_WITH_AS((void)(eur("1.00") < money("2.00", "USD")),
                         "[incentives.calculation.currency_mismatch] cannot compare 1.00 EUR with 2.00 USD: amounts "
                         "in different currencies need an explicit exchange rate",
                         currency_mismatch);
    CHECK_THROWS_AS((void)(money("1", "JPY") >= money("1", "KWD")), currency_mismatch);
}

TEST_CASE("money times a decimal is exact and keeps the currency") {
    // 19.99 x 0.035 = 1999 x 35 = 69965 units at scale 2 + 3 = 5 -> 0.69965
    money rebate = eur("19.99") * d("0.035");
    CHECK(rebate.amount() == d("0.69965"));
    CHECK(rebate.amount().scale() == 5);
    CHECK(rebate.currency_of() == currency::of("EUR"));
    // rounding happens only when asked: 0.69965 -> 0.70 (dropped 965 of 1000 > half), down -> 0.69
    CHECK(rebate.round_to_minor(rounding_mode::half_even) == eur("0.70"));
    CHECK(rebate.round_to_minor(rounding_mode::down) == eur("0.69"));
    // the factor may come first; 3 x -1.50 USD = -4.50 USD
    CHECK(decimal(3) * money("-1.50", "USD") == money("-4.50", "USD"));
    CHECK((money("1000", "JPY") * d("0.5")).to_string() == "500.0 JPY");
}

TEST_CASE("money_in<\"EUR\"> carries its currency in the type") {
    using eur_t = money_in<"EUR">;
    eur_t a("10.50");
    eur_t b(d("0.25"));
    CHECK(eur_t::currency_of() == currency::of("EUR"));
    CHECK(a + b == eur_t("10.75"));            // 10.50 + 0.25
    CHECK(a - b == eur_t("10.25"));            // 10.50 - 0.25
    CHECK((a * d("0.1")).amount() == d("1.050"));  // 10.50 x 0.1 = 1.050 (scale 3)
    CHECK(b < a);
    CHECK(eur_t("1.0") == eur_t("1.00"));
    // converts to the run-time form, which then follows the run-time rules
    money m = a + b;
    CHECK(m == eur("10.75"));
    CHECK(m.currency_of().code() == "EUR");
    CHECK_THROWS_AS((void)(m + money("1", "USD")), currency_mismatch);
    money_in<"JPY"> yen("1500");
    CHECK(static_cast<money>(yen).to_string() == "1500 JPY");
}

TEST_CASE("fmt formats money as amount and code") {
    CHECK(fmt::format("{}", eur("12.50")) == "12.50 EUR");
    CHECK(fmt::format("{}", money("-0.001", "KWD")) == "-0.001 KWD");
    CHECK(fmt::format("[{:>12}]", eur("12.50")) == "[   12.50 EUR]");
    CHECK(fmt::format("{}", currency::of("JPY")) == "JPY");
}
