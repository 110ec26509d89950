// Money-level benchmarks: allocation, and the rebate kernel of docs/design.md ("Money
// representation: what was measured"), on incentives::decimal next to cpp_dec_float_50.
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/multiprecision/cpp_dec_float.hpp>

#include <incentives/allocation.hpp>
#include <incentives/decimal.hpp>
#include <incentives/money.hpp>

namespace {

using incentives::decimal;
using incentives::money;
using incentives::rounding_mode;
using cdf = boost::multiprecision::cpp_dec_float_50;

// --- allocate -----------------------------------------------------------------------------------

std::vector<long long> weights_of(std::int64_t n) {
    std::vector<long long> w;
    if (n == 3) return {1, 1, 1};  // 1000.00 / 3: one cent left over for the largest remainder
    for (long long k = 1; k <= n; ++k) w.push_back(k);  // 1..n: sum 55 for n = 10
    return w;
}

void BM_allocate_decimal(benchmark::State& state) {
    const money total("1000.00", "EUR");
    std::vector<decimal> weights;
    for (long long w : weights_of(state.range(0))) weights.emplace_back(w);
    for (auto _ : state) {
        std::vector<money> parts = total.allocate(weights);
        benchmark::DoNotOptimize(parts.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_allocate_decimal)->Arg(3)->Arg(10);

// Beyond 128 bits: 10^20 units split by three weights near 10^19. Each product total x w is about
// 10^39, more than an unsigned 128-bit integer holds, so allocate_units takes its cpp_int path.
void BM_allocate_units_wide_decimal(benchmark::State& state) {
    const incentives::int128 total = incentives::detail::pow10(20);
    const std::vector<decimal> weights = {decimal::from_units(incentives::detail::pow10(19) - 1, 0),
                                          decimal::from_units(incentives::detail::pow10(19) + 1, 0),
                                          decimal::from_units(incentives::detail::pow10(19) + 7, 0)};
    for (auto _ : state) {
        std::vector<incentives::int128> parts = incentives::detail::allocate_units(total, weights);
        benchmark::DoNotOptimize(parts.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_allocate_units_wide_decimal);

// Naive proportional split: total x w / W rounded to cents with round() (half away from zero).
// The parts need not add up to the total (1000.00 / 3 gives 3 x 333.33 = 999.99).
void BM_allocate_naive_cdf50(benchmark::State& state) {
    const cdf total("1000.00");
    std::vector<cdf> weights;
    for (long long w : weights_of(state.range(0))) weights.emplace_back(w);
    for (auto _ : state) {
        cdf sum = 0;
        for (const cdf& w : weights) sum += w;
        std::vector<cdf> parts;
        parts.reserve(weights.size());
        for (const cdf& w : weights) parts.emplace_back(boost::multiprecision::round(total * w / sum * 100) / 100);
        benchmark::DoNotOptimize(parts.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_allocate_naive_cdf50)->Arg(3)->Arg(10);

// --- the rebate kernel --------------------------------------------------------------------------
//
// 1,000,000 sales over 10,000 partners, 16 rates with 4 places, 5% returns (negative amounts).
// rebate = amount x rate rounded half-even to cents, summed per partner. Kernel only: the rows are
// generated before timing; one iteration processes every row (items/s = rows per second).

constexpr std::size_t n_rows = 1000000;
constexpr std::size_t n_partners = 10000;
constexpr std::int64_t rate_units[16] = {125, 150, 175, 200, 225, 250, 275, 300,
                                         333, 350, 375, 400, 450, 500, 625, 750};  // 0.0125 .. 0.0750

struct row {
    std::int64_t cents;
    std::uint32_t partner;
    std::uint32_t rate;  // index into rate_units
};

struct kernel_data {
    std::vector<row> rows;
    std::vector<decimal> rates;
    std::vector<cdf> rates_c;
    std::vector<cdf> amounts_c;  // the same amounts, converted before timing (favours cpp_dec_float)
    std::vector<decimal> reference;  // per-partner totals computed with incentives::decimal

    kernel_data() {
        std::mt19937_64 rng(20240602);
        rows.reserve(n_rows);
        for (std::size_t i = 0; i < n_rows; ++i) {
            auto cents = static_cast<std::int64_t>(1 + rng() % 500000);  // 0.01 .. 5000.00
            if (rng() % 20 == 0) cents = -cents;                         // 5% returns
            rows.push_back({cents, static_cast<std::uint32_t>(rng() % n_partners), static_cast<std::uint32_t>(rng() % 16)});
        }
        for (std::int64_t u : rate_units) {
            rates.push_back(decimal::from_units(u, 4));
            rates_c.emplace_back(rates.back().to_string());
        }
        amounts_c.reserve(n_rows);
        for (const row& r : rows) amounts_c.emplace_back(decimal::from_units(r.cents, 2).to_string());
    }
};

kernel_data& kdata() {
    static kernel_data d;
    return d;
}

std::vector<decimal> run_decimal_kernel(const kernel_data& d) {
    std::vector<decimal> totals(n_partners, decimal::from_units(0, 2));
    for (const row& r : d.rows) {
        decimal rebate = (decimal::from_units(r.cents, 2) * d.rates[r.rate]).rescale(2, rounding_mode::half_even);
        totals[r.partner] += rebate;
    }
    return totals;
}

const std::vector<decimal>& reference_totals() {
    auto& d = kdata();
    if (d.reference.empty()) d.reference = run_decimal_kernel(d);
    return d.reference;
}

/// Partner totals that differ from the incentives::decimal reference.
std::int64_t differing(const std::vector<cdf>& totals) {
    const auto& ref = reference_totals();
    std::int64_t n = 0;
    for (std::size_t p = 0; p < n_partners; ++p)
        if (totals[p] != cdf(ref[p].to_string())) ++n;
    return n;
}

void BM_rebate_kernel_decimal(benchmark::State& state) {
    const auto& d = kdata();
    for (auto _ : state) {
        std::vector<decimal> totals = run_decimal_kernel(d);
        benchmark::DoNotOptimize(totals.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n_rows));
}
BENCHMARK(BM_rebate_kernel_decimal)->Unit(benchmark::kMillisecond);

// Reference point, not a library API: the same kernel hand-written on raw __int128 scaled integers
// (units at 6 places, half-even to cents by integer division), as in the design.md measurement.
void BM_rebate_kernel_raw_int128_baseline(benchmark::State& state) {
    const auto& d = kdata();
    std::vector<incentives::int128> totals;
    for (auto _ : state) {
        totals.assign(n_partners, 0);
        for (const row& r : d.rows) {
            incentives::int128 p = static_cast<incentives::int128>(r.cents) * rate_units[r.rate];  // 6 places
            incentives::int128 q = p / 10000, rem = p % 10000;
            incentives::int128 arem = rem < 0 ? -rem : rem;
            if (arem > 5000 || (arem == 5000 && q % 2 != 0)) q += p < 0 ? -1 : 1;
            totals[r.partner] += q;
        }
        benchmark::DoNotOptimize(totals.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n_rows));
    const auto& ref = reference_totals();
    std::int64_t n = 0;
    for (std::size_t p = 0; p < n_partners; ++p)
        if (decimal::from_units(totals[p], 2) != ref[p]) ++n;
    state.counters["partners_differing"] = static_cast<double>(n);
}
BENCHMARK(BM_rebate_kernel_raw_int128_baseline)->Unit(benchmark::kMillisecond);

/// Half-even to cents emulated on cpp_dec_float (exact here: products have at most 6 places).
cdf round_half_even_cents(const cdf& v) {
    static const cdf half("0.5");
    cdf y = v * 100;
    cdf f = boost::multiprecision::floor(y);
    cdf frac = y - f;
    if (frac > half) {
        f += 1;
    } else if (frac == half) {
        cdf h = f / 2;
        if (boost::multiprecision::floor(h) != h) f += 1;
    }
    return cdf(f / 100);
}

void BM_rebate_kernel_half_even_emulated_cdf50(benchmark::State& state) {
    const auto& d = kdata();
    std::vector<cdf> totals;
    for (auto _ : state) {
        totals.assign(n_partners, cdf(0));
        for (std::size_t i = 0; i < n_rows; ++i) {
            const row& r = d.rows[i];
            totals[r.partner] += round_half_even_cents(cdf(d.amounts_c[i] * d.rates_c[r.rate]));
        }
        benchmark::DoNotOptimize(totals.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n_rows));
    state.counters["partners_differing"] = static_cast<double>(differing(totals));
}
BENCHMARK(BM_rebate_kernel_half_even_emulated_cdf50)->Unit(benchmark::kMillisecond);

// The usual idiom round(x * 100) / 100: ties away from zero, so some partner totals differ.
void BM_rebate_kernel_round_cdf50(benchmark::State& state) {
    const auto& d = kdata();
    std::vector<cdf> totals;
    for (auto _ : state) {
        totals.assign(n_partners, cdf(0));
        for (std::size_t i = 0; i < n_rows; ++i) {
            const row& r = d.rows[i];
            totals[r.partner] += boost::multiprecision::round(d.amounts_c[i] * d.rates_c[r.rate] * 100) / 100;
        }
        benchmark::DoNotOptimize(totals.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n_rows));
    state.counters["partners_differing"] = static_cast<double>(differing(totals));
}
BENCHMARK(BM_rebate_kernel_round_cdf50)->Unit(benchmark::kMillisecond);

}  // namespace
