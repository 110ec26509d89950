"""Deterministic data for the peer comparison (bench/peers): sales of 2027 for the program in
program.yaml, written as events.csv, partners.csv and products.csv.

    python gen_data.py --events 1000000 --partners 10000 [--seed 1] --out DIR

Untimed by the comparison; about a second per million rows. Every draw comes from one seeded numpy
Generator (the same files for the same parameters and numpy version), and every amount is an integer
number of cents, written as an exact decimal with two places. The rows are formatted by numpy into a
byte matrix (no Python loop per row).

What is in the data:
- partner sizes are skewed (log-normal weights), and the mean sale is chosen from events/partners so
  that the quarterly volumes of the partners fall in all three tiers (below 50,000, up to 150,000,
  above, where the 4,000 cap always binds), and about 0.7% of the quarters land exactly on a bound;
- each partner prices in steps of 0.25, 0.50 or 0.01 EUR, so that many quarter volumes x 1% or x 2%
  end in exactly half a cent and half-even rounding changes the result;
- the X200 is about 15% of the rows; quantities are 1..20.

A directory that already holds files made with the same parameters is left as it is (params.json).
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

FORMAT_VERSION = 2
YEAR = 2027
SKUS = ["X200", "L100", "L300", "SRV5", "SRV9", "SVC1", "ACC5"]
SKU_WEIGHTS = [15, 20, 15, 15, 10, 15, 10]
CATEGORIES = ["laptops", "laptops", "laptops", "servers", "servers", "services", "accessories"]
PRICE_STEPS = np.array([25, 50, 1])        # cents; a partner prices in one of these steps
PRICE_STEP_WEIGHTS = [0.4, 0.3, 0.3]
MEDIAN_QUARTER_CENTS = 9_000_000           # the median partner's quarterly volume: 90,000 EUR
TIER_BOUNDS_CENTS = (5_000_000, 15_000_000)
SIZE_SIGMA = 1.2                           # log-normal spread of the partner sizes
CHUNK_ROWS = 1 << 20


def _params(n_events: int, n_partners: int, seed: int) -> dict:
    return {"events": n_events, "partners": n_partners, "seed": seed, "year": YEAR,
            "format": FORMAT_VERSION}


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """ASCII digits of non-negative integers, zero-padded to `width`: a (n, width) uint8 matrix."""
    out = np.empty((len(values), width), dtype=np.uint8)
    v = values.astype(np.int64, copy=True)
    for col in range(width - 1, -1, -1):
        out[:, col] = v % 10 + 48
        v //= 10
    return out


def _leading_zero_mask(values: np.ndarray, width: int) -> np.ndarray:
    """True for the digit columns to keep: no leading zeros, at least one digit."""
    n_digits = 1 + sum((values >= 10 ** k).astype(np.int64) for k in range(1, width))
    return np.arange(width)[None, :] >= (width - n_digits)[:, None]


def _text(s: str) -> np.ndarray:
    return np.frombuffer(s.encode(), dtype=np.uint8)


def _date_table() -> np.ndarray:
    days = np.arange(np.datetime64(f"{YEAR}-01-01"), np.datetime64(f"{YEAR + 1}-01-01"))
    return np.array([list(str(d).encode()) for d in days], dtype=np.uint8)


def _format_rows(first_id: int, columns: dict, id_width: int, partner_width: int) -> bytes:
    """The CSV text of one chunk: each field is a block of columns of a byte matrix, and a mask drops
    the leading zeros of the variable-width numbers before the matrix is flattened."""
    n = len(columns["day"])
    whole, cents = np.divmod(columns["amount"], 100)
    whole_width = max(1, len(str(int(whole.max()))) if n else 1)
    sku_table = np.array([list(s.encode()) for s in SKUS], dtype=np.uint8)
    pieces = [  # (block, keep mask or None)
        (np.broadcast_to(_text("E"), (n, 1)), None),
        (_digits(np.arange(first_id, first_id + n), id_width), None),
        (np.broadcast_to(_text(",sale,"), (n, 6)), None),
        (_date_table()[columns["day"]], None),
        (np.broadcast_to(_text(",P"), (n, 2)), None),
        (_digits(columns["partner"] + 1, partner_width), None),
        (np.broadcast_to(_text(","), (n, 1)), None),
        (sku_table[columns["sku"]], None),
        (np.broadcast_to(_text(","), (n, 1)), None),
        (_digits(columns["quantity"], 2), _leading_zero_mask(columns["quantity"], 2)),
        (np.broadcast_to(_text(","), (n, 1)), None),
        (_digits(whole, whole_width), _leading_zero_mask(whole, whole_width)),
        (np.broadcast_to(_text("."), (n, 1)), None),
        (_digits(cents, 2), None),
        (np.broadcast_to(_text("\n"), (n, 1)), None),
    ]
    matrix = np.concatenate([block for block, _ in pieces], axis=1)
    keep = np.concatenate([np.ones(block.shape, dtype=bool) if mask is None else mask
                           for block, mask in pieces], axis=1)
    return matrix[keep].tobytes()


def _draw(n_events: int, n_partners: int, seed: int) -> dict:
    """Every column as integer arrays, sorted by date."""
    rng = np.random.default_rng(seed)
    sizes = rng.lognormal(0.0, SIZE_SIGMA, n_partners)
    weights = sizes / sizes.sum()
    partner = rng.choice(n_partners, size=n_events, p=weights).astype(np.int64)
    day = np.sort(rng.integers(0, 365, n_events)).astype(np.int64)
    sku = rng.choice(len(SKUS), size=n_events, p=np.array(SKU_WEIGHTS) / sum(SKU_WEIGHTS))
    quantity = rng.integers(1, 21, n_events)
    step = PRICE_STEPS[rng.choice(len(PRICE_STEPS), size=n_partners, p=PRICE_STEP_WEIGHTS)][partner]
    # The mean sale (integer cents) that gives the median partner a quarter volume of about
    # MEDIAN_QUARTER_CENTS; sales are uniform over 1 .. 2 x mean of the partner's price step.
    median_sales_per_year = int(np.sort(np.bincount(partner, minlength=n_partners))[n_partners // 2])
    mean_cents = max(100, MEDIAN_QUARTER_CENTS * 4 // max(1, median_sales_per_year))
    amount = rng.integers(1, 2 * (mean_cents // step) + 1) * step
    columns = {"partner": partner, "day": day, "sku": sku, "quantity": quantity, "amount": amount}
    _pin_tier_bounds(columns, rng)
    return columns


def _pin_tier_bounds(columns: dict, rng: np.random.Generator) -> None:
    """Raise one sale of some partner-quarters just below a tier bound so that the quarter's volume is
    exactly 50,000.00 or 150,000.00 (the bound belongs to the higher tier). The raise is a multiple of
    the partner's price step, as the volume and the bound are."""
    quarter = _quarter_of_day(columns["day"])
    key = columns["partner"] * 4 + quarter
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    volume = np.add.reduceat(columns["amount"][order], starts) if len(starts) else np.array([], np.int64)
    first_sale = order[starts]
    for bound in TIER_BOUNDS_CENTS:
        gap = bound - volume
        near = np.flatnonzero((gap > 0) & (gap <= bound // 20))
        chosen = near[rng.random(len(near)) < 0.25]
        columns["amount"][first_sale[chosen]] += gap[chosen]


def _quarter_of_day(day: np.ndarray) -> np.ndarray:
    month = (np.datetime64(f"{YEAR}-01-01") + day.astype("timedelta64[D]")).astype("datetime64[M]")
    return (month.astype(np.int64) % 12) // 3


def _write_events(path: Path, columns: dict, n_partners: int) -> None:
    n = len(columns["day"])
    id_width = max(8, len(str(n)))
    partner_width = max(6, len(str(n_partners)))
    with open(path, "wb") as f:
        f.write(b"id,kind,date,partner,sku,quantity,amount\n")
        for lo in range(0, n, CHUNK_ROWS):
            chunk = {k: v[lo:lo + CHUNK_ROWS] for k, v in columns.items()}
            f.write(_format_rows(lo + 1, chunk, id_width, partner_width))


def _write_reference(out: Path, n_partners: int) -> None:
    partner_width = max(6, len(str(n_partners)))
    ids = "\n".join(f"P{i:0{partner_width}d}" for i in range(1, n_partners + 1))
    (out / "partners.csv").write_text(f"id\n{ids}\n")
    rows = "".join(f"{s},{c}\n" for s, c in zip(SKUS, CATEGORIES))
    (out / "products.csv").write_text(f"sku,category\n{rows}")


def generate(out: os.PathLike | str, n_events: int, n_partners: int, seed: int = 1) -> bool:
    """Writes the data set to `out` unless it is already there; returns True if it wrote it."""
    out = Path(out)
    params = _params(n_events, n_partners, seed)
    params_file = out / "params.json"
    files = [out / name for name in ("events.csv", "partners.csv", "products.csv")]
    if params_file.exists() and all(f.exists() for f in files):
        if json.loads(params_file.read_text()) == params:
            return False
    out.mkdir(parents=True, exist_ok=True)
    params_file.unlink(missing_ok=True)
    _write_events(out / "events.csv", _draw(n_events, n_partners, seed), n_partners)
    _write_reference(out, n_partners)
    params_file.write_text(json.dumps(params) + "\n")   # last: an interrupted run is not cached
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--partners", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    wrote = generate(a.out, a.events, a.partners, a.seed)
    print(f"{a.out}: {'written' if wrote else 'up to date'}")


if __name__ == "__main__":
    main()
