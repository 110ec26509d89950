// incentives::engine — synopsis:
//   engine(program, catalog, retain_event_ids); encode(events) -> event_batch; add(batch | events, threads);
//   run(run_options) -> result (lines + traces); snapshot() / restore(program, catalog, bytes)
// Worked examples check the arithmetic by hand; properties check that results do not depend on
// event order, batch split, thread count or a snapshot/restore in between.
#include <doctest/doctest.h>

#include <incentives/engine/compiled_selection.hpp>
#include <incentives/engine/engine.hpp>

#include "engine_fixtures.hpp"

#include <algorithm>
#include <random>

using namespace incentives;
using rules::field;
using rules::selector;

using namespace fixtures;

TEST_CASE("a retroactive tier pays the whole quarter at the tier reached; the trace says why") {
    engine e(base_program({tiered_rebate()}), small_catalog());
    // P1 in Q1: 30000 + 40000 = 70000 -> silver (50000 <= 70000 < 150000) -> 70000 x 2% = 1400.00
    // P2 in Q1: 10000.50 -> bronze -> 100.005 -> half_even -> 100.00
    e.add(std::vector<event>{sale("a", date(2027, 1, 10), "P1", "X200", 3, "30000.00"),
                             sale("b", date(2027, 2, 10), "P1", "S100", 1, "40000.00"),
                             sale("c", date(2027, 3, 31), "P2", "S100", 1, "10000.50")});
    auto r = e.run({.traces = true});
    REQUIRE(r.lines.size() == 2);
    auto* p1 = find(r, "volume", "P1", "2027-Q1");
    REQUIRE(p1);
    CHECK(p1->amount == d("1400.00"));
    CHECK(p1->why->tier == "silver");
    CHECK(p1->why->base == decimal(70000));
    CHECK(*p1->why->rate == d("0.02"));
    CHECK(p1->why->events == 2);
    auto* p2 = find(r, "volume", "P2", "2027-Q1");
    REQUIRE(p2);
    CHECK(p2->amount.to_string() == "100.00");
    REQUIRE(p2->why->steps.size() == 1);
    CHECK(p2->why->steps[0].what == "round half_even to 2 places");
    CHECK(p2->why->steps[0].before == d("100.005"));
}

TEST_CASE("marginal tiers pay each band at its own rate") {
    auto r = tiered_rebate();
    r.pay.tiers_.basis = rules::tier_table::basis_t::marginal;
    engine e(base_program({r}), small_catalog());
    // 200000: 50000 x 1% + 100000 x 2% + 50000 x 3.5% = 500 + 2000 + 1750 = 4250.00
    e.add(std::vector<event>{sale("a", date(2027, 4, 1), "P1", "S100", 1, "200000.00")});
    auto res = e.run();
    REQUIRE(res.lines.size() == 1);
    CHECK(res.lines[0].amount == d("4250.00"));
    CHECK(res.lines[0].period == "2027-Q2");
}

TEST_CASE("split credit, per-unit spiff and a clawback inside the window") {
    rules::rule spiff;
    spiff.id = "spiff";
    spiff.measure_.kind = rules::measure::kind_t::quantity;
    spiff.credit_.to = rules::credit::to_t::participant;
    spiff.pay.kind = rules::schedule::kind_t::per_unit;
    spiff.pay.value = decimal(40);
    spiff.clawback_ = rules::clawback{30};
    engine e(base_program({spiff}), small_catalog());
    // 3 units x 40 = 120, split 60/40: M1 72.00, S1 48.00.
    // Return of 1 unit after 20 days (inside 30): reverses 1/3 of each share: M1 -24.00, S1 -16.00.
    // A return of the other sale after 45 days is outside the window: nothing reversed.
    e.add(std::vector<event>{sale("s1", date(2027, 3, 1), "P1", "X200", 3, "3000.00", {{"M1", d("0.6")}, {"S1", d("0.4")}}),
                             sale("s2", date(2027, 3, 2), "P3", "X200", 1, "1000.00", {{"S3", decimal(1)}}),
                             ret("r1", date(2027, 3, 21), "P1", "s1", 1, "1000.00"),
                             ret("r2", date(2027, 4, 16), "P3", "s2", 1, "1000.00")});
    auto r = e.run();
    CHECK(find(r, "spiff", "M1", "2027-Q1")->amount == d("72.00"));
    CHECK(find(r, "spiff", "S1", "2027-Q1")->amount == d("48.00"));
    CHECK(find(r, "spiff", "S3", "2027-Q1")->amount == d("40.00"));
    auto* cm = find(r, "spiff", "M1", "2027-Q1", payout_line::kind_t::clawback);
    REQUIRE(cm);
    CHECK(cm->amount == d("-24.00"));
    CHECK(cm->why->reverses == "s1");
    CHECK(find(r, "spiff", "S1", "2027-Q1", payout_line::kind_t::clawback)->amount == d("-16.00"));
    CHECK(find(r, "spiff", "S3", "2027-Q2", payout_line::kind_t::clawback) == nullptr);
    CHECK(r.total() == d("120.00"));  // 72 + 48 + 40 - 24 - 16
}

TEST_CASE("growth over the prior year, accelerator by plan attainment, caps") {
    rules::rule growth;
    growth.id = "growth";
    growth.per = period_unit::year;
    growth.measure_.over = rules::growth{rules::growth::baseline_kind::prior_year, rules::growth::form_kind::absolute, ""};
    growth.pay.value = d("0.05");
    rules::rule plan;
    plan.id = "plan";
    plan.pay.value = d("0.01");
    plan.accelerate = rules::accelerator{{{decimal(0), d("0.5")}, {d("0.5"), decimal(1)}, {decimal(1), d("1.5")}}};
    plan.limits = {{rules::limit::kind_t::cap, decimal(700), {}}};
    engine e(base_program({growth, plan}), small_catalog());
    // P1: 2026 = 40000 (baseline, never paid), 2027 = 60000 -> growth 20000 x 5% = 1000.00
    // P1 Q1 plan 50000, actual 60000 = 120% -> x1.5: 600 x 1.5 = 900 -> cap 700.00
    // P2 Q1 plan 20000, actual 8000 = 40% -> x0.5: 80 x 0.5 = 40.00; growth: 8000 - 0 = 8000 x 5% = 400.00
    e.add(std::vector<event>{sale("old", date(2026, 6, 1), "P1", "S100", 1, "40000.00"),
                             sale("new", date(2027, 2, 1), "P1", "S100", 1, "60000.00"),
                             sale("p2", date(2027, 3, 1), "P2", "S100", 1, "8000.00")});
    auto r = e.run({.traces = true});
    CHECK(find(r, "growth", "P1", "2027")->amount == d("1000.00"));
    CHECK(*find(r, "growth", "P1", "2027")->why->baseline == d("40000"));
    CHECK(find(r, "growth", "P2", "2027")->amount == d("400.00"));
    auto* p1 = find(r, "plan", "P1", "2027-Q1");
    CHECK(p1->amount == d("700.00"));
    REQUIRE(p1->why->steps.size() >= 2);
    CHECK(p1->why->steps[0].what == "accelerator x1.5 at 120.00% of plan 50000");
    CHECK(p1->why->steps[1].what == "cap 700 per quarter");
    CHECK(find(r, "plan", "P2", "2027-Q1")->amount == d("40.00"));
    CHECK(find(r, "plan", "P1", "2026-Q2") == nullptr);  // baselines are never paid
}

TEST_CASE("budgets: pro rata conserves the budget exactly; event-date order and reject") {
    auto make = [](rules::budget::policy_t policy) {
        rules::rule r;
        r.id = "r";
        r.pay.value = d("0.1");
        r.budget_ = rules::budget{decimal(100), policy};
        return base_program({r});
    };
    std::vector<event> ev{sale("a", date(2027, 1, 5), "P1", "K1", 1, "600.00"),    // asks 60
                          sale("b", date(2027, 1, 6), "P2", "K1", 1, "500.00"),    // asks 50
                          sale("c", date(2027, 1, 7), "P3", "K1", 1, "200.00")};   // asks 20; total 130 > 100
    {
        engine e(make(rules::budget::policy_t::pro_rata), small_catalog());
        e.add(ev);
        auto r = e.run();
        // 100 x 60/130 = 46.153.., 100 x 50/130 = 38.461.., 100 x 20/130 = 15.384..
        // floors 46.15 + 38.46 + 15.38 = 99.99; the cent left goes to the largest remainder (0.0038 of P2 ... )
        // remainders in cents: 4615.38 -> .38, 3846.15 -> .15, 1538.46 -> .46: P3 gets it -> 15.39
        CHECK(find(r, "r", "P1", "2027-Q1")->amount == d("46.15"));
        CHECK(find(r, "r", "P2", "2027-Q1")->amount == d("38.46"));
        CHECK(find(r, "r", "P3", "2027-Q1")->amount == d("15.39"));
        CHECK(r.total() == decimal(100));
    }
    {
        engine e(make(rules::budget::policy_t::event_date), small_catalog());
        e.add(ev);
        auto r = e.run();
        // in date order: P1 60 (40 left), P2 40 of 50 (0 left), P3 0
        CHECK(find(r, "r", "P1", "2027-Q1")->amount == decimal(60));
        CHECK(find(r, "r", "P2", "2027-Q1")->amount == decimal(40));
        CHECK(find(r, "r", "P3", "2027-Q1")->amount.is_zero());
    }
    {
        engine e(make(rules::budget::policy_t::reject), small_catalog());
        e.add(ev);
        auto r = e.run();
        // P1 60 fits (40 left), P2 50 does not fit -> rejected, P3 20 fits (20 left)
        CHECK(find(r, "r", "P1", "2027-Q1")->amount == decimal(60));
        CHECK(find(r, "r", "P2", "2027-Q1")->amount.is_zero());
        CHECK(find(r, "r", "P3", "2027-Q1")->amount == decimal(20));
    }
}

TEST_CASE("bad input names the row and the field, and adds nothing") {
    engine e(base_program({tiered_rebate()}), small_catalog());
    auto bad = [&](event x) { e.add(std::vector<event>{sale("ok", date(2027, 1, 1), "P1", "K1", 1, "1.00"), x}); };
    CHECK_THROWS_WITH_AS(bad(sale("x", date(2027, 1, 2), "P9", "K1", 1, "1.00")),
                         "[incentives.input.unknown_partner] row 2 (event \"x\"), field partner: unknown partner \"P9\" "
                         "(did you mean \"P1\"?)",
                         input_error);
    CHECK_THROWS_WITH_AS(bad(sale("x", date(2027, 1, 2), "P1", "K1", -1, "1.00")),
                         "[incentives.input.negative_quantity] row 2 (event \"x\"), field quantity: expected a quantity >= 0, "
                         "got -1",
                         input_error);
    CHECK_THROWS_WITH_AS(bad(sale("ok", date(2027, 1, 2), "P1", "K1", 1, "1.00")),
                         "[incentives.input.duplicate_event] row 2 (event \"ok\"), field id: duplicate event id \"ok\" "
                         "(already seen; declare duplicates: ignore to skip repeats — they are never paid twice)",
                         input_error);
    auto usd = sale("x", date(2027, 1, 2), "P1", "K1", 1, "1.00");
    usd.currency = "USD";
    CHECK_THROWS_WITH_AS(bad(usd),
                         "[incentives.input.currency] row 2 (event \"x\"), field currency: amount in USD but the program pays "
                         "in EUR (no silent conversion: convert with an explicit, dated exchange rate first)",
                         input_error);
    CHECK_THROWS_WITH_AS(bad(ret("x", date(2027, 1, 2), "P1", "nope", 1, "1.00")),
                         "[incentives.input.unknown_sale] row 2 (event \"x\"), field reference: the return references "
                         "\"nope\", which is not a known sale",
                         input_error);
    CHECK_THROWS_AS(bad(sale("x", date(2027, 1, 2), "P1", "K9", 1, "1.00")), input_error);
    CHECK_THROWS_AS(bad(sale("x", date(2027, 1, 2), "P1", "K1", 1, "1.001")), input_error);
    CHECK_THROWS_AS(bad(sale("x", date(2027, 1, 2), "P1", "K1", 1, "1.00", {{"M1", d("0.5")}, {"S1", d("0.4")}})), input_error);
    CHECK_THROWS_AS(bad(sale("x", date(2027, 1, 2), "P1", "K1", 1, "1.00", {{"M2", decimal(1)}})), input_error);
    // nothing of the failed batches was added: "ok" is still new
    e.add(std::vector<event>{sale("ok", date(2027, 1, 1), "P1", "K1", 1, "100.00")});
    CHECK(e.run().total() == decimal(1));
}

TEST_CASE("duplicates: ignore never pays twice") {
    auto p = base_program({tiered_rebate()});
    p.duplicates = duplicate_policy::ignore;
    engine e(p, small_catalog());
    auto s = sale("a", date(2027, 1, 1), "P1", "K1", 1, "1000.00");
    e.add(std::vector<event>{s, s});
    e.add(std::vector<event>{s});
    auto r = e.run();
    CHECK(r.total() == decimal(10));
    CHECK(r.duplicates_ignored == 2);
}

TEST_CASE("invalid programs are rejected when built, with the path of the offending part") {
    auto r = tiered_rebate();
    r.pay.tiers_.rows[0].to = decimal(60000);
    CHECK_THROWS_WITH_AS(engine(base_program({r}), small_catalog()),
                         "[incentives.validation.tier_overlap] program \"test\" rules[0].tiers.table[0]: band [0, 60000) "
                         "overlaps the next tier, which starts at 50000",
                         validation_error);
    r.pay.tiers_.rows[0].to = decimal(40000);
    CHECK_THROWS_WITH_AS(engine(base_program({r}), small_catalog()),
                         "[incentives.validation.tier_gap] program \"test\" rules[0].tiers.table[0]: a gap between 40000 "
                         "and the next tier's from 50000 (bounds are half-open [from, to))",
                         validation_error);
    auto c = tiered_rebate();
    c.limits = {{rules::limit::kind_t::cap, decimal(-1), {}}};
    CHECK_THROWS_AS(engine(base_program({c}), small_catalog()), validation_error);
    CHECK_THROWS_AS(engine(base_program({tiered_rebate(), tiered_rebate()}), small_catalog()), validation_error);
}

TEST_CASE("regression: a budget finer than the currency's minor units is refused when the program is built") {
    // Found by the differential tests: a budget of 8.325 EUR passed validation, and a run whose lines
    // exceeded it failed with incentives.calculation.rounding_necessary (pro rata cannot share out
    // a thousandth of a cent). 8.32 and 8.3200 (the same number) are fine.
    auto with_budget = [](const char* amount, bool program_wide) {
        auto r = tiered_rebate();
        if (!program_wide) r.budget_ = rules::budget{d(amount), rules::budget::policy_t::pro_rata};
        auto p = base_program({r});
        if (program_wide) p.budget_ = rules::budget{d(amount), rules::budget::policy_t::event_date};
        return p;
    };
    CHECK_THROWS_WITH_AS(engine(with_budget("8.325", false), small_catalog()),
                         "[incentives.validation.budget] program \"test\" rules[0].budget: 8.325 has more decimal places than "
                         "EUR pays (2); a budget is shared out in minor units",
                         validation_error);
    CHECK_THROWS_AS(engine(with_budget("8.325", true), small_catalog()), validation_error);
    CHECK_NOTHROW(engine(with_budget("8.32", false), small_catalog()));
    CHECK_NOTHROW(engine(with_budget("8.3200", true), small_catalog()));
}

TEST_CASE("properties: order, batch split, threads and snapshot/restore do not change the result") {
    const auto prog = rich_program();
    const auto cat = small_catalog();
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        CAPTURE(seed);
        auto ev = random_events(seed, 600);
        auto reference = run_all(prog, cat, ev);
        REQUIRE(!reference.lines.empty());
        CHECK(reference.total().signum() > 0);

        // Shuffled (returns kept after their sales: a return must follow the sale it references).
        std::vector<event> sales, returns;
        for (auto& x : ev) (x.kind == "return" ? returns : sales).push_back(x);
        std::mt19937_64 rng(seed);
        std::shuffle(sales.begin(), sales.end(), rng);
        std::shuffle(returns.begin(), returns.end(), rng);
        auto shuffled = sales;
        shuffled.insert(shuffled.end(), returns.begin(), returns.end());
        CHECK(run_all(prog, cat, shuffled) == reference);

        // Two threads (the batch is large enough to be split).
        std::vector<event> many = shuffled;
        CHECK(run_all(prog, cat, many, 2) == reference);

        // Several batches, with a snapshot and restore between each.
        engine e(prog, cat, true);
        std::size_t at = 0;
        for (std::size_t size : {std::size_t{1}, std::size_t{57}, std::size_t{200}, shuffled.size()}) {
            std::size_t end = std::min(shuffled.size(), at + size);
            e.add(std::vector<event>(shuffled.begin() + static_cast<std::ptrdiff_t>(at), shuffled.begin() + static_cast<std::ptrdiff_t>(end)));
            at = end;
            e = engine::restore(prog, cat, e.snapshot());
        }
        CHECK(e.run({true, true, 1}) == reference);
    }
}

TEST_CASE("a snapshot for another program is refused") {
    engine e(base_program({tiered_rebate()}), small_catalog());
    auto other = base_program({tiered_rebate()});
    other.name = "other";
    CHECK_THROWS_AS((void)engine::restore(other, small_catalog(), e.snapshot()), input_error);
    CHECK_THROWS_AS((void)engine::restore(base_program({tiered_rebate()}), small_catalog(), "garbage"), input_error);
    // A snapshot of the previous format (ids keyed differently) is refused with the reason.
    std::string old = e.snapshot();
    const std::string v3 = "incentives-snapshot-8", v2 = "incentives-snapshot-2";
    old.replace(old.find(v3), v3.size(), v2);
    CHECK_THROWS_WITH_AS((void)engine::restore(base_program({tiered_rebate()}), small_catalog(), old),
                         doctest::Contains("format 2"), input_error);
}

TEST_CASE("regression: a line below the threshold stays at zero even with a floor") {
    rules::rule r;
    r.id = "r";
    r.pay.value = d("0.01");
    r.qualify.min_measure = decimal(10000);
    r.limits = {{rules::limit::kind_t::floor, decimal(100), {}}};
    engine e(base_program({r}), small_catalog());
    // P1: 500 < 10000 -> not qualified -> 0.00 (the floor of 100 must not lift it)
    // P2: 20000 qualifies -> 200.00 (above the floor)
    e.add(std::vector<event>{sale("a", date(2027, 1, 5), "P1", "K1", 1, "500.00"),
                             sale("b", date(2027, 1, 5), "P2", "K1", 1, "20000.00")});
    auto res = e.run();
    CHECK(find(res, "r", "P1", "2027-Q1")->amount.to_string() == "0.00");
    CHECK(find(res, "r", "P2", "2027-Q1")->amount == decimal(200));
}

TEST_CASE("regression: an accelerator on a per-program rule takes only plans dated in the program") {
    // Found by the differential tests (tests/python/differential). Program 2027-04-01..2027-10-03;
    // P1 sells 100.00 on 2027-05-10 at 10%, accelerator x2 from 0% of plan. P1's only plan is dated
    // 2028-06-01: outside the program, so there is no plan and the line is 100.00 x 10% = 10.00
    // (the engine paid 20.00 with "accelerator x2 at 10.00% of plan 1000").
    rules::rule r;
    r.id = "r";
    r.per = period_unit::program;
    r.pay.value = d("0.1");
    r.accelerate = rules::accelerator{{{decimal(0), decimal(2)}}};
    program p = base_program({r});
    p.cal = calendar(date(2027, 4, 1), date(2027, 10, 3));
    auto plans_dated = [](date on) {
        return catalog({{"P1", "Acme", "smb", "north", "eu", "gold", {}}}, {}, {{"S100", "servers", {}}}, {{"P1", on, decimal(1000)}});
    };
    auto line = [&](date plan_on) {
        engine e(p, plans_dated(plan_on));
        e.add(std::vector<event>{sale("s1", date(2027, 5, 10), "P1", "S100", 1, "100.00")});
        auto res = e.run({.traces = true});
        REQUIRE(res.lines.size() == 1);
        return res.lines[0];
    };
    auto outside = line(date(2028, 6, 1));
    CHECK(outside.amount == d("10.00"));
    CHECK(outside.why->note.find("no plan") != std::string::npos);
    CHECK(line(date(2027, 3, 31)).amount == d("10.00"));  // the day before the program
    // A plan dated on the program's last day is its plan: 100.00 is 10% of 1000 -> x2 = 20.00.
    CHECK(line(date(2027, 10, 3)).amount == d("20.00"));
}

TEST_CASE("regression: events before the program start or after its end are never paid") {
    auto p = base_program({tiered_rebate()});
    p.cal = calendar(date(2027, 2, 15), date(2027, 12, 15));
    engine e(p, small_catalog());
    // Jan 5 and Dec 20 fall in paying quarters but outside the program dates: not counted.
    e.add(std::vector<event>{sale("early", date(2027, 1, 5), "P1", "K1", 1, "1000.00"),
                             sale("in", date(2027, 3, 1), "P1", "K1", 1, "2000.00"),
                             sale("late", date(2027, 12, 20), "P1", "K1", 1, "4000.00")});
    auto res = e.run();
    REQUIRE(res.lines.size() == 1);
    CHECK(res.lines[0].amount == decimal(20));  // 2000 x 1%
    CHECK(res.events_outside_program == 2);
}

TEST_CASE("regression: lookup rates rounded at each event") {
    rules::rule r;
    r.id = "lk";
    r.pay.kind = rules::schedule::kind_t::lookup;
    r.pay.lookup_.keys = {{field::scope::product, "category"}};
    r.pay.lookup_.rates = {{{"laptops"}, d("0.0125")}};
    r.pay.lookup_.fallback = d("0.01");
    auto p = base_program({r});
    p.rounding.point = rounding_policy::point_t::event;
    engine e(p, small_catalog());
    // laptops 10.20 x 1.25% = 0.1275 -> 0.13 (half_even: 0.1275 -> 0.13? 0.12|75 -> above half -> 0.13)
    // laptops 10.20 again -> 0.13; accessories 0.50 x 1% = 0.005 -> 0.00 (tie to even)
    // per event: 0.13 + 0.13 + 0.00 = 0.26 (per line it would be 0.255 + 0.005 = 0.26 as well)
    e.add(std::vector<event>{sale("a", date(2027, 1, 5), "P1", "X200", 1, "10.20"),
                             sale("b", date(2027, 1, 6), "P1", "X200", 1, "10.20"),
                             sale("c", date(2027, 1, 7), "P1", "K1", 1, "0.50")});
    CHECK(e.run().lines.at(0).amount == d("0.26"));
}

TEST_CASE("rounding at the statement keeps lines exact and rounds the beneficiary's total once") {
    rules::rule a, b;
    a.id = "a";
    a.pay.value = d("0.001");
    b.id = "b";
    b.pay.value = d("0.002");
    auto p = base_program({a, b});
    p.rounding.point = rounding_policy::point_t::statement;
    engine e(p, small_catalog());
    // 1005.00 x 0.1% = 1.005 and x 0.2% = 2.010: lines stay exact; the statement is 3.015 -> 3.02
    e.add(std::vector<event>{sale("s", date(2027, 1, 5), "P1", "K1", 1, "1005.00")});
    auto res = e.run();
    CHECK(find(res, "a", "P1", "2027-Q1")->amount == d("1.005"));
    REQUIRE(res.statements.size() == 1);
    CHECK(res.statements[0].exact == d("3.015"));
    CHECK(res.statements[0].amount.to_string() == "3.02");
}

TEST_CASE("a tier picked by the number of deals pays a rate on the amount") {
    auto r = tiered_rebate();
    r.pay.tiers_.on = rules::measure{rules::measure::kind_t::count, "", {}};
    r.pay.tiers_.rows = {{decimal(0), {}, d("0.01"), "single"}, {decimal(2), {}, d("0.02"), "repeat"}};
    engine e(base_program({r}), small_catalog());
    // P1: 2 deals (repeat) x 2% of 3000 = 60.00; P2: 1 deal (single) 1% of 5000 = 50.00
    e.add(std::vector<event>{sale("a", date(2027, 1, 5), "P1", "K1", 1, "1000.00"),
                             sale("b", date(2027, 1, 6), "P1", "K1", 1, "2000.00"),
                             sale("c", date(2027, 1, 7), "P2", "K1", 1, "5000.00")});
    auto res = e.run();
    CHECK(find(res, "volume", "P1", "2027-Q1")->amount == decimal(60));
    CHECK(find(res, "volume", "P2", "2027-Q1")->amount == decimal(50));
}

TEST_CASE("regression: a fixed amount needs a measure above zero") {
    rules::rule r;
    r.id = "bonus";
    r.pay.kind = rules::schedule::kind_t::fixed;
    r.pay.value = decimal(500);
    engine e(base_program({r}), small_catalog());
    e.add(std::vector<event>{sale("a", date(2027, 1, 5), "P1", "K1", 1, "0.00"),
                             sale("b", date(2027, 1, 5), "P2", "K1", 1, "1.00")});
    auto res = e.run();
    CHECK(find(res, "bonus", "P1", "2027-Q1")->amount.is_zero());
    CHECK(find(res, "bonus", "P2", "2027-Q1")->amount == decimal(500));
}

TEST_CASE("regression: a version may switch to a lookup table of its own") {
    rules::rule r;
    r.id = "v";
    r.pay.value = d("0.01");
    rules::rule::version v2;
    v2.effective_from = date(2027, 7, 1);
    v2.pay.kind = rules::schedule::kind_t::lookup;
    v2.pay.lookup_.keys = {{field::scope::partner, "tier"}};
    v2.pay.lookup_.rates = {{{"gold"}, d("0.05")}};
    r.versions = {v2};
    engine e(base_program({r}), small_catalog());
    // Q1 (base, 1%): 1000 -> 10.00; Q3 (version, gold partner P1 at 5%): 1000 -> 50.00;
    // Q3 for P2 (silver, no entry, no default): 0.00
    e.add(std::vector<event>{sale("a", date(2027, 2, 1), "P1", "K1", 1, "1000.00"),
                             sale("b", date(2027, 8, 1), "P1", "K1", 1, "1000.00"),
                             sale("c", date(2027, 8, 1), "P2", "K1", 1, "1000.00")});
    auto res = e.run({.traces = true});
    CHECK(find(res, "v", "P1", "2027-Q1")->amount == decimal(10));
    CHECK(find(res, "v", "P1", "2027-Q3")->amount == decimal(50));
    CHECK(find(res, "v", "P1", "2027-Q3")->why->version == "2027-07-01");
    CHECK(find(res, "v", "P2", "2027-Q3")->amount.is_zero());
}

TEST_CASE("regression: growth tiers on custom periods are refused when the program is built") {
    auto r = tiered_rebate();
    r.per = period_unit::custom;
    r.pay.tiers_.on = rules::measure{rules::measure::kind_t::amount, "",
                                     rules::growth{rules::growth::baseline_kind::prior_year, rules::growth::form_kind::percent, ""}};
    auto p = base_program({r});
    p.cal = calendar(date(2027, 1, 1), date(2027, 12, 31), 1, {{date(2027, 1, 1), date(2027, 7, 1), "H1"}});
    CHECK_THROWS_WITH_AS((void)validate(p),
                         "[incentives.validation.growth] program \"test\" rules[0].tiers.on: growth over a prior period "
                         "needs month, quarter, half or year periods",
                         validation_error);
}

TEST_CASE("regression: a batch encoded before its sale was added still links its return to that sale") {
    rules::rule r = tiered_rebate();
    r.clawback_ = rules::clawback{30};
    auto p = base_program({r});
    p.duplicates = duplicate_policy::ignore;
    engine e(p, small_catalog());
    auto s = sale("s", date(2027, 1, 5), "P1", "K1", 1, "1000.00");
    // Encoded while "s" is new: the return points at the sale's row in this batch.
    auto batch = e.encode(std::vector<event>{sale("t", date(2027, 1, 6), "P1", "K1", 1, "1000.00"), s,
                                             ret("r", date(2027, 1, 10), "P1", "s", 1, "500.00")});
    e.add(std::vector<event>{s});  // now "s" is added first; adding the batch drops its copy
    e.add(batch);
    auto res = e.run();
    // P1 Q1: 2000 x 1% = 20.00; the return reverses 20 x 1000/2000 x 500/1000 = -5.00
    CHECK(find(res, "volume", "P1", "2027-Q1")->amount == decimal(20));
    CHECK(find(res, "volume", "P1", "2027-Q1", payout_line::kind_t::clawback)->amount == decimal(-5));
    CHECK(res.duplicates_ignored == 1);
}

TEST_CASE("two threads give the result of one: partners split between threads, registration beside accumulation") {
    // 10,000 events: enough for add() to use two threads (it gives each thread at least 4,096).
    const auto ev = random_events(7, 10000);
    const auto cat = small_catalog();
    auto with_threads = [&](const program& p, unsigned threads, bool retain_ids) {
        engine e(p, cat, retain_ids);
        e.add(ev, threads);
        return e.run({true, retain_ids, 1});
    };
    // The rich program credits participants and uses every measure (threads add into copies that
    // are merged); the partner-only program takes the split by partner, without copies.
    rules::rule spiff;
    spiff.id = "spiff";
    spiff.select = selector::in({field::scope::event, "sku"}, {"X200"});
    spiff.measure_.kind = rules::measure::kind_t::quantity;
    spiff.pay.kind = rules::schedule::kind_t::per_unit;
    spiff.pay.value = decimal(40);
    for (const auto& p : {rich_program(), base_program({tiered_rebate(), spiff})}) {
        CAPTURE(p.rules.size());
        for (bool retain : {false, true}) {
            auto one = with_threads(p, 1, retain);
            REQUIRE(!one.lines.empty());
            CHECK(with_threads(p, 2, retain) == one);
        }
    }
}

TEST_CASE("selection column by column agrees with selection row by row") {
    const auto cat = small_catalog();
    engine e(base_program({tiered_rebate()}), cat);
    const auto ev = random_events(11, 2000);
    const event_batch b = e.encode(ev);
    detail::event_dictionaries dicts;
    dicts.kinds.intern("sale");
    dicts.kinds.intern("return");
    dicts.categories.intern("laptops");
    dicts.categories.intern("servers");
    dicts.categories.intern("accessories");
    const field kind{field::scope::event, "kind"}, sku{field::scope::event, "sku"}, amount{field::scope::event, "amount"};
    const field segment{field::scope::partner, "segment"}, quantity{field::scope::event, "quantity"};
    const std::vector<selector> cases = {
        selector(),
        selector::in(kind, {"sale"}),
        selector::all({selector::in(kind, {"sale"}), selector::in(sku, {"X200", "K1"})}),
        selector::any({selector::in(segment, {"enterprise"}), selector::range(amount, d("10000"), d("20000.005"))}),
        selector::negate(selector::all({selector::dates(date(2026, 6, 1), date(2027, 3, 31)), selector::range(quantity, decimal(2), {})})),
        selector::in({field::scope::product, "category"}, {"servers"}),
    };
    for (std::size_t c = 0; c < cases.size(); ++c) {
        CAPTURE(c);
        // `dicts` numbers kinds as the engine does ("" 0, "sale" 1, "return" 2); both ways of
        // selecting use the same compiled masks, so they must agree row for row.
        auto sel = detail::compiled_selector::compile(cases[c], cat, dicts, b, 2, 0);
        std::vector<std::uint8_t> cols(b.size());
        sel.select_rows(b, 0, b.size(), cols.data());
        std::size_t chosen = 0;
        for (std::size_t i = 0; i < b.size(); ++i) {
            CHECK(static_cast<bool>(cols[i]) == sel(b, i));
            chosen += cols[i];
        }
        if (c > 0) CHECK(chosen < b.size());  // the cases select something less than everything
    }
}

TEST_CASE("lines come in the same order with and without traces, versions in date order") {
    // A version from 15 August splits P1's third quarter into two lines: the base part (1% of
    // 1000.00 = 10.00) and the version's part (2% of 3000.00 = 60.00); the base comes first.
    rules::rule r;
    r.id = "v";
    r.pay.value = d("0.01");
    rules::rule::version v2;
    v2.effective_from = date(2027, 8, 15);
    v2.pay.value = d("0.02");
    r.versions = {v2};
    engine e(base_program({r}), small_catalog());
    e.add(std::vector<event>{sale("late", date(2027, 8, 20), "P1", "K1", 1, "3000.00"),
                             sale("early", date(2027, 8, 1), "P1", "K1", 1, "1000.00")});
    auto plain = e.run();
    auto traced = e.run({.traces = true});
    REQUIRE(plain.lines.size() == 2);
    REQUIRE(traced.lines.size() == 2);
    CHECK(plain.lines[0].amount == decimal(10));
    CHECK(plain.lines[1].amount == decimal(60));
    for (std::size_t i = 0; i < 2; ++i) CHECK(plain.lines[i].amount == traced.lines[i].amount);
    CHECK(traced.lines[0].why->version.empty());
    CHECK(traced.lines[1].why->version == "2027-08-15");
}
