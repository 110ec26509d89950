// Runs spread over processes (incentives.dask, incentives.spark): a part's measures as bytes
// (engine::partial), partials added up (engine::absorb) and settled once; catalogs and results that
// pickle, so they travel to worker processes; and the command line's output files for
// `python -m incentives run` (src/cli/output.hpp: the same bytes as the C++ command's).
#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <incentives/engine/engine.hpp>
#include <incentives/engine/bytes.hpp>

#include <pybind11/numpy.h>

#include "casters.hpp"
#include "cli/output.hpp"
#include "cli/report.hpp"
#include "objects.hpp"
#include "register.hpp"

namespace incentives::python {
namespace {

/// The bytes of each item of a list of bytes, viewed in place (the list keeps them alive).
std::vector<std::string_view> views_of(const py::list& partials) {
    std::vector<std::string_view> out;
    out.reserve(partials.size());
    for (const auto& item : partials) {
        if (!PyBytes_Check(item.ptr())) throw py::type_error("a partial run is bytes (from partial_run or combine_partials)");
        out.emplace_back(PyBytes_AS_STRING(item.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(item.ptr())));
    }
    return out;
}

/// One part of a run as bytes; with `id_hashes`, also the sorted distinct 64-bit hashes of its event
/// ids (detail::id_hash, which intake computes anyway), for the runners' check that no id is in two
/// parts: comparing 8-byte hashes across partitions is far cheaper than comparing the ids' text.
py::object partial_run(const program& p, const event_table* events, const catalog& cat, bool event_ids, unsigned threads,
                       bool id_hashes) {
    if (threads < 1) throw py::value_error("threads must be at least 1");
    std::string bytes;
    std::vector<std::uint64_t> hashes;
    {
        py::gil_scoped_release unlocked;
        engine e(p, cat, event_ids);
        if (events != nullptr && events->size() > 0) {
            event_batch batch = e.encode(events->columns);
            if (id_hashes) {
                hashes = batch.id_hash;
                std::sort(hashes.begin(), hashes.end());
                hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
            }
            e.add(batch, threads);
        }
        bytes = e.partial();
    }
    if (!id_hashes) return py::bytes(bytes);
    py::array_t<std::uint64_t> out(static_cast<py::ssize_t>(hashes.size()));
    if (!hashes.empty()) std::memcpy(out.mutable_data(), hashes.data(), hashes.size() * sizeof(std::uint64_t));
    return py::make_tuple(py::bytes(bytes), out);
}

/// The 64-bit hashes of ids (detail::id_hash), to find the ids behind hashes seen in two parts.
py::array_t<std::uint64_t> id_hashes(const std::vector<std::string>& ids) {
    py::array_t<std::uint64_t> out(static_cast<py::ssize_t>(ids.size()));
    auto* h = out.mutable_data();
    for (std::size_t i = 0; i < ids.size(); ++i) h[i] = detail::id_hash(ids[i]);
    return out;
}

std::shared_ptr<engine> absorbed(const program& p, const catalog& cat, const py::list& partials, bool event_ids) {
    auto views = views_of(partials);
    py::gil_scoped_release unlocked;
    auto e = std::make_shared<engine>(p, cat, event_ids);
    for (auto v : views) e->absorb(v);
    return e;
}

py::bytes combine_partials(const program& p, const catalog& cat, const py::list& partials, bool event_ids) {
    auto e = absorbed(p, cat, partials, event_ids);
    std::string bytes;
    {
        py::gil_scoped_release unlocked;
        bytes = e->partial();
    }
    return py::bytes(bytes);
}

run_output combine(const program& p, const catalog& cat, const py::list& partials, bool event_ids, unsigned threads) {
    if (threads < 1) throw py::value_error("threads must be at least 1");
    auto e = absorbed(p, cat, partials, event_ids);
    py::gil_scoped_release unlocked;
    result res = e->run({.traces = false, .event_ids = false, .threads = threads});
    return run_output{std::move(e), std::move(res), event_ids, std::nullopt};
}

// -- catalogs as bytes (pickling) -----------------------------------------------------------------

void attrs_out(detail::bytes_out& o, const attributes& a) {
    o.pod<std::uint64_t>(a.size());
    for (const auto& [k, v] : a) {
        o.str(k);
        o.str(v);
    }
}
attributes attrs_in(detail::bytes_in& in) {
    attributes a;
    const auto n = in.pod<std::uint64_t>();
    for (std::uint64_t i = 0; i < n; ++i) {
        auto k = in.str();
        a.emplace(std::move(k), in.str());
    }
    return a;
}

constexpr std::string_view catalog_format = "incentives-catalog-1";

py::bytes catalog_bytes(const catalog& c) {
    detail::bytes_out o;
    o.str(catalog_format);
    o.pod<std::uint64_t>(c.partners().size());
    for (const auto& p : c.partners()) {
        for (const auto* s : {&p.id, &p.name, &p.segment, &p.group, &p.region, &p.tier}) o.str(*s);
        attrs_out(o, p.attrs);
    }
    o.pod<std::uint64_t>(c.participants().size());
    for (const auto& p : c.participants()) {
        for (const auto* s : {&p.id, &p.partner, &p.role}) o.str(*s);
        o.pod<std::uint8_t>(p.birthday.has_value());
        o.pod<std::int32_t>(p.birthday ? p.birthday->days() : 0);
        attrs_out(o, p.attrs);
    }
    o.pod<std::uint64_t>(c.products().size());
    for (const auto& p : c.products()) {
        o.str(p.sku);
        o.str(p.category);
        attrs_out(o, p.attrs);
    }
    o.pod<std::uint64_t>(c.plans().size());
    for (const auto& p : c.plans()) {
        o.str(p.beneficiary);
        o.pod<std::int32_t>(p.period_start.days());
        o.str(p.target.to_string());  // exact text: decimal's parse reads it back
    }
    return py::bytes(o.take());
}

catalog catalog_of_bytes(const py::bytes& b) {
    const std::string_view bytes(PyBytes_AS_STRING(b.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(b.ptr())));
    detail::bytes_in in(bytes);
    if (in.str() != catalog_format) detail::bytes_in::corrupt();
    auto count = [&] {
        const auto n = in.pod<std::uint64_t>();
        if (n > bytes.size()) detail::bytes_in::corrupt();
        return n;
    };
    std::vector<partner> partners(count());
    for (auto& p : partners) {
        for (auto* s : {&p.id, &p.name, &p.segment, &p.group, &p.region, &p.tier}) *s = in.str();
        p.attrs = attrs_in(in);
    }
    std::vector<participant> participants(count());
    for (auto& p : participants) {
        for (auto* s : {&p.id, &p.partner, &p.role}) *s = in.str();
        const bool born = in.pod<std::uint8_t>() != 0;
        const auto day = in.pod<std::int32_t>();
        if (born) p.birthday = date(day);
        p.attrs = attrs_in(in);
    }
    std::vector<product> products(count());
    for (auto& p : products) {
        p.sku = in.str();
        p.category = in.str();
        p.attrs = attrs_in(in);
    }
    std::vector<plan> plans(count());
    for (auto& p : plans) {
        p.beneficiary = in.str();
        p.period_start = date(in.pod<std::int32_t>());
        p.target = decimal::parse(in.str());
    }
    if (!in.done()) detail::bytes_in::corrupt();
    return catalog(std::move(partners), std::move(participants), std::move(products), std::move(plans));
}

// -- the command line's files ----------------------------------------------------------------------

void write_run_files(const run_output& run, const py::dict& paths, const std::optional<std::string>& as_of) {
    cli::run_files f;
    const std::pair<const char*, std::string*> names[] = {
        {"out", &f.out},           {"traces", &f.traces},       {"statements", &f.statements},
        {"ledger", &f.ledger},     {"balances", &f.balances},   {"deals", &f.deals},
        {"referrals", &f.referrals}, {"points", &f.points},     {"lots", &f.lots},
        {"points_balances", &f.points_balances}, {"levels", &f.levels}, {"contests", &f.contests},
        {"kpis", &f.kpis},         {"roi", &f.roi}};
    for (const auto& [key, value] : paths) {
        const auto name = py::cast<std::string>(key);
        auto it = std::find_if(std::begin(names), std::end(names), [&](const auto& n) { return name == n.first; });
        if (it == std::end(names)) throw py::value_error("no output file \"" + name + "\"");
        *it->second = py::cast<std::string>(value);
    }
    const date day = as_of ? date::parse(*as_of) : run.prog().cal.to();
    const result& r = f.traces.empty() ? run.res : run.traced();
    py::gil_scoped_release unlocked;
    cli::output_set outs;
    cli::write_run_files(outs, f, r, day);
    outs.commit();
}

}  // namespace

void register_scale_out(py::module_& m) {
    m.def("partial_run", &partial_run, py::arg("program"), py::arg("events").none(true), py::arg("catalog"), py::arg("event_ids") = false,
          py::arg("threads") = 1, py::arg("id_hashes") = false,
          "One part of a run: the events' measures as bytes (engine::partial); None: no events. With id_hashes, "
          "(bytes, the sorted distinct uint64 hashes of its event ids).");
    m.def("id_hashes", &id_hashes, py::arg("ids"), "The 64-bit hashes of event ids, as partial_run(id_hashes=True) gives them.");
    m.def("combine_partials", &combine_partials, py::arg("program"), py::arg("catalog"), py::arg("partials"),
          py::arg("event_ids") = false, "Partial runs added up into one partial run (a step of a tree of combinations).");
    m.def("combine", &combine, py::arg("program"), py::arg("catalog"), py::arg("partials"), py::arg("event_ids") = false,
          py::arg("threads") = 1, "Partial runs added up and settled: the Result of one run over all their events.");
    m.def("catalog_bytes", &catalog_bytes, py::arg("catalog"));
    m.def("catalog_of_bytes", &catalog_of_bytes, py::arg("bytes"));
    m.def("write_run_files", &write_run_files, py::arg("result"), py::arg("paths"), py::arg("as_of") = py::none(),
          "Writes the command line's run files (keys: out, traces, statements, ...), all or none.");
    m.def(
        "print_summary",
        [](const run_output& run) {
            cli::print_summary(run.prog(), run.res);
            std::fflush(stdout);
        },
        py::arg("result"), "Prints the command line's summary of a run on standard output.");
}

}  // namespace incentives::python
