// The KPI plan's report (rules/kpi.hpp): per KPI and month of the program, the actual count or
// measure (from the catalog's dates and the measure store), the target, the cumulative year-to-date
// attainment with its traffic light, and the funnel ratio. A pure function of the catalog and the
// measures, so it does not depend on event order, batch split or threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <incentives/engine/engine.hpp>

namespace incentives::detail {

class kpi_stage {
public:
    kpi_stage(const engine& e, const program& p) : e_(e), p_(p), cat_(*e.cat_) {}

    [[nodiscard]] std::vector<kpi_row> run() const {
        const auto& plan = *p_.kpis;
        const std::int32_t first = p_.cal.index_of(p_.cal.from(), period_unit::month);
        const std::int32_t last = p_.cal.index_of(p_.cal.to(), period_unit::month);
        std::vector<period> months;
        for (std::int32_t i = first; i <= last; ++i) months.push_back(p_.cal.period_at(i, period_unit::month));
        std::vector<std::vector<decimal>> actual, target;
        std::vector<std::vector<decimal>> cumulative;
        std::vector<kpi_row> out;
        for (std::size_t k = 0; k < plan.table.size(); ++k) {
            const auto& x = plan.table[k];
            actual.push_back(actual_of(x, months, first));
            std::vector<decimal> t = x.targets;
            if (x.percent) {  // validate() puts `of` before it
                const std::size_t of = index_of(x.of);
                t.clear();
                for (const auto& v : target[of]) t.push_back((v * *x.percent).normalized());
            }
            target.push_back(t);
            std::vector<decimal> cum(months.size());
            decimal a, tt;
            for (std::size_t m = 0; m < months.size(); ++m) {
                a += actual[k][m];
                tt += t[m];
                cum[m] = a;
                kpi_row& row = out.emplace_back();
                row.kpi = x.id;
                row.month = months[m].label;
                row.month_start = months[m].from;
                row.actual = actual[k][m];
                row.target = t[m];
                row.cumulative_actual = a;
                row.cumulative_target = tt;
                if (tt.signum() > 0) {
                    row.attainment = a.divide(tt, 4, rounding_mode::half_even);
                    row.light = !(a < plan.green * tt) ? "green" : !(a < plan.amber * tt) ? "amber" : "red";
                } else {
                    row.light = "none";
                }
                if (!x.of.empty()) {
                    row.of = x.of;
                    const decimal& base = cumulative[index_of(x.of)][m];
                    if (base.signum() > 0) row.ratio = a.divide(base, 4, rounding_mode::half_even);
                }
            }
            cumulative.push_back(std::move(cum));
        }
        return out;
    }

private:
    [[nodiscard]] std::size_t index_of(const std::string& id) const {
        const auto& t = p_.kpis->table;
        for (std::size_t i = 0; i < t.size(); ++i)
            if (t[i].id == id) return i;
        return 0;  // validate() refuses an unknown id
    }

    [[nodiscard]] const leaf& leaf_of(const std::string& rule, std::uint32_t& li) const {
        for (li = 0; li < e_.leaves_.size(); ++li)
            if (p_.rules[e_.leaves_[li].top].id == rule) return e_.leaves_[li];
        throw validation_error("incentives.validation.kpi", "no rule \"" + rule + "\"");  // validate() checks it first
    }

    /// The month (index from the program's first) of a date attribute, or -1 outside the program.
    [[nodiscard]] std::int32_t month_of(const std::optional<date>& d, std::int32_t first, std::size_t months) const {
        if (!d || !p_.cal.contains(*d)) return -1;
        const std::int32_t m = p_.cal.index_of(*d, period_unit::month) - first;
        return m >= 0 && static_cast<std::size_t>(m) < months ? m : -1;
    }

    [[nodiscard]] std::vector<decimal> actual_of(const rules::kpi& x, const std::vector<period>& months, std::int32_t first) const {
        using count = rules::kpi::count_t;
        std::vector<int128> n(months.size(), 0);
        int scale = 0, shown = 0;
        switch (x.count) {
            case count::partners_registered:
                for (const auto& pa : cat_.partners())
                    if (const auto m = month_of(date_attribute(pa.attrs, "registered", "partner", pa.id), first, months.size()); m >= 0) ++n[m];
                break;
            case count::people_trained: {
                const std::string attr = rules::certified_attribute(x.course);
                for (const auto& pe : cat_.participants())
                    if (const auto m = month_of(date_attribute(pe.attrs, attr, "participant", pe.id), first, months.size()); m >= 0) ++n[m];
                break;
            }
            case count::partners_active: {
                std::uint32_t li = 0;
                const leaf& l = leaf_of(x.rule, li);
                const auto& la = e_.ms_.acc[li];
                for (std::uint32_t b = 0; b < l.beneficiaries && b < cat_.partners().size(); ++b) {
                    const auto registered = date_attribute(cat_.partners()[b].attrs, "registered", "partner", cat_.partners()[b].id);
                    if (!registered) continue;  // only registered partners are active in the program
                    for (std::size_t m = 0; m < months.size(); ++m) {
                        if (months[m].to.days() - 1 < registered->days()) continue;
                        const std::int32_t off = first + static_cast<std::int32_t>(m) - l.period_lo;
                        if (off < 0 || off >= static_cast<std::int32_t>(l.periods)) continue;
                        bool active = false;
                        for (const auto& groups : la.groups) {
                            if (groups.empty()) continue;
                            const group_acc& a = groups[b * l.periods + static_cast<std::size_t>(off)];
                            active = active || (a.count > 0 && a.last_day >= registered->days());
                        }
                        if (!active) continue;
                        ++n[m];
                        if (x.active == rules::kpi::active_t::since_registration) break;  // once, in its first month
                    }
                }
                break;
            }
            case count::measure: {
                std::uint32_t li = 0;
                const leaf& l = leaf_of(x.rule, li);
                const auto& la = e_.ms_.acc[li];
                scale = x.events || l.distinct ? 0 : l.measure_scale;
                shown = x.events || l.distinct ? 0 : l.base_scale;
                for (std::size_t m = 0; m < months.size(); ++m) {
                    const std::int32_t off = first + static_cast<std::int32_t>(m) - l.period_lo;
                    if (off < 0 || off >= static_cast<std::int32_t>(l.periods)) continue;
                    for (const auto& groups : la.groups) {
                        if (groups.empty()) continue;
                        for (std::size_t b = 0; b < l.beneficiaries; ++b) {
                            const group_acc& a = groups[b * l.periods + static_cast<std::size_t>(off)];
                            n[m] += x.events ? static_cast<int128>(a.count) : a.measure;
                        }
                    }
                }
                break;
            }
        }
        std::vector<decimal> out;
        for (const auto v : n) {
            const decimal d = decimal::from_units(v, scale).normalized();
            out.push_back(d.scale() >= shown ? d : d.rescale(shown, rounding_mode::unnecessary));
        }
        return out;
    }

    const engine& e_;
    const program& p_;
    const catalog& cat_;
};

}  // namespace incentives::detail
