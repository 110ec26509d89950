// The points of a partner and its people as text, for the statements a partner reads (the command
// line's statements and explain, Python's Result.statement): balance, pending, available, any debt
// and what expires within 30, 31-60 and 61-90 days, as of a day. Uses {fmt}, as format.hpp does.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include <incentives/engine/points.hpp>
#include <incentives/format.hpp>

namespace incentives {

/// The block "Points (ID) of P and its people as of D", one row per holder whose partner is
/// `partner`, or "" when none holds points.
[[nodiscard]] inline std::string points_accounts_text(const result& r, std::string_view partner, date as_of, std::string_view indent = "") {
    std::string s;
    for (const auto& b : points_balances(r.points, as_of)) {
        if (b.partner != partner) continue;
        if (s.empty())
            s = fmt::format("{}Points ({}) of {} and its people as of {}\n{}  {:<12} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n",
                            indent, r.points_id, partner, as_of.to_string(), indent, "holder", "balance", "pending", "available", "debt",
                            "exp. 30 d", "31-60 d", "61-90 d");
        s += fmt::format("{}  {:<12} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n", indent, b.holder, b.balance, b.pending,
                         b.available, b.debt, b.expiring_30, b.expiring_60, b.expiring_90);
    }
    return s;
}

/// The status levels of a partner's people (and its own) in force on a day, with their last change:
/// "" when the program has no levels or none of them holds points.
[[nodiscard]] inline std::string levels_text(const program& p, const result& r, std::string_view partner, date on, std::string_view indent = "") {
    if (!p.points || !p.points->levels) return "";
    std::string s;
    for (const auto& b : points_balances(r.points, on)) {
        if (b.partner != partner) continue;
        const level_change* last = nullptr;
        for (const auto& c : r.levels)
            if (c.holder == b.holder && !(on < c.on)) last = &c;
        if (s.empty()) s = fmt::format("{}Status levels on {}\n", indent, on.to_string());
        s += fmt::format("{}  {:<12} {:<12} {}\n", indent, b.holder, points_level_of(p, r, b.holder, on, b.holder_type),
                         last ? fmt::format("since {} ({}: {})", last->on.to_string(), last->up ? "up" : "down", last->reason) : "since the start");
    }
    return s;
}

}  // namespace incentives
