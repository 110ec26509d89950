// A double must never become a decimal: binary floating point is not money.
#include <incentives/decimal.hpp>

int main() {
#ifdef INCENTIVES_MISUSE
    incentives::decimal d(0.1);
#else
    incentives::decimal d(1);
#endif
    return d.is_zero() ? 1 : 0;
}
