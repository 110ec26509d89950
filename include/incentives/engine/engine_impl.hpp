// Implementation of incentives::engine (header-only; included by engine.hpp).
#pragma once

#include <incentives/engine/engine.hpp>

namespace incentives {

namespace detail {

inline constexpr std::uint32_t batch_row_flag = 0x80000000u;  // a return whose sale is in the same batch

[[nodiscard]] inline int lookback_periods(const rules::measure& m, period_unit unit) {
    if (!m.over) return 0;
    if (m.over->baseline == rules::growth::baseline_kind::prior_period) return 1;
    if (m.over->baseline == rules::growth::baseline_kind::prior_year) return 12 / calendar::months_in(unit);
    return 0;
}

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

/// Whether a partner passes a selector made of partner fields (eligibility conditions).
inline bool partner_matches(const rules::selector& s, const partner& p) {
    using op = rules::selector::op;
    switch (s.kind()) {
        case op::always: return true;
        case op::all:
            for (const auto& c : s.children())
                if (!partner_matches(c, p)) return false;
            return true;
        case op::any:
            for (const auto& c : s.children())
                if (partner_matches(c, p)) return true;
            return false;
        case op::negate: return !partner_matches(s.children()[0], p);
        case op::dates: return true;
        case op::in:
        case op::range: return leaf_accepts(s, partner_field(p, s.target().name));
    }
    return false;
}

/// Per-batch, per-leaf compiled pieces shared by the accumulation threads.
struct prepared_leaf {
    compiled_selector select;
    std::int32_t min_day = 0;
    std::vector<std::int32_t> period_of_day;      // index by day - min_day
    std::vector<std::optional<int128>> rate;      // lookup: per event, at the leaf's rate scale
    std::vector<std::pair<int128, int>> value;    // event rounding: per version, schedule value units and scale
    const std::vector<std::int64_t>* numeric = nullptr;  // attribute measure: value per code
    const std::vector<std::uint32_t>* column = nullptr;  // attribute or distinct column
};

[[noreturn]] inline void sum_overflow(const std::string& rule) {
    throw calculation_error("incentives.calculation.overflow", "accumulated measure of rule \"" + rule + "\" overflows");
}

/// The measured column of an event, before credit shares (scale: the leaf's base scale).
inline int128 base_of(rules::measure::kind_t kind, const prepared_leaf& pl, const event_batch& b, std::size_t i) {
    switch (kind) {
        case rules::measure::kind_t::amount: return b.amount[i];
        case rules::measure::kind_t::quantity: return b.quantity[i];
        case rules::measure::kind_t::count: return 1;
        case rules::measure::kind_t::attribute: return pl.column ? (*pl.numeric)[(*pl.column)[i]] : 0;
        case rules::measure::kind_t::distinct: return 0;
    }
    return 0;
}

/// Calls fn(version, slot, measure units, second measure units) for every credit an event gives a
/// leaf (no selection test); the group's key is version * slots + slot. Events outside the program
/// dates count only for baseline periods.
template <class Fn>
inline void for_each_credit(const leaf& l, const rules::rule& r, const prepared_leaf& pl, const event_batch& b,
                            std::size_t i, Fn&& fn) {
    std::int32_t p = pl.period_of_day[static_cast<std::size_t>(b.day[i] - pl.min_day)];
    if (p < l.period_lo || p > l.period_hi) return;
    if (p >= l.program_lo && (b.day[i] < l.first_day || b.day[i] > l.last_day)) return;
    auto pi = static_cast<std::uint64_t>(p - l.period_lo);
    const std::size_t version = l.version_of(b.day[i]);
    int128 base = base_of(r.measure_.kind, pl, b, i);
    int128 base2 = l.second ? base_of(l.second_kind, pl, b, i) : 0;
    constexpr int128 whole = 10000;
    switch (r.credit_.to) {
        case rules::credit::to_t::partner: fn(version, pi + b.partner[i] * l.periods, base * whole, base2 * whole); break;
        case rules::credit::to_t::program: fn(version, pi, base * whole, base2 * whole); break;
        case rules::credit::to_t::participant:
            for (std::uint32_t k = b.credit_begin[i]; k < b.credit_begin[i + 1]; ++k) {
                std::uint32_t who = b.credit_participant[k];
                if (l.role_ok[who])
                    fn(version, pi + static_cast<std::uint64_t>(who) * l.periods, base * b.credit_share[k],
                       base2 * b.credit_share[k]);
            }
            break;
    }
}

}  // namespace detail

inline engine::engine(program prog, catalog cat, bool retain_event_ids)
    : prog_(std::move(prog)), cat_(std::move(cat)), retain_ids_(retain_event_ids) {
    compile();
}

inline void engine::compile() {
    validate(prog_);
    using rules::rule;
    auto numeric_attribute = [&](const std::string& name) {
        st_.numeric.try_emplace(name);
        st_.dicts.attrs.try_emplace(name);
    };
    auto make_leaf = [&](std::size_t top, int child, const rule& r, rules::selector sel, const std::string& path) {
        detail::leaf l;
        l.top = top;
        l.child = child;
        l.select = detail::mentions_kind(sel)
                       ? std::move(sel)
                       : rules::selector::all({rules::selector::in({rules::field::scope::event, "kind"}, {"sale"}), sel});
        l.unit = r.per;
        const auto& cal = prog_.cal;
        int lookback = detail::lookback_periods(r.measure_, r.per);
        if (r.pay.kind == rules::schedule::kind_t::tiers && r.pay.tiers_.on)
            lookback = std::max(lookback, detail::lookback_periods(*r.pay.tiers_.on, r.per));
        if (r.per == period_unit::custom) {
            l.program_lo = l.period_lo = 0;
            l.period_hi = static_cast<std::int32_t>(cal.custom_periods().size()) - 1;
        } else {
            l.program_lo = cal.index_of(cal.from(), r.per);
            l.period_hi = cal.index_of(cal.to(), r.per);
            l.period_lo = l.program_lo - lookback;
        }
        l.periods = static_cast<std::size_t>(l.period_hi - l.period_lo + 1);
        l.first_day = cal.from().days();
        l.last_day = cal.to().days();
        if (r.pay.kind == rules::schedule::kind_t::tiers && r.pay.tiers_.on && r.pay.tiers_.on->kind != r.measure_.kind) {
            using mk2 = rules::measure::kind_t;
            auto k2 = r.pay.tiers_.on->kind;
            l.second = true;
            l.second_kind = k2;
            l.second_scale = (k2 == mk2::amount ? prog_.amount_scale() : k2 == mk2::quantity ? prog_.quantity_places : 0) +
                             event_batch::share_scale;
        }
        switch (r.credit_.to) {
            case rules::credit::to_t::partner: l.beneficiaries = cat_.partners().size(); break;
            case rules::credit::to_t::participant: l.beneficiaries = cat_.participants().size(); break;
            case rules::credit::to_t::program: l.beneficiaries = 1; break;
        }
        using mk = rules::measure::kind_t;
        const auto& m = r.measure_;
        l.base_scale = m.kind == mk::amount ? prog_.amount_scale()
                       : m.kind == mk::quantity ? prog_.quantity_places
                       : m.kind == mk::attribute ? detail::attribute_scale : 0;
        l.distinct = m.kind == mk::distinct;
        l.measure_scale = l.distinct ? 0 : l.base_scale + event_batch::share_scale;
        if (m.kind == mk::attribute || m.kind == mk::distinct) {
            if (m.attribute.empty())
                throw validation_error("incentives.validation.measure",
                                       "program \"" + prog_.name + "\" " + path + ".measure: needs an attribute name");
            if (m.kind == mk::attribute) numeric_attribute(m.attribute);
            st_.dicts.attrs.try_emplace(m.attribute);
        }
        if (m.over && m.over->baseline == rules::growth::baseline_kind::attribute) {
            // The baseline is an attribute of the beneficiary itself: a partner, or a participant.
            bool people = r.credit_.to == rules::credit::to_t::participant;
            std::size_t rows = people ? cat_.participants().size() : cat_.partners().size();
            for (std::size_t i = 0; i < rows; ++i) {
                const auto& attrs = people ? cat_.participants()[i].attrs : cat_.partners()[i].attrs;
                auto it = attrs.find(m.over->attribute);
                std::string v = it == attrs.end() ? std::string() : it->second;
                try {
                    if (!v.empty()) (void)decimal::parse(v);
                } catch (const error&) {
                    throw input_error("incentives.input.baseline",
                                      std::string(people ? "participants" : "partners") + " row " + std::to_string(i + 1) +
                                          ", field " + m.over->attribute + ": expected a number for the growth baseline, got \"" +
                                          v + "\"");
                }
            }
        }
        l.lookup_version.push_back(r.pay.kind == rules::schedule::kind_t::lookup);
        for (const auto& v : r.versions) l.lookup_version.push_back(v.pay.kind == rules::schedule::kind_t::lookup);
        l.lookup = std::find(l.lookup_version.begin(), l.lookup_version.end(), 1) != l.lookup_version.end();
        // Rounding at each event applies to payouts that are sums over events: not to distinct
        // counts or growth, which exist only per group (those lines are rounded once, as at `line`).
        l.event_rounding = prog_.rounding.point == rounding_policy::point_t::event && !l.distinct && !m.over;
        int rate_scale = 0;
        if (l.lookup) {
            auto scan = [&](const rules::lookup_table& t) {
                for (const auto& [k, v] : t.rates) rate_scale = std::max(rate_scale, v.scale());
                if (t.fallback) rate_scale = std::max(rate_scale, t.fallback->scale());
            };
            scan(r.pay.lookup_);
            for (const auto& v : r.versions) scan(v.pay.lookup_);
        }
        l.rate_scale = rate_scale;
        l.payout_scale = l.event_rounding ? prog_.currency_.minor_units() : l.measure_scale + rate_scale;
        if (r.pay.kind == rules::schedule::kind_t::per_unit && m.kind != mk::quantity)
            throw validation_error("incentives.validation.schedule", "program \"" + prog_.name + "\" " + path +
                                                                        ": per_unit pays on the quantity measure");
        if (r.pay.kind == rules::schedule::kind_t::per_event && m.kind != mk::count)
            throw validation_error("incentives.validation.schedule", "program \"" + prog_.name + "\" " + path +
                                                                        ": per_event pays on the count measure");
        l.version_from.push_back(cal.from());
        for (const auto& v : r.versions) l.version_from.push_back(v.effective_from);
        l.clawback = r.clawback_.has_value();
        l.role_ok.assign(cat_.participants().size(), 1);
        if (!r.credit_.roles.empty())
            for (std::size_t i = 0; i < cat_.participants().size(); ++i)
                l.role_ok[i] = std::find(r.credit_.roles.begin(), r.credit_.roles.end(), cat_.participants()[i].role) !=
                               r.credit_.roles.end();
        leaves_.push_back(std::move(l));
    };
    std::function<void(const rules::selector&)> note_numeric = [&](const rules::selector& s) {
        if (s.kind() == rules::selector::op::range && s.target().of == rules::field::scope::event &&
            s.target().name != "amount" && s.target().name != "quantity")
            numeric_attribute(s.target().name);
        for (const auto& c : s.children()) note_numeric(c);
    };
    for (std::size_t t = 0; t < prog_.rules.size(); ++t) {
        const rule& r = prog_.rules[t];
        std::string path = "rules[" + std::to_string(t) + "]";
        note_numeric(r.select);
        if (r.combine == rules::combinator::none) {
            make_leaf(t, -1, r, r.select, path);
            continue;
        }
        std::vector<rules::selector> earlier;
        for (std::size_t c = 0; c < r.children.size(); ++c) {
            note_numeric(r.children[c].select);
            std::vector<rules::selector> parts{r.select, r.children[c].select};
            if (r.combine == rules::combinator::first_of && !earlier.empty())
                parts.push_back(rules::selector::negate(rules::selector::any(earlier)));
            make_leaf(t, static_cast<int>(c), r.children[c], rules::selector::all(parts),
                      path + "." + std::string(to_string(r.combine)) + "[" + std::to_string(c) + "]");
            // first_of: an event belongs to the first child that selects it (with its implied kind)
            const auto& eff = leaves_.back().select;
            earlier.push_back(eff);
        }
    }
    st_.acc.resize(leaves_.size());
    for (std::size_t i = 0; i < leaves_.size(); ++i)
        st_.acc[i].groups.assign(leaves_[i].version_from.size(), std::vector<detail::group_acc>(leaves_[i].slots()));
}

inline event_batch engine::encode(std::span<const event> events) const {
    // Dictionaries only grow, and growing them changes no result, so encode stays logically const.
    auto& dicts = const_cast<detail::event_dictionaries&>(st_.dicts);
    event_batch b;
    const std::size_t rows = events.size();
    for (auto* col : {&b.kind, &b.partner, &b.product, &b.category, &b.credit_begin, &b.reference}) col->reserve(rows + 1);
    for (auto* col : {&b.quantity, &b.amount}) col->reserve(rows);
    b.day.reserve(rows);
    b.ids.reserve(rows);
    b.id_hash.reserve(rows);
    const int aplaces = prog_.amount_scale(), qplaces = prog_.quantity_places;
    // Ids of this batch by row, to find repeats inside the batch and the sales its returns refer to.
    detail::id_index batch_ids;
    batch_ids.reserve(rows);
    auto batch_text = [&b](std::uint32_t row) { return std::string_view(b.ids[row]); };
    // Each id is hashed `ahead` rows before its probes, and its slots prefetched then, so that the
    // probes find them in cache (the rows are read once: they are large and memory-bound).
    constexpr std::size_t ahead = 16;
    std::vector<std::uint64_t> hashes(rows);
    auto hash_ahead = [&](std::size_t r) {
        hashes[r] = detail::id_hash(events[r].id);
        st_.ids.prefetch(hashes[r]);
        batch_ids.prefetch(hashes[r]);
    };
    for (std::size_t r = 0; r < std::min(ahead, rows); ++r) hash_ahead(r);
    std::unordered_map<std::string_view, std::pair<std::int64_t, std::int64_t>> returned;
    // The last kind seen and each product's category, as codes (most rows repeat them).
    std::string_view last_kind;
    std::uint32_t last_kind_code = 0;
    std::vector<std::uint32_t> product_category(cat_.products().size(), event_batch::none);
    const std::uint32_t sale_code = dicts.kinds.intern("sale");
    for (std::size_t r = 0; r < rows; ++r) {
        const event& e = events[r];
        if (r + ahead < rows) hash_ahead(r + ahead);
        auto where = [&](std::string_view field) {
            return "row " + std::to_string(r + 1) + (e.id.empty() ? std::string() : " (event \"" + e.id + "\")") +
                   ", field " + std::string(field) + ": ";
        };
        auto fail = [&](std::string_view code, std::string_view field, const std::string& what) -> void {
            throw input_error("incentives.input." + std::string(code), where(field) + what);
        };
        if (e.id.empty()) fail("missing_id", "id", "every event needs an id");
        const std::uint64_t h = hashes[r];
        if (st_.ids.find(h, e.id) != detail::id_registry::npos || batch_ids.find(h, e.id, batch_text) != detail::id_index::npos) {
            if (prog_.duplicates == duplicate_policy::ignore) {
                ++b.duplicates_ignored;
                continue;
            }
            fail("duplicate_event", "id", "duplicate event id \"" + e.id +
                                              "\" (already seen; declare duplicates: ignore to skip repeats — they are never paid twice)");
        }
        if (e.kind.empty()) fail("missing_kind", "kind", "every event needs a kind (sale, return, ...)");
        auto partner = cat_.partner_index(e.partner);
        if (!partner) fail("unknown_partner", "partner", "unknown partner \"" + e.partner + "\"" + cat_.suggest_partner(e.partner));
        if (!e.currency.empty() && e.currency != prog_.currency_.code())
            fail("currency", "currency",
                 "amount in " + e.currency + " but the program pays in " + std::string(prog_.currency_.code()) +
                     " (no silent conversion: convert with an explicit, dated exchange rate first)");
        auto scaled = [&](const decimal& d, int places, std::string_view field) -> std::int64_t {
            if (d.scale() <= places) {  // the common case: no trailing digits to drop
                int128 u = d.units();
                if (__builtin_mul_overflow(u, detail::pow10(places - d.scale()), &u) || u > INT64_MAX || u < -INT64_MAX)
                    fail("range", field, d.to_string() + " is too large");
                return static_cast<std::int64_t>(u);
            }
            decimal n = d.normalized();
            if (n.scale() > places)
                fail("precision", field, d.to_string() + " has more than " + std::to_string(places) + " decimal places");
            int128 u = 0;
            try {
                u = n.rescale(places, rounding_mode::unnecessary).units();
            } catch (const calculation_error&) {
                u = static_cast<int128>(INT64_MAX) + 1;
            }
            if (u > INT64_MAX || u < -INT64_MAX) fail("range", field, d.to_string() + " is too large");
            return static_cast<std::int64_t>(u);
        };
        std::int64_t amount = scaled(e.amount, aplaces, "amount");
        std::int64_t quantity = scaled(e.quantity, qplaces, "quantity");
        bool is_sale = e.kind == "sale", is_return = e.kind == "return";
        if ((is_sale || is_return) && quantity < 0)
            fail("negative_quantity", "quantity", "expected a quantity >= 0, got " + e.quantity.to_string());
        if ((is_sale || is_return) && amount < 0)
            fail("negative_amount", "amount",
                 "expected an amount >= 0, got " + e.amount.to_string() + (is_sale ? " (send a return that references the sale instead)" : ""));
        std::uint32_t reference = event_batch::none;
        if (is_return) {
            if (e.reference.empty()) fail("missing_reference", "reference", "a return must reference the sale it returns");
            std::int64_t sale_amount, sale_quantity, done_amount = 0, done_quantity = 0;
            const std::uint64_t rh = detail::id_hash(e.reference);
            const std::uint32_t seen = st_.ids.find(rh, e.reference);
            const std::uint32_t row = seen == detail::id_registry::npos ? batch_ids.find(rh, e.reference, batch_text) : detail::id_index::npos;
            if (seen != detail::id_registry::npos && st_.ids.sale(seen) != detail::no_sale) {
                const auto& s = st_.sales[st_.ids.sale(seen)];
                sale_amount = s.amount;
                sale_quantity = s.quantity;
                if (auto done = st_.returned.find(st_.ids.sale(seen)); done != st_.returned.end()) {
                    done_amount = done->second.amount;
                    done_quantity = done->second.quantity;
                }
                reference = st_.ids.sale(seen);
            } else if (row != detail::id_index::npos && b.kind[row] == sale_code) {
                sale_amount = b.amount[row];
                sale_quantity = b.quantity[row];
                reference = detail::batch_row_flag | row;
            } else {
                fail("unknown_sale", "reference", "the return references \"" + e.reference + "\", which is not a sale seen before");
            }
            auto& ret = returned[e.reference];
            ret.first += amount;
            ret.second += quantity;
            if (done_amount + ret.first > sale_amount || done_quantity + ret.second > sale_quantity)
                fail("return_exceeds_sale", "amount", "returns of sale \"" + e.reference + "\" exceed the sale (amount " +
                                                           decimal::from_units(sale_amount, aplaces).to_string() + ", quantity " +
                                                           decimal::from_units(sale_quantity, qplaces).to_string() + ")");
        }
        std::uint32_t product = event_batch::none;
        std::string_view category = e.category;
        if (!e.sku.empty()) {
            auto pi = cat_.product_index(e.sku);
            if (!pi) fail("unknown_product", "sku", "unknown product \"" + e.sku + "\"" + cat_.suggest_product(e.sku));
            product = *pi;
            if (category.empty()) category = cat_.products()[*pi].category;
        }
        int128 share_sum = 0;
        for (std::size_t k = 0; k < e.participants.size(); ++k) {
            const auto& c = e.participants[k];
            std::string field = "participants[" + std::to_string(k) + "]";
            auto pi = cat_.participant_index(c.participant);
            if (!pi)
                fail("unknown_participant", field,
                     "unknown participant \"" + c.participant + "\"" + cat_.suggest_participant(c.participant));
            if (cat_.partner_of(*pi) != *partner)
                fail("participant_partner", field, "participant \"" + c.participant + "\" does not work at partner \"" + e.partner + "\"");
            if (c.share.signum() <= 0 || c.share.normalized().scale() > event_batch::share_scale)
                fail("share", field, "expected a share above 0 with at most 4 decimal places, got " + c.share.to_string());
            int128 su = c.share.normalized().rescale(event_batch::share_scale, rounding_mode::unnecessary).units();
            share_sum += su;
            b.credit_participant.push_back(*pi);
            b.credit_share.push_back(static_cast<std::int32_t>(su));
        }
        if (!e.participants.empty() && share_sum != 10000)
            fail("share", "participants", "the shares add up to " + decimal::from_units(share_sum, 4).normalized().to_string() +
                                              ", expected exactly 1");
        for (const auto& [name, value] : e.attrs) {
            auto num = st_.numeric.find(name);
            if (num == st_.numeric.end()) continue;
            std::optional<decimal> d;
            try {
                d = decimal::parse(value);
            } catch (const error&) {
            }
            if (!d || d->normalized().scale() > detail::attribute_scale || abs(*d) > decimal(1000000000000LL))
                fail("attribute", name, "expected a number with at most 6 decimal places and below 10^12, got \"" + value + "\"");
        }
        // Every check passed: append the row.
        batch_ids.insert(h, static_cast<std::uint32_t>(b.size()));
        b.ids.push_back(e.id);
        b.id_hash.push_back(h);
        if (e.kind != last_kind) {
            last_kind_code = dicts.kinds.intern(e.kind);
            last_kind = e.kind;
        }
        b.kind.push_back(last_kind_code);
        b.day.push_back(e.on.days());
        b.partner.push_back(*partner);
        b.product.push_back(product);
        if (!e.category.empty() || product == event_batch::none) b.category.push_back(dicts.categories.intern(category));
        else {
            if (product_category[product] == event_batch::none) product_category[product] = dicts.categories.intern(category);
            b.category.push_back(product_category[product]);
        }
        b.quantity.push_back(quantity);
        b.amount.push_back(amount);
        b.credit_begin.push_back(static_cast<std::uint32_t>(b.credit_participant.size()));
        b.reference.push_back(reference);
        for (const auto& [name, value] : e.attrs) {
            auto& col = b.attrs[name];
            col.resize(b.size() - 1, 0);
            col.push_back(dicts.attrs[name].intern(value));
        }
    }
    for (auto& [name, col] : b.attrs) col.resize(b.size(), 0);
    b.checked_against = st_.stamp.value();
    return b;
}

}  // namespace incentives

#include <incentives/engine/engine_run.hpp>
