// Columns of Python tables read in C++, value by value, without a Python object per row: a column is a
// list, a tuple or a 1-d numpy array of objects, integers or datetime64 values (incentives/_tables.py
// brings DataFrames, dicts of columns and lists of dicts to that form).
//
// Values are exact: numbers are str, int, decimal.Decimal or incentives.Decimal — an int is a whole
// number, or a count of 10**-scale units when the caller states a scale — and a float is a TypeError
// that says what to pass. Missing values (None, NaN, pandas NA / NaT, "") are empty fields, as in the
// CSV files. Bad values are input_errors placed as the engine places them: "row 3 (event \"S3\"),
// field amount: ..." for events, "partners row 3, field id: ..." for reference data.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>
#include <incentives/engine/event_columns.hpp>
#include <incentives/model.hpp>

#include <pybind11/numpy.h>

#include "casters.hpp"

namespace incentives::python {

/// Where a value is, for messages.
struct place {
    std::string_view table;  ///< "events" or a reference table
    std::size_t row = 0;     ///< 1-based, in the caller's table
    std::string_view event_id;

    /// "row 3 (event \"S3\"), field amount: " (the engine's wording) or "partners row 3, field id: ".
    [[nodiscard]] std::string at(std::string_view field) const;
    /// The place as input_error's location fields.
    [[nodiscard]] location where(std::string_view field) const;
};

/// An input_error with code incentives.input.<code> at a place.
[[noreturn]] void fail(std::string_view code, const place& p, std::string_view field, const std::string& message);

/// What a field holds: decides the conversion and the hint a type error gives.
enum class role { text, date, amount, quantity, number, participants };

/// How the caller asks numbers to be read.
struct number_options {
    std::optional<int> amount_scale;    ///< ints in amount columns are units of 10**-scale
    std::optional<int> quantity_scale;  ///< ints in quantity columns are units of 10**-scale
    int hint_scale = 2;                 ///< the program's amount places, for the messages
};

/// One column of a table, read by row index without copying it.
class column {
public:
    enum class form { absent, objects, integers, days };

    column() = default;  ///< absent: every value is missing
    /// `values`: None, a list, a tuple or a 1-d numpy array; a TypeError for anything else.
    column(std::string table, std::string name, py::handle values);

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] form kind() const noexcept { return form_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool given() const noexcept { return form_ != form::absent || size_ > 0; }
    /// The Python object the column reads (None when absent), to keep alive.
    [[nodiscard]] py::object kept() const { return keep_ ? keep_ : py::none(); }

    [[nodiscard]] PyObject* object(std::size_t i) const {
        if (items_ != nullptr) return items_[i];
        return *reinterpret_cast<PyObject* const*>(data_ + static_cast<std::ptrdiff_t>(i) * stride_);
    }
    /// An integer, or days since 1970-01-01 (INT64_MIN: NaT).
    [[nodiscard]] std::int64_t integer(std::size_t i) const {
        return *reinterpret_cast<const std::int64_t*>(data_ + static_cast<std::ptrdiff_t>(i) * stride_);
    }

    /// A float column that is not entirely missing cannot be exact: a TypeError naming the column.
    void refuse_floats(role r, const number_options& o) const;

private:
    void from_array(py::array a);

    std::string table_, name_;
    form form_ = form::absent;
    py::object keep_;  ///< the tuple or array read, alive as long as the column
    PyObject** items_ = nullptr;
    const char* data_ = nullptr;
    std::ptrdiff_t stride_ = 0;
    std::size_t size_ = 0;
    std::string float_dtype_;  ///< set when the column is float and not all NaN
};

/// A text field; "" when missing. int and decimals give their exact text, a date "YYYY-MM-DD".
[[nodiscard]] std::string text_of(const column& c, std::size_t i, const place& p, const number_options& o);

/// A number; std::nullopt when missing. `units_scale`: an int counts units of 10**-scale.
[[nodiscard]] std::optional<decimal> number_of(const column& c, std::size_t i, const place& p,
                                               std::optional<int> units_scale, role r, const number_options& o);

/// A date; std::nullopt when missing. A datetime must be at midnight (no silent truncation).
[[nodiscard]] std::optional<date> date_of(const column& c, std::size_t i, const place& p, const number_options& o);

/// A row's credit: "U1:0.6;U2:0.4", a list of (participant, share) pairs or of ids, or a dict
/// {participant: share}. The engine checks the shares (known participants, sum 1, 4 places).
[[nodiscard]] std::vector<credit_share> participants_of(const column& c, std::size_t i, const place& p,
                                                        const number_options& o);

/// What the event_columns of a Python table point into: the Python objects (kept alive), and the
/// values converted on the way (texts of ints, decimals of mixed columns, validity bitmaps).
struct column_store {
    std::vector<py::object> keep;
    std::deque<std::string> texts;
    std::deque<std::vector<std::string_view>> views;
    std::deque<std::vector<std::int64_t>> ints;
    std::deque<std::vector<std::int32_t>> days;
    std::deque<std::vector<decimal>> decimals;
    std::deque<std::vector<std::uint8_t>> bitmaps;
    std::deque<std::vector<unsigned char>> raw;     ///< decimal128 values gathered from several batches
    std::vector<std::shared_ptr<void>> owned;       ///< Arrow arrays and streams, released with the table
    std::vector<std::uint32_t> credit_begin;

    using place_of = std::function<place(std::size_t)>;
    /// Text: str in place (no copy), int and decimals as their exact text, dates as YYYY-MM-DD.
    text_column text(const column& c, const place_of& at, const number_options& o);
    /// Numbers: str columns stay text (intake parses them); int64 arrays are units of 10**-scale with
    /// `scale` declared (an amount without a declared scale is an error: 1234 is not 12.34 or
    /// 1234.00 by guess); mixed object columns become decimals.
    number_column number(const column& c, std::optional<int> scale, role r, const place_of& at, const number_options& o);
    /// Dates: str stays text; datetime64 and date objects become days since 1970-01-01.
    date_column dates(const column& c, const place_of& at, const number_options& o);
    /// Participants: str stays text (intake reads the syntax); lists, tuples and dicts become lists.
    credit_column credit(const column& c, const place_of& at, const number_options& o);
};

/// Loads CPython's datetime C API; once, before date_of.
void import_datetime_api();

}  // namespace incentives::python
