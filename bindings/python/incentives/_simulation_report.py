"""A budget simulation as charts (PNG, matplotlib: the ``plots`` extra) and as one self-contained HTML
page. Amounts are drawn and printed, never computed, here: a float only for a picture, the exact
decimal text (str of the Decimal) in every table and figure."""

from __future__ import annotations

import base64
import html
import math
import numbers
import os
import tempfile
from pathlib import Path
from typing import Any

from ._plots import _pyplot


def _records(table: Any) -> list[dict[str, Any]]:
    """A table's rows as dicts (a DataFrame, a list of dicts, or None for none)."""
    if table is None:
        return []
    return table.to_dict("records") if hasattr(table, "to_dict") else list(table)


def _cost_row(sim: Any) -> dict[str, Any]:
    for row in _records(sim.summary):
        if row["item"] == "cost":
            return row
    raise ValueError("the simulation's summary has no 'cost' row")


def _money(value: Any, currency: str) -> str:
    return "none" if value is None else f"{value} {currency}"


def _step_text(step: Any) -> str:
    return f"{float(step) * 100:+g}%"  # a label only


# ---- charts ------------------------------------------------------------------------------------------


def _cost_chart(sim: Any, path: Path) -> None:
    """The histogram of the scenarios' total cost, P50, P90 and the budget marked."""
    plt = _pyplot()
    costs = [float(c) for c in sim.totals["cost"]]  # drawing only
    cost = _cost_row(sim)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.hist(costs, bins=max(10, min(60, len(costs) // 25)), color="#9db8c9", edgecolor="#4a6f8a", linewidth=0.4)
    lines = [("P50", cost["p50"], "#1d3557", "--"), ("P90", cost["p90"], "#e0a100", "--")]
    if sim.budget is not None:
        lines.append(("budget", sim.budget, "#c0392b", "-"))
    for name, value, colour, style in lines:
        ax.axvline(float(value), color=colour, linestyle=style, linewidth=1.5, label=f"{name} {value} {sim.currency}")
    ax.set_title(f"{sim.program}: total cost over {sim.scenarios} scenarios (seed {sim.seed})", fontsize=10)
    ax.set_xlabel(f"total cost ({sim.currency})")
    ax.set_ylabel("scenarios")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _tornado_chart(sim: Any, path: Path) -> None:
    """Per assumption the change of P90 (and, lighter and thinner, of P50) against the base run at its
    lowest and highest step; the widest swing on top."""
    plt = _pyplot()
    by_assumption: dict[str, list[dict[str, Any]]] = {}
    for row in _records(sim.sensitivity):
        by_assumption.setdefault(row["assumption"], []).append(row)
    bars = []
    for assumption, rows in by_assumption.items():
        low, high = min(rows, key=lambda r: r["step"]), max(rows, key=lambda r: r["step"])
        swing = abs(float(high["delta_p90"]) - float(low["delta_p90"]))
        if low is high:  # one step only: its own size is the swing
            swing = abs(float(low["delta_p90"]))
        bars.append((swing, assumption, low, high))
    bars.sort(key=lambda b: b[0])  # barh draws upwards: the widest last, so on top
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.55 * len(bars)))
    for y, (_, _, low, high) in enumerate(bars):
        for row, strong, light, side in ((low, "#4a6f8a", "#a9c1d3", "low"), (high, "#c0392b", "#e6a39b", "high")):
            if side == "high" and high is low:
                continue
            ax.barh(y, float(row["delta_p90"]), height=0.7, color=strong, label=f"{side} step: P90")
            ax.barh(y, float(row["delta_p50"]), height=0.3, color=light, label=f"{side} step: P50")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(bars)), [f"{a} ({_step_text(lo['step'])} / {_step_text(hi['step'])})" if lo is not hi
                                     else f"{a} ({_step_text(lo['step'])})" for _, a, lo, hi in bars], fontsize=8)
    ax.set_xlabel(f"change of P90 vs base ({sim.currency})")
    ax.set_title(f"{sim.program}: sensitivity of the cost (bars: P90, thin: P50)", fontsize=10)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))  # one legend entry per kind of bar
    ax.legend(unique.values(), unique.keys(), loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _winners_chart(sim: Any, path: Path) -> None:
    """One small panel per contest and tier: the share of scenarios with each number of winners."""
    plt = _pyplot()
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in _records(sim.winners):
        groups.setdefault((row["by"], row["key"]), []).append(row)
    columns = min(3, len(groups))
    lines = math.ceil(len(groups) / columns)
    fig, axes = plt.subplots(lines, columns, figsize=(3.4 * columns, 0.6 + 2.4 * lines), squeeze=False)
    for ax, ((by, key), rows) in zip(axes.flat, groups.items()):
        rows.sort(key=lambda r: r["count"])
        counts = [int(r["count"]) for r in rows]
        ax.bar(counts, [float(r["share"]) for r in rows], color="#4a6f8a")  # drawing only
        ax.set_xticks(counts)
        ax.set_title(f"{by} {key}", fontsize=9)
        ax.set_xlabel("winners" if by == "contest" else "qualifiers", fontsize=8)
        ax.set_ylabel("share of scenarios", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.margins(y=0.12)
    for ax in list(axes.flat)[len(groups):]:
        ax.set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def charts(sim: Any, directory: Any) -> dict[str, Path]:
    """Writes the simulation's charts as PNGs into `directory` (made if missing): cost.png always,
    tornado.png with sensitivity runs, winners.png with contests or tiers. Returns {"cost": path, ...}
    for the files written. Needs matplotlib (``pip install incentives[plots]``)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, draw, table in (("cost", _cost_chart, sim.totals), ("tornado", _tornado_chart, sim.sensitivity),
                              ("winners", _winners_chart, sim.winners)):
        if name != "cost" and not _records(table):
            continue
        path = directory / f"{name}.png"
        draw(sim, path)
        written[name] = path
    return written


# ---- the HTML report ---------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { margin-bottom: 0.2em; } .meta { color: #555; margin-top: 0; }
.figures { border: 1px solid #9db8c9; background: #f2f6f9; padding: 0.8em 1.2em; display: inline-block; }
.figures th { text-align: left; padding-right: 2em; font-weight: normal; color: #444; }
table.data { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
table.data th, table.data td { border: 1px solid #ccd; padding: 0.2em 0.6em; }
table.data th { background: #e8eef3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; } figure { margin: 1em 0; }
"""


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "<td></td>"
    if isinstance(value, numbers.Number) and not isinstance(value, bool):  # Decimal, int, numpy ints
        return f'<td class="num">{html.escape(str(value))}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def _table(title: str, table: Any) -> str:
    rows = _records(table)
    head = f"<h2>{html.escape(title)}</h2>\n"
    if not rows:
        return head + "<p>none</p>\n"
    columns = list(table.columns) if hasattr(table, "columns") else list(rows[0])
    header = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "\n".join("<tr>" + "".join(_cell(row[c]) for c in columns) + "</tr>" for row in rows)
    return head + f'<table class="data">\n<tr>{header}</tr>\n{body}\n</table>\n'


def _figures(sim: Any) -> str:
    """The key figures: P50, P90, the reserve and, with a budget, the chance and size of an overrun."""
    cost = _cost_row(sim)
    items = [("P50 (median cost)", _money(cost["p50"], sim.currency)), ("P90", _money(cost["p90"], sim.currency)),
             ("Reserve (P90 - P50)", _money(sim.reserve, sim.currency)), ("Budget", _money(sim.budget, sim.currency))]
    if sim.budget is not None:
        chance = "n/a" if sim.p_over_budget is None else f"{sim.p_over_budget * 100:.2f}%"  # exact Decimal rounding
        items += [("Chance of exceeding the budget", chance),
                  ("Expected overrun", _money(sim.expected_overrun, sim.currency))]
    rows = "\n".join(f"<tr><th>{html.escape(k)}</th><td class=\"num\">{html.escape(v)}</td></tr>" for k, v in items)
    return f'<table class="figures">\n{rows}\n</table>\n'


_CAPTIONS = {
    "cost": "Total cost per scenario, with P50, P90 and the budget",
    "tornado": "Sensitivity: change of P90 (and P50) against the base run",
    "winners": "Number of winners per contest and qualifiers per tier",
}


def report(sim: Any, path: Any) -> Path:
    """Writes the simulation as one HTML file at `path` (charts embedded, inline CSS, no script):
    the key figures, the charts, then the summary, by-rule, winners, schedule and sensitivity tables
    with exact decimal amounts. Written to a temporary file and renamed, so never left half written.
    Returns the path. Needs matplotlib (``pip install incentives[plots]``)."""
    path = Path(path)
    with tempfile.TemporaryDirectory() as scratch:  # the PNGs live only inside the page
        images = {name: base64.b64encode(p.read_bytes()).decode("ascii") for name, p in charts(sim, scratch).items()}
    title = f"Budget simulation: {sim.program}"
    meta = (f"{sim.scenarios} scenarios, seed {sim.seed}, currency {sim.currency}, "
            f"tax {sim.tax if sim.tax else 'none'}")
    figures = "".join(f'<figure><img alt="{html.escape(_CAPTIONS[name])}" src="data:image/png;base64,{data}">'
                      f"<figcaption>{html.escape(_CAPTIONS[name])}</figcaption></figure>\n"
                      for name, data in images.items())
    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
            f"<style>{_CSS}</style>\n</head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
            f'<p class="meta">{html.escape(meta)}</p>\n' + _figures(sim) + figures
            + _table(f"Cost by item ({sim.currency})", sim.summary)
            + _table("By rule, month, segment and contest", sim.by_rule)
            + _table("Winners per contest, qualifiers per tier", sim.winners)
            + _table("Payment schedule", sim.schedule)
            + _table("Sensitivity", sim.sensitivity)
            + "</body>\n</html>\n")
    # Beside the target, so the rename stays on one file system and is atomic.
    fd, scratch_file = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(page)
        os.chmod(scratch_file, 0o644)  # mkstemp makes it private; a report is an ordinary file
        os.replace(scratch_file, path)
    except BaseException:
        Path(scratch_file).unlink(missing_ok=True)
        raise
    return path
