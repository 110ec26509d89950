// Bulk accrual through incentives::engine: encode, add (accumulation, 1 and 2 threads), run (traces
// off and on) and add + run end to end, on a synthetic channel of 100,000 partners; and the two
// halves of a distributed run: partial() and the global stage (absorb + run).
//
// Data (std::mt19937_64, fixed seed, integers only — never double):
//   - 100,000 partners; 5 participants each (2 managers, 3 specialists) = 500,000 participants;
//     50 products in 5 categories; quarterly plans for every second partner (the accelerator's targets).
//   - N events (1 M and 10 M): 90% of the sales dated over 2027, 10% over 2026 (the growth rule's
//     baseline); about 5% returns, each of an earlier sale, 0..60 days after it (clamped to the end of
//     2027), returning 1..q of its q units pro rata; amounts in cents (int64), quantities 1..10; two
//     participants per sale (a manager and a specialist) with shares 0.5/0.5 or 0.6/0.4.
//   - The events are built directly in columns (engine::event_batch), with the dictionary codes of an
//     engine whose dictionaries were primed by encoding six fixed rows (see prime()). The same
//     generator with the same seed makes the 1 M set a prefix of the 10 M set.
//   - Before any timing, the column batch is checked against the row path: the first 50,000 events,
//     added as columns and as rows (encode + add), must give identical results with traces.
//
// The program mirrors the reseller example of the design notes:
//   volume-rebate  laptops + servers, amount per partner and quarter, retroactive tiers 1% / 2% / 3.5%
//                  from 0 / 50,000 / 150,000, cap 25,000 per quarter, 30-day clawback
//   x200-spiff     40.00 per unit of SKU00 sold 2027-05-01..2027-06-30, credited to participants
//   plan           1.5% of the amount per partner and quarter, accelerator x0.5 / x1 / x1.5 at
//                  0% / 50% / 100% of plan
//   growth         5% of the growth of the amount per partner over the prior year (absolute)
//
// Every benchmark uses real time (add with 2 threads runs on two cores) and also reports the process
// CPU time; items_per_second is events per second of real time. Engines are constructed (and
// destroyed) with the timer paused. Memory (BM_memory, one add per size, run before the other
// benchmarks of that size): the resident set size (VmRSS of /proc/self/status, after malloc_trim(0))
// and the live heap (glibc mallinfo2: bytes in use + mmapped) before and after constructing the
// engine and after add. RSS can under-read when the heap reuses pages freed earlier in the process;
// the live-heap figure does not depend on that.
#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <incentives/format.hpp>
#include <incentives/engine/engine.hpp>

#include "process_memory.hpp"

namespace {

using namespace incentives;
using namespace incentives::bench;
using rules::field;
using rules::selector;

constexpr std::size_t n_partners = 100'000;
constexpr std::size_t per_partner = 5;  // participants: 2 managers, 3 specialists
constexpr std::size_t n_products = 50;
constexpr std::size_t n_categories = 5;
constexpr std::uint64_t seed = 20270101;
constexpr std::size_t verify_rows = 50'000;
const char* const category_names[n_categories] = {"laptops", "servers", "storage", "networking", "accessories"};

// Codes in a primed engine's dictionaries (checked by prime()).
constexpr std::uint32_t sale_code = 1, return_code = 2;
constexpr std::uint32_t category_code(std::size_t category) { return static_cast<std::uint32_t>(category + 1); }
constexpr std::uint32_t batch_row_flag = 0x80000000u;  // a return whose sale is in the same batch (engine_impl.hpp)

std::string partner_id(std::size_t k) { return fmt::format("P{:06}", k); }
std::string participant_id(std::size_t k) { return fmt::format("U{:07}", k); }
std::string sku(std::size_t k) { return fmt::format("SKU{:02}", k); }

constexpr double mib = 1024.0 * 1024.0;

// --- the program and the catalog -----------------------------------------------------------------

program make_program() {
    auto d = [](const char* s) { return decimal::parse(s); };
    rules::rule volume;
    volume.id = "volume-rebate";
    volume.label = "rebate";
    volume.select = selector::in({field::scope::event, "category"}, {"laptops", "servers"});
    volume.per = period_unit::quarter;
    volume.pay.kind = rules::schedule::kind_t::tiers;
    volume.pay.tiers_.rows = {{decimal(0), {}, d("0.01"), "bronze"},
                              {decimal(50000), {}, d("0.02"), "silver"},
                              {decimal(150000), {}, d("0.035"), "gold"}};
    volume.limits = {{rules::limit::kind_t::cap, decimal(25000), {}}};
    volume.clawback_ = rules::clawback{30};

    rules::rule spiff;
    spiff.id = "x200-spiff";
    spiff.label = "spiff";
    spiff.select = selector::all({selector::in({field::scope::event, "sku"}, {"SKU00"}),
                                  selector::dates(date(2027, 5, 1), date(2027, 6, 30))});
    spiff.measure_.kind = rules::measure::kind_t::quantity;
    spiff.credit_.to = rules::credit::to_t::participant;
    spiff.pay.kind = rules::schedule::kind_t::per_unit;
    spiff.pay.value = decimal(40);

    rules::rule plan;
    plan.id = "plan";
    plan.pay.value = d("0.015");
    plan.accelerate = rules::accelerator{{{decimal(0), d("0.5")}, {d("0.5"), decimal(1)}, {decimal(1), d("1.5")}}};

    rules::rule growth;
    growth.id = "growth";
    growth.per = period_unit::year;
    growth.measure_.over = rules::growth{rules::growth::baseline_kind::prior_year, rules::growth::form_kind::absolute, ""};
    growth.pay.value = d("0.05");

    program p;
    p.name = "Channel 2027 (benchmark)";
    p.currency_ = currency::of("EUR");
    p.cal = calendar(date(2027, 1, 1), date(2027, 12, 31));
    p.rules = {volume, spiff, plan, growth};
    return p;
}

struct world {
    program prog;
    catalog cat;
    std::vector<std::int64_t> price;  // cents per unit, per product
};

world make_world() {
    std::mt19937_64 rng(seed);
    const char* segments[] = {"smb", "mid", "enterprise"};
    const char* regions[] = {"north", "south", "east", "west"};
    const char* tiers[] = {"bronze", "silver", "gold"};
    std::vector<partner> partners;
    std::vector<participant> participants;
    std::vector<product> products;
    std::vector<plan> plans;
    partners.reserve(n_partners);
    participants.reserve(n_partners * per_partner);
    for (std::size_t k = 0; k < n_partners; ++k) {
        auto id = partner_id(k);
        partners.push_back({id, "Partner " + std::to_string(k), segments[k % 3], "", regions[k % 4], tiers[k % 3], {}});
        for (std::size_t j = 0; j < per_partner; ++j)
            participants.push_back({participant_id(k * per_partner + j), id, j < 2 ? "manager" : "specialist", {}, {}});
        if (k % 2 == 0)  // plans for half of the partners, one per quarter of 2027
            for (unsigned q = 0; q < 4; ++q)
                plans.push_back({id, date(2027, 1 + 3 * q, 15), decimal(static_cast<long long>(20000 + 5000 * (k % 5)))});
    }
    std::vector<std::int64_t> price;
    for (std::size_t k = 0; k < n_products; ++k) {
        products.push_back({sku(k), category_names[k % n_categories], {}});
        price.push_back(static_cast<std::int64_t>(1000 + rng() % 299001));  // 10.00 .. 3000.00
    }
    return {make_program(), catalog(std::move(partners), std::move(participants), std::move(products), std::move(plans)),
            std::move(price)};
}

const world& the_world() {
    static const world w = make_world();
    return w;
}

/// Interns the event kinds and the categories into a fresh engine's dictionaries in a fixed order
/// (encode() adds nothing to the engine), so that batches built directly in columns can use known
/// codes: sale = 1, return = 2, categories 1..5 in category_names order.
void prime(const engine& e) {
    std::vector<event> rows;
    for (std::size_t c = 0; c < n_categories; ++c) {
        event s;
        s.id = "prime-" + std::to_string(c);
        s.kind = "sale";
        s.on = date(2027, 1, 1);
        s.partner = partner_id(0);
        s.sku = sku(c);
        s.quantity = decimal(1);
        s.amount = decimal(1);
        rows.push_back(std::move(s));
    }
    event r;
    r.id = "prime-return";
    r.kind = "return";
    r.on = date(2027, 1, 2);
    r.partner = partner_id(0);
    r.reference = "prime-0";
    r.quantity = decimal(1);
    r.amount = decimal(1);
    rows.push_back(std::move(r));
    auto b = e.encode(rows);
    bool ok = b.size() == rows.size() && b.kind[0] == sale_code && b.kind[n_categories] == return_code;
    for (std::size_t c = 0; c < n_categories; ++c) ok = ok && b.category[c] == category_code(c);
    if (!ok) {
        std::fputs("bench_engine: unexpected dictionary codes after priming\n", stderr);
        std::abort();
    }
}

std::unique_ptr<engine> fresh_engine() {
    const auto& w = the_world();
    auto e = std::make_unique<engine>(w.prog, w.cat);
    prime(*e);
    return e;
}

// --- events, in columns --------------------------------------------------------------------------

struct dataset {
    std::size_t n = 0;
    event_batch batch;
    std::size_t sales = 0, returns = 0, baseline = 0;
    std::int64_t bytes = 0;  // heap bytes of the batch's columns
};

template <class T>
std::int64_t bytes_of(const std::vector<T>& v) {
    return static_cast<std::int64_t>(v.capacity() * sizeof(T));
}

std::unique_ptr<dataset> generate(std::size_t n) {
    const auto& w = the_world();
    auto ds = std::make_unique<dataset>();
    ds->n = n;
    auto& b = ds->batch;
    std::mt19937_64 rng(seed + 1);
    const std::int32_t d2026 = date(2026, 1, 1).days(), d2027 = date(2027, 1, 1).days(), last = date(2027, 12, 31).days();
    b.ids.reserve(n);
    b.kind.reserve(n);
    b.day.reserve(n);
    b.partner.reserve(n);
    b.product.reserve(n);
    b.category.reserve(n);
    b.quantity.reserve(n);
    b.amount.reserve(n);
    b.credit_begin.reserve(n + 1);
    b.credit_participant.reserve(2 * n);
    b.credit_share.reserve(2 * n);
    b.reference.reserve(n);
    std::vector<std::uint32_t> open;  // rows of sales not returned yet
    open.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        b.ids.push_back(fmt::format("e{:09}", i));
        if (!open.empty() && rng() % 20 == 0) {  // a return of an earlier sale (each sale at most once)
            std::size_t pick = rng() % open.size();
            std::uint32_t s = open[pick];
            open[pick] = open.back();
            open.pop_back();
            std::int64_t q = b.quantity[s];
            std::int64_t back = 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(q));
            b.kind.push_back(return_code);
            b.day.push_back(std::min(last, b.day[s] + static_cast<std::int32_t>(rng() % 61)));
            b.partner.push_back(b.partner[s]);
            b.product.push_back(b.product[s]);
            b.category.push_back(b.category[s]);
            b.quantity.push_back(back);
            b.amount.push_back(b.amount[s] / q * back);
            b.reference.push_back(batch_row_flag | s);  // the row of the sale in this batch
            ++ds->returns;
        } else {
            bool base_year = rng() % 10 == 0;
            std::int32_t day = (base_year ? d2026 : d2027) + static_cast<std::int32_t>(rng() % 365);
            // Partners are skewed: the product of two uniform draws favours low indices, so that
            // tiers, caps and accelerator bands are all reached.
            std::uint64_t partner = (rng() % n_partners) * (rng() % n_partners) / n_partners;
            std::size_t prod = rng() % n_products;
            std::int64_t qty = 1 + static_cast<std::int64_t>(rng() % 10);
            b.kind.push_back(sale_code);
            b.day.push_back(day);
            b.partner.push_back(static_cast<std::uint32_t>(partner));
            b.product.push_back(static_cast<std::uint32_t>(prod));
            b.category.push_back(category_code(prod % n_categories));
            b.quantity.push_back(qty);
            b.amount.push_back(qty * w.price[prod]);
            b.reference.push_back(event_batch::none);
            auto first = static_cast<std::uint32_t>(partner * per_partner);
            b.credit_participant.push_back(first + static_cast<std::uint32_t>(rng() % 2));      // a manager
            b.credit_participant.push_back(first + 2 + static_cast<std::uint32_t>(rng() % 3));  // a specialist
            bool even = rng() % 2 == 0;
            b.credit_share.push_back(even ? 5000 : 6000);
            b.credit_share.push_back(even ? 5000 : 4000);
            open.push_back(static_cast<std::uint32_t>(i));
            ++ds->sales;
            if (base_year) ++ds->baseline;
        }
        b.credit_begin.push_back(static_cast<std::uint32_t>(b.credit_participant.size()));
    }
    ds->bytes = bytes_of(b.kind) + bytes_of(b.day) + bytes_of(b.partner) + bytes_of(b.product) + bytes_of(b.category) +
                bytes_of(b.quantity) + bytes_of(b.amount) + bytes_of(b.credit_begin) + bytes_of(b.credit_participant) +
                bytes_of(b.credit_share) + bytes_of(b.reference) +
                static_cast<std::int64_t>(b.ids.capacity() * sizeof(std::string));
    return ds;
}

/// The first `n` events of a column batch (returns in them reference sales in them).
event_batch prefix(const event_batch& in, std::size_t n) {
    event_batch b;
    auto cut = [n](auto& to, const auto& from) { to.assign(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(n)); };
    cut(b.ids, in.ids);
    cut(b.kind, in.kind);
    cut(b.day, in.day);
    cut(b.partner, in.partner);
    cut(b.product, in.product);
    cut(b.category, in.category);
    cut(b.quantity, in.quantity);
    cut(b.amount, in.amount);
    cut(b.reference, in.reference);
    b.credit_begin.assign(in.credit_begin.begin(), in.credit_begin.begin() + static_cast<std::ptrdiff_t>(n + 1));
    b.credit_participant.assign(in.credit_participant.begin(), in.credit_participant.begin() + b.credit_begin.back());
    b.credit_share.assign(in.credit_share.begin(), in.credit_share.begin() + b.credit_begin.back());
    return b;
}

/// The first `n` events of a column batch as rows, as a caller of encode() would hand them over.
std::vector<event> rows_of(const event_batch& b, std::size_t n) {
    const auto& cat = the_world().cat;
    std::vector<event> rows;
    rows.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        event e;
        e.id = b.ids[i];
        e.kind = b.kind[i] == sale_code ? "sale" : "return";
        e.on = date(b.day[i]);
        e.partner = cat.partners()[b.partner[i]].id;
        for (auto k = b.credit_begin[i]; k < b.credit_begin[i + 1]; ++k)
            e.participants.push_back({cat.participants()[b.credit_participant[k]].id, decimal::from_units(b.credit_share[k], 4)});
        e.sku = cat.products()[b.product[i]].sku;
        e.quantity = decimal(static_cast<long long>(b.quantity[i]));
        e.amount = decimal::from_units(b.amount[i], 2);
        if (b.kind[i] == return_code) e.reference = b.ids[b.reference[i] & ~batch_row_flag];
        rows.push_back(std::move(e));
    }
    return rows;
}

/// The column batch must mean what the same events as rows mean: same lines, same traces.
void verify(const dataset& ds) {
    std::size_t n = std::min(verify_rows, ds.n);
    auto columns = fresh_engine();
    columns->add(prefix(ds.batch, n));
    const auto& w = the_world();
    engine rows(w.prog, w.cat);
    rows.add(rows_of(ds.batch, n));
    auto a = columns->run({.traces = true});
    auto b = rows.run({.traces = true});
    if (!(a == b) || a.lines.empty()) {
        std::fputs("bench_engine: the column batch and the row events give different results\n", stderr);
        std::abort();
    }
}

// One dataset (and what is derived from it) is kept at a time: the 10 M set needs several GiB.
struct cache {
    std::unique_ptr<dataset> data;
    std::unique_ptr<std::vector<event>> rows;  // encode input
    std::unique_ptr<engine> loaded;            // run() input: the whole dataset added
    bool verified = false;
};

cache& the_cache() {
    static cache c;
    return c;
}

const dataset& data_for(std::size_t n) {
    auto& c = the_cache();
    if (!c.data || c.data->n != n) {
        c.loaded.reset();
        c.rows.reset();
        c.data.reset();
        malloc_trim(0);
        c.data = generate(n);
        if (!c.verified) {
            verify(*c.data);
            c.verified = true;
        }
    }
    return *c.data;
}

const std::vector<event>& rows_for(std::size_t n) {
    auto& c = the_cache();
    const auto& ds = data_for(n);
    if (!c.rows) c.rows = std::make_unique<std::vector<event>>(rows_of(ds.batch, ds.n));
    return *c.rows;
}

const engine& loaded_for(std::size_t n) {
    auto& c = the_cache();
    const auto& ds = data_for(n);
    if (!c.loaded) {
        c.rows.reset();
        c.loaded = fresh_engine();
        c.loaded->add(ds.batch);
    }
    return *c.loaded;
}

void set_events(benchmark::State& state, std::size_t n) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

void describe(benchmark::State& state, const dataset& ds) {
    state.counters["sales"] = static_cast<double>(ds.sales);
    state.counters["returns"] = static_cast<double>(ds.returns);
    state.counters["baseline_2026"] = static_cast<double>(ds.baseline);
}

// --- benchmarks ----------------------------------------------------------------------------------

// engine(program, catalog) plus priming: copies the catalog, validates, sizes the accumulators.
void BM_engine_construct(benchmark::State& state) {
    (void)the_world();
    for (auto _ : state) {
        auto e = fresh_engine();
        state.PauseTiming();
        e.reset();
        state.ResumeTiming();
    }
}

// encode(): checks and encodes row events (the caller's side of add(rows)).
void BM_encode(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& rows = rows_for(n);
    for (auto _ : state) {
        state.PauseTiming();
        auto e = fresh_engine();
        state.ResumeTiming();
        auto b = e->encode(rows);
        benchmark::DoNotOptimize(b.ids.data());
        state.PauseTiming();
        b = event_batch{};
        e.reset();
        state.ResumeTiming();
    }
    set_events(state, n);
}

// Memory of an engine: construction, then one add() of the whole dataset (1 thread).
void BM_memory(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& ds = data_for(n);
    const double millions = static_cast<double>(n) / 1e6;
    for (auto _ : state) {
        state.PauseTiming();
        std::int64_t rss0 = settled_rss(), heap0 = heap_bytes();
        state.ResumeTiming();
        auto e = fresh_engine();
        state.PauseTiming();
        std::int64_t rss1 = rss_bytes(), heap1 = heap_bytes();
        state.ResumeTiming();
        e->add(ds.batch);
        state.PauseTiming();
        std::int64_t rss2 = rss_bytes(), heap2 = heap_bytes();
        state.counters["engine_rss_MiB"] = static_cast<double>(rss1 - rss0) / mib;
        state.counters["engine_heap_MiB"] = static_cast<double>(heap1 - heap0) / mib;
        state.counters["add_rss_MiB_per_M_events"] = static_cast<double>(rss2 - rss1) / mib / millions;
        state.counters["add_heap_MiB_per_M_events"] = static_cast<double>(heap2 - heap1) / mib / millions;
        state.counters["batch_MiB_per_M_events"] = static_cast<double>(ds.bytes) / mib / millions;
        e.reset();
        state.ResumeTiming();
    }
    set_events(state, n);
    describe(state, ds);
}

// add(batch, threads): accumulation of a column batch into a fresh engine.
void BM_add(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto threads = static_cast<unsigned>(state.range(1));
    const auto& ds = data_for(n);
    for (auto _ : state) {
        state.PauseTiming();
        auto e = fresh_engine();
        state.ResumeTiming();
        e->add(ds.batch, threads);
        state.PauseTiming();
        e.reset();
        state.ResumeTiming();
    }
    set_events(state, n);
}

// run(): payout lines (traces off or on) from an engine holding the whole dataset.
void BM_run(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const bool traces = state.range(1) != 0;
    const auto& e = loaded_for(n);
    std::size_t lines = 0, clawbacks = 0;
    for (auto _ : state) {
        auto r = e.run({.traces = traces});
        lines = r.lines.size();
        state.PauseTiming();
        clawbacks = 0;
        for (const auto& l : r.lines) clawbacks += l.kind == payout_line::kind_t::clawback;
        r = result{};
        state.ResumeTiming();
    }
    set_events(state, n);
    state.counters["lines"] = static_cast<double>(lines);
    state.counters["clawback_lines"] = static_cast<double>(clawbacks);
    state.counters["lines_per_second"] =
        benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsIterationInvariantRate);
}

// add + run (traces off) into a fresh engine: what a nightly accrual costs once the events are columns.
void BM_add_run(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto threads = static_cast<unsigned>(state.range(1));
    const auto& ds = data_for(n);
    for (auto _ : state) {
        state.PauseTiming();
        auto e = fresh_engine();
        state.ResumeTiming();
        e->add(ds.batch, threads);
        auto r = e->run();
        benchmark::DoNotOptimize(r.lines.data());
        state.PauseTiming();
        r = result{};
        e.reset();
        state.ResumeTiming();
    }
    set_events(state, n);
}

// partial(): the measures of an engine holding the whole dataset as bytes — what a partition's worker
// sends in a run spread over processes (docs/scale-out.md). partial_MiB is their size: the groups
// with events (100,000 partners x rules x periods), not the events.
void BM_partial(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& e = loaded_for(n);
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto p = e.partial();
        bytes = p.size();
        benchmark::DoNotOptimize(p.data());
    }
    set_events(state, n);
    state.counters["partial_MiB"] = static_cast<double>(bytes) / mib;
}

// The global stage of a distributed run: a fresh engine absorbs the partials (here the whole
// dataset's, as one) and settles. Its cost follows the groups, not the events.
void BM_global_stage(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto bytes = loaded_for(n).partial();
    for (auto _ : state) {
        state.PauseTiming();
        auto e = fresh_engine();
        state.ResumeTiming();
        e->absorb(bytes);
        auto r = e->run();
        benchmark::DoNotOptimize(r.lines.data());
        state.PauseTiming();
        r = result{};
        e.reset();
        state.ResumeTiming();
    }
    set_events(state, n);
}

// Registration: all 1 M benchmarks, then all 10 M ones, so that one dataset is alive at a time.
// The engine kept for run() is built last for each size (add benchmarks construct their own).
int register_all() {
    auto opts = [](benchmark::internal::Benchmark* b) {
        b->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);
    };
    opts(benchmark::RegisterBenchmark("BM_engine_construct", BM_engine_construct));
    for (std::int64_t n : {1'000'000, 10'000'000}) {
        opts(benchmark::RegisterBenchmark("BM_memory", BM_memory)->Args({n})->Iterations(1));
        if (n == 1'000'000) opts(benchmark::RegisterBenchmark("BM_encode", BM_encode)->Args({n}));
        for (std::int64_t t : {1, 2}) opts(benchmark::RegisterBenchmark("BM_add", BM_add)->Args({n, t}));
        opts(benchmark::RegisterBenchmark("BM_add_run", BM_add_run)->Args({n, 1}));
        for (std::int64_t traces : {0, 1}) opts(benchmark::RegisterBenchmark("BM_run", BM_run)->Args({n, traces}));
        opts(benchmark::RegisterBenchmark("BM_partial", BM_partial)->Args({n}));
        opts(benchmark::RegisterBenchmark("BM_global_stage", BM_global_stage)->Args({n}));
    }
    return 0;
}

[[maybe_unused]] const int registered = register_all();

}  // namespace
