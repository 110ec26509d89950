// The column door (event_columns): every form of a column gives the same batch, and the same bad
// value gets the same code and message through every door (rows, CSV, columns), with its location
// as fields.
#include <doctest/doctest.h>

#include <incentives/detail/suggest.hpp>
#include <incentives/engine/event_values.hpp>
#include <incentives/io/csv.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "engine_fixtures.hpp"

using namespace fixtures;

namespace {

program rebate_program() {
    rules::rule r;
    r.id = "rebate";
    r.per = period_unit::quarter;
    r.pay.kind = rules::schedule::kind_t::rate;
    r.pay.value = d("0.1");
    return base_program({r});
}

std::vector<std::string> lines_of(const result& r) {
    std::vector<std::string> out;
    for (const auto& l : r.lines) out.push_back(l.rule + "|" + l.beneficiary + "|" + l.period + "|" + l.amount.to_string());
    return out;
}

/// The code and message of what `f` throws, and its location.
template <class F>
std::pair<std::string, location> failure(F&& f) {
    try {
        f();
    } catch (const input_error& e) {
        return {e.what(), e.where()};
    }
    FAIL("expected an input_error");
    return {};
}

}  // namespace

TEST_CASE("columns: int64 units with a declared scale, decimal128, date32 and text give the same lines") {
    // Two sales of P1 in Q1: 100.00 and 0.05, at 10%: 10.00 + 0.005 -> 10.005 -> 10.00 (half-even).
    std::vector<std::string_view> ids{"S1", "S2"}, kinds{"sale", "sale"}, partners{"P1", "P1"};
    std::vector<std::int32_t> days{date(2027, 1, 10).days(), date(2027, 2, 1).days()};
    std::vector<std::int64_t> cents{10000, 5};
    // decimal128 at scale 3: 100.000 and 0.050, little-endian 16 bytes each.
    std::vector<unsigned char> wide(32, 0);
    std::int64_t lo0 = 100000, lo1 = 50;
    std::memcpy(wide.data(), &lo0, 8);
    std::memcpy(wide.data() + 16, &lo1, 8);
    std::vector<std::string_view> amounts_text{"100.00", "0.05"}, dates_text{"2027-01-10", "2027-02-01"};

    event_columns base;
    base.rows = 2;
    base.id = text_column::views(ids);
    base.kind = text_column::views(kinds);
    base.partner = text_column::views(partners);
    base.on = date_column::days(days);

    auto run_with = [&](event_columns c) {
        engine e(rebate_program(), small_catalog());
        e.add(c);
        return lines_of(e.run());
    };
    event_columns units = base;
    units.amount = number_column::units(cents, 2);
    event_columns dec = base;
    dec.amount = number_column::decimal128(wide.data(), 2, 3);
    event_columns text = base;
    text.amount = number_column::text(text_column::views(amounts_text));
    text.on = date_column::text(text_column::views(dates_text));

    const std::vector<std::string> expected{"rebate|P1|2027-Q1|10.00"};
    CHECK(run_with(units) == expected);
    CHECK(run_with(dec) == expected);
    CHECK(run_with(text) == expected);

    // Arrow utf8 layout: offsets into one buffer; a null (validity bit clear) is a missing value.
    const char bytes[] = "S1S2";
    std::vector<std::int32_t> offsets{0, 2, 4};
    event_columns arrow = units;
    arrow.id = text_column::arrow(bytes, offsets.data(), 2);
    CHECK(run_with(arrow) == expected);
    std::uint8_t valid = 0b01;  // row 1's amount is null
    event_columns with_null = units;
    with_null.amount = number_column::units(cents, 2, validity{&valid, 0});
    auto [what, where] = failure([&] { run_with(with_null); });
    CHECK(what == "[incentives.input.missing_amount] row 2 (event \"S2\"), field amount: every sale needs an amount");
    CHECK(where.row == 2);
    CHECK(where.field == "amount");
    CHECK(where.file.empty());
}

TEST_CASE("columns: a scale finer than the program's is exact or an error, never rounded") {
    std::vector<std::string_view> ids{"S1"}, kinds{"sale"}, partners{"P1"};
    std::vector<std::int32_t> days{date(2027, 1, 10).days()};
    std::vector<std::int64_t> mills{100010};  // 100.010 at scale 3: exactly 100.01
    event_columns c;
    c.rows = 1;
    c.id = text_column::views(ids);
    c.kind = text_column::views(kinds);
    c.partner = text_column::views(partners);
    c.on = date_column::days(days);
    c.amount = number_column::units(mills, 3);
    engine e(rebate_program(), small_catalog());
    auto b = e.encode(c);
    CHECK(b.amount[0] == 10001);  // cents
    mills[0] = 100011;  // 100.011 has a third place the program (2 places) cannot hold
    auto [what, where] = failure([&] { (void)e.encode(c); });
    CHECK(what == "[incentives.input.precision] row 1 (event \"S1\"), field amount: 100.011 has more than 2 decimal places");
    CHECK(where.field == "amount");
}

TEST_CASE("columns: a sale without an amount is an error through every door, never 0.00") {
    const std::string csv_without_column = "id,kind,date,partner\nS1,sale,2027-01-10,P1\n";
    const std::string csv_empty_amount = "id,kind,date,partner,amount\nS1,sale,2027-01-10,P1,\n";
    const std::string expected_no_column =
        "[incentives.input.missing_amount] events.csv:2: row 1 (event \"S1\"), field amount: every sale needs an amount (the table has no "
        "amount column)";
    const std::string expected_empty =
        "[incentives.input.missing_amount] events.csv:2:5: row 1 (event \"S1\"), field amount: every sale needs an amount";
    engine e(rebate_program(), small_catalog());
    auto t1 = io::parse_event_table(csv_without_column, "events.csv");
    auto [what1, where1] = failure([&] { (void)e.encode(t1.columns()); });
    CHECK(what1 == expected_no_column);
    CHECK(where1.line == 2);
    CHECK(where1.column == 0);  // the file has no such column
    auto t2 = io::parse_event_table(csv_empty_amount, "events.csv");
    auto [what2, where2] = failure([&] { (void)e.encode(t2.columns()); });
    CHECK(what2 == expected_empty);
    CHECK(where2.file == "events.csv");
    CHECK(where2.line == 2);
    CHECK(where2.column == 5);
    CHECK(where2.row == 1);
    // The row reader checks values the same way.
    CHECK(failure([&] { (void)io::parse_events_csv(csv_empty_amount, "events.csv"); }).first == expected_empty);
    // A training or other kind without an amount is fine: it has nothing to pay on.
    auto t3 = io::parse_event_table("id,kind,date,partner,amount\nT1,training,2027-01-10,P1,\n", "events.csv");
    CHECK(e.encode(t3.columns()).amount[0] == 0);
}

TEST_CASE("columns: the same bad value gets the same code and message from rows and from columns") {
    // A bad share in rows (decimals from the caller) and in a CSV table: same code, same words.
    std::vector<event> rows{sale("S1", date(2027, 1, 10), "P1", "", 1, "100.00", {{"M1", d("0.6")}, {"S1", d("0.5")}})};
    engine e(rebate_program(), small_catalog());
    auto [row_what, row_where] = failure([&] { (void)e.encode(rows); });
    auto table = io::parse_event_table("id,kind,date,partner,participants,amount\nS1,sale,2027-01-10,P1,M1:0.6;S1:0.5,100.00\n", "e.csv");
    auto [csv_what, csv_where] = failure([&] { (void)e.encode(table.columns()); });
    CHECK(row_where.row == 1);
    CHECK(csv_where.row == 1);
    // Rows come as decimals (intake sums them); CSV text is read by the shared participants reader.
    CHECK(row_what.find("[incentives.input.share] row 1 (event \"S1\"), field participants: the shares add up to 1.1") == 0);
    CHECK(csv_what.find("[incentives.input.participants] e.csv:2:5: row 1 (event \"S1\"), field participants:") == 0);

    // An unknown partner: identical text after the location, whatever the door.
    std::vector<event> unknown{sale("S1", date(2027, 1, 10), "P9", "", 1, "1.00")};
    auto t = io::parse_event_table("id,kind,date,partner,amount\nS1,sale,2027-01-10,P9,1.00\n", "e.csv");
    auto [a, wa] = failure([&] { (void)e.encode(unknown); });
    auto [b, wb] = failure([&] { (void)e.encode(t.columns()); });
    CHECK(a == "[incentives.input.unknown_partner] row 1 (event \"S1\"), field partner: unknown partner \"P9\" (did you mean \"P1\"?)");
    CHECK(b == "[incentives.input.unknown_partner] e.csv:2:4: row 1 (event \"S1\"), field partner: unknown partner \"P9\" (did you mean \"P1\"?)");
    CHECK(wb.column == 4);
}

TEST_CASE("columns: ids and keys that are not UTF-8 are refused with the row and field") {
    engine e(rebate_program(), small_catalog());
    const std::string bad_id = "id,kind,date,partner,amount\nS\xff" "1,sale,2027-01-10,P1,1.00\n";
    auto [what, where] = failure([&] { (void)e.encode(io::parse_event_table(bad_id, "e.csv").columns()); });
    CHECK(what.find("[incentives.input.encoding] e.csv:2:1: row 1, field id: the value is not valid UTF-8") == 0);
    CHECK(where.field == "id");
    // An overlong encoding of '/' (0xC0 0xAF) and a lone surrogate (0xED 0xA0 0x80) are not UTF-8 either.
    CHECK_FALSE(detail::valid_utf8("\xc0\xaf"));
    CHECK_FALSE(detail::valid_utf8("\xed\xa0\x80"));
    CHECK(detail::valid_utf8("Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x98\x80"));  // Grüße € 😀
    const std::string bad_attr = "id,kind,date,partner,amount,attr.region\nS1,sale,2027-01-10,P1,1.00,\xe2\x82\n";
    auto [what2, where2] = failure([&] { (void)e.encode(io::parse_event_table(bad_attr, "e.csv").columns()); });
    CHECK(where2.field == "region");
    CHECK(where2.column == 6);
    CHECK(what2.find("[incentives.input.encoding]") == 0);
}

TEST_CASE("columns: a column shorter than the table is the caller's error, said before reading") {
    std::vector<std::string_view> ids{"S1"}, kinds{"sale", "sale"}, partners{"P1", "P1"};
    std::vector<std::int32_t> days{0, 0};
    event_columns c;
    c.rows = 2;
    c.id = text_column::views(ids);
    c.kind = text_column::views(kinds);
    c.partner = text_column::views(partners);
    c.on = date_column::days(days);
    engine e(rebate_program(), small_catalog());
    CHECK_THROWS_WITH_AS((void)e.encode(c), "[incentives.input.shape] the id column has 1 values for 2 rows", input_error);
}

TEST_CASE("unknown kinds: warn (the default) lists them with counts, error refuses them, ignore takes them") {
    // The rebate selects sales only (no kind named: sales). "sael" is a typo; "training" no rule pays.
    auto events = [] {
        auto s = sale("S1", date(2027, 1, 10), "P1", "", 1, "100.00");
        auto typo = s, typo2 = s, course = s;
        typo.id = "T1", typo.kind = "sael";
        typo2.id = "T2", typo2.kind = "sael";
        course.id = "C1", course.kind = "training";
        return std::vector<event>{s, typo, typo2, course};
    };
    engine warn(rebate_program(), small_catalog());
    warn.add(events());
    auto r = warn.run();
    const std::vector<std::pair<std::string, std::uint64_t>> expected{{"sael", 2}, {"training", 1}};
    CHECK(r.unknown_kinds == expected);
    CHECK(r.events_seen == 4);
    // The counts survive a snapshot.
    auto again = engine::restore(rebate_program(), small_catalog(), warn.snapshot());
    CHECK(again.run().unknown_kinds == expected);

    auto refuse = rebate_program();
    refuse.unknown_kinds = unknown_kind_policy::error;
    engine strict(refuse, small_catalog());
    auto [what, where] = failure([&] { strict.add(events()); });
    CHECK(what == "[incentives.input.unknown_kind] row 2 (event \"T1\"), field kind: no rule selects events of kind \"sael\" "
                  "(did you mean \"sale\"?) (the program pays on sale and return; declare unknown_kinds: warn or ignore to take "
                  "such events anyway)");
    CHECK(where.row == 2);
    // A swap of two neighbouring letters is one edit, so "sael" is near "sale" (Levenshtein says 2).
    CHECK(detail::edit_distance("sael", "sale") == 1);
    CHECK(detail::edit_distance("kitten", "sitting") == 3);

    auto quiet = rebate_program();
    quiet.unknown_kinds = unknown_kind_policy::ignore;
    engine silent(quiet, small_catalog());
    silent.add(events());
    CHECK(silent.run().unknown_kinds.empty());

    // A rule that names training makes it known; a rule that selects by another field alone pays any kind.
    auto with_training = rebate_program();
    with_training.rules.push_back(with_training.rules[0]);
    with_training.rules[1].id = "course";
    with_training.rules[1].select = rules::selector::in({rules::field::scope::event, "kind"}, {"training"});
    engine trained(with_training, small_catalog());
    trained.add(events());
    CHECK(trained.run().unknown_kinds == std::vector<std::pair<std::string, std::uint64_t>>{{"sael", 2}});
    auto any_kind = rebate_program();
    any_kind.rules[0].select = rules::selector::negate(rules::selector::in({rules::field::scope::event, "kind"}, {"return"}));
    engine open(any_kind, small_catalog());
    open.add(events());
    CHECK(open.run().unknown_kinds.empty());
}

TEST_CASE("regression: an empty kind on the first row is refused (it equalled the empty last kind)") {
    engine e(rebate_program(), small_catalog());
    auto s = sale("S1", date(2027, 1, 10), "P1", "", 1, "100.00");
    s.kind.clear();
    CHECK_THROWS_WITH_AS(e.add(std::vector<event>{s}),
                         "[incentives.input.missing_kind] row 1 (event \"S1\"), field kind: every event needs a kind (sale, return, ...)",
                         input_error);
}
