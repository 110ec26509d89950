// The engine's internal state: compiled leaf rules, their accumulators, the registry of events
// taken in and sales (for duplicates and clawbacks), and its byte serialisation for snapshots.
#pragma once

#include <climits>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>
#include <incentives/engine/dictionary.hpp>
#include <incentives/engine/id_registry.hpp>
#include <incentives/engine/selection.hpp>
#include <incentives/rules/measure.hpp>
#include <incentives/rules/selection.hpp>

namespace incentives::detail {

/// Exact sums for one beneficiary, period and rule version. Integer sums commute, which is what
/// makes results independent of order, batching and threads.
struct group_acc {
    int128 measure = 0;  ///< at the leaf's measure scale
    int128 payout = 0;   ///< per-event payouts (lookup tables, rounding at each event)
    int128 second = 0;   ///< the measure that picks the tier, when it is not the rule's (tiers.on)
    std::int64_t count = 0;
    std::int32_t last_day = INT32_MIN;
};

/// A leaf rule compiled for the engine (a top-level rule or a child of a combinator).
struct leaf {
    std::size_t top = 0;  ///< index of the top-level rule in the program
    int child = -1;       ///< index among the top-level rule's children, or -1
    rules::selector select;  ///< effective selection: own, parent's, the implied kind, first_of exclusions
    period_unit unit = period_unit::quarter;
    std::int32_t period_lo = 0;      ///< first period accumulated (baselines included)
    std::int32_t program_lo = 0;     ///< first period that pays
    std::int32_t period_hi = 0;      ///< last period
    std::size_t periods = 0;         ///< period_hi - period_lo + 1
    std::int32_t first_day = 0;      ///< program dates: events outside them count only for baselines
    std::int32_t last_day = 0;
    std::size_t beneficiaries = 0;
    int base_scale = 0;              ///< scale of the measured column
    int measure_scale = 0;           ///< base_scale + share scale (or 0 for distinct counts)
    int payout_scale = 0;            ///< scale of group_acc::payout
    int rate_scale = 0;              ///< scale of lookup rates
    bool second = false;             ///< group_acc::second is kept (tiers.on measures another kind)
    rules::measure::kind_t second_kind = rules::measure::kind_t::amount;
    int second_scale = 0;            ///< its scale
    bool event_rounding = false;
    bool lookup = false;             ///< some version pays by a lookup table
    std::vector<std::uint8_t> lookup_version;  ///< per version: pays by a lookup table
    bool distinct = false;
    bool clawback = false;
    std::vector<date> version_from;  ///< version k applies from version_from[k]; k = 0 is the base
    std::vector<std::uint8_t> role_ok;  ///< per participant: may earn (credit by role)

    [[nodiscard]] std::size_t slots() const noexcept { return periods * beneficiaries; }
    [[nodiscard]] std::size_t version_of(std::int32_t day) const noexcept {
        std::size_t v = 0;
        while (v + 1 < version_from.size() && version_from[v + 1].days() <= day) ++v;
        return v;
    }
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

/// A sale, kept for the returns that may follow it (24 bytes: one per sale taken in).
struct sale_record {
    std::uint32_t event = 0;  ///< the sale's number in the id registry
    std::int32_t day = 0;
    std::int64_t amount = 0, quantity = 0;
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

/// A return inside a clawback window: reverses `num / den` of the sale's contribution.
struct clawback_record {
    std::uint32_t leaf = 0;
    std::uint64_t key = 0;
    int128 sale_measure = 0;
    std::int64_t num = 0, den = 1;
    std::int32_t day = 0;
    std::string return_id, sale_id;
};

struct engine_state {
    event_dictionaries dicts;
    id_registry ids;          ///< every event id taken in, with its sale record
    registry_stamp stamp;     ///< renewed whenever `ids` changes
    std::vector<sale_record> sales;
    std::unordered_map<std::uint32_t, returned_part> returned;  ///< by sale record
    std::unordered_map<std::uint32_t, std::vector<contribution>> contributions;  ///< by sale record
    std::vector<clawback_record> clawbacks;
    std::vector<leaf_acc> acc;  ///< per leaf
    std::vector<std::string> event_ids;  ///< retained ids (when asked)
    std::map<std::string, std::vector<std::int64_t>, std::less<>> numeric;  ///< numeric attribute values by code, scale 6
    std::uint64_t events = 0, duplicates_ignored = 0, outside = 0;
};

inline constexpr int attribute_scale = 6;

/// Byte writer and reader for snapshots (little-endian, length-prefixed strings).
class bytes_out {
public:
    template <class T>
    void pod(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        out_.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void str(std::string_view s) {
        pod<std::uint64_t>(s.size());
        out_.append(s);
    }
    template <class T>
    void pods(const std::vector<T>& v) {
        pod<std::uint64_t>(v.size());
        if (!v.empty()) out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    }
    [[nodiscard]] std::string take() { return std::move(out_); }

private:
    std::string out_;
};

class bytes_in {
public:
    explicit bytes_in(std::string_view in) : in_(in) {}
    template <class T>
    T pod() {
        T v;
        need(sizeof v);
        std::memcpy(&v, in_.data() + pos_, sizeof v);
        pos_ += sizeof v;
        return v;
    }
    std::string str() {
        auto n = pod<std::uint64_t>();
        need(n);
        std::string s(in_.substr(pos_, n));
        pos_ += n;
        return s;
    }
    template <class T>
    std::vector<T> pods() {
        auto n = pod<std::uint64_t>();
        if (n > in_.size() / sizeof(T) + 1) corrupt();
        need(n * sizeof(T));
        std::vector<T> v(n);
        if (n) std::memcpy(v.data(), in_.data() + pos_, n * sizeof(T));
        pos_ += n * sizeof(T);
        return v;
    }
    [[nodiscard]] bool done() const noexcept { return pos_ == in_.size(); }
    [[noreturn]] static void corrupt() {
        throw input_error("incentives.input.snapshot", "the snapshot is truncated or corrupt");
    }

private:
    void need(std::size_t n) const {
        if (n > in_.size() - pos_) corrupt();
    }
    std::string_view in_;
    std::size_t pos_ = 0;
};

}  // namespace incentives::detail
