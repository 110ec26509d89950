// Ranking a contest (engine/ranking.hpp, issue 13): 1 M competitors in 100 leagues of 10,000, a
// three-key chain (a score with many ties, fewer returns first, an earlier day first), standard
// competition ranks, and the prizes of 10 places split per league. Target: under 0.5 s on one core.
#include <benchmark/benchmark.h>

#include <incentives/engine/ranking.hpp>

#include <cstdint>
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

BENCHMARK(BM_rank_leagues)->Args({100, 10000})->ArgNames({"leagues", "per_league"})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
