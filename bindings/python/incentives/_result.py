"""The result of a run: payout lines, traces and statements as tables, totals, readable reports."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Union

from . import _core
from ._frames import frame

if TYPE_CHECKING:
    from ._program import Program

__all__ = ["Result", "PointsLiability"]


@dataclasses.dataclass(frozen=True)
class PointsLiability:
    """The program's points liability as of a day (:meth:`Result.liability`). Points are exact
    ``decimal.Decimal`` at the points' places; money is in the program's currency.

    ``issued = redeemed + expired + reversed + outstanding`` exactly (redeemed net of cancelled
    redemptions; reversed includes any debt); outstanding is the lots' remainder less the ``debt``,
    ``available = outstanding - pending``; ``face_value = outstanding x value_per_point`` exactly, and ``liability =
    outstanding x (1 - breakage) x value_per_point`` rounded once to the currency's minor units with
    the program's rounding mode (the exact breakage; ``breakage`` is shown rounded half-even to 6
    places). ``breakage_basis`` is "declared", or how it was estimated from the matured lots.
    ``by_age`` is a table of the outstanding points by the age of their lot: label ("0-90 days",
    "91-180 days", "181-365 days", "over 365 days") and points. Two liabilities are equal when their
    figures are (``by_age`` is left out of ``==`` and ``hash``: it follows from the same lots).
    """

    as_of: datetime.date
    issued: decimal.Decimal
    redeemed: decimal.Decimal
    expired: decimal.Decimal
    reversed: decimal.Decimal
    outstanding: decimal.Decimal
    pending: decimal.Decimal
    available: decimal.Decimal
    debt: decimal.Decimal
    value_per_point: decimal.Decimal
    breakage: decimal.Decimal
    breakage_basis: str
    face_value: decimal.Decimal
    liability: decimal.Decimal
    by_age: Any = dataclasses.field(repr=False, compare=False)


def _day(as_of: Any, default: str) -> str:
    """`as_of` (a date, a datetime or "YYYY-MM-DD") as "YYYY-MM-DD"; None: `default`."""
    if as_of is None:
        return default
    if isinstance(as_of, str):
        return as_of
    if isinstance(as_of, (datetime.date, datetime.datetime)):
        return as_of.strftime("%Y-%m-%d")
    raise TypeError(f"as_of: expected a date or 'YYYY-MM-DD', got {type(as_of).__name__}")


class Result:
    """What a program pays for the events of a run (see :meth:`Program.run`).

    Tables are pandas DataFrames when pandas is installed, else lists of dicts (one per row). Amounts
    are exact: ``decimal.Decimal`` objects in ``amount`` columns, and ``amount_minor``, the amount in
    minor units of the currency (int64: cents for EUR), whose sums are exact too. A program that rounds
    at the statement keeps its lines exact, with more places than the currency has: its ``payouts``
    have no ``amount_minor`` column (its ``statements`` do).

    Each table is built on first access and the same object is returned afterwards: copy a DataFrame
    before changing it.
    """

    __slots__ = ("_impl", "_cache")
    _impl: _core.Result
    _cache: dict[str, Any]

    def __init__(self, core: _core.Result) -> None:
        self._impl = core
        self._cache = {}

    def _table(self, name: str, build: Any) -> Any:
        if name not in self._cache:
            self._cache[name] = frame(build())
        return self._cache[name]

    @property
    def payouts(self) -> Any:
        """One row per payout line: rule, beneficiary_type (partner, participant, program),
        beneficiary, partner, period (label, e.g. 2027-Q2), period_start, kind (accrual, clawback),
        currency, amount (decimal.Decimal), amount_minor (int64), reverses (the sale a clawback
        reverses), returned_by (the return that caused it). Sorted by rule (program order), beneficiary, period, then accruals first.
        The lines of points rules pay points: their currency is :attr:`points_id`, their amount_minor
        units at the points' places."""
        return self._table("payouts", self._impl.payout_columns)

    @property
    def traces(self) -> Any:
        """One row per payout line, in the order of :attr:`payouts`, explaining it: rule,
        beneficiary_type, beneficiary, period, kind, amount, version (effective date of the version
        that paid, or ""), measure, base, baseline, tier, rate, amount_before (the schedule's amount,
        before modifiers), steps (text: "what: before -> after; ..."), note, events (the number of
        contributing events), event_ids (a list; filled when the run had ``traces=True``), reverses, returned_by."""
        return self._table("traces", self._impl.trace_columns)

    @property
    def statements(self) -> Any:
        """One row per beneficiary and period over every rule: beneficiary_type, beneficiary, partner,
        period, period_start, currency, exact (the exact sum of the lines), amount (what to pay: exact,
        rounded here when the program rounds at the statement) and amount_minor (int64)."""
        return self._table("statements", self._impl.statement_columns)

    @property
    def ledger(self) -> Any:
        """The fund ledger (MDF and co-op funds; empty without funds), one row per entry in replay
        order (date, then the step's kind order, then id): entry (1-based), account (fund/partner),
        fund, partner, date, kind (allocation, accrual, reversal, shortfall, request, reservation,
        claim, payment, release, forfeiture, rejection), amount (decimal.Decimal: moves the balance,
        or for reservation and release the reserved amount), amount_minor (int64), balance_after,
        reserved_after, available_after, event (the event id, or rule/partner/period for a rule's
        credit), consumes (the lot or reservation it draws on, 0 none), reservation (for a payment
        against an approved request), expires (a lot's last usable day, NaT otherwise), reason."""
        return self._table("ledger", self._impl.ledger_columns)

    @property
    def deals(self) -> Any:
        """The registered deals' steps (a program with ``deal_registration``; empty otherwise), one row
        per step in replay order (date, then the step's kind order, then id): entry, registration,
        partner, customer, date, kind (registered, approved, rejected, extended, stage_reward, bonus,
        no_bonus, expired, lost, clawback, refused), amount (decimal.Decimal: money steps; 0
        otherwise), until (the last protected day after an approval or extension, NaT otherwise),
        event, reason. The money is also in :attr:`payouts` under the deal registration's id."""
        return self._table("deals", self._impl.deal_columns)

    @property
    def referrals(self) -> Any:
        """The referral programs' steps (a program with ``referrals``; empty otherwise), one row per
        step in replay order (per program: date, then touch < signup < payment < refund, then id):
        entry, referral (the program's id), customer, partner (attributed; "" for none), date, kind
        (ignored, attributed, unattributed, earned, released, cancelled, clawback, not_qualified,
        refused), amount (decimal.Decimal: the bounty's change; 0 otherwise), until (the last day an
        earned bounty is held, NaT otherwise), event, touch (the touch that won an attribution),
        reverses (the earned entry a release, cancellation or clawback acts on; 0 none), reason. The
        released bounties and clawbacks are also in :attr:`payouts` under the program's id."""
        return self._table("referrals", self._impl.referral_columns)

    def balances(self, as_of: Any = None) -> Any:
        """The fund accounts as of a day (a date, datetime or "YYYY-MM-DD"; default: the program's
        last day), one row per fund and partner: fund, partner, as_of, balance, reserved, available
        (balance - reserved) and what of the open lots expires in 0-30, 31-60 and 61-90 days
        (expiring_30, expiring_60, expiring_90). Entries dated after the day are not counted."""
        return frame(self._impl.balance_columns(_day(as_of, self._impl.last_day)))

    @property
    def points(self) -> Any:
        """The points' ledger (a program with ``points``; empty otherwise), one row per entry in replay
        order (date, then earnings < reversals < redemptions < cancellations, then id; expiries due by
        a day first): entry (1-based), date, kind (earned, repaid, reversed, debt, forgiven, redeemed,
        reinstated, refused, expired), holder_type (participant, partner), holder, partner (the
        holder's), points (decimal.Decimal: the change to the holder's lots; 0 for refused and
        forgiven), lot (the lot it opens, adds to or draws from; 0 none), from_lot (a reinstated new
        lot: the lot its points came from; 0 otherwise), balance and available (the holder's points
        after it, and of those the ones not pending), available_on (an earned lot: the day it becomes
        available; NaT otherwise), expires (a lot's last usable day; NaT otherwise or never), event
        (the line "rule/holder/period", or the event id), item (the shop item's sku), reason. The
        lines that earned the points are in :attr:`payouts`, in the currency :attr:`points_id`."""
        return self._table("points", self._impl.points_columns)

    @property
    def lots(self) -> Any:
        """The points' lots as the run leaves them (as of its last day), one row per lot: number (its
        opening entry in :attr:`points`), holder_type, holder, partner, source (the line
        "rule/holder/period", or the cancelled redemption of a reinstated new lot), earned_on,
        available_on, expires (NaT: never), earned, reinstated, redeemed, reversed (debt repaid
        included), expired, left (decimal.Decimal, with earned + reinstated = redeemed + reversed +
        expired + left), state (pending, active, spent, expired, reversed)."""
        return self._table("lots", self._impl.lot_columns)

    @property
    def levels(self) -> Any:
        """The status level changes (a program whose ``points`` have ``levels``; empty otherwise), one
        row per change in date order: number (1-based), date (the level is in force from this day on),
        holder_type (participant, partner), holder, partner (the holder's), level, previous, up (True: an
        upgrade, at once on the day the measure reaches the level; False: a downgrade at a review,
        effective the next day), measure (decimal.Decimal: the measure over the window on that day),
        window ("2027" for a calendar window, "2026-02-01..2027-01-31" for a rolling one), reason.
        Before its first change a holder is at the lowest level (see :meth:`level_of`)."""
        return self._table("levels", self._impl.level_columns)

    def level_of(self, holder: str, on: Any = None) -> str:
        """The name of the status level `holder` (a participant's or partner's id) is at on a day (a
        date, datetime or "YYYY-MM-DD"; default: the program's last day): that of its last change in
        :attr:`levels` dated on or before the day, else the lowest level of the program's table; ""
        when the program has no levels."""
        if not isinstance(holder, str):
            raise TypeError(f"holder: expected an id (str), got {type(holder).__name__}")
        day = datetime.date.fromisoformat(_day(on, self._impl.last_day))
        if "level_names" not in self._cache:
            levels = (self._impl.program.to_python().get("points") or {}).get("levels") or {}
            self._cache["level_names"] = [level["name"] for level in levels.get("table") or ()]
        names = self._cache["level_names"]
        if not names:
            return ""
        changes = self._impl.level_columns()
        level = names[0]
        for on_day, who, name in zip(changes["date"].tolist(), changes["holder"], changes["level"]):
            if who == holder and on_day <= day:
                level = name
        return level

    @property
    def kpis(self) -> Any:
        """The KPI plan's report (a program with ``kpis``; empty otherwise), one row per KPI and month:
        kpi, month ("2027-04"), month_start, actual, target, cumulative_actual, cumulative_target
        (decimal.Decimal), attainment (cumulative actual / cumulative target, half-even to 4 places;
        None before any target), light (green, amber, red by the plan's thresholds, compared exactly;
        none before any target), of (the KPI the target is a percent of), ratio (the funnel:
        cumulative actual / that KPI's cumulative actual, half-even to 4 places)."""
        return self._table("kpis", self._impl.kpi_columns)

    def roi(self) -> Any:
        """The engagement and ROI report (a program with ``roi``; empty otherwise), one row per segment
        of partners, then "all": segment, partners (in the program; the control group left out),
        participating (earning anything), active (with sales), participation_rate and active_rate (4
        places), sales, baseline (the prior year's sales, or the control group's mean x partners;
        None when there is none), incremental, cost (money lines + points at their value + in-kind
        prizes), cost_share (cost / sales), incremental_margin, roi ((incremental margin - cost) /
        cost, 4 places), control_partners; exact decimal.Decimal amounts."""
        return self._table("roi", self._impl.roi_columns)

    def plot_kpis(self, path: Any) -> None:
        """Saves a chart of the KPI plan as a PNG at `path`: per KPI a panel of the monthly actual
        against the target (bars) and the year-to-date lines, each month marked with its traffic
        light. Needs matplotlib (``pip install incentives[plots]``)."""
        from ._plots import kpi_chart

        kpi_chart(self.kpis, path)

    @property
    def contests(self) -> Any:
        """Every contest's final standings (a program with ``contests``; empty otherwise), one row per
        competitor and round: contest, round (the round's period label), round_start, through (the
        last day the score counts), league ("" without leagues), position (1-based place in the
        league; 0 for the ineligible), rank (decimal.Decimal by the contest's method: 1224, 1334,
        1223, 1234 or fractional; None when not ranked), tied (competitors tied with it on every key),
        competitor_type (partner, participant), competitor, partner, eligible, score
        (decimal.Decimal, exact; attainment as a fraction of plan rounded half-even to 6 places, ranked
        exactly), gap_to_next (the place ahead's score minus its own; None for the first), gap_to_cut
        (the last winner's score minus its own; None for winners), winner, prize (the place prize:
        money, points, a fund credit, or an in-kind prize's declared value), step_prize (its shares of
        the step pots), item (an in-kind prize), why (a place's story, or why it may not compete).
        Prizes in cash, points or a fund are also lines in :attr:`payouts` (rule: the contest's id)."""
        return self._table("contests", self._impl.standing_columns)

    @property
    def winners(self) -> Any:
        """The rows of :attr:`contests` that win (a place prize or an in-kind prize)."""
        table = self.contests
        if isinstance(table, list):  # without pandas
            return [row for row in table if row["winner"]]
        return table[table["winner"]].reset_index(drop=True)

    def leaderboard(self, contest: str, as_of: Any = None) -> Any:
        """A contest's boards as of a day (a date, datetime or "YYYY-MM-DD"; default: the final
        boards), with the columns of :attr:`contests`: every round started by the day, its score
        counting the score rule's periods that have ended by then (for a board at any day, run the
        events up to that day). Raises incentives.ConfigError for an unknown contest."""
        if not isinstance(contest, str):
            raise TypeError(f"contest: expected the contest's id (str), got {type(contest).__name__}")
        return frame(self._impl.leaderboard_columns(contest, None if as_of is None else _day(as_of, "")))

    def rank_history(self, contest: str) -> Any:
        """The board at the end of each of the score rule's periods, in the round that holds it (the
        columns of :attr:`contests`; ``through`` tells the boards apart): how each competitor's place
        moved over the round."""
        if not isinstance(contest, str):
            raise TypeError(f"contest: expected the contest's id (str), got {type(contest).__name__}")
        return frame(self._impl.history_columns(contest))

    def plot_leaderboard(self, contest: str, path: Any, as_of: Any = None) -> None:
        """Saves a bar chart of a contest's board (the last round, each league a panel: score per
        competitor in place order, winners highlighted, the prize cut marked) as a PNG at `path`.
        Needs matplotlib (``pip install incentives[plots]``)."""
        from ._plots import leaderboard_chart

        leaderboard_chart(self.leaderboard(contest, as_of), contest, path)

    @property
    def points_id(self) -> str:
        """The id of the program's points ("" without points): the currency of the points rules' lines."""
        return self._impl.points_id

    def points_balances(self, as_of: Any = None) -> Any:
        """Every holder's points as of a day (a date, datetime or "YYYY-MM-DD"; default: the program's
        last day), one row per holder by holder id: holder_type, holder, partner, as_of, balance (its
        lots' remainder less any debt), pending, available (balance - pending), debt, and what of its
        lots expires in 0-30, 31-60 and 61-90 days (expiring_30, expiring_60, expiring_90). Entries
        dated after the day are not counted."""
        return frame(self._impl.points_balance_columns(_day(as_of, self._impl.last_day)))

    def liability(self, as_of: Any = None) -> PointsLiability:
        """The program's points liability as of a day (a date, datetime or "YYYY-MM-DD"; default: the
        program's last day), from the entries dated by then: a :class:`PointsLiability`. A program
        without points has none: :class:`ConfigError` (code ``incentives.config.points``)."""
        fields = self._impl.points_liability(_day(as_of, self._impl.last_day))
        fields["as_of"] = datetime.date.fromisoformat(fields["as_of"])
        fields["by_age"] = frame(fields["by_age"])
        return PointsLiability(**fields)

    @property
    def total(self) -> decimal.Decimal:
        """The exact sum of every money line (the lines of points rules are points: left out)."""
        return self._impl.total

    @property
    def currency(self) -> str:
        return self._impl.currency

    @property
    def program(self) -> Program:
        """The program that ran."""
        from ._program import Program

        return Program._wrap(self._impl.program)

    @property
    def events_seen(self) -> int:
        """Events added (duplicates ignored by the program's policy not included)."""
        return self._impl.events_seen

    @property
    def duplicates_ignored(self) -> int:
        return self._impl.duplicates_ignored

    @property
    def events_outside_program(self) -> int:
        """Events dated outside the program's dates (growth baselines included): never paid."""
        return self._impl.events_outside_program

    @property
    def unknown_kinds(self) -> dict[str, int]:
        """Events of kinds that no rule selects, counted by kind (the program's ``unknown_kinds: warn``,
        the default; :meth:`Program.run` also warns with :class:`UnknownKindWarning`)."""
        return self._impl.unknown_kinds

    def rerun(self, variant: Program, threads: int = 1) -> Result:
        """What `variant` pays for the same events: the pay step, reusing this run's measures instead
        of reading and accumulating the events again (see :meth:`Program.with_changes`).

        The variant may change rates, tiers, thresholds, accelerators, caps, floors, budgets and the
        rounding mode; it must keep the rules' ids, selection, measure, credit and periods. Otherwise
        :class:`ValidationError` (code ``incentives.validation.variant``) names what it changed: run
        the variant over the events with :meth:`Program.run`."""
        from ._program import Program

        if not isinstance(variant, Program):
            raise TypeError(f"rerun takes a Program, got {type(variant).__name__}")
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads is a number of threads, at least 1; got {threads!r}")
        return Result(_core.settle(self._impl, variant._impl, threads))

    def deltas(self, paid: Any) -> Any:
        """What this run pays against what was already `paid`, as corrections: one row per rule,
        beneficiary and period where they differ, with paid, now and delta (now - paid, exact
        decimal.Decimal: positive is owed, negative is to recover), and corrects (the references of
        the paid rows it corrects). Nothing paid is rewritten.

        `paid` is a table (DataFrame, dict of columns or list of dicts) with rule, beneficiary,
        period, amount and optionally beneficiary_type, currency and reference (a row without a
        reference is named "paid row N"); an earlier run's :attr:`payouts` reads as it is. A paid
        row naming a rule, beneficiary or period the program could not pay is an :class:`InputError`
        naming the row and field."""
        from . import _tables

        columns = _tables.columns_of(paid, "paid")
        if columns is None:
            raise TypeError("paid: expected a table of paid lines, got None")
        return frame(self._impl.delta_columns(columns))

    def totals(self, by: Union[str, Sequence[str]] = ("rule", "period", "segment")) -> Any:
        """Exact sums of the money lines' amounts, one row per value of the keys `by`, in key order
        (rules in program order, periods in time order): the key columns, amount (decimal.Decimal) and
        lines (how many lines were summed). The lines of points rules are points, not money: left out,
        as in :attr:`total` (they are in :attr:`payouts`; their cost is :meth:`liability`).

        Keys: rule, beneficiary_type, beneficiary, partner, period, kind, currency; the partner's
        segment, group, region, tier and partner_name (from the partners table); partner.<attribute>.
        Lines paying the program as a whole have empty partner keys. ``by=()`` gives the grand total.
        """
        keys = [by] if isinstance(by, str) else list(by)
        return frame(self._impl.totals(keys))

    def explain(self, beneficiary: str) -> str:
        """Every line of one partner or participant with its trace: measure, tier, rate, each modifier
        step, notes and the contributing events, as the command line's ``explain`` prints it."""
        return self._impl.explain(beneficiary)

    def statement(self, partner: str) -> str:
        """A partner's statement: its lines and those of its people, the total, what to pay by
        beneficiary and period, and its fund accounts (MDF, co-op) as of the program's last day:
        balance, reserved, available and what expires within 30, 31-60 and 61-90 days; then the points
        of the partner and its people (balance, pending, available, debt, what expires), as
        :meth:`points_balances` gives them. The lines of points rules are marked with the points' id
        and left out of the total."""
        return self._impl.statement(partner)

    def __reduce__(self) -> tuple[Any, ...]:
        """A Result pickles as its program, catalog and measures (``partial()``), not its lines: the
        pickle is as small as the measures, and unpickling settles them again into the same lines."""
        from ._program import Program

        core = self._impl
        variant = core.variant_program
        return (
            _restored,
            (
                Program._wrap(core.base_program),
                core.catalog,
                core.partial(),
                core.event_ids,
                None if variant is None else Program._wrap(variant),
            ),
        )

    def __len__(self) -> int:
        return len(self._impl)

    def __repr__(self) -> str:
        return (
            f"<Result of {self._impl.program.name!r}: {len(self)} lines, total {self.total} {self.currency}, "
            f"{self.events_seen} events>"
        )


def _restored(program: Any, catalog: Any, partial: bytes, event_ids: bool, variant: Any) -> Result:
    """A pickled Result: its measures settled again (Result.__reduce__)."""
    core = _core.combine(program._impl, catalog, [partial], event_ids)
    if variant is not None:
        core = _core.settle(core, variant._impl)
    return Result(core)
