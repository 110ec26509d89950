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

/// The engine names a bad event "row N" in the order it was given. When the returns were moved after
/// the sales, N is mapped back to the caller's row so the message points into the caller's table;
/// the rest of the message and the code stay as the engine wrote them.
input_error in_caller_rows(const input_error& e, const event_table& events) {
    std::string_view what = e.what();
    std::string_view message = what.substr(std::min(what.size(), e.code().size() + 3));  // after "[code] "
    constexpr std::string_view row = "row ";
    if (message.substr(0, row.size()) != row) return e;
    std::size_t digits = row.size(), n = 0;
    while (digits < message.size() && message[digits] >= '0' && message[digits] <= '9')
        n = n * 10 + static_cast<std::size_t>(message[digits++] - '0');
    if (n == 0 || n > events.events.size()) return e;
    return input_error(e.code(), "row " + std::to_string(events.row_of(n - 1) + 1) + std::string(message.substr(digits)));
}

run_output run(const program& p, const event_table& events, const catalog& cat, unsigned threads, bool event_ids) {
    if (threads < 1) throw py::value_error("threads must be at least 1");
    py::gil_scoped_release unlocked;
    auto eng = std::make_shared<engine>(p, cat, /*retain_event_ids=*/event_ids);
    try {
        eng->add(std::span<const event>(events.events), threads);
    } catch (const input_error& e) {
        throw in_caller_rows(e, events);
    }
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
