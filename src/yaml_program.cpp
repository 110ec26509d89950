// Reading and writing programs as YAML with yaml-cpp (kept private to incentives::io).
// The schema is documented in docs/programs.md. Reading is strict: unknown keys, wrong types and bad
// values are config_errors that name source:line:column and the key path; numbers and dates are
// always parsed exactly from the scalar's text. The built program is then checked by validate().
#include <incentives/format.hpp>
#include <incentives/io/yaml.hpp>

#include <array>
#include <cctype>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <incentives/detail/suggest.hpp>
#include <incentives/detail/utf8.hpp>
#include <incentives/errors.hpp>

#include "yaml_reading.hpp"

namespace incentives::io {
namespace {

using rules::selector;

// ---------------------------------------------------------------------------------------------
// Names of enumerations as written in YAML, in the order of the enumerators.

constexpr std::array<std::string_view, 6> period_names{"month", "quarter", "half", "year", "program", "custom"};
constexpr std::array<std::string_view, 3> beneficiary_names{"partner", "participant", "program"};
constexpr std::array<std::string_view, 3> point_names{"event", "line", "statement"};
constexpr std::array<std::string_view, 2> duplicate_names{"error", "ignore"};
constexpr std::array<std::string_view, 3> unknown_kind_names{"error", "warn", "ignore"};
constexpr std::array<std::string_view, 3> policy_names{"pro_rata", "event_date", "reject"};
constexpr std::array<std::string_view, 2> basis_names{"retroactive", "marginal"};
constexpr std::array<std::string_view, 2> tier_value_names{"rate", "amount"};
constexpr std::array<std::string_view, 3> simple_measure_names{"amount", "quantity", "count"};
constexpr std::array<std::string_view, 2> baseline_names{"prior_period", "prior_year"};  // + {attribute: x}
constexpr std::array<std::string_view, 2> form_names{"absolute", "percent"};
constexpr std::array<std::string_view, 2> clawback_bases{"proportional", "recompute"};
constexpr std::array<std::string_view, 2> fund_kind_names{"mdf", "coop"};
constexpr std::array<std::string_view, 2> claim_order_names{"soonest_expiring", "oldest"};
constexpr std::array<std::string_view, 4> expiry_unit_names{"day", "month", "quarter", "year"};
constexpr std::array<std::string_view, 2> yes_no_names{"false", "true"};
constexpr std::array<std::string_view, 5> pay_names{"rate", "per_unit", "per_event", "fixed", "multiple"};
constexpr std::array<std::string_view, 3> schedule_keys{"pay", "tiers", "lookup"};
constexpr std::array<std::string_view, 3> combinator_keys{"sum_of", "max_of", "first_of"};

// Selector shorthands: bare keys that name an event column or a partner field.
constexpr std::array<std::string_view, 5> event_fields{"kind", "sku", "category", "amount", "quantity"};
constexpr std::array<std::string_view, 4> partner_fields{"segment", "group", "region", "tier"};
constexpr std::array<std::string_view, 3> scope_prefixes{"event.", "partner.", "product."};  // field::scope order

calendar calendar_of(const cursor& c) {
    mapping m(c, {"from", "to", "fiscal_year_start", "custom"});
    date from = date_of(m.require("from"));
    date to = date_of(m.require("to"));
    unsigned fiscal = 1;
    if (auto f = m.get("fiscal_year_start")) fiscal = static_cast<unsigned>(whole_number(*f, 1, 12));
    std::vector<period> custom;
    if (auto cs = m.get("custom"))
        for (const auto& item : list_of(*cs)) {
            mapping pm(item, {"label", "from", "to"});
            custom.push_back({date_of(pm.require("from")), date_of(pm.require("to")), text(pm.require("label"))});
        }
    try {
        return calendar(from, to, fiscal, std::move(custom));
    } catch (const validation_error& e) {
        c.fail("value", message_of(e));
    }
}

rounding_policy rounding_of(const cursor& c) {
    mapping m(c, {"mode", "at"});
    rounding_policy r;
    if (auto mode = m.get("mode")) r.mode = choice<rounding_mode>(*mode, rounding_mode_names);
    if (auto at = m.get("at")) r.point = choice<rounding_policy::point_t>(*at, point_names);
    return r;
}

rules::budget budget_of(const cursor& c) {
    mapping m(c, {"amount", "policy"});
    rules::budget b;
    b.amount = number(m.require("amount"));
    if (auto p = m.get("policy")) b.policy = choice<rules::budget::policy_t>(*p, policy_names);
    return b;
}

// ---------------------------------------------------------------------------------------------
// Selectors.

/// Events: every field; partners: conditions on partner fields only (`when`, `qualify.eligible`).
enum class selector_scope : unsigned char { events, partners };

/// The field a selector key or lookup key names; nullopt when it names none.
std::optional<rules::field> field_of(std::string_view key) {
    using scope = rules::field::scope;
    if (contains(event_fields, key)) return rules::field{scope::event, std::string(key)};
    if (contains(partner_fields, key)) return rules::field{scope::partner, std::string(key)};
    for (std::size_t i = 0; i < scope_prefixes.size(); ++i)
        if (key.size() > scope_prefixes[i].size() && key.substr(0, scope_prefixes[i].size()) == scope_prefixes[i])
            return rules::field{static_cast<scope>(i), std::string(key.substr(scope_prefixes[i].size()))};
    return std::nullopt;
}

selector selector_of(const cursor& c, selector_scope scope);

std::vector<selector> selectors_of(const cursor& c, selector_scope scope) {
    std::vector<selector> out;
    for (const auto& item : list_of(c, "a list of conditions")) out.push_back(selector_of(item, scope));
    return out;
}

selector range_of(const cursor& c, const rules::field& f) {
    mapping m(c, {"min", "max"});
    std::optional<decimal> lo, hi;
    if (auto v = m.get("min")) lo = number(*v);
    if (auto v = m.get("max")) hi = number(*v);
    return selector::range(f, lo, hi);
}

[[noreturn]] void unknown_condition(const context& ctx, const entry& e, selector_scope scope) {
    std::vector<std::string_view> known{"all", "any", "not"};
    known.insert(known.end(), partner_fields.begin(), partner_fields.end());
    if (scope == selector_scope::events) {
        known.push_back("date");
        known.push_back("certified");
        known.insert(known.end(), event_fields.begin(), event_fields.end());
    }
    std::string hint = detail::did_you_mean(e.key, known);
    if (hint.empty())
        hint = scope == selector_scope::events
                   ? "; attributes are written partner.<name>, product.<name> or event.<name>"
                   : "; eligibility tests partner fields: segment, group, region, tier or partner.<name>";
    ctx.fail("unknown_key", e.key_mark, e.value.path, "unknown key \"" + e.key + "\"" + hint);
}

/// One entry of a selector mapping: a field condition or a combinator.
selector condition_of(const entry& e, selector_scope scope) {
    const cursor& v = e.value;
    if (e.key == "all") return selector::all(selectors_of(v, scope));
    if (e.key == "any") return selector::any(selectors_of(v, scope));
    if (e.key == "not") return selector::negate(selector_of(v, scope));
    if (e.key == "certified" && scope == selector_scope::events) return selector::certified(text(v));
    if (e.key == "date" && scope == selector_scope::events) {
        mapping m(v, {"from", "to"});
        std::optional<date> from, to;
        if (auto d = m.get("from")) from = date_of(*d);
        if (auto d = m.get("to")) to = date_of(*d);
        return selector::dates(from, to);
    }
    auto f = field_of(e.key);
    if (!f || (scope == selector_scope::partners && f->of != rules::field::scope::partner))
        unknown_condition(*v.ctx, e, scope);
    bool numeric_column = f->of == rules::field::scope::event && (f->name == "amount" || f->name == "quantity") &&
                          e.key.find('.') == std::string::npos;
    if (v.node.IsMap()) return range_of(v, *f);
    if (numeric_column) v.fail("type", "expected a range {min: x, max: y}" + found(v.node));
    return selector::in(*f, texts(v));
}

/// A mapping of conditions, all of which must hold; {} matches everything.
selector selector_of(const cursor& c, selector_scope scope) {
    std::vector<selector> parts;
    for (const auto& e : entries_of(c, "a mapping of conditions")) parts.push_back(condition_of(e, scope));
    if (parts.empty()) return selector();
    if (parts.size() == 1) return parts.front();
    return selector::all(std::move(parts));
}

// ---------------------------------------------------------------------------------------------
// Measures and schedules.

rules::growth growth_of(const cursor& c) {
    mapping m(c, {"over", "form"});
    rules::growth g;
    if (auto over = m.get("over")) {
        if (over->node.IsMap()) {
            mapping om(*over, {"attribute"});
            g.baseline = rules::growth::baseline_kind::attribute;
            g.attribute = text(om.require("attribute"));
        } else {
            g.baseline = choice<rules::growth::baseline_kind>(*over, baseline_names);
        }
    }
    if (auto form = m.get("form")) g.form = choice<rules::growth::form_kind>(*form, form_names);
    return g;
}

rules::measure measure_of(const cursor& c, bool growth_ok = true) {
    using kind = rules::measure::kind_t;
    rules::measure out;
    if (!c.node.IsMap()) {
        out.kind = choice<kind>(c, simple_measure_names);
        return out;
    }
    mapping m(c, {"of", "distinct", "attribute", "growth"});
    constexpr std::array<std::string_view, 3> what{"of", "distinct", "attribute"};
    const entry* e = m.one_of(what, "a measure is exactly one of \"of\", \"distinct\" or \"attribute\"");
    if (!e) c.fail("missing_key", "a measure needs one of \"of\", \"distinct\" or \"attribute\"");
    if (e->key == "of") {
        out = measure_of(e->value, false);
    } else {
        out.kind = e->key == "distinct" ? kind::distinct : kind::attribute;
        out.attribute = text(e->value);
    }
    if (const entry* g = m.find("growth")) {
        if (!growth_ok) m.conflict(*g, "growth cannot be nested inside \"of\"");
        out.over = growth_of(g->value);
    }
    return out;
}

rules::schedule pay_of(const cursor& c) {
    using kind = rules::schedule::kind_t;
    mapping m(c, {"rate", "per_unit", "per_event", "fixed", "multiple"});
    const entry* e = m.one_of(pay_names, "a pay is exactly one of " + joined(pay_names));
    if (!e) c.fail("missing_key", "a pay needs one of " + joined(pay_names));
    rules::schedule s;
    for (std::size_t i = 0; i < pay_names.size(); ++i)
        if (pay_names[i] == e->key) s.kind = static_cast<kind>(i);
    s.value = number(e->value, s.kind == kind::rate || s.kind == kind::multiple);
    return s;
}

rules::tier tier_of(const cursor& c, std::optional<rules::tier_table::value_t>& value, std::string& value_key) {
    mapping m(c, {"from", "to", "rate", "amount", "name"});
    rules::tier t;
    t.from = number(m.require("from"), true);
    if (auto to = m.get("to")) t.to = number(*to, true);
    if (auto name = m.get("name")) t.name = text(*name);
    const entry* e = m.one_of(tier_value_names, "a tier pays exactly one of \"rate\" or \"amount\"");
    if (!e) c.fail("missing_key", "a tier needs \"rate\" or \"amount\"");
    auto kind = e->key == "rate" ? rules::tier_table::value_t::rate : rules::tier_table::value_t::amount;
    if (value && *value != kind)
        m.conflict(*e, "every tier of a table pays the same way: found \"" + e->key + "\" in a table that pays by \"" +
                           value_key + "\"");
    value = kind;
    value_key = e->key;
    t.value = number(e->value, kind == rules::tier_table::value_t::rate);
    return t;
}

rules::tier_table tiers_of(const cursor& c) {
    using table = rules::tier_table;
    mapping m(c, {"basis", "value", "on", "table", "bounds"});
    table t;
    if (auto b = m.get("basis")) t.basis = choice<table::basis_t>(*b, basis_names);
    if (auto b = m.get("bounds")) {
        constexpr std::array<std::string_view, 1> bounds{"half_open"};
        (void)choice<int>(*b, bounds);
    }
    if (auto on = m.get("on")) t.on = measure_of(*on);
    std::optional<table::value_t> value;
    std::string value_key;
    if (auto v = m.get("value")) {
        value = choice<table::value_t>(*v, tier_value_names);
        value_key = v->node.Scalar();
    }
    for (const auto& row : list_of(m.require("table"), "a list of tiers")) t.rows.push_back(tier_of(row, value, value_key));
    t.value = value.value_or(table::value_t::rate);
    return t;
}

rules::field lookup_key_of(const cursor& c) {
    std::string key = text(c);
    if (auto f = field_of(key)) return *f;
    std::vector<std::string_view> known(event_fields.begin(), event_fields.end());
    known.insert(known.end(), partner_fields.begin(), partner_fields.end());
    std::string hint = detail::did_you_mean(key, known);
    c.fail("value", "unknown field \"" + key + "\"" +
                        (hint.empty() ? std::string(": expected one of " + joined(known) +
                                                    ", or partner.<name>, product.<name>, event.<name>")
                                      : hint));
}

rules::lookup_table lookup_of(const cursor& c) {
    mapping m(c, {"keys", "rates", "default"});
    rules::lookup_table t;
    for (const auto& k : list_of(m.require("keys"), "a list of fields")) t.keys.push_back(lookup_key_of(k));
    if (auto rates = m.get("rates"))
        for (const auto& row : list_of(*rates)) {
            mapping rm(row, {"match", "rate"});
            auto match = texts(rm.require("match"));
            if (match.size() != t.keys.size())
                rm.self().fail("value", "\"match\" gives " + std::to_string(match.size()) + " values for " +
                                            std::to_string(t.keys.size()) + " keys");
            if (!t.rates.emplace(match, number(rm.require("rate"), true)).second)
                rm.self().fail("conflict", "the same match appears twice");
        }
    if (auto d = m.get("default")) t.fallback = number(*d, true);
    return t;
}

/// The schedule of a rule or version given by its `pay`, `tiers` or `lookup` entry.
rules::schedule schedule_of(const entry& e) {
    using kind = rules::schedule::kind_t;
    if (e.key == "pay") return pay_of(e.value);
    rules::schedule s;
    if (e.key == "tiers") {
        s.kind = kind::tiers;
        s.tiers_ = tiers_of(e.value);
    } else {
        s.kind = kind::lookup;
        s.lookup_ = lookup_of(e.value);
    }
    return s;
}

rules::measure default_measure(rules::schedule::kind_t pay) {
    rules::measure m;
    if (pay == rules::schedule::kind_t::per_unit) m.kind = rules::measure::kind_t::quantity;
    if (pay == rules::schedule::kind_t::per_event) m.kind = rules::measure::kind_t::count;
    return m;
}

// ---------------------------------------------------------------------------------------------
// Modifiers: qualify / when, accelerator, caps and floors (shared by rules and versions).

/// `per` of a rule: [beneficiary, period] or just a period.
std::pair<std::optional<rules::credit::to_t>, period_unit> per_of(const cursor& c) {
    if (!c.node.IsSequence()) return {std::nullopt, choice<period_unit>(c, period_names)};
    auto items = list_of(c);
    if (items.size() != 2) c.fail("value", "expected [beneficiary, period], e.g. [partner, quarter]");
    return {choice<rules::credit::to_t>(items[0], beneficiary_names), choice<period_unit>(items[1], period_names)};
}

/// `per` of a cap or floor: a period, or [beneficiary, period] naming the rule's own beneficiary.
period_unit limit_period_of(const mapping& m, const entry& per, rules::credit::to_t beneficiary) {
    auto [to, unit] = per_of(per.value);
    if (to && *to != beneficiary)
        m.conflict(per, "a limit applies to the rule's beneficiary (" + std::string(rules::to_string(beneficiary)) + ")");
    return unit;
}

rules::limit limit_of(const cursor& c, rules::limit::kind_t kind, rules::credit::to_t beneficiary) {
    rules::limit l;
    l.kind = kind;
    if (!c.node.IsMap()) {
        l.amount = number(c);
        return l;
    }
    mapping m(c, {"amount", "per"});
    l.amount = number(m.require("amount"));
    if (const entry* per = m.find("per")) l.per = limit_period_of(m, *per, beneficiary);
    return l;
}

void limits_of(const cursor& c, rules::limit::kind_t kind, rules::credit::to_t beneficiary, std::vector<rules::limit>& out) {
    if (!c.node.IsSequence()) {
        out.push_back(limit_of(c, kind, beneficiary));
        return;
    }
    for (const auto& item : list_of(c)) out.push_back(limit_of(item, kind, beneficiary));
}

/// The general form `limits: [{cap: 100, per: year}, {floor: 10}]`, for any order of caps and floors.
void general_limits_of(const cursor& c, rules::credit::to_t beneficiary, std::vector<rules::limit>& out) {
    for (const auto& item : list_of(c)) {
        mapping m(item, {"cap", "floor", "per"});
        constexpr std::array<std::string_view, 2> kinds{"cap", "floor"};
        const entry* e = m.one_of(kinds, "a limit is exactly one of \"cap\" or \"floor\"");
        if (!e) item.fail("missing_key", "a limit needs \"cap\" or \"floor\"");
        rules::limit l;
        l.kind = e->key == "cap" ? rules::limit::kind_t::cap : rules::limit::kind_t::floor;
        l.amount = number(e->value);
        if (const entry* per = m.find("per")) l.per = limit_period_of(m, *per, beneficiary);
        out.push_back(l);
    }
}

struct modifiers {
    rules::threshold qualify;
    std::optional<rules::accelerator> accelerate;
    std::vector<rules::limit> limits;
};

modifiers modifiers_of(const mapping& m, rules::credit::to_t beneficiary) {
    modifiers out;
    if (auto q = m.get("qualify")) {
        mapping qm(*q, {"min", "eligible"});
        if (auto v = qm.get("min")) out.qualify.min_measure = number(*v, true);
        if (auto v = qm.get("eligible")) out.qualify.eligible = selector_of(*v, selector_scope::partners);
    }
    if (const entry* when = m.find("when")) {
        if (out.qualify.eligible) m.conflict(*when, "\"when\" is a shorthand for \"qualify.eligible\": give only one");
        out.qualify.eligible = selector_of(when->value, selector_scope::partners);
    }
    if (auto acc = m.get("accelerator")) {
        rules::accelerator a;
        for (const auto& band : list_of(*acc, "a list of bands")) {
            mapping bm(band, {"from", "multiplier"});
            a.bands.push_back({number(bm.require("from"), true), number(bm.require("multiplier"), true)});
        }
        out.accelerate = std::move(a);
    }
    if (const entry* general = m.find("limits")) {
        for (const char* k : {"cap", "floor"})
            if (const entry* e = m.find(k))
                m.conflict(*e, "give caps and floors either as \"cap\"/\"floor\" or in \"limits\", not both");
        general_limits_of(general->value, beneficiary, out.limits);
    }
    if (auto cap = m.get("cap")) limits_of(*cap, rules::limit::kind_t::cap, beneficiary, out.limits);
    if (auto floor = m.get("floor")) limits_of(*floor, rules::limit::kind_t::floor, beneficiary, out.limits);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Rules.

const entry* schedule_entry(const mapping& m) {
    return m.one_of(schedule_keys, "a rule pays with exactly one of \"pay\", \"tiers\" or \"lookup\"");
}

rules::rule::version version_of(const cursor& c, rules::credit::to_t beneficiary) {
    mapping m(c, {"from", "pay", "tiers", "lookup", "qualify", "when", "accelerator", "cap", "floor", "limits"});
    rules::rule::version v;
    v.effective_from = date_of(m.require("from"));
    const entry* s = schedule_entry(m);
    if (!s) c.fail("missing_key", "a version needs its own \"pay\", \"tiers\" or \"lookup\"");
    v.pay = schedule_of(*s);
    auto mods = modifiers_of(m, beneficiary);
    v.qualify = std::move(mods.qualify);
    v.accelerate = std::move(mods.accelerate);
    v.limits = std::move(mods.limits);
    return v;
}

/// Beneficiary and roles from `per` and `credit`, defaulting to the parent's (or partner, quarter).
void credit_of(const mapping& m, rules::rule& r, const rules::rule* parent) {
    r.per = parent ? parent->per : period_unit::quarter;
    r.credit_ = parent ? parent->credit_ : rules::credit{};
    std::optional<rules::credit::to_t> per_to;
    if (auto per = m.get("per")) {
        auto [to, unit] = per_of(*per);
        per_to = to;
        r.per = unit;
        if (to) r.credit_.to = *to;
    }
    if (auto credit = m.get("credit")) {
        mapping cm(*credit, {"to", "roles"});
        if (const entry* to = cm.find("to")) {
            auto t = choice<rules::credit::to_t>(to->value, beneficiary_names);
            if (per_to && *per_to != t)
                cm.conflict(*to, "credit goes to the beneficiary of \"per\" (" +
                                     std::string(rules::to_string(*per_to)) + "): give the same or only one");
            r.credit_.to = t;
        }
        if (auto roles = cm.get("roles")) r.credit_.roles = texts(*roles);
    }
}

rules::rule rule_of(const cursor& c, const rules::rule* parent) {
    mapping m(c, {"id", "kind", "select", "measure", "per", "credit", "pay", "tiers", "lookup", "qualify", "when",
                  "accelerator", "cap", "floor", "limits", "budget", "clawback", "fund", "points", "versions", "sum_of",
                  "max_of", "first_of"});
    rules::rule r;
    r.id = text(m.require("id"));
    if (auto kind = m.get("kind")) r.label = text(*kind);
    if (auto sel = m.get("select")) r.select = selector_of(*sel, selector_scope::events);
    credit_of(m, r, parent);

    const entry* combine = m.one_of(combinator_keys, "a rule combines with exactly one of sum_of, max_of, first_of");
    const entry* pays = schedule_entry(m);
    if (combine && pays)
        m.conflict(*pays, "a combinator rule (\"" + combine->key + "\") pays through its children, not with \"" +
                              pays->key + "\"");
    if (!combine && !pays)
        c.fail("missing_key",
               "a rule needs one of \"pay\", \"tiers\" or \"lookup\" (or \"sum_of\", \"max_of\", \"first_of\")");
    if (pays) r.pay = schedule_of(*pays);
    r.measure_ = m.get("measure") ? measure_of(*m.get("measure")) : default_measure(r.pay.kind);

    auto mods = modifiers_of(m, r.credit_.to);
    r.qualify = std::move(mods.qualify);
    r.accelerate = std::move(mods.accelerate);
    r.limits = std::move(mods.limits);
    if (auto b = m.get("budget")) r.budget_ = budget_of(*b);
    if (auto f = m.get("fund")) r.fund = text(*f);
    if (auto pt = m.get("points")) r.points = text(*pt);
    if (auto cb = m.get("clawback")) {
        mapping cm(*cb, {"days", "basis"});
        r.clawback_ = rules::clawback{whole_number(cm.require("days"), 0, 100000)};
        if (auto basis = cm.get("basis"))
            r.clawback_->basis = choice<rules::clawback::basis_t>(*basis, clawback_bases);
    }
    if (combine) {
        for (std::size_t i = 0; i < combinator_keys.size(); ++i)
            if (combinator_keys[i] == combine->key) r.combine = static_cast<rules::combinator>(i + 1);
        for (const auto& child : list_of(combine->value, "a list of rules")) r.children.push_back(rule_of(child, &r));
    }
    if (auto versions = m.get("versions"))
        for (const auto& v : list_of(*versions)) r.versions.push_back(version_of(v, r.credit_.to));
    return r;
}

// ---------------------------------------------------------------------------------------------
// Funds.

/// How long a lot may be used: {after: 12, unit: month, round_to: month}.
rules::lot_expiry expiry_of(const cursor& c) {
    mapping em(c, {"after", "unit", "round_to"});
    rules::lot_expiry x;
    x.after = whole_number(em.require("after"), 0, 100000);
    if (auto u = em.get("unit")) x.unit = choice<rules::lot_expiry::unit_t>(*u, expiry_unit_names);
    if (auto r = em.get("round_to")) x.round_to = choice<period_unit>(*r, period_names);
    return x;
}

rules::fund fund_of(const cursor& c) {
    mapping m(c, {"id", "kind", "reimbursement", "expires", "claim_order", "requires_approval", "claim_days", "budget"});
    rules::fund f;
    f.id = text(m.require("id"));
    if (auto k = m.get("kind")) f.kind = choice<rules::fund::kind_t>(*k, fund_kind_names);
    if (auto r = m.get("reimbursement")) f.reimbursement = number(*r, true);
    if (auto e = m.get("expires")) f.expires = expiry_of(*e);
    if (auto o = m.get("claim_order")) f.claim_order = choice<rules::fund::order_t>(*o, claim_order_names);
    if (auto a = m.get("requires_approval")) f.requires_approval = choice<int>(*a, yes_no_names) == 1;
    if (auto d = m.get("claim_days")) f.claim_days = whole_number(*d, 0, 100000);
    if (auto b = m.get("budget")) {
        mapping bm(*b, {"amount", "per"});
        f.budget = rules::fund_budget{number(bm.require("amount")), period_unit::quarter};
        if (auto per = bm.get("per")) f.budget->per = choice<period_unit>(*per, period_names);
    }
    return f;
}

rules::span span_of(const cursor& c) {
    mapping m(c, {"days", "months"});
    const entry* which = m.one_of(std::array<std::string_view, 2>{"days", "months"}, "a length is one of days or months");
    if (!which) c.fail("missing_key", "a length needs \"days\" or \"months\", e.g. {days: 90}");
    return {whole_number(which->value, 0, 100000), which->key == "months"};
}

rules::deal_registration deals_of(const cursor& c) {
    mapping m(c, {"id", "window", "extension", "bonus", "stages", "lost", "per"});
    rules::deal_registration d;
    if (auto id = m.get("id")) d.id = text(*id);
    if (auto w = m.get("window")) d.window = span_of(*w);
    if (auto x = m.get("extension")) {
        mapping xm(*x, {"days", "months", "max"});
        const entry* which = xm.one_of(std::array<std::string_view, 2>{"days", "months"}, "an extension is one of days or months");
        if (!which) x->fail("missing_key", "an extension needs \"days\" or \"months\", e.g. {days: 30, max: 1}");
        d.extension = {whole_number(which->value, 0, 100000), which->key == "months"};
        d.max_extensions = 1;
        if (auto mx = xm.get("max")) d.max_extensions = whole_number(*mx, 0, 100000);
        if (d.max_extensions == 0) d.extension = {0, false};  // no extension at all: as if none were declared
    }
    if (auto b = m.get("bonus")) {
        mapping bm(*b, {"rate", "fixed"});
        if (auto r = bm.get("rate")) d.bonus_rate = number(*r, true);
        if (auto f = bm.get("fixed")) d.bonus_fixed = number(*f);
        if (!d.bonus_rate && !d.bonus_fixed) b->fail("missing_key", "a bonus needs \"rate\" or \"fixed\" (or both)");
    }
    if (auto st = m.get("stages"))
        for (const auto& e : entries_of(*st, "a mapping of stage names to rewards")) d.stages.emplace_back(e.key, number(e.value));
    if (auto l = m.get("lost")) d.clawback_lost = choice<int>(*l, std::array<std::string_view, 2>{"keep", "clawback"}) == 1;
    if (auto per = m.get("per")) d.per = choice<period_unit>(*per, period_names);
    return d;
}

/// A length in days: {days: 30}.
int days_of(const cursor& c) {
    mapping m(c, {"days"});
    return whole_number(m.require("days"), 0, 100000);
}

constexpr std::array<std::string_view, 3> returns_names{"pending_only", "within_balance", "unlimited"};

constexpr std::array<std::string_view, 2> downgrade_names{"one_level", "to_measure"};

/// Status levels: {measure: points | {rule: ID}, window: year | {rolling_months: 12}, review: month,
/// grace: 1, downgrade: one_level | to_measure, table: [{name: silver, from: 800, multiplier: 1.25}]}.
rules::status_levels levels_of(const cursor& c) {
    mapping m(c, {"measure", "window", "review", "grace", "downgrade", "table"});
    rules::status_levels lv;
    if (auto me = m.get("measure")) {
        if (!(me->node.IsScalar() && me->node.Scalar() == "points")) {
            mapping mm(*me, {"rule"});
            lv.rule = text(mm.require("rule"));
        }
    }
    if (auto w = m.get("window")) {
        if (w->node.IsScalar()) lv.window = choice<period_unit>(*w, period_names);
        else {
            mapping wm(*w, {"rolling_months"});
            lv.rolling_months = whole_number(wm.require("rolling_months"), 1, 120);
        }
    }
    if (auto r = m.get("review")) lv.review = choice<period_unit>(*r, period_names);
    if (auto g = m.get("grace")) lv.grace = whole_number(*g, 0, 1000);
    if (auto d = m.get("downgrade")) lv.downgrade = choice<rules::status_levels::downgrade_t>(*d, downgrade_names);
    for (const auto& row : list_of(m.require("table"), "a list of levels, lowest first")) {
        mapping rm(row, {"name", "from", "multiplier"});
        rules::status_levels::level l;
        l.name = text(rm.require("name"));
        l.from = number(rm.require("from"));
        if (auto x = rm.get("multiplier")) l.multiplier = number(*x);
        lv.table.push_back(std::move(l));
    }
    return lv;
}

rules::points_program points_of(const cursor& c) {
    mapping m(c, {"id", "places", "value", "pending", "expires", "spend", "returns", "reinstate", "breakage", "shop", "levels", "rewards"});
    rules::points_program pp;
    if (auto id = m.get("id")) pp.id = text(*id);
    if (auto pl = m.get("places")) pp.places = whole_number(*pl, 0, 6);
    pp.value = number(m.require("value"));
    if (auto pd = m.get("pending")) pp.pending_days = days_of(*pd);
    if (auto e = m.get("expires")) pp.expires = expiry_of(*e);
    if (auto o = m.get("spend")) pp.spend = choice<rules::points_program::order_t>(*o, claim_order_names);
    if (auto r = m.get("returns")) pp.returns = choice<rules::points_program::returns_t>(*r, returns_names);
    if (auto r = m.get("reinstate")) {
        if (r->node.IsScalar() && r->node.Scalar() == "original") pp.reinstate_days.reset();
        else pp.reinstate_days = days_of(*r);
    }
    if (auto b = m.get("breakage")) {
        if (!(b->node.IsScalar() && b->node.Scalar() == "estimate")) pp.breakage = number(*b, true);
    }
    if (auto shop = m.get("shop"))
        for (const auto& item : list_of(*shop, "a list of shop items")) {
            mapping im(item, {"sku", "name", "price", "stock", "limit"});
            rules::shop_item it;
            it.sku = text(im.require("sku"));
            if (auto n = im.get("name")) it.name = text(*n);
            it.price = number(im.require("price"));
            if (auto st = im.get("stock")) it.stock = whole_number(*st, 0, 1000000000);
            if (auto l = im.get("limit")) {
                mapping lm(*l, {"count", "per"});
                it.limit = whole_number(lm.require("count"), 1, 1000000000);
                if (auto per = lm.get("per")) it.limit_per = choice<period_unit>(*per, period_names);
            }
            pp.shop.push_back(std::move(it));
        }
    if (auto lv = m.get("levels")) pp.levels = levels_of(*lv);
    if (auto rw = m.get("rewards")) {
        mapping rm(*rw, {"welcome", "partner_welcome", "birthday", "feb29", "course", "courses", "first_sale", "partner_first_sale"});
        if (auto x = rm.get("welcome")) pp.rewards.welcome = number(*x);
        if (auto x = rm.get("partner_welcome")) pp.rewards.partner_welcome = number(*x);
        if (auto x = rm.get("first_sale")) pp.rewards.first_sale = number(*x);
        if (auto x = rm.get("partner_first_sale")) pp.rewards.partner_first_sale = number(*x);
        if (auto x = rm.get("birthday")) pp.rewards.birthday = number(*x);
        if (auto x = rm.get("feb29"))
            pp.rewards.feb29 = choice<rules::activity_rewards::feb29_t>(*x, std::array<std::string_view, 2>{"feb28", "mar1"});
        if (auto x = rm.get("course")) pp.rewards.course = number(*x);
        if (auto x = rm.get("courses"))
            for (const auto& e : entries_of(*x, "a mapping of course ids to points")) pp.rewards.courses.emplace_back(e.key, number(e.value));
    }
    return pp;
}

rules::referral_program referral_of(const cursor& c) {
    mapping m(c, {"id", "window", "wins", "restart", "lock", "self_referrals", "inactive_partners", "bounty", "hold", "fund", "per"});
    rules::referral_program r;
    r.id = text(m.require("id"));
    if (auto w = m.get("window")) r.window_days = days_of(*w);
    if (auto w = m.get("wins")) r.wins = choice<rules::referral_program::wins_t>(*w, std::array<std::string_view, 2>{"first", "last"});
    if (auto x = m.get("restart")) r.restart = choice<int>(*x, yes_no_names) == 1;
    if (auto x = m.get("lock")) r.lock = choice<int>(*x, yes_no_names) == 1;
    constexpr std::array<std::string_view, 2> exclude_allow{"exclude", "allow"};
    if (auto x = m.get("self_referrals")) r.allow_self_referrals = choice<int>(*x, exclude_allow) == 1;
    if (auto x = m.get("inactive_partners")) r.allow_inactive_partners = choice<int>(*x, exclude_allow) == 1;
    const cursor b = m.require("bounty");
    mapping bm(b, {"per_signup", "per_customer", "rate", "months", "min_spend", "min_spend_over"});
    if (auto x = bm.get("per_signup")) r.bounty.per_signup = number(*x);
    if (auto x = bm.get("per_customer")) r.bounty.per_customer = number(*x);
    if (auto x = bm.get("rate")) r.bounty.rate = number(*x, true);
    if (auto x = bm.get("months")) r.bounty.months = whole_number(*x, 0, 100000);
    if (auto x = bm.get("min_spend")) r.bounty.min_spend = number(*x);
    if (auto x = bm.get("min_spend_over"))
        r.bounty.spend_over = choice<rules::bounty::spend_t>(*x, std::array<std::string_view, 2>{"first_payment", "months"});
    if (!r.bounty.per_signup && !r.bounty.per_customer && !r.bounty.rate)
        b.fail("missing_key", "a bounty needs \"per_signup\", \"per_customer\" or \"rate\", e.g. {per_customer: 36}");
    if (auto h = m.get("hold")) r.hold_days = days_of(*h);
    if (auto f = m.get("fund")) r.fund = text(*f);
    if (auto per = m.get("per")) r.per = choice<period_unit>(*per, period_names);
    return r;
}

/// A contest measure: `rule_id` (its measure) or {rule: ID, of: measure | count | payout | attainment}.
rules::contest_measure contest_measure_of(const cursor& c) {
    rules::contest_measure m;
    if (c.node.IsScalar()) {
        m.rule = text(c);
        return m;
    }
    mapping mm(c, {"rule", "of"});
    m.rule = text(mm.require("rule"));
    if (auto o = mm.get("of")) m.of = choice<rules::contest_measure::of_t>(*o, rules::contest_measure_names);
    return m;
}

constexpr std::array<std::string_view, 2> order_names{"lower", "higher"};

/// A tie-break: reached_first | fewer_returns | lot, or {measure: <measure>, order: higher} or
/// {attribute: NAME, order: higher}.
rules::tie_break tie_break_of(const cursor& c) {
    using by = rules::tie_break::by_t;
    rules::tie_break tb;
    if (c.node.IsScalar()) {
        constexpr std::array<std::string_view, 3> names{"reached_first", "fewer_returns", "lot"};
        constexpr std::array<by, 3> values{by::reached_first, by::fewer_returns, by::lot};
        tb.by = values[static_cast<std::size_t>(choice<int>(c, names))];
        return tb;
    }
    mapping m(c, {"measure", "attribute", "order"});
    const std::array<std::string_view, 2> keys{"measure", "attribute"};
    const entry* key = m.one_of(keys, "a tie-break is by a measure or an attribute");
    if (!key) c.fail("missing_key", "a tie-break needs \"measure\" or \"attribute\" (or is reached_first, fewer_returns or lot)");
    if (key->key == "measure") {
        tb.by = by::measure;
        tb.of = contest_measure_of(key->value);
    } else {
        tb.by = by::attribute;
        tb.attribute = text(key->value);
    }
    if (auto o = m.get("order")) tb.higher_first = choice<int>(*o, order_names) == 1;
    return tb;
}

rules::leagues leagues_of(const cursor& c) {
    mapping m(c, {"by", "bands", "lists"});
    rules::leagues lg;
    const std::array<std::string_view, 3> keys{"by", "bands", "lists"};
    const entry* key = m.one_of(keys, "leagues are by a field, by bands or by lists");
    if (!key) c.fail("missing_key", "leagues need \"by\", \"bands\" or \"lists\"");
    if (key->key == "by") {
        lg.by = rules::leagues::by_t::field;
        lg.field = text(key->value);
    } else if (key->key == "bands") {
        lg.by = rules::leagues::by_t::bands;
        mapping bm(key->value, {"on", "leagues"});
        lg.field = text(bm.require("on"));
        for (const auto& b : list_of(bm.require("leagues"), "a list of leagues, lowest first")) {
            mapping lm(b, {"name", "below"});
            rules::leagues::band band;
            band.name = text(lm.require("name"));
            if (auto x = lm.get("below")) band.below = number(*x);
            lg.bands.push_back(std::move(band));
        }
    } else {
        lg.by = rules::leagues::by_t::lists;
        for (const auto& l : list_of(key->value, "a list of leagues")) {
            mapping lm(l, {"name", "members"});
            lg.lists.push_back({text(lm.require("name")), texts(lm.require("members"))});
        }
    }
    return lg;
}

rules::prizes prizes_of(const cursor& c) {
    mapping m(c, {"pay", "fund", "places", "pot", "steps"});
    rules::prizes pz;
    if (auto x = m.get("pay")) pz.pay = choice<rules::prizes::pay_t>(*x, rules::prize_pay_names);
    if (auto x = m.get("fund")) pz.fund = text(*x);
    if (auto x = m.get("places"))
        for (const auto& place : list_of(*x, "a list of prizes by place")) {
            if (place.node.IsMap()) {
                mapping im(place, {"item", "value"});
                pz.items.push_back(text(im.require("item")));
                pz.places.push_back(number(im.require("value")));
            } else {
                pz.places.push_back(number(place));
            }
        }
    if (auto x = m.get("pot")) {
        mapping pm(*x, {"amount", "percent", "split"});
        rules::prizes::pot_t pot;
        if (auto a = pm.get("amount")) pot.amount = number(*a);
        if (auto a = pm.get("percent")) pot.percent = number(*a, true);
        for (const auto& part : list_of(pm.require("split"), "a list of the pot's parts by place (50%, 30%, 20%)")) pot.split.push_back(number(part, true));
        pz.pot = std::move(pot);
    }
    if (auto x = m.get("steps"))
        for (const auto& st : list_of(*x, "a list of steps, lowest first")) {
            mapping sm(st, {"at", "pot"});
            pz.steps.push_back({number(sm.require("at"), true), number(sm.require("pot"))});
        }
    return pz;
}

rules::contest contest_of(const cursor& c) {
    mapping m(c, {"id", "name", "score", "per", "roles", "eligible", "leagues", "rank", "tie_breaks", "winners", "cut", "min_score", "prizes"});
    rules::contest x;
    x.id = text(m.require("id"));
    if (auto n = m.get("name")) x.name = text(*n);
    x.score = contest_measure_of(m.require("score"));
    if (auto per = m.get("per")) x.per = choice<period_unit>(*per, period_names);
    if (auto r = m.get("roles")) x.roles = texts(*r);
    if (auto e = m.get("eligible")) {
        mapping em(*e, {"registered", "certified", "min"});
        if (auto r = em.get("registered")) x.eligible.registered = choice<int>(*r, yes_no_names) == 1;
        if (auto r = em.get("certified")) x.eligible.certified = text(*r);
        if (auto r = em.get("min")) {
            mapping mm(*r, {"rule", "of", "at_least"});
            rules::contest_measure me;
            me.rule = text(mm.require("rule"));
            if (auto o = mm.get("of")) me.of = choice<rules::contest_measure::of_t>(*o, rules::contest_measure_names);
            x.eligible.min_of = std::move(me);
            x.eligible.at_least = number(mm.require("at_least"), true);
        }
    }
    if (auto l = m.get("leagues")) x.leagues = leagues_of(*l);
    if (auto r = m.get("rank")) x.method = choice<rules::rank_method>(*r, rules::rank_method_names);
    if (auto t = m.get("tie_breaks"))
        for (const auto& tb : list_of(*t, "a list of tie-breaks")) x.chain.push_back(tie_break_of(tb));
    x.winners = static_cast<std::size_t>(whole_number(m.require("winners"), 1, 1000000));
    if (auto cut = m.get("cut")) x.cut = choice<rules::cut_rule>(*cut, rules::cut_rule_names);
    if (auto ms = m.get("min_score")) x.min_score = number(*ms, true);
    x.prize = prizes_of(m.require("prizes"));
    return x;
}

/// The KPI plan: {lights: {green: 100%, amber: 90%}, table: [{id, count, rule, active, events, course,
/// targets: [...] | target: {percent: 60%, of: ID}}]}.
rules::kpi_plan kpis_of(const cursor& c) {
    mapping m(c, {"lights", "table"});
    rules::kpi_plan plan;
    if (auto l = m.get("lights")) {
        mapping lm(*l, {"green", "amber"});
        if (auto g = lm.get("green")) plan.green = number(*g, true);
        if (auto a = lm.get("amber")) plan.amber = number(*a, true);
    }
    for (const auto& row : list_of(m.require("table"), "a list of KPIs")) {
        mapping km(row, {"id", "count", "rule", "active", "events", "course", "targets", "target"});
        rules::kpi x;
        x.id = text(km.require("id"));
        x.count = choice<rules::kpi::count_t>(km.require("count"), rules::kpi_count_names);
        if (auto r = km.get("rule")) x.rule = text(*r);
        if (auto a = km.get("active")) x.active = choice<rules::kpi::active_t>(*a, rules::kpi_active_names);
        if (auto e = km.get("events")) x.events = choice<int>(*e, yes_no_names) == 1;
        if (auto co = km.get("course")) x.course = text(*co);
        const std::array<std::string_view, 2> keys{"targets", "target"};
        const entry* t = km.one_of(keys, "targets are monthly numbers or a percent of another KPI");
        if (!t) row.fail("missing_key", "a KPI needs \"targets\" (one per month) or \"target: {percent: 60%, of: <kpi>}\"");
        if (t->key == "targets") {
            for (const auto& v : list_of(t->value, "a list of monthly targets")) x.targets.push_back(number(v));
        } else {
            mapping tm(t->value, {"percent", "of"});
            x.percent = number(tm.require("percent"), true);
            x.of = text(tm.require("of"));
        }
        if ((x.count == rules::kpi::count_t::partners_active || x.count == rules::kpi::count_t::measure) && x.rule.empty())
            row.fail("missing_key", "a KPI of " + std::string(rules::kpi_count_names[static_cast<int>(x.count)]) + " needs \"rule\"");
        plan.table.push_back(std::move(x));
    }
    return plan;
}

/// The ROI report: {sales: RULE, baseline: prior_year | {control: {field: F, value: V}}, margin: 25%, segment: F}.
rules::roi_plan roi_of(const cursor& c) {
    mapping m(c, {"sales", "baseline", "margin", "segment"});
    rules::roi_plan plan;
    plan.sales = text(m.require("sales"));
    if (auto b = m.get("baseline")) {
        if (b->node.IsScalar()) {
            if (text(*b) != "prior_year")
                b->fail("value", "unknown value \"" + text(*b) + "\": expected prior_year or {control: {field: F, value: V}}" +
                                     detail::did_you_mean(text(*b), std::array<std::string_view, 1>{"prior_year"}));
        } else {
            mapping bm(*b, {"control"});
            mapping cm(bm.require("control"), {"field", "value"});
            plan.baseline = rules::roi_plan::baseline_t::control_group;
            plan.control_field = text(cm.require("field"));
            plan.control_value = text(cm.require("value"));
        }
    }
    plan.margin = number(m.require("margin"), true);
    if (auto sg = m.get("segment")) plan.segment = text(*sg);
    return plan;
}

/// The program's seed: a whole number 0 .. 2^64 - 1.
std::uint64_t seed_of(const cursor& c) {
    const std::string t = text(c);
    const auto v = unsigned_64(t);
    if (!v) c.fail("value", "\"" + t + "\" is not a seed: a whole number from 0 to 18446744073709551615");
    return *v;
}

program program_of(const context& ctx, const YAML::Node& root) {
    mapping m(cursor{&ctx, root, ""},
              {"program", "currency", "periods", "rounding", "duplicates", "unknown_kinds", "places", "budget", "funds",
               "deal_registration", "referrals", "points", "certifications", "seed", "contests", "kpis", "roi", "rules"});
    program p;
    p.name = text(m.require("program"));
    p.currency_ = currency_of(m.require("currency"));
    p.cal = calendar_of(m.require("periods"));
    if (auto r = m.get("rounding")) p.rounding = rounding_of(*r);
    if (auto d = m.get("duplicates")) p.duplicates = choice<duplicate_policy>(*d, duplicate_names);
    if (auto u = m.get("unknown_kinds")) p.unknown_kinds = choice<unknown_kind_policy>(*u, unknown_kind_names);
    if (auto places = m.get("places")) {
        mapping pm(*places, {"amount", "quantity"});
        if (auto a = pm.get("amount")) p.amount_places = whole_number(*a, 0, decimal::max_scale);
        if (auto q = pm.get("quantity")) p.quantity_places = whole_number(*q, 0, decimal::max_scale);
    }
    if (auto b = m.get("budget")) p.budget_ = budget_of(*b);
    if (auto funds = m.get("funds"))
        for (const auto& f : list_of(*funds, "a list of funds")) p.funds.push_back(fund_of(f));
    if (auto d = m.get("deal_registration")) p.deals = deals_of(*d);
    if (auto refs = m.get("referrals"))
        for (const auto& r : list_of(*refs, "a list of referral programs")) p.referrals.push_back(referral_of(r));
    if (auto pts = m.get("points")) p.points = points_of(*pts);
    if (auto cs = m.get("certifications"))
        for (const auto& c : list_of(*cs, "a list of certifications")) {
            mapping cm(c, {"course", "valid"});
            rules::certification x;
            x.course = text(cm.require("course"));
            if (auto v = cm.get("valid")) x.valid = expiry_of(*v);
            p.certifications.push_back(std::move(x));
        }
    if (auto sd = m.get("seed")) p.seed = seed_of(*sd);
    if (auto k = m.get("kpis")) p.kpis = kpis_of(*k);
    if (auto ro = m.get("roi")) p.roi = roi_of(*ro);
    if (auto cs = m.get("contests"))
        for (const auto& c : list_of(*cs, "a list of contests")) p.contests.push_back(contest_of(c));
    auto list = m.require("rules");
    auto items = list_of(list, "a list of rules");
    if (items.empty()) list.fail("value", "a program needs at least one rule");
    for (const auto& item : items) p.rules.push_back(rule_of(item, nullptr));
    return p;
}

// ---------------------------------------------------------------------------------------------
// Writing.

/// Text as a scalar, quoted when YAML 1.1 readers would take it for a boolean or null.
void emit_text(YAML::Emitter& out, const std::string& s) {
    static constexpr std::array<std::string_view, 11> words{"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", ""};
    std::string lower;
    for (char ch : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (contains(words, lower)) out << YAML::DoubleQuoted;
    out << s;
}

template <std::size_t N, class Enum>
std::string name_of(const std::array<std::string_view, N>& names, Enum e) {
    return std::string(names[static_cast<std::size_t>(e)]);
}

/// The selector key for a field: the shorthand when reading it back gives the same field.
std::string key_of(const rules::field& f, bool range) {
    using scope = rules::field::scope;
    bool numeric = f.name == "amount" || f.name == "quantity";
    if (f.of == scope::event && contains(event_fields, f.name) && (range || !numeric)) return f.name;
    if (f.of == scope::partner && contains(partner_fields, f.name)) return f.name;
    return std::string(scope_prefixes[static_cast<std::size_t>(f.of)]) + f.name;
}

std::string condition_key(const selector& s) {
    switch (s.kind()) {
        case selector::op::in: return key_of(s.target(), false);
        case selector::op::range: return key_of(s.target(), true);
        case selector::op::dates: return "date";
        case selector::op::certified: return "certified";
        case selector::op::all: return "all";
        case selector::op::any: return "any";
        case selector::op::negate: return "not";
        case selector::op::always: break;
    }
    return {};
}

/// Whether an `all` can be written as one mapping of its children (distinct keys, two or more).
bool flattens(const selector& s) {
    if (s.kind() != selector::op::all || s.children().size() < 2) return false;
    std::vector<std::string> keys;
    for (const auto& c : s.children()) {
        if (c.kind() == selector::op::always || contains(keys, condition_key(c))) return false;
        keys.push_back(condition_key(c));
    }
    return true;
}

void emit_selector(YAML::Emitter& out, const selector& s);

void emit_condition(YAML::Emitter& out, const selector& s) {
    out << YAML::Key << condition_key(s) << YAML::Value;
    switch (s.kind()) {
        case selector::op::in:
            if (s.values().size() == 1) {
                emit_text(out, s.values().front());
            } else {
                out << YAML::Flow << YAML::BeginSeq;
                for (const auto& v : s.values()) emit_text(out, v);
                out << YAML::EndSeq;
            }
            break;
        case selector::op::range:
            out << YAML::Flow << YAML::BeginMap;
            if (s.min()) out << YAML::Key << "min" << YAML::Value << s.min()->to_string();
            if (s.max()) out << YAML::Key << "max" << YAML::Value << s.max()->to_string();
            out << YAML::EndMap;
            break;
        case selector::op::dates:
            out << YAML::Flow << YAML::BeginMap;
            if (s.from()) out << YAML::Key << "from" << YAML::Value << s.from()->to_string();
            if (s.to()) out << YAML::Key << "to" << YAML::Value << s.to()->to_string();
            out << YAML::EndMap;
            break;
        case selector::op::all:
        case selector::op::any:
            out << YAML::Flow << YAML::BeginSeq;
            for (const auto& c : s.children()) emit_selector(out, c);
            out << YAML::EndSeq;
            break;
        case selector::op::negate: emit_selector(out, s.children().front()); break;
        case selector::op::certified: emit_text(out, s.values().front()); break;
        case selector::op::always: break;
    }
}

void emit_selector(YAML::Emitter& out, const selector& s) {
    out << YAML::Flow << YAML::BeginMap;
    if (flattens(s))
        for (const auto& c : s.children()) emit_condition(out, c);
    else if (s.kind() != selector::op::always)
        emit_condition(out, s);
    out << YAML::EndMap;
}

void emit_measure(YAML::Emitter& out, const rules::measure& m) {
    using kind = rules::measure::kind_t;
    bool simple = m.kind == kind::amount || m.kind == kind::quantity || m.kind == kind::count;
    if (simple && !m.over) {
        out << name_of(simple_measure_names, m.kind);
        return;
    }
    out << YAML::Flow << YAML::BeginMap;
    if (simple)
        out << YAML::Key << "of" << YAML::Value << name_of(simple_measure_names, m.kind);
    else
        out << YAML::Key << (m.kind == kind::distinct ? "distinct" : "attribute") << YAML::Value << m.attribute;
    if (m.over) {
        out << YAML::Key << "growth" << YAML::Value << YAML::BeginMap;
        if (m.over->baseline == rules::growth::baseline_kind::attribute)
            out << YAML::Key << "over" << YAML::Value << YAML::BeginMap << YAML::Key << "attribute" << YAML::Value
                << m.over->attribute << YAML::EndMap;
        else if (m.over->baseline != rules::growth::baseline_kind::prior_year)
            out << YAML::Key << "over" << YAML::Value << name_of(baseline_names, m.over->baseline);
        if (m.over->form != rules::growth::form_kind::absolute)
            out << YAML::Key << "form" << YAML::Value << name_of(form_names, m.over->form);
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
}

void emit_tiers(YAML::Emitter& out, const rules::tier_table& t) {
    using table = rules::tier_table;
    out << YAML::Key << "tiers" << YAML::Value << YAML::BeginMap;
    if (t.basis != table::basis_t::retroactive) out << YAML::Key << "basis" << YAML::Value << name_of(basis_names, t.basis);
    if (t.value != table::value_t::rate) out << YAML::Key << "value" << YAML::Value << name_of(tier_value_names, t.value);
    if (t.on) {
        out << YAML::Key << "on" << YAML::Value;
        emit_measure(out, *t.on);
    }
    out << YAML::Key << "table" << YAML::Value << YAML::BeginSeq;
    for (const auto& row : t.rows) {
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "from" << YAML::Value << row.from.to_string();
        if (row.to) out << YAML::Key << "to" << YAML::Value << row.to->to_string();
        out << YAML::Key << name_of(tier_value_names, t.value) << YAML::Value << row.value.to_string();
        if (!row.name.empty()) {
            out << YAML::Key << "name" << YAML::Value;
            emit_text(out, row.name);
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
}

void emit_lookup(YAML::Emitter& out, const rules::lookup_table& t) {
    out << YAML::Key << "lookup" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "keys" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& k : t.keys) out << key_of(k, false);
    out << YAML::EndSeq;
    if (!t.rates.empty()) {
        out << YAML::Key << "rates" << YAML::Value << YAML::BeginSeq;
        for (const auto& [match, rate] : t.rates) {
            out << YAML::Flow << YAML::BeginMap << YAML::Key << "match" << YAML::Value << YAML::Flow << YAML::BeginSeq;
            for (const auto& v : match) emit_text(out, v);
            out << YAML::EndSeq << YAML::Key << "rate" << YAML::Value << rate.to_string() << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    if (t.fallback) out << YAML::Key << "default" << YAML::Value << t.fallback->to_string();
    out << YAML::EndMap;
}

void emit_schedule(YAML::Emitter& out, const rules::schedule& s) {
    using kind = rules::schedule::kind_t;
    if (s.kind == kind::tiers) return emit_tiers(out, s.tiers_);
    if (s.kind == kind::lookup) return emit_lookup(out, s.lookup_);
    out << YAML::Key << "pay" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << name_of(pay_names, s.kind)
        << YAML::Value << s.value.to_string() << YAML::EndMap;
}

void emit_limit_value(YAML::Emitter& out, const rules::limit& l) {
    if (!l.per) {
        out << l.amount.to_string();
        return;
    }
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "amount" << YAML::Value << l.amount.to_string() << YAML::Key
        << "per" << YAML::Value << name_of(period_names, *l.per) << YAML::EndMap;
}

void emit_limits(YAML::Emitter& out, const std::vector<rules::limit>& limits) {
    using kind = rules::limit::kind_t;
    std::vector<rules::limit> caps, floors;
    bool caps_first = true;
    for (const auto& l : limits) {
        if (l.kind == kind::cap && !floors.empty()) caps_first = false;
        (l.kind == kind::cap ? caps : floors).push_back(l);
    }
    if (!caps_first) {  // the order matters to the engine: keep it with the general form
        out << YAML::Key << "limits" << YAML::Value << YAML::BeginSeq;
        for (const auto& l : limits) {
            out << YAML::Flow << YAML::BeginMap << YAML::Key << (l.kind == kind::cap ? "cap" : "floor") << YAML::Value
                << l.amount.to_string();
            if (l.per) out << YAML::Key << "per" << YAML::Value << name_of(period_names, *l.per);
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
        return;
    }
    for (const auto* group : {&caps, &floors}) {
        if (group->empty()) continue;
        out << YAML::Key << (group == &caps ? "cap" : "floor") << YAML::Value;
        if (group->size() == 1) {
            emit_limit_value(out, group->front());
            continue;
        }
        out << YAML::BeginSeq;
        for (const auto& l : *group) emit_limit_value(out, l);
        out << YAML::EndSeq;
    }
}

void emit_modifiers(YAML::Emitter& out, const rules::threshold& q, const std::optional<rules::accelerator>& acc,
                    const std::vector<rules::limit>& limits) {
    if (q.min_measure)
        out << YAML::Key << "qualify" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "min" << YAML::Value
            << q.min_measure->to_string() << YAML::EndMap;
    if (q.eligible) {
        out << YAML::Key << "when" << YAML::Value;
        emit_selector(out, *q.eligible);
    }
    if (acc) {
        out << YAML::Key << "accelerator" << YAML::Value << YAML::BeginSeq;
        for (const auto& b : acc->bands)
            out << YAML::Flow << YAML::BeginMap << YAML::Key << "from" << YAML::Value << b.from.to_string() << YAML::Key
                << "multiplier" << YAML::Value << b.multiplier.to_string() << YAML::EndMap;
        out << YAML::EndSeq;
    }
    emit_limits(out, limits);
}

void emit_budget(YAML::Emitter& out, const rules::budget& b) {
    out << YAML::Key << "budget" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "amount" << YAML::Value
        << b.amount.to_string();
    if (b.policy != rules::budget::policy_t::pro_rata)
        out << YAML::Key << "policy" << YAML::Value << name_of(policy_names, b.policy);
    out << YAML::EndMap;
}

void emit_expiry(YAML::Emitter& out, const char* key, const rules::lot_expiry& e) {
    out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "after" << YAML::Value << e.after
        << YAML::Key << "unit" << YAML::Value << name_of(expiry_unit_names, e.unit);
    if (e.round_to) out << YAML::Key << "round_to" << YAML::Value << name_of(period_names, *e.round_to);
    out << YAML::EndMap;
}

void emit_fund(YAML::Emitter& out, const rules::fund& f) {
    const rules::fund defaults;
    out << YAML::BeginMap << YAML::Key << "id" << YAML::Value;
    emit_text(out, f.id);
    out << YAML::Key << "kind" << YAML::Value << name_of(fund_kind_names, f.kind);
    if (f.reimbursement != defaults.reimbursement)
        out << YAML::Key << "reimbursement" << YAML::Value << (f.reimbursement * decimal(100)).normalized().to_string() + "%";
    if (f.expires) emit_expiry(out, "expires", *f.expires);
    if (f.claim_order != defaults.claim_order) out << YAML::Key << "claim_order" << YAML::Value << name_of(claim_order_names, f.claim_order);
    if (f.requires_approval) out << YAML::Key << "requires_approval" << YAML::Value << "true";
    if (f.claim_days != defaults.claim_days) out << YAML::Key << "claim_days" << YAML::Value << f.claim_days;
    if (f.budget)
        out << YAML::Key << "budget" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "amount" << YAML::Value
            << f.budget->amount.to_string() << YAML::Key << "per" << YAML::Value << name_of(period_names, f.budget->per)
            << YAML::EndMap;
    out << YAML::EndMap;
}

void emit_levels(YAML::Emitter& out, const rules::status_levels& lv) {
    out << YAML::Key << "levels" << YAML::Value << YAML::BeginMap;
    if (!lv.rule.empty()) {
        out << YAML::Key << "measure" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "rule" << YAML::Value;
        emit_text(out, lv.rule);
        out << YAML::EndMap;
    }
    if (lv.rolling_months > 0)
        out << YAML::Key << "window" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "rolling_months" << YAML::Value
            << lv.rolling_months << YAML::EndMap;
    else
        out << YAML::Key << "window" << YAML::Value << name_of(period_names, lv.window);
    out << YAML::Key << "review" << YAML::Value << name_of(period_names, lv.review);
    if (lv.grace > 0) out << YAML::Key << "grace" << YAML::Value << lv.grace;
    if (lv.downgrade != rules::status_levels::downgrade_t::one_level)
        out << YAML::Key << "downgrade" << YAML::Value << name_of(downgrade_names, lv.downgrade);
    out << YAML::Key << "table" << YAML::Value << YAML::BeginSeq;
    for (const auto& l : lv.table) {
        out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value;
        emit_text(out, l.name);
        out << YAML::Key << "from" << YAML::Value << l.from.to_string();
        if (!(l.multiplier == decimal(1))) out << YAML::Key << "multiplier" << YAML::Value << l.multiplier.to_string();
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
}

void emit_points(YAML::Emitter& out, const rules::points_program& pp) {
    const rules::points_program defaults;
    out << YAML::Key << "points" << YAML::Value << YAML::BeginMap << YAML::Key << "id" << YAML::Value;
    emit_text(out, pp.id);
    if (pp.places != 0) out << YAML::Key << "places" << YAML::Value << pp.places;
    out << YAML::Key << "value" << YAML::Value << pp.value.to_string();
    if (pp.pending_days > 0)
        out << YAML::Key << "pending" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "days" << YAML::Value
            << pp.pending_days << YAML::EndMap;
    if (pp.expires) emit_expiry(out, "expires", *pp.expires);
    if (pp.spend != defaults.spend) out << YAML::Key << "spend" << YAML::Value << name_of(claim_order_names, pp.spend);
    if (pp.returns != defaults.returns) out << YAML::Key << "returns" << YAML::Value << name_of(returns_names, pp.returns);
    if (pp.reinstate_days)
        out << YAML::Key << "reinstate" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "days" << YAML::Value
            << *pp.reinstate_days << YAML::EndMap;
    if (pp.breakage) out << YAML::Key << "breakage" << YAML::Value << (*pp.breakage * decimal(100)).normalized().to_string() + "%";
    if (!pp.shop.empty()) {
        out << YAML::Key << "shop" << YAML::Value << YAML::BeginSeq;
        for (const auto& it : pp.shop) {
            out << YAML::Flow << YAML::BeginMap << YAML::Key << "sku" << YAML::Value;
            emit_text(out, it.sku);
            if (!it.name.empty()) {
                out << YAML::Key << "name" << YAML::Value;
                emit_text(out, it.name);
            }
            out << YAML::Key << "price" << YAML::Value << it.price.to_string();
            if (it.stock) out << YAML::Key << "stock" << YAML::Value << *it.stock;
            if (it.limit)
                out << YAML::Key << "limit" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "count" << YAML::Value
                    << *it.limit << YAML::Key << "per" << YAML::Value << name_of(period_names, it.limit_per) << YAML::EndMap;
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    if (pp.levels) emit_levels(out, *pp.levels);
    if (pp.rewards.any()) {
        const auto& rw = pp.rewards;
        out << YAML::Key << "rewards" << YAML::Value << YAML::BeginMap;
        if (rw.welcome) out << YAML::Key << "welcome" << YAML::Value << rw.welcome->to_string();
        if (rw.partner_welcome) out << YAML::Key << "partner_welcome" << YAML::Value << rw.partner_welcome->to_string();
        if (rw.first_sale) out << YAML::Key << "first_sale" << YAML::Value << rw.first_sale->to_string();
        if (rw.partner_first_sale) out << YAML::Key << "partner_first_sale" << YAML::Value << rw.partner_first_sale->to_string();
        if (rw.birthday) out << YAML::Key << "birthday" << YAML::Value << rw.birthday->to_string();
        if (rw.feb29 != rules::activity_rewards::feb29_t::feb28) out << YAML::Key << "feb29" << YAML::Value << "mar1";
        if (rw.course) out << YAML::Key << "course" << YAML::Value << rw.course->to_string();
        if (!rw.courses.empty()) {
            out << YAML::Key << "courses" << YAML::Value << YAML::BeginMap;
            for (const auto& [id, points] : rw.courses) {
                out << YAML::Key;
                emit_text(out, id);
                out << YAML::Value << points.to_string();
            }
            out << YAML::EndMap;
        }
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
}

void emit_span(YAML::Emitter& out, const rules::span& s) {
    out << YAML::Key << (s.months ? "months" : "days") << YAML::Value << s.count;
}

void emit_referral(YAML::Emitter& out, const rules::referral_program& r) {
    out << YAML::BeginMap << YAML::Key << "id" << YAML::Value;
    emit_text(out, r.id);
    out << YAML::Key << "window" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "days" << YAML::Value << r.window_days
        << YAML::EndMap;
    out << YAML::Key << "wins" << YAML::Value << std::string(to_string(r.wins));
    if (r.restart) out << YAML::Key << "restart" << YAML::Value << "true";
    if (r.lock) out << YAML::Key << "lock" << YAML::Value << "true";
    if (r.allow_self_referrals) out << YAML::Key << "self_referrals" << YAML::Value << "allow";
    if (r.allow_inactive_partners) out << YAML::Key << "inactive_partners" << YAML::Value << "allow";
    const auto& b = r.bounty;
    out << YAML::Key << "bounty" << YAML::Value << YAML::Flow << YAML::BeginMap;
    if (b.per_signup) out << YAML::Key << "per_signup" << YAML::Value << b.per_signup->to_string();
    if (b.per_customer) out << YAML::Key << "per_customer" << YAML::Value << b.per_customer->to_string();
    if (b.rate) out << YAML::Key << "rate" << YAML::Value << (*b.rate * decimal(100)).normalized().to_string() + "%";
    if (b.months > 0) out << YAML::Key << "months" << YAML::Value << b.months;
    if (b.min_spend.signum() != 0) out << YAML::Key << "min_spend" << YAML::Value << b.min_spend.to_string();
    if (b.spend_over != rules::bounty::spend_t::first_payment)
        out << YAML::Key << "min_spend_over" << YAML::Value << std::string(to_string(b.spend_over));
    out << YAML::EndMap;
    if (r.hold_days > 0)
        out << YAML::Key << "hold" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "days" << YAML::Value << r.hold_days
            << YAML::EndMap;
    if (!r.fund.empty()) {
        out << YAML::Key << "fund" << YAML::Value;
        emit_text(out, r.fund);
    }
    if (r.per != period_unit::quarter) out << YAML::Key << "per" << YAML::Value << name_of(period_names, r.per);
    out << YAML::EndMap;
}

void emit_contest_measure(YAML::Emitter& out, const rules::contest_measure& m) {
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "rule" << YAML::Value;
    emit_text(out, m.rule);
    if (m.of != rules::contest_measure::of_t::measure) out << YAML::Key << "of" << YAML::Value << name_of(rules::contest_measure_names, m.of);
    out << YAML::EndMap;
}

std::string percent_text(const decimal& fraction) { return (fraction * decimal(100)).normalized().to_string() + "%"; }

void emit_contest(YAML::Emitter& out, const rules::contest& c) {
    out << YAML::BeginMap << YAML::Key << "id" << YAML::Value;
    emit_text(out, c.id);
    if (!c.name.empty()) {
        out << YAML::Key << "name" << YAML::Value;
        emit_text(out, c.name);
    }
    out << YAML::Key << "score" << YAML::Value;
    emit_contest_measure(out, c.score);
    if (c.per != period_unit::program) out << YAML::Key << "per" << YAML::Value << name_of(period_names, c.per);
    if (!c.roles.empty()) {
        out << YAML::Key << "roles" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const auto& r : c.roles) emit_text(out, r);
        out << YAML::EndSeq;
    }
    const auto& el = c.eligible;
    if (el.registered || !el.certified.empty() || el.min_of) {
        out << YAML::Key << "eligible" << YAML::Value << YAML::BeginMap;
        if (el.registered) out << YAML::Key << "registered" << YAML::Value << "true";
        if (!el.certified.empty()) {
            out << YAML::Key << "certified" << YAML::Value;
            emit_text(out, el.certified);
        }
        if (el.min_of) {
            out << YAML::Key << "min" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "rule" << YAML::Value;
            emit_text(out, el.min_of->rule);
            out << YAML::Key << "of" << YAML::Value << name_of(rules::contest_measure_names, el.min_of->of) << YAML::Key << "at_least"
                << YAML::Value << el.at_least.to_string() << YAML::EndMap;
        }
        out << YAML::EndMap;
    }
    const auto& lg = c.leagues;
    if (lg.by != rules::leagues::by_t::none) {
        out << YAML::Key << "leagues" << YAML::Value << YAML::BeginMap;
        if (lg.by == rules::leagues::by_t::field) {
            out << YAML::Key << "by" << YAML::Value;
            emit_text(out, lg.field);
        } else if (lg.by == rules::leagues::by_t::bands) {
            out << YAML::Key << "bands" << YAML::Value << YAML::BeginMap << YAML::Key << "on" << YAML::Value;
            emit_text(out, lg.field);
            out << YAML::Key << "leagues" << YAML::Value << YAML::BeginSeq;
            for (const auto& b : lg.bands) {
                out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value;
                emit_text(out, b.name);
                if (b.below) out << YAML::Key << "below" << YAML::Value << b.below->to_string();
                out << YAML::EndMap;
            }
            out << YAML::EndSeq << YAML::EndMap;
        } else {
            out << YAML::Key << "lists" << YAML::Value << YAML::BeginSeq;
            for (const auto& l : lg.lists) {
                out << YAML::BeginMap << YAML::Key << "name" << YAML::Value;
                emit_text(out, l.name);
                out << YAML::Key << "members" << YAML::Value << YAML::Flow << YAML::BeginSeq;
                for (const auto& x : l.members) emit_text(out, x);
                out << YAML::EndSeq << YAML::EndMap;
            }
            out << YAML::EndSeq;
        }
        out << YAML::EndMap;
    }
    if (c.method != rules::rank_method::standard) out << YAML::Key << "rank" << YAML::Value << name_of(rules::rank_method_names, c.method);
    if (!c.chain.empty()) {
        out << YAML::Key << "tie_breaks" << YAML::Value << YAML::BeginSeq;
        for (const auto& tb : c.chain) {
            using by = rules::tie_break::by_t;
            if (tb.by != by::measure && tb.by != by::attribute) {
                out << name_of(rules::tie_break_names, tb.by);
                continue;
            }
            out << YAML::Flow << YAML::BeginMap;
            if (tb.by == by::measure) {
                out << YAML::Key << "measure" << YAML::Value;
                emit_contest_measure(out, tb.of);
            } else {
                out << YAML::Key << "attribute" << YAML::Value;
                emit_text(out, tb.attribute);
            }
            out << YAML::Key << "order" << YAML::Value << (tb.higher_first ? "higher" : "lower") << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    out << YAML::Key << "winners" << YAML::Value << c.winners;
    if (c.cut != rules::cut_rule::share) out << YAML::Key << "cut" << YAML::Value << name_of(rules::cut_rule_names, c.cut);
    if (c.min_score) out << YAML::Key << "min_score" << YAML::Value << c.min_score->to_string();
    const auto& pz = c.prize;
    out << YAML::Key << "prizes" << YAML::Value << YAML::BeginMap;
    if (pz.pay != rules::prizes::pay_t::cash) out << YAML::Key << "pay" << YAML::Value << name_of(rules::prize_pay_names, pz.pay);
    if (!pz.fund.empty()) {
        out << YAML::Key << "fund" << YAML::Value;
        emit_text(out, pz.fund);
    }
    if (!pz.places.empty()) {
        out << YAML::Key << "places" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (std::size_t i = 0; i < pz.places.size(); ++i) {
            if (pz.items.empty()) {
                out << pz.places[i].to_string();
                continue;
            }
            out << YAML::BeginMap << YAML::Key << "item" << YAML::Value;
            emit_text(out, i < pz.items.size() ? pz.items[i] : std::string());
            out << YAML::Key << "value" << YAML::Value << pz.places[i].to_string() << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    if (pz.pot) {
        out << YAML::Key << "pot" << YAML::Value << YAML::Flow << YAML::BeginMap;
        if (pz.pot->amount) out << YAML::Key << "amount" << YAML::Value << pz.pot->amount->to_string();
        if (pz.pot->percent) out << YAML::Key << "percent" << YAML::Value << percent_text(*pz.pot->percent);
        out << YAML::Key << "split" << YAML::Value << YAML::BeginSeq;
        for (const auto& x : pz.pot->split) out << percent_text(x);
        out << YAML::EndSeq << YAML::EndMap;
    }
    if (!pz.steps.empty()) {
        out << YAML::Key << "steps" << YAML::Value << YAML::BeginSeq;
        for (const auto& st : pz.steps)
            out << YAML::Flow << YAML::BeginMap << YAML::Key << "at" << YAML::Value << st.at.to_string() << YAML::Key << "pot" << YAML::Value
                << st.pot.to_string() << YAML::EndMap;
        out << YAML::EndSeq;
    }
    out << YAML::EndMap << YAML::EndMap;
}

void emit_kpis(YAML::Emitter& out, const rules::kpi_plan& plan) {
    out << YAML::Key << "kpis" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "lights" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "green" << YAML::Value
        << percent_text(plan.green) << YAML::Key << "amber" << YAML::Value << percent_text(plan.amber) << YAML::EndMap;
    out << YAML::Key << "table" << YAML::Value << YAML::BeginSeq;
    for (const auto& x : plan.table) {
        out << YAML::BeginMap << YAML::Key << "id" << YAML::Value;
        emit_text(out, x.id);
        out << YAML::Key << "count" << YAML::Value << name_of(rules::kpi_count_names, x.count);
        if (!x.rule.empty()) {
            out << YAML::Key << "rule" << YAML::Value;
            emit_text(out, x.rule);
        }
        if (x.active != rules::kpi::active_t::month) out << YAML::Key << "active" << YAML::Value << name_of(rules::kpi_active_names, x.active);
        if (x.events) out << YAML::Key << "events" << YAML::Value << "true";
        if (!x.course.empty()) {
            out << YAML::Key << "course" << YAML::Value;
            emit_text(out, x.course);
        }
        if (x.percent) {
            out << YAML::Key << "target" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "percent" << YAML::Value
                << percent_text(*x.percent) << YAML::Key << "of" << YAML::Value;
            emit_text(out, x.of);
            out << YAML::EndMap;
        } else {
            out << YAML::Key << "targets" << YAML::Value << YAML::Flow << YAML::BeginSeq;
            for (const auto& t : x.targets) out << t.to_string();
            out << YAML::EndSeq;
        }
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
}

void emit_deals(YAML::Emitter& out, const rules::deal_registration& d) {
    out << YAML::Key << "deal_registration" << YAML::Value << YAML::BeginMap << YAML::Key << "id" << YAML::Value;
    emit_text(out, d.id);
    out << YAML::Key << "window" << YAML::Value << YAML::Flow << YAML::BeginMap;
    emit_span(out, d.window);
    out << YAML::EndMap;
    if (d.max_extensions > 0) {
        out << YAML::Key << "extension" << YAML::Value << YAML::Flow << YAML::BeginMap;
        emit_span(out, d.extension);
        out << YAML::Key << "max" << YAML::Value << d.max_extensions << YAML::EndMap;
    }
    if (d.bonus_rate || d.bonus_fixed) {
        out << YAML::Key << "bonus" << YAML::Value << YAML::Flow << YAML::BeginMap;
        if (d.bonus_rate) out << YAML::Key << "rate" << YAML::Value << (*d.bonus_rate * decimal(100)).normalized().to_string() + "%";
        if (d.bonus_fixed) out << YAML::Key << "fixed" << YAML::Value << d.bonus_fixed->to_string();
        out << YAML::EndMap;
    }
    if (!d.stages.empty()) {
        out << YAML::Key << "stages" << YAML::Value << YAML::Flow << YAML::BeginMap;
        for (const auto& [name, reward] : d.stages) {
            out << YAML::Key;
            emit_text(out, name);
            out << YAML::Value << reward.to_string();
        }
        out << YAML::EndMap;
    }
    if (!d.clawback_lost) out << YAML::Key << "lost" << YAML::Value << "keep";
    if (d.per != period_unit::quarter) out << YAML::Key << "per" << YAML::Value << name_of(period_names, d.per);
    out << YAML::EndMap;
}

void emit_rule(YAML::Emitter& out, const rules::rule& r, const rules::rule* parent) {
    out << YAML::BeginMap << YAML::Key << "id" << YAML::Value;
    emit_text(out, r.id);
    if (!r.label.empty()) {
        out << YAML::Key << "kind" << YAML::Value;
        emit_text(out, r.label);
    }
    if (r.select.kind() != selector::op::always) {
        out << YAML::Key << "select" << YAML::Value;
        emit_selector(out, r.select);
    }
    bool leaf = r.combine == rules::combinator::none;
    if (!(r.measure_ == default_measure(leaf ? r.pay.kind : rules::schedule::kind_t::rate))) {
        out << YAML::Key << "measure" << YAML::Value;
        emit_measure(out, r.measure_);
    }
    auto inherited_to = parent ? parent->credit_.to : rules::credit::to_t::partner;
    auto inherited_per = parent ? parent->per : period_unit::quarter;
    if (r.credit_.to != inherited_to || r.per != inherited_per)
        out << YAML::Key << "per" << YAML::Value << YAML::Flow << YAML::BeginSeq
            << name_of(beneficiary_names, r.credit_.to) << name_of(period_names, r.per) << YAML::EndSeq;
    if (r.credit_.roles != (parent ? parent->credit_.roles : std::vector<std::string>{})) {
        out << YAML::Key << "credit" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "roles"
            << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const auto& role : r.credit_.roles) emit_text(out, role);
        out << YAML::EndSeq << YAML::EndMap;
    }
    if (leaf) emit_schedule(out, r.pay);
    emit_modifiers(out, r.qualify, r.accelerate, r.limits);
    if (r.budget_) emit_budget(out, *r.budget_);
    if (!r.fund.empty()) {
        out << YAML::Key << "fund" << YAML::Value;
        emit_text(out, r.fund);
    }
    if (!r.points.empty()) {
        out << YAML::Key << "points" << YAML::Value;
        emit_text(out, r.points);
    }
    if (r.clawback_) {
        out << YAML::Key << "clawback" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "days"
            << YAML::Value << r.clawback_->days;
        if (r.clawback_->basis != rules::clawback::basis_t::proportional)
            out << YAML::Key << "basis" << YAML::Value << std::string(to_string(r.clawback_->basis));
        out << YAML::EndMap;
    }
    if (!leaf) {
        out << YAML::Key << std::string(rules::to_string(r.combine)) << YAML::Value << YAML::BeginSeq;
        for (const auto& c : r.children) emit_rule(out, c, &r);
        out << YAML::EndSeq;
    }
    if (!r.versions.empty()) {
        out << YAML::Key << "versions" << YAML::Value << YAML::BeginSeq;
        for (const auto& v : r.versions) {
            out << YAML::BeginMap << YAML::Key << "from" << YAML::Value << v.effective_from.to_string();
            emit_schedule(out, v.pay);
            emit_modifiers(out, v.qualify, v.accelerate, v.limits);
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    out << YAML::EndMap;
}

void emit_calendar(YAML::Emitter& out, const calendar& cal) {
    out << YAML::Key << "periods" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "from" << YAML::Value << cal.from().to_string();
    out << YAML::Key << "to" << YAML::Value << cal.to().to_string();
    if (cal.fiscal_start_month() != 1) out << YAML::Key << "fiscal_year_start" << YAML::Value << cal.fiscal_start_month();
    if (!cal.custom_periods().empty()) {
        out << YAML::Key << "custom" << YAML::Value << YAML::BeginSeq;
        for (const auto& p : cal.custom_periods())
            out << YAML::Flow << YAML::BeginMap << YAML::Key << "label" << YAML::Value << p.label << YAML::Key << "from"
                << YAML::Value << p.from.to_string() << YAML::Key << "to" << YAML::Value << p.to.to_string()
                << YAML::EndMap;
        out << YAML::EndSeq;
    }
    out << YAML::EndMap;
}


}  // namespace

program read_program(std::string_view yaml, std::string_view source) {
    context ctx{std::string(source)};
    ctx.visit_limit = 4 * yaml.size() + 10000;
    const YAML::Node root = load_document(ctx, yaml, "program");
    program p = program_of(ctx, root);
    try {
        validate(p);
    } catch (const validation_error& e) {
        throw validation_error(e.code(), ctx.source + ": " + message_of(e));
    }
    return p;
}

program read_program_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error("incentives.config.file", path + ": cannot open the program file");
    std::ostringstream text;
    text << in.rdbuf();
    return read_program(text.str(), path);
}

std::string write_program(const program& p) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "program" << YAML::Value;
    emit_text(out, p.name);
    out << YAML::Key << "currency" << YAML::Value << std::string(p.currency_.code());
    emit_calendar(out, p.cal);
    if (!(p.rounding == rounding_policy{})) {
        out << YAML::Key << "rounding" << YAML::Value << YAML::Flow << YAML::BeginMap;
        if (p.rounding.mode != rounding_mode::half_even)
            out << YAML::Key << "mode" << YAML::Value << std::string(to_string(p.rounding.mode));
        if (p.rounding.point != rounding_policy::point_t::line)
            out << YAML::Key << "at" << YAML::Value << name_of(point_names, p.rounding.point);
        out << YAML::EndMap;
    }
    if (p.duplicates != duplicate_policy::error)
        out << YAML::Key << "duplicates" << YAML::Value << name_of(duplicate_names, p.duplicates);
    if (p.unknown_kinds != unknown_kind_policy::warn)
        out << YAML::Key << "unknown_kinds" << YAML::Value << name_of(unknown_kind_names, p.unknown_kinds);
    if (p.amount_places >= 0 || p.quantity_places != 0) {
        out << YAML::Key << "places" << YAML::Value << YAML::Flow << YAML::BeginMap;
        if (p.amount_places >= 0) out << YAML::Key << "amount" << YAML::Value << p.amount_places;
        if (p.quantity_places != 0) out << YAML::Key << "quantity" << YAML::Value << p.quantity_places;
        out << YAML::EndMap;
    }
    if (p.budget_) emit_budget(out, *p.budget_);
    if (!p.funds.empty()) {
        out << YAML::Key << "funds" << YAML::Value << YAML::BeginSeq;
        for (const auto& f : p.funds) emit_fund(out, f);
        out << YAML::EndSeq;
    }
    if (p.deals) emit_deals(out, *p.deals);
    if (!p.referrals.empty()) {
        out << YAML::Key << "referrals" << YAML::Value << YAML::BeginSeq;
        for (const auto& r : p.referrals) emit_referral(out, r);
        out << YAML::EndSeq;
    }
    if (p.points) emit_points(out, *p.points);
    if (!p.certifications.empty()) {
        out << YAML::Key << "certifications" << YAML::Value << YAML::BeginSeq;
        for (const auto& c : p.certifications) {
            out << YAML::BeginMap << YAML::Key << "course" << YAML::Value;
            emit_text(out, c.course);
            if (c.valid) emit_expiry(out, "valid", *c.valid);
            out << YAML::EndMap;
        }
        out << YAML::EndSeq;
    }
    if (p.seed) out << YAML::Key << "seed" << YAML::Value << std::to_string(*p.seed);
    if (p.kpis) emit_kpis(out, *p.kpis);
    if (p.roi) {
        out << YAML::Key << "roi" << YAML::Value << YAML::BeginMap << YAML::Key << "sales" << YAML::Value;
        emit_text(out, p.roi->sales);
        out << YAML::Key << "baseline" << YAML::Value;
        if (p.roi->baseline == rules::roi_plan::baseline_t::prior_year) {
            out << "prior_year";
        } else {
            out << YAML::Flow << YAML::BeginMap << YAML::Key << "control" << YAML::Value << YAML::BeginMap << YAML::Key << "field" << YAML::Value;
            emit_text(out, p.roi->control_field);
            out << YAML::Key << "value" << YAML::Value;
            emit_text(out, p.roi->control_value);
            out << YAML::EndMap << YAML::EndMap;
        }
        out << YAML::Key << "margin" << YAML::Value << percent_text(p.roi->margin);
        if (!p.roi->segment.empty()) {
            out << YAML::Key << "segment" << YAML::Value;
            emit_text(out, p.roi->segment);
        }
        out << YAML::EndMap;
    }
    if (!p.contests.empty()) {
        out << YAML::Key << "contests" << YAML::Value << YAML::BeginSeq;
        for (const auto& c : p.contests) emit_contest(out, c);
        out << YAML::EndSeq;
    }
    out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
    for (const auto& r : p.rules) emit_rule(out, r, nullptr);
    out << YAML::EndSeq << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

}  // namespace incentives::io
