// Amounts whose currency is in the type cannot be combined across currencies.
#include <incentives/money.hpp>

int main() {
    incentives::money_in<"EUR"> eur("1.00");
#ifdef INCENTIVES_MISUSE
    incentives::money_in<"USD"> usd("1.00");
    auto r = eur + usd;
#else
    auto r = eur + incentives::money_in<"EUR">("2.00");
#endif
    return r.amount().is_zero() ? 1 : 0;
}
