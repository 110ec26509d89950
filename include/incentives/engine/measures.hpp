// The measure store: what accumulation produces and settling reads — exact sums per leaf rule,
// beneficiary, period and version, distinct values, contributing events, and the returns inside a
// clawback window. Integer sums commute: the store does not depend on event order, batch split or
// thread count.
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>
#include <incentives/rules/credit.hpp>

namespace incentives {

namespace detail {

/// Exact sums for one beneficiary, period and rule version. Integer sums commute, which is what
/// makes results independent of order, batching and threads.
struct group_acc {
    int128 measure = 0;  ///< at the leaf's measure scale
    int128 payout = 0;   ///< per-event payouts (lookup tables, rounding at each event)
    int128 second = 0;   ///< the measure that picks the tier, when it is not the rule's (tiers.on)
    std::int64_t count = 0;
    std::int32_t last_day = INT32_MIN;
};

/// A (group key, dictionary code) pair: a distinct value seen, or a contributing event.
struct key_code {
    std::uint64_t key = 0;
    std::uint32_t code = 0;
    friend auto operator<=>(const key_code&, const key_code&) = default;
};

/// A leaf's accumulators: groups per version, plus (key, code) pairs for distinct counts and for
/// the contributing event ids. key = version * slots + slot.
struct leaf_acc {
    std::vector<std::vector<group_acc>> groups;
    std::vector<key_code> distinct;
    std::vector<key_code> ids;
};

/// A return inside a clawback window: reverses `num / den` of the sale's contribution.
struct clawback_record {
    std::uint32_t leaf = 0;
    std::uint64_t key = 0;
    int128 sale_measure = 0;
    std::int64_t num = 0, den = 1;
    std::int32_t day = 0;
    std::string return_id, sale_id;
};

/// Everything settling needs from the events: per leaf, its accumulators; and the clawback records.
struct measure_store {
    std::vector<leaf_acc> acc;                ///< per leaf of the compiled plan
    std::vector<clawback_record> clawbacks;   ///< in the order the returns were taken in (settle sorts)
};

}  // namespace detail

/// One accumulated measure, as data: rule, beneficiary, period and version, with the exact measure,
/// the number of contributing events and the date of the last one.
struct measure_row {
    std::string rule;
    rules::credit::to_t beneficiary_type = rules::credit::to_t::partner;
    std::string beneficiary;
    std::string period;       ///< label, e.g. "2027-Q1"
    date period_start;
    std::string version;      ///< effective-from date of the rule version, "" for the base
    decimal measure;          ///< exact (a distinct count for distinct measures)
    std::int64_t events = 0;
    date last_event;
    bool baseline = false;    ///< a period before the program: measured for growth, never paid
    friend bool operator==(const measure_row&, const measure_row&) = default;
};

}  // namespace incentives
