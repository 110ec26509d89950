// Program: a validated program definition, read from YAML (a file or text) with incentives::io and
// written back to YAML. The Python class incentives.Program wraps it; its dict form is the YAML
// document as nested dicts and lists with every scalar a str (so no number passes through a float).
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include <incentives/io/yaml.hpp>
#include <incentives/program.hpp>

#include "casters.hpp"
#include "register.hpp"

namespace incentives::python {
namespace {

/// A YAML node as Python: mapping -> dict (in document order), sequence -> list, scalar -> str.
py::object to_python(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map: {
            py::dict d;
            for (const auto& kv : n) d[py::str(kv.first.Scalar())] = to_python(kv.second);
            return d;
        }
        case YAML::NodeType::Sequence: {
            py::list l;
            for (const auto& item : n) l.append(to_python(item));
            return l;
        }
        case YAML::NodeType::Scalar: return py::str(n.Scalar());
        default: return py::none();
    }
}

std::vector<std::string> rule_ids(const program& p) {
    std::vector<std::string> ids;
    ids.reserve(p.rules.size());
    for (const auto& r : p.rules) ids.push_back(r.id);
    return ids;
}

}  // namespace

void register_program(py::module_& m) {
    py::class_<program>(m, "Program", "A validated program (private: use incentives.Program).")
        .def_static(
            "from_yaml_text", [](const std::string& text, const std::string& source) { return io::read_program(text, source); },
            py::arg("text"), py::arg("source") = "<string>", "Reads and validates YAML text; `source` names it in errors.")
        .def_static("from_file", &io::read_program_file, py::arg("path"), "Reads and validates a YAML file.")
        .def("to_yaml", &io::write_program, "YAML that from_yaml_text reads back into an equal program.")
        .def(
            "to_python", [](const program& p) { return to_python(YAML::Load(io::write_program(p))); },
            "The YAML document as dicts, lists and str scalars.")
        .def_property_readonly("name", [](const program& p) { return p.name; })
        .def_property_readonly("currency", [](const program& p) { return std::string(p.currency_.code()); })
        .def_property_readonly("amount_scale", &program::amount_scale, "Decimal places accepted on event amounts.")
        .def_property_readonly("quantity_scale", [](const program& p) { return p.quantity_places; })
        .def_property_readonly("rounding_point", [](const program& p) { return std::string(to_string(p.rounding.point)); })
        .def_property_readonly("rule_ids", &rule_ids, "The ids of the top-level rules, in program order.")
        .def("__eq__", [](const program& a, const program& b) { return a == b; }, py::is_operator())
        .def(py::pickle([](const program& p) { return io::write_program(p); },
                        [](const std::string& text) { return io::read_program(text, "<pickle>"); }));
}

}  // namespace incentives::python
