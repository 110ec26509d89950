// `incentives simulate`: the budget simulation's tables printed, or written as CSV files in a
// directory (every file or none: output_set commits them together).
#pragma once

#include <string>

#include <fmt/format.h>

#include <incentives/format.hpp>
#include <incentives/simulation.hpp>

#include "output.hpp"

namespace incentives::cli {

inline std::string percent_text(const decimal& fraction) {
    return (fraction * decimal(100)).rescale(2, rounding_mode::half_even).to_string() + "%";
}

inline void print_simulation(const program& p, const simulation_result& r) {
    fmt::print("{}: {} scenarios, seed {}, amounts in {}\n\n", p.name, r.scenarios, r.seed, r.currency);
    fmt::print("  {:<18} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14}\n", "", "mean", "P50", "P90", "P95", "P99", "max");
    auto row = [](const std::string& name, const distribution& d) {
        fmt::print("  {:<18} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14}\n", name, d.mean, d.p50, d.p90, d.p95, d.p99, d.max);
    };
    for (const auto& s : r.summary)
        if (s.by == "cost" || !s.d.max.is_zero()) row(s.by, s.d);
    fmt::print("\n");
    for (const auto& s : r.by)
        if (s.by == "rule") row(s.key, s.d);
    fmt::print("\n  reserve (P90 - P50): {}\n", r.reserve);
    if (r.budget)
        fmt::print("  budget {}: exceeded in {} of the scenarios, expected overrun {}\n", *r.budget, percent_text(*r.p_over_budget),
                   *r.expected_overrun);
    std::string key;
    for (const auto& c : r.counts) {
        if (c.by != "contest") continue;
        if (c.key != key) fmt::print("\n  winners of {}: ", key = c.key);
        fmt::print("{} in {}  ", c.count, percent_text(decimal(static_cast<std::int64_t>(c.scenarios)).divide(decimal(static_cast<std::int64_t>(r.scenarios)), 6, rounding_mode::half_even)));
    }
    if (!r.sensitivity.empty()) {
        fmt::print("\n\n  sensitivity of the cost    {:>14} {:>14}\n", "P50", "P90");
        for (const auto& s : r.sensitivity)
            fmt::print("  {:<16} {:>9} {:>14} {:>14}\n", s.assumption, (s.step.signum() > 0 ? "+" : "") + percent_text(s.step), s.p50, s.p90);
    }
    fmt::print("\n");
}

inline void write_distribution_rows(sink& s, const std::vector<simulation_row>& rows, bool with_key, std::uint64_t seed) {
    s.append(with_key ? "by,key,mean,p50,p90,p95,p99,min,max,seed\n" : "item,mean,p50,p90,p95,p99,min,max,seed\n");
    for (const auto& x : rows) {
        csv_field(s, x.by);
        if (with_key) {
            s.put(',');
            csv_field(s, x.key);
        }
        fmt::format_to(s.out(), ",{},{},{},{},{},{},{},{}\n", x.d.mean, x.d.p50, x.d.p90, x.d.p95, x.d.p99, x.d.min, x.d.max, seed);
    }
}

/// summary.csv, by_rule.csv, winners.csv, sensitivity.csv, schedule.csv, totals.csv in `dir`; every
/// row ends with the seed, so that no table is separated from what made it.
inline void write_simulation(output_set& outs, const std::string& dir, const simulation_result& r) {
    const auto at = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
    write_distribution_rows(outs.open(at("summary.csv")), r.summary, false, r.seed);
    write_distribution_rows(outs.open(at("by_rule.csv")), r.by, true, r.seed);
    auto& w = outs.open(at("winners.csv"));
    w.append("by,key,count,scenarios,seed\n");
    for (const auto& c : r.counts) {
        csv_field(w, c.by);
        w.put(',');
        csv_field(w, c.key);
        fmt::format_to(w.out(), ",{},{},{}\n", c.count, c.scenarios, r.seed);
    }
    auto& sv = outs.open(at("sensitivity.csv"));
    sv.append("assumption,step,p50,p90,seed\n");
    for (const auto& x : r.sensitivity) fmt::format_to(sv.out(), "{},{},{},{},{}\n", x.assumption, x.step, x.p50, x.p90, r.seed);
    auto& sc = outs.open(at("schedule.csv"));
    sc.append("month,expected,cumulative,p50_cumulative,p90_cumulative,seed\n");
    for (const auto& m : r.schedule)
        fmt::format_to(sc.out(), "{},{},{},{},{},{}\n", m.month, m.expected, m.cumulative, m.p50_cumulative, m.p90_cumulative, r.seed);
    auto& t = outs.open(at("totals.csv"));
    fmt::format_to(t.out(), "scenario,cost,seed\n");
    for (std::size_t i = 0; i < r.totals.size(); ++i) {
        fmt::format_to(t.out(), "{},{},{}\n", i, r.totals[i], r.seed);
        t.maybe_flush();
    }
}

}  // namespace incentives::cli
