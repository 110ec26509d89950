// Shared fixtures of the engine tests: a small catalog, programs that use most rule families, event
// builders and random event streams (sales and their returns).
#pragma once

#include <doctest/doctest.h>

#include <incentives/engine/engine.hpp>

#include <random>
#include <string>
#include <vector>

namespace fixtures {

using namespace incentives;
using rules::field;
using rules::selector;

inline decimal d(const char* s) { return decimal::parse(s); }

inline catalog small_catalog() {
    return catalog({{"P1", "Acme", "smb", "north", "eu", "gold", {{"trained", "yes"}, {"baseline", "1000"}}},
                    {"P2", "Beta", "enterprise", "south", "eu", "silver", {{"trained", "no"}, {"baseline", "0"}}},
                    {"P3", "Core", "smb", "south", "us", "bronze", {{"trained", "yes"}, {"baseline", "500"}}}},
                   {{"M1", "P1", "manager", {}, {}},
                    {"S1", "P1", "specialist", {}, {}},
                    {"M2", "P2", "manager", {}, {}},
                    {"S3", "P3", "specialist", {}, {}}},
                   {{"X200", "laptops", {}}, {"S100", "servers", {}}, {"K1", "accessories", {}}},
                   {{"P1", date(2027, 1, 15), decimal(50000)}, {"P2", date(2027, 1, 15), decimal(20000)}});
}

inline rules::rule tiered_rebate() {
    rules::rule r;
    r.id = "volume";
    r.per = period_unit::quarter;
    r.pay.kind = rules::schedule::kind_t::tiers;
    r.pay.tiers_.rows = {{decimal(0), {}, d("0.01"), "bronze"},
                         {decimal(50000), {}, d("0.02"), "silver"},
                         {decimal(150000), {}, d("0.035"), "gold"}};
    return r;
}

inline program base_program(std::vector<rules::rule> rs) {
    program p;
    p.name = "test";
    p.currency_ = currency::of("EUR");
    p.cal = calendar(date(2027, 1, 1), date(2027, 12, 31));
    p.rules = std::move(rs);
    return p;
}

inline event sale(std::string id, date on, std::string partner, std::string sku, long long qty, const char* amount,
           std::vector<credit_share> credit = {}) {
    event e;
    e.id = std::move(id);
    e.kind = "sale";
    e.on = on;
    e.partner = std::move(partner);
    e.sku = std::move(sku);
    e.quantity = decimal(qty);
    e.amount = d(amount);
    e.participants = std::move(credit);
    return e;
}

/// An event of any kind with a reference and attributes: the rows the ledger stages keep whole
/// (fund and deal steps).
inline event step_row(std::string id, std::string kind, date on, std::string partner, const char* amount, std::string reference = "",
                      attributes attrs = {}) {
    event e;
    e.id = std::move(id);
    e.kind = std::move(kind);
    e.on = on;
    e.partner = std::move(partner);
    e.amount = d(amount);
    e.reference = std::move(reference);
    e.attrs = std::move(attrs);
    return e;
}

inline event ret(std::string id, date on, std::string partner, std::string of, long long qty, const char* amount) {
    event e;
    e.id = std::move(id);
    e.kind = "return";
    e.on = on;
    e.partner = std::move(partner);
    e.reference = std::move(of);
    e.quantity = decimal(qty);
    e.amount = d(amount);
    return e;
}

inline const payout_line* find(const result& r, std::string_view rule, std::string_view who, std::string_view period,
                        payout_line::kind_t kind = payout_line::kind_t::accrual) {
    for (const auto& l : r.lines)
        if (l.rule == rule && l.beneficiary == who && l.period == period && l.kind == kind) return &l;
    return nullptr;
}

/// A program that uses most rule families at once, for the property tests.
inline program rich_program() {
    auto volume = tiered_rebate();
    volume.limits = {{rules::limit::kind_t::cap, decimal(3000), {}}, {rules::limit::kind_t::cap, decimal(8000), period_unit::year}};
    volume.clawback_ = rules::clawback{30};
    rules::rule spiff;
    spiff.id = "spiff";
    spiff.select = selector::all({selector::in({field::scope::event, "sku"}, {"X200"}), selector::dates(date(2027, 5, 1), date(2027, 6, 30))});
    spiff.measure_.kind = rules::measure::kind_t::quantity;
    spiff.credit_.to = rules::credit::to_t::participant;
    spiff.pay.kind = rules::schedule::kind_t::per_unit;
    spiff.pay.value = decimal(40);
    spiff.clawback_ = rules::clawback{30};
    rules::rule plan;
    plan.id = "plan";
    plan.pay.value = d("0.015");
    plan.accelerate = rules::accelerator{{{decimal(0), d("0.5")}, {d("0.5"), decimal(1)}, {decimal(1), d("1.5")}}};
    plan.budget_ = rules::budget{decimal(2000), rules::budget::policy_t::pro_rata};
    rules::rule growth;
    growth.id = "growth";
    growth.per = period_unit::year;
    growth.measure_.over = rules::growth{rules::growth::baseline_kind::prior_year, rules::growth::form_kind::absolute, ""};
    growth.pay.value = d("0.05");
    rules::rule best;
    best.id = "best";
    best.combine = rules::combinator::max_of;
    rules::rule a, b;
    a.id = "best-servers";
    a.select = selector::in({field::scope::event, "category"}, {"servers"});
    a.pay.value = d("0.03");
    b.id = "best-count";
    b.measure_.kind = rules::measure::kind_t::count;
    b.pay.kind = rules::schedule::kind_t::per_event;
    b.pay.value = decimal(25);
    best.children = {a, b};
    return base_program({volume, spiff, plan, growth, best});
}

inline std::vector<event> random_events(std::uint64_t seed, std::size_t n) {
    std::mt19937_64 rng(seed);
    const char* partners[] = {"P1", "P2", "P3"};
    const char* skus[] = {"X200", "S100", "K1"};
    std::vector<event> out;
    std::vector<std::size_t> sales;
    for (std::size_t i = 0; i < n; ++i) {
        date on(static_cast<std::int32_t>(date(2026, 1, 1).days() + static_cast<std::int32_t>(rng() % 730)));
        if (!sales.empty() && rng() % 10 == 0) {  // a return of an earlier sale, part or all of it
            const event& s = out[sales[rng() % sales.size()]];
            bool taken = false;
            for (const auto& e : out) taken = taken || (e.kind == "return" && e.reference == s.id);
            if (taken) continue;
            date back(s.on.days() + static_cast<std::int32_t>(rng() % 60));
            long long q = s.quantity.is_zero() ? 0 : 1;
            out.push_back(ret("r" + std::to_string(i), back, s.partner, s.id, q,
                              (s.amount.divide(decimal(2), 2, rounding_mode::down)).to_string().c_str()));
            continue;
        }
        std::string p = partners[rng() % 3];
        std::vector<credit_share> credit;
        if (p == "P1") credit = {{"M1", d("0.6")}, {"S1", d("0.4")}};
        if (p == "P2") credit = {{"M2", decimal(1)}};
        if (p == "P3") credit = {{"S3", decimal(1)}};
        auto cents = static_cast<long long>(rng() % 5000000);
        out.push_back(sale("e" + std::to_string(i), on, p, skus[rng() % 3], static_cast<long long>(1 + rng() % 5),
                           decimal::from_units(cents, 2).to_string().c_str(), credit));
        sales.push_back(out.size() - 1);
    }
    return out;
}

inline result run_all(const program& p, const catalog& c, const std::vector<event>& ev, unsigned threads = 1) {
    engine e(p, c, true);
    e.add(ev, threads);
    return e.run({true, true, threads});
}

}  // namespace fixtures
