// The registry of event ids: every id an engine has taken in, so that no event is paid twice, and the
// sale record behind each id, for returns. A flat open-addressing table of 64-bit id hashes: one
// probe per event and no allocation per event. The text of every id is kept once, in an arena, to
// tell apart two ids that share a hash and to name events in messages and traces.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <incentives/errors.hpp>

namespace incentives::detail {

/// The 64-bit hash of an event id (the standard library's string hash with a final mix, so that its
/// low bits, which pick the slot, depend on every byte).
[[nodiscard]] inline std::uint64_t id_hash(std::string_view id) noexcept {
    std::uint64_t h = std::hash<std::string_view>{}(id);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/// Numbers (0, 1, 2, ...) of distinct ids by their hash. A slot is 8 bytes: the hash's upper 32
/// bits (which also pick the slot, so the table grows without rehashing any id) and the number. The
/// caller says what text a number stands for, which settles ids whose upper bits agree.
class id_index {
public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;

    /// Room for `n` numbers without growing.
    void reserve(std::size_t n) {
        std::size_t want = 16;
        while (want * 5 < n * 8) want *= 2;  // load factor at most 5/8
        if (want > slots_.size()) rebuild(want);
    }
    /// Starts a fetch of the slot of `h` into the cache (bulk probes overlap their memory latency).
    void prefetch(std::uint64_t h) const noexcept {
        if (!slots_.empty()) __builtin_prefetch(&slots_[tag(h) & mask_]);
    }
    /// The number of the id with hash `h` and text `id`, or npos; text_of(number) gives a number's text.
    template <class TextOf>
    [[nodiscard]] std::uint32_t find(std::uint64_t h, std::string_view id, const TextOf& text_of) const {
        if (slots_.empty()) return npos;
        const std::uint32_t t = tag(h);
        for (std::size_t s = t & mask_;; s = (s + 1) & mask_) {
            const slot& x = slots_[s];
            if (x.number == npos) return npos;
            if (x.tag == t && text_of(x.number) == id) return x.number;
        }
    }
    /// Adds a number for hash `h` (the caller has checked that its id is new).
    void insert(std::uint64_t h, std::uint32_t number) {
        if ((count_ + 1) * 8 > slots_.size() * 5) rebuild(std::max<std::size_t>(16, slots_.size() * 2));
        std::size_t s = tag(h) & mask_;
        while (slots_[s].number != npos) s = (s + 1) & mask_;
        slots_[s] = {tag(h), number};
        ++count_;
    }
    [[nodiscard]] std::size_t size() const noexcept { return count_; }

private:
    struct slot {
        std::uint32_t tag = 0;
        std::uint32_t number = npos;
    };
    static std::uint32_t tag(std::uint64_t h) noexcept { return static_cast<std::uint32_t>(h >> 32); }
    void rebuild(std::size_t capacity) {
        if (capacity > (std::size_t{1} << 32))
            throw calculation_error("incentives.calculation.capacity", "an id table holds at most 2,684,354,560 ids (2^32 slots at most 5/8 full)");
        std::vector<slot> old(capacity);
        old.swap(slots_);
        mask_ = capacity - 1;
        for (const slot& x : old) {
            if (x.number == npos) continue;
            std::size_t s = x.tag & mask_;
            while (slots_[s].number != npos) s = (s + 1) & mask_;
            slots_[s] = x;
        }
    }
    std::vector<slot> slots_;
    std::size_t mask_ = 0;
    std::size_t count_ = 0;
};

inline constexpr std::uint32_t no_sale = 0xFFFFFFFFu;

/// Every id taken in, in order, with the sale record of each (no_sale for other events).
class id_registry {
public:
    static constexpr std::uint32_t npos = id_index::npos;

    void reserve(std::size_t more) {
        index_.reserve(size() + more);
        if (sale_.size() + more > sale_.capacity()) {
            std::size_t cap = std::max(sale_.size() + more, 2 * sale_.size());
            sale_.reserve(cap);
            end_.reserve(cap);
        }
    }
    void prefetch(std::uint64_t h) const noexcept { index_.prefetch(h); }
    /// The number of an id, or npos.
    [[nodiscard]] std::uint32_t find(std::uint64_t h, std::string_view id) const {
        return index_.find(h, id, [this](std::uint32_t k) { return text(k); });
    }
    [[nodiscard]] std::uint32_t find(std::string_view id) const { return find(id_hash(id), id); }
    /// Adds a new id (the caller has checked that it is new) and returns its number.
    std::uint32_t add(std::uint64_t h, std::string_view id, std::uint32_t sale) {
        if (size() >= npos - 1)
            throw calculation_error("incentives.calculation.capacity", "an engine takes at most 4,294,967,294 events");
        auto number = static_cast<std::uint32_t>(size());
        index_.insert(h, number);
        text_.append(id);
        end_.push_back(text_.size());
        sale_.push_back(sale);
        return number;
    }
    [[nodiscard]] std::string_view text(std::uint32_t number) const noexcept {
        std::size_t begin = number ? end_[number - 1] : 0;
        return std::string_view(text_).substr(begin, end_[number] - begin);
    }
    [[nodiscard]] std::uint32_t sale(std::uint32_t number) const noexcept { return sale_[number]; }
    [[nodiscard]] std::size_t size() const noexcept { return sale_.size(); }

private:
    id_index index_;
    std::string text_;               // every id, one after the other
    std::vector<std::uint64_t> end_;  // end of each id in text_
    std::vector<std::uint32_t> sale_;
};

/// Identifies one state of an engine's id registry: a fresh value on every change and every copy,
/// so that a batch encoded against this very state can skip the duplicate check in add().
class registry_stamp {
public:
    registry_stamp() noexcept : value_(next()) {}
    registry_stamp(const registry_stamp&) noexcept : value_(next()) {}
    registry_stamp& operator=(const registry_stamp&) noexcept {
        value_ = next();
        return *this;
    }
    void renew() noexcept { value_ = next(); }
    [[nodiscard]] std::uint64_t value() const noexcept { return value_; }

private:
    static std::uint64_t next() noexcept {
        static std::atomic<std::uint64_t> counter{1};
        return counter.fetch_add(1, std::memory_order_relaxed);
    }
    std::uint64_t value_;
};

}  // namespace incentives::detail
