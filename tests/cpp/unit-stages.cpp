// The engine's stages as a caller sees them: one validator, the measure store and the pay step
// (settling a variant of the program on the same measures), shared program and catalog, and the
// defects an outside check found (each test named after its defect).
#include <doctest/doctest.h>

#include <incentives/engine/engine.hpp>

#include <algorithm>
#include <random>

#include "engine_fixtures.hpp"

using namespace fixtures;

namespace {

/// A program's lines as comparable text (rule, beneficiary, period, kind, amount, reverses, return).
std::vector<std::string> lines_of(const result& r) {
    std::vector<std::string> out;
    for (const auto& l : r.lines)
        out.push_back(l.rule + "|" + l.beneficiary + "|" + l.period + "|" + std::string(to_string(l.kind)) + "|" +
                      l.amount.to_string() + "|" + (l.kind == payout_line::kind_t::clawback ? l.why->reverses + "|" + l.why->returned_by : std::string()));
    return out;
}

rules::rule rate_rule(const char* id, const char* rate, period_unit per = period_unit::quarter) {
    rules::rule r;
    r.id = id;
    r.per = per;
    r.pay.value = d(rate);
    return r;
}

}  // namespace

TEST_CASE("regression: order changes the output (two clawbacks of one sale)") {
    auto rule = rate_rule("rebate", "0.1");
    rule.clawback_ = rules::clawback{30};
    const program p = base_program({rule});
    // One sale of 3 units for 300.00, returned one unit at a time by r-b (2027-01-20) and r-a (2027-01-25).
    std::vector<event> ev{sale("s", date(2027, 1, 10), "P1", "X200", 3, "300.00"),
                          ret("r-b", date(2027, 1, 20), "P1", "s", 1, "100.00"),
                          ret("r-a", date(2027, 1, 25), "P1", "s", 1, "100.00")};
    engine first(p, small_catalog());
    first.add(ev);
    const auto expected = lines_of(first.run());
    // 300.00 x 10% = 30.00; each return reverses 1/3 of it: -10.00, in return date order (r-b, then r-a).
    REQUIRE(expected.size() == 3);
    CHECK(expected[1] == "rebate|P1|2027-Q1|clawback|-10.00|s|r-b");
    CHECK(expected[2] == "rebate|P1|2027-Q1|clawback|-10.00|s|r-a");
    std::mt19937_64 rng(7);
    for (int round = 0; round < 20; ++round) {
        auto shuffled = ev;
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        engine e(p, small_catalog());
        // every split into batches, returns possibly before their sale inside a batch
        const std::size_t cut = rng() % (shuffled.size() + 1);
        std::vector<event> a(shuffled.begin(), shuffled.begin() + static_cast<std::ptrdiff_t>(cut));
        std::vector<event> b(shuffled.begin() + static_cast<std::ptrdiff_t>(cut), shuffled.end());
        auto has_sale = [](const std::vector<event>& v) {
            return std::any_of(v.begin(), v.end(), [](const event& x) { return x.kind == "sale"; });
        };
        if (!has_sale(a)) {  // a batch of returns alone needs its sale added first: one batch then
            a = shuffled;
            b.clear();
        }
        e.add(a);
        if (!b.empty()) e.add(b, 2);
        engine restored = engine::restore(p, small_catalog(), e.snapshot());
        CHECK(lines_of(e.run()) == expected);
        CHECK(lines_of(restored.run({.traces = true})) == expected);
    }
}

TEST_CASE("regression: split credit does not conserve") {
    rules::rule spiff;
    spiff.id = "spiff";
    spiff.measure_.kind = rules::measure::kind_t::quantity;
    spiff.credit_.to = rules::credit::to_t::participant;
    spiff.pay.kind = rules::schedule::kind_t::per_unit;
    spiff.pay.value = decimal(40);
    const catalog cat({{"P1", "Acme", "smb", "", "", "", {}}},
                      {{"A", "P1", "rep", {}, {}}, {"B", "P1", "rep", {}, {}}, {"C", "P1", "rep", {}, {}}});
    auto total_of = [&](std::vector<credit_share> shares, const char* amount = "120.00") {
        engine e(base_program({spiff}), cat);
        e.add(std::vector<event>{sale("s", date(2027, 2, 1), "P1", "", 3, amount, std::move(shares))});
        return e.run();
    };
    // Thirds as whole-number weights 1:1:1: 3 units split 1 + 1 + 1, each 1 x 40 = 40.00; 120.00 in all.
    auto thirds = total_of({{"A", decimal(1)}, {"B", decimal(1)}, {"C", decimal(1)}});
    CHECK(thirds.total() == decimal(120));
    for (const auto& l : thirds.lines) CHECK(l.amount == decimal(40));
    // 2:1:1 of 3 units: 1.5 + 0.75 + 0.75 units -> 60.00 + 30.00 + 30.00.
    auto weighted = total_of({{"A", decimal(2)}, {"B", decimal(1)}, {"C", decimal(1)}});
    CHECK(find(weighted, "spiff", "A", "2027-Q1")->amount == decimal(60));
    CHECK(weighted.total() == decimal(120));
    // 1:1:1 of a measure that does not divide: the parts of 1 unit (10000 ten-thousandths) are
    // 3334 + 3333 + 3333 — the first listed gets the extra one — and add up to the sale.
    rules::rule per_amount = spiff;
    per_amount.measure_.kind = rules::measure::kind_t::amount;
    per_amount.pay.kind = rules::schedule::kind_t::rate;
    per_amount.pay.value = decimal(1);
    engine e(base_program({per_amount}), cat);
    e.add(std::vector<event>{sale("s", date(2027, 2, 1), "P1", "", 1, "0.01", {{"A", decimal(1)}, {"B", decimal(1)}, {"C", decimal(1)}})});
    decimal measured;
    for (const auto& m : e.measures()) measured += m.measure;
    CHECK(measured == d("0.01"));
    // Shares that add up to neither 1 nor whole numbers are refused, with the way out.
    CHECK_THROWS_WITH_AS(total_of({{"A", d("0.5")}, {"B", d("0.6")}}), doctest::Contains("or give whole-number weights"),
                         input_error);
}

TEST_CASE("regression: rounding at each event with split credit does not conserve") {
    // 10% of a 0.50 sale earns 0.05, rounded once for the sale. Split 1:1 it is 0.03 + 0.02 (the
    // extra cent to the first listed); rounding each person's 0.025 half-even would pay 0.02 + 0.02.
    // Three people 1:1:1 on 100.00: 10.00 -> 3.34 + 3.33 + 3.33, not 3 x 3.33 = 9.99.
    rules::rule r;
    r.id = "rebate";
    r.credit_.to = rules::credit::to_t::participant;
    r.pay.value = d("0.10");
    auto p = base_program({r});
    p.rounding.point = rounding_policy::point_t::event;
    p.rounding.mode = rounding_mode::half_even;
    const catalog cat({{"P1", "Acme", "smb", "", "", "", {}}},
                      {{"A", "P1", "rep", {}, {}}, {"B", "P1", "rep", {}, {}}, {"C", "P1", "rep", {}, {}}});
    engine two(p, cat);
    two.add(std::vector<event>{sale("s", date(2027, 2, 1), "P1", "", 1, "0.50", {{"A", decimal(1)}, {"B", decimal(1)}})});
    auto r2 = two.run();
    CHECK(find(r2, "rebate", "A", "2027-Q1")->amount == d("0.03"));
    CHECK(find(r2, "rebate", "B", "2027-Q1")->amount == d("0.02"));
    engine three(p, cat);
    three.add(std::vector<event>{
        sale("s", date(2027, 2, 1), "P1", "", 1, "100.00", {{"A", decimal(1)}, {"B", decimal(1)}, {"C", decimal(1)}})});
    auto r3 = three.run();
    CHECK(r3.total() == d("10.00"));
    CHECK(find(r3, "rebate", "A", "2027-Q1")->amount == d("3.34"));
}

TEST_CASE("regression: a negative rate validates, then pays 0.00 with an untrue note") {
    auto r = rate_rule("rebate", "-0.05");
    CHECK_THROWS_WITH_AS(validate(base_program({r})), doctest::Contains("rules[0]: a rate of -0.05 is negative"),
                         validation_error);
    r.pay.value = d("0.05");
    r.accelerate = rules::accelerator{{{decimal(0), d("-1")}}};
    CHECK_THROWS_AS(validate(base_program({r})), validation_error);
}

TEST_CASE("regression: the two validators disagree (per_unit on an amount measure)") {
    auto r = rate_rule("spiff", "5");
    r.pay.kind = rules::schedule::kind_t::per_unit;  // measure stays amount
    CHECK_THROWS_WITH_AS(validate(base_program({r})), doctest::Contains("per_unit pays on the quantity measure"),
                         validation_error);
}

TEST_CASE("regression: a marginal tier table with an explicit top pays 0.00 above the top") {
    auto r = tiered_rebate();
    r.pay.tiers_.basis = rules::tier_table::basis_t::marginal;
    r.pay.tiers_.rows.back().to = decimal(200000);
    engine e(base_program({r}), small_catalog());
    e.add(std::vector<event>{sale("s", date(2027, 2, 1), "P1", "X200", 1, "250000.00")});
    auto res = e.run({.traces = true});
    // 50000 x 1% + 100000 x 2% + 50000 x 3.5% (the band 150000..200000; the 50000 above earns nothing)
    // = 500 + 2000 + 1750 = 4250.00
    const auto* line = find(res, "volume", "P1", "2027-Q1");
    REQUIRE(line);
    CHECK(line->amount == decimal(4250));
    CHECK(line->why->note.find("excess earns nothing more") != std::string::npos);
    // Retroactive, the same closed table: the top tier's 3.5% on the measure up to the top,
    // 200000 x 3.5% = 7000.00 (no cliff to zero).
    r.pay.tiers_.basis = rules::tier_table::basis_t::retroactive;
    engine retro(base_program({r}), small_catalog());
    retro.add(std::vector<event>{sale("s", date(2027, 2, 1), "P1", "X200", 1, "250000.00")});
    CHECK(find(retro.run(), "volume", "P1", "2027-Q1")->amount == decimal(7000));
}

TEST_CASE("regression: a return dated before its sale, or filed by another partner, is accepted") {
    auto rule = rate_rule("rebate", "0.1");
    rule.clawback_ = rules::clawback{30};
    engine e(base_program({rule}), small_catalog());
    CHECK_THROWS_WITH_AS(e.add(std::vector<event>{sale("s", date(2027, 1, 10), "P1", "X200", 1, "100.00"),
                                                  ret("r", date(2027, 1, 9), "P1", "s", 1, "100.00")}),
                         "[incentives.input.return_before_sale] row 2 (event \"r\"), field date: the return is dated "
                         "2027-01-09, before its sale \"s\" of 2027-01-10",
                         input_error);
    CHECK_THROWS_WITH_AS(e.add(std::vector<event>{sale("s", date(2027, 1, 10), "P1", "X200", 1, "100.00"),
                                                  ret("r", date(2027, 1, 12), "P2", "s", 1, "100.00")}),
                         doctest::Contains("field partner: the return is filed by partner \"P2\", but its sale \"s\" was "
                                           "made by partner \"P1\""),
                         input_error);
    CHECK(e.run().lines.empty());  // nothing was added
    // A sale added in an earlier batch is checked the same way.
    e.add(std::vector<event>{sale("s", date(2027, 1, 10), "P1", "X200", 1, "100.00")});
    CHECK_THROWS_AS(e.add(std::vector<event>{ret("r", date(2027, 1, 12), "P3", "s", 1, "100.00")}), input_error);
    // A return before its sale in the input order is fine (the error rows stay the caller's).
    engine ok(base_program({rule}), small_catalog());
    ok.add(std::vector<event>{ret("r", date(2027, 1, 12), "P1", "s", 1, "50.00"), sale("s", date(2027, 1, 10), "P1", "X200", 1, "100.00")});
    // 100.00 x 10% = 10.00; half returned: -5.00
    CHECK(find(ok.run(), "rebate", "P1", "2027-Q1", payout_line::kind_t::clawback)->amount == d("-5.00"));
}

TEST_CASE("regression: first-come budgets order lines of different period units by their period index") {
    program p = base_program({rate_rule("monthly", "0.1", period_unit::month), rate_rule("quarterly", "0.1")});
    p.budget_ = rules::budget{decimal(10), rules::budget::policy_t::event_date};
    engine e(p, small_catalog());
    e.add(std::vector<event>{sale("s", date(2027, 1, 10), "P1", "X200", 1, "100.00")});
    auto res = e.run();
    // Both lines reached on 2027-01-10 by P1, both periods start 2027-01-01: the rule order decides.
    // monthly 100.00 x 10% = 10.00 takes the whole budget of 10; quarterly gets 0.00.
    CHECK(find(res, "monthly", "P1", "2027-01")->amount == decimal(10));
    CHECK(find(res, "quarterly", "P1", "2027-Q1")->amount == decimal(0));
}

TEST_CASE("the pay step: a variant settled on the same measures equals a fresh run of the variant") {
    const program base = rich_program();
    const auto events = random_events(11, 400);
    engine e(base, small_catalog());
    e.add(events);
    program variant = base;
    variant.rules[0].pay.tiers_.rows[1].value = d("0.025");                            // tier rates
    variant.rules[0].limits[0].amount = decimal(2500);                                 // a cap
    variant.rules[2].budget_->amount = decimal(1500);                                  // a budget
    variant.rules[2].accelerate->bands[2].multiplier = decimal(2);                     // an accelerator
    variant.rules[4].children[1].pay.value = decimal(30);                              // a combinator's child
    variant.rounding.mode = rounding_mode::down;
    engine fresh(variant, small_catalog());
    fresh.add(events);
    CHECK(lines_of(e.run(variant)) == lines_of(fresh.run()));
    CHECK(e.run(variant, {.traces = true}).lines == fresh.run({.traces = true}).lines);
    CHECK(!(lines_of(e.run()) == lines_of(fresh.run())));  // the variant really pays otherwise
    // What needs the events again is refused, with what and where.
    program other = base;
    other.rules[3].measure_.over.reset();  // growth over the prior year -> the amount itself
    CHECK_THROWS_WITH_AS((void)e.run(other), doctest::Contains("rules[3]: the measure differs"), validation_error);
    other = base;
    other.rules[0].clawback_->days = 10;
    CHECK_THROWS_WITH_AS((void)e.run(other), doctest::Contains("the clawback differs"), validation_error);
}

TEST_CASE("the measure store: exact measures per rule, beneficiary, period and version") {
    engine e(base_program({tiered_rebate()}), small_catalog());
    e.add(std::vector<event>{sale("a", date(2027, 1, 10), "P1", "X200", 1, "100.10"),
                             sale("b", date(2027, 2, 3), "P1", "X200", 2, "0.05"),
                             sale("c", date(2027, 4, 1), "P2", "K1", 1, "7.00")});
    const auto rows = e.measures();
    REQUIRE(rows.size() == 2);
    // P1 in Q1: 100.10 + 0.05 = 100.15 over 2 events, the last on 2027-02-03.
    CHECK(rows[0].rule == "volume");
    CHECK(rows[0].beneficiary == "P1");
    CHECK(rows[0].period == "2027-Q1");
    CHECK(rows[0].measure == d("100.15"));
    CHECK(rows[0].events == 2);
    CHECK(rows[0].last_event == date(2027, 2, 3));
    CHECK(rows[1].measure == d("7.00"));
}

TEST_CASE("program and catalog are shared, never copied with an engine") {
    engine e(base_program({tiered_rebate()}), small_catalog());
    engine copy = e;
    CHECK(&copy.definition() == &e.definition());
    CHECK(&copy.reference_data() == &e.reference_data());
}
