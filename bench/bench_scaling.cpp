// Scaling curves of bulk accrual (issue 5): add + run (traces off) of an already encoded column batch
// against the number of events, partners, rules and threads.
//
//     incentives_bench_scaling [--benchmark_filter=REGEX] [--benchmark_format=json --benchmark_out=F]
//
// One benchmark, BM_scaling, with the arguments events / partners / rules / threads. Four sweeps,
// each around the base point (10 M events, 10,000 partners, 2 rules, 1 thread); a point shared by
// several sweeps is registered once, so one sweep is selected by fixing the other three arguments:
//
//   events    1, 3, 10, 30, 50, 100 M   --benchmark_filter='partners:10000/rules:2/threads:1/'
//   partners  1 k, 10 k, 100 k, 1 M     --benchmark_filter='events:10000000/partners:[0-9]+/rules:2/threads:1/'
//   rules     1, 2, 5, 10, 20, 50       --benchmark_filter='events:10000000/partners:10000/rules:[0-9]+/threads:1/'
//   threads   1, 2                      --benchmark_filter='events:10000000/partners:10000/rules:2/threads:'
//
// 50 M is not in the issue's list: a point between 30 M and 100 M, and the largest size that fits
// when 100 M (about 18.5 GiB at its peak) does not. bench/scaling.sh [SWEEP] builds, runs and plots
// (bench/plot_scaling.py); it runs the 100 M point in a process of its own.
//
// The program is bench/peers/program.yaml, read from YAML text with incentives::io::read_program:
//   rebate  retroactive tiers 1% / 2% / 3.5% from 0 / 50,000 / 150,000 EUR per partner and quarter,
//           cap 4,000 EUR;
//   spiff   40 EUR per unit of X200 per partner and quarter;
// rounded half-even at the line. 1 rule = the rebate alone, 2 = the peer program, R > 2 = the peer
// program plus R - 2 generated rules, alternately a per-unit SPIFF on another SKU and a rate rebate on
// a category (each with its own id and value), all per partner and quarter.
//
// Data (std::mt19937_64 with a fixed seed, integers only — never double), untimed:
//   - N sales dated uniformly over 2027; 7 SKUs in 4 categories (the peers' list: X200 is 15% of the
//     rows); quantities 1..20; amount = quantity x the SKU's unit price, in cents.
//   - Partners mildly skewed: the largest 10% of the partners get 25% of the sales, the smallest 30%
//     get 10%, the other 60% get 65%.
//   - The unit prices scale with partners / events, so that the mean partner's quarter stays at
//     about 90,000 EUR at every point: the small, middle and large partners fall in the bronze,
//     silver and gold tiers (where the cap binds) in every sweep — the work per event stays the same.
//   - The batch is built directly in columns with the codes of an engine whose dictionaries were
//     primed by encoding one row per SKU (prime()): ids "E<n>", kind = the code of "sale", day,
//     partner index, product index, category code, quantity and amount at the program's places,
//     no participant credit, no reference. The id_hash column is left empty (as bench_engine.cpp
//     does), so add() hashes the ids: that is part of the timed add.
//
// Checked once before any timing, on 200,000 events, 1,000 partners and 10 rules: the column batch
// gives the same result (with traces) as the same events as rows through encode(); and add + run with
// 1 and 2 threads give identical results. The process aborts otherwise.
//
// Timing: the engine is constructed (copying the catalog, priming) and destroyed with the timer
// paused; the timed part is engine::add(batch, threads) then engine::run({.threads = threads}).
// items_per_second = events / s of real time for add + run. Counters: add_s and run_s (mean per
// iteration) and their CPU time split into user and system (add_user_s, add_sys_s, run_user_s,
// run_sys_s: getrusage, all threads; system time is mostly page faults on memory the engine touches
// for the first time) with add_faults_per_event (minor page faults), lines. Memory:
// rss_MiB_per_M_events (the whole process's VmRSS after add, batch included, per million events),
// engine_MiB_per_M_events (VmRSS after add minus VmRSS before constructing the engine: what the
// engine holds), batch_MiB_per_M_events (the columns' bytes), add_peak_MiB_per_M_events (batch +
// engine at the peak of construct + add: VmHWM, reset before, minus the process's VmRSS without the
// batch), run_extra_MiB (the peak of run() above VmRSS after add) and peak_MiB_per_M_events (batch +
// engine + run at the highest peak). VmRSS is read after malloc_trim(0), untimed. The CPU time column is the process's (all threads); loadavg_1m tells
// whether something else ran at the same time.
//
// Memory: one dataset is alive at a time. Before generating one, the need is estimated from the
// largest peak per event seen so far for the same partners, rules and threads (or
// INCENTIVES_SCALING_BYTES_PER_EVENT, or 260 bytes per event); generate_s is the (untimed)
// generation's time. A point that would not fit in MemAvailable less 1 GiB is skipped with an error
// message naming the estimate (no swap here: an out-of-memory kill would lose the whole run).
#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <incentives/format.hpp>
#include <incentives/engine/engine.hpp>
#include <incentives/io/yaml.hpp>

#include "process_memory.hpp"

namespace {

using namespace incentives;
using namespace incentives::bench;

constexpr std::uint64_t seed = 20270105;

// --- products (the peers' list: bench/peers/gen_data.py) -----------------------------------------

constexpr std::size_t n_products = 7;
const char* const skus[n_products] = {"X200", "L100", "L300", "SRV5", "SRV9", "SVC1", "ACC5"};
const char* const categories[n_products] = {"laptops", "laptops", "laptops", "servers", "servers", "services", "accessories"};
constexpr unsigned sku_weight[n_products] = {15, 20, 15, 15, 10, 15, 10};    // percent of the rows
constexpr unsigned price_factor[n_products] = {100, 60, 120, 150, 200, 80, 30};  // percent of the mean unit price

// --- the program ---------------------------------------------------------------------------------

constexpr const char* base_yaml = R"(program: Peer benchmark (scaling)
currency: EUR
periods: {from: 2027-01-01, to: 2027-12-31}
rounding: {mode: half_even, at: line}
duplicates: error

rules:
  - id: rebate
    kind: rebate
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
    cap: 4000
)";

constexpr const char* spiff_yaml = R"(
  - id: spiff
    kind: spiff
    select: {kind: sale, sku: X200}
    measure: quantity
    per: [partner, quarter]
    pay: {per_unit: 40}
)";

/// The YAML of the program with `rules` rules: the rebate, the spiff, then generated rules.
std::string program_yaml(int rules) {
    std::string y = base_yaml;
    if (rules >= 2) y += spiff_yaml;
    const char* extra_categories[] = {"laptops", "servers", "services", "accessories"};
    for (int k = 0; k + 2 < rules; ++k) {
        if (k % 2 == 0) {  // a per-unit SPIFF on one of the other SKUs
            const char* s = skus[1 + (k / 2) % (n_products - 1)];
            y += fmt::format("\n  - id: spiff-{}-{}\n    kind: spiff\n    select: {{kind: sale, sku: {}}}\n"
                             "    measure: quantity\n    per: [partner, quarter]\n    pay: {{per_unit: {}}}\n",
                             k + 3, s, s, 5 + 5 * (k % 7));
        } else {  // a rate rebate on a category
            const char* c = extra_categories[(k / 2) % 4];
            y += fmt::format("\n  - id: rebate-{}-{}\n    kind: rebate\n    select: {{kind: sale, category: {}}}\n"
                             "    measure: amount\n    per: [partner, quarter]\n    pay: {{rate: {}.{}%}}\n",
                             k + 3, c, c, 1 + k % 3, 5 * (k % 2));
        }
    }
    return y;
}

const program& program_for(int rules) {
    static std::map<int, program> cache;
    auto it = cache.find(rules);
    if (it == cache.end()) {
        it = cache.emplace(rules, io::read_program(program_yaml(rules), fmt::format("<scaling program, {} rules>", rules))).first;
        if (it->second.rules.size() != static_cast<std::size_t>(rules)) {
            std::fputs("bench_scaling: the generated program has the wrong number of rules\n", stderr);
            std::abort();
        }
    }
    return it->second;
}

// --- the catalog ---------------------------------------------------------------------------------

std::string partner_id(std::size_t k) { return fmt::format("P{:07}", k); }

const catalog& catalog_for(std::size_t partners) {
    static std::map<std::size_t, catalog> cache;
    auto it = cache.find(partners);
    if (it == cache.end()) {
        if (cache.size() > 1) cache.clear();  // a million partners weigh a few hundred MiB
        std::vector<partner> ps;
        ps.reserve(partners);
        for (std::size_t k = 0; k < partners; ++k) ps.push_back({partner_id(k), "", "", "", "", "", {}});
        std::vector<product> prods;
        for (std::size_t k = 0; k < n_products; ++k) prods.push_back({skus[k], categories[k], {}});
        it = cache.emplace(partners, catalog(std::move(ps), {}, std::move(prods))).first;
    }
    return it->second;
}

// --- dictionary codes ----------------------------------------------------------------------------

struct codes {
    std::uint32_t sale = 0;
    std::uint32_t category[n_products] = {};  // category code of each product
    friend bool operator==(const codes&, const codes&) = default;
};

/// Interns "sale" and the categories into a fresh engine's dictionaries by encoding one row per
/// product (encode() adds nothing to the engine) and returns their codes, which are the same for
/// every fresh engine (checked).
codes prime(const engine& e) {
    std::vector<event> rows;
    for (std::size_t p = 0; p < n_products; ++p) {
        event s;
        s.id = fmt::format("prime-{}", p);
        s.kind = "sale";
        s.on = date(2027, 1, 1);
        s.partner = partner_id(0);
        s.sku = skus[p];
        s.quantity = decimal(1);
        s.amount = decimal(1);
        rows.push_back(std::move(s));
    }
    auto b = e.encode(rows);
    codes c;
    c.sale = b.kind.at(0);
    for (std::size_t p = 0; p < n_products; ++p) c.category[p] = b.category.at(p);
    static const codes first = c;
    if (!(c == first) || b.product[0] != 0) {
        std::fputs("bench_scaling: unexpected dictionary codes after priming\n", stderr);
        std::abort();
    }
    return c;
}

std::unique_ptr<engine> fresh_engine(int rules, std::size_t partners) {
    auto e = std::make_unique<engine>(program_for(rules), catalog_for(partners));
    (void)prime(*e);
    return e;
}

const codes& the_codes() {
    static const codes c = prime(*fresh_engine(1, 1000));
    return c;
}

// --- events, in columns --------------------------------------------------------------------------

struct dataset {
    std::size_t n = 0, partners = 0;
    event_batch batch;
    std::int64_t bytes = 0;  // heap bytes of the batch's columns
};

template <class T>
std::int64_t bytes_of(const std::vector<T>& v) {
    return static_cast<std::int64_t>(v.capacity() * sizeof(T));
}

std::unique_ptr<dataset> generate(std::size_t n, std::size_t partners) {
    const codes& c = the_codes();
    const program& prog = program_for(1);
    std::int64_t amount_unit = 1, quantity_unit = 1;  // the program's places over cents and units
    for (int k = 2; k < prog.amount_scale(); ++k) amount_unit *= 10;
    for (int k = 0; k < prog.quantity_places; ++k) quantity_unit *= 10;
    if (prog.amount_scale() < 2) {
        std::fputs("bench_scaling: the program's amounts have fewer than 2 places\n", stderr);
        std::abort();
    }
    // Mean unit price (cents) for a mean quarter of 90,000 EUR per partner: 4 quarters, mean quantity 10.5.
    const std::uint64_t mean_unit =
        std::max<std::uint64_t>(1, 9'000'000ULL * 4 * partners * 2 / (static_cast<std::uint64_t>(n) * 21));
    std::int64_t unit_price[n_products];
    for (std::size_t p = 0; p < n_products; ++p)
        unit_price[p] = static_cast<std::int64_t>(std::max<std::uint64_t>(1, mean_unit * price_factor[p] / 100));
    const std::uint64_t big = std::max<std::size_t>(1, partners / 10), small = std::max<std::size_t>(1, 3 * partners / 10);
    const std::uint64_t medium = partners > big + small ? partners - big - small : 0;

    auto ds = std::make_unique<dataset>();
    ds->n = n;
    ds->partners = partners;
    auto& b = ds->batch;
    std::mt19937_64 rng(seed);
    const std::int32_t d2027 = date(2027, 1, 1).days();
    b.ids.reserve(n);
    b.kind.assign(n, c.sale);
    b.day.reserve(n);
    b.partner.reserve(n);
    b.product.reserve(n);
    b.category.reserve(n);
    b.quantity.reserve(n);
    b.amount.reserve(n);
    b.credit_begin.assign(n + 1, 0);
    b.reference.assign(n, event_batch::none);
    char text[24] = {'E'};
    for (std::size_t i = 0; i < n; ++i) {
        auto end = std::to_chars(text + 1, text + sizeof text, i).ptr;
        b.ids.emplace_back(text, end);
        b.day.push_back(d2027 + static_cast<std::int32_t>(rng() % 365));
        std::uint64_t who = rng() % 100, r = rng();
        std::uint64_t partner = who < 25 || medium == 0 ? r % big                 // the largest 10%: 25%
                                : who < 35              ? big + r % small         // the smallest 30%: 10%
                                                        : big + small + r % medium;  // the others: 65%
        std::uint64_t pick = rng() % 100;
        std::size_t prod = 0;
        for (unsigned acc = sku_weight[0]; pick >= acc; acc += sku_weight[++prod]) {
        }
        std::int64_t qty = 1 + static_cast<std::int64_t>(rng() % 20);
        b.partner.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(partner, partners - 1)));
        b.product.push_back(static_cast<std::uint32_t>(prod));
        b.category.push_back(c.category[prod]);
        b.quantity.push_back(qty * quantity_unit);
        b.amount.push_back(qty * unit_price[prod] * amount_unit);
    }
    ds->bytes = bytes_of(b.kind) + bytes_of(b.day) + bytes_of(b.partner) + bytes_of(b.product) + bytes_of(b.category) +
                bytes_of(b.quantity) + bytes_of(b.amount) + bytes_of(b.credit_begin) + bytes_of(b.reference) +
                static_cast<std::int64_t>(b.ids.capacity() * sizeof(std::string));
    return ds;
}

/// The first `n` events of a column batch as rows, as a caller of encode() would hand them over.
std::vector<event> rows_of(const event_batch& b, std::size_t n, const catalog& cat, const program& prog) {
    std::vector<event> rows;
    rows.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        event e;
        e.id = b.ids[i];
        e.kind = "sale";
        e.on = date(b.day[i]);
        e.partner = cat.partners()[b.partner[i]].id;
        e.sku = cat.products()[b.product[i]].sku;
        e.quantity = decimal::from_units(b.quantity[i], prog.quantity_places);
        e.amount = decimal::from_units(b.amount[i], prog.amount_scale());
        rows.push_back(std::move(e));
    }
    return rows;
}

// --- memory --------------------------------------------------------------------------------------

/// User and system CPU time of the process (all threads) and its minor page faults so far.
struct usage {
    double user = 0, sys = 0, faults = 0;
    static usage now() {
        rusage r{};
        getrusage(RUSAGE_SELF, &r);
        auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
        return {sec(r.ru_utime), sec(r.ru_stime), static_cast<double>(r.ru_minflt)};
    }
    usage& operator+=(const usage& o) {
        user += o.user;
        sys += o.sys;
        faults += o.faults;
        return *this;
    }
    friend usage operator-(const usage& a, const usage& b) { return {a.user - b.user, a.sys - b.sys, a.faults - b.faults}; }
};

/// The 1-minute load average (this benchmark included).
double load_average() {
    std::ifstream in("/proc/loadavg");
    double v = 0;
    in >> v;
    return v;
}

constexpr double mib = 1024.0 * 1024.0;
constexpr double gib = 1024.0 * mib;

// --- checks --------------------------------------------------------------------------------------

void check_once() {
    static bool done = false;
    if (done) return;
    done = true;
    constexpr std::size_t n = 200'000, partners = 1000;
    constexpr int rules = 10;
    auto ds = generate(n, partners);
    const auto& b = ds->batch;
    auto columns = fresh_engine(rules, partners);
    columns->add(b);
    engine rows(program_for(rules), catalog_for(partners));
    rows.add(rows_of(b, n, catalog_for(partners), program_for(rules)));
    auto a = columns->run({.traces = true});
    if (!(a == rows.run({.traces = true})) || a.lines.empty()) {
        std::fputs("bench_scaling: the column batch and the same events as rows give different results\n", stderr);
        std::abort();
    }
    // Every tier is reached (the price scaling does what it says).
    std::set<std::string> tiers;
    for (const auto& l : a.lines)
        if (l.rule == "rebate" && l.why && !l.why->tier.empty()) tiers.insert(l.why->tier);
    auto two = fresh_engine(rules, partners);
    two->add(b, 2);
    auto one = columns->run({.threads = 1});
    if (!(one == two->run({.threads = 2})) || !(one == two->run({.threads = 1}))) {
        std::fputs("bench_scaling: 1 and 2 threads give different results\n", stderr);
        std::abort();
    }
    std::fprintf(stderr, "bench_scaling: checked %zu events: columns = rows, 1 thread = 2 threads (%zu lines, %zu rebate tiers reached)\n",
                 n, one.lines.size(), tiers.size());
}

// --- the benchmark -------------------------------------------------------------------------------

struct cache {
    std::unique_ptr<dataset> data;
    double generate_s = 0;
    /// Bytes of peak memory per event (batch + engine + run) by shape (partners, rules, threads): the
    /// largest seen at 1 M events or more. The result of run() grows with the lines, not the events,
    /// so the estimate is kept per shape.
    std::map<std::tuple<std::size_t, int, unsigned>, double> need_per_event;
    double default_need_per_event = 260;
};

cache& the_cache() {
    static cache c = [] {
        cache x;
        // A process that starts with a large size takes the estimate from an earlier run (scaling.sh).
        if (const char* v = std::getenv("INCENTIVES_SCALING_BYTES_PER_EVENT"); v && std::strtod(v, nullptr) > 0)
            x.default_need_per_event = std::strtod(v, nullptr);
        return x;
    }();
    return c;
}

void BM_scaling(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto partners = static_cast<std::size_t>(state.range(1));
    const auto rules = static_cast<int>(state.range(2));
    const auto threads = static_cast<unsigned>(state.range(3));
    check_once();
    auto& c = the_cache();
    (void)catalog_for(partners);
    (void)program_for(rules);
    const auto shape = std::make_tuple(partners, rules, threads);
    if (!c.data || c.data->n != n || c.data->partners != partners) {
        c.data.reset();
        malloc_trim(0);
        auto known = c.need_per_event.find(shape);
        const double per_event = known != c.need_per_event.end() ? known->second : c.default_need_per_event;
        const double need = per_event * static_cast<double>(n);
        const double avail = static_cast<double>(mem_available());
        if (need > avail - gib) {  // leave 1 GiB to the rest of the machine
            state.SkipWithError(fmt::format("does not fit: about {:.1f} GiB needed ({:.0f} bytes per event), {:.1f} GiB available",
                                            need / gib, per_event, avail / gib)
                                    .c_str());
            return;
        }
        auto t0 = std::chrono::steady_clock::now();
        c.data = generate(n, partners);
        c.generate_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    const dataset& ds = *c.data;
    const double millions = static_cast<double>(n) / 1e6;
    using clock = std::chrono::steady_clock;
    double add_s = 0, run_s = 0;
    usage add_use, run_use;
    std::size_t lines = 0;
    std::int64_t rss0 = 0, rss_add = 0, peak_add = 0, peak_run = 0;
    bool peak_ok = true;
    for (auto _ : state) {
        state.PauseTiming();
        rss0 = settled_rss();
        peak_ok = reset_peak() && peak_ok;
        auto e = fresh_engine(rules, partners);
        state.ResumeTiming();
        auto u0 = usage::now();
        auto t0 = clock::now();
        e->add(ds.batch, threads);
        auto t1 = clock::now();
        add_use += usage::now() - u0;
        state.PauseTiming();
        peak_add = peak_bytes();
        rss_add = settled_rss();  // add's scratch freed: the batch and the engine
        peak_ok = reset_peak() && peak_ok;
        state.ResumeTiming();
        auto u2 = usage::now();
        auto t2 = clock::now();
        auto r = e->run({.threads = threads});
        auto t3 = clock::now();
        run_use += usage::now() - u2;
        state.PauseTiming();
        peak_run = peak_bytes();
        benchmark::DoNotOptimize(r.lines.data());
        add_s += std::chrono::duration<double>(t1 - t0).count();
        run_s += std::chrono::duration<double>(t3 - t2).count();
        lines = r.lines.size();
        r = result{};
        e.reset();
        state.ResumeTiming();
    }
    // Peaks of the batch + engine (+ run's result and scratch) above the process without the batch.
    const std::int64_t without_batch = rss0 - ds.bytes;
    const std::int64_t peak = std::max(peak_add, peak_run) - without_batch;
    if (peak_ok && n >= 1'000'000) {  // what the larger sizes of this shape are estimated from
        double& known = c.need_per_event[shape];
        known = std::max(known, static_cast<double>(peak) / static_cast<double>(n));
    }
    const double iters = static_cast<double>(state.iterations());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
    state.counters["events"] = static_cast<double>(n);
    state.counters["partners"] = static_cast<double>(partners);
    state.counters["rules"] = rules;
    state.counters["threads"] = threads;
    state.counters["add_s"] = add_s / iters;
    state.counters["run_s"] = run_s / iters;
    state.counters["add_user_s"] = add_use.user / iters;
    state.counters["add_sys_s"] = add_use.sys / iters;
    state.counters["add_faults_per_event"] = add_use.faults / iters / static_cast<double>(n);
    state.counters["run_user_s"] = run_use.user / iters;
    state.counters["run_sys_s"] = run_use.sys / iters;
    state.counters["lines"] = static_cast<double>(lines);
    state.counters["rss_MiB_per_M_events"] = static_cast<double>(rss_add) / mib / millions;
    state.counters["engine_MiB_per_M_events"] = static_cast<double>(rss_add - rss0) / mib / millions;
    state.counters["batch_MiB_per_M_events"] = static_cast<double>(ds.bytes) / mib / millions;
    if (peak_ok) {
        state.counters["add_peak_MiB_per_M_events"] = static_cast<double>(peak_add - without_batch) / mib / millions;
        state.counters["run_extra_MiB"] = static_cast<double>(peak_run - rss_add) / mib;
        state.counters["peak_MiB_per_M_events"] = static_cast<double>(peak) / mib / millions;
    }
    state.counters["generate_s"] = c.generate_s;
    state.counters["loadavg_1m"] = load_average();  // other work on the machine skews real time
    state.counters["mem_available_GiB"] = static_cast<double>(mem_available()) / gib;
}

// The sweeps around the base point, each point once, in an order that keeps one dataset alive at a
// time (the 10 M x 10 k points share theirs) and the largest sizes last.
int register_all() {
    // The machine, for the plots' titles (the JSON context has no CPU model of its own).
    {
        std::ifstream in("/proc/cpuinfo");
        std::string line;
        while (std::getline(in, line))
            if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
                benchmark::AddCustomContext("cpu_model", line.substr(line.find(':') + 2));
                break;
            }
        benchmark::AddCustomContext(
            "mem_total_GiB", fmt::format("{:.1f}", static_cast<double>(bench::proc_kib_bytes("/proc/meminfo", "MemTotal:")) / (mib * 1024)));
    }
    constexpr std::int64_t base_n = 10'000'000, base_partners = 10'000, base_rules = 2, base_threads = 1;
    std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>> points;
    auto add = [&](std::int64_t n, std::int64_t p, std::int64_t r, std::int64_t t) {
        auto pt = std::make_tuple(n, p, r, t);
        if (std::find(points.begin(), points.end(), pt) == points.end()) points.push_back(pt);
    };
    for (std::int64_t n : {1'000'000, 3'000'000, 10'000'000}) add(n, base_partners, base_rules, base_threads);
    for (std::int64_t t : {1, 2}) add(base_n, base_partners, base_rules, t);
    for (std::int64_t r : {1, 2, 5, 10, 20, 50}) add(base_n, base_partners, r, base_threads);
    for (std::int64_t p : {1'000, 10'000, 100'000, 1'000'000}) add(base_n, p, base_rules, base_threads);
    // 50 M: the largest size that fits next to the other work on a 24 GiB machine when 100 M does not.
    for (std::int64_t n : {30'000'000, 50'000'000, 100'000'000}) add(n, base_partners, base_rules, base_threads);
    for (auto [n, p, r, t] : points)
        benchmark::RegisterBenchmark("BM_scaling", BM_scaling)
            ->Args({n, p, r, t})
            ->ArgNames({"events", "partners", "rules", "threads"})
            ->Iterations(n >= 30'000'000 ? 1 : 3)
            ->UseRealTime()
            ->MeasureProcessCPUTime()
            ->Unit(benchmark::kMillisecond);
    return 0;
}

[[maybe_unused]] const int registered = register_all();

}  // namespace
