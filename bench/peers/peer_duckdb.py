"""The peer program (program.yaml) as one DuckDB query over DECIMAL(18,2) amounts.

    python peer_duckdb.py --data DIR --out TOTALS.csv [--threads N] [--end-to-end]

Timing: "load_s" creates an in-memory database with `SET threads = N` and loads events.csv into a
typed table (DATE, INTEGER quantity, DECIMAL(18,2) amount); "seconds" is the one query from that
table to the partner totals, fetched into Python as decimal.Decimal. With --end-to-end, "seconds" is
both (connect, SET threads, the load and the query) and "load_s" is null. Writing TOTALS.csv is not
timed. The last stdout line is the timing as JSON.

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


# The partner totals (contestant.totals_query), with DuckDB's quarter().
QUERY = contestant.totals_query("quarter(date)", round_half_even_sql)


def load(con: duckdb.DuckDBPyConnection, events_csv: Path) -> None:
    con.execute("CREATE TABLE events AS SELECT * FROM read_csv(?, header = true, columns = ?)",
                [str(events_csv), EVENT_COLUMNS])


def partner_totals(con: duckdb.DuckDBPyConnection) -> list[tuple[str, Decimal]]:
    rows = con.execute(QUERY).fetchall()
    if rows and not isinstance(rows[0][1], Decimal):
        raise TypeError(f"the query's total is {type(rows[0][1]).__name__}, not an exact DECIMAL")
    return rows


def main() -> None:
    ap = contestant.parser(__doc__)
    ap.add_argument("--end-to-end", action="store_true",
                    help="time connecting and loading the CSV file too")
    a = ap.parse_args()

    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {int(a.threads)}")
    load(con, a.data / "events.csv")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rows = partner_totals(con)
    seconds = time.perf_counter() - t0
    if a.end_to_end:  # one figure from the CSV file to the totals, as the CLI's
        seconds, load_s = load_s + seconds, None
    contestant.write_totals(a.out, rows)
    contestant.report(seconds, load_s, a.threads, f"DuckDB {duckdb.__version__}")


if __name__ == "__main__":
    main()
