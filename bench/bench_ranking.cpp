// Ranking a contest (engine/ranking.hpp, issue 13): 1 M competitors in 100 leagues of 10,000, a
// three-key chain (a score with many ties, fewer returns first, an earlier day first), standard
// competition ranks, and the prizes of 10 places split per league. Target: under 0.5 s on one core.
#include <benchmark/benchmark.h>

#include <incentives/engine/engine.hpp>
#include <incentives/engine/ranking.hpp>
#include <incentives/io/yaml.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace incentives;

std::uint64_t splitmix(std::uint64_t& s) {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void BM_rank_leagues(benchmark::State& state) {
    const auto leagues = static_cast<std::size_t>(state.range(0)), per = static_cast<std::size_t>(state.range(1));
    std::uint64_t seed = 20270301;
    std::vector<std::vector<contest::key_column>> chains(leagues);
    for (auto& chain : chains) {
        chain = {{true, {}, {}}, {false, {}, {}}, {false, {}, {}}};
        for (std::size_t i = 0; i < per; ++i) {
            chain[0].num.push_back(static_cast<int128>(splitmix(seed) % 5000) * 100);  // sales in cents, many ties
            chain[1].num.push_back(static_cast<int128>(splitmix(seed) % 4));           // returns
            chain[2].num.push_back(static_cast<int128>(splitmix(seed) % 365));         // the day the score was reached
        }
    }
    const std::vector<decimal> prizes{decimal(5000), decimal(3000), decimal(2000), decimal(1000), decimal(1000),
                                      decimal(500),  decimal(500),  decimal(500),  decimal(500),  decimal(500)};
    std::size_t winners = 0;
    for (auto _ : state) {
        winners = 0;
        for (const auto& chain : chains) {
            const auto order = contest::rank(chain, per, rules::rank_method::standard);
            const auto awards = contest::split_prizes(order, prizes, 10, rules::cut_rule::share, 2);
            for (const auto& a : awards) winners += a.winner;
        }
        benchmark::DoNotOptimize(winners);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * leagues * per));
    state.counters["winners"] = static_cast<double>(winners);
}

// The whole contest stage (engine/contests.hpp) over the measure store: 1 M partners with one sale
// each, 100 leagues by a partner field, the score, reached_first and a numeric attribute as the chain,
// 10 winners per league. Timed: engine::leaderboard (the stage: reading the store, leagues,
// eligibility, ranking, prizes, the rows); the run that settles the rule's 1 M lines is not.
void BM_contest_stage(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    std::uint64_t seed = 20270302;
    std::vector<partner> partners(n);
    std::vector<event> events(n);
    for (std::size_t i = 0; i < n; ++i) {
        auto& p = partners[i];
        p.id = "P" + std::to_string(1000000 + i);
        p.attrs["league"] = "L" + std::to_string(i % 100);
        p.attrs["tenure"] = std::to_string(splitmix(seed) % 20);
        auto& e = events[i];
        e.id = "S" + std::to_string(i);
        e.kind = "sale";
        e.on = date(2027, 1 + static_cast<unsigned>(splitmix(seed) % 12), 1 + static_cast<unsigned>(splitmix(seed) % 28));
        e.partner = p.id;
        e.quantity = decimal(1);
        e.amount = decimal::from_units(static_cast<int128>(splitmix(seed) % 5000) * 100, 2);
        e.currency = "EUR";
    }
    const program prog = io::read_program(
        "program: bench\ncurrency: EUR\nperiods: {from: 2027-01-01, to: 2027-12-31}\ncontests:\n"
        "  - {id: cup, score: sales, leagues: {by: league}, tie_breaks: [reached_first, {attribute: tenure, order: higher}], winners: 10,\n"
        "     prizes: {places: [5000, 3000, 2000, 1000, 1000, 500, 500, 500, 500, 500]}}\n"
        "rules:\n  - {id: sales, pay: {rate: 1%}, per: [partner, year]}\n");
    engine eng(prog, catalog(std::move(partners)));
    eng.add(events);
    const result r = eng.run();
    std::size_t winners = 0;
    for (auto _ : state) {
        const auto board = eng.leaderboard(r, "cup");
        winners = 0;
        for (const auto& st : board) winners += st.winner;
        benchmark::DoNotOptimize(winners);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
    state.counters["winners"] = static_cast<double>(winners);
}

BENCHMARK(BM_contest_stage)->Arg(1000000)->ArgNames({"competitors"})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

BENCHMARK(BM_rank_leagues)->Args({100, 10000})->ArgNames({"leagues", "per_league"})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
