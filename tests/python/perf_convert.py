"""Measures converting 1 M event rows from a pandas DataFrame to the engine's rows (not a test: run it).

    .venv/bin/python tests/python/perf_convert.py [rows]

Two tables of the bundled sample sales repeated to `rows` rows with unique ids: every column as str
(as pd.read_csv(..., dtype=str) gives), and typed columns (datetime64 dates, int64 quantities and
amounts in cents with amount_scale=2). Prints the best of three conversions of each, then one
complete Program.run for scale.
"""

import sys
import time

import numpy as np
import pandas as pd
from conftest import EXAMPLES

from incentives import Program, _tables


def best_of(n, fn):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
        del out
    return min(times)


def main(rows):
    read = lambda name: pd.read_csv(EXAMPLES / "data" / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    sales = read("events").query("kind == 'sale'").reset_index(drop=True)
    text = sales.iloc[np.arange(rows) % len(sales)].reset_index(drop=True)
    text["id"] = [f"E{i:08d}" for i in range(rows)]
    typed = text.assign(
        date=pd.to_datetime(text["date"]),
        quantity=text["quantity"].astype("int64"),
        amount=text["amount"].str.replace(".", "", regex=False).astype("int64"),
    )
    t_text = best_of(3, lambda: _tables.event_table(text))
    t_typed = best_of(3, lambda: _tables.event_table(typed, amount_scale=2))
    print(f"{rows} rows, str columns:   {t_text:.3f} s ({t_text / rows * 1e9:.0f} ns per row)")
    print(f"{rows} rows, typed columns: {t_typed:.3f} s ({t_typed / rows * 1e9:.0f} ns per row)")
    program = Program.from_yaml(EXAMPLES / "programs" / "reseller.yaml")
    reference = {name: read(name) for name in ("partners", "participants", "products", "plans")}
    start = time.perf_counter()
    result = program.run(text, **reference)
    print(f"Program.run end to end (convert, engine, result): {time.perf_counter() - start:.3f} s, {len(result)} lines")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
