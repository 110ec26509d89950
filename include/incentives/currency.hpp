// ISO 4217 currencies with their minor units (JPY 0, EUR 2, KWD 3, ...).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>


#include <incentives/detail/iso4217.hpp>
#include <incentives/detail/suggest.hpp>
#include <incentives/errors.hpp>

namespace incentives {

/// A currency of the ISO 4217 table; cheap to copy, compared by identity.
class currency {
public:
    /// The currency with this alphabetic code; throws input_error for an unknown code.
    [[nodiscard]] static currency of(std::string_view code) {
        const auto& table = detail::iso4217_table;
        auto it = std::lower_bound(std::begin(table), std::end(table), code,
                                   [](const detail::currency_info& c, std::string_view k) { return c.code < k; });
        if (it == std::end(table) || it->code != code) {
            std::string known[std::size(detail::iso4217_table)];
            for (std::size_t i = 0; i < std::size(table); ++i) known[i] = std::string(table[i].code);
            throw input_error("incentives.input.unknown_currency",
                              "unknown currency \"" + std::string(code) +
                                  "\": expected an active ISO 4217 code such as EUR, USD or JPY" +
                                  detail::did_you_mean(code, known));
        }
        return currency(&*it);
    }

    /// Every active ISO 4217 currency, sorted by code.
    [[nodiscard]] static std::span<const detail::currency_info> all() noexcept { return detail::iso4217_table; }

    /// Alphabetic code, e.g. "EUR".
    [[nodiscard]] std::string_view code() const noexcept { return info_->code; }
    /// ISO numeric code, e.g. 978.
    [[nodiscard]] int numeric() const noexcept { return info_->numeric; }
    /// Digits of the minor unit: 2 for EUR, 0 for JPY, 3 for KWD.
    [[nodiscard]] int minor_units() const noexcept { return info_->minor_units; }
    /// English name, e.g. "Euro".
    [[nodiscard]] std::string_view name() const noexcept { return info_->name; }

    friend bool operator==(const currency& a, const currency& b) noexcept { return a.info_ == b.info_; }

private:
    explicit currency(const detail::currency_info* info) noexcept : info_(info) {}
    const detail::currency_info* info_;
};

}  // namespace incentives

