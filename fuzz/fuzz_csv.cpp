// Fuzz target: the events CSV reader on any bytes, then every value checked as intake checks it
// (events_of). Errors are incentives::input_errors with a location; nothing else may escape.
#include <incentives/engine/event_values.hpp>
#include <incentives/io/csv.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        auto table = incentives::io::parse_event_table(std::move(text), "fuzz.csv");
        const auto rows = incentives::events_of(table.columns());
        if (rows.size() != table.rows()) std::abort();
    } catch (const incentives::input_error& e) {
        if (e.where().file.empty() && e.code() != "incentives.input.csv") std::abort();  // a CSV error names its file
    }
    return 0;
}
