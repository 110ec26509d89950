// The C++ objects behind the Python classes of the run API (Program, EventTable, Catalog, Result),
// shared by the register_*.cpp files.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>

#include <incentives/engine/engine.hpp>

#include "columns.hpp"

namespace incentives::python {

/// Events from Python columns as the engine's event_columns: views into the caller's arrays and
/// str objects (kept alive here) and into what had to be converted. Intake checks them.
struct event_table {
    std::unique_ptr<column_store> store = std::make_unique<column_store>();
    event_columns columns;

    [[nodiscard]] std::size_t size() const noexcept { return columns.rows; }
};

/// A finished run: the result, and the engine that computed it (its program and catalog serve the
/// reports and totals).
struct run_output {
    std::shared_ptr<const engine> eng;
    result res;        ///< the lines without traces
    bool event_ids = false;
    mutable std::optional<result> with_traces;  ///< the same lines, in the same order, with traces
    /// Set when the lines are a variant of the engine's program settled on its measures (the pay step).
    std::shared_ptr<const program> variant = nullptr;

    /// The result with a trace on every line, computed the first time it is asked for (traces cost
    /// strings and decimals per line; payouts and totals do not need them).
    [[nodiscard]] const result& traced() const {
        if (with_traces) return *with_traces;
        const run_options traced_options{.traces = true, .event_ids = event_ids, .threads = 1};
        with_traces = variant ? eng->run(*variant, traced_options) : eng->run(traced_options);
        return *with_traces;
    }

    [[nodiscard]] const program& prog() const { return variant ? *variant : eng->definition(); }
    [[nodiscard]] const catalog& cat() const { return eng->reference_data(); }
};

/// Paid lines from a dict of columns (register_tables.cpp), for restate().
[[nodiscard]] std::vector<paid_line> paid_rows(const pybind11::dict& columns);

/// The readable reports of a run (reports.cpp).
[[nodiscard]] std::string explain_text(const run_output& run, const std::string& beneficiary);
[[nodiscard]] std::string statement_text(const run_output& run, const std::string& partner);

}  // namespace incentives::python
