// The money of the stages after settle (registered deals, referrals) as payout lines, and the
// statements rebuilt with them; which lines a fund is credited with instead of cash.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <incentives/engine/catalog.hpp>
#include <incentives/engine/result.hpp>
#include <incentives/program.hpp>

namespace incentives::detail {

/// The ids whose lines credit a fund instead of cash (rules and referral programs with `fund`), with
/// the fund and the period unit of their lines.
struct fund_credit {
    std::string fund;
    period_unit per = period_unit::quarter;
};
[[nodiscard]] inline std::map<std::string, fund_credit, std::less<>> fund_credited(const program& p) {
    std::map<std::string, fund_credit, std::less<>> out;
    for (const auto& r : p.rules)
        if (!r.fund.empty()) out[r.id] = {r.fund, r.per};
    for (const auto& rp : p.referrals)
        if (!rp.fund.empty()) out[rp.id] = {rp.fund, rp.per};
    for (const auto& c : p.contests)
        if (c.prize.pay == rules::prizes::pay_t::fund) out[c.id] = {c.prize.fund, c.per};
    return out;
}

/// The ids whose lines are points (points rules, contests with points prizes), with their period unit.
[[nodiscard]] inline std::map<std::string, period_unit, std::less<>> points_paying(const program& p) {
    std::map<std::string, period_unit, std::less<>> out;
    if (!p.points) return out;
    for (const auto& r : p.rules)
        if (!r.points.empty()) out[r.id] = r.per;
    for (const auto& c : p.contests)
        if (c.prize.pay == rules::prizes::pay_t::points) out[c.id] = c.per;
    return out;
}

/// Statements rebuilt from the lines (after a stage added lines): one per beneficiary and period,
/// beneficiaries by id then type, periods by start then label; lines credited to a fund are not
/// paid in cash and lines of points rules are points: both are left out.
inline void rebuild_statements(result& r, const program& p) {
    const int minor = p.currency_.minor_units();
    const auto to_fund = fund_credited(p);
    const auto in_points = points_paying(p);
    std::map<std::tuple<std::string, rules::credit::to_t, date, std::string>, statement_total> by;
    for (const auto& l : r.lines) {
        if (to_fund.contains(l.rule) || in_points.contains(l.rule)) continue;
        auto [it, fresh] = by.try_emplace({l.beneficiary, l.beneficiary_type, l.period_start, l.period});
        if (fresh) it->second = {l.beneficiary_type, l.beneficiary, l.partner, l.period, l.period_start, l.currency,
                                 decimal::from_units(0, minor), decimal::from_units(0, minor)};
        it->second.exact += l.amount;
    }
    r.statements.clear();
    for (auto& [key, st] : by) {
        st.amount = p.rounding.point == rounding_policy::point_t::statement ? st.exact.rescale(minor, p.rounding.mode) : st.exact;
        r.statements.push_back(std::move(st));
    }
}

/// Whether a stage may pay on `day`: inside the program's dates and, for lines per custom period,
/// inside one of them (as a rule pays only events its periods hold). `why` says why not.
[[nodiscard]] inline bool payable_day(const program& p, period_unit per, std::int32_t day, std::string& why) {
    const date d(day);
    if (!p.cal.contains(d)) {
        why = "dated outside the program (" + p.cal.from().to_string() + " to " + p.cal.to().to_string() + ")";
        return false;
    }
    if (per == period_unit::custom && p.cal.index_of(d, per) < 0) {
        why = "dated in none of the program's custom periods";
        return false;
    }
    return true;
}

/// A new step of a stage's story (a deal_entry, a referral_entry): numbered from 1, its amount at
/// least at the currency's minor units.
template <class Entry>
Entry& story_entry(std::vector<Entry>& out, std::int32_t day, typename Entry::kind_t k, const std::string& event, std::string reason,
                   const decimal& amount, int minor) {
    Entry& x = out.emplace_back();
    x.number = out.size();
    x.on = date(day);
    x.kind = k;
    x.amount = amount.scale() < minor ? amount.rescale(minor, rounding_mode::unnecessary) : amount;
    x.event = event;
    x.reason = std::move(reason);
    return x;
}

/// One movement of money of a stage: to a partner, on a day (its period), with what it is for.
struct stage_money {
    std::uint32_t partner;
    std::int32_t day;
    decimal amount;
    std::string label;
};

/// The stage's money as lines of `id`: one accrual line per partner and period for what is paid,
/// one clawback line for what is taken back; the note lists each movement's label and amount.
inline void add_stage_lines(result& r, const program& p, const catalog& cat, const std::vector<stage_money>& money,
                            const std::string& id, period_unit per, std::string_view measure) {
    const int minor = p.currency_.minor_units();
    std::map<std::tuple<std::string, date, bool>, payout_line> lines;
    for (const auto& m : money) {
        const incentives::period at = p.cal.period_at(p.cal.index_of(date(m.day), per), per);
        const bool back = m.amount.signum() < 0;
        auto [it, fresh] = lines.try_emplace({cat.partners()[m.partner].id, at.from, back});
        auto& l = it->second;
        if (fresh) {
            l.rule = id;
            l.beneficiary_type = rules::credit::to_t::partner;
            l.beneficiary = l.partner = cat.partners()[m.partner].id;
            l.period = at.label;
            l.period_start = at.from;
            l.kind = back ? payout_line::kind_t::clawback : payout_line::kind_t::accrual;
            l.currency = std::string(p.currency_.code());
            l.amount = decimal::from_units(0, minor);
            l.why.emplace();
            l.why->rule = id;
            l.why->measure = std::string(measure);
        }
        l.amount += m.amount;
        l.why->note += (l.why->note.empty() ? "" : "; ") + m.label + " " + m.amount.to_string();
        ++l.why->events;
    }
    for (auto& [key, l] : lines) r.lines.push_back(std::move(l));
}

}  // namespace incentives::detail
