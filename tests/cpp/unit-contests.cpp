// Contests (engine/contests.hpp): the sales contest example (examples/programs/sales_contest.yaml over
// examples/data/sales_contest, the worked example of docs/rules/contests.md), loaded from its own
// files, every number computed by hand below; then small programs for the prize forms (pot, steps,
// minimum score, points and in-kind), eligibility, leagues, the lot, and the properties (any input
// order, batch split and thread count give the same boards; prizes add up to the table).
//
// The example's year, per partner: sales (each rep's quarterly sale x 4) and plan (quarterly x 4):
//   small  (plan 250,000 x 4 = 1,000,000)  S1 1,200,000 -> 120%   S2 1,100,000 -> 110%
//                                          S3 1,100,000 -> 110%   S4   900,000 ->  90%
//   medium (plan 500,000 x 4 = 2,000,000)  M1 2,600,000 -> 130%   M2 2,400,000 -> 120%
//                                          M3 2,400,000 -> 120%   M4 1,100,000 ->  55%
//   large  (plan 1,250,000 x 4 = 5,000,000, L4's 1,000,000 x 4 = 4,000,000)
//          L1 3,000,000 (RL1) + 2,500,000 (R13) = 5,500,000 -> 110%   L2 4,750,000 -> 95%
//          L3 4,500,000 -> 90%   L4 4,600,000 / 4,000,000 -> 115%
// partner_cup: 2 winners per league at 100% or more, places 100,000 and 50,000, ties by the earlier
// last sale, then shared:
//   large: L4 (115%) 100,000, L1 (110%) 50,000; L2 and L3 are below 100%.
//   medium: M1 100,000; M2 and M3 tie at 120% with the same last sale (2027-12-01): places 2 and 3,
//           the cut at 2 -> place 2's 50,000 shared: 25,000 each.
//   small: S1 100,000; S2 and S3 at 110%: S2's last sale 2027-11-15 is before S3's 2027-12-10 -> S2
//          place 2, 50,000; S3 place 3 (rank 3: the tie-break numbered them apart).
//   total 100,000 + 50,000 + 100,000 + 25,000 + 25,000 + 100,000 + 50,000 = 450,000 RUB.
// trip: the ten best registered reps by sales; R13 (2,500,000) is not registered. In order:
//   RL2 4,750,000 (1), RL4 4,600,000 (2), RL3 4,500,000 (3), RL1 3,000,000 (4), RM1 2,600,000 (5),
//   RM2 = RM3 2,400,000 (places 6-7, rank 6), RS1 1,200,000 (8), RM4 = RS2 = RS3 1,100,000 (places
//   9-11, rank 9: the tie straddles the cut of 10, all_win -> all three go), RS4 900,000 (12).
//   11 trips x 150,000 = 1,650,000 in kind; no lines.
#include <doctest/doctest.h>

#include <incentives/incentives.hpp>
#include <incentives/io/csv.hpp>
#include <incentives/io/yaml.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace incentives;

namespace {

const std::filesystem::path examples = std::filesystem::path(INCENTIVES_TEST_DATA) / ".." / ".." / "examples";
const std::filesystem::path data = examples / "data" / "sales_contest";

program contest_program() { return io::read_program_file((examples / "programs" / "sales_contest.yaml").string()); }

catalog contest_catalog() {
    return catalog(io::read_partners_csv((data / "partners.csv").string()), io::read_participants_csv((data / "participants.csv").string()),
                   io::read_products_csv((data / "products.csv").string()), io::read_plans_csv((data / "plans.csv").string()));
}

std::vector<event> contest_events() { return io::read_events_csv((data / "events.csv").string()); }

/// "league position rank winner prize", by competitor, for one contest's rows.
std::map<std::string, std::string> board_of(const std::vector<contest_standing>& rows, const std::string& contest) {
    std::map<std::string, std::string> out;
    for (const auto& st : rows)
        if (st.contest == contest)
            out[st.competitor] = st.league + " " + std::to_string(st.position) + " " + st.rank.to_string() + " " + (st.winner ? "yes" : "no") + " " +
                                 (st.prize + st.step_prize).to_string() + (st.eligible ? "" : " (" + st.why + ")");
    return out;
}

struct run_out {
    result r;
    std::vector<contest_standing> june;
};

run_out run_example(std::vector<event> events, unsigned threads = 1, std::size_t batches = 1) {
    engine e(contest_program(), contest_catalog());
    const std::size_t per = (events.size() + batches - 1) / batches;
    for (std::size_t i = 0; i < events.size(); i += per)
        e.add(std::span<const event>(events).subspan(i, std::min(per, events.size() - i)), threads);
    run_out out{e.run({false, false, threads}), {}};
    out.june = e.leaderboard(out.r, "partner_cup", date(2027, 6, 30));
    return out;
}

}  // namespace

TEST_CASE("contests: the sales contest example, by hand") {
    const auto run = run_example(contest_events());
    const auto cup = board_of(run.r.contests, "partner_cup");
    const std::map<std::string, std::string> expected_cup{
        {"L4", "large 1 1 yes 100000.00"}, {"L1", "large 2 2 yes 50000.00"}, {"L2", "large 3 3 no 0.00"}, {"L3", "large 4 4 no 0.00"},
        {"M1", "medium 1 1 yes 100000.00"}, {"M2", "medium 2 2 yes 25000.00"}, {"M3", "medium 3 2 yes 25000.00"},
        {"M4", "medium 4 4 no 0.00"}, {"S1", "small 1 1 yes 100000.00"}, {"S2", "small 2 2 yes 50000.00"},
        {"S3", "small 3 3 no 0.00"}, {"S4", "small 4 4 no 0.00"}};
    CHECK(cup == expected_cup);
    // Attainment shown to 6 places: L4 4,600,000 / 4,000,000 = 1.15; M4 1,100,000 / 2,000,000 = 0.55.
    for (const auto& st : run.r.contests) {
        if (st.competitor == "L4") CHECK(st.score.to_string() == "1.150000");
        if (st.competitor == "M4") {
            CHECK(st.score.to_string() == "0.550000");
            CHECK(st.gap_to_next->to_string() == "0.650000");  // 1.20 - 0.55
            CHECK(st.gap_to_cut->to_string() == "0.650000");   // the last winner M3 at 1.20
        }
        if (st.competitor == "S3") CHECK(st.gap_to_cut->to_string() == "0.000000");  // level with S2, behind on the tie-break
    }
    const auto trip = board_of(run.r.contests, "trip");
    CHECK(trip.at("RL2") == " 1 1 yes 150000");
    CHECK(trip.at("RM2") == " 6 6 yes 150000");
    CHECK(trip.at("RM3") == " 7 6 yes 150000");
    CHECK(trip.at("RM4") == " 9 9 yes 150000");
    CHECK(trip.at("RS3") == " 11 9 yes 150000");
    CHECK(trip.at("RS4") == " 12 12 no 0");
    CHECK(trip.at("R13") == " 0 0 no 0 (not registered)");
    std::size_t trips = 0;
    for (const auto& st : run.r.contests) trips += st.contest == "trip" && st.winner && st.item == "Trip to Sochi";
    CHECK(trips == 11);
    // Prize lines: partner_cup's seven winners, 450,000 in all; the trips are in kind (no line).
    decimal cup_total;
    std::size_t cup_lines = 0;
    for (const auto& l : run.r.lines) {
        CHECK(l.rule != "trip");
        if (l.rule != "partner_cup") continue;
        ++cup_lines;
        cup_total += l.amount;
        CHECK(l.period == "2027");
        CHECK(l.currency == "RUB");
    }
    CHECK(cup_lines == 7);
    CHECK(cup_total == decimal(450000));
    // The statements include the prizes: partner_sales pays 1% of 32,150,000 = 321,500; + 450,000.
    decimal paid;
    for (const auto& s : run.r.statements) paid += s.amount;
    CHECK(paid == decimal(771500));
}

TEST_CASE("contests: a board as of a day counts the score's periods ended by then") {
    const auto run = run_example(contest_events());
    // As of 2027-06-30: Q1 + Q2, half of each partner's sales and plans, the same percentages; but
    // S2's and S3's last sales are both 2027-05-15, so they tie on every key: places 2-3 share place
    // 2's 50,000 (25,000 each).
    const auto june = board_of(run.june, "partner_cup");
    CHECK(june.at("S2") == "small 2 2 yes 25000.00");
    CHECK(june.at("S3") == "small 3 2 yes 25000.00");
    CHECK(june.at("L4") == "large 1 1 yes 100000.00");
    for (const auto& st : run.june) CHECK(st.through == date(2027, 6, 30));
    // A day inside a quarter counts only the quarters ended: as of 2027-05-20, Q1 alone.
    engine e(contest_program(), contest_catalog());
    e.add(contest_events());
    const auto r = e.run();
    for (const auto& st : e.leaderboard(r, "partner_cup", date(2027, 5, 20))) CHECK(st.through == date(2027, 3, 31));
    // The rank history: the board at the end of each quarter, 12 partners each; the last is the final board.
    const auto history = e.rank_history(r, "partner_cup");
    CHECK(history.size() == 48);
    CHECK(board_of(std::vector<contest_standing>(history.end() - 12, history.end()), "partner_cup") == board_of(r.contests, "partner_cup"));
    CHECK_THROWS_WITH_AS((void)e.leaderboard(r, "partner_cpu"), doctest::Contains("did you mean \"partner_cup\""), config_error);
}

TEST_CASE("contests: the boards do not depend on input order, batch split or threads") {
    const auto base = run_example(contest_events());
    std::mt19937 rng(7);
    for (int round = 0; round < 5; ++round) {
        auto events = contest_events();
        std::shuffle(events.begin(), events.end(), rng);
        const auto other = run_example(events, round % 2 + 1, static_cast<std::size_t>(round + 1));
        CHECK(other.r.contests == base.r.contests);
        CHECK(other.r.lines == base.r.lines);
        CHECK(other.june == base.june);
    }
}

TEST_CASE("contests: a pot of a percent and step pots on the example's data (docs/rules/contests.md)") {
    // Small league by sales: S1 1,200,000, S2 1,100,000, S3 1,100,000 (S2's last sale first), S4
    // 900,000: sum 4,300,000. Pot 0.123456% of it = 5,308.608 -> 5,308.61 (half_even); 50/30/20 =
    // 2,654.305 / 1,592.583 / 1,061.722: floors 5,308.60, the last cent to the largest remainder
    // (0.005): 2,654.31 / 1,592.58 / 1,061.72. Step 1,100,000: S1, S2, S3 share 100.00 as 33.34 /
    // 33.33 / 33.33; step 1,200,000: S1 alone, 50.00. Lines: S1 2,654.31 + 33.34 + 50 = 2,737.65, S2
    // 1,592.58 + 33.33 = 1,625.91, S3 1,061.72 + 33.33 = 1,095.05; S4 nothing.
    std::ifstream in(examples / "programs" / "sales_contest.yaml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("contests:\n") + 10, 0,
                 "  - {id: cup_pot, score: partner_sales, per: year, leagues: {by: size}, tie_breaks: [reached_first], winners: 3,\n"
                 "     prizes: {pot: {percent: 0.123456%, split: [50%, 30%, 20%]}, steps: [{at: 1100000, pot: 100}, {at: 1200000, pot: 50}]}}\n");
    engine e(io::read_program(text), contest_catalog());
    e.add(contest_events());
    std::map<std::string, std::string> paid;
    for (const auto& l : e.run().lines)
        if (l.rule == "cup_pot" && l.partner.starts_with("S")) paid[l.beneficiary] = l.amount.to_string();
    CHECK(paid == std::map<std::string, std::string>{{"S1", "2737.65"}, {"S2", "1625.91"}, {"S3", "1095.05"}});
}

TEST_CASE("contests: the example program reads back from the YAML it writes") {
    const program p = contest_program();
    CHECK(io::read_program(io::write_program(p)) == p);
}

namespace {

/// A program of one partner rule (1% of sales per quarter) and the contest given as YAML.
program small_program(const std::string& contest, const std::string& extra = "") {
    return io::read_program("program: cup\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\n" + extra +
                            "contests:\n" + contest +
                            "rules:\n  - id: sales\n    pay: {rate: 1%}\n    per: [partner, quarter]\n    clawback: {days: 90}\n");
}

/// Partners P01..Pnn with the given year's sales (one sale each, on `day` or 2027-03-01).
struct field {
    catalog cat;
    std::vector<event> events;
};
field partners_with(const std::vector<long long>& sales, const std::vector<std::string>& days = {}) {
    std::vector<partner> ps;
    field f;
    for (std::size_t i = 0; i < sales.size(); ++i) {
        partner p;
        p.id = (i < 9 ? "P0" : "P") + std::to_string(i + 1);
        p.attrs["size"] = std::to_string(sales[i] / 1000);
        p.attrs["tenure"] = std::to_string(i % 3);
        ps.push_back(p);
        event e;
        e.id = "e" + std::to_string(i + 1);
        e.kind = "sale";
        e.on = i < days.size() ? date::parse(days[i]) : date(2027, 3, 1);
        e.partner = p.id;
        e.quantity = decimal(1);
        e.amount = decimal(sales[i]);
        e.currency = "EUR";
        f.events.push_back(e);
    }
    f.cat = catalog(ps);
    return f;
}

std::map<std::string, std::string> run_board(const program& p, const field& f) {
    engine e(p, f.cat);
    e.add(f.events);
    return board_of(e.run().contests, p.contests.front().id);
}

}  // namespace

TEST_CASE("contests: a pot of a percent of the league's sales, split 50/30/20, and step pots") {
    // Sales 1000, 800, 800, 500: the pot is 10% of 3100 = 310.00, split 50/30/20 = 155, 93, 62.
    // P02 and P03 tie for places 2-3 (no tie-break): they share 93 + 62 = 155 -> 77.50 each.
    // Steps: 12.00 shared by everyone at 800 or more (P01, P02, P03: 4.00 each), 10.00 by everyone at
    // 1000 or more (P01 alone) -> P01 155 + 4 + 10 = 169, P02 and P03 77.50 + 4 = 81.50.
    const auto p = small_program(
        "  - {id: cup, score: sales, winners: 3, prizes: {pot: {percent: 10%, split: [50%, 30%, 20%]}, "
        "steps: [{at: 800, pot: 12}, {at: 1000, pot: 10}]}}\n");
    const auto b = run_board(p, partners_with({1000, 800, 800, 500}));
    CHECK(b.at("P01") == " 1 1 yes 169.00");
    CHECK(b.at("P02") == " 2 2 yes 81.50");
    CHECK(b.at("P03") == " 3 2 yes 81.50");
    CHECK(b.at("P04") == " 4 4 no 0.00");
}

TEST_CASE("contests: 100 over a three-way tie pays 33.34, 33.33, 33.33 (the extra cent to the first in id order)") {
    const auto p = small_program("  - {id: cup, score: sales, winners: 1, cut: share, prizes: {places: [100]}}\n");
    const auto b = run_board(p, partners_with({700, 700, 700, 100}));
    CHECK(b.at("P01") == " 1 1 yes 33.34");
    CHECK(b.at("P02") == " 2 1 yes 33.33");
    CHECK(b.at("P03") == " 3 1 yes 33.33");
    CHECK(b.at("P04") == " 4 4 no 0.00");
    // all_win: every tied competitor gets the cut's prize, 100 each; 25/15/8 with a three-way tie for
    // first under share: (25 + 15 + 8) / 3 = 16 each.
    CHECK(run_board(small_program("  - {id: cup, score: sales, winners: 1, cut: all_win, prizes: {places: [100]}}\n"),
                    partners_with({700, 700, 700, 100}))
              .at("P03") == " 3 1 yes 100.00");
    const auto b3 = run_board(small_program("  - {id: cup, score: sales, winners: 3, prizes: {places: [25, 15, 8]}}\n"),
                              partners_with({700, 700, 700, 100}));
    CHECK(b3.at("P01") == " 1 1 yes 16.00");
    CHECK(b3.at("P03") == " 3 1 yes 16.00");
    // tie_break with no key to break it is refused at the run.
    engine e(small_program("  - {id: cup, score: sales, winners: 1, cut: tie_break, prizes: {places: [100]}}\n"),
             partners_with({700, 700, 700, 100}).cat);
    e.add(partners_with({700, 700, 700, 100}).events);
    CHECK_THROWS_AS((void)e.run(), calculation_error);
}

TEST_CASE("contests: the lot breaks every tie, the same way for the same seed, whatever the input order") {
    const std::string contest = "  - {id: cup, score: sales, rank: ordinal, tie_breaks: [lot], winners: 2, cut: tie_break, prizes: {places: [60, 40]}}\n";
    const auto f = partners_with({500, 500, 500, 500, 500, 500});
    const auto a = run_board(small_program(contest, "seed: 42\n"), f);
    auto shuffled = f;
    std::reverse(shuffled.events.begin(), shuffled.events.end());
    CHECK(run_board(small_program(contest, "seed: 42\n"), shuffled) == a);
    std::set<std::string> positions;
    std::size_t winners = 0;
    for (const auto& [who, row] : a) {
        positions.insert(row.substr(0, row.find(' ', 1)));
        winners += row.find(" yes ") != std::string::npos;
    }
    CHECK(positions.size() == 6);  // ordinal: 1..6, all apart
    CHECK(winners == 2);
    // Another seed draws another order (for these six ids and seeds 42 and 43 it differs).
    CHECK(run_board(small_program(contest, "seed: 43\n"), f) != a);
    // Without a seed, a lot is refused when the program is built.
    CHECK_THROWS_WITH_AS(small_program(contest), doctest::Contains("seed"), validation_error);
    // Ordinal needs a chain that ends with a lot.
    CHECK_THROWS_WITH_AS(small_program("  - {id: cup, score: sales, rank: ordinal, winners: 1, prizes: {places: [1]}}\n"),
                         doctest::Contains("end the tie-break chain with a lot"), validation_error);
}

TEST_CASE("contests: leagues by bands and lists, a league of one, minimum score, no eligible competitor") {
    // size = sales / 1000: bands below 1 (P01: 0.5k), below 5, the rest.
    const std::string bands = "  - {id: cup, score: sales, leagues: {bands: {on: size, leagues: [{name: s, below: 1}, {name: m, below: 5}, "
                              "{name: l}]}}, winners: 1, min_score: 600, prizes: {places: [10]}}\n";
    const auto b = run_board(small_program(bands), partners_with({500, 2000, 3000, 9000}));
    CHECK(b.at("P01") == "s 1 1 no 0.00");  // a league of one, below the minimum of 600
    CHECK(b.at("P03") == "m 1 1 yes 10.00");
    CHECK(b.at("P02") == "m 2 2 no 0.00");
    CHECK(b.at("P04") == "l 1 1 yes 10.00");
    // Lists: only the listed compete; a member in two leagues is refused when the program is built.
    const auto lists = run_board(
        small_program("  - {id: cup, score: sales, leagues: {lists: [{name: a, members: [P01, P02]}, {name: b, members: [P04]}]}, "
                      "winners: 1, prizes: {places: [10]}}\n"),
        partners_with({500, 2000, 3000, 9000}));
    CHECK(lists.size() == 3);
    CHECK(lists.at("P02") == "a 1 1 yes 10.00");
    CHECK_THROWS_WITH_AS(small_program("  - {id: cup, score: sales, leagues: {lists: [{name: a, members: [P01]}, {name: b, members: [P01]}]}, "
                                       "winners: 1, prizes: {places: [10]}}\n"),
                         doctest::Contains("in two leagues"), validation_error);
    // A league field no partner has is a typo, said as one.
    {
        const auto typo = partners_with({500, 2000});
        engine e(small_program("  - {id: cup, score: sales, leagues: {by: sise}, winners: 1, prizes: {places: [10]}}\n"), typo.cat);
        e.add(typo.events);
        CHECK_THROWS_WITH_AS((void)e.run(), doctest::Contains("no partner has a field \"sise\" to place it in a league (did you mean \"size\"?)"),
                             input_error);
    }
    // Nobody reaches the minimum of 20 deals: no winner, no line.
    const auto p = small_program(
        "  - {id: cup, score: sales, eligible: {min: {rule: sales, of: count, at_least: 20}}, winners: 1, prizes: {places: [10]}}\n");
    const auto f = partners_with({500, 2000});
    engine e(p, f.cat);
    e.add(f.events);
    const auto r = e.run();
    for (const auto& st : r.contests) {
        CHECK_FALSE(st.eligible);
        CHECK(st.why == "count of sales 1 is below 20");
    }
    CHECK(std::none_of(r.lines.begin(), r.lines.end(), [](const payout_line& l) { return l.rule == "cup"; }));
}

TEST_CASE("contests: a program that starts inside a quarter counts its first quarter (score and payout)") {
    // The program runs from 2027-02-15; the rule pays per quarter, so 2027-Q1 starts before it. A
    // contest per program counts that quarter: P01's sale on 03-01 (1000) beats P02's (500), by
    // measure and by payout (1% = 10.00 and 5.00).
    for (const std::string of : {"measure", "payout"}) {
        const auto p = io::read_program(
            "program: cup\ncurrency: EUR\nperiods: {from: 2027-02-15, to: 2027-12-31}\ncontests:\n"
            "  - {id: cup, score: {rule: sales, of: " + of + "}, winners: 1, prizes: {places: [10]}}\n"
            "rules:\n  - id: sales\n    pay: {rate: 1%}\n    per: [partner, quarter]\n");
        const auto b = run_board(p, partners_with({1000, 500}));
        CHECK(b.at("P01") == " 1 1 yes 10.00");
        CHECK(b.at("P02") == " 2 2 no 0.00");
    }
}

TEST_CASE("contests: growth over the prior year, as a difference and as a percent") {
    // 2026 -> 2027 sales: P01 1000 -> 1500 (growth 500, 50%), P02 400 -> 1000 (600, 150%), P03 none
    // -> 2000 (2000; no baseline, so no percent). By growth: P03, P02, P01; by growth_percent: P02
    // (1.5), P01 (0.5), and P03 may not compete.
    auto f = partners_with({1500, 1000, 2000});
    for (const auto& [id, who, amount] : {std::tuple{"b1", "P01", 1000}, {"b2", "P02", 400}}) {
        event e = f.events.front();
        e.id = id;
        e.on = date(2026, 3, 1);
        e.partner = who;
        e.amount = decimal(amount);
        f.events.push_back(e);
    }
    auto program_of = [](const std::string& of) {
        return io::read_program("program: cup\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\ncontests:\n"
                                "  - {id: cup, score: {rule: growth, of: " + of + "}, winners: 1, prizes: {places: [10]}}\n"
                                "rules:\n  - id: growth\n    measure: {of: amount, growth: {over: prior_year}}\n    pay: {rate: 1%}\n"
                                "    per: [partner, quarter]\n");
    };
    const auto g = run_board(program_of("growth"), f);
    CHECK(g.at("P03") == " 1 1 yes 10.00");
    CHECK(g.at("P02") == " 2 2 no 0.00");
    CHECK(g.at("P01") == " 3 3 no 0.00");
    const auto pct = run_board(program_of("growth_percent"), f);
    CHECK(pct.at("P02") == " 1 1 yes 10.00");
    CHECK(pct.at("P01") == " 2 2 no 0.00");
    CHECK(pct.at("P03") == " 0 0 no 0.00 (no baseline for the round)");
    CHECK_THROWS_WITH_AS(small_program("  - {id: cup, score: {rule: sales, of: growth}, winners: 1, prizes: {places: [10]}}\n"),
                         doctest::Contains("growth over a prior period or year"), validation_error);
}

TEST_CASE("contests: tie-breaks by attribute and fewer returns, and what validation refuses") {
    // Three partners at 1000 each; P02 has a return inside the clawback window (its score counts the
    // sale, the return only claws back the rebate), so fewer_returns puts it last; attribute tenure
    // (0, 1, 2 by index) higher first then orders P03 before P01.
    auto f = partners_with({1000, 1000, 1000});
    event ret;
    ret.id = "r1";
    ret.kind = "return";
    ret.on = date(2027, 3, 10);
    ret.partner = "P02";
    ret.quantity = decimal(0);
    ret.amount = decimal(100);
    ret.currency = "EUR";
    ret.reference = "e2";
    f.events.push_back(ret);
    const auto b = run_board(small_program("  - {id: cup, score: sales, tie_breaks: [fewer_returns, {attribute: tenure, order: higher}], "
                                           "winners: 1, prizes: {places: [10]}}\n"),
                             f);
    CHECK(b.at("P03") == " 1 1 yes 10.00");
    CHECK(b.at("P01") == " 2 2 no 0.00");
    CHECK(b.at("P02") == " 3 3 no 0.00");
    CHECK_THROWS_WITH_AS(small_program("  - {id: cup, score: sale, winners: 1, prizes: {places: [10]}}\n"),
                         doctest::Contains("did you mean \"sales\""), validation_error);
    CHECK_THROWS_WITH_AS(small_program("  - {id: cup, score: sales, per: month, winners: 1, prizes: {places: [10]}}\n"),
                         doctest::Contains("does not fit in rounds per month"), validation_error);
    CHECK_THROWS_WITH_AS(small_program("  - {id: cup, score: sales, winners: 1, prizes: {places: [10, 5]}}\n"),
                         doctest::Contains("2 place prizes for 1 winners"), validation_error);
    CHECK_THROWS_WITH_AS(small_program("  - {id: cup, score: sales, winners: 2, prizes: {pot: {amount: 10, split: [50%, 40%]}}}\n"),
                         doctest::Contains("adds up to 0.90"), validation_error);
    CHECK_THROWS_WITH_AS(small_program("  - {id: cup, score: sales, winners: 1, cut: share, prizes: {pay: in_kind, places: [{item: Car, value: 1}]}}\n"),
                         doctest::Contains("cannot be shared"), validation_error);
    CHECK_THROWS_WITH_AS(small_program("  - {id: cup, score: sales, winners: 1, prizes: {places: [10.001]}}\n"),
                         doctest::Contains("more decimal places"), validation_error);
}

TEST_CASE("contests: prizes add up to the table and the number of winners is as declared, over random scores") {
    // Random sales with many ties; under share and tie_break (with a lot) the prizes paid add up
    // exactly to the table's first `winners` prizes; the winners are exactly `winners` (share may
    // pay more people, never more money; tie_break with a lot, exactly winners people).
    std::mt19937 rng(2027);
    for (int round = 0; round < 60; ++round) {
        const std::size_t n = 1 + rng() % 12, winners = 1 + rng() % 4;
        std::vector<long long> sales;
        for (std::size_t i = 0; i < n; ++i) sales.push_back(100 * static_cast<long long>(1 + rng() % 4));
        std::string places;
        decimal table;
        for (std::size_t k = 0; k < winners; ++k) {
            const std::string prize = std::to_string(1 + rng() % 100) + "." + std::to_string(10 + rng() % 90);
            places += (k ? ", " : "") + prize;
            if (k < n) table += decimal::parse(prize);
        }
        for (const std::string cut : {"share", "tie_break"}) {
            const std::string chain = cut == "tie_break" ? ", tie_breaks: [lot]" : "";
            const auto p = small_program("  - {id: cup, score: sales" + chain + ", winners: " + std::to_string(winners) + ", cut: " + cut +
                                             ", prizes: {places: [" + places + "]}}\n",
                                         "seed: " + std::to_string(round) + "\n");
            const auto f = partners_with(sales);
            engine e(p, f.cat);
            e.add(f.events);
            const auto r = e.run();
            decimal paid;
            std::size_t won = 0;
            for (const auto& st : r.contests) {
                paid += st.prize;
                won += st.winner;
            }
            CHECK(paid == table);
            if (cut == "tie_break") CHECK(won == std::min(n, winners));
            else CHECK(won >= std::min(n, winners));
        }
    }
}
