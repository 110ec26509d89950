// Deal registration (engine/deals.hpp): a worked example with every step computed by hand, the
// payout lines and statements it adds, order independence, snapshots, and the located errors of
// deal rows.
#include <doctest/doctest.h>

#include <incentives/incentives.hpp>
#include <incentives/io/yaml.hpp>

#include <algorithm>
#include <random>

#include "engine_fixtures.hpp"

using namespace incentives;
using namespace fixtures;

namespace {

// Protection 90 days from approval, one extension of 30 days; 5% of the closing sale + 100 per deal;
// stage rewards registered 50 (on approval), demo 100, proposal 200; a lost deal's rewards are
// clawed back. A 1% rebate on every sale pays in cash beside it.
constexpr const char* deals_program = R"(
program: Deals
currency: EUR
periods: {from: 2027-01-01, to: 2027-12-31}
deal_registration:
  id: dealreg
  window: {days: 90}
  extension: {days: 30, max: 1}
  bonus: {rate: 5%, fixed: 100}
  stages: {registered: 50, demo: 100, proposal: 200}
  lost: clawback
rules:
  - id: rebate
    pay: {rate: 1%}
    per: [partner, quarter]
)";

catalog deals_catalog() {
    return catalog({{"P1", "Acme", "smb", "north", "eu", "gold", {}}, {"P2", "Beta", "smb", "south", "eu", "gold", {}}}, {},
                   {{"S100", "servers", {}}});
}

event step(std::string id, std::string kind_name, date on, std::string partner, std::string reference, attributes attrs = {},
           const char* amount = "0") {
    return step_row(std::move(id), std::move(kind_name), on, std::move(partner), amount, std::move(reference), std::move(attrs));
}

event closing(std::string id, date on, std::string partner, const char* amount, std::string registration) {
    event e = sale(std::move(id), on, std::move(partner), "S100", 1, amount);
    e.reference = std::move(registration);
    return e;
}

std::vector<event> story() {
    return {
        step("R1", "deal_registration", date(2027, 1, 10), "P1", "", {{"customer", "ACME"}}, "20000.00"),
        step("R2", "deal_registration", date(2027, 1, 11), "P2", "", {{"customer", "ACME"}}),
        step("A1", "deal_approval", date(2027, 1, 15), "P1", "R1"),
        step("A2", "deal_approval", date(2027, 1, 16), "P2", "R2"),
        step("D1", "deal_stage", date(2027, 2, 1), "P1", "R1", {{"stage", "demo"}}),
        step("D2", "deal_stage", date(2027, 2, 5), "P1", "R1", {{"stage", "demo"}}),
        step("R3", "deal_registration", date(2027, 2, 1), "P2", "", {{"customer", "BETA"}}),
        step("A3", "deal_approval", date(2027, 2, 2), "P2", "R3"),
        step("P3", "deal_stage", date(2027, 3, 1), "P2", "R3", {{"stage", "proposal"}}),
        step("L3", "deal_lost", date(2027, 3, 10), "P2", "R3", {{"reason", "went with a competitor"}}),
        step("R4", "deal_registration", date(2027, 3, 1), "P2", "", {{"customer", "GAMMA"}}),
        step("A4", "deal_approval", date(2027, 3, 2), "P2", "R4"),
        step("X1", "deal_extension", date(2027, 4, 10), "P1", "R1"),
        step("X2", "deal_extension", date(2027, 4, 12), "P1", "R1"),
        closing("S1", date(2027, 5, 1), "P1", "10000.00", "R1"),
        closing("S4", date(2027, 6, 10), "P2", "1000.00", "R4"),
    };
}

std::string brief(const deal_entry& e) {
    return std::string(to_string(e.kind)) + " " + e.registration + " " + e.partner + " " + e.on.to_string() + " " +
           e.amount.to_string() + (e.until ? " until " + e.until->to_string() : "");
}

}  // namespace

TEST_CASE("deals: a worked example, every step by hand") {
    engine e(io::read_program(deals_program), deals_catalog());
    e.add(story());
    auto r = e.run({.traces = true});
    std::vector<std::string> got;
    for (const auto& x : r.deals) got.push_back(brief(x));
    const std::vector<std::string> want = {
        "registered R1 P1 2027-01-10 0.00",
        "registered R2 P2 2027-01-11 0.00",
        "approved R1 P1 2027-01-15 0.00 until 2027-04-15",  // 01-15 + 90 days
        "stage_reward R1 P1 2027-01-15 50.00",               // registered, on approval
        "rejected R2 P2 2027-01-16 0.00",                    // ACME is P1's through 04-15
        "registered R3 P2 2027-02-01 0.00",                  // registrations before stages on a day
        "stage_reward R1 P1 2027-02-01 100.00",              // demo
        "approved R3 P2 2027-02-02 0.00 until 2027-05-03",   // 02-02 + 90 days
        "stage_reward R3 P2 2027-02-02 50.00",
        "refused R1 P1 2027-02-05 0.00",                     // demo again
        "registered R4 P2 2027-03-01 0.00",
        "stage_reward R3 P2 2027-03-01 200.00",              // proposal
        "approved R4 P2 2027-03-02 0.00 until 2027-05-31",
        "stage_reward R4 P2 2027-03-02 50.00",
        "lost R3 P2 2027-03-10 0.00",
        "clawback R3 P2 2027-03-10 -50.00",
        "clawback R3 P2 2027-03-10 -200.00",
        "extended R1 P1 2027-04-10 0.00 until 2027-05-15",   // 04-15 + 30 days
        "refused R1 P1 2027-04-12 0.00",                     // at most one extension
        "bonus R1 P1 2027-05-01 600.00",                     // 5% of 10000 = 500, + 100
        "expired R4 P2 2027-06-01 0.00",                     // the day after 05-31
        "no_bonus R4 P2 2027-06-10 0.00",
    };
    CHECK(got == want);
    REQUIRE(r.deals.size() == want.size());
    CHECK(r.deals[4].reason == "customer \"ACME\" is protected for partner P1 by registration \"R1\" through 2027-04-15: the first approved wins");
    CHECK(r.deals[9].reason == "stage demo of registration \"R1\" was already paid");
    CHECK(r.deals[18].reason == "registration \"R1\" has no extension left (at most 1)");
    CHECK(r.deals[19].reason == "closed in the protection window (through 2027-05-15): 5% of 10000.00 + 100 per deal");
    CHECK(r.deals[21].reason == "closed after the protection of registration \"R4\" ended on 2027-05-31");
    CHECK(r.deals[14].reason == "went with a competitor");
    // Lines: P1 Q1 50 + 100 = 150.00, Q2 600.00; P2 Q1 50 + 200 + 50 = 300.00 and a clawback of
    // -250.00. The rebate: P1 Q2 1% of 10000 = 100.00, P2 Q2 1% of 1000 = 10.00.
    CHECK(find(r, "dealreg", "P1", "2027-Q1")->amount == d("150.00"));
    CHECK(find(r, "dealreg", "P1", "2027-Q2")->amount == d("600.00"));
    CHECK(find(r, "dealreg", "P2", "2027-Q1")->amount == d("300.00"));
    CHECK(find(r, "dealreg", "P2", "2027-Q1", payout_line::kind_t::clawback)->amount == d("-250.00"));
    CHECK(find(r, "dealreg", "P2", "2027-Q1")->why->note == "R3 50.00; R3 200.00; R4 50.00");
    CHECK(find(r, "rebate", "P1", "2027-Q2")->amount == d("100.00"));
    // Statements: P1 Q1 150.00, P1 Q2 100 + 600 = 700.00, P2 Q1 300 - 250 = 50.00, P2 Q2 10.00.
    std::vector<std::string> statements;
    for (const auto& s : r.statements) statements.push_back(s.beneficiary + " " + s.period + " " + s.amount.to_string());
    CHECK(statements == std::vector<std::string>{"P1 2027-Q1 150.00", "P1 2027-Q2 700.00", "P2 2027-Q1 50.00", "P2 2027-Q2 10.00"});
}

TEST_CASE("deals: the same story whatever the input order, batch split, threads and snapshots") {
    const auto program = io::read_program(deals_program);
    engine whole(program, deals_catalog());
    whole.add(story());
    const auto expected = whole.run();
    std::mt19937_64 rng(3);
    for (int round = 0; round < 20; ++round) {
        auto events = story();
        std::shuffle(events.begin(), events.end(), rng);
        const std::size_t cut = rng() % events.size();
        engine first(program, deals_catalog());
        first.add(std::vector<event>(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(cut)), 2);
        engine second = engine::restore(program, deals_catalog(), first.snapshot());
        second.add(std::vector<event>(events.begin() + static_cast<std::ptrdiff_t>(cut), events.end()), 2);
        auto got = second.run({.threads = 2});
        CHECK(got.deals == expected.deals);
        CHECK(got.lines == expected.lines);
        CHECK(got.statements == expected.statements);
    }
}

TEST_CASE("deals: deal rows are checked at intake, with the row and field") {
    engine e(io::read_program(deals_program), deals_catalog());
    auto fails = [&](event x) {
        try {
            e.add(std::vector<event>{std::move(x)});
        } catch (const input_error& err) {
            return std::string(err.what());
        }
        return std::string("no error");
    };
    CHECK(fails(step("x", "deal_registration", date(2027, 1, 5), "P1", "")) ==
          "[incentives.input.missing_customer] row 1 (event \"x\"), field customer: a deal_registration names its customer in the "
          "attribute \"customer\" (column attr.customer)");
    CHECK(fails(step("x", "deal_approval", date(2027, 1, 5), "P1", "")) ==
          "[incentives.input.missing_reference] row 1 (event \"x\"), field reference: a deal_approval names the registration it is "
          "about in \"reference\"");
    CHECK(fails(step("x", "deal_stage", date(2027, 1, 5), "P1", "R1", {{"stage", "dmeo"}})) ==
          "[incentives.input.stage] row 1 (event \"x\"), field stage: unknown stage \"dmeo\" (did you mean \"demo\"?) (the program's "
          "stages: demo and proposal)");
    CHECK(fails(step("x", "deal_stage", date(2027, 1, 5), "P1", "R1", {{"stage", "registered"}})).find("paid when the registration is approved") !=
          std::string::npos);
}

TEST_CASE("deals: invalid deal registration is refused when the program is built, and it reads back as YAML") {
    const std::string head = "program: D\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n";
    const std::string rules = "rules:\n  - {id: rebate, pay: {rate: 1%}}\n";
    auto refused = [&](const std::string& deals) {
        try {
            engine e(io::read_program(head + deals + rules), deals_catalog());
        } catch (const validation_error& err) {
            return std::string(err.code());
        }
        return std::string("accepted");
    };
    CHECK(refused("deal_registration: {id: rebate}\n") == "incentives.validation.deal_registration");
    CHECK(refused("deal_registration: {window: {days: 0}}\n") == "incentives.validation.deal_registration");
    CHECK(refused("deal_registration: {bonus: {rate: 150%}}\n") == "incentives.validation.deal_registration");
    CHECK(refused("deal_registration: {stages: {demo: 10.001}}\n") == "incentives.validation.deal_registration");
    CHECK(refused("deal_registration: {window: {months: 6}, extension: {days: 30, max: 2}}\n") == "accepted");
    const auto p = io::read_program(deals_program);
    REQUIRE(p.deals);
    CHECK(p.deals->stages.size() == 3);
    CHECK(p.deals->bonus_rate == d("0.05"));
    CHECK(io::read_program(io::write_program(p)) == p);
}
