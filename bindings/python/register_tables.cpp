// EventTable and Catalog: tables that Python hands over as columns (see columns.hpp), checked as the
// CSV readers check them (known, required and attribute columns) and converted to the engine's rows
// in one pass.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <incentives/detail/suggest.hpp>
#include <incentives/engine/catalog.hpp>
#include <incentives/model.hpp>

#include "arrow.hpp"
#include "columns.hpp"
#include "objects.hpp"
#include "register.hpp"

namespace incentives::python {
namespace {

// ------------------------------------------------------------------------------------------------
// Tables

/// What a table does with columns it does not know.
enum class extras {
    error,              ///< every column is a known one (plans)
    error_unless_attr,  ///< attr.<name> is attribute <name>, anything else is an error (events)
    attribute,          ///< any other column is an attribute (attr.<name> is attribute <name>)
};

/// A known column of a table.
struct field {
    std::string_view name;
    role what;
};

/// The columns of one table, checked: lengths agree, names are known, required ones are there.
struct table {
    std::string name;
    std::size_t rows = 0;
    std::vector<column> known;                         ///< by field index; absent when not given
    std::vector<std::pair<std::string, column>> attrs;  ///< attribute name and its column
};

/// "a, b, c": the names of the first `count` fields.
std::string names_of(const std::vector<field>& fields, std::size_t count) {
    std::string s;
    for (std::size_t f = 0; f < count; ++f) s += (s.empty() ? "" : ", ") + std::string(fields[f].name);
    return s;
}

[[noreturn]] void column_error(const std::string& table, const std::string& message) {
    throw input_error("incentives.input.column", table + ": " + message);
}

/// The attribute a column that is not a known field names ("attr.x" and, where the table allows,
/// "x" name x); an input_error, with a suggestion, when the table takes no such column.
std::string attribute_of(const std::string& table, const std::string& col, const std::vector<field>& fields, extras mode) {
    bool prefixed = col.rfind("attr.", 0) == 0;
    if (mode == extras::error || (mode == extras::error_unless_attr && !prefixed)) {
        std::vector<std::string_view> names;
        for (const auto& f : fields) names.push_back(f.name);
        std::string hint = detail::did_you_mean(col, names);
        if (hint.empty())
            hint = " (the columns are " + names_of(fields, fields.size()) +
                   (mode == extras::error ? std::string(")") : "; attribute columns are named attr.<name>)");
        column_error(table, "unknown column \"" + col + "\"" + hint);
    }
    std::string attr = prefixed ? col.substr(5) : col;
    if (attr.empty()) column_error(table, "an attribute column needs a name after \"attr.\", e.g. \"attr.region\"");
    return attr;
}

/// Reads the columns of a table: every column one length, known fields in their place, the others
/// attributes (as `mode` allows), the first `required` fields present.
table read_table(const std::string& name, const py::dict& columns, const std::vector<field>& fields, std::size_t required,
                 extras mode, const number_options& o) {
    table t{name, 0, std::vector<column>(fields.size()), {}};
    std::string first;
    for (auto [key, values] : columns) {
        if (!PyUnicode_Check(key.ptr()))
            throw py::type_error(name + ": column names must be str, got " + std::string(Py_TYPE(key.ptr())->tp_name));
        std::string col = key.cast<std::string>();
        if (col.empty()) column_error(name, "a column without a name");
        column c(name, col, values);
        if (first.empty()) t.rows = c.size(), first = col;
        else if (c.size() != t.rows)
            column_error(name, "column \"" + col + "\" has " + std::to_string(c.size()) + " rows, column \"" + first +
                                   "\" has " + std::to_string(t.rows));
        auto f = std::find_if(fields.begin(), fields.end(), [&](const field& x) { return x.name == col; });
        if (f != fields.end()) {
            c.refuse_floats(f->what, o);
            t.known[static_cast<std::size_t>(f - fields.begin())] = std::move(c);
            continue;
        }
        std::string attr = attribute_of(name, col, fields, mode);
        for (const auto& [seen, _] : t.attrs)
            if (seen == attr) column_error(name, "attribute \"" + attr + "\" is named twice");
        c.refuse_floats(role::text, o);
        t.attrs.emplace_back(std::move(attr), std::move(c));
    }
    for (std::size_t f = 0; f < required; ++f)
        if (!t.known[f].given())
            column_error(name, "missing required column \"" + std::string(fields[f].name) + "\" (" + name + " need " +
                                   names_of(fields, required) + ")");
    return t;
}

void read_attributes(const table& t, std::size_t i, const place& p, const number_options& o, attributes& out) {
    for (const auto& [name, c] : t.attrs) {
        std::string v = text_of(c, i, p, o);
        if (!v.empty()) out.emplace(name, std::move(v));
    }
}

// ------------------------------------------------------------------------------------------------
// Events

enum event_field : std::size_t { e_id, e_kind, e_date, e_partner, e_participants, e_sku, e_category, e_quantity, e_amount, e_currency, e_reference };
const std::vector<field> event_fields{{"id", role::text},          {"kind", role::text},     {"date", role::date},
                                      {"partner", role::text},     {"participants", role::participants},
                                      {"sku", role::text},         {"category", role::text}, {"quantity", role::quantity},
                                      {"amount", role::amount},    {"currency", role::text}, {"reference", role::text}};

/// The events of a table as columns for intake: str stays text (intake parses it, with the same
/// errors as a CSV file), typed arrays stay typed, the rest is converted cell by cell.
event_table events_from_columns(const py::dict& columns, const number_options& o) {
    table t = read_table("events", columns, event_fields, 4, extras::error_unless_attr, o);
    event_table out;
    column_store& st = *out.store;
    event_columns& c = out.columns;
    const auto& k = t.known;
    c.rows = t.rows;
    // Ids first: messages about any other field name the event.
    c.id = st.text(k[e_id], [](std::size_t i) { return place{"events", i + 1, {}}; }, o);
    const column_store::place_of at = [&c](std::size_t i) {
        return place{"events", i + 1, c.id.present() && i < c.rows ? c.id[i] : std::string_view()};
    };
    c.kind = st.text(k[e_kind], at, o);
    c.on = st.dates(k[e_date], at, o);
    c.partner = st.text(k[e_partner], at, o);
    c.participants = st.credit(k[e_participants], at, o);
    c.sku = st.text(k[e_sku], at, o);
    c.category = st.text(k[e_category], at, o);
    c.quantity = st.number(k[e_quantity], o.quantity_scale, role::quantity, at, o);
    c.amount = st.number(k[e_amount], o.amount_scale, role::amount, at, o);
    c.currency = st.text(k[e_currency], at, o);
    c.reference = st.text(k[e_reference], at, o);
    for (const auto& [name, col] : t.attrs) c.attrs.emplace_back(name, st.text(col, at, o));
    for (const auto& col : k) st.keep.push_back(col.kept());
    for (const auto& [name, col] : t.attrs) st.keep.push_back(col.kept());
    return out;
}

// ------------------------------------------------------------------------------------------------
// Reference data

const std::vector<field> partner_fields{{"id", role::text},    {"name", role::text},   {"segment", role::text},
                                        {"group", role::text}, {"region", role::text}, {"tier", role::text}};
const std::vector<field> participant_fields{
    {"id", role::text}, {"partner", role::text}, {"role", role::text}, {"birthday", role::date}};
const std::vector<field> product_fields{{"sku", role::text}, {"category", role::text}};
const std::vector<field> plan_fields{{"beneficiary", role::text}, {"period", role::date}, {"target", role::number}};

void read_row(const table& t, std::size_t i, const place& p, const number_options& o, partner& r) {
    const auto& c = t.known;
    r.id = text_of(c[0], i, p, o);
    r.name = text_of(c[1], i, p, o);
    r.segment = text_of(c[2], i, p, o);
    r.group = text_of(c[3], i, p, o);
    r.region = text_of(c[4], i, p, o);
    r.tier = text_of(c[5], i, p, o);
    read_attributes(t, i, p, o, r.attrs);
}

void read_row(const table& t, std::size_t i, const place& p, const number_options& o, participant& r) {
    const auto& c = t.known;
    r.id = text_of(c[0], i, p, o);
    r.partner = text_of(c[1], i, p, o);
    r.role = text_of(c[2], i, p, o);
    r.birthday = date_of(c[3], i, p, o);
    read_attributes(t, i, p, o, r.attrs);
}

void read_row(const table& t, std::size_t i, const place& p, const number_options& o, product& r) {
    r.sku = text_of(t.known[0], i, p, o);
    r.category = text_of(t.known[1], i, p, o);
    read_attributes(t, i, p, o, r.attrs);
}

void read_row(const table& t, std::size_t i, const place& p, const number_options& o, plan& r) {
    const auto& c = t.known;
    r.beneficiary = text_of(c[0], i, p, o);
    auto on = date_of(c[1], i, p, o);
    if (!on) fail("missing_value", p, "period", "empty; a plan needs a date inside its period");
    r.period_start = *on;
    auto target = number_of(c[2], i, p, std::nullopt, role::number, o);
    if (!target) fail("missing_value", p, "target", "empty; a plan needs a target");
    r.target = *target;
}

// Paid lines: the columns of read_paid_csv (partner, kind, reverses, returned_by accepted and not
// used, so that result.payouts reads back as what was paid).
const std::vector<field> paid_fields{{"rule", role::text},        {"beneficiary", role::text}, {"period", role::text},
                                     {"amount", role::amount},    {"beneficiary_type", role::text},
                                     {"currency", role::text},    {"reference", role::text},   {"partner", role::text},
                                     {"kind", role::text},        {"reverses", role::text},    {"returned_by", role::text},
                                     {"amount_minor", role::number}, {"period_start", role::date}};

void read_row(const table& t, std::size_t i, const place& p, const number_options& o, paid_line& r) {
    const auto& c = t.known;
    auto required = [&](std::size_t f, std::string_view what) {
        std::string v = text_of(c[f], i, p, o);
        if (v.empty()) fail("missing_value", p, paid_fields[f].name, "empty; " + std::string(what));
        return v;
    };
    r.rule = required(0, "every paid line names its rule");
    r.beneficiary = required(1, "every paid line names its beneficiary");
    r.period = required(2, "every paid line names its period, e.g. 2027-Q2");
    auto amount = number_of(c[3], i, p, std::nullopt, role::amount, o);
    if (!amount) fail("missing_value", p, "amount", "empty; every paid line has an amount");
    r.amount = *amount;
    if (auto type = text_of(c[4], i, p, o); !type.empty()) {
        constexpr std::array<std::string_view, 3> names{"partner", "participant", "program"};
        auto it = std::find(names.begin(), names.end(), type);
        if (it == names.end())
            fail("value", p, "beneficiary_type", "unknown beneficiary type \"" + type + "\": expected partner, participant or program" +
                                                     detail::did_you_mean(type, names));
        r.beneficiary_type = static_cast<rules::credit::to_t>(it - names.begin());
    }
    r.currency = text_of(c[5], i, p, o);
    r.reference = text_of(c[6], i, p, o);
}

/// The rows of a reference table given as a dict of columns (none for None).
template <class Row>
std::vector<Row> rows_of(const std::string& name, const py::object& columns, const std::vector<field>& fields,
                         std::size_t required, extras mode) {
    std::vector<Row> out;
    if (columns.is_none()) return out;
    number_options o;
    table t = read_table(name, columns.cast<py::dict>(), fields, required, mode, o);
    out.resize(t.rows);
    for (std::size_t i = 0; i < t.rows; ++i) read_row(t, i, place{t.name, i + 1, {}}, o, out[i]);
    return out;
}

catalog catalog_from_columns(const py::object& partners, const py::object& participants, const py::object& products,
                             const py::object& plans) {
    return catalog(rows_of<partner>("partners", partners, partner_fields, 1, extras::attribute),
                   rows_of<participant>("participants", participants, participant_fields, 2, extras::attribute),
                   rows_of<product>("products", products, product_fields, 1, extras::attribute),
                   rows_of<plan>("plans", plans, plan_fields, 3, extras::error));
}

}  // namespace

std::vector<paid_line> paid_rows(const py::dict& columns) {
    number_options o;
    table t = read_table("paid", columns, paid_fields, 4, extras::error, o);
    std::vector<paid_line> out(t.rows);
    for (std::size_t i = 0; i < t.rows; ++i) read_row(t, i, place{t.name, i + 1, {}}, o, out[i]);
    return out;
}

void register_tables(py::module_& m) {
    import_datetime_api();

    py::class_<event_table>(m, "EventTable", "Events converted from columns (private: pass tables to Program.run).")
        .def("__len__", [](const event_table& t) { return t.size(); });

    m.def(
        "events_from_arrow",
        [](py::handle source, std::optional<int> amount_scale, std::optional<int> quantity_scale, int hint_scale) {
            for (auto s : {amount_scale, quantity_scale})
                if (s && (*s < 0 || *s > 18)) throw py::value_error("a scale is a number of decimal places, 0 to 18");
            std::vector<std::string> attrs;
            auto classify = [&attrs](const std::string& name) -> std::pair<int, std::string> {
                if (name.empty()) column_error("events", "a column without a name");
                auto f = std::find_if(event_fields.begin(), event_fields.end(), [&](const field& x) { return x.name == name; });
                if (f != event_fields.end()) return {static_cast<int>(f - event_fields.begin()), {}};
                std::string attr = attribute_of("events", name, event_fields, extras::error_unless_attr);
                if (std::find(attrs.begin(), attrs.end(), attr) != attrs.end())
                    column_error("events", "attribute \"" + attr + "\" is named twice");
                attrs.push_back(attr);
                return {-1, attr};
            };
            return events_from_arrow(source, number_options{amount_scale, quantity_scale, hint_scale}, classify);
        },
        py::arg("source"), py::arg("amount_scale") = py::none(), py::arg("quantity_scale") = py::none(), py::arg("hint_scale") = 2,
        "Events from an object with __arrow_c_stream__ (pyarrow, polars, DuckDB) as an EventTable.");

    m.def(
        "events_from_columns",
        [](const py::dict& columns, std::optional<int> amount_scale, std::optional<int> quantity_scale, int hint_scale) {
            for (auto s : {amount_scale, quantity_scale})
                if (s && (*s < 0 || *s > 18)) throw py::value_error("a scale is a number of decimal places, 0 to 18");
            return events_from_columns(columns, number_options{amount_scale, quantity_scale, hint_scale});
        },
        py::arg("columns"), py::arg("amount_scale") = py::none(), py::arg("quantity_scale") = py::none(),
        py::arg("hint_scale") = 2,
        "Converts a dict of event columns (lists or 1-d numpy arrays) to an EventTable.");

    py::class_<catalog>(m, "Catalog", "Partners, participants, products and plans (private).")
        .def_property_readonly("partners", [](const catalog& c) { return c.partners().size(); })
        .def_property_readonly("participants", [](const catalog& c) { return c.participants().size(); })
        .def_property_readonly("products", [](const catalog& c) { return c.products().size(); })
        .def_property_readonly("plans", [](const catalog& c) { return c.plans().size(); });

    m.def("catalog_from_columns", &catalog_from_columns, py::arg("partners") = py::none(),
          py::arg("participants") = py::none(), py::arg("products") = py::none(), py::arg("plans") = py::none(),
          "Converts dicts of columns (or None) to a checked Catalog.");
}

}  // namespace incentives::python
