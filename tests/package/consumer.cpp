// Links against the installed package and checks a result, so a broken install fails loudly.
#include <incentives/format.hpp>
#include <incentives/incentives.hpp>

#include <fmt/format.h>

int main() {
    incentives::money pool("100.00", "EUR");
    auto parts = pool.split(3);
    auto sum = parts[0] + parts[1] + parts[2];
    fmt::print("split {} three ways: {}, {}, {} (sum {})\n", pool, parts[0], parts[1], parts[2], sum);
    return (sum == pool && parts[0] == incentives::money("33.34", "EUR")) ? 0 : 1;
}
