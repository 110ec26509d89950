// The rule families as pure functions — synopsis:
//   apply_tiers(tier_table, measure, on) -> tier_outcome{row, amount, above_top}   (rules/tiers.hpp)
//   apply_simple(schedule, measure)                                               (rules/schedule.hpp)
//   reaches(threshold, measure), partner_matches(selector, partner), eligible(...) (rules/threshold.hpp)
//   band_reached / multiplier(accelerator, measure, target)                       (rules/accelerator.hpp)
//   apply_limit(limit, amount), share_cap(cap, amounts)                            (rules/limits.hpp)
//   allocate_budget(budget, asked, minor_units)                                   (rules/budget.hpp)
//   proportional_clawback(line, sale measure, line measure, returned, sold, places, mode)
//   combine(combinator, amounts) -> combined{amount, winner}                      (rules/combinator.hpp)
//   split_credit(total, weights, out)                                             (rules/credit.hpp)
// Every expected value is worked out by hand in the comment next to it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <incentives/model.hpp>
#include <incentives/rules/accelerator.hpp>
#include <incentives/rules/budget.hpp>
#include <incentives/rules/clawback.hpp>
#include <incentives/rules/combinator.hpp>
#include <incentives/rules/credit.hpp>
#include <incentives/rules/limits.hpp>
#include <incentives/rules/schedule.hpp>
#include <incentives/rules/threshold.hpp>
#include <incentives/rules/tiers.hpp>

using incentives::decimal;
using incentives::int128;
using incentives::partner;
using incentives::period_unit;
using incentives::rounding_mode;
using incentives::rules::field;
using incentives::rules::selector;
namespace rules = incentives::rules;

namespace {

decimal d(const char* s) { return decimal::parse(s); }

/// A value as its shortest exact text ("2400", "499.9999"), so that a failure prints it.
std::string v(const decimal& x) { return x.normalized().to_string(); }

using strings = std::vector<std::string>;

strings texts(const std::vector<decimal>& xs) {
    strings out;
    for (const auto& x : xs) out.push_back(x.to_string());
    return out;
}

strings values(const std::vector<decimal>& xs) {
    strings out;
    for (const auto& x : xs) out.push_back(v(x));
    return out;
}

int128 abs128(int128 x) { return x < 0 ? -x : x; }

using basis = rules::tier_table::basis_t;
using value_kind = rules::tier_table::value_t;

/// 0: 1%, 50000: 2%, 150000: 3.5% (open at the top).
rules::tier_table volume_table(basis b) {
    rules::tier_table t;
    t.basis = b;
    t.rows = {{decimal(0), {}, d("0.01"), "bronze"},
              {decimal(50000), {}, d("0.02"), "silver"},
              {decimal(150000), {}, d("0.035"), "gold"}};
    return t;
}

/// 0: 1%, 50000: 2% up to an explicit top of 100000.
rules::tier_table topped_table(basis b) {
    rules::tier_table t;
    t.basis = b;
    t.rows = {{decimal(0), {}, d("0.01"), "bronze"}, {decimal(50000), decimal(100000), d("0.02"), "silver"}};
    return t;
}

partner acme() { return {"P1", "Acme", "smb", "north", "eu", "gold", {{"trained", "yes"}, {"revenue", "1500000"}}}; }
partner beta() { return {"P2", "Beta", "enterprise", "south", "eu", "silver", {{"trained", "no"}, {"revenue", "200000"}}}; }
partner core() { return {"P3", "Core", "smb", "south", "us", "bronze", {{"trained", "no"}}}; }

field partner_field_of(const char* name) { return field{field::scope::partner, name}; }

std::vector<long long> narrow(const std::vector<int128>& xs) {
    std::vector<long long> out;
    for (auto x : xs) out.push_back(static_cast<long long>(x));
    return out;
}

std::vector<long long> split(int128 total, std::vector<std::int64_t> weights) {
    std::vector<int128> out(weights.size());
    rules::split_credit(total, weights, out);
    return narrow(out);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Tier tables

TEST_CASE("rules: tiers, retroactive and marginal rates") {
    auto retro = rules::apply_tiers(volume_table(basis::retroactive), decimal(120000), decimal(120000));
    auto marg = rules::apply_tiers(volume_table(basis::marginal), decimal(120000), decimal(120000));
    // 120000 is in [50000, 150000): silver.
    CHECK(retro.row == std::size_t{1});
    CHECK(marg.row == std::size_t{1});
    // retroactive: 120000 x 2% = 2400
    CHECK(v(retro.amount) == "2400");
    // marginal: 50000 x 1% + 70000 x 2% = 500 + 1400 = 1900
    CHECK(v(marg.amount) == "1900");
    CHECK_FALSE(retro.above_top);
    CHECK_FALSE(marg.above_top);

    // 200000 reaches gold: retroactive 200000 x 3.5% = 7000;
    // marginal 50000 x 1% + 100000 x 2% + 50000 x 3.5% = 500 + 2000 + 1750 = 4250
    CHECK(v(rules::apply_tiers(volume_table(basis::retroactive), decimal(200000), decimal(200000)).amount) == "7000");
    CHECK(v(rules::apply_tiers(volume_table(basis::marginal), decimal(200000), decimal(200000)).amount) == "4250");
}

TEST_CASE("rules: tiers, a bound belongs to the tier it opens (half-open [from, to))") {
    for (auto b : {basis::retroactive, basis::marginal}) {
        CAPTURE(static_cast<int>(b));
        auto at = rules::apply_tiers(volume_table(b), decimal(50000), decimal(50000));
        auto below = rules::apply_tiers(volume_table(b), d("49999.99"), d("49999.99"));
        CHECK(at.row == std::size_t{1});
        CHECK(below.row == std::size_t{0});
        if (b == basis::retroactive) {
            CHECK(v(at.amount) == "1000");          // 50000 x 2% = 1000
            CHECK(v(below.amount) == "499.9999");   // 49999.99 x 1% = 499.9999
        } else {
            CHECK(v(at.amount) == "500");           // 50000 x 1% + 0 x 2% = 500
            CHECK(v(below.amount) == "499.9999");   // 49999.99 x 1% = 499.9999
        }
    }
}

TEST_CASE("rules: tiers, below the first tier nothing is paid") {
    for (auto b : {basis::retroactive, basis::marginal}) {
        CAPTURE(static_cast<int>(b));
        rules::tier_table t;
        t.basis = b;
        t.rows = {{decimal(10000), {}, d("0.01"), "entry"}, {decimal(50000), {}, d("0.02"), "silver"}};
        // 9999.99 < 10000: no row, 0
        auto out = rules::apply_tiers(t, d("9999.99"), d("9999.99"));
        CHECK_FALSE(out.row.has_value());
        CHECK(out.amount.is_zero());
        CHECK_FALSE(out.above_top);
        // 20000: retroactive 20000 x 1% = 200; marginal only the band: (20000 - 10000) x 1% = 100
        auto in = rules::apply_tiers(t, decimal(20000), decimal(20000));
        CHECK(in.row == std::size_t{0});
        CHECK(v(in.amount) == (b == basis::retroactive ? "200" : "100"));
    }
}

TEST_CASE("rules: tiers with amount values") {
    rules::tier_table t;
    t.value = value_kind::amount;
    t.rows = {{decimal(10000), {}, decimal(100), "entry"},
              {decimal(50000), {}, decimal(500), "silver"},
              {decimal(150000), {}, decimal(2000), "gold"}};
    // below the first tier: 0 either way
    CHECK(rules::apply_tiers(t, decimal(5000), decimal(5000)).amount.is_zero());
    t.basis = basis::retroactive;
    CHECK(v(rules::apply_tiers(t, decimal(120000), decimal(120000)).amount) == "500");   // silver's amount
    CHECK(v(rules::apply_tiers(t, decimal(150000), decimal(150000)).amount) == "2000");  // gold's amount
    t.basis = basis::marginal;
    CHECK(v(rules::apply_tiers(t, decimal(120000), decimal(120000)).amount) == "600");   // 100 + 500
    CHECK(v(rules::apply_tiers(t, decimal(150000), decimal(150000)).amount) == "2600");  // 100 + 500 + 2000
    CHECK(rules::apply_tiers(t, decimal(5000), decimal(5000)).amount.is_zero());
}

TEST_CASE("rules: tiers with an explicit top, marginal: full bands above it, no cliff") {
    auto t = topped_table(basis::marginal);
    REQUIRE(t.top().has_value());
    // 99999.99: 50000 x 1% + 49999.99 x 2% = 500 + 999.9998 = 1499.9998
    auto below = rules::apply_tiers(t, d("99999.99"), d("99999.99"));
    CHECK(v(below.amount) == "1499.9998");
    CHECK_FALSE(below.above_top);
    // 100000 is the top (excluded from the table): 50000 x 1% + 50000 x 2% = 1500, above the top
    auto at = rules::apply_tiers(t, decimal(100000), decimal(100000));
    CHECK(v(at.amount) == "1500");
    CHECK(at.above_top);
    // 120000: the excess 20000 earns nothing: still 1500, no cliff (not 0, not less)
    auto above = rules::apply_tiers(t, decimal(120000), decimal(120000));
    CHECK(above.row == std::size_t{1});
    CHECK(v(above.amount) == "1500");
    CHECK(above.above_top);
    CHECK(below.amount <= at.amount);
}

TEST_CASE("rules: tiers with an explicit top, retroactive: the top rate on the measure capped at the top") {
    auto t = topped_table(basis::retroactive);
    // 99999.99 x 2% = 1999.9998
    auto below = rules::apply_tiers(t, d("99999.99"), d("99999.99"));
    CHECK(v(below.amount) == "1999.9998");
    CHECK_FALSE(below.above_top);
    // at the top: 100000 x 2% = 2000
    auto at = rules::apply_tiers(t, decimal(100000), decimal(100000));
    CHECK(v(at.amount) == "2000");
    CHECK(at.above_top);
    // 120000: paid on min(120000, 100000) = 100000 x 2% = 2000 (not 120000 x 2% = 2400)
    auto above = rules::apply_tiers(t, decimal(120000), decimal(120000));
    CHECK(above.row == std::size_t{1});
    CHECK(v(above.amount) == "2000");
    CHECK(above.above_top);

    // Amount values above the top: the top row's amount, 500, flagged.
    rules::tier_table a;
    a.value = value_kind::amount;
    a.rows = {{decimal(0), {}, decimal(100), "bronze"}, {decimal(50000), decimal(100000), decimal(500), "silver"}};
    auto amt = rules::apply_tiers(a, decimal(120000), decimal(120000));
    CHECK(v(amt.amount) == "500");
    CHECK(amt.above_top);
    a.basis = basis::marginal;  // 100 + 500 = 600
    CHECK(v(rules::apply_tiers(a, decimal(120000), decimal(120000)).amount) == "600");
}

TEST_CASE("rules: tiers picked by another measure (tier_table.on): above the top, the whole measure is paid") {
    // Tiers by growth percent: [0, 5): 1%, [5, 10): 2%, top 10; paid on the sales amount 80000.
    rules::tier_table t;
    rules::measure growth_pct;
    growth_pct.over = rules::growth{rules::growth::baseline_kind::prior_year, rules::growth::form_kind::percent, {}};
    t.on = growth_pct;
    t.rows = {{decimal(0), {}, d("0.01"), "flat"}, {decimal(5), decimal(10), d("0.02"), "growing"}};
    // growth 3: 80000 x 1% = 800
    CHECK(v(rules::apply_tiers(t, decimal(80000), decimal(3)).amount) == "800");
    // growth 7: 80000 x 2% = 1600
    auto mid = rules::apply_tiers(t, decimal(80000), decimal(7));
    CHECK(v(mid.amount) == "1600");
    CHECK_FALSE(mid.above_top);
    // growth 12 (above the top 10): the top row's rate on the whole measure, 80000 x 2% = 1600
    auto above = rules::apply_tiers(t, decimal(80000), decimal(12));
    CHECK(above.row == std::size_t{1});
    CHECK(v(above.amount) == "1600");
    CHECK(above.above_top);
    // growth exactly 10 is already above the top (half-open): 1600, flagged
    auto at = rules::apply_tiers(t, decimal(80000), decimal(10));
    CHECK(v(at.amount) == "1600");
    CHECK(at.above_top);
}

// ---------------------------------------------------------------------------------------------
// Simple schedules

TEST_CASE("rules: simple schedules (rate, per_unit, per_event, multiple, fixed)") {
    using kind = rules::schedule::kind_t;
    rules::schedule s;
    s.kind = kind::rate;
    s.value = d("0.02");
    CHECK(v(rules::apply_simple(s, decimal(120000))) == "2400");  // 120000 x 2% = 2400
    CHECK(v(rules::apply_simple(s, decimal(-1000))) == "-20");    // a return: -1000 x 2% = -20
    s.kind = kind::per_unit;
    s.value = d("12.50");
    CHECK(v(rules::apply_simple(s, decimal(15))) == "187.5");     // 15 x 12.50 = 187.50
    s.kind = kind::per_event;
    s.value = decimal(25);
    CHECK(v(rules::apply_simple(s, decimal(7))) == "175");        // 7 x 25 = 175
    s.kind = kind::multiple;
    s.value = decimal(8);
    CHECK(v(rules::apply_simple(s, d("1250.50"))) == "10004");    // 8 x 1250.50 = 10004

    // fixed: its value once, only for a measure above zero
    s.kind = kind::fixed;
    s.value = decimal(500);
    CHECK(v(rules::apply_simple(s, decimal(3))) == "500");
    CHECK(v(rules::apply_simple(s, d("0.01"))) == "500");
    CHECK(rules::apply_simple(s, decimal(0)).is_zero());
    CHECK(rules::apply_simple(s, decimal(-5)).is_zero());

    CHECK_FALSE(s.is_linear());  // fixed
    s.kind = kind::tiers;
    CHECK_FALSE(s.is_linear());
    s.kind = kind::rate;
    CHECK(s.is_linear());
}

// ---------------------------------------------------------------------------------------------
// Thresholds

TEST_CASE("rules: threshold, reaches the minimum measure (inclusive)") {
    rules::threshold none;
    CHECK(rules::reaches(none, decimal(0)));   // no minimum: always
    CHECK(rules::reaches(none, decimal(-5)));
    rules::threshold q;
    q.min_measure = decimal(10000);
    CHECK_FALSE(rules::reaches(q, d("9999.99")));
    CHECK(rules::reaches(q, decimal(10000)));  // 10000 >= 10000
    CHECK(rules::reaches(q, d("10000.01")));
}

TEST_CASE("rules: threshold, partner_matches over partner fields and attributes") {
    const auto p1 = acme(), p2 = beta(), p3 = core();
    auto smb = selector::in(partner_field_of("segment"), {"smb", "mid"});
    CHECK(rules::partner_matches(smb, p1));   // segment smb is in {smb, mid}
    CHECK_FALSE(rules::partner_matches(smb, p2));  // enterprise is not
    CHECK_FALSE(rules::partner_matches(selector::in(partner_field_of("tier"), {"silver"}), p1));  // gold
    CHECK(rules::partner_matches(selector::in(partner_field_of("trained"), {"yes"}), p1));  // attribute

    // range over a numeric attribute, half-open [min, max): revenue 1500000
    auto revenue = partner_field_of("revenue");
    CHECK(rules::partner_matches(selector::range(revenue, decimal(1000000), decimal(2000000)), p1));
    CHECK_FALSE(rules::partner_matches(selector::range(revenue, std::nullopt, decimal(1500000)), p1));  // max excluded
    CHECK(rules::partner_matches(selector::range(revenue, decimal(1500000), std::nullopt), p1));        // min included
    CHECK_FALSE(rules::partner_matches(selector::range(revenue, decimal(1000000), std::nullopt), p2));  // 200000
    // a range needs a number: a text attribute, or a missing one (P3 has no revenue), fails it
    CHECK_FALSE(rules::partner_matches(selector::range(partner_field_of("trained"), std::nullopt, std::nullopt), p1));
    CHECK_FALSE(rules::partner_matches(selector::range(revenue, std::nullopt, std::nullopt), p3));

    // all / any / negate
    auto trained = selector::in(partner_field_of("trained"), {"yes"});
    auto smb_and_trained = selector::all({smb, trained});
    CHECK(rules::partner_matches(smb_and_trained, p1));        // smb and trained
    CHECK_FALSE(rules::partner_matches(smb_and_trained, p3));  // smb, not trained
    auto gold_or_south = selector::any({selector::in(partner_field_of("tier"), {"gold"}),
                                        selector::in(partner_field_of("group"), {"south"})});
    CHECK(rules::partner_matches(gold_or_south, p1));  // gold
    CHECK(rules::partner_matches(gold_or_south, p2));  // group south
    CHECK_FALSE(rules::partner_matches(gold_or_south, partner{"P4", "Dell", "smb", "north", "eu", "silver", {}}));
    auto not_enterprise = selector::negate(selector::in(partner_field_of("segment"), {"enterprise"}));
    CHECK(rules::partner_matches(not_enterprise, p1));
    CHECK_FALSE(rules::partner_matches(not_enterprise, p2));

    // always, and dates (not a partner condition), match every partner
    CHECK(rules::partner_matches(selector(), p2));
    CHECK(rules::partner_matches(selector::dates(std::nullopt, std::nullopt), p2));
}

TEST_CASE("rules: threshold, eligible partners") {
    rules::threshold q;
    CHECK(rules::eligible(q, beta()));  // no condition: always
    q.eligible = selector::in(partner_field_of("trained"), {"yes"});
    CHECK(rules::eligible(q, acme()));        // trained yes
    CHECK_FALSE(rules::eligible(q, beta()));  // trained no
}

// ---------------------------------------------------------------------------------------------
// Accelerators

TEST_CASE("rules: accelerator bands by attainment") {
    rules::accelerator a;
    a.bands = {{decimal(0), d("0.5")}, {d("0.5"), decimal(1)}, {decimal(1), d("1.5")}};
    const decimal target(1000);
    // 400 >= 0 x 1000, < 0.5 x 1000 = 500: first band, 0.5
    CHECK(rules::band_reached(a, decimal(400), target) == &a.bands[0]);
    CHECK(v(rules::multiplier(a, decimal(400), target)) == "0.5");
    // exactly 500 >= 0.5 x 1000: second band, 1
    CHECK(rules::band_reached(a, decimal(500), target) == &a.bands[1]);
    CHECK(v(rules::multiplier(a, decimal(500), target)) == "1");
    CHECK(v(rules::multiplier(a, d("999.99"), target)) == "1");
    // 1000 >= 1 x 1000: 1.5, and so on above plan
    CHECK(rules::band_reached(a, decimal(1000), target) == &a.bands[2]);
    CHECK(v(rules::multiplier(a, decimal(2500), target)) == "1.5");

    // below the first band: none, multiplier 1 (100 < 0.5 x 1000 = 500)
    rules::accelerator b;
    b.bands = {{d("0.5"), decimal(1)}, {decimal(1), d("1.5")}};
    CHECK(rules::band_reached(b, decimal(100), target) == nullptr);
    CHECK(v(rules::multiplier(b, decimal(100), target)) == "1");
}

TEST_CASE("rules: accelerator compares measure >= from x target, no division decides a band") {
    rules::accelerator a;
    a.bands = {{d("0.6667"), decimal(2)}};
    // 2 / 3 rounded to 4 places is 0.6667, which would reach the band...
    CHECK(v(decimal(2).divide(decimal(3), 4, rounding_mode::half_up)) == "0.6667");
    // ...but 0.6667 x 3 = 2.0001 > 2: not reached, multiplier 1
    CHECK(rules::band_reached(a, decimal(2), decimal(3)) == nullptr);
    CHECK(v(rules::multiplier(a, decimal(2), decimal(3))) == "1");
    // 2.0001 >= 2.0001: reached
    CHECK(v(rules::multiplier(a, d("2.0001"), decimal(3))) == "2");
    // from 0.6666: 0.6666 x 3 = 1.9998 <= 2: reached
    a.bands[0].from = d("0.6666");
    CHECK(v(rules::multiplier(a, decimal(2), decimal(3))) == "2");
}

// ---------------------------------------------------------------------------------------------
// Caps and floors

TEST_CASE("rules: cap and floor of a line's own period") {
    const rules::limit cap{rules::limit::kind_t::cap, decimal(5000), std::nullopt};
    CHECK(v(rules::apply_limit(cap, decimal(7000))) == "5000");  // min(7000, 5000)
    CHECK(v(rules::apply_limit(cap, decimal(3000))) == "3000");
    CHECK(v(rules::apply_limit(cap, decimal(5000))) == "5000");
    const rules::limit minimum{rules::limit::kind_t::floor, decimal(100), std::nullopt};
    CHECK(v(rules::apply_limit(minimum, decimal(40))) == "100");   // max(40, 100)
    CHECK(v(rules::apply_limit(minimum, decimal(250))) == "250");
    CHECK(v(rules::apply_limit(minimum, decimal(100))) == "100");

    // longer_than: only a `per` other than the rule's own unit
    CHECK_FALSE(cap.longer_than(period_unit::quarter));
    const rules::limit yearly{rules::limit::kind_t::cap, decimal(10000), period_unit::year};
    CHECK(yearly.longer_than(period_unit::quarter));
    CHECK_FALSE(yearly.longer_than(period_unit::year));
}

TEST_CASE("rules: a yearly cap shared by quarters in order") {
    const std::vector<decimal> quarters{decimal(3000), decimal(4000), decimal(5000), decimal(2000)};
    // cap 10000: Q1 3000 (used 3000), Q2 4000 (used 7000), Q3 min(5000, 3000 left) = 3000, Q4 0 left: 0
    auto out = rules::share_cap(decimal(10000), quarters);
    CHECK(values(out) == strings{"3000", "4000", "3000", "0"});
    // under the cap (1000 + 2000 + 3000 = 6000 <= 10000): unchanged
    const std::vector<decimal> small{decimal(1000), decimal(2000), decimal(3000)};
    CHECK(values(rules::share_cap(decimal(10000), small)) == strings{"1000", "2000", "3000"});
}

TEST_CASE("rules: a shared cap never pays more than the cap (property)") {
    std::mt19937_64 rng(20270315);
    std::uniform_int_distribution<int> count(1, 6);
    std::uniform_int_distribution<std::int64_t> cents(0, 500000), cap_cents(0, 1500000);
    for (int n = 0; n < 2000; ++n) {
        CAPTURE(n);
        std::vector<decimal> amounts(static_cast<std::size_t>(count(rng)));
        decimal total;
        for (auto& a : amounts) {
            a = decimal::from_units(cents(rng), 2);
            total += a;
        }
        const decimal cap = decimal::from_units(cap_cents(rng), 2);
        auto out = rules::share_cap(cap, amounts);
        REQUIRE(out.size() == amounts.size());
        decimal sum;
        for (std::size_t i = 0; i < out.size(); ++i) {
            CHECK((out[i].signum() >= 0 && out[i] <= amounts[i]));
            sum += out[i];
        }
        // the sum is min(total, cap): never above the cap, and nothing withheld under it
        CHECK(sum == (total < cap ? total : cap));
    }
}

// ---------------------------------------------------------------------------------------------
// Budgets

TEST_CASE("rules: budget pro_rata, exact to the cent by largest remainder") {
    rules::budget b{d("100.00"), rules::budget::policy_t::pro_rata};
    const std::vector<decimal> asked{d("50.00"), d("30.00"), d("40.00")};
    // total 120.00 > 100.00. In cents: 10000 x 5000 / 12000 = 4166 r 8000; x 3000 = 2500 r 0;
    // x 4000 = 3333 r 4000. 4166 + 2500 + 3333 = 9999: one cent to the largest remainder (index 0).
    auto out = rules::allocate_budget(b, asked, 2);
    CHECK(texts(out) == strings{"41.67", "25.00", "33.33"});
    decimal sum;
    for (const auto& x : out) sum += x;
    CHECK(sum.to_string() == "100.00");

    // 100 (given without places) over 60:60:60 = 180: 10000 / 3 = 3333 r 1 each, one cent left,
    // the tie goes to the first: 33.34, 33.33, 33.33 (at 2 places, the currency's).
    b.amount = decimal(100);
    const std::vector<decimal> equal{d("60.00"), d("60.00"), d("60.00")};
    CHECK(texts(rules::allocate_budget(b, equal, 2)) == strings{"33.34", "33.33", "33.33"});
}

TEST_CASE("rules: budget pro_rata sums to the budget exactly (property)") {
    std::mt19937_64 rng(20270601);
    std::uniform_int_distribution<int> count(1, 7);
    std::uniform_int_distribution<std::int64_t> cents(0, 1000000);
    for (int n = 0; n < 2000; ++n) {
        CAPTURE(n);
        std::vector<decimal> asked(static_cast<std::size_t>(count(rng)));
        std::int64_t total = 0;
        for (auto& a : asked) {
            std::int64_t c = cents(rng);
            a = decimal::from_units(c, 2);
            total += c;
        }
        if (total < 2) continue;
        std::uniform_int_distribution<std::int64_t> budget_cents(0, total - 1);  // over budget
        const decimal budget = decimal::from_units(budget_cents(rng), 2);
        auto out = rules::allocate_budget({budget, rules::budget::policy_t::pro_rata}, asked, 2);
        REQUIRE(out.size() == asked.size());
        decimal sum;
        for (std::size_t i = 0; i < out.size(); ++i) {
            CHECK(out[i].scale() == 2);
            CHECK((out[i].signum() >= 0 && out[i] <= asked[i]));  // scaled down, never up
            sum += out[i];
        }
        CHECK(sum == budget);
    }
}

TEST_CASE("rules: budget event_date pays in order until spent") {
    rules::budget b{decimal(100), rules::budget::policy_t::event_date};
    const std::vector<decimal> asked{decimal(30), decimal(50), decimal(40), decimal(10)};
    // 30 (70 left), 50 (20 left), min(40, 20) = 20 (0 left), 0
    CHECK(values(rules::allocate_budget(b, asked, 2)) == strings{"30", "50", "20", "0"});
}

TEST_CASE("rules: budget reject skips a line that does not fit whole, pays a later one that fits") {
    rules::budget b{decimal(100), rules::budget::policy_t::reject};
    const std::vector<decimal> asked{decimal(30), decimal(50), decimal(40), decimal(10)};
    // 30 (70 left), 50 (20 left), 40 > 20: 0 (20 left), 10 <= 20: 10 (10 left); total 90
    CHECK(values(rules::allocate_budget(b, asked, 2)) == strings{"30", "50", "0", "10"});
}

TEST_CASE("rules: within budget every line gets what it asked, whatever the policy") {
    using policy = rules::budget::policy_t;
    const std::vector<decimal> asked{d("30.00"), d("50.00"), d("40.00"), d("10.00")};  // total 130.00
    for (auto p : {policy::pro_rata, policy::event_date, policy::reject}) {
        CAPTURE(std::string(rules::to_string(p)));
        CHECK(texts(rules::allocate_budget({decimal(200), p}, asked, 2)) == texts(asked));
        // exactly the total (130 is not below 130): unchanged too
        CHECK(texts(rules::allocate_budget({decimal(130), p}, asked, 2)) == texts(asked));
    }
}

// ---------------------------------------------------------------------------------------------
// Clawback

TEST_CASE("rules: proportional clawback") {
    // a line of 2400 on a measure of 120000; the sale measured 30000, 2 of 5 units returned:
    // -(2400 x 30000 x 2) / (120000 x 5) = -144000000 / 600000 = -240.00
    CHECK(rules::proportional_clawback(decimal(2400), decimal(30000), decimal(120000), 2, 5, 2, rounding_mode::half_even)
              .to_string() == "-240.00");
    // everything returned: the sale's whole share, -(10.00 x 100 x 3) / (100 x 3) = -10.00
    CHECK(rules::proportional_clawback(d("10.00"), d("100.00"), d("100.00"), 3, 3, 2, rounding_mode::half_even)
              .to_string() == "-10.00");
    // nothing to claw back: zero line, zero measure, nothing sold -> 0.00
    CHECK(rules::proportional_clawback(decimal(0), decimal(100), decimal(100), 1, 3, 2, rounding_mode::half_even)
              .to_string() == "0.00");
    CHECK(rules::proportional_clawback(decimal(10), decimal(100), decimal(0), 1, 3, 2, rounding_mode::half_even)
              .to_string() == "0.00");
    CHECK(rules::proportional_clawback(decimal(10), decimal(100), decimal(100), 1, 0, 2, rounding_mode::half_even)
              .to_string() == "0.00");
    // an exact tie: 0.01 x 1 / 2 = -0.005 -> half_even -0.00 (0 is even), half_up -0.01, half_down -0.00
    CHECK(v(rules::proportional_clawback(d("0.01"), decimal(1), decimal(2), 1, 1, 2, rounding_mode::half_even)) == "0");
    CHECK(v(rules::proportional_clawback(d("0.01"), decimal(1), decimal(2), 1, 1, 2, rounding_mode::half_up)) == "-0.01");
    CHECK(v(rules::proportional_clawback(d("0.01"), decimal(1), decimal(2), 1, 1, 2, rounding_mode::half_down)) == "0");
    // Products beyond 38 digits whose clawback fits (regression: found by fuzz_columns, it threw an
    // overflow): a line of 10^20 on a measure of 2 x 10^20, the sale measured 10^20, 10^15 of 2 x 10^15
    // returned: -(10^20 x 10^20 x 10^15) / (2 x 10^20 x 2 x 10^15) = -10^55 / (4 x 10^35) = -2.5 x 10^19.
    const decimal e20 = d("100000000000000000000.00"), two_e20 = d("200000000000000000000.00");
    const std::int64_t e15 = 1000000000000000;
    CHECK(rules::proportional_clawback(e20, e20, two_e20, e15, 2 * e15, 2, rounding_mode::half_even).to_string() ==
          "-25000000000000000000.00");
    // One of three returned: -(10^20 x 10^20) / (2 x 10^20 x 3) = -16666666666666666666.666... -> .67.
    CHECK(rules::proportional_clawback(e20, e20, two_e20, 1, 3, 2, rounding_mode::half_even).to_string() ==
          "-16666666666666666666.67");
    // floor rounds the negative amount toward minus infinity: ...666.666 -> ...666.67 as well; ceiling -> .66.
    CHECK(rules::proportional_clawback(e20, e20, two_e20, 1, 3, 2, rounding_mode::ceiling).to_string() == "-16666666666666666666.66");
}

TEST_CASE("regression: clawbacks under floor and ceiling round the wrong way") {
    // line 10.00 on a measure of 100.00, the sale's measure 100.00, 1 of 3 units returned:
    // -(10.00 x 100.00 x 1) / (100.00 x 3) = -3.3333...; the amount is negative, so
    // floor (toward -inf) -3.34, ceiling (toward +inf) -3.33, up (away from 0) -3.34, down -3.33,
    // half_even -3.33 (the dropped 0.0033... is below half).
    auto claw = [](rounding_mode m) {
        return rules::proportional_clawback(d("10.00"), d("100.00"), d("100.00"), 1, 3, 2, m).to_string();
    };
    CHECK(claw(rounding_mode::floor) == "-3.34");
    CHECK(claw(rounding_mode::ceiling) == "-3.33");
    CHECK(claw(rounding_mode::half_even) == "-3.33");
    CHECK(claw(rounding_mode::up) == "-3.34");
    CHECK(claw(rounding_mode::down) == "-3.33");
}

// ---------------------------------------------------------------------------------------------
// Combinators

TEST_CASE("rules: combinators sum_of, max_of, first_of") {
    using rules::combinator;
    const std::vector<decimal> amounts{decimal(100), d("250.50"), d("250.50"), decimal(-20)};
    // sum_of: 100 + 250.50 + 250.50 - 20 = 581
    auto sum = rules::combine(combinator::sum_of, amounts);
    CHECK(v(sum.amount) == "581");
    // first_of adds too (each event already went to one child)
    CHECK(v(rules::combine(combinator::first_of, amounts).amount) == "581");
    // max_of: 250.50, and of the two equal largest the earliest child, index 1
    auto max = rules::combine(combinator::max_of, amounts);
    CHECK(v(max.amount) == "250.5");
    CHECK(max.winner == std::size_t{1});
    // all equal: the first child wins
    const std::vector<decimal> same{decimal(7), d("7.00"), decimal(7)};
    CHECK(rules::combine(combinator::max_of, same).winner == std::size_t{0});
    // all negative: the largest is -3, child 1
    const std::vector<decimal> negative{decimal(-5), decimal(-3), decimal(-4)};
    auto neg = rules::combine(combinator::max_of, negative);
    CHECK(v(neg.amount) == "-3");
    CHECK(neg.winner == std::size_t{1});
    // a single child is itself
    const std::vector<decimal> one{d("12.34")};
    CHECK(v(rules::combine(combinator::sum_of, one).amount) == "12.34");
    CHECK(rules::combine(combinator::max_of, one).winner == std::size_t{0});
}

// ---------------------------------------------------------------------------------------------
// Split credit

TEST_CASE("rules: split credit, worked examples") {
    using parts = std::vector<long long>;
    // 1:1:1 of 100: 33 r1 each, one unit left, tie -> the first listed: 34, 33, 33
    CHECK(split(100, {1, 1, 1}) == parts{34, 33, 33});
    // 2:1 of 100: 200 / 3 = 66 r2, 100 / 3 = 33 r1; one left -> the larger remainder: 67, 33
    CHECK(split(100, {2, 1}) == parts{67, 33});
    // 1:2 of 100: 33 r1, 66 r2: the larger remainder wins over the earlier person: 33, 67
    CHECK(split(100, {1, 2}) == parts{33, 67});
    // a negative total splits as its magnitude, negated
    CHECK(split(-100, {1, 1, 1}) == parts{-34, -33, -33});
    CHECK(split(-100, {2, 1}) == parts{-67, -33});
    // 3:3:1 of 1000: 428 r4, 428 r4, 142 r6; two left: index 2 (r6), then index 0 (r4, first of the tie)
    CHECK(split(1000, {3, 3, 1}) == parts{429, 428, 143});
    // a zero weight gets nothing; a zero total gives zeros
    CHECK(split(5, {0, 1, 1}) == parts{0, 3, 2});
    CHECK(split(0, {1, 2}) == parts{0, 0});
}

TEST_CASE("rules: split credit adds up to the total, each part within one unit, largest remainders first (property)") {
    std::mt19937_64 rng(20270707);
    std::uniform_int_distribution<int> count(1, 6), kind(0, 3);
    std::uniform_int_distribution<std::int64_t> small_total(-60, 60), large_total(-1'000'000'000'000'000, 1'000'000'000'000'000);
    std::uniform_int_distribution<std::int64_t> small_w(0, 5), large_w(0, rules::max_share_weight / 8);
    for (int n = 0; n < 4000; ++n) {
        CAPTURE(n);
        const int k = kind(rng);
        const int128 total = (k & 1) ? large_total(rng) : small_total(rng);  // small totals: ties and leftovers
        std::vector<std::int64_t> w(static_cast<std::size_t>(count(rng)));
        for (auto& x : w) x = (k & 2) ? large_w(rng) : small_w(rng);
        if (std::all_of(w.begin(), w.end(), [](std::int64_t x) { return x == 0; })) w[0] = 1;
        int128 sum_w = 0;
        for (auto x : w) sum_w += x;

        std::vector<int128> parts(w.size());
        rules::split_credit(total, w, parts);

        int128 sum = 0;
        for (auto p : parts) sum += p;
        CHECK((sum == total));

        // |part x W - total x w| < W: the part is the floor or the ceiling of total x w / W
        const int128 t = abs128(total);
        std::vector<int128> rem(w.size());
        std::vector<bool> extra(w.size());
        for (std::size_t i = 0; i < w.size(); ++i) {
            CHECK((abs128(parts[i] * sum_w - total * w[i]) < sum_w));
            CHECK(((total < 0 && parts[i] <= 0) || (total >= 0 && parts[i] >= 0)));
            rem[i] = t * w[i] % sum_w;
            extra[i] = abs128(parts[i]) == t * w[i] / sum_w + 1;
        }
        // the units left over went to the largest remainders, equal remainders to the earlier person:
        // every topped-up i beats every other j
        bool ordered = true;
        for (std::size_t i = 0; i < w.size(); ++i)
            for (std::size_t j = 0; j < w.size(); ++j)
                if (extra[i] && !extra[j] && !(rem[i] > rem[j] || (rem[i] == rem[j] && i < j))) ordered = false;
        CHECK(ordered);
    }
}

TEST_CASE("rules: split_credit with no one to split among gives nothing (a sale without people)") {
    // Regression: an empty list once looped `total` times topping up a person who did not exist.
    std::vector<std::int64_t> none;
    std::vector<incentives::int128> out;
    incentives::rules::split_credit(incentives::int128{1000000000000}, none, out);
    CHECK(out.empty());
}
