// The points stage (issue 12): a bonus shop's lots, redemptions and returns through
// incentives::engine, 1 M events over 100,000 people and 10 M events over 1,000,000 people. Target of
// the issue: 10 M point events over 1 M people at least 5 M events/s on one core, and the memory per
// million events.
//
// Catalog: people / 10 partners ("P000000"...), ten people at each ("U0000000"...: person k works at
// partner k / 10), 10 products at 10.00..499.96 EUR a unit.
// The program: points "pts" (whole points, 1 point = 0.01 EUR, pending 15 days, usable 6 months to
// the end of that month, soonest expiring spent first, returns within the balance), a shop of 100
// items at 5..203 points: I000..I002 with a stock of people / 200 each, I003..I005 limited to one per
// person and month, the others unlimited; one rule paying 5% of each person's monthly sales in points
// (a lot per person and month with sales), with a 90-day clawback.
//
// Data (splitmix64, fixed seed, integers only — never double), per 100 events, dated over 2027:
//   80 sales        one person (uniform), at the person's partner, 1..5 units of one of the products
//    5 returns      of an earlier sale not returned yet (reference = its id), 0..60 days after it
//                   (at most 2027-12-31), all of it or 10..99% of it; a sale when none is left
//   15 redemptions  one person (uniform) at its partner, quantity 1, attr.item one of the 100 items
// The events are event_columns as a bulk door gives them: text in Arrow's utf8 layout (ids, kinds,
// partners, skus, references, attr.item, the credited person), typed days, quantities and amounts in
// units (cents). Generating them is untimed.
//
// Benchmarks (real time, process CPU time also reported; items_per_second is events per second), in
// this order per size; 3 iterations at 1 M, 1 at 10 M:
//   BM_add/N     encode(columns) + add(batch) into a fresh engine (counters encode_s, add_s split it).
//   BM_whole/N   encode + add + run into a fresh engine: the headline.
//   BM_run/N     run() of an engine holding the events: settle, then the points replay.
//   BM_replay/N  the points replay alone (detail::points_ledger::replay on run()'s lines and the shop
//                events, the engine freed): run() without it is BM_run - BM_replay.
// Memory counters (VmHWM reset before the timed part, VmRSS read after malloc_trim, untimed):
// peak_delta_MiB (the peak above the RSS before the timed part: the batch and what the engine or
// the result holds at the peak), peak_bytes_per_event, and for BM_add engine_bytes_per_event (what
// the engine keeps, batch freed), for BM_run result_bytes_per_event (the result's RSS);
// batch_bytes_per_event is the columns' heap. At 10 M the peak is about 16 GiB: once an engine holds
// the events the columns are freed, and a benchmark whose need (its peak per event at 1 M and 10 M,
// rounded up) does not fit in MemAvailable less 1 GiB is skipped with an error naming both (no swap:
// an out-of-memory kill would lose the whole run); run it alone with --benchmark_filter.
//
// Checked once per size, untimed, on run()'s result: there are entries and lots, earned, redeemed,
// reversed, expired and refused entries, and issued - redeemed - expired - reversed = outstanding
// (points_liability_as_of), the sum of the balances (points_balances) and the lots' remainder; and
// the replay alone gives run()'s entries and lots. The process aborts otherwise.
//
// BENCH_POINTS_SIZE=EVENTS:PEOPLE runs that size alone, once: a reduced size for valgrind, e.g.
// BENCH_POINTS_SIZE=200000:20000 with --tool=callgrind --toggle-collect='incentives::detail::settle_and_replay*'
// and --benchmark_filter=BM_run.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <incentives/engine/engine.hpp>
#include <incentives/engine/points.hpp>
#include <incentives/io/yaml.hpp>

#include "process_memory.hpp"

namespace {

using namespace incentives;
using namespace incentives::bench;

constexpr std::uint64_t seed = 20271212;
constexpr std::size_t n_products = 10;
constexpr std::size_t n_items = 100;
constexpr double mib = 1024.0 * 1024.0;

/// splitmix64: bounded integers, the same everywhere (no <random> distribution).
struct numbers {
    std::uint64_t state = seed;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    std::int64_t in(std::int64_t lo, std::int64_t hi) { return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1))); }
};

std::string program_yaml(std::size_t people) {
    std::string y = R"(program: Points (benchmark)
currency: EUR
periods: {from: 2027-01-01, to: 2027-12-31}
points:
  id: pts
  places: 0
  value: 0.01
  pending: {days: 15}
  expires: {after: 6, unit: month, round_to: month}
  spend: soonest_expiring
  returns: within_balance
  shop:
)";
    for (std::size_t k = 0; k < n_items; ++k) {
        y += fmt::format("    - {{sku: I{:03}, name: Item {}, price: {}", k, k, 5 + 2 * k);
        if (k < 3) y += fmt::format(", stock: {}", people / 200);
        else if (k < 6) y += ", limit: {count: 1, per: month}";
        y += "}\n";
    }
    y += R"(rules:
  - id: sales_points
    pay: {rate: 5%}
    per: [participant, month]
    credit: {to: participant}
    points: pts
    clawback: {days: 90}
)";
    return y;
}

std::string product_sku(std::size_t k) { return fmt::format("SKU{:02}", k); }
std::string item_sku(std::size_t k) { return fmt::format("I{:03}", k); }

struct world {
    std::size_t people = 0;
    std::shared_ptr<const program> prog;
    std::shared_ptr<const catalog> cat;
};

world make_world(std::size_t people) {
    std::vector<partner> partners;
    partners.reserve(people / 10);
    for (std::size_t k = 0; k < people / 10; ++k) partners.push_back({fmt::format("P{:06}", k), "", "smb", "", "eu", "gold", {}});
    std::vector<participant> participants;
    participants.reserve(people);
    for (std::size_t k = 0; k < people; ++k) participants.push_back({fmt::format("U{:07}", k), partners[k / 10].id, "sales", {}, {}});
    std::vector<product> products;
    for (std::size_t k = 0; k < n_products; ++k) products.push_back({product_sku(k), "hardware", {}});
    world w{people, std::make_shared<const program>(io::read_program(program_yaml(people))),
            std::make_shared<const catalog>(std::move(partners), std::move(participants), std::move(products))};
    if (w.prog->amount_scale() != 2) std::abort();  // amounts below are cents
    return w;
}

/// A text column in Arrow's utf8 layout, built by appending.
struct utf8_column {
    std::string bytes;
    std::vector<std::int32_t> offsets{0};
    void push(std::string_view s) {
        bytes.append(s);
        offsets.push_back(static_cast<std::int32_t>(bytes.size()));
    }
    [[nodiscard]] text_column view() const { return text_column::arrow(bytes.data(), offsets.data(), offsets.size() - 1); }
    [[nodiscard]] std::int64_t heap() const { return static_cast<std::int64_t>(bytes.capacity() + offsets.capacity() * sizeof(std::int32_t)); }
};

struct dataset {
    std::size_t n = 0;
    world w;
    utf8_column id, kind, partner, sku, reference, item, who;
    std::vector<std::int32_t> day;
    std::vector<std::int64_t> quantity, amount;
    std::vector<std::uint32_t> credit_begin;
    std::size_t sales = 0, returns = 0, redemptions = 0;
    std::int64_t bytes = 0;  // the columns' heap
    bool has_columns = true;
    std::vector<detail::points_event> shop;  // the shop's events as encode() keeps them (BM_replay)

    /// Frees the columns once an engine holds the events (BM_run and BM_replay need no more).
    void drop_columns() {
        id = kind = partner = sku = reference = item = who = utf8_column{};
        day = {};
        quantity = amount = {};
        credit_begin = {};
        has_columns = false;
    }

    [[nodiscard]] event_columns columns() const {
        event_columns c;
        c.rows = n;
        c.id = id.view();
        c.kind = kind.view();
        c.partner = partner.view();
        c.sku = sku.view();
        c.reference = reference.view();
        c.on = date_column::days(day);
        c.quantity = number_column::units(quantity, 0);
        c.amount = number_column::units(amount, 2);
        c.participants.begin = credit_begin;
        c.participants.who = who.view();
        c.attrs.emplace_back("item", item.view());
        return c;
    }
};

std::unique_ptr<dataset> generate(std::size_t n, std::size_t people) {
    auto ds = std::make_unique<dataset>();
    ds->n = n;
    ds->w = make_world(people);
    const auto& cat = *ds->w.cat;
    numbers r;
    const std::int32_t first = date(2027, 1, 1).days(), last = date(2027, 12, 31).days();
    for (auto* v : {&ds->quantity, &ds->amount}) v->reserve(n);
    ds->day.reserve(n);
    ds->credit_begin.reserve(n + 1);
    ds->credit_begin.push_back(0);
    for (auto* c : {&ds->id, &ds->kind, &ds->partner, &ds->sku, &ds->reference, &ds->item, &ds->who}) c->offsets.reserve(n + 1);
    std::vector<std::uint32_t> open_sales;  // rows of sales not returned yet
    open_sales.reserve(n);
    std::vector<std::string> products, items;
    for (std::size_t k = 0; k < n_products; ++k) products.push_back(product_sku(k));
    for (std::size_t k = 0; k < n_items; ++k) items.push_back(item_sku(k));
    auto id_of = [&](std::size_t row) { return std::string_view(ds->id.bytes).substr(ds->id.offsets[row], 10); };
    auto no_text = [](utf8_column& c) { c.push({}); };
    auto one_person = [&](std::size_t person) {
        ds->who.push(cat.participants()[person].id);
        ds->credit_begin.push_back(ds->credit_begin.back() + 1);
    };
    for (std::size_t i = 0; i < n; ++i) {
        ds->id.push(fmt::format("e{:09}", i));
        std::uint64_t slot = r.below(100);
        if (slot >= 80 && slot < 85 && open_sales.empty()) slot = 0;
        if (slot >= 80 && slot < 85) {  // a return
            const std::size_t k = r.below(open_sales.size());
            const std::uint32_t s = open_sales[k];
            open_sales[k] = open_sales.back();
            open_sales.pop_back();
            const std::int64_t part = r.below(2) ? ds->amount[s] : std::max<std::int64_t>(1, ds->amount[s] / 100 * r.in(10, 99));
            ds->kind.push("return");
            ds->partner.push(std::string_view(ds->partner.bytes).substr(ds->partner.offsets[s], 7));
            ds->sku.push(std::string_view(ds->sku.bytes).substr(ds->sku.offsets[s], 5));
            ds->reference.push(id_of(s));
            no_text(ds->item);
            ds->day.push_back(static_cast<std::int32_t>(std::min<std::int64_t>(ds->day[s] + r.in(0, 60), last)));
            ds->quantity.push_back(0);
            ds->amount.push_back(part);
            ds->credit_begin.push_back(ds->credit_begin.back());
            ++ds->returns;
            continue;
        }
        const std::size_t person = r.below(people);
        ds->partner.push(cat.partners()[person / 10].id);
        ds->day.push_back(first + static_cast<std::int32_t>(r.below(365)));
        no_text(ds->reference);
        one_person(person);
        if (slot < 80) {  // a sale
            const std::size_t p = r.below(n_products);
            const std::int64_t units = r.in(1, 5);
            ds->kind.push("sale");
            ds->sku.push(products[p]);
            no_text(ds->item);
            ds->quantity.push_back(units);
            ds->amount.push_back(units * (1000 + static_cast<std::int64_t>(p) * 5444));  // 10.00 .. 499.96 a unit
            open_sales.push_back(static_cast<std::uint32_t>(i));
            ++ds->sales;
            continue;
        }
        ds->kind.push("redemption");  // a redemption
        no_text(ds->sku);
        ds->item.push(items[r.below(n_items)]);
        ds->quantity.push_back(1);
        ds->amount.push_back(0);
        ++ds->redemptions;
    }
    auto bytes_of = [](const auto& v) { return static_cast<std::int64_t>(v.capacity() * sizeof(v[0])); };
    ds->bytes = ds->id.heap() + ds->kind.heap() + ds->partner.heap() + ds->sku.heap() + ds->reference.heap() + ds->item.heap() +
                ds->who.heap() + bytes_of(ds->day) + bytes_of(ds->quantity) + bytes_of(ds->amount) + bytes_of(ds->credit_begin);
    return ds;
}

std::unique_ptr<engine> fresh_engine(const world& w) { return std::make_unique<engine>(w.prog, w.cat); }

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "bench_points: %s\n", what.c_str());
    std::abort();
}

/// The result must have a ledger worth measuring, and the points must add up.
void check(const dataset& ds, const result& r) {
    using kind = points_entry::kind_t;
    std::size_t count[9] = {};
    for (const auto& e : r.points) ++count[static_cast<int>(e.kind)];
    for (kind k : {kind::earned, kind::reversed, kind::redeemed, kind::refused, kind::expired})
        if (count[static_cast<int>(k)] == 0) fail(fmt::format("no {} entries among {} entries", to_string(k), r.points.size()));
    if (r.lots.empty()) fail("no lots");
    const date as_of = r.points.back().on;
    const auto l = points_liability_as_of(*ds.w.prog, r.points, as_of);
    if (!(l.issued - l.redeemed - l.expired - l.reversed == l.outstanding) || l.issued.signum() <= 0)
        fail(fmt::format("liability: issued {} - redeemed {} - expired {} - reversed {} != outstanding {}", l.issued.to_string(),
                         l.redeemed.to_string(), l.expired.to_string(), l.reversed.to_string(), l.outstanding.to_string()));
    decimal balances, left;
    for (const auto& b : points_balances(r.points, as_of)) balances += b.balance;
    for (const auto& lot : r.lots) left += lot.left;
    if (!(balances == l.outstanding) || !(left - l.debt == l.outstanding))
        fail(fmt::format("outstanding {}, balances {}, lots' remainder {} less debt {}", l.outstanding.to_string(), balances.to_string(),
                         left.to_string(), l.debt.to_string()));
}

// The dataset of one size and an engine holding it: one size is alive at a time. Once the engine is
// loaded the columns are freed (at 10 M the run's peak needs the room); a later benchmark that needs
// them generates them again.
std::unique_ptr<dataset> current_data;
std::unique_ptr<engine> current_engine;
bool current_checked = false;

const dataset& data_for(std::size_t n, std::size_t people, bool columns = true) {
    if (current_data && current_data->n == n && current_data->w.people == people && (current_data->has_columns || !columns))
        return *current_data;
    const bool same = current_data && current_data->n == n && current_data->w.people == people;
    current_engine.reset();
    current_data.reset();
    current_checked = current_checked && same;
    malloc_trim(0);
    current_data = generate(n, people);
    return *current_data;
}

const engine& loaded_for(std::size_t n, std::size_t people) {
    auto& ds = const_cast<dataset&>(data_for(n, people, false));
    if (!current_engine) {
        if (!ds.has_columns) ds = std::move(*generate(n, people));
        current_engine = fresh_engine(ds.w);
        event_batch b = current_engine->encode(ds.columns());
        ds.shop = b.points.events;
        current_engine->add(b);
        ds.drop_columns();
        malloc_trim(0);
    }
    return *current_engine;
}

/// Whether `per_event` bytes for each of `n` events (measured at 1 M, rounded up) fit in the memory
/// still available, with 1 GiB to spare; skips the benchmark otherwise (no swap: an out-of-memory
/// kill would lose the whole run).
bool fits(benchmark::State& state, std::size_t n, std::int64_t per_event) {
    const std::int64_t need = per_event * static_cast<std::int64_t>(n), have = mem_available() - (std::int64_t{1} << 30);
    if (need <= have) return true;
    state.SkipWithError(fmt::format("needs about {:.1f} GiB, {:.1f} GiB available", static_cast<double>(need) / mib / 1024,
                                    static_cast<double>(have) / mib / 1024).c_str());
    return false;
}

void checked(const dataset& ds, const result& r) {
    if (current_checked) return;
    check(ds, r);
    current_checked = true;
}

void describe(benchmark::State& state, const dataset& ds, const result* r = nullptr) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(ds.n));
    state.counters["people"] = static_cast<double>(ds.w.people);
    state.counters["sales"] = static_cast<double>(ds.sales);
    state.counters["returns"] = static_cast<double>(ds.returns);
    state.counters["redemptions"] = static_cast<double>(ds.redemptions);
    state.counters["batch_bytes_per_event"] = static_cast<double>(ds.bytes) / static_cast<double>(ds.n);
    if (!r) return;
    std::size_t refused = 0, redeemed = 0;
    for (const auto& e : r->points) {
        refused += e.kind == points_entry::kind_t::refused;
        redeemed += e.kind == points_entry::kind_t::redeemed;
    }
    state.counters["lines"] = static_cast<double>(r->lines.size());
    state.counters["entries"] = static_cast<double>(r->points.size());
    state.counters["lots"] = static_cast<double>(r->lots.size());
    state.counters["redeemed_entries"] = static_cast<double>(redeemed);
    state.counters["refused"] = static_cast<double>(refused);
}

/// The peak above `rss0` since reset_peak(), as counters.
void peak_counters(benchmark::State& state, const dataset& ds, std::int64_t rss0) {
    const std::int64_t delta = peak_bytes() - rss0;
    state.counters["peak_delta_MiB"] = static_cast<double>(delta) / mib;
    state.counters["peak_bytes_per_event"] = static_cast<double>(delta) / static_cast<double>(ds.n);
}

using seconds = std::chrono::duration<double>;
auto now() { return std::chrono::steady_clock::now(); }

// --- benchmarks ----------------------------------------------------------------------------------

void BM_add(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0)), people = static_cast<std::size_t>(state.range(1));
    const auto& ds = data_for(n, people);
    if (!fits(state, n, 350)) return;
    const event_columns cols = ds.columns();
    double encode_s = 0, add_s = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto e = fresh_engine(ds.w);
        const std::int64_t rss0 = settled_rss();
        reset_peak();
        state.ResumeTiming();
        const auto t0 = now();
        event_batch b = e->encode(cols);
        const auto t1 = now();
        e->add(b);
        const auto t2 = now();
        state.PauseTiming();
        encode_s += seconds(t1 - t0).count();
        add_s += seconds(t2 - t1).count();
        peak_counters(state, ds, rss0);
        b = event_batch{};
        state.counters["engine_bytes_per_event"] = static_cast<double>(settled_rss() - rss0) / static_cast<double>(n);
        e.reset();
        state.ResumeTiming();
    }
    describe(state, ds);
    state.counters["encode_s"] = encode_s / static_cast<double>(state.iterations());
    state.counters["add_s"] = add_s / static_cast<double>(state.iterations());
}

void BM_run(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0)), people = static_cast<std::size_t>(state.range(1));
    const auto& e = loaded_for(n, people);
    const auto& ds = *current_data;
    if (!fits(state, n, 1550)) return;
    result last;
    for (auto _ : state) {
        state.PauseTiming();
        last = result{};
        const std::int64_t rss0 = settled_rss();
        reset_peak();
        state.ResumeTiming();
        auto r = e.run();
        state.PauseTiming();
        peak_counters(state, ds, rss0);
        state.counters["result_bytes_per_event"] = static_cast<double>(settled_rss() - rss0) / static_cast<double>(n);
        last = std::move(r);
        state.ResumeTiming();
    }
    checked(ds, last);
    describe(state, ds, &last);
}

void BM_whole(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0)), people = static_cast<std::size_t>(state.range(1));
    const auto& ds = data_for(n, people);
    if (!fits(state, n, 1750)) return;
    const event_columns cols = ds.columns();
    result last;
    for (auto _ : state) {
        state.PauseTiming();
        last = result{};
        auto e = fresh_engine(ds.w);
        const std::int64_t rss0 = settled_rss();
        reset_peak();
        state.ResumeTiming();
        e->add(e->encode(cols));
        auto r = e->run();
        state.PauseTiming();
        peak_counters(state, ds, rss0);
        last = std::move(r);
        e.reset();
        state.ResumeTiming();
    }
    checked(ds, last);
    describe(state, ds, &last);
}

void BM_replay(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0)), people = static_cast<std::size_t>(state.range(1));
    loaded_for(n, people);
    const auto& ds = *current_data;
    // run()'s lines and what its points came to; the engine is freed before the replays.
    std::vector<payout_line> lines;
    std::size_t entries = 0, lots = 0;
    points_entry final_entry;
    {
        result settled = current_engine->run();
        checked(ds, settled);
        entries = settled.points.size();
        lots = settled.lots.size();
        final_entry = settled.points.back();
        lines = std::move(settled.lines);
    }
    current_engine.reset();
    malloc_trim(0);
    if (!fits(state, n, 1300)) return;  // the lines are held already
    detail::ledger_events kept;
    kept.points = ds.shop;
    result last;
    for (auto _ : state) {
        state.PauseTiming();
        last = result{};
        result r;
        if (state.max_iterations == 1) r.lines = std::move(lines);  // the large size: no second copy of the lines
        else r.lines = lines;
        const std::int64_t rss0 = settled_rss();
        reset_peak();
        state.ResumeTiming();
        detail::points_ledger(*ds.w.prog, *ds.w.cat).replay(kept, r);
        state.PauseTiming();
        peak_counters(state, ds, rss0);
        last = std::move(r);
        state.ResumeTiming();
    }
    if (last.points.size() != entries || last.lots.size() != lots || !(last.points.back() == final_entry))
        fail("the replay alone differs from run()'s points");
    describe(state, ds, &last);
    state.counters["shop_events"] = static_cast<double>(kept.points.size());
}

// All 1 M benchmarks, then all 10 M ones, so that one dataset is alive at a time.
int register_all() {
    struct size {
        std::int64_t events, people;
        bool large;
    };
    std::vector<size> sizes = {{1'000'000, 100'000, false}, {10'000'000, 1'000'000, true}};
    // BENCH_POINTS_SIZE=EVENTS:PEOPLE: that size alone, once (a reduced size for callgrind).
    if (const char* only = std::getenv("BENCH_POINTS_SIZE")) {
        char* end = nullptr;
        const std::int64_t events = std::strtoll(only, &end, 10);
        const std::int64_t people = *end == ':' ? std::strtoll(end + 1, nullptr, 10) : 0;
        if (events <= 0 || people < 10) fail("BENCH_POINTS_SIZE: expected EVENTS:PEOPLE, e.g. 200000:20000");
        sizes = {{events, people, true}};
    }
    for (size s : sizes) {
        auto opts = [&](benchmark::internal::Benchmark* b) {
            b->Args({s.events, s.people})->ArgNames({"events", "people"})->UseRealTime()->MeasureProcessCPUTime();
            if (s.large) b->Iterations(1)->Unit(benchmark::kSecond);
            else b->Iterations(3)->Unit(benchmark::kMillisecond);
        };
        opts(benchmark::RegisterBenchmark("BM_add", BM_add));
        opts(benchmark::RegisterBenchmark("BM_whole", BM_whole));
        opts(benchmark::RegisterBenchmark("BM_run", BM_run));
        opts(benchmark::RegisterBenchmark("BM_replay", BM_replay));
    }
    return 0;
}

[[maybe_unused]] const int registered = register_all();

}  // namespace
