// The budget simulation stage (simulation.hpp): scenarios of measures drawn per competitor and month,
// each settled by the program's own pay step (detail::settle_and_replay, the body of engine::run).
//
//   history --twin engine--> last year's measures per leaf rule, beneficiary and month (the program
//                            with every rule per month and no modifiers: the same selection, measure
//                            and credit, so the history is measured exactly as a run would)
//   per scenario: draws per partner and month (detail/draws.hpp) -> the measure store of the
//                 program's periods (+ last year's measures as growth baselines) -> settle, contests,
//                 points, funds -> cost per item, rule, month, segment, contest; winners; tax
//   over scenarios: exact quantiles of the stored totals, means, the budget's chances, sensitivity
//
// A competitor is a partner: its people's measures move with it (one draw per partner and month).
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <incentives/detail/draws.hpp>
#include <incentives/engine/intake.hpp>
#include <incentives/engine/settle.hpp>
#include <incentives/simulation.hpp>

namespace incentives::detail {

/// What one scenario cost, per key of the simulation's tables (values in the program's currency).
struct scenario_cost {
    std::vector<decimal> values;       ///< per key (simulation_stage::keys_)
    std::vector<std::int64_t> counts;  ///< per count key (winners per contest, qualifiers per tier)
};

class simulation_stage {
public:
    simulation_stage(const engine& e, const event_columns& history, const simulation_assumptions& a, const simulation_options& o)
        : e_(e), a_(a), o_(o), p_(*e.prog_), cat_(*e.cat_), minor_(p_.currency_.minor_units()) {
        check();
        months();
        windows();
        needed_months();
        if (a_.model != simulation_assumptions::model_t::attainment) measure_history(history);
    }

    simulation_result run() {
        simulation_result res;
        res.seed = o_.seed;
        res.scenarios = o_.scenarios;
        res.currency = std::string(p_.currency_.code());
        res.budget = o_.budget;
        const auto costs = scenarios(p_, a_, o_.progress);
        summarize(costs, res);
        for (const auto& [name, step] : a_.sensitivity)
            for (int sign : {-1, 1}) {
                const decimal s = sign < 0 ? -step : step;
                simulation_assumptions moved = a_;
                program varied = p_;
                vary(name, decimal(1) + s, moved, varied);
                const auto other = scenarios(varied, moved, {});
                std::vector<decimal> cost(other.size());
                for (std::size_t i = 0; i < other.size(); ++i) cost[i] = other[i].values[0];
                std::sort(cost.begin(), cost.end());
                res.sensitivity.push_back({name, s, rank(cost, 50), rank(cost, 90)});
            }
        return res;
    }

private:
    using model_t = simulation_assumptions::model_t;
    using to_t = rules::credit::to_t;

    // ---- what the simulation can draw ------------------------------------------------------------
    void check() const {
        auto fail = [](const std::string& m) { throw validation_error("incentives.validation.simulation", m); };
        if (o_.scenarios == 0) fail("scenarios must be at least 1");
        if (o_.scenarios > 100'000'000) fail("scenarios must be at most 100,000,000");
        // The draws' counters: a count's slot is leaf x months + month (detail/draws.hpp).
        const std::size_t months = static_cast<std::size_t>(p_.cal.index_of(p_.cal.to(), period_unit::month) -
                                                            p_.cal.index_of(p_.cal.from(), period_unit::month) + 1);
        if (e_.leaves_.size() * months > draws::max_slot) fail("the program has too many rules x months to draw (at most 2^28)");
        if (cat_.partners().size() + 1 >= 0xFFFFFFFFu || cat_.participants().size() >= 0xFFFFFFFFu) fail("too many partners to draw");
        for (const auto& l : e_.leaves_) {
            const auto& r = e_.rule_of(l);
            if (l.unit == period_unit::custom)
                fail("rule \"" + r.id + "\" pays per custom period: the simulation draws months, which custom periods need not hold");
            if (l.distinct)
                fail("rule \"" + r.id + "\" measures a distinct count, which does not add up over drawn months");
        }
        auto fraction = [&](const decimal& v, const char* what, bool upto_one) {
            if (v.signum() < 0 || (upto_one && decimal(1) < v)) fail(std::string(what) + " must be " + (upto_one ? "between 0 and 1" : "at least 0") + ", not " + v.to_string());
        };
        fraction(a_.spread, "spread", false);
        fraction(a_.mean, "mean", false);
        fraction(a_.participation, "participation", true);
        fraction(a_.market_spread, "market spread", false);
        fraction(a_.correlation, "correlation", true);
        if (a_.dispersion.signum() <= 0) fail("dispersion must be above 0");
        if (decimal(1) + a_.growth < decimal(0)) fail("growth must be at least -100%");
        for (const auto& s : a_.segments) {
            if (s.spread) fraction(*s.spread, "a segment's spread", false);
            if (s.mean) fraction(*s.mean, "a segment's mean", false);
            if (s.participation) fraction(*s.participation, "a segment's participation", true);
        }
        if (!a_.segments.empty() && a_.segment_by.empty()) fail("segments need segment_by (a partner field)");
        if (a_.tax && a_.tax->currency != p_.currency_.code())
            fail("the tax rules of " + a_.tax->jurisdiction + " are in " + a_.tax->currency + ", the program pays in " +
                 std::string(p_.currency_.code()) + ": thresholds and exemptions would be compared across currencies");
        static const std::set<std::string> known{"growth", "spread", "mean", "participation", "market_spread", "thresholds", "prizes"};
        for (const auto& [name, step] : a_.sensitivity) {
            if (!known.count(name))
                fail("sensitivity: unknown assumption \"" + name + "\" (growth, spread, mean, participation, market_spread, thresholds, prizes)");
            if (step.signum() <= 0 || !(step < decimal(1))) fail("sensitivity: the step of " + name + " must be above 0 and below 1");
        }
    }

    // ---- months ----------------------------------------------------------------------------------
    void months() {
        const auto& cal = p_.cal;
        m0_ = cal.index_of(cal.from(), period_unit::month);
        n_ = static_cast<std::size_t>(cal.index_of(cal.to(), period_unit::month) - m0_ + 1);
        for (std::size_t j = 0; j < n_; ++j) month_.push_back(cal.period_at(m0_ + static_cast<std::int32_t>(j), period_unit::month));
    }
    /// The period of `unit` holding absolute month m.
    [[nodiscard]] static std::int32_t period_of_month(std::int32_t m, period_unit unit) {
        return unit == period_unit::program ? 0 : m / calendar::months_in(unit);
    }

    // ---- last year's measures, per month ---------------------------------------------------------
    /// The program with every rule per month and nothing but its selection, measure (without growth),
    /// credit and schedule (the per-event payouts of lookup tables), over the twelve months before
    /// the program's first month.
    [[nodiscard]] program twin() const {
        program t = p_;
        auto plain = [](rules::rule& r) {
            r.select = undated(r.select);  // the window is the program year's: applied to the drawn months (window_)
            r.per = period_unit::month;
            r.measure_.over.reset();
            if (r.pay.kind == rules::schedule::kind_t::tiers && r.pay.tiers_.on) r.pay.tiers_.on->over.reset();
            r.limits.clear();
            r.budget_.reset();
            r.qualify = {};
            r.accelerate.reset();
            r.clawback_.reset();
            r.fund.clear();
            r.points.clear();
            r.versions.clear();
        };
        for (auto& r : t.rules) {
            plain(r);
            for (auto& c : r.children) plain(c);
        }
        t.budget_.reset();
        t.funds.clear();
        t.deals.reset();
        t.referrals.clear();
        t.points.reset();
        t.contests.clear();
        t.kpis.reset();
        t.roi.reset();
        t.unknown_kinds = unknown_kind_policy::ignore;
        const date first = month_.front().from;
        t.cal = calendar(date(first.year() - 1, first.month(), 1), first.plus_days(-1), p_.cal.fiscal_start_month());
        return t;
    }

    // A rule's date window (`date: {from, to}` in its selection) is a window of the program year: the
    // history is measured without it, and each drawn month keeps the share of its days in the window.
    [[nodiscard]] static bool dated(const rules::selector& s) {
        if (s.kind() == rules::selector::op::dates) return true;
        for (const auto& c : s.children())
            if (dated(c)) return true;
        return false;
    }
    [[nodiscard]] static rules::selector undated(const rules::selector& s) {
        using op = rules::selector::op;
        switch (s.kind()) {
            case op::dates: return {};
            case op::negate: return dated(s) ? rules::selector{} : s;
            case op::all:
            case op::any: {
                std::vector<rules::selector> kids;
                for (const auto& c : s.children()) kids.push_back(undated(c));
                return s.kind() == op::all ? rules::selector::all(std::move(kids)) : rules::selector::any(std::move(kids));
            }
            default: return s;
        }
    }
    /// Whether a day passes the selection's date conditions (every other condition passes here).
    [[nodiscard]] static bool in_window(const rules::selector& s, date d) {
        using op = rules::selector::op;
        switch (s.kind()) {
            case op::dates: return (!s.from() || !(d < *s.from())) && (!s.to() || !(*s.to() < d));
            case op::negate: return dated(s) ? !in_window(s.children().front(), d) : true;
            case op::all:
                for (const auto& c : s.children())
                    if (!in_window(c, d)) return false;
                return true;
            case op::any:
                if (!dated(s)) return true;
                for (const auto& c : s.children())
                    if (in_window(c, d)) return true;
                return false;
            default: return true;
        }
    }
    /// Per leaf and program month: the days of the month in the rule's window and in the program.
    void windows() {
        window_.assign(e_.leaves_.size(), std::vector<std::pair<int, int>>(n_));
        for (std::size_t li = 0; li < e_.leaves_.size(); ++li) {
            const auto& sel = e_.leaves_[li].select;
            const bool has = dated(sel);
            for (std::size_t j = 0; j < n_; ++j) {
                const int days = month_[j].to.days() - month_[j].from.days();
                int in = 0;
                for (date d = month_[j].from; d < month_[j].to; d = d.plus_days(1))
                    in += p_.cal.contains(d) && (!has || in_window(sel, d));
                window_[li][j] = {in, days};
            }
        }
    }

    /// The months whose draws some rule reads: every month for the history models; for the attainment
    /// model, the first program month of each period of a rule's unit (it keys the period's draw).
    void needed_months() {
        need_.assign(n_, a_.model != model_t::attainment);
        if (a_.model != model_t::attainment) return;
        for (const auto& l : e_.leaves_)
            for (std::int32_t P = l.program_lo; P <= l.period_hi; ++P) {
                const std::int32_t first = std::max<std::int32_t>(m0_, unit_first_month(P, l.unit));
                if (first - m0_ < static_cast<std::int32_t>(n_)) need_[static_cast<std::size_t>(first - m0_)] = true;
            }
    }

    void measure_history(const event_columns& history) {
        twin_ = std::make_unique<engine>(std::make_shared<const program>(twin()), e_.cat_);
        if (history.rows > 0) twin_->add(history);
    }

    // ---- draws -----------------------------------------------------------------------------------
    struct partner_params {
        decimal growth;   // 1 + growth
        double growth_d = 1, spread = 0, mean = 1, participation = 1;
    };
    [[nodiscard]] std::vector<partner_params> params(const simulation_assumptions& a) const {
        // One more competitor after the partners: the program itself (rules that credit the program).
        std::vector<partner_params> out(cat_.partners().size() + 1);
        for (std::size_t p = 0; p < out.size(); ++p) {
            decimal g = a.growth, s = a.spread, m = a.mean, q = a.participation;
            if (!a.segment_by.empty() && p < cat_.partners().size()) {
                const std::string v = field_of(cat_.partners()[p], a.segment_by);
                for (const auto& seg : a.segments)
                    if (seg.value == v) {
                        if (seg.growth) g = *seg.growth;
                        if (seg.spread) s = *seg.spread;
                        if (seg.mean) m = *seg.mean;
                        if (seg.participation) q = *seg.participation;
                    }
            }
            out[p].growth = decimal(1) + g;
            out[p].growth_d = to_double(out[p].growth);
            out[p].spread = to_double(s);
            out[p].mean = to_double(m);
            out[p].participation = to_double(q);
        }
        return out;
    }
    /// A declared number as a binary64 for the draws (parsed from its decimal text: the nearest double).
    [[nodiscard]] static double to_double(const decimal& d) { return std::strtod(d.to_string().c_str(), nullptr); }
    [[nodiscard]] static std::string field_of(const partner& p, const std::string& field) {
        return std::string(incentives::partner_field(p, field));
    }

    /// One scenario's draws per partner (and one more competitor: the program) and month.
    struct month_draw {
        std::int32_t pick = 0;    // the history month (0..11 after the window's start); -1: takes no part
        decimal factor;           // on amounts (exact, 6 places x the growth)
        double mean = 1;          // on counts: the Poisson mean's multiplier
    };
    void draw(std::uint32_t s, const simulation_assumptions& a, const std::vector<partner_params>& pp,
              std::vector<month_draw>& out) const {
        out.assign(pp.size() * n_, {});
        const double ms = to_double(a.market_spread), rho = to_double(a.correlation);
        const double common = std::sqrt(rho), own = std::sqrt(1.0 - rho);
        std::vector<double> market(n_, 1.0), market_z(n_, 0.0);
        if (ms > 0.0 || rho > 0.0)
            for (std::size_t j = 0; j < n_; ++j) {
                if (!need_[j]) continue;
                draws::stream m(o_.seed, s, 0xFFFFFFFFu, static_cast<std::uint32_t>(j), draws::purpose::market);
                market[j] = draws::exp(ms * m.normal() - ms * ms / 2.0);
                market_z[j] = m.normal();
            }
        for (std::size_t c = 0; c < pp.size(); ++c) {
            const partner_params& par = pp[c];
            bool in = true;
            if (par.participation < 1.0) {
                draws::stream takes(o_.seed, s, static_cast<std::uint32_t>(c), 0, draws::purpose::participation);
                in = takes.uniform() < par.participation;
            }
            for (std::size_t j = 0; j < n_; ++j) {
                month_draw& d = out[c * n_ + j];
                if (!in) {
                    d.pick = -1;
                    continue;
                }
                if (!need_[j]) continue;
                double f = market[j];
                if (a.model == model_t::bootstrap) {
                    draws::stream pick(o_.seed, s, static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(j), draws::purpose::pick);
                    d.pick = static_cast<std::int32_t>(pick.bits() % 12);
                } else {
                    d.pick = static_cast<std::int32_t>(j % 12);
                    draws::stream perf(o_.seed, s, static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(j), draws::purpose::performance);
                    const double z = common * market_z[j] + own * perf.normal();
                    if (a.model == model_t::lognormal) f *= draws::exp(par.spread * z - par.spread * par.spread / 2.0);
                    else f *= std::max(0.0, par.mean + par.spread * z);
                }
                d.mean = f * par.growth_d;
                d.factor = f == 1.0 ? par.growth : par.growth * decimal::from_units(draws::factor_units(f), 6);
            }
        }
    }

    // ---- one scenario's measure store ------------------------------------------------------------
    [[nodiscard]] std::size_t competitor_of(const leaf& l, std::size_t b) const {
        switch (e_.rule_of(l).credit_.to) {
            case to_t::partner: return b;
            case to_t::participant: return cat_.partner_of(static_cast<std::uint32_t>(b));
            default: return cat_.partners().size();
        }
    }
    [[nodiscard]] static int128 scaled(int128 units, int scale, const decimal& f) {
        if (units == 0) return 0;
        return (decimal::from_units(units, scale) * f).rescale(scale, rounding_mode::half_even).units();
    }

    /// in / days of a month's units (a month partly in the rule's window or the program), half-even.
    [[nodiscard]] static int128 share(int128 units, int in, int days) {
        if (in == days || units == 0) return units;
        return (decimal::from_units(units, 0) * decimal(in)).divide(decimal(days), 0, rounding_mode::half_even).units();
    }

    /// Last year's measures in the look-back periods (growth baselines), the same in every scenario.
    [[nodiscard]] measure_store baselines(const engine& se) const {
        measure_store ms = se.ms_;
        if (!twin_) return ms;
        for (std::size_t li = 0; li < se.leaves_.size(); ++li) {
            const auto& l = se.leaves_[li];
            if (l.period_lo >= l.program_lo) continue;
            const auto& tl = twin_->leaves_[li];
            const auto& tg = twin_->ms_.acc[li].groups[0];
            for (std::size_t b = 0; b < l.beneficiaries; ++b)
                for (std::int32_t m = tl.period_lo; m <= tl.period_hi; ++m) {
                    const auto& src = tg[b * tl.periods + static_cast<std::size_t>(m - tl.period_lo)];
                    const std::int32_t P = period_of_month(m, l.unit);
                    if (src.count == 0 || P < l.period_lo || P >= l.program_lo) continue;
                    auto& g = ms.acc[li].groups[0][b * l.periods + static_cast<std::size_t>(P - l.period_lo)];
                    g.measure += src.measure;
                    g.second += src.second;
                    g.payout += src.payout;
                    g.count += src.count;
                    g.last_day = std::max(g.last_day, src.last_day);
                }
        }
        return ms;
    }

    /// The plan of each leaf's beneficiary and period, at the leaf's measure scale (attainment model).
    void index_plans(const engine& se) {
        plans_.assign(se.leaves_.size(), {});
        std::map<std::string, std::size_t> partner_ix, participant_ix;
        for (std::size_t i = 0; i < cat_.partners().size(); ++i) partner_ix[cat_.partners()[i].id] = i;
        for (std::size_t i = 0; i < cat_.participants().size(); ++i) participant_ix[cat_.participants()[i].id] = i;
        for (std::size_t li = 0; li < se.leaves_.size(); ++li) {
            const auto& l = se.leaves_[li];
            const auto& ix = e_.rule_of(l).credit_.to == to_t::participant ? participant_ix : partner_ix;
            plans_[li].assign(l.slots(), std::nullopt);
            for (const auto& pl : cat_.plans()) {
                auto it = ix.find(pl.beneficiary);
                if (it == ix.end()) continue;
                if (l.unit == period_unit::program && !p_.cal.contains(pl.period_start)) continue;
                const std::int32_t P = p_.cal.index_of(pl.period_start, l.unit);
                if (P < l.program_lo || P > l.period_hi) continue;
                auto& slot = plans_[li][it->second * l.periods + static_cast<std::size_t>(P - l.period_lo)];
                slot = (slot ? *slot : decimal()) + pl.target;
            }
        }
    }

    void fill(engine& se, const measure_store& base, const std::vector<month_draw>& dr, std::uint32_t s,
              const simulation_assumptions& a) const {
        se.ms_.acc = base.acc;
        for (std::size_t li = 0; li < se.leaves_.size(); ++li) {
            const auto& l = se.leaves_[li];
            const auto& r = e_.rule_of(l);
            auto& acc = se.ms_.acc[li];
            const bool counts = r.measure_.kind == rules::measure::kind_t::count;
            if (a.model == model_t::attainment) {
                for (std::size_t b = 0; b < l.beneficiaries; ++b)
                    for (std::int32_t P = l.program_lo; P <= l.period_hi; ++P) {
                        const std::size_t slot = b * l.periods + static_cast<std::size_t>(P - l.period_lo);
                        const auto& plan = plans_[li][slot];
                        if (!plan) continue;
                        const std::size_t c = competitor_of(l, b);
                        // The period's first program month keys the draw: leaves of one unit share it.
                        const std::int32_t first = std::max<std::int32_t>(m0_, unit_first_month(P, l.unit));
                        const auto& d = dr[c * n_ + static_cast<std::size_t>(first - m0_)];
                        if (d.pick < 0) continue;
                        const period per = p_.cal.period_at(P, l.unit);
                        auto& g = acc.groups[l.version_of(std::max(per.from, p_.cal.from()).days())][slot];
                        g.measure = (plan->rescale(l.measure_scale, rounding_mode::half_even) * d.factor)
                                        .rescale(l.measure_scale, rounding_mode::half_even).units();
                        g.count = 1;
                        g.last_day = std::min(per.to.plus_days(-1), p_.cal.to()).days();
                    }
                continue;
            }
            const auto& tl = twin_->leaves_[li];
            const auto& tg = twin_->ms_.acc[li].groups[0];
            for (std::size_t b = 0; b < l.beneficiaries; ++b) {
                const std::size_t c = competitor_of(l, b);
                for (std::size_t j = 0; j < n_; ++j) {
                    const auto& d = dr[c * n_ + j];
                    const auto [in, days] = window_[li][j];
                    if (d.pick < 0 || in == 0) continue;
                    const auto& src = tg[b * tl.periods + static_cast<std::size_t>(d.pick)];
                    if (src.count == 0) continue;
                    const std::int32_t m = m0_ + static_cast<std::int32_t>(j);
                    const std::int32_t P = period_of_month(m, l.unit);
                    if (P < l.program_lo || P > l.period_hi) continue;
                    const std::size_t v = l.version_of(std::max(month_[j].from, p_.cal.from()).days());
                    auto& g = acc.groups[v][b * l.periods + static_cast<std::size_t>(P - l.period_lo)];
                    std::int64_t events = src.count;
                    if (a.model == model_t::lognormal && (counts || l.measure_scale == 0)) {
                        // A count (or a whole quantity): Poisson or negative binomial around last year's x the factor.
                        draws::stream k(o_.seed, s, static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(li * n_ + j), draws::purpose::count);
                        const double mu = static_cast<double>(src.measure) * d.mean * in / days;
                        const std::int64_t x = a.counts == simulation_assumptions::counts_t::poisson ? k.poisson(mu)
                                                                                                      : k.negative_binomial(mu, to_double(a.dispersion));
                        if (x == 0) continue;
                        g.measure += x;
                        if (counts) events = x;
                        g.second += scaled(src.second, l.second_scale, d.factor);
                        g.payout += scaled(src.payout, l.payout_scale, d.factor);
                    } else {
                        g.measure += share(scaled(src.measure, l.measure_scale, d.factor), in, days);
                        g.second += share(scaled(src.second, l.second_scale, d.factor), in, days);
                        g.payout += share(scaled(src.payout, l.payout_scale, d.factor), in, days);
                    }
                    g.count += events;
                    g.last_day = std::max(g.last_day, std::min(month_[j].to.plus_days(-1), p_.cal.to()).days());
                }
            }
        }
    }
    [[nodiscard]] static std::int32_t unit_first_month(std::int32_t P, period_unit unit) {
        return unit == period_unit::program ? std::numeric_limits<std::int32_t>::min() : P * calendar::months_in(unit);
    }

    // ---- the keys of the tables ------------------------------------------------------------------
    void keys(const program& p) {
        keys_.clear();
        key_ix_.clear();
        count_keys_.clear();
        count_ix_.clear();
        for (const char* item : {"cost", "cash", "funds", "points", "in_kind", "tax"}) add_key("", item);
        for (const auto& r : p.rules) add_key("rule", r.id);
        for (const auto& c : p.contests) add_key("rule", c.id);
        if (p.points) add_key("rule", "(activity rewards)");
        for (const auto& m : month_) add_key("month", m.label);
        if (!a_.segment_by.empty()) {
            std::set<std::string> seen;
            for (const auto& pa : cat_.partners()) seen.insert(segment_name(field_of(pa, a_.segment_by)));
            for (const auto& v : seen) add_key("segment", v);
        }
        for (const auto& c : p.contests) add_key("contest", c.id);
        for (const auto& c : p.contests) add_count("contest", c.id);
        for (const auto& r : p.rules)
            if (r.pay.kind == rules::schedule::kind_t::tiers)
                for (std::size_t k = 0; k < r.pay.tiers_.rows.size(); ++k) add_count("tier", r.id + "/" + tier_name(r, k));
    }
    static std::string segment_name(const std::string& v) { return v.empty() ? "(none)" : v; }
    static std::string tier_name(const rules::rule& r, std::size_t k) {
        const auto& row = r.pay.tiers_.rows[k];
        return row.name.empty() ? "tier " + std::to_string(k + 1) : row.name;
    }
    void add_key(const std::string& by, const std::string& key) {
        key_ix_.emplace(by + '\n' + key, keys_.size());
        keys_.emplace_back(by, key);
    }
    void add_count(const std::string& by, const std::string& key) {
        count_ix_.emplace(by + '\n' + key, count_keys_.size());
        count_keys_.emplace_back(by, key);
    }
    [[nodiscard]] std::size_t key(const std::string& by, const std::string& k) const { return key_ix_.at(by + '\n' + k); }

    // ---- what a scenario cost --------------------------------------------------------------------
    /// What the tables need to know of each payer (a rule or a contest), found once per program.
    struct payer {
        period_unit unit = period_unit::program;
        std::size_t item = 1;                 // the summary row: cash, funds or points
        std::size_t rule_key = 0;             // its row among the rules
        std::size_t contest_key = SIZE_MAX;   // its row among the contests
        std::vector<std::size_t> tier_counts; // per tier row: its count key
        bool rule = false;
    };
    void payers(const program& p) {
        payers_.clear();
        for (const auto& r : p.rules) {
            payer& x = payers_[r.id];
            x.rule = true;
            x.unit = r.per;
            x.item = !r.fund.empty() ? 2 : !r.points.empty() ? 3 : 1;
            x.rule_key = key("rule", r.id);
            if (r.pay.kind == rules::schedule::kind_t::tiers)
                for (std::size_t k = 0; k < r.pay.tiers_.rows.size(); ++k) x.tier_counts.push_back(count_ix_.at("tier\n" + r.id + "/" + tier_name(r, k)));
        }
        for (const auto& c : p.contests) {
            payer& x = payers_[c.id];
            x.unit = c.per;
            x.item = c.prize.pay == rules::prizes::pay_t::fund ? 2 : c.prize.pay == rules::prizes::pay_t::points ? 3 : c.prize.pay == rules::prizes::pay_t::in_kind ? 4 : 1;
            x.rule_key = key("rule", c.id);
            x.contest_key = key("contest", c.id);
        }
        segment_key_.assign(cat_.partners().size(), SIZE_MAX);
        if (!a_.segment_by.empty())
            for (std::size_t i = 0; i < cat_.partners().size(); ++i) segment_key_[i] = key("segment", segment_name(field_of(cat_.partners()[i], a_.segment_by)));
        month_key_.clear();
        for (const auto& m : month_) month_key_.push_back(key("month", m.label));
        rewards_key_ = key_ix_.count("rule\n(activity rewards)") ? key("rule", "(activity rewards)") : 0;
    }
    /// The program month (0-based) in which a period of `unit` starting on `start` accrues: its last.
    [[nodiscard]] std::size_t accrual_month(period_unit unit, date start) const {
        const std::int32_t last = unit == period_unit::program
                                      ? m0_ + static_cast<std::int32_t>(n_) - 1
                                      : (p_.cal.index_of(start, unit) + 1) * calendar::months_in(unit) - 1;
        return static_cast<std::size_t>(std::clamp<std::int32_t>(last - m0_, 0, static_cast<std::int32_t>(n_) - 1));
    }
    /// The same for a period given by its index in its unit.
    [[nodiscard]] std::size_t accrual_month_of(period_unit unit, std::int32_t period) const {
        const std::int32_t last = unit == period_unit::program ? m0_ + static_cast<std::int32_t>(n_) - 1
                                                               : (period + 1) * calendar::months_in(unit) - 1;
        return static_cast<std::size_t>(std::clamp<std::int32_t>(last - m0_, 0, static_cast<std::int32_t>(n_) - 1));
    }
    [[nodiscard]] date last_day(std::size_t j) const { return std::min(month_[j].to.plus_days(-1), p_.cal.to()); }

    /// What a scenario cost: from its result's lines, standings and points; and, on the lean path,
    /// from the rules' drafts (the same amounts the lines would carry, without making the lines).
    [[nodiscard]] scenario_cost cost_of(const result& r, const program& p, const simulation_assumptions& a,
                                        const std::vector<draft>* drafts = nullptr) const {
        scenario_cost sc;
        sc.values.assign(keys_.size(), decimal::from_units(0, minor_));
        sc.counts.assign(count_keys_.size(), 0);
        const decimal point_value = p.points ? p.points->value * (decimal(1) - p.points->breakage.value_or(decimal())) : decimal();
        std::vector<tax::award> awards;
        auto segment = [&](const std::string& partner, const decimal& v) {
            if (a.segment_by.empty() || partner.empty()) return;
            if (auto pi = cat_.partner_index(partner)) sc.values[segment_key_[*pi]] += v;
        };
        for (const auto& l : r.lines) {
            auto it = payers_.find(l.rule);
            if (it == payers_.end()) continue;  // deals and referrals: no events of theirs are drawn
            const payer& x = it->second;
            if (x.rule && l.tier >= 0 && l.kind == payout_line::kind_t::accrual && static_cast<std::size_t>(l.tier) < x.tier_counts.size())
                ++sc.counts[x.tier_counts[static_cast<std::size_t>(l.tier)]];
            if (x.item == 3) continue;  // points: what the lots earned, below (levels multiply them)
            const std::size_t j = accrual_month(x.unit, l.period_start);
            sc.values[x.item] += l.amount;
            sc.values[x.rule_key] += l.amount;
            if (x.contest_key != SIZE_MAX) sc.values[x.contest_key] += l.amount;
            sc.values[month_key_[j]] += l.amount;
            segment(l.partner, l.amount);
            if (a.tax && x.item == 1 && l.beneficiary_type == to_t::participant)  // rules' and contests' cash to people
                awards.push_back({l.beneficiary, last_day(j), l.amount, tax::award_kind::cash, true});
        }
        if (drafts)
            for (const auto& d : *drafts) {
                const auto& rule = p.rules[d.top];
                const payer& x = payers_.find(rule.id)->second;
                if (d.tier >= 0 && !d.is_clawback() && static_cast<std::size_t>(d.tier) < x.tier_counts.size())
                    ++sc.counts[x.tier_counts[static_cast<std::size_t>(d.tier)]];
                const std::size_t j = accrual_month_of(x.unit, d.period);
                sc.values[x.item] += d.amount;
                sc.values[x.rule_key] += d.amount;
                sc.values[month_key_[j]] += d.amount;
                std::optional<std::size_t> pi;
                if (rule.credit_.to == to_t::partner) pi = d.beneficiary;
                if (rule.credit_.to == to_t::participant) pi = cat_.partner_of(static_cast<std::uint32_t>(d.beneficiary));
                if (pi && !a.segment_by.empty()) sc.values[segment_key_[*pi]] += d.amount;
                if (a.tax && x.item == 1 && rule.credit_.to == to_t::participant)
                    awards.push_back({cat_.participants()[d.beneficiary].id, last_day(j), d.amount, tax::award_kind::cash, true});
            }
        // Points cost what their lots earned (net of returns) at their value less breakage: the lots
        // of points rules' and contests' lines (times a status level's multiplier), and of activity
        // rewards (welcome, birthdays, courses, first sales: the row "(activity rewards)").
        for (const auto& x : r.points) {
            using k = points_entry::kind_t;
            if (x.kind != k::earned && x.kind != k::reversed && x.kind != k::debt) continue;
            const decimal money = x.points * point_value;
            const auto it = payers_.find(std::string_view(x.event).substr(0, x.event.find('/')));
            sc.values[3] += money;
            sc.values[it != payers_.end() ? it->second.rule_key : rewards_key_] += money;
            if (it != payers_.end() && it->second.contest_key != SIZE_MAX) sc.values[it->second.contest_key] += money;
            const auto j = std::clamp<std::int32_t>(p_.cal.index_of(x.on, period_unit::month) - m0_, 0, static_cast<std::int32_t>(n_) - 1);
            sc.values[month_key_[static_cast<std::size_t>(j)]] += money;
            segment(x.partner, money);
        }
        for (const auto& st : r.contests) {
            const payer& x = payers_.at(st.contest);
            if (st.winner) ++sc.counts[count_ix_.at("contest\n" + st.contest)];
            const decimal prize = st.prize + st.step_prize;
            if (x.item != 4 || prize.is_zero()) continue;
            const std::size_t j = accrual_month(x.unit, st.round_start);
            sc.values[4] += prize;
            sc.values[x.rule_key] += prize;
            sc.values[x.contest_key] += prize;
            sc.values[month_key_[j]] += prize;
            segment(st.partner, prize);
            if (a.tax && st.competitor_type == to_t::participant) awards.push_back({st.competitor, last_day(j), prize, tax::award_kind::in_kind, true});
        }
        if (a.tax)
            for (const auto& x : tax::assess(*a.tax, awards, a.gross_up)) sc.values[5] += x.program_cost;
        for (std::size_t item = 1; item <= 5; ++item) sc.values[0] += sc.values[item];
        for (auto& v : sc.values) v = v.rescale(minor_, p_.rounding.mode);
        return sc;
    }

    // ---- the scenarios, on threads ---------------------------------------------------------------
    std::vector<scenario_cost> scenarios(const program& p, const simulation_assumptions& a,
                                         const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
        program sim = p;
        sim.kpis.reset();  // reports, not costs
        sim.roi.reset();
        const engine blank(std::make_shared<const program>(std::move(sim)), e_.cat_);
        keys(blank.definition());
        payers(blank.definition());
        if (a.model == model_t::attainment) index_plans(blank);
        const measure_store base = baselines(blank);
        const program& bp = blank.definition();
        bool lean = !o_.full_runs && !bp.points && bp.funds.empty() && !bp.deals && bp.referrals.empty();
        for (const auto& c : bp.contests) lean = lean && c.score.of != rules::contest_measure::of_t::payout;
        const auto pp = params(a);
        std::vector<scenario_cost> out(o_.scenarios);
        std::atomic<std::uint64_t> next{0}, done{0};
        std::mutex report;
        std::exception_ptr failed;
        auto work = [&] {
            try {
                engine se = blank;
                plan_index plans;  // the catalog's plans, indexed once for this thread's scenarios
                std::vector<month_draw> dr;
                const ledger_events none;
                for (std::uint64_t s = next++; s < o_.scenarios; s = next++) {
                    draw(static_cast<std::uint32_t>(s), a, pp, dr);
                    fill(se, base, dr, static_cast<std::uint32_t>(s), a);
                    if (lean) {
                        // Nothing needs the lines (no points, funds, deals, referrals or payout
                        // scores): the rules' drafts and the contests' boards are the whole cost.
                        auto all = settlement(se, se.definition(), {}, &plans).drafts();
                        result r;
                        if (!se.definition().contests.empty()) contest_stage(se, se.definition()).run(r);
                        out[s] = cost_of(r, se.definition(), a, &all);
                    } else {
                        const result r = settle_and_replay(se, se.definition(), cat_, none, {}, &plans);
                        out[s] = cost_of(r, se.definition(), a);
                    }
                    const auto d = ++done;
                    if (progress) {
                        std::lock_guard lock(report);
                        progress(d, o_.scenarios);
                    }
                }
            } catch (...) {
                std::lock_guard lock(report);
                if (!failed) failed = std::current_exception();
                next = o_.scenarios;
            }
        };
        const unsigned threads = std::max(1u, std::min<unsigned>(o_.threads, static_cast<unsigned>(o_.scenarios)));
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
        work();
        for (auto& t : pool) t.join();
        if (failed) std::rethrow_exception(failed);
        return out;
    }

    // ---- statistics ------------------------------------------------------------------------------
    /// Nearest rank: the value at rank ceil(q / 100 x N) of the sorted values.
    [[nodiscard]] static decimal rank(const std::vector<decimal>& sorted, unsigned q) {
        const std::size_t n = sorted.size(), r = (static_cast<std::size_t>(q) * n + 99) / 100;
        return sorted[std::max<std::size_t>(r, 1) - 1];
    }
    [[nodiscard]] distribution of(std::vector<decimal> v) const {
        distribution d;
        decimal sum = decimal::from_units(0, minor_);
        for (const auto& x : v) sum += x;
        d.mean = sum.divide(decimal(static_cast<std::int64_t>(v.size())), minor_, rounding_mode::half_even);
        std::sort(v.begin(), v.end());
        d.p50 = rank(v, 50);
        d.p90 = rank(v, 90);
        d.p95 = rank(v, 95);
        d.p99 = rank(v, 99);
        d.min = v.front();
        d.max = v.back();
        return d;
    }

    void summarize(const std::vector<scenario_cost>& costs, simulation_result& res) const {
        const std::size_t n = costs.size();
        std::vector<decimal> col(n);
        for (std::size_t k = 0; k < keys_.size(); ++k) {
            for (std::size_t i = 0; i < n; ++i) col[i] = costs[i].values[k];
            const auto& [by, key] = keys_[k];
            if (by.empty()) res.summary.push_back({key, "", of(col)});
            else res.by.push_back({by, key, of(col)});
        }
        res.totals.resize(n);
        for (std::size_t i = 0; i < n; ++i) res.totals[i] = costs[i].values[0];
        res.reserve = res.cost().p90 - res.cost().p50;
        if (o_.budget) {
            std::int64_t over = 0;
            decimal overrun = decimal::from_units(0, minor_);
            for (const auto& t : res.totals)
                if (*o_.budget < t) {
                    ++over;
                    overrun += t - *o_.budget;
                }
            res.p_over_budget = decimal(over).divide(decimal(static_cast<std::int64_t>(n)), 6, rounding_mode::half_even);
            res.expected_overrun = overrun.divide(decimal(static_cast<std::int64_t>(n)), minor_, rounding_mode::half_even);
        }
        for (std::size_t k = 0; k < count_keys_.size(); ++k) {
            std::map<std::int64_t, std::uint64_t> hist;
            for (const auto& c : costs) ++hist[c.counts[k]];
            for (const auto& [count, times] : hist) res.counts.push_back({count_keys_[k].first, count_keys_[k].second, count, times});
        }
        // The accrual schedule: expected by month, and the cumulative cost's quantiles.
        std::vector<decimal> cumulative(n, decimal::from_units(0, minor_));
        decimal running = decimal::from_units(0, minor_);
        for (std::size_t j = 0; j < n_; ++j) {
            const std::size_t k = key("month", month_[j].label);
            for (std::size_t i = 0; i < n; ++i) cumulative[i] += costs[i].values[k];
            const decimal expected = std::find_if(res.by.begin(), res.by.end(), [&](const simulation_row& r) {
                                         return r.by == "month" && r.key == month_[j].label;
                                     })->d.mean;
            running += expected;
            auto sorted = cumulative;
            std::sort(sorted.begin(), sorted.end());
            res.schedule.push_back({month_[j].label, month_[j].from, expected, running, rank(sorted, 50), rank(sorted, 90)});
        }
    }

    // ---- sensitivity -----------------------------------------------------------------------------
    static void vary(const std::string& name, const decimal& f, simulation_assumptions& a, program& p) {
        auto times = [&](decimal& v) { v = v * f; };
        if (name == "growth") {
            a.growth = (decimal(1) + a.growth) * f - decimal(1);
            for (auto& s : a.segments)
                if (s.growth) s.growth = (decimal(1) + *s.growth) * f - decimal(1);
        } else if (name == "spread") {
            times(a.spread);
            for (auto& s : a.segments)
                if (s.spread) times(*s.spread);
        } else if (name == "mean") {
            times(a.mean);
            for (auto& s : a.segments)
                if (s.mean) times(*s.mean);
        } else if (name == "participation") {
            a.participation = std::min(a.participation * f, decimal(1));
            for (auto& s : a.segments)
                if (s.participation) s.participation = std::min(*s.participation * f, decimal(1));
        } else if (name == "market_spread") {
            times(a.market_spread);
        } else if (name == "thresholds") {
            auto rule = [&](rules::rule& r) {
                if (r.pay.kind == rules::schedule::kind_t::tiers)
                    for (auto& row : r.pay.tiers_.rows) times(row.from);
                if (r.qualify.min_measure) times(*r.qualify.min_measure);
                if (r.accelerate)
                    for (auto& b : r.accelerate->bands) times(b.from);
                for (auto& v : r.versions) {
                    if (v.pay.kind == rules::schedule::kind_t::tiers)
                        for (auto& row : v.pay.tiers_.rows) times(row.from);
                    if (v.qualify.min_measure) times(*v.qualify.min_measure);
                    if (v.accelerate)
                        for (auto& b : v.accelerate->bands) times(b.from);
                }
            };
            for (auto& r : p.rules) {
                rule(r);
                for (auto& c : r.children) rule(c);
            }
            for (auto& c : p.contests)
                if (c.min_score) times(*c.min_score);
        } else if (name == "prizes") {
            for (auto& c : p.contests) {
                for (auto& x : c.prize.places) times(x);
                if (c.prize.pot && c.prize.pot->amount) times(*c.prize.pot->amount);
                if (c.prize.pot && c.prize.pot->percent) times(*c.prize.pot->percent);
                for (auto& st : c.prize.steps) times(st.pot);
            }
        }
    }

    const engine& e_;
    const simulation_assumptions& a_;
    const simulation_options& o_;
    const program& p_;
    const catalog& cat_;
    const int minor_;
    std::int32_t m0_ = 0;
    std::size_t n_ = 0;
    std::vector<period> month_;
    std::vector<std::vector<std::pair<int, int>>> window_;
    std::vector<bool> need_;  // per month: some rule reads its draws  // per leaf and month: days in the window, days
    std::unique_ptr<engine> twin_;
    std::vector<std::vector<std::optional<decimal>>> plans_;
    std::vector<std::pair<std::string, std::string>> keys_, count_keys_;
    std::map<std::string, std::size_t> key_ix_, count_ix_;
    std::map<std::string, payer, std::less<>> payers_;
    std::vector<std::size_t> segment_key_, month_key_;
    std::size_t rewards_key_ = 0;
};

}  // namespace incentives::detail

namespace incentives {

INCENTIVES_INLINE simulation_result simulate(const engine& program_engine, const event_columns& history,
                                             const simulation_assumptions& assumptions, const simulation_options& options) {
    return detail::simulation_stage(program_engine, history, assumptions, options).run();
}

INCENTIVES_INLINE simulation_result simulate(const engine& program_engine, std::span<const event> history,
                                             const simulation_assumptions& assumptions, const simulation_options& options) {
    const detail::row_columns rows(history);
    return simulate(program_engine, rows.cols, assumptions, options);
}

}  // namespace incentives
