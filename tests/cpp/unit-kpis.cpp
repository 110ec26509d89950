// The phased KPI plan (engine/kpis.hpp) on examples/programs/kpi_plan.yaml over examples/data/kpi_plan,
// the worked example of docs/rules/kpis.md. The data were made to these monthly counts (April to
// December 2027):
//   registered  160  55  50 100  60  45 100  50  80   (partners' `registered` dates; 700)
//   active       80  45  35  60  40  30  70  35  40   (first sale on or after registering; 435)
//   trained      40  20  15  45  15  15  40  20  10   (certified.SALES101 dates; 220)
//   sales: one 1,000.00 sale per activation, and five unregistered partners' sales in April (the
//   revenue counts them; `active` does not: only registered partners are active in the program).
// Targets: registered 150 50 50 150 50 50 150 50 0 (cumulative 150 200 250 400 450 500 650 700 700);
// active 60% of them: 90 30 30 90 30 30 90 30 0 (cumulative 90 120 150 240 270 300 390 420 420);
// trained 30%: 45 15 15 45 15 15 45 15 0 (cumulative 45 60 75 120 135 150 195 210 210).
// Cumulative attainment and lights (green >= 100%, amber >= 90%, red below):
//   registered  Apr 160/150 = 1.0667 green   Jul 365/400 = 0.9125 amber   Oct 570/650 = 0.8769 red
//               Dec 700/700 = 1 green
//   active      Apr 80/90 = 0.8889 red       May 125/120 = 1.0417 green   Dec 435/420 = 1.0357 green
//               funnel active / registered: Apr 80/160 = 0.5, Dec 435/700 = 0.62142... -> 0.6214
//   trained     Oct 190/195 = 0.97435... -> 0.9744 amber; funnel Dec 220/700 = 0.31428... -> 0.3143
//   sales       Apr (80 + 5) x 1000 = 85,000 of 90,000 -> 0.9444 amber
#include <doctest/doctest.h>

#include <incentives/incentives.hpp>
#include <incentives/io/csv.hpp>
#include <incentives/io/yaml.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
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
    CHECK(k.at("sales 2027-04") == "85000.00 90000 85000.00 90000 0.9444 amber -");
    CHECK(k.at("sales 2027-12") == "40000.00 0 440000.00 420000 1.0476 green -");
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
                                       {"d", "P2", "2027-05-05"}}) {
        event e;
        e.id = id;
        e.kind = "sale";
        e.on = date::parse(day);
        e.partner = who;
        e.quantity = decimal(1);
        e.amount = decimal(100);
        e.currency = "EUR";
        events.push_back(e);
    }
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
