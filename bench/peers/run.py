"""The peer comparison: the program in program.yaml computed by this library (C++ API, command line,
Python API) and by peers (Python decimal, pandas, Polars, DuckDB, PostgreSQL) on the same generated data.
Every implementation must agree to the cent on every partner's total; then events/s are compared.

    python bench/peers/run.py [--sizes 1M:10k,1M:100k,10M:10k,10M:100k] [--threads 1,2] [--only KEYS]
                              [--json OUT] [--markdown OUT] [--data-dir DIR] [--cli PATH] [--peer PATH]
    python bench/peers/run.py --smoke      # 20k events, 1 thread, agreement only (the test suite)

Each implementation runs in its own subprocess and reports its own timing (see README.md for what
each one times); the command line is timed by wall clock around the process. Totals are compared as
exact decimals against the first implementation that ran on the data set; a partner missing from
one output counts as 0.00. The exit status is 1 on any disagreement or failure.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PROGRAM = HERE / "program.yaml"
sys.path.insert(0, str(HERE))
import gen_data  # noqa: E402

CPP_API = "incentives C++ API"
SMOKE_SIZE = (20_000, 300)


class Failure(Exception):
    """An implementation that could not run or disagrees."""


@dataclass
class Dataset:
    label: str
    events: int
    partners: int
    path: Path

    def file(self, name: str) -> str:
        return str(self.path / f"{name}.csv")


@dataclass
class Row:
    """One line of the results table."""
    implementation: str
    threads: int
    seconds: float
    load_s: float | None
    version: str = ""


@dataclass
class Outcome:
    totals: dict[str, Decimal]
    rows: list[Row]


@dataclass
class Contestant:
    key: str
    threaded: bool
    run: Callable[["Context", Dataset, int, Path], Outcome]


@dataclass
class Context:
    cli: Path
    peer: Path
    smoke: bool
    notes: list[str] = field(default_factory=list)


# --- running one implementation ------------------------------------------------------------------

def run_process(argv: list[str]) -> tuple[dict | None, float]:
    """Runs argv; returns the JSON of its last stdout line (if any) and the wall-clock seconds."""
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        name = Path(argv[1] if argv[0] == sys.executable else argv[0]).name
        raise Failure(f"{name} exited with {done.returncode}:\n{tail}")
    lines = done.stdout.strip().splitlines()
    try:
        timing = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        timing = None
    return (timing if isinstance(timing, dict) else None), wall


def read_totals(path: Path) -> dict[str, Decimal]:
    with open(path, newline="") as f:
        return {row["partner"]: Decimal(row["total"]) for row in csv.DictReader(f)}


def run_cpp_api(ctx: Context, data: Dataset, threads: int, out: Path) -> Outcome:
    totals_csv = out / "totals.csv"
    timing, _ = run_process([str(ctx.peer), "--program", str(PROGRAM), "--events", data.file("events"),
                             "--partners", data.file("partners"), "--products", data.file("products"),
                             "--threads", str(threads), "--out", str(totals_csv)])
    if timing is None:
        raise Failure(f"{ctx.peer} printed no timing JSON")
    return Outcome(read_totals(totals_csv), [
        Row(CPP_API, threads, timing["encode_s"] + timing["add_s"] + timing["run_s"], timing["load_s"]),
        Row("incentives C++ (encoded batch)", threads, timing["add_s"] + timing["run_s"],
            timing["load_s"] + timing["encode_s"]),
        Row("incentives C++ (columns)", threads, timing["columns_s"], timing["load_s"] + timing["columns_load_s"]),
    ])


def run_cli(ctx: Context, data: Dataset, threads: int, out: Path) -> Outcome:
    statements = out / "statements.csv"
    _, wall = run_process([str(ctx.cli), "run", str(PROGRAM), "--events", data.file("events"),
                           "--partners", data.file("partners"), "--products", data.file("products"),
                           "--threads", str(threads), "--statements", str(statements)])
    totals: dict[str, Decimal] = {}
    with open(statements, newline="") as f:
        for row in csv.DictReader(f):
            totals[row["beneficiary"]] = totals.get(row["beneficiary"], Decimal(0)) + Decimal(row["amount"])
    return Outcome(totals, [Row("incentives CLI (end to end)", threads, wall, None)])


def python_peer(script: str, label: str, *options: str) -> Callable[[Context, Dataset, int, Path], Outcome]:
    """A contestant script (contestant.py's command line), with its own options if any."""
    def run(ctx: Context, data: Dataset, threads: int, out: Path) -> Outcome:
        totals_csv = out / "totals.csv"
        timing, _ = run_process([sys.executable, str(HERE / script), "--data", str(data.path),
                                 "--threads", str(threads), "--out", str(totals_csv), *options])
        if timing is None:
            raise Failure(f"{script} printed no timing JSON")
        return Outcome(read_totals(totals_csv),
                       [Row(label, timing.get("threads", threads), timing["seconds"], timing.get("load_s"),
                            timing.get("version", ""))])
    return run


# The first one that runs on a data set is the reference for agreement.
CONTESTANTS = [
    Contestant("cpp", True, run_cpp_api),
    Contestant("cli", True, run_cli),
    Contestant("python", True, python_peer("peer_incentives_py.py", "incentives Python API")),
    Contestant("python_arrow", True, python_peer("peer_incentives_py.py", "incentives Python API (pyarrow Table)",
                                                 "--source", "arrow")),
    Contestant("decimal", False, python_peer("peer_decimal.py", "Python csv + decimal")),
    Contestant("pandas", False, python_peer("peer_pandas.py", "pandas int64 cents")),
    Contestant("polars", True, python_peer("peer_polars.py", "Polars end to end (int64 cents)")),
    Contestant("duckdb", True, python_peer("peer_duckdb.py", "DuckDB DECIMAL(18,2)")),
    Contestant("duckdb_e2e", True, python_peer("peer_duckdb.py", "DuckDB end to end (read_csv + query)",
                                               "--end-to-end")),
    Contestant("postgres", True, python_peer("peer_postgres.py", "PostgreSQL numeric")),
    # Not a contestant: one read of the input and a memchr-speed line count, the floor for everyone.
    Contestant("limit", False, python_peer("reference_scan.py", "physical limit: read events.csv + count lines")),
]


def missing_binary(ctx: Context, key: str) -> str | None:
    """Why a contestant cannot run (a binary not built), or None. Raises when that must fail the run."""
    if key == "cpp" and not ctx.peer.is_file():
        if ctx.smoke and os.environ.get("INCENTIVES_PEER_REQUIRED") == "1":
            raise Failure(f"{ctx.peer} is missing and INCENTIVES_PEER_REQUIRED=1")
        return f"skipped the C++ API: {ctx.peer} is not built"
    if key == "cli" and not ctx.cli.is_file():
        if ctx.smoke:
            raise Failure(f"the command line {ctx.cli} is missing")
        return f"skipped the command line: {ctx.cli} is not built"
    return None


# --- agreement -----------------------------------------------------------------------------------

def differences(a: dict[str, Decimal], b: dict[str, Decimal]) -> list[tuple[str, Decimal, Decimal]]:
    zero = Decimal(0)
    return [(p, a.get(p, zero), b.get(p, zero)) for p in sorted(a.keys() | b.keys())
            if a.get(p, zero) != b.get(p, zero)]


def check_agreement(reference: tuple[str, dict], label: str, totals: dict[str, Decimal]) -> None:
    ref_label, ref_totals = reference
    diffs = differences(ref_totals, totals)
    if diffs:
        shown = "\n".join(f"  {p}: {ref_label} {x}, {label} {y}" for p, x, y in diffs[:8])
        raise Failure(f"{label} disagrees with {ref_label} on {len(diffs)} partner(s):\n{shown}")


# --- data sets, machine, table -------------------------------------------------------------------

def parse_count(text: str) -> int:
    scale = {"k": 1_000, "M": 1_000_000}.get(text[-1:], 1)
    digits = text[:-1] if scale > 1 else text
    if not digits.isdigit() or int(digits) == 0:
        raise SystemExit(f'--sizes: "{text}" is not a count (expected e.g. 20000, 10k or 1M)')
    return int(digits) * scale


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for item in text.split(","):
        parts = item.split(":")
        if len(parts) != 2:
            raise SystemExit(f'--sizes: "{item}" is not events:partners (expected e.g. 1M:10k)')
        sizes.append((parse_count(parts[0]), parse_count(parts[1])))
    return sizes


def count_label(n: int) -> str:
    for suffix, scale in (("M", 1_000_000), ("k", 1_000)):
        if n % scale == 0:
            return f"{n // scale}{suffix}"
    return str(n)


def dataset(data_dir: Path, events: int, partners: int, seed: int) -> Dataset:
    label = f"{count_label(events)}:{count_label(partners)}"
    path = data_dir / f"{count_label(events)}-{count_label(partners)}-s{seed}"
    t0 = time.perf_counter()
    if gen_data.generate(path, events, partners, seed):
        print(f"generated {label} in {path} ({time.perf_counter() - t0:.1f} s)", flush=True)
    return Dataset(label, events, partners, path)


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(mem_kib / 2**20, 1),
            "os": platform.freedesktop_os_release().get("PRETTY_NAME", platform.platform()),
            "python": platform.python_version(), "source": source_version(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def source_version() -> str:
    """The commit of the source tree, and whether it has uncommitted changes."""
    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "unknown"
    return commit + (" with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def machine_line(m: dict) -> str:
    return (f"{m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}, Python {m['python']}; "
            f"incentives {m['source']}; {m['date']}")


COLUMNS = ["data set", "implementation", "threads", "seconds", "events/s (M)", "ratio", "untimed load s"]


def table_rows(results: list[dict]) -> list[list[str]]:
    return [[r["data_set"], r["implementation"], str(r["threads"]), f"{r['seconds']:.3f}",
             f"{r['events_per_s'] / 1e6:.2f}", "-" if r["ratio"] is None else f"{r['ratio']:.2f}",
             "-" if r["load_s"] is None else f"{r['load_s']:.2f}"] for r in results]


def text_table(results: list[dict]) -> str:
    rows = [COLUMNS] + table_rows(results)
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]

    def align(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([align(rows[0]), align(["-" * w for w in widths])] + [align(r) for r in rows[1:]])


def markdown_table(results: list[dict], m: dict) -> str:
    lines = [f"Machine: {machine_line(m)}", "", "| " + " | ".join(COLUMNS) + " |",
             "|" + "|".join("---" if i < 2 else "---:" for i in range(len(COLUMNS))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in table_rows(results)]
    versions = sorted({f"{r['implementation']}: {r['version']}" for r in results if r["version"]})
    lines += ["", RATIO_NOTE, "", "Versions: " + "; ".join(versions)]
    return "\n".join(lines) + "\n"


RATIO_NOTE = ("ratio = (incentives C++ API events/s) / (this implementation's events/s), on the same data "
              "set and thread count: how many times faster the library's C++ API is.")


# --- the run -------------------------------------------------------------------------------------

def run_dataset(ctx: Context, data: Dataset, thread_counts: list[int], keys: list[str],
                work: Path) -> list[dict]:
    reference: tuple[str, dict] | None = None
    results: list[dict] = []
    for threads in thread_counts:
        rows: list[Row] = []
        for c in CONTESTANTS:
            if c.key not in keys or (not c.threaded and threads != thread_counts[0]):
                continue
            note = missing_binary(ctx, c.key)
            if note:
                if note not in ctx.notes:
                    ctx.notes.append(note)
                    print(f"note: {note}", flush=True)
                continue
            out = work / f"{data.path.name}-{c.key}-{threads}"
            out.mkdir()
            outcome = c.run(ctx, data, threads, out)
            label = outcome.rows[0].implementation
            if c.key != "limit":  # the physical limit computes no totals
                if reference is None:
                    reference = (label, outcome.totals)
                check_agreement(reference, label, outcome.totals)
            for r in outcome.rows:
                timing = "" if ctx.smoke else f"{r.seconds:.3f} s, "
                agreement = "no totals (a reference)" if c.key == "limit" else f"{len(outcome.totals)} partner totals agree"
                print(f"[{data.label}, {threads} thread(s)] {r.implementation}: {timing}{agreement}", flush=True)
            rows += outcome.rows
        results += measurements(data, rows)
    return results


def measurements(data: Dataset, rows: list[Row]) -> list[dict]:
    cpp = next((r for r in rows if r.implementation == CPP_API), None)
    cpp_eps = data.events / cpp.seconds if cpp else None
    return [{"data_set": data.label, "events": data.events, "partners": data.partners,
             "implementation": r.implementation, "threads": r.threads, "seconds": r.seconds,
             "load_s": r.load_s, "events_per_s": data.events / r.seconds,
             "ratio": cpp_eps / (data.events / r.seconds) if cpp_eps else None, "version": r.version}
            for r in rows]


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1M:10k,1M:100k,10M:10k,10M:100k", help="events:partners,...")
    ap.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2")
    ap.add_argument("--smoke", action="store_true", help="20k events, 1 thread, agreement only")
    ap.add_argument("--only", help="comma-separated keys: " + ",".join(c.key for c in CONTESTANTS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data-dir", type=Path, default=ROOT / "build/peers-data")
    ap.add_argument("--cli", type=Path, default=ROOT / "build/release/src/incentives")
    ap.add_argument("--peer", type=Path, default=ROOT / "build/release/bench/incentives_peer")
    ap.add_argument("--json", type=Path, help="write every measurement as JSON")
    ap.add_argument("--markdown", type=Path, help="write the results table as Markdown")
    return ap.parse_args()


def main() -> int:
    a = parse_args()
    keys = [c.key for c in CONTESTANTS] if not a.only else a.only.split(",")
    unknown = set(keys) - {c.key for c in CONTESTANTS}
    if unknown:
        sys.exit(f"unknown implementation(s) {', '.join(sorted(unknown))}: use {', '.join(c.key for c in CONTESTANTS)}")
    sizes = [SMOKE_SIZE] if a.smoke else parse_sizes(a.sizes)
    if not a.smoke and not all(t.isdigit() and int(t) > 0 for t in a.threads.split(",")):
        sys.exit(f'--threads: "{a.threads}" is not a list of thread counts (expected e.g. 1,2)')
    thread_counts = [1] if a.smoke else [int(t) for t in a.threads.split(",")]
    ctx = Context(cli=a.cli.resolve(), peer=a.peer.resolve(), smoke=a.smoke)
    m = machine()
    print(f"Machine: {machine_line(m)}", flush=True)

    results: list[dict] = []
    try:
        with tempfile.TemporaryDirectory(prefix="incentives-peers-") as work:
            for events, partners in sizes:
                data = dataset(a.data_dir, events, partners, a.seed)
                results += run_dataset(ctx, data, thread_counts, keys, Path(work))
    except Failure as e:
        print(f"FAILED: {e}", file=sys.stderr)
        return 1

    if a.smoke:
        print("smoke: every implementation that ran agrees on every partner total")
        return 0
    print()
    print(text_table(results))
    print(RATIO_NOTE)
    if a.json:
        a.json.write_text(json.dumps({"machine": m, "notes": ctx.notes, "results": results}, indent=2) + "\n")
    if a.markdown:
        a.markdown.write_text(markdown_table(results, m))
    return 0


if __name__ == "__main__":
    sys.exit(main())
