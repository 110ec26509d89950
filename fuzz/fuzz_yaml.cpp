// Fuzz target: the YAML program reader on any bytes. A program it accepts must be valid, write back
// to YAML and read again to the same program; anything else is a config or validation error. The
// same bytes go to the simulation's readers (tax rules, assumptions): a config error or a value.
#include <incentives/io/yaml.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)incentives::io::read_tax_rules(text, "tax.yaml");
    } catch (const incentives::config_error&) {
    }
    try {
        (void)incentives::io::read_assumptions(text, "assumptions.yaml", "/nonexistent-fuzz-directory");
    } catch (const incentives::config_error&) {
    }
    incentives::program p;
    try {
        p = incentives::io::read_program(text, "fuzz.yaml");
    } catch (const incentives::config_error&) {
        return 0;
    } catch (const incentives::validation_error&) {
        return 0;
    }
    const auto again = incentives::io::read_program(incentives::io::write_program(p), "written.yaml");
    if (!(again == p)) std::abort();
    return 0;
}
