// A columnar batch of events: ids dictionary-encoded once, money and quantities as scaled integers,
// participant credit as exact shares in ten-thousandths.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <incentives/engine/ledger_event.hpp>

namespace incentives {

/// Events in columns, encoded against an engine's dictionaries (see engine::encode). Participant
/// credit is a list of weights per event; a person's part is its weight over the event's total.
struct event_batch {
    static constexpr std::uint32_t none = 0xFFFFFFFFu;
    static constexpr int share_scale = 4;  ///< measures of split credit are kept at 4 more places than the column

    std::vector<std::string> ids;
    std::vector<std::uint64_t> id_hash;    ///< detail::id_hash of each id (encode fills it; add computes it when empty)
    std::vector<std::uint32_t> kind;       ///< code in the engine's kind dictionary
    std::vector<std::int32_t> day;         ///< days since 1970-01-01
    std::vector<std::uint32_t> partner;    ///< catalog index
    std::vector<std::uint32_t> product;    ///< catalog index, or none
    std::vector<std::uint32_t> category;   ///< code in the category dictionary (0: none)
    std::vector<std::int64_t> quantity;    ///< units at the program's quantity places
    std::vector<std::int64_t> amount;      ///< units at the program's amount places
    std::vector<std::uint32_t> credit_begin{0};  ///< offsets into the two columns below (size() + 1)
    std::vector<std::uint32_t> credit_participant;
    std::vector<std::int64_t> credit_share;  ///< weights (rules::split_credit)
    /// For returns: the sale's record in the engine, or (top bit set) the row of a sale in this
    /// batch; none for other events.
    std::vector<std::uint32_t> reference;
    std::size_t duplicates_ignored = 0;      ///< rows dropped by a duplicates: ignore policy
    /// The state of the engine's id registry the ids were checked against (0: none). add() checks
    /// the ids again only when the registry has changed since.
    std::uint64_t checked_against = 0;
    /// Rows of fund kinds (fund_allocation, fund_request, ...), kept whole, with their row in the
    /// batch (for a program with funds; the ledger stage replays them).
    detail::kept_rows<detail::fund_event> funds;
    /// Rows of deal kinds and sales closing a registered deal, the same way (a program with
    /// deal_registration).
    detail::kept_rows<detail::deal_event> deals;
    /// Rows of referral kinds (touch, signup, payment, refund), the same way (a program with
    /// referrals). Conversions carry no partner: their `partner` column holds 0, and no rule selects
    /// their kinds.
    detail::kept_rows<detail::referral_event> referrals;
    /// Rows of the shop's kinds (redemption, redemption_cancel), the same way (a program with points).
    detail::kept_rows<detail::points_event> points;
    /// Event attributes by name: a code per event in that name's dictionary (0: absent).
    std::map<std::string, std::vector<std::uint32_t>, std::less<>> attrs;

    [[nodiscard]] std::size_t size() const noexcept { return ids.size(); }
};

}  // namespace incentives
