"""The peer program (program.yaml) through this library's Python API: Program.from_yaml, then
Program.run over pandas DataFrames.

    python peer_incentives_py.py --data DIR --out TOTALS.csv [--threads N]

Timing: "load_s" reads the program and the CSV files into DataFrames (the events as peer_pandas reads
them: datetime64 dates, int64 quantities, int64 cents passed with amount_scale=2); "seconds" is
`program.run(...)` alone: converting the frames, checking, encoding and accumulating the events, and
computing the payout lines. The partner totals (Result.totals) and writing TOTALS.csv are not timed.
The last stdout line is the timing as JSON.
"""
from __future__ import annotations

import time
from pathlib import Path

import incentives
import pandas as pd

import contestant
from peer_pandas import read_events

PROGRAM = Path(__file__).with_name("program.yaml")


def read_reference(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def main() -> None:
    a = contestant.arguments(__doc__)

    t0 = time.perf_counter()
    program = incentives.Program.from_yaml(PROGRAM)
    events = read_events(a.data / "events.csv")
    partners = read_reference(a.data / "partners.csv")
    products = read_reference(a.data / "products.csv")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = program.run(events, partners=partners, products=products, threads=a.threads, amount_scale=2)
    seconds = time.perf_counter() - t0
    totals = result.totals(by="beneficiary")
    contestant.write_totals(a.out, zip(totals["beneficiary"], totals["amount"]))
    contestant.report(seconds, load_s, a.threads, f"incentives {getattr(incentives, '__version__', '?')} (Python)")


if __name__ == "__main__":
    main()
