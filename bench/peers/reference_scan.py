"""The physical limit of the peer comparison, measured beside the contestants: one pass over the bytes
of events.csv (read into memory from the page cache) and a count of its line breaks (bytes.count, a
memchr-speed scan). It computes no totals: no program can be faster than reading its input once.

    python reference_scan.py --data DIR --out IGNORED [--threads N]

Timing: "seconds" is both steps; the file is read once untimed first, so it is in the page cache.
"""
from __future__ import annotations

import time

import contestant


def main() -> None:
    a = contestant.arguments(__doc__)
    path = a.data / "events.csv"
    path.read_bytes()  # into the page cache, untimed
    t0 = time.perf_counter()
    data = path.read_bytes()
    lines = data.count(b"\n")
    seconds = time.perf_counter() - t0
    assert lines > 0
    contestant.write_totals(a.out, [])
    contestant.report(seconds, 0.0, 1, f"{len(data) / 1e6:.0f} MB, {lines} line breaks")


if __name__ == "__main__":
    main()
