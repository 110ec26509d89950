// Stage 4c, deal registration (after settle, beside the fund ledger): the deal events the engine kept
// — registrations, approvals, rejections, extensions, funnel stages, lost deals, and the sales that
// close a registration by naming it in `reference` — replayed in one total order (date, then the
// step's kind order, then id), so that who owns a customer never depends on input order, batch
// split or threads. The story is `result.deals`; the money (stage rewards, bonuses, clawbacks of a
// lost deal's rewards) becomes payout lines of the deal registration's id, after the rules', and the
// statements are rebuilt with them.
//
// Conflicts: the first registration approved for a customer protects it; approving another one
// for the same customer while it is protected is a rejection that names the winner. Protection runs
// from the approval through approval + window (+ each extension, asked before it ends); the day
// after, the registration expires and the customer is free again.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <incentives/engine/catalog.hpp>
#include <incentives/engine/ledger_event.hpp>
#include <incentives/engine/stage_lines.hpp>
#include <incentives/engine/result.hpp>
#include <incentives/program.hpp>

namespace incentives::detail {

class deal_ledger {
public:
    deal_ledger(const program& p, const catalog& cat) : p_(p), d_(*p.deals), cat_(cat), minor_(p.currency_.minor_units()) {}

    void replay(const std::vector<deal_event>& events, result& r) {
        std::vector<std::size_t> order(events.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        // Kind order of one day: registrations, decisions, extensions, stages, closing sales, lost deals.
        constexpr int rank[] = {0, 1, 1, 2, 3, 5, 4};  // by deal_step
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            const auto &x = events[a], &y = events[b];
            return std::tuple(x.day, rank[static_cast<int>(x.step)], std::string_view(x.id)) <
                   std::tuple(y.day, rank[static_cast<int>(y.step)], std::string_view(y.id));
        });
        std::int32_t last = p_.cal.to().days();
        for (std::size_t i : order) {
            const auto& e = events[i];
            expire_through(e.day);
            last = std::max(last, e.day);
            switch (e.step) {
                case deal_step::registration: registration(e); break;
                case deal_step::approval: approval(e); break;
                case deal_step::rejection: rejection(e); break;
                case deal_step::extension: extension(e); break;
                case deal_step::stage: stage(e); break;
                case deal_step::lost: lost(e); break;
                case deal_step::close: close(e); break;
            }
        }
        expire_through(last);
        add_lines(r);
        r.deals = std::move(out_);
    }

private:
    enum class state_t : unsigned char { pending, approved, rejected, expired, won, lost };
    static std::string_view name(state_t s) {
        constexpr std::string_view names[] = {"pending", "approved", "rejected", "expired", "won", "lost"};
        return names[static_cast<int>(s)];
    }
    struct registration_state {
        std::uint32_t partner = 0;
        std::string customer;
        state_t state = state_t::pending;
        std::int32_t until = 0;  // the last protected day, once approved
        int extensions = 0;
        std::vector<std::pair<std::string, decimal>> paid;  // stage rewards, in order
        std::string closed_by;
    };

    deal_entry& entry(const std::string& reg, std::uint32_t partner, const std::string& customer, std::int32_t day,
                      deal_entry::kind_t k, const std::string& event, std::string reason, decimal amount = decimal()) {
        deal_entry& x = story_entry(out_, day, k, event, std::move(reason), amount, minor_);
        x.registration = reg;
        x.partner = cat_.partners()[partner].id;
        x.customer = customer;
        return x;
    }
    void refuse(const deal_event& e, std::string why) {
        entry(e.reference, e.partner, "", e.day, deal_entry::kind_t::refused, e.id, std::move(why));
    }
    registration_state* find(const deal_event& e, std::string_view what) {
        auto it = regs_.find(e.reference);
        if (it == regs_.end()) {
            refuse(e, std::string(what) + " names registration \"" + e.reference + "\", which was not made before it");
            return nullptr;
        }
        return &it->second;
    }
    /// Money is paid only for days inside the program's dates, as the rules pay only such events.
    bool payable(const deal_event& e, const std::string& reg, const registration_state& s, std::string_view what) {
        std::string why;
        if (payable_day(p_, d_.per, e.day, why)) return true;
        entry(reg, s.partner, s.customer, e.day, deal_entry::kind_t::refused, e.id, std::string(what) + " " + why + ": not paid");
        return false;
    }
    void pay(const std::string& reg, registration_state& s, const deal_event& e, deal_entry::kind_t k, const decimal& amount,
             std::string reason) {
        const deal_entry& x = entry(reg, s.partner, s.customer, e.day, k, e.id, std::move(reason), amount);
        money_.push_back({s.partner, e.day, x.amount, reg});
    }
    void free_customer(const std::string& reg, const registration_state& s) {
        if (auto it = protected_.find(s.customer); it != protected_.end() && it->second == reg) protected_.erase(it);
    }

    void expire_through(std::int32_t day) {
        while (!due_.empty() && due_.begin()->first <= day) {
            auto [due, reg] = *due_.begin();
            due_.erase(due_.begin());
            auto& s = regs_.at(reg);
            if (s.state != state_t::approved || s.until + 1 != due) continue;  // extended, closed or lost since
            s.state = state_t::expired;
            free_customer(reg, s);
            entry(reg, s.partner, s.customer, due, deal_entry::kind_t::expired, "",
                  "protection ended on " + date(s.until).to_string() + " without a close");
        }
    }

    void registration(const deal_event& e) {
        auto& s = regs_[e.id];
        s.partner = e.partner;
        s.customer = e.customer;
        const decimal expected = decimal::from_units(e.amount, p_.amount_scale());
        entry(e.id, e.partner, e.customer, e.day, deal_entry::kind_t::registered, e.id,
              e.amount > 0 ? "expected value " + expected.to_string() : "");
    }

    void approval(const deal_event& e) {
        auto* s = find(e, "the approval");
        if (!s) return;
        if (s->state != state_t::pending)
            return refuse(e, "registration \"" + e.reference + "\" was already decided (" + std::string(name(s->state)) + ")");
        if (auto other = protected_.find(s->customer); other != protected_.end()) {
            const auto& w = regs_.at(other->second);
            s->state = state_t::rejected;
            entry(e.reference, s->partner, s->customer, e.day, deal_entry::kind_t::rejected, e.id,
                  "customer \"" + s->customer + "\" is protected for partner " + cat_.partners()[w.partner].id + " by registration \"" +
                      other->second + "\" through " + date(w.until).to_string() + ": the first approved wins");
            return;
        }
        s->state = state_t::approved;
        s->until = rules::after(date(e.day), d_.window).days();
        protected_[s->customer] = e.reference;
        due_.insert({s->until + 1, e.reference});
        entry(e.reference, s->partner, s->customer, e.day, deal_entry::kind_t::approved, e.id,
              e.note.empty() ? "" : e.note)
            .until = date(s->until);
        for (const auto& [stage_name, reward] : d_.stages)
            if (stage_name == "registered" && payable(e, e.reference, *s, "the registered stage's reward")) {
                s->paid.emplace_back(stage_name, reward);
                pay(e.reference, *s, e, deal_entry::kind_t::stage_reward, reward, "stage registered");
            }
    }

    void rejection(const deal_event& e) {
        auto* s = find(e, "the rejection");
        if (!s) return;
        if (s->state != state_t::pending)
            return refuse(e, "registration \"" + e.reference + "\" was already decided (" + std::string(name(s->state)) + ")");
        s->state = state_t::rejected;
        entry(e.reference, s->partner, s->customer, e.day, deal_entry::kind_t::rejected, e.id, e.note);
    }

    void extension(const deal_event& e) {
        auto* s = find(e, "the extension");
        if (!s) return;
        if (s->state != state_t::approved)
            return refuse(e, "registration \"" + e.reference + "\" is not protected (" + std::string(name(s->state)) + ")");
        if (s->extensions >= d_.max_extensions)
            return refuse(e, "registration \"" + e.reference + "\" has no extension left (at most " + std::to_string(d_.max_extensions) + ")");
        ++s->extensions;
        s->until = rules::after(date(s->until), d_.extension).days();
        due_.insert({s->until + 1, e.reference});
        entry(e.reference, s->partner, s->customer, e.day, deal_entry::kind_t::extended, e.id,
              "extension " + std::to_string(s->extensions) + " of " + std::to_string(d_.max_extensions))
            .until = date(s->until);
    }

    void stage(const deal_event& e) {
        auto* s = find(e, "the stage");
        if (!s) return;
        if (s->state != state_t::approved)
            return refuse(e, "registration \"" + e.reference + "\" is not protected (" + std::string(name(s->state)) + ")");
        for (const auto& [done, amount] : s->paid)
            if (done == e.stage) return refuse(e, "stage " + e.stage + " of registration \"" + e.reference + "\" was already paid");
        const auto it = std::find_if(d_.stages.begin(), d_.stages.end(), [&](const auto& st) { return st.first == e.stage; });
        if (!payable(e, e.reference, *s, "stage " + e.stage)) return;
        s->paid.emplace_back(e.stage, it->second);
        pay(e.reference, *s, e, deal_entry::kind_t::stage_reward, it->second, "stage " + e.stage);
    }

    void close(const deal_event& e) {
        auto it = regs_.find(e.reference);
        auto no = [&](std::string why) {
            entry(e.reference, e.partner, it == regs_.end() ? "" : it->second.customer, e.day, deal_entry::kind_t::no_bonus, e.id,
                  std::move(why));
        };
        if (it == regs_.end()) return no("the sale names registration \"" + e.reference + "\", which was not made before it");
        auto& s = it->second;
        if (s.partner != e.partner)
            return no("registration \"" + e.reference + "\" is partner " + cat_.partners()[s.partner].id + "'s, the sale partner " +
                      cat_.partners()[e.partner].id + "'s");
        if (s.state == state_t::won) return no("registration \"" + e.reference + "\" was already closed by sale \"" + s.closed_by + "\"");
        if (s.state == state_t::expired)
            return no("closed after the protection of registration \"" + e.reference + "\" ended on " + date(s.until).to_string());
        if (s.state != state_t::approved) return no("registration \"" + e.reference + "\" is " + std::string(name(s.state)));
        s.state = state_t::won;
        s.closed_by = e.id;
        free_customer(e.reference, s);
        const decimal sale = decimal::from_units(e.amount, p_.amount_scale());
        decimal bonus = decimal::from_units(0, minor_);
        std::string how;
        if (d_.bonus_rate) {
            bonus += (sale * *d_.bonus_rate).rescale(minor_, p_.rounding.mode);
            how = (*d_.bonus_rate * decimal(100)).normalized().to_string() + "% of " + sale.to_string();
        }
        if (d_.bonus_fixed) {
            bonus += *d_.bonus_fixed;
            how += (how.empty() ? "" : " + ") + d_.bonus_fixed->to_string() + " per deal";
        }
        if (!payable(e, e.reference, s, "the close")) return;
        pay(e.reference, s, e, deal_entry::kind_t::bonus, bonus, "closed in the protection window (through " + date(s.until).to_string() +
                                                                   ")" + (how.empty() ? "" : ": " + how));
    }

    void lost(const deal_event& e) {
        auto* s = find(e, "the lost deal");
        if (!s) return;
        if (s->state != state_t::approved && s->state != state_t::pending)
            return refuse(e, "registration \"" + e.reference + "\" is " + std::string(name(s->state)));
        s->state = state_t::lost;
        free_customer(e.reference, *s);
        entry(e.reference, s->partner, s->customer, e.day, deal_entry::kind_t::lost, e.id, e.note);
        if (!d_.clawback_lost) return;
        for (const auto& [stage_name, reward] : s->paid)
            if (payable(e, e.reference, *s, "the clawback of stage " + stage_name))
                pay(e.reference, *s, e, deal_entry::kind_t::clawback, -reward, "stage " + stage_name + " of a lost deal");
    }

    void add_lines(result& r) const {
        add_stage_lines(r, p_, cat_, money_, d_.id, d_.per, "registered deals");
    }

    const program& p_;
    const rules::deal_registration& d_;
    const catalog& cat_;
    const int minor_;
    std::map<std::string, registration_state, std::less<>> regs_;
    std::map<std::string, std::string, std::less<>> protected_;  // customer -> the registration protecting it
    std::set<std::pair<std::int32_t, std::string>> due_;           // (the day after protection ends, registration)
    std::vector<stage_money> money_;
    std::vector<deal_entry> out_;
};

}  // namespace incentives::detail
