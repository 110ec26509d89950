// The incentives command line: run, explain and validate programs over CSV data, and a demo on the
// bundled example program and sample data.
#include <incentives/engine/engine.hpp>
#include <incentives/io/csv.hpp>
#include <incentives/io/yaml.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace fs = std::filesystem;
using namespace incentives;

namespace {

struct data_files {
    std::string events, partners, participants, products, plans;
};

catalog load_catalog(const data_files& f) {
    return catalog(f.partners.empty() ? std::vector<partner>{} : io::read_partners_csv(f.partners),
                   f.participants.empty() ? std::vector<participant>{} : io::read_participants_csv(f.participants),
                   f.products.empty() ? std::vector<product>{} : io::read_products_csv(f.products),
                   f.plans.empty() ? std::vector<plan>{} : io::read_plans_csv(f.plans));
}

result run_program(const program& p, const data_files& f, bool traces, unsigned threads) {
    engine e(p, load_catalog(f), traces);
    e.add(io::read_events_csv(f.events), threads);
    return e.run({traces, traces, threads});
}

/// Writes to `path` through a temporary file renamed at the end, so an error never leaves a
/// half-written output behind.
template <class Fill>
void write_atomically(const std::string& path, Fill fill) {
    std::string tmp = path + ".partial";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw input_error("incentives.input.file", "cannot write " + path);
        try {
            fill(out);
        } catch (...) {
            out.close();
            std::remove(tmp.c_str());
            throw;
        }
    }
    fs::rename(tmp, path);
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

void write_payouts(std::ostream& out, const result& r) {
    out << "rule,beneficiary_type,beneficiary,partner,period,kind,currency,amount,reverses\n";
    for (const auto& l : r.lines)
        out << fmt::format("{},{},{},{},{},{},{},{},{}\n", csv_field(l.rule), rules::to_string(l.beneficiary_type),
                           csv_field(l.beneficiary), csv_field(l.partner), l.period, to_string(l.kind), l.currency,
                           l.amount, l.why ? csv_field(l.why->reverses) : "");
}

void print_trace(const payout_line& l) {
    fmt::print("  {:<16} {:<10} {:<9} {:>14} {}\n", l.rule, l.period, to_string(l.kind), l.amount.to_string(), l.currency);
    if (!l.why) return;
    const auto& t = *l.why;
    fmt::print("      measure {} = {}{}\n", t.measure, t.base,
               t.baseline ? " (baseline " + t.baseline->to_string() + ")" : std::string());
    if (!t.tier.empty()) fmt::print("      tier {}\n", t.tier);
    if (t.rate) fmt::print("      rate {} -> {}\n", *t.rate, t.amount_before);
    for (const auto& s : t.steps) fmt::print("      {}: {} -> {}\n", s.what, s.before, s.after);
    if (!t.note.empty()) fmt::print("      note: {}\n", t.note);
    fmt::print("      {} contributing event(s){}\n", t.events,
               t.event_ids.empty() ? std::string() : ": " + fmt::format("{}", fmt::join(t.event_ids, ", ")));
}

/// One statement per partner: its lines and the lines of its people, with totals.
void print_statements(const program& p, const result& r) {
    std::map<std::string, std::vector<const payout_line*>> by_partner;
    for (const auto& l : r.lines) by_partner[l.partner.empty() ? "(program)" : l.partner].push_back(&l);
    for (const auto& [partner_id, lines] : by_partner) {
        fmt::print("\nStatement for {} — {} ({})\n", partner_id, p.name, p.currency_.code());
        fmt::print("  {:<20} {:<12} {:<10} {:<9} {:>14}\n", "rule", "beneficiary", "period", "kind", "amount");
        decimal total;
        for (const auto* l : lines) {
            fmt::print("  {:<20} {:<12} {:<10} {:<9} {:>14}\n", l->rule, l->beneficiary, l->period, to_string(l->kind),
                       l->amount.to_string());
            total += l->amount;
        }
        fmt::print("  {:<55} {:>14}\n", "total", total.to_string());
    }
}

void print_summary(const result& r) {
    std::map<std::pair<std::string, std::string>, decimal> by_rule_period;
    for (const auto& l : r.lines) by_rule_period[{l.rule, l.period}] += l.amount;
    fmt::print("{:<20} {:<10} {:>16}\n", "rule", "period", "amount");
    for (const auto& [k, v] : by_rule_period) fmt::print("{:<20} {:<10} {:>16}\n", k.first, k.second, v.to_string());
    fmt::print("{:<31} {:>16}\n", "total", r.total().to_string());
    fmt::print("{} events, {} payout lines, {} duplicates ignored\n", r.events_seen, r.lines.size(), r.duplicates_ignored);
}

fs::path examples_dir() {
    if (const char* env = std::getenv("INCENTIVES_EXAMPLES")) return env;
    for (fs::path p : {fs::path(INCENTIVES_SOURCE_EXAMPLES), fs::path(INCENTIVES_INSTALLED_EXAMPLES)})
        if (fs::exists(p / "programs" / "reseller.yaml")) return p;
    throw input_error("incentives.input.file", "cannot find the bundled examples; set INCENTIVES_EXAMPLES to the examples directory");
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"incentives: exact partner incentive programs — run, explain and validate them"};
    app.require_subcommand(1);
    data_files files;
    std::string program_path, out_path, beneficiary;
    unsigned threads = 1;
    auto add_data = [&](CLI::App* c) {
        c->add_option("PROGRAM", program_path, "the program (YAML)")->required()->check(CLI::ExistingFile);
        c->add_option("--events", files.events, "events CSV")->required()->check(CLI::ExistingFile);
        c->add_option("--partners", files.partners, "partners CSV")->check(CLI::ExistingFile);
        c->add_option("--participants", files.participants, "participants CSV")->check(CLI::ExistingFile);
        c->add_option("--products", files.products, "products CSV")->check(CLI::ExistingFile);
        c->add_option("--plans", files.plans, "plans CSV")->check(CLI::ExistingFile);
        c->add_option("--threads", threads, "threads for accumulation")->check(CLI::Range(1u, 256u));
    };
    auto* run = app.add_subcommand("run", "run a program over events; print a summary or write payouts");
    add_data(run);
    run->add_option("--out", out_path, "write payout lines to this CSV instead of printing a summary");
    auto* explain = app.add_subcommand("explain", "show the trace of every line of one beneficiary");
    add_data(explain);
    explain->add_option("--beneficiary", beneficiary, "partner or participant id")->required();
    auto* validate_cmd = app.add_subcommand("validate", "check a program; exit status 2 when it is invalid");
    validate_cmd->add_option("PROGRAM", program_path, "the program (YAML)")->required()->check(CLI::ExistingFile);
    auto* demo = app.add_subcommand("demo", "run the bundled example program on the bundled sample data");
    demo->add_option("--threads", threads, "threads for accumulation")->check(CLI::Range(1u, 256u));

    CLI11_PARSE(app, argc, argv);
    try {
        if (*validate_cmd) {
            auto p = io::read_program_file(program_path);
            fmt::print("{}: program \"{}\" is valid ({} rules)\n", program_path, p.name, p.rules.size());
            return 0;
        }
        if (*demo) {
            fs::path ex = examples_dir();
            program_path = (ex / "programs" / "reseller.yaml").string();
            fs::path data = ex / "data";
            files = {(data / "events.csv").string(), (data / "partners.csv").string(),
                     (data / "participants.csv").string(), (data / "products.csv").string(), (data / "plans.csv").string()};
            auto p = io::read_program_file(program_path);
            fmt::print("Running {} over {}\n", program_path, files.events);
            auto r = run_program(p, files, false, threads);
            print_statements(p, r);
            fmt::print("\n");
            print_summary(r);
            return 0;
        }
        auto p = io::read_program_file(program_path);
        if (*run) {
            auto r = run_program(p, files, false, threads);
            if (out_path.empty()) print_summary(r);
            else write_atomically(out_path, [&](std::ostream& o) { write_payouts(o, r); });
            return 0;
        }
        if (*explain) {
            auto r = run_program(p, files, true, threads);
            auto mine = r.for_beneficiary(beneficiary);
            if (mine.empty()) fmt::print("no payout lines for \"{}\"\n", beneficiary);
            for (const auto& l : mine) print_trace(l);
            return 0;
        }
    } catch (const config_error& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return 2;
    } catch (const validation_error& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return 2;
    } catch (const error& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return 1;
    }
    return 0;
}
