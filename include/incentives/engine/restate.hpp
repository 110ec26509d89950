// Restatement as of now: what was already paid against what a run pays now (a new rule version,
// late events, corrected data), as delta lines that correct, and never rewrite, what was paid.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <incentives/decimal.hpp>
#include <incentives/detail/suggest.hpp>
#include <incentives/engine/catalog.hpp>
#include <incentives/engine/result.hpp>
#include <incentives/errors.hpp>
#include <incentives/program.hpp>

namespace incentives {

/// The delta lines of `now` against `paid`: one per rule, beneficiary and period where they differ
/// (a key paid and now owed nothing is recovered in full; a key not paid yet is owed in full), in the
/// order of lines: rule (program order), beneficiary id, period start. `now` is a run of `prog` over
/// `cat`. A paid line naming a rule, beneficiary or period that the program could not pay is an
/// input_error naming its row (1-based) and field: restating it would silently recover a typo.
[[nodiscard]] inline std::vector<delta_line> restate(const program& prog, const catalog& cat, const result& now,
                                                     std::span<const paid_line> paid) {
    using to_t = rules::credit::to_t;
    auto fail = [](std::size_t row, std::string_view field, const std::string& what) {
        throw input_error("incentives.input.paid", "paid row " + std::to_string(row + 1) + ", field " + std::string(field) +
                                                       ": " + what);
    };
    // Who pays lines: the rules, then the stages after settle (deal registration and referral
    // programs pay partners per their period), in the order of lines.
    struct payer {
        std::string id;
        to_t to = to_t::partner;
        period_unit per = period_unit::quarter;
        bool points = false;
    };
    std::vector<payer> payers;
    for (const auto& r : prog.rules) payers.push_back({r.id, r.credit_.to, r.per, !r.points.empty() && prog.points});
    if (prog.deals) payers.push_back({prog.deals->id, to_t::partner, prog.deals->per, false});
    for (const auto& rp : prog.referrals) payers.push_back({rp.id, to_t::partner, rp.per, false});
    for (const auto& c : prog.contests) {
        const auto score = std::find_if(prog.rules.begin(), prog.rules.end(), [&](const auto& r) { return r.id == c.score.rule; });
        payers.push_back({c.id, score == prog.rules.end() ? to_t::partner : score->credit_.to, c.per,
                          c.prize.pay == rules::prizes::pay_t::points && prog.points});
    }
    std::map<std::string, std::size_t> rule_order;
    for (std::size_t i = 0; i < payers.size(); ++i) rule_order.emplace(payers[i].id, i);
    // The labels of every period a rule of each unit can pay within the program's dates.
    std::map<period_unit, std::map<std::string, date>> labels;
    auto periods_of = [&](period_unit u) -> const std::map<std::string, date>& {
        auto [it, fresh] = labels.try_emplace(u);
        if (fresh) {
            if (u == period_unit::custom)
                for (const auto& p : prog.cal.custom_periods()) it->second.emplace(p.label, p.from);
            else
                for (auto i = prog.cal.index_of(prog.cal.from(), u), last = prog.cal.index_of(prog.cal.to(), u); i <= last; ++i) {
                    auto p = prog.cal.period_at(i, u);
                    it->second.emplace(p.label, p.from);
                }
        }
        return it->second;
    };

    using key_t = std::tuple<std::size_t, std::string, date>;  // rule order, beneficiary, period start
    std::map<key_t, delta_line> deltas;
    auto entry = [&](std::size_t rule, const std::string& id, const std::string& label, date start) -> delta_line& {
        auto [it, fresh] = deltas.try_emplace(key_t{rule, id, start});
        if (fresh) {
            it->second.rule = payers[rule].id;
            it->second.beneficiary_type = payers[rule].to;
            it->second.beneficiary = id;
            it->second.period = label;
            it->second.period_start = start;
            // A points rule's lines are points: its deltas too, at the points' places.
            const bool points = payers[rule].points;
            it->second.currency = points ? prog.points->id : std::string(prog.currency_.code());
            it->second.paid = it->second.now = decimal::from_units(0, points ? prog.points->places : prog.currency_.minor_units());
        }
        return it->second;
    };
    for (std::size_t row = 0; row < paid.size(); ++row) {
        const auto& p = paid[row];
        auto r = rule_order.find(p.rule);
        if (r == rule_order.end()) {
            std::vector<std::string> ids;
            for (const auto& x : payers) ids.push_back(x.id);
            fail(row, "rule", "\"" + p.rule + "\" is not a rule of program \"" + prog.name + "\"" + detail::did_you_mean(p.rule, ids));
        }
        const auto& rule = payers[r->second];
        if (p.beneficiary_type && *p.beneficiary_type != rule.to)
            fail(row, "beneficiary_type", "rule \"" + rule.id + "\" pays a " + std::string(to_string(rule.to)) + ", not a " +
                                              std::string(to_string(*p.beneficiary_type)));
        const std::string unit = rule.points ? prog.points->id : std::string(prog.currency_.code());
        if (!p.currency.empty() && p.currency != unit)
            fail(row, "currency", "\"" + p.currency + "\": rule \"" + rule.id + "\" of program \"" + prog.name + "\" pays in " + unit);
        std::string partner;
        if (rule.to == to_t::partner) {
            if (!cat.partner_index(p.beneficiary))
                fail(row, "beneficiary", "unknown partner \"" + p.beneficiary + "\"" + cat.suggest_partner(p.beneficiary));
            partner = p.beneficiary;
        } else if (rule.to == to_t::participant) {
            auto who = cat.participant_index(p.beneficiary);
            if (!who)
                fail(row, "beneficiary", "unknown participant \"" + p.beneficiary + "\"" + cat.suggest_participant(p.beneficiary));
            partner = cat.partners()[cat.partner_of(*who)].id;
        } else if (p.beneficiary != "program") {
            fail(row, "beneficiary", "rule \"" + rule.id + "\" pays the program as a whole: its beneficiary is \"program\"");
        }
        const auto& periods = periods_of(rule.per);
        auto period = periods.find(p.period);
        if (period == periods.end()) {
            std::vector<std::string> names;
            for (const auto& [label, from] : periods) names.push_back(label);
            fail(row, "period", "rule \"" + rule.id + "\" pays per " + std::string(to_string(rule.per)) + " and has no period \"" +
                                    p.period + "\" in the program's dates" + detail::did_you_mean(p.period, names));
        }
        auto& d = entry(r->second, p.beneficiary, p.period, period->second);
        d.partner = partner;
        d.paid += p.amount;
        d.corrects.push_back(p.reference.empty() ? "paid row " + std::to_string(row + 1) : p.reference);
    }
    for (const auto& l : now.lines) {
        auto& d = entry(rule_order.at(l.rule), l.beneficiary, l.period, l.period_start);
        d.partner = l.partner;
        d.now += l.amount;
    }
    std::vector<delta_line> out;
    for (auto& [key, d] : deltas) {
        d.delta = d.now - d.paid;
        if (d.delta.is_zero()) continue;
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace incentives
