// Reading and writing programs as YAML (declarations only; yaml-cpp stays inside incentives::io).
#pragma once

#include <string>
#include <string_view>

#include <incentives/program.hpp>

namespace incentives::io {

/// Reads and validates a program from a YAML file; errors name file:line:column and the key path.
[[nodiscard]] program read_program_file(const std::string& path);

/// Reads and validates a program from YAML text; `source` names it in error messages.
[[nodiscard]] program read_program(std::string_view yaml, std::string_view source = "<string>");

/// Writes a program as YAML that read_program() reads back into an equal program.
[[nodiscard]] std::string write_program(const program& p);

}  // namespace incentives::io
