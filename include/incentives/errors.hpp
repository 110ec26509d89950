// The error hierarchy of incentives: every failure carries a stable code and says where it happened.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace incentives {

/// Root of every error the library raises. `code()` is stable, e.g. "incentives.calculation.overflow";
/// `what()` is "[code] message".
class error : public std::runtime_error {
public:
    error(std::string_view code, std::string_view message) : std::runtime_error(format(code, message)), code_(code) {}

    /// The stable identifier of this kind of failure.
    [[nodiscard]] const std::string& code() const noexcept { return code_; }

private:
    static std::string format(std::string_view code, std::string_view message) {
        std::string s;
        s.reserve(code.size() + message.size() + 3);
        s.append("[").append(code).append("] ").append(message);
        return s;
    }
    std::string code_;
};

/// A program definition that cannot be read: YAML syntax, schema, unknown keys (file:line:column).
class config_error : public error {
public:
    using error::error;
};

/// A program that cannot be right: overlapping tiers, a negative cap. Raised when the program is built.
class validation_error : public error {
public:
    using error::error;
};

/// Where a bad value is: in a text file (file, line, column: 1-based, 0 when not known), in a table
/// (row: 1-based data row, field: the column's name), or both (a CSV file).
struct location {
    std::string file;
    std::size_t line = 0;
    std::size_t column = 0;
    std::size_t row = 0;
    std::string field;
};

/// Bad input data: unknown partner, negative quantity, duplicate event id, unparsable number.
/// where() gives the location as fields; the message says it too.
class input_error : public error {
public:
    using error::error;
    input_error(std::string_view code, std::string_view message, location where)
        : error(code, message), where_(std::move(where)) {}

    [[nodiscard]] const location& where() const noexcept { return where_; }

private:
    location where_;
};

/// Arithmetic that cannot be carried out exactly: overflow, division by zero, rounding not allowed.
class calculation_error : public error {
public:
    using error::error;
};

/// Amounts in different currencies combined without an explicit exchange rate.
class currency_mismatch : public calculation_error {
public:
    using calculation_error::calculation_error;
};

}  // namespace incentives
