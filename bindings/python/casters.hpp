// Conversions between Python objects and the incentives value types, shared by the register_*.cpp files.
// The rule they enforce: only exact kinds of number (Decimal, int, decimal.Decimal, and str where an
// argument may be text) ever become a decimal. A float is refused with a TypeError that says what to
// pass instead; a bool is refused too, since True where an amount belongs is almost always a bug.
#pragma once

#include <optional>
#include <string>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>  // every binding file includes this header, so all agree on std::vector <-> list

#include <incentives/decimal.hpp>
#include <incentives/rounding.hpp>

namespace incentives::python {

namespace py = pybind11;

/// Python's decimal.Decimal class. Looked up once and kept for the life of the process (never
/// released, so nothing touches Python after the interpreter has gone).
inline py::handle python_decimal_type() {
    static PyObject* type = nullptr;  // only ever set with the GIL held
    if (type == nullptr) type = py::object(py::module_::import("decimal").attr("Decimal")).release().ptr();
    return type;
}

/// An exact copy as a decimal.Decimal (its constructor is exact for any text, whatever the context).
inline py::object to_python_decimal(const decimal& d) { return python_decimal_type()(d.to_string()); }

/// int, or anything with __index__ (numpy integers), but not bool and not float.
inline bool is_integer(py::handle obj) {
    PyObject* p = obj.ptr();
    return !PyBool_Check(p) && !PyFloat_Check(p) && (PyLong_Check(p) || PyIndex_Check(p));
}

inline bool is_python_decimal(py::handle obj) { return py::isinstance(obj, python_decimal_type()); }

/// A Python int (or __index__ value) as an int128; calculation_error when |value| >= 2^127.
inline int128 int128_from_python(py::handle obj) {
    auto value = py::reinterpret_steal<py::object>(PyNumber_Index(obj.ptr()));
    if (!value) throw py::error_already_set();
    int overflow = 0;
    long long small = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow == 0) {
        if (small == -1 && PyErr_Occurred()) throw py::error_already_set();
        return small;
    }
    // Wider than 64 bits: check the size first (str() of a huge int is slow, or refused), then let
    // the exact decimal parser do the digits.
    auto bits = value.attr("bit_length")().cast<long long>();
    if (bits > 127)
        detail::overflow("integer with " + std::to_string(bits) + " bits does not fit a decimal (|units| < 2^127)");
    return decimal::parse(py::str(value).cast<std::string>()).units();
}

/// An int128 as a Python int, through its decimal text (pybind11 has no 128-bit caster).
inline py::object int128_to_python(int128 v) {
    auto out = py::reinterpret_steal<py::object>(PyLong_FromString(detail::int128_to_string(v).c_str(), nullptr, 10));
    if (!out) throw py::error_already_set();
    return out;
}

/// The exact value of a Decimal, an int or a decimal.Decimal (and a str when `allow_text`);
/// std::nullopt for any other type, float and bool included, so operators can return NotImplemented.
inline std::optional<decimal> to_decimal(py::handle obj, bool allow_text) {
    if (py::isinstance<decimal>(obj)) return obj.cast<const decimal&>();
    if (is_integer(obj)) return decimal::from_units(int128_from_python(obj), 0);
    // str() of a decimal.Decimal is exact; NaN and Infinity fail to parse with an input_error.
    if (is_python_decimal(obj)) return decimal::parse(py::str(obj).cast<std::string>());
    if (allow_text && PyUnicode_Check(obj.ptr())) return decimal::parse(obj.cast<std::string>());
    return std::nullopt;
}

/// An argument that takes any exact value: Decimal, int, str or decimal.Decimal (see the caster below).
struct decimal_arg {
    decimal value;
};

/// An argument that takes a RoundingMode or its name, "half_even", ... (see the caster below).
struct mode_arg {
    rounding_mode value = rounding_mode::unnecessary;
};

}  // namespace incentives::python

namespace pybind11::detail {

/// Python int <-> int128, for decimal.units and Decimal.from_units.
template <>
struct type_caster<incentives::int128> {
    PYBIND11_TYPE_CASTER(incentives::int128, const_name("int"));

    bool load(handle src, bool /*convert*/) {
        if (!PyLong_Check(src.ptr()) || PyBool_Check(src.ptr())) return false;
        value = incentives::python::int128_from_python(src);
        return true;
    }
    static handle cast(incentives::int128 v, return_value_policy, handle) {
        return incentives::python::int128_to_python(v).release();
    }
};

/// Loads any exact number; a float or a bool is a TypeError here (rather than "incompatible function
/// arguments") so the message can say what to pass instead.
template <>
struct type_caster<incentives::python::decimal_arg> {
    PYBIND11_TYPE_CASTER(incentives::python::decimal_arg, const_name("Decimal | int | str | decimal.Decimal"));

    bool load(handle src, bool /*convert*/) {
        if (auto d = incentives::python::to_decimal(src, /*allow_text=*/true)) {
            value.value = *d;
            return true;
        }
        if (PyFloat_Check(src.ptr()))
            throw type_error("got the float " + repr(src).cast<std::string>() +
                             ", which is binary floating point and not exact: pass a str or decimal.Decimal "
                             "for an exact value, e.g. \"0.1\"");
        if (PyBool_Check(src.ptr()))
            throw type_error("got the bool " + repr(src).cast<std::string>() +
                             " where a number belongs: pass an int, a str or a decimal.Decimal");
        return false;
    }
    static handle cast(const incentives::python::decimal_arg& d, return_value_policy policy, handle parent) {
        return make_caster<incentives::decimal>::cast(d.value, policy, parent);
    }
};

/// Loads a RoundingMode member or its name; an unknown name is an input_error that lists the names.
template <>
struct type_caster<incentives::python::mode_arg> {
    PYBIND11_TYPE_CASTER(incentives::python::mode_arg, const_name("RoundingMode | str"));

    bool load(handle src, bool convert) {
        if (PyUnicode_Check(src.ptr())) {
            value.value = incentives::parse_rounding_mode(src.cast<std::string>());
            return true;
        }
        make_caster<incentives::rounding_mode> mode;
        if (!mode.load(src, convert)) return false;
        value.value = cast_op<incentives::rounding_mode>(mode);
        return true;
    }
    static handle cast(const incentives::python::mode_arg& m, return_value_policy policy, handle parent) {
        return make_caster<incentives::rounding_mode>::cast(m.value, policy, parent);
    }
};

}  // namespace pybind11::detail
