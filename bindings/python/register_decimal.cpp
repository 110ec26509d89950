// Decimal and RoundingMode: the exact number type with Python's numeric protocols. It mixes with int
// and decimal.Decimal (exact), never with float: operators return NotImplemented for a float, so
// Python raises TypeError for arithmetic and ordering, and == is False.
#include <functional>
#include <optional>
#include <string>

#include <incentives/decimal.hpp>
#include <incentives/rounding.hpp>

#include "casters.hpp"
#include "register.hpp"

namespace incentives::python {
namespace {

py::object not_implemented() { return py::reinterpret_borrow<py::object>(Py_NotImplemented); }

/// An exact binary operation; `reflected` serves __radd__ and friends (other OP self).
template <class Op>
auto arithmetic(Op op, bool reflected) {
    return [op, reflected](const decimal& self, py::handle other) -> py::object {
        std::optional<decimal> o = to_decimal(other, /*allow_text=*/false);
        if (!o) return not_implemented();
        return py::cast(reflected ? op(*o, self) : op(self, *o));
    };
}

bool holds(std::strong_ordering c, int op) {
    switch (op) {
        case Py_LT: return c < 0;
        case Py_LE: return c <= 0;
        case Py_EQ: return c == 0;
        case Py_NE: return c != 0;
        case Py_GT: return c > 0;
        default: return c >= 0;
    }
}

/// A rich comparison. Another Decimal compares in C++; an int or a decimal.Decimal compares through
/// decimal.Decimal, which is exact at any size and scale (converting it to a decimal could overflow,
/// and 1 == 10**50 must be False, not an error).
auto comparison(int op) {
    return [op](const decimal& self, py::handle other) -> py::object {
        if (py::isinstance<decimal>(other)) return py::bool_(holds(self <=> other.cast<const decimal&>(), op));
        if (!is_integer(other) && !is_python_decimal(other)) return not_implemented();
        py::object rhs = is_integer(other) ? py::reinterpret_steal<py::object>(PyNumber_Index(other.ptr()))
                                           : py::reinterpret_borrow<py::object>(other);
        if (!rhs) throw py::error_already_set();
        auto result = py::reinterpret_steal<py::object>(PyObject_RichCompare(to_python_decimal(self).ptr(), rhs.ptr(), op));
        if (!result) throw py::error_already_set();
        return result;
    };
}

}  // namespace

void register_decimal(py::module_& m) {
    py::enum_<rounding_mode>(m, "RoundingMode",
                             "How a value is rounded when digits are dropped: the semantics of Python's "
                             "decimal.ROUND_*. Wherever a mode is taken, its name (\"half_even\", ...) works too.")
        .value("HALF_EVEN", rounding_mode::half_even, "Ties to the even neighbour (banker's rounding).")
        .value("HALF_UP", rounding_mode::half_up, "Ties away from zero.")
        .value("HALF_DOWN", rounding_mode::half_down, "Ties toward zero.")
        .value("UP", rounding_mode::up, "Away from zero.")
        .value("DOWN", rounding_mode::down, "Toward zero (truncation).")
        .value("CEILING", rounding_mode::ceiling, "Toward positive infinity.")
        .value("FLOOR", rounding_mode::floor, "Toward negative infinity.")
        .value("UNNECESSARY", rounding_mode::unnecessary, "Rounding is an error: the value must already fit.");

    py::class_<decimal>(m, "Decimal",
                        "An exact decimal number: units x 10**-scale, |units| < 2**127, 0 <= scale <= 36.\n\n"
                        "+, - and * are exact; only rescale() and divide() round, with a named mode. Build one "
                        "from a str, an int or a decimal.Decimal, never from a float.")
        .def(py::init([](decimal_arg value) { return value.value; }), py::arg("value"))
        .def_static("from_units", &decimal::from_units, py::arg("units"), py::arg("scale"),
                    "units x 10**-scale, e.g. from_units(1250, 2) == Decimal('12.50').")
        .def_property_readonly("units", &decimal::units, "The mantissa: the value is units x 10**-scale.")
        .def_property_readonly("scale", &decimal::scale, "Digits after the decimal point.")
        .def("signum", &decimal::signum, "-1, 0 or 1.")
        .def("is_zero", &decimal::is_zero)
        .def("normalized", &decimal::normalized, "The same value without trailing zeros after the point.")
        .def(
            "rescale", [](const decimal& d, int places, mode_arg mode) { return d.rescale(places, mode.value); },
            py::arg("places"), py::arg("mode"), "This value at `places` digits, rounded by `mode` if digits are dropped.")
        .def(
            "divide",
            [](const decimal& d, decimal_arg divisor, int places, mode_arg mode) {
                return d.divide(divisor.value, places, mode.value);
            },
            py::arg("divisor"), py::arg("places"), py::arg("mode"),
            "self / divisor rounded by `mode` to `places` digits (there is no `/`: a quotient needs both).")
        .def("to_decimal", &to_python_decimal, "The same value and scale as a decimal.Decimal.")
        .def("__str__", &decimal::to_string)
        .def("__repr__", [](const decimal& d) { return "Decimal('" + d.to_string() + "')"; })
        // The hash of the equal decimal.Decimal, so that it agrees with == against int and decimal.Decimal.
        .def("__hash__", [](const decimal& d) { return py::hash(to_python_decimal(d)); })
        .def("__bool__", [](const decimal& d) { return !d.is_zero(); })
        .def("__neg__", [](const decimal& d) { return -d; })
        .def("__pos__", [](const decimal& d) { return d; })
        .def("__abs__", [](const decimal& d) { return incentives::abs(d); })
        .def("__add__", arithmetic(std::plus<>{}, false))
        .def("__radd__", arithmetic(std::plus<>{}, true))
        .def("__sub__", arithmetic(std::minus<>{}, false))
        .def("__rsub__", arithmetic(std::minus<>{}, true))
        .def("__mul__", arithmetic(std::multiplies<>{}, false))
        .def("__rmul__", arithmetic(std::multiplies<>{}, true))
        .def("__eq__", comparison(Py_EQ))
        .def("__ne__", comparison(Py_NE))
        .def("__lt__", comparison(Py_LT))
        .def("__le__", comparison(Py_LE))
        .def("__gt__", comparison(Py_GT))
        .def("__ge__", comparison(Py_GE))
        .def(py::pickle([](const decimal& d) { return d.to_string(); },
                        [](const std::string& text) { return decimal::parse(text); }));
}

}  // namespace incentives::python
