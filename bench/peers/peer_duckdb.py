"""The peer program (program.yaml) as one DuckDB query over DECIMAL(18,2) amounts.

    python peer_duckdb.py --data DIR --out TOTALS.csv [--threads N]

Timing: "load_s" creates an in-memory database with `SET threads = N` and loads events.csv into a
typed table (DATE, INTEGER quantity, DECIMAL(18,2) amount); "seconds" is the one query from that
table to the partner totals, fetched into Python as decimal.Decimal. Writing TOTALS.csv is not timed.
The last stdout line is the timing as JSON.

DuckDB's round() on a DECIMAL rounds ties away from zero, and `/` on DECIMALs gives a DOUBLE, so the
query rounds half-even explicitly with floor and exact DECIMAL products (see round_half_even_sql).
"""
from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import duckdb

import contestant

EVENT_COLUMNS = {"id": "VARCHAR", "kind": "VARCHAR", "date": "DATE", "partner": "VARCHAR",
                 "sku": "VARCHAR", "quantity": "INTEGER", "amount": "DECIMAL(18,2)"}


def round_half_even_sql(x: str) -> str:
    """SQL for the exact DECIMAL `x` rounded to an integer, ties to even (any sign)."""
    return (f"(floor({x}) + CASE WHEN {x} - floor({x}) > 0.5"
            f" OR ({x} - floor({x}) = 0.5 AND floor({x}) % 2 <> 0) THEN 1 ELSE 0 END)")


# Per partner and quarter: the volume V and the X200 units. `cents` is V x rate in cents (V x 3.5
# for 3.5%), an exact DECIMAL; the rebate is it rounded half-even, capped at 4,000.00. Quarters
# without X200 sales get a spiff of 0, which the totals ignore.
QUERY = f"""
WITH per_quarter AS (
    SELECT partner, quarter(date) AS q, sum(amount) AS volume,
           sum(CASE WHEN sku = 'X200' THEN quantity ELSE 0 END) AS x200_units
    FROM events
    WHERE kind = 'sale' AND date BETWEEN DATE '2027-01-01' AND DATE '2027-12-31'
    GROUP BY partner, q
), priced AS (
    SELECT partner, x200_units,
           volume * CASE WHEN volume >= 150000 THEN 3.5 WHEN volume >= 50000 THEN 2 ELSE 1 END AS cents
    FROM per_quarter
)
SELECT partner,
       sum(least({round_half_even_sql("cents")} * 0.01, 4000.00) + x200_units * 40.00) AS total
FROM priced
GROUP BY partner
ORDER BY partner
"""


def load(con: duckdb.DuckDBPyConnection, events_csv: Path) -> None:
    con.execute("CREATE TABLE events AS SELECT * FROM read_csv(?, header = true, columns = ?)",
                [str(events_csv), EVENT_COLUMNS])


def partner_totals(con: duckdb.DuckDBPyConnection) -> list[tuple[str, Decimal]]:
    rows = con.execute(QUERY).fetchall()
    if rows and not isinstance(rows[0][1], Decimal):
        raise TypeError(f"the query's total is {type(rows[0][1]).__name__}, not an exact DECIMAL")
    return rows


def main() -> None:
    a = contestant.arguments(__doc__)

    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {int(a.threads)}")
    load(con, a.data / "events.csv")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows = partner_totals(con)
    seconds = time.perf_counter() - t0
    contestant.write_totals(a.out, rows)
    contestant.report(seconds, load_s, a.threads, f"DuckDB {duckdb.__version__}")


if __name__ == "__main__":
    main()
