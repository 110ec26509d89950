// Events from Arrow data through the C stream interface (see arrow.hpp). A single record batch is read
// in place (utf8 offsets, int64, decimal128 and date32 buffers are the engine's columns as they are);
// several batches, and the layouts intake does not read directly (string views, dictionaries, other
// integer widths, date64, timestamps), are gathered into owned columns first.
#include "arrow.hpp"

#include <cstdio>
#include <cstring>
#include <tuple>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace incentives::python {
namespace {

/// An Arrow struct (stream, schema or array) owned here: the producer's release callback runs once.
template <class T>
struct owned {
    T value{};
    owned() = default;
    owned(const owned&) = delete;
    owned& operator=(const owned&) = delete;
    ~owned() {
        if (value.release != nullptr) value.release(&value);
    }
};

/// One batch's piece of a column: the child array and the offset its parent adds.
struct piece {
    const ArrowArray* array;
    std::int64_t offset;  ///< the child's own offset plus the batch's
    std::int64_t length;
};

struct arrow_column {
    std::string name;
    std::string format;
    const ArrowSchema* schema = nullptr;
    int slot = -1;  ///< the known field, or -1 for an attribute
    std::string attr;
    std::vector<piece> pieces;
};

bool is_text_format(std::string_view f) { return f == "u" || f == "U" || f == "vu"; }
bool is_integer_format(std::string_view f) {
    return f == "l" || f == "i" || f == "s" || f == "c" || f == "L" || f == "I" || f == "S" || f == "C";
}

validity nulls_of(const piece& p) {
    return validity{static_cast<const std::uint8_t*>(p.array->buffers[0]), p.offset};
}

[[noreturn]] void wrong_type(const arrow_column& c, const std::string& what) {
    throw py::type_error("events column \"" + c.name + "\" has Arrow type \"" + c.format + "\": " + what);
}

/// The text of row i of a piece of a string column (utf8, large_utf8, string_view), or of the
/// dictionary value its index names.
std::string_view text_at(const ArrowArray* a, std::string_view format, std::int64_t i) {
    if (format == "u") {
        const auto* off = static_cast<const std::int32_t*>(a->buffers[1]);
        return {static_cast<const char*>(a->buffers[2]) + off[i], static_cast<std::size_t>(off[i + 1] - off[i])};
    }
    if (format == "U") {
        const auto* off = static_cast<const std::int64_t*>(a->buffers[1]);
        return {static_cast<const char*>(a->buffers[2]) + off[i], static_cast<std::size_t>(off[i + 1] - off[i])};
    }
    // string_view: 16 bytes per value; up to 12 bytes inline, else a prefix, a buffer index and an offset.
    const auto* view = static_cast<const unsigned char*>(a->buffers[1]) + 16 * i;
    std::int32_t length = 0;
    std::memcpy(&length, view, 4);
    if (length <= 12) return {reinterpret_cast<const char*>(view + 4), static_cast<std::size_t>(length)};
    std::int32_t buffer = 0, offset = 0;
    std::memcpy(&buffer, view + 8, 4);
    std::memcpy(&offset, view + 12, 4);
    return {static_cast<const char*>(a->buffers[2 + buffer]) + offset, static_cast<std::size_t>(length)};
}

std::int64_t integer_at(const ArrowArray* a, std::string_view f, std::int64_t i) {
    const void* b = a->buffers[1];
    switch (f[0]) {
        case 'l': return static_cast<const std::int64_t*>(b)[i];
        case 'i': return static_cast<const std::int32_t*>(b)[i];
        case 's': return static_cast<const std::int16_t*>(b)[i];
        case 'c': return static_cast<const std::int8_t*>(b)[i];
        case 'L': {
            const std::uint64_t u = static_cast<const std::uint64_t*>(b)[i];
            if (u > static_cast<std::uint64_t>(INT64_MAX)) throw input_error("incentives.input.range", "a uint64 value above 2^63 - 1");
            return static_cast<std::int64_t>(u);
        }
        case 'I': return static_cast<const std::uint32_t*>(b)[i];
        case 'S': return static_cast<const std::uint16_t*>(b)[i];
        default: return static_cast<const std::uint8_t*>(b)[i];  // 'C'
    }
}

class reader {
public:
    reader(column_store& st, std::size_t rows, const number_options& o) : st_(st), rows_(rows), o_(o) {}

    text_column text(const arrow_column& c) {
        const ArrowSchema* dict = c.schema->dictionary;
        if (dict == nullptr && !is_text_format(c.format))
            wrong_type(c, "expected strings (utf8, large_utf8, string_view or a dictionary of strings)");
        if (dict != nullptr && (!is_integer_format(c.format) || !is_text_format(dict->format)))
            wrong_type(c, "expected a dictionary of strings");
        if (c.pieces.size() == 1 && dict == nullptr && c.format != "vu") {  // in place: Arrow's own layout
            const piece& p = c.pieces[0];
            const char* bytes = static_cast<const char*>(p.array->buffers[2]);
            if (c.format == "u")
                return text_column::arrow(bytes, static_cast<const std::int32_t*>(p.array->buffers[1]) + p.offset, rows_, nulls_of(p));
            return text_column::arrow(bytes, static_cast<const std::int64_t*>(p.array->buffers[1]) + p.offset, rows_, nulls_of(p));
        }
        auto& v = st_.views.emplace_back(rows_);
        std::size_t row = 0;
        for (const piece& p : c.pieces) {
            const validity nulls = nulls_of(p);
            for (std::int64_t i = 0; i < p.length; ++i, ++row) {
                if (!nulls.valid(static_cast<std::size_t>(i))) continue;
                if (dict == nullptr) {
                    v[row] = text_at(p.array, c.format, p.offset + i);
                    continue;
                }
                const ArrowArray* values = p.array->dictionary;
                const std::int64_t code = integer_at(p.array, c.format, p.offset + i);
                v[row] = text_at(values, dict->format, values->offset + code);
            }
        }
        return text_column::views(v);
    }

    number_column number(const arrow_column& c, std::optional<int> scale, role r) {
        if (c.schema->dictionary != nullptr || is_text_format(c.format)) return number_column::text(text(c));
        if (c.format[0] == 'f' || c.format[0] == 'g' || c.format[0] == 'e')
            wrong_type(c, "binary floating point is not exact: cast it to decimal128 (e.g. pa.decimal128(18, 2)) or "
                          "pass strings, or integer minor units with amount_scale=" + std::to_string(o_.hint_scale));
        if (c.format.rfind("d:", 0) == 0) return decimal128(c);
        if (!is_integer_format(c.format)) wrong_type(c, "expected numbers: decimal128, integers or strings");
        if (r == role::amount && !scale)
            throw input_error("incentives.input.scale",
                              "events column \"" + c.name + "\" holds integers: pass amount_scale=" + std::to_string(o_.hint_scale) +
                                  " when they count cents, amount_scale=0 when they are whole units (1234 is neither 12.34 "
                                  "nor 1234.00 by guess)",
                              location{"", 0, 0, 0, c.name});
        if (c.pieces.size() == 1 && c.format == "l") {
            const piece& p = c.pieces[0];
            return number_column::units({static_cast<const std::int64_t*>(p.array->buffers[1]) + p.offset, rows_}, *scale, nulls_of(p));
        }
        auto& v = st_.ints.emplace_back(rows_);
        auto& bits = st_.bitmaps.emplace_back((rows_ + 7) / 8, 0);
        gather(c, bits, [&](const piece& p, std::int64_t i, std::size_t row) { v[row] = integer_at(p.array, c.format, p.offset + i); });
        return number_column::units(v, scale.value_or(0), validity{bits.data(), 0});
    }

    date_column dates(const arrow_column& c) {
        if (c.schema->dictionary != nullptr || is_text_format(c.format)) return date_column::text(text(c));
        if (c.format == "tdD" && c.pieces.size() == 1) {
            const piece& p = c.pieces[0];
            return date_column::days({static_cast<const std::int32_t*>(p.array->buffers[1]) + p.offset, rows_}, nulls_of(p));
        }
        // date64 (ms) and timestamps: whole days only (a time of day is not silently dropped).
        std::int64_t per_day = 0;
        if (c.format == "tdD") per_day = 1;
        else if (c.format == "tdm") per_day = 86400000;
        else if (c.format.rfind("tss:", 0) == 0) per_day = 86400;
        else if (c.format.rfind("tsm:", 0) == 0) per_day = 86400000;
        else if (c.format.rfind("tsu:", 0) == 0) per_day = 86400000000LL;
        else if (c.format.rfind("tsn:", 0) == 0) per_day = 86400000000000LL;
        else wrong_type(c, "expected dates (date32, date64, a timestamp at midnight) or \"YYYY-MM-DD\" strings");
        auto& v = st_.days.emplace_back(rows_);
        auto& bits = st_.bitmaps.emplace_back((rows_ + 7) / 8, 0);
        gather(c, bits, [&](const piece& p, std::int64_t i, std::size_t row) {
            const std::int64_t t = per_day == 1 ? static_cast<const std::int32_t*>(p.array->buffers[1])[p.offset + i]
                                                : static_cast<const std::int64_t*>(p.array->buffers[1])[p.offset + i];
            if (t % per_day != 0)
                throw input_error("incentives.input.date_syntax",
                                  "row " + std::to_string(row + 1) + ", field " + c.name +
                                      ": the value has a time of day: pass dates (cast to date32)",
                                  location{"", 0, 0, row + 1, c.name});
            v[row] = static_cast<std::int32_t>(t / per_day);
        });
        return date_column::days(v, validity{bits.data(), 0});
    }

private:
    number_column decimal128(const arrow_column& c) {
        // "d:precision,scale" or "d:precision,scale,bitwidth"
        int precision = 0, scale = 0, bits = 128;
        if (std::sscanf(c.format.c_str(), "d:%d,%d,%d", &precision, &scale, &bits) < 2 || bits != 128)
            wrong_type(c, "only decimal128 is read (cast decimal256 to decimal128 or to strings)");
        if (scale < 0) wrong_type(c, "a negative decimal scale is not read");
        if (c.pieces.size() == 1) {
            const piece& p = c.pieces[0];
            return number_column::decimal128(static_cast<const unsigned char*>(p.array->buffers[1]) + 16 * p.offset, rows_, scale, nulls_of(p));
        }
        auto& v = st_.raw.emplace_back(16 * rows_);
        auto& valid = st_.bitmaps.emplace_back((rows_ + 7) / 8, 0);
        gather(c, valid, [&](const piece& p, std::int64_t i, std::size_t row) {
            std::memcpy(v.data() + 16 * row, static_cast<const unsigned char*>(p.array->buffers[1]) + 16 * (p.offset + i), 16);
        });
        return number_column::decimal128(v.data(), rows_, scale, validity{valid.data(), 0});
    }

    /// Calls `put(piece, index, row)` for every valid value of every piece and sets its bit.
    template <class Put>
    void gather(const arrow_column& c, std::vector<std::uint8_t>& bits, Put&& put) {
        std::size_t row = 0;
        for (const piece& p : c.pieces) {
            const validity nulls = nulls_of(p);
            for (std::int64_t i = 0; i < p.length; ++i, ++row) {
                if (!nulls.valid(static_cast<std::size_t>(i))) continue;
                put(p, i, row);
                bits[row >> 3] = static_cast<std::uint8_t>(bits[row >> 3] | (1u << (row & 7)));
            }
        }
    }

    column_store& st_;
    std::size_t rows_;
    const number_options& o_;
};

[[noreturn]] void stream_error(ArrowArrayStream& s, int code, const char* what) {
    const char* detail = s.get_last_error != nullptr ? s.get_last_error(&s) : nullptr;
    throw py::value_error(std::string("Arrow stream: ") + what + " failed (error " + std::to_string(code) + ")" +
                          (detail != nullptr ? std::string(": ") + detail : std::string()));
}

}  // namespace

event_table events_from_arrow(py::handle source, const number_options& o, const classify_column& classify) {
    py::object capsule = source.attr("__arrow_c_stream__")();
    auto* given = static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule.ptr(), "arrow_array_stream"));
    if (given == nullptr) throw py::error_already_set();
    auto stream = std::make_shared<owned<ArrowArrayStream>>();
    stream->value = *given;
    given->release = nullptr;  // moved out of the capsule: released here, once

    auto schema = std::make_shared<owned<ArrowSchema>>();
    if (int rc = stream->value.get_schema(&stream->value, &schema->value); rc != 0) stream_error(stream->value, rc, "get_schema");
    if (std::string_view(schema->value.format) != "+s")
        throw py::type_error("events: an Arrow stream of tables (struct arrays) was expected, got Arrow type \"" +
                             std::string(schema->value.format) + "\"");
    std::vector<arrow_column> cols;
    for (std::int64_t k = 0; k < schema->value.n_children; ++k) {
        const ArrowSchema* f = schema->value.children[k];
        arrow_column c;
        c.name = f->name != nullptr ? f->name : "";
        c.format = f->format;
        c.schema = f;
        if (c.format == "n") continue;  // a column of nulls: absent
        std::tie(c.slot, c.attr) = classify(c.name);
        cols.push_back(std::move(c));
    }

    event_table out;
    column_store& st = *out.store;
    st.owned.push_back(stream);
    st.owned.push_back(schema);
    std::size_t rows = 0;
    for (;;) {
        auto batch = std::make_shared<owned<ArrowArray>>();
        if (int rc = stream->value.get_next(&stream->value, &batch->value); rc != 0) stream_error(stream->value, rc, "get_next");
        if (batch->value.release == nullptr) break;  // the end of the stream
        if (batch->value.n_children != schema->value.n_children) throw py::value_error("Arrow stream: a batch does not match the schema");
        std::size_t k = 0;
        for (std::int64_t j = 0; j < batch->value.n_children; ++j) {
            if (std::string_view(schema->value.children[j]->format) == "n") continue;
            const ArrowArray* child = batch->value.children[j];
            cols[k++].pieces.push_back(piece{child, child->offset + batch->value.offset, batch->value.length});
        }
        rows += static_cast<std::size_t>(batch->value.length);
        st.owned.push_back(std::move(batch));
    }

    const char* required[] = {"id", "kind", "date", "partner"};
    for (int slot = 0; slot < 4; ++slot) {
        bool found = false;
        for (const auto& col : cols) found = found || col.slot == slot;
        if (!found)
            throw input_error("incentives.input.column", std::string("events: missing required column \"") + required[slot] +
                                                             "\" (events need id, kind, date, partner)");
    }
    event_columns& c = out.columns;
    c.rows = rows;
    reader read(st, rows, o);
    for (const arrow_column& col : cols) {
        switch (col.slot) {
            case 0: c.id = read.text(col); break;
            case 1: c.kind = read.text(col); break;
            case 2: c.on = read.dates(col); break;
            case 3: c.partner = read.text(col); break;
            case 4:
                if (col.schema->dictionary == nullptr && !is_text_format(col.format))
                    wrong_type(col, "participants are strings such as \"U1:0.6;U2:0.4\"");
                c.participants.text = read.text(col);
                break;
            case 5: c.sku = read.text(col); break;
            case 6: c.category = read.text(col); break;
            case 7: c.quantity = read.number(col, o.quantity_scale, role::quantity); break;
            case 8: c.amount = read.number(col, o.amount_scale, role::amount); break;
            case 9: c.currency = read.text(col); break;
            case 10: c.reference = read.text(col); break;
            default: c.attrs.emplace_back(col.attr, read.text(col)); break;
        }
    }
    return out;
}

}  // namespace incentives::python
