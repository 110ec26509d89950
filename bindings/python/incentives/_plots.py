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
