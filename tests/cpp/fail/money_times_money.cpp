// money * money has no meaning and must not compile.
#include <incentives/money.hpp>

int main() {
    incentives::money m("2.00", "EUR");
#ifdef INCENTIVES_MISUSE
    auto r = m * m;
#else
    auto r = m * incentives::decimal(2);
#endif
    return r.amount().is_zero() ? 1 : 0;
}
