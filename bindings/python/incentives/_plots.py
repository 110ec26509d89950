"""Charts saved as PNG (matplotlib, the ``plots`` extra). Amounts are drawn, never computed, here:
a bar's height is the exact score converted for the picture only."""

from __future__ import annotations

from typing import Any


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")  # files, not windows
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("charts need matplotlib: pip install 'incentives[plots]'") from e
    return plt


def _day_text(value: Any) -> str:
    """A day as YYYY-MM-DD (pandas gives Timestamps, the list form datetime.date)."""
    day = value.date() if hasattr(value, "date") and callable(value.date) else value
    return day.isoformat() if hasattr(day, "isoformat") else str(day)


def leaderboard_chart(board: Any, contest: str, path: Any) -> None:
    """A contest's last round as bars per league: score per competitor in place order, winners in a
    strong colour, the ineligible left out, a line at the prize cut (the last winner's score)."""
    plt = _pyplot()
    rows = board.to_dict("records") if hasattr(board, "to_dict") else list(board)
    rows = [r for r in rows if r["eligible"]]
    if not rows:
        raise ValueError(f"contest {contest!r} has no ranked competitor to draw")
    last_round = max(r["round_start"] for r in rows)
    rows = [r for r in rows if r["round_start"] == last_round]
    leagues = sorted({r["league"] for r in rows})
    fig, axes = plt.subplots(len(leagues), 1, figsize=(9, 2.2 + 1.6 * len(leagues)), squeeze=False)
    for ax, league in zip(axes[:, 0], leagues):
        members = sorted((r for r in rows if r["league"] == league), key=lambda r: r["position"])
        names = [r["competitor"] for r in members]
        scores = [float(r["score"]) for r in members]  # drawing only
        colours = ["#1f6f3f" if r["winner"] else "#9db8c9" for r in members]
        ax.bar(range(len(names)), scores, color=colours)
        ax.set_xticks(range(len(names)), names, rotation=45 if len(names) > 12 else 0, fontsize=8)
        winners = [r for r in members if r["winner"]]
        if winners and len(winners) < len(members):
            ax.axhline(float(winners[-1]["score"]), color="#b03030", linestyle="--", linewidth=1, label="prize cut")
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
        for i, r in enumerate(members):
            if r["winner"]:
                ax.annotate(str(r["rank"]), (i, scores[i]), ha="center", va="bottom", fontsize=8)
        ax.set_title(f"{contest} {members[0]['round']}" + (f", league {league}" if league else "") + f" (through {_day_text(members[0]['through'])})",
                     fontsize=10)
        ax.set_ylabel("score")
        ax.margins(y=0.12)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


_LIGHTS = {"green": "#2e8b57", "amber": "#e0a100", "red": "#c0392b", "none": "#bbbbbb"}


def kpi_chart(report: Any, path: Any) -> None:
    """One panel per KPI: monthly actual and target as bars, cumulative actual and target as lines,
    a dot per month in the colour of its light."""
    plt = _pyplot()
    rows = report.to_dict("records") if hasattr(report, "to_dict") else list(report)
    if not rows:
        raise ValueError("the program has no KPI plan to draw")
    kpis = list(dict.fromkeys(r["kpi"] for r in rows))
    fig, axes = plt.subplots(len(kpis), 1, figsize=(10.5, 2.4 + 2.2 * len(kpis)), squeeze=False)
    for ax, kpi in zip(axes[:, 0], kpis):
        series = [r for r in rows if r["kpi"] == kpi]
        x = list(range(len(series)))
        months = [r["month"] for r in series]
        width = 0.38
        ax.bar([i - width / 2 for i in x], [float(r["target"]) for r in series], width, color="#d5dde5", label="target")
        ax.bar([i + width / 2 for i in x], [float(r["actual"]) for r in series], width, color="#4a6f8a", label="actual")
        twin = ax.twinx()
        twin.plot(x, [float(r["cumulative_target"]) for r in series], color="#8899aa", linestyle="--", label="target YTD")
        twin.plot(x, [float(r["cumulative_actual"]) for r in series], color="#1d3557", label="actual YTD")
        twin.scatter(x, [float(r["cumulative_actual"]) for r in series], c=[_LIGHTS.get(r["light"], "#bbbbbb") for r in series],
                     s=60, zorder=3, edgecolors="black", linewidths=0.5)
        twin.set_ylabel("year to date")
        ax.set_xticks(x, months, fontsize=8)
        of = series[0]["of"]
        ax.set_title(kpi + (f" (target: a percent of {of})" if of else "") + ": dots = the light on the year to date", fontsize=10)
        handles = ax.get_legend_handles_labels()
        twin_handles = twin.get_legend_handles_labels()
        ax.legend(handles[0] + twin_handles[0], handles[1] + twin_handles[1], loc="upper left", bbox_to_anchor=(1.1, 1.0), fontsize=7)
        twin.set_ylim(bottom=0)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
