// Property tests of the points stage (engine/points.hpp): seeded random sequences of sales, returns,
// redemptions and cancellations under random points policies, each checked against what the ledger
// and the lots must be whatever the sequence.
//
// Each sequence is a program running 2027-01-01 to 2027-06-30 whose points are drawn from the policy
// space: whole points or 2 places; pending 0, 7, 14 or 30 days; no expiry, or 1-3 months or 20-60
// days, rounded to nothing, the month or the quarter; soonest-expiring or oldest first; returns
// pending_only, within_balance or unlimited; cancellations back into the lots or into a new lot with
// a window of 0 or 30 days. A points rule pays 10% (or 3.33%) of a person's sales per month or
// quarter, with a 60-day clawback (four sequences in five); one in five also pays its partner 1%.
// One in four has status levels by points earned (a calendar quarter or a rolling 2-3 months, grace 0
// or 1, down one level or to the measure, silver and gold multiplying by 1.25/1.5 or 2); one in four
// has activity rewards (welcome, a partner's welcome, birthdays, first sales of people and partners,
// courses by event and from the participants table); one in five has a second points rule gated by a
// certification valid 1-3 months (completion dates in the catalog).
// The shop: A at 50 points, B at 120 with a stock of 2, C at 35 (35.5 with places) limited to one a
// month. Its 4-30 events: sales by M1, S1 (P1) and M2 (P2); returns of earlier sales (all of what is
// left, half, a cent); redemptions of 1-2 items by a person or a partner; cancellations of earlier
// redemptions (some by another holder, some twice, some of ids never redeemed), on any day.
//
// Properties, each checked on every sequence:
//   runs          the run does not throw (the engine reconciles its ledger at every run);
//   conservation  every lot: earned + reinstated = redeemed + reversed + expired + left, none below
//                 zero; the liability as of the run's end and as of a random day reconciles (issued =
//                 redeemed + expired + reversed + outstanding, the sum of the holders' balances);
//   spent once    from the entries alone: no lot is ever drawn below zero; a redemption draws exactly
//                 its items' price from lots available that day and not past their last usable day;
//   expiry        a lot expires only after its last usable day, and none is left with points after
//                 it; every earned lot is a points rule's line (rule, holder, period), its points;
//   returns       pending_only takes back pending points only; only unlimited runs into a debt (and
//                 only when the holder's lots are empty); otherwise no balance goes below zero;
//   levels        each holder's changes chain (from the level it had), an upgrade's measure reaches its
//                 level's `from`, and a lot of a rule's line holds the line's points times the
//                 multiplier of some level, rounded as the program rounds;
//   rewards       at most one welcome and one first-sale bonus per holder, on the holder's
//                 `registered` day and on the day of its first sale in the program's dates (from
//                 the events); a course at most once per person;
//   determinism   the events shuffled, split into 1-3 batches with snapshot()/restore() between them,
//                 added and run with 2 threads, give the same result.
//
// Counts: INCENTIVES_LEDGER_PROPERTY_CASES sequences (default 100,000, as the other ledger
// properties), INCENTIVES_LEDGER_PROPERTY_SEED changes the base seed. A failure names the sequence's
// seed and prints its program and events.
#include <doctest/doctest.h>

#include <incentives/incentives.hpp>
#include <incentives/io/yaml.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "property_support.hpp"

using namespace incentives;
using property_support::dice;
using kind = points_entry::kind_t;

namespace {

date day_of(int d) { return date(2027, 1, 1).plus_days(d); }
constexpr int last_day = 180;  // 2027-06-30

const std::shared_ptr<const catalog>& the_catalog() {
    static const auto cat = std::make_shared<const catalog>(
        std::vector<partner>{{"P1", "Acme", "smb", "north", "eu", "gold", {{"registered", "2027-03-01"}}},
                             {"P2", "Beta", "smb", "south", "eu", "gold", {{"certified.CERT", "2027-02-01"}}}},
        std::vector<participant>{{"M1", "P1", "manager", date(1992, 2, 29), {{"registered", "2027-02-01"}}},
                                 {"S1", "P1", "specialist", date(1988, 3, 15), {{"certified.CERT", "2027-02-10"}}},
                                 {"M2", "P2", "manager", date(1980, 5, 20), {{"registered", "2027-01-15"}, {"certified.CERT", "2026-12-01"}}}},
        std::vector<product>{{"S100", "servers", {}}});
    return cat;
}
const std::map<std::string, std::string> partner_of = {{"M1", "P1"}, {"S1", "P1"}, {"M2", "P2"}, {"P1", "P1"}, {"P2", "P2"}};

struct sequence {
    std::uint64_t seed = 0;
    std::string yaml;
    std::shared_ptr<const program> prog;
    std::vector<event> events;
};

std::string random_program(dice& r) {
    const bool places = r.chance(30);
    std::string y = "program: Points properties\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-06-30}\npoints:\n  id: pts\n";
    if (places) y += "  places: 2\n";
    y += std::string("  value: ") + r.pick({"0.50", "0.01", "1"}) + "\n";
    if (int pending = r.pick({0, 7, 14, 30})) y += "  pending: {days: " + std::to_string(pending) + "}\n";
    if (!r.chance(20)) {
        const bool months = r.chance(60);
        y += "  expires: {after: " + std::to_string(months ? r.in(1, 3) : r.in(20, 60)) + ", unit: " + (months ? "month" : "day");
        y += std::string(r.pick({"", ", round_to: month", ", round_to: quarter"})) + "}\n";
    }
    y += std::string("  spend: ") + r.pick({"soonest_expiring", "oldest"}) + "\n";
    y += std::string("  returns: ") + r.pick({"pending_only", "within_balance", "unlimited"}) + "\n";
    y += std::string("  reinstate: ") + r.pick({"original", "original", "{days: 0}", "{days: 30}"}) + "\n";
    y += "  shop:\n    - {sku: A, price: 50}\n    - {sku: B, price: 120, stock: 2}\n";
    y += std::string("    - {sku: C, price: ") + (places ? "35.5" : "35") + ", limit: {count: 1, per: month}}\n";
    if (r.chance(25)) {
        const int silver = r.in(50, 2000);
        y += "  levels:\n    table:\n      - {name: bronze, from: 0}\n      - {name: silver, from: " + std::to_string(silver) + ", multiplier: " +
             r.pick({"1.25", "1.5"}) + "}\n      - {name: gold, from: " + std::to_string(silver * r.in(2, 5)) + ", multiplier: " +
             r.pick({"1.5", "2"}) + "}\n";
        y += r.chance(50) ? std::string("    window: quarter\n") : "    window: {rolling_months: " + std::to_string(r.in(2, 3)) + "}\n";
        y += "    grace: " + std::to_string(r.in(0, 1)) + "\n" + (r.chance(50) ? "    downgrade: to_measure\n" : "");
    }
    if (r.chance(25)) {
        y += "  rewards: {welcome: 20, partner_welcome: 30, birthday: 15, first_sale: 25, partner_first_sale: 35, course: 10, courses: {CERT: 40}";
        y += std::string(r.chance(50) ? ", feb29: mar1" : "") + "}\n";
    }
    y += "rules:\n  - {id: earn, pay: {rate: " + std::string(r.pick({"10%", "3.33%"})) + "}, per: [participant, " +
         r.pick({"month", "quarter"}) + "], points: pts" + (r.chance(80) ? ", clawback: {days: 60}" : "") + "}\n";
    if (r.chance(20)) y += "  - {id: partner_earn, pay: {rate: 1%}, per: [partner, month], points: pts, clawback: {days: 60}}\n";
    const bool gated = r.chance(20);
    if (gated) y += "  - {id: certified_earn, select: {certified: CERT}, pay: {rate: 5%}, per: [participant, month], points: pts}\n";
    y += "  - {id: rebate, pay: {rate: 1%}, per: [partner, quarter]}\n";
    if (gated) y += "certifications:\n  - {course: CERT, valid: {after: " + std::to_string(r.in(1, 3)) + ", unit: month}}\n";
    return y;
}

sequence generate(std::uint64_t seed) {
    dice r(seed);
    sequence s;
    s.seed = seed;
    s.yaml = random_program(r);
    s.prog = std::make_shared<const program>(io::read_program(s.yaml, "points.yaml"));
    struct sold {
        std::string id, partner;
        int day;
        std::int64_t left;  // cents not yet returned
    };
    std::vector<sold> sales;
    std::vector<std::pair<std::string, std::string>> redeemed;  // id, holder
    const int n = r.in(4, 30);
    for (int i = 0; i < n; ++i) {
        const std::string id = "e" + std::to_string(i);
        const auto what = r.below(100);
        if (what < 40 || sales.empty()) {
            const std::string who = r.pick(std::vector<std::string>{"M1", "S1", "M2"});
            const std::int64_t cents = r.in(1, 500000);
            const int day = r.in(0, last_day);
            event e;
            e.id = id;
            e.kind = "sale";
            e.on = day_of(day);
            e.partner = partner_of.at(who);
            e.sku = "S100";
            e.quantity = decimal(1);
            e.amount = decimal::from_units(cents, 2);
            e.participants = {{who, decimal(1)}};
            s.events.push_back(std::move(e));
            sales.push_back({id, partner_of.at(who), day, cents});
        } else if (what < 55) {
            auto& sale = sales[r.below(sales.size())];
            if (sale.left == 0) continue;
            const std::int64_t cents = r.pick({sale.left, std::max<std::int64_t>(1, sale.left / 2), std::int64_t{1}});
            sale.left -= cents;
            event e;
            e.id = id;
            e.kind = "return";
            e.on = day_of(std::min(last_day, sale.day + r.in(0, 90)));
            e.partner = sale.partner;
            e.reference = sale.id;
            e.amount = decimal::from_units(cents, 2);
            s.events.push_back(std::move(e));
        } else if (what < 85 || redeemed.empty()) {
            const std::string who = r.pick(std::vector<std::string>{"M1", "S1", "M2", "M1", "P1", "P2"});
            event e;
            e.id = id;
            e.kind = "redemption";
            e.on = day_of(r.in(0, last_day));
            e.partner = partner_of.at(who);
            if (who[0] != 'P') e.participants = {{who, decimal(1)}};
            e.attrs["item"] = r.pick(std::vector<std::string>{"A", "B", "C"});
            if (r.chance(30)) e.quantity = decimal(2);
            s.events.push_back(std::move(e));
            redeemed.emplace_back(id, who);
        } else if (what >= 95) {
            const std::string who = r.pick(std::vector<std::string>{"M1", "S1", "M2"});
            event e;
            e.id = id;
            e.kind = "course_completed";
            e.on = day_of(r.in(0, last_day));
            e.partner = partner_of.at(who);
            e.participants = {{who, decimal(1)}};
            e.attrs["course"] = r.pick(std::vector<std::string>{"CERT", "BASICS"});
            s.events.push_back(std::move(e));
        } else {
            auto [of, holder] = r.chance(90) ? redeemed[r.below(redeemed.size())] : std::pair<std::string, std::string>{"nothing", "M1"};
            if (r.chance(10)) holder = holder == "M1" ? "S1" : "M1";
            event e;
            e.id = id;
            e.kind = "redemption_cancel";
            e.on = day_of(r.in(0, last_day));
            e.partner = partner_of.at(holder);
            if (holder[0] != 'P') e.participants = {{holder, decimal(1)}};
            e.reference = of;
            s.events.push_back(std::move(e));
        }
    }
    return s;
}

result run_of(const sequence& s) {
    engine e(s.prog, the_catalog());
    e.add(s.events);
    return e.run();
}

std::string lot_name(const points_lot& l) { return "lot " + std::to_string(l.number) + " of " + l.holder; }
std::string entry_name(const points_entry& e) {
    return "entry " + std::to_string(e.number) + " (" + std::string(to_string(e.kind)) + " " + e.holder + " " + e.on.to_string() + ")";
}

std::string check_conservation(const sequence& s, const result& res) {
    for (const auto& l : res.lots) {
        for (const decimal* x : {&l.earned, &l.reinstated, &l.redeemed, &l.reversed, &l.expired, &l.left})
            if (x->signum() < 0) return lot_name(l) + ": a part below zero";
        if (!(l.earned + l.reinstated == l.redeemed + l.reversed + l.expired + l.left))
            return lot_name(l) + ": earned + reinstated != redeemed + reversed + expired + left";
    }
    dice r(s.seed ^ 0xabcdefULL);
    for (date as_of : {day_of(r.in(0, last_day)), day_of(last_day + 400)}) {
        points_liability l;
        try {
            l = points_liability_as_of(*s.prog, res.points, as_of);
        } catch (const std::exception& err) {
            return "the liability as of " + as_of.to_string() + " throws: " + err.what();
        }
        if (!(l.issued == l.redeemed + l.expired + l.reversed + l.outstanding)) return "issued != redeemed + expired + reversed + outstanding";
        decimal balances = l.outstanding - l.outstanding;
        for (const auto& b : points_balances(res.points, as_of)) balances += b.balance;
        if (!(balances == l.outstanding)) return "the holders' balances as of " + as_of.to_string() + " do not add up to the outstanding points";
    }
    return "";
}

std::string check_spent_once(const sequence& s, const result& r) {
    std::map<std::uint64_t, const points_entry*> opener;
    std::map<std::uint64_t, decimal> left;
    std::map<std::string, decimal> drawn;  // redemption id -> points drawn
    for (const auto& e : r.points) {
        if (e.lot == e.number) {
            opener[e.number] = &e;
            left[e.number] = e.points;
            continue;
        }
        if (e.lot == 0) continue;
        if (!opener.contains(e.lot)) return entry_name(e) + " names a lot not opened before it";
        const auto& o = *opener[e.lot];
        if (o.holder != e.holder || o.holder_type != e.holder_type) return entry_name(e) + " draws on another holder's lot";
        left[e.lot] += e.points;
        if (left[e.lot].signum() < 0) return entry_name(e) + " draws its lot below zero";
        if (e.kind == kind::redeemed) {
            if (o.available_on && e.on < *o.available_on) return entry_name(e) + " spends pending points";
            if (o.expires && *o.expires < e.on) return entry_name(e) + " spends points past their last usable day";
            drawn[e.event] -= e.points;
        }
    }
    const auto& shop = s.prog->points->shop;
    for (const auto& e : s.events) {
        if (e.kind != "redemption" || !drawn.contains(e.id)) continue;
        decimal price;
        for (const auto& it : shop)
            if (it.sku == e.attrs.at("item")) price = it.price;
        const decimal cost = price * (e.quantity.is_zero() ? decimal(1) : e.quantity);
        if (!(drawn[e.id] == cost)) return "redemption " + e.id + " drew " + drawn[e.id].to_string() + " for a cost of " + cost.to_string();
    }
    return "";
}

bool is_reward(const std::string& event) {
    for (const char* prefix : {"welcome/", "partner_welcome/", "birthday/", "first_sale/", "partner_first_sale/", "course/"})
        if (event.starts_with(prefix)) return true;
    return false;
}

std::string check_expiry(const sequence& s, const result& r) {
    std::map<std::uint64_t, const points_entry*> opener;
    for (const auto& e : r.points) {
        if (e.lot == e.number) opener[e.number] = &e;
        if (e.kind != kind::expired) continue;
        const auto& o = *opener[e.lot];
        if (!o.expires || !(*o.expires < e.on)) return entry_name(e) + " expires a lot before its last usable day";
    }
    date horizon = s.prog->cal.to();
    for (const auto& e : s.events) horizon = std::max(horizon, e.on);
    for (const auto& l : r.lots)
        if (l.expires && *l.expires < horizon && l.left.signum() != 0) return lot_name(l) + " keeps points after its last usable day";
    // Every earned lot is an activity reward or one points rule's line (rule, holder, period) and holds
    // its points (times a level's multiplier, rounded as the program rounds).
    std::map<std::string, decimal> accruals;
    for (const auto& l : r.lines)
        if (l.currency == "pts" && l.kind == payout_line::kind_t::accrual) accruals[l.rule + "/" + l.beneficiary + "/" + l.period] += l.amount;
    std::vector<decimal> multipliers{decimal(1)};
    if (s.prog->points->levels)
        for (const auto& lv : s.prog->points->levels->table) multipliers.push_back(lv.multiplier);
    std::set<std::string> course_events;
    for (const auto& e : s.events)
        if (e.kind == "course_completed") course_events.insert(e.id);
    std::size_t earned = 0;
    for (const auto& e : r.points) {
        if (e.kind != kind::earned || course_events.contains(e.event) || is_reward(e.event)) continue;
        ++earned;
        auto it = accruals.find(e.event);
        if (it == accruals.end()) return entry_name(e) + " is no line's lot";
        const decimal line = it->second.rescale(s.prog->points->places, s.prog->rounding.mode);
        bool matches = false;
        for (const auto& m : multipliers) matches = matches || (line * m).rescale(s.prog->points->places, s.prog->rounding.mode) == e.points;
        if (!matches) return entry_name(e) + " is not its line's points times a level's multiplier";
    }
    std::size_t positive = 0;
    for (const auto& [key, points] : accruals) positive += points.signum() > 0;
    if (earned != positive) return std::to_string(positive) + " lines of points, " + std::to_string(earned) + " lots earned";
    return "";
}

std::string check_levels(const sequence& s, const result& r) {
    if (!s.prog->points->levels) return r.levels.empty() ? "" : "level changes without levels";
    const auto& table = s.prog->points->levels->table;
    std::map<std::string, std::string> level;  // holder -> its level
    for (const auto& c : r.levels) {
        auto [it, fresh] = level.try_emplace(c.holder, table.front().name);
        if (c.previous != it->second) return "level change " + std::to_string(c.number) + " of " + c.holder + " from " + c.previous + ", not " + it->second;
        std::size_t to = 0;
        while (to < table.size() && table[to].name != c.level) ++to;
        if (to == table.size()) return "level change " + std::to_string(c.number) + " to an unknown level";
        if (c.up && c.measure < table[to].from) return "an upgrade of " + c.holder + " below its level's from";
        it->second = c.level;
    }
    return "";
}

std::string check_rewards(const sequence& s, const result& r) {
    const auto& rw = s.prog->points->rewards;
    // The oracle: each person's and partner's first sale inside the program's dates, from the events.
    std::map<std::string, date> first;
    for (const auto& e : s.events) {
        if (e.kind != "sale" || !s.prog->cal.contains(e.on)) continue;
        for (const std::string& who : {e.partner, e.participants.front().participant})
            if (!first.contains(who) || e.on < first[who]) first[who] = e.on;
    }
    std::map<std::string, int> welcomes, first_sales;
    std::set<std::pair<std::string, std::string>> courses;
    std::map<std::string, std::string> course_of;
    for (const auto& e : s.events)
        if (e.kind == "course_completed") course_of[e.id] = e.attrs.at("course");
    for (const auto& e : r.points) {
        if (e.kind != kind::earned) continue;
        if (e.event.starts_with("welcome/") || e.event.starts_with("partner_welcome/")) {
            if (++welcomes[e.holder] > 1) return entry_name(e) + ": a second welcome";
            const auto& attrs = e.holder_type == rules::credit::to_t::partner ? the_catalog()->partners()[*the_catalog()->partner_index(e.holder)].attrs
                                                                              : the_catalog()->participants()[*the_catalog()->participant_index(e.holder)].attrs;
            if (attrs.at("registered") != e.on.to_string()) return entry_name(e) + ": a welcome not on the registration day";
        }
        if (e.event.starts_with("first_sale/") || e.event.starts_with("partner_first_sale/")) {
            if (!rw.first_sales()) return entry_name(e) + ": a first-sale bonus the program does not declare";
            if (++first_sales[e.holder] > 1) return entry_name(e) + ": a second first-sale bonus";
            if (!first.contains(e.holder) || !(first[e.holder] == e.on)) return entry_name(e) + ": not on the holder's first sale";
        }
        std::string course;
        if (auto it = course_of.find(e.event); it != course_of.end()) course = it->second;
        if (e.event.starts_with("course/")) course = e.event.substr(e.event.rfind('/') + 1);
        if (!course.empty() && !courses.insert({e.holder, course}).second) return entry_name(e) + ": course " + course + " paid twice";
    }
    if (rw.first_sale || rw.partner_first_sale)
        for (const auto& [who, on] : first) {
            const bool partner = who[0] == 'P';
            if ((partner ? rw.partner_first_sale : rw.first_sale) && !first_sales.contains(who)) return who + " has no first-sale bonus";
        }
    return "";
}

std::string check_returns(const sequence& s, const result& r) {
    using policy = rules::points_program::returns_t;
    const auto returns = s.prog->points->returns;
    std::map<std::uint64_t, const points_entry*> opener;
    for (const auto& e : r.points) {
        if (e.lot == e.number) opener[e.number] = &e;
        if (e.kind == kind::reversed && returns == policy::pending_only) {
            const auto& o = *opener[e.lot];
            if (!o.available_on || !(e.on < *o.available_on)) return entry_name(e) + " takes back available points under pending_only";
        }
        if (e.kind == kind::debt && returns != policy::unlimited) return entry_name(e) + ": a debt under " + std::string(to_string(returns));
        if (returns != policy::unlimited && e.balance_after.signum() < 0) return entry_name(e) + ": a balance below zero";
    }
    // Under unlimited, a debt comes only when the holder's lots are empty: its balance is minus its debt.
    for (const auto& e : r.points)
        if (e.kind == kind::debt) {
            decimal lots = e.points - e.points;
            for (const auto& l : points_balances(std::span(r.points.data(), e.number), e.on))
                if (l.holder == e.holder) lots = l.balance + l.debt;
            if (lots.signum() != 0) return entry_name(e) + ": a debt while the holder's lots hold " + lots.to_string();
        }
    return "";
}

std::string check_determinism(const sequence& s, const result& expected) {
    dice r(s.seed ^ 0x5eed5eed5eedULL);
    const result got = property_support::shuffled_run(r, s.prog, the_catalog(), s.events);
    if (got.points != expected.points) return "the points ledger differs";
    if (got.lots != expected.lots) return "the lots differ";
    if (got.lines != expected.lines) return "the lines differ";
    return "";
}

std::string describe(const sequence& s) {
    std::string out = "seed " + std::to_string(s.seed) + "\n" + s.yaml + "events:\n";
    for (const auto& e : s.events) {
        out += "  " + e.id + " " + e.kind + " " + e.on.to_string() + " " + e.partner + " " + e.amount.to_string();
        for (const auto& c : e.participants) out += " " + c.participant;
        if (!e.reference.empty()) out += " ref=" + e.reference;
        for (const auto& [k, v] : e.attrs) out += " " + k + "=" + v;
        out += "\n";
    }
    return out;
}

struct tally {
    std::uint64_t failures = 0;
    std::string first;
    void record(const sequence& s, const std::string& why) {
        if (!why.empty() && failures++ == 0) first = why + "\n" + describe(s);
    }
};

}  // namespace

TEST_CASE("points properties: conservation, nothing spent twice, expiry, returns policies and determinism over random sequences") {
    const std::uint64_t n = property_support::setting("INCENTIVES_LEDGER_PROPERTY_CASES", 100'000);
    const std::uint64_t seed0 = property_support::setting("INCENTIVES_LEDGER_PROPERTY_SEED", 20270101);
    tally runs, conservation, spent_once, expiry, returns, levels, rewards, determinism;
    std::map<kind, std::uint64_t> seen;
    std::uint64_t events = 0, level_changes = 0, gated = 0, first_sale_bonuses = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        const sequence s = generate(std::mt19937_64(seed0 + i)());
        events += s.events.size();
        result r;
        try {
            r = run_of(s);
        } catch (const std::exception& err) {
            runs.record(s, std::string("the run threw: ") + err.what());
            continue;
        }
        for (const auto& x : r.points) ++seen[x.kind];
        conservation.record(s, check_conservation(s, r));
        spent_once.record(s, check_spent_once(s, r));
        expiry.record(s, check_expiry(s, r));
        returns.record(s, check_returns(s, r));
        levels.record(s, check_levels(s, r));
        rewards.record(s, check_rewards(s, r));
        level_changes += r.levels.size();
        for (const auto& x : r.points) {
            gated += x.event.starts_with("certified_earn/");
            first_sale_bonuses += x.event.starts_with("first_sale/") || x.event.starts_with("partner_first_sale/");
        }
        determinism.record(s, check_determinism(s, r));
    }
    MESSAGE(n << " sequences, " << events << " events; entries: earned " << seen[kind::earned] << ", repaid " << seen[kind::repaid]
              << ", reversed " << seen[kind::reversed] << ", debt " << seen[kind::debt] << ", forgiven " << seen[kind::forgiven]
              << ", redeemed " << seen[kind::redeemed] << ", reinstated " << seen[kind::reinstated] << ", refused " << seen[kind::refused]
              << ", expired " << seen[kind::expired] << "; level changes " << level_changes
              << ", first-sale bonuses " << first_sale_bonuses << ", entries of the certified rule " << gated);
    CHECK_MESSAGE(runs.failures == 0, "runs: " << runs.failures << " failing; first: " << runs.first);
    CHECK_MESSAGE(conservation.failures == 0, "conservation: " << conservation.failures << " failing; first: " << conservation.first);
    CHECK_MESSAGE(spent_once.failures == 0, "spent once: " << spent_once.failures << " failing; first: " << spent_once.first);
    CHECK_MESSAGE(expiry.failures == 0, "expiry: " << expiry.failures << " failing; first: " << expiry.first);
    CHECK_MESSAGE(returns.failures == 0, "returns: " << returns.failures << " failing; first: " << returns.first);
    CHECK_MESSAGE(levels.failures == 0, "levels: " << levels.failures << " failing; first: " << levels.first);
    CHECK_MESSAGE(rewards.failures == 0, "rewards: " << rewards.failures << " failing; first: " << rewards.first);
    CHECK_MESSAGE(determinism.failures == 0, "determinism: " << determinism.failures << " failing; first: " << determinism.first);
    // The generator reaches every kind of entry.
    if (n >= 1000)
        for (kind k : {kind::earned, kind::repaid, kind::reversed, kind::debt, kind::forgiven, kind::redeemed, kind::reinstated, kind::refused,
                       kind::expired})
            CHECK_MESSAGE(seen[k] > n / 200, "entries of kind " << to_string(k) << ": " << seen[k]);
    if (n >= 1000) {
        CHECK_MESSAGE(level_changes > n / 100, "level changes: " << level_changes);
        CHECK_MESSAGE(first_sale_bonuses > n / 100, "first-sale bonuses: " << first_sale_bonuses);
        CHECK_MESSAGE(gated > n / 100, "entries of the certified rule: " << gated);
    }
}
