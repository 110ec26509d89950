// Stage 5, snapshot: the engine's state (dictionaries, ids, sales, returns, the measure store) as
// bytes, and an engine restored from them for the same program and catalog.
#pragma once

#include <cstring>
#include <map>
#include <string>

#include <incentives/engine/bytes.hpp>
#include <incentives/engine/engine.hpp>

namespace incentives {

namespace detail {

struct state_io {
    static std::string fingerprint(const engine& e) {
        std::string f = e.prog_->name + "|" + std::to_string(e.cat_->partners().size()) + "|" +
                        std::to_string(e.cat_->participants().size()) + "|" + std::to_string(e.cat_->products().size());
        for (const auto& l : e.leaves_) f += "|" + e.rule_of(l).id + ":" + std::to_string(l.slots()) + "x" + std::to_string(l.version_from.size());
        return f;
    }
    static void clawbacks_out(bytes_out& o, const std::vector<clawback_record>& claws) {
        o.pod<std::uint64_t>(claws.size());
        for (const auto& c : claws) {
            o.pod(c.leaf);
            o.pod(c.key);
            o.pod(c.sale_measure);
            o.pod(c.num);
            o.pod(c.den);
            o.pod(c.day);
            o.str(c.return_id);
            o.str(c.sale_id);
        }
    }
    /// Appends the records clawbacks_out wrote to `claws`.
    static void clawbacks_in(bytes_in& in, std::vector<clawback_record>& claws, std::size_t leaves) {
        auto n = in.pod<std::uint64_t>();
        for (std::uint64_t i = 0; i < n; ++i) {
            clawback_record c;
            c.leaf = in.pod<std::uint32_t>();
            if (c.leaf >= leaves) bytes_in::corrupt();
            c.key = in.pod<std::uint64_t>();
            c.sale_measure = in.pod<int128>();
            c.num = in.pod<std::int64_t>();
            c.den = in.pod<std::int64_t>();
            c.day = in.pod<std::int32_t>();
            c.return_id = in.str();
            c.sale_id = in.str();
            claws.push_back(std::move(c));
        }
    }
    /// The kept events of the ledger stages (funds, deals, referrals, the shop) and the first sales.
    static void kept_out(bytes_out& o, const ledger_events& kept) {
        o.pod<std::uint64_t>(kept.funds.size());
        for (const auto& f : kept.funds) {
            o.str(f.id);
            o.pod(f.step);
            o.pod(f.day);
            o.pod(f.partner);
            o.pod(f.amount);
            o.str(f.reference);
            o.str(f.fund);
            o.str(f.note);
            o.pod<std::uint8_t>(f.activity_end.has_value());
            o.pod(f.activity_end.value_or(0));
        }
        o.pod<std::uint64_t>(kept.deals.size());
        for (const auto& d : kept.deals) {
            o.str(d.id);
            o.pod(d.step);
            o.pod(d.day);
            o.pod(d.partner);
            o.pod(d.amount);
            o.str(d.reference);
            o.str(d.customer);
            o.str(d.stage);
            o.str(d.note);
        }
        o.pod<std::uint64_t>(kept.referrals.size());
        for (const auto& r : kept.referrals) {
            o.str(r.id);
            o.pod(r.step);
            o.pod(r.day);
            o.pod(r.partner);
            o.pod(r.amount);
            o.str(r.customer);
            o.str(r.reference);
            o.str(r.referral);
            o.str(r.channel);
        }
        o.pod<std::uint64_t>(kept.points.size());
        for (const auto& x : kept.points) {
            o.str(x.id);
            o.pod(x.step);
            o.pod(x.day);
            o.pod(x.partner);
            o.pod(x.participant);
            o.str(x.item);
            o.pod(x.count);
            o.str(x.reference);
        }
        o.pods(kept.first_sale_person);
        o.pods(kept.first_sale_partner);
    }
    /// Reads what kept_out wrote; a snapshot of format `version` has the families it had then.
    static void kept_in(bytes_in& in, ledger_events& kept, const catalog& cat, int version) {
        if (version >= 5) {
            auto funds = in.pod<std::uint64_t>();
            for (std::uint64_t i = 0; i < funds; ++i) {
                detail::fund_event f;
                f.id = in.str();
                f.step = in.pod<detail::fund_step>();
                if (static_cast<std::size_t>(f.step) >= std::size(detail::fund_step_kinds)) detail::bytes_in::corrupt();
                f.day = in.pod<std::int32_t>();
                f.partner = in.pod<std::uint32_t>();
                if (f.partner >= cat.partners().size()) detail::bytes_in::corrupt();
                f.amount = in.pod<std::int64_t>();
                f.reference = in.str();
                f.fund = in.str();
                f.note = in.str();
                const bool has_end = in.pod<std::uint8_t>() != 0;
                const auto end = in.pod<std::int32_t>();
                if (has_end) f.activity_end = end;
                kept.funds.push_back(std::move(f));
            }
            auto deals = in.pod<std::uint64_t>();
            for (std::uint64_t i = 0; i < deals; ++i) {
                detail::deal_event d;
                d.id = in.str();
                d.step = in.pod<detail::deal_step>();
                if (static_cast<int>(d.step) > static_cast<int>(detail::deal_step::close)) detail::bytes_in::corrupt();
                d.day = in.pod<std::int32_t>();
                d.partner = in.pod<std::uint32_t>();
                if (d.partner >= cat.partners().size()) detail::bytes_in::corrupt();
                d.amount = in.pod<std::int64_t>();
                d.reference = in.str();
                d.customer = in.str();
                d.stage = in.str();
                d.note = in.str();
                kept.deals.push_back(std::move(d));
            }
        }
        if (version >= 6) {
            auto referrals = in.pod<std::uint64_t>();
            for (std::uint64_t i = 0; i < referrals; ++i) {
                detail::referral_event r;
                r.id = in.str();
                r.step = in.pod<detail::referral_step>();
                if (static_cast<std::size_t>(r.step) >= std::size(detail::referral_step_kinds)) detail::bytes_in::corrupt();
                r.day = in.pod<std::int32_t>();
                r.partner = in.pod<std::uint32_t>();
                if (r.partner != detail::referral_event::no_partner && r.partner >= cat.partners().size()) detail::bytes_in::corrupt();
                r.amount = in.pod<std::int64_t>();
                r.customer = in.str();
                r.reference = in.str();
                r.referral = in.str();
                r.channel = in.str();
                kept.referrals.push_back(std::move(r));
            }
        }
        if (version >= 7) {
            auto points = in.pod<std::uint64_t>();
            for (std::uint64_t i = 0; i < points; ++i) {
                detail::points_event x;
                x.id = in.str();
                x.step = in.pod<detail::points_step>();
                if (static_cast<std::size_t>(x.step) >= std::size(detail::points_step_kinds)) detail::bytes_in::corrupt();
                x.day = in.pod<std::int32_t>();
                x.partner = in.pod<std::uint32_t>();
                if (x.partner >= cat.partners().size()) detail::bytes_in::corrupt();
                x.participant = in.pod<std::uint32_t>();
                if (x.participant != detail::points_event::no_participant && x.participant >= cat.participants().size())
                    detail::bytes_in::corrupt();
                x.item = in.str();
                x.count = in.pod<std::int64_t>();
                x.reference = in.str();
                kept.points.push_back(std::move(x));
            }
        }
        if (version >= 8) {
            kept.first_sale_person = in.pods<std::int32_t>();
            kept.first_sale_partner = in.pods<std::int32_t>();
            if (kept.first_sale_person.size() > cat.participants().size() || kept.first_sale_partner.size() > cat.partners().size())
                detail::bytes_in::corrupt();
        }
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

INCENTIVES_INLINE std::string engine::snapshot() const {
    if (absorbed_)
        throw input_error("incentives.input.combined",
                          "this engine adds up partial runs (absorb) and has no registry of their event ids to snapshot: "
                          "keep its partial() instead, or the partitions' snapshots");
    detail::bytes_out o;
    o.str("incentives-snapshot-8");
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
        o.pod(s.partner);
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
    detail::state_io::clawbacks_out(o, ms_.clawbacks);
    for (const auto& la : ms_.acc) {
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
    o.pods(st_.kind_events);
    detail::state_io::kept_out(o, st_.kept);
    return o.take();
}

INCENTIVES_INLINE engine engine::restore(program prog, catalog cat, std::string_view bytes) {
    detail::bytes_in in(bytes);
    const std::string format = in.str();
    if (format == "incentives-snapshot-1" || format == "incentives-snapshot-2")
        throw input_error("incentives.input.snapshot",
                          "the snapshot is in format " + format.substr(format.size() - 1) +
                              ", written by an older version of incentives; this version reads format 3 (add the events "
                              "to a new engine to rebuild the state)");
    // Format 4 adds the events by kind, format 5 the fund events, 6 the referral events, 7 the shop's,
    // 8 the first sales;
    // older snapshots read without them (a format 3 snapshot's unknown kinds are not listed again).
    const int version = format == "incentives-snapshot-3" ? 3 : format == "incentives-snapshot-4" ? 4 : format == "incentives-snapshot-5" ? 5
                      : format == "incentives-snapshot-6" ? 6
                      : format == "incentives-snapshot-7" ? 7
                      : format == "incentives-snapshot-8" ? 8
                                                          : 0;
    if (version == 0) detail::bytes_in::corrupt();
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
        s.partner = in.pod<std::uint32_t>();
        if (s.partner >= e.cat_->partners().size()) detail::bytes_in::corrupt();
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
    detail::state_io::clawbacks_in(in, e.ms_.clawbacks, e.leaves_.size());
    for (auto& la : e.ms_.acc) {
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
    if (version >= 4) st.kind_events = in.pods<std::uint64_t>();
    if (st.kind_events.size() > st.dicts.kinds.size()) detail::bytes_in::corrupt();
    detail::state_io::kept_in(in, st.kept, *e.cat_, version);
    if (!in.done()) detail::bytes_in::corrupt();
    return e;
}

}  // namespace incentives
