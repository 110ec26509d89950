// Columns of Python tables read in C++ (see columns.hpp).
#include "columns.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <incentives/engine/event_values.hpp>
#include <incentives/rules/credit.hpp>

#include <datetime.h>  // CPython's datetime C API (after Python.h, which pybind11 includes)

namespace incentives::python {
namespace {

// ------------------------------------------------------------------------------------------------
// Errors

/// An incentives::error's message without its "[code] " prefix.
std::string message_of(const error& e) {
    std::string_view w = e.what();
    auto cut = w.find("] ");
    return std::string(cut == std::string_view::npos ? w : w.substr(cut + 2));
}

/// A parse error of a value (decimal::parse, date::parse), placed: same code, the place in front.
[[noreturn]] void rethrow_at(const error& e, const place& p, std::string_view field) {
    throw input_error(e.code(), p.at(field) + message_of(e), p.where(field));
}

/// What to pass instead of a float (or another wrong type).
std::string hint(role r, const number_options& o) {
    switch (r) {
        case role::text: return "pass strings (read CSV files with dtype=str, keep_default_na=False)";
        case role::date: return "pass \"YYYY-MM-DD\" strings, datetime.date or datetime64 values";
        case role::amount:
            return "pass strings, decimal.Decimal, or integer minor units with amount_scale=" + std::to_string(o.hint_scale);
        case role::quantity:
            return "pass strings, decimal.Decimal, or integers (whole units, or units of 10**-N with quantity_scale=N)";
        case role::number: return "pass strings, decimal.Decimal or integers";
        case role::participants:
            return "pass \"U1:0.6;U2:0.4\" strings, or per row a list of (participant, share) pairs";
    }
    return {};
}

std::string type_name(PyObject* o) { return Py_TYPE(o)->tp_name; }

[[noreturn]] void wrong_type(const place& p, std::string_view field, PyObject* o, role r, const number_options& opts) {
    std::string got = PyFloat_Check(o) ? "the float " + py::repr(o).cast<std::string>() +
                                             ", which is binary floating point and not exact"
                                       : "a value of type " + type_name(o);
    throw py::type_error(p.at(field) + "got " + got + ": " + hint(r, opts));
}

// ------------------------------------------------------------------------------------------------
// Columns

bool ends_with(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

/// None, NaN, pandas.NA and pandas.NaT: a missing value.
bool is_missing(PyObject* o) {
    if (o == Py_None) return true;
    if (PyFloat_Check(o)) return std::isnan(PyFloat_AS_DOUBLE(o));
    std::string_view name = Py_TYPE(o)->tp_name;
    return ends_with(name, "NAType") || ends_with(name, "NaTType");
}

// ------------------------------------------------------------------------------------------------
// Values

/// The UTF-8 text of a str (a str with lone surrogates, as surrogateescape leaves undecodable
/// bytes, has none: an error at the place).
std::string_view utf8(PyObject* o, const place* p = nullptr, std::string_view field = {}) {
    if (PyUnicode_IS_COMPACT_ASCII(o))  // the common case, read in place (the str is its own UTF-8)
        return {static_cast<const char*>(PyUnicode_DATA(o)), static_cast<std::size_t>(PyUnicode_GET_LENGTH(o))};
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(o, &n);
    if (s == nullptr) {
        if (p == nullptr) throw py::error_already_set();
        PyErr_Clear();
        fail("encoding", *p, field, "the value is not valid UTF-8 text (it holds undecodable bytes; read the file with its real encoding)");
    }
    return {s, static_cast<std::size_t>(n)};
}

/// A number from one Python object; std::nullopt when missing. `units_scale`: an int counts units of
/// 10**-scale.
std::optional<decimal> number_of(PyObject* v, const place& p, std::string_view field, std::optional<int> units_scale,
                                 role r, const number_options& o) {
    if (PyUnicode_Check(v)) {
        std::string_view text = utf8(v);
        if (text.empty()) return std::nullopt;
        try {
            return decimal::parse(text);
        } catch (const error& e) {
            rethrow_at(e, p, field);
        }
    }
    if (is_integer(v)) return decimal::from_units(int128_from_python(v), units_scale.value_or(0));
    if (is_missing(v)) return std::nullopt;
    if (is_python_decimal(v) || py::isinstance<decimal>(v)) {
        try {
            return to_decimal(v, /*allow_text=*/false);
        } catch (const error& e) {  // NaN or Infinity as a decimal.Decimal, or too many digits
            rethrow_at(e, p, field);
        }
    }
    wrong_type(p, field, v, r, o);
}

/// Adds one participant's credit; a share left out is 1 (a single participant).
void add_credit(std::vector<credit_share>& out, std::string_view who, std::optional<decimal> share, const place& p) {
    for (const auto& seen : out)
        if (seen.participant == who)
            fail("participants", p, "participants", "participant \"" + std::string(who) + "\" is named twice");
    out.push_back(credit_share{std::string(who), share.value_or(decimal(1))});
}

/// Exact fractions given as shares (num/den each), in participant order.
using fraction_list = std::vector<std::pair<std::int64_t, std::int64_t>>;

/// "1/3" -> (1, 3); nullopt when `text` has no '/'. A malformed fraction is an error.
std::optional<std::pair<std::int64_t, std::int64_t>> fraction_text(std::string_view text, const place& p) {
    const std::size_t slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto whole = [](std::string_view t, std::int64_t& n) {
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        return !t.empty() && ec == std::errc() && end == t.data() + t.size() && n > 0;
    };
    std::int64_t num = 0, den = 0;
    if (!whole(text.substr(0, slash), num) || !whole(text.substr(slash + 1), den))
        fail("participants", p, "participants",
             "share \"" + std::string(text) + "\": a fraction is two whole numbers above 0, e.g. 1/3");
    return std::pair{num, den};
}

/// A participants text ("U1:0.6;U2:0.4", "U1:1/3;U2:2/3", "U1:2;U2:1", "U1") in a column that also
/// holds lists: read by intake's own reader (detail::credit_at) on a one-row table placed at this
/// row, so the words and codes are those of every other door.
std::vector<credit_share> credit_text(std::string_view text, const place& p) {
    const std::string_view texts[1] = {text};
    const std::string_view ids[1] = {p.event_id};
    event_columns one;
    one.rows = 1;
    one.first_row = p.row;
    one.id = text_column::views(ids);
    one.participants.text = text_column::views(texts);
    std::vector<detail::credit_value> read;
    detail::credit_at(one.participants, detail::event_place{one, 0}, read);
    std::vector<credit_share> out;
    for (const auto& c : read) out.push_back(credit_share{std::string(c.participant), c.share});
    return out;
}

/// A fractions.Fraction share as (numerator, denominator); nullopt for anything else.
std::optional<std::pair<std::int64_t, std::int64_t>> python_fraction(PyObject* s, const place& p) {
    static PyObject* fraction_type = [] {
        py::object t = py::module_::import("fractions").attr("Fraction");
        return t.release().ptr();  // kept for the life of the process
    }();
    const int is = PyObject_IsInstance(s, fraction_type);
    if (is < 0) throw py::error_already_set();
    if (is == 0) return std::nullopt;
    py::handle h(s);
    try {
        return std::pair{h.attr("numerator").cast<std::int64_t>(), h.attr("denominator").cast<std::int64_t>()};
    } catch (const py::cast_error&) {
        fail("participants", p, "participants", "share " + py::str(h).cast<std::string>() + ": a fraction's terms must fit 64 bits");
    }
}

}  // namespace

namespace {

/// Whether every value of an object column is a str or missing (so it can stay text for intake).
bool all_text(const column& c) {
    if (c.kind() != column::form::objects) return false;
    for (std::size_t i = 0; i < c.size(); ++i) {
        PyObject* v = c.object(i);
        if (!PyUnicode_Check(v) && !is_missing(v)) return false;
    }
    return true;
}

void set_bit(std::vector<std::uint8_t>& bits, std::size_t i) { bits[i >> 3] = static_cast<std::uint8_t>(bits[i >> 3] | (1u << (i & 7))); }

}  // namespace

text_column column_store::text(const column& c, const place_of& at, const number_options& o) {
    if (c.kind() == column::form::absent) return {};
    auto& v = views.emplace_back(c.size());
    for (std::size_t i = 0; i < c.size(); ++i) {
        if (c.kind() == column::form::objects) {
            PyObject* x = c.object(i);
            if (PyUnicode_Check(x)) {
                place p = at(i);
                v[i] = utf8(x, &p, c.name());
                continue;
            }
            if (is_missing(x)) continue;
        }
        std::string t = text_of(c, i, at(i), o);
        if (!t.empty()) v[i] = texts.emplace_back(std::move(t));
    }
    return text_column::views(v);
}

number_column column_store::number(const column& c, std::optional<int> scale, role r, const place_of& at, const number_options& o) {
    auto no_scale = [&](std::size_t i) {
        fail("scale", at(i), c.name(),
             "integer amounts need a declared scale: pass amount_scale=" + std::to_string(o.hint_scale) +
                 " when they count cents, amount_scale=0 when they are whole units (1234 is neither 12.34 nor 1234.00 by guess)");
    };
    switch (c.kind()) {
        case column::form::absent: return {};
        case column::form::integers: {
            if (c.size() > 0 && r == role::amount && !scale)  // a property of the column, as for Arrow integers
                throw input_error("incentives.input.scale",
                                  "events column \"" + c.name() + "\" holds integers: pass amount_scale=" + std::to_string(o.hint_scale) +
                                      " when they count cents, amount_scale=0 when they are whole units (1234 is neither 12.34 "
                                      "nor 1234.00 by guess)",
                                  location{"", 0, 0, 0, c.name()});
            auto& v = ints.emplace_back(c.size());
            for (std::size_t i = 0; i < c.size(); ++i) v[i] = c.integer(i);
            return number_column::units(v, scale.value_or(0));
        }
        case column::form::days: throw py::type_error(at(0).at(c.name()) + "got dates where numbers belong: " + hint(r, o));
        case column::form::objects: break;
    }
    if (all_text(c)) return number_column::text(text(c, at, o));
    auto& v = decimals.emplace_back(c.size());
    auto& bits = bitmaps.emplace_back((c.size() + 7) / 8, 0);
    for (std::size_t i = 0; i < c.size(); ++i) {
        PyObject* x = c.object(i);
        if (r == role::amount && !scale && is_integer(x)) no_scale(i);
        if (auto d = incentives::python::number_of(c, i, at(i), scale, r, o)) {
            v[i] = *d;
            set_bit(bits, i);
        }
    }
    return number_column::decimals(v, validity{bits.data(), 0});
}

date_column column_store::dates(const column& c, const place_of& at, const number_options& o) {
    if (c.kind() == column::form::absent) return {};
    if (all_text(c)) return date_column::text(text(c, at, o));
    auto& v = days.emplace_back(c.size());
    auto& bits = bitmaps.emplace_back((c.size() + 7) / 8, 0);
    for (std::size_t i = 0; i < c.size(); ++i)
        if (auto d = date_of(c, i, at(i), o)) {
            v[i] = d->days();
            set_bit(bits, i);
        }
    return date_column::days(v, validity{bits.data(), 0});
}

credit_column column_store::credit(const column& c, const place_of& at, const number_options& o) {
    credit_column out;
    if (c.kind() == column::form::absent) return out;
    if (all_text(c)) {
        out.text = text(c, at, o);
        return out;
    }
    auto& who = views.emplace_back();
    auto& shares = decimals.emplace_back();
    credit_begin.assign(1, 0);
    for (std::size_t i = 0; i < c.size(); ++i) {
        for (auto& s : participants_of(c, i, at(i), o)) {
            who.emplace_back(texts.emplace_back(std::move(s.participant)));
            shares.push_back(s.share);
        }
        credit_begin.push_back(static_cast<std::uint32_t>(who.size()));
    }
    out.begin = credit_begin;
    out.who = text_column::views(who);
    out.share = number_column::decimals(shares);
    return out;
}

std::string place::at(std::string_view field) const {
    std::string s = table == "events" ? std::string() : std::string(table) + " ";
    s += "row " + std::to_string(row);
    if (!event_id.empty()) s += " (event \"" + std::string(event_id) + "\")";
    return s + ", field " + std::string(field) + ": ";
}

location place::where(std::string_view field) const {
    location w;
    w.row = row;
    w.field = std::string(field);
    return w;
}

[[noreturn]] void fail(std::string_view code, const place& p, std::string_view field, const std::string& message) {
    throw input_error("incentives.input." + std::string(code), p.at(field) + message, p.where(field));
}

// ------------------------------------------------------------------------------------------------
// column

column::column(std::string table, std::string name, py::handle values) : table_(std::move(table)), name_(std::move(name)) {
    if (values.is_none()) return;
    if (PyList_Check(values.ptr()) || PyTuple_Check(values.ptr())) {
        // A private tuple: the caller's list cannot change under us while str() runs Python code.
        keep_ = py::reinterpret_steal<py::object>(PySequence_Tuple(values.ptr()));
        if (!keep_) throw py::error_already_set();
        items_ = PySequence_Fast_ITEMS(keep_.ptr());
        size_ = static_cast<std::size_t>(PyTuple_GET_SIZE(keep_.ptr()));
        form_ = form::objects;
        return;
    }
    if (!py::isinstance<py::array>(values))
        throw py::type_error(table_ + " column \"" + name_ + "\": expected a list or a 1-d numpy array, got " +
                             type_name(values.ptr()));
    from_array(py::reinterpret_borrow<py::array>(values));
}

void column::refuse_floats(role r, const number_options& o) const {
    if (!float_dtype_.empty())
        throw py::type_error(table_ + " column \"" + name_ + "\" is " + float_dtype_ + ": " + hint(r, o));
}

void column::from_array(py::array a) {
    if (a.ndim() != 1)
        throw py::type_error(table_ + " column \"" + name_ + "\": expected a 1-d array, got " +
                             std::to_string(a.ndim()) + " dimensions");
    char k = a.dtype().kind();
    std::string dtype = py::str(a.dtype()).cast<std::string>();
    if (k == 'U' || k == 'S') a = a.attr("astype")("object"), k = 'O';
    if (k == 'i' || k == 'u') {
        if (k == 'u' || a.itemsize() != 8) a = a.attr("astype")("int64");
        form_ = form::integers;
    } else if (k == 'M') {
        if (dtype != "datetime64[D]") a = a.attr("astype")("datetime64[D]");
        form_ = form::days;
    } else if (k == 'f') {
        auto reals = py::array_t<double, py::array::forcecast>::ensure(a);
        for (py::ssize_t i = 0; i < reals.size(); ++i)
            if (!std::isnan(reals.at(i))) float_dtype_ = dtype;
        size_ = static_cast<std::size_t>(a.size());
        return;  // all NaN: an empty column (pandas reads an empty CSV column so)
    } else if (k == 'O') {
        form_ = form::objects;
    } else {
        throw py::type_error(table_ + " column \"" + name_ + "\" has dtype " + dtype +
                             ": expected strings, decimal.Decimal, integers or dates");
    }
    keep_ = a;
    data_ = static_cast<const char*>(a.data());
    stride_ = a.strides(0);
    size_ = static_cast<std::size_t>(a.size());
}

// ------------------------------------------------------------------------------------------------
// Fields

/// A text field: str, and int or decimals as their exact text; "" when missing.
std::string text_of(const column& c, std::size_t i, const place& p, const number_options& o) {
    switch (c.kind()) {
        case column::form::absent: return {};
        case column::form::integers: return std::to_string(c.integer(i));
        case column::form::days: {
            auto v = c.integer(i);
            return v == std::numeric_limits<std::int64_t>::min() ? std::string() : date(static_cast<std::int32_t>(v)).to_string();
        }
        case column::form::objects: break;
    }
    PyObject* v = c.object(i);
    if (PyUnicode_Check(v)) return std::string(utf8(v));
    if (is_missing(v)) return {};
    if (is_integer(v) || is_python_decimal(v) || py::isinstance<decimal>(v)) return py::str(v).cast<std::string>();
    wrong_type(p, c.name(), v, role::text, o);
}

std::optional<decimal> number_of(const column& c, std::size_t i, const place& p, std::optional<int> units_scale, role r,
                                 const number_options& o) {
    switch (c.kind()) {
        case column::form::absent: return std::nullopt;
        case column::form::integers: return decimal::from_units(c.integer(i), units_scale.value_or(0));
        case column::form::days: throw py::type_error(p.at(c.name()) + "got a date where a number belongs: " + hint(r, o));
        case column::form::objects: break;
    }
    return number_of(c.object(i), p, c.name(), units_scale, r, o);
}

/// A date field; std::nullopt when missing. A datetime must be at midnight (no silent truncation).
std::optional<date> date_of(const column& c, std::size_t i, const place& p, const number_options& o) {
    switch (c.kind()) {
        case column::form::absent: return std::nullopt;
        case column::form::integers: throw py::type_error(p.at(c.name()) + "got an integer where a date belongs: " + hint(role::date, o));
        case column::form::days: {
            auto v = c.integer(i);
            if (v == std::numeric_limits<std::int64_t>::min()) return std::nullopt;  // NaT
            return date(static_cast<std::int32_t>(v));
        }
        case column::form::objects: break;
    }
    PyObject* v = c.object(i);
    if (PyUnicode_Check(v)) {
        std::string_view text = utf8(v);
        if (text.empty()) return std::nullopt;
        try {
            return date::parse(text);
        } catch (const error& e) {
            rethrow_at(e, p, c.name());
        }
    }
    if (is_missing(v)) return std::nullopt;
    if (PyDateTime_Check(v)) {
        if (PyDateTime_DATE_GET_HOUR(v) || PyDateTime_DATE_GET_MINUTE(v) || PyDateTime_DATE_GET_SECOND(v) ||
            PyDateTime_DATE_GET_MICROSECOND(v))
            fail("date_syntax", p, c.name(),
                 py::str(v).cast<std::string>() + " has a time of day: pass dates (Series.dt.normalize() or .dt.date)");
    }
    if (PyDate_Check(v))
        return date(PyDateTime_GET_YEAR(v), static_cast<unsigned>(PyDateTime_GET_MONTH(v)),
                    static_cast<unsigned>(PyDateTime_GET_DAY(v)));
    wrong_type(p, c.name(), v, role::date, o);
}

/// A row's credit: "U1:0.6;U2:0.4", a list of (participant, share) pairs or of ids, or a dict
/// {participant: share}. The engine checks the shares (known participants, sum 1, 4 places).
std::vector<credit_share> participants_of(const column& c, std::size_t i, const place& p, const number_options& o) {
    std::vector<credit_share> out;
    if (c.kind() == column::form::absent) return out;
    if (c.kind() != column::form::objects)
        throw py::type_error(p.at(c.name()) + "expected participants: " + hint(role::participants, o));
    PyObject* v = c.object(i);
    bool without_share = false;
    fraction_list fractions;
    auto share_of = [&](PyObject* s) -> std::optional<decimal> {
        if (auto f = PyUnicode_Check(s) ? fraction_text(utf8(s), p) : python_fraction(s, p)) {
            fractions.push_back(*f);
            return decimal(0);  // set from the common denominator below
        }
        auto d = number_of(s, p, "participants", std::nullopt, role::number, o);
        if (!d) fail("participants", p, "participants", "a participant's share is missing");
        return d;
    };
    if (PyUnicode_Check(v)) return credit_text(utf8(v, &p, "participants"), p);  // checked there, whole
    if (is_missing(v)) return out;
    if (PyDict_Check(v)) {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(v, &pos, &key, &value)) {
            if (!PyUnicode_Check(key)) wrong_type(p, "participants", key, role::participants, o);
            add_credit(out, utf8(key), share_of(value), p);
        }
    } else if (PyList_Check(v) || PyTuple_Check(v)) {
        py::sequence items = py::reinterpret_borrow<py::sequence>(v);
        for (py::handle item : items) {
            if (PyUnicode_Check(item.ptr())) {
                without_share = true;
                add_credit(out, utf8(item.ptr()), std::nullopt, p);
                continue;
            }
            if (!(PyList_Check(item.ptr()) || PyTuple_Check(item.ptr())) || py::len(item) != 2 ||
                !PyUnicode_Check(py::sequence(py::reinterpret_borrow<py::sequence>(item))[0].ptr()))
                wrong_type(p, "participants", item.ptr(), role::participants, o);
            auto pair = py::reinterpret_borrow<py::sequence>(item);
            add_credit(out, pair[0].cast<std::string>(), share_of(py::object(pair[1]).ptr()), p);
        }
    } else {
        wrong_type(p, "participants", v, role::participants, o);
    }
    if (without_share && out.size() > 1)
        fail("participants", p, "participants",
             "with several participants each needs a share (expected e.g. \"U1:0.6;U2:0.4\" or [(\"U1\", \"0.6\"), (\"U2\", \"0.4\")])");
    if (!fractions.empty()) {  // exact fractions: whole-number weights over their common denominator
        if (fractions.size() != out.size())
            fail("participants", p, "participants",
                 "give every share as a fraction, or none (a fraction and a decimal or weight do not mix)");
        auto weights = rules::fraction_weights(fractions);
        if (weights.empty())
            fail("participants", p, "participants",
                 "the fractions must each be at most 1 and add up to exactly 1, over a common denominator of at most " +
                     std::to_string(rules::max_share_weight));
        for (std::size_t k = 0; k < out.size(); ++k) out[k].share = decimal(weights[k]);
    }
    return out;
}

void import_datetime_api() {
    if (PyDateTimeAPI == nullptr) PyDateTime_IMPORT;
    if (PyDateTimeAPI == nullptr) throw py::error_already_set();
}

}  // namespace incentives::python
