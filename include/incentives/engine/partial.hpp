// Stage 6, partial runs: what an engine accumulated, without the events' registry, as bytes
// (`engine::partial`), and an engine that adds such bytes up (`engine::absorb`) — the two halves of a
// run spread over processes or machines (bindings/python/incentives/dask.py, spark.py).
//
// Every measure is an exact integer sum, so partial measures add up to what one engine would have
// accumulated, whatever the split; what is kept whole (fund, deal, referral and shop events, clawback
// records) is appended, first sales take the earlier day, and the stages after settle sort what they
// replay. So `absorb`ing the partials of any split and running gives the lines of one run over all the
// events. Values that intake encodes into dictionary codes (kinds, the values of a distinct count,
// retained event ids) travel as text and are encoded again by the absorbing engine.
//
// What a partial leaves out is the registry of event ids and the sales behind it: it is what makes
// a combined run cheap (the measures are partners x rules x periods, not events), and what the split
// must make up for — every return in the same part as its sale (partition by partner: a return comes
// from its sale's partner), and no event id in two parts (the distributed runners check the ids).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <incentives/engine/snapshot.hpp>

namespace incentives {

namespace detail {

inline constexpr std::string_view partial_format = "incentives-partial-1";

struct partial_io {
    // group_acc field by field: its padding would make equal partials differ in their bytes.
    static void group_out(bytes_out& o, const group_acc& g) {
        o.pod(g.measure);
        o.pod(g.payout);
        o.pod(g.second);
        o.pod(g.count);
        o.pod(g.last_day);
    }
    static group_acc group_in(bytes_in& in) {
        group_acc g;
        g.measure = in.pod<int128>();
        g.payout = in.pod<int128>();
        g.second = in.pod<int128>();
        g.count = in.pod<std::int64_t>();
        g.last_day = in.pod<std::int32_t>();
        return g;
    }
    static bool empty(const group_acc& g) noexcept {
        return g.count == 0 && g.measure == 0 && g.payout == 0 && g.second == 0 && g.last_day == INT32_MIN;
    }
};

/// A group of one partial, read and checked, waiting to be added.
struct partial_group {
    std::uint32_t leaf = 0, version = 0;
    std::uint64_t slot = 0;
    group_acc acc;
};

}  // namespace detail

INCENTIVES_INLINE std::string engine::partial() const {
    detail::bytes_out o;
    o.str(detail::partial_format);
    o.str(detail::state_io::fingerprint(*this));
    o.pod<std::uint8_t>(retain_ids_);
    std::uint64_t kinds = 0;
    for (auto n : st_.kind_events) kinds += n > 0;
    o.pod(kinds);
    for (std::size_t k = 0; k < st_.kind_events.size(); ++k)
        if (st_.kind_events[k] > 0) {
            o.str(st_.dicts.kinds[static_cast<std::uint32_t>(k)]);
            o.pod(st_.kind_events[k]);
        }
    o.pod(st_.events);
    o.pod(st_.duplicates_ignored);
    o.pod(st_.outside);
    detail::state_io::clawbacks_out(o, ms_.clawbacks);
    for (std::size_t li = 0; li < leaves_.size(); ++li) {
        const auto& la = ms_.acc[li];
        // Only the groups with something in them: every part's arrays span every partner.
        for (const auto& g : la.groups) {
            std::uint64_t used = 0;
            for (const auto& a : g) used += !detail::partial_io::empty(a);
            o.pod(used);
            for (std::size_t s = 0; s < g.size(); ++s)
                if (!detail::partial_io::empty(g[s])) {
                    o.pod<std::uint64_t>(s);
                    detail::partial_io::group_out(o, g[s]);
                }
        }
        const detail::dictionary* values = nullptr;
        if (leaves_[li].distinct) {
            auto d = st_.dicts.attrs.find(rule_of(leaves_[li]).measure_.attribute);
            if (d != st_.dicts.attrs.end()) values = &d->second;
        }
        // Each value once per group: a partial's distinct pairs grow with the values, not the events.
        std::vector<detail::key_code> pairs;
        if (values) {
            pairs = la.distinct;
            std::sort(pairs.begin(), pairs.end());
            pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
        }
        o.pod<std::uint64_t>(pairs.size());
        for (const auto& kc : pairs) {
            o.pod(kc.key);
            o.str((*values)[kc.code]);
        }
        o.pod<std::uint64_t>(la.ids.size());
        for (const auto& kc : la.ids) {
            o.pod(kc.key);
            o.str(st_.event_ids[kc.code]);
        }
    }
    detail::state_io::kept_out(o, st_.kept);
    return o.take();
}

INCENTIVES_INLINE void engine::absorb(std::string_view bytes) {
    detail::bytes_in in(bytes);
    const std::string format = in.str();
    if (format != detail::partial_format)
        throw input_error("incentives.input.partial", "not a partial run (expected the format " + std::string(detail::partial_format) +
                                                          ", got \"" + format.substr(0, 40) + "\")");
    const std::string fp = in.str();
    if (fp != detail::state_io::fingerprint(*this))
        throw input_error("incentives.input.partial",
                          "the partial run was taken for another program or catalog (" + fp.substr(0, 80) + ")");
    if ((in.pod<std::uint8_t>() != 0) != retain_ids_)
        throw input_error("incentives.input.partial", retain_ids_ ? "the partial run kept no event ids, and this engine keeps them"
                                                                  : "the partial run kept its event ids, and this engine keeps none");
    // Read the whole partial first, checking the sums: nothing changes unless all of it adds up.
    std::vector<std::pair<std::string, std::uint64_t>> kinds(in.pod<std::uint64_t>());
    if (kinds.size() > bytes.size()) detail::bytes_in::corrupt();
    for (auto& [kind, n] : kinds) {
        kind = in.str();
        n = in.pod<std::uint64_t>();
    }
    const auto events = in.pod<std::uint64_t>(), duplicates = in.pod<std::uint64_t>(), outside = in.pod<std::uint64_t>();
    std::vector<detail::clawback_record> claws;
    detail::state_io::clawbacks_in(in, claws, leaves_.size());
    std::vector<detail::partial_group> groups;
    std::vector<std::vector<std::pair<std::uint64_t, std::string>>> distinct(leaves_.size()), ids(leaves_.size());
    for (std::uint32_t li = 0; li < leaves_.size(); ++li) {
        const auto& la = ms_.acc[li];
        for (std::uint32_t v = 0; v < la.groups.size(); ++v) {
            const auto n = in.pod<std::uint64_t>();
            if (n > la.groups[v].size()) detail::bytes_in::corrupt();
            for (std::uint64_t i = 0; i < n; ++i) {
                detail::partial_group g{li, v, in.pod<std::uint64_t>(), detail::partial_io::group_in(in)};
                if (g.slot >= la.groups[v].size()) detail::bytes_in::corrupt();
                const auto& a = la.groups[v][g.slot];
                int128 sum;
                std::int64_t count;
                if (__builtin_add_overflow(a.measure, g.acc.measure, &sum) || __builtin_add_overflow(a.payout, g.acc.payout, &sum) ||
                    __builtin_add_overflow(a.second, g.acc.second, &sum) || __builtin_add_overflow(a.count, g.acc.count, &count))
                    throw calculation_error("incentives.calculation.overflow",
                                            "accumulated measure of rule \"" + rule_of(leaves_[li]).id + "\" overflows");
                groups.push_back(g);
            }
        }
        for (auto* list : {&distinct[li], &ids[li]}) {
            const auto n = in.pod<std::uint64_t>();
            if (n > bytes.size()) detail::bytes_in::corrupt();
            list->reserve(n);
            for (std::uint64_t i = 0; i < n; ++i) {
                const auto key = in.pod<std::uint64_t>();
                list->emplace_back(key, in.str());
            }
        }
        if (!distinct[li].empty() && !leaves_[li].distinct) detail::bytes_in::corrupt();
    }
    detail::ledger_events kept;
    detail::state_io::kept_in(in, kept, *cat_, 8);
    if (!in.done()) detail::bytes_in::corrupt();

    // Add it up.
    for (const auto& [kind, n] : kinds) {
        const auto code = st_.dicts.kinds.intern(kind);
        if (st_.kind_events.size() <= code) st_.kind_events.resize(code + 1, 0);
        st_.kind_events[code] += n;
    }
    st_.events += events;
    st_.duplicates_ignored += duplicates;
    st_.outside += outside;
    ms_.clawbacks.insert(ms_.clawbacks.end(), std::make_move_iterator(claws.begin()), std::make_move_iterator(claws.end()));
    for (const auto& g : groups) {
        auto& a = ms_.acc[g.leaf].groups[g.version][g.slot];
        a.measure += g.acc.measure;
        a.payout += g.acc.payout;
        a.second += g.acc.second;
        a.count += g.acc.count;
        a.last_day = std::max(a.last_day, g.acc.last_day);
    }
    for (std::uint32_t li = 0; li < leaves_.size(); ++li) {
        auto& la = ms_.acc[li];
        if (!distinct[li].empty()) {
            auto& values = st_.dicts.attrs[rule_of(leaves_[li]).measure_.attribute];
            for (const auto& [key, value] : distinct[li]) la.distinct.push_back({key, values.intern(value)});
        }
        for (auto& [key, id] : ids[li]) {
            la.ids.push_back({key, static_cast<std::uint32_t>(st_.event_ids.size())});
            st_.event_ids.push_back(std::move(id));
        }
    }
    auto append = [](auto& into, auto& from) { into.insert(into.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end())); };
    append(st_.kept.funds, kept.funds);
    append(st_.kept.deals, kept.deals);
    append(st_.kept.referrals, kept.referrals);
    append(st_.kept.points, kept.points);
    auto earliest = [](std::vector<std::int32_t>& into, const std::vector<std::int32_t>& from) {
        if (into.size() < from.size()) into.resize(from.size(), detail::ledger_events::no_sale_day);
        for (std::size_t i = 0; i < from.size(); ++i) into[i] = std::min(into[i], from[i]);
    };
    earliest(st_.kept.first_sale_person, kept.first_sale_person);
    earliest(st_.kept.first_sale_partner, kept.first_sale_partner);
    absorbed_ = true;
}

}  // namespace incentives
