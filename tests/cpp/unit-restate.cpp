// Restatement (paid lines -> delta lines) and the clawback basis `recompute`: hand-worked cases with
// the arithmetic in comments, and properties over random events.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include <incentives/engine/restate.hpp>

#include "engine_fixtures.hpp"

using namespace fixtures;

namespace {

using kind = payout_line::kind_t;

program recompute_program(rules::clawback::basis_t basis) {
    auto volume = tiered_rebate();  // quarterly, retroactive: from 0 1%, from 50000 2%, from 150000 3.5%
    volume.clawback_ = rules::clawback{30, basis};
    return base_program({volume});
}

std::vector<event> tier_crossing_events() {
    return {sale("S1", date(2027, 1, 10), "P1", "X200", 10, "40000.00"),
            sale("S2", date(2027, 2, 10), "P1", "X200", 10, "20000.00"),
            ret("R1", date(2027, 2, 20), "P1", "S2", 7, "15000.00"),
            ret("R2", date(2027, 2, 25), "P1", "S2", 1, "2000.00")};
}

std::vector<const payout_line*> clawbacks(const result& r) {
    std::vector<const payout_line*> out;
    for (const auto& l : r.lines)
        if (l.kind == kind::clawback) out.push_back(&l);
    return out;
}

}  // namespace

TEST_CASE("clawback basis recompute: a return that drops a line below its tier claws back the tier") {
    // Q1 measure 40000 + 20000 = 60000: silver, 2% of 60000 = 1200.00.
    // R1 returns 15000.00 of S2: recomputed over 45000, bronze 1% = 450.00: clawback 450 - 1200 = -750.00.
    // R2 returns 2000.00 more: recomputed over 43000, 1% = 430.00: clawback 430 - 450 = -20.00.
    // Net 1200 - 750 - 20 = 430.00 = what 43000 of net sales earns.
    auto events = tier_crossing_events();
    for (int reversed = 0; reversed < 2; ++reversed) {
        if (reversed) std::reverse(events.begin(), events.end());
        engine e(recompute_program(rules::clawback::basis_t::recompute), small_catalog());
        e.add(events);
        auto r = e.run();
        REQUIRE(find(r, "volume", "P1", "2027-Q1"));
        CHECK(find(r, "volume", "P1", "2027-Q1")->amount == d("1200.00"));
        auto cb = clawbacks(r);
        REQUIRE(cb.size() == 2);
        CHECK(cb[0]->amount == d("-750.00"));
        CHECK(cb[0]->why->returned_by == "R1");
        CHECK(cb[1]->amount == d("-20.00"));
        CHECK(cb[1]->why->returned_by == "R2");
        CHECK(r.total() == d("430.00"));
    }
}

TEST_CASE("clawback basis proportional: the same returns reverse the sale's share of the line") {
    // R1: 1200.00 x (20000 / 60000) x (15000 / 20000) = 300.00; R2: 1200 x 1/3 x 2000/20000 = 40.00.
    engine e(recompute_program(rules::clawback::basis_t::proportional), small_catalog());
    e.add(tier_crossing_events());
    auto r = e.run();  // clawbacks() points into r: keep it alive
    auto cb = clawbacks(r);
    REQUIRE(cb.size() == 2);
    CHECK(cb[0]->amount == d("-300.00"));
    CHECK(cb[1]->amount == d("-40.00"));
}

TEST_CASE("clawback basis recompute: a return never raises a line, and budgets stand as paid") {
    // A budget of 500 cuts the 1200.00 line to 500.00. Recomputed over 45000 the line pays 450.00:
    // the clawback is 450 - 500 = -50.00; over 43000, 430.00: -20.00 more.
    auto p = recompute_program(rules::clawback::basis_t::recompute);
    p.rules[0].budget_ = rules::budget{decimal(500), rules::budget::policy_t::pro_rata};
    engine e(p, small_catalog());
    e.add(tier_crossing_events());
    auto r = e.run();
    CHECK(find(r, "volume", "P1", "2027-Q1")->amount == d("500.00"));
    auto cb = clawbacks(r);
    REQUIRE(cb.size() == 2);
    CHECK(cb[0]->amount == d("-50.00"));
    CHECK(cb[1]->amount == d("-20.00"));
    // A budget of 400 stands below every recomputed amount: the returns claw nothing back.
    p.rules[0].budget_->amount = decimal(400);
    engine low(p, small_catalog());
    low.add(tier_crossing_events());
    auto low_result = low.run();
    auto low_cb = clawbacks(low_result);
    REQUIRE(low_cb.size() == 2);
    for (const auto* l : low_cb) CHECK(l->amount.is_zero());
}

TEST_CASE("clawback basis recompute: net of clawbacks equals the run without the returned sales (property)") {
    // With increasing tier rates the line grows with its measure, so after every return inside the
    // window a beneficiary's lines add up to what the sales net of those returns earn.
    std::mt19937_64 rng(20261206);
    for (int round = 0; round < 40; ++round) {
        std::vector<event> with_returns, net;
        std::map<std::string, std::int64_t> left, kept;  // sale id -> cents not yet returned; not returned in the window
        std::vector<event> sales;
        const char* partners[] = {"P1", "P2", "P3"};
        for (int i = 0; i < 12; ++i) {
            const std::int64_t cents = std::uniform_int_distribution<std::int64_t>(1000, 9000000)(rng);
            auto s = sale("S" + std::to_string(i), date(2027, 1, 1).plus_days(static_cast<int>(rng() % 360)), partners[rng() % 3],
                          "X200", 1000, "0");
            s.amount = decimal::from_units(cents, 2);
            left[s.id] = kept[s.id] = cents;
            sales.push_back(s);
            with_returns.push_back(s);
        }
        for (int i = 0; i < 8; ++i) {
            const auto& s = sales[rng() % sales.size()];
            const std::int64_t most = left[s.id];
            if (most == 0) continue;
            const std::int64_t back = std::uniform_int_distribution<std::int64_t>(1, most)(rng);
            const int after = static_cast<int>(rng() % 50);  // inside the 30-day window or not
            auto r = ret("R" + std::to_string(i), s.on.plus_days(after), s.partner, s.id, 1, "0");
            r.amount = decimal::from_units(back, 2);
            with_returns.push_back(r);
            left[s.id] -= back;
            if (after <= 30) kept[s.id] -= back;
        }
        for (auto s : sales) {
            s.amount = decimal::from_units(kept[s.id], 2);
            if (kept[s.id] > 0) net.push_back(s);
        }
        std::shuffle(with_returns.begin(), with_returns.end(), rng);
        auto program = recompute_program(rules::clawback::basis_t::recompute);
        engine a(program, small_catalog()), b(program, small_catalog());
        a.add(with_returns);
        b.add(net);
        auto ra = a.run(), rb = b.run();
        for (const char* who : partners) {
            decimal sa, sb;
            for (const auto& l : ra.lines) sa += l.beneficiary == who ? l.amount : decimal();
            for (const auto& l : rb.lines) sb += l.beneficiary == who ? l.amount : decimal();
            CHECK_MESSAGE(sa == sb, "round ", round, " partner ", who);
        }
    }
}

TEST_CASE("clawback basis recompute: refused where a line cannot be recomputed without its events") {
    auto p = recompute_program(rules::clawback::basis_t::recompute);
    p.rules[0].measure_.kind = rules::measure::kind_t::distinct;
    p.rules[0].measure_.attribute = "sku";
    CHECK_THROWS_WITH_AS(validate(p), doctest::Contains("rules[0].clawback.basis"), validation_error);
    p = recompute_program(rules::clawback::basis_t::recompute);
    p.rules[0].pay.tiers_.on = rules::measure{rules::measure::kind_t::quantity, "", std::nullopt};
    CHECK_THROWS_WITH_AS(validate(p), doctest::Contains("tiers.on"), validation_error);
    p = recompute_program(rules::clawback::basis_t::recompute);
    p.rounding.point = rounding_policy::point_t::event;
    p.rules[0].pay = rules::schedule{};
    p.rules[0].pay.value = d("0.02");
    CHECK_THROWS_WITH_AS(validate(p), doctest::Contains("rounding at each event"), validation_error);
    p.rules[0].clawback_->basis = rules::clawback::basis_t::proportional;
    CHECK_NOTHROW(validate(p));
}

TEST_CASE("restate: delta lines per rule, beneficiary and period, new minus paid, referencing what they correct") {
    // Now: P1 Q1 60000 at 2% = 1200.00; P1 Q2 10000 at 1% = 100.00; P2 Q1 nothing.
    auto p = recompute_program(rules::clawback::basis_t::proportional);
    engine e(p, small_catalog());
    e.add(std::vector<event>{sale("S1", date(2027, 1, 10), "P1", "X200", 10, "40000.00"),
                             sale("S2", date(2027, 2, 10), "P1", "X200", 10, "20000.00"),
                             sale("S3", date(2027, 4, 10), "P1", "X200", 1, "10000.00")});
    auto now = e.run();
    const std::vector<paid_line> paid = {
        {"volume", rules::credit::to_t::partner, "P1", "2027-Q1", d("800.00"), "", "pay-1"},  // paid 800 + 400 = 1200: no delta
        {"volume", rules::credit::to_t::partner, "P1", "2027-Q1", d("400.00"), "", "pay-2"},
        {"volume", rules::credit::to_t::partner, "P2", "2027-Q1", d("50.00"), "", ""},        // now 0: recover 50.00
        {"volume", rules::credit::to_t::partner, "P1", "2027-Q3", d("10.00"), "", "pay-4"},   // now 0: recover 10.00
    };
    auto deltas = restate(p, small_catalog(), now, paid);
    REQUIRE(deltas.size() == 3);
    // In line order: P1 Q2 (not paid: 100.00 owed), P1 Q3 (-10.00), P2 Q1 (-50.00).
    CHECK(deltas[0].beneficiary == "P1");
    CHECK(deltas[0].period == "2027-Q2");
    CHECK(deltas[0].paid == d("0.00"));
    CHECK(deltas[0].now == d("100.00"));
    CHECK(deltas[0].delta == d("100.00"));
    CHECK(deltas[0].corrects.empty());
    CHECK(deltas[1].period == "2027-Q3");
    CHECK(deltas[1].delta == d("-10.00"));
    CHECK(deltas[1].corrects == std::vector<std::string>{"pay-4"});
    CHECK(deltas[2].beneficiary == "P2");
    CHECK(deltas[2].delta == d("-50.00"));
    CHECK(deltas[2].corrects == std::vector<std::string>{"paid row 3"});
    CHECK(deltas[2].partner == "P2");
    CHECK(deltas[2].currency == "EUR");
}

TEST_CASE("restate: a new rule version and a late event, against what the old program paid") {
    // Old: 1% flat on the quarter. Paid for Q1: 40000 x 1% = 400.00 for P1, 5000 x 1% = 50.00 for P2.
    // New: tiers (1% to 50000, 2% from 50000) and a late sale of 15000 for P1 in Q1:
    // P1 55000 x 2% = 1100.00 (delta +700.00); P2 5000 x 1% = 50.00 (no delta).
    rules::rule flat;
    flat.id = "volume";
    flat.per = period_unit::quarter;
    flat.pay.value = d("0.01");
    const std::vector<event> first = {sale("S1", date(2027, 1, 10), "P1", "X200", 1, "40000.00"),
                                      sale("S2", date(2027, 2, 1), "P2", "X200", 1, "5000.00")};
    engine old(base_program({flat}), small_catalog());
    old.add(first);
    std::vector<paid_line> paid;
    for (const auto& l : old.run().lines)
        paid.push_back({l.rule, l.beneficiary_type, l.beneficiary, l.period, l.amount, "", "old-" + l.beneficiary});
    auto p = recompute_program(rules::clawback::basis_t::proportional);
    engine fresh(p, small_catalog());
    fresh.add(first);
    fresh.add(std::vector<event>{sale("S9", date(2027, 3, 30), "P1", "X200", 1, "15000.00")});
    auto deltas = restate(p, small_catalog(), fresh.run(), paid);
    REQUIRE(deltas.size() == 1);
    CHECK(deltas[0].beneficiary == "P1");
    CHECK(deltas[0].paid == d("400.00"));
    CHECK(deltas[0].now == d("1100.00"));
    CHECK(deltas[0].delta == d("700.00"));
    CHECK(deltas[0].corrects == std::vector<std::string>{"old-P1"});
}

TEST_CASE("restate: paid lines that the program could not pay are errors naming the row and field") {
    auto p = recompute_program(rules::clawback::basis_t::proportional);
    const result none;
    auto one = [&](paid_line l) { return std::vector<paid_line>{l}; };
    using to = rules::credit::to_t;
    CHECK_THROWS_WITH_AS(restate(p, small_catalog(), none, one({"volum", to::partner, "P1", "2027-Q1", d("1"), "", ""})),
                         doctest::Contains("paid row 1, field rule: \"volum\" is not a rule of program \"test\" (did you mean \"volume\"?)"),
                         input_error);
    CHECK_THROWS_WITH_AS(restate(p, small_catalog(), none, one({"volume", to::partner, "P1", "2027-Q5", d("1"), "", ""})),
                         doctest::Contains("field period: rule \"volume\" pays per quarter and has no period \"2027-Q5\""), input_error);
    CHECK_THROWS_WITH_AS(restate(p, small_catalog(), none, one({"volume", to::partner, "P01", "2027-Q1", d("1"), "", ""})),
                         doctest::Contains("field beneficiary: unknown partner \"P01\""), input_error);
    CHECK_THROWS_WITH_AS(restate(p, small_catalog(), none, one({"volume", to::participant, "M1", "2027-Q1", d("1"), "", ""})),
                         doctest::Contains("field beneficiary_type: rule \"volume\" pays a partner, not a participant"), input_error);
}
