// The registry of event ids: every id an engine has taken in, so that no event is paid twice, and the
// sale record behind each id, for returns. A flat open-addressing table of 64-bit id hashes: one
// probe per event and no allocation per event. The text of every id is kept once, in an arena, to
// tell apart two ids that share a hash and to name events in messages and traces.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <incentives/decimal.hpp>
#include <incentives/detail/config.hpp>
#include <incentives/detail/huge_pages.hpp>
#include <incentives/errors.hpp>

namespace incentives::detail {

namespace hashing {
/// The 128-bit product of a and b, folded to 64 bits (wyhash's "mum" step: every input bit reaches
/// the middle bits of the product, which the fold brings to both halves).
[[nodiscard]] INCENTIVES_HOT_INLINE std::uint64_t fold(std::uint64_t a, std::uint64_t b) noexcept {
    const uint128 p = static_cast<uint128>(a) * b;
    return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
}
[[nodiscard]] INCENTIVES_HOT_INLINE std::uint64_t load8(const char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
[[nodiscard]] INCENTIVES_HOT_INLINE std::uint64_t load4(const char* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
inline constexpr std::uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL, k2 = 0x8ebc6af09c88c6e3ULL;
}  // namespace hashing

/// The 64-bit hash of an event id or a catalog key, in the manner of wyhash: ids are short (most are
/// 5-20 bytes), so they are read as two overlapping words and mixed with two multiplications, inline,
/// instead of a call to the standard library's byte loop. The hash only places ids in tables kept in
/// memory (a snapshot stores the ids, not their hashes), so it need not be stable across versions; its
/// upper 32 bits pick the slot, and depend on every byte and on the length.
[[nodiscard]] INCENTIVES_HOT_INLINE std::uint64_t id_hash(std::string_view id) noexcept {
    using namespace hashing;
    const char* p = id.data();
    std::size_t n = id.size();
    std::uint64_t seed = k0 ^ fold(n ^ k1, k2);
    for (; n > 16; n -= 16, p += 16) seed = fold(load8(p) ^ k1, load8(p + 8) ^ seed);
    std::uint64_t a = 0, b = 0;
    if (n >= 8) {
        a = load8(p);
        b = load8(p + n - 8);
    } else if (n >= 4) {
        a = load4(p);
        b = load4(p + n - 4);
    } else if (n > 0) {
        a = (std::uint64_t{static_cast<unsigned char>(p[0])} << 16) | (std::uint64_t{static_cast<unsigned char>(p[n >> 1])} << 8) |
            static_cast<unsigned char>(p[n - 1]);
    }
    return fold(fold(a ^ k1, b ^ seed) ^ k2, id.size() ^ k1);
}

/// Whether two ids are the same text: the usual case (short ids, equal or differing in length) without
/// a call to memcmp, as two overlapping word compares.
[[nodiscard]] INCENTIVES_HOT_INLINE bool same_id(std::string_view a, std::string_view b) noexcept {
    using namespace hashing;
    const std::size_t n = a.size();
    if (n != b.size()) return false;
    if (n > 16 || n == 0) return a == b;
    if (n >= 8) return load8(a.data()) == load8(b.data()) && load8(a.data() + n - 8) == load8(b.data() + n - 8);
    if (n >= 4) return load4(a.data()) == load4(b.data()) && load4(a.data() + n - 4) == load4(b.data() + n - 4);
    return a == b;
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
    [[nodiscard]] INCENTIVES_HOT_INLINE std::uint32_t find(std::uint64_t h, std::string_view id, const TextOf& text_of) const {
        if (slots_.empty()) return npos;
        const std::uint32_t t = tag(h);
        for (std::size_t s = t & mask_;; s = (s + 1) & mask_) {
            const slot& x = slots_[s];
            if (x.number == npos) return npos;
            if (x.tag == t && same_id(text_of(x.number), id)) return x.number;
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
        slot_vector old(capacity);
        old.swap(slots_);
        mask_ = capacity - 1;
        for (const slot& x : old) {
            if (x.number == npos) continue;
            std::size_t s = x.tag & mask_;
            while (slots_[s].number != npos) s = (s + 1) & mask_;
            slots_[s] = x;
        }
    }
    using slot_vector = std::vector<slot, huge_page_allocator<slot>>;
    slot_vector slots_;
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
    std::vector<std::uint64_t, huge_page_allocator<std::uint64_t>> end_;  // end of each id in text_
    std::vector<std::uint32_t, huge_page_allocator<std::uint32_t>> sale_;
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
