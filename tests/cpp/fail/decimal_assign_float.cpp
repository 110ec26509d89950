// Assigning a float to a decimal must not compile either.
#include <incentives/decimal.hpp>

int main() {
    incentives::decimal d;
#ifdef INCENTIVES_MISUSE
    d = 2.5f;
#else
    d = incentives::decimal(2);
#endif
    return d.is_zero() ? 1 : 0;
}
