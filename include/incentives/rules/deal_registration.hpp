// Deal registration: a partner registers a prospect (customer, product, expected value); once
// approved, the customer is protected for that partner for a window, extensions may be asked before
// it ends, funnel stages pay once per deal, and a deal closed inside the window by the registering
// partner earns a bonus. This header holds the declared policy; the replay is engine/deals.hpp.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>

namespace incentives::rules {

/// A length of time from a day: N days or N months (a month from 31 January ends on 28 February).
struct span {
    int count = 90;
    bool months = false;
    friend bool operator==(const span&, const span&) = default;
};

[[nodiscard]] inline date after(date from, const span& s) { return s.months ? from.plus_months(s.count) : from.plus_days(s.count); }

struct deal_registration {
    std::string id = "deal_registration";  ///< names its payout lines (as a rule id does)
    span window{90, false};                ///< protection from the approval: the last protected day is approval + window
    span extension{0, false};              ///< what one extension adds (asked before the window ends)
    int max_extensions = 0;
    std::optional<decimal> bonus_rate;     ///< of the closing sale's amount (0.05: 5%)
    std::optional<decimal> bonus_fixed;    ///< per deal closed in the window
    /// Rewards per funnel stage, paid once per deal: "registered" is paid when the registration is
    /// approved; other stages when a deal_stage event names them.
    std::vector<std::pair<std::string, decimal>> stages;
    bool clawback_lost = true;             ///< a lost deal's stage rewards are clawed back
    period_unit per = period_unit::quarter;  ///< the period of its payout lines
    friend bool operator==(const deal_registration&, const deal_registration&) = default;
};

}  // namespace incentives::rules
