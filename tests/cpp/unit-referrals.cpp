// Referral and affiliate attribution (engine/referrals.hpp, rules/referral.hpp): golden cases through
// the public engine API (a YAML program, a catalog, events as rows, engine.add, engine.run), one
// behaviour a case, every entry, line and statement computed by hand in the comments; the located
// errors of referral rows, the programs refused by validate, and the YAML round trip.
//
// The catalog: P1 and P2 always active, P3 active 2027-03-01 through 2027-06-30 (attributes
// active_from and active_until), M1 a person of P1. Programs run 2027-01-01 to 2027-12-31, lines per
// quarter unless said otherwise. Entries are compared as "kind customer partner day amount [until]"
// ("-" for none).
#include <doctest/doctest.h>

#include <incentives/incentives.hpp>
#include <incentives/io/yaml.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "engine_fixtures.hpp"

using namespace incentives;
using namespace fixtures;

namespace {

catalog referral_catalog(std::string p3_from = "2027-03-01") {
    return catalog({{"P1", "Acme", "smb", "north", "eu", "gold", {}},
                    {"P2", "Beta", "smb", "south", "eu", "gold", {}},
                    {"P3", "Core", "smb", "south", "eu", "gold", {{"active_from", std::move(p3_from)}, {"active_until", "2027-06-30"}}}},
                   {{"M1", "P1", "manager", {}, {}}}, {{"S100", "servers", {}}});
}

constexpr const char* program_head = "program: Referrals\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n";
constexpr const char* cash_rule = "rules:\n  - {id: rebate, pay: {rate: 1%}, per: [partner, quarter]}\n";

/// A program with the referral programs `referrals` (YAML list items) and a 1% rebate on sales;
/// `extra` goes before them (rounding, funds).
std::string program_with(const std::string& referrals, const std::string& extra = "") {
    return program_head + extra + "referrals:\n" + referrals + cash_rule;
}

/// One referral program (the inside of its flow mapping), id "referrals".
std::string one(const std::string& settings) { return program_with("  - {id: referrals, " + settings + "}\n"); }

/// `text` with its first `what` replaced by `by`.
std::string replaced(std::string text, const std::string& what, const std::string& by) {
    return text.replace(text.find(what), what.size(), by);
}

event touch(std::string id, date on, std::string partner, std::string customer) {
    return step_row(std::move(id), "touch", on, std::move(partner), "0", "", {{"customer", std::move(customer)}, {"channel", "click"}});
}
/// A conversion: `code` names a partner (a referral code), which also counts as its touch that day.
event conversion(std::string id, const char* kind_name, date on, std::string customer, const char* amount = "0", std::string code = "") {
    return step_row(std::move(id), kind_name, on, std::move(code), amount, "", {{"customer", std::move(customer)}});
}
event signup(std::string id, date on, std::string customer, std::string code = "") {
    return conversion(std::move(id), "signup", on, std::move(customer), "0", std::move(code));
}
event payment(std::string id, date on, std::string customer, const char* amount) {
    return conversion(std::move(id), "payment", on, std::move(customer), amount);
}
event refund(std::string id, date on, std::string of, const char* amount, std::string customer = "") {
    event e = step_row(std::move(id), "refund", on, "", amount, std::move(of));
    if (!customer.empty()) e.attrs["customer"] = std::move(customer);
    return e;
}
event for_program(event e, std::string referral) {
    e.attrs["referral"] = std::move(referral);
    return e;
}

/// What calling `f` comes to: "ran", the what() of the incentives::error it throws ("[code] message"),
/// or "a bare std::exception: " and its what().
template <class F>
std::string outcome_of(F&& f) {
    try {
        f();
    } catch (const incentives::error& err) {
        return err.what();
    } catch (const std::exception& err) {
        return std::string("a bare std::exception: ") + err.what();
    }
    return "ran";
}

/// What building an engine for the program `yaml` comes to (outcome_of).
std::string built(const std::string& yaml, catalog cat = referral_catalog()) {
    return outcome_of([&] { engine e(io::read_program(yaml), std::move(cat)); });
}

/// An engine for 10% of each customer's first payment (windows of 30 days) that has P1's touch of
/// C1 on 01-05 and C1's payment of 100.00 on 01-10.
engine paid_once() {
    engine e(io::read_program(one("window: {days: 30}, bounty: {rate: 10%}")), referral_catalog());
    e.add(std::vector<event>{touch("T1", date(2027, 1, 5), "P1", "C1"), payment("pay1", date(2027, 1, 10), "C1", "100.00")});
    return e;
}

result run_referrals(const std::string& yaml, const std::vector<event>& events) {
    engine e(io::read_program(yaml), referral_catalog());
    e.add(events);
    return e.run();
}

/// Lines of text, printed one a line when a check fails.
struct strings : std::vector<std::string> {
    using std::vector<std::string>::vector;
    friend bool operator==(const strings&, const strings&) = default;
    friend std::ostream& operator<<(std::ostream& o, const strings& s) {
        for (const auto& x : s) o << "\n    " << x;
        return o;
    }
};

strings story(const result& r) {
    strings out;
    for (const auto& x : r.referrals)
        out.push_back(std::string(to_string(x.kind)) + " " + (x.customer.empty() ? "-" : x.customer) + " " +
                      (x.partner.empty() ? "-" : x.partner) + " " + x.on.to_string() + " " + x.amount.to_string() +
                      (x.until ? " until " + x.until->to_string() : ""));
    return out;
}

/// "rule partner period kind amount" per line, in the result's order.
strings lines(const result& r) {
    strings out;
    for (const auto& l : r.lines)
        out.push_back(l.rule + " " + l.beneficiary + " " + l.period + " " + std::string(to_string(l.kind)) + " " + l.amount.to_string());
    return out;
}

strings statements(const result& r) {
    strings out;
    for (const auto& s : r.statements) out.push_back(s.beneficiary + " " + s.period + " " + s.amount.to_string());
    return out;
}

}  // namespace

TEST_CASE("referrals: the last or the first touch wins between two partners; a code counts as a touch") {
    // C1 is touched by P1 on 01-10 and by P2 on 01-20 (both windows of 30 days open on 01-25); C2 is
    // touched by P1 on 02-01 and signs up with P2's code on 02-10 (P2's touch that day); C3 is touched
    // by P2 ("Ta") and P1 ("Tb") on the same day, 03-01: ties on a day go by touch id.
    const std::vector<event> events = {
        touch("T1", date(2027, 1, 10), "P1", "C1"), touch("T2", date(2027, 1, 20), "P2", "C1"), signup("S1", date(2027, 1, 25), "C1"),
        payment("pay1", date(2027, 2, 1), "C1", "100.00"), touch("T3", date(2027, 2, 1), "P1", "C2"),
        signup("S2", date(2027, 2, 10), "C2", "P2"), touch("Tb", date(2027, 3, 1), "P1", "C3"), touch("Ta", date(2027, 3, 1), "P2", "C3"),
        signup("S3", date(2027, 3, 5), "C3"),
    };
    SUBCASE("last") {
        auto r = run_referrals(one("window: {days: 30}, wins: last, bounty: {per_customer: 36}"), events);
        CHECK(story(r) == strings{
                              "attributed C1 P2 2027-01-25 0.00",               // the first conversion decides
                              "earned C1 P2 2027-02-01 36.00 until 2027-02-01",  // per customer, on the first payment; no hold
                              "released C1 P2 2027-02-01 36.00",
                              "attributed C2 P2 2027-02-10 0.00",                // P2's code on 02-10 is the last touch
                              "attributed C3 P1 2027-03-05 0.00",                // "Tb" after "Ta"
                          });
        REQUIRE(r.referrals.size() == 5);
        CHECK(r.referrals[0].reason == "last touch \"T2\" of 2027-01-20 by partner P2, within the 30-day window; also in the window: P1");
        CHECK(r.referrals[0].touch == "T2");
        CHECK(r.referrals[0].event == "S1");
        CHECK(r.referrals[0].referral == "referrals");
        CHECK(r.referrals[2].reverses == r.referrals[1].number);
        CHECK(r.referrals[2].event == "pay1");
        CHECK(r.referrals[3].touch == "S2");
        CHECK(r.referrals[4].reason == "last touch \"Tb\" of 2027-03-01 by partner P1, within the 30-day window; also in the window: P2");
        CHECK(lines(r) == strings{"referrals P2 2027-Q1 accrual 36.00"});
        CHECK(statements(r) == strings{"P2 2027-Q1 36.00"});
    }
    SUBCASE("first") {
        auto r = run_referrals(one("window: {days: 30}, wins: first, bounty: {per_customer: 36}"), events);
        CHECK(story(r) == strings{
                              "attributed C1 P1 2027-01-25 0.00",
                              "earned C1 P1 2027-02-01 36.00 until 2027-02-01",
                              "released C1 P1 2027-02-01 36.00",
                              "attributed C2 P1 2027-02-10 0.00",  // P1's touch of 02-01 came first
                              "attributed C3 P2 2027-03-05 0.00",  // "Ta" before "Tb"
                          });
        REQUIRE(r.referrals.size() == 5);
        CHECK(r.referrals[0].reason == "first touch \"T1\" of 2027-01-10 by partner P1, within the 30-day window; also in the window: P2");
        CHECK(r.referrals[3].touch == "T3");
        CHECK(r.referrals[4].touch == "Ta");
        CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 36.00"});
        CHECK(statements(r) == strings{"P1 2027-Q1 36.00"});
    }
}

TEST_CASE("referrals: a restarting window changes who wins; a touch after the window closed opens a new one") {
    // Windows of 30 days, the first touch wins, 10 per sign-up.
    //   C1: P1 01-01 and 01-25, P2 01-20, sign-up 02-15. Without restart P1's window runs 01-01 + 30 =
    //       01-31 (01-25 falls inside it and does not move it): P2 (01-20 + 30 = 02-19) wins. With
    //       restart it runs 01-25 + 30 = 02-24, opened 01-01, before P2's 01-20: P1 wins.
    //   C2: P1 01-01 and 02-10 (after 01-31: a new window, opened 02-10), sign-up 03-05 <= 02-10 + 30
    //       = 03-12: P1 by its touch of 02-10 either way.
    //   C3: P1 04-01 and 04-20, sign-up 05-05: without restart the window ended 04-01 + 30 = 05-01, so
    //       no partner; with restart it runs to 04-20 + 30 = 05-20: P1.
    //   C4: P1 01-01, 01-25 and 02-20, sign-up 03-01: without restart 02-20 is after 01-31 and opens a
    //       new window, the first touch is T10; with restart 02-20 <= 01-25 + 30 = 02-24 keeps the
    //       window opened by T8 open.
    const std::vector<event> events = {
        touch("T1", date(2027, 1, 1), "P1", "C1"),  touch("T2", date(2027, 1, 20), "P2", "C1"), touch("T3", date(2027, 1, 25), "P1", "C1"),
        signup("S1", date(2027, 2, 15), "C1"),      touch("T4", date(2027, 1, 1), "P1", "C2"),  touch("T5", date(2027, 2, 10), "P1", "C2"),
        signup("S2", date(2027, 3, 5), "C2"),       touch("T6", date(2027, 4, 1), "P1", "C3"),  touch("T7", date(2027, 4, 20), "P1", "C3"),
        signup("S3", date(2027, 5, 5), "C3"),       touch("T8", date(2027, 1, 1), "P1", "C4"),  touch("T9", date(2027, 1, 25), "P1", "C4"),
        touch("T10", date(2027, 2, 20), "P1", "C4"), signup("S4", date(2027, 3, 1), "C4"),
    };
    SUBCASE("no restart") {
        auto r = run_referrals(one("window: {days: 30}, wins: first, bounty: {per_signup: 10}"), events);
        CHECK(story(r) == strings{
                              "attributed C1 P2 2027-02-15 0.00",
                              "earned C1 P2 2027-02-15 10.00 until 2027-02-15",
                              "released C1 P2 2027-02-15 10.00",
                              "attributed C4 P1 2027-03-01 0.00",
                              "earned C4 P1 2027-03-01 10.00 until 2027-03-01",
                              "released C4 P1 2027-03-01 10.00",
                              "attributed C2 P1 2027-03-05 0.00",
                              "earned C2 P1 2027-03-05 10.00 until 2027-03-05",
                              "released C2 P1 2027-03-05 10.00",
                              "unattributed C3 - 2027-05-05 0.00",
                          });
        REQUIRE(r.referrals.size() == 10);
        CHECK(r.referrals[0].reason == "first touch \"T2\" of 2027-01-20 by partner P2, within the 30-day window; left out: P1's window ended 2027-01-31");
        CHECK(r.referrals[3].touch == "T10");
        CHECK(r.referrals[6].touch == "T5");
        CHECK(r.referrals[9].reason == "no partner's touch within 30 days counts; left out: P1's window ended 2027-05-01");
        // P1: C4 10 + C2 10 = 20.00; P2: C1 10.00.
        CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 20.00", "referrals P2 2027-Q1 accrual 10.00"});
    }
    SUBCASE("restart") {
        auto r = run_referrals(one("window: {days: 30}, wins: first, restart: true, bounty: {per_signup: 10}"), events);
        CHECK(story(r) == strings{
                              "attributed C1 P1 2027-02-15 0.00",
                              "earned C1 P1 2027-02-15 10.00 until 2027-02-15",
                              "released C1 P1 2027-02-15 10.00",
                              "attributed C4 P1 2027-03-01 0.00",
                              "earned C4 P1 2027-03-01 10.00 until 2027-03-01",
                              "released C4 P1 2027-03-01 10.00",
                              "attributed C2 P1 2027-03-05 0.00",
                              "earned C2 P1 2027-03-05 10.00 until 2027-03-05",
                              "released C2 P1 2027-03-05 10.00",
                              "attributed C3 P1 2027-05-05 0.00",
                              "earned C3 P1 2027-05-05 10.00 until 2027-05-05",
                              "released C3 P1 2027-05-05 10.00",
                          });
        REQUIRE(r.referrals.size() == 12);
        CHECK(r.referrals[0].reason == "first touch \"T1\" of 2027-01-01 by partner P1, within the 30-day window; also in the window: P2");
        CHECK(r.referrals[0].touch == "T1");
        CHECK(r.referrals[3].touch == "T8");
        CHECK(r.referrals[6].touch == "T5");
        CHECK(r.referrals[9].touch == "T6");  // the window opened 04-01 still counts as the first touch
        // P1: C1 10 + C4 10 + C2 10 = 30.00 in Q1, C3 10.00 in Q2.
        CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 30.00", "referrals P1 2027-Q2 accrual 10.00"});
        CHECK(statements(r) == strings{"P1 2027-Q1 30.00", "P1 2027-Q2 10.00"});
    }
}

TEST_CASE("referrals: a touch counts through its window's last day, not the day after") {
    // Windows of 30 days, 10 per sign-up. C1: P1 06-01, sign-up 07-01 = 06-01 + 30, the last day: P1.
    // C2: P2 06-01, sign-up 07-02: nobody. A conversion on the touch's own day counts (C3, 1-day window).
    const std::vector<event> events = {
        touch("T1", date(2027, 6, 1), "P1", "C1"), signup("S1", date(2027, 7, 1), "C1"),
        touch("T2", date(2027, 6, 1), "P2", "C2"), signup("S2", date(2027, 7, 2), "C2"),
    };
    auto r = run_referrals(one("window: {days: 30}, bounty: {per_signup: 10}"), events);
    CHECK(story(r) == strings{
                          "attributed C1 P1 2027-07-01 0.00",
                          "earned C1 P1 2027-07-01 10.00 until 2027-07-01",
                          "released C1 P1 2027-07-01 10.00",
                          "unattributed C2 - 2027-07-02 0.00",
                      });
    REQUIRE(r.referrals.size() == 4);
    CHECK(r.referrals[0].reason == "last touch \"T1\" of 2027-06-01 by partner P1, within the 30-day window");
    CHECK(r.referrals[3].reason == "no partner's touch within 30 days counts; left out: P2's window ended 2027-07-01");
    r = run_referrals(one("window: {days: 1}, bounty: {per_signup: 10}"),
                      {touch("T3", date(2027, 6, 1), "P1", "C3"), signup("S3", date(2027, 6, 1), "C3")});
    CHECK(story(r).front() == "attributed C3 P1 2027-06-01 0.00");
}

TEST_CASE("referrals: lock binds the customer to its first counted touch for good") {
    // Windows of 30 days, the last touch wins, 10 per sign-up.
    //   C1: P1 01-05, P2 03-01, sign-up 03-10. Locked: P1, although its window ended 01-05 + 30 =
    //       02-04 and P2 touched last. Not locked: P2.
    //   C2: P3 01-10 (P3 is active from 03-01), P1 01-15, sign-up 01-20. Locked to P3, which is not
    //       active on 01-20: no partner. Not locked: P1 (P3 left out).
    const std::vector<event> events = {
        touch("T1", date(2027, 1, 5), "P1", "C1"),  touch("T2", date(2027, 3, 1), "P2", "C1"), signup("S1", date(2027, 3, 10), "C1"),
        touch("T5", date(2027, 1, 10), "P3", "C2"), touch("T6", date(2027, 1, 15), "P1", "C2"), signup("S2", date(2027, 1, 20), "C2"),
    };
    SUBCASE("lock") {
        auto r = run_referrals(one("window: {days: 30}, wins: last, lock: true, bounty: {per_signup: 10}"), events);
        CHECK(story(r) == strings{
                              "unattributed C2 - 2027-01-20 0.00",
                              "attributed C1 P1 2027-03-10 0.00",
                              "earned C1 P1 2027-03-10 10.00 until 2027-03-10",
                              "released C1 P1 2027-03-10 10.00",
                          });
        REQUIRE(r.referrals.size() == 4);
        CHECK(r.referrals[0].reason ==
              "locked to partner P3 by its touch \"T5\" of 2027-01-10, but partner P3 is not active on that day (from 2027-03-01 until 2027-06-30)");
        CHECK(r.referrals[1].reason == "locked to partner P1 by its first touch of 2027-01-05");
        CHECK(r.referrals[1].touch == "T1");
        CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 10.00"});
    }
    SUBCASE("no lock") {
        auto r = run_referrals(one("window: {days: 30}, wins: last, bounty: {per_signup: 10}"), events);
        CHECK(story(r) == strings{
                              "attributed C2 P1 2027-01-20 0.00",
                              "earned C2 P1 2027-01-20 10.00 until 2027-01-20",
                              "released C2 P1 2027-01-20 10.00",
                              "attributed C1 P2 2027-03-10 0.00",
                              "earned C1 P2 2027-03-10 10.00 until 2027-03-10",
                              "released C1 P2 2027-03-10 10.00",
                          });
        REQUIRE(r.referrals.size() == 6);
        CHECK(r.referrals[0].reason ==
              "last touch \"T6\" of 2027-01-15 by partner P1, within the 30-day window; left out: partner P3 is not active on that day "
              "(from 2027-03-01 until 2027-06-30)");
        CHECK(r.referrals[3].reason == "last touch \"T2\" of 2027-03-01 by partner P2, within the 30-day window; left out: P1's window ended 2027-02-04");
        CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 10.00", "referrals P2 2027-Q1 accrual 10.00"});
    }
}

TEST_CASE("referrals: self-referral touches are ignored, unless allowed") {
    // The first touch wins, 10 per sign-up. P1 touches customer "P1" (itself) and "M1" (its own
    // person) on 01-05; P2 touches M1 on 01-06; "P2" signs up with its own code on 01-12.
    const std::vector<event> events = {
        touch("T1", date(2027, 1, 5), "P1", "P1"), touch("T2", date(2027, 1, 5), "P1", "M1"), touch("T3", date(2027, 1, 6), "P2", "M1"),
        signup("S1", date(2027, 1, 10), "P1"),     signup("S2", date(2027, 1, 10), "M1"),     signup("S3", date(2027, 1, 12), "P2", "P2"),
    };
    SUBCASE("excluded (the default)") {
        auto r = run_referrals(one("window: {days: 30}, wins: first, bounty: {per_signup: 10}"), events);
        CHECK(story(r) == strings{
                              "ignored P1 P1 2027-01-05 0.00",
                              "ignored M1 P1 2027-01-05 0.00",
                              "unattributed P1 - 2027-01-10 0.00",  // its only touch was ignored
                              "attributed M1 P2 2027-01-10 0.00",   // P1's touch was ignored: P2's is the first
                              "earned M1 P2 2027-01-10 10.00 until 2027-01-10",
                              "released M1 P2 2027-01-10 10.00",
                              "ignored P2 P2 2027-01-12 0.00",      // its own code
                              "unattributed P2 - 2027-01-12 0.00",
                          });
        REQUIRE(r.referrals.size() == 8);
        CHECK(r.referrals[0].reason == "a self-referral: customer \"P1\" is partner P1");
        CHECK(r.referrals[0].event == "T1");
        CHECK(r.referrals[1].reason == "a self-referral: customer \"M1\" is partner P1's own person");
        CHECK(r.referrals[2].reason == "no partner touched the customer before its first conversion");
        CHECK(r.referrals[3].reason == "first touch \"T3\" of 2027-01-06 by partner P2, within the 30-day window");
        CHECK(r.referrals[6].event == "S3");
        CHECK(lines(r) == strings{"referrals P2 2027-Q1 accrual 10.00"});
    }
    SUBCASE("allowed") {
        auto r = run_referrals(one("window: {days: 30}, wins: first, self_referrals: allow, bounty: {per_signup: 10}"), events);
        CHECK(story(r) == strings{
                              "attributed P1 P1 2027-01-10 0.00",
                              "earned P1 P1 2027-01-10 10.00 until 2027-01-10",
                              "released P1 P1 2027-01-10 10.00",
                              "attributed M1 P1 2027-01-10 0.00",
                              "earned M1 P1 2027-01-10 10.00 until 2027-01-10",
                              "released M1 P1 2027-01-10 10.00",
                              "attributed P2 P2 2027-01-12 0.00",
                              "earned P2 P2 2027-01-12 10.00 until 2027-01-12",
                              "released P2 P2 2027-01-12 10.00",
                          });
        REQUIRE(r.referrals.size() == 9);
        CHECK(r.referrals[3].reason == "first touch \"T2\" of 2027-01-05 by partner P1, within the 30-day window; also in the window: P2");
        CHECK(r.referrals[6].touch == "S3");
        // P1: 10 + 10 = 20.00; P2: 10.00.
        CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 20.00", "referrals P2 2027-Q1 accrual 10.00"});
    }
}

TEST_CASE("referrals: partners outside active_from..active_until are left out, unless allowed") {
    // P3 is active 2027-03-01 through 2027-06-30; the last touch wins; 10 per sign-up.
    //   C1: P1 02-01, P3 02-20, sign-up 02-25 (P3 not active yet): P1. Allowed: P3.
    //   C2: P3 06-20, sign-up 07-05 (P3 no longer active): nobody. Allowed: P3.
    //   C3: P3 03-01, sign-up 03-01, its first active day: P3 either way.
    const std::vector<event> events = {
        touch("T1", date(2027, 2, 1), "P1", "C1"),  touch("T2", date(2027, 2, 20), "P3", "C1"), signup("S1", date(2027, 2, 25), "C1"),
        touch("T3", date(2027, 6, 20), "P3", "C2"), signup("S2", date(2027, 7, 5), "C2"),       touch("T4", date(2027, 3, 1), "P3", "C3"),
        signup("S3", date(2027, 3, 1), "C3"),
    };
    const std::string inactive = "partner P3 is not active on that day (from 2027-03-01 until 2027-06-30)";
    SUBCASE("excluded (the default)") {
        auto r = run_referrals(one("window: {days: 30}, wins: last, bounty: {per_signup: 10}"), events);
        CHECK(story(r) == strings{
                              "attributed C1 P1 2027-02-25 0.00",
                              "earned C1 P1 2027-02-25 10.00 until 2027-02-25",
                              "released C1 P1 2027-02-25 10.00",
                              "attributed C3 P3 2027-03-01 0.00",
                              "earned C3 P3 2027-03-01 10.00 until 2027-03-01",
                              "released C3 P3 2027-03-01 10.00",
                              "unattributed C2 - 2027-07-05 0.00",
                          });
        REQUIRE(r.referrals.size() == 7);
        CHECK(r.referrals[0].reason == "last touch \"T1\" of 2027-02-01 by partner P1, within the 30-day window; left out: " + inactive);
        CHECK(r.referrals[6].reason == "no partner's touch within 30 days counts; left out: " + inactive);
        CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 10.00", "referrals P3 2027-Q1 accrual 10.00"});
    }
    SUBCASE("allowed") {
        auto r = run_referrals(one("window: {days: 30}, wins: last, inactive_partners: allow, bounty: {per_signup: 10}"), events);
        CHECK(story(r) == strings{
                              "attributed C1 P3 2027-02-25 0.00",
                              "earned C1 P3 2027-02-25 10.00 until 2027-02-25",
                              "released C1 P3 2027-02-25 10.00",
                              "attributed C3 P3 2027-03-01 0.00",
                              "earned C3 P3 2027-03-01 10.00 until 2027-03-01",
                              "released C3 P3 2027-03-01 10.00",
                              "attributed C2 P3 2027-07-05 0.00",
                              "earned C2 P3 2027-07-05 10.00 until 2027-07-05",
                              "released C2 P3 2027-07-05 10.00",
                          });
        REQUIRE(r.referrals.size() == 9);
        CHECK(r.referrals[0].reason == "last touch \"T2\" of 2027-02-20 by partner P3, within the 30-day window; also in the window: P1");
        // P3: C1 10 + C3 10 = 20.00 in Q1, C2 10.00 in Q3.
        CHECK(lines(r) == strings{"referrals P3 2027-Q1 accrual 20.00", "referrals P3 2027-Q3 accrual 10.00"});
    }
}

TEST_CASE("referrals: a refund while held cancels the bounty, after the hold claws it back") {
    // 10% of each payment, held 30 days: earned on day d, held through d + 29, released on d + 30.
    //   C1 (P1): pay1 1000.00 on 03-01 earns 100.00, held through 03-30. R1 refunds 200.00 on 03-15:
    //       10% of 800.00 = 80.00, so 20.00 of the held bounty is cancelled; 80.00 released 03-31.
    //       R2 refunds 300.00 on 04-10: 10% of 500.00 = 50.00, 30.00 clawed back (in Q2, the refund's).
    //   C2 (P2): pay2 500.00 on 05-01 earns 50.00; R3 refunds all of it on 05-10: all cancelled, no line.
    //   C3 (P1): pay3 100.00 on 06-01 earns 10.00, held through 06-30. R4 refunds 50.00 on 06-30 (the
    //       last held day): 5.00 cancelled. R5 refunds 10.00 on 07-01: 5.00 is released first (that
    //       day), then 10% of 40.00 = 4.00 leaves 1.00 to claw back (in Q3). The release is paid in
    //       the period of the day it was earned (06-01, Q2), not of the release (07-01).
    const std::vector<event> events = {
        touch("T1", date(2027, 2, 20), "P1", "C1"),         payment("pay1", date(2027, 3, 1), "C1", "1000.00"),
        refund("R1", date(2027, 3, 15), "pay1", "200.00"),  refund("R2", date(2027, 4, 10), "pay1", "300.00", "C1"),
        touch("T2", date(2027, 4, 20), "P2", "C2"),         payment("pay2", date(2027, 5, 1), "C2", "500.00"),
        refund("R3", date(2027, 5, 10), "pay2", "500.00"),  touch("T3", date(2027, 6, 1), "P1", "C3"),
        payment("pay3", date(2027, 6, 1), "C3", "100.00"),  refund("R4", date(2027, 6, 30), "pay3", "50.00"),
        refund("R5", date(2027, 7, 1), "pay3", "10.00"),
    };
    auto r = run_referrals(one("window: {days: 30}, bounty: {rate: 10%}, hold: {days: 30}"), events);
    CHECK(story(r) == strings{
                          "attributed C1 P1 2027-03-01 0.00",
                          "earned C1 P1 2027-03-01 100.00 until 2027-03-30",
                          "cancelled C1 P1 2027-03-15 -20.00",
                          "released C1 P1 2027-03-31 80.00",
                          "clawback C1 P1 2027-04-10 -30.00",
                          "attributed C2 P2 2027-05-01 0.00",
                          "earned C2 P2 2027-05-01 50.00 until 2027-05-30",
                          "cancelled C2 P2 2027-05-10 -50.00",  // nothing left to release on 05-31
                          "attributed C3 P1 2027-06-01 0.00",
                          "earned C3 P1 2027-06-01 10.00 until 2027-06-30",
                          "cancelled C3 P1 2027-06-30 -5.00",
                          "released C3 P1 2027-07-01 5.00",
                          "clawback C3 P1 2027-07-01 -1.00",
                      });
    REQUIRE(r.referrals.size() == 13);
    CHECK(r.referrals[2].reverses == r.referrals[1].number);
    CHECK(r.referrals[2].event == "R1");
    CHECK(r.referrals[2].reason == "refunded while held: not paid");
    CHECK(r.referrals[3].reverses == r.referrals[1].number);
    CHECK(r.referrals[3].event == "pay1");
    CHECK(r.referrals[3].reason == "held 30 days without a refund: paid");
    CHECK(r.referrals[4].event == "R2");
    CHECK(r.referrals[4].reverses == r.referrals[1].number);
    CHECK(r.referrals[12].reverses == r.referrals[9].number);
    CHECK(r.referrals[4].reason == "refunded after the hold: taken back");
    CHECK(r.referrals[1].reason == "bounty on payment \"pay1\"");
    // P1: Q1 80.00; Q2 5.00 (C3's payment of 06-01) and a clawback of -30.00; Q3 a clawback of -1.00.
    CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 80.00", "referrals P1 2027-Q2 accrual 5.00", "referrals P1 2027-Q2 clawback -30.00",
                              "referrals P1 2027-Q3 clawback -1.00"});
    CHECK(statements(r) == strings{"P1 2027-Q1 80.00", "P1 2027-Q2 -25.00", "P1 2027-Q3 -1.00"});
    const auto* q1 = find(r, "referrals", "P1", "2027-Q1");
    REQUIRE(q1);
    CHECK(q1->why->note == "C1 80.00");
}

TEST_CASE("referrals: a rate is rounded per payment with the program's rounding mode, partial refunds too") {
    // 15% of each payment within 1 month of the first, no hold.
    //   pay1 10.30 on 01-10: 15% = 1.545 -> half_even 1.54, half_up 1.55.
    //   pay2 10.30 on 01-20 (before 01-10 + 1 month = 02-10): the same again. Rounded per payment: 3.08
    //       (half_even), not 15% of 20.60 = 3.09.
    //   R1 refunds 0.40 of pay1 on 02-01: 15% of 9.90 = 1.485 -> half_even 1.48, half_up 1.49: 0.06
    //       clawed back either way.
    //   pay3 10.00 on 02-10: not before 02-10, not counted.
    const std::vector<event> events = {
        touch("T1", date(2027, 1, 5), "P1", "C1"),        payment("pay1", date(2027, 1, 10), "C1", "10.30"),
        payment("pay2", date(2027, 1, 20), "C1", "10.30"), refund("R1", date(2027, 2, 1), "pay1", "0.40"),
        payment("pay3", date(2027, 2, 10), "C1", "10.00"),
    };
    const std::string referral = "  - {id: referrals, window: {days: 30}, bounty: {rate: 15%, months: 1}}\n";
    auto story_with = [](const char* first, const char* refunded) {
        return strings{
            "attributed C1 P1 2027-01-10 0.00",
            std::string("earned C1 P1 2027-01-10 ") + first + " until 2027-01-10",
            std::string("released C1 P1 2027-01-10 ") + first,
            std::string("earned C1 P1 2027-01-20 ") + first + " until 2027-01-20",
            std::string("released C1 P1 2027-01-20 ") + first,
            std::string("clawback C1 P1 2027-02-01 ") + refunded,
            "not_qualified C1 P1 2027-02-10 0.00",
        };
    };
    SUBCASE("half_even (the default)") {
        auto r = run_referrals(program_with(referral), events);
        CHECK(story(r) == story_with("1.54", "-0.06"));
        REQUIRE(r.referrals.size() == 7);
        CHECK(r.referrals[6].reason == "paid after the 1 months counted from the first payment of 2027-01-10");
        // 1.54 + 1.54 = 3.08; -0.06; statement 3.02.
        CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 3.08", "referrals P1 2027-Q1 clawback -0.06"});
        CHECK(statements(r) == strings{"P1 2027-Q1 3.02"});
    }
    SUBCASE("half_up") {
        auto r = run_referrals(program_with(referral, "rounding: {mode: half_up}\n"), events);
        CHECK(story(r) == story_with("1.55", "-0.06"));
        // 1.55 + 1.55 = 3.10; 1.55 - 1.49 = 0.06 back; statement 3.04.
        CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 3.10", "referrals P1 2027-Q1 clawback -0.06"});
        CHECK(statements(r) == strings{"P1 2027-Q1 3.04"});
    }
}

TEST_CASE("referrals: bounties are rounded to the currency's minor units, whatever the amount places") {
    SUBCASE("JPY (no minor units)") {
        // 15% of pay1 1030 = 154.5 -> 154 (half_even); R1 refunds 10: 15% of 1020 = 153, 1 clawed back.
        const std::string yaml = replaced(one("window: {days: 30}, bounty: {rate: 15%}"), "EUR", "JPY");
        const auto r = run_referrals(yaml, {touch("T1", date(2027, 1, 5), "P1", "C1"), payment("pay1", date(2027, 1, 10), "C1", "1030"),
                                            refund("R1", date(2027, 1, 20), "pay1", "10")});
        CHECK(story(r) == strings{"attributed C1 P1 2027-01-10 0", "earned C1 P1 2027-01-10 154 until 2027-01-10", "released C1 P1 2027-01-10 154",
                                  "clawback C1 P1 2027-01-20 -1"});
        CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 154", "referrals P1 2027-Q1 clawback -1"});
    }
    SUBCASE("EUR amounts with 4 places") {
        // 15% of each payment within a month of the first. pay1 10.0030: 1.50045 -> 1.50; pay2 0.1000:
        // 0.015 -> 0.02 (a tie, to the even cent); R1 refunds 0.0001 of pay2: 15% of 0.0999 = 0.014985
        // -> 0.01, 0.01 clawed back.
        const auto r = run_referrals(program_with("  - {id: referrals, window: {days: 30}, bounty: {rate: 15%, months: 1}}\n", "places: {amount: 4}\n"),
                                     {touch("T1", date(2027, 1, 5), "P1", "C1"), payment("pay1", date(2027, 1, 10), "C1", "10.0030"),
                                      payment("pay2", date(2027, 1, 11), "C1", "0.1000"), refund("R1", date(2027, 1, 20), "pay2", "0.0001")});
        CHECK(story(r) == strings{"attributed C1 P1 2027-01-10 0.00", "earned C1 P1 2027-01-10 1.50 until 2027-01-10",
                                  "released C1 P1 2027-01-10 1.50", "earned C1 P1 2027-01-11 0.02 until 2027-01-11",
                                  "released C1 P1 2027-01-11 0.02", "clawback C1 P1 2027-01-20 -0.01"});
        // 1.50 + 0.02 = 1.52; -0.01; statement 1.51.
        CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 1.52", "referrals P1 2027-Q1 clawback -0.01"});
        CHECK(statements(r) == strings{"P1 2027-Q1 1.51"});
    }
}

TEST_CASE("referrals: a minimum spend over months (AWS-style), earned on the qualifying day, lost and regained by refunds") {
    // 15% of the payments within 12 months of the first, once they total at least 36000 (net of
    // refunds); held 30 days. P1 touched C1 on 01-05 (locked, the first touch wins).
    //   pay1 20000.00 02-01, pay2 10000.00 03-01: 20000 and 30000 < 36000, not qualified.
    //   pay3 8000.00 05-10: 38000 >= 36000, qualified: 15% of 20000 = 3000.00, of 10000 = 1500.00, of
    //       8000 = 1200.00, all earned on 05-10, held through 06-08 (05-10 + 30 = 06-09).
    //   R1 refunds 2000.00 of pay3 on 05-20: 36000, still qualified; pay3 15% of 6000 = 900.00, so
    //       300.00 is cancelled. 06-09: 3000.00, 1500.00 and 900.00 released.
    //   R2 refunds 1000.00 of pay2 on 07-01: 35000 < 36000, no longer qualified: everything is
    //       clawed back (-3000.00, -1500.00, -900.00 = -5400.00, in Q3).
    //   pay4 2000.00 08-01: 37000, qualified again: 3000.00, 15% of 9000 = 1350.00, 900.00 and 15% of
    //       2000 = 300.00 earned on 08-01, held through 08-30, released 08-31.
    // Each release is paid in the period of the day it was earned (not of its payment's day): Q2
    // (earned 05-10) 3000 + 1500 + 900 = 5400.00; Q3 (earned 08-01) 3000 + 1350 + 900 + 300 = 5550.00
    // and the clawback of 07-01, -5400.00. Net 5400 + 5550 - 5400 = 5550.00 = 15% of 37000.
    const std::vector<event> events = {
        touch("T1", date(2027, 1, 5), "P1", "C1"),          payment("pay1", date(2027, 2, 1), "C1", "20000.00"),
        payment("pay2", date(2027, 3, 1), "C1", "10000.00"), payment("pay3", date(2027, 5, 10), "C1", "8000.00"),
        refund("R1", date(2027, 5, 20), "pay3", "2000.00"),  refund("R2", date(2027, 7, 1), "pay2", "1000.00"),
        payment("pay4", date(2027, 8, 1), "C1", "2000.00"),
    };
    auto r = run_referrals(program_with("  - {id: migration, window: {days: 365}, wins: first, lock: true, hold: {days: 30},\n"
                                        "     bounty: {rate: 15%, months: 12, min_spend: 36000, min_spend_over: months}}\n"),
                           events);
    CHECK(story(r) == strings{
                          "attributed C1 P1 2027-02-01 0.00",
                          "not_qualified C1 P1 2027-02-01 0.00",
                          "not_qualified C1 P1 2027-03-01 0.00",
                          "earned C1 P1 2027-05-10 3000.00 until 2027-06-08",
                          "earned C1 P1 2027-05-10 1500.00 until 2027-06-08",
                          "earned C1 P1 2027-05-10 1200.00 until 2027-06-08",
                          "cancelled C1 P1 2027-05-20 -300.00",
                          "released C1 P1 2027-06-09 3000.00",
                          "released C1 P1 2027-06-09 1500.00",
                          "released C1 P1 2027-06-09 900.00",
                          "clawback C1 P1 2027-07-01 -3000.00",
                          "clawback C1 P1 2027-07-01 -1500.00",
                          "clawback C1 P1 2027-07-01 -900.00",
                          "earned C1 P1 2027-08-01 3000.00 until 2027-08-30",
                          "earned C1 P1 2027-08-01 1350.00 until 2027-08-30",
                          "earned C1 P1 2027-08-01 900.00 until 2027-08-30",
                          "earned C1 P1 2027-08-01 300.00 until 2027-08-30",
                          "released C1 P1 2027-08-31 3000.00",
                          "released C1 P1 2027-08-31 1350.00",
                          "released C1 P1 2027-08-31 900.00",
                          "released C1 P1 2027-08-31 300.00",
                      });
    REQUIRE(r.referrals.size() == 21);
    CHECK(r.referrals[0].reason == "locked to partner P1 by its first touch of 2027-01-05");
    CHECK(r.referrals[1].reason == "the customer's spend 20000.00 is below the minimum 36000 (payments within 12 months of the first)");
    CHECK(r.referrals[2].reason == "the customer's spend 30000.00 is below the minimum 36000 (payments within 12 months of the first)");
    CHECK(r.referrals[3].event == "pay3");  // earned by the payment that qualified the customer
    CHECK(r.referrals[3].reason == "bounty on payment \"pay1\"");
    CHECK(r.referrals[6].reverses == r.referrals[5].number);
    CHECK(r.referrals[10].event == "R2");
    for (std::size_t k = 0; k < r.referrals.size(); ++k) CHECK(r.referrals[k].referral == "migration");
    CHECK(r.referrals[10].reverses == r.referrals[3].number);  // pay1's clawback names its earned entry
    CHECK(r.referrals[12].reverses == r.referrals[5].number);
    CHECK(lines(r) == strings{"migration P1 2027-Q2 accrual 5400.00", "migration P1 2027-Q3 accrual 5550.00",
                              "migration P1 2027-Q3 clawback -5400.00"});
    CHECK(statements(r) == strings{"P1 2027-Q2 5400.00", "P1 2027-Q3 150.00"});
}

TEST_CASE("referrals: a minimum spend of the first payment, per sign-up once, per customer on the first payment") {
    // 25 per sign-up, 36 per customer once its first payment is at least 50.00; the default window
    // (90 days) and winner (the last touch).
    //   C1: S1 on 01-12 earns 25.00; S2 signs up again on 02-01: refused. pay1 50.00 on 02-05 (exactly
    //       the minimum) earns 36.00; pay2 on 03-01 is not the first payment: nothing.
    //   C2: pay3 49.99 on 02-10, below 50.00: nothing on the payment (its sign-up S3 still earns 25.00).
    const std::vector<event> events = {
        touch("T1", date(2027, 1, 10), "P1", "C1"),        signup("S1", date(2027, 1, 12), "C1"),
        signup("S2", date(2027, 2, 1), "C1"),              payment("pay1", date(2027, 2, 5), "C1", "50.00"),
        payment("pay2", date(2027, 3, 1), "C1", "70.00"),  touch("T2", date(2027, 2, 1), "P2", "C2"),
        signup("S3", date(2027, 2, 2), "C2"),              payment("pay3", date(2027, 2, 10), "C2", "49.99"),
    };
    auto r = run_referrals(one("bounty: {per_signup: 25, per_customer: 36, min_spend: 50}"), events);
    CHECK(story(r) == strings{
                          "attributed C1 P1 2027-01-12 0.00",
                          "earned C1 P1 2027-01-12 25.00 until 2027-01-12",
                          "released C1 P1 2027-01-12 25.00",
                          "refused C1 P1 2027-02-01 0.00",
                          "attributed C2 P2 2027-02-02 0.00",
                          "earned C2 P2 2027-02-02 25.00 until 2027-02-02",
                          "released C2 P2 2027-02-02 25.00",
                          "earned C1 P1 2027-02-05 36.00 until 2027-02-05",
                          "released C1 P1 2027-02-05 36.00",
                          "not_qualified C2 P2 2027-02-10 0.00",
                          "not_qualified C1 P1 2027-03-01 0.00",
                      });
    REQUIRE(r.referrals.size() == 11);
    CHECK(r.referrals[1].reason == "bounty on sign-up \"S1\"");
    CHECK(r.referrals[3].reason == "the customer already signed up");
    CHECK(r.referrals[3].event == "S2");
    CHECK(r.referrals[9].reason == "the customer's spend 49.99 is below the minimum 50 (its first payment)");
    CHECK(r.referrals[10].reason == "only the customer's first payment counts (of 2027-02-05)");
    // P1: 25 + 36 = 61.00; P2: 25.00.
    CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 61.00", "referrals P2 2027-Q1 accrual 25.00"});
}

TEST_CASE("referrals: a fully refunded first payment pays nothing, even with min_spend 0 (the ReferralCandy bug)") {
    SUBCASE("per customer, refunded while held and after") {
        // 36 per customer, minimum spend 0, held 14 days (earned on d, released on d + 14).
        //   C1 (P1): pay1 50.00 on 03-02 earns 36.00 (held through 03-15); R1 refunds it all on 03-05:
        //       spend 0.00 is not above 0, the 36.00 is cancelled. pay2 on 03-20 is not the first payment.
        //   C2 (P2): pay3 50.00 on 04-02 earns 36.00, released 04-16; R2 refunds it all on 05-01: -36.00.
        const std::vector<event> events = {
            touch("T1", date(2027, 3, 1), "P1", "C1"),        payment("pay1", date(2027, 3, 2), "C1", "50.00"),
            refund("R1", date(2027, 3, 5), "pay1", "50.00"),  payment("pay2", date(2027, 3, 20), "C1", "80.00"),
            touch("T2", date(2027, 4, 1), "P2", "C2"),        payment("pay3", date(2027, 4, 2), "C2", "50.00"),
            refund("R2", date(2027, 5, 1), "pay3", "50.00"),
        };
        auto r = run_referrals(one("bounty: {per_customer: 36, min_spend: 0}, hold: {days: 14}"), events);
        CHECK(story(r) == strings{
                              "attributed C1 P1 2027-03-02 0.00",
                              "earned C1 P1 2027-03-02 36.00 until 2027-03-15",
                              "cancelled C1 P1 2027-03-05 -36.00",
                              "not_qualified C1 P1 2027-03-20 0.00",
                              "attributed C2 P2 2027-04-02 0.00",
                              "earned C2 P2 2027-04-02 36.00 until 2027-04-15",
                              "released C2 P2 2027-04-16 36.00",
                              "clawback C2 P2 2027-05-01 -36.00",
                          });
        // C1 nothing; P2: 36.00 and -36.00 in Q2, a statement of 0.00.
        CHECK(lines(r) == strings{"referrals P2 2027-Q2 accrual 36.00", "referrals P2 2027-Q2 clawback -36.00"});
        CHECK(statements(r) == strings{"P2 2027-Q2 0.00"});
    }
    SUBCASE("a rate over months: later payments do not qualify the customer again") {
        // 10% of the payments within 3 months, minimum spend (of the first payment) 0, no hold.
        //   pay1 50.00 on 03-02 earns 5.00 (released at once); R1 refunds it all on 03-05: -5.00.
        //   pay2 80.00 on 03-20 is counted, but the first payment's spend is 0.00: nothing.
        const std::vector<event> events = {
            touch("T1", date(2027, 3, 1), "P1", "C1"),
            payment("pay1", date(2027, 3, 2), "C1", "50.00"),
            refund("R1", date(2027, 3, 5), "pay1", "50.00"),
            payment("pay2", date(2027, 3, 20), "C1", "80.00"),
        };
        auto r = run_referrals(one("bounty: {rate: 10%, months: 3}"), events);
        CHECK(story(r) == strings{
                              "attributed C1 P1 2027-03-02 0.00",
                              "earned C1 P1 2027-03-02 5.00 until 2027-03-02",
                              "released C1 P1 2027-03-02 5.00",
                              "clawback C1 P1 2027-03-05 -5.00",
                              "not_qualified C1 P1 2027-03-20 0.00",
                          });
        REQUIRE(r.referrals.size() == 5);
        CHECK(r.referrals[4].reason == "the customer's spend 0.00 is not above 0 (its first payment)");
        CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 5.00", "referrals P1 2027-Q1 clawback -5.00"});
        CHECK(statements(r) == strings{"P1 2027-Q1 0.00"});
    }
}

TEST_CASE("referrals: refunds of unknown payments, of another customer's, or beyond the payment are refused") {
    // 10% of the first payment, no hold. pay1 100.00 on 01-10 earns 10.00.
    //   R0 names "pay9", never made; R1 refunds 60.00 (-6.00); R2 50.00 more would make 110.00 > 100.00;
    //   R3 says customer C2; R4 refunds the last 40.00 (-4.00); R5 on 01-20 names payL, made on 01-25.
    const std::vector<event> events = {
        touch("T1", date(2027, 1, 5), "P1", "C1"),              payment("pay1", date(2027, 1, 10), "C1", "100.00"),
        refund("R0", date(2027, 1, 11), "pay9", "5.00", "C1"),  refund("R1", date(2027, 1, 12), "pay1", "60.00"),
        refund("R2", date(2027, 1, 13), "pay1", "50.00"),       refund("R3", date(2027, 1, 14), "pay1", "40.00", "C2"),
        refund("R4", date(2027, 1, 15), "pay1", "40.00"),       refund("R5", date(2027, 1, 20), "payL", "5.00"),
        payment("payL", date(2027, 1, 25), "C1", "30.00"),
    };
    auto r = run_referrals(one("bounty: {rate: 10%}"), events);
    CHECK(story(r) == strings{
                          "attributed C1 P1 2027-01-10 0.00",
                          "earned C1 P1 2027-01-10 10.00 until 2027-01-10",
                          "released C1 P1 2027-01-10 10.00",
                          "refused C1 P1 2027-01-11 0.00",
                          "clawback C1 P1 2027-01-12 -6.00",  // 10% of 40.00 = 4.00
                          "refused C1 P1 2027-01-13 0.00",
                          "refused C2 P1 2027-01-14 0.00",
                          "clawback C1 P1 2027-01-15 -4.00",  // 10% of 0.00
                          "refused - - 2027-01-20 0.00",
                          "not_qualified C1 P1 2027-01-25 0.00",  // not the first payment
                      });
    REQUIRE(r.referrals.size() == 10);
    CHECK(r.referrals[3].reason == "the refund names payment \"pay9\", which was not made before it");
    CHECK(r.referrals[5].reason == "refunds of payment \"pay1\" would exceed it (100.00)");
    CHECK(r.referrals[6].reason == "the refund is for customer \"C2\", its payment \"pay1\" for \"C1\"");
    CHECK(r.referrals[8].reason == "the refund names payment \"payL\", which was not made before it");
    CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 10.00", "referrals P1 2027-Q1 clawback -10.00"});
}

TEST_CASE("referrals: conversions outside the program's dates earn nothing, and clawbacks outside are not taken") {
    // 5 per sign-up, 20 per customer, held 10 days; the program runs through 2027.
    //   C1 (P1): S1 on 2026-12-28 is attributed but earns nothing; pay1 on 2027-01-05 earns 20.00,
    //       released 01-15.
    //   C2 (P2): pay2 on 2027-12-28 earns 20.00, held through 2028-01-06 and released on 2028-01-07
    //       (a later event is known), paid in Q4 (the payment's day); R2 refunds it on 2028-01-10,
    //       outside the program: the clawback is refused.
    //   C3 (P1): pay3 on 2028-01-03 earns nothing.
    const std::vector<event> events = {
        touch("T1", date(2026, 12, 20), "P1", "C1"),        signup("S1", date(2026, 12, 28), "C1"),
        payment("pay1", date(2027, 1, 5), "C1", "100.00"),  touch("T2", date(2027, 12, 20), "P2", "C2"),
        payment("pay2", date(2027, 12, 28), "C2", "100.00"), touch("T3", date(2027, 12, 30), "P1", "C3"),
        payment("pay3", date(2028, 1, 3), "C3", "100.00"),  refund("R2", date(2028, 1, 10), "pay2", "100.00"),
    };
    auto r = run_referrals(one("bounty: {per_signup: 5, per_customer: 20}, hold: {days: 10}"), events);
    CHECK(story(r) == strings{
                          "attributed C1 P1 2026-12-28 0.00",
                          "not_qualified C1 P1 2026-12-28 0.00",
                          "earned C1 P1 2027-01-05 20.00 until 2027-01-14",
                          "released C1 P1 2027-01-15 20.00",
                          "attributed C2 P2 2027-12-28 0.00",
                          "earned C2 P2 2027-12-28 20.00 until 2028-01-06",
                          "attributed C3 P1 2028-01-03 0.00",
                          "not_qualified C3 P1 2028-01-03 0.00",
                          "released C2 P2 2028-01-07 20.00",
                          "refused C2 P2 2028-01-10 0.00",
                      });
    REQUIRE(r.referrals.size() == 10);
    const std::string outside = "dated outside the program (2027-01-01 to 2027-12-31): earns nothing";
    CHECK(r.referrals[1].reason == outside);
    CHECK(r.referrals[7].reason == outside);
    CHECK(r.referrals[9].reason == "a clawback of 20.00 dated outside the program (2027-01-01 to 2027-12-31): not taken");
    CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 20.00", "referrals P2 2027-Q4 accrual 20.00"});
}

TEST_CASE("referrals: holds end by the program's last day or the last event's, whichever is later") {
    // 20 per customer, held 30 days. pay1 on 2027-12-20 earns 20.00, held through 2028-01-18 (12-20 +
    // 30 = 2028-01-19). With nothing after the program's last day (12-31) it is still held when the
    // run ends: in the story, not in the lines. A touch of another customer dated 2028-01-19 lets the
    // run go on to that day: released then, paid in 2027-Q4 (the day it was earned).
    const std::vector<event> events = {touch("T1", date(2027, 12, 1), "P1", "C1"), payment("pay1", date(2027, 12, 20), "C1", "100.00")};
    const std::string yaml = one("bounty: {per_customer: 20}, hold: {days: 30}");
    auto r = run_referrals(yaml, events);
    CHECK(story(r) == strings{"attributed C1 P1 2027-12-20 0.00", "earned C1 P1 2027-12-20 20.00 until 2028-01-18"});
    CHECK(r.lines.empty());
    CHECK(r.statements.empty());
    auto later = events;
    later.push_back(touch("T2", date(2028, 1, 19), "P2", "C2"));
    r = run_referrals(yaml, later);
    CHECK(story(r) == strings{"attributed C1 P1 2027-12-20 0.00", "earned C1 P1 2027-12-20 20.00 until 2028-01-18",
                              "released C1 P1 2028-01-19 20.00"});
    CHECK(lines(r) == strings{"referrals P1 2027-Q4 accrual 20.00"});
}

TEST_CASE("referrals: with months 0 only the first payment counts, not a second one of the same day") {
    // 10% of the first payment (months 0: "the first only", rules/referral.hpp). pay1 100.00 and pay2
    // 50.00 are both made on 01-10; pay1 comes first (replay order: date, kind, then id). Expected:
    // 10% of 100.00 = 10.00 on pay1, and pay2, not the first payment, earns nothing (as a second
    // payment of another day would not).
    const std::vector<event> events = {
        touch("T1", date(2027, 1, 5), "P1", "C1"),
        payment("pay1", date(2027, 1, 10), "C1", "100.00"),
        payment("pay2", date(2027, 1, 10), "C1", "50.00"),
    };
    auto r = run_referrals(one("bounty: {rate: 10%}"), events);
    CHECK(story(r) == strings{
                          "attributed C1 P1 2027-01-10 0.00",
                          "earned C1 P1 2027-01-10 10.00 until 2027-01-10",
                          "released C1 P1 2027-01-10 10.00",
                          "not_qualified C1 P1 2027-01-10 0.00",
                      });
    REQUIRE(r.referrals.size() == 4);
    CHECK(r.referrals[3].event == "pay2");
    CHECK(r.referrals[3].reason == "only the customer's first payment counts (of 2027-01-10)");
    CHECK(lines(r) == strings{"referrals P1 2027-Q1 accrual 10.00"});
}

TEST_CASE("referrals: several referral programs, each with its own events, lines and customers") {
    // affiliate: 36 per customer, the last touch; migration: 15% of the first payment, lines per month.
    // The same customer C1 in both: T1 (affiliate, P1) and T2 (migration, P2); pay1 in affiliate,
    // pay2 in migration. A refund in migration of affiliate's pay1 names no payment it knows.
    const std::string yaml = program_with(
        "  - {id: affiliate, window: {days: 30}, bounty: {per_customer: 36}}\n"
        "  - {id: migration, window: {days: 30}, bounty: {rate: 15%}, per: month}\n");
    const std::vector<event> events = {
        for_program(touch("T1", date(2027, 1, 5), "P1", "C1"), "affiliate"),
        for_program(touch("T2", date(2027, 1, 6), "P2", "C1"), "migration"),
        for_program(payment("pay1", date(2027, 1, 10), "C1", "100.00"), "affiliate"),
        for_program(payment("pay2", date(2027, 1, 11), "C1", "200.00"), "migration"),
        for_program(refund("R1", date(2027, 1, 12), "pay1", "100.00"), "migration"),
    };
    auto r = run_referrals(yaml, events);
    CHECK(story(r) == strings{
                          "attributed C1 P1 2027-01-10 0.00",
                          "earned C1 P1 2027-01-10 36.00 until 2027-01-10",
                          "released C1 P1 2027-01-10 36.00",
                          "attributed C1 P2 2027-01-11 0.00",
                          "earned C1 P2 2027-01-11 30.00 until 2027-01-11",  // 15% of 200.00
                          "released C1 P2 2027-01-11 30.00",
                          "refused - - 2027-01-12 0.00",
                      });
    REQUIRE(r.referrals.size() == 7);
    CHECK(r.referrals[0].referral == "affiliate");
    CHECK(r.referrals[3].referral == "migration");
    CHECK(r.referrals[4].number == 5);  // numbered across the programs
    CHECK(r.referrals[5].reverses == 5);
    // Lines of the programs in program order; statements add them up per partner.
    CHECK(lines(r) == strings{"affiliate P1 2027-Q1 accrual 36.00", "migration P2 2027-01 accrual 30.00"});
    CHECK(statements(r) == strings{"P1 2027-Q1 36.00", "P2 2027-01 30.00"});
}

TEST_CASE("referrals: lines per custom period, and a bounty earned outside every custom period") {
    // Lines per custom period; the only one, Launch, is [2027-05-01, 2027-07-01). 36 per customer.
    //   C1 pays on 05-10: 36.00 in a line of period Launch.
    //   C2 pays on 03-01, inside the program but in no custom period: like an event outside a
    //   rule's periods it earns nothing, and its entry says why (it once threw std::out_of_range).
    const std::string yaml = replaced(one("bounty: {per_customer: 36}, per: custom"), "to: 2027-12-31}",
                                      "to: 2027-12-31, custom: [{label: Launch, from: 2027-05-01, to: 2027-07-01}]}");
    const std::vector<event> in_launch = {touch("T1", date(2027, 5, 1), "P1", "C1"), payment("pay1", date(2027, 5, 10), "C1", "100.00")};
    const auto r = run_referrals(yaml, in_launch);
    CHECK(lines(r) == strings{"referrals P1 Launch accrual 36.00"});
    auto outside = in_launch;
    outside.push_back(touch("T2", date(2027, 2, 20), "P2", "C2"));
    outside.push_back(payment("pay2", date(2027, 3, 1), "C2", "100.00"));
    const auto r2 = run_referrals(yaml, outside);
    CHECK(lines(r2) == strings{"referrals P1 Launch accrual 36.00"});
    const auto& last = r2.referrals.at(1);  // C2's entries come first: 03-01 is before 05-01
    CHECK(last.kind == referral_entry::kind_t::not_qualified);
    CHECK(last.reason == "dated in none of the program's custom periods: earns nothing");
}

TEST_CASE("referrals: a variant of the program replays the kept events under its policy") {
    // 10% of the first payment, windows of 30 days: pay1 100.00 on 01-10 after P1's touch of 01-05
    // pays 10.00. A variant paying 20% pays 20.00; one with 3-day windows (01-05 + 3 = 01-08 < 01-10)
    // attributes C1 to no partner and pays nothing.
    const engine e = paid_once();
    CHECK(lines(e.run()) == strings{"referrals P1 2027-Q1 accrual 10.00"});
    program richer = e.definition();
    richer.referrals[0].bounty.rate = d("0.2");
    CHECK(lines(e.run(richer)) == strings{"referrals P1 2027-Q1 accrual 20.00"});
    program shorter = e.definition();
    shorter.referrals[0].window_days = 3;
    const auto r = e.run(shorter);
    CHECK(story(r) == strings{"unattributed C1 - 2027-01-10 0.00"});
    CHECK(r.lines.empty());
}

TEST_CASE("referrals: a variant that renames a referral program is refused, not run without its events") {
    // The events were taken for program "referrals" (attr.referral left empty: the only one). A
    // variant naming it "affiliate" would find none of them and pay nothing, silently; like a renamed
    // rule, it needs the events again: a validation_error incentives.validation.variant.
    const engine e = paid_once();
    program renamed = e.definition();
    renamed.referrals[0].id = "affiliate";
    std::size_t entries = 0;
    const std::string outcome = outcome_of([&] { entries = e.run(renamed).referrals.size(); });
    CHECK_MESSAGE(outcome.starts_with("[incentives.validation.variant] "), outcome << " (" << entries << " entries)");
}

TEST_CASE("referrals: a program with a fund credits it instead of paying cash") {
    // 36 per customer credited to fund "credits"; a 1% rebate on sales in cash beside it.
    //   C1 (P1) pays on 02-01: 36.00 in a line of rule "referrals" (left out of the statements) and
    //   an accrual of 36.00 on credits/P1 at the end of Q1. The sale of 1000.00 pays 1% = 10.00 in cash.
    const std::string yaml = program_with("  - {id: referrals, bounty: {per_customer: 36}, fund: credits}\n",
                                          "funds:\n  - {id: credits, reimbursement: 100%}\n");
    const std::vector<event> events = {
        touch("T1", date(2027, 1, 5), "P1", "C1"),
        payment("pay1", date(2027, 2, 1), "C1", "100.00"),
        sale("s1", date(2027, 2, 1), "P1", "S100", 1, "1000.00"),
    };
    auto r = run_referrals(yaml, events);
    CHECK(story(r) == strings{
                          "attributed C1 P1 2027-02-01 0.00",
                          "earned C1 P1 2027-02-01 36.00 until 2027-02-01",
                          "released C1 P1 2027-02-01 36.00",
                      });
    CHECK(lines(r) == strings{"rebate P1 2027-Q1 accrual 10.00", "referrals P1 2027-Q1 accrual 36.00"});
    CHECK(statements(r) == strings{"P1 2027-Q1 10.00"});
    REQUIRE(r.ledger.size() == 1);
    const auto& credit = r.ledger[0];
    CHECK(credit.kind == ledger_entry::kind_t::accrual);
    CHECK(credit.account() == "credits/P1");
    CHECK(credit.amount == d("36.00"));
    CHECK(credit.balance_after == d("36.00"));
    CHECK(credit.event == "referrals/P1/2027-Q1");
    CHECK(credit.on == date(2027, 3, 31));
}

TEST_CASE("referrals: referral rows are checked at intake, with the row and field") {
    const std::string two = program_with(
        "  - {id: affiliate, bounty: {per_customer: 36}}\n"
        "  - {id: migration, bounty: {rate: 15%}}\n");
    engine e(io::read_program(two), referral_catalog());
    struct failure {
        std::string code, field, message;
        std::size_t row = 0;
    };
    auto fails = [&](event x) {
        try {
            e.add(std::vector<event>{std::move(x)});
        } catch (const input_error& err) {
            return failure{err.code(), err.where().field, err.what(), err.where().row};
        }
        return failure{"no error", "", "", 0};
    };
    const date on(2027, 2, 1);
    auto check = [&](event x, const char* code, const char* field, const char* message) {
        const failure f = fails(std::move(x));
        CHECK(f.code == code);
        CHECK(f.field == field);
        CHECK(f.row == 1);
        CHECK_MESSAGE(f.message.find(message) != std::string::npos, f.message);
    };
    event anonymous = for_program(payment("x", on, "C1", "10.00"), "affiliate");
    anonymous.attrs.erase("customer");
    check(anonymous, "incentives.input.missing_customer", "customer",
          "a payment names its customer in the attribute \"customer\" (column attr.customer)");
    check(for_program(payment("x", on, "C1", "0"), "affiliate"), "incentives.input.negative_amount", "amount",
          "expected an amount above 0 for a payment");
    check(for_program(payment("x", on, "C1", "-5.00"), "affiliate"), "incentives.input.negative_amount", "amount", "above 0");
    check(for_program(refund("x", on, "", "5.00", "C1"), "affiliate"), "incentives.input.missing_reference", "reference",
          "a refund names the payment it refunds in \"reference\"");
    check(for_program(refund("x", on, "pay1", "0"), "affiliate"), "incentives.input.negative_amount", "amount", "for a refund");
    event coded = for_program(refund("x", on, "pay1", "5.00"), "affiliate");
    coded.partner = "P1";
    check(coded, "incentives.input.refund_partner", "partner",
          "a refund goes to whoever its payment's customer is attributed to: leave its partner empty");
    check(payment("x", on, "C1", "10.00"), "incentives.input.missing_referral", "referral",
          "the program has several referral programs (affiliate and migration): a payment names its own in the attribute \"referral\"");
    check(for_program(signup("x", on, "C1"), "afiliate"), "incentives.input.unknown_referral", "referral",
          "unknown referral program \"afiliate\" (did you mean \"affiliate\"?) (the program's: affiliate and migration)");
    check(for_program(touch("x", on, "", "C1"), "affiliate"), "incentives.input.missing_partner", "partner", "every event needs a partner");
    // A misspelt conversion kind comes without a partner: the error names the kinds that may.
    event misspelt = for_program(payment("x", on, "C1", "10.00"), "affiliate");
    misspelt.kind = "paymnt";
    check(misspelt, "incentives.input.missing_partner", "partner",
          "every event needs a partner; only signup, payment and refund events come without one, not a \"paymnt\" (did you mean "
          "\"payment\"?)");
    check(for_program(touch("x", on, "P9", "C1"), "affiliate"), "incentives.input.unknown_partner", "partner", "unknown partner \"P9\"");
    check(for_program(signup("x", on, "C1", "P9"), "affiliate"), "incentives.input.unknown_partner", "partner", "unknown partner \"P9\"");
    // A refund may leave the customer to its payment; one program needs no attr.referral.
    engine single(io::read_program(one("bounty: {rate: 10%}")), referral_catalog());
    CHECK_NOTHROW(single.add(std::vector<event>{refund("x", on, "pay1", "5.00")}));
    // A partner's activity dates are read when the engine is built.
    CHECK(built(one("bounty: {rate: 10%}"), referral_catalog("2027-03-xx")) ==
          "[incentives.input.catalog] partner \"P3\": attribute active_from is \"2027-03-xx\", expected a date (YYYY-MM-DD)");
}

TEST_CASE("referrals: invalid referral programs are refused when the program is built") {
    // Each with code incentives.validation.referrals, the path and why.
    auto refused = [](const std::string& yaml, const std::string& why) {
        const std::string outcome = built(yaml);
        CHECK_MESSAGE(outcome.starts_with("[incentives.validation.referrals] "), outcome);
        CHECK_MESSAGE(outcome.find(why) != std::string::npos, outcome);
    };
    refused(one("window: {days: 0}, bounty: {per_signup: 10}"), "referrals[0].window: the attribution window is 1..365 days, got 0");
    refused(one("window: {days: 366}, bounty: {per_signup: 10}"), "referrals[0].window: the attribution window is 1..365 days, got 366");
    CHECK(built(one("window: {days: 1}, bounty: {per_signup: 10}")) == "ran");
    CHECK(built(one("window: {days: 365}, bounty: {per_signup: 10}")) == "ran");
    refused(one("bounty: {rate: 150%}"), "referrals[0].bounty.rate: the rate is above 0% and at most 100%");
    CHECK(built(one("bounty: {rate: 100%}")) == "ran");
    refused(one("bounty: {per_customer: 36, months: 12}"), "referrals[0].bounty.months: months counts payments for a rate: declare rate too");
    refused(one("bounty: {rate: 10%, min_spend: 100, min_spend_over: months}"),
            "referrals[0].bounty.min_spend_over: a minimum spend over months needs months above 0");
    refused(one("bounty: {per_signup: 10.001}"), "referrals[0].bounty.per_signup: per_signup 10.001 has more decimal places than EUR pays");
    refused(one("bounty: {per_signup: 10}, hold: {days: 3661}"), "referrals[0].hold: the hold is 0..3660 days, got 3661");
    refused(one("bounty: {per_customer: 36}, fund: credits"), "referrals[0].fund: credits fund \"credits\", which the program does not declare");
    refused(program_with("  - {id: rebate, bounty: {per_signup: 10}}\n"), "referrals[0].id: the id \"rebate\" is taken by another rule or program");
    refused(std::string(program_head) + "referrals:\n  - {id: referrals, bounty: {per_signup: 10}}\n" +
                "rules:\n  - {id: rebate, select: {kind: payment}, pay: {rate: 1%}}\n",
            "rules[0].select: rule \"rebate\" selects signup, payment or refund events, which carry no partner");
}

TEST_CASE("referrals: referral programs read and write back as YAML") {
    const std::string yaml = program_with(
        "  - id: affiliate\n"
        "    window: {days: 30}\n"
        "    wins: first\n"
        "    restart: true\n"
        "    lock: true\n"
        "    self_referrals: allow\n"
        "    inactive_partners: allow\n"
        "    bounty: {per_signup: 5, per_customer: 36, rate: 12.5%, months: 12, min_spend: 100.50, min_spend_over: months}\n"
        "    hold: {days: 45}\n"
        "    fund: credits\n"
        "    per: month\n"
        "  - {id: migration, bounty: {rate: 15%}}\n",
        "funds:\n  - {id: credits, reimbursement: 100%}\n");
    const auto p = io::read_program(yaml);
    REQUIRE(p.referrals.size() == 2);
    const auto& a = p.referrals[0];
    CHECK(a.id == "affiliate");
    CHECK(a.window_days == 30);
    CHECK(a.wins == rules::referral_program::wins_t::first);
    CHECK(a.restart);
    CHECK(a.lock);
    CHECK(a.allow_self_referrals);
    CHECK(a.allow_inactive_partners);
    CHECK(a.bounty.per_signup == d("5"));
    CHECK(a.bounty.per_customer == d("36"));
    CHECK(a.bounty.rate == d("0.125"));
    CHECK(a.bounty.months == 12);
    CHECK(a.bounty.min_spend == d("100.50"));
    CHECK(a.bounty.spend_over == rules::bounty::spend_t::months);
    CHECK(a.hold_days == 45);
    CHECK(a.fund == "credits");
    CHECK(a.per == period_unit::month);
    // The defaults: 90 days, the last touch, no restart or lock, exclusions, no hold, cash per quarter.
    const auto& m = p.referrals[1];
    CHECK(m.window_days == 90);
    CHECK(m.wins == rules::referral_program::wins_t::last);
    CHECK(!m.restart);
    CHECK(!m.lock);
    CHECK(!m.allow_self_referrals);
    CHECK(!m.allow_inactive_partners);
    CHECK(m.hold_days == 0);
    CHECK(m.fund.empty());
    CHECK(m.per == period_unit::quarter);
    const std::string written = io::write_program(p);
    CHECK(io::read_program(written) == p);
    CHECK(io::write_program(io::read_program(written)) == written);
}
