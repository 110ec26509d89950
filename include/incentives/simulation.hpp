// The budget simulation: what a program will cost, as a distribution, before it launches. Each
// scenario draws every competitor's measures per month from declared assumptions (a bootstrap of
// its own history, a lognormal around last year, or a normal attainment of its plans), puts them in
// a measure store and runs the program's own pay step on it (settle, contests, points, funds: the
// same code as engine::run). Draws are counter-based (detail/draws.hpp): a scenario's numbers depend
// only on (seed, scenario, competitor, stream), so results are identical for any thread count.
// The stage is engine/simulate.hpp; the assumptions' YAML is io::read_assumptions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <incentives/decimal.hpp>
#include <incentives/engine/engine.hpp>
#include <incentives/engine/event_columns.hpp>
#include <incentives/model.hpp>
#include <incentives/tax.hpp>

namespace incentives {

/// What the planner assumes about next year's performance. Every number has a name, so that the
/// sensitivity analysis can move it (`sensitivity`).
struct simulation_assumptions {
    /// How a competitor's month is drawn:
    ///  - bootstrap: one of its own months of the history year, picked uniformly (every rule's
    ///    measures of that month together), times (1 + growth) and the market factor;
    ///  - lognormal: the same month of the history year times (1 + growth) x a lognormal factor of
    ///    mean 1 and sigma `spread` (amounts), counts and quantities Poisson (or negative binomial)
    ///    around that mean;
    ///  - attainment: the competitor's plan for each period (plans) x a normal attainment of mean
    ///    `mean` and standard deviation `spread`, floored at 0 (no history needed).
    enum class model_t : unsigned char { bootstrap, lognormal, attainment };
    enum class counts_t : unsigned char { poisson, negative_binomial };

    /// Per segment (the partners whose `segment_by` field has `value`), values that replace the
    /// program-wide ones.
    struct segment {
        std::string value;
        std::optional<decimal> growth, spread, mean, participation;
        friend bool operator==(const segment&, const segment&) = default;
    };

    model_t model = model_t::bootstrap;
    decimal growth;                   ///< 0.05: every measure 5% above the draw
    decimal spread = decimal::parse("0.25");  ///< lognormal sigma, or the attainment's standard deviation
    decimal mean = decimal(1);        ///< the attainment's mean (1 = on plan)
    decimal participation = decimal(1);  ///< chance a competitor takes part at all in a scenario
    decimal market_spread;            ///< sigma of a common lognormal factor per scenario and month (mean 1)
    decimal correlation;              ///< the correlation of two competitors' normal draws (0..1; lognormal, attainment)
    counts_t counts = counts_t::poisson;
    decimal dispersion = decimal(5);  ///< negative binomial k (variance mean + mean^2 / k)
    std::string segment_by;           ///< a partner field
    std::vector<segment> segments;
    /// Sensitivity: assumption -> relative step. Each is run at (1 - step) and (1 + step) of its
    /// value with the same draws: growth (on 1 + growth), spread, mean, participation (at most 1),
    /// market_spread, thresholds (every tier bound, qualification minimum, accelerator band and
    /// contest minimum score of the program), prizes (every contest prize and pot).
    std::vector<std::pair<std::string, decimal>> sensitivity;
    /// Tax on awards to people (tax.hpp): the rules, and whether the program grosses awards up.
    std::optional<tax::rules> tax;
    bool gross_up = false;
    std::string tax_source;           ///< the tax file as the assumptions named it
    friend bool operator==(const simulation_assumptions&, const simulation_assumptions&) = default;
};

struct simulation_options {
    std::uint64_t scenarios = 1000;
    std::uint64_t seed = 0;           ///< keys every draw; written in every output
    std::optional<decimal> budget;    ///< the budget the cost is compared with
    unsigned threads = 1;             ///< results are identical for any count
    /// Run every stage of engine::run per scenario, payout lines included, even where nothing needs
    /// the lines (no points, funds, deals, referrals or payout scores): the same tables, slower. For
    /// checking the lean path.
    bool full_runs = false;
    /// Called after each finished scenario with (done, of); from one thread at a time.
    std::function<void(std::uint64_t, std::uint64_t)> progress;
};

/// A distribution over the scenarios: exact mean (half-even to the currency's minor units) and
/// quantiles by nearest rank (P90 is the value at rank ceil(0.9 N) of the sorted scenarios: an amount
/// some scenario cost, never an interpolation).
struct distribution {
    decimal mean, p50, p90, p95, p99, min, max;
    friend bool operator==(const distribution&, const distribution&) = default;
};

struct simulation_row {
    std::string by;    ///< "cost", "cash", "funds", "points", "in_kind", "tax" (summary); "rule", "month", "segment", "contest"
    std::string key;   ///< the rule, month ("2027-03"), segment value or contest id ("" for the summary)
    distribution d;
    friend bool operator==(const simulation_row&, const simulation_row&) = default;
};

/// In `scenarios` of the scenarios, `count` competitors won a contest (by "contest") or reached a
/// tier (by "tier", key "rule/tier").
struct simulation_count {
    std::string by, key;
    std::int64_t count = 0;
    std::uint64_t scenarios = 0;
    friend bool operator==(const simulation_count&, const simulation_count&) = default;
};

struct simulation_sensitivity {
    std::string assumption;
    decimal step;       ///< -0.1 or 0.1
    decimal p50, p90;   ///< of the total cost
    friend bool operator==(const simulation_sensitivity&, const simulation_sensitivity&) = default;
};

/// The expected accrual by month (variable consideration at its expected value): a line accrues in
/// the last month of its period.
struct simulation_month {
    std::string month;
    date month_start;
    decimal expected, cumulative, p50_cumulative, p90_cumulative;
    friend bool operator==(const simulation_month&, const simulation_month&) = default;
};

struct simulation_result {
    std::uint64_t seed = 0, scenarios = 0;
    std::string currency;
    std::vector<simulation_row> summary;   ///< cost, cash, funds, points, in_kind, tax
    std::vector<simulation_row> by;        ///< per rule, month, segment, contest
    std::vector<simulation_count> counts;  ///< winners per contest, qualifiers per tier
    std::vector<simulation_sensitivity> sensitivity;
    std::vector<simulation_month> schedule;
    std::vector<decimal> totals;           ///< the cost of each scenario, in scenario order
    std::optional<decimal> budget;
    std::optional<decimal> p_over_budget;  ///< scenarios above the budget / scenarios (6 places, half-even)
    std::optional<decimal> expected_overrun;  ///< mean of max(cost - budget, 0)
    decimal reserve;                       ///< P90 - P50 of the cost
    [[nodiscard]] const distribution& cost() const { return summary.front().d; }
};

/// Simulates `program_engine`'s program (its catalog; events added to it are not read) over
/// `history` (last year's events; empty for the attainment model). Throws validation_error for
/// assumptions or a program the simulation cannot draw (a distinct count, custom periods), and
/// input_error for bad history rows, as a run would.
[[nodiscard]] simulation_result simulate(const engine& program_engine, const event_columns& history,
                                         const simulation_assumptions& assumptions, const simulation_options& options);
/// The same with the history as rows.
[[nodiscard]] simulation_result simulate(const engine& program_engine, std::span<const event> history,
                                         const simulation_assumptions& assumptions, const simulation_options& options);

}  // namespace incentives
