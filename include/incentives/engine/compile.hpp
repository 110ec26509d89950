// Stage 1, compile: a validated program and a catalog become the compiled plan — one leaf per rule
// or combinator child, with its effective selection, periods (and the look-back a growth measure
// needs), beneficiaries, scales and versions — and the dictionaries and numeric attributes intake
// will fill.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <string>

#include <incentives/engine/compiled_selection.hpp>
#include <incentives/engine/engine.hpp>
#include <incentives/engine/referrals.hpp>

namespace incentives {

INCENTIVES_INLINE engine::engine(program prog, catalog cat, bool retain_event_ids)
    : engine(std::make_shared<const program>(std::move(prog)), std::make_shared<const catalog>(std::move(cat)),
             retain_event_ids) {}

INCENTIVES_INLINE engine::engine(std::shared_ptr<const program> prog, std::shared_ptr<const catalog> cat, bool retain_event_ids)
    : prog_(std::move(prog)), cat_(std::move(cat)), retain_ids_(retain_event_ids) {
    compile();
}

INCENTIVES_INLINE void engine::compile() {
    validate(*prog_);  // the one validator: a program that passes it fails here only for data reasons
    certified_ = detail::certified_table::build(*prog_, *cat_);
    paid_kinds_ = {};
    paid_kinds_.kinds = {"sale", "return"};  // returns are a mechanism of every program (clawbacks)
    if (!prog_->funds.empty())  // the steps of a fund's life (engine/ledger.hpp)
        for (auto k : detail::fund_step_kinds) paid_kinds_.kinds.emplace_back(k);
    if (prog_->deals)  // the steps of a registered deal (engine/deals.hpp)
        for (auto k : detail::deal_step_kinds) paid_kinds_.kinds.emplace_back(k);
    if (prog_->points)  // the shop's redemptions and their cancellations (engine/points.hpp)
        for (auto k : detail::points_step_kinds) paid_kinds_.kinds.emplace_back(k);
    if (!prog_->referrals.empty()) {  // touches and conversions (engine/referrals.hpp)
        for (auto k : detail::referral_step_kinds) paid_kinds_.kinds.emplace_back(k);
        (void)detail::partner_activities(*cat_);  // a bad active_from/active_until fails here, not at the first run
    }
    using rules::rule;
    auto numeric_attribute = [&](const std::string& name) {
        st_.numeric.try_emplace(name);
        st_.dicts.attrs.try_emplace(name);
    };
    auto make_leaf = [&](std::size_t top, int child, const rule& r, rules::selector sel) {
        detail::leaf l;
        l.top = top;
        l.child = child;
        l.select = detail::mentions_kind(sel)
                       ? std::move(sel)
                       : rules::selector::all({rules::selector::in({rules::field::scope::event, "kind"}, {"sale"}), sel});
        if (!prog_->referrals.empty()) {
            // Conversions (signup, payment, refund) carry no partner: a selection that could take
            // them (a negation) is narrowed to leave them out; naming them is refused by validate.
            const detail::kind_set k = detail::kinds_selected(l.select);
            for (auto conv : {"signup", "payment", "refund"})
                if (!k.every && k.accepts(conv))
                    throw validation_error("incentives.validation.referrals", "rule \"" + r.id + "\" selects " + conv +
                                                                                  " events, which carry no partner (the referral programs attribute them)");
            if (k.every)
                l.select = rules::selector::all(
                    {rules::selector::negate(rules::selector::in({rules::field::scope::event, "kind"}, {"signup", "payment", "refund"})),
                     l.select});
        }
        paid_kinds_.add(detail::kinds_selected(l.select));
        l.unit = r.per;
        const auto& cal = prog_->cal;
        int lookback = detail::lookback_periods(r.measure_, r.per);
        if (r.pay.kind == rules::schedule::kind_t::tiers && r.pay.tiers_.on)
            lookback = std::max(lookback, detail::lookback_periods(*r.pay.tiers_.on, r.per));
        // The ROI report's prior-year baseline reads the sales rule's periods a year back.
        if (prog_->roi && prog_->roi->baseline == rules::roi_plan::baseline_t::prior_year && prog_->roi->sales == r.id &&
            calendar::months_in(r.per) > 0)
            lookback = std::max(lookback, 12 / calendar::months_in(r.per));
        if (r.per == period_unit::custom) {
            l.program_lo = l.period_lo = 0;
            l.period_hi = static_cast<std::int32_t>(cal.custom_periods().size()) - 1;
        } else {
            l.program_lo = cal.index_of(cal.from(), r.per);
            l.period_hi = cal.index_of(cal.to(), r.per);
            l.period_lo = l.program_lo - lookback;
        }
        l.periods = static_cast<std::size_t>(l.period_hi - l.period_lo + 1);
        l.first_day = cal.from().days();
        l.last_day = cal.to().days();
        if (r.pay.kind == rules::schedule::kind_t::tiers && r.pay.tiers_.on && r.pay.tiers_.on->kind != r.measure_.kind) {
            using mk2 = rules::measure::kind_t;
            auto k2 = r.pay.tiers_.on->kind;
            l.second = true;
            l.second_kind = k2;
            l.second_scale = (k2 == mk2::amount ? prog_->amount_scale() : k2 == mk2::quantity ? prog_->quantity_places : 0) +
                             event_batch::share_scale;
        }
        switch (r.credit_.to) {
            case rules::credit::to_t::partner: l.beneficiaries = cat_->partners().size(); break;
            case rules::credit::to_t::participant: l.beneficiaries = cat_->participants().size(); break;
            case rules::credit::to_t::program: l.beneficiaries = 1; break;
        }
        using mk = rules::measure::kind_t;
        const auto& m = r.measure_;
        l.base_scale = m.kind == mk::amount ? prog_->amount_scale()
                       : m.kind == mk::quantity ? prog_->quantity_places
                       : m.kind == mk::attribute ? detail::attribute_scale : 0;
        l.distinct = m.kind == mk::distinct;
        l.measure_scale = l.distinct ? 0 : l.base_scale + event_batch::share_scale;
        if (m.kind == mk::attribute || m.kind == mk::distinct) {
            if (m.kind == mk::attribute) numeric_attribute(m.attribute);
            st_.dicts.attrs.try_emplace(m.attribute);
        }
        if (m.over && m.over->baseline == rules::growth::baseline_kind::attribute) {
            // The baseline is an attribute of the beneficiary itself: a partner, or a participant.
            bool people = r.credit_.to == rules::credit::to_t::participant;
            std::size_t rows = people ? cat_->participants().size() : cat_->partners().size();
            for (std::size_t i = 0; i < rows; ++i) {
                const auto& attrs = people ? cat_->participants()[i].attrs : cat_->partners()[i].attrs;
                auto it = attrs.find(m.over->attribute);
                std::string v = it == attrs.end() ? std::string() : it->second;
                try {
                    if (!v.empty()) (void)decimal::parse(v);
                } catch (const error&) {
                    throw input_error("incentives.input.baseline",
                                      std::string(people ? "participants" : "partners") + " row " + std::to_string(i + 1) +
                                          ", field " + m.over->attribute + ": expected a number for the growth baseline, got \"" +
                                          v + "\"");
                }
            }
        }
        l.lookup_version.push_back(r.pay.kind == rules::schedule::kind_t::lookup);
        for (const auto& v : r.versions) l.lookup_version.push_back(v.pay.kind == rules::schedule::kind_t::lookup);
        l.lookup = std::find(l.lookup_version.begin(), l.lookup_version.end(), 1) != l.lookup_version.end();
        // Rounding at each event applies to payouts that are sums over events: not to distinct
        // counts or growth, which exist only per group (those lines are rounded once, as at `line`).
        l.event_rounding = prog_->rounding.point == rounding_policy::point_t::event && !l.distinct && !m.over;
        int rate_scale = 0;
        if (l.lookup) {
            auto scan = [&](const rules::lookup_table& t) {
                for (const auto& [k, v] : t.rates) rate_scale = std::max(rate_scale, v.scale());
                if (t.fallback) rate_scale = std::max(rate_scale, t.fallback->scale());
            };
            scan(r.pay.lookup_);
            for (const auto& v : r.versions) scan(v.pay.lookup_);
        }
        l.rate_scale = rate_scale;
        l.payout_scale = l.event_rounding ? prog_->currency_.minor_units() : l.measure_scale + rate_scale;
        l.version_from.push_back(cal.from());
        for (const auto& v : r.versions) l.version_from.push_back(v.effective_from);
        l.clawback = r.clawback_.has_value();
        l.role_ok.assign(cat_->participants().size(), 1);
        if (!r.credit_.roles.empty())
            for (std::size_t i = 0; i < cat_->participants().size(); ++i)
                l.role_ok[i] = std::find(r.credit_.roles.begin(), r.credit_.roles.end(), cat_->participants()[i].role) !=
                               r.credit_.roles.end();
        leaves_.push_back(std::move(l));
    };
    std::function<void(const rules::selector&)> note_numeric = [&](const rules::selector& s) {
        if (s.kind() == rules::selector::op::range && s.target().of == rules::field::scope::event &&
            s.target().name != "amount" && s.target().name != "quantity")
            numeric_attribute(s.target().name);
        for (const auto& c : s.children()) note_numeric(c);
    };
    for (std::size_t t = 0; t < prog_->rules.size(); ++t) {
        const rule& r = prog_->rules[t];
        note_numeric(r.select);
        if (r.combine == rules::combinator::none) {
            make_leaf(t, -1, r, r.select);
            continue;
        }
        std::vector<rules::selector> earlier;
        for (std::size_t c = 0; c < r.children.size(); ++c) {
            note_numeric(r.children[c].select);
            std::vector<rules::selector> parts{r.select, r.children[c].select};
            if (r.combine == rules::combinator::first_of && !earlier.empty())
                parts.push_back(rules::selector::negate(rules::selector::any(earlier)));
            make_leaf(t, static_cast<int>(c), r.children[c], rules::selector::all(parts));
            // first_of: an event belongs to the first child that selects it (with its implied kind)
            const auto& eff = leaves_.back().select;
            earlier.push_back(eff);
        }
    }
    ms_.acc.resize(leaves_.size());
    for (std::size_t i = 0; i < leaves_.size(); ++i)
        ms_.acc[i].groups.assign(leaves_[i].version_from.size(), std::vector<detail::group_acc>(leaves_[i].slots()));
}

}  // namespace incentives
