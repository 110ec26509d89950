// Micro-benchmarks of incentives::decimal next to the same operations on
// boost::multiprecision::cpp_dec_float_50, on the same deterministic inputs.
//
// Inputs are built from integers (std::mt19937_64, fixed seed), never from double. Each benchmark
// performs one operation per iteration, cycling through 4096 pre-generated operands, and reports
// items/s (= operations per second).
#include <cstddef>
#include <cstdint>
#include <ios>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/multiprecision/cpp_dec_float.hpp>
#include <fmt/format.h>

#include <incentives/format.hpp>
#include <incentives/decimal.hpp>

namespace {

using incentives::decimal;
using incentives::rounding_mode;
using cdf = boost::multiprecision::cpp_dec_float_50;

constexpr std::size_t n_inputs = 4096;  // a power of two: index with i & mask
constexpr std::size_t mask = n_inputs - 1;

/// "12345.67"-like text from integers: whole part 0..999999, two places, 5% negative.
std::string amount_text(std::mt19937_64& rng) {
    std::uint64_t whole = rng() % 1000000;
    std::uint64_t cents = rng() % 100;
    bool negative = rng() % 20 == 0;
    return fmt::format("{}{}.{:02}", negative ? "-" : "", whole, cents);
}

/// A rate with four places, 0.0001..0.2500, as text built from integers.
std::string rate_text(std::mt19937_64& rng) {
    std::uint64_t units = 1 + rng() % 2500;
    return fmt::format("0.{:04}", units);
}

struct inputs {
    std::vector<std::string> amount_s, amount2_s, rate_s;
    std::vector<decimal> amount, amount2, rate, product;  // product = amount x rate, scale 6
    std::vector<cdf> amount_c, amount2_c, rate_c, product_c;

    inputs() {
        std::mt19937_64 rng(20240601);
        for (std::size_t i = 0; i < n_inputs; ++i) {
            amount_s.push_back(amount_text(rng));
            amount2_s.push_back(amount_text(rng));
            rate_s.push_back(rate_text(rng));
        }
        for (std::size_t i = 0; i < n_inputs; ++i) {
            amount.push_back(decimal::parse(amount_s[i]));
            amount2.push_back(decimal::parse(amount2_s[i]));
            rate.push_back(decimal::parse(rate_s[i]));
            product.push_back(amount[i] * rate[i]);
            amount_c.emplace_back(amount_s[i]);
            amount2_c.emplace_back(amount2_s[i]);
            rate_c.emplace_back(rate_s[i]);
            product_c.emplace_back(product[i].to_string());
        }
    }
};

const inputs& data() {
    static const inputs d;
    return d;
}

void set_items(benchmark::State& state) { state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations())); }

// --- parse --------------------------------------------------------------------------------------

void BM_parse_decimal(benchmark::State& state) {
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        decimal x = decimal::parse(d.amount_s[i++ & mask]);
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_parse_decimal);

void BM_parse_cdf50(benchmark::State& state) {
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        cdf x(d.amount_s[i++ & mask]);
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_parse_cdf50);

// --- to_string / format -------------------------------------------------------------------------

void BM_to_string_decimal(benchmark::State& state) {
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        std::string s = d.amount[i++ & mask].to_string();
        benchmark::DoNotOptimize(s);
    }
    set_items(state);
}
BENCHMARK(BM_to_string_decimal);

void BM_fmt_format_decimal(benchmark::State& state) {
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        std::string s = fmt::format("{}", d.amount[i++ & mask]);
        benchmark::DoNotOptimize(s);
    }
    set_items(state);
}
BENCHMARK(BM_fmt_format_decimal);

// cpp_dec_float has no notion of scale: print fixed with 2 places, the nearest equivalent.
void BM_to_string_cdf50(benchmark::State& state) {
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        std::string s = d.amount_c[i++ & mask].str(2, std::ios_base::fixed);
        benchmark::DoNotOptimize(s);
    }
    set_items(state);
}
BENCHMARK(BM_to_string_cdf50);

// --- add ----------------------------------------------------------------------------------------

void BM_add_aligned_decimal(benchmark::State& state) {  // 2 places + 2 places
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        std::size_t k = i++ & mask;
        decimal x = d.amount[k] + d.amount2[k];
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_add_aligned_decimal);

void BM_add_aligned_cdf50(benchmark::State& state) {
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        std::size_t k = i++ & mask;
        cdf x = d.amount_c[k] + d.amount2_c[k];
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_add_aligned_cdf50);

void BM_add_mixed_decimal(benchmark::State& state) {  // 2 places + 4 places
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        std::size_t k = i++ & mask;
        decimal x = d.amount[k] + d.rate[k];
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_add_mixed_decimal);

void BM_add_mixed_cdf50(benchmark::State& state) {
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        std::size_t k = i++ & mask;
        cdf x = d.amount_c[k] + d.rate_c[k];
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_add_mixed_cdf50);

// --- multiply -----------------------------------------------------------------------------------

void BM_multiply_decimal(benchmark::State& state) {  // amount (2 places) x rate (4 places)
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        std::size_t k = i++ & mask;
        decimal x = d.amount[k] * d.rate[k];
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_multiply_decimal);

void BM_multiply_cdf50(benchmark::State& state) {
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        std::size_t k = i++ & mask;
        cdf x = d.amount_c[k] * d.rate_c[k];
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_multiply_cdf50);

// --- rescale to 2 places, half-even -------------------------------------------------------------

void BM_rescale_half_even_decimal(benchmark::State& state) {  // 6 places -> 2 places
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        decimal x = d.product[i++ & mask].rescale(2, rounding_mode::half_even);
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_rescale_half_even_decimal);

// The usual cpp_dec_float idiom: x * 100, round(), / 100. round() is half away from zero, so this
// is NOT half-even (and the result is only as exact as the division by 100 happens to be).
void BM_rescale_round_cdf50(benchmark::State& state) {
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        cdf x = boost::multiprecision::round(d.product_c[i++ & mask] * 100) / 100;
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_rescale_round_cdf50);

/// Half-even to cents emulated on cpp_dec_float: floor, compare the fraction with 1/2, check parity.
/// Exact for these inputs (the product and x100 are exact with 50 digits), not a general rounding.
cdf round_half_even_cents(const cdf& v) {
    static const cdf half("0.5");
    cdf y = v * 100;
    cdf f = boost::multiprecision::floor(y);
    cdf frac = y - f;
    if (frac > half) {
        f += 1;
    } else if (frac == half) {
        cdf h = f / 2;
        if (boost::multiprecision::floor(h) != h) f += 1;  // f odd: go to the even neighbour
    }
    return cdf(f / 100);
}

void BM_rescale_half_even_emulated_cdf50(benchmark::State& state) {
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        cdf x = round_half_even_cents(d.product_c[i++ & mask]);
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_rescale_half_even_emulated_cdf50);

// --- divide by 3 to 4 places --------------------------------------------------------------------

void BM_divide_by_3_to_4_places_decimal(benchmark::State& state) {  // the int128 path
    const auto& d = data();
    const decimal three(3);
    std::size_t i = 0;
    for (auto _ : state) {
        decimal x = d.amount[i++ & mask].divide(three, 4, rounding_mode::half_even);
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_divide_by_3_to_4_places_decimal);

// cpp_dec_float: divide (50 digits, not correctly rounded), then round to 4 places with the
// x 10^4, round(), / 10^4 idiom (half away from zero, not half-even).
void BM_divide_by_3_to_4_places_cdf50(benchmark::State& state) {
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        cdf q = d.amount_c[i++ & mask] / 3;
        cdf x = boost::multiprecision::round(q * 10000) / 10000;
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_divide_by_3_to_4_places_cdf50);

// The same quotient, but the divisor 3 is written with 36 places (3.000...0, e.g. the result of
// earlier exact products). The scaled numerator units x 10^38 does not fit an int128; decimal first
// cancels the divisor's trailing zeros against 10^38 (before 2026-11-25 it went straight to
// boost::multiprecision::cpp_int here). The result equals the row above.
void BM_divide_by_3_wide_path_decimal(benchmark::State& state) {
    const auto& d = data();
    const decimal three_36 = decimal::from_units(3 * incentives::detail::pow10(36), 36);
    std::size_t i = 0;
    for (auto _ : state) {
        decimal x = d.amount[i++ & mask].divide(three_36, 4, rounding_mode::half_even);
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_divide_by_3_wide_path_decimal);

// A division that really needs more than 128 bits: the divisor 3.000...0001 has 36 significant
// places (no trailing zeros to cancel), so units x 10^38 goes through cpp_int.
void BM_divide_by_3_cpp_int_path_decimal(benchmark::State& state) {
    const auto& d = data();
    const decimal three_36 = decimal::from_units(3 * incentives::detail::pow10(36) + 1, 36);
    std::size_t i = 0;
    for (auto _ : state) {
        decimal x = d.amount[i++ & mask].divide(three_36, 4, rounding_mode::half_even);
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_divide_by_3_cpp_int_path_decimal);

void BM_divide_by_3_raw_cdf50(benchmark::State& state) {  // 50 digits, no rounding step
    const auto& d = data();
    std::size_t i = 0;
    for (auto _ : state) {
        cdf x = d.amount_c[i++ & mask] / 3;
        benchmark::DoNotOptimize(x);
    }
    set_items(state);
}
BENCHMARK(BM_divide_by_3_raw_cdf50);

}  // namespace
