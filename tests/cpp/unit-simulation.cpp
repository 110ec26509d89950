// The budget simulation (engine/simulate.hpp), its draws (detail/draws.hpp) and tax (tax.hpp).
// Oracles: programs whose cost is the same in every scenario (computed by hand), closed forms
// (a normal attainment's expected payout), recounts from the stored totals, and the worked tax
// examples of docs/tax.md.
#include <doctest/doctest.h>

#include <incentives/incentives.hpp>
#include <incentives/detail/draws.hpp>
#include <incentives/io/csv.hpp>
#include <incentives/io/yaml.hpp>
#include <incentives/simulation.hpp>
#include <incentives/tax.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

using namespace incentives;

namespace {

const std::filesystem::path repo = std::filesystem::path(INCENTIVES_TEST_DATA) / ".." / "..";
const std::filesystem::path examples = repo / "examples";

decimal d(const char* s) { return decimal::parse(s); }

catalog example_catalog() {
    const auto dir = examples / "data";
    return catalog(io::read_partners_csv((dir / "partners.csv").string()), io::read_participants_csv((dir / "participants.csv").string()),
                   io::read_products_csv((dir / "products.csv").string()), io::read_plans_csv((dir / "plans.csv").string()));
}

}  // namespace

TEST_CASE("simulation: the reseller example runs, reproducibly, the same on 1 and 2 threads") {
    engine e(io::read_program_file((examples / "programs" / "reseller.yaml").string()), example_catalog());
    const auto history = io::read_event_table((examples / "data" / "events.csv").string());
    simulation_assumptions a;
    a.model = simulation_assumptions::model_t::bootstrap;
    a.growth = d("0.05");
    a.market_spread = d("0.1");
    simulation_options o;
    o.scenarios = 200;
    o.seed = 7;
    o.budget = d("60000");
    const auto one = simulate(e, history.columns(), a, o);
    o.threads = 2;
    const auto two = simulate(e, history.columns(), a, o);
    CHECK(one.totals == two.totals);
    CHECK(one.summary == two.summary);
    CHECK(one.by == two.by);
    CHECK(one.counts == two.counts);
    MESSAGE("P50 " << one.cost().p50.to_string() << " P90 " << one.cost().p90.to_string() << " mean " << one.cost().mean.to_string()
                   << " over " << one.p_over_budget->to_string());
    // the lean path (drafts) against full runs (lines, statements, every stage): the same tables
    o.full_runs = true;
    const auto full = simulate(e, history.columns(), a, o);
    CHECK(full.totals == one.totals);
    CHECK(full.by == one.by);
    CHECK(full.counts == one.counts);
    o.full_runs = false;
    o.seed = 8;
    const auto other = simulate(e, history.columns(), a, o);
    CHECK_FALSE(other.totals == one.totals);
}

namespace {

/// Three partners that sold 1,000.00 in every month of 2026 (one sale a month each): a bootstrap
/// month is always 1,000.00, so every scenario costs the same, computable by hand.
struct steady {
    catalog cat{{{"P1", "A", "smb", "n", "eu", "gold", {{"size", "small"}}},
                 {"P2", "B", "smb", "n", "eu", "gold", {{"size", "small"}}},
                 {"P3", "C", "smb", "n", "eu", "gold", {{"size", "large"}}}},
                {},
                {{"K1", "kit", {}}},
                {{"P1", date(2027, 1, 1), decimal(12000)}, {"P2", date(2027, 1, 1), decimal(12000)}, {"P3", date(2027, 1, 1), decimal(12000)}}};
    std::vector<event> events;
    steady() {
        for (const char* p : {"P1", "P2", "P3"})
            for (unsigned m = 1; m <= 12; ++m) {
                event e;
                e.id = std::string(p) + "-" + std::to_string(m);
                e.kind = "sale";
                e.on = date(2026, m, 10);
                e.partner = p;
                e.sku = "K1";
                e.quantity = decimal(1);
                e.amount = d("1000.00");
                e.currency = "EUR";
                events.push_back(e);
            }
    }
};

program quarterly(rules::schedule pay) {
    program p;
    p.name = "steady";
    p.currency_ = currency::of("EUR");
    p.cal = calendar(date(2027, 1, 1), date(2027, 12, 31));
    rules::rule r;
    r.id = "rebate";
    r.per = period_unit::quarter;
    r.pay = std::move(pay);
    p.rules = {r};
    return p;
}

rules::schedule rate(const char* r) {
    rules::schedule s;
    s.kind = rules::schedule::kind_t::rate;
    s.value = d(r);
    return s;
}

simulation_result run_steady(const program& p, const simulation_assumptions& a, std::uint64_t scenarios = 50, unsigned threads = 1) {
    steady s;
    engine e(p, s.cat);
    simulation_options o;
    o.scenarios = scenarios;
    o.seed = 3;
    o.threads = threads;
    return simulate(e, std::span<const event>(s.events), a, o);
}

}  // namespace

TEST_CASE("simulation: a steady history costs the same in every scenario, computed by hand") {
    simulation_assumptions a;
    // 3 partners x 4 quarters x (3 x 1,000.00 x 2%) = 12 x 60.00 = 720.00
    auto r = run_steady(quarterly(rate("0.02")), a);
    CHECK(r.cost().min == d("720.00"));
    CHECK(r.cost().max == d("720.00"));
    CHECK(r.cost().mean == d("720.00"));
    CHECK(r.reserve == d("0.00"));
    // growth 10%: 1,100.00 a month: 12 x 3,300.00 x 2% = 792.00
    a.growth = d("0.1");
    r = run_steady(quarterly(rate("0.02")), a);
    CHECK(r.cost().p50 == d("792.00"));
    CHECK(r.cost().max == d("792.00"));
    // by month: a quarterly line accrues in the quarter's last month (3 x 66.00 = 198.00 in March)
    for (const auto& m : r.schedule) {
        const bool quarter_end = m.month_start.month() % 3 == 0;
        CHECK(m.expected == (quarter_end ? d("198.00") : d("0.00")));
    }
    CHECK(r.schedule.back().cumulative == d("792.00"));
    // a segment that never takes part costs nothing: P3 (large) out, 2 x 4 x 66.00 = 528.00
    a.segment_by = "size";
    a.segments = {{"large", std::nullopt, std::nullopt, std::nullopt, d("0")}};
    r = run_steady(quarterly(rate("0.02")), a);
    CHECK(r.cost().p50 == d("528.00"));
    for (const auto& row : r.by)
        if (row.by == "segment") CHECK(row.d.max == (row.key == "large" ? d("0.00") : d("528.00")));
}

TEST_CASE("simulation: tiers reached are counted per scenario; sensitivity moves the draws' inputs") {
    rules::schedule tiers;
    tiers.kind = rules::schedule::kind_t::tiers;
    tiers.tiers_.rows = {{decimal(0), {}, d("0.01"), "bronze"}, {decimal(3000), {}, d("0.02"), "silver"}};
    simulation_assumptions a;
    a.sensitivity = {{"growth", d("0.1")}, {"thresholds", d("0.1")}};
    const auto r = run_steady(quarterly(tiers), a, 20);
    // a quarter is 3,000.00: silver, 60.00; 12 lines in every scenario
    CHECK(r.cost().p50 == d("720.00"));
    for (const auto& c : r.counts) {
        if (c.key == "rebate/silver") {
            CHECK(c.count == 12);
            CHECK(c.scenarios == 20);
        }
        if (c.key == "rebate/bronze") CHECK(c.count == 0);
    }
    REQUIRE(r.sensitivity.size() == 4);
    // growth -10%: (1 + 0) x 0.9: 2,700.00 a quarter is bronze: 12 x 27.00 = 324.00
    CHECK(r.sensitivity[0].assumption == "growth");
    CHECK(r.sensitivity[0].p50 == d("324.00"));
    // growth +10%: 3,300.00 silver: 12 x 66.00 = 792.00
    CHECK(r.sensitivity[1].p90 == d("792.00"));
    // thresholds -10%: silver from 2,700: still 720.00; +10%: silver from 3,300: bronze, 12 x 30.00 = 360.00
    CHECK(r.sensitivity[2].p50 == d("720.00"));
    CHECK(r.sensitivity[3].p50 == d("360.00"));
}

TEST_CASE("simulation: quantiles are nearest ranks of the totals; the budget's chance is a recount") {
    engine e(io::read_program_file((examples / "programs" / "reseller.yaml").string()), example_catalog());
    const auto history = io::read_event_table((examples / "data" / "events.csv").string());
    simulation_assumptions a;
    a.model = simulation_assumptions::model_t::lognormal;
    a.spread = d("0.3");
    a.correlation = d("0.25");
    simulation_options o;
    o.scenarios = 101;
    o.seed = 11;
    o.budget = d("50000");
    const auto r = simulate(e, history.columns(), a, o);
    auto sorted = r.totals;
    std::sort(sorted.begin(), sorted.end());
    // N = 101: P50 is rank ceil(50.5) = 51, P90 rank ceil(90.9) = 91, P99 rank ceil(99.99) = 100
    CHECK(r.cost().p50 == sorted[50]);
    CHECK(r.cost().p90 == sorted[90]);
    CHECK(r.cost().p99 == sorted[99]);
    CHECK(r.cost().max == sorted[100]);
    decimal sum, overrun;
    std::int64_t over = 0;
    for (const auto& t : r.totals) {
        sum += t;
        if (*o.budget < t) ++over, overrun += t - *o.budget;
    }
    CHECK(r.cost().mean == sum.divide(decimal(101), 2, rounding_mode::half_even));
    CHECK(*r.p_over_budget == decimal(over).divide(decimal(101), 6, rounding_mode::half_even));
    CHECK(*r.expected_overrun == overrun.divide(decimal(101), 2, rounding_mode::half_even));
    // the items add up to the cost in every statistic's scenario: mean of cost = sum of the items' means (to a cent per item)
    decimal items;
    for (const auto& row : r.summary)
        if (row.by != "cost") items += row.d.mean;
    CHECK(abs(items - r.cost().mean) <= d("0.05"));
    // and the rules add up to the cost
    decimal rules_sum;
    for (const auto& row : r.by)
        if (row.by == "rule") rules_sum += row.d.mean;
    CHECK(abs(rules_sum - r.cost().mean) <= d("0.05"));
}

TEST_CASE("simulation: a normal attainment's expected payout agrees with its closed form") {
    // 100 partners with a plan of 100,000 for the year; 1% of sales x 2 below 90% of plan, x 3 from
    // 90%, x 4 from 99%; attainment ~ Normal(1, 0.1). E[a m(a)] = sum over bands of m x E[a; band],
    // E[a; lo <= a < hi] = mu (Phi(b) - Phi(a)) + sigma (phi(a) - phi(b)) in standard units.
    std::vector<partner> ps;
    std::vector<plan> plans;
    for (int i = 0; i < 100; ++i) {
        const std::string id = "R" + std::to_string(1000 + i);
        ps.push_back({id, id, "", "", "", "", {}});
        plans.push_back({id, date(2027, 1, 1), decimal(100000)});
    }
    program p;
    p.name = "commission";
    p.currency_ = currency::of("USD");
    p.cal = calendar(date(2027, 1, 1), date(2027, 12, 31));
    rules::rule r;
    r.id = "commission";
    r.per = period_unit::year;
    r.pay = rate("0.01");
    r.accelerate = rules::accelerator{{{decimal(0), decimal(2)}, {d("0.9"), decimal(3)}, {d("0.99"), decimal(4)}}};
    p.rules = {r};
    engine e(p, catalog(ps, {}, {}, plans));
    simulation_assumptions a;
    a.model = simulation_assumptions::model_t::attainment;
    a.spread = d("0.1");
    simulation_options o;
    o.scenarios = 2000;
    o.seed = 42;
    o.threads = 2;
    const auto res = simulate(e, std::span<const event>(), a, o);
    auto Phi = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
    auto phi = [](double z) { return std::exp(-z * z / 2) / std::sqrt(2 * M_PI); };
    auto part = [&](double lo, double hi) { return 1.0 * (Phi(hi) - Phi(lo)) + 0.1 * (phi(lo) - phi(hi)); };
    const double za = (0.9 - 1) / 0.1, zb = (0.99 - 1) / 0.1;
    const double expected = 100 * 1000.0 * (2 * part(-40, za) + 3 * part(za, zb) + 4 * part(zb, 40));
    const double mean = std::stod(res.cost().mean.to_string());
    MESSAGE("mean " << mean << " expected " << expected);
    CHECK(std::fabs(mean / expected - 1) < 0.005);
}

TEST_CASE("simulation: points cost what their lots earn, activity rewards included, and trips are grossed up") {
    const auto dir = examples / "data" / "sales_contest";
    const program p = io::read_program_file((examples / "programs" / "sales_contest.yaml").string());
    const catalog cat(io::read_partners_csv((dir / "partners.csv").string()), io::read_participants_csv((dir / "participants.csv").string()),
                      io::read_products_csv((dir / "products.csv").string()), io::read_plans_csv((dir / "plans.csv").string()));
    // The oracle: a real run's reward lots (birthdays, courses: not a rule's line), at 1 rouble a point.
    engine real(p, cat);
    real.add(io::read_event_table((dir / "events.csv").string()).columns());
    decimal rewards;
    for (const auto& x : real.run().points)
        if (x.kind == points_entry::kind_t::earned && x.event.rfind("rep_points/", 0) != 0) rewards += x.points;
    REQUIRE(rewards.signum() > 0);
    const auto f = io::read_assumptions_file((examples / "simulation" / "sales_contest_budget.yaml").string());
    simulation_options o;
    o.scenarios = 60;
    o.seed = 9;
    const auto r = simulate(engine(p, cat), io::read_event_table((dir / "history_2026.csv").string()).columns(), f.assumptions, o);
    bool seen = false;
    for (const auto& row : r.by)
        if (row.by == "rule" && row.key == "(activity rewards)") {
            seen = true;
            CHECK(row.d.min == rewards.rescale(2, rounding_mode::unnecessary));
            CHECK(row.d.max == rewards.rescale(2, rounding_mode::unnecessary));
        }
    CHECK(seen);
    // points = the rule's lots + the rewards, in every scenario; tax = 10 trips x 78,615.00
    // (0.35 x (150,000 - 4,000) / 0.65 = 78,615.38, full roubles)
    for (const auto& row : r.summary)
        if (row.by == "tax") CHECK(row.d.max == d("786150.00"));
}

TEST_CASE("simulation: the lean path (drafts, no lines) gives the tables of full runs; contest cash to people is taxed") {
    // One partner, two reps: U1 sold 1,000.00 and U2 500.00 in every month of 2026.
    catalog cat({{"P1", "A", "smb", "n", "eu", "gold", {}}}, {{"U1", "P1", "sales", {}, {}}, {"U2", "P1", "sales", {}, {}}},
                {{"K1", "kit", {}}}, {});
    std::vector<event> history;
    for (unsigned m = 1; m <= 12; ++m)
        for (const auto& [who, amount] : {std::pair{"U1", "1000.00"}, std::pair{"U2", "500.00"}}) {
            event e;
            e.id = std::string(who) + "-" + std::to_string(m);
            e.kind = "sale";
            e.on = date(2026, m, 3);
            e.partner = "P1";
            e.sku = "K1";
            e.quantity = decimal(1);
            e.amount = d(amount);
            e.currency = "RUB";
            e.participants = {{who, decimal(1)}};
            history.push_back(e);
        }
    const program p = io::read_program(R"(
program: reps
currency: RUB
periods: {from: 2027-01-01, to: 2027-12-31}
contests:
  - id: reps
    score: {rule: rep, of: measure}
    per: year
    winners: 2
    prizes: {places: [10000, 5000]}
rules:
  - id: rep
    measure: amount
    per: [participant, quarter]
    credit: {to: participant}
    pay: {rate: 2%}
)", "reps.yaml");
    simulation_assumptions a;
    a.tax = io::read_tax_rules_file((repo / "data" / "tax" / "ru.yaml").string());
    a.gross_up = true;
    simulation_options o;
    o.scenarios = 20;
    const engine e(p, cat);
    const auto lean = simulate(e, std::span<const event>(history), a, o);
    o.full_runs = true;
    const auto full = simulate(e, std::span<const event>(history), a, o);
    CHECK(lean.totals == full.totals);
    CHECK(lean.summary == full.summary);
    CHECK(lean.by == full.by);
    CHECK(lean.counts == full.counts);
    // U1: 4 x 3,000.00 x 2% = 240.00 + the first prize 10,000 = 10,240.00; taxable 6,240.00, top-up
    // 0.35 x 6,240 / 0.65 = 3,360. U2: 120.00 + 5,000 = 5,120.00; taxable 1,120.00, top-up
    // 0.35 x 1,120 / 0.65 = 603.08 -> 603 (full roubles). Tax 3,963.00; cost 360 + 15,000 + 3,963.
    for (const auto& row : lean.summary) {
        if (row.by == "tax") CHECK(row.d.max == d("3963.00"));
        if (row.by == "cost") CHECK(row.d.min == d("19323.00"));
    }
}

TEST_CASE("simulation: what it refuses, and why") {
    simulation_assumptions a;
    auto refused = [&](const program& p, const std::string& words) {
        simulation_options o;
        o.scenarios = 2;
        steady s;
        try {
            (void)simulate(engine(p, s.cat), std::span<const event>(s.events), a, o);
            FAIL("not refused: " << words);
        } catch (const validation_error& e) {
            CHECK(std::string(e.what()).find(words) != std::string::npos);
        }
    };
    // Russia's rules are in roubles, the program pays in euros.
    a.tax = io::read_tax_rules_file((repo / "data" / "tax" / "ru.yaml").string());
    refused(quarterly(rate("0.02")), "are in RUB, the program pays in EUR");
    a.tax.reset();
    a.participation = d("1.5");
    refused(quarterly(rate("0.02")), "participation must be between 0 and 1");
    a.participation = decimal(1);
    program distinct = quarterly(rate("0.02"));
    distinct.rules[0].measure_.kind = rules::measure::kind_t::distinct;
    distinct.rules[0].measure_.attribute = "sku";
    refused(distinct, "measures a distinct count");
}
