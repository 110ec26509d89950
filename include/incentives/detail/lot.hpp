// Seeded lots: a reproducible random number per (seed, stream, item, round), from Random123's Philox
// 4x32-10 (counter-based: the draw depends only on those four, never on order, threads or machine).
#pragma once

#include <cstdint>
#include <string_view>

#include <Random123/philox.h>

#include <incentives/engine/id_registry.hpp>

namespace incentives::detail {

/// A 64-bit draw for `item` (an id) in `stream` (a contest's id) and `round`, keyed by `seed`.
[[nodiscard]] inline std::uint64_t lot(std::uint64_t seed, std::string_view stream, std::string_view item, std::uint32_t round) {
    const std::uint64_t s = id_hash(stream), i = id_hash(item);
    r123::Philox4x32 rng;
    const r123::Philox4x32::ctr_type ctr{{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i >> 32),
                                          static_cast<std::uint32_t>(s) ^ static_cast<std::uint32_t>(s >> 32), round}};
    const r123::Philox4x32::key_type key{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    const auto r = rng(ctr, key);
    return (static_cast<std::uint64_t>(r[0]) << 32) | r[1];
}

}  // namespace incentives::detail
