// Ledger events: the steps of an MDF or co-op fund (allocations, requests, approvals, claims, claim
// approvals), of a registered deal (registration, approval, rejection, extension, stage, lost, and
// the sale that closes it), of a referral (touches, sign-ups, payments, refunds) and of the points'
// shop (redemptions and their cancellations) that come in as events. Intake checks them and keeps
// them whole in the batch; the engine keeps them in its state; the ledger stages (engine/ledger.hpp,
// deals.hpp, referrals.hpp, points.hpp) replay them at every run.
#pragma once

#include <climits>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace incentives::detail {

/// The step whose kind name is `kind` (steps in the order of `kinds`), or none.
template <class Step, std::size_t N>
[[nodiscard]] std::optional<Step> step_of(const std::string_view (&kinds)[N], std::string_view kind) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (kinds[i] == kind) return static_cast<Step>(i);
    return std::nullopt;
}

/// The steps of a fund's life that come as events (engine/ledger.hpp replays them).
enum class fund_step : unsigned char { allocation, request, approval, claim, claim_approval };
inline constexpr std::string_view fund_step_kinds[] = {"fund_allocation", "fund_request", "fund_approval", "claim", "claim_approval"};

[[nodiscard]] inline std::optional<fund_step> fund_step_of(std::string_view kind) noexcept { return step_of<fund_step>(fund_step_kinds, kind); }

/// A fund event, kept whole: they are few, and the ledger replays them at every run.
struct fund_event {
    std::string id;
    fund_step step = fund_step::allocation;
    std::int32_t day = 0;
    std::uint32_t partner = 0;  ///< catalog index
    std::int64_t amount = 0;    ///< units at the program's amount places
    std::string reference;      ///< the request (approval, claim) or claim (claim_approval) it names
    std::string fund;           ///< the fund's id ("" for approvals: taken from what they name)
    std::string note;           ///< the proof of a claim, or the reason of a decision
    std::optional<std::int32_t> activity_end;  ///< of a request: claims are taken until claim_days after it
    friend bool operator==(const fund_event&, const fund_event&) = default;
};

/// The steps of a registered deal that come as events; a deal closes with a sale whose `reference`
/// names its registration.
enum class deal_step : unsigned char { registration, approval, rejection, extension, stage, lost, close };
inline constexpr std::string_view deal_step_kinds[] = {"deal_registration", "deal_approval", "deal_rejection",
                                                       "deal_extension",    "deal_stage",    "deal_lost"};

[[nodiscard]] inline std::optional<deal_step> deal_step_of(std::string_view kind) noexcept { return step_of<deal_step>(deal_step_kinds, kind); }

/// A deal event, kept whole.
struct deal_event {
    std::string id;
    deal_step step = deal_step::registration;
    std::int32_t day = 0;
    std::uint32_t partner = 0;  ///< catalog index
    std::int64_t amount = 0;    ///< units at the program's amount places: expected value, or the closing sale's amount
    std::string reference;      ///< the registration a step names (a closing sale's reference)
    std::string customer;       ///< of a registration
    std::string stage;          ///< of a deal_stage
    std::string note;           ///< the reason of a decision
    friend bool operator==(const deal_event&, const deal_event&) = default;
};

/// The steps of a referral: a partner's touch of a customer (a click, a code, a link), and the
/// customer's conversions, which carry no partner (attribution decides it; engine/referrals.hpp).
enum class referral_step : unsigned char { touch, signup, payment, refund };
inline constexpr std::string_view referral_step_kinds[] = {"touch", "signup", "payment", "refund"};

[[nodiscard]] inline std::optional<referral_step> referral_step_of(std::string_view kind) noexcept { return step_of<referral_step>(referral_step_kinds, kind); }

/// A referral event, kept whole.
struct referral_event {
    static constexpr std::uint32_t no_partner = 0xFFFFFFFFu;
    std::string id;
    referral_step step = referral_step::touch;
    std::int32_t day = 0;
    std::uint32_t partner = no_partner;  ///< catalog index: a touch's partner, or the code's partner a conversion names
    std::int64_t amount = 0;             ///< units at the program's amount places (payments, refunds)
    std::string customer;
    std::string reference;  ///< the payment a refund names
    std::string referral;   ///< the referral program's id
    std::string channel;    ///< of a touch: click, code, link... (told in the story)
    friend bool operator==(const referral_event&, const referral_event&) = default;
};

/// The steps of the points' shop that come as events: a redemption of a shop item, its
/// cancellation, and a completed course (an activity reward) (engine/points.hpp).
enum class points_step : unsigned char { redemption, cancel, course };
inline constexpr std::string_view points_step_kinds[] = {"redemption", "redemption_cancel", "course_completed"};

[[nodiscard]] inline std::optional<points_step> points_step_of(std::string_view kind) noexcept { return step_of<points_step>(points_step_kinds, kind); }

/// A points event, kept whole. The holder is the person the redemption names (its one participant),
/// or its partner when it names none.
struct points_event {
    static constexpr std::uint32_t no_participant = 0xFFFFFFFFu;
    std::string id;
    points_step step = points_step::redemption;
    std::int32_t day = 0;
    std::uint32_t partner = 0;                      ///< catalog index
    std::uint32_t participant = no_participant;     ///< catalog index of the holder, or none (the partner holds)
    std::string item;                               ///< the shop item's sku (redemption), the course (course_completed)
    std::int64_t count = 1;                         ///< how many of the item (redemption)
    std::string reference;                          ///< the redemption a cancellation names
    friend bool operator==(const points_event&, const points_event&) = default;
};

/// Kept events of one family with their rows in a batch (for filtering a batch's rows).
template <class Event>
struct kept_rows {
    std::vector<Event> events;
    std::vector<std::uint32_t> rows;
};

/// The kept events of every ledger family, in the order added (each stage sorts them).
struct ledger_events {
    std::vector<fund_event> funds;
    std::vector<deal_event> deals;
    std::vector<referral_event> referrals;
    std::vector<points_event> points;
    /// The day of each participant's and partner's first sale in the program's dates (by catalog
    /// index; no_sale_day: none yet), kept when the points reward first sales.
    std::vector<std::int32_t> first_sale_person, first_sale_partner;
    static constexpr std::int32_t no_sale_day = INT32_MAX;
};

}  // namespace incentives::detail
