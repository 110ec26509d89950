// incentives::io YAML programs — synopsis:
//   read_program(text, source) -> program (validated), read_program_file(path), write_program(p) -> text
//   read_program(write_program(p)) == p
//   config_error "[incentives.config.<what>] <source>:<line>:<column>: <path>: <message>"
//   validation_error from validate(), prefixed by "<source>: "
#include <doctest/doctest.h>

#include <concepts>
#include <chrono>
#include <string>

#include <incentives/io/yaml.hpp>

using incentives::config_error;
using incentives::date;
using incentives::decimal;
using incentives::period_unit;
using incentives::program;
using incentives::validation_error;
using incentives::io::read_program;
using incentives::io::read_program_file;
using incentives::io::write_program;
namespace rules = incentives::rules;
using field = rules::field;
using op = rules::selector::op;

namespace {

decimal d(const char* s) { return decimal::parse(s); }

/// Every field of two programs equal; also program's operator== once it compiles (a template, so
/// that the check is discarded while calendar has no operator== and program's is deleted).
template <class Program>
void check_same(const Program& a, const Program& b) {
    if constexpr (std::equality_comparable<Program>) CHECK(a == b);
    CHECK(a.name == b.name);
    CHECK(a.currency_ == b.currency_);
    CHECK(a.cal.from() == b.cal.from());
    CHECK(a.cal.to() == b.cal.to());
    CHECK(a.cal.fiscal_start_month() == b.cal.fiscal_start_month());
    CHECK(a.cal.custom_periods() == b.cal.custom_periods());
    CHECK(a.rounding == b.rounding);
    CHECK(a.duplicates == b.duplicates);
    CHECK(a.amount_places == b.amount_places);
    CHECK(a.quantity_places == b.quantity_places);
    CHECK(a.budget_ == b.budget_);
    REQUIRE(a.rules.size() == b.rules.size());
    for (std::size_t i = 0; i < a.rules.size(); ++i) {
        INFO("rule " << a.rules[i].id);
        CHECK(a.rules[i] == b.rules[i]);
    }
}

/// A leaf `in` selector over one field.
rules::selector in(field::scope s, const char* name, std::vector<std::string> values) {
    return rules::selector::in(field{s, name}, std::move(values));
}

constexpr const char* full_program = R"(
program: Channel growth 2027
currency: EUR
periods:
  from: 2027-01-01
  to: 2027-12-31
  fiscal_year_start: 4
  custom: [{label: Launch, from: 2027-05-01, to: 2027-07-01}]
rounding: {mode: half_up, at: statement}
duplicates: ignore
places: {amount: 4, quantity: 2}
budget: {amount: 100000, policy: event_date}
rules:
  - id: volume-rebate
    kind: rebate
    select: {kind: sale, category: [laptops, servers], amount: {min: 100}, date: {from: 2027-05-01, to: 2027-06-30}}
    measure: amount
    per: [partner, quarter]
    tiers:
      basis: retroactive
      bounds: half_open
      value: rate
      table:
        - {from: 0, to: 50000, rate: 1%, name: bronze}
        - {from: 50000, rate: 3.5%, name: silver}
    qualify: {min: 10000, eligible: {partner.trained: "yes"}}
    accelerator: [{from: 0%, multiplier: 0.5}, {from: 100%, multiplier: 1.5}]
    cap: {amount: 25000, per: year}
    floor: 100
    budget: {amount: 50000, policy: reject}
    clawback: {days: 30}
  - id: x200-spiff
    kind: spiff
    select:
      sku: X200
      any: [{segment: smb}, {not: {region: [north, east]}}]
      product.family: phones
      event.channel: web
      partner.id: P1
      tier: gold
      quantity: {min: 1, max: 10}
    per: [participant, custom]
    credit: {to: participant, roles: [specialist, engineer]}
    pay: {per_unit: 40}
  - id: growth-bonus
    measure: {of: amount, growth: {over: prior_year, form: percent}}
    per: [partner, year]
    tiers: {basis: marginal, table: [{from: 0, amount: 500}, {from: 10%, amount: 1500}]}
    when: {segment: [smb, mid]}
  - id: category-rates
    measure: quantity
    lookup:
      keys: [product.category, partner.tier]
      rates: [{match: [laptops, gold], rate: 3%}, {match: [laptops, silver], rate: 2%}]
      default: 1%
  - id: new-customers
    measure: {distinct: customer}
    pay: {fixed: 250}
  - id: seats
    measure: {attribute: seats, growth: {over: {attribute: seats_2026}}}
    per: program
    pay: {multiple: 8}
  - id: unit-growth
    tiers: {on: {of: quantity, growth: {over: prior_period}}, table: [{from: 0, rate: 1%}, {from: 100, rate: 2%}]}
  - id: per-deal
    pay: {per_event: 25}
    limits: [{floor: 10}, {cap: 1000, per: year}]
)";

constexpr const char* combined_program = R"(
program: Combined
currency: USD
periods: {from: 2027-01-01, to: 2027-12-31}
rules:
  - id: best-of
    per: [participant, month]
    credit: {roles: [rep]}
    max_of:
      - id: by-rate
        pay: {rate: 2%}
      - id: by-unit
        pay: {per_unit: 5}
    cap: 1000
  - id: first
    select: {kind: sale}
    first_of:
      - id: promo
        select: {sku: [A1, A2]}
        pay: {rate: 5%}
      - id: base
        pay: {rate: 1%}
    budget: {amount: 20000}
  - id: both
    sum_of:
      - {id: part-a, pay: {rate: 1%}}
      - {id: part-b, pay: {fixed: 50}}
  - id: versioned
    pay: {rate: 1%}
    cap: 500
    versions:
      - from: 2027-07-01
        tiers: {table: [{from: 0, rate: 1%}, {from: 10000, rate: 2%}]}
        when: {tier: gold}
      - from: 2027-10-01
        lookup: {keys: [category], rates: [{match: laptops, rate: 4%}]}
        accelerator: [{from: 0, multiplier: 1}]
        floor: {amount: 10, per: quarter}
)";

/// A small valid program whose `rules` are replaced by `rules_yaml` (which starts at line 5).
std::string with_rules(const std::string& rules_yaml) {
    return "program: P\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\nrules:\n" + rules_yaml;
}

}  // namespace

TEST_SUITE("yaml") {

TEST_CASE("a program with every construct reads into the expected values") {
    program p = read_program(full_program, "full.yaml");
    CHECK(p.name == "Channel growth 2027");
    CHECK(p.currency_.code() == "EUR");
    CHECK(p.cal.from() == date(2027, 1, 1));
    CHECK(p.cal.to() == date(2027, 12, 31));
    CHECK(p.cal.fiscal_start_month() == 4);
    REQUIRE(p.cal.custom_periods().size() == 1);
    CHECK(p.cal.custom_periods()[0] == incentives::period{date(2027, 5, 1), date(2027, 7, 1), "Launch"});
    CHECK(p.rounding.mode == incentives::rounding_mode::half_up);
    CHECK(p.rounding.point == incentives::rounding_policy::point_t::statement);
    CHECK(p.duplicates == incentives::duplicate_policy::ignore);
    CHECK(p.amount_places == 4);
    CHECK(p.quantity_places == 2);
    CHECK(p.budget_ == rules::budget{d("100000"), rules::budget::policy_t::event_date});
    REQUIRE(p.rules.size() == 8);

    SUBCASE("tiers, selection, qualification, accelerator, limits, budget and clawback") {
        const auto& r = p.rules[0];
        CHECK(r.id == "volume-rebate");
        CHECK(r.label == "rebate");
        CHECK(r.select == rules::selector::all({
                              in(field::scope::event, "kind", {"sale"}),
                              in(field::scope::event, "category", {"laptops", "servers"}),
                              rules::selector::range(field{field::scope::event, "amount"}, d("100"), std::nullopt),
                              rules::selector::dates(date(2027, 5, 1), date(2027, 6, 30)),
                          }));
        CHECK(r.measure_ == rules::measure{});
        CHECK(r.credit_ == rules::credit{});
        CHECK(r.per == period_unit::quarter);
        CHECK(r.pay.kind == rules::schedule::kind_t::tiers);
        const auto& t = r.pay.tiers_;
        CHECK(t.basis == rules::tier_table::basis_t::retroactive);
        CHECK(t.value == rules::tier_table::value_t::rate);
        CHECK(!t.on);
        REQUIRE(t.rows.size() == 2);
        CHECK(t.rows[0] == rules::tier{d("0"), d("50000"), d("0.01"), "bronze"});
        CHECK(t.rows[1] == rules::tier{d("50000"), std::nullopt, d("0.035"), "silver"});
        CHECK(r.qualify.min_measure == d("10000"));
        CHECK(r.qualify.eligible == in(field::scope::partner, "trained", {"yes"}));
        REQUIRE(r.accelerate);
        CHECK(r.accelerate->bands == std::vector<rules::accelerator::band>{{d("0"), d("0.5")}, {d("1"), d("1.5")}});
        CHECK(r.limits == std::vector<rules::limit>{{rules::limit::kind_t::cap, d("25000"), period_unit::year},
                                                    {rules::limit::kind_t::floor, d("100"), std::nullopt}});
        CHECK(r.budget_ == rules::budget{d("50000"), rules::budget::policy_t::reject});
        CHECK(r.clawback_ == rules::clawback{30});
        CHECK(r.combine == rules::combinator::none);
        CHECK(r.versions.empty());
    }
    SUBCASE("selector shorthands and scopes, participant credit, per_unit defaults the measure to quantity") {
        const auto& r = p.rules[1];
        CHECK(r.label == "spiff");
        CHECK(r.select ==
              rules::selector::all({
                  in(field::scope::event, "sku", {"X200"}),
                  rules::selector::any({in(field::scope::partner, "segment", {"smb"}),
                                        rules::selector::negate(in(field::scope::partner, "region", {"north", "east"}))}),
                  in(field::scope::product, "family", {"phones"}),
                  in(field::scope::event, "channel", {"web"}),
                  in(field::scope::partner, "id", {"P1"}),
                  in(field::scope::partner, "tier", {"gold"}),
                  rules::selector::range(field{field::scope::event, "quantity"}, d("1"), d("10")),
              }));
        CHECK(r.credit_ == rules::credit{rules::credit::to_t::participant, {"specialist", "engineer"}});
        CHECK(r.per == period_unit::custom);
        CHECK(r.pay.kind == rules::schedule::kind_t::per_unit);
        CHECK(r.pay.value == d("40"));
        CHECK(r.measure_.kind == rules::measure::kind_t::quantity);
    }
    SUBCASE("growth measures, marginal amount tiers, `when`") {
        const auto& r = p.rules[2];
        CHECK(r.measure_ == rules::measure{rules::measure::kind_t::amount, "",
                                           rules::growth{rules::growth::baseline_kind::prior_year,
                                                         rules::growth::form_kind::percent, ""}});
        CHECK(r.per == period_unit::year);
        CHECK(r.pay.tiers_.basis == rules::tier_table::basis_t::marginal);
        CHECK(r.pay.tiers_.value == rules::tier_table::value_t::amount);
        CHECK(r.pay.tiers_.rows[1].from == d("0.1"));
        CHECK(r.pay.tiers_.rows[1].value == d("1500"));
        CHECK(r.qualify.eligible == in(field::scope::partner, "segment", {"smb", "mid"}));
        CHECK(!r.qualify.min_measure);
    }
    SUBCASE("lookup tables") {
        const auto& r = p.rules[3];
        CHECK(r.measure_.kind == rules::measure::kind_t::quantity);
        CHECK(r.pay.kind == rules::schedule::kind_t::lookup);
        const auto& l = r.pay.lookup_;
        CHECK(l.keys == std::vector<field>{{field::scope::product, "category"}, {field::scope::partner, "tier"}});
        CHECK(l.rates == std::map<std::vector<std::string>, decimal>{{{"laptops", "gold"}, d("0.03")},
                                                                     {{"laptops", "silver"}, d("0.02")}});
        CHECK(l.fallback == d("0.01"));
    }
    SUBCASE("distinct and attribute measures, fixed and multiple pay, attribute baselines") {
        CHECK(p.rules[4].measure_ == rules::measure{rules::measure::kind_t::distinct, "customer", std::nullopt});
        CHECK(p.rules[4].pay.kind == rules::schedule::kind_t::fixed);
        CHECK(p.rules[4].pay.value == d("250"));
        const auto& r = p.rules[5];
        CHECK(r.measure_ == rules::measure{rules::measure::kind_t::attribute, "seats",
                                           rules::growth{rules::growth::baseline_kind::attribute,
                                                         rules::growth::form_kind::absolute, "seats_2026"}});
        CHECK(r.per == period_unit::program);
        CHECK(r.credit_.to == rules::credit::to_t::partner);
        CHECK(r.pay.kind == rules::schedule::kind_t::multiple);
        CHECK(r.pay.value == d("8"));
    }
    SUBCASE("tiers on another measure; per_event defaults the measure to count; limits in any order") {
        const auto& t = p.rules[6].pay.tiers_;
        REQUIRE(t.on);
        CHECK(*t.on == rules::measure{rules::measure::kind_t::quantity, "",
                                      rules::growth{rules::growth::baseline_kind::prior_period,
                                                    rules::growth::form_kind::absolute, ""}});
        const auto& r = p.rules[7];
        CHECK(r.measure_.kind == rules::measure::kind_t::count);
        CHECK(r.limits == std::vector<rules::limit>{{rules::limit::kind_t::floor, d("10"), std::nullopt},
                                                    {rules::limit::kind_t::cap, d("1000"), period_unit::year}});
    }
}

TEST_CASE("combinators and versions read into children and effective-dated versions") {
    program p = read_program(combined_program, "combined.yaml");
    REQUIRE(p.rules.size() == 4);
    const auto& best = p.rules[0];
    CHECK(best.combine == rules::combinator::max_of);
    REQUIRE(best.children.size() == 2);
    for (const auto& c : best.children) {  // children inherit the parent's beneficiary, roles and period
        CHECK(c.per == period_unit::month);
        CHECK(c.credit_ == rules::credit{rules::credit::to_t::participant, {"rep"}});
    }
    CHECK(best.children[1].measure_.kind == rules::measure::kind_t::quantity);
    CHECK(best.limits == std::vector<rules::limit>{{rules::limit::kind_t::cap, d("1000"), std::nullopt}});
    CHECK(p.rules[1].combine == rules::combinator::first_of);
    CHECK(p.rules[1].children[0].select == in(field::scope::event, "sku", {"A1", "A2"}));
    CHECK(p.rules[2].combine == rules::combinator::sum_of);
    const auto& v = p.rules[3];
    REQUIRE(v.versions.size() == 2);
    CHECK(v.versions[0].effective_from == date(2027, 7, 1));
    CHECK(v.versions[0].pay.kind == rules::schedule::kind_t::tiers);
    CHECK(v.versions[0].qualify.eligible == in(field::scope::partner, "tier", {"gold"}));
    CHECK(v.versions[0].limits.empty());  // a version does not inherit the rule's cap
    CHECK(v.versions[1].pay.lookup_.keys == std::vector<field>{{field::scope::event, "category"}});
    CHECK(v.versions[1].pay.lookup_.rates.at({"laptops"}) == d("0.04"));
    CHECK(v.versions[1].limits ==
          std::vector<rules::limit>{{rules::limit::kind_t::floor, d("10"), period_unit::quarter}});
}

TEST_CASE("numbers are exact decimals read from the text; percents are divided by 100 exactly") {
    program p = read_program(with_rules(R"(
  - {id: a, pay: {rate: 3.5%}}
  - {id: b, pay: {rate: 0.30000000000000000000000000001}}
  - {id: c, pay: {rate: 0.1}, cap: 0.2}
  - {id: d, pay: {rate: 0.0125%}}
  - {id: e, pay: {fixed: 1e3}}
)"));
    CHECK(p.rules[0].pay.value == d("0.035"));
    CHECK(p.rules[0].pay.value.to_string() == "0.035");
    CHECK(p.rules[1].pay.value.to_string() == "0.30000000000000000000000000001");
    CHECK(p.rules[2].pay.value + p.rules[2].limits[0].amount == d("0.3"));  // no binary floating point
    CHECK(p.rules[3].pay.value.to_string() == "0.000125");
    CHECK(p.rules[4].pay.value == d("1000"));
}

TEST_CASE("write then read gives back the same program") {
    SUBCASE("every construct") {
        program p = read_program(full_program, "full.yaml");
        std::string text = write_program(p);
        check_same(read_program(text, "written.yaml"), p);
        CHECK(write_program(read_program(text)) == text);
    }
    SUBCASE("regression (fuzz_yaml): an extension allowed 0 times is no extension, and reads back equal") {
        // channel_funds.yaml with `extension: {days: 30, max: 0}`: the writer leaves out an extension
        // that can never be asked, so the reader must not keep its 30 days either.
        const std::string text = "program: x\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n"
                                 "deal_registration:\n  id: dealreg\n  extension: {days: 30, max: 0}\n"
                                 "rules:\n  - {id: r, pay: {rate: 1%}}\n";
        program p = read_program(text, "p.yaml");
        REQUIRE(p.deals);
        CHECK(p.deals->max_extensions == 0);
        CHECK(p.deals->extension.count == 0);
        check_same(read_program(write_program(p), "written.yaml"), p);
    }
    SUBCASE("combinators and versions") {
        program p = read_program(combined_program, "combined.yaml");
        std::string text = write_program(p);
        check_same(read_program(text, "written.yaml"), p);
    }
    SUBCASE("defaults are omitted and decimals written exactly") {
        std::string text = write_program(read_program(with_rules("  - {id: r, pay: {rate: 2.50%}}\n")));
        CHECK(text == "program: P\n"
                      "currency: EUR\n"
                      "periods:\n"
                      "  from: 2027-01-01\n"
                      "  to: 2027-12-31\n"
                      "rules:\n"
                      "  - id: r\n"
                      "    pay: {rate: 0.0250}\n");
    }
    SUBCASE("a program built in C++ with selectors that have no shorthand") {
        program p = read_program(with_rules("  - {id: r, pay: {rate: 1%}}\n"));
        using sel = rules::selector;
        p.rules[0].select = sel::all({
            sel::all({in(field::scope::event, "amount", {"5"})}),  // one child; `amount` is a range shorthand
            sel::negate(sel()),
            sel::any({}),
            in(field::scope::event, "date", {"x"}),  // an attribute named like the `date` key
            sel::range(field{field::scope::product, "weight"}, std::nullopt, d("2.5")),
            sel::all({in(field::scope::partner, "tier", {"gold"}), in(field::scope::partner, "tier", {"silver"})}),
        });
        p.rules[0].limits = {{rules::limit::kind_t::cap, d("10"), std::nullopt},
                             {rules::limit::kind_t::cap, d("30"), period_unit::year},
                             {rules::limit::kind_t::floor, d("1"), std::nullopt}};
        std::string text = write_program(p);
        INFO(text);
        check_same(read_program(text), p);
    }
    SUBCASE("texts that YAML 1.1 reads as booleans are quoted") {
        std::string text = write_program(read_program(with_rules("  - {id: r, pay: {rate: 1%}, when: {partner.trained: 'yes'}}\n")));
        CHECK(text.find("when: {partner.trained: \"yes\"}") != std::string::npos);
    }
}

TEST_CASE("errors name the source, line, column and key path") {
    SUBCASE("unknown key with a suggestion") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - id: r\n    tierz: {}\n"), "p.yaml"),
                             "[incentives.config.unknown_key] p.yaml:6:5: rules[0].tierz: unknown key \"tierz\" "
                             "(did you mean \"tiers\"?)",
                             config_error);
    }
    SUBCASE("unknown key without a suggestion") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - id: r\n    pay: {rate: 1%}\n    bonus_pool: 5\n"), "p.yaml"),
                             "[incentives.config.unknown_key] p.yaml:7:5: rules[0].bonus_pool: unknown key \"bonus_pool\"",
                             config_error);
    }
    SUBCASE("unknown selector key") {
        CHECK_THROWS_WITH_AS(
            (void)read_program(with_rules("  - {id: r, pay: {rate: 1%}, select: {colour: red}}\n"), "p.yaml"),
            "[incentives.config.unknown_key] p.yaml:5:39: rules[0].select.colour: unknown key \"colour\"; attributes "
            "are written partner.<name>, product.<name> or event.<name>",
            config_error);
    }
    SUBCASE("malformed YAML") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - {id: r, pay: {rate: 1%}\n"), "p.yaml"),
                             "[incentives.config.syntax] p.yaml:6:1: a bracket is never closed (end of map flow not found): "
                             "every [ needs its ] and every { its }",
                             config_error);
    }
    SUBCASE("a tab in the indentation") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("\t- {id: r, pay: {rate: 1%}}\n"), "p.yaml"),
                             "[incentives.config.syntax] p.yaml:5:2: a tab in the indentation: YAML indents with spaces only",
                             config_error);
    }
    SUBCASE("an unknown escape in a double-quoted string") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - {id: \"r\\q\", pay: {rate: 1%}}\n"), "p.yaml"),
                             "[incentives.config.syntax] p.yaml:5:14: an unknown escape (\\q) in a double-quoted string: write "
                             "\\\\ for a backslash, or use single quotes",
                             config_error);
    }
    SUBCASE("a binary file") {
        std::string text = with_rules("  - {id: r, pay: {rate: 1%}}\n");
        text.insert(text.find("rules"), std::string("\x00\xff", 2));
        CHECK_THROWS_WITH_AS((void)read_program(text, "p.yaml"),
                             "[incentives.config.encoding] p.yaml:4:1: byte 0x00 is not text: a program is YAML in UTF-8 (is this "
                             "a binary file, or in another encoding?)",
                             config_error);
    }
    SUBCASE("a second document is not silently dropped") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - {id: r, pay: {rate: 1%}}\n---\nprogram: other\n"), "p.yaml"),
                             "[incentives.config.syntax] p.yaml:6:1: a second YAML document (after \"---\"): a program file "
                             "holds one program; put each program in its own file",
                             config_error);
        // Content after an end marker ("...") is a second document too; comments after it are not.
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - {id: r, pay: {rate: 1%}}\n...\n# note\nprogram: other\n"), "p.yaml"),
                             doctest::Contains("p.yaml:8:1: a second YAML document"), config_error);
        CHECK(read_program("---\n" + with_rules("  - {id: r, pay: {rate: 1%}}\n...\n# the end\n"), "p.yaml").rules.size() == 1);
        // An empty document after a final "---" is nothing to drop.
        CHECK(read_program(with_rules("  - {id: r, pay: {rate: 1%}}\n---\n"), "p.yaml").rules.size() == 1);
    }
    SUBCASE("regression (fuzz_yaml): input on which yaml-cpp 0.7's LoadAll loops forever is refused at once") {
        // A less indented line starting with ',' after an indented key without a value; the YAML reader
        // now takes one document (YAML::Load) and finds a second one itself.
        auto started = std::chrono::steady_clock::now();
        CHECK_THROWS_AS((void)read_program("  b:\n ,\n", "p.yaml"), config_error);
        CHECK_THROWS_AS((void)read_program(",", "p.yaml"), config_error);
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    }
    SUBCASE("nesting too deep for the reader") {
        std::string deep = with_rules("  - {id: r, pay: {rate: 1%}, select: " + std::string(3000, '[') + std::string(3000, ']') + "}\n");
        CHECK_THROWS_WITH_AS((void)read_program(deep, "p.yaml"), doctest::Contains("the text is nested too deeply to read"),
                             config_error);
    }
    SUBCASE("aliases may not multiply the program (billion laughs)") {
        // 9 levels of 9 aliases each would stand for 9^9 selectors: refused after a bounded walk.
        std::string any = "    select:\n      any:\n        - &a0 {kind: [sale]}\n";
        for (int level = 1; level <= 9; ++level) {
            std::string refs;
            for (int k = 0; k < 9; ++k) refs += std::string(k ? ", " : "") + "*a" + std::to_string(level - 1);
            any += "        - &a" + std::to_string(level) + " {any: [" + refs + "]}\n";
        }
        auto started = std::chrono::steady_clock::now();
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - id: r\n    pay: {rate: 1%}\n" + any), "p.yaml"),
                             doctest::Contains("through aliases (*name); an alias may repeat a part"), config_error);
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));  // bounded, not minutes
        // A modest alias (one tier table shared by two rules) is fine.
        const std::string shared = "  - id: a\n    tiers: &t {table: [{from: 0, rate: 1%}, {from: 100, rate: 2%}]}\n"
                                   "  - id: b\n    tiers: *t\n";
        CHECK(read_program(with_rules(shared), "p.yaml").rules.size() == 2);
    }
    SUBCASE("bad number") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - id: r\n    pay:\n      rate: 12,5\n"), "p.yaml"),
                             "[incentives.config.value] p.yaml:7:13: rules[0].pay.rate: \"12,5\" is not a decimal "
                             "number: unexpected ',' at position 3 (expected digits with an optional sign, one '.' and "
                             "an optional exponent, e.g. \"-12.50\" or \"2.5e-3\")",
                             config_error);
    }
    SUBCASE("a percent where an amount is expected") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - {id: r, pay: {rate: 1%}, cap: 5%}\n"), "p.yaml"),
                             "[incentives.config.value] p.yaml:5:35: rules[0].cap: a percent is not allowed here: "
                             "expected a number such as 25000",
                             config_error);
    }
    SUBCASE("bad date") {
        CHECK_THROWS_WITH_AS((void)read_program("program: P\ncurrency: EUR\nperiods: {from: 2027-02-30, to: 2027-12-31}\n"
                                                "rules: [{id: r, pay: {rate: 1%}}]\n",
                                                "p.yaml"),
                             "[incentives.config.value] p.yaml:3:17: periods.from: \"2027-02-30\" is not a date: no such "
                             "day (expected YYYY-MM-DD, e.g. 2027-04-01)",
                             config_error);
    }
    SUBCASE("unknown currency") {
        CHECK_THROWS_WITH_AS((void)read_program("program: P\ncurrency: EUX\n", "p.yaml"),
                             "[incentives.config.value] p.yaml:2:11: currency: unknown currency \"EUX\": expected an "
                             "active ISO 4217 code such as EUR, USD or JPY (did you mean \"EUR\"?)",
                             config_error);
    }
    SUBCASE("unknown rounding mode") {
        CHECK_THROWS_WITH_AS((void)read_program("program: P\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n"
                                                "rounding: {mode: half_evn}\n",
                                                "p.yaml"),
                             "[incentives.config.value] p.yaml:4:18: rounding.mode: unknown value \"half_evn\": expected "
                             "one of half_even, half_up, half_down, up, down, ceiling, floor, unnecessary (did you mean "
                             "\"half_even\"?)",
                             config_error);
    }
    SUBCASE("overlapping tiers are a validation error from validate()") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - id: r\n    tiers: {table: [{from: 0, to: 60000, rate: 1%}, "
                                                           "{from: 50000, rate: 2%}]}\n"),
                                                "p.yaml"),
                             "[incentives.validation.tier_overlap] p.yaml: program \"P\" rules[0].tiers.table[0]: band "
                             "[0, 60000) overlaps the next tier, which starts at 50000",
                             validation_error);
    }
    SUBCASE("missing rules") {
        CHECK_THROWS_WITH_AS((void)read_program("program: P\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n",
                                                "p.yaml"),
                             "[incentives.config.missing_key] p.yaml:1:1: rules: missing required key \"rules\"",
                             config_error);
    }
    SUBCASE("both pay and tiers") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - id: r\n    pay: {rate: 1%}\n    tiers: {table: [{from: 0, rate: 1%}]}\n"),
                                                "p.yaml"),
                             "[incentives.config.conflict] p.yaml:7:5: rules[0].tiers: a rule pays with exactly one of "
                             "\"pay\", \"tiers\" or \"lookup\" (found both \"pay\" and \"tiers\")",
                             config_error);
    }
    SUBCASE("a rule that pays nothing") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - id: r\n"), "p.yaml"),
                             "[incentives.config.missing_key] p.yaml:5:5: rules[0]: a rule needs one of \"pay\", "
                             "\"tiers\" or \"lookup\" (or \"sum_of\", \"max_of\", \"first_of\")",
                             config_error);
    }
    SUBCASE("a list where a mapping is expected") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - id: r\n    pay: [1%]\n"), "p.yaml"),
                             "[incentives.config.type] p.yaml:6:10: rules[0].pay: expected a mapping (found a list)",
                             config_error);
    }
    SUBCASE("tier rows that mix rates and amounts") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - id: r\n    tiers:\n      table:\n        - {from: 0, rate: 1%}\n"
                                                           "        - {from: 10, amount: 5}\n"),
                                                "p.yaml"),
                             "[incentives.config.conflict] p.yaml:9:22: rules[0].tiers.table[1].amount: every tier of a "
                             "table pays the same way: found \"amount\" in a table that pays by \"rate\"",
                             config_error);
    }
    SUBCASE("credit to a beneficiary other than per's") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - {id: r, pay: {rate: 1%}, per: [partner, month], credit: {to: participant}}\n"),
                                                "p.yaml"),
                             "[incentives.config.conflict] p.yaml:5:62: rules[0].credit.to: credit goes to the beneficiary "
                             "of \"per\" (partner): give the same or only one",
                             config_error);
    }
    SUBCASE("eligibility tests partner fields only") {
        CHECK_THROWS_WITH_AS((void)read_program(with_rules("  - {id: r, pay: {rate: 1%}, when: {kind: sale}}\n"), "p.yaml"),
                             "[incentives.config.unknown_key] p.yaml:5:37: rules[0].when.kind: unknown key \"kind\"; "
                             "eligibility tests partner fields: segment, group, region, tier or partner.<name>",
                             config_error);
    }
    SUBCASE("a missing file") {
        CHECK_THROWS_WITH_AS((void)read_program_file("/nonexistent/program.yaml"),
                             "[incentives.config.file] /nonexistent/program.yaml: cannot open the program file",
                             config_error);
    }
}

}  // TEST_SUITE("yaml")
