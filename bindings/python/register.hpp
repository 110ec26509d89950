// One registration function per area of the Python module incentives._core (see module.cpp).
#pragma once

#include <pybind11/pybind11.h>

namespace incentives::python {

/// The translator from the C++ error hierarchy to incentives.Error and its subclasses.
void register_errors(pybind11::module_& m);
/// Decimal and RoundingMode.
void register_decimal(pybind11::module_& m);
/// Currency and Money.
void register_money(pybind11::module_& m);

}  // namespace incentives::python
