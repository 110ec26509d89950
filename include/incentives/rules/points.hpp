// Points: a unit of their own, earned by rules that pay in points (`points:` on a rule), kept in
// lots with a pending period and a validity, spent in an internal shop and reversed by returns by a
// declared policy. This header holds the declared policy; the replay is engine/points.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>
#include <incentives/rules/fund.hpp>

namespace incentives::rules {

/// An item of the internal shop: its price in points, an optional stock (over the whole program)
/// and an optional limit of how many one holder may redeem per period.
struct shop_item {
    std::string sku;
    std::string name;
    decimal price;                   ///< in points, > 0, at most the points' places
    std::optional<std::int64_t> stock;
    std::optional<std::int64_t> limit;  ///< per holder and period of `limit_per`
    period_unit limit_per = period_unit::month;
    friend bool operator==(const shop_item&, const shop_item&) = default;
};

/// Status levels (bronze, silver, gold: any names) reached by a measure over a window: the points a
/// holder's points rules earned (before any level multiplier), or a rule's measure (its sales,
/// count...). A holder moves up at once when the measure over the window reaches a higher level's
/// `from`; at the end of each review period it requalifies: below its level's `from` for more than
/// `grace` reviews in a row, it moves down one level, or to the level the measure supports.
struct status_levels {
    struct level {
        std::string name;
        decimal from;                 ///< the measure over the window needed (the first level's is 0)
        decimal multiplier = decimal(1);  ///< points earned while at this level are multiplied (gold: 1.5)
        friend bool operator==(const level&, const level&) = default;
    };
    enum class downgrade_t : unsigned char { one_level, to_measure };
    std::vector<level> table;         ///< in ascending order of `from`
    std::string rule;                 ///< "": the points earned; else the rule whose measure counts (crediting the holders)
    period_unit window = period_unit::year;  ///< a calendar window: the measure of the period that holds the day...
    int rolling_months = 0;           ///< ...or, above 0, the last this many months up to the day
    period_unit review = period_unit::month;  ///< requalification at the end of each period of this unit
    int grace = 0;                    ///< reviews below the level's `from` kept before moving down
    downgrade_t downgrade = downgrade_t::one_level;
    friend bool operator==(const status_levels&, const status_levels&) = default;
};

[[nodiscard]] inline std::string_view to_string(status_levels::downgrade_t d) noexcept {
    return d == status_levels::downgrade_t::one_level ? "one_level" : "to_measure";
}

/// Points for activity rather than sales, as lots of their own: a welcome bonus on a person's or a
/// partner's registration in the program (attribute `registered`, YYYY-MM-DD), a birthday bonus each
/// year of the program (to people registered by then; a 29 February birthday falls on 28 February or
/// 1 March in other years, as declared), a bonus per completed course (`course_completed` events or
/// a participant's `certified.<course>` date, once per person and course), and a first-sale bonus
/// on the day of a person's (a partner's) first sale in the program's dates.
struct activity_rewards {
    enum class feb29_t : unsigned char { feb28, mar1 };
    std::optional<decimal> welcome;          ///< to a person, on its `registered` date
    std::optional<decimal> partner_welcome;  ///< to a partner, on its `registered` date
    std::optional<decimal> birthday;
    feb29_t feb29 = feb29_t::feb28;
    std::optional<decimal> course;                              ///< any course not listed below
    std::vector<std::pair<std::string, decimal>> courses;       ///< per course id
    std::optional<decimal> first_sale;          ///< to each person credited on its first sale
    std::optional<decimal> partner_first_sale;  ///< to a partner, on its first sale
    [[nodiscard]] bool any() const {
        return welcome || partner_welcome || birthday || course || !courses.empty() || first_sale || partner_first_sale;
    }
    [[nodiscard]] bool first_sales() const { return first_sale || partner_first_sale; }
    friend bool operator==(const activity_rewards&, const activity_rewards&) = default;
};

struct points_program {
    /// Which lots a redemption draws from first: the soonest to expire (then the oldest), or the oldest.
    using order_t = fund::order_t;
    /// What a return does to the points its sale earned (a clawback line of a points rule):
    /// reverse only points still pending; reverse within the balance, never below zero; or reverse
    /// in full, the part beyond the balance becoming a debt that later earnings repay.
    enum class returns_t : unsigned char { pending_only, within_balance, unlimited };

    std::string id = "points";  ///< names the points: rules say `points: <id>`; lines carry it as their currency
    int places = 0;             ///< points are kept exactly at this many places (0: whole points)
    decimal value;              ///< what one point costs the program, in its currency (liability)
    int pending_days = 0;       ///< a lot becomes available this many days after it is earned
    std::optional<lot_expiry> expires;  ///< how long a lot may be used (nullopt: never expires)
    order_t spend = order_t::soonest_expiring;
    returns_t returns = returns_t::within_balance;
    /// A cancelled redemption puts its points back into the lots it drew from, with their own expiry
    /// (nullopt); or, with a window, into a new lot usable at least this many days from the cancellation.
    std::optional<int> reinstate_days;
    /// The share of outstanding points expected never to be redeemed (0.2: 20%); nullopt: estimated
    /// from the program's own matured lots, expired / (expired + redeemed).
    std::optional<decimal> breakage;
    std::vector<shop_item> shop;
    std::optional<status_levels> levels;
    activity_rewards rewards;
    friend bool operator==(const points_program&, const points_program&) = default;
};

[[nodiscard]] inline std::string_view to_string(points_program::returns_t r) noexcept {
    constexpr std::string_view names[] = {"pending_only", "within_balance", "unlimited"};
    return names[static_cast<int>(r)];
}

}  // namespace incentives::rules
