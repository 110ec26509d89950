// A partner's fund accounts as text, for the statements a partner reads (the command line's
// statements and explain, Python's Result.statement): balance, reserved, available and what expires
// within 30, 31-60 and 61-90 days, as of a day. Uses {fmt}, as format.hpp does.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include <incentives/engine/ledger.hpp>
#include <incentives/format.hpp>

namespace incentives {

/// The block "Funds of P as of D" with one row per fund account of `partner`, or "" when it has none.
[[nodiscard]] inline std::string fund_accounts_text(const result& r, std::string_view partner, date as_of, std::string_view indent = "") {
    std::string s;
    for (const auto& b : fund_balances(r.ledger, as_of)) {
        if (b.partner != partner) continue;
        if (s.empty())
            s = fmt::format("{}Funds of {} as of {}\n{}  {:<10} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}\n", indent, partner,
                            as_of.to_string(), indent, "fund", "balance", "reserved", "available", "exp. 30 d", "31-60 d", "61-90 d");
        s += fmt::format("{}  {:<10} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}\n", indent, b.fund, b.balance, b.reserved, b.available,
                         b.expiring_30, b.expiring_60, b.expiring_90);
    }
    return s;
}

}  // namespace incentives
