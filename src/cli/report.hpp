// What the command line prints: the run summary, the statements of the demo and the explanation of
// one beneficiary's lines.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include <incentives/engine/ledger.hpp>
#include <incentives/format.hpp>
#include <incentives/fund_accounts.hpp>
#include <incentives/points_accounts.hpp>
#include <incentives/engine/catalog.hpp>
#include <incentives/engine/result.hpp>
#include <incentives/program.hpp>

namespace incentives::cli {

/// Events of kinds no rule selects (unknown_kinds: warn), on standard error: they were taken in and
/// paid nothing, which is what a typo in a kind looks like.
inline void warn_unknown_kinds(const result& r) {
    for (const auto& [kind, count] : r.unknown_kinds)
        fmt::print(stderr,
                   "warning: {} event(s) of kind \"{}\" that no rule selects were paid nothing (declare unknown_kinds: error to "
                   "refuse them, ignore to accept them silently)\n",
                   count, kind);
}

/// The points' totals over the run and the liability as of the program's last day.
inline void print_points_summary(const program& p, const result& r) {
    if (!p.points) return;
    const auto l = points_liability_as_of(p, r.points, p.cal.to());
    std::size_t refused = 0, redeemed = 0;
    std::set<std::string> holders, redemptions;
    for (const auto& e : r.points) {
        holders.insert(e.holder);
        refused += e.kind == points_entry::kind_t::refused;
        if (e.kind == points_entry::kind_t::redeemed && redemptions.insert(e.event).second) ++redeemed;
    }
    fmt::print("points {}: holders {}; as of {}: issued {}, redeemed {} ({} redemptions, {} refused), expired {}, reversed {}, "
               "outstanding {} ({} pending)\n",
               p.points->id, holders.size(), p.cal.to().to_string(), l.issued, l.redeemed, redeemed, refused, l.expired, l.reversed,
               l.outstanding, l.pending);
    fmt::print("  liability {} {} = the lots' points x (1 - breakage {}) x {} a point; breakage {} (--points, --lots and "
               "--points-balances write the details)\n",
               l.liability, p.currency_.code(), l.breakage, l.value_per_point, l.breakage_basis);
    if (p.points->levels) {
        std::map<std::string, std::size_t> at_end;
        for (const auto& b : points_balances(r.points, p.cal.to())) ++at_end[points_level_of(p, r, b.holder, p.cal.to(), b.holder_type)];
        std::string counts;
        for (const auto& lv : p.points->levels->table) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", lv.name, at_end[lv.name]);
        std::size_t up = 0;
        for (const auto& c : r.levels) up += c.up;
        fmt::print("  levels: {} changes ({} up, {} down); holders on {}: {} (--levels writes the changes)\n", r.levels.size(), up,
                   r.levels.size() - up, p.cal.to().to_string(), counts);
    }
}

/// Sums by rule (program order) and period (in date order).
inline void print_summary(const program& p, const result& r) {
    fmt::print("{} ({}): {} events added, {} payout lines\n", p.name, p.currency_.code(), r.events_seen, r.lines.size());
    if (r.events_outside_program > 0)
        fmt::print("  {} of the events are dated outside the program's dates ({} to {}): never paid, they count only as the "
                   "baseline of growth measures and as the sales that later returns name\n",
                   r.events_outside_program, p.cal.from().to_string(), p.cal.to().to_string());
    if (r.duplicates_ignored > 0)
        fmt::print("  {} events repeated an id already seen and were ignored (duplicates: ignore)\n", r.duplicates_ignored);
    fmt::print("\n");
    struct cell {
        std::string label;
        std::size_t lines = 0;
        decimal amount;
    };
    std::map<std::string, std::map<date, cell>> by_rule;
    for (const auto& l : r.lines) {
        auto& c = by_rule[l.rule][l.period_start];
        c.label = l.period;
        ++c.lines;
        c.amount += l.amount;
    }
    fmt::print("{:<24} {:<10} {:>9} {:>18}\n", "rule", "period", "lines", "amount");
    auto rule_ids = [&] {  // (id, label)
        std::vector<std::pair<std::string, std::string>> ids;
        for (const auto& rule : p.rules)
            ids.emplace_back(rule.id, rule.id + (!rule.fund.empty() ? " (fund " + rule.fund + ")" : !rule.points.empty() ? " (points)" : ""));
        if (p.deals) ids.emplace_back(p.deals->id, p.deals->id + " (deals)");
        for (const auto& rp : p.referrals) ids.emplace_back(rp.id, rp.id + (rp.fund.empty() ? " (referrals)" : " (fund " + rp.fund + ")"));
        for (const auto& c : p.contests)
            if (c.prize.pay != rules::prizes::pay_t::in_kind)
                ids.emplace_back(c.id, c.id + (c.prize.pay == rules::prizes::pay_t::fund   ? " (fund " + c.prize.fund + ")"
                                               : c.prize.pay == rules::prizes::pay_t::points ? " (points)"
                                                                                             : " (contest)"));
        return ids;
    }();
    for (const auto& [id, label] : rule_ids) {
        auto it = by_rule.find(id);
        if (it == by_rule.end()) {
            fmt::print("{:<24} {:<10} {:>9} {:>18}\n", label, "-", 0, decimal::from_units(0, p.currency_.minor_units()));
            continue;
        }
        std::size_t lines = 0;
        decimal total;
        for (const auto& [start, c] : it->second) {
            fmt::print("{:<24} {:<10} {:>9} {:>18}\n", label, c.label, c.lines, c.amount);
            lines += c.lines;
            total += c.amount;
        }
        if (it->second.size() > 1) fmt::print("{:<24} {:<10} {:>9} {:>18}\n", "", "all", lines, total);
    }
    decimal payable;
    for (const auto& s : r.statements) payable += s.amount;
    fmt::print("{:<35} {:>9} {:>18}\n", "total of the lines", r.lines.size(), r.total());
    fmt::print("{:<35} {:>9} {:>18}  {}\n", fmt::format("payable in {} statements", r.statements.size()), "", payable,
               p.currency_.code());
    fmt::print("(a statement per beneficiary and period; its total differs from the lines' only when the program rounds at the "
               "statement, or lines credit a fund{})\n", p.points ? " or pay points" : "");
    if (!p.funds.empty()) {
        std::map<std::string, std::size_t> accounts;
        for (const auto& e : r.ledger) ++accounts[e.account()];
        fmt::print("funds: {} ledger entries over {} accounts (fund lines are paid into the funds, not in the statements; "
                   "--ledger and --balances write them)\n",
                   r.ledger.size(), accounts.size());
    }
    if (p.deals) {
        std::size_t won = 0;
        for (const auto& d : r.deals) won += d.kind == deal_entry::kind_t::bonus;
        fmt::print("deals: {} steps, {} deals closed in their window (--deals writes the steps)\n", r.deals.size(), won);
    }
    for (const auto& rp : p.referrals) {
        std::size_t referred = 0, unattributed = 0, held = 0;
        decimal released, taken_back;
        std::map<std::uint64_t, decimal> open;  // earned entry -> what is still held
        for (const auto& x : r.referrals) {
            if (x.referral != rp.id) continue;
            using k = referral_entry::kind_t;
            referred += x.kind == k::attributed;
            unattributed += x.kind == k::unattributed;
            if (x.kind == k::earned) open[x.number] = x.amount;
            if (x.kind == k::released || x.kind == k::cancelled) open[x.reverses] -= x.kind == k::released ? x.amount : -x.amount;
            if (x.kind == k::released) released += x.amount;
            if (x.kind == k::clawback) taken_back += x.amount;
        }
        decimal still;
        for (const auto& [n, a] : open) {
            held += a.signum() > 0;
            still += a;
        }
        fmt::print("referrals {}: {} customers referred, {} converted without a counted touch; bounties released {}, clawed back {}, "
                   "{} still held ({}) (--referrals writes the steps)\n",
                   rp.id, referred, unattributed, released, taken_back, held, still);
    }
    print_points_summary(p, r);
    for (const auto& c : p.contests) {
        std::size_t competitors = 0, winners = 0;
        decimal prizes;
        for (const auto& st : r.contests) {
            if (st.contest != c.id) continue;
            competitors += st.eligible;
            winners += st.winner;
            prizes += st.prize + st.step_prize;
        }
        fmt::print("contest {}: {} competitors ranked, {} winners, prizes {} {} (incentives leaderboard shows the boards)\n", c.id,
                   competitors, winners, prizes,
                   c.prize.pay == rules::prizes::pay_t::points   ? std::string("points")
                   : c.prize.pay == rules::prizes::pay_t::in_kind ? std::string("in kind (declared value)")
                                                                  : std::string(p.currency_.code()));
    }
}

/// The KPI plan's report as an aligned table per KPI: month, actual, target, year to date, attainment
/// as a percent, the light, and the funnel ratio.
inline void print_kpis(const std::vector<kpi_row>& rows) {
    std::string kpi;
    auto percent = [](const std::optional<decimal>& f) {
        return f ? (*f * decimal(100)).rescale(2, rounding_mode::half_even).to_string() + "%" : std::string("-");
    };
    for (const auto& k : rows) {
        if (k.kpi != kpi) {
            kpi = k.kpi;
            fmt::print("\n{}{}\n", k.kpi, k.of.empty() ? "" : " (target: a percent of " + k.of + ")");
            fmt::print("  {:<8} {:>12} {:>12} {:>14} {:>14} {:>10}  {:<6} {:>10}\n", "month", "actual", "target", "actual YTD", "target YTD",
                       "attained", "light", k.of.empty() ? "" : "/ " + k.of);
        }
        fmt::print("  {:<8} {:>12} {:>12} {:>14} {:>14} {:>10}  {:<6} {:>10}\n", k.month, k.actual, k.target, k.cumulative_actual,
                   k.cumulative_target, percent(k.attainment), k.light, k.of.empty() ? "" : percent(k.ratio));
    }
}

/// The engagement and ROI report as an aligned table.
inline void print_roi(const std::vector<roi_row>& rows) {
    auto opt = [](const std::optional<decimal>& d) { return d ? d->to_string() : std::string("-"); };
    fmt::print("\nengagement and ROI\n  {:<12} {:>8} {:>8} {:>8} {:>16} {:>16} {:>16} {:>14} {:>8} {:>10}\n", "segment", "partners",
               "earning", "active", "sales", "baseline", "incremental", "cost", "cost %", "ROI");
    for (const auto& x : rows)
        fmt::print("  {:<12} {:>8} {:>8} {:>8} {:>16} {:>16} {:>16} {:>14} {:>8} {:>10}\n", x.segment, x.partners, x.participating, x.active,
                   x.sales, opt(x.baseline), opt(x.incremental), x.cost,
                   x.cost_share ? (*x.cost_share * decimal(100)).rescale(2, rounding_mode::half_even).to_string() + "%" : "-", opt(x.roi));
}

/// A contest's boards as an aligned table: per round and league, the ranked competitors, then the
/// ineligible (and why).
inline void print_board(const std::vector<contest_standing>& rows) {
    std::string round, league;
    for (const auto& st : rows) {
        if (st.round != round || st.league != league) {
            round = st.round;
            league = st.league;
            fmt::print("\n{} {}{} (through {})\n", st.contest, st.round, st.league.empty() ? "" : ", league " + st.league, st.through.to_string());
            fmt::print("  {:>5} {:>6}  {:<16} {:>16} {:>14} {:>14}  {:<6} {:>12}  {}\n", "place", "rank", "competitor", "score", "gap to next",
                       "gap to cut", "winner", "prize", "");
        }
        if (!st.eligible) {
            fmt::print("  {:>5} {:>6}  {:<16} {:>16} {:>14} {:>14}  {:<6} {:>12}  not eligible: {}\n", "-", "-", st.competitor, st.score, "", "",
                       "", "", st.why);
            continue;
        }
        const decimal prize = st.prize + st.step_prize;
        fmt::print("  {:>5} {:>6}  {:<16} {:>16} {:>14} {:>14}  {:<6} {:>12}  {}\n", st.position, st.rank, st.competitor, st.score,
                   st.gap_to_next ? st.gap_to_next->to_string() : "", st.gap_to_cut ? st.gap_to_cut->to_string() : "",
                   st.winner ? "yes" : "", prize.is_zero() && st.item.empty() ? std::string() : prize.to_string(), st.item);
    }
}

/// The story of one event in the ledgers: the fund entries, deal steps, referral steps and points
/// entries that are its own or name it ("claim \"c1\"", "request \"r1\"", a registration's steps). Returns false when there are none.
inline bool print_event_story(const result& r, const std::string& id) {
    const std::string quoted = "\"" + id + "\"";
    bool any = false;
    for (const auto& e : r.ledger) {
        if (e.event != id && e.reason.find(quoted) == std::string::npos) continue;
        if (!any) fmt::print("{:>5}  {:<10} {:<14} {:<12} {:>12} {:>12} {:>12}  {}\n", "entry", "date", "account", "kind", "amount",
                             "balance", "available", "why");
        any = true;
        fmt::print("{:>5}  {:<10} {:<14} {:<12} {:>12} {:>12} {:>12}  {}{}\n", e.number, e.on.to_string(), e.account(), to_string(e.kind),
                   e.amount, e.balance_after, e.available_after, e.event == id ? "" : "(" + e.event + ") ", e.reason);
    }
    bool deals = false;
    for (const auto& d : r.deals) {
        if (d.registration != id && d.event != id) continue;
        if (!deals) fmt::print("{}{:>5}  {:<10} {:<13} {:<8} {:>12}  {}\n", any ? "\n" : "", "step", "date", "kind", "partner", "amount", "why");
        deals = true;
        fmt::print("{:>5}  {:<10} {:<13} {:<8} {:>12}  {}{}\n", d.number, d.on.to_string(), to_string(d.kind), d.partner, d.amount,
                   d.until ? "protected through " + d.until->to_string() + (d.reason.empty() ? "" : "; ") : "", d.reason);
    }
    // A conversion's story: its own steps, the attribution of its customer (made at the customer's
    // first conversion), and the steps that act on its bounties (a refund's cancellation); a
    // customer id gives the customer's whole story.
    std::set<std::string> customers;
    std::set<std::uint64_t> own;
    for (const auto& x : r.referrals)
        if (x.event == id) {
            customers.insert(x.customer);
            own.insert(x.number);
        }
    bool referrals = false;
    for (const auto& x : r.referrals) {
        using k = referral_entry::kind_t;
        const bool attribution = (x.kind == k::attributed || x.kind == k::unattributed) && customers.contains(x.customer);
        if (x.event != id && x.customer != id && x.touch != id && !attribution && !own.contains(x.reverses)) continue;
        if (!referrals)
            fmt::print("{}{:>5}  {:<10} {:<13} {:<10} {:<8} {:>12}  {}\n", any || deals ? "\n" : "", "step", "date", "kind", "customer",
                       "partner", "amount", "why");
        referrals = true;
        fmt::print("{:>5}  {:<10} {:<13} {:<10} {:<8} {:>12}  {}{}{}\n", x.number, x.on.to_string(), to_string(x.kind), x.customer,
                   x.partner.empty() ? "-" : x.partner, x.amount, x.event == id ? "" : "(" + x.event + ") ", x.reason,
                   x.until ? "; held through " + x.until->to_string() : "");
    }
    bool points = false;  // a redemption's or cancellation's entries, and the cancellations that name it
    const std::string cancels = "redemption \"" + id + "\"";
    for (const auto& e : r.points) {
        if (e.event != id && e.reason.find(cancels) == std::string::npos) continue;
        if (!points)
            fmt::print("{}{:>5}  {:<10} {:<10} {:<10} {:>10} {:>5} {:>10}  {}\n", any || deals || referrals ? "\n" : "", "entry", "date",
                       "kind", "holder", "points", "lot", "balance", "why");
        points = true;
        fmt::print("{:>5}  {:<10} {:<10} {:<10} {:>10} {:>5} {:>10}  {}{}{}\n", e.number, e.on.to_string(), to_string(e.kind), e.holder,
                   e.points, e.lot ? std::to_string(e.lot) : std::string("-"), e.balance_after, e.event == id ? "" : "(" + e.event + ") ",
                   e.item.empty() ? "" : e.item + ": ", e.reason);
    }
    return any || deals || referrals || points;
}

/// A label for a beneficiary: "P01 (partner, Nordic Laptops AB)", "S01 (specialist at P01)".
inline std::string describe_beneficiary(const catalog& cat, std::string_view id) {
    if (auto i = cat.partner_index(id)) {
        const auto& pa = cat.partners()[*i];
        return fmt::format("{} (partner{}{})", id, pa.name.empty() ? "" : ", ", pa.name);
    }
    if (auto i = cat.participant_index(id)) {
        const auto& pp = cat.participants()[*i];
        return fmt::format("{} ({} at {})", id, pp.role.empty() ? "participant" : pp.role, pp.partner);
    }
    return std::string(id);
}

/// One statement per partner: its lines and the lines of its people, and the amounts payable from
/// the statements (per beneficiary, and in all).
inline void print_statements(const program& p, const catalog& cat, const result& r) {
    std::map<std::string, std::vector<const payout_line*>> lines;
    for (const auto& l : r.lines) lines[l.partner.empty() ? "(program)" : l.partner].push_back(&l);
    std::map<std::string, std::map<std::string, decimal>> payable;  // partner -> beneficiary -> amount
    for (const auto& s : r.statements) payable[s.partner.empty() ? "(program)" : s.partner][s.beneficiary] += s.amount;
    for (const auto& [partner_id, mine] : lines) {
        std::string name;
        if (auto i = cat.partner_index(partner_id); i && !cat.partners()[*i].name.empty()) name = " " + cat.partners()[*i].name;
        fmt::print("\nStatement for {}{} — {} ({})\n", partner_id, name, p.name, p.currency_.code());
        fmt::print("  {:<20} {:<12} {:<10} {:<9} {:>14}\n", "rule", "beneficiary", "period", "kind", "amount");
        for (const auto* l : mine)  // a points rule's lines are points: they say so
            fmt::print("  {:<20} {:<12} {:<10} {:<9} {:>14}{}\n", l->rule, l->beneficiary, l->period, to_string(l->kind), l->amount,
                       l->currency == p.currency_.code() ? std::string() : " " + l->currency);
        decimal total;
        fmt::print("  payable\n");
        const auto& owed = payable[partner_id];
        auto show = [&](const std::string& who, const decimal& amount) {
            fmt::print("    {:<64} {:>14}\n", describe_beneficiary(cat, who), amount);
            total += amount;
        };
        if (auto it = owed.find(partner_id); it != owed.end()) show(it->first, it->second);  // the partner first
        for (const auto& [who, amount] : owed)
            if (who != partner_id) show(who, amount);
        fmt::print("  {:<66} {:>14}\n", "total", total);
        if (auto funds = fund_accounts_text(r, partner_id, p.cal.to(), "  "); !funds.empty()) fmt::print("{}", funds);
        if (auto pts = points_accounts_text(r, partner_id, p.cal.to(), "  "); !pts.empty()) fmt::print("{}", pts);
        if (auto lv = levels_text(p, r, partner_id, p.cal.to(), "  "); !lv.empty()) fmt::print("{}", lv);
    }
}

/// A holder's points story: every entry of its points ledger (earned, pending until, spent on
/// what, reversed, expired when).
inline void print_points_story(const result& r, const std::string& who) {
    bool any = false;
    for (const auto& e : r.points) {
        if (e.holder != who) continue;
        if (!any)
            fmt::print("\nPoints ({})\n  {:>5}  {:<10} {:<10} {:>10} {:>5} {:>10} {:>10}  {}\n", r.points_id, "entry", "date", "kind", "points",
                       "lot", "balance", "available", "what");
        any = true;
        std::string what = e.event;
        if (!e.item.empty() && e.kind != points_entry::kind_t::refused) what += " (" + e.item + ")";
        if (e.kind == points_entry::kind_t::earned)
            what += fmt::format("; available {}{}", e.available_on ? e.available_on->to_string() : "at once",
                                e.expires ? ", usable through " + e.expires->to_string() : "");
        if (!e.reason.empty()) what += ": " + e.reason;
        fmt::print("  {:>5}  {:<10} {:<10} {:>10} {:>5} {:>10} {:>10}  {}\n", e.number, e.on.to_string(), to_string(e.kind), e.points,
                   e.lot ? std::to_string(e.lot) : std::string("-"), e.balance_after, e.available_after, what);
    }
}

/// Every line of one beneficiary with its trace, its statements by period and their total.
inline void print_explanation(const program& p, const std::string& program_path, const catalog& cat, const result& r,
                              const std::string& who) {
    fmt::print("Program:     {} ({}), {}\n", p.name, p.currency_.code(), program_path);
    fmt::print("Beneficiary: {}\n", describe_beneficiary(cat, who));
    std::vector<const payout_line*> mine;
    for (const auto& l : r.lines)
        if (l.beneficiary == who) mine.push_back(&l);
    fmt::print("Lines:       {} of {} ({} events added)\n", mine.size(), r.lines.size(), r.events_seen);
    for (const auto* lp : mine) {
        const auto& l = *lp;
        fmt::print("\n  {} {} {}: {} {}\n", l.rule, l.period, to_string(l.kind), l.amount, l.currency);
        if (!l.why) continue;
        const auto& t = *l.why;
        if (!t.version.empty()) fmt::print("      version from {}\n", t.version);
        if (!t.reverses.empty()) fmt::print("      reverses {} (returned by {})\n", t.reverses, t.returned_by);
        fmt::print("      measure {} = {}{}\n", t.measure, t.base, t.baseline ? fmt::format(" (baseline {})", *t.baseline) : "");
        if (!t.tier.empty()) fmt::print("      tier {}\n", t.tier);
        if (t.rate) fmt::print("      rate {} -> {}\n", *t.rate, t.amount_before);
        else fmt::print("      amount before modifiers {}\n", t.amount_before);
        for (const auto& s : t.steps) fmt::print("      {}: {} -> {}\n", s.what, s.before, s.after);
        if (!t.note.empty()) fmt::print("      note: {}\n", t.note);
        constexpr std::size_t shown = 20;
        std::string ids;
        for (std::size_t i = 0; i < t.event_ids.size() && i < shown; ++i) ids += (i ? ", " : ": ") + t.event_ids[i];
        if (t.event_ids.size() > shown) ids += fmt::format(" and {} more", t.event_ids.size() - shown);
        fmt::print("      {} contributing event{}{}\n", t.events, t.events == 1 ? "" : "s", ids);
    }
    decimal exact, total;
    bool any = false;
    for (const auto& s : r.statements) {
        if (s.beneficiary != who) continue;
        if (!any) fmt::print("\nStatement\n  {:<12} {:>18} {:>18}\n", "period", "sum of lines", "payable");
        any = true;
        fmt::print("  {:<12} {:>18} {:>18}\n", s.period, s.exact, s.amount);
        exact += s.exact;
        total += s.amount;
    }
    if (any) fmt::print("  {:<12} {:>18} {:>18} {}\n", "total", exact, total, p.currency_.code());
    else if (!mine.empty()) fmt::print("\nNo cash statement for {}: its lines pay points or credit a fund.\n", who);
    else fmt::print("\nNo payout lines for {}.\n", who);
    print_points_story(r, who);
    // A partner's people are paid on their own lines: say who they are.
    if (cat.partner_index(who)) {
        std::map<std::string, decimal> people;
        for (const auto& s : r.statements)
            if (s.partner == who && s.beneficiary != who) people[s.beneficiary] += s.amount;
        if (!people.empty()) {
            fmt::print("\nPeople at {} with their own statements (explain them with --beneficiary ID):\n", who);
            for (const auto& [id, amount] : people) fmt::print("  {:<40} {:>18}\n", describe_beneficiary(cat, id), amount);
        }
        // A partner's fund accounts as of the program's last day (docs/rules/funds.md).
        if (auto funds = fund_accounts_text(r, who, p.cal.to()); !funds.empty())
            fmt::print("\n{}(explain an entry's event with --event ID)\n", funds);
    }
}

}  // namespace incentives::cli
