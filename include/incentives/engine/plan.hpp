// The compiled plan: each leaf rule (a top-level rule, or a child of a combinator) with its periods,
// beneficiaries, scales and versions, as the compile stage (engine/compile.hpp) builds it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/errors.hpp>
#include <incentives/program.hpp>
#include <incentives/rules/measure.hpp>
#include <incentives/rules/selection.hpp>

namespace incentives::detail {

/// The event kinds a program pays on: every kind (some rule selects without regard to kind), or a
/// list. Events of another kind are what unknown_kinds is about.
struct kind_set {
    bool every = false;
    std::vector<std::string> kinds;

    [[nodiscard]] bool accepts(std::string_view k) const {
        return every || std::find(kinds.begin(), kinds.end(), k) != kinds.end();
    }
    void add(const kind_set& other) {
        every = every || other.every;
        for (const auto& k : other.kinds)
            if (!accepts(k)) kinds.push_back(k);
    }
};

/// The kinds a selector can accept: an `in` on the event kind names them, `all` intersects, `any`
/// joins; anything else (a negation, a range on the kind, another field alone) can accept any kind.
[[nodiscard]] inline kind_set kinds_selected(const rules::selector& s) {
    using op = rules::selector::op;
    kind_set out;
    switch (s.kind()) {
        case op::in:
            if (s.target().of == rules::field::scope::event && s.target().name == "kind") {
                out.kinds = s.values();
                return out;
            }
            break;
        case op::all: {
            std::optional<kind_set> meet;
            for (const auto& c : s.children()) {
                kind_set k = kinds_selected(c);
                if (k.every) continue;
                if (!meet) {
                    meet = k;
                    continue;
                }
                std::erase_if(meet->kinds, [&](const std::string& x) { return !k.accepts(x); });
            }
            if (meet) return *meet;
            break;
        }
        case op::any:
            for (const auto& c : s.children()) out.add(kinds_selected(c));
            return out;
        default: break;
    }
    out.every = true;
    return out;
}

/// A leaf rule compiled for the engine (a top-level rule or a child of a combinator).
struct leaf {
    std::size_t top = 0;  ///< index of the top-level rule in the program
    int child = -1;       ///< index among the top-level rule's children, or -1
    rules::selector select;  ///< effective selection: own, parent's, the implied kind, first_of exclusions
    period_unit unit = period_unit::quarter;
    std::int32_t period_lo = 0;      ///< first period accumulated (baselines included)
    std::int32_t program_lo = 0;     ///< first period that pays
    std::int32_t period_hi = 0;      ///< last period
    std::size_t periods = 0;         ///< period_hi - period_lo + 1
    std::int32_t first_day = 0;      ///< program dates: events outside them count only for baselines
    std::int32_t last_day = 0;
    std::size_t beneficiaries = 0;
    int base_scale = 0;              ///< scale of the measured column
    int measure_scale = 0;           ///< base_scale + share scale (or 0 for distinct counts)
    int payout_scale = 0;            ///< scale of group_acc::payout
    int rate_scale = 0;              ///< scale of lookup rates
    bool second = false;             ///< group_acc::second is kept (tiers.on measures another kind)
    rules::measure::kind_t second_kind = rules::measure::kind_t::amount;
    int second_scale = 0;            ///< its scale
    bool event_rounding = false;
    bool lookup = false;             ///< some version pays by a lookup table
    std::vector<std::uint8_t> lookup_version;  ///< per version: pays by a lookup table
    bool distinct = false;
    bool clawback = false;
    std::vector<date> version_from;  ///< version k applies from version_from[k]; k = 0 is the base
    std::vector<std::uint8_t> role_ok;  ///< per participant: may earn (credit by role)

    [[nodiscard]] std::size_t slots() const noexcept { return periods * beneficiaries; }
    [[nodiscard]] std::size_t version_of(std::int32_t day) const noexcept {
        std::size_t v = 0;
        while (v + 1 < version_from.size() && version_from[v + 1].days() <= day) ++v;
        return v;
    }
};

inline constexpr std::uint32_t batch_row_flag = 0x80000000u;  // a return whose sale is in the same batch

/// How many periods of its own unit a measure looks back (growth over the prior period or year).
[[nodiscard]] inline int lookback_periods(const rules::measure& m, period_unit unit) {
    if (!m.over) return 0;
    if (m.over->baseline == rules::growth::baseline_kind::prior_period) return 1;
    if (m.over->baseline == rules::growth::baseline_kind::prior_year) return 12 / calendar::months_in(unit);
    return 0;
}

/// Checks that `variant` can be settled on the measures accumulated for `base`: the same rules (ids,
/// selection, measure, credit, period, combinators, version dates, tier measure, clawback) and the
/// same event-level payouts (lookup tables, rounding at each event). Anything else may differ.
inline void check_variant(const program& base, const program& variant) {
    auto refuse = [&](const std::string& where, const std::string& what) {
        throw validation_error("incentives.validation.variant",
                               "program \"" + variant.name + "\" " + where + ": " + what +
                                   " differs from the program the events were measured for; run it as a program of its own");
    };
    if (!(base.currency_ == variant.currency_)) refuse("currency", "the currency");
    if (!(base.cal == variant.cal)) refuse("calendar", "the calendar");
    if (base.amount_places != variant.amount_places || base.quantity_places != variant.quantity_places)
        refuse("places", "the places of amounts and quantities");
    using point = rounding_policy::point_t;
    const bool event_rounding = base.rounding.point == point::event || variant.rounding.point == point::event;
    if (event_rounding && !(base.rounding == variant.rounding)) refuse("rounding", "rounding at each event");
    if (base.rules.size() != variant.rules.size()) refuse("rules", "the number of rules");
    auto tier_on = [](const rules::schedule& s) {
        return s.kind == rules::schedule::kind_t::tiers ? s.tiers_.on : std::optional<rules::measure>();
    };
    auto per_event = [&](const rules::schedule& s) { return s.kind == rules::schedule::kind_t::lookup || event_rounding; };
    auto same = [&](auto&& self, const rules::rule& a, const rules::rule& b, const std::string& at) -> void {
            if (a.id != b.id) refuse(at, "the rule id (\"" + b.id + "\" for \"" + a.id + "\")");
            if (!(a.select == b.select)) refuse(at, "the selection");
            if (!(a.measure_ == b.measure_)) refuse(at, "the measure");
            if (!(a.credit_ == b.credit_)) refuse(at, "the credit");
            if (a.per != b.per) refuse(at, "the period");
            if (a.combine != b.combine || a.children.size() != b.children.size()) refuse(at, "the combinator");
            if (!(a.clawback_ == b.clawback_)) refuse(at, "the clawback");
            if (a.versions.size() != b.versions.size()) refuse(at, "the number of versions");
            for (std::size_t v = 0; v <= a.versions.size(); ++v) {
                const auto& pa = v == 0 ? a.pay : a.versions[v - 1].pay;
                const auto& pb = v == 0 ? b.pay : b.versions[v - 1].pay;
                if (v > 0 && !(a.versions[v - 1].effective_from == b.versions[v - 1].effective_from))
                    refuse(at, "the date of version " + std::to_string(v));
                if (tier_on(pa) != tier_on(pb)) refuse(at, "the tier measure (tiers.on)");
                if ((per_event(pa) || per_event(pb)) && !(pa == pb))
                    refuse(at, "a schedule paid per event (a lookup table, or rounding at each event)");
            }
            for (std::size_t c = 0; c < a.children.size(); ++c)
                self(self, a.children[c], b.children[c], at + "." + std::string(to_string(a.combine)) + "[" + std::to_string(c) + "]");
    };
    for (std::size_t i = 0; i < base.rules.size(); ++i) same(same, base.rules[i], variant.rules[i], "rules[" + std::to_string(i) + "]");
    // The ledger stages replay kept events, which intake kept by the program's funds, deal
    // registration, referral programs and points (and keyed by their ids): their policies may vary,
    // not which of them there are.
    auto ids = [](const auto& list) {
        std::vector<std::string> out;
        for (const auto& x : list) out.push_back(x.id);
        return out;
    };
    if (ids(base.funds) != ids(variant.funds)) refuse("funds", "the funds (their ids)");
    if (base.deals.has_value() != variant.deals.has_value()) refuse("deal_registration", "whether deals are registered");
    if (ids(base.referrals) != ids(variant.referrals)) refuse("referrals", "the referral programs (their ids)");
    if (base.points.has_value() != variant.points.has_value()) refuse("points", "whether the program has points");
    // A prior-year ROI baseline made compile measure the sales rule a year back.
    auto looked_back = [](const program& p) {
        return p.roi && p.roi->baseline == rules::roi_plan::baseline_t::prior_year ? p.roi->sales : std::string();
    };
    if (looked_back(base) != looked_back(variant)) refuse("roi", "the prior-year baseline's sales rule");
}

}  // namespace incentives::detail
