// incentives::money: an exact decimal amount in one ISO 4217 currency.
#pragma once

#include <compare>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>


#include <incentives/allocation.hpp>
#include <incentives/currency.hpp>
#include <incentives/decimal.hpp>

namespace incentives {

/// An amount of money. Amounts in different currencies never combine: that is a currency_mismatch.
class money {
public:
    /// `amount` in `currency`, exactly as given (no rounding to minor units).
    money(decimal amount, currency cur) noexcept : amount_(amount), currency_(cur) {}
    /// Parses the amount exactly: money("100.00", "EUR").
    money(std::string_view amount, std::string_view code) : money(parse_first(amount, code)) {}

    /// Zero in `cur`, at its minor units.
    [[nodiscard]] static money zero(currency cur) { return money(decimal::from_units(0, cur.minor_units()), cur); }

    [[nodiscard]] const decimal& amount() const noexcept { return amount_; }
    [[nodiscard]] currency currency_of() const noexcept { return currency_; }

    /// The amount rounded to the currency's minor unit (2 places for EUR, 0 for JPY).
    [[nodiscard]] money round_to_minor(rounding_mode mode) const {
        return money(amount_.rescale(currency_.minor_units(), mode), currency_);
    }

    /// Splits into parts proportional to `weights` that add up exactly to this amount, in minor
    /// units (or finer, if the amount already is): largest remainder, ties to the earlier weight.
    [[nodiscard]] std::vector<money> allocate(std::span<const decimal> weights) const {
        std::vector<money> out;
        for (const decimal& d : incentives::allocate(amount_, weights, currency_.minor_units())) out.emplace_back(d, currency_);
        return out;
    }
    /// allocate() with integer weights.
    [[nodiscard]] std::vector<money> allocate(std::initializer_list<long long> weights) const {
        std::vector<decimal> w;
        for (long long x : weights) w.emplace_back(x);
        return allocate(w);
    }
    /// n equal parts (the first ones get the extra minor units).
    [[nodiscard]] std::vector<money> split(std::size_t n) const {
        return allocate(std::vector<decimal>(n, decimal(1)));
    }

    friend money operator+(const money& a, const money& b) { return money(a.amount_ + b.amount_, same(a, b, "+")); }
    friend money operator-(const money& a, const money& b) { return money(a.amount_ - b.amount_, same(a, b, "-")); }
    friend money operator-(const money& a) { return money(-a.amount_, a.currency_); }
    /// Scaling by an exact factor (a rate, a quantity) keeps the currency; the result is exact.
    friend money operator*(const money& a, const decimal& k) { return money(a.amount_ * k, a.currency_); }
    friend money operator*(const decimal& k, const money& a) { return a * k; }
    /// Money times money has no meaning.
    friend money operator*(const money&, const money&) = delete;
    money& operator+=(const money& o) { return *this = *this + o; }
    money& operator-=(const money& o) { return *this = *this - o; }

    /// Same currency and same value (1.0 EUR == 1.00 EUR; EUR and USD are never equal).
    friend bool operator==(const money& a, const money& b) noexcept {
        return a.currency_ == b.currency_ && a.amount_ == b.amount_;
    }
    /// Ordering only within one currency; throws currency_mismatch across currencies.
    friend std::strong_ordering operator<=>(const money& a, const money& b) {
        same(a, b, "with");
        return a.amount_ <=> b.amount_;
    }

    /// "12.50 EUR".
    [[nodiscard]] std::string to_string() const { return amount_.to_string() + " " + std::string(currency_.code()); }

private:
    // The amount is checked before the currency, whatever the compiler's argument order.
    static money parse_first(std::string_view amount, std::string_view code) {
        decimal d = decimal::parse(amount);
        return money(d, currency::of(code));
    }
    static currency same(const money& a, const money& b, std::string_view op) {
        if (!(a.currency_ == b.currency_))
            throw currency_mismatch("incentives.calculation.currency_mismatch",
                                    (op == "with" ? "cannot compare " : "cannot combine ") + a.to_string() + " " +
                                        std::string(op) + " " + b.to_string() +
                                        ": amounts in different currencies need an explicit exchange rate");
        return a.currency_;
    }

    decimal amount_;
    currency currency_;
};

/// A compile-time currency code, for money_in<"EUR">.
template <std::size_t N>
struct currency_code {
    constexpr currency_code(const char (&s)[N]) noexcept {  // NOLINT: implicit by design
        for (std::size_t i = 0; i < N; ++i) text[i] = s[i];
    }
    char text[N]{};
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {text, N - 1}; }
};

/// Money whose currency is part of its type: money_in<"EUR"> + money_in<"USD"> does not compile.
template <currency_code Code>
class money_in {
public:
    explicit money_in(decimal amount) noexcept : amount_(amount) {}
    explicit money_in(std::string_view amount) : amount_(decimal::parse(amount)) {}

    [[nodiscard]] const decimal& amount() const noexcept { return amount_; }
    [[nodiscard]] static currency currency_of() { return currency::of(Code.view()); }
    /// The run-time form.
    [[nodiscard]] operator money() const { return money(amount_, currency_of()); }  // NOLINT

    friend money_in operator+(const money_in& a, const money_in& b) { return money_in(a.amount_ + b.amount_); }
    friend money_in operator-(const money_in& a, const money_in& b) { return money_in(a.amount_ - b.amount_); }
    friend money_in operator*(const money_in& a, const decimal& k) { return money_in(a.amount_ * k); }
    friend bool operator==(const money_in& a, const money_in& b) noexcept { return a.amount_ == b.amount_; }
    friend auto operator<=>(const money_in& a, const money_in& b) noexcept { return a.amount_ <=> b.amount_; }

private:
    decimal amount_;
};

}  // namespace incentives

