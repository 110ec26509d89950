// Result: a run's payout lines, traces and statement totals handed to Python as columns (a dict of
// lists and numpy arrays, one entry per column), which incentives/_result.py turns into DataFrames
// or lists of dicts. Amounts are exact: decimal.Decimal objects, and int64 minor units where every
// value is a whole number of them. Totals by any key are summed here, exactly.
#include <algorithm>
#include <compare>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>

#include <incentives/engine/ledger.hpp>
#include <incentives/engine/points.hpp>
#include <incentives/detail/suggest.hpp>
#include <incentives/engine/restate.hpp>

#include "casters.hpp"
#include "objects.hpp"
#include "register.hpp"

namespace incentives::python {
namespace {

// ------------------------------------------------------------------------------------------------
// Columns

/// A list of str, one per row.
template <class Rows, class Get>
py::list texts(const Rows& rows, Get get) {
    py::list out(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) out[i] = py::str(std::string_view(get(rows[i])));
    return out;
}

/// A list of decimal.Decimal (None where `get` gives no value).
template <class Rows, class Get>
py::list decimals(const Rows& rows, Get get) {
    py::list out(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        std::optional<decimal> d = get(rows[i]);
        out[i] = d ? to_python_decimal(*d) : py::none();
    }
    return out;
}

/// A datetime64[D] array.
template <class Rows, class Get>
py::array days(const Rows& rows, Get get) {
    py::array out(py::dtype("datetime64[D]"), std::vector<py::ssize_t>{static_cast<py::ssize_t>(rows.size())});
    auto* p = static_cast<std::int64_t*>(out.mutable_data());
    for (std::size_t i = 0; i < rows.size(); ++i) p[i] = get(rows[i]).days();
    return out;
}

/// A datetime64[D] array of optional days (NaT where `get` gives none).
template <class Rows, class Get>
py::array optional_days(const Rows& rows, Get get) {
    py::array out(py::dtype("datetime64[D]"), std::vector<py::ssize_t>{static_cast<py::ssize_t>(rows.size())});
    auto* p = static_cast<std::int64_t*>(out.mutable_data());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::optional<date> d = get(rows[i]);
        p[i] = d ? d->days() : std::numeric_limits<std::int64_t>::min();  // NaT
    }
    return out;
}

template <class Rows, class Get>
py::array_t<std::int64_t> integers(const Rows& rows, Get get) {
    py::array_t<std::int64_t> out(static_cast<py::ssize_t>(rows.size()));
    auto* p = out.mutable_data();
    for (std::size_t i = 0; i < rows.size(); ++i) p[i] = static_cast<std::int64_t>(get(rows[i]));
    return out;
}

/// An amount in minor units of the currency; the caller knows it is a whole number of them.
std::int64_t minor_units(const decimal& d, int minor) {
    int128 u = d.rescale(minor, rounding_mode::unnecessary).units();
    if (u > std::numeric_limits<std::int64_t>::max() || u < std::numeric_limits<std::int64_t>::min())
        throw calculation_error("incentives.calculation.overflow",
                                d.to_string() + " does not fit int64 minor units: use the amount column");
    return static_cast<std::int64_t>(u);
}

std::string beneficiary_type(rules::credit::to_t t) { return std::string(rules::to_string(t)); }

const trace& why(const payout_line& l) {
    static const trace none;
    return l.why ? *l.why : none;
}

std::string steps_text(const trace& t) {
    std::string s;
    for (const auto& step : t.steps)
        s += (s.empty() ? "" : "; ") + step.what + ": " + step.before.to_string() + " -> " + step.after.to_string();
    return s;
}

/// Whether a line pays points (a points rule's line: its currency is the points' id), not money.
bool pays_points(const run_output& run, const payout_line& l) {
    return !run.res.points_id.empty() && l.currency == run.res.points_id;
}

py::dict payout_columns(const run_output& run) {
    const auto& lines = run.res.lines;
    const int minor = run.prog().currency_.minor_units();
    // A points line's minor units are those of the points: units at the points' places.
    const int points_places = run.prog().points ? run.prog().points->places : minor;
    py::dict d;
    d["rule"] = texts(lines, [](const payout_line& l) -> const std::string& { return l.rule; });
    d["beneficiary_type"] = texts(lines, [](const payout_line& l) { return beneficiary_type(l.beneficiary_type); });
    d["beneficiary"] = texts(lines, [](const payout_line& l) -> const std::string& { return l.beneficiary; });
    d["partner"] = texts(lines, [](const payout_line& l) -> const std::string& { return l.partner; });
    d["period"] = texts(lines, [](const payout_line& l) -> const std::string& { return l.period; });
    d["period_start"] = days(lines, [](const payout_line& l) { return l.period_start; });
    d["kind"] = texts(lines, [](const payout_line& l) { return to_string(l.kind); });
    d["currency"] = texts(lines, [](const payout_line& l) -> const std::string& { return l.currency; });
    d["amount"] = decimals(lines, [](const payout_line& l) { return std::optional(l.amount); });
    // Rounded at the statement, lines keep the places of their computation: no minor units then.
    if (run.prog().rounding.point != rounding_policy::point_t::statement)
        d["amount_minor"] = integers(lines, [&](const payout_line& l) {
            return minor_units(l.amount, pays_points(run, l) ? points_places : minor);
        });
    d["reverses"] = texts(lines, [](const payout_line& l) -> const std::string& { return why(l).reverses; });
    d["returned_by"] = texts(lines, [](const payout_line& l) -> const std::string& { return why(l).returned_by; });
    return d;
}

py::dict trace_columns(const run_output& run) {
    const auto& lines = run.traced().lines;
    py::dict d;
    d["rule"] = texts(lines, [](const payout_line& l) -> const std::string& { return l.rule; });
    d["beneficiary_type"] = texts(lines, [](const payout_line& l) { return beneficiary_type(l.beneficiary_type); });
    d["beneficiary"] = texts(lines, [](const payout_line& l) -> const std::string& { return l.beneficiary; });
    d["period"] = texts(lines, [](const payout_line& l) -> const std::string& { return l.period; });
    d["kind"] = texts(lines, [](const payout_line& l) { return to_string(l.kind); });
    d["amount"] = decimals(lines, [](const payout_line& l) { return std::optional(l.amount); });
    d["version"] = texts(lines, [](const payout_line& l) -> const std::string& { return why(l).version; });
    d["measure"] = texts(lines, [](const payout_line& l) -> const std::string& { return why(l).measure; });
    d["base"] = decimals(lines, [](const payout_line& l) { return std::optional(why(l).base); });
    d["baseline"] = decimals(lines, [](const payout_line& l) { return why(l).baseline; });
    d["tier"] = texts(lines, [](const payout_line& l) -> const std::string& { return why(l).tier; });
    d["rate"] = decimals(lines, [](const payout_line& l) { return why(l).rate; });
    d["amount_before"] = decimals(lines, [](const payout_line& l) { return std::optional(why(l).amount_before); });
    d["steps"] = texts(lines, [](const payout_line& l) { return steps_text(why(l)); });
    d["note"] = texts(lines, [](const payout_line& l) -> const std::string& { return why(l).note; });
    d["events"] = integers(lines, [](const payout_line& l) { return why(l).events; });
    py::list ids(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) ids[i] = py::cast(why(lines[i]).event_ids);
    d["event_ids"] = ids;
    d["reverses"] = texts(lines, [](const payout_line& l) -> const std::string& { return why(l).reverses; });
    d["returned_by"] = texts(lines, [](const payout_line& l) -> const std::string& { return why(l).returned_by; });
    return d;
}

py::dict statement_columns(const run_output& run) {
    const auto& rows = run.res.statements;
    int minor = run.prog().currency_.minor_units();
    py::dict d;
    d["beneficiary_type"] = texts(rows, [](const statement_total& s) { return beneficiary_type(s.beneficiary_type); });
    d["beneficiary"] = texts(rows, [](const statement_total& s) -> const std::string& { return s.beneficiary; });
    d["partner"] = texts(rows, [](const statement_total& s) -> const std::string& { return s.partner; });
    d["period"] = texts(rows, [](const statement_total& s) -> const std::string& { return s.period; });
    d["period_start"] = days(rows, [](const statement_total& s) { return s.period_start; });
    d["currency"] = texts(rows, [](const statement_total& s) -> const std::string& { return s.currency; });
    d["exact"] = decimals(rows, [](const statement_total& s) { return std::optional(s.exact); });
    d["amount"] = decimals(rows, [](const statement_total& s) { return std::optional(s.amount); });
    d["amount_minor"] = integers(rows, [&](const statement_total& s) { return minor_units(s.amount, minor); });
    return d;
}

/// The fund ledger (engine/ledger.hpp), one row per entry in replay order.
py::dict ledger_columns(const run_output& run) {
    const auto& rows = run.res.ledger;
    int minor = run.prog().currency_.minor_units();
    py::dict d;
    d["entry"] = integers(rows, [](const ledger_entry& e) { return e.number; });
    d["account"] = texts(rows, [](const ledger_entry& e) { return e.account(); });
    d["fund"] = texts(rows, [](const ledger_entry& e) -> const std::string& { return e.fund; });
    d["partner"] = texts(rows, [](const ledger_entry& e) -> const std::string& { return e.partner; });
    d["date"] = days(rows, [](const ledger_entry& e) { return e.on; });
    d["kind"] = texts(rows, [](const ledger_entry& e) { return to_string(e.kind); });
    d["amount"] = decimals(rows, [](const ledger_entry& e) { return std::optional(e.amount); });
    d["amount_minor"] = integers(rows, [&](const ledger_entry& e) { return minor_units(e.amount, minor); });
    d["balance_after"] = decimals(rows, [](const ledger_entry& e) { return std::optional(e.balance_after); });
    d["reserved_after"] = decimals(rows, [](const ledger_entry& e) { return std::optional(e.reserved_after); });
    d["available_after"] = decimals(rows, [](const ledger_entry& e) { return std::optional(e.available_after); });
    d["event"] = texts(rows, [](const ledger_entry& e) -> const std::string& { return e.event; });
    d["consumes"] = integers(rows, [](const ledger_entry& e) { return e.consumes; });
    d["reservation"] = integers(rows, [](const ledger_entry& e) { return e.reservation; });
    d["expires"] = optional_days(rows, [](const ledger_entry& e) { return e.expires; });
    d["reason"] = texts(rows, [](const ledger_entry& e) -> const std::string& { return e.reason; });
    return d;
}

/// The registered deals' steps (engine/deals.hpp), one row per step in replay order.
py::dict deal_columns(const run_output& run) {
    const auto& rows = run.res.deals;
    py::dict d;
    d["entry"] = integers(rows, [](const deal_entry& e) { return e.number; });
    d["registration"] = texts(rows, [](const deal_entry& e) -> const std::string& { return e.registration; });
    d["partner"] = texts(rows, [](const deal_entry& e) -> const std::string& { return e.partner; });
    d["customer"] = texts(rows, [](const deal_entry& e) -> const std::string& { return e.customer; });
    d["date"] = days(rows, [](const deal_entry& e) { return e.on; });
    d["kind"] = texts(rows, [](const deal_entry& e) { return to_string(e.kind); });
    d["amount"] = decimals(rows, [](const deal_entry& e) { return std::optional(e.amount); });
    d["until"] = optional_days(rows, [](const deal_entry& e) { return e.until; });
    d["event"] = texts(rows, [](const deal_entry& e) -> const std::string& { return e.event; });
    d["reason"] = texts(rows, [](const deal_entry& e) -> const std::string& { return e.reason; });
    return d;
}

/// The referral programs' steps (engine/referrals.hpp), one row per step in replay order.
py::dict referral_columns(const run_output& run) {
    const auto& rows = run.res.referrals;
    py::dict d;
    d["entry"] = integers(rows, [](const referral_entry& e) { return e.number; });
    d["referral"] = texts(rows, [](const referral_entry& e) -> const std::string& { return e.referral; });
    d["customer"] = texts(rows, [](const referral_entry& e) -> const std::string& { return e.customer; });
    d["partner"] = texts(rows, [](const referral_entry& e) -> const std::string& { return e.partner; });
    d["date"] = days(rows, [](const referral_entry& e) { return e.on; });
    d["kind"] = texts(rows, [](const referral_entry& e) { return to_string(e.kind); });
    d["amount"] = decimals(rows, [](const referral_entry& e) { return std::optional(e.amount); });
    d["until"] = optional_days(rows, [](const referral_entry& e) { return e.until; });
    d["event"] = texts(rows, [](const referral_entry& e) -> const std::string& { return e.event; });
    d["touch"] = texts(rows, [](const referral_entry& e) -> const std::string& { return e.touch; });
    d["reverses"] = integers(rows, [](const referral_entry& e) { return e.reverses; });
    d["reason"] = texts(rows, [](const referral_entry& e) -> const std::string& { return e.reason; });
    return d;
}

/// The fund accounts as of a day (fund_balances), one row per fund and partner.
py::dict balance_columns(const run_output& run, const date& as_of) {
    const auto rows = fund_balances(run.res.ledger, as_of);
    py::dict d;
    d["fund"] = texts(rows, [](const fund_balance& b) -> const std::string& { return b.fund; });
    d["partner"] = texts(rows, [](const fund_balance& b) -> const std::string& { return b.partner; });
    d["as_of"] = days(rows, [](const fund_balance& b) { return b.as_of; });
    d["balance"] = decimals(rows, [](const fund_balance& b) { return std::optional(b.balance); });
    d["reserved"] = decimals(rows, [](const fund_balance& b) { return std::optional(b.reserved); });
    d["available"] = decimals(rows, [](const fund_balance& b) { return std::optional(b.available); });
    d["expiring_30"] = decimals(rows, [](const fund_balance& b) { return std::optional(b.expiring_30); });
    d["expiring_60"] = decimals(rows, [](const fund_balance& b) { return std::optional(b.expiring_60); });
    d["expiring_90"] = decimals(rows, [](const fund_balance& b) { return std::optional(b.expiring_90); });
    return d;
}

/// Columns named as given, of the rows' string members (str) or decimal members (decimal.Decimal).
template <class Row, class Member>
void member_columns(py::dict& d, const std::vector<Row>& rows, std::initializer_list<std::pair<const char*, Member Row::*>> members) {
    for (auto [name, member] : members) {
        if constexpr (std::is_same_v<Member, decimal>)
            d[name] = decimals(rows, [member](const Row& r) { return std::optional(r.*member); });
        else
            d[name] = texts(rows, [member](const Row& r) -> const std::string& { return r.*member; });
    }
}

/// The points' ledger (engine/points.hpp), one row per entry in replay order.
py::dict points_columns(const run_output& run) {
    using e = points_entry;
    const auto& rows = run.res.points;
    py::dict d;
    d["entry"] = integers(rows, [](const e& x) { return x.number; });
    d["date"] = days(rows, [](const e& x) { return x.on; });
    d["kind"] = texts(rows, [](const e& x) { return to_string(x.kind); });
    d["holder_type"] = texts(rows, [](const e& x) { return beneficiary_type(x.holder_type); });
    member_columns(d, rows, {std::pair{"holder", &e::holder}, {"partner", &e::partner}});
    member_columns(d, rows, {std::pair{"points", &e::points}});
    d["lot"] = integers(rows, [](const e& x) { return x.lot; });
    d["from_lot"] = integers(rows, [](const e& x) { return x.from_lot; });
    member_columns(d, rows, {std::pair{"balance", &e::balance_after}, {"available", &e::available_after}});
    d["available_on"] = optional_days(rows, [](const e& x) { return x.available_on; });
    d["expires"] = optional_days(rows, [](const e& x) { return x.expires; });
    member_columns(d, rows, {std::pair{"event", &e::event}, {"item", &e::item}, {"reason", &e::reason}});
    return d;
}

/// The points' lots as the run leaves them, one row per lot in the order they were opened.
py::dict lot_columns(const run_output& run) {
    using l = points_lot;
    const auto& rows = run.res.lots;
    py::dict d;
    d["number"] = integers(rows, [](const l& x) { return x.number; });
    d["holder_type"] = texts(rows, [](const l& x) { return beneficiary_type(x.holder_type); });
    member_columns(d, rows, {std::pair{"holder", &l::holder}, {"partner", &l::partner}, {"source", &l::source}});
    d["earned_on"] = days(rows, [](const l& x) { return x.earned_on; });
    d["available_on"] = days(rows, [](const l& x) { return x.available_on; });
    d["expires"] = optional_days(rows, [](const l& x) { return x.expires; });
    member_columns(d, rows, {std::pair{"earned", &l::earned}, {"reinstated", &l::reinstated}, {"redeemed", &l::redeemed},
                             {"reversed", &l::reversed}, {"expired", &l::expired}, {"left", &l::left}});
    d["state"] = texts(rows, [](const l& x) { return to_string(x.state); });
    return d;
}

/// The status level changes (engine/points.hpp), one row per change in date order.
py::dict level_columns(const run_output& run) {
    using c = level_change;
    const auto& rows = run.res.levels;
    py::dict d;
    d["number"] = integers(rows, [](const c& x) { return x.number; });
    d["date"] = days(rows, [](const c& x) { return x.on; });
    d["holder_type"] = texts(rows, [](const c& x) { return beneficiary_type(x.holder_type); });
    member_columns(d, rows, {std::pair{"holder", &c::holder}, {"partner", &c::partner}, {"level", &c::level}, {"previous", &c::previous}});
    py::array_t<bool> up(static_cast<py::ssize_t>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) up.mutable_data()[i] = rows[i].up;
    d["up"] = up;
    member_columns(d, rows, {std::pair{"measure", &c::measure}});
    member_columns(d, rows, {std::pair{"window", &c::window}, {"reason", &c::reason}});
    return d;
}

/// The KPI plan's report (engine/kpis.hpp), one row per KPI and month.
py::dict kpi_columns(const run_output& run) {
    using k = kpi_row;
    const auto& rows = run.res.kpis;
    py::dict d;
    member_columns(d, rows, {std::pair{"kpi", &k::kpi}, {"month", &k::month}});
    d["month_start"] = days(rows, [](const k& x) { return x.month_start; });
    member_columns(d, rows, {std::pair{"actual", &k::actual}, {"target", &k::target}, {"cumulative_actual", &k::cumulative_actual},
                             {"cumulative_target", &k::cumulative_target}});
    d["attainment"] = decimals(rows, [](const k& x) { return x.attainment; });
    member_columns(d, rows, {std::pair{"light", &k::light}, {"of", &k::of}});
    d["ratio"] = decimals(rows, [](const k& x) { return x.ratio; });
    return d;
}

/// The engagement and ROI report (engine/roi.hpp), one row per segment, then "all".
py::dict roi_columns(const run_output& run) {
    using x = roi_row;
    const auto& rows = run.res.roi;
    py::dict d;
    member_columns(d, rows, {std::pair{"segment", &x::segment}});
    d["partners"] = integers(rows, [](const x& r) { return r.partners; });
    d["participating"] = integers(rows, [](const x& r) { return r.participating; });
    d["active"] = integers(rows, [](const x& r) { return r.active; });
    member_columns(d, rows, {std::pair{"participation_rate", &x::participation_rate}, {"active_rate", &x::active_rate}, {"sales", &x::sales}});
    d["baseline"] = decimals(rows, [](const x& r) { return r.baseline; });
    d["incremental"] = decimals(rows, [](const x& r) { return r.incremental; });
    member_columns(d, rows, {std::pair{"cost", &x::cost}});
    d["cost_share"] = decimals(rows, [](const x& r) { return r.cost_share; });
    d["incremental_margin"] = decimals(rows, [](const x& r) { return r.incremental_margin; });
    d["roi"] = decimals(rows, [](const x& r) { return r.roi; });
    d["control_partners"] = integers(rows, [](const x& r) { return r.control_partners; });
    return d;
}

/// Contest standings (engine/contests.hpp), one row per competitor, round and contest.
py::dict standing_columns(const std::vector<contest_standing>& rows) {
    using c = contest_standing;
    py::dict d;
    member_columns(d, rows, {std::pair{"contest", &c::contest}, {"round", &c::round}});
    d["round_start"] = days(rows, [](const c& x) { return x.round_start; });
    d["through"] = days(rows, [](const c& x) { return x.through; });
    member_columns(d, rows, {std::pair{"league", &c::league}});
    d["position"] = integers(rows, [](const c& x) { return x.position; });
    d["rank"] = decimals(rows, [](const c& x) { return x.position ? std::optional<decimal>(x.rank) : std::nullopt; });
    d["tied"] = integers(rows, [](const c& x) { return x.tied; });
    d["competitor_type"] = texts(rows, [](const c& x) { return beneficiary_type(x.competitor_type); });
    member_columns(d, rows, {std::pair{"competitor", &c::competitor}, {"partner", &c::partner}});
    py::array_t<bool> eligible(static_cast<py::ssize_t>(rows.size())), winner(static_cast<py::ssize_t>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        eligible.mutable_data()[i] = rows[i].eligible;
        winner.mutable_data()[i] = rows[i].winner;
    }
    d["eligible"] = eligible;
    member_columns(d, rows, {std::pair{"score", &c::score}});
    d["gap_to_next"] = decimals(rows, [](const c& x) { return x.gap_to_next; });
    d["gap_to_cut"] = decimals(rows, [](const c& x) { return x.gap_to_cut; });
    d["winner"] = winner;
    member_columns(d, rows, {std::pair{"prize", &c::prize}, {"step_prize", &c::step_prize}});
    member_columns(d, rows, {std::pair{"item", &c::item}, {"why", &c::why}});
    return d;
}

/// Every holder's points as of a day (points_balances), one row per holder.
py::dict points_balance_columns(const run_output& run, const date& as_of) {
    using b = points_balance;
    const auto rows = points_balances(run.res.points, as_of);
    py::dict d;
    d["holder_type"] = texts(rows, [](const b& x) { return beneficiary_type(x.holder_type); });
    member_columns(d, rows, {std::pair{"holder", &b::holder}, {"partner", &b::partner}});
    d["as_of"] = days(rows, [](const b& x) { return x.as_of; });
    member_columns(d, rows, {std::pair{"balance", &b::balance}, {"pending", &b::pending}, {"available", &b::available},
                             {"debt", &b::debt}, {"expiring_30", &b::expiring_30}, {"expiring_60", &b::expiring_60},
                             {"expiring_90", &b::expiring_90}});
    return d;
}

/// The program's points liability as of a day (points_liability_as_of): its figures by name, as_of
/// as "YYYY-MM-DD", and by_age as columns (label, points).
py::dict points_liability_fields(const run_output& run, const date& as_of) {
    const auto l = points_liability_as_of(run.prog(), run.res.points, as_of);
    py::dict d;
    d["as_of"] = l.as_of.to_string();
    for (auto [name, value] : {std::pair{"issued", &l.issued}, {"redeemed", &l.redeemed}, {"expired", &l.expired},
                               {"reversed", &l.reversed}, {"outstanding", &l.outstanding}, {"pending", &l.pending},
                               {"available", &l.available}, {"debt", &l.debt}, {"value_per_point", &l.value_per_point},
                               {"breakage", &l.breakage}, {"face_value", &l.face_value}, {"liability", &l.liability}})
        d[name] = to_python_decimal(*value);
    d["breakage_basis"] = l.breakage_basis;
    using band = points_liability::age_band;
    py::dict ages;
    member_columns(ages, l.by_age, {std::pair{"label", &band::label}});
    member_columns(ages, l.by_age, {std::pair{"points", &band::points}});
    d["by_age"] = ages;
    return d;
}

// ------------------------------------------------------------------------------------------------
// Totals

/// One part of a grouping key: sorted by `order` (program order of rules, period start), then text.
struct key_part {
    std::int64_t order = 0;
    std::string text;
    friend auto operator<=>(const key_part&, const key_part&) = default;
};

using key_of = std::function<key_part(const payout_line&)>;

const std::vector<std::string_view> line_keys{"rule", "beneficiary_type", "beneficiary", "partner", "period", "kind", "currency"};
const std::vector<std::string_view> partner_keys{"segment", "group", "region", "tier", "partner_name"};

/// The partner row of a line (nullptr for a line paying the program).
const partner* partner_of(const run_output& run, const payout_line& l) {
    auto i = run.cat().partner_index(l.partner);
    return i ? &run.cat().partners()[*i] : nullptr;
}

key_of partner_key(const run_output& run, std::string_view name) {
    using member = std::string partner::*;
    if (name.substr(0, 8) == "partner.") {
        std::string attr(name.substr(8));
        return [&run, attr](const payout_line& l) {
            const partner* p = partner_of(run, l);
            if (!p) return key_part{};
            auto it = p->attrs.find(attr);
            return key_part{0, it == p->attrs.end() ? std::string() : it->second};
        };
    }
    member field = name == "segment" ? &partner::segment
                   : name == "group" ? &partner::group
                   : name == "region" ? &partner::region
                   : name == "tier" ? &partner::tier
                                    : &partner::name;
    return [&run, field](const payout_line& l) {
        const partner* p = partner_of(run, l);
        return key_part{0, p ? p->*field : std::string()};
    };
}

key_of line_key(const run_output& run, std::string_view name) {
    if (name == "rule")
        return [&run](const payout_line& l) {
            const auto& rules = run.prog().rules;
            auto it = std::find_if(rules.begin(), rules.end(), [&](const rules::rule& r) { return r.id == l.rule; });
            return key_part{it - rules.begin(), l.rule};
        };
    if (name == "period") return [](const payout_line& l) { return key_part{l.period_start.days(), l.period}; };
    if (name == "kind") return [](const payout_line& l) { return key_part{static_cast<int>(l.kind), std::string(to_string(l.kind))}; };
    if (name == "beneficiary_type")
        return [](const payout_line& l) { return key_part{static_cast<int>(l.beneficiary_type), beneficiary_type(l.beneficiary_type)}; };
    std::string payout_line::*field = name == "beneficiary" ? &payout_line::beneficiary
                                      : name == "partner"   ? &payout_line::partner
                                                            : &payout_line::currency;
    return [field](const payout_line& l) { return key_part{0, l.*field}; };
}

key_of key_for(const run_output& run, const std::string& name) {
    auto known = [&](const std::vector<std::string_view>& names) {
        return std::find(names.begin(), names.end(), name) != names.end();
    };
    if (known(line_keys)) return line_key(run, name);
    if (known(partner_keys) || (name.size() > 8 && name.rfind("partner.", 0) == 0)) return partner_key(run, name);
    std::vector<std::string_view> all(line_keys);
    all.insert(all.end(), partner_keys.begin(), partner_keys.end());
    std::string names;
    for (auto n : all) names += (names.empty() ? "" : ", ") + std::string(n);
    throw py::value_error("totals: unknown key \"" + name + "\"" + detail::did_you_mean(name, all) + "; the keys are " +
                          names + " and partner.<attribute>");
}

/// Exact sums of the money lines' amounts by the keys `by`, in key order: columns named as the keys,
/// then amount (decimal.Decimal) and lines (the number of lines summed). Lines of points rules are
/// points, not money: left out, as result::total() leaves them out.
py::dict totals(const run_output& run, const std::vector<std::string>& by) {
    std::vector<key_of> keys;
    for (const auto& name : by) keys.push_back(key_for(run, name));
    struct sum {
        decimal amount;
        std::int64_t lines = 0;
    };
    std::map<std::vector<key_part>, sum> groups;
    for (const auto& l : run.res.lines) {
        if (pays_points(run, l)) continue;
        std::vector<key_part> k;
        k.reserve(keys.size());
        for (const auto& f : keys) k.push_back(f(l));
        auto& s = groups[std::move(k)];
        s.amount += l.amount;
        ++s.lines;
    }
    std::vector<std::pair<const std::vector<key_part>*, const sum*>> rows;
    for (const auto& [k, s] : groups) rows.emplace_back(&k, &s);
    py::dict d;
    for (std::size_t c = 0; c < by.size(); ++c)
        d[py::str(by[c])] = texts(rows, [c](const auto& r) -> const std::string& { return (*r.first)[c].text; });
    d["amount"] = decimals(rows, [](const auto& r) { return std::optional(r.second->amount); });
    d["lines"] = integers(rows, [](const auto& r) { return r.second->lines; });
    return d;
}

}  // namespace
/// The delta lines of a run against what was paid (restate()), as columns.
py::dict delta_columns(const run_output& run, const py::dict& paid) {
    const auto rows = paid_rows(paid);
    std::vector<delta_line> deltas;
    {
        py::gil_scoped_release unlocked;
        deltas = restate(run.prog(), run.cat(), run.res, rows);
    }
    py::dict d;
    d["rule"] = texts(deltas, [](const delta_line& l) -> const std::string& { return l.rule; });
    d["beneficiary_type"] = texts(deltas, [](const delta_line& l) { return beneficiary_type(l.beneficiary_type); });
    d["beneficiary"] = texts(deltas, [](const delta_line& l) -> const std::string& { return l.beneficiary; });
    d["partner"] = texts(deltas, [](const delta_line& l) -> const std::string& { return l.partner; });
    d["period"] = texts(deltas, [](const delta_line& l) -> const std::string& { return l.period; });
    d["period_start"] = days(deltas, [](const delta_line& l) { return l.period_start; });
    d["currency"] = texts(deltas, [](const delta_line& l) -> const std::string& { return l.currency; });
    d["paid"] = decimals(deltas, [](const delta_line& l) { return std::optional(l.paid); });
    d["now"] = decimals(deltas, [](const delta_line& l) { return std::optional(l.now); });
    d["delta"] = decimals(deltas, [](const delta_line& l) { return std::optional(l.delta); });
    py::list corrects(deltas.size());
    for (std::size_t i = 0; i < deltas.size(); ++i) corrects[i] = py::cast(deltas[i].corrects);
    d["corrects"] = corrects;
    return d;
}

void register_result(py::module_& m) {
    py::class_<run_output>(m, "Result", "The result of a run (private: use incentives.Result).")
        .def("__len__", [](const run_output& r) { return r.res.lines.size(); })
        .def_property_readonly("total", [](const run_output& r) { return to_python_decimal(r.res.total()); },
                               "The exact sum of every line, as a decimal.Decimal.")
        .def_property_readonly("currency", [](const run_output& r) { return std::string(r.prog().currency_.code()); })
        .def_property_readonly("program", [](const run_output& r) { return r.prog(); })
        .def_property_readonly("events_seen", [](const run_output& r) { return r.res.events_seen; })
        .def_property_readonly("duplicates_ignored", [](const run_output& r) { return r.res.duplicates_ignored; })
        .def_property_readonly("events_outside_program", [](const run_output& r) { return r.res.events_outside_program; })
        .def_property_readonly("unknown_kinds", [](const run_output& r) {
            py::dict d;
            for (const auto& [kind, count] : r.res.unknown_kinds) d[py::str(kind)] = count;
            return d;
        })
        .def(
            "partial",
            [](const run_output& r) {
                std::string bytes;
                {
                    py::gil_scoped_release unlocked;
                    bytes = r.eng->partial();
                }
                return py::bytes(bytes);
            },
            "The run's measures as bytes (engine::partial): with the program and catalog, all a pickle needs.")
        .def_property_readonly("base_program", [](const run_output& r) { return r.eng->definition(); })
        .def_property_readonly("variant_program", [](const run_output& r) -> std::optional<program> {
            return r.variant ? std::optional<program>(*r.variant) : std::nullopt;
        })
        .def_property_readonly("catalog", [](const run_output& r) { return r.cat(); })
        .def_property_readonly("event_ids", [](const run_output& r) { return r.event_ids; })
        .def("payout_columns", &payout_columns)
        .def("trace_columns", &trace_columns)
        .def("statement_columns", &statement_columns)
        .def("ledger_columns", &ledger_columns)
        .def("deal_columns", &deal_columns)
        .def("referral_columns", &referral_columns)
        .def("points_columns", &points_columns)
        .def("lot_columns", &lot_columns)
        .def("level_columns", &level_columns)
        .def("kpi_columns", &kpi_columns)
        .def("roi_columns", &roi_columns)
        .def("standing_columns", [](const run_output& r) { return standing_columns(r.res.contests); })
        .def(
            "leaderboard_columns",
            [](const run_output& r, const std::string& contest, const std::optional<std::string>& as_of) {
                return standing_columns(r.eng->leaderboard(r.res, contest, as_of ? std::optional<date>(date::parse(*as_of)) : std::nullopt));
            },
            py::arg("contest"), py::arg("as_of") = py::none())
        .def("history_columns", [](const run_output& r, const std::string& contest) { return standing_columns(r.eng->rank_history(r.res, contest)); },
             py::arg("contest"))
        .def("points_balance_columns",
             [](const run_output& r, const std::string& as_of) { return points_balance_columns(r, date::parse(as_of)); },
             py::arg("as_of"))
        .def("points_liability",
             [](const run_output& r, const std::string& as_of) { return points_liability_fields(r, date::parse(as_of)); },
             py::arg("as_of"))
        .def_property_readonly("points_id", [](const run_output& r) { return r.res.points_id; })
        .def("balance_columns", [](const run_output& r, const std::string& as_of) { return balance_columns(r, date::parse(as_of)); },
             py::arg("as_of"))
        .def_property_readonly("last_day", [](const run_output& r) { return r.prog().cal.to().to_string(); })
        .def("totals", &totals, py::arg("by"))
        .def("delta_columns", &delta_columns, py::arg("paid"))
        .def("explain", &explain_text, py::arg("beneficiary"))
        .def("statement", &statement_text, py::arg("partner"));
}

}  // namespace incentives::python
