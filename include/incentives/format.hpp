// Formatting with {fmt}: fmt::format("{}", x) for decimal, currency and money. Kept out of the core
// headers (and so out of the umbrella header) because <fmt/format.h> costs more to parse than the
// rest of a translation unit; include this header where you format with fmt.
#pragma once

#include <string_view>

#include <fmt/format.h>

#include <incentives/currency.hpp>
#include <incentives/decimal.hpp>
#include <incentives/money.hpp>

template <>
struct fmt::formatter<incentives::decimal> : fmt::formatter<std::string_view> {
    auto format(const incentives::decimal& d, fmt::format_context& ctx) const {
        char buf[incentives::detail::decimal_text_capacity];  // the text on the stack, no std::string
        return fmt::formatter<std::string_view>::format(incentives::detail::decimal_text(d.units(), d.scale(), buf), ctx);
    }
};

template <>
struct fmt::formatter<incentives::currency> : fmt::formatter<std::string_view> {
    auto format(const incentives::currency& c, fmt::format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(c.code(), ctx);
    }
};

template <>
struct fmt::formatter<incentives::money> : fmt::formatter<std::string_view> {
    auto format(const incentives::money& m, fmt::format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(m.to_string(), ctx);
    }
};
