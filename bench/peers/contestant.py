"""What every Python contestant of the peer comparison shares with the others: its command line
(--data DIR --out TOTALS.csv [--threads N]), the totals file run.py compares (partner,total sorted by
partner, totals as plain decimals) and the timing line run.py reads (JSON, the last line on stdout)."""
from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Iterable


def arguments(doc: str) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="a data set written by gen_data.py")
    ap.add_argument("--out", type=Path, required=True, help="where to write partner,total")
    ap.add_argument("--threads", type=int, default=1, help="threads, where the contestant has them")
    return ap.parse_args()


def write_totals(path: Path, totals: Iterable[tuple[str, Decimal | str]]) -> None:
    """Writes (partner, total) pairs sorted by partner; a Decimal is written without an exponent."""
    with open(path, "w", newline="") as f:
        f.write("partner,total\n")
        f.writelines(f"{p},{t if isinstance(t, str) else format(t, 'f')}\n" for p, t in sorted(totals))


def report(seconds: float, load_s: float, threads: int, version: str) -> None:
    """The timing line: `seconds` is what the table reports, `load_s` what it leaves out."""
    print(json.dumps({"seconds": seconds, "load_s": load_s, "threads": threads, "version": version}))
