"""What comparing program variants costs against one run (issue target: four variants <= 1.3x one run).

Generates a data set with the command line (`incentives generate`), reads it into pandas once, then
times, best of --repeat:
  one run      program.run(events, ...)                        (convert + intake + accumulate + settle)
  compare 4    incentives.compare([program, v1, v2, v3], ...)   (events accumulated once, 3 pay steps)
  4 runs       four program.run calls                           (what compare cost before the pay step)
and checks that compare's results equal the separate runs, line for line.

    .venv/bin/python bench/compare_variants.py --cli build/release/src/incentives --events 1000000
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import incentives

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("partners", "participants", "products", "plans")


def best(repeat: int, f):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", default=str(ROOT / "build/release/src/incentives"), help="the incentives command line")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--partners", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    program = incentives.Program.from_yaml(ROOT / "examples/programs/reseller.yaml")
    variants = [
        program.with_changes({"rules.volume-rebate.tiers.table[2].from": "200000"}),
        program.with_changes({"rules.plan-bonus.pay.rate": "1.2%", "rounding.mode": "floor"}),
        program.with_changes({"rules.volume-rebate.cap": "2000", "rules.growth-rebate.pay.rate": "4%"}),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([args.cli, "generate", "--events", str(args.events), "--partners", str(args.partners), "--seed", "11",
                        "--out", tmp], check=True, stdout=subprocess.DEVNULL)
        events = pd.read_csv(Path(tmp) / "events.csv", dtype=str, keep_default_na=False)
        tables = {name: pd.read_csv(Path(tmp) / f"{name}.csv", dtype=str, keep_default_na=False) for name in TABLES}

    one, first = best(args.repeat, lambda: program.run(events, threads=args.threads, **tables))
    four, cmp = best(args.repeat, lambda: incentives.compare([program, *variants], events, threads=args.threads, **tables))
    separate, runs = best(args.repeat, lambda: [p.run(events, threads=args.threads, **tables) for p in [program, *variants]])
    for label, alone in zip(cmp.labels, runs):
        pd.testing.assert_frame_equal(cmp.results[label].payouts, alone.payouts)

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"data: {len(events):,} events, {args.partners:,} partners; {len(first.payouts):,} lines; threads {args.threads}")
    print(f"one run:               {one:7.3f} s")
    print(f"compare of 4 variants: {four:7.3f} s  ({four / one:.2f}x one run; target <= 1.3x)")
    print(f"4 separate runs:       {separate:7.3f} s  ({separate / one:.2f}x one run)")
    return 0 if four / one <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())
