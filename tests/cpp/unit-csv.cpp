// incentives::io CSV readers — synopsis:
//   parse_events_csv(text, source), read_events_csv(path)
//   read_partners_csv, read_participants_csv, read_products_csv, read_plans_csv (path)
//   errors: input_error "[incentives.input.csv] <source>:<line>:<field number>: field <name>: <message>"
#include <doctest/doctest.h>

#include <incentives/io/csv.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

using incentives::date;
using incentives::decimal;
using incentives::input_error;
using incentives::io::parse_events_csv;

namespace {

const std::string header = "id,kind,date,partner,participants,sku,category,quantity,amount,currency,reference\n";

/// A scratch directory under the system temp directory, removed with everything in it.
class temp_dir {
public:
    temp_dir() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("incentives-unit-csv-" + std::to_string(std::random_device{}()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    /// Writes `content` byte for byte to <dir>/<name> and returns its path.
    [[nodiscard]] std::string write(const std::string& name, std::string_view content) const {
        auto p = path_ / name;
        std::ofstream out(p, std::ios::binary);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        return p.string();
    }
    [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace

TEST_CASE("events: every column, quoting, attributes and exact decimals") {
    std::string text =
        "id,kind,date,partner,participants,sku,category,quantity,amount,currency,reference,attr.channel,attr.note\n"
        "E1,sale,2027-04-01,P1,U1:0.6;U2:0.4,SKU-1,laptops,2,1200.10,EUR,,web,\"big, \"\"important\"\" deal\"\n"
        "E2,return,2027-04-15,P1,U1,SKU-1,laptops,1,-600.05,EUR,E1,,\"two\nlines\"\n"
        "E3,training,2027-05-02,P2,,,,,,,,\"\",\n";
    auto events = parse_events_csv(text, "events.csv");
    REQUIRE(events.size() == 3);

    const auto& e1 = events[0];
    CHECK(e1.id == "E1");
    CHECK(e1.kind == "sale");
    CHECK(e1.on == date(2027, 4, 1));
    CHECK(e1.partner == "P1");
    REQUIRE(e1.participants.size() == 2);
    CHECK(e1.participants[0].participant == "U1");
    CHECK(e1.participants[0].share.to_string() == "0.6");
    CHECK(e1.participants[1].participant == "U2");
    CHECK(e1.participants[1].share.to_string() == "0.4");
    CHECK(e1.sku == "SKU-1");
    CHECK(e1.category == "laptops");
    CHECK(e1.quantity.to_string() == "2");
    CHECK(e1.amount.to_string() == "1200.10");
    CHECK(e1.amount.scale() == 2);
    CHECK(e1.currency == "EUR");
    CHECK(e1.reference.empty());
    CHECK(e1.attrs.size() == 2);
    CHECK(e1.attrs.at("channel") == "web");
    CHECK(e1.attrs.at("note") == "big, \"important\" deal");

    const auto& e2 = events[1];
    CHECK(e2.kind == "return");
    REQUIRE(e2.participants.size() == 1);
    CHECK(e2.participants[0].participant == "U1");
    CHECK(e2.participants[0].share == decimal(1));
    CHECK(e2.amount.to_string() == "-600.05");
    CHECK(e2.reference == "E1");
    CHECK(e2.attrs.count("channel") == 0);  // an empty attribute value is no attribute
    CHECK(e2.attrs.at("note") == "two\nlines");

    const auto& e3 = events[2];
    CHECK(e3.kind == "training");
    CHECK(e3.participants.empty());
    CHECK(e3.quantity.is_zero());  // empty quantity and amount are 0
    CHECK(e3.amount.is_zero());
    CHECK(e3.sku.empty());
    CHECK(e3.attrs.empty());
}

TEST_CASE("events: decimals stay exact, with their scale") {
    auto events = parse_events_csv(header + "E1,sale,2027-04-01,P1,U1:0.10;U2:0.90,,,0.10,0.10,EUR,\n");
    REQUIRE(events.size() == 1);
    CHECK(events[0].amount.to_string() == "0.10");
    CHECK(events[0].amount.scale() == 2);
    CHECK(events[0].quantity.to_string() == "0.10");
    CHECK(events[0].participants[0].share.to_string() == "0.10");
    CHECK(events[0].participants[0].share.scale() == 2);
    // Beyond what a double holds exactly.
    auto big = parse_events_csv(header + "E1,sale,2027-04-01,P1,,,,1,12345678901234567890.123456789,EUR,\n");
    CHECK(big[0].amount.to_string() == "12345678901234567890.123456789");
}

TEST_CASE("events: CRLF line ends, a UTF-8 BOM, optional columns, no final line break") {
    std::string text = "\xEF\xBB\xBFid,date,kind,partner,amount\r\n"
                       "E1,2027-04-01,sale,P1,10\r\n"
                       "\"E,2\",2027-04-02,sale,P1,\"20.5\"";
    auto events = parse_events_csv(text);
    REQUIRE(events.size() == 2);
    CHECK(events[0].id == "E1");
    CHECK(events[0].amount.to_string() == "10");
    CHECK(events[1].id == "E,2");
    CHECK(events[1].amount.to_string() == "20.5");
    CHECK(events[1].currency.empty());

    // Quoted CRLF is kept as data; trailing empty lines are allowed.
    auto crlf = parse_events_csv("id,kind,date,partner,attr.note\r\nE1,training,2027-04-01,P1,\"a\r\nb\"\r\n\r\n\r\n");
    REQUIRE(crlf.size() == 1);
    CHECK(crlf[0].attrs.at("note") == "a\r\nb");

    CHECK(parse_events_csv(header).empty());
    CHECK(parse_events_csv(header + "\n").empty());
}

TEST_CASE("events: value errors name source, line, field number and field") {
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(header + "E1,sale,2027-04-01,P1,,,,1,10.00,EUR,\n"
                                        "E2,sale,2027-04-02,P1,,,,1,\"12,50\",EUR,\n",
                               "events.csv"),
        "[incentives.input.decimal_syntax] events.csv:3:9: row 2 (event \"E2\"), field amount: \"12,50\" is not a decimal number: unexpected ',' at "
        "position 3 (expected digits with an optional sign, one '.' and an optional exponent, e.g. \"-12.50\" or "
        "\"2.5e-3\")",
        input_error);
    // Whitespace is not trimmed.
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(header + "E1,sale,2027-04-01,P1,,,, 1,10,EUR,\n", "events.csv"),
        "[incentives.input.decimal_syntax] events.csv:2:8: row 1 (event \"E1\"), field quantity: \" 1\" is not a decimal number: unexpected ' ' at "
        "position 1 (expected digits with an optional sign, one '.' and an optional exponent, e.g. \"-12.50\" or "
        "\"2.5e-3\")",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(header + "E1,sale,2027-4-01,P1,,,,1,10,EUR,\n", "events.csv"),
        "[incentives.input.date_syntax] events.csv:2:3: row 1 (event \"E1\"), field date: \"2027-4-01\" is not a date: wrong shape (expected "
        "YYYY-MM-DD, e.g. 2027-04-01)",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(header + "E1,sale,2027-02-30,P1,,,,1,10,EUR,\n", "events.csv"),
        "[incentives.input.date_syntax] events.csv:2:3: row 1 (event \"E1\"), field date: \"2027-02-30\" is not a date: no such day (expected "
        "YYYY-MM-DD, e.g. 2027-04-01)",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(header + ",sale,2027-04-01,P1,,,,1,10,EUR,\n", "events.csv"),
        "[incentives.input.missing_id] events.csv:2:1: row 1, field id: every event needs an id", input_error);
}

TEST_CASE("events: the line is the physical line where the row starts") {
    // Row 2 spans lines 2-3 (a quoted line break); row 3 starts on line 4.
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv("id,kind,date,partner,attr.note,amount\n"
                               "E1,sale,2027-04-01,P1,\"a\nb\",1\n"
                               "E2,sale,2027-04-01,P1,c,x\n",
                               "events.csv"),
        "[incentives.input.decimal_syntax] events.csv:4:6: row 2 (event \"E2\"), field amount: \"x\" is not a decimal number: unexpected 'x' at "
        "position 1 (expected digits with an optional sign, one '.' and an optional exponent, e.g. \"-12.50\" or "
        "\"2.5e-3\")",
        input_error);
}

TEST_CASE("events: wrong field count") {
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(header + "E1,sale,2027-04-01,P1,,,,1,10,EUR\n", "events.csv"),
        "[incentives.input.csv] events.csv:2:11: field count: expected 11 fields as in the header, got 10",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(header + "E1,sale,2027-04-01,P1,,,,1,10,EUR,,x\n", "events.csv"),
        "[incentives.input.csv] events.csv:2:12: field count: expected 11 fields as in the header, got 12",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(header + "\nE1,sale,2027-04-01,P1,,,,1,10,EUR,\n", "events.csv"),
        "[incentives.input.csv] events.csv:2:2: field count: expected 11 fields as in the header, got an empty line",
        input_error);
}

TEST_CASE("events: header errors") {
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv("id,kind,date,partner,quantity,amout\n", "events.csv"),
        "[incentives.input.csv] events.csv:1:6: field amout: unknown column \"amout\" (did you mean \"amount\"?)",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv("id,kind,date,partner,channel\n", "events.csv"),
        "[incentives.input.csv] events.csv:1:5: field channel: unknown column \"channel\" (the columns are id, "
        "kind, date, partner, participants, sku, category, quantity, amount, currency, reference; attribute "
        "columns are named attr.<name>)",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv("id,kind,date,amount\n", "events.csv"),
        "[incentives.input.csv] events.csv:1:1: field partner: missing required column \"partner\" (the header "
        "must name id, kind, date, partner)",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv("id,kind,date,partner,id\n", "events.csv"),
        "[incentives.input.csv] events.csv:1:5: field id: duplicate column \"id\" (also column 1)", input_error);
    CHECK_THROWS_WITH_AS((void)parse_events_csv("", "events.csv"),
                               "[incentives.input.csv] events.csv:1:1: field header: the input is empty; a header "
                               "row naming the columns is required",
                               input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv("id,kind,date,partner,attr.\n", "events.csv"),
        "[incentives.input.csv] events.csv:1:5: field attr.: an attribute column needs a name after \"attr.\", "
        "e.g. \"attr.region\"",
        input_error);
}

TEST_CASE("events: quoting errors") {
    // Reported on the line where the quote opened (line 3), in the field where it opened (5).
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv("id,kind,date,partner,attr.note\n"
                               "E1,sale,2027-04-01,P1,ok\n"
                               "E2,sale,2027-04-01,P1,\"never\nclosed\n",
                               "events.csv"),
        "[incentives.input.csv] events.csv:3:5: field attr.note: unterminated quoted field (the '\"' opened on "
        "this line is never closed)",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv("id,kind,date,partner,attr.note\nE1,sale,2027-04-01,P1,\"a\"b\n", "events.csv"),
        "[incentives.input.csv] events.csv:2:5: field attr.note: unexpected 'b' after the closing quote (expected "
        "',' or the end of the line)",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv("id,kind,date,partner,attr.note\nE1,sale,2027-04-01,P1,a\"b\n", "events.csv"),
        "[incentives.input.csv] events.csv:2:5: field attr.note: a '\"' inside an unquoted field (quote the whole "
        "field and double the quote, e.g. \"a \"\"b\"\"\")",
        input_error);
}

TEST_CASE("events: participants and shares") {
    auto row = [](std::string_view participants) {
        return header + "E1,sale,2027-04-01,P1," + std::string(participants) + ",,,1,10,EUR,\n";
    };
    auto three = parse_events_csv(row("U1:0.5;U2:0.25;U3:0.25"));
    REQUIRE(three[0].participants.size() == 3);
    CHECK(three[0].participants[2].participant == "U3");
    CHECK(three[0].participants[2].share.to_string() == "0.25");

    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(row("U1:0.6;U2:x"), "events.csv"),
        "[incentives.input.participants] events.csv:2:5: row 1 (event \"E1\"), field participants: \"U1:0.6;U2:x\": share of \"U2\": \"x\" is "
        "not a decimal number: unexpected 'x' at position 1 (expected digits with an optional sign, one '.' and an "
        "optional exponent, e.g. \"-12.50\" or \"2.5e-3\")",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(row("U1:0.6;U2:0.5"), "events.csv"),
        "[incentives.input.participants] events.csv:2:5: row 1 (event \"E1\"), field participants: \"U1:0.6;U2:0.5\": the shares add up to 1.1, "
        "not 1 (decimal shares add up to 1; give whole-number weights such as 2 and 1, or fractions such as 1/3)",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(row("U1:1.5;U2:-0.5"), "events.csv"),
        "[incentives.input.participants] events.csv:2:5: row 1 (event \"E1\"), field participants: \"U1:1.5;U2:-0.5\": share of \"U1\" is 1.5; "
        "a share with decimals is at most 1 (whole numbers are weights, such as 2 and 1)",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(row("U1;U2"), "events.csv"),
        "[incentives.input.participants] events.csv:2:5: row 1 (event \"E1\"), field participants: \"U1;U2\": with several participants each "
        "needs a share (expected e.g. \"U1:0.6;U2:0.4\", \"U1:1/3;U2:2/3\", weights \"U1:2;U2:1\", or \"U1\" for a single "
        "participant)",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(row("U1:0.5;;U2:0.5"), "events.csv"),
        "[incentives.input.participants] events.csv:2:5: row 1 (event \"E1\"), field participants: \"U1:0.5;;U2:0.5\": participant 2 is empty "
        "(expected e.g. \"U1:0.6;U2:0.4\", \"U1:1/3;U2:2/3\", weights \"U1:2;U2:1\", or \"U1\" for a single participant)",
        input_error);
    CHECK_THROWS_WITH_AS(
        (void)parse_events_csv(row("U1:0.5;U1:0.5"), "events.csv"),
        "[incentives.input.participants] events.csv:2:5: row 1 (event \"E1\"), field participants: \"U1:0.5;U1:0.5\": participant \"U1\" is "
        "named twice",
        input_error);
    // Fractions become whole-number weights over their common denominator: 1/3, 1/6, 1/2 -> 2, 1, 3 (of 6).
    auto thirds = parse_events_csv(row("U1:1/3;U2:1/6;U3:1/2"));
    REQUIRE(thirds[0].participants.size() == 3);
    CHECK(thirds[0].participants[0].share == decimal(2));
    CHECK(thirds[0].participants[1].share == decimal(1));
    CHECK(thirds[0].participants[2].share == decimal(3));
    // Whole numbers are weights of any sum, kept as given.
    auto weights = parse_events_csv(row("U1:2;U2:1"));
    CHECK(weights[0].participants[0].share == decimal(2));
    CHECK(weights[0].participants[1].share == decimal(1));
    CHECK_THROWS_WITH_AS((void)parse_events_csv(row("U1:1/3;U2:1/3"), "events.csv"),
                         doctest::Contains("the fractions must add up to exactly 1"), input_error);
    CHECK_THROWS_WITH_AS((void)parse_events_csv(row("U1:1/3;U2:0.5"), "events.csv"),
                         doctest::Contains("a fraction and a decimal or weight do not mix"), input_error);
    CHECK_THROWS_WITH_AS((void)parse_events_csv(row("U1:4/3;U2:1/3"), "events.csv"),
                         doctest::Contains("share of \"U1\" is 4/3; a fraction is two whole numbers"), input_error);
    CHECK_THROWS_WITH_AS((void)parse_events_csv(row("U1:1/;U2:1/2"), "events.csv"),
                         doctest::Contains("share of \"U1\" is 1/; a fraction"), input_error);
}

TEST_CASE("file readers: events, partners, participants, products, plans") {
    temp_dir dir;

    auto events = incentives::io::read_events_csv(dir.write("events.csv", header + "E1,sale,2027-04-01,P1,U1,,,1,9.99,EUR,\n"));
    REQUIRE(events.size() == 1);
    CHECK(events[0].amount.to_string() == "9.99");

    auto partners = incentives::io::read_partners_csv(
        dir.write("partners.csv", "id,name,segment,group,region,tier,country,attr.size\r\n"
                                  "P1,\"Acme, Inc.\",smb,G1,EMEA,gold,DE,12\r\n"
                                  "P2,Beta,,,,,,\r\n"));
    REQUIRE(partners.size() == 2);
    CHECK(partners[0].id == "P1");
    CHECK(partners[0].name == "Acme, Inc.");
    CHECK(partners[0].segment == "smb");
    CHECK(partners[0].group == "G1");
    CHECK(partners[0].region == "EMEA");
    CHECK(partners[0].tier == "gold");
    CHECK(partners[0].attrs.at("country") == "DE");
    CHECK(partners[0].attrs.at("size") == "12");  // attr.<name> is attribute <name>
    CHECK(partners[1].tier.empty());
    CHECK(partners[1].attrs.empty());

    auto participants = incentives::io::read_participants_csv(
        dir.write("participants.csv", "id,partner,role,birthday,team\nU1,P1,manager,1990-02-28,north\nU2,P1,,,\n"));
    REQUIRE(participants.size() == 2);
    CHECK(participants[0].partner == "P1");
    CHECK(participants[0].role == "manager");
    REQUIRE(participants[0].birthday.has_value());
    CHECK(*participants[0].birthday == date(1990, 2, 28));
    CHECK(participants[0].attrs.at("team") == "north");
    CHECK_FALSE(participants[1].birthday.has_value());

    auto products = incentives::io::read_products_csv(dir.write("products.csv", "sku,category,brand\nSKU-1,laptops,X\n"));
    REQUIRE(products.size() == 1);
    CHECK(products[0].sku == "SKU-1");
    CHECK(products[0].category == "laptops");
    CHECK(products[0].attrs.at("brand") == "X");

    auto plans = incentives::io::read_plans_csv(dir.write("plans.csv", "beneficiary,period,target\nP1,2027-04-01,100000.00\n"));
    REQUIRE(plans.size() == 1);
    CHECK(plans[0].beneficiary == "P1");
    CHECK(plans[0].period_start == date(2027, 4, 1));
    CHECK(plans[0].target.to_string() == "100000.00");

    // Errors name the file by its path.
    std::string bad_plans = dir.write("bad_plans.csv", "beneficiary,period,taget\n");
    CHECK_THROWS_WITH_AS((void)incentives::io::read_plans_csv(bad_plans),
                               ("[incentives.input.csv] " + bad_plans +
                                ":1:3: field taget: unknown column \"taget\" (did you mean \"target\"?)")
                                   .c_str(),
                               input_error);
    std::string bad_participants = dir.write("bad_participants.csv", "id,role\nU1,x\n");
    CHECK_THROWS_WITH_AS((void)incentives::io::read_participants_csv(bad_participants),
                               ("[incentives.input.csv] " + bad_participants +
                                ":1:1: field partner: missing required column \"partner\" (the header must name "
                                "id, partner)")
                                   .c_str(),
                               input_error);

    std::string missing = dir.file("missing.csv");
    try {
        (void)incentives::io::read_products_csv(missing);
        FAIL("expected an input_error");
    } catch (const input_error& e) {
        CHECK(e.code() == "incentives.input.file");
        CHECK(std::string(e.what()) == "[incentives.input.file] " + missing + ": cannot open: No such file or directory");
    }
}

TEST_CASE("regression (fuzz_csv): two escaped quoted fields in one row keep their text") {
    // The unescaping buffers were a vector of strings, one per column: a second escaped field in a
    // later column grew the vector and moved the first one's (short, in-place) text away.
    auto events = parse_events_csv("id,kind,date,partner,\"attr.a\"\"\",\"attr.b\"\"\"\n"
                                   "\"E\"\"1\",training,2027-04-01,P1,\"x\"\"\",\"y\"\"\"\n");
    REQUIRE(events.size() == 1);
    CHECK(events[0].id == "E\"1");
    CHECK(events[0].attrs.at("a\"") == "x\"");
    CHECK(events[0].attrs.at("b\"") == "y\"");
}
