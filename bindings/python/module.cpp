// incentives._core: the compiled half of the Python package. It only registers each area; the public
// API is curated in incentives/__init__.py.
#include "register.hpp"

PYBIND11_MODULE(_core, m) {
    m.doc() = "Private extension of the incentives package: import from incentives instead.";
    incentives::python::register_errors(m);  // first: the other areas' functions raise these errors
    incentives::python::register_decimal(m);
    incentives::python::register_money(m);
    incentives::python::register_program(m);
    incentives::python::register_tables(m);
    incentives::python::register_engine(m);
    incentives::python::register_result(m);
    incentives::python::register_simulation(m);
    incentives::python::register_scale_out(m);
}
