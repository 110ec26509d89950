// Points (engine/points.hpp, rules/points.hpp): golden cases through the public engine API (a YAML
// program, a catalog, events as rows, engine.add, engine.run), every entry computed by hand in the
// comments; the balances and the liability as of a day; the located errors of shop rows; the
// programs refused by validate; and the YAML round trip.
//
// The catalog: partner P1 with people M1 and S1, partner P2 with M2. Programs run 2027-01-01 to
// 2027-12-31. A rule pays 10% of a person's monthly sales in points ("bonus", whole points, 0.50 EUR
// each); a lot is earned on the month's last day, pending 14 days, usable two months rounded to the
// month's end. Entries are compared as "day kind holder points lot balance/available [item]".
#include <doctest/doctest.h>

#include <incentives/engine/restate.hpp>
#include <incentives/incentives.hpp>
#include <incentives/io/yaml.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "engine_fixtures.hpp"

using namespace incentives;
using namespace fixtures;

namespace {

catalog points_catalog() {
    return catalog({{"P1", "Acme", "smb", "north", "eu", "gold", {}}, {"P2", "Beta", "smb", "south", "eu", "gold", {}}},
                   {{"M1", "P1", "manager", {}, {}}, {"S1", "P1", "specialist", {}, {}}, {"M2", "P2", "manager", {}, {}}},
                   {{"S100", "servers", {}}});
}

std::string program_with(const std::string& policy = "", const std::string& extra_rules = "") {
    return "program: Points\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n"
           "points:\n  id: bonus\n  value: 0.50\n  pending: {days: 14}\n  expires: {after: 2, unit: month, round_to: month}\n" +
           policy +
           "  shop:\n"
           "    - {sku: MUG, name: Mug, price: 300}\n"
           "    - {sku: BAG, name: Bag, price: 1000, stock: 1}\n"
           "    - {sku: CAP, name: Cap, price: 100, limit: {count: 1, per: month}}\n"
           "rules:\n"
           "  - {id: sales_points, pay: {rate: 10%}, per: [participant, month], points: bonus, clawback: {days: 90}}\n"
           "  - {id: rebate, pay: {rate: 1%}, per: [partner, quarter]}\n" +
           extra_rules;
}

event person_sale(std::string id, date on, std::string who, const char* amount) {
    std::string partner = who == "M2" ? "P2" : "P1";
    return sale(std::move(id), on, std::move(partner), "S100", 1, amount, {{std::move(who), decimal(1)}});
}
event redemption(std::string id, date on, std::string who, std::string item, long long count = 0) {
    std::string partner = who == "M2" || who == "P2" ? "P2" : "P1";
    event e = step_row(std::move(id), "redemption", on, partner, "0", "", {{"item", std::move(item)}});
    if (who != partner) e.participants = {{std::move(who), decimal(1)}};
    if (count > 0) e.quantity = decimal(count);
    return e;
}
event cancel(std::string id, date on, std::string who, std::string of) {
    event e = step_row(std::move(id), "redemption_cancel", on, "P1", "0", std::move(of));
    e.participants = {{std::move(who), decimal(1)}};
    return e;
}

result run(const std::string& yaml, const std::vector<event>& events, unsigned threads = 1) {
    engine e(io::read_program(yaml, "points.yaml"), points_catalog());
    e.add(events, threads);
    return e.run({true, true, threads});
}

std::vector<std::string> entries(const result& r) {
    std::vector<std::string> out;
    for (const auto& x : r.points)
        out.push_back(x.on.to_string() + " " + std::string(to_string(x.kind)) + " " + x.holder + " " + x.points.to_string() + " " +
                      std::to_string(x.lot) + " " + x.balance_after.to_string() + "/" + x.available_after.to_string() +
                      (x.item.empty() ? "" : " " + x.item));
    return out;
}

/// The worked example of the file's head: earnings, a refused redemption (points still pending), a
/// redemption, a second lot, a redemption beyond the monthly limit, a cancellation, a return, expiry.
std::vector<event> story() {
    return {
        person_sale("s1", date(2027, 1, 10), "M1", "3000"),   // January: 10% = 300 points
        person_sale("s2", date(2027, 2, 5), "M1", "5000"),    // February: 500 points
        ret("r1", date(2027, 3, 1), "P1", "s2", 0, "1000"),   // a fifth of s2: -100 points, a March clawback line
        redemption("x1", date(2027, 2, 10), "M1", "MUG"),     // the January lot is pending until 14 February
        redemption("x2", date(2027, 2, 20), "M1", "MUG"),     // 300 from the January lot
        redemption("x3", date(2027, 3, 15), "M1", "CAP"),     // 100 from the February lot (available since 14 March)
        redemption("x4", date(2027, 3, 20), "M1", "CAP"),     // a second cap in March: beyond the limit
        cancel("c1", date(2027, 3, 25), "M1", "x2"),          // the mug's 300 go back into the January lot
    };
}

}  // namespace

TEST_CASE("points: lots earned by a points rule, pending, redeemed from the lots, cancelled, reversed by a return, expired") {
    const result r = run(program_with(), story());
    // Lot 1: January's 300, earned 2027-01-31, available 2027-02-14, usable through 2027-01-31 + 2
    // months = 2027-03-31 (already a month's end). Lot 4: February's 500, earned 2027-02-28,
    // available 2027-03-14, usable through 2027-04-28 -> month end 2027-04-30.
    // The return (within the default within_balance policy) takes its 100 back from the lot its sale
    // s2 earned, lot 4, on the last day of March (the clawback line's period). Then lot 1 expires on
    // 2027-04-01 with the 300 put back into it, lot 4 on 2027-05-01 with 500 - 100 - 100 = 300.
    CHECK(entries(r) == std::vector<std::string>{
                            "2027-01-31 earned M1 300 1 300/0",
                            "2027-02-10 refused M1 0 0 300/0 MUG",
                            "2027-02-20 redeemed M1 -300 1 0/0 MUG",
                            "2027-02-28 earned M1 500 4 500/0",
                            "2027-03-15 redeemed M1 -100 4 400/400 CAP",
                            "2027-03-20 refused M1 0 0 400/400 CAP",
                            "2027-03-25 reinstated M1 300 1 700/700 MUG",
                            "2027-03-31 reversed M1 -100 4 600/600",
                            "2027-04-01 expired M1 -300 1 300/300",
                            "2027-05-01 expired M1 -300 4 0/0",
                        });
    CHECK(r.points[1].reason == "1 x MUG costs 300 points; 0 available (300 more pending)");
    CHECK(r.points[5].reason == "1 x CAP: beyond the limit of 1 per month (1 redeemed in 2027-03)");
    CHECK(r.points[0].available_on == date(2027, 2, 14));
    CHECK(r.points[0].expires == date(2027, 3, 31));
    CHECK(r.points[3].expires == date(2027, 4, 30));
    CHECK(r.points[0].event == "sales_points/M1/2027-01");
    // The lines of the points rule are points (currency "bonus"), left out of the statements and the
    // money total: the statements hold only the 1% rebate, P1 Q1 = 1% of (3000 + 5000) = 80.00 less
    // its clawback... the rebate has none: 80.00.
    const auto* jan = find(r, "sales_points", "M1", "2027-01");
    REQUIRE(jan != nullptr);
    CHECK(jan->currency == "bonus");
    CHECK(jan->amount.to_string() == "300");
    for (const auto& st : r.statements) CHECK(st.beneficiary == "P1");
    CHECK(r.total().to_string() == "80.00");
    // The lots as the run leaves them: both expired, every point accounted for.
    REQUIRE(r.lots.size() == 2);
    CHECK(r.lots[0].state == points_lot::state_t::expired);
    CHECK(r.lots[0].earned.to_string() == "300");
    CHECK(r.lots[0].reinstated.to_string() == "300");
    CHECK(r.lots[0].redeemed.to_string() == "300");
    CHECK(r.lots[0].expired.to_string() == "300");
    CHECK(r.lots[1].reversed.to_string() == "100");
    CHECK(r.lots[1].redeemed.to_string() == "100");
    CHECK(r.lots[1].expired.to_string() == "300");
}

TEST_CASE("points: balances and the liability as of a day; breakage estimated from matured lots") {
    const result r = run(program_with(), story());
    const program p = io::read_program(program_with(), "points.yaml");
    // 2027-03-20: lot 1 empty, lot 4 holds 400 (available since 14 March).
    auto b = points_balances(r.points, date(2027, 3, 20));
    REQUIRE(b.size() == 1);
    CHECK(b[0].balance.to_string() == "400");
    CHECK(b[0].available.to_string() == "400");
    CHECK(b[0].expiring_60.to_string() == "400");  // lot 4 is usable through 2027-04-30: 41 days on
    // 2027-02-28: lot 1 spent, lot 4 (500) pending until 14 March.
    b = points_balances(r.points, date(2027, 2, 28));
    CHECK(b[0].pending.to_string() == "500");
    CHECK(b[0].available.to_string() == "0");
    // 2027-03-31: issued 800, redeemed 300 + 100 - 300 = 100, reversed 100, outstanding 600 (300 in
    // each lot); no lot has matured (lot 1 is usable through that day): breakage 0, and the liability
    // is 600 x 0.50 = 300.00.
    auto l = points_liability_as_of(p, r.points, date(2027, 3, 31));
    CHECK(l.issued.to_string() == "800");
    CHECK(l.redeemed.to_string() == "100");
    CHECK(l.reversed.to_string() == "100");
    CHECK(l.outstanding.to_string() == "600");
    CHECK(l.liability.to_string() == "300.00");
    CHECK(l.by_age[0].points.to_string() == "600");  // lot 1 is 59 days old, lot 4 31: both 0-90 days
    // 2027-06-30: both lots matured. Lot 1: 300 expired, 300 - 300 = 0 redeemed; lot 4: 300 expired,
    // 100 redeemed: breakage = 600 / 700 = 0.857143 (6 places); nothing outstanding, liability 0.00.
    l = points_liability_as_of(p, r.points, date(2027, 6, 30));
    CHECK(l.expired.to_string() == "600");
    CHECK(l.outstanding.to_string() == "0");
    CHECK(l.breakage.to_string() == "0.857143");
    CHECK(l.liability.to_string() == "0.00");
    // Declared breakage: 20% of 600 x 0.50 = 60.00 off 300.00 -> 240.00.
    auto declared = p;
    declared.points->breakage = d("0.2");
    CHECK(points_liability_as_of(declared, r.points, date(2027, 3, 31)).liability.to_string() == "240.00");
}

TEST_CASE("points: a return takes back the points of its own sale's lot (regression: it took the rule's newest lot)") {
    // s1 (January, 300 points, available 2027-02-14) is returned by a third on 2027-02-20: a February
    // clawback line of -100, taken on 2027-02-28 after February's lot (s2: 500) is earned. Under
    // pending_only the January lot is no longer pending: nothing is taken, 100 are forgiven, and
    // February's pending lot (another sale's) keeps its 500. Within the balance, the 100 come from
    // the January lot.
    const std::vector<event> events = {person_sale("s1", date(2027, 1, 10), "M1", "3000"), person_sale("s2", date(2027, 2, 5), "M1", "5000"),
                                       ret("r1", date(2027, 2, 20), "P1", "s1", 0, "1000")};
    CHECK(entries(run(program_with("  returns: pending_only\n"), events)) ==
          std::vector<std::string>{"2027-01-31 earned M1 300 1 300/0", "2027-02-28 earned M1 500 2 800/300", "2027-02-28 forgiven M1 0 0 800/300",
                                   "2027-04-01 expired M1 -300 1 500/500", "2027-05-01 expired M1 -500 2 0/0"});
    CHECK(entries(run(program_with(), events)) ==
          std::vector<std::string>{"2027-01-31 earned M1 300 1 300/0", "2027-02-28 earned M1 500 2 800/300", "2027-02-28 reversed M1 -100 1 700/200",
                                   "2027-04-01 expired M1 -200 1 500/500", "2027-05-01 expired M1 -500 2 0/0"});
}

TEST_CASE("points: restating a run in points: deltas in points, a paid row of points in EUR refused") {
    const program p = io::read_program(program_with(), "points.yaml");
    const result r = run(program_with(), story());
    // What the run pays, as paid: no deltas. January's points paid as 250: a delta of 300 - 250 = 50
    // points, in the points' currency.
    std::vector<paid_line> paid;
    for (const auto& l : r.lines) paid.push_back({l.rule, l.beneficiary_type, l.beneficiary, l.period, l.amount, l.currency, ""});
    CHECK(restate(p, points_catalog(), r, paid).empty());
    paid[0].amount = d("250");
    REQUIRE(paid[0].rule == "sales_points");
    const auto deltas = restate(p, points_catalog(), r, paid);
    REQUIRE(deltas.size() == 1);
    CHECK(deltas[0].delta.to_string() == "50");
    CHECK(deltas[0].currency == "bonus");
    paid[0].currency = "EUR";
    CHECK_THROWS_WITH_AS(restate(p, points_catalog(), r, paid), doctest::Contains("rule \"sales_points\" of program \"Points\" pays in bonus"),
                         input_error);
}

namespace {

/// Oracle's example: a level needs 800 points; 500 are earned in November 2026 and 300 in January
/// 2027 (a program from 2026-11-01, lots on the month's last day, no pending, no expiry).
std::string levels_program(const std::string& window) {
    return "program: Levels\ncurrency: EUR\nperiods: {from: 2026-11-01, to: 2027-12-31}\n"
           "points:\n  id: bonus\n  value: 0.50\n  levels:\n    window: " +
           window +
           "\n    review: month\n    table:\n      - {name: member, from: 0}\n      - {name: silver, from: 800, multiplier: 1.5}\n"
           "rules:\n  - {id: sales_points, pay: {rate: 10%}, per: [participant, month], points: bonus}\n";
}

std::string replaced_first(std::string text, const std::string& what, const std::string& by) {
    return text.replace(text.find(what), what.size(), by);
}

std::vector<std::string> levels_of(const result& r) {
    std::vector<std::string> out;
    for (const auto& c : r.levels)
        out.push_back(c.on.to_string() + " " + c.holder + " " + c.previous + "->" + c.level + " " + c.measure.to_string() + " " + c.window);
    return out;
}

const std::vector<event>& oracle_events() {
    static const std::vector<event> ev = {person_sale("n1", date(2026, 11, 10), "M1", "5000"),  // 500 points, lot 2026-11-30
                                          person_sale("j1", date(2027, 1, 10), "M1", "3000"),   // 300 points, lot 2027-01-31
                                          person_sale("f1", date(2027, 2, 10), "M1", "1000")};  // 100 points, lot 2027-02-28
    return ev;
}

}  // namespace

TEST_CASE("points levels: Oracle's example — a rolling 12-month window upgrades, a calendar year does not") {
    // Rolling 12 months: on 2027-01-31 the window 2026-02-01..2027-01-31 holds 500 + 300 = 800 =
    // silver's from: up at once. February's 100 points are earned at silver: 100 x 1.5 = 150.
    const result rolling = run(levels_program("{rolling_months: 12}"), oracle_events());
    // At the review of 2027-11-30 the window 2026-12-01..2027-11-30 no longer holds November's 500:
    // 300 + 100 = 400 < 800, back to member from 2027-12-01.
    CHECK(levels_of(rolling) == std::vector<std::string>{"2027-01-31 M1 member->silver 800 2026-02-01..2027-01-31",
                                                         "2027-12-01 M1 silver->member 400 2026-12-01..2027-11-30"});
    REQUIRE(rolling.points.size() == 3);
    CHECK(rolling.points[1].points.to_string() == "300");  // January's lot itself is earned before the upgrade
    CHECK(rolling.points[2].points.to_string() == "150");
    // Calendar year: 2027 holds 300 (then 400): never 800, no upgrade, February's lot stays 100.
    const result calendar = run(levels_program("year"), oracle_events());
    CHECK(levels_of(calendar).empty());
    CHECK(calendar.points[2].points.to_string() == "100");
}

TEST_CASE("points levels: requalification at each review, down one level after the grace, or to the measure") {
    // Three levels by the month's points (window: month): silver from 100, gold from 300. M1 earns
    // 350 in January (gold on 01-31), 120 in February, nothing after.
    const std::string base = "program: Levels\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-06-30}\n"
                             "points:\n  id: bonus\n  value: 1\n  levels:\n    window: month\n    review: month\n";
    const std::string table = "    table:\n      - {name: member, from: 0}\n      - {name: silver, from: 100}\n      - {name: gold, from: 300}\n"
                              "rules:\n  - {id: sales_points, pay: {rate: 10%}, per: [participant, month], points: bonus}\n";
    const std::vector<event> ev = {person_sale("a", date(2027, 1, 10), "M1", "3500"), person_sale("b", date(2027, 2, 10), "M1", "1200")};
    // One level at a time, no grace: 01-31 up to gold (350 >= 300); the January review keeps it (350);
    // February's review: 120 < 300 -> silver from 03-01; March's: 0 < 100 -> member from 04-01.
    CHECK(levels_of(run(base + table, ev)) == std::vector<std::string>{"2027-01-31 M1 member->gold 350 2027-01",
                                                                        "2027-03-01 M1 gold->silver 120 2027-02",
                                                                        "2027-04-01 M1 silver->member 0 2027-03"});
    // Grace 1: the first review below is forgiven; February's miss counts once, March's moves down
    // one level (04-01), April's miss is the first at silver (forgiven), May's moves down (06-01).
    CHECK(levels_of(run(base + "    grace: 1\n" + table, ev)) == std::vector<std::string>{"2027-01-31 M1 member->gold 350 2027-01",
                                                                                           "2027-04-01 M1 gold->silver 0 2027-03",
                                                                                           "2027-06-01 M1 silver->member 0 2027-05"});
    // To the measure: with 50 points in February (a sale of 500), February's review moves gold
    // straight to the level 50 supports, member; one level at a time it would be silver first.
    const std::vector<event> low = {ev[0], person_sale("b", date(2027, 2, 10), "M1", "500")};
    CHECK(levels_of(run(base + "    downgrade: to_measure\n" + table, low)) ==
          std::vector<std::string>{"2027-01-31 M1 member->gold 350 2027-01", "2027-03-01 M1 gold->member 50 2027-02"});
    CHECK(levels_of(run(base + table, low)) == std::vector<std::string>{"2027-01-31 M1 member->gold 350 2027-01",
                                                                         "2027-03-01 M1 gold->silver 50 2027-02",
                                                                         "2027-04-01 M1 silver->member 0 2027-03"});
}

TEST_CASE("points levels: by a rule's measure (a person's monthly sales), multiplying the points earned at the level") {
    // silver from 5000 of sales over a rolling 12 months, counted from the measure of sales_points
    // (the person's monthly sales) on each month's last day: 3000 (01-31), 3000 + 2500 = 5500 (02-28):
    // silver from 02-28, after February's lot (250) is earned. March's 1000 of sales earn 100 x 1.5 = 150.
    const std::string yaml = "program: Levels\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-06-30}\n"
                             "points:\n  id: bonus\n  value: 1\n  levels:\n    measure: {rule: sales_points}\n"
                             "    window: {rolling_months: 12}\n    table:\n      - {name: member, from: 0}\n"
                             "      - {name: silver, from: 5000, multiplier: 1.5}\n"
                             "rules:\n  - {id: sales_points, pay: {rate: 10%}, per: [participant, month], points: bonus}\n";
    const result r = run(yaml, {person_sale("a", date(2027, 1, 10), "M1", "3000"), person_sale("b", date(2027, 2, 10), "M1", "2500"),
                                person_sale("c", date(2027, 3, 10), "M1", "1000")});
    CHECK(levels_of(r) == std::vector<std::string>{"2027-02-28 M1 member->silver 5500.00 2026-03-01..2027-02-28"});
    REQUIRE(r.points.size() == 3);
    CHECK(r.points[1].points.to_string() == "250");
    CHECK(r.points[2].points.to_string() == "150");
    CHECK(r.points[2].reason == "100 points x 1.5 at level silver");
    // Round trip of the levels through YAML.
    const program p = io::read_program(yaml, "levels.yaml");
    CHECK(io::read_program(io::write_program(p), "again.yaml") == p);
    // A levels measure naming an unknown rule is refused, with a suggestion.
    CHECK_THROWS_WITH_AS((void)io::read_program(replaced_first(yaml, "{rule: sales_points}", "{rule: sales_point}"), "bad.yaml"),
                         doctest::Contains("did you mean \"sales_points\""), validation_error);
}

TEST_CASE("points activity rewards: welcome on registration, birthdays (29 February declared), courses once per person") {
    // M1: born 1992-02-29, registered 2027-03-01; S1: born 1985-07-04, no registration date (always in);
    // M2: born 1980-01-15, registered 2027-02-01 (its 2027 birthday comes before it: no bonus).
    const catalog cat({{"P1", "Acme", "smb", "north", "eu", "gold", {}}, {"P2", "Beta", "smb", "south", "eu", "gold", {}}},
                      {{"M1", "P1", "manager", date(1992, 2, 29), {{"registered", "2027-03-01"}}},
                       {"S1", "P1", "specialist", date(1985, 7, 4), {}},
                       {"M2", "P2", "manager", date(1980, 1, 15), {{"registered", "2027-02-01"}}}},
                      {{"S100", "servers", {}}});
    auto yaml = [](const std::string& feb29) {
        return "program: Rewards\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n"
               "points:\n  id: bonus\n  value: 1\n  rewards:\n    welcome: 200\n    birthday: 100\n" +
               feb29 + "    course: 50\n    courses: {CERT: 300}\n" +
               "rules:\n  - {id: sales_points, pay: {rate: 10%}, per: [participant, month], points: bonus}\n";
    };
    auto course = [](std::string id, date on, std::string who, std::string name) {
        event e = step_row(std::move(id), "course_completed", on, who == "M2" ? "P2" : "P1", "0", "", {{"course", std::move(name)}});
        e.participants = {{std::move(who), decimal(1)}};
        return e;
    };
    const std::vector<event> ev = {course("c1", date(2027, 4, 1), "M1", "CERT"), course("c2", date(2027, 5, 1), "M1", "CERT"),
                                   course("c3", date(2027, 6, 1), "S1", "BASICS")};
    auto run_with = [&](const std::string& y) {
        engine e(io::read_program(y, "rewards.yaml"), cat);
        e.add(ev);
        return e.run({true, true});
    };
    // 29 February -> 28 February in 2027, before M1's registration: no birthday bonus for M1.
    const result feb28 = run_with(yaml(""));
    CHECK(entries(feb28) == std::vector<std::string>{"2027-02-01 earned M2 200 1 200/200", "2027-03-01 earned M1 200 2 200/200",
                                                     "2027-04-01 earned M1 300 3 500/500", "2027-05-01 refused M1 0 0 500/500",
                                                     "2027-06-01 earned S1 50 5 50/50", "2027-07-04 earned S1 100 6 150/150"});
    CHECK(feb28.points[3].reason == "course CERT was already rewarded to this person: once per course");
    CHECK(feb28.points[0].event == "welcome/M2");
    // -> 1 March: the day M1 registers, so it gets both (birthday/M1/2027 sorts before welcome/M1).
    const result mar1 = run_with(yaml("    feb29: mar1\n"));
    REQUIRE(mar1.points.size() == 7);
    CHECK(mar1.points[1].event == "birthday/M1/2027");
    CHECK(mar1.points[1].points.to_string() == "100");
    CHECK(mar1.points[2].event == "welcome/M1");
    // Round trip.
    const program p = io::read_program(yaml("    feb29: mar1\n"), "rewards.yaml");
    CHECK(io::read_program(io::write_program(p), "again.yaml") == p);
    // A course_completed needs its one participant and its course.
    engine e(p, cat);
    event bad = course("c9", date(2027, 4, 1), "M1", "");
    CHECK_THROWS_WITH_AS(e.add(std::vector<event>{bad}), doctest::Contains("field course: a course_completed names its course"), input_error);
}

TEST_CASE("points activity rewards: welcome of a partner, first-sale bonuses of people and partners, courses from the table") {
    // P1 registered 2027-02-01 (partner_welcome 500 to P1); M1 completed course CERT on 2027-03-05 by
    // the participants table (300 points), and again by an event on 2027-04-01 (refused: once). First
    // sales: M1 on 2027-01-20 (the 2027-01-25 sale is later), S1 on 2027-02-10, M2 none (its only sale
    // is before the program), P1 on 2027-01-20, P2 none. A split sale credits M1 and S1 both.
    const catalog cat({{"P1", "Acme", "smb", "north", "eu", "gold", {{"registered", "2027-02-01"}}},
                       {"P2", "Beta", "smb", "south", "eu", "gold", {}}},
                      {{"M1", "P1", "manager", {}, {{"certified.CERT", "2027-03-05"}}}, {"S1", "P1", "specialist", {}, {}},
                       {"M2", "P2", "manager", {}, {}}},
                      {{"S100", "servers", {}}});
    const std::string yaml = "program: Rewards\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n"
                             "points:\n  id: bonus\n  value: 1\n  rewards: {partner_welcome: 500, first_sale: 40, partner_first_sale: 70, "
                             "courses: {CERT: 300}}\n"
                             "rules:\n  - {id: rebate, pay: {rate: 1%}, per: [partner, quarter]}\n";
    event split = sale("s3", date(2027, 2, 10), "P1", "S100", 1, "100", {{"M1", decimal(1)}, {"S1", decimal(1)}});
    event course = step_row("c1", "course_completed", date(2027, 4, 1), "P1", "0", "", {{"course", "CERT"}});
    course.participants = {{"M1", decimal(1)}};
    std::vector<event> ev = {person_sale("s2", date(2027, 1, 25), "M1", "100"), split, person_sale("s1", date(2027, 1, 20), "M1", "100"),
                             person_sale("s0", date(2026, 12, 30), "M2", "100"), course};
    auto run_in = [&](std::vector<event> events, int batches) {
        engine e(io::read_program(yaml, "rewards.yaml"), cat);
        const std::size_t step = (events.size() + batches - 1) / batches;
        for (std::size_t i = 0; i < events.size(); i += step) {
            std::vector<event> part(events.begin() + i, events.begin() + std::min(events.size(), i + step));
            e.add(part);
            e = engine::restore(io::read_program(yaml, "rewards.yaml"), cat, e.snapshot());  // first sales survive a snapshot
        }
        return e.run({true, true});
    };
    const result r = run_in(ev, 1);
    // Same day, same kind: by id — first_sale/M1 < partner_first_sale/P1.
    CHECK(entries(r) == std::vector<std::string>{"2027-01-20 earned M1 40 1 40/40", "2027-01-20 earned P1 70 2 70/70",
                                                 "2027-02-01 earned P1 500 3 570/570", "2027-02-10 earned S1 40 4 40/40",
                                                 "2027-03-05 earned M1 300 5 340/340", "2027-04-01 refused M1 0 0 340/340"});
    CHECK(r.points[0].event == "first_sale/M1");
    CHECK(r.points[0].reason == "first-sale bonus: first sale on 2027-01-20");
    CHECK(r.points[2].event == "partner_welcome/P1");
    CHECK(r.points[4].event == "course/M1/CERT");
    // The input order and the batch split do not change it.
    std::reverse(ev.begin(), ev.end());
    CHECK(entries(run_in(ev, 3)) == entries(r));
    // Round trip.
    const program p = io::read_program(yaml, "rewards.yaml");
    CHECK(io::read_program(io::write_program(p), "again.yaml") == p);
    // A reward below zero is refused with its path.
    CHECK_THROWS_WITH_AS((void)io::read_program(yaml.substr(0, yaml.find("first_sale: 40")) + "first_sale: -1" +
                                                    yaml.substr(yaml.find("first_sale: 40") + 14),
                                                "rewards.yaml"),
                         doctest::Contains("points.rewards.first_sale"), validation_error);
}

TEST_CASE("certifications gate rules: sold while certified, per person on the sale's date, the partner when no one is credited") {
    // CERT is valid 12 months from completion, to the month's end: M1 completed it 2026-03-10 -> holds
    // through 2027-03-31; S1 completed it 2027-02-15 -> holds 2027-02-15 .. 2028-02-29; M2 never. P2 holds
    // it (a partner's own attribute) from 2027-01-01 with no end... within 12 months: through 2028-01-31.
    const catalog cat({{"P1", "Acme", "smb", "north", "eu", "gold", {}},
                       {"P2", "Beta", "smb", "south", "eu", "gold", {{"certified.CERT", "2027-01-01"}}}},
                      {{"M1", "P1", "manager", {}, {{"certified.CERT", "2026-03-10"}}},
                       {"S1", "P1", "specialist", {}, {{"certified.CERT", "2027-02-15"}}},
                       {"M2", "P2", "manager", {}, {}}},
                      {{"S100", "servers", {}}});
    const std::string yaml = "program: Gate\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n"
                             "certifications:\n  - {course: CERT, valid: {after: 12, unit: month, round_to: month}}\n"
                             "rules:\n"
                             "  - {id: certified_spiff, select: {certified: CERT}, pay: {rate: 10%}, per: [partner, year]}\n"
                             "  - {id: uncertified, select: {not: {certified: CERT}}, pay: {rate: 1%}, per: [partner, year]}\n";
    const std::vector<event> ev = {
        person_sale("a", date(2027, 3, 31), "M1", "1000"),   // M1 holds it on its last day: 10% -> 100
        person_sale("b", date(2027, 4, 1), "M1", "2000"),    // the day after: 1% -> 20
        person_sale("c", date(2027, 2, 14), "S1", "3000"),   // the day before S1 completes: 1% -> 30
        person_sale("d", date(2027, 2, 15), "S1", "4000"),   // the day S1 completes: 10% -> 400
        sale("e", date(2027, 3, 1), "P1", "S100", 1, "5000", {{"M1", decimal(1)}, {"S1", decimal(1)}}),  // both hold it: 500
        sale("f", date(2027, 5, 1), "P1", "S100", 1, "6000", {{"M1", decimal(1)}, {"S1", decimal(1)}}),  // M1 lapsed: 1% -> 60
        person_sale("g", date(2027, 6, 1), "M2", "7000"),    // M2 never certified, though P2 is: 1% -> 70
        sale("h", date(2027, 6, 1), "P2", "S100", 1, "8000"),  // no one credited: P2 holds it -> 800
    };
    engine e(io::read_program(yaml, "gate.yaml"), cat);
    e.add(ev);
    const result r = e.run();
    auto pay = [&](const std::string& rule, const std::string& partner) {
        for (const auto& l : r.lines)
            if (l.rule == rule && l.beneficiary == partner) return l.amount.to_string();
        return std::string("none");
    };
    CHECK(pay("certified_spiff", "P1") == "1000.00");  // 100 + 400 + 500
    CHECK(pay("uncertified", "P1") == "110.00");       // 20 + 30 + 60
    CHECK(pay("certified_spiff", "P2") == "800.00");
    CHECK(pay("uncertified", "P2") == "70.00");
    // Round trip, and the errors a typo gets.
    const program p = io::read_program(yaml, "gate.yaml");
    CHECK(io::read_program(io::write_program(p), "again.yaml") == p);
    std::string typo = yaml;
    typo.replace(typo.find("certified: CERT}"), 16, "certified: CERTT}");
    CHECK_THROWS_WITH_AS((void)io::read_program(typo, "gate.yaml"), doctest::Contains("did you mean \"CERT\""), validation_error);
    std::string key = yaml;
    key.replace(key.find("{certified: CERT}"), 17, "{certifed: CERT}");
    CHECK_THROWS_WITH_AS((void)io::read_program(key, "gate.yaml"), doctest::Contains("did you mean \"certified\""), error);
    // A completion date that is not a date names the person and the attribute.
    const catalog bad({{"P1", "Acme", "smb", "north", "eu", "gold", {}}},
                      {{"M1", "P1", "manager", {}, {{"certified.CERT", "March"}}}}, {{"S100", "servers", {}}});
    CHECK_THROWS_WITH_AS(engine(p, bad), doctest::Contains("participant \"M1\": attribute certified.CERT is \"March\""), input_error);
}
