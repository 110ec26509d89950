// Rounding modes: the only way a value loses digits in incentives, always named explicitly.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <incentives/errors.hpp>

namespace incentives {

/// How a value is rounded when digits are dropped; the semantics of Python's decimal ROUND_* and
/// Java's RoundingMode.
enum class rounding_mode : unsigned char {
    half_even,    ///< ties to the even neighbour (banker's rounding)
    half_up,      ///< ties away from zero
    half_down,    ///< ties toward zero
    up,           ///< away from zero
    down,         ///< toward zero (truncation)
    ceiling,      ///< toward positive infinity
    floor,        ///< toward negative infinity
    unnecessary,  ///< rounding is an error: the value must already fit
};

inline constexpr std::array<std::string_view, 8> rounding_mode_names{
    "half_even", "half_up", "half_down", "up", "down", "ceiling", "floor", "unnecessary"};

/// The name of a mode as written in programs and in Python ("half_even", ...).
[[nodiscard]] constexpr std::string_view to_string(rounding_mode mode) noexcept {
    return rounding_mode_names[static_cast<std::size_t>(mode)];
}

/// Parses a mode name; throws input_error listing the valid names otherwise.
[[nodiscard]] inline rounding_mode parse_rounding_mode(std::string_view name) {
    for (std::size_t i = 0; i < rounding_mode_names.size(); ++i)
        if (rounding_mode_names[i] == name) return static_cast<rounding_mode>(i);
    std::string message = "unknown rounding mode \"";
    message.append(name).append("\": expected one of ");
    for (std::size_t i = 0; i < rounding_mode_names.size(); ++i)
        message.append(i ? ", " : "").append(rounding_mode_names[i]);
    throw input_error("incentives.input.rounding_mode", message);
}

namespace detail {

/// Decides whether a truncated quotient moves one step away from zero.
/// `negative` is the sign of the exact value, `odd` whether the truncated magnitude is odd,
/// `cmp_half` is <0, 0, >0 as the dropped fraction is below, at, or above one half,
/// `inexact` whether anything non-zero was dropped at all.
[[nodiscard]] constexpr bool round_away(rounding_mode mode, bool negative, bool odd, int cmp_half,
                                        bool inexact) noexcept {
    if (!inexact) return false;
    switch (mode) {
        case rounding_mode::half_even: return cmp_half > 0 || (cmp_half == 0 && odd);
        case rounding_mode::half_up: return cmp_half >= 0;
        case rounding_mode::half_down: return cmp_half > 0;
        case rounding_mode::up: return true;
        case rounding_mode::down: return false;
        case rounding_mode::ceiling: return !negative;
        case rounding_mode::floor: return negative;
        case rounding_mode::unnecessary: return false;
    }
    return false;
}

}  // namespace detail
}  // namespace incentives
