// A minimal CRM-style integration of incentives.
//
// A CRM sends deals (sales) and returns as they happen. The integration keeps one engine for the
// program, adds each event when it arrives, saves the engine's state now and then (here: once,
// halfway, as a service would before a restart) and continues from the saved state. At any time it
// can print a partner's statement. Because the engine's sums are exact integers, the result does not
// depend on how the events were batched: this program checks that against a single batch run and
// exits with status 1 if they differ.
//
//     crm_integration [EXAMPLES_DIR] [PARTNER]      (defaults: the bundled examples, P01)
#include <incentives/format.hpp>
#include <incentives/incentives.hpp>
#include <incentives/io/csv.hpp>
#include <incentives/io/yaml.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <map>
#include <span>
#include <string>
#include <vector>

#ifndef INCENTIVES_EXAMPLES_DIR
#define INCENTIVES_EXAMPLES_DIR "examples"
#endif

namespace {

/// The statement of one partner: its lines, its people's lines, and what each of them is owed.
void print_statement(const incentives::program& p, const incentives::result& r, const std::string& partner) {
    fmt::print("Statement for {} — {} ({})\n", partner, p.name, p.currency_.code());
    for (const auto& l : r.lines)
        if (l.partner == partner)
            fmt::print("  {:<20} {:<8} {:<8} {:<9} {:>12}\n", l.rule, l.beneficiary, l.period, to_string(l.kind), l.amount);
    std::map<std::string, incentives::decimal> owed;
    incentives::decimal total;
    for (const auto& s : r.statements)
        if (s.partner == partner) {
            owed[s.beneficiary] += s.amount;
            total += s.amount;
        }
    for (const auto& [who, amount] : owed) fmt::print("  owed to {:<50} {:>12}\n", who, amount);
    fmt::print("  {:<58} {:>12}\n", "total", total);
}

}  // namespace

int main(int argc, char** argv) try {
    const std::string dir = argc > 1 ? argv[1] : INCENTIVES_EXAMPLES_DIR;
    const std::string partner = argc > 2 ? argv[2] : "P01";
    namespace io = incentives::io;

    // Configuration and reference data, loaded once at start-up.
    incentives::program program = io::read_program_file(dir + "/programs/reseller.yaml");
    incentives::catalog catalog(io::read_partners_csv(dir + "/data/partners.csv"),
                                io::read_participants_csv(dir + "/data/participants.csv"),
                                io::read_products_csv(dir + "/data/products.csv"), io::read_plans_csv(dir + "/data/plans.csv"));

    // The CRM's feed: here the sample events, in the order they happened.
    const std::vector<incentives::event> feed = io::read_events_csv(dir + "/data/events.csv");
    const std::size_t half = feed.size() / 2;

    // The integration: events arrive one at a time (a deal closed, a return booked)...
    incentives::engine live(program, catalog);
    for (std::size_t i = 0; i < half; ++i) live.add(std::span(&feed[i], 1));

    // ...the service saves its state and stops; on restart it restores the state...
    const std::string saved = live.snapshot();
    fmt::print("{} of {} events added one by one; state saved ({} bytes), service restarted\n", half, feed.size(),
               saved.size());
    incentives::engine restarted = incentives::engine::restore(program, catalog, saved);

    // ...and continues, now in small batches of up to 7 events.
    for (std::size_t i = half; i < feed.size(); i += 7)
        restarted.add(std::span(feed).subspan(i, std::min<std::size_t>(7, feed.size() - i)));
    const incentives::result incremental = restarted.run();

    // The same events in one batch, on two threads, for comparison.
    incentives::engine batch(program, catalog);
    batch.add(feed, 2);
    const incentives::result whole = batch.run();

    print_statement(program, incremental, partner);
    if (incremental != whole) {
        fmt::print(stderr, "error: the incremental result differs from the single batch run\n");
        return 1;
    }
    fmt::print("\nIncremental result = single batch result: {} lines, {} {} in all.\n", whole.lines.size(), whole.total(),
               program.currency_.code());
    return 0;
} catch (const std::exception& e) {
    // incentives::error::what() is "[code] message".
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
}
