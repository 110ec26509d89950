// Property tests of the referral stage (engine/referrals.hpp): seeded random sequences of touches,
// sign-ups, payments and refunds under random referral policies, each checked against what the
// story, the lines and the statements must be whatever the sequence.
//
// Each sequence is a program running 2027-01-01 to 2027-06-30 with one referral program (one in five:
// two, whose rows then name theirs in attr.referral) drawn from the policy space: window 1, 3, 10,
// 30, 90 or 365 days; first or last touch; restart; lock; self-referrals and inactive partners
// allowed or not; a bounty of any non-empty mix of per_signup, per_customer and a rate (with months
// 0, 1, 3 or 12, a minimum spend of the first payment or of the months); hold 0, 1, 7 or 30 days;
// lines per quarter or month, in cash or credited to a fund; the program rounding half_even,
// half_up, down or up. Its 4-28 events: touches by P1, P2 and P3 (P3 active 2027-02-01 through
// 2027-04-30) of four customers and, now and then, of a partner itself or its person (M1 of P1, M2
// of P2); sign-ups and payments, some with a partner's code, some on a touch's last window day or
// the day after, some dated outside the program; payments of the minimum spend exactly; refunds of
// earlier payments (all of what is left, half, a cent, a cent too many), some of unknown payments,
// dated before their payment or naming another customer; now and then a sale for the cash rebate.
//
// Properties, each checked on every sequence:
//   runs          the run does not throw (the engine reconciles itself at every run);
//   entries       from the entries alone: amounts of the right sign (0 for steps that move none);
//                 every release and cancellation acts on an earlier earned entry of the same
//                 customer and partner, and per earned entry released + |cancelled| <= earned; a
//                 release comes on the earned day + hold, a cancellation no later than `until`
//                 (earned day + hold - 1); clawbacks never take back more than was released; no
//                 customer has two attributed/unattributed entries; no bounty on a customer
//                 attributed to no partner, and every bounty goes to the partner it is attributed to;
//                 per_signup and per_customer are earned at most once per customer, net;
//   lines         the program's lines are the released amounts, each in the period of the day it was
//                 earned, and the clawbacks, in the period of their refund (one line per partner,
//                 period and kind); statements add up every line not credited to a fund; a fund is
//                 credited with its program's lines;
//   reference     an independent model of the policy (attribution at the first conversion from the
//                 touches before it; each item's final target from the final payments and refunds)
//                 gives each customer's partner and what stays earned at the end (earned less
//                 cancelled and clawed back; for customers with a refund after the program, whose
//                 clawback may be refused, at least that);
//   determinism   the events shuffled, added in one batch, give the same result (==, and the same
//                 digits of every amount); shuffled again, split into 2-3 batches with snapshot()/
//                 engine::restore() between them, added and run with 2 threads, too.
//
// Counts: INCENTIVES_LEDGER_PROPERTY_CASES sequences (default 100,000; the same variable as the
// ledger properties, so that CI's sanitizer run shortens both), INCENTIVES_LEDGER_PROPERTY_SEED
// changes the base seed. The random numbers are std::mt19937_64 (its output is fixed by the
// standard) with bounds by modulo (no <random> distribution): the same sequences on every machine.
// A failure names the sequence's seed and prints a reduced sequence (events removed one by one while
// the property still fails).
#include <doctest/doctest.h>

#include <incentives/incentives.hpp>
#include <incentives/io/yaml.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "property_support.hpp"

using namespace incentives;
using kind = referral_entry::kind_t;

namespace {

// ---- random numbers and settings ---------------------------------------------------------------------

using property_support::dice;
using property_support::setting;

// ---- the catalog, the program, the sequences ------------------------------------------------------------

constexpr int last_day = 180;  // 2027-01-01 (day 0) .. 2027-06-30 (day 180)
date day_of(int d) { return date(2027, 1, 1).plus_days(d); }
const date p3_from = day_of(31), p3_until = day_of(119);  // 2027-02-01 .. 2027-04-30
decimal cents(std::int64_t c) { return decimal::from_units(c, 2); }
decimal d(const char* s) { return decimal::parse(s); }

const std::shared_ptr<const catalog>& the_catalog() {
    static const auto cat = std::make_shared<const catalog>(
        std::vector<partner>{{"P1", "Acme", "smb", "north", "eu", "gold", {}},
                             {"P2", "Beta", "smb", "south", "eu", "gold", {}},
                             {"P3", "Core", "smb", "south", "eu", "gold", {{"active_from", p3_from.to_string()}, {"active_until", p3_until.to_string()}}}},
        std::vector<participant>{{"M1", "P1", "manager", {}, {}}, {"M2", "P2", "manager", {}, {}}}, std::vector<product>{{"S100", "servers", {}}});
    return cat;
}
const std::map<std::string, std::string> person_of = {{"M1", "P1"}, {"M2", "P2"}};

const program& base_program() {
    static const program p = io::read_program(R"(
program: Referral properties
currency: EUR
periods: {from: 2027-01-01, to: 2027-06-30}
funds:
  - {id: credits, reimbursement: 100%}
referrals:
  - {id: aff, bounty: {per_signup: 1}}
rules:
  - {id: rebate, pay: {rate: 1%}, per: [partner, quarter]}
)");
    return p;
}

struct sequence {
    std::uint64_t seed = 0;
    std::shared_ptr<const program> prog;
    std::vector<event> events;
};

rules::referral_program random_policy(dice& r, std::string id) {
    rules::referral_program p;
    p.id = std::move(id);
    p.window_days = r.pick({1, 3, 10, 30, 90, 365});
    p.wins = r.chance(50) ? rules::referral_program::wins_t::first : rules::referral_program::wins_t::last;
    p.restart = r.chance(30);
    p.lock = r.chance(25);
    p.allow_self_referrals = r.chance(20);
    p.allow_inactive_partners = r.chance(20);
    auto& b = p.bounty;
    const auto mix = 1 + r.below(7);  // bits: per_signup, per_customer, rate
    if (mix & 1) b.per_signup = d(r.pick({"5", "10.50", "0.01"}));
    if (mix & 2) b.per_customer = d(r.pick({"36", "20", "0.99"}));
    if (mix & 4) {
        b.rate = d(r.pick({"0.1", "0.15", "0.125", "0.33", "1", "0.005"}));
        b.months = r.pick({0, 0, 1, 3, 12});
        if (b.months > 0 && r.chance(50)) b.spend_over = rules::bounty::spend_t::months;
    }
    b.min_spend = d(r.pick({"0", "0", "10", "50", "99.99", "500"}));
    p.hold_days = r.pick({0, 0, 1, 7, 30});
    p.per = r.chance(70) ? period_unit::quarter : period_unit::month;
    if (r.chance(15)) p.fund = "credits";
    return p;
}

event row(std::string id, std::string kind_name, int day, std::string partner, std::int64_t amount_cents) {
    event e;
    e.id = std::move(id);
    e.kind = std::move(kind_name);
    e.on = day_of(day);
    e.partner = std::move(partner);
    e.amount = cents(amount_cents);
    return e;
}

std::string attr(const event& e, const char* name) {
    auto it = e.attrs.find(name);
    return it == e.attrs.end() ? std::string() : it->second;
}

/// One random sequence: the program and its events (see the header).
sequence generate(std::uint64_t seed) {
    dice r(seed);
    sequence s;
    s.seed = seed;
    auto prog = std::make_shared<program>(base_program());
    prog->rounding.mode = r.pick({rounding_mode::half_even, rounding_mode::half_even, rounding_mode::half_up, rounding_mode::down, rounding_mode::up});
    prog->referrals = {random_policy(r, "aff")};
    if (r.chance(20)) prog->referrals.push_back(random_policy(r, "mig"));
    s.prog = prog;
    const bool several = prog->referrals.size() > 1;

    const std::vector<std::string> partners = {"P1", "P2", "P3"}, customers = {"C1", "C2", "C3", "C4"}, selves = {"P1", "P2", "M1", "M2"};
    struct made {
        std::string id, customer, referral;
        int day = 0;
        std::int64_t cents = 0, refunded = 0;
    };
    std::vector<made> touches, payments;
    std::vector<int> days;
    int counter = 0;
    auto next_id = [&](const char* prefix) { return prefix + std::to_string(++counter); };
    auto policy = [&](const std::string& id) -> const rules::referral_program& { return id == "aff" ? prog->referrals[0] : prog->referrals[1]; };
    auto any_day = [&] {
        if (!days.empty() && r.chance(20)) return r.pick(days);  // the same day as another event
        if (r.chance(8)) return r.chance(50) ? r.in(-15, -1) : r.in(last_day + 1, last_day + 20);  // outside the program
        return r.in(0, last_day);
    };
    auto customer = [&] { return r.chance(10) ? r.pick(selves) : r.pick(customers); };
    // A conversion's customer and day: often a touched customer, on the touch's day, within its
    // window, on the window's last day or the day after.
    auto conversion = [&](const std::string& referral) -> std::pair<std::string, int> {
        if (touches.empty() || !r.chance(60)) return {customer(), any_day()};
        const made& t = r.pick(touches);
        const int window = policy(referral).window_days;
        const auto how = r.below(4);
        const int day = how == 0 ? t.day : how == 1 ? t.day + r.in(0, window) : t.day + window + r.in(0, 1);
        return {t.customer, day <= last_day + 20 ? day : any_day()};
    };
    const int n = r.in(4, 28);
    for (int k = 0; k < n; ++k) {
        const std::string referral = several ? r.pick(std::vector<std::string>{"aff", "mig"}) : "aff";
        event e;
        const auto what = r.below(100);
        if (what < 35) {  // a touch
            made t{next_id("t"), customer(), referral, any_day()};
            e = row(t.id, "touch", t.day, r.pick(partners), 0);
            e.attrs = {{"customer", t.customer}, {"channel", r.pick({"click", "code", "link"})}};
            touches.push_back(t);
        } else if (what < 50) {  // a sign-up
            const auto [who, day] = conversion(referral);
            e = row(next_id("s"), "signup", day, r.chance(15) ? r.pick(partners) : "", 0);
            e.attrs = {{"customer", who}};
        } else if (what < 78) {  // a payment
            const auto [who, day] = conversion(referral);
            made m{next_id("p"), who, referral, day};
            const auto& b = policy(referral).bounty;
            m.cents = r.chance(15) && b.min_spend.signum() > 0 ? static_cast<std::int64_t>(b.min_spend.rescale(2, rounding_mode::unnecessary).units())
                      : r.chance(50) ? r.pick<std::int64_t>({1, 999, 1000, 1030, 3333, 5000, 9999, 10000, 12345, 50000})
                                     : r.in(1, 500000);
            e = row(m.id, "payment", m.day, r.chance(10) ? r.pick(partners) : "", m.cents);
            e.attrs = {{"customer", m.customer}};
            payments.push_back(m);
        } else if (what < 96) {  // a refund
            if (payments.empty() || r.chance(8)) {
                e = row(next_id("r"), "refund", any_day(), "", r.in(1, 5000));
                e.reference = "p-unknown";
                if (several) e.attrs["referral"] = referral;
            } else {
                made& m = payments[r.below(payments.size())];
                const std::int64_t left = m.cents - m.refunded;
                const auto how = r.below(100);
                std::int64_t amount = how < 35 ? left : how < 60 ? left / 2 : how < 75 ? 1 : how < 85 ? left + 1 : r.in(1, static_cast<int>(std::min<std::int64_t>(m.cents, 1 << 30)));
                amount = std::max<std::int64_t>(amount, 1);
                const int day = r.chance(10) ? m.day - 1 : m.day + (r.chance(30) ? 0 : r.in(0, 60));
                e = row(next_id("r"), "refund", day, "", amount);
                e.reference = m.id;
                const auto who = r.below(100);
                if (who >= 50) e.attrs["customer"] = who < 90 ? m.customer : m.customer + "x";
                if (amount <= left && day >= m.day) m.refunded += amount;
                if (several && r.chance(90)) e.attrs["referral"] = m.referral;
                else if (several) e.attrs["referral"] = m.referral == "aff" ? "mig" : "aff";
            }
        } else {  // a sale for the cash rebate
            e = row(next_id("sale"), "sale", r.in(0, last_day), r.pick(partners), r.in(100, 100000));
            e.sku = "S100";
            e.quantity = decimal(1);
        }
        if (e.kind != "sale" && e.kind != "refund" && (several || r.chance(20))) e.attrs["referral"] = referral;
        days.push_back(e.on.days() - day_of(0).days());
        s.events.push_back(std::move(e));
    }
    return s;
}

// ---- runs -------------------------------------------------------------------------------------------

result run_of(const sequence& s) {
    engine e(s.prog, the_catalog());
    e.add(s.events);
    return e.run();
}

/// Batch k and the ones after it added to an engine restored from `bytes` (a fresh one for batch 0),
/// with 2 threads; the last run with 2 threads.
result run_from(const sequence& s, const std::vector<std::vector<event>>& batches, std::size_t k, const std::string& bytes) {
    engine e = k == 0 ? engine(s.prog, the_catalog()) : engine::restore(*s.prog, *the_catalog(), bytes);
    e.add(batches[k], 2);
    if (k + 1 == batches.size()) return e.run({.threads = 2});
    return run_from(s, batches, k + 1, e.snapshot());
}

// ---- the properties: each returns "" or what breaks ---------------------------------------------------

std::string money(const decimal& x) { return x.to_string(); }
std::string label_of(const program& p, date on, period_unit per) { return p.cal.period_at(p.cal.index_of(on, per), per).label; }
std::string number(const referral_entry& x) { return "entry " + std::to_string(x.number) + " (" + std::string(to_string(x.kind)) + " " + x.customer + ")"; }

std::vector<const referral_entry*> entries_of(const result& r, const std::string& id) {
    std::vector<const referral_entry*> out;
    for (const auto& x : r.referrals)
        if (x.referral == id) out.push_back(&x);
    return out;
}

/// What stays earned per customer (earned less cancelled and clawed back).
std::map<std::string, decimal> net_of(const std::vector<const referral_entry*>& entries) {
    std::map<std::string, decimal> net;
    for (const auto* x : entries)
        if (x->kind == kind::earned || x->kind == kind::cancelled || x->kind == kind::clawback) net[x->customer] += x->amount;
    return net;
}

std::string check_entries(const sequence& s, const result& r) {
    for (const auto& rp : s.prog->referrals) {
        struct open {
            const referral_entry* earned;
            decimal left;
        };
        std::map<std::uint64_t, open> earned;
        std::map<std::string, decimal> paid;                    // by customer: released less clawed back
        std::map<std::string, const referral_entry*> decision;  // by customer
        std::uint64_t previous = 0;
        for (const auto* x : entries_of(r, rp.id)) {
            if (x->number <= previous) return number(*x) + " is not after entry " + std::to_string(previous);
            previous = x->number;
            const int sign = x->amount.signum();
            const bool moves = x->kind == kind::earned || x->kind == kind::released || x->kind == kind::cancelled || x->kind == kind::clawback;
            if (!moves && sign != 0) return number(*x) + " moves " + money(x->amount);
            if ((x->kind == kind::earned || x->kind == kind::released) && sign <= 0) return number(*x) + " of " + money(x->amount);
            if ((x->kind == kind::cancelled || x->kind == kind::clawback) && sign >= 0) return number(*x) + " of " + money(x->amount);
            if (x->kind == kind::attributed || x->kind == kind::unattributed) {
                if (decision.count(x->customer)) return number(*x) + ": customer " + x->customer + " was decided already";
                if ((x->kind == kind::attributed) == x->partner.empty()) return number(*x) + " with partner \"" + x->partner + "\"";
                decision[x->customer] = x;
            }
            if (!moves) continue;
            auto dec = decision.find(x->customer);
            if (dec == decision.end() || dec->second->kind != kind::attributed || dec->second->partner != x->partner)
                return number(*x) + " pays partner \"" + x->partner + "\" for a customer not attributed to it";
            if (x->kind == kind::earned) {
                const date until = rp.hold_days == 0 ? x->on : x->on.plus_days(rp.hold_days - 1);
                if (x->until != until) return number(*x) + " held until " + (x->until ? x->until->to_string() : "-") + ", expected " + until.to_string();
                earned[x->number] = {x, x->amount};
                continue;
            }
            if (x->kind == kind::clawback) {
                paid[x->customer] += x->amount;
                if (paid[x->customer].signum() < 0) return number(*x) + " takes back more than was paid";
                continue;
            }
            auto o = earned.find(x->reverses);
            if (o == earned.end()) return number(*x) + " acts on entry " + std::to_string(x->reverses) + ", not an earned bounty";
            const referral_entry& e = *o->second.earned;
            if (e.customer != x->customer || e.partner != x->partner) return number(*x) + " acts on another customer's bounty";
            o->second.left -= abs(x->amount);
            if (o->second.left.signum() < 0) return number(*x) + ": released + cancelled exceed the earned " + money(e.amount);
            if (x->kind == kind::released) {
                paid[x->customer] += x->amount;
                if (x->on != e.on.plus_days(rp.hold_days)) return number(*x) + " released on " + x->on.to_string() + ", earned " + e.on.to_string();
            } else if (e.until < x->on) {
                return number(*x) + " cancels after the hold ended " + e.until->to_string();
            }
        }
        // per_signup and per_customer at most once per customer, net (a rate adds to it: bound only without one).
        if (!rp.bounty.rate)
            for (const auto& [who, net] : net_of(entries_of(r, rp.id))) {
                const decimal most = rp.bounty.per_signup.value_or(decimal()) + rp.bounty.per_customer.value_or(decimal());
                if (most < net || net.signum() < 0) return "customer " + who + " keeps " + money(net) + ", at most " + money(most) + " and not below 0";
            }
    }
    return "";
}

std::string check_lines(const sequence& s, const result& r) {
    const program& p = *s.prog;
    using key = std::tuple<std::string, std::string, std::string, bool>;  // rule, partner, period, clawback
    std::map<key, decimal> want, got;
    std::set<std::string> to_fund;
    for (const auto& rp : p.referrals) {
        if (!rp.fund.empty()) to_fund.insert(rp.id);
        std::map<std::uint64_t, const referral_entry*> by_number;
        for (const auto* x : entries_of(r, rp.id)) {
            by_number[x->number] = x;
            if (x->kind == kind::released && !by_number.count(x->reverses)) return number(*x) + " releases no earlier entry";
            if (x->kind == kind::released) want[{rp.id, x->partner, label_of(p, by_number.at(x->reverses)->on, rp.per), false}] += x->amount;
            if (x->kind == kind::clawback) want[{rp.id, x->partner, label_of(p, x->on, rp.per), true}] += x->amount;
        }
    }
    std::map<std::pair<std::string, std::string>, decimal> cash;  // beneficiary, period
    std::map<std::string, decimal> fund_lines;
    for (const auto& l : r.lines) {
        if (l.rule != "rebate") {
            auto [it, fresh] = got.try_emplace({l.rule, l.beneficiary, l.period, l.kind == payout_line::kind_t::clawback}, l.amount);
            if (!fresh) return "two lines of " + l.rule + " for " + l.beneficiary + " in " + l.period;
        }
        if (to_fund.count(l.rule)) fund_lines[l.rule] += l.amount;
        else cash[{l.beneficiary, l.period}] += l.amount;
    }
    if (got != want) {
        std::string why = "the referral lines are not the released bounties and the clawbacks:";
        for (const auto* side : {&got, &want}) {
            why += side == &got ? "\n  got " : "\n  want";
            for (const auto& [k, v] : *side) why += " [" + std::get<0>(k) + " " + std::get<1>(k) + " " + std::get<2>(k) + (std::get<3>(k) ? " clawback " : " ") + money(v) + "]";
        }
        return why;
    }
    std::map<std::pair<std::string, std::string>, decimal> statements;
    for (const auto& st : r.statements) statements[{st.beneficiary, st.period}] = st.amount;
    if (statements != cash) return "the statements are not the sums of the cash lines";
    for (const auto& [rule, total] : fund_lines) {
        decimal credited;
        for (const auto& e : r.ledger)
            if (e.event.rfind(rule + "/", 0) == 0) credited += e.amount;
        if (credited != total) return "fund credits of " + rule + " add up to " + money(credited) + ", its lines to " + money(total);
    }
    return "";
}

// The reference model: the policy from the spec (docs/rules/referrals.md), from the final state.
struct expectation {
    std::map<std::string, std::string> partner;  // decided customers: the partner ("" for none) and its winning touch
    std::map<std::string, std::string> touch;
    std::map<std::string, decimal> net;          // what stays earned
    std::set<std::string> inexact;               // a refund after the program: a clawback may be refused
};

expectation expect(const sequence& s, const rules::referral_program& rp) {
    const program& p = *s.prog;
    struct step {
        const event* e;
        int order;  // touch, signup, payment, refund
    };
    std::vector<step> steps;
    for (const auto& e : s.events) {
        const std::vector<std::string> kinds = {"touch", "signup", "payment", "refund"};
        const int order = static_cast<int>(std::find(kinds.begin(), kinds.end(), e.kind) - kinds.begin());
        const std::string named = attr(e, "referral");
        if (order == 4 || (named.empty() ? p.referrals.front().id : named) != rp.id) continue;
        if ((order == 1 || order == 2) && !e.partner.empty()) steps.push_back({&e, 0});  // a code: a touch too
        steps.push_back({&e, order});
    }
    std::sort(steps.begin(), steps.end(), [](const step& a, const step& b) {
        return std::tie(a.e->on, a.order, a.e->id) < std::tie(b.e->on, b.order, b.e->id);
    });
    struct touch {
        std::string partner, id;
        date on;
    };
    struct customer {
        std::vector<touch> touches;  // counted, before the decision
        bool decided = false, signed_up = false;
        std::string partner, winner;  // the touch that won
        decimal fixed;  // per_signup
        std::vector<const event*> payments;
    };
    std::map<std::string, customer> cs;
    std::map<std::string, std::int64_t> refunded;  // payment id -> cents
    std::map<std::string, const event*> payment;
    expectation out;
    auto active = [&](const std::string& partner, date on) { return rp.allow_inactive_partners || partner != "P3" || (!(on < p3_from) && !(p3_until < on)); };
    auto decide = [&](customer& c, date on) {
        c.decided = true;
        if (c.touches.empty()) return;
        if (rp.lock) {
            if (active(c.touches.front().partner, on)) c.partner = c.touches.front().partner, c.winner = c.touches.front().id;
            return;
        }
        struct window {
            date opened, last;
            std::string opened_id, last_id;
        };
        std::map<std::string, window> windows;
        for (const auto& t : c.touches) {
            auto [it, fresh] = windows.try_emplace(t.partner);
            window& w = it->second;
            if (fresh || (rp.restart ? w.last : w.opened).plus_days(rp.window_days) < t.on) w.opened = t.on, w.opened_id = t.id;
            w.last = t.on, w.last_id = t.id;
        }
        const bool first = rp.wins == rules::referral_program::wins_t::first;
        std::optional<std::pair<date, std::string>> best;
        for (const auto& [partner, w] : windows) {
            if ((rp.restart ? w.last : w.opened).plus_days(rp.window_days) < on || !active(partner, on)) continue;
            const auto k = first ? std::pair(w.opened, w.opened_id) : std::pair(w.last, w.last_id);
            if (!best || (first ? k < *best : *best < k)) best = k, c.partner = partner, c.winner = k.second;
        }
    };
    for (const auto& [e, order] : steps) {
        const std::string who = attr(*e, "customer");
        if (order == 0) {
            const bool self = who == e->partner || (person_of.count(who) && person_of.at(who) == e->partner);
            customer& c = cs[who];
            if ((rp.allow_self_referrals || !self) && !c.decided) c.touches.push_back({e->partner, e->id, e->on});
        } else if (order == 1) {
            customer& c = cs[who];
            if (c.signed_up) continue;
            c.signed_up = true;
            if (!c.decided) decide(c, e->on);
            if (!c.partner.empty() && rp.bounty.per_signup && p.cal.contains(e->on)) c.fixed = *rp.bounty.per_signup;
        } else if (order == 2) {
            customer& c = cs[who];
            if (!c.decided) decide(c, e->on);
            c.payments.push_back(e);
            payment[e->id] = e;
        } else {
            auto it = payment.find(e->reference);
            if (it == payment.end()) continue;
            const std::string payer = attr(*it->second, "customer");
            const std::int64_t amount = static_cast<std::int64_t>(e->amount.rescale(2, rounding_mode::unnecessary).units());
            const std::int64_t paid = static_cast<std::int64_t>(it->second->amount.rescale(2, rounding_mode::unnecessary).units());
            if ((!who.empty() && who != payer) || refunded[e->reference] + amount > paid) continue;
            refunded[e->reference] += amount;
            if (p.cal.to() < e->on) out.inexact.insert(payer);
        }
    }
    const auto& b = rp.bounty;
    for (auto& [who, c] : cs) {
        if (!c.decided) continue;
        out.partner[who] = c.partner;
        out.touch[who] = c.winner;
        if (c.partner.empty()) continue;
        decimal net = c.fixed;
        if (!c.payments.empty()) {
            const event* first = c.payments.front();
            auto counted = [&](const event* x) {
                return p.cal.contains(x->on) && (x == first || (b.months > 0 && x->on < first->on.plus_months(b.months)));
            };
            auto net_paid = [&](const event* x) { return x->amount - cents(refunded[x->id]); };
            decimal spend = cents(0);
            for (const event* x : c.payments)
                if (counted(x) && (x == first || b.spend_over == rules::bounty::spend_t::months)) spend += net_paid(x);
            if (spend.signum() > 0 && spend >= b.min_spend)
                for (const event* x : c.payments) {
                    if (!counted(x)) continue;
                    if (b.rate) net += (net_paid(x) * *b.rate).rescale(2, p.rounding.mode);
                    if (b.per_customer && x == first) net += *b.per_customer;
                }
        }
        out.net[who] = net;
    }
    return out;
}

std::string check_reference(const sequence& s, const result& r) {
    for (const auto& rp : s.prog->referrals) {
        const expectation want = expect(s, rp);
        const auto entries = entries_of(r, rp.id);
        std::map<std::string, std::string> partner;
        for (const auto* x : entries) {
            if (x->kind == kind::attributed || x->kind == kind::unattributed) partner[x->customer] = x->partner;
            if (x->kind == kind::attributed && want.touch.count(x->customer) && x->touch != want.touch.at(x->customer))
                return rp.id + ": customer " + x->customer + " attributed by touch \"" + x->touch + "\", expected \"" + want.touch.at(x->customer) + "\"";
        }
        for (const auto& [who, p] : want.partner)
            if (!partner.count(who) || partner[who] != p)
                return rp.id + ": customer " + who + " attributed to \"" + (partner.count(who) ? partner[who] : "(undecided)") + "\", expected \"" + p + "\"";
        if (partner.size() != want.partner.size()) return rp.id + ": decisions for customers who never converted";
        auto net = net_of(entries);
        for (const auto& [who, expected] : want.net) {
            const decimal got = net.count(who) ? net[who] : decimal();
            // After the program, refunds only lower targets, and a refused clawback keeps what was paid.
            if (want.inexact.count(who) ? got < expected : got != expected)
                return rp.id + ": customer " + who + " keeps " + money(got) + " of bounties, expected " + (want.inexact.count(who) ? "at least " : "") +
                       money(expected);
        }
    }
    return "";
}

/// The amounts of a result as text: equal results write the same digits (== compares values only).
std::string amounts(const result& r) {
    std::string out;
    for (const auto& x : r.referrals) out += x.amount.to_string() + " ";
    for (const auto& l : r.lines) out += l.amount.to_string() + " ";
    for (const auto& st : r.statements) out += st.exact.to_string() + " " + st.amount.to_string() + " ";
    return out;
}

/// Where two results differ ("" when equal, to the digits written).
std::string difference(const result& got, const result& expected) {
    if (got == expected) return amounts(got) == amounts(expected) ? "" : "the amounts are written with other digits";
    if (got.referrals != expected.referrals) {
        std::size_t k = 0;
        while (k < got.referrals.size() && k < expected.referrals.size() && got.referrals[k] == expected.referrals[k]) ++k;
        return "the story differs at entry " + std::to_string(k + 1);
    }
    return std::string("the ") + (got.lines != expected.lines ? "lines" : "statements or ledger") + " differ";
}

std::string check_determinism(const sequence& s, const result& expected) {
    dice r(s.seed ^ 0x5eed5eed5eedULL);
    std::vector<event> events = s.events;
    auto shuffle = [&] {
        for (std::size_t i = events.size(); i > 1; --i) std::swap(events[i - 1], events[r.below(i)]);
    };
    // The events shuffled, in one batch, one thread.
    shuffle();
    engine one(s.prog, the_catalog());
    one.add(events);
    if (auto why = difference(one.run(), expected); !why.empty()) return "shuffled: " + why;
    // Shuffled again, in 2-3 batches with a snapshot and a restore between them, 2 threads.
    shuffle();
    std::vector<std::size_t> cut = {r.below(events.size() + 1), r.below(events.size() + 1)};
    if (r.chance(50)) cut.pop_back();
    std::sort(cut.begin(), cut.end());
    std::vector<std::vector<event>> batches;
    std::size_t from = 0;
    for (std::size_t c : cut) batches.emplace_back(events.begin() + static_cast<std::ptrdiff_t>(from), events.begin() + static_cast<std::ptrdiff_t>(c)), from = c;
    batches.emplace_back(events.begin() + static_cast<std::ptrdiff_t>(from), events.end());
    if (auto why = difference(run_from(s, batches, 0, ""), expected); !why.empty())
        return "in " + std::to_string(batches.size()) + " batches with 2 threads: " + why;
    return "";
}

// ---- failures: reduced and printed ------------------------------------------------------------------------

using property = std::function<std::string(const sequence&)>;

/// A property of a sequence's plain run; a run that throws breaks it.
property of_run(std::function<std::string(const sequence&, const result&)> check) {
    return [check](const sequence& t) {
        result r;
        try {
            r = run_of(t);
        } catch (const std::exception& err) {
            return std::string("the run threw: ") + err.what();
        }
        return check(t, r);
    };
}

/// Removes events one at a time while the property still fails (sequences refused at intake do not
/// count as failing).
sequence reduce(sequence s, const property& fails) {
    auto still = [&](const sequence& t) {
        try {
            engine(t.prog, the_catalog()).add(t.events);
        } catch (const input_error&) {
            return false;
        }
        return !fails(t).empty();
    };
    for (std::size_t i = 0; i < s.events.size(); ++i) {
        sequence t = s;
        t.events.erase(t.events.begin() + static_cast<std::ptrdiff_t>(i));
        if (still(t)) s = std::move(t), i = static_cast<std::size_t>(-1);
    }
    return s;
}

std::string describe(const sequence& s) {
    std::string out = "seed " + std::to_string(s.seed) + "\n" + io::write_program(*s.prog) + "events:\n";
    for (const auto& e : s.events) {
        out += "  " + e.id + " " + e.kind + " " + e.on.to_string() + " " + (e.partner.empty() ? "-" : e.partner) + " " + money(e.amount);
        if (!e.reference.empty()) out += " ref=" + e.reference;
        for (const auto& [k, v] : e.attrs) out += " " + k + "=" + v;
        out += "\n";
    }
    return out;
}

struct tally {
    std::uint64_t failures = 0;
    std::string first;
    void record(const sequence& s, const std::string& why, const property& fails) {
        if (why.empty()) return;
        if (failures++ == 0) {
            const sequence small = reduce(s, fails);
            first = why + "\nreduced: " + fails(small) + "\n" + describe(small);
        }
    }
};

}  // namespace

// One loop over the sequences checks the five properties (each over every sequence): the plain run
// is the reference of the determinism property.
TEST_CASE("referral properties: reconciliation, lines, a reference model and determinism over random referral sequences") {
    const std::uint64_t n = setting("INCENTIVES_LEDGER_PROPERTY_CASES", 100'000), seed0 = setting("INCENTIVES_LEDGER_PROPERTY_SEED", 20270101);
    tally runs, entries, lines, reference, determinism;
    std::map<kind, std::uint64_t> seen;
    std::uint64_t events = 0, two_programs = 0, inexact = 0;
    const property runs_fail = of_run([](const sequence&, const result&) { return std::string(); });
    const property entries_fail = of_run(check_entries), lines_fail = of_run(check_lines), reference_fail = of_run(check_reference);
    const property determinism_fail = of_run(check_determinism);
    for (std::uint64_t i = 0; i < n; ++i) {
        const sequence s = generate(std::mt19937_64(seed0 + i)());
        events += s.events.size();
        two_programs += s.prog->referrals.size() > 1;
        result r;
        try {
            r = run_of(s);
        } catch (const std::exception& err) {
            runs.record(s, std::string("the run threw: ") + err.what(), runs_fail);
            continue;
        }
        for (const auto& x : r.referrals) ++seen[x.kind];
        for (const auto& rp : s.prog->referrals) inexact += expect(s, rp).inexact.size();
        entries.record(s, check_entries(s, r), entries_fail);
        lines.record(s, check_lines(s, r), lines_fail);
        reference.record(s, check_reference(s, r), reference_fail);
        determinism.record(s, check_determinism(s, r), determinism_fail);
    }
    MESSAGE(n << " sequences (" << two_programs << " with two referral programs), " << events << " events; entries: ignored " << seen[kind::ignored]
              << ", attributed " << seen[kind::attributed] << ", unattributed " << seen[kind::unattributed] << ", earned " << seen[kind::earned]
              << ", released " << seen[kind::released] << ", cancelled " << seen[kind::cancelled] << ", clawback " << seen[kind::clawback]
              << ", not_qualified " << seen[kind::not_qualified] << ", refused " << seen[kind::refused] << "; " << inexact
              << " customers with a refund after the program");
    CHECK_MESSAGE(runs.failures == 0, "runs: " << runs.failures << " failing sequences; first: " << runs.first);
    CHECK_MESSAGE(entries.failures == 0, "entries: " << entries.failures << " failing sequences; first: " << entries.first);
    CHECK_MESSAGE(lines.failures == 0, "lines: " << lines.failures << " failing sequences; first: " << lines.first);
    CHECK_MESSAGE(reference.failures == 0, "reference: " << reference.failures << " failing sequences; first: " << reference.first);
    CHECK_MESSAGE(determinism.failures == 0, "determinism: " << determinism.failures << " failing sequences; first: " << determinism.first);
    // The generator reaches every kind of entry (at the default count, each thousands of times).
    if (n >= 1000)
        for (kind k : {kind::ignored, kind::attributed, kind::unattributed, kind::earned, kind::released, kind::cancelled, kind::clawback,
                       kind::not_qualified, kind::refused})
            CHECK_MESSAGE(seen[k] > n / 100, "entries of kind " << to_string(k) << ": " << seen[k]);
}
