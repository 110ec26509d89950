// run(): a program over converted tables. The engine works with the GIL released; it never touches a
// Python object.
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <incentives/engine/engine.hpp>

#include "casters.hpp"
#include "objects.hpp"
#include "register.hpp"

namespace incentives::python {
namespace {

run_output run(const program& p, const event_table& events, const catalog& cat, unsigned threads, bool event_ids) {
    if (threads < 1) throw py::value_error("threads must be at least 1");
    py::gil_scoped_release unlocked;
    auto eng = std::make_shared<engine>(p, cat, /*retain_event_ids=*/event_ids);
    eng->add(events.columns, threads);
    // Without traces: they are built when result.traces, explain() or statement() first ask
    // (run_output::traced), from the same engine, in the same line order.
    result res = eng->run({.traces = false, .event_ids = false, .threads = threads});
    return run_output{std::move(eng), std::move(res), event_ids, std::nullopt};
}

/// The pay step: `variant` settled on the measures `base` accumulated, without the events again.
run_output settle(const run_output& base, const program& variant, unsigned threads) {
    if (threads < 1) throw py::value_error("threads must be at least 1");
    auto shared = std::make_shared<const program>(variant);
    py::gil_scoped_release unlocked;
    result res = base.eng->run(*shared, {.traces = false, .event_ids = false, .threads = threads});
    return run_output{base.eng, std::move(res), base.event_ids, std::nullopt, std::move(shared)};
}

}  // namespace

void register_engine(py::module_& m) {
    m.def("run", &run, py::arg("program"), py::arg("events"), py::arg("catalog"), py::arg("threads") = 1,
          py::arg("event_ids") = false,
          "Runs a program over an EventTable and a Catalog; event_ids keeps the ids of the events behind "
          "each line for the traces.");
    m.def("settle", &settle, py::arg("base"), py::arg("variant"), py::arg("threads") = 1,
          "The pay step: a variant of base's program settled on base's measures. Raises ValidationError "
          "(code incentives.validation.variant) when the variant changes what needs the events again.");
}

}  // namespace incentives::python
