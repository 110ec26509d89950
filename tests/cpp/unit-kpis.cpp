// The phased KPI plan (engine/kpis.hpp) on examples/programs/kpi_plan.yaml over examples/data/kpi_plan,
// the worked example of docs/rules/kpis.md. The data were made to these monthly counts (April to
// December 2027):
//   registered  160  55  50 100  60  45 100  50  80   (partners' `registered` dates; 700)
//   active       80  45  35  60  40  30  70  35  40   (first sale on or after registering; 435)
//   trained      40  20  15  45  15  15  40  20  10   (certified.SALES101 dates; 220)
//   sales: one 1,000.00 sale per activation, and five unregistered partners' 400.00 sales in April
//   (the revenue counts them; `active` does not: only registered partners are active in the program).
// Targets: registered 150 50 50 150 50 50 150 50 0 (cumulative 150 200 250 400 450 500 650 700 700);
// active 60% of them: 90 30 30 90 30 30 90 30 0 (cumulative 90 120 150 240 270 300 390 420 420);
// trained 30%: 45 15 15 45 15 15 45 15 0 (cumulative 45 60 75 120 135 150 195 210 210).
// Cumulative attainment and lights (green >= 100%, amber >= 90%, red below):
//   registered  Apr 160/150 = 1.0667 green   Jul 365/400 = 0.9125 amber   Oct 570/650 = 0.8769 red
//               Dec 700/700 = 1 green
//   active      Apr 80/90 = 0.8889 red       May 125/120 = 1.0417 green   Dec 435/420 = 1.0357 green
//               funnel active / registered: Apr 80/160 = 0.5, Dec 435/700 = 0.62142... -> 0.6214
//   trained     Oct 190/195 = 0.97435... -> 0.9744 amber; funnel Dec 220/700 = 0.31428... -> 0.3143
//   sales       Apr 80 x 1000 + 5 x 400 = 82,000 of 90,000 -> 0.9111 amber; Dec 437,000 / 420,000 -> 1.0405
#include <doctest/doctest.h>

#include <incentives/incentives.hpp>
#include <incentives/io/csv.hpp>
#include <incentives/io/yaml.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace incentives;

namespace {

const std::filesystem::path examples = std::filesystem::path(INCENTIVES_TEST_DATA) / ".." / ".." / "examples";
const std::filesystem::path data = examples / "data" / "kpi_plan";

program kpi_program() { return io::read_program_file((examples / "programs" / "kpi_plan.yaml").string()); }

result run_plan(std::vector<event> events, unsigned threads = 1) {
    engine e(kpi_program(), catalog(io::read_partners_csv((data / "partners.csv").string()),
                                    io::read_participants_csv((data / "participants.csv").string())));
    e.add(events, threads);
    return e.run();
}

event sale(const char* id, const char* partner, const char* day, int amount) {
    event e;
    e.id = id;
    e.kind = "sale";
    e.on = date::parse(day);
    e.partner = partner;
    e.quantity = decimal(1);
    e.amount = decimal(amount);
    e.currency = "EUR";
    return e;
}

/// "actual target cumulative_actual cumulative_target attainment light ratio" by "kpi month".
std::map<std::string, std::string> report(const result& r) {
    std::map<std::string, std::string> out;
    for (const auto& k : r.kpis)
        out[k.kpi + " " + k.month] = k.actual.to_string() + " " + k.target.to_string() + " " + k.cumulative_actual.to_string() + " " +
                                     k.cumulative_target.to_string() + " " + (k.attainment ? k.attainment->to_string() : "-") + " " +
                                     k.light + " " + (k.ratio ? k.ratio->to_string() : "-");
    return out;
}

}  // namespace

TEST_CASE("kpis: the phased plan of the example, by hand") {
    const auto r = run_plan(io::read_events_csv((data / "events.csv").string()));
    CHECK(r.kpis.size() == 36);  // 4 KPIs x 9 months
    const auto k = report(r);
    CHECK(k.at("registered 2027-04") == "160 150 160 150 1.0667 green -");
    CHECK(k.at("registered 2027-07") == "100 150 365 400 0.9125 amber -");
    CHECK(k.at("registered 2027-10") == "100 150 570 650 0.8769 red -");
    CHECK(k.at("registered 2027-12") == "80 0 700 700 1.0000 green -");
    CHECK(k.at("active 2027-04") == "80 90 80 90 0.8889 red 0.5000");
    CHECK(k.at("active 2027-05") == "45 30 125 120 1.0417 green 0.5814");  // 125/215
    CHECK(k.at("active 2027-12") == "40 0 435 420 1.0357 green 0.6214");
    CHECK(k.at("trained 2027-10") == "40 45 190 195 0.9744 amber 0.3333");  // 190/570
    CHECK(k.at("trained 2027-12") == "10 0 220 210 1.0476 green 0.3143");
    CHECK(k.at("sales 2027-04") == "82000.00 90000 82000.00 90000 0.9111 amber -");
    CHECK(k.at("sales 2027-12") == "40000.00 0 437000.00 420000 1.0405 green -");
}

TEST_CASE("kpis: the report does not depend on event order or threads") {
    auto events = io::read_events_csv((data / "events.csv").string());
    const auto base = run_plan(events);
    std::mt19937 rng(11);
    std::shuffle(events.begin(), events.end(), rng);
    CHECK(run_plan(events, 2).kpis == base.kpis);
}

TEST_CASE("kpis: activity counts only on or after registering, once under since_registration") {
    // P1 registers on 2027-04-20; a sale on 04-10 is before it (not active in April), a sale on
    // 05-03 makes it active in May; under `month` it is active again in June (a sale on 06-01),
    // under `since_registration` only in May. P2 has no registered date: never active.
    const std::string text = "program: k\ncurrency: EUR\nperiods: {from: 2027-04-01, to: 2027-06-30}\n"
                             "kpis:\n  table:\n    - {id: reg, count: partners_registered, targets: [1, 1, 1]}\n"
                             "    - {id: act, count: partners_active, rule: s, active: ACTIVE, target: {percent: 50%, of: reg}}\n"
                             "rules:\n  - {id: s, pay: {rate: 1%}, per: [partner, month]}\n";
    partner p1, p2;
    p1.id = "P1";
    p1.attrs["registered"] = "2027-04-20";
    p2.id = "P2";
    std::vector<event> events;
    for (const auto& [id, who, day] : {std::tuple{"a", "P1", "2027-04-10"}, {"b", "P1", "2027-05-03"}, {"c", "P1", "2027-06-01"},
                                       {"d", "P2", "2027-05-05"}})
        events.push_back(sale(id, who, day, 100));
    auto run = [&](const std::string& mode) {
        std::string t = text;
        t.replace(t.find("ACTIVE"), 6, mode);
        engine e(io::read_program(t), catalog({p1, p2}));
        e.add(events);
        std::vector<std::string> out;
        for (const auto& k : e.run().kpis)
            if (k.kpi == "act") out.push_back(k.actual.to_string() + "/" + k.target.to_string());
        return out;
    };
    // Targets: 50% of 1 = 0.5 a month.
    CHECK(run("month") == std::vector<std::string>{"0/0.5", "1/0.5", "1/0.5"});
    CHECK(run("since_registration") == std::vector<std::string>{"0/0.5", "1/0.5", "0/0.5"});
}

TEST_CASE("kpis: what validation refuses, and the YAML round trip") {
    const std::string head = "program: k\ncurrency: EUR\nperiods: {from: 2027-04-01, to: 2027-06-30}\nkpis:\n  table:\n";
    const std::string rules = "rules:\n  - {id: s, pay: {rate: 1%}, per: [partner, month]}\n  - {id: q, pay: {rate: 1%}, per: [partner, quarter]}\n";
    CHECK_THROWS_WITH_AS(io::read_program(head + "    - {id: reg, count: partners_registered, targets: [1, 1]}\n" + rules),
                         doctest::Contains("2 monthly targets for the program's 3 months"), validation_error);
    CHECK_THROWS_WITH_AS(io::read_program(head + "    - {id: act, count: partners_active, rule: s, target: {percent: 60%, of: reg}}\n" + rules),
                         doctest::Contains("not a KPI listed before it"), validation_error);
    CHECK_THROWS_WITH_AS(io::read_program(head + "    - {id: m, count: measure, rule: q, targets: [1, 1, 1]}\n" + rules),
                         doctest::Contains("declare the rule per month"), validation_error);
    CHECK_THROWS_WITH_AS(io::read_program(head + "    - {id: m, count: measure, rule: x, targets: [1, 1, 1]}\n" + rules),
                         doctest::Contains("no rule \"x\""), validation_error);
    CHECK_THROWS_WITH_AS(io::read_program(head + "    - {id: m, count: partner_registered, targets: [1, 1, 1]}\n" + rules),
                         doctest::Contains("did you mean \"partners_registered\""), config_error);
    const program p = kpi_program();
    CHECK(io::read_program(io::write_program(p)) == p);
}

TEST_CASE("roi: the example's control group, by hand") {
    // Program partners: the 700 registered ones; control: U1-U5 (no `registered` date), 400.00 of
    // sales each -> mean 400.00, baseline 400.00 x 700 = 280,000.00. Sales: 435 activations x
    // 1,000.00 = 435,000.00 -> incremental 155,000.00, x 25% margin = 38,750.00. Cost: 1% of each
    // program partner's sales = 4,350.00 (the control group's lines are not the program's cost).
    // ROI = (38,750 - 4,350) / 4,350 = 7.90804... -> 7.9080; cost share 4,350 / 435,000 = 0.0100;
    // 435 of 700 earn and are active: 0.62142... -> 0.6214.
    const auto r = run_plan(io::read_events_csv((data / "events.csv").string()));
    REQUIRE(r.roi.size() == 1);
    const auto& x = r.roi.front();
    CHECK(x.segment == "all");
    CHECK((x.partners == 700 && x.participating == 435 && x.active == 435 && x.control_partners == 5));
    CHECK(x.participation_rate.to_string() == "0.6214");
    CHECK(x.sales.to_string() == "435000.00");
    CHECK(x.baseline->to_string() == "280000.00");
    CHECK(x.incremental->to_string() == "155000.00");
    CHECK(x.incremental_margin->to_string() == "38750.00");
    CHECK(x.cost.to_string() == "4350.00");
    CHECK(x.cost_share->to_string() == "0.0100");
    CHECK(x.roi->to_string() == "7.9080");
}

TEST_CASE("roi: a prior-year baseline per segment, with points at their value") {
    // Two segments. 2026 (the baseline, never paid) and 2027 sales:
    //   A: P1 1,000 -> 1,500; P2 500 -> 500       B: P3 2,000 -> 1,800
    // The rule pays 2% in cash; a points rule pays 1 point per 10 of sales, a point worth 0.05.
    // A: sales 2,000, baseline 1,500, incremental 500, margin 30% = 150; cost 2% x 2,000 = 40 + 200
    //    points x 0.05 = 10 -> 50; ROI (150 - 50) / 50 = 2; cost share 50 / 2,000 = 0.025.
    // B: sales 1,800, baseline 2,000, incremental -200 -> margin -60; cost 36 + 180 x 0.05 = 45;
    //    ROI (-60 - 45) / 45 = -2.3333...; all: sales 3,800, baseline 3,500, incremental 300, margin
    //    90, cost 95, ROI (90 - 95) / 95 = -0.05263... -> -0.0526.
    const program p = io::read_program(
        "program: r\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\npoints: {id: pts, value: 0.05}\n"
        "roi: {sales: cash, margin: 30%, segment: segment}\n"
        "rules:\n  - {id: cash, pay: {rate: 2%}, per: [partner, quarter]}\n"
        "  - {id: pts_rule, pay: {rate: 10%}, per: [partner, quarter], points: pts}\n");
    std::vector<partner> ps(3);
    for (int i = 0; i < 3; ++i) {
        ps[static_cast<std::size_t>(i)].id = "P" + std::to_string(i + 1);
        ps[static_cast<std::size_t>(i)].segment = i < 2 ? "A" : "B";
    }
    std::vector<event> events;
    for (const auto& [id, who, day, amount] : {std::tuple{"a", "P1", "2026-05-01", 1000}, {"b", "P1", "2027-05-01", 1500},
                                               {"c", "P2", "2026-05-01", 500}, {"d", "P2", "2027-05-01", 500},
                                               {"e", "P3", "2026-05-01", 2000}, {"f", "P3", "2027-05-01", 1800}})
        events.push_back(sale(id, who, day, amount));
    engine e(p, catalog(ps));
    e.add(events);
    const auto r = e.run();
    REQUIRE(r.roi.size() == 3);
    std::map<std::string, std::string> got;
    for (const auto& x : r.roi)
        got[x.segment] = x.sales.to_string() + " " + x.baseline->to_string() + " " + x.incremental->to_string() + " " + x.cost.to_string() + " " +
                         x.roi->to_string() + " " + x.cost_share->to_string();
    CHECK(got.at("A") == "2000.00 1500.00 500.00 50.00 2.0000 0.0250");
    CHECK(got.at("B") == "1800.00 2000.00 -200.00 45.00 -2.3333 0.0250");
    CHECK(got.at("all") == "3800.00 3500.00 300.00 95.00 -0.0526 0.0250");
    CHECK(io::read_program(io::write_program(p)) == p);
    CHECK(io::read_program(io::write_program(kpi_program())) == kpi_program());
    CHECK_THROWS_WITH_AS(io::read_program("program: r\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n"
                                          "roi: {sales: cahs, margin: 30%}\nrules:\n  - {id: cash, pay: {rate: 2%}, per: [partner, quarter]}\n"),
                         doctest::Contains("did you mean \"cash\""), validation_error);
}
