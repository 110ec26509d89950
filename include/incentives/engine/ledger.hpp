// Stage 4b, the ledger (after settle): funds (MDF, co-op) replayed as exact ledgers. Its inputs are the
// fund events the engine kept (allocations, requests, approvals, claims, claim approvals) and the
// lines of rules that credit a fund; its output is every movement as an entry, in one total order —
// date, then the step's kind order, then id — so that the ledger does not depend on input order,
// batch split or threads. Every run reconciles every account from the entries alone
// (reconcile_ledger) and a break is a calculation error, never a note.
//
// Per fund and partner an account holds lots (credits with an optional last usable day). An
// approved request reserves money (available = balance - reserved drops, the balance does not); a
// claim against it is paid, once approved, at most what remains reserved; a claim without a request
// (where the fund allows it) is paid at most what is available. A payment draws on lots in the
// fund's order, one entry per lot. Lots are forfeited the day after their last usable day,
// reservations released the day after their request's claim deadline, each as an entry.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <incentives/allocation.hpp>
#include <incentives/engine/catalog.hpp>
#include <incentives/engine/result.hpp>
#include <incentives/engine/stage_lines.hpp>
#include <incentives/engine/state.hpp>
#include <incentives/errors.hpp>
#include <incentives/program.hpp>

namespace incentives::detail {

/// Checks the ledger from its entries alone: entries are numbered and dated in order; per account,
/// every entry's balance, reserved and available follow from the one before (opening 0: balance + amount for credits and debits,
/// reserved + amount for reservations and releases); every lot's remainder (its amount less what
/// consumes it) is never below zero; nothing consumes what is not a lot or a reservation of its own
/// account; each reservation is never drawn beyond what it reserved. Throws calculation_error
/// ("incentives.calculation.ledger") naming the entry that breaks it.
inline void reconcile_ledger(std::span<const ledger_entry> ledger) {
    using kind = ledger_entry::kind_t;
    auto broken = [](const ledger_entry& e, const std::string& what) {
        throw calculation_error("incentives.calculation.ledger", "the ledger does not reconcile at entry " +
                                                                     std::to_string(e.number) + " (" + e.account() + ", " +
                                                                     std::string(to_string(e.kind)) + "): " + what);
    };
    struct state {
        decimal balance, reserved;
    };
    // Accounts by (fund, partner) as views into the entries; entries are numbered 1, 2, 3, ... so
    // that what remains of each lot or reservation is kept by number.
    struct views_hash {
        std::size_t operator()(const std::pair<std::string_view, std::string_view>& k) const noexcept {
            return std::hash<std::string_view>{}(k.first) * 31 + std::hash<std::string_view>{}(k.second);
        }
    };
    std::unordered_map<std::pair<std::string_view, std::string_view>, state, views_hash> accounts;
    std::vector<decimal> left(ledger.size() + 1);  // lots and reservations: what remains of each, by number
    std::uint64_t expected = 1;
    for (const auto& e : ledger) {
        if (e.number != expected++) broken(e, "entries are not numbered 1, 2, 3, ... in order");
        if (e.number > 1 && e.on < ledger[e.number - 2].on) broken(e, "it is dated before the entry before it");
        auto& a = accounts[{e.fund, e.partner}];
        const bool moves_balance = e.kind == kind::allocation || e.kind == kind::accrual || e.kind == kind::reversal ||
                                   e.kind == kind::shortfall || e.kind == kind::payment || e.kind == kind::forfeiture;
        const bool moves_reserved = e.kind == kind::reservation || e.kind == kind::release;
        if (!moves_balance && !moves_reserved && e.amount.signum() != 0) broken(e, "a step that moves nothing has an amount");
        const bool credit = e.kind == kind::allocation || e.kind == kind::accrual || e.kind == kind::reservation;
        if (e.amount.signum() < 0 && credit) broken(e, "a credit below zero");
        if (e.amount.signum() > 0 && !credit) broken(e, "a debit above zero");
        if (moves_balance) a.balance += e.amount;
        if (moves_reserved) a.reserved += e.amount;
        // An earlier entry of this account, by number (nullptr: none).
        auto earlier = [&](std::uint64_t n) -> const ledger_entry* {
            if (n == 0 || n >= e.number) return nullptr;
            const ledger_entry& x = ledger[n - 1];
            return x.fund == e.fund && x.partner == e.partner ? &x : nullptr;
        };
        if (e.reservation != 0) {  // a payment against a reservation draws it down by what it pays
            const ledger_entry* r = earlier(e.reservation);
            if (e.kind != kind::payment || r == nullptr || r->kind != kind::reservation)
                broken(e, "it draws down entry " + std::to_string(e.reservation) + ", not an earlier reservation of this account");
            a.reserved += e.amount;
            auto& rest = left[e.reservation];
            rest += e.amount;
            if (rest.signum() < 0) broken(e, "it draws more than is left of reservation " + std::to_string(e.reservation));
        }
        if (e.balance_after != a.balance) broken(e, "balance after " + e.balance_after.to_string() + ", the entries give " + a.balance.to_string());
        if (e.reserved_after != a.reserved)
            broken(e, "reserved after " + e.reserved_after.to_string() + ", the entries give " + a.reserved.to_string());
        if (e.available_after != a.balance - a.reserved) broken(e, "available is not balance - reserved");
        if (a.reserved.signum() < 0) broken(e, "reserved below zero");
        if (e.kind == kind::allocation || e.kind == kind::accrual || e.kind == kind::reservation) left[e.number] = e.amount;
        if (e.consumes != 0) {
            const ledger_entry* drawn_on = earlier(e.consumes);
            if (drawn_on == nullptr)
                broken(e, "it draws on entry " + std::to_string(e.consumes) + ", not an earlier lot or reservation of this account");
            const kind drawn = drawn_on->kind;
            const bool on_lot = drawn == kind::allocation || drawn == kind::accrual;
            if (e.kind == kind::release ? drawn != kind::reservation : !on_lot)
                broken(e, "it draws on entry " + std::to_string(e.consumes) + ", a " + std::string(to_string(drawn)));
            auto& rest = left[e.consumes];
            rest += e.amount;  // debits and releases are below zero
            if (rest.signum() < 0) broken(e, "it draws more than is left of entry " + std::to_string(e.consumes));
        }
    }
}

/// Replays the fund events and the lines of rules that credit a fund into the ledger.
class fund_ledger {
public:
    fund_ledger(const program& p, const catalog& cat) : p_(p), cat_(cat), minor_(p.currency_.minor_units()) {}

    std::vector<ledger_entry> replay(const std::vector<payout_line>& lines, const std::vector<fund_event>& events) {
        collect_actions(lines, events);
        std::int32_t horizon = p_.cal.to().days();
        for (std::size_t k = 0; k < actions_.size(); ++k) {
            const action& a = actions_[k];
            expire_through(a.day);
            switch (a.what) {
                case action::credit_event: allocate(events[a.index]); break;
                case action::rule_credit: {  // the day's rule credits, which follow one another, together
                    std::size_t end = k;
                    while (end < actions_.size() && actions_[end].what == action::rule_credit && actions_[end].day == a.day) ++end;
                    rule_credits(k, end);
                    k = end - 1;
                    break;
                }
                case action::reversal: reverse(credits_[a.index]); break;
                case action::request: request(events[a.index]); break;
                case action::approval: approve(events[a.index]); break;
                case action::claim: claim(events[a.index]); break;
                case action::claim_approval: decide_claim(events[a.index]); break;
            }
            horizon = std::max(horizon, a.day);
        }
        expire_through(horizon);
        reconcile_ledger(out_);
        return std::move(out_);
    }

private:
    // ---- what is replayed, in order ---------------------------------------------------------
    struct action {
        // The kind order of one day: allocations, then rule credits (shared out pro rata under the
        // fund's budget), reversals, requests, approvals, claims, claim approvals. Forfeitures and
        // releases due by a day come before all of them.
        enum what_t : unsigned char { credit_event, rule_credit, reversal, request, approval, claim, claim_approval };
        std::int32_t day = 0;
        what_t what = credit_event;
        std::string id;
        std::size_t index = 0;  // into the events, or into credits_
    };
    /// A rule's net line for one partner and period, credited (or, below zero, taken back).
    struct rule_line {
        std::size_t fund = 0;
        std::uint32_t partner = 0;
        std::int32_t day = 0;
        decimal amount;
        std::string id;  // rule/partner/period
    };

    void collect_actions(const std::vector<payout_line>& lines, const std::vector<fund_event>& events) {
        const auto rule_fund = fund_credited(p_);  // rules and referral programs
        std::map<std::tuple<std::string, std::string, date>, rule_line> net;  // by rule, partner, period start
        for (const auto& l : lines) {
            auto f = rule_fund.find(l.rule);
            if (f == rule_fund.end()) continue;
            auto [it, fresh] = net.try_emplace({l.rule, l.beneficiary, l.period_start});
            if (fresh) {
                const period_unit unit = f->second.per;
                it->second.fund = fund_index(f->second.fund);
                it->second.partner = *cat_.partner_index(l.beneficiary);
                it->second.day = p_.cal.period_at(p_.cal.index_of(l.period_start, unit), unit).to.days() - 1;
                it->second.id = l.rule + "/" + l.beneficiary + "/" + l.period;
            }
            it->second.amount += l.amount;
        }
        for (auto& [key, c] : net) {
            if (c.amount.signum() == 0) continue;
            const bool back = c.amount.signum() < 0;
            actions_.push_back({c.day, back ? action::reversal : action::rule_credit, c.id, credits_.size()});
            credits_.push_back(std::move(c));
        }
        for (std::size_t i = 0; i < events.size(); ++i) {
            const auto& e = events[i];
            constexpr action::what_t by_step[] = {action::credit_event, action::request, action::approval, action::claim,
                                                  action::claim_approval};
            actions_.push_back({e.day, by_step[static_cast<int>(e.step)], e.id, i});
        }
        std::sort(actions_.begin(), actions_.end(), [](const action& a, const action& b) {
            return std::tie(a.day, a.what, a.id) < std::tie(b.day, b.what, b.id);
        });
    }

    // ---- accounts, lots and reservations ------------------------------------------------------
    struct lot {
        std::uint64_t entry = 0;
        std::size_t account = 0;
        decimal left;
        std::optional<std::int32_t> last_day;
    };
    struct account {
        std::size_t fund = 0;
        std::uint32_t partner = 0;
        decimal balance, reserved;
        std::vector<std::size_t> lots;  // into lots_, in credit order
    };
    struct reservation {
        std::uint64_t entry = 0;
        std::size_t account = 0;
        decimal left;
        std::int32_t deadline = 0;  // the last day a claim is taken
        std::string request;        // the request it reserves for
    };
    struct request_state {
        std::size_t account = 0;
        decimal asked;
        std::int32_t deadline = 0;
        bool decided = false;
        std::optional<std::size_t> reservation;  // into reservations_, once approved
    };
    struct claim_state {
        std::size_t account = 0;
        decimal cost;
        std::string request;  // "" for a claim on the available balance
        bool open = true;     // false once rejected or decided
    };

    std::size_t account_of(std::size_t fund, std::uint32_t partner) {
        // A dense index by (fund, partner): a lookup per step, on the replay's hot path.
        if (account_index_.empty()) account_index_.assign(p_.funds.size() * cat_.partners().size(), none);
        auto& slot = account_index_[fund * cat_.partners().size() + partner];
        if (slot == none) {
            slot = static_cast<std::uint32_t>(accounts_.size());
            accounts_.push_back({fund, partner, zero(), zero(), {}});
        }
        return slot;
    }
    static constexpr std::uint32_t none = 0xFFFFFFFFu;

    ledger_entry& entry(std::size_t acc, std::int32_t day, ledger_entry::kind_t k, decimal amount, std::string event,
                        std::string reason, std::uint64_t consumes = 0, std::uint64_t drawn_reservation = 0) {
        auto& a = accounts_[acc];
        using kind = ledger_entry::kind_t;
        if (k == kind::reservation || k == kind::release) a.reserved += amount;
        else a.balance += amount;
        if (drawn_reservation != 0) a.reserved += amount;
        ledger_entry& e = out_.emplace_back();
        e.number = out_.size();
        e.fund = p_.funds[a.fund].id;
        e.partner = cat_.partners()[a.partner].id;
        e.on = date(day);
        e.kind = k;
        e.amount = amount;
        e.balance_after = a.balance;
        e.reserved_after = a.reserved;
        e.available_after = a.balance - a.reserved;
        e.event = std::move(event);
        e.consumes = consumes;
        e.reservation = drawn_reservation;
        e.reason = std::move(reason);
        return e;
    }

    void add_lot(std::size_t acc, std::int32_t day, ledger_entry::kind_t k, const decimal& amount, std::string event, std::string reason) {
        const auto& f = p_.funds[accounts_[acc].fund];
        std::optional<std::int32_t> last;
        if (f.expires) last = rules::last_usable_day(*f.expires, date(day), p_.cal).days();
        ledger_entry& e = entry(acc, day, k, amount, std::move(event), std::move(reason));
        if (last) e.expires = date(*last);
        lots_.push_back({e.number, acc, amount, last});
        // The account's lots are kept in the order payments draw on them: the soonest to expire
        // first (then the oldest), or the oldest first.
        auto& order = accounts_[acc].lots;
        const bool by_expiry = f.claim_order == rules::fund::order_t::soonest_expiring;
        auto before = [&](std::size_t x, std::size_t y) {
            const auto &lx = lots_[x], &ly = lots_[y];
            if (by_expiry && lx.last_day.has_value() != ly.last_day.has_value()) return lx.last_day.has_value();
            if (by_expiry && lx.last_day != ly.last_day) return *lx.last_day < *ly.last_day;
            return lx.entry < ly.entry;
        };
        order.insert(std::upper_bound(order.begin(), order.end(), lots_.size() - 1, before), lots_.size() - 1);
        if (last) due_.insert({*last + 1, 0, lots_.size() - 1});
    }

    /// Draws `amount` (> 0) from the account's lots in the fund's order, one entry per lot; returns
    /// what the lots could not cover.
    decimal draw(std::size_t acc, std::int32_t day, ledger_entry::kind_t k, decimal amount, const std::string& event,
                 const std::string& reason, std::uint64_t drawn_reservation = 0) {
        auto& a = accounts_[acc];
        for (std::size_t li : a.lots) {  // already in the fund's order (add_lot)
            if (amount.signum() == 0) break;
            auto& l = lots_[li];
            if (l.left.signum() == 0) continue;
            decimal take = l.left < amount ? l.left : amount;
            l.left -= take;
            amount -= take;
            entry(acc, day, k, -take, event, reason, l.entry, drawn_reservation);
        }
        std::erase_if(a.lots, [&](std::size_t li) { return lots_[li].left.signum() == 0; });
        return amount;
    }

    /// Forfeits the lots and releases the reservations due by `day` (a lot is due the day after its
    /// last usable day, a reservation the day after its claim deadline: before that day's steps),
    /// in due order.
    void expire_through(std::int32_t day) {
        while (!due_.empty() && std::get<0>(*due_.begin()) <= day) {
            auto [due, what, index] = *due_.begin();
            due_.erase(due_.begin());
            if (what == 0) {
                auto& l = lots_[index];
                if (l.left.signum() == 0) continue;
                decimal left = l.left;
                l.left = zero();
                auto& lots = accounts_[l.account].lots;
                std::erase(lots, index);
                entry(l.account, due, ledger_entry::kind_t::forfeiture, -left, out_[l.entry - 1].event,
                      "unused after its last usable day " + date(*l.last_day).to_string(), l.entry);
            } else {
                auto& r = reservations_[index];
                if (r.left.signum() == 0) continue;
                decimal left = r.left;
                r.left = zero();
                entry(r.account, due, ledger_entry::kind_t::release, -left, r.request,
                      "unclaimed after the claim deadline " + date(r.deadline).to_string() + " of request \"" + r.request + "\"", r.entry);
            }
        }
    }

    // ---- the steps ------------------------------------------------------------------------------
    void reject(std::size_t acc, const fund_event& e, std::string why) {
        entry(acc, e.day, ledger_entry::kind_t::rejection, zero(), e.id, std::move(why));
    }

    /// Whether `amount` fits the fund's budget for the period of `day`; takes it when it does.
    bool within_budget(std::size_t fund, std::int32_t day, const decimal& amount, decimal* left_out = nullptr) {
        const auto& f = p_.funds[fund];
        if (!f.budget) return true;
        auto& used = budget_used_[{fund, p_.cal.index_of(date(day), f.budget->per)}];
        decimal left = f.budget->amount - used;
        if (left_out) *left_out = left;
        if (left < amount) return false;
        used += amount;
        return true;
    }

    void allocate(const fund_event& e) {
        const std::size_t f = fund_index(e.fund);
        const std::size_t acc = account_of(f, e.partner);
        const decimal amount = money(e.amount);
        decimal left;
        if (!within_budget(f, e.day, amount, &left))
            return reject(acc, e, "allocation of " + amount.to_string() + " over the fund's budget for " + budget_label(f, e.day) +
                                      " (" + left.to_string() + " left)");
        add_lot(acc, e.day, ledger_entry::kind_t::allocation, amount, e.id, "");
    }

    /// The rule credits of one day (actions [begin, end)) are taken together, fund by fund: under a
    /// fund's budget they share what is left pro rata (exactly, by largest remainder, ties to the
    /// earlier id).
    void rule_credits(std::size_t begin, std::size_t end) {
        std::map<std::size_t, std::vector<std::size_t>> by_fund;
        for (std::size_t k = begin; k < end; ++k) by_fund[credits_[actions_[k].index].fund].push_back(actions_[k].index);
        const std::int32_t day = actions_[begin].day;
        for (const auto& [fund, group] : by_fund) {
            std::vector<decimal> asked;
            decimal total = zero();
            for (auto i : group) {
                asked.push_back(credits_[i].amount);
                total += credits_[i].amount;
            }
            std::vector<decimal> given = asked;
            std::string cut;
            if (decimal left; !within_budget(fund, day, total, &left)) {
                given = incentives::allocate(left.rescale(std::max(left.scale(), minor_), rounding_mode::unnecessary), asked, minor_);
                within_budget(fund, day, left);
                cut = "the fund's budget for " + budget_label(fund, day) + " had " + left.to_string() + " left for " + total.to_string() +
                      " of credits: shared pro rata";
            }
            for (std::size_t k = 0; k < group.size(); ++k) {
                const auto& c = credits_[group[k]];
                const std::size_t acc = account_of(c.fund, c.partner);
                std::string why = cut.empty() ? "" : cut + " (" + asked[k].to_string() + " asked)";
                if (given[k].signum() == 0) entry(acc, day, ledger_entry::kind_t::rejection, zero(), c.id, why);
                else add_lot(acc, day, ledger_entry::kind_t::accrual, given[k], c.id, why);
            }
        }
    }

    void reverse(const rule_line& c) {
        const std::size_t acc = account_of(c.fund, c.partner);
        const decimal back = -c.amount;
        decimal uncovered = draw(acc, c.day, ledger_entry::kind_t::reversal, back, c.id, "clawback of the rule's credit");
        if (uncovered.signum() > 0)
            entry(acc, c.day, ledger_entry::kind_t::shortfall, -uncovered, c.id,
                  "clawback beyond the account's lots: owed back from later credits");
    }

    void request(const fund_event& e) {
        const std::size_t f = fund_index(e.fund);
        const std::size_t acc = account_of(f, e.partner);
        const decimal asked = money(e.amount);
        const std::int32_t deadline = e.activity_end.value_or(e.day) + p_.funds[f].claim_days;
        requests_[e.id] = {acc, asked, deadline, false, std::nullopt};
        entry(acc, e.day, ledger_entry::kind_t::request, zero(), e.id,
              "asks " + asked.to_string() + "; claims taken through " + date(deadline).to_string());
    }

    void approve(const fund_event& e) {
        auto it = requests_.find(e.reference);
        if (it == requests_.end()) return orphan(e, "the approval names request \"" + e.reference + "\", which was not made before it");
        auto& rq = it->second;
        const decimal approved = money(e.amount);
        if (rq.decided) return reject(rq.account, e, "request \"" + e.reference + "\" was already decided");
        rq.decided = true;
        // Approved after its claim deadline, a request could take no claim: nothing is reserved (a
        // release would come before the reservation it releases).
        if (e.day > rq.deadline)
            return reject(rq.account, e, "approved after the claim deadline " + date(rq.deadline).to_string() + " of request \"" +
                                             e.reference + "\": nothing could be claimed against it");
        if (approved.signum() == 0) return reject(rq.account, e, "request \"" + e.reference + "\" rejected" + because(e));
        if (rq.asked < approved)
            return reject(rq.account, e, "approves " + approved.to_string() + ", more than the " + rq.asked.to_string() + " requested");
        const auto& a = accounts_[rq.account];
        if (a.balance - a.reserved < approved)
            return reject(rq.account, e, "approves " + approved.to_string() + ", over the available " + (a.balance - a.reserved).to_string());
        ledger_entry& r = entry(rq.account, e.day, ledger_entry::kind_t::reservation, approved, e.id,
                                "request \"" + e.reference + "\" approved" + because(e));
        rq.reservation = reservations_.size();
        reservations_.push_back({r.number, rq.account, approved, rq.deadline, e.reference});
        due_.insert({rq.deadline + 1, 1, reservations_.size() - 1});
    }

    void claim(const fund_event& e) {
        const decimal cost = money(e.amount);
        std::string proof = e.note.empty() ? "" : " (proof " + e.note + ")";
        if (!e.reference.empty()) {
            auto it = requests_.find(e.reference);
            if (it == requests_.end()) {
                if (!e.fund.empty()) {
                    const std::size_t acc = account_of(fund_index(e.fund), e.partner);
                    claims_[e.id] = {acc, cost, e.reference, false};
                    return reject(acc, e, "claims against request \"" + e.reference + "\", which was not made before it");
                }
                return orphan(e, "the claim names request \"" + e.reference + "\", which was not made before it");
            }
            const auto& rq = it->second;
            claims_[e.id] = {rq.account, cost, e.reference, true};
            auto& c = claims_[e.id];
            const auto& acc = accounts_[rq.account];
            if (acc.partner != e.partner) {
                c.open = false;
                return reject(rq.account, e, "request \"" + e.reference + "\" is partner " + cat_.partners()[acc.partner].id + "'s");
            }
            if (!rq.reservation) {
                c.open = false;
                return reject(rq.account, e, "request \"" + e.reference + "\" is not approved");
            }
            if (e.day > rq.deadline) {
                c.open = false;
                return reject(rq.account, e, "claimed after the deadline " + date(rq.deadline).to_string() + " of request \"" + e.reference + "\"");
            }
            entry(rq.account, e.day, ledger_entry::kind_t::claim, zero(), e.id,
                  "claims a cost of " + cost.to_string() + " against request \"" + e.reference + "\"" + proof);
            return;
        }
        const std::size_t f = fund_index(e.fund);
        const std::size_t acc = account_of(f, e.partner);
        claims_[e.id] = {acc, cost, "", true};
        if (p_.funds[f].requires_approval) {
            claims_[e.id].open = false;
            return reject(acc, e, "fund \"" + p_.funds[f].id + "\" pays only claims against an approved request");
        }
        entry(acc, e.day, ledger_entry::kind_t::claim, zero(), e.id, "claims a cost of " + cost.to_string() + proof);
    }

    void decide_claim(const fund_event& e) {
        auto it = claims_.find(e.reference);
        if (it == claims_.end()) return orphan(e, "the decision names claim \"" + e.reference + "\", which was not made before it");
        auto& c = it->second;
        if (accounts_[c.account].partner != e.partner)
            return reject(c.account, e, "claim \"" + e.reference + "\" is partner " + cat_.partners()[accounts_[c.account].partner].id + "'s");
        if (!c.open) return reject(c.account, e, "claim \"" + e.reference + "\" is not open (rejected or already decided)");
        c.open = false;
        const decimal cost = money(e.amount);
        if (cost.signum() == 0) return reject(c.account, e, "claim \"" + e.reference + "\" rejected" + because(e));
        if (c.cost < cost)
            return reject(c.account, e, "approves a cost of " + cost.to_string() + ", more than the " + c.cost.to_string() + " claimed");
        const auto& f = p_.funds[accounts_[c.account].fund];
        const decimal pay = (cost * f.reimbursement).rescale(minor_, p_.rounding.mode);
        std::string paid_as = f.reimbursement == decimal(1) ? "" : " (" + pct(f.reimbursement) + " of " + cost.to_string() + ")";
        auto& a = accounts_[c.account];
        if (pay.signum() == 0)  // approved, but the reimbursed part rounds to nothing: said, not silent
            return reject(c.account, e, "claim \"" + e.reference + "\" pays 0.00" + paid_as + ": nothing to pay");
        if (!c.request.empty()) {
            auto& rs = reservations_[*requests_.at(c.request).reservation];
            if (rs.left < pay)
                return reject(c.account, e, "pays " + pay.to_string() + paid_as + ", more than the " + rs.left.to_string() +
                                                " that remains approved on request \"" + c.request + "\"");
            if (a.balance < pay)
                return reject(c.account, e, "pays " + pay.to_string() + paid_as + ", more than the account's balance " +
                                                a.balance.to_string() + " (its credit expired or was taken back)");
            rs.left -= pay;
            draw(c.account, e.day, ledger_entry::kind_t::payment, pay, e.id,
                 "claim \"" + e.reference + "\" against request \"" + c.request + "\"" + paid_as, rs.entry);
            return;
        }
        if (a.balance - a.reserved < pay)
            return reject(c.account, e, "pays " + pay.to_string() + paid_as + ", over the available " + (a.balance - a.reserved).to_string());
        draw(c.account, e.day, ledger_entry::kind_t::payment, pay, e.id, "claim \"" + e.reference + "\"" + paid_as);
    }

    /// An approval or decision naming nothing known: the account is the event's partner in the
    /// fund it names, or, without one, in the program's first fund.
    void orphan(const fund_event& e, std::string why) {
        const std::size_t f = e.fund.empty() ? 0 : fund_index(e.fund);
        reject(account_of(f, e.partner), e, std::move(why));
    }

    // ---- small helpers ----------------------------------------------------------------------------
    [[nodiscard]] decimal zero() const { return decimal::from_units(0, minor_); }
    [[nodiscard]] decimal money(std::int64_t units) const {
        decimal d = decimal::from_units(units, p_.amount_scale());
        return d.scale() < minor_ ? d.rescale(minor_, rounding_mode::unnecessary) : d;
    }
    [[nodiscard]] std::size_t fund_index(std::string_view id) const {
        for (std::size_t i = 0; i < p_.funds.size(); ++i)
            if (p_.funds[i].id == id) return i;
        throw calculation_error("incentives.calculation.ledger", "no fund \"" + std::string(id) + "\"");  // intake checked it
    }
    [[nodiscard]] std::string budget_label(std::size_t fund, std::int32_t day) const {
        const auto& b = *p_.funds[fund].budget;
        return p_.cal.period_at(p_.cal.index_of(date(day), b.per), b.per).label;
    }
    static std::string because(const fund_event& e) { return e.note.empty() ? "" : ": " + e.note; }
    static std::string pct(const decimal& fraction) {
        return (fraction * decimal(100)).normalized().to_string() + "%";
    }

    const program& p_;
    const catalog& cat_;
    const int minor_;
    std::vector<action> actions_;
    std::vector<rule_line> credits_;
    std::vector<account> accounts_;
    std::vector<std::uint32_t> account_index_;  // by fund * partners + partner: into accounts_, or none
    std::vector<lot> lots_;
    std::vector<reservation> reservations_;
    std::unordered_map<std::string, request_state> requests_;
    std::unordered_map<std::string, claim_state> claims_;
    std::map<std::pair<std::size_t, std::int32_t>, decimal> budget_used_;
    std::set<std::tuple<std::int32_t, int, std::size_t>> due_;  // (due day, 0 lot / 1 reservation, index)
    std::vector<ledger_entry> out_;
};

}  // namespace incentives::detail

namespace incentives {

/// The fund accounts as of a day (entries dated after it are not counted), sorted by fund and
/// partner: balance, reserved, available, and what of the open lots expires in 0-30, 31-60 and
/// 61-90 days.
[[nodiscard]] inline std::vector<fund_balance> fund_balances(std::span<const ledger_entry> ledger, date as_of) {
    using kind = ledger_entry::kind_t;
    std::map<std::pair<std::string, std::string>, fund_balance> out;
    std::map<std::uint64_t, std::pair<const ledger_entry*, decimal>> lots;  // lot -> (entry, left)
    for (const auto& e : ledger) {
        if (as_of < e.on) continue;
        auto [it, fresh] = out.try_emplace({e.fund, e.partner});
        auto& b = it->second;
        if (fresh) {
            b.fund = e.fund;
            b.partner = e.partner;
            b.as_of = as_of;
        }
        b.balance = e.balance_after;
        b.reserved = e.reserved_after;
        b.available = e.available_after;
        if (e.kind == kind::allocation || e.kind == kind::accrual) lots[e.number] = {&e, e.amount};
        if (e.consumes != 0)
            if (auto l = lots.find(e.consumes); l != lots.end()) l->second.second += e.amount;
    }
    for (auto& [key, b] : out) b.expiring_30 = b.expiring_60 = b.expiring_90 = decimal::from_units(0, b.balance.scale());
    for (const auto& [number, lot] : lots) {
        const auto& [e, left] = lot;
        if (!e->expires || left.signum() == 0) continue;
        const std::int32_t in = e->expires->days() - as_of.days();
        auto& b = out.at({e->fund, e->partner});
        if (in < 0) continue;
        if (in <= 30) b.expiring_30 += left;
        else if (in <= 60) b.expiring_60 += left;
        else if (in <= 90) b.expiring_90 += left;
    }
    std::vector<fund_balance> v;
    v.reserve(out.size());
    for (auto& [key, b] : out) v.push_back(std::move(b));
    return v;
}

}  // namespace incentives
