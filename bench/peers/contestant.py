"""What every Python contestant of the peer comparison shares with the others: its command line
(--data DIR --out TOTALS.csv [--threads N]), the totals file run.py compares (partner,total sorted by
partner, totals as plain decimals) and the timing line run.py reads (JSON, the last line on stdout)."""
from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable


def parser(doc: str) -> argparse.ArgumentParser:
    """The shared command line; a contestant with options of its own adds them before parse_args()."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="a data set written by gen_data.py")
    ap.add_argument("--out", type=Path, required=True, help="where to write partner,total")
    ap.add_argument("--threads", type=int, default=1, help="threads, where the contestant has them")
    return ap


def arguments(doc: str) -> argparse.Namespace:
    return parser(doc).parse_args()


def write_totals(path: Path, totals: Iterable[tuple[str, Decimal | str]]) -> None:
    """Writes (partner, total) pairs sorted by partner; a Decimal is written without an exponent."""
    with open(path, "w", newline="") as f:
        f.write("partner,total\n")
        f.writelines(f"{p},{t if isinstance(t, str) else format(t, 'f')}\n" for p, t in sorted(totals))


def report(seconds: float, load_s: float | None, threads: int, version: str) -> None:
    """The timing line: `seconds` is what the table reports, `load_s` what it leaves out (None when
    nothing is left out)."""
    print(json.dumps({"seconds": seconds, "load_s": load_s, "threads": threads, "version": version}))


def totals_query(quarter: str, round_half_even_sql: Callable[[str], str]) -> str:
    """The SQL of the program, the same for every database but for its quarter-of-a-date expression
    and its half-even rounding (`round()` rounds ties away from zero in DuckDB and PostgreSQL).

    Per partner and quarter: the volume V and the X200 units. `cents` is V x rate in cents (V x 3.5
    for 3.5%), exact; the rebate is it rounded half-even, capped at 4,000.00. Quarters without X200
    sales get a spiff of 0, which the totals ignore."""
    return f"""
WITH per_quarter AS (
    SELECT partner, {quarter} AS q, sum(amount) AS volume,
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
