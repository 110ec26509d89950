// The engine: a program run over events in stages.
//
//   compile     program + catalog -> compiled plan (leaf rules, periods, scales)   engine/compile.hpp
//   intake      columns (every door) -> checked columnar batch, id registry        engine/intake.hpp
//   accumulate  batch -> exact measures per rule, beneficiary, period, version     engine/accumulate.hpp
//   settle      measures -> lines: schedule, modifiers, combinators, longer caps,  engine/settle.hpp
//               rounding, budgets, clawbacks, traces, statements
//   snapshot    the state as bytes, and back                                       engine/snapshot.hpp
//   partial     the measures as bytes, added up by another engine (scale-out)     engine/partial.hpp
//
// The measures are exact integer sums, so the result does not depend on event order, batch split or
// thread count. Settling is const: it can run again under a variant of the program (other rates,
// tiers, caps, budgets, rounding) without taking the events in again.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <incentives/detail/config.hpp>
#include <incentives/engine/batch.hpp>
#include <incentives/engine/catalog.hpp>
#include <incentives/engine/certified.hpp>
#include <incentives/engine/event_columns.hpp>
#include <incentives/engine/measures.hpp>
#include <incentives/engine/plan.hpp>
#include <incentives/engine/result.hpp>
#include <incentives/engine/state.hpp>
#include <incentives/model.hpp>
#include <incentives/program.hpp>

namespace incentives::detail {
struct prepared_leaf;
struct state_io;
class settlement;
class contest_stage;
class kpi_stage;
class roi_stage;
class simulation_stage;
}  // namespace incentives::detail

namespace incentives {

/// Options of a run.
struct run_options {
    bool traces = false;     ///< attach a trace to every line
    bool event_ids = false;  ///< list contributing event ids in traces (the engine must retain them)
    unsigned threads = 1;    ///< threads for accumulation; results are identical for any count
};

/// Runs a validated program over events. Thread-compatible: one writer at a time, const reads.
/// The program and the catalog are immutable and shared: copying an engine copies neither.
class engine {
public:
    /// Validates the program against the catalog. `retain_event_ids` keeps the ids of the events
    /// behind every group, for traces that list them.
    engine(program prog, catalog cat, bool retain_event_ids = false);
    engine(std::shared_ptr<const program> prog, std::shared_ptr<const catalog> cat, bool retain_event_ids = false);

    [[nodiscard]] const program& definition() const noexcept { return *prog_; }
    [[nodiscard]] const catalog& reference_data() const noexcept { return *cat_; }

    /// Intake: checks and encodes a table of events given as columns into a batch; throws
    /// input_error naming the row and field (and the file, line and column for text) of the first bad
    /// event. Nothing is added to the engine. A return may come before its sale.
    [[nodiscard]] event_batch encode(const event_columns& events) const;
    /// The same for rows (a convenience: the rows are viewed as columns).
    [[nodiscard]] event_batch encode(std::span<const event> events) const;

    /// Accumulate: adds an encoded batch. Either the whole batch is added or, on an error, nothing is.
    void add(const event_batch& batch, unsigned threads = 1);
    /// encode() then add().
    void add(std::span<const event> events, unsigned threads = 1) { add(encode(events), threads); }
    void add(const event_columns& events, unsigned threads = 1) { add(encode(events), threads); }

    /// Settle: the payout lines for everything added so far.
    [[nodiscard]] result run(const run_options& options = {}) const;
    /// Settle under a variant of the program: the same rules (ids, selection, measure, credit, period,
    /// versions' dates, clawback windows) with anything else changed — rates, tiers, thresholds,
    /// accelerators, caps, floors, budgets, rounding mode. The measures are reused, not recomputed.
    /// Throws validation_error (code incentives.validation.variant) naming what the variant changes
    /// that would need the events again.
    [[nodiscard]] result run(const program& variant, const run_options& options = {}) const;

    /// A contest's boards as of a day (every round started by then; without a day, the final boards
    /// that result.contests holds): rank, score, gaps to the place ahead and to the prize cut, and
    /// the prizes the board would pay. A day counts the score's periods that have ended by it (for a
    /// board at any day, run on the events up to that day). `r` is a run of this engine: a score
    /// that is a rule's payout reads its lines. Throws config_error for an unknown contest.
    [[nodiscard]] std::vector<contest_standing> leaderboard(const result& r, std::string_view contest,
                                                            std::optional<date> as_of = std::nullopt) const;
    /// The board at the end of each of the score's periods, in the round that holds it: the rank history.
    [[nodiscard]] std::vector<contest_standing> rank_history(const result& r, std::string_view contest) const;

    /// The accumulated measures, one row per rule, beneficiary, period and version with events.
    [[nodiscard]] std::vector<measure_row> measures() const;

    /// The engine's state as bytes; restore() on the same program and catalog continues from it.
    [[nodiscard]] std::string snapshot() const;
    /// An engine for `prog` and `cat` in the state of a snapshot taken from an engine for them.
    [[nodiscard]] static engine restore(program prog, catalog cat, std::string_view bytes);

    /// What this engine accumulated — the measures, clawback records and kept ledger events, without
    /// the registry of event ids — as bytes: one part of a run spread over processes (engine/partial.hpp).
    [[nodiscard]] std::string partial() const;
    /// Adds a partial run of an engine for the same program and catalog to this one: absorbing the
    /// partials of events split by partner gives the lines of one run over all of them. Throws
    /// input_error (incentives.input.partial) for bytes of another program, catalog or format, and
    /// leaves the engine as it was. An engine that absorbed a partial takes no more events.
    void absorb(std::string_view partial);

private:
    friend struct detail::state_io;
    friend class detail::settlement;
    friend class detail::contest_stage;
    friend class detail::kpi_stage;
    friend class detail::roi_stage;
    friend class detail::simulation_stage;
    [[nodiscard]] const rules::contest& contest_named(std::string_view id) const;
    void compile();
    [[nodiscard]] const rules::rule& rule_of(const detail::leaf& l) const;
    [[nodiscard]] std::vector<std::optional<int128>> lookup_rates(const detail::leaf& l, const event_batch& b) const;
    /// Adds rows [from, to) into `acc`; with parts > 1, only the rows of partners p with p % parts == part.
    void accumulate(const event_batch& b, const std::vector<detail::prepared_leaf>& prep, std::size_t from,
                    std::size_t to, std::vector<detail::leaf_acc>& acc, unsigned part = 0, unsigned parts = 1) const;
    void note_first_sales(const event_batch& b, std::uint32_t sale_kind);
    static void merge(detail::leaf_acc& into, detail::leaf_acc& from, const std::string& rule);
    void record_clawbacks(const event_batch& b, const std::vector<detail::prepared_leaf>& prep,
                          const std::vector<std::uint32_t>& sale_record, const std::vector<std::uint32_t>& returned_sale);

    std::shared_ptr<const program> prog_;
    std::shared_ptr<const catalog> cat_;
    bool retain_ids_ = false;
    std::vector<detail::leaf> leaves_;  // the compiled plan: leaf rules (children included)
    detail::kind_set paid_kinds_;       // the kinds some rule selects (sale and return always)
    detail::engine_state st_;           // what intake keeps: dictionaries, ids, sales, returns
    detail::measure_store ms_;          // what accumulation produces: the measures, clawback records
    detail::certified_table certified_; // the days each person and partner holds each certification
    bool absorbed_ = false;             // holds partial runs: their event ids are not in st_.ids
};

}  // namespace incentives

// The stages' definitions are compiled once into the library (src/incentives.cpp); header-only
// users (INCENTIVES_HEADER_ONLY) get them here.
#ifdef INCENTIVES_HEADER_ONLY
#include <incentives/engine/compile.hpp>
#include <incentives/engine/intake.hpp>
#include <incentives/engine/accumulate.hpp>
#include <incentives/engine/settle.hpp>
#include <incentives/engine/snapshot.hpp>
#include <incentives/engine/partial.hpp>
#include <incentives/engine/simulate.hpp>
#endif
