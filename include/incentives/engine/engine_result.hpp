// Implementation of incentives::engine: turning accumulators into payout lines with traces, and
// snapshots of the engine state.
#pragma once

#include <incentives/engine/engine.hpp>

namespace incentives {

namespace detail {

/// A payout line while it is being computed.
struct draft {
    std::size_t top = 0;
    std::uint32_t leaf = 0;
    std::uint64_t key = 0;        ///< version * slots + slot of the leaf (accruals of leaf rules)
    std::size_t beneficiary = 0;
    std::int32_t period = 0;      ///< absolute period index in the rule's unit
    std::size_t version = 0;
    decimal amount;
    std::size_t events = 0;  ///< contributing events
    std::string reverses;    ///< for a clawback: the sale it reverses
    bool explain = true;     ///< the run asks for traces: `why` holds one
    boxed<trace> why;        ///< the trace being built (on the heap, and only when explaining)
    std::int32_t last_day = 0;
    bool clawback = false;
};

/// Moves a draft's amount to `after`, recording the step (described by what()) when it explains.
template <class Describe>
inline void step(draft& d, Describe&& what, const decimal& after) {
    if (d.explain) d.why->steps.push_back({std::string(what()), d.amount, after});
    d.amount = after;
}

/// Plan targets by (beneficiary id, period index of a unit).
using plan_index = std::map<std::pair<std::string, std::int32_t>, decimal>;

/// `d` without trailing zeros beyond `places` (the same value, easier to read).
inline decimal trimmed(const decimal& d, int places) {
    decimal n = d.normalized();
    return n.scale() >= places ? n : n.rescale(places, rounding_mode::unnecessary);
}

inline std::string percent(const decimal& fraction) {
    return (fraction * decimal(100)).rescale(2, rounding_mode::half_even).to_string() + "%";
}

}  // namespace detail

inline result engine::run(const run_options& o) const {
    using detail::draft;
    result res;
    res.events_seen = st_.events;
    res.duplicates_ignored = st_.duplicates_ignored;
    res.events_outside_program = st_.outside;
    const rounding_mode mode = prog_.rounding.mode;
    const int minor = prog_.currency_.minor_units();
    const auto& cal = prog_.cal;
    const decimal zero = decimal::from_units(0, minor);

    std::map<period_unit, detail::plan_index> plans;
    auto plan_for = [&](const std::string& who, std::int32_t p, period_unit unit) -> std::optional<decimal> {
        auto& idx = plans[unit];
        if (idx.empty())
            for (const auto& pl : cat_.plans()) idx[{pl.beneficiary, cal.index_of(pl.period_start, unit)}] += pl.target;
        auto it = idx.find({who, p});
        if (it == idx.end()) return std::nullopt;
        return it->second;
    };
    auto beneficiary_id = [&](const rules::rule& r, std::size_t b) -> std::string {
        switch (r.credit_.to) {
            case rules::credit::to_t::partner: return cat_.partners()[b].id;
            case rules::credit::to_t::participant: return cat_.participants()[b].id;
            default: return "program";
        }
    };
    auto partner_index_of = [&](const rules::rule& r, std::size_t b) -> std::optional<std::size_t> {
        switch (r.credit_.to) {
            case rules::credit::to_t::partner: return b;
            case rules::credit::to_t::participant: return cat_.partner_of(static_cast<std::uint32_t>(b));
            default: return std::nullopt;
        }
    };

    // Same-period modifiers: threshold, eligibility, accelerator, caps and floors of the rule's period.
    auto modify = [&](draft& d, const rules::rule& r, const decimal& m, const rules::threshold& q,
                      const std::optional<rules::accelerator>& acc, const std::vector<rules::limit>& limits) {
        // A line that does not qualify pays zero: no accelerator or floor lifts it again.
        if (q.min_measure && m < *q.min_measure) {
            detail::step(d, [&] { return "below the qualification threshold " + q.min_measure->to_string(); }, zero);
            return;
        }
        if (q.eligible) {
            auto pi = partner_index_of(r, d.beneficiary);
            if (pi && !detail::partner_matches(*q.eligible, cat_.partners()[*pi])) {
                detail::step(d, [] { return "partner not eligible"; }, zero);
                return;
            }
        }
        if (acc) {
            auto target = plan_for(beneficiary_id(r, d.beneficiary), d.period, r.per);
            if (!target) {
                if (d.explain) d.why->note += (d.why->note.empty() ? "" : "; ") + std::string("no plan: accelerator not applied");
            } else {
                const rules::accelerator::band* hit = nullptr;
                for (const auto& band : acc->bands)
                    if (!(m < band.from * *target)) hit = &band;  // attainment m / target >= from, without dividing
                decimal mult = hit ? hit->multiplier : decimal(1);
                detail::step(d, [&] {
                    return "accelerator x" + mult.to_string() + " at " + detail::percent(m.divide(*target, 8, rounding_mode::half_even)) +
                           " of plan " + target->to_string();
                }, d.amount * mult);
            }
        }
        for (const auto& l : limits) {
            if (l.per && *l.per != r.per) continue;
            if (l.kind == rules::limit::kind_t::cap && l.amount < d.amount)
                detail::step(d, [&] { return "cap " + l.amount.to_string() + " per " + std::string(to_string(r.per)); }, l.amount);
            if (l.kind == rules::limit::kind_t::floor && d.amount < l.amount)
                detail::step(d, [&] { return "floor " + l.amount.to_string() + " per " + std::string(to_string(r.per)); }, l.amount);
        }
    };

    // Caps over longer periods (e.g. per year on quarterly lines): in period order, each line gets
    // at most what is left of the cap.
    auto long_limits = [&](std::vector<draft>& drafts, const rules::rule& r, const std::vector<rules::limit>& limits) {
        for (const auto& l : limits) {
            if (!l.per || *l.per == r.per || l.kind != rules::limit::kind_t::cap) continue;
            std::vector<std::size_t> order(drafts.size());
            std::iota(order.begin(), order.end(), std::size_t{0});
            std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
                return std::tie(drafts[a].beneficiary, drafts[a].period, drafts[a].version) <
                       std::tie(drafts[b].beneficiary, drafts[b].period, drafts[b].version);
            });
            std::map<std::pair<std::size_t, std::int32_t>, decimal> used;
            for (auto i : order) {
                auto& d = drafts[i];
                std::int32_t outer = cal.index_of(cal.period_at(d.period, r.per).from, *l.per);
                decimal& u = used[{d.beneficiary, outer}];
                decimal left = l.amount - u;
                if (left < d.amount)
                    detail::step(d, [&] {
                        return "cap " + l.amount.to_string() + " per " + std::string(to_string(*l.per)) + " (" + u.to_string() +
                               " already paid)";
                    }, left);
                u += d.amount;
            }
        }
    };

    auto budget = [&](std::vector<draft*>& lines, const rules::budget& bud, const std::string& whose) {
        decimal total;
        for (auto* d : lines) total += d->amount;
        if (!(bud.amount < total)) return;
        std::string what = whose + " budget " + bud.amount.to_string() + " (" + std::string(to_string(bud.policy)) +
                           ", total asked " + total.to_string() + ")";
        if (bud.policy == rules::budget::policy_t::pro_rata) {
            std::vector<decimal> weights;
            for (auto* d : lines) weights.push_back(d->amount);
            auto parts = allocate(bud.amount.rescale(std::max(minor, bud.amount.scale()), rounding_mode::unnecessary), weights, minor);
            for (std::size_t i = 0; i < lines.size(); ++i)
                if (!(parts[i] == lines[i]->amount)) detail::step(*lines[i], [&] { return what; }, parts[i]);
            return;
        }
        std::vector<draft*> order = lines;
        std::sort(order.begin(), order.end(), [&](const draft* a, const draft* b) {
            auto ida = beneficiary_id(prog_.rules[a->top], a->beneficiary);
            auto idb = beneficiary_id(prog_.rules[b->top], b->beneficiary);
            return std::tie(a->last_day, ida, a->period, a->top) < std::tie(b->last_day, idb, b->period, b->top);
        });
        decimal left = bud.amount;
        for (auto* d : order) {
            decimal pay = d->amount < left ? d->amount : left;
            if (bud.policy == rules::budget::policy_t::reject && pay < d->amount) pay = zero;
            if (!(pay == d->amount)) detail::step(*d, [&] { return what; }, pay);
            left -= pay;
        }
    };

    std::vector<draft> all;
    std::map<std::pair<std::uint32_t, std::uint64_t>, decimal> paid;  // (leaf, key) -> amount, for clawbacks
    for (std::size_t t = 0; t < prog_.rules.size(); ++t) {
        const auto& top = prog_.rules[t];
        std::vector<draft> drafts;
        for (std::uint32_t li = 0; li < leaves_.size(); ++li) {
            if (leaves_[li].top != t) continue;
            auto mine = leaf_drafts(li, o, modify, long_limits);
            if (drafts.empty()) drafts = std::move(mine);
            else drafts.insert(drafts.end(), std::make_move_iterator(mine.begin()), std::make_move_iterator(mine.end()));
        }
        if (top.combine != rules::combinator::none) {
            // Combine the children per beneficiary and period.
            std::map<std::pair<std::size_t, std::int32_t>, std::vector<draft*>> groups;
            for (auto& d : drafts) groups[{d.beneficiary, d.period}].push_back(&d);
            std::vector<draft> combined;
            for (auto& [k, parts] : groups) {
                draft c;
                c.explain = o.traces;
                if (c.explain) {
                    c.why.emplace().rule = top.id;
                    c.why->measure = std::string(to_string(top.combine));
                }
                c.top = t;
                c.leaf = parts.front()->leaf;
                c.beneficiary = k.first;
                c.period = k.second;
                bool first = true;
                for (auto* p : parts) {
                    // sum_of counts every child's contributions; max_of those of the child that wins
                    if (top.combine != rules::combinator::max_of) c.events += p->events;
                    c.last_day = std::max(c.last_day, p->last_day);
                    bool take = top.combine != rules::combinator::max_of || first || c.amount < p->amount;
                    decimal after = top.combine == rules::combinator::max_of ? (take ? p->amount : c.amount) : c.amount + p->amount;
                    if (c.explain) {
                        c.why->steps.push_back({p->why->rule + (p->why->version.empty() ? "" : "@" + p->why->version) + " pays " +
                                                    p->amount.to_string(),
                                                c.amount, after});
                        if (o.event_ids)
                            c.why->event_ids.insert(c.why->event_ids.end(), p->why->event_ids.begin(), p->why->event_ids.end());
                    }
                    if (top.combine == rules::combinator::max_of && take) c.events = p->events;
                    c.amount = after;
                    first = false;
                }
                if (c.explain) {
                    c.why->base = c.amount;
                    c.why->amount_before = c.amount;
                    std::sort(c.why->event_ids.begin(), c.why->event_ids.end());
                }
                modify(c, top, c.amount, top.qualify, std::nullopt, top.limits);
                combined.push_back(std::move(c));
            }
            long_limits(combined, top, top.limits);
            drafts = std::move(combined);
        }
        if (prog_.rounding.point != rounding_policy::point_t::statement)
            for (auto& d : drafts) {
                decimal r = d.amount.rescale(minor, mode);
                if (d.amount.scale() != minor || !(r == d.amount))
                    detail::step(d, [&] { return "round " + std::string(to_string(mode)) + " to " + std::to_string(minor) + " places"; }, r);
            }
        if (top.budget_) {
            std::vector<draft*> ptrs;
            for (auto& d : drafts) ptrs.push_back(&d);
            budget(ptrs, *top.budget_, "rule");
        }
        if (all.empty()) all = std::move(drafts);
        else all.insert(all.end(), std::make_move_iterator(drafts.begin()), std::make_move_iterator(drafts.end()));
    }
    if (prog_.budget_) {
        std::vector<draft*> ptrs;
        for (auto& d : all) ptrs.push_back(&d);
        budget(ptrs, *prog_.budget_, "program");
    }
    if (!st_.clawbacks.empty())
        for (const auto& d : all)
            if (prog_.rules[d.top].combine == rules::combinator::none) paid[{d.leaf, d.key}] = d.amount;

    // Clawbacks: a share of what the sale's group was paid, in the period of the return.
    for (const auto& c : st_.clawbacks) {
        auto it = paid.find({c.leaf, c.key});
        if (it == paid.end()) continue;
        const auto& l = leaves_[c.leaf];
        const auto& r = rule_of(l);
        const decimal& amount = it->second;
        decimal group_measure = decimal::from_units(st_.acc[c.leaf].groups[c.key / l.slots()][c.key % l.slots()].measure,
                                                    l.measure_scale);
        if (group_measure.is_zero() || amount.is_zero()) continue;
        decimal sale_measure = decimal::from_units(c.sale_measure, l.measure_scale);
        decimal reversed = (amount * sale_measure * decimal(c.num)).divide(group_measure * decimal(c.den), minor, mode);
        draft d;
        d.top = l.top;
        d.leaf = c.leaf;
        d.key = c.key;
        d.beneficiary = (c.key % l.slots()) / l.periods;
        d.period = cal.index_of(date(c.day), r.per);
        d.version = c.key / l.slots();
        d.clawback = true;
        d.amount = -reversed;
        d.last_day = c.day;
        d.events = 1;
        d.reverses = c.sale_id;
        d.explain = o.traces;
        if (d.explain) {
            trace& t = d.why.emplace();
            t.rule = r.id;
            t.version = d.version ? l.version_from[d.version].to_string() : "";
            t.measure = detail::describe(r.measure_);
            t.base = detail::trimmed((sale_measure * decimal(c.num)).divide(decimal(c.den), l.measure_scale + 4, rounding_mode::half_even),
                                     l.base_scale);
            auto g = std::gcd(c.num, c.den);
            t.amount_before = amount;
            t.note = "return " + c.return_id + " of sale " + c.sale_id + " within the " + std::to_string(r.clawback_->days) +
                     "-day clawback window reverses " + std::to_string(c.num / g) + "/" + std::to_string(c.den / g) +
                     " of the sale's share of a line of " + amount.to_string();
            if (o.event_ids) t.event_ids = {c.return_id};
        }
        all.push_back(std::move(d));
    }

    // Beneficiaries ranked once by (id, type), the order of lines and statements, so that sorting
    // compares integers; only those with lines are ranked.
    using to_t = rules::credit::to_t;
    std::vector<std::uint32_t> partner_rank(cat_.partners().size(), 0), participant_rank(cat_.participants().size(), 0);
    std::uint32_t program_rank = 0;
    auto rank_slot = [&](to_t type, std::size_t b) -> std::uint32_t& {
        return type == to_t::partner ? partner_rank[b] : type == to_t::participant ? participant_rank[b] : program_rank;
    };
    {
        std::vector<std::pair<to_t, std::size_t>> who;
        for (const auto& d : all) {
            const auto& r = prog_.rules[d.top];
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
    // Period labels and dates, computed once per unit and period.
    std::map<std::pair<period_unit, std::int32_t>, period> periods;
    auto period_of = [&](period_unit unit, std::int32_t p) -> const period& {
        auto [it, fresh] = periods.try_emplace({unit, p});
        if (fresh) it->second = cal.period_at(p, unit);
        return it->second;
    };

    // Sort by (rule in program order, beneficiary, period, kind, version, reversed sale), then build
    // each line once, in that order.
    std::vector<std::uint32_t> rank(all.size());
    std::vector<const period*> per(all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        const auto& r = prog_.rules[all[i].top];
        rank[i] = rank_slot(r.credit_.to, all[i].beneficiary);
        per[i] = &period_of(r.per, all[i].period);
    }
    std::vector<std::size_t> order(all.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto &da = all[a], &db = all[b];
        if (da.top != db.top) return da.top < db.top;
        if (rank[a] != rank[b]) return rank[a] < rank[b];
        if (per[a]->from != per[b]->from) return per[a]->from < per[b]->from;
        if (da.clawback != db.clawback) return db.clawback;  // accruals first
        if (da.version != db.version) return da.version < db.version;  // versions in date order, with or without traces
        if (int c = da.reverses.compare(db.reverses)) return c < 0;
        return a < b;
    });
    res.lines.reserve(all.size());
    for (auto i : order) {
        auto& d = all[i];
        const auto& r = prog_.rules[d.top];
        payout_line& line = res.lines.emplace_back();
        line.rule = r.id;
        line.beneficiary_type = r.credit_.to;
        line.beneficiary = beneficiary_id(r, d.beneficiary);
        auto pi = partner_index_of(r, d.beneficiary);
        if (pi) line.partner = cat_.partners()[*pi].id;
        line.period = per[i]->label;
        line.period_start = per[i]->from;
        line.kind = d.clawback ? payout_line::kind_t::clawback : payout_line::kind_t::accrual;
        line.currency = std::string(prog_.currency_.code());
        // Written with at least the currency's minor units (20 EUR is 20.00), never fewer.
        line.amount = d.amount.scale() < minor ? d.amount.rescale(minor, rounding_mode::unnecessary) : d.amount;
        if (d.why) {
            line.why = std::move(d.why);
            line.why->events = d.events;
            line.why->reverses = std::move(d.reverses);
        } else if (d.clawback) {  // keep the reference to the reversed sale even without traces
            line.why.emplace();
            line.why->rule = r.id;
            line.why->reverses = std::move(d.reverses);
        }
    }
    // Statements: one per (beneficiary, period) over every rule, in the same beneficiary order.
    std::vector<std::size_t> by_statement(res.lines.size());
    std::iota(by_statement.begin(), by_statement.end(), std::size_t{0});
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
            res.statements.push_back({l.beneficiary_type, l.beneficiary, l.partner, l.period, l.period_start, l.currency, zero, zero});
        res.statements.back().exact += l.amount;
    }
    for (auto& st : res.statements)
        st.amount = prog_.rounding.point == rounding_policy::point_t::statement ? st.exact.rescale(minor, mode) : st.exact;
    return res;
}

template <class Modify, class LongLimits>
std::vector<detail::draft> engine::leaf_drafts(std::uint32_t li, const run_options& o, Modify& modify,
                                               LongLimits& long_limits) const {
    using detail::draft;
    const auto& l = leaves_[li];
    const auto& r = rule_of(l);
    const auto& la = st_.acc[li];
    const rounding_mode mode = prog_.rounding.mode;
    (void)mode;
    std::map<std::uint64_t, std::int64_t> distinct;
    if (l.distinct) {
        auto pairs = la.distinct;
        std::sort(pairs.begin(), pairs.end());
        pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
        for (const auto& kc : pairs) ++distinct[kc.key];
    }
    std::map<std::uint64_t, std::vector<std::string>> ids;
    if (o.event_ids && retain_ids_)
        for (const auto& kc : la.ids) ids[kc.key].push_back(st_.event_ids[kc.code]);
    auto measure_at = [&](std::size_t v, std::size_t slot, bool second) {
        std::uint64_t key = v * l.slots() + slot;
        if (second) return decimal::from_units(la.groups[v][slot].second, l.second_scale);
        if (l.distinct) {
            auto it = distinct.find(key);
            return decimal(it == distinct.end() ? 0 : it->second);
        }
        return decimal::from_units(la.groups[v][slot].measure, l.measure_scale);
    };
    auto measure_all_versions = [&](std::size_t slot, bool second) {
        decimal m;
        for (std::size_t v = 0; v < la.groups.size(); ++v) m += measure_at(v, slot, second);
        return m;
    };
    // A measure with its growth applied; nullopt when the growth percent has no baseline.
    auto with_growth = [&](const rules::measure& m, const decimal& cur, std::size_t slot, std::size_t b, trace& t,
                           bool second) -> std::optional<decimal> {
        if (!m.over) return cur;
        decimal base;
        std::size_t pi = slot % l.periods;
        if (m.over->baseline == rules::growth::baseline_kind::attribute) {
            // The beneficiary's own attribute: a participant's for people, a partner's otherwise.
            const attributes* attrs = nullptr;
            if (r.credit_.to == rules::credit::to_t::participant) attrs = &cat_.participants()[b].attrs;
            else if (r.credit_.to == rules::credit::to_t::partner) attrs = &cat_.partners()[b].attrs;
            auto it = attrs ? attrs->find(m.over->attribute) : attributes::const_iterator();
            base = (!attrs || it == attrs->end() || it->second.empty()) ? decimal() : decimal::parse(it->second);
        } else {
            std::size_t back = static_cast<std::size_t>(detail::lookback_periods(m, l.unit));
            base = measure_all_versions(b * l.periods + (pi - back), second);
        }
        t.baseline = base;
        if (m.over->form == rules::growth::form_kind::absolute) return cur - base;
        if (base.signum() <= 0) {
            t.note = "no baseline (" + base.to_string() + "): growth percent is undefined and pays nothing";
            return std::nullopt;
        }
        return (cur - base).divide(base, 6, rounding_mode::half_even);
    };

    std::vector<draft> out;
    trace quiet;
    std::size_t groups = 0;
    for (const auto& g : la.groups)
        for (const auto& a : g) groups += a.count != 0;
    out.reserve(groups);  // drafts are large: grow once
    for (std::size_t v = 0; v < la.groups.size(); ++v) {
        const auto& pay = v == 0 ? r.pay : r.versions[v - 1].pay;
        const auto& qualify = v == 0 ? r.qualify : r.versions[v - 1].qualify;
        const auto& accel = v == 0 ? r.accelerate : r.versions[v - 1].accelerate;
        const auto& limits = v == 0 ? r.limits : r.versions[v - 1].limits;
        for (std::size_t slot = 0; slot < l.slots(); ++slot) {
            const auto& a = la.groups[v][slot];
            if (a.count == 0) continue;
            std::size_t b = slot / l.periods;
            std::int32_t p = l.period_lo + static_cast<std::int32_t>(slot % l.periods);
            if (p < l.program_lo) continue;  // a baseline period: measured, never paid
            draft d;
            d.top = l.top;
            d.leaf = li;
            d.key = v * l.slots() + slot;
            d.beneficiary = b;
            d.period = p;
            d.version = v;
            d.last_day = a.last_day;
            d.explain = o.traces;
            trace& t = d.explain ? d.why.emplace() : quiet;  // `quiet` is written, never read
            if (d.explain) {
                t.rule = r.id;
                t.version = v ? l.version_from[v].to_string() : "";
                t.measure = detail::describe(r.measure_);
            }
            d.events = static_cast<std::size_t>(a.count);
            if (auto it = ids.find(d.key); it != ids.end()) {
                t.event_ids = it->second;
                std::sort(t.event_ids.begin(), t.event_ids.end());
            }
            decimal raw = measure_at(v, slot, false);
            auto m = with_growth(r.measure_, raw, slot, b, t, false);
            decimal measure = m.value_or(decimal());
            if (d.explain) t.base = detail::trimmed(measure, l.base_scale);
            decimal amount;
            using kind = rules::schedule::kind_t;
            if (!m) {
                amount = decimal::from_units(0, prog_.currency_.minor_units());
            } else if (pay.kind == kind::lookup || (l.event_rounding && pay.is_linear())) {
                amount = decimal::from_units(a.payout, l.payout_scale);
                if (pay.kind != kind::lookup) t.rate = pay.value;
            } else if (pay.kind == kind::fixed) {
                if (measure.signum() > 0) amount = pay.value;
                else t.note = "no measure (" + measure.to_string() + "): a fixed amount needs a measure above zero";
            } else if (pay.kind == kind::tiers) {
                const auto& tt = pay.tiers_;
                decimal on = measure;
                bool no_tier_measure = false;
                if (tt.on) {
                    trace scratch;
                    bool second = l.second && tt.on->kind == l.second_kind;
                    decimal raw_on = second ? measure_at(v, slot, true) : raw;
                    auto tm = with_growth(*tt.on, raw_on, slot, b, scratch, second);
                    on = tm.value_or(decimal());
                    if (scratch.baseline) t.baseline = scratch.baseline;
                    if (!tm) {
                        t.note = scratch.note;
                        no_tier_measure = true;
                    }
                    if (d.explain)
                        t.steps.push_back({"tier measure " + detail::describe(*tt.on) + " = " + detail::trimmed(on, 0).to_string(), on, on});
                }
                std::optional<std::size_t> k;
                for (std::size_t i = 0; i < tt.rows.size(); ++i)
                    if (!(on < tt.rows[i].from)) k = i;
                if (no_tier_measure) {
                    k.reset();
                } else if (!k) {
                    if (d.explain) t.note = "below the first tier (from " + tt.rows.front().from.to_string() + ")";
                } else if (tt.rows[*k].to && !(on < *tt.rows[*k].to)) {
                    if (d.explain) t.note = "above the last tier (to " + tt.rows[*k].to->to_string() + ")";
                    k.reset();
                }
                if (k) {
                    const auto& row = tt.rows[*k];
                    if (d.explain) t.tier = row.name.empty() ? "tier " + std::to_string(*k + 1) : row.name;
                    t.rate = row.value;
                    if (tt.basis == rules::tier_table::basis_t::retroactive) {
                        amount = tt.value == rules::tier_table::value_t::rate ? measure * row.value : row.value;
                    } else {
                        for (std::size_t i = 0; i <= *k; ++i) {
                            decimal upper = i + 1 < tt.rows.size() ? tt.rows[i + 1].from : on;
                            if (on < upper) upper = on;
                            decimal band = upper - tt.rows[i].from;
                            amount += tt.value == rules::tier_table::value_t::rate ? band * tt.rows[i].value
                                                                                    : tt.rows[i].value;
                        }
                    }
                }
            } else {
                amount = measure * pay.value;
                t.rate = pay.value;
            }
            if (amount.signum() < 0) {
                if (d.explain) t.note = "a negative measure (" + measure.to_string() + ") pays nothing";
                amount = decimal();
            }
            if (amount.is_zero()) amount = decimal::from_units(0, prog_.currency_.minor_units());
            t.amount_before = amount;
            d.amount = amount;
            modify(d, r, measure, qualify, accel, limits);
            out.push_back(std::move(d));
        }
    }
    // Longer-period caps, each version with its own limits over its own lines.
    auto longer = [&](const std::vector<rules::limit>& limits) {
        return std::any_of(limits.begin(), limits.end(), [&](const rules::limit& x) { return x.per && *x.per != r.per; });
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
        long_limits(mine, r, v == 0 ? r.limits : r.versions[v - 1].limits);
        for (auto& d : mine) capped.push_back(std::move(d));
    }
    return capped;
}

namespace detail {

struct state_io {
    static std::string fingerprint(const engine& e) {
        std::string f = e.prog_.name + "|" + std::to_string(e.cat_.partners().size()) + "|" +
                        std::to_string(e.cat_.participants().size()) + "|" + std::to_string(e.cat_.products().size());
        for (const auto& l : e.leaves_) f += "|" + e.rule_of(l).id + ":" + std::to_string(l.slots()) + "x" + std::to_string(l.version_from.size());
        return f;
    }
    static void dict_out(bytes_out& o, const dictionary& d) {
        o.pod<std::uint64_t>(d.size());
        for (const auto& v : d.values()) o.str(v);
    }
    static void dict_in(bytes_in& in, dictionary& d) {
        auto n = in.pod<std::uint64_t>();
        for (std::uint64_t i = 0; i < n; ++i) {
            auto code = d.intern(in.str());
            if (code != i) bytes_in::corrupt();
        }
    }
};

}  // namespace detail

inline std::string engine::snapshot() const {
    detail::bytes_out o;
    o.str("incentives-snapshot-2");
    o.str(detail::state_io::fingerprint(*this));
    o.pod<std::uint8_t>(retain_ids_);
    detail::state_io::dict_out(o, st_.dicts.kinds);
    detail::state_io::dict_out(o, st_.dicts.categories);
    o.pod<std::uint64_t>(st_.dicts.attrs.size());
    for (const auto& [name, d] : st_.dicts.attrs) {
        o.str(name);
        detail::state_io::dict_out(o, d);
    }
    // Ids in the order they were taken in, each with its sale record.
    o.pod<std::uint64_t>(st_.ids.size());
    for (std::uint32_t k = 0; k < st_.ids.size(); ++k) {
        o.str(st_.ids.text(k));
        o.pod(st_.ids.sale(k));
    }
    o.pod<std::uint64_t>(st_.sales.size());
    for (const auto& s : st_.sales) {
        o.pod(s.event);
        o.pod(s.day);
        o.pod(s.amount);
        o.pod(s.quantity);
        auto done = st_.returned.find(static_cast<std::uint32_t>(&s - st_.sales.data()));
        o.pod(done == st_.returned.end() ? std::int64_t{0} : done->second.amount);
        o.pod(done == st_.returned.end() ? std::int64_t{0} : done->second.quantity);
    }
    std::map<std::uint32_t, const std::vector<detail::contribution>*> contrib;
    for (const auto& [k, v] : st_.contributions) contrib[k] = &v;
    o.pod<std::uint64_t>(contrib.size());
    for (const auto& [k, v] : contrib) {
        o.pod(k);
        o.pods(*v);
    }
    o.pod<std::uint64_t>(st_.clawbacks.size());
    for (const auto& c : st_.clawbacks) {
        o.pod(c.leaf);
        o.pod(c.key);
        o.pod(c.sale_measure);
        o.pod(c.num);
        o.pod(c.den);
        o.pod(c.day);
        o.str(c.return_id);
        o.str(c.sale_id);
    }
    for (const auto& la : st_.acc) {
        for (const auto& g : la.groups) o.pods(g);
        o.pods(la.distinct);
        o.pods(la.ids);
    }
    o.pod<std::uint64_t>(st_.event_ids.size());
    for (const auto& id : st_.event_ids) o.str(id);
    for (const auto& [name, values] : st_.numeric) {
        o.str(name);
        o.pods(values);
    }
    o.pod(st_.events);
    o.pod(st_.duplicates_ignored);
    o.pod(st_.outside);
    return o.take();
}

inline engine engine::restore(program prog, catalog cat, std::string_view bytes) {
    detail::bytes_in in(bytes);
    const std::string format = in.str();
    if (format == "incentives-snapshot-1")
        throw input_error("incentives.input.snapshot",
                          "the snapshot is in format 1, written by an older version of incentives; this version reads "
                          "format 2 (add the events to a new engine to rebuild the state)");
    if (format != "incentives-snapshot-2") detail::bytes_in::corrupt();
    std::string fp = in.str();
    bool retain = in.pod<std::uint8_t>() != 0;
    engine e(std::move(prog), std::move(cat), retain);
    if (fp != detail::state_io::fingerprint(e))
        throw input_error("incentives.input.snapshot",
                          "the snapshot was taken for another program or catalog (" + fp.substr(0, 80) + ")");
    auto& st = e.st_;
    detail::state_io::dict_in(in, st.dicts.kinds);
    detail::state_io::dict_in(in, st.dicts.categories);
    auto attrs = in.pod<std::uint64_t>();
    for (std::uint64_t i = 0; i < attrs; ++i) {
        auto name = in.str();
        detail::state_io::dict_in(in, st.dicts.attrs[name]);
    }
    auto ids = in.pod<std::uint64_t>();
    st.ids.reserve(ids);
    for (std::uint64_t i = 0; i < ids; ++i) {
        auto id = in.str();
        auto sale = in.pod<std::uint32_t>();
        if (st.ids.find(id) != detail::id_registry::npos) detail::bytes_in::corrupt();
        st.ids.add(detail::id_hash(id), id, sale);
    }
    auto sales = in.pod<std::uint64_t>();
    for (std::uint64_t i = 0; i < sales; ++i) {
        detail::sale_record s;
        s.event = in.pod<std::uint32_t>();
        if (s.event >= st.ids.size()) detail::bytes_in::corrupt();
        s.day = in.pod<std::int32_t>();
        s.amount = in.pod<std::int64_t>();
        s.quantity = in.pod<std::int64_t>();
        detail::returned_part done{in.pod<std::int64_t>(), in.pod<std::int64_t>()};
        if (done.amount != 0 || done.quantity != 0) st.returned[static_cast<std::uint32_t>(i)] = done;
        st.sales.push_back(s);
    }
    for (std::uint32_t k = 0; k < st.ids.size(); ++k)
        if (st.ids.sale(k) != detail::no_sale && st.ids.sale(k) >= st.sales.size()) detail::bytes_in::corrupt();
    auto contrib = in.pod<std::uint64_t>();
    for (std::uint64_t i = 0; i < contrib; ++i) {
        auto k = in.pod<std::uint32_t>();
        st.contributions[k] = in.pods<detail::contribution>();
    }
    auto claws = in.pod<std::uint64_t>();
    for (std::uint64_t i = 0; i < claws; ++i) {
        detail::clawback_record c;
        c.leaf = in.pod<std::uint32_t>();
        c.key = in.pod<std::uint64_t>();
        c.sale_measure = in.pod<int128>();
        c.num = in.pod<std::int64_t>();
        c.den = in.pod<std::int64_t>();
        c.day = in.pod<std::int32_t>();
        c.return_id = in.str();
        c.sale_id = in.str();
        st.clawbacks.push_back(std::move(c));
    }
    for (auto& la : st.acc) {
        for (auto& g : la.groups) {
            auto loaded = in.pods<detail::group_acc>();
            if (loaded.size() != g.size()) detail::bytes_in::corrupt();
            g = std::move(loaded);
        }
        la.distinct = in.pods<detail::key_code>();
        la.ids = in.pods<detail::key_code>();
    }
    auto retained = in.pod<std::uint64_t>();
    for (std::uint64_t i = 0; i < retained; ++i) st.event_ids.push_back(in.str());
    for (auto& [name, values] : st.numeric) {
        if (in.str() != name) detail::bytes_in::corrupt();
        values = in.pods<std::int64_t>();
    }
    st.events = in.pod<std::uint64_t>();
    st.duplicates_ignored = in.pod<std::uint64_t>();
    st.outside = in.pod<std::uint64_t>();
    if (!in.done()) detail::bytes_in::corrupt();
    return e;
}

}  // namespace incentives
