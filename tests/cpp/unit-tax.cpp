// Tax on awards (tax.hpp), its rules files (data/tax/*.yaml, io::read_tax_rules) and the
// assumptions file that names them (io::read_assumptions).
// Oracles: the worked examples of docs/tax.md, recomputed by hand in the comments.
#include <doctest/doctest.h>

#include <incentives/io/yaml.hpp>
#include <incentives/simulation.hpp>
#include <incentives/tax.hpp>

#include <filesystem>
#include <string>
#include <vector>

using namespace incentives;
using namespace incentives::literals;

namespace {

const std::filesystem::path repo = std::filesystem::path(INCENTIVES_TEST_DATA) / ".." / "..";

tax::rules shipped(const char* name) { return io::read_tax_rules_file((repo / "data" / "tax" / name).string()); }

tax::award cash(const char* person, date day, decimal amount, bool taxpayer_id = true) {
    return {person, day, amount, tax::award_kind::cash, taxpayer_id};
}
tax::award in_kind(const char* person, date day, decimal amount) { return {person, day, amount, tax::award_kind::in_kind, true}; }

/// The message of the config_error `yaml` raises when read as tax rules from "t.yaml" ("" if none).
std::string tax_error(const std::string& yaml) {
    try {
        (void)io::read_tax_rules(yaml, "t.yaml");
    } catch (const config_error& e) {
        return e.what();
    }
    return "";
}

/// A rules file with one entry whose body is `body` (each line indented under "- from: ...").
std::string one_entry(const std::string& body) {
    return "jurisdiction: XX\n"
           "name: test\n"
           "currency: EUR\n"
           "entries:\n"
           "  - from: 2020-01-01\n"
           "    reference: r\n" +
           body;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The shipped files

TEST_CASE("tax: the shipped Russian file reads as written") {
    const auto path = (repo / "data" / "tax" / "ru.yaml").string();
    const tax::rules r = io::read_tax_rules_file(path);
    CHECK(r.jurisdiction == "RU");
    CHECK(r.currency == "RUB");
    CHECK(r.source == path);
    REQUIRE(r.entries.size() == 1);
    const tax::entry& e = r.entries[0];
    CHECK(e.from == date(2008, 1, 1));
    CHECK(e.applies(tax::award_kind::cash));
    CHECK(e.applies(tax::award_kind::in_kind));
    CHECK(e.rate == 0.35_d);                 // 35%
    CHECK(e.surcharges.empty());
    CHECK(e.effective_rate() == 0.35_d);     // 0.35 x (1 + nothing)
    CHECK(e.exemption == 4000_d);
    CHECK_FALSE(e.limit);
    REQUIRE(e.withholding_cap);
    CHECK(*e.withholding_cap == 0.5_d);      // 50%
    CHECK_FALSE(e.reporting_threshold);
    CHECK_FALSE(e.backup_withholding);
    CHECK(e.payer == tax::payer_t::recipient);
    CHECK(e.places == 0);                    // full roubles
    CHECK(e.mode == rounding_mode::half_up);
}

TEST_CASE("tax: the shipped German file reads as written; its effective rate is 33.75%") {
    const tax::rules r = shipped("de.yaml");
    CHECK(r.jurisdiction == "DE");
    CHECK(r.currency == "EUR");
    REQUIRE(r.entries.size() == 1);
    const tax::entry& e = r.entries[0];
    CHECK(e.from == date(2007, 1, 1));
    CHECK(e.applies_to == std::vector<tax::award_kind>{tax::award_kind::in_kind});
    CHECK(e.rate == 0.30_d);
    REQUIRE(e.surcharges.size() == 2);
    CHECK(e.surcharges[0] == tax::surcharge{"solidarity", 0.055_d});
    CHECK(e.surcharges[1] == tax::surcharge{"church", 0.07_d});
    CHECK(e.effective_rate() == 0.3375_d);   // 0.30 x (1 + 0.055 + 0.07) = 0.30 x 1.125 = 0.3375
    REQUIRE(e.limit);
    CHECK(*e.limit == 10000_d);
    CHECK(e.exemption == 0_d);               // not stated: the default
    CHECK(e.payer == tax::payer_t::program);
    CHECK(e.places == 2);
    CHECK(e.mode == rounding_mode::half_up);
}

TEST_CASE("tax: the shipped US file: the threshold changes on 2026-01-01, backup withholding carries over") {
    const tax::rules r = shipped("us.yaml");
    CHECK(r.jurisdiction == "US");
    CHECK(r.currency == "USD");
    REQUIRE(r.entries.size() == 2);
    CHECK(r.entries[0].from == date(2018, 1, 1));
    CHECK(r.entries[1].from == date(2026, 1, 1));

    const tax::entry& before = r.in_force(date(2025, 12, 31));
    const tax::entry& after = r.in_force(date(2026, 1, 1));  // in force on its own `from` day
    CHECK(&before == &r.entries[0]);
    CHECK(&after == &r.entries[1]);
    REQUIRE(before.reporting_threshold);
    REQUIRE(after.reporting_threshold);
    CHECK(*before.reporting_threshold == 600_d);
    CHECK(*after.reporting_threshold == 2000_d);
    // The 2026 entry states only reporting_threshold: every other value is the 2018 entry's.
    REQUIRE(after.backup_withholding);
    CHECK(*after.backup_withholding == 0.24_d);
    CHECK(after.rate == 0_d);
    CHECK(after.payer == tax::payer_t::recipient);
    CHECK(after.places == 2);
    CHECK(after.applies(tax::award_kind::cash));
    CHECK(after.applies(tax::award_kind::in_kind));
}

TEST_CASE("tax: in_force before the first entry is a calculation_error, in assess too") {
    const tax::rules ru = shipped("ru.yaml");
    CHECK(&ru.in_force(date(2008, 1, 1)) == &ru.entries[0]);  // the first day is covered
    CHECK_THROWS_AS((void)ru.in_force(date(2007, 12, 31)), calculation_error);
    try {
        (void)ru.in_force(date(2007, 12, 31));
    } catch (const calculation_error& e) {
        CHECK(e.code() == "incentives.calculation.tax");
    }
    const std::vector<tax::award> early{cash("anna", date(2007, 6, 1), 10000_d)};
    CHECK_THROWS_AS((void)tax::assess(ru, early, false), calculation_error);
}

// ---------------------------------------------------------------------------------------------
// The formulas and the worked examples (docs/tax.md)

TEST_CASE("tax: gross-up at a flat rate") {
    // G = 1,000 / (1 - 0.35) = 1,000 / 0.65 = 1,538.4615... -> 1,538.46
    const decimal g = tax::gross_up(1000_d, 0.35_d, 2, rounding_mode::half_up);
    CHECK(g == 1538.46_d);
    CHECK(g.to_string() == "1538.46");
    // check: 1,538.46 x 0.35 = 538.461 -> 538.46; 1,538.46 - 538.46 = 1,000.00
    CHECK(g - (g * 0.35_d).rescale(2, rounding_mode::half_up) == 1000_d);
}

TEST_CASE("tax: Russia, the in-kind top-up formula") {
    const tax::rules ru = shipped("ru.yaml");  // kept: the entry is a reference into it
    const tax::entry& e = ru.entries[0];
    // C = 0.35 x (100,000 - 4,000) / 0.65 = 33,600 / 0.65 = 51,692.307... -> 51,692
    CHECK(tax::in_kind_top_up(100000_d, e) == 51692_d);
    // below the exemption nothing is taxable: 3,000 < 4,000 -> 0
    CHECK(tax::in_kind_top_up(3000_d, e) == 0_d);
}

TEST_CASE("tax: Russia, a 100,000 prize in kind grossed up with cash") {
    const tax::rules ru = shipped("ru.yaml");
    const std::vector<tax::award> awards{in_kind("anna", date(2025, 5, 10), 100000_d)};
    const auto out = tax::assess(ru, awards, true);
    REQUIRE(out.size() == 1);
    const tax::assessment& a = out[0];
    CHECK(a.person == "anna");
    CHECK(a.year == 2025);
    CHECK(a.reference == ru.entries[0].reference);
    CHECK(a.cash == 0_d);
    CHECK(a.in_kind == 100000_d);
    CHECK(a.taxable == 96000_d);        // 100,000 - 4,000
    CHECK(a.tax == 33600_d);            // 96,000 x 0.35, without the top-up
    CHECK(a.gross_up == 51692_d);       // 0.35 x 96,000 / 0.65 = 51,692.307... -> 51,692
    CHECK(a.tax_on_gross == 51692_d);   // 0.35 x (100,000 + 51,692 - 4,000) = 0.35 x 147,692 = 51,692.2 -> 51,692
    CHECK(a.program_cost == 51692_d);   // the top-up
    CHECK(a.withheld == 25846_d);       // min(51,692, 50% x 51,692 cash = 25,846)
    CHECK(a.unwithheld == 25846_d);     // 51,692 - 25,846
    CHECK(a.backup_withheld == 0_d);
    CHECK_FALSE(a.reportable);
    CHECK_FALSE(a.limit_exceeded);
}

TEST_CASE("tax: Russia, a 10,000 cash prize without gross-up") {
    const std::vector<tax::award> awards{cash("anna", date(2025, 5, 10), 10000_d)};
    const auto out = tax::assess(shipped("ru.yaml"), awards, false);
    REQUIRE(out.size() == 1);
    const tax::assessment& a = out[0];
    CHECK(a.cash == 10000_d);
    CHECK(a.taxable == 6000_d);         // 10,000 - 4,000
    CHECK(a.tax == 2100_d);             // 6,000 x 0.35
    CHECK(a.tax_on_gross == 2100_d);    // no top-up: the tax itself
    CHECK(a.gross_up == 0_d);
    CHECK(a.withheld == 2100_d);        // min(2,100, 50% x 10,000 = 5,000)
    CHECK(a.unwithheld == 0_d);
    CHECK(a.program_cost == 0_d);       // the person pays: the person nets 10,000 - 2,100 = 7,900
}

TEST_CASE("tax: Russia, the exemption is once per calendar year") {
    // 6,000 on 20 Dec 2024 and 6,000 on 10 Jan 2025: two years, each 6,000 - 4,000 = 2,000 taxable,
    // 2,000 x 0.35 = 700 tax (one year of 12,000 would be 8,000 taxable and 2,800 tax).
    const std::vector<tax::award> awards{cash("anna", date(2025, 1, 10), 6000_d), cash("anna", date(2024, 12, 20), 6000_d)};
    const auto out = tax::assess(shipped("ru.yaml"), awards, false);
    REQUIRE(out.size() == 2);
    CHECK(out[0].year == 2024);
    CHECK(out[1].year == 2025);
    for (const auto& a : out) {
        CHECK(a.person == "anna");
        CHECK(a.taxable == 2000_d);
        CHECK(a.tax == 700_d);
        CHECK(a.withheld == 700_d);     // min(700, 50% x 6,000 = 3,000)
    }
}

TEST_CASE("tax: Russia, people are assessed separately, in person order") {
    // boris is listed first, but the results are in (person, year) order.
    // anna: 2,000 cash + 3,000 in kind = 5,000; taxable 5,000 - 4,000 = 1,000; tax 350;
    //       withheld min(350, 50% x 2,000 = 1,000) = 350.
    // boris: 10,000 cash; taxable 6,000; tax 2,100. (Together: 15,000 - 4,000 = 11,000 -> 3,850, not 2,450.)
    const std::vector<tax::award> awards{cash("boris", date(2025, 3, 1), 10000_d), cash("anna", date(2025, 2, 1), 2000_d),
                                         in_kind("anna", date(2025, 8, 1), 3000_d)};
    const auto out = tax::assess(shipped("ru.yaml"), awards, false);
    REQUIRE(out.size() == 2);
    CHECK(out[0].person == "anna");
    CHECK(out[0].cash == 2000_d);
    CHECK(out[0].in_kind == 3000_d);
    CHECK(out[0].taxable == 1000_d);
    CHECK(out[0].tax == 350_d);
    CHECK(out[0].withheld == 350_d);
    CHECK(out[1].person == "boris");
    CHECK(out[1].taxable == 6000_d);
    CHECK(out[1].tax == 2100_d);
}

TEST_CASE("tax: USA, reporting and backup withholding around the threshold change") {
    const tax::rules us = shipped("us.yaml");
    // $1,500 in 2025 and $1,500 in 2026, no taxpayer id:
    const std::vector<tax::award> awards{cash("pat", date(2025, 6, 1), 1500_d, false), cash("pat", date(2026, 6, 1), 1500_d, false)};
    const auto out = tax::assess(us, awards, false);
    REQUIRE(out.size() == 2);
    // 2025: threshold 600; 1,500 >= 600: reportable; backup 0.24 x 1,500.00 = 360.00
    CHECK(out[0].year == 2025);
    CHECK(out[0].reference == us.entries[0].reference);
    CHECK(out[0].reportable);
    CHECK(out[0].backup_withheld == 360_d);
    CHECK(out[0].backup_withheld.to_string() == "360.00");  // to the entry's 2 places
    CHECK(out[0].tax == 0_d);                                // rate 0%
    CHECK(out[0].withheld == 0_d);
    // 2026: threshold 2,000; 1,500 < 2,000: not reportable, no backup withholding
    CHECK(out[1].year == 2026);
    CHECK(out[1].reference == us.entries[1].reference);
    CHECK_FALSE(out[1].reportable);
    CHECK(out[1].backup_withheld == 0_d);
}

TEST_CASE("tax: USA, the threshold is reached at equality; a taxpayer id avoids backup withholding") {
    const tax::rules us = shipped("us.yaml");
    auto one = [&](tax::award a) { return tax::assess(us, std::vector<tax::award>{a}, false).at(0); };
    // 2026: 2,000 >= 2,000: reportable; no id: 0.24 x 2,000 = 480.00
    const auto at = one(cash("pat", date(2026, 6, 1), 2000_d, false));
    CHECK(at.reportable);
    CHECK(at.backup_withheld == 480_d);
    // 2026: 1,999.99 < 2,000: not reportable
    CHECK_FALSE(one(cash("pat", date(2026, 6, 1), 1999.99_d, false)).reportable);
    // 2025: 600 >= 600: reportable; with a taxpayer id: no backup withholding
    const auto with_id = one(cash("pat", date(2025, 6, 1), 600_d, true));
    CHECK(with_id.reportable);
    CHECK(with_id.backup_withheld == 0_d);
    // in-kind awards count toward the threshold but are not cash: 0.24 x 0 cash = 0
    const auto goods = one(in_kind("pat", date(2025, 6, 1), 1500_d));
    CHECK(goods.reportable);
    CHECK(goods.backup_withheld == 0_d);
}

TEST_CASE("tax: Germany, a flat tax the program pays on awards in kind") {
    const tax::rules de = shipped("de.yaml");
    auto one = [&](tax::award a) { return tax::assess(de, std::vector<tax::award>{a}, true).at(0); };
    // 1,000 in kind: 1,000 x 0.30 x 1.125 = 337.50, paid by the program: no gross-up, nothing withheld
    const auto goods = one(in_kind("eva", date(2025, 4, 1), 1000_d));
    CHECK(goods.taxable == 1000_d);
    CHECK(goods.tax == 337.50_d);
    CHECK(goods.tax_on_gross == 337.50_d);
    CHECK(goods.program_cost == 337.50_d);
    CHECK(goods.gross_up == 0_d);
    CHECK(goods.withheld == 0_d);
    CHECK(goods.unwithheld == 0_d);
    CHECK_FALSE(goods.limit_exceeded);
    // 1,000 cash: applies_to is [in_kind] only: 0 subject -> tax 0
    const auto money = one(cash("eva", date(2025, 4, 1), 1000_d));
    CHECK(money.taxable == 0_d);
    CHECK(money.tax == 0_d);
    CHECK(money.program_cost == 0_d);
    // 10,000 in kind is at the limit, not above it: 10,000 x 0.3375 = 3,375.00
    const auto at_limit = one(in_kind("eva", date(2025, 4, 1), 10000_d));
    CHECK_FALSE(at_limit.limit_exceeded);
    CHECK(at_limit.tax == 3375_d);
}

TEST_CASE("tax: Germany, above 10,000 a year the rule does not apply") {
    // 7,000 + 5,000 = 12,000 in kind in 2025 > 10,000: limit_exceeded, nothing computed
    const std::vector<tax::award> awards{in_kind("eva", date(2025, 2, 1), 7000_d), in_kind("eva", date(2025, 9, 1), 5000_d)};
    const auto out = tax::assess(shipped("de.yaml"), awards, false);
    REQUIRE(out.size() == 1);
    CHECK(out[0].in_kind == 12000_d);
    CHECK(out[0].limit_exceeded);
    CHECK(out[0].tax == 0_d);
    CHECK(out[0].program_cost == 0_d);
}

// ---------------------------------------------------------------------------------------------
// The reader

TEST_CASE("tax: an unknown key is a config_error at its line and column, with a suggestion") {
    // line 7 is "    rat: 35%": the key starts in column 5
    const std::string yaml = one_entry("    rat: 35%\n");
    CHECK_THROWS_AS((void)io::read_tax_rules(yaml, "t.yaml"), config_error);
    try {
        (void)io::read_tax_rules(yaml, "t.yaml");
    } catch (const config_error& e) {
        CHECK(e.code() == "incentives.config.unknown_key");
    }
    const std::string m = tax_error(yaml);
    CHECK(m.find("t.yaml:7:5:") != std::string::npos);
    CHECK(m.find("entries[0].rat") != std::string::npos);
    CHECK(m.find("unknown key \"rat\"") != std::string::npos);
    CHECK(m.find("did you mean \"rate\"") != std::string::npos);
}

TEST_CASE("tax: entries out of date order are refused") {
    const std::string later_first = one_entry("    rate: 10%\n"
                                              "  - from: 2019-01-01\n"
                                              "    reference: earlier\n");
    const std::string m = tax_error(later_first);
    CHECK(m.find("t.yaml:8:11:") != std::string::npos);  // the second entry's "from" value: line 8, column 11
    CHECK(m.find("date order") != std::string::npos);
    // the same date twice is not in order either
    CHECK(tax_error(one_entry("  - from: 2020-01-01\n    reference: again\n")).find("date order") != std::string::npos);
}

TEST_CASE("tax: rates outside 0% .. 100% are refused") {
    const std::string m = tax_error(one_entry("    rate: 120%\n"));
    CHECK(m.find("t.yaml:7:11:") != std::string::npos);  // the value "120%": line 7, column 11
    CHECK(m.find("from 0% to 100%") != std::string::npos);
    CHECK(tax_error(one_entry("    rate: -5%\n")).find("from 0% to 100%") != std::string::npos);
    CHECK(tax_error(one_entry("    rate: 100%\n")).find("nothing to gross up") != std::string::npos);
    CHECK(tax_error(one_entry("    withholding_cap: 1.5\n")).find("from 0% to 100%") != std::string::npos);
    // 80% with a 30% surcharge: 0.80 x 1.30 = 1.04, not below 100%
    CHECK(tax_error(one_entry("    rate: 80%\n    surcharges: [{name: s, rate: 30%}]\n")).find("below 100%") != std::string::npos);
    CHECK(tax_error(one_entry("    rate: 35%\n")).empty());  // the control
}

TEST_CASE("tax: a later entry carries over every value it does not state") {
    const tax::rules r = io::read_tax_rules(one_entry("    applies_to: [in_kind]\n"
                                                      "    rate: 20%\n"
                                                      "    surcharges: [{name: s, rate: 10%}]\n"
                                                      "    exemption: 100\n"
                                                      "    limit: 5000\n"
                                                      "    withholding_cap: 40%\n"
                                                      "    reporting_threshold: 600\n"
                                                      "    backup_withholding: 24%\n"
                                                      "    payer: program\n"
                                                      "    rounding: {places: 0, mode: floor}\n"
                                                      "  - from: 2021-01-01\n"
                                                      "    reference: second\n"
                                                      "    rate: 25%\n"),
                                            "t.yaml");
    CHECK(r.source == "t.yaml");
    REQUIRE(r.entries.size() == 2);
    const tax::entry& first = r.entries[0];
    CHECK(first.rate == 0.20_d);
    CHECK(first.exemption == 100_d);
    CHECK(first.places == 0);
    CHECK(first.mode == rounding_mode::floor);
    // the second is the first with its own from, reference and rate
    tax::entry expected = first;
    expected.from = date(2021, 1, 1);
    expected.reference = "second";
    expected.rate = 0.25_d;
    CHECK(r.entries[1] == expected);
    CHECK(r.entries[1].effective_rate() == 0.275_d);  // 0.25 x (1 + 0.10)
}

// ---------------------------------------------------------------------------------------------
// The assumptions file

TEST_CASE("tax: read_assumptions gives every field it states") {
    const auto f = io::read_assumptions("model: lognormal\n"
                                        "growth: 5%\n"
                                        "market: {spread: 0.1, correlation: 30%}\n"
                                        "segments: {by: size, values: {small: {growth: 10%}}}\n"
                                        "sensitivity: {growth: 10%}\n"
                                        "seed: 7\n"
                                        "scenarios: 500\n"
                                        "budget: 1000\n",
                                        "a.yaml");
    const simulation_assumptions& a = f.assumptions;
    CHECK(a.model == simulation_assumptions::model_t::lognormal);
    CHECK(a.growth == 0.05_d);          // 5%
    CHECK(a.market_spread == 0.1_d);
    CHECK(a.correlation == 0.3_d);      // 30%
    CHECK(a.spread == 0.25_d);          // not stated: the default
    CHECK(a.counts == simulation_assumptions::counts_t::poisson);
    CHECK(a.segment_by == "size");
    REQUIRE(a.segments.size() == 1);
    CHECK(a.segments[0].value == "small");
    REQUIRE(a.segments[0].growth);
    CHECK(*a.segments[0].growth == 0.1_d);  // 10%
    CHECK_FALSE(a.segments[0].spread);
    REQUIRE(a.sensitivity.size() == 1);
    CHECK(a.sensitivity[0].first == "growth");
    CHECK(a.sensitivity[0].second == 0.1_d);
    CHECK_FALSE(a.tax);
    CHECK_FALSE(a.gross_up);
    REQUIRE(f.seed);
    CHECK(*f.seed == 7u);
    REQUIRE(f.scenarios);
    CHECK(*f.scenarios == 500u);
    REQUIRE(f.budget);
    CHECK(*f.budget == 1000_d);
}

TEST_CASE("tax: an unknown assumption in sensitivity is a config_error suggesting the right one") {
    std::string m, code;
    try {
        (void)io::read_assumptions("sensitivity: {grwth: 10%}\n", "a.yaml");
    } catch (const config_error& e) {
        m = e.what();
        code = e.code();
    }
    CHECK(code == "incentives.config.unknown_key");
    CHECK(m.find("a.yaml:1:15:") != std::string::npos);  // "grwth" starts in column 15 of line 1
    CHECK(m.find("unknown assumption \"grwth\"") != std::string::npos);
    CHECK(m.find("did you mean \"growth\"") != std::string::npos);
}

TEST_CASE("tax: an assumptions file names its tax rules relative to its directory") {
    const auto f = io::read_assumptions("tax: {rules: ../../data/tax/ru.yaml, gross_up: true}\n", "a.yaml",
                                        (repo / "tests" / "data").string());
    const simulation_assumptions& a = f.assumptions;
    CHECK(a.tax_source == "../../data/tax/ru.yaml");
    CHECK(a.gross_up);
    REQUIRE(a.tax);
    CHECK(a.tax->jurisdiction == "RU");
    REQUIRE(a.tax->entries.size() == 1);
    CHECK(a.tax->entries[0].rate == 0.35_d);
    // the same rules as read directly (the source differs: the path as joined)
    tax::rules direct = shipped("ru.yaml");
    CHECK(a.tax->entries == direct.entries);
    // a missing file is named
    std::string m;
    try {
        (void)io::read_assumptions("tax: {rules: nowhere.yaml}\n", "a.yaml", (repo / "tests" / "data").string());
    } catch (const config_error& e) {
        m = e.what();
    }
    CHECK(m.find("no tax file") != std::string::npos);
}
