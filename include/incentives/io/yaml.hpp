// Reading and writing programs as YAML, and reading the simulation's assumptions and tax rules
// (declarations only; yaml-cpp stays inside incentives::io).
#pragma once

#include <string>
#include <string_view>

#include <cstdint>
#include <optional>

#include <incentives/program.hpp>
#include <incentives/simulation.hpp>
#include <incentives/tax.hpp>

namespace incentives::io {

/// Reads and validates a program from a YAML file; errors name file:line:column and the key path.
[[nodiscard]] program read_program_file(const std::string& path);

/// Reads and validates a program from YAML text; `source` names it in error messages.
[[nodiscard]] program read_program(std::string_view yaml, std::string_view source = "<string>");

/// Writes a program as YAML that read_program() reads back into an equal program.
[[nodiscard]] std::string write_program(const program& p);

/// Dated tax rules of one jurisdiction (docs/tax.md, data/tax/*.yaml): a later entry states only what
/// changed; an unknown key is an error naming file:line:column.
[[nodiscard]] tax::rules read_tax_rules_file(const std::string& path);
[[nodiscard]] tax::rules read_tax_rules(std::string_view yaml, std::string_view source = "<string>");

/// A simulation's assumptions file (docs/simulation.md), with the run settings it may hold.
struct assumptions_file {
    simulation_assumptions assumptions;
    std::optional<std::uint64_t> seed, scenarios;
    std::optional<decimal> budget;
};
/// Reads an assumptions file; a tax file it names is read relative to its directory.
[[nodiscard]] assumptions_file read_assumptions_file(const std::string& path);
[[nodiscard]] assumptions_file read_assumptions(std::string_view yaml, std::string_view source = "<string>",
                                                const std::string& directory = ".");

}  // namespace incentives::io
