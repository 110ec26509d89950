"""The peer program (program.yaml) in Polars with integer cents, end to end: read_csv, exact cents,
group_by sums, tiers, half-even rounding and the cap in Int64 expressions. No float touches an amount.

    python peer_polars.py --data DIR --out TOTALS.csv [--threads N]

Timing: "seconds" is everything from the CSV file to the partner totals: pl.read_csv (dates parsed,
amounts read as text and turned into Int64 cents by exact string splitting, as peer_pandas does),
then the program as one lazy query. "load_s" is null: nothing is left out but writing TOTALS.csv.
The last stdout line is the timing as JSON.

Polars sizes its thread pool once, when it is imported, from POLARS_MAX_THREADS: the script sets it
from --threads before `import polars`.
"""
from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path

import contestant

if __name__ == "__main__":
    os.environ["POLARS_MAX_THREADS"] = str(contestant.arguments(__doc__).threads)

import polars as pl  # noqa: E402  (after POLARS_MAX_THREADS)

GOLD_CENTS, SILVER_CENTS = 15_000_000, 5_000_000    # tier bounds, each in the higher tier
RATE_PER_MILLE = (35, 20, 10)                       # 3.5%, 2%, 1%
CAP_CENTS = 400_000
SPIFF_CENTS_PER_UNIT = 4_000

EVENT_SCHEMA = {"id": pl.String, "kind": pl.String, "date": pl.Date, "partner": pl.String,
                "sku": pl.String, "quantity": pl.Int64, "amount": pl.String}
AMOUNT_SYNTAX = r"^[0-9]+(\.[0-9]{0,2})?$"          # what cents_from_text converts exactly


def div_round_half_even(num: pl.Expr, den: int) -> pl.Expr:
    """num / den rounded to an integer, ties to even, in integer arithmetic (den > 0, any sign of num)."""
    q = num // den                                  # floor division, as Python's: 0 <= r < den
    r = num - q * den
    up = (2 * r > den) | ((2 * r == den) & (q % 2 == 1))
    return q + up.cast(pl.Int64)


def cents_from_text(text: pl.Series) -> pl.Series:
    """Exact Int64 cents from non-negative decimal strings with at most two places ("12", "12.5", "12.50")."""
    if text.null_count() or not text.str.contains(AMOUNT_SYNTAX).all():
        raise ValueError("amounts must be non-negative decimals with at most two places")
    parts = text.str.split_exact(".", 1).struct.unnest()
    whole, fraction = parts["field_0"], parts["field_1"].fill_null("")
    return whole.cast(pl.Int64) * 100 + fraction.str.pad_end(2, "0").cast(pl.Int64)


def read_events(path: Path) -> pl.DataFrame:
    events = pl.read_csv(path, schema_overrides=EVENT_SCHEMA)
    return events.with_columns(amount=cents_from_text(events["amount"]))


def partner_totals(events: pl.DataFrame) -> pl.DataFrame:
    """partner, total (Int64 cents). A quarter without X200 sales gets a spiff of 0, which the totals ignore."""
    volume = pl.col("volume")
    rate = (pl.when(volume >= GOLD_CENTS).then(RATE_PER_MILLE[0])
            .when(volume >= SILVER_CENTS).then(RATE_PER_MILLE[1])
            .otherwise(RATE_PER_MILLE[2]))
    rebate = pl.min_horizontal(div_round_half_even(volume * rate, 1000), CAP_CENTS)
    spiff = pl.col("x200") * SPIFF_CENTS_PER_UNIT
    totals = (events.lazy()
              .filter((pl.col("kind") == "sale") & (pl.col("date").dt.year() == 2027))
              .group_by("partner", pl.col("date").dt.quarter().alias("quarter"))
              .agg(volume=pl.col("amount").sum(),
                   x200=pl.col("quantity").filter(pl.col("sku") == "X200").sum())
              .with_columns(line=rebate + spiff)
              .group_by("partner")
              .agg(total=pl.col("line").sum())
              .collect())
    if totals.schema["total"] != pl.Int64:         # a float anywhere above would show here
        raise TypeError(f"the totals are {totals.schema['total']}, not Int64 cents")
    return totals


def main() -> None:
    a = contestant.arguments(__doc__)
    if pl.thread_pool_size() != a.threads:
        raise RuntimeError(f"Polars runs {pl.thread_pool_size()} threads, not {a.threads}")

    t0 = time.perf_counter()
    totals = partner_totals(read_events(a.data / "events.csv"))
    seconds = time.perf_counter() - t0
    contestant.write_totals(a.out, ((p, Decimal(c).scaleb(-2)) for p, c in totals.iter_rows()))
    contestant.report(seconds, None, a.threads, f"Polars {pl.__version__}")


if __name__ == "__main__":
    main()
