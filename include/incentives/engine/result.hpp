// The result of a run: payout lines and, on request, a trace per line that explains it as data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <incentives/calendar.hpp>
#include <incentives/currency.hpp>
#include <incentives/decimal.hpp>
#include <incentives/detail/boxed.hpp>
#include <incentives/rules/credit.hpp>

namespace incentives {

/// One step of a payout's life after the schedule: a threshold, accelerator, cap, budget, rounding.
struct trace_step {
    std::string what;    ///< e.g. "cap 25000 per partner and quarter"
    decimal before;
    decimal after;
    friend bool operator==(const trace_step&, const trace_step&) = default;
};

/// Why a payout line is what it is.
struct trace {
    std::string rule;
    std::string version;          ///< effective-from date of the version that paid, or "" for the base
    std::string measure;          ///< e.g. "amount", "growth of amount over prior_year (absolute)"
    decimal base;                 ///< the measure for this beneficiary and period
    std::optional<decimal> baseline;  ///< for growth measures
    std::string tier;             ///< the tier reached (name or "tier 2"), "" if none
    std::optional<decimal> rate;  ///< the rate, amount per unit, or multiplier applied
    decimal amount_before;        ///< the schedule's amount, before modifiers
    std::vector<trace_step> steps;
    std::string note;             ///< why a line pays zero, or other remarks
    std::size_t events = 0;       ///< number of contributing events
    std::vector<std::string> event_ids;  ///< when asked for
    std::string reverses;         ///< for a clawback: the sale it reverses
    std::string returned_by;      ///< for a clawback: the return that caused it
    std::string reverses_period;  ///< for a clawback: the period of the line it claws back (the sale's)
    friend bool operator==(const trace&, const trace&) = default;
};

/// One amount owed to one beneficiary by one rule for one period.
struct payout_line {
    enum class kind_t : unsigned char { accrual, clawback };
    std::string rule;
    rules::credit::to_t beneficiary_type = rules::credit::to_t::partner;
    std::string beneficiary;
    std::string partner;  ///< the partner of the beneficiary (itself for partners)
    std::string period;   ///< label, e.g. "2027-Q2"
    date period_start;
    kind_t kind = kind_t::accrual;
    std::string currency;
    decimal amount;
    std::int32_t tier = -1;    ///< the row of the tier table that paid (0 = the first), -1 for other schedules
    detail::boxed<trace> why;  ///< present when the run asked for traces (on the heap: lines stay small without)
    friend bool operator==(const payout_line&, const payout_line&) = default;
};

[[nodiscard]] inline std::string_view to_string(payout_line::kind_t k) noexcept {
    return k == payout_line::kind_t::accrual ? "accrual" : "clawback";
}

/// A payment already made for one rule, beneficiary and period (several may share a key: they add up).
struct paid_line {
    std::string rule;
    std::optional<rules::credit::to_t> beneficiary_type;  ///< nullopt: whom the rule pays
    std::string beneficiary;
    std::string period;      ///< label, as runs write it: "2027-Q2"
    decimal amount;
    std::string currency;    ///< "" or the program's currency
    std::string reference;   ///< the caller's id of the payment; "" names it "paid row N" (1-based)
    friend bool operator==(const paid_line&, const paid_line&) = default;
};

/// A correction for one rule, beneficiary and period: what the run pays now minus what was paid.
struct delta_line {
    std::string rule;
    rules::credit::to_t beneficiary_type = rules::credit::to_t::partner;
    std::string beneficiary;
    std::string partner;  ///< the beneficiary's partner ("" for the program as a whole)
    std::string period;
    date period_start;
    std::string currency;
    decimal paid;         ///< the sum of the paid lines for this key
    decimal now;          ///< the sum of the run's lines (accruals and clawbacks) for this key
    decimal delta;        ///< now - paid, exact: positive pays more, negative recovers
    std::vector<std::string> corrects;  ///< the references of the paid lines it corrects, in input order
    friend bool operator==(const delta_line&, const delta_line&) = default;
};

/// What one beneficiary is owed for one period over every rule: the exact sum of its lines, and the
/// amount to pay (rounded here when the program rounds at the statement, otherwise already exact
/// in minor units because every line was rounded).
struct statement_total {
    rules::credit::to_t beneficiary_type = rules::credit::to_t::partner;
    std::string beneficiary;
    std::string partner;
    std::string period;
    date period_start;
    std::string currency;
    decimal exact;
    decimal amount;
    friend bool operator==(const statement_total&, const statement_total&) = default;
};

/// One movement of a fund account (engine/ledger.hpp). `amount` moves the balance (credits up,
/// debits down) or, for reservation and release, the reserved amount; steps that move nothing
/// (request, claim, rejection) have amount 0 and say what happened in `reason`.
struct ledger_entry {
    enum class kind_t : unsigned char {
        allocation,   ///< credit from a fund_allocation event (a lot)
        accrual,      ///< credit from a rule's line (a lot)
        reversal,     ///< debit: a rule's clawback taken back from the lots
        shortfall,    ///< debit beyond the lots (a reversal the balance could not cover): the balance goes below zero
        request,      ///< a request for pre-approval (moves nothing)
        reservation,  ///< an approved request reserves money: available drops, the balance does not
        claim,        ///< a claim (moves nothing until approved)
        payment,      ///< debit: an approved claim paid from one lot
        release,      ///< an approved request's unclaimed reservation released at its deadline
        forfeiture,   ///< debit: what is left of a lot the day after its last usable day
        rejection,    ///< a request, claim or allocation refused, with the reason (moves nothing)
    };
    std::uint64_t number = 0;     ///< 1-based position in the run's ledger (replay order)
    std::string fund;
    std::string partner;
    date on;
    kind_t kind = kind_t::allocation;
    decimal amount;
    decimal balance_after;
    decimal reserved_after;
    decimal available_after;      ///< balance - reserved
    std::string event;            ///< the event id ("rule/partner/period" for a rule's credit; a forfeiture names its lot's, a release its request)
    std::uint64_t consumes = 0;   ///< the lot (payment, forfeiture, reversal) or reservation (release) it draws on; 0 none
    std::uint64_t reservation = 0;  ///< for a payment against an approved request: the reservation it draws down too
    std::optional<date> expires;  ///< for lots: the last usable day
    std::string reason;
    [[nodiscard]] std::string account() const { return fund + "/" + partner; }
    friend bool operator==(const ledger_entry&, const ledger_entry&) = default;
};

[[nodiscard]] inline std::string_view to_string(ledger_entry::kind_t k) noexcept {
    constexpr std::string_view names[] = {"allocation", "accrual", "reversal", "shortfall", "request", "reservation",
                                          "claim",      "payment", "release",  "forfeiture", "rejection"};
    return names[static_cast<int>(k)];
}

/// A fund account's state as of a date: balance, reserved and available, and what of its lots
/// expires within 30, 31-60 and 61-90 days (ageing buckets, each counted once).
struct fund_balance {
    std::string fund;
    std::string partner;
    date as_of;
    decimal balance;
    decimal reserved;
    decimal available;
    decimal expiring_30, expiring_60, expiring_90;
    friend bool operator==(const fund_balance&, const fund_balance&) = default;
};

/// One step of a registered deal's life (engine/deals.hpp), in replay order. Money steps (bonus,
/// stage_reward, clawback) are also in the payout lines of the deal registration's id.
struct deal_entry {
    enum class kind_t : unsigned char {
        registered,    ///< a registration (moves nothing until approved)
        approved,      ///< protection starts: the customer is the partner's until `until`
        rejected,      ///< by the vendor, or by the conflict policy (the reason names the winner)
        extended,      ///< the window extended
        stage_reward,  ///< a funnel stage paid (once per deal and stage)
        bonus,         ///< the deal closed in the window by the registering partner
        no_bonus,      ///< a closing sale that earns nothing, and why
        expired,       ///< the window ended without a close: the customer is free again
        lost,          ///< the deal was lost
        clawback,      ///< a lost deal's stage reward taken back
        refused,       ///< a step that names no registration, or one that cannot take it
    };
    std::uint64_t number = 0;
    std::string registration;  ///< the registration's id
    std::string partner;
    std::string customer;
    date on;
    kind_t kind = kind_t::registered;
    decimal amount;            ///< money steps: what is paid (clawback: below zero); others 0
    std::optional<date> until; ///< approved and extended: the last protected day
    std::string event;         ///< the event id
    std::string reason;
    friend bool operator==(const deal_entry&, const deal_entry&) = default;
};

[[nodiscard]] inline std::string_view to_string(deal_entry::kind_t k) noexcept {
    constexpr std::string_view names[] = {"registered", "approved", "rejected", "extended", "stage_reward", "bonus",
                                          "no_bonus",   "expired",  "lost",     "clawback", "refused"};
    return names[static_cast<int>(k)];
}

/// One step of a referral program's story (engine/referrals.hpp), in replay order: the attribution
/// of each referred customer, and each bounty's life (earned and held, released, cancelled or
/// clawed back). Released amounts and clawbacks are also in the payout lines of the program's id.
struct referral_entry {
    enum class kind_t : unsigned char {
        ignored,       ///< a touch that does not count (a self-referral), and why
        attributed,    ///< the customer's first conversion: the partner it is attributed to, by which touch
        unattributed,  ///< the customer's first conversion, attributed to no partner, and why
        earned,        ///< a bounty earned, held until `until` (a refund until then cancels it)
        released,      ///< the hold is over: paid (a payout line, or a fund credit)
        cancelled,     ///< a held bounty reduced by a refund (below zero; never paid)
        clawback,      ///< a released bounty taken back (below zero; a clawback line)
        not_qualified, ///< a conversion that earns nothing, and why
        refused,       ///< a step that cannot be taken (a second sign-up, a refund of an unknown payment...)
    };
    std::uint64_t number = 0;
    std::string referral;  ///< the referral program's id
    std::string customer;
    std::string partner;   ///< the partner the customer is attributed to ("" for none)
    date on;
    kind_t kind = kind_t::attributed;
    decimal amount;        ///< money steps: the bounty's change; others 0
    std::optional<date> until;  ///< earned: the last day of the hold
    std::string event;     ///< the event id
    std::string touch;     ///< attributed: the touch that won
    std::uint64_t reverses = 0;  ///< cancelled, clawback, released: the entry of the bounty it acts on (0: none)
    std::string reason;
    friend bool operator==(const referral_entry&, const referral_entry&) = default;
};

[[nodiscard]] inline std::string_view to_string(referral_entry::kind_t k) noexcept {
    constexpr std::string_view names[] = {"ignored",   "attributed", "unattributed",  "earned", "released",
                                          "cancelled", "clawback",   "not_qualified", "refused"};
    return names[static_cast<int>(k)];
}

/// One step of the points' ledger (engine/points.hpp). Points are held by a person (a participant)
/// or a partner in lots: each earning is a lot, pending until `available_on`, usable through
/// `expires`. `points` is the change to the holder's lots: earned and reinstated above zero;
/// redeemed, expired, reversed, repaid and debt below zero; refused and forgiven 0.
struct points_entry {
    enum class kind_t : unsigned char {
        earned,      ///< a lot: what a points rule's line (rule, holder, period) earned
        repaid,      ///< part of a new lot taken to repay a debt (the balance does not change)
        reversed,    ///< points a return takes back from a lot (a clawback line of a points rule)
        debt,        ///< the part of a reversal beyond the holder's lots (returns: unlimited): a negative balance
        forgiven,    ///< the part of a reversal the policy does not take back (0 points), and why
        redeemed,    ///< points a redemption draws from one lot (one entry per lot)
        reinstated,  ///< points of a cancelled redemption put back (into their lot, or a new lot)
        refused,     ///< a redemption or cancellation that cannot be taken (0 points), and why
        expired,     ///< what was left of a lot after its last usable day
    };
    std::uint64_t number = 0;
    date on;
    kind_t kind = kind_t::earned;
    rules::credit::to_t holder_type = rules::credit::to_t::participant;
    std::string holder;   ///< the participant's or partner's id
    std::string partner;  ///< the holder's partner
    decimal points;
    std::uint64_t lot = 0;         ///< the lot it adds to or draws from (earned, and a reinstated new lot: itself; 0: none)
    std::uint64_t from_lot = 0;    ///< a reinstated new lot: the lot its points were drawn from
    decimal balance_after;         ///< the holder's points after it: its lots' remainder less any debt
    decimal available_after;       ///< of which available now (not pending)
    std::optional<date> available_on;  ///< earned: the day the lot becomes available
    std::optional<date> expires;       ///< earned, reinstated new lot: its last usable day (nullopt: never)
    std::string event;    ///< the line "rule/holder/period", or the event id
    std::string item;     ///< redeemed, reinstated, refused redemptions: the shop item's sku
    std::string reason;
    friend bool operator==(const points_entry&, const points_entry&) = default;
};

[[nodiscard]] inline std::string_view to_string(points_entry::kind_t k) noexcept {
    constexpr std::string_view names[] = {"earned",   "repaid",     "reversed", "debt",   "forgiven",
                                          "redeemed", "reinstated", "refused",  "expired"};
    return names[static_cast<int>(k)];
}

/// A holder's status level changing (engine/points.hpp): up at once when the measure over the window
/// reaches a higher level, down at a review. Before its first change a holder is at the lowest level.
struct level_change {
    std::uint64_t number = 0;
    date on;  ///< the level is in force from this day on
    rules::credit::to_t holder_type = rules::credit::to_t::participant;
    std::string holder, partner;
    std::string level, previous;
    bool up = true;
    decimal measure;      ///< the measure over the window on that day
    std::string window;   ///< "2027" (calendar), or "2026-03-01..2027-02-28" (rolling)
    std::string reason;
    friend bool operator==(const level_change&, const level_change&) = default;
};

/// A lot as the run leaves it (as of its last day: the program's, or a later event's): what it
/// earned and where every point went; `earned + reinstated = redeemed + reversed + expired + left`.
struct points_lot {
    enum class state_t : unsigned char { pending, active, spent, expired, reversed };
    std::uint64_t number = 0;  ///< its opening entry
    rules::credit::to_t holder_type = rules::credit::to_t::participant;
    std::string holder, partner;
    std::string source;        ///< the line "rule/holder/period", or the cancelled redemption
    date earned_on, available_on;
    std::optional<date> expires;
    decimal earned;            ///< its opening points (earned, or reinstated into a new lot)
    decimal reinstated;        ///< put back into it by cancelled redemptions
    decimal redeemed, reversed, expired;  ///< drawn from it (reversed includes debt repaid)
    decimal left;
    state_t state = state_t::active;
    friend bool operator==(const points_lot&, const points_lot&) = default;
};

[[nodiscard]] inline std::string_view to_string(points_lot::state_t s) noexcept {
    constexpr std::string_view names[] = {"pending", "active", "spent", "expired", "reversed"};
    return names[static_cast<int>(s)];
}

/// A holder's points as of a day (points_balances): its lots' remainder less any debt, of which
/// pending and available, and what expires within 30, 31-60 and 61-90 days.
struct points_balance {
    rules::credit::to_t holder_type = rules::credit::to_t::participant;
    std::string holder, partner;
    date as_of;
    decimal balance, pending, available, debt;
    decimal expiring_30, expiring_60, expiring_90;
    friend bool operator==(const points_balance&, const points_balance&) = default;
};

/// The program's points liability as of a day (points_liability): issued = redeemed + expired +
/// reversed + outstanding, exactly; the outstanding points by age; and what they are expected to
/// cost: outstanding x (1 - breakage) x value per point, rounded once to the currency's minor units
/// with the program's rounding mode.
struct points_liability {
    struct age_band {
        std::string label;  ///< "0-90 days" ... "over 365 days" since the lot was earned
        decimal points;
        friend bool operator==(const age_band&, const age_band&) = default;
    };
    date as_of;
    decimal issued, redeemed, expired, reversed, outstanding;  ///< redeemed: net of cancelled redemptions
    decimal pending, available, debt;
    decimal value_per_point;
    decimal breakage;          ///< the share expected never to be redeemed, rounded half-even to 6 places for display
    std::string breakage_basis;  ///< "declared", or how it was estimated
    decimal face_value;        ///< the lots' points (outstanding + debt: a debt is the holder's, never lowers it) x value per point, exact
    decimal liability;         ///< face value x (1 - breakage) (the exact breakage), rounded
    std::vector<age_band> by_age;
    friend bool operator==(const points_liability&, const points_liability&) = default;
};

/// A competitor's standing in a contest's round (engine/contests.hpp): its league, score, place and
/// prize, and how far it is from the place ahead and from the prize cut.
struct contest_standing {
    std::string contest;
    std::string round;     ///< the round's period label ("2027", "2027-Q1")
    date round_start;
    date through;          ///< the last day the score counts (the end of the last score period counted)
    std::string league;    ///< "" without leagues
    rules::credit::to_t competitor_type = rules::credit::to_t::partner;
    std::string competitor, partner;
    bool eligible = true;
    std::string why;       ///< not eligible, or a winner's place and prize, in words
    decimal score;         ///< exact; attainment as a fraction of plan rounded half-even to 6 places (ranked exactly)
    std::uint32_t position = 0;   ///< 1-based place in the league's order (0: not ranked)
    decimal rank;                 ///< by the contest's method
    std::uint32_t tied = 1;       ///< competitors tied with it on every key (1: none)
    std::optional<decimal> gap_to_next;  ///< score of the place ahead minus its own (none for the first)
    std::optional<decimal> gap_to_cut;   ///< score of the last winning place minus its own (none for winners, or no winners)
    bool winner = false;
    decimal prize;         ///< place prize (money, points, a fund credit or an in-kind value)
    decimal step_prize;    ///< its shares of the step pots it reached
    std::string item;      ///< in-kind prize
    friend bool operator==(const contest_standing&, const contest_standing&) = default;
};

/// One KPI in one month of the plan (engine/kpis.hpp): what happened, what was planned, and the
/// year-to-date picture.
struct kpi_row {
    std::string kpi;
    std::string month;         ///< "2027-04"
    date month_start;
    decimal actual, target;
    decimal cumulative_actual, cumulative_target;
    std::optional<decimal> attainment;  ///< cumulative actual / cumulative target, half-even to 4 places (none without a target yet)
    std::string light;         ///< green, amber, red (compared exactly with the thresholds), or none (no target yet)
    std::string of;            ///< the KPI its target is a percent of ("" none)
    std::optional<decimal> ratio;  ///< funnel: cumulative actual / that KPI's cumulative actual, half-even to 4 places
    friend bool operator==(const kpi_row&, const kpi_row&) = default;
};

/// Engagement and ROI of the program for one segment of partners (engine/roi.hpp); the last row,
/// segment "all", is the whole program.
struct roi_row {
    std::string segment;
    std::size_t partners = 0;        ///< in the program (the control group left out)
    std::size_t participating = 0;   ///< of them, earning anything (a line, points or a prize)
    std::size_t active = 0;          ///< of them, with sales in the program
    decimal participation_rate, active_rate;  ///< over partners, half-even to 4 places
    decimal sales;                   ///< the sales rule's measure over the program
    std::optional<decimal> baseline; ///< prior-year sales, or the control group's mean x partners (minor units, half-even)
    std::optional<decimal> incremental;  ///< sales - baseline
    decimal cost;                    ///< money lines + points earned x their value + in-kind prizes' values
    std::optional<decimal> cost_share;   ///< cost / sales, half-even to 4 places
    std::optional<decimal> incremental_margin;  ///< incremental x margin, exact
    std::optional<decimal> roi;      ///< (incremental margin - cost) / cost, half-even to 4 places
    std::size_t control_partners = 0;
    friend bool operator==(const roi_row&, const roi_row&) = default;
};

/// Payout lines, sorted by rule (program order), beneficiary id, period and kind, and statement
/// totals sorted by beneficiary and period.
struct result {
    std::vector<payout_line> lines;
    std::vector<statement_total> statements;
    std::size_t events_seen = 0;
    std::size_t duplicates_ignored = 0;
    std::size_t events_outside_program = 0;
    /// Events of kinds that no rule selects, with their counts, by kind (unknown_kinds: warn).
    std::vector<std::pair<std::string, std::uint64_t>> unknown_kinds;
    /// The fund ledger, in replay order (date, then the step's kind order, then id): empty for a
    /// program without funds. Lines of rules that credit a fund are in `lines` but not in
    /// `statements` (they are paid into the fund, not in cash).
    std::vector<ledger_entry> ledger;
    /// The registered deals' story, in replay order (empty without deal_registration). Their money
    /// is in `lines` (rule: the deal registration's id, after the rules) and in the statements.
    std::vector<deal_entry> deals;
    /// The referral programs' story, in replay order (empty without referrals). Their money is in
    /// `lines` (rule: the referral program's id, after the deals') and in the statements, unless the
    /// program credits a fund.
    std::vector<referral_entry> referrals;
    /// The points' ledger, in replay order (date, then earnings < reversals < redemptions <
    /// cancellations, then id; expiries due by a day first), and every lot as the run leaves it
    /// (empty without points). Lines of points rules are in `lines` (their currency: the points'
    /// id) but not in `statements`, nor in total().
    std::vector<points_entry> points;
    std::vector<points_lot> lots;
    std::vector<level_change> levels;  ///< status level changes in date order (points with levels)
    std::string points_id;  ///< the program's points' id ("" without points)
    /// Every contest's final standings: by contest (program order), round, league, position; the
    /// ineligible after the ranked. Prizes paid in cash, points or a fund are also lines (rule: the
    /// contest's id, after the stages' lines).
    std::vector<contest_standing> contests;
    /// The KPI plan's report (a program with `kpis`): per KPI in the plan's order, per month.
    std::vector<kpi_row> kpis;
    /// The engagement and ROI report (a program with `roi`): per segment, then "all".
    std::vector<roi_row> roi;

    /// The sum of every money line (exact): lines of points rules are left out.
    [[nodiscard]] decimal total() const {
        decimal t;
        for (const auto& l : lines)
            if (points_id.empty() || l.currency != points_id) t += l.amount;
        return t;
    }
    /// The lines of one beneficiary.
    [[nodiscard]] std::vector<payout_line> for_beneficiary(std::string_view id) const {
        std::vector<payout_line> out;
        for (const auto& l : lines)
            if (l.beneficiary == id) out.push_back(l);
        return out;
    }
    friend bool operator==(const result&, const result&) = default;
};

}  // namespace incentives
