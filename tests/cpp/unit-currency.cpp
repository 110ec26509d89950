// The ISO 4217 table and incentives::currency: ordering, minor units, unknown codes.
#include <doctest/doctest.h>

#include <cstddef>
#include <set>
#include <string>

#include <incentives/currency.hpp>

using incentives::currency;

TEST_CASE("the ISO 4217 table is strictly sorted by code and has no duplicate numeric codes") {
    auto all = currency::all();
    REQUIRE(all.size() > 150);
    for (std::size_t i = 1; i < all.size(); ++i) {
        INFO("between " << all[i - 1].code << " and " << all[i].code);
        CHECK(all[i - 1].code < all[i].code);
    }
    std::set<int> numerics;
    for (const auto& c : all) {
        INFO("code " << c.code << " numeric " << c.numeric);
        CHECK(numerics.insert(c.numeric).second);
    }
}

TEST_CASE("every code is three uppercase ASCII letters with at most 4 minor units") {
    for (const auto& c : currency::all()) {
        INFO("code " << c.code);
        REQUIRE(c.code.size() == 3);
        for (char ch : c.code) CHECK((ch >= 'A' && ch <= 'Z'));
        CHECK(c.minor_units <= 4);
        CHECK(c.numeric > 0);
        CHECK(c.numeric < 1000);
        CHECK(!c.name.empty());
        // Every entry can be found again by its code.
        CHECK(currency::of(c.code).code() == c.code);
    }
}

TEST_CASE("spot checks of numeric codes and minor units") {
    CHECK(currency::of("JPY").minor_units() == 0);
    CHECK(currency::of("EUR").minor_units() == 2);
    CHECK(currency::of("EUR").numeric() == 978);
    CHECK(currency::of("EUR").name() == "Euro");
    CHECK(currency::of("USD").minor_units() == 2);
    CHECK(currency::of("USD").numeric() == 840);
    CHECK(currency::of("KWD").minor_units() == 3);
    CHECK(currency::of("BHD").minor_units() == 3);
    CHECK(currency::of("CLF").minor_units() == 4);
    CHECK(currency::of("UYW").minor_units() == 4);
    CHECK(currency::of("CLP").minor_units() == 0);
    CHECK(currency::of("KRW").minor_units() == 0);
    CHECK(currency::of("XOF").minor_units() == 0);
    CHECK(currency::of("MGA").minor_units() == 2);
    CHECK(currency::of("MRU").minor_units() == 2);
    CHECK(currency::of("XCG").numeric() == 532);
    CHECK(currency::of("XCG").minor_units() == 2);
    CHECK(currency::of("ZWG").numeric() == 924);
}

TEST_CASE("withdrawn codes are unknown") {
    for (const char* code : {"ANG", "HRK", "SLL", "ZWL", "CUC", "VEF", "MRO", "STD", "XAU", "XXX"}) {
        INFO("code " << code);
        CHECK_THROWS_AS((void)currency::of(code), incentives::input_error);
    }
}

TEST_CASE("an unknown code throws input_error with a suggestion") {
    CHECK_THROWS_WITH_AS((void)currency::of("EUX"),
                         "[incentives.input.unknown_currency] unknown currency \"EUX\": expected an active ISO 4217 "
                         "code such as EUR, USD or JPY (did you mean \"EUR\"?)",
                         incentives::input_error);
    // Codes are case-sensitive; the suggestion is not.
    CHECK_THROWS_WITH_AS((void)currency::of("eur"),
                         "[incentives.input.unknown_currency] unknown currency \"eur\": expected an active ISO 4217 "
                         "code such as EUR, USD or JPY (did you mean \"EUR\"?)",
                         incentives::input_error);
    // Every code is 3 edits away from "": too far to suggest anything.
    CHECK_THROWS_WITH_AS((void)currency::of(""),
                         "[incentives.input.unknown_currency] unknown currency \"\": expected an active ISO 4217 "
                         "code such as EUR, USD or JPY",
                         incentives::input_error);
    try {
        (void)currency::of("EUX");
        FAIL("expected input_error");
    } catch (const incentives::input_error& e) {
        CHECK(e.code() == "incentives.input.unknown_currency");
    }
}

TEST_CASE("currencies compare by identity") {
    CHECK(currency::of("EUR") == currency::of("EUR"));
    CHECK(currency::of("EUR") != currency::of("USD"));
    CHECK(currency::of("JPY") != currency::of("KWD"));
}
