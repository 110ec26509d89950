// The one way events come in: columns. Every door (rows of incentives::event, CSV files, pandas and
// numpy columns, Arrow arrays) describes its data as event_columns — views over memory the door owns —
// and engine::encode checks them and builds the batch. Values may come as text, which intake parses
// (so the same bad value gets the same error whatever the door), or already typed: scaled integers
// with a declared scale, Arrow decimal128, days since 1970-01-01, decimals.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/detail/config.hpp>
#include <incentives/decimal.hpp>

namespace incentives {

/// Arrow's validity bitmap: bit (offset + row) set when the value is there; no bitmap: all there.
struct validity {
    const std::uint8_t* bits = nullptr;
    std::int64_t offset = 0;

    INCENTIVES_HOT_INLINE bool valid(std::size_t row) const noexcept {
        if (bits == nullptr) return true;
        const std::uint64_t i = static_cast<std::uint64_t>(offset) + row;
        return ((bits[i >> 3] >> (i & 7)) & 1) != 0;
    }
};

/// Text values: one string_view per row, or Arrow's utf8 / large_utf8 layout (offsets into bytes).
/// A missing value (absent column, null) reads as "".
class text_column {
public:
    text_column() = default;
    /// One view per row (the rows' memory stays with the caller).
    static text_column views(std::span<const std::string_view> values) {
        text_column c;
        c.form_ = form::views;
        c.views_ = values.data();
        c.size_ = values.size();
        return c;
    }
    /// Arrow utf8: value i is bytes[offsets[i] .. offsets[i + 1]) (the array's offset already applied
    /// to `offsets`).
    static text_column arrow(const char* bytes, const std::int32_t* offsets, std::size_t size, validity nulls = {}) {
        text_column c;
        c.form_ = form::offsets32;
        c.bytes_ = bytes;
        c.off32_ = offsets;
        c.size_ = size;
        c.nulls_ = nulls;
        return c;
    }
    /// Arrow large_utf8 (64-bit offsets).
    static text_column arrow(const char* bytes, const std::int64_t* offsets, std::size_t size, validity nulls = {}) {
        text_column c;
        c.form_ = form::offsets64;
        c.bytes_ = bytes;
        c.off64_ = offsets;
        c.size_ = size;
        c.nulls_ = nulls;
        return c;
    }

    [[nodiscard]] bool present() const noexcept { return form_ != form::absent; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    INCENTIVES_HOT_INLINE std::string_view operator[](std::size_t row) const noexcept {
        if (form_ == form::views) return views_[row];
        if (form_ == form::absent || !nulls_.valid(row)) return {};
        if (form_ == form::offsets32) {
            const std::int32_t begin = off32_[row];
            return {bytes_ + begin, static_cast<std::size_t>(off32_[row + 1] - begin)};
        }
        const std::int64_t begin = off64_[row];
        return {bytes_ + begin, static_cast<std::size_t>(off64_[row + 1] - begin)};
    }

private:
    enum class form : std::uint8_t { absent, views, offsets32, offsets64 };
    form form_ = form::absent;
    std::size_t size_ = 0;
    const std::string_view* views_ = nullptr;
    const char* bytes_ = nullptr;
    const std::int32_t* off32_ = nullptr;
    const std::int64_t* off64_ = nullptr;
    validity nulls_;
};

/// Exact numbers: text to parse, integers counting units of 10^-scale (int64, or Arrow decimal128's
/// 16-byte little-endian two's complement), or decimals. Never binary floating point.
class number_column {
public:
    number_column() = default;
    static number_column text(text_column values) {
        number_column c;
        c.form_ = form::text;
        c.text_ = values;
        return c;
    }
    /// Value i is units[i] x 10^-scale; the scale is declared, never guessed.
    static number_column units(std::span<const std::int64_t> values, int scale, validity nulls = {}) {
        number_column c;
        c.form_ = form::int64;
        c.i64_ = values.data();
        c.size_ = values.size();
        c.scale_ = scale;
        c.nulls_ = nulls;
        return c;
    }
    /// Arrow decimal128(precision, scale): `data` holds 16 bytes per value (the array's offset applied).
    static number_column decimal128(const void* data, std::size_t size, int scale, validity nulls = {}) {
        number_column c;
        c.form_ = form::dec128;
        c.raw_ = static_cast<const unsigned char*>(data);
        c.size_ = size;
        c.scale_ = scale;
        c.nulls_ = nulls;
        return c;
    }
    static number_column decimals(std::span<const decimal> values, validity nulls = {}) {
        number_column c;
        c.form_ = form::decimals;
        c.dec_ = values.data();
        c.size_ = values.size();
        c.nulls_ = nulls;
        return c;
    }

    [[nodiscard]] bool present() const noexcept { return form_ != form::absent && (form_ != form::text || text_.present()); }
    [[nodiscard]] bool is_text() const noexcept { return form_ == form::text; }
    [[nodiscard]] const text_column& text_values() const noexcept { return text_; }
    [[nodiscard]] std::size_t size() const noexcept { return form_ == form::text ? text_.size() : size_; }
    /// Whether row `row` has a value (text: a non-empty field).
    INCENTIVES_HOT_INLINE bool has(std::size_t row) const noexcept {
        switch (form_) {
            case form::absent: return false;
            case form::text: return !text_[row].empty();
            default: return nulls_.valid(row);
        }
    }
    /// The value of a typed (not text) row that has one.
    [[nodiscard]] decimal typed(std::size_t row) const {
        switch (form_) {
            case form::int64: return decimal::from_units(i64_[row], scale_);
            case form::dec128: return decimal::from_units(decimal128_units(row), scale_);
            case form::decimals: return dec_[row];
            default: return decimal();
        }
    }
    /// For int64 columns: the raw units and scale (the fast path of intake).
    [[nodiscard]] const std::int64_t* int64_units() const noexcept { return form_ == form::int64 ? i64_ : nullptr; }
    /// For decimal128 columns: whether they are, and one row's units (intake's other fast path).
    [[nodiscard]] bool is_decimal128() const noexcept { return form_ == form::dec128; }
    [[nodiscard]] INCENTIVES_HOT_INLINE int128 decimal128_units(std::size_t row) const noexcept {
        std::uint64_t lo = 0, hi = 0;  // little-endian words, as Arrow stores them
        std::memcpy(&lo, raw_ + 16 * row, 8);
        std::memcpy(&hi, raw_ + 16 * row + 8, 8);
        return static_cast<int128>((static_cast<uint128>(hi) << 64) | lo);
    }
    [[nodiscard]] int scale() const noexcept { return scale_; }

private:
    enum class form : std::uint8_t { absent, text, int64, dec128, decimals };
    form form_ = form::absent;
    std::size_t size_ = 0;
    int scale_ = 0;
    text_column text_;
    const std::int64_t* i64_ = nullptr;
    const unsigned char* raw_ = nullptr;
    const decimal* dec_ = nullptr;
    validity nulls_;
};

/// Dates: "YYYY-MM-DD" text, Arrow date32 (days since 1970-01-01), or dates.
class date_column {
public:
    date_column() = default;
    static date_column text(text_column values) {
        date_column c;
        c.form_ = form::text;
        c.text_ = values;
        return c;
    }
    static date_column days(std::span<const std::int32_t> values, validity nulls = {}) {
        date_column c;
        c.form_ = form::days;
        c.days_ = values.data();
        c.size_ = values.size();
        c.nulls_ = nulls;
        return c;
    }
    static date_column dates(std::span<const date> values) {
        date_column c;
        c.form_ = form::dates;
        c.dates_ = values.data();
        c.size_ = values.size();
        return c;
    }

    [[nodiscard]] bool present() const noexcept { return form_ != form::absent && (form_ != form::text || text_.present()); }
    [[nodiscard]] bool is_text() const noexcept { return form_ == form::text; }
    [[nodiscard]] const text_column& text_values() const noexcept { return text_; }
    [[nodiscard]] std::size_t size() const noexcept { return form_ == form::text ? text_.size() : size_; }
    INCENTIVES_HOT_INLINE bool has(std::size_t row) const noexcept {
        switch (form_) {
            case form::absent: return false;
            case form::text: return !text_[row].empty();
            case form::days: return nulls_.valid(row);
            case form::dates: return true;
        }
        return false;
    }
    /// Days since 1970-01-01 of a typed row that has one.
    [[nodiscard]] std::int32_t typed_days(std::size_t row) const noexcept {
        return form_ == form::days ? days_[row] : dates_[row].days();
    }

private:
    enum class form : std::uint8_t { absent, text, days, dates };
    form form_ = form::absent;
    std::size_t size_ = 0;
    text_column text_;
    const std::int32_t* days_ = nullptr;
    const date* dates_ = nullptr;
    validity nulls_;
};

/// Who shares an event's credit: text in the CSV syntax ("U1:0.6;U2:0.4", "U1:1/3;U2:2/3",
/// "U1:2;U2:1", "U1"), or lists: row r's people are who[begin[r] .. begin[r + 1]) with their shares
/// (a share left out, as an absent column, is 1).
struct credit_column {
    text_column text;
    std::span<const std::uint32_t> begin;  ///< rows + 1 offsets, for the list form
    text_column who;
    number_column share;

    [[nodiscard]] bool present() const noexcept { return text.present() || !begin.empty(); }
};

/// Where each column's values sit in a text file (1-based column numbers; 0: not from a file).
struct column_numbers {
    std::uint32_t id = 0, kind = 0, date = 0, partner = 0, participants = 0, sku = 0, category = 0, quantity = 0,
                  amount = 0, currency = 0, reference = 0;
};

/// A table of events as columns. Columns the table does not have stay absent: their values are
/// missing (and intake says so where a value is required).
struct event_columns {
    std::size_t rows = 0;
    text_column id, kind, partner, sku, category, currency, reference;
    date_column on;
    number_column quantity, amount;
    credit_column participants;
    /// Attributes by name (attr.<name> in CSV); an empty value is an absent attribute.
    std::vector<std::pair<std::string, text_column>> attrs;

    // Where the rows are, for messages and for the fields of input_error's location.
    std::string_view file;                 ///< the file the rows were read from ("" for tables)
    std::span<const std::uint64_t> lines;  ///< the line of the file each row starts on (text doors)
    std::uint64_t first_row = 1;           ///< the number of row 0 in the caller's table or file
    std::span<const std::uint64_t> row_numbers;  ///< each row's number, when they are not consecutive
    column_numbers columns;                ///< column numbers in the file
    std::vector<std::uint32_t> attr_columns;  ///< the column number of each of attrs in the file
};

}  // namespace incentives
