// Stage 2, intake: rows become a checked columnar batch. Every row is checked before anything is
// added (unknown partner, participant or product; shares; places; currency; duplicate ids; a return
// without its sale, before it, from another partner, or returning more than was sold), and the error
// names the row and field. Returns are taken after the other rows, so a return may come before its
// sale in the input.
#pragma once

#include <string>
#include <unordered_map>

#include <incentives/engine/engine.hpp>

namespace incentives {

INCENTIVES_INLINE event_batch engine::encode(std::span<const event> events) const {
    // Dictionaries only grow, and growing them changes no result, so encode stays logically const.
    auto& dicts = const_cast<detail::event_dictionaries&>(st_.dicts);
    event_batch b;
    const std::size_t rows = events.size();
    for (auto* col : {&b.kind, &b.partner, &b.product, &b.category, &b.credit_begin, &b.reference}) col->reserve(rows + 1);
    for (auto* col : {&b.quantity, &b.amount}) col->reserve(rows);
    b.day.reserve(rows);
    b.ids.reserve(rows);
    b.id_hash.reserve(rows);
    const int aplaces = prog_->amount_scale(), qplaces = prog_->quantity_places;
    // Ids of this batch by row, to find repeats inside the batch and the sales its returns refer to.
    detail::id_index batch_ids;
    batch_ids.reserve(rows);
    auto batch_text = [&b](std::uint32_t row) { return std::string_view(b.ids[row]); };
    // Each id is hashed `ahead` rows before its probes, and its slots prefetched then, so that the
    // probes find them in cache (the rows are read once: they are large and memory-bound).
    constexpr std::size_t ahead = 16;
    // Returns are taken after the other rows, so that a return may come before its sale in the input
    // (a file sorted by id, a query without ORDER BY); messages keep the caller's row numbers.
    std::vector<std::uint32_t> order;
    {
        bool seen_return = false;
        for (std::size_t r = 0; r < rows && order.empty(); ++r) {
            bool is_return = events[r].kind == "return";
            if (seen_return && !is_return) order.resize(rows);
            seen_return = seen_return || is_return;
        }
        if (!order.empty()) {
            std::size_t k = 0;
            for (int pass = 0; pass < 2; ++pass)
                for (std::size_t r = 0; r < rows; ++r)
                    if ((events[r].kind == "return") == (pass == 1)) order[k++] = static_cast<std::uint32_t>(r);
        }
    }
    auto row_at = [&](std::size_t k) { return order.empty() ? k : static_cast<std::size_t>(order[k]); };
    std::vector<std::uint64_t> hashes(rows);
    auto hash_ahead = [&](std::size_t k) {
        const std::size_t r = row_at(k);
        hashes[r] = detail::id_hash(events[r].id);
        st_.ids.prefetch(hashes[r]);
        batch_ids.prefetch(hashes[r]);
    };
    for (std::size_t k = 0; k < std::min(ahead, rows); ++k) hash_ahead(k);
    std::unordered_map<std::string_view, std::pair<std::int64_t, std::int64_t>> returned;
    // The last kind seen and each product's category, as codes (most rows repeat them).
    std::string_view last_kind;
    std::uint32_t last_kind_code = 0;
    std::vector<std::uint32_t> product_category(cat_->products().size(), event_batch::none);
    const std::uint32_t sale_code = dicts.kinds.intern("sale");
    for (std::size_t k = 0; k < rows; ++k) {
        const std::size_t r = row_at(k);
        const event& e = events[r];
        if (k + ahead < rows) hash_ahead(k + ahead);
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
            if (prog_->duplicates == duplicate_policy::ignore) {
                ++b.duplicates_ignored;
                continue;
            }
            fail("duplicate_event", "id", "duplicate event id \"" + e.id +
                                              "\" (already seen; declare duplicates: ignore to skip repeats — they are never paid twice)");
        }
        if (e.kind.empty()) fail("missing_kind", "kind", "every event needs a kind (sale, return, ...)");
        auto partner = cat_->partner_index(e.partner);
        if (!partner) fail("unknown_partner", "partner", "unknown partner \"" + e.partner + "\"" + cat_->suggest_partner(e.partner));
        if (!e.currency.empty() && e.currency != prog_->currency_.code())
            fail("currency", "currency",
                 "amount in " + e.currency + " but the program pays in " + std::string(prog_->currency_.code()) +
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
            std::int64_t sale_amount = 0, sale_quantity = 0, done_amount = 0, done_quantity = 0;
            std::int32_t sale_day = 0;
            std::uint32_t sale_partner = 0;
            const std::uint64_t rh = detail::id_hash(e.reference);
            const std::uint32_t seen = st_.ids.find(rh, e.reference);
            const std::uint32_t row = seen == detail::id_registry::npos ? batch_ids.find(rh, e.reference, batch_text) : detail::id_index::npos;
            if (seen != detail::id_registry::npos && st_.ids.sale(seen) != detail::no_sale) {
                const auto& s = st_.sales[st_.ids.sale(seen)];
                sale_amount = s.amount;
                sale_quantity = s.quantity;
                sale_day = s.day;
                sale_partner = s.partner;
                if (auto done = st_.returned.find(st_.ids.sale(seen)); done != st_.returned.end()) {
                    done_amount = done->second.amount;
                    done_quantity = done->second.quantity;
                }
                reference = st_.ids.sale(seen);
            } else if (row != detail::id_index::npos && b.kind[row] == sale_code) {
                sale_amount = b.amount[row];
                sale_quantity = b.quantity[row];
                sale_day = b.day[row];
                sale_partner = b.partner[row];
                reference = detail::batch_row_flag | row;
            } else {
                fail("unknown_sale", "reference", "the return references \"" + e.reference + "\", which is not a known sale");
            }
            if (e.on.days() < sale_day)
                fail("return_before_sale", "date", "the return is dated " + e.on.to_string() + ", before its sale \"" +
                                                       e.reference + "\" of " + date(sale_day).to_string());
            if (*partner != sale_partner)
                fail("return_partner", "partner", "the return is filed by partner \"" + e.partner + "\", but its sale \"" +
                                                      e.reference + "\" was made by partner \"" +
                                                      cat_->partners()[sale_partner].id + "\"");
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
            auto pi = cat_->product_index(e.sku);
            if (!pi) fail("unknown_product", "sku", "unknown product \"" + e.sku + "\"" + cat_->suggest_product(e.sku));
            product = *pi;
            if (category.empty()) category = cat_->products()[*pi].category;
        }
        // Shares are weights: decimals adding up to exactly 1 (0.6 and 0.4, 0.3333 and 0.6667), or
        // whole numbers of any sum (2 and 1 give 2/3 and 1/3; a door turns fractions such as 1/3 into
        // these). Each is kept as an integer at the event's finest scale; accumulation splits what the
        // sale measures among them exactly (rules::split_credit).
        int places = 0;
        for (const auto& c : e.participants) places = std::max(places, c.share.normalized().scale());
        int128 share_sum = 0;
        bool whole = places == 0;
        for (std::size_t j = 0; j < e.participants.size(); ++j) {
            const auto& c = e.participants[j];
            std::string field = "participants[" + std::to_string(j) + "]";
            auto pi = cat_->participant_index(c.participant);
            if (!pi)
                fail("unknown_participant", field,
                     "unknown participant \"" + c.participant + "\"" + cat_->suggest_participant(c.participant));
            if (cat_->partner_of(*pi) != *partner)
                fail("participant_partner", field, "participant \"" + c.participant + "\" does not work at partner \"" + e.partner + "\"");
            if (c.share.signum() <= 0 || places > rules::max_share_places || c.share > decimal(rules::max_share_weight))
                fail("share", field, "expected a share above 0 with at most " + std::to_string(rules::max_share_places) +
                                         " decimal places, or a whole-number weight up to " +
                                         std::to_string(rules::max_share_weight) + ", got " + c.share.to_string());
            int128 su = c.share.rescale(places, rounding_mode::unnecessary).units();
            share_sum += su;
            b.credit_participant.push_back(*pi);
            b.credit_share.push_back(static_cast<std::int64_t>(su));
        }
        if (!e.participants.empty() && !whole && share_sum != detail::pow10(places))
            fail("share", "participants", "the shares add up to " + decimal::from_units(share_sum, places).normalized().to_string() +
                                              ", expected exactly 1 (or give whole-number weights, such as 2 and 1)");
        if (share_sum > rules::max_share_weight)
            fail("share", "participants", "the weights add up to " + decimal::from_units(share_sum, places).to_string() +
                                              ", more than " + std::to_string(rules::max_share_weight));
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
