// Fuzz target: decimal::parse on any bytes. What parses must print and parse back to the same value
// and scale, and rescaling to fewer places with every mode must agree with the exact value's bounds.
#include <incentives/decimal.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using incentives::decimal;
using incentives::rounding_mode;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    decimal d;
    try {
        d = decimal::parse(text);
    } catch (const incentives::error&) {
        return 0;  // refused with a message: fine
    }
    const decimal again = decimal::parse(d.to_string());
    if (!(again == d) || again.scale() != d.scale()) std::abort();
    for (int places : {0, 2, 4}) {
        if (d.scale() <= places) continue;
        try {
            const decimal down = d.rescale(places, rounding_mode::floor);
            const decimal up = d.rescale(places, rounding_mode::ceiling);
            const decimal even = d.rescale(places, rounding_mode::half_even);
            if (d < down || up < d || even < down || up < even) std::abort();  // floor <= x <= ceiling
        } catch (const incentives::calculation_error&) {
            // out of range at that scale: refused, not wrapped
        }
    }
    return 0;
}
