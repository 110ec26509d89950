// money + double must not compile.
#include <incentives/money.hpp>

int main() {
    incentives::money m("1.00", "EUR");
#ifdef INCENTIVES_MISUSE
    auto r = m + 0.5;
#else
    auto r = m + incentives::money("0.50", "EUR");
#endif
    return r.amount().is_zero() ? 1 : 0;
}
