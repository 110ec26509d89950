// What the intake keeps between batches: dictionaries, the registry of events taken in, and the sales
// (for duplicates, returns and clawbacks).
#pragma once

#include <climits>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>
#include <incentives/engine/dictionary.hpp>
#include <incentives/engine/ledger_event.hpp>
#include <incentives/engine/id_registry.hpp>
#include <incentives/rules/measure.hpp>
#include <incentives/rules/selection.hpp>

namespace incentives::detail {

/// A sale, kept for the returns that may follow it (32 bytes: one per sale taken in).
struct sale_record {
    std::uint32_t event = 0;  ///< the sale's number in the id registry
    std::int32_t day = 0;
    std::int64_t amount = 0, quantity = 0;
    std::uint32_t partner = 0;  ///< catalog index: a return must come from the same partner
};

/// What has been returned of one sale so far (few sales have returns: kept aside, by sale record).
struct returned_part {
    std::int64_t amount = 0, quantity = 0;
};

/// What one sale added to one group of a leaf with clawback.
struct contribution {
    std::uint32_t leaf = 0;
    std::uint64_t key = 0;
    int128 measure = 0;
};

struct engine_state {
    event_dictionaries dicts;
    id_registry ids;          ///< every event id taken in, with its sale record
    registry_stamp stamp;     ///< renewed whenever `ids` changes
    std::vector<sale_record, huge_page_allocator<sale_record>> sales;
    std::unordered_map<std::uint32_t, returned_part> returned;  ///< by sale record
    std::unordered_map<std::uint32_t, std::vector<contribution>> contributions;  ///< by sale record
    std::vector<std::string> event_ids;  ///< retained ids (when asked)
    std::map<std::string, std::vector<std::int64_t>, std::less<>> numeric;  ///< numeric attribute values by code, scale 6
    std::uint64_t events = 0, duplicates_ignored = 0, outside = 0;
    std::vector<std::uint64_t> kind_events;  ///< events added, by kind code
    ledger_events kept;                      ///< fund, deal and referral events, in the order added
};

inline constexpr int attribute_scale = 6;

}  // namespace incentives::detail
