// The contest stage (after settle and the stages that add lines): each contest's competitors scored
// from the measure store (or their lines), grouped into leagues, ranked by the score and the
// tie-break chain (engine/ranking.hpp), cut at the number of winners, and paid their prizes as lines.
// A board is a pure function of the store, the lines and a day, so the same events in any order,
// batch split or thread count give the same board, and a board as of any day is the same function.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <incentives/detail/lot.hpp>
#include <incentives/detail/suggest.hpp>
#include <incentives/engine/engine.hpp>
#include <incentives/engine/ranking.hpp>
#include <incentives/engine/stage_lines.hpp>

namespace incentives::detail {

class contest_stage {
public:
    using to_t = rules::credit::to_t;

    contest_stage(const engine& e, const program& p) : e_(e), p_(p), cat_(*e.cat_) {}

    /// Every round of contest `c` that has started by `as_of` (all rounds without it), as boards: per
    /// round and league (by name), the ranked competitors in place order, then the ineligible.
    [[nodiscard]] std::vector<contest_standing> boards(const rules::contest& c, const std::vector<payout_line>& lines,
                                                       std::optional<date> as_of) const {
        std::vector<contest_standing> out;
        const to_t type = competitor_type(c);
        std::vector<std::string> league;
        const std::vector<std::uint32_t> who = competitors(c, type, league);
        const std::int32_t lo = c.per == period_unit::program ? 0 : p_.cal.index_of(p_.cal.from(), c.per);
        const std::int32_t hi = c.per == period_unit::program ? 0
                                : c.per == period_unit::custom ? static_cast<std::int32_t>(p_.cal.custom_periods().size()) - 1
                                                                : p_.cal.index_of(p_.cal.to(), c.per);
        for (std::int32_t ri = std::max(lo, 0); ri <= hi; ++ri) {
            window w;
            w.round = p_.cal.period_at(ri, c.per);
            w.round_index = ri;
            w.first = std::max(w.round.from, p_.cal.from()).days();
            w.last = std::min(w.round.to.days() - 1, p_.cal.to().days());
            if (w.first > w.last) continue;  // a custom period outside the program's dates
            if (as_of) {
                if (as_of->days() < w.first) break;
                w.last = std::min(w.last, as_of->days());
            }
            round_boards(c, type, who, league, w, lines, out);
        }
        return out;
    }

    /// The boards of every contest at the program's end into `r.contests`, and their prizes paid in
    /// cash, points or a fund as lines of the contest's id.
    void run(result& r) const {
        std::vector<payout_line> prize_lines;
        for (const auto& c : p_.contests) {
            auto board = boards(c, r.lines, std::nullopt);
            if (c.prize.pay != rules::prizes::pay_t::in_kind)
                for (const auto& st : board) {
                    const decimal paid = st.prize + st.step_prize;
                    if (paid.is_zero()) continue;
                    payout_line& l = prize_lines.emplace_back();
                    l.rule = c.id;
                    l.beneficiary_type = st.competitor_type;
                    l.beneficiary = st.competitor;
                    l.partner = st.partner;
                    l.period = st.round;
                    l.period_start = st.round_start;
                    l.currency = c.prize.pay == rules::prizes::pay_t::points ? p_.points->id : std::string(p_.currency_.code());
                    l.amount = paid;
                    l.why.emplace();
                    l.why->rule = c.id;
                    l.why->measure = "contest " + c.id + ": " + describe(c.score);
                    l.why->base = st.score;
                    l.why->amount_before = paid;
                    l.why->note = st.why;
                }
            for (auto& st : board) r.contests.push_back(std::move(st));
        }
        for (auto& l : prize_lines) r.lines.push_back(std::move(l));
    }

    [[nodiscard]] static std::string describe(const rules::contest_measure& m) {
        return std::string(rules::contest_measure_names[static_cast<int>(m.of)]) + " of " + m.rule;
    }

private:
    /// What a contest measure reads, per competitor, over a round's window.
    struct scores {
        std::vector<int128> num;              ///< at `scale`
        std::vector<int128> den;              ///< attainment: the plans of the counted periods at `scale` (0: no plan)
        std::vector<std::int64_t> count;
        std::vector<std::int32_t> last_day;   ///< of an event that counted (INT32_MIN: none)
        int scale = 0;                        ///< of num (and den)
        int shown = 0;                        ///< places a measure is shown with (its column's)
        std::string no_den = "no plan for the round";  ///< why a ratio has no denominator
        std::int32_t through = INT32_MIN;     ///< the end of the last period counted

        /// The value shown (attainment: the fraction rounded half-even to 6 places).
        [[nodiscard]] decimal value(std::size_t i) const {
            const decimal v = decimal::from_units(num[i], scale);
            if (!den.empty()) return den[i] > 0 ? v.divide(decimal::from_units(den[i], scale), 6, rounding_mode::half_even) : decimal();
            const decimal n = v.normalized();
            return n.scale() >= shown ? n : n.rescale(shown, rounding_mode::unnecessary);
        }
        /// Exactly: value(i) >= x (attainment: num >= x * den).
        [[nodiscard]] bool reaches(std::size_t i, const decimal& x) const {
            const decimal v = decimal::from_units(num[i], scale);
            if (den.empty()) return !(v < x);
            return den[i] > 0 && !(v < x * decimal::from_units(den[i], scale));
        }
    };

    struct window {
        period round;
        std::int32_t round_index = 0;
        std::int32_t first = 0, last = 0;  ///< the days that may count
    };

    [[nodiscard]] std::size_t rule_index(const std::string& id) const {
        for (std::size_t i = 0; i < p_.rules.size(); ++i)
            if (p_.rules[i].id == id) return i;
        throw validation_error("incentives.validation.contest", "no rule \"" + id + "\"");  // validate() checks it first
    }
    [[nodiscard]] to_t competitor_type(const rules::contest& c) const { return p_.rules[rule_index(c.score.rule)].credit_.to; }
    [[nodiscard]] std::size_t size_of(to_t type) const {
        return type == to_t::partner ? cat_.partners().size() : cat_.participants().size();
    }
    [[nodiscard]] const std::string& id_of(to_t type, std::uint32_t i) const {
        return type == to_t::partner ? cat_.partners()[i].id : cat_.participants()[i].id;
    }
    [[nodiscard]] const attributes& attrs_of(to_t type, std::uint32_t i) const {
        return type == to_t::partner ? cat_.partners()[i].attrs : cat_.participants()[i].attrs;
    }
    [[nodiscard]] std::optional<std::uint32_t> index_of(to_t type, std::string_view id) const {
        return type == to_t::partner ? cat_.partner_index(id) : cat_.participant_index(id);
    }
    [[nodiscard]] const std::string& partner_of(to_t type, std::uint32_t i) const {
        return type == to_t::partner ? cat_.partners()[i].id : cat_.participants()[i].partner;
    }
    /// A competitor's field: a partner's (segment, region, an attribute...), a person's (role, an
    /// attribute), or `partner.<field>`: the competitor's partner's.
    [[nodiscard]] std::string_view field_of(to_t type, std::uint32_t i, std::string_view field) const {
        if (field.starts_with("partner.")) {
            const std::uint32_t pi = type == to_t::partner ? i : cat_.partner_of(i);
            return partner_field(cat_.partners()[pi], field.substr(8));
        }
        if (type == to_t::partner) return partner_field(cat_.partners()[i], field);
        const auto& x = cat_.participants()[i];
        if (field == "id") return x.id;
        if (field == "role") return x.role;
        auto it = x.attrs.find(field);
        return it == x.attrs.end() ? std::string_view() : std::string_view(it->second);
    }
    [[noreturn]] void bad_reference(const rules::contest& c, to_t type, std::uint32_t i, const std::string& what) const {
        throw input_error("incentives.input.contest", "contest \"" + c.id + "\": " +
                                                          (type == to_t::partner ? "partner \"" : "participant \"") + id_of(type, i) + "\" " + what);
    }

    /// A competitor without the field a league or key needs: when no competitor has it, the field's
    /// name is likely misspelt, and the message says so with the fields there are.
    [[noreturn]] void no_field(const rules::contest& c, to_t type, std::uint32_t i, const std::string& field, const std::string& why) const {
        bool anyone = false;
        for (std::uint32_t j = 0; j < size_of(type) && !anyone; ++j) anyone = !field_of(type, j, field).empty();
        if (anyone) bad_reference(c, type, i, "has no " + field + " " + why);
        std::vector<std::string> names = type == to_t::partner ? std::vector<std::string>{"id", "name", "segment", "group", "region", "tier"}
                                                               : std::vector<std::string>{"id", "role"};
        for (const auto& [k, v] : attrs_of(type, i)) names.push_back(k);
        throw input_error("incentives.input.contest", "contest \"" + c.id + "\": no " + (type == to_t::partner ? "partner" : "participant") +
                                                          " has a field \"" + field + "\" " + why + did_you_mean(field, names) +
                                                          " (fields: the table's columns)");
    }

    /// The competitors (catalog indices, in id order: a tie no key breaks is numbered in this order,
    /// never the input's) and each one's league.
    [[nodiscard]] std::vector<std::uint32_t> competitors(const rules::contest& c, to_t type, std::vector<std::string>& league) const {
        const std::size_t n = size_of(type);
        league.assign(n, std::string());
        std::vector<std::uint8_t> in(n, 1);
        if (type == to_t::participant && !c.roles.empty())
            for (std::size_t i = 0; i < n; ++i)
                in[i] = std::find(c.roles.begin(), c.roles.end(), cat_.participants()[i].role) != c.roles.end();
        const auto& lg = c.leagues;
        if (lg.by == rules::leagues::by_t::lists) {
            std::vector<std::uint8_t> listed(n, 0);
            for (const auto& l : lg.lists)
                for (const auto& m : l.members) {
                    const auto i = index_of(type, m);
                    if (!i)
                        throw input_error("incentives.input.contest", "contest \"" + c.id + "\": league \"" + l.name + "\" lists \"" + m +
                                                                          "\", which is not a " +
                                                                          (type == to_t::partner ? "partner" + cat_.suggest_partner(m)
                                                                                                 : "participant" + cat_.suggest_participant(m)));
                    if (listed[*i])
                        bad_reference(c, type, *i, "is listed in two leagues (\"" + league[*i] + "\" and \"" + l.name + "\")");
                    listed[*i] = 1;
                    league[*i] = l.name;
                }
            for (std::size_t i = 0; i < n; ++i) in[i] = in[i] && listed[i];
        }
        std::vector<std::uint32_t> who;
        for (std::uint32_t i = 0; i < n; ++i) {
            if (!in[i]) continue;
            who.push_back(i);
            if (lg.by == rules::leagues::by_t::field) {
                const auto v = field_of(type, i, lg.field);
                if (v.empty()) no_field(c, type, i, lg.field, "to place it in a league");
                league[i] = std::string(v);
            } else if (lg.by == rules::leagues::by_t::bands) {
                const auto v = field_of(type, i, lg.field);
                decimal x;
                try {
                    x = decimal::parse(v);
                } catch (const error&) {
                    bad_reference(c, type, i, "has " + lg.field + " \"" + std::string(v) + "\", expected a number to place it in a league");
                }
                for (const auto& b : lg.bands)
                    if (!b.below || x < *b.below) {
                        league[i] = b.name;
                        break;
                    }
            }
        }
        std::sort(who.begin(), who.end(), [&](std::uint32_t a, std::uint32_t b) { return id_of(type, a) < id_of(type, b); });
        return who;
    }

    /// The leaves (indices into the compiled plan) of a top-level rule.
    [[nodiscard]] std::vector<std::uint32_t> leaves_of(std::size_t top) const {
        std::vector<std::uint32_t> out;
        for (std::uint32_t li = 0; li < e_.leaves_.size(); ++li)
            if (e_.leaves_[li].top == top) out.push_back(li);
        return out;
    }

    /// The period offsets of leaf `l` that count in window `w`: inside the round, paid periods only,
    /// ended (at the program's end at the latest) by the window's last day.
    [[nodiscard]] std::vector<std::size_t> counted(const leaf& l, const window& w, std::int32_t& through) const {
        std::vector<std::size_t> out;
        for (std::int32_t pi = l.program_lo; pi <= l.period_hi; ++pi) {
            const period at = p_.cal.period_at(pi, l.unit);
            // Inside the round, once clipped to the program (a quarter that starts before the program
            // belongs to a round per program).
            if (std::max(at.from, p_.cal.from()) < w.round.from || w.round.to < std::min(at.to, p_.cal.to().plus_days(1))) continue;
            const std::int32_t end = std::min(at.to.days() - 1, p_.cal.to().days());
            if (end > w.last) continue;
            out.push_back(static_cast<std::size_t>(pi - l.period_lo));
            through = std::max(through, end);
        }
        return out;
    }

    /// Reads a contest measure for every catalog competitor over window `w`.
    [[nodiscard]] scores read(const rules::contest_measure& m, to_t type, const window& w, const std::vector<payout_line>& lines) const {
        const std::size_t n = size_of(type);
        const std::size_t top = rule_index(m.rule);
        const auto& rule = p_.rules[top];
        scores s;
        s.num.assign(n, 0);
        s.count.assign(n, 0);
        s.last_day.assign(n, INT32_MIN);
        std::vector<std::vector<std::size_t>> periods_counted;  // per leaf of the rule
        for (const std::uint32_t li : leaves_of(top)) {
            const leaf& l = e_.leaves_[li];
            const auto& la = e_.ms_.acc[li];
            const auto offs = counted(l, w, s.through);
            for (const auto& groups : la.groups) {
                if (groups.empty()) continue;
                for (std::size_t b = 0; b < l.beneficiaries && b < n; ++b)
                    for (const std::size_t off : offs) {
                        const group_acc& a = groups[b * l.periods + off];
                        if (a.count == 0) continue;
                        if (m.of != rules::contest_measure::of_t::payout && !l.distinct) s.num[b] += a.measure;
                        s.count[b] += a.count;
                        s.last_day[b] = std::max(s.last_day[b], a.last_day);
                    }
            }
            if (m.of != rules::contest_measure::of_t::payout) {
                s.scale = l.distinct ? 0 : l.measure_scale;
                s.shown = l.distinct ? 0 : l.base_scale;
                if (l.distinct) {  // distinct values over the counted periods, per beneficiary
                    std::vector<std::uint8_t> counts(l.periods, 0);
                    for (const std::size_t off : offs) counts[off] = 1;
                    std::vector<std::pair<std::size_t, std::uint32_t>> seen;
                    for (const auto& kc : la.distinct) {
                        const std::size_t slot = kc.key % l.slots();
                        if (counts[slot % l.periods]) seen.emplace_back(slot / l.periods, kc.code);
                    }
                    std::sort(seen.begin(), seen.end());
                    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
                    for (const auto& [b, code] : seen) ++s.num[b];
                }
                if (m.of == rules::contest_measure::of_t::count) {
                    for (std::size_t i = 0; i < n; ++i) s.num[i] = s.count[i];
                    s.scale = s.shown = 0;
                }
                if (m.of == rules::contest_measure::of_t::growth || m.of == rules::contest_measure::of_t::growth_percent) {
                    // The same periods' baseline, `back` periods earlier (validate() requires the rule's
                    // growth measure, whose look-back the store holds).
                    const int back = lookback_periods(rule.measure_, l.unit);
                    if (m.of == rules::contest_measure::of_t::growth_percent) s.den.assign(n, 0);
                    for (const auto& groups : la.groups) {
                        if (groups.empty()) continue;
                        for (std::size_t b = 0; b < l.beneficiaries && b < n; ++b)
                            for (const std::size_t off : offs) {
                                if (off < static_cast<std::size_t>(back)) continue;
                                const int128 base = groups[b * l.periods + off - static_cast<std::size_t>(back)].measure;
                                s.num[b] -= base;
                                if (!s.den.empty()) s.den[b] += base;
                            }
                    }
                    s.no_den = "no baseline for the round";
                }
                if (m.of == rules::contest_measure::of_t::attainment) {
                    // The plans of the counted periods, at one scale with the measure.
                    std::vector<decimal> target(n);
                    for (const auto& pl : cat_.plans()) {
                        const auto i = index_of(type, pl.beneficiary);
                        if (!i) continue;
                        const std::int32_t pi = p_.cal.index_of(pl.period_start, l.unit);
                        if (pi < l.period_lo || pi > l.period_hi) continue;
                        if (std::find(offs.begin(), offs.end(), static_cast<std::size_t>(pi - l.period_lo)) == offs.end()) continue;
                        target[*i] += pl.target;
                    }
                    int scale = s.scale;
                    for (const auto& t : target) scale = std::max(scale, t.scale());
                    s.den.assign(n, 0);
                    for (std::size_t i = 0; i < n; ++i) {
                        s.num[i] = decimal::from_units(s.num[i], s.scale).rescale(scale, rounding_mode::unnecessary).units();
                        s.den[i] = target[i].rescale(scale, rounding_mode::unnecessary).units();
                    }
                    s.scale = scale;
                }
            }
        }
        if (m.of == rules::contest_measure::of_t::payout) {
            // What the rule's lines pay over the counted periods (clawbacks included).
            std::vector<decimal> paid(n);
            std::map<date, std::int32_t> ends;  // period start -> its last day
            for (const auto& l : lines) {
                if (l.rule != rule.id || l.beneficiary_type != type) continue;
                if (std::max(l.period_start, p_.cal.from()) < w.round.from || !(l.period_start < w.round.to)) continue;
                auto [it, fresh] = ends.try_emplace(l.period_start, 0);
                if (fresh) {
                    const period at = p_.cal.period_at(p_.cal.index_of(l.period_start, rule.per), rule.per);
                    const date to = std::min(at.to, p_.cal.to().plus_days(1));  // clipped to the program
                    it->second = w.round.to < to ? INT32_MAX : to.days() - 1;
                }
                if (it->second > w.last) continue;
                s.through = std::max(s.through, it->second);
                if (const auto i = index_of(type, l.beneficiary)) paid[*i] += l.amount;
            }
            int scale = 0;
            for (const auto& x : paid) scale = std::max(scale, x.scale());
            for (std::size_t i = 0; i < n; ++i) s.num[i] = paid[i].rescale(scale, rounding_mode::unnecessary).units();
            s.scale = scale;
            s.shown = rule.points.empty() || !p_.points ? p_.currency_.minor_units() : p_.points->places;
        }
        return s;
    }

    /// Returns inside the rule's clawback window in the round, per competitor.
    [[nodiscard]] std::vector<std::int64_t> returns_of(const std::string& rule, to_t type, const window& w) const {
        std::vector<std::int64_t> out(size_of(type), 0);
        const auto leaves = leaves_of(rule_index(rule));
        for (const auto& c : e_.ms_.clawbacks) {
            if (std::find(leaves.begin(), leaves.end(), c.leaf) == leaves.end()) continue;
            if (c.day < w.first || c.day > w.last) continue;
            const leaf& l = e_.leaves_[c.leaf];
            const std::size_t b = (c.key % l.slots()) / l.periods;
            if (b < out.size()) ++out[b];
        }
        return out;
    }

    /// The key column of a tie-break for the eligible competitors `ranked`.
    [[nodiscard]] contest::key_column key_of(const rules::contest& c, const rules::tie_break& tb, to_t type,
                                             const std::vector<std::uint32_t>& ranked, const window& w, const scores& score,
                                             const std::vector<payout_line>& lines) const {
        contest::key_column k;
        k.higher_first = tb.higher_first;
        using by = rules::tie_break::by_t;
        switch (tb.by) {
            case by::measure: {
                const scores s = read(tb.of, type, w, lines);
                for (const auto i : ranked) {
                    k.num.push_back(s.num[i]);
                    if (!s.den.empty()) k.den.push_back(s.den[i] > 0 ? s.den[i] : 1);  // no plan: 0 of 1
                }
                if (!s.den.empty())
                    for (std::size_t j = 0; j < ranked.size(); ++j)
                        if (s.den[ranked[j]] <= 0) k.num[j] = 0;
                break;
            }
            case by::reached_first:  // the earlier last event first; none last
                k.higher_first = false;
                for (const auto i : ranked) k.num.push_back(score.last_day[i] == INT32_MIN ? INT32_MAX : score.last_day[i]);
                break;
            case by::fewer_returns: {
                k.higher_first = false;
                const auto r = returns_of(c.score.rule, type, w);
                for (const auto i : ranked) k.num.push_back(r[i]);
                break;
            }
            case by::attribute: {
                std::vector<decimal> v;
                int scale = 0;
                for (const auto i : ranked) {
                    const auto text = field_of(type, i, tb.attribute);
                    try {
                        v.push_back(decimal::parse(text));
                    } catch (const error&) {
                        bad_reference(c, type, i, "has " + tb.attribute + " \"" + std::string(text) + "\", expected a number for the tie-break");
                    }
                    scale = std::max(scale, v.back().scale());
                }
                for (const auto& x : v) k.num.push_back(x.rescale(scale, rounding_mode::unnecessary).units());
                break;
            }
            case by::lot:
                k.higher_first = false;
                for (const auto i : ranked)
                    k.num.push_back(static_cast<int128>(lot(*p_.seed, c.id, id_of(type, i), static_cast<std::uint32_t>(w.round_index))));
                break;
        }
        return k;
    }

    /// Why a competitor may not compete in a round ("" when it may).
    [[nodiscard]] std::string ineligible(const rules::contest& c, to_t type, std::uint32_t i, const window& w,
                                         const std::optional<scores>& minimum, const scores& score) const {
        const auto& el = c.eligible;
        const date last(w.last);
        if (el.registered) {
            const auto reg = date_attribute(attrs_of(type, i), "registered", type == to_t::partner ? "partner" : "participant", id_of(type, i));
            if (!reg) return "not registered";
            if (last < *reg) return "registered " + reg->to_string() + ", after " + last.to_string();
        }
        if (!el.certified.empty()) {
            bool holds = false;
            if (auto it = e_.certified_.courses.find(el.certified); it != e_.certified_.courses.end()) {
                const auto& days = type == to_t::partner ? it->second.partner : it->second.person;
                holds = i < days.size() && days[i].first <= w.last && w.last <= days[i].second;
            }
            if (!holds) return "not certified in " + el.certified + " on " + last.to_string();
        }
        if (minimum && !minimum->reaches(i, el.at_least))
            return describe(*el.min_of) + " " + minimum->value(i).to_string() + " is below " + el.at_least.to_string();
        if (!score.den.empty() && score.den[i] <= 0) return score.no_den;
        return {};
    }

    void round_boards(const rules::contest& c, to_t type, const std::vector<std::uint32_t>& who, const std::vector<std::string>& league,
                      const window& w, const std::vector<payout_line>& lines, std::vector<contest_standing>& out) const {
        const scores score = read(c.score, type, w, lines);
        std::optional<scores> minimum;
        if (c.eligible.min_of) minimum = read(*c.eligible.min_of, type, w, lines);
        std::map<std::string, std::vector<std::uint32_t>> by_league;  // members in id order
        for (const auto i : who) by_league[league[i]].push_back(i);
        const int places = c.prize.pay == rules::prizes::pay_t::points ? p_.points->places : p_.currency_.minor_units();
        for (const auto& [name, members] : by_league) {
            std::vector<std::uint32_t> ranked;
            std::vector<std::pair<std::uint32_t, std::string>> left_out;
            for (const auto i : members) {
                auto why = ineligible(c, type, i, w, minimum, score);
                if (why.empty()) ranked.push_back(i);
                else left_out.emplace_back(i, std::move(why));
            }
            std::vector<contest::key_column> chain;
            auto& first = chain.emplace_back();
            for (const auto i : ranked) {
                first.num.push_back(score.num[i]);
                if (!score.den.empty()) first.den.push_back(score.den[i]);
            }
            for (const auto& tb : c.chain) chain.push_back(key_of(c, tb, type, ranked, w, score, lines));
            const auto placings = contest::rank(chain, ranked.size(), c.method);
            // Winners: the declared number, but none below the minimum score (a tie shares one score).
            std::size_t winners = 0;
            for (const auto& pl : placings)
                if (pl.position <= c.winners && (!c.min_score || score.reaches(ranked[pl.competitor], *c.min_score))) ++winners;
            const auto place_prizes = prizes_of(c, ranked, score, places);
            const auto awards = award(c, placings, place_prizes, winners, places);
            std::vector<decimal> steps(ranked.size());
            for (const auto& st : c.prize.steps) {
                std::vector<std::size_t> reached;  // in place order
                for (std::size_t k = 0; k < placings.size(); ++k)
                    if (score.reaches(ranked[placings[k].competitor], st.at)) reached.push_back(k);
                if (reached.empty()) continue;
                const std::vector<decimal> equal(reached.size(), decimal(1));
                const auto parts = allocate(st.pot.rescale(std::max(places, st.pot.scale()), rounding_mode::unnecessary), equal, places);
                for (std::size_t j = 0; j < reached.size(); ++j) steps[reached[j]] += parts[j];
            }
            std::optional<decimal> cut_score;
            if (winners > 0) cut_score = score.value(ranked[placings[winners - 1].competitor]);
            for (std::size_t k = 0; k < placings.size(); ++k) {
                const auto& pl = placings[k];
                const std::uint32_t i = ranked[pl.competitor];
                contest_standing& st = row(c, type, i, name, w, score, out);
                st.position = pl.position;
                st.rank = pl.rank;
                st.tied = pl.last - pl.first + 1;
                if (k > 0) st.gap_to_next = score.value(ranked[placings[k - 1].competitor]) - st.score;
                st.winner = awards[k].winner;
                if (st.winner) st.prize = awards[k].prize;  // the others keep a zero at the prizes' places
                if (!steps[k].is_zero()) st.step_prize = steps[k];
                if (c.prize.pay == rules::prizes::pay_t::in_kind && st.winner) st.item = item_of(c, pl);
                if (!st.winner && cut_score) st.gap_to_cut = *cut_score - st.score;
                st.why = story(c, pl, st);
            }
            for (auto& [i, why] : left_out) {
                contest_standing& st = row(c, type, i, name, w, score, out);
                st.eligible = false;
                st.why = std::move(why);
            }
        }
    }

    [[nodiscard]] contest_standing& row(const rules::contest& c, to_t type, std::uint32_t i, const std::string& league, const window& w,
                                        const scores& score, std::vector<contest_standing>& out) const {
        contest_standing& st = out.emplace_back();
        st.contest = c.id;
        st.round = w.round.label;
        st.round_start = w.round.from;
        st.through = score.through == INT32_MIN ? date(w.first - 1) : date(score.through);
        st.league = league;
        st.competitor_type = type;
        st.competitor = id_of(type, i);
        st.partner = partner_of(type, i);
        st.score = score.value(i);
        const int places = c.prize.pay == rules::prizes::pay_t::points ? p_.points->places : p_.currency_.minor_units();
        st.prize = st.step_prize = decimal::from_units(0, c.prize.pay == rules::prizes::pay_t::in_kind ? 0 : places);
        return st;
    }

    /// The prizes of the places, from the table or the pot.
    [[nodiscard]] std::vector<decimal> prizes_of(const rules::contest& c, const std::vector<std::uint32_t>& ranked, const scores& score,
                                                 int places) const {
        if (!c.prize.pot) return c.prize.places;
        const auto& pot = *c.prize.pot;
        decimal amount;
        if (pot.amount) amount = *pot.amount;
        else {
            decimal sum;
            for (const auto i : ranked) sum += decimal::from_units(score.num[i], score.scale);
            amount = (sum * *pot.percent).rescale(places, p_.rounding.mode);  // declared: the program's rounding mode
        }
        return allocate(amount.rescale(std::max(places, amount.scale()), rounding_mode::unnecessary), pot.split, places);
    }

    /// What each placing wins. In-kind prizes are not shared: every winner of a tie gets the prize of
    /// the tie's first place (all_win), or the chain must break the tie (tie_break).
    [[nodiscard]] std::vector<contest::award> award(const rules::contest& c, const std::vector<contest::placing>& placings,
                                                    const std::vector<decimal>& prizes, std::size_t winners, int places) const {
        if (c.prize.pay != rules::prizes::pay_t::in_kind) return contest::split_prizes(placings, prizes, winners, c.cut, places);
        std::vector<contest::award> out(placings.size());
        for (std::size_t k = 0; k < placings.size(); ++k) {
            const auto& pl = placings[k];
            if (pl.first > winners) break;
            if (pl.first != pl.last && c.cut == rules::cut_rule::tie_break)
                throw calculation_error("incentives.calculation.ranking",
                                        "contest \"" + c.id + "\": an in-kind prize cannot be shared and places " + std::to_string(pl.first) +
                                            " to " + std::to_string(pl.last) +
                                            " are tied on every key of the chain; end the chain with a lot, or declare cut: all_win");
            out[k] = {true, pl.first <= prizes.size() ? prizes[pl.first - 1] : decimal()};
        }
        return out;
    }

    [[nodiscard]] static std::string item_of(const rules::contest& c, const contest::placing& pl) {
        return pl.first <= c.prize.items.size() ? c.prize.items[pl.first - 1] : std::string();
    }

    [[nodiscard]] static std::string story(const rules::contest& c, const contest::placing& pl, const contest_standing& st) {
        std::string s = "place " + std::to_string(pl.position);
        if (pl.first != pl.last) s += " (tied for " + std::to_string(pl.first) + "-" + std::to_string(pl.last) + ")";
        if (st.winner) {
            s += ", winner";
            if (!st.item.empty()) s += ": " + st.item + " (value " + st.prize.to_string() + ")";
            else if (!st.prize.is_zero()) s += ": prize " + st.prize.to_string();
        } else if (c.min_score && pl.position <= c.winners) {
            s += ", below the minimum score " + c.min_score->to_string();
        }
        if (!st.step_prize.is_zero()) s += "; step prizes " + st.step_prize.to_string();
        return s;
    }

    const engine& e_;
    const program& p_;
    const catalog& cat_;
};

}  // namespace incentives::detail

namespace incentives {

INCENTIVES_INLINE std::vector<contest_standing> engine::leaderboard(const result& r, std::string_view contest,
                                                                    std::optional<date> as_of) const {
    const detail::contest_stage stage(*this, *prog_);
    return stage.boards(contest_named(contest), r.lines, as_of);
}

INCENTIVES_INLINE std::vector<contest_standing> engine::rank_history(const result& r, std::string_view contest) const {
    const auto& c = contest_named(contest);
    const detail::contest_stage stage(*this, *prog_);
    // The board at the end of each of the score rule's periods, in the round that holds it.
    std::vector<std::int32_t> ends;
    for (const auto& l : leaves_) {
        if (prog_->rules[l.top].id != c.score.rule) continue;
        for (std::int32_t pi = l.program_lo; pi <= l.period_hi; ++pi)
            ends.push_back(std::min(prog_->cal.period_at(pi, l.unit).to.days() - 1, prog_->cal.to().days()));
    }
    std::sort(ends.begin(), ends.end());
    ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
    std::vector<contest_standing> out;
    for (const auto end : ends) {
        auto board = stage.boards(c, r.lines, date(end));
        if (board.empty()) continue;
        const date latest = board.back().round_start;
        for (auto& st : board)
            if (st.round_start == latest) out.push_back(std::move(st));
    }
    return out;
}

INCENTIVES_INLINE const rules::contest& engine::contest_named(std::string_view id) const {
    std::vector<std::string_view> ids;
    for (const auto& c : prog_->contests) {
        if (c.id == id) return c;
        ids.push_back(c.id);
    }
    throw config_error("incentives.config.contest", "no contest \"" + std::string(id) + "\" in the program" +
                                                        (ids.empty() ? std::string(" (it declares none)") : detail::did_you_mean(id, ids)));
}

}  // namespace incentives
