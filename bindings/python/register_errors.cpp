// Errors: every incentives::error that reaches Python becomes the matching class of
// incentives/_errors.py, with .code set and str(e) equal to the C++ what() text.
#include <exception>
#include <string>

#include <incentives/errors.hpp>

#include "casters.hpp"
#include "register.hpp"

namespace incentives::python {
namespace {

// The Python classes, looked up once when the module is imported and kept for the life of the
// process: the translator is a plain function and cannot capture them.
struct error_classes {
    py::handle error, config, validation, input, calculation, currency_mismatch;
};
error_classes classes;

py::handle keep(const py::module_& errors, const char* name) { return py::object(errors.attr(name)).release(); }

void raise(py::handle cls, const error& e) {
    py::object instance = cls(e.what(), e.code());
    PyErr_SetObject(cls.ptr(), instance.ptr());
}

}  // namespace

void register_errors(py::module_& m) {
    // The classes are written in Python, where they are easy to read, type and pickle; the package
    // __init__ imports _errors before _core, so this import finds the module already loaded.
    py::module_ errors = py::module_::import("incentives._errors");
    classes = {keep(errors, "Error"),       keep(errors, "ConfigError"),      keep(errors, "ValidationError"),
               keep(errors, "InputError"),  keep(errors, "CalculationError"), keep(errors, "CurrencyMismatchError")};

    // One translator whose handlers run most derived first: a handler for a base class would also
    // catch its subclasses (GCC and Clang warn when that order is broken). Being module-local, it
    // leaves other extensions' translators alone; anything not an incentives::error propagates to
    // pybind11's standard translators.
    py::register_local_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const currency_mismatch& e) {
            raise(classes.currency_mismatch, e);
        } catch (const calculation_error& e) {
            raise(classes.calculation, e);
        } catch (const input_error& e) {
            // The location as attributes (None where not known), as the C++ where() has it.
            const location& w = e.where();
            auto opt_text = [](const std::string& v) { return v.empty() ? py::object(py::none()) : py::object(py::str(v)); };
            auto opt_number = [](std::size_t v) { return v == 0 ? py::object(py::none()) : py::object(py::int_(v)); };
            py::object instance = classes.input(e.what(), e.code());
            instance.attr("file") = opt_text(w.file);
            instance.attr("line") = opt_number(w.line);
            instance.attr("column") = opt_number(w.column);
            instance.attr("row") = opt_number(w.row);
            instance.attr("field") = opt_text(w.field);
            PyErr_SetObject(classes.input.ptr(), instance.ptr());
        } catch (const validation_error& e) {
            raise(classes.validation, e);
        } catch (const config_error& e) {
            raise(classes.config, e);
        } catch (const error& e) {
            raise(classes.error, e);
        }
    });

    // For the tests only: raises the C++ error of each kind, so that the mapping of kinds that no
    // bound function raises yet (config, validation) is checked too.
    m.def(
        "_raise_for_test",
        [](const std::string& kind, const std::string& code, const std::string& message) {
            if (kind == "error") throw error(code, message);
            if (kind == "config") throw config_error(code, message);
            if (kind == "validation") throw validation_error(code, message);
            if (kind == "input") throw input_error(code, message);
            if (kind == "calculation") throw calculation_error(code, message);
            if (kind == "currency_mismatch") throw currency_mismatch(code, message);
            throw py::value_error("unknown error kind \"" + kind + "\"");
        },
        py::arg("kind"), py::arg("code"), py::arg("message"));
}

}  // namespace incentives::python
