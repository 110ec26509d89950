"""The budget simulation's result (:meth:`Program.simulate`): what a program will cost, as a
distribution over scenarios, in DataFrames with exact ``decimal.Decimal`` amounts."""

from __future__ import annotations

import decimal
import json
import os
import pathlib
from typing import Any, Optional

from . import _core, _tables

_STATS = ["mean", "p50", "p90", "p95", "p99", "min", "max"]


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> Any:
    """A DataFrame when pandas is there, else the list of dicts (the package's rule for tables)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is an extra
        return rows
    return pd.DataFrame(rows, columns=columns)


def assumptions_text(assumptions: Any) -> tuple[str, str, str]:
    """(YAML text, source name, directory for a tax file it names) from a path or a dict."""
    if isinstance(assumptions, (str, os.PathLike)) and pathlib.Path(assumptions).is_file():
        path = pathlib.Path(assumptions)
        return path.read_text(encoding="utf-8"), str(path), str(path.parent)
    if isinstance(assumptions, str) and assumptions.rstrip().endswith((".yaml", ".yml")) and "\n" not in assumptions:
        raise _core_config_error(f"{assumptions}: cannot open the assumptions file")
    if isinstance(assumptions, dict):
        from ._program import _plain  # the exact-number check of Program.from_dict

        return json.dumps(_plain(assumptions, ""), indent=1, ensure_ascii=False), "<dict>", os.getcwd()
    if isinstance(assumptions, str):
        return assumptions, "<string>", os.getcwd()
    raise TypeError(f"assumptions are a dict, a YAML file or YAML text, not {type(assumptions).__name__}")


def _core_config_error(message: str) -> Exception:
    from ._errors import ConfigError

    return ConfigError(f"[incentives.config.file] {message}", "incentives.config.file")


class Simulation:
    """What a program costs over ``scenarios`` drawn scenarios (docs/simulation.md).

    Tables (pandas DataFrames of exact Decimals): ``summary`` (cost, cash, funds, points, in_kind,
    tax: mean, P50, P90, P95, P99, min, max), ``by_rule`` (per rule, month, segment, contest),
    ``winners`` (how often each number of winners per contest, or of lines per tier, occurred),
    ``sensitivity`` (P50 and P90 of the cost when each declared assumption moves by its step),
    ``schedule`` (expected accrual by month and the cumulative cost's quantiles) and ``totals`` (the
    cost of every scenario). Attributes: ``seed``, ``scenarios``, ``currency``, ``budget``,
    ``p_over_budget``, ``expected_overrun``, ``reserve`` (P90 - P50), ``program``, ``tax``.
    """

    def __init__(self, raw: dict[str, Any]) -> None:
        self.seed: int = raw["seed"]
        self.scenarios: int = raw["scenarios"]
        self.currency: str = raw["currency"]
        self.program: str = raw["program"]
        self.tax: Optional[str] = raw["tax"]
        self.gross_up: bool = raw["gross_up"]
        self.budget: Optional[decimal.Decimal] = raw["budget"]
        self.p_over_budget: Optional[decimal.Decimal] = raw["p_over_budget"]
        self.expected_overrun: Optional[decimal.Decimal] = raw["expected_overrun"]
        self.reserve: decimal.Decimal = raw["reserve"]
        self.summary = _frame([{"item": k, **dict(zip(_STATS, s))} for k, s in raw["summary"]], ["item", *_STATS])
        self.by_rule = _frame(
            [{"by": b, "key": k, **dict(zip(_STATS, s))} for b, k, s in raw["by"]], ["by", "key", *_STATS]
        )
        n = decimal.Decimal(self.scenarios)
        self.winners = _frame(
            [
                {"by": b, "key": k, "count": c, "scenarios": t, "share": (decimal.Decimal(t) / n).quantize(decimal.Decimal("0.000001"))}
                for b, k, c, t in raw["counts"]
            ],
            ["by", "key", "count", "scenarios", "share"],
        )
        base = {s[0]: s for s in raw["summary"]}["cost"][1]
        self.sensitivity = _frame(
            [
                {"assumption": a, "step": st, "p50": p50, "p90": p90, "delta_p50": p50 - base[1], "delta_p90": p90 - base[2]}
                for a, st, p50, p90 in raw["sensitivity"]
            ],
            ["assumption", "step", "p50", "p90", "delta_p50", "delta_p90"],
        )
        self.schedule = _frame(
            [
                {"month": m, "expected": e, "cumulative": c, "p50_cumulative": p50, "p90_cumulative": p90}
                for m, e, c, p50, p90 in raw["schedule"]
            ],
            ["month", "expected", "cumulative", "p50_cumulative", "p90_cumulative"],
        )
        self.totals = _frame([{"scenario": i, "cost": t} for i, t in enumerate(raw["totals"])], ["scenario", "cost"])

    def cost(self, statistic: str = "p50") -> decimal.Decimal:
        """One statistic of the total cost: mean, p50, p90, p95, p99, min or max."""
        if statistic not in _STATS:
            raise ValueError(f"statistic is one of {', '.join(_STATS)}; got {statistic!r}")
        rows = self.summary.to_dict("records") if hasattr(self.summary, "to_dict") else self.summary
        return next(r for r in rows if r["item"] == "cost")[statistic]

    def plot(self, directory: Any) -> dict[str, pathlib.Path]:
        """PNG charts in `directory`: cost.png (histogram with P50, P90 and the budget), tornado.png
        (sensitivity, when declared) and winners.png (when there are contests or tiers)."""
        from ._simulation_report import charts

        return charts(self, directory)

    def report(self, path: Any) -> pathlib.Path:
        """One self-contained HTML page with the key figures, the charts and every table."""
        from ._simulation_report import report

        return report(self, path)

    def __repr__(self) -> str:
        return (
            f"<Simulation of {self.program!r}: {self.scenarios} scenarios, seed {self.seed}, "
            f"P50 {self.cost('p50')} P90 {self.cost('p90')} {self.currency}>"
        )


def simulate(
    program: Any,
    history: Any,
    assumptions: Any,
    *,
    scenarios: Optional[int],
    seed: Optional[int],
    budget: Any,
    threads: int,
    partners: Any,
    participants: Any,
    products: Any,
    plans: Any,
    progress: Any,
) -> Simulation:
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads is a number of threads, at least 1; got {threads!r}")
    for name, value in (("scenarios", scenarios), ("seed", seed)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(f"{name} is a whole number; got {value!r}")
    if isinstance(budget, float):
        raise TypeError("budget is an exact amount: pass a str, int or decimal.Decimal, not a float")
    text, source, directory = assumptions_text(assumptions)
    table = None if history is None else _tables.event_table(history, hint_scale=program.amount_scale)
    catalog = _tables.catalog(partners, participants, products, plans)
    raw = _core.simulate(program._impl, table, catalog, text, source, directory, scenarios, seed, budget, threads, progress)
    return Simulation(raw)
