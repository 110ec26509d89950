"""compare(): several variants of a program run over the same data, and what changes between them."""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

from . import _core, _tables
from ._errors import ValidationError
from ._frames import EXACT, frame
from ._program import Program
from ._result import Result

__all__ = ["compare", "Comparison"]

_ZERO = decimal.Decimal(0)
# The code of the error the pay step raises for a program that is not a variant of the first.
_VARIANT = "incentives.validation.variant"


def _labels(programs: Union[Sequence[Program], Mapping[str, Program]]) -> list[tuple[str, Program]]:
    """(label, program) pairs: a mapping's keys, or the programs' names made unique ("name (2)")."""
    pairs = list(programs.items()) if isinstance(programs, Mapping) else [(None, p) for p in programs]
    out: list[tuple[str, Program]] = []
    seen: set[str] = set()
    for label, program in pairs:
        if not isinstance(program, Program):
            raise TypeError(f"compare takes Programs, got {type(program).__name__}")
        if label is None:
            label = program.name
        unique, n = str(label), 1
        while unique in seen:
            n += 1
            unique = f"{label} ({n})"
        seen.add(unique)
        out.append((unique, program))
    if len(out) < 2:
        raise ValueError("compare needs at least two programs")
    return out


def _rows(columns: dict[str, Any]) -> list[dict[str, Any]]:
    names = list(columns)
    return [dict(zip(names, row)) for row in zip(*(list(c) for c in columns.values()))]


class Comparison:
    """Variants of a program run over the same events (see :func:`compare`).

    ``labels`` names the variants in order; ``results[label]`` is each variant's :class:`Result`.
    Every ``difference`` is the second variant minus the first. Amounts are exact decimal.Decimal.
    """

    __slots__ = ("labels", "results")

    def __init__(self, labels: list[str], results: dict[str, Result]) -> None:
        self.labels = labels
        self.results = results

    def _wide(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        """One row per key value over all variants: the keys, an amount per variant (0 where a
        variant pays nothing), and difference; in first-seen order."""
        table: dict[tuple[Any, ...], dict[str, Any]] = {}
        for label in self.labels:
            for row in _rows(self.results[label]._impl.totals(list(keys))):
                k = tuple(row[key] for key in keys)
                entry = table.setdefault(k, {**{key: row[key] for key in keys}, **{lb: _ZERO for lb in self.labels}})
                entry[label] = row["amount"]
        first, second = self.labels[0], self.labels[1]
        for entry in table.values():
            entry["difference"] = EXACT.subtract(entry[second], entry[first])
        return list(table.values())

    @property
    def cost(self) -> Any:
        """What each variant pays, by rule and partner segment: program (the label), rule, segment,
        amount."""
        rows = []
        for label in self.labels:
            for row in _rows(self.results[label]._impl.totals(["rule", "segment"])):
                rows.append({"program": label, "rule": row["rule"], "segment": row["segment"], "amount": row["amount"]})
        return frame(_columns(rows, ["program", "rule", "segment", "amount"]))

    def cost_by(self, by: Union[str, Sequence[str]] = "rule") -> Any:
        """The cost side by side: the keys `by` (as in :meth:`Result.totals`), one amount column per
        variant, and difference (second minus first)."""
        keys = [by] if isinstance(by, str) else list(by)
        return frame(_columns(self._wide(keys), [*keys, *self.labels, "difference"]))

    @property
    def by_beneficiary(self) -> Any:
        """One row per beneficiary paid by any variant: beneficiary_type, beneficiary, partner, an
        amount per variant, and difference (second minus first)."""
        keys = ["beneficiary_type", "beneficiary", "partner"]
        return frame(_columns(self._wide(keys), [*keys, *self.labels, "difference"]))

    def movers(self, n: int = 10) -> Any:
        """The `n` beneficiaries who gain most and the `n` who lose most from the first variant to the
        second: the rows of :attr:`by_beneficiary` with a column move ("gain" or "loss"), the gains
        largest first, then the losses largest first. Beneficiaries whose amount does not change are
        left out."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n is a count, got {n!r}")
        keys = ["beneficiary_type", "beneficiary", "partner"]
        rows = self._wide(keys)
        gains = sorted((r for r in rows if r["difference"] > 0), key=lambda r: (-r["difference"], r["beneficiary"]))
        losses = sorted((r for r in rows if r["difference"] < 0), key=lambda r: (r["difference"], r["beneficiary"]))
        picked = [{"move": "gain", **r} for r in gains[:n]] + [{"move": "loss", **r} for r in losses[:n]]
        return frame(_columns(picked, ["move", *keys, *self.labels, "difference"]))

    def __repr__(self) -> str:
        totals = ", ".join(f"{label}: {self.results[label].total}" for label in self.labels)
        return f"<Comparison of {len(self.labels)} variants: {totals}>"


def _columns(rows: list[dict[str, Any]], names: list[str]) -> dict[str, list[Any]]:
    return {name: [r[name] for r in rows] for name in names}


def compare(
    programs: Union[Sequence[Program], Mapping[str, Program]],
    events: Any,
    partners: Any = None,
    participants: Any = None,
    products: Any = None,
    plans: Any = None,
    threads: int = 1,
    *,
    amount_scale: Optional[int] = None,
    quantity_scale: Optional[int] = None,
) -> Comparison:
    """Runs every program over the same tables (converted once) and compares them.

    `programs` is a list of Programs (labelled by name, made unique as "name (2)") or a dict
    {label: Program}. The tables and options are those of :meth:`Program.run`.

    The events are read and accumulated once, for the first program; every other program that is a
    variant of it (see :meth:`Result.rerun`) is paid from the same measures, and one that is not (other
    selection, measure, credit or periods) is run over the events on its own.
    """
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads is a number of threads, at least 1; got {threads!r}")
    pairs = _labels(programs)
    table = _tables.event_table(events, amount_scale, quantity_scale, hint_scale=pairs[0][1].amount_scale)
    catalog = _tables.catalog(partners, participants, products, plans)
    first = _core.run(pairs[0][1]._impl, table, catalog, threads, False)
    results = {pairs[0][0]: Result(first)}
    for label, program in pairs[1:]:
        try:
            core = _core.settle(first, program._impl, threads)
        except ValidationError as e:
            if e.code != _VARIANT:
                raise
            core = _core.run(program._impl, table, catalog, threads, False)
        results[label] = Result(core)
    return Comparison([label for label, _ in pairs], results)
