// The library's C++ API in the peer comparison (bench/peers/run.py): reads the program and the CSV
// files into memory (untimed: "load"), then times the three steps an embedding application pays
// for — encode (check and dictionary-encode the rows), add (accumulate), run (payout lines) — and
// writes each partner's total over every line as `partner,total`.
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
#include <string>
#include <string_view>

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

    incentives::engine engine(std::move(program), std::move(catalog));
    const double heap_engine = heap_mib();
    t0 = clock_type::now();
    incentives::event_batch batch = engine.encode(events);
    const double encode = seconds_since(t0);
    const double heap_batch = heap_mib();
    t0 = clock_type::now();
    engine.add(batch, o.threads);
    const double add = seconds_since(t0);
    const double heap_added = heap_mib();
    t0 = clock_type::now();
    incentives::result result = engine.run({.threads = o.threads});
    const double run = seconds_since(t0);

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
    const double millions = static_cast<double>(std::max<std::size_t>(events.size(), 1)) / 1e6;
    fmt::print("{{\"events\": {}, \"lines\": {}, \"load_s\": {:.6f}, \"encode_s\": {:.6f}, \"add_s\": {:.6f}, \"run_s\": {:.6f}, "
               "\"batch_mib_per_m\": {:.1f}, \"engine_mib_per_m\": {:.1f}}}\n",
               events.size(), result.lines.size(), load, encode, add, run, (heap_batch - heap_engine) / millions,
               (heap_added - heap_batch) / millions);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
