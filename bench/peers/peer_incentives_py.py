"""The peer program (program.yaml) through this library's Python API: Program.from_yaml, then
Program.run over pandas DataFrames or a pyarrow Table.

    python peer_incentives_py.py --data DIR --out TOTALS.csv [--threads N] [--source pandas|arrow]

Timing: "load_s" reads the program and the CSV files: the partners and products into DataFrames, the
events as --source says: `pandas` as peer_pandas reads them (datetime64 dates, int64 quantities, int64
cents passed with amount_scale=2), `arrow` with pyarrow.csv into a Table (date32 dates, int64
quantities, decimal128(18, 2) amounts, which carry their scale); "seconds" is `program.run(...)`
alone: converting the tables, checking, encoding and accumulating the events, and computing the payout
lines. The partner totals (Result.totals) and writing TOTALS.csv are not timed. The last stdout line
is the timing as JSON.
"""
from __future__ import annotations

import time
from pathlib import Path

import incentives
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

import contestant
from peer_pandas import read_events

PROGRAM = Path(__file__).with_name("program.yaml")


def read_reference(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_arrow_events(path: Path) -> pa.Table:
    """The events as a pyarrow Table; its CSV reader parses decimal128 exactly (and refuses a third place)."""
    types = {"id": pa.string(), "kind": pa.string(), "date": pa.date32(), "partner": pa.string(),
             "sku": pa.string(), "reference": pa.string(), "quantity": pa.int64(),
             "amount": pa.decimal128(18, 2)}
    return pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(column_types=types))


def main() -> None:
    ap = contestant.parser(__doc__)
    ap.add_argument("--source", choices=("pandas", "arrow"), default="pandas",
                    help="the events as pandas DataFrame (int64 cents) or pyarrow Table (decimal128)")
    a = ap.parse_args()

    t0 = time.perf_counter()
    program = incentives.Program.from_yaml(PROGRAM)
    if a.source == "arrow":
        events, amount_scale = read_arrow_events(a.data / "events.csv"), None  # decimal128 has its scale
    else:
        events, amount_scale = read_events(a.data / "events.csv"), 2           # int64 cents
    partners = read_reference(a.data / "partners.csv")
    products = read_reference(a.data / "products.csv")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = program.run(events, partners=partners, products=products, threads=a.threads,
                         amount_scale=amount_scale)
    seconds = time.perf_counter() - t0
    totals = result.totals(by="beneficiary")
    contestant.write_totals(a.out, zip(totals["beneficiary"], totals["amount"]))
    contestant.report(seconds, load_s, a.threads, f"incentives {getattr(incentives, '__version__', '?')} (Python)")


if __name__ == "__main__":
    main()
