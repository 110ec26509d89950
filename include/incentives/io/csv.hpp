// Reading events and reference data from CSV files (declarations only; compiled in incentives::io).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <incentives/engine/event_columns.hpp>

#include <incentives/engine/result.hpp>
#include <incentives/model.hpp>

namespace incentives::io {

/// How a part of a larger events file is read.
struct table_options {
    std::uint64_t first_row = 1;   ///< the number in the file of the text's first data row
    std::uint64_t first_line = 0;  ///< the line in the file of the text's first data row (0: the line after the header)
    /// Keep rows of kind "return" aside, as their text (held_returns()), so that a reader in chunks
    /// can add them after every sale of the file.
    bool hold_returns = false;
    /// Rows that are not consecutive in the file (held returns read again): each row's number and
    /// line; when given, they replace first_row and first_line.
    std::vector<std::uint64_t> row_numbers, lines;
};

/// Rows kept aside by table_options::hold_returns: their text as in the file (each ends with a line
/// break), with each row's number and line.
struct held_rows {
    std::string text;
    std::vector<std::uint64_t> row_numbers, lines;
};

/// Events read from CSV as columns: views into the text the table keeps (a field with "" escapes is
/// kept unescaped beside it). Values stay text; engine::encode (or events_of) parses and checks them,
/// so a CSV file gets the same errors as any other door, placed at file:line:column and row.
class event_table {
public:
    event_table();
    event_table(event_table&&) noexcept;
    event_table& operator=(event_table&&) noexcept;
    ~event_table();

    [[nodiscard]] const event_columns& columns() const noexcept;
    [[nodiscard]] std::size_t rows() const noexcept { return columns().rows; }
    /// The header row's text, with its line break.
    [[nodiscard]] const std::string& header() const noexcept;
    [[nodiscard]] held_rows& held_returns() noexcept;
    /// Parses the date, quantity and amount text into typed columns now (days, decimals), with the
    /// errors intake would give: a reader thread can do it while the engine adds the previous part.
    void type_values();

    struct storage;

private:
    friend event_table parse_event_table(std::string text, std::string source, table_options options);
    std::unique_ptr<storage> s_;
};

/// Events: id,kind,date,partner,participants,sku,category,quantity,amount,currency,reference and
/// attribute columns named attr.<name>; id, kind, date and partner are required. Participants are
/// "U1:0.6;U2:0.4". `text` starts with the header row. CSV syntax errors name file:line:column
/// (column: the field's number) and the field.
[[nodiscard]] event_table parse_event_table(std::string text, std::string source, table_options options = {});
[[nodiscard]] event_table read_event_table(const std::string& path);

/// The same as rows (events_of the table's columns: every value checked as intake checks it).
[[nodiscard]] std::vector<event> read_events_csv(const std::string& path);
[[nodiscard]] std::vector<event> parse_events_csv(std::string_view text, std::string_view source = "<string>");

/// Partners: id,name,segment,group,region,tier; any other column is an attribute.
[[nodiscard]] std::vector<partner> read_partners_csv(const std::string& path);
/// Participants: id,partner,role,birthday; any other column is an attribute.
[[nodiscard]] std::vector<participant> read_participants_csv(const std::string& path);
/// Products: sku,category; any other column is an attribute.
[[nodiscard]] std::vector<product> read_products_csv(const std::string& path);
/// Plans: beneficiary,period,target (period: any date inside the period).
[[nodiscard]] std::vector<plan> read_plans_csv(const std::string& path);
/// Paid lines (what restate() corrects): rule,beneficiary,period,amount and optionally
/// beneficiary_type, currency, reference; partner, kind, reverses and returned_by are allowed and
/// not used, so the payouts CSV of a run reads as what was paid. An empty reference is "path:line".
[[nodiscard]] std::vector<paid_line> read_paid_csv(const std::string& path);

}  // namespace incentives::io
