// Currency and Money. Amounts in different currencies never combine: + and - raise
// CurrencyMismatchError, ordering across currencies too, and == is simply False.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <incentives/currency.hpp>
#include <incentives/money.hpp>

#include "casters.hpp"
#include "register.hpp"

namespace incentives::python {
namespace {

py::object not_implemented() { return py::reinterpret_borrow<py::object>(Py_NotImplemented); }

/// money * k and k * money for an exact factor (Decimal, int, decimal.Decimal); NotImplemented for
/// anything else, so Money * Money and Money * float are TypeErrors.
py::object scaled(const money& a, py::handle k) {
    std::optional<decimal> factor = to_decimal(k, /*allow_text=*/false);
    if (!factor) return not_implemented();
    return py::cast(a * *factor);
}

std::string code_of(const money& a) { return std::string(a.currency_of().code()); }

}  // namespace

void register_money(py::module_& m) {
    py::class_<currency>(m, "Currency", "An active ISO 4217 currency; equal when the code is.")
        .def(py::init(&currency::of), py::arg("code"), "The currency with this code; InputError for an unknown code.")
        .def_static(
            "all",
            [] {
                std::vector<currency> out;
                for (const auto& info : currency::all()) out.push_back(currency::of(info.code));
                return out;
            },
            "Every active ISO 4217 currency, sorted by code.")
        .def_property_readonly("code", &currency::code, "Alphabetic code, e.g. 'EUR'.")
        .def_property_readonly("numeric", &currency::numeric, "ISO numeric code, e.g. 978.")
        .def_property_readonly("minor_units", &currency::minor_units, "Digits of the minor unit: 2 for EUR, 0 for JPY.")
        .def_property_readonly("name", &currency::name, "English name, e.g. 'Euro'.")
        .def("__eq__", [](const currency& a, const currency& b) { return a == b; }, py::is_operator())
        .def("__hash__", [](const currency& c) { return py::hash(py::str(std::string(c.code()))); })
        .def("__str__", [](const currency& c) { return std::string(c.code()); })
        .def("__repr__", [](const currency& c) { return "Currency('" + std::string(c.code()) + "')"; })
        .def(py::pickle([](const currency& c) { return std::string(c.code()); },
                        [](const std::string& code) { return currency::of(code); }));

    py::class_<money>(m, "Money",
                      "An exact amount in one currency, e.g. Money('100.00', 'EUR'). The amount is kept as "
                      "given; round_to_minor() rounds it to the currency's minor unit with a named mode.")
        .def(py::init([](decimal_arg amount, const currency& cur) { return money(amount.value, cur); }),
             py::arg("amount"), py::arg("currency"))
        .def(py::init([](decimal_arg amount, std::string_view code) { return money(amount.value, currency::of(code)); }),
             py::arg("amount"), py::arg("currency"))
        .def_property_readonly("amount", &money::amount)
        .def_property_readonly("currency", &money::currency_of)
        .def(
            "round_to_minor", [](const money& a, mode_arg mode) { return a.round_to_minor(mode.value); },
            py::arg("mode"), "The amount rounded to the currency's minor unit (2 places for EUR, 0 for JPY).")
        .def(
            "allocate",
            [](const money& a, const std::vector<decimal_arg>& weights) {
                std::vector<decimal> w;
                w.reserve(weights.size());
                for (const auto& x : weights) w.push_back(x.value);
                return a.allocate(w);
            },
            py::arg("weights"),
            "Parts proportional to non-negative `weights` that add up exactly to this amount, in minor units: "
            "largest remainder, ties to the earlier weight.")
        .def("split", &money::split, py::arg("n"), "n equal parts that add up exactly; the first ones get the extra minor units.")
        .def("__add__", [](const money& a, const money& b) { return a + b; }, py::is_operator())
        .def("__sub__", [](const money& a, const money& b) { return a - b; }, py::is_operator())
        .def("__neg__", [](const money& a) { return -a; })
        .def("__mul__", &scaled)
        .def("__rmul__", &scaled)
        .def("__eq__", [](const money& a, const money& b) { return a == b; }, py::is_operator())
        .def("__ne__", [](const money& a, const money& b) { return !(a == b); }, py::is_operator())
        // Ordering within one currency; across currencies the C++ operator raises currency_mismatch.
        .def("__lt__", [](const money& a, const money& b) { return a < b; }, py::is_operator())
        .def("__le__", [](const money& a, const money& b) { return a <= b; }, py::is_operator())
        .def("__gt__", [](const money& a, const money& b) { return a > b; }, py::is_operator())
        .def("__ge__", [](const money& a, const money& b) { return a >= b; }, py::is_operator())
        .def("__hash__", [](const money& a) { return py::hash(py::make_tuple(code_of(a), to_python_decimal(a.amount()))); })
        .def("__str__", &money::to_string)
        .def("__repr__", [](const money& a) { return "Money('" + a.amount().to_string() + "', '" + code_of(a) + "')"; })
        .def(py::pickle([](const money& a) { return py::make_tuple(a.amount().to_string(), code_of(a)); },
                        [](const py::tuple& state) {
                            return money(state[0].cast<std::string>(), state[1].cast<std::string>());
                        }));
}

}  // namespace incentives::python
