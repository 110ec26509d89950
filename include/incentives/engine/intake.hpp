// Stage 2, intake: columns (event_columns, from every door) become a checked columnar batch. Every row is checked before anything is
// added (unknown partner, participant or product; shares; places; currency; duplicate ids; a return
// without its sale, before it, from another partner, or returning more than was sold), and the error
// names the row and field. Returns are taken after the other rows, so a return may come before its
// sale in the input.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <incentives/engine/engine.hpp>
#include <incentives/detail/suggest.hpp>
#include <incentives/engine/event_values.hpp>

namespace incentives {

namespace detail {

/// "sale, return and training".
inline std::string join_kinds(const std::vector<std::string>& kinds) {
    std::string s;
    for (std::size_t i = 0; i < kinds.size(); ++i)
        s += (i == 0 ? "" : i + 1 == kinds.size() ? " and " : ", ") + kinds[i];
    return s;
}

/// Row views over rows of incentive::event, for the row API: the rows keep the memory.
struct row_columns {
    std::vector<std::string_view> id, kind, partner, sku, category, currency, reference, who;
    std::vector<date> on;
    std::vector<decimal> quantity, amount, share;
    std::vector<std::uint32_t> begin;
    std::vector<std::vector<std::string_view>> attr_values;
    event_columns cols;

    explicit row_columns(std::span<const event> events) {
        const std::size_t n = events.size();
        for (auto* v : {&id, &kind, &partner, &sku, &category, &currency, &reference}) v->reserve(n);
        on.reserve(n);
        quantity.reserve(n);
        amount.reserve(n);
        begin.reserve(n + 1);
        begin.push_back(0);
        std::map<std::string_view, std::size_t, std::less<>> attr_index;
        for (std::size_t r = 0; r < n; ++r) {
            const event& e = events[r];
            id.emplace_back(e.id);
            kind.emplace_back(e.kind);
            partner.emplace_back(e.partner);
            sku.emplace_back(e.sku);
            category.emplace_back(e.category);
            currency.emplace_back(e.currency);
            reference.emplace_back(e.reference);
            on.push_back(e.on);
            quantity.push_back(e.quantity);
            amount.push_back(e.amount);
            for (const auto& c : e.participants) {
                who.emplace_back(c.participant);
                share.push_back(c.share);
            }
            begin.push_back(static_cast<std::uint32_t>(who.size()));
            for (const auto& [name, value] : e.attrs) {
                auto [it, added] = attr_index.try_emplace(name, attr_values.size());
                if (added) {
                    attr_values.emplace_back(n);
                    cols.attrs.emplace_back(name, text_column());
                }
                attr_values[it->second][r] = value;
            }
        }
        cols.rows = n;
        cols.id = text_column::views(id);
        cols.kind = text_column::views(kind);
        cols.partner = text_column::views(partner);
        cols.sku = text_column::views(sku);
        cols.category = text_column::views(category);
        cols.currency = text_column::views(currency);
        cols.reference = text_column::views(reference);
        cols.on = date_column::dates(on);
        cols.quantity = number_column::decimals(quantity);
        cols.amount = number_column::decimals(amount);
        cols.participants.begin = begin;
        cols.participants.who = text_column::views(who);
        cols.participants.share = number_column::decimals(share);
        for (std::size_t a = 0; a < attr_values.size(); ++a) cols.attrs[a].second = text_column::views(attr_values[a]);
    }
};

}  // namespace detail

namespace detail {

/// The columns a fund row reads besides the event's own: the fund's id, a claim's proof, a
/// decision's reason, a request's activity end date (attributes of those names: attr.fund, ...).
struct fund_columns {
    const text_column *fund, *proof, *reason, *activity_end;
};

/// A fund row (fund_allocation, fund_request, fund_approval, claim, claim_approval), checked: an
/// amount >= 0 (0 rejects, for a decision), the request or claim a decision names, the fund where
/// the step needs one (a declared fund), a request's activity end as a date.
inline fund_event fund_event_at(const event_place& at, fund_step step, std::string_view kind, std::string_view id, date on,
                                std::uint32_t partner, std::int64_t amount, bool amount_given, std::string_view reference,
                                const fund_columns& cols, const std::vector<std::string_view>& fund_ids) {
    const std::string k(kind);
    if (!amount_given) at.fail("missing_amount", "amount", "a " + k + " needs an amount (for a decision, 0 rejects)");
    if (amount < 0) at.fail("negative_amount", "amount", "expected an amount >= 0 for a " + k);
    const bool decides = step == fund_step::approval || step == fund_step::claim_approval;
    if (decides && reference.empty())
        at.fail("missing_reference", "reference",
                "a " + k + " names the " + (step == fund_step::approval ? "request" : "claim") + " it decides in \"reference\"");
    if (!reference.empty()) utf8_at(reference, at, "reference");
    fund_event f;
    f.id = std::string(id);
    f.step = step;
    f.day = on.days();
    f.partner = partner;
    f.amount = amount;
    f.reference = std::string(reference);
    f.fund = cols.fund ? std::string((*cols.fund)[at.row]) : std::string();
    const bool needs_fund = step == fund_step::allocation || step == fund_step::request || (step == fund_step::claim && reference.empty());
    auto known = [&](std::string_view name) { return std::find(fund_ids.begin(), fund_ids.end(), name) != fund_ids.end(); };
    if (f.fund.empty() && needs_fund)
        at.fail("missing_fund", "fund",
                "a " + k + " names its fund in the attribute \"fund\" (column attr.fund; the program's funds: " +
                    join_kinds({fund_ids.begin(), fund_ids.end()}) + ")");
    if (!f.fund.empty() && !known(f.fund)) {
        utf8_at(f.fund, at, "fund");
        at.fail("unknown_fund", "fund", "unknown fund \"" + f.fund + "\"" + did_you_mean(f.fund, fund_ids));
    }
    const text_column* note = step == fund_step::claim ? cols.proof : decides ? cols.reason : nullptr;
    if (note) {
        f.note = std::string((*note)[at.row]);
        utf8_at(f.note, at, step == fund_step::claim ? "proof" : "reason");
    }
    if (step == fund_step::request && cols.activity_end)
        if (std::string_view end = (*cols.activity_end)[at.row]; !end.empty()) {
            date d = parse_date(end, at, "activity_end");
            if (d < on) at.fail("activity_end", "activity_end", "the activity ends " + d.to_string() + ", before the request of " + on.to_string());
            f.activity_end = d.days();
        }
    return f;
}

/// An optional attribute's text on a row ("" when the column is absent), checked as UTF-8.
inline std::string text_at(const text_column* c, const event_place& at, std::string_view field) {
    std::string v = c ? std::string((*c)[at.row]) : std::string();
    utf8_at(v, at, field);
    return v;
}

/// The columns a deal row reads besides the event's own: a registration's customer, a decision's
/// reason, a stage's name (attributes: attr.customer, attr.reason, attr.stage).
struct deal_columns {
    const text_column *customer, *reason, *stage;
};

/// A deal row, checked: a registration names its customer; the other steps name their registration
/// in `reference`; a stage is one the program declares (not "registered", paid on approval); a
/// closing sale is a sale whose reference names a registration.
inline deal_event deal_event_at(const event_place& at, deal_step step, std::string_view kind, std::string_view id, date on,
                                std::uint32_t partner, std::int64_t amount, std::string_view reference, const deal_columns& cols,
                                const rules::deal_registration& policy) {
    const std::string k(kind);
    deal_event d;
    d.id = std::string(id);
    d.step = step;
    d.day = on.days();
    d.partner = partner;
    d.amount = amount;
    if (amount < 0) at.fail("negative_amount", "amount", "expected an amount >= 0 for a " + k);
    if (step != deal_step::registration) {
        if (reference.empty())
            at.fail("missing_reference", "reference", "a " + k + " names the registration it is about in \"reference\"");
        utf8_at(reference, at, "reference");
        d.reference = std::string(reference);
    }
    auto text_of = [&](const text_column* c, std::string_view field) { return text_at(c, at, field); };
    if (step == deal_step::registration) {
        d.customer = text_of(cols.customer, "customer");
        if (d.customer.empty())
            at.fail("missing_customer", "customer", "a deal_registration names its customer in the attribute \"customer\" (column attr.customer)");
    }
    if (step == deal_step::approval || step == deal_step::rejection || step == deal_step::lost) d.note = text_of(cols.reason, "reason");
    if (step == deal_step::stage) {
        d.stage = text_of(cols.stage, "stage");
        std::vector<std::string_view> names;
        for (const auto& [name, reward] : policy.stages)
            if (name != "registered") names.emplace_back(name);
        if (d.stage.empty()) at.fail("missing_stage", "stage", "a deal_stage names its stage in the attribute \"stage\" (column attr.stage)");
        if (d.stage == "registered")
            at.fail("stage", "stage", "the stage \"registered\" is paid when the registration is approved, not by a deal_stage");
        if (std::find(names.begin(), names.end(), d.stage) == names.end())
            at.fail("stage", "stage", "unknown stage \"" + d.stage + "\"" + did_you_mean(d.stage, names) +
                                          (names.empty() ? " (the program declares no stage)" : " (the program's stages: " + join_kinds({names.begin(), names.end()}) + ")"));
    }
    return d;
}

/// The columns a referral row reads besides the event's own: the customer, the referral program
/// (when there are several), a touch's channel (attributes: attr.customer, attr.referral, attr.channel).
struct referral_columns {
    const text_column *customer, *referral, *channel;
};

/// A referral row, checked: every step names its customer (a refund may leave it to its payment);
/// a payment and a refund carry an amount above 0; a refund names its payment in `reference`; the
/// referral program is named when the program has several.
inline referral_event referral_event_at(const event_place& at, referral_step step, std::string_view kind, std::string_view id, date on,
                                        std::uint32_t partner, std::int64_t amount, bool amount_given, std::string_view reference,
                                        const referral_columns& cols, const std::vector<std::string_view>& programs) {
    const std::string k(kind);
    referral_event r;
    r.id = std::string(id);
    r.step = step;
    r.day = on.days();
    r.partner = partner;
    auto text_of = [&](const text_column* c, std::string_view field) { return text_at(c, at, field); };
    r.customer = text_of(cols.customer, "customer");
    if (r.customer.empty() && step != referral_step::refund)
        at.fail("missing_customer", "customer", "a " + k + " names its customer in the attribute \"customer\" (column attr.customer)");
    if (step == referral_step::payment || step == referral_step::refund) {
        if (!amount_given) at.fail("missing_amount", "amount", "a " + k + " needs an amount");
        if (amount <= 0) at.fail("negative_amount", "amount", "expected an amount above 0 for a " + k);
        r.amount = amount;
    }
    if (step == referral_step::refund) {
        if (partner != referral_event::no_partner)
            at.fail("refund_partner", "partner", "a refund goes to whoever its payment's customer is attributed to: leave its partner empty");
        if (reference.empty()) at.fail("missing_reference", "reference", "a refund names the payment it refunds in \"reference\"");
        utf8_at(reference, at, "reference");
        r.reference = std::string(reference);
    }
    if (step == referral_step::touch) r.channel = text_of(cols.channel, "channel");
    r.referral = text_of(cols.referral, "referral");
    if (r.referral.empty()) {
        if (programs.size() > 1)
            at.fail("missing_referral", "referral",
                    "the program has several referral programs (" + join_kinds({programs.begin(), programs.end()}) +
                        "): a " + k + " names its own in the attribute \"referral\" (column attr.referral)");
        r.referral = std::string(programs.front());
    } else if (std::find(programs.begin(), programs.end(), r.referral) == programs.end()) {
        at.fail("unknown_referral", "referral", "unknown referral program \"" + r.referral + "\"" + did_you_mean(r.referral, programs) +
                                                    " (the program's: " + join_kinds({programs.begin(), programs.end()}) + ")");
    }
    return r;
}

/// A shop row, checked: a redemption names a shop item (attr.item) and a whole count (quantity;
/// absent or 0: 1) and at most one participant, its holder; a cancellation names its redemption in
/// `reference`.
inline points_event points_event_at(const event_place& at, points_step step, std::string_view kind, std::string_view id, date on,
                                    std::uint32_t partner, std::int64_t quantity, bool quantity_given, int quantity_places,
                                    std::string_view reference, const text_column* item, const text_column* course,
                                    std::span<const std::uint32_t> people,
                                    const rules::points_program& policy) {
    const std::string k(kind);
    points_event x;
    x.id = std::string(id);
    x.step = step;
    x.day = on.days();
    x.partner = partner;
    if (people.size() > 1)
        at.fail("participants", "participants", "a " + k + " names at most one participant: the person whose points it spends");
    if (!people.empty()) x.participant = people.front();
    if (step == points_step::course) {
        if (people.size() != 1)
            at.fail("participants", "participants", "a course_completed names the one participant who completed the course");
        x.item = text_at(course, at, "course");
        if (x.item.empty()) at.fail("missing_course", "course", "a course_completed names its course in the attribute \"course\" (column attr.course)");
        return x;
    }
    if (step == points_step::cancel) {
        if (reference.empty()) at.fail("missing_reference", "reference", "a redemption_cancel names the redemption it cancels in \"reference\"");
        utf8_at(reference, at, "reference");
        x.reference = std::string(reference);
        return x;
    }
    x.item = text_at(item, at, "item");
    if (x.item.empty()) at.fail("missing_item", "item", "a redemption names the shop item in the attribute \"item\" (column attr.item)");
    std::vector<std::string_view> skus;
    for (const auto& it : policy.shop) skus.emplace_back(it.sku);
    if (std::find(skus.begin(), skus.end(), x.item) == skus.end())
        at.fail("unknown_item", "item", "unknown shop item \"" + x.item + "\"" + did_you_mean(x.item, skus) +
                                            (skus.empty() ? " (the shop is empty)" : ""));
    if (quantity_given && quantity != 0) {  // absent or 0: one item
        const std::int64_t unit = static_cast<std::int64_t>(pow10(quantity_places));
        if (quantity <= 0 || quantity % unit != 0)
            at.fail("quantity", "quantity", "expected a whole number of items above 0 for a redemption, got " +
                                                decimal::from_units(quantity, quantity_places).to_string());
        x.count = quantity / unit;
    }
    return x;
}

}  // namespace detail

INCENTIVES_INLINE event_batch engine::encode(std::span<const event> events) const {
    detail::row_columns rc(events);
    return encode(rc.cols);
}

INCENTIVES_INLINE event_batch engine::encode(const event_columns& in) const {
    detail::check_shape(in);
    // Dictionaries only grow, and growing them changes no result, so encode stays logically const.
    auto& dicts = const_cast<detail::event_dictionaries&>(st_.dicts);
    event_batch b;
    const std::size_t rows = in.rows;
    // The fixed-width columns are sized once and written by index (`out`, the rows kept so far), then
    // cut to the rows kept: a push_back per column and row was a tenth of intake.
    for (auto* col : {&b.kind, &b.partner, &b.product, &b.category, &b.reference}) col->resize(rows);
    for (auto* col : {&b.quantity, &b.amount}) col->resize(rows);
    b.day.resize(rows);
    b.id_hash.resize(rows);
    b.credit_begin.reserve(rows + 1);
    b.ids.reserve(rows);
    std::size_t out = 0;
    const int aplaces = prog_->amount_scale(), qplaces = prog_->quantity_places;
    // Ids of this batch by row, to find repeats inside the batch and the sales its returns refer to.
    detail::id_index batch_ids;
    batch_ids.reserve(rows);
    auto batch_text = [&b](std::uint32_t row) { return std::string_view(b.ids[row]); };
    // Each id is hashed `ahead` rows before its probes, and its slots prefetched then, so that the
    // probes find them in cache.
    constexpr std::size_t ahead = 16;
    // Returns are taken after the other rows, so that a return may come before its sale in the input
    // (a file sorted by id, a query without ORDER BY); messages keep the caller's row numbers.
    auto kind_of = [&](std::size_t r) { return in.kind.present() ? in.kind[r] : std::string_view(); };
    std::vector<std::uint32_t> order;
    {
        bool seen_return = false;
        for (std::size_t r = 0; r < rows && order.empty(); ++r) {
            bool is_return = kind_of(r) == "return";
            if (seen_return && !is_return) order.resize(rows);
            seen_return = seen_return || is_return;
        }
        if (!order.empty()) {
            std::size_t k = 0;
            for (int pass = 0; pass < 2; ++pass)
                for (std::size_t r = 0; r < rows; ++r)
                    if ((kind_of(r) == "return") == (pass == 1)) order[k++] = static_cast<std::uint32_t>(r);
        }
    }
    auto row_at = [&](std::size_t k) { return order.empty() ? k : static_cast<std::size_t>(order[k]); };
    auto id_of = [&](std::size_t r) { return in.id.present() ? in.id[r] : std::string_view(); };
    std::vector<std::uint64_t> hashes(rows);
    auto hash_ahead = [&](std::size_t k) {
        const std::size_t r = row_at(k);
        hashes[r] = detail::id_hash(id_of(r));
        st_.ids.prefetch(hashes[r]);
        batch_ids.prefetch(hashes[r]);
    };
    for (std::size_t k = 0; k < std::min(ahead, rows); ++k) hash_ahead(k);
    std::unordered_map<std::string_view, std::pair<std::int64_t, std::int64_t>> returned;
    // The last kind seen and each product's category, as codes (most rows repeat them).
    std::string_view last_kind;
    std::uint32_t last_kind_code = 0;
    bool last_is_sale = false, last_is_return = false;
    std::vector<std::uint32_t> product_category(cat_->products().size(), event_batch::none);
    const std::uint32_t sale_code = dicts.kinds.intern("sale");
    // Attribute columns: their dictionaries and batch columns, found once.
    struct attr_target {
        const text_column* values;
        std::string_view name;
        detail::dictionary* dict;
        std::vector<std::uint32_t>* codes;
        bool numeric;
    };
    std::vector<attr_target> attr_targets;
    for (const auto& [name, col] : in.attrs) {
        auto& codes = b.attrs[name];
        codes.reserve(rows);
        attr_targets.push_back({&col, name, &dicts.attrs[name], &codes, st_.numeric.contains(name)});
    }
    std::vector<detail::credit_value> credit;
    // Fund rows (a program with funds): their columns, found once by name.
    auto attr_column = [&](std::string_view name) -> const text_column* {
        for (const auto& [n, col] : in.attrs)
            if (n == name) return &col;
        return nullptr;
    };
    const text_column* fund_column = attr_column("fund");
    const text_column* proof_column = attr_column("proof");
    const text_column* reason_column = attr_column("reason");
    const text_column* activity_end_column = attr_column("activity_end");
    std::vector<std::string_view> fund_ids;
    for (const auto& f : prog_->funds) fund_ids.emplace_back(f.id);
    std::optional<detail::fund_step> last_fund_step;
    const text_column* customer_column = attr_column("customer");
    const text_column* stage_column = attr_column("stage");
    std::optional<detail::deal_step> last_deal_step;
    const text_column* referral_column = attr_column("referral");
    const text_column* channel_column = attr_column("channel");
    std::vector<std::string_view> referral_ids;
    for (const auto& rp : prog_->referrals) referral_ids.emplace_back(rp.id);
    std::optional<detail::referral_step> last_referral_step;
    const text_column* item_column = attr_column("item");
    const text_column* course_column = attr_column("course");
    std::optional<detail::points_step> last_points_step;
    // A dictionary's code for a value; a value new to it is checked first (what a dictionary holds
    // reaches outputs, so it must be UTF-8; known values were checked when they came).
    auto code_of = [](detail::dictionary& d, std::string_view v, const detail::event_place& at, std::string_view field) {
        if (auto c = d.find(v)) return *c;
        detail::utf8_at(v, at, field);
        return d.intern(v);
    };
    // A fast path for int64 columns whose scale needs no division.
    const std::int64_t* amount_units = in.amount.int64_units();
    const std::int64_t* quantity_units = in.quantity.int64_units();
    // 10^(places - scale) for int64 and decimal128 columns whose scale the program holds (0: divide,
    // the slow path).
    auto multiplier_of = [](const number_column& c, int places) -> std::int64_t {
        return (c.int64_units() != nullptr || c.is_decimal128()) && c.scale() <= places && places - c.scale() <= 18
                   ? static_cast<std::int64_t>(detail::pow10(places - c.scale()))
                   : 0;
    };
    const std::int64_t amount_multiplier = multiplier_of(in.amount, aplaces);
    const std::int64_t quantity_multiplier = multiplier_of(in.quantity, qplaces);
    for (std::size_t k = 0; k < rows; ++k) {
        const std::size_t r = row_at(k);
        const detail::event_place at{in, r};
        if (k + ahead < rows) hash_ahead(k + ahead);
        // Typed numbers are read far ahead too: the loop reads and writes some twenty columns at once,
        // more streams than the hardware prefetcher follows (prefetching the texts as well measured slower).
        if (k + 4 * ahead < rows) {
            const std::size_t later = row_at(k + 4 * ahead);
            if (amount_units != nullptr) __builtin_prefetch(amount_units + later);
            if (quantity_units != nullptr) __builtin_prefetch(quantity_units + later);
        }
        std::string_view id = detail::required_at(in.id, at, "id", "missing_id", "every event needs an id");
        const std::uint64_t h = hashes[r];
        if (st_.ids.find(h, id) != detail::id_registry::npos || batch_ids.find(h, id, batch_text) != detail::id_index::npos) {
            if (prog_->duplicates == duplicate_policy::ignore) {
                ++b.duplicates_ignored;
                continue;
            }
            at.fail("duplicate_event", "id", "duplicate event id \"" + std::string(id) +
                                                 "\" (already seen; declare duplicates: ignore to skip repeats — they are never paid twice)");
        }
        std::string_view kind = detail::raw_at(in.kind, at);
        if (kind.empty()) at.fail("missing_kind", "kind", "every event needs a kind (sale, return, ...)");
        if (kind != last_kind) {
            detail::utf8_at(kind, at, "kind");
            if (prog_->unknown_kinds == unknown_kind_policy::error && !paid_kinds_.accepts(kind))
                at.fail("unknown_kind", "kind",
                        "no rule selects events of kind \"" + std::string(kind) + "\"" + detail::did_you_mean(kind, paid_kinds_.kinds) +
                            " (the program pays on " + detail::join_kinds(paid_kinds_.kinds) +
                            "; declare unknown_kinds: warn or ignore to take such events anyway)");
            last_kind_code = dicts.kinds.intern(kind);
            last_kind = dicts.kinds[last_kind_code];
            last_is_sale = kind == "sale";
            last_is_return = kind == "return";
            last_fund_step = prog_->funds.empty() ? std::nullopt : detail::fund_step_of(kind);
            last_referral_step = prog_->referrals.empty() ? std::nullopt : detail::referral_step_of(kind);
            last_points_step = !prog_->points ? std::nullopt : detail::points_step_of(kind);
            last_deal_step = !prog_->deals ? std::nullopt : last_is_sale ? std::optional(detail::deal_step::close) : detail::deal_step_of(kind);
        }
        const bool is_sale = last_is_sale, is_return = last_is_return;
        std::optional<date> on = detail::date_at(in.on, at, "date");
        if (!on) at.fail("missing_date", "date", "every event needs a date (YYYY-MM-DD)");
        std::string_view partner_id = detail::raw_at(in.partner, at);
        auto partner = cat_->partner_index(partner_id);
        // A conversion (signup, payment, refund) carries no partner: attribution decides it. Its row
        // holds partner 0, which no rule reads (compile leaves conversions out of every selection).
        const bool conversion = last_referral_step && *last_referral_step != detail::referral_step::touch;
        if (conversion && partner_id.empty()) {
            if (cat_->partners().empty()) at.fail("missing_partner", "partner", "a referral program needs partners in the catalog");
            partner = 0;
        }
        if (!partner && partner_id.empty()) {
            std::string why = "every event needs a partner";
            if (!prog_->referrals.empty()) {  // a misspelt conversion kind lands here: name the kinds that need none
                static constexpr std::string_view conversions[] = {"signup", "payment", "refund"};
                why += "; only signup, payment and refund events come without one, not a \"" + std::string(kind) + "\"" +
                       detail::did_you_mean(kind, conversions);
            }
            at.fail("missing_partner", "partner", why);
        }
        if (!partner) detail::utf8_at(partner_id, at, "partner");
        if (!partner)
            at.fail("unknown_partner", "partner", "unknown partner \"" + std::string(partner_id) + "\"" + cat_->suggest_partner(partner_id));
        if (std::string_view cur = detail::raw_at(in.currency, at); !cur.empty() && cur != prog_->currency_.code() &&
                                                                     (detail::utf8_at(cur, at, "currency"), true))
            at.fail("currency", "currency",
                    "amount in " + std::string(cur) + " but the program pays in " + std::string(prog_->currency_.code()) +
                        " (no silent conversion: convert with an explicit, dated exchange rate first)");
        auto scaled = [&](const decimal& d, int places, std::string_view field) -> std::int64_t {
            if (d.scale() <= places) {  // the common case: no trailing digits to drop
                int128 u = d.units();
                if (__builtin_mul_overflow(u, detail::pow10(places - d.scale()), &u) || u > INT64_MAX || u < -INT64_MAX)
                    at.fail("range", field, d.to_string() + " is too large");
                return static_cast<std::int64_t>(u);
            }
            decimal n = d.normalized();
            if (n.scale() > places)
                at.fail("precision", field, d.to_string() + " has more than " + std::to_string(places) + " decimal places");
            int128 u = 0;
            try {
                u = n.rescale(places, rounding_mode::unnecessary).units();
            } catch (const calculation_error&) {
                u = static_cast<int128>(INT64_MAX) + 1;
            }
            if (u > INT64_MAX || u < -INT64_MAX) at.fail("range", field, d.to_string() + " is too large");
            return static_cast<std::int64_t>(u);
        };
        auto value_of = [&](const number_column& col, const std::int64_t* units, std::int64_t multiplier, int places,
                            std::string_view field, bool& given) -> std::int64_t {
            given = col.has(r);
            if (!given) return 0;
            if (units != nullptr && multiplier > 0) {  // int64 at a scale the program holds: one checked multiply
                std::int64_t u = 0;
                if (__builtin_mul_overflow(units[r], multiplier, &u) || u == INT64_MIN)
                    at.fail("range", field, decimal::from_units(units[r], col.scale()).to_string() + " is too large");
                return u;
            }
            if (multiplier > 0) {  // decimal128 (Arrow) at a scale the program holds: the same, in 128 bits
                int128 u = col.decimal128_units(r);
                if (__builtin_mul_overflow(u, static_cast<int128>(multiplier), &u) || u > INT64_MAX || u < -INT64_MAX)
                    at.fail("range", field, decimal::from_units(col.decimal128_units(r), col.scale()).to_string() + " is too large");
                return static_cast<std::int64_t>(u);
            }
            return scaled(*detail::number_at(col, at, field), places, field);
        };
        bool amount_given = false, quantity_given = false;
        std::int64_t amount = value_of(in.amount, amount_units, amount_multiplier, aplaces, "amount", amount_given);
        std::int64_t quantity = value_of(in.quantity, quantity_units, quantity_multiplier, qplaces, "quantity", quantity_given);
        if ((is_sale || is_return) && !amount_given) detail::missing_amount(in, at, is_sale);
        if ((is_sale || is_return) && quantity < 0)
            at.fail("negative_quantity", "quantity", "expected a quantity >= 0, got " + decimal::from_units(quantity, qplaces).to_string());
        if ((is_sale || is_return) && amount < 0)
            at.fail("negative_amount", "amount",
                    "expected an amount >= 0, got " + decimal::from_units(amount, aplaces).to_string() +
                        (is_sale ? " (send a return that references the sale instead)" : ""));
        std::uint32_t reference = event_batch::none;
        std::string_view ref_id = detail::raw_at(in.reference, at);
        if (is_return) {
            if (ref_id.empty()) at.fail("missing_reference", "reference", "a return must reference the sale it returns");
            std::int64_t sale_amount = 0, sale_quantity = 0, done_amount = 0, done_quantity = 0;
            std::int32_t sale_day = 0;
            std::uint32_t sale_partner = 0;
            const std::uint64_t rh = detail::id_hash(ref_id);
            const std::uint32_t seen = st_.ids.find(rh, ref_id);
            const std::uint32_t row = seen == detail::id_registry::npos ? batch_ids.find(rh, ref_id, batch_text) : detail::id_index::npos;
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
                detail::utf8_at(ref_id, at, "reference");
                at.fail("unknown_sale", "reference", "the return references \"" + std::string(ref_id) + "\", which is not a known sale");
            }
            if (on->days() < sale_day)
                at.fail("return_before_sale", "date",
                        "the return is dated " + on->to_string() + ", before its sale \"" + std::string(ref_id) + "\" of " +
                            date(sale_day).to_string());
            if (*partner != sale_partner)
                at.fail("return_partner", "partner",
                        "the return is filed by partner \"" + std::string(partner_id) + "\", but its sale \"" + std::string(ref_id) +
                            "\" was made by partner \"" + cat_->partners()[sale_partner].id + "\"");
            auto& ret = returned[ref_id];
            ret.first += amount;
            ret.second += quantity;
            if (done_amount + ret.first > sale_amount || done_quantity + ret.second > sale_quantity)
                at.fail("return_exceeds_sale", "amount",
                        "returns of sale \"" + std::string(ref_id) + "\" exceed the sale (amount " +
                            decimal::from_units(sale_amount, aplaces).to_string() + ", quantity " +
                            decimal::from_units(sale_quantity, qplaces).to_string() + ")");
        }
        std::uint32_t product = event_batch::none;
        std::string_view explicit_category = detail::raw_at(in.category, at);
        std::string_view category = explicit_category;
        if (std::string_view sku = detail::raw_at(in.sku, at); !sku.empty()) {
            auto pi = cat_->product_index(sku);
            if (!pi) detail::utf8_at(sku, at, "sku");
            if (!pi) at.fail("unknown_product", "sku", "unknown product \"" + std::string(sku) + "\"" + cat_->suggest_product(sku));
            product = *pi;
            if (category.empty()) category = cat_->products()[*pi].category;
        }
        // Shares are weights: decimals adding up to exactly 1 (0.6 and 0.4, 0.3333 and 0.6667), or
        // whole numbers of any sum (2 and 1 give 2/3 and 1/3; fractions such as 1/3 arrive as these).
        // Each is kept as an integer at the event's finest scale; accumulation splits what the sale
        // measures among them exactly (rules::split_credit).
        detail::credit_at(in.participants, at, credit);
        int places = 0;
        for (const auto& c : credit) places = std::max(places, c.share.normalized().scale());
        int128 share_sum = 0;
        const bool whole = places == 0;
        for (std::size_t j = 0; j < credit.size(); ++j) {
            const auto& c = credit[j];
            std::string field = "participants[" + std::to_string(j) + "]";
            auto pi = cat_->participant_index(c.participant);
            if (!pi)
                at.fail("unknown_participant", field,
                        "unknown participant \"" + std::string(c.participant) + "\"" + cat_->suggest_participant(c.participant));
            if (cat_->partner_of(*pi) != *partner)
                at.fail("participant_partner", field,
                        "participant \"" + std::string(c.participant) + "\" does not work at partner \"" + std::string(partner_id) + "\"");
            if (c.share.signum() <= 0 || places > rules::max_share_places || c.share > decimal(rules::max_share_weight))
                at.fail("share", field, "expected a share above 0 with at most " + std::to_string(rules::max_share_places) +
                                            " decimal places, or a whole-number weight up to " +
                                            std::to_string(rules::max_share_weight) + ", got " + c.share.to_string());
            int128 su = c.share.rescale(places, rounding_mode::unnecessary).units();
            share_sum += su;
            b.credit_participant.push_back(*pi);
            b.credit_share.push_back(static_cast<std::int64_t>(su));
        }
        if (!credit.empty() && !whole && share_sum != detail::pow10(places))
            at.fail("share", "participants",
                    "the shares add up to " + decimal::from_units(share_sum, places).normalized().to_string() +
                        ", expected exactly 1 (or give whole-number weights, such as 2 and 1)");
        if (share_sum > rules::max_share_weight)
            at.fail("share", "participants",
                    "the weights add up to " + decimal::from_units(share_sum, places).to_string() + ", more than " +
                        std::to_string(rules::max_share_weight));
        for (const auto& t : attr_targets) {
            std::string_view value = detail::raw_at(*t.values, at);
            if (!t.numeric || value.empty()) continue;
            std::optional<decimal> d;
            try {
                d = decimal::parse(value);
            } catch (const error&) {
            }
            if (!d || d->normalized().scale() > detail::attribute_scale || abs(*d) > decimal(1000000000000LL))
                at.fail("attribute", t.name,
                        "expected a number with at most 6 decimal places and below 10^12, got \"" + std::string(value) + "\"");
        }
        std::optional<detail::fund_event> fund_row;
        if (last_fund_step) fund_row = fund_event_at(at, *last_fund_step, kind, id, *on, *partner, amount, amount_given, ref_id,
                                                     {fund_column, proof_column, reason_column, activity_end_column}, fund_ids);
        std::optional<detail::deal_event> deal_row;
        if (last_deal_step && (*last_deal_step != detail::deal_step::close || !ref_id.empty()))
            deal_row = deal_event_at(at, *last_deal_step, kind, id, *on, *partner, amount, ref_id, {customer_column, reason_column, stage_column},
                                     *prog_->deals);
        std::optional<detail::referral_event> referral_row;
        if (last_referral_step)
            referral_row = referral_event_at(at, *last_referral_step, kind, id, *on,
                                             partner_id.empty() ? detail::referral_event::no_partner : *partner, amount, amount_given,
                                             ref_id, {customer_column, referral_column, channel_column}, referral_ids);
        std::optional<detail::points_event> points_row;
        if (last_points_step) {
            const std::uint32_t first = b.credit_begin.back();
            points_row = points_event_at(at, *last_points_step, kind, id, *on, *partner, quantity, quantity_given, qplaces, ref_id, item_column,
                                         course_column,
                                         std::span<const std::uint32_t>(b.credit_participant).subspan(first), *prog_->points);
        }
        // Every check passed: append the row.
        batch_ids.insert(h, static_cast<std::uint32_t>(out));
        b.ids.emplace_back(id);
        b.id_hash[out] = h;
        b.kind[out] = last_kind_code;
        b.day[out] = on->days();
        b.partner[out] = *partner;
        b.product[out] = product;
        if (!explicit_category.empty() || product == event_batch::none) b.category[out] = code_of(dicts.categories, category, at, "category");
        else {
            if (product_category[product] == event_batch::none) product_category[product] = dicts.categories.intern(category);
            b.category[out] = product_category[product];
        }
        b.quantity[out] = quantity;
        b.amount[out] = amount;
        b.credit_begin.push_back(static_cast<std::uint32_t>(b.credit_participant.size()));
        b.reference[out] = reference;
        if (fund_row) {
            b.funds.events.push_back(std::move(*fund_row));
            b.funds.rows.push_back(static_cast<std::uint32_t>(out));
        }
        if (deal_row) {
            b.deals.events.push_back(std::move(*deal_row));
            b.deals.rows.push_back(static_cast<std::uint32_t>(out));
        }
        if (referral_row) {
            b.referrals.events.push_back(std::move(*referral_row));
            b.referrals.rows.push_back(static_cast<std::uint32_t>(out));
        }
        if (points_row) {
            b.points.events.push_back(std::move(*points_row));
            b.points.rows.push_back(static_cast<std::uint32_t>(out));
        }
        ++out;
        for (const auto& t : attr_targets) {
            std::string_view value = (*t.values)[r];
            t.codes->push_back(value.empty() ? 0 : code_of(*t.dict, value, at, t.name));
        }
    }
    for (auto* col : {&b.kind, &b.partner, &b.product, &b.category, &b.reference}) col->resize(out);
    for (auto* col : {&b.quantity, &b.amount}) col->resize(out);
    b.day.resize(out);
    b.id_hash.resize(out);
    // Attribute columns that no row has are left out, as the rows would have them.
    for (auto it = b.attrs.begin(); it != b.attrs.end();) {
        bool any = false;
        for (std::uint32_t code : it->second) any = any || code != 0;
        it = any ? std::next(it) : b.attrs.erase(it);
    }
    b.checked_against = st_.stamp.value();
    return b;
}

}  // namespace incentives
