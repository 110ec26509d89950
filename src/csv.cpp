// CSV readers for events and reference data (RFC 4180).
//
// The whole file (or, in the CLI, a chunk of it) is read into one string and tokenised in a single
// pass; fields are string_views into that text (a quoted field with "" escapes is unescaped into a
// buffer of its own). Events become columns of those views (event_table): their values are parsed
// and checked by intake (engine/event_values.hpp), like every other door's. Reference data and paid
// lines become rows here.
//
// Accepted: ',' separator, double-quoted fields with "" escapes and embedded ',' and line breaks,
// CRLF or LF line ends, an optional UTF-8 BOM, an optional final line break and empty lines at the
// end of the input. A header row is required. Rejected: a row whose field count differs from the
// header, a '"' inside an unquoted field, text after a closing quote, a CR not followed by LF (outside
// quotes), an unterminated quoted field, unknown / duplicate / missing columns.
//
// Values are never trimmed: " 1" is not a number, " U1" is a different participant than "U1".
//
// Errors of the CSV syntax are input_errors with code "incentives.input.csv" and the text
//   <source>:<line>:<column>: field <name>: <message>
// where <line> is the 1-based physical line of the file on which the row starts (an unterminated
// quote is reported at the line where the quote opened), and <column> is the 1-based FIELD NUMBER
// within the row (not a character offset). Errors in the header row use line 1 and the column of the
// offending header name. A wrong field count is reported as "field count" at the first missing (or
// first extra) field. Value errors of events are intake's, with its codes and the row added
// (<source>:<line>:<column>: row <n> (event "<id>"), field <name>: ...); those of reference data wrap
// decimal::parse / date::parse: their message follows the location.
#include <incentives/io/csv.hpp>

#include <algorithm>
#include <charconv>
#include <climits>
#include <array>
#include <cerrno>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/decimal.hpp>
#include <incentives/detail/suggest.hpp>
#include <incentives/errors.hpp>
#include <incentives/engine/event_values.hpp>
#include <incentives/engine/result.hpp>
#include <incentives/model.hpp>
#include <incentives/rules/credit.hpp>

namespace incentives::io {
namespace {

constexpr std::string_view csv_code = "incentives.input.csv";
constexpr std::string_view attr_prefix = "attr.";

/// The message of an incentives::error without its "[code] " prefix.
std::string_view message_of(const std::exception& e) {
    std::string_view what = e.what();
    if (!what.empty() && what.front() == '[') {
        auto close = what.find("] ");
        if (close != std::string_view::npos) return what.substr(close + 2);
    }
    return what;
}

[[noreturn]] void fail(std::string_view source, std::size_t line, std::size_t column, std::string_view field,
                       std::string_view message) {
    std::string text;
    text.reserve(source.size() + field.size() + message.size() + 40);
    text.append(source).append(":").append(std::to_string(line)).append(":").append(std::to_string(column));
    text.append(": field ").append(field).append(": ").append(message);
    throw input_error(csv_code, text);
}

std::string quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out.append("\"").append(s).append("\"");
    return out;
}

// ------------------------------------------------------------------------------------------------
// Tokenizer

class tokenizer {
public:
    tokenizer(std::string_view text, std::string_view source) : text_(text), source_(source) {
        if (text_.substr(0, 3) == "\xEF\xBB\xBF") {
            text_.remove_prefix(3);
            bom_ = 3;
        }
    }

    /// Reads the next row into fields(); false at the end of the input.
    bool next_row() {
        fields_.clear();
        const std::size_t n = text_.size();
        if (pos_ >= n) return false;
        if ((text_[pos_] == '\n' || text_[pos_] == '\r') &&
            text_.find_first_not_of("\r\n", pos_) == std::string_view::npos)
            return false;  // only empty lines left
        row_line_ = line_;
        std::size_t column = 0;  // 0-based field index
        for (;;) {
            if (pos_ < n && text_[pos_] == '"') {
                fields_.push_back(quoted_field(column));
            } else {
                std::size_t start = pos_;
                while (pos_ < n) {
                    char c = text_[pos_];
                    if (c == ',' || c == '\n' || c == '\r') break;
                    if (c == '"')
                        fail(source_, line_, column + 1, name(column),
                             "a '\"' inside an unquoted field (quote the whole field and double the quote, "
                             "e.g. \"a \"\"b\"\"\")");
                    ++pos_;
                }
                fields_.push_back(text_.substr(start, pos_ - start));
            }
            if (pos_ >= n) return true;  // last row without a line break
            char c = text_[pos_];
            if (c == ',') {
                ++pos_;
                ++column;
                continue;
            }
            if (c == '\n') {
                ++pos_;
                ++line_;
                return true;
            }
            if (c == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n') {
                pos_ += 2;
                ++line_;
                return true;
            }
            if (c == '\r')
                fail(source_, line_, column + 1, name(column),
                     "a carriage return not followed by a line feed (line ends must be LF or CRLF)");
            fail(source_, line_, column + 1, name(column),
                 std::string("unexpected '") + c + "' after the closing quote (expected ',' or the end of the line)");
        }
    }

    [[nodiscard]] const std::vector<std::string_view>& fields() const noexcept { return fields_; }
    /// The 1-based physical line on which the last row read starts.
    [[nodiscard]] std::size_t row_line() const noexcept { return row_line_; }
    /// Whether the last row read was an empty line.
    [[nodiscard]] bool empty_line() const noexcept { return fields_.size() == 1 && fields_[0].empty(); }
    /// The position after the last row read (the start of the next).
    [[nodiscard]] std::size_t pos() const noexcept { return pos_ + bom_; }
    /// Numbers the next row as line `line` (a part of a larger file keeps the file's line numbers).
    void set_line(std::size_t line) noexcept { line_ = line; }
    /// Names the fields in messages once the header is known.
    void set_names(const std::vector<std::string>* names) noexcept { names_ = names; }
    /// The number of line breaks in the input: an upper bound for the number of rows.
    [[nodiscard]] std::size_t line_breaks() const { return static_cast<std::size_t>(std::count(text_.begin(), text_.end(), '\n')); }

private:
    std::string name(std::size_t column) const {
        if (names_ == nullptr) return "header";
        if (column < names_->size()) return (*names_)[column];
        return "#" + std::to_string(column + 1);
    }

    std::string_view quoted_field(std::size_t column) {
        const std::size_t open_line = line_;
        const std::size_t start = ++pos_;
        bool escaped = false;
        std::size_t end;
        for (;;) {
            std::size_t q = text_.find('"', pos_);
            if (q == std::string_view::npos)
                fail(source_, open_line, column + 1, name(column),
                     "unterminated quoted field (the '\"' opened on this line is never closed)");
            line_ += static_cast<std::size_t>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                                         text_.begin() + static_cast<std::ptrdiff_t>(q), '\n'));
            if (q + 1 < text_.size() && text_[q + 1] == '"') {
                escaped = true;
                pos_ = q + 2;
                continue;
            }
            end = q;
            pos_ = q + 1;
            break;
        }
        std::string_view raw = text_.substr(start, end - start);
        if (!escaped) return raw;
        if (scratch_.size() <= column) scratch_.resize(column + 1);
        std::string& buf = scratch_[column];
        buf.clear();
        for (std::size_t i = 0; i < raw.size(); ++i) {
            buf.push_back(raw[i]);
            if (raw[i] == '"') ++i;  // "" -> "
        }
        return buf;
    }

    std::string_view text_;
    std::string_view source_;
    std::size_t bom_ = 0;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    std::size_t row_line_ = 1;
    std::vector<std::string_view> fields_;
    std::deque<std::string> scratch_;  // a deque: growing it keeps the earlier fields of the row in place
    const std::vector<std::string>* names_ = nullptr;
};

// ------------------------------------------------------------------------------------------------
// Header

/// What a file does with columns it does not know.
enum class extras {
    error,              ///< every column must be a known one (plans)
    error_unless_attr,  ///< attr.<name> is attribute <name>, anything else is an error (events)
    attribute,          ///< any other column is an attribute (attr.<name> is attribute <name>)
};

/// A column of the header: a known field (index into the reader's list) or an attribute.
struct layout {
    static constexpr int attribute = -1;
    std::vector<std::string> names;  ///< header names, as written
    std::vector<int> slot;           ///< per column: index of the known field, or `attribute`
    std::vector<std::string> attr;   ///< per column: the attribute name (attribute columns only)
};

std::string join(const std::string_view* begin, const std::string_view* end) {
    std::string out;
    for (auto it = begin; it != end; ++it) {
        if (it != begin) out += ", ";
        out += *it;
    }
    return out;
}

/// Reads and checks the header row. `known` lists the fixed columns; the first `required` of them
/// must be present.
template <std::size_t N>
layout read_header(tokenizer& tok, std::string_view source, const std::array<std::string_view, N>& known,
                   std::size_t required, extras mode) {
    if (!tok.next_row())
        fail(source, 1, 1, "header", "the input is empty; a header row naming the columns is required");
    layout out;
    const auto& fields = tok.fields();
    out.names.assign(fields.begin(), fields.end());
    out.slot.assign(fields.size(), layout::attribute);
    out.attr.resize(fields.size());
    for (std::size_t c = 0; c < fields.size(); ++c) {
        std::string_view name = fields[c];
        if (name.empty()) fail(source, 1, c + 1, quoted(name), "empty column name");
        for (std::size_t p = 0; p < c; ++p)
            if (out.names[p] == name)
                fail(source, 1, c + 1, name,
                     "duplicate column " + quoted(name) + " (also column " + std::to_string(p + 1) + ")");
        auto it = std::find(known.begin(), known.end(), name);
        if (it != known.end()) {
            out.slot[c] = static_cast<int>(it - known.begin());
            continue;
        }
        if (mode == extras::error) {
            std::string hint = detail::did_you_mean(name, known);
            if (hint.empty()) hint = " (the columns are " + join(known.data(), known.data() + N) + ")";
            fail(source, 1, c + 1, name, "unknown column " + quoted(name) + hint);
        }
        std::string_view attr = name;
        if (name.substr(0, attr_prefix.size()) == attr_prefix) {
            attr.remove_prefix(attr_prefix.size());
            if (attr.empty())
                fail(source, 1, c + 1, name, "an attribute column needs a name after \"attr.\", e.g. \"attr.region\"");
        } else if (mode == extras::error_unless_attr) {
            std::string hint = detail::did_you_mean(name, known);
            if (hint.empty())
                hint = " (the columns are " + join(known.data(), known.data() + N) +
                       "; attribute columns are named attr.<name>)";
            fail(source, 1, c + 1, name, "unknown column " + quoted(name) + hint);
        }
        for (std::size_t p = 0; p < c; ++p)
            if (out.slot[p] == layout::attribute && out.attr[p] == attr)
                fail(source, 1, c + 1, name,
                     "attribute " + quoted(attr) + " is named twice (also column " + std::to_string(p + 1) + ")");
        out.attr[c] = std::string(attr);
    }
    for (std::size_t k = 0; k < required; ++k)
        if (std::find(out.names.begin(), out.names.end(), known[k]) == out.names.end())
            fail(source, 1, 1, known[k],
                 "missing required column " + quoted(known[k]) + " (the header must name " +
                     join(known.data(), known.data() + required) + ")");
    return out;
}

// ------------------------------------------------------------------------------------------------
// Rows

/// One data row being converted: locates errors and parses values.
struct row_context {
    std::string_view source;
    const layout* lay;
    std::size_t line = 0;

    [[noreturn]] void error(std::size_t column, std::string_view message) const {
        fail(source, line, column + 1, lay->names[column], message);
    }

    [[nodiscard]] decimal number(std::size_t column, std::string_view v) const {
        try {
            return decimal::parse(v);
        } catch (const incentives::error& e) {
            error(column, message_of(e));
        }
    }
    [[nodiscard]] date day(std::size_t column, std::string_view v) const {
        try {
            return date::parse(v);
        } catch (const incentives::error& e) {
            error(column, message_of(e));
        }
    }
    /// A required identifier: not empty.
    [[nodiscard]] std::string id(std::size_t column, std::string_view v, std::string_view what) const {
        if (v.empty()) error(column, "empty; " + std::string(what));
        return std::string(v);
    }
    /// Empty attribute values are absent attributes.
    void attribute(attributes& attrs, std::size_t column, std::string_view v) const {
        if (!v.empty()) attrs.emplace(lay->attr[column], v);
    }
};

/// Runs `convert(ctx, fields)` on each data row after checking its field count.
template <class T, class Convert>
std::vector<T> read_rows(tokenizer& tok, std::string_view source, const layout& lay, Convert convert) {
    std::vector<T> out;
    out.reserve(tok.line_breaks() + 1);
    row_context ctx{source, &lay, 0};
    tok.set_names(&lay.names);
    const std::size_t expected = lay.names.size();
    while (tok.next_row()) {
        ctx.line = tok.row_line();
        const auto& fields = tok.fields();
        if (fields.size() != expected) {
            std::string got = tok.empty_line() && expected > 1 ? std::string("an empty line")
                                                                : std::to_string(fields.size());
            fail(source, ctx.line, std::min(fields.size(), expected) + 1, "count",
                 "expected " + std::to_string(expected) + " fields as in the header, got " + got);
        }
        out.push_back(convert(ctx, fields));
    }
    return out;
}

// ------------------------------------------------------------------------------------------------
// Events

enum event_col : int { e_id, e_kind, e_date, e_partner, e_participants, e_sku, e_category, e_quantity, e_amount, e_currency, e_reference };
constexpr std::array<std::string_view, 11> event_columns_csv{"id",  "kind",     "date",     "partner",  "participants", "sku",
                                                         "category", "quantity", "amount", "currency", "reference"};

}  // namespace

struct event_table::storage {
    std::string text;
    std::string source;
    std::string header;
    std::deque<std::string> unescaped;                  // fields with "" escapes, unescaped
    std::vector<std::vector<std::string_view>> fields;  // per column of the file
    std::vector<std::uint64_t> lines, row_numbers;
    held_rows held;
    event_columns cols;
    std::vector<std::int32_t> days;
    std::vector<decimal> quantity, amount;
    std::vector<std::uint8_t> day_bits, quantity_bits, amount_bits;
};

event_table::event_table() : s_(std::make_unique<storage>()) {}
event_table::event_table(event_table&&) noexcept = default;
event_table& event_table::operator=(event_table&&) noexcept = default;
event_table::~event_table() = default;
const event_columns& event_table::columns() const noexcept { return s_->cols; }
const std::string& event_table::header() const noexcept { return s_->header; }
held_rows& event_table::held_returns() noexcept { return s_->held; }

void event_table::type_values() {
    auto& st = *s_;
    event_columns& c = st.cols;
    const std::size_t n = c.rows;
    auto set = [](std::vector<std::uint8_t>& bits, std::size_t i) { bits[i >> 3] = static_cast<std::uint8_t>(bits[i >> 3] | (1u << (i & 7))); };
    if (c.on.is_text() && c.on.present()) {
        st.days.assign(n, 0);
        st.day_bits.assign((n + 7) / 8, 0);
        for (std::size_t r = 0; r < n; ++r)
            if (auto d = detail::date_at(c.on, detail::event_place{c, r}, "date")) st.days[r] = d->days(), set(st.day_bits, r);
        c.on = date_column::days(st.days, validity{st.day_bits.data(), 0});
    }
    auto numbers = [&](number_column& col, std::vector<decimal>& values, std::vector<std::uint8_t>& bits, std::string_view field) {
        if (!col.is_text() || !col.present()) return;
        values.assign(n, decimal());
        bits.assign((n + 7) / 8, 0);
        for (std::size_t r = 0; r < n; ++r)
            if (auto v = detail::number_at(col, detail::event_place{c, r}, field)) values[r] = *v, set(bits, r);
        col = number_column::decimals(values, validity{bits.data(), 0});
    };
    numbers(c.quantity, st.quantity, st.quantity_bits, "quantity");
    numbers(c.amount, st.amount, st.amount_bits, "amount");
}

event_table parse_event_table(std::string text, std::string source, table_options options) {
    event_table out;
    auto& st = *out.s_;
    st.text = std::move(text);
    st.source = std::move(source);
    const std::string_view all(st.text);
    tokenizer tok(all, st.source);
    layout lay = read_header(tok, st.source, event_columns_csv, 4, extras::error_unless_attr);
    st.header.assign(all.substr(0, tok.pos()));
    const bool explicit_rows = !options.row_numbers.empty();
    if (options.first_line > 0 && !explicit_rows) tok.set_line(options.first_line);
    tok.set_names(&lay.names);
    const std::size_t expected = lay.names.size();
    st.fields.resize(expected);
    const std::size_t guess = tok.line_breaks() + 1;
    for (auto& f : st.fields) f.reserve(guess);
    st.lines.reserve(guess);
    std::size_t kind_column = expected;
    for (std::size_t c = 0; c < expected; ++c)
        if (lay.slot[c] == e_kind) kind_column = c;
    const char* lo = all.data();
    const char* hi = all.data() + all.size();
    std::uint64_t row_number = options.first_row;
    std::size_t index = 0;  // data rows read, for explicit row numbers
    for (std::size_t start = tok.pos(); tok.next_row(); start = tok.pos(), ++index) {
        const auto& f = tok.fields();
        const std::uint64_t line = explicit_rows && index < options.lines.size() ? options.lines[index] : tok.row_line();
        if (f.size() != expected) {
            std::string got = tok.empty_line() && expected > 1 ? std::string("an empty line") : std::to_string(f.size());
            fail(st.source, line, std::min(f.size(), expected) + 1, "count",
                 "expected " + std::to_string(expected) + " fields as in the header, got " + got);
        }
        const std::uint64_t number = explicit_rows && index < options.row_numbers.size() ? options.row_numbers[index] : row_number;
        ++row_number;
        if (options.hold_returns && kind_column < expected && f[kind_column] == "return") {
            std::string_view raw = all.substr(start, tok.pos() - start);
            st.held.text.append(raw);
            if (raw.empty() || raw.back() != '\n') st.held.text.push_back('\n');
            st.held.row_numbers.push_back(number);
            st.held.lines.push_back(line);
            continue;
        }
        for (std::size_t c = 0; c < expected; ++c) {
            std::string_view v = f[c];
            if (!v.empty() && (v.data() < lo || v.data() >= hi)) v = st.unescaped.emplace_back(v);  // from the tokenizer's scratch
            st.fields[c].push_back(v);
        }
        st.lines.push_back(line);
        st.row_numbers.push_back(number);
    }
    event_columns& cols = st.cols;
    cols.rows = st.lines.size();
    cols.file = st.source;
    cols.lines = st.lines;
    cols.row_numbers = st.row_numbers;
    for (std::size_t c = 0; c < expected; ++c) {
        const auto number = static_cast<std::uint32_t>(c + 1);
        text_column values = text_column::views(st.fields[c]);
        switch (lay.slot[c]) {
            case e_id: cols.id = values, cols.columns.id = number; break;
            case e_kind: cols.kind = values, cols.columns.kind = number; break;
            case e_date: cols.on = date_column::text(values), cols.columns.date = number; break;
            case e_partner: cols.partner = values, cols.columns.partner = number; break;
            case e_participants: cols.participants.text = values, cols.columns.participants = number; break;
            case e_sku: cols.sku = values, cols.columns.sku = number; break;
            case e_category: cols.category = values, cols.columns.category = number; break;
            case e_quantity: cols.quantity = number_column::text(values), cols.columns.quantity = number; break;
            case e_amount: cols.amount = number_column::text(values), cols.columns.amount = number; break;
            case e_currency: cols.currency = values, cols.columns.currency = number; break;
            case e_reference: cols.reference = values, cols.columns.reference = number; break;
            default:
                cols.attrs.emplace_back(lay.attr[c], values);
                cols.attr_columns.push_back(number);
                break;
        }
    }
    return out;
}

namespace {

// ------------------------------------------------------------------------------------------------
// Reference data

enum partner_col : int { pa_id, pa_name, pa_segment, pa_group, pa_region, pa_tier };
constexpr std::array<std::string_view, 6> partner_columns{"id", "name", "segment", "group", "region", "tier"};

std::vector<partner> partners_from(std::string_view text, std::string_view source) {
    tokenizer tok(text, source);
    layout lay = read_header(tok, source, partner_columns, 1, extras::attribute);
    return read_rows<partner>(tok, source, lay, [](const row_context& ctx, const std::vector<std::string_view>& f) {
        partner p;
        for (std::size_t c = 0; c < f.size(); ++c) {
            std::string_view v = f[c];
            switch (ctx.lay->slot[c]) {
                case pa_id: p.id = ctx.id(c, v, "every partner needs an id"); break;
                case pa_name: p.name = v; break;
                case pa_segment: p.segment = v; break;
                case pa_group: p.group = v; break;
                case pa_region: p.region = v; break;
                case pa_tier: p.tier = v; break;
                default: ctx.attribute(p.attrs, c, v); break;
            }
        }
        return p;
    });
}

enum participant_col : int { pp_id, pp_partner, pp_role, pp_birthday };
constexpr std::array<std::string_view, 4> participant_columns{"id", "partner", "role", "birthday"};

std::vector<participant> participants_from(std::string_view text, std::string_view source) {
    tokenizer tok(text, source);
    layout lay = read_header(tok, source, participant_columns, 2, extras::attribute);
    return read_rows<participant>(tok, source, lay,
                                  [](const row_context& ctx, const std::vector<std::string_view>& f) {
        participant p;
        for (std::size_t c = 0; c < f.size(); ++c) {
            std::string_view v = f[c];
            switch (ctx.lay->slot[c]) {
                case pp_id: p.id = ctx.id(c, v, "every participant needs an id"); break;
                case pp_partner: p.partner = ctx.id(c, v, "every participant belongs to a partner"); break;
                case pp_role: p.role = v; break;
                case pp_birthday:
                    if (!v.empty()) p.birthday = ctx.day(c, v);
                    break;
                default: ctx.attribute(p.attrs, c, v); break;
            }
        }
        return p;
    });
}

enum product_col : int { pr_sku, pr_category };
constexpr std::array<std::string_view, 2> product_columns{"sku", "category"};

std::vector<product> products_from(std::string_view text, std::string_view source) {
    tokenizer tok(text, source);
    layout lay = read_header(tok, source, product_columns, 1, extras::attribute);
    return read_rows<product>(tok, source, lay, [](const row_context& ctx, const std::vector<std::string_view>& f) {
        product p;
        for (std::size_t c = 0; c < f.size(); ++c) {
            std::string_view v = f[c];
            switch (ctx.lay->slot[c]) {
                case pr_sku: p.sku = ctx.id(c, v, "every product needs a sku"); break;
                case pr_category: p.category = v; break;
                default: ctx.attribute(p.attrs, c, v); break;
            }
        }
        return p;
    });
}

enum plan_col : int { pl_beneficiary, pl_period, pl_target };
constexpr std::array<std::string_view, 3> plan_columns{"beneficiary", "period", "target"};

std::vector<plan> plans_from(std::string_view text, std::string_view source) {
    tokenizer tok(text, source);
    layout lay = read_header(tok, source, plan_columns, 3, extras::error);
    return read_rows<plan>(tok, source, lay, [](const row_context& ctx, const std::vector<std::string_view>& f) {
        plan p;
        for (std::size_t c = 0; c < f.size(); ++c) {
            std::string_view v = f[c];
            switch (ctx.lay->slot[c]) {
                case pl_beneficiary: p.beneficiary = ctx.id(c, v, "every plan needs a beneficiary"); break;
                case pl_period: p.period_start = ctx.day(c, v); break;
                default: p.target = ctx.number(c, v); break;  // pl_target
            }
        }
        return p;
    });
}

enum paid_col : int { pd_rule, pd_beneficiary, pd_period, pd_amount, pd_type, pd_currency, pd_reference, pd_partner, pd_kind,
                      pd_reverses, pd_returned_by };
// The first four are required; the rest are optional, so that the payouts a run wrote (--out) can be
// given back as what was paid. partner, kind, reverses and returned_by are read and not used: lines
// of every kind add up per rule, beneficiary and period.
constexpr std::array<std::string_view, 11> paid_columns{"rule",     "beneficiary", "period",  "amount",   "beneficiary_type",
                                                        "currency", "reference",   "partner", "kind",     "reverses",
                                                        "returned_by"};
constexpr std::array<std::string_view, 3> beneficiary_types{"partner", "participant", "program"};

std::vector<paid_line> paid_from(std::string_view text, std::string_view source) {
    tokenizer tok(text, source);
    layout lay = read_header(tok, source, paid_columns, 4, extras::error);
    return read_rows<paid_line>(tok, source, lay, [source](const row_context& ctx, const std::vector<std::string_view>& f) {
        paid_line p;
        for (std::size_t c = 0; c < f.size(); ++c) {
            std::string_view v = f[c];
            switch (ctx.lay->slot[c]) {
                case pd_rule: p.rule = ctx.id(c, v, "every paid line names its rule"); break;
                case pd_beneficiary: p.beneficiary = ctx.id(c, v, "every paid line names its beneficiary"); break;
                case pd_period: p.period = ctx.id(c, v, "every paid line names its period, e.g. 2027-Q2"); break;
                case pd_amount: p.amount = ctx.number(c, v); break;
                case pd_type: {
                    if (v.empty()) break;
                    auto it = std::find(beneficiary_types.begin(), beneficiary_types.end(), v);
                    if (it == beneficiary_types.end())
                        ctx.error(c, "unknown beneficiary type " + quoted(v) + ": expected partner, participant or program" +
                                         detail::did_you_mean(v, beneficiary_types));
                    p.beneficiary_type = static_cast<rules::credit::to_t>(it - beneficiary_types.begin());
                    break;
                }
                case pd_currency: p.currency = std::string(v); break;
                case pd_reference: p.reference = std::string(v); break;
                default: break;  // partner, kind, reverses, returned_by
            }
        }
        if (p.reference.empty()) p.reference = std::string(source) + ":" + std::to_string(ctx.line);
        return p;
    });
}

// ------------------------------------------------------------------------------------------------
// Files

struct file_closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

std::string read_file(const std::string& path) {
    std::unique_ptr<std::FILE, file_closer> f(std::fopen(path.c_str(), "rb"));
    if (!f) {
        int err = errno;
        throw input_error("incentives.input.file",
                          path + ": cannot open: " + std::generic_category().message(err));
    }
    std::string data;
    if (std::fseek(f.get(), 0, SEEK_END) == 0) {
        long size = std::ftell(f.get());
        if (size > 0) data.reserve(static_cast<std::size_t>(size));
        std::rewind(f.get());
    }
    char buf[1 << 16];
    for (;;) {
        std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
        data.append(buf, n);
        if (n < sizeof buf) break;
    }
    if (std::ferror(f.get())) {
        int err = errno;
        throw input_error("incentives.input.file",
                          path + ": cannot read: " + std::generic_category().message(err));
    }
    return data;
}

}  // namespace

std::vector<event> parse_events_csv(std::string_view text, std::string_view source) {
    return events_of(parse_event_table(std::string(text), std::string(source), {}).columns());
}

event_table read_event_table(const std::string& path) { return parse_event_table(read_file(path), path, {}); }

std::vector<event> read_events_csv(const std::string& path) { return events_of(read_event_table(path).columns()); }

std::vector<partner> read_partners_csv(const std::string& path) { return partners_from(read_file(path), path); }

std::vector<participant> read_participants_csv(const std::string& path) {
    return participants_from(read_file(path), path);
}

std::vector<product> read_products_csv(const std::string& path) { return products_from(read_file(path), path); }

std::vector<plan> read_plans_csv(const std::string& path) { return plans_from(read_file(path), path); }

std::vector<paid_line> read_paid_csv(const std::string& path) { return paid_from(read_file(path), path); }

}  // namespace incentives::io
