// The ledger stages (issue 11): MDF and co-op funds and a referral program through
// incentives::engine, 1 M and 10 M events over 100,000 partners. Target of the issue: at least 5 M
// ledger events/s on one core.
//
// Data (std::mt19937_64's raw output, fixed seed, integers only — never double), per 100 events:
//   30 sales           dated over 2027, skewed to low partner indices (the product of two uniform
//                      draws), 1..5 units of one of 10 products at 10.00..500.00: the rule
//                      coop-accrual credits 2% of each partner's quarterly sales to fund coop (one
//                      accrual lot per partner and quarter with sales: about 400,000 at 10 M)
//   10 fund_allocation 7 to mdf, 3 to coop, 100.00..5,000.00
//    6 fund_request    to mdf, 100.00..3,000.00, activity ending 0..30 days after the request
//    6 fund_approval   of an undecided request, 1..20 days later: 80% the amount asked, 15% part of
//                      it, 5% 0 (rejected)
//   14 claim           6 against an approved mdf request (1..30 days after the approval, a cost up to
//                      the amount approved), 8 on coop without a request (25.00..600.00)
//   14 claim_approval  of an undecided claim, 1..15 days later: 85% the cost claimed, 10% part of
//                      it, 5% 0
//   A step whose pool is empty (no undecided request or claim) becomes an allocation; the counters
//   give the kinds made. The fund events are half of the events; with the accruals they are the
//   ledger's input.
//    8 touch           a partner (skewed as sales) touches one of n/10 customers
//    2 signup          of one of the customers
//    8 payment         of one of the customers, 5.00..200.00
//    2 refund          of an earlier payment, all of it or part (a payment is refunded at most once)
// The referral program: 30-day window, last touch wins, 36 per customer plus 10% of 12 months'
// payments from a first payment of at least 10, held 30 days.
// The program: coop (co-op, 50% reimbursement, lots usable to the end of the next quarter) and mdf
// (claims only against approved requests, 30 days after the activity, lots usable to the end of
// their quarter), one rule crediting coop. The events are built directly in columns
// (engine::event_batch with its funds), with the dictionary codes of a primed engine; before
// any timing the first 20,000 events, as columns and as rows, must give the same lines and ledger.
//
// Benchmarks (real time, process CPU time also reported; items_per_second is events per second):
//   BM_add/N/1   add(batch) + run() into a fresh engine, 1 thread: the headline.
//   BM_add/N/0   add(batch) alone.
//   BM_run       run() of an engine holding the events: settle and the ledger replay.
//   BM_replay    the ledger replays alone (detail::fund_ledger::replay on run()'s lines and the fund
//                events, detail::referral_ledger::replay on the referral events): run() without
//                the ledger stages is BM_run - BM_replay.
//   BM_memory    one add + run: live heap (glibc mallinfo2) added by add() and by the result's
//                ledger, per million events, and the batch's own size.
#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <incentives/engine/engine.hpp>
#include <incentives/engine/ledger.hpp>
#include <incentives/engine/referrals.hpp>
#include <incentives/io/yaml.hpp>

#include "process_memory.hpp"

namespace {

using namespace incentives;
using namespace incentives::bench;
using detail::fund_event;
using detail::fund_step;

constexpr std::size_t n_partners = 100'000;
constexpr std::size_t n_products = 10;
constexpr std::uint64_t seed = 20271111;
constexpr std::size_t verify_rows = 20'000;
constexpr double mib = 1024.0 * 1024.0;

constexpr const char* program_yaml = R"(
program: Funds (benchmark)
currency: EUR
periods: {from: 2027-01-01, to: 2027-12-31}
funds:
  - {id: coop, kind: coop, reimbursement: 50%, expires: {after: 1, unit: quarter, round_to: quarter}}
  - {id: mdf, kind: mdf, requires_approval: true, claim_days: 30, expires: {after: 0, unit: day, round_to: quarter}}
referrals:
  - {id: affiliate, window: {days: 30}, wins: last, bounty: {per_customer: 36, rate: 10%, months: 12, min_spend: 10}, hold: {days: 30}}
rules:
  - {id: coop-accrual, pay: {rate: 2%}, per: [partner, quarter], fund: coop}
)";

/// Bounded integers from std::mt19937_64's raw output (fully specified: the same numbers everywhere;
/// no <random> distribution).
struct numbers {
    std::mt19937_64 engine_{seed};
    std::uint64_t below(std::uint64_t n) { return engine_() % n; }
    std::int64_t in(std::int64_t lo, std::int64_t hi) { return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1))); }
};

std::string partner_id(std::size_t k) { return fmt::format("P{:06}", k); }
std::string sku(std::size_t k) { return fmt::format("SKU{:02}", k); }

struct world {
    program prog;
    catalog cat;
};

const world& the_world() {
    static const world w = [] {
        std::vector<partner> partners;
        partners.reserve(n_partners);
        for (std::size_t k = 0; k < n_partners; ++k) partners.push_back({partner_id(k), "Partner " + std::to_string(k), "smb", "", "eu", "gold", {}});
        std::vector<product> products;
        for (std::size_t k = 0; k < n_products; ++k) products.push_back({sku(k), "hardware", {}});
        world x{io::read_program(program_yaml), catalog(std::move(partners), {}, std::move(products))};
        if (x.prog.amount_scale() != 2) std::abort();  // amounts below are cents
        return x;
    }();
    return w;
}

// Dictionary codes of a primed engine: the six kinds, and the category (prime() checks them).
struct codes {
    std::uint32_t sale = 0, category = 0;
    std::uint32_t step[5] = {};
    std::uint32_t referral[4] = {};
};
constexpr std::string_view step_kind[5] = {"fund_allocation", "fund_request", "fund_approval", "claim", "claim_approval"};
using detail::referral_event;
using detail::referral_step;

/// Encodes one row of each kind (encode interns kinds and categories in row order), so that batches
/// built directly in columns can use the codes; the same for every fresh engine.
codes prime(const engine& e) {
    std::vector<event> rows(10);
    for (std::size_t k = 0; k < 6; ++k) {
        rows[k].id = "prime-" + std::to_string(k);
        rows[k].on = date(2027, 1, 1);
        rows[k].partner = partner_id(0);
        rows[k].amount = decimal(1);
        if (k == 0) {
            rows[k].kind = "sale";
            rows[k].sku = sku(0);
            rows[k].quantity = decimal(1);
        } else {
            rows[k].kind = std::string(step_kind[k - 1]);
            if (k == 3 || k == 5) rows[k].reference = "prime-x";
            else rows[k].attrs["fund"] = "coop";
        }
    }
    for (std::size_t k = 6; k < rows.size(); ++k) {  // touch, signup, payment, refund
        rows[k].id = "prime-" + std::to_string(k);
        rows[k].on = date(2027, 1, 1);
        rows[k].kind = std::string(detail::referral_step_kinds[k - 6]);
        rows[k].partner = k == 6 ? partner_id(0) : "";
        rows[k].attrs["customer"] = "prime-customer";
        if (k >= 8) rows[k].amount = decimal(1);
        if (k == 9) rows[k].reference = "prime-8";
    }
    auto b = e.encode(rows);
    codes c{b.kind[0], b.category[0], {b.kind[1], b.kind[2], b.kind[3], b.kind[4], b.kind[5]}, {b.kind[6], b.kind[7], b.kind[8], b.kind[9]}};
    static const codes first = c;
    if (std::memcmp(&first, &c, sizeof c) != 0) {
        std::fputs("bench_ledger: unexpected dictionary codes after priming\n", stderr);
        std::abort();
    }
    return c;
}

/// A primed engine with no events.
std::unique_ptr<engine> fresh_engine() {
    auto e = std::make_unique<engine>(the_world().prog, the_world().cat);
    prime(*e);
    return e;
}

// --- events, in columns --------------------------------------------------------------------------

struct dataset {
    std::size_t n = 0;
    event_batch batch;
    std::size_t made[10] = {};  // sales, the five fund steps, the four referral steps
    std::int64_t bytes = 0;    // heap of the batch's columns and fund events (strings' own heap excluded)
};

std::size_t customers_for(std::size_t n) { return std::max<std::size_t>(n / 10, 1); }

/// `customers`: how many customers the referral steps draw from (n / 10 for a dataset of n events;
/// the verification's prefix keeps its dataset's number, so that it draws the same events).
std::unique_ptr<dataset> generate(std::size_t n, std::size_t customers) {
    const codes code = prime(*fresh_engine());
    auto ds = std::make_unique<dataset>();
    ds->n = n;
    auto& b = ds->batch;
    numbers r;
    const std::int32_t first = date(2027, 1, 1).days(), last = date(2027, 12, 31).days();
    auto clamp = [&](std::int64_t d) { return static_cast<std::int32_t>(std::min<std::int64_t>(d, last)); };
    for (auto* v : {&b.kind, &b.partner, &b.product, &b.category, &b.reference}) v->reserve(n);
    b.ids.reserve(n);
    b.day.reserve(n);
    b.quantity.reserve(n);
    b.amount.reserve(n);
    b.credit_begin.reserve(n + 1);
    b.funds.events.reserve(n / 2 + 1);
    b.funds.rows.reserve(n / 2 + 1);
    // Pools of what waits for a decision or a claim: indices into b.funds.events.
    std::vector<std::uint32_t> undecided_requests, approved_requests, undecided_claims;
    std::vector<std::uint32_t> payments;  // referral payments not refunded yet: indices into b.referrals.events
    auto take = [&](std::vector<std::uint32_t>& pool) {
        const std::size_t k = r.below(pool.size());
        const std::uint32_t x = pool[k];
        pool[k] = pool.back();
        pool.pop_back();
        return x;
    };
    // A decision on an item of `pool`, 1..`days` days after it: `whole`% of the time its amount,
    // then part of it, 5% 0 (rejected).
    auto decide = [&](fund_event& f, std::vector<std::uint32_t>& pool, fund_step step, std::int64_t days, std::uint64_t whole) {
        const fund_event& x = b.funds.events[take(pool)];
        const std::uint64_t how = r.below(100);
        f.step = step;
        f.partner = x.partner;
        f.day = clamp(x.day + r.in(1, days));
        f.reference = x.id;
        f.amount = how < whole ? x.amount : how < 95 ? x.amount / 100 * r.in(10, 99) : 0;
    };
    for (std::size_t i = 0; i < n; ++i) {
        b.ids.push_back(fmt::format("e{:09}", i));
        const std::uint64_t slot = r.below(100);
        const auto partner = static_cast<std::uint32_t>(r.below(n_partners) * r.below(n_partners) / n_partners);
        b.product.push_back(event_batch::none);
        b.category.push_back(0);
        b.quantity.push_back(0);
        b.reference.push_back(event_batch::none);
        b.credit_begin.push_back(0);
        if (slot >= 30 && slot < 50) {  // a referral step
            referral_event x;
            x.id = b.ids.back();
            x.referral = "affiliate";
            x.day = clamp(first + r.in(0, 364));
            x.customer = fmt::format("C{:07}", r.below(customers));
            x.step = slot < 38 ? referral_step::touch : slot < 40 ? referral_step::signup : slot < 48 ? referral_step::payment : referral_step::refund;
            if (x.step == referral_step::refund && payments.empty()) x.step = referral_step::payment;
            if (x.step == referral_step::touch) x.partner = partner;
            if (x.step == referral_step::payment) {
                x.amount = r.in(500, 20000);
                payments.push_back(static_cast<std::uint32_t>(b.referrals.events.size()));
            }
            if (x.step == referral_step::refund) {
                const referral_event& paid = b.referrals.events[take(payments)];
                x.customer.clear();
                x.reference = paid.id;
                x.day = clamp(paid.day + r.in(0, 60));
                x.amount = r.below(2) ? paid.amount : std::max<std::int64_t>(1, paid.amount / 100 * r.in(10, 99));
            }
            b.kind.push_back(code.referral[static_cast<int>(x.step)]);
            b.day.push_back(x.day);
            b.partner.push_back(x.step == referral_step::touch ? partner : 0);
            b.amount.push_back(x.amount);
            ++ds->made[6 + static_cast<int>(x.step)];
            b.referrals.rows.push_back(static_cast<std::uint32_t>(i));
            b.referrals.events.push_back(std::move(x));
            continue;
        }
        if (slot < 50) {  // a sale
            const std::size_t p = r.below(n_products);
            const std::int64_t units = r.in(1, 5);
            b.kind.push_back(code.sale);
            b.day.push_back(clamp(first + r.in(0, 364)));
            b.partner.push_back(partner);
            b.product.back() = static_cast<std::uint32_t>(p);
            b.category.back() = code.category;
            b.quantity.back() = units;
            b.amount.push_back(units * (1000 + static_cast<std::int64_t>(p) * 5444));  // 10.00 .. 499.96 a unit
            ++ds->made[0];
            continue;
        }
        fund_event f;
        f.id = b.ids.back();
        f.partner = partner;
        f.day = clamp(first + r.in(0, 364));
        if (slot >= 60 && slot < 66) {
            f.step = fund_step::request;
            f.fund = "mdf";
            f.amount = r.in(100, 3000) * 100;
            f.activity_end = clamp(f.day + r.in(0, 30));
            undecided_requests.push_back(static_cast<std::uint32_t>(b.funds.events.size()));
        } else if (slot >= 66 && slot < 72 && !undecided_requests.empty()) {
            decide(f, undecided_requests, fund_step::approval, 20, 80);
            if (f.amount > 0) approved_requests.push_back(static_cast<std::uint32_t>(b.funds.events.size()));
        } else if (slot >= 72 && slot < 78 && !approved_requests.empty()) {
            const fund_event& ap = b.funds.events[take(approved_requests)];
            f.step = fund_step::claim;
            f.partner = ap.partner;
            f.day = clamp(ap.day + r.in(1, 30));
            f.reference = ap.reference;  // the request
            f.amount = ap.amount / 100 * r.in(50, 100);
            f.note = "INV-" + std::to_string(i);
            undecided_claims.push_back(static_cast<std::uint32_t>(b.funds.events.size()));
        } else if (slot >= 78 && slot < 86) {
            f.step = fund_step::claim;
            f.fund = "coop";
            f.amount = r.in(25, 600) * 100;
            undecided_claims.push_back(static_cast<std::uint32_t>(b.funds.events.size()));
        } else if (slot >= 86 && !undecided_claims.empty()) {
            decide(f, undecided_claims, fund_step::claim_approval, 15, 85);
        } else {  // an allocation (also when a decision has nothing to decide)
            f.step = fund_step::allocation;
            f.fund = r.below(10) < 7 ? "mdf" : "coop";
            f.amount = r.in(100, 5000) * 100;
        }
        b.kind.push_back(code.step[static_cast<int>(f.step)]);
        b.day.push_back(f.day);
        b.partner.push_back(f.partner);
        b.amount.push_back(f.amount);
        b.funds.rows.push_back(static_cast<std::uint32_t>(i));
        b.funds.events.push_back(std::move(f));
        ++ds->made[1 + static_cast<int>(b.funds.events.back().step)];
    }
    auto bytes_of = [](const auto& v) { return static_cast<std::int64_t>(v.capacity() * sizeof(v[0])); };
    ds->bytes = bytes_of(b.ids) + bytes_of(b.kind) + bytes_of(b.day) + bytes_of(b.partner) + bytes_of(b.product) + bytes_of(b.category) +
                bytes_of(b.quantity) + bytes_of(b.amount) + bytes_of(b.credit_begin) + bytes_of(b.reference) + bytes_of(b.funds.events) +
                bytes_of(b.funds.rows) + bytes_of(b.referrals.events) + bytes_of(b.referrals.rows);
    return ds;
}

/// The first `n` events as rows, as a caller of encode() would hand them over.
std::vector<event> rows_of(const event_batch& b, std::size_t n) {
    const auto& cat = the_world().cat;
    std::vector<event> rows(n);
    for (std::size_t i = 0; i < n; ++i) {
        event& e = rows[i];
        e.id = b.ids[i];
        e.on = date(b.day[i]);
        e.partner = cat.partners()[b.partner[i]].id;
        e.amount = decimal::from_units(b.amount[i], 2);
        if (b.product[i] != event_batch::none) {
            e.kind = "sale";
            e.sku = cat.products()[b.product[i]].sku;
            e.quantity = decimal(static_cast<long long>(b.quantity[i]));
        }
    }
    for (std::size_t j = 0; j < b.funds.rows.size() && b.funds.rows[j] < n; ++j) {
        const fund_event& f = b.funds.events[j];
        event& e = rows[b.funds.rows[j]];
        e.kind = std::string(step_kind[static_cast<int>(f.step)]);
        e.reference = f.reference;
        if (!f.fund.empty()) e.attrs["fund"] = f.fund;
        if (!f.note.empty()) e.attrs["proof"] = f.note;
        if (f.activity_end) e.attrs["activity_end"] = date(*f.activity_end).to_string();
    }
    for (std::size_t j = 0; j < b.referrals.rows.size() && b.referrals.rows[j] < n; ++j) {
        const referral_event& x = b.referrals.events[j];
        event& e = rows[b.referrals.rows[j]];
        e.kind = std::string(detail::referral_step_kinds[static_cast<int>(x.step)]);
        if (x.step != referral_step::touch) e.partner.clear();
        if (!x.customer.empty()) e.attrs["customer"] = x.customer;
        e.reference = x.reference;
    }
    return rows;
}

/// The column batch must mean what the same events as rows mean: same lines, same ledger.
void verify(const dataset& ds) {
    const std::size_t n = std::min(verify_rows, ds.n);
    auto columns = fresh_engine();
    columns->add(generate(n, customers_for(ds.n))->batch);  // the first n events: the generator draws event by event
    const auto& w = the_world();
    engine rows(w.prog, w.cat);
    rows.add(rows_of(ds.batch, n));
    auto a = columns->run();
    auto b = rows.run();
    std::size_t payments = 0, released = 0;
    for (const auto& x : a.ledger) payments += x.kind == ledger_entry::kind_t::payment;
    for (const auto& x : a.referrals) released += x.kind == referral_entry::kind_t::released;
    if (!(a == b) || a.ledger.empty() || payments == 0 || released == 0) {
        std::fprintf(stderr, "bench_ledger: the column batch and the row events give different results (or no payments): lines %zu/%zu, "
                             "ledger %zu/%zu, referrals %zu/%zu, payments %zu, released %zu\n",
                     a.lines.size(), b.lines.size(), a.ledger.size(), b.ledger.size(), a.referrals.size(), b.referrals.size(), payments, released);
        std::abort();
    }
}

// The dataset of one size (verified once, on the first size made) and an engine holding it: one
// size is alive at a time.
std::unique_ptr<dataset> current_data;
std::unique_ptr<engine> current_engine;

const dataset& data_for(std::size_t n) {
    if (current_data && current_data->n == n) return *current_data;
    const bool first = !current_data;
    current_engine.reset();
    current_data.reset();
    malloc_trim(0);
    current_data = generate(n, customers_for(n));
    if (first) verify(*current_data);
    return *current_data;
}

const engine& loaded_for(std::size_t n) {
    const auto& ds = data_for(n);
    if (!current_engine) (current_engine = fresh_engine())->add(ds.batch);
    return *current_engine;
}

void describe(benchmark::State& state, const dataset& ds, const result* r = nullptr) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(ds.n));
    const char* names[10] = {"sales", "allocations", "requests", "approvals", "claims", "claim_approvals", "touches", "signups", "payments", "refunds"};
    for (int k = 0; k < 10; ++k) state.counters[names[k]] = static_cast<double>(ds.made[k]);
    if (r) state.counters["ledger_entries"] = static_cast<double>(r->ledger.size());
    if (r) state.counters["referral_entries"] = static_cast<double>(r->referrals.size());
}

// --- benchmarks ----------------------------------------------------------------------------------

// add(batch), and with the second argument 1, run() after it, into a fresh engine (1 thread).
void BM_add(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const bool and_run = state.range(1) != 0;
    const auto& ds = data_for(n);
    result last;
    for (auto _ : state) {
        state.PauseTiming();
        last = result{};
        auto e = fresh_engine();
        state.ResumeTiming();
        e->add(ds.batch);
        if (and_run) last = e->run();
        state.PauseTiming();
        e.reset();
        state.ResumeTiming();
    }
    describe(state, ds, and_run ? &last : nullptr);
}

void BM_run(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& e = loaded_for(n);
    result last;
    for (auto _ : state) {
        state.PauseTiming();
        last = result{};
        state.ResumeTiming();
        auto r = e.run();
        state.PauseTiming();
        last = std::move(r);
        state.ResumeTiming();
    }
    describe(state, data_for(n), &last);
}

void BM_replay(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& ds = data_for(n);
    const auto& w = the_world();
    const result settled = loaded_for(n).run();
    std::size_t entries = 0, referral_entries = 0;
    for (auto _ : state) {
        state.PauseTiming();
        result r;
        r.lines = settled.lines;  // the referral stage appends its lines
        state.ResumeTiming();
        detail::referral_ledger(w.prog, w.prog.referrals.front(), w.cat).replay(ds.batch.referrals.events, r);
        auto ledger = detail::fund_ledger(w.prog, w.cat).replay(r.lines, ds.batch.funds.events);
        state.PauseTiming();
        entries = ledger.size();
        referral_entries = r.referrals.size();
        ledger = {};
        r = {};
        state.ResumeTiming();
    }
    describe(state, ds);
    state.counters["ledger_entries"] = static_cast<double>(entries);
    state.counters["referral_entries"] = static_cast<double>(referral_entries);
    state.counters["ledger_events_per_second"] = benchmark::Counter(
        static_cast<double>(ds.batch.funds.events.size() + ds.batch.referrals.events.size()), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_memory(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& ds = data_for(n);
    const double millions = static_cast<double>(n) / 1e6;
    for (auto _ : state) {
        state.PauseTiming();
        malloc_trim(0);
        auto e = fresh_engine();
        const std::int64_t heap0 = heap_bytes();
        state.ResumeTiming();
        e->add(ds.batch);
        state.PauseTiming();
        const std::int64_t heap1 = heap_bytes();
        state.ResumeTiming();
        auto r = e->run();
        state.PauseTiming();
        const std::int64_t heap2 = heap_bytes();
        state.counters["add_heap_MiB_per_M_events"] = static_cast<double>(heap1 - heap0) / mib / millions;
        state.counters["result_heap_MiB_per_M_events"] = static_cast<double>(heap2 - heap1) / mib / millions;
        state.counters["batch_MiB_per_M_events"] = static_cast<double>(ds.bytes) / mib / millions;
        state.counters["ledger_entries"] = static_cast<double>(r.ledger.size());
        state.counters["peak_rss_MiB"] = static_cast<double>(peak_bytes()) / mib;
        r = result{};
        e.reset();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

// All 1 M benchmarks, then all 10 M ones, so that one dataset is alive at a time.
int register_all() {
    auto opts = [](benchmark::internal::Benchmark* b) { b->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond); };
    for (std::int64_t n : {1'000'000, 10'000'000}) {
        opts(benchmark::RegisterBenchmark("BM_memory", BM_memory)->Args({n})->Iterations(1));
        for (std::int64_t and_run : {1, 0}) opts(benchmark::RegisterBenchmark("BM_add", BM_add)->Args({n, and_run}));
        opts(benchmark::RegisterBenchmark("BM_run", BM_run)->Args({n}));
        opts(benchmark::RegisterBenchmark("BM_replay", BM_replay)->Args({n}));
    }
    return 0;
}

[[maybe_unused]] const int registered = register_all();

}  // namespace
