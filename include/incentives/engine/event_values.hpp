// Reading one event's values out of event_columns: the checks every door shares (CSV files, rows,
// Python tables, Arrow arrays), so that the same bad value gets the same code and message whatever
// the door. Checks against the program and the catalog (unknown partner, duplicate id, a return's
// sale) are intake's (engine/intake.hpp); these need neither.
#pragma once

#include <charconv>
#include <cstring>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>
#include <incentives/engine/ledger_event.hpp>
#include <incentives/detail/config.hpp>
#include <incentives/detail/utf8.hpp>
#include <incentives/engine/event_columns.hpp>
#include <incentives/errors.hpp>
#include <incentives/model.hpp>
#include <incentives/rules/credit.hpp>

namespace incentives::detail {

/// The message of an incentives::error without its "[code] " prefix.
[[nodiscard]] inline std::string_view message_without_code(const std::exception& e) {
    std::string_view what = e.what();
    if (!what.empty() && what.front() == '[')
        if (auto close = what.find("] "); close != std::string_view::npos) return what.substr(close + 2);
    return what;
}

/// Row `row` of a table of events: builds the located errors.
struct event_place {
    const event_columns& cols;
    std::size_t row;  ///< 0-based in the columns

    [[nodiscard]] std::size_t row_number() const noexcept {
        return static_cast<std::size_t>(row < cols.row_numbers.size() ? cols.row_numbers[row] : cols.first_row + row);
    }
    [[nodiscard]] std::size_t column_of(std::string_view field) const noexcept {
        const column_numbers& n = cols.columns;
        if (field == "id") return n.id;
        if (field == "kind") return n.kind;
        if (field == "date") return n.date;
        if (field == "partner") return n.partner;
        if (field.substr(0, 12) == "participants") return n.participants;
        if (field == "sku") return n.sku;
        if (field == "category") return n.category;
        if (field == "quantity") return n.quantity;
        if (field == "amount") return n.amount;
        if (field == "currency") return n.currency;
        if (field == "reference") return n.reference;
        for (std::size_t i = 0; i < cols.attrs.size(); ++i)
            if (cols.attrs[i].first == field) return i < cols.attr_columns.size() ? cols.attr_columns[i] : 0;
        return 0;
    }
    [[nodiscard]] location where(std::string_view field) const {
        location w;
        w.row = row_number();
        w.field = std::string(field);
        if (!cols.file.empty()) {
            w.file = std::string(cols.file);
            if (row < cols.lines.size()) w.line = static_cast<std::size_t>(cols.lines[row]);
            w.column = column_of(field);
        }
        return w;
    }
    /// "events.csv:12:9: row 11 (event \"S3\"), field amount: " (text), "row 11 (event \"S3\"), field amount: " (tables).
    [[nodiscard]] std::string prefix(const location& w) const {
        std::string s;
        if (!w.file.empty()) {
            s.append(w.file);
            if (w.line > 0) s.append(":").append(std::to_string(w.line));
            if (w.line > 0 && w.column > 0) s.append(":").append(std::to_string(w.column));
            s.append(": ");
        }
        s.append("row ").append(std::to_string(w.row));
        std::string_view id = cols.id.present() && row < cols.rows ? cols.id[row] : std::string_view();
        if (!id.empty() && valid_utf8(id) && id.size() <= 64) s.append(" (event \"").append(id).append("\")");
        s.append(", field ").append(w.field).append(": ");
        return s;
    }
    [[noreturn]] void fail(std::string_view code, std::string_view field, const std::string& what) const {
        location w = where(field);
        std::string text = prefix(w) + what;
        throw input_error("incentives.input." + std::string(code), text, std::move(w));
    }
    /// An error of a value parser (decimal, date), placed: its own code, the place in front.
    [[noreturn]] void rethrow(const error& e, std::string_view field) const {
        location w = where(field);
        std::string text = prefix(w) + std::string(message_without_code(e));
        throw input_error(e.code(), text, std::move(w));
    }
};

/// Whether `s` is all ASCII (8 bytes at a time: ids are short and nearly always ASCII).
[[nodiscard]] INCENTIVES_HOT_INLINE bool is_ascii(std::string_view s) noexcept {
    std::uint64_t high = 0;
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, s.data() + i, 8);
        high |= w;
    }
    for (; i < s.size(); ++i) high |= static_cast<unsigned char>(s[i]);
    return (high & 0x8080808080808080ULL) == 0;
}

/// A text value that must be UTF-8 (ids and keys reach outputs and messages).
[[nodiscard]] INCENTIVES_HOT_INLINE std::string_view text_at(const text_column& c, const event_place& at, std::string_view field) {
    std::string_view v = c[at.row];
    if (!is_ascii(v) && !valid_utf8(v))
        at.fail("encoding", field, "the value is not valid UTF-8 text (ids and keys must be UTF-8; convert the file's encoding first)");
    return v;
}

/// A text value checked elsewhere: keys that must name a catalog entry (partner, sku) are refused as
/// unknown when they do not, and dictionary values (kind, category, attributes) are checked when the
/// dictionary first meets them (utf8_at).
[[nodiscard]] INCENTIVES_HOT_INLINE std::string_view raw_at(const text_column& c, const event_place& at) { return c[at.row]; }

/// Checks a value that is new to a dictionary.
inline void utf8_at(std::string_view v, const event_place& at, std::string_view field) {
    if (!is_ascii(v) && !valid_utf8(v))
        at.fail("encoding", field, "the value is not valid UTF-8 text (ids and keys must be UTF-8; convert the file's encoding first)");
}

/// A required text value (id, kind, partner).
[[nodiscard]] inline std::string_view required_at(const text_column& c, const event_place& at, std::string_view field,
                                                  std::string_view code, std::string_view what) {
    std::string_view v = text_at(c, at, field);
    if (v.empty()) at.fail(code, field, std::string(what));
    return v;
}

/// Text parsed as a number or a date, its errors placed (out of line: the rare path holds the throw).
[[nodiscard]] inline decimal parse_number(std::string_view text, const event_place& at, std::string_view field) {
    try {
        return decimal::parse(text);
    } catch (const error& e) {
        at.rethrow(e, field);
    }
}
[[nodiscard]] inline date parse_date(std::string_view text, const event_place& at, std::string_view field) {
    try {
        return date::parse(text);
    } catch (const error& e) {
        at.rethrow(e, field);
    }
}

/// A number, or nullopt when the row has none.
[[nodiscard]] INCENTIVES_HOT_INLINE std::optional<decimal> number_at(const number_column& c, const event_place& at,
                                                                    std::string_view field) {
    if (!c.has(at.row)) return std::nullopt;
    if (!c.is_text()) return c.typed(at.row);
    return parse_number(c.text_values()[at.row], at, field);
}

/// A date, or nullopt when the row has none.
[[nodiscard]] INCENTIVES_HOT_INLINE std::optional<date> date_at(const date_column& c, const event_place& at, std::string_view field) {
    if (!c.has(at.row)) return std::nullopt;
    if (!c.is_text()) return date(c.typed_days(at.row));
    return parse_date(c.text_values()[at.row], at, field);
}

/// The columns of a table in the sizes its rows need: a present column shorter than the table is a
/// caller's error, said before anything is read.
inline void check_shape(const event_columns& c) {
    auto check = [&](std::string_view name, bool present, std::size_t size) {
        if (present && size < c.rows)
            throw input_error("incentives.input.shape", "the " + std::string(name) + " column has " + std::to_string(size) +
                                                           " values for " + std::to_string(c.rows) + " rows",
                              location{std::string(c.file), 0, 0, 0, std::string(name)});
    };
    for (auto [name, col] : {std::pair<std::string_view, const text_column*>{"id", &c.id}, {"kind", &c.kind}, {"partner", &c.partner},
                             {"sku", &c.sku}, {"category", &c.category}, {"currency", &c.currency}, {"reference", &c.reference}})
        check(name, col->present(), col->size());
    check("date", c.on.present(), c.on.size());
    check("quantity", c.quantity.present(), c.quantity.size());
    check("amount", c.amount.present(), c.amount.size());
    check("participants", c.participants.text.present(), c.participants.text.size());
    if (!c.participants.text.present() && !c.participants.begin.empty()) {
        check("participants", true, c.participants.begin.size() - 1);
        const std::size_t people = c.participants.begin[c.rows];
        auto check_people = [&](std::string_view name, bool present, std::size_t size) {
            if (present && size < people)
                throw input_error("incentives.input.shape", "the " + std::string(name) + " column has " + std::to_string(size) +
                                                               " values for " + std::to_string(people) + " participants",
                                  location{std::string(c.file), 0, 0, 0, "participants"});
        };
        check_people("participants' ids", true, c.participants.who.size());
        check_people("participants' shares", c.participants.share.present(), c.participants.share.size());
    }
    for (const auto& [name, col] : c.attrs) check("attr." + name, col.present(), col.size());
}

/// A sale or return without an amount: never taken as 0.
[[noreturn]] inline void missing_amount(const event_columns& in, const event_place& at, bool sale) {
    at.fail("missing_amount", "amount",
            std::string("every ") + (sale ? "sale" : "return") + " needs an amount" +
                (in.amount.present() ? "" : " (the table has no amount column)"));
}

/// One participant's credit as read: who and a share (decimal, or whole-number weight).
struct credit_value {
    std::string_view participant;
    decimal share;
};

/// The participants of a row, checked as values: no one named twice, shares above 0; decimal shares
/// add up to exactly 1, fractions ("1/3") to exactly 1 over a common denominator (they become
/// whole-number weights), whole numbers are weights of any sum. `out` is cleared first.
inline void credit_at(const credit_column& c, const event_place& at, std::vector<credit_value>& out) {
    out.clear();
    const char* field = "participants";
    if (c.text.present()) {
        std::string_view v = text_at(c.text, at, field);
        if (v.empty()) return;
        auto quoted = [](std::string_view s) { return "\"" + std::string(s) + "\""; };
        auto fail_with = [&](const std::string& message) { at.fail("participants", field, quoted(v) + ": " + message); };
        const std::string example =
            " (expected e.g. \"U1:0.6;U2:0.4\", \"U1:1/3;U2:2/3\", weights \"U1:2;U2:1\", or \"U1\" for a single participant)";
        std::size_t item_no = 0;
        bool any_without_share = false, all_whole = true;
        std::vector<std::pair<std::int64_t, std::int64_t>> fractions;
        for (std::size_t start = 0;;) {
            ++item_no;
            const std::size_t semi = v.find(';', start);
            std::string_view item = v.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start);
            if (item.empty()) fail_with("participant " + std::to_string(item_no) + " is empty" + example);
            const std::size_t colon = item.rfind(':');
            std::string_view who = colon == std::string_view::npos ? item : item.substr(0, colon);
            if (who.empty()) fail_with("participant " + std::to_string(item_no) + " has no id" + example);
            for (const auto& seen : out)
                if (seen.participant == who) fail_with("participant " + quoted(who) + " is named twice");
            decimal share(1);
            if (colon == std::string_view::npos) {
                any_without_share = true;
            } else {
                std::string_view text = item.substr(colon + 1);
                if (const std::size_t slash = text.find('/'); slash != std::string_view::npos) {
                    auto whole = [](std::string_view t, std::uint64_t& n) {
                        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
                        return !t.empty() && ec == std::errc() && end == t.data() + t.size();
                    };
                    std::uint64_t num = 0, den = 0;
                    if (!whole(text.substr(0, slash), num) || !whole(text.substr(slash + 1), den) || num == 0 || num > den)
                        fail_with("share of " + quoted(who) + " is " + std::string(text) +
                                  "; a fraction is two whole numbers, the first above 0 and at most the second, e.g. 1/3");
                    fractions.emplace_back(static_cast<std::int64_t>(std::min<std::uint64_t>(num, INT64_MAX)),
                                           static_cast<std::int64_t>(std::min<std::uint64_t>(den, INT64_MAX)));
                    out.push_back(credit_value{who, decimal(0)});
                    if (semi == std::string_view::npos) break;
                    start = semi + 1;
                    continue;
                }
                try {
                    share = decimal::parse(text);
                } catch (const error& e) {
                    fail_with("share of " + quoted(who) + ": " + std::string(message_without_code(e)));
                }
                if (share.signum() <= 0)
                    fail_with("share of " + quoted(who) + " is " + std::string(text) + "; a share must be greater than 0");
                const bool is_whole = share.normalized().scale() == 0;
                if (!is_whole && share > decimal(1))
                    fail_with("share of " + quoted(who) + " is " + std::string(text) +
                              "; a share with decimals is at most 1 (whole numbers are weights, such as 2 and 1)");
                all_whole = all_whole && is_whole;
            }
            out.push_back(credit_value{who, share});
            if (semi == std::string_view::npos) break;
            start = semi + 1;
        }
        if (any_without_share && out.size() > 1) fail_with("with several participants each needs a share" + example);
        if (!fractions.empty()) {
            if (fractions.size() != out.size())
                fail_with("give every share as a fraction, or none (a fraction and a decimal or weight do not mix)");
            auto weights = rules::fraction_weights(fractions);
            if (weights.empty())
                fail_with("the fractions must add up to exactly 1, over a common denominator of at most " +
                          std::to_string(rules::max_share_weight));
            for (std::size_t i = 0; i < out.size(); ++i) out[i].share = decimal(weights[i]);
            return;
        }
        if (all_whole) return;  // weights: intake checks their sum
        decimal total;
        for (const auto& s : out) total += s.share;  // at most 9 places each, far from overflow
        if (total != decimal(1))
            fail_with("the shares add up to " + total.to_string() +
                      ", not 1 (decimal shares add up to 1; give whole-number weights such as 2 and 1, or fractions such as 1/3)");
        return;
    }
    if (c.begin.empty()) return;
    for (std::uint32_t j = c.begin[at.row]; j < c.begin[at.row + 1]; ++j) {
        std::string field_j = "participants[" + std::to_string(j - c.begin[at.row]) + "]";
        std::string_view who = c.who[j];
        if (!valid_utf8(who)) at.fail("encoding", field_j, "the participant id is not valid UTF-8 text");
        if (who.empty()) at.fail("participants", field_j, "a participant needs an id");
        for (const auto& seen : out)
            if (seen.participant == who) at.fail("participants", "participants", "participant \"" + std::string(who) + "\" is named twice");
        std::optional<decimal> share;
        if (c.share.present() && c.share.has(j)) {
            if (c.share.is_text()) {
                try {
                    share = decimal::parse(c.share.text_values()[j]);
                } catch (const error& e) {
                    at.rethrow(e, field_j);
                }
            } else {
                share = c.share.typed(j);
            }
        }
        out.push_back(credit_value{who, share.value_or(decimal(1))});
    }
}

}  // namespace incentives::detail

namespace incentives {

/// Rows from a table of events, every value checked as intake checks it (same codes, same messages);
/// what needs the program or the catalog (partners, products, duplicate ids, returns' sales) is left
/// to engine::encode.
[[nodiscard]] inline std::vector<event> events_of(const event_columns& in) {
    detail::check_shape(in);
    std::vector<event> out;
    out.reserve(in.rows);
    std::vector<detail::credit_value> credit;
    for (std::size_t r = 0; r < in.rows; ++r) {
        const detail::event_place at{in, r};
        event e;
        e.id = detail::required_at(in.id, at, "id", "missing_id", "every event needs an id");
        e.kind = detail::required_at(in.kind, at, "kind", "missing_kind", "every event needs a kind (sale, return, ...)");
        std::optional<date> on = detail::date_at(in.on, at, "date");
        if (!on) at.fail("missing_date", "date", "every event needs a date (YYYY-MM-DD)");
        e.on = *on;
        // A referral conversion (signup, payment, refund) may carry no partner: attribution decides it
        // (engine::encode refuses it in a program without referrals).
        const auto step = detail::referral_step_of(e.kind);
        e.partner = step && *step != detail::referral_step::touch
                        ? std::string(detail::text_at(in.partner, at, "partner"))
                        : std::string(detail::required_at(in.partner, at, "partner", "missing_partner", "every event needs a partner"));
        detail::credit_at(in.participants, at, credit);
        for (const auto& c : credit) e.participants.push_back(credit_share{std::string(c.participant), c.share});
        e.sku = detail::text_at(in.sku, at, "sku");
        e.category = detail::text_at(in.category, at, "category");
        e.quantity = detail::number_at(in.quantity, at, "quantity").value_or(decimal());
        std::optional<decimal> amount = detail::number_at(in.amount, at, "amount");
        if (!amount && (e.kind == "sale" || e.kind == "return")) detail::missing_amount(in, at, e.kind == "sale");
        e.amount = amount.value_or(decimal());
        e.currency = detail::text_at(in.currency, at, "currency");
        e.reference = detail::text_at(in.reference, at, "reference");
        for (const auto& [name, col] : in.attrs)
            if (std::string_view v = detail::text_at(col, at, name); !v.empty()) e.attrs.emplace(name, v);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace incentives
