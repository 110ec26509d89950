// The incentives command line: run, explain and validate programs over CSV data, generate synthetic
// data sets, and a demo on the bundled example program and sample data. See docs/cli.md.
//
// Exit statuses: 0 success; 1 bad input data, a file that cannot be read or written, a calculation
// that cannot be exact; 2 a program that cannot be read or is invalid; CLI11's own statuses (100 and
// above) for usage errors.
#include <incentives/format.hpp>
#include <incentives/engine/engine.hpp>
#include <incentives/engine/ledger.hpp>
#include <incentives/engine/restate.hpp>
#include <incentives/io/csv.hpp>
#include <incentives/io/yaml.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <cerrno>
#include <string>
#include <system_error>
#include <thread>

#include "event_chunks.hpp"
#include "generate.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "simulation.hpp"

namespace fs = std::filesystem;
using namespace incentives;
using namespace incentives::cli;

namespace {

using clock_type = std::chrono::steady_clock;

double since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

struct data_files {
    std::string events, partners, participants, products, plans;
};

struct timings {
    double program = 0, reference = 0, read = 0, encode = 0, accumulate = 0, run = 0, write = 0;
};

catalog load_catalog(const data_files& f) {
    return catalog(f.partners.empty() ? std::vector<partner>{} : io::read_partners_csv(f.partners),
                   f.participants.empty() ? std::vector<participant>{} : io::read_participants_csv(f.participants),
                   f.products.empty() ? std::vector<product>{} : io::read_products_csv(f.products),
                   f.plans.empty() ? std::vector<plan>{} : io::read_plans_csv(f.plans));
}

/// The size of the blocks the events CSV is read in (INCENTIVES_CHUNK_BYTES overrides it, for tests).
std::size_t chunk_bytes() {
    std::size_t n = std::size_t{8} << 20;
    if (const char* env = std::getenv("INCENTIVES_CHUNK_BYTES")) {
        std::uint64_t v = 0;
        if (leading_number(env, v) > 0 && v > 0) n = static_cast<std::size_t>(v);
    }
    return n;
}

/// An engine for the program over the reference data. Errors about a row of the reference data
/// ("participants row 3, field partner: ...") name its file.
engine make_engine(const program& p, const data_files& f, bool retain_ids, progress& prog, timings& t) {
    auto t0 = clock_type::now();
    std::size_t children = 0;
    for (const auto& r : p.rules) children += r.children.size();
    prog.phase(fmt::format("reading reference data, compiling {} rules", p.rules.size() + children));
    try {
        engine e(p, load_catalog(f), retain_ids);
        t.reference += since(t0);
        return e;
    } catch (const input_error& err) {
        std::string_view msg = message_of(err);
        for (const auto& [table, path] : {std::pair{"partners", &f.partners}, std::pair{"participants", &f.participants},
                                          std::pair{"products", &f.products}, std::pair{"plans", &f.plans}}) {
            std::string prefix = std::string(table) + " row ";
            if (!path->empty() && msg.substr(0, prefix.size()) == prefix)
                throw input_error(err.code(), *path + ": " + std::string(msg.substr(std::string_view(table).size() + 1)));
        }
        throw;
    }
}

/// Streams the events CSV into the engine chunk by chunk. Returns are held back and added after the
/// last chunk, so that a return may come before its sale anywhere in the file (the result does not
/// depend on the order events are added in); errors keep the file's row numbers.
void add_events(engine& e, const std::string& events, unsigned threads, progress& prog, timings& t) {
    event_chunks src(events, chunk_bytes());
    prog.phase("reading and adding " + fs::path(events).filename().string(), src.size(), true);
    // With several threads, one parses the CSV ahead while the others encode and accumulate.
    const unsigned add_threads = threads > 1 ? threads - 1 : 1;
    std::uint64_t added = 0;
    io::held_rows returns;  // every return of the file, as text, added last
    auto add = [&](const event_columns& columns) {
        auto t1 = clock_type::now();
        event_batch b = e.encode(columns);
        t.encode += since(t1);
        auto t2 = clock_type::now();
        e.add(b, add_threads);
        t.accumulate += since(t2);
        added += b.size();
    };
    for_each_chunk(
        src, threads > 1,
        [&](event_chunk& c) {
            add(c.table.columns());
            io::held_rows& held = c.table.held_returns();
            returns.text.append(held.text);
            returns.row_numbers.insert(returns.row_numbers.end(), held.row_numbers.begin(), held.row_numbers.end());
            returns.lines.insert(returns.lines.end(), held.lines.begin(), held.lines.end());
            c.table = io::event_table();  // the chunk's memory goes back now
            prog.set(c.bytes_done);
            prog.set_count(added, "events");
        },
        t.read);
    if (!returns.row_numbers.empty()) {
        io::table_options options;
        options.row_numbers = std::move(returns.row_numbers);
        options.lines = std::move(returns.lines);
        add(io::parse_event_table(src.header() + returns.text, src.path(), std::move(options)).columns());
    }
    prog.set_count(added, "events");
}

void print_timings(const timings& t, double total, std::uint64_t events) {
    std::fflush(stdout);
    fmt::print(stderr,
               "timings: program {:.3f} s, reference data {:.3f} s, read events {:.3f} s, encode {:.3f} s, accumulate {:.3f} s, "
               "run {:.3f} s, write {:.3f} s; total {:.3f} s for {} events\n",
               t.program, t.reference, t.read, t.encode, t.accumulate, t.run, t.write, total, events);
}

/// Standard output, flushed: a summary that could not be written (a full disk, a closed pipe) is an
/// error, not exit status 0.
int stdout_written() {
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0)
        throw input_error("incentives.output.file", std::string("standard output: cannot write: ") +
                                                        std::generic_category().message(errno != 0 ? errno : EIO));
    return 0;
}

/// The file a path names, for comparing paths: the same file written twice ("x.csv" and "./x.csv",
/// a symbolic link) or an input overwritten by an output are refused before any work.
std::string file_identity(const std::string& path) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
    return ec ? path : p.string();
}

void check_outputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                   const std::vector<std::pair<std::string, std::string>>& inputs) {
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const auto& [flag, path] = outputs[i];
        if (path == "-") {
            for (std::size_t j = i + 1; j < outputs.size(); ++j)
                if (outputs[j].second == "-")
                    throw input_error("incentives.output.file", "standard output is named for two outputs (" + flag + " and " +
                                                                    outputs[j].first + "; --deltas is standard output unless named)");
            continue;
        }
        const std::string id = file_identity(path);
        for (std::size_t j = i + 1; j < outputs.size(); ++j)
            if (outputs[j].second != "-" && file_identity(outputs[j].second) == id)
                throw input_error("incentives.output.file", path + ": named for two outputs (" + flag + " and " + outputs[j].first +
                                                                (outputs[j].second != path ? " as " + outputs[j].second : "") + ")");
        for (const auto& [in_flag, in_path] : inputs)
            if (file_identity(in_path) == id)
                throw input_error("incentives.output.file", path + ": " + flag + " names an input of this run (" + in_flag +
                                                                "); write the output to another file");
    }
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
    app.set_version_flag("--version", std::string("incentives ") + INCENTIVES_VERSION);
    app.require_subcommand(1);
    app.footer("Exit status: 0 success, 1 bad data or a file that cannot be read or written, 2 a program that cannot be "
               "read or is invalid. See docs/cli.md.");
    data_files files;
    std::string program_path, out_path, traces_path, statements_path, paid_path, deltas_path, ledger_path, balances_path, as_of,
        deals_path, referrals_path, points_path, lots_path, points_balances_path, levels_path, beneficiary, event_id,
        contests_path, contest_id, kpis_path, roi_path;
    bool history = false;
    // Every core by default: the result does not depend on the thread count, only the time does.
    unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 256u);
    bool show_timings = false;
    auto add_data = [&](CLI::App* c) {
        c->add_option("PROGRAM", program_path, "the program (YAML)")->required();
        c->add_option("--events", files.events, "events CSV")->required();
        c->add_option("--partners", files.partners, "partners CSV");
        c->add_option("--participants", files.participants, "participants CSV");
        c->add_option("--products", files.products, "products CSV");
        c->add_option("--plans", files.plans, "plans (targets) CSV");
        c->add_option("--threads", threads, "threads (default: every core): with N >= 2, one parses the events CSV "
                                            "ahead while N - 1 add the previous chunk (results are identical for any N)")
            ->check(CLI::Range(1u, 256u))
            ->capture_default_str();
        c->add_flag("--timings", show_timings, "print the time of each phase on stderr");
    };
    auto* run = app.add_subcommand("run", "run a program over events; print a summary or write payouts");
    add_data(run);
    run->add_option("--out", out_path, "write the payout lines to this CSV (\"-\": standard output) instead of printing a summary");
    run->add_option("--traces", traces_path, "write one trace row per payout line to this CSV");
    run->add_option("--statements", statements_path, "write the statement totals (beneficiary x period) to this CSV");
    run->add_option("--paid", paid_path,
                    "what was already paid (CSV: rule,beneficiary,period,amount; a payouts CSV of an earlier run reads as "
                    "is): write delta lines, what the run pays now minus what was paid, per rule, beneficiary and period");
    run->add_option("--deltas", deltas_path, "write the delta lines to this CSV (default with --paid: standard output)")
        ->needs("--paid");
    run->add_option("--ledger", ledger_path, "write the fund ledger (every entry, in replay order) to this CSV");
    run->add_option("--balances", balances_path, "write the fund balances as of --as-of to this CSV");
    run->add_option("--deals", deals_path, "write the registered deals' steps (deal_registration) to this CSV");
    run->add_option("--referrals", referrals_path,
                    "write the referral programs' steps (attributions and bounties: earned, released, cancelled, clawed back) to this CSV");
    run->add_option("--points", points_path,
                    "write the points' ledger (earned, redeemed, reinstated, reversed, expired, refused: every entry) to this CSV");
    run->add_option("--lots", lots_path, "write every points lot as the run leaves it (where each point went) to this CSV");
    run->add_option("--points-balances", points_balances_path, "write each points holder's balance as of --as-of to this CSV");
    run->add_option("--levels", levels_path, "write the status level changes (up at once, down at a review) to this CSV");
    run->add_option("--kpis", kpis_path, "write the KPI plan's report (per KPI and month) to this CSV");
    run->add_option("--roi", roi_path, "write the engagement and ROI report (per segment) to this CSV");
    run->add_option("--contests", contests_path, "write every contest's final standings (league, place, score, prize) to this CSV");
    run->add_option("--as-of", as_of, "the day of --balances and --points-balances (YYYY-MM-DD; default: the program's last day)");
    auto* explain = app.add_subcommand("explain", "show the trace of every line of one beneficiary, and its statement");
    add_data(explain);
    auto* explain_who = explain->add_option("--beneficiary", beneficiary, "partner or participant id");
    auto* explain_event = explain->add_option("--event", event_id,
                                              "an event id: its story in the fund ledger, the registered deals, the referrals and "
                                              "the points (a claim, a request, a registration, a conversion, a redemption)");
    explain_who->excludes(explain_event);
    auto* board_cmd = app.add_subcommand("leaderboard", "print a contest's boards: place, score, gaps to the place ahead and to the "
                                                        "prize cut, prizes (CSV with --out)");
    add_data(board_cmd);
    board_cmd->add_option("--contest", contest_id, "the contest's id (default: the program's only contest)");
    board_cmd->add_option("--as-of", as_of, "the board as of this day: the score's periods ended by then (YYYY-MM-DD; default: the final board)");
    board_cmd->add_flag("--history", history, "every board at the end of each of the score's periods (the rank history)");
    board_cmd->add_option("--out", out_path, "write the rows to this CSV (\"-\": standard output) instead of printing the boards");
    auto* kpi_cmd = app.add_subcommand("kpi", "print the KPI plan's report: per KPI and month, actual, target, year to date, "
                                              "attainment, traffic light, funnel ratio (CSV with --out)");
    add_data(kpi_cmd);
    kpi_cmd->add_option("--out", out_path, "write the rows to this CSV (\"-\": standard output) instead of printing the report");
    std::string assumptions_path, history_path, budget_text;
    std::uint64_t scenarios = 0, seed = 0;
    auto* sim_cmd = app.add_subcommand("simulate", "simulate what a program will cost before it launches: P50, P90, the chance of "
                                                   "going over a budget, winners, tax (docs/simulation.md)");
    sim_cmd->add_option("PROGRAM", program_path, "the program (YAML)")->required();
    sim_cmd->add_option("--history", history_path, "last year's events CSV (not needed with model: attainment)");
    sim_cmd->add_option("--assumptions", assumptions_path, "the assumptions (YAML)")->required();
    sim_cmd->add_option("--partners", files.partners, "partners CSV");
    sim_cmd->add_option("--participants", files.participants, "participants CSV");
    sim_cmd->add_option("--products", files.products, "products CSV");
    sim_cmd->add_option("--plans", files.plans, "plans (targets) CSV");
    auto* sim_scenarios = sim_cmd->add_option("--scenarios", scenarios, "number of scenarios (default: the assumptions', else 1000)")
                              ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}));
    auto* sim_seed = sim_cmd->add_option("--seed", seed, "the seed of every draw (default: the assumptions', else the program's)");
    sim_cmd->add_option("--budget", budget_text, "the budget the cost is compared with (an amount in the program's currency)");
    sim_cmd->add_option("--out", out_path, "write summary.csv, by_rule.csv, winners.csv, sensitivity.csv, schedule.csv and "
                                           "totals.csv to this directory (created if missing) instead of printing");
    sim_cmd->add_option("--threads", threads, "threads (default: every core; results are identical for any count)")
        ->check(CLI::Range(1u, 256u))
        ->capture_default_str();
    auto* validate_cmd = app.add_subcommand("validate", "check a program; exit status 2 when it is invalid");
    validate_cmd->add_option("PROGRAM", program_path, "the program (YAML)")->required();
    auto* demo = app.add_subcommand("demo", "run the bundled example program on the bundled sample data");
    demo->add_option("--threads", threads, "threads, as for run")->check(CLI::Range(1u, 256u));
    generate_options gen;
    auto* generate_cmd = app.add_subcommand("generate", "write a synthetic data set for examples/programs/reseller.yaml");
    generate_cmd->add_option("--events", gen.events, "number of events (sales and about 5% returns)")->required();
    generate_cmd->add_option("--partners", gen.partners, "number of partners")->required()->check(CLI::Range(1u, 99999999u));
    generate_cmd->add_option("--participants-per-partner", gen.participants_per_partner,
                             "people per partner: a manager, then specialists")
        ->capture_default_str()
        ->check(CLI::Range(0u, 1000u));
    generate_cmd->add_option("--products", gen.products, "number of products (the first 7 are those of examples/data)")
        ->capture_default_str()
        ->check(CLI::Range(1u, 9999u));
    generate_cmd->add_option("--seed", gen.seed, "random seed: the same options give the same files")->capture_default_str();
    generate_cmd->add_option("--year", gen.year, "the program year (events span it and the year before)")
        ->capture_default_str()
        ->check(CLI::Range(1971, 9999));
    generate_cmd->add_option("--out", gen.out, "output directory (created if missing)")->required();
    generate_cmd->add_flag("--timings", show_timings, "print the time taken on stderr");

    CLI11_PARSE(app, argc, argv);

    progress prog;
    const auto start = clock_type::now();
    auto report = [&](const error& e) {
        prog.stop();
        std::fflush(stdout);
        fmt::print(stderr, "error: {}\n", e.what());
    };
    try {
        if (*validate_cmd) {
            auto p = io::read_program_file(program_path);
            std::size_t children = 0;
            for (const auto& r : p.rules) children += r.children.size();
            fmt::print("{}: program \"{}\" is valid ({} rules{}, {} {} to {})\n", program_path, p.name, p.rules.size(),
                       children ? fmt::format(" and {} children", children) : "", p.currency_.code(), p.cal.from().to_string(),
                       p.cal.to().to_string());
            return stdout_written();
        }
        if (*generate_cmd) {
            auto s = generate(gen, prog);
            prog.stop();
            fmt::print("{}: events.csv ({} events: {} sales, {} returns; {} in {}), partners.csv ({}), participants.csv ({}), "
                       "products.csv ({}), plans.csv ({})\n",
                       gen.out, s.sales + s.returns, s.sales, s.returns, s.prior_year, gen.year - 1, gen.partners, s.participants,
                       s.products, s.plans);
            std::fflush(stdout);
            if (show_timings) fmt::print(stderr, "timings: generate {:.3f} s for {} events\n", since(start), gen.events);
            return stdout_written();
        }
        if (*demo) {
            fs::path ex = examples_dir();
            program_path = (ex / "programs" / "reseller.yaml").string();
            fs::path data = ex / "data";
            files = {(data / "events.csv").string(), (data / "partners.csv").string(), (data / "participants.csv").string(),
                     (data / "products.csv").string(), (data / "plans.csv").string()};
            auto p = io::read_program_file(program_path);
            fmt::print("Running {} over {}\n", program_path, files.events);
            timings t;
            engine e = make_engine(p, files, false, prog, t);
            add_events(e, files.events, threads, prog, t);
            auto r = e.run({false, false, threads});
            prog.stop();
            warn_unknown_kinds(r);
            print_statements(p, e.reference_data(), r);
            fmt::print("\n");
            print_summary(p, r);
            return stdout_written();
        }
        if (*sim_cmd) {
            auto p = io::read_program_file(program_path);
            const auto f = io::read_assumptions_file(assumptions_path);
            simulation_options o;
            o.scenarios = *sim_scenarios ? scenarios : f.scenarios.value_or(1000);
            o.seed = *sim_seed ? seed : f.seed.value_or(p.seed.value_or(0));
            o.budget = f.budget;
            if (!budget_text.empty()) {
                try {
                    o.budget = decimal::parse(budget_text);
                } catch (const error&) {
                    throw config_error("incentives.config.budget", "--budget: expected an amount such as 250000, got \"" + budget_text + "\"");
                }
            }
            o.threads = threads;
            timings t;
            engine e = make_engine(p, files, false, prog, t);
            if (history_path.empty() && f.assumptions.model != simulation_assumptions::model_t::attainment)
                throw config_error("incentives.config.usage", "the " + std::string(f.assumptions.model == simulation_assumptions::model_t::bootstrap ? "bootstrap" : "lognormal") +
                                                                  " model draws from last year's events: give --history EVENTS.csv");
            prog.phase(history_path.empty() ? std::string("reading") : "reading " + history_path);
            const io::event_table last_year = history_path.empty() ? io::event_table() : io::read_event_table(history_path);
            prog.phase(fmt::format("simulating {} scenarios", o.scenarios), o.scenarios);
            o.progress = [&prog](std::uint64_t done, std::uint64_t) { prog.set(done); };
            const auto r = simulate(e, last_year.columns(), f.assumptions, o);
            prog.stop();
            if (!out_path.empty()) {
                std::error_code ec;
                fs::create_directories(out_path, ec);
                if (ec) throw input_error("incentives.output.file", out_path + ": cannot create the directory: " + ec.message());
                output_set outs;
                write_simulation(outs, out_path, r);
                outs.commit();
                fmt::print("{}: {} scenarios, seed {}: P50 {} P90 {} {}; tables in {}\n", p.name, r.scenarios, r.seed, r.cost().p50,
                           r.cost().p90, r.currency, out_path);
            } else {
                print_simulation(p, r);
            }
            if (show_timings) fmt::print(stderr, "timings: simulate {:.3f} s for {} scenarios\n", since(start), o.scenarios);
            return stdout_written();
        }
        if (*run || *board_cmd || *kpi_cmd) {  // before any work: outputs must be distinct files, and none may be an input
            if (!paid_path.empty() && deltas_path.empty()) deltas_path = "-";
            std::vector<std::pair<std::string, std::string>> outputs, inputs;
            for (auto [flag, path] : {std::pair{"--out", &out_path}, {"--traces", &traces_path}, {"--statements", &statements_path},
                                      {"--deltas", &deltas_path}, {"--ledger", &ledger_path}, {"--balances", &balances_path},
                                      {"--deals", &deals_path}, {"--referrals", &referrals_path}, {"--points", &points_path},
                                      {"--lots", &lots_path}, {"--points-balances", &points_balances_path}, {"--levels", &levels_path},
                                      {"--contests", &contests_path}, {"--kpis", &kpis_path}, {"--roi", &roi_path}})
                if (!path->empty()) outputs.emplace_back(flag, *path);
            for (auto [flag, path] : {std::pair{"PROGRAM", &program_path}, {"--events", &files.events}, {"--partners", &files.partners},
                                      {"--participants", &files.participants}, {"--products", &files.products},
                                      {"--plans", &files.plans}, {"--paid", &paid_path}})
                if (!path->empty()) inputs.emplace_back(flag, *path);
            check_outputs(outputs, inputs);
        }
        if (*explain && beneficiary.empty() && event_id.empty())
            throw config_error("incentives.config.usage", "explain needs --beneficiary ID (a partner's or participant's lines) or --event ID "
                                                          "(a claim's, request's, registered deal's, conversion's or redemption's story)");
        std::optional<date> balances_day;
        if (!as_of.empty() && balances_path.empty() && points_balances_path.empty() && !*board_cmd)
            throw config_error("incentives.config.usage", "--as-of is the day of --balances or --points-balances: give one of them");
        if (!as_of.empty()) {
            try {
                balances_day = date::parse(as_of);
            } catch (const error&) {
                throw config_error("incentives.config.as_of", "--as-of: expected a date YYYY-MM-DD, got \"" + as_of + "\"");
            }
        }
        timings t;
        auto t0 = clock_type::now();
        {
            std::error_code size_error;
            const auto bytes = fs::file_size(program_path, size_error);
            prog.phase(size_error ? "reading " + program_path
                                  : fmt::format("reading {} ({:.1f} MB)", program_path, static_cast<double>(bytes) / 1e6));
        }
        auto p = io::read_program_file(program_path);
        t.program = since(t0);
        const bool traces = *explain || !traces_path.empty();
        engine e = make_engine(p, files, traces, prog, t);
        if (*explain && event_id.empty() && beneficiary != "program" && !e.reference_data().partner_index(beneficiary) &&
            !e.reference_data().participant_index(beneficiary)) {
            std::string hint = e.reference_data().suggest_partner(beneficiary);
            if (hint.empty()) hint = e.reference_data().suggest_participant(beneficiary);
            throw input_error("incentives.input.unknown_beneficiary",
                              "--beneficiary: \"" + beneficiary + "\" is neither a partner nor a participant" + hint);
        }
        std::vector<paid_line> paid;
        if (!paid_path.empty()) paid = io::read_paid_csv(paid_path);  // before the events: a bad file fails fast
        add_events(e, files.events, threads, prog, t);
        prog.phase(fmt::format("running the program: {} rules", p.rules.size()));
        t0 = clock_type::now();
        auto r = e.run({traces, traces, threads});
        t.run = since(t0);
        prog.stop();
        warn_unknown_kinds(r);
        if (*run) {
            t0 = clock_type::now();
            prog.phase(fmt::format("writing {} lines", r.lines.size()));
            output_set outs;
            write_run_files(outs,
                            {out_path, traces_path, statements_path, ledger_path, balances_path, deals_path, referrals_path, points_path,
                             lots_path, points_balances_path, levels_path, contests_path, kpis_path, roi_path},
                            r, balances_day.value_or(p.cal.to()));
            if (!paid_path.empty()) {
                try {
                    write_deltas(outs.open(deltas_path), restate(p, e.reference_data(), r, paid));
                } catch (const input_error& err) {  // "paid row N, field ...": in the paid file
                    throw input_error(err.code(), paid_path + ": " + std::string(message_of(err)));
                }
            }
            prog.stop();
            outs.commit();
            t.write = since(t0);
            if (out_path.empty() && deltas_path != "-") print_summary(p, r);
        } else if (*kpi_cmd) {
            if (!p.kpis && !p.roi) throw config_error("incentives.config.usage", "the program declares no KPI plan (kpis:) and no ROI report (roi:)");
            if (!out_path.empty()) {
                output_set outs;
                if (p.kpis) write_kpis(outs.open(out_path), r.kpis);
                else write_roi(outs.open(out_path), r.roi);
                outs.commit();
            } else {
                print_kpis(r.kpis);
                if (p.roi) print_roi(r.roi);
            }
        } else if (*board_cmd) {
            if (contest_id.empty()) {
                if (p.contests.size() != 1)
                    throw config_error("incentives.config.usage", p.contests.empty() ? "the program declares no contest"
                                                                                     : "the program declares several contests: name one with --contest");
                contest_id = p.contests.front().id;
            }
            if (history && balances_day) throw config_error("incentives.config.usage", "--history shows every board: drop --as-of");
            const auto rows = history ? e.rank_history(r, contest_id) : e.leaderboard(r, contest_id, balances_day);
            if (!out_path.empty()) {
                output_set outs;
                write_standings(outs.open(out_path), rows);
                outs.commit();
            } else {
                print_board(rows);
            }
        } else {
            prog.stop();
            if (!event_id.empty()) {
                if (!print_event_story(r, event_id))
                    throw input_error("incentives.input.unknown_event",
                                      "--event: no fund entry, deal, referral or points step is event \"" + event_id +
                                          "\" or names it (explain --event tells the story of a claim, a request, an allocation, a "
                                          "registered deal, a conversion or a redemption)");
            } else {
                print_explanation(p, program_path, e.reference_data(), r, beneficiary);
            }
        }
        if (show_timings) print_timings(t, since(start), r.events_seen);
        return stdout_written();
    } catch (const config_error& e) {
        report(e);
        return 2;
    } catch (const validation_error& e) {
        report(e);
        return 2;
    } catch (const error& e) {
        report(e);
        return 1;
    } catch (const std::system_error& e) {  // fmt::print to a closed or full standard output
        prog.stop();
        fmt::print(stderr, "error: [incentives.output.file] standard output: cannot write: {}\n", e.code().message());
        return 1;
    } catch (const std::bad_alloc&) {
        prog.stop();
        fmt::print(stderr, "error: out of memory\n");
        return 1;
    } catch (const std::exception& e) {
        prog.stop();
        fmt::print(stderr, "error: {}\n", e.what());
        return 1;
    }
}
