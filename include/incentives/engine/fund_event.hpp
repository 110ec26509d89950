// Fund events: the steps of an MDF or co-op fund that come in as events (allocations, requests,
// approvals, claims, claim approvals). Intake checks them and keeps them whole in the batch; the
// engine keeps them in its state; the ledger stage (engine/ledger.hpp) replays them.
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

}  // namespace incentives::detail
