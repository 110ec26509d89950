// The readable reports of a run, worded as the command line's explain and statements: one
// beneficiary's lines with their traces, and one partner's statement (its lines and its people's,
// with totals, its fund accounts and its people's points).
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <incentives/format.hpp>
#include <incentives/fund_accounts.hpp>
#include <incentives/points_accounts.hpp>

#include "objects.hpp"

namespace incentives::python {
namespace {

std::string line_trace(const payout_line& l) {
    std::string s = fmt::format("  {:<20} {:<10} {:<9} {:>14} {}\n", l.rule, l.period, to_string(l.kind),
                                l.amount.to_string(), l.currency);
    if (!l.why) return s;
    const auto& t = *l.why;
    s += fmt::format("      measure {} = {}{}\n", t.measure, t.base.to_string(),
                     t.baseline ? " (baseline " + t.baseline->to_string() + ")" : std::string());
    if (!t.version.empty()) s += fmt::format("      version from {}\n", t.version);
    if (!t.tier.empty()) s += fmt::format("      tier {}\n", t.tier);
    if (t.rate) s += fmt::format("      rate {} -> {}\n", t.rate->to_string(), t.amount_before.to_string());
    else s += fmt::format("      amount {}\n", t.amount_before.to_string());
    for (const auto& step : t.steps) s += fmt::format("      {}: {} -> {}\n", step.what, step.before.to_string(), step.after.to_string());
    if (!t.note.empty()) s += fmt::format("      note: {}\n", t.note);
    if (!t.reverses.empty()) s += fmt::format("      reverses {} (returned by {})\n", t.reverses, t.returned_by);
    s += fmt::format("      {} contributing event(s){}\n", t.events,
                     t.event_ids.empty() ? std::string() : ": " + fmt::format("{}", fmt::join(t.event_ids, ", ")));
    return s;
}

/// An id that is no partner (and, when `people`, no participant) either: an input_error with a hint.
[[noreturn]] void unknown(const catalog& cat, const std::string& id, bool people, const std::string& what) {
    std::string hint = cat.suggest_partner(id);
    if (hint.empty() && people) hint = cat.suggest_participant(id);
    throw input_error(people ? "incentives.input.unknown_beneficiary" : "incentives.input.unknown_partner",
                      what + ": \"" + id + "\" is not a " + (people ? "partner or participant" : "partner") +
                          " of the catalog" + hint);
}

/// A sum as money text: at least the currency's places ("0.00", never "0").
std::string money_text(const decimal& d, const program& prog) {
    int places = std::max(d.scale(), prog.currency_.minor_units());
    return d.rescale(places, rounding_mode::unnecessary).to_string();
}

}  // namespace

std::string explain_text(const run_output& run, const std::string& beneficiary) {
    const auto& cat = run.cat();
    auto mine = run.traced().for_beneficiary(beneficiary);
    if (mine.empty()) {
        if (!cat.partner_index(beneficiary) && !cat.participant_index(beneficiary))
            unknown(cat, beneficiary, true, "explain");
        return fmt::format("no payout lines for \"{}\" in {}\n", beneficiary, run.prog().name);
    }
    // Money and points are summed apart: a points rule's lines are in the points' id.
    const std::string& points_id = run.res.points_id;
    decimal total, points;
    bool any_points = false;
    for (const auto& l : mine) {
        const bool in_points = !points_id.empty() && l.currency == points_id;
        (in_points ? points : total) += l.amount;
        any_points = any_points || in_points;
    }
    const auto& first = mine.front();
    std::string at = first.beneficiary_type == rules::credit::to_t::participant ? " at " + first.partner : std::string();
    std::string s = fmt::format("{} ({}{}) — {}: {} line(s), total {} {}{}\n", beneficiary,
                                rules::to_string(first.beneficiary_type), at, run.prog().name, mine.size(),
                                money_text(total, run.prog()), run.prog().currency_.code(),
                                any_points ? " and " + points.to_string() + " " + points_id : std::string());
    for (const auto& l : mine) s += line_trace(l);
    return s;
}

std::string statement_text(const run_output& run, const std::string& partner_id) {
    const auto& cat = run.cat();
    auto index = cat.partner_index(partner_id);
    if (!index) unknown(cat, partner_id, false, "statement");
    const auto& prog = run.prog();
    const std::string& name = cat.partners()[*index].name;
    std::string s = fmt::format("Statement for {}{} — {} ({})\n", partner_id, name.empty() ? "" : " — " + name, prog.name,
                                prog.currency_.code());
    s += fmt::format("  {:<20} {:<12} {:<10} {:<9} {:>14}\n", "rule", "beneficiary", "period", "kind", "amount");
    decimal total;
    std::size_t count = 0;
    for (const auto& l : run.res.lines) {
        if (l.partner != partner_id) continue;
        // A points rule's lines are points: they say so, and the money total leaves them out.
        const bool in_points = !run.res.points_id.empty() && l.currency == run.res.points_id;
        s += fmt::format("  {:<20} {:<12} {:<10} {:<9} {:>14}{}\n", l.rule, l.beneficiary, l.period, to_string(l.kind),
                         l.amount.to_string(), in_points ? " " + l.currency : std::string());
        if (!in_points) total += l.amount;
        ++count;
    }
    if (count == 0) s += "  (no payout lines)\n";
    s += fmt::format("  {:<55} {:>14}\n", "total", money_text(total, prog));
    s += "\n  To pay, by beneficiary and period:\n";
    for (const auto& st : run.res.statements) {
        if (st.partner != partner_id) continue;
        std::string exact = st.exact == st.amount ? std::string() : " (exact " + st.exact.to_string() + ")";
        s += fmt::format("  {:<12} {:<12} {:<10} {:>14}{}\n", st.beneficiary, rules::to_string(st.beneficiary_type),
                         st.period, st.amount.to_string(), exact);
    }
    if (auto funds = fund_accounts_text(run.res, partner_id, prog.cal.to(), "  "); !funds.empty()) s += "\n" + funds;
    if (auto points = points_accounts_text(run.res, partner_id, prog.cal.to(), "  "); !points.empty()) s += "\n" + points;
    return s;
}

}  // namespace incentives::python
