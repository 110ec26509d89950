// Reading the simulation's YAML files with yaml-cpp: assumptions (docs/simulation.md) and dated tax
// rules (docs/tax.md, data/tax/). Strict like programs: an unknown key is an error naming
// file:line:column and the key path; numbers are parsed exactly from their text.
#include <incentives/io/yaml.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "yaml_reading.hpp"

namespace incentives::io {
namespace {

constexpr std::array<std::string_view, 3> model_names{"bootstrap", "lognormal", "attainment"};
constexpr std::array<std::string_view, 2> counts_names{"poisson", "negative_binomial"};
constexpr std::array<std::string_view, 2> award_names{"cash", "in_kind"};
constexpr std::array<std::string_view, 2> payer_names{"recipient", "program"};

std::string file_text(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error("incentives.config.file", path + ": cannot open the " + what + " file");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool flag(const cursor& c) {
    const std::string t = text(c);
    if (t == "true") return true;
    if (t == "false") return false;
    c.fail("value", "\"" + t + "\" is not true or false");
}

std::uint64_t count_of(const cursor& c, std::uint64_t lo, std::uint64_t hi) {
    const std::string t = text(c);
    const auto parsed = unsigned_64(t);
    const bool ok = parsed.has_value();
    const std::uint64_t v = parsed.value_or(0);
    if (!ok || v < lo || v > hi)
        c.fail("value", "\"" + t + "\" is not a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return v;
}

tax::rules tax_of(const context& ctx, const YAML::Node& root) {
    mapping m(cursor{&ctx, root, ""}, {"jurisdiction", "name", "currency", "entries"});
    tax::rules r;
    r.jurisdiction = text(m.require("jurisdiction"));
    r.name = text(m.require("name"));
    r.currency = std::string(currency_of(m.require("currency")).code());
    r.source = ctx.source;
    const auto list = m.require("entries");
    const auto items = list_of(list, "a list of dated entries");
    if (items.empty()) list.fail("value", "a tax file needs at least one entry");
    for (const auto& item : items) {
        mapping e(item, {"from", "reference", "applies_to", "rate", "surcharges", "exemption", "limit", "withholding_cap",
                         "reporting_threshold", "backup_withholding", "payer", "rounding"});
        // A later entry states only what changed: it starts as a copy of the entry before.
        tax::entry x = r.entries.empty() ? tax::entry{} : r.entries.back();
        x.from = date_of(e.require("from"));
        if (!r.entries.empty() && !(r.entries.back().from < x.from))
            e.require("from").fail("value", "entries must be in date order: " + x.from.to_string() + " is not after " +
                                                r.entries.back().from.to_string());
        x.reference = text(e.require("reference"));
        if (auto a = e.get("applies_to")) {
            x.applies_to.clear();
            for (const auto& k : list_of(*a, "a list of award kinds (cash, in_kind)")) x.applies_to.push_back(choice<tax::award_kind>(k, award_names));
        }
        auto fraction = [](const cursor& c) {
            decimal v = number(c, true);
            if (v.signum() < 0 || decimal(1) < v) c.fail("value", "expected a rate from 0% to 100%, not " + text(c));
            return v;
        };
        auto amount = [](const cursor& c) {
            decimal v = number(c);
            if (v.signum() < 0) c.fail("value", "an amount cannot be negative");
            return v;
        };
        if (auto v = e.get("rate")) {
            x.rate = fraction(*v);
            if (!(x.rate < decimal(1))) v->fail("value", "a rate of 100% leaves nothing to gross up");
        }
        if (auto v = e.get("surcharges")) {
            x.surcharges.clear();
            for (const auto& s : list_of(*v, "a list of surcharges")) {
                mapping sm(s, {"name", "rate"});
                x.surcharges.push_back({text(sm.require("name")), fraction(sm.require("rate"))});
            }
        }
        if (auto v = e.get("exemption")) x.exemption = amount(*v);
        if (auto v = e.get("limit")) x.limit = amount(*v);
        if (auto v = e.get("withholding_cap")) x.withholding_cap = fraction(*v);
        if (auto v = e.get("reporting_threshold")) x.reporting_threshold = amount(*v);
        if (auto v = e.get("backup_withholding")) x.backup_withholding = fraction(*v);
        if (auto v = e.get("payer")) x.payer = choice<tax::payer_t>(*v, payer_names);
        if (auto v = e.get("rounding")) {
            mapping rm(*v, {"places", "mode"});
            if (auto p = rm.get("places")) x.places = whole_number(*p, 0, 6);
            if (auto md = rm.get("mode")) x.mode = choice<rounding_mode>(*md, rounding_mode_names);
        }
        decimal effective;
        try {
            effective = x.effective_rate();
        } catch (const calculation_error& err) {
            item.fail("value", "the rate with its surcharges cannot be computed: " + std::string(message_of(err)));
        }
        if (!(effective < decimal(1)))
            item.fail("value", "the rate with its surcharges is " + effective.to_string() + ": it must stay below 100%");
        r.entries.push_back(std::move(x));
    }
    return r;
}

assumptions_file assumptions_of(const context& ctx, const YAML::Node& root, const std::filesystem::path& dir) {
    mapping m(cursor{&ctx, root, ""}, {"model", "growth", "spread", "mean", "participation", "market", "counts", "dispersion",
                                       "segments", "sensitivity", "tax", "seed", "scenarios", "budget"});
    assumptions_file f;
    auto& a = f.assumptions;
    if (auto v = m.get("model")) a.model = choice<simulation_assumptions::model_t>(*v, model_names);
    if (auto v = m.get("growth")) a.growth = number(*v, true);
    if (auto v = m.get("spread")) a.spread = number(*v, true);
    if (auto v = m.get("mean")) a.mean = number(*v, true);
    if (auto v = m.get("participation")) a.participation = number(*v, true);
    if (auto v = m.get("market")) {
        mapping mm(*v, {"spread", "correlation"});
        if (auto s = mm.get("spread")) a.market_spread = number(*s, true);
        if (auto s = mm.get("correlation")) a.correlation = number(*s, true);
    }
    if (auto v = m.get("counts")) a.counts = choice<simulation_assumptions::counts_t>(*v, counts_names);
    if (auto v = m.get("dispersion")) {
        a.dispersion = number(*v);
        if (a.dispersion.signum() <= 0) v->fail("value", "dispersion (the negative binomial's k) must be above 0");
    }
    if (auto v = m.get("segments")) {
        mapping sm(*v, {"by", "values"});
        a.segment_by = text(sm.require("by"));
        for (const auto& e : entries_of(sm.require("values"), "a mapping of segment values to assumptions")) {
            mapping vm(e.value, {"growth", "spread", "mean", "participation"});
            simulation_assumptions::segment s;
            s.value = e.key;
            if (auto x = vm.get("growth")) s.growth = number(*x, true);
            if (auto x = vm.get("spread")) s.spread = number(*x, true);
            if (auto x = vm.get("mean")) s.mean = number(*x, true);
            if (auto x = vm.get("participation")) s.participation = number(*x, true);
            a.segments.push_back(std::move(s));
        }
    }
    if (auto v = m.get("sensitivity"))
        for (const auto& e : entries_of(*v, "a mapping of assumptions to steps (growth: 10%)")) {
            static constexpr std::array<std::string_view, 7> known{"growth", "spread", "mean", "participation", "market_spread", "thresholds", "prizes"};
            if (!contains(known, e.key))
                ctx.fail("unknown_key", e.key_mark, e.value.path,
                         "unknown assumption \"" + e.key + "\": expected one of " + joined(known) + detail::did_you_mean(e.key, known));
            const decimal step = number(e.value, true);
            if (step.signum() <= 0 || !(step < decimal(1))) e.value.fail("value", "a step is above 0% and below 100%");
            a.sensitivity.emplace_back(e.key, step);
        }
    if (auto v = m.get("tax")) {
        mapping tm(*v, {"rules", "gross_up"});
        const auto where = tm.require("rules");
        a.tax_source = text(where);
        const std::filesystem::path p = dir / a.tax_source;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(p, ec)) where.fail("value", "no tax file " + p.string());
        a.tax = read_tax_rules_file(p.string());
        if (auto g = tm.get("gross_up")) a.gross_up = flag(*g);
    }
    if (auto v = m.get("seed")) f.seed = count_of(*v, 0, UINT64_MAX);
    if (auto v = m.get("scenarios")) f.scenarios = count_of(*v, 1, 100'000'000);
    if (auto v = m.get("budget")) f.budget = number(*v);
    return f;
}

}  // namespace

tax::rules read_tax_rules(std::string_view yaml, std::string_view source) {
    context ctx{std::string(source)};
    ctx.visit_limit = 4 * yaml.size() + 10000;
    return tax_of(ctx, load_document(ctx, yaml, "tax rules"));
}

tax::rules read_tax_rules_file(const std::string& path) { return read_tax_rules(file_text(path, "tax rules"), path); }

assumptions_file read_assumptions(std::string_view yaml, std::string_view source, const std::string& directory) {
    context ctx{std::string(source)};
    ctx.visit_limit = 4 * yaml.size() + 10000;
    return assumptions_of(ctx, load_document(ctx, yaml, "assumptions"), directory);
}

assumptions_file read_assumptions_file(const std::string& path) {
    return read_assumptions(file_text(path, "assumptions"), path, std::filesystem::path(path).parent_path().string());
}

}  // namespace incentives::io
