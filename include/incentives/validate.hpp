// validate(program): every invariant of a program, checked before anything runs — tier order, gaps
// and overlaps, schedule kinds against measures, negative values, combinator shapes, version order,
// limits and their periods, rounding point against schedules. Definitions, compiled once into the
// library (src/incentives.cpp); header-only users get them through program.hpp.
#pragma once

#include <algorithm>
#include <set>
#include <string>

#include <incentives/detail/suggest.hpp>
#include <incentives/program.hpp>

namespace incentives {

namespace detail {

/// Whether a selector tests partner fields only (eligibility conditions).
inline bool only_partner_fields(const rules::selector& s) {
    if (s.kind() == rules::selector::op::in || s.kind() == rules::selector::op::range)
        return s.target().of == rules::field::scope::partner;
    if (s.kind() == rules::selector::op::dates || s.kind() == rules::selector::op::certified) return false;
    for (const auto& c : s.children())
        if (!only_partner_fields(c)) return false;
    return true;
}

/// Whether a measure looks back at earlier periods of the rule's own unit.
inline bool looks_back(const rules::measure& m) {
    return m.over && m.over->baseline != rules::growth::baseline_kind::attribute;
}

[[noreturn]] inline void invalid(const program& p, const std::string& path, const std::string& what) {
    throw validation_error("incentives.validation." + what.substr(0, what.find(':')),
                           "program \"" + p.name + "\" " + path + ": " + what.substr(what.find(':') + 2));
}

/// A budget is shared out in the currency's minor units (pro rata, first come): one finer than them
/// could not be paid out exactly.
inline void check_budget_places(const program& p, const std::string& path, const decimal& amount) {
    const int minor = p.currency_.minor_units();
    if (amount.normalized().scale() > minor)
        invalid(p, path, "budget: " + amount.to_string() + " has more decimal places than " + std::string(p.currency_.code()) +
                             " pays (" + std::to_string(minor) + "); a budget is shared out in minor units");
}

/// The top-level rule with id `id`; a missing one is invalid at `path`, with a did-you-mean. `what`
/// is the message's family ("contest: ").
inline const rules::rule& rule_named(const program& p, const std::string& path, const std::string& id, const std::string& what) {
    const auto it = std::find_if(p.rules.begin(), p.rules.end(), [&](const rules::rule& r) { return r.id == id; });
    if (it == p.rules.end()) {
        std::vector<std::string_view> ids;
        for (const auto& r : p.rules) ids.push_back(r.id);
        invalid(p, path, what + "no rule \"" + id + "\"" + did_you_mean(id, ids));
    }
    return *it;
}

inline void validate_fund(const program& p, const std::string& path, const rules::fund& f, std::set<std::string>& ids) {
    if (f.id.empty()) invalid(p, path, "fund: every fund needs an id");
    if (!ids.insert(f.id).second) invalid(p, path, "fund: duplicate fund id \"" + f.id + "\"");
    if (f.reimbursement.signum() <= 0 || decimal(1) < f.reimbursement)
        invalid(p, path + ".reimbursement", "fund: the reimbursement is a part of the approved cost above 0% and at most 100%, got " +
                                                f.reimbursement.to_string());
    if (f.claim_days < 0 || f.claim_days > 3660) invalid(p, path + ".claim_days", "fund: claim_days is 0..3660");
    if (f.expires) {
        if (f.expires->after < 0 || f.expires->after > 1200) invalid(p, path + ".expires", "fund: expires.after is 0..1200 units");
        if (f.expires->round_to && (*f.expires->round_to == period_unit::program || *f.expires->round_to == period_unit::custom))
            invalid(p, path + ".expires", "fund: expires rounds to the end of a month, quarter, half or year");
    }
    if (f.budget) {
        if (f.budget->amount.signum() < 0) invalid(p, path + ".budget", "budget: a budget below zero (" + f.budget->amount.to_string() + ")");
        check_budget_places(p, path + ".budget", f.budget->amount);
        if (f.budget->per == period_unit::custom && p.cal.custom_periods().empty())
            invalid(p, path + ".budget", "period: the fund's budget is per custom period but the program defines none");
    }
}

inline void validate_points(const program& p, const rules::points_program& pp) {
    const std::string path = "points", what = "points: ";
    if (pp.id.empty()) invalid(p, path + ".id", what + "the points need an id (rules name it: points: <id>)");
    if (pp.id == p.currency_.code()) invalid(p, path + ".id", what + "the id \"" + pp.id + "\" is the program's currency: points are not money");
    for (const auto& r : p.rules)
        if (r.id == pp.id) invalid(p, path + ".id", what + "the id \"" + pp.id + "\" is a rule's id too");
    if (pp.places < 0 || pp.places > 6) invalid(p, path + ".places", what + "places is 0..6, got " + std::to_string(pp.places));
    if (pp.value.signum() < 0) invalid(p, path + ".value", what + "the value of a point is at least 0, got " + pp.value.to_string());
    if (pp.value.normalized().scale() > 18) invalid(p, path + ".value", what + "the value of a point has at most 18 decimal places");
    if (pp.pending_days < 0 || pp.pending_days > 3660) invalid(p, path + ".pending_days", what + "pending_days is 0..3660");
    if (pp.expires) {
        if (pp.expires->after < 1 || pp.expires->after > 1200) invalid(p, path + ".expires", what + "expires.after is 1..1200 units");
        if (pp.expires->round_to && (*pp.expires->round_to == period_unit::program || *pp.expires->round_to == period_unit::custom))
            invalid(p, path + ".expires", what + "expires rounds to the end of a month, quarter, half or year");
    }
    if (pp.reinstate_days && (*pp.reinstate_days < 0 || *pp.reinstate_days > 3660))
        invalid(p, path + ".reinstate", what + "the reinstatement window is 0..3660 days");
    if (pp.breakage && (pp.breakage->signum() < 0 || !(*pp.breakage < decimal(1))))
        invalid(p, path + ".breakage", what + "breakage is a share at least 0 and below 1, got " + pp.breakage->to_string());
    if (pp.levels) {
        const auto& lv = *pp.levels;
        const std::string at = path + ".levels";
        if (lv.table.empty()) invalid(p, at + ".table", what + "levels need a table, lowest first");
        std::set<std::string> names;
        for (std::size_t i = 0; i < lv.table.size(); ++i) {
            const auto& l = lv.table[i];
            const std::string row = at + ".table[" + std::to_string(i) + "]";
            if (l.name.empty() || !names.insert(l.name).second) invalid(p, row + ".name", what + "every level needs a name of its own");
            if (i == 0 && l.from.signum() != 0) invalid(p, row + ".from", what + "the lowest level starts from 0 (every holder starts there)");
            if (i > 0 && !(lv.table[i - 1].from < l.from))
                invalid(p, row + ".from", what + "levels go up: from " + l.from.to_string() + " is not above the level before");
            if (l.multiplier.signum() <= 0 || decimal(100) < l.multiplier)
                invalid(p, row + ".multiplier", what + "a multiplier above 0 and at most 100, got " + l.multiplier.to_string());
        }
        if (lv.rolling_months == 0 && (lv.window == period_unit::program || lv.window == period_unit::custom))
            invalid(p, at + ".window", what + "the window is a month, quarter, half or year, or {rolling_months: N}");
        if (lv.review == period_unit::program || lv.review == period_unit::custom)
            invalid(p, at + ".review", what + "reviews are at the end of each month, quarter, half or year");
        if (!lv.rule.empty()) {
            auto r = std::find_if(p.rules.begin(), p.rules.end(), [&](const rules::rule& x) { return x.id == lv.rule; });
            std::vector<std::string> ids;
            for (const auto& x : p.rules) ids.push_back(x.id);
            if (r == p.rules.end())
                invalid(p, at + ".measure", what + "the levels count the measure of rule \"" + lv.rule + "\", which the program does not have" +
                                                did_you_mean(lv.rule, ids));
            else if (r->credit_.to == rules::credit::to_t::program)
                invalid(p, at + ".measure", what + "rule \"" + lv.rule + "\" credits the program as a whole: levels are a holder's");
        }
    }
    auto reward = [&](const std::optional<decimal>& x, const std::string& at) {
        if (x && (x->signum() < 0 || x->normalized().scale() > pp.places))
            invalid(p, path + ".rewards." + at, what + "a reward is at least 0 points with at most " + std::to_string(pp.places) +
                                                     " decimal places, got " + x->to_string());
    };
    reward(pp.rewards.welcome, "welcome");
    reward(pp.rewards.partner_welcome, "partner_welcome");
    reward(pp.rewards.first_sale, "first_sale");
    reward(pp.rewards.partner_first_sale, "partner_first_sale");
    reward(pp.rewards.birthday, "birthday");
    reward(pp.rewards.course, "course");
    for (const auto& [id, points] : pp.rewards.courses) reward(points, "courses." + id);
    std::set<std::string> skus;
    for (std::size_t i = 0; i < pp.shop.size(); ++i) {
        const auto& it = pp.shop[i];
        const std::string at = path + ".shop[" + std::to_string(i) + "]";
        if (it.sku.empty()) invalid(p, at + ".sku", what + "every shop item needs a sku");
        if (!skus.insert(it.sku).second) invalid(p, at + ".sku", what + "the sku \"" + it.sku + "\" is listed twice");
        if (it.price.signum() <= 0) invalid(p, at + ".price", what + "a price above 0 points, got " + it.price.to_string());
        if (it.price.normalized().scale() > pp.places)
            invalid(p, at + ".price", what + "the price " + it.price.to_string() + " has more decimal places than the points (" +
                                          std::to_string(pp.places) + ")");
        if (it.stock && *it.stock < 0) invalid(p, at + ".stock", what + "the stock is at least 0");
        if (it.limit && *it.limit < 1) invalid(p, at + ".limit", what + "the limit is at least 1 item per period");
        if (it.limit_per == period_unit::custom && p.cal.custom_periods().empty())
            invalid(p, at + ".limit", "period: the limit is per custom period but the program defines none");
    }
}

inline void validate_deals(const program& p, const rules::deal_registration& d) {
    const std::string path = "deal_registration";
    if (d.id.empty()) invalid(p, path, "deal_registration: the deal registration needs an id (it names its payout lines)");
    for (const auto& r : p.rules)
        if (r.id == d.id) invalid(p, path, "deal_registration: its id \"" + d.id + "\" is a rule's id too");
    if (d.window.count < 1 || d.window.count > 3660) invalid(p, path + ".window", "deal_registration: the window is 1..3660 days or months");
    if (d.max_extensions < 0 || d.max_extensions > 100) invalid(p, path + ".extension", "deal_registration: extension.max is 0..100");
    if (d.max_extensions > 0 && (d.extension.count < 1 || d.extension.count > 3660))
        invalid(p, path + ".extension", "deal_registration: an extension is 1..3660 days or months");
    if (d.bonus_rate && (d.bonus_rate->signum() < 0 || decimal(1) < *d.bonus_rate))
        invalid(p, path + ".bonus", "deal_registration: the bonus rate is 0% to 100%, got " + d.bonus_rate->to_string());
    auto money = [&](const decimal& amount, const std::string& at, const std::string& what) {
        if (amount.signum() < 0) invalid(p, at, "deal_registration: " + what + " below zero (" + amount.to_string() + ")");
        if (amount.normalized().scale() > p.currency_.minor_units())
            invalid(p, at, "deal_registration: " + what + " " + amount.to_string() + " has more decimal places than " +
                               std::string(p.currency_.code()) + " pays");
    };
    if (d.bonus_fixed) money(*d.bonus_fixed, path + ".bonus", "the fixed bonus");
    std::set<std::string> names;
    for (const auto& [name, reward] : d.stages) {
        if (name.empty() || !names.insert(name).second)
            invalid(p, path + ".stages", "deal_registration: stage names are unique and not empty (\"" + name + "\")");
        money(reward, path + ".stages." + name, "the reward of stage " + name);
    }
    if (d.per == period_unit::custom && p.cal.custom_periods().empty())
        invalid(p, path + ".per", "period: deal registration lines are per custom period but the program defines none");
}

/// Whether a selector names one of `kinds` in an `in` on the event kind.
inline bool names_kind(const rules::selector& s, std::initializer_list<std::string_view> kinds) {
    if (s.kind() == rules::selector::op::in && s.target().of == rules::field::scope::event && s.target().name == "kind")
        for (const auto& v : s.values())
            if (std::find(kinds.begin(), kinds.end(), v) != kinds.end()) return true;
    for (const auto& c : s.children())
        if (names_kind(c, kinds)) return true;
    return false;
}

inline void validate_referral(const program& p, const std::string& path, const rules::referral_program& rp, std::set<std::string>& ids) {
    const std::string what = "referrals: ";
    if (rp.id.empty()) invalid(p, path + ".id", what + "a referral program needs an id (it names its payout lines)");
    if (!ids.insert(rp.id).second) invalid(p, path + ".id", what + "the id \"" + rp.id + "\" is taken by another rule or program");
    if (rp.window_days < 1 || rp.window_days > 365)
        invalid(p, path + ".window", what + "the attribution window is 1..365 days, got " + std::to_string(rp.window_days));
    if (rp.hold_days < 0 || rp.hold_days > 3660) invalid(p, path + ".hold", what + "the hold is 0..3660 days, got " + std::to_string(rp.hold_days));
    const auto& b = rp.bounty;
    if (!b.per_signup && !b.per_customer && !b.rate)
        invalid(p, path + ".bounty", what + "a bounty needs per_signup, per_customer or rate");
    auto money = [&](const decimal& amount, const std::string& at, const std::string& name) {
        if (amount.signum() < 0) invalid(p, at, what + name + " below zero (" + amount.to_string() + ")");
        if (amount.normalized().scale() > p.currency_.minor_units())
            invalid(p, at, what + name + " " + amount.to_string() + " has more decimal places than " + std::string(p.currency_.code()) + " pays");
    };
    if (b.per_signup) money(*b.per_signup, path + ".bounty.per_signup", "per_signup");
    if (b.per_customer) money(*b.per_customer, path + ".bounty.per_customer", "per_customer");
    if (b.min_spend.signum() < 0) invalid(p, path + ".bounty.min_spend", what + "min_spend below zero (" + b.min_spend.to_string() + ")");
    if (b.rate && (b.rate->signum() <= 0 || decimal(1) < *b.rate))
        invalid(p, path + ".bounty.rate", what + "the rate is above 0% and at most 100%, got " + b.rate->to_string());
    if (b.months < 0 || b.months > 120) invalid(p, path + ".bounty.months", what + "months is 0..120, got " + std::to_string(b.months));
    if (b.months > 0 && !b.rate) invalid(p, path + ".bounty.months", what + "months counts payments for a rate: declare rate too");
    if (b.spend_over == rules::bounty::spend_t::months && b.months == 0)
        invalid(p, path + ".bounty.min_spend_over", what + "a minimum spend over months needs months above 0");
    if (!rp.fund.empty() && std::none_of(p.funds.begin(), p.funds.end(), [&](const rules::fund& f) { return f.id == rp.fund; }))
        invalid(p, path + ".fund", what + "credits fund \"" + rp.fund + "\", which the program does not declare");
    if (rp.per == period_unit::custom && p.cal.custom_periods().empty())
        invalid(p, path + ".per", "period: referral lines are per custom period but the program defines none");
}

inline void validate_tiers(const program& p, const std::string& path, const rules::tier_table& t) {
    if (t.rows.empty()) invalid(p, path, "tiers: a tier table needs at least one row");
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const auto& row = t.rows[i];
        std::string at = path + ".table[" + std::to_string(i) + "]";
        if (row.from.signum() < 0 && t.basis == rules::tier_table::basis_t::marginal)
            invalid(p, at, "tier_bounds: a marginal band cannot start below zero (from " + row.from.to_string() + ")");
        if (row.value.signum() < 0) invalid(p, at, "tier_value: a tier pays a negative value (" + row.value.to_string() + ")");
        if (row.to && !(row.from < *row.to))
            invalid(p, at, "tier_bounds: empty band [" + row.from.to_string() + ", " + row.to->to_string() + ")");
        if (i + 1 < t.rows.size()) {
            const auto& next = t.rows[i + 1];
            if (!(row.from < next.from))
                invalid(p, path + ".table[" + std::to_string(i + 1) + "]",
                        "tier_order: tiers must be in increasing order of 'from' (" + next.from.to_string() +
                            " after " + row.from.to_string() + ")");
            if (row.to && *row.to < next.from)
                invalid(p, at, "tier_gap: a gap between " + row.to->to_string() + " and the next tier's from " +
                                   next.from.to_string() + " (bounds are half-open [from, to))");
            if (row.to && next.from < *row.to)
                invalid(p, at, "tier_overlap: band [" + row.from.to_string() + ", " + row.to->to_string() +
                                   ") overlaps the next tier, which starts at " + next.from.to_string());
        }
    }
    if (t.basis == rules::tier_table::basis_t::marginal && t.on)
        invalid(p, path, "tier_basis: marginal tiers band the rule's own measure; 'on' is only for retroactive tiers");
}

inline void validate_version_parts(const program& p, const std::string& path, const rules::schedule& pay,
                                   const rules::threshold& qualify, const std::optional<rules::accelerator>& acc,
                                   const std::vector<rules::limit>& limits, const rules::rule& r) {
    using kind = rules::schedule::kind_t;
    using mk = rules::measure::kind_t;
    if (pay.kind == kind::tiers) validate_tiers(p, path + ".tiers", pay.tiers_);
    auto tier_on = [](const rules::schedule& s) {
        return s.kind == kind::tiers ? s.tiers_.on : std::optional<rules::measure>();
    };
    if (tier_on(pay) != tier_on(r.pay))
        invalid(p, path, "version: versions of a rule pick tiers by the same measure (tiers.on) as the rule");
    if (pay.kind == kind::tiers && pay.tiers_.on) {
        const auto& on = *pay.tiers_.on;
        if (on.kind == r.measure_.kind ? on.attribute != r.measure_.attribute
                                       : (on.kind == mk::distinct || on.kind == mk::attribute))
            invalid(p, path + ".tiers.on", "tier_basis: a tier measure of another kind than the rule's must be amount, "
                                           "quantity or count; of the same kind it must measure the same attribute");
        if (looks_back(on) && (r.per == period_unit::custom || r.per == period_unit::program))
            invalid(p, path + ".tiers.on", "growth: growth over a prior period needs month, quarter, half or year periods");
    }
    if (pay.kind == kind::per_unit && r.measure_.kind != mk::quantity)
        invalid(p, path, "schedule: per_unit pays on the quantity measure (this rule measures " +
                             std::string(rules::to_string(r.measure_.kind)) + ")");
    if (pay.kind == kind::per_event && r.measure_.kind != mk::count)
        invalid(p, path, "schedule: per_event pays on the count measure (this rule measures " +
                             std::string(rules::to_string(r.measure_.kind)) + ")");
    // A schedule pays what the program owes, never a charge: negative values are refused here
    // rather than paid as zero.
    if (pay.kind != kind::tiers && pay.kind != kind::lookup && pay.value.signum() < 0)
        invalid(p, path, "schedule_value: a " + std::string(rules::to_string(pay.kind)) + " of " + pay.value.to_string() +
                             " is negative; a schedule pays amounts of zero or more (a return reverses a sale through clawback)");
    for (const auto& [k, v] : pay.lookup_.rates)
        if (v.signum() < 0) invalid(p, path + ".lookup", "schedule_value: a lookup rate is negative (" + v.to_string() + ")");
    if (pay.lookup_.fallback && pay.lookup_.fallback->signum() < 0)
        invalid(p, path + ".lookup", "schedule_value: the lookup fallback is negative (" + pay.lookup_.fallback->to_string() + ")");
    if (pay.kind == kind::lookup && r.measure_.over)
        invalid(p, path + ".lookup", "lookup: a lookup table pays per event, so its measure cannot be a growth");
    if (qualify.eligible) {
        if (!only_partner_fields(*qualify.eligible))
            invalid(p, path + ".qualify", "eligibility: eligibility tests partner fields only");
        if (r.credit_.to == rules::credit::to_t::program)
            invalid(p, path + ".qualify", "eligibility: a rule paying the program as a whole has no partner to be eligible");
    }
    if (pay.kind == kind::lookup && pay.lookup_.keys.empty())
        invalid(p, path + ".lookup", "lookup: a lookup table needs at least one key");
    for (const auto& [k, v] : pay.lookup_.rates)
        if (k.size() != pay.lookup_.keys.size())
            invalid(p, path + ".lookup", "lookup: every entry needs one value per key");
    if (p.rounding.point == rounding_policy::point_t::event && !pay.is_linear())
        invalid(p, path, "rounding_point: rounding at each event needs a linear schedule (rate, per_unit, per_event, "
                         "multiple, lookup); this rule pays " + std::string(rules::to_string(pay.kind)));
    if (acc) {
        if (acc->bands.empty()) invalid(p, path + ".accelerator", "accelerator: needs at least one band");
        for (std::size_t i = 0; i + 1 < acc->bands.size(); ++i)
            if (!(acc->bands[i].from < acc->bands[i + 1].from))
                invalid(p, path + ".accelerator.bands[" + std::to_string(i + 1) + "]",
                        "accelerator: bands must be in increasing order of attainment");
        if (r.credit_.to == rules::credit::to_t::program)
            invalid(p, path + ".accelerator", "accelerator: plans are per partner or participant, not per program");
        for (std::size_t i = 0; i < acc->bands.size(); ++i)
            if (acc->bands[i].multiplier.signum() < 0)
                invalid(p, path + ".accelerator.bands[" + std::to_string(i) + "]",
                        "accelerator: a negative multiplier (" + acc->bands[i].multiplier.to_string() + ")");
    }
    for (std::size_t i = 0; i < limits.size(); ++i) {
        const auto& l = limits[i];
        std::string at = path + ".limits[" + std::to_string(i) + "]";
        if (l.amount.signum() < 0) invalid(p, at, "limit: a cap or floor below zero (" + l.amount.to_string() + ")");
        if (l.kind == rules::limit::kind_t::floor && l.per && *l.per != r.per)
            invalid(p, at, "limit_period: a floor applies per the rule's own period (" + std::string(to_string(r.per)) + ")");
        if (l.per && *l.per != r.per) {
            int outer = calendar::months_in(*l.per), inner = calendar::months_in(r.per);
            if (*l.per != period_unit::program && (outer == 0 || inner == 0 || outer < inner || outer % inner != 0))
                invalid(p, at, "limit_period: a " + std::string(to_string(*l.per)) + " limit cannot contain the rule's " +
                                   std::string(to_string(r.per)) + " periods");
        }
    }
}

/// Every `certified:` in a selection names a declared certification.
inline void check_certified(const program& p, const std::string& path, const rules::selector& s) {
    if (s.kind() == rules::selector::op::certified) {
        std::vector<std::string> courses;
        for (const auto& c : p.certifications) courses.push_back(c.course);
        const std::string& course = s.values().front();
        if (std::find(courses.begin(), courses.end(), course) == courses.end())
            invalid(p, path, "certified: the selection needs certification \"" + course + "\", which the program does not declare under "
                             "certifications" + did_you_mean(course, courses));
    }
    for (const auto& c : s.children()) check_certified(p, path, c);
}

inline void validate_certifications(const program& p) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < p.certifications.size(); ++i) {
        const auto& c = p.certifications[i];
        const std::string at = "certifications[" + std::to_string(i) + "]";
        if (c.course.empty()) invalid(p, at + ".course", "certified: every certification names its course");
        if (!seen.insert(c.course).second) invalid(p, at + ".course", "certified: the course \"" + c.course + "\" is declared twice");
        if (c.valid && (c.valid->after < 0 || c.valid->after > 1200)) invalid(p, at + ".valid", "certified: valid.after is 0..1200 units");
        if (c.valid && c.valid->round_to && (*c.valid->round_to == period_unit::program || *c.valid->round_to == period_unit::custom))
            invalid(p, at + ".valid", "certified: valid rounds to the end of a month, quarter, half or year");
    }
}

inline void validate_rule(const program& p, const std::string& path, const rules::rule& r, std::set<std::string>& ids) {
    if (r.id.empty()) invalid(p, path, "rule_id: every rule needs an id");
    check_certified(p, path + ".select", r.select);
    if (!ids.insert(r.id).second) invalid(p, path, "rule_id: duplicate rule id \"" + r.id + "\"");
    if (r.per == period_unit::custom && p.cal.custom_periods().empty())
        invalid(p, path, "period: the rule groups by custom periods but the program defines none");
    if (r.combine == rules::combinator::none) {
        if (!r.children.empty()) invalid(p, path, "combinator: a leaf rule has children");
    } else {
        if (r.children.empty()) invalid(p, path, "combinator: " + std::string(to_string(r.combine)) + " needs children");
        if (r.accelerate || r.qualify.min_measure)
            invalid(p, path, "combinator: a combinator has no measure of its own; put accelerators and thresholds on its children");
        for (std::size_t i = 0; i < r.children.size(); ++i) {
            const auto& c = r.children[i];
            std::string at = path + "." + std::string(to_string(r.combine)) + "[" + std::to_string(i) + "]";
            validate_rule(p, at, c, ids);
            if (!(c.credit_ == r.credit_) || c.per != r.per)
                invalid(p, at, "combinator: children must credit the same beneficiaries over the same periods as their parent");
            if (c.combine != rules::combinator::none) invalid(p, at, "combinator: combinators nest one level deep");
            if (c.clawback_ || c.budget_) invalid(p, at, "combinator: a child rule cannot have its own clawback or budget");
            if (!c.fund.empty()) invalid(p, at, "combinator: a child rule cannot credit a fund of its own; put fund: on its parent");
            if (!c.points.empty()) invalid(p, at, "combinator: a child rule cannot pay points of its own; put points: on its parent");
        }
    }
    using mk = rules::measure::kind_t;
    if ((r.measure_.kind == mk::attribute || r.measure_.kind == mk::distinct) && r.measure_.attribute.empty())
        invalid(p, path + ".measure", "measure: a " + std::string(rules::to_string(r.measure_.kind)) + " measure needs an attribute name");
    if (r.combine == rules::combinator::none) {
        validate_version_parts(p, path, r.pay, r.qualify, r.accelerate, r.limits, r);
    } else if (r.qualify.eligible) {
        if (!only_partner_fields(*r.qualify.eligible))
            invalid(p, path + ".qualify", "eligibility: eligibility tests partner fields only");
        if (r.credit_.to == rules::credit::to_t::program)
            invalid(p, path + ".qualify", "eligibility: a rule paying the program as a whole has no partner to be eligible");
    }
    for (std::size_t i = 0; i < r.versions.size(); ++i) {
        const auto& v = r.versions[i];
        std::string at = path + ".versions[" + std::to_string(i) + "]";
        if (r.combine != rules::combinator::none) invalid(p, at, "version: versions belong to leaf rules");
        if (i > 0 ? !(r.versions[i - 1].effective_from < v.effective_from) : !(p.cal.from() < v.effective_from))
            invalid(p, at, "version: versions must start after the program start and after each other, in order");
        validate_version_parts(p, at, v.pay, v.qualify, v.accelerate, v.limits, r);
    }
    if (r.budget_ && r.budget_->amount.signum() < 0)
        invalid(p, path + ".budget", "budget: a budget below zero (" + r.budget_->amount.to_string() + ")");
    if (r.budget_ && r.points.empty()) check_budget_places(p, path + ".budget", r.budget_->amount);
    if (r.budget_ && !r.points.empty() && p.points && r.budget_->amount.normalized().scale() > p.points->places)
        invalid(p, path + ".budget", "budget: a points rule's budget is in points, with at most " + std::to_string(p.points->places) +
                                         " decimal places; got " + r.budget_->amount.to_string());
    if (!r.points.empty()) {
        if (!p.points)
            invalid(p, path + ".points", "points: the rule pays in points \"" + r.points + "\", but the program declares no points:");
        if (r.points != p.points->id)
            invalid(p, path + ".points", "points: the rule pays in points \"" + r.points + "\"; the program's points are \"" + p.points->id + "\"");
        if (!r.fund.empty()) invalid(p, path + ".points", "points: a rule pays in points or credits a fund, not both");
        if (r.credit_.to == rules::credit::to_t::program)
            invalid(p, path + ".points", "points: points are held by partners or participants: credit one of them, not the program");
        if (p.rounding.point == rounding_policy::point_t::event)
            invalid(p, path + ".points", "points: a points rule's lines are rounded to the points' places: round at line or statement, not event");
    }
    if (!r.fund.empty()) {
        if (std::none_of(p.funds.begin(), p.funds.end(), [&](const rules::fund& f) { return f.id == r.fund; }))
            invalid(p, path + ".fund", "fund: the rule credits fund \"" + r.fund + "\", which the program does not declare under funds:");
        if (r.credit_.to != rules::credit::to_t::partner)
            invalid(p, path + ".fund", "fund: a rule credits a fund per partner (a fund account is a partner's): credit partners");
        if (p.rounding.point == rounding_policy::point_t::statement)
            invalid(p, path + ".fund", "fund: a rule's credits to a fund are whole minor units: round at line or event, not statement");
    }
    if (r.clawback_ && r.clawback_->days < 0) invalid(p, path + ".clawback", "clawback: the window cannot be negative");
    if (r.clawback_ && r.combine != rules::combinator::none)
        invalid(p, path + ".clawback", "clawback: clawback applies to top-level leaf rules, not to combinators");
    if (r.clawback_ && r.clawback_->basis == rules::clawback::basis_t::recompute) {
        // Recomputing a line needs the returned part of every measure the schedule reads; lookup
        // tables and rounding at each event pay per event, and a distinct count has no part to remove.
        const std::string at = path + ".clawback.basis";
        auto per_event = [&](const rules::schedule& s) {
            return s.kind == rules::schedule::kind_t::lookup || p.rounding.point == rounding_policy::point_t::event;
        };
        auto other_tier_measure = [&](const rules::schedule& s) {
            return s.kind == rules::schedule::kind_t::tiers && s.tiers_.on && s.tiers_.on->kind != r.measure_.kind;
        };
        bool event_paid = per_event(r.pay), second = other_tier_measure(r.pay);
        for (const auto& v : r.versions) {
            event_paid = event_paid || per_event(v.pay);
            second = second || other_tier_measure(v.pay);
        }
        if (r.measure_.kind == rules::measure::kind_t::distinct)
            invalid(p, at, "clawback: recompute removes the returned part of the measure; a distinct count has none (use proportional)");
        if (event_paid)
            invalid(p, at, "clawback: recompute needs a schedule over the period's measure; a lookup table or rounding at each "
                           "event pays per event (use proportional)");
        if (second)
            invalid(p, at, "clawback: recompute needs tiers picked by the rule's own measure (tiers.on measures another kind; use "
                           "proportional)");
    }
    if (looks_back(r.measure_) && (r.per == period_unit::program || r.per == period_unit::custom))
        invalid(p, path + ".measure", "growth: growth over a prior period needs month, quarter, half or year periods");
}

/// A contest measure names a rule that pays partners or people; its measure, count or attainment
/// needs a rule without children (a combinator's children measure different things).
inline const rules::rule& check_contest_measure(const program& p, const std::string& at, const rules::contest_measure& m) {
    const std::string what = "contest: ";
    const auto* it = &rule_named(p, at + ".rule", m.rule, what);
    if (it->credit_.to == rules::credit::to_t::program)
        invalid(p, at + ".rule", what + "rule \"" + m.rule + "\" credits the program as a whole: a contest ranks partners or people");
    if (m.of != rules::contest_measure::of_t::payout && !it->children.empty())
        invalid(p, at + ".of", what + "rule \"" + m.rule + "\" combines child rules: rank on its payout, or on one child's measure");
    if ((m.of == rules::contest_measure::of_t::growth || m.of == rules::contest_measure::of_t::growth_percent) &&
        (!it->measure_.over || it->measure_.over->baseline == rules::growth::baseline_kind::attribute || it->measure_.kind == rules::measure::kind_t::distinct))
        invalid(p, at + ".of", what + "growth ranks rule \"" + m.rule + "\"'s growth over a prior period or year: give the rule such a measure "
                                                            "(measure: {of: amount, growth: {over: prior_year}})");
    return *it;
}

/// Rounds of `outer` hold whole periods of `inner`.
inline bool nests(period_unit inner, period_unit outer) {
    if (outer == period_unit::program) return true;
    if (outer == period_unit::custom || inner == period_unit::custom) return inner == outer;
    if (inner == period_unit::program) return false;
    return calendar::months_in(outer) % calendar::months_in(inner) == 0;
}

inline void validate_contest(const program& p, const std::string& path, const rules::contest& c, std::set<std::string>& ids) {
    const std::string what = "contest: ";
    using pay = rules::prizes::pay_t;
    using of = rules::contest_measure::of_t;
    if (c.id.empty()) invalid(p, path + ".id", what + "a contest needs an id (it names its prize lines)");
    if (!ids.insert(c.id).second) invalid(p, path + ".id", what + "the id \"" + c.id + "\" is taken by another rule, program or contest");
    const auto& score = check_contest_measure(p, path + ".score", c.score);
    if (!nests(score.per, c.per))
        invalid(p, path + ".per", what + "rule \"" + score.id + "\" is per " + std::string(to_string(score.per)) + ", which does not fit in rounds per " +
                                      std::string(to_string(c.per)) + " (a round holds whole periods of the score)");
    if (c.per == period_unit::custom && p.cal.custom_periods().empty())
        invalid(p, path + ".per", "period: the contest is per custom period but the program defines none");
    const bool people = score.credit_.to == rules::credit::to_t::participant;
    if (!c.roles.empty() && !people)
        invalid(p, path + ".roles", what + "roles choose people, but rule \"" + score.id + "\" credits partners");
    const auto& el = c.eligible;
    if (!el.certified.empty() && std::none_of(p.certifications.begin(), p.certifications.end(),
                                              [&](const rules::certification& x) { return x.course == el.certified; }))
        invalid(p, path + ".eligible.certified", what + "no certification \"" + el.certified + "\" is declared (certifications:)");
    if (el.min_of) {
        const auto& r = check_contest_measure(p, path + ".eligible.min", *el.min_of);
        if (r.credit_.to != score.credit_.to)
            invalid(p, path + ".eligible.min", what + "rule \"" + r.id + "\" credits other beneficiaries than the score's rule");
        if (!nests(r.per, c.per)) invalid(p, path + ".eligible.min", what + "rule \"" + r.id + "\"'s periods do not fit in the rounds");
    }
    const auto& lg = c.leagues;
    if ((lg.by == rules::leagues::by_t::field || lg.by == rules::leagues::by_t::bands) && lg.field.empty())
        invalid(p, path + ".leagues", what + "leagues by a field need the field's name");
    if (lg.by == rules::leagues::by_t::bands) {
        std::set<std::string> names;
        for (std::size_t i = 0; i < lg.bands.size(); ++i) {
            const auto& b = lg.bands[i];
            const std::string at = path + ".leagues.bands[" + std::to_string(i) + "]";
            if (b.name.empty() || !names.insert(b.name).second) invalid(p, at + ".name", what + "every league needs a name of its own");
            const bool last = i + 1 == lg.bands.size();
            if (last && b.below) invalid(p, at + ".below", what + "the last league has no upper bound (every value needs a league)");
            if (!last && !b.below) invalid(p, at + ".below", what + "every league but the last needs `below`");
            if (i > 0 && b.below && !(*lg.bands[i - 1].below < *b.below))
                invalid(p, at + ".below", what + "leagues go up: below " + b.below->to_string() + " is not above the league before");
        }
        if (lg.bands.empty()) invalid(p, path + ".leagues", what + "bands need at least one league");
    }
    if (lg.by == rules::leagues::by_t::lists) {
        std::set<std::string> names, members;
        for (std::size_t i = 0; i < lg.lists.size(); ++i) {
            const std::string at = path + ".leagues.lists[" + std::to_string(i) + "]";
            if (lg.lists[i].name.empty() || !names.insert(lg.lists[i].name).second)
                invalid(p, at + ".name", what + "every league needs a name of its own");
            for (const auto& m : lg.lists[i].members)
                if (!members.insert(m).second) invalid(p, at + ".members", what + "\"" + m + "\" is in two leagues: a competitor is in exactly one");
        }
    }
    if (c.chain.size() > 5) invalid(p, path + ".tie_breaks", what + "a tie-break chain has at most 5 keys");
    for (std::size_t i = 0; i < c.chain.size(); ++i) {
        const auto& tb = c.chain[i];
        const std::string at = path + ".tie_breaks[" + std::to_string(i) + "]";
        using by = rules::tie_break::by_t;
        if (tb.by == by::measure) {
            const auto& r = check_contest_measure(p, at, tb.of);
            if (r.credit_.to != score.credit_.to) invalid(p, at + ".rule", what + "rule \"" + r.id + "\" credits other beneficiaries than the score's rule");
            if (!nests(r.per, c.per)) invalid(p, at + ".rule", what + "rule \"" + r.id + "\"'s periods do not fit in the rounds");
        }
        if (tb.by == by::fewer_returns && !score.clawback_)
            invalid(p, at, what + "fewer_returns counts the returns inside the score rule's clawback window; rule \"" + score.id + "\" has none");
        if (tb.by == by::attribute && tb.attribute.empty()) invalid(p, at + ".name", what + "a tie-break by attribute needs its name");
        if (tb.by == by::lot && !p.seed) invalid(p, at, what + "a lot draws with the program's seed: declare `seed:` in the program");
        if (tb.by == by::lot && i + 1 != c.chain.size()) invalid(p, at, what + "the lot breaks every tie: it is the chain's last key");
    }
    if (c.method == rules::rank_method::ordinal && (c.chain.empty() || c.chain.back().by != rules::tie_break::by_t::lot))
        invalid(p, path + ".rank", what + "ordinal ranking numbers every competitor apart: end the tie-break chain with a lot");
    if (c.winners < 1 || c.winners > 1000000) invalid(p, path + ".winners", what + "winners is 1..1000000 per league");
    const auto& pz = c.prize;
    const int places = pz.pay == pay::points ? (p.points ? p.points->places : 0) : p.currency_.minor_units();
    if (pz.pay == pay::points && !p.points) invalid(p, path + ".prizes.pay", what + "points prizes need the program's points (points:)");
    if (pz.pay == pay::fund && std::none_of(p.funds.begin(), p.funds.end(), [&](const rules::fund& f) { return f.id == pz.fund; }))
        invalid(p, path + ".prizes.fund", what + "prizes credit fund \"" + pz.fund + "\", which the program does not declare");
    if (pz.pay != pay::fund && !pz.fund.empty()) invalid(p, path + ".prizes.fund", what + "a fund is named only with pay: fund");
    auto amount = [&](const std::string& at, const decimal& x, const std::string& of_what) {
        if (x.signum() < 0) invalid(p, at, what + of_what + " below zero (" + x.to_string() + ")");
        if (pz.pay != pay::in_kind && x.normalized().scale() > places)
            invalid(p, at, what + of_what + " " + x.to_string() + " has more decimal places than the prizes are paid in (" + std::to_string(places) + ")");
    };
    if (pz.places.size() > c.winners)
        invalid(p, path + ".prizes.places", what + std::to_string(pz.places.size()) + " place prizes for " + std::to_string(c.winners) +
                                                " winners: the places past the winners would never pay");
    for (std::size_t i = 0; i < pz.places.size(); ++i) amount(path + ".prizes.places[" + std::to_string(i) + "]", pz.places[i], "a prize");
    if (pz.pay == pay::in_kind) {
        if (pz.items.size() != pz.places.size() || pz.places.empty())
            invalid(p, path + ".prizes.places", what + "in-kind prizes name an item and its value for each place: [{item: Trip, value: 4000}]");
        if (pz.pot || !pz.steps.empty()) invalid(p, path + ".prizes", what + "in-kind prizes are by place: no pot, no steps");
        if (c.cut == rules::cut_rule::share) invalid(p, path + ".cut", what + "an in-kind prize cannot be shared: declare cut: all_win or tie_break");
    } else if (!pz.items.empty()) {
        invalid(p, path + ".prizes.places", what + "items are in-kind prizes: declare pay: in_kind");
    }
    if (pz.pot) {
        const auto& pot = *pz.pot;
        if (!pz.places.empty()) invalid(p, path + ".prizes.pot", what + "prizes come from places or from a pot, not both");
        if (pot.amount.has_value() == pot.percent.has_value()) invalid(p, path + ".prizes.pot", what + "a pot is an amount or a percent of the league's score");
        if (pot.amount) amount(path + ".prizes.pot.amount", *pot.amount, "the pot");
        if (pot.percent && (pot.percent->signum() < 0 || decimal(1) < *pot.percent))
            invalid(p, path + ".prizes.pot.percent", what + "the pot is 0% to 100% of the league's score, got " + pot.percent->to_string());
        if (pot.percent && (c.score.of == of::count || c.score.of == of::attainment || c.score.of == of::growth_percent))
            invalid(p, path + ".prizes.pot.percent", what + "a percent pot is a part of the league's summed score: rank on a measure or a payout in money");
        decimal sum;
        for (const auto& x : pot.split) {
            if (x.signum() < 0) invalid(p, path + ".prizes.pot.split", what + "a part of the pot below zero");
            sum += x;
        }
        if (sum != decimal(1)) invalid(p, path + ".prizes.pot.split", what + "the split adds up to " + sum.to_string() + ", not 100%");
        if (pot.split.size() > c.winners) invalid(p, path + ".prizes.pot.split", what + "more parts than winners");
    }
    for (std::size_t i = 0; i < pz.steps.size(); ++i) {
        const std::string at = path + ".prizes.steps[" + std::to_string(i) + "]";
        amount(at + ".pot", pz.steps[i].pot, "a step's pot");
        if (i > 0 && !(pz.steps[i - 1].at < pz.steps[i].at)) invalid(p, at + ".at", what + "steps go up: at " + pz.steps[i].at.to_string() + " is not above the step before");
    }
    if (pz.places.empty() && !pz.pot && pz.steps.empty())
        invalid(p, path + ".prizes", what + "a contest needs prizes: places, a pot or steps");
    if (c.min_score && c.min_score->signum() < 0) invalid(p, path + ".min_score", what + "the minimum score is at least 0");
}

inline void validate_kpis(const program& p, const rules::kpi_plan& plan) {
    const std::string what = "kpi: ";
    if (plan.table.empty()) invalid(p, "kpis.table", what + "a KPI plan needs at least one KPI");
    if (!(decimal() < plan.green) || plan.amber.signum() < 0 || plan.green < plan.amber)
        invalid(p, "kpis.lights", what + "the lights need 0 <= amber <= green and green above 0, e.g. {green: 100%, amber: 90%}");
    const std::int32_t months =
        p.cal.index_of(p.cal.to(), period_unit::month) - p.cal.index_of(p.cal.from(), period_unit::month) + 1;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < plan.table.size(); ++i) {
        const auto& x = plan.table[i];
        const std::string at = "kpis.table[" + std::to_string(i) + "]";
        if (x.id.empty() || seen.contains(x.id)) invalid(p, at + ".id", what + "every KPI needs an id of its own");
        using count = rules::kpi::count_t;
        if (x.count == count::partners_active || x.count == count::measure) {
            const auto* it = &rule_named(p, at + ".rule", x.rule, what);
            if (!it->children.empty()) invalid(p, at + ".rule", what + "rule \"" + x.rule + "\" combines child rules: track one child");
            if (it->per != period_unit::month)
                invalid(p, at + ".rule", what + "rule \"" + x.rule + "\" is per " + std::string(to_string(it->per)) + ": a KPI tracks months, declare the rule per month");
            if (x.count == count::partners_active && it->credit_.to != rules::credit::to_t::partner)
                invalid(p, at + ".rule", what + "active partners are counted from a rule that credits partners");
            if (x.count == count::measure && !x.events && it->measure_.kind == rules::measure::kind_t::distinct)
                invalid(p, at + ".rule", what + "distinct counts do not add up over beneficiaries: track the rule's events");
        }
        if (x.count == count::people_trained && x.course.empty()) invalid(p, at + ".course", what + "people trained count a course's completions: name the course");
        if (x.percent) {
            if (!x.targets.empty()) invalid(p, at + ".target", what + "a target is a list of monthly numbers or a percent of another KPI, not both");
            if (!seen.contains(x.of))
                invalid(p, at + ".target.of", what + "the target is a percent of \"" + x.of + "\", which is not a KPI listed before it");
            if (x.percent->signum() < 0) invalid(p, at + ".target.percent", what + "a percent at least 0");
        } else {
            if (static_cast<std::int32_t>(x.targets.size()) != months)
                invalid(p, at + ".targets", what + std::to_string(x.targets.size()) + " monthly targets for the program's " + std::to_string(months) +
                                                " months");
            for (const auto& t : x.targets)
                if (t.signum() < 0) invalid(p, at + ".targets", what + "a target below zero (" + t.to_string() + ")");
        }
        seen.insert(x.id);
    }
}

inline void validate_roi(const program& p, const rules::roi_plan& plan) {
    const std::string what = "roi: ";
    const auto* it = &rule_named(p, "roi.sales", plan.sales, what);
    if (it->credit_.to != rules::credit::to_t::partner || !it->children.empty())
        invalid(p, "roi.sales", what + "the sales are a rule without children that credits partners");
    if (it->measure_.kind != rules::measure::kind_t::amount && it->measure_.kind != rules::measure::kind_t::attribute)
        invalid(p, "roi.sales", what + "rule \"" + plan.sales + "\" does not measure an amount: the sales are money");
    if (plan.baseline == rules::roi_plan::baseline_t::prior_year && calendar::months_in(it->per) == 0)
        invalid(p, "roi.baseline", what + "a prior-year baseline needs the sales rule per month, quarter, half or year");
    if (plan.baseline == rules::roi_plan::baseline_t::control_group && plan.control_field.empty())
        invalid(p, "roi.baseline", what + "a control group is the partners whose field has a value: {control: {field: program, value: \"no\"}}");
    if (plan.margin.signum() < 0 || decimal(1) < plan.margin) invalid(p, "roi.margin", what + "the margin is 0% to 100%, got " + plan.margin.to_string());
}

}  // namespace detail

INCENTIVES_INLINE void validate(const program& p) {
    if (p.rules.empty()) detail::invalid(p, "rules", "rules: a program needs at least one rule");
    if (p.amount_places > decimal::max_scale / 2 || p.quantity_places < 0 || p.quantity_places > 6)
        detail::invalid(p, "places", "places: amount places up to 18 and quantity places 0..6");
    detail::validate_certifications(p);
    std::set<std::string> ids;
    for (std::size_t i = 0; i < p.rules.size(); ++i)
        detail::validate_rule(p, "rules[" + std::to_string(i) + "]", p.rules[i], ids);
    if (p.budget_ && p.budget_->amount.signum() < 0) detail::invalid(p, "budget", "budget: a budget below zero");
    if (p.budget_) detail::check_budget_places(p, "budget", p.budget_->amount);
    std::set<std::string> fund_ids;
    for (std::size_t i = 0; i < p.funds.size(); ++i) detail::validate_fund(p, "funds[" + std::to_string(i) + "]", p.funds[i], fund_ids);
    if (p.deals) detail::validate_deals(p, *p.deals);
    if (p.points) detail::validate_points(p, *p.points);
    if (p.kpis) detail::validate_kpis(p, *p.kpis);
    if (p.roi) detail::validate_roi(p, *p.roi);
    if (!p.contests.empty()) {
        std::set<std::string> taken;
        for (const auto& r : p.rules) taken.insert(r.id);
        if (p.deals) taken.insert(p.deals->id);
        for (const auto& r : p.referrals) taken.insert(r.id);
        if (p.points) taken.insert(p.points->id);
        for (std::size_t i = 0; i < p.contests.size(); ++i)
            detail::validate_contest(p, "contests[" + std::to_string(i) + "]", p.contests[i], taken);
    }
    if (!p.referrals.empty()) {
        std::set<std::string> taken;
        for (const auto& r : p.rules) taken.insert(r.id);
        if (p.deals) taken.insert(p.deals->id);
        for (std::size_t i = 0; i < p.referrals.size(); ++i)
            detail::validate_referral(p, "referrals[" + std::to_string(i) + "]", p.referrals[i], taken);
        // Conversions carry no partner (attribution decides it): no rule can pay on them.
        for (std::size_t i = 0; i < p.rules.size(); ++i)
            if (detail::names_kind(p.rules[i].select, {"signup", "payment", "refund"}))
                detail::invalid(p, "rules[" + std::to_string(i) + "].select",
                                "referrals: rule \"" + p.rules[i].id + "\" selects signup, payment or refund events, which carry no "
                                "partner (the referral programs attribute them)");
    }
}

}  // namespace incentives
