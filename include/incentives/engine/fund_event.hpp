// Ledger events: the steps of an MDF or co-op fund (allocations, requests, approvals, claims, claim
// approvals) and of a registered deal (registration, approval, rejection, extension, stage, lost,
// and the sale that closes it) that come in as events. Intake checks them and keeps them whole in
// the batch; the engine keeps them in its state; the ledger stage (engine/ledger.hpp,
// engine/deals.hpp) replays them at every run.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace incentives::detail {

/// The steps of a fund's life that come as events (engine/ledger.hpp replays them).
enum class fund_step : unsigned char { allocation, request, approval, claim, claim_approval };
inline constexpr std::string_view fund_step_kinds[] = {"fund_allocation", "fund_request", "fund_approval", "claim", "claim_approval"};

[[nodiscard]] inline std::optional<fund_step> fund_step_of(std::string_view kind) noexcept {
    for (std::size_t i = 0; i < std::size(fund_step_kinds); ++i)
        if (fund_step_kinds[i] == kind) return static_cast<fund_step>(i);
    return std::nullopt;
}

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

[[nodiscard]] inline std::optional<deal_step> deal_step_of(std::string_view kind) noexcept {
    for (std::size_t i = 0; i < std::size(deal_step_kinds); ++i)
        if (deal_step_kinds[i] == kind) return static_cast<deal_step>(i);
    return std::nullopt;
}

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

}  // namespace incentives::detail
