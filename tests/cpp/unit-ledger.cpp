// The ledger stage (engine/ledger.hpp): MDF and co-op funds replayed as exact ledgers. A worked
// example with every entry computed by hand, the reconciliation check, the order independence of
// the ledger, snapshots, and the located errors of fund rows.
#include <doctest/doctest.h>

#include <incentives/engine/ledger.hpp>
#include <incentives/incentives.hpp>
#include <incentives/io/yaml.hpp>

#include <algorithm>
#include <random>

#include "engine_fixtures.hpp"

using namespace incentives;
using namespace fixtures;
using kind = ledger_entry::kind_t;

namespace {

// coop: 2% of each partner's quarterly sales, paid at 50% of approved costs, usable to the end of
// the next quarter. mdf: allocated by events under 10,000 a quarter, claims only against approved
// requests (30 days after the activity ends), usable to the end of the quarter of the allocation.
constexpr const char* funds_program = R"(
program: Funds
currency: EUR
periods: {from: 2027-01-01, to: 2027-12-31}
funds:
  - id: coop
    kind: coop
    reimbursement: 50%
    expires: {after: 1, unit: quarter, round_to: quarter}
  - id: mdf
    kind: mdf
    requires_approval: true
    claim_days: 30
    budget: {amount: 10000, per: quarter}
    expires: {after: 0, unit: day, round_to: quarter}
rules:
  - id: coop_accrual
    pay: {rate: 2%}
    per: [partner, quarter]
    fund: coop
    clawback: {days: 90}
  - id: rebate
    pay: {rate: 1%}
    per: [partner, quarter]
)";

catalog funds_catalog() {
    return catalog({{"P1", "Acme", "smb", "north", "eu", "gold", {}}, {"P2", "Beta", "smb", "south", "eu", "gold", {}}}, {},
                   {{"S100", "servers", {}}});
}

event fund_row(std::string id, std::string kind_name, date on, std::string partner, const char* amount, std::string fund,
               std::string reference = "", attributes more = {}) {
    if (!fund.empty()) more["fund"] = std::move(fund);
    return step_row(std::move(id), std::move(kind_name), on, std::move(partner), amount, std::move(reference), std::move(more));
}

std::vector<event> worked_example() {
    return {
        sale("s1", date(2027, 2, 10), "P1", "S100", 1, "100000.00"),
        sale("s2", date(2027, 5, 5), "P1", "S100", 1, "50000.00"),
        fund_row("a1", "fund_allocation", date(2027, 1, 5), "P1", "6000.00", "mdf"),
        fund_row("a2", "fund_allocation", date(2027, 1, 6), "P2", "5000.00", "mdf"),
        fund_row("a3", "fund_allocation", date(2027, 1, 7), "P2", "4000.00", "mdf"),
        fund_row("r1", "fund_request", date(2027, 1, 10), "P1", "3000.00", "mdf", "", {{"activity_end", "2027-02-28"}}),
        fund_row("ap1", "fund_approval", date(2027, 1, 12), "P1", "2500.00", "", "r1", {{"reason", "trade show"}}),
        fund_row("k3", "claim", date(2027, 2, 1), "P2", "100.00", "mdf"),
        fund_row("k1", "claim", date(2027, 3, 1), "P1", "2000.00", "", "r1", {{"proof", "INV-7"}}),
        fund_row("ka1", "claim_approval", date(2027, 3, 5), "P1", "2000.00", "", "k1"),
        fund_row("k2", "claim", date(2027, 4, 2), "P1", "100.00", "", "r1"),
        fund_row("c1", "claim", date(2027, 4, 15), "P1", "1000.00", "coop", "", {{"proof", "INV-1"}}),
        fund_row("ca1", "claim_approval", date(2027, 4, 20), "P1", "800.00", "", "c1"),
        fund_row("c2", "claim", date(2027, 7, 10), "P1", "5000.00", "coop"),
        fund_row("ca2", "claim_approval", date(2027, 7, 15), "P1", "5000.00", "", "c2"),
        fund_row("c3", "claim", date(2027, 7, 20), "P1", "1500.00", "coop"),
        fund_row("ca3", "claim_approval", date(2027, 7, 25), "P1", "1500.00", "", "c3"),
    };
}

/// "kind fund/partner date amount balance reserved consumes" for compact comparisons.
std::string brief(const ledger_entry& e) {
    return std::string(to_string(e.kind)) + " " + e.account() + " " + e.on.to_string() + " " + e.amount.to_string() + " " +
           e.balance_after.to_string() + " " + e.reserved_after.to_string() + " " + std::to_string(e.consumes);
}

}  // namespace

TEST_CASE("ledger: MDF and co-op worked example, every entry by hand") {
    engine e(io::read_program(funds_program), funds_catalog());
    e.add(worked_example());
    auto r = e.run();
    std::vector<std::string> got;
    for (const auto& x : r.ledger) got.push_back(brief(x));
    const std::vector<std::string> want = {
        // mdf: a1 6000 into P1 (budget Q1 10000: 4000 left), a2 5000 does not fit, a3 4000 does.
        "allocation mdf/P1 2027-01-05 6000.00 6000.00 0.00 0",                 // 1
        "rejection mdf/P2 2027-01-06 0.00 0.00 0.00 0",                        // 2
        "allocation mdf/P2 2027-01-07 4000.00 4000.00 0.00 0",                 // 3
        "request mdf/P1 2027-01-10 0.00 6000.00 0.00 0",                       // 4: deadline 2027-02-28 + 30 = 03-30
        "reservation mdf/P1 2027-01-12 2500.00 6000.00 2500.00 0",             // 5: available 3500
        "rejection mdf/P2 2027-02-01 0.00 4000.00 0.00 0",                     // 6: mdf needs a request
        "claim mdf/P1 2027-03-01 0.00 6000.00 2500.00 0",                      // 7
        "payment mdf/P1 2027-03-05 -2000.00 4000.00 500.00 1",                 // 8: 100% of 2000 from lot 1
        "release mdf/P1 2027-03-31 -500.00 4000.00 0.00 5",                    // 9: the day after 03-30
        "accrual coop/P1 2027-03-31 2000.00 2000.00 0.00 0",                   // 10: 2% of 100000, to 06-30
        "forfeiture mdf/P1 2027-04-01 -4000.00 0.00 0.00 1",                   // 11: lot 1 usable to 03-31
        "forfeiture mdf/P2 2027-04-01 -4000.00 0.00 0.00 3",                   // 12
        "rejection mdf/P1 2027-04-02 0.00 0.00 0.00 0",                        // 13: after r1's deadline
        "claim coop/P1 2027-04-15 0.00 2000.00 0.00 0",                        // 14
        "payment coop/P1 2027-04-20 -400.00 1600.00 0.00 10",                  // 15: 50% of 800 approved
        "accrual coop/P1 2027-06-30 1000.00 2600.00 0.00 0",                   // 16: 2% of 50000, to 09-30
        "forfeiture coop/P1 2027-07-01 -1600.00 1000.00 0.00 10",              // 17: lot 10 usable to 06-30
        "claim coop/P1 2027-07-10 0.00 1000.00 0.00 0",                        // 18
        "rejection coop/P1 2027-07-15 0.00 1000.00 0.00 0",                    // 19: 50% of 5000 = 2500 > 1000
        "claim coop/P1 2027-07-20 0.00 1000.00 0.00 0",                        // 20
        "payment coop/P1 2027-07-25 -750.00 250.00 0.00 16",                   // 21: 50% of 1500
        "forfeiture coop/P1 2027-10-01 -250.00 0.00 0.00 16",                  // 22: lot 16 usable to 09-30
    };
    CHECK(got == want);
    REQUIRE(r.ledger.size() == want.size());
    CHECK(r.ledger[1].reason == "allocation of 5000.00 over the fund's budget for 2027-Q1 (4000.00 left)");
    CHECK(r.ledger[4].reason == "request \"r1\" approved: trade show");
    CHECK(r.ledger[5].reason == "fund \"mdf\" pays only claims against an approved request");
    CHECK(r.ledger[7].reservation == 5);
    CHECK(r.ledger[9].event == "coop_accrual/P1/2027-Q1");
    CHECK(r.ledger[9].expires == date(2027, 6, 30));
    CHECK(r.ledger[12].reason == "claimed after the deadline 2027-03-30 of request \"r1\"");
    CHECK(r.ledger[13].reason == "claims a cost of 1000.00 (proof INV-1)");
    CHECK(r.ledger[14].reason == "claim \"c1\" (50% of 800.00)");
    CHECK(r.ledger[18].reason == "pays 2500.00 (50% of 5000.00), over the available 1000.00");
    // Lines credited to a fund are lines, but not in the cash statements: P1's Q1 statement is the
    // rebate alone, 1% of 100000.
    CHECK(find(r, "coop_accrual", "P1", "2027-Q1")->amount == d("2000.00"));
    auto q1 = std::find_if(r.statements.begin(), r.statements.end(), [](const statement_total& s) { return s.period == "2027-Q1"; });
    REQUIRE(q1 != r.statements.end());
    CHECK(q1->amount == d("1000.00"));
}

TEST_CASE("ledger: balances as of a date, with ageing buckets") {
    engine e(io::read_program(funds_program), funds_catalog());
    e.add(worked_example());
    auto r = e.run();
    auto on = fund_balances(r.ledger, date(2027, 5, 1));
    // coop/P1 on 05-01: 2000 - 400 = 1600, its lot usable to 06-30: 60 days away (31-60 bucket).
    // mdf/P1 and mdf/P2: forfeited on 04-01.
    REQUIRE(on.size() == 3);
    CHECK(on[0].fund == "coop");
    CHECK(on[0].balance == d("1600.00"));
    CHECK(on[0].available == d("1600.00"));
    CHECK(on[0].expiring_30 == d("0.00"));
    CHECK(on[0].expiring_60 == d("1600.00"));
    CHECK(on[1].fund == "mdf");
    CHECK(on[1].partner == "P1");
    CHECK(on[1].balance == d("0.00"));
    // mdf/P1 on 02-01: 6000 with 2500 reserved; its lot (usable to 03-31) expires in 58 days.
    auto feb = fund_balances(r.ledger, date(2027, 2, 1));
    auto p1 = std::find_if(feb.begin(), feb.end(), [](const fund_balance& b) { return b.fund == "mdf" && b.partner == "P1"; });
    REQUIRE(p1 != feb.end());
    CHECK(p1->balance == d("6000.00"));
    CHECK(p1->reserved == d("2500.00"));
    CHECK(p1->available == d("3500.00"));
    CHECK(p1->expiring_60 == d("6000.00"));
}

TEST_CASE("ledger: a clawback takes the credit back from the lots, and beyond them a shortfall") {
    engine e(io::read_program(funds_program), funds_catalog());
    // Q1: 1000.00 sold -> 20.00 credited on 03-31. A claim of 40.00 approved on 04-06 pays 50% = 20.00:
    // the account is empty. The sale is returned whole on 04-10 (within 90 days): the rule's Q2 line
    // is -20.00, a reversal with no lot left -> a shortfall of 20.00 (balance -20.00). Q3: 2000.00 sold
    // -> 40.00 credited on 09-30 -> balance 20.00.
    e.add(std::vector<event>{sale("s1", date(2027, 2, 10), "P1", "S100", 1, "1000.00"),
                             fund_row("c1", "claim", date(2027, 4, 5), "P1", "40.00", "coop"),
                             fund_row("ca1", "claim_approval", date(2027, 4, 6), "P1", "40.00", "", "c1"),
                             ret("back", date(2027, 4, 10), "P1", "s1", 1, "1000.00"),
                             sale("s2", date(2027, 8, 1), "P1", "S100", 1, "2000.00")});
    auto r = e.run();
    std::vector<std::string> got;
    for (const auto& x : r.ledger) got.push_back(brief(x));
    const std::vector<std::string> want = {
        "accrual coop/P1 2027-03-31 20.00 20.00 0.00 0",
        "claim coop/P1 2027-04-05 0.00 20.00 0.00 0",
        "payment coop/P1 2027-04-06 -20.00 0.00 0.00 1",
        "shortfall coop/P1 2027-06-30 -20.00 -20.00 0.00 0",
        "accrual coop/P1 2027-09-30 40.00 20.00 0.00 0",
    };
    CHECK(got == want);
}

TEST_CASE("ledger: a claim whose reimbursed part rounds to nothing, and an approval after the claim deadline, are rejected") {
    engine e(io::read_program(funds_program), funds_catalog());
    // coop pays 50%: a cost of 0.01 is 0.005, half-even 0.00. mdf r1's claims are taken through
    // 02-28 + 30 = 03-30; an approval on 04-01 could reserve for no claim.
    e.add(std::vector<event>{fund_row("a1", "fund_allocation", date(2027, 1, 5), "P1", "100.00", "mdf"),
                             sale("s1", date(2027, 1, 10), "P1", "S100", 1, "1000.00"),
                             fund_row("c1", "claim", date(2027, 4, 2), "P1", "0.01", "coop"),
                             fund_row("ca1", "claim_approval", date(2027, 4, 3), "P1", "0.01", "", "c1"),
                             fund_row("r1", "fund_request", date(2027, 1, 10), "P1", "50.00", "mdf", "", {{"activity_end", "2027-02-28"}}),
                             fund_row("ap1", "fund_approval", date(2027, 4, 1), "P1", "50.00", "", "r1")});
    auto r = e.run();
    auto find_entry = [&](std::string_view id) {
        return *std::find_if(r.ledger.begin(), r.ledger.end(), [&](const ledger_entry& x) { return x.event == id; });
    };
    CHECK(find_entry("ca1").kind == kind::rejection);
    CHECK(find_entry("ca1").reason == "claim \"c1\" pays 0.00 (50% of 0.01): nothing to pay");
    CHECK(find_entry("ap1").kind == kind::rejection);
    CHECK(find_entry("ap1").reason == "approved after the claim deadline 2027-03-30 of request \"r1\": nothing could be claimed against it");
}

TEST_CASE("ledger: reconcile_ledger finds a broken entry") {
    engine e(io::read_program(funds_program), funds_catalog());
    e.add(worked_example());
    auto ledger = e.run().ledger;
    CHECK_NOTHROW(detail::reconcile_ledger(ledger));
    auto broken = ledger;
    broken[7].balance_after = d("4000.01");  // the payment's balance after
    CHECK_THROWS_WITH_AS(detail::reconcile_ledger(broken),
                         doctest::Contains("entry 8 (mdf/P1, payment): balance after 4000.01, the entries give 4000.00"),
                         calculation_error);
    auto overdrawn = ledger;
    overdrawn[14].amount = d("-2400.00");  // more than lot 10's 2000.00
    overdrawn[14].balance_after = d("-400.00");
    CHECK_THROWS_AS(detail::reconcile_ledger(overdrawn), calculation_error);
    auto backwards = ledger;
    backwards[3].on = date(2027, 1, 1);  // the request, dated before the entry before it
    CHECK_THROWS_WITH_AS(detail::reconcile_ledger(backwards), doctest::Contains("it is dated before the entry before it"), calculation_error);
    auto foreign = ledger;
    foreign[14].consumes = 3;  // mdf/P2's lot
    CHECK_THROWS_WITH_AS(detail::reconcile_ledger(foreign), doctest::Contains("not an earlier lot or reservation of this account"),
                         calculation_error);
}

TEST_CASE("ledger: the same entries whatever the input order, batch split, threads and snapshots") {
    const auto program = io::read_program(funds_program);
    engine whole(program, funds_catalog());
    whole.add(worked_example());
    const auto expected = whole.run().ledger;
    std::mt19937_64 rng(7);
    for (int round = 0; round < 20; ++round) {
        auto events = worked_example();
        std::shuffle(events.begin(), events.end(), rng);
        const std::size_t cut = rng() % events.size();
        engine first(program, funds_catalog());
        first.add(std::vector<event>(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(cut)), 2);
        engine second = engine::restore(program, funds_catalog(), first.snapshot());
        second.add(std::vector<event>(events.begin() + static_cast<std::ptrdiff_t>(cut), events.end()), 2);
        CHECK(second.run({.threads = 2}).ledger == expected);
    }
}

TEST_CASE("ledger: fund rows are checked at intake, with the row and field") {
    engine e(io::read_program(funds_program), funds_catalog());
    auto fails = [&](event x) {
        try {
            e.add(std::vector<event>{std::move(x)});
        } catch (const input_error& err) {
            return std::string(err.what());
        }
        return std::string("no error");
    };
    CHECK(fails(fund_row("x", "fund_allocation", date(2027, 1, 5), "P1", "10.00", "")) ==
          "[incentives.input.missing_fund] row 1 (event \"x\"), field fund: a fund_allocation names its fund in the attribute "
          "\"fund\" (column attr.fund; the program's funds: coop and mdf)");
    CHECK(fails(fund_row("x", "fund_allocation", date(2027, 1, 5), "P1", "10.00", "mfd")) ==
          "[incentives.input.unknown_fund] row 1 (event \"x\"), field fund: unknown fund \"mfd\" (did you mean \"mdf\"?)");
    CHECK(fails(fund_row("x", "fund_approval", date(2027, 1, 5), "P1", "10.00", "")) ==
          "[incentives.input.missing_reference] row 1 (event \"x\"), field reference: a fund_approval names the request it decides "
          "in \"reference\"");
    CHECK(fails(fund_row("x", "fund_request", date(2027, 1, 5), "P1", "10.00", "mdf", "", {{"activity_end", "2026-12-31"}})) ==
          "[incentives.input.activity_end] row 1 (event \"x\"), field activity_end: the activity ends 2026-12-31, before the request "
          "of 2027-01-05");
    CHECK(fails(fund_row("x", "claim", date(2027, 1, 5), "P1", "-1.00", "coop")).find("incentives.input.negative_amount") !=
          std::string::npos);
}

TEST_CASE("ledger: invalid funds are refused when the program is built") {
    auto refused = [](const std::string& yaml) {
        try {
            engine e(io::read_program(yaml), funds_catalog());
        } catch (const validation_error& err) {
            return std::string(err.code());
        }
        return std::string("accepted");
    };
    const std::string head = "program: F\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n";
    const std::string rule = "rules:\n  - {id: r, pay: {rate: 1%}, fund: coop}\n";
    CHECK(refused(head + rule) == "incentives.validation.fund");  // no such fund
    CHECK(refused(head + "funds: [{id: coop, reimbursement: 150%}]\n" + rule) == "incentives.validation.fund");
    CHECK(refused(head + "funds: [{id: coop}, {id: coop}]\n" + rule) == "incentives.validation.fund");
    CHECK(refused(head + "funds: [{id: coop, budget: {amount: 10.001}}]\n" + rule) == "incentives.validation.budget");
    CHECK(refused(head + "rounding: {at: statement}\nfunds: [{id: coop}]\n" + rule) == "incentives.validation.fund");
    CHECK(refused(head + "funds: [{id: coop}]\nrules:\n  - {id: r, pay: {rate: 1%}, per: [participant, quarter], fund: coop}\n") ==
          "incentives.validation.fund");
    CHECK(refused(head + "funds: [{id: coop}]\n" + rule) == "accepted");
}

TEST_CASE("ledger: funds read and write back as YAML") {
    const auto p = io::read_program(funds_program);
    REQUIRE(p.funds.size() == 2);
    CHECK(p.funds[0].reimbursement == d("0.5"));
    CHECK(p.funds[0].expires == rules::lot_expiry{1, rules::lot_expiry::unit_t::quarter, period_unit::quarter});
    CHECK(p.funds[1].requires_approval);
    CHECK(p.funds[1].budget == rules::fund_budget{d("10000"), period_unit::quarter});
    CHECK(p.rules[0].fund == "coop");
    CHECK(io::read_program(io::write_program(p)) == p);
}

TEST_CASE("rules: a lot's last usable day") {
    calendar cal(date(2027, 1, 1), date(2027, 12, 31));
    using u = rules::lot_expiry::unit_t;
    // 12 months from 2027-01-31: 2028-01-31; one month from 01-31 is clamped to 02-28.
    CHECK(rules::last_usable_day({12, u::month, {}}, date(2027, 1, 31), cal) == date(2028, 1, 31));
    CHECK(rules::last_usable_day({1, u::month, {}}, date(2027, 1, 31), cal) == date(2027, 2, 28));
    // End of the next quarter from 03-31 (Voucherify-style rounding up): 06-30; from 02-15: 05-15 -> 06-30.
    CHECK(rules::last_usable_day({1, u::quarter, period_unit::quarter}, date(2027, 3, 31), cal) == date(2027, 6, 30));
    CHECK(rules::last_usable_day({1, u::quarter, period_unit::quarter}, date(2027, 2, 15), cal) == date(2027, 6, 30));
    // Square-style "12 months, to the end of the month": 2020-07-06 -> 2021-07-31.
    CHECK(rules::last_usable_day({12, u::month, period_unit::month}, date(2020, 7, 6), cal) == date(2021, 7, 31));
    CHECK(rules::last_usable_day({30, u::day, {}}, date(2027, 1, 1), cal) == date(2027, 1, 31));
}
