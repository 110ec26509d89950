// Stage 3, accumulate: a checked batch adds exact integer sums into the measure store — per leaf
// rule, beneficiary, period and version — and registers its ids, sales and returns (with the
// clawback records of returns inside a window). On several threads, partners are split between the
// threads, or each takes a range of events into sums of its own, added up in a fixed order.
#pragma once

#include <algorithm>
#include <exception>
#include <map>
#include <thread>

#include <incentives/engine/compiled_selection.hpp>
#include <incentives/engine/engine.hpp>

namespace incentives {

namespace detail {

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
/// For a sale credited to its people: the sale's whole measure, everyone's weights and which of them
/// a credit is, so that a payout rounded per event is rounded once for the sale and then split.
struct event_split {
    int128 whole_measure = 0;
    std::span<const std::int64_t> weights;
    std::uint32_t k = 0;
};

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
        case rules::credit::to_t::partner: fn(version, pi + b.partner[i] * l.periods, base * whole, base2 * whole, event_split{}); break;
        case rules::credit::to_t::program: fn(version, pi, base * whole, base2 * whole, event_split{}); break;
        case rules::credit::to_t::participant: {
            // What the sale measures is split among its people exactly (rules::split_credit): their
            // parts add up to the sale's measure, so their lines add up to what the sale earns.
            const std::uint32_t first = b.credit_begin[i], n = b.credit_begin[i + 1] - first;
            if (n == 0) break;  // a sale without people credits no one
            std::span<const std::int64_t> weights(b.credit_share.data() + first, n);
            std::int64_t total = 0;
            for (auto w : weights) total += w;
            constexpr std::uint32_t small = 16;
            int128 parts[small], parts2[small];
            std::vector<int128> many, many2;
            std::span<int128> m(parts, n), m2(parts2, n);
            if (n > small) {
                many.resize(n);
                many2.resize(n);
                m = many;
                m2 = many2;
            }
            if (total == whole) {  // shares with at most four places: exact as they are
                for (std::uint32_t k = 0; k < n; ++k) {
                    m[k] = base * weights[k];
                    m2[k] = base2 * weights[k];
                }
            } else {
                rules::split_credit(base * whole, weights, m);
                if (l.second) rules::split_credit(base2 * whole, weights, m2);
                else std::fill(m2.begin(), m2.end(), int128{0});
            }
            for (std::uint32_t k = 0; k < n; ++k) {
                std::uint32_t who = b.credit_participant[first + k];
                if (l.role_ok[who])
                    fn(version, pi + static_cast<std::uint64_t>(who) * l.periods, m[k], m2[k], event_split{base * whole, weights, k});
            }
            break;
        }
    }
}

}  // namespace detail

INCENTIVES_INLINE void engine::add(const event_batch& in, unsigned threads) {
    if (absorbed_)
        throw input_error("incentives.input.combined",
                          "this engine adds up partial runs (absorb): it takes no more events, since the ids of theirs are not "
                          "in it to refuse a repeat; add the events to a partition's engine and combine the partials again");
    // Ids taken in since the batch was encoded are duplicates too: drop or reject them first, so that
    // nothing is applied when the batch fails. A batch encoded against the registry as it is now
    // needs no second look.
    const event_batch* bp = &in;
    event_batch filtered;
    std::size_t dropped = 0;
    std::vector<std::uint64_t> computed;  // hashes of a batch built without them
    const std::vector<std::uint64_t>* hashes = &in.id_hash;
    if (in.id_hash.size() != in.size()) {
        computed.resize(in.size());
        for (std::size_t i = 0; i < in.size(); ++i) computed[i] = detail::id_hash(in.ids[i]);
        hashes = &computed;
    }
    const std::vector<std::uint64_t>& in_hashes = *hashes;
    auto taken = [&](std::size_t i) { return st_.ids.find(in_hashes[i], in.ids[i]) != detail::id_registry::npos; };
    if (in.checked_against != st_.stamp.value())
        for (std::size_t i = 0; i < in.size(); ++i)
            if (taken(i)) {
                if (prog_->duplicates == duplicate_policy::error)
                    throw input_error("incentives.input.duplicate_event",
                                      "row " + std::to_string(i + 1) + " (event \"" + in.ids[i] + "\"), field id: duplicate event id \"" +
                                          in.ids[i] + "\" (already added)");
                ++dropped;
            }
    if (dropped) {
        // Rare path: rebuild the batch without the repeats (returns to sales in this batch stay valid
        // because their sales are kept or were already registered).
        filtered = in;
        std::vector<std::size_t> keep;
        for (std::size_t i = 0; i < in.size(); ++i)
            if (!taken(i)) keep.push_back(i);
        auto pick = [&](auto& col, const auto& src) {
            col.clear();
            for (auto i : keep) col.push_back(src[i]);
        };
        pick(filtered.ids, in.ids);
        pick(filtered.id_hash, in_hashes);
        hashes = &filtered.id_hash;
        pick(filtered.kind, in.kind);
        pick(filtered.day, in.day);
        pick(filtered.partner, in.partner);
        pick(filtered.product, in.product);
        pick(filtered.category, in.category);
        pick(filtered.quantity, in.quantity);
        pick(filtered.amount, in.amount);
        pick(filtered.reference, in.reference);
        // References to sales in this batch point at rows: renumber them, or, for a sale that was
        // dropped as already added, point at its record.
        std::vector<std::uint32_t> new_row(in.size(), event_batch::none);
        for (std::size_t k = 0; k < keep.size(); ++k) new_row[keep[k]] = static_cast<std::uint32_t>(k);
        for (auto& ref : filtered.reference) {
            if (ref == event_batch::none || !(ref & detail::batch_row_flag)) continue;
            std::uint32_t old = ref & ~detail::batch_row_flag;
            ref = new_row[old] != event_batch::none ? (detail::batch_row_flag | new_row[old])
                                                     : st_.ids.sale(st_.ids.find(in_hashes[old], in.ids[old]));
        }
        for (auto& [name, col] : filtered.attrs) pick(col, in.attrs.at(name));
        auto keep_kept = [&](auto& to, const auto& from) {
            to.events.clear();
            to.rows.clear();
            for (std::size_t j = 0; j < from.events.size(); ++j)
                if (new_row[from.rows[j]] != event_batch::none) {
                    to.events.push_back(from.events[j]);
                    to.rows.push_back(new_row[from.rows[j]]);
                }
        };
        keep_kept(filtered.funds, in.funds);
        keep_kept(filtered.deals, in.deals);
        keep_kept(filtered.referrals, in.referrals);
        keep_kept(filtered.points, in.points);
        filtered.credit_begin = {0};
        filtered.credit_participant.clear();
        filtered.credit_share.clear();
        for (auto i : keep) {
            for (auto k = in.credit_begin[i]; k < in.credit_begin[i + 1]; ++k) {
                filtered.credit_participant.push_back(in.credit_participant[k]);
                filtered.credit_share.push_back(in.credit_share[k]);
            }
            filtered.credit_begin.push_back(static_cast<std::uint32_t>(filtered.credit_participant.size()));
        }
        bp = &filtered;
    }
    const event_batch& b = *bp;
    const std::size_t n = b.size();
    const auto return_kind = st_.dicts.kinds.find("return");
    const auto sale_kind = st_.dicts.kinds.find("sale");

    // Numeric attribute values, for codes new since the last batch.
    for (auto& [name, values] : st_.numeric) {
        const auto& dict = st_.dicts.attrs[name];
        for (std::size_t code = values.size(); code < dict.size(); ++code) {
            const auto& text = dict[static_cast<std::uint32_t>(code)];
            values.push_back(text.empty() ? 0
                                          : static_cast<std::int64_t>(decimal::parse(text)
                                                                          .normalized()
                                                                          .rescale(detail::attribute_scale, rounding_mode::unnecessary)
                                                                          .units()));
        }
    }

    // Compile each leaf for this batch.
    std::vector<detail::prepared_leaf> prep(leaves_.size());
    std::int32_t min_day = n ? *std::min_element(b.day.begin(), b.day.end()) : 0;
    std::int32_t max_day = n ? *std::max_element(b.day.begin(), b.day.end()) : 0;
    std::map<period_unit, std::vector<std::int32_t>> tables;
    for (std::size_t li = 0; li < leaves_.size(); ++li) {
        const auto& l = leaves_[li];
        const auto& r = rule_of(l);
        auto& p = prep[li];
        p.select = detail::compiled_selector::compile(l.select, *cat_, st_.dicts, b, prog_->amount_scale(), prog_->quantity_places, &certified_);
        p.min_day = min_day;
        auto& table = tables[l.unit];
        if (table.empty() && n)
            for (std::int32_t d = min_day; d <= max_day; ++d) table.push_back(prog_->cal.index_of(date(d), l.unit));
        p.period_of_day = table;
        if (!r.measure_.attribute.empty()) {
            auto col = b.attrs.find(r.measure_.attribute);
            p.column = col == b.attrs.end() ? nullptr : &col->second;
            auto num = st_.numeric.find(r.measure_.attribute);
            p.numeric = num == st_.numeric.end() ? nullptr : &num->second;
        }
        if (l.lookup) p.rate = lookup_rates(l, b);
        if (l.event_rounding)
            for (std::size_t v = 0; v < l.version_from.size(); ++v) {
                const auto& pay = v == 0 ? r.pay : r.versions[v - 1].pay;
                p.value.emplace_back(pay.value.units(), pay.value.scale());
            }
    }

    // Register ids and sales; resolve returns to sale records.
    std::vector<std::uint32_t> sale_record(n, detail::no_sale);
    std::vector<std::uint32_t> returned_sale(n, detail::no_sale);
    auto register_batch = [&] {
        st_.ids.reserve(n);
        if (st_.sales.size() + n > st_.sales.capacity()) st_.sales.reserve(std::max(st_.sales.size() + n, 2 * st_.sales.size()));
        constexpr std::size_t ahead = 16;  // rows between a prefetch and its insert
        for (std::size_t i = 0; i < n; ++i) {
            if (i + ahead < n) st_.ids.prefetch((*hashes)[i + ahead]);
            std::uint32_t rec = detail::no_sale;
            if (sale_kind && b.kind[i] == *sale_kind) {
                rec = static_cast<std::uint32_t>(st_.sales.size());
                st_.sales.push_back({static_cast<std::uint32_t>(st_.ids.size()), b.day[i], b.amount[i], b.quantity[i], b.partner[i]});
            }
            sale_record[i] = rec;
            st_.ids.add((*hashes)[i], b.ids[i], rec);
            if (retain_ids_) st_.event_ids.push_back(b.ids[i]);
        }
        auto keep = [](auto& to, const auto& from) { to.insert(to.end(), from.events.begin(), from.events.end()); };
        keep(st_.kept.funds, b.funds);
        keep(st_.kept.deals, b.deals);
        keep(st_.kept.referrals, b.referrals);
        keep(st_.kept.points, b.points);
        st_.stamp.renew();
        for (std::size_t i = 0; i < n; ++i) {
            if (!return_kind || b.kind[i] != *return_kind) continue;
            std::uint32_t ref = b.reference[i];
            std::uint32_t rec = (ref & detail::batch_row_flag) ? sale_record[ref & ~detail::batch_row_flag] : ref;
            returned_sale[i] = rec;
            auto& done = st_.returned[rec];
            done.amount += b.amount[i];
            done.quantity += b.quantity[i];
        }
    };

    // Accumulate on `threads` threads. When every leaf credits partners or their people, the threads
    // split the partners between them and add straight into the engine's accumulators: no two
    // threads touch one group. Otherwise each thread takes a range of events into accumulators of
    // its own, added up afterwards in a fixed order (integer sums: any order gives the same).
    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(1, n / 4096))));
    std::size_t outside = 0;
    // With more than one thread, one registers the ids and sales while the others accumulate (the
    // two touch different state; retained ids are numbered by registration, so they wait for it).
    const bool overlap = threads > 1 && !retain_ids_;
    std::thread registrar;
    std::exception_ptr registrar_failure, accumulate_failure;
    if (overlap) {
        registrar = std::thread([&] {
            try {
                register_batch();
            } catch (...) {
                registrar_failure = std::current_exception();
            }
        });
        --threads;
    } else {
        register_batch();
    }
    const bool by_partner = !retain_ids_ && std::all_of(leaves_.begin(), leaves_.end(), [&](const detail::leaf& l) {
        return !l.distinct && rule_of(l).credit_.to != rules::credit::to_t::program;
    });
    try {
        if (threads == 1) {
            accumulate(b, prep, 0, n, ms_.acc);
        } else if (by_partner) {
            std::vector<std::thread> pool;
            std::vector<std::exception_ptr> failures(threads);
            for (unsigned t = 0; t < threads; ++t)
                pool.emplace_back([&, t] {
                    try {
                        accumulate(b, prep, 0, n, ms_.acc, t, threads);
                    } catch (...) {
                        failures[t] = std::current_exception();
                    }
                });
            for (auto& th : pool) th.join();
            for (auto& f : failures)
                if (f) std::rethrow_exception(f);
        } else {
            std::vector<std::vector<detail::leaf_acc>> part(threads);
            std::vector<std::thread> pool;
            std::vector<std::exception_ptr> failures(threads);
            for (unsigned t = 0; t < threads; ++t) {
                part[t].resize(leaves_.size());
                for (std::size_t li = 0; li < leaves_.size(); ++li)
                    part[t][li].groups.assign(leaves_[li].version_from.size(), std::vector<detail::group_acc>(leaves_[li].slots()));
                pool.emplace_back([&, t] {
                    try {
                        accumulate(b, prep, n * t / threads, n * (t + 1) / threads, part[t]);
                    } catch (...) {
                        failures[t] = std::current_exception();
                    }
                });
            }
            for (auto& th : pool) th.join();
            for (auto& f : failures)
                if (f) std::rethrow_exception(f);
            for (unsigned t = 0; t < threads; ++t) {
                for (std::size_t li = 0; li < leaves_.size(); ++li) merge(ms_.acc[li], part[t][li], rule_of(leaves_[li]).id);
            }
        }
    } catch (...) {
        accumulate_failure = std::current_exception();
    }
    if (registrar.joinable()) registrar.join();
    if (accumulate_failure) std::rethrow_exception(accumulate_failure);
    if (registrar_failure) std::rethrow_exception(registrar_failure);

    record_clawbacks(b, prep, sale_record, returned_sale);
    st_.events += n;
    st_.duplicates_ignored += b.duplicates_ignored + dropped;
    for (std::size_t i = 0; i < n; ++i)
        if (!prog_->cal.contains(date(b.day[i]))) ++outside;
    st_.outside += outside;
    st_.kind_events.resize(st_.dicts.kinds.size(), 0);
    for (std::size_t i = 0; i < n; ++i) ++st_.kind_events[b.kind[i]];
    if (prog_->points && prog_->points->rewards.first_sales() && sale_kind) note_first_sales(b, *sale_kind);
}

// The first sale of each person and partner in the program's dates, for the points' first-sale bonus:
// the earliest day over every batch, so that the order of batches and rows does not matter.
INCENTIVES_INLINE void engine::note_first_sales(const event_batch& b, std::uint32_t sale_kind) {
    auto& kept = st_.kept;
    kept.first_sale_person.resize(cat_->participants().size(), detail::ledger_events::no_sale_day);
    kept.first_sale_partner.resize(cat_->partners().size(), detail::ledger_events::no_sale_day);
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (b.kind[i] != sale_kind || !prog_->cal.contains(date(b.day[i]))) continue;
        auto& partner = kept.first_sale_partner[b.partner[i]];
        partner = std::min(partner, b.day[i]);
        for (auto c = b.credit_begin[i]; c < b.credit_begin[i + 1]; ++c) {
            if (b.credit_share[c] <= 0) continue;
            auto& person = kept.first_sale_person[b.credit_participant[c]];
            person = std::min(person, b.day[i]);
        }
    }
}

INCENTIVES_INLINE const rules::rule& engine::rule_of(const detail::leaf& l) const {
    const auto& top = prog_->rules[l.top];
    return l.child < 0 ? top : top.children[static_cast<std::size_t>(l.child)];
}

INCENTIVES_INLINE std::vector<std::optional<int128>> engine::lookup_rates(const detail::leaf& l, const event_batch& b) const {
    const auto& r = rule_of(l);
    auto units = [&](const decimal& d) { return d.rescale(l.rate_scale, rounding_mode::unnecessary).units(); };
    std::vector<std::optional<int128>> out(b.size());
    std::map<std::pair<std::size_t, std::vector<std::string>>, std::optional<int128>> cache;
    std::pair<std::size_t, std::vector<std::string>> key;
    for (std::size_t i = 0; i < b.size(); ++i) {
        key.first = l.version_of(b.day[i]);
        const auto& pay = key.first == 0 ? r.pay : r.versions[key.first - 1].pay;
        if (pay.kind != rules::schedule::kind_t::lookup) continue;  // this version pays another way
        const auto& keys = pay.lookup_.keys;
        key.second.resize(keys.size());
        for (std::size_t k = 0; k < keys.size(); ++k) {
            const auto& f = keys[k];
            std::string_view v;
            if (f.of == rules::field::scope::partner) v = partner_field(cat_->partners()[b.partner[i]], f.name);
            else if (f.of == rules::field::scope::product || f.name == "sku")
                v = b.product[i] == event_batch::none ? std::string_view()
                    : product_field(cat_->products()[b.product[i]], f.of == rules::field::scope::product ? f.name : "sku");
            else if (f.name == "kind") v = st_.dicts.kinds[b.kind[i]];
            else if (f.name == "category") v = st_.dicts.categories[b.category[i]];
            else if (auto col = b.attrs.find(f.name); col != b.attrs.end()) v = st_.dicts.attrs.at(f.name)[col->second[i]];
            key.second[k].assign(v);
        }
        auto [it, fresh] = cache.try_emplace(key);
        if (fresh) {
            const auto& lt = pay.lookup_;
            auto hit = lt.rates.find(key.second);
            if (hit != lt.rates.end()) it->second = units(hit->second);
            else if (lt.fallback) it->second = units(*lt.fallback);
        }
        out[i] = it->second;
    }
    return out;
}

INCENTIVES_INLINE void engine::merge(detail::leaf_acc& into, detail::leaf_acc& from, const std::string& rule) {
    for (std::size_t v = 0; v < into.groups.size(); ++v)
        for (std::size_t s = 0; s < into.groups[v].size(); ++s) {
            auto& a = into.groups[v][s];
            const auto& f = from.groups[v][s];
            if (f.count == 0) continue;
            if (__builtin_add_overflow(a.measure, f.measure, &a.measure) || __builtin_add_overflow(a.payout, f.payout, &a.payout) ||
                __builtin_add_overflow(a.second, f.second, &a.second))
                detail::sum_overflow(rule);
            a.count += f.count;
            a.last_day = std::max(a.last_day, f.last_day);
        }
    into.distinct.insert(into.distinct.end(), from.distinct.begin(), from.distinct.end());
    into.ids.insert(into.ids.end(), from.ids.begin(), from.ids.end());
}

INCENTIVES_INLINE void engine::accumulate(const event_batch& b, const std::vector<detail::prepared_leaf>& prep, std::size_t from,
                               std::size_t to, std::vector<detail::leaf_acc>& acc, unsigned part, unsigned parts) const {
    const std::uint64_t id_base = st_.event_ids.size() - (retain_ids_ ? b.size() : 0);
    std::vector<std::uint8_t> selected;
    for (std::size_t li = 0; li < leaves_.size(); ++li) {
        const auto& l = leaves_[li];
        const auto& r = rule_of(l);
        const auto& p = prep[li];
        auto& la = acc[li];
        // The common shape — one version, credit to the partner, a sum of amounts or quantities, no
        // per-event payout — takes a tight loop over a selection computed column by column.
        const bool plain = l.version_from.size() == 1 && r.credit_.to == rules::credit::to_t::partner && !l.lookup &&
                           !l.event_rounding && !l.distinct && !l.second && !retain_ids_ &&
                           (r.measure_.kind == rules::measure::kind_t::amount || r.measure_.kind == rules::measure::kind_t::quantity ||
                            r.measure_.kind == rules::measure::kind_t::count);
        if (plain) {
            selected.resize(to - from);
            p.select.select_rows(b, from, to, selected.data());
            auto& groups = la.groups[0];
            const auto kind = r.measure_.kind;
            for (std::size_t i = from; i < to; ++i) {
                if (!selected[i - from]) continue;
                if (parts > 1 && b.partner[i] % parts != part) continue;  // another thread's partner
                const std::int32_t day = b.day[i];
                const std::int32_t pd = p.period_of_day[static_cast<std::size_t>(day - p.min_day)];
                if (pd < l.period_lo || pd > l.period_hi) continue;
                if (pd >= l.program_lo && (day < l.first_day || day > l.last_day)) continue;
                auto& a = groups[static_cast<std::size_t>(pd - l.period_lo) + b.partner[i] * l.periods];
                const int128 m = (kind == rules::measure::kind_t::amount     ? static_cast<int128>(b.amount[i])
                                  : kind == rules::measure::kind_t::quantity ? static_cast<int128>(b.quantity[i])
                                                                             : int128{1}) *
                                 10000;
                if (__builtin_add_overflow(a.measure, m, &a.measure)) detail::sum_overflow(r.id);
                ++a.count;
                a.last_day = std::max(a.last_day, day);
            }
            continue;
        }
        const rounding_mode mode = prog_->rounding.mode;
        for (std::size_t i = from; i < to; ++i) {
            if (parts > 1 && b.partner[i] % parts != part) continue;  // another thread's partner
            if (!p.select(b, i)) continue;
            detail::for_each_credit(l, r, p, b, i, [&](std::size_t v, std::uint64_t slot, int128 m, int128 m2, const detail::event_split& split) {
                auto& a = la.groups[v][slot];
                const std::uint64_t key = v * l.slots() + slot;
                if (__builtin_add_overflow(a.measure, m, &a.measure) || __builtin_add_overflow(a.second, m2, &a.second))
                    detail::sum_overflow(r.id);
                ++a.count;
                a.last_day = std::max(a.last_day, b.day[i]);
                // Per-event payouts: lookup rates, or any linear schedule rounded at each event.
                std::optional<std::pair<int128, int>> rate;
                if (l.lookup_version[v]) {
                    if (p.rate[i]) rate.emplace(*p.rate[i], l.rate_scale);
                } else if (l.event_rounding) {
                    rate = p.value[v];
                }
                if (rate) {
                    // The payout of `measure` at the rate, rounded once at the payout's places.
                    auto pay = [&](int128 measure) {
                        int128 x;
                        if (__builtin_mul_overflow(measure, rate->first, &x)) detail::sum_overflow(r.id);
                        int drop = l.measure_scale + rate->second - l.payout_scale;
                        bool inexact = false;
                        if (drop > 0) x = detail::divide_rounded(x, detail::pow10(drop), mode, inexact);
                        else if (drop < 0 && __builtin_mul_overflow(x, detail::pow10(-drop), &x)) detail::sum_overflow(r.id);
                        return x;
                    };
                    int128 x;
                    if (split.weights.empty()) {
                        x = pay(m);
                    } else {
                        // Rounded once for the sale, then split exactly among its people: their
                        // payouts add up to what the sale earns (rounding each part would not).
                        std::vector<int128> shares(split.weights.size());
                        rules::split_credit(pay(split.whole_measure), split.weights, shares);
                        x = shares[split.k];
                    }
                    if (__builtin_add_overflow(a.payout, x, &a.payout)) detail::sum_overflow(r.id);
                }
                if (l.distinct) {
                    auto col = b.attrs.find(r.measure_.attribute);
                    if (col != b.attrs.end() && col->second[i] != 0) la.distinct.push_back({key, col->second[i]});
                }
                if (retain_ids_) la.ids.push_back({key, static_cast<std::uint32_t>(id_base + i)});
            });
        }
    }
}

INCENTIVES_INLINE void engine::record_clawbacks(const event_batch& b, const std::vector<detail::prepared_leaf>& prep,
                                     const std::vector<std::uint32_t>& sale_record,
                                     const std::vector<std::uint32_t>& returned_sale) {
    for (std::size_t li = 0; li < leaves_.size(); ++li) {
        const auto& l = leaves_[li];
        if (!l.clawback) continue;
        const auto& r = rule_of(l);
        for (std::size_t i = 0; i < b.size(); ++i)
            if (sale_record[i] != detail::no_sale && prep[li].select(b, i))
                detail::for_each_credit(l, r, prep[li], b, i, [&](std::size_t v, std::uint64_t slot, int128 m, int128,
                                                                  const detail::event_split&) {
                    st_.contributions[sale_record[i]].push_back({static_cast<std::uint32_t>(li), v * l.slots() + slot, m});
                });
    }
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (returned_sale[i] == detail::no_sale) continue;
        auto it = st_.contributions.find(returned_sale[i]);
        if (it == st_.contributions.end()) continue;
        const auto& sale = st_.sales[returned_sale[i]];
        for (const auto& c : it->second) {
            const auto& l = leaves_[c.leaf];
            const auto& r = rule_of(l);
            if (b.day[i] - sale.day > r.clawback_->days) continue;
            // The returned fraction: by quantity for quantity measures (or when the sale has no
            // amount), by amount otherwise.
            bool by_quantity = r.measure_.kind == rules::measure::kind_t::quantity || sale.amount == 0;
            std::int64_t num = by_quantity ? b.quantity[i] : b.amount[i];
            std::int64_t den = by_quantity ? sale.quantity : sale.amount;
            if (den == 0) num = den = 1;
            if (num == 0) continue;
            ms_.clawbacks.push_back({c.leaf, c.key, c.measure, num, den, b.day[i], b.ids[i], std::string(st_.ids.text(sale.event))});
        }
    }
}

}  // namespace incentives
