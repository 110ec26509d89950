// simulate(): the budget simulation over a program and a catalog, with the history as an EventTable.
// The simulation works with the GIL released; the progress callback takes it back to call Python.
#include <memory>
#include <optional>
#include <string>

#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <incentives/io/yaml.hpp>
#include <incentives/simulation.hpp>

#include "casters.hpp"
#include "objects.hpp"
#include "register.hpp"

namespace incentives::python {
namespace {

py::tuple stats(const distribution& d) {
    return py::make_tuple(to_python_decimal(d.mean), to_python_decimal(d.p50), to_python_decimal(d.p90), to_python_decimal(d.p95),
                          to_python_decimal(d.p99), to_python_decimal(d.min), to_python_decimal(d.max));
}

py::object maybe(const std::optional<decimal>& d) { return d ? to_python_decimal(*d) : py::none(); }

/// `assumptions` is YAML text (a file's, or a dict written as YAML by the package); `directory` is
/// where a tax file it names is looked up. Arguments given here win over the file's.
py::dict simulate(const program& p, const event_table* history, const catalog& cat, const std::string& assumptions,
                  const std::string& source, const std::string& directory, std::optional<std::uint64_t> scenarios,
                  std::optional<std::uint64_t> seed, py::object budget, unsigned threads, py::object progress) {
    if (threads < 1) throw py::value_error("threads must be at least 1");
    const io::assumptions_file f = io::read_assumptions(assumptions, source, directory);
    simulation_options o;
    o.scenarios = scenarios.value_or(f.scenarios.value_or(1000));
    o.seed = seed.value_or(f.seed.value_or(p.seed.value_or(0)));
    o.budget = f.budget;
    if (!budget.is_none()) {
        auto b = to_decimal(budget, /*allow_text=*/true);
        if (!b) throw py::type_error("budget is an exact amount (Decimal, int or str), not " + std::string(py::str(py::type::of(budget))));
        o.budget = *b;
    }
    o.threads = threads;
    if (!progress.is_none())
        o.progress = [&progress](std::uint64_t done, std::uint64_t of) {
            py::gil_scoped_acquire locked;
            progress(done, of);
        };
    simulation_result r;
    {
        py::gil_scoped_release unlocked;
        const engine e(p, cat);
        const event_columns none{};
        r = simulate(e, history ? history->columns : none, f.assumptions, o);
    }
    py::dict out;
    out["seed"] = r.seed;
    out["scenarios"] = r.scenarios;
    out["currency"] = r.currency;
    out["program"] = p.name;
    out["tax"] = f.assumptions.tax ? py::cast(f.assumptions.tax->jurisdiction) : py::none();
    out["gross_up"] = f.assumptions.gross_up;
    py::list summary, by, counts, sensitivity, schedule, totals;
    for (const auto& row : r.summary) summary.append(py::make_tuple(row.by, stats(row.d)));
    for (const auto& row : r.by) by.append(py::make_tuple(row.by, row.key, stats(row.d)));
    for (const auto& c : r.counts) counts.append(py::make_tuple(c.by, c.key, c.count, c.scenarios));
    for (const auto& s : r.sensitivity)
        sensitivity.append(py::make_tuple(s.assumption, to_python_decimal(s.step), to_python_decimal(s.p50), to_python_decimal(s.p90)));
    for (const auto& m : r.schedule)
        schedule.append(py::make_tuple(m.month, to_python_decimal(m.expected), to_python_decimal(m.cumulative),
                                       to_python_decimal(m.p50_cumulative), to_python_decimal(m.p90_cumulative)));
    for (const auto& t : r.totals) totals.append(to_python_decimal(t));
    out["summary"] = summary;
    out["by"] = by;
    out["counts"] = counts;
    out["sensitivity"] = sensitivity;
    out["schedule"] = schedule;
    out["totals"] = totals;
    out["budget"] = maybe(r.budget);
    out["p_over_budget"] = maybe(r.p_over_budget);
    out["expected_overrun"] = maybe(r.expected_overrun);
    out["reserve"] = to_python_decimal(r.reserve);
    return out;
}

}  // namespace

void register_simulation(py::module_& m) {
    m.def("simulate", &simulate, py::arg("program"), py::arg("history"), py::arg("catalog"), py::arg("assumptions"),
          py::arg("source"), py::arg("directory"), py::arg("scenarios") = py::none(), py::arg("seed") = py::none(),
          py::arg("budget") = py::none(), py::arg("threads") = 1, py::arg("progress") = py::none(),
          "The budget simulation: assumptions as YAML text; returns plain tables (lists of tuples).");
}

}  // namespace incentives::python
