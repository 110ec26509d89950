"""Compare two variants of the reseller program: what if gold started at 200,000 EUR instead of 150,000?

    python examples/python/compare_variants.py [chart.png]    # needs the extra plots: pip install '.[plots]'

Runs the bundled program and a variant with a higher gold threshold over the bundled sample data,
prints the cost by rule and the partners who lose most, and saves a bar chart of the cost difference
by rule as a PNG (to the path given, or into a temporary directory). Exits non-zero if the chart was
not written or the variant does not cost less, and with status 2 (saying which extra to install) if
matplotlib or pandas is missing.
"""

import sys
import tempfile
from pathlib import Path

try:
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt
    import pandas as pd
except ModuleNotFoundError as missing:  # optional extras of the package: plots brings both
    print(f"this example needs matplotlib and pandas (no module {missing.name!r}): pip install '.[plots]' "
          "(in the repository root)", file=sys.stderr)
    sys.exit(2)

import incentives  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1]


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / "data" / f"{name}.csv", dtype=str, keep_default_na=False)


def main() -> int:
    current = incentives.Program.from_yaml(EXAMPLES / "programs" / "reseller.yaml")
    # The third tier of the volume rebate (gold, 3.5%) starts at 150,000; raise it to 200,000.
    variant = current.with_changes({"rules.volume-rebate.tiers.table[2].from": "200000"})

    comparison = incentives.compare(
        {"current": current, "gold at 200k": variant},
        events=read("events"),
        partners=read("partners"),
        participants=read("participants"),
        products=read("products"),
        plans=read("plans"),
    )

    by_rule = comparison.cost_by("rule")
    print(by_rule.to_string(index=False))
    print()
    print(comparison.movers(3).to_string(index=False))

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "cost_difference_by_rule.png"
    fig, ax = plt.subplots(figsize=(8, 4))
    # Amounts are exact decimal.Decimal; a chart only needs floats.
    ax.bar(by_rule["rule"], by_rule["difference"].astype(float), color="tab:blue")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel(f"difference ({current.currency})")
    ax.set_title("Cost difference by rule: gold at 200k minus current")
    ax.tick_params(axis="x", rotation=20)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    print(f"\nchart: {out}")

    saving = comparison.results["current"].total - comparison.results["gold at 200k"].total
    print(f"the variant saves {saving} {current.currency}")
    assert out.exists() and out.stat().st_size > 0, f"the chart {out} was not written"
    assert saving > 0, "raising the gold threshold should cost less"
    return 0


if __name__ == "__main__":
    sys.exit(main())
