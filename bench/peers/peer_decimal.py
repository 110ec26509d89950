"""The peer program (program.yaml) as an analyst would write it: the csv module and decimal.Decimal,
dicts keyed by (partner, quarter), ROUND_HALF_EVEN.

    python peer_decimal.py --data DIR --out TOTALS.csv [--threads N]   (single-threaded: N is ignored)

Timing: "load_s" reads events.csv into a list of rows (csv.reader); "seconds" is everything after
that, from the rows to the partner totals (filtering, Decimal parsing, sums, tiers, rounding, cap).
Writing TOTALS.csv is not timed. The last stdout line is the timing as JSON.
"""
from __future__ import annotations

import csv
import sys
import time
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import contestant

CENT = Decimal("0.01")
CAP = Decimal("4000.00")
SPIFF_PER_UNIT = Decimal("40.00")
GOLD, SILVER = Decimal("150000"), Decimal("50000")   # tier bounds, each in the higher tier


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, list(reader)


def rate_for(volume: Decimal) -> Decimal:
    if volume >= GOLD:
        return Decimal("0.035")
    return Decimal("0.02") if volume >= SILVER else Decimal("0.01")


def partner_totals(header: list[str], rows: list[list[str]]) -> dict[str, Decimal]:
    col = {name: i for i, name in enumerate(header)}
    kind, date, partner, sku, quantity, amount = (
        col["kind"], col["date"], col["partner"], col["sku"], col["quantity"], col["amount"])
    volume: dict[tuple[str, int], Decimal] = {}
    x200_units: dict[tuple[str, int], int] = {}
    for row in rows:
        d = row[date]
        if row[kind] != "sale" or not ("2027-01-01" <= d <= "2027-12-31"):
            continue
        key = (row[partner], (int(d[5:7]) - 1) // 3 + 1)
        volume[key] = volume.get(key, Decimal(0)) + Decimal(row[amount])
        if row[sku] == "X200":
            x200_units[key] = x200_units.get(key, 0) + int(row[quantity])

    totals: dict[str, Decimal] = {}
    for (p, _), v in volume.items():
        rebate = min((v * rate_for(v)).quantize(CENT, rounding=ROUND_HALF_EVEN), CAP)
        totals[p] = totals.get(p, Decimal(0)) + rebate
    for (p, _), units in x200_units.items():
        totals[p] = totals.get(p, Decimal(0)) + SPIFF_PER_UNIT * units
    return totals


def main() -> None:
    a = contestant.arguments(__doc__)

    t0 = time.perf_counter()
    header, rows = read_rows(a.data / "events.csv")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    totals = partner_totals(header, rows)
    seconds = time.perf_counter() - t0
    contestant.write_totals(a.out, totals.items())
    contestant.report(seconds, load_s, 1, f"Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
