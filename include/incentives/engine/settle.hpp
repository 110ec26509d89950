// Stage 4, settle: the measure store becomes payout lines under a program — the engine's own, or a
// variant of it with other rates, tiers, thresholds, accelerators, caps, floors, budgets or rounding.
//
//   per leaf, beneficiary, period, version: measure (growth) -> schedule (rules/schedule.hpp,
//   rules/tiers.hpp) -> threshold and eligibility (rules/threshold.hpp) -> accelerator
//   (rules/accelerator.hpp) -> caps and floors of the period (rules/limits.hpp) -> caps over longer
//   periods -> combinators (rules/combinator.hpp) -> rounding -> budgets of the rule and the program
//   (rules/budget.hpp) -> clawbacks (rules/clawback.hpp) -> lines sorted, statements.
//
// Settling is const and reads only the measure store, the catalog and the program: it can run again
// under another program variant without the events. Traces (text) are built only when asked for.
#pragma once

#include <algorithm>
#include <map>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

#include <incentives/engine/engine.hpp>
#include <incentives/engine/contests.hpp>
#include <incentives/engine/kpis.hpp>
#include <incentives/engine/roi.hpp>
#include <incentives/engine/deals.hpp>
#include <incentives/engine/ledger.hpp>
#include <incentives/engine/points.hpp>
#include <incentives/engine/referrals.hpp>
#include <incentives/rules/accelerator.hpp>
#include <incentives/rules/budget.hpp>
#include <incentives/rules/clawback.hpp>
#include <incentives/rules/combinator.hpp>
#include <incentives/rules/limits.hpp>
#include <incentives/rules/threshold.hpp>
#include <incentives/rules/tiers.hpp>

namespace incentives::detail {

[[nodiscard]] inline std::string describe(const rules::measure& m) {
    std::string s(rules::to_string(m.kind));
    if (!m.attribute.empty()) s += " " + m.attribute;
    if (m.over) {
        constexpr const char* base[] = {"prior period", "prior year", "attribute"};
        s = "growth of " + s + " over " + base[static_cast<int>(m.over->baseline)] +
            (m.over->baseline == rules::growth::baseline_kind::attribute ? " " + m.over->attribute : std::string()) +
            (m.over->form == rules::growth::form_kind::percent ? " (percent)" : " (absolute)");
    }
    return s;
}

/// A payout line while it is being computed.
struct draft {
    std::size_t top = 0;
    std::uint32_t leaf = 0;
    std::uint64_t key = 0;        ///< version * slots + slot of the leaf (accruals of leaf rules)
    std::size_t beneficiary = 0;
    std::int32_t period = 0;      ///< absolute period index in the rule's unit
    std::size_t version = 0;
    decimal amount;
    std::size_t events = 0;       ///< contributing events
    std::uint32_t clawback = none;  ///< for a clawback: its record in the measure store
    bool explain = true;          ///< the run asks for traces: `why` holds one
    boxed<trace> why;             ///< the trace being built (on the heap, and only when explaining)
    std::int32_t last_day = 0;
    std::int32_t tier = -1;       ///< the tier row that paid (tier schedules)
    static constexpr std::uint32_t none = 0xFFFFFFFFu;
    [[nodiscard]] bool is_clawback() const noexcept { return clawback != none; }
};

/// Moves a draft's amount to `after`, recording the step (described by what()) when it explains.
template <class Describe>
inline void step(draft& d, Describe&& what, const decimal& after) {
    if (d.explain) d.why->steps.push_back({std::string(what()), d.amount, after});
    d.amount = after;
}

/// `d` without trailing zeros beyond `places` (the same value, easier to read).
inline decimal trimmed(const decimal& d, int places) {
    decimal n = d.normalized();
    return n.scale() >= places ? n : n.rescale(places, rounding_mode::unnecessary);
}

inline std::string percent(const decimal& fraction) {
    return (fraction * decimal(100)).rescale(2, rounding_mode::half_even).to_string() + "%";
}

/// The catalog's plans by period unit, beneficiary id and period, indexed the first time a unit is
/// asked for: once per run, or once for many runs of one program (the simulation's scenarios).
class plan_index {
public:
    [[nodiscard]] std::optional<decimal> find(const catalog& cat, const program& p, const std::string& who, std::int32_t period,
                                              period_unit unit) {
        auto& idx = by_[unit];
        if (idx.empty())
            for (const auto& pl : cat.plans()) {
                // Every date has a period of a calendar unit; the program's one period holds only its own
                // dates (a plan dated next year is not this program's plan).
                if (unit == period_unit::program && !p.cal.contains(pl.period_start)) continue;
                idx[{pl.beneficiary, p.cal.index_of(pl.period_start, unit)}] += pl.target;
            }
        auto it = idx.find({who, period});
        if (it == idx.end()) return std::nullopt;
        return it->second;
    }

private:
    std::map<period_unit, std::map<std::pair<std::string, std::int32_t>, decimal>> by_;
};

/// One settlement: an engine's measures under one program (the engine's own or a variant).
class settlement {
public:
    settlement(const engine& e, const program& p, const run_options& o, plan_index* plans = nullptr)
        : e_(e), p_(p), o_(o), cat_(*e.cat_), minor_(p.currency_.minor_units()), zero_(decimal::from_units(0, minor_)),
          plans_(plans ? plans : &own_plans_) {}

    result run();
    /// Every line's draft (amounts after rounding, budgets and clawbacks), before lines and
    /// statements are made of them: what the simulation costs when nothing else needs the lines.
    std::vector<draft> drafts();

private:
    using to_t = rules::credit::to_t;
    [[nodiscard]] const rules::rule& rule_of(const leaf& l) const {
        const auto& top = p_.rules[l.top];
        return l.child < 0 ? top : top.children[static_cast<std::size_t>(l.child)];
    }
    [[nodiscard]] std::string beneficiary_id(const rules::rule& r, std::size_t b) const {
        switch (r.credit_.to) {
            case to_t::partner: return cat_.partners()[b].id;
            case to_t::participant: return cat_.participants()[b].id;
            default: return "program";
        }
    }
    [[nodiscard]] std::optional<std::size_t> partner_of(const rules::rule& r, std::size_t b) const {
        switch (r.credit_.to) {
            case to_t::partner: return b;
            case to_t::participant: return cat_.partner_of(static_cast<std::uint32_t>(b));
            default: return std::nullopt;
        }
    }
    /// The places a top-level rule's lines are rounded to: the points' for a rule paying in points,
    /// else the currency's minor units.
    [[nodiscard]] int places_of(std::size_t top) const {
        return !p_.rules[top].points.empty() && p_.points ? p_.points->places : minor_;
    }
    [[nodiscard]] std::optional<decimal> plan_for(const std::string& who, std::int32_t period, period_unit unit);
    [[nodiscard]] const period& period_of(period_unit unit, std::int32_t p) {
        auto [it, fresh] = periods_.try_emplace({unit, p});
        if (fresh) it->second = p_.cal.period_at(p, unit);
        return it->second;
    }

    std::vector<draft> leaf_lines(std::uint32_t li);
    void group_amount(draft& d, const leaf& l, const rules::rule& r, const decimal& returned, trace& t);
    decimal schedule_amount(draft& d, const leaf& l, const rules::schedule& pay, std::size_t v, std::size_t slot,
                            const std::optional<decimal>& measure, const decimal& raw, trace& t);
    std::optional<decimal> with_growth(const leaf& l, const rules::measure& m, const decimal& cur, std::size_t slot,
                                       trace& t, bool second);
    decimal measure_at(const leaf& l, std::size_t v, std::size_t slot, bool second) const;
    void modify(draft& d, const rules::rule& r, const decimal& measure, const rules::threshold& q,
                const std::optional<rules::accelerator>& acc, const std::vector<rules::limit>& limits);
    void longer_caps(std::vector<draft>& drafts, const rules::rule& r, const std::vector<rules::limit>& limits);
    std::vector<draft> combine(std::size_t t, std::vector<draft>& children);
    void budget(std::vector<draft*>& lines, const rules::budget& b, const char* whose);
    draft clawback_draft(std::uint32_t index, const decimal& line_amount);
    draft clawback_line(std::uint32_t index, const decimal& line_amount);
    draft recomputed_clawback(std::uint32_t index, const decimal& line_amount, decimal& standing, decimal& returned);
    result lines_and_statements(std::vector<draft>& all);

    const engine& e_;
    const program& p_;
    const run_options& o_;
    const catalog& cat_;
    const int minor_;
    const decimal zero_;
    plan_index own_plans_;
    plan_index* plans_;
    std::map<std::pair<period_unit, std::int32_t>, period> periods_;
    std::map<std::uint64_t, std::int64_t> distinct_;               // of the leaf being settled
    std::map<std::uint64_t, std::vector<std::string>> event_ids_;  // of the leaf being settled
};

inline std::optional<decimal> settlement::plan_for(const std::string& who, std::int32_t period, period_unit unit) {
    return plans_->find(cat_, p_, who, period, unit);
}

// Threshold and eligibility, accelerator, caps and floors of the rule's own period.
inline void settlement::modify(draft& d, const rules::rule& r, const decimal& measure, const rules::threshold& q,
                               const std::optional<rules::accelerator>& acc, const std::vector<rules::limit>& limits) {
    // A line that does not qualify pays zero: no accelerator or floor lifts it again.
    if (!rules::reaches(q, measure)) {
        step(d, [&] { return "below the qualification threshold " + q.min_measure->to_string(); }, zero_);
        return;
    }
    if (q.eligible) {
        auto pi = partner_of(r, d.beneficiary);
        if (pi && !rules::eligible(q, cat_.partners()[*pi])) {
            step(d, [] { return "partner not eligible"; }, zero_);
            return;
        }
    }
    if (acc) {
        auto target = plan_for(beneficiary_id(r, d.beneficiary), d.period, r.per);
        if (!target) {
            if (d.explain) d.why->note += (d.why->note.empty() ? "" : "; ") + std::string("no plan: accelerator not applied");
        } else {
            decimal mult = rules::multiplier(*acc, measure, *target);
            step(d, [&] {
                return "accelerator x" + mult.to_string() + " at " + percent(measure.divide(*target, 8, rounding_mode::half_even)) +
                       " of plan " + target->to_string();
            }, d.amount * mult);
        }
    }
    for (const auto& l : limits) {
        if (l.longer_than(r.per)) continue;
        decimal after = rules::apply_limit(l, d.amount);
        if (!(after == d.amount))
            step(d, [&] {
                return std::string(l.kind == rules::limit::kind_t::cap ? "cap " : "floor ") + l.amount.to_string() + " per " +
                       std::string(to_string(r.per));
            }, after);
    }
}

// Caps over longer periods (e.g. per year on quarterly lines): per beneficiary and longer period, the
// lines in period order share the cap (rules::share_cap).
inline void settlement::longer_caps(std::vector<draft>& drafts, const rules::rule& r, const std::vector<rules::limit>& limits) {
    for (const auto& l : limits) {
        if (!l.longer_than(r.per) || l.kind != rules::limit::kind_t::cap) continue;
        std::map<std::tuple<std::size_t, std::int32_t>, std::vector<std::size_t>> groups;  // lines in period order
        std::vector<std::size_t> order(drafts.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return std::tie(drafts[a].beneficiary, drafts[a].period, drafts[a].version) <
                   std::tie(drafts[b].beneficiary, drafts[b].period, drafts[b].version);
        });
        for (auto i : order)
            groups[{drafts[i].beneficiary, p_.cal.index_of(period_of(r.per, drafts[i].period).from, *l.per)}].push_back(i);
        for (const auto& [key, members] : groups) {
            std::vector<decimal> asked;
            for (auto i : members) asked.push_back(drafts[i].amount);
            auto got = rules::share_cap(l.amount, asked);
            decimal used;
            for (std::size_t k = 0; k < members.size(); ++k) {
                auto& d = drafts[members[k]];
                if (!(got[k] == d.amount))
                    step(d, [&] {
                        return "cap " + l.amount.to_string() + " per " + std::string(to_string(*l.per)) + " (" + used.to_string() +
                               " already paid)";
                    }, got[k]);
                used += got[k];
            }
        }
    }
}

inline decimal settlement::measure_at(const leaf& l, std::size_t v, std::size_t slot, bool second) const {
    const auto& g = e_.ms_.acc[static_cast<std::size_t>(&l - e_.leaves_.data())].groups[v][slot];
    if (second) return decimal::from_units(g.second, l.second_scale);
    if (l.distinct) {
        auto it = distinct_.find(v * l.slots() + slot);
        return decimal(it == distinct_.end() ? 0 : it->second);
    }
    return decimal::from_units(g.measure, l.measure_scale);
}

// A measure with its growth applied; nullopt when the growth percent has no baseline.
inline std::optional<decimal> settlement::with_growth(const leaf& l, const rules::measure& m, const decimal& cur,
                                                      std::size_t slot, trace& t, bool second) {
    if (!m.over) return cur;
    const auto& r = rule_of(l);
    const std::size_t b = slot / l.periods, pi = slot % l.periods;
    decimal base;
    if (m.over->baseline == rules::growth::baseline_kind::attribute) {
        // The beneficiary's own attribute: a participant's for people, a partner's otherwise.
        const attributes* attrs = nullptr;
        if (r.credit_.to == to_t::participant) attrs = &cat_.participants()[b].attrs;
        else if (r.credit_.to == to_t::partner) attrs = &cat_.partners()[b].attrs;
        auto it = attrs ? attrs->find(m.over->attribute) : attributes::const_iterator();
        base = (!attrs || it == attrs->end() || it->second.empty()) ? decimal() : decimal::parse(it->second);
    } else {
        const auto back = static_cast<std::size_t>(lookback_periods(m, l.unit));
        for (std::size_t v = 0; v < l.version_from.size(); ++v) base += measure_at(l, v, b * l.periods + (pi - back), second);
    }
    t.baseline = base;
    if (m.over->form == rules::growth::form_kind::absolute) return cur - base;
    if (base.signum() <= 0) {
        t.note = "no baseline (" + base.to_string() + "): growth percent is undefined and pays nothing";
        return std::nullopt;
    }
    return (cur - base).divide(base, 6, rounding_mode::half_even);
}

// The schedule's amount for one group, before modifiers (exact).
inline decimal settlement::schedule_amount(draft& d, const leaf& l, const rules::schedule& pay, std::size_t v,
                                           std::size_t slot, const std::optional<decimal>& m, const decimal& raw, trace& t) {
    using kind = rules::schedule::kind_t;
    const decimal measure = m.value_or(decimal());
    if (!m) return zero_;
    if (pay.kind == kind::lookup || (l.event_rounding && pay.is_linear())) {
        if (pay.kind != kind::lookup) t.rate = pay.value;
        return decimal::from_units(e_.ms_.acc[d.leaf].groups[v][slot].payout, l.payout_scale);
    }
    if (pay.kind == kind::fixed) {
        if (measure.signum() <= 0 && d.explain)
            t.note = "no measure (" + measure.to_string() + "): a fixed amount needs a measure above zero";
        return rules::apply_simple(pay, measure);
    }
    if (pay.kind != kind::tiers) {
        t.rate = pay.value;
        return rules::apply_simple(pay, measure);
    }
    const auto& tt = pay.tiers_;
    decimal on = measure;
    if (tt.on) {
        trace scratch;
        const bool second = l.second && tt.on->kind == l.second_kind;
        auto tm = with_growth(l, *tt.on, second ? measure_at(l, v, slot, true) : raw, slot, scratch, second);
        on = tm.value_or(decimal());
        if (scratch.baseline) t.baseline = scratch.baseline;
        if (d.explain)
            t.steps.push_back({"tier measure " + describe(*tt.on) + " = " + trimmed(on, 0).to_string(), on, on});
        if (!tm) {
            t.note = scratch.note;
            return zero_;
        }
    }
    auto out = rules::apply_tiers(tt, measure, on);
    if (!out.row) {
        if (d.explain) t.note = "below the first tier (from " + tt.rows.front().from.to_string() + ")";
        return zero_;
    }
    const auto& row = tt.rows[*out.row];
    d.tier = static_cast<std::int32_t>(*out.row);
    if (d.explain) {
        t.tier = row.name.empty() ? "tier " + std::to_string(*out.row + 1) : row.name;
        if (out.above_top)
            t.note = "above the top of the table (" + tt.top()->to_string() + "): the excess earns nothing more";
    }
    t.rate = row.value;
    return out.amount;
}

// One group's line (d.version, the slot of d.key): the schedule over its measure less `returned`
// (zero, or what a clawback recomputing the line removes), then the modifiers of its period.
inline void settlement::group_amount(draft& d, const leaf& l, const rules::rule& r, const decimal& returned, trace& t) {
    const std::size_t v = d.version, slot = d.key % l.slots();
    const auto& pay = v == 0 ? r.pay : r.versions[v - 1].pay;
    const auto& qualify = v == 0 ? r.qualify : r.versions[v - 1].qualify;
    const auto& accel = v == 0 ? r.accelerate : r.versions[v - 1].accelerate;
    const auto& limits = v == 0 ? r.limits : r.versions[v - 1].limits;
    const decimal raw = measure_at(l, v, slot, false) - returned;
    const auto m = with_growth(l, r.measure_, raw, slot, t, false);
    const decimal measure = m.value_or(decimal());
    if (d.explain) t.base = trimmed(measure, l.base_scale);
    decimal amount = schedule_amount(d, l, pay, v, slot, m, raw, t);
    if (amount.signum() < 0) {  // values are never negative (validated): only a negative measure gets here
        if (d.explain) t.note = "a negative measure (" + measure.to_string() + ") pays nothing";
        amount = zero_;
    }
    if (amount.is_zero()) amount = zero_;
    t.amount_before = amount;
    d.amount = amount;
    modify(d, r, measure, qualify, accel, limits);
}

// The lines of one leaf rule: per version, beneficiary and period with events, the schedule and the
// modifiers of the period; then the caps over longer periods, each version over its own lines.
inline std::vector<draft> settlement::leaf_lines(std::uint32_t li) {
    const auto& l = e_.leaves_[li];
    const auto& r = rule_of(l);
    const auto& la = e_.ms_.acc[li];
    distinct_.clear();
    if (l.distinct) {
        auto pairs = la.distinct;
        std::sort(pairs.begin(), pairs.end());
        pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
        for (const auto& kc : pairs) ++distinct_[kc.key];
    }
    event_ids_.clear();
    if (o_.event_ids && e_.retain_ids_)
        for (const auto& kc : la.ids) event_ids_[kc.key].push_back(e_.st_.event_ids[kc.code]);

    std::vector<draft> out;
    trace quiet;  // written when not explaining, never read
    std::size_t groups = 0;
    for (const auto& g : la.groups)
        for (const auto& a : g) groups += a.count != 0;
    out.reserve(groups);
    for (std::size_t v = 0; v < la.groups.size(); ++v) {
        for (std::size_t slot = 0; slot < l.slots(); ++slot) {
            const auto& a = la.groups[v][slot];
            if (a.count == 0) continue;
            const std::int32_t p = l.period_lo + static_cast<std::int32_t>(slot % l.periods);
            if (p < l.program_lo) continue;  // a baseline period: measured, never paid
            draft& d = out.emplace_back();
            d.top = l.top;
            d.leaf = li;
            d.key = v * l.slots() + slot;
            d.beneficiary = slot / l.periods;
            d.period = p;
            d.version = v;
            d.last_day = a.last_day;
            d.events = static_cast<std::size_t>(a.count);
            d.explain = o_.traces;
            trace& t = d.explain ? d.why.emplace() : quiet;
            if (d.explain) {
                t.rule = r.id;
                t.version = v ? l.version_from[v].to_string() : "";
                t.measure = describe(r.measure_);
                if (auto it = event_ids_.find(d.key); it != event_ids_.end()) {
                    t.event_ids = it->second;
                    std::sort(t.event_ids.begin(), t.event_ids.end());
                }
            }
            group_amount(d, l, r, decimal(), t);
        }
    }
    auto longer = [&](const std::vector<rules::limit>& ls) {
        return std::any_of(ls.begin(), ls.end(), [&](const rules::limit& x) { return x.longer_than(r.per); });
    };
    bool any_longer = longer(r.limits);
    for (const auto& v : r.versions) any_longer = any_longer || longer(v.limits);
    if (!any_longer) return out;
    std::vector<draft> capped;
    capped.reserve(out.size());
    for (std::size_t v = 0; v < la.groups.size(); ++v) {
        std::vector<draft> mine;
        for (auto& d : out)
            if (d.version == v) mine.push_back(std::move(d));
        longer_caps(mine, r, v == 0 ? r.limits : r.versions[v - 1].limits);
        for (auto& d : mine) capped.push_back(std::move(d));
    }
    return capped;
}

// A combinator's line per beneficiary and period from its children's lines (rules::combine), then
// its own eligibility and limits.
inline std::vector<draft> settlement::combine(std::size_t t, std::vector<draft>& children) {
    const auto& top = p_.rules[t];
    std::map<std::pair<std::size_t, std::int32_t>, std::vector<draft*>> groups;
    for (auto& d : children) groups[{d.beneficiary, d.period}].push_back(&d);
    std::vector<draft> combined;
    combined.reserve(groups.size());
    std::vector<decimal> amounts;
    for (auto& [k, parts] : groups) {
        amounts.clear();
        for (auto* p : parts) amounts.push_back(p->amount);
        const auto got = rules::combine(top.combine, amounts);
        draft& c = combined.emplace_back();
        c.explain = o_.traces;
        c.top = t;
        c.leaf = parts.front()->leaf;
        c.beneficiary = k.first;
        c.period = k.second;
        c.amount = got.amount;
        // sum_of and first_of count every child's events; max_of those of the child that wins
        for (auto* p : parts) {
            c.last_day = std::max(c.last_day, p->last_day);
            if (top.combine != rules::combinator::max_of) c.events += p->events;
        }
        if (top.combine == rules::combinator::max_of) c.events = parts[got.winner]->events;
        if (c.explain) {
            trace& w = c.why.emplace();
            w.rule = top.id;
            w.measure = std::string(to_string(top.combine));
            decimal running;
            for (std::size_t i = 0; i < parts.size(); ++i) {
                const auto* p = parts[i];
                const bool take = i == 0 || running < p->amount;
                decimal after = top.combine == rules::combinator::max_of ? (take ? p->amount : running) : running + p->amount;
                w.steps.push_back({p->why->rule + (p->why->version.empty() ? "" : "@" + p->why->version) + " pays " +
                                       p->amount.to_string(),
                                   running, after});
                running = after;
                if (o_.event_ids) w.event_ids.insert(w.event_ids.end(), p->why->event_ids.begin(), p->why->event_ids.end());
            }
            w.base = c.amount;
            w.amount_before = c.amount;
            std::sort(w.event_ids.begin(), w.event_ids.end());
        }
        modify(c, top, c.amount, top.qualify, std::nullopt, top.limits);
    }
    longer_caps(combined, top, top.limits);
    return combined;
}

// A budget over some lines (rules::allocate_budget). First-come policies pay the lines in the order
// their measure was reached: the date of their last event, then beneficiary id, period start and
// rule in program order.
inline void settlement::budget(std::vector<draft*>& lines, const rules::budget& b, const char* whose) {
    if (b.policy != rules::budget::policy_t::pro_rata) {
        std::vector<std::tuple<std::int32_t, std::string, date, std::size_t, std::size_t>> keys;
        keys.reserve(lines.size());
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const auto* d = lines[i];
            const auto& r = p_.rules[d->top];
            keys.emplace_back(d->last_day, beneficiary_id(r, d->beneficiary), period_of(r.per, d->period).from, d->top, i);
        }
        std::sort(keys.begin(), keys.end());
        std::vector<draft*> ordered;
        for (const auto& k : keys) ordered.push_back(lines[std::get<4>(k)]);
        lines = std::move(ordered);
    }
    std::vector<decimal> asked;
    asked.reserve(lines.size());
    decimal total;
    for (auto* d : lines) {
        asked.push_back(d->amount);
        total += d->amount;
    }
    const auto got = rules::allocate_budget(b, asked, lines.empty() ? minor_ : places_of(lines.front()->top));
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (!(got[i] == lines[i]->amount))
            step(*lines[i], [&] {
                return std::string(whose) + " budget " + b.amount.to_string() + " (" + std::string(to_string(b.policy)) +
                       ", total asked " + total.to_string() + ")";
            }, got[i]);
}

// The common part of a clawback line: the rule, beneficiary and version of the sale's line, in the
// period of the return; its amount and note are the basis's.
inline draft settlement::clawback_draft(std::uint32_t index, const decimal& line_amount) {
    const auto& c = e_.ms_.clawbacks[index];
    const auto& l = e_.leaves_[c.leaf];
    const auto& r = rule_of(l);
    draft d;
    d.top = l.top;
    d.leaf = c.leaf;
    d.key = c.key;
    d.beneficiary = (c.key % l.slots()) / l.periods;
    d.period = p_.cal.index_of(date(c.day), r.per);
    d.version = c.key / l.slots();
    d.clawback = index;
    d.last_day = c.day;
    d.events = 1;
    d.explain = o_.traces;
    if (d.explain) {
        trace& t = d.why.emplace();
        t.rule = r.id;
        t.version = d.version ? l.version_from[d.version].to_string() : "";
        t.measure = describe(r.measure_);
        const decimal sale_measure = decimal::from_units(c.sale_measure, l.measure_scale);
        t.base = trimmed((sale_measure * decimal(c.num)).divide(decimal(c.den), l.measure_scale + 4, rounding_mode::half_even),
                         l.base_scale);
        t.amount_before = line_amount;
        if (o_.event_ids) t.event_ids = {c.return_id};
    }
    return d;
}

// basis proportional: a share of what the sale's line was paid (rules::proportional_clawback).
inline draft settlement::clawback_line(std::uint32_t index, const decimal& line_amount) {
    const auto& c = e_.ms_.clawbacks[index];
    const auto& l = e_.leaves_[c.leaf];
    const auto& g = e_.ms_.acc[c.leaf].groups[c.key / l.slots()][c.key % l.slots()];
    const decimal line_measure = decimal::from_units(g.measure, l.measure_scale);
    const decimal sale_measure = decimal::from_units(c.sale_measure, l.measure_scale);
    draft d = clawback_draft(index, line_amount);
    d.amount = rules::proportional_clawback(line_amount, sale_measure, line_measure, c.num, c.den, places_of(l.top), p_.rounding.mode);
    if (d.explain) {
        auto gcd = std::gcd(c.num, c.den);
        d.why->note = "return " + c.return_id + " of sale " + c.sale_id + " within the " +
                      std::to_string(rule_of(l).clawback_->days) + "-day clawback window reverses " +
                      std::to_string(c.num / gcd) + "/" + std::to_string(c.den / gcd) +
                      " of the sale's share of a line of " + line_amount.to_string();
    }
    return d;
}

// basis recompute: the line's schedule and modifiers again over its measure without what the returns
// so far removed (`returned`, this return's part added); the clawback is the fall from what the line
// stands at after the earlier returns (`standing`, lowered here). Budgets and caps over longer periods
// are not applied again: a line they cut stands at what they paid, and a return never raises a line.
inline draft settlement::recomputed_clawback(std::uint32_t index, const decimal& line_amount, decimal& standing,
                                             decimal& returned) {
    const auto& c = e_.ms_.clawbacks[index];
    const auto& l = e_.leaves_[c.leaf];
    const auto& r = rule_of(l);
    // The return's part of the measure, at the measure's places (exact unless split credit leaves a
    // fraction of a unit: then half-even, as documented in docs/rules/clawback.md).
    const decimal part = (decimal::from_units(c.sale_measure, l.measure_scale) * decimal(c.num))
                             .divide(decimal(c.den), l.measure_scale, rounding_mode::half_even);
    returned += part;
    draft again;
    again.top = l.top;
    again.leaf = c.leaf;
    again.key = c.key;
    again.beneficiary = (c.key % l.slots()) / l.periods;
    again.period = l.period_lo + static_cast<std::int32_t>((c.key % l.slots()) % l.periods);
    again.version = c.key / l.slots();
    again.explain = false;
    trace quiet;
    group_amount(again, l, r, returned, quiet);
    decimal recomputed = again.amount;
    const int places = places_of(l.top);
    if (p_.rounding.point != rounding_policy::point_t::statement) recomputed = recomputed.rescale(places, p_.rounding.mode);
    const decimal before = standing;
    if (recomputed < standing) standing = recomputed;
    draft d = clawback_draft(index, line_amount);
    d.amount = (standing - before).rescale(std::max(places, (standing - before).scale()), rounding_mode::unnecessary);
    if (d.explain)
        d.why->note = "return " + c.return_id + " of sale " + c.sale_id + " within the " + std::to_string(r.clawback_->days) +
                      "-day clawback window: the line recomputed without the returned " + trimmed(returned, l.base_scale).to_string() +
                      " of its measure pays " + recomputed.to_string() + ", down from " + before.to_string();
    return d;
}

inline result settlement::run() {
    auto all = drafts();
    return lines_and_statements(all);
}

inline std::vector<draft> settlement::drafts() {
    std::vector<draft> all;
    // The leaves of each top-level rule, found once (a scan per rule grew with rules x leaves).
    std::vector<std::vector<std::uint32_t>> leaves_of(p_.rules.size());
    for (std::uint32_t li = 0; li < e_.leaves_.size(); ++li) leaves_of[e_.leaves_[li].top].push_back(li);
    for (std::size_t t = 0; t < p_.rules.size(); ++t) {
        const auto& top = p_.rules[t];
        std::vector<draft> drafts;
        for (std::uint32_t li : leaves_of[t]) {
            auto mine = leaf_lines(li);
            drafts.insert(drafts.end(), std::make_move_iterator(mine.begin()), std::make_move_iterator(mine.end()));
        }
        if (top.combine != rules::combinator::none) drafts = combine(t, drafts);
        const int places = places_of(t);
        if (p_.rounding.point != rounding_policy::point_t::statement)
            for (auto& d : drafts) {
                decimal rounded = d.amount.rescale(places, p_.rounding.mode);
                if (d.amount.scale() != places || !(rounded == d.amount))
                    step(d, [&] {
                        return "round " + std::string(to_string(p_.rounding.mode)) + " to " + std::to_string(places) + " places";
                    }, rounded);
            }
        if (top.budget_) {
            std::vector<draft*> ptrs;
            for (auto& d : drafts) ptrs.push_back(&d);
            budget(ptrs, *top.budget_, "rule");
        }
        all.insert(all.end(), std::make_move_iterator(drafts.begin()), std::make_move_iterator(drafts.end()));
    }
    if (p_.budget_) {  // money only: lines of points rules are points
        std::vector<draft*> ptrs;
        for (auto& d : all)
            if (p_.rules[d.top].points.empty()) ptrs.push_back(&d);
        budget(ptrs, *p_.budget_, "program");
    }
    // Clawbacks reverse a share of what the sale's line was finally paid.
    if (!e_.ms_.clawbacks.empty()) {
        std::map<std::pair<std::uint32_t, std::uint64_t>, decimal> paid;  // (leaf, key) -> amount
        for (const auto& d : all)
            if (p_.rules[d.top].combine == rules::combinator::none) paid[{d.leaf, d.key}] = d.amount;
        // The returns of a line in date, return id and sale id order: a recomputed line falls return
        // by return, whatever order the returns came in.
        const auto& claws = e_.ms_.clawbacks;
        std::vector<std::uint32_t> order(claws.size());
        std::iota(order.begin(), order.end(), std::uint32_t{0});
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            const auto &ca = claws[a], &cb = claws[b];
            return std::tie(ca.leaf, ca.key, ca.day, ca.return_id, ca.sale_id) <
                   std::tie(cb.leaf, cb.key, cb.day, cb.return_id, cb.sale_id);
        });
        std::map<std::pair<std::uint32_t, std::uint64_t>, std::pair<decimal, decimal>> recomputing;  // standing, returned
        for (auto i : order) {
            const auto& c = claws[i];
            auto it = paid.find({c.leaf, c.key});
            if (it == paid.end() || it->second.is_zero()) continue;
            const auto& l = e_.leaves_[c.leaf];
            if (e_.ms_.acc[c.leaf].groups[c.key / l.slots()][c.key % l.slots()].measure == 0) continue;
            if (rule_of(l).clawback_->basis == rules::clawback::basis_t::proportional) {
                all.push_back(clawback_line(i, it->second));
                continue;
            }
            auto& [standing, returned] = recomputing.try_emplace(it->first, it->second, decimal()).first->second;
            all.push_back(recomputed_clawback(i, it->second, standing, returned));
        }
    }
    return all;
}

// Lines sorted by rule (program order), beneficiary id, period, accruals before clawbacks, version,
// and clawbacks by return date, return id and sale id — so that no order of input changes them —
// then statements per beneficiary and period.
inline result settlement::lines_and_statements(std::vector<draft>& all) {
    result res;
    res.events_seen = e_.st_.events;
    res.duplicates_ignored = e_.st_.duplicates_ignored;
    res.events_outside_program = e_.st_.outside;
    if (e_.prog_->unknown_kinds == unknown_kind_policy::warn)
        for (std::size_t k = 0; k < e_.st_.kind_events.size(); ++k)
            if (e_.st_.kind_events[k] > 0 && !e_.paid_kinds_.accepts(e_.st_.dicts.kinds[static_cast<std::uint32_t>(k)]))
                res.unknown_kinds.emplace_back(e_.st_.dicts.kinds[static_cast<std::uint32_t>(k)], e_.st_.kind_events[k]);
    std::sort(res.unknown_kinds.begin(), res.unknown_kinds.end());
    // Beneficiaries ranked once by (id, type), so that sorting compares integers.
    std::vector<std::uint32_t> partner_rank(cat_.partners().size(), 0), participant_rank(cat_.participants().size(), 0);
    std::uint32_t program_rank = 0;
    auto rank_slot = [&](to_t type, std::size_t b) -> std::uint32_t& {
        return type == to_t::partner ? partner_rank[b] : type == to_t::participant ? participant_rank[b] : program_rank;
    };
    {
        std::vector<std::pair<to_t, std::size_t>> who;
        for (const auto& d : all) {
            const auto& r = p_.rules[d.top];
            auto& mark = rank_slot(r.credit_.to, d.beneficiary);
            if (mark == 0) {
                mark = 1;
                who.emplace_back(r.credit_.to, d.beneficiary);
            }
        }
        auto id_of = [&](const std::pair<to_t, std::size_t>& w) -> std::string_view {
            return w.first == to_t::partner       ? std::string_view(cat_.partners()[w.second].id)
                   : w.first == to_t::participant ? std::string_view(cat_.participants()[w.second].id)
                                                  : std::string_view("program");
        };
        std::sort(who.begin(), who.end(), [&](const auto& a, const auto& b) {
            if (int c = id_of(a).compare(id_of(b))) return c < 0;
            return a.first < b.first;
        });
        for (std::size_t k = 0; k < who.size(); ++k) rank_slot(who[k].first, who[k].second) = static_cast<std::uint32_t>(k);
    }
    std::vector<std::uint32_t> rank(all.size());
    std::vector<const period*> per(all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        const auto& r = p_.rules[all[i].top];
        rank[i] = rank_slot(r.credit_.to, all[i].beneficiary);
        per[i] = &period_of(r.per, all[i].period);
    }
    const auto& claws = e_.ms_.clawbacks;
    std::vector<std::size_t> order(all.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto &da = all[a], &db = all[b];
        if (da.top != db.top) return da.top < db.top;
        if (rank[a] != rank[b]) return rank[a] < rank[b];
        if (per[a]->from != per[b]->from) return per[a]->from < per[b]->from;
        if (da.is_clawback() != db.is_clawback()) return db.is_clawback();  // accruals first
        if (da.version != db.version) return da.version < db.version;
        if (da.is_clawback()) {
            const auto &ca = claws[da.clawback], &cb = claws[db.clawback];
            if (ca.day != cb.day) return ca.day < cb.day;
            if (int c = ca.return_id.compare(cb.return_id)) return c < 0;
            if (int c = ca.sale_id.compare(cb.sale_id)) return c < 0;
        }
        return da.leaf < db.leaf;
    });
    res.lines.reserve(all.size());
    for (auto i : order) {
        auto& d = all[i];
        const auto& r = p_.rules[d.top];
        payout_line& line = res.lines.emplace_back();
        line.rule = r.id;
        line.beneficiary_type = r.credit_.to;
        line.beneficiary = beneficiary_id(r, d.beneficiary);
        if (auto pi = partner_of(r, d.beneficiary)) line.partner = cat_.partners()[*pi].id;
        line.period = per[i]->label;
        line.period_start = per[i]->from;
        line.kind = d.is_clawback() ? payout_line::kind_t::clawback : payout_line::kind_t::accrual;
        // A points rule's lines are points: their currency is the points' id.
        const int places = places_of(d.top);
        line.currency = places == minor_ && r.points.empty() ? std::string(p_.currency_.code()) : p_.points->id;
        // Written with at least the currency's minor units (20 EUR is 20.00), never fewer.
        line.amount = d.amount.scale() < places ? d.amount.rescale(places, rounding_mode::unnecessary) : d.amount;
        line.tier = d.is_clawback() ? -1 : d.tier;
        if (d.why) {
            line.why = std::move(d.why);
            line.why->events = d.events;
        } else if (d.is_clawback()) {  // keep what a clawback reverses even without traces
            line.why.emplace();
            line.why->rule = r.id;
        }
        if (d.is_clawback()) {
            const auto& c = claws[d.clawback];
            const auto& l = e_.leaves_[c.leaf];
            line.why->reverses = c.sale_id;
            line.why->returned_by = c.return_id;
            line.why->reverses_period = period_of(r.per, l.period_lo + static_cast<std::int32_t>((c.key % l.slots()) % l.periods)).label;
        }
    }
    // Statements: one per (beneficiary, period) over every rule, in the same beneficiary order. Lines
    // of rules that credit a fund are paid into the fund (the ledger stage), not in cash; lines of
    // rules that pay points are points (the points stage).
    std::vector<std::size_t> by_statement;
    by_statement.reserve(res.lines.size());
    for (std::size_t k = 0; k < res.lines.size(); ++k)
        if (p_.rules[all[order[k]].top].fund.empty() && p_.rules[all[order[k]].top].points.empty()) by_statement.push_back(k);
    auto rank_at = [&](std::size_t k) { return rank[order[k]]; };
    auto same_statement = [&](std::size_t a, std::size_t b) {
        const auto &la = res.lines[a], &lb = res.lines[b];
        return rank_at(a) == rank_at(b) && la.period_start == lb.period_start && la.period == lb.period;
    };
    std::stable_sort(by_statement.begin(), by_statement.end(), [&](std::size_t a, std::size_t b) {
        const auto &la = res.lines[a], &lb = res.lines[b];
        if (rank_at(a) != rank_at(b)) return rank_at(a) < rank_at(b);
        if (la.period_start != lb.period_start) return la.period_start < lb.period_start;
        return la.period < lb.period;
    });
    for (std::size_t k = 0; k < by_statement.size(); ++k) {
        const auto& l = res.lines[by_statement[k]];
        if (k == 0 || !same_statement(by_statement[k - 1], by_statement[k]))
            res.statements.push_back({l.beneficiary_type, l.beneficiary, l.partner, l.period, l.period_start, l.currency, zero_, zero_});
        res.statements.back().exact += l.amount;
    }
    for (auto& st : res.statements)
        st.amount = p_.rounding.point == rounding_policy::point_t::statement ? st.exact.rescale(minor_, p_.rounding.mode) : st.exact;
    return res;
}

}  // namespace incentives::detail

namespace incentives {

namespace detail {
/// Settle, then the stages after it: registered deals (engine/deals.hpp), referrals
/// (engine/referrals.hpp) and contests (engine/contests.hpp) add their lines and the statements are rebuilt; the points' ledger
/// (engine/points.hpp) makes lots of the points rules' lines; then the fund ledger
/// (engine/ledger.hpp) replays the fund events and the lines credited to funds.
inline result settle_and_replay(const engine& e, const program& p, const catalog& cat, const ledger_events& kept, const run_options& o,
                                plan_index* plans = nullptr) {
    result r = settlement(e, p, o, plans).run();
    if (p.deals) deal_ledger(p, cat).replay(kept.deals, r);
    for (const auto& rp : p.referrals) referral_ledger(p, rp, cat).replay(kept.referrals, r);
    if (!p.contests.empty()) contest_stage(e, p).run(r);
    if (p.deals || !p.referrals.empty() || !p.contests.empty()) rebuild_statements(r, p);
    if (p.points) {
        std::vector<measure_row> measures;  // the levels may count a rule's measure
        if (p.points->levels && !p.points->levels->rule.empty()) measures = e.measures();
        points_ledger(p, cat, &measures).replay(kept, r);
    }
    if (!p.funds.empty()) r.ledger = fund_ledger(p, cat).replay(r.lines, kept.funds);
    if (p.kpis) r.kpis = kpi_stage(e, p).run();
    if (p.roi) r.roi = roi_stage(e, p).run(r);
    return r;
}
}  // namespace detail

INCENTIVES_INLINE result engine::run(const run_options& o) const {
    return detail::settle_and_replay(*this, *prog_, *cat_, st_.kept, o);
}

INCENTIVES_INLINE result engine::run(const program& variant, const run_options& o) const {
    validate(variant);
    detail::check_variant(*prog_, variant);
    return detail::settle_and_replay(*this, variant, *cat_, st_.kept, o);
}

INCENTIVES_INLINE std::vector<measure_row> engine::measures() const {
    std::vector<measure_row> rows;
    for (std::uint32_t li = 0; li < leaves_.size(); ++li) {
        const auto& l = leaves_[li];
        const auto& r = rule_of(l);
        const auto& la = ms_.acc[li];
        std::map<std::uint64_t, std::int64_t> distinct;
        if (l.distinct) {
            auto pairs = la.distinct;
            std::sort(pairs.begin(), pairs.end());
            pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
            for (const auto& kc : pairs) ++distinct[kc.key];
        }
        for (std::size_t v = 0; v < la.groups.size(); ++v)
            for (std::size_t slot = 0; slot < l.slots(); ++slot) {
                const auto& a = la.groups[v][slot];
                if (a.count == 0) continue;
                const std::size_t b = slot / l.periods;
                const std::int32_t p = l.period_lo + static_cast<std::int32_t>(slot % l.periods);
                const period per = prog_->cal.period_at(p, l.unit);
                measure_row& row = rows.emplace_back();
                row.rule = r.id;
                row.beneficiary_type = r.credit_.to;
                row.beneficiary = r.credit_.to == rules::credit::to_t::partner       ? cat_->partners()[b].id
                                  : r.credit_.to == rules::credit::to_t::participant ? cat_->participants()[b].id
                                                                                     : "program";
                row.period = per.label;
                row.period_start = per.from;
                row.version = v ? l.version_from[v].to_string() : "";
                row.measure = l.distinct ? decimal(distinct[v * l.slots() + slot])
                                         : detail::trimmed(decimal::from_units(a.measure, l.measure_scale), l.base_scale);
                row.events = a.count;
                row.last_event = date(a.last_day);
                row.baseline = p < l.program_lo;
            }
    }
    std::sort(rows.begin(), rows.end(), [](const measure_row& a, const measure_row& b) {
        return std::tie(a.rule, a.beneficiary, a.period_start, a.version) < std::tie(b.rule, b.beneficiary, b.period_start, b.version);
    });
    return rows;
}

}  // namespace incentives
