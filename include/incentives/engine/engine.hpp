// The engine: feeds events into a program's accumulators (in batches, incrementally, on several
// threads) and computes payout lines with traces from them. Accumulators hold exact integer sums,
// so the result does not depend on event order, batch split or thread count.
#pragma once

#include <algorithm>
#include <functional>
#include <numeric>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include <incentives/allocation.hpp>
#include <incentives/engine/batch.hpp>
#include <incentives/engine/catalog.hpp>
#include <incentives/engine/result.hpp>
#include <incentives/engine/selection.hpp>
#include <incentives/engine/state.hpp>

namespace incentives::detail {
struct prepared_leaf;
struct state_io;
struct draft;
}
#include <incentives/model.hpp>
#include <incentives/program.hpp>

namespace incentives {

/// Options of a run.
struct run_options {
    bool traces = false;     ///< attach a trace to every line
    bool event_ids = false;  ///< list contributing event ids in traces (the engine must retain them)
    unsigned threads = 1;    ///< threads for accumulation; results are identical for any count
};

/// Runs a validated program over events. Thread-compatible: one writer at a time, const reads.
class engine {
public:
    /// Validates the program against the catalog. `retain_event_ids` keeps the ids of the events
    /// behind every group, for traces that list them.
    engine(program prog, catalog cat, bool retain_event_ids = false);

    [[nodiscard]] const program& definition() const noexcept { return prog_; }
    [[nodiscard]] const catalog& reference_data() const noexcept { return cat_; }

    /// Checks and encodes events into a batch; throws input_error naming the row and field of the
    /// first bad event. Nothing is added to the engine.
    [[nodiscard]] event_batch encode(std::span<const event> events) const;

    /// Adds an encoded batch. Either the whole batch is added or, on an error, nothing is.
    void add(const event_batch& batch, unsigned threads = 1);
    /// encode() then add().
    void add(std::span<const event> events, unsigned threads = 1) { add(encode(events), threads); }

    /// The payout lines for everything added so far.
    [[nodiscard]] result run(const run_options& options = {}) const;

    /// The engine's state as bytes; restore() on the same program and catalog continues from it.
    [[nodiscard]] std::string snapshot() const;
    /// An engine for `prog` and `cat` in the state of a snapshot taken from an engine for them.
    [[nodiscard]] static engine restore(program prog, catalog cat, std::string_view bytes);

private:
    friend struct detail::state_io;
    void compile();
    [[nodiscard]] const rules::rule& rule_of(const detail::leaf& l) const;
    [[nodiscard]] std::vector<std::optional<int128>> lookup_rates(const detail::leaf& l, const event_batch& b) const;
    /// Adds rows [from, to) into `acc`; with parts > 1, only the rows of partners p with p % parts == part.
    void accumulate(const event_batch& b, const std::vector<detail::prepared_leaf>& prep, std::size_t from,
                    std::size_t to, std::vector<detail::leaf_acc>& acc, unsigned part = 0, unsigned parts = 1) const;
    template <class Modify, class LongLimits>
    [[nodiscard]] std::vector<detail::draft> leaf_drafts(std::uint32_t li, const run_options& o, Modify& modify,
                                                         LongLimits& long_limits) const;
    static void merge(detail::leaf_acc& into, detail::leaf_acc& from, const std::string& rule);
    void record_clawbacks(const event_batch& b, const std::vector<detail::prepared_leaf>& prep,
                          const std::vector<std::uint32_t>& sale_record, const std::vector<std::uint32_t>& returned_sale);

    program prog_;
    catalog cat_;
    bool retain_ids_ = false;
    std::vector<detail::leaf> leaves_;                 // compiled leaf rules (children included)
    detail::engine_state st_;                          // everything that changes as events arrive
};

}  // namespace incentives

#include <incentives/engine/engine_impl.hpp>
