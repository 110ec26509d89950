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
/// Program: read from YAML, written to YAML, handed to Python as a dict.
void register_program(pybind11::module_& m);
/// EventTable and Catalog: tables of Python columns converted to the engine's rows.
void register_tables(pybind11::module_& m);
/// run(): a program over converted tables.
void register_engine(pybind11::module_& m);
/// Result: payout lines, traces and statements as columns, totals, and the readable reports.
void register_result(pybind11::module_& m);
/// simulate(): the budget simulation (register_simulation.cpp).
void register_simulation(pybind11::module_& m);
/// Partial runs, their combination, pickling of catalogs, the command line's files (register_scale_out.cpp).
void register_scale_out(pybind11::module_& m);

}  // namespace incentives::python
