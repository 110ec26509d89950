// The library's C++ API in the peer comparison (bench/peers/run.py): reads the program and the CSV
// files into memory (untimed: "load"), then times the three steps an embedding application pays
// for — encode (check and dictionary-encode the rows), add (accumulate), run (payout lines) — and
// writes each partner's total over every line as `partner,total`.
//
// The same events are then given a second time as typed columns, as a database or Arrow hands them
// over (ids, kinds and partners as Arrow utf8 offsets into one buffer, dates as days, quantities and
// amounts as int64 at a declared scale; built untimed: "columns_load_s"), and one engine times
// encode + add + run from them ("columns_s"): the library from columns, against a query alone.
//
//     incentives_peer --program P.yaml --events E.csv --partners PA.csv --products PR.csv
//                     [--threads N] [--out TOTALS.csv]
//
// The last line on stdout is the timing as JSON: {"events": n, "load_s": .., "encode_s": .., ...}.
#include <incentives/format.hpp>
#include <incentives/incentives.hpp>
#include <incentives/io/csv.hpp>
#include <incentives/io/yaml.hpp>

#include <fmt/format.h>

#include "../process_memory.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iterator>
#include <stdexcept>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

/// Bytes the heap holds now: for the memory the batch and the engine's state take.
double heap_mib() { return static_cast<double>(incentives::bench::heap_bytes()) / (1024.0 * 1024.0); }

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

struct options {
    std::string program, events, partners, products, out;
    unsigned threads = 1;
};

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (i + 1 >= argc) throw std::invalid_argument(fmt::format("{} needs a value", a));
        std::string v = argv[++i];
        if (a == "--program") o.program = v;
        else if (a == "--events") o.events = v;
        else if (a == "--partners") o.partners = v;
        else if (a == "--products") o.products = v;
        else if (a == "--out") o.out = v;
        else if (a == "--threads") o.threads = static_cast<unsigned>(std::stoul(v));
        else throw std::invalid_argument(fmt::format("unknown option {}", a));
    }
    if (o.program.empty() || o.events.empty() || o.partners.empty())
        throw std::invalid_argument("usage: incentives_peer --program P --events E --partners PA [--products PR] [--threads N] [--out F]");
    return o;
}

/// Events as typed columns: text as Arrow utf8 (offsets into one buffer), dates as days, numbers as
/// int64 at a declared scale (quantities whole, amounts at the program's places).
struct typed_columns {
    struct text {
        std::string bytes;
        std::vector<std::int32_t> offsets{0};
        void add(std::string_view s) {
            bytes.append(s);
            offsets.push_back(static_cast<std::int32_t>(bytes.size()));
        }
    };
    text id, kind, partner, sku, reference;
    std::vector<std::int32_t> days;
    std::vector<std::int64_t> quantity, amount;
    incentives::event_columns columns;

    typed_columns(const std::vector<incentives::event>& events, int places) {
        const std::size_t n = events.size();
        for (auto* t : {&id, &kind, &partner, &sku, &reference}) t->offsets.reserve(n + 1);
        days.reserve(n);
        quantity.reserve(n);
        amount.reserve(n);
        for (const auto& e : events) {
            id.add(e.id);
            kind.add(e.kind);
            partner.add(e.partner);
            sku.add(e.sku);
            reference.add(e.reference);
            days.push_back(e.on.days());
            quantity.push_back(static_cast<std::int64_t>(e.quantity.rescale(0, incentives::rounding_mode::unnecessary).units()));
            amount.push_back(static_cast<std::int64_t>(e.amount.rescale(places, incentives::rounding_mode::unnecessary).units()));
        }
        auto view = [n](const text& t) { return incentives::text_column::arrow(t.bytes.data(), t.offsets.data(), n); };
        columns.rows = n;
        columns.id = view(id);
        columns.kind = view(kind);
        columns.partner = view(partner);
        columns.sku = view(sku);
        columns.reference = view(reference);
        columns.on = incentives::date_column::days(days);
        columns.quantity = incentives::number_column::units(quantity, 0);
        columns.amount = incentives::number_column::units(amount, places);
    }
};

}  // namespace

int main(int argc, char** argv) try {
    namespace io = incentives::io;
    const options o = parse(argc, argv);

    auto t0 = clock_type::now();
    incentives::program program = io::read_program_file(o.program);
    incentives::catalog catalog(io::read_partners_csv(o.partners), {},
                                o.products.empty() ? std::vector<incentives::product>{} : io::read_products_csv(o.products));
    std::vector<incentives::event> events = io::read_events_csv(o.events);
    const double load = seconds_since(t0);

    auto engine = std::make_unique<incentives::engine>(std::move(program), std::move(catalog));
    const double heap_engine = heap_mib();
    t0 = clock_type::now();
    incentives::event_batch batch = engine->encode(events);
    const double encode = seconds_since(t0);
    const double heap_batch = heap_mib();
    t0 = clock_type::now();
    engine->add(batch, o.threads);
    const double add = seconds_since(t0);
    const double heap_added = heap_mib();
    t0 = clock_type::now();
    incentives::result result = engine->run({.threads = o.threads});
    const double run = seconds_since(t0);

    // From typed columns: a fresh engine, the same program and reference data.
    t0 = clock_type::now();
    typed_columns typed(events, engine->definition().amount_scale());
    // The rows, the batch and the first engine are not needed any more: freed, so that the columns'
    // run does not pay for their memory (page faults cost more on a fuller machine).
    events = {};
    batch = {};
    incentives::program program_copy = engine->definition();
    incentives::catalog catalog_copy = engine->reference_data();
    engine.reset();
    const double columns_load = seconds_since(t0);
    incentives::engine from_columns(std::move(program_copy), std::move(catalog_copy));
    t0 = clock_type::now();
    from_columns.add(typed.columns, o.threads);
    incentives::result columns_result = from_columns.run({.threads = o.threads});
    const double columns = seconds_since(t0);
    if (columns_result.total() != result.total())
        throw std::runtime_error(fmt::format("the columns' total {} differs from the rows' {}", columns_result.total(), result.total()));

    std::map<std::string, incentives::decimal> totals;
    for (const auto& s : result.statements) totals[s.partner] += s.amount;
    if (!o.out.empty()) {
        std::string text = "partner,total\n";
        for (const auto& [partner, total] : totals) fmt::format_to(std::back_inserter(text), "{},{}\n", partner, total);
        std::FILE* f = std::fopen(o.out.c_str(), "wb");
        if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fclose(f) != 0)
            throw std::runtime_error("cannot write " + o.out);
    }
    // Memory per million events: the encoded batch, and what add() kept in the engine (id registry,
    // sale records, accumulator growth).
    const double millions = static_cast<double>(std::max<std::size_t>(typed.columns.rows, 1)) / 1e6;
    fmt::print("{{\"events\": {}, \"lines\": {}, \"load_s\": {:.6f}, \"encode_s\": {:.6f}, \"add_s\": {:.6f}, \"run_s\": {:.6f}, "
               "\"columns_load_s\": {:.6f}, \"columns_s\": {:.6f}, "
               "\"batch_mib_per_m\": {:.1f}, \"engine_mib_per_m\": {:.1f}}}\n",
               typed.columns.rows, result.lines.size(), load, encode, add, run, columns_load, columns,
               (heap_batch - heap_engine) / millions, (heap_added - heap_batch) / millions);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
