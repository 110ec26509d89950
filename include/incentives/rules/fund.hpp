// Funds (MDF and co-op): an account per fund and partner whose credits are lots with an expiry,
// reserved by approved requests (pre-approvals) and debited by approved claims. This header holds a
// fund's declared policies and the pure functions of them; the ledger stage (engine/ledger.hpp)
// replays the fund events and the rule lines credited to funds.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>

namespace incentives::rules {

/// How long a credit (a lot) may be used: `after` units from the day it is credited, then, if
/// declared, to the end of the month, quarter or year that day falls in (fiscal, as the program's
/// calendar). The result is the lot's last usable day; it is forfeited the day after. "End of the
/// next quarter" is {after: 1, unit: quarter, round_to: quarter}; "12 months" is {after: 12, unit:
/// month}. Without an expiry a lot never expires.
struct lot_expiry {
    enum class unit_t : unsigned char { day, month, quarter, year };
    int after = 0;
    unit_t unit = unit_t::month;
    std::optional<period_unit> round_to;  ///< month, quarter, half or year
    friend bool operator==(const lot_expiry&, const lot_expiry&) = default;
};

[[nodiscard]] inline std::string_view to_string(lot_expiry::unit_t u) noexcept {
    constexpr std::string_view names[] = {"day", "month", "quarter", "year"};
    return names[static_cast<int>(u)];
}

/// The last day a lot credited on `credited` may be used.
[[nodiscard]] inline date last_usable_day(const lot_expiry& e, date credited, const calendar& cal) {
    date d = credited;
    switch (e.unit) {
        case lot_expiry::unit_t::day: d = credited.plus_days(e.after); break;
        case lot_expiry::unit_t::month: d = credited.plus_months(e.after); break;
        case lot_expiry::unit_t::quarter: d = credited.plus_months(3 * e.after); break;
        case lot_expiry::unit_t::year: d = credited.plus_months(12 * e.after); break;
    }
    if (e.round_to) d = cal.period_at(cal.index_of(d, *e.round_to), *e.round_to).to.plus_days(-1);
    return d;
}

/// A fund's money per period of a unit (MDF: "500,000 a quarter"): credits of a period beyond it are
/// refused (allocations) or shared out pro rata (rule credits of one day).
struct fund_budget {
    decimal amount;
    period_unit per = period_unit::quarter;
    friend bool operator==(const fund_budget&, const fund_budget&) = default;
};

/// A fund: its policies. Accounts are per partner; a partner's account holds lots (credits), and
/// its available balance is the balance less what approved requests reserve.
struct fund {
    enum class kind_t : unsigned char { mdf, coop };
    /// Which lots a payment draws from first: the soonest to expire (then the oldest), or the oldest.
    enum class order_t : unsigned char { soonest_expiring, oldest };
    std::string id;
    kind_t kind = kind_t::coop;
    decimal reimbursement = decimal(1);  ///< the part of an approved cost paid (0.5: half), > 0 and <= 1
    std::optional<lot_expiry> expires;   ///< nullopt: lots never expire
    order_t claim_order = order_t::soonest_expiring;
    bool requires_approval = false;      ///< a claim must name an approved request
    int claim_days = 30;                 ///< a request's claims are taken up to this many days after its activity ends
    std::optional<fund_budget> budget;
    friend bool operator==(const fund&, const fund&) = default;
};

[[nodiscard]] inline std::string_view to_string(fund::kind_t k) noexcept { return k == fund::kind_t::mdf ? "mdf" : "coop"; }
[[nodiscard]] inline std::string_view to_string(fund::order_t o) noexcept {
    return o == fund::order_t::soonest_expiring ? "soonest_expiring" : "oldest";
}

}  // namespace incentives::rules
