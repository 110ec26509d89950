// The budget simulation (engine/simulate.hpp, issue 14): the reseller program's shape — a retroactive
// tier table per quarter, a plan bonus with an accelerator and a cap per quarter, a growth rebate per
// year — and a top-100 contest on the tiered rule's measure, over partners with one sale in each
// month of the history year, bootstrapped with growth, participation and a market factor.
// Target: 10,000 scenarios x 10,000 partners in under 10 s on 2 cores; time linear in scenarios and
// in partners (BM_simulate/partners/scenarios/threads).
#include <benchmark/benchmark.h>

#include <incentives/engine/engine.hpp>
#include <incentives/io/yaml.hpp>
#include <incentives/simulation.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace incentives;

constexpr const char* program_yaml = R"(
program: Budget benchmark
currency: EUR
periods: {from: 2027-01-01, to: 2027-12-31}
contests:
  - id: top100
    score: {rule: volume-rebate, of: measure}
    per: year
    winners: 100
    prizes: {pot: {amount: 100000, split: [0.1, 0.05, 0.05, 0.04, 0.04, 0.03, 0.03, 0.03, 0.03, 0.6]}}
rules:
  - id: volume-rebate
    select: {kind: sale}
    measure: amount
    per: [partner, quarter]
    tiers:
      basis: retroactive
      value: rate
      table:
        - {from: 0, rate: 1%}
        - {from: 50000, rate: 2%}
        - {from: 150000, rate: 3.5%}
  - id: growth-rebate
    select: {kind: sale}
    measure: {of: amount, growth: {over: prior_year, form: absolute}}
    per: [partner, year]
    pay: {rate: 5%}
  - id: plan-bonus
    select: {kind: sale}
    measure: amount
    per: [partner, quarter]
    pay: {rate: 1%}
    accelerator:
      - {from: 0%, multiplier: 0.5}
      - {from: 50%, multiplier: 1}
      - {from: 100%, multiplier: 1.5}
    cap: 2500
)";

std::uint64_t splitmix(std::uint64_t& s) {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

struct world {
    program prog = io::read_program(program_yaml, "bench");
    std::vector<partner> partners;
    std::vector<plan> plans;
    std::vector<event> history;
    explicit world(std::size_t n) {
        std::uint64_t seed = 20271406;
        for (std::size_t i = 0; i < n; ++i) {
            const std::string id = "P" + std::to_string(100000 + i);
            partners.push_back({id, id, "", "", "", "", {}});
            const std::int64_t size = 5000 + static_cast<std::int64_t>(splitmix(seed) % 55000);  // a month's sales, EUR
            for (unsigned q = 0; q < 4; ++q) plans.push_back({id, date(2027, 1 + 3 * q, 1), decimal(size * 3)});
            for (unsigned m = 1; m <= 12; ++m) {
                event e;
                e.id = id + "-" + std::to_string(m);
                e.kind = "sale";
                e.on = date(2026, m, 15);
                e.partner = id;
                e.amount = decimal::from_units(size * 100 * (50 + static_cast<std::int64_t>(splitmix(seed) % 100)) / 100, 2);
                e.quantity = decimal(1);
                e.currency = "EUR";
                history.push_back(std::move(e));
            }
        }
    }
};

void BM_simulate(benchmark::State& state) {
    const world w(static_cast<std::size_t>(state.range(0)));
    const engine e(w.prog, catalog(w.partners, {}, {}, w.plans));
    simulation_assumptions a;
    a.growth = decimal::parse("0.05");
    a.participation = decimal::parse("0.9");
    a.market_spread = decimal::parse("0.1");
    simulation_options o;
    o.scenarios = static_cast<std::uint64_t>(state.range(1));
    o.threads = static_cast<unsigned>(state.range(2));
    o.seed = 14;
    decimal p90;
    for (auto _ : state) {
        const auto r = simulate(e, std::span<const event>(w.history), a, o);
        p90 = r.cost().p90;
        benchmark::DoNotOptimize(p90);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0) * state.range(1));
    state.counters["scenarios/s"] = benchmark::Counter(static_cast<double>(state.iterations() * state.range(1)), benchmark::Counter::kIsRate);
}

}  // namespace

// partners, scenarios, threads
BENCHMARK(BM_simulate)
    ->Args({1000, 100, 1})
    ->Args({2500, 100, 1})
    ->Args({5000, 100, 1})
    ->Args({10000, 100, 1})
    ->Args({10000, 200, 1})
    ->Args({10000, 400, 1})
    ->Args({10000, 400, 2})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
