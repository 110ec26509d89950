// Golden cases: for every directory under tests/data/golden, a program (program.yaml), reference data
// and events (CSV), and the payout lines computed by hand (expected.csv, with the arithmetic in '#'
// comment lines). The engine's lines must equal the expected lines exactly, as a multiset of
// (rule, beneficiary, period, kind, amount), amounts compared as decimals (1400 == 1400.00).
// Also: the bundled example program runs over the bundled sample data.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <incentives/incentives.hpp>
#include <incentives/io/csv.hpp>
#include <incentives/io/yaml.hpp>

namespace fs = std::filesystem;

namespace {

struct golden_line {
    std::string rule, beneficiary, period, kind;
    incentives::decimal amount;

    [[nodiscard]] std::string text() const {
        return rule + "," + beneficiary + "," + period + "," + kind + "," + amount.to_string();
    }
    friend bool operator<(const golden_line& a, const golden_line& b) {
        return std::tie(a.rule, a.beneficiary, a.period, a.kind, a.amount) <
               std::tie(b.rule, b.beneficiary, b.period, b.kind, b.amount);
    }
    friend bool operator==(const golden_line& a, const golden_line& b) {
        return std::tie(a.rule, a.beneficiary, a.period, a.kind, a.amount) ==
               std::tie(b.rule, b.beneficiary, b.period, b.kind, b.amount);
    }
};

std::string trim(std::string s) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && blank(s.back())) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && blank(s[i])) ++i;
    return s.substr(i);
}

std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : line) {
        if (c == sep) {
            out.push_back(trim(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(trim(cur));
    return out;
}

/// expected.csv: a header, then rule,beneficiary,period,kind,amount; '#' lines and blank lines skipped.
std::vector<golden_line> read_expected(const fs::path& file) {
    std::ifstream in(file);
    REQUIRE_MESSAGE(in.good(), "cannot open " << file.string());
    std::vector<golden_line> out;
    std::string line;
    bool header = true;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        if (header) {
            header = false;
            REQUIRE_MESSAGE(line == "rule,beneficiary,period,kind,amount",
                            file.string() << ":" << number << ": unexpected header \"" << line << "\"");
            continue;
        }
        auto f = split(line, ',');
        REQUIRE_MESSAGE(f.size() == 5, file.string() << ":" << number << ": expected 5 fields in \"" << line << "\"");
        REQUIRE_MESSAGE((f[3] == "accrual" || f[3] == "clawback"),
                        file.string() << ":" << number << ": kind must be accrual or clawback, got \"" << f[3] << "\"");
        out.push_back({f[0], f[1], f[2], f[3], incentives::decimal::parse(f[4])});
    }
    return out;
}

template <class Read>
auto optional_csv(const fs::path& file, Read read) -> decltype(read(std::string())) {
    if (!fs::exists(file)) return {};
    return read(file.string());
}

incentives::catalog read_catalog(const fs::path& dir) {
    namespace io = incentives::io;
    return incentives::catalog(
        optional_csv(dir / "partners.csv", [](const std::string& p) { return io::read_partners_csv(p); }),
        optional_csv(dir / "participants.csv", [](const std::string& p) { return io::read_participants_csv(p); }),
        optional_csv(dir / "products.csv", [](const std::string& p) { return io::read_products_csv(p); }),
        optional_csv(dir / "plans.csv", [](const std::string& p) { return io::read_plans_csv(p); }));
}

incentives::result run_directory(const fs::path& dir, const fs::path& program_file) {
    auto prog = incentives::io::read_program_file(program_file.string());
    incentives::engine eng(std::move(prog), read_catalog(dir));
    auto events = optional_csv(dir / "events.csv", [](const std::string& p) { return incentives::io::read_events_csv(p); });
    eng.add(events);
    return eng.run();
}

std::vector<golden_line> lines_of(const incentives::result& r) {
    std::vector<golden_line> out;
    for (const auto& l : r.lines)
        out.push_back({l.rule, l.beneficiary, l.period, std::string(incentives::to_string(l.kind)), l.amount});
    return out;
}

std::vector<fs::path> golden_cases() {
    std::vector<fs::path> dirs;
    fs::path root = fs::path(INCENTIVES_TEST_DATA) / "golden";
    if (!fs::exists(root)) return dirs;
    for (const auto& entry : fs::directory_iterator(root))
        if (entry.is_directory() && fs::exists(entry.path() / "program.yaml")) dirs.push_back(entry.path());
    std::sort(dirs.begin(), dirs.end());
    return dirs;
}

}  // namespace

TEST_CASE("golden cases: the engine pays exactly the lines computed by hand") {
    auto cases = golden_cases();
    REQUIRE_MESSAGE(!cases.empty(), "no golden cases under " << INCENTIVES_TEST_DATA << "/golden");
    for (const auto& dir : cases) {
        const std::string name = dir.filename().string();
        SUBCASE(name.c_str()) {
            CAPTURE(name);
            auto expected = read_expected(dir / "expected.csv");
            REQUIRE_MESSAGE(!expected.empty(), name << ": expected.csv has no lines");
            std::vector<golden_line> actual;
            try {
                actual = lines_of(run_directory(dir, dir / "program.yaml"));
            } catch (const std::exception& e) {
                FAIL_CHECK(name << ": the run failed: " << e.what());
                continue;
            }
            std::sort(expected.begin(), expected.end());
            std::sort(actual.begin(), actual.end());
            std::vector<golden_line> missing, unexpected;
            std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(), std::back_inserter(missing));
            std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(), std::back_inserter(unexpected));
            std::ostringstream diff;
            for (const auto& l : missing) diff << "\n  - expected, not paid: " << l.text();
            for (const auto& l : unexpected) diff << "\n  + paid, not expected: " << l.text();
            CHECK_MESSAGE((missing.empty() && unexpected.empty()),
                          name << ": " << missing.size() << " expected line(s) missing, " << unexpected.size()
                               << " unexpected line(s) (see " << (dir / "expected.csv").string() << ")" << diff.str());
            CHECK(actual.size() == expected.size());
        }
    }
}

TEST_CASE("golden cases: expected files are well formed and every case has its inputs") {
    for (const auto& dir : golden_cases()) {
        CAPTURE(dir.string());
        CHECK(fs::exists(dir / "expected.csv"));
        CHECK(fs::exists(dir / "events.csv"));
        CHECK(fs::exists(dir / "partners.csv"));
    }
}

TEST_CASE("golden: the bundled example program runs over the bundled sample data and pays") {
    const fs::path program = fs::path(INCENTIVES_TEST_DATA "/../../examples/programs/reseller.yaml");
    const fs::path data = fs::path(INCENTIVES_TEST_DATA "/../../examples/data");
    REQUIRE(fs::exists(program));
    REQUIRE(fs::exists(data / "events.csv"));
    incentives::result r;
    REQUIRE_NOTHROW(r = run_directory(data, program));
    CHECK(r.lines.size() > 0);
    CHECK(r.total().signum() > 0);
    CHECK(r.events_seen > 300);
    CHECK(r.events_outside_program > 0);  // the 2026 baseline

    // Every rule of the example pays something, and the clawback window bites at least once.
    std::vector<std::string> rules;
    bool clawback = false;
    for (const auto& l : r.lines) {
        if (l.amount.signum() > 0 && std::find(rules.begin(), rules.end(), l.rule) == rules.end()) rules.push_back(l.rule);
        if (l.kind == incentives::payout_line::kind_t::clawback) clawback = true;
        CHECK(l.currency == "EUR");
        CHECK(l.amount.scale() <= 2);  // rounded to the cent at the line
    }
    CAPTURE(rules.size());
    for (const char* id : {"volume-rebate", "growth-rebate", "x200-launch-spiff", "plan-bonus", "specialist-bonus"})
        CHECK_MESSAGE(std::find(rules.begin(), rules.end(), id) != rules.end(), "rule " << id << " pays nothing");
    CHECK(clawback);

    // The same program and data run again give the same lines (deterministic).
    CHECK(run_directory(data, program) == r);
}

TEST_CASE("golden: the reseller case runs the rules of the bundled example program") {
    auto rules_of = [](const fs::path& file) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        std::string s = text.str();
        auto at = s.find("\nprogram:");
        return at == std::string::npos ? std::string() : s.substr(at + 1);
    };
    const auto example = rules_of(INCENTIVES_TEST_DATA "/../../examples/programs/reseller.yaml");
    REQUIRE(!example.empty());
    CHECK_MESSAGE(example == rules_of(INCENTIVES_TEST_DATA "/golden/reseller/program.yaml"),
                  "tests/data/golden/reseller/program.yaml must repeat examples/programs/reseller.yaml from 'program:' on");
}
