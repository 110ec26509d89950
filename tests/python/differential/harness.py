"""Run one generated case through the engine (Python API or CLI) and through the model, and say
where they differ: every payout line and every statement (beneficiary total per period), exactly."""

from __future__ import annotations

import csv
import os
import random
import subprocess
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import model


def _rows(table):
    """A result table (DataFrame or list of dicts) as a list of dicts."""
    if isinstance(table, list):
        return table
    return table.to_dict("records")


def _s(v):
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def engine_lines(payouts) -> dict:
    out = {}
    for r in _rows(payouts):
        key = (r["rule"], r["beneficiary_type"], r["beneficiary"], r["period"], r["kind"], _s(r["reverses"]), _s(r["returned_by"]))
        assert key not in out, f"two engine lines with the key {key}"
        out[key] = Fraction(Decimal(str(r["amount"])))
    return out


def engine_statements(statements) -> dict:
    return {(r["beneficiary_type"], r["beneficiary"], r["period"]): (Fraction(Decimal(str(r["exact"]))), Fraction(Decimal(str(r["amount"]))))
            for r in _rows(statements)}


def model_result(case):
    lines, statements = model.run(case.program, case.events, case.partners, case.participants, case.products, case.plans)
    out = {}
    for ln in lines:
        key = (ln.rule, ln.beneficiary_type, ln.beneficiary, ln.period.label, ln.kind, ln.reverses, ln.returned_by)
        assert key not in out, f"two model lines with the key {key}"
        out[key] = ln.amount
    return out, statements


def diff(expected: dict, got: dict, what: str) -> list[str]:
    problems = []
    for key in sorted(set(expected) | set(got), key=str):
        e, g = expected.get(key), got.get(key)
        if e != g:
            fmt = lambda x: "missing" if x is None else (str(tuple(float(v) for v in x)) if isinstance(x, tuple) else str(Decimal(x.numerator) / Decimal(x.denominator)))
            problems.append(f"{what} {key}: model {fmt(e)}, engine {fmt(g)}")
    return problems


def compare_python(case, incentives):
    """(problems, result): the engine's Python API against the model."""
    program = incentives.Program.from_dict(case.program)
    result = program.run(case.events, **case.tables())
    lines, statements = model_result(case)
    problems = diff(lines, engine_lines(result.payouts), "line")
    problems += diff(statements, engine_statements(result.statements), "statement")
    return problems, result


def _write_csv(path: Path, rows: list[dict], columns: list[str] | None = None):
    columns = columns or sorted({k for r in rows for k in r}, key=lambda k: (k != "id", k != "sku", k != "beneficiary", k))
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})


def run_cli(cli: str, case, program_yaml: str, directory: Path, seed: int):
    """The case through the command line, events shuffled, two threads: (lines, statements)."""
    events = list(case.events)
    random.Random(seed).shuffle(events)
    (directory / "program.yaml").write_text(program_yaml)
    _write_csv(directory / "events.csv", events,
               ["id", "kind", "date", "partner", "participants", "sku", "category", "quantity", "amount", "reference"])
    args = [cli, "run", str(directory / "program.yaml"), "--events", str(directory / "events.csv"), "--threads", "2",
            "--out", str(directory / "payouts.csv"), "--statements", str(directory / "statements.csv")]
    for name, rows in case.tables().items():
        if rows:
            _write_csv(directory / f"{name}.csv", rows)
            args += [f"--{name}", str(directory / f"{name}.csv")]
    done = subprocess.run(args, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
    if done.returncode != 0:
        raise AssertionError(f"the CLI failed ({done.returncode}): {done.stderr}")
    with (directory / "payouts.csv").open() as f:
        lines = engine_lines(list(csv.DictReader(f)))
    with (directory / "statements.csv").open() as f:
        statements = engine_statements(list(csv.DictReader(f)))
    return lines, statements
