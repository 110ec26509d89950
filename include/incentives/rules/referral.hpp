// Referral and affiliate programs: partners touch customers (a click, a code, a link); a customer's
// first conversion (a sign-up or a payment) is attributed to one partner by declared settings, and
// bounties are earned on that customer's conversions, held for a refund window, then paid (or
// credited to a fund). This header holds the declared policy; the replay is engine/referrals.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>

namespace incentives::rules {

/// What a referred customer earns its partner. Amounts in the program's currency; rates of payments.
struct bounty {
    /// What the minimum spend is compared with: the customer's first payment, or the total of its
    /// payments within `months` of the first (AWS: a migration that brings at least 36,000 a year).
    enum class spend_t : unsigned char { first_payment, months };
    std::optional<decimal> per_signup;    ///< fixed, once per referred customer, on its sign-up
    std::optional<decimal> per_customer;  ///< fixed, once per referred customer, on its first payment (Canva: 36)
    std::optional<decimal> rate;          ///< of each payment counted (0.2: 20%), rounded per payment
    int months = 0;                       ///< payments counted: within this many months of the first (0: the first only)
    decimal min_spend;                    ///< the customer qualifies once its spend (net of refunds) is at least this and above 0
    spend_t spend_over = spend_t::first_payment;
    friend bool operator==(const bounty&, const bounty&) = default;
};

struct referral_program {
    /// Which touch wins when several partners' windows are open at the conversion.
    enum class wins_t : unsigned char { first, last };
    std::string id = "referrals";  ///< names its payout lines; events name it in attr.referral when there are several
    int window_days = 90;          ///< a touch counts for conversions up to this many days after it (1-365)
    wins_t wins = wins_t::last;
    bool restart = false;          ///< a partner's new touch restarts its window (PartnerStack); else it runs from the first
    bool lock = false;             ///< the customer's first counted touch binds it to that partner for good (Tolt)
    bool allow_self_referrals = false;     ///< a touch whose customer is the partner itself or one of its people
    bool allow_inactive_partners = false;  ///< partners outside attr active_from..active_until on the conversion day
    struct bounty bounty;
    int hold_days = 0;             ///< a bounty is held this many days from when it is earned; a refund then cancels it
    std::string fund;              ///< a declared fund credited instead of paying cash (Trello's credits); "" for cash
    period_unit per = period_unit::quarter;  ///< the period of its payout lines: of the day a bounty is earned (a clawback: of its refund)
    friend bool operator==(const referral_program&, const referral_program&) = default;
};

[[nodiscard]] inline std::string_view to_string(referral_program::wins_t w) noexcept {
    return w == referral_program::wins_t::first ? "first" : "last";
}
[[nodiscard]] inline std::string_view to_string(bounty::spend_t s) noexcept {
    return s == bounty::spend_t::first_payment ? "first_payment" : "months";
}

}  // namespace incentives::rules
