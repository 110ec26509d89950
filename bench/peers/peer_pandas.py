"""The peer program (program.yaml) in pandas/numpy with integer cents: groupby sums, vectorised tier
selection, half-even rounding and the cap in int64 arithmetic. No float touches an amount.

    python peer_pandas.py --data DIR --out TOTALS.csv [--threads N]   (single-threaded: N is ignored)

Timing: "load_s" reads events.csv into typed columns (pandas.read_csv, dates as datetime64, amounts
as int64 cents by exact string splitting); "seconds" is the computation from that frame to the partner
totals (filter, quarter, groupby, tiers, rounding, cap, spiff, sums). Writing TOTALS.csv is not
timed. The last stdout line is the timing as JSON.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

import contestant

GOLD_CENTS, SILVER_CENTS = 15_000_000, 5_000_000    # tier bounds, each in the higher tier
RATE_PER_MILLE = (35, 20, 10)                       # 3.5%, 2%, 1%
CAP_CENTS = 400_000
SPIFF_CENTS_PER_UNIT = 4_000


def div_round_half_even(num: np.ndarray, den: int) -> np.ndarray:
    """num / den rounded to an integer, ties to even, exactly in int64 (den > 0, any sign of num)."""
    q, r = np.divmod(num, den)                      # floor division: 0 <= r < den
    up = (2 * r > den) | ((2 * r == den) & (q % 2 == 1))
    return q + up


def cents_from_text(text: pd.Series) -> pd.Series:
    """Exact int64 cents from non-negative decimal strings with at most two places ("12", "12.5", "12.50")."""
    parts = text.str.partition(".")
    whole, fraction = parts[0], parts[2]
    if not (whole.str.isdigit().all() and fraction.str.len().le(2).all()):
        raise ValueError("amounts must be non-negative decimals with at most two places")
    fraction = fraction.str.pad(2, side="right", fillchar="0")
    return whole.astype(np.int64) * 100 + fraction.astype(np.int64)


def read_events(path: Path) -> pd.DataFrame:
    events = pd.read_csv(path, dtype={"id": str, "kind": str, "date": str, "partner": str, "sku": str,
                                      "quantity": np.int64, "amount": str}, keep_default_na=False)
    events["date"] = pd.to_datetime(events["date"], format="%Y-%m-%d")
    events["amount"] = cents_from_text(events["amount"])
    return events


def partner_totals(events: pd.DataFrame) -> pd.Series:
    """int64 cents by partner. A quarter without X200 sales gets a spiff of 0, which the totals ignore."""
    sales = events[(events["kind"] == "sale") & (events["date"].dt.year == 2027)]
    per_quarter = (sales.assign(quarter=sales["date"].dt.quarter,
                                x200=sales["quantity"].where(sales["sku"] == "X200", 0))
                   .groupby(["partner", "quarter"], sort=False)
                   .agg(volume=("amount", "sum"), x200=("x200", "sum")))
    volume = per_quarter["volume"].to_numpy(np.int64)
    rate = np.select([volume >= GOLD_CENTS, volume >= SILVER_CENTS], RATE_PER_MILLE[:2], RATE_PER_MILLE[2])
    rebate = np.minimum(div_round_half_even(volume * rate, 1000), CAP_CENTS)
    spiff = per_quarter["x200"].to_numpy(np.int64) * SPIFF_CENTS_PER_UNIT
    lines = pd.Series(rebate + spiff, index=per_quarter.index.get_level_values("partner"))
    return lines.groupby(level=0, sort=False).sum()


def text_from_cents(cents: np.ndarray) -> list[str]:
    sign = np.where(cents < 0, "-", "")
    whole, part = np.divmod(np.abs(cents), 100)
    return [f"{s}{w}.{p:02d}" for s, w, p in zip(sign, whole, part)]


def main() -> None:
    a = contestant.arguments(__doc__)

    t0 = time.perf_counter()
    events = read_events(a.data / "events.csv")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    totals = partner_totals(events)
    seconds = time.perf_counter() - t0
    contestant.write_totals(a.out, zip(totals.index, text_from_cents(totals.to_numpy())))
    contestant.report(seconds, load_s, 1, f"pandas {pd.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
