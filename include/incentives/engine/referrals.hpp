// Stage 4d, referrals (after settle, beside deals and funds): each referral program's touches and
// conversions replayed in one total order (date, then touch < signup < payment < refund, then id),
// so that who referred a customer never depends on input order, batch split or threads.
//
// Attribution is decided once per customer, at its first conversion (a sign-up or a payment), from
// the touches before it: a partner's touch counts for conversions up to `window_days` after it (from
// the partner's latest touch when windows restart, else from the touch that opened the window);
// among the partners whose windows are open, the first or the last touch wins; with `lock` the
// customer's first counted touch binds it for good. Self-referrals and inactive partners are left
// out, each with its reason. Later conversions follow the decision.
//
// Bounties are kept per item (the sign-up, each payment) as a target — what the item is worth now,
// from the program's bounty and the customer's payments net of refunds — and the entries move each
// item to its target: earned (held until `until`), released when the hold ends (a payout line, or a
// fund credit), cancelled while held, clawed back once released. Every run reconciles each item:
// earned + cancelled = released + held, released + clawbacks = what the lines pay.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <incentives/engine/catalog.hpp>
#include <incentives/engine/ledger_event.hpp>
#include <incentives/engine/result.hpp>
#include <incentives/engine/stage_lines.hpp>
#include <incentives/errors.hpp>
#include <incentives/program.hpp>

namespace incentives::detail {

/// The days a partner may earn referral bounties: its attributes active_from and active_until
/// (YYYY-MM-DD, either may be absent). Throws input_error naming the partner for a bad date.
struct partner_activity {
    std::optional<date> from, until;
    [[nodiscard]] bool on(std::int32_t day) const {
        return (!from || from->days() <= day) && (!until || day <= until->days());
    }
};
[[nodiscard]] inline std::vector<partner_activity> partner_activities(const catalog& cat) {
    std::vector<partner_activity> out(cat.partners().size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto& pa = cat.partners()[i];
        out[i].from = date_attribute(pa.attrs, "active_from", "partner", pa.id);
        out[i].until = date_attribute(pa.attrs, "active_until", "partner", pa.id);
    }
    return out;
}

class referral_ledger {
public:
    referral_ledger(const program& p, const rules::referral_program& rp, const catalog& cat)
        : p_(p), rp_(rp), cat_(cat), minor_(p.currency_.minor_units()), active_(partner_activities(cat)) {}

    /// Replays the events of this program (those whose `referral` is its id) into `r.referrals` and
    /// `r.lines`.
    void replay(const std::vector<referral_event>& all, result& r) {
        struct step {
            const referral_event* e;
            referral_step as;  // a conversion that names a partner (a code) is also a touch
        };
        std::vector<step> order;
        for (const auto& e : all) {
            if (e.referral != rp_.id) continue;
            const bool converts = e.step == referral_step::signup || e.step == referral_step::payment;
            if (converts && e.partner != referral_event::no_partner) order.push_back({&e, referral_step::touch});
            order.push_back({&e, e.step});
        }
        std::sort(order.begin(), order.end(), [](const step& a, const step& b) {
            return std::tuple(a.e->day, a.as, std::string_view(a.e->id)) < std::tuple(b.e->day, b.as, std::string_view(b.e->id));
        });
        entries_ = &r.referrals;
        first_entry_ = r.referrals.size();
        std::int32_t last = p_.cal.to().days();
        for (const auto& s : order) {
            release_through(s.e->day);
            last = std::max(last, s.e->day);
            switch (s.as) {
                case referral_step::touch: touch(*s.e); break;
                case referral_step::signup: signup(*s.e); break;
                case referral_step::payment: payment(*s.e); break;
                case referral_step::refund: refund(*s.e); break;
            }
        }
        release_through(last);
        reconcile();
        add_stage_lines(r, p_, cat_, money_, rp_.id, rp_.per, "referred customers");
    }

private:
    static constexpr std::uint32_t none = referral_event::no_partner;
    using kind = referral_entry::kind_t;

    struct window {  // one partner's touches of one customer: the window open now
        std::int32_t opened = 0, last = 0;
        std::string opened_id, last_id;
    };
    struct hold {
        decimal amount;  // what remains held
        std::int32_t earned = 0;  // the day it was earned: its line's period
        std::uint64_t entry = 0;  // its earned entry
    };
    struct item {  // a bounty item: the sign-up or one payment
        std::string event;
        std::int32_t day = 0;
        bool signup = false;
        bool counts = false;                  // a payment the bounty counts (in the program, within the months)
        std::int64_t paid = 0, refunded = 0;  // payments: units at the amount places
        decimal target, released;
        std::vector<hold> holds;
        [[nodiscard]] decimal held() const {
            decimal h;
            for (const auto& x : holds) h += x.amount;
            return h;
        }
    };
    struct customer_state {
        std::map<std::uint32_t, window> windows;  // by partner
        std::uint32_t locked = none;
        std::string locked_touch;
        std::int32_t locked_day = 0;
        bool decided = false;
        std::uint32_t partner = none;
        bool signed_up = false;
        std::optional<std::int32_t> first_payment;
        std::vector<item> items;
    };

    referral_entry& entry(const std::string& customer, std::uint32_t partner, std::int32_t day, kind k, const std::string& event,
                          std::string reason, decimal amount = decimal()) {
        referral_entry& x = story_entry(*entries_, day, k, event, std::move(reason), amount, minor_);
        x.referral = rp_.id;
        x.customer = customer;
        x.partner = partner == none ? std::string() : cat_.partners()[partner].id;
        return x;
    }
    [[nodiscard]] const std::string& partner_id(std::uint32_t p) const { return cat_.partners()[p].id; }
    [[nodiscard]] decimal money(std::int64_t units) const { return decimal::from_units(units, p_.amount_scale()); }

    [[nodiscard]] bool self_referral(std::uint32_t partner, const std::string& customer) const {
        if (partner_id(partner) == customer) return true;
        auto pi = cat_.participant_index(customer);
        return pi && cat_.partner_of(*pi) == partner;
    }

    void touch(const referral_event& e) {
        if (!rp_.allow_self_referrals && self_referral(e.partner, e.customer)) {
            entry(e.customer, e.partner, e.day, kind::ignored, e.id,
                  "a self-referral: customer \"" + e.customer + "\" is partner " + partner_id(e.partner) +
                      (partner_id(e.partner) == e.customer ? "" : "'s own person"));
            return;
        }
        auto& c = customers_[e.customer];
        auto [it, fresh] = c.windows.try_emplace(e.partner);
        window& w = it->second;
        // A touch after the window closed opens a new one; with restart every touch moves its end.
        const std::int32_t end = (rp_.restart ? w.last : w.opened) + rp_.window_days;
        if (fresh || e.day > end) {
            w.opened = e.day;
            w.opened_id = e.id;
        }
        w.last = e.day;
        w.last_id = e.id;
        if (c.locked == none) {
            c.locked = e.partner;
            c.locked_touch = e.id;
            c.locked_day = e.day;
        }
    }

    [[nodiscard]] std::string activity_note(std::uint32_t p) const {
        const auto& a = active_[p];
        return "partner " + partner_id(p) + " is not active on that day (" + (a.from ? "from " + a.from->to_string() : std::string()) +
               (a.from && a.until ? " " : "") + (a.until ? "until " + a.until->to_string() : std::string()) + ")";
    }
    [[nodiscard]] bool active(std::uint32_t p, std::int32_t day) const { return rp_.allow_inactive_partners || active_[p].on(day); }

    /// The customer's first conversion: which partner it is attributed to, and why.
    void decide(customer_state& c, const referral_event& e) {
        c.decided = true;
        const std::string days = std::to_string(rp_.window_days);
        if (rp_.lock && c.locked != none) {
            if (!active(c.locked, e.day))
                return (void)entry(e.customer, none, e.day, kind::unattributed, e.id,
                                   "locked to partner " + partner_id(c.locked) + " by its touch \"" + c.locked_touch + "\" of " +
                                       date(c.locked_day).to_string() + ", but " + activity_note(c.locked));
            c.partner = c.locked;
            entry(e.customer, c.partner, e.day, kind::attributed, e.id,
                  "locked to partner " + partner_id(c.locked) + " by its first touch of " + date(c.locked_day).to_string())
                .touch = c.locked_touch;
            return;
        }
        const bool first = rp_.wins == rules::referral_program::wins_t::first;
        std::uint32_t best = none;
        std::vector<std::string> others, left_out;
        auto key = [&](const window& w) { return first ? std::tie(w.opened, w.opened_id) : std::tie(w.last, w.last_id); };
        for (const auto& [p, w] : c.windows) {
            const std::int32_t end = (rp_.restart ? w.last : w.opened) + rp_.window_days;
            if (e.day > end) {
                left_out.push_back(partner_id(p) + "'s window ended " + date(end).to_string());
                continue;
            }
            if (!active(p, e.day)) {
                left_out.push_back(activity_note(p));
                continue;
            }
            if (best == none) {
                best = p;
                continue;
            }
            const window& b = c.windows.at(best);
            const bool better = first ? key(w) < key(b) : key(b) < key(w);
            others.push_back(partner_id(better ? best : p));
            if (better) best = p;
        }
        auto tail = [&] {
            std::string t;
            if (!others.empty()) {
                t += "; also in the window: ";
                for (std::size_t i = 0; i < others.size(); ++i) t += (i ? ", " : "") + others[i];
            }
            if (!left_out.empty()) {
                t += "; left out: ";
                for (std::size_t i = 0; i < left_out.size(); ++i) t += (i ? "; " : "") + left_out[i];
            }
            return t;
        };
        if (best == none) {
            entry(e.customer, none, e.day, kind::unattributed, e.id,
                  (c.windows.empty() ? "no partner touched the customer before its first conversion"
                                     : "no partner's touch within " + days + " days counts") +
                      tail());
            return;
        }
        c.partner = best;
        const window& w = c.windows.at(best);
        const std::string& touch = first ? w.opened_id : w.last_id;
        const std::int32_t touch_day = first ? w.opened : w.last;
        entry(e.customer, best, e.day, kind::attributed, e.id,
              std::string(first ? "first" : "last") + " touch \"" + touch + "\" of " + date(touch_day).to_string() + " by partner " +
                  partner_id(best) + ", within the " + days + "-day window" + tail())
            .touch = touch;
    }

    void signup(const referral_event& e) {
        auto& c = customers_[e.customer];
        if (c.signed_up) return (void)entry(e.customer, c.partner, e.day, kind::refused, e.id, "the customer already signed up");
        c.signed_up = true;
        if (!c.decided) decide(c, e);
        if (!rp_.bounty.per_signup || c.partner == none) return;
        auto& it = c.items.emplace_back();
        it.event = e.id;
        it.day = e.day;
        it.signup = true;
        if (!in_program(e, c)) return;
        it.counts = true;
        it.target = *rp_.bounty.per_signup;
        move_to_target(c, e.customer, it, e.day, e.id);
    }

    bool in_program(const referral_event& e, const customer_state& c) {
        std::string why;
        if (payable_day(p_, rp_.per, e.day, why)) return true;
        entry(e.customer, c.partner, e.day, kind::not_qualified, e.id, why + ": earns nothing");
        return false;
    }

    /// Whether a later payment of day `day` counts for the bounty: within `months` of the first
    /// (the first payment itself always counts).
    [[nodiscard]] bool counted(const customer_state& c, std::int32_t day) const {
        return rp_.bounty.months > 0 && day < date(*c.first_payment).plus_months(rp_.bounty.months).days();
    }

    void payment(const referral_event& e) {
        auto& c = customers_[e.customer];
        if (!c.decided) decide(c, e);
        const bool first = !c.first_payment;
        if (first) c.first_payment = e.day;
        auto& it = c.items.emplace_back();
        it.event = e.id;
        it.day = e.day;
        it.paid = e.amount;
        payments_[e.id] = {&c, &e.customer, c.items.size() - 1};
        if (c.partner == none) return;  // not referred: its unattributed entry says why
        if (!first && !counted(c, e.day))
            return (void)entry(e.customer, c.partner, e.day, kind::not_qualified, e.id,
                               rp_.bounty.months == 0
                                   ? "only the customer's first payment counts (of " + date(*c.first_payment).to_string() + ")"
                                   : "paid after the " + std::to_string(rp_.bounty.months) + " months counted from the first payment of " +
                                         date(*c.first_payment).to_string());
        if (!in_program(e, c)) return;
        it.counts = true;
        retarget(c, e.customer, e.day, e.id);
    }

    void refund(const referral_event& e) {
        auto at = payments_.find(e.reference);
        if (at == payments_.end()) {
            auto& c = customers_[e.customer];
            return (void)entry(e.customer, c.partner, e.day, kind::refused, e.id,
                               "the refund names payment \"" + e.reference + "\", which was not made before it");
        }
        auto& c = *at->second.state;
        auto& it = c.items[at->second.item];
        const std::string& customer = *at->second.customer;
        if (!e.customer.empty() && e.customer != customer)
            return (void)entry(e.customer, c.partner, e.day, kind::refused, e.id,
                               "the refund is for customer \"" + e.customer + "\", its payment \"" + e.reference + "\" for \"" +
                                   customer + "\"");
        if (it.refunded + e.amount > it.paid)
            return (void)entry(customer, c.partner, e.day, kind::refused, e.id,
                               "refunds of payment \"" + e.reference + "\" would exceed it (" + money(it.paid).to_string() + ")");
        it.refunded += e.amount;
        if (it.counts) retarget(c, customer, e.day, e.id);
    }

    /// Recomputes every counted payment's target from the customer's spend (net of refunds) and
    /// moves each to it.
    void retarget(customer_state& c, const std::string& customer, std::int32_t day, const std::string& event) {
        const auto& b = rp_.bounty;
        const bool over_months = b.spend_over == rules::bounty::spend_t::months;
        const item* first = nullptr;
        for (const auto& it : c.items)
            if (!it.signup) {
                first = &it;
                break;
            }
        int128 spend = 0;
        for (const auto& it : c.items)
            if (it.counts && (over_months || &it == first)) spend += it.paid - it.refunded;
        const decimal spent = decimal::from_units(spend, p_.amount_scale());
        const bool qualified = spend > 0 && spent >= b.min_spend;
        for (auto& it : c.items) {
            if (!it.counts || it.signup) continue;
            decimal t = decimal::from_units(0, minor_);
            if (qualified) {
                if (b.rate) t += (money(it.paid - it.refunded) * *b.rate).rescale(minor_, p_.rounding.mode);
                if (b.per_customer && &it == first) t += *b.per_customer;
            }
            if (!qualified && it.event == event && (it.held() + it.released).signum() == 0)
                entry(customer, c.partner, day, kind::not_qualified, event,
                      "the customer's spend " + spent.to_string() + (spend <= 0 ? " is not above 0" : " is below the minimum " + b.min_spend.to_string()) +
                          (over_months ? " (payments within " + std::to_string(b.months) + " months of the first)" : " (its first payment)"));
            it.target = t;
            move_to_target(c, customer, it, day, event);
        }
    }

    /// Entries that move an item from what it holds and has paid to its target.
    void move_to_target(customer_state& c, const std::string& customer, item& it, std::int32_t day, const std::string& event) {
        const decimal now = it.held() + it.released;
        if (it.target > now) {
            const decimal more = it.target - now;
            const std::int32_t release = date(day).plus_days(rp_.hold_days).days();
            const std::string what = it.signup ? "sign-up \"" + it.event + "\"" : "payment \"" + it.event + "\"";
            auto& x = entry(customer, c.partner, day, kind::earned, event, "bounty on " + what, more);
            x.until = date(rp_.hold_days == 0 ? day : release - 1);
            it.holds.push_back({more, day, x.number});
            due_.push({release, x.number, &c, &customer, static_cast<std::size_t>(&it - c.items.data())});
            if (rp_.hold_days == 0) release_through(day);
            return;
        }
        decimal less = now - it.target;
        for (auto h = it.holds.rbegin(); h != it.holds.rend() && less.signum() > 0; ++h) {
            if (h->amount.signum() == 0) continue;
            const decimal take = std::min(h->amount, less);
            h->amount -= take;
            less -= take;
            entry(customer, c.partner, day, kind::cancelled, event, "refunded while held: not paid", -take).reverses = h->entry;
        }
        if (less.signum() > 0) {
            if (std::string why; !payable_day(p_, rp_.per, day, why)) {
                entry(customer, c.partner, day, kind::refused, event, "a clawback of " + less.to_string() + " " + why + ": not taken");
                it.target = it.held() + it.released;  // what stays paid
                return;
            }
            it.released -= less;
            entry(customer, c.partner, day, kind::clawback, event, "refunded after the hold: taken back", -less).reverses =
                it.holds.back().entry;
            money_.push_back({c.partner, day, -less, customer});
        }
    }

    struct due {
        std::int32_t day;
        std::uint64_t entry;
        customer_state* state;
        const std::string* customer;
        std::size_t item;
        bool operator>(const due& o) const { return std::tie(day, entry) > std::tie(o.day, o.entry); }
    };

    void release_through(std::int32_t day) {
        while (!due_.empty() && due_.top().day <= day) {
            due d = due_.top();
            due_.pop();
            auto& c = *d.state;
            auto& it = c.items[d.item];
            for (auto& h : it.holds) {
                if (h.entry != d.entry || h.amount.signum() == 0) continue;
                const decimal amount = h.amount;
                h.amount = decimal::from_units(0, minor_);
                it.released += amount;
                entry(*d.customer, c.partner, d.day, kind::released, it.event,
                      rp_.hold_days == 0 ? "paid" : "held " + std::to_string(rp_.hold_days) + " days without a refund: paid", amount)
                    .reverses = h.entry;
                money_.push_back({c.partner, h.earned, amount, *d.customer});
            }
        }
    }

    /// Per bounty item: what was earned less what was cancelled equals what was released plus what
    /// is still held; and the lines' money equals released plus clawed back.
    void reconcile() const {
        std::map<std::uint64_t, decimal> open;  // earned entry -> what remains
        decimal paid;
        for (std::size_t k = first_entry_; k < entries_->size(); ++k) {
            const auto& x = (*entries_)[k];
            auto broken = [&](const std::string& what) {
                throw calculation_error("incentives.calculation.ledger", "the referral ledger does not reconcile at entry " +
                                                                             std::to_string(x.number) + " (" + std::string(to_string(x.kind)) +
                                                                             "): " + what);
            };
            switch (x.kind) {
                case kind::earned:
                    if (x.amount.signum() <= 0) broken("an earned bounty not above 0");
                    open[x.number] = x.amount;
                    break;
                case kind::released:
                case kind::cancelled: {
                    auto o = open.find(x.reverses);
                    const decimal take = x.kind == kind::released ? x.amount : -x.amount;
                    if (o == open.end() || take.signum() <= 0 || take > o->second) broken("more than its bounty holds");
                    o->second -= take;
                    if (x.kind == kind::released) paid += x.amount;
                    break;
                }
                case kind::clawback:
                    if (x.amount.signum() >= 0) broken("a clawback not below 0");
                    paid += x.amount;
                    if (paid.signum() < 0) broken("more taken back than was paid");
                    break;
                default:
                    if (x.amount.signum() != 0) broken("money on a step that moves none");
            }
        }
        decimal lines;
        for (const auto& m : money_) lines += m.amount;
        if (lines != paid) throw calculation_error("incentives.calculation.ledger", "the referral lines do not add up to the released bounties");
    }

    const program& p_;
    const rules::referral_program& rp_;
    const catalog& cat_;
    const int minor_;
    std::vector<partner_activity> active_;
    // Keys and customer names are views of the replayed events' strings (alive for the replay);
    // states are nodes, so pointers to them stay valid.
    std::unordered_map<std::string_view, customer_state> customers_;
    struct payment_at {
        customer_state* state;
        const std::string* customer;
        std::size_t item;
    };
    std::unordered_map<std::string_view, payment_at> payments_;  // by payment id
    std::priority_queue<due, std::vector<due>, std::greater<>> due_;
    std::vector<stage_money> money_;
    std::vector<referral_entry>* entries_ = nullptr;
    std::size_t first_entry_ = 0;
};

}  // namespace incentives::detail
