// The engagement and ROI report (rules/roi.hpp), after every other stage: per segment of partners,
// participation and activity, the sales rule's measure over the program against a baseline (the same
// partners' prior year, or a control group's mean), what the program cost (money lines, points at
// their value, in-kind prizes at their declared value) and ROI = (incremental x margin - cost) / cost.
// Exact sums; only the rates and ratios shown are rounded, half-even, and a control group's mean is
// rounded once to the currency's minor units.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <incentives/engine/engine.hpp>

namespace incentives::detail {

class roi_stage {
public:
    roi_stage(const engine& e, const program& p) : e_(e), p_(p), cat_(*e.cat_) {}

    [[nodiscard]] std::vector<roi_row> run(const result& r) const {
        const auto& plan = *p_.roi;
        const std::size_t n = cat_.partners().size();
        const int minor = p_.currency_.minor_units();
        // Sales in the program's periods and a year before, per partner, from the sales rule's leaf.
        std::vector<int128> sales(n, 0), before(n, 0);
        std::vector<std::uint8_t> active(n, 0);
        int scale = 0, shown = 0;
        bool have_before = false;
        for (std::uint32_t li = 0; li < e_.leaves_.size(); ++li) {
            const leaf& l = e_.leaves_[li];
            if (p_.rules[l.top].id != plan.sales || l.child >= 0) continue;
            scale = l.measure_scale;
            shown = l.base_scale;
            const int back = calendar::months_in(l.unit) > 0 ? 12 / calendar::months_in(l.unit) : 0;
            have_before = back > 0 && l.program_lo - back >= l.period_lo;
            for (const auto& groups : e_.ms_.acc[li].groups) {
                if (groups.empty()) continue;
                for (std::size_t b = 0; b < l.beneficiaries && b < n; ++b)
                    for (std::int32_t pi = l.program_lo; pi <= l.period_hi; ++pi) {
                        const group_acc& a = groups[b * l.periods + static_cast<std::size_t>(pi - l.period_lo)];
                        sales[b] += a.measure;
                        active[b] = active[b] || a.count > 0;
                        if (have_before) before[b] += groups[b * l.periods + static_cast<std::size_t>(pi - back - l.period_lo)].measure;
                    }
            }
        }
        // What each partner (and its people) cost: money lines, points earned (net of returns) at their
        // value, in-kind prizes at their declared value.
        std::vector<decimal> cost(n);
        std::vector<std::uint8_t> earned(n, 0);
        const std::string code(p_.currency_.code());
        for (const auto& l : r.lines)
            if (l.currency == code)
                if (const auto b = cat_.partner_index(l.partner)) {
                    cost[*b] += l.amount;
                    earned[*b] = earned[*b] || l.amount.signum() > 0;
                }
        if (p_.points)
            for (const auto& x : r.points) {
                if (x.kind != points_entry::kind_t::earned && x.kind != points_entry::kind_t::reversed && x.kind != points_entry::kind_t::debt)
                    continue;
                if (const auto b = cat_.partner_index(x.partner)) {
                    cost[*b] += x.points * p_.points->value;
                    earned[*b] = earned[*b] || x.points.signum() > 0;
                }
            }
        for (const auto& st : r.contests)
            if (st.winner && !st.item.empty())
                if (const auto b = cat_.partner_index(st.partner)) {
                    cost[*b] += st.prize;
                    earned[*b] = 1;
                }
        // Segments in name order, then the whole program.
        struct group {
            std::size_t partners = 0, participating = 0, active = 0, control = 0;
            int128 sales = 0, before = 0, control_sales = 0;
            decimal cost;
        };
        std::map<std::string, group> segments;
        group all;
        for (std::uint32_t b = 0; b < n; ++b) {
            const auto& pa = cat_.partners()[b];
            const bool control = plan.baseline == rules::roi_plan::baseline_t::control_group && partner_field(pa, plan.control_field) == plan.control_value;
            for (group* g : {&all, plan.segment.empty() ? nullptr : &segments[std::string(partner_field(pa, plan.segment))]}) {
                if (!g) continue;
                if (control) {
                    ++g->control;
                    g->control_sales += sales[b];
                    continue;
                }
                ++g->partners;
                g->participating += earned[b];
                g->active += active[b];
                g->sales += sales[b];
                g->before += before[b];
                g->cost += cost[b];
            }
        }
        std::vector<roi_row> out;
        auto amount = [&](int128 units) {
            const decimal d = decimal::from_units(units, scale).normalized();
            return d.scale() >= shown ? d : d.rescale(shown, rounding_mode::unnecessary);
        };
        auto row_of = [&](const std::string& name, const group& g) {
            roi_row& row = out.emplace_back();
            row.segment = name;
            row.partners = g.partners;
            row.participating = g.participating;
            row.active = g.active;
            row.control_partners = g.control;
            const decimal count(static_cast<std::int64_t>(g.partners));
            if (g.partners > 0) {
                row.participation_rate = decimal(static_cast<std::int64_t>(g.participating)).divide(count, 4, rounding_mode::half_even);
                row.active_rate = decimal(static_cast<std::int64_t>(g.active)).divide(count, 4, rounding_mode::half_even);
            }
            row.sales = amount(g.sales);
            row.cost = g.cost.scale() < minor ? g.cost.rescale(minor, rounding_mode::unnecessary) : g.cost;
            if (plan.baseline == rules::roi_plan::baseline_t::prior_year) {
                if (have_before) row.baseline = amount(g.before);
            } else if (g.control > 0) {  // the control group's mean sales for as many partners as the program has
                row.baseline = (amount(g.control_sales) * count).divide(decimal(static_cast<std::int64_t>(g.control)), minor, rounding_mode::half_even);
            }
            if (row.baseline) {
                row.incremental = row.sales - *row.baseline;
                const decimal m = (*row.incremental * plan.margin).normalized();  // exact; shown with at least the minor units
                row.incremental_margin = m.scale() >= minor ? m : m.rescale(minor, rounding_mode::unnecessary);
            }
            if (row.sales.signum() > 0) row.cost_share = row.cost.divide(row.sales, 4, rounding_mode::half_even);
            if (row.incremental_margin && row.cost.signum() > 0)
                row.roi = (*row.incremental_margin - row.cost).divide(row.cost, 4, rounding_mode::half_even);
        };
        for (const auto& [name, g] : segments) row_of(name, g);
        row_of("all", all);
        return out;
    }

private:
    const engine& e_;
    const program& p_;
    const catalog& cat_;
};

}  // namespace incentives::detail
