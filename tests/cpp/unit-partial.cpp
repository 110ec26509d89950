// Partial runs (engine/partial.hpp): the events split over several engines, each engine's partial()
// absorbed by one more, give the result of one engine over all the events — every line, statement,
// ledger entry, deal and referral step, points entry, contest standing and KPI row. Checked on every
// bundled example program (returns and clawbacks, split credit, a program budget, contests, funds,
// deals, referrals, points with levels and rewards, the KPI plan) and every golden case (distinct
// counts, per-event payouts, rounding at each event, budgets, versions, combinators) over random
// splits by partner, in random absorbing orders and trees; and by hand on a split of one partner's sales.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <incentives/incentives.hpp>
#include <incentives/io/csv.hpp>
#include <incentives/io/yaml.hpp>

using namespace incentives;
namespace fs = std::filesystem;

namespace {

const fs::path examples = fs::path(INCENTIVES_TEST_DATA "/../../examples");

struct example {
    std::string name;
    program prog;
    catalog cat;
    std::vector<event> events;
};

example load_from(const std::string& name, const fs::path& program_file, const fs::path& data) {
    auto optional_csv = [&](const char* file, auto reader) {
        return fs::exists(data / file) ? reader((data / file).string()) : decltype(reader(std::string())){};
    };
    catalog cat(io::read_partners_csv((data / "partners.csv").string()),
                optional_csv("participants.csv", [](const std::string& p) { return io::read_participants_csv(p); }),
                optional_csv("products.csv", [](const std::string& p) { return io::read_products_csv(p); }),
                optional_csv("plans.csv", [](const std::string& p) { return io::read_plans_csv(p); }));
    return {name, io::read_program_file(program_file.string()), std::move(cat), io::read_events_csv((data / "events.csv").string())};
}

example load(const std::string& program_name, const std::string& data_dir) {
    return load_from(program_name, examples / "programs" / (program_name + ".yaml"), examples / "data" / data_dir);
}

/// The bundled examples, and the golden cases (tests/data/golden: distinct counts, per-event payouts,
/// rounding at each event, budgets, versions, combinators).
std::vector<example> bundled() {
    std::vector<example> out{load("reseller", ""), load("bonus_shop", "bonus_shop"), load("channel_funds", "channel_funds"),
                             load("kpi_plan", "kpi_plan"), load("sales_contest", "sales_contest")};
    for (const auto& dir : fs::directory_iterator(fs::path(INCENTIVES_TEST_DATA) / "golden"))
        if (fs::exists(dir.path() / "program.yaml"))
            out.push_back(load_from("golden/" + dir.path().filename().string(), dir.path() / "program.yaml", dir.path()));
    std::sort(out.begin(), out.end(), [](const example& x, const example& y) { return x.name < y.name; });
    return out;
}

/// The events split by partner into `parts` parts (each partner's events in one part, in a shuffled
/// order), one engine per part, and their partials absorbed in a shuffled order.
result split_run(const example& ex, unsigned parts, std::mt19937_64& rng, const run_options& options, bool tree) {
    std::map<std::string, unsigned> part_of;
    std::vector<std::vector<event>> split(parts);
    for (const auto& e : ex.events) {
        auto [it, fresh] = part_of.try_emplace(e.partner, 0u);
        if (fresh) it->second = static_cast<unsigned>(rng() % parts);
        split[it->second].push_back(e);
    }
    std::vector<std::string> partials;
    for (auto& events : split) {
        std::shuffle(events.begin(), events.end(), rng);
        engine part(ex.prog, ex.cat, options.event_ids);
        if (!events.empty()) part.add(events);
        partials.push_back(part.partial());
    }
    std::shuffle(partials.begin(), partials.end(), rng);
    if (tree && partials.size() > 2) {
        // Combine the first half in an engine of its own, then its partial with the rest.
        engine half(ex.prog, ex.cat, options.event_ids);
        const auto cut = partials.size() / 2;
        for (std::size_t i = 0; i < cut; ++i) half.absorb(partials[i]);
        partials.erase(partials.begin(), partials.begin() + static_cast<std::ptrdiff_t>(cut));
        partials.push_back(half.partial());
    }
    engine whole(ex.prog, ex.cat, options.event_ids);
    for (const auto& p : partials) whole.absorb(p);
    return whole.run(options);
}

}  // namespace

TEST_CASE("partial runs: every bundled example split by partner gives the one-engine result") {
    std::mt19937_64 rng(20261207);
    for (const auto& ex : bundled()) {
        CAPTURE(ex.name);
        engine one(ex.prog, ex.cat);
        one.add(ex.events);
        const run_options traced{.traces = true};
        const result expected = one.run(traced);
        REQUIRE(!expected.lines.empty());
        for (unsigned parts : {1u, 2u, 3u, 5u, 8u})
            for (bool tree : {false, true}) {
                CAPTURE(parts);
                CAPTURE(tree);
                const result got = split_run(ex, parts, rng, traced, tree);
                CHECK(got.lines == expected.lines);
                CHECK(got.statements == expected.statements);
                CHECK(got.ledger == expected.ledger);
                CHECK(got.deals == expected.deals);
                CHECK(got.referrals == expected.referrals);
                CHECK(got.points == expected.points);
                CHECK(got.lots == expected.lots);
                CHECK(got.levels == expected.levels);
                CHECK(got.contests == expected.contests);
                CHECK(got.kpis == expected.kpis);
                CHECK(got == expected);  // and the counts: events seen, outside, unknown kinds
            }
    }
}

TEST_CASE("partial runs: the combined engine's measures, leaderboards and partial are the one engine's") {
    std::mt19937_64 rng(7);
    auto ex = load("sales_contest", "sales_contest");
    engine one(ex.prog, ex.cat);
    one.add(ex.events);
    engine a(ex.prog, ex.cat), b(ex.prog, ex.cat), whole(ex.prog, ex.cat);
    std::vector<event> first, second;
    for (const auto& e : ex.events) (e.partner < "S3" ? first : second).push_back(e);
    REQUIRE(!first.empty());
    REQUIRE(!second.empty());
    a.add(first);
    b.add(second);
    whole.absorb(b.partial());
    whole.absorb(a.partial());
    CHECK(whole.measures() == one.measures());
    const auto r1 = one.run(), r2 = whole.run();
    for (const auto& c : ex.prog.contests) CHECK(whole.leaderboard(r2, c.id) == one.leaderboard(r1, c.id));
    // Equal measures write equal bytes, in whatever order the parts came (groups in slot order).
    engine again(ex.prog, ex.cat);
    again.absorb(one.partial());
    CHECK(again.partial() == one.partial());
}

TEST_CASE("partial runs: one partner's sales split over two engines add up exactly (by hand)") {
    // 2% of each partner's quarterly sales: P1 sells 100.00 in one part and 300.05 in the other, a
    // return of 50.00 of the 300.05 within 30 days (in the same part as its sale) claws back
    // 2% x 50.00 = 1.00 -> the quarter's line 2% x 400.05 = 8.001 -> 8.00, clawback -1.00.
    const auto prog = io::read_program(R"(
program: split
currency: EUR
periods: {from: 2027-01-01, to: 2027-12-31}
rules:
  - id: rebate
    select: {kind: sale}
    measure: amount
    per: [partner, quarter]
    pay: {rate: 2%}
    clawback: {days: 30}
)");
    partner p1, p2;
    p1.id = "P1";
    p2.id = "P2";
    const catalog cat({p1, p2});
    auto sale = [](std::string id, std::string on, std::string amount) {
        event e;
        e.id = std::move(id);
        e.kind = "sale";
        e.on = date::parse(on);
        e.partner = "P1";
        e.amount = decimal::parse(amount);
        e.currency = "EUR";
        return e;
    };
    event ret = sale("R1", "2027-02-10", "50.00");
    ret.kind = "return";
    ret.reference = "S2";
    engine a(prog, cat), b(prog, cat), whole(prog, cat);
    a.add(std::vector<event>{sale("S1", "2027-01-05", "100.00")});
    b.add(std::vector<event>{sale("S2", "2027-02-01", "300.05"), ret});
    whole.absorb(a.partial());
    whole.absorb(b.partial());
    const auto r = whole.run();
    REQUIRE(r.lines.size() == 2);
    CHECK(r.lines[0].amount == decimal::parse("8.00"));
    CHECK(r.lines[1].amount == decimal::parse("-1.00"));
    CHECK(r.events_seen == 3);
    // The measures are one engine's: 400.05 up to the last sale's day (the return is a record).
    engine one(prog, cat);
    one.add(std::vector<event>{sale("S1", "2027-01-05", "100.00"), sale("S2", "2027-02-01", "300.05"), ret});
    CHECK(whole.measures() == one.measures());
    REQUIRE(whole.measures().size() == 1);
    CHECK(whole.measures()[0].measure == decimal::parse("400.05"));
    CHECK(whole.measures()[0].last_event == date::parse("2027-02-01"));
}

TEST_CASE("partial runs: what cannot be absorbed is refused and changes nothing") {
    auto ex = load("reseller", "");
    engine part(ex.prog, ex.cat);
    part.add(ex.events);
    const auto bytes = part.partial();

    engine whole(ex.prog, ex.cat);
    whole.absorb(bytes);
    const auto before = whole.run();
    SUBCASE("bytes of another program") {
        auto other = ex.prog;
        other.name = "another";
        engine stranger(other, ex.cat);
        stranger.add(ex.events);
        CHECK_THROWS_WITH_AS(whole.absorb(stranger.partial()), doctest::Contains("another program or catalog"), input_error);
    }
    SUBCASE("a snapshot is not a partial") {
        CHECK_THROWS_WITH_AS(whole.absorb(part.snapshot()), doctest::Contains("not a partial run"), input_error);
    }
    SUBCASE("truncated bytes") {
        for (std::size_t cut : {bytes.size() / 3, bytes.size() / 2, bytes.size() - 1})
            CHECK_THROWS_WITH_AS(whole.absorb(std::string_view(bytes).substr(0, cut)), doctest::Contains("truncated or corrupt"), input_error);
    }
    SUBCASE("event ids kept on one side only") {
        engine keeps(ex.prog, ex.cat, /*retain_event_ids=*/true);
        CHECK_THROWS_WITH_AS(keeps.absorb(bytes), doctest::Contains("kept no event ids"), input_error);
    }
    CHECK(whole.run() == before);

    // A combined engine takes no more events and has no registry to snapshot.
    CHECK_THROWS_WITH_AS(whole.add(ex.events), doctest::Contains("takes no more events"), input_error);
    CHECK_THROWS_WITH_AS((void)whole.snapshot(), doctest::Contains("partial()"), input_error);
}

TEST_CASE("partial runs: retained event ids travel with the partials") {
    auto ex = load("reseller", "");
    engine one(ex.prog, ex.cat, true);
    one.add(ex.events);
    std::mt19937_64 rng(3);
    const run_options with_ids{.traces = true, .event_ids = true};
    const auto expected = one.run(with_ids);
    const auto got = split_run(ex, 3, rng, with_ids, false);
    REQUIRE(got.lines.size() == expected.lines.size());
    for (std::size_t i = 0; i < got.lines.size(); ++i) {
        // The same ids, in the order each part took them in.
        auto ids = [](const payout_line& l) {
            auto v = l.why ? l.why->event_ids : std::vector<std::string>{};
            std::sort(v.begin(), v.end());
            return v;
        };
        CHECK(ids(got.lines[i]) == ids(expected.lines[i]));
        CHECK(got.lines[i].amount == expected.lines[i].amount);
    }
}
