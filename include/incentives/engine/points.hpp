// Stage 4e, points (after settle, beside deals, referrals and funds): the lines of rules that pay in
// points become lots, and the shop's redemptions, their cancellations and the returns' reversals
// draw on them, replayed in one total order — date, then earnings < rewards < reversals <
// redemptions < cancellations, then a line's rule, holder and period (their ids' order) or an
// event's id; expiries due by a day before that day's steps — so that the ledger never
// depends on input order, batch split or threads.
//
// A holder (a participant, or a partner for rules that credit partners) holds lots. A lot is what one
// points rule's line earned (rule, holder, period: on the period's last day), pending for
// `pending_days`, usable through its last usable day (rules::last_usable_day), expired the day
// after. A redemption spends available points only, from lots in the declared order, one entry per
// lot, so that every point spent names the lot it came from and a cancellation puts back exactly
// those. A return's clawback line takes its points back by the declared policy. Every run
// reconciles the ledger from its entries alone (reconcile_points) and a break is a calculation
// error, never a note.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <incentives/engine/catalog.hpp>
#include <incentives/engine/ledger_event.hpp>
#include <incentives/engine/measures.hpp>
#include <incentives/engine/result.hpp>
#include <incentives/engine/stage_lines.hpp>
#include <incentives/errors.hpp>
#include <incentives/program.hpp>

namespace incentives::detail {

/// Checks the points' ledger from its entries alone: entries are numbered and dated in order; per
/// holder, every balance follows from the one before (a repayment moves points from a lot to the
/// debt and leaves the balance as it was), the available part never exceeds it and the debt never
/// falls below zero; every lot's remainder (what opened it and what was put back, less what was
/// drawn) is never below zero, and nothing draws on a lot of another holder — so no point is spent
/// twice. Throws calculation_error ("incentives.calculation.points") naming the entry.
inline void reconcile_points(std::span<const points_entry> entries) {
    using kind = points_entry::kind_t;
    auto broken = [](const points_entry& e, const std::string& what) {
        throw calculation_error("incentives.calculation.points", "the points ledger does not reconcile at entry " +
                                                                     std::to_string(e.number) + " (" + e.holder + ", " +
                                                                     std::string(to_string(e.kind)) + "): " + what);
    };
    struct holder_state {
        decimal balance, debt;
    };
    std::unordered_map<std::string_view, holder_state> holders[2];  // by holder type, then id
    std::vector<std::pair<const points_entry*, decimal>> lots(entries.size() + 1);  // by opening entry: it, remainder
    std::int32_t last_day = INT32_MIN;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        if (e.number != i + 1) broken(e, "numbered out of order");
        if (e.on.days() < last_day) broken(e, "dated before the entry before it");
        last_day = e.on.days();
        auto& h = holders[e.holder_type == rules::credit::to_t::participant ? 0 : 1][e.holder];
        const bool opens = e.kind == kind::earned || (e.kind == kind::reinstated && e.lot == e.number);
        if (opens) {
            if (e.points.signum() < 0) broken(e, "a lot opened below zero");
            lots[e.number] = {&e, e.points};
        } else if (e.lot != 0) {
            if (e.lot >= e.number || lots[e.lot].first == nullptr)
                broken(e, "names lot " + std::to_string(e.lot) + ", which no entry before it opened");
            auto& lot = lots[e.lot];
            const auto& opener = *lot.first;
            if (opener.holder_type != e.holder_type || opener.holder != e.holder) broken(e, "draws on a lot of " + opener.holder);
            lot.second += e.points;
            if (lot.second.signum() < 0) broken(e, "draws lot " + std::to_string(e.lot) + " below zero");
        }
        const bool draws = e.kind == kind::repaid || e.kind == kind::reversed || e.kind == kind::redeemed || e.kind == kind::expired;
        if (draws && (e.lot == 0 || e.points.signum() > 0)) broken(e, "a draw names no lot or adds points");
        if ((e.kind == kind::forgiven || e.kind == kind::refused) && !e.points.is_zero()) broken(e, "moves points it should not");
        if (e.kind == kind::repaid) h.debt += e.points;  // the lot's points go to the debt: the balance stays
        else h.balance += e.points;
        if (e.kind == kind::debt) h.debt -= e.points;
        if (h.debt.signum() < 0) broken(e, "repays more than the debt");
        if (!(e.balance_after == h.balance)) broken(e, "balance " + e.balance_after.to_string() + " where the entries give " + h.balance.to_string());
        if (h.balance < e.available_after) broken(e, "more available than the balance");
    }
}

class points_ledger {
public:
    /// `measures`: the engine's measure store as rows, when the levels count a rule's measure.
    points_ledger(const program& p, const catalog& cat, const std::vector<measure_row>* measures = nullptr)
        : p_(p), pp_(*p.points), cat_(cat), places_(pp_.places), zero_(decimal::from_units(0, places_)), measures_(measures) {}

    /// Replays the points rules' lines in `r.lines`, the activity rewards and the shop's events (in
    /// `kept`) into `r.points`, `r.lots` and `r.levels`.
    void replay(const ledger_events& kept, result& r) {
        const auto& events = kept.points;
        r.points_id = pp_.id;
        collect(r.lines, events);
        collect_first_sales(kept);
        sort_actions();
        r.points.reserve(r.points.size() + actions_.size() + actions_.size() / 2);  // an entry per action, expiries, a few more
        lots_.reserve(actions_.size());
        out_ = &r.points;
        levels_out_ = &r.levels;
        std::int32_t horizon = p_.cal.to().days();
        for (const auto& a : actions_) {
            expire_through(a.day);
            switch (a.what) {
                case action::earn: earn(a); break;
                case action::reward: reward(a); break;
                case action::contribute: contribute(a); break;
                case action::review: review(a.day); break;
                case action::reversal: reverse(a); break;
                case action::redemption: redeem(events[a.index]); break;
                case action::cancel: cancel(events[a.index]); break;
            }
            horizon = std::max(horizon, a.day);
        }
        expire_through(horizon);
        reconcile_points(*out_);
        lots_as_of(horizon, r.lots);
    }

private:
    using kind = points_entry::kind_t;
    using to_t = rules::credit::to_t;
    static constexpr std::uint32_t none = 0xFFFFFFFFu;

    /// A points rule's line: (the rank of the rule's id, the rank of the holder's id, the period's
    /// index), in the order of "rule/holder/period"; rule `none`: no line.
    struct line_id {
        std::uint32_t rule = none, holder = 0;
        std::int32_t period = 0;
        friend auto operator<=>(const line_id&, const line_id&) = default;
    };
    struct line_hash {
        std::size_t operator()(const line_id& k) const noexcept {
            return std::hash<std::uint64_t>{}((std::uint64_t{k.rule} << 32 | k.holder) * 0x9E3779B97F4A7C15ull ^ static_cast<std::uint32_t>(k.period));
        }
    };

    // ---- what is replayed, in order --------------------------------------------------------------
    struct action {
        enum what_t : unsigned char { earn, reward, contribute, review, reversal, redemption, cancel };
        std::int32_t day = 0;
        what_t what = earn;
        std::string id;
        std::size_t index = 0;  // into lines_ (earn, reversal), rewards_, contributions_ or the events
        /// Lines (earn, reversal) sort by their rule, holder and period — ranks of the rule's and the
        /// holder's ids, the period's index — before `id` (a reversal's return), so that a million
        /// lots do not sort by strings sharing long prefixes.
        line_id key;
    };
    /// An activity reward: a welcome or birthday bonus, or a completed course (an event).
    struct reward_due {
        to_t type = to_t::participant;
        std::uint32_t person = 0;  // a participant's or (type partner) a partner's catalog index
        decimal points;
        std::string id, reason;
        std::string course;  // a course: once per person and course
    };
    /// A rule's measure for one holder and period, counted by the levels on the period's last day.
    struct contribution {
        to_t type = to_t::participant;
        std::uint32_t who = 0;
        decimal measure;
    };
    /// What a points rule's lines give one holder: the accruals of a (rule, holder, period) as one
    /// lot, each clawback on its own.
    struct line_points {
        to_t type = to_t::participant;
        std::uint32_t who = 0;
        decimal points;
        std::string id;
        line_id line;       // this line
        line_id earned_by;  // a clawback: the returned sale's line, whose lot it reverses (rule none: not known)
    };

    /// The rank of each holder's id among its type's ids (the order lines sort in), built once.
    std::uint32_t holder_rank(to_t type, std::uint32_t who) {
        auto& ranks = type == to_t::participant ? person_rank_ : partner_rank_;
        if (ranks.empty()) {
            const std::size_t n = type == to_t::participant ? cat_.participants().size() : cat_.partners().size();
            auto id = [&](std::uint32_t i) -> const std::string& {
                return type == to_t::participant ? cat_.participants()[i].id : cat_.partners()[i].id;
            };
            std::vector<std::uint32_t> order(n);
            for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
            std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return id(a) < id(b); });
            ranks.resize(n);
            for (std::uint32_t r = 0; r < n; ++r) ranks[order[r]] = r;
        }
        return ranks[who];
    }

    void collect(const std::vector<payout_line>& lines, const std::vector<points_event>& events) {
        struct points_rule {
            period_unit per;
            std::uint32_t rank;
            std::unordered_map<std::string, std::int32_t> index_of_label;  // the rule's periods by label (for clawbacks)
        };
        std::map<std::string, points_rule, std::less<>> per;  // points rules by id, ranked by id
        for (const auto& [id, unit] : points_paying(p_)) per[id].per = unit;
        std::uint32_t rank = 0;
        for (auto& [id, pr] : per) pr.rank = rank++;
        std::unordered_map<line_id, std::size_t, line_hash> accrual;  // -> lines_
        accrual.reserve(lines.size());
        lines_.reserve(lines.size());
        actions_.reserve(lines.size() + events.size());
        lot_of_line_.reserve(lines.size());
        std::unordered_map<std::int64_t, std::pair<std::int32_t, std::int32_t>> periods;  // (unit, start) -> (index, last day)
        auto period_of = [&](period_unit unit, date start) {
            const std::int64_t key = (std::int64_t{start.days()} << 8) | static_cast<std::int64_t>(unit);
            auto [it, fresh] = periods.try_emplace(key);
            if (fresh) {
                const std::int32_t i = p_.cal.index_of(start, unit);
                it->second = {i, p_.cal.period_at(i, unit).to.days() - 1};
            }
            return it->second;
        };
        for (const auto& l : lines) {
            auto f = per.find(l.rule);
            if (f == per.end()) continue;
            auto& pr = f->second;
            const auto [index, day] = period_of(pr.per, l.period_start);
            const bool person = l.beneficiary_type == to_t::participant;
            const std::uint32_t who = person ? *cat_.participant_index(l.beneficiary) : *cat_.partner_index(l.beneficiary);
            const line_id key{pr.rank, holder_rank(l.beneficiary_type, who), index};
            const std::string id = l.rule + "/" + l.beneficiary + "/" + l.period;
            if (l.kind == payout_line::kind_t::clawback) {
                const std::string ret = l.why ? l.why->returned_by : std::string();
                line_id sale_line;
                if (l.why) {
                    if (pr.index_of_label.empty())
                        for (auto i = p_.cal.index_of(p_.cal.from(), pr.per), last = p_.cal.index_of(p_.cal.to(), pr.per); i <= last; ++i)
                            pr.index_of_label.emplace(p_.cal.period_at(i, pr.per).label, i);
                    if (auto it = pr.index_of_label.find(l.why->reverses_period); it != pr.index_of_label.end())
                        sale_line = {pr.rank, key.holder, it->second};
                }
                actions_.push_back({day, action::reversal, ret, lines_.size(), key});
                lines_.push_back({l.beneficiary_type, who, -l.amount, ret.empty() ? id : ret, key, sale_line});
                continue;
            }
            auto [it, fresh] = accrual.try_emplace(key, lines_.size());
            if (fresh) {
                actions_.push_back({day, action::earn, {}, lines_.size(), key});
                lines_.push_back({l.beneficiary_type, who, l.amount, id, key, {}});
            } else {
                lines_[it->second].points += l.amount;
            }
        }
        for (std::size_t i = 0; i < events.size(); ++i) {
            const auto& e = events[i];
            if (e.step == points_step::course) {
                actions_.push_back({e.day, action::reward, e.id, rewards_.size(), {}});
                rewards_.push_back({to_t::participant, e.participant, course_points(e.item), e.id, "course " + e.item + " completed", e.item});
                continue;
            }
            actions_.push_back({e.day, e.step == points_step::redemption ? action::redemption : action::cancel, e.id, i, {}});
        }
        collect_rewards();
        if (pp_.levels) collect_levels();
    }
    void sort_actions() {
        std::sort(actions_.begin(), actions_.end(), [](const action& a, const action& b) {
            return std::tie(a.day, a.what, a.key, a.id) < std::tie(b.day, b.what, b.key, b.id);
        });
    }

    // ---- holders and lots -----------------------------------------------------------------------
    struct lot_state {
        std::uint64_t entry = 0;
        std::size_t holder = 0;
        std::int32_t earned_on = 0, available_on = 0;
        std::optional<std::int32_t> last_day;
        decimal left;
        bool pending = false;
    };
    struct holder {
        to_t type = to_t::participant;
        std::uint32_t who = 0;
        decimal lots_total, pending_total, debt;
        std::vector<std::size_t> lots;      // into lots_, in the order redemptions draw on them
        std::vector<std::size_t> pending;   // into lots_, by the day they become available
        std::size_t next_pending = 0;
        std::size_t level = 0;              // into the levels' table
        int misses = 0;                     // reviews in a row below the level's `from`
        std::vector<std::pair<std::int32_t, decimal>> qualifying;  // (day, measure) the levels count, by day
    };

    std::size_t holder_of(to_t type, std::uint32_t who) {
        auto& index = type == to_t::participant ? person_index_ : partner_index_;
        if (index.empty()) index.assign(type == to_t::participant ? cat_.participants().size() : cat_.partners().size(), none);
        auto& slot = index[who];
        if (slot == none) {
            slot = static_cast<std::uint32_t>(holders_.size());
            holders_.push_back({type, who, zero_, zero_, zero_, {}, {}, 0, 0, 0, {}});
        }
        return slot;
    }
    [[nodiscard]] std::string holder_id(const holder& h) const {
        return h.type == to_t::participant ? cat_.participants()[h.who].id : cat_.partners()[h.who].id;
    }
    [[nodiscard]] std::string partner_id(const holder& h) const {
        return h.type == to_t::participant ? cat_.partners()[cat_.partner_of(h.who)].id : cat_.partners()[h.who].id;
    }

    /// Lots that became available by `day` stop being pending.
    void activate(holder& h, std::int32_t day) {
        while (h.next_pending < h.pending.size() && lots_[h.pending[h.next_pending]].available_on <= day) {
            auto& l = lots_[h.pending[h.next_pending++]];
            h.pending_total -= l.left;
            l.pending = false;
        }
    }

    points_entry& entry(std::size_t hi, std::int32_t day, kind k, const decimal& points, std::uint64_t lot, std::string event,
                        std::string reason) {
        auto& h = holders_[hi];
        activate(h, day);
        points_entry& e = out_->emplace_back();
        e.number = out_->size();
        e.on = date(day);
        e.kind = k;
        e.holder_type = h.type;
        e.holder = holder_id(h);
        e.partner = partner_id(h);
        e.points = points;
        e.lot = lot == 0 && (k == kind::earned) ? e.number : lot;
        e.balance_after = h.lots_total - h.debt;
        e.available_after = h.lots_total - h.pending_total - h.debt;
        e.event = std::move(event);
        e.reason = std::move(reason);
        return e;
    }

    /// Takes `take` (> 0) from lot `li`: its remainder, its holder's totals.
    void take_from(std::size_t li, const decimal& take) {
        auto& l = lots_[li];
        auto& h = holders_[l.holder];
        l.left -= take;
        h.lots_total -= take;
        if (l.pending) h.pending_total -= take;
    }
    void put_into(std::size_t li, const decimal& put) {
        auto& l = lots_[li];
        auto& h = holders_[l.holder];
        l.left += put;
        h.lots_total += put;
        if (l.pending) h.pending_total += put;
    }

    std::size_t open_lot(std::size_t hi, std::int32_t day, const decimal& points, std::int32_t available_on,
                         std::optional<std::int32_t> last_day) {
        lots_.push_back({0, hi, day, available_on, last_day, zero_, available_on > day});
        const std::size_t li = lots_.size() - 1;
        auto& h = holders_[hi];
        activate(h, day);
        h.lots_total += points;
        lots_[li].left = points;
        if (lots_[li].pending) {
            h.pending_total += points;
            h.pending.push_back(li);
        }
        // The holder's lots are kept in the order redemptions draw on them: the soonest to expire
        // first (then the oldest), or the oldest first.
        const bool by_expiry = pp_.spend == rules::points_program::order_t::soonest_expiring;
        auto before = [&](std::size_t x, std::size_t y) {
            const auto &lx = lots_[x], &ly = lots_[y];
            if (by_expiry && lx.last_day.has_value() != ly.last_day.has_value()) return lx.last_day.has_value();
            if (by_expiry && lx.last_day != ly.last_day) return *lx.last_day < *ly.last_day;
            return x < y;
        };
        h.lots.insert(std::upper_bound(h.lots.begin(), h.lots.end(), li, before), li);
        if (last_day) due_.push({*last_day + 1, li});
        return li;
    }

    [[nodiscard]] decimal exact_points(const decimal& amount, std::string& note) const {
        if (amount.scale() <= places_) return amount.rescale(places_, rounding_mode::unnecessary);
        decimal rounded = amount.rescale(places_, p_.rounding.mode);
        if (!(rounded == amount))
            note = "the line's " + amount.to_string() + " points rounded " + std::string(to_string(p_.rounding.mode)) + " to " +
                   std::to_string(places_) + " places";
        return rounded;
    }

    /// Expires what is left of lots whose last usable day is before `day`, in due order.
    void expire_through(std::int32_t day) {
        while (!due_.empty() && due_.top().first <= day) {
            auto [due, li] = due_.top();
            due_.pop();
            expire(li, due);
        }
    }
    void expire(std::size_t li, std::int32_t due) {
        auto& l = lots_[li];
        if (l.left.signum() == 0) return;
        const decimal left = l.left;
        activate(holders_[l.holder], due);
        take_from(li, left);
        entry(l.holder, due, kind::expired, -left, lots_[li].entry, (*out_)[lots_[li].entry - 1].event,
              "unused after its last usable day " + date(*l.last_day).to_string());
    }

    // ---- the steps ------------------------------------------------------------------------------
    void earn(const action& a) {
        const auto& lp = lines_[a.index];
        std::string note;
        const decimal base = exact_points(lp.points, note);
        if (base.signum() <= 0) return;  // a line of 0 earns no lot
        const std::size_t li = earn_lot(holder_of(lp.type, lp.who), a.day, base, lp.id, std::move(note));
        lot_of_line_[lp.line] = li;
    }

    /// A lot of `base` points (times the level's multiplier) for holder `hi`, and the levels' measure.
    std::size_t earn_lot(std::size_t hi, std::int32_t day, const decimal& base, const std::string& id, std::string note) {
        // The level in force when the lot is earned multiplies it (the lot itself may lift the level
        // after: a multiplier never lifts its own level).
        decimal points = base;
        if (pp_.levels && !(pp_.levels->table[holders_[hi].level].multiplier == decimal(1))) {
            const auto& lv = pp_.levels->table[holders_[hi].level];
            std::string more;
            points = exact_points(base * lv.multiplier, more);
            note = (note.empty() ? "" : note + "; ") + base.to_string() + " points x " + lv.multiplier.to_string() + " at level " + lv.name +
                   (more.empty() ? "" : ", rounded " + std::string(to_string(p_.rounding.mode)) + " to " + std::to_string(places_) + " places");
        }
        std::optional<std::int32_t> last;
        if (pp_.expires) last = rules::last_usable_day(*pp_.expires, date(day), p_.cal).days();
        const std::int32_t available_on = day + pp_.pending_days;
        const std::size_t li = open_lot(hi, day, points, available_on, last);
        points_entry& e = entry(hi, day, kind::earned, points, 0, id, std::move(note));
        lots_[li].entry = e.number;
        e.available_on = date(available_on);
        if (last) e.expires = date(*last);
        auto& h = holders_[hi];
        if (h.debt.signum() > 0) {  // a debt from a reversal beyond the lots is repaid first
            const decimal take = h.debt < points ? h.debt : points;
            take_from(li, take);
            h.debt -= take;
            entry(hi, day, kind::repaid, -take, lots_[li].entry, id, "repays the debt of a reversal beyond the holder's points");
        }
        if (pp_.levels && pp_.levels->rule.empty()) qualify(hi, day, base);
        return li;
    }

    // ---- activity rewards -------------------------------------------------------------------------
    [[nodiscard]] decimal course_points(const std::string& course) const {
        for (const auto& [id, points] : pp_.rewards.courses)
            if (id == course) return points;
        return pp_.rewards.course.value_or(zero_);
    }

    /// The first-sale bonuses: on the day of each person's and partner's first sale.
    void collect_first_sales(const ledger_events& kept) {
        const auto& rw = pp_.rewards;
        auto due = [&](const std::optional<decimal>& points, to_t type, const std::vector<std::int32_t>& days, const char* name, auto id_of) {
            if (!points) return;
            for (std::uint32_t i = 0; i < days.size(); ++i) {
                if (days[i] == ledger_events::no_sale_day) continue;
                const std::string id = name + id_of(i);
                actions_.push_back({days[i], action::reward, id, rewards_.size(), {}});
                rewards_.push_back({type, i, *points, id, "first-sale bonus: first sale on " + date(days[i]).to_string(), ""});
            }
        };
        due(rw.first_sale, to_t::participant, kept.first_sale_person, "first_sale/", [&](std::uint32_t i) { return cat_.participants()[i].id; });
        due(rw.partner_first_sale, to_t::partner, kept.first_sale_partner, "partner_first_sale/", [&](std::uint32_t i) { return cat_.partners()[i].id; });
    }

    /// The welcome and birthday bonuses due inside the program's dates.
    void collect_rewards() {
        const auto& rw = pp_.rewards;
        if (rw.partner_welcome)
            for (std::uint32_t i = 0; i < cat_.partners().size(); ++i) {
                const auto& partner = cat_.partners()[i];
                const auto registered = date_attribute(partner.attrs, "registered", "partner", partner.id);
                if (!registered || !p_.cal.contains(*registered)) continue;
                actions_.push_back({registered->days(), action::reward, "partner_welcome/" + partner.id, rewards_.size(), {}});
                rewards_.push_back({to_t::partner, i, *rw.partner_welcome, "partner_welcome/" + partner.id,
                                    "welcome bonus: partner registered " + registered->to_string(), ""});
            }
        const bool courses = rw.course || !rw.courses.empty();
        if (!rw.welcome && !rw.birthday && !courses) return;
        const auto& people = cat_.participants();
        for (std::uint32_t i = 0; i < people.size(); ++i) {
            const auto& person = people[i];
            // A course completed by the participants table's date (`certified.<course>`, as for the
            // certifications that gate rules) is rewarded like a course_completed event, once.
            if (courses)
                for (const auto& [name, value] : person.attrs) {
                    if (!name.starts_with("certified.") || value.empty()) continue;
                    const std::string course = name.substr(std::string_view("certified.").size());
                    const auto on = date_attribute(person.attrs, name, "participant", person.id);
                    if (!p_.cal.contains(*on) || course_points(course).signum() <= 0) continue;  // no reward declared for it
                    const std::string id = "course/" + person.id + "/" + course;
                    actions_.push_back({on->days(), action::reward, id, rewards_.size(), {}});
                    rewards_.push_back({to_t::participant, i, course_points(course), id, "course " + course + " completed (participants table)", course});
                }
            const auto registered = date_attribute(person.attrs, "registered", "participant", person.id);
            if (rw.welcome && registered && p_.cal.contains(*registered)) {
                actions_.push_back({registered->days(), action::reward, "welcome/" + person.id, rewards_.size(), {}});
                rewards_.push_back({to_t::participant, i, *rw.welcome, "welcome/" + person.id, "welcome bonus: registered " + registered->to_string(), ""});
            }
            if (!rw.birthday || !person.birthday) continue;
            for (int y = p_.cal.from().year(); y <= p_.cal.to().year(); ++y) {
                int month = person.birthday->month(), day = person.birthday->day();
                const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
                if (month == 2 && day == 29 && !leap) {
                    if (rw.feb29 == rules::activity_rewards::feb29_t::mar1) month = 3, day = 1;
                    else day = 28;
                }
                const date on(y, month, day);
                if (!p_.cal.contains(on) || (registered && on < *registered)) continue;
                const std::string id = "birthday/" + person.id + "/" + std::to_string(y);
                actions_.push_back({on.days(), action::reward, id, rewards_.size(), {}});
                rewards_.push_back({to_t::participant, i, *rw.birthday, id, "birthday bonus " + std::to_string(y), ""});
            }
        }
    }

    void reward(const action& a) {
        const auto& rd = rewards_[a.index];
        const std::size_t hi = holder_of(rd.type, rd.person);
        if (!rd.course.empty() && !courses_done_.insert({rd.person, rd.course}).second) {
            entry(hi, a.day, kind::refused, zero_, 0, rd.id, "course " + rd.course + " was already rewarded to this person: once per course");
            return;
        }
        if (rd.points.signum() <= 0) {
            entry(hi, a.day, kind::refused, zero_, 0, rd.id, rd.reason + ": the program rewards no points for it");
            return;
        }
        (void)earn_lot(hi, a.day, rd.points.rescale(places_, rounding_mode::unnecessary), rd.id, rd.reason);
    }

    // ---- status levels --------------------------------------------------------------------------
    void collect_levels() {
        const auto& lv = *pp_.levels;
        if (!lv.rule.empty() && measures_ != nullptr)
            for (const auto& m : *measures_) {
                if (m.rule != lv.rule || m.baseline || m.measure.signum() <= 0) continue;
                const period_unit unit = rule_unit(lv.rule);
                const std::int32_t day = p_.cal.period_at(p_.cal.index_of(m.period_start, unit), unit).to.days() - 1;
                const bool person = m.beneficiary_type == to_t::participant;
                const auto who = person ? cat_.participant_index(m.beneficiary) : cat_.partner_index(m.beneficiary);
                if (!who) continue;
                actions_.push_back({day, action::contribute, m.rule + "/" + m.beneficiary + "/" + m.period, contributions_.size(), {}});
                contributions_.push_back({m.beneficiary_type, static_cast<std::uint32_t>(*who), m.measure});
            }
        // A review at the end of every review period of the program.
        for (auto i = p_.cal.index_of(p_.cal.from(), lv.review), last = p_.cal.index_of(p_.cal.to(), lv.review); i <= last; ++i)
            actions_.push_back({p_.cal.period_at(i, lv.review).to.days() - 1, action::review, "", 0, {}});
    }
    [[nodiscard]] period_unit rule_unit(std::string_view id) const {
        for (const auto& rule : p_.rules)
            if (rule.id == id) return rule.per;
        return period_unit::month;
    }

    void contribute(const action& a) {
        const auto& c = contributions_[a.index];
        qualify(holder_of(c.type, c.who), a.day, c.measure);
    }

    /// The measure over the window that holds `day`, and the window's label.
    std::pair<decimal, std::string> window_measure(const holder& h, std::int32_t day) const {
        const auto& lv = *pp_.levels;
        std::int32_t lo = 0, hi = day;
        std::string label;
        if (lv.rolling_months > 0) {
            lo = date(day).plus_months(-lv.rolling_months).days() + 1;
            label = date(lo).to_string() + ".." + date(day).to_string();
        } else {
            const period w = p_.cal.period_at(p_.cal.index_of(date(day), lv.window), lv.window);
            lo = w.from.days();
            hi = w.to.days() - 1;
            label = w.label;
        }
        decimal sum;
        for (const auto& [d, m] : h.qualifying)
            if (lo <= d && d <= hi && d <= day) sum += m;
        return {sum, label};
    }
    [[nodiscard]] std::size_t level_for(const decimal& measure) const {
        const auto& t = pp_.levels->table;
        std::size_t k = 0;
        while (k + 1 < t.size() && !(measure < t[k + 1].from)) ++k;
        return k;
    }
    void change_level(std::size_t hi, std::int32_t day, std::size_t to, const decimal& measure, const std::string& window, std::string why) {
        auto& h = holders_[hi];
        const auto& t = pp_.levels->table;
        level_change& c = levels_out_->emplace_back();
        c.number = levels_out_->size();
        c.on = date(day);
        c.holder_type = h.type;
        c.holder = holder_id(h);
        c.partner = partner_id(h);
        c.previous = t[h.level].name;
        c.level = t[to].name;
        c.up = to > h.level;
        c.measure = measure;
        c.window = window;
        c.reason = std::move(why);
        h.level = to;
        h.misses = 0;
    }

    /// A holder's measure grows: up at once to the highest level it reaches.
    void qualify(std::size_t hi, std::int32_t day, const decimal& measure) {
        auto& h = holders_[hi];
        h.qualifying.emplace_back(day, measure);
        const auto [m, window] = window_measure(h, day);
        const std::size_t to = level_for(m);
        if (to > h.level)
            change_level(hi, day, to, m, window, m.to_string() + " over " + window + " reaches " + pp_.levels->table[to].from.to_string());
    }

    /// The end of a review period: a holder below its level's `from` for more than `grace` reviews
    /// moves down (effective the next day).
    void review(std::int32_t day) {
        const auto& lv = *pp_.levels;
        for (std::size_t hi = 0; hi < holders_.size(); ++hi) {
            auto& h = holders_[hi];
            if (h.level == 0) continue;
            const auto [m, window] = window_measure(h, day);
            if (!(m < lv.table[h.level].from)) {
                h.misses = 0;
                continue;
            }
            if (++h.misses <= lv.grace) continue;
            const std::size_t to = lv.downgrade == rules::status_levels::downgrade_t::one_level ? h.level - 1 : level_for(m);
            change_level(hi, day + 1, to, m, window,
                         m.to_string() + " over " + window + " is below " + lv.table[h.level].from.to_string() + " at the review of " +
                             date(day).to_string() + (lv.grace > 0 ? " (" + std::to_string(h.misses) + " reviews in a row)" : ""));
        }
    }

    void reverse(const action& a) {
        const auto& lp = lines_[a.index];
        std::string note;
        decimal back = exact_points(lp.points, note);
        if (back.signum() <= 0) return;
        const std::size_t hi = holder_of(lp.type, lp.who);
        auto& h = holders_[hi];
        activate(h, a.day);
        // The points the sale earned are in the lot of its line (rule, holder, the sale's period):
        // that lot first — under pending_only, only it, and only while it is pending. Within the
        // balance, the holder's other lots follow in the spend order.
        const bool pending_only = pp_.returns == rules::points_program::returns_t::pending_only;
        std::vector<std::size_t> order;
        auto own = lp.earned_by.rule == none ? lot_of_line_.end() : lot_of_line_.find(lp.earned_by);
        if (own != lot_of_line_.end()) order.push_back(own->second);
        if (!pending_only)
            for (std::size_t li : h.lots)
                if (own == lot_of_line_.end() || li != own->second) order.push_back(li);
        for (std::size_t li : order) {
            if (back.signum() == 0) break;
            auto& l = lots_[li];
            if (l.left.signum() == 0 || (pending_only && !l.pending)) continue;
            const decimal take = l.left < back ? l.left : back;
            take_from(li, take);
            back -= take;
            entry(hi, a.day, kind::reversed, -take, l.entry, lp.id,
                  note.empty() ? (own != lot_of_line_.end() && li == own->second ? "return of the sale that earned it" : "return of a sale whose lot is spent: taken from the balance") : note);
        }
        if (back.signum() == 0) return;
        if (pp_.returns == rules::points_program::returns_t::unlimited) {
            h.debt += back;
            entry(hi, a.day, kind::debt, -back, 0, lp.id, "beyond the holder's points: a negative balance later earnings repay");
        } else {
            entry(hi, a.day, kind::forgiven, zero_, 0, lp.id,
                  back.to_string() + " points not taken back: " +
                      (pending_only ? "the returns policy takes back only the sale's lot's points, while they are pending"
                                    : "the returns policy never takes the balance below zero"));
        }
    }

    struct redemption_state {
        std::size_t holder = 0;
        std::size_t item = 0;  // into the shop
        std::int64_t count = 0;
        std::int32_t limit_period = 0;
        std::vector<std::pair<std::size_t, decimal>> drawn;  // lot, points
        bool cancelled = false;
    };

    [[nodiscard]] const rules::shop_item* item_of(std::string_view sku) const {
        for (const auto& it : pp_.shop)
            if (it.sku == sku) return &it;
        return nullptr;
    }

    std::size_t holder_of(const points_event& e) {
        return e.participant == points_event::no_participant ? holder_of(to_t::partner, e.partner) : holder_of(to_t::participant, e.participant);
    }

    void refuse(std::size_t hi, const points_event& e, std::string why) {
        points_entry& x = entry(hi, e.day, kind::refused, zero_, 0, e.id, std::move(why));
        x.item = e.item;
    }

    void redeem(const points_event& e) {
        const std::size_t hi = holder_of(e);
        if (redemptions_.contains(e.id)) return refuse(hi, e, "a second redemption with the id \"" + e.id + "\"");
        const auto* item = item_of(e.item);
        if (item == nullptr) return refuse(hi, e, "the shop has no item \"" + e.item + "\"");
        const std::string what = std::to_string(e.count) + " x " + item->sku;
        const std::size_t ii = static_cast<std::size_t>(item - pp_.shop.data());
        if (stock_used_.empty()) stock_used_.assign(pp_.shop.size(), 0);
        auto& used = stock_used_[ii];
        if (item->stock && used + e.count > *item->stock)
            return refuse(hi, e, what + ": beyond the stock (" + std::to_string(*item->stock - used) + " of " +
                                     std::to_string(*item->stock) + " left)");
        const std::int32_t period = p_.cal.index_of(date(e.day), item->limit_per);
        std::int64_t unlimited = 0;
        auto& mine = item->limit ? limit_used_[limit_key(hi, ii, period)] : unlimited;
        if (item->limit && mine + e.count > *item->limit)
            return refuse(hi, e, what + ": beyond the limit of " + std::to_string(*item->limit) + " per " +
                                     std::string(to_string(item->limit_per)) + " (" + std::to_string(mine) + " redeemed in " +
                                     p_.cal.period_at(period, item->limit_per).label + ")");
        const decimal cost = (item->price * decimal(e.count)).rescale(places_, rounding_mode::unnecessary);
        auto& h = holders_[hi];
        activate(h, e.day);
        const decimal available = h.lots_total - h.pending_total - h.debt;
        if (available < cost)
            return refuse(hi, e, what + " costs " + cost.to_string() + " points; " + available.to_string() + " available" +
                                     (h.pending_total.signum() > 0 ? " (" + h.pending_total.to_string() + " more pending)" : ""));
        used += e.count;
        mine += e.count;
        redemption_state rs{hi, ii, e.count, period, {}, false};
        decimal owed = cost;
        for (std::size_t li : h.lots) {  // already in the spend order
            if (owed.signum() == 0) break;
            auto& l = lots_[li];
            if (l.pending || l.left.signum() == 0) continue;
            const decimal take = l.left < owed ? l.left : owed;
            take_from(li, take);
            owed -= take;
            rs.drawn.emplace_back(li, take);
            points_entry& x = entry(hi, e.day, kind::redeemed, -take, l.entry, e.id, what);
            x.item = item->sku;
        }
        redemptions_.emplace(e.id, std::move(rs));
    }

    void cancel(const points_event& e) {
        const std::size_t hi = holder_of(e);
        auto it = redemptions_.find(e.reference);
        if (it == redemptions_.end())
            return refuse(hi, e, "cancels redemption \"" + e.reference + "\", which was not taken before it (unknown or refused)");
        auto& rs = it->second;
        if (rs.holder != hi)
            return refuse(hi, e, "cancels redemption \"" + e.reference + "\" of " + holder_id(holders_[rs.holder]) + ", not of this holder");
        if (rs.cancelled) return refuse(hi, e, "redemption \"" + e.reference + "\" was already cancelled");
        rs.cancelled = true;
        stock_used_[rs.item] -= rs.count;
        if (pp_.shop[rs.item].limit) limit_used_[limit_key(hi, rs.item, rs.limit_period)] -= rs.count;
        for (const auto& [li, points] : rs.drawn) {
            const std::uint64_t from = lots_[li].entry;
            if (pp_.reinstate_days) {  // a new lot, usable at least the window from the cancellation
                std::optional<std::int32_t> last;
                if (lots_[li].last_day) last = std::max(*lots_[li].last_day, e.day + *pp_.reinstate_days);
                const std::size_t nl = open_lot(hi, e.day, points, e.day, last);
                points_entry& x = entry(hi, e.day, kind::reinstated, points, 0, e.id,
                                        "cancelled redemption \"" + e.reference + "\": a new lot, usable " +
                                            (last ? "through " + date(*last).to_string() : std::string("without expiry")));
                x.lot = x.number;
                x.from_lot = from;
                x.item = pp_.shop[rs.item].sku;
                x.available_on = date(e.day);
                if (last) x.expires = date(*last);
                lots_[nl].entry = x.number;
                reinstated_lot_source_[nl] = e.reference;
                continue;
            }
            put_into(li, points);
            points_entry& x = entry(hi, e.day, kind::reinstated, points, from, e.id,
                                    "cancelled redemption \"" + e.reference + "\": back into its lot");
            x.item = pp_.shop[rs.item].sku;
            // Points put back into a lot past its last usable day expire at once.
            if (lots_[li].last_day && *lots_[li].last_day < e.day) expire(li, e.day);
        }
    }

    // ---- the lots as the run leaves them ------------------------------------------------------------
    void lots_as_of(std::int32_t horizon, std::vector<points_lot>& out) const {
        std::vector<points_lot> made(lots_.size());
        for (std::size_t li = 0; li < lots_.size(); ++li) {
            const auto& l = lots_[li];
            const auto& h = holders_[l.holder];
            auto& x = made[li];
            x.number = l.entry;
            x.holder_type = h.type;
            x.holder = holder_id(h);
            x.partner = partner_id(h);
            const auto& opener = (*out_)[l.entry - 1];
            auto src = reinstated_lot_source_.find(li);
            x.source = src != reinstated_lot_source_.end() ? src->second : opener.event;
            x.earned_on = date(l.earned_on);
            x.available_on = date(l.available_on);
            if (l.last_day) x.expires = date(*l.last_day);
            x.earned = opener.points;
            x.reinstated = x.redeemed = x.reversed = x.expired = zero_;
            x.left = l.left;
        }
        std::vector<std::size_t> by_entry(out_->size() + 1);
        for (std::size_t li = 0; li < lots_.size(); ++li) by_entry[lots_[li].entry] = li;
        for (const auto& e : *out_) {
            if (e.lot == 0 || e.lot == e.number) continue;
            auto& x = made[by_entry[e.lot]];
            switch (e.kind) {
                case kind::reinstated: x.reinstated += e.points; break;
                case kind::redeemed: x.redeemed -= e.points; break;
                case kind::reversed:
                case kind::repaid: x.reversed -= e.points; break;
                case kind::expired: x.expired -= e.points; break;
                default: break;
            }
        }
        out.reserve(out.size() + made.size());
        for (auto& x : made) {
            if (x.left.signum() > 0) x.state = x.available_on.days() > horizon ? points_lot::state_t::pending : points_lot::state_t::active;
            else if (x.expired.signum() > 0) x.state = points_lot::state_t::expired;
            else if (x.redeemed.signum() == 0 && x.reversed.signum() > 0) x.state = points_lot::state_t::reversed;
            else x.state = points_lot::state_t::spent;
            out.push_back(std::move(x));
        }
    }

    const program& p_;
    const rules::points_program& pp_;
    const catalog& cat_;
    const int places_;
    const decimal zero_;
    std::vector<action> actions_;
    std::vector<line_points> lines_;
    std::vector<holder> holders_;
    std::vector<std::uint32_t> person_index_, partner_index_;
    std::vector<lot_state> lots_;
    using due_t = std::pair<std::int32_t, std::size_t>;
    std::priority_queue<due_t, std::vector<due_t>, std::greater<>> due_;  // (the day a lot expires, lot), soonest on top
    std::unordered_map<std::string, redemption_state> redemptions_;
    std::vector<std::int64_t> stock_used_;                       // by shop item
    std::unordered_map<line_id, std::int64_t, line_hash> limit_used_;  // by (item, holder, period): items with a limit
    [[nodiscard]] static line_id limit_key(std::size_t holder, std::size_t item, std::int32_t period) {
        return {static_cast<std::uint32_t>(item), static_cast<std::uint32_t>(holder), period};
    }
    std::vector<std::uint32_t> person_rank_, partner_rank_;
    std::unordered_map<std::size_t, std::string> reinstated_lot_source_;
    std::unordered_map<line_id, std::size_t, line_hash> lot_of_line_;  // a line -> the lot it earned
    std::vector<points_entry>* out_ = nullptr;
    const std::vector<measure_row>* measures_ = nullptr;
    std::vector<contribution> contributions_;
    std::vector<reward_due> rewards_;
    std::set<std::pair<std::uint32_t, std::string>> courses_done_;
    std::vector<level_change>* levels_out_ = nullptr;
};

/// Each lot's remainder as of `as_of` from the entries dated by then: (opening entry, remainder).
[[nodiscard]] inline std::map<std::uint64_t, std::pair<const points_entry*, decimal>> lots_as_of(std::span<const points_entry> entries,
                                                                                                 date as_of) {
    std::map<std::uint64_t, std::pair<const points_entry*, decimal>> lots;
    for (const auto& e : entries) {
        if (as_of < e.on) break;  // entries are in date order
        if (e.lot == 0) continue;
        if (e.lot == e.number) lots[e.number] = {&e, e.points};
        else if (auto l = lots.find(e.lot); l != lots.end()) l->second.second += e.points;
    }
    return lots;
}

}  // namespace incentives::detail

namespace incentives {

/// Every holder's points as of `as_of` (from the entries dated by then), by holder id then type.
[[nodiscard]] inline std::vector<points_balance> points_balances(std::span<const points_entry> entries, date as_of) {
    std::map<std::pair<std::string, rules::credit::to_t>, points_balance> out;
    for (const auto& e : entries) {
        if (as_of < e.on) break;
        auto [it, fresh] = out.try_emplace({e.holder, e.holder_type});
        auto& b = it->second;
        if (fresh) {
            b.holder_type = e.holder_type;
            b.holder = e.holder;
            b.partner = e.partner;
            b.as_of = as_of;
            b.debt = e.balance_after - e.balance_after;  // 0 at the points' places
        }
        b.balance = e.balance_after;
        if (e.kind == points_entry::kind_t::debt) b.debt -= e.points;
        if (e.kind == points_entry::kind_t::repaid) b.debt += e.points;
    }
    for (auto& [key, b] : out) b.pending = b.expiring_30 = b.expiring_60 = b.expiring_90 = b.debt - b.debt;
    for (const auto& [number, lot] : detail::lots_as_of(entries, as_of)) {
        const auto& [e, left] = lot;
        if (left.signum() == 0) continue;
        auto& b = out.at({e->holder, e->holder_type});
        if (e->available_on && as_of < *e->available_on) b.pending += left;
        if (!e->expires) continue;
        const std::int32_t in = e->expires->days() - as_of.days();
        if (in < 0) continue;
        if (in <= 30) b.expiring_30 += left;
        else if (in <= 60) b.expiring_60 += left;
        else if (in <= 90) b.expiring_90 += left;
    }
    std::vector<points_balance> v;
    for (auto& [key, b] : out) {
        b.available = b.balance - b.pending;
        v.push_back(std::move(b));
    }
    return v;
}

/// The status level of `holder` in force on `on` ("" when the program has no levels): its latest
/// change on or before that day, else the lowest level. With `type`, only a holder of that type (a
/// partner and a person may share an id).
[[nodiscard]] inline std::string points_level_of(const program& p, const result& r, std::string_view holder, date on,
                                                 std::optional<rules::credit::to_t> type = std::nullopt) {
    if (!p.points || !p.points->levels || p.points->levels->table.empty()) return "";
    std::string level = p.points->levels->table.front().name;
    for (const auto& c : r.levels)
        if (c.holder == holder && (!type || c.holder_type == *type) && !(on < c.on)) level = c.level;
    return level;
}

/// The program's points liability as of `as_of` (see points_liability). Breakage is the program's
/// declared share, or estimated from the lots matured by then (their last usable day passed):
/// expired / (expired + redeemed) of those lots' points; without any, 0.
[[nodiscard]] inline points_liability points_liability_as_of(const program& p, std::span<const points_entry> entries, date as_of) {
    using kind = points_entry::kind_t;
    if (!p.points) throw config_error("incentives.config.points", "the program declares no points: it has no points liability");
    const auto& pp = *p.points;
    const decimal zero = decimal::from_units(0, pp.places);
    points_liability out;
    out.as_of = as_of;
    out.issued = out.redeemed = out.expired = out.reversed = out.pending = out.debt = zero;
    for (const auto& e : entries) {
        if (as_of < e.on) break;
        switch (e.kind) {
            case kind::earned: out.issued += e.points; break;
            case kind::redeemed:
            case kind::reinstated: out.redeemed -= e.points; break;
            case kind::expired: out.expired -= e.points; break;
            case kind::reversed:
            case kind::debt: out.reversed -= e.points; break;
            default: break;
        }
        if (e.kind == kind::debt) out.debt -= e.points;
        if (e.kind == kind::repaid) out.debt += e.points;
    }
    out.outstanding = out.issued - out.redeemed - out.expired - out.reversed;
    // By lot: the remainder, pending or not, and the age bands; and the matured lots' fate.
    constexpr std::pair<int, std::string_view> bands[] = {{90, "0-90 days"}, {180, "91-180 days"}, {365, "181-365 days"}, {INT32_MAX, "over 365 days"}};
    for (auto [limit, label] : bands) out.by_age.push_back({std::string(label), zero});
    decimal lots_left = zero, matured_expired = zero, matured_redeemed = zero;
    std::set<std::uint64_t> matured;
    const auto lots = detail::lots_as_of(entries, as_of);
    for (const auto& [number, lot] : lots) {
        const auto& [e, left] = lot;
        if (e->expires && *e->expires < as_of) matured.insert(number);
        if (left.signum() == 0) continue;
        lots_left += left;
        if (e->available_on && as_of < *e->available_on) out.pending += left;
        const std::int32_t age = as_of.days() - e->on.days();
        for (std::size_t k = 0; k < std::size(bands); ++k)
            if (age <= bands[k].first) {
                out.by_age[k].points += left;
                break;
            }
    }
    if (!(lots_left - out.debt == out.outstanding))
        throw calculation_error("incentives.calculation.points", "the points liability does not reconcile as of " + as_of.to_string() +
                                                                     ": the lots hold " + lots_left.to_string() + " less a debt of " +
                                                                     out.debt.to_string() + ", the entries give " + out.outstanding.to_string());
    out.available = out.outstanding - out.pending;
    for (const auto& e : entries) {
        if (as_of < e.on) break;
        if (!matured.contains(e.lot) || e.lot == e.number) continue;
        if (e.kind == kind::expired) matured_expired -= e.points;
        if (e.kind == kind::redeemed || e.kind == kind::reinstated) matured_redeemed -= e.points;
    }
    out.value_per_point = pp.value;
    // What the program owes is what the lots hold: a holder's debt (returns: unlimited) is repaid from
    // that holder's later points, never from another's, so it does not lower the liability.
    out.face_value = (out.outstanding + out.debt) * pp.value;
    const int minor = p.currency_.minor_units();
    if (pp.breakage) {
        out.breakage = *pp.breakage;
        out.breakage_basis = "declared";
        out.liability = (out.face_value * (decimal(1) - *pp.breakage)).rescale(minor, p.rounding.mode);
    } else if ((matured_expired + matured_redeemed).signum() > 0) {
        const decimal settled = matured_expired + matured_redeemed;
        out.breakage = matured_expired.divide(settled, 6, rounding_mode::half_even);
        out.breakage_basis = "estimated from " + std::to_string(matured.size()) + " matured lots: " + matured_expired.to_string() +
                             " expired of " + settled.to_string() + " expired or redeemed";
        // outstanding x value x (1 - expired / settled), divided once: no rounding of the rate decides it.
        out.liability = (out.face_value * matured_redeemed).divide(settled, minor, p.rounding.mode);
    } else {
        out.breakage = decimal(0);
        out.breakage_basis = "no matured lots yet: 0";
        out.liability = out.face_value.rescale(minor, p.rounding.mode);
    }
    return out;
}

}  // namespace incentives
